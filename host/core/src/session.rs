//! Update sessions: one record per install, rollback or scheduled run, kept
//! in the store's `sessions` tree and rewritten as the run goes (status,
//! progress, steps). It records what happened; it never decides what runs.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::UpdateType;
use crate::store::{Store, StoreError, Tree};

/// The store tree holding every session, keyed by id (ids sort by start time).
pub const TREE: &str = "sessions";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    Install,
    Rollback,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    /// Running now (or interrupted, until recovery at the next start says so).
    Running,
    /// Every step applied, verified and the bot healthy.
    Completed,
    /// Failed, and everything it changed was put back.
    RolledBack,
    /// Failed before anything changed, or failed and rollback was not asked for.
    Failed,
    /// Failed, and putting things back failed too: the operator must look.
    RollbackFailed,
    /// Nothing to do: every matching provider was up to date.
    NothingToDo,
    /// Refused by the safety checks before anything changed (not forced).
    Stopped,
    /// Not confirmed at the prompt (Cancel, "no", or no answer): nothing
    /// changed.
    Cancelled,
}

impl SessionStatus {
    pub fn is_finished(self) -> bool {
        self != SessionStatus::Running
    }

    /// Whether the run went ahead at all: a stopped or cancelled install
    /// changed nothing, so it is neither a success nor a failure.
    pub fn went_ahead(self) -> bool {
        !matches!(self, SessionStatus::Stopped | SessionStatus::Cancelled)
    }

    /// Counted as a success in statistics.
    pub fn is_success(self) -> bool {
        matches!(self, SessionStatus::Completed | SessionStatus::NothingToDo)
    }
}

/// Who asked for the run: `cli:<user>`, `discord:<user id>`, `schedule:<id>`.
pub type Initiator = String;

/// One update session, with the original specification's fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub id: String,
    pub kind: SessionKind,
    pub update_type: UpdateType,
    pub status: SessionStatus,
    /// 0..=100.
    pub progress: u8,
    pub started_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    /// The bot's version before the run, when a provider reports one.
    pub current_version: Option<String>,
    /// The bot's version the run aims for.
    pub target_version: Option<String>,
    pub error: Option<String>,
    /// The same reason typed, when Steward said it itself, so each front
    /// words it (Discord in the reader's language). Absent from sessions
    /// kept before reasons were typed: then `error` is all there is.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::failure::lenient"
    )]
    pub reason: Option<crate::failure::Failure>,
    pub steps_completed: u32,
    pub total_steps: u32,
    /// A pre-update backup or captured states exist to go back to.
    pub rollback_available: bool,
    pub initiated_by: Initiator,
    /// The pre-update backup's id, when one was taken.
    #[serde(default)]
    pub backup_id: Option<String>,
    /// `provider: name current -> latest` for every update in the run.
    #[serde(default)]
    pub updates: Vec<String>,
    /// Each changed provider's state from before the run, so a later
    /// rollback to this run's starting point can put it back.
    #[serde(default)]
    pub parts: Vec<SessionPart>,
}

/// One provider's share of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionPart {
    pub provider: String,
    /// What the provider's `capture` returned before the run (hex).
    pub captured: String,
    pub updates: Vec<crate::provider::Update>,
    /// Release directories the run's downloads created, removed again when
    /// the run is rolled back.
    #[serde(default)]
    pub unpacked: Vec<std::path::PathBuf>,
}

impl Session {
    pub fn duration(&self) -> Option<chrono::Duration> {
        self.completed_at.map(|end| end - self.started_at)
    }
}

/// The `sessions` tree.
pub fn tree(store: &Store) -> Result<Tree<Session>, StoreError> {
    store.tree(TREE)
}

/// A new session id: the start time to the millisecond, so ids sort by start.
pub fn new_id(started_at: DateTime<Utc>) -> String {
    format!("u-{}", started_at.format("%Y%m%dT%H%M%S%.3fZ"))
}
