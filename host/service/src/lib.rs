//! The one API every front calls (CLI, Discord, scheduler): validates the
//! request, runs the engine, returns typed results and typed errors. Fronts
//! parse and render; they never reach past this crate. It owns who may do
//! what (`access`), the operations per domain (`operations`), schedules
//! (`schedule`), status reports (`status`) and what is announced on its own
//! (`announce`, delivered by `notify`).

pub mod access;
pub mod announce;
mod background;
mod error;
pub mod gate;
pub mod memory;
pub mod notify;
mod operations;
pub mod schedule;
#[cfg(test)]
mod settings_tests;
pub mod status;
pub mod unix_names;
mod watch;

// The layers below, under the names this crate's modules use.
pub(crate) use steward_backup as backup;
pub(crate) use steward_core::{config, provider, settings, store};
pub(crate) use steward_engine as engine;
pub(crate) use steward_engine::supervisor;
pub(crate) use steward_runtime as runtime;
pub(crate) use steward_runtime::bundled;

use std::sync::{Arc, Mutex, RwLock};

use serde::Serialize;

pub use access::{Caller, DiscordCaller, LocalCaller, Operation, Role, TokenCaller};
pub use announce::CheckView;
pub use background::Background;
pub use error::{Expected, GrantRefusal, ServiceError};
pub use operations::grants::{GrantOutcome, GrantRequest};
pub use operations::reload::Reloaded;
pub use operations::schedule::{ScheduleRequest, ScheduleView, SchedulesView};
pub use operations::settings::SettingChange;
pub use operations::status::{StatusReport, StatusRequest};

use crate::backup::{
    BackupRecord, BackupStatus, BackupType, Backups, Created, Listing, Preview, Pruned, Range,
    RestoreType, Restored, SortBy, VerifyOutcome,
};
use crate::config::Config;
/// `/update_install`, `steward install`.
pub use crate::engine::install::InstallRequest;
use crate::engine::install::{self, InstallOutcome, RollbackTarget};
pub use crate::engine::install::{InstallPlan, InstallPreview, SafetyFinding};
use crate::engine::progress::ProgressSender;
use crate::engine::session::{Session, SessionStatus};
use crate::engine::{CheckOutcome, UpdateType};
use crate::provider::{Capabilities, UpdateKind};
use crate::runtime::grants::Grant;
use crate::runtime::{Origin, ProviderEntry, Runtime};
use crate::store::Store;

pub struct Service {
    /// steward.toml as read, before the stored settings are laid over it;
    /// replaced by a reload.
    file_config: RwLock<Arc<Config>>,
    /// Woken by a reload, so loops waiting out an interval look again.
    reloaded: tokio::sync::Notify,
    /// Woken when a schedule is added or switched on, so the scheduler
    /// does not sleep past its first run.
    pub(crate) schedules_changed: tokio::sync::Notify,
    /// The effective configuration, replaced whole when a setting changes.
    config: RwLock<Arc<Config>>,
    /// When this service started (Steward's uptime).
    started_at: chrono::DateTime<chrono::Utc>,
    runtime: Arc<Runtime>,
    /// Opened on first use: commands that need no records never lock it.
    store: Mutex<Option<Store>>,
    /// Interrupted updates this start rolled back, for fronts to report.
    recovered: Mutex<Vec<Session>>,
    /// The update lock a front took before opening the service, so that a
    /// second update hears who holds it rather than that the store is busy;
    /// the first operation that needs the lock takes this one.
    held_lock: Mutex<Option<install::UpdateLock>>,
    /// How a background check's findings are posted (the Discord front
    /// registers its rendering).
    check_embed: RwLock<announce::CheckEmbed>,
    /// Passed before every install and rollback (fleet mode's lock).
    gate: RwLock<Option<Arc<dyn gate::UpdateGate>>>,
    /// The newest check's findings, for what this instance publishes.
    last_check: Mutex<Option<CheckOutcome>>,
    /// The offsite copies following backups, until collected.
    offsite: operations::offsite::FollowUps,
}

/// `/backup_create`, `steward backup create`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct BackupRequest {
    pub backup_type: BackupType,
    pub compress: bool,
    pub name: Option<String>,
    pub include_logs: bool,
    pub description: Option<String>,
}

/// `/backup_list`, `steward backup list`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct BackupListRequest {
    pub backup_type: Option<BackupType>,
    pub range: Range,
    /// 1..=50.
    pub limit: usize,
    pub sort: SortBy,
}

