//! `[logging]` through the real `steward` binary: every install writes a
//! session log that `steward logs` lists and shows, the bot's `output.log`
//! and the service's own log file rotate at the configured size without
//! losing a line, JSON output is one object a line, and bad values are
//! refused naming their key.

use std::path::PathBuf;

use steward_tests::guests;
use steward_tests::harness::{Install, ONLY_CONFIG_PROVIDER, Run};
use steward_tests::release_bot::{Bot, process_exists, wait_for};

fn said(run: &Run) -> String {
    format!("{}\n{}", run.stdout, run.stderr)
}

#[test]
fn an_install_writes_a_session_log_that_steward_logs_shows_with_the_command_output() {
    let install = Install::new("");
    install.write_config(&format!(
        "{ONLY_CONFIG_PROVIDER}\n\
         [providers.hostile.grant]\nread = [\"{{bot}}\"]\n\
         plan_programs = [{{ path = \"/usr/bin/echo\", args = [[\"*\"]] }}]\n\
         [providers.hostile.settings]\nbehaviour = \"offer\"\nplan = \"exec\"\n\
         program = \"/usr/bin/echo\"\nargs = \"hello-from-the-step\"\n\
         wants_program = \"/usr/bin/echo\"\nwants_args = \"*\"\n"
    ));
    install.add_provider(&guests::hostile(), "hostile");
    let run = install.run(&[
        "install",
        "--type",
        "packages",
        "--yes",
        "--no-backup",
        "--force",
        "--json",
    ]);
    let id = run.json()["session"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no session in {}", said(&run)))
        .to_string();

    let listed = install.run(&["logs"]);
    assert!(
        listed
            .succeeded()
            .lines()
            .nth(1)
            .is_some_and(|l| l.starts_with(&id)),
        "the newest session comes first:\n{}",
        listed.stdout
    );
    assert!(install.data().join(format!("logs/{id}.log")).is_file());

    // The history names the command that prints each session's log, as
    // Discord's `/update_status show_history` does.
    let history = install.run(&["status", "--history"]);
    assert!(
        history
            .succeeded()
            .lines()
            .any(|l| l.trim() == format!("{id}: steward logs {id}")),
        "{}",
        history.stdout
    );

    let shown = install.run(&["logs", &id]);
    let log = shown.succeeded();
    for wanted in [
        "planned step: hostile: fix a typo",
        "step 1/1: fix a typo",
        "$ /usr/bin/echo hello-from-the-step",
        "its output:",
        "result: Completed",
    ] {
        assert!(log.contains(wanted), "missing {wanted:?} in:\n{log}");
    }
    // The command's own output, on its own line after the step.
    assert!(
        log.lines().any(|l| l.trim() == "hello-from-the-step"),
        "{log}"
    );

    let unknown = install.run(&["logs", "u-20000101T000000.000Z"]);
    assert_eq!(unknown.code, Some(2), "{}", said(&unknown));
    assert!(
        unknown.stderr.contains("no session log") && unknown.stderr.contains("`steward logs`"),
        "{}",
        unknown.stderr
    );
}

/// A bot that prints `lines` numbered lines as fast as it can, then its
/// ready line, then waits to be stopped.
fn noisy_bot(lines: usize) -> String {
    format!(
        "start = [\"/bin/sh\", \"-c\", \"i=0; while [ $i -lt {lines} ]; do echo \\\"line $i of the noisy bot\\\"; i=$((i+1)); done; echo noisy ready; exec sleep 600\"]\n\
         stop_timeout_secs = 5\n\
         [bot.health]\nprobation_secs = 0\nready_line = \"noisy ready\"\nready_timeout_secs = 30\n"
    )
}

#[test]
fn the_bots_output_log_rotates_at_the_configured_size_without_losing_a_line() {
    let install = Install::new("");
    let lines = 3000;
    install.write_config_with_bot(
        &noisy_bot(lines),
        &format!(
            "{ONLY_CONFIG_PROVIDER}\n[logging]\nlog_rotation_size = \"4KB\"\nmax_log_files = 100\n"
        ),
    );
    let _bot = Bot(&install);
    install.run(&["bot", "start"]).succeeded();
    let log = install.data().join("bot/output.log");
    wait_for("the bot's last line in output.log", || {
        std::fs::read_to_string(&log).is_ok_and(|t| t.contains("noisy ready"))
    });

    let rotated = |n: usize| PathBuf::from(format!("{}.{n}", log.display()));
    assert!(rotated(1).is_file(), "output.log was never rotated");
    let mut all = String::new();
    for n in (1..=100).rev() {
        if let Ok(part) = std::fs::read_to_string(rotated(n)) {
            assert!(
                part.len() <= 4096,
                "output.log.{n} holds {} bytes",
                part.len()
            );
            all.push_str(&part);
        }
    }
    all.push_str(&std::fs::read_to_string(&log).unwrap());
    let printed: Vec<&str> = all
        .lines()
        .filter(|l| l.ends_with("of the noisy bot"))
        .collect();
    let expected: Vec<String> = (0..lines)
        .map(|i| format!("line {i} of the noisy bot"))
        .collect();
    assert_eq!(printed, expected, "every line, once, in order");
}

#[test]
fn only_max_log_files_rotated_output_logs_are_kept() {
    let install = Install::new("");
    install.write_config_with_bot(
        &noisy_bot(3000),
        &format!(
            "{ONLY_CONFIG_PROVIDER}\n[logging]\nlog_rotation_size = 2048\nmax_log_files = 3\n"
        ),
    );
    let _bot = Bot(&install);
    install.run(&["bot", "start"]).succeeded();
    let log = install.data().join("bot/output.log");
    wait_for("the bot's last line in output.log", || {
        std::fs::read_to_string(&log).is_ok_and(|t| t.contains("noisy ready"))
    });
    let mut names: Vec<String> = std::fs::read_dir(install.data().join("bot"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("output.log"))
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["output.log", "output.log.1", "output.log.2", "output.log.3"]
    );
}

/// The pids of the output pumps writing `log` (`steward __output-pump LOG …`).
fn pumps_of(log: &std::path::Path) -> Vec<String> {
    let wanted = format!("__output-pump\0{}\0", log.display());
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let pid = e.file_name().to_string_lossy().into_owned();
            let cmdline = std::fs::read(e.path().join("cmdline")).ok()?;
            (String::from_utf8_lossy(&cmdline).contains(&wanted) && process_exists(&pid))
                .then_some(pid)
        })
        .collect()
}

