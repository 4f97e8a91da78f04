//! `steward status`, `/update_status`: versions, uptime, machine metrics,
//! statistics over the stored sessions and backups, and the chart.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::engine::session;
use crate::status::{
    self, BackupStats, Disk, Known, Memory, SessionLine, StatusRange, UpdateStats, chart,
};
use crate::{Caller, Operation, Service, ServiceError};

/// `/update_status`, `steward status`.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub struct StatusRequest {
    /// List the sessions of the range.
    pub history: bool,
    /// Disk, memory and the statistics.
    pub metrics: bool,
    pub range: StatusRange,
    /// Draw the PNG chart.
    pub chart: bool,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Versions {
    pub steward: String,
    pub bot: Known,
    pub python: Known,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Uptime {
    /// When this Steward process started serving.
    pub steward_since: DateTime<Utc>,
    pub steward_secs: i64,
    /// The bot's uptime, known while Steward supervises it.
    pub bot: Known,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Metrics {
    /// The filesystem of the bot's root, and of the backups when it differs.
    pub disks: Vec<Disk>,
    pub memory: Option<Memory>,
    pub updates: UpdateStats,
    pub backups: BackupStats,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct StatusReport {
    pub generated_at: DateTime<Utc>,
    pub range: StatusRange,
    pub bot_name: String,
    pub versions: Versions,
    pub last_update: Option<SessionLine>,
    pub uptime: Uptime,
    pub metrics: Option<Metrics>,
    /// Sessions of the range, newest first (with `history`).
    pub history: Option<Vec<SessionLine>>,
    #[serde(skip)]
    pub chart: Option<Vec<u8>>,
    /// Provider files that did not load, one line each ("NAME: why"):
    /// refused for their signature, not WebAssembly, too large.
    #[serde(default)]
    pub providers_not_loaded: Vec<String>,
    /// Providers that are not run until an owner grants them, each with
    /// what it asks for ("read {bot}").
    #[serde(default)]
    pub providers_waiting: Vec<ProviderNeeds>,
    /// Providers whose grant leaves out part of what they ask, each with
    /// what is left out: they run, but only partly.
    #[serde(default)]
    pub providers_partial: Vec<ProviderNeeds>,
    /// The last drift check (`steward serve` runs one after each background
    /// check): what differs from what the last update applied.
    #[serde(default)]
    pub drift: Option<crate::engine::drift::DriftReport>,
    /// What the impact watch measured around the last update, if it ran.
    #[serde(default)]
    pub last_impact: Option<crate::engine::impact::Impact>,
    /// What the last update's downloads cost against the full archives.
    #[serde(default)]
    pub last_delivery: Option<crate::engine::delivery::Delivery>,
    /// Offsite targets whose copies failed and are retried at the next
    /// copy, each with the backups it lacks.
    #[serde(default)]
    pub copies_failed: Vec<crate::backup::offsite::FailedCopy>,
}

/// A provider and capabilities it asks for, in the words of
/// `[providers.NAME.grant]` ("read {bot}", "http pypi.org").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ProviderNeeds {
    pub provider: String,
    pub capabilities: Vec<String>,
}

impl Service {
    pub async fn status(
        &self,
        caller: &Caller,
        request: StatusRequest,
    ) -> Result<StatusReport, ServiceError> {
        self.authorize(caller, Operation::Status)?;
        let config = self.config();
        let now = Utc::now();
        let store = self.store()?;
        let sessions = session::tree(&store)?.values()?;
        let kept = self.backups()?;
        let backups = kept.all()?;
        let recent = status::in_range(&sessions, now - request.range.duration());

        let metrics = request.metrics.then(|| {
            let mut disks: Vec<Disk> = status::system::disk(&config.bot.root).into_iter().collect();
            if let Some(d) = status::system::disk(&config.backup.path)
                && disks
                    .iter()
                    .all(|o| o.total_bytes != d.total_bytes || o.free_bytes != d.free_bytes)
            {
                disks.push(d);
            }
            Metrics {
                disks,
                memory: status::system::memory(),
                updates: status::update_stats(&recent),
                backups: status::backup_stats(&backups),
            }
        });
        let chart = if request.chart {
            Some(
                chart::render(&recent, &backups, request.range, now).map_err(|e| {
                    ServiceError::Chart {
                        message: e.to_string(),
                    }
                })?,
            )
        } else {
            None
        };
        let entries = self.entries().await;
        // Denied or turned-off providers are not run, so wait for nothing.
        let loaded = || {
            entries.iter().filter_map(|e| match e {
                crate::runtime::ProviderEntry::Loaded(p) if p.enabled => Some(p),
                _ => None,
            })
        };
        Ok(StatusReport {
            generated_at: now,
            range: request.range,
            bot_name: config.bot.name.clone(),
            versions: Versions {
                steward: env!("CARGO_PKG_VERSION").to_string(),
                bot: status::system::bot_version(&config),
                python: status::system::python_version(&config).await,
            },
            last_update: status::last_update(&sessions),
            uptime: Uptime {
                steward_since: self.started_at,
                steward_secs: (now - self.started_at).num_seconds(),
                bot: status::system::bot_uptime(&self.supervisor(), now),
            },
            metrics,
            history: request.history.then(|| {
                recent
                    .iter()
                    .map(|s| SessionLine {
                        log: crate::engine::logs::SessionLog::of(&config, &s.id).exists(),
                        ..SessionLine::from(*s)
                    })
                    .collect()
            }),
            chart,
            providers_not_loaded: entries
                .iter()
                .filter_map(|e| match e {
                    crate::runtime::ProviderEntry::Failed(f) => {
                        Some(format!("{}: {}", f.name, f.error))
                    }
                    crate::runtime::ProviderEntry::Loaded(_) => None,
                })
                .collect(),
            providers_waiting: loaded()
                .filter_map(|p| {
                    Some(ProviderNeeds {
                        provider: p.name.clone(),
                        capabilities: crate::announce::asks(p.waiting_for_grant.as_ref()?),
                    })
                })
                .collect(),
            providers_partial: loaded()
                .filter(|p| p.waiting_for_grant.is_none() && !p.missing.is_empty())
                .map(|p| ProviderNeeds {
                    provider: p.name.clone(),
                    capabilities: p.missing.clone(),
                })
                .collect(),
            drift: crate::engine::drift::last(&store)?,
            last_impact: match status::last_update(&sessions) {
                Some(last) => crate::engine::impact::of(&store, &last.id)?,
                None => None,
            },
            last_delivery: match status::last_update(&sessions) {
                Some(last) => crate::engine::delivery::of(&store, &last.id)?,
                None => None,
            },
            copies_failed: crate::backup::offsite::failed_copies(&kept, &backups),
        })
    }
}
