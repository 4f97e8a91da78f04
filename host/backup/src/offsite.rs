//! Offsite copies (`[backup.offsite.NAME]`, issue 17): each target is a
//! restic repository of its own, encrypted with the local repository's
//! password, that every completed snapshot is copied into (`rustic_core`'s
//! copy: only the blobs the target lacks travel), checked there, and
//! forgotten there when its backup is pruned here. A restore whose snapshot
//! the local repository lost pulls it back from a target first. A target
//! that fails is reported, never fails the local backup, and is caught up
//! at the next copy. Secrets are read right before use and never printed.

mod cause;
mod opendal;
mod rest;

pub use opendal::close_connections;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use rustic_backend::BackendOptions;
use rustic_core::repofile::SnapshotFile;
use rustic_core::{
    CheckOptions, Credentials, Id, OpenStatus, PruneOptions, Repository, RepositoryBackends,
    RepositoryOptions, RusticError, WriteBackend,
};
use serde::{Deserialize, Serialize};
use steward_core::failure::{BackupFailure, OffsiteFault, TargetFault};
use steward_core::offsite::{OffsiteLocation, OffsiteTarget, OffsiteWhen, Secret};

use super::problem::Problem;
use super::repository::{self, SNAPSHOT_KEY, snapshot_of};
use super::{BackupError, BackupRecord, BackupStatus, Backups};
use steward_core::problem::OffsiteDamage;

/// The record's metadata key holding a target's snapshot id: `offsite.NAME`.
const OFFSITE_KEY: &str = "offsite.";
/// The record's metadata key holding why its copy to a target failed
/// (`offsite_failed.NAME`): retried at the next copy, shown until then.
const FAILED_KEY: &str = "offsite_failed.";
/// The same failure typed (JSON of `OffsiteFault`), so each front words it.
const FAULT_KEY: &str = "offsite_fault.";
/// The file whose lock serializes copies, apart from the backup lock, so a
/// slow target never makes a backup or a restore wait or fail as busy.
const COPY_LOCK: &str = ".offsite-lock";
/// The metadata key `backup list` fills with where a backup lives.
pub const LOCATIONS_KEY: &str = "locations";
/// The same, for fronts that word it themselves: `local`, each target's
/// name, `!NAME` for a target whose copy failed, separated by spaces (a
/// target's name is letters, digits, '-' and '_'). Read with [`places`].
pub const PLACES_KEY: &str = "places";

/// Where a listed backup lives, as [`places`] reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// In the local repository.
    Local,
    /// Copied to this target (as the last copy found it).
    Offsite(String),
    /// The copy to this target failed; it is retried at the next copy.
    CopyFailed(String),
}

/// Where a record `backup list` returned lives; empty when nowhere (its
/// snapshot is lost), or for an archive (which is local).
pub fn places(record: &BackupRecord) -> Vec<Place> {
    let Some(value) = record.metadata.get(PLACES_KEY) else {
        return Vec::new();
    };
    value
        .split_whitespace()
        .map(|token| match token {
            "local" => Place::Local,
            _ => match token.strip_prefix('!') {
                Some(name) => Place::CopyFailed(name.to_string()),
                None => Place::Offsite(token.to_string()),
            },
        })
        .collect()
}

/// What one target's copy did.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Copied {
    pub target: String,
    /// Snapshots copied this time (earlier failures caught up included).
    pub copied: usize,
    /// Snapshots forgotten there because their backups were pruned here.
    pub forgotten: usize,
    /// Why the target failed; the local backup stands.
    pub error: Option<String>,
    /// The same typed, so each front words it (absent from an answer an
    /// older Steward gave; `error` says it then).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_fault"
    )]
    pub fault: Option<OffsiteFault>,
}

/// A kept fault read back leniently: one of a shape this Steward does not
/// know is left out (the English beside it still says it).
fn lenient_fault<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<OffsiteFault>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    Ok(value.and_then(|v| serde_json::from_value(v).ok()))
}

