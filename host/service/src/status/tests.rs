use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Duration, Utc};

use super::*;
use crate::backup::{BackupType, Verification};
use crate::engine::UpdateType;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-20T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn session(
    ago_hours: i64,
    update_type: UpdateType,
    status: SessionStatus,
    secs: i64,
    kind: SessionKind,
) -> Session {
    let started_at = now() - Duration::hours(ago_hours);
    Session {
        id: crate::engine::session::new_id(started_at),
        kind,
        update_type,
        status,
        progress: 100,
        started_at,
        completed_at: status
            .is_finished()
            .then(|| started_at + Duration::seconds(secs)),
        current_version: None,
        target_version: None,
        error: None,
        reason: None,
        steps_completed: 0,
        total_steps: 0,
        rollback_available: false,
        initiated_by: "cli".to_string(),
        backup_id: None,
        updates: Vec::new(),
        parts: Vec::new(),
    }
}

fn install(ago_hours: i64, t: UpdateType, status: SessionStatus, secs: i64) -> Session {
    session(ago_hours, t, status, secs, SessionKind::Install)
}

fn backup(id: &str, ago_hours: i64, size: u64, verified: Option<(i64, bool)>) -> BackupRecord {
    let created_at = now() - Duration::hours(ago_hours);
    BackupRecord {
        id: id.to_string(),
        name: None,
        backup_type: BackupType::Full,
        status: BackupStatus::Completed,
        file_path: PathBuf::from(format!("/b/{id}.tar.gz")),
        paths: Vec::new(),
        size_bytes: size * 2,
        compressed_size: size,
        file_count: 3,
        created_at,
        completed_at: Some(created_at),
        description: None,
        checksum: None,
        auto_created: false,
        compressed: true,
        verification: verified.map(|(ago, ok)| Verification {
            at: now() - Duration::hours(ago),
            ok,
            drill: false,
            problems: Vec::new(),
            findings: Vec::new(),
        }),
        error: None,
        metadata: BTreeMap::new(),
    }
}

fn sample() -> Vec<Session> {
    vec![
        install(1, UpdateType::Packages, SessionStatus::Completed, 10),
        install(5, UpdateType::Packages, SessionStatus::RolledBack, 30),
        install(30, UpdateType::Bot, SessionStatus::Completed, 20),
        install(50, UpdateType::Config, SessionStatus::NothingToDo, 2),
        install(0, UpdateType::Bot, SessionStatus::Running, 0),
        session(
            3,
            UpdateType::All,
            SessionStatus::Completed,
            5,
            SessionKind::Rollback,
        ),
        // Outside a 7-day range.
        install(24 * 9, UpdateType::Packages, SessionStatus::Failed, 100),
    ]
}

#[test]
fn update_statistics_count_success_rate_mean_duration_and_types() {
    let sessions = sample();
    let recent = in_range(&sessions, now() - StatusRange::Week.duration());
    let stats = update_stats(&recent);
    assert_eq!(
        (
            stats.count,
            stats.succeeded,
            stats.failed,
            stats.running,
            stats.rollbacks
        ),
        (4, 3, 1, 1, 1)
    );
    assert_eq!(stats.success_rate, Some(75.0));
    assert_eq!(stats.mean_duration_secs, Some(15.5));
    assert_eq!(stats.per_type["packages"].count, 2);
    assert_eq!(stats.per_type["packages"].succeeded, 1);
    assert_eq!(stats.per_type["packages"].mean_duration_secs, Some(20.0));
    assert_eq!(stats.per_type["bot"].count, 1);
    assert_eq!(stats.per_type["config"].succeeded, 1);
}

