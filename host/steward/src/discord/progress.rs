//! Progress of a long command, shown by editing its deferred reply:
//! "Progress: 30% – Checked pip". Fed by the engine's progress channel;
//! when updates arrive faster than Discord takes edits, only the newest is
//! shown, and edits always land in the order they were reported.

use std::future::Future;

use tokio::task::JoinHandle;

use super::locale::{Lang, t};
use super::message::Reply;
use crate::engine::progress::{self, Failure, Progress, ProgressReceiver, ProgressSender, Step};

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

/// Why an install failed, in `lang`: Steward's own words from the
/// catalogue; names, steps and what a tool or the bot printed as given.
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
            error = plain(error)
        ),
        Failure::Probation { reason, tail } => {
            let mut text = t!(lang, "failure-probation", reason = plain(reason));
            if !tail.is_empty() {
                text.push_str(&t!(lang, "failure-probation-tail"));
                text.push('\n');
                text.push_str(&plain(&tail.join("\n")));
            }
            text
        }
        Failure::BotDidNotStart { program, error } => t!(
            lang,
            "failure-bot-did-not-start",
            program = plain(program),
            error = plain(error)
        ),
        Failure::TestGate { error } => t!(lang, "failure-test-gate", error = plain(error)),
        Failure::SevereRegression { regressions } => t!(
            lang,
            "failure-severe-regression",
            regressions = plain(regressions)
        ),
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
        vec![
            Failure::StepExit {
                provider: "pip".into(),
                step: "Install aiohttp 3.9.1".into(),
                program: "/usr/bin/python3".into(),
                status: 1,
                output: "No matching distribution found".into(),
            },
            Failure::StepFailed {
                provider: "pip".into(),
                step: "Install aiohttp 3.9.1".into(),
                error: "pip is not allowed to do this".into(),
            },
            Failure::Probation {
                reason: "it exited (exit status: 1) after 0.3 s".into(),
                tail: vec!["Traceback".into(), "KeyError: token".into()],
            },
            Failure::Probation {
                reason: "http://127.0.0.1:8080/health never answered within 30 s".into(),
                tail: Vec::new(),
            },
            Failure::BotDidNotStart {
                program: "/srv/bot/run.sh".into(),
                error: "No such file or directory (os error 2)".into(),
            },
            Failure::TestGate {
                error: "the tests failed".into(),
            },
            Failure::SevereRegression {
                regressions: "memory 40 MB → 400 MB".into(),
            },
        ]
    }

    /// Steward's failure reasons read in English exactly as the session's
    /// `error` and the CLI say them.
    #[test]
    fn english_failures_read_as_the_cli_prints_them() {
        for f in failures() {
            assert_eq!(failure(Lang::english(), &f), f.to_string());
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
            step(Lang::for_tag("zh-CN"), &rolling(&f[2])),
            "正在回滚：重启后，机器人未通过健康观察期：it exited (exit status: 1) after 0.3 s\
             ；它最后的输出：\nTraceback\nKeyError: token"
        );
        assert_eq!(
            failure(Lang::for_tag("de"), &f[4]),
            "nach dem Neustart ließ sich der Bot nicht starten (/srv/bot/run.sh): \
             No such file or directory (os error 2)"
        );
        assert_eq!(
            failure(Lang::for_tag("zh-CN"), &f[5]),
            "测试关卡在更新上线前将其停止：the tests failed（输出见会话日志）"
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
