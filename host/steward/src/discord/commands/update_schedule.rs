//! `/update_schedule`: adds a scheduled update run (or, with
//! `update_types:backup`, a scheduled backup) and shows when it runs next,
//! in the configured zone. Owners only.

use poise::serenity_prelude as serenity;

use crate::discord::choice::{Choice, Choices};
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
    #[description = "How often it runs"] schedule_type: Choice<ScheduleType>,
    #[description = "Update types to install, comma-separated (e.g. packages,config), or backup to only back up"]
    update_types: String,
    #[description = "HH:MM in the configured time zone (default: the default_time setting)"]
    update_time: Option<String>,
    #[description = "Weekday(s) for weekly/custom (sunday, mon-fri), day numbers for monthly (1,15)"]
    update_days: Option<String>,
    #[description = "Run it (default: true)"] enabled: Option<bool>,
    #[description = "A name for the schedule, unique"]
    #[max_length = 50]
    schedule_name: Option<String>,
    #[description = "Backup schedules: how many of their own backups to keep (default: all)"]
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
    ctx.send(poise::CreateReply::default().embed(embed(&added)))
        .await?;
    Ok(())
}

fn embed(view: &ScheduleView) -> serenity::CreateEmbed {
    let s = &view.schedule;
    let when = if s.update_days.is_empty() {
        format!("{} at {}", s.schedule_type.as_str(), s.update_time)
    } else {
        format!(
            "{} at {} on {}",
            s.schedule_type.as_str(),
            s.update_time,
            s.update_days.join(", ")
        )
    };
    let (does, what) = match (s.kind, s.max_backups_to_keep) {
        (ScheduleKind::Update, _) => ("Installs", type_names(&s.update_types).join(", ")),
        (ScheduleKind::Backup, Some(keep)) => {
            ("Backs up", format!("full; keeps its {keep} newest"))
        }
        (ScheduleKind::Backup, None) => ("Backs up", "full; keeps all".to_string()),
    };
    let mut e = serenity::CreateEmbed::new()
        .title(format!("Schedule {} added", s.label()))
        .field("When", when, true)
        .field(does, what, true)
        .field(
            "Next run",
            view.next_run_local
                .clone()
                .unwrap_or_else(|| "disabled".to_string()),
            false,
        )
        .footer(serenity::CreateEmbedFooter::new(format!(
            "cron: {}",
            s.cron
        )))
        .colour(0x2e_cc_71);
    if let Some(note) = &view.note {
        e = e.field("Note", note.clone(), false);
    }
    e
}
