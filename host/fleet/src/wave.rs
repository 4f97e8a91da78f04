//! A wave: one install, rollback or check carried across the fleet,
//! canaries first, then batches of at most `max_unavailable`, each batch
//! gating the next; any failure halts it and the instances it updated are
//! rolled back. This is its record as etcd keeps it and its plan; the
//! leader drives it (`leader`), each instance carries out its part (`orders`).

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
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
    /// Its session's status, or why it failed (in English: what an older
    /// Steward reads, and what `--json` shows).
    #[serde(default)]
    pub message: Option<String>,
    /// Why it failed when the leader, not the instance, decided it (it
    /// stayed silent), typed so each front words it; absent from a part an
    /// older Steward wrote, and a shape this one does not know is left out.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_fault"
    )]
    pub fault: Option<PartFault>,
    /// What the instance answered, typed (beside `message`), so each
    /// front words it; absent from an older Steward's part or report.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::answer::lenient"
    )]
    pub answer: Option<crate::Answer>,
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
    /// Why it halted, in English: what an older Steward reads, and what
    /// `--json` shows. Written beside `halt` by `halt_with`.
    #[serde(default)]
    pub halted_because: Option<String>,
    /// The same, typed, so each front words it; absent from a wave an
    /// older Steward wrote (then `halted_because` is all there is).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_halt"
    )]
    pub halt: Option<Halt>,
    #[serde(default)]
    pub finished_at: Option<DateTime<Utc>>,
}

/// Why a wave halted: typed, so each front words it; `Display` is the
/// English the CLI prints. What an instance said stays as it said it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Halt {
    /// When it was planned, no instance (of `group`) was registered.
    NoInstance { group: Option<String> },
    /// Parts of the batch failed, in the batch's order.
    Failed { parts: Vec<FailedPart> },
}

/// One part of a batch that failed, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedPart {
    pub instance: String,
    /// It was in the canary batch.
    pub canary: bool,
    pub why: PartFault,
}

/// Why a part failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PartFault {
    /// It reported a failure (`message` is its session's, as given; the
    /// same typed in `answer`, absent from an older Steward's).
    Reported {
        message: String,
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "crate::answer::lenient"
        )]
        answer: Option<crate::Answer>,
    },
    /// It did not report within `fleet.instance_timeout_seconds`.
    Silent { secs: u64 },
    /// Its rollback (the wave halted) did not report within
    /// `fleet.instance_timeout_seconds`.
    RollbackSilent { secs: u64 },
}

impl fmt::Display for PartFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PartFault::Reported { message, .. } => f.write_str(message),
            PartFault::Silent { secs } => write!(f, "did not report within {secs}s"),
            PartFault::RollbackSilent { secs } => {
                write!(f, "its rollback did not report within {secs}s")
            }
        }
    }
}

impl fmt::Display for Halt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Halt::NoInstance { group: Some(g) } => {
                write!(f, "no instance of group {g} is registered in the fleet")
            }
            Halt::NoInstance { group: None } => {
                f.write_str("no instance is registered in the fleet")
            }
            Halt::Failed { parts } => {
                for (n, p) in parts.iter().enumerate() {
                    if n > 0 {
                        f.write_str("; ")?;
                    }
                    let role = if p.canary { "canary" } else { "instance" };
                    write!(f, "{role} {} failed: {}", p.instance, p.why)?;
                }
                Ok(())
            }
        }
    }
}

/// Why a wave halted, as a front reads it: typed, or the English a wave
/// written by an older Steward carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Halted {
    Typed(Halt),
    Written(String),
}

impl fmt::Display for Halted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Halted::Typed(h) => h.fmt(f),
            Halted::Written(s) => f.write_str(s),
        }
    }
}

/// A kept halt read leniently: one a newer Steward wrote in a shape this
/// one does not know is left out (`halted_because` still says it).
fn lenient_halt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Halt>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    Ok(value.and_then(|v| serde_json::from_value(v).ok()))
}

/// A part's kept fault read leniently, like `lenient_halt`.
fn lenient_fault<'de, D: Deserializer<'de>>(d: D) -> Result<Option<PartFault>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    Ok(value.and_then(|v| serde_json::from_value(v).ok()))
}