/// A target's failure, typed; its words name the target and never hold
/// its secret.
struct Failed(OffsiteFault);

impl Failed {
    /// What went wrong at `target`.
    fn at(target: &OffsiteTarget, why: TargetFault) -> Failed {
        Failed(OffsiteFault::Target {
            target: target.name.clone(),
            location: location(target),
            why,
        })
    }

    /// A failure of the local side.
    fn local(e: &BackupError) -> Failed {
        Failed(OffsiteFault::Backup {
            failed: BackupFailure {
                error: e.to_string(),
                detail: e.fault(),
            },
        })
    }

    /// The local repository failed while copying.
    fn local_repository(e: &RusticError) -> Failed {
        Failed(OffsiteFault::LocalRepository {
            error: repository::describe(e),
        })
    }
}

fn failed(target: &OffsiteTarget, e: &RusticError) -> Failed {
    Failed::at(
        target,
        TargetFault::Backend {
            error: repository::describe(e),
            cause: cause::found(e),
        },
    )
}

/// How a target is named in messages: its name and where it is.
fn shown(target: &OffsiteTarget) -> String {
    format!("offsite target {} ({})", target.name, location(target))
}

/// Where a target is, as messages show it (never with a secret).
fn location(target: &OffsiteTarget) -> String {
    match &target.location {
        OffsiteLocation::Path(p) => p.display().to_string(),
        OffsiteLocation::Rest { url, .. } => url.clone(),
        OffsiteLocation::Sftp {
            host,
            port,
            user,
            path,
            ..
        } => format!("sftp://{user}@{host}:{port}{path}"),
        OffsiteLocation::S3 {
            endpoint,
            bucket,
            root,
            ..
        } => format!(
            "s3://{bucket}/{}{}",
            root.as_deref().unwrap_or("").trim_matches('/'),
            endpoint
                .as_deref()
                .map(|e| format!(" at {e}"))
                .unwrap_or_default()
        ),
    }
}

fn read_secret(target: &OffsiteTarget, secret: &Secret) -> Result<String, Failed> {
    match secret {
        Secret::Env(var) => match std::env::var(var) {
            Ok(value) if !value.is_empty() => Ok(value),
            _ => Err(Failed::at(
                target,
                TargetFault::PasswordEnvUnset { var: var.clone() },
            )),
        },
        Secret::File(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                Failed::at(
                    target,
                    TargetFault::PasswordFileUnreadable {
                        path: path.display().to_string(),
                        error: e.to_string(),
                    },
                )
            })?;
            match text.lines().next() {
                Some(line) if !line.is_empty() => Ok(line.to_string()),
                _ => Err(Failed::at(
                    target,
                    TargetFault::PasswordFileEmpty {
                        path: path.display().to_string(),
                    },
                )),
            }
        }
    }
}

fn backend(target: &OffsiteTarget) -> Result<Arc<dyn WriteBackend>, Failed> {
    match &target.location {
        OffsiteLocation::Path(dir) => {
            let location = dir
                .to_str()
                .ok_or_else(|| Failed::at(target, TargetFault::PathNotUtf8))?;
            let backends = BackendOptions::default()
                .repository(location)
                .to_backends()
                .map_err(|e| failed(target, &e))?;
            Ok(backends.repository())
        }
        OffsiteLocation::Rest { url, user, secret } => {
            let auth = match (user, secret) {
                (Some(user), Some(secret)) => Some((user.clone(), read_secret(target, secret)?)),
                (Some(user), None) => Some((user.clone(), String::new())),
                _ => None,
            };
            let be = rest::RestBackend::new(url, auth).map_err(|e| failed(target, &e))?;
            Ok(Arc::new(be))
        }
        OffsiteLocation::Sftp {
            host,
            port,
            user,
            path,
            key_file,
        } => Ok(opendal::sftp(host, *port, user, path, key_file.as_deref())
            .map_err(|e| failed(target, &e))?),
        OffsiteLocation::S3 {
            endpoint,
            region,
            bucket,
            root,
            user,
            secret,
        } => {
            let secret = read_secret(target, secret)?;
            Ok(opendal::s3(
                endpoint.as_deref(),
                region,
                bucket,
                root.as_deref(),
                user,
                &secret,
            )
            .map_err(|e| failed(target, &e))?)
        }
    }
}

