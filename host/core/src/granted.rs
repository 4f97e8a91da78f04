//! Grants an owner gave or refused after a provider arrived (`steward
//! providers grant|deny`, the buttons in Discord), kept in the store and
//! laid over `steward.toml` like the stored settings: a decision here wins
//! over the file's `[providers.NAME.grant]` until it is withdrawn. It stores
//! decisions; the runtime decides what a provider may do with them.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::config::{Config, ProviderConfig};
use crate::grant::GrantConfig;
use crate::store::{Store, StoreError, Tree};

const TREE: &str = "provider_grants";

/// What the owner decided for one provider (keyed by its file name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Run it with this grant.
    Granted(GrantConfig),
    /// Never run it (until granted): it is no longer waiting.
    Denied,
}

/// One stored decision, with who made it and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredDecision {
    pub provider: String,
    pub decision: Decision,
    pub decided_at: DateTime<Utc>,
    pub decided_by: String,
}

/// The stored decisions.
pub struct Decisions {
    tree: Tree<StoredDecision>,
}

impl Decisions {
    pub fn open(store: &Store) -> Result<Decisions, StoreError> {
        Ok(Decisions {
            tree: store.tree(TREE)?,
        })
    }

    /// Every decision, by provider name.
    pub fn all(&self) -> Result<BTreeMap<String, StoredDecision>, StoreError> {
        Ok(self
            .tree
            .values()?
            .into_iter()
            .map(|d| (d.provider.clone(), d))
            .collect())
    }

    pub fn set(&self, decision: &StoredDecision) -> Result<(), StoreError> {
        self.tree.insert(&decision.provider, decision)
    }
}

/// `base` with every stored decision laid over its `[providers]`: a grant
/// replaces the file's grant (a provider the file turns off stays off), a
/// denial turns the provider off.
pub fn overlay(base: &Config, decisions: &BTreeMap<String, StoredDecision>) -> Config {
    let mut config = base.clone();
    for (name, stored) in decisions {
        let provider = config
            .providers
            .entry(name.clone())
            .or_insert_with(|| ProviderConfig {
                enabled: true,
                ..ProviderConfig::default()
            });
        match &stored.decision {
            Decision::Granted(grant) => provider.grant = Some(grant.clone()),
            Decision::Denied => {
                provider.grant = None;
                provider.enabled = false;
            }
        }
    }
    config
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decided(provider: &str, decision: Decision) -> (String, StoredDecision) {
        (
            provider.to_string(),
            StoredDecision {
                provider: provider.to_string(),
                decision,
                decided_at: Utc::now(),
                decided_by: "shell".to_string(),
            },
        )
    }

    #[test]
    fn a_stored_grant_replaces_the_files_and_a_denial_turns_the_provider_off() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("steward.toml");
        std::fs::write(
            &file,
            "[providers.a.grant]\nread = [\"/srv\"]\n[providers.b.grant]\nhttp = [\"x.org\"]\n",
        )
        .unwrap();
        let base = Config::load(&file, false).unwrap();
        let granted = GrantConfig {
            http: vec!["y.org".to_string()],
            ..GrantConfig::default()
        };
        let decisions = BTreeMap::from([
            decided("a", Decision::Granted(granted.clone())),
            decided("b", Decision::Denied),
            decided("new", Decision::Granted(granted.clone())),
        ]);
        let config = overlay(&base, &decisions);
        assert_eq!(config.providers["a"].grant.as_ref(), Some(&granted));
        assert!(!config.providers["b"].enabled);
        assert!(config.providers["b"].grant.is_none());
        assert_eq!(config.providers["new"].grant.as_ref(), Some(&granted));
        assert!(config.providers["new"].enabled);
    }

    #[test]
    fn decisions_survive_reopening_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sled");
        {
            let store = Store::open(&path).unwrap();
            let (_, d) = decided("a", Decision::Denied);
            Decisions::open(&store).unwrap().set(&d).unwrap();
            store.flush().unwrap();
        }
        let store = Store::open(&path).unwrap();
        let all = Decisions::open(&store).unwrap().all().unwrap();
        assert_eq!(all["a"].decision, Decision::Denied);
    }
}
