//! The instance's side of a wave: it watches its order key
//! (`orders/<id>`), runs what it is told as its ordinary local transaction
//! (install or rollback with journal and probation, or a check) and
//! reports the result (`reports/<id>`). An order already reported is not
//! run again, so a restarted service or a repeated event changes nothing.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use etcd_client::WatchOptions;
use serde::{Deserialize, Serialize};
use steward_core::session::SessionStatus;
use steward_service::{Caller, CheckRequest, InstallRequest, RollbackRequest};

use crate::answer::Answer;
use crate::etcd::parse;
use crate::wave::WaveAction;
use crate::{FleetError, Inner};

/// What the leader tells one instance to do.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Order {
    pub id: String,
    pub wave: String,
    #[serde(flatten)]
    pub action: WaveAction,
    /// The only bot release this install may bring (a promotion's).
    #[serde(default)]
    pub pinned: Option<String>,
    pub at: DateTime<Utc>,
}

/// What the instance answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Report {
    pub order: String,
    pub ok: bool,
    pub from_version: Option<String>,
    pub to_version: Option<String>,
    /// What it said, in English: what an older Steward reads and shows.
    pub message: String,
    /// The same typed, so the reader words it in its own language; absent
    /// from an older Steward's report, and a kind this one does not know
    /// is left out.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::answer::lenient"
    )]
    pub answer: Option<Answer>,
    pub session: Option<String>,
    pub took_secs: f64,
    /// The transaction changed something.
    #[serde(default)]
    pub changed: bool,
}

