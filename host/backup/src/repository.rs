//! The restic-format repository at `backup_path` (issue 17, `[backup]
//! format = "restic"`): opening it with its password (created on first use),
//! writing a backup as a snapshot (reading only what changed since the
//! snapshots before it, and never leaving a file it could not read out of
//! a saved snapshot), reading one back through the strict
//! filter (regular files and directories only, nothing outside the root),
//! reading every blob of a snapshot (on a few threads) to name damaged
//! files, the structural check of `restic check --read-data` for one
//! snapshot, listing snapshots restic itself made, forgetting and pruning.
//! Every byte goes through `rustic_core`; this module never touches the
//! bot's root except to read the files it is given, and, restoring, the
//! live files it compares with the snapshot (read only, never through a
//! link).

use std::collections::{HashMap, HashSet};
use std::ffi::OsStr;
use std::fs::{DirBuilder, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use rustic_backend::BackendOptions;
use rustic_core::repofile::{Metadata, Node, NodeType, SnapshotFile, SnapshotId};
use rustic_core::{
    BackupOptions, CheckOptions, CheckResults, ConfigOptions, Credentials, ErrorKind,
    IndexedFullStatus, KeyOptions, LsOptions, OpenStatus, PruneOptions, ReadSource,
    ReadSourceEntry, ReadSourceOpen, Repository, RepositoryOptions, RusticError, RusticResult,
    SnapshotOptions, StringList, TreeId,
};

use super::journal::Unchanged;
use super::manifest::{self, FileKind, Manifest, ManifestFile};
use super::problem::Problem;
use super::scope::SourceFile;
use super::{BackupError, BackupRecord, Backups};
use crate::dir_handle::{DirHandle, HandleError};

/// Where the password comes from when `password_file` is not set.
pub const PASSWORD_ENV: &str = "STEWARD_BACKUP_PASSWORD";
/// The record's metadata key holding its snapshot's id.
pub const SNAPSHOT_KEY: &str = "snapshot";
/// Every snapshot Steward writes carries this tag.
const STEWARD_TAG: &str = "steward";
/// The record's metadata key saying who made a snapshot Steward adopted.
pub const MADE_BY_KEY: &str = "made_by";
/// Its value for a snapshot restic itself made (no Steward tag).
pub const MADE_BY_RESTIC: &str = "restic";
/// The id of an adopted snapshot: this, then the snapshot's short id.
const ADOPTED_PREFIX: &str = "restic_";
/// Bytes read from the repository at a time.
const CHUNK: usize = 4 * 1024 * 1024;

/// The snapshot id of a record written into the repository.
pub fn snapshot_of(record: &BackupRecord) -> Option<&str> {
    record.metadata.get(SNAPSHOT_KEY).map(String::as_str)
}

fn repo_error(backups: &Backups, e: Box<RusticError>) -> BackupError {
    repo_error_at(backups.dir(), e)
}

fn repo_error_at(dir: &Path, e: Box<RusticError>) -> BackupError {
    if e.is_incorrect_password() {
        return BackupError::WrongPassword {
            path: dir.to_path_buf(),
        };
    }
    BackupError::Repository {
        path: dir.to_path_buf(),
        message: describe(&e),
    }
}

/// One line for a `rustic_core` error and its causes: rustic's own
/// `Display` spans pages (details, backtrace) that no operator needs.
pub(crate) fn describe(e: &RusticError) -> String {
    fn guidance(e: &RusticError) -> String {
        let log = e.display_log();
        let text = log.strip_prefix("Error: ").unwrap_or(&log);
        text.split(" (kind: ").next().unwrap_or(text).to_string()
    }
    let mut parts = vec![guidance(e)];
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        let part = match cause.downcast_ref::<RusticError>() {
            Some(r) => guidance(r),
            None => cause.to_string().lines().next().unwrap_or("").to_string(),
        };
        if !part.is_empty() && !parts.contains(&part) {
            parts.push(part);
        }
        source = cause.source();
    }
    parts.join(": ")
}

/// Whether `dir` holds a restic-format repository (one `restic init` made
/// counts: Steward adopts it).
pub fn exists(dir: &Path) -> bool {
    dir.join("config").is_file() && dir.join("keys").is_dir()
}

/// The default password file: Steward's, never inside the repository.
fn default_password_file(backups: &Backups) -> PathBuf {
    backups.data_dir.join("backup-password")
}

fn read_password(path: &Path) -> Result<String, BackupError> {
    let text = std::fs::read_to_string(path).map_err(|source| BackupError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    // restic's --password-file reads the first line.
    let password = text.lines().next().unwrap_or("").to_string();
    if password.is_empty() {
        return Err(BackupError::Repository {
            path: path.to_path_buf(),
            message: "the password file is empty".into(),
        });
    }
    Ok(password)
}

/// The password: `password_file`, then the environment, then Steward's own
/// file. That file is created (0600) only for a new repository, and the
/// operator is told once to keep a copy elsewhere.
pub(crate) fn password(backups: &Backups, creating: bool) -> Result<String, BackupError> {
    if !creating || !makes_password(backups) {
        return Access::of(backups).password();
    }
    let path = default_password_file(backups);
    let mut random = [0u8; 32];
    File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut random))
        .map_err(|source| BackupError::Read {
            path: PathBuf::from("/dev/urandom"),
            source,
        })?;
    let password = hex::encode(random);
    let write = |source| BackupError::Write {
        path: path.clone(),
        source,
    };
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .map_err(write)?;
    file.write_all(format!("{password}\n").as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(write)?;
    tracing::warn!(
        "created the password of the backup repository {} in {}: keep a copy of this file somewhere else, without it no backup in the repository can be restored",
        backups.dir().display(),
        path.display()
    );
    *backups
        .password_created
        .lock()
        .unwrap_or_else(|e| e.into_inner()) = Some(path);
    Ok(password)
}

/// Whether creating the repository would create its password too: none
/// is configured, and Steward made none before.
fn makes_password(backups: &Backups) -> bool {
    backups.settings.password_file.is_none()
        && env_password().is_none()
        && !default_password_file(backups).exists()
}

/// Opens the repository at `backup_path`, creating it (and its password)
/// when there is none. A wrong password is `WrongPassword`, and nothing in
/// the repository is touched.
pub(crate) fn open(backups: &Backups) -> Result<Repository<OpenStatus>, BackupError> {
    let dir = backups.dir();
    let location = dir.to_str().ok_or_else(|| BackupError::Repository {
        path: dir.to_path_buf(),
        message: "the repository path is not UTF-8".into(),
    })?;
    let backends = BackendOptions::default()
        .repository(location)
        .to_backends()
        .map_err(|e| repo_error(backups, e))?;
    // No cache: Steward's repository is local, and a cache in $HOME would
    // keep copies of tree blobs outside the backup directory.
    let mut options = RepositoryOptions::default();
    options.no_cache = true;
    let repo = Repository::new(&options, &backends).map_err(|e| repo_error(backups, e))?;
    if exists(dir) {
        let credentials = Credentials::password(password(backups, false)?);
        repo.open(&credentials).map_err(|e| repo_error(backups, e))
    } else {
        let credentials = Credentials::password(password(backups, true)?);
        repo.init(&credentials, &key_options(), &config_options())
            .map_err(|e| repo_error(backups, e))
    }
}

/// How a new key (a new repository's, an offsite copy's) derives from the
/// password: scrypt with N = 2^15 and r = 8, the memory restic's own keys
/// use (32 MiB; restic caps it at 60), and p = 4, so a guess costs as much
/// work as with the scrypt crate's default (N = 2^17, p = 1), which needs
/// 128 MiB at every backup's opening and took a first backup's peak memory
/// past 200 MB. Keys made before keep the parameters they were made with.
pub(crate) fn key_options() -> KeyOptions {
    KeyOptions::default().scrypt((15, 8, 4))
}

/// A new repository's settings: data packs of 16 MiB (restic's own
/// default) growing to 32 MiB at most, not rustic's 32 MiB growing without
/// bound. A backup holds the pack it fills and the one being written in
/// memory, and packs of incompressible files fill fast: with 32 MiB ones
/// they were a third of a first backup's peak memory.
fn config_options() -> ConfigOptions {
    ConfigOptions::default()
        .set_datapack_size(bytesize::ByteSize::mib(16))
        .set_datapack_size_limit(bytesize::ByteSize::mib(32))
}

/// The repository being opened on a thread of its own while a backup
/// selects its files: the key derivation (scrypt with the parameters of
/// the key file, restic's: about a third of a second) is the largest fixed
/// cost of a backup that finds nothing changed, and of a first backup,
/// which creates the repository there. Not one that would create the
/// password too: the backup's answer tells the operator of it, and a
/// backup refused on its files gives none, so that one waits for the
/// files. Dropped unfinished (the backup refused), it still waits for the
/// thread: a repository being created is never left half made.
pub(crate) struct Opening(
    Option<std::thread::JoinHandle<Result<Repository<OpenStatus>, BackupError>>>,
);

impl Opening {
    pub(crate) fn start(backups: &Backups) -> Opening {
        if !exists(backups.dir()) && makes_password(backups) {
            return Opening(None);
        }
        let backups = backups.clone();
        Opening(Some(std::thread::spawn(move || open(&backups))))
    }

