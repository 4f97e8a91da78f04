//! `/update_schedule`: adds a scheduled update run (or, with
//! `update_types:backup`, a scheduled backup) and shows when it runs next,
//! in the configured zone. Under the answer, every schedule is listed with
//! buttons to enable, disable or remove it (also under the refusal when
//! `scheduling.max_schedules` is reached, so one can be removed there).
//! Owners only: each press is the presser's own request, judged by the
//! service.

use futures::StreamExt;
use poise::serenity_prelude as serenity;

use crate::discord::choice::{Choice, Choices};
use crate::discord::errors::service_message;
use crate::discord::locale::{Lang, t};
use crate::discord::message::Reply;
use crate::discord::render::choice_name;
use crate::discord::{CommandError, Context, Data, caller};
use crate::schedule::{ScheduleError, ScheduleKind, ScheduleType};
use crate::service::{
    Caller, DiscordCaller, ScheduleRequest, ScheduleView, SchedulesView, ServiceError,
};
use crate::settings::value::type_names;

impl Choices for ScheduleType {
    const NOUN: &'static str = "choice-noun-schedule-type";
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
    let lang = crate::discord::lang(ctx);
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
    );
    let reply = match added {
        Ok(added) => poise::CreateReply::default().embed(embed(lang, &added)),
        // The one refusal the panel answers: remove a schedule, then add.
        Err(e @ ServiceError::Schedule(ScheduleError::TooMany { .. })) => {
            poise::CreateReply::default()
                .content(service_message(lang, &e))
                .ephemeral(true)
        }
        Err(e) => return Err(e.into()),
    };
    let list = service.schedule_list(&caller)?;
    let poise::Context::Application(app) = ctx else {
        return Ok(());
    };
    let panel = Panel {
        id: app.interaction.id.get(),
    };
    // Listening before the buttons are shown: a press can come at once.
    let presses = panel.presses(ctx);
    ctx.send(
        reply
            .embed(list_embed(lang, &list))
            .components(panel.buttons(lang, &list)),
    )
    .await?;
    panel.serve(ctx, presses).await?;
    Ok(())
}

/// Schedules that get buttons: two per schedule, four to a row, five rows.
const WITH_BUTTONS: usize = 10;

/// The buttons under one answer. Their custom ids name the answer (the
/// command's interaction id), the action and the schedule:
/// `steward:schedule:ANSWER:disable:s2`.
struct Panel {
    id: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Enable,
    Disable,
    Remove,
}

impl Action {
    fn word(self) -> &'static str {
        match self {
            Action::Enable => "enable",
            Action::Disable => "disable",
            Action::Remove => "remove",
        }
    }
}

impl Panel {
    fn prefix(&self) -> String {
        format!("steward:schedule:{}:", self.id)
    }

    fn custom_id(&self, action: Action, schedule: &str) -> String {
        format!("{}{}:{schedule}", self.prefix(), action.word())
    }

    /// The action and schedule id of one of this panel's buttons.
    fn parse(&self, custom_id: &str) -> Option<(Action, String)> {
        let rest = custom_id.strip_prefix(&self.prefix())?;
        let (action, schedule) = rest.split_once(':')?;
        let action = [Action::Enable, Action::Disable, Action::Remove]
            .into_iter()
            .find(|a| a.word() == action)?;
        Some((action, schedule.to_string()))
    }

    fn buttons(&self, lang: Lang, list: &SchedulesView) -> Vec<serenity::CreateActionRow> {
        let buttons: Vec<serenity::CreateButton> = list
            .schedules
            .iter()
            .take(WITH_BUTTONS)
            .flat_map(|v| {
                let s = &v.schedule;
                let label = |key: &str| -> String {
                    t!(lang, key, label = s.label()).chars().take(80).collect()
                };
                let toggle = if s.enabled {
                    serenity::CreateButton::new(self.custom_id(Action::Disable, &s.id))
                        .label(label("schedule-button-disable"))
                        .style(serenity::ButtonStyle::Secondary)
                } else {
                    serenity::CreateButton::new(self.custom_id(Action::Enable, &s.id))
                        .label(label("schedule-button-enable"))
                        .style(serenity::ButtonStyle::Success)
                };
                let remove = serenity::CreateButton::new(self.custom_id(Action::Remove, &s.id))
                    .label(label("schedule-button-remove"))
                    .style(serenity::ButtonStyle::Danger);
                [toggle, remove]
            })
            .collect();
        buttons
            .chunks(4)
            .map(|row| serenity::CreateActionRow::Buttons(row.to_vec()))
            .collect()
    }

    /// Every press of this panel's buttons, from now on.
    fn presses(
        &self,
        ctx: Context<'_>,
    ) -> impl futures::Stream<Item = serenity::ComponentInteraction> + Unpin + use<> {
        let prefix = self.prefix();
        serenity::ComponentInteractionCollector::new(ctx.serenity_context())
            .filter(move |press| press.data.custom_id.starts_with(&prefix))
            .stream()
    }

