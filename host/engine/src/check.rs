//! `check`: every enabled provider whose update kinds match the requested
//! type, all in parallel, each in its own sandboxed call. One provider's
//! failure is reported beside the others' results, never instead of them.

use std::sync::Arc;
use std::time::Instant;

use futures::StreamExt;
use futures::stream::FuturesUnordered;
use serde::Serialize;

use crate::progress::ProgressSender;
use crate::provider::Update;
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
    pub providers: Vec<ProviderCheck>,
    pub skipped: Vec<SkippedProvider>,
}

impl CheckOutcome {
    pub fn failed(&self) -> bool {
        self.providers.iter().any(|p| p.error.is_some())
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
    let mut skipped = Vec::new();
    let mut tasks = FuturesUnordered::new();
    for entry in entries {
        match entry {
            ProviderEntry::Failed(f) => skipped.push(SkippedProvider {
                provider: f.name,
                file: f.file.display().to_string(),
                error: f.error,
            }),
            ProviderEntry::Loaded(p) if p.enabled && update_type.covers(&p.info.kinds) => {
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
        progress.step(0, total, format!("Asking {total} {}", sources(total)));
    }
    let mut providers = Vec::new();
    let mut done = 0;
    while let Some(task) = tasks.next().await {
        done += 1;
        match task {
            Ok(result) => {
                if let Some(progress) = progress {
                    progress.step(done, total, format!("Checked {}", result.provider));
                }
                providers.push(result);
            }
            Err(e) => tracing::error!("a provider check task failed: {e}"),
        }
    }
    providers.sort_by(|a, b| a.provider.cmp(&b.provider));
    CheckOutcome { providers, skipped }
}

fn sources(n: usize) -> &'static str {
    if n == 1 { "source" } else { "sources" }
}

fn check_one(
    runtime: &Runtime,
    provider: &LoadedProvider,
    include_security: bool,
) -> ProviderCheck {
    let started = Instant::now();
    let result = runtime.check(provider, include_security);
    let duration_ms = started.elapsed().as_millis() as u64;
    let (updates, warnings, error) = match result {
        Ok(report) => (report.updates, report.warnings, None),
        Err(e) => {
            tracing::debug!(provider = provider.name, "check failed: {e}");
            (Vec::new(), Vec::new(), Some(CheckFailure::from(&e)))
        }
    };
    ProviderCheck {
        provider: provider.name.clone(),
        version: provider.info.version.clone(),
        updates,
        warnings,
        error,
        duration_ms,
    }
}
