//! Offsite copies (`[backup.offsite.NAME]`, issue 17): each target is a
//! restic repository of its own, encrypted with the local repository's
//! password, that every completed snapshot is copied into (`rustic_core`'s
//! copy: only the blobs the target lacks travel), checked there, and
//! forgotten there when its backup is pruned here. A restore whose snapshot
//! the local repository lost pulls it back from a target first. A target
//! that fails is reported, never fails the local backup, and is caught up
//! at the next copy. Secrets are read right before use and never printed.

mod opendal;
mod rest;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use rustic_backend::BackendOptions;
use rustic_core::repofile::SnapshotFile;
use rustic_core::{
    CheckOptions, Credentials, Id, KeyOptions, OpenStatus, PruneOptions, Repository,
    RepositoryBackends, RepositoryOptions, RusticError, WriteBackend,
};
use serde::{Deserialize, Serialize};
use steward_core::offsite::{OffsiteLocation, OffsiteTarget, OffsiteWhen, Secret};

use super::repository::{self, SNAPSHOT_KEY, snapshot_of};
use super::{BackupError, BackupRecord, BackupStatus, Backups};

/// The record's metadata key holding a target's snapshot id: `offsite.NAME`.
const OFFSITE_KEY: &str = "offsite.";
/// The metadata key `backup list` fills with where a backup lives.
pub const LOCATIONS_KEY: &str = "locations";

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
}

/// A target's failure, in words that name it and never hold its secret.
struct Failed(String);

fn failed(target: &OffsiteTarget, e: &RusticError) -> Failed {
    Failed(format!("{}: {}", shown(target), repository::describe(e)))
}

/// How a target is named in messages: its name and where it is.
fn shown(target: &OffsiteTarget) -> String {
    match &target.location {
        OffsiteLocation::Path(p) => format!("offsite target {} ({})", target.name, p.display()),
        OffsiteLocation::Rest { url, .. } => format!("offsite target {} ({url})", target.name),
        OffsiteLocation::Sftp {
            host,
            port,
            user,
            path,
            ..
        } => format!(
            "offsite target {} (sftp://{user}@{host}:{port}{path})",
            target.name
        ),
        OffsiteLocation::S3 {
            endpoint,
            bucket,
            root,
            ..
        } => format!(
            "offsite target {} (s3://{bucket}/{}{})",
            target.name,
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
            _ => Err(Failed(format!(
                "{}: the environment variable {var} (password_env) is not set",
                shown(target)
            ))),
        },
        Secret::File(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                Failed(format!(
                    "{}: cannot read password_file {}: {e}",
                    shown(target),
                    path.display()
                ))
            })?;
            match text.lines().next() {
                Some(line) if !line.is_empty() => Ok(line.to_string()),
                _ => Err(Failed(format!(
                    "{}: password_file {} is empty",
                    shown(target),
                    path.display()
                ))),
            }
        }
    }
}

