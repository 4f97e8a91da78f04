//! `/update_check`: asks every update source what can be updated and shows
//! the result grouped by source. Owners and admins.

use crate::discord::choice::Choice;
use crate::discord::fleet::{self, Scope};
use crate::discord::message::Reply;
use crate::discord::progress;
use crate::discord::render::{self, CheckView};
use crate::discord::{CommandError, Context, caller};
use crate::engine::UpdateType;
use crate::service::{CheckRequest, Operation};

/// Check every update source for available updates
#[poise::command(slash_command)]
pub async fn update_check(
    ctx: Context<'_>,
    check_type: Option<Choice<UpdateType>>,
    show_details: Option<bool>,
    include_security: Option<bool>,
    scope: Option<Choice<Scope>>,
) -> Result<(), CommandError> {
    if fleet::wanted(scope) {
        return fleet::run(ctx, steward_fleet::WaveAction::Check).await;
    }
    let caller = caller(ctx);
    let service = ctx.data().service.clone();
    // Refuse before deferring, so the refusal stays private.
    service.authorize(&caller, Operation::Check)?;
    ctx.defer().await?;

    let view = CheckView {
        update_type: check_type.map_or(UpdateType::All, |c| c.0),
        details: show_details.unwrap_or(false),
        include_security: include_security.unwrap_or(true),
    };
    let reply = Reply::of(ctx);
    let request = CheckRequest {
        update_type: view.update_type,
        include_security: view.include_security,
    };
    let outcome = progress::tracked(&reply, |sender| async move {
        service.check(&caller, request, Some(&sender)).await
    })
    .await?;
    reply
        .show(render::check_in(reply.lang, &outcome, &view))
        .await?;
    Ok(())
}
