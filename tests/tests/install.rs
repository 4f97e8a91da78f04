//! The install transaction through the real `steward` binary, with the demo
//! bot supervised by Steward (`bot.start`) and run from a releases layout
//! (`releases/<v>/`, `releases/current`), and the bundled release provider
//! reading a signed manifest from a local fake release server.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use steward_tests::release_bot::{
    Bot, HANGING_BOT, Setup, count, process_exists, setup, setup_with, wait_for,
};

#[test]
fn a_good_update_commits_with_a_backup_and_the_new_version_running() {
    let s = setup("");
    let _bot = s.start_bot();
    assert_eq!(s.last_ready_version().as_deref(), Some("1.4.0"));
    s.publish_150(&s.demo_bot_py());

    let (run, json) = s.install_json(&[]);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    let session = &json["session"];
    assert_eq!(session["status"], "completed", "{json:#}");
    assert_eq!(session["current_version"], "1.4.0");
    assert_eq!(session["target_version"], "1.5.0");
    assert_eq!(session["progress"], 100);
    assert_eq!(session["steps_completed"], session["total_steps"]);
    assert!(session["backup_id"].is_string(), "{json:#}");
    assert_eq!(s.current(), PathBuf::from("1.5.0"));
    assert_eq!(s.last_ready_version().as_deref(), Some("1.5.0"));
    assert!(
        !s.install
            .data()
            .join("journal")
            .read_dir()
            .unwrap()
            .any(|_| true)
    );

    // Progress went to stderr in order, ending at 100%.
    let percents: Vec<u8> = run
        .stderr
        .lines()
        .filter_map(|l| {
            l.split_once("] ")
                .and_then(|(_, r)| r.trim_start().split('%').next())
        })
        .filter_map(|p| p.trim().parse().ok())
        .collect();
    assert!(percents.windows(2).all(|w| w[0] <= w[1]), "{percents:?}");
    assert_eq!(percents.last(), Some(&100), "{}", run.stderr);

    let listed = s.install.run(&["backup", "list", "--json"]).json();
    assert_eq!(
        listed["backups"][0]["id"], session["backup_id"],
        "{listed:#}"
    );
}

#[test]
fn a_release_that_crashes_at_start_is_rolled_back_with_data_intact_and_the_old_version_running() {
    let s = setup("");
    let _bot = s.start_bot();
    let db = s.install.bot().join("data/bot.sqlite3");
    // A row the bot's users made before the update: the backup holds it.
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute(
            "INSERT INTO command_uses (command, user_id, used_at) VALUES ('before-update', '1', '2026-01-01')",
            [],
        )
        .unwrap();
    let seeded_uses = count(&db, "command_uses");
    // The broken release damages the data before it dies: only restoring
    // the database from the backup brings the rows back.
    s.publish_150(
        br#"import sqlite3, sys
home = sys.argv[sys.argv.index("--home") + 1]
db = sqlite3.connect(home + "/data/bot.sqlite3", timeout=30, isolation_level=None)
db.execute("DELETE FROM command_uses")
db.execute("INSERT INTO starts (version, pid, mode, started_at) VALUES ('1.5.0', 0, 'offline', 'now')")
db.close()
print('demo-bot 1.5.0: cannot import discord_ext', file=sys.stderr)
sys.exit(3)
"#,
    );

    let (run, json) = s.install_json(&[]);
    assert_eq!(run.code, Some(5), "{}\n{}", run.stdout, run.stderr);
    let session = &json["session"];
    assert_eq!(session["status"], "rolled_back", "{json:#}");
    let error = session["error"].as_str().unwrap();
    assert!(error.contains("health probation"), "{error}");
    assert!(error.contains("cannot import discord_ext"), "{error}");
    assert_eq!(json["rollback_errors"], json!([]));

    assert_eq!(s.current(), PathBuf::from("1.4.0"));
    assert_eq!(s.last_ready_version().as_deref(), Some("1.4.0"));
    let status = s.install.run(&["bot", "status"]);
    assert_eq!(status.code, Some(0), "{}", status.stdout);
    assert_eq!(count(&db, "command_uses"), seeded_uses);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let before: i64 = conn
        .query_row(
            "SELECT count(*) FROM command_uses WHERE command = 'before-update'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(before, 1, "the row written before the update is back");
    let versions: Vec<String> = conn
        .prepare("SELECT version FROM starts ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(
        versions.iter().all(|v| v == "1.4.0") && !versions.is_empty(),
        "{versions:?}"
    );
}

#[test]
fn a_plan_step_that_fails_midway_rolls_back_the_steps_already_done() {
    // Two older releases to prune with keep_releases = 2, and one the
    // kernel will not let go of: step 3 (removing it) fails after the
    // download and the switch.
    let s = setup("keep_releases = 2");
    for old in ["1.2.0", "1.3.0"] {
        let dir = s.install.bot().join("releases").join(old);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("VERSION"), format!("{old}\n")).unwrap();
    }
    let _stuck = Immovable::inside(&s.install.bot().join("releases/1.2.0"));
    let _bot = s.start_bot();
    let pid_before = std::fs::read_to_string(s.install.data().join("bot/pid")).unwrap();
    s.publish_150(&s.demo_bot_py());

    let (run, json) = s.install_json(&[]);
    assert_eq!(run.code, Some(5), "{}\n{}", run.stdout, run.stderr);
    let session = &json["session"];
    assert_eq!(session["status"], "rolled_back", "{json:#}");
    assert_eq!(session["steps_completed"], 2, "{json:#}");
    let error = session["error"].as_str().unwrap();
    assert!(error.contains("remove old release 1.2.0"), "{error}");
    assert_eq!(s.current(), PathBuf::from("1.4.0"));
    assert!(s.install.bot().join("releases/1.2.0").exists());
    // The bot never restarted: the failure came before the restart.
    let pid_after = std::fs::read_to_string(s.install.data().join("bot/pid")).unwrap();
    assert_eq!(pid_before, pid_after);
    assert_eq!(s.last_ready_version().as_deref(), Some("1.4.0"));
}

