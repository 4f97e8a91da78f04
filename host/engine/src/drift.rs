//! Drift: what changed on the bot's side since the last update Steward
//! applied. After every completed install or rollback each loaded
//! provider's state (`capture`: the package set, the release link, the
//! config file) is recorded as applied; `check` captures again and diffs.
//! A source with no such record (a bot Steward never updated) gets a
//! baseline at the first check instead: its state then, compared from the
//! next check on, until an update records what it applied.
//! It reads through the providers and writes only its own records; it never
//! changes or undoes what drifted.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::install::{Env, refresh};
use crate::runtime::{LoadedProvider, ProviderEntry};
use crate::store::{Store, StoreError};

const APPLIED: &str = "drift-applied";
const FOUND: &str = "drift-found";
/// The key of the one record in `FOUND`.
const LAST: &str = "last";
/// Lines of a diff kept per source.
const DIFF_LINES: usize = 200;

/// A provider's state as the last completed update left it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Applied {
    provider: String,
    session_id: String,
    applied_at: DateTime<Utc>,
    /// The captured state, hex.
    state: String,
    /// Taken at the first check (no update recorded one), not applied by
    /// a session; `session_id` is then empty.
    #[serde(default)]
    baseline: bool,
}

/// One source whose live state is not what the last update applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Drift {
    pub provider: String,
    /// The session that applied the state it drifted from; empty for a
    /// baseline.
    pub session_id: String,
    /// When that state was applied, or for a baseline taken.
    pub applied_at: DateTime<Utc>,
    /// The state it drifted from is the baseline taken at the first check
    /// (Steward never updated this source), not what a session applied.
    #[serde(default)]
    pub baseline: bool,
    /// A unified diff, applied state to live state.
    pub diff: String,
}

/// The last drift check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriftReport {
    pub checked_at: Option<DateTime<Utc>>,
    /// Sources compared (those with an applied state on record).
    pub compared: usize,
    pub drifted: Vec<Drift>,
    /// Sources that could not be read now, with why.
    #[serde(default)]
    pub unreadable: Vec<String>,
    /// Sources with no state on record whose baseline this check took.
    #[serde(default)]
    pub baselines_taken: Vec<String>,
}

/// Records what every loaded provider holds now as applied by session
/// `session_id` (after it completed). A provider that cannot say is left
/// with its older record, logged.
pub async fn record_applied(env: &Env, session_id: &str) {
    let entries = refresh(&env.runtime).await;
    let Ok(tree) = env.store.tree::<Applied>(APPLIED) else {
        return;
    };
    for provider in loaded(&entries) {
        match capture(env, &provider).await {
            Ok(state) => {
                let record = Applied {
                    provider: provider.name.clone(),
                    session_id: session_id.to_string(),
                    applied_at: Utc::now(),
                    state: hex::encode(state),
                    baseline: false,
                };
                if let Err(e) = tree.insert(&provider.name, &record) {
                    tracing::warn!("cannot record the applied state of {}: {e}", provider.name);
                }
            }
            Err(e) => tracing::debug!("{} could not record its applied state: {e}", provider.name),
        }
    }
    let _ = env.store.flush();
}

/// Compares every provider's live state with what the last update applied
/// (or the baseline an earlier check took), takes a baseline of each
/// provider with neither, and keeps the result for the status.
pub async fn check(env: &Env) -> Result<DriftReport, StoreError> {
    let tree = env.store.tree::<Applied>(APPLIED)?;
    let applied = tree.values()?;
    let entries = refresh(&env.runtime).await;
    let mut report = DriftReport {
        checked_at: Some(Utc::now()),
        ..DriftReport::default()
    };
    for provider in loaded(&entries) {
        if applied.iter().any(|r| r.provider == provider.name) {
            continue;
        }
        match capture(env, &provider).await {
            Ok(state) => {
                let record = Applied {
                    provider: provider.name.clone(),
                    session_id: String::new(),
                    applied_at: Utc::now(),
                    state: hex::encode(state),
                    baseline: true,
                };
                tree.insert(&provider.name, &record)?;
                report.baselines_taken.push(provider.name.clone());
            }
            Err(e) => tracing::debug!("{} could not give a drift baseline: {e}", provider.name),
        }
    }
    for record in applied {
        let Some(provider) = loaded(&entries).find(|p| p.name == record.provider) else {
            continue;
        };
        report.compared += 1;
        let now = match capture(env, &provider).await {
            Ok(state) => state,
            Err(e) => {
                report.unreadable.push(format!("{}: {e}", record.provider));
                continue;
            }
        };
        let before = hex::decode(&record.state).unwrap_or_default();
        if before != now {
            let from = if record.baseline {
                format!(
                    "baseline taken at first check on {}",
                    record.applied_at.format("%Y-%m-%d %H:%M UTC")
                )
            } else {
                format!("applied by {}", record.session_id)
            };
            report.drifted.push(Drift {
                diff: diff(&before, &now, &from),
                provider: record.provider,
                session_id: record.session_id,
                applied_at: record.applied_at,
                baseline: record.baseline,
            });
        }
    }
    env.store
        .tree::<DriftReport>(FOUND)?
        .insert(LAST, &report)?;
    env.store.flush()?;
    Ok(report)
}