/// What a restore will do, shown before it is confirmed.
#[derive(Debug, Clone, Serialize)]
pub struct RestorePreview {
    pub files: Preview,
    /// Steward stops the bot before and starts it after; otherwise the
    /// operator must.
    pub restarts_bot: bool,
}

/// `/backup_restore`, `steward backup restore`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RestoreRequest {
    pub id: String,
    pub restore_type: RestoreType,
    pub verify: bool,
    /// The caller confirmed that files will be replaced.
    pub confirm: bool,
}

/// `/update_rollback`, `steward rollback`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RollbackRequest {
    /// A version, or `last_backup`.
    pub target: String,
    pub confirm: bool,
    pub backup: bool,
    pub restore_config: bool,
}

/// Why an install put up for confirmation did not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotConfirmed {
    /// Cancel was pressed, or "no" typed.
    Cancelled,
    /// No answer in time, or no terminal to ask on.
    Unanswered,
}

/// `steward bot start|stop|restart`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum BotAction {
    Start,
    Stop,
    Restart,
}

impl BotAction {
    /// What the update lock says its holder is doing.
    fn doing(self) -> &'static str {
        match self {
            BotAction::Start => "bot start",
            BotAction::Stop => "bot stop",
            BotAction::Restart => "bot restart",
        }
    }
}

/// How the bot is after a `BotAction`.
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
pub enum BotState {
    Started(crate::supervisor::Started),
    Stopped,
}

/// What `check` is asked to do.
#[derive(Debug, Clone, Copy, serde::Deserialize, serde::Serialize)]
pub struct CheckRequest {
    pub update_type: UpdateType,
    pub include_security: bool,
}

impl RestoreRequest {
    fn into_backup(self) -> backup::RestoreRequest {
        backup::RestoreRequest {
            id: self.id,
            restore_type: self.restore_type,
            verify: self.verify,
        }
    }
}

/// One line of `providers list`.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct ProviderStatus {
    pub name: String,
    pub file: String,
    pub sha256: Option<String>,
    pub loaded: bool,
    pub error: Option<String>,
    pub enabled: bool,
    pub version: Option<String>,
    /// What the provider calls itself, when it differs from its file name.
    pub self_name: Option<String>,
    pub description: Option<String>,
    pub wit_version: Option<String>,
    pub kinds: Vec<UpdateKind>,
    pub wants: Option<Capabilities>,
    pub granted: Option<Grant>,
    /// `compiled` (now) or `cache` (read from the compile cache).
    pub compiled: Option<Origin>,
    pub load_ms: Option<f64>,
    /// What it asks for while nothing is granted to it: it is not run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_for_grant: Option<Capabilities>,
    /// What it asks for that its grant leaves out: it runs only partly.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
    /// An owner refused it everything (`providers deny`).
    #[serde(default)]
    pub denied: bool,
}

impl Service {
    /// Installs the bundled providers if needed and loads every provider.
    pub async fn open(config: Config) -> Result<Service, ServiceError> {
        Service::open_holding(config, None).await
    }

    /// Takes the update lock for `caller` before anything can wait on the
    /// store: for a front about to run an update (`open_holding` then).
    pub fn take_update_lock(
        config: &Config,
        caller: &Caller,
        doing: &str,
    ) -> Result<install::UpdateLock, ServiceError> {
        install::UpdateLock::acquire(&config.paths.data, &caller.label(), doing)
            .map_err(|e| ServiceError::Install(e.into()))
    }

    /// `open`, keeping `lock` (taken with `take_update_lock`) for the
    /// update that follows; recovery of an interrupted update runs under it.
    pub async fn open_holding(
        config: Config,
        lock: Option<install::UpdateLock>,
    ) -> Result<Service, ServiceError> {
        Service::open_with(config, lock, false).await
    }

    /// `open` for a `check` in its own process: the stored settings and
    /// grant decisions may come from their copy beside the store
    /// ([`steward_core::stored_copy`]), so a check that needs nothing else
    /// from the store does not open (and recover) it.
    pub async fn open_for_check(config: Config) -> Result<Service, ServiceError> {
        Service::open_with(config, None, true).await
    }