/// A file the kernel refuses to remove, even for root (`chattr +i`), so a
/// plan's `remove` of the release holding it fails midway; undone on drop.
struct Immovable(PathBuf);

impl Immovable {
    fn inside(release: &Path) -> Immovable {
        let file = release.join("VERSION");
        let set = std::process::Command::new("chattr")
            .arg("+i")
            .arg(&file)
            .status()
            .expect("running chattr");
        assert!(set.success(), "chattr +i {} failed", file.display());
        Immovable(file)
    }
}

impl Drop for Immovable {
    fn drop(&mut self) {
        let _ = std::process::Command::new("chattr")
            .arg("-i")
            .arg(&self.0)
            .status();
    }
}

#[test]
fn a_rolled_back_release_is_removed_and_installs_again() {
    let s = setup("keep_releases = 2");
    for old in ["1.2.0", "1.3.0"] {
        let dir = s.install.bot().join("releases").join(old);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("VERSION"), format!("{old}\n")).unwrap();
    }
    let stuck = Immovable::inside(&s.install.bot().join("releases/1.2.0"));
    let _bot = s.start_bot();
    s.publish_150(&s.demo_bot_py());
    let (run, json) = s.install_json(&[]);
    assert_eq!(json["session"]["status"], "rolled_back", "{}", run.stderr);
    assert!(
        !s.install.bot().join("releases/1.5.0").exists(),
        "the undone release stayed on disk"
    );

    // Nothing left to prune now, and a download a kill left behind.
    drop(stuck);
    for old in ["1.2.0", "1.3.0"] {
        std::fs::remove_dir_all(s.install.bot().join("releases").join(old)).unwrap();
    }
    let downloads = s.install.data().join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let partial = downloads.join(".release.steward-download-1-2");
    std::fs::write(&partial, b"half a release").unwrap();
    let (run, json) = s.install_json(&[]);
    assert_eq!(
        json["session"]["status"], "completed",
        "{json:#}\n{}",
        run.stderr
    );
    assert_eq!(s.current(), PathBuf::from("1.5.0"));
    assert!(!partial.exists(), "the partial download was not swept");
}