    /// Answers presses until none comes for `discord.confirm_timeout_seconds`,
    /// then takes the buttons away (the list stays as it was last shown).
    async fn serve(
        &self,
        ctx: Context<'_>,
        mut presses: impl futures::Stream<Item = serenity::ComponentInteraction> + Unpin,
    ) -> Result<(), serenity::Error> {
        let data = ctx.data();
        let idle = data.confirm_timeout;
        while let Ok(Some(press)) = tokio::time::timeout(idle, presses.next()).await {
            let Some((action, id)) = self.parse(&press.data.custom_id) else {
                continue;
            };
            let lang = Lang::for_tag(&press.locale);
            let caller = presser(data, &press);
            let service = &data.service;
            let done = match action {
                Action::Enable | Action::Disable => service
                    .schedule_enable(&caller, &id, action == Action::Enable)
                    .map(|v| v.schedule.label()),
                Action::Remove => service.schedule_remove(&caller, &id).map(|s| s.label()),
            };
            // Listed as the presser may see it: they were just allowed.
            let answer = match done.and_then(|label| Ok((label, service.schedule_list(&caller)?))) {
                Ok((label, list)) => {
                    let key = match action {
                        Action::Enable => "schedule-panel-enabled",
                        Action::Disable => "schedule-panel-disabled",
                        Action::Remove => "schedule-panel-removed",
                    };
                    serenity::CreateInteractionResponse::UpdateMessage(
                        serenity::CreateInteractionResponseMessage::new()
                            .content(t!(
                                lang,
                                key,
                                label = label,
                                user = format!("<@{}>", press.user.id)
                            ))
                            .embeds(vec![list_embed(lang, &list)])
                            .components(self.buttons(lang, &list)),
                    )
                }
                Err(e) => serenity::CreateInteractionResponse::Message(
                    serenity::CreateInteractionResponseMessage::new()
                        .content(service_message(lang, &e))
                        .ephemeral(true),
                ),
            };
            // One answer Discord refused does not end the panel.
            if let Err(e) = press.create_response(ctx.serenity_context(), answer).await {
                tracing::warn!("cannot answer a schedule button: {e}");
            }
        }
        Reply::of(ctx)
            .edit(serenity::EditInteractionResponse::new().components(Vec::new()))
            .await
    }
}

/// The facts about whoever pressed, for the service to judge, as
/// `discord::caller` gives them for a command.
fn presser(data: &Data, press: &serenity::ComponentInteraction) -> Caller {
    let member = press.member.as_ref();
    Caller::Discord(DiscordCaller {
        user_id: press.user.id.get(),
        app_owner: data.app_owners.contains(&press.user.id),
        administrator: member
            .and_then(|m| m.permissions)
            .is_some_and(|p| p.administrator()),
        roles: member
            .map(|m| m.roles.iter().map(|r| r.get()).collect())
            .unwrap_or_default(),
    })
}

/// Every schedule: when it runs, what it does, and its next run or that
/// it is disabled.
fn list_embed(lang: Lang, list: &SchedulesView) -> serenity::CreateEmbed {
    let mut text = String::new();
    for v in &list.schedules {
        let s = &v.schedule;
        let state = match &v.next_run_local {
            Some(at) => t!(lang, "schedule-list-next", at = at.clone()),
            None => t!(lang, "schedule-disabled"),
        };
        text.push_str(&format!(
            "**{}** · {} · {} · {}\n",
            s.label(),
            when(lang, s),
            what(lang, s).1,
            state
        ));
    }
    if list.schedules.is_empty() {
        text = t!(lang, "schedule-list-none");
    } else if list.schedules.len() > WITH_BUTTONS {
        text.push_str(&t!(lang, "schedule-list-no-buttons", count = WITH_BUTTONS));
    }
    serenity::CreateEmbed::new()
        .title(t!(
            lang,
            "schedule-list-title",
            count = list.schedules.len(),
            max = list.max_schedules
        ))
        .description(crate::discord::render::cut(&text, 4000, "\n…"))
        .footer(serenity::CreateEmbedFooter::new(t!(
            lang,
            "schedule-list-zone",
            zone = list.timezone.clone()
        )))
        .colour(0x34_98_db)
}

fn when(lang: Lang, s: &crate::schedule::Schedule) -> String {
    let how_often = choice_name(lang, s.schedule_type.as_str());
    if s.update_days.is_empty() {
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
    }
}

/// What a schedule does (the field's name) and to what.
fn what(lang: Lang, s: &crate::schedule::Schedule) -> (String, String) {
    match (s.kind, s.max_backups_to_keep) {
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
    }
}

fn embed(lang: Lang, view: &ScheduleView) -> serenity::CreateEmbed {
    let s = &view.schedule;
    let when = when(lang, s);
    let (does, what) = what(lang, s);
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
