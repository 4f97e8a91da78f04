//! Schedules through the service, and the scheduler driven with a runner
//! that records what it was asked to run.

use std::path::Path;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use futures::future::BoxFuture;

use super::*;
use crate::config::Config;
use crate::{Caller, ScheduleRequest, Service, ServiceError};

async fn service(dir: &Path, extra: &str) -> Arc<Service> {
    std::fs::create_dir_all(dir.join("bot")).unwrap();
    let file = dir.join("steward.toml");
    std::fs::write(&file, format!("[bot]\nroot = \"bot\"\n{extra}\n")).unwrap();
    Arc::new(
        Service::open(Config::load(&file, false).unwrap())
            .await
            .unwrap(),
    )
}

fn request(
    t: ScheduleType,
    time: Option<&str>,
    days: Option<&str>,
    types: &str,
) -> ScheduleRequest {
    ScheduleRequest {
        schedule_type: t,
        update_time: time.map(String::from),
        update_days: days.map(String::from),
        update_types: types.to_string(),
        enabled: true,
    }
}

/// Records each run; reports another update running for `busy` more asks.
#[derive(Default)]
struct Recorder {
    runs: Mutex<Vec<ScheduledRun>>,
    busy: AtomicUsize,
}

impl ScheduledRunner for Recorder {
    fn run<'a>(&'a self, run: &'a ScheduledRun) -> BoxFuture<'a, Result<String, ServiceError>> {
        Box::pin(async move {
            let mut runs = self.runs.lock().unwrap();
            runs.push(run.clone());
            Ok(format!("u-test-{}", runs.len()))
        })
    }

    fn update_running(&self) -> bool {
        self.busy
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }
}

fn scheduler(service: &Arc<Service>, recorder: &Arc<Recorder>) -> Scheduler {
    Scheduler::new(service.clone(), recorder.clone())
        .with_poll_interval(StdDuration::from_millis(5))
}

/// A service with one daily schedule `s1` (packages, at the default 03:00),
/// and when it is due first.
async fn daily(dir: &Path, extra: &str) -> (Arc<Service>, DateTime<Utc>) {
    let service = service(dir, extra).await;
    service
        .schedule_add(
            &Caller::Shell,
            request(ScheduleType::Daily, None, None, "packages"),
        )
        .unwrap();
    let due = next_run(&service, "s1");
    (service, due)
}

fn next_run(service: &Service, id: &str) -> DateTime<Utc> {
    let list = service.schedule_list(&Caller::Shell).unwrap();
    let view = list.schedules.iter().find(|s| s.schedule.id == id).unwrap();
    view.schedule.next_run.unwrap()
}

#[tokio::test]
async fn invalid_schedules_are_refused_with_what_to_write() {
    let dir = tempfile::tempdir().unwrap();
    let service = service(dir.path(), "").await;
    let message = |r: ScheduleRequest| {
        service
            .schedule_add(&Caller::Shell, r)
            .unwrap_err()
            .user_message()
    };
    assert_eq!(
        message(request(
            ScheduleType::Daily,
            Some("25:00"),
            None,
            "packages"
        )),
        "Invalid update_time `25:00`: write the time as HH:MM, 24-hour (for example 03:00)."
    );
    assert_eq!(
        message(request(
            ScheduleType::Weekly,
            None,
            Some("funday"),
            "packages"
        )),
        "Invalid update_days `funday`: \"funday\" is not a weekday (mon, tue, …, sun)."
    );
    assert_eq!(
        message(request(
            ScheduleType::Weekly,
            None,
            Some("mon-fri"),
            "packages"
        )),
        "Invalid update_days `mon-fri`: \"mon-fri\" is not a weekday (mon, tue, …, sun)."
    );
    assert_eq!(
        message(request(
            ScheduleType::Monthly,
            None,
            Some("0,32"),
            "packages"
        )),
        "Invalid update_days `0,32`: \"0\" is not a day of the month (1-31)."
    );
    assert_eq!(
        message(request(ScheduleType::Monthly, None, None, "packages")),
        "A monthly schedule needs update_days: give the day(s) of the month to run on, e.g. 1 or 1,15."
    );
    assert_eq!(
        message(request(ScheduleType::Daily, None, Some("mon"), "packages")),
        "Invalid update_days `mon`: a daily schedule runs every day; leave update_days out."
    );
    assert_eq!(
        message(request(ScheduleType::Daily, None, None, "dependencies")),
        "Invalid update_types `dependencies`: dependencies updates may not be scheduled \
         (scheduling.allowed_update_types: packages, bot, config)."
    );
    assert!(
        message(request(ScheduleType::Daily, None, None, "firmware"))
            .contains("list one or more of")
    );
    assert!(
        service
            .schedule_list(&Caller::Shell)
            .unwrap()
            .schedules
            .is_empty()
    );
}