/// The target's repository, created (with the local repository's chunker,
/// so the copies deduplicate alike) when it has none.
fn open_target(
    backups: &Backups,
    target: &OffsiteTarget,
    local: Option<&rustic_core::repofile::ConfigFile>,
) -> Result<Repository<OpenStatus>, Failed> {
    let be = backend(target)?;
    let mut options = RepositoryOptions::default();
    options.no_cache = true;
    let repo = Repository::new(&options, &RepositoryBackends::new(be, None))
        .map_err(|e| failed(target, &e))?;
    let password = repository::password(backups, false).map_err(|e| Failed::local(&e))?;
    let credentials = Credentials::password(password);
    let exists = repo.config_id().map_err(|e| failed(target, &e))?.is_some();
    if exists {
        return repo.open(&credentials).map_err(|e| {
            if e.is_incorrect_password() {
                Failed::at(target, TargetFault::WrongPassword)
            } else {
                failed(target, &e)
            }
        });
    }
    let Some(local) = local else {
        return Err(Failed::at(target, TargetFault::NoRepository));
    };
    let mut config = local.clone();
    config.id = Id::random().into();
    repo.init_with_config(&credentials, &crate::repository::key_options(), config)
        .map_err(|e| failed(target, &e))
}

/// The tag every Steward snapshot carries with its backup's id.
fn id_tag(id: &str) -> String {
    format!("id={}", id.replace(',', ";"))
}

/// The backup id a snapshot was tagged with.
fn backup_id(snap: &SnapshotFile) -> Option<String> {
    snap.tags
        .iter()
        .find_map(|t| t.strip_prefix("id=").map(str::to_string))
}

/// Whether the local repository still holds the record's snapshot.
fn local_has(backups: &Backups, record: &BackupRecord) -> bool {
    snapshot_of(record).is_some_and(|id| {
        id.len() == 64
            && id.bytes().all(|b| b.is_ascii_hexdigit())
            && backups.dir().join("snapshots").join(id).is_file()
    })
}

fn due_targets(backups: &Backups, scheduled: bool) -> Vec<&OffsiteTarget> {
    backups
        .settings
        .offsite
        .iter()
        .filter(|t| t.when == OffsiteWhen::Each || scheduled)
        .collect()
}

/// The targets a new backup is copied to (`scheduled`: one a schedule
/// took), by name: what [`after_backup`] will do.
pub fn due(backups: &Backups, scheduled: bool) -> Vec<String> {
    due_targets(backups, scheduled)
        .into_iter()
        .map(|t| t.name.clone())
        .collect()
}

/// Copies to every target whose `when` fits (`scheduled`: the backup a
/// schedule took). The follow-up of a backup, run once the snapshot is
/// safe locally: it holds its own lock (waiting for a copy already
/// running), not the backup lock, so backups and restores go on meanwhile.
/// Whatever fails is in the answer, the log and the records, and the
/// local backup stands.
pub fn after_backup(backups: &Backups, scheduled: bool) -> Vec<Copied> {
    let targets = due_targets(backups, scheduled);
    if targets.is_empty() {
        return Vec::new();
    }
    let lock = match copy_lock(backups) {
        Ok(lock) => lock,
        Err(e) => {
            return targets
                .iter()
                .map(|t| {
                    let Failed(fault) = copy_lock_failed(backups, t, &e);
                    record_failure(backups, t, &fault);
                    Copied {
                        target: t.name.clone(),
                        copied: 0,
                        forgotten: 0,
                        error: Some(fault.to_string()),
                        fault: Some(fault),
                    }
                })
                .collect();
        }
    };
    let out = targets.iter().map(|t| sync(backups, t)).collect();
    drop(lock);
    out
}

