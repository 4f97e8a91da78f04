//! Why an install or a rollback failed, when Steward says it itself: typed,
//! so each front words it in its own language (`Display` is the English the
//! CLI prints and the session's `error` keeps; Discord words it through its
//! catalogues). What came from outside Steward — a tool's output, an exit
//! status as the system words it, a provider's own error, a path, an OS
//! error — stays inside as given. It decides nothing.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use crate::problem::Problem;

/// Why a run failed, or one thing a rollback could not undo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Failure {
    /// A plan step's command exited with `status`; `output` is the end of
    /// what it printed.
    StepExit {
        provider: String,
        step: String,
        program: String,
        status: i32,
        output: String,
    },
    /// A plan step failed otherwise.
    StepFailed {
        provider: String,
        step: String,
        error: StepFault,
    },
    /// After the restart, the bot failed its health probation; `tail` is
    /// the bot's last output.
    Probation {
        reason: Unhealthy,
        tail: Vec<String>,
    },
    /// After the restart, the bot did not start: `program` could not be run.
    BotDidNotStart { program: String, error: String },
    /// After the restart, the bot could not be brought up otherwise.
    Restart { fault: BotFault },
    /// `[safety] test_command` stopped the update before it went live.
    TestGate { error: GateFault },
    /// The impact watch found a severe regression, and
    /// `safety.impact_rollback_on_severe` rolls it back.
    SevereRegression { regressions: String },
    /// A provider's `plan` failed (`error` is the provider's, as given).
    CannotPlan {
        provider: String,
        error: ProviderFault,
    },
    /// A provider's `capture` failed, so nothing was changed.
    CannotCapture {
        provider: String,
        error: ProviderFault,
    },
    /// The pre-update backup failed, so nothing was changed.
    PreUpdateBackup {
        #[serde(flatten)]
        failed: BackupFailure,
    },
    /// A provider's `verify` did not confirm the update.
    NotConfirmed {
        provider: String,
        error: ProviderFault,
    },
    /// The run failed and `safety.rollback_on_failure` is off, so nothing
    /// was put back.
    NotRolledBack { failure: Box<Failure> },
    /// Steward stopped during the update and rolled it back at its next
    /// start; `not_undone` is what that could not put back.
    Interrupted {
        phase: Phase,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        not_undone: Vec<Failure>,
    },

    // What a rollback (of a failed install, or `rollback`) could not undo.
    /// The journal could not be written.
    Journal { error: String },
    /// The provider that made the changes is no longer loaded.
    ProviderGone { provider: String },
    /// The provider's recorded state does not decode.
    StateDamaged { provider: String, error: String },
    /// A provider's `restore-plan` failed (`error` is the provider's).
    CannotPlanRestore {
        provider: String,
        error: ProviderFault,
    },
    /// A provider's restore could not start.
    RestoreRefused { provider: String, error: StepFault },
    /// Steps of a provider's restore plan failed (the others ran).
    RestoreStepsFailed {
        provider: String,
        failed: Vec<FailedStep>,
    },
    /// The release directories of the undone update are still there.
    NotRemoved {
        provider: String,
        failed: Vec<StepFault>,
    },
    /// The database could not be restored from the pre-update backup.
    DatabaseNotRestored {
        backup: String,
        #[serde(flatten)]
        failed: BackupFailure,
    },
    /// The bot could not be restarted on its old version.
    OldVersionNotRestarted { fault: BotFault },
    /// `rollback last_backup`: the backup could not be restored.
    BackupNotRestored {
        backup: String,
        #[serde(flatten)]
        failed: BackupFailure,
    },
    /// `rollback last_backup`: the bot could not be restarted.
    BotNotRestarted { fault: BotFault },
    /// `rollback`: a provider's `verify` did not confirm it.
    RollbackNotConfirmed {
        provider: String,
        error: ProviderFault,
    },
    /// `rollback`: the backup of the present failed, so nothing changed.
    BackupBeforeRollback {
        #[serde(flatten)]
        failed: BackupFailure,
    },
    /// Several of the above, in the order they happened.
    Several { failures: Vec<Failure> },
    /// The safety checks refused the install before anything changed.
    Stopped { findings: Vec<SafetyFinding> },
    /// The install was put up for confirmation and not confirmed:
    /// cancelled, or (`unanswered`) the prompt timed out.
    Cancelled { unanswered: bool },
}

/// A backup or a restore's failure inside a reason: `error` is the
/// backup's English, `detail` the same typed when it is one a front words.
/// Flattened into each variant that carries one, so the stored shape is
/// `{"kind":…,"error":…,"detail":…}` as before it was one struct.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupFailure {
    pub error: String,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_detail"
    )]
    pub detail: Option<BackupFault>,
}