#[tokio::test]
async fn schedules_are_stored_with_their_cron_expression_and_limited_in_number() {
    let dir = tempfile::tempdir().unwrap();
    let service = service(dir.path(), "[scheduling]\nmax_schedules = 2\n").await;
    let added = service
        .schedule_add(
            &Caller::Shell,
            request(
                ScheduleType::Custom,
                Some("4:05"),
                Some("mon-wed,fri"),
                "packages,config",
            ),
        )
        .unwrap();
    assert_eq!(added.schedule.id, "s1");
    assert_eq!(added.schedule.cron, "0 5 4 * * Mon,Tue,Wed,Fri");
    assert_eq!(added.schedule.update_days, ["mon", "tue", "wed", "fri"]);
    assert!(added.next_run_local.unwrap().ends_with("UTC (UTC)"));
    // Without a time, scheduling.default_time applies.
    let monthly = service
        .schedule_add(
            &Caller::Shell,
            request(ScheduleType::Monthly, None, Some("31"), "bot"),
        )
        .unwrap();
    assert_eq!(monthly.schedule.update_time, "03:00");
    assert!(
        monthly
            .note
            .unwrap()
            .contains("day 31 does not come every month")
    );
    let err = service
        .schedule_add(
            &Caller::Shell,
            request(ScheduleType::Daily, None, None, "bot"),
        )
        .unwrap_err();
    assert!(
        err.user_message().contains("already 2 schedules"),
        "{}",
        err.user_message()
    );

    service
        .schedule_enable(&Caller::Shell, "s1", false)
        .unwrap();
    let list = service.schedule_list(&Caller::Shell).unwrap();
    assert!(!list.schedules[0].schedule.enabled && list.schedules[0].next_run_local.is_none());
    service.schedule_remove(&Caller::Shell, "s1").unwrap();
    let err = service.schedule_remove(&Caller::Shell, "s1").unwrap_err();
    assert!(err.user_message().contains("There is no schedule s1"));
}

#[tokio::test]
async fn changing_the_timezone_recomputes_next_runs_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let service = service(dir.path(), "").await;
    service
        .schedule_add(
            &Caller::Shell,
            request(ScheduleType::Daily, Some("03:00"), None, "packages"),
        )
        .unwrap();
    let before = next_run(&service, "s1");
    let change = service
        .settings_set(&Caller::Shell, "schedule", "timezone", "Asia/Tokyo")
        .await
        .unwrap();
    assert_eq!(change.previous, "UTC");
    let after = next_run(&service, "s1");
    assert_ne!(before, after);
    // 03:00 in Tokyo is 18:00 UTC.
    assert_eq!(after.format("%H:%M").to_string(), "18:00");
    assert!(
        change.effects.iter().any(
            |e| e.starts_with("Schedule s1 now runs next at") && e.contains("JST (Asia/Tokyo)")
        ),
        "{:?}",
        change.effects
    );
}

#[tokio::test]
async fn a_due_run_starts_once_with_the_backup_flag_and_the_schedule_as_initiator() {
    let dir = tempfile::tempdir().unwrap();
    let service = service(dir.path(), "").await;
    service
        .schedule_add(
            &Caller::Shell,
            request(ScheduleType::Daily, Some("03:00"), None, "packages,bot"),
        )
        .unwrap();
    let due = next_run(&service, "s1");
    let recorder = Arc::new(Recorder::default());
    let scheduler = scheduler(&service, &recorder);
    assert!(
        scheduler
            .tick(due - Duration::seconds(1))
            .await
            .unwrap()
            .is_empty()
    );
    let done = scheduler.tick(due + Duration::seconds(3)).await.unwrap();
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].1.outcome, RunOutcome::Started);
    assert_eq!(done[0].1.session_id.as_deref(), Some("u-test-1"));
    // The same tick time again starts nothing more.
    assert!(
        scheduler
            .tick(due + Duration::seconds(4))
            .await
            .unwrap()
            .is_empty()
    );
    let runs = recorder.runs.lock().unwrap().clone();
    assert_eq!(runs.len(), 1);
    assert!(
        runs[0].backup_before,
        "require_backup_before_schedule defaults to true"
    );
    assert_eq!(runs[0].initiated_by, "schedule:s1");
    assert_eq!(runs[0].due_at, due);
    assert_eq!(next_run(&service, "s1"), due + Duration::days(1));
    let list = service.schedule_list(&Caller::Shell).unwrap();
    let last = list.schedules[0].schedule.last_run.clone().unwrap();
    assert_eq!(last.message, "Ran as update session u-test-1.");
}

#[tokio::test]
async fn a_run_missed_while_down_runs_once_at_start_within_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let (service, due) = daily(
        dir.path(),
        "[scheduling]\nmissed_run_window_minutes = 4320\nrequire_backup_before_schedule = false\n",
    )
    .await;
    let recorder = Arc::new(Recorder::default());
    // Steward comes back two days and ten minutes later: three runs were
    // missed, one runs.
    let back = due + Duration::days(2) + Duration::minutes(10);
    let done = scheduler(&service, &recorder).tick(back).await.unwrap();
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].1.outcome, RunOutcome::Started);
    assert!(
        done[0].1.message.contains("ran 48 h 10 min late"),
        "{}",
        done[0].1.message
    );
    let runs = recorder.runs.lock().unwrap().clone();
    assert_eq!(runs.len(), 1);
    assert!(!runs[0].backup_before);
    assert_eq!(next_run(&service, "s1"), due + Duration::days(3));
}