/// The copy lock could not be taken for `target`.
fn copy_lock_failed(backups: &Backups, target: &OffsiteTarget, e: &std::io::Error) -> Failed {
    Failed::at(
        target,
        TargetFault::CopyLock {
            dir: backups.dir().display().to_string(),
            error: e.to_string(),
        },
    )
}

/// The copy lock, waited for: held while anything of Steward's reads or
/// writes a target.
fn copy_lock(backups: &Backups) -> std::io::Result<std::fs::File> {
    let file = std::fs::File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(backups.dir().join(COPY_LOCK))?;
    file.lock()?;
    Ok(file)
}

/// The copy lock when no copy runs (a local prune holds it to delete at
/// once); `None` while a copy reads the local repository.
pub(crate) fn copies_paused(backups: &Backups) -> Option<std::fs::File> {
    let file = std::fs::File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(backups.dir().join(COPY_LOCK))
        .ok()?;
    file.try_lock().ok()?;
    Some(file)
}

/// Marks every completed snapshot the target does not hold with why the
/// copy failed, so `backup list` shows it until a copy succeeds.
fn record_failure(backups: &Backups, target: &OffsiteTarget, fault: &OffsiteFault) {
    let Ok(records) = backups.all() else { return };
    let message = fault.to_string();
    let message = message.as_str();
    let typed = serde_json::to_string(fault).ok();
    let held = format!("{OFFSITE_KEY}{}", target.name);
    let key = format!("{FAILED_KEY}{}", target.name);
    let fault_key = format!("{FAULT_KEY}{}", target.name);
    for mut record in records {
        if record.status != BackupStatus::Completed
            || snapshot_of(&record).is_none()
            || record.metadata.contains_key(&held)
            || (record.metadata.get(&key).map(String::as_str) == Some(message)
                && record.metadata.get(&fault_key) == typed.as_ref())
        {
            continue;
        }
        record.metadata.insert(key.clone(), message.to_string());
        match &typed {
            Some(typed) => record.metadata.insert(fault_key.clone(), typed.clone()),
            None => record.metadata.remove(&fault_key),
        };
        let _ = backups.save(&record);
    }
}

/// Brings one target level with the local repository: copies what it
/// lacks, checks what was copied, forgets what was pruned here.
fn sync(backups: &Backups, target: &OffsiteTarget) -> Copied {
    let mut copied = Copied {
        target: target.name.clone(),
        copied: 0,
        forgotten: 0,
        error: None,
        fault: None,
    };
    if let Err(Failed(fault)) = sync_into(backups, target, &mut copied) {
        tracing::warn!(
            "offsite copy failed: {fault}; the local backup is kept, and the copy is retried at the next backup"
        );
        record_failure(backups, target, &fault);
        copied.error = Some(fault.to_string());
        copied.fault = Some(fault);
    }
    copied
}

