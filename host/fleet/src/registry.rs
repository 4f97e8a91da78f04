//! Each instance's record in etcd (`instances/<id>`), put under its lease
//! so an instance that stops answering leaves the fleet: its bot's version,
//! health, last result and what its last check found. This module also
//! keeps the lease alive and grants a new one when etcd lost it.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use steward_service::{Caller, StatusRequest};

use crate::etcd::Etcd;
use crate::{FleetError, Inner};

/// How often the record is refreshed (and after every order).
pub(crate) const PUBLISH_EVERY: Duration = Duration::from_secs(3);

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct InstanceRecord {
    pub id: String,
    pub group: String,
    pub steward_version: String,
    pub bot_version: Option<String>,
    /// `running`, `stopped`, or `not managed` (Steward does not run the bot).
    pub health: String,
    #[serde(default)]
    pub bot_since: Option<DateTime<Utc>>,
    pub last_result: Option<LastResult>,
    pub check: Option<CheckSummary>,
    pub updated_at: DateTime<Utc>,
}

/// The instance's newest update session.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LastResult {
    pub session: String,
    pub status: String,
    pub at: DateTime<Utc>,
    pub target_version: Option<String>,
    pub error: Option<String>,
}

/// What the instance's newest check found.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckSummary {
    pub checked_at: DateTime<Utc>,
    /// Updates on offer (not held).
    pub updates: usize,
    pub security: usize,
    /// Providers that failed to answer.
    pub failed: usize,
    /// The bot's newest release on offer, when there is one.
    pub bot_latest: Option<String>,
}

/// Every registered instance, by id.
pub(crate) async fn all(etcd: &Etcd) -> Result<Vec<InstanceRecord>, FleetError> {
    Ok(etcd
        .list_json::<InstanceRecord>(&etcd.key("instances/"))
        .await?
        .into_iter()
        .map(|(_, r)| r)
        .collect())
}

/// This instance's record as its service reports it now.
pub(crate) async fn describe(inner: &Inner) -> InstanceRecord {
    let service = &inner.service;
    let caller = Caller::Fleet("registry".to_string());
    let report = service
        .status(
            &caller,
            StatusRequest {
                history: false,
                metrics: false,
                range: steward_service::status::StatusRange::Day,
                chart: false,
            },
        )
        .await;
    let (bot_version, last_result) = match &report {
        Ok(r) => (
            r.versions.bot.value.clone(),
            r.last_update.as_ref().map(|s| LastResult {
                session: s.id.clone(),
                status: serde_json::to_value(s.status)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_else(|| format!("{:?}", s.status)),
                at: s.started_at,
                target_version: s.target_version.clone(),
                error: s.error.clone(),
            }),
        ),
        Err(e) => {
            tracing::warn!(
                "fleet: cannot read this instance's status: {}",
                e.user_message()
            );
            (None, None)
        }
    };
    let (health, bot_since) = if service.config().bot.control.is_none() {
        ("not managed".to_string(), None)
    } else {
        match service.bot_status(&caller) {
            Ok(Some(p)) => ("running".to_string(), Some(p.started_at)),
            _ => ("stopped".to_string(), None),
        }
    };
    let check = service.last_check(&caller).ok().flatten().map(|c| {
        let offered = c
            .providers
            .iter()
            .flat_map(|p| p.updates.iter())
            .filter(|u| u.held.is_none());
        let (mut updates, mut security, mut bot_latest) = (0, 0, None);
        for u in offered {
            updates += 1;
            security += usize::from(u.security);
            if u.kind == steward_core::provider::UpdateKind::Bot {
                bot_latest = Some(u.latest.clone());
            }
        }
        CheckSummary {
            checked_at: c.checked_at,
            updates,
            security,
            failed: c.providers.iter().filter(|p| p.error.is_some()).count(),
            bot_latest,
        }
    });
    InstanceRecord {
        id: inner.id.clone(),
        group: inner.config.group.clone(),
        steward_version: env!("CARGO_PKG_VERSION").to_string(),
        bot_version,
        health,
        bot_since,
        last_result,
        check,
        updated_at: Utc::now(),
    }
}

