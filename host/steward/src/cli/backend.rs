//! Where a CLI command is answered: by the running service through its
//! control socket, or, when none answers, by a service opened in this
//! process. Both give the same typed results, so every command renders,
//! exits and reports progress the same way either way.
//!
//! Through the socket the caller is whoever the kernel says connected
//! (`SO_PEERCRED`, mapped by `[control]`); the `caller` arguments are for
//! the in-process service only.

use steward_control::client::Client;
use steward_control::server::Checked;

use crate::backup::export::Exported;
use crate::backup::offsite::Copied;
use crate::backup::{Created, Listing, Pruned, Restored, VerifyOutcome};
use crate::engine::CheckOutcome;
use crate::engine::install::{InstallOutcome, InstallPreview, InstallRequest};
use crate::engine::progress::ProgressSender;
use crate::schedule::Schedule;
use crate::service::{
    BackupListRequest, BackupRequest, BotAction, BotState, Caller, CheckRequest, CheckView,
    GrantOutcome, GrantRequest, NotConfirmed, ProviderStatus, Reloaded, RestoreRequest,
    RollbackRequest, ScheduleRequest, ScheduleView, SchedulesView, Service, ServiceError,
    SettingChange, StatusReport, StatusRequest,
};
use crate::settings::SettingView;
use crate::supervisor::BotProcess;

pub enum Backend {
    Local(Box<Service>),
    Remote(Client),
}

impl Backend {
    /// Done with, once a check's answer is out: what this process opened
    /// for it (the engine and its compiled providers, the providers'
    /// connections) is not taken down piece by piece but ends with the
    /// process, which is about to exit. A check opens no store and holds no
    /// lock, and its cache writes are finished before it answers, so
    /// nothing is left unsaved; tearing it all down took about a
    /// millisecond of every check.
    pub fn leave_to_exit(self) {
        std::mem::forget(self);
    }

    /// Whether commands go through a running service.
    pub fn is_remote(&self) -> bool {
        matches!(self, Backend::Remote(_))
    }

    pub async fn check(
        &self,
        caller: &Caller,
        request: CheckRequest,
        notify: Option<CheckView>,
    ) -> Result<(CheckOutcome, Option<bool>), ServiceError> {
        match self {
            Backend::Local(s) => {
                let outcome = s.check(caller, request, None).await?;
                let announced = match notify {
                    Some(view) => Some(s.announce_check(caller, &outcome, &view).await?),
                    None => None,
                };
                Ok((outcome, announced))
            }
            Backend::Remote(c) => {
                let body = serde_json::json!({
                    "update_type": request.update_type,
                    "include_security": request.include_security,
                    "notify": notify.is_some(),
                    "details": notify.is_some_and(|v| v.details),
                });
                let checked: Checked = c.post("/v1/check", &body).await?;
                Ok((checked.outcome, checked.announced))
            }
        }
    }

    pub async fn providers(&self, caller: &Caller) -> Result<Vec<ProviderStatus>, ServiceError> {
        match self {
            Backend::Local(s) => s.providers(caller).await,
            Backend::Remote(c) => c.get("/v1/providers").await,
        }
    }

    pub async fn provider_grant(
        &self,
        caller: &Caller,
        name: &str,
        request: GrantRequest,
    ) -> Result<GrantOutcome, ServiceError> {
        match self {
            Backend::Local(s) => s.provider_grant(caller, name, request).await,
            Backend::Remote(c) => {
                c.post(&format!("/v1/providers/{}/grant", segment(name)), &request)
                    .await
            }
        }
    }

    pub async fn provider_deny(
        &self,
        caller: &Caller,
        name: &str,
    ) -> Result<GrantOutcome, ServiceError> {
        match self {
            Backend::Local(s) => s.provider_deny(caller, name).await,
            Backend::Remote(c) => {
                c.post(&format!("/v1/providers/{}/deny", segment(name)), &())
                    .await
            }
        }
    }

    pub async fn status(
        &self,
        caller: &Caller,
        request: StatusRequest,
    ) -> Result<StatusReport, ServiceError> {
        match self {
            Backend::Local(s) => s.status(caller, request).await,
            Backend::Remote(c) => {
                let mut report: StatusReport = c.post("/v1/status", &request).await?;
                if request.chart {
                    report.chart = Some(c.post_bytes("/v1/status/chart", &request).await?.to_vec());
                }
                Ok(report)
            }
        }
    }

    pub async fn install_preview(
        &self,
        caller: &Caller,
        request: &InstallRequest,
    ) -> Result<InstallPreview, ServiceError> {
        match self {
            Backend::Local(s) => s.install_preview(caller, request).await,
            Backend::Remote(c) => c.post("/v1/install/preview", request).await,
        }
    }

    pub async fn install_cancelled(
        &self,
        caller: &Caller,
        request: &InstallRequest,
        why: NotConfirmed,
    ) -> Result<(), ServiceError> {
        match self {
            Backend::Local(s) => s.install_cancelled(caller, request, why).map(drop),
            Backend::Remote(c) => {
                let body = serde_json::json!({ "request": request, "why": why });
                let _: serde_json::Value = c.post("/v1/install/cancelled", &body).await?;
                Ok(())
            }
        }
    }

