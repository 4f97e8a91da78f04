//! The control socket's server: binds the socket (a stale one from a
//! killed service is replaced, a live one refused), reads each peer's
//! credentials, and routes requests to the service.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::{Path as UrlPath, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Extension, Json, Router};
use serde::Serialize;
use serde::de::DeserializeOwned;
use steward_engine::progress::{self, ProgressSender};
use steward_service::{
    BackupListRequest, BackupRequest, BotAction, Caller, CheckRequest, CheckView, InstallRequest,
    LocalCaller, NotConfirmed, Operation, RestoreRequest, RollbackRequest, ScheduleRequest,
    Service, ServiceError, StatusRequest,
};
use tokio::net::{UnixListener, UnixStream};

use crate::{ErrorBody, Event};

#[derive(Debug, thiserror::Error)]
pub enum ListenError {
    #[error("another Steward service is answering on {0}; stop it first")]
    InUse(PathBuf),
    #[error("cannot create the control socket {path}: {source}")]
    Bind {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("[control] group {0:?} does not exist on this machine")]
    UnknownGroup(String),
}

/// The socket being served; dropping it stops accepting and removes the
/// socket file.
pub struct Listening {
    path: PathBuf,
    task: tokio::task::JoinHandle<()>,
}

impl Listening {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Listening {
    fn drop(&mut self) {
        self.task.abort();
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Binds the control socket at `path` (mode 0660, group `group` when
/// given) and serves `service` on it.
pub async fn listen(
    service: Arc<Service>,
    fleet: Option<Arc<steward_fleet::Fleet>>,
    path: PathBuf,
    group: Option<&str>,
) -> Result<Listening, ListenError> {
    if path.exists() {
        if UnixStream::connect(&path).await.is_ok() {
            return Err(ListenError::InUse(path));
        }
        // Nobody answers: a service that was killed left it behind.
        let _ = std::fs::remove_file(&path);
    }
    let bind = |source| ListenError::Bind {
        path: path.clone(),
        source,
    };
    let listener = UnixListener::bind(&path).map_err(bind)?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o660)).map_err(bind)?;
    if let Some(group) = group {
        let gid = steward_service::unix_names::group_id(group)
            .ok_or_else(|| ListenError::UnknownGroup(group.to_string()))?;
        rustix::fs::chown(&path, None, Some(rustix::fs::Gid::from_raw(gid)))
            .map_err(|e| bind(e.into()))?;
    }
    let router = routes(service, fleet);
    let task = tokio::spawn(async move {
        loop {
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                Err(e) => {
                    tracing::warn!("control socket: {e}");
                    continue;
                }
            };
            let Some(caller) = peer(&stream) else {
                continue;
            };
            let router = router.clone().layer(Extension(caller));
            tokio::spawn(async move {
                let io = hyper_util::rt::TokioIo::new(stream);
                let service = hyper_util::service::TowerToHyperService::new(router);
                if let Err(e) = hyper::server::conn::http1::Builder::new()
                    .serve_connection(io, service)
                    .await
                {
                    tracing::debug!("control connection: {e}");
                }
            });
        }
    });
    Ok(Listening { path, task })
}

/// The peer as the kernel saw it connect: uid, primary gid, and the
/// supplementary groups of its process.
fn peer(stream: &UnixStream) -> Option<Caller> {
    let cred = stream.peer_cred().ok()?;
    let groups = cred.pid().map(supplementary_groups).unwrap_or_default();
    Some(Caller::Local(LocalCaller {
        uid: cred.uid(),
        gid: cred.gid(),
        groups,
    }))
}

/// The `Groups:` line of `/proc/PID/status`.
fn supplementary_groups(pid: i32) -> Vec<u32> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("Groups:"))
        .map(|ids| {
            ids.split_whitespace()
                .filter_map(|g| g.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

type Shared = Arc<Service>;

/// Every route; the fleet's answer only in fleet mode.
pub(crate) fn routes(service: Shared, fleet: Option<Arc<steward_fleet::Fleet>>) -> Router {
    Router::new()
        .route("/v1/status", post(status))
        .route("/v1/status/chart", post(status_chart))
        .route("/v1/check", post(check))
        .route("/v1/providers", get(providers))
        .route("/v1/providers/:name/grant", post(provider_grant))
        .route("/v1/providers/:name/deny", post(provider_deny))
        .route("/v1/sessions", get(sessions))
        .route("/v1/install/preview", post(install_preview))
        .route("/v1/install", post(install))
        .route("/v1/install/confirmation", get(confirmation))
        .route("/v1/install/cancelled", post(install_cancelled))
        .route("/v1/rollback/targets", get(rollback_targets))
        .route("/v1/rollback/check", post(rollback_check))
        .route("/v1/rollback", post(rollback))
        .route("/v1/bot", get(bot_status))
        .route("/v1/bot/:action", post(bot))
        .route("/v1/backups", post(backup_create))
        .route("/v1/backups/list", post(backup_list))
        .route("/v1/backups/prune", post(backup_prune))
        .route("/v1/backups/:id/verify", post(backup_verify))
        .route("/v1/backups/:id/export", post(backup_export))
        .route("/v1/backups/import", post(backup_import))
        .route("/v1/backups/:id/restore", post(backup_restore))
        .route("/v1/schedules", get(schedule_list).post(schedule_add))
        .route("/v1/schedules/:id", delete(schedule_remove))
        .route("/v1/schedules/:id/enabled", post(schedule_enable))
        .route("/v1/settings", get(settings_list))
        .route(
            "/v1/settings/:category/:name",
            get(settings_get).put(settings_set).delete(settings_reset),
        )
        .route("/v1/reload", post(reload))
        .route("/v1/ping", get(ping))
        .fallback(unknown)
        .with_state(service.clone())
        .merge(crate::fleet::routes(service, fleet))
}

/// An answer: the value as JSON, or the service's refusal with its status.
pub(crate) struct Answer(Result<serde_json::Value, ServiceError>);

impl<T: Serialize> From<Result<T, ServiceError>> for Answer {
    fn from(result: Result<T, ServiceError>) -> Answer {
        Answer(result.map(|v| serde_json::to_value(v).expect("answers serialize")))
    }
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        match self.0 {
            Ok(value) => Json(value).into_response(),
            Err(e) => refusal(&e),
        }
    }
}

pub(crate) fn refusal(e: &ServiceError) -> Response {
    let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        Json(ErrorBody {
            error: e.user_message(),
        }),
    )
        .into_response()
}

/// Proof of life for a client choosing where to send its command: a
/// socket whose service was killed cannot answer it. Says nothing else.
async fn ping() -> StatusCode {
    StatusCode::NO_CONTENT
}

async fn unknown(uri: axum::http::Uri) -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(ErrorBody {
            error: format!("{} is not part of Steward's control API (v1)", uri.path()),
        }),
    )
        .into_response()
}

