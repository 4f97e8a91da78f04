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
use crate::engine::progress::{self, ProgressSender, Step};
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
            // Not run: it did not look, so it found nothing either way.
            None if p.waiting_for_grant.is_some() => {
                writeln!(text, "{}: waiting for a grant", p.provider)
            }
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
        step: &'a Step,
    },
    Finished {
        outcome: &'a InstallOutcome,
    },
    Refused {
        what: &'a str,
        by: &'a str,
        /// Why, typed; `message` says it in English.
        error: &'a crate::engine::install::InstallError,
        message: &'a str,
    },
    Backup {
        created: &'a Created,
    },
    /// An offsite copy after a backup failed (`target` names the target,
    /// `error` says why, `fault` the same typed); the backup itself stands.
    OffsiteFailed {
        backup: &'a str,
        target: &'a str,
        error: &'a str,
        fault: Option<&'a steward_core::failure::OffsiteFault>,
    },
    /// A security fix for a high or critical advisory; `install` is the
    /// shell command that takes it.
    SecurityEmergency {
        source: &'a str,
        update: &'a crate::provider::Update,
        advisory: &'a crate::provider::Advisory,
        install: &'a str,
    },
    /// The label of the emergency's Install button (the title; no text).
    EmergencyInstallButton,
    /// Sources whose live state is not what the last update applied.
    Drift {
        report: &'a crate::engine::drift::DriftReport,
    },
    /// A provider arrived that asks for `asks` ("read {bot}", "http
    /// pypi.org") and is not run until an owner grants it.
    WaitingForGrant {
        provider: &'a str,
        asks: &'a [String],
    },
    /// The labels of the Grant and Deny buttons under that notice.
    GrantButtons,
    /// Providers dropped into, replaced in or removed from the providers
    /// directory, one line each.
    ProvidersChanged {
        changes: &'a [ProviderChange],
    },
}

/// One provider that came, changed or went in the providers directory;
/// names, versions and load errors are as given. `Display` is the line
/// the log and the English notice carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderChange {
    /// New, loaded; `waiting` while it waits for a grant.
    Loaded {
        name: String,
        version: String,
        waiting: bool,
    },
    /// Its file replaced, `version` loaded.
    Replaced { name: String, version: String },
    /// Its file did not load, and why.
    Failed { name: String, error: String },
    /// Its file is gone.
    Removed { name: String },
}

impl std::fmt::Display for ProviderChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProviderChange::Loaded {
                name,
                version,
                waiting: true,
            } => write!(f, "{name} {version} loaded, waiting for a grant"),
            ProviderChange::Loaded { name, version, .. } => write!(f, "{name} {version} loaded"),
            ProviderChange::Replaced { name, version } => {
                write!(f, "{name} replaced: {version} loaded")
            }
            ProviderChange::Failed { name, error } => write!(f, "{name} did not load: {error}"),
            ProviderChange::Removed { name } => write!(f, "{name} removed"),
        }
    }
}

/// The custom id of the button that grants a provider what it asks for:
/// this prefix and the provider's name. The Discord front answers it.
pub const GRANT_BUTTON: &str = "steward-provider-grant:";
/// The same for the button that denies it.
pub const DENY_BUTTON: &str = "steward-provider-deny:";

/// What `wants` asks for, one item each: "read {bot}", "http pypi.org",
/// "run /usr/bin/apt" (the words of `[providers.NAME.grant]`).
pub fn asks(wants: &crate::provider::Capabilities) -> Vec<String> {
    let mut asks = Vec::new();
    asks.extend(wants.read.iter().map(|p| format!("read {p}")));
    asks.extend(wants.http.iter().map(|h| format!("http {h}")));
    asks.extend(wants.programs.iter().map(|p| format!("run {}", p.path)));
    asks
}

/// The custom id of the Install button under a security emergency is this,
/// a colon and the update type (`steward-emergency:packages`): the Discord
/// front runs that install, for the security fixes, when an owner presses it.
pub const EMERGENCY_INSTALL: &str = "steward-emergency";

static OWNERS_TO_TELL: std::sync::OnceLock<Vec<u64>> = std::sync::OnceLock::new();

/// The application's owners, learnt by the Discord front at startup: a
/// security emergency is sent to each as a direct message, besides
/// `discord.owners` (the first call wins).
pub fn tell_owners(users: Vec<u64>) {
    let _ = OWNERS_TO_TELL.set(users);
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
    /// `discord.owners`, told of a security emergency directly.
    owners: Vec<u64>,
    config: crate::config::Notifications,
    completion: bool,
}

