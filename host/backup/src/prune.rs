//! Pruning: `max_backups` and `backup_retention_days` together, never the
//! newest verified backup, never one an unfinished update session refers
//! to. Deciding (`plan`) is pure; `prune` applies the decision.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::{BackupError, BackupRecord, BackupStatus, Backups, repository};

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Pruned {
    pub removed: Vec<RemovedBackup>,
    /// Completed backups left.
    pub kept: usize,
    pub freed_bytes: u64,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct RemovedBackup {
    pub id: String,
    pub name: Option<String>,
    /// Why, in English (what `--json` and an older Steward read).
    pub reason: String,
    /// The same, typed, so each front words it; absent from an answer an
    /// older Steward gave, or one of a kind this Steward does not know.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_removal"
    )]
    pub why: Option<Removal>,
}

/// Why prune removed a backup: typed, so each front words it; `Display`
/// is the English the CLI prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Removal {
    /// More completed backups than `backup.max_backups`.
    BeyondMaxBackups { max_backups: usize },
    /// Older than `backup.backup_retention_days`.
    OlderThanRetention { retention_days: u64 },
    /// A failed attempt (no archive) past retention.
    FailedAttempt,
    /// Beyond the `keep` newest of a schedule's backups.
    BeyondSchedule { keep: usize },
}

impl std::fmt::Display for Removal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Removal::BeyondMaxBackups { max_backups } => {
                write!(f, "beyond max_backups ({max_backups})")
            }
            Removal::OlderThanRetention { retention_days } => {
                write!(f, "older than backup_retention_days ({retention_days})")
            }
            Removal::FailedAttempt => f.write_str("a failed attempt past retention"),
            Removal::BeyondSchedule { keep } => {
                write!(f, "beyond the {keep} this schedule keeps")
            }
        }
    }
}

fn lenient_removal<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Removal>, D::Error> {
    use serde::Deserialize;
    let value = Option::<serde_json::Value>::deserialize(d)?;
    Ok(value.and_then(|v| serde_json::from_value(v).ok()))
}

/// Backups that unfinished update sessions refer to: a running (or
/// interrupted, not yet recovered) update may still need its pre-update
/// backup to roll back, so prune never takes it.
pub fn session_references(backups: &Backups) -> BTreeSet<String> {
    use crate::session::{self, SessionStatus};
    session::tree(&backups.store)
        .and_then(|t| t.values())
        .unwrap_or_default()
        .into_iter()
        .filter(|s| s.status == SessionStatus::Running)
        .filter_map(|s| s.backup_id)
        .collect()
}

/// Removes what the policy says to remove; `referenced` are kept whatever
/// their age or rank.
pub fn prune(backups: &Backups, referenced: &BTreeSet<String>) -> Result<Pruned, BackupError> {
    let _lock = backups.lock()?;
    let records = backups.all()?;
    let decisions = plan(
        &records,
        backups.settings.max_backups,
        backups.settings.backup_retention_days,
        referenced,
        Utc::now(),
    );
    remove(backups, &records, decisions)
}

/// Keeps the `keep` newest completed backups whose metadata has `key` =
/// `value` and removes the older ones of them; no other backup is touched.
pub fn prune_tagged(
    backups: &Backups,
    key: &str,
    value: &str,
    keep: usize,
) -> Result<Pruned, BackupError> {
    let _lock = backups.lock()?;
    let records = backups.all()?;
    let mut tagged: Vec<&BackupRecord> = records
        .iter()
        .filter(|r| r.status == BackupStatus::Completed)
        .filter(|r| r.metadata.get(key).map(String::as_str) == Some(value))
        .collect();
    tagged.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    let decisions = tagged
        .iter()
        .skip(keep)
        .map(|r| (r.id.clone(), Removal::BeyondSchedule { keep }))
        .collect();
    remove(backups, &records, decisions)
}

