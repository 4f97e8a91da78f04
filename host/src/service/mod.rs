//! The one API every front calls (CLI, Discord, scheduler): validates the
//! request, runs the engine, returns typed results and typed errors. Fronts
//! parse and render; they never reach past this module.

pub mod access;
mod error;

use std::sync::{Arc, Mutex};

use serde::Serialize;

pub use access::{Caller, DiscordCaller, Operation, Role};
pub use error::ServiceError;

use crate::backup::{
    self, BackupRecord, BackupStatus, BackupType, Backups, Created, Listing, Preview, Pruned,
    Range, RestoreType, Restored, SortBy, VerifyOutcome,
};
use crate::config::Config;
use crate::engine::progress::ProgressSender;
use crate::engine::{self, CheckOutcome, UpdateType};
use crate::provider::{Capabilities, UpdateKind};
use crate::runtime::grants::Grant;
use crate::runtime::{Origin, ProviderEntry, Runtime};
use crate::store::Store;

pub struct Service {
    config: Config,
    runtime: Arc<Runtime>,
    /// Opened on first use: commands that need no records never lock it.
    store: Mutex<Option<Store>>,
}

/// `/backup_create`, `steward backup create`.
#[derive(Debug, Clone)]
pub struct BackupRequest {
    pub backup_type: BackupType,
    pub compress: bool,
    pub name: Option<String>,
    pub include_logs: bool,
    pub description: Option<String>,
}

/// `/backup_list`, `steward backup list`.
#[derive(Debug, Clone)]
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
#[derive(Debug, Clone)]
pub struct RestoreRequest {
    pub id: String,
    pub restore_type: RestoreType,
    pub verify: bool,
    /// The caller confirmed that files will be replaced.
    pub confirm: bool,
}

/// What `check` is asked to do.
#[derive(Debug, Clone, Copy)]
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
#[derive(Debug, Clone, Serialize)]
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
}

impl Service {
    /// Installs the bundled providers if needed and loads every provider.
    pub async fn open(config: Config) -> Result<Service, ServiceError> {
        let dir = config.paths.providers.clone();
        crate::bundled::install(&dir).map_err(|source| ServiceError::ProvidersDir {
            path: dir.clone(),
            source,
        })?;
        let runtime = Runtime::new(&config).map_err(|e| ServiceError::Runtime {
            message: format!("{e:#}"),
        })?;
        Ok(Service {
            config,
            runtime,
            store: Mutex::new(None),
        })
    }

    fn store(&self) -> Result<Store, ServiceError> {
        let mut slot = self.store.lock().expect("store slot");
        if let Some(store) = slot.as_ref() {
            return Ok(store.clone());
        }
        let store = Store::open(&self.config.paths.data.join("steward.sled"))?;
        *slot = Some(store.clone());
        Ok(store)
    }

    /// The backup directory, with leftovers of interrupted runs cleaned.
    fn backups(&self) -> Result<Backups, ServiceError> {
        Ok(Backups::open(&self.config, self.store()?)?)
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
        self.blocking(progress, move |b| backup::create::create(&b, &request))
            .await
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
                expected: "a number from 1 to 50".to_string(),
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

    pub async fn backup_verify(
        &self,
        id: String,
        drill: bool,
    ) -> Result<VerifyOutcome, ServiceError> {
        self.blocking(None, move |b| backup::verify::verify(&b, &id, drill))
            .await
    }

    /// Restores with the bot stopped by the operator: there is no
    /// supervisor yet to stop and start it (it will pass a `BotControl`).
    pub async fn backup_restore(
        &self,
        caller: &Caller,
        request: RestoreRequest,
        progress: Option<&ProgressSender>,
    ) -> Result<Restored, ServiceError> {
        self.restore_allowed(caller, &request)?;
        let request = request.into_backup();
        self.blocking(progress, move |b| {
            backup::restore::restore(&b, &request, None)
        })
        .await
    }

    /// Refuses a restore the caller may not run or did not confirm, before
    /// anything is read (fronts ask first, so the refusal stays private).
    pub fn restore_allowed(
        &self,
        caller: &Caller,
        request: &RestoreRequest,
    ) -> Result<(), ServiceError> {
        self.authorize(caller, Operation::BackupRestore)?;
        if !request.confirm {
            return Err(ServiceError::NotConfirmed);
        }
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
            // `backup_restore` passes no `BotControl` yet.
            restarts_bot: false,
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

    /// Applies the retention policy now.
    pub async fn backup_prune(&self) -> Result<Pruned, ServiceError> {
        self.blocking(None, |b| {
            backup::prune::prune(&b, &backup::prune::no_session_references())
        })
        .await
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The providers directory as it is now (rescanned).
    async fn entries(&self) -> Vec<ProviderEntry> {
        let runtime = self.runtime.clone();
        tokio::task::spawn_blocking(move || runtime.refresh())
            .await
            .unwrap_or_default()
    }

    /// The caller's role, if they may run `operation`; the refusal otherwise.
    /// Fronts call this before they acknowledge a request (so a refusal can
    /// be private); every operation checks again itself.
    pub fn authorize(&self, caller: &Caller, operation: Operation) -> Result<Role, ServiceError> {
        let role = access::role(caller, &self.config.discord);
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
        Ok(engine::check::check(
            &self.runtime,
            entries,
            request.update_type,
            request.include_security,
            progress,
        )
        .await)
    }

    pub async fn providers(&self) -> Vec<ProviderStatus> {
        self.entries()
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
                },
                ProviderEntry::Failed(f) => ProviderStatus {
                    name: f.name.clone(),
                    file: f.file.display().to_string(),
                    sha256: f.sha256.clone(),
                    loaded: false,
                    error: Some(f.error.clone()),
                    enabled: self.config.providers.get(&f.name).is_none_or(|c| c.enabled),
                    version: None,
                    self_name: None,
                    description: None,
                    wit_version: None,
                    kinds: Vec::new(),
                    wants: None,
                    granted: None,
                    compiled: None,
                    load_ms: None,
                },
            })
            .collect()
    }
}
