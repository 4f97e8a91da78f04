//! `steward serve` as the service, headless (no Discord token): every CLI
//! command goes through its control socket while it runs, the socket's
//! peer decides the role, reloads take effect or are refused whole, and a
//! socket left by a killed service does not get in the way.

use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use steward_tests::harness::{Install, ONLY_CONFIG_PROVIDER, Run, ok, steward_bin};

/// A headless `steward serve` of `install`; killed when dropped.
struct Headless {
    child: Child,
    socket: PathBuf,
    log: PathBuf,
}

impl Headless {
    fn start(install: &Install) -> Headless {
        let log = install.root().join("serve.log");
        let child = Command::new(steward_bin())
            .arg("--config")
            .arg(install.config_path())
            .arg("serve")
            .env_remove("DISCORD_TOKEN")
            .env("STEWARD_LOG", "steward=debug")
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(std::fs::File::options().append(true).open(&log).unwrap())
            .spawn()
            .expect("starting steward serve");
        let served = Headless {
            child,
            socket: install.data().join("steward.sock"),
            log,
        };
        served.wait_for_socket();
        served
    }

    fn wait_for_socket(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while UnixStream::connect(&self.socket).is_err() {
            assert!(
                Instant::now() < deadline,
                "the control socket never answered:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn signal(&self, name: &str) {
        let sent = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
    }

    /// SIGTERM, then the exit status within `within`.
    fn stop(mut self, within: Duration) -> std::process::ExitStatus {
        self.signal("TERM");
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "serve did not stop:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Headless {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One raw HTTP/1.1 request on the socket; the status line and body.
fn raw(socket: &Path, request: &str) -> (String, String) {
    let mut stream = UnixStream::connect(socket).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer.lines().next().unwrap_or_default().to_string();
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

fn not_in_use(run: &Run) {
    assert!(
        !run.stderr.contains("Another steward process") && !run.stderr.contains("in use"),
        "{}",
        run.stderr
    );
}

#[test]
fn every_cli_command_answers_through_the_running_service() {
    let install = Install::new(ONLY_CONFIG_PROVIDER);
    let serve = Headless::start(&install);

    let status = install.run(&["status", "--json"]);
    not_in_use(&status);
    let report = ok(&status);
    assert!(report["versions"]["steward"].is_string(), "{report:#}");

    let check = install.run(&["check", "--json"]);
    not_in_use(&check);
    assert_eq!(check.code, Some(0), "{}", check.stderr);
    assert!(check.json()["providers"].is_array());

    let added = install.run(&[
        "schedule", "add", "--type", "daily", "--time", "03:30", "--types", "config", "--name",
        "nightly", "--json",
    ]);
    not_in_use(&added);
    let added = ok(&added);
    let listed = ok(&install.run(&["schedule", "list", "--json"]));
    assert!(listed.to_string().contains("nightly"), "{listed:#}");
    let id = added["id"].as_str().unwrap().to_string();
    install.run(&["schedule", "remove", &id]).succeeded();
    let listed = ok(&install.run(&["schedule", "list", "--json"]));
    assert!(!listed.to_string().contains("nightly"), "{listed:#}");

    install
        .run(&["settings", "set", "general", "update_check_interval", "120"])
        .succeeded();
    let got = install.run(&["settings", "get", "general", "update_check_interval"]);
    assert!(got.succeeded().contains("120"), "{}", got.stdout);

    let created = ok(&install.run(&["backup", "create", "--json"]));
    let listing = ok(&install.run(&["backup", "list", "--json"]));
    assert!(
        listing
            .to_string()
            .contains(created["record"]["id"].as_str().unwrap()),
        "{listing:#}"
    );

    let providers = ok(&install.run(&["providers", "list", "--json"]));
    assert!(
        providers.to_string().contains("\"config\""),
        "{providers:#}"
    );

    // The demo bot's config update is breaking: the install stops before
    // anything changes, with the progress so far on stderr, exactly as
    // when the CLI runs it itself.
    let quiet = |install: &Install| -> Run {
        install
            .command(&["install", "--yes"])
            .env("STEWARD_LOG", "off")
            .output()
            .unwrap()
            .into()
    };
    let remote = quiet(&install);
    not_in_use(&remote);
    assert!(
        remote.stderr.contains("Checking for updates"),
        "{}",
        remote.stderr
    );
    let forced = install.run(&["install", "--yes", "--force", "--json"]);
    let forced = ok(&forced);
    assert_eq!(forced["session"]["status"], "completed", "{forced:#}");
    assert_eq!(forced["session"]["initiated_by"], "cli:root");
    serve.stop(Duration::from_secs(30));

    let fresh = Install::new(ONLY_CONFIG_PROVIDER);
    let local = quiet(&fresh);
    assert_eq!((remote.code, &remote.stdout), (local.code, &local.stdout));
    assert_eq!(remote.stderr, local.stderr);
}

#[test]
fn malformed_requests_and_unknown_paths_get_a_4xx_that_says_why() {
    let install = Install::new(ONLY_CONFIG_PROVIDER);
    let serve = Headless::start(&install);
    let (status, body) = raw(
        &serve.socket,
        "POST /v1/check HTTP/1.1\r\nHost: s\r\nContent-Type: application/json\r\nContent-Length: 1\r\nConnection: close\r\n\r\n{",
    );
    assert!(status.contains(" 400 "), "{status}\n{body}");
    assert!(body.contains("the request body is not valid"), "{body}");

    let (status, body) = raw(
        &serve.socket,
        "GET /v1/nowhere HTTP/1.1\r\nHost: s\r\nConnection: close\r\n\r\n",
    );
    assert!(status.contains(" 404 "), "{status}\n{body}");
    assert!(
        body.contains("/v1/nowhere is not part of Steward's control API"),
        "{body}"
    );

    // The service is still there for the next client.
    install.run(&["status"]).succeeded();
}

#[test]
fn sighup_applies_a_new_grant_and_reload_refuses_an_invalid_file_whole() {
    let install = Install::new(ONLY_CONFIG_PROVIDER);
    let serve = Headless::start(&install);
    let granted = |install: &Install| {
        let providers = ok(&install.run(&["providers", "list", "--json"]));
        providers
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "config")
            .map(|p| p["granted"].to_string())
            .unwrap()
    };
    // The harness grants the config provider writes to the bot's config;
    // the new file takes them back.
    let before = granted(&install);
    assert!(before.contains("config.toml"), "{before}");
    let text = std::fs::read_to_string(install.config_path()).unwrap();
    let narrowed: String = text
        .lines()
        .filter(|l| !l.starts_with("write = "))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(text, narrowed);
    std::fs::write(install.config_path(), &narrowed).unwrap();
    serve.signal("HUP");
    let deadline = Instant::now() + Duration::from_secs(20);
    while granted(&install).contains("config.toml") {
        assert!(
            Instant::now() < deadline,
            "SIGHUP did not reload:\n{}",
            serve.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    std::fs::write(install.config_path(), format!("{text}\n[general\n")).unwrap();
    let refused = install.run(&["reload"]);
    assert_eq!(refused.code, Some(2), "{}", refused.stdout);
    assert!(
        refused.stderr.contains("steward.toml is not valid"),
        "{}",
        refused.stderr
    );
    // The running configuration stayed: the narrowed grant, not the
    // broken file's.
    assert!(!granted(&install).contains("config.toml"));
    install.run(&["status"]).succeeded();
}

#[test]
fn a_killed_service_leaves_a_socket_that_neither_the_cli_nor_the_next_start_trips_on() {
    let install = Install::new(ONLY_CONFIG_PROVIDER);
    let mut serve = Headless::start(&install);
    serve.child.kill().unwrap();
    serve.child.wait().unwrap();
    assert!(
        serve.socket.exists(),
        "the kill left no socket to test with"
    );

    // Nobody answers: the CLI opens the store itself.
    install.run(&["status"]).succeeded();

    let serve = Headless::start(&install);
    install.run(&["status"]).succeeded();
    let socket = serve.socket.clone();
    let status = serve.stop(Duration::from_secs(30));
    assert!(status.success(), "{status:?}");
    assert!(!socket.exists(), "a clean stop removes the socket");
}

/// Runs `steward ARGS` as the user `nobody` (group `nogroup`).
fn as_nobody(install: &Install, args: &[&str]) -> Run {
    Command::new("setpriv")
        .args(["--reuid=nobody", "--regid=nogroup", "--clear-groups"])
        .arg(steward_bin())
        .arg("--config")
        .arg(install.config_path())
        .args(args)
        .output()
        .expect("running setpriv")
        .into()
}

/// An install whose config and bot `nobody` can read, for the tests that
/// switch to that user; `None` (skipped) when not root, which switching
/// needs: CI runs as root, so there it fails instead.
fn readable_by_nobody(extra: &str) -> Option<Install> {
    if !rustix::process::geteuid().is_root() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs the tests as root, which switching to `nobody` needs"
        );
        eprintln!("skipped: switching to the user nobody needs root");
        return None;
    }
    let install = Install::new(extra);
    for dir in [install.root(), &install.bot()] {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::set_permissions(
        install.config_path(),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    Some(install)
}

#[test]
fn the_socket_peer_is_the_caller_and_control_decides_its_role() {
    let Some(install) = readable_by_nobody(&format!(
        "{ONLY_CONFIG_PROVIDER}\n[control]\ngroup = \"nogroup\"\n"
    )) else {
        return;
    };
    let _serve = Headless::start(&install);

    // In the socket's group but in no list of [control]: every operation refused.
    let refused = as_nobody(&install, &["status"]);
    assert_eq!(refused.code, Some(2), "{}", refused.stdout);
    assert_eq!(
        refused.stderr.trim(),
        "error: Permission denied: viewing the update status is for the bot's owners and admins."
    );

    // An admin by [control]: may read, may not install.
    let text = std::fs::read_to_string(install.config_path()).unwrap();
    std::fs::write(
        install.config_path(),
        text.replace("[control]\n", "[control]\nadmin_users = [\"nobody\"]\n"),
    )
    .unwrap();
    install.run(&["reload"]).succeeded();
    as_nobody(&install, &["status"]).succeeded();
    let install_refused = as_nobody(&install, &["install", "--yes"]);
    assert_eq!(install_refused.code, Some(2));
    assert!(
        install_refused
            .stderr
            .contains("Permission denied: installing updates is for the bot's owners only."),
        "{}",
        install_refused.stderr
    );
}

#[test]
fn a_user_the_socket_is_not_open_to_hears_so_and_nothing_opens_the_store() {
    let Some(install) = readable_by_nobody(ONLY_CONFIG_PROVIDER) else {
        return;
    };
    let _serve = Headless::start(&install);
    let refused = as_nobody(&install, &["status"]);
    assert_eq!(refused.code, Some(2), "{}", refused.stdout);
    assert!(
        refused.stderr.contains("control socket") && refused.stderr.contains("is not open to you"),
        "{}",
        refused.stderr
    );
}

/// The UTC wall-clock minute after the next one starts, as `HH:MM`.
fn next_minute_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let minute = (secs / 60 + 1) % (24 * 60);
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

#[test]
fn a_headless_schedule_installs_through_the_service_and_posts_to_the_webhook() {
    use steward_tests::fakes::discord::FakeDiscord;
    let discord = FakeDiscord::start();
    let hook = "/api/v10/webhooks/42/hook-secret";
    let install = Install::new(&format!(
        "[discord]\nwebhook_url = \"{}{hook}\"\n{ONLY_CONFIG_PROVIDER}",
        discord.api_base()
    ));
    // A template that keeps every key the config was made from and leaves
    // alone the value the owner changed: the config source's update is
    // not breaking, so a schedule may install it.
    let template = install.bot().join("config.template.toml");
    let text = std::fs::read_to_string(&template).unwrap();
    let kept = text
        .replace(
            "slash_commands = true",
            "slash_commands = true\nlegacy_prefix_commands = true",
        )
        .replace("heartbeat_seconds = 30", "heartbeat_seconds = 60");
    assert_ne!(text, kept);
    std::fs::write(&template, kept).unwrap();
    let serve = Headless::start(&install);

    let time = next_minute_utc();
    install
        .run(&[
            "schedule", "add", "--type", "daily", "--time", &time, "--types", "config",
        ])
        .succeeded();
    let deadline = Instant::now() + Duration::from_secs(150);
    let posted = loop {
        let requests = discord.requests();
        if let Some(r) = requests.iter().find(|r| {
            r.method == "POST" && r.path == hook && r.body.to_string().contains("Update completed")
        }) {
            break r.body.to_string();
        }
        assert!(
            Instant::now() < deadline,
            "no completion posted to the webhook by {time}:\n{requests:#?}\n{}",
            serve.log()
        );
        std::thread::sleep(Duration::from_millis(500));
    };
    assert!(posted.contains("schedule:s1"), "{posted}");
    let config = std::fs::read_to_string(install.bot().join("config/config.toml")).unwrap();
    assert!(config.contains("template_version = \"1.3.0\""), "{config}");
    let listed = install.run(&["schedule", "list"]);
    assert!(
        listed.succeeded().contains("Ran as update session"),
        "{}",
        listed.stdout
    );
}

#[test]
fn a_provider_dropped_in_or_removed_is_loaded_or_forgotten_at_once() {
    let install = Install::new(ONLY_CONFIG_PROVIDER);
    let serve = Headless::start(&install);
    let seen = |line: &str| {
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            if serve.log().contains(line) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "not announced within 2 s: {line}\n{}",
                serve.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    // The first scan compiles every bundled provider; the 2 s are for a
    // service already running.
    install.run(&["providers", "list"]).succeeded();
    // Written beside the directory, then moved in, as a careful operator does.
    let staged = install.root().join("extra.wasm");
    std::fs::copy(install.providers().join("config.wasm"), &staged).unwrap();
    std::fs::rename(&staged, install.providers().join("extra.wasm")).unwrap();
    seen("providers directory: extra ");
    assert!(serve.log().contains("loaded"), "{}", serve.log());
    let listed = ok(&install.run(&["providers", "list", "--json"]));
    assert!(listed.to_string().contains("\"extra\""), "{listed:#}");

    std::fs::write(install.providers().join("junk.wasm"), b"\0asm garbage").unwrap();
    seen("providers directory: junk did not load");

    std::fs::remove_file(install.providers().join("extra.wasm")).unwrap();
    seen("providers directory: extra removed");
}

/// A free loopback port (bound, then let go).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One HTTP/1.1 request over TCP; the status code and body.
fn http(port: u16, method: &str, path: &str, token: Option<&str>, body: &str) -> (u16, String) {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: ci\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let code = answer
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (code, body)
}

#[test]
fn a_pipeline_token_runs_what_it_is_scoped_for_within_its_rate_and_is_audited() {
    let port = free_port();
    let secret = "ci-secret-0123456789abcdef";
    let install = Install::new(&format!(
        "{ONLY_CONFIG_PROVIDER}\n[control.http]\nlisten = \"127.0.0.1:{port}\"\nrate_limit_per_minute = 4\n\
         [[control.http.tokens]]\nname = \"release-pipeline\"\ntoken_file = \"ci.token\"\nscopes = [\"check\", \"install:bot\"]\n"
    ));
    std::fs::write(install.root().join("ci.token"), format!("{secret}\n")).unwrap();
    let serve = Headless::start(&install);

    let (code, body) = http(
        port,
        "POST",
        "/v1/check",
        Some(secret),
        "{\"update_type\":\"all\",\"include_security\":false}",
    );
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("\"providers\""), "{body}");

    // Scoped to the bot: installing packages is refused, naming the scopes.
    let (code, body) = http(
        port,
        "POST",
        "/v1/install",
        Some(secret),
        "{\"type\":\"packages\"}",
    );
    assert_eq!(code, 403, "{body}");
    assert!(
        body.contains("the token release-pipeline is not scoped for installing updates (its scopes: check, install:bot)"),
        "{body}"
    );
    let (code, body) = http(
        port,
        "POST",
        "/v1/rollback",
        Some(secret),
        "{\"target\":\"last_backup\",\"confirm\":true,\"backup\":true,\"restore_config\":true}",
    );
    assert_eq!(code, 403, "{body}");

    let (code, body) = http(
        port,
        "POST",
        "/v1/check",
        Some("ci-secret-0123456789abcdeX"),
        "{}",
    );
    assert_eq!(code, 401, "{body}");
    let (code, _) = http(port, "POST", "/v1/check", None, "{}");
    assert_eq!(code, 401);

    // Three used of four: the fourth passes, the fifth waits for the minute.
    let (code, _) = http(port, "GET", "/v1/providers", Some(secret), "");
    assert_eq!(code, 403, "providers are a status read, not in the scopes");
    let (code, body) = http(
        port,
        "POST",
        "/v1/check",
        Some(secret),
        "{\"update_type\":\"all\",\"include_security\":false}",
    );
    assert_eq!(code, 429, "{body}");
    assert!(body.contains("try again in"), "{body}");

    let audit = std::fs::read_to_string(install.data().join("audit.log")).unwrap();
    assert_eq!(audit.lines().count(), 7, "{audit}");
    assert!(
        audit.contains("token=release-pipeline") && audit.contains("POST /v1/install 403"),
        "{audit}"
    );
    assert!(
        audit.contains("token=(none)") && audit.contains(" 401"),
        "{audit}"
    );
    assert!(
        !audit.contains(secret),
        "the audit log holds the secret:\n{audit}"
    );
    assert!(
        !serve.log().contains(secret),
        "the service log holds the secret"
    );
}

#[test]
fn a_token_secret_that_is_missing_or_short_stops_serve_with_the_tokens_name() {
    let install = Install::new(&format!(
        "{ONLY_CONFIG_PROVIDER}\n[control.http]\nlisten = \"127.0.0.1:{}\"\n\
         [[control.http.tokens]]\nname = \"deploy\"\ntoken_env = \"STEWARD_TEST_UNSET_TOKEN\"\nscopes = [\"check\"]\n",
        free_port()
    ));
    let run: Run = install
        .command(&["serve"])
        .env_remove("DISCORD_TOKEN")
        .env_remove("STEWARD_TEST_UNSET_TOKEN")
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "control.http token \"deploy\": the environment variable STEWARD_TEST_UNSET_TOKEN is not set"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn an_install_whose_client_goes_away_runs_to_its_end() {
    let install = Install::new(ONLY_CONFIG_PROVIDER);
    let serve = Headless::start(&install);
    let body = "{\"type\":\"config\",\"force\":true,\"backup\":false}";
    let mut stream = UnixStream::connect(&serve.socket).unwrap();
    write!(
        stream,
        "POST /v1/install HTTP/1.1\r\nHost: s\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    // The first progress line, then the client is gone.
    let mut first = [0u8; 64];
    let read = stream.read(&mut first).unwrap();
    assert!(read > 0);
    drop(stream);

    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let history = ok(&install.run(&["status", "--history", "--json"]));
        let sessions = history["history"].as_array().cloned().unwrap_or_default();
        if sessions.iter().any(|s| s["status"] == "completed") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the install did not finish after its client left: {history:#}\n{}",
            serve.log()
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    let config = std::fs::read_to_string(install.bot().join("config/config.toml")).unwrap();
    assert!(config.contains("template_version = \"1.3.0\""), "{config}");
}

/// Two clients install through the socket at once: the first runs (its one
/// step sleeps, so it is surely still running when the second asks), the
/// second is told who holds the update lock and exits with the error code.
#[test]
fn of_two_clients_installing_through_the_socket_one_runs_and_the_other_hears_who() {
    let install = Install::new("");
    install.write_config(&format!(
        "{ONLY_CONFIG_PROVIDER}\n\
         [providers.hostile.grant]\nread = [\"{{bot}}\"]\n\
         plan_programs = [{{ path = \"/usr/bin/sleep\", args = [[\"*\"]] }}]\n\
         [providers.hostile.settings]\nbehaviour = \"offer\"\nplan = \"exec\"\n\
         program = \"/usr/bin/sleep\"\nargs = \"3\"\n\
         wants_program = \"/usr/bin/sleep\"\nwants_args = \"*\"\n"
    ));
    install.add_provider(&steward_tests::guests::hostile(), "hostile");
    let serve = Headless::start(&install);
    let args = [
        "install",
        "--type",
        "packages",
        "--yes",
        "--no-backup",
        "--force",
    ];
    let first = install
        .command(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The first is under way once its session is recorded as running.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let status = ok(&install.run(&["status", "--history", "--json"]));
        let history = status["history"].as_array().cloned().unwrap_or_default();
        if history.iter().any(|s| s["status"] == "running") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the first install never ran: {status:#}\n{}",
            serve.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let second = install.run(&args);
    not_in_use(&second);
    assert_eq!(second.code, Some(2), "{}\n{}", second.stdout, second.stderr);
    assert!(
        second
            .stderr
            .contains("An update is already in progress: cli:root started it (install) at "),
        "the second must hear who holds the lock:\n{}",
        second.stderr
    );
    let first: Run = first.wait_with_output().unwrap().into();
    assert_eq!(first.code, Some(0), "{}\n{}", first.stdout, first.stderr);
    let status = ok(&install.run(&["status", "--history", "--json"]));
    let history = status["history"].as_array().cloned().unwrap_or_default();
    let statuses: Vec<&str> = history
        .iter()
        .filter_map(|s| s["status"].as_str())
        .collect();
    assert_eq!(statuses, ["completed"], "{status:#}");
}

#[test]
fn right_after_kill_9_the_cli_opens_the_store_itself_at_once() {
    let install = Install::new(ONLY_CONFIG_PROVIDER);
    let mut serve = Headless::start(&install);
    // No waiting for the process to be gone: the very next command.
    serve.signal("KILL");
    let run = install.run(&["status"]);
    not_in_use(&run);
    run.succeeded();
    serve.child.wait().unwrap();

    // A socket whose listener closes every connection unanswered, as a
    // dying service's does with those it queued: nobody is serving.
    assert!(serve.socket.exists(), "the kill left no socket");
    std::fs::remove_file(&serve.socket).unwrap();
    let listener = std::os::unix::net::UnixListener::bind(&serve.socket).unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            drop(stream);
        }
    });
    let run = install.run(&["status"]);
    assert!(
        !run.stderr.contains("control socket failed"),
        "{}",
        run.stderr
    );
    not_in_use(&run);
    assert!(run.succeeded().contains("Bot:"), "{}", run.stdout);
}

#[test]
fn a_lowered_check_interval_set_while_serving_applies_without_waiting_out_the_old_one() {
    let install = Install::new(&format!(
        "{ONLY_CONFIG_PROVIDER}\n[general]\nupdate_check_interval = 3600\n"
    ));
    let serve = Headless::start(&install);
    let checks = |serve: &Headless| serve.log().matches("background check done").count();
    let deadline = Instant::now() + Duration::from_secs(60);
    while checks(&serve) == 0 {
        assert!(
            Instant::now() < deadline,
            "no first check:\n{}",
            serve.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        serve.log().contains("the next in 3600 s"),
        "{}",
        serve.log()
    );

    // Through the socket, as `/update_settings` does it from Discord: the
    // next check is due a minute after the last, not an hour.
    install
        .run(&["settings", "set", "general", "update_check_interval", "60"])
        .succeeded();
    let deadline = Instant::now() + Duration::from_secs(120);
    while checks(&serve) < 2 {
        assert!(
            Instant::now() < deadline,
            "the new interval waited out the old one:\n{}",
            serve.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(serve.log().contains("the next in 60 s"), "{}", serve.log());
}