/// Removes the decided backups' archives and records.
fn remove(
    backups: &Backups,
    records: &[BackupRecord],
    decisions: Vec<(String, Removal)>,
) -> Result<Pruned, BackupError> {
    let mut removed = Vec::new();
    // Snapshots are forgotten together, then one prune drops the data no
    // remaining snapshot uses; their records go only once that worked.
    let snapshots: Vec<&BackupRecord> = decisions
        .iter()
        .filter_map(|(id, _)| records.iter().find(|r| &r.id == id))
        .filter(|r| repository::snapshot_of(r).is_some())
        .collect();
    let mut freed_bytes = repository::forget(backups, &snapshots)?;
    for (id, why) in decisions {
        let Some(record) = records.iter().find(|r| r.id == id) else {
            continue;
        };
        if repository::snapshot_of(record).is_none() {
            match std::fs::remove_file(&record.file_path) {
                Ok(()) => freed_bytes += record.compressed_size,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => {
                    return Err(BackupError::Write {
                        path: record.file_path.clone(),
                        source,
                    });
                }
            }
        }
        backups.records.remove(&record.id)?;
        if let Some(name) = &record.name
            && backups.names.get(name)?.as_deref() == Some(record.id.as_str())
        {
            backups.names.remove(name)?;
        }
        removed.push(RemovedBackup {
            id: record.id.clone(),
            name: record.name.clone(),
            reason: why.to_string(),
            why: Some(why),
        });
    }
    backups.store.flush()?;
    let kept = backups
        .all()?
        .iter()
        .filter(|r| r.status == BackupStatus::Completed)
        .count();
    Ok(Pruned {
        removed,
        kept,
        freed_bytes,
    })
}

