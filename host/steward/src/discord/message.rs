//! The reply of one interaction, as a handle any task can edit (progress,
//! confirmation prompts, the final result). Only the interaction token is
//! needed, so it outlives the command's borrowed context.

use std::sync::Arc;

use poise::serenity_prelude as serenity;

use super::locale::Lang;

#[derive(Clone)]
pub struct Reply {
    http: Arc<serenity::Http>,
    token: String,
    /// The language of the person who ran the command.
    pub lang: Lang,
}

impl Reply {
    pub fn of(ctx: super::Context<'_>) -> Reply {
        let token = match ctx {
            poise::Context::Application(app) => app.interaction.token.clone(),
            // Only slash commands are registered.
            poise::Context::Prefix(_) => String::new(),
        };
        Reply {
            http: ctx.serenity_context().http.clone(),
            token,
            lang: super::lang(ctx),
        }
    }

    /// Replaces the reply's text, keeping nothing else.
    pub async fn text(&self, content: impl Into<String>) -> Result<(), serenity::Error> {
        self.edit(
            serenity::EditInteractionResponse::new()
                .content(content)
                .embeds(Vec::new())
                .components(Vec::new()),
        )
        .await
    }

    /// Replaces the reply with a result: the embed alone, no buttons.
    pub async fn show(&self, embed: serenity::CreateEmbed) -> Result<(), serenity::Error> {
        self.edit(
            serenity::EditInteractionResponse::new()
                .content("")
                .embed(embed)
                .components(Vec::new()),
        )
        .await
    }

    /// Answers only the person who ran the command, and removes the public
    /// placeholder of the deferral. The placeholder goes first: a followup
    /// sent while it still "thinks" would replace it, publicly.
    pub async fn private(&self, content: impl Into<String>) -> Result<(), serenity::Error> {
        if let Err(e) = self
            .http
            .delete_original_interaction_response(&self.token)
            .await
        {
            tracing::warn!("cannot remove the public reply: {e}");
        }
        let followup = serenity::CreateInteractionResponseFollowup::new()
            .content(content)
            .ephemeral(true);
        self.http
            .create_followup_message(&self.token, &followup, Vec::new())
            .await
            .map(drop)
    }

    pub async fn edit(
        &self,
        edit: serenity::EditInteractionResponse,
    ) -> Result<(), serenity::Error> {
        self.http
            .edit_original_interaction_response(&self.token, &edit, Vec::new())
            .await
            .map(drop)
    }

    /// Like `edit`, also uploading the files the edit attaches (the status
    /// chart): serenity's builder carries them to the request.
    pub async fn edit_with_files(
        &self,
        edit: serenity::EditInteractionResponse,
    ) -> Result<(), serenity::Error> {
        use serenity::Builder;
        edit.execute(&self.http, &self.token).await.map(drop)
    }
}
