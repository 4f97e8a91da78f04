//! The fleet's routes (`/v1/fleet/...`): status, and the waves (install,
//! rollback, check) streamed like a local install. Without `[fleet]` they
//! answer that fleet mode is off.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use steward_engine::UpdateType;
use steward_fleet::{Fleet, WaveAction};
use steward_service::{Caller, Service, ServiceError};

use crate::server::{Answer, Body, refusal, streamed};

type Shared = (Arc<Service>, Option<Arc<Fleet>>);

pub(crate) fn routes(service: Arc<Service>, fleet: Option<Arc<Fleet>>) -> Router {
    Router::new()
        .route("/v1/fleet/status", get(status))
        .route("/v1/fleet/install", post(install))
        .route("/v1/fleet/rollback", post(rollback))
        .route("/v1/fleet/check", post(check))
        .with_state((service, fleet))
}

/// The fleet, or why there is none.
fn fleet(shared: &Shared, caller: &Caller) -> Result<Arc<Fleet>, ServiceError> {
    // Who may not see the status does not learn whether fleet mode is on.
    shared
        .0
        .authorize(caller, steward_service::Operation::Status)?;
    shared.1.clone().ok_or_else(|| ServiceError::Fleet {
        status: 409,
        message: "Fleet mode is off: this Steward has no [fleet] section in steward.toml, \
                  so it updates alone."
            .to_string(),
        cause: None,
    })
}

/// The fleet, or `null` when fleet mode is off.
async fn status(State(s): State<Shared>, Extension(c): Extension<Caller>) -> Answer {
    let answer = async {
        match &s.1 {
            Some(fleet) => fleet.status(&c).await.map(Some),
            None => {
                s.0.authorize(&c, steward_service::Operation::Status)
                    .map(|_| None)
            }
        }
    };
    answer.await.into()
}

#[derive(serde::Deserialize)]
struct InstallBody {
    #[serde(rename = "type")]
    update_type: UpdateType,
    #[serde(default)]
    group: Option<String>,
}

#[derive(serde::Deserialize)]
struct RollbackBody {
    target: String,
    #[serde(default)]
    group: Option<String>,
}

#[derive(serde::Deserialize, Default)]
struct CheckBody {
    #[serde(default)]
    group: Option<String>,
}

async fn install(
    State(s): State<Shared>,
    Extension(c): Extension<Caller>,
    Body(b): Body<InstallBody>,
) -> Response {
    wave(
        s,
        c,
        WaveAction::Install {
            update_type: b.update_type,
        },
        b.group,
    )
}

async fn rollback(
    State(s): State<Shared>,
    Extension(c): Extension<Caller>,
    Body(b): Body<RollbackBody>,
) -> Response {
    wave(s, c, WaveAction::Rollback { target: b.target }, b.group)
}

async fn check(
    State(s): State<Shared>,
    Extension(c): Extension<Caller>,
    Body(b): Body<CheckBody>,
) -> Response {
    wave(s, c, WaveAction::Check, b.group)
}

/// Refused before the stream starts (so the status code says so), then
/// the wave's progress and its end as NDJSON.
fn wave(s: Shared, c: Caller, action: WaveAction, group: Option<String>) -> Response {
    let fleet = match fleet(&s, &c).and_then(|f| f.authorize(&c, &action).map(|()| f)) {
        Ok(f) => f,
        Err(e) => return refusal(&e),
    };
    streamed(|p| async move { fleet.run_wave(&c, action, group, Some(&p)).await })
}
