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
    const NOUN: &'static str = "choice-noun-status-range";
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
    let lang = crate::discord::lang(ctx);
    let mut edit = serenity::EditInteractionResponse::new().embed(embed(lang, &report));
    if let Some(fleet) = ctx.data().fleet.clone() {
        edit = edit.add_embed(fleet_embed(lang, fleet.status(&caller).await));
    }
    if let Some(history) = history(lang, &report) {
        edit = edit.add_embed(history);
    }
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

/// Room for the history in its own embed (a description takes 4096
/// characters; all of a message's embeds together 6000).
const HISTORY_MAX: usize = 3500;
/// A session's reason in the history: enough to know what went wrong,
/// short enough to leave room for the others (its log has all of it).
const REASON_MAX: usize = 300;

/// The sessions of the range, newest first, each with where its log is:
/// its id and the `steward logs ID` that prints it on the server.
fn history(lang: Lang, r: &StatusReport) -> Option<serenity::CreateEmbed> {
    let history = r.history.as_ref()?;
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
        if let Some(error) = &s.error {
            let reason = crate::discord::render::update::reason(lang, error, s.reason.as_ref());
            let _ = writeln!(
                text,
                "\u{2003}{}",
                t!(
                    lang,
                    "status-session-reason",
                    reason = crate::discord::render::cut(&reason, REASON_MAX, "…")
                )
            );
        }
        if s.log {
            let _ = writeln!(
                text,
                "\u{2003}{}",
                t!(
                    lang,
                    "status-session-log",
                    command = format!("`steward logs {}`", s.id)
                )
            );
        }
    }
    if history.len() > 15 {
        let _ = write!(text, "{}", t!(lang, "and-more", count = history.len() - 15));
    }
    if text.is_empty() {
        text = t!(lang, "status-none-recorded");
    }
    Some(
        serenity::CreateEmbed::new()
            .title(t!(lang, "status-sessions-title", range = r.range.as_str()))
            .description(crate::discord::render::cut(&text, HISTORY_MAX, "\n…"))
            .colour(0x34_98_db),
    )
}

/// In fleet mode: every instance's version, health and last result, and
/// the wave in progress (or the last one). etcd out of reach is said, not
/// a failure of the whole status.
fn fleet_embed(
    lang: Lang,
    status: Result<steward_fleet::FleetStatus, crate::service::ServiceError>,
) -> serenity::CreateEmbed {
    let e = serenity::CreateEmbed::new().colour(0x34_98_db);
    let s = match status {
        Ok(s) => s,
        Err(err) => {
            return e
                .title(t!(lang, "status-fleet-unreachable-title"))
                .description(field(crate::discord::errors::service_message(lang, &err)));
        }
    };
    let mut text = String::new();
    for r in &s.instances {
        let last = r.last_result.as_ref().map_or_else(
            || t!(lang, "status-none-recorded"),
            |l| format!("{} <t:{}:R>", l.status, l.at.timestamp()),
        );
        let _ = writeln!(
            text,
            "{}",
            t!(
                lang,
                "status-fleet-instance",
                instance = r.id.clone(),
                group = r.group.clone(),
                version = r.bot_version.clone().unwrap_or_else(|| "?".to_string()),
                health = r.health.replace(' ', "-"),
                last = last
            )
        );
    }
    let wave = s.wave.as_ref().or(s.last_wave.as_ref());
    if let Some(w) = wave {
        let (action, target) = match &w.action {
            steward_fleet::WaveAction::Install { update_type } => (
                "install",
                serde_json::to_value(update_type)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
            ),
            steward_fleet::WaveAction::Rollback { target } => ("rollback", target.clone()),
            steward_fleet::WaveAction::Check => ("check", String::new()),
        };
        let phase = serde_json::to_value(w.phase)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let _ = write!(
            text,
            "\n{}",
            t!(
                lang,
                "status-fleet-wave",
                id = w.id.clone(),
                action = action,
                target = target,
                phase = phase,
                done = w.percent()
            )
        );
        if let Some(why) = w.halted() {
            let _ = write!(text, "\n{}", crate::discord::fleet::halted(lang, &why));
        }
    }
    e.title(t!(
        lang,
        "status-fleet-title",
        fleet = s.fleet.clone(),
        count = s.instances.len(),
        leader = s.leader.clone().unwrap_or_else(|| "-".to_string())
    ))
    .description(crate::discord::render::cut(&text, 3000, "\n…"))
}

