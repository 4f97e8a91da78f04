//! `/update_rollback`: back to a version an update moved away from, or to
//! the newest backup; needs `confirm:true`, then the Confirm button. Owners
//! only. `target_version` completes from the versions on record.

use crate::discord::confirm;
use crate::discord::message::Reply;
use crate::discord::render;
use crate::discord::suggest::{self, Candidate};
use crate::discord::{CommandError, Context, caller};
use crate::service::{Operation, RollbackRequest, ServiceError};

async fn targets(
    ctx: Context<'_>,
    typed: &str,
) -> poise::serenity_prelude::CreateAutocompleteResponse {
    let service = ctx.data().service.clone();
    // Nothing for a caller who may not roll back.
    let candidates: Vec<Candidate> = service
        .rollback_targets(&caller(ctx))
        .unwrap_or_default()
        .into_iter()
        .map(|t| Candidate {
            label: if t == "last_backup" {
                "last_backup (the newest backup)".to_string()
            } else {
                format!("{t} (before the update that left it)")
            },
            value: t,
        })
        .collect();
    suggest::response(&candidates, typed)
}

/// Roll back to a previous version or to the last backup
#[poise::command(slash_command)]
pub async fn update_rollback(
    ctx: Context<'_>,
    #[description = "A version to go back to, or last_backup"]
    #[autocomplete = "targets"]
    target_version: String,
    #[description = "Confirm that the bot's files will be replaced"] confirm: bool,
    #[description = "Back up the present state first (default: true)"] create_backup: Option<bool>,
    #[description = "Put the config files back too (default: true)"] restore_config: Option<bool>,
) -> Result<(), CommandError> {
    let caller = caller(ctx);
    let service = ctx.data().service.clone();
    service.authorize(&caller, Operation::Rollback)?;
    if !confirm {
        return Err(ServiceError::NotConfirmedFor { what: "rollback" }.into());
    }
    // A target nothing leads back to is refused before anyone is asked.
    service.check_rollback_target(&caller, &target_version)?;
    ctx.defer().await?;
    let request = RollbackRequest {
        target: target_version.clone(),
        confirm,
        backup: create_backup.unwrap_or(true),
        restore_config: restore_config.unwrap_or(true),
    };
    let summary = render::update::rollback_question(&request);
    let work = |sender| {
        let service = service.clone();
        let caller = caller.clone();
        async move { service.rollback(&caller, request, Some(&sender)).await }
    };
    if let Some(outcome) = confirm::run_if_confirmed(ctx, &summary, work).await? {
        Reply::of(ctx)
            .show(render::update::outcome(&outcome))
            .await?;
    }
    Ok(())
}
