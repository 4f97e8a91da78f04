//! `steward install`, `steward rollback` and `steward bot …`: parse, ask for
//! confirmation on a terminal, call the service with a progress line, render.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::{EXIT_ERROR, ask, render};
use crate::engine::UpdateType;
use crate::engine::install::{InstallError, InstallOutcome};
use crate::engine::progress::{self, ProgressSender};
use crate::engine::session::SessionStatus;
use crate::service::{
    BotAction, BotState, Caller, InstallPreview, InstallRequest, NotConfirmed, RollbackRequest,
    ServiceError,
};

/// Exit code when an install or rollback ran and failed (rolled back or not).
const EXIT_UPDATE_FAILED: u8 = 5;

#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Which updates to install.
    #[arg(long = "type", value_enum, default_value = "all")]
    update_type: UpdateType,
    /// Skip the pre-update backup (refused when
    /// safety.require_backup_before_update is on, unless --force).
    #[arg(long)]
    no_backup: bool,
    /// Do not restart the bot, even when an update needs it.
    #[arg(long)]
    no_restart: bool,
    /// Go ahead despite the safety warnings (checksums and signatures are
    /// still verified).
    #[arg(long)]
    force: bool,
    /// Name the pre-update backup.
    #[arg(long)]
    backup_name: Option<String>,
    /// Do not ask for confirmation (general.require_confirmation = false
    /// never asks).
    #[arg(long)]
    yes: bool,
    /// Print the whole plan (commands, downloads, file diffs) and change nothing.
    #[arg(long)]
    dry_run: bool,
    #[arg(long)]
    json: bool,
}

impl InstallArgs {
    /// Whether this install may change anything (a dry run does not).
    pub fn changes_anything(&self) -> bool {
        !self.dry_run
    }
}

#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// A version an update moved away from, or `last_backup`.
    target: String,
    /// Do not back up the present state first.
    #[arg(long)]
    no_backup: bool,
    /// Leave the config files as they are.
    #[arg(long)]
    no_restore_config: bool,
    /// Do not ask for confirmation.
    #[arg(long)]
    yes: bool,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Subcommand)]
pub enum BotCommand {
    /// Start the bot (bot.start) and hold it to the health probation.
    Start,
    /// Stop the bot Steward started (SIGTERM, then SIGKILL).
    Stop,
    /// Stop and start it again (or run bot.restart_command).
    Restart,
    /// Whether the bot Steward started is running.
    Status,
}

