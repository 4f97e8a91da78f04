//! Progress of a long command, shown by editing its deferred reply:
//! "Progress: 30% – Checked pip". Fed by the engine's progress channel;
//! when updates arrive faster than Discord takes edits, only the newest is
//! shown, and edits always land in the order they were reported.

use std::future::Future;

use tokio::task::JoinHandle;

use super::locale::{Lang, t};
use super::message::Reply;
use crate::engine::progress::{
    self, BackupFailure, BackupFault, BotFault, Failure, GateFault, Progress, ProgressReceiver,
    ProgressSender, ProviderFault, Step, StepFault, Unhealthy,
};
use steward_core::failure::{ExtractFault, PathFault, UndoCause};

/// Runs `work` with a progress sender whose reports edit `reply`, and
/// returns once every report is shown, so the caller's result edit comes
/// last. `work` owns the sender: it is dropped when the work ends.
pub async fn tracked<T, F>(reply: &Reply, work: impl FnOnce(ProgressSender) -> F) -> T
where
    F: Future<Output = T>,
{
    let (sender, receiver) = progress::channel();
    let reporter = Reporter::start(reply.clone(), receiver);
    let out = work(sender).await;
    reporter.finish().await;
    out
}

pub struct Reporter {
    task: JoinHandle<()>,
}

impl Reporter {
    /// Starts editing `reply` as `progress` reports.
    pub fn start(reply: Reply, mut progress: ProgressReceiver) -> Reporter {
        let task = tokio::spawn(async move {
            while let Some(mut latest) = progress.recv().await {
                while let Ok(newer) = progress.try_recv() {
                    latest = newer;
                }
                if let Err(e) = reply.text(line(reply.lang, &latest)).await {
                    tracing::warn!("cannot show progress: {e}");
                }
            }
        });
        Reporter { task }
    }

    /// Waits until every reported step is shown. Call after the sender is
    /// dropped, before showing the result (so no late progress edit can
    /// replace it).
    pub async fn finish(self) {
        if let Err(e) = self.task.await {
            tracing::warn!("the progress task failed: {e}");
        }
    }
}

/// The progress line in `lang`.
pub fn line(lang: Lang, p: &Progress) -> String {
    t!(
        lang,
        "progress",
        percent = p.percent,
        step = step(lang, &p.step)
    )
}

/// A step in `lang`. What it quotes (names, versions, ids, a provider's
/// step description or a failure's reason) is data, kept as given and
/// plain text.
pub fn step(lang: Lang, step: &Step) -> String {
    use super::render::plain;
    match step {
        Step::Asking { sources } => t!(lang, "progress-asking", count = *sources),
        Step::Checked { provider } => t!(lang, "progress-checked", provider = plain(provider)),
        Step::CheckingForUpdates => t!(lang, "progress-checking"),
        Step::Planning => t!(lang, "progress-planning"),
        Step::RecordingState => t!(lang, "progress-recording-state"),
        Step::TakingPreUpdateBackup => t!(lang, "progress-pre-update-backup"),
        Step::Updating {
            name,
            current: Some(current),
            latest,
        } => t!(
            lang,
            "progress-updating",
            name = plain(name),
            current = plain(current),
            latest = plain(latest)
        ),
        Step::Updating {
            name,
            current: None,
            latest,
        } => t!(
            lang,
            "progress-installing-new",
            name = plain(name),
            latest = plain(latest)
        ),
        Step::TestingStagedUpdate => t!(lang, "progress-testing-staged"),
        Step::MeasuringImpact { after } => t!(
            lang,
            "progress-measuring-impact",
            when = if *after { "after" } else { "before" }
        ),
        Step::Verifying => t!(lang, "progress-verifying"),
        Step::RestartingBot => t!(lang, "progress-restarting"),
        Step::UpdateComplete => t!(lang, "progress-update-complete"),
        Step::RollingBack { reason, failure } => t!(
            lang,
            "progress-rolling-back",
            reason = match failure {
                Some(f) => self::failure(lang, f),
                None => plain(reason),
            }
        ),
        Step::BackingUpFirst => t!(lang, "progress-backing-up-first"),
        Step::RestoringBackup { id } => t!(lang, "progress-restoring-backup", id = plain(id)),
        Step::PuttingBack { provider } => {
            t!(lang, "progress-putting-back", provider = plain(provider))
        }
        Step::RollbackFinished => t!(lang, "progress-rollback-finished"),
        Step::BackingUpFiles { files, backup_type } => t!(
            lang,
            "progress-backing-up-files",
            count = *files,
            kind = super::render::choice_name(lang, backup_type)
        ),
        Step::CopyingDatabase { path } => {
            t!(lang, "progress-copying-database", path = plain(path))
        }
        Step::HashingFiles { files } => t!(lang, "progress-hashing-files", count = *files),
        Step::StoringFiles { files } => t!(lang, "progress-storing-files", count = *files),
        Step::Archiving { path } => t!(lang, "progress-archiving", path = plain(path)),
        Step::VerifyingBackup { id } => t!(lang, "progress-verifying-backup", id = plain(id)),
        Step::PruningBackups => t!(lang, "progress-pruning-backups"),
        Step::BackupComplete { id } => t!(lang, "progress-backup-complete", id = plain(id)),
        Step::Unpacking { id } => t!(lang, "progress-unpacking", id = plain(id)),
        Step::CheckingDatabase { path } => {
            t!(lang, "progress-checking-database", path = plain(path))
        }
        Step::StoppingBot => t!(lang, "progress-stopping-bot"),
        Step::PuttingFilesInPlace { files } => {
            t!(lang, "progress-putting-files-in-place", count = *files)
        }
        Step::StartingBot => t!(lang, "progress-starting-bot"),
        Step::Restored { files, id } => {
            t!(lang, "progress-restored", count = *files, id = plain(id))
        }
        Step::PlanStep { description: text } | Step::Note { text } => plain(text),
    }
}

