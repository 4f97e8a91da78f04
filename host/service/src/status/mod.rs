//! What `status` reports: versions, uptime, disk and memory (`system`),
//! statistics over the update sessions and backups in the store, recent
//! sessions, and a chart of both (`chart`). It reads and summarizes; it
//! never changes a record.

pub mod chart;
pub mod system;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::backup::{BackupRecord, BackupStatus};
use crate::engine::session::{Session, SessionKind, SessionStatus};

pub use system::{Disk, Known, Memory};

/// `time_range:{1d,7d,30d}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum, serde::Deserialize)]
pub enum StatusRange {
    #[value(name = "1d")]
    #[serde(rename = "1d")]
    Day,
    #[value(name = "7d")]
    #[serde(rename = "7d")]
    Week,
    #[value(name = "30d")]
    #[serde(rename = "30d")]
    Month,
}

impl StatusRange {
    pub fn duration(self) -> Duration {
        match self {
            StatusRange::Day => Duration::days(1),
            StatusRange::Week => Duration::days(7),
            StatusRange::Month => Duration::days(30),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            StatusRange::Day => "1d",
            StatusRange::Week => "7d",
            StatusRange::Month => "30d",
        }
    }

    /// The chart's buckets: hours for a day, days otherwise.
    pub fn buckets(self) -> (usize, Duration) {
        match self {
            StatusRange::Day => (24, Duration::hours(1)),
            StatusRange::Week => (7, Duration::days(1)),
            StatusRange::Month => (30, Duration::days(1)),
        }
    }
}

/// Statistics over update sessions. Installs that never went ahead
/// (stopped by the safety checks, or cancelled at the prompt) changed
/// nothing: they are counted apart, not in `count`, the success rate or the
/// durations.
#[derive(Debug, Clone, Default, Serialize, PartialEq, serde::Deserialize)]
pub struct UpdateStats {
    /// Finished install sessions that went ahead.
    pub count: usize,
    pub succeeded: usize,
    pub failed: usize,
    /// Still running (or interrupted and not yet recovered).
    pub running: usize,
    pub rollbacks: usize,
    /// Installs the safety checks stopped before anything changed.
    #[serde(default)]
    pub stopped: usize,
    /// Installs not confirmed at the prompt.
    #[serde(default)]
    pub cancelled: usize,
    /// Succeeded out of finished, 0-100.
    pub success_rate: Option<f64>,
    pub mean_duration_secs: Option<f64>,
    /// By update type (`packages`, `bot`, …).
    pub per_type: BTreeMap<String, TypeStats>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, serde::Deserialize)]
pub struct TypeStats {
    pub count: usize,
    pub succeeded: usize,
    pub mean_duration_secs: Option<f64>,
}

/// Statistics over the backups that exist.
#[derive(Debug, Clone, Default, Serialize, PartialEq, serde::Deserialize)]
pub struct BackupStats {
    /// Completed backups.
    pub count: usize,
    /// Their archives' total size on disk.
    pub total_size_bytes: u64,
    pub failed: usize,
    pub last_backup_at: Option<DateTime<Utc>>,
    pub last_verified: Option<LastVerified>,
}

#[derive(Debug, Clone, Serialize, PartialEq, serde::Deserialize)]
pub struct LastVerified {
    pub id: String,
    pub at: DateTime<Utc>,
    pub ok: bool,
}

/// A session as listed.
#[derive(Debug, Clone, Serialize, PartialEq, serde::Deserialize)]
pub struct SessionLine {
    pub id: String,
    pub kind: SessionKind,
    pub update_type: String,
    pub status: SessionStatus,
    pub started_at: DateTime<Utc>,
    pub duration_secs: Option<f64>,
    pub initiated_by: String,
    pub target_version: Option<String>,
    pub error: Option<String>,
    /// `error` typed, when Steward said it itself (see `Session::reason`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<steward_core::failure::Failure>,
    /// Its log is kept under `[logging] update_logs_path` (`steward logs
    /// ID` shows it); set by `Service::status`, which knows where.
    #[serde(default)]
    pub log: bool,
}

