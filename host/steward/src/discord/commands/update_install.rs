//! `/update_install`: shows what will be installed, waits for the owner's
//! Confirm, then runs the install transaction with progress edits and ends
//! with the result embed. Owners only.

use crate::discord::choice::Choice;
use crate::discord::confirm;
use crate::discord::fleet::{self, Scope};
use crate::discord::locale::t;
use crate::discord::message::Reply;
use crate::discord::render;
use crate::discord::{CommandError, Context, caller};
use crate::engine::UpdateType;
use crate::service::{InstallPreview, InstallRequest, NotConfirmed, Operation};

/// Install the available updates (backup first, rolled back on failure)
#[poise::command(slash_command)]
pub async fn update_install(
    ctx: Context<'_>,
    update_type: Choice<UpdateType>,
    backup_before: Option<bool>,
    restart_required: Option<bool>,
    force_update: Option<bool>,
    backup_name: Option<String>,
    scope: Option<Choice<Scope>>,
) -> Result<(), CommandError> {
    if fleet::wanted(scope) {
        let action = steward_fleet::WaveAction::Install {
            update_type: update_type.0,
        };
        return fleet::run(ctx, action).await;
    }
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
    reply.text(t!(reply.lang, "install-checking")).await?;
    let plan = match service.install_preview(&caller, &request(false)).await? {
        InstallPreview::NothingToDo { warnings } => {
            // As the CLI: why a source was left unchecked is shown too.
            let mut text = t!(reply.lang, "install-nothing");
            for w in &warnings {
                text.push_str("\n⚠ ");
                text.push_str(&render::update::note(reply.lang, w));
            }
            reply.text(text).await?;
            return Ok(());
        }
        InstallPreview::Stopped { findings, .. } => {
            reply
                .show(render::update::stopped(reply.lang, &findings))
                .await?;
            return Ok(());
        }
        InstallPreview::Planned(plan) => plan,
    };
    let summary = render::update::install_question(reply.lang, &plan, &request(false));
    let work = |sender| {
        let service = service.clone();
        let caller = caller.clone();
        let request = request(false);
        async move { service.install(&caller, request, Some(&sender)).await }
    };
    let outcome = if service.confirmation_required(&caller)? {
        let why = match confirm::ask(ctx, &summary).await? {
            confirm::Decision::Confirmed => None,
            confirm::Decision::Cancelled => Some(NotConfirmed::Cancelled),
            confirm::Decision::TimedOut => Some(NotConfirmed::Unanswered),
        };
        match why {
            // The prompt already says nothing changed; the record is the service's.
            Some(why) => {
                service.install_cancelled(&caller, &request(false), why)?;
                None
            }
            None => Some(crate::discord::progress::tracked(&reply, work).await?),
        }
    } else {
        // The owner turned confirmation off (general.require_confirmation).
        Some(crate::discord::progress::tracked(&reply, work).await?)
    };
    if let Some(outcome) = outcome {
        reply
            .show(render::update::outcome(reply.lang, &outcome))
            .await?;
    }
    Ok(())
}