/// Which records to remove, and why.
pub fn plan(
    records: &[BackupRecord],
    max_backups: usize,
    retention_days: u64,
    referenced: &BTreeSet<String>,
    now: DateTime<Utc>,
) -> Vec<(String, Removal)> {
    let cutoff = now - Duration::days(retention_days.min(365_000) as i64);
    let mut completed: Vec<&BackupRecord> = records
        .iter()
        .filter(|r| r.status == BackupStatus::Completed)
        .collect();
    completed.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    let newest_verified = completed
        .iter()
        .find(|r| r.verification.as_ref().is_some_and(|v| v.ok))
        .map(|r| r.id.clone());
    let mut out = Vec::new();
    for (rank, r) in completed.iter().enumerate() {
        if Some(&r.id) == newest_verified.as_ref() || referenced.contains(&r.id) {
            continue;
        }
        if rank >= max_backups {
            out.push((r.id.clone(), Removal::BeyondMaxBackups { max_backups }));
        } else if r.created_at < cutoff {
            out.push((r.id.clone(), Removal::OlderThanRetention { retention_days }));
        }
    }
    // Failed backups hold no archive; their records go with age.
    for r in records.iter().filter(|r| r.status == BackupStatus::Failed) {
        if r.created_at < cutoff {
            out.push((r.id.clone(), Removal::FailedAttempt));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BackupType, Verification};

    #[test]
    fn only_a_running_update_keeps_its_backup_from_pruning() {
        use crate::session::{self, Session, SessionKind, SessionStatus};
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("bot")).unwrap();
        let file = dir.path().join("steward.toml");
        std::fs::write(&file, "[bot]\nroot = \"bot\"\n").unwrap();
        let config = crate::config::Config::load(&file, false).unwrap();
        let store = crate::store::Store::open(&config.paths.data.join("s.sled")).unwrap();
        let backups = Backups::open(&config, store.clone()).unwrap();
        let tree = session::tree(&store).unwrap();
        for (id, status, backup) in [
            ("u-1", SessionStatus::Running, "b-running"),
            ("u-2", SessionStatus::Completed, "b-done"),
            ("u-3", SessionStatus::RolledBack, "b-rolled-back"),
        ] {
            let now = Utc::now();
            tree.insert(
                id,
                &Session {
                    id: id.into(),
                    kind: SessionKind::Install,
                    update_type: steward_core::UpdateType::All,
                    status,
                    progress: 0,
                    started_at: now,
                    completed_at: None,
                    current_version: None,
                    target_version: None,
                    error: None,
                    reason: None,
                    steps_completed: 0,
                    total_steps: 0,
                    rollback_available: true,
                    initiated_by: "cli:test".into(),
                    backup_id: Some(backup.into()),
                    updates: vec![],
                    parts: vec![],
                },
            )
            .unwrap();
        }
        assert_eq!(
            session_references(&backups),
            BTreeSet::from(["b-running".to_string()])
        );
    }

    fn record(id: &str, days_ago: i64, verified: Option<bool>, now: DateTime<Utc>) -> BackupRecord {
        BackupRecord {
            id: id.into(),
            name: None,
            backup_type: BackupType::Full,
            status: BackupStatus::Completed,
            file_path: format!("/b/{id}.tar.gz").into(),
            paths: vec![],
            size_bytes: 1,
            compressed_size: 1,
            file_count: 1,
            created_at: now - Duration::days(days_ago),
            completed_at: None,
            description: None,
            checksum: None,
            auto_created: false,
            compressed: true,
            verification: verified.map(|ok| Verification {
                at: now,
                ok,
                drill: false,
                problems: vec![],
                findings: vec![],
            }),
            error: None,
            metadata: Default::default(),
        }
    }

    fn ids(plan: &[(String, Removal)]) -> Vec<&str> {
        let mut v: Vec<&str> = plan.iter().map(|(id, _)| id.as_str()).collect();
        v.sort_unstable();
        v
    }

    /// Each reason reads in English as prune wrote it before reasons were
    /// typed (what the CLI prints), and is kept beside the English.
    #[test]
    fn every_removal_reads_as_before_and_is_kept_typed_and_leniently() {
        for (why, english) in [
            (
                Removal::BeyondMaxBackups { max_backups: 50 },
                "beyond max_backups (50)",
            ),
            (
                Removal::OlderThanRetention { retention_days: 90 },
                "older than backup_retention_days (90)",
            ),
            (Removal::FailedAttempt, "a failed attempt past retention"),
            (
                Removal::BeyondSchedule { keep: 3 },
                "beyond the 3 this schedule keeps",
            ),
        ] {
            assert_eq!(why.to_string(), english);
        }
        let older: RemovedBackup =
            serde_json::from_str(r#"{"id":"b","name":null,"reason":"old"}"#).unwrap();
        assert_eq!((older.reason.as_str(), older.why), ("old", None));
        let newer: RemovedBackup = serde_json::from_str(
            r#"{"id":"b","name":null,"reason":"x","why":{"kind":"from_the_future"}}"#,
        )
        .unwrap();
        assert_eq!(newer.why, None);
    }

    #[test]
    fn max_backups_removes_the_oldest_beyond_the_count() {
        let now = Utc::now();
        let records: Vec<_> = (0..5)
            .map(|i| record(&format!("b{i}"), i, Some(true), now))
            .collect();
        let plan = plan(&records, 3, 90, &BTreeSet::new(), now);
        assert_eq!(ids(&plan), ["b3", "b4"]);
    }

    #[test]
    fn the_newest_verified_backup_survives_both_rules() {
        let now = Utc::now();
        let records = vec![
            record("new-unverified", 1, None, now),
            record("newer-failed-check", 2, Some(false), now),
            record("old-verified", 200, Some(true), now),
            record("older-verified", 300, Some(true), now),
        ];
        let plan = plan(&records, 1, 90, &BTreeSet::new(), now);
        assert_eq!(ids(&plan), ["newer-failed-check", "older-verified"]);
    }

    #[test]
    fn backups_an_update_session_refers_to_are_kept() {
        let now = Utc::now();
        let records = vec![record("a", 1, Some(true), now), record("b", 500, None, now)];
        let referenced: BTreeSet<String> = ["b".to_string()].into();
        assert!(plan(&records, 1, 90, &referenced, now).is_empty());
    }

    #[test]
    fn retention_removes_old_backups_within_the_count() {
        let now = Utc::now();
        let records = vec![record("a", 1, Some(true), now), record("b", 91, None, now)];
        assert_eq!(ids(&plan(&records, 50, 90, &BTreeSet::new(), now)), ["b"]);
    }
}
