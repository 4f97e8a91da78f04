//! How results look in a terminal: aligned tables, short notes, and JSON for
//! scripts. Rendering only; every fact comes from the service.

pub mod backup;
pub mod schedule;
pub mod settings;
pub mod status;
pub mod update;

use std::fmt::Write;

use serde::Serialize;

use crate::engine::{CheckOutcome, UpdateType};
use crate::service::ProviderStatus;

/// `n` and the noun, singular for one: "1 backup", "3 backups".
pub(crate) fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

pub fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).expect("results serialize")
}

/// What `steward reload` read and changed.
pub fn reloaded(r: &crate::service::Reloaded, running: bool) -> String {
    let mut out = format!(
        "{} {}.\n",
        if running {
            "The running service re-read"
        } else {
            "No service is running; read"
        },
        r.file
    );
    if r.changed.is_empty() {
        out.push_str("Nothing changed.\n");
    } else {
        out.push_str(&format!("Changed: {}.\n", r.changed.join(", ")));
    }
    if !r.at_next_start.is_empty() {
        out.push_str(&format!(
            "Applied at the next start: {}.\n",
            r.at_next_start.join(", ")
        ));
    }
    out
}

/// Columns padded to their widest cell.
struct Table {
    rows: Vec<Vec<String>>,
}

impl Table {
    fn new(headers: &[&str]) -> Table {
        Table {
            rows: vec![headers.iter().map(|h| h.to_string()).collect()],
        }
    }

    fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    fn render(&self) -> String {
        let columns = self.rows[0].len();
        let widths: Vec<usize> = (0..columns)
            .map(|c| {
                self.rows
                    .iter()
                    .map(|r| r.get(c).map_or(0, |s| s.chars().count()))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = String::new();
        for row in &self.rows {
            let mut line = String::new();
            for (c, cell) in row.iter().enumerate() {
                if c + 1 == columns {
                    line.push_str(cell);
                } else {
                    let pad = widths[c] - cell.chars().count();
                    line.push_str(cell);
                    line.push_str(&" ".repeat(pad + 2));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

pub fn check_table(outcome: &CheckOutcome, update_type: UpdateType, details: bool) -> String {
    let mut out = String::new();
    if outcome.providers.is_empty() && outcome.skipped.is_empty() {
        // Nothing was asked: "0 updates" would claim it is all current.
        let what = match update_type {
            UpdateType::All => "any updates".to_string(),
            other => format!(
                "{} updates",
                clap::ValueEnum::to_possible_value(&other)
                    .map_or_else(String::new, |v| v.get_name().to_string())
            ),
        };
        let _ = writeln!(
            out,
            "No enabled source covers {what}, so none were looked for. \
             `steward providers list` shows the sources and what they cover."
        );
        return out;
    }
    let mut table = Table::new(&["SOURCE", "NAME", "CURRENT", "AVAILABLE", "NOTES"]);
    for provider in &outcome.providers {
        if provider.waiting_for_grant.is_some() {
            // Not asked, so not "up to date": say what it waits for.
            let cells = ["-", "-", "-", "waiting for a grant"];
            let mut row = vec![provider.provider.clone()];
            row.extend(cells.map(String::from));
            table.row(row);
        }
        for u in &provider.updates {
            let mut notes = Vec::new();
            if u.security {
                let ids: Vec<&str> = u.advisories.iter().map(|a| a.id.as_str()).collect();
                notes.push(if ids.is_empty() {
                    "security".to_string()
                } else {
                    format!("security ({})", ids.join(", "))
                });
            }
            if u.breaking {
                notes.push("breaking".into());
            }
            if let Some(reason) = &u.held {
                notes.push(format!("held by {reason}"));
            }
            table.row(vec![
                provider.provider.clone(),
                u.name.clone(),
                u.current.clone().unwrap_or_else(|| "-".into()),
                u.latest.clone(),
                notes.join(", "),
            ]);
        }
    }
    if table.rows.len() > 1 {
        out.push_str(&table.render());
        out.push('\n');
    }
    let crate::engine::check::CheckTotals {
        available: offered,
        security,
        breaking,
        held,
        ..
    } = outcome.totals;
    let _ = writeln!(
        out,
        "{} {} available ({security} security, {breaking} breaking){}",
        offered,
        if offered == 1 { "update" } else { "updates" },
        if held > 0 {
            format!("; {held} held back by pins")
        } else {
            String::new()
        }
    );
    // Reused registry answers were not asked for again: say how old they are.
    if let Some(age) = outcome.reused_answers_age_secs() {
        let _ = writeln!(
            out,
            "answers from {age} {} ago (registry_max_age_secs)",
            if age == 1 { "second" } else { "seconds" }
        );
    }

    if details {
        for provider in &outcome.providers {
            for u in &provider.updates {
                let _ = writeln!(
                    out,
                    "\n{} {} {} -> {}",
                    provider.provider,
                    u.name,
                    u.current.as_deref().unwrap_or("-"),
                    u.latest
                );
                if let Some(released) = &u.released {
                    let _ = writeln!(out, "  released: {released}");
                }
                if let Some(size) = u.size {
                    let _ = writeln!(out, "  size: {}", human_bytes(size));
                }
                if let Some(changelog) = &u.changelog {
                    let _ = writeln!(out, "  changelog: {changelog}");
                }
                for a in &u.advisories {
                    let _ = writeln!(
                        out,
                        "  advisory {}{}: {}{}",
                        a.id,
                        a.severity
                            .as_ref()
                            .map(|s| format!(" [{s}]"))
                            .unwrap_or_default(),
                        a.summary,
                        a.url
                            .as_ref()
                            .map(|u| format!(" <{u}>"))
                            .unwrap_or_default()
                    );
                }
                for line in &u.details {
                    let _ = writeln!(out, "  {line}");
                }
            }
        }
    }

    let mut notes = String::new();
    for provider in &outcome.providers {
        if let Some(e) = &provider.error {
            let _ = writeln!(
                notes,
                "{}: failed ({}): {}",
                provider.provider, e.code, e.message
            );
        }
        for w in &provider.warnings {
            let _ = writeln!(notes, "{}: warning: {w}", provider.provider);
        }
        if let Some(wants) = &provider.waiting_for_grant {
            let _ = writeln!(
                notes,
                "{0}: waiting for a grant: it asks {1}; grant it with `steward providers grant {0}` or under [providers.{0}.grant] in steward.toml",
                provider.provider,
                asks(wants)
            );
        }
        if !provider.missing.is_empty() {
            let _ = writeln!(
                notes,
                "{}: partial: its grant leaves out {}, so it looked at only part of what it checks",
                provider.provider,
                provider.missing.join(", ")
            );
        }
    }
    for s in &outcome.skipped {
        let _ = writeln!(notes, "{}: skipped ({}): {}", s.provider, s.file, s.error);
    }
    if !notes.is_empty() {
        out.push('\n');
        out.push_str(&notes);
    }
    if details {
        let timings: Vec<String> = outcome
            .providers
            .iter()
            .map(|p| format!("{} {} ms", p.provider, p.duration_ms))
            .collect();
        let _ = writeln!(out, "\nchecked: {}", timings.join(", "));
    }
    out
}

pub fn providers_table(providers: &[ProviderStatus]) -> String {
    if providers.is_empty() {
        return "No providers installed.\n".to_string();
    }
    let mut out = String::new();
    let mut table = Table::new(&["NAME", "VERSION", "WIT", "STATUS", "SHA256"]);
    for p in providers {
        let status = match (&p.error, p.enabled) {
            (Some(_), _) => "failed to load".to_string(),
            (None, false) if p.denied => "denied".to_string(),
            (None, false) => "disabled".to_string(),
            (None, true) if p.waiting_for_grant.is_some() => "waiting for a grant".to_string(),
            (None, true) if !p.missing.is_empty() => "partial".to_string(),
            (None, true) => "ready".to_string(),
        };
        table.row(vec![
            p.name.clone(),
            p.version.clone().unwrap_or_else(|| "-".into()),
            p.wit_version.clone().unwrap_or_else(|| "-".into()),
            status,
            p.sha256
                .as_deref()
                .map(|s| s[..12.min(s.len())].to_string())
                .unwrap_or_else(|| "-".into()),
        ]);
    }
    out.push_str(&table.render());
    for p in providers {
        let _ = writeln!(out, "\n{} ({})", p.name, p.file);
        if let Some(e) = &p.error {
            let _ = writeln!(out, "  error: {e}");
            continue;
        }
        if let Some(d) = &p.description {
            let _ = writeln!(out, "  {d}");
        }
        if let Some(self_name) = &p.self_name {
            let _ = writeln!(
                out,
                "  calls itself \"{self_name}\"; grants follow the file name"
            );
        }
        if let Some(w) = &p.wants {
            let _ = writeln!(
                out,
                "  wants:   read {:?}, http {:?}, programs {:?}",
                w.read,
                w.http,
                w.programs.iter().map(|p| &p.path).collect::<Vec<_>>()
            );
        }
        if let Some(g) = &p.granted {
            let _ = writeln!(
                out,
                "  granted: read {:?}, http {:?}, programs {:?}",
                g.read,
                g.http,
                g.programs.iter().map(|p| &p.path).collect::<Vec<_>>()
            );
        }
        if let Some(wants) = &p.waiting_for_grant {
            let _ = writeln!(
                out,
                "  waiting for a grant: it asks {}; `steward providers grant {}` grants it",
                asks(wants),
                p.name
            );
        }
        if !p.missing.is_empty() {
            let _ = writeln!(out, "  partial: not granted {}", p.missing.join(", "));
        }
    }
    out
}

fn human_bytes(n: u64) -> String {
    crate::size::human(n)
}

/// What a provider asks for, in one clause: "to read X, to reach Y, to run Z".
fn asks(wants: &crate::provider::Capabilities) -> String {
    let mut parts = Vec::new();
    if !wants.read.is_empty() {
        parts.push(format!("to read {}", wants.read.join(", ")));
    }
    if !wants.http.is_empty() {
        parts.push(format!("to reach {}", wants.http.join(", ")));
    }
    if !wants.programs.is_empty() {
        let programs: Vec<&str> = wants.programs.iter().map(|p| p.path.as_str()).collect();
        parts.push(format!("to run {}", programs.join(", ")));
    }
    parts.join(", ")
}
