//! A backup's error as the typed fault a session keeps
//! (`steward_core::failure::BackupFault`): the same facts, in a shape that
//! can be stored, for each front to word. It only translates shapes.

use steward_core::failure::{BackupFault, PathFault, UndoCause};

use crate::{BackupError, problem, repository, restore};

impl BackupError {
    /// Typed, for the failures a front words itself (the English stays
    /// this error's own `Display`, kept beside it); any other is left to
    /// that English.
    pub fn fault(&self) -> Option<BackupFault> {
        Some(match self {
            BackupError::Busy => BackupFault::Busy,
            BackupError::LowDiskSpace {
                path,
                free_mb,
                needed_mb,
            } => BackupFault::LowDiskSpace {
                path: path.display().to_string(),
                free_mib: *free_mb,
                needed_mib: *needed_mb,
            },
            BackupError::NothingToBackUp { backup_type } => BackupFault::NothingToBackUp {
                backup_type: backup_type.to_string(),
            },
            BackupError::DatabaseCorrupt { path, message } => BackupFault::DatabaseCorrupt {
                path: path.clone(),
                error: message.to_string(),
            },
            BackupError::FileChanged { path } => BackupFault::FileChanged { path: path.clone() },
            BackupError::VerificationFailed { id, problems } => BackupFault::VerificationFailed {
                id: id.clone(),
                problems: problem::english(problems),
                found: problems.clone(),
            },
            BackupError::NotFound(id) => BackupFault::NotFound { id: id.clone() },
            BackupError::NothingToRestore { id, restore_type } => BackupFault::NothingToRestore {
                id: id.clone(),
                restore_type: format!("{restore_type:?}"),
            },
            BackupError::Swap { path, source } => BackupFault::Swap {
                path: path.display().to_string(),
                error: source.to_string(),
            },
            BackupError::BotStop { source } => BackupFault::BotStop {
                error: source.to_string(),
            },
            BackupError::BotStart { source } => BackupFault::BotStart {
                error: source.to_string(),
            },
            BackupError::Dir { path, source } => BackupFault::Dir {
                path: path.display().to_string(),
                error: source.to_string(),
            },
            BackupError::Read { path, source } => BackupFault::Read {
                path: path.display().to_string(),
                error: source.to_string(),
            },
            BackupError::Write { path, source } => BackupFault::Write {
                path: path.display().to_string(),
                error: source.to_string(),
            },
            BackupError::WrongPassword { path } => BackupFault::WrongPassword {
                path: path.display().to_string(),
                env: repository::PASSWORD_ENV.to_string(),
            },
            BackupError::NoPassword { path } => BackupFault::NoPassword {
                path: path.display().to_string(),
                env: repository::PASSWORD_ENV.to_string(),
            },
            BackupError::Repository { path, message } => BackupFault::Repository {
                path: path.display().to_string(),
                error: message.clone(),
            },
            BackupError::NotBroughtBack { path, id, tried } => BackupFault::NotBroughtBack {
                path: path.display().to_string(),
                id: id.clone(),
                tried: tried.clone(),
            },
            BackupError::Pattern { pattern, message } => BackupFault::Pattern {
                pattern: pattern.clone(),
                error: message.clone(),
            },
            BackupError::DatabaseCopy { path, message } => BackupFault::DatabaseCopy {
                path: path.clone(),
                error: message.to_string(),
            },
            BackupError::InTheWay { source } => BackupFault::InTheWay {
                problem: PathFault::from(source),
            },
            BackupError::ConflictingPaths { problems } => BackupFault::ConflictingPaths {
                problems: problem::english(problems),
                found: problems.clone(),
            },
            BackupError::NotPutBack {
                cause,
                problems,
                kept,
            } => BackupFault::NotPutBack {
                cause: match cause {
                    restore::UndoCause::PlaceFailed { path, error } => UndoCause::PlaceFailed {
                        path: path.display().to_string(),
                        error: error.clone(),
                    },
                    restore::UndoCause::BotDidNotStart { error } => UndoCause::BotDidNotStart {
                        error: error.clone(),
                    },
                },
                problems: problems.iter().map(PathFault::from).collect(),
                kept: kept.display().to_string(),
            },
            _ => return None,
        })
    }
}
