//! `steward status` through the real binary, against a store the test fills
//! with update sessions: the numbers it prints are the ones the records
//! give, and `--chart` writes a PNG of the documented size.

use std::path::Path;
use std::process::Command;

use chrono::{Duration, Utc};
use serde_json::Value;
use steward::engine::UpdateType;
use steward::engine::session::{self, Session, SessionKind, SessionStatus};
use steward::store::Store;

fn session(ago_minutes: i64, t: UpdateType, status: SessionStatus, secs: i64) -> Session {
    let started_at = Utc::now() - Duration::minutes(ago_minutes);
    Session {
        id: session::new_id(started_at),
        kind: SessionKind::Install,
        update_type: t,
        status,
        progress: 100,
        started_at,
        completed_at: Some(started_at + Duration::seconds(secs)),
        current_version: Some("1.3.0".into()),
        target_version: Some("1.4.0".into()),
        error: None,
        reason: None,
        steps_completed: 2,
        total_steps: 2,
        rollback_available: true,
        initiated_by: "schedule:s1".into(),
        backup_id: None,
        updates: Vec::new(),
        parts: Vec::new(),
    }
}

fn steward(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_steward"))
        .arg("--config")
        .arg(dir.join("steward.toml"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn install() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("bot")).unwrap();
    std::fs::write(dir.path().join("bot/VERSION"), "1.4.0\n").unwrap();
    std::fs::write(
        dir.path().join("steward.toml"),
        "[bot]\nname = \"testbot\"\nroot = \"bot\"\n",
    )
    .unwrap();
    let store = Store::open(&dir.path().join("data/steward.sled")).unwrap();
    let tree = session::tree(&store).unwrap();
    for s in [
        session(10, UpdateType::Packages, SessionStatus::Completed, 12),
        session(60, UpdateType::Packages, SessionStatus::Failed, 4),
        session(120, UpdateType::Bot, SessionStatus::Completed, 20),
        // Three days ago: in 7d, not in 1d.
        session(
            3 * 24 * 60,
            UpdateType::Config,
            SessionStatus::RolledBack,
            40,
        ),
    ] {
        tree.insert(&s.id, &s).unwrap();
    }
    store.flush().unwrap();
    dir
}

#[test]
fn status_reports_the_stored_sessions_and_the_bots_version() {
    let dir = install();
    let (code, out, err) = steward(dir.path(), &["status", "--json", "--history"]);
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["bot_name"], "testbot");
    assert_eq!(report["versions"]["bot"]["value"], "1.4.0");
    assert_eq!(report["versions"]["steward"], env!("CARGO_PKG_VERSION"));
    let updates = &report["metrics"]["updates"];
    assert_eq!(updates["count"], 4);
    assert_eq!(updates["succeeded"], 2);
    assert_eq!(updates["failed"], 2);
    assert_eq!(updates["success_rate"], 50.0);
    assert_eq!(updates["mean_duration_secs"], 19.0);
    assert_eq!(updates["per_type"]["packages"]["count"], 2);
    assert_eq!(report["history"].as_array().unwrap().len(), 4);
    assert_eq!(report["last_update"]["update_type"], "packages");
    assert!(
        report["metrics"]["disks"][0]["total_bytes"]
            .as_u64()
            .unwrap()
            > 0
    );
    assert!(
        report["metrics"]["memory"]["steward_rss_bytes"]
            .as_u64()
            .unwrap()
            > 0
    );

    let (_, day, _) = steward(dir.path(), &["status", "--json", "--range", "1d"]);
    let day: Value = serde_json::from_str(&day).unwrap();
    assert_eq!(day["metrics"]["updates"]["count"], 3);
    assert!(day["history"].is_null(), "history only with --history");
}

#[test]
fn status_in_a_terminal_says_the_numbers_in_words() {
    let dir = install();
    let (code, out, err) = steward(dir.path(), &["status", "--history"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Bot:      testbot 1.4.0"), "{out}");
    assert!(out.contains("4 finished, 2 succeeded, 2 failed"), "{out}");
    assert!(
        out.contains("success rate 50.0%, mean duration 19.0 s"),
        "{out}"
    );
    assert!(out.contains("schedule:s1"), "{out}");
    let (_, quiet, _) = steward(dir.path(), &["status", "--no-metrics"]);
    assert!(
        !quiet.contains("success rate") && !quiet.contains("Disk:"),
        "{quiet}"
    );
}

#[test]
fn status_chart_is_a_png_of_800_by_400() {
    let dir = install();
    let chart = dir.path().join("chart.png");
    let (code, out, err) = steward(dir.path(), &["status", "--chart", chart.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Chart written to"), "{out}");
    let bytes = std::fs::read(&chart).unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let reader = decoder.read_info().unwrap();
    assert_eq!((reader.info().width, reader.info().height), (800, 400));
}
