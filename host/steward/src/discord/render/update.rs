//! How install and rollback prompts and results look in Discord. Lines
//! that quote providers (updates, reasons, warnings) are plain text.

use std::fmt::Write;

use poise::serenity_prelude as serenity;

use super::plain;
use crate::discord::locale::{Lang, t};

use crate::engine::install::{InstallOutcome, InstallPlan, SafetyFinding, Warning};
use crate::engine::progress::Failure;
use crate::engine::session::{SessionKind, SessionStatus};
use crate::provider::{KeyChange, KeyChangeKind};
use crate::service::{InstallRequest, RollbackRequest};

/// Why a run failed, in `lang` when Steward said it itself (typed), else
/// the session's words as given; `None` when it did not fail.
pub fn session_error(lang: Lang, o: &InstallOutcome) -> Option<String> {
    let s = o.session.as_ref()?;
    Some(reason(lang, s.error.as_deref()?, s.reason.as_ref()))
}

/// A kept reason in `lang`: typed, worded by the catalogue; else (a
/// session kept before reasons were typed, or words Steward did not
/// type) the English as given.
pub fn reason(lang: Lang, error: &str, typed: Option<&Failure>) -> String {
    match typed {
        Some(failure) => crate::discord::progress::failure(lang, failure),
        None => plain(error),
    }
}

/// What a rollback could not undo, one line each, in `lang`.
pub fn not_undone(lang: Lang, o: &InstallOutcome) -> Vec<String> {
    if o.not_undone.is_empty() {
        o.rollback_errors.iter().map(|e| plain(e)).collect()
    } else {
        o.not_undone
            .iter()
            .map(|f| crate::discord::progress::failure(lang, f))
            .collect()
    }
}

const RED: u32 = 0xd9_3f_3f;
const ORANGE: u32 = 0xe6_7e_22;
const GREEN: u32 = 0x2e_cc_71;
/// Discord refuses message content over 2000 characters.
const CONTENT_LIMIT: usize = 1800;

pub fn install_question(lang: Lang, plan: &InstallPlan, request: &InstallRequest) -> String {
    let mut out = t!(lang, "install-question", count = plan.updates.len());
    out.push('\n');
    for line in &plan.updates {
        if out.len() > CONTENT_LIMIT {
            out.push_str("…\n");
            break;
        }
        let _ = writeln!(out, "• {}", plain(line));
    }
    let _ = writeln!(
        out,
        "{}",
        t!(
            lang,
            "install-conditions",
            backup = yes_no(request.backup),
            restart = yes_no(request.restart),
            force = yes_no(request.force)
        )
    );
    if !plan.commands.is_empty() {
        let _ = writeln!(out, "{}", t!(lang, "install-commands-heading"));
        for c in &plan.commands {
            if out.len() > CONTENT_LIMIT {
                out.push_str("…\n");
                break;
            }
            let _ = writeln!(out, "{}", command_change(lang, c));
        }
    }
    let warnings = plan.warnings.iter().map(|w| note(lang, w));
    let forced_past = plan.forced_past.iter().map(|f| finding(lang, f));
    for w in warnings.chain(forced_past) {
        if out.len() > CONTENT_LIMIT {
            break;
        }
        let _ = writeln!(out, "⚠ {w}");
    }
    out
}

/// How the bot went over to the new version and its downtime, in `lang`
/// (issue 23: blue-green).
pub(crate) fn switch_text(lang: Lang, s: &crate::engine::supervisor::Switch) -> String {
    let ms = s.downtime_ms;
    let how = if s.handoff {
        t!(lang, "switch-handoff", ms = ms)
    } else {
        t!(lang, "switch-restart", ms = ms)
    };
    match s.drained {
        Some(true) => format!("{how}\n{}", t!(lang, "switch-drained")),
        Some(false) => format!("{how}\n{}", t!(lang, "switch-killed")),
        None => how,
    }
}