/// Puts this instance's record under its lease now.
pub(crate) async fn publish(inner: &Inner) -> Result<(), FleetError> {
    let Some(lease) = *inner.lease.borrow() else {
        return Ok(());
    };
    let record = describe(inner).await;
    inner
        .etcd
        .put_json(
            &inner.etcd.key(&format!("instances/{}", inner.id)),
            &record,
            Some(lease),
        )
        .await?;
    crate::promotion::record(inner, &record).await
}

/// Holds a lease for as long as the service runs: grants one, keeps it
/// alive, publishes the record; when etcd lost it (it was unreachable for
/// longer than the lease), grants a new one.
pub(crate) async fn keep_registered(inner: Arc<Inner>) {
    let ttl = inner.config.lease_seconds as i64;
    let mut warned = false;
    loop {
        let granted = inner
            .etcd
            .call(|mut c| async move { c.lease_grant(ttl, None).await })
            .await;
        let lease = match granted {
            Ok(g) => g.id(),
            Err(e) => {
                if !warned {
                    tracing::warn!("fleet: {}", e.user_message());
                    warned = true;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        warned = false;
        inner.lease.send_replace(Some(lease));
        tracing::info!(instance = %inner.id, lease, "fleet: registered");
        if let Err(e) = hold(&inner, lease).await {
            tracing::warn!("fleet: lost the lease: {}", e.user_message());
        }
        inner.lease.send_replace(None);
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Keeps `lease` alive and the record fresh until etcd says it expired or
/// cannot be asked for longer than the lease lasts. The record is published
/// beside the keep-alive, never in its way: a slow status read must not let
/// the lease lapse.
async fn hold(inner: &Inner, lease: i64) -> Result<(), FleetError> {
    tokio::select! {
        kept = keep_alive(inner, lease) => kept,
        () = publish_every(inner) => Ok(()),
    }
}

async fn publish_every(inner: &Inner) {
    loop {
        if let Err(e) = publish(inner).await {
            tracing::debug!("fleet: publishing the record: {}", e.user_message());
        }
        tokio::time::sleep(PUBLISH_EVERY).await;
    }
}

/// Renews `lease` three times per lease; on a broken stream, opens another
/// (on the endpoint that answered last), until the lease is past saving.
async fn keep_alive(inner: &Inner, lease: i64) -> Result<(), FleetError> {
    let mut c = inner.etcd.client().await?;
    let (mut keeper, mut stream) = c
        .lease_keep_alive(lease)
        .await
        .map_err(|e| inner.etcd.failed(&e))?;
    let lease_for = Duration::from_secs(inner.config.lease_seconds);
    let tick = lease_for / 3;
    let mut last_ok = tokio::time::Instant::now();
    loop {
        let kept = tokio::time::timeout(tick, async {
            keeper.keep_alive().await?;
            stream.message().await
        })
        .await;
        match kept {
            Ok(Ok(Some(r))) if r.ttl() > 0 => last_ok = tokio::time::Instant::now(),
            Ok(Ok(Some(_))) => return Err(inner.etcd.unreachable("the lease expired")),
            Ok(Ok(None)) | Ok(Err(_)) | Err(_) if last_ok.elapsed() >= lease_for => {
                return Err(inner
                    .etcd
                    .unreachable("no keep-alive answer within the lease"));
            }
            Ok(Ok(None)) | Ok(Err(_)) => {
                // The stream is broken: a new one, on the same lease.
                tokio::time::sleep(Duration::from_millis(200)).await;
                if let Ok(mut c) = inner.etcd.client().await
                    && let Ok((k, s)) = c.lease_keep_alive(lease).await
                {
                    keeper = k;
                    stream = s;
                }
                continue;
            }
            Err(_) => {}
        }
        tokio::time::sleep(tick).await;
    }
}
