//! The Confirm/Cancel step of destructive commands: the reply shows what
//! will happen with two buttons; only the user who ran the command can
//! press them (anyone else is told so, privately); no answer within the
//! timeout (`discord.confirm_timeout_seconds`) counts as Cancel. `ask`
//! returns the decision; `run_if_confirmed` is the whole destructive flow
//! (ask, then the service call with progress on the same reply). What the
//! work does is the service's business.

use std::future::Future;

use futures::StreamExt;
use poise::serenity_prelude as serenity;

use super::locale::t;
use super::message::Reply;
use super::{CommandError, progress};
use crate::engine::progress::ProgressSender;
use crate::service::ServiceError;

/// What the user decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Confirmed,
    Cancelled,
    TimedOut,
}

/// Room left in a message (2000 characters) for the summary, after the
/// line that says how it ended.
const SUMMARY_MAX: usize = 1900;

/// A button press, classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Press {
    Confirm,
    Cancel,
    NotYours,
}

/// The custom ids of one prompt's buttons, unique per interaction.
struct Buttons {
    confirm: String,
    cancel: String,
}

impl Buttons {
    fn for_interaction(id: serenity::InteractionId) -> Buttons {
        Buttons {
            confirm: format!("steward:confirm:{id}"),
            cancel: format!("steward:cancel:{id}"),
        }
    }

    fn classify(&self, custom_id: &str, presser: u64, requester: u64) -> Option<Press> {
        if custom_id != self.confirm && custom_id != self.cancel {
            return None;
        }
        Some(if presser != requester {
            Press::NotYours
        } else if custom_id == self.confirm {
            Press::Confirm
        } else {
            Press::Cancel
        })
    }
}

/// Shows `summary` with Confirm/Cancel on the command's reply (which must
/// be deferred or sent already) and waits for the requester's press.
pub async fn ask(ctx: super::Context<'_>, summary: &str) -> Result<Decision, serenity::Error> {
    let poise::Context::Application(app) = ctx else {
        return Ok(Decision::Cancelled);
    };
    let timeout = ctx.data().confirm_timeout;
    let lang = super::lang(ctx);
    let summary = fit(summary);
    let summary = summary.as_str();
    let buttons = Buttons::for_interaction(app.interaction.id);
    let requester = app.interaction.user.id.get();
    // Listening before the buttons are shown: the requester sees them as
    // soon as Discord has them, and a press can reach us through the
    // gateway before Discord's answer to the edit does. A press with no
    // listener is lost, and the prompt would wait out its timeout. The
    // timeout runs from the first wait, after the edit.
    let ids = vec![buttons.confirm.clone(), buttons.cancel.clone()];
    let mut presses = serenity::ComponentInteractionCollector::new(ctx.serenity_context())
        .custom_ids(ids)
        .timeout(timeout)
        .stream();
    let reply = Reply::of(ctx);
    reply
        .edit(
            serenity::EditInteractionResponse::new()
                .content(summary)
                .embeds(Vec::new())
                .components(vec![serenity::CreateActionRow::Buttons(vec![
                    serenity::CreateButton::new(&buttons.confirm)
                        .label(t!(lang, "confirm-button"))
                        .style(serenity::ButtonStyle::Danger),
                    serenity::CreateButton::new(&buttons.cancel)
                        .label(t!(lang, "cancel-button"))
                        .style(serenity::ButtonStyle::Secondary),
                ])]),
        )
        .await?;

    while let Some(press) = presses.next().await {
        let kind = buttons.classify(&press.data.custom_id, press.user.id.get(), requester);
        let (decision, text) = match kind {
            None => continue,
            Some(Press::NotYours) => {
                press
                    .create_response(
                        ctx.serenity_context(),
                        serenity::CreateInteractionResponse::Message(
                            serenity::CreateInteractionResponseMessage::new()
                                .content(t!(
                                    lang,
                                    "confirm-not-yours",
                                    user = format!("<@{requester}>")
                                ))
                                .ephemeral(true),
                        ),
                    )
                    .await?;
                continue;
            }
            Some(Press::Confirm) => (
                Decision::Confirmed,
                format!("{summary}\n\n{}", t!(lang, "confirm-confirmed")),
            ),
            Some(Press::Cancel) => (
                Decision::Cancelled,
                format!("{summary}\n\n{}", t!(lang, "confirm-cancelled")),
            ),
        };
        // Acknowledge by updating the prompt: the buttons go away at once.
        press
            .create_response(
                ctx.serenity_context(),
                serenity::CreateInteractionResponse::UpdateMessage(
                    serenity::CreateInteractionResponseMessage::new()
                        .content(text)
                        .components(Vec::new()),
                ),
            )
            .await?;
        return Ok(decision);
    }
    reply
        .edit(
            serenity::EditInteractionResponse::new()
                .content(format!(
                    "{summary}\n\n{}",
                    t!(lang, "confirm-timed-out", seconds = timeout.as_secs())
                ))
                .components(Vec::new()),
        )
        .await?;
    Ok(Decision::TimedOut)
}

/// Asks with `summary`; when the requester confirms, runs `work` with a
/// progress sender whose reports edit the reply, and returns its result.
/// `None` when they cancelled or did not answer: the prompt already says
/// that nothing changed. Showing the result is the caller's.
pub async fn run_if_confirmed<T, F>(
    ctx: super::Context<'_>,
    summary: &str,
    work: impl FnOnce(ProgressSender) -> F,
) -> Result<Option<T>, CommandError>
where
    F: Future<Output = Result<T, ServiceError>>,
{
    if ask(ctx, summary).await? != Decision::Confirmed {
        return Ok(None);
    }
    let out = progress::tracked(&Reply::of(ctx), work).await?;
    Ok(Some(out))
}

/// The summary cut at a line to fit one message, saying so.
fn fit(summary: &str) -> String {
    super::render::cut(summary, SUMMARY_MAX, "\n…")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buttons() -> Buttons {
        Buttons::for_interaction(serenity::InteractionId::new(42))
    }

    #[test]
    fn only_the_requester_can_confirm_or_cancel() {
        let b = buttons();
        assert_eq!(b.classify("steward:confirm:42", 7, 7), Some(Press::Confirm));
        assert_eq!(b.classify("steward:cancel:42", 7, 7), Some(Press::Cancel));
        assert_eq!(
            b.classify("steward:confirm:42", 8, 7),
            Some(Press::NotYours)
        );
    }

    #[test]
    fn a_long_summary_is_cut_at_a_line_to_fit_one_message() {
        let long: String = (0..400).map(|i| format!("file {i}\n")).collect();
        let cut = fit(&long);
        assert!(cut.chars().count() <= SUMMARY_MAX);
        assert!(cut.ends_with("\n…"), "{cut}");
        assert!(cut.contains("\nfile 3\n"));
        assert_eq!(fit("short"), "short");
    }

    #[test]
    fn buttons_of_another_prompt_are_ignored() {
        assert_eq!(buttons().classify("steward:confirm:43", 7, 7), None);
    }
}
