//! What Steward tells the notification channels on its own, as updates and
//! backups happen: an update's start, its progress, its end (completed,
//! nothing to do, failed, rolled back) and backups, each as `[notifications]`
//! and `general.notify_on_completion` allow. It decides what to post;
//! `notify::Notifier` delivers. A post that fails is logged, never fatal.

use std::fmt::Write;

use poise::serenity_prelude as serenity;

use crate::backup::Created;
use crate::config::Config;
use crate::engine::CheckOutcome;
use crate::engine::install::InstallOutcome;
use crate::engine::progress::{self, Progress, ProgressSender};
use crate::engine::session::{SessionKind, SessionStatus};
use crate::notify::Notifier;

/// How a check's outcome looks when posted: the Discord front registers
/// its own rendering (`Service::render_checks_with`); until then,
/// [`plain_check_embed`].
pub type CheckEmbed = fn(&CheckOutcome, &CheckView) -> serenity::CreateEmbed;

/// What a posted check shows: the type asked for, with or without details.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub struct CheckView {
    pub update_type: crate::engine::UpdateType,
    pub details: bool,
    pub include_security: bool,
}

impl CheckView {
    /// What a background check posts: every type, no details.
    pub fn background() -> CheckView {
        CheckView {
            update_type: crate::engine::UpdateType::All,
            details: false,
            include_security: true,
        }
    }
}

/// A count of what was found and a line per source.
pub fn plain_check_embed(outcome: &CheckOutcome, _view: &CheckView) -> serenity::CreateEmbed {
    let offered = outcome
        .providers
        .iter()
        .flat_map(|p| &p.updates)
        .filter(|u| u.held.is_none())
        .count();
    let mut text = String::new();
    for p in &outcome.providers {
        let _ = match &p.error {
            Some(e) => writeln!(text, "{}: failed ({})", p.provider, e.code),
            None => writeln!(text, "{}: {} found", p.provider, p.updates.len()),
        };
    }
    serenity::CreateEmbed::new()
        .title(match offered {
            1 => "1 update available".to_string(),
            n => format!("{n} updates available"),
        })
        .description(text)
        .colour(ORANGE)
}

/// What a notification is about, for a front that words it in its
/// operators' language (`word_with`); until one registers, the English here.
pub enum Notice<'a> {
    Started {
        what: &'a str,
        by: &'a str,
    },
    Progress {
        what: &'a str,
        percent: u8,
        message: &'a str,
    },
    Finished {
        outcome: &'a InstallOutcome,
    },
    Refused {
        what: &'a str,
        by: &'a str,
        message: &'a str,
    },
    Backup {
        created: &'a Created,
    },
}

