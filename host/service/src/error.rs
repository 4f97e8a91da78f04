//! The errors a front can get from the service, and the one function that
//! turns them into the words a user reads (CLI and Discord share it).

use std::path::PathBuf;

use thiserror::Error;

use crate::access::{Audience, Operation, Role};
use crate::backup::{BackupError, ExtractError};
use crate::config::ConfigError;
use crate::engine::install::InstallError;
use crate::schedule::ScheduleError;
use crate::settings::SettingsError;
use crate::store::StoreError;
use crate::supervisor::SupervisorError;

/// What an argument should have been, typed so each front words it (the
/// English is what the CLI prints).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// A rollback's target: a version or `last_backup`.
    VersionOrLastBackup,
    /// A whole number from `min` to `max`.
    Range { min: u64, max: u64 },
    /// A path the service can use for the caller: absolute, and only from
    /// this machine's shell or control socket.
    LocalAbsolutePath,
    /// A reload needs the steward.toml Steward was started with.
    ConfigFile,
    /// One of these values (Discord's choices).
    OneOf(Vec<&'static str>),
}

impl std::fmt::Display for Expected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expected::VersionOrLastBackup => f.write_str("a version or last_backup"),
            Expected::Range { min, max } => write!(f, "a number from {min} to {max}"),
            Expected::LocalAbsolutePath => {
                f.write_str("an absolute path, from this machine's shell or control socket")
            }
            Expected::ConfigFile => {
                f.write_str("possible while Steward runs on its defaults; start it with --config")
            }
            Expected::OneOf(values) => write!(f, "one of {}", values.join(", ")),
        }
    }
}

/// Why a grant was refused, typed so each front words it (the English is
/// what the CLI prints).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantRefusal {
    /// The grant names a program the provider never asked to run.
    NotAsked { path: String, asked: Vec<String> },
    /// The provider file did not load (`error` is the loader's words).
    DidNotLoad { error: String },
    /// No provider has that name.
    NoSuchProvider { known: Vec<String> },
    /// The check steward.toml's grants pass at start refused it.
    Invalid {
        problem: crate::config::GrantProblem,
    },
}

impl std::fmt::Display for GrantRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = |items: &[String]| {
            if items.is_empty() {
                "none".to_string()
            } else {
                items.join(", ")
            }
        };
        match self {
            GrantRefusal::NotAsked { path, asked } => write!(
                f,
                "it does not ask to run {path} (it asks to run: {})",
                list(asked)
            ),
            GrantRefusal::DidNotLoad { error } => write!(f, "it did not load ({error})"),
            GrantRefusal::NoSuchProvider { known } => write!(
                f,
                "there is no such provider (the providers are: {})",
                list(known)
            ),
            GrantRefusal::Invalid { problem } => write!(f, "{problem}"),
        }
    }
}

