//! `steward providers grant|deny` and the Grant/Deny buttons in Discord:
//! an owner decides what a provider that arrived may do. The decision is
//! stored over `steward.toml` (`steward_core::granted`) and applies at
//! once: the runtime loads every provider again under it.

use serde::{Deserialize, Serialize};

use crate::config::GrantConfig;
use crate::provider::Program;
use crate::runtime::ProviderEntry;
use crate::{Caller, GrantRefusal, Operation, Service, ServiceError};
use steward_core::granted::{Decision, Decisions, StoredDecision};

/// What to grant. Empty: everything the provider asks for (its reads,
/// hosts and programs, for reading), as the Grant button does.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantRequest {
    #[serde(default)]
    pub read: Vec<String>,
    #[serde(default)]
    pub http: Vec<String>,
    /// Programs (paths) it asked to run, granted for reading with the
    /// argument patterns it asked for.
    #[serde(default)]
    pub programs: Vec<String>,
    /// Programs (paths) it asked to run, granted as plan steps.
    #[serde(default)]
    pub plan_programs: Vec<String>,
    /// Files and directories its plans may create, replace or remove.
    #[serde(default)]
    pub write: Vec<String>,
}

impl GrantRequest {
    fn is_empty(&self) -> bool {
        *self == GrantRequest::default()
    }
}

/// What a grant or denial decided.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GrantOutcome {
    pub provider: String,
    /// The grant now in force; `None` when it was denied.
    pub granted: Option<GrantConfig>,
    /// What it asks for that the grant leaves out ("http api.osv.dev"):
    /// it runs, but only partly.
    pub missing: Vec<String>,
}

impl Service {
    /// Grants `name` what `request` says (owners only), stored over
    /// steward.toml and applied without a restart.
    pub async fn provider_grant(
        &self,
        caller: &Caller,
        name: &str,
        request: GrantRequest,
    ) -> Result<GrantOutcome, ServiceError> {
        self.authorize(caller, Operation::Settings)?;
        let wants = self.asked_by(name).await?;
        let refused = |refusal| ServiceError::Grant {
            provider: name.to_string(),
            refusal,
        };
        let grant = if request.is_empty() {
            GrantConfig {
                read: wants.read.clone(),
                http: wants.http.clone(),
                programs: wants.programs.clone(),
                ..GrantConfig::default()
            }
        } else {
            let asked = |paths: &[String]| -> Result<Vec<Program>, ServiceError> {
                paths
                    .iter()
                    .map(|path| {
                        wants
                            .programs
                            .iter()
                            .find(|p| p.path == *path)
                            .cloned()
                            .ok_or_else(|| {
                                refused(GrantRefusal::NotAsked {
                                    path: path.clone(),
                                    asked: wants.programs.iter().map(|p| p.path.clone()).collect(),
                                })
                            })
                    })
                    .collect()
            };
            GrantConfig {
                read: request.read.clone(),
                http: request.http.clone(),
                programs: asked(&request.programs)?,
                plan_programs: asked(&request.plan_programs)?,
                write: request.write.clone(),
            }
        };
        // The same checks steward.toml's grants pass at start.
        let mut trial = (*self.config()).clone();
        trial.providers.entry(name.to_string()).or_default().grant = Some(grant.clone());
        trial
            .validate_grants()
            .map_err(|problem| refused(GrantRefusal::Invalid { problem }))?;
        self.decide(caller, name, Decision::Granted(grant.clone()))?;
        let missing = crate::runtime::grants::missing(&wants, &grant, &self.config().bot.root);
        Ok(GrantOutcome {
            provider: name.to_string(),
            granted: Some(grant),
            missing,
        })
    }

    /// Refuses `name` everything (owners only): it is not run, and no
    /// longer listed as waiting, until an owner grants it.
    pub async fn provider_deny(
        &self,
        caller: &Caller,
        name: &str,
    ) -> Result<GrantOutcome, ServiceError> {
        self.authorize(caller, Operation::Settings)?;
        self.asked_by(name).await?;
        self.decide(caller, name, Decision::Denied)?;
        Ok(GrantOutcome {
            provider: name.to_string(),
            granted: None,
            missing: Vec::new(),
        })
    }

    /// What the provider file `name` asks for; an error when there is no
    /// such loaded provider.
    async fn asked_by(&self, name: &str) -> Result<crate::provider::Capabilities, ServiceError> {
        let entries = self.entries().await;
        let known = entries.iter().map(|e| e.name().to_string()).collect();
        match entries.into_iter().find(|e| e.name() == name) {
            Some(ProviderEntry::Loaded(p)) => Ok(p.info.wants.clone()),
            Some(ProviderEntry::Failed(f)) => Err(ServiceError::Grant {
                provider: name.to_string(),
                refusal: GrantRefusal::DidNotLoad {
                    error: f.error.to_string(),
                },
            }),
            None => Err(ServiceError::Grant {
                provider: name.to_string(),
                refusal: GrantRefusal::NoSuchProvider { known },
            }),
        }
    }

    fn decide(&self, caller: &Caller, name: &str, decision: Decision) -> Result<(), ServiceError> {
        let store = self.store()?;
        self.forget_stored_copy()?;
        Decisions::open(&store)?.set(&StoredDecision {
            provider: name.to_string(),
            decision,
            decided_at: chrono::Utc::now(),
            decided_by: caller.label(),
        })?;
        store.flush()?;
        self.apply_stored_settings()?;
        tracing::info!(provider = name, by = %caller.label(), "provider grant decided");
        Ok(())
    }

    /// The stored decision for each provider (for `providers list`).
    pub(crate) fn stored_decisions(&self) -> std::collections::BTreeMap<String, StoredDecision> {
        if !self.store_path().exists() {
            return Default::default();
        }
        self.store()
            .ok()
            .and_then(|s| Decisions::open(&s).ok())
            .and_then(|d| d.all().ok())
            .unwrap_or_default()
    }
}