impl From<&Session> for SessionLine {
    fn from(s: &Session) -> Self {
        SessionLine {
            id: s.id.clone(),
            kind: s.kind,
            update_type: type_name(s),
            status: s.status,
            started_at: s.started_at,
            // A run that never went ahead took no time worth listing.
            duration_secs: seconds(s).filter(|_| s.status.went_ahead()),
            initiated_by: s.initiated_by.clone(),
            target_version: s.target_version.clone(),
            error: s.error.clone(),
            reason: s.reason.clone(),
            log: false,
        }
    }
}

fn type_name(s: &Session) -> String {
    serde_json::to_value(s.update_type)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

fn seconds(s: &Session) -> Option<f64> {
    s.duration()
        .map(|d| d.num_milliseconds().max(0) as f64 / 1000.0)
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// Sessions that started at or after `since`, newest first.
pub fn in_range(sessions: &[Session], since: DateTime<Utc>) -> Vec<&Session> {
    let mut out: Vec<&Session> = sessions.iter().filter(|s| s.started_at >= since).collect();
    out.sort_by_key(|s| std::cmp::Reverse(s.started_at));
    out
}

/// Statistics over `sessions` (already filtered to the range).
pub fn update_stats(sessions: &[&Session]) -> UpdateStats {
    let mut stats = UpdateStats::default();
    let mut durations = Vec::new();
    let mut per_type: BTreeMap<String, (TypeStats, Vec<f64>)> = BTreeMap::new();
    for s in sessions {
        if s.kind == SessionKind::Rollback {
            stats.rollbacks += 1;
            continue;
        }
        match s.status {
            SessionStatus::Running => {
                stats.running += 1;
                continue;
            }
            SessionStatus::Stopped => {
                stats.stopped += 1;
                continue;
            }
            SessionStatus::Cancelled => {
                stats.cancelled += 1;
                continue;
            }
            _ => {}
        }
        stats.count += 1;
        let entry = per_type.entry(type_name(s)).or_default();
        entry.0.count += 1;
        if s.status.is_success() {
            stats.succeeded += 1;
            entry.0.succeeded += 1;
        } else {
            stats.failed += 1;
        }
        if let Some(secs) = seconds(s) {
            durations.push(secs);
            entry.1.push(secs);
        }
    }
    stats.success_rate =
        (stats.count > 0).then(|| stats.succeeded as f64 * 100.0 / stats.count as f64);
    stats.mean_duration_secs = mean(&durations);
    stats.per_type = per_type
        .into_iter()
        .map(|(name, (mut t, d))| {
            t.mean_duration_secs = mean(&d);
            (name, t)
        })
        .collect();
    stats
}

pub fn backup_stats(records: &[BackupRecord]) -> BackupStats {
    let completed: Vec<&BackupRecord> = records
        .iter()
        .filter(|r| r.status == BackupStatus::Completed)
        .collect();
    BackupStats {
        count: completed.len(),
        total_size_bytes: completed.iter().map(|r| r.compressed_size).sum(),
        failed: records
            .iter()
            .filter(|r| r.status == BackupStatus::Failed)
            .count(),
        last_backup_at: completed.iter().map(|r| r.created_at).max(),
        last_verified: completed
            .iter()
            .filter_map(|r| r.verification.as_ref().map(|v| (r, v)))
            .max_by_key(|(_, v)| v.at)
            .map(|(r, v)| LastVerified {
                id: r.id.clone(),
                at: v.at,
                ok: v.ok,
            }),
    }
}

/// The newest finished install that went ahead, whatever the range.
pub fn last_update(sessions: &[Session]) -> Option<SessionLine> {
    sessions
        .iter()
        .filter(|s| {
            s.kind == SessionKind::Install && s.status.is_finished() && s.status.went_ahead()
        })
        .max_by_key(|s| s.started_at)
        .map(SessionLine::from)
}

#[cfg(test)]
mod tests;