/// Where a wave stands (its progress line, typed): what a command that
/// gave up waiting quotes. `Display` is the line the CLI prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub action: WaveAction,
    pub pinned: Option<String>,
    pub group: Option<String>,
    pub phase: Phase,
    /// The batch running (0: the canaries), of `batches`.
    pub batch: usize,
    pub batches: usize,
    /// The running batch's instances and their states (`None`: no part yet).
    pub members: Vec<(String, Option<PartState>)>,
    pub halted: Option<Halted>,
}

impl fmt::Display for Standing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut action = self.action.describe();
        if let Some(v) = &self.pinned {
            action.push_str(&format!(" (pinned to {v})"));
        }
        if let Some(g) = &self.group {
            action.push_str(&format!(" in group {g}"));
        }
        let why = || {
            self.halted
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_else(|| "a part failed".to_string())
        };
        match self.phase {
            Phase::Planning => write!(f, "Fleet {action}: waiting for the leader to plan the wave"),
            Phase::Running => {
                let name = if self.batch == 0 {
                    "canary batch".to_string()
                } else {
                    format!("batch {} of {}", self.batch + 1, self.batches)
                };
                let members = self
                    .members
                    .iter()
                    .map(|(id, state)| format!("{id} {}", state_word(*state)))
                    .collect::<Vec<_>>()
                    .join(", ");
                write!(f, "Fleet {action}: {name}: {members}")
            }
            Phase::Halting => write!(
                f,
                "Fleet {action} halted ({}); rolling back the instances it updated",
                why()
            ),
            Phase::Finished => write!(f, "Fleet {action}: finished"),
            Phase::Halted => write!(f, "Fleet {action}: halted: {}", why()),
        }
    }
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
            halt: None,
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

    /// Halts it for `halt`, kept typed and in English (for older Stewards).
    pub(crate) fn halt_with(&mut self, halt: Halt) {
        self.halted_because = Some(halt.to_string());
        self.halt = Some(halt);
    }

    /// Why it halted: typed, or the English an older Steward wrote.
    pub fn halted(&self) -> Option<Halted> {
        match (&self.halt, &self.halted_because) {
            (Some(h), _) => Some(Halted::Typed(h.clone())),
            (None, Some(s)) => Some(Halted::Written(s.clone())),
            (None, None) => None,
        }
    }

    /// Where it stands: the phase, the batch, each running part.
    pub fn standing(&self) -> Standing {
        Standing {
            action: self.action.clone(),
            pinned: self.pinned.clone(),
            group: self.group.clone(),
            phase: self.phase,
            batch: self.batch,
            batches: self.batches.len(),
            members: self
                .batches
                .get(self.batch)
                .map(|b| {
                    b.iter()
                        .map(|id| (id.clone(), self.parts.get(id).map(|p| p.state)))
                        .collect()
                })
                .unwrap_or_default(),
            halted: self.halted(),
        }
    }

    /// One line for progress: the phase, the batch, each running part.
    pub fn progress_line(&self) -> String {
        self.standing().to_string()
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

    fn failed_parts() -> Halt {
        Halt::Failed {
            parts: vec![
                FailedPart {
                    instance: "a".into(),
                    canary: true,
                    why: PartFault::Reported {
                        message: "rolled_back: pip failed".into(),
                        answer: None,
                    },
                },
                FailedPart {
                    instance: "b".into(),
                    canary: false,
                    why: PartFault::Silent { secs: 30 },
                },
            ],
        }
    }

    /// Each kind of halt reads in English word for word as the leader
    /// wrote it before halts were typed (what the CLI prints).
    #[test]
    fn every_halt_reads_as_the_leader_wrote_it_before() {
        assert_eq!(
            Halt::NoInstance {
                group: Some("eu".into())
            }
            .to_string(),
            "no instance of group eu is registered in the fleet"
        );
        assert_eq!(
            Halt::NoInstance { group: None }.to_string(),
            "no instance is registered in the fleet"
        );
        assert_eq!(
            failed_parts().to_string(),
            "canary a failed: rolled_back: pip failed; instance b failed: did not report within 30s"
        );
    }

    /// A rollback that stayed silent reads as the leader wrote it before it
    /// was typed; a part an older Steward wrote (no `fault`) and one whose
    /// fault has a shape this Steward does not know both still read.
    #[test]
    fn a_silent_rollback_reads_as_before_and_parts_read_leniently() {
        let why = PartFault::RollbackSilent { secs: 45 };
        assert_eq!(why.to_string(), "its rollback did not report within 45s");
        let old: Part = serde_json::from_str(
            r#"{"state":"undo_failed","group":"g","message":"its rollback did not report within 45s"}"#,
        )
        .unwrap();
        assert_eq!(old.fault, None);
        let newer: Part = serde_json::from_str(
            r#"{"state":"undo_failed","group":"g","fault":{"kind":"from_the_future"}}"#,
        )
        .unwrap();
        assert_eq!(newer.fault, None);
        let mut kept = old.clone();
        kept.fault = Some(why.clone());
        let back: Part = serde_json::from_str(&serde_json::to_string(&kept).unwrap()).unwrap();
        assert_eq!(back.fault, Some(why));
    }

    /// Where a wave stands reads as the progress line did, in every phase.
    #[test]
    fn every_standing_reads_as_the_progress_line_did() {
        let mut w = Wave::requested("w1".into(), install(), "cli:root".into(), Utc::now());
        w.pinned = Some("1.5.0".into());
        w.group = Some("eu".into());
        assert_eq!(
            w.progress_line(),
            "Fleet install bot (pinned to 1.5.0) in group eu: waiting for the leader to plan the wave"
        );
        w.pinned = None;
        w.group = None;
        w.phase = Phase::Running;
        w.batches = vec![vec!["a".into()], vec!["b".into(), "c".into()]];
        for (id, state) in [("a", PartState::Done), ("b", PartState::Running)] {
            w.parts.insert(
                id.into(),
                Part {
                    state,
                    group: "production".into(),
                    ordered_at: None,
                    from_version: None,
                    to_version: None,
                    message: None,
                    fault: None,
                    answer: None,
                    session: None,
                    took_secs: None,
                    changed: false,
                },
            );
        }
        assert_eq!(w.progress_line(), "Fleet install bot: canary batch: a done");
        w.batch = 1;
        assert_eq!(
            w.progress_line(),
            "Fleet install bot: batch 2 of 2: b running, c waiting"
        );
        w.phase = Phase::Halted;
        assert_eq!(
            w.progress_line(),
            "Fleet install bot: halted: a part failed"
        );
        w.phase = Phase::Halting;
        w.halt_with(failed_parts());
        assert_eq!(
            w.progress_line(),
            "Fleet install bot halted (canary a failed: rolled_back: pip failed; instance b \
             failed: did not report within 30s); rolling back the instances it updated"
        );
        w.phase = Phase::Finished;
        assert_eq!(w.progress_line(), "Fleet install bot: finished");
    }

    /// A wave keeps its halt typed and in English: an older Steward (and
    /// `--json`) reads the English; a wave an older Steward wrote, or one
    /// whose halt a newer Steward typed in a shape this one does not know,
    /// still says why in its English.
    #[test]
    fn a_halt_is_kept_typed_and_in_english_and_read_leniently() {
        let mut w = Wave::requested(
            "w1".into(),
            WaveAction::Check,
            "cli:root".into(),
            Utc::now(),
        );
        w.phase = Phase::Halted;
        w.halt_with(failed_parts());
        let kept = serde_json::to_value(&w).unwrap();
        assert_eq!(kept["halted_because"], failed_parts().to_string());
        assert_eq!(kept["halt"]["kind"], "failed");
        let back: Wave = serde_json::from_value(kept.clone()).unwrap();
        assert_eq!(back.halted(), Some(Halted::Typed(failed_parts())));

        let mut older = kept.clone();
        older.as_object_mut().unwrap().remove("halt");
        older["halted_because"] = "canary a failed: exit status 1".into();
        let older: Wave = serde_json::from_value(older).unwrap();
        assert_eq!(
            older.halted(),
            Some(Halted::Written("canary a failed: exit status 1".into()))
        );
        assert_eq!(
            older.progress_line(),
            "Fleet check: halted: canary a failed: exit status 1"
        );

        let mut newer = kept;
        newer["halt"] = serde_json::json!({"kind": "from_the_future", "x": 1});
        let newer: Wave = serde_json::from_value(newer).unwrap();
        assert_eq!(
            newer.halted(),
            Some(Halted::Written(failed_parts().to_string()))
        );
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
