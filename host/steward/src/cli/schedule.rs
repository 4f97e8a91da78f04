//! `steward schedule add|list|enable|disable|remove`: parse, call the
//! service, render.

use std::process::ExitCode;

use clap::Subcommand;

use super::Backend;
use super::render;
use crate::schedule::ScheduleType;
use crate::service::{Caller, ScheduleRequest, ServiceError};

#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// Add a scheduled update run, or a scheduled backup (`--types backup`).
    Add {
        #[arg(long = "type", value_enum)]
        schedule_type: ScheduleType,
        /// HH:MM in scheduling.timezone (default: scheduling.default_time).
        #[arg(long)]
        time: Option<String>,
        /// Weekday(s) for weekly/custom (`sunday`, `mon-fri`), day numbers
        /// for monthly (`1,15`).
        #[arg(long)]
        days: Option<String>,
        /// Update types to install, comma-separated (`packages,config`), or
        /// `backup` for a schedule that only takes a full backup.
        #[arg(long)]
        types: String,
        /// A name, unique among schedules (enable/disable/remove take it too).
        #[arg(long)]
        name: Option<String>,
        /// Backup schedules: keep this many of their own backups, removing
        /// older ones after each run (default: keep all).
        #[arg(long)]
        max_backups_to_keep: Option<u32>,
        /// Store it switched off.
        #[arg(long)]
        disabled: bool,
        #[arg(long)]
        json: bool,
    },
    /// Every schedule with its next run.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Switch a schedule on.
    Enable {
        /// Its id or name.
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Switch a schedule off.
    Disable {
        /// Its id or name.
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Delete a schedule.
    Remove {
        /// Its id or name.
        id: String,
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(service: &Backend, command: ScheduleCommand) -> Result<ExitCode, ServiceError> {
    let caller = Caller::Shell;
    let out = match command {
        ScheduleCommand::Add {
            schedule_type,
            time,
            days,
            types,
            name,
            max_backups_to_keep,
            disabled,
            json,
        } => {
            let added = service
                .schedule_add(
                    &caller,
                    ScheduleRequest {
                        schedule_type,
                        update_time: time,
                        update_days: days,
                        update_types: types,
                        enabled: !disabled,
                        name,
                        max_backups_to_keep,
                    },
                )
                .await?;
            if json {
                render::json(&added)
            } else {
                render::schedule::added(&added)
            }
        }
        ScheduleCommand::List { json } => {
            let all = service.schedule_list(&caller).await?;
            if json {
                render::json(&all)
            } else {
                render::schedule::list(&all)
            }
        }
        ScheduleCommand::Enable { id, json } => {
            let view = service.schedule_enable(&caller, &id, true).await?;
            if json {
                render::json(&view)
            } else {
                render::schedule::switched(&view)
            }
        }
        ScheduleCommand::Disable { id, json } => {
            let view = service.schedule_enable(&caller, &id, false).await?;
            if json {
                render::json(&view)
            } else {
                render::schedule::switched(&view)
            }
        }
        ScheduleCommand::Remove { id, json } => {
            let removed = service.schedule_remove(&caller, &id).await?;
            if json {
                render::json(&removed)
            } else {
                format!("Schedule {} removed.", removed.label())
            }
        }
    };
    print!("{}", out.trim_end_matches('\n'));
    println!();
    Ok(ExitCode::SUCCESS)
}
