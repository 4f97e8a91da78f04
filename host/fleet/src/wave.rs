//! A wave: one install, rollback or check carried across the fleet,
//! canaries first, then batches of at most `max_unavailable`, each batch
//! gating the next; any failure halts it and the instances it updated are
//! rolled back. This is its record as etcd keeps it and its plan; the
//! leader drives it (`leader`), each instance carries out its part (`orders`).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use steward_core::UpdateType;
use steward_core::fleet::Canary;

use crate::registry::InstanceRecord;

/// What a wave does on each instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum WaveAction {
    Install { update_type: UpdateType },
    Rollback { target: String },
    Check,
}

impl WaveAction {
    pub fn describe(&self) -> String {
        match self {
            WaveAction::Install { update_type } => {
                format!("install {}", clap_name(*update_type))
            }
            WaveAction::Rollback { target } => format!("rollback to {target}"),
            WaveAction::Check => "check".to_string(),
        }
    }
}

fn clap_name(t: UpdateType) -> String {
    serde_json::to_value(t)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{t:?}").to_lowercase())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Waiting for the leader to plan it.
    Planning,
    Running,
    /// A part failed: the instances it updated are being rolled back.
    Halting,
    /// Every instance did its part.
    Finished,
    /// Stopped by a failure; `halted_because` says which.
    Halted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartState {
    /// Its batch has not come yet (or never will: the wave halted).
    Waiting,
    /// Ordered; its local transaction runs.
    Running,
    Done,
    Failed,
    /// Its update is being rolled back because the wave halted.
    Undoing,
    RolledBack,
    UndoFailed,
}

/// One instance's part of a wave.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Part {
    pub state: PartState,
    pub group: String,
    #[serde(default)]
    pub ordered_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub from_version: Option<String>,
    #[serde(default)]
    pub to_version: Option<String>,
    /// Its session's status, or why it failed.
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub session: Option<String>,
    #[serde(default)]
    pub took_secs: Option<f64>,
    /// Its transaction changed something (what a halted wave undoes).
    #[serde(default)]
    pub changed: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Wave {
    pub id: String,
    #[serde(flatten)]
    pub action: WaveAction,
    /// Who asked, and on which instance.
    pub requested_by: String,
    pub requested_at: DateTime<Utc>,
    /// Only the instances of this group (`--group`); every instance when `None`.
    #[serde(default)]
    pub group: Option<String>,
    /// The bot release every instance must be offered, when a promotion
    /// rule decided it (what the earlier group ran healthy for its soak).
    #[serde(default)]
    pub pinned: Option<String>,
    pub phase: Phase,
    /// The instance leading it (the latest, when leadership moved).
    #[serde(default)]
    pub leader: Option<String>,
    /// Instance ids; the first batch is the canaries.
    #[serde(default)]
    pub batches: Vec<Vec<String>>,
    /// The batch running now.
    #[serde(default)]
    pub batch: usize,
    #[serde(default)]
    pub parts: BTreeMap<String, Part>,
    #[serde(default)]
    pub halted_because: Option<String>,
    #[serde(default)]
    pub finished_at: Option<DateTime<Utc>>,
}

impl Wave {
    pub(crate) fn requested(
        id: String,
        action: WaveAction,
        requested_by: String,
        at: DateTime<Utc>,
    ) -> Wave {
        Wave {
            id,
            action,
            requested_by,
            requested_at: at,
            group: None,
            pinned: None,
            phase: Phase::Planning,
            leader: None,
            batches: Vec::new(),
            batch: 0,
            parts: BTreeMap::new(),
            halted_because: None,
            finished_at: None,
        }
    }

    /// Whether it ended, either way.
    pub fn ended(&self) -> bool {
        matches!(self.phase, Phase::Finished | Phase::Halted)
    }

    /// The order an instance gets for the batch `batch`.
    pub(crate) fn order_id(&self, batch: usize) -> String {
        format!("{}:{batch}", self.id)
    }

    /// The order that undoes an instance's part.
    pub(crate) fn undo_id(&self) -> String {
        format!("{}:undo", self.id)
    }

    /// How far it got: parts finished either way, out of all.
    pub fn percent(&self) -> u8 {
        if self.parts.is_empty() {
            return 0;
        }
        let settled = self
            .parts
            .values()
            .filter(|p| !matches!(p.state, PartState::Waiting | PartState::Running))
            .count();
        (settled * 100 / self.parts.len()).min(100) as u8
    }

    /// One line for progress: the phase, the batch, each running part.
    pub fn progress_line(&self) -> String {
        let mut action = self.action.describe();
        if let Some(v) = &self.pinned {
            action.push_str(&format!(" (pinned to {v})"));
        }
        if let Some(g) = &self.group {
            action.push_str(&format!(" in group {g}"));
        }
        match self.phase {
            Phase::Planning => format!("Fleet {action}: waiting for the leader to plan the wave"),
            Phase::Running => {
                let name = if self.batch == 0 {
                    "canary batch".to_string()
                } else {
                    format!("batch {} of {}", self.batch + 1, self.batches.len())
                };
                let members = self
                    .batches
                    .get(self.batch)
                    .map(|b| {
                        b.iter()
                            .map(|id| {
                                let state = self.parts.get(id).map(|p| p.state);
                                format!("{id} {}", state_word(state))
                            })
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default();
                format!("Fleet {action}: {name}: {members}")
            }
            Phase::Halting => format!(
                "Fleet {action} halted ({}); rolling back the instances it updated",
                self.halted_because.as_deref().unwrap_or("a part failed")
            ),
            Phase::Finished => format!("Fleet {action}: finished"),
            Phase::Halted => format!(
                "Fleet {action}: halted: {}",
                self.halted_because.as_deref().unwrap_or("a part failed")
            ),
        }
    }
}

pub fn state_word(state: Option<PartState>) -> &'static str {
    match state {
        None | Some(PartState::Waiting) => "waiting",
        Some(PartState::Running) => "running",
        Some(PartState::Done) => "done",
        Some(PartState::Failed) => "failed",
        Some(PartState::Undoing) => "rolling back",
        Some(PartState::RolledBack) => "rolled back",
        Some(PartState::UndoFailed) => "rollback failed",
    }
}

/// The instances a wave covers: those of its group, or all.
pub(crate) fn in_scope(instances: &[InstanceRecord], group: Option<&str>) -> Vec<InstanceRecord> {
    instances
        .iter()
        .filter(|r| group.is_none_or(|g| r.group == g))
        .cloned()
        .collect()
}

/// The batches for `instances`: the canaries first (those in the `canary`
/// group, else the first by id, as many as `canary` says), then the rest
/// by id in batches of `max_unavailable`. A check asks everyone at once.
pub(crate) fn plan(
    action: &WaveAction,
    instances: &[InstanceRecord],
    canary: Canary,
    max_unavailable: usize,
) -> Vec<Vec<String>> {
    let mut ids: Vec<&InstanceRecord> = instances.iter().collect();
    ids.sort_by(|a, b| (a.group != "canary", &a.id).cmp(&(b.group != "canary", &b.id)));
    let ids: Vec<String> = ids.into_iter().map(|r| r.id.clone()).collect();
    if ids.is_empty() {
        return Vec::new();
    }
    if *action == WaveAction::Check {
        return vec![ids];
    }
    let in_group = instances.iter().filter(|r| r.group == "canary").count();
    let first = if in_group > 0 {
        in_group.min(ids.len())
    } else {
        canary.of(ids.len())
    };
    let mut batches = vec![ids[..first].to_vec()];
    for chunk in ids[first..].chunks(max_unavailable.max(1)) {
        batches.push(chunk.to_vec());
    }
    batches
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, group: &str) -> InstanceRecord {
        InstanceRecord {
            id: id.to_string(),
            group: group.to_string(),
            ..InstanceRecord::default()
        }
    }

    fn install() -> WaveAction {
        WaveAction::Install {
            update_type: UpdateType::Bot,
        }
    }

    #[test]
    fn canaries_go_alone_then_batches_of_max_unavailable() {
        let fleet = ["e", "d", "c", "b", "a"].map(|id| record(id, "production"));
        let batches = plan(&install(), &fleet, Canary::Count(1), 2);
        assert_eq!(batches, vec![vec!["a"], vec!["b", "c"], vec!["d", "e"]]);
    }

    #[test]
    fn the_canary_group_goes_first_whatever_the_count() {
        let fleet = [
            record("a", "production"),
            record("z", "canary"),
            record("b", "production"),
        ];
        let batches = plan(&install(), &fleet, Canary::Percent(100), 1);
        assert_eq!(batches, vec![vec!["z"], vec!["a"], vec!["b"]]);
    }

    #[test]
    fn a_wave_for_a_group_covers_only_its_instances() {
        let fleet = [
            record("s", "staging"),
            record("p1", "production"),
            record("p2", "production"),
        ];
        let production = in_scope(&fleet, Some("production"));
        assert_eq!(
            plan(&install(), &production, Canary::Count(1), 1),
            vec![vec!["p1"], vec!["p2"]]
        );
        assert_eq!(in_scope(&fleet, None).len(), 3);
    }

    #[test]
    fn a_check_asks_everyone_at_once() {
        let fleet = [record("a", "production"), record("b", "production")];
        assert_eq!(
            plan(&WaveAction::Check, &fleet, Canary::Count(1), 1),
            vec![vec!["a", "b"]]
        );
    }
}
