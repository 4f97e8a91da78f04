//! The leader: every instance campaigns through etcd's election under its
//! lease, and the one elected drives the wave in `wave/active`, one step
//! per tick: plan it, order a batch, read the reports, gate the next
//! batch, halt and undo on a failure, and record the end. Each write is a
//! transaction that holds only while this instance still leads and the
//! wave is as it read it, so a leader that lost its lease changes nothing;
//! the next leader reads the wave where it stands and carries on.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use etcd_client::{Compare, CompareOp, LeaderKey, Txn, TxnOp};

use crate::etcd::json;
use crate::orders::{Order, Report};
use crate::registry;
use crate::wave::{FailedPart, Halt, Part, PartFault, PartState, Phase, Wave, WaveAction, plan};
use crate::{FleetError, Inner};

/// How often the leader looks at the wave.
const TICK: Duration = Duration::from_millis(200);

/// Campaigns whenever this instance holds a lease; leads while it wins.
pub(crate) async fn campaign(inner: Arc<Inner>) {
    let mut leases = inner.lease.subscribe();
    loop {
        let Some(lease) = *leases.borrow_and_update() else {
            if leases.changed().await.is_err() {
                return;
            }
            continue;
        };
        let elected = tokio::select! {
            won = win(&inner, lease) => won,
            _ = leases.changed() => continue,
        };
        let key = match elected {
            Ok(key) => key,
            Err(e) => {
                tracing::debug!("fleet: campaign: {}", e.user_message());
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        tracing::info!(instance = %inner.id, "fleet: elected leader");
        tokio::select! {
            () = lead(&inner, &key) => {}
            _ = leases.changed() => {
                tracing::warn!(instance = %inner.id, "fleet: lease lost, no longer leading");
            }
        }
    }
}

async fn win(inner: &Inner, lease: i64) -> Result<LeaderKey, FleetError> {
    let client = inner.etcd.client().await?;
    let mut c = client;
    // No timeout: a campaign waits for as long as another instance leads.
    let response = c
        .campaign(inner.etcd.key("leader"), inner.id.clone(), lease)
        .await
        .map_err(|e| inner.etcd.failed(&e))?;
    response.leader().cloned().ok_or_else(|| {
        inner
            .etcd
            .unreachable("the election answered without a leader key")
    })
}

async fn lead(inner: &Inner, key: &LeaderKey) {
    loop {
        match step(inner, key).await {
            Ok(Lead::Still) => {}
            Ok(Lead::Lost) => {
                tracing::warn!(instance = %inner.id, "fleet: no longer the leader");
                return;
            }
            Err(e) => tracing::debug!("fleet: leading: {}", e.user_message()),
        }
        tokio::time::sleep(TICK).await;
    }
}

enum Lead {
    Still,
    Lost,
}

/// One look at the wave, and at most one write.
async fn step(inner: &Inner, key: &LeaderKey) -> Result<Lead, FleetError> {
    let etcd = &inner.etcd;
    let Some((wave, revision)) = etcd.get_json::<Wave>(&etcd.key("wave/active")).await? else {
        return Ok(Lead::Still);
    };
    let mut next = wave.clone();
    next.leader = Some(inner.id.clone());
    let mut orders: Vec<(String, Order)> = Vec::new();
    match wave.phase {
        Phase::Planning => {
            let instances =
                crate::wave::in_scope(&registry::all(etcd).await?, wave.group.as_deref());
            next.batches = plan(
                &wave.action,
                &instances,
                inner.config.canary,
                inner.config.max_unavailable,
            );
            for r in &instances {
                next.parts.insert(
                    r.id.clone(),
                    Part {
                        state: PartState::Waiting,
                        group: r.group.clone(),
                        ordered_at: None,
                        from_version: r.bot_version.clone(),
                        to_version: None,
                        message: None,
                        fault: None,
                        answer: None,
                        session: None,
                        took_secs: None,
                        changed: false,
                    },
                );
            }
            if next.batches.is_empty() {
                next.phase = Phase::Halted;
                next.halt_with(Halt::NoInstance {
                    group: wave.group.clone(),
                });
            } else {
                next.phase = Phase::Running;
                tracing::info!(wave = %wave.id, batches = ?next.batches, "fleet: wave planned");
            }
        }
        Phase::Running => {
            let reports = reports(inner).await?;
            let batch = wave.batches.get(wave.batch).cloned().unwrap_or_default();
            let order_id = wave.order_id(wave.batch);
            // Those found silent now, so the halt says so (typed).
            let mut silent = Vec::new();
            for id in &batch {
                let Some(part) = next.parts.get_mut(id) else {
                    continue;
                };
                match part.state {
                    PartState::Waiting => {
                        part.state = PartState::Running;
                        part.ordered_at = Some(Utc::now());
                        orders.push((
                            id.clone(),
                            Order {
                                id: order_id.clone(),
                                wave: wave.id.clone(),
                                action: wave.action.clone(),
                                pinned: wave.pinned.clone(),
                                at: Utc::now(),
                            },
                        ));
                    }
                    PartState::Running => {
                        if let Some(r) = reports
                            .iter()
                            .find(|(who, r)| who == id && r.order == order_id)
                        {
                            settle(part, &r.1, PartState::Done, PartState::Failed);
                        } else if overdue(inner, part) {
                            let why = PartFault::Silent {
                                secs: inner.config.instance_timeout_seconds,
                            };
                            part.state = PartState::Failed;
                            part.message = Some(why.to_string());
                            part.fault = Some(why);
                            silent.push(id.clone());
                        }
                    }
                    _ => {}
                }
            }
            let failed: Vec<FailedPart> = batch
                .iter()
                .filter(|id| {
                    next.parts
                        .get(*id)
                        .is_some_and(|p| p.state == PartState::Failed)
                })
                .map(|id| FailedPart {
                    instance: id.clone(),
                    canary: wave.batch == 0,
                    why: if silent.contains(id) {
                        PartFault::Silent {
                            secs: inner.config.instance_timeout_seconds,
                        }
                    } else {
                        PartFault::Reported {
                            message: next.parts[id].message.clone().unwrap_or_default(),
                            answer: next.parts[id].answer.clone(),
                        }
                    },
                })
                .collect();
            if !failed.is_empty() {
                next.phase = Phase::Halting;
                next.halt_with(Halt::Failed { parts: failed });
            } else if batch.iter().all(|id| {
                next.parts
                    .get(id)
                    .is_some_and(|p| p.state == PartState::Done)
            }) {
                next.batch += 1;
                if next.batch >= next.batches.len() {
                    next.phase = Phase::Finished;
                }
            }
        }
        Phase::Halting => {
            let undoes = matches!(wave.action, WaveAction::Install { .. });
            let reports = if undoes {
                reports(inner).await?
            } else {
                Vec::new()
            };
            let undo_id = wave.undo_id();
            for (id, part) in next.parts.iter_mut() {
                match part.state {
                    PartState::Done if undoes && part.changed => {
                        part.state = PartState::Undoing;
                        part.ordered_at = Some(Utc::now());
                        let target = match (&part.from_version, &part.to_version) {
                            (Some(from), Some(to)) if from != to => from.clone(),
                            _ => "last_backup".to_string(),
                        };
                        orders.push((
                            id.clone(),
                            Order {
                                id: undo_id.clone(),
                                wave: wave.id.clone(),
                                action: WaveAction::Rollback { target },
                                pinned: None,
                                at: Utc::now(),
                            },
                        ));
                    }
                    PartState::Undoing => {
                        if let Some(r) = reports
                            .iter()
                            .find(|(who, r)| who == id && r.order == undo_id)
                        {
                            let kept = part.clone();
                            settle(part, &r.1, PartState::RolledBack, PartState::UndoFailed);
                            // What it was updated to stays on record.
                            part.from_version = kept.from_version;
                        } else if overdue(inner, part) {
                            let why = PartFault::RollbackSilent {
                                secs: inner.config.instance_timeout_seconds,
                            };
                            part.state = PartState::UndoFailed;
                            part.message = Some(why.to_string());
                            part.fault = Some(why);
                        }
                    }
                    _ => {}
                }
            }
            if !next.parts.values().any(|p| p.state == PartState::Undoing) {
                next.phase = Phase::Halted;
            }
        }
        Phase::Finished | Phase::Halted => return finish(inner, key, &wave, revision).await,
    }
    if next.ended() {
        next.finished_at = Some(Utc::now());
    }
    if orders.is_empty() && json(&next) == json(&wave) {
        return Ok(Lead::Still);
    }
    write(inner, key, revision, &next, orders).await
}

/// A part's state from its report.
fn settle(part: &mut Part, report: &Report, ok: PartState, failed: PartState) {
    part.state = if report.ok { ok } else { failed };
    part.to_version = report.to_version.clone();
    if part.from_version.is_none() {
        part.from_version = report.from_version.clone();
    }
    part.message = Some(report.message.clone());
    part.answer = report.answer.clone();
    part.fault = None;
    part.session = report.session.clone();
    part.took_secs = Some(report.took_secs);
    part.changed = report.changed;
}

fn overdue(inner: &Inner, part: &Part) -> bool {
    part.ordered_at.is_some_and(|at| {
        (Utc::now() - at).num_seconds() >= inner.config.instance_timeout_seconds as i64
    })
}

/// Every instance's last report, by id.
async fn reports(inner: &Inner) -> Result<Vec<(String, Report)>, FleetError> {
    let prefix = inner.etcd.key("reports/");
    Ok(inner
        .etcd
        .list_json::<Report>(&prefix)
        .await?
        .into_iter()
        .map(|(key, r)| (key[prefix.len()..].to_string(), r))
        .collect())
}

/// The leader's guard: this instance still leads, and the wave is as read.
fn guard(inner: &Inner, key: &LeaderKey, revision: i64) -> Vec<Compare> {
    vec![
        Compare::create_revision(key.key().to_vec(), CompareOp::Equal, key.rev()),
        Compare::mod_revision(inner.etcd.key("wave/active"), CompareOp::Equal, revision),
    ]
}

async fn write(
    inner: &Inner,
    key: &LeaderKey,
    revision: i64,
    wave: &Wave,
    orders: Vec<(String, Order)>,
) -> Result<Lead, FleetError> {
    let etcd = &inner.etcd;
    let mut ops = vec![TxnOp::put(etcd.key("wave/active"), json(wave), None)];
    for (id, order) in &orders {
        ops.push(TxnOp::put(
            etcd.key(&format!("orders/{id}")),
            json(order),
            None,
        ));
    }
    let txn = Txn::new().when(guard(inner, key, revision)).and_then(ops);
    let (held, _) = etcd.txn(txn).await?;
    if !held && !still_leading(inner, key).await? {
        return Ok(Lead::Lost);
    }
    if held && wave.phase != Phase::Planning {
        tracing::debug!(wave = %wave.id, "fleet: {}", wave.progress_line());
    }
    Ok(Lead::Still)
}

/// Moves an ended wave to `wave/last`, which frees the fleet.
async fn finish(
    inner: &Inner,
    key: &LeaderKey,
    wave: &Wave,
    revision: i64,
) -> Result<Lead, FleetError> {
    let etcd = &inner.etcd;
    let txn = Txn::new().when(guard(inner, key, revision)).and_then([
        TxnOp::put(etcd.key("wave/last"), json(wave), None),
        TxnOp::delete(etcd.key("wave/active"), None),
    ]);
    let (held, _) = etcd.txn(txn).await?;
    if held {
        tracing::info!(wave = %wave.id, phase = ?wave.phase, "fleet: {}", wave.progress_line());
    } else if !still_leading(inner, key).await? {
        return Ok(Lead::Lost);
    }
    Ok(Lead::Still)
}

async fn still_leading(inner: &Inner, key: &LeaderKey) -> Result<bool, FleetError> {
    let k = key.key().to_vec();
    let found = inner
        .etcd
        .call(|mut c| {
            let k = k.clone();
            async move { c.get(k, None).await }
        })
        .await?;
    Ok(found
        .kvs()
        .first()
        .is_some_and(|kv| kv.create_revision() == key.rev()))
}