    async fn open_with(
        config: Config,
        lock: Option<install::UpdateLock>,
        stored_copy_ok: bool,
    ) -> Result<Service, ServiceError> {
        let dir = config.paths.providers.clone();
        crate::bundled::install(&dir).map_err(|source| ServiceError::ProvidersDir {
            path: dir.clone(),
            source,
        })?;
        let runtime = Runtime::new(&config).map_err(|e| ServiceError::Runtime {
            message: format!("{e:#}"),
        })?;
        let service = Service {
            file_config: RwLock::new(Arc::new(config.clone())),
            reloaded: tokio::sync::Notify::new(),
            schedules_changed: tokio::sync::Notify::new(),
            config: RwLock::new(Arc::new(config)),
            started_at: chrono::Utc::now(),
            runtime,
            store: Mutex::new(None),
            recovered: Mutex::new(Vec::new()),
            held_lock: Mutex::new(lock),
            check_embed: RwLock::new(announce::plain_check_embed),
            gate: RwLock::new(None),
            last_check: Mutex::new(None),
            offsite: Default::default(),
        };
        // Settings first: recovery runs under the effective configuration.
        service.apply_stored(stored_copy_ok)?;
        // A restore killed mid-swap is finished or undone before anything
        // else looks at the bot's tree.
        crate::backup::recover_restores(&service.config());
        service.recover().await;
        Ok(service)
    }

    /// Rolls back what an interrupted update left in the journal. Only
    /// when there is a journal: commands that need no records stay free of
    /// the store.
    async fn recover(&self) {
        let dir = install::journal::dir(&self.config().paths.data);
        if !std::fs::read_dir(&dir).is_ok_and(|mut d| d.next().is_some()) {
            return;
        }
        match self.install_env() {
            Ok(env) => {
                let holding = self.held_lock.lock().expect("held lock").is_some();
                let recovered = install::recover(&env, holding).await;
                for session in &recovered {
                    tracing::warn!(
                        session = session.id,
                        status = ?session.status,
                        "recovered an interrupted update: {}",
                        session.error.as_deref().unwrap_or_default()
                    );
                }
                *self.recovered.lock().expect("recovered") = recovered;
            }
            Err(e) => tracing::warn!("cannot check for interrupted updates now: {e}"),
        }
    }

    /// Posts background checks' findings as `embed` renders them.
    pub fn render_checks_with(&self, embed: announce::CheckEmbed) {
        *self.check_embed.write().expect("check embed") = embed;
    }

    fn check_embed(&self) -> announce::CheckEmbed {
        *self.check_embed.read().expect("check embed")
    }

    fn update_lock(
        &self,
        caller: &Caller,
        doing: &str,
    ) -> Result<install::UpdateLock, ServiceError> {
        if let Some(lock) = self.held_lock.lock().expect("held lock").take() {
            return Ok(lock);
        }
        Service::take_update_lock(&self.config(), caller, doing)
    }

    fn install_env(&self) -> Result<install::Env, ServiceError> {
        Ok(install::Env {
            config: (*self.config()).clone(),
            runtime: self.runtime.clone(),
            store: self.store()?,
            supervisor: crate::supervisor::Supervisor::new(&self.config()),
        })
    }

    /// What `install` would do with `request`, before anything runs: fronts
    /// show it and ask, or stop when the safety checks refuse (`Stopped`).
    pub async fn install_preview(
        &self,
        caller: &Caller,
        request: &InstallRequest,
    ) -> Result<InstallPreview, ServiceError> {
        self.authorize_install(caller, request)?;
        let env = self.install_env()?;
        let preview = install::preview(&env, request).await?;
        if let InstallPreview::Stopped { findings, updates } = &preview {
            // The front stops here: recorded, so the statistics count it.
            install::record_unrun(
                &env,
                request,
                &caller.label(),
                updates.clone(),
                SessionStatus::Stopped,
                install::stopped_reason(findings),
            )?;
        }
        Ok(preview)
    }

    /// Records an install a front put up for confirmation and that was not
    /// confirmed (`Cancelled`); nothing runs. `request` is the one previewed.
    pub fn install_cancelled(
        &self,
        caller: &Caller,
        request: &InstallRequest,
        why: NotConfirmed,
    ) -> Result<Session, ServiceError> {
        self.authorize(caller, Operation::Install)?;
        Ok(install::record_unrun(
            &self.install_env()?,
            request,
            &caller.label(),
            Vec::new(),
            SessionStatus::Cancelled,
            crate::engine::progress::Failure::Cancelled {
                unanswered: why == NotConfirmed::Unanswered,
            },
        )?)
    }

    /// Whether an install asks before it runs
    /// (`general.require_confirmation`), for a caller who may install.
    pub fn confirmation_required(&self, caller: &Caller) -> Result<bool, ServiceError> {
        self.authorize(caller, Operation::Install)?;
        Ok(self.config().general.require_confirmation)
    }

