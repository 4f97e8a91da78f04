//! Backups of the managed bot: one file per verb (`create`, `list`, `verify`,
//! `restore`, `prune`), the archive's `manifest`, the `scope` of each backup
//! type, SQLite snapshots, a parallel gzip writer and the safe `extract` that
//! restores (and release downloads) unpack through; a restore's journaled
//! `swap` writes into the bot's root only through a `dir_handle`. Records
//! live in the store; archives in the backup directory. Nothing here talks
//! to a front.

// The vocabulary of the layer below, under the names this crate's modules use.
pub(crate) use steward_core::{config, dir_handle, progress, session, store};

pub mod create;
mod disk;
pub use disk::{free_bytes, sync_dir, write_atomically};
pub mod export;
pub mod extract;
mod fault;
pub mod gzip;
pub mod import;
mod journal;
pub mod list;
pub mod manifest;
pub mod offsite;
pub mod problem;
pub mod prune;
mod recover;
pub use recover::recover_restores;
pub mod repository;
pub mod restore;
mod scope;
pub mod sqlite;
mod swap;
pub mod verify;

use std::collections::BTreeMap;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

pub use create::{CreateRequest, Created};
pub use extract::{ExtractError, Extracted, Limits, extract_tar, extract_tar_gz};
pub use list::{ListRequest, Listing, Range, SortBy};
pub use prune::{Pruned, Removal, RemovedBackup};
pub use restore::{BotControl, BotControlError, Preview, RestoreRequest, Restored, UndoCause};
pub use verify::{DatabaseCheck, Drill, VerifyOutcome};

use crate::config::{BackupConfig, Config, Safety};
use crate::progress::ProgressSender;
use crate::store::{Store, StoreError, Tree};

const RECORDS: &str = "backups";
const NAMES: &str = "backup_names";

/// The backup types of the command reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum BackupType {
    Full,
    Database,
    Config,
    #[value(name = "data_only")]
    DataOnly,
}

impl BackupType {
    pub fn as_str(self) -> &'static str {
        match self {
            BackupType::Full => "full",
            BackupType::Database => "database",
            BackupType::Config => "config",
            BackupType::DataOnly => "data_only",
        }
    }
}

/// What part of a backup a restore puts back. `database`, `config` and
/// `data` do not overlap: `data` is the data files that are not databases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum RestoreType {
    All,
    Database,
    Config,
    Data,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackupStatus {
    InProgress,
    Completed,
    Failed,
}

/// The last time an archive was checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verification {
    pub at: DateTime<Utc>,
    pub ok: bool,
    /// Whether the check included a restore drill.
    pub drill: bool,
    pub problems: Vec<String>,
    /// The same, typed, so fronts word them (`problems` is the English).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<problem::Problem>,
}

/// One backup, as stored (the fields of the original `Backup` record).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackupRecord {
    pub id: String,
    pub name: Option<String>,
    pub backup_type: BackupType,
    pub status: BackupStatus,
    /// The archive.
    pub file_path: PathBuf,
    /// The patterns (relative to the bot's root) the backup covered.
    pub paths: Vec<String>,
    /// Sum of the files' sizes.
    pub size_bytes: u64,
    /// Size of the archive.
    pub compressed_size: u64,
    pub file_count: u64,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub description: Option<String>,
    /// sha256 of the archive file.
    pub checksum: Option<String>,
    /// Made by Steward itself (before an update), not asked for.
    pub auto_created: bool,
    pub compressed: bool,
    pub verification: Option<Verification>,
    /// Why it failed, when it did.
    pub error: Option<String>,
    /// Bot version, logs included, Steward version, files skipped.
    pub metadata: BTreeMap<String, String>,
}