#[test]
fn stopped_and_cancelled_installs_are_counted_apart_not_as_failures() {
    let mut sessions = sample();
    sessions.push(install(2, UpdateType::Bot, SessionStatus::Stopped, 0));
    sessions.push(install(4, UpdateType::Bot, SessionStatus::Cancelled, 40));
    let recent = in_range(&sessions, now() - StatusRange::Week.duration());
    let stats = update_stats(&recent);
    assert_eq!((stats.stopped, stats.cancelled), (1, 1));
    // The same as without them: they changed nothing.
    assert_eq!((stats.count, stats.failed), (4, 1));
    assert_eq!(stats.success_rate, Some(75.0));
    assert_eq!(stats.mean_duration_secs, Some(15.5));
    assert_eq!(stats.per_type["bot"].count, 1);
    let line = SessionLine::from(
        recent
            .iter()
            .find(|s| s.status == SessionStatus::Cancelled)
            .copied()
            .unwrap(),
    );
    assert_eq!(line.duration_secs, None);
    // Not the last update either.
    sessions.push(install(0, UpdateType::All, SessionStatus::Stopped, 0));
    assert_eq!(
        last_update(&sessions).unwrap().status,
        SessionStatus::Completed
    );
}

#[test]
fn a_day_range_keeps_only_the_last_24_hours_newest_first() {
    let sessions = sample();
    let recent = in_range(&sessions, now() - StatusRange::Day.duration());
    let hours: Vec<i64> = recent
        .iter()
        .map(|s| (now() - s.started_at).num_hours())
        .collect();
    assert_eq!(hours, vec![0, 1, 3, 5]);
    assert_eq!(update_stats(&recent).count, 2);
}

#[test]
fn no_sessions_give_no_rate_rather_than_a_made_up_one() {
    let stats = update_stats(&[]);
    assert_eq!(stats.count, 0);
    assert_eq!(stats.success_rate, None);
    assert_eq!(stats.mean_duration_secs, None);
}

#[test]
fn the_last_update_is_the_newest_finished_install() {
    let last = last_update(&sample()).unwrap();
    assert_eq!(last.status, SessionStatus::Completed);
    assert_eq!((now() - last.started_at).num_hours(), 1);
}

#[test]
fn backup_statistics_sum_archives_and_find_the_last_verification() {
    let mut failed = backup("f", 2, 999, None);
    failed.status = BackupStatus::Failed;
    let records = vec![
        backup("a", 48, 100, Some((47, true))),
        backup("b", 24, 300, Some((2, false))),
        backup("c", 1, 600, None),
        failed,
    ];
    let stats = backup_stats(&records);
    assert_eq!(stats.count, 3);
    assert_eq!(stats.total_size_bytes, 1000);
    assert_eq!(stats.failed, 1);
    assert_eq!(stats.last_backup_at, Some(now() - Duration::hours(1)));
    let v = stats.last_verified.unwrap();
    assert_eq!((v.id.as_str(), v.ok), ("b", false));
}

fn decode(png_bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().expect("a PNG header");
    let mut pixels = vec![0; reader.output_buffer_size().expect("a sane size")];
    let info = reader.next_frame(&mut pixels).expect("PNG image data");
    assert_eq!(info.color_type, png::ColorType::Rgb);
    pixels.truncate(info.buffer_size());
    (info.width, info.height, pixels)
}

/// Pixels of `color` in columns `x0..x1` and rows `y0..y1`.
fn count_in(pixels: &[u8], color: [u8; 3], (x0, x1): (u32, u32), (y0, y1): (u32, u32)) -> usize {
    (y0..y1)
        .flat_map(|y| (x0..x1).map(move |x| ((y * chart::WIDTH + x) * 3) as usize))
        .filter(|&i| pixels[i..i + 3] == color)
        .count()
}

fn count(pixels: &[u8], color: [u8; 3]) -> usize {
    count_in(pixels, color, (0, chart::WIDTH), (0, chart::HEIGHT))
}

/// The right half, where the newest bars are and the legends are not.
fn right(pixels: &[u8], color: [u8; 3]) -> usize {
    count_in(
        pixels,
        color,
        (chart::WIDTH / 2, chart::WIDTH),
        (0, chart::HEIGHT),
    )
}

