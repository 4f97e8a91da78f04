//! How `steward status` looks in a terminal. Rendering only.

use std::fmt::Write;

use super::{Table, human_bytes};
use crate::service::StatusReport;
use crate::status::Known;
use crate::status::system::span;

fn known(k: &Known) -> String {
    match &k.value {
        Some(v) => format!("{v} ({})", k.note),
        None => format!("unknown: {}", k.note),
    }
}

/// Up to five backup ids, then how many more.
fn listed(ids: &[String]) -> String {
    let mut shown = ids.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
    if ids.len() > 5 {
        let _ = write!(shown, " and {} more", ids.len() - 5);
    }
    shown
}

pub fn report(r: &StatusReport) -> String {
    let mut out = String::new();
    for line in &r.providers_not_loaded {
        let _ = writeln!(out, "Provider not loaded: {line}");
    }
    for p in &r.providers_waiting {
        let _ = writeln!(
            out,
            "Provider waiting for a grant: {} asks for {}",
            p.provider,
            p.capabilities.join(", ")
        );
    }
    for p in &r.providers_partial {
        let _ = writeln!(
            out,
            "Provider partly granted: {} is not granted {}",
            p.provider,
            p.capabilities.join(", ")
        );
    }
    for c in &r.copies_failed {
        let _ = writeln!(
            out,
            "Offsite copy failed: {} lacks {} {} ({}), retried at the next copy: {}",
            c.target,
            c.backups.len(),
            if c.backups.len() == 1 {
                "backup"
            } else {
                "backups"
            },
            listed(&c.backups),
            c.error
        );
    }
    let _ = writeln!(out, "Bot:      {} {}", r.bot_name, known(&r.versions.bot));
    let _ = writeln!(out, "Python:   {}", known(&r.versions.python));
    let _ = writeln!(out, "Steward:  {}", r.versions.steward);
    let _ = writeln!(
        out,
        "Uptime:   steward {} (since {}); bot {}",
        span(r.uptime.steward_secs),
        r.uptime.steward_since.format("%Y-%m-%d %H:%M UTC"),
        known(&r.uptime.bot)
    );
    match &r.last_update {
        Some(s) => {
            let _ = writeln!(
                out,
                "Last update: {} {} {:?} at {}",
                s.id,
                s.update_type,
                s.status,
                s.started_at.format("%Y-%m-%d %H:%M UTC")
            );
        }
        None => {
            let _ = writeln!(out, "Last update: none recorded");
        }
    }
    if let Some(impact) = &r.last_impact {
        let _ = writeln!(
            out,
            "Impact:   CPU {:.1}% → {:.1}%, memory {} → {} around the last update ({} s windows)",
            impact.before.cpu_percent,
            impact.after.cpu_percent,
            human_bytes(impact.before.rss_bytes),
            human_bytes(impact.after.rss_bytes),
            impact.window_secs
        );
        let _ = writeln!(
            out,
            "Impact:   errors {} → {}",
            impact.before.errors_text(),
            impact.after.errors_text()
        );
        for regression in &impact.regressions {
            let _ = writeln!(
                out,
                "Impact:   {} regression: {regression}",
                if impact.severe { "severe" } else { "a" }
            );
        }
    }
    if let Some(delivery) = &r.last_delivery {
        for line in super::update::delivery_lines(delivery) {
            let _ = writeln!(out, "Delivery: {line} (the last update)");
        }
    }
    if let Some(drift) = &r.drift {
        let checked = drift
            .checked_at
            .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default();
        if drift.drifted.is_empty() {
            let _ = writeln!(
                out,
                "Drift:    none since the last update (checked {checked})"
            );
        }
        for d in &drift.drifted {
            let from = if d.baseline {
                format!(
                    "the baseline taken at first check on {}",
                    d.applied_at.format("%Y-%m-%d %H:%M UTC")
                )
            } else {
                format!("what session {} applied", d.session_id)
            };
            let _ = writeln!(
                out,
                "Drift:    {} differs from {from} (checked {checked}):",
                d.provider
            );
            for line in d.diff.lines() {
                let _ = writeln!(out, "  {line}");
            }
        }
    }
    if let Some(m) = &r.metrics {
        for d in &m.disks {
            let _ = writeln!(
                out,
                "Disk:     {} free of {} ({:.1}% used) at {}",
                human_bytes(d.free_bytes),
                human_bytes(d.total_bytes),
                d.used_percent,
                d.path.display()
            );
        }
        match &m.memory {
            Some(mem) => {
                let _ = writeln!(
                    out,
                    "Memory:   {} available of {}; steward uses {}",
                    human_bytes(mem.available_bytes),
                    human_bytes(mem.total_bytes),
                    human_bytes(mem.steward_rss_bytes)
                );
            }
            None => {
                let _ = writeln!(out, "Memory:   unknown (no /proc)");
            }
        }
        let u = &m.updates;
        let _ = writeln!(
            out,
            "\nUpdates in the last {}: {} finished, {} succeeded, {} failed, {} running, {} rollbacks",
            r.range.as_str(),
            u.count,
            u.succeeded,
            u.failed,
            u.running,
            u.rollbacks
        );
        if u.stopped + u.cancelled > 0 {
            // Not failures: nothing ran, so they stay out of the rate.
            let _ = writeln!(
                out,
                "  and {} stopped by the safety checks, {} cancelled (nothing changed)",
                u.stopped, u.cancelled
            );
        }
        let _ = writeln!(
            out,
            "  success rate {}, mean duration {}",
            u.success_rate
                .map(|p| format!("{p:.1}%"))
                .unwrap_or_else(|| "-".into()),
            u.mean_duration_secs
                .map(|s| format!("{s:.1} s"))
                .unwrap_or_else(|| "-".into())
        );
        for (name, t) in &u.per_type {
            let _ = writeln!(
                out,
                "  {name}: {} finished, {} succeeded, mean {}",
                t.count,
                t.succeeded,
                t.mean_duration_secs
                    .map(|s| format!("{s:.1} s"))
                    .unwrap_or_else(|| "-".into())
            );
        }
        let b = &m.backups;
        let _ = writeln!(
            out,
            "Backups: {} ({} on disk), {} failed, last made {}",
            b.count,
            human_bytes(b.total_size_bytes),
            b.failed,
            b.last_backup_at
                .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                .unwrap_or_else(|| "never".into())
        );
        let _ = writeln!(
            out,
            "  last verified: {}",
            b.last_verified
                .as_ref()
                .map(|v| format!(
                    "{} at {} ({})",
                    v.id,
                    v.at.format("%Y-%m-%d %H:%M UTC"),
                    if v.ok { "ok" } else { "FAILED" }
                ))
                .unwrap_or_else(|| "never".into())
        );
    }
    if let Some(history) = &r.history {
        let _ = writeln!(out, "\nSessions in the last {}:", r.range.as_str());
        if history.is_empty() {
            let _ = writeln!(out, "  none");
        } else {
            let mut table = Table::new(&["ID", "KIND", "TYPE", "STATUS", "STARTED", "TOOK", "BY"]);
            for s in history {
                table.row(vec![
                    s.id.clone(),
                    format!("{:?}", s.kind).to_lowercase(),
                    s.update_type.clone(),
                    format!("{:?}", s.status),
                    s.started_at.format("%Y-%m-%d %H:%M").to_string(),
                    s.duration_secs
                        .map(|d| format!("{d:.1} s"))
                        .unwrap_or_else(|| "-".into()),
                    s.initiated_by.clone(),
                ]);
            }
            out.push_str(&table.render());
            // Where each session's log is, as Discord's history says it.
            let logged: Vec<&str> = history
                .iter()
                .filter(|s| s.log)
                .map(|s| s.id.as_str())
                .collect();
            if !logged.is_empty() {
                let _ = writeln!(out, "Each session's log:");
                for id in logged {
                    let _ = writeln!(out, "  {id}: steward logs {id}");
                }
            }
        }
    }
    out
}
