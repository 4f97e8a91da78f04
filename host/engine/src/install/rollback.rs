//! `rollback TARGET`: back to the state before the update that left version
//! TARGET (the providers' recorded states put back by their restore plans,
//! the bot restarted, the result verified), or to the newest backup
//! (`last_backup`). A backup of the present is taken first unless told not to.

use chrono::Utc;

use super::{
    Env, InstallError, InstallOutcome, Reason, UpdateLock, finish, loaded, reason, refresh,
    restore_part, save,
};
use crate::UpdateType;
use crate::backup::{self, BackupStatus, Backups, RestoreType};
use crate::progress::{Failure, ProgressSender, Step};
use crate::provider::{Update, UpdateKind};
use crate::session::{self, Session, SessionKind, SessionStatus};
use crate::supervisor::RestoreControl;

#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub enum RollbackTarget {
    LastBackup,
    Version(String),
}

impl RollbackTarget {
    pub fn parse(text: &str) -> RollbackTarget {
        match text.trim() {
            "last_backup" => RollbackTarget::LastBackup,
            v => RollbackTarget::Version(v.trim_start_matches('v').to_string()),
        }
    }
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RollbackRequest {
    pub target: RollbackTarget,
    /// Back up the present first.
    pub backup: bool,
    /// Put the config files back too.
    pub restore_config: bool,
    pub initiated_by: String,
}

/// What `rollback` accepts now: `last_backup` and every version an update
/// moved away from, newest first.
pub fn rollback_targets(env: &Env) -> Vec<String> {
    let mut targets = vec!["last_backup".to_string()];
    for s in sources(env) {
        if let Some(v) = s.current_version
            && !targets.contains(&v)
        {
            targets.push(v);
        }
    }
    targets
}

/// Completed installs that recorded their starting state, newest first.
fn sources(env: &Env) -> Vec<Session> {
    let mut all = session::tree(&env.store)
        .and_then(|t| t.values())
        .unwrap_or_default();
    all.retain(|s| {
        s.kind == SessionKind::Install
            && s.status == SessionStatus::Completed
            && !s.parts.is_empty()
    });
    all.sort_by_key(|s| std::cmp::Reverse(s.started_at));
    all
}

/// Runs a rollback under `_lock`, the update lock the caller took first.
pub async fn rollback(
    env: &Env,
    request: &RollbackRequest,
    _lock: UpdateLock,
    progress: Option<&ProgressSender>,
) -> Result<InstallOutcome, InstallError> {
    let report = |percent: u8, step: Step| {
        if let Some(p) = progress {
            p.report(percent, step);
        }
    };
    let backups = Backups::open(&env.config, env.store.clone()).map_err(InstallError::Backups)?;
    let installs = sources(env);
    // The target is chosen before the safety backup, which would be newest.
    let source = match &request.target {
        RollbackTarget::LastBackup => {
            let newest = backups
                .all()
                .unwrap_or_default()
                .into_iter()
                .filter(|r| r.status == BackupStatus::Completed)
                .max_by_key(|r| r.created_at);
            match newest {
                Some(record) => Source::Backup(record.id),
                None => return Err(InstallError::NoBackup),
            }
        }
        RollbackTarget::Version(version) => {
            match installs
                .iter()
                .find(|s| s.current_version.as_deref() == Some(version.as_str()))
            {
                Some(s) => Source::Session(Box::new(s.clone())),
                None => {
                    return Err(InstallError::UnknownTarget {
                        target: version.clone(),
                        known: rollback_targets(env),
                    });
                }
            }
        }
    };
    let started_at = Utc::now();
    let mut session = Session {
        id: session::new_id(started_at),
        kind: SessionKind::Rollback,
        update_type: match &source {
            Source::Session(s) => s.update_type,
            Source::Backup(_) => UpdateType::All,
        },
        status: SessionStatus::Running,
        progress: 0,
        started_at,
        completed_at: None,
        current_version: installs.first().and_then(|s| s.target_version.clone()),
        target_version: match &request.target {
            RollbackTarget::Version(v) => Some(v.clone()),
            RollbackTarget::LastBackup => None,
        },
        error: None,
        reason: None,
        steps_completed: 0,
        total_steps: 0,
        rollback_available: false,
        initiated_by: request.initiated_by.clone(),
        backup_id: None,
        updates: Vec::new(),
        parts: Vec::new(),
    };
    save(env, &session)?;
    let log = crate::logs::SessionLog::of(&env.config, &session.id);
    log.header(&session);

    let mut password_created = None;
    if request.backup {
        report(10, Step::BackingUpFirst);
        match super::pre_update_backup(env, None).await {
            Ok((id, password)) => {
                password_created = password;
                session.backup_id = Some(id);
                session.rollback_available = true;
                save(env, &session)?;
            }
            Err(e) => {
                finish(
                    env,
                    &mut session,
                    SessionStatus::Failed,
                    Some(Reason::from(Failure::BackupBeforeRollback {
                        failed: reason::backup_failure(&e),
                    })),
                )?;
                return Ok(InstallOutcome::ran(session, Vec::new(), Vec::new()));
            }
        }
    }

    let mut errors = Vec::new();
    match source {
        Source::Backup(id) => {
            report(40, Step::RestoringBackup { id: id.clone() });
            log.line(format!("restoring backup {id}"));
            session.updates = vec![format!("{RESTORED}{id}")];
            let types: &[RestoreType] = if request.restore_config {
                &[RestoreType::All]
            } else {
                &[RestoreType::Database, RestoreType::Data]
            };
            for restore_type in types {
                if let Err(e) = restore_backup(env, &backups, &id, *restore_type).await {
                    errors.push(Failure::BackupNotRestored {
                        backup: id.clone(),
                        failed: reason::backup_failure(&e),
                    });
                    break;
                }
            }
            if errors.is_empty()
                && !env.supervisor.supervises()
                && env.supervisor.is_configured()
                && let Err(e) = env.supervisor.restart().await
            {
                errors.push(Failure::BotNotRestarted {
                    fault: reason::bot_fault(&e),
                });
            }
        }
        Source::Session(source) => {
            let entries = refresh(&env.runtime).await;
            let parts: Vec<_> = source
                .parts
                .iter()
                .rev()
                .filter(|p| {
                    request.restore_config
                        || !loaded(&entries, &p.provider)
                            .is_some_and(|l| l.info.kinds.contains(&UpdateKind::Config))
                })
                .collect();
            session.total_steps = parts.len() as u32;
            session.updates = parts
                .iter()
                .flat_map(|p| {
                    p.updates.iter().map(move |u| {
                        format!(
                            "{}: {} {} -> {}",
                            p.provider,
                            u.name,
                            u.latest,
                            u.current.as_deref().unwrap_or("(none)")
                        )
                    })
                })
                .collect();
            save(env, &session)?;
            for update in &session.updates {
                log.line(format!("planned: put back {update}"));
            }
            for (i, part) in parts.iter().enumerate() {
                report(
                    30 + (i * 40 / parts.len().max(1)) as u8,
                    Step::PuttingBack {
                        provider: part.provider.clone(),
                    },
                );
                match restore_part(
                    env,
                    &log,
                    &entries,
                    &part.provider,
                    &part.captured,
                    &part.unpacked,
                )
                .await
                {
                    Ok(()) => {
                        session.steps_completed += 1;
                        save(env, &session)?;
                    }
                    Err(e) => errors.push(reason::undo_failure(&e)),
                }
            }
            if errors.is_empty() && env.supervisor.is_configured() {
                report(75, Step::RestartingBot);
                log.line("restarting the bot (health probation)");
                if let Err(e) = env.supervisor.restart().await {
                    errors.push(Failure::Restart {
                        fault: reason::bot_fault(&e),
                    });
                }
            }
            if errors.is_empty() {
                report(90, Step::Verifying);
                for part in &parts {
                    let Some(provider) = loaded(&entries, &part.provider) else {
                        continue;
                    };
                    let back: Vec<Update> = part.updates.iter().filter_map(reversed).collect();
                    let runtime = env.runtime.clone();
                    let verified =
                        tokio::task::spawn_blocking(move || runtime.verify(&provider, &back))
                            .await
                            .expect("verify task");
                    if let Err(e) = verified {
                        errors.push(Failure::RollbackNotConfirmed {
                            provider: part.provider.clone(),
                            error: reason::provider_fault(&e),
                        });
                    }
                }
            }
        }
    }
    let (status, error) = match reason::all(errors.clone()) {
        None => (SessionStatus::Completed, None),
        Some(failure) => (SessionStatus::Failed, Some(Reason::from(failure))),
    };
    finish(env, &mut session, status, error)?;
    if status == SessionStatus::Completed {
        crate::drift::record_applied(env, &session.id).await;
    }
    report(100, Step::RollbackFinished);
    let mut outcome = InstallOutcome::ran(session, Vec::new(), errors);
    outcome.password_created = password_created;
    Ok(outcome)
}

/// How a `last_backup` rollback's session names, as its one `updates`
/// line, the backup it restored (`backup {id}`).
const RESTORED: &str = "backup ";

/// The backup a `last_backup` rollback restored, read from the line its
/// session keeps (see [`RESTORED`]), so a front words that line itself;
/// `None` for any other session.
pub fn restored_backup(session: &Session) -> Option<&str> {
    if session.kind != SessionKind::Rollback {
        return None;
    }
    match session.updates.as_slice() {
        [line] => line.strip_prefix(RESTORED),
        _ => None,
    }
}

enum Source {
    Backup(String),
    Session(Box<Session>),
}

/// The update that undoes `u`: from its target back to where it started.
fn reversed(u: &Update) -> Option<Update> {
    let current = u.current.clone()?;
    Some(Update {
        current: Some(u.latest.clone()),
        latest: current,
        ..u.clone()
    })
}

async fn restore_backup(
    env: &Env,
    backups: &Backups,
    id: &str,
    restore_type: RestoreType,
) -> Result<(), backup::BackupError> {
    let backups = backups.clone();
    let control = env
        .supervisor
        .supervises()
        .then(|| RestoreControl::new(env.supervisor.clone(), true));
    let request = backup::RestoreRequest {
        id: id.to_string(),
        restore_type,
        verify: true,
    };
    tokio::task::spawn_blocking(move || {
        backup::restore::restore(
            &backups,
            &request,
            control.as_ref().map(|c| c as &dyn backup::BotControl),
        )
    })
    .await
    .expect("restore task")
    .map(|_| ())
}
