//! The Discord front (`steward serve`): connects with the bot token,
//! registers the slash commands, parses each interaction into a service call
//! and renders the answer. It renders and parses; it never decides — who may
//! do what, and every result, come from `service`.

mod choice;
mod commands;
pub mod confirm;
mod emergency;
mod errors;
mod fleet;
mod grants;
pub mod locale;
mod message;
pub mod progress;
pub mod render;
pub mod suggest;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use poise::serenity_prelude as serenity;
use thiserror::Error;

use crate::config::DiscordConfig;
use crate::service::{Caller, DiscordCaller, Service, ServiceError};

/// What every command can reach.
pub struct Data {
    service: Arc<Service>,
    /// The fleet this service belongs to, in fleet mode (`/update_status`).
    fleet: Option<Arc<steward_fleet::Fleet>>,
    /// The application's owner and team members, from Discord at startup.
    app_owners: HashSet<serenity::UserId>,
    /// How long a Confirm/Cancel prompt waits.
    confirm_timeout: Duration,
}

pub type Context<'a> = poise::Context<'a, Data, CommandError>;

/// Why a command could not finish. Service errors carry their own user
/// message; Discord errors mean the answer itself could not be delivered.
#[derive(Debug, Error)]
pub enum CommandError {
    #[error(transparent)]
    Service(#[from] ServiceError),
    #[error("Discord refused a request: {0}")]
    Discord(#[from] serenity::Error),
}

/// Why `steward serve` stopped before or while serving.
#[derive(Debug, Error)]
pub enum ServeError {
    #[error("Discord did not accept the bot token or could not be reached: {0}")]
    Login(serenity::Error),
    #[error("registering the slash commands failed: {0}")]
    Register(serenity::Error),
    #[error("the Discord connection failed: {0}")]
    Gateway(serenity::Error),
}

/// The bot token from the environment variable `[discord] token_env`
/// names; `None` when it is unset or empty (the service then runs without
/// its Discord front).
pub fn token(config: &DiscordConfig) -> Option<String> {
    std::env::var(&config.token_env)
        .ok()
        .filter(|t| !t.trim().is_empty())
}

/// Connects, registers the commands and serves them until `shutdown`
/// resolves, then closes the gateway connection cleanly.
pub async fn serve(
    service: Arc<Service>,
    fleet: Option<Arc<steward_fleet::Fleet>>,
    token: String,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let config = service.config().discord.clone();
    let http = http(&token, &config);

    let app = http
        .get_current_application_info()
        .await
        .map_err(ServeError::Login)?;
    http.set_application_id(app.id);
    let app_owners = application_owners(&app);
    tracing::info!(application = %app.id, owners = app_owners.len(), "logged in");

    locale::set_notifications(notification_lang(&http, &config).await);
    crate::service::announce::word_with(render::notice::words);
    crate::service::announce::tell_owners(app_owners.iter().map(|u| u.get()).collect());

    let commands = commands::all();
    register(&http, &commands, &config)
        .await
        .map_err(ServeError::Register)?;

    let data = Data {
        service,
        fleet,
        app_owners,
        confirm_timeout: Duration::from_secs(config.confirm_timeout_seconds),
    };
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands,
            on_error: |error| Box::pin(errors::on_error(error)),
            event_handler: |framework, event| {
                Box::pin(async move {
                    emergency::on_event(framework, event).await?;
                    grants::on_event(framework, event).await
                })
            },
            // Owners come from `application_owners` above, decided by the service.
            initialize_owners: false,
            ..Default::default()
        })
        .setup(move |_ctx, ready, _framework| {
            Box::pin(async move {
                tracing::info!(user = %ready.user.name, guilds = ready.guilds.len(), "connected to Discord");
                Ok(data)
            })
        })
        .build();

    // Slash commands need no privileged intent; GUILDS keeps the cache useful.
    let mut client = serenity::ClientBuilder::new_with_http(http, serenity::GatewayIntents::GUILDS)
        .framework(framework)
        .await
        .map_err(ServeError::Gateway)?;