fn sync_into(backups: &Backups, target: &OffsiteTarget, copied: &mut Copied) -> Result<(), Failed> {
    let local = repository::open(backups)
        .and_then(|r| {
            r.to_indexed().map_err(|e| BackupError::Repository {
                path: backups.dir().to_path_buf(),
                message: repository::describe(&e),
            })
        })
        .map_err(|e| Failed::local(&e))?;
    let dest = open_target(backups, target, Some(local.config()))?;
    let records: BTreeMap<String, BackupRecord> = backups
        .all()
        .map_err(|e| Failed::local(&e))?
        .into_iter()
        .filter(|r| r.status == BackupStatus::Completed && snapshot_of(r).is_some())
        .map(|r| (r.id.clone(), r))
        .collect();
    let there = dest.get_all_snapshots().map_err(|e| failed(target, &e))?;
    let there_ids: BTreeSet<String> = there.iter().filter_map(backup_id).collect();
    let local_snaps = local
        .get_all_snapshots()
        .map_err(|e| Failed::local_repository(&e))?;
    let missing: Vec<&SnapshotFile> = local_snaps
        .iter()
        .filter(|s| {
            backup_id(s).is_some_and(|id| {
                !there_ids.contains(&id)
                    && records
                        .get(&id)
                        .is_some_and(|r| snapshot_of(r) == Some(s.id.to_hex().as_str()))
            })
        })
        .collect();

    let dest = dest.to_indexed_ids().map_err(|e| failed(target, &e))?;
    if !missing.is_empty() {
        local
            .copy(&dest, missing.iter().copied())
            .map_err(|e| failed(target, &e))?;
    }
    // Read back what the target now lists, and check the copies' trees
    // and the packs they need there.
    let there = dest.get_all_snapshots().map_err(|e| failed(target, &e))?;
    let new_ids: BTreeSet<String> = missing.iter().filter_map(|s| backup_id(s)).collect();
    let fresh: Vec<&SnapshotFile> = there
        .iter()
        .filter(|s| backup_id(s).is_some_and(|id| new_ids.contains(&id)))
        .collect();
    if fresh.len() < new_ids.len() {
        return Err(Failed::at(
            target,
            TargetFault::NotListed {
                missing: new_ids.len() - fresh.len(),
                copied: new_ids.len(),
            },
        ));
    }
    if !fresh.is_empty() {
        let trees = fresh.iter().map(|s| s.tree).collect();
        dest.check_with_trees(CheckOptions::default(), trees)
            .and_then(|results| results.is_ok())
            .map_err(|e| {
                Failed::at(
                    target,
                    TargetFault::CheckFailed {
                        error: repository::describe(&e),
                    },
                )
            })?;
    }
    copied.copied = fresh.len();

    // The same retention on both sides: what was pruned here goes there.
    let stale: Vec<_> = there
        .iter()
        .filter(|s| s.tags.contains("steward"))
        .filter(|s| backup_id(s).is_some_and(|id| !records.contains_key(&id)))
        .map(|s| s.id)
        .collect();
    if !stale.is_empty() {
        dest.delete_snapshots(&stale)
            .map_err(|e| failed(target, &e))?;
        let mut options = PruneOptions::default();
        // Steward holds the copy lock; nothing of ours reads the target.
        options.instant_delete = true;
        let plan = dest.prune_plan(&options).map_err(|e| failed(target, &e))?;
        dest.prune(&options, plan).map_err(|e| failed(target, &e))?;
        copied.forgotten = stale.len();
    }

    // Each record says where its copy is; a copy gone from there is no
    // longer claimed.
    let there = dest.get_all_snapshots().map_err(|e| failed(target, &e))?;
    let by_id: BTreeMap<String, String> = there
        .iter()
        .filter_map(|s| Some((backup_id(s)?, s.id.to_hex().as_str().to_string())))
        .collect();
    let key = format!("{OFFSITE_KEY}{}", target.name);
    let failed_key = format!("{FAILED_KEY}{}", target.name);
    let fault_key = format!("{FAULT_KEY}{}", target.name);
    for id in records.into_keys() {
        // Read again: a verify or a restore may have saved it meanwhile.
        let Ok(mut record) = backups.get(&id) else {
            continue;
        };
        let now = by_id.get(&id);
        if record.metadata.get(&key) != now
            || record.metadata.contains_key(&failed_key)
            || record.metadata.contains_key(&fault_key)
        {
            match now {
                Some(snap) => record.metadata.insert(key.clone(), snap.clone()),
                None => record.metadata.remove(&key),
            };
            record.metadata.remove(&failed_key);
            record.metadata.remove(&fault_key);
            backups.save(&record).map_err(|e| Failed::local(&e))?;
        }
    }
    Ok(())
}

