//! `steward fleet status|install|check|rollback`: the fleet's commands go
//! through the running service, which is the fleet's member; parse, call,
//! render.

use std::process::ExitCode;

use clap::Subcommand;
use steward_fleet::{FleetStatus, Phase, Wave, wave::state_word};

use super::Backend;
use super::render;
use crate::engine::UpdateType;
use crate::engine::progress;
use crate::service::ServiceError;

/// Exit code when a wave ran and halted.
const EXIT_WAVE_HALTED: u8 = 5;

#[derive(Debug, Subcommand)]
pub enum FleetCommand {
    /// Every instance: version, health, last result, what its check found;
    /// the leader, the lock and the waves.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Install across the fleet: canaries first, then batches of
    /// fleet.max_unavailable, each gated by the last one's probation; a
    /// failure halts the wave and rolls back the instances it updated.
    Install {
        #[arg(long = "type", value_enum, default_value = "all")]
        update_type: UpdateType,
        /// Only the instances of this group (fleet.group); a group with a
        /// [fleet.promotion] rule waits for the group it comes after.
        #[arg(long)]
        group: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Roll every instance back to VERSION (or last_backup), canaries first.
    Rollback {
        target: String,
        /// Only the instances of this group.
        #[arg(long)]
        group: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Every instance checks for updates now and reports.
    Check {
        /// Only the instances of this group.
        #[arg(long)]
        group: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(service: &Backend, command: FleetCommand) -> Result<ExitCode, ServiceError> {
    let (wave, json) = match command {
        FleetCommand::Status { json } => {
            let Some(status) = service.fleet_status().await? else {
                return Err(fleet_off());
            };
            if json {
                println!("{}", render::json(&status));
            } else {
                print!("{}", status_table(&status));
            }
            return Ok(ExitCode::SUCCESS);
        }
        FleetCommand::Install {
            update_type,
            group,
            json,
        } => (
            service
                .fleet_wave(
                    "install",
                    &serde_json::json!({ "type": update_type, "group": group }),
                    json,
                )
                .await?,
            json,
        ),
        FleetCommand::Rollback {
            target,
            group,
            json,
        } => (
            service
                .fleet_wave(
                    "rollback",
                    &serde_json::json!({ "target": target, "group": group }),
                    json,
                )
                .await?,
            json,
        ),
        FleetCommand::Check { group, json } => (
            service
                .fleet_wave("check", &serde_json::json!({ "group": group }), json)
                .await?,
            json,
        ),
    };
    if json {
        println!("{}", render::json(&wave));
    } else {
        print!("{}", wave_table(&wave));
    }
    Ok(if wave.phase == Phase::Finished {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_WAVE_HALTED)
    })
}

/// Prints each progress line on stderr while a wave runs.
pub fn progress_printer() -> (progress::ProgressSender, tokio::task::JoinHandle<()>) {
    let (sender, mut receiver) = progress::channel();
    let task = tokio::spawn(async move {
        while let Some(p) = receiver.recv().await {
            eprintln!("{}", p.message);
        }
    });
    (sender, task)
}

fn fleet_off() -> ServiceError {
    ServiceError::Fleet {
        status: 409,
        message: "Fleet mode is off: this Steward has no [fleet] section in steward.toml, \
                  so it updates alone."
            .to_string(),
        cause: None,
    }
}

/// The fleet's part of `steward status`.
pub fn status_section(s: &FleetStatus) -> String {
    format!("\n{}", status_table(s))
}

fn status_table(s: &FleetStatus) -> String {
    let mut out = format!(
        "Fleet {} ({} instance{}), leader: {}\n",
        s.fleet,
        s.instances.len(),
        if s.instances.len() == 1 { "" } else { "s" },
        s.leader.as_deref().unwrap_or("none")
    );
    out.push_str(&format!(
        "{:<16} {:<12} {:<10} {:<12} {:<28} {}\n",
        "INSTANCE", "GROUP", "BOT", "HEALTH", "LAST RESULT", "CHECK"
    ));
    for r in &s.instances {
        let last = r
            .last_result
            .as_ref()
            .map(|l| format!("{} {}", l.status, l.at.format("%m-%d %H:%M")))
            .unwrap_or_else(|| "-".to_string());
        let check = r
            .check
            .as_ref()
            .map(|c| {
                format!(
                    "{} update(s), {} security{}",
                    c.updates,
                    c.security,
                    c.bot_latest
                        .as_ref()
                        .map(|v| format!(", bot {v} on offer"))
                        .unwrap_or_default()
                )
            })
            .unwrap_or_else(|| "not checked yet".to_string());
        out.push_str(&format!(
            "{:<16} {:<12} {:<10} {:<12} {:<28} {}\n",
            r.id,
            r.group,
            r.bot_version.as_deref().unwrap_or("?"),
            r.health,
            last,
            check
        ));
    }
    if let Some(h) = &s.lock {
        out.push_str(&format!(
            "Fleet lock: {} ({}) on {} since {} UTC\n",
            h.by,
            h.doing,
            h.instance,
            h.since.format("%Y-%m-%d %H:%M:%S")
        ));
    }
    match (&s.wave, &s.last_wave) {
        (Some(w), _) => out.push_str(&format!("Wave in progress: {}\n{}", w.id, wave_table(w))),
        (None, Some(w)) => out.push_str(&format!("Last wave: {}\n{}", w.id, wave_table(w))),
        (None, None) => out.push_str("No wave has run yet.\n"),
    }
    out
}

fn wave_table(w: &Wave) -> String {
    let mut out = format!("{}\n", w.progress_line());
    for (n, batch) in w.batches.iter().enumerate() {
        let name = if n == 0 {
            "canary".to_string()
        } else {
            format!("batch {}", n + 1)
        };
        for id in batch {
            let Some(p) = w.parts.get(id) else { continue };
            let versions = match (&p.from_version, &p.to_version) {
                (Some(a), Some(b)) if a != b => format!("{a} -> {b}"),
                (Some(a), _) => a.clone(),
                _ => "?".to_string(),
            };
            out.push_str(&format!(
                "  {:<8} {:<16} {:<14} {:<18} {}{}\n",
                name,
                id,
                state_word(Some(p.state)),
                versions,
                p.message.as_deref().unwrap_or(""),
                p.took_secs
                    .map(|t| format!(" ({t:.1}s)"))
                    .unwrap_or_default()
            ));
        }
    }
    if let (Some(end), true) = (w.finished_at, w.ended()) {
        out.push_str(&format!(
            "Took {:.1}s from the request.\n",
            (end - w.requested_at).num_milliseconds() as f64 / 1000.0
        ));
    }
    out
}