/// Why a backup or a restore failed, for the failures a front words
/// itself; `Display` is the backup's own English, word for word. Any other
/// backup failure is kept only as the English `error` beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BackupFault {
    /// Another backup or restore is running.
    Busy,
    /// `free_mib` free where the backup goes, `needed_mib` needed.
    LowDiskSpace {
        path: String,
        free_mib: u64,
        needed_mib: u64,
    },
    /// A backup of `backup_type` (a `[backup.types]` table) covers no files.
    NothingToBackUp { backup_type: String },
    /// A database fails SQLite's integrity check (`error` is SQLite's).
    DatabaseCorrupt { path: String, error: String },
    /// A file changed while it was being backed up.
    FileChanged { path: String },
    /// The backup failed verification: `problems` in English (what an older
    /// Steward reads, and what the CLI prints), `found` the same typed so
    /// each front words them; absent from a session an older Steward wrote
    /// (then `problems` is all there is).
    VerificationFailed {
        id: String,
        problems: Vec<String>,
        #[serde(
            default,
            skip_serializing_if = "Vec::is_empty",
            deserialize_with = "lenient_problems"
        )]
        found: Vec<Problem>,
    },
    /// There is no such backup.
    NotFound { id: String },
    /// The backup holds no files of `restore_type` (as the English names it).
    NothingToRestore { id: String, restore_type: String },
    /// Putting `path` in place failed; every file was put back.
    Swap { path: String, error: String },
    /// The bot could not be stopped for the restore; `bot` is why, typed,
    /// when Steward's supervisor said it (absent in records of an older
    /// Steward and for another bot control).
    BotStop {
        error: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        bot: Option<Box<BotFault>>,
    },
    /// The bot did not start on the restored files; the previous ones were
    /// put back. `bot` as for `BotStop`.
    BotStart {
        error: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        bot: Option<Box<BotFault>>,
    },
    /// The backup directory cannot be prepared (`error` is the system's).
    Dir { path: String, error: String },
    /// A file cannot be read (`error` is the system's).
    Read { path: String, error: String },
    /// A file cannot be written (`error` is the system's).
    Write { path: String, error: String },
    /// The password does not open the repository; `env` is the variable
    /// that can hold it.
    WrongPassword { path: String, env: String },
    /// The repository exists but no password is configured.
    NoPassword { path: String, env: String },
    /// The repository cannot be used (`error` is rustic's or restic's).
    Repository { path: String, error: String },
    /// Backup `id` is not in the local repository at `path`, and no
    /// offsite target gave it back: what each one `tried` said.
    NotBroughtBack {
        path: String,
        id: String,
        tried: Vec<OffsiteFault>,
    },
    /// A backup pattern is not a valid glob (`error` is the glob parser's).
    Pattern { pattern: String, error: String },
    /// A database cannot be copied (`error` is SQLite's).
    DatabaseCopy { path: String, error: String },
    /// Something stands where the restore puts a file; nothing was changed.
    InTheWay { problem: PathFault },
    /// The backup cannot be put back file by file: `problems` in English,
    /// `found` the same typed (absent when a newer Steward wrote one in a
    /// shape this one does not know; `problems` still says every one).
    ConflictingPaths {
        problems: Vec<String>,
        #[serde(
            default,
            skip_serializing_if = "Vec::is_empty",
            deserialize_with = "lenient_problems"
        )]
        found: Vec<Problem>,
    },
    /// A restore failed (`cause`), and putting the previous files back
    /// failed too: `problems` could not be put back; they are kept in
    /// `kept`, and the next start of Steward puts them back.
    NotPutBack {
        cause: UndoCause,
        problems: Vec<PathFault>,
        kept: String,
    },
    /// Backup `id` cannot be restored: its `status` is not completed
    /// (`InProgress` or `Failed`, as the English names it).
    NotCompleted { id: String, status: String },
    /// The backup's archive cannot be unpacked.
    Extract { problem: ExtractFault },
}

/// Why an archive could not be unpacked, kept: the shape of
/// `steward_backup::ExtractError`, which holds I/O errors and cannot be
/// stored. `Display` is its English, word for word.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ExtractFault {
    /// The staging directory cannot be created (`error` is the system's).
    Staging { path: String, error: String },
    /// The archive ends early.
    Truncated,
    /// The archive is damaged (`error` is the decoder's).
    Corrupt { error: String },
    /// An entry's path is absolute, has `..`, or is empty.
    UnsafePath { path: String },
    /// An entry is of `entry` type ("symbolic link", "hard link", …, as the
    /// English names it), not a file or a directory.
    ForbiddenType { path: String, entry: String },
    /// An entry's PAX size disagrees with its header's.
    PaxSizeMismatch { path: String, pax: u64, header: u64 },
    /// An entry appears twice.
    Duplicate { path: String },
    /// The archive unpacks to more than `limit` bytes.
    TooLarge { limit: u64 },
    /// The archive holds more than `limit` entries.
    TooManyEntries { limit: u64 },
    /// A file cannot be written (`error` is the system's).
    Write { path: String, error: String },
}

impl fmt::Display for ExtractFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExtractFault::Staging { path, error } => {
                write!(f, "the staging directory {path} cannot be created: {error}")
            }
            ExtractFault::Truncated => f.write_str("the archive is truncated"),
            ExtractFault::Corrupt { error } => write!(f, "the archive is damaged: {error}"),
            ExtractFault::UnsafePath { path } => write!(
                f,
                "entry {path:?} has an unsafe path (absolute, `..`, or empty)"
            ),
            ExtractFault::ForbiddenType { path, entry } => write!(
                f,
                "entry {path:?} is a {entry}; only regular files and directories are accepted"
            ),
            ExtractFault::PaxSizeMismatch { path, pax, header } => write!(
                f,
                "entry {path:?}: its PAX size {pax} disagrees with its header size {header}"
            ),
            ExtractFault::Duplicate { path } => write!(f, "entry {path:?} appears twice"),
            ExtractFault::TooLarge { limit } => {
                write!(f, "the archive unpacks to more than {limit} bytes")
            }
            ExtractFault::TooManyEntries { limit } => {
                write!(f, "the archive holds more than {limit} entries")
            }
            ExtractFault::Write { path, error } => write!(f, "cannot write {path}: {error}"),
        }
    }
}

/// Why an offsite copy failed, when Steward says it itself; what the
/// target's backend said (rustic's, the server's, the system's words)
/// stays inside as given. `Display` is the English the CLI prints and the
/// backup's record keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OffsiteFault {
    /// Something at the target `target` (at `location`, never with a
    /// secret) went wrong.
    Target {
        target: String,
        location: String,
        why: TargetFault,
    },
    /// The local repository could not be read for the copy (`error` is
    /// rustic's).
    LocalRepository { error: String },
    /// A backup failure of the local side (the password, the records).
    Backup {
        #[serde(flatten)]
        failed: BackupFailure,
    },
}

/// What went wrong at an offsite target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TargetFault {
    /// Its backend failed: `error` as the backend says it (the CLI's
    /// words); `cause` is what Steward made of it, when it classified the
    /// failure itself, so each front can word it (absent in records of an
    /// older Steward).
    Backend {
        error: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cause: Option<BackendCause>,
    },
    /// `password_env` names a variable that is not set.
    PasswordEnvUnset { var: String },
    /// `password_file` cannot be read (`error` is the system's).
    PasswordFileUnreadable { path: String, error: String },
    /// `password_file` is empty.
    PasswordFileEmpty { path: String },
    /// Its path is not UTF-8.
    PathNotUtf8,
    /// The local repository's password does not open the repository there.
    WrongPassword,
    /// It holds no repository to copy back from.
    NoRepository,
    /// It holds no copy of the backup a restore needs.
    NoCopy,
    /// The copy lock in `dir` cannot be taken (`error` is the system's).
    CopyLock { dir: String, error: String },
    /// `missing` of the `copied` snapshots are not listed after the copy.
    NotListed { missing: usize, copied: usize },
    /// The copy fails its check there (`error` is rustic's).
    CheckFailed { error: String },
}

/// What Steward made of an offsite backend's failure before the error went
/// through rustic: the server's or the system's own text (`error`, `detail`)
/// stays as given, the rest is Steward's to word.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BackendCause {
    /// The server could not be reached (`error` is the system's).
    Unreachable { error: String },
    /// The server did not answer in time.
    TimedOut,
    /// The server refused the credentials with this HTTP status.
    CredentialsRefused { status: u16 },
    /// Access was denied (`detail` is the server's words, maybe empty).
    AccessDenied { detail: String },
    /// The server answered with this HTTP status (neither success nor a
    /// refusal of the credentials).
    Status { status: u16 },
    /// The server has no `path`.
    Missing { path: String },
}