/// Follows this instance's orders for as long as the service runs.
pub(crate) async fn follow_orders(inner: Arc<Inner>) {
    loop {
        if let Err(e) = watch_orders(&inner).await {
            tracing::debug!("fleet: watching orders: {}", e.user_message());
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

async fn watch_orders(inner: &Inner) -> Result<(), FleetError> {
    let etcd = &inner.etcd;
    let key = etcd.key(&format!("orders/{}", inner.id));
    // What is there now first (an order given while this service was
    // down), then every change after it.
    let k = key.clone();
    let now = etcd
        .call(|mut c| {
            let k = k.clone();
            async move { c.get(k, None).await }
        })
        .await?;
    let revision = now.header().map(|h| h.revision()).unwrap_or(0);
    if let Some(kv) = now.kvs().first() {
        carry_out(inner, parse(&key, kv.value())?).await?;
    }
    let client = etcd.client().await?;
    let mut c = client;
    let mut stream = c
        .watch(
            key.clone(),
            Some(WatchOptions::new().with_start_revision(revision + 1)),
        )
        .await
        .map_err(|e| etcd.failed(&e))?;
    while let Some(response) = stream.message().await.map_err(|e| etcd.failed(&e))? {
        for event in response.events() {
            if let Some(kv) = event.kv()
                && !kv.value().is_empty()
            {
                carry_out(inner, parse(&key, kv.value())?).await?;
            }
        }
    }
    Err(etcd.unreachable("the watch ended"))
}

/// Runs `order` unless it was reported already, then reports it.
async fn carry_out(inner: &Inner, order: Order) -> Result<(), FleetError> {
    let etcd = &inner.etcd;
    let report_key = etcd.key(&format!("reports/{}", inner.id));
    if let Some((done, _)) = etcd.get_json::<Report>(&report_key).await?
        && done.order == order.id
    {
        return Ok(());
    }
    tracing::info!(order = %order.id, action = %order.action.describe(), "fleet: order received");
    let report = run(inner, &order).await;
    tracing::info!(order = %order.id, ok = report.ok, "fleet: {}", report.message);
    // Reporting must not be lost to a short outage: retried until etcd answers.
    loop {
        match etcd.put_json(&report_key, &report, None).await {
            Ok(()) => break,
            Err(e) => {
                tracing::warn!("fleet: reporting {}: {}", order.id, e.user_message());
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
    let _ = crate::registry::publish(inner).await;
    Ok(())
}

async fn run(inner: &Inner, order: &Order) -> Report {
    let service = &inner.service;
    let caller = Caller::Fleet(order.wave.clone());
    let started = Instant::now();
    let from_version = bot_version(inner).await;
    if let (WaveAction::Install { .. }, Some(pinned)) = (&order.action, &order.pinned) {
        let took_secs = || started.elapsed().as_secs_f64();
        match offers_only(inner, &caller, pinned, from_version.as_deref()).await {
            Ok(Ok(())) => {}
            Ok(Err(why)) => {
                return failed(order, from_version, why.to_string(), Some(why), took_secs());
            }
            Err(e) => return failed_with(order, from_version, &e, took_secs()),
        }
    }
    let outcome = match &order.action {
        WaveAction::Install { update_type } => service
            .install(
                &caller,
                InstallRequest {
                    update_type: *update_type,
                    backup: true,
                    restart: true,
                    force: false,
                    backup_name: None,
                    dry_run: false,
                },
                None,
            )
            .await
            .map(|o| o.session),
        WaveAction::Rollback { target } => service
            .rollback(
                &caller,
                RollbackRequest {
                    target: target.clone(),
                    confirm: true,
                    backup: true,
                    restore_config: true,
                },
                None,
            )
            .await
            .map(|o| o.session),
        WaveAction::Check => {
            let checked = service
                .check(
                    &caller,
                    CheckRequest {
                        update_type: steward_core::UpdateType::All,
                        include_security: true,
                    },
                    None,
                )
                .await;
            let took_secs = started.elapsed().as_secs_f64();
            return match checked {
                Ok(c) => {
                    let offered = c
                        .providers
                        .iter()
                        .flat_map(|p| &p.updates)
                        .filter(|u| u.held.is_none())
                        .count();
                    let failed = c.providers.iter().filter(|p| p.error.is_some()).count();
                    // A check changes nothing: it is done once it ran, and
                    // a provider that failed is reported, not a halt.
                    let answer = Answer::Checked { offered, failed };
                    Report {
                        order: order.id.clone(),
                        ok: true,
                        from_version: from_version.clone(),
                        to_version: from_version,
                        message: answer.to_string(),
                        answer: Some(answer),
                        session: None,
                        took_secs,
                        changed: false,
                    }
                }
                Err(e) => failed_with(order, from_version, &e, took_secs),
            };
        }
    };
    let took_secs = started.elapsed().as_secs_f64();
    let to_version = bot_version(inner).await;
    match outcome {
        Ok(Some(session)) => {
            let ok = matches!(
                session.status,
                SessionStatus::Completed | SessionStatus::NothingToDo
            );
            let answer = Answer::Session {
                status: session.status,
                error: session.error.clone(),
                reason: session.reason.clone(),
            };
            Report {
                order: order.id.clone(),
                ok,
                from_version,
                to_version,
                message: answer.to_string(),
                answer: Some(answer),
                session: Some(session.id),
                took_secs,
                changed: session.status == SessionStatus::Completed,
            }
        }
        Ok(None) => failed(
            order,
            from_version,
            Answer::NoSession.to_string(),
            Some(Answer::NoSession),
            took_secs,
        ),
        Err(e) => failed_with(order, from_version, &e, took_secs),
    }
}

/// Refuses a pinned install when this instance would get another bot
/// release than `pinned`: its check, run now, must offer exactly that one
/// (or the bot runs it already). The refusal is the answer; a check that
/// fails is the service's error.
async fn offers_only(
    inner: &Inner,
    caller: &Caller,
    pinned: &str,
    running: Option<&str>,
) -> Result<Result<(), Answer>, steward_service::ServiceError> {
    let checked = inner
        .service
        .check(
            caller,
            CheckRequest {
                update_type: steward_core::UpdateType::Bot,
                include_security: true,
            },
            None,
        )
        .await?;
    let offered = checked
        .providers
        .iter()
        .flat_map(|p| &p.updates)
        .find(|u| u.held.is_none() && u.kind == steward_core::provider::UpdateKind::Bot)
        .map(|u| u.latest.clone());
    Ok(match offered {
        Some(v) if v == pinned => Ok(()),
        Some(v) => Err(Answer::PinnedOther {
            offered: v,
            pinned: pinned.to_string(),
        }),
        None if running == Some(pinned) => Ok(()),
        None => Err(Answer::PinnedNotOffered {
            pinned: pinned.to_string(),
            running: running.map(str::to_string),
        }),
    })
}

/// A failed part whose service refused or failed: its English as the CLI
/// prints it, typed when it is a kind `Answer` has.
fn failed_with(
    order: &Order,
    from_version: Option<String>,
    e: &steward_service::ServiceError,
    took_secs: f64,
) -> Report {
    failed(
        order,
        from_version,
        e.user_message(),
        Answer::of_error(e),
        took_secs,
    )
}

fn failed(
    order: &Order,
    from_version: Option<String>,
    message: String,
    answer: Option<Answer>,
    took_secs: f64,
) -> Report {
    Report {
        order: order.id.clone(),
        ok: false,
        to_version: from_version.clone(),
        from_version,
        message,
        answer,
        session: None,
        took_secs,
        changed: false,
    }
}

async fn bot_version(inner: &Inner) -> Option<String> {
    crate::registry::describe(inner).await.bot_version
}
