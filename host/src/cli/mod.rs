//! The command line: parse with clap, call the service, render. No logic of
//! its own beyond choosing between a table and JSON.

mod render;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::engine::UpdateType;
use crate::service::{Caller, CheckRequest, Service, ServiceError};

/// Exit code when the command ran but some provider failed.
const EXIT_PROVIDER_FAILED: u8 = 3;
/// Exit code for configuration and usage errors.
const EXIT_ERROR: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "steward",
    version,
    about = "Keeps a self-hosted Discord bot current and safe"
)]
pub struct Cli {
    /// Steward's configuration file.
    #[arg(long, global = true, default_value = "steward.toml")]
    pub config: PathBuf,
    /// The managed bot's root directory (overrides `bot.root`).
    #[arg(long, global = true)]
    pub bot_root: Option<PathBuf>,
    /// Log more (repeat for more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Commands,
}

#[derive(Debug, Subcommand)]
pub enum Commands {
    /// Ask every provider what can be updated.
    Check {
        /// Which updates to look for.
        #[arg(long = "type", value_enum, default_value = "all")]
        update_type: UpdateType,
        /// Show advisories, changelogs and every detail line.
        #[arg(long)]
        details: bool,
        /// Skip security advisory look-ups.
        #[arg(long)]
        no_security: bool,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
        /// Also post the result to the notification channels and webhook
        /// of `[discord]` (for a cron job).
        #[arg(long)]
        notify: bool,
    },
    /// Serve the slash commands on Discord until SIGTERM (token from
    /// DISCORD_TOKEN, or the variable named by discord.token_env).
    Serve,
    /// Inspect the installed providers.
    Providers {
        #[command(subcommand)]
        command: ProvidersCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum ProvidersCommand {
    /// Every provider file: version, contract, checksum, capabilities, load errors.
    List {
        #[arg(long)]
        json: bool,
    },
}

/// Posts a check result to the configured destinations; failures are
/// reported but do not change the exit code (the check itself worked).
async fn notify_check(
    service: &Service,
    outcome: &crate::engine::CheckOutcome,
    update_type: UpdateType,
    details: bool,
    include_security: bool,
) {
    let notifier = crate::notify::Notifier::from_environment(&service.config().discord);
    if !notifier.has_destinations() {
        eprintln!(
            "warning: --notify: no discord.notify_channels or discord.webhook_url configured"
        );
        return;
    }
    let embed = crate::discord::render::check(
        outcome,
        &crate::discord::render::CheckView {
            update_type,
            details,
            include_security,
        },
    );
    for failure in notifier.send(embed).await {
        eprintln!("warning: notification not delivered: {failure}");
    }
}

pub async fn run(cli: Cli) -> ExitCode {
    match execute(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", e.user_message());
            ExitCode::from(EXIT_ERROR)
        }
    }
}

async fn execute(cli: Cli) -> Result<ExitCode, ServiceError> {
    let mut config = Config::load(&cli.config, false)?;
    if let Some(root) = &cli.bot_root {
        config = config.with_bot_root(root);
    }
    let service = Service::open(config).await?;
    match cli.command {
        Commands::Check {
            update_type,
            details,
            no_security,
            json,
            notify,
        } => {
            let outcome = service
                .check(
                    &Caller::Shell,
                    CheckRequest {
                        update_type,
                        include_security: !no_security,
                    },
                    None,
                )
                .await?;
            if json {
                println!("{}", render::json(&outcome));
            } else {
                print!("{}", render::check_table(&outcome, details));
            }
            if notify {
                notify_check(&service, &outcome, update_type, details, !no_security).await;
            }
            Ok(if outcome.failed() {
                ExitCode::from(EXIT_PROVIDER_FAILED)
            } else {
                ExitCode::SUCCESS
            })
        }
        Commands::Serve => match crate::discord::serve(service).await {
            Ok(()) => Ok(ExitCode::SUCCESS),
            Err(e) => {
                eprintln!("error: {e}");
                Ok(ExitCode::from(EXIT_ERROR))
            }
        },
        Commands::Providers {
            command: ProvidersCommand::List { json },
        } => {
            let providers = service.providers().await;
            if json {
                println!("{}", render::json(&providers));
            } else {
                print!("{}", render::providers_table(&providers));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
