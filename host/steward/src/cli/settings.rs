//! `steward settings list|get|set|reset`: parse, call the service, render.

use std::process::ExitCode;

use clap::Subcommand;

use super::Backend;
use super::render;
use crate::service::{Caller, ServiceError};

#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// Every setting, its value and where the value comes from.
    List {
        #[arg(long)]
        json: bool,
    },
    /// One setting.
    Get {
        /// update, backup, notification or schedule.
        category: String,
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Change a setting now (stored over steward.toml).
    Set {
        category: String,
        name: String,
        value: String,
        #[arg(long)]
        json: bool,
    },
    /// Go back to steward.toml's value (or the built-in default).
    Reset {
        category: String,
        name: String,
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(service: &Backend, command: SettingsCommand) -> Result<ExitCode, ServiceError> {
    let caller = Caller::Shell;
    let out = match command {
        SettingsCommand::List { json } => {
            let all = service.settings_list(&caller).await?;
            if json {
                render::json(&all)
            } else {
                render::settings::list(&all)
            }
        }
        SettingsCommand::Get {
            category,
            name,
            json,
        } => {
            let view = service.settings_get(&caller, &category, &name).await?;
            if json {
                render::json(&view)
            } else {
                render::settings::one(&view)
            }
        }
        SettingsCommand::Set {
            category,
            name,
            value,
            json,
        } => {
            let change = service
                .settings_set(&caller, &category, &name, &value)
                .await?;
            if json {
                render::json(&change)
            } else {
                render::settings::changed(&change)
            }
        }
        SettingsCommand::Reset {
            category,
            name,
            json,
        } => {
            let change = service.settings_reset(&caller, &category, &name).await?;
            if json {
                render::json(&change)
            } else {
                render::settings::changed(&change)
            }
        }
    };
    print!("{}", out.trim_end_matches('\n'));
    println!();
    Ok(ExitCode::SUCCESS)
}