/// A JSON body that does not parse is a 400 naming what is wrong, never a
/// panic or an empty answer.
pub(crate) struct Body<T>(pub(crate) T);

#[axum::async_trait]
impl<T: DeserializeOwned, S: Send + Sync> axum::extract::FromRequest<S> for Body<T> {
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Response> {
        let bytes = bytes::Bytes::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        serde_json::from_slice(&bytes).map(Body).map_err(|e| {
            (
                StatusCode::BAD_REQUEST,
                Json(ErrorBody {
                    error: format!("the request body is not valid: {e}"),
                }),
            )
                .into_response()
        })
    }
}

/// Runs `work` to its end in its own task (a client that goes away does
/// not stop it) and streams its progress, then its result, as NDJSON.
pub(crate) fn streamed<T, F, Fut>(work: F) -> Response
where
    T: Serialize + Send + 'static,
    F: FnOnce(ProgressSender) -> Fut,
    Fut: std::future::Future<Output = Result<T, ServiceError>> + Send + 'static,
{
    let (sender, mut receiver) = progress::channel();
    let (lines, out) = tokio::sync::mpsc::unbounded_channel::<String>();
    let running = work(sender);
    tokio::spawn(async move {
        let forward = {
            let lines = lines.clone();
            async move {
                while let Some(p) = receiver.recv().await {
                    let _ = lines.send(line(&Event::<()>::Progress(p)));
                }
            }
        };
        let (result, ()) = tokio::join!(running, forward);
        let _ = lines.send(match result {
            Ok(value) => line(&Event::Result(value)),
            Err(e) => line(&Event::<()>::Error(ErrorBody {
                error: e.user_message(),
            })),
        });
    });
    let stream = futures::stream::unfold(out, |mut out| async move {
        out.recv()
            .await
            .map(|l| (Ok::<_, std::convert::Infallible>(l), out))
    });
    (
        [(header::CONTENT_TYPE, "application/x-ndjson")],
        axum::body::Body::from_stream(stream),
    )
        .into_response()
}

fn line<T: Serialize>(event: &Event<T>) -> String {
    let mut text = serde_json::to_string(event).expect("events serialize");
    text.push('\n');
    text
}

async fn status(
    State(s): State<Shared>,
    Extension(c): Extension<Caller>,
    Body(r): Body<StatusRequest>,
) -> Answer {
    s.status(&c, StatusRequest { chart: false, ..r })
        .await
        .into()
}