impl fmt::Display for OffsiteFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OffsiteFault::Target {
                target,
                location,
                why,
            } => write!(f, "offsite target {target} ({location}): {why}"),
            OffsiteFault::LocalRepository { error } => write!(f, "the local repository: {error}"),
            OffsiteFault::Backup { failed } => f.write_str(&failed.error),
        }
    }
}

impl fmt::Display for TargetFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetFault::Backend { error, .. } => f.write_str(error),
            TargetFault::PasswordEnvUnset { var } => write!(
                f,
                "the environment variable {var} (password_env) is not set"
            ),
            TargetFault::PasswordFileUnreadable { path, error } => {
                write!(f, "cannot read password_file {path}: {error}")
            }
            TargetFault::PasswordFileEmpty { path } => write!(f, "password_file {path} is empty"),
            TargetFault::PathNotUtf8 => f.write_str("the path is not UTF-8"),
            TargetFault::WrongPassword => f.write_str(
                "the local repository's password does not open it (a repository made elsewhere?)",
            ),
            TargetFault::NoRepository => f.write_str("holds no repository"),
            TargetFault::NoCopy => f.write_str("has no copy"),
            TargetFault::CopyLock { dir, error } => {
                write!(f, "cannot take the copy lock in {dir}: {error}")
            }
            TargetFault::NotListed { missing, copied } => write!(
                f,
                "{missing} of {copied} copied snapshots are not listed there after the copy"
            ),
            TargetFault::CheckFailed { error } => {
                write!(f, "the copy fails its check there: {error}")
            }
        }
    }
}

/// Why a restore was putting the previous files back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UndoCause {
    /// Moving a restored file into place failed (`error` is the system's).
    PlaceFailed { path: String, error: String },
    /// The bot did not start on the restored files (`error` is the bot's
    /// or the system's, in English; `bot` the same typed, absent in
    /// records older than it).
    BotDidNotStart {
        error: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        bot: Option<Box<BotFault>>,
    },
}

impl fmt::Display for UndoCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UndoCause::PlaceFailed { path, error } => {
                write!(f, "putting {path} in place failed ({error})")
            }
            UndoCause::BotDidNotStart { error, .. } => {
                write!(f, "the bot did not start after the restore ({error})")
            }
        }
    }
}

/// What a restore found at one path, kept: the shape of
/// [`HandleError`](crate::dir_handle::HandleError), which holds an I/O
/// error and cannot be stored. `Display` is its English, word for word.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PathFault {
    /// A symbolic link, which a restore never writes through.
    Symlink { path: String },
    /// `found` ("a file", "a directory", …) where the backup needs `wanted`.
    InTheWay {
        path: String,
        found: String,
        wanted: String,
    },
    /// Not a plain relative path.
    NotRelative { path: String },
    /// The filesystem refused (`error` is the system's).
    Io { path: String, error: String },
}

impl From<&crate::dir_handle::HandleError> for PathFault {
    fn from(e: &crate::dir_handle::HandleError) -> PathFault {
        use crate::dir_handle::HandleError;
        match e {
            HandleError::Symlink { path } => PathFault::Symlink {
                path: path.display().to_string(),
            },
            HandleError::InTheWay {
                path,
                found,
                wanted,
            } => PathFault::InTheWay {
                path: path.display().to_string(),
                found: found.to_string(),
                wanted: wanted.to_string(),
            },
            HandleError::NotRelative { path } => PathFault::NotRelative { path: path.clone() },
            HandleError::Io { path, source } => PathFault::Io {
                path: path.display().to_string(),
                error: source.to_string(),
            },
        }
    }
}

impl fmt::Display for PathFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathFault::Symlink { path } => write!(
                f,
                "{path} is a symbolic link, and a restore never writes through one"
            ),
            PathFault::InTheWay {
                path,
                found,
                wanted,
            } => write!(f, "{path} is {found} where the backup needs {wanted}"),
            PathFault::NotRelative { path } => write!(f, "{path:?} is not a plain relative path"),
            PathFault::Io { path, error } => write!(f, "{path}: {error}"),
        }
    }
}

impl fmt::Display for BackupFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BackupFault::Busy => f.write_str("another backup or restore is running"),
            BackupFault::LowDiskSpace {
                path,
                free_mib,
                needed_mib,
            } => write!(f, "{free_mib} MiB free at {path}, {needed_mib} MiB needed"),
            BackupFault::NothingToBackUp { backup_type } => {
                write!(f, "a {backup_type} backup covers no files")
            }
            BackupFault::DatabaseCorrupt { path, error } => {
                write!(f, "database {path} fails its integrity check: {error}")
            }
            BackupFault::FileChanged { path } => {
                write!(f, "{path} changed while it was being backed up")
            }
            BackupFault::VerificationFailed { id, problems, .. } => {
                write!(
                    f,
                    "backup {id} failed verification: {}",
                    problems.join("; ")
                )
            }
            BackupFault::NotFound { id } => write!(f, "no backup {id}"),
            BackupFault::NothingToRestore { id, restore_type } => {
                write!(f, "backup {id} has no {restore_type} files to restore")
            }
            BackupFault::Swap { path, error } => write!(
                f,
                "putting {path} in place failed ({error}); every file was put back"
            ),
            BackupFault::BotStop { error, .. } => {
                write!(f, "the bot could not be stopped: {error}")
            }
            BackupFault::BotStart { error, .. } => write!(
                f,
                "the bot did not start after the restore ({error}); the previous files were put back"
            ),
            BackupFault::Dir { path, error } => {
                write!(f, "cannot prepare the backup directory {path}: {error}")
            }
            BackupFault::Read { path, error } => write!(f, "cannot read {path}: {error}"),
            BackupFault::Write { path, error } => write!(f, "cannot write {path}: {error}"),
            BackupFault::WrongPassword { path, env } => write!(
                f,
                "the password does not open the backup repository {path} ([backup] password_file or {env}); nothing was changed"
            ),
            BackupFault::NoPassword { path, env } => write!(
                f,
                "the backup repository {path} exists but no password is configured: set [backup] password_file or {env}"
            ),
            BackupFault::Repository { path, error } => {
                write!(f, "the backup repository {path} cannot be used: {error}")
            }
            BackupFault::NotBroughtBack { path, id, tried } => write!(
                f,
                "the backup repository {path} cannot be used: backup {id} is not in the local repository, and no offsite target gave it back ({})",
                joined(tried)
            ),
            BackupFault::Pattern { pattern, error } => {
                write!(f, "backup pattern {pattern:?} is not a valid glob: {error}")
            }
            BackupFault::DatabaseCopy { path, error } => {
                write!(f, "cannot copy database {path}: {error}")
            }
            BackupFault::InTheWay { problem } => write!(f, "{problem}; nothing was changed"),
            BackupFault::ConflictingPaths { problems, .. } => write!(
                f,
                "the backup cannot be put back file by file ({}); nothing was changed",
                problems.join("; ")
            ),
            BackupFault::NotPutBack {
                cause,
                problems,
                kept,
            } => write!(
                f,
                "{cause}, and putting the previous files back failed too ({}): they are kept in {kept}, and the next start of steward puts them back",
                joined(problems)
            ),
            BackupFault::NotCompleted { id, status } => {
                write!(f, "backup {id} is {status}, not completed")
            }
            BackupFault::Extract { problem } => write!(f, "{problem}"),
        }
    }
}

