//! How `steward schedule …` results look in a terminal. Rendering only.

use std::fmt::Write;

use super::Table;
use crate::schedule::{Schedule, ScheduleKind};
use crate::service::{ScheduleView, SchedulesView};
use crate::settings::value::type_names;

fn when(s: &Schedule) -> String {
    if s.update_days.is_empty() {
        format!("{} {}", s.schedule_type.as_str(), s.update_time)
    } else {
        format!(
            "{} {} on {}",
            s.schedule_type.as_str(),
            s.update_time,
            s.update_days.join(",")
        )
    }
}

/// What a run does: `installs packages,config`, or `backs up (keeps 4)`.
fn does(s: &Schedule) -> String {
    match (s.kind, s.max_backups_to_keep) {
        (ScheduleKind::Update, _) => format!("installs {}", type_names(&s.update_types).join(",")),
        (ScheduleKind::Backup, Some(keep)) => format!("backs up (keeps {keep})"),
        (ScheduleKind::Backup, None) => "backs up (keeps all)".to_string(),
    }
}

fn next(view: &ScheduleView) -> String {
    view.next_run_local
        .clone()
        .unwrap_or_else(|| "- (disabled)".to_string())
}

pub fn added(view: &ScheduleView) -> String {
    let s = &view.schedule;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Schedule {} added: {} ({}), {}.",
        s.label(),
        when(s),
        s.cron,
        does(s)
    );
    let _ = writeln!(out, "Next run: {}", next(view));
    if let Some(note) = &view.note {
        let _ = writeln!(out, "Note: {note}.");
    }
    out
}

pub fn switched(view: &ScheduleView) -> String {
    let s = &view.schedule;
    format!(
        "Schedule {} {}. Next run: {}\n",
        s.label(),
        if s.enabled { "enabled" } else { "disabled" },
        next(view)
    )
}

pub fn list(all: &SchedulesView) -> String {
    if all.schedules.is_empty() {
        return format!(
            "No schedules (at most {}; times in {}).\n",
            all.max_schedules, all.timezone
        );
    }
    let mut table = Table::new(&[
        "ID", "NAME", "WHEN", "DOES", "ENABLED", "NEXT RUN", "LAST RUN",
    ]);
    for view in &all.schedules {
        let s = &view.schedule;
        table.row(vec![
            s.id.clone(),
            s.name.clone().unwrap_or_else(|| "-".to_string()),
            when(s),
            does(s),
            if s.enabled { "yes" } else { "no" }.to_string(),
            next(view),
            s.last_run
                .as_ref()
                .map(|l| format!("{}: {}", l.at.format("%Y-%m-%d %H:%M UTC"), l.message))
                .unwrap_or_else(|| "-".to_string()),
        ]);
    }
    let mut out = table.render();
    let _ = writeln!(
        out,
        "\n{} of at most {}; times in {}.",
        all.schedules.len(),
        super::count(all.max_schedules, "schedule"),
        all.timezone
    );
    out
}
