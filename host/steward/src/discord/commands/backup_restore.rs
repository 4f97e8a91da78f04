//! `/backup_restore`: puts a backup's files back once the owner who asked
//! set `confirm:true` and pressed Confirm under the list of what will be
//! replaced; `backup_id` completes from the store. Owners only.

use poise::serenity_prelude as serenity;

use crate::backup::RestoreType;
use crate::discord::choice::Choice;
use crate::discord::confirm;
use crate::discord::message::Reply;
use crate::discord::render::backup as render;
use crate::discord::{CommandError, Context, caller, suggest};
use crate::service::RestoreRequest;

/// Restore the bot's files from a backup (owners; asks before it changes anything)
#[poise::command(slash_command)]
pub async fn backup_restore(
    ctx: Context<'_>,
    #[autocomplete = "backup_ids"] backup_id: String,
    confirm: bool,
    restore_type: Option<Choice<RestoreType>>,
    verify_backup: Option<bool>,
) -> Result<(), CommandError> {
    let caller = caller(ctx);
    let service = ctx.data().service.clone();
    let request = RestoreRequest {
        id: backup_id,
        restore_type: restore_type.map_or(RestoreType::All, |c| c.0),
        verify: verify_backup.unwrap_or(true),
        confirm,
    };
    // A refusal or a missing confirm:true stays private.
    service.restore_allowed(&caller, &request)?;
    ctx.defer().await?;

    let preview = service.restore_preview(&caller, &request).await?;
    let prompt = render::restore_prompt(crate::discord::lang(ctx), &preview, request.verify);
    let restored = confirm::run_if_confirmed(ctx, &prompt, |sender| async move {
        service
            .backup_restore(&caller, request, Some(&sender))
            .await
    })
    .await?;
    if let Some(restored) = restored {
        let reply = Reply::of(ctx);
        reply.show(render::restored(reply.lang, &restored)).await?;
    }
    Ok(())
}

/// Completed backups (ids, with names in the labels), newest first; nothing
/// for a caller who may not restore.
async fn backup_ids(ctx: Context<'_>, typed: &str) -> serenity::CreateAutocompleteResponse {
    let lang = crate::discord::lang(ctx);
    let candidates = match ctx.data().service.restorable_backups(&caller(ctx)).await {
        Ok(records) => records.iter().map(|r| render::candidate(lang, r)).collect(),
        Err(e) => {
            tracing::debug!("no backup ids to suggest: {e}");
            Vec::new()
        }
    };
    suggest::response(&candidates, typed)
}
