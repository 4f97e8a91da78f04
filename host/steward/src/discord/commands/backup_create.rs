//! `/backup_create`: backs up the bot's files now, showing progress, and
//! ends with the backup's id, size, file count and checksum. Owners and
//! admins.

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
    #[description = "What to back up (default: full)"] backup_type: Option<Choice<BackupType>>,
    #[description = "Compress the archive with gzip (default: true)"] compress: Option<bool>,
    #[description = "A name to find the backup by, up to 100 characters (default: none)"]
    #[max_length = 100]
    backup_name: Option<String>,
    #[description = "Include the bot's logs (default: false)"] include_logs: Option<bool>,
    #[description = "A note kept with the backup (default: none)"]
    #[max_length = 2000]
    description: Option<String>,
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
    let created = progress::tracked(&reply, |sender| async move {
        service.backup_create(&caller, request, Some(&sender)).await
    })
    .await?;
    reply.show(render::created(&created)).await?;
    Ok(())
}