    /// Installs the available updates as one transaction (see
    /// `engine::install`); `progress` hears every stage and step.
    pub async fn install(
        &self,
        caller: &Caller,
        request: InstallRequest,
        progress: Option<&ProgressSender>,
    ) -> Result<InstallOutcome, ServiceError> {
        self.install_selected(caller, request, install::Selection::Offered, progress)
            .await
    }

    /// [`Service::install`], taking only the updates `selection` picks.
    pub async fn install_selected(
        &self,
        caller: &Caller,
        request: InstallRequest,
        selection: install::Selection,
        progress: Option<&ProgressSender>,
    ) -> Result<InstallOutcome, ServiceError> {
        self.authorize_install(caller, &request)?;
        let _pass = if request.dry_run {
            None
        } else {
            self.pass_gate(caller, "install").await?
        };
        // The lock first: a second request must hear who is updating, not
        // that the store is busy.
        let lock = if request.dry_run {
            None
        } else {
            Some(self.update_lock(caller, "install")?)
        };
        let env = self.install_env()?;
        let by = caller.label();
        let announcer = (!request.dry_run)
            .then(|| announce::Announcer::new(&env.config))
            .flatten()
            .map(Arc::new);
        let Some(announcer) = announcer else {
            let outcome =
                install::install_selected(&env, &request, selection, &by, lock, progress).await?;
            self.follow_up_backup_of(&outcome);
            return Ok(outcome);
        };
        announcer.started("Update", &by).await;
        let (sender, forward) = announcer.progress("Update", progress);
        let outcome =
            install::install_selected(&env, &request, selection, &by, lock, Some(&sender)).await;
        drop(sender);
        let _ = forward.await;
        match &outcome {
            Ok(outcome) => announcer.finished(outcome).await,
            Err(e) if matches!(caller, Caller::Schedule(_)) => {
                announcer.refused("Scheduled update", &by, e).await
            }
            Err(_) => {}
        }
        let outcome = outcome?;
        self.follow_up_backup_of(&outcome);
        Ok(outcome)
    }

    /// The offsite copy of the backup an install or rollback took first.
    fn follow_up_backup_of(&self, outcome: &InstallOutcome) {
        if let Some(id) = outcome.session.as_ref().and_then(|s| s.backup_id.as_ref()) {
            self.follow_up_offsite(id, false);
        }
    }

    pub async fn rollback(
        &self,
        caller: &Caller,
        request: RollbackRequest,
        progress: Option<&ProgressSender>,
    ) -> Result<InstallOutcome, ServiceError> {
        self.authorize(caller, Operation::Rollback)?;
        if !request.confirm {
            return Err(ServiceError::NotConfirmedFor { what: "rollback" });
        }
        if request.target.trim().is_empty() {
            return Err(ServiceError::InvalidArgument {
                name: "target_version".to_string(),
                value: request.target,
                expected: Expected::VersionOrLastBackup,
            });
        }
        let _pass = self.pass_gate(caller, "rollback").await?;
        let lock = self.update_lock(caller, "rollback")?;
        let env = self.install_env()?;
        let request = install::RollbackRequest {
            target: RollbackTarget::parse(&request.target),
            backup: request.backup,
            restore_config: request.restore_config,
            initiated_by: caller.label(),
        };
        let announcer = announce::Announcer::new(&env.config);
        if let Some(a) = &announcer {
            a.started("Rollback", &request.initiated_by).await;
        }
        let outcome = install::rollback(&env, &request, lock, progress).await?;
        self.follow_up_backup_of(&outcome);
        if let Some(a) = &announcer {
            a.finished(&outcome).await;
        }
        Ok(outcome)
    }

    /// What the newest check found (since this service started), for
    /// anyone who may see the status.
    pub fn last_check(&self, caller: &Caller) -> Result<Option<CheckOutcome>, ServiceError> {
        self.authorize(caller, Operation::Status)?;
        Ok(self.last_check.lock().expect("last check").clone())
    }

    /// The interrupted updates this start rolled back (for anyone who may
    /// see the status).
    pub fn recovered(&self, caller: &Caller) -> Result<Vec<Session>, ServiceError> {
        self.authorize(caller, Operation::Status)?;
        Ok(self.recovered.lock().expect("recovered").clone())
    }

