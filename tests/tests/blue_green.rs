//! The blue-green switch through the real `steward` binary: a bot that
//! declares `[bot] handoff = "ready-file"` (the demo bot creates the file
//! `STEWARD_READY_FILE` names once it is ready) is updated by starting its
//! new version beside the old one, and the old one drains only after the
//! new one said it is ready.

use steward_tests::release_bot::{HANGING_BOT, Setup, process_exists, setup, wait_for};

/// Declares the handoff, with `ready_timeout_secs` for the new version.
fn with_handoff(s: &Setup, ready_timeout_secs: u64) {
    let path = s.install.config_path();
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text
        .replace(
            "stop_timeout_secs = 5",
            "stop_timeout_secs = 5\nhandoff = \"ready-file\"",
        )
        .replace(
            "health.ready_timeout_secs = 60",
            &format!("health.ready_timeout_secs = {ready_timeout_secs}"),
        );
    assert!(text.contains("handoff = \"ready-file\""), "{text}");
    std::fs::write(&path, text).unwrap();
}

/// The supervised bot's pid, from Steward's pid file.
fn bot_pid(s: &Setup) -> String {
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(s.install.data().join("bot/pid")).unwrap()).unwrap();
    record["pid"].to_string()
}

#[test]
fn a_bot_that_hands_off_is_switched_with_no_downtime_and_the_old_process_drains() {
    let s = setup("");
    with_handoff(&s, 60);
    s.publish_150(&s.demo_bot_py());
    let _bot = s.start_bot();
    let old = bot_pid(&s);

    let (run, json) = s.install_json(&[]);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    assert_eq!(json["session"]["status"], "completed", "{json:#}");
    let switch = &json["delivery"]["switch"];
    assert_eq!(switch["handoff"], true, "{json:#}");
    assert_eq!(switch["downtime_ms"], 0, "{json:#}");
    assert_eq!(switch["drained"], true, "{json:#}");
    // The old process got SIGTERM and exited on it; the new one runs 1.5.0.
    assert!(!process_exists(&old), "the old bot {old} still runs");
    assert!(
        s.output().contains("received SIGTERM, stopping"),
        "{}",
        s.output()
    );
    let new = bot_pid(&s);
    assert_ne!(new, old);
    assert!(process_exists(&new));
    assert_eq!(s.last_ready_version().as_deref(), Some("1.5.0"));

    let status = s.install.run(&["status"]);
    assert!(
        status
            .stdout
            .contains("switched by a blue-green handoff: downtime 0 ms (the old process drained)"),
        "{}",
        status.stdout
    );
}

#[test]
fn a_new_version_that_never_says_ready_is_stopped_and_the_old_one_keeps_running() {
    let s = setup("");
    with_handoff(&s, 3);
    s.publish_150(HANGING_BOT);
    let _bot = s.start_bot();
    let old = bot_pid(&s);

    let (run, json) = s.install_json(&[]);
    assert_eq!(run.code, Some(5), "{}\n{}", run.stdout, run.stderr);
    assert_eq!(json["session"]["status"], "rolled_back", "{json:#}");
    let error = json["session"]["error"].as_str().unwrap();
    assert!(
        error.contains("did not create its ready file within 3 s")
            && error.contains("the old version keeps running"),
        "{error}"
    );
    // The very same old process serves on; the new one is gone.
    assert!(process_exists(&old), "the old bot {old} was stopped");
    assert_eq!(bot_pid(&s), old);
    let started = s.install.bot().join("started-1.5.0");
    wait_for("the new version to have started", || started.exists());
    let new = std::fs::read_to_string(&started).unwrap();
    wait_for("the new version to be stopped", || !process_exists(&new));
    assert!(s.current().ends_with("1.4.0"), "{:?}", s.current());
    assert!(!s.output().contains("received SIGTERM"), "{}", s.output());
}
