//! A backup's error as the typed fault a session keeps
//! (`steward_core::failure::BackupFault`): the same facts, in a shape that
//! can be stored, for each front to word. It only translates shapes.

use steward_core::failure::{BackupFault, BotFault, ExtractFault, PathFault, UndoCause};

use crate::{BackupError, ExtractError, problem, repository, restore};

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
                bot: source.downcast_ref::<BotFault>().cloned().map(Box::new),
            },
            BackupError::BotStart { source } => BackupFault::BotStart {
                error: source.to_string(),
                bot: source.downcast_ref::<BotFault>().cloned().map(Box::new),
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
                    restore::UndoCause::BotDidNotStart { error, bot } => {
                        UndoCause::BotDidNotStart {
                            error: error.clone(),
                            bot: bot.clone(),
                        }
                    }
                },
                problems: problems.iter().map(PathFault::from).collect(),
                kept: kept.display().to_string(),
            },
            BackupError::NotCompleted { id, status } => BackupFault::NotCompleted {
                id: id.clone(),
                status: format!("{status:?}"),
            },
            BackupError::Extract(e) => BackupFault::Extract {
                problem: extract_fault(e),
            },
            _ => return None,
        })
    }
}

/// An unpacking error in the shape a session keeps.
fn extract_fault(e: &ExtractError) -> ExtractFault {
    match e {
        ExtractError::Staging { path, source } => ExtractFault::Staging {
            path: path.display().to_string(),
            error: source.to_string(),
        },
        ExtractError::Truncated => ExtractFault::Truncated,
        ExtractError::Corrupt(error) => ExtractFault::Corrupt {
            error: error.clone(),
        },
        ExtractError::UnsafePath { path } => ExtractFault::UnsafePath { path: path.clone() },
        ExtractError::ForbiddenType { path, kind } => ExtractFault::ForbiddenType {
            path: path.clone(),
            entry: kind.to_string(),
        },
        ExtractError::PaxSizeMismatch { path, pax, header } => ExtractFault::PaxSizeMismatch {
            path: path.clone(),
            pax: *pax,
            header: *header,
        },
        ExtractError::Duplicate { path } => ExtractFault::Duplicate { path: path.clone() },
        ExtractError::TooLarge { limit } => ExtractFault::TooLarge { limit: *limit },
        ExtractError::TooManyEntries { limit } => ExtractFault::TooManyEntries { limit: *limit },
        ExtractError::Write { path, source } => ExtractFault::Write {
            path: path.display().to_string(),
            error: source.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::BackupStatus;

    /// Each unpacking error and a backup not completed are typed, and the
    /// typed fault says them in the same English, byte for byte.
    #[test]
    fn extract_errors_and_not_completed_are_typed_with_the_same_english() {
        let io = || std::io::Error::from_raw_os_error(28);
        let errors = [
            BackupError::Extract(ExtractError::Staging {
                path: PathBuf::from("/srv/steward/data/restore/staging"),
                source: io(),
            }),
            BackupError::Extract(ExtractError::Truncated),
            BackupError::Extract(ExtractError::Corrupt("invalid gzip header".into())),
            BackupError::Extract(ExtractError::UnsafePath {
                path: "../etc/passwd".into(),
            }),
            BackupError::Extract(ExtractError::ForbiddenType {
                path: "data/link".into(),
                kind: "symbolic link",
            }),
            BackupError::Extract(ExtractError::PaxSizeMismatch {
                path: "data/a".into(),
                pax: 10,
                header: 12,
            }),
            BackupError::Extract(ExtractError::Duplicate {
                path: "data/a".into(),
            }),
            BackupError::Extract(ExtractError::TooLarge { limit: 1024 }),
            BackupError::Extract(ExtractError::TooManyEntries { limit: 100 }),
            BackupError::Extract(ExtractError::Write {
                path: PathBuf::from("/srv/staging/data/a"),
                source: io(),
            }),
            BackupError::NotCompleted {
                id: "b-1".into(),
                status: BackupStatus::InProgress,
            },
            BackupError::NotCompleted {
                id: "b-2".into(),
                status: BackupStatus::Failed,
            },
        ];
        for e in &errors {
            let fault = e.fault().unwrap_or_else(|| panic!("untyped: {e}"));
            assert_eq!(fault.to_string(), e.to_string());
            let text = serde_json::to_string(&fault).unwrap();
            assert_eq!(serde_json::from_str::<BackupFault>(&text).unwrap(), fault);
        }
    }
}
