//! Fleet mode: several Steward services, one per instance of a bot (shards
//! on several hosts, a staging copy beside production), coordinated through
//! etcd, never a protocol of our own. Each service registers under a lease
//! and publishes what it runs (`registry`); one update at a time runs
//! across the fleet (`lock`); a leader elected through etcd drives waves
//! (`leader`) that each instance carries out as its ordinary local
//! transaction (`orders`) and answers, typed (`answer`), canaries first,
//! then batches (`wave`); a group
//! can wait until another has run a release healthy for a while
//! (`promotion`). Every
//! piece of a wave's state lives in etcd, so a new leader picks it up.
//!
//! It sits between the service and the control API: it calls the service
//! like any front, and never touches the store, the engine or the bot.

mod answer;
mod error;
mod etcd;
mod leader;
pub mod lock;
mod orders;
mod promotion;
pub mod registry;
pub mod wave;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use serde::{Deserialize, Serialize};
use steward_core::fleet::FleetConfig;
use steward_engine::progress::ProgressSender;
use steward_service::{Caller, Operation, Service, ServiceError};
use tokio::sync::watch;

pub use answer::Answer;
pub use error::{FleetError, Leader, Unpromoted, Waited};
pub use lock::Occupant;
pub use registry::InstanceRecord;
pub use wave::{
    FailedPart, Halt, Halted, Part, PartFault, PartState, Phase, Standing, Wave, WaveAction,
};

use crate::etcd::Etcd;
use crate::lock::Holder;

/// How often a following client hears how the wave stands.
const FOLLOW_EVERY: Duration = Duration::from_millis(250);

/// This service's membership of its fleet, while `serve` runs.
pub struct Fleet {
    inner: Arc<Inner>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

pub(crate) struct Inner {
    pub(crate) config: FleetConfig,
    pub(crate) id: String,
    pub(crate) service: Arc<Service>,
    pub(crate) etcd: Etcd,
    /// The lease this instance's registration and leadership hang on;
    /// `None` while etcd cannot be reached.
    pub(crate) lease: watch::Sender<Option<i64>>,
}

impl Drop for Fleet {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// `steward fleet status`: every instance, the leader, the lock and the waves.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FleetStatus {
    pub fleet: String,
    /// The instance that answered.
    pub instance: String,
    pub leader: Option<String>,
    pub instances: Vec<InstanceRecord>,
    /// A local update holding the fleet lock.
    pub lock: Option<Holder>,
    /// The wave in progress.
    pub wave: Option<Wave>,
    /// The last wave that ended.
    pub last_wave: Option<Wave>,
}

impl Fleet {
    /// Joins the fleet `config` names: installs the fleet lock as the
    /// service's update gate and starts registering, following orders and
    /// campaigning for leadership. etcd being down is no reason to fail:
    /// everything retries, and updates are refused meanwhile.
    pub fn join(service: Arc<Service>, config: FleetConfig) -> Fleet {
        let id = config.instance_id();
        let etcd = Etcd::new(&config);
        service.gate_updates_with(Arc::new(lock::FleetGate::new(etcd.clone(), config.clone())));
        let (lease, _) = watch::channel(None);
        let inner = Arc::new(Inner {
            config,
            id,
            service,
            etcd,
            lease,
        });
        let tasks = vec![
            tokio::spawn(registry::keep_registered(inner.clone())),
            tokio::spawn(orders::follow_orders(inner.clone())),
            tokio::spawn(leader::campaign(inner.clone())),
        ];
        Fleet { inner, tasks }
    }

    pub fn instance(&self) -> &str {
        &self.inner.id
    }

    /// The fleet as etcd has it (for anyone who may see the status).
    pub async fn status(&self, caller: &Caller) -> Result<FleetStatus, ServiceError> {
        self.inner.service.authorize(caller, Operation::Status)?;
        let etcd = &self.inner.etcd;
        let instances = registry::all(etcd).await?;
        let leader = etcd.leader().await?;
        let lock = etcd
            .get_json::<Holder>(&etcd.key("lock"))
            .await?
            .map(|(h, _)| h);
        let wave = etcd
            .get_json::<Wave>(&etcd.key("wave/active"))
            .await?
            .map(|(w, _)| w);
        let last_wave = etcd
            .get_json::<Wave>(&etcd.key("wave/last"))
            .await?
            .map(|(w, _)| w);
        Ok(FleetStatus {
            fleet: self.inner.config.name.clone(),
            instance: self.inner.id.clone(),
            leader,
            instances,
            lock,
            wave,
            last_wave,
        })
    }

