//! The fleet scope of the update commands (`scope:fleet` on
//! `/update_check`, `/update_install` and `/update_rollback`): the same
//! command carried across the fleet as a wave, with the permissions of
//! the single-host command, and the wave's embed. It renders and parses;
//! the fleet (steward-fleet) decides and runs.

use std::fmt::Write;
use std::sync::Arc;

use poise::serenity_prelude as serenity;
use steward_fleet::{
    Answer, Fleet, Halt, Halted, Occupant, PartFault, PartState, Phase, Standing, Wave, WaveAction,
};

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
    const NOUN: &'static str = "choice-noun-scope";
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
            if let Some(fault) = &p.fault {
                let fault = crate::discord::render::plain(&part_fault(lang, fault));
                let _ = write!(text, " · {fault}");
            } else if let Some(secs) = silent(w, id) {
                let _ = write!(text, " · {}", t!(lang, "fleet-part-silent", secs = secs));
            } else if let Some(said) = &p.answer {
                let said = crate::discord::render::plain(&answer(lang, said));
                let _ = write!(text, " · {said}");
            } else if let Some(said) = &p.message {
                let _ = write!(text, " · {}", crate::discord::render::plain(said));
            }
            text.push('\n');
        }
    }
    if let Some(why) = w.halted() {
        let _ = write!(
            text,
            "\n{}",
            t!(
                lang,
                "fleet-wave-halted-because",
                why = crate::discord::render::plain(&halted(lang, &why))
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

/// How long `instance` was silent when the wave halted for it (the
/// leader's words, typed), if that is why it failed.
fn silent(w: &Wave, instance: &str) -> Option<u64> {
    let Some(Halt::Failed { parts }) = &w.halt else {
        return None;
    };
    parts.iter().find_map(|p| match p.why {
        PartFault::Silent { secs } if p.instance == instance => Some(secs),
        _ => None,
    })
}

/// An action as a wave's line names it: `install bot`, `rollback to 1.4.0`,
/// `check`, with the release it is pinned to and its group.
fn action_words(
    lang: Lang,
    action: &WaveAction,
    pinned: Option<&str>,
    group: Option<&str>,
) -> String {
    let (kind, target) = action_args(action);
    let mut words = t!(
        lang,
        "fleet-standing-action",
        action = kind,
        target = target
    );
    if let Some(v) = pinned {
        words = t!(
            lang,
            "fleet-standing-pinned",
            action = words,
            version = v.to_string()
        );
    }
    if let Some(g) = group {
        words = t!(
            lang,
            "fleet-standing-in-group",
            action = words,
            group = g.to_string()
        );
    }
    words
}

/// Why a part failed, in `lang`; what an instance said stays as it said it.
pub(crate) fn part_fault(lang: Lang, why: &PartFault) -> String {
    match why {
        PartFault::Reported {
            answer: Some(said), ..
        } => answer(lang, said),
        PartFault::Reported { message, .. } => message.clone(),
        PartFault::Silent { secs } => t!(lang, "fleet-part-silent", secs = *secs),
        PartFault::RollbackSilent { secs } => {
            t!(lang, "fleet-part-rollback-silent", secs = *secs)
        }
    }
}

/// What an instance answered about its part, in `lang` (the reader's,
/// not the instance's); versions, names and what a session or the system
/// said stay as given.
pub(crate) fn answer(lang: Lang, said: &Answer) -> String {
    match said {
        Answer::Checked { offered, failed } => t!(
            lang,
            "fleet-answer-checked",
            offered = *offered,
            failed = *failed
        ),
        Answer::Session {
            status,
            error,
            reason,
        } => {
            let status = Answer::status_name(*status);
            match (reason, error) {
                (Some(reason), _) => t!(
                    lang,
                    "fleet-answer-session-why",
                    status = status,
                    why = super::progress::failure(lang, reason)
                ),
                (None, Some(error)) => t!(
                    lang,
                    "fleet-answer-session-why",
                    status = status,
                    why = error.clone()
                ),
                (None, None) => t!(lang, "fleet-answer-session", status = status),
            }
        }
        Answer::NoSession => t!(lang, "fleet-answer-no-session"),
        Answer::PinnedOther { offered, pinned } => t!(
            lang,
            "fleet-answer-pinned-other",
            offered = offered.clone(),
            pinned = pinned.clone()
        ),
        Answer::PinnedNotOffered { pinned, running } => t!(
            lang,
            "fleet-answer-pinned-not-offered",
            pinned = pinned.clone(),
            running = match running {
                Some(v) => v.clone(),
                None => t!(lang, "fleet-answer-unknown-version"),
            }
        ),
        Answer::Busy { .. } | Answer::SafetyStop { .. } => match said.install_error() {
            Some(e) => super::errors::install_message(lang, &e),
            None => said.to_string(),
        },
        Answer::Bot { fault } => t!(
            lang,
            "error-bot",
            error = super::progress::bot_fault(lang, fault)
        ),
    }
}

/// Why a wave halted, in `lang`; what an instance said stays as it said
/// it, and a wave an older Steward wrote keeps its English.
pub(crate) fn halted(lang: Lang, why: &Halted) -> String {
    match why {
        Halted::Typed(Halt::NoInstance { group: Some(g) }) => {
            t!(lang, "fleet-halt-no-instance-of-group", group = g.clone())
        }
        Halted::Typed(Halt::NoInstance { group: None }) => t!(lang, "fleet-halt-no-instance"),
        Halted::Typed(Halt::Failed { parts }) => parts
            .iter()
            .map(|p| {
                let why = part_fault(lang, &p.why);
                t!(
                    lang,
                    "fleet-halt-part-failed",
                    canary = if p.canary { "yes" } else { "no" },
                    instance = p.instance.clone(),
                    why = why
                )
            })
            .collect::<Vec<_>>()
            .join(&t!(lang, "failure-separator")),
        Halted::Written(english) => english.clone(),
    }
}

/// Where a wave stands (its progress line), in `lang`.
pub(crate) fn standing(lang: Lang, s: &Standing) -> String {
    let action = action_words(lang, &s.action, s.pinned.as_deref(), s.group.as_deref());
    let why = || match &s.halted {
        Some(h) => halted(lang, h),
        None => t!(lang, "fleet-standing-part-failed"),
    };
    match s.phase {
        Phase::Planning => t!(lang, "fleet-standing-planning", action = action),
        Phase::Running => {
            let batch = if s.batch == 0 {
                t!(lang, "fleet-standing-canary-batch")
            } else {
                t!(
                    lang,
                    "fleet-standing-batch",
                    number = s.batch + 1,
                    count = s.batches
                )
            };
            let members = s
                .members
                .iter()
                .map(|(id, state)| {
                    t!(
                        lang,
                        "fleet-standing-member",
                        instance = id.clone(),
                        state = state_key(state.unwrap_or(PartState::Waiting))
                    )
                })
                .collect::<Vec<_>>()
                .join(&t!(lang, "fleet-list-separator"));
            t!(
                lang,
                "fleet-standing-running",
                action = action,
                batch = batch,
                members = members
            )
        }
        Phase::Halting => t!(lang, "fleet-standing-halting", action = action, why = why()),
        Phase::Finished => t!(lang, "fleet-standing-finished", action = action),
        Phase::Halted => t!(lang, "fleet-standing-halted", action = action, why = why()),
    }
}

/// Who holds the fleet, in `lang`; the moment as the CLI writes it.
pub(crate) fn occupant(lang: Lang, who: &Occupant) -> String {
    const AT: &str = "%Y-%m-%d %H:%M:%S";
    match who {
        Occupant::Update {
            by,
            doing,
            instance,
            since,
        } => t!(
            lang,
            "fleet-occupant-update",
            by = by.clone(),
            doing = doing.clone(),
            instance = instance.clone(),
            since = since.format(AT).to_string()
        ),
        Occupant::Wave {
            id,
            action,
            requested_by,
            requested_at,
        } => t!(
            lang,
            "fleet-occupant-wave",
            id = id.clone(),
            action = action_words(lang, action, None, None),
            by = requested_by.clone(),
            at = requested_at.format(AT).to_string()
        ),
        Occupant::Unknown => t!(lang, "fleet-occupant-unknown"),
    }
}