impl Announcer {
    /// `None` when nothing is configured to receive notifications.
    pub fn new(config: &Config) -> Option<Announcer> {
        let notifier = Notifier::from_environment(&config.discord);
        notifier.has_destinations().then(|| Announcer {
            notifier,
            owners: config.discord.owners.clone(),
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
            while let Some(p) = receiver.recv().await {
                let percent = p.percent;
                if let Some(c) = &caller {
                    c.forward(p.clone());
                }
                let quarter = percent / 25;
                if post && quarter > posted_quarter && percent < 100 {
                    posted_quarter = quarter;
                    let notice = Notice::Progress {
                        what,
                        percent,
                        step: &p.step,
                    };
                    let (title, text) = worded(notice, || {
                        (format!("{what}: {percent}%"), p.message.clone())
                    });
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
        if let Some(impact) = outcome
            .impact
            .as_ref()
            .filter(|i| !i.regressions.is_empty())
        {
            let _ = writeln!(
                text,
                "Impact watch: {}{}",
                impact
                    .regressions
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
                if impact.severe { " (severe)" } else { "" }
            );
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
    pub async fn refused(
        &self,
        what: &str,
        by: &str,
        error: &crate::engine::install::InstallError,
    ) {
        if self.config.on_error {
            let message = &crate::error::install_message(error);
            let notice = Notice::Refused {
                what,
                by,
                error,
                message,
            };
            let (title, text) = worded(notice, || {
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

    /// The offsite copies that followed backup `backup`: each failure
    /// posted (the backup itself stands).
    pub async fn offsite(&self, backup: &str, copies: &[crate::backup::offsite::Copied]) {
        if self.config.on_error || self.config.on_backup {
            for copy in copies {
                let Some(error) = &copy.error else { continue };
                let notice = Notice::OffsiteFailed {
                    backup,
                    target: &copy.target,
                    error,
                    fault: copy.fault.as_ref(),
                };
                let (title, text) = worded(notice, || {
                    (
                        format!("Offsite copy to {} failed", copy.target),
                        format!(
                            "{error}. Backup {backup} is complete here; the copy is retried at the next backup."
                        ),
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
    }

    /// Drift found by the service's periodic check: each source that
    /// differs from what the last update applied, with a diff. Posted at
    /// the quiet level too: nobody asked for this change.
    pub async fn drift(&self, report: &crate::engine::drift::DriftReport) {
        let (title, text) = worded(Notice::Drift { report }, || {
            let mut text = String::new();
            for d in &report.drifted {
                let at = d.applied_at.format("%Y-%m-%d %H:%M UTC");
                let from = if d.baseline {
                    format!("the baseline taken at first check on {at}")
                } else {
                    format!("what session {} applied ({at})", d.session_id)
                };
                let _ = writeln!(
                    text,
                    "{} differs from {from}:\n```diff\n{}\n```",
                    d.provider,
                    clipped(&d.diff, 3000 / report.drifted.len().max(1))
                );
            }
            (
                format!(
                    "Drift: {} changed since the last update",
                    report.drifted.len()
                ),
                text,
            )
        });
        self.post(
            serenity::CreateEmbed::new()
                .title(title)
                .description(text)
                .colour(ORANGE),
        )
        .await;
    }

    /// Providers dropped into, replaced in or removed from the providers
    /// directory while the service runs.
    pub async fn providers_changed(&self, changes: &[ProviderChange]) {
        let failed = changes
            .iter()
            .any(|c| matches!(c, ProviderChange::Failed { .. }));
        if self.chatty() || failed {
            let (title, text) = worded(Notice::ProvidersChanged { changes }, || {
                let lines: Vec<String> = changes.iter().map(ToString::to_string).collect();
                ("Providers changed".to_string(), lines.join("\n"))
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

    /// A provider that arrived and waits for a grant, with what it asks
    /// for and the Grant and Deny buttons an owner answers it with; posted
    /// whatever the quiet level, since nothing runs it until then.
    pub async fn waiting_for_grant(&self, provider: &str, asks: &[String]) {
        let (title, text) = worded(Notice::WaitingForGrant { provider, asks }, || {
            (
                format!("Provider {provider} waits for a grant"),
                format!(
                    "It asks for: {}.\nIt does not run until an owner grants it (the buttons, or `steward providers grant {provider}`).",
                    asks.join(", ")
                ),
            )
        });
        let (grant, deny) = worded(Notice::GrantButtons, || {
            ("Grant".to_string(), "Deny".to_string())
        });
        let buttons = vec![
            serenity::CreateButton::new(format!("{GRANT_BUTTON}{provider}"))
                .label(grant)
                .style(serenity::ButtonStyle::Success),
            serenity::CreateButton::new(format!("{DENY_BUTTON}{provider}"))
                .label(deny)
                .style(serenity::ButtonStyle::Danger),
        ];
        let embed = serenity::CreateEmbed::new()
            .title(title)
            .description(text)
            .colour(ORANGE);
        for failure in self.notifier.send_with_buttons(embed, buttons).await {
            tracing::warn!("notification not delivered: {failure}");
        }
    }

    /// A security fix for a high or critical advisory, found by a
    /// background check: posted at once, whatever the quiet level, to the
    /// channels and the webhook and as a direct message to every owner,
    /// with what to run to install it and an Install button (owners only)
    /// that runs the install of `update_type`'s security fixes.
    pub async fn security_emergency(
        &self,
        source: &str,
        update: &crate::provider::Update,
        advisory: &crate::provider::Advisory,
        update_type: crate::engine::UpdateType,
    ) {
        let type_name = update_type_name(update_type);
        let install = format!("steward install --type {type_name}");
        let severity = advisory.severity.as_deref().unwrap_or("unrated");
        let notice = Notice::SecurityEmergency {
            source,
            update,
            advisory,
            install: &install,
        };
        let (title, text) = worded(notice, || {
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
            (format!("Security fix: {} ({severity})", advisory.id), text)
        });
        let (label, _) = worded(Notice::EmergencyInstallButton, || {
            ("Install".to_string(), String::new())
        });
        let button = serenity::CreateButton::new(format!("{EMERGENCY_INSTALL}:{type_name}"))
            .label(label)
            .style(serenity::ButtonStyle::Danger);
        let mut owners = self.owners.clone();
        for user in OWNERS_TO_TELL.get().into_iter().flatten() {
            if !owners.contains(user) {
                owners.push(*user);
            }
        }
        let embed = serenity::CreateEmbed::new()
            .title(title)
            .description(text)
            .colour(RED);
        for failure in self.notifier.send_urgent(embed, button, &owners).await {
            tracing::warn!("security notice not delivered: {failure}");
        }
    }
}

/// `text`, at most `max` characters (cut at a line), for an embed.
pub fn clipped(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.trim_end().to_string();
    }
    let mut out = String::new();
    for line in text.lines() {
        if out.chars().count() + line.chars().count() + 2 > max {
            out.push('…');
            break;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The name `--type` and `update_type` take.
fn update_type_name(update_type: crate::engine::UpdateType) -> &'static str {
    use crate::engine::UpdateType;
    match update_type {
        UpdateType::All => "all",
        UpdateType::Packages => "packages",
        UpdateType::Bot => "bot",
        UpdateType::Config => "config",
        UpdateType::Dependencies => "dependencies",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ProviderCheck;

    /// The English fallback never counts a provider it did not ask as
    /// having found nothing: it says the provider waits for a grant.
    #[test]
    fn the_plain_check_embed_says_a_provider_waits_for_a_grant() {
        let source = |name: &str| ProviderCheck {
            provider: name.to_string(),
            version: "0.1.0".into(),
            updates: Vec::new(),
            warnings: Vec::new(),
            error: None,
            duration_ms: 0,
            reused_answers_age_secs: None,
            waiting_for_grant: None,
            missing: Vec::new(),
        };
        let mut waiting = source("dropped");
        waiting.waiting_for_grant = Some(crate::provider::Capabilities {
            read: vec!["{bot}".into()],
            http: Vec::new(),
            programs: Vec::new(),
        });
        let outcome = CheckOutcome {
            checked_at: Default::default(),
            totals: Default::default(),
            providers: vec![waiting, source("config")],
            skipped: Vec::new(),
            cooldowns: Vec::new(),
            undated: Vec::new(),
        };
        let embed =
            serde_json::to_value(plain_check_embed(&outcome, &CheckView::background())).unwrap();
        assert_eq!(
            embed["description"],
            "dropped: waiting for a grant\nconfig: 0 found\n"
        );
    }
}