    fn finish(mut self, backups: &Backups) -> Result<Repository<OpenStatus>, BackupError> {
        match self.0.take() {
            Some(thread) => thread.join().unwrap_or_else(|_| {
                Err(BackupError::Repository {
                    path: backups.dir().to_path_buf(),
                    message: "opening the repository panicked".into(),
                })
            }),
            None => open(backups),
        }
    }
}

impl Drop for Opening {
    fn drop(&mut self) {
        if let Some(thread) = self.0.take() {
            let _ = thread.join();
        }
    }
}

fn indexed(backups: &Backups) -> Result<Repository<IndexedFullStatus>, BackupError> {
    open(backups)?
        .to_indexed()
        .map_err(|e| repo_error(backups, e))
}

/// A file as the snapshot gets it: its path there, its metadata, and where
/// its bytes come from.
struct Entry {
    path: PathBuf,
    meta: Metadata,
    from: From,
}

/// Where an entry's bytes come from.
#[derive(Clone)]
enum From {
    /// Read from this path: the live file, or a database's online copy
    /// already checked.
    Path(PathBuf),
    /// Read from a database's online copy whose integrity check may still
    /// be running: the read ends only once it passed.
    Copy(DatabaseCopy),
    /// Nothing is read: the entry carries the metadata of its node in a
    /// parent snapshot, and the archiver takes that node's content.
    Reused,
}

/// A database's online copy in the backup's staging directory, and its
/// integrity check, which runs on a thread of its own while the archiver
/// already reads the copy ([`super::sqlite::Check`]).
#[derive(Clone)]
pub(crate) struct DatabaseCopy {
    pub(crate) path: PathBuf,
    /// The database as the backup names it (`data/bot.sqlite3`).
    pub(crate) rel: String,
    pub(crate) check: Arc<super::sqlite::Check>,
}

impl DatabaseCopy {
    /// Waits for the copy's integrity check: a failed one is the backup's
    /// error, worded as it always was.
    fn verdict(&self) -> Result<(), BackupError> {
        self.check
            .wait()
            .map_err(|message| BackupError::DatabaseCorrupt {
                path: self.rel.clone(),
                message,
            })
    }
}

/// The metadata a snapshot records for a file read from `read_from`.
fn metadata(read_from: &Path, mode: u32) -> Result<Metadata, BackupError> {
    let m = std::fs::symlink_metadata(read_from).map_err(|source| BackupError::Read {
        path: read_from.to_path_buf(),
        source,
    })?;
    Ok(Metadata {
        mode: Some(mode & 0o777),
        mtime: timestamp(m.mtime(), m.mtime_nsec()),
        atime: timestamp(m.atime(), m.atime_nsec()),
        ctime: timestamp(m.ctime(), m.ctime_nsec()),
        uid: Some(m.uid()),
        gid: Some(m.gid()),
        inode: m.ino(),
        device_id: m.dev(),
        size: m.len(),
        links: m.nlink(),
        ..Metadata::default()
    })
}

/// What went wrong while the archiver read the entries. rustic's archiver
/// logs a file it cannot open or read and leaves it out of the snapshot;
/// Steward fails the backup instead, so no snapshot silently lacks a file.
#[derive(Default)]
struct Trouble {
    /// The first file that could not be read.
    failed: Mutex<Option<BackupError>>,
    /// The archiver found no parent node for an entry meant to be reused
    /// (its parent snapshot or the node's data vanished meanwhile).
    reuse_missed: AtomicBool,
}

impl Trouble {
    fn fail(&self, path: &Path, e: &io::Error) {
        self.record(BackupError::Read {
            path: path.to_path_buf(),
            source: io::Error::new(e.kind(), e.to_string()),
        });
    }

    /// Keeps `error` unless an earlier one is kept.
    fn record(&self, error: BackupError) {
        let mut failed = self.failed.lock().unwrap_or_else(|e| e.into_inner());
        if failed.is_none() {
            *failed = Some(error);
        }
    }
}

/// The selected files as a `rustic_core` source, in tree order.
struct Selected {
    entries: Vec<Entry>,
    trouble: Arc<Trouble>,
}

struct OpenEntry {
    from: From,
    trouble: Arc<Trouble>,
}

/// A file being read into the snapshot; a read error is kept for the
/// backup to fail with (the archiver would only log it).
struct Watched {
    file: File,
    path: PathBuf,
    /// A database copy's check, waited for at the end of the copy.
    copy: Option<DatabaseCopy>,
    /// The copy was read to its end and passed its check.
    taken: bool,
    trouble: Arc<Trouble>,
}

