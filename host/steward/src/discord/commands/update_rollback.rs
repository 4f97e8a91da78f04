//! `/update_rollback`: back to a version an update moved away from, or to
//! the newest backup; needs `confirm:true`, then the Confirm button. Owners
//! only. `target_version` completes from the versions on record.

use crate::discord::choice::Choice;
use crate::discord::confirm;
use crate::discord::fleet::{self, Scope};
use crate::discord::locale::t;
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
    let lang = crate::discord::lang(ctx);
    // Nothing for a caller who may not roll back.
    let candidates: Vec<Candidate> = service
        .rollback_targets(&caller(ctx))
        .unwrap_or_default()
        .into_iter()
        .map(|t| Candidate {
            label: if t == "last_backup" {
                t!(lang, "rollback-target-last-backup")
            } else {
                t!(lang, "rollback-target-version", version = t.clone())
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
    #[autocomplete = "targets"] target_version: String,
    confirm: bool,
    create_backup: Option<bool>,
    restore_config: Option<bool>,
    scope: Option<Choice<Scope>>,
) -> Result<(), CommandError> {
    let caller = caller(ctx);
    let service = ctx.data().service.clone();
    service.authorize(&caller, Operation::Rollback)?;
    if !confirm {
        return Err(ServiceError::NotConfirmedFor { what: "rollback" }.into());
    }
    if fleet::wanted(scope) {
        let action = steward_fleet::WaveAction::Rollback {
            target: target_version,
        };
        return fleet::run(ctx, action).await;
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
    let summary = render::update::rollback_question(crate::discord::lang(ctx), &request);
    let work = |sender| {
        let service = service.clone();
        let caller = caller.clone();
        async move { service.rollback(&caller, request, Some(&sender)).await }
    };
    if let Some(outcome) = confirm::run_if_confirmed(ctx, &summary, work).await? {
        let reply = Reply::of(ctx);
        reply
            .show(render::update::outcome(reply.lang, &outcome))
            .await?;
    }
    Ok(())
}