    let shards = client.shard_manager.clone();
    let closing = tokio::spawn(async move {
        shutdown.await;
        tracing::info!("closing the Discord connection");
        shards.shutdown_all().await;
    });
    let served = client.start().await.map_err(ServeError::Gateway);
    closing.abort();
    served
}

/// The REST client; with `api_base`, every request goes there instead, and
/// rate limiting is left to that proxy (serenity ignores a proxy otherwise).
pub use crate::notify::discord_http as http;

/// `[discord] locale`, else the preferred locale of the (first) guild the
/// commands are registered in, else English.
async fn notification_lang(http: &serenity::Http, config: &DiscordConfig) -> locale::Lang {
    if let Some(tag) = &config.locale {
        return locale::Lang::for_tag(tag);
    }
    let Some(guild) = config.guilds.first() else {
        return locale::Lang::english();
    };
    match http.get_guild(serenity::GuildId::new(*guild)).await {
        Ok(guild) => locale::Lang::for_tag(&guild.preferred_locale),
        Err(e) => {
            tracing::debug!("the guild's locale is unknown, notifications are in English: {e}");
            locale::Lang::english()
        }
    }
}

/// The application's owner, or its team's accepted admins and developers
/// (who can read the token, so own the bot in practice).
fn application_owners(app: &serenity::CurrentApplicationInfo) -> HashSet<serenity::UserId> {
    let mut owners = HashSet::new();
    if let Some(owner) = &app.owner {
        owners.insert(owner.id);
    }
    if let Some(team) = &app.team {
        owners.insert(team.owner_user_id);
        for member in &team.members {
            if member.membership_state == serenity::MembershipState::Accepted
                && matches!(
                    member.role,
                    serenity::TeamMemberRole::Admin | serenity::TeamMemberRole::Developer
                )
            {
                owners.insert(member.user.id);
            }
        }
    }
    owners
}

async fn register(
    http: &serenity::Http,
    commands: &[poise::Command<Data, CommandError>],
    config: &DiscordConfig,
) -> Result<(), serenity::Error> {
    let create = poise::builtins::create_application_commands(commands);
    if config.guilds.is_empty() {
        serenity::Command::set_global_commands(http, create).await?;
        tracing::info!(
            commands = commands.len(),
            "registered the commands globally"
        );
    } else {
        for guild in &config.guilds {
            serenity::GuildId::new(*guild)
                .set_commands(http, create.clone())
                .await?;
            tracing::info!(commands = commands.len(), guild, "registered the commands");
        }
    }
    Ok(())
}

/// The language to answer this interaction in: the user's Discord locale,
/// else the guild's, else English.
fn lang(ctx: Context<'_>) -> locale::Lang {
    let guild = match ctx {
        poise::Context::Application(app) => app.interaction.guild_locale.as_deref(),
        poise::Context::Prefix(_) => None,
    };
    ctx.locale()
        .or(guild)
        .map_or_else(locale::Lang::english, locale::Lang::for_tag)
}

/// The facts about whoever sent this interaction, for the service to judge.
fn caller(ctx: Context<'_>) -> Caller {
    let user = ctx.author().id;
    let member = match ctx {
        poise::Context::Application(app) => app.interaction.member.as_deref(),
        poise::Context::Prefix(_) => None,
    };
    member_caller(user, member, ctx.data())
}

/// The facts about `user` (as `member` of the guild, when in one).
fn member_caller(user: serenity::UserId, member: Option<&serenity::Member>, data: &Data) -> Caller {
    Caller::Discord(DiscordCaller {
        user_id: user.get(),
        app_owner: data.app_owners.contains(&user),
        administrator: member
            .and_then(|m| m.permissions)
            .is_some_and(|p| p.administrator()),
        roles: member
            .map(|m| m.roles.iter().map(|r| r.get()).collect())
            .unwrap_or_default(),
    })
}