fn render(sessions: &[Session], backups: &[BackupRecord], range: StatusRange) -> Vec<u8> {
    let recent = in_range(sessions, now() - range.duration());
    let bytes = chart::render(&recent, backups, range, now()).unwrap();
    let (w, h, pixels) = decode(&bytes);
    assert_eq!((w, h), (chart::WIDTH, chart::HEIGHT));
    assert_eq!(pixels.len(), (chart::WIDTH * chart::HEIGHT * 3) as usize);
    pixels
}

#[test]
fn the_chart_is_a_png_of_the_documented_size_with_bars_in_their_colors() {
    let mut sessions = sample();
    sessions.push(install(2, UpdateType::Bot, SessionStatus::Failed, 4));
    let backups = vec![backup("a", 48, 100, None), backup("b", 24, 300, None)];
    let pixels = render(&sessions, &backups, StatusRange::Week);
    assert!(right(&pixels, chart::SUCCESS) > 0);
    assert!(right(&pixels, chart::FAILURE) > 0);
    assert!(right(&pixels, chart::ROLLED_BACK) > 0);
    assert!(right(&pixels, chart::BACKUP) > 0);
}

#[test]
fn a_chart_without_failures_has_no_red_bars_and_without_backups_no_blue() {
    let sessions = vec![install(
        2,
        UpdateType::Packages,
        SessionStatus::Completed,
        3,
    )];
    let pixels = render(&sessions, &[], StatusRange::Day);
    assert!(right(&pixels, chart::SUCCESS) > 0);
    assert_eq!(right(&pixels, chart::FAILURE), 0);
    assert_eq!(right(&pixels, chart::ROLLED_BACK), 0);
    assert_eq!(right(&pixels, chart::BACKUP), 0);
}

/// Pixels of text (darker than anything else drawn) in a region.
fn text_in(pixels: &[u8], (x0, x1): (u32, u32), (y0, y1): (u32, u32)) -> usize {
    (y0..y1)
        .flat_map(|y| (x0..x1).map(move |x| ((y * chart::WIDTH + x) * 3) as usize))
        .filter(|&i| pixels[i..i + 3].iter().all(|c| *c < 100))
        .count()
}

#[test]
fn the_chart_has_a_title_labelled_axes_and_a_legend_in_the_embedded_font() {
    let pixels = render(&sample(), &[backup("a", 3, 100, None)], StatusRange::Day);
    let (w, h) = (chart::WIDTH, chart::HEIGHT);
    let title = text_in(&pixels, (0, w), (0, 30));
    let y_labels = text_in(&pixels, (0, 60), (40, h - 40));
    let dates = text_in(&pixels, (60, w), (h - 45, h));
    let legend = text_in(&pixels, (80, 200), (40, 110));
    assert!(title > 200, "{title} title pixels");
    assert!(y_labels > 100, "{y_labels} pixels of y labels");
    assert!(dates > 200, "{dates} pixels of dates under the x axis");
    assert!(legend > 100, "{legend} pixels of legend words");
    // The legend's swatches, top left of each panel, even for a result
    // the range has none of.
    let left = (0, w / 4);
    assert!(count_in(&pixels, chart::FAILURE, left, (0, h / 2)) > 0);
    assert!(count_in(&pixels, chart::BACKUP, left, (h / 2, h)) > 0);
}

#[test]
fn an_empty_range_says_so_instead_of_drawing_blank_panels() {
    let upper = (0, chart::HEIGHT / 2);
    let empty = render(&[], &[], StatusRange::Month);
    assert!(count_in(&empty, chart::NOTE, (0, chart::WIDTH), upper) > 50);
    assert!(
        count_in(
            &empty,
            chart::NOTE,
            (0, chart::WIDTH),
            (chart::HEIGHT / 2, chart::HEIGHT)
        ) > 50
    );
    assert_eq!(
        right(&empty, chart::SUCCESS) + right(&empty, chart::BACKUP),
        0
    );

    let full = render(&sample(), &[backup("a", 3, 100, None)], StatusRange::Month);
    assert_eq!(count(&full, chart::NOTE), 0);
}

