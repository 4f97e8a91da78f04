//! Everything that goes wrong in a command, turned into what the user
//! reads: service errors through `ServiceError::user_message` (shared with
//! the CLI), Discord's own failures into short explanations. Refusals and
//! mistakes in what was asked are ephemeral; after a deferral the public
//! reply is removed and the message reaches only the person who ran the
//! command. What went wrong in the work itself replaces the public reply.

use std::sync::atomic::Ordering;

use super::locale::{Lang, t};
use super::message::Reply;
use super::{CommandError, Data};
use crate::service::{Operation, ServiceError};

type FrameworkError<'a> = poise::FrameworkError<'a, Data, CommandError>;

pub async fn on_error(error: FrameworkError<'_>) {
    match error {
        FrameworkError::Command { ctx, error, .. } => {
            if let CommandError::Discord(e) = &error {
                tracing::warn!(command = %ctx.command().name, "{e}");
            }
            let text = message(super::lang(ctx), &error);
            if asked_wrongly(&error) {
                tell(ctx, &text).await;
            } else {
                report(ctx, &text).await;
            }
        }
        FrameworkError::ArgumentParse {
            ctx, error, input, ..
        } => {
            let lang = super::lang(ctx);
            let text = match error.downcast_ref::<ServiceError>() {
                Some(e) => service_message(lang, e),
                None => match input {
                    Some(input) => t!(
                        lang,
                        "error-cannot-read",
                        input = input,
                        error = error.to_string()
                    ),
                    None => error.to_string(),
                },
            };
            tell(ctx, &text).await;
        }
        FrameworkError::CommandStructureMismatch {
            ctx, description, ..
        } => {
            tracing::warn!(command = %ctx.command().name, "option mismatch: {description}");
            let ctx = poise::Context::Application(ctx);
            let text = t!(
                super::lang(ctx),
                "error-options-mismatch",
                description = description
            );
            tell(ctx, &text).await;
        }
        FrameworkError::CommandPanic { ctx, payload, .. } => {
            tracing::error!(command = %ctx.command().name, "command panicked: {payload:?}");
            tell(ctx, &t!(super::lang(ctx), "error-internal")).await;
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

pub fn message(lang: Lang, error: &CommandError) -> String {
    match error {
        CommandError::Service(e) => service_message(lang, e),
        CommandError::Discord(e) => t!(lang, "error-discord", error = e.to_string()),
    }
}

/// A service error in the caller's language: refusals and the mistakes
/// people make most, by stable keys; the rarer failures (store, runtime,
/// archive and bot faults) keep `ServiceError::user_message`, in English,
/// the words the CLI prints too.
pub fn service_message(lang: Lang, e: &ServiceError) -> String {
    use crate::backup::BackupError;
    use crate::engine::install::InstallError;
    use crate::schedule::ScheduleError;
    use crate::service::Role;
    use crate::service::access::Audience;
    use crate::settings::SettingsError;
    match e {
        ServiceError::PermissionDenied {
            operation,
            role: Role::Admin,
        } => t!(
            lang,
            "error-denied-admin",
            operation = operation_name(lang, *operation)
        ),
        ServiceError::PermissionDenied { operation, .. } => t!(
            lang,
            "error-denied",
            operation = operation_name(lang, *operation),
            audience = match operation.audience() {
                Audience::OwnersAndAdmins => "owners-and-admins",
                Audience::Owners => "owners",
            }
        ),
        ServiceError::InvalidArgument {
            name,
            value,
            expected,
        } => t!(
            lang,
            "error-invalid",
            name = name.clone(),
            value = value.clone(),
            expected = expected.clone()
        ),
        ServiceError::NotConfirmed => t!(lang, "error-restore-not-confirmed"),
        ServiceError::NotConfirmedFor { what } => {
            t!(lang, "error-not-confirmed", what = *what)
        }
        ServiceError::Backup(BackupError::NotFound(id)) => {
            t!(lang, "error-backup-not-found", id = id.clone())
        }
        ServiceError::Backup(BackupError::Busy) => t!(lang, "error-backup-busy"),
        ServiceError::Backup(BackupError::NameTaken { name, id }) => t!(
            lang,
            "error-backup-name-taken",
            name = name.clone(),
            id = id.clone()
        ),
        ServiceError::Backup(BackupError::InvalidName { name }) => {
            t!(lang, "error-backup-invalid-name", name = name.clone())
        }
        ServiceError::Install(InstallError::InProgress(Some(holder))) => t!(
            lang,
            "error-in-progress-by",
            by = holder.by.clone(),
            doing = holder.doing.clone(),
            since = lang.date(holder.since)
        ),
        ServiceError::Install(InstallError::InProgress(None)) => t!(lang, "error-in-progress"),
        ServiceError::Install(InstallError::NoBackup) => t!(lang, "error-no-backup"),
        ServiceError::Install(InstallError::UnknownTarget { target, known }) => {
            let known = known.join(", ");
            if target.trim().is_empty() {
                t!(lang, "error-rollback-empty-target", known = known)
            } else {
                t!(
                    lang,
                    "error-rollback-unknown-target",
                    target = target.clone(),
                    known = known
                )
            }
        }
        ServiceError::Settings(SettingsError::UnknownCategory { given, valid }) => t!(
            lang,
            "error-settings-unknown-category",
            given = given.clone(),
            valid = valid.join(", ")
        ),
        ServiceError::Settings(SettingsError::UnknownName {
            category,
            given,
            valid,
        }) => t!(
            lang,
            "error-settings-unknown-name",
            category = category.to_string(),
            given = given.clone(),
            valid = valid.join(", ")
        ),
        ServiceError::Settings(SettingsError::Invalid {
            key,
            value,
            expected,
        }) => t!(
            lang,
            "error-invalid",
            name = key.to_string(),
            value = value.clone(),
            expected = expected.to_string()
        ),
        ServiceError::Settings(SettingsError::MissingValue { key }) => {
            t!(lang, "error-settings-missing-value", key = key.to_string())
        }
        ServiceError::Schedule(ScheduleError::InvalidTime { value }) => {
            t!(lang, "error-schedule-time", value = value.clone())
        }
        ServiceError::Schedule(ScheduleError::TooMany { count, max }) => {
            t!(lang, "error-schedule-too-many", count = *count, max = *max)
        }
        other => other.user_message(),
    }
}

fn operation_name(lang: Lang, operation: Operation) -> String {
    let key = match operation {
        Operation::Check => "operation-check",
        Operation::Install => "operation-install",
        Operation::Status => "operation-status",
        Operation::Rollback => "operation-rollback",
        Operation::Schedule => "operation-schedule",
        Operation::BackupCreate => "operation-backup-create",
        Operation::BackupList => "operation-backup-list",
        Operation::BackupRestore => "operation-backup-restore",
        Operation::Settings => "operation-settings",
        Operation::BotControl => "operation-bot-control",
        Operation::BackupPrune => "operation-backup-prune",
    };
    t!(lang, key)
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
