//! How `steward install`, `rollback` and `bot` results look in a terminal.

use std::fmt::Write;

use crate::engine::install::{InstallOutcome, InstallPlan};
use crate::engine::session::{SessionKind, SessionStatus};
use crate::supervisor::Started;

pub fn outcome(o: &InstallOutcome) -> String {
    let mut out = String::new();
    for w in &o.warnings {
        let _ = writeln!(out, "note: {w}");
    }
    let Some(s) = &o.session else {
        return out;
    };
    let what = match s.kind {
        SessionKind::Install => "Update",
        SessionKind::Rollback => "Rollback",
    };
    let verdict = match s.status {
        SessionStatus::Completed => "completed",
        SessionStatus::NothingToDo => "had nothing to do: everything is up to date",
        SessionStatus::RolledBack => "FAILED and was rolled back",
        SessionStatus::Failed => "FAILED",
        SessionStatus::RollbackFailed => "FAILED, and rolling back failed too",
        SessionStatus::Running => "is still running",
        SessionStatus::Stopped => "was stopped by the safety checks; nothing was changed",
        SessionStatus::Cancelled => "was cancelled; nothing was changed",
    };
    let _ = writeln!(out, "{what} {} {verdict}.", s.id);
    for u in &s.updates {
        let _ = writeln!(out, "  {u}");
    }
    if let (Some(from), Some(to)) = (&s.current_version, &s.target_version) {
        let _ = writeln!(out, "  bot: {from} -> {to}");
    }
    if s.total_steps > 0 {
        let _ = writeln!(out, "  steps: {}/{}", s.steps_completed, s.total_steps);
    }
    if let Some(id) = &s.backup_id {
        let _ = writeln!(out, "  backup taken first: {id}");
    }
    if let Some(delivery) = &o.delivery {
        for line in delivery_lines(delivery) {
            let _ = writeln!(out, "  {line}");
        }
    }
    if let Some(d) = s.duration() {
        let _ = writeln!(out, "  took {:.1} s", d.num_milliseconds() as f64 / 1000.0);
    }
    if let Some(e) = &s.error {
        let _ = writeln!(out, "  reason: {e}");
    }
    for e in &o.rollback_errors {
        let _ = writeln!(out, "  not undone: {e}");
    }
    if s.status == SessionStatus::RollbackFailed {
        let _ = writeln!(
            out,
            "  The bot may be in a mixed state: check it, then restore {} if needed.",
            s.backup_id.as_deref().unwrap_or("a backup")
        );
    }
    if let Some(file) = &o.password_created {
        out.push_str(&super::backup::password_created(file));
    }
    out
}

/// Each download's bytes against the full archive, and what a delta
/// download reused or why it fell back to the archive.
pub fn delivery_lines(delivery: &crate::engine::delivery::Delivery) -> Vec<String> {
    use steward_core::size::human;
    let switch = delivery.switch.as_ref().map(|s| {
        format!(
            "switched by {}: downtime {} ms{}",
            if s.handoff {
                "a blue-green handoff"
            } else {
                "a restart"
            },
            s.downtime_ms,
            match s.drained {
                Some(true) => " (the old process drained)",
                Some(false) => " (the old process was killed after the stop timeout)",
                None => "",
            }
        )
    });
    delivery
        .downloads
        .iter()
        .map(|d| match &d.delta {
            Some(delta) => match &delta.fell_back {
                None => format!(
                    "downloaded {} of the {} archive ({} saved): {} of {} files fetched, {} reused from the running release",
                    human(d.bytes),
                    human(d.archive_bytes),
                    human(d.saved()),
                    delta.fetched,
                    delta.files,
                    delta.reused
                ),
                Some(reason) => format!(
                    "downloaded {} (the full {} archive: {reason})",
                    human(d.bytes),
                    human(d.archive_bytes)
                ),
            },
            None => format!("downloaded {} (the full archive)", human(d.bytes)),
        })
        .chain(switch)
        .collect()
}

pub fn nothing_to_do(warnings: &[crate::engine::install::Warning]) -> String {
    let mut out = String::from("Nothing to install: every matching source is up to date.\n");
    for w in warnings {
        let _ = writeln!(out, "note: {w}");
    }
    out
}

/// An install's plan, shown before the question.
pub fn plan(p: &InstallPlan) -> String {
    let mut out = p.steps.clone();
    for w in &p.warnings {
        let _ = writeln!(out, "note: {w}");
    }
    out
}

pub fn started(s: &Started) -> String {
    let mut out = String::new();
    match &s.process {
        Some(p) => {
            let _ = writeln!(out, "The bot is running (pid {}).", p.pid);
        }
        None => {
            let _ = writeln!(out, "The bot was restarted by its restart command.");
        }
    }
    if let Some(line) = &s.ready_line {
        let _ = writeln!(out, "  ready: {line}");
    }
    let _ = writeln!(out, "  healthy through a {} s probation", s.probation_secs);
    out
}
