//! `/update_install`: shows what will be installed, waits for the owner's
//! Confirm, then runs the install transaction with progress edits and ends
//! with the result embed. Owners only.

use crate::discord::choice::Choice;
use crate::discord::confirm;
use crate::discord::message::Reply;
use crate::discord::render;
use crate::discord::{CommandError, Context, caller};
use crate::engine::UpdateType;
use crate::service::{InstallPreview, InstallRequest, Operation};

/// Install the available updates (backup first, rolled back on failure)
#[poise::command(slash_command)]
pub async fn update_install(
    ctx: Context<'_>,
    #[description = "Which updates to install"] update_type: Choice<UpdateType>,
    #[description = "Take a backup first (default: true)"] backup_before: Option<bool>,
    #[description = "Restart the bot when an update needs it (default: true)"]
    restart_required: Option<bool>,
    #[description = "Go ahead despite safety warnings; checksums are still verified (default: false)"]
    force_update: Option<bool>,
    #[description = "A name for the pre-update backup"] backup_name: Option<String>,
) -> Result<(), CommandError> {
    let caller = caller(ctx);
    let service = ctx.data().service.clone();
    service.authorize(&caller, Operation::Install)?;
    ctx.defer().await?;

    let request = |dry_run: bool| InstallRequest {
        update_type: update_type.0,
        backup: backup_before.unwrap_or(true),
        restart: restart_required.unwrap_or(true),
        force: force_update.unwrap_or(false),
        backup_name: backup_name.clone(),
        dry_run,
    };
    let reply = Reply::of(ctx);
    reply.text("Checking what would be installed…").await?;
    let plan = match service.install_preview(&caller, &request(false)).await? {
        InstallPreview::NothingToDo { .. } => {
            reply
                .text("Nothing to install: every matching source is up to date.")
                .await?;
            return Ok(());
        }
        InstallPreview::Stopped { findings } => {
            reply.show(render::update::stopped(&findings)).await?;
            return Ok(());
        }
        InstallPreview::Planned(plan) => plan,
    };
    let summary = render::update::install_question(&plan, &request(false));
    let work = |sender| {
        let service = service.clone();
        let caller = caller.clone();
        let request = request(false);
        async move { service.install(&caller, request, Some(&sender)).await }
    };
    let outcome = if service.confirmation_required(&caller)? {
        confirm::run_if_confirmed(ctx, &summary, work).await?
    } else {
        // The owner turned confirmation off (general.require_confirmation).
        Some(crate::discord::progress::tracked(&reply, work).await?)
    };
    if let Some(outcome) = outcome {
        reply.show(render::update::outcome(&outcome)).await?;
    }
    Ok(())
}
