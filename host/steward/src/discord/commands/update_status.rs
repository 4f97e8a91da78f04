//! `/update_status`: versions, uptime, metrics and statistics, recent
//! sessions, with the status chart attached. Owners and admins.

use std::fmt::Write;

use poise::serenity_prelude as serenity;

use crate::discord::choice::{Choice, Choices};
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
    #[description = "List the update sessions of the range (default: false)"] show_history: Option<
        bool,
    >,
    #[description = "Disk, memory, statistics and the chart (default: true)"] show_metrics: Option<
        bool,
    >,
    #[description = "How far back to look (default: 7d)"] time_range: Option<Choice<StatusRange>>,
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
    let mut edit = serenity::EditInteractionResponse::new().embed(embed(&report));
    if let Some(png) = &report.chart {
        edit = edit.new_attachment(serenity::CreateAttachment::bytes(png.clone(), CHART));
    }
    Reply::of(ctx).edit_with_files(edit).await?;
    Ok(())
}

fn known(k: &Known) -> String {
    k.value
        .clone()
        .unwrap_or_else(|| format!("unknown ({})", k.note))
}

fn bytes(n: u64) -> String {
    format!("{:.1} GiB", n as f64 / (1024.0 * 1024.0 * 1024.0))
}

/// Cut to Discord's field limit.
fn field(text: String) -> String {
    if text.is_empty() {
        "-".to_string()
    } else {
        crate::discord::render::cut(&text, 1000, "…")
    }
}

fn embed(r: &StatusReport) -> serenity::CreateEmbed {
    let mut e = serenity::CreateEmbed::new()
        .title(format!("Status of {}", r.bot_name))
        .field("Bot version", known(&r.versions.bot), true)
        .field("Python", known(&r.versions.python), true)
        .field("Steward", r.versions.steward.clone(), true)
        .field(
            "Steward uptime",
            format!("since <t:{}:R>", r.uptime.steward_since.timestamp()),
            true,
        )
        .field("Bot uptime", field(known(&r.uptime.bot)), true)
        .field(
            "Last update",
            r.last_update
                .as_ref()
                .map(|s| {
                    format!(
                        "{} {:?} <t:{}:R>",
                        s.update_type,
                        s.status,
                        s.started_at.timestamp()
                    )
                })
                .unwrap_or_else(|| "none recorded".to_string()),
            true,
        )
        .colour(0x34_98_db);
    if let Some(m) = &r.metrics {
        let mut system = String::new();
        for d in &m.disks {
            let _ = writeln!(
                system,
                "Disk {}: {} free of {} ({:.0}% used)",
                d.path.display(),
                bytes(d.free_bytes),
                bytes(d.total_bytes),
                d.used_percent
            );
        }
        if let Some(mem) = &m.memory {
            let _ = writeln!(
                system,
                "Memory: {} available of {}; Steward {:.0} MiB",
                bytes(mem.available_bytes),
                bytes(mem.total_bytes),
                mem.steward_rss_bytes as f64 / (1024.0 * 1024.0)
            );
        }
        e = e.field("System", field(system), false);
        let u = &m.updates;
        let mut updates = format!(
            "{} finished: {} succeeded, {} failed; {} running, {} rollbacks\nSuccess rate {}, mean {}",
            u.count,
            u.succeeded,
            u.failed,
            u.running,
            u.rollbacks,
            u.success_rate
                .map_or("-".to_string(), |p| format!("{p:.1}%")),
            u.mean_duration_secs
                .map_or("-".to_string(), |s| format!("{s:.1} s"))
        );
        for (name, t) in &u.per_type {
            let _ = write!(updates, "\n{name}: {} ({} ok)", t.count, t.succeeded);
        }
        e = e.field(
            format!("Updates ({})", r.range.as_str()),
            field(updates),
            false,
        );
        let b = &m.backups;
        e = e.field(
            "Backups",
            format!(
                "{} kept, {:.1} MiB on disk, {} failed\nLast verified: {}",
                b.count,
                b.total_size_bytes as f64 / (1024.0 * 1024.0),
                b.failed,
                b.last_verified
                    .as_ref()
                    .map_or("never".to_string(), |v| format!(
                        "{} <t:{}:R> ({})",
                        v.id,
                        v.at.timestamp(),
                        if v.ok { "ok" } else { "failed" }
                    ))
            ),
            false,
        );
    }
    if let Some(history) = &r.history {
        let mut text = String::new();
        for s in history.iter().take(15) {
            let _ = writeln!(
                text,
                "`{}` {} {:?} <t:{}:R> by {}",
                s.id,
                s.update_type,
                s.status,
                s.started_at.timestamp(),
                s.initiated_by
            );
        }
        if history.len() > 15 {
            let _ = write!(text, "… and {} more", history.len() - 15);
        }
        e = e.field(
            format!("Sessions ({})", r.range.as_str()),
            field(text),
            false,
        );
    }
    if r.chart.is_some() {
        e = e.image(format!("attachment://{CHART}"));
    }
    e
}