/// Kills the listed processes when the test ends, however it ends.
struct KillAtEnd(std::cell::RefCell<Vec<String>>);

impl Drop for KillAtEnd {
    fn drop(&mut self) {
        for pid in self.0.borrow().iter() {
            let _ = std::process::Command::new("kill")
                .args(["-9", pid])
                .status();
        }
    }
}

#[test]
fn the_output_pump_ends_with_its_bot_after_serve_was_killed_though_a_daemon_holds_the_pipe() {
    let install = Install::new("");
    // The bot starts a daemon of its own session that inherits its output
    // (and so holds the pump's pipe open), then runs until stopped.
    install.write_config_with_bot(
        "start = [\"/bin/sh\", \"-c\", \"setsid sleep 600 </dev/null & echo $! > '{bot}/daemon.pid'; echo pumped ready; exec sleep 600\"]\n\
         stop_timeout_secs = 5\n\
         [bot.health]\nprobation_secs = 0\nready_line = \"pumped ready\"\nready_timeout_secs = 30\n",
        ONLY_CONFIG_PROVIDER,
    );
    let leftovers = KillAtEnd(Default::default());
    let serve_log = std::fs::File::create(install.root().join("serve.log")).unwrap();
    let mut serve = install
        .command(&["serve"])
        .env_remove("DISCORD_TOKEN")
        .stdin(std::process::Stdio::null())
        .stdout(serve_log.try_clone().unwrap())
        .stderr(serve_log)
        .spawn()
        .expect("starting steward serve");
    let output_log = install.data().join("bot/output.log");
    let daemon_pid = install.bot().join("daemon.pid");
    wait_for("serve to start the bot and its pump", || {
        std::fs::read_to_string(&output_log).is_ok_and(|t| t.contains("pumped ready"))
            && std::fs::read_to_string(&daemon_pid).is_ok_and(|p| !p.trim().is_empty())
            && !pumps_of(&output_log).is_empty()
    });
    let daemon = std::fs::read_to_string(&daemon_pid)
        .unwrap()
        .trim()
        .to_string();
    let pumps = pumps_of(&output_log);
    leftovers.0.borrow_mut().push(daemon.clone());
    leftovers.0.borrow_mut().extend(pumps.iter().cloned());

    // The service dies; the bot, and so its pump, run on.
    serve.kill().unwrap();
    serve.wait().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert_eq!(pumps_of(&output_log), pumps, "the pump ended with serve");

    // The bot is stopped: its pump ends within seconds, though the daemon
    // still holds the pipe.
    install.run(&["bot", "stop"]).succeeded();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !pumps_of(&output_log).is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(
        process_exists(&daemon),
        "the daemon is gone, so the test shows nothing"
    );
    assert_eq!(
        pumps_of(&output_log),
        Vec::<String>::new(),
        "the output pump still runs 5 s after its bot was stopped"
    );
}

