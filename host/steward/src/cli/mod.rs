//! The command line: parse with clap, call the service, render. No logic of
//! its own beyond choosing between a table and JSON.

mod backend;
mod fleet;
mod logs;
mod offsite;
mod providers;
mod render;
mod schedule;
mod serve;
mod settings;
mod status;
mod update;

use backend::Backend;

use std::path::PathBuf;
use std::process::ExitCode;

use std::io::IsTerminal;

use clap::{Parser, Subcommand};

use crate::backup::{BackupType, Range, RestoreType, SortBy};
use crate::config::{Config, ConfigError};
use crate::engine::UpdateType;
use crate::service::{
    BackupListRequest, BackupRequest, Caller, CheckRequest, RestoreRequest, Service, ServiceError,
};

/// Exit code when the command ran but some provider failed.
const EXIT_PROVIDER_FAILED: u8 = 3;
/// Exit code for configuration and usage errors.
const EXIT_ERROR: u8 = 2;
/// Exit code when a backup was checked and found damaged.
const EXIT_VERIFY_FAILED: u8 = 4;

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
    /// Run the service until SIGTERM: schedules, background checks, the
    /// bot's supervisor, the control socket every other command uses, and
    /// the Discord slash commands when a token is set (DISCORD_TOKEN, or the
    /// variable named by discord.token_env). SIGHUP reloads steward.toml.
    Serve,
    /// Re-read steward.toml in the running service (as SIGHUP does); an
    /// invalid file is refused and the running configuration kept.
    Reload {
        #[arg(long)]
        json: bool,
    },
    /// Inspect the installed providers, grant or deny them; start and
    /// test a provider of your own.
    Providers {
        #[command(subcommand)]
        command: providers::ProvidersCommand,
    },
    /// Back up, list, verify and restore the bot's files and databases.
    Backup {
        #[command(subcommand)]
        command: BackupCommand,
    },
    /// Show, change and reset settings (stored over steward.toml).
    Settings {
        #[command(subcommand)]
        command: settings::SettingsCommand,
    },
    /// Scheduled update runs.
    Schedule {
        #[command(subcommand)]
        command: schedule::ScheduleCommand,
    },
    /// Versions, uptime, disk and memory, update and backup statistics.
    Status(status::StatusArgs),
    /// Install the available updates as one transaction: backup, apply,
    /// verify, restart with health probation; everything undone on failure.
    Install(update::InstallArgs),
    /// Go back to a version an update moved away from, or to the newest backup.
    Rollback(update::RollbackArgs),
    /// The update sessions' logs (newest first), or one session's whole log.
    Logs(logs::LogsArgs),
    /// Start, stop or inspect the bot Steward runs (bot.start).
    Bot {
        #[command(subcommand)]
        command: update::BotCommand,
    },
    /// The fleet this service belongs to ([fleet]): its instances, and
    /// waves of updates across them.
    Fleet {
        #[command(subcommand)]
        command: fleet::FleetCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum BackupCommand {
    /// Make a backup now (databases are copied safely while the bot runs).
    Create {
        /// What to back up (what each type covers is set in steward.toml).
        #[arg(long = "type", value_enum, default_value = "full")]
        backup_type: BackupType,
        /// Write a plain .tar instead of .tar.gz.
        #[arg(long)]
        no_compress: bool,
        /// A second handle for the backup, unique.
        #[arg(long)]
        name: Option<String>,
        /// Add the bot's logs.
        #[arg(long)]
        include_logs: bool,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The completed backups, newest first.
    List {
        #[arg(long = "type", value_enum)]
        backup_type: Option<BackupType>,
        /// How far back to look.
        #[arg(long, value_enum, default_value = "30d")]
        range: Range,
        /// At most this many (1-50).
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long, value_enum, default_value = "date")]
        sort: SortBy,
        #[arg(long)]
        json: bool,
    },
    /// Check a backup's archive or snapshot and every file in it, and each
    /// offsite copy of it there.
    Verify {
        /// Backup id or name.
        id: String,
        /// Also unpack into a scratch directory and check every database.
        #[arg(long)]
        drill: bool,
        #[arg(long)]
        json: bool,
    },
    /// Put a backup's files back (stop the bot first).
    Restore {
        /// Backup id or name.
        id: String,
        #[arg(long = "type", value_enum, default_value = "all")]
        restore_type: RestoreType,
        /// Skip checking the archive first.
        #[arg(long)]
        no_verify: bool,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
        #[arg(long)]
        json: bool,
    },
    /// Remove backups past max_backups or backup_retention_days now.
    Prune {
        #[arg(long)]
        json: bool,
    },
    /// Write a backup as a standard .tar.gz (manifest first), read back and
    /// checked first; never over an existing file.
    Export {
        /// Backup id or name.
        id: String,
        /// The .tar.gz to create.
        #[arg(long = "tar")]
        file: std::path::PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Store a .tar.gz or .tar archive (from `backup export` or an earlier
    /// Steward) as a snapshot in the repository ([backup] format = "restic").
    Import {
        file: std::path::PathBuf,
        #[arg(long)]
        json: bool,
    },
}

/// Runs the command; `loaded` is `steward.toml` as `main` read it.
pub async fn run(cli: Cli, loaded: Result<Config, ConfigError>) -> ExitCode {
    match execute(cli, loaded).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", e.user_message());
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// The service in this process, for when none runs: an update takes the
/// lock before the store is opened, so of two started together exactly one
/// runs and the other hears who holds it.
async fn open_here(config: Config, command: &Commands) -> Result<Service, ServiceError> {
    let doing = match command {
        Commands::Install(args) if args.changes_anything() => Some("install"),
        Commands::Rollback(_) => Some("rollback"),
        _ => None,
    };
    let lock = match doing {
        Some(doing) => Some(Service::take_update_lock(&config, &Caller::Shell, doing)?),
        None => None,
    };
    let fleet = config.fleet.clone();
    // A check needs nothing from the store but the stored settings and
    // grant decisions, which their copy beside it gives without opening it.
    let service = match (command, lock) {
        (Commands::Check { .. }, None) => Service::open_for_check(config).await?,
        (_, lock) => Service::open_holding(config, lock).await?,
    };
    // Fleet mode: an update run here takes the fleet lock as the service would.
    if let Some(fleet) = &fleet {
        service.gate_updates_with(steward_fleet::lock::gate_for(fleet));
    }
    service.render_checks_with(crate::discord::render::check);
    crate::service::announce::word_with(crate::discord::render::notice::words);
    for session in service.recovered(&Caller::Shell)? {
        eprintln!(
            "note: update {} had been interrupted; it is now {}: {}",
            session.id,
            match session.status {
                crate::engine::session::SessionStatus::RolledBack => "rolled back",
                _ => "marked failed (rolling back did not finish; check the bot)",
            },
            session.error.as_deref().unwrap_or_default()
        );
    }
    Ok(service)
}

async fn execute(cli: Cli, loaded: Result<Config, ConfigError>) -> Result<ExitCode, ServiceError> {
    if matches!(&cli.command, Commands::Providers { command } if command.is_kit())
        && let Commands::Providers { command } = cli.command
    {
        return Ok(providers::kit(command, &cli.config, cli.bot_root).await);
    }
    let mut config = match loaded {
        Ok(config) => config,
        // A file broken while the service runs: the service still answers
        // (and `reload` hears why the file is refused).
        Err(e) if !matches!(cli.command, Commands::Serve | Commands::Logs(_)) => {
            let socket = Config::control_socket_for(&cli.config);
            return match steward_control::client::Client::connect(&socket).await? {
                Some(client) => dispatch(cli.command, Backend::Remote(client)).await,
                None => Err(e.into()),
            };
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(root) = &cli.bot_root {
        config = config.with_bot_root(root);
    }
    config.check_bot_root()?;
    if let Commands::Logs(args) = &cli.command {
        return Ok(logs::run(&config.logging.update_logs_path, args));
    }
    if let Commands::Serve = cli.command {
        let service = Service::open(config).await?;
        service.render_checks_with(crate::discord::render::check);
        // Webhook-only notifications speak the configured locale too.
        crate::service::announce::word_with(crate::discord::render::notice::words);
        return serve::run(service).await;
    }
    // A running service answers every command through its socket; only
    // without one does this process open the store itself.
    let service = match steward_control::client::Client::connect(&config.control_socket()).await? {
        Some(client) => Backend::Remote(client),
        None => Backend::Local(Box::new(open_here(config, &cli.command).await?)),
    };
    let answer = dispatch(cli.command, service).await;
    // An update run here frees the fleet lock it took before the process ends.
    steward_fleet::lock::released().await;
    answer
}

/// Runs `command` against `service` and renders its answer.
async fn dispatch(command: Commands, service: Backend) -> Result<ExitCode, ServiceError> {
    match command {
        Commands::Check {
            update_type,
            details,
            no_security,
            json,
            notify,
        } => {
            let view = crate::service::CheckView {
                update_type,
                details,
                include_security: !no_security,
            };
            let (outcome, announced) = service
                .check(
                    &Caller::Shell,
                    CheckRequest {
                        update_type,
                        include_security: !no_security,
                    },
                    notify.then_some(view),
                )
                .await?;
            if json {
                println!("{}", render::json(&outcome));
            } else {
                print!("{}", render::check_table(&outcome, update_type, details));
            }
            if announced == Some(false) {
                eprintln!(
                    "warning: --notify: no discord.notify_channels or discord.webhook_url configured"
                );
            }
            service.leave_to_exit();
            Ok(if outcome.failed() {
                ExitCode::from(EXIT_PROVIDER_FAILED)
            } else {
                ExitCode::SUCCESS
            })
        }
        Commands::Serve => unreachable!("served before a backend is chosen"),
        Commands::Reload { json } => {
            let reloaded = service.reload(&Caller::Shell).await?;
            if json {
                println!("{}", render::json(&reloaded));
            } else {
                print!("{}", render::reloaded(&reloaded, service.is_remote()));
            }
            Ok(ExitCode::SUCCESS)
        }
        Commands::Providers { command } => providers::run(&service, command).await,
        Commands::Backup { command } => backup(&service, command).await,
        Commands::Settings { command } => settings::run(&service, command).await,
        Commands::Schedule { command } => schedule::run(&service, command).await,
        Commands::Status(args) => status::run(&service, args).await,
        Commands::Install(args) => update::install(&service, args).await,
        Commands::Rollback(args) => update::rollback(&service, args).await,
        Commands::Bot { command } => update::bot(&service, command).await,
        Commands::Fleet { command } => fleet::run(&service, command).await,
        Commands::Logs(_) => unreachable!("answered before a backend is chosen"),
    }
}

async fn backup(service: &Backend, command: BackupCommand) -> Result<ExitCode, ServiceError> {
    match command {
        BackupCommand::Create {
            backup_type,
            no_compress,
            name,
            include_logs,
            description,
            json,
        } => {
            let created = service
                .backup_create(
                    &Caller::Shell,
                    BackupRequest {
                        backup_type,
                        compress: !no_compress,
                        name,
                        include_logs,
                        description,
                    },
                    None,
                )
                .await?;
            if json {
                // One document: in this process, with the copies' results.
                let mut created = created;
                if let Some(copies) = service.offsite_copies(&created.record.id).await {
                    created.offsite = copies;
                }
                println!("{}", render::json(&created));
            } else {
                print!("{}", render::backup::created(&created));
                offsite::follow_up(service, &created.record.id, &created.offsite_due).await;
            }
            Ok(ExitCode::SUCCESS)
        }
        BackupCommand::List {
            backup_type,
            range,
            limit,
            sort,
            json,
        } => {
            let listing = service
                .backup_list(
                    &Caller::Shell,
                    BackupListRequest {
                        backup_type,
                        range,
                        limit,
                        sort,
                    },
                )
                .await?;
            if json {
                println!("{}", render::json(&listing));
            } else {
                print!("{}", render::backup::list(&listing));
            }
            Ok(ExitCode::SUCCESS)
        }
        BackupCommand::Verify { id, drill, json } => {
            let outcome = service.backup_verify(&Caller::Shell, id, drill).await?;
            if json {
                println!("{}", render::json(&outcome));
            } else {
                print!("{}", render::backup::verified(&outcome));
            }
            Ok(if outcome.ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(EXIT_VERIFY_FAILED)
            })
        }
        BackupCommand::Restore {
            id,
            restore_type,
            no_verify,
            yes,
            json,
        } => {
            let confirm = yes || ask(&render::backup::restore_question(&id, restore_type));
            let restored = service
                .backup_restore(
                    &Caller::Shell,
                    RestoreRequest {
                        id,
                        restore_type,
                        verify: !no_verify,
                        confirm,
                    },
                    None,
                )
                .await?;
            if json {
                println!("{}", render::json(&restored));
            } else {
                print!("{}", render::backup::restored(&restored));
            }
            Ok(ExitCode::SUCCESS)
        }
        BackupCommand::Prune { json } => {
            let pruned = service.backup_prune(&Caller::Shell).await?;
            if json {
                println!("{}", render::json(&pruned));
            } else {
                print!("{}", render::backup::pruned(&pruned));
            }
            Ok(ExitCode::SUCCESS)
        }
        BackupCommand::Export { id, file, json } => {
            // The service may run elsewhere in the filesystem: it gets the
            // path as this shell means it.
            let file = std::path::absolute(&file).unwrap_or(file);
            let exported = service.backup_export(&Caller::Shell, id, file).await?;
            if json {
                println!("{}", render::json(&exported));
            } else {
                print!("{}", render::backup::exported(&exported));
            }
            Ok(ExitCode::SUCCESS)
        }
        BackupCommand::Import { file, json } => {
            let file = std::path::absolute(&file).unwrap_or(file);
            let created = service.backup_import(&Caller::Shell, file).await?;
            if json {
                println!("{}", render::json(&created));
            } else {
                print!("{}", render::backup::created(&created));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Asks on the terminal; anything but "yes" (or no terminal) is a no.
fn ask(question: &str) -> bool {
    if !std::io::stdin().is_terminal() {
        return false;
    }
    eprint!("{question} Type yes to go ahead: ");
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer).is_ok() && answer.trim() == "yes"
}
