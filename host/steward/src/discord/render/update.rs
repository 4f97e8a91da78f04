//! How install and rollback prompts and results look in Discord. Lines
//! that quote providers (updates, reasons, warnings) are plain text.

use std::fmt::Write;

use poise::serenity_prelude as serenity;

use super::plain;
use crate::discord::locale::{Lang, t};

use crate::engine::install::{InstallOutcome, InstallPlan, SafetyFinding};
use crate::engine::session::{SessionKind, SessionStatus};
use crate::provider::{KeyChange, KeyChangeKind};
use crate::service::{InstallRequest, RollbackRequest};

/// Why a run failed, in `lang` when Steward said it itself (typed), else
/// the session's words as given; `None` when it did not fail.
pub fn session_error(lang: Lang, o: &InstallOutcome) -> Option<String> {
    let s = o.session.as_ref()?;
    let error = s.error.as_ref()?;
    let Some(failure) = &o.failure else {
        return Some(plain(error));
    };
    let mut text = crate::discord::progress::failure(lang, failure);
    if s.status == SessionStatus::Failed {
        // Failed, not rolled back: the rollback was switched off.
        text.push(' ');
        text.push_str(&t!(lang, "failure-not-rolled-back"));
    }
    Some(text)
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
    let warnings = plan.warnings.iter().map(|w| plain(w));
    let forced_past = plan.forced_past.iter().map(|f| finding(lang, f));
    for w in warnings.chain(forced_past) {
        if out.len() > CONTENT_LIMIT {
            break;
        }
        let _ = writeln!(out, "⚠ {w}");
    }
    out
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
            updates = plain(&updates.join(", "))
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
            super::cut(&plain(&s.updates.join("\n")), 1024, "…"),
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
    if let Some(e) = session_error(lang, o) {
        embed = embed.field(t!(lang, "outcome-reason"), super::cut(&e, 1024, "…"), false);
    }
    if !o.rollback_errors.is_empty() {
        embed = embed.field(
            t!(lang, "outcome-not-undone"),
            super::cut(&plain(&o.rollback_errors.join("\n")), 1024, "…"),
            false,
        );
    }
    if !o.warnings.is_empty() {
        embed = embed.field(
            t!(lang, "outcome-notes"),
            super::cut(&plain(&o.warnings.join("\n")), 1024, "…"),
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
    /// it, with the note that nothing was rolled back; an untyped one as
    /// the session says it.
    #[test]
    fn a_typed_failure_reason_is_worded_and_an_untyped_one_kept() {
        use crate::engine::progress::Failure;
        use crate::engine::session::Session;
        let failure = Failure::TestGate {
            error: "the tests failed".into(),
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
            error: Some(format!(
                "{failure} (nothing was rolled back: safety.rollback_on_failure is off)"
            )),
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
            planned: Vec::new(),
            safety: Vec::new(),
            rollback_errors: Vec::new(),
            commands: Vec::new(),
            impact: None,
            failure: Some(failure),
        };
        assert_eq!(
            session_error(Lang::english(), &o).as_deref(),
            o.session.as_ref().unwrap().error.as_deref()
        );
        assert_eq!(
            session_error(Lang::for_tag("de"), &o).unwrap(),
            "der Testlauf hat das Update gestoppt, bevor es live ging: the tests failed \
             (die Ausgabe steht im Sitzungsprotokoll) (nichts wurde zurückgerollt: \
             safety.rollback_on_failure ist aus)"
        );
        o.failure = None;
        assert_eq!(
            session_error(Lang::for_tag("zh-CN"), &o).as_deref(),
            o.session.as_ref().unwrap().error.as_deref()
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