#[test]
fn invalid_logging_values_are_refused_naming_the_key() {
    let install = Install::new("");
    for (line, key) in [
        ("level = \"loud\"", "logging.level"),
        (
            "log_rotation_size = \"ten megs\"",
            "logging.log_rotation_size",
        ),
        ("log_rotation_size = -1", "logging.log_rotation_size"),
        ("max_log_files = 0", "logging.max_log_files"),
    ] {
        install.write_config(&format!("[logging]\n{line}\n"));
        let run = install.run(&["logs"]);
        assert_eq!(run.code, Some(2), "{line}: {}", said(&run));
        assert!(run.stderr.contains(key), "{line}: {}", run.stderr);
    }
    install.write_config(
        "[logging]\nlevel = \"debug\"\nlog_rotation_size = \"1MB\"\nmax_log_files = 2\nupdate_logs_path = \"session-logs\"\n",
    );
    let run = install.run(&["logs"]);
    assert!(run.succeeded().contains("session-logs"), "{}", run.stdout);
}

/// `steward serve` with `[logging] file` and `format = "json"`: its own log
/// goes to the file as one JSON object a line (and to stderr the same way),
/// and the file becomes `steward.log.1`, `.2` at `log_rotation_size`,
/// keeping `max_log_files`, with no line split between two files.
#[test]
fn the_service_s_own_log_file_is_json_and_rotates_at_the_configured_size() {
    const MAX: u64 = 4 * 1024;
    let install = Install::new("");
    install.write_config(&format!(
        "{ONLY_CONFIG_PROVIDER}\n[logging]\nformat = \"json\"\nfile = \"data/steward.log\"\n\
         log_rotation_size = \"4KB\"\nmax_log_files = 2\n"
    ));
    let stderr = install.root().join("serve.stderr");
    let mut serve = install
        .command(&["serve"])
        .env_remove("DISCORD_TOKEN")
        // Plenty of lines, quickly: every library's debug output.
        .env("STEWARD_LOG", "debug")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&stderr).unwrap())
        .spawn()
        .unwrap();
    let log = install.data().join("steward.log");
    let rotated = |n: usize| install.data().join(format!("steward.log.{n}"));
    // Each status call through the socket adds lines of its own; a loaded
    // machine makes each call slow, so this waits longer than wait_for.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(240);
    while !rotated(2).is_file() {
        assert!(
            std::time::Instant::now() < deadline,
            "steward.log was not rotated twice: {:?}",
            std::fs::read_dir(install.data())
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect::<Vec<_>>()
        );
        install.run(&["status", "--json"]);
    }
    let _ = serve.kill();
    let _ = serve.wait();

    assert!(!rotated(3).exists(), "more than max_log_files were kept");
    for path in [log.clone(), rotated(1), rotated(2)] {
        let text = std::fs::read_to_string(&path).unwrap();
        let size = text.len() as u64;
        assert!(size <= MAX, "{} holds {size} bytes", path.display());
        for line in text.lines() {
            let object: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{}: not JSON ({e}): {line}", path.display()));
            assert!(object["level"].is_string() && object["timestamp"].is_string());
        }
    }
    // A rotated file was full: the next line would not have fitted.
    let full = std::fs::metadata(rotated(1)).unwrap().len();
    assert!(full > MAX / 2, "steward.log.1 rotated at {full} bytes");
    let stderr = std::fs::read_to_string(&stderr).unwrap();
    let first = stderr.lines().next().unwrap_or_default();
    assert!(
        serde_json::from_str::<serde_json::Value>(first).is_ok(),
        "stderr is not JSON: {first}"
    );
}