#[tokio::test]
async fn a_run_missed_by_more_than_the_window_is_recorded_as_missed() {
    let dir = tempfile::tempdir().unwrap();
    let (service, due) = daily(dir.path(), "[scheduling]\nmissed_run_window_minutes = 60\n").await;
    let recorder = Arc::new(Recorder::default());
    let done = scheduler(&service, &recorder)
        .tick(due + Duration::hours(3))
        .await
        .unwrap();
    assert_eq!(done[0].1.outcome, RunOutcome::Missed);
    assert!(
        done[0].1.message.contains("got to it 3 h 0 min late"),
        "{}",
        done[0].1.message
    );
    assert!(recorder.runs.lock().unwrap().is_empty());
    assert_eq!(next_run(&service, "s1"), due + Duration::days(1));
}

#[tokio::test]
async fn an_overlapping_run_is_skipped_when_the_policy_says_skip() {
    let dir = tempfile::tempdir().unwrap();
    let (service, due) = daily(dir.path(), "[scheduling]\non_overlap = \"skip\"\n").await;
    let recorder = Arc::new(Recorder {
        busy: AtomicUsize::new(1),
        ..Recorder::default()
    });
    let done = scheduler(&service, &recorder).tick(due).await.unwrap();
    assert_eq!(done[0].1.outcome, RunOutcome::SkippedOverlap);
    assert_eq!(
        done[0].1.message,
        "Skipped: another update was running (scheduling.on_overlap is skip)."
    );
    assert!(recorder.runs.lock().unwrap().is_empty());
}

#[tokio::test]
async fn an_overlapping_run_waits_for_the_other_update_and_says_it_waited() {
    let dir = tempfile::tempdir().unwrap();
    let (service, due) = daily(dir.path(), "").await;
    let recorder = Arc::new(Recorder {
        busy: AtomicUsize::new(4),
        ..Recorder::default()
    });
    let done = scheduler(&service, &recorder).tick(due).await.unwrap();
    assert_eq!(done[0].1.outcome, RunOutcome::Started);
    assert!(
        done[0].1.message.contains("waited")
            && done[0].1.message.contains("for another update to finish"),
        "{}",
        done[0].1.message
    );
    assert_eq!(recorder.runs.lock().unwrap().len(), 1);
    assert_eq!(recorder.busy.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn the_service_runs_a_due_schedule_as_an_ordinary_update_session() {
    let dir = tempfile::tempdir().unwrap();
    let (service, due) = daily(
        dir.path(),
        "[providers.pip]\nenabled = false\n[providers.npm]\nenabled = false\n\
         [providers.apt]\nenabled = false\n[providers.release]\nenabled = false\n\
         [providers.config]\nenabled = false\n",
    )
    .await;
    assert!(!service.update_running());
    let done = Scheduler::new(service.clone(), service.clone())
        .tick(due)
        .await
        .unwrap();
    assert_eq!(
        done[0].1.outcome,
        RunOutcome::Started,
        "{}",
        done[0].1.message
    );
    let id = done[0].1.session_id.clone().unwrap();
    let sessions = service.sessions(&Caller::Shell).unwrap();
    let session = sessions.iter().find(|s| s.id == id).unwrap();
    assert_eq!(session.initiated_by, "schedule:s1");
    assert!(session.status.is_finished(), "{:?}", session.status);
}

#[tokio::test]
async fn a_weekly_schedule_runs_on_every_listed_weekday() {
    let dir = tempfile::tempdir().unwrap();
    let service = service(dir.path(), "").await;
    let added = service
        .schedule_add(
            &Caller::Shell,
            request(
                ScheduleType::Weekly,
                Some("04:15"),
                Some("monday, thursday,sun"),
                "packages",
            ),
        )
        .unwrap();
    assert_eq!(added.schedule.update_days, ["mon", "thu", "sun"]);
    assert_eq!(added.schedule.cron, "0 15 4 * * Mon,Thu,Sun");
}

#[tokio::test]
async fn with_scheduling_off_a_due_schedule_does_not_run() {
    let dir = tempfile::tempdir().unwrap();
    let (service, due) = daily(dir.path(), "[scheduling]\nenabled = false\n").await;
    let recorder = Arc::new(Recorder::default());
    let scheduler = scheduler(&service, &recorder);
    let done = scheduler.tick(due + Duration::seconds(3)).await.unwrap();
    assert!(done.is_empty(), "{done:?}");
    assert!(recorder.runs.lock().unwrap().is_empty());
    assert_eq!(service.schedules_next_due().unwrap(), None);
}
