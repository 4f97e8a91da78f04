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

mod config_problem;

type FrameworkError<'a> = poise::FrameworkError<'a, Data, CommandError>;

pub async fn on_error(error: FrameworkError<'_>) {
    match error {
        FrameworkError::Command { ctx, error, .. } => {
            if let CommandError::Discord(e) = &error {
                tracing::warn!(command = %ctx.command().name, "{e}");
            }
            let doing = operation_of(&ctx.command().name);
            let text = message(super::lang(ctx), doing, &error);
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
            let text = match (
                error.downcast_ref::<ServiceError>(),
                error.downcast_ref::<super::choice::InvalidChoice>(),
            ) {
                (Some(e), _) => service_message(lang, e),
                (None, Some(e)) => e.words(lang),
                (None, None) => match input {
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

/// An error of `doing` (the command that failed) in `lang`: a backup's
/// failure is framed by it ("Restore failed: …").
fn message(lang: Lang, doing: Option<Operation>, error: &CommandError) -> String {
    match error {
        CommandError::Service(e) => service_message_for(lang, doing, e),
        CommandError::Discord(e) => t!(lang, "error-discord", error = e.to_string()),
    }
}

/// The operation of a slash command, by its name in the command
/// reference; `None` for another.
fn operation_of(command: &str) -> Option<Operation> {
    Some(match command {
        "update_check" => Operation::Check,
        "update_install" => Operation::Install,
        "update_status" => Operation::Status,
        "update_rollback" => Operation::Rollback,
        "update_schedule" => Operation::Schedule,
        "backup_create" => Operation::BackupCreate,
        "backup_list" => Operation::BackupList,
        "backup_restore" => Operation::BackupRestore,
        "update_settings" => Operation::Settings,
        _ => return None,
    })
}

/// A service error in the caller's language: refusals and the mistakes
/// people make most, by stable keys; the rarer failures (store, runtime,
/// archive and bot faults) keep `ServiceError::user_message`, in English,
/// the words the CLI prints too.
pub fn service_message(lang: Lang, e: &ServiceError) -> String {
    service_message_for(lang, None, e)
}

/// `service_message`, for an error of `doing` (when known): a backup's
/// failure is framed by it.
fn service_message_for(lang: Lang, doing: Option<Operation>, e: &ServiceError) -> String {
    use crate::backup::BackupError;
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
            expected = expected_words(lang, expected)
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
        ServiceError::Install(e) => install_message_for(lang, doing, e),
        ServiceError::Settings(SettingsError::UnknownCategory { given, valid }) => t!(
            lang,
            "error-settings-unknown-category",
            given = given.clone(),
            valid = lang.names(valid)
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
            valid = lang.names(valid)
        ),
        ServiceError::Settings(SettingsError::Invalid { key, value, kind }) => t!(
            lang,
            "error-invalid",
            name = key.to_string(),
            value = value.clone(),
            expected = setting_expected(lang, kind)
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
        other => rare_message(lang, doing, other),
    }
}

/// Why a grant was refused, in `lang`; paths, names and the loader's or
/// the grant check's own words stay as given.
fn grant_refusal(lang: Lang, refusal: &crate::service::GrantRefusal) -> String {
    use crate::service::GrantRefusal;
    let names = |items: &[String]| {
        if items.is_empty() {
            t!(lang, "grant-refusal-none")
        } else {
            lang.names(items)
        }
    };
    match refusal {
        GrantRefusal::NotAsked { path, asked } => t!(
            lang,
            "grant-refusal-not-asked",
            path = path.clone(),
            asked = names(asked)
        ),
        GrantRefusal::DidNotLoad { error } => {
            t!(lang, "grant-refusal-did-not-load", error = error.clone())
        }
        GrantRefusal::NoSuchProvider { known } => {
            t!(lang, "grant-refusal-no-such-provider", known = names(known))
        }
        GrantRefusal::Invalid { problem } => t!(
            lang,
            "grant-refusal-invalid",
            problem = config_problem::grant_problem(lang, problem)
        ),
    }
}

/// What an argument should have been, in `lang`.
fn expected_words(lang: Lang, expected: &crate::service::Expected) -> String {
    use crate::service::Expected;
    match expected {
        Expected::VersionOrLastBackup => t!(lang, "expected-version-or-last-backup"),
        Expected::Range { min, max } => t!(lang, "expected-range", min = *min, max = *max),
        Expected::LocalAbsolutePath => t!(lang, "expected-local-absolute-path"),
        Expected::ConfigFile => t!(lang, "expected-config-file"),
        Expected::OneOf(values) => t!(lang, "expected-one-of", values = lang.names(values)),
    }
}

/// What a setting of `kind` takes, in `lang` (the CLI's words are
/// `Kind::expected`).
pub(super) fn setting_expected(lang: Lang, kind: &crate::settings::Kind) -> String {
    use crate::settings::Kind;
    use crate::settings::catalog::UPDATE_TYPES;
    match kind {
        Kind::Bool => t!(lang, "expected-bool"),
        // As the user types them back: no digit grouping.
        Kind::Int { min, max } if min == max => {
            t!(lang, "expected-only-value", value = min.to_string())
        }
        Kind::Int { min, max } => t!(
            lang,
            "expected-whole-number",
            min = min.to_string(),
            max = max.to_string()
        ),
        Kind::Time => t!(lang, "expected-time"),
        Kind::Choice(choices) => t!(lang, "expected-one-of", values = lang.names(choices)),
        Kind::Path => t!(lang, "expected-directory"),
        Kind::UpdateTypes => t!(
            lang,
            "expected-update-types",
            values = lang.names(&UPDATE_TYPES.iter().map(|(n, _)| *n).collect::<Vec<_>>())
        ),
        Kind::ChannelIds => t!(lang, "expected-channel-ids"),
        Kind::Timezone => t!(lang, "expected-timezone"),
    }
}

/// The rarer service errors in the caller's language: the sentence is
/// the catalogue's, what it quotes (a path, an id, the underlying
/// failure's own words) stays as given.
fn rare_message(lang: Lang, doing: Option<Operation>, e: &ServiceError) -> String {
    use crate::schedule::ScheduleError;
    match e {
        ServiceError::Config(e) => t!(
            lang,
            "error-config",
            error = config_problem::config_error(lang, e)
        ),
        ServiceError::ProvidersDir { path, source } => t!(
            lang,
            "error-providers-dir",
            path = path.display().to_string(),
            error = source.to_string()
        ),
        ServiceError::Runtime { message } => {
            t!(lang, "error-runtime", error = message.clone())
        }
        ServiceError::Chart { message } => t!(lang, "error-chart", error = message.clone()),
        ServiceError::Bot(e) => t!(
            lang,
            "error-bot",
            error = super::progress::bot_fault(lang, &e.fault())
        ),
        ServiceError::Store(e) => store_message(lang, e),
        ServiceError::Backup(e) => backup_message(lang, doing, e),
        ServiceError::Schedule(e) => match e {
            ScheduleError::InvalidDays {
                schedule_type,
                value,
                problem,
            } if value.is_empty() => t!(
                lang,
                "error-schedule-days-needed",
                kind = super::render::choice_name(lang, schedule_type.as_str()),
                problem = problem.clone()
            ),
            ScheduleError::InvalidDays { value, problem, .. } => t!(
                lang,
                "error-schedule-days",
                value = value.clone(),
                problem = problem.clone()
            ),
            ScheduleError::InvalidTypes { value, problem } => t!(
                lang,
                "error-schedule-types",
                value = value.clone(),
                problem = problem.clone()
            ),
            ScheduleError::NotFound { id } => {
                t!(lang, "error-schedule-not-found", id = id.clone())
            }
            ScheduleError::Timezone { name } => {
                t!(lang, "error-schedule-timezone", name = name.clone())
            }
            ScheduleError::Store(e) => store_message(lang, e),
            other => t!(lang, "error-schedule", error = other.to_string()),
        },
        // Fleet mode's typed errors, worded here; what etcd or gRPC said
        // and the fleet's own explanations stay inside as given.
        ServiceError::Fleet {
            cause: Some(cause),
            message,
            ..
        } => match cause.downcast_ref::<steward_fleet::FleetError>() {
            Some(e) => fleet_message(lang, e),
            None => message.clone(),
        },
        ServiceError::Grant { provider, refusal } => t!(
            lang,
            "error-grant",
            provider = provider.clone(),
            reason = grant_refusal(lang, refusal)
        ),
        // Words made elsewhere (the running service's), or errors of the
        // CLI's and the control API's alone.
        other => other.user_message(),
    }
}

/// Why `[fleet.promotion]` holds a group back, in `lang`; ids, groups and
/// versions stay as given.
fn unpromoted(lang: Lang, why: &steward_fleet::Unpromoted) -> String {
    use steward_core::fleet::Soak;
    use steward_fleet::Unpromoted;
    match why {
        Unpromoted::NoInstance { after } => {
            t!(lang, "fleet-why-no-instance", after = after.clone())
        }
        Unpromoted::NotHealthy { after, instance } => t!(
            lang,
            "fleet-why-not-healthy",
            after = after.clone(),
            instance = instance.clone()
        ),
        Unpromoted::MixedReleases { after, releases } => t!(
            lang,
            "fleet-why-mixed-releases",
            after = after.clone(),
            releases = Unpromoted::releases_list(releases)
        ),
        Unpromoted::Soaking {
            version,
            after,
            soaked_secs,
            soak_secs,
        } => t!(
            lang,
            "fleet-why-soaking",
            version = version.clone(),
            after = after.clone(),
            soaked = Soak::words(*soaked_secs),
            soak = Soak::words(*soak_secs),
            left = Soak::words(soak_secs.saturating_sub(*soaked_secs))
        ),
        Unpromoted::TwoReleases {
            version,
            other,
            other_version,
        } => t!(
            lang,
            "fleet-why-two-releases",
            version = version.clone(),
            other = other.clone(),
            other_version = other_version.clone()
        ),
    }
}

/// What a fleet command gave up waiting for, in `lang`, with where the
/// wave stands.
fn waited(lang: Lang, waited: &steward_fleet::Waited) -> String {
    use steward_fleet::{Leader, Waited};
    let leader = |l: &Leader| match l {
        Leader::Nobody => t!(lang, "fleet-leader-nobody"),
        Leader::Registered(id) => t!(lang, "fleet-leader-registered", id = id.clone()),
        Leader::Unregistered(id) => {
            t!(lang, "fleet-leader-unregistered", id = format!("{id:?}"))
        }
    };
    match waited {
        Waited::Plan {
            wave,
            secs,
            leader: l,
        } => t!(
            lang,
            "fleet-waited-plan",
            wave = wave.clone(),
            secs = *secs,
            leader = leader(l)
        ),
        Waited::CarryOn {
            wave,
            secs,
            leader: l,
            stands_at,
        } => t!(
            lang,
            "fleet-waited-carry-on",
            wave = wave.clone(),
            secs = *secs,
            leader = leader(l),
            stands_at = crate::discord::render::plain(&super::fleet::standing(lang, stands_at))
        ),
    }
}

/// Why fleet mode refused or failed, in `lang`.
pub(crate) fn fleet_message(lang: Lang, e: &steward_fleet::FleetError) -> String {
    use steward_fleet::FleetError;
    match e {
        FleetError::Unreachable { endpoints, reason } => t!(
            lang,
            "fleet-error-unreachable",
            endpoints = endpoints.clone(),
            reason = reason.clone()
        ),
        FleetError::Denied {
            user,
            password_env,
            reason,
        } => t!(
            lang,
            "fleet-error-denied",
            user = user.clone(),
            password_env = password_env.clone(),
            reason = reason.clone()
        ),
        FleetError::Busy { holder } => t!(
            lang,
            "fleet-error-busy",
            holder = super::fleet::occupant(lang, holder)
        ),
        FleetError::Unreadable { key, reason } => t!(
            lang,
            "fleet-error-unreadable",
            key = key.clone(),
            reason = reason.clone()
        ),
        FleetError::WaveVanished { id } => t!(lang, "fleet-error-wave-vanished", id = id.clone()),
        FleetError::NotPromoted { group, after, why } => t!(
            lang,
            "fleet-error-not-promoted",
            group = group.clone(),
            after = after.clone(),
            why = unpromoted(lang, why)
        ),
        FleetError::WaveTimedOut {
            waited_for,
            withdrawn,
        } => t!(
            lang,
            "fleet-error-timed-out",
            waited_for = waited(lang, waited_for),
            withdrawn = if *withdrawn { "yes" } else { "no" }
        ),
        FleetError::NoSuchGroup { group, known } => t!(
            lang,
            "fleet-error-no-such-group",
            group = group.clone(),
            known = known.clone()
        ),
        FleetError::Setup(message) => t!(lang, "fleet-error-setup", message = message.clone()),
    }
}

/// Why an install or rollback could not run, in `lang` (also the words of
/// a refused scheduled update's notice).
pub(crate) fn install_message(lang: Lang, e: &crate::engine::install::InstallError) -> String {
    install_message_for(lang, None, e)
}

fn install_message_for(
    lang: Lang,
    doing: Option<Operation>,
    e: &crate::engine::install::InstallError,
) -> String {
    use crate::engine::install::InstallError;
    match e {
        InstallError::InProgress(Some(holder)) => t!(
            lang,
            "error-in-progress-by",
            by = holder.by.clone(),
            doing = holder.doing.clone(),
            since = lang.date(holder.since)
        ),
        InstallError::InProgress(None) => t!(lang, "error-in-progress"),
        InstallError::NoBackup => t!(lang, "error-no-backup"),
        InstallError::UnknownTarget { target, known } => {
            let known = lang.names(known);
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
        InstallError::SafetyStop { warnings } => {
            let mut text = t!(lang, "error-safety-stop");
            for w in warnings {
                text.push_str("\n- ");
                text.push_str(&super::render::update::finding(lang, w));
            }
            text.push('\n');
            text.push_str(&t!(lang, "stopped-advice"));
            text
        }
        InstallError::Store(e) => store_message(lang, e),
        InstallError::LockUnusable { path, error } => t!(
            lang,
            "error-lock-unusable",
            path = path.display().to_string(),
            error = error.clone()
        ),
        InstallError::Journal(e) => t!(lang, "error-journal", error = e.to_string()),
        InstallError::NoLock => t!(
            lang,
            "error-install",
            error = t!(lang, "error-install-needs-lock")
        ),
        InstallError::Backups(e) => backup_message(lang, doing, e),
    }
}

/// A backup's failure in `lang`: the sentence is the catalogue's, what it
/// quotes (a path, an id, SQLite's or the system's words) stays as given.
/// A failure with no sentence of its own is framed by what was being done
/// (`doing`): a restore that cannot read a file says the restore failed.
pub(crate) fn backup_message(
    lang: Lang,
    doing: Option<Operation>,
    e: &crate::backup::BackupError,
) -> String {
    use crate::backup::BackupError;
    let framed = |error: String| {
        t!(
            lang,
            "error-backup-failed",
            operation = match doing {
                Some(Operation::BackupRestore) => "restore",
                Some(Operation::Rollback) => "rollback",
                Some(Operation::BackupList) => "list",
                _ => "backup",
            },
            error = error
        )
    };
    match e {
        BackupError::Store(e) => store_message(lang, e),
        BackupError::NotFound(id) => t!(lang, "error-backup-not-found", id = id.clone()),
        BackupError::Busy => t!(lang, "error-backup-busy"),
        BackupError::NotCompleted { id, status } => t!(
            lang,
            "error-backup-not-completed",
            id = id.clone(),
            status = match status {
                crate::backup::BackupStatus::InProgress => "in-progress",
                crate::backup::BackupStatus::Completed => "completed",
                crate::backup::BackupStatus::Failed => "failed",
            }
        ),
        BackupError::LowDiskSpace {
            path,
            free_mb,
            needed_mb,
        } => t!(
            lang,
            "error-backup-low-disk",
            path = path.display().to_string(),
            free = *free_mb,
            needed = *needed_mb
        ),
        BackupError::NothingToBackUp { backup_type } => t!(
            lang,
            "error-backup-nothing",
            kind = super::render::choice_name(lang, backup_type),
            table = *backup_type
        ),
        BackupError::DatabaseCorrupt { path, message } => t!(
            lang,
            "error-backup-database-corrupt",
            path = path.clone(),
            error = message.to_string()
        ),
        BackupError::FileChanged { path } => {
            t!(lang, "error-backup-file-changed", path = path.clone())
        }
        BackupError::VerificationFailed { id, problems } => t!(
            lang,
            "error-backup-verification-failed",
            id = id.clone(),
            problems = crate::discord::render::backup::problems(lang, problems)
        ),
        BackupError::NothingToRestore { id, restore_type } => t!(
            lang,
            "error-backup-nothing-to-restore",
            id = id.clone(),
            kind = serde_json::to_value(restore_type)
                .ok()
                .and_then(|v| v.as_str().map(|v| super::render::choice_name(lang, v)))
                .unwrap_or_default()
        ),
        BackupError::Extract(e) => {
            use crate::backup::ExtractError;
            let path = |p: &std::path::Path| p.display().to_string();
            let reason = match e {
                ExtractError::UnsafePath { path } => {
                    t!(
                        lang,
                        "error-extract-unsafe-path",
                        path = format!("{path:?}")
                    )
                }
                ExtractError::ForbiddenType { path, kind } => t!(
                    lang,
                    "error-extract-forbidden-type",
                    path = format!("{path:?}"),
                    kind = kind.to_string()
                ),
                ExtractError::Staging { path: p, source } => t!(
                    lang,
                    "error-extract-staging",
                    path = path(p),
                    error = source.to_string()
                ),
                ExtractError::Truncated => t!(lang, "error-extract-truncated"),
                ExtractError::Corrupt(error) => {
                    t!(lang, "error-extract-corrupt", error = error.clone())
                }
                ExtractError::PaxSizeMismatch { path, pax, header } => t!(
                    lang,
                    "error-extract-pax-size",
                    path = format!("{path:?}"),
                    pax = pax.to_string(),
                    header = header.to_string()
                ),
                ExtractError::Duplicate { path } => {
                    t!(lang, "error-extract-duplicate", path = format!("{path:?}"))
                }
                ExtractError::TooLarge { limit } => {
                    t!(lang, "error-extract-too-large", limit = limit.to_string())
                }
                ExtractError::TooManyEntries { limit } => {
                    t!(lang, "error-extract-too-many", limit = limit.to_string())
                }
                ExtractError::Write { path: p, source } => t!(
                    lang,
                    "error-extract-write",
                    path = path(p),
                    error = source.to_string()
                ),
            };
            t!(lang, "error-backup-extract", reason = reason)
        }
        BackupError::Swap { path, source } => t!(
            lang,
            "error-backup-swap",
            path = path.display().to_string(),
            error = source.to_string()
        ),
        BackupError::BotStop { source } => {
            t!(
                lang,
                "error-backup-bot-stop",
                error = bot_words(lang, source)
            )
        }
        BackupError::BotStart { source } => {
            t!(
                lang,
                "error-backup-bot-start",
                error = bot_words(lang, source)
            )
        }
        BackupError::ImportNeedsRepository => {
            framed(t!(lang, "backup-detail-import-needs-repository"))
        }
        BackupError::Exists { id } => framed(t!(lang, "backup-detail-exists", id = id.clone())),
        // The backup's own words (typed, so each locale has its own),
        // framed by what was being done.
        BackupError::Dir { .. }
        | BackupError::Read { .. }
        | BackupError::Write { .. }
        | BackupError::Pattern { .. }
        | BackupError::DatabaseCopy { .. }
        | BackupError::InTheWay { .. }
        | BackupError::ConflictingPaths { .. }
        | BackupError::NotPutBack { .. }
        | BackupError::WrongPassword { .. }
        | BackupError::NoPassword { .. }
        | BackupError::Repository { .. }
        | BackupError::NotBroughtBack { .. } => framed(match e.fault() {
            Some(fault) => super::progress::backup_fault(lang, &fault, str::to_string),
            None => e.to_string(),
        }),
        // Worded above, before the rarer ones.
        BackupError::NameTaken { name, id } => t!(
            lang,
            "error-backup-name-taken",
            name = name.clone(),
            id = id.clone()
        ),
        BackupError::InvalidName { name } => {
            t!(lang, "error-backup-invalid-name", name = name.clone())
        }
    }
}

/// Why the bot did not stop or start for a restore, in `lang` when the
/// supervisor said it (typed), else as the restore's bot control gave it.
fn bot_words(lang: Lang, source: &crate::backup::BotControlError) -> String {
    match source.downcast_ref::<steward_core::failure::BotFault>() {
        Some(fault) => super::progress::bot_fault(lang, fault),
        None => source.to_string(),
    }
}

fn store_message(lang: Lang, e: &crate::store::StoreError) -> String {
    use crate::store::StoreError;
    match e {
        StoreError::Locked { path } => {
            t!(
                lang,
                "error-store-locked",
                path = path.display().to_string()
            )
        }
        StoreError::NewerSchema { found, .. } => {
            t!(lang, "error-store-newer", found = found.to_string())
        }
        other => t!(lang, "error-store", error = other.to_string()),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::install::{InstallError, SafetyFinding};
    use crate::store::StoreError;

    /// Names listed in an answer run together the locale's way: "、" in
    /// Chinese, ", " in English (as the CLI prints them) and German.
    #[test]
    fn listed_names_are_separated_the_locales_way() {
        use crate::settings::SettingsError;
        let unknown = ServiceError::Settings(SettingsError::UnknownName {
            category: "backup",
            given: "max_backup".into(),
            valid: vec![
                "enabled".into(),
                "max_backups".into(),
                "auto_cleanup".into(),
            ],
        });
        assert_eq!(
            service_message(Lang::for_tag("zh-CN"), &unknown),
            "backup 中没有设置“max_backup”。有效的 backup 设置：enabled、max_backups、auto_cleanup。"
        );
        assert_eq!(
            service_message(Lang::english(), &unknown),
            unknown.user_message(),
            "English reads as the CLI prints it"
        );
        assert_eq!(
            service_message(Lang::for_tag("de"), &unknown),
            "Es gibt keine Einstellung „max_backup“ in backup. Gültige Einstellungen in backup: \
             enabled, max_backups, auto_cleanup."
        );
        let target = ServiceError::Install(InstallError::UnknownTarget {
            target: "9.9.9".into(),
            known: vec!["1.2.0".into(), "1.3.0".into()],
        });
        assert!(
            service_message(Lang::for_tag("zh-CN"), &target)
                .ends_with("可以回滚到：1.2.0、1.3.0。"),
            "{}",
            service_message(Lang::for_tag("zh-CN"), &target)
        );
    }

    /// A setting's refused value says what each setting takes in the
    /// caller's language: every kind of value the settings catalogue has,
    /// plus the one-value range, reads in English as the CLI prints it and
    /// holds none of that English in Chinese or German.
    #[test]
    fn a_refused_setting_says_what_it_takes_in_the_callers_language() {
        use crate::settings::{Kind, SettingsError, catalog};
        let mut kinds: Vec<Kind> = catalog::ALL.iter().map(|d| d.kind).collect();
        kinds.push(Kind::Int { min: 1, max: 1 });
        for kind in kinds {
            let e = ServiceError::Settings(SettingsError::Invalid {
                key: "a.b".into(),
                value: "zz".into(),
                kind,
            });
            assert_eq!(
                service_message(Lang::english(), &e),
                e.user_message(),
                "English reads as the CLI prints it"
            );
            for tag in ["zh-CN", "de"] {
                let words = service_message(Lang::for_tag(tag), &e);
                assert!(
                    !words.contains(&kind.expected()),
                    "{kind:?} in English inside {tag}: {words}"
                );
            }
        }
        let zh = service_message(
            Lang::for_tag("zh-CN"),
            &ServiceError::Settings(SettingsError::Invalid {
                key: "backup.compression_level".into(),
                value: "11".into(),
                kind: Kind::Int { min: 0, max: 9 },
            }),
        );
        assert_eq!(
            zh,
            "backup.compression_level 的值无效：`11` 不是 0 到 9 之间的整数。"
        );
    }

    /// What an argument should have been is the catalogue's words too, not
    /// the CLI's English inside a translated frame.
    #[test]
    fn an_invalid_argument_says_what_was_expected_in_the_callers_language() {
        use crate::service::Expected;
        let invalid = |expected| ServiceError::InvalidArgument {
            name: "limit".into(),
            value: "99".into(),
            expected,
        };
        let all = [
            Expected::VersionOrLastBackup,
            Expected::Range { min: 1, max: 50 },
            Expected::LocalAbsolutePath,
            Expected::ConfigFile,
            Expected::OneOf(vec!["all", "packages"]),
        ];
        for expected in all {
            let e = invalid(expected.clone());
            assert_eq!(
                service_message(Lang::english(), &e),
                e.user_message(),
                "English reads as the CLI prints it"
            );
            let zh = service_message(Lang::for_tag("zh-CN"), &e);
            assert!(
                !zh.contains(&expected.to_string()),
                "{expected:?} in English inside Chinese: {zh}"
            );
            let de = service_message(Lang::for_tag("de"), &e);
            assert!(
                !de.contains(&expected.to_string()),
                "{expected:?} in English inside German: {de}"
            );
        }
        assert_eq!(
            service_message(
                Lang::for_tag("zh-CN"),
                &invalid(Expected::Range { min: 1, max: 50 })
            ),
            "limit 的值无效：`99` 不是 1 到 50 之间的数字。"
        );
        assert_eq!(
            service_message(
                Lang::for_tag("zh-CN"),
                &invalid(Expected::OneOf(vec!["all", "packages"]))
            ),
            "limit 的值无效：`99` 不是 以下之一：all、packages。"
        );
    }

    /// An owner pressing Grant under a provider's notice reads why it was
    /// refused in their language (it was Steward's English before).
    #[test]
    fn a_refused_grant_is_worded_in_the_callers_language() {
        use crate::service::GrantRefusal;
        let refused = |refusal| ServiceError::Grant {
            provider: "extra".into(),
            refusal,
        };
        let all = [
            GrantRefusal::NotAsked {
                path: "/usr/bin/git".into(),
                asked: vec!["/usr/bin/pip".into(), "/usr/bin/uv".into()],
            },
            GrantRefusal::NotAsked {
                path: "/usr/bin/git".into(),
                asked: Vec::new(),
            },
            GrantRefusal::DidNotLoad {
                error: "bad magic".into(),
            },
            GrantRefusal::NoSuchProvider {
                known: vec!["pip".into(), "npm".into()],
            },
            GrantRefusal::Invalid {
                problem: crate::config::GrantProblem::WriteNotAbsolute {
                    provider: "extra".into(),
                    entry: "../x".into(),
                },
            },
        ];
        for refusal in all {
            let e = refused(refusal.clone());
            assert_eq!(
                service_message(Lang::english(), &e),
                e.user_message(),
                "English reads as the CLI prints it"
            );
            for tag in ["zh-CN", "de"] {
                let words = service_message(Lang::for_tag(tag), &e);
                for english in [
                    "was not granted",
                    "it does not ask",
                    "it did not load",
                    "no such",
                ] {
                    assert!(!words.contains(english), "{tag}: {words}");
                }
            }
        }
        assert_eq!(
            service_message(
                Lang::for_tag("zh-CN"),
                &refused(GrantRefusal::NotAsked {
                    path: "/usr/bin/git".into(),
                    asked: vec!["/usr/bin/pip".into(), "/usr/bin/uv".into()],
                })
            ),
            "未授予提供者 extra 任何权限：它没有请求运行 /usr/bin/git（它请求运行：/usr/bin/pip、/usr/bin/uv）。"
        );
    }

    #[test]
    fn the_rarer_errors_are_worded_in_the_callers_language_around_their_details() {
        let locked = ServiceError::Store(StoreError::Locked {
            path: "/srv/steward/data/steward.sled".into(),
        });
        assert_eq!(
            service_message(Lang::for_tag("zh-CN"), &locked),
            "另一个 steward 进程正在使用其存储 /srv/steward/data/steward.sled；请在其结束后重试。"
        );
        assert_eq!(
            service_message(Lang::english(), &locked),
            locked.user_message(),
            "English reads as the CLI prints it"
        );
        let stop = ServiceError::Install(InstallError::SafetyStop {
            warnings: vec![SafetyFinding::CannotPlan {
                provider: "pip".into(),
                reason: "uv is not granted".into(),
            }],
        });
        let de = service_message(Lang::for_tag("de"), &stop);
        assert!(
            de.starts_with(
                "Das Update wurde gestoppt, bevor sich etwas geändert hat:\n- pip konnte nicht planen: uv is not granted\nNichts wurde geändert."
            ),
            "{de}"
        );
    }

    /// Fleet mode's errors reach Discord typed through the service error
    /// and are worded by the locale; what etcd said stays as given, and
    /// English reads as the CLI prints it (bar the command it points to).
    #[test]
    fn fleet_errors_are_worded_by_the_locale() {
        use steward_fleet::FleetError;
        let busy = ServiceError::from(FleetError::Busy {
            holder: Box::new(steward_fleet::Occupant::Wave {
                id: "w7".into(),
                action: steward_fleet::WaveAction::Install {
                    update_type: crate::engine::UpdateType::Bot,
                },
                requested_by: "discord:42".into(),
                requested_at: "2026-11-30T07:15:09Z".parse().unwrap(),
            }),
        });
        assert_eq!(
            service_message(Lang::for_tag("de"), &busy),
            "Die Flotte ist beschäftigt: Welle w7 (Installation bot), angefordert von discord:42 \
             um 2026-11-30 07:15:09 UTC, läuft. In der ganzen Flotte läuft jeweils nur ein \
             Update; versuche es erneut, wenn es fertig ist (/update_status zeigt es)."
        );
        let unreachable = ServiceError::from(FleetError::Unreachable {
            endpoints: "http://10.0.0.5:2379".into(),
            reason: "connection refused".into(),
        });
        assert_eq!(
            service_message(Lang::english(), &unreachable),
            unreachable.user_message()
        );
        let zh = service_message(Lang::for_tag("zh-CN"), &unreachable);
        assert!(
            zh.starts_with(
                "集群模式已开启，但 etcd 在 http://10.0.0.5:2379 没有响应（connection refused）"
            ),
            "{zh}"
        );
        for withdrawn in [true, false] {
            let e = FleetError::WaveTimedOut {
                waited_for: steward_fleet::Waited::Plan {
                    wave: "w8".into(),
                    secs: 60,
                    leader: steward_fleet::Leader::Nobody,
                },
                withdrawn,
            };
            let de = fleet_message(Lang::for_tag("de"), &e);
            assert!(
                de.starts_with(
                    "Das Warten auf einen Leiter, der Welle w8 plant, 60 s lang \
                     (fleet.wave_timeout_seconds): keine Instanz leitet die Flotte \
                     wurde aufgegeben."
                ),
                "{de}"
            );
            assert_eq!(de.contains("zurückgezogen"), withdrawn, "{de}");
        }
        let denied = FleetError::Denied {
            user: "steward".into(),
            password_env: "ETCD_PASSWORD".into(),
            reason: "authentication failed".into(),
        };
        assert_eq!(
            fleet_message(Lang::english(), &denied),
            ServiceError::from(denied).user_message()
        );
    }

    /// Each kind of fleet explanation (why a group is not promoted, what a
    /// command gave up waiting for) reads in English as the fleet's own
    /// sentence (what the CLI prints), and has words of its own in zh-CN
    /// and de; ids, groups and versions stay as given.
    #[test]
    fn every_fleet_explanation_reads_as_before_in_english_and_has_words_in_each_locale() {
        use steward_fleet::{FleetError, Leader, Unpromoted, Waited};
        let has_cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        let why = [
            Unpromoted::NoInstance {
                after: "canary".into(),
            },
            Unpromoted::NotHealthy {
                after: "canary".into(),
                instance: "a".into(),
            },
            Unpromoted::MixedReleases {
                after: "canary".into(),
                releases: vec![("a".into(), "1.4.0".into()), ("b".into(), "1.5.0".into())],
            },
            Unpromoted::Soaking {
                version: "1.5.0".into(),
                after: "canary".into(),
                soaked_secs: 1800,
                soak_secs: 5400,
            },
            Unpromoted::TwoReleases {
                version: "1.5.0".into(),
                other: "eu".into(),
                other_version: "1.4.0".into(),
            },
        ];
        let mut errors: Vec<(FleetError, String)> = why
            .into_iter()
            .map(|why| {
                let english = why.to_string();
                let e = FleetError::NotPromoted {
                    group: "prod".into(),
                    after: "canary".into(),
                    why,
                };
                (e, english)
            })
            .collect();
        for (n, leader) in [
            Leader::Nobody,
            Leader::Registered("a".into()),
            Leader::Unregistered("gone-1".into()),
        ]
        .into_iter()
        .enumerate()
        {
            let waited_for = if n == 1 {
                Waited::CarryOn {
                    wave: "w8".into(),
                    secs: 60,
                    leader,
                    stands_at: Box::new(steward_fleet::Standing {
                        action: steward_fleet::WaveAction::Check,
                        pinned: None,
                        group: None,
                        phase: steward_fleet::Phase::Running,
                        batch: 0,
                        batches: 1,
                        members: vec![("a".into(), Some(steward_fleet::PartState::Running))],
                        halted: None,
                    }),
                }
            } else {
                Waited::Plan {
                    wave: "w8".into(),
                    secs: 60,
                    leader,
                }
            };
            let english = waited_for.to_string();
            let e = FleetError::WaveTimedOut {
                waited_for,
                withdrawn: false,
            };
            errors.push((e, english));
        }
        for (e, english) in &errors {
            let en = fleet_message(Lang::english(), e);
            assert!(
                en.contains(&format!(": {english}. ")) || en.contains(&format!("for {english}. ")),
                "{en}"
            );
            let zh = fleet_message(Lang::for_tag("zh-CN"), e);
            let de = fleet_message(Lang::for_tag("de"), e);
            // The explanation itself is worded, not only its frame.
            let head = english.split(" ").take(3).collect::<Vec<_>>().join(" ");
            assert!(!zh.contains(&head) && has_cjk(&zh), "{zh}");
            assert!(!de.contains(&head), "{de}");
        }
        assert_eq!(
            fleet_message(Lang::for_tag("de"), &errors[3].0),
            "Gruppe prod kommt erst nach canary an die Reihe (fleet.promotion): 1.5.0 läuft auf \
             canary seit 30m von den geforderten 1h30m gesund; noch 1h. Nichts wurde gestartet."
        );
        assert_eq!(
            fleet_message(Lang::for_tag("zh-CN"), &errors[1].0),
            "分组 prod 只有在 canary 之后才会升级（fleet.promotion）：canary 实例 a 尚未报告其机器人健康。\
             没有启动任何操作。"
        );
    }

    /// The lock and journal errors behind "the update could not run" are
    /// worded by the locale; their English (what the CLI prints) is as
    /// before, and the OS error stays as given.
    #[test]
    fn lock_and_journal_errors_are_worded_by_the_locale() {
        let lock = InstallError::LockUnusable {
            path: "/srv/steward/data/update.lock".into(),
            error: "Permission denied (os error 13)".into(),
        };
        assert_eq!(
            lock.to_string(),
            "cannot use /srv/steward/data/update.lock: Permission denied (os error 13)"
        );
        assert_eq!(
            install_message(Lang::for_tag("de"), &lock),
            "Das Update konnte nicht laufen: Steward kann seine Update-Sperre \
             /srv/steward/data/update.lock nicht verwenden: Permission denied (os error 13)"
        );
        let no_lock = InstallError::NoLock;
        assert_eq!(no_lock.to_string(), "an install needs the update lock");
        assert_eq!(
            install_message(Lang::for_tag("de"), &no_lock),
            "Das Update konnte nicht laufen: eine Installation braucht die Update-Sperre"
        );
        assert_eq!(
            install_message(Lang::for_tag("zh-CN"), &no_lock),
            "更新无法运行：安装需要持有更新锁"
        );
        // A rollback that cannot open the backups says why as the backup
        // commands do; the English is the backup's own, as before.
        let busy = InstallError::Backups(crate::backup::BackupError::Busy);
        assert_eq!(busy.to_string(), "another backup or restore is running");
        assert_eq!(
            install_message(Lang::for_tag("zh-CN"), &busy),
            "另一个备份、恢复或清理正在进行；请在其完成后重试。"
        );
        let journal = InstallError::Journal(std::io::Error::other("disk full"));
        assert_eq!(journal.to_string(), "cannot write the journal: disk full");
        assert_eq!(
            install_message(Lang::for_tag("zh-CN"), &journal),
            "更新无法运行：Steward 无法写入事务日志：disk full"
        );
    }

    /// Why a wave halted, where it stands, and who holds the fleet: each
    /// kind reads in English as the CLI prints it and has words of its own
    /// in zh-CN and de; ids, versions and what an instance said stay as
    /// given, and a halt an older Steward wrote keeps its English.
    #[test]
    fn every_halt_standing_and_holder_reads_as_the_cli_and_has_words_in_each_locale() {
        use steward_fleet::{
            FailedPart, Halt, Halted, Occupant, PartFault, PartState, Phase, Standing, WaveAction,
        };
        let has_cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        let failed = Halt::Failed {
            parts: vec![
                FailedPart {
                    instance: "a".into(),
                    canary: true,
                    why: PartFault::Reported {
                        message: "rolled_back: pip failed".into(),
                        answer: None,
                    },
                },
                FailedPart {
                    instance: "b".into(),
                    canary: false,
                    why: PartFault::Silent { secs: 30 },
                },
            ],
        };
        let halts = [
            Halt::NoInstance { group: None },
            Halt::NoInstance {
                group: Some("eu".into()),
            },
            failed.clone(),
        ];
        for h in &halts {
            let h = Halted::Typed(h.clone());
            let english = h.to_string();
            assert_eq!(super::super::fleet::halted(Lang::english(), &h), english);
            let zh = super::super::fleet::halted(Lang::for_tag("zh-CN"), &h);
            let de = super::super::fleet::halted(Lang::for_tag("de"), &h);
            let head = english.split(' ').take(3).collect::<Vec<_>>().join(" ");
            assert!(has_cjk(&zh) && !zh.contains(&head), "{zh}");
            assert!(!de.contains(&head), "{de}");
        }
        assert_eq!(
            super::super::fleet::halted(Lang::for_tag("zh-CN"), &Halted::Typed(failed.clone())),
            "金丝雀实例 a 失败：rolled_back: pip failed；实例 b 失败：未在 30 秒内报告"
        );
        assert_eq!(
            super::super::fleet::halted(Lang::for_tag("de"), &Halted::Typed(failed.clone())),
            "Kanarienvogel a ist fehlgeschlagen: rolled_back: pip failed; Instanz b ist \
             fehlgeschlagen: hat sich nicht innerhalb von 30 s gemeldet"
        );
        let older = Halted::Written("canary a failed: exit status 1".into());
        assert_eq!(
            super::super::fleet::halted(Lang::for_tag("zh-CN"), &older),
            "canary a failed: exit status 1"
        );

        let stand = |phase, batch, halted| Standing {
            action: WaveAction::Install {
                update_type: crate::engine::UpdateType::Bot,
            },
            pinned: Some("1.5.0".into()),
            group: Some("eu".into()),
            phase,
            batch,
            batches: 3,
            members: vec![("b".into(), Some(PartState::Running)), ("c".into(), None)],
            halted,
        };
        let stands = [
            stand(Phase::Planning, 0, None),
            stand(Phase::Running, 0, None),
            stand(Phase::Running, 1, None),
            stand(Phase::Halting, 1, Some(Halted::Typed(failed.clone()))),
            stand(Phase::Halted, 1, None),
            stand(Phase::Finished, 2, None),
        ];
        for s in &stands {
            let english = s.to_string();
            assert_eq!(super::super::fleet::standing(Lang::english(), s), english);
            let zh = super::super::fleet::standing(Lang::for_tag("zh-CN"), s);
            let de = super::super::fleet::standing(Lang::for_tag("de"), s);
            assert!(has_cjk(&zh) && !zh.contains("Fleet install"), "{zh}");
            assert!(!de.contains("Fleet install"), "{de}");
        }
        assert_eq!(
            super::super::fleet::standing(Lang::for_tag("zh-CN"), &stands[2]),
            "集群安装 bot（固定为 1.5.0）（分组 eu）：第 2 批，共 3 批：b 进行中、c 等待中"
        );

        let at = "2026-11-30T07:15:09Z".parse().unwrap();
        let occupants = [
            Occupant::Update {
                by: "cli:root".into(),
                doing: "rollback".into(),
                instance: "a".into(),
                since: at,
            },
            Occupant::Wave {
                id: "w7".into(),
                action: WaveAction::Check,
                requested_by: "discord:42".into(),
                requested_at: at,
            },
            Occupant::Unknown,
        ];
        for o in &occupants {
            let english = o.to_string();
            assert_eq!(super::super::fleet::occupant(Lang::english(), o), english);
            let zh = super::super::fleet::occupant(Lang::for_tag("zh-CN"), o);
            let de = super::super::fleet::occupant(Lang::for_tag("de"), o);
            let head = english.split(' ').take(3).collect::<Vec<_>>().join(" ");
            assert!(has_cjk(&zh) && !zh.contains(&head), "{zh}");
            assert!(!de.contains(&head), "{de}");
        }
        assert_eq!(
            super::super::fleet::occupant(Lang::for_tag("zh-CN"), &occupants[0]),
            "cli:root 自 2026-11-30 07:15:09 UTC 起正在实例 a 上执行回滚"
        );
        // Inside the refusal, as the CLI's words in English.
        let busy = ServiceError::from(steward_fleet::FleetError::Busy {
            holder: Box::new(occupants[0].clone()),
        });
        assert_eq!(
            service_message(Lang::english(), &busy)
                .replace("/update_status", "`steward fleet status`"),
            busy.user_message()
        );
    }

    /// A part whose rollback stayed silent reads as the CLI in English and
    /// in each locale's words on Discord.
    #[test]
    fn a_silent_rollback_reads_as_the_cli_and_has_words_in_each_locale() {
        use steward_fleet::PartFault;
        let why = PartFault::RollbackSilent { secs: 45 };
        assert_eq!(
            super::super::fleet::part_fault(Lang::english(), &why),
            why.to_string()
        );
        assert_eq!(
            super::super::fleet::part_fault(Lang::for_tag("zh-CN"), &why),
            "其回滚未在 45 秒内报告"
        );
        assert_eq!(
            super::super::fleet::part_fault(Lang::for_tag("de"), &why),
            "sein Rollback hat sich nicht innerhalb von 45 s gemeldet"
        );
        // A wave's end shows it in the locale's words; a part an older
        // Steward wrote (no typed fault) keeps the English it carries.
        let wave = |fault: &str| -> steward_fleet::Wave {
            serde_json::from_str(&format!(
                r#"{{"id":"w1","action":"check","requested_by":"cli:root",
                    "requested_at":"2026-11-30T09:00:00Z","phase":"halted",
                    "batches":[["a"]],"parts":{{"a":{{"state":"undo_failed","group":"g",
                    "message":"its rollback did not report within 45s"{fault}}}}}}}"#
            ))
            .unwrap()
        };
        let description = zh_wave_description;
        let typed = description(&wave(r#","fault":{"kind":"rollback_silent","secs":45}"#));
        assert!(typed.contains("其回滚未在 45 秒内报告"), "{typed}");
        assert!(!typed.contains("its rollback"), "{typed}");
        let older = description(&wave(""));
        assert!(
            older.contains("its rollback did not report within 45s"),
            "{older}"
        );
    }

    /// The backup failures that used to reach Discord in English inside a
    /// localized frame: each reads in English as the CLI prints it, and in
    /// zh-CN and de in words of its own; paths, ids and the system's own
    /// words stay as given.
    #[test]
    fn every_backup_failure_reads_as_the_cli_in_english_and_has_words_in_each_locale() {
        use crate::backup::{BackupError, BackupStatus, ExtractError, sqlite::SqliteError};
        use steward_core::dir_handle::HandleError;
        let has_cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        let denied = || std::io::Error::from_raw_os_error(13);
        let conflicting = || BackupError::ConflictingPaths {
            problems: vec![crate::backup::problem::Problem::ListedTwice {
                path: "config.toml".into(),
                times: 2,
            }],
        };
        let refused = || BackupError::VerificationFailed {
            id: "b-1".into(),
            problems: vec![
                crate::backup::problem::Problem::ContentDiffers {
                    path: "data/a".into(),
                },
                crate::backup::problem::Problem::DrillNeedsLocal,
            ],
        };
        let place_failed = || crate::backup::UndoCause::PlaceFailed {
            path: "/srv/bot/a".into(),
            error: "No space left on device (os error 28)".into(),
        };
        let bot_did_not_start = || crate::backup::UndoCause::BotDidNotStart {
            error: "exit status 1".into(),
            bot: None,
        };
        let not_put_back = |cause| BackupError::NotPutBack {
            cause,
            problems: vec![HandleError::Io {
                path: "/srv/bot/b".into(),
                source: denied(),
            }],
            kept: "/srv/steward/data/restore/previous".into(),
        };
        let errors = vec![
            BackupError::Dir {
                path: "/srv/backups".into(),
                source: denied(),
            },
            BackupError::Read {
                path: "/srv/bot/data.db".into(),
                source: denied(),
            },
            BackupError::Write {
                path: "/srv/backups/b-1.tar.gz".into(),
                source: denied(),
            },
            BackupError::Pattern {
                pattern: "logs/[".into(),
                message: "unclosed character class".into(),
            },
            BackupError::DatabaseCopy {
                path: "data.db".into(),
                message: SqliteError::Damaged(vec!["page 4 is never used".into()]),
            },
            BackupError::InTheWay {
                source: HandleError::Symlink {
                    path: "/srv/bot/config".into(),
                },
            },
            BackupError::InTheWay {
                source: HandleError::InTheWay {
                    path: "/srv/bot/config".into(),
                    found: "a file",
                    wanted: "a directory",
                },
            },
            BackupError::InTheWay {
                source: HandleError::NotRelative {
                    path: "../etc".into(),
                },
            },
            conflicting(),
            not_put_back(place_failed()),
            not_put_back(bot_did_not_start()),
            refused(),
            BackupError::WrongPassword {
                path: "/srv/backups".into(),
            },
            BackupError::NoPassword {
                path: "/srv/backups".into(),
            },
            BackupError::Repository {
                path: "/srv/backups".into(),
                message: "config file is missing".into(),
            },
            BackupError::NotBroughtBack {
                path: "/srv/backups".into(),
                id: "b-1".into(),
                tried: vec![steward_core::failure::OffsiteFault::Target {
                    target: "nas".into(),
                    location: "/mnt/nas".into(),
                    why: steward_core::failure::TargetFault::NoCopy,
                }],
            },
            BackupError::ImportNeedsRepository,
            BackupError::Exists { id: "b-1".into() },
            BackupError::NotCompleted {
                id: "b-1".into(),
                status: BackupStatus::InProgress,
            },
            BackupError::Extract(ExtractError::Truncated),
            BackupError::Extract(ExtractError::Corrupt("bad header".into())),
            BackupError::Extract(ExtractError::Duplicate { path: "a".into() }),
            BackupError::Extract(ExtractError::TooLarge { limit: 1024 }),
            BackupError::Extract(ExtractError::TooManyEntries { limit: 10 }),
            BackupError::Extract(ExtractError::PaxSizeMismatch {
                path: "a".into(),
                pax: 1,
                header: 2,
            }),
            BackupError::Extract(ExtractError::Staging {
                path: "/srv/s".into(),
                source: denied(),
            }),
            BackupError::Extract(ExtractError::Write {
                path: "/srv/s/a".into(),
                source: denied(),
            }),
        ];
        for e in errors {
            let e = ServiceError::Backup(e);
            let english = e.user_message();
            assert_eq!(service_message(Lang::english(), &e), english);
            let zh = service_message(Lang::for_tag("zh-CN"), &e);
            let de = service_message(Lang::for_tag("de"), &e);
            // The failure itself is worded, not only the frame around it.
            let ServiceError::Backup(inner) = &e else {
                unreachable!()
            };
            let detail = inner.to_string();
            let head = detail.split(' ').take(3).collect::<Vec<_>>().join(" ");
            assert!(has_cjk(&zh) && !zh.contains(&head), "{zh}");
            assert!(!de.contains(&head), "{de}");
        }
        // A restore's problems: why it was undone and what it could not
        // put back, in the locale's words; paths and the system's own
        // words as given.
        let restore = [
            conflicting(),
            not_put_back(place_failed()),
            not_put_back(bot_did_not_start()),
            refused(),
        ]
        .map(ServiceError::Backup);
        let said = |tag: &str| {
            restore
                .iter()
                .map(|e| service_message(Lang::for_tag(tag), e))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            said("zh-CN"),
            [
                "备份失败：无法逐个文件放回该备份（config.toml 在清单中出现了 2 次）；未做任何更改",
                "备份失败：将 /srv/bot/a 放到位失败（No space left on device (os error 28)），\
                 而且放回之前的文件也失败了（/srv/bot/b：Permission denied (os error 13)）：\
                 它们保存在 /srv/steward/data/restore/previous，steward 下次启动时会将其放回",
                "备份失败：恢复后机器人未能启动（exit status 1），\
                 而且放回之前的文件也失败了（/srv/bot/b：Permission denied (os error 13)）：\
                 它们保存在 /srv/steward/data/restore/previous，steward 下次启动时会将其放回",
                "备份 b-1 未通过验证，因此未被使用：data/a：内容与清单中的校验和不一致；\
                 恢复演练：未运行，本地仓库缺少该快照（恢复时会先从异地目标取回）",
            ]
        );
        assert_eq!(
            said("de"),
            [
                "Die Sicherung ist fehlgeschlagen: die Sicherung kann nicht Datei für Datei \
                 zurückgelegt werden (config.toml steht 2-mal im Manifest); nichts wurde geändert",
                "Die Sicherung ist fehlgeschlagen: /srv/bot/a konnte nicht an seinen Platz gelegt \
                 werden (No space left on device (os error 28)), und auch das Zurücklegen der \
                 vorherigen Dateien ist fehlgeschlagen (/srv/bot/b: Permission denied (os error \
                 13)): sie liegen in /srv/steward/data/restore/previous, und der nächste Start \
                 von steward legt sie zurück",
                "Die Sicherung ist fehlgeschlagen: der Bot ist nach der Wiederherstellung nicht \
                 gestartet (exit status 1), und auch das Zurücklegen der vorherigen Dateien ist \
                 fehlgeschlagen (/srv/bot/b: Permission denied (os error 13)): sie liegen in \
                 /srv/steward/data/restore/previous, und der nächste Start von steward legt sie \
                 zurück",
                "Sicherung b-1 hat die Überprüfung nicht bestanden und wurde nicht verwendet: \
                 data/a: der Inhalt weicht von der Prüfsumme im Manifest ab; \
                 Wiederherstellungsprobe: nicht ausgeführt, dem lokalen Repository fehlt der \
                 Snapshot (eine Wiederherstellung holt ihn zuerst von einem externen Ziel zurück)",
            ]
        );
        let in_the_way = ServiceError::Backup(BackupError::InTheWay {
            source: HandleError::InTheWay {
                path: "/srv/bot/config".into(),
                found: "a file",
                wanted: "a directory",
            },
        });
        assert_eq!(
            service_message(Lang::for_tag("zh-CN"), &in_the_way),
            "备份失败：/srv/bot/config 处是一个文件，而备份需要一个目录；未做任何更改"
        );
        let wrong = ServiceError::Backup(BackupError::WrongPassword {
            path: "/srv/backups".into(),
        });
        assert_eq!(
            service_message(Lang::for_tag("de"), &wrong),
            "Die Sicherung ist fehlgeschlagen: das Passwort öffnet das Sicherungs-Repository \
             /srv/backups nicht ([backup] password_file oder STEWARD_BACKUP_PASSWORD); nichts \
             wurde geändert"
        );
    }

    /// A restore (or a rollback's) that fails reading or writing a file
    /// says the restore failed, in each locale; a backup that fails the
    /// same way still says the backup failed, in English as the CLI
    /// prints it (the CLI frames every one as a backup).
    #[test]
    fn a_failed_restore_is_framed_as_a_restore_in_each_locale() {
        use crate::backup::BackupError;
        let read = || {
            ServiceError::Backup(BackupError::Read {
                path: "/srv/bot/data.db".into(),
                source: std::io::Error::from_raw_os_error(13),
            })
        };
        let said = |tag: &str, doing| service_message_for(Lang::for_tag(tag), doing, &read());
        let restore = Some(Operation::BackupRestore);
        assert_eq!(
            said("en-US", restore),
            "Restore failed: cannot read /srv/bot/data.db: Permission denied (os error 13)"
        );
        assert_eq!(
            said("zh-CN", restore),
            "恢复失败：无法读取 /srv/bot/data.db：Permission denied (os error 13)"
        );
        assert_eq!(
            said("de", restore),
            "Die Wiederherstellung ist fehlgeschlagen: /srv/bot/data.db kann nicht gelesen \
             werden: Permission denied (os error 13)"
        );
        assert_eq!(
            said("zh-CN", Some(Operation::Rollback)),
            "回滚失败：无法读取 /srv/bot/data.db：Permission denied (os error 13)"
        );
        assert_eq!(
            said("de", Some(Operation::BackupList)),
            "Die Sicherungen können nicht aufgelistet werden: /srv/bot/data.db kann nicht \
             gelesen werden: Permission denied (os error 13)"
        );
        // A backup's own failure keeps the backup's frame, and the CLI's words.
        assert_eq!(
            said("en-US", Some(Operation::BackupCreate)),
            read().user_message()
        );
        assert_eq!(
            said("zh-CN", Some(Operation::BackupCreate)),
            "备份失败：无法读取 /srv/bot/data.db：Permission denied (os error 13)"
        );
        // The same for a rollback whose backups cannot be opened.
        let rollback = ServiceError::Install(crate::engine::install::InstallError::Backups(
            BackupError::Dir {
                path: "/srv/backups".into(),
                source: std::io::Error::from_raw_os_error(13),
            },
        ));
        assert_eq!(
            service_message_for(Lang::for_tag("zh-CN"), Some(Operation::Rollback), &rollback),
            "回滚失败：无法准备备份目录 /srv/backups：Permission denied (os error 13)"
        );
        // The frame follows the slash command that failed.
        assert_eq!(
            operation_of("backup_restore"),
            Some(Operation::BackupRestore)
        );
        assert_eq!(operation_of("update_rollback"), Some(Operation::Rollback));
        assert_eq!(operation_of("backup_list"), Some(Operation::BackupList));
        assert_eq!(operation_of("backup_create"), Some(Operation::BackupCreate));
    }

    /// The supervisor's errors (a bot that cannot be started, stopped or
    /// restarted) read in English exactly as the CLI prints them, and in
    /// zh-CN and de in words of their own; programs, pids and the system's
    /// words stay as given. The same words explain a restore whose bot
    /// did not start again.
    #[test]
    fn every_bot_error_reads_as_the_cli_in_english_and_has_words_in_each_locale() {
        use crate::supervisor::SupervisorError;
        let has_cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        let errors = || {
            vec![
                SupervisorError::NotConfigured,
                SupervisorError::Spawn {
                    program: "/srv/bot/run.sh".into(),
                    source: std::io::Error::from_raw_os_error(2),
                },
                SupervisorError::RestartCommand {
                    program: "/bin/systemctl".into(),
                    message: "exit status: 5".into(),
                },
                SupervisorError::AlreadyRunning { pid: 4242 },
                SupervisorError::WouldNotStop { pid: 4242 },
                SupervisorError::HandoffNotReady {
                    ready_file: "/srv/bot/ready".into(),
                    within_secs: 30,
                    exited: Some("exit status: 1".into()),
                },
                SupervisorError::HandoffNotReady {
                    ready_file: "/srv/bot/ready".into(),
                    within_secs: 30,
                    exited: None,
                },
                SupervisorError::Unhealthy {
                    reason: steward_core::progress::Unhealthy::Exited {
                        status: Some("exit status: 1".into()),
                        after_ms: 300,
                    },
                    tail: vec!["Traceback".into()],
                },
                SupervisorError::Unhealthy {
                    reason: steward_core::progress::Unhealthy::NotReady {
                        line: Some("ready".into()),
                        url: None,
                        within_secs: 30,
                    },
                    tail: Vec::new(),
                },
                SupervisorError::Io {
                    path: "/srv/steward/data/bot.pid".into(),
                    source: std::io::Error::from_raw_os_error(13),
                },
            ]
        };
        for e in errors() {
            // The clause itself, not only the frame: its first words.
            let detail = e.to_string();
            let head = detail.split(' ').take(3).collect::<Vec<_>>().join(" ");
            let e = ServiceError::Bot(e);
            assert_eq!(service_message(Lang::english(), &e), e.user_message());
            let zh = service_message(Lang::for_tag("zh-CN"), &e);
            let de = service_message(Lang::for_tag("de"), &e);
            assert!(has_cjk(&zh) && !zh.contains("Service start"), "{zh}");
            assert!(!de.contains("Service start"), "{de}");
            // A file's failure is its path and the system's words alone.
            if !matches!(e, ServiceError::Bot(SupervisorError::Io { .. })) {
                assert!(!zh.contains(&head), "{zh}");
                assert!(!de.contains(&head), "{de}");
            }
        }
        let spawn = ServiceError::Bot(errors().swap_remove(1));
        assert_eq!(
            service_message(Lang::for_tag("zh-CN"), &spawn),
            "服务启动失败：无法启动机器人（/srv/bot/run.sh）：No such file or directory (os error 2)"
        );
        assert_eq!(
            service_message(
                Lang::for_tag("de"),
                &ServiceError::Bot(errors().swap_remove(4))
            ),
            "Der Dienst konnte nicht starten: der Bot (PID 4242) hat sich nach SIGTERM und \
             SIGKILL nicht beendet"
        );
        // A restore whose bot did not start again: the supervisor's words
        // in the locale's; another control's error as it said it.
        let restore = |source: crate::backup::BotControlError| {
            ServiceError::Backup(crate::backup::BackupError::BotStart { source })
        };
        let unhealthy = restore(Box::new(errors().swap_remove(7).fault()));
        assert_eq!(
            service_message(Lang::english(), &unhealthy),
            "The bot did not start on the restored files (the bot failed its health \
             probation: it exited (exit status: 1) after 0.3 s; its last output:\nTraceback); \
             the previous files were put back."
        );
        assert_eq!(
            service_message(Lang::for_tag("zh-CN"), &unhealthy),
            "机器人无法使用恢复后的文件启动（机器人未通过健康观察期：它在 0.3 秒后退出（exit status: 1）\
             ；它最后的输出：\nTraceback）；已放回之前的文件。"
        );
        let other = restore("systemctl said no".into());
        assert_eq!(
            service_message(Lang::for_tag("zh-CN"), &other),
            "机器人无法使用恢复后的文件启动（systemctl said no）；已放回之前的文件。"
        );
        // The same failure as a rollback records it (its backup's fault):
        // typed, so the reader's words; the English as the CLI prints it.
        let ServiceError::Backup(e) = &unhealthy else {
            unreachable!()
        };
        let fault = e.fault().expect("typed");
        assert!(
            matches!(
                &fault,
                steward_core::failure::BackupFault::BotStart { bot: Some(_), .. }
            ),
            "{fault:?}"
        );
        assert_eq!(
            super::super::progress::backup_fault(Lang::english(), &fault, str::to_string),
            fault.to_string()
        );
        let zh =
            super::super::progress::backup_fault(Lang::for_tag("zh-CN"), &fault, str::to_string);
        assert!(zh.contains("机器人未通过健康观察期"), "{zh}");
        assert!(!zh.contains("health probation"), "{zh}");
    }

    /// A wave's embed text as a zh-CN reader sees it.
    fn zh_wave_description(w: &steward_fleet::Wave) -> String {
        let embed = super::super::fleet::wave_embed(Lang::for_tag("zh-CN"), w);
        serde_json::to_value(embed).unwrap()["description"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// What an instance answers about its part reads in English as the
    /// instance wrote it (what the CLI and an older Steward show), and in
    /// the reader's language on Discord; an older instance's answer (no
    /// typed one) keeps its English.
    #[test]
    fn a_fleet_instances_answer_is_worded_in_the_readers_language() {
        use steward_core::session::SessionStatus;
        use steward_fleet::{Answer, PartFault};
        let has_cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        let answers = [
            Answer::Checked {
                offered: 3,
                failed: 0,
            },
            Answer::Checked {
                offered: 1,
                failed: 2,
            },
            Answer::Session {
                status: SessionStatus::RolledBack,
                error: Some("pip: step \"Install aiohttp\" failed: exit status 1".into()),
                reason: None,
            },
            Answer::Session {
                status: SessionStatus::RolledBack,
                error: Some("after the restart, the bot failed its health probation".into()),
                reason: Some(steward_core::failure::Failure::BotDidNotStart {
                    program: "/srv/bot/run.sh".into(),
                    error: "No such file or directory (os error 2)".into(),
                }),
            },
            Answer::Session {
                status: SessionStatus::NothingToDo,
                error: None,
                reason: None,
            },
            Answer::NoSession,
            Answer::PinnedOther {
                offered: "1.6.0".into(),
                pinned: "1.5.0".into(),
            },
            Answer::PinnedNotOffered {
                pinned: "1.5.0".into(),
                running: None,
            },
            Answer::Busy {
                by: "cli:root".into(),
                doing: "rollback".into(),
                since: "2026-11-30T07:15:09Z".parse().unwrap(),
            },
            Answer::Bot {
                fault: steward_core::failure::BotFault::WouldNotStop { pid: 4242 },
            },
            Answer::SafetyStop {
                warnings: vec![steward_core::failure::SafetyFinding::BackupRequired],
            },
        ];
        let said = |tag: &str, a: &Answer| super::super::fleet::answer(Lang::for_tag(tag), a);
        for a in &answers {
            let english = a.to_string();
            // A typed reason reads as Discord words it (its own test
            // ties that to the CLI's), a time as Discord dates (minutes),
            // a safety stop with Discord's advice (`force_update:true`).
            if !matches!(
                a,
                Answer::Session {
                    reason: Some(_),
                    ..
                } | Answer::Busy { .. }
                    | Answer::SafetyStop { .. }
            ) {
                assert_eq!(said("en-US", a), english);
            }
            let head = english.split(' ').take(2).collect::<Vec<_>>().join(" ");
            let zh = said("zh-CN", a);
            let de = said("de", a);
            assert!(has_cjk(&zh), "{zh}");
            // A session's own words (untyped) stay as it said them.
            if !matches!(
                a,
                Answer::Session {
                    error: Some(_),
                    reason: None,
                    ..
                }
            ) {
                assert!(!zh.contains(&head), "{zh}");
                assert!(!de.contains(&head), "{de}");
            }
        }
        assert_eq!(
            said("zh-CN", &answers[1]),
            "有 1 个可用更新，2 个提供者失败"
        );
        assert_eq!(said("de", &answers[0]), "3 Update(s) verfügbar");
        assert_eq!(
            said("zh-CN", &answers[3]),
            format!(
                "已回滚：{}",
                super::super::progress::failure(Lang::for_tag("zh-CN"), &{
                    let Answer::Session {
                        reason: Some(r), ..
                    } = &answers[3]
                    else {
                        unreachable!()
                    };
                    r.clone()
                })
            )
        );
        assert_eq!(
            said("de", &answers[7]),
            "Bot 1.5.0 (die freigegebene Version) wird hier nicht angeboten (der Bot läuft mit \
             einer unbekannten Version); nichts wurde geändert"
        );
        // In a wave's embed and its halt: the answer in the reader's words;
        // a part an older Steward wrote keeps the English it carries.
        let wave = |answer: &str| -> steward_fleet::Wave {
            serde_json::from_str(&format!(
                r#"{{"id":"w1","action":"check","requested_by":"cli:root",
                    "requested_at":"2026-11-30T09:00:00Z","phase":"finished",
                    "batches":[["a"]],"parts":{{"a":{{"state":"done","group":"g",
                    "message":"3 update(s) available"{answer}}}}}}}"#
            ))
            .unwrap()
        };
        let typed = zh_wave_description(&wave(
            r#","answer":{"kind":"checked","offered":3,"failed":0}"#,
        ));
        assert!(typed.contains("有 3 个可用更新"), "{typed}");
        assert!(!typed.contains("available"), "{typed}");
        let older = zh_wave_description(&wave(""));
        assert!(older.contains("3 update(s) available"), "{older}");
        let failed = |a: &Answer| PartFault::Reported {
            message: a.to_string(),
            answer: Some(a.clone()),
        };
        let zh = super::super::fleet::part_fault(Lang::for_tag("zh-CN"), &failed(&answers[8]));
        assert!(zh.starts_with("已有更新正在进行：cli:root"), "{zh}");
        assert_eq!(
            super::super::fleet::part_fault(Lang::english(), &failed(&answers[9])),
            "Service start failed: the bot (pid 4242) did not stop after SIGTERM and SIGKILL"
        );
        assert_eq!(
            super::super::fleet::part_fault(Lang::for_tag("de"), &failed(&answers[9])),
            "Der Dienst konnte nicht starten: der Bot (PID 4242) hat sich nach SIGTERM und \
             SIGKILL nicht beendet"
        );
    }
}
