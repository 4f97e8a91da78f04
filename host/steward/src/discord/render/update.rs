//! How install and rollback prompts and results look in Discord. Lines
//! that quote providers (updates, reasons, warnings) are plain text.

use std::fmt::Write;

use poise::serenity_prelude as serenity;

use super::plain;
use crate::discord::locale::{Lang, t};

use crate::engine::install::{InstallOutcome, InstallPlan, SafetyFinding};
use crate::engine::session::{SessionKind, SessionStatus};
use crate::service::{InstallRequest, RollbackRequest};

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
    let forced_past = plan.forced_past.iter().map(ToString::to_string);
    for w in plan.warnings.iter().cloned().chain(forced_past) {
        if out.len() > CONTENT_LIMIT {
            break;
        }
        let _ = writeln!(out, "⚠ {}", plain(&w));
    }
    out
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
    for w in findings {
        let _ = writeln!(text, "• {}", plain(&w.to_string()));
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
    if let Some(e) = &s.error {
        embed = embed.field(
            t!(lang, "outcome-reason"),
            super::cut(&plain(e), 1024, "…"),
            false,
        );
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