    /// Refuses a rollback target nothing on record leads back to, before a
    /// front asks for confirmation.
    pub fn check_rollback_target(&self, caller: &Caller, target: &str) -> Result<(), ServiceError> {
        let known = self.rollback_targets(caller)?;
        match RollbackTarget::parse(target) {
            RollbackTarget::LastBackup => Ok(()),
            RollbackTarget::Version(v) if known.contains(&v) => Ok(()),
            RollbackTarget::Version(v) => Err(ServiceError::Install(
                install::InstallError::UnknownTarget { target: v, known },
            )),
        }
    }

    /// What `rollback` accepts now (for autocomplete and error messages):
    /// only for a caller who may roll back, like the backups a restore lists.
    pub fn rollback_targets(&self, caller: &Caller) -> Result<Vec<String>, ServiceError> {
        self.authorize(caller, Operation::Rollback)?;
        Ok(install::rollback_targets(&self.install_env()?))
    }

    /// Update sessions, newest first (for anyone who may see the status).
    pub fn sessions(&self, caller: &Caller) -> Result<Vec<Session>, ServiceError> {
        self.authorize(caller, Operation::Status)?;
        let mut all = crate::engine::session::tree(&self.store()?)?.values()?;
        all.sort_by_key(|s| std::cmp::Reverse(s.started_at));
        Ok(all)
    }

    /// The managed bot's supervisor.
    pub(crate) fn supervisor(&self) -> crate::supervisor::Supervisor {
        crate::supervisor::Supervisor::new(&self.config())
    }

    /// Starts, stops or restarts the bot for `caller` (owners only, as for
    /// an install, which restarts it too), holding the update lock
    /// meanwhile: refused, naming the holder, while an update runs.
    pub async fn bot(&self, caller: &Caller, action: BotAction) -> Result<BotState, ServiceError> {
        self.authorize(caller, Operation::BotControl)?;
        let _lock = self.update_lock(caller, action.doing())?;
        let supervisor = self.supervisor();
        Ok(match action {
            BotAction::Start => BotState::Started(supervisor.start().await?),
            BotAction::Restart => BotState::Started(supervisor.restart().await?),
            BotAction::Stop => {
                supervisor.stop().await?;
                BotState::Stopped
            }
        })
    }

    /// The bot Steward runs, if it is running (anyone who may see status).
    pub fn bot_status(
        &self,
        caller: &Caller,
    ) -> Result<Option<crate::supervisor::BotProcess>, ServiceError> {
        self.authorize(caller, Operation::Status)?;
        Ok(self.supervisor().status())
    }

    pub(crate) fn store(&self) -> Result<Store, ServiceError> {
        let mut slot = self.store.lock().expect("store slot");
        if let Some(store) = slot.as_ref() {
            return Ok(store.clone());
        }
        let store = Store::open(&self.store_path())?;
        *slot = Some(store.clone());
        Ok(store)
    }

    /// The backup directory, with leftovers of interrupted runs cleaned.
    fn backups(&self) -> Result<Backups, ServiceError> {
        Ok(Backups::open(&self.config(), self.store()?)?)
    }