#[derive(Debug, Error)]
pub enum BackupError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot prepare the backup directory {path}: {source}")]
    Dir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("another backup or restore is running")]
    Busy,
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("backup pattern {pattern:?} is not a valid glob: {message}")]
    Pattern { pattern: String, message: String },
    #[error("a {backup_type} backup covers no files")]
    NothingToBackUp { backup_type: &'static str },
    #[error("the name {name:?} is already used by {id}")]
    NameTaken { name: String, id: String },
    #[error("a backup name must be 1-100 characters and not start with \"backup_\"")]
    InvalidName { name: String },
    #[error("no backup {0}")]
    NotFound(String),
    #[error("backup {id} is {status:?}, not completed")]
    NotCompleted { id: String, status: BackupStatus },
    #[error("{free_mb} MiB free at {path}, {needed_mb} MiB needed")]
    LowDiskSpace {
        path: PathBuf,
        free_mb: u64,
        needed_mb: u64,
    },
    #[error("cannot copy database {path}: {message}")]
    DatabaseCopy {
        path: String,
        message: sqlite::SqliteError,
    },
    #[error("database {path} fails its integrity check: {message}")]
    DatabaseCorrupt {
        path: String,
        message: sqlite::SqliteError,
    },
    #[error("{path} changed while it was being backed up")]
    FileChanged { path: String },
    #[error("backup {id} failed verification: {}", problem::english(problems).join("; "))]
    VerificationFailed {
        id: String,
        problems: Vec<problem::Problem>,
    },
    #[error("backup {id} has no {restore_type:?} files to restore")]
    NothingToRestore {
        id: String,
        restore_type: RestoreType,
    },
    #[error(transparent)]
    Extract(#[from] ExtractError),
    #[error("putting {path} in place failed ({source}); every file was put back")]
    Swap {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{source}; nothing was changed")]
    InTheWay { source: dir_handle::HandleError },
    #[error("the backup cannot be put back file by file ({}); nothing was changed", problem::english(problems).join("; "))]
    ConflictingPaths { problems: Vec<problem::Problem> },
    #[error(
        "{cause}, and putting the previous files back failed too ({}): they are kept in {kept}, and the next start of steward puts them back",
        swap::joined(problems)
    )]
    NotPutBack {
        cause: restore::UndoCause,
        /// What could not be put back, each as the filesystem refused it.
        problems: Vec<dir_handle::HandleError>,
        kept: PathBuf,
    },
    #[error("the bot could not be stopped: {source}")]
    BotStop { source: restore::BotControlError },
    #[error("the bot did not start after the restore ({source}); the previous files were put back")]
    BotStart { source: restore::BotControlError },
    #[error(
        "the password does not open the backup repository {path} ([backup] password_file or {env}); nothing was changed",
        env = repository::PASSWORD_ENV
    )]
    WrongPassword { path: PathBuf },
    #[error(
        "the backup repository {path} exists but no password is configured: set [backup] password_file or {env}",
        env = repository::PASSWORD_ENV
    )]
    NoPassword { path: PathBuf },
    #[error("the backup repository {path} cannot be used: {message}")]
    Repository { path: PathBuf, message: String },
    /// A restore's snapshot is gone from the local repository, and no
    /// offsite target gave it back: what each one `tried` said.
    #[error(
        "the backup repository {path} cannot be used: backup {id} is not in the local repository, and no offsite target gave it back ({})",
        offsite::joined(tried)
    )]
    NotBroughtBack {
        path: PathBuf,
        id: String,
        tried: Vec<steward_core::failure::OffsiteFault>,
    },
    #[error("importing an archive needs the repository: set [backup] format = \"restic\"")]
    ImportNeedsRepository,
    #[error("backup {id} is already in the repository")]
    Exists { id: String },
}

/// The backup directory and the records of what is in it.
#[derive(Clone)]
pub struct Backups {
    pub(crate) settings: BackupConfig,
    pub(crate) safety: Safety,
    /// The managed bot's root.
    pub(crate) root: PathBuf,
    /// Steward's data directory (left out of backups if inside the root).
    pub(crate) data_dir: PathBuf,
    pub(crate) store: Store,
    pub(crate) records: Tree<BackupRecord>,
    pub(crate) names: Tree<String>,
    /// Who hears how far a create or restore is.
    progress: Option<ProgressSender>,
    /// The password file Steward created while this handle was in use (the
    /// answer of that command tells the operator to keep a copy).
    pub(crate) password_created: std::sync::Arc<std::sync::Mutex<Option<PathBuf>>>,
}

