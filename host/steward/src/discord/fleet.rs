//! The fleet scope of the update commands (`scope:fleet` on
//! `/update_check`, `/update_install` and `/update_rollback`): the same
//! command carried across the fleet as a wave, with the permissions of
//! the single-host command, and the wave's embed. It renders and parses;
//! the fleet (steward-fleet) decides and runs.

use std::fmt::Write;
use std::sync::Arc;

use poise::serenity_prelude as serenity;
use steward_fleet::{Fleet, PartState, Phase, Wave, WaveAction};

use crate::discord::choice::{Choice, Choices};
use crate::discord::confirm;
use crate::discord::locale::{Lang, t};
use crate::discord::message::Reply;
use crate::discord::{CommandError, Context, caller};
use crate::engine::progress;

/// Where an update command acts: this host (the default) or every
/// instance of the fleet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Host,
    Fleet,
}

impl Choices for Scope {
    const NOUN: &'static str = "scope";
    const ALL: &'static [(&'static str, Scope)] = &[("host", Scope::Host), ("fleet", Scope::Fleet)];
}

/// Whether the command's `scope` option asks for the fleet.
pub fn wanted(scope: Option<Choice<Scope>>) -> bool {
    scope.is_some_and(|s| s.0 == Scope::Fleet)
}

/// Runs `action` across the fleet for the command's caller: refused
/// privately (before anything is shown) when fleet mode is off or the
/// caller may not run the same command on one host; install and rollback
/// ask for the Confirm button first when confirmation is on.
pub async fn run(ctx: Context<'_>, action: WaveAction) -> Result<(), CommandError> {
    let caller = caller(ctx);
    let lang = crate::discord::lang(ctx);
    let Some(fleet) = ctx.data().fleet.clone() else {
        // Who may not even see the status does not learn whether fleet mode is on.
        ctx.data()
            .service
            .authorize(&caller, crate::service::Operation::Status)?;
        ctx.send(
            poise::CreateReply::default()
                .content(t!(lang, "fleet-off"))
                .ephemeral(true),
        )
        .await?;
        return Ok(());
    };
    fleet.authorize(&caller, &action)?;
    ctx.defer().await?;
    let reply = Reply::of(ctx);
    let changes = !matches!(action, WaveAction::Check);
    if changes && ctx.data().service.confirmation_required(&caller)? {
        let instances = fleet.status(&caller).await?.instances.len();
        let (kind, target) = action_args(&action);
        let summary = t!(
            lang,
            "fleet-question",
            action = kind,
            target = target,
            count = instances
        );
        if confirm::ask(ctx, &summary).await? != confirm::Decision::Confirmed {
            // The prompt already says that nothing changed.
            return Ok(());
        }
    }
    let wave = follow(&reply, &fleet, &caller, action).await?;
    reply.show(wave_embed(lang, &wave)).await?;
    Ok(())
}

/// Runs the wave, editing the reply with how far it got as it moves.
async fn follow(
    reply: &Reply,
    fleet: &Arc<Fleet>,
    caller: &crate::service::Caller,
    action: WaveAction,
) -> Result<Wave, crate::service::ServiceError> {
    let (sender, mut receiver) = progress::channel();
    let (kind, target) = action_args(&action);
    let shown = reply.clone();
    let reporter = tokio::spawn(async move {
        while let Some(mut latest) = receiver.recv().await {
            while let Ok(newer) = receiver.try_recv() {
                latest = newer;
            }
            let text = t!(
                shown.lang,
                "fleet-progress",
                action = kind,
                target = target.clone(),
                done = latest.percent
            );
            if let Err(e) = shown.text(text).await {
                tracing::warn!("cannot show the wave's progress: {e}");
            }
        }
    });
    let wave = fleet.run_wave(caller, action, None, Some(&sender)).await;
    drop(sender);
    let _ = reporter.await;
    wave
}

/// The action as the catalogues' selectors name it, and its target.
pub fn action_args(action: &WaveAction) -> (&'static str, String) {
    match action {
        WaveAction::Install { update_type } => (
            "install",
            serde_json::to_value(update_type)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
        ),
        WaveAction::Rollback { target } => ("rollback", target.clone()),
        WaveAction::Check => ("check", String::new()),
    }
}

fn state_key(state: PartState) -> &'static str {
    match state {
        PartState::Waiting => "waiting",
        PartState::Running => "running",
        PartState::Done => "done",
        PartState::Failed => "failed",
        PartState::Undoing => "undoing",
        PartState::RolledBack => "rolled-back",
        PartState::UndoFailed => "undo-failed",
    }
}

/// A wave's end: each instance, batch by batch, with its state, its
/// versions and what it said; why the wave halted.
pub fn wave_embed(lang: Lang, w: &Wave) -> serenity::CreateEmbed {
    let (kind, target) = action_args(&w.action);
    let phase = serde_json::to_value(w.phase)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let mut text = String::new();
    for (n, batch) in w.batches.iter().enumerate() {
        for id in batch {
            let Some(p) = w.parts.get(id) else { continue };
            let line = t!(
                lang,
                "fleet-wave-part",
                batch = if n == 0 { 0 } else { n + 1 },
                instance = id.clone(),
                state = state_key(p.state),
                from = p.from_version.clone().unwrap_or_else(|| "?".to_string()),
                to = p
                    .to_version
                    .clone()
                    .or_else(|| p.from_version.clone())
                    .unwrap_or_else(|| "?".to_string())
            );
            let _ = write!(text, "{line}");
            if let Some(said) = &p.message {
                let _ = write!(text, " · {}", crate::discord::render::plain(said));
            }
            text.push('\n');
        }
    }
    if let Some(why) = &w.halted_because {
        let _ = write!(
            text,
            "\n{}",
            t!(
                lang,
                "fleet-wave-halted-because",
                why = crate::discord::render::plain(why)
            )
        );
    }
    serenity::CreateEmbed::new()
        .title(t!(
            lang,
            "fleet-wave-title",
            action = kind,
            target = target,
            phase = phase
        ))
        .description(crate::discord::render::cut(&text, 3500, "\n…"))
        .colour(if w.phase == Phase::Finished {
            0x2e_cc_71
        } else {
            0xe7_4c_3c
        })
}
