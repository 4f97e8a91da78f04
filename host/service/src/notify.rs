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
}

pub struct Notifier {
    channels: Vec<u64>,
    webhook: Option<String>,
    token_env: String,
    /// Absent when no token is set: channels are then skipped, webhooks not.
    http: Option<Arc<serenity::Http>>,
    client: reqwest::Client,
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
        Notifier {
            channels: config.notify_channels.clone(),
            webhook: config.webhook_url.clone(),
            token_env: config.token_env.clone(),
            http,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(15))
                .build()
                .unwrap_or_default(),
        }
    }

    /// A notifier with its own REST client, for fronts that are not
    /// connected to Discord (the CLI, the scheduler).
    pub fn from_environment(config: &DiscordConfig) -> Notifier {
        let http = std::env::var(&config.token_env)
            .ok()
            .filter(|t| !t.trim().is_empty())
            .map(|token| Arc::new(discord_http(&token, config)));
        Notifier::new(config, http)
    }

    /// Whether anything is configured to receive notifications.
    pub fn has_destinations(&self) -> bool {
        !self.channels.is_empty() || self.webhook.is_some()
    }

    /// Sends `embed` everywhere; returns what failed.
    pub async fn send(&self, embed: serenity::CreateEmbed) -> Vec<NotifyError> {
        let mut failures = Vec::new();
        for &channel in &self.channels {
            let Some(http) = &self.http else {
                failures.push(NotifyError::NoToken {
                    channel,
                    var: self.token_env.clone(),
                });
                continue;
            };
            let message = serenity::CreateMessage::new().embed(embed.clone());
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

    async fn webhook(&self, url: &str, embed: &serenity::CreateEmbed) -> Result<(), String> {
        let body = serde_json::json!({ "embeds": [embed] });
        let response = self
            .client
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
