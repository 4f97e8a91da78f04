//! The engine's errors as the typed reasons a session keeps
//! (`steward_core::failure`): the same words in English, and the same facts
//! for a front to word in its own language. It only translates shapes.

use crate::apply::ApplyError;
use crate::progress::{
    BackupFailure, BackupFault, BotFault, FailedStep, Failure, GateFault, ProviderFault, StepFault,
};
use crate::runtime::CallError;
use crate::supervisor::SupervisorError;
use crate::test_gate::GateError;

use super::UndoError;

pub(crate) fn step_fault(e: &ApplyError) -> StepFault {
    match e {
        ApplyError::Denied { provider, reason } => StepFault::Denied {
            provider: provider.clone(),
            reason: reason.clone(),
        },
        ApplyError::OutsideBotRoot { path, bot_root } => StepFault::OutsideBotRoot {
            path: path.clone(),
            bot_root: bot_root.display().to_string(),
        },
        ApplyError::StewardOwn {
            provider,
            path,
            what,
        } => StepFault::StewardOwn {
            provider: provider.clone(),
            path: path.display().to_string(),
            what: what.to_string(),
        },
        ApplyError::BadPath { path, why } => StepFault::BadPath {
            path: path.clone(),
            why: why.to_string(),
        },
        ApplyError::EnvRefused {
            provider,
            program,
            name,
            why,
        } => StepFault::EnvRefused {
            provider: provider.clone(),
            program: program.clone(),
            name: name.clone(),
            why: why.to_string(),
        },
        ApplyError::CommandNotRun { program, message } => StepFault::CommandNotRun {
            program: program.clone(),
            error: message.clone(),
        },
        ApplyError::CommandTimeout { program, secs } => StepFault::CommandTimeout {
            program: program.clone(),
            secs: *secs,
        },
        ApplyError::CommandFailed {
            program,
            status,
            output_tail,
        } => StepFault::CommandFailed {
            program: program.clone(),
            status: *status,
            output: output_tail.clone(),
        },
        ApplyError::BadChecksum { value } => StepFault::BadChecksum {
            value: value.clone(),
        },
        ApplyError::Download { url, message } => StepFault::Download {
            url: url.clone(),
            error: message.clone(),
        },
        ApplyError::HttpStatus { url, status } => StepFault::HttpStatus {
            url: url.clone(),
            status: *status,
        },
        ApplyError::TooLarge { url, limit } => StepFault::TooLarge {
            url: url.clone(),
            limit: *limit,
        },
        ApplyError::OverSafetyLimit { url, limit_mb } => StepFault::OverSafetyLimit {
            url: url.clone(),
            limit_mb: *limit_mb,
        },
        ApplyError::ChecksumMismatch {
            url,
            expected,
            actual,
        } => StepFault::ChecksumMismatch {
            url: url.clone(),
            expected: expected.clone(),
            actual: actual.clone(),
        },
        ApplyError::SignatureMissing { url, provider } => StepFault::SignatureMissing {
            url: url.clone(),
            provider: provider.clone(),
        },
        ApplyError::SignatureUnusable { url, source } => StepFault::SignatureUnusable {
            url: url.clone(),
            error: source.to_string(),
        },
        ApplyError::SignatureInvalid { url, source } => StepFault::SignatureInvalid {
            url: url.clone(),
            error: source.to_string(),
        },
        ApplyError::Unpack { url, source } => StepFault::Unpack {
            url: url.clone(),
            error: source.to_string(),
        },
        ApplyError::DestinationExists { path } => StepFault::DestinationExists {
            path: path.display().to_string(),
        },
        ApplyError::NotReplaceable { path, what } => StepFault::NotReplaceable {
            path: path.display().to_string(),
            what: what.to_string(),
        },
        ApplyError::TargetMissing { link, target } => StepFault::TargetMissing {
            link: link.clone(),
            target: target.clone(),
        },
        ApplyError::Io { path, source } => StepFault::Io {
            path: path.display().to_string(),
            error: source.to_string(),
        },
    }
}

pub(crate) fn provider_fault(e: &CallError) -> ProviderFault {
    match e {
        CallError::Provider(e) => ProviderFault::Said {
            message: e.to_string(),
        },
        CallError::Timeout { budget_secs } => ProviderFault::Timeout {
            budget_secs: *budget_secs,
        },
        CallError::OutOfMemory { cap_mb } => ProviderFault::OutOfMemory { cap_mb: *cap_mb },
        CallError::StackOverflow { cap_kb } => ProviderFault::StackOverflow { cap_kb: *cap_kb },
        CallError::Crashed { message } => ProviderFault::Crashed {
            message: message.clone(),
        },
        CallError::Instantiate { message } => ProviderFault::Instantiate {
            message: message.clone(),
        },
    }
}

pub(crate) fn bot_fault(e: &SupervisorError) -> BotFault {
    e.fault()
}