    /// Starts a wave of `action` for `caller` (who must be allowed the
    /// same operation on one host) and follows it to its end; `progress`
    /// hears each change. Refused, naming the holder, while another wave
    /// or a local update holds the fleet.
    /// With `group`, only that group's instances take part. An install
    /// for a group with a `[fleet.promotion]` rule is refused until the
    /// group it comes after has run one release healthy for the soak time,
    /// and then brings that release only.
    pub async fn run_wave(
        &self,
        caller: &Caller,
        action: WaveAction,
        group: Option<String>,
        progress: Option<&ProgressSender>,
    ) -> Result<Wave, ServiceError> {
        self.authorize(caller, &action)?;
        let id = self.start_wave(caller, action, group).await?;
        self.follow(&id, progress).await
    }

    /// Refuses a caller who may not run `action` on a single host.
    pub fn authorize(&self, caller: &Caller, action: &WaveAction) -> Result<(), ServiceError> {
        let service = &self.inner.service;
        match action {
            WaveAction::Install { update_type } => service
                .authorize_install(
                    caller,
                    &steward_service::InstallRequest {
                        update_type: *update_type,
                        backup: true,
                        restart: true,
                        force: false,
                        backup_name: None,
                        dry_run: false,
                    },
                )
                .map(drop),
            WaveAction::Rollback { target } => {
                service.authorize(caller, Operation::Rollback)?;
                if target.trim().is_empty() {
                    return Err(ServiceError::InvalidArgument {
                        name: "target_version".to_string(),
                        value: target.clone(),
                        expected: steward_service::Expected::VersionOrLastBackup,
                    });
                }
                Ok(())
            }
            WaveAction::Check => service.authorize(caller, Operation::Check).map(drop),
        }
    }

    async fn start_wave(
        &self,
        caller: &Caller,
        action: WaveAction,
        group: Option<String>,
    ) -> Result<String, ServiceError> {
        let pinned = self.promoted(&action, group.as_deref()).await?;
        let now = Utc::now();
        let id = format!("{}-{}", now.format("%Y%m%dT%H%M%S%.3f"), self.inner.id);
        let mut wave = Wave::requested(
            id.clone(),
            action,
            format!("{} on {}", caller.label(), self.inner.id),
            now,
        );
        wave.group = group;
        wave.pinned = pinned;
        lock::claim_for_wave(&self.inner.etcd, &wave).await?;
        tracing::info!(wave = %id, "fleet wave requested");
        Ok(id)
    }

    /// The release an install wave is pinned to by `[fleet.promotion]`, or
    /// why it may not start: every group it covers that has a rule must
    /// find its earlier group soaked, on one release.
    async fn promoted(
        &self,
        action: &WaveAction,
        group: Option<&str>,
    ) -> Result<Option<String>, ServiceError> {
        let etcd = &self.inner.etcd;
        let instances = registry::all(etcd).await?;
        if let Some(g) = group
            && !instances.iter().any(|r| r.group == g)
        {
            let mut known: Vec<&str> = instances.iter().map(|r| r.group.as_str()).collect();
            known.sort();
            known.dedup();
            return Err(FleetError::NoSuchGroup {
                group: g.to_string(),
                known: if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                },
            }
            .into());
        }
        if !matches!(action, WaveAction::Install { .. }) {
            return Ok(None);
        }
        let rules = &self.inner.config.promotion;
        let mut groups: Vec<String> = wave::in_scope(&instances, group)
            .into_iter()
            .map(|r| r.group)
            .filter(|g| rules.contains_key(g))
            .collect();
        groups.sort();
        groups.dedup();
        let mut pinned: Option<(String, String)> = None;
        for g in groups {
            let rule = &rules[&g];
            let version = promotion::judge(
                etcd,
                self.inner.config.lease_seconds,
                &g,
                &rule.after,
                rule.soak,
            )
            .await?;
            match &pinned {
                Some((other, v)) if *v != version => {
                    return Err(FleetError::NotPromoted {
                        group: g.clone(),
                        after: rule.after.clone(),
                        why: Unpromoted::TwoReleases {
                            version,
                            other: other.clone(),
                            other_version: v.clone(),
                        },
                    }
                    .into());
                }
                _ => pinned = Some((g.clone(), version)),
            }
        }
        Ok(pinned.map(|(_, v)| v))
    }

