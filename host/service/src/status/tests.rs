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

fn count(pixels: &[u8], color: [u8; 3]) -> usize {
    pixels.chunks_exact(3).filter(|p| *p == color).count()
}

#[test]
fn the_chart_is_a_png_of_the_documented_size_with_bars_in_their_colors() {
    let sessions = sample();
    let recent = in_range(&sessions, now() - StatusRange::Week.duration());
    let backups = vec![backup("a", 48, 100, None), backup("b", 24, 300, None)];
    let bytes = chart::render(&recent, &backups, StatusRange::Week, now()).unwrap();
    let (w, h, pixels) = decode(&bytes);
    assert_eq!((w, h), (chart::WIDTH, chart::HEIGHT));
    assert_eq!(pixels.len(), (800 * 400 * 3) as usize);
    assert!(count(&pixels, chart::SUCCESS) > 0);
    assert!(count(&pixels, chart::FAILURE) > 0);
    assert!(count(&pixels, chart::BACKUP) > 0);
}

#[test]
fn a_chart_without_failures_has_no_red_and_without_backups_no_blue() {
    let sessions = vec![install(
        2,
        UpdateType::Packages,
        SessionStatus::Completed,
        3,
    )];
    let recent = in_range(&sessions, now() - StatusRange::Day.duration());
    let bytes = chart::render(&recent, &[], StatusRange::Day, now()).unwrap();
    let (_, _, pixels) = decode(&bytes);
    assert!(count(&pixels, chart::SUCCESS) > 0);
    assert_eq!(count(&pixels, chart::FAILURE), 0);
    assert_eq!(count(&pixels, chart::BACKUP), 0);
}

#[test]
fn buckets_put_each_finished_install_in_its_hour_or_day() {
    let sessions = sample();
    let recent = in_range(&sessions, now() - StatusRange::Week.duration());
    let days = chart::buckets(&recent, StatusRange::Week, now());
    assert_eq!(days.len(), 7);
    // The newest day holds the 1h success and the 5h failure.
    assert_eq!(days[6], (1, 1));
    assert_eq!(days[5], (1, 0));
    assert_eq!(days[4], (1, 0));
    assert_eq!(days.iter().map(|(s, f)| s + f).sum::<usize>(), 4);
}