pub(crate) fn gate_fault(e: &GateError) -> GateFault {
    match e {
        GateError::Spawn { program, source } => GateFault::Spawn {
            program: program.clone(),
            error: source.to_string(),
        },
        GateError::Failed { status, run } => GateFault::Failed {
            status: status.clone(),
            after_ms: run.elapsed.as_millis() as u64,
        },
        GateError::TimedOut { secs, .. } => GateFault::TimedOut { secs: *secs },
    }
}

pub(crate) fn undo_failure(e: &UndoError) -> Failure {
    match e {
        UndoError::ProviderGone { provider } => Failure::ProviderGone {
            provider: provider.clone(),
        },
        UndoError::StateDamaged { provider, source } => Failure::StateDamaged {
            provider: provider.clone(),
            error: source.to_string(),
        },
        UndoError::CannotPlan { provider, source } => Failure::CannotPlanRestore {
            provider: provider.clone(),
            error: provider_fault(source),
        },
        UndoError::Apply { provider, source } => Failure::RestoreRefused {
            provider: provider.clone(),
            error: step_fault(source),
        },
        UndoError::StepsFailed { provider, failed } => Failure::RestoreStepsFailed {
            provider: provider.clone(),
            failed: failed
                .iter()
                .map(|(step, e)| FailedStep {
                    step: step.clone(),
                    error: step_fault(e),
                })
                .collect(),
        },
        UndoError::NotRemoved { provider, failed } => Failure::NotRemoved {
            provider: provider.clone(),
            failed: failed.iter().map(step_fault).collect(),
        },
    }
}

/// What a rollback could not undo, as one reason: the one, or several.
pub(crate) fn all(mut failures: Vec<Failure>) -> Option<Failure> {
    match failures.len() {
        0 => None,
        1 => failures.pop(),
        _ => Some(Failure::Several { failures }),
    }
}

/// A backup's failure as a reason keeps it: its English, and the same
/// typed when it is one a front words itself.
pub(crate) fn backup_failure(e: &crate::backup::BackupError) -> BackupFailure {
    BackupFailure {
        error: e.to_string(),
        detail: backup_fault(e),
    }
}