    pub async fn confirmation_required(&self, caller: &Caller) -> Result<bool, ServiceError> {
        match self {
            Backend::Local(s) => s.confirmation_required(caller),
            Backend::Remote(c) => c.get("/v1/install/confirmation").await,
        }
    }

    pub async fn install(
        &self,
        caller: &Caller,
        request: InstallRequest,
        progress: Option<&ProgressSender>,
    ) -> Result<InstallOutcome, ServiceError> {
        match self {
            Backend::Local(s) => s.install(caller, request, progress).await,
            Backend::Remote(c) => c.stream("/v1/install", &request, progress).await,
        }
    }

    pub async fn check_rollback_target(
        &self,
        caller: &Caller,
        target: &str,
    ) -> Result<(), ServiceError> {
        match self {
            Backend::Local(s) => s.check_rollback_target(caller, target),
            Backend::Remote(c) => {
                c.post(
                    "/v1/rollback/check",
                    &serde_json::json!({ "target": target }),
                )
                .await
            }
        }
    }

    pub async fn rollback(
        &self,
        caller: &Caller,
        request: RollbackRequest,
        progress: Option<&ProgressSender>,
    ) -> Result<InstallOutcome, ServiceError> {
        match self {
            Backend::Local(s) => s.rollback(caller, request, progress).await,
            Backend::Remote(c) => c.stream("/v1/rollback", &request, progress).await,
        }
    }

    pub async fn bot(&self, caller: &Caller, action: BotAction) -> Result<BotState, ServiceError> {
        match self {
            Backend::Local(s) => s.bot(caller, action).await,
            Backend::Remote(c) => {
                let action = match action {
                    BotAction::Start => "start",
                    BotAction::Stop => "stop",
                    BotAction::Restart => "restart",
                };
                c.post(&format!("/v1/bot/{action}"), &()).await
            }
        }
    }

    pub async fn bot_status(&self, caller: &Caller) -> Result<Option<BotProcess>, ServiceError> {
        match self {
            Backend::Local(s) => s.bot_status(caller),
            Backend::Remote(c) => c.get("/v1/bot").await,
        }
    }

    pub async fn backup_create(
        &self,
        caller: &Caller,
        request: BackupRequest,
        progress: Option<&ProgressSender>,
    ) -> Result<Created, ServiceError> {
        match self {
            Backend::Local(s) => s.backup_create(caller, request, progress).await,
            Backend::Remote(c) => c.stream("/v1/backups", &request, progress).await,
        }
    }

    /// Whether this process copies backup `id` offsite after answering
    /// (through the socket, the service does it in its background).
    pub fn offsite_pending(&self, id: &str) -> bool {
        match self {
            Backend::Local(s) => s.offsite_pending(id),
            Backend::Remote(_) => false,
        }
    }

    /// The offsite copies following backup `id` in this process, waited
    /// for; `None` when none runs here.
    pub async fn offsite_copies(&self, id: &str) -> Option<Vec<Copied>> {
        match self {
            Backend::Local(s) => s.offsite_copies(id).await,
            Backend::Remote(_) => None,
        }
    }

    pub async fn backup_list(
        &self,
        caller: &Caller,
        request: BackupListRequest,
    ) -> Result<Listing, ServiceError> {
        match self {
            Backend::Local(s) => s.backup_list(caller, request).await,
            Backend::Remote(c) => c.post("/v1/backups/list", &request).await,
        }
    }

    pub async fn backup_verify(
        &self,
        caller: &Caller,
        id: String,
        drill: bool,
    ) -> Result<VerifyOutcome, ServiceError> {
        match self {
            Backend::Local(s) => s.backup_verify(caller, id, drill).await,
            Backend::Remote(c) => {
                c.post(
                    &format!("/v1/backups/{}/verify", segment(&id)),
                    &serde_json::json!({ "drill": drill }),
                )
                .await
            }
        }
    }

    pub async fn backup_restore(
        &self,
        caller: &Caller,
        request: RestoreRequest,
        progress: Option<&ProgressSender>,
    ) -> Result<Restored, ServiceError> {
        match self {
            Backend::Local(s) => s.backup_restore(caller, request, progress).await,
            Backend::Remote(c) => {
                let uri = format!("/v1/backups/{}/restore", segment(&request.id));
                c.stream(&uri, &request, progress).await
            }
        }
    }

    pub async fn backup_export(
        &self,
        caller: &Caller,
        id: String,
        file: std::path::PathBuf,
    ) -> Result<Exported, ServiceError> {
        match self {
            Backend::Local(s) => s.backup_export(caller, id, file).await,
            Backend::Remote(c) => {
                c.post(
                    &format!("/v1/backups/{}/export", segment(&id)),
                    &serde_json::json!({ "file": file }),
                )
                .await
            }
        }
    }