/// Starts `steward install` of a 1.5.0 that never gets ready, and returns
/// once 1.5.0 runs (on probation), with the file it wrote.
fn install_until_probation(s: &Setup) -> (std::process::Child, PathBuf) {
    s.publish_150(HANGING_BOT);
    let marker = s.install.bot().join("started-1.5.0");
    let child = s
        .install
        .command(&["install", "--type", "bot", "--yes"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    wait_for("release 1.5.0 to start", || marker.exists());
    (child, marker)
}

#[test]
fn steward_killed_during_the_update_rolls_it_back_at_its_next_start() {
    let s = setup("");
    let _bot = s.start_bot();
    let (mut steward, marker) = install_until_probation(&s);
    // The switch is done and 1.5.0 is on probation: kill -9 Steward now.
    assert_eq!(s.current(), PathBuf::from("1.5.0"));
    steward.kill().unwrap();
    steward.wait().unwrap();
    let hanging_pid = std::fs::read_to_string(&marker).unwrap();
    assert!(
        s.install
            .data()
            .join("journal")
            .read_dir()
            .unwrap()
            .any(|_| true)
    );

    // The next start of Steward, whatever the command, finishes the job.
    let run = s.install.run(&["bot", "status"]);
    assert!(
        run.stderr.contains("had been interrupted") && run.stderr.contains("rolled back"),
        "{}",
        run.stderr
    );
    assert_eq!(run.code, Some(0), "the old bot runs again: {}", run.stdout);
    assert_eq!(s.current(), PathBuf::from("1.4.0"));
    assert_eq!(s.last_ready_version().as_deref(), Some("1.4.0"));
    assert!(!process_exists(hanging_pid.trim()), "1.5.0 still runs");
    assert!(
        !s.install
            .data()
            .join("journal")
            .read_dir()
            .unwrap()
            .any(|_| true)
    );
    assert!(
        run.stderr.contains("during the bot's health probation"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_second_install_while_one_runs_is_refused_with_who_started_it() {
    let s = setup("");
    let _bot = s.start_bot();
    let (mut first, _) = install_until_probation(&s);

    let second = s.install.run(&["install", "--type", "bot", "--yes"]);
    assert_eq!(second.code, Some(2), "{}\n{}", second.stdout, second.stderr);
    assert!(
        second
            .stderr
            .contains("An update is already in progress: cli:"),
        "{}",
        second.stderr
    );
    assert!(
        second.stderr.contains("started it (install) at"),
        "{}",
        second.stderr
    );

    first.kill().unwrap();
    first.wait().unwrap();
    // Let the next start roll the interrupted one back before the bot stops.
    let _ = s.install.run(&["bot", "status"]);
}

#[test]
fn bot_stop_while_an_update_runs_is_refused_naming_who_holds_the_lock() {
    let s = setup("");
    let _bot = s.start_bot();
    let (mut first, marker) = install_until_probation(&s);
    let on_probation = std::fs::read_to_string(&marker).unwrap();

    let stop = s.install.run(&["bot", "stop"]);
    assert_eq!(stop.code, Some(2), "{}\n{}", stop.stdout, stop.stderr);
    assert!(
        stop.stderr
            .contains("An update is already in progress: cli:")
            && stop.stderr.contains("started it (install) at"),
        "{}",
        stop.stderr
    );
    assert!(
        process_exists(on_probation.trim()),
        "the bot on probation was stopped under the update"
    );

    first.kill().unwrap();
    first.wait().unwrap();
    // Let the next start roll the interrupted one back before the bot stops.
    let _ = s.install.run(&["bot", "status"]);
}

#[test]
fn dry_run_shows_every_step_and_changes_nothing_on_disk() {
    let s = setup("");
    s.publish_150(&s.demo_bot_py());
    let before = snapshot(&s.install.bot());

    let run = s.install.run(&["install", "--type", "bot", "--dry-run"]);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    let text = &run.stdout;
    assert!(text.contains("Dry run: nothing will be changed"), "{text}");
    assert!(text.contains("bot-1.5.0.tar.gz"), "{text}");
    assert!(text.contains("signature"), "{text}");
    assert!(text.contains("releases/current"), "{text}");
    assert!(text.contains("1.4.0 → 1.5.0"), "{text}");

    assert_eq!(snapshot(&s.install.bot()), before);
    assert!(
        !s.install.data().join("backups").exists() || {
            let listed = s.install.run(&["backup", "list", "--json"]).json();
            listed["backups"].as_array().unwrap().is_empty()
        }
    );
    assert!(!s.install.data().join("journal").exists());
}

#[test]
fn an_unsigned_release_stops_the_install_unless_forced() {
    let s = setup("");
    // The operator's key is configured; publish without a signature and
    // drop the key: the download could only be checked by its sha256.
    let config = std::fs::read_to_string(s.install.config_path()).unwrap();
    let without_key: String = config
        .lines()
        .filter(|l| !l.starts_with("verify_key"))
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(s.install.config_path(), without_key).unwrap();
    s.publish_150(&s.demo_bot_py());

    let run = s.install.run(&["install", "--type", "bot", "--yes"]);
    assert_eq!(run.code, Some(2), "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("cannot be verified"), "{}", run.stderr);
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    assert_eq!(s.current(), PathBuf::from("1.4.0"));
}

/// Every file under `dir` with its contents (links by their target).
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            let kind = entry.file_type().unwrap();
            if kind.is_symlink() {
                let target = std::fs::read_link(&path).unwrap();
                out.push((path, target.into_os_string().into_encoded_bytes()));
            } else if kind.is_dir() {
                stack.push(path);
            } else {
                out.push((path.clone(), std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn rollback_to_the_version_before_an_update_switches_back_restarts_and_verifies() {
    let s = setup("");
    let _bot = s.start_bot();
    s.publish_150(&s.demo_bot_py());
    let (run, _) = s.install_json(&[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(s.last_ready_version().as_deref(), Some("1.5.0"));

    let refused = s.install.run(&["rollback", "1.4.0"]);
    assert_eq!(
        refused.code,
        Some(2),
        "no terminal, no --yes: {}",
        refused.stderr
    );
    assert!(refused.stderr.contains("confirm"), "{}", refused.stderr);
    assert_eq!(s.current(), PathBuf::from("1.5.0"));

    let run = s.install.run(&["rollback", "1.4.0", "--yes", "--json"]);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    let json = run.json();
    let session = &json["session"];
    assert_eq!(session["kind"], "rollback");
    assert_eq!(session["status"], "completed", "{json:#}");
    assert_eq!(session["target_version"], "1.4.0");
    assert!(
        session["backup_id"].is_string(),
        "backed up first: {json:#}"
    );
    assert_eq!(s.current(), PathBuf::from("1.4.0"));
    assert_eq!(s.last_ready_version().as_deref(), Some("1.4.0"));
}

#[test]
fn rollback_to_an_unknown_version_lists_the_versions_it_can_go_back_to() {
    let s = setup("");
    let run = s.install.run(&["rollback", "0.9.0", "--yes"]);
    assert_eq!(run.code, Some(2), "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("no update on record started from version 0.9.0"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("last_backup"), "{}", run.stderr);
}

#[test]
fn rollback_to_last_backup_restores_its_files_and_restarts_the_bot() {
    let s = setup("");
    let _bot = s.start_bot();
    let created = s.install.run(&["backup", "create", "--json"]);
    assert_eq!(created.code, Some(0), "{}", created.stderr);
    let config = s.install.bot().join("config/config.toml");
    let original = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        original.replace("heartbeat_seconds = 20", "heartbeat_seconds = 5"),
    )
    .unwrap();

    let run = s
        .install
        .run(&["rollback", "last_backup", "--yes", "--no-backup", "--json"]);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.json()["session"]["status"], "completed");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), original);
    let status = s.install.run(&["bot", "status"]);
    assert_eq!(status.code, Some(0), "{}", status.stdout);
}

#[test]
fn serve_starts_the_bot_and_starts_it_again_when_it_dies() {
    use steward_tests::fakes::discord::FakeDiscord;
    let discord = FakeDiscord::start();
    let s = setup_with(
        &format!("[discord]\napi_base = \"{}\"\n", discord.api_base()),
        "",
    );
    let mut serve = steward_tests::serve::spawn(&discord, &s.install);
    let _bot = Bot(&s.install);
    let pid_file = s.install.data().join("bot/pid");
    let pid = |path: &Path| -> Option<String> {
        let text = std::fs::read_to_string(path).ok()?;
        let record: Value = serde_json::from_str(&text).ok()?;
        Some(record["pid"].to_string())
    };
    wait_for("serve to start the bot", || {
        pid(&pid_file).is_some_and(|p| process_exists(&p))
            && s.last_ready_version().as_deref() == Some("1.4.0")
    });
    let first = pid(&pid_file).unwrap();

    // The bot crashes: the supervisor starts it again.
    std::process::Command::new("kill")
        .args(["-9", &first])
        .status()
        .unwrap();
    wait_for("the bot to be started again", || {
        pid(&pid_file).is_some_and(|p| p != first && process_exists(&p))
    });
    serve.kill().unwrap();
    serve.wait().unwrap();
}

#[test]
fn an_update_posts_its_start_and_end_and_the_quiet_level_only_the_change() {
    use steward_tests::fakes::discord::FakeDiscord;
    let discord = FakeDiscord::start();
    let hook = "/api/v10/webhooks/42/hook-secret";
    let notifications = |quiet: bool| {
        format!(
            "[discord]\napi_base = \"{base}\"\nwebhook_url = \"{base}{hook}\"\n[notifications]\nonly_changes_and_errors = {quiet}\n",
            base = discord.api_base()
        )
    };
    let posted = |discord: &FakeDiscord| -> Vec<String> {
        discord
            .requests()
            .into_iter()
            .filter(|r| r.method == "POST" && r.path == hook)
            .map(|r| {
                r.body["embeds"][0]["title"]
                    .as_str()
                    .unwrap_or("")
                    .to_string()
            })
            .collect()
    };

    let s = setup_with(&notifications(false), "");
    let _bot = s.start_bot();
    s.publish_150(&s.demo_bot_py());
    let (run, _) = s.install_json(&[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let titles = posted(&discord);
    assert!(titles.contains(&"Update started".to_string()), "{titles:?}");
    assert!(
        titles.contains(&"Update completed".to_string()),
        "{titles:?}"
    );
    assert!(
        titles.iter().all(|t| !t.starts_with("Backup")),
        "the pre-update backup is part of the update's posts: {titles:?}"
    );

    // Quiet: nothing to do is not posted, and neither is a start.
    let quiet = setup_with(&notifications(true), "");
    let before = posted(&discord).len();
    let (run, json) = quiet.install_json(&[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(json["session"]["status"], "nothing_to_do", "{json:#}");
    assert_eq!(posted(&discord).len(), before, "{:?}", posted(&discord));

    let created = quiet.install.run(&["backup", "create"]);
    assert_eq!(created.code, Some(0), "{}", created.stderr);
    let titles = posted(&discord);
    assert!(
        titles
            .last()
            .is_some_and(|t| t.starts_with("Backup ") && t.ends_with(" created")),
        "{titles:?}"
    );
}

#[test]
fn without_yes_an_install_is_confirmed_unless_confirmation_is_turned_off() {
    let s = setup("");
    s.publish_150(&s.demo_bot_py());
    let refused = s.install.run(&["install", "--type", "bot"]);
    assert_eq!(
        refused.code,
        Some(2),
        "no terminal to ask: {}",
        refused.stderr
    );
    assert!(refused.stderr.contains("confirm"), "{}", refused.stderr);
    assert_eq!(s.current(), PathBuf::from("1.4.0"));

    let s = setup_with("[general]\nrequire_confirmation = false\n", "");
    let _bot = s.start_bot();
    s.publish_150(&s.demo_bot_py());
    let run = s.install.run(&["install", "--type", "bot", "--json"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.json()["session"]["status"], "completed");
    assert_eq!(s.current(), PathBuf::from("1.5.0"));
}

#[test]
fn serve_with_automatic_updates_installs_what_its_background_check_finds() {
    use steward_tests::fakes::discord::FakeDiscord;
    let discord = FakeDiscord::start();
    let s = setup_with(
        &format!(
            "[discord]\napi_base = \"{}\"\n[general]\nauto_updates_enabled = true\n[scheduling]\nallowed_update_types = [\"bot\"]\n",
            discord.api_base()
        ),
        "",
    );
    s.publish_150(&s.demo_bot_py());
    let mut serve = steward_tests::serve::spawn(&discord, &s.install);
    let _bot = Bot(&s.install);
    wait_for("the automatic update to 1.5.0", || {
        s.last_ready_version().as_deref() == Some("1.5.0")
    });
    assert_eq!(s.current(), PathBuf::from("1.5.0"));
    serve.kill().unwrap();
    serve.wait().unwrap();
}

#[test]
fn serve_posts_what_its_background_check_finds_when_not_updating_by_itself() {
    use steward_tests::fakes::discord::FakeDiscord;
    let discord = FakeDiscord::start();
    let hook = "/api/v10/webhooks/42/hook-secret";
    let s = setup_with(
        &format!(
            "[discord]\napi_base = \"{base}\"\nwebhook_url = \"{base}{hook}\"\n",
            base = discord.api_base()
        ),
        "",
    );
    s.publish_150(&s.demo_bot_py());
    let mut serve = steward_tests::serve::spawn(&discord, &s.install);
    let _bot = Bot(&s.install);
    // Other notices may come first (a bundled provider with no grant is
    // announced as waiting for one): wait for the check's own post.
    let post = discord.wait_for(
        0,
        std::time::Duration::from_secs(120),
        "the background check's post",
        |r| {
            r.method == "POST"
                && r.path == hook
                && r.body["embeds"][0]["title"]
                    .as_str()
                    .is_some_and(|t| t.ends_with("available"))
        },
    );
    let embed = &post.body["embeds"][0];
    assert!(
        embed["title"].as_str().unwrap().ends_with("available"),
        "{embed:#}"
    );
    let fields = embed["fields"].to_string();
    assert!(fields.contains("release"), "{embed:#}");
    assert_eq!(
        s.current(),
        PathBuf::from("1.4.0"),
        "nothing installed by itself"
    );
    serve.kill().unwrap();
    serve.wait().unwrap();
}

/// A port nothing listens on now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn the_health_probation_waits_for_the_health_url_and_fails_when_it_never_answers() {
    let install = steward_tests::harness::Install::new("");
    let port = free_port();
    let config = install.bot().join("config/config.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replacen("[bot]\n", &format!("[bot]\nhealth_port = {port}\n"), 1),
    )
    .unwrap();
    let bot_lines = |url: &str| {
        format!(
            "start = [\"python3\", \"{{bot}}/bot.py\"]\nhealth.health_url = \"{url}\"\nhealth.probation_secs = 1\nhealth.ready_timeout_secs = 5"
        )
    };
    install.write_config_with_bot(&bot_lines(&format!("http://127.0.0.1:{port}/health")), "");
    let _bot = Bot(&install);
    let run = install.run(&["bot", "start"]);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    let stop = install.run(&["bot", "stop"]);
    assert_eq!(stop.code, Some(0), "{}", stop.stderr);

    let wrong = free_port();
    install.write_config_with_bot(&bot_lines(&format!("http://127.0.0.1:{wrong}/health")), "");
    let run = install.run(&["bot", "start"]);
    assert_eq!(run.code, Some(2), "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "http://127.0.0.1:{wrong}/health never answered within 5 s"
        )),
        "{}",
        run.stderr
    );
    let status = install.run(&["bot", "status"]);
    assert_eq!(
        status.code,
        Some(2),
        "an unhealthy start is stopped: {}",
        status.stdout
    );
}

#[test]
fn without_yes_an_install_the_safety_checks_refuse_stops_before_asking() {
    let s = setup_with("[safety]\nmin_disk_space_mb = 4000000000\n", "");
    s.publish_150(&s.demo_bot_py());
    let run: steward_tests::harness::Run = s
        .install
        .command(&["install", "--type", "bot"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, Some(2), "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("stopped before anything changed")
            && run.stderr.contains("MiB free on the disk holding"),
        "the findings: {}",
        run.stderr
    );
    // Neither the plan put up for confirmation nor the question's refusal.
    for asked in [
        "Install these updates?",
        "Dry run",
        "confirm it to go ahead",
    ] {
        assert!(!run.stderr.contains(asked), "{asked}: {}", run.stderr);
    }
    assert_eq!(s.current(), PathBuf::from("1.4.0"));
}

/// The sessions `status --history --json` lists, newest first, and the
/// update statistics.
fn history(s: &Setup) -> (Vec<Value>, Value) {
    let status = s.install.run(&["status", "--history", "--json"]).json();
    let sessions = status["history"].as_array().unwrap().clone();
    (sessions, status["metrics"]["updates"].clone())
}

#[test]
fn installs_the_safety_checks_stop_are_recorded_as_stopped_not_as_failures() {
    let s = setup_with("[safety]\nmin_disk_space_mb = 4000000000\n", "");
    s.publish_150(&s.demo_bot_py());
    // Stopped at the preview before the question, and in the run (--yes).
    let asked: steward_tests::harness::Run = s
        .install
        .command(&["install", "--type", "bot"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
        .into();
    assert_eq!(asked.code, Some(2), "{}", asked.stderr);
    let run = s.install.run(&["install", "--type", "bot", "--yes"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);

    let (sessions, updates) = history(&s);
    let statuses: Vec<&Value> = sessions.iter().map(|s| &s["status"]).collect();
    assert_eq!(
        statuses,
        [&json!("stopped"), &json!("stopped")],
        "{sessions:#?}"
    );
    for session in &sessions {
        let error = session["error"].as_str().unwrap_or_default();
        assert!(
            error.contains("MiB free on the disk holding"),
            "{session:#}"
        );
        assert!(session["duration_secs"].is_null(), "{session:#}");
    }
    // Nothing ran: neither a failure nor part of the success rate.
    assert_eq!(updates["stopped"], 2, "{updates:#}");
    assert_eq!(
        (&updates["count"], &updates["failed"]),
        (&json!(0), &json!(0))
    );
    assert!(updates["success_rate"].is_null(), "{updates:#}");
    let text = s.install.run(&["status", "--history"]);
    assert!(
        text.stdout
            .contains("and 2 stopped by the safety checks, 0 cancelled (nothing changed)"),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains("Stopped"), "{}", text.stdout);
    assert!(
        text.stdout.contains("Last update: none recorded"),
        "{}",
        text.stdout
    );
    assert_eq!(s.current(), PathBuf::from("1.4.0"));
}

/// Runs steward with a terminal for its stdin, on which `answer` is typed.
fn run_answering(s: &Setup, args: &[&str], answer: &str) -> steward_tests::harness::Run {
    use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
    use std::io::Write;
    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).unwrap();
    grantpt(&master).unwrap();
    unlockpt(&master).unwrap();
    let name = ptsname(&master, Vec::new()).unwrap();
    let terminal = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(name.to_str().unwrap())
        .unwrap();
    let mut master = std::fs::File::from(master);
    master.write_all(answer.as_bytes()).unwrap();
    let output = s.install.command(args).stdin(terminal).output().unwrap();
    drop(master);
    output.into()
}

#[test]
fn an_install_answered_no_at_the_prompt_is_recorded_as_cancelled() {
    let s = setup("");
    s.publish_150(&s.demo_bot_py());
    let run = run_answering(&s, &["install", "--type", "bot"], "no\n");
    assert!(
        run.stderr.contains("Install these updates?"),
        "{}",
        run.stderr
    );
    assert_ne!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(s.current(), PathBuf::from("1.4.0"));

    let (sessions, updates) = history(&s);
    assert_eq!(sessions.len(), 1, "{sessions:#?}");
    assert_eq!(sessions[0]["status"], "cancelled", "{sessions:#?}");
    assert_eq!(sessions[0]["kind"], "install");
    assert_eq!(sessions[0]["update_type"], "bot");
    assert!(
        sessions[0]["error"]
            .as_str()
            .unwrap()
            .starts_with("cancelled at the confirmation prompt"),
        "{sessions:#?}"
    );
    assert_eq!(updates["cancelled"], 1, "{updates:#}");
    assert_eq!(
        (&updates["count"], &updates["failed"]),
        (&json!(0), &json!(0))
    );
}

#[test]
fn low_disk_space_and_breaking_updates_stop_an_install_unless_forced() {
    let s = setup_with("[safety]\nmin_disk_space_mb = 4000000000\n", "");
    let template = std::fs::read(s.install.bot().join("config.template.toml")).unwrap();
    let bot_py = s.demo_bot_py();
    s.publish(
        "2.0.0",
        &[
            ("bot.py", &bot_py),
            ("VERSION", b"2.0.0\n"),
            ("config.template.toml", &template),
        ],
    );
    let run = s.install.run(&["install", "--type", "bot", "--yes"]);
    assert_eq!(run.code, Some(2), "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("stopped before anything changed"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("MiB free on the disk holding"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("breaking changes: bot 1.4.0 → 2.0.0 (a new major version)"),
        "{}",
        run.stderr
    );
    assert_eq!(s.current(), PathBuf::from("1.4.0"));

    // Forced (and without the backup, which needs the space itself).
    let _bot = s.start_bot();
    let (run, json) = s.install_json(&["--force", "--no-backup"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(json["session"]["status"], "completed", "{json:#}");
    let warnings = json["warnings"].to_string();
    assert!(warnings.contains("forced past"), "{warnings}");
    assert_eq!(s.current(), PathBuf::from("2.0.0"));
}
