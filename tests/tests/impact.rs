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

/// Kills the bot the restart command started when the test ends.
struct Detached(PathBuf);

impl Drop for Detached {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(&self.0) {
            let _ = std::process::Command::new("kill").arg(pid.trim()).status();
        }
    }
}

#[test]
fn a_bot_run_by_a_restart_command_is_watched_through_its_pid_file() {
    let s = setup_with(&watched(false), "");
    let bot = s.install.bot();
    let pid_file = bot.join("run/bot.pid");
    std::fs::create_dir_all(pid_file.parent().unwrap()).unwrap();
    // A service manager in miniature: stops the old process, starts the
    // current release detached, and writes its pid where it always does.
    let script = bot.join("restart.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\n\
             [ -f {pid} ] && kill \"$(cat {pid})\" 2>/dev/null && sleep 1\n\
             cd {bot}\n\
             setsid python3 {bot}/releases/current/bot.py --home {bot} </dev/null >>{bot}/run/out.log 2>&1 &\n\
             echo $! > {pid}\n",
            pid = pid_file.display(),
            bot = bot.display()
        ),
    )
    .unwrap();
    let config = std::fs::read_to_string(s.install.config_path()).unwrap();
    let start = config
        .lines()
        .find(|l| l.starts_with("start = ["))
        .unwrap()
        .to_string();
    let config = config.replace(
        &start,
        &format!(
            "restart_command = [\"/bin/sh\", \"{}\"]\npid_file = \"run/bot.pid\"",
            script.display()
        ),
    );
    std::fs::write(s.install.config_path(), config).unwrap();
    let started = s.install.run(&["bot", "start"]);
    assert_eq!(
        started.code,
        Some(0),
        "{}\n{}",
        started.stdout,
        started.stderr
    );
    let _bot = Detached(pid_file.clone());
    s.publish_150(&heavier(&s));

    let (run, json) = s.install_json(&[]);
    let _bot = Detached(pid_file.clone());
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    let impact = &json["impact"];
    assert_eq!(impact["regressions"][0]["metric"], "memory", "{json:#}");
    assert!(
        impact["before"]["rss_bytes"].as_u64().unwrap() > 0
            && impact["after"]["rss_bytes"].as_u64().unwrap() > 300 * 1024 * 1024,
        "{impact:#}"
    );
}

/// The health answer of `bot_py` as JSON carrying a cumulative error
/// counter: `errors_per_second` more errors every second since the start.
fn counting_errors(bot_py: &[u8], errors_per_second: u32) -> Vec<u8> {
    let bot = String::from_utf8(bot_py.to_vec()).unwrap();
    let answer = "self._answer(200, f\"ok {bot.version}\")";
    assert!(bot.contains(answer), "the demo bot's health answer changed");
    bot.replacen(
        "from __future__ import annotations\n",
        "from __future__ import annotations\nimport time as _time\n_STARTED = _time.monotonic()\n",
        1,
    )
    .replacen(
        answer,
        &format!(
            "self._answer(200, json.dumps({{\"status\": \"ok\", \"errors\": int((_time.monotonic() - _STARTED) * {errors_per_second})}}))"
        ),
        1,
    )
    .into_bytes()
}

/// `watched(false)` with the bot serving /health on a free port, and
/// Steward probing it.
fn with_health_url() -> Setup {
    let s = setup_with(&watched(false), "");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let bot_config = s.install.bot().join("config/config.toml");
    let text = std::fs::read_to_string(&bot_config).unwrap();
    std::fs::write(
        &bot_config,
        text.replacen("[bot]\n", &format!("[bot]\nhealth_port = {port}\n"), 1),
    )
    .unwrap();
    let config = std::fs::read_to_string(s.install.config_path()).unwrap();
    assert!(config.contains("health.ready_timeout_secs = 60\n"));
    std::fs::write(
        s.install.config_path(),
        config.replacen(
            "health.ready_timeout_secs = 60\n",
            &format!(
                "health.ready_timeout_secs = 60\nhealth.health_url = \"http://127.0.0.1:{port}/health\"\n"
            ),
            1,
        ),
    )
    .unwrap();
    s
}

#[test]
fn a_release_whose_health_url_counts_errors_fast_is_flagged_for_its_error_rate() {
    let s = with_health_url();
    // 1.4.0 counts no errors; 1.5.0 ten a second.
    let old = s.install.bot().join("releases/1.4.0/bot.py");
    std::fs::write(&old, counting_errors(&std::fs::read(&old).unwrap(), 0)).unwrap();
    let _bot = s.start_bot();
    s.publish_150(&counting_errors(&s.demo_bot_py(), 10));

    let (run, json) = s.install_json(&[]);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    assert_eq!(json["session"]["status"], "completed", "{json:#}");
    let impact = &json["impact"];
    assert_eq!(impact["before"]["errors"]["errors"], 0, "{impact:#}");
    assert!(
        impact["after"]["errors"]["rate"].as_f64().unwrap() > 100.0,
        "{impact:#}"
    );
    assert_eq!(
        impact["regressions"][0]["metric"], "error_rate",
        "{impact:#}"
    );
    assert_eq!(impact["severe"], true, "{impact:#}");
    let warnings = json["warnings"].to_string();
    assert!(
        warnings
            .contains("the impact watch found a regression after the update: error rate 0.0 → "),
        "{warnings}"
    );
    let log = s
        .install
        .run(&["logs", json["session"]["id"].as_str().unwrap()])
        .stdout;
    assert!(
        log.contains("restart(s), errors: 0.0 errors a minute (0 in all)"),
        "{log}"
    );
    assert!(
        log.contains("impact watch: severe regression: error rate 0.0 → "),
        "{log}"
    );
    let status = s.install.run(&["status"]).stdout;
    assert!(
        status.contains("Impact:   errors 0.0 errors a minute (0 in all) → "),
        "{status}"
    );
    assert!(
        status.contains("Impact:   severe regression: error rate 0.0 → "),
        "{status}"
    );
    assert_eq!(s.current(), PathBuf::from("1.5.0"));
}

#[test]
fn a_health_url_answering_plain_text_leaves_the_error_rate_not_exposed() {
    let s = with_health_url();
    let _bot = s.start_bot();
    s.publish_150(&s.demo_bot_py());

    let (run, json) = s.install_json(&[]);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    assert_eq!(json["session"]["status"], "completed", "{json:#}");
    let impact = &json["impact"];
    assert!(impact["before"]["errors"].is_null(), "{impact:#}");
    assert!(impact["after"]["errors"].is_null(), "{impact:#}");
    assert!(
        !impact["regressions"].to_string().contains("error_rate"),
        "{impact:#}"
    );
    let log = s
        .install
        .run(&["logs", json["session"]["id"].as_str().unwrap()])
        .stdout;
    assert!(log.contains("errors: not exposed"), "{log}");
    let status = s.install.run(&["status"]).stdout;
    assert!(
        status.contains("Impact:   errors not exposed → not exposed"),
        "{status}"
    );
}