/// Why an install or a rollback failed, in `lang`: Steward's own words
/// from the catalogue; names, steps, paths, exit statuses and what a tool,
/// the bot or a provider said stay as given, plain text.
pub fn failure(lang: Lang, failure: &Failure) -> String {
    use super::render::plain;
    match failure {
        Failure::StepExit {
            provider,
            step,
            program,
            status,
            output,
        } => t!(
            lang,
            "failure-step-exit",
            provider = plain(provider),
            step = plain(step),
            program = plain(program),
            // An exit code, never grouped.
            status = status.to_string(),
            output = plain(output)
        ),
        Failure::StepFailed {
            provider,
            step,
            error,
        } => t!(
            lang,
            "failure-step",
            provider = plain(provider),
            step = plain(step),
            error = step_fault(lang, error)
        ),
        Failure::Probation { reason, tail } => {
            let text = t!(lang, "failure-probation", reason = unhealthy(lang, reason));
            with_tail(lang, text, tail)
        }
        Failure::BotDidNotStart { program, error } => t!(
            lang,
            "failure-bot-did-not-start",
            program = plain(program),
            error = plain(error)
        ),
        Failure::Restart { fault } => t!(lang, "failure-restart", fault = bot_fault(lang, fault)),
        Failure::TestGate { error } => {
            t!(lang, "failure-test-gate", error = gate_fault(lang, error))
        }
        Failure::SevereRegression { regressions } => t!(
            lang,
            "failure-severe-regression",
            regressions = plain(regressions)
        ),
        Failure::CannotPlan { provider, error } => t!(
            lang,
            "failure-cannot-plan",
            provider = plain(provider),
            error = provider_fault(lang, error)
        ),
        Failure::CannotCapture { provider, error } => t!(
            lang,
            "failure-cannot-capture",
            provider = plain(provider),
            error = provider_fault(lang, error)
        ),
        Failure::PreUpdateBackup { failed } => t!(
            lang,
            "failure-pre-update-backup",
            error = backup_detail(lang, failed)
        ),
        Failure::NotConfirmed { provider, error } => t!(
            lang,
            "failure-not-confirmed",
            provider = plain(provider),
            error = provider_fault(lang, error)
        ),
        Failure::NotRolledBack { failure } => format!(
            "{} {}",
            self::failure(lang, failure),
            t!(lang, "failure-not-rolled-back")
        ),
        Failure::Interrupted { phase, not_undone } => {
            use crate::engine::progress::Phase;
            let mut text = t!(
                lang,
                "failure-interrupted",
                phase = match phase {
                    Phase::Applying => "applying",
                    Phase::Verifying => "verifying",
                    Phase::Probation => "probation",
                    Phase::RollingBack => "rolling-back",
                }
            );
            if !not_undone.is_empty() {
                text.push_str(&t!(
                    lang,
                    "failure-interrupted-not-undone",
                    errors = failures(lang, not_undone)
                ));
            }
            text
        }
        Failure::Journal { error } => t!(lang, "failure-journal", error = plain(error)),
        Failure::ProviderGone { provider } => {
            t!(lang, "failure-provider-gone", provider = plain(provider))
        }
        Failure::StateDamaged { provider, error } => t!(
            lang,
            "failure-state-damaged",
            provider = plain(provider),
            error = plain(error)
        ),
        Failure::CannotPlanRestore { provider, error } => t!(
            lang,
            "failure-cannot-plan-restore",
            provider = plain(provider),
            error = provider_fault(lang, error)
        ),
        Failure::RestoreRefused { provider, error } => t!(
            lang,
            "failure-restore-refused",
            provider = plain(provider),
            error = step_fault(lang, error)
        ),
        Failure::RestoreStepsFailed { provider, failed } => {
            let steps: Vec<String> = failed
                .iter()
                .map(|f| {
                    t!(
                        lang,
                        "failure-restore-step",
                        step = plain(&f.step),
                        error = step_fault(lang, &f.error)
                    )
                })
                .collect();
            t!(
                lang,
                "failure-restore-steps",
                provider = plain(provider),
                steps = steps.join(&t!(lang, "failure-separator"))
            )
        }
        Failure::NotRemoved { provider, failed } => {
            let errors: Vec<String> = failed.iter().map(|e| step_fault(lang, e)).collect();
            t!(
                lang,
                "failure-not-removed",
                provider = plain(provider),
                errors = errors.join(&t!(lang, "failure-separator"))
            )
        }
        Failure::DatabaseNotRestored { backup, failed } => t!(
            lang,
            "failure-database-not-restored",
            backup = plain(backup),
            error = backup_detail(lang, failed)
        ),
        Failure::OldVersionNotRestarted { fault } => t!(
            lang,
            "failure-old-version-not-restarted",
            fault = bot_fault(lang, fault)
        ),
        Failure::BackupNotRestored { backup, failed } => t!(
            lang,
            "failure-backup-not-restored",
            backup = plain(backup),
            error = backup_detail(lang, failed)
        ),
        Failure::BotNotRestarted { fault } => t!(
            lang,
            "failure-bot-not-restarted",
            fault = bot_fault(lang, fault)
        ),
        Failure::RollbackNotConfirmed { provider, error } => t!(
            lang,
            "failure-rollback-not-confirmed",
            provider = plain(provider),
            error = provider_fault(lang, error)
        ),
        Failure::BackupBeforeRollback { failed } => t!(
            lang,
            "failure-backup-before-rollback",
            error = backup_detail(lang, failed)
        ),
        Failure::Several { failures: all } => failures(lang, all),
        Failure::Stopped { findings } => t!(
            lang,
            "failure-stopped",
            findings = findings
                .iter()
                .map(|w| super::render::update::finding(lang, w))
                .collect::<Vec<_>>()
                .join(&t!(lang, "failure-separator"))
        ),
        Failure::Cancelled { unanswered } => t!(
            lang,
            "failure-cancelled",
            unanswered = if *unanswered { "yes" } else { "no" }
        ),
    }
}

/// Several reasons in one line, in the order they happened.
pub fn failures(lang: Lang, all: &[Failure]) -> String {
    all.iter()
        .map(|f| failure(lang, f))
        .collect::<Vec<_>>()
        .join(&t!(lang, "failure-separator"))
}

/// `text`, then the bot's last output (as it printed it) when there is any.
fn with_tail(lang: Lang, mut text: String, tail: &[String]) -> String {
    if !tail.is_empty() {
        text.push_str(&t!(lang, "failure-probation-tail"));
        text.push('\n');
        text.push_str(&super::render::plain(&tail.join("\n")));
    }
    text
}

/// Seconds with one decimal, as the locale writes them.
fn seconds(lang: Lang, after_ms: u64) -> String {
    lang.number(after_ms as f64 / 1000.0, 1)
}

fn unhealthy(lang: Lang, reason: &Unhealthy) -> String {
    use super::render::plain;
    match reason {
        Unhealthy::Exited {
            status: Some(status),
            after_ms,
        } => t!(
            lang,
            "unhealthy-exited",
            status = plain(status),
            seconds = seconds(lang, *after_ms)
        ),
        Unhealthy::Exited {
            status: None,
            after_ms,
        } => t!(lang, "unhealthy-gone", seconds = seconds(lang, *after_ms)),
        Unhealthy::NotReady {
            line,
            url,
            within_secs,
        } => {
            let mut missing = Vec::new();
            if let Some(line) = line {
                missing.push(t!(lang, "unhealthy-no-ready-line", line = plain(line)));
            }
            if let Some(url) = url {
                missing.push(t!(lang, "unhealthy-no-answer", url = plain(url)));
            }
            t!(
                lang,
                "unhealthy-not-ready",
                missing = missing.join(&t!(lang, "unhealthy-and")),
                // A setting's value, as steward.toml writes it.
                secs = within_secs.to_string()
            )
        }
    }
}

fn gate_fault(lang: Lang, fault: &GateFault) -> String {
    use super::render::plain;
    match fault {
        GateFault::Spawn { program, error } => t!(
            lang,
            "gate-spawn",
            program = plain(program),
            error = plain(error)
        ),
        GateFault::Failed { status, after_ms } => t!(
            lang,
            "gate-failed",
            status = plain(status),
            seconds = seconds(lang, *after_ms)
        ),
        GateFault::TimedOut { secs } => t!(lang, "gate-timed-out", secs = secs.to_string()),
    }
}

/// Why a backup or restore failed: typed, in `lang`; otherwise the
/// backup's English as given. What it quotes (paths, ids, SQLite's and the
/// system's words) stays as given.
fn backup_detail(lang: Lang, failed: &BackupFailure) -> String {
    use super::render::plain;
    match &failed.detail {
        Some(detail) => backup_fault(lang, detail, plain),
        None => plain(&failed.error),
    }
}

