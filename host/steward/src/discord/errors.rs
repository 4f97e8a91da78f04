//! Everything that goes wrong in a command, turned into what the user
//! reads: service errors through `ServiceError::user_message` (shared with
//! the CLI), Discord's own failures into short explanations. Refusals and
//! mistakes in what was asked are ephemeral; after a deferral the public
//! reply is removed and the message reaches only the person who ran the
//! command. What went wrong in the work itself replaces the public reply.

use std::sync::atomic::Ordering;

use super::message::Reply;
use super::{CommandError, Data};
use crate::service::ServiceError;

type FrameworkError<'a> = poise::FrameworkError<'a, Data, CommandError>;

pub async fn on_error(error: FrameworkError<'_>) {
    match error {
        FrameworkError::Command { ctx, error, .. } => {
            if let CommandError::Discord(e) = &error {
                tracing::warn!(command = %ctx.command().name, "{e}");
            }
            let text = message(&error);
            if asked_wrongly(&error) {
                tell(ctx, &text).await;
            } else {
                report(ctx, &text).await;
            }
        }
        FrameworkError::ArgumentParse {
            ctx, error, input, ..
        } => {
            let text = match error.downcast_ref::<ServiceError>() {
                Some(e) => e.user_message(),
                None => match input {
                    Some(input) => format!("Cannot read `{input}`: {error}"),
                    None => error.to_string(),
                },
            };
            tell(ctx, &text).await;
        }
        FrameworkError::CommandStructureMismatch {
            ctx, description, ..
        } => {
            tracing::warn!(command = %ctx.command().name, "option mismatch: {description}");
            tell(
                poise::Context::Application(ctx),
                &format!(
                    "Discord sent options this version of Steward does not expect ({description}). \
                     The registered commands are probably out of date: restart `steward serve` \
                     to register them again."
                ),
            )
            .await;
        }
        FrameworkError::CommandPanic { ctx, payload, .. } => {
            tracing::error!(command = %ctx.command().name, "command panicked: {payload:?}");
            tell(
                ctx,
                "Steward hit an internal error; the details are in its log.",
            )
            .await;
        }
        FrameworkError::UnknownInteraction { interaction, .. } => {
            tracing::warn!(command = %interaction.data.name, "an interaction for a command Steward does not serve");
        }
        other => {
            if let Err(e) = poise::builtins::on_error(other).await {
                tracing::warn!("cannot report an error: {e}");
            }
        }
    }
}

pub fn message(error: &CommandError) -> String {
    match error {
        CommandError::Service(e) => e.user_message(),
        CommandError::Discord(e) => {
            format!("Discord refused Steward's request ({e}); please try again.")
        }
    }
}

/// Whether the error is about what the caller asked (a refusal, an option
/// value, a name or id that does not fit): only they need to read it.
fn asked_wrongly(error: &CommandError) -> bool {
    use crate::backup::BackupError;
    use crate::engine::install::InstallError;
    let CommandError::Service(e) = error else {
        return false;
    };
    matches!(
        e,
        ServiceError::PermissionDenied { .. }
            | ServiceError::InvalidArgument { .. }
            | ServiceError::NotConfirmed
            | ServiceError::NotConfirmedFor { .. }
            | ServiceError::Settings(_)
            | ServiceError::Schedule(_)
            | ServiceError::Backup(
                BackupError::NotFound(_)
                    | BackupError::NameTaken { .. }
                    | BackupError::InvalidName { .. }
                    | BackupError::NotCompleted { .. }
            )
            | ServiceError::Install(InstallError::UnknownTarget { .. } | InstallError::NoBackup)
    )
}

/// Replaces the deferred reply, where everyone saw the work start; answers
/// privately when nothing was deferred.
async fn report(ctx: poise::Context<'_, Data, CommandError>, text: &str) {
    let deferred = match ctx {
        poise::Context::Application(app) => app.has_sent_initial_response.load(Ordering::SeqCst),
        poise::Context::Prefix(_) => false,
    };
    if !deferred {
        return tell(ctx, text).await;
    }
    if let Err(e) = Reply::of(ctx).text(text).await {
        tracing::warn!("cannot deliver an error message: {e}");
    }
}

/// Answers privately; after a deferral, in place of the public reply.
async fn tell(ctx: poise::Context<'_, Data, CommandError>, text: &str) {
    let deferred = match ctx {
        poise::Context::Application(app) => app.has_sent_initial_response.load(Ordering::SeqCst),
        poise::Context::Prefix(_) => false,
    };
    let sent = if deferred {
        Reply::of(ctx).private(text).await
    } else {
        ctx.send(poise::CreateReply::default().content(text).ephemeral(true))
            .await
            .map(drop)
    };
    if let Err(e) = sent {
        tracing::warn!("cannot deliver an error message: {e}");
    }
}