/// A kept backup detail read back leniently: one a newer Steward wrote in a
/// shape this one does not know is left out (the English `error` beside it
/// still says it), and the reason around it stays readable.
fn lenient_detail<'de, D: Deserializer<'de>>(d: D) -> Result<Option<BackupFault>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    Ok(value.and_then(|v| serde_json::from_value(v).ok()))
}

/// Kept problems read back leniently: when a newer Steward wrote one in a
/// shape this one does not know, none is kept typed (the English
/// `problems` beside them still say every one).
fn lenient_problems<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Problem>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    Ok(value
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default())
}

/// One reason the safety checks refuse an install (unless forced). Typed,
/// so fronts decide by the variant; `Display` gives the words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "finding", rename_all = "snake_case")]
pub enum SafetyFinding {
    /// Less free space than `safety.min_disk_space_mb` where the bot or
    /// Steward's data lives.
    LowDiskSpace {
        path: std::path::PathBuf,
        free_mib: u64,
        min_disk_space_mb: u64,
    },
    /// The downloads add up to more than `safety.max_update_size_mb`.
    TooLarge { bytes: u64, max_update_size_mb: u64 },
    /// Major-version updates (`name current → latest` each).
    Breaking { updates: Vec<String> },
    /// Downloads with no `verify_key` to check their signature against.
    Unsigned { provider: String, downloads: usize },
    /// No pre-update backup, while `safety.require_backup_before_update`.
    BackupRequired,
    /// A provider's plan could not be made or held to its grant.
    CannotPlan { provider: String, reason: String },
}

impl std::fmt::Display for SafetyFinding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SafetyFinding::LowDiskSpace {
                path,
                free_mib,
                min_disk_space_mb,
            } => write!(
                f,
                "only {free_mib} MiB free on the disk holding {} (safety.min_disk_space_mb = {min_disk_space_mb})",
                path.display()
            ),
            SafetyFinding::TooLarge {
                bytes,
                max_update_size_mb,
            } => write!(
                f,
                "the update downloads {:.1} MiB, more than safety.max_update_size_mb = {max_update_size_mb}",
                *bytes as f64 / (1024.0 * 1024.0)
            ),
            SafetyFinding::Breaking { updates } => {
                write!(f, "breaking changes: {}", updates.join(", "))
            }
            SafetyFinding::Unsigned {
                provider,
                downloads,
            } => write!(
                f,
                "{provider} plans {downloads} download(s) that cannot be verified: no \
                 [providers.{provider}] verify_key is configured (only the checksum would be checked)"
            ),
            SafetyFinding::BackupRequired => f.write_str(
                "no pre-update backup was asked for, but safety.require_backup_before_update is on",
            ),
            SafetyFinding::CannotPlan { provider, reason } => {
                write!(f, "{provider} could not plan: {reason}")
            }
        }
    }
}

/// Where an interrupted update was when Steward stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Applying,
    Verifying,
    Probation,
    RollingBack,
}

/// One restore step that failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedStep {
    pub step: String,
    pub error: StepFault,
}

/// Why the bot failed its health probation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Unhealthy {
    /// It exited `after_ms` into the probation; `status` as the system
    /// words it (`exit status: 1`), `None` when it was gone with none.
    Exited {
        status: Option<String>,
        after_ms: u64,
    },
    /// It was not ready within `within_secs`: it never printed the ready
    /// `line`, and/or the health `url` never answered.
    NotReady {
        line: Option<String>,
        url: Option<String>,
        within_secs: u64,
    },
}

/// Why a provider's call gave no answer: its own error (its words, as
/// given), or the sandbox stopped it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProviderFault {
    /// The provider ran and returned an error of its own.
    Said {
        message: String,
    },
    Timeout {
        budget_secs: u64,
    },
    OutOfMemory {
        cap_mb: u64,
    },
    StackOverflow {
        cap_kb: u64,
    },
    /// It trapped (`message` is the runtime's).
    Crashed {
        message: String,
    },
    /// It could not be instantiated (`message` is the runtime's).
    Instantiate {
        message: String,
    },
}

/// Why the test gate stopped an update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum GateFault {
    /// The command could not start (`error` is the system's).
    Spawn { program: String, error: String },
    /// It failed: `status` as the system words it.
    Failed { status: String, after_ms: u64 },
    /// It ran past `safety.test_timeout_secs` and was stopped.
    TimedOut { secs: u64 },
}

/// Why the bot could not be started, stopped or restarted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BotFault {
    /// Neither `bot.start` nor `bot.restart_command` is set.
    NotConfigured,
    Spawn {
        program: String,
        error: String,
    },
    /// `bot.restart_command` failed (`message` is what it said).
    RestartCommand {
        program: String,
        message: String,
    },
    AlreadyRunning {
        pid: u32,
    },
    WouldNotStop {
        pid: u32,
    },
    /// `bot.handoff = "ready-file"`: the new version never created its
    /// ready file (or `exited` first); the old one runs on.
    HandoffNotReady {
        ready_file: String,
        within_secs: u64,
        exited: Option<String>,
    },
    Unhealthy {
        reason: Unhealthy,
        tail: Vec<String>,
    },
    Io {
        path: String,
        error: String,
    },
}