async fn status_chart(
    State(s): State<Shared>,
    Extension(c): Extension<Caller>,
    Body(r): Body<StatusRequest>,
) -> Response {
    match s.status(&c, StatusRequest { chart: true, ..r }).await {
        Ok(report) => (
            [(header::CONTENT_TYPE, "image/png")],
            report.chart.unwrap_or_default(),
        )
            .into_response(),
        Err(e) => refusal(&e),
    }
}

#[derive(serde::Deserialize)]
struct CheckBody {
    #[serde(flatten)]
    request: CheckRequest,
    /// Post the findings to the notification channels too.
    #[serde(default)]
    notify: bool,
    #[serde(default)]
    details: bool,
}

#[derive(Serialize, serde::Deserialize)]
pub struct Checked {
    pub outcome: steward_engine::CheckOutcome,
    /// Whether a notification channel or webhook was there to post to.
    pub announced: Option<bool>,
}

async fn check(
    State(s): State<Shared>,
    Extension(c): Extension<Caller>,
    Body(b): Body<CheckBody>,
) -> Answer {
    let result = async {
        let outcome = s.check(&c, b.request, None).await?;
        let announced = if b.notify {
            let view = CheckView {
                update_type: b.request.update_type,
                details: b.details,
                include_security: b.request.include_security,
            };
            Some(s.announce_check(&c, &outcome, &view).await?)
        } else {
            None
        };
        Ok(Checked { outcome, announced })
    };
    result.await.into()
}

async fn providers(State(s): State<Shared>, Extension(c): Extension<Caller>) -> Answer {
    s.providers(&c).await.into()
}

async fn sessions(State(s): State<Shared>, Extension(c): Extension<Caller>) -> Answer {
    s.sessions(&c).into()
}

async fn install_preview(
    State(s): State<Shared>,
    Extension(c): Extension<Caller>,
    Body(r): Body<InstallRequest>,
) -> Answer {
    s.install_preview(&c, &r).await.into()
}

#[derive(serde::Deserialize)]
struct Cancelled {
    request: InstallRequest,
    why: NotConfirmed,
}

async fn install_cancelled(
    State(s): State<Shared>,
    Extension(c): Extension<Caller>,
    Body(b): Body<Cancelled>,
) -> Answer {
    s.install_cancelled(&c, &b.request, b.why).into()
}

async fn confirmation(State(s): State<Shared>, Extension(c): Extension<Caller>) -> Answer {
    s.confirmation_required(&c).into()
}

async fn install(
    State(s): State<Shared>,
    Extension(c): Extension<Caller>,
    Body(r): Body<InstallRequest>,
) -> Response {
    // Refused before the stream starts, so the status code says so.
    if let Err(e) = s.authorize_install(&c, &r) {
        return refusal(&e);
    }
    streamed(|p| async move { s.install(&c, r, Some(&p)).await })
}

async fn rollback_targets(State(s): State<Shared>, Extension(c): Extension<Caller>) -> Answer {
    s.rollback_targets(&c).into()
}

#[derive(serde::Deserialize)]
struct Target {
    target: String,
}

async fn rollback_check(
    State(s): State<Shared>,
    Extension(c): Extension<Caller>,
    Body(t): Body<Target>,
) -> Answer {
    s.check_rollback_target(&c, &t.target).into()
}

async fn rollback(
    State(s): State<Shared>,
    Extension(c): Extension<Caller>,
    Body(r): Body<RollbackRequest>,
) -> Response {
    if let Err(e) = s.authorize(&c, Operation::Rollback) {
        return refusal(&e);
    }
    streamed(|p| async move { s.rollback(&c, r, Some(&p)).await })
}

async fn bot_status(State(s): State<Shared>, Extension(c): Extension<Caller>) -> Answer {
    s.bot_status(&c).into()
}

async fn bot(
    State(s): State<Shared>,
    Extension(c): Extension<Caller>,
    UrlPath(action): UrlPath<String>,
) -> Response {
    let action = match action.as_str() {
        "start" => BotAction::Start,
        "stop" => BotAction::Stop,
        "restart" => BotAction::Restart,
        other => {
            return (
                StatusCode::NOT_FOUND,
                Json(ErrorBody {
                    error: format!("{other:?} is not a bot action (start, stop or restart)"),
                }),
            )
                .into_response();
        }
    };
    Answer::from(s.bot(&c, action).await).into_response()
}

