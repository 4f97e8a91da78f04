//! `/update_schedule`: adds a scheduled update run (or, with
//! `update_types:backup`, a scheduled backup) and shows when it runs next,
//! in the configured zone. Owners only.

use poise::serenity_prelude as serenity;

use crate::discord::choice::{Choice, Choices};
use crate::discord::locale::{Lang, t};
use crate::discord::render::choice_name;
use crate::discord::{CommandError, Context, caller};
use crate::schedule::{ScheduleKind, ScheduleType};
use crate::service::{ScheduleRequest, ScheduleView};
use crate::settings::value::type_names;

impl Choices for ScheduleType {
    const NOUN: &'static str = "schedule type";
    const ALL: &'static [(&'static str, ScheduleType)] = &[
        ("daily", ScheduleType::Daily),
        ("weekly", ScheduleType::Weekly),
        ("monthly", ScheduleType::Monthly),
        ("custom", ScheduleType::Custom),
    ];
}

/// Schedule automatic update runs
#[poise::command(slash_command)]
#[allow(
    clippy::too_many_arguments,
    reason = "one parameter per Discord option, as poise registers them"
)]
pub async fn update_schedule(
    ctx: Context<'_>,
    schedule_type: Choice<ScheduleType>,
    update_types: String,
    update_time: Option<String>,
    update_days: Option<String>,
    enabled: Option<bool>,
    #[max_length = 50] schedule_name: Option<String>,
    #[min = 1]
    #[max = 1000]
    max_backups_to_keep: Option<u32>,
) -> Result<(), CommandError> {
    let caller = caller(ctx);
    let service = ctx.data().service.clone();
    // Adding is quick and every mistake in the options is found here, so
    // it runs before any public reply: a refusal or error stays private.
    let added = service.schedule_add(
        &caller,
        ScheduleRequest {
            schedule_type: schedule_type.0,
            update_time,
            update_days,
            update_types,
            enabled: enabled.unwrap_or(true),
            name: schedule_name,
            max_backups_to_keep,
        },
    )?;
    ctx.send(poise::CreateReply::default().embed(embed(crate::discord::lang(ctx), &added)))
        .await?;
    Ok(())
}

fn embed(lang: Lang, view: &ScheduleView) -> serenity::CreateEmbed {
    let s = &view.schedule;
    let how_often = choice_name(lang, s.schedule_type.as_str());
    let when = if s.update_days.is_empty() {
        t!(
            lang,
            "schedule-when",
            types = how_often,
            time = s.update_time.clone()
        )
    } else {
        t!(
            lang,
            "schedule-when-days",
            types = how_often,
            time = s.update_time.clone(),
            days = s.update_days.join(", ")
        )
    };
    let (does, what) = match (s.kind, s.max_backups_to_keep) {
        (ScheduleKind::Update, _) => (
            t!(lang, "schedule-installs"),
            type_names(&s.update_types).join(", "),
        ),
        (ScheduleKind::Backup, Some(keep)) => (
            t!(lang, "schedule-backs-up"),
            t!(lang, "schedule-keeps", count = keep),
        ),
        (ScheduleKind::Backup, None) => (
            t!(lang, "schedule-backs-up"),
            t!(lang, "schedule-keeps-all"),
        ),
    };
    let mut e = serenity::CreateEmbed::new()
        .title(t!(lang, "schedule-added", label = s.label()))
        .field(t!(lang, "schedule-field-when"), when, true)
        .field(does, what, true)
        .field(
            t!(lang, "schedule-field-next"),
            view.next_run_local
                .clone()
                .unwrap_or_else(|| t!(lang, "schedule-disabled")),
            false,
        )
        .footer(serenity::CreateEmbedFooter::new(format!(
            "cron: {}",
            s.cron
        )))
        .colour(0x2e_cc_71);
    if let Some(note) = &view.note {
        e = e.field(t!(lang, "schedule-field-note"), note.clone(), false);
    }
    e
}
