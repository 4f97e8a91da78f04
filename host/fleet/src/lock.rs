//! The fleet lock: while fleet mode is on, one wave or one local update
//! at a time across the fleet. A local install or rollback takes `lock`
//! (under a lease of its own, kept alive while it runs: a killed Steward
//! frees it within the lease); a wave holds the fleet by its `wave/active`
//! record, which lasts until the wave ends whoever leads it. Both are
//! claimed in one etcd transaction that sees the other.

use std::time::Duration;

use chrono::{DateTime, Utc};
use etcd_client::{Compare, CompareOp, PutOptions, Txn, TxnOp};
use serde::{Deserialize, Serialize};
use steward_core::fleet::FleetConfig;
use steward_service::ServiceError;
use steward_service::gate::{Entering, GatePass, UpdateGate};

use crate::etcd::{Etcd, json, parse, read_values};
use crate::{FleetError, Wave, WaveAction};

/// Who holds the fleet lock for a local update.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Holder {
    pub instance: String,
    pub by: String,
    pub doing: String,
    pub since: DateTime<Utc>,
}

pub(crate) struct FleetGate {
    etcd: Etcd,
    config: FleetConfig,
}

impl FleetGate {
    pub(crate) fn new(etcd: Etcd, config: FleetConfig) -> FleetGate {
        FleetGate { etcd, config }
    }

    async fn take(&self, by: String, doing: &'static str) -> Result<GatePass, FleetError> {
        let etcd = &self.etcd;
        let ttl = self.config.lease_seconds as i64;
        let lease = etcd
            .call(|mut c| async move { c.lease_grant(ttl, None).await })
            .await?
            .id();
        let holder = Holder {
            instance: self.config.instance_id(),
            by,
            doing: doing.to_string(),
            since: Utc::now(),
        };
        let (lock, active) = (etcd.key("lock"), etcd.key("wave/active"));
        let txn = Txn::new()
            .when([
                Compare::version(lock.clone(), CompareOp::Equal, 0),
                Compare::version(active.clone(), CompareOp::Equal, 0),
            ])
            .and_then([TxnOp::put(
                lock.clone(),
                json(&holder),
                Some(PutOptions::new().with_lease(lease)),
            )])
            .or_else([TxnOp::get(lock.clone(), None), TxnOp::get(active, None)]);
        let (took, read) = match etcd.txn(txn).await {
            Ok(answer) => answer,
            Err(e) => {
                revoke(etcd.clone(), lease);
                return Err(e);
            }
        };
        if !took {
            revoke(etcd.clone(), lease);
            return Err(FleetError::Busy {
                holder: Box::new(holder_of(&read_values(&read))),
            });
        }
        // Kept alive while the update runs; revoking it frees the lock.
        let keep = {
            let etcd = etcd.clone();
            tokio::spawn(async move {
                let Ok(client) = etcd.client().await else {
                    return;
                };
                let mut c = client;
                let Ok((mut keeper, mut stream)) = c.lease_keep_alive(lease).await else {
                    return;
                };
                loop {
                    tokio::time::sleep(Duration::from_secs((ttl as u64 / 3).max(1))).await;
                    if keeper.keep_alive().await.is_err() || stream.message().await.is_err() {
                        tracing::warn!("fleet: the fleet lock's lease cannot be kept alive");
                    }
                }
            })
        };
        Ok(GatePass::new(Release {
            etcd: etcd.clone(),
            lease,
            keep,
        }))
    }
}

impl UpdateGate for FleetGate {
    fn enter<'a>(&'a self, by: String, doing: &'static str) -> Entering<'a> {
        Box::pin(async move { self.take(by, doing).await.map_err(ServiceError::from) })
    }
}

/// Frees the lock when the update ends.
struct Release {
    etcd: Etcd,
    lease: i64,
    keep: tokio::task::JoinHandle<()>,
}

impl Drop for Release {
    fn drop(&mut self) {
        self.keep.abort();
        revoke(self.etcd.clone(), self.lease);
    }
}

/// Revokes `lease` (freeing what hangs on it) in the background; a
/// process that is about to end waits for it with `released`.
fn revoke(etcd: Etcd, lease: i64) {
    if let Ok(handle) = tokio::runtime::Handle::try_current() {
        let task = handle.spawn(async move {
            if let Err(e) = etcd
                .call(|mut c| async move { c.lease_revoke(lease).await })
                .await
            {
                tracing::warn!(
                    "fleet: freeing the fleet lock: {} (it goes when its lease expires)",
                    e.user_message()
                );
            }
        });
        let mut revoking = REVOKING.lock().unwrap_or_else(|e| e.into_inner());
        // A service never waits for them: only the unfinished are kept.
        revoking.retain(|t| !t.is_finished());
        revoking.push(task);
    }
}

/// The revocations still under way.
static REVOKING: std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>> =
    std::sync::Mutex::new(Vec::new());