impl Drop for Watched {
    /// A copy read to its end is removed here, on the archiver's thread
    /// while it goes on with the other files: dropping the pages of a
    /// copy as large as the database is not left to the end of the backup.
    fn drop(&mut self) {
        if self.taken {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

impl Read for Watched {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self
            .file
            .read(buf)
            .inspect_err(|e| self.trouble.fail(&self.path, e))?;
        // A database copy ends only once its integrity check passed: the
        // archiver saves a snapshot after reading every file to its end,
        // so no saved snapshot holds a copy that failed its check. A
        // failed one fails the read, and the backup with the check's error.
        if n == 0
            && !buf.is_empty()
            && let Some(copy) = &self.copy
        {
            if let Err(e) = copy.verdict() {
                let words = e.to_string();
                self.trouble.record(e);
                return Err(io::Error::other(words));
            }
            self.taken = true;
        }
        Ok(n)
    }
}

impl ReadSourceOpen for OpenEntry {
    type Reader = Watched;
    fn open(self) -> RusticResult<Watched> {
        let (path, copy) = match self.from {
            From::Path(path) => (path, None),
            From::Copy(copy) => (copy.path.clone(), Some(copy)),
            From::Reused => {
                self.trouble.reuse_missed.store(true, Ordering::Relaxed);
                return Err(RusticError::new(
                    ErrorKind::Internal,
                    "the parent snapshot's node cannot be reused",
                ));
            }
        };
        match File::open(&path) {
            Ok(file) => Ok(Watched {
                file,
                path,
                copy,
                taken: false,
                trouble: self.trouble,
            }),
            Err(e) => {
                // A file removed since the walk (a log rotated away) is
                // simply not in the snapshot, as if the walk had come
                // later; one that is there and cannot be read fails it.
                if e.kind() != io::ErrorKind::NotFound {
                    self.trouble.fail(&path, &e);
                }
                Err(
                    RusticError::with_source(ErrorKind::InputOutput, "cannot read `{path}`", e)
                        .attach_context("path", path.display().to_string()),
                )
            }
        }
    }
}

fn timestamp(secs: i64, nanos: i64) -> Option<rustic_core::jiff::Timestamp> {
    rustic_core::jiff::Timestamp::new(secs, nanos as i32).ok()
}

impl ReadSource for Selected {
    type Open = OpenEntry;
    type Iter = std::vec::IntoIter<RusticResult<ReadSourceEntry<OpenEntry>>>;

    fn size(&self) -> RusticResult<Option<u64>> {
        Ok(Some(self.entries.iter().map(|e| e.meta.size).sum()))
    }

    fn entries(&self) -> Self::Iter {
        self.entries
            .iter()
            .map(|e| {
                let name = e.path.file_name().unwrap_or(OsStr::new(""));
                Ok(ReadSourceEntry {
                    path: e.path.clone(),
                    node: Node::new_node(name, NodeType::File, e.meta.clone()),
                    open: Some(OpenEntry {
                        from: e.from.clone(),
                        trouble: self.trouble.clone(),
                    }),
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
    }
}

/// A tag value without the comma restic's command line splits tags at.
fn tag(key: &str, value: &str) -> String {
    format!("{key}={}", value.replace(',', ";"))
}

/// The record's metadata key holding the state of the live database at
/// `rel` when its copy was taken ([`super::sqlite::state`]).
pub(crate) fn sqlite_state_key(rel: &str) -> String {
    format!("sqlite_state:{rel}")
}

/// Writes `files` (read from `sources`: the database copies in place of the
/// live files) as one snapshot of the bot's root, tagged with what the
/// record says. Returns the saved snapshot; until it is saved, no snapshot
/// is listed (packs written before an interruption are pruned later).
pub(crate) fn write_snapshot(
    backups: &Backups,
    record: &BackupRecord,
    files: &[SourceFile],
    sources: &[PathBuf],
) -> Result<SnapshotFile, BackupError> {
    let repo = open(backups)?
        .to_indexed_ids()
        .map_err(|e| repo_error(backups, e))?;
    let mut entries = Vec::with_capacity(files.len());
    for (f, read_from) in files.iter().zip(sources) {
        entries.push(Entry {
            path: backups.root.join(&f.rel),
            meta: metadata(read_from, f.mode)?,
            from: From::Path(read_from.clone()),
        });
    }
    archive(backups, &repo, record, entries, Vec::new())?.ok_or_else(|| BackupError::Repository {
        path: backups.dir().to_path_buf(),
        message: "the archiver reused a node it was not given".into(),
    })
}

/// Writes a new backup of `files` as one snapshot, as `write_snapshot`
/// does, and reads only what changed since the snapshots before it: each
/// file unchanged since the newest snapshot of any type (size, mtime,
/// ctime) is taken from there, and a database whose live state is the one
/// `states` recorded with an earlier snapshot's copy takes that copy's node
/// (no copy, no integrity check: that copy passed it). Every other database
/// is copied by `copy` (file index, file) first, its integrity check
/// running while the archiver reads it. When nothing at all
/// changed since the newest snapshot of the same type, the new snapshot
/// is of that snapshot's tree, and the archiver does not run. The
/// repository is the one `opening` opens.
pub(crate) fn write_backup(
    backups: &Backups,
    opening: Opening,
    record: &BackupRecord,
    files: &[SourceFile],
    states: &std::collections::BTreeMap<String, String>,
    copy: &mut dyn FnMut(usize, &SourceFile) -> Result<DatabaseCopy, BackupError>,
) -> Result<SnapshotFile, BackupError> {
    let repo = opening
        .finish(backups)?
        .to_indexed_ids()
        .map_err(|e| repo_error(backups, e))?;
    let present: std::collections::HashSet<String> = repo
        .list::<SnapshotId>()
        .map_err(|e| repo_error(backups, e))?
        .map(|id| id.to_hex().as_str().to_string())
        .collect();
    let mut earlier: Vec<BackupRecord> = backups
        .all()?
        .into_iter()
        .filter(|r| {
            r.status == super::BackupStatus::Completed
                && !made_by_restic(r)
                && r.verification.as_ref().is_none_or(|v| v.ok)
                && snapshot_of(r).is_some_and(|id| present.contains(id))
        })
        .collect();
    earlier.sort_by_key(|r| std::cmp::Reverse(r.created_at));
    // The newest snapshot of each type: a full backup after a database
    // one still finds every other file unchanged.
    let mut parents: Vec<String> = Vec::new();
    let mut types = Vec::new();
    for r in &earlier {
        if !types.contains(&r.backup_type) {
            types.push(r.backup_type);
            parents.push(snapshot_of(r).unwrap_or_default().to_string());
        }
    }
    let mut reused: std::collections::BTreeMap<usize, (String, Metadata)> = Default::default();
    for (i, f) in files.iter().enumerate() {
        let Some(state) = states.get(&f.rel) else {
            continue;
        };
        let key = sqlite_state_key(&f.rel);
        let Some(id) = earlier
            .iter()
            .find(|r| r.metadata.get(&key) == Some(state))
            .and_then(snapshot_of)
        else {
            continue;
        };
        if let Some(meta) = node_meta(&repo, id, &backups.root.join(&f.rel)) {
            reused.insert(i, (id.to_string(), meta));
        }
    }
    let all_reused = files
        .iter()
        .enumerate()
        .all(|(i, f)| f.kind != FileKind::Sqlite || reused.contains_key(&i));
    let same_type = earlier
        .iter()
        .find(|r| r.backup_type == record.backup_type)
        .and_then(snapshot_of);
    if all_reused && let Some(parent) = same_type {
        backups.report(
            15,
            crate::progress::Step::StoringFiles { files: files.len() },
        );
        let mut entries = Vec::with_capacity(files.len());
        for (i, f) in files.iter().enumerate() {
            entries.push(Entry {
                path: backups.root.join(&f.rel),
                meta: match reused.get(&i) {
                    Some((_, meta)) => meta.clone(),
                    None => metadata(&f.abs, f.mode)?,
                },
                from: From::Reused,
            });
        }
        if let Some(snap) = unchanged_snapshot(backups, &repo, record, parent, &entries, &present)?
        {
            return Ok(snap);
        }
    }
    let mut copies: Vec<Option<DatabaseCopy>> = vec![None; files.len()];
    loop {
        let mut entries = Vec::with_capacity(files.len());
        let mut all_parents = parents.clone();
        for (i, f) in files.iter().enumerate() {
            let path = backups.root.join(&f.rel);
            if let Some((id, meta)) = reused.get(&i) {
                if !all_parents.contains(id) {
                    all_parents.push(id.clone());
                }
                entries.push(Entry {
                    path,
                    meta: meta.clone(),
                    from: From::Reused,
                });
                continue;
            }
            let (read_from, from) = if f.kind == FileKind::Sqlite {
                let copied = match &copies[i] {
                    // Read to its end by an archiver that then found an
                    // entry it could not reuse, the copy is gone: made anew.
                    Some(copied) if copied.path.exists() => copied.clone(),
                    _ => {
                        let copied = copy(i, f)?;
                        copies[i] = Some(copied.clone());
                        copied
                    }
                };
                (copied.path.clone(), From::Copy(copied))
            } else {
                (f.abs.clone(), From::Path(f.abs.clone()))
            };
            entries.push(Entry {
                path,
                meta: metadata(&read_from, f.mode)?,
                from,
            });
        }
        backups.report(
            15,
            crate::progress::Step::StoringFiles { files: files.len() },
        );
        match archive(backups, &repo, record, entries, all_parents)? {
            Some(snap) => return Ok(snap),
            None => {
                tracing::warn!(
                    "an earlier snapshot's database copy could not be reused; copying the databases again"
                );
                reused.clear();
            }
        }
    }
}

/// The metadata of the file at `path` in snapshot `id`, when it is there.
fn node_meta(
    repo: &Repository<rustic_core::IndexedIdsStatus>,
    id: &str,
    path: &Path,
) -> Option<Metadata> {
    let snap = repo.get_snapshots(&[id]).ok()?.pop()?;
    let node = repo.node_from_path(snap.tree, path).ok()?;
    (node.node_type == NodeType::File && node.content.is_some()).then_some(node.meta)
}

/// Archives `entries` as one snapshot tagged from `record`, with `parents`
/// (full snapshot ids; none: rustic's choice, the newest of the group).
/// A snapshot the archiver saved without a file it could not read is
/// removed again, and the backup fails naming the file (a database copy
/// that failed its integrity check is such a file); `None` when it is
/// removed because an entry meant to be reused found no parent node.
fn archive(
    backups: &Backups,
    repo: &Repository<rustic_core::IndexedIdsStatus>,
    record: &BackupRecord,
    mut entries: Vec<Entry>,
    parents: Vec<String>,
) -> Result<Option<SnapshotFile>, BackupError> {
    // The archiver builds trees from paths in component order.
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    let copies: Vec<DatabaseCopy> = entries
        .iter()
        .filter_map(|e| match &e.from {
            From::Copy(copy) => Some(copy.clone()),
            _ => None,
        })
        .collect();
    let snap = new_snapshot(backups, record)?;
    let trouble = Arc::new(Trouble::default());
    let source = Selected {
        entries,
        trouble: trouble.clone(),
    };
    let mut options = BackupOptions::default();
    options.parent_opts.parents = parents;
    let snap = repo
        .archive(&options, &source, snap, std::slice::from_ref(&backups.root))
        .map_err(|e| repo_error(backups, e))?;
    // Every copy's verdict, also of one the archiver did not read to its
    // end (it read nothing from a copy it matched with a parent node).
    for copy in &copies {
        if let Err(e) = copy.verdict() {
            trouble.record(e);
        }
    }
    let failed = trouble
        .failed
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take();
    let missed = trouble.reuse_missed.load(Ordering::Relaxed);
    if failed.is_some() || missed {
        repo.delete_snapshots(&[snap.id])
            .map_err(|e| repo_error(backups, e))?;
    }
    match failed {
        Some(e) => Err(e),
        None if missed => Ok(None),
        None => Ok(Some(snap)),
    }
}

/// A new snapshot labelled and tagged from `record` (type, name,
/// description, versions, id), not yet saved.
fn new_snapshot(backups: &Backups, record: &BackupRecord) -> Result<SnapshotFile, BackupError> {
    let mut snap = SnapshotOptions::default()
        .to_snapshot()
        .map_err(|e| repo_error(backups, e))?;
    snap.label = STEWARD_TAG.into();
    let mut tags = StringList::default();
    tags.add(STEWARD_TAG.into());
    tags.add(tag("id", &record.id));
    tags.add(tag("type", record.backup_type.as_str()));
    if let Some(name) = &record.name {
        tags.add(tag("name", name));
    }
    if let Some(description) = &record.description {
        tags.add(tag("description", description));
    }
    for (key, value) in &record.metadata {
        tags.add(tag(key, value));
    }
    snap.tags = tags;
    snap.description = record.description.clone();
    Ok(snap)
}

/// When every entry is exactly as `parent` holds it (the same files, each
/// node's metadata equal, so the archiver would write the parent's tree
/// again, reading nothing), saves the new snapshot of that same tree
/// without running the archiver: an unchanged re-run then costs the walk
/// and one listing of the parent. `None` when anything differs.
fn unchanged_snapshot(
    backups: &Backups,
    repo: &Repository<rustic_core::IndexedIdsStatus>,
    record: &BackupRecord,
    parent: &str,
    entries: &[Entry],
    present: &std::collections::HashSet<String>,
) -> Result<Option<SnapshotFile>, BackupError> {
    let Some(parent) = repo.get_snapshots(&[parent]).ok().and_then(|mut s| s.pop()) else {
        return Ok(None);
    };
    let root = backups.root.to_string_lossy();
    if parent.paths.iter().map(String::as_str).ne([root.as_ref()]) {
        return Ok(None);
    }
    let Ok(top) = repo.node_from_path(parent.tree, &backups.root) else {
        return Ok(None);
    };
    let wanted: std::collections::HashMap<PathBuf, &Metadata> = entries
        .iter()
        .filter_map(|e| {
            Some((
                e.path.strip_prefix(&backups.root).ok()?.to_path_buf(),
                &e.meta,
            ))
        })
        .collect();
    let mut options = LsOptions::default();
    options.recursive = true;
    let Ok(listing) = repo.ls(&top, &options) else {
        return Ok(None);
    };
    let (mut files, mut dirs) = (0usize, 0u64);
    for item in listing {
        let Ok((path, node)) = item else {
            return Ok(None);
        };
        match node.node_type {
            NodeType::Dir => dirs += 1,
            NodeType::File if node.content.is_some() && wanted.get(&path) == Some(&&node.meta) => {
                files += 1
            }
            _ => return Ok(None),
        }
    }
    if files != entries.len() {
        return Ok(None);
    }
    let mut snap = new_snapshot(backups, record)?;
    let mut summary = snap.summary.take().unwrap_or_default();
    summary.files_unmodified = files as u64;
    summary.total_files_processed = files as u64;
    summary.total_bytes_processed = entries.iter().map(|e| e.meta.size).sum();
    summary.dirs_unmodified = dirs;
    summary.total_dirs_processed = dirs;
    summary.backup_end = rustic_core::jiff::Zoned::now();
    snap.summary = Some(summary);
    snap.tree = parent.tree;
    snap.paths = parent.paths.clone();
    snap.parent = Some(parent.id);
    snap.parents = vec![parent.id];
    repo.save_snapshots(vec![snap.clone()])
        .map_err(|e| repo_error(backups, e))?;
    // The id is the hash of the file as saved: found among the new ones by
    // the backup's own id tag.
    let added: Vec<String> = repo
        .list::<SnapshotId>()
        .map_err(|e| repo_error(backups, e))?
        .map(|id| id.to_hex().as_str().to_string())
        .filter(|id| !present.contains(id))
        .collect();
    let id_tag = tag("id", &record.id);
    let saved = repo
        .get_snapshots(&added)
        .map_err(|e| repo_error(backups, e))?
        .into_iter()
        .find(|s| s.tags.contains(&id_tag) && s.tree == snap.tree)
        .ok_or_else(|| BackupError::Repository {
            path: backups.dir().to_path_buf(),
            message: "the saved snapshot is not listed".into(),
        })?;
    Ok(Some(saved))
}

/// Whether `id` names a snapshot restic itself made (see `adopt_foreign`).
pub fn adopted_id(id: &str) -> bool {
    id.starts_with(ADOPTED_PREFIX)
}

/// Whether the record is a snapshot restic itself made.
pub fn made_by_restic(record: &BackupRecord) -> bool {
    record.metadata.get(MADE_BY_KEY).map(String::as_str) == Some(MADE_BY_RESTIC)
}

/// Records the snapshots restic itself made in the repository (those
/// without Steward's tag and without a record) as full backups named
/// `restic_<short id>`, with their host, paths and time; drops the records
/// of such snapshots restic has since forgotten. Opens the repository only
/// when there is one (never creates it or its password). Returns how many
/// records it added.
pub(crate) fn adopt_foreign(backups: &Backups) -> Result<usize, BackupError> {
    if !exists(backups.dir()) {
        return Ok(0);
    }
    let repo = open(backups)?;
    let snaps = repo
        .get_all_snapshots()
        .map_err(|e| repo_error(backups, e))?;
    let records = backups.all()?;
    let present: std::collections::HashSet<String> = snaps
        .iter()
        .map(|s| s.id.to_hex().as_str().to_string())
        .collect();
    let known: std::collections::HashSet<&str> = records.iter().filter_map(snapshot_of).collect();
    for r in records.iter().filter(|r| made_by_restic(r)) {
        if snapshot_of(r).is_some_and(|id| !present.contains(id)) {
            backups.records.remove(&r.id)?;
        }
    }
    let mut added = 0;
    let mut trees = None;
    for snap in &snaps {
        let hex = snap.id.to_hex().as_str().to_string();
        if snap.tags.contains(STEWARD_TAG) || known.contains(hex.as_str()) {
            continue;
        }
        let mut record = foreign_record(backups, snap, &hex);
        if snap.summary.is_none() {
            // restic before 0.17 writes no summary: count from the tree.
            if trees.is_none() {
                trees = Some(
                    open(backups)?
                        .to_indexed_ids()
                        .map_err(|e| repo_error(backups, e))?,
                );
            }
            if let Some(repo) = &trees {
                let (files, bytes) = count_files(repo, snap).map_err(|e| repo_error(backups, e))?;
                record.file_count = files;
                record.size_bytes = bytes;
            }
        }
        backups.records.insert(&record.id, &record)?;
        added += 1;
    }
    if added > 0 {
        backups.store.flush()?;
    }
    Ok(added)
}

/// The files under a snapshot's first path and their bytes.
fn count_files(
    repo: &Repository<rustic_core::IndexedIdsStatus>,
    snap: &SnapshotFile,
) -> RusticResult<(u64, u64)> {
    let base = snap
        .paths
        .iter()
        .next()
        .cloned()
        .unwrap_or_else(|| "/".into());
    let top = repo.node_from_path(snap.tree, Path::new(&base))?;
    let mut options = LsOptions::default();
    options.recursive = true;
    let (mut files, mut bytes) = (0, 0);
    for item in repo.ls(&top, &options)? {
        let (_, node) = item?;
        if node.node_type == NodeType::File {
            files += 1;
            bytes += node.meta.size;
        }
    }
    Ok((files, bytes))
}

fn foreign_record(backups: &Backups, snap: &SnapshotFile, hex: &str) -> BackupRecord {
    let paths: Vec<String> = snap.paths.iter().cloned().collect();
    let mut metadata = std::collections::BTreeMap::new();
    metadata.insert(SNAPSHOT_KEY.to_string(), hex.to_string());
    metadata.insert(MADE_BY_KEY.to_string(), MADE_BY_RESTIC.to_string());
    metadata.insert("host".to_string(), snap.hostname.clone());
    metadata.insert("restic_paths".to_string(), paths.join(", "));
    if !snap.program_version.is_empty() {
        metadata.insert("program".to_string(), snap.program_version.clone());
    }
    if snap.tags.iter().next().is_some() {
        metadata.insert("tags".to_string(), snap.tags.to_string());
    }
    let time = snap.time.timestamp();
    let created_at = DateTime::from_timestamp(time.as_second(), time.subsec_nanosecond() as u32)
        .unwrap_or_else(Utc::now);
    let summary = snap.summary.as_ref();
    BackupRecord {
        id: format!("{ADOPTED_PREFIX}{}", &hex[..hex.len().min(8)]),
        name: None,
        backup_type: super::BackupType::Full,
        status: super::BackupStatus::Completed,
        file_path: backups.dir().to_path_buf(),
        paths,
        size_bytes: summary.map_or(0, |s| s.total_bytes_processed),
        compressed_size: summary.map_or(0, |s| s.data_added_packed),
        file_count: summary.map_or(0, |s| s.total_files_processed),
        created_at,
        completed_at: Some(created_at),
        description: snap.description.clone(),
        checksum: None,
        auto_created: false,
        compressed: true,
        verification: None,
        error: None,
        metadata,
    }
}

/// Why a snapshot restic made cannot be restored into the bot's root: it
/// was not taken of exactly that directory.
fn foreign_paths_problem(backups: &Backups, snap: &SnapshotFile) -> Option<Problem> {
    let root = &backups.root;
    let canonical = root.canonicalize().ok();
    let paths: Vec<&String> = snap.paths.iter().collect();
    let of_root = |p: &String| {
        let p = Path::new(p);
        p == root || canonical.as_deref() == Some(p)
    };
    if paths.len() == 1 && of_root(paths[0]) {
        return None;
    }
    let shown: Vec<&str> = paths.iter().map(|p| p.as_str()).collect();
    Some(Problem::ForeignPaths {
        paths: shown.join(", "),
        root: root.display().to_string(),
    })
}

/// A snapshot's files under its root, checked against the strict filter
/// before anything is read: regular files and directories only, every path
/// plain and inside the root.
struct Listed {
    repo: Repository<IndexedFullStatus>,
    entries: Vec<(String, Node)>,
    problems: Vec<Problem>,
}

fn list(backups: &Backups, record: &BackupRecord) -> Result<Listed, BackupError> {
    let id = snapshot_of(record).ok_or_else(|| BackupError::NotFound(record.id.clone()))?;
    let repo = indexed(backups)?;
    let snap = repo
        .get_snapshot_from_str(id, |_| true)
        .map_err(|e| repo_error(backups, e))?;
    if made_by_restic(record)
        && let Some(problem) = foreign_paths_problem(backups, &snap)
    {
        return Ok(Listed {
            repo,
            entries: Vec::new(),
            problems: vec![problem],
        });
    }
    // Steward's own directories, when inside the root: a snapshot restic
    // took of the whole root holds them, and a restore never writes them.
    let own: Vec<PathBuf> = backups
        .own_dirs()
        .iter()
        .filter_map(|d| d.strip_prefix(&backups.root).ok().map(Path::to_path_buf))
        .filter(|d| !d.as_os_str().is_empty())
        .collect();
    let base = snap
        .paths
        .iter()
        .next()
        .cloned()
        .unwrap_or_else(|| "/".into());
    let top = repo
        .node_from_path(snap.tree, Path::new(&base))
        .map_err(|e| repo_error(backups, e))?;
    let mut options = LsOptions::default();
    options.recursive = true;
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    for item in repo
        .ls(&top, &options)
        .map_err(|e| repo_error(backups, e))?
    {
        let (path, node) = item.map_err(|e| repo_error(backups, e))?;
        if own.iter().any(|d| path.starts_with(d)) {
            continue;
        }
        let shown = path.to_string_lossy().into_owned();
        let plain = path.components().all(|c| matches!(c, Component::Normal(_)))
            && !node.name().as_encoded_bytes().contains(&b'/');
        if !plain {
            problems.push(Problem::LeavesRoot { path: shown });
            continue;
        }
        match node.node_type {
            NodeType::File | NodeType::Dir => entries.push((shown, node)),
            NodeType::Symlink { .. } => problems.push(Problem::Symlink { path: shown }),
            _ => problems.push(Problem::Special { path: shown }),
        }
    }
    Ok(Listed {
        repo,
        entries,
        problems,
    })
}

/// What the repository-wide structural check found for one snapshot.
pub(crate) struct Checked {
    pub problems: Vec<Problem>,
    /// A tree of the snapshot cannot be read: its files cannot be listed.
    pub trees_damaged: bool,
}

/// The structural check `restic check --read-data` makes, for one
/// snapshot: every pack against the index, the snapshot's trees, and the
/// data of every pack the snapshot uses read back and hashed. Each problem
/// names the snapshot, and the pack; a tree that cannot be read names its
/// directory and its pack. Warnings (a pack an interrupted backup left,
/// pruned later) are not problems.
pub(crate) fn check_snapshot(
    backups: &Backups,
    record: &BackupRecord,
) -> Result<Checked, BackupError> {
    let id = snapshot_of(record).ok_or_else(|| BackupError::NotFound(record.id.clone()))?;
    let short = &id[..id.len().min(8)];
    let repo = indexed(backups)?;
    let snap = repo
        .get_snapshot_from_str(id, |_| true)
        .map_err(|e| repo_error(backups, e))?;
    let mut problems = Vec::new();
    damaged_trees(&repo, snap.tree, Path::new("/"), short, &mut problems);
    let trees_damaged = !problems.is_empty();
    let mut options = CheckOptions::default();
    options.read_data = true;
    let results = repo
        .check_with_trees(options, vec![snap.tree])
        .map_err(|e| repo_error(backups, e))?;
    for (text, from_rustic) in severe_findings(results) {
        // The trees' own failure, already named with its pack above.
        if from_rustic && trees_damaged {
            continue;
        }
        problems.push(Problem::SnapshotCheck {
            snapshot: short.to_string(),
            finding: text,
        });
    }
    Ok(Checked {
        problems,
        trees_damaged,
    })
}

/// The severe findings of a check, each in rustic's words (the finding's
/// head, then its cause as `describe` says it) and whether rustic's own
/// error caused it.
pub(crate) fn severe_findings(results: CheckResults) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for (level, finding) in results.0 {
        // Severity through rustic's own test: the level's type is private.
        let one = CheckResults(vec![(level, finding)]);
        if one.is_ok().is_ok() {
            continue;
        }
        let Some((_, finding)) = one.0.into_iter().next() else {
            continue;
        };
        // Findings hold their cause boxed.
        let from_rustic = std::error::Error::source(&finding)
            .and_then(|s| {
                s.downcast_ref::<Box<RusticError>>()
                    .map(|b| &**b)
                    .or_else(|| s.downcast_ref::<RusticError>())
            })
            .map(describe);
        out.push(match from_rustic {
            Some(cause) => {
                let head = finding.to_string();
                let head = head.split(" : ").next().unwrap_or("").to_string();
                (format!("{head}: {cause}"), true)
            }
            None => (finding.to_string(), false),
        });
    }
    out
}

/// Reads every tree of the snapshot, naming each that cannot be read with
/// its directory and the pack holding it.
fn damaged_trees(
    repo: &Repository<IndexedFullStatus>,
    tree: TreeId,
    dir: &Path,
    short: &str,
    problems: &mut Vec<Problem>,
) {
    match repo.get_tree(&tree) {
        Ok(t) => {
            for node in t.nodes {
                if node.node_type == NodeType::Dir
                    && let Some(sub) = node.subtree
                {
                    damaged_trees(repo, sub, &dir.join(node.name()), short, problems);
                }
            }
        }
        Err(e) => {
            let pack = repo
                .get_index_entry(&tree)
                .ok()
                .map(|entry| entry.pack.to_hex().as_str().to_string());
            problems.push(Problem::TreeDamaged {
                snapshot: short.to_string(),
                dir: dir.display().to_string(),
                pack,
                cause: describe(&e),
            });
        }
    }
}

/// What a restore of `record` would put back, from the snapshot's tree
/// alone (nothing read from packs): databases by the database scope.
pub(crate) fn manifest_of(
    backups: &Backups,
    record: &BackupRecord,
) -> Result<(Manifest, Vec<Problem>), BackupError> {
    let listed = list(backups, record)?;
    let databases =
        super::scope::matcher(&backups.settings.scopes, super::BackupType::Database, false)?;
    let files = listed
        .entries
        .iter()
        .filter(|(_, node)| node.node_type == NodeType::File)
        .map(|(path, node)| ManifestFile {
            path: path.clone(),
            size: node.meta.size,
            sha256: String::new(),
            mode: node.meta.mode.unwrap_or(0o644) & 0o777,
            kind: if databases.matches(path) {
                FileKind::Sqlite
            } else {
                FileKind::File
            },
        })
        .collect();
    Ok((manifest_for(record, files), listed.problems))
}

fn manifest_for(record: &BackupRecord, files: Vec<ManifestFile>) -> Manifest {
    Manifest {
        format: manifest::FORMAT,
        id: record.id.clone(),
        name: record.name.clone(),
        backup_type: record.backup_type,
        description: record.description.clone(),
        bot_version: record.metadata.get("bot_version").cloned(),
        created_at: record.created_at,
        steward_version: record
            .metadata
            .get("steward_version")
            .cloned()
            .unwrap_or_default(),
        files,
    }
}

/// Reads every file of the snapshot back. With `into`, writes them there
/// (created private; files created new, never through a link, with the
/// snapshot's mode and times) and stops at the first unreadable file;
/// without, reads everything and names each damaged file. With `live`
/// too (the bot's root, restoring in place), a live file that already
/// holds what the snapshot has (size, mode, mtime, and every blob's hash
/// read back from it; never a database) is not written: it is listed in
/// `in_place`. A tree that fails the strict filter is refused before any
/// byte is read or written.
pub(crate) fn read_back(
    backups: &Backups,
    record: &BackupRecord,
    into: Option<&Path>,
    live: Option<&DirHandle>,
) -> Result<ReadBack, BackupError> {
    let listed = list(backups, record)?;
    if !listed.problems.is_empty() {
        return Ok(ReadBack {
            manifest: manifest_for(record, Vec::new()),
            problems: listed.problems,
            bytes: 0,
            in_place: HashMap::new(),
        });
    }
    if let Some(staging) = into {
        super::create::make_staging(staging)?;
    }
    // Directories first, in tree order, so every file's parent exists;
    // then the files on a few threads (each reads its blobs and writes its
    // file), the results taken in tree order.
    if let Some(staging) = into {
        for (path, node) in &listed.entries {
            if node.node_type == NodeType::Dir {
                let dir = staging.join(path);
                DirBuilder::new()
                    .mode(0o700)
                    .create(&dir)
                    .map_err(|source| BackupError::Write { path: dir, source })?;
            }
        }
    }
    let todo: Vec<&(String, Node)> = listed
        .entries
        .iter()
        .filter(|(_, node)| node.node_type != NodeType::Dir)
        .collect();
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let workers = super::threads()
        .clamp(1, RESTORE_THREADS)
        .min(todo.len().max(1));
    let mut outcomes: Vec<(usize, FileOutcome)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    let mut live = live.filter(|_| into.is_some()).map(LiveDirs::new);
                    while !stop.load(Ordering::Relaxed) {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some((path, node)) = todo.get(i) else {
                            break;
                        };
                        let matching = live
                            .as_mut()
                            .and_then(|live| live.matching(&listed.repo, path, node));
                        let outcome = match matching {
                            Some(found) => found,
                            None => read_one(&listed.repo, path, node, into),
                        };
                        // A restore stops at the first file it cannot put
                        // in staging; a check reads on and names them all.
                        if into.is_some()
                            && !matches!(outcome, FileOutcome::Read(..) | FileOutcome::InPlace(..))
                        {
                            stop.store(true, Ordering::Relaxed);
                        }
                        done.push((i, outcome));
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a restore thread panicked"))
            .collect()
    });
    outcomes.sort_by_key(|(i, _)| *i);
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let mut bytes = 0u64;
    let mut in_place = HashMap::new();
    for (_, outcome) in outcomes {
        match outcome {
            FileOutcome::Read(file) => {
                bytes += file.size;
                files.push(file);
            }
            FileOutcome::InPlace(file, fingerprint) => {
                bytes += file.size;
                in_place.insert(file.path.clone(), fingerprint);
                files.push(file);
            }
            FileOutcome::Damaged(problem) => {
                problems.push(problem);
                if into.is_some() {
                    break;
                }
            }
            FileOutcome::Failed(e) => return Err(e),
        }
    }
    Ok(ReadBack {
        manifest: manifest_for(record, files),
        problems,
        bytes,
        in_place,
    })
}

/// Writes the files `rels` of the snapshot into `staging` (its
/// directories already there): those a restore had found matching live
/// but that changed before the bot stopped.
pub(crate) fn stage_files(
    backups: &Backups,
    record: &BackupRecord,
    staging: &Path,
    rels: &HashSet<String>,
) -> Result<(), BackupError> {
    let listed = list(backups, record)?;
    for (path, node) in listed.entries.iter().filter(|(p, _)| rels.contains(p)) {
        match read_one(&listed.repo, path, node, Some(staging)) {
            FileOutcome::Read(_) | FileOutcome::InPlace(..) => {}
            FileOutcome::Damaged(problem) => {
                return Err(BackupError::VerificationFailed {
                    id: record.id.clone(),
                    problems: vec![problem],
                });
            }
            FileOutcome::Failed(e) => return Err(e),
        }
    }
    Ok(())
}

/// The password from the environment, when set.
fn env_password() -> Option<String> {
    std::env::var(PASSWORD_ENV).ok().filter(|p| !p.is_empty())
}

/// What reading an existing repository needs, without the store: a
/// restore undone at the next start (before any store is open) reads its
/// snapshot through it. It never creates the repository or its password.
#[derive(Debug, Clone)]
pub(crate) struct Access {
    dir: PathBuf,
    password_file: Option<PathBuf>,
    data_dir: PathBuf,
}

impl Access {
    pub(crate) fn of(backups: &Backups) -> Access {
        Access {
            dir: backups.dir().to_path_buf(),
            password_file: backups.settings.password_file.clone(),
            data_dir: backups.data_dir.clone(),
        }
    }

    pub(crate) fn from_config(config: &crate::config::Config) -> Access {
        Access {
            dir: config.backup.path.clone(),
            password_file: config.backup.password_file.clone(),
            data_dir: config.paths.data.clone(),
        }
    }

    /// `password_file`, then the environment, then Steward's own file.
    fn password(&self) -> Result<String, BackupError> {
        if let Some(path) = &self.password_file {
            return read_password(path);
        }
        if let Some(p) = env_password() {
            return Ok(p);
        }
        read_password(&self.data_dir.join("backup-password")).map_err(|e| match e {
            BackupError::Read { source, .. } if source.kind() == io::ErrorKind::NotFound => {
                BackupError::NoPassword {
                    path: self.dir.clone(),
                }
            }
            e => e,
        })
    }

    fn indexed(&self) -> Result<Repository<IndexedFullStatus>, BackupError> {
        let location = self.dir.to_str().ok_or_else(|| BackupError::Repository {
            path: self.dir.clone(),
            message: "the repository path is not UTF-8".into(),
        })?;
        let error = |e| repo_error_at(&self.dir, e);
        let backends = BackendOptions::default()
            .repository(location)
            .to_backends()
            .map_err(error)?;
        let mut options = RepositoryOptions::default();
        options.no_cache = true;
        let credentials = Credentials::password(self.password()?);
        Repository::new(&options, &backends)
            .and_then(|repo| repo.open(&credentials))
            .and_then(|repo| repo.to_indexed())
            .map_err(error)
    }
}

/// Writes files of one snapshot back into the bot's root, each as a
/// restore writes a file (its bytes from the repository, into a scratch
/// name beside it through the root's handles, never through a link, then
/// renamed over it) with the mode, owner and times recorded of it: how an
/// undone restore puts back a live file it had found matching the
/// snapshot (so never wrote) once the bot changed it. The repository is
/// opened at the first file.
pub(crate) struct PutBack {
    access: Access,
    snapshot: String,
    opened: Option<(Repository<IndexedFullStatus>, TreeId, PathBuf)>,
}

/// The scratch name a file is written under before it is renamed over
/// the one it puts back; one left by an interrupted try is replaced.
const PUT_BACK_SCRATCH: &str = ".steward-put-back.partial";

impl PutBack {
    pub(crate) fn new(access: Access, snapshot: String) -> PutBack {
        PutBack {
            access,
            snapshot,
            opened: None,
        }
    }

    pub(crate) fn write(&mut self, root: &DirHandle, file: &Unchanged) -> Result<(), HandleError> {
        let shown = root.shown(&file.rel);
        let failed = |what: String| HandleError::Io {
            path: shown.clone(),
            source: io::Error::other(what),
        };
        let short = self.snapshot[..self.snapshot.len().min(8)].to_string();
        if self.opened.is_none() {
            let repo = self
                .access
                .indexed()
                .map_err(|e| failed(format!("cannot read it back from snapshot {short}: {e}")))?;
            let snap = repo
                .get_snapshot_from_str(&self.snapshot, |_| true)
                .map_err(|e| {
                    failed(format!(
                        "cannot read it back from snapshot {short}: {}",
                        describe(&e)
                    ))
                })?;
            let base = PathBuf::from(snap.paths.iter().next().cloned().unwrap_or("/".into()));
            self.opened = Some((repo, snap.tree, base));
        }
        let Some((repo, tree, base)) = &self.opened else {
            unreachable!("opened above");
        };
        let node = repo
            .node_from_path(*tree, &base.join(&file.rel))
            .map_err(|e| {
                failed(format!(
                    "cannot read it back from snapshot {short}: {}",
                    describe(&e)
                ))
            })?;
        if node.node_type != NodeType::File {
            return Err(failed(format!(
                "snapshot {short} holds no regular file there"
            )));
        }
        let (parent, name) = file.rel.rsplit_once('/').unwrap_or(("", &file.rel));
        let dir = root.subdir_creating(parent, &mut Vec::new())?;
        dir.remove_file(PUT_BACK_SCRATCH)?;
        let mut out = dir.create_new(PUT_BACK_SCRATCH, 0o600)?;
        let scratch = dir.shown(PUT_BACK_SCRATCH);
        let io_failed = |source| HandleError::Io {
            path: scratch.clone(),
            source,
        };
        match read_file(repo, &node, |chunk| out.write_all(chunk)) {
            Ok(()) => {}
            Err(FileRead::Repository(e)) => {
                let _ = dir.remove_file(PUT_BACK_SCRATCH);
                return Err(failed(format!(
                    "cannot read it back from snapshot {short}: {}",
                    describe(&e)
                )));
            }
            Err(FileRead::Write(source)) => {
                let _ = dir.remove_file(PUT_BACK_SCRATCH);
                return Err(io_failed(source));
            }
        }
        let was = &file.was;
        let made = out.metadata().map_err(io_failed)?;
        if (made.uid(), made.gid()) != (was.uid, was.gid)
            && let Err(e) = std::os::unix::fs::fchown(&out, Some(was.uid), Some(was.gid))
        {
            tracing::warn!(
                "{} is put back as it was, but owned by uid {} instead of {} ({e})",
                shown.display(),
                made.uid(),
                was.uid
            );
        }
        let times = std::fs::FileTimes::new()
            .set_modified(system_time(was.mtime))
            .set_accessed(system_time(file.atime));
        out.set_permissions(std::fs::Permissions::from_mode(was.mode & 0o7777))
            .and_then(|()| out.set_times(times))
            .map_err(io_failed)?;
        drop(out);
        dir.rename_over(PUT_BACK_SCRATCH, name)
    }
}

/// A time as `stat` gives it (seconds and nanoseconds since the epoch).
fn system_time((secs, nanos): (i64, i64)) -> std::time::SystemTime {
    let at = std::time::Duration::new(secs.unsigned_abs(), nanos.clamp(0, 999_999_999) as u32);
    if secs >= 0 {
        std::time::UNIX_EPOCH + at
    } else {
        std::time::UNIX_EPOCH - std::time::Duration::from_secs(secs.unsigned_abs())
            + std::time::Duration::from_nanos(nanos.clamp(0, 999_999_999) as u64)
    }
}

/// The live directories of the bot's root a restore thread compares
/// files in, each opened once (never through a link).
struct LiveDirs<'a> {
    root: &'a DirHandle,
    open: HashMap<String, Option<DirHandle>>,
    buf: Vec<u8>,
}

impl<'a> LiveDirs<'a> {
    fn new(root: &'a DirHandle) -> Self {
        LiveDirs {
            root,
            open: HashMap::new(),
            buf: Vec::new(),
        }
    }

    /// The live file at `path` when it already holds what `node` has, as
    /// a restore would leave it: a regular file of the same size, mode
    /// and mtime, each of whose blobs hashes to the snapshot's blob id
    /// (read from the disk, never trusted from its times). A database is
    /// never matched: a restore sets its `-wal`/`-shm` aside with it.
    /// Anything that cannot be read or compared is not a match.
    fn matching(
        &mut self,
        repo: &Repository<IndexedFullStatus>,
        path: &str,
        node: &Node,
    ) -> Option<FileOutcome> {
        let mode = node.meta.mode.unwrap_or(0o644) & 0o777;
        let mtime = node.meta.mtime?;
        let (parent, name) = path.rsplit_once('/').unwrap_or(("", path));
        if !self.open.contains_key(parent) {
            let dir = self.root.subdir(parent).ok().flatten();
            self.open.insert(parent.to_string(), dir);
        }
        let mut file = self.open[parent].as_ref()?.open_file_of(name).ok()??;
        let before = file.metadata().ok()?;
        if before.len() != node.meta.size
            || before.mode() & 0o7777 != mode
            || (before.mtime(), before.mtime_nsec())
                != (mtime.as_second(), i64::from(mtime.subsec_nanosecond()))
        {
            return None;
        }
        let mut hasher = super::HashingWriter::new(io::sink());
        let mut first = true;
        for id in node.content.iter().flatten() {
            let length = repo.get_index_entry(id).ok()?.data_length() as usize;
            self.buf.resize(length, 0);
            file.read_exact(&mut self.buf).ok()?;
            if first && super::scope::has_sqlite_magic(&self.buf) {
                return None;
            }
            first = false;
            let digest: [u8; 32] = <sha2::Sha256 as sha2::Digest>::digest(&self.buf).into();
            if rustic_core::Id::new(digest) != **id {
                return None;
            }
            hasher.write_all(&self.buf).ok()?;
        }
        let (_, sha256, size) = hasher.finish();
        // Nothing past the snapshot's end, and nothing written meanwhile.
        let after = file.metadata().ok()?;
        let fingerprint = super::swap::Fingerprint::of(&after);
        if size != node.meta.size || fingerprint != super::swap::Fingerprint::of(&before) {
            return None;
        }
        let unchanged = Unchanged {
            rel: path.to_string(),
            was: fingerprint,
            atime: (before.atime(), before.atime_nsec()),
        };
        Some(FileOutcome::InPlace(
            ManifestFile {
                path: path.to_string(),
                size,
                sha256,
                mode,
                kind: FileKind::File,
            },
            unchanged,
        ))
    }
}

/// Threads a restore or check reads files on, at most.
const RESTORE_THREADS: usize = 4;

/// One file of a snapshot, read back.
enum FileOutcome {
    /// Read whole (and written, when restoring), with its sha256.
    Read(ManifestFile),
    /// Restoring in place: the live file already holds it (hashed from
    /// the disk), so it was not written.
    InPlace(ManifestFile, Unchanged),
    /// Its blobs are damaged in the repository: the problem, naming it.
    Damaged(Problem),
    /// Writing it into staging failed.
    Failed(BackupError),
}

/// Reads one file of the snapshot, hashing it, and with `into` writes it
/// there (created new and private, never through a link).
fn read_one(
    repo: &Repository<IndexedFullStatus>,
    path: &str,
    node: &Node,
    into: Option<&Path>,
) -> FileOutcome {
    let mut out = match into {
        Some(staging) => {
            let target = staging.join(path);
            let opened = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
                .open(&target);
            match opened {
                Ok(file) => Some((file, target)),
                Err(source) => {
                    return FileOutcome::Failed(BackupError::Write {
                        path: target,
                        source,
                    });
                }
            }
        }
        None => None,
    };
    let mut hasher = super::HashingWriter::new(io::sink());
    // Told from the first bytes read, not by opening the staged file again.
    let mut sqlite = None;
    let read = read_file(repo, node, |chunk| {
        sqlite.get_or_insert_with(|| super::scope::has_sqlite_magic(chunk));
        hasher.write_all(chunk)?;
        if let Some((file, _)) = &mut out {
            file.write_all(chunk)?;
        }
        Ok(())
    });
    match read {
        Ok(()) => {}
        Err(FileRead::Repository(e)) => {
            return FileOutcome::Damaged(Problem::FileDamaged {
                path: path.to_string(),
                cause: describe(&e),
            });
        }
        Err(FileRead::Write(source)) => {
            let target = out.map(|(_, t)| t).unwrap_or_default();
            return FileOutcome::Failed(BackupError::Write {
                path: target,
                source,
            });
        }
    }
    let (_, sha256, size) = hasher.finish();
    let mode = node.meta.mode.unwrap_or(0o644) & 0o777;
    let mut kind = FileKind::File;
    if let Some((file, target)) = out {
        // No fsync per file: a restore flushes the whole filesystem once
        // after the swap and before its journal says the files are placed
        // (until then the next start puts the previous files back), and a
        // drill's files are thrown away.
        if let Err(source) = file.set_permissions(std::fs::Permissions::from_mode(mode)) {
            return FileOutcome::Failed(BackupError::Write {
                path: target,
                source,
            });
        }
        // The snapshot's times, as restic restores them: a later restore
        // then finds the file unchanged by its mtime and content.
        if let Some(mtime) = node.meta.mtime {
            let atime = node.meta.atime.unwrap_or(mtime);
            let times = std::fs::FileTimes::new()
                .set_modified(mtime.into())
                .set_accessed(atime.into());
            if let Err(source) = file.set_times(times) {
                return FileOutcome::Failed(BackupError::Write {
                    path: target,
                    source,
                });
            }
        }
        if sqlite == Some(true) {
            kind = FileKind::Sqlite;
        }
    }
    FileOutcome::Read(ManifestFile {
        path: path.to_string(),
        size,
        sha256,
        mode,
        kind,
    })
}

/// What reading a snapshot back found.
pub(crate) struct ReadBack {
    /// The files read (with their sha256 as read back).
    pub manifest: Manifest,
    pub problems: Vec<Problem>,
    pub bytes: u64,
    /// Restoring in place: the live files already holding what the
    /// snapshot has (not written into staging), as they were then.
    pub in_place: HashMap<String, Unchanged>,
}

enum FileRead {
    Repository(Box<RusticError>),
    Write(io::Error),
}

fn read_file(
    repo: &Repository<IndexedFullStatus>,
    node: &Node,
    mut sink: impl FnMut(&[u8]) -> io::Result<()>,
) -> Result<(), FileRead> {
    let open = repo.open_file(node).map_err(FileRead::Repository)?;
    let size = node.meta.size as usize;
    let mut offset = 0;
    while offset < size {
        let bytes = repo
            .read_file_at(&open, offset, CHUNK.min(size - offset))
            .map_err(FileRead::Repository)?;
        if bytes.is_empty() {
            return Err(FileRead::Repository(RusticError::new(
                ErrorKind::Verification,
                "the file ends early",
            )));
        }
        sink(&bytes).map_err(FileRead::Write)?;
        offset += bytes.len();
    }
    Ok(())
}

/// Removes the snapshots of `records` and then the data only they used;
/// returns the bytes the repository's packs shrank by.
pub(crate) fn forget(backups: &Backups, records: &[&BackupRecord]) -> Result<u64, BackupError> {
    if records.is_empty() {
        return Ok(0);
    }
    let repo = open(backups)?;
    // A snapshot already gone (forgotten by restic itself) needs nothing.
    let present = repo
        .get_all_snapshots()
        .map_err(|e| repo_error(backups, e))?;
    let ids: Vec<_> = present
        .iter()
        .filter(|snap| {
            records
                .iter()
                .any(|r| snapshot_of(r) == Some(snap.id.to_hex().as_str()))
        })
        .map(|snap| snap.id)
        .collect();
    let before = packs_size(backups.dir());
    repo.delete_snapshots(&ids)
        .map_err(|e| repo_error(backups, e))?;
    let mut options = PruneOptions::default();
    // Steward holds the backup directory's lock, and unless an offsite copy
    // is reading the repository, the copy lock: nothing else is reading.
    // While a copy reads, unused packs are only marked, deleted by a later
    // prune (restic's way with readers about).
    let paused = super::offsite::copies_paused(backups);
    options.instant_delete = paused.is_some();
    let plan = repo
        .prune_plan(&options)
        .map_err(|e| repo_error(backups, e))?;
    repo.prune(&options, plan)
        .map_err(|e| repo_error(backups, e))?;
    Ok(before.saturating_sub(packs_size(backups.dir())))
}

/// Bytes under the repository's `data/`.
pub fn packs_size(dir: &Path) -> u64 {
    fn walk(dir: &Path) -> u64 {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return 0;
        };
        entries
            .filter_map(Result::ok)
            .map(|e| match e.file_type() {
                Ok(t) if t.is_dir() => walk(&e.path()),
                Ok(t) if t.is_file() => e.metadata().map_or(0, |m| m.len()),
                _ => 0,
            })
            .sum()
    }
    walk(&dir.join("data"))
}

/// The record's fields a snapshot fills in once saved.
pub(crate) fn complete(record: &mut BackupRecord, snap: &SnapshotFile, files: &[SourceFile]) {
    record.status = super::BackupStatus::Completed;
    record.completed_at = Some(Utc::now());
    record
        .metadata
        .insert(SNAPSHOT_KEY.into(), snap.id.to_hex().as_str().to_string());
    let summary = snap.summary.as_ref();
    // Each snapshot's own added size: what it stored that no earlier one had.
    record.compressed_size = summary.map_or(0, |s| s.data_added_packed);
    record.size_bytes = files
        .iter()
        .map(|f| f.size)
        .sum::<u64>()
        .max(summary.map_or(0, |s| s.total_bytes_processed));
    record.file_count = files.len() as u64;
    record.checksum = None;
    record.compressed = true;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::store::Store;

    /// Entries as given, whatever their type or name: a snapshot another
    /// tool (or an attacker with the password) could have written.
    struct Crafted(Vec<(PathBuf, Node, Option<PathBuf>)>);

    impl ReadSource for Crafted {
        type Open = OpenEntry;
        type Iter = std::vec::IntoIter<RusticResult<ReadSourceEntry<OpenEntry>>>;
        fn size(&self) -> RusticResult<Option<u64>> {
            Ok(None)
        }
        fn entries(&self) -> Self::Iter {
            self.0
                .iter()
                .map(|(path, node, open)| {
                    Ok(ReadSourceEntry {
                        path: path.clone(),
                        node: node.clone(),
                        open: open.clone().map(|path| OpenEntry {
                            from: From::Path(path),
                            trouble: Arc::default(),
                        }),
                    })
                })
                .collect::<Vec<_>>()
                .into_iter()
        }
    }

    fn backups(dir: &Path) -> Backups {
        std::fs::create_dir_all(dir.join("bot")).unwrap();
        let file = dir.join("steward.toml");
        std::fs::write(
            &file,
            "[bot]\nroot = \"bot\"\n[safety]\nmin_disk_space_mb = 0\n[backup]\nformat = \"restic\"\n",
        )
        .unwrap();
        let config = Config::load(&file, false).unwrap();
        let store = Store::open(&config.paths.data.join("steward.sled")).unwrap();
        Backups::open(&config, store).unwrap()
    }

    /// A record of a snapshot of `entries`, stored under the bot's root.
    fn hostile_snapshot(
        backups: &Backups,
        entries: Vec<(&str, Node, Option<PathBuf>)>,
    ) -> BackupRecord {
        let repo = open(backups).unwrap().to_indexed_ids().unwrap();
        let root = backups.root.clone();
        let source = Crafted(
            entries
                .into_iter()
                .map(|(rel, node, open)| (root.join(rel), node, open))
                .collect(),
        );
        let snap = SnapshotOptions::default().to_snapshot().unwrap();
        let snap = repo
            .archive(
                &BackupOptions::default(),
                &source,
                snap,
                std::slice::from_ref(&root),
            )
            .unwrap();
        let mut metadata = std::collections::BTreeMap::new();
        metadata.insert(
            SNAPSHOT_KEY.to_string(),
            snap.id.to_hex().as_str().to_string(),
        );
        BackupRecord {
            id: "backup_hostile".into(),
            name: None,
            backup_type: super::super::BackupType::Full,
            status: super::super::BackupStatus::Completed,
            file_path: backups.dir().to_path_buf(),
            paths: vec![],
            size_bytes: 0,
            compressed_size: 0,
            file_count: 0,
            created_at: Utc::now(),
            completed_at: None,
            description: None,
            checksum: None,
            auto_created: false,
            compressed: true,
            verification: None,
            error: None,
            metadata,
        }
    }

    fn file_node(name: &str, size: u64) -> Node {
        let meta = Metadata {
            mode: Some(0o644),
            size,
            ..Metadata::default()
        };
        Node::new_node(OsStr::new(name), NodeType::File, meta)
    }

    fn refused(entries: Vec<(&str, Node, Option<PathBuf>)>, expected: &str) {
        let dir = tempfile::tempdir().unwrap();
        let backups = backups(dir.path());
        let content = dir.path().join("content");
        std::fs::write(&content, "owned\n").unwrap();
        let mut all = vec![(
            "a-good-file",
            file_node("a-good-file", 6),
            Some(content.clone()),
        )];
        all.extend(entries);
        let record = hostile_snapshot(&backups, all);
        let staging = dir.path().join("staging");
        let read = read_back(&backups, &record, Some(&staging), None).unwrap();
        assert!(
            read.problems
                .iter()
                .any(|p| p.to_string().contains(expected)),
            "{:?}",
            read.problems
        );
        assert!(
            !staging.exists(),
            "nothing is written for a refused snapshot"
        );
        let err = manifest_of(&backups, &record).unwrap().1;
        assert!(!err.is_empty(), "a restore preview refuses it too");
    }

    #[test]
    fn a_new_repository_keys_its_password_in_restics_memory_and_packs_as_restic_does() {
        let dir = tempfile::tempdir().unwrap();
        let backups = backups(dir.path());
        let repo = open(&backups).unwrap();
        let keys: Vec<_> = std::fs::read_dir(backups.dir().join("keys"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(keys.len(), 1, "{keys:?}");
        let key: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&keys[0]).unwrap()).unwrap();
        let [n, r, p] = ["N", "r", "p"].map(|k| key[k].as_u64().unwrap());
        // scrypt needs 128 * N * r bytes: what restic's own keys use at most.
        assert!(
            128 * n * r <= 32 << 20,
            "a key needing {} MiB",
            (128 * n * r) >> 20
        );
        // As much work per password guess as the crate's default (2^17, 8, 1).
        assert!(n * r * p >= (1 << 17) * 8, "N={n} r={r} p={p}");
        let (size, _, limit) = repo
            .config()
            .packsize(rustic_core::repofile::BlobType::Data);
        assert_eq!((size >> 20, limit >> 20), (16, 32));
    }

    #[test]
    fn restore_refuses_a_snapshot_holding_a_symlink() {
        let link = Node::new_node(
            OsStr::new("escape"),
            NodeType::from_link(Path::new("/etc/passwd")),
            Metadata::default(),
        );
        refused(vec![("escape", link, None)], "escape: a symlink is refused");
    }

    #[test]
    fn restore_refuses_a_snapshot_holding_a_device() {
        let dev = Node::new_node(
            OsStr::new("disk"),
            NodeType::Dev { device: 2049 },
            Metadata::default(),
        );
        refused(
            vec![("disk", dev, None)],
            "disk: a device, fifo or socket is refused",
        );
    }

    #[test]
    fn restore_refuses_a_snapshot_with_a_parent_dir_entry() {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("evil");
        std::fs::write(&content, "evil\n").unwrap();
        // Stored under the root, named ".." in the tree.
        refused(
            vec![("zz", file_node("..", 5), Some(content))],
            "..: the path leaves the bot's root",
        );
    }

    /// Reads the copy at `path` as the archiver does, while its check runs
    /// on a thread of its own: what the read gave, and what the backup
    /// fails with.
    fn read_while_checked(path: &Path) -> (io::Result<Vec<u8>>, Option<BackupError>) {
        let check = Arc::new(crate::sqlite::Check::default());
        let trouble = Arc::new(Trouble::default());
        let open = OpenEntry {
            from: From::Copy(DatabaseCopy {
                path: path.to_path_buf(),
                rel: "data/guild.sqlite3".into(),
                check: check.clone(),
            }),
            trouble: trouble.clone(),
        };
        let mut reader = open.open().unwrap();
        let read = std::thread::scope(|s| {
            s.spawn(|| check.run(path));
            let mut bytes = Vec::new();
            reader.read_to_end(&mut bytes).map(|_| bytes)
        });
        drop(reader);
        let failed = trouble.failed.lock().unwrap().take();
        (read, failed)
    }

    #[test]
    fn a_database_copy_that_fails_its_check_cannot_be_read_to_its_end() {
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join("0.sqlite3");
        crate::sqlite::tests::damaged_database(&copy);
        let (read, failed) = read_while_checked(&copy);
        let failed = failed.expect("the backup fails");
        let words = failed.to_string();
        assert!(
            words.starts_with("database data/guild.sqlite3 fails its integrity check: "),
            "{words}"
        );
        assert!(
            matches!(&failed, BackupError::DatabaseCorrupt { path, .. } if path == "data/guild.sqlite3"),
            "{failed:?}"
        );
        let error = read.expect_err("the archiver must not get the copy's end");
        assert_eq!(error.to_string(), words);
        assert!(
            copy.exists(),
            "a copy not taken is left to the backup's cleanup"
        );
    }

    #[test]
    fn a_database_copy_that_passes_its_check_is_read_whole_and_then_removed() {
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join("0.sqlite3");
        rusqlite::Connection::open(&copy)
            .unwrap()
            .execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
            .unwrap();
        let bytes = std::fs::read(&copy).unwrap();
        let (read, failed) = read_while_checked(&copy);
        assert!(failed.is_none(), "{failed:?}");
        assert!(read.unwrap() == bytes, "the copy is read whole");
        assert!(!copy.exists(), "the copy read to its end is removed");
    }
}
