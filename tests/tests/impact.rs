//! The impact watch through the real `steward` binary: the supervised bot
//! is sampled before the update and after its restart; a release that
//! holds 300 MiB more is flagged in the install's answer, the session log
//! and `steward status`, and rolled back when asked to
//! (`impact_rollback_on_severe`).

use std::path::PathBuf;

use steward_tests::release_bot::{Setup, setup_with};

/// The demo bot, holding 300 MiB more from its start.
fn heavier(s: &Setup) -> Vec<u8> {
    let bot = String::from_utf8(s.demo_bot_py()).unwrap();
    bot.replacen(
        "from __future__ import annotations\n",
        "from __future__ import annotations\n_BALLAST = b\"x\" * (300 * 1024 * 1024)\n",
        1,
    )
    .into_bytes()
}

fn watched(rollback: bool) -> String {
    format!("[safety]\nimpact_window_secs = 2\nimpact_rollback_on_severe = {rollback}\n")
}

#[test]
fn a_release_that_uses_far_more_memory_is_flagged_in_the_answer_the_log_and_the_status() {
    let s = setup_with(&watched(false), "");
    let _bot = s.start_bot();
    s.publish_150(&heavier(&s));

    let (run, json) = s.install_json(&[]);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    assert_eq!(json["session"]["status"], "completed", "{json:#}");
    let impact = &json["impact"];
    assert_eq!(impact["regressions"][0]["metric"], "memory", "{impact:#}");
    assert_eq!(impact["severe"], true, "{impact:#}");
    assert!(
        impact["after"]["rss_bytes"].as_u64().unwrap() > 300 * 1024 * 1024,
        "{impact:#}"
    );
    let warnings = json["warnings"].to_string();
    assert!(
        warnings.contains("the impact watch found a regression after the update: memory"),
        "{warnings}"
    );
    let log = s
        .install
        .run(&["logs", json["session"]["id"].as_str().unwrap()])
        .stdout;
    assert!(
        log.contains("impact watch: severe regression: memory"),
        "{log}"
    );

    let status = s.install.run(&["status"]).stdout;
    assert!(
        status.contains("Impact:   severe regression: memory"),
        "{status}"
    );
    // Kept, not rolled back: the watch only flags unless told otherwise.
    assert_eq!(s.current(), PathBuf::from("1.5.0"));
}

#[test]
fn with_rollback_on_severe_a_release_that_uses_far_more_memory_is_rolled_back() {
    let s = setup_with(&watched(true), "");
    let _bot = s.start_bot();
    s.publish_150(&heavier(&s));

    let (run, json) = s.install_json(&[]);
    assert_eq!(run.code, Some(5), "{}\n{}", run.stdout, run.stderr);
    assert_eq!(json["session"]["status"], "rolled_back", "{json:#}");
    let error = json["session"]["error"].as_str().unwrap();
    assert!(
        error.contains("the impact watch found a severe regression: memory"),
        "{error}"
    );
    assert_eq!(s.current(), PathBuf::from("1.4.0"));
    assert_eq!(s.last_ready_version().as_deref(), Some("1.4.0"));
}