async fn backup_create(
    State(s): State<Shared>,
    Extension(c): Extension<Caller>,
    Body(r): Body<BackupRequest>,
) -> Response {
    if let Err(e) = s.authorize(&c, Operation::BackupCreate) {
        return refusal(&e);
    }
    streamed(|p| async move { s.backup_create(&c, r, Some(&p)).await })
}

async fn backup_list(
    State(s): State<Shared>,
    Extension(c): Extension<Caller>,
    Body(r): Body<BackupListRequest>,
) -> Answer {
    s.backup_list(&c, r).await.into()
}

async fn backup_prune(State(s): State<Shared>, Extension(c): Extension<Caller>) -> Answer {
    s.backup_prune(&c).await.into()
}

#[derive(serde::Deserialize)]
struct Verify {
    #[serde(default)]
    drill: bool,
}

async fn provider_grant(
    State(s): State<Shared>,
    Extension(c): Extension<Caller>,
    UrlPath(name): UrlPath<String>,
    Body(request): Body<steward_service::GrantRequest>,
) -> Answer {
    s.provider_grant(&c, &name, request).await.into()
}

async fn provider_deny(
    State(s): State<Shared>,
    Extension(c): Extension<Caller>,
    UrlPath(name): UrlPath<String>,
) -> Answer {
    s.provider_deny(&c, &name).await.into()
}

async fn backup_verify(
    State(s): State<Shared>,
    Extension(c): Extension<Caller>,
    UrlPath(id): UrlPath<String>,
    Body(v): Body<Verify>,
) -> Answer {
    s.backup_verify(&c, id, v.drill).await.into()
}

/// A file on the service's machine (`backup export`/`import`).
#[derive(serde::Deserialize)]
struct FileBody {
    file: PathBuf,
}

async fn backup_export(
    State(s): State<Shared>,
    Extension(c): Extension<Caller>,
    UrlPath(id): UrlPath<String>,
    Body(f): Body<FileBody>,
) -> Answer {
    s.backup_export(&c, id, f.file).await.into()
}

async fn backup_import(
    State(s): State<Shared>,
    Extension(c): Extension<Caller>,
    Body(f): Body<FileBody>,
) -> Answer {
    s.backup_import(&c, f.file).await.into()
}

async fn backup_restore(
    State(s): State<Shared>,
    Extension(c): Extension<Caller>,
    UrlPath(id): UrlPath<String>,
    Body(r): Body<RestoreRequest>,
) -> Response {
    let r = RestoreRequest { id, ..r };
    if let Err(e) = s.restore_allowed(&c, &r) {
        return refusal(&e);
    }
    streamed(|p| async move { s.backup_restore(&c, r, Some(&p)).await })
}

async fn schedule_list(State(s): State<Shared>, Extension(c): Extension<Caller>) -> Answer {
    s.schedule_list(&c).into()
}

async fn schedule_add(
    State(s): State<Shared>,
    Extension(c): Extension<Caller>,
    Body(r): Body<ScheduleRequest>,
) -> Answer {
    s.schedule_add(&c, r).into()
}

async fn schedule_remove(
    State(s): State<Shared>,
    Extension(c): Extension<Caller>,
    UrlPath(id): UrlPath<String>,
) -> Answer {
    s.schedule_remove(&c, &id).into()
}

#[derive(serde::Deserialize)]
struct Enabled {
    enabled: bool,
}

async fn schedule_enable(
    State(s): State<Shared>,
    Extension(c): Extension<Caller>,
    UrlPath(id): UrlPath<String>,
    Body(e): Body<Enabled>,
) -> Answer {
    s.schedule_enable(&c, &id, e.enabled).into()
}

async fn settings_list(State(s): State<Shared>, Extension(c): Extension<Caller>) -> Answer {
    s.settings_list(&c).into()
}

async fn settings_get(
    State(s): State<Shared>,
    Extension(c): Extension<Caller>,
    UrlPath((category, name)): UrlPath<(String, String)>,
) -> Answer {
    s.settings_get(&c, &category, &name).into()
}

#[derive(serde::Deserialize)]
struct Value {
    value: String,
}

async fn settings_set(
    State(s): State<Shared>,
    Extension(c): Extension<Caller>,
    UrlPath((category, name)): UrlPath<(String, String)>,
    Body(v): Body<Value>,
) -> Answer {
    s.settings_set(&c, &category, &name, &v.value).await.into()
}

async fn settings_reset(
    State(s): State<Shared>,
    Extension(c): Extension<Caller>,
    UrlPath((category, name)): UrlPath<(String, String)>,
) -> Answer {
    s.settings_reset(&c, &category, &name).await.into()
}

async fn reload(State(s): State<Shared>, Extension(c): Extension<Caller>) -> Answer {
    s.reload(&c).await.into()
}
