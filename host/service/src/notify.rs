//! Tells the admins what happened, outside any command: a message to each
//! of `discord.notify_channels` (REST with the bot token; no gateway needed)
//! and to `discord.webhook_url` (no token needed at all, so it still works
//! when the bot cannot log in). Each destination succeeds or fails alone.
//! It delivers what it is given; what to notify about is decided elsewhere.

use std::sync::Arc;
use std::time::Duration;

use poise::serenity_prelude as serenity;
use thiserror::Error;

use crate::config::DiscordConfig;

#[derive(Debug, Error)]
pub enum NotifyError {
    #[error("channel {channel}: no bot token (set {var})")]
    NoToken { channel: u64, var: String },
    #[error("channel {channel}: {source}")]
    Channel {
        channel: u64,
        source: serenity::Error,
    },
    #[error("webhook: {0}")]
    Webhook(String),
    #[error("direct message to user {user}: {source}")]
    Direct { user: u64, source: serenity::Error },
    #[error("direct message to user {user}: no bot token (set {var})")]
    DirectNoToken { user: u64, var: String },
}

pub struct Notifier {
    channels: Vec<u64>,
    webhook: Option<String>,
    token_env: String,
    /// Made at the first post to a channel or a user; `None` inside when no
    /// token is set: channels are then skipped, webhooks not.
    http: std::sync::OnceLock<Option<Arc<serenity::Http>>>,
    /// What `http` is made from: the token's variable and `api_base`.
    discord: DiscordConfig,
}

/// The client webhooks are posted with, made at the first post and shared
/// by every notifier after it: making one reads and parses the system's
/// trust roots (about 150 files), which a service with no webhook never
/// needs and one with a webhook needs only once. It keeps no idle
/// connection: posts are minutes apart, and a pooled connection would be
/// tied to the tokio runtime that opened it.
fn webhook_client() -> &'static reqwest::Client {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .pool_max_idle_per_host(0)
            .build()
            .unwrap_or_default()
    })
}

/// A Discord REST client for `token`, through `discord.api_base` when set
/// (an HTTP proxy that rate-limits for us, or a local fake in tests).
pub fn discord_http(token: &str, config: &DiscordConfig) -> serenity::Http {
    let mut builder = serenity::HttpBuilder::new(token);
    if let Some(base) = &config.api_base {
        builder = builder
            .proxy(base.trim_end_matches('/'))
            .ratelimiter_disabled(true);
    }
    builder.build()
}

impl Notifier {
    /// A notifier for `config`, posting to channels through `http` if given.
    pub fn new(config: &DiscordConfig, http: Option<Arc<serenity::Http>>) -> Notifier {
        let notifier = Notifier::from_environment(config);
        let _ = notifier.http.set(http);
        notifier
    }

    /// A notifier with its own REST client, made from the token in
    /// `token_env` at its first post to a channel or a user (a notifier
    /// that only posts to a webhook, or not at all, never makes one), for
    /// fronts that are not connected to Discord (the CLI, the scheduler).
    pub fn from_environment(config: &DiscordConfig) -> Notifier {
        Notifier {
            channels: config.notify_channels.clone(),
            webhook: config.webhook_url.clone(),
            token_env: config.token_env.clone(),
            http: std::sync::OnceLock::new(),
            discord: config.clone(),
        }
    }

    /// The REST client for channels and direct messages, if a token is set.
    fn http(&self) -> Option<&Arc<serenity::Http>> {
        self.http
            .get_or_init(|| {
                std::env::var(&self.discord.token_env)
                    .ok()
                    .filter(|t| !t.trim().is_empty())
                    .map(|token| Arc::new(discord_http(&token, &self.discord)))
            })
            .as_ref()
    }

    /// Whether anything is configured to receive notifications.
    pub fn has_destinations(&self) -> bool {
        !self.channels.is_empty() || self.webhook.is_some()
    }

    /// Sends `embed` everywhere; returns what failed.
    pub async fn send(&self, embed: serenity::CreateEmbed) -> Vec<NotifyError> {
        self.send_with_buttons(embed, Vec::new()).await
    }

    /// Sends `embed` everywhere, with `buttons` under it in the channels
    /// (a webhook's message cannot have buttons the bot answers, so it
    /// gets the embed alone); returns what failed.
    pub async fn send_with_buttons(
        &self,
        embed: serenity::CreateEmbed,
        buttons: Vec<serenity::CreateButton>,
    ) -> Vec<NotifyError> {
        let mut failures = Vec::new();
        for &channel in &self.channels {
            let Some(http) = self.http() else {
                failures.push(NotifyError::NoToken {
                    channel,
                    var: self.token_env.clone(),
                });
                continue;
            };
            let mut message = serenity::CreateMessage::new().embed(embed.clone());
            if !buttons.is_empty() {
                message =
                    message.components(vec![serenity::CreateActionRow::Buttons(buttons.clone())]);
            }
            if let Err(source) = serenity::ChannelId::new(channel)
                .send_message(http.as_ref(), message)
                .await
            {
                failures.push(NotifyError::Channel { channel, source });
            }
        }
        if let Some(url) = &self.webhook
            && let Err(e) = self.webhook(url, &embed).await
        {
            failures.push(NotifyError::Webhook(e));
        }
        failures
    }

    /// Sends `embed` everywhere with `button` under it, and as a direct
    /// message to each of `users`. A webhook that the application does not
    /// own cannot carry buttons: it gets the embed alone.
    pub async fn send_urgent(
        &self,
        embed: serenity::CreateEmbed,
        button: serenity::CreateButton,
        users: &[u64],
    ) -> Vec<NotifyError> {
        let mut failures = Vec::new();
        let message = || {
            serenity::CreateMessage::new()
                .embed(embed.clone())
                .components(vec![serenity::CreateActionRow::Buttons(vec![
                    button.clone(),
                ])])
        };
        for &channel in &self.channels {
            let Some(http) = self.http() else {
                failures.push(NotifyError::NoToken {
                    channel,
                    var: self.token_env.clone(),
                });
                continue;
            };
            if let Err(source) = serenity::ChannelId::new(channel)
                .send_message(http.as_ref(), message())
                .await
            {
                failures.push(NotifyError::Channel { channel, source });
            }
        }
        for &user in users {
            let Some(http) = self.http() else {
                failures.push(NotifyError::DirectNoToken {
                    user,
                    var: self.token_env.clone(),
                });
                continue;
            };
            let sent = match serenity::UserId::new(user)
                .create_dm_channel(http.as_ref())
                .await
            {
                Ok(dm) => dm.id.send_message(http.as_ref(), message()).await.map(drop),
                Err(e) => Err(e),
            };
            if let Err(source) = sent {
                failures.push(NotifyError::Direct { user, source });
            }
        }
        if let Some(url) = &self.webhook
            && let Err(e) = self.webhook(url, &embed).await
        {
            failures.push(NotifyError::Webhook(e));
        }
        failures
    }

    async fn webhook(&self, url: &str, embed: &serenity::CreateEmbed) -> Result<(), String> {
        let body = serde_json::json!({ "embeds": [embed] });
        let response = webhook_client()
            .post(url)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| e.without_url().to_string())?;
        if response.status().is_success() {
            Ok(())
        } else {
            // The URL holds the webhook's secret token: never print it.
            Err(format!("Discord answered {}", response.status()))
        }
    }
}