/// Each download's bytes against the full archive, in `lang` (issue 23).
pub(crate) fn delivery_text(lang: Lang, d: &crate::engine::delivery::Delivery) -> String {
    d.downloads
        .iter()
        .map(|d| match d.delta.as_ref() {
            Some(delta) if delta.fell_back.is_none() => t!(
                lang,
                "delivery-delta",
                bytes = lang.size(d.bytes),
                archive = lang.size(d.archive_bytes),
                saved = lang.size(d.saved()),
                fetched = delta.fetched,
                files = delta.files,
                reused = delta.reused
            ),
            Some(delta) => t!(
                lang,
                "delivery-fell-back",
                bytes = lang.size(d.bytes),
                reason = delta.fell_back.clone().unwrap_or_default()
            ),
            None => t!(lang, "delivery-full", bytes = lang.size(d.bytes)),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// What the impact watch measured, in `lang`: before and after, then each
/// regression.
pub(crate) fn impact_text(lang: Lang, i: &crate::engine::impact::Impact) -> String {
    use crate::engine::impact::Regression;
    let mut out = t!(
        lang,
        "impact-measured",
        cpu_before = lang.number(i.before.cpu_percent, 1),
        cpu_after = lang.number(i.after.cpu_percent, 1),
        rss_before = lang.size(i.before.rss_bytes),
        rss_after = lang.size(i.after.rss_bytes),
        window = i.window_secs
    );
    let errors = match (&i.before.errors, &i.after.errors) {
        (None, None) => t!(lang, "impact-errors-not-exposed"),
        (Some(b), Some(a)) => match (b.requests, a.requests) {
            (Some(_), Some(_)) => t!(
                lang,
                "impact-errors-per-request",
                before = lang.number(b.rate, 1),
                after = lang.number(a.rate, 1)
            ),
            (None, None) => t!(
                lang,
                "impact-errors-per-minute",
                before = lang.number(b.rate, 1),
                after = lang.number(a.rate, 1)
            ),
            _ => t!(lang, "impact-errors-not-compared"),
        },
        _ => t!(lang, "impact-errors-not-compared"),
    };
    let _ = write!(out, "\n{errors}");
    for r in &i.regressions {
        let line = match r {
            Regression::Memory { percent, .. } => {
                t!(lang, "impact-memory", percent = *percent)
            }
            Regression::Cpu { before, after } => t!(
                lang,
                "impact-cpu",
                before = lang.number(*before, 1),
                after = lang.number(*after, 1)
            ),
            Regression::Restarts { after } => t!(lang, "impact-restarts", count = *after),
            Regression::ErrorRate {
                before,
                after,
                per_request: true,
            } => t!(
                lang,
                "impact-error-rate-requests",
                before = lang.number(*before, 1),
                after = lang.number(*after, 1)
            ),
            Regression::ErrorRate { before, after, .. } => t!(
                lang,
                "impact-error-rate",
                before = lang.number(*before, 1),
                after = lang.number(*after, 1)
            ),
            Regression::NotRunning => t!(lang, "impact-not-running"),
        };
        let _ = write!(out, "\n⚠ {line}");
    }
    if i.severe {
        let _ = write!(out, "\n{}", t!(lang, "impact-severe"));
    }
    out
}

/// One change to the bot's slash commands, in `lang`: the key names the
/// command (`/ban`), an option (`/ban reason`) or, after a colon (never
/// part of a command's name), what of a command changes.
fn command_change(lang: Lang, c: &KeyChange) -> String {
    let (subject, part) = match c.key.split_once(':') {
        Some((command, part)) => (command, Some(part)),
        None => (c.key.as_str(), None),
    };
    let subject = plain(subject);
    match (part, c.change) {
        (Some("default_member_permissions"), _) => {
            t!(lang, "install-command-permissions", command = subject)
        }
        (_, KeyChangeKind::Added) => t!(lang, "install-command-added", subject = subject),
        (_, KeyChangeKind::Removed) => t!(lang, "install-command-removed", subject = subject),
        (_, KeyChangeKind::DefaultChanged | KeyChangeKind::Conflict) => {
            t!(lang, "install-command-changed", subject = subject)
        }
    }
}

/// One note of an install run, in `lang`; what it quotes (a provider's
/// name and error, a store error) stays as given. A regression is named
/// only: the impact field beside it shows the figures.
pub(crate) fn note(lang: Lang, w: &Warning) -> String {
    match w {
        Warning::BackupsOff => t!(lang, "note-backups-off"),
        Warning::NotChecked { provider, error } => t!(
            lang,
            "note-not-checked",
            provider = plain(provider),
            error = plain(error)
        ),
        Warning::NoRestartConfigured => t!(lang, "note-no-restart-configured"),
        Warning::NotRestarted => t!(lang, "note-not-restarted"),
        Warning::ForcedPast { finding: f } => {
            t!(lang, "note-forced-past", finding = finding(lang, f))
        }
        Warning::DeliveryNotKept { error } => {
            t!(lang, "note-delivery-not-kept", error = plain(error))
        }
        Warning::ImpactNotKept { error } => t!(lang, "note-impact-not-kept", error = plain(error)),
        Warning::Regression { .. } => t!(lang, "note-regression"),
    }
}

/// A session's changes, one line each: the updates as the session names
/// them (data), or the backup a `last_backup` rollback restored, worded in
/// `lang`. Unescaped: the caller makes them plain where it needs to.
pub(crate) fn changes(lang: Lang, s: &crate::engine::session::Session) -> Vec<String> {
    match crate::engine::install::restored_backup(s) {
        Some(id) => vec![t!(lang, "outcome-restored-backup", id = id.to_string())],
        None => s.updates.clone(),
    }
}

/// An outcome's notes, one line each, in `lang`.
pub(crate) fn notes(lang: Lang, o: &InstallOutcome) -> Vec<String> {
    o.notes.iter().map(|w| note(lang, w)).collect()
}

/// One reason the safety checks stop an install, in `lang`; what it
/// quotes (paths, names, a provider's reason) stays as given.
pub(crate) fn finding(lang: Lang, f: &SafetyFinding) -> String {
    match f {
        SafetyFinding::LowDiskSpace {
            path,
            free_mib,
            min_disk_space_mb,
        } => t!(
            lang,
            "safety-low-disk",
            free = *free_mib,
            path = plain(&path.display().to_string()),
            min = min_disk_space_mb.to_string()
        ),
        SafetyFinding::TooLarge {
            bytes,
            max_update_size_mb,
        } => t!(
            lang,
            "safety-too-large",
            mib = lang.number(*bytes as f64 / (1024.0 * 1024.0), 1),
            max = max_update_size_mb.to_string()
        ),
        SafetyFinding::Breaking { updates } => t!(
            lang,
            "safety-breaking",
            count = updates.len(),
            updates = plain(&lang.names(updates))
        ),
        SafetyFinding::Unsigned {
            provider,
            downloads,
        } => t!(
            lang,
            "safety-unsigned",
            provider = plain(provider),
            count = *downloads
        ),
        SafetyFinding::BackupRequired => t!(lang, "safety-backup-required"),
        SafetyFinding::CannotPlan { provider, reason } => t!(
            lang,
            "safety-cannot-plan",
            provider = plain(provider),
            reason = plain(reason)
        ),
    }
}

/// A yes/no selector for the catalogues.
fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

pub fn rollback_question(lang: Lang, request: &RollbackRequest) -> String {
    format!(
        "{}\n{}",
        t!(lang, "rollback-question", target = plain(&request.target)),
        t!(
            lang,
            "rollback-conditions",
            backup = yes_no(request.backup),
            config = yes_no(request.restore_config)
        )
    )
}

/// Why an install did not start: the safety checks that stop it.
pub fn stopped(lang: Lang, findings: &[SafetyFinding]) -> serenity::CreateEmbed {
    let mut text = String::new();
    for f in findings {
        let _ = writeln!(text, "• {}", finding(lang, f));
    }
    text.push('\n');
    text.push_str(&t!(lang, "stopped-advice"));
    serenity::CreateEmbed::new()
        .title(t!(lang, "stopped-title"))
        .description(super::cut(&text, 4000, "…"))
        .colour(ORANGE)
}

/// A session's kind and end, as the catalogues select on them.
pub(crate) fn session_args(
    kind: SessionKind,
    status: SessionStatus,
) -> (&'static str, &'static str) {
    let kind = match kind {
        SessionKind::Install => "install",
        SessionKind::Rollback => "rollback",
    };
    let status = match status {
        SessionStatus::Completed => "completed",
        SessionStatus::NothingToDo => "nothing",
        SessionStatus::RolledBack => "rolled-back",
        SessionStatus::Failed => "failed",
        SessionStatus::RollbackFailed => "rollback-failed",
        SessionStatus::Running => "running",
        SessionStatus::Stopped => "stopped",
        SessionStatus::Cancelled => "cancelled",
    };
    (kind, status)
}

pub fn outcome(lang: Lang, o: &InstallOutcome) -> serenity::CreateEmbed {
    let Some(s) = &o.session else {
        return serenity::CreateEmbed::new().title(t!(lang, "outcome-nothing-run"));
    };
    let colour = match s.status {
        SessionStatus::Completed | SessionStatus::NothingToDo => GREEN,
        SessionStatus::Failed | SessionStatus::RollbackFailed => RED,
        SessionStatus::RolledBack
        | SessionStatus::Running
        | SessionStatus::Stopped
        | SessionStatus::Cancelled => ORANGE,
    };
    let (kind, status) = session_args(s.kind, s.status);
    let title = t!(lang, "outcome-title", kind = kind, status = status);
    let mut embed = serenity::CreateEmbed::new().title(title).colour(colour);
    if !s.updates.is_empty() {
        embed = embed.field(
            t!(lang, "outcome-changes"),
            super::cut(&plain(&changes(lang, s).join("\n")), 1024, "…"),
            false,
        );
    }
    if let (Some(from), Some(to)) = (&s.current_version, &s.target_version) {
        embed = embed.field(
            t!(lang, "outcome-bot-version"),
            format!("{} → {}", plain(from), plain(to)),
            true,
        );
    }
    if s.total_steps > 0 {
        embed = embed.field(
            t!(lang, "outcome-steps"),
            format!("{}/{}", s.steps_completed, s.total_steps),
            true,
        );
    }
    if let Some(id) = &s.backup_id {
        embed = embed.field(t!(lang, "outcome-backup"), id, true);
    }
    if let Some(impact) = &o.impact {
        embed = embed.field(t!(lang, "impact-title"), impact_text(lang, impact), false);
    }
    if let Some(delivery) = o.delivery.as_ref().filter(|d| !d.downloads.is_empty()) {
        embed = embed.field(
            t!(lang, "delivery-title"),
            delivery_text(lang, delivery),
            false,
        );
    }
    if let Some(switch) = o.delivery.as_ref().and_then(|d| d.switch.as_ref()) {
        embed = embed.field(t!(lang, "switch-title"), switch_text(lang, switch), false);
    }
    if let Some(e) = session_error(lang, o) {
        embed = embed.field(t!(lang, "outcome-reason"), super::cut(&e, 1024, "…"), false);
    }
    let not_undone = not_undone(lang, o);
    if !not_undone.is_empty() {
        embed = embed.field(
            t!(lang, "outcome-not-undone"),
            super::cut(&not_undone.join("\n"), 1024, "…"),
            false,
        );
    }
    if let Some(file) = &o.password_created {
        embed = embed.field(
            t!(lang, "backup-field-password"),
            super::cut(
                &t!(
                    lang,
                    "backup-password-created",
                    path = format!("`{}`", file.display())
                ),
                1024,
                "…",
            ),
            false,
        );
    }
    if !o.notes.is_empty() {
        embed = embed.field(
            t!(lang, "outcome-notes"),
            super::cut(&notes(lang, o).join("\n"), 1024, "…"),
            false,
        );
    }
    embed.footer(serenity::CreateEmbedFooter::new(t!(
        lang,
        "outcome-footer",
        id = s.id.clone()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safety_findings_read_in_the_callers_language() {
        let too_large = SafetyFinding::TooLarge {
            bytes: 3 * 1024 * 1024 / 2,
            max_update_size_mb: 1000,
        };
        assert_eq!(finding(Lang::english(), &too_large), too_large.to_string());
        assert_eq!(
            finding(Lang::for_tag("de"), &too_large),
            "das Update lädt 1,5 MiB herunter, mehr als safety.max_update_size_mb = 1000"
        );
        let unsigned = SafetyFinding::Unsigned {
            provider: "release".into(),
            downloads: 1,
        };
        assert_eq!(
            finding(Lang::for_tag("zh-CN"), &unsigned),
            "release 计划的 1 个下载无法验证：未配置 [providers.release] verify_key（只会校验校验和）"
        );
        let embed = stopped(Lang::for_tag("de"), &[SafetyFinding::BackupRequired]);
        let json = serde_json::to_value(&embed).unwrap();
        assert_eq!(
            json["title"],
            "Update von den Sicherheitsprüfungen gestoppt"
        );
        assert!(
            json["description"]
                .as_str()
                .unwrap()
                .starts_with("• es wurde keine Sicherung vor dem Update verlangt"),
            "{json:#}"
        );
    }

    /// A failed run's reason is worded by the locale when Steward typed
    /// it, with the note that nothing was rolled back; an untyped one (a
    /// session kept before reasons were typed) as the session says it.
    #[test]
    fn a_typed_failure_reason_is_worded_and_an_untyped_one_kept() {
        use crate::engine::progress::GateFault;
        use crate::engine::session::Session;
        let failure = Failure::NotRolledBack {
            failure: Box::new(Failure::TestGate {
                error: GateFault::Failed {
                    status: "exit status: 1".into(),
                    after_ms: 2400,
                },
            }),
        };
        let session = Session {
            id: "s1".into(),
            kind: SessionKind::Install,
            update_type: crate::engine::UpdateType::All,
            status: SessionStatus::Failed,
            progress: 40,
            started_at: chrono::Utc::now(),
            completed_at: None,
            current_version: None,
            target_version: None,
            error: Some(failure.to_string()),
            reason: Some(failure.clone()),
            steps_completed: 1,
            total_steps: 2,
            rollback_available: false,
            initiated_by: "cli".into(),
            backup_id: None,
            updates: Vec::new(),
            parts: Vec::new(),
        };
        let mut o = InstallOutcome {
            session: Some(session),
            dry_run: None,
            warnings: Vec::new(),
            notes: Vec::new(),
            planned: Vec::new(),
            safety: Vec::new(),
            rollback_errors: Vec::new(),
            not_undone: Vec::new(),
            commands: Vec::new(),
            impact: None,
            delivery: None,
            failure: None,
            password_created: None,
        };
        assert_eq!(
            session_error(Lang::english(), &o).as_deref(),
            o.session.as_ref().unwrap().error.as_deref()
        );
        assert_eq!(
            o.session.as_ref().unwrap().error.as_deref(),
            Some(
                "the test gate stopped the update before it went live: the test command \
                 failed (exit status: 1) after 2.4 s (its output is in the session log) \
                 (nothing was rolled back: safety.rollback_on_failure is off)"
            )
        );
        assert_eq!(
            session_error(Lang::for_tag("de"), &o).unwrap(),
            "der Testlauf hat das Update gestoppt, bevor es live ging: der Testbefehl ist \
             nach 2,4 s fehlgeschlagen (exit status: 1) (die Ausgabe steht im \
             Sitzungsprotokoll) (nichts wurde zurückgerollt: safety.rollback_on_failure ist aus)"
        );
        o.session.as_mut().unwrap().reason = None;
        assert_eq!(
            session_error(Lang::for_tag("zh-CN"), &o).as_deref(),
            o.session.as_ref().unwrap().error.as_deref()
        );

        // The pre-update backup that created the repository's password
        // says so in the install's answer, in the caller's language.
        let fields = |o: &InstallOutcome, tag: &str| {
            serde_json::to_value(outcome(Lang::for_tag(tag), o)).unwrap()["fields"].to_string()
        };
        o.password_created = Some("/srv/steward/data/backup-password".into());
        let de = fields(&o, "de");
        assert!(
            de.contains(&t!(Lang::for_tag("de"), "backup-field-password"))
                && de.contains("`/srv/steward/data/backup-password`"),
            "{de}"
        );
        assert!(
            fields(&o, "en-US").contains("Keep a copy of this file somewhere else"),
            "{}",
            fields(&o, "en-US")
        );
    }

    /// Every note kind: the English (what the CLI prints and the outcome's
    /// `warnings` keep) is word for word what the engine wrote before the
    /// notes were typed, and Discord words each in zh-CN and de itself.
    #[test]
    fn every_note_reads_as_before_in_english_and_has_words_in_each_locale() {
        let notes = [
            (
                Warning::BackupsOff,
                "backups are turned off (backup.enabled = false): no pre-update backup was taken",
            ),
            (
                Warning::NotChecked {
                    provider: "pip".into(),
                    error: "index unreachable".into(),
                },
                "pip could not be checked and is left as it is: index unreachable",
            ),
            (
                Warning::NoRestartConfigured,
                "the update needs a bot restart, but steward.toml has neither bot.start nor \
                 bot.restart_command: restart the bot yourself",
            ),
            (
                Warning::NotRestarted,
                "the bot was not restarted (asked not to): the update takes effect at its next start",
            ),
            (
                Warning::ForcedPast {
                    finding: SafetyFinding::BackupRequired,
                },
                "forced past: no pre-update backup was asked for, but \
                 safety.require_backup_before_update is on",
            ),
            (
                Warning::DeliveryNotKept {
                    error: "store full".into(),
                },
                "the download and switch figures could not be kept: store full",
            ),
            (
                Warning::ImpactNotKept {
                    error: "store full".into(),
                },
                "the impact watch's result could not be kept: store full",
            ),
            (
                Warning::Regression {
                    regressions: "memory 40 MB → 400 MB (+900%)".into(),
                },
                "the impact watch found a regression after the update: memory 40 MB → 400 MB (+900%)",
            ),
        ];
        let has_cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        for (note_, english) in &notes {
            assert_eq!(note_.to_string(), *english);
            let en = note(Lang::english(), note_);
            if !matches!(note_, Warning::Regression { .. }) {
                assert_eq!(en, *english, "Discord's English differs from the CLI's");
            }
            let zh = note(Lang::for_tag("zh-CN"), note_);
            assert!(has_cjk(&zh), "{zh}");
            let de = note(Lang::for_tag("de"), note_);
            assert_ne!(de, en, "{de}");
            assert!(!de.contains(english.split(':').next().unwrap()), "{de}");
        }
        assert_eq!(
            note(Lang::for_tag("de"), &notes[3].0),
            "Der Bot wurde nicht neu gestartet (wie gewünscht): das Update wirkt ab seinem \
             nächsten Start"
        );
        assert_eq!(
            note(Lang::for_tag("zh-CN"), &notes[0].0),
            "备份已关闭（backup.enabled = false）：没有进行更新前备份"
        );
    }

    /// A `last_backup` rollback's one change line (`backup {id}` in the
    /// session, as the CLI prints it) is worded by the locale; an
    /// install's lines are data and stay as the session names them.
    #[test]
    fn a_restored_backup_line_is_worded_and_update_lines_kept() {
        use crate::engine::session::Session;
        let mut s = Session {
            id: "s2".into(),
            kind: SessionKind::Rollback,
            update_type: crate::engine::UpdateType::All,
            status: SessionStatus::Completed,
            progress: 100,
            started_at: chrono::Utc::now(),
            completed_at: None,
            current_version: None,
            target_version: None,
            error: None,
            reason: None,
            steps_completed: 1,
            total_steps: 1,
            rollback_available: false,
            initiated_by: "cli".into(),
            backup_id: None,
            updates: vec!["backup 20261130-0517".into()],
            parts: Vec::new(),
        };
        assert_eq!(
            changes(Lang::english(), &s),
            ["backup 20261130-0517 restored"]
        );
        assert_eq!(
            changes(Lang::for_tag("de"), &s),
            ["Backup 20261130-0517 wiederhergestellt"]
        );
        assert_eq!(
            changes(Lang::for_tag("zh-CN"), &s),
            ["已恢复备份 20261130-0517"]
        );
        s.kind = SessionKind::Install;
        s.updates = vec!["pip: requests 2.31.0 -> 2.32.0".into()];
        assert_eq!(
            changes(Lang::for_tag("de"), &s),
            ["pip: requests 2.31.0 -> 2.32.0"]
        );
    }

    fn plan(commands: Vec<KeyChange>) -> InstallPlan {
        InstallPlan {
            updates: vec!["release: bot 1.4.0 -> 1.5.0".into()],
            steps: String::new(),
            warnings: Vec::new(),
            forced_past: Vec::new(),
            commands,
        }
    }

    fn change(key: &str, change: KeyChangeKind) -> KeyChange {
        KeyChange {
            key: key.into(),
            change,
            text: String::new(),
        }
    }

    #[test]
    fn the_install_question_lists_the_command_surface_changes_in_each_language() {
        let plan = plan(vec![
            change("/poll", KeyChangeKind::Added),
            change("/kick", KeyChangeKind::Removed),
            change("/ban reason", KeyChangeKind::DefaultChanged),
            change(
                "/ban:default_member_permissions",
                KeyChangeKind::DefaultChanged,
            ),
        ]);
        let request = InstallRequest::default();
        let english = install_question(Lang::english(), &plan, &request);
        for line in [
            "The bot's slash commands change:",
            "＋ added: /poll",
            "－ removed: /kick",
            "～ changed: /ban reason",
            "～ default permissions of /ban change",
        ] {
            assert!(english.contains(line), "{line:?} missing in {english}");
        }
        let german = install_question(Lang::for_tag("de"), &plan, &request);
        assert!(german.contains("－ entfernt: /kick"), "{german}");
        assert!(
            german.contains("die Standardberechtigungen von /ban ändern sich"),
            "{german}"
        );
        let chinese = install_question(Lang::for_tag("zh-CN"), &plan, &request);
        assert!(chinese.contains("－ 移除：/kick"), "{chinese}");
    }

    #[test]
    fn a_release_that_changes_no_command_adds_no_heading() {
        let text = install_question(
            Lang::english(),
            &plan(Vec::new()),
            &InstallRequest::default(),
        );
        assert!(!text.contains("slash commands"), "{text}");
    }
}
