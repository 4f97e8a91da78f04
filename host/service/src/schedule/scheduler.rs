//! The scheduler: a front like the CLI, driven by the clock. Each tick it
//! asks the service which schedules are due, decides whether a run is on
//! time, late but within `missed_run_window_minutes`, or missed, never lets
//! a run overlap another update (waiting or skipping, and saying which),
//! and records what happened on the schedule. The run itself goes through
//! `ScheduledRunner`: the install transaction or an ordinary backup, never
//! anything of its own.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use futures::future::BoxFuture;

use super::{LastRun, RunOutcome, Schedule, ScheduleKind};
use crate::config::OverlapPolicy;
use crate::{Service, ServiceError};

/// Lateness that still counts as on time (a tick, a slow start).
const GRACE: Duration = Duration::minutes(2);
/// The longest the loop sleeps, so new or changed schedules are seen.
const MAX_SLEEP: StdDuration = StdDuration::from_secs(60);

/// What the runner is asked to do.
#[derive(Debug, Clone)]
pub struct ScheduledRun {
    pub schedule: Schedule,
    /// Take the pre-update backup (`scheduling.require_backup_before_schedule`).
    pub backup_before: bool,
    /// Restart the bot when the update needs it (`general.auto_restart`).
    pub restart: bool,
    /// `schedule:<id>`: the session's `initiated_by`.
    pub initiated_by: String,
    /// When the run was due (it may start later).
    pub due_at: DateTime<Utc>,
}

/// What a run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ran {
    /// The update sessions it recorded (comma-separated ids), and what the
    /// installs said to heed (a restart left to the operator, say).
    Update {
        sessions: String,
        warnings: Vec<String>,
    },
    /// The backup it made, and its own older backups it removed to keep
    /// `max_backups_to_keep`.
    Backup { id: String, removed: Vec<String> },
}

/// The seam to the update transaction and the backups.
pub trait ScheduledRunner: Send + Sync {
    /// Runs the update of `run.schedule.update_types` as one ordinary update
    /// session, or for a backup schedule makes its backup and prunes its own.
    fn run<'a>(&'a self, run: &'a ScheduledRun) -> BoxFuture<'a, Result<Ran, ServiceError>>;

    /// Whether another update holds the install lock right now.
    fn update_running(&self) -> bool;
}

pub struct Scheduler {
    service: Arc<Service>,
    runner: Arc<dyn ScheduledRunner>,
    /// How often a waiting run looks again whether the other update ended.
    poll: StdDuration,
}

/// Where a due schedule stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    NotYet,
    /// Run now; `late` is how far past its time.
    Run {
        late: Duration,
    },
    /// Too late to catch up.
    Missed {
        late: Duration,
    },
}

/// Decides whether a run due at `due_at` runs at `now`.
pub fn due(due_at: DateTime<Utc>, now: DateTime<Utc>, window_minutes: u64) -> Due {
    if due_at > now {
        return Due::NotYet;
    }
    let late = now - due_at;
    let window = Duration::minutes(i64::try_from(window_minutes).unwrap_or(i64::MAX / 120));
    if late <= GRACE || late <= window {
        Due::Run { late }
    } else {
        Due::Missed { late }
    }
}

fn minutes(d: Duration) -> String {
    let m = d.num_minutes();
    if m < 1 {
        format!("{} s", d.num_seconds().max(0))
    } else if m < 120 {
        format!("{m} min")
    } else {
        format!("{} h {} min", m / 60, m % 60)
    }
}

/// Waits while `runner` reports another update, looking every `poll`;
/// how long it waited, or `None` when the update still ran after `limit`.
async fn wait_for_other_update(
    runner: &dyn ScheduledRunner,
    poll: StdDuration,
    limit: StdDuration,
) -> Option<StdDuration> {
    let started = std::time::Instant::now();
    while runner.update_running() {
        if started.elapsed() >= limit {
            return None;
        }
        tokio::time::sleep(poll).await;
    }
    Some(started.elapsed())
}

impl Scheduler {
    pub fn new(service: Arc<Service>, runner: Arc<dyn ScheduledRunner>) -> Scheduler {
        Scheduler {
            service,
            runner,
            poll: StdDuration::from_secs(5),
        }
    }

    /// Looks again this often while waiting for another update to end.
    pub fn with_poll_interval(mut self, poll: StdDuration) -> Scheduler {
        self.poll = poll;
        self
    }

    /// Acts on every schedule due at `now`, one after another; returns what
    /// each one did. The first tick after a start catches up missed runs.
    pub async fn tick(&self, now: DateTime<Utc>) -> Result<Vec<(String, LastRun)>, ServiceError> {
        let config = self.service.config();
        let mut done = Vec::new();
        for schedule in self.service.schedules_enabled()? {
            let Some(due_at) = schedule.next_run else {
                continue;
            };
            let decision = due(due_at, now, config.scheduling.missed_run_window_minutes);
            if decision == Due::NotYet {
                continue;
            }
            // Move on first: a crash during the run must not start it twice.
            self.service.schedule_advance(&schedule.id, now)?;
            let last = match decision {
                Due::Missed { late } => LastRun {
                    due_at,
                    at: Utc::now(),
                    outcome: RunOutcome::Missed,
                    session_id: None,
                    message: format!(
                        "Missed: Steward was not running (or was busy with another scheduled \
                         run) at the time, and got to it {} late (scheduling.missed_run_window_minutes is {}).",
                        minutes(late),
                        config.scheduling.missed_run_window_minutes
                    ),
                },
                Due::Run { late } => self.start(&schedule, due_at, late).await,
                Due::NotYet => unreachable!("handled above"),
            };
            tracing::info!(schedule = %schedule.id, outcome = ?last.outcome, "{}", last.message);
            self.service.schedule_record(&schedule.id, last.clone())?;
            done.push((schedule.id.clone(), last));
        }
        Ok(done)
    }

