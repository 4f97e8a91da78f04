//! Scheduled runs: what an owner asked for (`spec`), when it runs next in
//! the configured zone (`next`), the records in the `schedules` tree, and
//! the loop that starts due runs (`scheduler`). A run is the ordinary update
//! transaction, or for a backup schedule an ordinary backup, reached through
//! `ScheduledRunner`; nothing here installs or backs up anything.

pub mod next;
pub mod scheduler;
pub mod spec;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

pub use scheduler::{Ran, ScheduledRun, ScheduledRunner, Scheduler};
pub use spec::ScheduleType;

use crate::engine::UpdateType;
use crate::store::{Store, StoreError, Tree};

/// The store tree of schedules, keyed by id.
pub const TREE: &str = "schedules";

/// The longest schedule name, in characters.
pub const MAX_NAME_CHARS: usize = 50;
/// The most backups one backup schedule may keep.
pub const MAX_BACKUPS_TO_KEEP: u32 = 1000;
/// What `update_types` says for a schedule that only takes backups.
pub const BACKUP_ONLY: &str = "backup";
/// The backup metadata key that names the schedule a backup was made by.
pub const BACKUP_TAG: &str = "schedule";

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
    #[error("the name {name:?} {problem}")]
    InvalidName { name: String, problem: String },
    #[error("the name {name:?} is taken by schedule {id}")]
    NameTaken { name: String, id: String },
    #[error("max_backups_to_keep {value} {problem}")]
    InvalidKeep { value: u32, problem: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a schedule does when it is due.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScheduleKind {
    /// Installs its update types (the update transaction).
    #[default]
    Update,
    /// Takes a full backup and keeps at most `max_backups_to_keep` of its own.
    Backup,
}

/// One schedule, as stored. Fields added after the first release carry
/// serde defaults, so schedules stored before them still load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    pub id: String,
    /// A second handle, unique among schedules.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub kind: ScheduleKind,
    /// Backup schedules: how many of their own backups they keep (older
    /// ones are removed after each run); `None` keeps them all.
    #[serde(default)]
    pub max_backups_to_keep: Option<u32>,
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

impl Schedule {
    /// `s1`, or `s1 (nightly)` when it has a name.
    pub fn label(&self) -> String {
        match &self.name {
            Some(name) => format!("{} ({name})", self.id),
            None => self.id.clone(),
        }
    }
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
    /// The update run started and recorded a session, or the backup was made.
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

/// Checks a requested name: trimmed, not empty, not too long, no control
/// characters, not shaped like an id, and not another schedule's.
pub fn name(raw: &str, existing: &[Schedule]) -> Result<String, ScheduleError> {
    let name = raw.trim().to_string();
    let invalid = |problem: &str| ScheduleError::InvalidName {
        name: name.clone(),
        problem: problem.to_string(),
    };
    if name.is_empty() {
        return Err(invalid("is empty"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(invalid(&format!(
            "is longer than {MAX_NAME_CHARS} characters"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(invalid("contains control characters"));
    }
    if name
        .strip_prefix('s')
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(invalid("looks like a schedule id (s1, s2, …)"));
    }
    if let Some(other) = existing.iter().find(|s| {
        s.name
            .as_deref()
            .is_some_and(|n| n.eq_ignore_ascii_case(&name))
    }) {
        return Err(ScheduleError::NameTaken {
            name,
            id: other.id.clone(),
        });
    }
    Ok(name)
}

/// What `update_types` asks for: `backup` alone for a backup schedule,
/// otherwise update types checked against the allowed ones.
pub fn kind_and_types(
    raw: &str,
    allowed: &[UpdateType],
) -> Result<(ScheduleKind, Vec<UpdateType>), ScheduleError> {
    let items: Vec<&str> = raw
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if !items.iter().any(|i| i.eq_ignore_ascii_case(BACKUP_ONLY)) {
        return Ok((ScheduleKind::Update, update_types(raw, allowed)?));
    }
    if items.len() > 1 {
        return Err(ScheduleError::InvalidTypes {
            value: raw.to_string(),
            problem: format!(
                "\"{BACKUP_ONLY}\" makes a schedule that only takes backups, so it stands alone \
                 (an update schedule takes its pre-update backup anyway)"
            ),
        });
    }
    Ok((ScheduleKind::Backup, Vec::new()))
}

/// Checks `max_backups_to_keep` against the kind of schedule it is for.
pub fn keep(value: Option<u32>, kind: ScheduleKind) -> Result<Option<u32>, ScheduleError> {
    let Some(value) = value else {
        return Ok(None);
    };
    let invalid = |problem: String| ScheduleError::InvalidKeep { value, problem };
    if kind != ScheduleKind::Backup {
        return Err(invalid(format!(
            "is for backup schedules (update_types \"{BACKUP_ONLY}\"); an update schedule's \
             pre-update backups follow backup.max_backups"
        )));
    }
    if !(1..=MAX_BACKUPS_TO_KEEP).contains(&value) {
        return Err(invalid(format!("is not from 1 to {MAX_BACKUPS_TO_KEEP}")));
    }
    Ok(Some(value))
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