    /// Runs blocking backup work off the async threads; `progress` hears
    /// how far a create or restore is.
    async fn blocking<T: Send + 'static>(
        &self,
        progress: Option<&ProgressSender>,
        work: impl FnOnce(Backups) -> Result<T, backup::BackupError> + Send + 'static,
    ) -> Result<T, ServiceError> {
        let backups = self.backups()?.reporting_to(progress.cloned());
        tokio::task::spawn_blocking(move || work(backups))
            .await
            .map_err(|e| ServiceError::Runtime {
                message: format!("a backup task stopped: {e}"),
            })?
            .map_err(ServiceError::from)
    }

    pub async fn backup_create(
        &self,
        caller: &Caller,
        request: BackupRequest,
        progress: Option<&ProgressSender>,
    ) -> Result<Created, ServiceError> {
        self.authorize(caller, Operation::BackupCreate)?;
        let request = backup::CreateRequest {
            backup_type: request.backup_type,
            compress: request.compress,
            name: request.name,
            include_logs: request.include_logs,
            description: request.description,
            auto_created: false,
        };
        let created = self
            .blocking(progress, move |b| backup::create::create(&b, &request))
            .await?;
        self.follow_up_offsite(&created.record.id, false);
        if let Some(a) = announce::Announcer::new(&self.config()) {
            a.backup(&created).await;
        }
        Ok(created)
    }

    pub async fn backup_list(
        &self,
        caller: &Caller,
        request: BackupListRequest,
    ) -> Result<Listing, ServiceError> {
        self.authorize(caller, Operation::BackupList)?;
        if !(1..=50).contains(&request.limit) {
            return Err(ServiceError::InvalidArgument {
                name: "limit".to_string(),
                value: request.limit.to_string(),
                expected: Expected::Range { min: 1, max: 50 },
            });
        }
        let request = backup::ListRequest {
            backup_type: request.backup_type,
            range: request.range,
            limit: request.limit,
            sort: request.sort,
        };
        self.blocking(None, move |b| backup::list::list(&b, &request))
            .await
    }

    /// Checks a backup against its record (and with `drill`, restores its
    /// databases into a scratch directory): for anyone who may list them.
    pub async fn backup_verify(
        &self,
        caller: &Caller,
        id: String,
        drill: bool,
    ) -> Result<VerifyOutcome, ServiceError> {
        self.authorize(caller, Operation::BackupList)?;
        self.blocking(None, move |b| backup::verify::verify(&b, &id, drill))
            .await
    }

    /// Writes a backup as a standard `.tar.gz` at `file` (issue 17): as
    /// sensitive as a restore, and only for a caller on this machine, since
    /// the service itself writes the file.
    pub async fn backup_export(
        &self,
        caller: &Caller,
        id: String,
        file: std::path::PathBuf,
    ) -> Result<backup::export::Exported, ServiceError> {
        self.authorize(caller, Operation::BackupRestore)?;
        local_path(caller, &file)?;
        self.blocking(None, move |b| backup::export::export(&b, &id, &file))
            .await
    }

    /// Stores the archive at `file` as a snapshot in the repository: as
    /// sensitive as a restore (it adds what a restore may put back), and
    /// only for a caller on this machine.
    pub async fn backup_import(
        &self,
        caller: &Caller,
        file: std::path::PathBuf,
    ) -> Result<Created, ServiceError> {
        self.authorize(caller, Operation::BackupRestore)?;
        local_path(caller, &file)?;
        self.blocking(None, move |b| backup::import::import(&b, &file))
            .await
    }

    /// Restores a backup. When Steward runs the bot (`bot.start`), it stops
    /// the bot first and starts it again afterwards if it was running
    /// (holding it to the health probation); otherwise the operator stops
    /// it beforehand.
    pub async fn backup_restore(
        &self,
        caller: &Caller,
        request: RestoreRequest,
        progress: Option<&ProgressSender>,
    ) -> Result<Restored, ServiceError> {
        self.restore_allowed(caller, &request)?;
        let request = request.into_backup();
        let supervisor = self.supervisor();
        let control = supervisor
            .supervises()
            .then(|| crate::supervisor::RestoreControl::new(supervisor, false));
        self.blocking(progress, move |b| {
            backup::restore::restore(
                &b,
                &request,
                control.as_ref().map(|c| c as &dyn backup::BotControl),
            )
        })
        .await
    }

    /// Refuses a restore the caller may not run, did not confirm, or of a
    /// backup that is not there (or not complete), before any archive is
    /// read (fronts ask first, so the refusal stays private).
    pub fn restore_allowed(
        &self,
        caller: &Caller,
        request: &RestoreRequest,
    ) -> Result<(), ServiceError> {
        self.authorize(caller, Operation::BackupRestore)?;
        if !request.confirm {
            return Err(ServiceError::NotConfirmed);
        }
        self.backups()?.completed(&request.id)?;
        Ok(())
    }

    /// What `backup_restore` would do, from the archive's manifest;
    /// changes nothing.
    pub async fn restore_preview(
        &self,
        caller: &Caller,
        request: &RestoreRequest,
    ) -> Result<RestorePreview, ServiceError> {
        self.restore_allowed(caller, request)?;
        let request = request.clone().into_backup();
        let files = self
            .blocking(None, move |b| backup::restore::preview(&b, &request))
            .await?;
        Ok(RestorePreview {
            files,
            restarts_bot: self.supervisor().supervises(),
        })
    }

    /// Completed backups, newest first, for a caller who may restore them
    /// (nobody else learns what exists).
    pub async fn restorable_backups(
        &self,
        caller: &Caller,
    ) -> Result<Vec<BackupRecord>, ServiceError> {
        self.authorize(caller, Operation::BackupRestore)?;
        self.blocking(None, |b| {
            let mut completed: Vec<BackupRecord> = b
                .all()?
                .into_iter()
                .filter(|r| r.status == BackupStatus::Completed)
                .collect();
            completed.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
            Ok(completed)
        })
        .await
    }

    /// Applies the retention policy now (owners only: it removes backups).
    pub async fn backup_prune(&self, caller: &Caller) -> Result<Pruned, ServiceError> {
        self.authorize(caller, Operation::BackupPrune)?;
        self.prune().await
    }

    /// Applies the retention policy, for the service's own callers (a
    /// lowered limit, a finished install) that were authorized already.
    pub(crate) async fn prune(&self) -> Result<Pruned, ServiceError> {
        self.blocking(None, |b| {
            backup::prune::prune(&b, &backup::prune::session_references(&b))
        })
        .await
    }

    /// The effective configuration: steward.toml with the stored settings
    /// laid over it. A snapshot: hold it for one operation, not longer.
    pub fn config(&self) -> Arc<Config> {
        self.config.read().expect("config lock").clone()
    }

    /// The providers directory as it is now (rescanned).
    async fn entries(&self) -> Vec<ProviderEntry> {
        let runtime = self.runtime.clone();
        tokio::task::spawn_blocking(move || runtime.refresh())
            .await
            .unwrap_or_default()
    }

    /// `authorize` for an install, and a token scoped to one type
    /// (`install:bot`) installs only that type.
    pub fn authorize_install(
        &self,
        caller: &Caller,
        request: &InstallRequest,
    ) -> Result<Role, ServiceError> {
        let role = self.authorize(caller, Operation::Install)?;
        match caller {
            Caller::Token(token) if !token.permits_install(request.update_type) => {
                Err(ServiceError::OutOfScope {
                    token: token.name.clone(),
                    operation: Operation::Install,
                    scopes: token.scopes.clone(),
                })
            }
            _ => Ok(role),
        }
    }

    /// The caller's role, if they may run `operation`; the refusal otherwise.
    /// Fronts call this before they acknowledge a request (so a refusal can
    /// be private); every operation checks again itself.
    pub fn authorize(&self, caller: &Caller, operation: Operation) -> Result<Role, ServiceError> {
        if let Caller::Token(token) = caller {
            return if token.permits(operation) {
                Ok(Role::Owner)
            } else {
                Err(ServiceError::OutOfScope {
                    token: token.name.clone(),
                    operation,
                    scopes: token.scopes.clone(),
                })
            };
        }
        let config = self.config();
        let role = access::role(caller, &config.discord, &config.control);
        if access::allows(role, operation) {
            Ok(role)
        } else {
            Err(ServiceError::PermissionDenied { operation, role })
        }
    }

    /// Asks every matching provider what can be updated; `progress` hears
    /// about each provider as it finishes.
    pub async fn check(
        &self,
        caller: &Caller,
        request: CheckRequest,
        progress: Option<&ProgressSender>,
    ) -> Result<CheckOutcome, ServiceError> {
        self.authorize(caller, Operation::Check)?;
        let entries = self.entries().await;
        let mut outcome = engine::check::check(
            &self.runtime,
            entries,
            request.update_type,
            request.include_security,
            progress,
        )
        .await;
        engine::policy::hold_young_releases(&self.config(), &mut outcome);
        *self.last_check.lock().expect("last check") = Some(outcome.clone());
        Ok(outcome)
    }

    /// Posts a check's findings to the notification channels as a
    /// background check does (`[notifications]` decides; delivery failures
    /// are logged). `false` when no channel or webhook is configured.
    pub async fn announce_check(
        &self,
        caller: &Caller,
        outcome: &CheckOutcome,
        view: &CheckView,
    ) -> Result<bool, ServiceError> {
        self.authorize(caller, Operation::Check)?;
        let Some(announcer) = announce::Announcer::new(&self.config()) else {
            return Ok(false);
        };
        announcer.available(outcome, view, self.check_embed()).await;
        Ok(true)
    }

    /// The providers directory: what loaded, what failed and why, what
    /// each was granted (for anyone who may see the status).
    pub async fn providers(&self, caller: &Caller) -> Result<Vec<ProviderStatus>, ServiceError> {
        self.authorize(caller, Operation::Status)?;
        let decisions = self.stored_decisions();
        let denied = |name: &str| {
            decisions
                .get(name)
                .is_some_and(|d| d.decision == steward_core::granted::Decision::Denied)
        };
        Ok(self
            .entries()
            .await
            .into_iter()
            .map(|entry| match entry {
                ProviderEntry::Loaded(p) => ProviderStatus {
                    name: p.name.clone(),
                    file: p.file.display().to_string(),
                    sha256: Some(p.sha256.clone()),
                    loaded: true,
                    error: None,
                    enabled: p.enabled,
                    version: Some(p.info.version.clone()),
                    self_name: (p.info.name != p.name).then(|| p.info.name.clone()),
                    description: Some(p.info.description.clone()),
                    wit_version: Some(p.wit_version.clone()),
                    kinds: p.info.kinds.clone(),
                    wants: Some(p.info.wants.clone()),
                    granted: Some((*p.grant).clone()),
                    compiled: Some(p.origin),
                    load_ms: Some(p.load_ms),
                    waiting_for_grant: p.waiting_for_grant.clone(),
                    missing: p.missing.clone(),
                    denied: denied(&p.name),
                },
                ProviderEntry::Failed(f) => ProviderStatus {
                    name: f.name.clone(),
                    file: f.file.display().to_string(),
                    sha256: f.sha256.clone(),
                    loaded: false,
                    error: Some(f.error.clone()),
                    enabled: self
                        .config()
                        .providers
                        .get(&f.name)
                        .is_none_or(|c| c.enabled),
                    version: None,
                    self_name: None,
                    description: None,
                    wit_version: None,
                    kinds: Vec::new(),
                    wants: None,
                    granted: None,
                    compiled: None,
                    load_ms: None,
                    waiting_for_grant: None,
                    missing: Vec::new(),
                    denied: denied(&f.name),
                },
            })
            .collect())
    }
}

