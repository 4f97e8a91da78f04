//! The test gate (`[safety] test_command`) through the real `steward`
//! binary: the release is unpacked, the bot's own tests run in the staged
//! release directory while the old release stays live, and a failing or
//! hanging test stops the install before the `current` link switches, with
//! the test's output in the session's log.

use std::path::PathBuf;

use steward_tests::release_bot::{Setup, setup_with};

/// A release whose `tests.sh` exits with `code` after saying so.
fn publish_with_tests(s: &Setup, tests_sh: &str) {
    let template = std::fs::read(s.install.bot().join("config.template.toml")).unwrap();
    s.publish(
        "1.5.0",
        &[
            ("bot.py", &s.demo_bot_py()),
            ("VERSION", b"1.5.0\n"),
            ("config.template.toml", &template),
            ("tests.sh", tests_sh.as_bytes()),
        ],
    );
}

fn gated(timeout_secs: u64) -> String {
    format!(
        "[safety]\ntest_command = [\"/bin/sh\", \"{{staged}}/tests.sh\", \"{{bot}}\"]\ntest_timeout_secs = {timeout_secs}\n"
    )
}

fn session_log(s: &Setup, id: &str) -> String {
    let run = s.install.run(&["logs", id]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    run.stdout
}

#[test]
fn a_release_whose_tests_fail_is_never_switched_to_and_the_output_is_in_the_session_log() {
    let s = setup_with(&gated(60), "");
    let _bot = s.start_bot();
    // The test sees the staged release as its working directory, while
    // `current` still points at the old one.
    publish_with_tests(
        &s,
        "echo \"testing $(cat VERSION) in $PWD while current is $(readlink \"$1/releases/current\")\"\n\
         echo 'FAILED test_commands::test_ban - AssertionError' >&2\nexit 1\n",
    );

    let (run, json) = s.install_json(&[]);
    assert_eq!(run.code, Some(5), "{}\n{}", run.stdout, run.stderr);
    let session = &json["session"];
    assert_eq!(session["status"], "rolled_back", "{json:#}");
    let error = session["error"].as_str().unwrap();
    assert!(
        error.contains("the test gate stopped the update before it went live")
            && error.contains("exit status: 1"),
        "{error}"
    );
    assert_eq!(s.current(), PathBuf::from("1.4.0"));
    assert!(
        !s.install.bot().join("releases/1.5.0").exists(),
        "the staged release stayed on disk"
    );
    assert_eq!(s.last_ready_version().as_deref(), Some("1.4.0"));

    let log = session_log(&s, session["id"].as_str().unwrap());
    let staged = s
        .install
        .bot()
        .canonicalize()
        .unwrap()
        .join("releases/1.5.0");
    assert!(
        log.contains(&format!(
            "testing 1.5.0 in {} while current is 1.4.0",
            staged.display()
        )),
        "{log}"
    );
    assert!(
        log.contains("FAILED test_commands::test_ban - AssertionError"),
        "{log}"
    );
    // The switch step never ran.
    assert!(!log.contains("now points to 1.5.0"), "{log}");
}

#[test]
fn a_release_whose_tests_pass_goes_live_and_the_dry_run_names_the_gate() {
    let s = setup_with(&gated(60), "");
    let _bot = s.start_bot();
    publish_with_tests(&s, "echo \"all 12 tests passed for $(cat VERSION)\"\n");

    let dry = s.install.run(&["install", "--type", "bot", "--dry-run"]);
    assert!(
        dry.stdout.contains(
            "the test gate runs `/bin/sh {staged}/tests.sh {bot}` against the staged update (at most 60 s)"
        ),
        "{}",
        dry.stdout
    );

    let (run, json) = s.install_json(&[]);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    assert_eq!(json["session"]["status"], "completed", "{json:#}");
    assert_eq!(s.current(), PathBuf::from("1.5.0"));
    let log = session_log(&s, json["session"]["id"].as_str().unwrap());
    assert!(log.contains("all 12 tests passed for 1.5.0"), "{log}");
}

#[test]
fn tests_that_run_past_the_time_limit_are_stopped_and_stop_the_install() {
    let s = setup_with(&gated(2), "");
    let _bot = s.start_bot();
    publish_with_tests(&s, "echo waiting for the gateway\nsleep 120\n");

    let (run, json) = s.install_json(&[]);
    assert_eq!(run.code, Some(5), "{}\n{}", run.stdout, run.stderr);
    let error = json["session"]["error"].as_str().unwrap();
    assert!(
        error.contains("did not finish within safety.test_timeout_secs = 2"),
        "{error}"
    );
    assert_eq!(s.current(), PathBuf::from("1.4.0"));
    let log = session_log(&s, json["session"]["id"].as_str().unwrap());
    assert!(log.contains("waiting for the gateway"), "{log}");
}
