//! `steward schedule add|list|enable|disable|remove`: parse, call the
//! service, render.

use std::process::ExitCode;

use clap::Subcommand;

use super::render;
use crate::schedule::ScheduleType;
use crate::service::{Caller, ScheduleRequest, Service, ServiceError};

#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// Add a scheduled update run.
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
        /// Update types to install, comma-separated (`packages,config`).
        #[arg(long)]
        types: String,
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
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Switch a schedule off.
    Disable {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Delete a schedule.
    Remove {
        id: String,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(service: &Service, command: ScheduleCommand) -> Result<ExitCode, ServiceError> {
    let caller = Caller::Shell;
    let out = match command {
        ScheduleCommand::Add {
            schedule_type,
            time,
            days,
            types,
            disabled,
            json,
        } => {
            let added = service.schedule_add(
                &caller,
                ScheduleRequest {
                    schedule_type,
                    update_time: time,
                    update_days: days,
                    update_types: types,
                    enabled: !disabled,
                },
            )?;
            if json {
                render::json(&added)
            } else {
                render::schedule::added(&added)
            }
        }
        ScheduleCommand::List { json } => {
            let all = service.schedule_list(&caller)?;
            if json {
                render::json(&all)
            } else {
                render::schedule::list(&all)
            }
        }
        ScheduleCommand::Enable { id, json } => {
            let view = service.schedule_enable(&caller, &id, true)?;
            if json {
                render::json(&view)
            } else {
                render::schedule::switched(&view)
            }
        }
        ScheduleCommand::Disable { id, json } => {
            let view = service.schedule_enable(&caller, &id, false)?;
            if json {
                render::json(&view)
            } else {
                render::schedule::switched(&view)
            }
        }
        ScheduleCommand::Remove { id, json } => {
            let removed = service.schedule_remove(&caller, &id)?;
            if json {
                render::json(&removed)
            } else {
                format!("Schedule {} removed.", removed.id)
            }
        }
    };
    print!("{}", out.trim_end_matches('\n'));
    println!();
    Ok(ExitCode::SUCCESS)
}