/// Where each record's snapshot lives, in its metadata's `locations`:
/// `local` when the local repository holds it, then each target that
/// holds a copy (as the last copy found it).
pub fn mark_locations(backups: &Backups, records: &mut [BackupRecord]) {
    for record in records {
        if snapshot_of(record).is_none() {
            continue;
        }
        let mut places = Vec::new();
        let mut tokens = Vec::new();
        if local_has(backups, record) {
            places.push("local".to_string());
            tokens.push("local".to_string());
        }
        for target in &backups.settings.offsite {
            if record
                .metadata
                .contains_key(&format!("{OFFSITE_KEY}{}", target.name))
            {
                places.push(target.name.clone());
                tokens.push(target.name.clone());
            } else if record
                .metadata
                .contains_key(&format!("{FAILED_KEY}{}", target.name))
            {
                places.push(format!("{} (copy failed, retried)", target.name));
                tokens.push(format!("!{}", target.name));
            }
        }
        record.metadata.insert(PLACES_KEY.into(), tokens.join(" "));
        let shown = if places.is_empty() {
            "missing".to_string()
        } else {
            places.join(", ")
        };
        record.metadata.insert(LOCATIONS_KEY.into(), shown);
    }
}

/// A target whose copies failed and wait for the next copy (`steward
/// status`, `/update_status`): the backups it lacks and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedCopy {
    pub target: String,
    /// Why the newest failed copy failed (names the target, never a secret).
    pub error: String,
    /// The same typed, so each front words it (absent when an older
    /// Steward recorded the failure; `error` says it then).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_fault"
    )]
    pub fault: Option<OffsiteFault>,
    /// The backups waiting for it, newest first.
    pub backups: Vec<String>,
}

/// Each configured target some completed backup's copy failed to (and no
/// later copy caught up), in the order of `[backup.offsite]`.
pub fn failed_copies(backups: &Backups, records: &[BackupRecord]) -> Vec<FailedCopy> {
    let mut waiting: Vec<&BackupRecord> = records
        .iter()
        .filter(|r| r.status == BackupStatus::Completed && snapshot_of(r).is_some())
        .collect();
    waiting.sort_by_key(|r| std::cmp::Reverse(r.created_at));
    backups
        .settings
        .offsite
        .iter()
        .filter_map(|target| {
            let held = format!("{OFFSITE_KEY}{}", target.name);
            let key = format!("{FAILED_KEY}{}", target.name);
            let failed: Vec<&BackupRecord> = waiting
                .iter()
                .copied()
                .filter(|r| !r.metadata.contains_key(&held) && r.metadata.contains_key(&key))
                .collect();
            let newest = failed.first()?;
            let fault_key = format!("{FAULT_KEY}{}", target.name);
            Some(FailedCopy {
                target: target.name.clone(),
                error: newest.metadata[&key].clone(),
                // Kept beside the English only when it says the same.
                fault: newest
                    .metadata
                    .get(&fault_key)
                    .and_then(|typed| serde_json::from_str::<OffsiteFault>(typed).ok())
                    .filter(|fault| fault.to_string() == newest.metadata[&key]),
                backups: failed.iter().map(|r| r.id.clone()).collect(),
            })
        })
        .collect()
}

/// The record, its snapshot back in the local repository: when the local
/// repository lost it (or is gone), it is copied back from the first
/// target holding it, and the record points at the local copy. A record
/// whose snapshot is here, or an archive, comes back as it is.
pub fn ensure_local(backups: &Backups, record: BackupRecord) -> Result<BackupRecord, BackupError> {
    if snapshot_of(&record).is_none()
        || local_has(backups, &record)
        || backups.settings.offsite.is_empty()
    {
        return Ok(record);
    }
    let _lock = backups.lock()?;
    ensure_local_locked(backups, record)
}