/// Waits until every fleet lock this process took is freed in etcd (each
/// revocation is bounded by the request timeout): a command that ran an
/// update without a service calls it before it exits, so the lock does not
/// outlive it until its lease expires.
pub async fn released() {
    let tasks: Vec<_> = std::mem::take(&mut *REVOKING.lock().unwrap_or_else(|e| e.into_inner()));
    for task in tasks {
        let _ = task.await;
    }
}

/// Claims the fleet for `wave`: refused while a local update holds the
/// lock or another wave runs.
pub(crate) async fn claim_for_wave(etcd: &Etcd, wave: &Wave) -> Result<(), FleetError> {
    let (lock, active) = (etcd.key("lock"), etcd.key("wave/active"));
    let txn = Txn::new()
        .when([
            Compare::version(lock.clone(), CompareOp::Equal, 0),
            Compare::version(active.clone(), CompareOp::Equal, 0),
        ])
        .and_then([TxnOp::put(active.clone(), json(wave), None)])
        .or_else([TxnOp::get(lock, None), TxnOp::get(active, None)]);
    let (took, read) = etcd.txn(txn).await?;
    if took {
        Ok(())
    } else {
        Err(FleetError::Busy {
            holder: Box::new(holder_of(&read_values(&read))),
        })
    }
}

/// Who holds the fleet, as a refused claim read it: typed, so each front
/// words it; `Display` is the English the CLI prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Occupant {
    /// A local update: `by` runs `doing` (`install` or `rollback`) on
    /// `instance`.
    Update {
        by: String,
        doing: String,
        instance: String,
        since: DateTime<Utc>,
    },
    /// A wave is in progress.
    Wave {
        id: String,
        action: WaveAction,
        requested_by: String,
        requested_at: DateTime<Utc>,
    },
    /// The lock is held, by a record this Steward cannot read.
    Unknown,
}

impl std::fmt::Display for Occupant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Occupant::Update {
                by,
                doing,
                instance,
                since,
            } => write!(
                f,
                "{by} is running {doing} on instance {instance} since {} UTC",
                since.format("%Y-%m-%d %H:%M:%S")
            ),
            Occupant::Wave {
                id,
                action,
                requested_by,
                requested_at,
            } => write!(
                f,
                "wave {id} ({}) requested by {requested_by} at {} UTC is in progress",
                action.describe(),
                requested_at.format("%Y-%m-%d %H:%M:%S")
            ),
            Occupant::Unknown => f.write_str("another update holds the fleet lock"),
        }
    }
}

/// Who holds the fleet, from what a refused claim read.
fn holder_of(read: &[(String, Vec<u8>)]) -> Occupant {
    for (key, value) in read {
        if key.ends_with("/lock")
            && let Ok(h) = parse::<Holder>(key, value)
        {
            return Occupant::Update {
                by: h.by,
                doing: h.doing,
                instance: h.instance,
                since: h.since,
            };
        }
        if key.ends_with("/wave/active")
            && let Ok(w) = parse::<Wave>(key, value)
        {
            return Occupant::Wave {
                id: w.id,
                action: w.action,
                requested_by: w.requested_by,
                requested_at: w.requested_at,
            };
        }
    }
    Occupant::Unknown
}

/// The fleet lock alone, for a command that runs an update in its own
/// process because no service answers: it takes the lock like a service.
pub fn gate_for(config: &FleetConfig) -> std::sync::Arc<dyn UpdateGate> {
    std::sync::Arc::new(FleetGate::new(Etcd::new(config), config.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Who holds the fleet reads in English as the refusal said it before
    /// it was typed (what the CLI prints).
    #[test]
    fn every_occupant_reads_as_the_refusal_said_it_before() {
        let at = DateTime::parse_from_rfc3339("2026-11-30T07:15:09Z")
            .unwrap()
            .with_timezone(&Utc);
        let update = Occupant::Update {
            by: "cli:root".into(),
            doing: "install".into(),
            instance: "a".into(),
            since: at,
        };
        assert_eq!(
            update.to_string(),
            "cli:root is running install on instance a since 2026-11-30 07:15:09 UTC"
        );
        let wave = Occupant::Wave {
            id: "w7".into(),
            action: WaveAction::Rollback {
                target: "1.4.0".into(),
            },
            requested_by: "discord:42".into(),
            requested_at: at,
        };
        assert_eq!(
            wave.to_string(),
            "wave w7 (rollback to 1.4.0) requested by discord:42 at 2026-11-30 07:15:09 UTC is in progress"
        );
        assert_eq!(
            Occupant::Unknown.to_string(),
            "another update holds the fleet lock"
        );
        let read = vec![(
            "/steward/fleet/lock".to_string(),
            serde_json::to_vec(&Holder {
                instance: "a".into(),
                by: "cli:root".into(),
                doing: "install".into(),
                since: at,
            })
            .unwrap(),
        )];
        assert_eq!(holder_of(&read), update);
        assert_eq!(holder_of(&[]), Occupant::Unknown);
    }
}