/// A backup's or a restore's typed failure in `lang`, without a frame.
/// What it quotes (paths, ids, SQLite's and the system's words) goes
/// through `plain` as given: escaped inside a reason, as is inside an
/// error message.
pub(crate) fn backup_fault(lang: Lang, detail: &BackupFault, plain: fn(&str) -> String) -> String {
    use super::render::choice_name;
    let separator = || t!(lang, "failure-separator");
    match detail {
        BackupFault::Busy => t!(lang, "backup-detail-busy"),
        BackupFault::LowDiskSpace {
            path,
            free_mib,
            needed_mib,
        } => t!(
            lang,
            "backup-detail-low-disk",
            path = plain(path),
            free = *free_mib,
            needed = *needed_mib
        ),
        BackupFault::NothingToBackUp { backup_type } => t!(
            lang,
            "backup-detail-nothing",
            table = plain(backup_type),
            kind = choice_name(lang, backup_type)
        ),
        BackupFault::DatabaseCorrupt { path, error } => t!(
            lang,
            "backup-detail-database-corrupt",
            path = plain(path),
            error = plain(error)
        ),
        BackupFault::FileChanged { path } => {
            t!(lang, "backup-detail-file-changed", path = plain(path))
        }
        BackupFault::VerificationFailed {
            id,
            problems,
            found,
        } => t!(
            lang,
            "backup-detail-verification-failed",
            id = plain(id),
            // A session an older Steward kept has only the English.
            problems = if found.is_empty() {
                plain(&problems.join(&separator()))
            } else {
                crate::discord::render::backup::problems(lang, found)
            }
        ),
        BackupFault::NotFound { id } => t!(lang, "backup-detail-not-found", id = plain(id)),
        BackupFault::NothingToRestore { id, restore_type } => t!(
            lang,
            "backup-detail-nothing-to-restore",
            id = plain(id),
            named = plain(restore_type),
            kind = choice_name(lang, &restore_type.to_lowercase())
        ),
        BackupFault::Swap { path, error } => t!(
            lang,
            "backup-detail-swap",
            path = plain(path),
            error = plain(error)
        ),
        BackupFault::BotStop { error, bot } => {
            let error = bot
                .as_ref()
                .map_or_else(|| plain(error), |f| bot_fault(lang, f));
            t!(lang, "backup-detail-bot-stop", error = error)
        }
        BackupFault::BotStart { error, bot } => {
            let error = bot
                .as_ref()
                .map_or_else(|| plain(error), |f| bot_fault(lang, f));
            t!(lang, "backup-detail-bot-start", error = error)
        }
        BackupFault::Dir { path, error } => t!(
            lang,
            "backup-detail-dir",
            path = plain(path),
            error = plain(error)
        ),
        BackupFault::Read { path, error } => t!(
            lang,
            "backup-detail-read",
            path = plain(path),
            error = plain(error)
        ),
        BackupFault::Write { path, error } => t!(
            lang,
            "backup-detail-write",
            path = plain(path),
            error = plain(error)
        ),
        BackupFault::WrongPassword { path, env } => t!(
            lang,
            "backup-detail-wrong-password",
            path = plain(path),
            env = plain(env)
        ),
        BackupFault::NoPassword { path, env } => t!(
            lang,
            "backup-detail-no-password",
            path = plain(path),
            env = plain(env)
        ),
        BackupFault::Repository { path, error } => t!(
            lang,
            "backup-detail-repository",
            path = plain(path),
            error = plain(error)
        ),
        BackupFault::NotBroughtBack { path, id, tried } => t!(
            lang,
            "backup-detail-not-brought-back",
            path = plain(path),
            id = plain(id),
            tried = tried
                .iter()
                .map(|fault| super::render::backup::offsite_error(lang, Some(fault), ""))
                .collect::<Vec<_>>()
                .join(&separator())
        ),
        BackupFault::Pattern { pattern, error } => t!(
            lang,
            "backup-detail-pattern",
            pattern = plain(&format!("{pattern:?}")),
            error = plain(error)
        ),
        BackupFault::DatabaseCopy { path, error } => t!(
            lang,
            "backup-detail-database-copy",
            path = plain(path),
            error = plain(error)
        ),
        BackupFault::InTheWay { problem } => t!(
            lang,
            "backup-detail-in-the-way",
            problem = path_fault(lang, problem, plain)
        ),
        BackupFault::ConflictingPaths { problems, found } => t!(
            lang,
            "backup-detail-conflicting-paths",
            // A session an older Steward kept has only the English.
            problems = if found.is_empty() {
                plain(&problems.join(&separator()))
            } else {
                crate::discord::render::backup::problems(lang, found)
            }
        ),
        BackupFault::NotPutBack {
            cause,
            problems,
            kept,
        } => t!(
            lang,
            "backup-detail-not-put-back",
            cause = undo_cause(lang, cause, plain),
            problems = problems
                .iter()
                .map(|p| path_fault(lang, p, plain))
                .collect::<Vec<_>>()
                .join(&separator()),
            kept = plain(kept)
        ),
        BackupFault::NotCompleted { id, status } => t!(
            lang,
            "backup-detail-not-completed",
            id = plain(id),
            status = status.clone(),
            named = plain(status)
        ),
        BackupFault::Extract { problem } => extract_fault(lang, problem, plain),
    }
}

/// Why a backup's archive could not be unpacked, in `lang`; the paths, the
/// decoder's and the system's words as given.
fn extract_fault(lang: Lang, problem: &ExtractFault, plain: fn(&str) -> String) -> String {
    let quoted = |path: &str| plain(&format!("{path:?}"));
    match problem {
        ExtractFault::Staging { path, error } => t!(
            lang,
            "backup-detail-extract-staging",
            path = plain(path),
            error = plain(error)
        ),
        ExtractFault::Truncated => t!(lang, "backup-detail-extract-truncated"),
        ExtractFault::Corrupt { error } => {
            t!(lang, "backup-detail-extract-corrupt", error = plain(error))
        }
        ExtractFault::UnsafePath { path } => t!(
            lang,
            "backup-detail-extract-unsafe-path",
            quoted = quoted(path)
        ),
        ExtractFault::ForbiddenType { path, entry } => t!(
            lang,
            "backup-detail-extract-forbidden-type",
            quoted = quoted(path),
            // A Fluent variant key: "symbolic link" selects [symbolic-link].
            entry = entry.replace(' ', "-"),
            named = plain(entry)
        ),
        ExtractFault::PaxSizeMismatch { path, pax, header } => t!(
            lang,
            "backup-detail-extract-pax-size",
            quoted = quoted(path),
            pax = pax.to_string(),
            header = header.to_string()
        ),
        ExtractFault::Duplicate { path } => t!(
            lang,
            "backup-detail-extract-duplicate",
            quoted = quoted(path)
        ),
        ExtractFault::TooLarge { limit } => t!(
            lang,
            "backup-detail-extract-too-large",
            limit = limit.to_string()
        ),
        ExtractFault::TooManyEntries { limit } => t!(
            lang,
            "backup-detail-extract-too-many",
            limit = limit.to_string()
        ),
        ExtractFault::Write { path, error } => t!(
            lang,
            "backup-detail-extract-write",
            path = plain(path),
            error = plain(error)
        ),
    }
}

/// Why a restore was putting the previous files back, in `lang`; the
/// filesystem's and the bot's own words as given.
fn undo_cause(lang: Lang, cause: &UndoCause, plain: fn(&str) -> String) -> String {
    match cause {
        UndoCause::PlaceFailed { path, error } => t!(
            lang,
            "restore-undo-place-failed",
            path = plain(path),
            error = plain(error)
        ),
        UndoCause::BotDidNotStart { error, bot } => {
            let error = bot
                .as_ref()
                .map_or_else(|| plain(error), |f| bot_fault(lang, f));
            t!(lang, "restore-undo-bot-did-not-start", error = error)
        }
    }
}

/// What a restore found at one path, in `lang`; the path as given.
/// `found` and `wanted` are the few kinds of entry a directory holds.
fn path_fault(lang: Lang, fault: &PathFault, plain: fn(&str) -> String) -> String {
    match fault {
        PathFault::Symlink { path } => t!(lang, "restore-path-symlink", path = plain(path)),
        PathFault::InTheWay {
            path,
            found,
            wanted,
        } => t!(
            lang,
            "restore-path-in-the-way",
            path = plain(path),
            found = found.replace(' ', "-"),
            wanted = wanted.replace(' ', "-")
        ),
        PathFault::NotRelative { path } => t!(
            lang,
            "restore-path-not-relative",
            path = plain(&format!("{path:?}"))
        ),
        PathFault::Io { path, error } => {
            t!(lang, "fault-io", path = plain(path), error = plain(error))
        }
    }
}

pub(crate) fn bot_fault(lang: Lang, fault: &BotFault) -> String {
    use super::render::plain;
    match fault {
        BotFault::NotConfigured => t!(lang, "bot-not-configured"),
        BotFault::Spawn { program, error } => t!(
            lang,
            "bot-spawn",
            program = plain(program),
            error = plain(error)
        ),
        BotFault::RestartCommand { program, message } => t!(
            lang,
            "bot-restart-command",
            program = plain(program),
            message = plain(message)
        ),
        BotFault::AlreadyRunning { pid } => {
            t!(lang, "bot-already-running", pid = pid.to_string())
        }
        BotFault::WouldNotStop { pid } => t!(lang, "bot-would-not-stop", pid = pid.to_string()),
        BotFault::HandoffNotReady {
            within_secs,
            exited,
            ..
        } => t!(
            lang,
            "bot-handoff-not-ready",
            exited = if exited.is_some() { "yes" } else { "no" },
            status = plain(exited.as_deref().unwrap_or_default()),
            secs = within_secs.to_string()
        ),
        BotFault::Unhealthy { reason, tail } => {
            let text = t!(lang, "bot-unhealthy", reason = unhealthy(lang, reason));
            with_tail(lang, text, tail)
        }
        BotFault::Io { path, error } => {
            t!(lang, "fault-io", path = plain(path), error = plain(error))
        }
    }
}

