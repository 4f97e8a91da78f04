//! `steward schedule`, `/update_schedule`, and what the scheduler asks:
//! schedules validated against the scheduling settings, stored, and shown
//! with their next run in the configured zone; and the scheduled run
//! itself, an ordinary install or an ordinary backup.

use chrono::{DateTime, Utc};
use serde::Serialize;

use futures::future::BoxFuture;

use crate::config::Config;
use crate::engine::UpdateType;
use crate::schedule::{
    self, LastRun, Ran, Schedule, ScheduleError, ScheduleKind, ScheduleType, ScheduledRun,
    ScheduledRunner, next, spec,
};
use crate::store::Tree;
use crate::{Caller, InstallRequest, Operation, Service, ServiceError};

/// `/update_schedule`, `steward schedule add`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ScheduleRequest {
    pub schedule_type: ScheduleType,
    /// `HH:MM`; `scheduling.default_time` when absent.
    pub update_time: Option<String>,
    pub update_days: Option<String>,
    /// Comma-separated update types, or `backup` for a schedule that only
    /// takes backups.
    pub update_types: String,
    pub enabled: bool,
    /// Unique among schedules, at most `schedule::MAX_NAME_CHARS`.
    pub name: Option<String>,
    /// Backup schedules: how many of their own backups to keep.
    pub max_backups_to_keep: Option<u32>,
}

/// A schedule as shown: its record and its next run in the zone.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct ScheduleView {
    #[serde(flatten)]
    pub schedule: Schedule,
    /// `2026-03-29 03:00 CEST (Europe/Berlin)`; absent while disabled.
    pub next_run_local: Option<String>,
    /// For days that do not come every month.
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct SchedulesView {
    pub timezone: String,
    pub max_schedules: usize,
    pub schedules: Vec<ScheduleView>,
}

fn next_after(
    schedule: &Schedule,
    config: &Config,
    after: DateTime<Utc>,
) -> Result<DateTime<Utc>, ScheduleError> {
    let tz = next::zone(&config.scheduling.timezone)?;
    next::next_run(&next::parse(&schedule.cron)?, tz, after).ok_or(ScheduleError::NeverRuns)
}

fn view(schedule: Schedule, config: &Config) -> ScheduleView {
    let next_run_local = match (schedule.next_run, next::zone(&config.scheduling.timezone)) {
        (Some(at), Ok(tz)) => Some(next::show(at, tz)),
        _ => None,
    };
    ScheduleView {
        note: spec::note(schedule.schedule_type, &schedule.update_days),
        schedule,
        next_run_local,
    }
}

impl Service {
    fn schedules(&self) -> Result<Tree<Schedule>, ServiceError> {
        Ok(schedule::tree(&self.store()?)?)
    }