/// Why a plan step was refused or failed (short of a command's exit code,
/// [`Failure::StepExit`], in an install).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StepFault {
    /// The provider's grant does not allow it (`reason` is the grant's).
    Denied {
        provider: String,
        reason: String,
    },
    OutsideBotRoot {
        path: String,
        bot_root: String,
    },
    /// It would change Steward's own `what` (its data directory, …).
    StewardOwn {
        provider: String,
        path: String,
        what: String,
    },
    BadPath {
        path: String,
        why: String,
    },
    EnvRefused {
        provider: String,
        program: String,
        name: String,
        why: String,
    },
    CommandNotRun {
        program: String,
        error: String,
    },
    CommandTimeout {
        program: String,
        secs: u64,
    },
    /// A restore step's command exited with `status`.
    CommandFailed {
        program: String,
        status: i32,
        output: String,
    },
    BadChecksum {
        value: String,
    },
    Download {
        url: String,
        error: String,
    },
    HttpStatus {
        url: String,
        status: u16,
    },
    TooLarge {
        url: String,
        limit: u64,
    },
    OverSafetyLimit {
        url: String,
        limit_mb: u64,
    },
    ChecksumMismatch {
        url: String,
        expected: String,
        actual: String,
    },
    SignatureMissing {
        url: String,
        provider: String,
    },
    SignatureUnusable {
        url: String,
        error: String,
    },
    SignatureInvalid {
        url: String,
        error: String,
    },
    Unpack {
        url: String,
        error: String,
    },
    DestinationExists {
        path: String,
    },
    NotReplaceable {
        path: String,
        what: String,
    },
    TargetMissing {
        link: String,
        target: String,
    },
    Io {
        path: String,
        error: String,
    },
}

/// A kept reason read back leniently: one a newer Steward wrote in a shape
/// this one does not know is left out (the English `error` still says it),
/// rather than making the whole record unreadable.
pub fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Failure>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    Ok(value.and_then(|v| serde_json::from_value(v).ok()))
}

/// `after_ms` as the English says it: seconds, one decimal.
pub fn seconds(after_ms: u64) -> String {
    format!("{:.1}", after_ms as f64 / 1000.0)
}

fn joined<T: fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::StepExit {
                provider,
                step,
                program,
                status,
                output,
            } => write!(
                f,
                "{provider}: step \"{step}\" failed: {program} failed with exit status {status}: {output}"
            ),
            Failure::StepFailed {
                provider,
                step,
                error,
            } => write!(f, "{provider}: step \"{step}\" failed: {error}"),
            Failure::Probation { reason, tail } => {
                write!(
                    f,
                    "after the restart, the bot failed its health probation: {reason}"
                )?;
                if !tail.is_empty() {
                    write!(f, "; its last output:\n{}", tail.join("\n"))?;
                }
                Ok(())
            }
            Failure::BotDidNotStart { program, error } => write!(
                f,
                "after the restart, cannot start the bot ({program}): {error}"
            ),
            Failure::Restart { fault } => write!(f, "after the restart, {fault}"),
            Failure::TestGate { error } => write!(
                f,
                "the test gate stopped the update before it went live: {error} (its output is in the session log)"
            ),
            Failure::SevereRegression { regressions } => write!(
                f,
                "the impact watch found a severe regression: {regressions} (safety.impact_rollback_on_severe)"
            ),
            Failure::CannotPlan { provider, error } => {
                write!(f, "{provider} could not plan its updates: {error}")
            }
            Failure::CannotCapture { provider, error } => write!(
                f,
                "{provider} could not record its current state, so nothing was changed: {error}"
            ),
            Failure::PreUpdateBackup { failed } => write!(
                f,
                "the pre-update backup failed, so nothing was changed: {}",
                failed.error
            ),
            Failure::NotConfirmed { provider, error } => {
                write!(f, "{provider} could not confirm the update: {error}")
            }
            Failure::NotRolledBack { failure } => write!(
                f,
                "{failure} (nothing was rolled back: safety.rollback_on_failure is off)"
            ),
            Failure::Interrupted { phase, not_undone } => {
                write!(
                    f,
                    "interrupted: Steward stopped during the update ({}); rolled back at its next start",
                    match phase {
                        Phase::Applying => "while applying",
                        Phase::Verifying => "while verifying",
                        Phase::Probation => "during the bot's health probation",
                        Phase::RollingBack => "while rolling back",
                    }
                )?;
                if !not_undone.is_empty() {
                    write!(f, "; these could not be undone: {}", joined(not_undone))?;
                }
                Ok(())
            }
            Failure::Journal { error } => write!(f, "cannot write the journal: {error}"),
            Failure::ProviderGone { provider } => write!(
                f,
                "the provider {provider} is no longer loaded, so its changes cannot be undone"
            ),
            Failure::StateDamaged { provider, error } => {
                write!(f, "{provider}: the recorded state is damaged: {error}")
            }
            Failure::CannotPlanRestore { provider, error } => {
                write!(f, "{provider} could not plan the restore: {error}")
            }
            Failure::RestoreRefused { provider, error } => write!(f, "{provider}: {error}"),
            Failure::RestoreStepsFailed { provider, failed } => write!(
                f,
                "{provider}: restore steps failed: {}",
                failed
                    .iter()
                    .map(|s| format!("\"{}\": {}", s.step, s.error))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            Failure::NotRemoved { provider, failed } => write!(
                f,
                "{provider}: the release directories of the undone update could not be removed: {}",
                joined(failed)
            ),
            Failure::DatabaseNotRestored { backup, failed } => write!(
                f,
                "restoring the database from backup {backup}: {}",
                failed.error
            ),
            Failure::OldVersionNotRestarted { fault } => {
                write!(f, "restarting the bot on the old version: {fault}")
            }
            Failure::BackupNotRestored { backup, failed } => {
                write!(f, "restoring backup {backup}: {}", failed.error)
            }
            Failure::BotNotRestarted { fault } => write!(f, "restarting the bot: {fault}"),
            Failure::RollbackNotConfirmed { provider, error } => {
                write!(f, "{provider} does not confirm the rollback: {error}")
            }
            Failure::BackupBeforeRollback { failed } => write!(
                f,
                "the backup before the rollback failed, so nothing was changed: {}",
                failed.error
            ),
            Failure::Several { failures } => f.write_str(&joined(failures)),
            Failure::Stopped { findings } => {
                write!(f, "stopped by the safety checks: {}", joined(findings))
            }
            Failure::Cancelled { unanswered: false } => {
                f.write_str("cancelled at the confirmation prompt; nothing was changed")
            }
            Failure::Cancelled { unanswered: true } => {
                f.write_str("the confirmation prompt was not answered; nothing was changed")
            }
        }
    }
}

