//! `/backup_create`: backs up the bot's files now, showing progress, and
//! ends with the backup's id, size, file count and checksum, then what its
//! offsite copies did. Owners and admins.

use crate::backup::BackupType;
use crate::discord::choice::Choice;
use crate::discord::message::Reply;
use crate::discord::render::backup as render;
use crate::discord::{CommandError, Context, caller, progress};
use crate::service::{BackupRequest, Operation};

/// Back up the bot's files now
#[poise::command(slash_command)]
pub async fn backup_create(
    ctx: Context<'_>,
    backup_type: Option<Choice<BackupType>>,
    compress: Option<bool>,
    #[max_length = 100] backup_name: Option<String>,
    include_logs: Option<bool>,
    #[max_length = 2000] description: Option<String>,
) -> Result<(), CommandError> {
    let caller = caller(ctx);
    let service = ctx.data().service.clone();
    // Refuse before deferring, so the refusal stays private.
    service.authorize(&caller, Operation::BackupCreate)?;
    ctx.defer().await?;

    let request = BackupRequest {
        backup_type: backup_type.map_or(BackupType::Full, |c| c.0),
        compress: compress.unwrap_or(true),
        name: backup_name,
        include_logs: include_logs.unwrap_or(false),
        description,
    };
    let reply = Reply::of(ctx);
    let copying = service.clone();
    let created = progress::tracked(&reply, |sender| async move {
        service.backup_create(&caller, request, Some(&sender)).await
    })
    .await?;
    // The backup answers as soon as it is safe here; the offsite copies
    // follow, and the answer shows what they did once they are done.
    reply
        .show(render::created_with_copies(reply.lang, &created, None))
        .await?;
    if let Some(copies) = copying.offsite_copies(&created.record.id).await {
        reply
            .show(render::created_with_copies(
                reply.lang,
                &created,
                Some(&copies),
            ))
            .await?;
    }
    Ok(())
}