/// A session's end in the locale's words.
fn status_word(lang: Lang, s: &crate::status::SessionLine) -> String {
    let (kind, status) = crate::discord::render::update::session_args(s.kind, s.status);
    t!(lang, "session-status", kind = kind, status = status)
}

/// The providers that need an operator: not loaded (and why), waiting
/// for a grant (and what they ask), partly granted (and what is left out);
/// `None` when every provider loaded and runs with all it asks.
fn providers(lang: Lang, r: &StatusReport) -> Option<String> {
    let plain = crate::discord::render::plain;
    let mut lines = Vec::new();
    for line in &r.providers_not_loaded {
        lines.push(t!(lang, "status-provider-not-loaded", line = plain(line)));
    }
    for p in &r.providers_waiting {
        lines.push(t!(
            lang,
            "status-provider-waiting",
            provider = plain(&p.provider),
            asks = plain(&p.capabilities.join(", "))
        ));
    }
    for p in &r.providers_partial {
        lines.push(t!(
            lang,
            "status-provider-partial",
            provider = plain(&p.provider),
            missing = plain(&p.capabilities.join(", "))
        ));
    }
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// The offsite targets whose copies failed and wait for the next copy:
/// which backups each lacks and why; `None` when every copy went through.
fn copies_failed(lang: Lang, r: &StatusReport) -> Option<String> {
    let plain = crate::discord::render::plain;
    let lines: Vec<String> = r
        .copies_failed
        .iter()
        .map(|c| {
            let mut backups = c
                .backups
                .iter()
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            if c.backups.len() > 3 {
                backups.push_str(&t!(
                    lang,
                    "status-copy-failed-more",
                    count = c.backups.len() - 3
                ));
            }
            t!(
                lang,
                "status-copy-failed",
                target = plain(&c.target),
                count = c.backups.len(),
                backups = plain(&backups),
                error =
                    crate::discord::render::backup::offsite_error(lang, c.fault.as_ref(), &c.error)
            )
        })
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
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
    if let Some(text) = providers(lang, r) {
        e = e.field(t!(lang, "status-providers-title"), field(text), false);
    }
    if let Some(text) = copies_failed(lang, r) {
        e = e.field(t!(lang, "status-copies-failed-title"), field(text), false);
    }
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
    if let Some(impact) = &r.last_impact {
        e = e.field(
            t!(lang, "impact-title"),
            crate::discord::render::update::impact_text(lang, impact),
            false,
        );
    }
    // Issue 23: the last update's download saving and switch downtime.
    if let Some(delivery) = r.last_delivery.as_ref().filter(|d| !d.downloads.is_empty()) {
        e = e.field(
            t!(lang, "delivery-title"),
            crate::discord::render::update::delivery_text(lang, delivery),
            false,
        );
    }
    if let Some(switch) = r.last_delivery.as_ref().and_then(|d| d.switch.as_ref()) {
        e = e.field(
            t!(lang, "switch-title"),
            crate::discord::render::update::switch_text(lang, switch),
            false,
        );
    }
    if let Some(drift) = &r.drift {
        let checked = drift
            .checked_at
            .map(|t| format!("<t:{}:R>", t.timestamp()))
            .unwrap_or_default();
        let mut text = t!(
            lang,
            "status-drift",
            count = drift.drifted.len(),
            checked = checked
        );
        let share = 600 / drift.drifted.len().max(1);
        let mut headers = text.clone();
        for d in &drift.drifted {
            let header = crate::discord::render::notice::drift_source(lang, d);
            headers.push_str(&format!("\n{header}"));
            text.push_str(&format!(
                "\n{header}\n```diff\n{}\n```",
                crate::service::announce::clipped(&d.diff, share).replace("```", "'''")
            ));
        }
        // A field holds 1024 characters: the diffs go first when they do not fit.
        if text.chars().count() > 1024 {
            text = crate::service::announce::clipped(&headers, 1020);
        }
        e = e.field(t!(lang, "status-drift-title"), text, false);
    }
    if r.chart.is_some() {
        e = e.image(format!("attachment://{CHART}"));
    }
    e
}
