//! How far a running operation is, for whoever watches: a percentage and
//! the step under way, typed ([`Step`]) so each front words it in its own
//! language (the CLI in English, through `Display`; Discord through its
//! catalogues). The engine sends; fronts render (a Discord message edit, a
//! terminal bar). Sending never blocks or fails the operation, even when
//! nobody listens any more.

use std::fmt;

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

pub use crate::failure::{
    BackupFailure, BackupFault, BotFault, FailedStep, Failure, GateFault, Phase, ProviderFault,
    StepFault, Unhealthy,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Wire")]
pub struct Progress {
    /// 0 to 100.
    pub percent: u8,
    /// The step in English: the CLI's line, the control API's `message`.
    pub message: String,
    /// The same step, typed.
    pub step: Step,
}

/// A progress line as the control API carries it: `step` is absent from
/// what an older service sends, and then the English line is all there is.
#[derive(Deserialize)]
struct Wire {
    percent: u8,
    message: String,
    #[serde(default)]
    step: Option<Step>,
}

impl From<Wire> for Progress {
    fn from(w: Wire) -> Progress {
        Progress {
            percent: w.percent,
            step: w.step.unwrap_or_else(|| Step::Note {
                text: w.message.clone(),
            }),
            message: w.message,
        }
    }
}

/// What an operation is doing: the vocabulary of check, install, rollback,
/// backup and restore progress. Names, versions, ids and paths are data
/// (a provider's or the operator's words), never translated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Step {
    /// Check: asking `sources` providers.
    Asking { sources: usize },
    /// Check: one provider answered.
    Checked { provider: String },
    /// Install: the check it starts with.
    CheckingForUpdates,
    /// Install: asking the providers for plans.
    Planning,
    /// Install: each provider's `capture`.
    RecordingState,
    /// Install: the pre-update backup.
    TakingPreUpdateBackup,
    /// Install: a plan step about one update (`current` is `None` for a new one).
    Updating {
        name: String,
        current: Option<String>,
        latest: String,
    },
    /// Install: a plan step about several updates, by its provider's description.
    PlanStep { description: String },
    /// Install: the operator's test command on the staged update
    /// (`safety.test_command`).
    TestingStagedUpdate,
    /// Install: the impact watch samples the bot, before the update or
    /// after its restart (`safety.impact_window_secs`).
    MeasuringImpact { after: bool },
    /// Install or rollback: the providers' `verify`.
    Verifying,
    /// Install or rollback: the restart and the health probation.
    RestartingBot,
    /// Install: done.
    UpdateComplete,
    /// Install: undoing a failed run, and why: `reason` in English,
    /// `failure` the same typed when Steward says it itself.
    RollingBack {
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        failure: Option<Failure>,
    },
    /// Rollback: the backup of the present state taken first.
    BackingUpFirst,
    /// Rollback: restoring a backup.
    RestoringBackup { id: String },
    /// Rollback: one provider's captured state put back.
    PuttingBack { provider: String },
    /// Rollback: done.
    RollbackFinished,
    /// Backup: the files a backup of `backup_type` covers.
    BackingUpFiles { files: usize, backup_type: String },
    /// Backup: an SQLite database copied online.
    CopyingDatabase { path: String },
    /// Backup: hashing the files for the manifest.
    HashingFiles { files: usize },
    /// Backup: storing the files in the repository.
    StoringFiles { files: usize },
    /// Backup: one file into the archive.
    Archiving { path: String },
    /// Backup or restore: verifying backup `id`.
    VerifyingBackup { id: String },
    /// Backup: removing backups past `max_backups` or the retention days.
    PruningBackups,
    /// Backup: done.
    BackupComplete { id: String },
    /// Restore: unpacking backup `id` into staging.
    Unpacking { id: String },
    /// Restore: a database's integrity check.
    CheckingDatabase { path: String },
    /// Restore: the bot stopped first.
    StoppingBot,
    /// Restore: the files swapped in.
    PuttingFilesInPlace { files: usize },
    /// Restore: the bot started again.
    StartingBot,
    /// Restore: done.
    Restored { files: usize, id: String },
    /// Words from elsewhere (a component that reports as text), as given.
    Note { text: String },
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Asking { sources } => write!(
                f,
                "Asking {sources} {}",
                if *sources == 1 { "source" } else { "sources" }
            ),
            Step::Checked { provider } => write!(f, "Checked {provider}"),
            Step::CheckingForUpdates => f.write_str("Checking for updates"),
            Step::Planning => f.write_str("Planning"),
            Step::RecordingState => f.write_str("Recording the current state"),
            Step::TakingPreUpdateBackup => f.write_str("Taking the pre-update backup"),
            Step::Updating {
                name,
                current,
                latest,
            } => write!(
                f,
                "Updating {name} {} → {latest}",
                current.as_deref().unwrap_or("(new)")
            ),
            Step::PlanStep { description } => f.write_str(description),
            Step::TestingStagedUpdate => f.write_str("Testing the staged update"),
            Step::MeasuringImpact { after: false } => {
                f.write_str("Measuring the bot before the update")
            }
            Step::MeasuringImpact { after: true } => {
                f.write_str("Measuring the bot after the update")
            }
            Step::Verifying => f.write_str("Verifying"),
            Step::RestartingBot => f.write_str("Restarting the bot (health probation)"),
            Step::UpdateComplete => f.write_str("Update complete"),
            Step::RollingBack { reason, .. } => write!(f, "Rolling back: {reason}"),
            Step::BackingUpFirst => f.write_str("Backing up the present state first"),
            Step::RestoringBackup { id } => write!(f, "Restoring backup {id}"),
            Step::PuttingBack { provider } => write!(f, "Putting back {provider}"),
            Step::RollbackFinished => f.write_str("Rollback finished"),
            Step::BackingUpFiles { files, backup_type } => {
                write!(f, "Backing up {files} files ({backup_type})")
            }
            Step::CopyingDatabase { path } => write!(f, "Copying database {path}"),
            Step::HashingFiles { files } => write!(f, "Hashing {files} files"),
            Step::StoringFiles { files } => write!(f, "Storing {files} files in the repository"),
            Step::Archiving { path } => write!(f, "Archiving {path}"),
            Step::VerifyingBackup { id } => write!(f, "Verifying {id}"),
            Step::PruningBackups => {
                f.write_str("Removing backups past max_backups or the retention days")
            }
            Step::BackupComplete { id } => write!(f, "Backup {id} is complete"),
            Step::Unpacking { id } => write!(f, "Unpacking {id}"),
            Step::CheckingDatabase { path } => write!(f, "Checking database {path}"),
            Step::StoppingBot => f.write_str("Stopping the bot"),
            Step::PuttingFilesInPlace { files } => write!(f, "Putting {files} files in place"),
            Step::StartingBot => f.write_str("Starting the bot"),
            Step::Restored { files, id } => write!(f, "Restored {files} files from {id}"),
            Step::Note { text } => f.write_str(text),
        }
    }
}

