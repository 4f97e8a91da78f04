//! `check`: every enabled provider whose update kinds match the requested
//! type, all in parallel, each in its own sandboxed call. One provider's
//! failure is reported beside the others' results, never instead of them.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use serde::Serialize;

use crate::progress::{ProgressSender, Step};
use crate::provider::{Capabilities, Update};
use crate::runtime::{CallError, LoadedProvider, ProviderEntry, Runtime};

pub use steward_core::UpdateType;

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct CheckFailure {
    /// `denied`, `network`, `timeout`, `invalid-data`, `not-found`,
    /// `unsupported`, `conflict`, `other`, or the sandbox's own:
    /// `out-of-memory`, `stack-overflow`, `crashed`, `instantiate`.
    pub code: String,
    pub message: String,
}

impl From<&CallError> for CheckFailure {
    fn from(e: &CallError) -> Self {
        let code = match e {
            CallError::Provider(p) => p.code.as_str().into(),
            CallError::Timeout { .. } => "timeout".into(),
            CallError::OutOfMemory { .. } => "out-of-memory".into(),
            CallError::StackOverflow { .. } => "stack-overflow".into(),
            CallError::Crashed { .. } => "crashed".into(),
            CallError::Instantiate { .. } => "instantiate".into(),
        };
        CheckFailure {
            code,
            message: e.to_string(),
        }
    }
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct ProviderCheck {
    pub provider: String,
    pub version: String,
    pub updates: Vec<Update>,
    pub warnings: Vec<String>,
    pub error: Option<CheckFailure>,
    pub duration_ms: u64,
    /// How old the oldest registry answer this check reused from the HTTP
    /// cache without asking was, in seconds (`registry_max_age_secs`);
    /// absent when it asked the registry for every one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reused_answers_age_secs: Option<u64>,
    /// What it asks for, when the operator has granted it nothing: it was
    /// not asked (it could not have looked), so it is neither up to date
    /// nor failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_for_grant: Option<Capabilities>,
    /// What it asked for that its grant does not cover ("http
    /// api.osv.dev"): it ran, but only partly, so its answer may be too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
}

/// A provider file that could not be loaded, so was not asked.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct SkippedProvider {
    pub provider: String,
    pub file: String,
    pub error: String,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct CheckOutcome {
    /// When the providers were asked (RFC 3339). Defaulted for an answer
    /// from a Steward that did not send it.
    #[serde(default)]
    pub checked_at: DateTime<Utc>,
    /// What `providers` add up to.
    #[serde(default)]
    pub totals: CheckTotals,
    pub providers: Vec<ProviderCheck>,
    pub skipped: Vec<SkippedProvider>,
    /// The releases the cooldown holds, typed so a front can word them
    /// (each update's `held` says the same in English).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cooldowns: Vec<crate::policy::Cooldown>,
    /// The updates the cooldown cannot hold for want of a release date,
    /// typed so a front can word them (their source's `warnings` say the
    /// same in English).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub undated: Vec<crate::policy::Undated>,
}

/// A check's counts, the ones `steward check` prints under its table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct CheckTotals {
    /// Updates an install would take (not held back).
    pub available: usize,
    /// Updates that fix a security issue, held back or not.
    pub security: usize,
    /// Updates with breaking changes, held back or not.
    pub breaking: usize,
    /// Updates held back by a pin.
    pub held: usize,
    /// Providers whose check failed.
    pub failed_providers: usize,
    /// Providers not asked because nothing is granted to them yet.
    #[serde(default)]
    pub waiting_for_grant: usize,
}

impl CheckTotals {
    pub fn of(providers: &[ProviderCheck]) -> CheckTotals {
        let mut totals = CheckTotals {
            failed_providers: providers.iter().filter(|p| p.error.is_some()).count(),
            waiting_for_grant: providers
                .iter()
                .filter(|p| p.waiting_for_grant.is_some())
                .count(),
            ..CheckTotals::default()
        };
        for u in providers.iter().flat_map(|p| &p.updates) {
            if u.held.is_some() {
                totals.held += 1;
            } else {
                totals.available += 1;
            }
            totals.security += usize::from(u.security);
            totals.breaking += usize::from(u.breaking);
        }
        totals
    }
}

