//! The install transaction, as in DESIGN.md's data flow: lock, check, plan,
//! safety checks, capture, pre-update backup, apply step by step (journaled
//! before and after each step), verify, restart with health probation, then
//! commit — or undo everything (`undo`): the providers' restore plans in
//! reverse, the database from the backup when the new version ran, the bot
//! restarted on the old version. `recover` finishes what a stopped Steward
//! left in the journal. Fronts never call this directly: the service does.

pub mod journal;
pub use steward_core::lock;
mod reason;
mod rollback;

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use serde::Serialize;

pub use lock::{Holder, LockError, UpdateLock};
pub use rollback::{RollbackRequest, RollbackTarget, restored_backup, rollback, rollback_targets};

use self::journal::{Journal, Part, Phase};
use super::UpdateType;
use super::apply::{self, ApplyContext};
use super::progress::{Failure, ProgressSender, Step};
use super::session::{self, Session, SessionKind, SessionPart, SessionStatus};
use crate::backup::{self, BackupType, Backups};
use crate::config::Config;
use crate::logs::SessionLog;
use crate::provider::{Action, Detail, KeyChange, KeyChangeKind, Plan, Update, UpdateKind};
use crate::runtime::{LoadedProvider, ProviderEntry, Runtime};
use crate::store::{Store, StoreError};
use crate::supervisor::{RestoreControl, Supervisor};

/// What a transaction works with.
#[derive(Clone)]
pub struct Env {
    pub config: Config,
    pub runtime: Arc<Runtime>,
    pub store: Store,
    pub supervisor: Supervisor,
}

/// Fields left out of a request (over the control API) take the safe
/// defaults: every type, backup first, restart when asked, never forced.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct InstallRequest {
    #[serde(alias = "type")]
    pub update_type: UpdateType,
    /// Take the pre-update backup.
    pub backup: bool,
    /// Restart the bot when a plan asks for it.
    pub restart: bool,
    /// Go ahead despite the safety warnings (never skips verification).
    pub force: bool,
    pub backup_name: Option<String>,
    /// Show the plans; change nothing.
    pub dry_run: bool,
}

