//! The providers directory, watched while the service runs (inotify,
//! through the `notify` crate): a `.wasm` dropped in, replaced or removed
//! is loaded or forgotten at once, and the change is logged and announced
//! rather than discovered at the next check.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use notify::{RecursiveMode, Watcher};

use crate::Service;
use crate::announce::ProviderChange;
use crate::runtime::ProviderEntry;

/// A copy arrives in several writes: changes are read once this long
/// after the last event.
const SETTLE: Duration = Duration::from_millis(150);

impl Service {
    /// Starts watching the providers directory, after announcing the
    /// providers already waiting for a grant. When the system cannot watch
    /// it (a warning says so), only that announcement runs: providers are
    /// then still picked up at each check, only not announced. Each grant
    /// notice is posted and remembered under a shared hold of `notices`, so
    /// a stop that takes it whole never falls between the two.
    pub(crate) fn watch_providers(
        self: &Arc<Self>,
        notices: Arc<tokio::sync::RwLock<()>>,
    ) -> tokio::task::JoinHandle<()> {
        let dir = self.runtime.providers_dir();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
        let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            // A signature (`NAME.wasm.minisig`) changes whether its file loads.
            let wasm = event.is_ok_and(|e| {
                e.paths
                    .iter()
                    .any(|p| p.extension().is_some_and(|x| x == "wasm" || x == "minisig"))
            });
            if wasm {
                let _ = tx.send(());
            }
        });
        let mut watcher = match watcher {
            Ok(w) => w,
            Err(e) => {
                tracing::warn!("the providers directory is not watched: {e}");
                return self.announce_waiting_alone(notices);
            }
        };
        if let Err(e) = watcher.watch(&dir, RecursiveMode::NonRecursive) {
            tracing::warn!("cannot watch {}: {e}", dir.display());
            return self.announce_waiting_alone(notices);
        }
        let service = self.clone();
        tokio::spawn(async move {
            // Dropping the watcher ends the events.
            let _watcher = watcher;
            let mut known = states(&service.entries().await);
            service.announce_waiting_at_start(&known, &notices).await;
            while rx.recv().await.is_some() {
                tokio::time::sleep(SETTLE).await;
                while rx.try_recv().is_ok() {}
                let now = states(&service.entries().await);
                let changes = differences(&known, &now);
                for line in &changes {
                    tracing::info!("providers directory: {line}");
                }
                if !changes.is_empty()
                    && let Some(a) = crate::announce::Announcer::new(&service.config())
                {
                    a.providers_changed(&changes).await;
                    for (name, asks, sha256) in waiting(&known, &now) {
                        let _posting = notices.read().await;
                        a.waiting_for_grant(&name, &asks).await;
                        service.remember_announced(&name, &sha256);
                    }
                }
                known = now;
            }
        })
    }

    /// Without a watch, the providers waiting at start are still announced.
    fn announce_waiting_alone(
        self: &Arc<Self>,
        notices: Arc<tokio::sync::RwLock<()>>,
    ) -> tokio::task::JoinHandle<()> {
        let service = self.clone();
        tokio::spawn(async move {
            let known = states(&service.entries().await);
            service.announce_waiting_at_start(&known, &notices).await;
        })
    }

    /// Announces, with the Grant and Deny buttons, each provider that waits
    /// for a grant when the service starts, unless this very file (by its
    /// hash) was announced before: an owner who restarts the service is
    /// asked once, not at every restart, and again for a new version.
    async fn announce_waiting_at_start(
        &self,
        known: &BTreeMap<String, State>,
        notices: &tokio::sync::RwLock<()>,
    ) {
        let Some(a) = crate::announce::Announcer::new(&self.config()) else {
            return;
        };
        let announced = self.announced();
        for (name, asks, sha256) in waiting(&BTreeMap::new(), known) {
            if announced.get(&name) == Some(&sha256) {
                continue;
            }
            tracing::info!("providers directory: {name} waits for a grant");
            let _posting = notices.read().await;
            a.waiting_for_grant(&name, &asks).await;
            self.remember_announced(&name, &sha256);
        }
    }

    /// The file hash each provider's grant notice was last posted for.
    fn announced(&self) -> BTreeMap<String, String> {
        let tree = self
            .store()
            .ok()
            .and_then(|s| s.tree::<Announced>(ANNOUNCED).ok());
        tree.and_then(|t| t.values().ok())
            .unwrap_or_default()
            .into_iter()
            .map(|a| (a.provider, a.sha256))
            .collect()
    }

    /// Remembers that `name`'s grant notice was posted for the file with
    /// this hash; a store that cannot take it is logged (the notice may
    /// then come again at the next start).
    fn remember_announced(&self, name: &str, sha256: &str) {
        let announced = Announced {
            provider: name.to_string(),
            sha256: sha256.to_string(),
        };
        let stored = self.store().map_err(|e| e.to_string()).and_then(|store| {
            store
                .tree::<Announced>(ANNOUNCED)
                .and_then(|t| t.insert(name, &announced))
                .and_then(|()| store.flush())
                .map_err(|e| e.to_string())
        });
        if let Err(e) = stored {
            tracing::warn!("could not remember that {name}'s grant notice was posted: {e}");
        }
    }
}