    /// Follows wave `id` until it ends. Gives up after
    /// `wave_timeout_seconds` without a change when no leader planned it
    /// (it is withdrawn, in one transaction that holds only while it is
    /// still unplanned) or when no registered instance leads it any more.
    async fn follow(
        &self,
        id: &str,
        progress: Option<&ProgressSender>,
    ) -> Result<Wave, ServiceError> {
        let etcd = &self.inner.etcd;
        let patience = Duration::from_secs(self.inner.config.wave_timeout_seconds);
        let mut said = String::new();
        let mut seen = (Vec::new(), Instant::now());
        loop {
            if let Some((wave, revision)) = etcd.get_json::<Wave>(&etcd.key("wave/active")).await?
                && wave.id == id
            {
                let line = wave.progress_line();
                if line != said {
                    if let Some(p) = progress {
                        p.report(wave.percent(), line.clone());
                    }
                    said = line;
                }
                let record = etcd::json(&wave);
                if record != seen.0 {
                    seen = (record, Instant::now());
                } else if seen.1.elapsed() >= patience
                    && let Some(e) = self.gave_up(&wave, revision).await?
                {
                    return Err(e.into());
                }
            } else if let Some((wave, _)) = etcd.get_json::<Wave>(&etcd.key("wave/last")).await?
                && wave.id == id
            {
                return Ok(wave);
            } else {
                return Err(FleetError::WaveVanished { id: id.to_string() }.into());
            }
            tokio::time::sleep(FOLLOW_EVERY).await;
        }
    }

    /// Why following `wave` (unchanged for the whole timeout) ends, if it
    /// does: unplanned, it is withdrawn; under way, only when no registered
    /// instance leads (a leader waiting for an instance is bounded by
    /// `instance_timeout_seconds` instead).
    async fn gave_up(&self, wave: &Wave, revision: i64) -> Result<Option<FleetError>, FleetError> {
        let etcd = &self.inner.etcd;
        let secs = self.inner.config.wave_timeout_seconds;
        let leader = etcd.leader().await?;
        let registered = registry::all(etcd).await?;
        let leading = leader
            .as_ref()
            .is_some_and(|l| registered.iter().any(|r| &r.id == l));
        let who = match (&leader, leading) {
            (None, _) => Leader::Nobody,
            (Some(l), true) => Leader::Registered(l.clone()),
            (Some(l), false) => Leader::Unregistered(l.clone()),
        };
        if wave.phase == Phase::Planning {
            let active = etcd.key("wave/active");
            let txn = etcd_client::Txn::new()
                .when([etcd_client::Compare::mod_revision(
                    active.clone(),
                    etcd_client::CompareOp::Equal,
                    revision,
                )])
                .and_then([etcd_client::TxnOp::delete(active, None)]);
            let (withdrawn, _) = etcd.txn(txn).await?;
            if !withdrawn {
                // Planned meanwhile: follow it on.
                return Ok(None);
            }
            tracing::warn!(wave = %wave.id, "fleet: wave withdrawn, never planned");
            return Ok(Some(FleetError::WaveTimedOut {
                waited_for: Waited::Plan {
                    wave: wave.id.clone(),
                    secs,
                    leader: who,
                },
                withdrawn: true,
            }));
        }
        if leading {
            return Ok(None);
        }
        Ok(Some(FleetError::WaveTimedOut {
            waited_for: Waited::CarryOn {
                wave: wave.id.clone(),
                secs,
                leader: who,
                stands_at: Box::new(wave.standing()),
            },
            withdrawn: false,
        }))
    }
}
