//! `/update_status`: versions, uptime, metrics and statistics, recent
//! sessions, with the status chart attached. Owners and admins.

use std::fmt::Write;

use poise::serenity_prelude as serenity;

use crate::discord::choice::{Choice, Choices};
use crate::discord::locale::{Lang, t};
use crate::discord::message::Reply;
use crate::discord::{CommandError, Context, caller};
use crate::service::StatusReport;
use crate::service::{Operation, StatusRequest};
use crate::status::{Known, StatusRange};

const CHART: &str = "status.png";

impl Choices for StatusRange {
    const NOUN: &'static str = "time range";
    const ALL: &'static [(&'static str, StatusRange)] = &[
        ("1d", StatusRange::Day),
        ("7d", StatusRange::Week),
        ("30d", StatusRange::Month),
    ];
}

/// Show Steward's and the bot's status, update history and metrics
#[poise::command(slash_command)]
pub async fn update_status(
    ctx: Context<'_>,
    show_history: Option<bool>,
    show_metrics: Option<bool>,
    time_range: Option<Choice<StatusRange>>,
) -> Result<(), CommandError> {
    let caller = caller(ctx);
    let service = ctx.data().service.clone();
    service.authorize(&caller, Operation::Status)?;
    ctx.defer().await?;
    let metrics = show_metrics.unwrap_or(true);
    let report = service
        .status(
            &caller,
            StatusRequest {
                history: show_history.unwrap_or(false),
                metrics,
                range: time_range.map_or(StatusRange::Week, |c| c.0),
                chart: metrics,
            },
        )
        .await?;
    let mut edit =
        serenity::EditInteractionResponse::new().embed(embed(crate::discord::lang(ctx), &report));
    if let Some(png) = &report.chart {
        edit = edit.new_attachment(serenity::CreateAttachment::bytes(png.clone(), CHART));
    }
    Reply::of(ctx).edit_with_files(edit).await?;
    Ok(())
}

fn known(lang: Lang, k: &Known) -> String {
    k.value
        .clone()
        .unwrap_or_else(|| t!(lang, "status-unknown", note = k.note.clone()))
}

fn gib(lang: Lang, n: u64) -> String {
    format!(
        "{} GiB",
        lang.number(n as f64 / (1024.0 * 1024.0 * 1024.0), 1)
    )
}

fn mib(lang: Lang, n: u64) -> String {
    lang.number(n as f64 / (1024.0 * 1024.0), 1)
}

/// Cut to Discord's field limit.
fn field(text: String) -> String {
    if text.is_empty() {
        "-".to_string()
    } else {
        crate::discord::render::cut(&text, 1000, "…")
    }
}

/// A session's end in the locale's words.
fn status_word(lang: Lang, s: &crate::status::SessionLine) -> String {
    let (kind, status) = crate::discord::render::update::session_args(s.kind, s.status);
    t!(lang, "session-status", kind = kind, status = status)
}

fn embed(lang: Lang, r: &StatusReport) -> serenity::CreateEmbed {
    let mut e = serenity::CreateEmbed::new()
        .title(t!(lang, "status-title", bot = r.bot_name.clone()))
        .field(
            t!(lang, "status-bot-version"),
            known(lang, &r.versions.bot),
            true,
        )
        .field("Python", known(lang, &r.versions.python), true)
        .field("Steward", r.versions.steward.clone(), true)
        .field(
            t!(lang, "status-steward-uptime"),
            t!(
                lang,
                "status-since",
                at = format!("<t:{}:R>", r.uptime.steward_since.timestamp())
            ),
            true,
        )
        .field(
            t!(lang, "status-bot-uptime"),
            field(known(lang, &r.uptime.bot)),
            true,
        )
        .field(
            t!(lang, "status-last-update"),
            r.last_update
                .as_ref()
                .map(|s| {
                    format!(
                        "{} {} <t:{}:R>",
                        s.update_type,
                        status_word(lang, s),
                        s.started_at.timestamp()
                    )
                })
                .unwrap_or_else(|| t!(lang, "status-none-recorded")),
            true,
        )
        .colour(0x34_98_db);
    if let Some(m) = &r.metrics {
        let mut system = String::new();
        for d in &m.disks {
            let _ = writeln!(
                system,
                "{}",
                t!(
                    lang,
                    "status-disk",
                    path = d.path.display().to_string(),
                    free = gib(lang, d.free_bytes),
                    total = gib(lang, d.total_bytes),
                    used = lang.number(d.used_percent, 0)
                )
            );
        }
        if let Some(mem) = &m.memory {
            let _ = writeln!(
                system,
                "{}",
                t!(
                    lang,
                    "status-memory",
                    available = gib(lang, mem.available_bytes),
                    total = gib(lang, mem.total_bytes),
                    steward = mib(lang, mem.steward_rss_bytes)
                )
            );
        }
        e = e.field(t!(lang, "status-system"), field(system), false);
        let u = &m.updates;
        let mut updates = t!(
            lang,
            "status-updates",
            count = u.count,
            succeeded = u.succeeded,
            failed = u.failed,
            running = u.running,
            rollbacks = u.rollbacks,
            rate = u
                .success_rate
                .map_or("-".to_string(), |p| format!("{}%", lang.number(p, 1))),
            mean = u
                .mean_duration_secs
                .map_or("-".to_string(), |s| format!("{} s", lang.number(s, 1)))
        );
        for (name, t) in &u.per_type {
            let _ = write!(
                updates,
                "\n{}",
                t!(
                    lang,
                    "status-updates-type",
                    types = name.to_string(),
                    count = t.count,
                    ok = t.succeeded
                )
            );
        }
        e = e.field(
            t!(lang, "status-updates-title", range = r.range.as_str()),
            field(updates),
            false,
        );
        let b = &m.backups;
        let last_verified = b.last_verified.as_ref().map_or_else(
            || t!(lang, "status-never"),
            |v| {
                format!(
                    "{} <t:{}:R> ({})",
                    v.id,
                    v.at.timestamp(),
                    t!(lang, if v.ok { "status-ok" } else { "status-failed" })
                )
            },
        );
        e = e.field(
            t!(lang, "status-backups"),
            t!(
                lang,
                "status-backups-text",
                count = b.count,
                size = mib(lang, b.total_size_bytes),
                failed = b.failed,
                verified = last_verified
            ),
            false,
        );
    }
    if let Some(history) = &r.history {
        let mut text = String::new();
        for s in history.iter().take(15) {
            let _ = writeln!(
                text,
                "`{}` {}",
                s.id,
                t!(
                    lang,
                    "status-session",
                    types = s.update_type.to_string(),
                    status = status_word(lang, s),
                    at = format!("<t:{}:R>", s.started_at.timestamp()),
                    by = s.initiated_by.to_string()
                )
            );
        }
        if history.len() > 15 {
            let _ = write!(text, "{}", t!(lang, "and-more", count = history.len() - 15));
        }
        e = e.field(
            t!(lang, "status-sessions-title", range = r.range.as_str()),
            field(text),
            false,
        );
    }
    if r.chart.is_some() {
        e = e.image(format!("attachment://{CHART}"));
    }
    e
}