impl From<String> for Step {
    fn from(text: String) -> Step {
        Step::Note { text }
    }
}

impl From<&str> for Step {
    fn from(text: &str) -> Step {
        Step::Note {
            text: text.to_string(),
        }
    }
}

/// The sending half; cheap to clone into tasks.
#[derive(Debug, Clone)]
pub struct ProgressSender(mpsc::UnboundedSender<Progress>);

pub type ProgressReceiver = mpsc::UnboundedReceiver<Progress>;

pub fn channel() -> (ProgressSender, ProgressReceiver) {
    let (tx, rx) = mpsc::unbounded_channel();
    (ProgressSender(tx), rx)
}

impl ProgressSender {
    /// Reports `step` at `percent`; text (`&str`, `String`) is a
    /// [`Step::Note`], shown as given.
    pub fn report(&self, percent: u8, step: impl Into<Step>) {
        let step = step.into();
        self.forward(Progress {
            percent: percent.min(100),
            message: step.to_string(),
            step,
        });
    }

    /// Passes on what another sender reported.
    pub fn forward(&self, progress: Progress) {
        // A closed receiver means the watcher went away; the work goes on.
        let _ = self.0.send(progress);
    }

    /// Reports step `done` of `total` (`done` already finished).
    pub fn step(&self, done: usize, total: usize, step: impl Into<Step>) {
        let percent = (done * 100).checked_div(total).unwrap_or(100).min(100) as u8;
        self.report(percent, step);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_progress_line_carries_its_english_words_and_its_step() {
        let (sender, mut receiver) = channel();
        sender.report(
            35,
            Step::Updating {
                name: "discord.py".into(),
                current: Some("2.3.0".into()),
                latest: "2.3.1".into(),
            },
        );
        let p = receiver.try_recv().unwrap();
        assert_eq!(p.message, "Updating discord.py 2.3.0 → 2.3.1");
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["message"], "Updating discord.py 2.3.0 → 2.3.1");
        assert_eq!(json["step"]["kind"], "updating");
        let back: Progress = serde_json::from_value(json).unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn a_line_without_a_step_reads_as_a_note() {
        let p: Progress =
            serde_json::from_str(r#"{"percent":5,"message":"Hashing 3 files"}"#).unwrap();
        assert_eq!(
            p.step,
            Step::Note {
                text: "Hashing 3 files".into()
            }
        );
    }
}
