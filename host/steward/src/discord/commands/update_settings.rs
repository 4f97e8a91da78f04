//! `/update_settings`: changes or resets one setting and shows its previous
//! value and what the change did. Owners only.

use poise::serenity_prelude as serenity;

use crate::discord::choice::{Choice, Choices};
use crate::discord::locale::{Lang, t};
use crate::discord::render;
use crate::discord::{CommandError, Context, caller};
use crate::service::SettingChange;
use crate::settings::Category;

impl Choices for Category {
    const NOUN: &'static str = "choice-noun-setting-category";
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
    setting_category: Choice<Category>,
    setting_name: String,
    setting_value: String,
    reset_to_default: Option<bool>,
) -> Result<(), CommandError> {
    let caller = caller(ctx);
    let service = ctx.data().service.clone();
    let category = setting_category.0.as_str();
    // An unknown name (or a refusal) is found before the public reply, so
    // it reaches only the person who asked.
    service.settings_get(&caller, category, &setting_name)?;
    ctx.defer().await?;
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
        .edit(
            serenity::EditInteractionResponse::new()
                .embed(embed(crate::discord::lang(ctx), &change)),
        )
        .await?;
    Ok(())
}

fn embed(lang: Lang, change: &SettingChange) -> serenity::CreateEmbed {
    let s = &change.setting;
    let shown = |v: &str| render::value(&render::code(v));
    let mut e = serenity::CreateEmbed::new()
        .title(render::title(&format!("{}.{}", s.category, s.name)))
        .description(render::description(lang, &s.help))
        .field(t!(lang, "settings-value"), shown(&s.value), true)
        .field(t!(lang, "settings-previous"), shown(&change.previous), true)
        .field("steward.toml", shown(&s.file_value), true)
        .colour(0x2e_cc_71);
    if !change.effects.is_empty() {
        e = e.field(
            t!(lang, "settings-applied"),
            render::value(&render::plain(&change.effects.join("\n"))),
            false,
        );
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::SettingView;

    #[test]
    fn long_multibyte_effects_are_cut_without_panicking() {
        // An odd prefix puts byte 1000 inside a two-byte character.
        let effects = vec![format!("a{}", "é".repeat(600))];
        let change = SettingChange {
            setting: SettingView {
                category: "backup".into(),
                name: "max_backups".into(),
                value: "2".into(),
                default: "50".into(),
                source: crate::settings::Source::Override,
                file_value: "50".into(),
                expected: "a number".into(),
                help: "How many backups to keep".into(),
                toml: "backup.max_backups".into(),
            },
            previous: "1".into(),
            effects,
        };
        let json = serde_json::to_value(embed(Lang::english(), &change)).unwrap();
        let applied = json["fields"][3]["value"].as_str().unwrap();
        assert!(applied.chars().count() <= 1024, "{applied}");
    }
}