/// `ensure_local` for a caller that holds the backup directory's lock.
pub fn ensure_local_locked(
    backups: &Backups,
    record: BackupRecord,
) -> Result<BackupRecord, BackupError> {
    if snapshot_of(&record).is_none()
        || local_has(backups, &record)
        || backups.settings.offsite.is_empty()
    {
        return Ok(record);
    }
    // A copy running now may be pruning a target: wait for it.
    let _copying = copy_lock(backups).map_err(|source| BackupError::Write {
        path: backups.dir().join(COPY_LOCK),
        source,
    })?;
    let mut tried = Vec::new();
    // Targets the record names first, then the others.
    let mut targets: Vec<&OffsiteTarget> = backups.settings.offsite.iter().collect();
    targets.sort_by_key(|t| {
        !record
            .metadata
            .contains_key(&format!("{OFFSITE_KEY}{}", t.name))
    });
    for target in targets {
        match fetch(backups, target, &record) {
            Ok(Some(snap)) => {
                let mut record = record;
                record.metadata.insert(SNAPSHOT_KEY.into(), snap);
                backups.save(&record)?;
                tracing::info!(
                    "backup {} was not in the local repository: copied back from {}",
                    record.id,
                    shown(target)
                );
                return Ok(record);
            }
            Ok(None) => tried.push(Failed::at(target, TargetFault::NoCopy).0),
            Err(Failed(fault)) => tried.push(fault),
        }
    }
    Err(BackupError::NotBroughtBack {
        path: backups.dir().to_path_buf(),
        id: record.id.clone(),
        tried,
    })
}

/// What each target said, in English, one after another.
pub(crate) fn joined(tried: &[OffsiteFault]) -> String {
    tried
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Copies the record's snapshot from `target` into the local repository
/// (created when gone); the local snapshot's id, or `None` when the target
/// has no copy.
fn fetch(
    backups: &Backups,
    target: &OffsiteTarget,
    record: &BackupRecord,
) -> Result<Option<String>, Failed> {
    let source = open_target(backups, target, None)?;
    let snaps = source.get_all_snapshots().map_err(|e| failed(target, &e))?;
    let tag = id_tag(&record.id);
    let Some(snap) = snaps.iter().find(|s| s.tags.contains(&tag)) else {
        return Ok(None);
    };
    let source = source.to_indexed().map_err(|e| failed(target, &e))?;
    let local = repository::open(backups)
        .and_then(|r| {
            r.to_indexed_ids().map_err(|e| BackupError::Repository {
                path: backups.dir().to_path_buf(),
                message: repository::describe(&e),
            })
        })
        .map_err(|e| Failed::local(&e))?;
    // A copy of this backup the local repository already holds (an
    // earlier pull whose record was not updated) is used as it is.
    let present = local
        .get_all_snapshots()
        .map_err(|e| Failed::local_repository(&e))?;
    if let Some(found) = present.iter().find(|s| s.tags.contains(&tag)) {
        return Ok(Some(found.id.to_hex().as_str().to_string()));
    }
    source
        .copy(&local, std::iter::once(snap))
        .map_err(|e| failed(target, &e))?;
    let present = local
        .get_all_snapshots()
        .map_err(|e| Failed::local_repository(&e))?;
    Ok(present
        .iter()
        .find(|s| s.tags.contains(&tag))
        .map(|s| s.id.to_hex().as_str().to_string()))
}

/// What `backup verify` found at one target for one backup.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RemoteCheck {
    pub target: String,
    /// The copy's snapshot id there; `None` when the target holds no copy
    /// (a problem when the record said it did) or could not be asked.
    pub snapshot: Option<String>,
    /// Why the copy is not sound, or could not be checked; empty when it
    /// passed the repository check of its data there.
    pub problems: Vec<Problem>,
}

impl RemoteCheck {
    pub fn ok(&self) -> bool {
        self.snapshot.is_some() && self.problems.is_empty()
    }
}

/// Whether the local repository lost the record's snapshot while offsite
/// targets are configured (then `verify` checks the copies alone).
pub fn only_offsite(backups: &Backups, record: &BackupRecord) -> bool {
    snapshot_of(record).is_some()
        && !backups.settings.offsite.is_empty()
        && !local_has(backups, record)
}