/// A descriptor `serve` inherited without close-on-exec (here fd 7, a file
/// a shell opened: in production a terminal, a service manager's socket)
/// reaches neither the bot nor its output pump.
#[test]
fn the_bot_and_its_pump_get_no_descriptor_serve_inherited() {
    let install = Install::new("");
    install.write_config_with_bot(
        "start = [\"/bin/sh\", \"-c\", \"readlink /proc/$$/fd/* > '{bot}/fds.txt'; echo fds ready; exec sleep 600\"]\n\
         stop_timeout_secs = 5\n\
         [bot.health]\nprobation_secs = 0\nready_line = \"fds ready\"\nready_timeout_secs = 30\n",
        ONLY_CONFIG_PROVIDER,
    );
    let inherited = install.root().join("inherited-secret");
    std::fs::write(&inherited, "not for the bot").unwrap();
    let serve_log = std::fs::File::create(install.root().join("serve.log")).unwrap();
    let serve = install.command(&["serve"]);
    let mut serve = std::process::Command::new("/bin/sh")
        .arg("-c")
        .arg("exec 7<\"$0\"; exec \"$@\"")
        .arg(&inherited)
        .arg(serve.get_program())
        .args(serve.get_args())
        .envs(serve.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .env_remove("DISCORD_TOKEN")
        .stdin(std::process::Stdio::null())
        .stdout(serve_log.try_clone().unwrap())
        .stderr(serve_log)
        .spawn()
        .expect("starting steward serve");
    let output_log = install.data().join("bot/output.log");
    let fds = install.bot().join("fds.txt");
    wait_for("serve to start the bot and its pump", || {
        std::fs::read_to_string(&output_log).is_ok_and(|t| t.contains("fds ready"))
            && !pumps_of(&output_log).is_empty()
    });
    let holds = |pid: &str| -> Vec<String> {
        std::fs::read_dir(format!("/proc/{pid}/fd"))
            .map(|fds| {
                fds.flatten()
                    .filter_map(|fd| std::fs::read_link(fd.path()).ok())
                    .map(|target| target.display().to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    let secret = inherited.display().to_string();
    // serve holds it, so the test shows something.
    assert!(holds(&serve.id().to_string()).contains(&secret));
    let bot_fds = std::fs::read_to_string(&fds).unwrap();
    let pump_fds: Vec<String> = pumps_of(&output_log)
        .iter()
        .flat_map(|p| holds(p))
        .collect();
    let _ = serve.kill();
    let _ = serve.wait();
    install.run(&["bot", "stop"]);
    assert!(
        !bot_fds.contains(&secret),
        "the bot holds {secret}:\n{bot_fds}"
    );
    assert!(
        !pump_fds.contains(&secret),
        "the pump holds {secret}: {pump_fds:?}"
    );
}
