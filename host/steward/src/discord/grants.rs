//! The Grant and Deny buttons under a "waiting for a grant" notice
//! (`announce::GRANT_BUTTON`, `DENY_BUTTON`): a press grants the provider
//! what it asks for, or denies it, and the notice is replaced by what was
//! decided. It parses the press and renders the answer; the service
//! decides who may (owners only) and stores the grant.

use poise::serenity_prelude as serenity;

use super::{CommandError, Data, errors, locale, member_caller};
use crate::service::GrantRequest;
use crate::service::announce::{DENY_BUTTON, GRANT_BUTTON};

/// Handles a press of a Grant or Deny button; other events pass.
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
    let id = press.data.custom_id.as_str();
    let (grant, provider) = match (id.strip_prefix(GRANT_BUTTON), id.strip_prefix(DENY_BUTTON)) {
        (Some(name), _) => (true, name),
        (None, Some(name)) => (false, name),
        (None, None) => return Ok(()),
    };
    let data = framework.user_data;
    let ctx = framework.serenity_context;
    let lang = locale::Lang::for_tag(&press.locale);
    let caller = member_caller(press.user.id, press.member.as_ref(), data);
    let decided = if grant {
        data.service
            .provider_grant(&caller, provider, GrantRequest::default())
            .await
    } else {
        data.service.provider_deny(&caller, provider).await
    };
    let response = match decided {
        // Only the one who may decide changes the notice; anyone else
        // hears why privately and the buttons stay for an owner.
        Err(e) => serenity::CreateInteractionResponse::Message(
            serenity::CreateInteractionResponseMessage::new()
                .content(errors::service_message(lang, &e))
                .ephemeral(true),
        ),
        Ok(outcome) => {
            let by = format!("<@{}>", press.user.id.get());
            let name = super::render::plain(&outcome.provider);
            let text = match &outcome.granted {
                None => locale::t!(lang, "grant-denied", provider = name, by = by),
                Some(g) => {
                    let granted = crate::service::announce::asks(&crate::provider::Capabilities {
                        read: g.read.clone(),
                        http: g.http.clone(),
                        programs: g.programs.clone(),
                    });
                    let granted = if granted.is_empty() {
                        locale::t!(lang, "grant-nothing")
                    } else {
                        super::render::plain(&lang.names(&granted))
                    };
                    if outcome.missing.is_empty() {
                        locale::t!(
                            lang,
                            "grant-done",
                            provider = name,
                            granted = granted,
                            by = by
                        )
                    } else {
                        locale::t!(
                            lang,
                            "grant-done-partial",
                            provider = name,
                            granted = granted,
                            by = by,
                            missing = super::render::plain(&lang.names(&outcome.missing))
                        )
                    }
                }
            };
            // The notice itself is updated: the decision replaces the
            // buttons, so nobody presses them again.
            serenity::CreateInteractionResponse::UpdateMessage(
                serenity::CreateInteractionResponseMessage::new()
                    .content(text)
                    .components(Vec::new())
                    .allowed_mentions(serenity::CreateAllowedMentions::new()),
            )
        }
    };
    press.create_response(ctx, response).await?;
    Ok(())
}