    /// The schedule with this id, or with this name.
    fn schedule_get(&self, tree: &Tree<Schedule>, id: &str) -> Result<Schedule, ServiceError> {
        if let Some(found) = tree.get(id.trim())? {
            return Ok(found);
        }
        let by_name = tree.values()?.into_iter().find(|s| {
            s.name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(id.trim()))
        });
        by_name.ok_or_else(|| {
            ScheduleError::NotFound {
                id: id.trim().to_string(),
            }
            .into()
        })
    }

    pub fn schedule_add(
        &self,
        caller: &Caller,
        request: ScheduleRequest,
    ) -> Result<ScheduleView, ServiceError> {
        self.authorize(caller, Operation::Schedule)?;
        let config = self.config();
        let time = request
            .update_time
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .unwrap_or(&config.scheduling.default_time);
        let built = spec::build(request.schedule_type, time, request.update_days.as_deref())?;
        let (kind, update_types) = schedule::kind_and_types(
            &request.update_types,
            &config.scheduling.allowed_update_types,
        )?;
        let max_backups_to_keep = schedule::keep(request.max_backups_to_keep, kind)?;
        let tree = self.schedules()?;
        let existing = tree.values()?;
        let name = request
            .name
            .as_deref()
            .map(|n| schedule::name(n, &existing))
            .transpose()?;
        if existing.len() >= config.scheduling.max_schedules {
            return Err(ScheduleError::TooMany {
                count: existing.len(),
                max: config.scheduling.max_schedules,
            }
            .into());
        }
        let mut record = Schedule {
            id: schedule::new_id(&existing),
            name,
            kind,
            max_backups_to_keep,
            schedule_type: request.schedule_type,
            update_time: built.time,
            update_days: built.days,
            update_types,
            cron: built.cron,
            enabled: request.enabled,
            created_at: Utc::now(),
            created_by: caller.label(),
            next_run: None,
            last_run: None,
        };
        if record.enabled {
            record.next_run = Some(next_after(&record, &config, Utc::now())?);
        } else {
            // Still proves the expression runs at all.
            next_after(&record, &config, Utc::now())?;
        }
        tree.insert(&record.id, &record)?;
        self.store()?.flush()?;
        self.schedules_changed.notify_waiters();
        Ok(view(record, &config))
    }

    pub fn schedule_list(&self, caller: &Caller) -> Result<SchedulesView, ServiceError> {
        self.authorize(caller, Operation::Schedule)?;
        let config = self.config();
        let mut schedules = self.schedules()?.values()?;
        schedules.sort_by_key(|s| s.id.trim_start_matches('s').parse::<u64>().unwrap_or(0));
        Ok(SchedulesView {
            timezone: config.scheduling.timezone.clone(),
            max_schedules: config.scheduling.max_schedules,
            schedules: schedules.into_iter().map(|s| view(s, &config)).collect(),
        })
    }

    /// Turns a schedule on (its next run counted from now: runs missed
    /// while it was off are not caught up) or off.
    pub fn schedule_enable(
        &self,
        caller: &Caller,
        id: &str,
        enabled: bool,
    ) -> Result<ScheduleView, ServiceError> {
        self.authorize(caller, Operation::Schedule)?;
        let config = self.config();
        let tree = self.schedules()?;
        let mut record = self.schedule_get(&tree, id)?;
        record.enabled = enabled;
        record.next_run = if enabled {
            Some(next_after(&record, &config, Utc::now())?)
        } else {
            None
        };
        tree.insert(&record.id, &record)?;
        self.store()?.flush()?;
        self.schedules_changed.notify_waiters();
        Ok(view(record, &config))
    }

    pub fn schedule_remove(&self, caller: &Caller, id: &str) -> Result<Schedule, ServiceError> {
        self.authorize(caller, Operation::Schedule)?;
        let tree = self.schedules()?;
        let record = self.schedule_get(&tree, id)?;
        tree.remove(&record.id)?;
        self.store()?.flush()?;
        Ok(record)
    }

    pub(crate) fn schedule_count(&self) -> Result<usize, ServiceError> {
        Ok(self.schedules()?.values()?.len())
    }

    /// After a time zone change: every enabled schedule's next run in the
    /// new zone, as lines to show.
    pub(crate) fn recompute_next_runs(&self) -> Result<Vec<String>, ServiceError> {
        let config = self.config();
        let tree = self.schedules()?;
        let mut lines = Vec::new();
        for mut record in tree.values()? {
            if !record.enabled {
                continue;
            }
            record.next_run = Some(next_after(&record, &config, Utc::now())?);
            tree.insert(&record.id, &record)?;
            if let Some(shown) = view(record.clone(), &config).next_run_local {
                lines.push(format!("Schedule {} now runs next at {shown}.", record.id));
            }
        }
        self.store()?.flush()?;
        Ok(lines)
    }

    /// The enabled schedules (for the scheduler); none while
    /// `scheduling.enabled` is off.
    pub(crate) fn schedules_enabled(&self) -> Result<Vec<Schedule>, ServiceError> {
        if !self.config().scheduling.enabled {
            return Ok(Vec::new());
        }
        Ok(self
            .schedules()?
            .values()?
            .into_iter()
            .filter(|s| s.enabled)
            .collect())
    }

    /// The earliest next run of any enabled schedule (for the scheduler).
    pub(crate) fn schedules_next_due(&self) -> Result<Option<DateTime<Utc>>, ServiceError> {
        Ok(self
            .schedules_enabled()?
            .iter()
            .filter_map(|s| s.next_run)
            .min())
    }

    /// Moves a schedule's next run past `now` (for the scheduler, before a
    /// run starts, so a crash never repeats it).
    pub(crate) fn schedule_advance(
        &self,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        let config = self.config();
        let tree = self.schedules()?;
        let mut record = self.schedule_get(&tree, id)?;
        record.next_run = Some(next_after(&record, &config, now)?);
        tree.insert(&record.id, &record)?;
        self.store()?.flush()?;
        Ok(())
    }

    /// Records what the scheduler did with a due run.
    pub(crate) fn schedule_record(&self, id: &str, last: LastRun) -> Result<(), ServiceError> {
        let tree = self.schedules()?;
        // Removed while it ran: nothing to record on.
        let Some(mut record) = tree.get(id)? else {
            return Ok(());
        };
        record.last_run = Some(last);
        tree.insert(&record.id, &record)?;
        self.store()?.flush()?;
        Ok(())
    }
}

