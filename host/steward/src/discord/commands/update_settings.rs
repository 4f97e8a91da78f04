//! `/update_settings`: changes or resets one setting and shows its previous
//! value and what the change did. Owners only.

use poise::serenity_prelude as serenity;

use crate::discord::choice::{Choice, Choices};
use crate::discord::{CommandError, Context, caller};
use crate::service::{Operation, SettingChange};
use crate::settings::Category;

impl Choices for Category {
    const NOUN: &'static str = "setting category";
    const ALL: &'static [(&'static str, Category)] = &[
        ("update", Category::Update),
        ("backup", Category::Backup),
        ("notification", Category::Notification),
        ("schedule", Category::Schedule),
    ];
}

/// Change one of Steward's settings
#[poise::command(slash_command)]
pub async fn update_settings(
    ctx: Context<'_>,
    #[description = "Which group of settings"] setting_category: Choice<Category>,
    #[description = "The setting's name (e.g. max_backups)"] setting_name: String,
    #[description = "The new value"] setting_value: String,
    #[description = "Go back to the value of steward.toml (default: false)"]
    reset_to_default: Option<bool>,
) -> Result<(), CommandError> {
    let caller = caller(ctx);
    let service = ctx.data().service.clone();
    service.authorize(&caller, Operation::Settings)?;
    ctx.defer().await?;
    let category = setting_category.0.as_str();
    let change = if reset_to_default.unwrap_or(false) {
        service
            .settings_reset(&caller, category, &setting_name)
            .await?
    } else {
        service
            .settings_set(&caller, category, &setting_name, &setting_value)
            .await?
    };
    crate::discord::message::Reply::of(ctx)
        .edit(serenity::EditInteractionResponse::new().embed(embed(&change)))
        .await?;
    Ok(())
}

fn embed(change: &SettingChange) -> serenity::CreateEmbed {
    let s = &change.setting;
    let mut e = serenity::CreateEmbed::new()
        .title(format!("{}.{}", s.category, s.name))
        .description(s.help)
        .field("Value", format!("`{}`", s.value), true)
        .field("Previous value", format!("`{}`", change.previous), true)
        .field("steward.toml", format!("`{}`", s.file_value), true)
        .colour(0x2e_cc_71);
    if !change.effects.is_empty() {
        let mut text = change.effects.join("\n");
        text.truncate(1000);
        e = e.field("Applied", text, false);
    }
    e
}