    pub async fn backup_import(
        &self,
        caller: &Caller,
        file: std::path::PathBuf,
    ) -> Result<Created, ServiceError> {
        match self {
            Backend::Local(s) => s.backup_import(caller, file).await,
            Backend::Remote(c) => {
                c.post("/v1/backups/import", &serde_json::json!({ "file": file }))
                    .await
            }
        }
    }

    pub async fn backup_prune(&self, caller: &Caller) -> Result<Pruned, ServiceError> {
        match self {
            Backend::Local(s) => s.backup_prune(caller).await,
            Backend::Remote(c) => c.post("/v1/backups/prune", &()).await,
        }
    }

    pub async fn schedule_add(
        &self,
        caller: &Caller,
        request: ScheduleRequest,
    ) -> Result<ScheduleView, ServiceError> {
        match self {
            Backend::Local(s) => s.schedule_add(caller, request),
            Backend::Remote(c) => c.post("/v1/schedules", &request).await,
        }
    }

    pub async fn schedule_list(&self, caller: &Caller) -> Result<SchedulesView, ServiceError> {
        match self {
            Backend::Local(s) => s.schedule_list(caller),
            Backend::Remote(c) => c.get("/v1/schedules").await,
        }
    }

    pub async fn schedule_enable(
        &self,
        caller: &Caller,
        id: &str,
        enabled: bool,
    ) -> Result<ScheduleView, ServiceError> {
        match self {
            Backend::Local(s) => s.schedule_enable(caller, id, enabled),
            Backend::Remote(c) => {
                c.post(
                    &format!("/v1/schedules/{}/enabled", segment(id)),
                    &serde_json::json!({ "enabled": enabled }),
                )
                .await
            }
        }
    }

    pub async fn schedule_remove(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<Schedule, ServiceError> {
        match self {
            Backend::Local(s) => s.schedule_remove(caller, id),
            Backend::Remote(c) => c.delete(&format!("/v1/schedules/{}", segment(id))).await,
        }
    }

    pub async fn settings_list(&self, caller: &Caller) -> Result<Vec<SettingView>, ServiceError> {
        match self {
            Backend::Local(s) => s.settings_list(caller),
            Backend::Remote(c) => c.get("/v1/settings").await,
        }
    }

    pub async fn settings_get(
        &self,
        caller: &Caller,
        category: &str,
        name: &str,
    ) -> Result<SettingView, ServiceError> {
        match self {
            Backend::Local(s) => s.settings_get(caller, category, name),
            Backend::Remote(c) => c.get(&setting_uri(category, name)).await,
        }
    }

    pub async fn settings_set(
        &self,
        caller: &Caller,
        category: &str,
        name: &str,
        value: &str,
    ) -> Result<SettingChange, ServiceError> {
        match self {
            Backend::Local(s) => s.settings_set(caller, category, name, value).await,
            Backend::Remote(c) => {
                c.put(
                    &setting_uri(category, name),
                    &serde_json::json!({ "value": value }),
                )
                .await
            }
        }
    }

    pub async fn settings_reset(
        &self,
        caller: &Caller,
        category: &str,
        name: &str,
    ) -> Result<SettingChange, ServiceError> {
        match self {
            Backend::Local(s) => s.settings_reset(caller, category, name).await,
            Backend::Remote(c) => c.delete(&setting_uri(category, name)).await,
        }
    }

    /// The fleet as the running service sees it; `None` when fleet mode is off.
    pub async fn fleet_status(&self) -> Result<Option<steward_fleet::FleetStatus>, ServiceError> {
        match self {
            Backend::Local(_) => Err(fleet_needs_service()),
            Backend::Remote(c) => c.get("/v1/fleet/status").await,
        }
    }

    /// Runs a wave (`install`, `rollback` or `check`) through the running
    /// service and follows it to its end, printing progress unless `quiet`.
    pub async fn fleet_wave(
        &self,
        what: &str,
        body: &serde_json::Value,
        quiet: bool,
    ) -> Result<steward_fleet::Wave, ServiceError> {
        match self {
            Backend::Local(_) => Err(fleet_needs_service()),
            Backend::Remote(c) => {
                let (sender, printer) = super::fleet::progress_printer();
                let progress = (!quiet).then_some(&sender);
                let wave = c.stream(&format!("/v1/fleet/{what}"), body, progress).await;
                drop(sender);
                let _ = printer.await;
                wave
            }
        }
    }

    pub async fn reload(&self, caller: &Caller) -> Result<Reloaded, ServiceError> {
        match self {
            Backend::Local(s) => s.reload(caller).await,
            Backend::Remote(c) => c.post("/v1/reload", &()).await,
        }
    }
}

/// Fleet commands are the service's: it is the member of the fleet.
fn fleet_needs_service() -> ServiceError {
    ServiceError::Fleet {
        status: 409,
        message: "Fleet commands go through the running Steward service (`steward serve`, \
                  which joins the fleet); none answers on its control socket."
            .to_string(),
        cause: None,
    }
}

fn setting_uri(category: &str, name: &str) -> String {
    format!("/v1/settings/{}/{}", segment(category), segment(name))
}

/// A value as one path segment: anything but unreserved characters is
/// percent-encoded, so an id cannot reach another route.
fn segment(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
