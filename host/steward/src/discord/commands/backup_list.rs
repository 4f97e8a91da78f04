//! `/backup_list`: the completed backups, filtered by type and age, sorted
//! and limited, as one embed. Owners and admins.

use crate::backup::{BackupType, Range, SortBy};
use crate::discord::choice::Choice;
use crate::discord::message::Reply;
use crate::discord::render::backup::{self as render, ListView};
use crate::discord::{CommandError, Context, caller};
use crate::service::{BackupListRequest, Operation};

/// List the bot's backups
#[poise::command(slash_command)]
pub async fn backup_list(
    ctx: Context<'_>,
    backup_type: Option<Choice<BackupType>>,
    time_range: Option<Choice<Range>>,
    #[min = 1]
    #[max = 50]
    limit: Option<u64>,
    sort_by: Option<Choice<SortBy>>,
) -> Result<(), CommandError> {
    let caller = caller(ctx);
    let service = ctx.data().service.clone();
    service.authorize(&caller, Operation::BackupList)?;
    ctx.defer().await?;

    let request = BackupListRequest {
        backup_type: backup_type.map(|c| c.0),
        range: time_range.map_or(Range::Days30, |c| c.0),
        // The service says which counts are valid.
        limit: usize::try_from(limit.unwrap_or(20)).unwrap_or(usize::MAX),
        sort: sort_by.map_or(SortBy::Date, |c| c.0),
    };

    let view = ListView {
        range: request.range,
        sort: request.sort,
    };
    let listing = service.backup_list(&caller, request).await?;
    let reply = Reply::of(ctx);
    reply
        .show(render::list(reply.lang, &listing, &view))
        .await?;
    Ok(())
}