impl fmt::Display for Unhealthy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unhealthy::Exited { status, after_ms } => write!(
                f,
                "it exited ({}) after {} s",
                status.as_deref().unwrap_or("gone"),
                seconds(*after_ms)
            ),
            Unhealthy::NotReady {
                line,
                url,
                within_secs,
            } => {
                let mut missing = Vec::new();
                if let Some(line) = line {
                    missing.push(format!("it never printed \"{line}\""));
                }
                if let Some(url) = url {
                    missing.push(format!("{url} never answered"));
                }
                write!(f, "{} within {within_secs} s", missing.join(" and "))
            }
        }
    }
}

impl fmt::Display for ProviderFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProviderFault::Said { message } => f.write_str(message),
            ProviderFault::Timeout { budget_secs } => write!(
                f,
                "ran past its time budget of {budget_secs} s and was stopped"
            ),
            ProviderFault::OutOfMemory { cap_mb } => {
                write!(f, "exhausted its memory cap of {cap_mb} MiB")
            }
            ProviderFault::StackOverflow { cap_kb } => {
                write!(f, "overflowed its stack cap of {cap_kb} KiB")
            }
            ProviderFault::Crashed { message } => write!(f, "crashed: {message}"),
            ProviderFault::Instantiate { message } => {
                write!(f, "could not be started: {message}")
            }
        }
    }
}

impl fmt::Display for GateFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GateFault::Spawn { program, error } => {
                write!(f, "the test command {program} could not start: {error}")
            }
            GateFault::Failed { status, after_ms } => write!(
                f,
                "the test command failed ({status}) after {} s",
                seconds(*after_ms)
            ),
            GateFault::TimedOut { secs } => write!(
                f,
                "the test command did not finish within safety.test_timeout_secs = {secs} and was stopped"
            ),
        }
    }
}

/// A supervisor's failure handed on as an error (a restore's bot control):
/// its `Display` is the supervisor's English.
impl std::error::Error for BotFault {}

impl fmt::Display for BotFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BotFault::NotConfigured => f.write_str(
                "Steward does not run or restart this bot: set bot.start or bot.restart_command in steward.toml",
            ),
            BotFault::Spawn { program, error } => {
                write!(f, "cannot start the bot ({program}): {error}")
            }
            BotFault::RestartCommand { program, message } => {
                write!(f, "the restart command {program} failed: {message}")
            }
            BotFault::AlreadyRunning { pid } => {
                write!(f, "the bot is already running (pid {pid})")
            }
            BotFault::WouldNotStop { pid } => {
                write!(f, "the bot (pid {pid}) did not stop after SIGTERM and SIGKILL")
            }
            BotFault::HandoffNotReady {
                within_secs,
                exited,
                ..
            } => write!(
                f,
                "the new version did not take over: {} within {within_secs} s (bot.handoff = \"ready-file\"){}; the old version keeps running",
                if exited.is_some() {
                    "it exited before it created its ready file"
                } else {
                    "it did not create its ready file"
                },
                exited
                    .as_deref()
                    .map(|s| format!(" ({s})"))
                    .unwrap_or_default()
            ),
            BotFault::Unhealthy { reason, tail } => {
                write!(f, "the bot failed its health probation: {reason}")?;
                if !tail.is_empty() {
                    write!(f, "; its last output:\n{}", tail.join("\n"))?;
                }
                Ok(())
            }
            BotFault::Io { path, error } => write!(f, "{path}: {error}"),
        }
    }
}