fn backend(target: &OffsiteTarget) -> Result<Arc<dyn WriteBackend>, Failed> {
    match &target.location {
        OffsiteLocation::Path(dir) => {
            let location = dir
                .to_str()
                .ok_or_else(|| Failed(format!("{}: the path is not UTF-8", shown(target))))?;
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
    let password = repository::password(backups, false).map_err(|e| Failed(e.to_string()))?;
    let credentials = Credentials::password(password);
    let exists = repo.config_id().map_err(|e| failed(target, &e))?.is_some();
    if exists {
        return repo.open(&credentials).map_err(|e| {
            if e.is_incorrect_password() {
                Failed(format!(
                    "{}: the local repository's password does not open it (a repository made elsewhere?)",
                    shown(target)
                ))
            } else {
                failed(target, &e)
            }
        });
    }
    let Some(local) = local else {
        return Err(Failed(format!("{}: holds no repository", shown(target))));
    };
    let mut config = local.clone();
    config.id = Id::random().into();
    repo.init_with_config(&credentials, &KeyOptions::default(), config)
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

/// Copies to every target whose `when` fits (`scheduled`: the backup a
/// schedule took). Called after a new snapshot is complete; whatever
/// fails is in the answer and the log, and the local backup stands.
pub fn after_backup(backups: &Backups, scheduled: bool) -> Vec<Copied> {
    let targets: Vec<&OffsiteTarget> = backups
        .settings
        .offsite
        .iter()
        .filter(|t| t.when == OffsiteWhen::Each || scheduled)
        .collect();
    if targets.is_empty() {
        return Vec::new();
    }
    let lock = match backups.lock() {
        Ok(lock) => lock,
        Err(e) => {
            return targets
                .iter()
                .map(|t| Copied {
                    target: t.name.clone(),
                    copied: 0,
                    forgotten: 0,
                    error: Some(format!("{}: {e}; copied at the next backup", shown(t))),
                })
                .collect();
        }
    };
    let out = targets.iter().map(|t| sync(backups, t)).collect();
    drop(lock);
    out
}

/// Brings one target level with the local repository: copies what it
/// lacks, checks what was copied, forgets what was pruned here.
fn sync(backups: &Backups, target: &OffsiteTarget) -> Copied {
    let mut copied = Copied {
        target: target.name.clone(),
        copied: 0,
        forgotten: 0,
        error: None,
    };
    if let Err(Failed(message)) = sync_into(backups, target, &mut copied) {
        tracing::warn!(
            "offsite copy failed: {message}; the local backup is kept, and the copy is retried at the next backup"
        );
        copied.error = Some(message);
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
        .map_err(|e| Failed(e.to_string()))?;
    let dest = open_target(backups, target, Some(local.config()))?;
    let records: BTreeMap<String, BackupRecord> = backups
        .all()
        .map_err(|e| Failed(e.to_string()))?
        .into_iter()
        .filter(|r| r.status == BackupStatus::Completed && snapshot_of(r).is_some())
        .map(|r| (r.id.clone(), r))
        .collect();
    let there = dest.get_all_snapshots().map_err(|e| failed(target, &e))?;
    let there_ids: BTreeSet<String> = there.iter().filter_map(backup_id).collect();
    let local_snaps = local.get_all_snapshots().map_err(|e| {
        Failed(format!(
            "the local repository: {}",
            repository::describe(&e)
        ))
    })?;
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
        return Err(Failed(format!(
            "{}: {} of {} copied snapshots are not listed there after the copy",
            shown(target),
            new_ids.len() - fresh.len(),
            new_ids.len()
        )));
    }
    if !fresh.is_empty() {
        let trees = fresh.iter().map(|s| s.tree).collect();
        dest.check_with_trees(CheckOptions::default(), trees)
            .and_then(|results| results.is_ok())
            .map_err(|e| {
                Failed(format!(
                    "{}: the copy fails its check there: {}",
                    shown(target),
                    repository::describe(&e)
                ))
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
        // Steward holds the backup lock; nothing of ours reads the target.
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
    for (id, mut record) in records {
        let now = by_id.get(&id);
        if record.metadata.get(&key) != now {
            match now {
                Some(snap) => record.metadata.insert(key.clone(), snap.clone()),
                None => record.metadata.remove(&key),
            };
            backups.save(&record).map_err(|e| Failed(e.to_string()))?;
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
        if local_has(backups, record) {
            places.push("local".to_string());
        }
        for target in &backups.settings.offsite {
            if record
                .metadata
                .contains_key(&format!("{OFFSITE_KEY}{}", target.name))
            {
                places.push(target.name.clone());
            }
        }
        let shown = if places.is_empty() {
            "missing".to_string()
        } else {
            places.join(", ")
        };
        record.metadata.insert(LOCATIONS_KEY.into(), shown);
    }
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
            Ok(None) => tried.push(format!("{}: has no copy", shown(target))),
            Err(Failed(message)) => tried.push(message),
        }
    }
    Err(BackupError::Repository {
        path: backups.dir().to_path_buf(),
        message: format!(
            "backup {} is not in the local repository, and no offsite target gave it back ({})",
            record.id,
            tried.join("; ")
        ),
    })
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
        .map_err(|e| Failed(e.to_string()))?;
    // A copy of this backup the local repository already holds (an
    // earlier pull whose record was not updated) is used as it is.
    let present = local.get_all_snapshots().map_err(|e| {
        Failed(format!(
            "the local repository: {}",
            repository::describe(&e)
        ))
    })?;
    if let Some(found) = present.iter().find(|s| s.tags.contains(&tag)) {
        return Ok(Some(found.id.to_hex().as_str().to_string()));
    }
    source
        .copy(&local, std::iter::once(snap))
        .map_err(|e| failed(target, &e))?;
    let present = local.get_all_snapshots().map_err(|e| {
        Failed(format!(
            "the local repository: {}",
            repository::describe(&e)
        ))
    })?;
    Ok(present
        .iter()
        .find(|s| s.tags.contains(&tag))
        .map(|s| s.id.to_hex().as_str().to_string()))
}