impl Default for InstallRequest {
    fn default() -> InstallRequest {
        InstallRequest {
            update_type: UpdateType::All,
            backup: true,
            restart: true,
            force: false,
            backup_name: None,
            dry_run: false,
        }
    }
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct InstallOutcome {
    /// The session; `None` for a dry run.
    pub session: Option<Session>,
    /// Every plan as text (dry run only).
    pub dry_run: Option<String>,
    /// Notes such as a restart left to the operator, and the safety
    /// warnings `force` went past (the English of `notes`).
    pub warnings: Vec<String>,
    /// The same, typed, so fronts word them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Warning>,
    /// The updates planned, one line each (`provider: name a -> b`).
    pub planned: Vec<String>,
    /// What would stop this install unless forced (a dry run's findings).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub safety: Vec<SafetyFinding>,
    /// What went wrong while undoing a failed run.
    pub rollback_errors: Vec<String>,
    /// The same, typed, so fronts word it (`rollback_errors` is the English).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_undone: Vec<steward_core::progress::Failure>,
    /// What the bot release planned changes in its slash commands (a dry
    /// run's findings; see [`command_changes`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commands: Vec<KeyChange>,
    /// What the impact watch measured before and after (when it ran).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<crate::impact::Impact>,
    /// What the downloads cost against the full archives (a delta's saving).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<crate::delivery::Delivery>,
    /// Why the run failed, typed, when Steward says it itself (the
    /// session's `error` says it in English).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<steward_core::progress::Failure>,
    /// The backup repository's password file, when the pre-update backup
    /// created it: the answer tells the operator, once, to keep a copy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_created: Option<std::path::PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    #[error("an update is already in progress")]
    InProgress(Option<Holder>),
    #[error("the update was stopped by safety checks: {}", join(.warnings))]
    SafetyStop { warnings: Vec<SafetyFinding> },
    /// An install (not a dry run) was asked to run without holding the
    /// update lock.
    #[error("an install needs the update lock")]
    NoLock,
    /// The backups cannot be opened for a rollback.
    #[error(transparent)]
    Backups(backup::BackupError),
    /// The update lock's file cannot be used.
    #[error("cannot use {}: {error}", path.display())]
    LockUnusable {
        path: std::path::PathBuf,
        error: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write the journal: {0}")]
    Journal(std::io::Error),
    #[error("there is no completed backup to roll back to")]
    NoBackup,
    #[error("no update on record started from version {target}")]
    UnknownTarget { target: String, known: Vec<String> },
}

pub use steward_core::failure::SafetyFinding;
pub use steward_core::warning::Warning;

fn join(findings: &[SafetyFinding]) -> String {
    findings
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// What an install would do, decided before anything runs: fronts show it
/// and ask, or stop, by the variant (never by its text).
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[serde(tag = "preview", rename_all = "snake_case")]
pub enum InstallPreview {
    /// Every matching source is up to date.
    NothingToDo { warnings: Vec<Warning> },
    /// The safety checks refuse, and the request does not force.
    Stopped {
        findings: Vec<SafetyFinding>,
        /// The updates that were stopped (`provider: name a -> b`).
        #[serde(default)]
        updates: Vec<String>,
    },
    /// What will run once confirmed.
    Planned(InstallPlan),
}

/// The plan an install preview shows before it is confirmed.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct InstallPlan {
    /// The updates planned, one line each (`provider: name a -> b`).
    pub updates: Vec<String>,
    /// Every step as text (downloads, commands, file diffs).
    pub steps: String,
    /// Notes, such as a restart left to the operator.
    pub warnings: Vec<Warning>,
    /// The safety findings `force` will go past.
    pub forced_past: Vec<SafetyFinding>,
    /// What the bot release changes in its slash commands: commands,
    /// options and default permissions added, removed or changed.
    #[serde(default)]
    pub commands: Vec<KeyChange>,
}

impl From<LockError> for InstallError {
    fn from(e: LockError) -> Self {
        match e {
            LockError::Held(holder) => InstallError::InProgress(holder),
            LockError::Io { path, source } => InstallError::LockUnusable {
                path,
                error: source.to_string(),
            },
        }
    }
}

impl InstallOutcome {
    /// The end of a run that got as far as a session.
    pub(crate) fn ran(
        session: Session,
        notes: Vec<Warning>,
        not_undone: Vec<steward_core::progress::Failure>,
    ) -> InstallOutcome {
        InstallOutcome {
            session: Some(session),
            dry_run: None,
            warnings: notes.iter().map(ToString::to_string).collect(),
            notes,
            planned: Vec::new(),
            safety: Vec::new(),
            rollback_errors: not_undone.iter().map(ToString::to_string).collect(),
            not_undone,
            commands: Vec::new(),
            impact: None,
            delivery: None,
            failure: None,
            password_created: None,
        }
    }
}

/// Why a run failed: `typed` when Steward says it itself, so fronts word
/// it; `text` is the English either way.
pub(crate) struct Reason {
    text: String,
    typed: Option<steward_core::progress::Failure>,
}

impl From<String> for Reason {
    fn from(text: String) -> Reason {
        Reason { text, typed: None }
    }
}

impl From<steward_core::progress::Failure> for Reason {
    fn from(failure: steward_core::progress::Failure) -> Reason {
        Reason {
            text: failure.to_string(),
            typed: Some(failure),
        }
    }
}

/// One provider's planned share.
struct Planned {
    provider: Arc<LoadedProvider>,
    updates: Vec<Update>,
    plan: Plan,
}

/// What `install` would do for `request`, changing nothing: nothing to
/// do, stopped by the safety checks (unless `request.force`), or a plan.
pub async fn preview(env: &Env, request: &InstallRequest) -> Result<InstallPreview, InstallError> {
    let dry_run = InstallRequest {
        dry_run: true,
        ..request.clone()
    };
    let outcome = install(env, &dry_run, "preview", None, None).await?;
    if outcome.planned.is_empty() {
        return Ok(InstallPreview::NothingToDo {
            warnings: outcome.notes,
        });
    }
    if !outcome.safety.is_empty() && !request.force {
        return Ok(InstallPreview::Stopped {
            findings: outcome.safety,
            updates: outcome.planned,
        });
    }
    Ok(InstallPreview::Planned(InstallPlan {
        updates: outcome.planned,
        steps: outcome.dry_run.unwrap_or_default(),
        warnings: outcome.notes,
        forced_past: outcome.safety,
        commands: outcome.commands,
    }))
}

/// Which of the offered updates an install takes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Selection {
    /// Every update not held back.
    #[default]
    Offered,
    /// Only those that fix a security advisory (`general.auto_updates =
    /// "security"`); the rest stay offered for a person.
    SecurityFixes,
    /// What each source's automatic mode takes (`[providers.NAME]
    /// auto_updates`, else `general.auto_updates`): all of its updates,
    /// its security fixes, or none.
    Automatic,
}

impl Selection {
    /// Whether `update`, offered by `provider`, is taken.
    fn takes(self, config: &Config, provider: &str, update: &Update) -> bool {
        match self {
            Selection::Offered => true,
            Selection::SecurityFixes => update.security,
            Selection::Automatic => crate::policy::taken_automatically(config, provider, update),
        }
    }
}

/// Runs the transaction. `lock` is the update lock, taken by the caller
/// before anything else (even before the store opens, so a second request
/// hears who holds it); a dry run changes nothing and needs none.
pub async fn install(
    env: &Env,
    request: &InstallRequest,
    initiated_by: &str,
    lock: Option<UpdateLock>,
    progress: Option<&ProgressSender>,
) -> Result<InstallOutcome, InstallError> {
    install_selected(
        env,
        request,
        Selection::Offered,
        initiated_by,
        lock,
        progress,
    )
    .await
}

/// [`install`], taking only the updates `selection` picks.
pub async fn install_selected(
    env: &Env,
    request: &InstallRequest,
    selection: Selection,
    initiated_by: &str,
    lock: Option<UpdateLock>,
    progress: Option<&ProgressSender>,
) -> Result<InstallOutcome, InstallError> {
    let report = |percent: u8, step: Step| {
        if let Some(p) = progress {
            p.report(percent, step);
        }
    };
    if lock.is_none() && !request.dry_run {
        return Err(InstallError::NoLock);
    }
    let _lock = lock;
    if !request.dry_run {
        let swept = apply::sweep_downloads(&env.config.paths.data.join("downloads"));
        if swept > 0 {
            tracing::info!("removed {swept} partial downloads left by an interrupted Steward");
        }
    }
    let mut warnings = Vec::new();
    let adjusted;
    let request = if request.backup && !env.config.backup.enabled {
        warnings.push(Warning::BackupsOff);
        adjusted = InstallRequest {
            backup: false,
            ..request.clone()
        };
        &adjusted
    } else {
        request
    };

    report(2, Step::CheckingForUpdates);
    let entries = refresh(&env.runtime).await;
    // Advisories only when something depends on them: which updates are
    // security fixes (and so skip a cooldown, or are all that is taken).
    let include_security =
        selection != Selection::Offered || crate::policy::needs_advisories(&env.config);
    let mut outcome = super::check::check(
        &env.runtime,
        entries.clone(),
        request.update_type,
        include_security,
        None,
    )
    .await;
    crate::policy::hold_young_releases(&env.config, &mut outcome);
    let mut wanted: Vec<(Arc<LoadedProvider>, Vec<Update>)> = Vec::new();
    for checked in &outcome.providers {
        if let Some(error) = &checked.error {
            warnings.push(Warning::NotChecked {
                provider: checked.provider.clone(),
                error: error.message.clone(),
            });
            continue;
        }
        let updates: Vec<Update> = checked
            .updates
            .iter()
            .filter(|u| u.held.is_none())
            .filter(|u| selection.takes(&env.config, &checked.provider, u))
            .cloned()
            .collect();
        if updates.is_empty() {
            continue;
        }
        if let Some(provider) = loaded(&entries, &checked.provider) {
            wanted.push((provider, updates));
        }
    }
    wanted.sort_by_key(|(p, _)| apply_order(&p.info.kinds));

    report(10, Step::Planning);
    let mut planned = Vec::new();
    for (provider, updates) in wanted {
        let runtime = env.runtime.clone();
        let (p, u) = (provider.clone(), updates.clone());
        let plan = tokio::task::spawn_blocking(move || runtime.plan(&p, &u))
            .await
            .expect("plan task");
        match plan {
            Ok(plan) if plan.steps.is_empty() => {}
            Ok(plan) => planned.push(Planned {
                provider,
                updates,
                plan,
            }),
            Err(e) => {
                // Nothing has changed yet: the run stops here, recorded.
                if request.dry_run {
                    return Err(InstallError::SafetyStop {
                        warnings: vec![SafetyFinding::CannotPlan {
                            provider: provider.name.clone(),
                            reason: e.to_string(),
                        }],
                    });
                }
                let mut session = new_session(request, initiated_by, &planned);
                finish(
                    env,
                    &mut session,
                    SessionStatus::Failed,
                    Some(Reason::from(Failure::CannotPlan {
                        provider: provider.name.clone(),
                        error: reason::provider_fault(&e),
                    })),
                )?;
                return Ok(InstallOutcome::ran(session, warnings, Vec::new()));
            }
        }
    }

    let restart_wanted = planned.iter().any(|p| p.plan.restart);
    if restart_wanted && request.restart && !env.supervisor.is_configured() {
        warnings.push(Warning::NoRestartConfigured);
    }
    if restart_wanted && !request.restart {
        warnings.push(Warning::NotRestarted);
    }
    let contexts = contexts(&env.config, &planned)?;
    let safety = safety_warnings(&env.config, request, &planned, &contexts);

    if request.dry_run {
        let text = dry_run_text(request, &planned, &contexts, &safety, &env.config);
        return Ok(InstallOutcome {
            session: None,
            planned: summary(&planned),
            dry_run: Some(text),
            warnings: warnings.iter().map(ToString::to_string).collect(),
            notes: warnings,
            safety,
            rollback_errors: Vec::new(),
            not_undone: Vec::new(),
            commands: command_changes(&planned),
            impact: None,
            delivery: None,
            failure: None,
            password_created: None,
        });
    }
    if !safety.is_empty() {
        if !request.force {
            // Recorded, so the history and the statistics show it.
            let mut session = new_session(request, initiated_by, &planned);
            let reason = stopped_reason(&safety);
            finish(
                env,
                &mut session,
                SessionStatus::Stopped,
                Some(reason.into()),
            )?;
            return Err(InstallError::SafetyStop { warnings: safety });
        }
        warnings.extend(
            safety
                .into_iter()
                .map(|finding| Warning::ForcedPast { finding }),
        );
    }

    let mut session = new_session(request, initiated_by, &planned);
    if planned.is_empty() {
        finish(env, &mut session, SessionStatus::NothingToDo, None)?;
        return Ok(InstallOutcome::ran(session, warnings, Vec::new()));
    }
    save(env, &session)?;
    let log = SessionLog::of(&env.config, &session.id);
    log.header(&session);
    for p in &planned {
        for step in &p.plan.steps {
            log.line(format!(
                "planned step: {}: {}",
                p.provider.name, step.description
            ));
        }
    }

    // Capture: what each provider has now, to put back on failure.
    report(15, Step::RecordingState);
    let mut journal = Journal {
        session_id: session.id.clone(),
        phase: Phase::Applying,
        parts: Vec::new(),
        backup_id: None,
        bot_restarted: false,
    };
    for p in &planned {
        let runtime = env.runtime.clone();
        let provider = p.provider.clone();
        let captured = tokio::task::spawn_blocking(move || runtime.capture(&provider))
            .await
            .expect("capture task");
        match captured {
            Ok(state) => journal.parts.push(Part {
                provider: p.provider.name.clone(),
                captured: hex::encode(state),
                updates: p.updates.clone(),
                total_steps: p.plan.steps.len(),
                begun: 0,
                done: 0,
                unpacked: apply::new_unpack_targets(&p.plan),
            }),
            Err(e) => {
                finish(
                    env,
                    &mut session,
                    SessionStatus::Failed,
                    Some(Reason::from(Failure::CannotCapture {
                        provider: p.provider.name.clone(),
                        error: reason::provider_fault(&e),
                    })),
                )?;
                return Ok(InstallOutcome::ran(session, warnings, Vec::new()));
            }
        }
    }
    session.parts = journal
        .parts
        .iter()
        .map(|p| SessionPart {
            provider: p.provider.clone(),
            captured: p.captured.clone(),
            updates: p.updates.clone(),
            unpacked: p.unpacked.clone(),
        })
        .collect();
    session.rollback_available = true;
    journal
        .write(&env.config.paths.data)
        .map_err(InstallError::Journal)?;
    save(env, &session)?;

    let mut password_created = None;
    if request.backup {
        report(20, Step::TakingPreUpdateBackup);
        match pre_update_backup(env, request.backup_name.clone()).await {
            Ok((id, password)) => {
                password_created = password;
                log.line(format!("pre-update backup {id} taken"));
                session.backup_id = Some(id.clone());
                journal.backup_id = Some(id);
                journal
                    .write(&env.config.paths.data)
                    .map_err(InstallError::Journal)?;
                save(env, &session)?;
            }
            Err(e) => {
                let _ = journal.remove(&env.config.paths.data);
                finish(
                    env,
                    &mut session,
                    SessionStatus::Failed,
                    Some(Reason::from(Failure::PreUpdateBackup {
                        failed: reason::backup_failure(&e),
                    })),
                )?;
                return Ok(InstallOutcome::ran(session, warnings, Vec::new()));
            }
        }
    }

    // The impact watch's first window, while the old version still runs.
    let watch = Duration::from_secs(env.config.safety.impact_window_secs);
    let health_url = env.config.bot.health.health_url.as_deref();
    let before =
        if !watch.is_zero() && restart_wanted && request.restart && env.supervisor.watchable() {
            report(30, Step::MeasuringImpact { after: false });
            let sampled = crate::impact::sample(&env.supervisor, watch, health_url).await;
            if let Some(b) = &sampled {
                log.line(format!(
                    "impact watch, before: CPU {:.1}%, memory {}, {} restart(s), errors: {}",
                    b.cpu_percent,
                    steward_core::size::human(b.rss_bytes),
                    b.restarts,
                    b.errors_text()
                ));
            }
            sampled
        } else {
            None
        };

    let mut delivery = crate::delivery::Delivery::default();
    let failure = apply_all(
        env,
        &planned,
        &contexts,
        &mut journal,
        &mut session,
        &mut delivery,
        progress,
    )
    .await?;
    if !delivery.downloads.is_empty() {
        let (bytes, full, saved) = delivery.totals();
        log.line(format!(
            "downloaded {bytes} bytes of a full {full}: {saved} bytes saved"
        ));
    }
    let failure = match failure {
        Some(f) => Some(f),
        None => {
            report(88, Step::Verifying);
            log.line("verifying the update");
            journal.phase = Phase::Verifying;
            journal
                .write(&env.config.paths.data)
                .map_err(InstallError::Journal)?;
            verify_all(env, &planned).await
        }
    };
    let failure = match failure {
        Some(f) => Some(f),
        None if restart_wanted && request.restart && env.supervisor.is_configured() => {
            report(92, Step::RestartingBot);
            log.line("restarting the bot (health probation)");
            journal.phase = Phase::Probation;
            journal.bot_restarted = true;
            journal
                .write(&env.config.paths.data)
                .map_err(InstallError::Journal)?;
            match env.supervisor.switch().await {
                Ok((_, switch)) => {
                    log.line(format!(
                        "switched by {}: {} ms with no ready process{}",
                        if switch.handoff {
                            "a blue-green handoff"
                        } else {
                            "a restart"
                        },
                        switch.downtime_ms,
                        match switch.drained {
                            Some(true) => ", the old process drained",
                            Some(false) => ", the old process was killed after the stop timeout",
                            None => "",
                        }
                    ));
                    delivery.switch = Some(switch);
                    None
                }
                Err(e) => {
                    if matches!(
                        e,
                        crate::supervisor::SupervisorError::HandoffNotReady { .. }
                    ) {
                        // The old version was never touched and still
                        // serves: the rollback must not restart it.
                        journal.bot_restarted = false;
                        journal
                            .write(&env.config.paths.data)
                            .map_err(InstallError::Journal)?;
                    }
                    Some(restart_failure(e))
                }
            }
        }
        None => None,
    };

    let mut impact = None;
    let failure = match (failure, before) {
        (None, Some(before)) if journal.bot_restarted => {
            report(94, Step::MeasuringImpact { after: true });
            let after = crate::impact::sample(&env.supervisor, watch, health_url)
                .await
                .unwrap_or(crate::impact::Sample {
                    cpu_percent: 0.0,
                    rss_bytes: 0,
                    restarts: 0,
                    running: false,
                    errors: None,
                });
            let measured = crate::impact::compare(&env.config.safety, before, after);
            log.line(format!(
                "impact watch, after: CPU {:.1}%, memory {}, {} restart(s), errors: {}{}",
                after.cpu_percent,
                steward_core::size::human(after.rss_bytes),
                after.restarts,
                after.errors_text(),
                if after.running { "" } else { ", not running" }
            ));
            let regressions = regressions_text(&measured);
            if !regressions.is_empty() {
                log.line(format!(
                    "impact watch: {} regression: {regressions}",
                    if measured.severe { "severe" } else { "a" }
                ));
            }
            let rollback = measured.severe && env.config.safety.impact_rollback_on_severe;
            impact = Some(measured);
            rollback.then(|| Reason::from(Failure::SevereRegression { regressions }))
        }
        (failure, _) => failure,
    };
    if !delivery.is_empty()
        && let Err(e) = crate::delivery::record(&env.store, &session.id, &delivery)
    {
        warnings.push(Warning::DeliveryNotKept {
            error: e.to_string(),
        });
    }
    if let Some(measured) = &impact
        && let Err(e) = crate::impact::record(&env.store, &session.id, measured)
    {
        warnings.push(Warning::ImpactNotKept {
            error: e.to_string(),
        });
    }

    match failure {
        None => {
            session.progress = 100;
            finish(env, &mut session, SessionStatus::Completed, None)?;
            let _ = journal.remove(&env.config.paths.data);
            crate::drift::record_applied(env, &session.id).await;
            report(100, Step::UpdateComplete);
            if let Some(measured) = impact.as_ref().filter(|i| !i.regressions.is_empty()) {
                warnings.push(Warning::Regression {
                    regressions: regressions_text(measured),
                });
            }
            let mut outcome = InstallOutcome::ran(session, warnings, Vec::new());
            outcome.impact = impact;
            outcome.delivery = (!delivery.is_empty()).then_some(delivery);
            outcome.password_created = password_created;
            Ok(outcome)
        }
        Some(reason) => {
            if !env.config.safety.rollback_on_failure {
                let _ = journal.remove(&env.config.paths.data);
                let typed = reason.typed.clone();
                let kept = match reason.typed {
                    Some(failure) => Reason::from(Failure::NotRolledBack {
                        failure: Box::new(failure),
                    }),
                    None => Reason::from(format!(
                        "{} (nothing was rolled back: safety.rollback_on_failure is off)",
                        reason.text
                    )),
                };
                finish(env, &mut session, SessionStatus::Failed, Some(kept))?;
                let mut outcome = InstallOutcome::ran(session, warnings, Vec::new());
                outcome.failure = typed;
                outcome.password_created = password_created;
                return Ok(outcome);
            }
            report(
                95,
                Step::RollingBack {
                    reason: reason.text.clone(),
                    failure: reason.typed.clone(),
                },
            );
            let not_undone = undo(env, &mut journal).await;
            let status = if not_undone.is_empty() {
                SessionStatus::RolledBack
            } else {
                SessionStatus::RollbackFailed
            };
            let typed = reason.typed.clone();
            finish(env, &mut session, status, Some(reason))?;
            let _ = journal.close(&env.config.paths.data, not_undone.is_empty());
            let mut outcome = InstallOutcome::ran(session, warnings, not_undone);
            outcome.impact = impact;
            outcome.delivery = (!delivery.is_empty()).then_some(delivery);
            outcome.failure = typed;
            outcome.password_created = password_created;
            Ok(outcome)
        }
    }
}

/// The regressions the impact watch found, in one line.
fn regressions_text(impact: &crate::impact::Impact) -> String {
    impact
        .regressions
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Runs every step, journaling before and after each; the first failure
/// stops the run and is returned.
async fn apply_all(
    env: &Env,
    planned: &[Planned],
    contexts: &[ApplyContext],
    journal: &mut Journal,
    session: &mut Session,
    delivery: &mut crate::delivery::Delivery,
    progress: Option<&ProgressSender>,
) -> Result<Option<Reason>, InstallError> {
    let total = session.total_steps.max(1) as usize;
    let mut done = 0usize;
    let log = SessionLog::of(&env.config, &session.id);
    let mut gated = false;
    for (index, (p, ctx)) in planned.iter().zip(contexts).enumerate() {
        for (n, step) in p.plan.steps.iter().enumerate() {
            let percent = 35 + (done * 50 / total) as u8;
            // A release is tested where it was unpacked, before the link
            // makes it live.
            if let Action::SwitchRelease(switch) = &step.action
                && !gated
            {
                gated = true;
                let staged = match apply::switch_target(ctx, switch) {
                    Ok(dir) => dir,
                    Err(e) => return Ok(Some(step_failure(&p.provider.name, step, e))),
                };
                if let Some(failure) = test_gate(env, &staged, &log, percent, progress).await {
                    return Ok(Some(failure));
                }
            }
            if let Some(progress) = progress {
                progress.report(percent, step_message(&p.updates, &step.description));
            }
            journal.parts[index].begun += 1;
            journal
                .write(&env.config.paths.data)
                .map_err(InstallError::Journal)?;
            log.step(&p.provider.name, n + 1, p.plan.steps.len(), step);
            // A delta download reuses the files of the release it replaces.
            let with_previous;
            let ctx = match &step.action {
                Action::Download(d) => {
                    let mut replacing = ctx.clone();
                    replacing.previous_release = apply::previous_release(&p.plan, d);
                    with_previous = replacing;
                    &with_previous
                }
                _ => ctx,
            };
            let result = apply::run_step(ctx, step).await;
            log.step_result(&result);
            if let (Action::Download(d), Ok(outcome)) = (&step.action, &result)
                && let Some(figures) = crate::delivery::DownloadFigures::of(&d.url, outcome)
            {
                delivery.downloads.push(figures);
            }
            if let Err(e) = result {
                return Ok(Some(step_failure(&p.provider.name, step, e)));
            }
            journal.parts[index].done += 1;
            journal
                .write(&env.config.paths.data)
                .map_err(InstallError::Journal)?;
            done += 1;
            session.steps_completed = done as u32;
            session.progress = 35 + (done * 50 / total) as u8;
            save(env, session)?;
        }
    }
    if !gated {
        // No release to stage: the packages are installed in place, and
        // tested before the bot is restarted onto them.
        return Ok(test_gate(env, &env.config.bot.root, &log, 85, progress).await);
    }
    Ok(None)
}

/// Runs `[safety] test_command` against the update staged in `staged`,
/// output in the session log; the failure, in words, or `None` when it
/// passed or no gate is configured.
async fn test_gate(
    env: &Env,
    staged: &std::path::Path,
    log: &SessionLog,
    percent: u8,
    progress: Option<&ProgressSender>,
) -> Option<Reason> {
    let safety = &env.config.safety;
    if safety.test_command.is_empty() {
        return None;
    }
    if let Some(progress) = progress {
        progress.report(percent, Step::TestingStagedUpdate);
    }
    log.line(format!(
        "test gate: {} (in {}, at most {} s)",
        safety.test_command.join(" "),
        staged.display(),
        safety.test_timeout_secs
    ));
    let ran = crate::test_gate::run(
        &safety.test_command,
        staged,
        &env.config.bot.root,
        env.supervisor.environment(),
        std::time::Duration::from_secs(safety.test_timeout_secs),
    )
    .await;
    match ran {
        Ok(run) => {
            log.line(format!(
                "  ok: the tests passed in {:.1} s; their output:\n{}",
                run.elapsed.as_secs_f64(),
                run.output
            ));
            None
        }
        Err(e) => {
            let output = e.run().map(|r| r.output.as_str()).unwrap_or_default();
            log.line(format!("  failed: {e}; the output:\n{output}"));
            Some(Reason::from(Failure::TestGate {
                error: reason::gate_fault(&e),
            }))
        }
    }
}

/// A plan step that failed: typed when its command exited with a code.
fn step_failure(provider: &str, step: &crate::provider::Step, error: apply::ApplyError) -> Reason {
    let (provider, step) = (provider.to_string(), step.description.clone());
    Reason::from(match error {
        apply::ApplyError::CommandFailed {
            program,
            status,
            output_tail,
        } => Failure::StepExit {
            provider,
            step,
            program,
            status,
            output: output_tail,
        },
        e => Failure::StepFailed {
            provider,
            step,
            error: reason::step_fault(&e),
        },
    })
}

/// A restart that did not end in a healthy bot: typed when the bot failed
/// its probation or did not start.
fn restart_failure(error: crate::supervisor::SupervisorError) -> Reason {
    use crate::supervisor::SupervisorError;
    match error {
        SupervisorError::Unhealthy { reason, tail } => {
            Reason::from(Failure::Probation { reason, tail })
        }
        SupervisorError::Spawn { program, source } => Reason::from(Failure::BotDidNotStart {
            program,
            error: source.to_string(),
        }),
        e => Reason::from(Failure::Restart {
            fault: reason::bot_fault(&e),
        }),
    }
}

/// "Updating discord.py 2.3.0 → 2.3.1" when the step is about one update.
fn step_message(updates: &[Update], description: &str) -> Step {
    match updates {
        [u] => Step::Updating {
            name: u.name.clone(),
            current: u.current.clone(),
            latest: u.latest.clone(),
        },
        _ => Step::PlanStep {
            description: description.to_string(),
        },
    }
}

async fn verify_all(env: &Env, planned: &[Planned]) -> Option<Reason> {
    for p in planned {
        let runtime = env.runtime.clone();
        let (provider, updates) = (p.provider.clone(), p.updates.clone());
        let verified = tokio::task::spawn_blocking(move || runtime.verify(&provider, &updates))
            .await
            .expect("verify task");
        if let Err(e) = verified {
            return Some(Reason::from(Failure::NotConfirmed {
                provider: p.provider.name.clone(),
                error: reason::provider_fault(&e),
            }));
        }
    }
    None
}

/// Puts back what the journal says was begun, newest first; then, when the
/// new version ran, the database from the pre-update backup and the bot on
/// its old version. Returns what could not be undone.
pub(crate) async fn undo(env: &Env, journal: &mut Journal) -> Vec<Failure> {
    let mut errors = Vec::new();
    journal.phase = Phase::RollingBack;
    if let Err(e) = journal.write(&env.config.paths.data) {
        errors.push(Failure::Journal {
            error: e.to_string(),
        });
    }
    let entries = refresh(&env.runtime).await;
    let log = SessionLog::of(&env.config, &journal.session_id);
    log.line("rolling back");
    for part in journal.parts.iter().rev().filter(|p| p.begun > 0) {
        if let Err(e) = restore_part(
            env,
            &log,
            &entries,
            &part.provider,
            &part.captured,
            &part.unpacked,
        )
        .await
        {
            errors.push(reason::undo_failure(&e));
        }
    }
    if journal.bot_restarted && env.supervisor.is_configured() {
        let data_restored = match (&journal.backup_id, env.supervisor.supervises()) {
            (Some(id), true) => match restore_database(env, id).await {
                Ok(()) => true,
                Err(e) => {
                    errors.push(Failure::DatabaseNotRestored {
                        backup: id.clone(),
                        failed: reason::backup_failure(&e),
                    });
                    false
                }
            },
            _ => false,
        };
        if !data_restored && let Err(e) = env.supervisor.restart().await {
            errors.push(Failure::OldVersionNotRestarted {
                fault: reason::bot_fault(&e),
            });
        }
    }
    errors
}

/// Why a part of an update, or the database, could not be put back.
#[derive(Debug, thiserror::Error)]
pub enum UndoError {
    #[error("the provider {provider} is no longer loaded, so its changes cannot be undone")]
    ProviderGone { provider: String },
    #[error("{provider}: the recorded state is damaged: {source}")]
    StateDamaged {
        provider: String,
        source: hex::FromHexError,
    },
    #[error("{provider} could not plan the restore: {source}")]
    CannotPlan {
        provider: String,
        source: crate::runtime::CallError,
    },
    #[error("{provider}: {source}")]
    Apply {
        provider: String,
        source: apply::ApplyError,
    },
    #[error("{provider}: restore steps failed: {}", failed.iter().map(|(step, e)| format!("\"{step}\": {e}")).collect::<Vec<_>>().join("; "))]
    StepsFailed {
        provider: String,
        failed: Vec<(String, apply::ApplyError)>,
    },
    #[error("{provider}: the release directories of the undone update could not be removed: {}", failed.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    NotRemoved {
        provider: String,
        failed: Vec<apply::ApplyError>,
    },
}

/// Runs `provider`'s restore plan for the state `captured` (hex); once it
/// succeeded, removes the release directories the part had `unpacked` (the
/// plan has switched away from them), so that version installs again.
pub(crate) async fn restore_part(
    env: &Env,
    log: &SessionLog,
    entries: &[ProviderEntry],
    provider: &str,
    captured: &str,
    unpacked: &[std::path::PathBuf],
) -> Result<(), UndoError> {
    let named = || provider.to_string();
    let Some(loaded) = loaded(entries, provider) else {
        return Err(UndoError::ProviderGone { provider: named() });
    };
    let state = hex::decode(captured).map_err(|source| UndoError::StateDamaged {
        provider: named(),
        source,
    })?;
    let runtime = env.runtime.clone();
    let p = loaded.clone();
    let plan = tokio::task::spawn_blocking(move || runtime.restore_plan(&p, &state))
        .await
        .expect("restore-plan task")
        .map_err(|source| UndoError::CannotPlan {
            provider: named(),
            source,
        })?;
    let ctx = ApplyContext::new(&env.config, provider, loaded.grant.clone()).map_err(|source| {
        UndoError::Apply {
            provider: named(),
            source,
        }
    })?;
    let mut failed = Vec::new();
    for (n, step) in plan.steps.iter().enumerate() {
        // Keep going: every step put back is one less for the operator.
        log.step(provider, n + 1, plan.steps.len(), step);
        let result = apply::run_step(&ctx, step).await;
        log.step_result(&result);
        if let Err(e) = result {
            failed.push((step.description.clone(), e));
        }
    }
    if !failed.is_empty() {
        return Err(UndoError::StepsFailed {
            provider: named(),
            failed,
        });
    }
    let mut failed = Vec::new();
    for dir in unpacked {
        let (ctx, dir) = (ctx.clone(), dir.clone());
        let removed = tokio::task::spawn_blocking(move || apply::remove_unpacked(&ctx, &dir))
            .await
            .expect("remove task");
        if let Err(e) = removed {
            failed.push(e);
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(UndoError::NotRemoved {
            provider: named(),
            failed,
        })
    }
}

/// Restores the databases of backup `id` with the bot stopped, then starts
/// it and holds it to the probation.
async fn restore_database(env: &Env, id: &str) -> Result<(), backup::BackupError> {
    let backups = Backups::open(&env.config, env.store.clone())?;
    let control = RestoreControl::new(env.supervisor.clone(), true);
    let request = backup::RestoreRequest {
        id: id.to_string(),
        restore_type: backup::RestoreType::Database,
        verify: true,
    };
    tokio::task::spawn_blocking(move || {
        backup::restore::restore(&backups, &request, Some(&control))
    })
    .await
    .expect("restore task")
    .map(|_| ())
}

/// Finishes the transactions a stopped Steward left in the journal: undoes
/// them and records the sessions as rolled back. Skipped while another
/// process holds the update lock (its transaction is not interrupted);
/// `holding` says this process holds it already.
pub async fn recover(env: &Env, holding: bool) -> Vec<Session> {
    let leftovers = Journal::leftovers(&env.config.paths.data);
    if leftovers.is_empty() {
        return Vec::new();
    }
    let _lock = if holding {
        None
    } else {
        match UpdateLock::acquire(&env.config.paths.data, "steward:recovery", "recovery") {
            Ok(lock) => Some(lock),
            Err(_) => return Vec::new(),
        }
    };
    let mut recovered = Vec::new();
    for leftover in leftovers {
        let mut journal = match leftover {
            Ok(j) => j,
            Err(path) => {
                tracing::error!(
                    "the journal {} cannot be read; the transaction it records needs a look",
                    path.display()
                );
                continue;
            }
        };
        tracing::warn!(
            session = journal.session_id,
            phase = ?journal.phase,
            "an update was interrupted; rolling it back"
        );
        let interrupted_in = journal.phase;
        let errors = undo(env, &mut journal).await;
        let session = session::tree(&env.store)
            .ok()
            .and_then(|t| t.get(&journal.session_id).ok().flatten());
        let Some(mut session) = session else {
            // Undone all the same; with no record to update, only the log says so.
            tracing::error!(
                session = journal.session_id,
                "the interrupted update has no session record; rolled back without one"
            );
            let _ = journal.close(&env.config.paths.data, errors.is_empty());
            continue;
        };
        let closed = errors.is_empty();
        let reason = Failure::Interrupted {
            phase: match interrupted_in {
                Phase::Applying => steward_core::failure::Phase::Applying,
                Phase::Verifying => steward_core::failure::Phase::Verifying,
                Phase::Probation => steward_core::failure::Phase::Probation,
                Phase::RollingBack => steward_core::failure::Phase::RollingBack,
            },
            not_undone: errors,
        };
        let status = if closed {
            SessionStatus::RolledBack
        } else {
            SessionStatus::RollbackFailed
        };
        if finish(env, &mut session, status, Some(Reason::from(reason))).is_ok() {
            let _ = journal.close(&env.config.paths.data, closed);
        }
        recovered.push(session);
    }
    recovered
}

/// What the planned bot releases change in the bot's slash commands: the
/// key changes a bot-release provider reports in an update's details (the
/// bundled `release` provider compares the `commands.json` each release
/// ships; see its MANIFEST.md).
fn command_changes(planned: &[Planned]) -> Vec<KeyChange> {
    planned
        .iter()
        .flat_map(|p| &p.updates)
        .filter(|u| u.kind == UpdateKind::Bot)
        .flat_map(|u| &u.details)
        .filter_map(|d| match d {
            Detail::Key(k) => Some(k.clone()),
            _ => None,
        })
        .collect()
}

/// `provider: name current -> latest` for every planned update.
fn summary(planned: &[Planned]) -> Vec<String> {
    planned
        .iter()
        .flat_map(|p| {
            p.updates.iter().map(move |u| {
                format!(
                    "{}: {} {} -> {}",
                    p.provider.name,
                    u.name,
                    u.current.as_deref().unwrap_or("(new)"),
                    u.latest
                )
            })
        })
        .collect()
}

fn new_session(request: &InstallRequest, initiated_by: &str, planned: &[Planned]) -> Session {
    let started_at = Utc::now();
    let bot = planned
        .iter()
        .flat_map(|p| &p.updates)
        .find(|u| u.kind == UpdateKind::Bot);
    Session {
        id: session::new_id(started_at),
        kind: SessionKind::Install,
        update_type: request.update_type,
        status: SessionStatus::Running,
        progress: 0,
        started_at,
        completed_at: None,
        current_version: bot.and_then(|u| u.current.clone()),
        target_version: bot.map(|u| u.latest.clone()),
        error: None,
        reason: None,
        steps_completed: 0,
        total_steps: planned.iter().map(|p| p.plan.steps.len() as u32).sum(),
        rollback_available: false,
        initiated_by: initiated_by.to_string(),
        backup_id: None,
        updates: summary(planned),
        parts: Vec::new(),
    }
}

/// Records an install that never went ahead (`SessionStatus::Stopped` or
/// `Cancelled`): a finished session that changed nothing, with the updates
/// it would have installed and why it did not.
pub fn record_unrun(
    env: &Env,
    request: &InstallRequest,
    initiated_by: &str,
    updates: Vec<String>,
    status: SessionStatus,
    reason: Failure,
) -> Result<Session, StoreError> {
    let mut session = new_session(request, initiated_by, &[]);
    session.updates = updates;
    finish(env, &mut session, status, Some(reason.into()))?;
    Ok(session)
}

/// What a stopped session says: the safety findings.
pub fn stopped_reason(findings: &[SafetyFinding]) -> Failure {
    Failure::Stopped {
        findings: findings.to_vec(),
    }
}

pub(crate) fn save(env: &Env, session: &Session) -> Result<(), StoreError> {
    session::tree(&env.store)?.insert(&session.id, session)?;
    env.store.flush()
}

pub(crate) fn finish(
    env: &Env,
    session: &mut Session,
    status: SessionStatus,
    error: Option<Reason>,
) -> Result<(), StoreError> {
    let log = SessionLog::of(&env.config, &session.id);
    if !log.exists() {
        log.header(session);
    }
    log.line(format!(
        "result: {status:?}{}",
        error
            .as_ref()
            .map(|e| format!(": {}", e.text))
            .unwrap_or_default()
    ));
    crate::logs::prune_session_logs(&env.config);
    session.status = status;
    session.reason = error.as_ref().and_then(|e| e.typed.clone());
    session.error = error.map(|e| e.text);
    session.completed_at = Some(Utc::now());
    if status.is_success() {
        session.progress = 100;
    }
    save(env, session)
}

/// The backup's id, and the repository's password file when this backup
/// created it.
async fn pre_update_backup(
    env: &Env,
    name: Option<String>,
) -> Result<(String, Option<std::path::PathBuf>), backup::BackupError> {
    let backups = Backups::open(&env.config, env.store.clone())?;
    let request = backup::CreateRequest {
        backup_type: BackupType::Full,
        compress: true,
        name,
        include_logs: false,
        description: Some("taken by Steward before an update".to_string()),
        auto_created: true,
    };
    tokio::task::spawn_blocking(move || backup::create::create(&backups, &request))
        .await
        .expect("backup task")
        .map(|created| (created.record.id, created.password_created))
}

pub(crate) async fn refresh(runtime: &Arc<Runtime>) -> Vec<ProviderEntry> {
    let runtime = runtime.clone();
    tokio::task::spawn_blocking(move || runtime.refresh())
        .await
        .unwrap_or_default()
}

pub(crate) fn loaded(entries: &[ProviderEntry], name: &str) -> Option<Arc<LoadedProvider>> {
    entries.iter().find_map(|e| match e {
        ProviderEntry::Loaded(p) if p.name == name => Some(p.clone()),
        _ => None,
    })
}

/// System packages first, then packages, the bot, and its config last (a
/// new release may ship the template the config merge needs).
fn apply_order(kinds: &[UpdateKind]) -> u8 {
    kinds
        .iter()
        .map(|k| match k {
            UpdateKind::System => 0,
            UpdateKind::Dependency => 1,
            UpdateKind::Package => 2,
            UpdateKind::Bot => 3,
            UpdateKind::Config => 4,
        })
        .min()
        .unwrap_or(5)
}

fn contexts(config: &Config, planned: &[Planned]) -> Result<Vec<ApplyContext>, InstallError> {
    planned
        .iter()
        .map(|p| {
            ApplyContext::new(config, &p.provider.name, p.provider.grant.clone()).map_err(|e| {
                InstallError::SafetyStop {
                    warnings: vec![SafetyFinding::CannotPlan {
                        provider: p.provider.name.clone(),
                        reason: e.to_string(),
                    }],
                }
            })
        })
        .collect()
}

/// Everything that stops an install unless forced.
fn safety_warnings(
    config: &Config,
    request: &InstallRequest,
    planned: &[Planned],
    contexts: &[ApplyContext],
) -> Vec<SafetyFinding> {
    let safety = &config.safety;
    let mut warnings = Vec::new();
    if planned.is_empty() {
        return warnings;
    }
    let min = safety.min_disk_space_mb * 1024 * 1024;
    for path in [&config.bot.root, &config.paths.data] {
        if let Ok(free) = backup::free_bytes(path)
            && free < min
        {
            warnings.push(SafetyFinding::LowDiskSpace {
                path: path.clone(),
                free_mib: free / (1024 * 1024),
                min_disk_space_mb: safety.min_disk_space_mb,
            });
        }
    }
    let size: u64 = planned
        .iter()
        .flat_map(|p| &p.updates)
        .filter_map(|u| u.size)
        .sum();
    if size > safety.max_update_size_mb * 1024 * 1024 {
        warnings.push(SafetyFinding::TooLarge {
            bytes: size,
            max_update_size_mb: safety.max_update_size_mb,
        });
    }
    let breaking: Vec<String> = planned
        .iter()
        .flat_map(|p| &p.updates)
        .filter(|u| u.breaking)
        .map(|u| {
            // The config source marks a template breaking when it removes
            // keys (or a key conflicts), not for its version number.
            let why = match u.kind {
                UpdateKind::Config => "the new template removes keys or conflicts with yours",
                _ => "a new major version",
            };
            format!(
                "{} {} → {} ({why})",
                u.name,
                u.current.as_deref().unwrap_or("?"),
                u.latest
            )
        })
        .collect();
    if !breaking.is_empty() {
        warnings.push(SafetyFinding::Breaking { updates: breaking });
    }
    if safety.verify_downloads {
        for (p, ctx) in planned.iter().zip(contexts) {
            let unsigned = p
                .plan
                .steps
                .iter()
                .filter(|s| matches!(s.action, Action::Download(_)))
                .count();
            if unsigned > 0 && ctx.verify_key.is_none() {
                warnings.push(SafetyFinding::Unsigned {
                    provider: p.provider.name.clone(),
                    downloads: unsigned,
                });
            }
        }
    }
    if !request.backup && safety.require_backup_before_update {
        warnings.push(SafetyFinding::BackupRequired);
    }
    warnings
}

fn dry_run_text(
    request: &InstallRequest,
    planned: &[Planned],
    contexts: &[ApplyContext],
    safety: &[SafetyFinding],
    config: &Config,
) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    if planned.is_empty() {
        out.push_str("Nothing to install: every matching source is up to date.\n");
        return out;
    }
    let _ = writeln!(out, "Dry run: nothing will be changed.\n");
    if request.backup {
        let _ = writeln!(
            out,
            "First: a full backup{} into {}.",
            request
                .backup_name
                .as_deref()
                .map(|n| format!(" named \"{n}\""))
                .unwrap_or_default(),
            config.backup.path.display()
        );
    }
    for (p, ctx) in planned.iter().zip(contexts) {
        let _ = writeln!(out);
        for u in &p.updates {
            let _ = writeln!(
                out,
                "  {} {} → {}{}",
                u.name,
                u.current.as_deref().unwrap_or("(new)"),
                u.latest,
                if u.breaking { "  [breaking]" } else { "" }
            );
        }
        out.push_str(&apply::dry_run(ctx, &p.plan));
    }
    let commands = command_changes(planned);
    if !commands.is_empty() {
        let _ = writeln!(out, "\nThe bot's slash commands change:");
        for c in &commands {
            let mark = match c.change {
                KeyChangeKind::Added => '+',
                KeyChangeKind::Removed => '-',
                KeyChangeKind::DefaultChanged | KeyChangeKind::Conflict => '~',
            };
            let _ = writeln!(out, "  {mark} {}", c.text);
        }
    }
    if !config.safety.test_command.is_empty() {
        let _ = writeln!(
            out,
            "\nBefore it goes live: the test gate runs `{}` against the staged update (at most {} s); a failure rolls everything back.",
            config.safety.test_command.join(" "),
            config.safety.test_timeout_secs
        );
    }
    if planned.iter().any(|p| p.plan.restart) {
        let _ = writeln!(
            out,
            "\nThen: {}",
            if request.restart {
                "restart the bot and hold it to the health probation"
            } else {
                "no restart (asked not to)"
            }
        );
    }
    if !safety.is_empty() {
        let _ = writeln!(
            out,
            "\nSafety checks that would stop this install{}:",
            if request.force {
                " (overridden by --force)"
            } else {
                " unless --force"
            }
        );
        for w in safety {
            let _ = writeln!(out, "  - {w}");
        }
    }
    out
}