/// Scheduled runs are ordinary installs (or, for a backup schedule, an
/// ordinary backup): the service is the scheduler's runner, and the install
/// lock says whether another update is running.
impl ScheduledRunner for Service {
    fn run<'a>(&'a self, run: &'a ScheduledRun) -> BoxFuture<'a, Result<Ran, ServiceError>> {
        Box::pin(async move {
            if run.schedule.kind == ScheduleKind::Backup {
                return self.scheduled_backup(run).await;
            }
            let caller = Caller::Schedule(run.schedule.id.clone());
            let config = self.config();
            // One install per type, unless `all` covers them in one.
            let types = if run.schedule.update_types.contains(&UpdateType::All) {
                vec![UpdateType::All]
            } else {
                run.schedule.update_types.clone()
            };
            // Each type is its own install: one refused (a safety check,
            // say) does not keep the others from running.
            let mut sessions = Vec::new();
            let mut warnings = Vec::new();
            let mut refused = None;
            for update_type in types {
                let outcome = self
                    .install(
                        &caller,
                        InstallRequest {
                            update_type,
                            backup: run.backup_before || config.safety.require_backup_before_update,
                            restart: run.restart,
                            force: false,
                            backup_name: None,
                            dry_run: false,
                        },
                        None,
                    )
                    .await;
                match outcome {
                    Ok(outcome) => {
                        sessions.extend(outcome.session.map(|s| s.id));
                        warnings.extend(outcome.warnings);
                    }
                    Err(e) => {
                        tracing::warn!(
                            ?update_type,
                            "scheduled install refused: {}",
                            e.user_message()
                        );
                        refused.get_or_insert(e);
                    }
                }
            }
            match refused {
                Some(e) if sessions.is_empty() => Err(e),
                _ => Ok(Ran::Update {
                    sessions: sessions.join(", "),
                    warnings,
                }),
            }
        })
    }

    fn update_running(&self) -> bool {
        crate::engine::install::lock::is_held(&self.config().paths.data)
    }
}

impl Service {
    /// A backup schedule's run: a full backup made like `backup create`
    /// (the same checks, verification, cleanup and announcement), named and
    /// tagged after the schedule; then the schedule's own backups beyond
    /// `max_backups_to_keep` are removed. Pre-update and manual backups are
    /// never touched here.
    async fn scheduled_backup(&self, run: &ScheduledRun) -> Result<Ran, ServiceError> {
        let schedule = &run.schedule;
        let caller = Caller::Schedule(schedule.id.clone());
        self.authorize(&caller, Operation::BackupCreate)?;
        let label = schedule.name.as_deref().unwrap_or(&schedule.id);
        let request = crate::backup::CreateRequest {
            backup_type: crate::backup::BackupType::Full,
            compress: true,
            // Unique: a schedule is due at most once a minute.
            name: Some(format!(
                "scheduled-{label}-{}",
                run.due_at.format("%Y%m%d-%H%M")
            )),
            include_logs: false,
            description: Some(format!("Scheduled backup of schedule {}", schedule.label())),
            auto_created: false,
        };
        let mut tags = std::collections::BTreeMap::new();
        tags.insert(schedule::BACKUP_TAG.to_string(), schedule.id.clone());
        if let Some(name) = &schedule.name {
            tags.insert("schedule_name".to_string(), name.clone());
        }
        let id = schedule.id.clone();
        let keep = schedule.max_backups_to_keep;
        let (created, pruned) = self
            .blocking(None, move |b| {
                let created = crate::backup::create::create_tagged(&b, &request, &tags)?;
                let pruned = match keep {
                    Some(keep) => Some(crate::backup::prune::prune_tagged(
                        &b,
                        schedule::BACKUP_TAG,
                        &id,
                        keep as usize,
                    )?),
                    None => None,
                };
                Ok((created, pruned))
            })
            .await?;
        self.follow_up_offsite(&created.record.id, true);
        if let Some(a) = crate::announce::Announcer::new(&self.config()) {
            a.backup(&created).await;
        }
        Ok(Ran::Backup {
            id: created.record.id,
            removed: pruned
                .map(|p| p.removed.into_iter().map(|r| r.id).collect())
                .unwrap_or_default(),
        })
    }
}