pub async fn install(
    service: &super::Backend,
    args: InstallArgs,
) -> Result<ExitCode, ServiceError> {
    let request = |dry_run: bool| InstallRequest {
        update_type: args.update_type,
        backup: !args.no_backup,
        restart: !args.no_restart,
        force: args.force,
        backup_name: args.backup_name.clone(),
        dry_run,
    };
    // general.require_confirmation = false: the operator chose no prompt.
    let ask_first = !args.yes && service.confirmation_required(&Caller::Shell).await?;
    if args.dry_run {
        let preview = service.install(&Caller::Shell, request(true), None).await?;
        if args.json {
            println!("{}", render::json(&preview));
        } else {
            print!("{}", preview.dry_run.as_deref().unwrap_or_default());
            for w in &preview.warnings {
                println!("note: {w}");
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    if ask_first {
        // Decided before the question: a refusal is not worth confirming.
        match service
            .install_preview(&Caller::Shell, &request(false))
            .await?
        {
            InstallPreview::NothingToDo { warnings } => {
                print!("{}", render::update::nothing_to_do(&warnings));
                return Ok(ExitCode::SUCCESS);
            }
            InstallPreview::Stopped { findings, .. } => {
                return Err(InstallError::SafetyStop { warnings: findings }.into());
            }
            InstallPreview::Planned(plan) => {
                eprint!("{}", render::update::plan(&plan));
                if !ask("\nInstall these updates?") {
                    // `ask` says no when there is no terminal to ask on.
                    let why = if std::io::stdin().is_terminal() {
                        NotConfirmed::Cancelled
                    } else {
                        NotConfirmed::Unanswered
                    };
                    service
                        .install_cancelled(&Caller::Shell, &request(false), why)
                        .await?;
                    return Err(ServiceError::NotConfirmedFor { what: "install" });
                }
            }
        }
    }
    let outcome = with_progress(|p| async move {
        service
            .install(&Caller::Shell, request(false), Some(&p))
            .await
    })
    .await?;
    finish(service, &outcome, args.json).await
}

pub async fn rollback(
    service: &super::Backend,
    args: RollbackArgs,
) -> Result<ExitCode, ServiceError> {
    service
        .check_rollback_target(&Caller::Shell, &args.target)
        .await?;
    let confirm = args.yes
        || ask(&format!(
            "Roll the bot back to {}{}?",
            args.target,
            if args.no_backup {
                ""
            } else {
                " (the present state is backed up first)"
            }
        ));
    let request = RollbackRequest {
        target: args.target.clone(),
        confirm,
        backup: !args.no_backup,
        restore_config: !args.no_restore_config,
    };
    let outcome =
        with_progress(|p| async move { service.rollback(&Caller::Shell, request, Some(&p)).await })
            .await?;
    finish(service, &outcome, args.json).await
}

pub async fn bot(service: &super::Backend, command: BotCommand) -> Result<ExitCode, ServiceError> {
    let action = match command {
        BotCommand::Start => BotAction::Start,
        BotCommand::Stop => BotAction::Stop,
        BotCommand::Restart => BotAction::Restart,
        BotCommand::Status => return bot_status(service).await,
    };
    match service.bot(&Caller::Shell, action).await? {
        BotState::Started(started) => print!("{}", render::update::started(&started)),
        BotState::Stopped => println!("The bot is stopped."),
    }
    Ok(ExitCode::SUCCESS)
}

async fn bot_status(service: &super::Backend) -> Result<ExitCode, ServiceError> {
    match service.bot_status(&Caller::Shell).await? {
        Some(p) => println!(
            "The bot is running: pid {}, started {} UTC.",
            p.pid,
            p.started_at.format("%Y-%m-%d %H:%M:%S")
        ),
        None => {
            println!("The bot is not running under Steward.");
            return Ok(ExitCode::from(EXIT_ERROR));
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn finish(
    service: &super::Backend,
    outcome: &InstallOutcome,
    json: bool,
) -> Result<ExitCode, ServiceError> {
    let backup = outcome
        .session
        .as_ref()
        .and_then(|s| s.backup_id.as_deref());
    if json {
        println!("{}", render::json(outcome));
        // The backup taken first is copied offsite before this run ends.
        if let Some(id) = backup {
            service.offsite_copies(id).await;
        }
    } else {
        print!("{}", render::update::outcome(outcome));
        if let Some(id) = backup {
            super::offsite::follow_up(service, id, &[]).await;
        }
    }
    let ok = outcome.session.as_ref().is_none_or(|s| {
        s.status == SessionStatus::Completed || s.status == SessionStatus::NothingToDo
    });
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_UPDATE_FAILED)
    })
}

/// Runs `work` with a progress line on stderr: one line redrawn in place
/// on a terminal, a line per change otherwise.
async fn with_progress<F, Fut, T>(work: F) -> T
where
    F: FnOnce(ProgressSender) -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let (sender, mut receiver) = progress::channel();
    let terminal = std::io::stderr().is_terminal();
    let printer = tokio::spawn(async move {
        let mut last = String::new();
        while let Some(p) = receiver.recv().await {
            let filled = usize::from(p.percent) / 5;
            let line = format!(
                "[{}{}] {:>3}% {}",
                "#".repeat(filled),
                ".".repeat(20 - filled),
                p.percent,
                p.message
            );
            if line == last {
                continue;
            }
            let mut err = std::io::stderr();
            if terminal {
                let _ = write!(err, "\r\x1b[2K{line}");
            } else {
                let _ = writeln!(err, "{line}");
            }
            let _ = err.flush();
            last = line;
        }
        if terminal && !last.is_empty() {
            eprintln!();
        }
    });
    let result = work(sender).await;
    // The sender is gone with `work`, so the printer ends.
    let _ = printer.await;
    result
}