/// The store's tree of grant notices posted, by provider name.
const ANNOUNCED: &str = "provider_grant_notices";

/// A grant notice posted for one provider's file.
#[derive(serde::Serialize, serde::Deserialize)]
struct Announced {
    provider: String,
    sha256: String,
}

/// The providers that came or changed since `before` and wait for a
/// grant, with what each asks for and their file's hash.
fn waiting(
    before: &BTreeMap<String, State>,
    after: &BTreeMap<String, State>,
) -> Vec<(String, Vec<String>, String)> {
    after
        .iter()
        .filter(|(name, state)| before.get(*name) != Some(*state))
        .filter_map(|(name, state)| match state {
            State::Loaded {
                waiting_for: Some(asks),
                sha256,
                ..
            } => Some((name.clone(), asks.clone(), sha256.clone())),
            _ => None,
        })
        .collect()
}

/// Each provider's name and how it stands: loaded (version and file hash)
/// or failed (why).
fn states(entries: &[ProviderEntry]) -> BTreeMap<String, State> {
    entries
        .iter()
        .map(|e| match e {
            ProviderEntry::Loaded(p) => (
                p.name.clone(),
                State::Loaded {
                    version: p.info.version.clone(),
                    sha256: p.sha256.clone(),
                    // A denied or turned-off provider waits for nothing.
                    waiting_for: p
                        .waiting_for_grant
                        .as_ref()
                        .filter(|_| p.enabled)
                        .map(crate::announce::asks),
                },
            ),
            ProviderEntry::Failed(f) => (f.name.clone(), State::Failed(f.error.clone())),
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Loaded {
        version: String,
        sha256: String,
        /// What it asks for, while it waits for a grant.
        waiting_for: Option<Vec<String>>,
    },
    Failed(String),
}

/// One line per provider that appeared, changed or went away.
fn differences(
    before: &BTreeMap<String, State>,
    after: &BTreeMap<String, State>,
) -> Vec<ProviderChange> {
    let mut lines = Vec::new();
    for (name, state) in after {
        let name = name.clone();
        let line = match (before.get(&name), state) {
            (Some(old), new) if old == new => continue,
            (
                None,
                State::Loaded {
                    version,
                    waiting_for,
                    ..
                },
            ) => ProviderChange::Loaded {
                name,
                version: version.clone(),
                waiting: waiting_for.is_some(),
            },
            (Some(_), State::Loaded { version, .. }) => ProviderChange::Replaced {
                name,
                version: version.clone(),
            },
            (_, State::Failed(error)) => ProviderChange::Failed {
                name,
                error: error.clone(),
            },
        };
        lines.push(line);
    }
    for name in before.keys().filter(|n| !after.contains_key(*n)) {
        lines.push(ProviderChange::Removed { name: name.clone() });
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(before: &BTreeMap<String, State>, after: &BTreeMap<String, State>) -> Vec<String> {
        differences(before, after)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    fn loaded(version: &str, sha256: &str) -> State {
        State::Loaded {
            version: version.to_string(),
            sha256: sha256.to_string(),
            waiting_for: None,
        }
    }

    /// A provider that arrives waiting for a grant says so, and is the one
    /// the Grant and Deny buttons are posted for; one already known is not
    /// announced again.
    #[test]
    fn a_provider_arriving_without_a_grant_is_announced_as_waiting() {
        let waiting = State::Loaded {
            version: "0.1.0".to_string(),
            sha256: "f".to_string(),
            waiting_for: Some(vec!["read {bot}".to_string()]),
        };
        let before = BTreeMap::from([("kept".to_string(), waiting.clone())]);
        let after = BTreeMap::from([
            ("kept".to_string(), waiting.clone()),
            ("new".to_string(), waiting),
        ]);
        assert_eq!(
            lines(&before, &after),
            ["new 0.1.0 loaded, waiting for a grant"]
        );
        assert_eq!(
            super::waiting(&before, &after),
            [(
                "new".to_string(),
                vec!["read {bot}".to_string()],
                "f".to_string()
            )]
        );
    }

    #[test]
    fn added_replaced_failed_and_removed_providers_each_get_a_line() {
        let before = BTreeMap::from([
            ("kept".to_string(), loaded("1.0.0", "a")),
            ("swapped".to_string(), loaded("1.0.0", "b")),
            ("gone".to_string(), loaded("1.0.0", "c")),
        ]);
        let after = BTreeMap::from([
            ("kept".to_string(), loaded("1.0.0", "a")),
            ("swapped".to_string(), loaded("1.1.0", "d")),
            ("new".to_string(), loaded("0.3.0", "e")),
            (
                "broken".to_string(),
                State::Failed("not a component".to_string()),
            ),
        ]);
        assert_eq!(
            lines(&before, &after),
            [
                "broken did not load: not a component",
                "new 0.3.0 loaded",
                "swapped replaced: 1.1.0 loaded",
                "gone removed",
            ]
        );
    }
}