/// A backup's failure, typed for the ones a front words itself (the
/// English stays the error's own `Display`, kept beside it); any other is
/// left to that English.
pub(crate) fn backup_fault(e: &crate::backup::BackupError) -> Option<BackupFault> {
    e.fault()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each typed backup detail reads as the backup's own error, word for
    /// word; the others are not typed.
    #[test]
    fn backup_details_read_as_the_backup_errors() {
        use crate::backup::{BackupError, RestoreType, UndoCause, sqlite::SqliteError};
        use steward_core::dir_handle::HandleError;
        let io = || std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let typed = [
            BackupError::Busy,
            BackupError::LowDiskSpace {
                path: "/var/backups/steward".into(),
                free_mb: 3,
                needed_mb: 120,
            },
            BackupError::NothingToBackUp {
                backup_type: "database",
            },
            BackupError::DatabaseCorrupt {
                path: "data/bot.db".into(),
                message: SqliteError::Damaged(vec!["row 3 missing from index".into()]),
            },
            BackupError::FileChanged {
                path: "data/bot.db".into(),
            },
            BackupError::VerificationFailed {
                id: "b-1".into(),
                problems: vec![
                    crate::backup::problem::Problem::ContentDiffers {
                        path: "data/a".into(),
                    },
                    crate::backup::problem::Problem::MissingFromArchive {
                        path: "data/b".into(),
                    },
                ],
            },
            BackupError::NotFound("b-9".into()),
            BackupError::NothingToRestore {
                id: "b-1".into(),
                restore_type: RestoreType::Database,
            },
            BackupError::Swap {
                path: "/srv/bot/data".into(),
                source: io(),
            },
            BackupError::BotStop {
                source: "systemctl stop failed".into(),
            },
            BackupError::BotStart {
                source: "exit status: 1".into(),
            },
            BackupError::Dir {
                path: "/srv/backups".into(),
                source: io(),
            },
            BackupError::Read {
                path: "/srv/bot/data.db".into(),
                source: io(),
            },
            BackupError::Write {
                path: "/srv/backups/b-1".into(),
                source: io(),
            },
            BackupError::WrongPassword {
                path: "/srv/backups".into(),
            },
            BackupError::NoPassword {
                path: "/srv/backups".into(),
            },
            BackupError::Repository {
                path: "/srv/backups".into(),
                message: "config file is missing".into(),
            },
            BackupError::NotBroughtBack {
                path: "/srv/backups".into(),
                id: "b-1".into(),
                tried: vec![steward_core::failure::OffsiteFault::Target {
                    target: "nas".into(),
                    location: "/mnt/nas".into(),
                    why: steward_core::failure::TargetFault::NoCopy,
                }],
            },
            BackupError::Pattern {
                pattern: "logs/[".into(),
                message: "unclosed character class".into(),
            },
            BackupError::DatabaseCopy {
                path: "data/bot.db".into(),
                message: SqliteError::Damaged(vec!["page 4 is never used".into()]),
            },
            BackupError::InTheWay {
                source: HandleError::InTheWay {
                    path: "/srv/bot/config".into(),
                    found: "a file",
                    wanted: "a directory",
                },
            },
            BackupError::ConflictingPaths {
                problems: vec![
                    crate::backup::problem::Problem::ListedTwice {
                        path: "config.toml".into(),
                        times: 2,
                    },
                    crate::backup::problem::Problem::NotPlain {
                        path: "../x".into(),
                    },
                ],
            },
            BackupError::NotPutBack {
                cause: UndoCause::PlaceFailed {
                    path: "/srv/bot/a".into(),
                    error: "No space left on device (os error 28)".into(),
                },
                problems: vec![
                    HandleError::Io {
                        path: "/srv/bot/b".into(),
                        source: io(),
                    },
                    HandleError::Symlink {
                        path: "/srv/bot/c".into(),
                    },
                    HandleError::NotRelative {
                        path: "../d".into(),
                    },
                ],
                kept: "/srv/steward/data/restore/previous".into(),
            },
            BackupError::NotPutBack {
                cause: UndoCause::BotDidNotStart {
                    error: "exit status: 1".into(),
                    bot: None,
                },
                problems: vec![HandleError::InTheWay {
                    path: "/srv/bot/e".into(),
                    found: "a directory",
                    wanted: "a file",
                }],
                kept: "/srv/steward/data/restore/previous".into(),
            },
        ];
        for e in &typed {
            let fault = backup_fault(e).unwrap_or_else(|| panic!("{e:?} is not typed"));
            assert_eq!(fault.to_string(), e.to_string());
        }
        assert_eq!(backup_fault(&BackupError::ImportNeedsRepository), None);
    }

    /// The typed reasons read as the errors they come from, so the
    /// session's English (and the CLI's) is what it was.
    #[test]
    fn typed_reasons_read_as_the_errors_they_come_from() {
        let errors = [
            ApplyError::Denied {
                provider: "pip".into(),
                reason: "/usr/bin/uv is not granted".into(),
            },
            ApplyError::OutsideBotRoot {
                path: "/etc/passwd".into(),
                bot_root: "/srv/bot".into(),
            },
            ApplyError::CommandTimeout {
                program: "/usr/bin/npm".into(),
                secs: 600,
            },
            ApplyError::CommandFailed {
                program: "/usr/bin/npm".into(),
                status: 1,
                output_tail: "ERESOLVE".into(),
            },
            ApplyError::HttpStatus {
                url: "https://example.org/bot.tar.gz".into(),
                status: 404,
            },
            ApplyError::ChecksumMismatch {
                url: "https://example.org/bot.tar.gz".into(),
                expected: "aa".into(),
                actual: "bb".into(),
            },
            ApplyError::BadPath {
                path: "../x".into(),
                why: "it leaves the bot's root",
            },
            ApplyError::Io {
                path: "/srv/bot/current".into(),
                source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
            },
        ];
        for e in &errors {
            assert_eq!(step_fault(e).to_string(), e.to_string());
        }
        let bot = [
            SupervisorError::NotConfigured,
            SupervisorError::RestartCommand {
                program: "/bin/systemctl".into(),
                message: "exit status: 5".into(),
            },
            SupervisorError::WouldNotStop { pid: 42 },
            SupervisorError::HandoffNotReady {
                ready_file: "/srv/bot/ready".into(),
                within_secs: 30,
                exited: Some("exit status: 1".into()),
            },
            SupervisorError::HandoffNotReady {
                ready_file: "/srv/bot/ready".into(),
                within_secs: 30,
                exited: None,
            },
            SupervisorError::Unhealthy {
                reason: crate::progress::Unhealthy::Exited {
                    status: Some("exit status: 1".into()),
                    after_ms: 300,
                },
                tail: vec!["Traceback".into()],
            },
        ];
        for e in &bot {
            assert_eq!(bot_fault(e).to_string(), e.to_string());
        }
        let calls = [
            CallError::Timeout { budget_secs: 30 },
            CallError::OutOfMemory { cap_mb: 64 },
            CallError::Crashed {
                message: "wasm trap: unreachable".into(),
            },
        ];
        for e in &calls {
            assert_eq!(provider_fault(e).to_string(), e.to_string());
        }
        let undo = UndoError::StepsFailed {
            provider: "release".into(),
            failed: vec![(
                "Switch current to 1.4.0".into(),
                ApplyError::TargetMissing {
                    link: "current".into(),
                    target: "releases/1.4.0".into(),
                },
            )],
        };
        assert_eq!(undo_failure(&undo).to_string(), undo.to_string());
    }
}
