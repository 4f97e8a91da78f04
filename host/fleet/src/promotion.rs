//! Promotion between groups (`[fleet.promotion]`): a group's install waits
//! until every instance of the group it comes after has run one release
//! healthy for the soak time, and then installs that release only. The
//! evidence is in etcd (`soak/<instance>`, written by each instance beside
//! its registration); this module writes it and judges it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use steward_core::fleet::Soak;

use crate::etcd::Etcd;
use crate::registry::{InstanceRecord, PUBLISH_EVERY};
use crate::{FleetError, Inner, Unpromoted};

/// One instance's evidence: the release it runs and since when it has run
/// healthy without a break. Kept without a lease, so it outlives a restart
/// of Steward (a record seen too long ago no longer counts).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SoakRecord {
    pub group: String,
    pub version: Option<String>,
    /// When the bot, on `version`, was first seen healthy in this unbroken
    /// run; `None` while it is not healthy.
    pub healthy_since: Option<DateTime<Utc>>,
    /// The bot process's start, to tell a restart from a steady run.
    pub bot_since: Option<DateTime<Utc>>,
    pub seen_at: DateTime<Utc>,
}

/// How long ago a record may have been written and still count: a few
/// publications and the lease.
fn fresh_for(inner_lease: u64) -> chrono::Duration {
    chrono::Duration::seconds(inner_lease as i64)
        + chrono::Duration::from_std(PUBLISH_EVERY * 3).unwrap()
}

/// Writes this instance's evidence from the record it just published.
pub(crate) async fn record(inner: &Inner, now: &InstanceRecord) -> Result<(), FleetError> {
    let etcd = &inner.etcd;
    let key = etcd.key(&format!("soak/{}", inner.id));
    let before = etcd.get_json::<SoakRecord>(&key).await?.map(|(r, _)| r);
    let healthy = now.health == "running" && now.bot_version.is_some();
    let healthy_since = if !healthy {
        None
    } else {
        match before {
            Some(b)
                if b.version == now.bot_version
                    && b.bot_since == now.bot_since
                    && b.group == now.group
                    && now.updated_at - b.seen_at <= fresh_for(inner.config.lease_seconds) =>
            {
                b.healthy_since.or(Some(now.updated_at))
            }
            _ => Some(now.updated_at),
        }
    };
    let record = SoakRecord {
        group: now.group.clone(),
        version: now.bot_version.clone(),
        healthy_since,
        bot_since: now.bot_since,
        seen_at: now.updated_at,
    };
    etcd.put_json(&key, &record, None).await
}

/// Whether `group` may be promoted now: the release every live instance
/// of `after` has run healthy for `soak`, or why not (in the operator's
/// words, with the time left when it is only a matter of time).
pub(crate) async fn judge(
    etcd: &Etcd,
    lease_seconds: u64,
    group: &str,
    after: &str,
    soak: Soak,
) -> Result<String, FleetError> {
    let instances: Vec<InstanceRecord> = crate::registry::all(etcd)
        .await?
        .into_iter()
        .filter(|r| r.group == after)
        .collect();
    let waits = |why: Unpromoted| FleetError::NotPromoted {
        group: group.to_string(),
        after: after.to_string(),
        why,
    };
    if instances.is_empty() {
        return Err(waits(Unpromoted::NoInstance {
            after: after.to_string(),
        }));
    }
    let now = Utc::now();
    let mut versions: Vec<(String, String, DateTime<Utc>)> = Vec::new();
    for r in &instances {
        let key = etcd.key(&format!("soak/{}", r.id));
        let evidence = etcd.get_json::<SoakRecord>(&key).await?.map(|(s, _)| s);
        match evidence {
            Some(SoakRecord {
                version: Some(v),
                healthy_since: Some(since),
                seen_at,
                ..
            }) if now - seen_at <= fresh_for(lease_seconds) => {
                versions.push((r.id.clone(), v, since));
            }
            _ => {
                return Err(waits(Unpromoted::NotHealthy {
                    after: after.to_string(),
                    instance: r.id.clone(),
                }));
            }
        }
    }
    let first = versions[0].1.clone();
    if versions.iter().any(|(_, v, _)| *v != first) {
        return Err(waits(Unpromoted::MixedReleases {
            after: after.to_string(),
            releases: versions
                .iter()
                .map(|(id, v, _)| (id.clone(), v.clone()))
                .collect(),
        }));
    }
    let since = versions
        .iter()
        .map(|(_, _, s)| *s)
        .max()
        .expect("one at least");
    let soaked = (now - since).num_seconds().max(0) as u64;
    if soaked < soak.0 {
        return Err(waits(Unpromoted::Soaking {
            version: first,
            after: after.to_string(),
            soaked_secs: soaked,
            soak_secs: soak.0,
        }));
    }
    Ok(first)
}