impl Backups {
    /// Opens the backup directory (creating it private) and cleans up what
    /// an interrupted run left behind, unless a backup is running right now.
    pub fn open(config: &Config, store: Store) -> Result<Backups, BackupError> {
        let dir = &config.backup.path;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|source| BackupError::Dir {
                path: dir.clone(),
                source,
            })?;
        let backups = Backups {
            settings: config.backup.clone(),
            safety: config.safety.clone(),
            root: config.bot.root.clone(),
            data_dir: config.paths.data.clone(),
            records: store.tree(RECORDS)?,
            names: store.tree(NAMES)?,
            store,
            progress: None,
            password_created: Default::default(),
        };
        if let Some(_lock) = backups.lock_if_free()? {
            recover::clean_leftovers(&backups)?;
        }
        Ok(backups)
    }

    /// The same backups, telling `progress` how far each create or restore is.
    pub fn reporting_to(mut self, progress: Option<ProgressSender>) -> Backups {
        self.progress = progress;
        self
    }

    pub(crate) fn report(&self, percent: u8, step: impl Into<crate::progress::Step>) {
        if let Some(p) = &self.progress {
            p.report(percent, step);
        }
    }

    pub fn dir(&self) -> &Path {
        &self.settings.path
    }

    /// The repository's password file, when Steward created it since the
    /// last call: said once, in the answer of the command that made it.
    pub fn take_password_created(&self) -> Option<PathBuf> {
        self.password_created
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }

    /// The record with this id, or with this name.
    pub fn get(&self, id_or_name: &str) -> Result<BackupRecord, BackupError> {
        if let Some(record) = self.records.get(id_or_name)? {
            return Ok(record);
        }
        if let Some(id) = self.names.get(id_or_name)?
            && let Some(record) = self.records.get(&id)?
        {
            return Ok(record);
        }
        // A snapshot restic itself made since the last listing.
        if repository::adopted_id(id_or_name)
            && repository::adopt_foreign(self)? > 0
            && let Some(record) = self.records.get(id_or_name)?
        {
            return Ok(record);
        }
        Err(BackupError::NotFound(id_or_name.to_string()))
    }

    /// A completed backup, ready to be read.
    pub fn completed(&self, id_or_name: &str) -> Result<BackupRecord, BackupError> {
        let record = self.get(id_or_name)?;
        if record.status != BackupStatus::Completed {
            return Err(BackupError::NotCompleted {
                id: record.id,
                status: record.status,
            });
        }
        Ok(record)
    }

    pub fn all(&self) -> Result<Vec<BackupRecord>, BackupError> {
        Ok(self.records.values()?)
    }

    /// Writes `record` durably.
    pub(crate) fn save(&self, record: &BackupRecord) -> Result<(), BackupError> {
        self.records.insert(&record.id, record)?;
        self.store.flush()?;
        Ok(())
    }

    /// The directory lock, waiting for nobody: `Busy` when held elsewhere.
    pub(crate) fn lock(&self) -> Result<disk::DirLock, BackupError> {
        self.lock_if_free()?.ok_or(BackupError::Busy)
    }

    fn lock_if_free(&self) -> Result<Option<disk::DirLock>, BackupError> {
        disk::DirLock::try_acquire(self.dir()).map_err(|source| BackupError::Dir {
            path: self.dir().to_path_buf(),
            source,
        })
    }

    /// Directories inside the bot's root that are Steward's, never the bot's.
    pub(crate) fn own_dirs(&self) -> Vec<PathBuf> {
        vec![self.data_dir.clone(), self.settings.path.clone()]
    }

    /// Refuses to start when less than `needed` bytes plus the configured
    /// margin are free at `path`.
    pub(crate) fn check_space(&self, path: &Path, needed: u64) -> Result<(), BackupError> {
        let free = disk::free_bytes(path).map_err(|source| BackupError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let margin = self.safety.min_disk_space_mb * 1024 * 1024;
        if free < needed.saturating_add(margin) {
            return Err(BackupError::LowDiskSpace {
                path: path.to_path_buf(),
                free_mb: free / (1024 * 1024),
                needed_mb: (needed + margin).div_ceil(1024 * 1024),
            });
        }
        Ok(())
    }
}

/// sha256 of everything read through it.
pub(crate) struct HashingReader<R> {
    inner: R,
    hasher: sha2::Sha256,
    count: u64,
}

impl<R> HashingReader<R> {
    pub fn new(inner: R) -> Self {
        HashingReader {
            inner,
            hasher: sha2::Digest::new(),
            count: 0,
        }
    }

    pub fn finish(self) -> (String, u64) {
        (hex::encode(sha2::Digest::finalize(self.hasher)), self.count)
    }
}

impl<R: std::io::Read> std::io::Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        sha2::Digest::update(&mut self.hasher, &buf[..n]);
        self.count += n as u64;
        Ok(n)
    }
}

/// sha256 of everything written through it.
pub(crate) struct HashingWriter<W> {
    inner: W,
    hasher: sha2::Sha256,
    count: u64,
}

impl<W> HashingWriter<W> {
    pub fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            hasher: sha2::Digest::new(),
            count: 0,
        }
    }

    pub fn finish(self) -> (W, String, u64) {
        (
            self.inner,
            hex::encode(sha2::Digest::finalize(self.hasher)),
            self.count,
        )
    }
}

impl<W: std::io::Write> std::io::Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        sha2::Digest::update(&mut self.hasher, &buf[..n]);
        self.count += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Worker threads for CPU-bound work: every core.
pub(crate) fn threads() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}