impl fmt::Display for StepFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StepFault::Denied { provider, reason } => write!(
                f,
                "the {provider} provider is not allowed to do this: {reason}"
            ),
            StepFault::OutsideBotRoot { path, bot_root } => write!(
                f,
                "{path} is outside the bot's root {bot_root}; plan steps may only change files there"
            ),
            StepFault::StewardOwn {
                provider,
                path,
                what,
            } => write!(
                f,
                "the {provider} provider may not change {path}: it is Steward's own {what}"
            ),
            StepFault::BadPath { path, why } => {
                write!(f, "{path} is not a usable path for a plan step: {why}")
            }
            StepFault::EnvRefused {
                provider,
                program,
                name,
                why,
            } => write!(
                f,
                "the {provider} provider may not set {name} for {program}: {why}"
            ),
            StepFault::CommandNotRun { program, error } => {
                write!(f, "{program} could not be run: {error}")
            }
            StepFault::CommandTimeout { program, secs } => {
                write!(
                    f,
                    "{program} did not finish within {secs} s and was stopped"
                )
            }
            StepFault::CommandFailed {
                program,
                status,
                output,
            } => write!(f, "{program} failed with exit status {status}: {output}"),
            StepFault::BadChecksum { value } => {
                write!(f, "{value:?} is not a sha256 (64 hex digits)")
            }
            StepFault::Download { url, error } => write!(f, "downloading {url} failed: {error}"),
            StepFault::HttpStatus { url, status } => write!(f, "{url} answered HTTP {status}"),
            StepFault::TooLarge { url, limit } => write!(
                f,
                "{url} is larger than the download limit of {limit} bytes"
            ),
            StepFault::OverSafetyLimit { url, limit_mb } => write!(
                f,
                "{url} is larger than safety.max_update_size_mb ({limit_mb} MiB) allows; raise it in steward.toml to install this update"
            ),
            StepFault::ChecksumMismatch {
                url,
                expected,
                actual,
            } => write!(
                f,
                "{url} does not match its checksum: expected sha256 {expected}, got {actual}"
            ),
            StepFault::SignatureMissing { url, provider } => write!(
                f,
                "{url} has no signature, but a verification key is configured for the {provider} provider"
            ),
            StepFault::SignatureUnusable { url, error } => {
                write!(f, "the signature of {url} cannot be used: {error}")
            }
            StepFault::SignatureInvalid { url, error } => write!(
                f,
                "the signature of {url} does not verify with the configured key: {error}"
            ),
            StepFault::Unpack { url, error } => {
                write!(f, "{url} could not be unpacked safely: {error}")
            }
            StepFault::DestinationExists { path } => write!(
                f,
                "{path} already exists; a release directory is never unpacked over another"
            ),
            StepFault::NotReplaceable { path, what } => write!(
                f,
                "{path} is {what}; Steward replaces only regular files and symbolic links it manages"
            ),
            StepFault::TargetMissing { link, target } => write!(
                f,
                "the release {target} that {link} should point at does not exist"
            ),
            StepFault::Io { path, error } => write!(f, "{path}: {error}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A session written before reasons were kept, or by a newer Steward
    /// with a reason this one does not know, still reads.
    #[test]
    fn a_kept_reason_reads_leniently() {
        #[derive(Deserialize)]
        struct Kept {
            #[serde(default, deserialize_with = "lenient")]
            reason: Option<Failure>,
        }
        let none: Kept = serde_json::from_str("{}").unwrap();
        assert_eq!(none.reason, None);
        let unknown: Kept =
            serde_json::from_str(r#"{"reason":{"kind":"from_the_future","x":1}}"#).unwrap();
        assert_eq!(unknown.reason, None);
        let known: Kept =
            serde_json::from_str(r#"{"reason":{"kind":"pre_update_backup","error":"disk full"}}"#)
                .unwrap();
        assert_eq!(
            known.reason.unwrap().to_string(),
            "the pre-update backup failed, so nothing was changed: disk full"
        );
    }

    /// A backup detail: a session kept before details were typed reads
    /// with none; one from a newer Steward drops the detail, not the
    /// reason; a known one goes round, and none is written when absent.
    /// A refused restore keeps its problems typed beside the English: a
    /// session an older Steward kept (strings only) still reads, typed
    /// problems of a shape this Steward does not know are left out (the
    /// English says them), and the English reads as before.
    #[test]
    fn verification_problems_are_kept_typed_and_read_leniently() {
        let older: BackupFault = serde_json::from_str(
            r#"{"kind":"verification_failed","id":"b-1","problems":["data/a: missing"]}"#,
        )
        .unwrap();
        assert_eq!(
            older,
            BackupFault::VerificationFailed {
                id: "b-1".into(),
                problems: vec!["data/a: missing".into()],
                found: Vec::new(),
            }
        );
        assert_eq!(
            older.to_string(),
            "backup b-1 failed verification: data/a: missing"
        );
        let newer: BackupFault = serde_json::from_str(
            r#"{"kind":"verification_failed","id":"b-1","problems":["x"],
                "found":[{"problem":"from_the_future"}]}"#,
        )
        .unwrap();
        assert!(
            matches!(&newer, BackupFault::VerificationFailed { found, problems, .. }
                if found.is_empty() && problems == &["x"]),
            "{newer:?}"
        );
        let found = vec![
            Problem::ContentDiffers {
                path: "data/a".into(),
            },
            Problem::DrillNeedsLocal,
        ];
        let typed = BackupFault::VerificationFailed {
            id: "b-1".into(),
            problems: crate::problem::english(&found),
            found,
        };
        let kept = serde_json::to_string(&typed).unwrap();
        assert_eq!(serde_json::from_str::<BackupFault>(&kept).unwrap(), typed);
        assert_eq!(
            typed.to_string(),
            "backup b-1 failed verification: data/a: content differs from its manifest \
             checksum; restore drill: not run, the local repository lacks the snapshot (a \
             restore pulls it back from an offsite target first)"
        );
    }

    #[test]
    fn a_backup_detail_is_optional_and_read_leniently() {
        let old: Failure =
            serde_json::from_str(r#"{"kind":"backup_not_restored","backup":"b-1","error":"x"}"#)
                .unwrap();
        assert_eq!(
            old,
            Failure::BackupNotRestored {
                backup: "b-1".into(),
                failed: BackupFailure {
                    error: "x".into(),
                    detail: None
                }
            }
        );
        assert_eq!(
            serde_json::to_string(&old).unwrap(),
            r#"{"kind":"backup_not_restored","backup":"b-1","error":"x"}"#
        );
        let newer: Failure = serde_json::from_str(
            r#"{"kind":"pre_update_backup","error":"x","detail":{"kind":"from_the_future"}}"#,
        )
        .unwrap();
        assert_eq!(
            newer,
            Failure::PreUpdateBackup {
                failed: BackupFailure {
                    error: "x".into(),
                    detail: None
                }
            }
        );
        let low = BackupFault::LowDiskSpace {
            path: "/var/backups/steward".into(),
            free_mib: 3,
            needed_mib: 120,
        };
        let known = Failure::BackupBeforeRollback {
            failed: BackupFailure {
                error: low.to_string(),
                detail: Some(low),
            },
        };
        let text = serde_json::to_string(&known).unwrap();
        assert_eq!(serde_json::from_str::<Failure>(&text).unwrap(), known);
        assert_eq!(
            known.to_string(),
            "the backup before the rollback failed, so nothing was changed: \
             3 MiB free at /var/backups/steward, 120 MiB needed"
        );
    }

    /// A session kept by the Steward before the backup failures shared one
    /// struct (written then, byte for byte) reads the same now and is
    /// written back unchanged: every variant that carries a backup's
    /// English and its typed detail, with and without the detail.
    #[test]
    fn a_session_kept_before_the_backup_failure_struct_reads_and_writes_the_same() {
        const KEPT: &str = concat!(
            r#"{"id":"20261130T071500.000Z","kind":"rollback","update_type":"all","#,
            r#""status":"rollback_failed","progress":100,"started_at":"2026-11-30T07:15:00Z","#,
            r#""completed_at":"2026-11-30T07:16:00Z","current_version":"1.4.0","#,
            r#""target_version":"1.5.0","error":"several","#,
            r#""reason":{"kind":"several","failures":["#,
            r#"{"kind":"pre_update_backup","error":"3 MiB free at /b, 120 MiB needed","#,
            r#""detail":{"kind":"low_disk_space","path":"/b","free_mib":3,"needed_mib":120}},"#,
            r#"{"kind":"database_not_restored","backup":"b-1","error":"disk full"},"#,
            r#"{"kind":"backup_not_restored","backup":"b-2","error":"no backup b-2","#,
            r#""detail":{"kind":"not_found","id":"b-2"}},"#,
            r#"{"kind":"backup_before_rollback","error":"another backup or restore is running","#,
            r#""detail":{"kind":"busy"}}]},"#,
            r#""steps_completed":3,"total_steps":5,"rollback_available":true,"#,
            r#""initiated_by":"cli:root","backup_id":"b-1","updates":[],"parts":[]}"#
        );
        let session: crate::session::Session = serde_json::from_str(KEPT).unwrap();
        let Some(Failure::Several { failures }) = &session.reason else {
            panic!("{:?}", session.reason);
        };
        assert_eq!(
            failures.iter().map(ToString::to_string).collect::<Vec<_>>(),
            [
                "the pre-update backup failed, so nothing was changed: 3 MiB free at /b, 120 MiB needed",
                "restoring the database from backup b-1: disk full",
                "restoring backup b-2: no backup b-2",
                "the backup before the rollback failed, so nothing was changed: another backup or restore is running",
            ]
        );
        assert_eq!(
            failures.iter().map(details).collect::<Vec<_>>(),
            [
                Some(BackupFault::LowDiskSpace {
                    path: "/b".into(),
                    free_mib: 3,
                    needed_mib: 120
                }),
                None,
                Some(BackupFault::NotFound { id: "b-2".into() }),
                Some(BackupFault::Busy),
            ]
        );
        assert_eq!(serde_json::to_string(&session).unwrap(), KEPT);
    }

    /// A restore a rollback could not finish keeps why it was undone and
    /// what stayed out of place, typed: the English reads as the backup's
    /// own error, the shape goes round, and a session kept before these
    /// were typed (the English only) or with a part of a shape this
    /// Steward does not know still reads, with the English.
    #[test]
    fn a_restore_that_was_not_put_back_is_kept_typed_and_read_leniently() {
        let not_put_back = BackupFault::NotPutBack {
            cause: UndoCause::PlaceFailed {
                path: "/srv/bot/a".into(),
                error: "No space left on device (os error 28)".into(),
            },
            problems: vec![
                PathFault::Io {
                    path: "/srv/bot/b".into(),
                    error: "Permission denied (os error 13)".into(),
                },
                PathFault::InTheWay {
                    path: "/srv/bot/c".into(),
                    found: "a file".into(),
                    wanted: "a directory".into(),
                },
                PathFault::NotRelative {
                    path: "../etc".into(),
                },
            ],
            kept: "/srv/steward/data/restore/previous".into(),
        };
        assert_eq!(
            not_put_back.to_string(),
            "putting /srv/bot/a in place failed (No space left on device (os error 28)), and \
             putting the previous files back failed too (/srv/bot/b: Permission denied (os \
             error 13); /srv/bot/c is a file where the backup needs a directory; \"../etc\" is \
             not a plain relative path): they are kept in /srv/steward/data/restore/previous, \
             and the next start of steward puts them back"
        );
        let conflicting = BackupFault::ConflictingPaths {
            problems: vec!["config.toml is listed 2 times in the manifest".into()],
            found: vec![Problem::ListedTwice {
                path: "config.toml".into(),
                times: 2,
            }],
        };
        assert_eq!(
            conflicting.to_string(),
            "the backup cannot be put back file by file (config.toml is listed 2 times in the \
             manifest); nothing was changed"
        );
        let failure = |detail| Failure::Several {
            failures: vec![Failure::BackupNotRestored {
                backup: "b-1".into(),
                failed: BackupFailure {
                    error: "the English".into(),
                    detail: Some(detail),
                },
            }],
        };
        for detail in [not_put_back, conflicting] {
            let kept = failure(detail);
            let text = serde_json::to_string(&kept).unwrap();
            assert_eq!(
                serde_json::from_str::<Failure>(&text).unwrap(),
                kept,
                "{text}"
            );
        }
        // Kept before these were typed: the English alone.
        let older: Failure = serde_json::from_str(
            r#"{"kind":"backup_not_restored","backup":"b-1","error":"putting a in place failed (x), and putting the previous files back failed too (b: y): they are kept in k, and the next start of steward puts them back"}"#,
        )
        .unwrap();
        assert!(
            older
                .to_string()
                .starts_with("restoring backup b-1: putting a")
        );
        assert_eq!(details(&older), None);
        // A newer Steward's undo cause: the detail is left to the English.
        let newer: Failure = serde_json::from_str(
            r#"{"kind":"backup_not_restored","backup":"b-1","error":"the English",
                "detail":{"kind":"not_put_back","cause":{"kind":"from_the_future"},
                "problems":[],"kept":"k"}}"#,
        )
        .unwrap();
        assert_eq!(newer.to_string(), "restoring backup b-1: the English");
        assert_eq!(details(&newer), None);
        // Problems of a shape this Steward does not know: the English says them.
        let conflicting: BackupFault = serde_json::from_str(
            r#"{"kind":"conflicting_paths","problems":["x"],"found":[{"problem":"from_the_future"}]}"#,
        )
        .unwrap();
        assert_eq!(
            conflicting,
            BackupFault::ConflictingPaths {
                problems: vec!["x".into()],
                found: Vec::new()
            }
        );
    }

    /// An offsite copy's failure reads as Steward wrote it before it was
    /// typed (the target named with where it is, the backend's words as
    /// given), and its shape goes round.
    #[test]
    fn an_offsite_fault_reads_as_before_and_goes_round() {
        let check = OffsiteFault::Target {
            target: "nas".into(),
            location: "/mnt/nas/steward".into(),
            why: TargetFault::CheckFailed {
                error: "pack 1a2b is missing".into(),
            },
        };
        assert_eq!(
            check.to_string(),
            "offsite target nas (/mnt/nas/steward): the copy fails its check there: pack 1a2b is missing"
        );
        let listed = OffsiteFault::Target {
            target: "nas".into(),
            location: "/mnt/nas/steward".into(),
            why: TargetFault::NotListed {
                missing: 1,
                copied: 3,
            },
        };
        assert_eq!(
            listed.to_string(),
            "offsite target nas (/mnt/nas/steward): 1 of 3 copied snapshots are not listed there after the copy"
        );
        let local = OffsiteFault::Backup {
            failed: BackupFailure {
                error: "another backup or restore is running".into(),
                detail: Some(BackupFault::Busy),
            },
        };
        assert_eq!(local.to_string(), "another backup or restore is running");
        for fault in [check, listed, local] {
            let text = serde_json::to_string(&fault).unwrap();
            assert_eq!(
                serde_json::from_str::<OffsiteFault>(&text).unwrap(),
                fault,
                "{text}"
            );
        }
    }

    /// The typed backup detail a failure carries, if any.
    fn details(f: &Failure) -> Option<BackupFault> {
        match f {
            Failure::PreUpdateBackup { failed }
            | Failure::DatabaseNotRestored { failed, .. }
            | Failure::BackupNotRestored { failed, .. }
            | Failure::BackupBeforeRollback { failed } => failed.detail.clone(),
            _ => None,
        }
    }

    #[test]
    fn a_probation_reason_reads_as_the_supervisor_said_it() {
        let exited = Unhealthy::Exited {
            status: Some("exit status: 1".into()),
            after_ms: 310,
        };
        assert_eq!(exited.to_string(), "it exited (exit status: 1) after 0.3 s");
        let gone = Unhealthy::Exited {
            status: None,
            after_ms: 2000,
        };
        assert_eq!(gone.to_string(), "it exited (gone) after 2.0 s");
        let both = Unhealthy::NotReady {
            line: Some("ready".into()),
            url: Some("http://127.0.0.1:8080/health".into()),
            within_secs: 30,
        };
        assert_eq!(
            both.to_string(),
            "it never printed \"ready\" and http://127.0.0.1:8080/health never answered within 30 s"
        );
    }
}
