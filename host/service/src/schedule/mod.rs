//! Scheduled update runs: what an owner asked for (`spec`), when it runs
//! next in the configured zone (`next`), the records in the `schedules`
//! tree, and the loop that starts due runs (`scheduler`). A run itself is
//! the ordinary update transaction, reached through `ScheduledRunner`;
//! nothing here installs anything.

pub mod next;
pub mod scheduler;
pub mod spec;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

pub use scheduler::{ScheduledRun, ScheduledRunner, Scheduler};
pub use spec::ScheduleType;

use crate::engine::UpdateType;
use crate::store::{Store, StoreError, Tree};

/// The store tree of schedules, keyed by id.
pub const TREE: &str = "schedules";

#[derive(Debug, Error)]
pub enum ScheduleError {
    #[error("update_time {value:?} is not HH:MM")]
    InvalidTime { value: String },
    #[error("update_days {value:?} for a {} schedule: {problem}", schedule_type.as_str())]
    InvalidDays {
        schedule_type: ScheduleType,
        value: String,
        problem: String,
    },
    #[error("update_types {value:?}: {problem}")]
    InvalidTypes { value: String, problem: String },
    #[error("{count} schedules exist; at most {max} may")]
    TooMany { count: usize, max: usize },
    #[error("no schedule {id}")]
    NotFound { id: String },
    #[error("cron expression {expression:?}: {message}")]
    Cron { expression: String, message: String },
    #[error("{name:?} is not a time zone")]
    Timezone { name: String },
    #[error("the schedule never runs")]
    NeverRuns,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One schedule, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    pub id: String,
    pub schedule_type: ScheduleType,
    /// `HH:MM` in the configured zone.
    pub update_time: String,
    /// Weekdays (`mon`…`sun`) or days of the month.
    pub update_days: Vec<String>,
    pub update_types: Vec<UpdateType>,
    pub cron: String,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    /// Absent while disabled.
    pub next_run: Option<DateTime<Utc>>,
    #[serde(default)]
    pub last_run: Option<LastRun>,
}

/// What happened the last time the schedule was due.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LastRun {
    /// When it was due.
    pub due_at: DateTime<Utc>,
    /// When Steward acted on it.
    pub at: DateTime<Utc>,
    pub outcome: RunOutcome,
    /// The update session the run recorded.
    pub session_id: Option<String>,
    /// One sentence for people: why it was late, waited, skipped or failed.
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunOutcome {
    /// The update run started and recorded a session.
    Started,
    /// The update run could not start or failed before a session existed.
    Failed,
    /// Another update was running (`on_overlap = "skip"`, or waiting ran out).
    SkippedOverlap,
    /// Steward was down at the time, and came back too late to catch up.
    Missed,
}

/// The `schedules` tree.
pub fn tree(store: &Store) -> Result<Tree<Schedule>, StoreError> {
    store.tree(TREE)
}

/// The next free id: `s1`, `s2`, … (never reusing the highest one).
pub fn new_id(existing: &[Schedule]) -> String {
    let highest = existing
        .iter()
        .filter_map(|s| s.id.strip_prefix('s')?.parse::<u64>().ok())
        .max()
        .unwrap_or(0);
    format!("s{}", highest + 1)
}

/// Parses `update_types` and checks each against the allowed ones.
pub fn update_types(raw: &str, allowed: &[UpdateType]) -> Result<Vec<UpdateType>, ScheduleError> {
    let allowed_names = crate::settings::value::type_names(allowed).join(", ");
    let types =
        crate::settings::value::parse_types(raw).ok_or_else(|| ScheduleError::InvalidTypes {
            value: raw.to_string(),
            problem: format!("list one or more of {allowed_names}, separated by commas"),
        })?;
    if let Some(refused) = types.iter().find(|t| !allowed.contains(t)) {
        return Err(ScheduleError::InvalidTypes {
            value: raw.to_string(),
            problem: format!(
                "{} updates may not be scheduled (scheduling.allowed_update_types: {allowed_names})",
                crate::settings::value::type_names(&[*refused]).join("")
            ),
        });
    }
    Ok(types)
}

#[cfg(test)]
mod tests;