/// Checks the record's copy at each target that holds one (as the last
/// copy found it; every target when `everywhere`, as when the local
/// repository lost it): the repository check of the copy's trees and of
/// the data of every pack it uses, there (`restic check --read-data` for
/// that snapshot). A target that cannot be asked is a problem of its own.
pub fn check_copies(
    backups: &Backups,
    record: &BackupRecord,
    everywhere: bool,
) -> Vec<RemoteCheck> {
    if snapshot_of(record).is_none() {
        return Vec::new();
    }
    let targets: Vec<&OffsiteTarget> = backups
        .settings
        .offsite
        .iter()
        .filter(|t| everywhere || claimed(record, t))
        .collect();
    if targets.is_empty() {
        return Vec::new();
    }
    // A copy running now may be pruning a target: wait for it.
    let _copying = match copy_lock(backups) {
        Ok(lock) => lock,
        Err(e) => {
            return targets
                .iter()
                .map(|t| RemoteCheck {
                    target: t.name.clone(),
                    snapshot: None,
                    problems: vec![{
                        let Failed(fault) = copy_lock_failed(backups, t, &e);
                        Problem::OffsiteUnchecked {
                            target: t.name.clone(),
                            error: fault.to_string(),
                            fault: Some(fault),
                        }
                    }],
                })
                .collect();
        }
    };
    targets
        .into_iter()
        .map(|target| {
            let mut check = RemoteCheck {
                target: target.name.clone(),
                snapshot: None,
                problems: Vec::new(),
            };
            match check_copy(backups, target, record) {
                Ok(Some((snapshot, problems))) => {
                    check.snapshot = Some(snapshot);
                    check.problems = problems;
                }
                // A copy the record claims is missing; elsewhere, absent.
                Ok(None) if claimed(record, target) => {
                    check.problems.push(Problem::OffsiteMissing {
                        target: target.name.clone(),
                        location: location(target),
                        id: record.id.clone(),
                    })
                }
                Ok(None) => {}
                Err(Failed(fault)) => check.problems.push(Problem::OffsiteUnchecked {
                    target: target.name.clone(),
                    error: fault.to_string(),
                    fault: Some(fault),
                }),
            }
            check
        })
        .collect()
}

/// Whether the last copy found the record's snapshot at `target`.
fn claimed(record: &BackupRecord, target: &OffsiteTarget) -> bool {
    record
        .metadata
        .contains_key(&format!("{OFFSITE_KEY}{}", target.name))
}

/// The copy's snapshot id at `target` and what its check there found;
/// `None` when the target holds no copy.
fn check_copy(
    backups: &Backups,
    target: &OffsiteTarget,
    record: &BackupRecord,
) -> Result<Option<(String, Vec<Problem>)>, Failed> {
    let repo = open_target(backups, target, None)?;
    let snaps = repo.get_all_snapshots().map_err(|e| failed(target, &e))?;
    let tag = id_tag(&record.id);
    let Some(snap) = snaps.iter().find(|s| s.tags.contains(&tag)) else {
        return Ok(None);
    };
    let mut options = CheckOptions::default();
    options.read_data = true;
    let damaged = |e: &RusticError, damage| {
        vec![Problem::OffsiteDamaged {
            target: target.name.clone(),
            location: location(target),
            cause: repository::describe(e),
            damage,
        }]
    };
    let problems = match repo.check_with_trees(options, vec![snap.tree]) {
        Err(e) => damaged(
            &e,
            cause::found(&e).map(|cause| OffsiteDamage::Backend { cause }),
        ),
        Ok(results) => match results.is_ok() {
            Ok(()) => Vec::new(),
            Err(e) => damaged(
                &e,
                Some(OffsiteDamage::Findings {
                    findings: repository::severe_findings(results)
                        .into_iter()
                        .map(|(text, _)| text)
                        .collect(),
                }),
            ),
        },
    };
    Ok(Some((snap.id.to_hex().as_str().to_string(), problems)))
}
