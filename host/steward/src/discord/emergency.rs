//! The Install button under a security emergency (`announce::EMERGENCY_INSTALL`):
//! a press runs the ordinary install transaction of the notice's update
//! type, taking its security fixes only, and answers with the result. It
//! parses the press and renders the answer; the service decides who may
//! install (owners only) and does it.

use poise::serenity_prelude as serenity;

use super::{CommandError, Data, errors, locale, member_caller, render};
use crate::engine::UpdateType;
use crate::engine::install::Selection;
use crate::service::announce::EMERGENCY_INSTALL;
use crate::service::{InstallRequest, Operation};

/// Handles a press of an emergency's Install button; other events pass.
pub async fn on_event(
    framework: poise::FrameworkContext<'_, Data, CommandError>,
    event: &serenity::FullEvent,
) -> Result<(), CommandError> {
    let serenity::FullEvent::InteractionCreate { interaction } = event else {
        return Ok(());
    };
    let Some(press) = interaction.as_message_component() else {
        return Ok(());
    };
    let Some(named) = press
        .data
        .custom_id
        .strip_prefix(EMERGENCY_INSTALL)
        .and_then(|rest| rest.strip_prefix(':'))
    else {
        return Ok(());
    };
    let data = framework.user_data;
    let ctx = framework.serenity_context;
    let lang = locale::Lang::for_tag(&press.locale);
    let caller = member_caller(press.user.id, press.member.as_ref(), data);
    let refusal = match update_type(named) {
        None => Some(locale::t!(lang, "emergency-unknown-button")),
        Some(_) => data
            .service
            .authorize(&caller, Operation::Install)
            .err()
            .map(|e| errors::service_message(lang, &e)),
    };
    if let Some(refusal) = refusal {
        let answer = serenity::CreateInteractionResponseMessage::new()
            .content(refusal)
            .ephemeral(true);
        press
            .create_response(ctx, serenity::CreateInteractionResponse::Message(answer))
            .await?;
        return Ok(());
    }
    let update_type = update_type(named).expect("checked above");
    press
        .create_response(
            ctx,
            serenity::CreateInteractionResponse::Defer(
                serenity::CreateInteractionResponseMessage::new(),
            ),
        )
        .await?;
    // The install may take minutes: it runs on its own, so the gateway's
    // other events go on meanwhile.
    let (service, ctx, press) = (data.service.clone(), ctx.clone(), press.clone());
    tokio::spawn(async move {
        let request = InstallRequest {
            update_type,
            ..InstallRequest::default()
        };
        let answer = match service
            .install_selected(&caller, request, Selection::SecurityFixes, None)
            .await
        {
            Ok(outcome) => serenity::EditInteractionResponse::new()
                .embed(render::update::outcome(lang, &outcome)),
            Err(e) => {
                serenity::EditInteractionResponse::new().content(errors::service_message(lang, &e))
            }
        };
        if let Err(e) = press.edit_response(&ctx, answer).await {
            tracing::warn!("the emergency install's result could not be shown: {e}");
        }
    });
    Ok(())
}

fn update_type(name: &str) -> Option<UpdateType> {
    match name {
        "all" => Some(UpdateType::All),
        "packages" => Some(UpdateType::Packages),
        "bot" => Some(UpdateType::Bot),
        "config" => Some(UpdateType::Config),
        "dependencies" => Some(UpdateType::Dependencies),
        _ => None,
    }
}