/// A file path the service reads or writes for `caller`: only from this
/// machine's shell or control socket, and absolute (the service's working
/// directory is not the caller's).
fn local_path(caller: &Caller, file: &std::path::Path) -> Result<(), ServiceError> {
    if !matches!(caller, Caller::Shell | Caller::Local(_)) || !file.is_absolute() {
        return Err(ServiceError::InvalidArgument {
            name: "file".to_string(),
            value: file.display().to_string(),
            expected: Expected::LocalAbsolutePath,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An admin may not start or stop the bot, and is told so in words
    /// about the bot, not about installing updates.
    #[tokio::test]
    async fn an_admin_asking_to_stop_the_bot_is_refused_naming_bot_control() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("bot")).unwrap();
        let file = dir.path().join("steward.toml");
        std::fs::write(&file, "[bot]\nroot = \"bot\"\nstart = [\"true\"]\n").unwrap();
        let service = Service::open(Config::load(&file, false).unwrap())
            .await
            .unwrap();
        let admin = Caller::Discord(DiscordCaller {
            user_id: 5,
            administrator: true,
            ..Default::default()
        });
        let err = service.bot(&admin, BotAction::Stop).await.unwrap_err();
        assert_eq!(
            err.user_message(),
            "Permission denied: starting and stopping the bot is for the bot's owners only. \
             Admins can check for updates, view the status, and create or list backups."
        );
    }

    async fn demo_service(dir: &std::path::Path) -> Service {
        std::fs::create_dir(dir.join("bot")).unwrap();
        let file = dir.join("steward.toml");
        std::fs::write(&file, "[bot]\nroot = \"bot\"\nstart = [\"true\"]\n").unwrap();
        Service::open(Config::load(&file, false).unwrap())
            .await
            .unwrap()
    }

    /// Every read of the service's state asks who is reading: a guild
    /// member with no role sees no sessions, providers or recoveries, and
    /// only owners prune backups.
    #[tokio::test]
    async fn a_member_reads_nothing_and_an_admin_prunes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let service = demo_service(dir.path()).await;
        let member = Caller::Discord(DiscordCaller {
            user_id: 7,
            ..Default::default()
        });
        let refused = |e: ServiceError| e.user_message();
        assert!(
            refused(service.sessions(&member).unwrap_err())
                .starts_with("Permission denied: viewing the update status")
        );
        assert!(
            refused(service.recovered(&member).unwrap_err())
                .starts_with("Permission denied: viewing the update status")
        );
        assert!(
            refused(service.providers(&member).await.unwrap_err())
                .starts_with("Permission denied: viewing the update status")
        );
        let admin = Caller::Discord(DiscordCaller {
            user_id: 5,
            administrator: true,
            ..Default::default()
        });
        assert!(service.sessions(&admin).is_ok());
        assert!(
            refused(service.backup_prune(&admin).await.unwrap_err())
                .starts_with("Permission denied: pruning backups is for the bot's owners only")
        );
        assert!(service.backup_prune(&Caller::Shell).await.is_ok());
    }
}