fn provider_fault(lang: Lang, fault: &ProviderFault) -> String {
    use super::render::plain;
    match fault {
        ProviderFault::Said { message } => plain(message),
        ProviderFault::Timeout { budget_secs } => t!(
            lang,
            "provider-fault-timeout",
            secs = budget_secs.to_string()
        ),
        ProviderFault::OutOfMemory { cap_mb } => {
            t!(lang, "provider-fault-memory", mb = cap_mb.to_string())
        }
        ProviderFault::StackOverflow { cap_kb } => {
            t!(lang, "provider-fault-stack", kb = cap_kb.to_string())
        }
        ProviderFault::Crashed { message } => {
            t!(lang, "provider-fault-crashed", message = plain(message))
        }
        ProviderFault::Instantiate { message } => {
            t!(lang, "provider-fault-instantiate", message = plain(message))
        }
    }
}

fn step_fault(lang: Lang, fault: &StepFault) -> String {
    use super::render::plain;
    match fault {
        StepFault::Denied { provider, reason } => t!(
            lang,
            "step-denied",
            provider = plain(provider),
            reason = plain(reason)
        ),
        StepFault::OutsideBotRoot { path, bot_root } => t!(
            lang,
            "step-outside-root",
            path = plain(path),
            root = plain(bot_root)
        ),
        StepFault::StewardOwn {
            provider,
            path,
            what,
        } => t!(
            lang,
            "step-steward-own",
            provider = plain(provider),
            path = plain(path),
            what = plain(what)
        ),
        StepFault::BadPath { path, why } => {
            t!(lang, "step-bad-path", path = plain(path), why = plain(why))
        }
        StepFault::EnvRefused {
            provider,
            program,
            name,
            why,
        } => t!(
            lang,
            "step-env-refused",
            provider = plain(provider),
            name = plain(name),
            program = plain(program),
            why = plain(why)
        ),
        StepFault::CommandNotRun { program, error } => t!(
            lang,
            "step-not-run",
            program = plain(program),
            error = plain(error)
        ),
        StepFault::CommandTimeout { program, secs } => t!(
            lang,
            "step-timeout",
            program = plain(program),
            secs = secs.to_string()
        ),
        StepFault::CommandFailed {
            program,
            status,
            output,
        } => t!(
            lang,
            "step-exit",
            program = plain(program),
            status = status.to_string(),
            output = plain(output)
        ),
        StepFault::BadChecksum { value } => {
            t!(
                lang,
                "step-bad-checksum",
                value = plain(&format!("{value:?}"))
            )
        }
        StepFault::Download { url, error } => t!(
            lang,
            "step-download",
            url = plain(url),
            error = plain(error)
        ),
        StepFault::HttpStatus { url, status } => t!(
            lang,
            "step-http-status",
            url = plain(url),
            status = status.to_string()
        ),
        StepFault::TooLarge { url, limit } => t!(
            lang,
            "step-too-large",
            url = plain(url),
            limit = limit.to_string()
        ),
        StepFault::OverSafetyLimit { url, limit_mb } => t!(
            lang,
            "step-over-safety-limit",
            url = plain(url),
            mb = limit_mb.to_string()
        ),
        StepFault::ChecksumMismatch {
            url,
            expected,
            actual,
        } => t!(
            lang,
            "step-checksum-mismatch",
            url = plain(url),
            expected = plain(expected),
            actual = plain(actual)
        ),
        StepFault::SignatureMissing { url, provider } => t!(
            lang,
            "step-signature-missing",
            url = plain(url),
            provider = plain(provider)
        ),
        StepFault::SignatureUnusable { url, error } => t!(
            lang,
            "step-signature-unusable",
            url = plain(url),
            error = plain(error)
        ),
        StepFault::SignatureInvalid { url, error } => t!(
            lang,
            "step-signature-invalid",
            url = plain(url),
            error = plain(error)
        ),
        StepFault::Unpack { url, error } => {
            t!(lang, "step-unpack", url = plain(url), error = plain(error))
        }
        StepFault::DestinationExists { path } => {
            t!(lang, "step-destination-exists", path = plain(path))
        }
        StepFault::NotReplaceable { path, what } => t!(
            lang,
            "step-not-replaceable",
            path = plain(path),
            what = plain(what)
        ),
        StepFault::TargetMissing { link, target } => t!(
            lang,
            "step-target-missing",
            link = plain(link),
            target = plain(target)
        ),
        StepFault::Io { path, error } => {
            t!(lang, "fault-io", path = plain(path), error = plain(error))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn updating(current: Option<&str>) -> Progress {
        let step = Step::Updating {
            name: "discord.py".into(),
            current: current.map(Into::into),
            latest: "2.3.1".into(),
        };
        Progress {
            percent: 30,
            message: step.to_string(),
            step,
        }
    }

    #[test]
    fn progress_reads_as_percent_and_step() {
        assert_eq!(
            line(Lang::english(), &updating(Some("2.3.0"))),
            "Progress: 30% – Updating discord.py 2.3.0 → 2.3.1"
        );
        assert_eq!(
            line(Lang::for_tag("de"), &updating(Some("2.3.0"))),
            "Fortschritt: 30 % – Aktualisiere discord.py 2.3.0 → 2.3.1"
        );
        assert_eq!(
            line(Lang::for_tag("zh-CN"), &updating(None)),
            "进度：30% – 正在安装 discord.py 2.3.1（新）"
        );
    }

    fn failures() -> Vec<Failure> {
        use crate::engine::progress::{FailedStep, Phase};
        let denied = StepFault::Denied {
            provider: "pip".into(),
            reason: "/usr/bin/uv is not granted".into(),
        };
        let step_faults = [
            denied.clone(),
            StepFault::OutsideBotRoot {
                path: "/etc/passwd".into(),
                bot_root: "/srv/bot".into(),
            },
            StepFault::StewardOwn {
                provider: "pip".into(),
                path: "/srv/steward/data".into(),
                what: "data directory".into(),
            },
            StepFault::BadPath {
                path: "../x".into(),
                why: "it leaves the bot's root".into(),
            },
            StepFault::EnvRefused {
                provider: "npm".into(),
                program: "/usr/bin/npm".into(),
                name: "LD_PRELOAD".into(),
                why: "it changes what runs".into(),
            },
            StepFault::CommandNotRun {
                program: "/usr/bin/uv".into(),
                error: "No such file or directory (os error 2)".into(),
            },
            StepFault::CommandTimeout {
                program: "/usr/bin/npm".into(),
                secs: 600,
            },
            StepFault::CommandFailed {
                program: "/usr/bin/npm".into(),
                status: 1,
                output: "ERESOLVE".into(),
            },
            StepFault::BadChecksum {
                value: "xyz".into(),
            },
            StepFault::Download {
                url: "https://example.org/bot.tar.gz".into(),
                error: "connection reset".into(),
            },
            StepFault::HttpStatus {
                url: "https://example.org/bot.tar.gz".into(),
                status: 404,
            },
            StepFault::TooLarge {
                url: "https://example.org/bot.tar.gz".into(),
                limit: 1048576,
            },
            StepFault::OverSafetyLimit {
                url: "https://example.org/bot.tar.gz".into(),
                limit_mb: 100,
            },
            StepFault::ChecksumMismatch {
                url: "https://example.org/bot.tar.gz".into(),
                expected: "aa".into(),
                actual: "bb".into(),
            },
            StepFault::SignatureMissing {
                url: "https://example.org/bot.tar.gz".into(),
                provider: "release".into(),
            },
            StepFault::SignatureUnusable {
                url: "https://example.org/bot.tar.gz".into(),
                error: "not base64".into(),
            },
            StepFault::SignatureInvalid {
                url: "https://example.org/bot.tar.gz".into(),
                error: "signature error".into(),
            },
            StepFault::Unpack {
                url: "https://example.org/bot.tar.gz".into(),
                error: "a symlink".into(),
            },
            StepFault::DestinationExists {
                path: "/srv/bot/releases/1.5.0".into(),
            },
            StepFault::NotReplaceable {
                path: "/srv/bot/current".into(),
                what: "a directory".into(),
            },
            StepFault::TargetMissing {
                link: "current".into(),
                target: "releases/1.4.0".into(),
            },
            StepFault::Io {
                path: "/srv/bot/current".into(),
                error: "Permission denied (os error 13)".into(),
            },
        ];
        let unhealthy = [
            Unhealthy::Exited {
                status: Some("exit status: 1".into()),
                after_ms: 300,
            },
            Unhealthy::Exited {
                status: None,
                after_ms: 1200,
            },
            Unhealthy::NotReady {
                line: Some("ready".into()),
                url: Some("http://127.0.0.1:8080/health".into()),
                within_secs: 30,
            },
            Unhealthy::NotReady {
                line: None,
                url: Some("http://127.0.0.1:8080/health".into()),
                within_secs: 30,
            },
        ];
        let bot_faults = [
            BotFault::NotConfigured,
            BotFault::Spawn {
                program: "/srv/bot/run.sh".into(),
                error: "No such file or directory (os error 2)".into(),
            },
            BotFault::RestartCommand {
                program: "/bin/systemctl".into(),
                message: "exit status: 5".into(),
            },
            BotFault::AlreadyRunning { pid: 4242 },
            BotFault::WouldNotStop { pid: 4242 },
            BotFault::HandoffNotReady {
                ready_file: "/srv/bot/ready".into(),
                within_secs: 30,
                exited: Some("exit status: 1".into()),
            },
            BotFault::HandoffNotReady {
                ready_file: "/srv/bot/ready".into(),
                within_secs: 30,
                exited: None,
            },
            BotFault::Unhealthy {
                reason: unhealthy[0].clone(),
                tail: vec!["Traceback".into()],
            },
            BotFault::Io {
                path: "/srv/steward/data/bot.pid".into(),
                error: "Permission denied (os error 13)".into(),
            },
        ];
        let provider_faults = [
            ProviderFault::Said {
                message: "no release matches".into(),
            },
            ProviderFault::Timeout { budget_secs: 30 },
            ProviderFault::OutOfMemory { cap_mb: 64 },
            ProviderFault::StackOverflow { cap_kb: 512 },
            ProviderFault::Crashed {
                message: "wasm trap: unreachable".into(),
            },
            ProviderFault::Instantiate {
                message: "missing import".into(),
            },
        ];
        let mut all = vec![
            Failure::StepExit {
                provider: "pip".into(),
                step: "Install aiohttp 3.9.1".into(),
                program: "/usr/bin/python3".into(),
                status: 1,
                output: "No matching distribution found".into(),
            },
            Failure::Probation {
                reason: unhealthy[0].clone(),
                tail: vec!["Traceback".into(), "KeyError: token".into()],
            },
            Failure::BotDidNotStart {
                program: "/srv/bot/run.sh".into(),
                error: "No such file or directory (os error 2)".into(),
            },
            Failure::TestGate {
                error: GateFault::Failed {
                    status: "exit status: 1".into(),
                    after_ms: 2400,
                },
            },
            Failure::SevereRegression {
                regressions: "memory 40 MB → 400 MB".into(),
            },
            Failure::PreUpdateBackup {
                failed: BackupFailure {
                    error: "only 3 MiB free".into(),
                    detail: None,
                },
            },
            Failure::Journal {
                error: "No space left on device (os error 28)".into(),
            },
            Failure::ProviderGone {
                provider: "npm".into(),
            },
            Failure::StateDamaged {
                provider: "npm".into(),
                error: "Odd number of digits".into(),
            },
            Failure::RestoreRefused {
                provider: "pip".into(),
                error: denied.clone(),
            },
            Failure::RestoreStepsFailed {
                provider: "release".into(),
                failed: vec![
                    FailedStep {
                        step: "Switch current to 1.4.0".into(),
                        error: step_faults[20].clone(),
                    },
                    FailedStep {
                        step: "Remove 1.5.0".into(),
                        error: step_faults[21].clone(),
                    },
                ],
            },
            Failure::NotRemoved {
                provider: "release".into(),
                failed: vec![step_faults[21].clone()],
            },
            Failure::DatabaseNotRestored {
                backup: "b-1".into(),
                failed: BackupFailure {
                    error: "database is locked".into(),
                    detail: None,
                },
            },
            Failure::BackupNotRestored {
                backup: "b-1".into(),
                failed: BackupFailure {
                    error: "verification failed".into(),
                    detail: None,
                },
            },
            Failure::BackupBeforeRollback {
                failed: BackupFailure {
                    error: "only 3 MiB free".into(),
                    detail: None,
                },
            },
        ];
        for (n, phase) in [
            Phase::Applying,
            Phase::Verifying,
            Phase::Probation,
            Phase::RollingBack,
        ]
        .into_iter()
        .enumerate()
        {
            all.push(Failure::Interrupted {
                phase,
                not_undone: all[6..6 + n].to_vec(),
            });
        }
        for error in step_faults {
            all.push(Failure::StepFailed {
                provider: "pip".into(),
                step: "Install aiohttp 3.9.1".into(),
                error,
            });
        }
        for reason in unhealthy {
            all.push(Failure::Probation {
                reason,
                tail: Vec::new(),
            });
        }
        for error in [
            GateFault::Spawn {
                program: "/usr/bin/pytest".into(),
                error: "No such file or directory (os error 2)".into(),
            },
            GateFault::TimedOut { secs: 300 },
        ] {
            all.push(Failure::TestGate { error });
        }
        for fault in bot_faults {
            all.push(Failure::Restart {
                fault: fault.clone(),
            });
            all.push(Failure::OldVersionNotRestarted {
                fault: fault.clone(),
            });
            all.push(Failure::BotNotRestarted { fault });
        }
        for error in provider_faults {
            let provider = "pip".to_string();
            all.push(Failure::CannotPlan {
                provider: provider.clone(),
                error: error.clone(),
            });
            all.push(Failure::CannotCapture {
                provider: provider.clone(),
                error: error.clone(),
            });
            all.push(Failure::NotConfirmed {
                provider: provider.clone(),
                error: error.clone(),
            });
            all.push(Failure::CannotPlanRestore {
                provider: provider.clone(),
                error: error.clone(),
            });
            all.push(Failure::RollbackNotConfirmed { provider, error });
        }
        all.push(Failure::NotRolledBack {
            failure: Box::new(all[0].clone()),
        });
        all.push(Failure::Several {
            failures: all[5..9].to_vec(),
        });
        all.push(Failure::Cancelled { unanswered: false });
        all.push(Failure::Cancelled { unanswered: true });
        for (n, detail) in backup_faults().into_iter().enumerate() {
            let error = detail.to_string();
            let detail = Some(detail);
            all.push(match n % 4 {
                0 => Failure::PreUpdateBackup {
                    failed: BackupFailure { error, detail },
                },
                1 => Failure::BackupNotRestored {
                    backup: "b-1".into(),
                    failed: BackupFailure { error, detail },
                },
                2 => Failure::DatabaseNotRestored {
                    backup: "b-1".into(),
                    failed: BackupFailure { error, detail },
                },
                _ => Failure::BackupBeforeRollback {
                    failed: BackupFailure { error, detail },
                },
            });
        }
        all.push(Failure::Stopped {
            findings: vec![
                crate::engine::install::SafetyFinding::BackupRequired,
                crate::engine::install::SafetyFinding::CannotPlan {
                    provider: "pip".into(),
                    reason: "uv is not granted".into(),
                },
            ],
        });
        all
    }

    /// A refused restore's problems as a session keeps them now: in
    /// English and typed.
    fn verification_failed() -> BackupFault {
        use crate::backup::problem::{Problem, english};
        let found = vec![
            Problem::ContentDiffers {
                path: "data/a".into(),
            },
            Problem::MissingFromArchive {
                path: "data/b".into(),
            },
        ];
        BackupFault::VerificationFailed {
            id: "b-1".into(),
            problems: english(&found),
            found,
        }
    }

    /// Every typed backup detail, with the English the backup said before
    /// they were typed (what the CLI and the session's `error` keep).
    fn backup_faults() -> Vec<BackupFault> {
        vec![
            BackupFault::Busy,
            BackupFault::LowDiskSpace {
                path: "/var/backups/steward".into(),
                free_mib: 3,
                needed_mib: 120,
            },
            BackupFault::NothingToBackUp {
                backup_type: "database".into(),
            },
            BackupFault::DatabaseCorrupt {
                path: "data/bot.db".into(),
                error: "row 3 missing from index".into(),
            },
            BackupFault::FileChanged {
                path: "data/bot.db".into(),
            },
            // As a session an older Steward kept it: the English only.
            BackupFault::VerificationFailed {
                id: "b-1".into(),
                problems: vec!["data/a: checksum differs".into(), "data/b: missing".into()],
                found: Vec::new(),
            },
            verification_failed(),
            BackupFault::NotFound { id: "b-9".into() },
            BackupFault::NothingToRestore {
                id: "b-1".into(),
                restore_type: "Database".into(),
            },
            BackupFault::Swap {
                path: "/srv/bot/data".into(),
                error: "permission denied".into(),
            },
            BackupFault::BotStop {
                error: "systemctl stop failed".into(),
                bot: None,
            },
            BackupFault::BotStart {
                error: "exit status: 1".into(),
                bot: None,
            },
            BackupFault::Dir {
                path: "/var/backups/steward".into(),
                error: "Permission denied (os error 13)".into(),
            },
            BackupFault::Read {
                path: "/srv/bot/data.db".into(),
                error: "Permission denied (os error 13)".into(),
            },
            BackupFault::Write {
                path: "/var/backups/steward/b-1".into(),
                error: "No space left on device (os error 28)".into(),
            },
            BackupFault::WrongPassword {
                path: "/var/backups/steward".into(),
                env: "STEWARD_BACKUP_PASSWORD".into(),
            },
            BackupFault::NoPassword {
                path: "/var/backups/steward".into(),
                env: "STEWARD_BACKUP_PASSWORD".into(),
            },
            BackupFault::Repository {
                path: "/var/backups/steward".into(),
                error: "config file is missing".into(),
            },
            BackupFault::Pattern {
                pattern: "logs/{a".into(),
                error: "unclosed alternate group".into(),
            },
            BackupFault::DatabaseCopy {
                path: "data/bot.db".into(),
                error: "database is locked".into(),
            },
            BackupFault::InTheWay {
                problem: PathFault::InTheWay {
                    path: "/srv/bot/config".into(),
                    found: "a file".into(),
                    wanted: "a directory".into(),
                },
            },
            conflicting_paths(),
            not_put_back(UndoCause::PlaceFailed {
                path: "/srv/bot/a".into(),
                error: "No space left on device (os error 28)".into(),
            }),
            not_put_back(UndoCause::BotDidNotStart {
                error: "exit status: 1".into(),
                bot: None,
            }),
            BackupFault::NotBroughtBack {
                path: "/var/backups/steward".into(),
                id: "b-1".into(),
                tried: vec![
                    steward_core::failure::OffsiteFault::Target {
                        target: "nas".into(),
                        location: "/mnt/nas".into(),
                        why: steward_core::failure::TargetFault::NoCopy,
                    },
                    steward_core::failure::OffsiteFault::Target {
                        target: "away".into(),
                        location: "http://127.0.0.1:9/bot".into(),
                        why: steward_core::failure::TargetFault::Backend {
                            error: "connection refused".into(),
                            cause: None,
                        },
                    },
                ],
            },
            BackupFault::NotCompleted {
                id: "b-1".into(),
                status: "InProgress".into(),
            },
            BackupFault::NotCompleted {
                id: "b-2".into(),
                status: "Failed".into(),
            },
            BackupFault::Extract {
                problem: ExtractFault::Staging {
                    path: "/srv/steward/data/restore/staging".into(),
                    error: "No space left on device (os error 28)".into(),
                },
            },
            BackupFault::Extract {
                problem: ExtractFault::Truncated,
            },
            BackupFault::Extract {
                problem: ExtractFault::Corrupt {
                    error: "invalid gzip header".into(),
                },
            },
            BackupFault::Extract {
                problem: ExtractFault::UnsafePath {
                    path: "../etc/passwd".into(),
                },
            },
            BackupFault::Extract {
                problem: ExtractFault::ForbiddenType {
                    path: "data/link".into(),
                    entry: "symbolic link".into(),
                },
            },
            BackupFault::Extract {
                problem: ExtractFault::PaxSizeMismatch {
                    path: "data/a".into(),
                    pax: 10,
                    header: 12,
                },
            },
            BackupFault::Extract {
                problem: ExtractFault::Duplicate {
                    path: "data/a".into(),
                },
            },
            BackupFault::Extract {
                problem: ExtractFault::TooLarge { limit: 1024 },
            },
            BackupFault::Extract {
                problem: ExtractFault::TooManyEntries { limit: 100 },
            },
            BackupFault::Extract {
                problem: ExtractFault::Write {
                    path: "/srv/staging/data/a".into(),
                    error: "No space left on device (os error 28)".into(),
                },
            },
        ]
    }

    /// A restore refused because the backup cannot be put back file by
    /// file, as a session keeps it now: in English and typed.
    fn conflicting_paths() -> BackupFault {
        use crate::backup::problem::{Problem, english};
        let found = vec![
            Problem::ListedTwice {
                path: "config.toml".into(),
                times: 2,
            },
            Problem::Symlink {
                path: "data/link".into(),
            },
        ];
        BackupFault::ConflictingPaths {
            problems: english(&found),
            found,
        }
    }

    /// A restore undone because of `cause`, whose undo left files out of
    /// place.
    /// A restore the bot would not start on, whose files then could not
    /// all be put back: the bot's reason is worded in the reader's
    /// language when it came typed, and quoted as given when it did not
    /// (a session an older Steward kept).
    #[test]
    fn a_bot_that_did_not_start_after_a_restore_is_worded_in_the_readers_language() {
        let english = "the bot is already running (pid 42)";
        let cause = |bot| UndoCause::BotDidNotStart {
            error: english.into(),
            bot,
        };
        let typed = not_put_back(cause(Some(Box::new(BotFault::AlreadyRunning { pid: 42 }))));
        let said = |tag, detail: &BackupFault| {
            backup_fault(Lang::for_tag(tag), detail, |t: &str| t.to_string())
        };
        assert_eq!(said("en-US", &typed), typed.to_string());
        for tag in ["zh-CN", "de"] {
            let words = said(tag, &typed);
            assert!(!words.contains(english), "English inside {tag}: {words}");
            assert!(words.contains("42"), "{words}");
        }
        let old = not_put_back(cause(None));
        assert!(said("zh-CN", &old).contains(english));
    }

    fn not_put_back(cause: UndoCause) -> BackupFault {
        BackupFault::NotPutBack {
            cause,
            problems: vec![
                PathFault::Io {
                    path: "/srv/bot/b".into(),
                    error: "Permission denied (os error 13)".into(),
                },
                PathFault::Symlink {
                    path: "/srv/bot/c".into(),
                },
                PathFault::NotRelative {
                    path: "../d".into(),
                },
            ],
            kept: "/srv/steward/data/restore/previous".into(),
        }
    }

    /// Each kind of backup detail reads in English as the backup said it
    /// before it was typed, and has words of its own in zh-CN and de
    /// (the quoted path, id or system words stay as given).
    #[test]
    fn every_backup_detail_reads_as_before_in_english_and_has_words_in_each_locale() {
        let before = [
            "another backup or restore is running",
            "3 MiB free at /var/backups/steward, 120 MiB needed",
            "a database backup covers no files",
            "database data/bot.db fails its integrity check: row 3 missing from index",
            "data/bot.db changed while it was being backed up",
            "backup b-1 failed verification: data/a: checksum differs; data/b: missing",
            "backup b-1 failed verification: data/a: content differs from its manifest \
             checksum; data/b is listed in the manifest but missing from the archive",
            "no backup b-9",
            "backup b-1 has no Database files to restore",
            "putting /srv/bot/data in place failed (permission denied); every file was put back",
            "the bot could not be stopped: systemctl stop failed",
            "the bot did not start after the restore (exit status: 1); the previous files \
             were put back",
            "cannot prepare the backup directory /var/backups/steward: Permission denied (os \
             error 13)",
            "cannot read /srv/bot/data.db: Permission denied (os error 13)",
            "cannot write /var/backups/steward/b-1: No space left on device (os error 28)",
            "the password does not open the backup repository /var/backups/steward ([backup] \
             password_file or STEWARD_BACKUP_PASSWORD); nothing was changed",
            "the backup repository /var/backups/steward exists but no password is configured: \
             set [backup] password_file or STEWARD_BACKUP_PASSWORD",
            "the backup repository /var/backups/steward cannot be used: config file is missing",
            "backup pattern \"logs/{a\" is not a valid glob: unclosed alternate group",
            "cannot copy database data/bot.db: database is locked",
            "/srv/bot/config is a file where the backup needs a directory; nothing was changed",
            "the backup cannot be put back file by file (config.toml is listed 2 times in the \
             manifest; data/link: a symlink is refused); nothing was changed",
            "putting /srv/bot/a in place failed (No space left on device (os error 28)), and \
             putting the previous files back failed too (/srv/bot/b: Permission denied (os \
             error 13); /srv/bot/c is a symbolic link, and a restore never writes through one; \
             \"../d\" is not a plain relative path): they are kept in \
             /srv/steward/data/restore/previous, and the next start of steward puts them back",
            "the bot did not start after the restore (exit status: 1), and putting the \
             previous files back failed too (/srv/bot/b: Permission denied (os error 13); \
             /srv/bot/c is a symbolic link, and a restore never writes through one; \"../d\" \
             is not a plain relative path): they are kept in \
             /srv/steward/data/restore/previous, and the next start of steward puts them back",
            "the backup repository /var/backups/steward cannot be used: backup b-1 is not in the \
             local repository, and no offsite target gave it back (offsite target nas \
             (/mnt/nas): has no copy; offsite target away (http://127.0.0.1:9/bot): connection \
             refused)",
            "backup b-1 is InProgress, not completed",
            "backup b-2 is Failed, not completed",
            "the staging directory /srv/steward/data/restore/staging cannot be created: No space \
             left on device (os error 28)",
            "the archive is truncated",
            "the archive is damaged: invalid gzip header",
            "entry \"../etc/passwd\" has an unsafe path (absolute, `..`, or empty)",
            "entry \"data/link\" is a symbolic link; only regular files and directories are \
             accepted",
            "entry \"data/a\": its PAX size 10 disagrees with its header size 12",
            "entry \"data/a\" appears twice",
            "the archive unpacks to more than 1024 bytes",
            "the archive holds more than 100 entries",
            "cannot write /srv/staging/data/a: No space left on device (os error 28)",
        ];
        let has_cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        let faults = backup_faults();
        assert_eq!(faults.len(), before.len());
        for (fault, english) in faults.into_iter().zip(before) {
            assert_eq!(fault.to_string(), english);
            let f = Failure::BackupBeforeRollback {
                failed: BackupFailure {
                    error: english.to_string(),
                    detail: Some(fault),
                },
            };
            let en = failure(Lang::english(), &f);
            assert_eq!(en, f.to_string());
            assert!(en.ends_with(english), "{en}");
            let zh = failure(Lang::for_tag("zh-CN"), &f);
            let zh_detail = zh.split_once('：').map(|(_, d)| d).unwrap_or(&zh);
            assert!(has_cjk(zh_detail), "{zh}");
            let de = failure(Lang::for_tag("de"), &f);
            let de_detail = de.split_once(": ").map(|(_, d)| d).unwrap_or(&de);
            assert_ne!(de_detail, english, "{de}");
            assert!(!de.contains(english), "{de}");
        }
        // The words of a restore not completed and of an archive that
        // cannot be unpacked, with their paths and the system's words kept.
        let said = |tag, detail: BackupFault| {
            backup_fault(Lang::for_tag(tag), &detail, |t: &str| t.to_string())
        };
        let faults = backup_faults();
        let n = faults.len();
        assert_eq!(
            said("zh-CN", faults[n - 12].clone()),
            "备份 b-1 仍在进行中，尚未完成"
        );
        assert_eq!(
            said("de", faults[n - 11].clone()),
            "die Sicherung b-2 ist fehlgeschlagen und ist nicht abgeschlossen"
        );
        assert_eq!(
            said("zh-CN", faults[n - 6].clone()),
            "条目 \"data/link\" 是符号链接；只接受普通文件和目录"
        );
        assert_eq!(
            said("de", faults[n - 1].clone()),
            "/srv/staging/data/a kann nicht geschrieben werden: No space left on device (os error 28)"
        );
        let low = Failure::PreUpdateBackup {
            failed: BackupFailure {
                error: before[1].into(),
                detail: Some(backup_faults().swap_remove(1)),
            },
        };
        assert_eq!(
            failure(Lang::for_tag("de"), &low),
            "die Sicherung vor dem Update ist fehlgeschlagen, daher wurde nichts geändert: \
             nur 3 MiB frei unter /var/backups/steward, 120 MiB nötig"
        );
        assert_eq!(
            failure(Lang::for_tag("zh-CN"), &low),
            "更新前备份失败，因此未做任何更改：/var/backups/steward 处仅剩 3 MiB 可用空间，需要 120 MiB"
        );
        // A refused restore names its problems in the locale's words; a
        // session an older Steward kept still shows its English ones.
        let refused = |detail: BackupFault| Failure::BackupBeforeRollback {
            failed: BackupFailure {
                error: detail.to_string(),
                detail: Some(detail),
            },
        };
        let typed = refused(verification_failed());
        let older = refused(backup_faults().swap_remove(5));
        assert_eq!(
            failure(Lang::for_tag("zh-CN"), &typed),
            "回滚前的备份失败，因此未做任何更改：备份 b-1 未通过校验：\
             data/a：内容与清单中的校验和不一致；data/b 列在清单中，但归档中缺失"
        );
        assert_eq!(
            failure(Lang::for_tag("de"), &typed),
            "die Sicherung vor dem Zurückrollen ist fehlgeschlagen, daher wurde nichts geändert: \
             die Sicherung b-1 hat die Prüfung nicht bestanden: data/a: der Inhalt weicht von der \
             Prüfsumme im Manifest ab; data/b steht im Manifest, fehlt aber im Archiv"
        );
        assert!(
            failure(Lang::for_tag("de"), &older)
                .ends_with("data/a: checksum differs; data/b: missing"),
            "{}",
            failure(Lang::for_tag("de"), &older)
        );
        // A detail Steward did not type stays as the backup said it.
        let untyped = Failure::PreUpdateBackup {
            failed: BackupFailure {
                error: "the backup repository /srv/r cannot be used: locked".into(),
                detail: None,
            },
        };
        assert!(
            failure(Lang::for_tag("de"), &untyped)
                .ends_with(": the backup repository /srv/r cannot be used: locked")
        );
    }

    /// A rollback whose restore failed and could not put the previous
    /// files back tells why, what stayed out of place and where it is
    /// kept, in the locale's words: no English frame or clause, and the
    /// list joined as the locale joins one. Paths and the system's own
    /// words stay as given.
    #[test]
    fn a_restore_a_rollback_could_not_put_back_is_worded_by_the_locale() {
        let f = Failure::BackupNotRestored {
            backup: "b-1".into(),
            failed: BackupFailure {
                error: "the English a session keeps".into(),
                detail: Some(not_put_back(UndoCause::PlaceFailed {
                    path: "/srv/bot/a".into(),
                    error: "No space left on device (os error 28)".into(),
                })),
            },
        };
        assert_eq!(
            failure(Lang::for_tag("zh-CN"), &f),
            "恢复备份 b-1 失败：将 /srv/bot/a 放到位失败（No space left on device (os error \
             28)），而且放回之前的文件也失败了（/srv/bot/b：Permission denied (os error 13)；\
             /srv/bot/c 是符号链接，恢复绝不会通过符号链接写入；\"../d\" 不是普通的相对路径）：\
             它们保存在 /srv/steward/data/restore/previous，steward 下次启动时会将其放回"
        );
        assert_eq!(
            failure(Lang::for_tag("de"), &f),
            "Wiederherstellen der Sicherung b-1: /srv/bot/a konnte nicht an seinen Platz gelegt \
             werden (No space left on device (os error 28)), und auch das Zurücklegen der \
             vorherigen Dateien ist fehlgeschlagen (/srv/bot/b: Permission denied (os error \
             13); /srv/bot/c ist ein symbolischer Link, und eine Wiederherstellung schreibt nie \
             durch einen; \"../d\" ist kein einfacher relativer Pfad): sie liegen in \
             /srv/steward/data/restore/previous, und der nächste Start von steward legt sie \
             zurück"
        );
        let conflicting = Failure::BackupNotRestored {
            backup: "b-1".into(),
            failed: BackupFailure {
                error: conflicting_paths().to_string(),
                detail: Some(conflicting_paths()),
            },
        };
        assert_eq!(
            failure(Lang::for_tag("zh-CN"), &conflicting),
            "恢复备份 b-1 失败：无法逐个文件放回该备份（config.toml 在清单中出现了 2 次；\
             data/link：拒绝符号链接）；未做任何更改"
        );
    }

    /// Steward's failure reasons read in English exactly as the session's
    /// `error` and the CLI say them, every kind of them; and every locale
    /// has the words for each.
    #[test]
    fn english_failures_read_as_the_cli_prints_them() {
        for f in failures() {
            assert_eq!(failure(Lang::english(), &f), f.to_string());
            for lang in Lang::all() {
                let text = failure(lang, &f);
                assert!(
                    !text.contains("failure-") && !text.contains("step-"),
                    "{}: {text}",
                    lang.tag()
                );
            }
        }
    }

    /// "Rolling back" and its reason in German and Chinese; the tool's
    /// and the bot's own words stay as given.
    #[test]
    fn a_rollback_reason_of_steward_s_own_is_worded_by_the_locale() {
        let f = failures();
        let rolling = |failure: &Failure| Step::RollingBack {
            reason: failure.to_string(),
            failure: Some(failure.clone()),
        };
        assert_eq!(
            step(Lang::for_tag("de"), &rolling(&f[0])),
            "Rolle zurück: pip: Schritt „Install aiohttp 3.9.1“ fehlgeschlagen: \
             /usr/bin/python3 endete mit Exit-Code 1: No matching distribution found"
        );
        assert_eq!(
            step(Lang::for_tag("zh-CN"), &rolling(&f[1])),
            "正在回滚：重启后，机器人未通过健康观察期：它在 0.3 秒后退出（exit status: 1）\
             ；它最后的输出：\nTraceback\nKeyError: token"
        );
        assert_eq!(
            failure(Lang::for_tag("de"), &f[2]),
            "nach dem Neustart ließ sich der Bot nicht starten (/srv/bot/run.sh): \
             No such file or directory (os error 2)"
        );
        assert_eq!(
            failure(Lang::for_tag("zh-CN"), &f[3]),
            "测试关卡在更新上线前将其停止：测试命令在 2.4 秒后失败（exit status: 1）（输出见会话日志）"
        );
        let denied = Failure::StepFailed {
            provider: "pip".into(),
            step: "Install aiohttp 3.9.1".into(),
            error: StepFault::Denied {
                provider: "pip".into(),
                reason: "/usr/bin/uv is not granted".into(),
            },
        };
        assert_eq!(
            failure(Lang::for_tag("zh-CN"), &denied),
            "pip：步骤“Install aiohttp 3.9.1”失败：pip 提供者无权执行此操作：/usr/bin/uv is not granted"
        );
        let not_ready = Failure::Probation {
            reason: Unhealthy::NotReady {
                line: Some("ready".into()),
                url: Some("http://127.0.0.1:8080/health".into()),
                within_secs: 30,
            },
            tail: Vec::new(),
        };
        assert_eq!(
            failure(Lang::for_tag("de"), &not_ready),
            "nach dem Neustart hat der Bot die Gesundheitsprüfung nicht bestanden: er hat \
             „ready“ nie ausgegeben und http://127.0.0.1:8080/health hat nie geantwortet \
             (Frist: 30 s)"
        );
        let interrupted = Failure::Interrupted {
            phase: crate::engine::progress::Phase::Probation,
            not_undone: vec![Failure::ProviderGone {
                provider: "npm".into(),
            }],
        };
        assert_eq!(
            failure(Lang::for_tag("zh-CN"), &interrupted),
            "已中断：Steward 在更新过程中（机器人健康观察期间）停止运行；已在其下次启动时回滚\
             ；以下内容无法撤销：提供者 npm 已不再加载，因此无法撤销其更改"
        );
        // A reason Steward did not type stays as given.
        let said = Step::RollingBack {
            reason: "pip could not confirm the update".into(),
            failure: None,
        };
        assert_eq!(
            step(Lang::for_tag("de"), &said),
            "Rolle zurück: pip could not confirm the update"
        );
    }

    /// The catalogue's English is the CLI's English: the same step reads
    /// the same in `steward install` and on Discord.
    #[test]
    fn english_steps_read_as_the_cli_prints_them() {
        let steps = [
            Step::Asking { sources: 1 },
            Step::Asking { sources: 3 },
            Step::Checked {
                provider: "pip".into(),
            },
            Step::CheckingForUpdates,
            Step::Planning,
            Step::RecordingState,
            Step::TakingPreUpdateBackup,
            Step::Updating {
                name: "x".into(),
                current: Some("1".into()),
                latest: "2".into(),
            },
            Step::Updating {
                name: "x".into(),
                current: None,
                latest: "2".into(),
            },
            Step::TestingStagedUpdate,
            Step::MeasuringImpact { after: false },
            Step::MeasuringImpact { after: true },
            Step::Verifying,
            Step::RestartingBot,
            Step::UpdateComplete,
            Step::RollingBack {
                reason: "verify failed".into(),
                failure: None,
            },
            Step::BackingUpFirst,
            Step::RestoringBackup { id: "b1".into() },
            Step::PuttingBack {
                provider: "pip".into(),
            },
            Step::RollbackFinished,
            // Backup steps count files: English says "1 file" where the
            // CLI says "1 files", so these use more than one.
            Step::BackingUpFiles {
                files: 12,
                backup_type: "full".into(),
            },
            Step::CopyingDatabase {
                path: "data/bot.db".into(),
            },
            Step::HashingFiles { files: 12 },
            Step::StoringFiles { files: 12 },
            Step::Archiving {
                path: "config.toml".into(),
            },
            Step::VerifyingBackup { id: "b1".into() },
            Step::PruningBackups,
            Step::BackupComplete { id: "b1".into() },
            Step::Unpacking { id: "b1".into() },
            Step::CheckingDatabase {
                path: "data/bot.db".into(),
            },
            Step::StoppingBot,
            Step::PuttingFilesInPlace { files: 12 },
            Step::StartingBot,
            Step::Restored {
                files: 12,
                id: "b1".into(),
            },
        ];
        for s in steps {
            assert_eq!(step(Lang::english(), &s), s.to_string());
        }
    }
}