#[test]
fn buckets_put_each_finished_install_in_its_day_by_result() {
    let sessions = sample();
    let recent = in_range(&sessions, now() - StatusRange::Week.duration());
    let days = chart::buckets(&recent, StatusRange::Week, now());
    assert_eq!(days.len(), 7);
    // The newest day (today, UTC) holds the 1h success and the 5h rollback.
    let today = chart::Bucket {
        succeeded: 1,
        failed: 0,
        rolled_back: 1,
    };
    assert_eq!(days[6], today);
    assert_eq!(days[5].succeeded, 1);
    assert_eq!(days[4].succeeded, 1);
    assert_eq!(days.iter().map(chart::Bucket::total).sum::<usize>(), 4);
}

#[test]
fn hour_buckets_are_whole_utc_hours_ending_with_the_current_one() {
    let at = now() + Duration::minutes(30);
    let axis = chart::Axis::new(StatusRange::Day, at);
    assert_eq!(axis.start, now() - Duration::hours(23));
    let sessions = [
        install(0, UpdateType::Bot, SessionStatus::Failed, 1),
        install(1, UpdateType::Bot, SessionStatus::Completed, 1),
    ];
    let recent: Vec<&Session> = sessions.iter().collect();
    let hours = chart::buckets(&recent, StatusRange::Day, at);
    assert_eq!(hours.len(), 24);
    assert_eq!(hours[23].failed, 1);
    assert_eq!(hours[22].succeeded, 1);
}

/// A service over a bot in `dir` with `[bot]` lines `bot`.
async fn service_for(dir: &std::path::Path, bot: &str) -> crate::Service {
    std::fs::create_dir(dir.join("bot")).unwrap();
    let file = dir.join("steward.toml");
    std::fs::write(&file, format!("[bot]\nroot = \"bot\"\n{bot}\n")).unwrap();
    crate::Service::open(crate::config::Config::load(&file, false).unwrap())
        .await
        .unwrap()
}

async fn bot_uptime(service: &crate::Service) -> Known {
    let request = crate::StatusRequest {
        history: false,
        metrics: false,
        range: StatusRange::Day,
        chart: false,
    };
    let report = service
        .status(&crate::Caller::Shell, request)
        .await
        .unwrap();
    report.uptime.bot
}

#[tokio::test]
async fn status_shows_the_supervised_bots_uptime_and_pid_while_it_runs() {
    let dir = tempfile::tempdir().unwrap();
    let service = service_for(
        dir.path(),
        "start = [\"sleep\", \"60\"]\n[bot.health]\nprobation_secs = 0",
    )
    .await;
    let started = service
        .bot(&crate::Caller::Shell, crate::BotAction::Start)
        .await
        .unwrap();
    let crate::BotState::Started(started) = started else {
        panic!("the bot did not start");
    };
    let pid = started.process.expect("a supervised process").pid;

    let uptime = bot_uptime(&service).await;
    let shown = uptime.value.expect("an uptime while the bot runs");
    assert!(shown.ends_with('s') && shown.starts_with("0m "), "{shown}");
    assert!(
        uptime.note.contains(&format!("pid {pid}")),
        "{}",
        uptime.note
    );

    service
        .bot(&crate::Caller::Shell, crate::BotAction::Stop)
        .await
        .unwrap();
    let stopped = bot_uptime(&service).await;
    assert_eq!(stopped.value, None);
    assert!(stopped.note.contains("not running"), "{}", stopped.note);
}

#[tokio::test]
async fn a_bot_steward_does_not_run_has_no_uptime_and_status_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let service = service_for(dir.path(), "restart_command = [\"true\"]").await;
    let uptime = bot_uptime(&service).await;
    assert_eq!(uptime.value, None);
    assert!(
        uptime.note.contains("bot.restart_command"),
        "{}",
        uptime.note
    );
}