/// The last drift check's result, if one ran.
pub fn last(store: &Store) -> Result<Option<DriftReport>, StoreError> {
    store.tree::<DriftReport>(FOUND)?.get(LAST)
}

fn loaded(entries: &[ProviderEntry]) -> impl Iterator<Item = Arc<LoadedProvider>> + '_ {
    entries.iter().filter_map(|e| match e {
        ProviderEntry::Loaded(p) => Some(p.clone()),
        _ => None,
    })
}

async fn capture(
    env: &Env,
    provider: &Arc<LoadedProvider>,
) -> Result<Vec<u8>, crate::runtime::CallError> {
    let (runtime, provider) = (env.runtime.clone(), provider.clone());
    tokio::task::spawn_blocking(move || runtime.capture(&provider))
        .await
        .expect("capture task")
}

/// A unified diff of two captured states, as text a person reads: JSON is
/// laid out one field a line (a field holding a file, such as a lockfile
/// or a `pip freeze`, one line of it a line).
fn diff(before: &[u8], now: &[u8], from: &str) -> String {
    let (a, b) = (readable(before), readable(now));
    let text = similar::TextDiff::from_lines(&a, &b)
        .unified_diff()
        .context_radius(2)
        .header(from, "live")
        .to_string();
    let mut lines: Vec<&str> = text.lines().collect();
    if lines.len() > DIFF_LINES {
        let more = lines.len() - DIFF_LINES;
        lines.truncate(DIFF_LINES);
        return format!("{}\n… {more} more lines\n", lines.join("\n"));
    }
    text
}

fn readable(state: &[u8]) -> String {
    match serde_json::from_slice::<serde_json::Value>(state) {
        Ok(value) => {
            let mut out = String::new();
            lay_out(&value, "", &mut out);
            out
        }
        Err(_) => match std::str::from_utf8(state) {
            Ok(text) => text.to_string(),
            Err(_) => format!("({} bytes, sha256 {})\n", state.len(), sha256(state)),
        },
    }
}

fn lay_out(value: &serde_json::Value, path: &str, out: &mut String) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let at = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                lay_out(v, &at, out);
            }
        }
        Value::String(s) if s.contains('\n') => {
            out.push_str(&format!("{path}:\n"));
            for line in s.lines() {
                out.push_str(&format!("  {line}\n"));
            }
        }
        other => out.push_str(&format!("{path} = {other}\n")),
    }
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_freeze_line_shows_as_a_diff_of_that_line() {
        let before = br#"{"tool":"pip","freeze":"aiohttp==3.9.1\nyarl==1.9.4\n"}"#;
        let now = br#"{"tool":"pip","freeze":"aiohttp==3.8.0\nyarl==1.9.4\n"}"#;
        let text = diff(before, now, "applied by u-1");
        assert!(text.contains("--- applied by u-1"), "{text}");
        assert!(text.contains("-  aiohttp==3.9.1"), "{text}");
        assert!(text.contains("+  aiohttp==3.8.0"), "{text}");
        assert!(!text.contains("-  yarl"), "{text}");
    }

    #[test]
    fn a_release_link_switched_by_hand_names_both_targets() {
        let before = br#"{"link_target":"1.5.0","version":"1.5.0"}"#;
        let now = br#"{"link_target":"1.4.0","version":"1.5.0"}"#;
        let text = diff(before, now, "applied by u-2");
        assert!(text.contains("-link_target = \"1.5.0\""), "{text}");
        assert!(text.contains("+link_target = \"1.4.0\""), "{text}");
    }
}
