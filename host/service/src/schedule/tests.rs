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
use crate::{Caller, ScheduleRequest, ScheduleView, Service, ServiceError};

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
        name: None,
        max_backups_to_keep: None,
    }
}

/// Records each run; reports another update running for `busy` more asks.
#[derive(Default)]
struct Recorder {
    runs: Mutex<Vec<ScheduledRun>>,
    busy: AtomicUsize,
}

impl ScheduledRunner for Recorder {
    fn run<'a>(&'a self, run: &'a ScheduledRun) -> BoxFuture<'a, Result<Ran, ServiceError>> {
        Box::pin(async move {
            let mut runs = self.runs.lock().unwrap();
            runs.push(run.clone());
            Ok(Ran::Update {
                sessions: format!("u-test-{}", runs.len()),
                warnings: Vec::new(),
            })
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

#[tokio::test]
async fn scheduled_runs_restart_the_bot_unless_auto_restart_is_off() {
    for (extra, restart) in [("", true), ("[general]\nauto_restart = false\n", false)] {
        let dir = tempfile::tempdir().unwrap();
        let (service, due) = daily(dir.path(), extra).await;
        let recorder = Arc::new(Recorder::default());
        scheduler(&service, &recorder).tick(due).await.unwrap();
        let runs = recorder.runs.lock().unwrap().clone();
        assert_eq!(runs[0].restart, restart, "with {extra:?}");
    }
}

#[tokio::test]
async fn a_scheduled_update_says_what_its_install_left_to_the_operator() {
    let dir = tempfile::tempdir().unwrap();
    let (service, due) = daily(dir.path(), "").await;
    /// An install that ran but left the restart to the operator.
    struct Warns;
    impl ScheduledRunner for Warns {
        fn run<'a>(&'a self, _: &'a ScheduledRun) -> BoxFuture<'a, Result<Ran, ServiceError>> {
            Box::pin(async {
                Ok(Ran::Update {
                    sessions: "u-1".to_string(),
                    warnings: vec!["the bot was not restarted (asked not to)".to_string()],
                })
            })
        }
        fn update_running(&self) -> bool {
            false
        }
    }
    let done = Scheduler::new(service.clone(), Arc::new(Warns))
        .tick(due)
        .await
        .unwrap();
    assert_eq!(
        done[0].1.message,
        "Ran as update session u-1; the bot was not restarted (asked not to)."
    );
}

#[tokio::test]
async fn names_backup_schedules_and_their_limits_are_checked_with_what_to_write() {
    let dir = tempfile::tempdir().unwrap();
    let service = service(dir.path(), "").await;
    let add = |types: &str, name: Option<&str>, keep: Option<u32>| {
        let mut r = request(ScheduleType::Daily, None, None, types);
        r.name = name.map(String::from);
        r.max_backups_to_keep = keep;
        service.schedule_add(&Caller::Shell, r)
    };
    let message = |r: Result<ScheduleView, ServiceError>| r.unwrap_err().user_message();
    let added = add("backup", Some(" nightly "), Some(3)).unwrap();
    assert_eq!(added.schedule.name.as_deref(), Some("nightly"));
    assert_eq!(added.schedule.kind, ScheduleKind::Backup);
    assert!(added.schedule.update_types.is_empty());
    assert_eq!(added.schedule.max_backups_to_keep, Some(3));
    assert_eq!(
        message(add("packages", Some("Nightly"), None)),
        "The schedule cannot be used: the name \"Nightly\" is taken by schedule s1."
    );
    let long = "x".repeat(MAX_NAME_CHARS + 1);
    assert_eq!(
        message(add("packages", Some(&long), None)),
        format!("The schedule cannot be used: the name \"{long}\" is longer than 50 characters.")
    );
    assert_eq!(
        message(add("packages", Some("s7"), None)),
        "The schedule cannot be used: the name \"s7\" looks like a schedule id (s1, s2, …)."
    );
    assert_eq!(
        message(add("packages", None, Some(3))),
        "The schedule cannot be used: max_backups_to_keep 3 is for backup schedules \
         (update_types \"backup\"); an update schedule's pre-update backups follow backup.max_backups."
    );
    assert_eq!(
        message(add("backup", None, Some(0))),
        "The schedule cannot be used: max_backups_to_keep 0 is not from 1 to 1000."
    );
    assert_eq!(
        message(add("packages,backup", None, None)),
        "Invalid update_types `packages,backup`: \"backup\" makes a schedule that only takes \
         backups, so it stands alone (an update schedule takes its pre-update backup anyway)."
    );
    // The name works wherever the id does.
    let off = service
        .schedule_enable(&Caller::Shell, "nightly", false)
        .unwrap();
    assert_eq!(
        (off.schedule.id.as_str(), off.schedule.enabled),
        ("s1", false)
    );
}

#[tokio::test]
async fn a_schedule_stored_before_names_and_backup_schedules_still_loads() {
    /// A schedule as the first release stored it.
    #[derive(serde::Serialize, serde::Deserialize)]
    struct Before {
        id: String,
        schedule_type: ScheduleType,
        update_time: String,
        update_days: Vec<String>,
        update_types: Vec<crate::engine::UpdateType>,
        cron: String,
        enabled: bool,
        created_at: DateTime<Utc>,
        created_by: String,
        next_run: Option<DateTime<Utc>>,
    }
    let dir = tempfile::tempdir().unwrap();
    let service = service(dir.path(), "").await;
    let old = service.store().unwrap().tree::<Before>(TREE).unwrap();
    old.insert(
        "s4",
        &Before {
            id: "s4".to_string(),
            schedule_type: ScheduleType::Daily,
            update_time: "03:00".to_string(),
            update_days: Vec::new(),
            update_types: vec![crate::engine::UpdateType::Packages],
            cron: "0 0 3 * * *".to_string(),
            enabled: true,
            created_at: Utc::now(),
            created_by: "shell".to_string(),
            next_run: None,
        },
    )
    .unwrap();
    let list = service.schedule_list(&Caller::Shell).unwrap();
    let s = &list.schedules[0].schedule;
    assert_eq!(
        (s.id.as_str(), s.kind, s.name.clone(), s.max_backups_to_keep),
        ("s4", ScheduleKind::Update, None, None)
    );
}

#[tokio::test]
async fn a_backup_schedule_backs_up_and_keeps_only_its_own_newest_backups() {
    let dir = tempfile::tempdir().unwrap();
    let service = service(dir.path(), "[safety]\nmin_disk_space_mb = 0\n").await;
    std::fs::write(dir.path().join("bot/bot.py"), "print('hello')\n").unwrap();
    // Made by hand: the schedule must never remove it.
    service
        .backup_create(
            &Caller::Shell,
            crate::BackupRequest {
                backup_type: crate::backup::BackupType::Full,
                compress: true,
                name: Some("by-hand".to_string()),
                include_logs: false,
                description: None,
            },
            None,
        )
        .await
        .unwrap();
    let mut r = request(ScheduleType::Daily, Some("02:30"), None, "backup");
    r.name = Some("nightly".to_string());
    r.max_backups_to_keep = Some(2);
    service.schedule_add(&Caller::Shell, r).unwrap();
    let scheduler = Scheduler::new(service.clone(), service.clone());
    let mut messages = Vec::new();
    let mut dues = Vec::new();
    for _ in 0..3 {
        let due = next_run(&service, "s1");
        let done = scheduler.tick(due).await.unwrap();
        assert_eq!(
            done[0].1.outcome,
            RunOutcome::Started,
            "{}",
            done[0].1.message
        );
        assert_eq!(done[0].1.session_id, None);
        messages.push(done[0].1.message.clone());
        dues.push(due);
    }
    let backups = crate::backup::Backups::open(&service.config(), service.store().unwrap())
        .unwrap()
        .all()
        .unwrap();
    let mut names: Vec<String> = backups.iter().filter_map(|b| b.name.clone()).collect();
    names.sort();
    let scheduled = |due: DateTime<Utc>| format!("scheduled-nightly-{}", due.format("%Y%m%d-%H%M"));
    assert_eq!(
        names,
        [
            "by-hand".to_string(),
            scheduled(dues[1]),
            scheduled(dues[2])
        ]
    );
    let first = backups
        .iter()
        .find(|b| b.name.as_deref() == Some(&scheduled(dues[1])))
        .unwrap();
    assert_eq!(
        first.description.as_deref(),
        Some("Scheduled backup of schedule s1 (nightly)")
    );
    assert_eq!(
        first.metadata.get(BACKUP_TAG).map(String::as_str),
        Some("s1")
    );
    assert!(
        messages[1].starts_with("Made backup backup_"),
        "{}",
        messages[1]
    );
    assert!(
        messages[2].contains("; removed this schedule's older backup (backup_"),
        "{}",
        messages[2]
    );
    let list = service.schedule_list(&Caller::Shell).unwrap();
    assert_eq!(
        list.schedules[0]
            .schedule
            .last_run
            .as_ref()
            .unwrap()
            .message,
        messages[2]
    );
}