#[derive(Debug, Error)]
pub enum ServiceError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot prepare the providers directory {path}: {source}")]
    ProvidersDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the WebAssembly runtime could not start: {message}")]
    Runtime { message: String },
    #[error("{role:?} may not run {operation}")]
    PermissionDenied { operation: Operation, role: Role },
    #[error("{name}: {value:?} is not valid (expected {expected})")]
    InvalidArgument {
        name: String,
        value: String,
        expected: Expected,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Backup(#[from] BackupError),
    #[error("the restore was not confirmed")]
    NotConfirmed,
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    #[error("drawing the status chart failed: {message}")]
    Chart { message: String },
    /// A grant or denial from `steward providers grant|deny` or Discord
    /// that cannot be given: an unknown provider, a program it never asked
    /// to run, a write over Steward's own files.
    #[error("cannot grant {provider}: {refusal}")]
    Grant {
        provider: String,
        refusal: GrantRefusal,
    },
    #[error("the {what} was not confirmed")]
    NotConfirmedFor { what: &'static str },
    #[error(transparent)]
    Install(#[from] InstallError),
    #[error(transparent)]
    Bot(#[from] SupervisorError),
    #[error("token {token} is not scoped for {operation}")]
    OutOfScope {
        token: String,
        operation: Operation,
        scopes: Vec<String>,
    },
    /// The running service refused or failed a request made through its
    /// control socket; `message` is its sentence for the user.
    #[error("{message}")]
    Remote { status: u16, message: String },
    /// Fleet mode (steward-fleet, above this crate) refused or failed:
    /// its words and the status the control API answers with; `cause`
    /// is fleet mode's own typed error, when it made one, so a front can
    /// word it in its own language (downcast to `steward_fleet::FleetError`).
    #[error("{message}")]
    Fleet {
        status: u16,
        message: String,
        #[source]
        cause: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

impl ServiceError {
    /// The HTTP status the control API answers this error with.
    pub fn http_status(&self) -> u16 {
        match self {
            ServiceError::PermissionDenied { .. } | ServiceError::OutOfScope { .. } => 403,
            ServiceError::Install(InstallError::InProgress(_)) => 409,
            ServiceError::InvalidArgument { .. }
            | ServiceError::NotConfirmed
            | ServiceError::NotConfirmedFor { .. }
            | ServiceError::Settings(_)
            | ServiceError::Schedule(_)
            | ServiceError::Install(_)
            | ServiceError::Backup(_)
            | ServiceError::Bot(_)
            | ServiceError::Grant { .. }
            | ServiceError::Config(_) => 422,
            ServiceError::Remote { status, .. } | ServiceError::Fleet { status, .. } => *status,
            _ => 500,
        }
    }

    /// The sentence a user reads.
    pub fn user_message(&self) -> String {
        match self {
            ServiceError::Config(e) => format!("Configuration problem: {e}"),
            ServiceError::Remote { message, .. } | ServiceError::Fleet { message, .. } => {
                message.clone()
            }
            ServiceError::OutOfScope {
                token,
                operation,
                scopes,
            } => format!(
                "Permission denied: the token {token} is not scoped for {operation} (its scopes: {}).",
                scopes.join(", ")
            ),
            ServiceError::ProvidersDir { path, source } => format!(
                "Steward cannot use its providers directory {}: {source}",
                path.display()
            ),
            ServiceError::Runtime { message } => {
                format!("Steward's provider sandbox could not start: {message}")
            }
            ServiceError::PermissionDenied {
                operation,
                role: Role::Admin,
            } => format!(
                "Permission denied: {operation} is for the bot's owners only. Admins can check \
                 for updates, view the status, and create or list backups."
            ),
            ServiceError::PermissionDenied { operation, .. } => format!(
                "Permission denied: {operation} is for the bot's {}.",
                match operation.audience() {
                    Audience::OwnersAndAdmins => "owners and admins",
                    Audience::Owners => "owners",
                }
            ),
            ServiceError::InvalidArgument {
                name,
                value,
                expected,
            } => format!("Invalid value for {name}: `{value}` is not {expected}."),
            ServiceError::Store(e) => store_message(e),
            ServiceError::Backup(e) => backup_message(e),
            ServiceError::NotConfirmedFor { what } => format!(
                "The {what} changes the bot: confirm it to go ahead (confirm:true in Discord, --yes on the command line)."
            ),
            ServiceError::Install(e) => install_message(e),
            ServiceError::Bot(e) => format!("Service start failed: {e}"),
            ServiceError::NotConfirmed => {
                "A restore replaces the bot's files: confirm it to go ahead (confirm:true in Discord, --yes on the command line).".to_string()
            }
            ServiceError::Settings(e) => settings_message(e),
            ServiceError::Schedule(e) => schedule_message(e),
            ServiceError::Chart { message } => format!("The status chart could not be drawn: {message}"),
            ServiceError::Grant { provider, refusal } => {
                format!("Provider {provider} was not granted anything: {refusal}.")
            }
        }
    }
}

pub(super) fn install_message(e: &InstallError) -> String {
    match e {
        InstallError::InProgress(Some(holder)) => format!(
            "An update is already in progress: {} started it ({}) at {} UTC. Try again when it has finished.",
            holder.by,
            holder.doing,
            holder.since.format("%Y-%m-%d %H:%M:%S")
        ),
        InstallError::InProgress(None) => {
            "An update is already in progress. Try again when it has finished.".to_string()
        }
        InstallError::SafetyStop { warnings } => format!(
            "The update was stopped before anything changed:\n{}\nFix these, or force the update (force_update:true, --force); checksums and signatures are still checked.",
            warnings
                .iter()
                .map(|w| format!("- {w}"))
                .collect::<Vec<_>>()
                .join("\n")
        ),
        InstallError::NoBackup => {
            "Backup not found: there is no completed backup to roll back to.".to_string()
        }
        InstallError::UnknownTarget { target, known } if target.trim().is_empty() => format!(
            "Rollback needs a target: the version given is empty. You can roll back to: {}.",
            known.join(", ")
        ),
        InstallError::UnknownTarget { target, known } => format!(
            "Rollback failed: no update on record started from version {target}, so there is nothing to go back to. You can roll back to: {}.",
            known.join(", ")
        ),
        InstallError::Store(e) => store_message(e),
        other => format!("The update could not run: {other}"),
    }
}

fn store_message(e: &StoreError) -> String {
    match e {
        StoreError::Locked { path } => format!(
            "Another steward process is using its store {}; try again when it has finished.",
            path.display()
        ),
        StoreError::NewerSchema { found, .. } => format!(
            "Steward's store was written by a newer steward (schema {found}); upgrade steward to read it."
        ),
        other => format!("Steward's store cannot be used: {other}"),
    }
}

fn settings_message(e: &SettingsError) -> String {
    match e {
        SettingsError::UnknownCategory { given, valid } => format!(
            "There is no setting category \"{given}\". Valid categories: {}.",
            valid.join(", ")
        ),
        SettingsError::UnknownName {
            category,
            given,
            valid,
        } => format!(
            "There is no {category} setting \"{given}\". Valid {category} settings: {}.",
            valid.join(", ")
        ),
        SettingsError::Invalid { key, value, kind } => format!(
            "Invalid value for {key}: `{value}` is not {}.",
            kind.expected()
        ),
        SettingsError::MissingValue { key } => {
            format!("{key} needs a value (or reset it to its default).")
        }
        SettingsError::Store(e) => store_message(e),
    }
}

fn schedule_message(e: &ScheduleError) -> String {
    match e {
        ScheduleError::InvalidTime { value } => format!(
            "Invalid update_time `{value}`: write the time as HH:MM, 24-hour (for example 03:00)."
        ),
        ScheduleError::InvalidDays {
            schedule_type,
            value,
            problem,
        } if value.is_empty() => format!(
            "A {} schedule needs update_days: {problem}.",
            schedule_type.as_str()
        ),
        ScheduleError::InvalidDays { value, problem, .. } => {
            format!("Invalid update_days `{value}`: {problem}.")
        }
        ScheduleError::InvalidTypes { value, problem } => {
            format!("Invalid update_types `{value}`: {problem}.")
        }
        ScheduleError::TooMany { count, max } => format!(
            "There are already {count} {} and scheduling.max_schedules is {max}; remove one first.",
            if *count == 1 { "schedule" } else { "schedules" }
        ),
        ScheduleError::NotFound { id } => {
            format!("There is no schedule {id}. `steward schedule list` shows them.")
        }
        ScheduleError::Timezone { name } => format!(
            "The configured time zone \"{name}\" is not an IANA zone (scheduling.timezone)."
        ),
        ScheduleError::Store(e) => store_message(e),
        other => format!("The schedule cannot be used: {other}."),
    }
}

fn backup_message(e: &BackupError) -> String {
    match e {
        BackupError::Store(e) => store_message(e),
        BackupError::Busy => {
            "Another backup, restore or cleanup is running; try again when it has finished."
                .to_string()
        }
        BackupError::NotFound(id) => {
            format!("There is no backup called {id}. `steward backup list` shows them.")
        }
        BackupError::NotCompleted { id, status } => {
            format!("Backup {id} never completed ({status:?}); it cannot be used.")
        }
        BackupError::LowDiskSpace {
            path,
            free_mb,
            needed_mb,
        } => format!(
            "Not enough disk space at {}: {free_mb} MiB free, {needed_mb} MiB needed (this includes safety.min_disk_space_mb).",
            path.display()
        ),
        BackupError::NothingToBackUp { backup_type } => format!(
            "A {backup_type} backup covers no files in the bot's directory; check [backup.types.{backup_type}] in steward.toml."
        ),
        BackupError::NameTaken { name, id } => {
            format!("The name \"{name}\" is already used by backup {id}; choose another.")
        }
        BackupError::InvalidName { name } => format!(
            "\"{name}\" cannot be a backup name: use 1-100 characters, not starting with \"backup_\"."
        ),
        BackupError::DatabaseCorrupt { path, message } => format!(
            "The database {path} fails SQLite's integrity check ({message}); nothing was changed."
        ),
        BackupError::FileChanged { path } => format!(
            "{path} changed while it was being backed up; run the backup again (or stop the bot first)."
        ),
        BackupError::VerificationFailed { id, problems } => format!(
            "Backup {id} failed verification, so it was not used: {}",
            crate::backup::problem::english(problems).join("; ")
        ),
        BackupError::NothingToRestore { id, restore_type } => format!(
            "Backup {id} holds no {} files to restore.",
            serde_json::to_value(restore_type)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default()
        ),
        BackupError::Extract(e) => format!(
            "The archive was refused and nothing was restored: {}",
            extract_message(e)
        ),
        BackupError::Swap { path, source } => format!(
            "Restoring stopped at {} ({source}); every file was put back as it was.",
            path.display()
        ),
        BackupError::BotStop { source } => {
            format!("The bot could not be stopped for the restore ({source}); nothing was changed.")
        }
        BackupError::BotStart { source } => format!(
            "The bot did not start on the restored files ({source}); the previous files were put back."
        ),
        other => format!("Backup failed: {other}"),
    }
}

fn extract_message(e: &ExtractError) -> String {
    match e {
        ExtractError::UnsafePath { path } => {
            format!("entry {path:?} points outside the directory it unpacks into")
        }
        ExtractError::ForbiddenType { path, kind } => {
            format!("entry {path:?} is a {kind}, which archives here may not contain")
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_admin_refused_an_owner_only_operation_is_told_why() {
        let e = ServiceError::PermissionDenied {
            operation: Operation::Install,
            role: Role::Admin,
        };
        assert_eq!(
            e.user_message(),
            "Permission denied: installing updates is for the bot's owners only. Admins can \
             check for updates, view the status, and create or list backups."
        );
    }

    #[test]
    fn a_plain_member_is_refused_with_who_may() {
        let e = ServiceError::PermissionDenied {
            operation: Operation::Check,
            role: Role::Member,
        };
        assert_eq!(
            e.user_message(),
            "Permission denied: checking for updates is for the bot's owners and admins."
        );
    }
}