/// A notice's title and description.
pub type Words = fn(&Notice<'_>) -> (String, String);

static WORDS: std::sync::OnceLock<Words> = std::sync::OnceLock::new();

/// Words every later notification with `words` (the first call wins).
pub fn word_with(words: Words) {
    let _ = WORDS.set(words);
}

fn worded(notice: Notice<'_>, english: impl FnOnce() -> (String, String)) -> (String, String) {
    match WORDS.get() {
        Some(words) => words(&notice),
        None => english(),
    }
}

const BLUE: u32 = 0x34_98_db;
const RED: u32 = 0xd9_3f_3f;
const ORANGE: u32 = 0xe6_7e_22;
const GREEN: u32 = 0x2e_cc_71;

pub struct Announcer {
    notifier: Notifier,
    config: crate::config::Notifications,
    completion: bool,
}

impl Announcer {
    /// `None` when nothing is configured to receive notifications.
    pub fn new(config: &Config) -> Option<Announcer> {
        let notifier = Notifier::from_environment(&config.discord);
        notifier.has_destinations().then(|| Announcer {
            notifier,
            config: config.notifications.clone(),
            completion: config.notifications.on_completion && config.general.notify_on_completion,
        })
    }

    async fn post(&self, embed: serenity::CreateEmbed) {
        for failure in self.notifier.send(embed).await {
            tracing::warn!("notification not delivered: {failure}");
        }
    }

    fn chatty(&self) -> bool {
        !self.config.only_changes_and_errors
    }

    pub async fn started(&self, what: &str, by: &str) {
        if self.config.on_start && self.chatty() {
            let (title, text) = worded(Notice::Started { what, by }, || {
                (format!("{what} started"), format!("Started by {by}."))
            });
            self.post(
                serenity::CreateEmbed::new()
                    .title(title)
                    .description(text)
                    .colour(BLUE),
            )
            .await;
        }
    }

    /// A sender that also posts progress (every quarter) when asked to,
    /// forwarding everything to `caller`. The task ends with the sender.
    pub fn progress(
        self: &std::sync::Arc<Self>,
        what: &'static str,
        caller: Option<&ProgressSender>,
    ) -> (ProgressSender, tokio::task::JoinHandle<()>) {
        let (sender, mut receiver) = progress::channel();
        let caller = caller.cloned();
        let me = self.clone();
        let post = self.config.on_progress && self.chatty();
        let task = tokio::spawn(async move {
            let mut posted_quarter = 0;
            while let Some(Progress { percent, message }) = receiver.recv().await {
                if let Some(c) = &caller {
                    c.report(percent, message.clone());
                }
                let quarter = percent / 25;
                if post && quarter > posted_quarter && percent < 100 {
                    posted_quarter = quarter;
                    let notice = Notice::Progress {
                        what,
                        percent,
                        message: &message,
                    };
                    let (title, text) =
                        worded(notice, || (format!("{what}: {percent}%"), message.clone()));
                    me.post(
                        serenity::CreateEmbed::new()
                            .title(title)
                            .description(text)
                            .colour(BLUE),
                    )
                    .await;
                }
            }
        });
        (sender, task)
    }

    pub async fn finished(&self, outcome: &InstallOutcome) {
        let Some(s) = &outcome.session else {
            return;
        };
        let what = match s.kind {
            SessionKind::Install => "Update",
            SessionKind::Rollback => "Rollback",
        };
        let (title, colour, wanted) = match s.status {
            SessionStatus::Completed => (format!("{what} completed"), GREEN, self.completion),
            SessionStatus::NothingToDo => (
                "Update: nothing to do".to_string(),
                GREEN,
                self.completion && self.chatty(),
            ),
            SessionStatus::RolledBack => (
                format!("{what} failed and was rolled back"),
                ORANGE,
                self.config.on_error,
            ),
            SessionStatus::Failed => (format!("{what} failed"), RED, self.config.on_error),
            SessionStatus::RollbackFailed => (
                format!("{what} failed; rolling back failed too"),
                RED,
                self.config.on_error,
            ),
            // Never an outcome: these come back as refusals, or not at all.
            SessionStatus::Running | SessionStatus::Stopped | SessionStatus::Cancelled => return,
        };
        if !wanted {
            return;
        }
        let mut text = String::new();
        for line in s.updates.iter().take(15) {
            let _ = writeln!(text, "• {line}");
        }
        if let Some(e) = &s.error {
            let _ = writeln!(text, "\n{}", e.chars().take(1500).collect::<String>());
        }
        for e in &outcome.rollback_errors {
            let _ = writeln!(text, "Not undone: {e}");
        }
        let _ = write!(text, "\nSession {} by {}.", s.id, s.initiated_by);
        let (title, text) = worded(Notice::Finished { outcome }, || (title, text));
        self.post(
            serenity::CreateEmbed::new()
                .title(title)
                .description(text)
                .colour(colour),
        )
        .await;
    }

    /// Updates a background check found (not at the quiet level: nothing
    /// has changed yet), as `embed` renders them.
    pub async fn available(&self, outcome: &CheckOutcome, view: &CheckView, embed: CheckEmbed) {
        if self.chatty() {
            self.post(embed(outcome, view)).await;
        }
    }

    /// An update that could not even start (an unattended run refused).
    pub async fn refused(&self, what: &str, by: &str, message: &str) {
        if self.config.on_error {
            let (title, text) = worded(Notice::Refused { what, by, message }, || {
                (
                    format!("{what} did not run"),
                    format!("{message}\n\nStarted by {by}."),
                )
            });
            self.post(
                serenity::CreateEmbed::new()
                    .title(title)
                    .description(text)
                    .colour(RED),
            )
            .await;
        }
    }

    pub async fn backup(&self, created: &Created) {
        if self.config.on_backup {
            let r = &created.record;
            let (title, text) = worded(Notice::Backup { created }, || {
                (
                    format!("Backup {} created", r.id),
                    format!(
                        "{} backup, {} {}, {} compressed.",
                        r.backup_type.as_str(),
                        r.file_count,
                        if r.file_count == 1 { "file" } else { "files" },
                        steward_core::size::human(r.compressed_size)
                    ),
                )
            });
            self.post(
                serenity::CreateEmbed::new()
                    .title(title)
                    .description(text)
                    .colour(GREEN),
            )
            .await;
        }
    }

    /// Providers dropped into, replaced in or removed from the providers
    /// directory while the service runs.
    pub async fn providers_changed(&self, changes: &[String]) {
        if self.chatty() || changes.iter().any(|c| c.contains("did not load")) {
            self.post(
                serenity::CreateEmbed::new()
                    .title("Providers changed")
                    .description(changes.join("\n"))
                    .colour(BLUE),
            )
            .await;
        }
    }

    /// A security fix for a high or critical advisory, found by a
    /// background check: posted at once, whatever the quiet level, with
    /// what to run to install it (`install`, such as `steward install
    /// --type packages`).
    pub async fn security_emergency(
        &self,
        source: &str,
        update: &crate::provider::Update,
        advisory: &crate::provider::Advisory,
        install: &str,
    ) {
        let severity = advisory.severity.as_deref().unwrap_or("unrated");
        let mut text = format!(
            "{source}: {} {} → {} fixes {} ({severity}).",
            update.name,
            update.current.as_deref().unwrap_or("-"),
            update.latest,
            advisory.id
        );
        if !advisory.summary.is_empty() {
            let _ = write!(text, "\n{}", advisory.summary);
        }
        if let Some(url) = &advisory.url {
            let _ = write!(text, "\n{url}");
        }
        let _ = write!(text, "\n\nInstall it with `{install}`.");
        self.post(
            serenity::CreateEmbed::new()
                .title(format!("Security fix: {} ({severity})", advisory.id))
                .description(text)
                .colour(RED),
        )
        .await;
    }
}
