//! How install and rollback prompts and results look in Discord. Lines
//! that quote providers (updates, reasons, warnings) are plain text.

use std::fmt::Write;

use poise::serenity_prelude as serenity;

use super::plain;

use crate::engine::install::{InstallOutcome, InstallPlan, SafetyFinding};
use crate::engine::session::{SessionKind, SessionStatus};
use crate::service::{InstallRequest, RollbackRequest};

const RED: u32 = 0xd9_3f_3f;
const ORANGE: u32 = 0xe6_7e_22;
const GREEN: u32 = 0x2e_cc_71;
/// Discord refuses message content over 2000 characters.
const CONTENT_LIMIT: usize = 1800;

pub fn install_question(plan: &InstallPlan, request: &InstallRequest) -> String {
    let mut out = format!(
        "**Install {} update{}?**\n",
        plan.updates.len(),
        if plan.updates.len() == 1 { "" } else { "s" }
    );
    for line in &plan.updates {
        if out.len() > CONTENT_LIMIT {
            out.push_str("…\n");
            break;
        }
        let _ = writeln!(out, "• {}", plain(line));
    }
    let _ = writeln!(
        out,
        "{}; {}{}.",
        if request.backup {
            "A full backup is taken first"
        } else {
            "No backup is taken first"
        },
        if request.restart {
            "the bot restarts if an update needs it"
        } else {
            "the bot is not restarted"
        },
        if request.force {
            "; safety warnings are overridden"
        } else {
            ""
        }
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

pub fn rollback_question(request: &RollbackRequest) -> String {
    format!(
        "**Roll back to {}?**\n{}{}",
        plain(&request.target),
        if request.backup {
            "The present state is backed up first. "
        } else {
            "No backup is taken first. "
        },
        if request.restore_config {
            "Config files are put back too."
        } else {
            "Config files are left as they are."
        }
    )
}

/// Why an install did not start: the safety checks that stop it.
pub fn stopped(findings: &[SafetyFinding]) -> serenity::CreateEmbed {
    let mut text = String::new();
    for w in findings {
        let _ = writeln!(text, "• {}", plain(&w.to_string()));
    }
    text.push_str("\nNothing was changed. Fix these, or run again with `force_update:true` (checksums and signatures are still verified).");
    serenity::CreateEmbed::new()
        .title("Update stopped by safety checks")
        .description(super::cut(&text, 4000, "…"))
        .colour(ORANGE)
}

pub fn outcome(o: &InstallOutcome) -> serenity::CreateEmbed {
    let Some(s) = &o.session else {
        return serenity::CreateEmbed::new().title("Nothing was run");
    };
    let what = match s.kind {
        SessionKind::Install => "Update",
        SessionKind::Rollback => "Rollback",
    };
    let (title, colour) = match s.status {
        SessionStatus::Completed => (format!("{what} completed"), GREEN),
        SessionStatus::NothingToDo => ("Nothing to update".to_string(), GREEN),
        SessionStatus::RolledBack => (format!("{what} failed and was rolled back"), ORANGE),
        SessionStatus::Failed => (format!("{what} failed"), RED),
        SessionStatus::RollbackFailed => (format!("{what} failed; rolling back failed too"), RED),
        SessionStatus::Running => (format!("{what} still running"), ORANGE),
    };
    let mut embed = serenity::CreateEmbed::new().title(title).colour(colour);
    if !s.updates.is_empty() {
        embed = embed.field(
            "Changes",
            super::cut(&plain(&s.updates.join("\n")), 1024, "…"),
            false,
        );
    }
    if let (Some(from), Some(to)) = (&s.current_version, &s.target_version) {
        embed = embed.field(
            "Bot version",
            format!("{} → {}", plain(from), plain(to)),
            true,
        );
    }
    if s.total_steps > 0 {
        embed = embed.field(
            "Steps",
            format!("{}/{}", s.steps_completed, s.total_steps),
            true,
        );
    }
    if let Some(id) = &s.backup_id {
        embed = embed.field("Backup taken first", id, true);
    }
    if let Some(e) = &s.error {
        embed = embed.field("Reason", super::cut(&plain(e), 1024, "…"), false);
    }
    if !o.rollback_errors.is_empty() {
        embed = embed.field(
            "Not undone",
            super::cut(&plain(&o.rollback_errors.join("\n")), 1024, "…"),
            false,
        );
    }
    if !o.warnings.is_empty() {
        embed = embed.field(
            "Notes",
            super::cut(&plain(&o.warnings.join("\n")), 1024, "…"),
            false,
        );
    }
    embed.footer(serenity::CreateEmbedFooter::new(format!(
        "session {}",
        s.id
    )))
}
