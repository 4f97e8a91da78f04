//! `steward serve` when something fails around it: a Discord it cannot
//! reach never stops the control socket, the schedules or the checks; a
//! service killed with `kill -9` in the middle of an install leaves its
//! journal, and the next start recovers the update from it.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use steward_tests::harness::{Install, ONLY_CONFIG_PROVIDER, ok, steward_bin};

/// `steward serve` of `install` with `envs`; killed when dropped.
struct Serve {
    child: Child,
    log: PathBuf,
}

impl Serve {
    fn start(install: &Install, envs: &[(&str, &str)]) -> Serve {
        let log = install.root().join("serve.log");
        let mut command = Command::new(steward_bin());
        command
            .arg("--config")
            .arg(install.config_path())
            .arg("serve")
            .env_remove("DISCORD_TOKEN")
            .env("STEWARD_LOG", "steward=debug")
            .stdin(Stdio::null())
            .stdout(
                std::fs::File::options()
                    .create(true)
                    .append(true)
                    .open(&log)
                    .unwrap(),
            )
            .stderr(std::fs::File::options().append(true).open(&log).unwrap());
        for (name, value) in envs {
            command.env(name, value);
        }
        let serve = Serve {
            child: command.spawn().expect("starting steward serve"),
            log,
        };
        let socket = install.data().join("steward.sock");
        serve.wait_for("the control socket", || {
            std::os::unix::net::UnixStream::connect(&socket).is_ok()
        });
        serve
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn wait_for(&self, what: &str, mut done: impl FnMut() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(120);
        while !done() {
            assert!(Instant::now() < deadline, "no {what}:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_discord_that_cannot_be_reached_leaves_the_socket_and_the_checks_running() {
    // Nothing listens on port 1: every request of the front fails.
    let install = Install::new(&format!(
        "{ONLY_CONFIG_PROVIDER}\n[discord]\napi_base = \"http://127.0.0.1:1\"\n"
    ));
    let serve = Serve::start(&install, &[("DISCORD_TOKEN", "a-token")]);
    serve.wait_for("word that the Discord front stopped", || {
        serve.log().contains("the Discord front stopped")
    });
    assert!(
        serve.log().contains("everything else keeps running"),
        "{}",
        serve.log()
    );

    // The socket answers, and the background check still runs.
    let status = ok(&install.run(&["status", "--json"]));
    assert!(status["versions"]["steward"].is_string(), "{status:#}");
    let check = install.run(&["check", "--json"]);
    assert_eq!(check.code, Some(0), "{}", check.stderr);
    assert!(
        check.json()["providers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["provider"] == "config"),
        "{}",
        check.stdout
    );
    serve.wait_for("background check", || {
        serve.log().contains("background check done")
    });
}

#[test]
fn serve_killed_mid_install_is_recovered_from_its_journal_at_the_next_start() {
    let (install, mut serve, mut client) = serving_an_install_that_sleeps(30);
    let journal = install.data().join("journal");
    serve.wait_for("journaled install", || {
        journal.read_dir().is_ok_and(|mut d| d.next().is_some())
    });
    let sessions = |install: &Install| -> Vec<String> {
        let status = ok(&install.run(&["status", "--history", "--json"]));
        status["history"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .filter_map(|s| s["status"].as_str().map(str::to_string))
            .collect()
    };
    assert_eq!(sessions(&install), ["running"]);

    serve.child.kill().unwrap();
    serve.child.wait().unwrap();
    let _ = client.kill();
    let _ = client.wait();
    drop(serve);

    let serve = Serve::start(&install, &[]);
    assert!(
        serve.log().contains("recovered an interrupted update"),
        "{}",
        serve.log()
    );
    // The hostile provider cannot roll back: the session says so, and its
    // journal is kept aside for the operator, as after any interrupted
    // update whose rollback could not finish.
    let status = ok(&install.run(&["status", "--history", "--json"]));
    let session = &status["history"][0];
    assert_eq!(session["status"], "rollback_failed", "{status:#}");
    assert!(
        session["error"]
            .as_str()
            .unwrap_or_default()
            .contains("cannot roll back"),
        "{status:#}"
    );
    let left: Vec<String> = journal
        .read_dir()
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        left.len() == 1 && left[0].ends_with(".json.failed"),
        "{left:?}"
    );
}

#[test]
fn sigterm_lets_a_running_install_finish_before_serve_exits() {
    let (install, mut serve, mut client) = serving_an_install_that_sleeps(4);
    serve.wait_for("running install", || {
        let status = ok(&install.run(&["status", "--history", "--json"]));
        status["history"][0]["status"] == "running"
    });

    let sent = Command::new("kill")
        .args(["-TERM", &serve.child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let deadline = Instant::now() + Duration::from_secs(60);
    let exit = loop {
        if let Some(status) = serve.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "serve did not stop:\n{}",
            serve.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let _ = client.wait();
    assert!(exit.success(), "{exit:?}\n{}", serve.log());
    assert!(
        serve.log().contains("stopping: no new work is taken"),
        "{}",
        serve.log()
    );

    // Nothing was left to the journal: the install ran to its end.
    let after = install.run(&["status", "--history", "--json"]);
    assert!(
        !after.stderr.contains("had been interrupted"),
        "{}",
        after.stderr
    );
    let status = ok(&after);
    assert_eq!(
        status["history"][0]["status"],
        "completed",
        "{status:#}\n{}",
        serve.log()
    );
}

/// `serve` running, and a CLI client (only the client: the service runs
/// it) installing packages through a provider whose plan sleeps `secs`.
fn serving_an_install_that_sleeps(secs: u32) -> (Install, Serve, Child) {
    let install = Install::new("");
    install.write_config(&format!(
        "{ONLY_CONFIG_PROVIDER}\n\
         [providers.hostile.grant]\nread = [\"{{bot}}\"]\n\
         plan_programs = [{{ path = \"/usr/bin/sleep\", args = [[\"*\"]] }}]\n\
         [providers.hostile.settings]\nbehaviour = \"offer\"\nplan = \"exec\"\n\
         program = \"/usr/bin/sleep\"\nargs = \"{secs}\"\n\
         wants_program = \"/usr/bin/sleep\"\nwants_args = \"*\"\n"
    ));
    install.add_provider(&steward_tests::guests::hostile(), "hostile");
    let serve = Serve::start(&install, &[]);
    let client = install
        .command(&[
            "install",
            "--type",
            "packages",
            "--yes",
            "--no-backup",
            "--force",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    (install, serve, client)
}