    async fn start(&self, schedule: &Schedule, due_at: DateTime<Utc>, late: Duration) -> LastRun {
        let config = self.service.config();
        let mut notes = Vec::new();
        if late > GRACE {
            notes.push(format!(
                "ran {} late: Steward was not running, or was busy with another scheduled run, at the time",
                minutes(late)
            ));
        }
        if self.runner.update_running() {
            let refused = |message: String| LastRun {
                due_at,
                at: Utc::now(),
                outcome: RunOutcome::SkippedOverlap,
                session_id: None,
                message,
            };
            match config.scheduling.on_overlap {
                OverlapPolicy::Skip => {
                    return refused(
                        "Skipped: another update was running (scheduling.on_overlap is skip)."
                            .to_string(),
                    );
                }
                OverlapPolicy::Wait => {
                    let limit = StdDuration::from_secs(config.scheduling.overlap_wait_minutes * 60);
                    match wait_for_other_update(self.runner.as_ref(), self.poll, limit).await {
                        Some(waited) => notes.push(format!(
                            "waited {} for another update to finish",
                            minutes(Duration::from_std(waited).unwrap_or_default())
                        )),
                        None => {
                            return refused(format!(
                                "Skipped: waited {} min for another update to finish, and it was still running.",
                                config.scheduling.overlap_wait_minutes
                            ));
                        }
                    }
                }
            }
        }
        let run = ScheduledRun {
            schedule: schedule.clone(),
            backup_before: config.scheduling.require_backup_before_schedule,
            restart: config.general.auto_restart,
            initiated_by: format!("schedule:{}", schedule.id),
            due_at,
        };
        let result = self.runner.run(&run).await;
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!(" ({})", notes.join("; "))
        };
        match result {
            Ok(Ran::Update { sessions, warnings }) => LastRun {
                due_at,
                at: Utc::now(),
                outcome: RunOutcome::Started,
                message: if warnings.is_empty() {
                    format!("Ran as update session {sessions}{notes}.")
                } else {
                    format!(
                        "Ran as update session {sessions}{notes}; {}.",
                        warnings.join("; ")
                    )
                },
                session_id: Some(sessions),
            },
            Ok(Ran::Backup { id, removed }) => LastRun {
                due_at,
                at: Utc::now(),
                outcome: RunOutcome::Started,
                session_id: None,
                message: if removed.is_empty() {
                    format!("Made backup {id}{notes}.")
                } else {
                    format!(
                        "Made backup {id}{notes}; removed this schedule's older {} ({}).",
                        if removed.len() == 1 {
                            "backup"
                        } else {
                            "backups"
                        },
                        removed.join(", ")
                    )
                },
            },
            Err(e) => LastRun {
                due_at,
                at: Utc::now(),
                outcome: RunOutcome::Failed,
                session_id: None,
                message: format!(
                    "The {} could not run{notes}: {}",
                    match schedule.kind {
                        ScheduleKind::Update => "update",
                        ScheduleKind::Backup => "backup",
                    },
                    e.user_message()
                ),
            },
        }
    }

    /// Ticks until the process ends; errors are logged and retried.
    pub async fn run(self) {
        loop {
            match self.tick(Utc::now()).await {
                // A scheduled install or backup ran: give back what it freed.
                Ok(done) if !done.is_empty() => crate::memory::give_back(),
                Ok(_) => {}
                Err(e) => tracing::warn!("scheduler: {}", e.user_message()),
            }
            let sleep = match self.service.schedules_next_due() {
                Ok(Some(at)) => (at - Utc::now())
                    .to_std()
                    .unwrap_or(StdDuration::ZERO)
                    .clamp(StdDuration::from_millis(200), MAX_SLEEP),
                _ => MAX_SLEEP,
            };
            tokio::select! {
                () = tokio::time::sleep(sleep) => {}
                () = self.service.schedules_changed.notified() => {}
                () = self.service.reloaded() => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Another update that never ends.
    struct Endless;

    impl ScheduledRunner for Endless {
        fn run<'a>(&'a self, _: &'a ScheduledRun) -> BoxFuture<'a, Result<Ran, ServiceError>> {
            unreachable!("nothing runs while another update holds the lock")
        }

        fn update_running(&self) -> bool {
            true
        }
    }

    #[tokio::test]
    async fn waiting_gives_up_when_the_other_update_outlasts_the_limit() {
        let waited = wait_for_other_update(
            &Endless,
            StdDuration::from_millis(5),
            StdDuration::from_millis(40),
        )
        .await;
        assert_eq!(waited, None);
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_run_in_the_future_is_not_due() {
        assert_eq!(
            due(at("2026-01-01T03:00:00Z"), at("2026-01-01T02:59:00Z"), 60),
            Due::NotYet
        );
    }

    #[test]
    fn a_run_late_within_the_window_still_runs_and_past_it_is_missed() {
        let due_at = at("2026-01-01T03:00:00Z");
        assert!(matches!(
            due(due_at, at("2026-01-01T03:59:00Z"), 60),
            Due::Run { .. }
        ));
        assert!(matches!(
            due(due_at, at("2026-01-01T04:01:00Z"), 60),
            Due::Missed { .. }
        ));
    }

    #[test]
    fn a_window_of_zero_still_runs_a_tick_that_is_a_few_seconds_late() {
        let due_at = at("2026-01-01T03:00:00Z");
        assert!(matches!(
            due(due_at, at("2026-01-01T03:00:30Z"), 0),
            Due::Run { .. }
        ));
        assert!(matches!(
            due(due_at, at("2026-01-01T03:10:00Z"), 0),
            Due::Missed { .. }
        ));
    }
}