impl CheckOutcome {
    /// Whether any provider failed to run, or its file to load.
    pub fn failed(&self) -> bool {
        self.providers.iter().any(|p| p.error.is_some()) || !self.skipped.is_empty()
    }

    /// Seconds since the oldest registry answer any provider reused without
    /// asking was fetched; `None` when every answer is new.
    pub fn reused_answers_age_secs(&self) -> Option<u64> {
        self.providers
            .iter()
            .filter_map(|p| p.reused_answers_age_secs)
            .max()
    }
}

/// Asks every matching provider, concurrently.
pub async fn check(
    runtime: &Arc<Runtime>,
    entries: Vec<ProviderEntry>,
    update_type: UpdateType,
    include_security: bool,
    progress: Option<&ProgressSender>,
) -> CheckOutcome {
    let checked_at = Utc::now();
    let mut skipped = Vec::new();
    let mut providers = Vec::new();
    let mut tasks = FuturesUnordered::new();
    for entry in entries {
        match entry {
            ProviderEntry::Failed(f) => skipped.push(SkippedProvider {
                provider: f.name,
                file: f.file.display().to_string(),
                error: f.error,
            }),
            ProviderEntry::Loaded(p) if p.enabled && update_type.covers(&p.info.kinds) => {
                if let Some(wants) = &p.waiting_for_grant {
                    providers.push(ProviderCheck {
                        provider: p.name.clone(),
                        version: p.info.version.clone(),
                        updates: Vec::new(),
                        warnings: Vec::new(),
                        error: None,
                        duration_ms: 0,
                        reused_answers_age_secs: None,
                        waiting_for_grant: Some(wants.clone()),
                        missing: Vec::new(),
                    });
                    continue;
                }
                let runtime = runtime.clone();
                tasks.push(tokio::task::spawn_blocking(move || {
                    check_one(&runtime, &p, include_security)
                }));
            }
            ProviderEntry::Loaded(_) => {}
        }
    }
    let total = tasks.len();
    if let Some(progress) = progress {
        progress.step(0, total, Step::Asking { sources: total });
    }
    let mut done = 0;
    while let Some(task) = tasks.next().await {
        done += 1;
        match task {
            Ok(result) => {
                if let Some(progress) = progress {
                    progress.step(
                        done,
                        total,
                        Step::Checked {
                            provider: result.provider.clone(),
                        },
                    );
                }
                providers.push(result);
            }
            Err(e) => tracing::error!("a provider check task failed: {e}"),
        }
    }
    providers.sort_by(|a, b| a.provider.cmp(&b.provider));
    CheckOutcome {
        checked_at,
        totals: CheckTotals::of(&providers),
        providers,
        skipped,
        cooldowns: Vec::new(),
        undated: Vec::new(),
    }
}

fn check_one(
    runtime: &Runtime,
    provider: &LoadedProvider,
    include_security: bool,
) -> ProviderCheck {
    let started = Instant::now();
    let result = runtime.check_noting_reuse(provider, include_security);
    let duration_ms = started.elapsed().as_millis() as u64;
    let (updates, warnings, error, reused_answers_age_secs) = match result {
        Ok(checked) => (
            checked.report.updates,
            checked.report.warnings,
            None,
            checked.reused_age_secs,
        ),
        Err(e) => {
            tracing::debug!(provider = provider.name, "check failed: {e}");
            (Vec::new(), Vec::new(), Some(CheckFailure::from(&e)), None)
        }
    };
    ProviderCheck {
        provider: provider.name.clone(),
        version: provider.info.version.clone(),
        updates,
        warnings,
        error,
        duration_ms,
        reused_answers_age_secs,
        waiting_for_grant: None,
        missing: provider.missing.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_without_the_time_or_totals_still_reads() {
        let old: CheckOutcome =
            serde_json::from_str(r#"{"providers": [], "skipped": []}"#).unwrap();
        assert_eq!(old.totals, CheckTotals::default());
    }
}
