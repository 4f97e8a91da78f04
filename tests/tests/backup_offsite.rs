//! Offsite copies (`[backup.offsite.NAME]`, issue 17), end to end with the
//! real binary: each new snapshot copied to a directory target and to a
//! real restic REST server (`rclone serve restic` on loopback), read there
//! by Debian's `restic`; `backup list` saying where each backup lives; a
//! restore pulled back from offsite after the local repository is gone;
//! retention on both sides; an unreachable target and wrong credentials
//! reported without failing the local backup or printing the secret.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use steward_tests::etcd::free_port;
use steward_tests::harness::{Install, Run, install_with_database, ok};
use steward_tests::restic_rest::RestServer;
use steward_tests::s3::{ACCESS_KEY, S3Server, SECRET_KEY};
use steward_tests::sshd::Sshd;

const SECRET_ENV: &str = "STEWARD_TEST_OFFSITE_SECRET";

fn password_file(install: &Install) -> PathBuf {
    install.data().join("backup-password")
}

/// `restic -r LOCATION ARGS` with Steward's password.
fn restic(install: &Install, location: &str, args: &[&str]) -> (bool, String, String) {
    restic_at(install, &["-r".into(), location.into()], &[], args)
}

/// `restic REPO_ARGS ARGS` with Steward's password and `env`.
fn restic_at(
    install: &Install,
    repo: &[String],
    env: &[(&str, &str)],
    args: &[&str],
) -> (bool, String, String) {
    let out = Command::new("restic")
        .args(repo)
        .envs(env.iter().copied())
        .arg("--password-file")
        .arg(password_file(install))
        .arg("--no-cache")
        .args(args)
        .output()
        .expect("Debian's restic (apt-get install restic)");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The backup ids (`id=` tags) of the snapshots restic lists there.
fn restic_backup_ids(install: &Install, location: &str) -> Vec<String> {
    restic_ids_at(install, &["-r".into(), location.into()], &[])
}

fn restic_ids_at(install: &Install, repo: &[String], env: &[(&str, &str)]) -> Vec<String> {
    let (good, out, err) = restic_at(install, repo, env, &["snapshots", "--json"]);
    assert!(good, "restic snapshots at {repo:?} failed: {err}");
    let snaps: Value = serde_json::from_str(&out).unwrap();
    let mut ids: Vec<String> = snaps
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| {
            s["tags"]
                .as_array()?
                .iter()
                .find_map(|t| t.as_str()?.strip_prefix("id=").map(str::to_string))
        })
        .collect();
    ids.sort();
    ids
}

fn run_with_secret(install: &Install, secret: &str, args: &[&str]) -> Run {
    install
        .command(args)
        .env(SECRET_ENV, secret)
        .output()
        .expect("running steward")
        .into()
}

fn create(install: &Install, secret: &str) -> Value {
    ok(&run_with_secret(
        install,
        secret,
        &["backup", "create", "--json"],
    ))
}

/// `steward ARGS` reaching `sshd`: its host key trusted from the server's
/// temp dir, nothing of the user's `~/.ssh` read or written.
fn run_over_ssh(install: &Install, sshd: &Sshd, args: &[&str]) -> Run {
    install
        .command(args)
        .envs(sshd.env())
        .output()
        .expect("running steward")
        .into()
}

/// The running user's own `known_hosts`, as it is (the tests leave it so).
fn users_known_hosts() -> Option<String> {
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    std::fs::read_to_string(Path::new(&home).join(".ssh/known_hosts")).ok()
}

fn path_target(dir: &Path) -> String {
    format!(
        "[backup.offsite.disk]\nkind = \"path\"\npath = \"{}\"\n",
        dir.display()
    )
}

fn rest_target(name: &str, server_url: &str, user: &str) -> String {
    format!(
        "[backup.offsite.{name}]\nkind = \"rest\"\nurl = \"{server_url}\"\nuser = \"{user}\"\npassword_env = \"{SECRET_ENV}\"\n"
    )
}

/// The `WHERE` cell of `backup list` for backup `id`.
fn listed_where(install: &Install, id: &str) -> String {
    let run = install.run(&["backup", "list", "--range", "all"]);
    let out = run.succeeded();
    let line = out
        .lines()
        .find(|l| l.contains(id))
        .unwrap_or_else(|| panic!("{id} not listed:\n{out}"));
    assert!(out.contains("WHERE"), "{out}");
    line.to_string()
}

#[test]
fn each_snapshot_is_copied_to_a_path_target_that_restic_reads() {
    let offsite = tempfile::tempdir().unwrap();
    let target = offsite.path().join("steward");
    let install = install_with_database(&path_target(&target));

    let first = create(&install, "");
    let id1 = first["record"]["id"].as_str().unwrap().to_string();
    let copy = &first["offsite"][0];
    assert_eq!(copy["target"], "disk", "{first:#}");
    assert_eq!(copy["copied"], 1, "{first:#}");
    assert!(copy["error"].is_null(), "{first:#}");

    let second = create(&install, "");
    let id2 = second["record"]["id"].as_str().unwrap().to_string();
    assert_eq!(
        second["offsite"][0]["copied"], 1,
        "only the new one travels"
    );

    let location = target.to_str().unwrap();
    let mut expected = vec![id1.clone(), id2.clone()];
    expected.sort();
    assert_eq!(restic_backup_ids(&install, location), expected);
    let (good, out, err) = restic(&install, location, &["check", "--read-data"]);
    assert!(good, "restic check of the copy failed:\n{out}\n{err}");

    // restic alone restores the bot's files from the offsite copy.
    let restored = install.root().join("from-offsite");
    let (good, _, err) = restic(
        &install,
        location,
        &[
            "restore",
            "latest",
            "--tag",
            &format!("id={id2}"),
            "--target",
            restored.to_str().unwrap(),
        ],
    );
    assert!(good, "restic restore failed: {err}");
    let config = install.bot().join("config/config.toml");
    let copied = restored.join(config.strip_prefix("/").unwrap());
    assert_eq!(
        std::fs::read(&copied).unwrap(),
        std::fs::read(&config).unwrap()
    );

    let line = listed_where(&install, &id1);
    assert!(line.contains("local, disk"), "{line}");
    // The human answer says the copy was made.
    let run = install.run(&["backup", "create"]);
    assert!(
        run.succeeded()
            .contains("Offsite disk: 1 snapshot copied and checked there."),
        "{}",
        run.stdout
    );
}

#[test]
fn restore_pulls_from_offsite_after_the_local_repository_is_deleted() {
    let offsite = tempfile::tempdir().unwrap();
    let target = offsite.path().join("steward");
    let install = install_with_database(&path_target(&target));
    let created = create(&install, "");
    let id = created["record"]["id"].as_str().unwrap().to_string();
    let config = install.bot().join("config/config.toml");
    let original = std::fs::read_to_string(&config).unwrap();

    std::fs::write(&config, "changed = 1\n").unwrap();
    std::fs::remove_dir_all(install.data().join("backups")).unwrap();

    let line = listed_where(&install, &id);
    assert!(
        line.contains("disk") && !line.contains("local"),
        "the local copy is gone, the offsite one is listed: {line}"
    );
    let restored = ok(&install.run(&["backup", "restore", &id, "--yes", "--json"]));
    assert!(
        restored["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "config/config.toml"),
        "{restored:#}"
    );
    assert_eq!(std::fs::read_to_string(&config).unwrap(), original);
    let line = listed_where(&install, &id);
    assert!(line.contains("local, disk"), "pulled back: {line}");
}

#[test]
fn a_rest_server_target_gets_copies_restic_reads_and_restores_from() {
    let server = RestServer::start(free_port(), "steward", "s3cret-rest-pass");
    let install = install_with_database(&rest_target("office", &server.url("bot"), "steward"));

    let created = create(&install, "s3cret-rest-pass");
    let id = created["record"]["id"].as_str().unwrap().to_string();
    assert_eq!(created["offsite"][0]["target"], "office", "{created:#}");
    assert_eq!(created["offsite"][0]["copied"], 1, "{created:#}");
    assert!(created["offsite"][0]["error"].is_null(), "{created:#}");

    let location = server.restic_location("bot");
    assert_eq!(restic_backup_ids(&install, &location), vec![id.clone()]);
    let (good, out, err) = restic(&install, &location, &["check", "--read-data"]);
    assert!(good, "restic check over REST failed:\n{out}\n{err}");

    let config = install.bot().join("config/config.toml");
    let original = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, "changed = 1\n").unwrap();
    std::fs::remove_dir_all(install.data().join("backups")).unwrap();
    ok(&run_with_secret(
        &install,
        "s3cret-rest-pass",
        &["backup", "restore", &id, "--yes", "--json"],
    ));
    assert_eq!(std::fs::read_to_string(&config).unwrap(), original);
}

#[test]
fn an_unreachable_target_leaves_the_local_backup_and_is_caught_up_later() {
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/bot");
    let install = install_with_database(&rest_target("away", &url, "steward"));

    let run = run_with_secret(&install, "pw", &["backup", "create"]);
    let out = run.succeeded();
    assert!(
        out.contains(&format!("OFFSITE COPY FAILED: offsite target away ({url})")),
        "{out}"
    );
    assert!(out.contains("cannot connect"), "{out}");
    assert!(out.contains("The local backup is complete"), "{out}");
    // The backup's own answer comes first, then the copy's.
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("Backup backup_"), "{out}");
    let copying = lines
        .iter()
        .position(|l| l.starts_with("Copying backup backup_") && l.ends_with(" offsite…"))
        .unwrap_or_else(|| panic!("{out}"));
    let failed = lines
        .iter()
        .position(|l| l.starts_with("OFFSITE COPY FAILED"))
        .unwrap();
    assert!(copying < failed, "{out}");
    let listed = ok(&install.run(&["backup", "list", "--json"]));
    assert_eq!(listed["backups"].as_array().unwrap().len(), 1, "{listed:#}");
    // The failure is on record until a copy succeeds.
    let id = listed["backups"][0]["id"].as_str().unwrap().to_string();
    assert!(
        listed_where(&install, &id).ends_with("local, away (copy failed, retried)"),
        "{}",
        listed_where(&install, &id)
    );

    // The server comes back: the next backup copies both.
    let server = RestServer::start(port, "steward", "pw");
    let second = create(&install, "pw");
    assert_eq!(second["offsite"][0]["copied"], 2, "{second:#}");
    assert_eq!(
        restic_backup_ids(&install, &server.restic_location("bot")).len(),
        2
    );
    assert!(
        listed_where(&install, &id).ends_with("local, away"),
        "caught up: {}",
        listed_where(&install, &id)
    );
}

/// A server that accepts connections and never answers: a target that
/// hangs (until the client's 10-minute timeout).
fn hanging_target() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/bot", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    url
}

#[test]
fn a_hanging_target_does_not_hold_back_the_backups_answer() {
    use std::io::BufRead;
    let install = install_with_database(&rest_target("slow", &hanging_target(), "steward"));
    let mut child = install
        .command(&["backup", "create"])
        .env(SECRET_ENV, "pw")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines_tx, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let mut seen: Vec<String> = Vec::new();
    while !seen.iter().any(|l| l.starts_with("Copying backup")) {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) => seen.push(line),
            Err(_) => {
                let _ = child.kill();
                panic!("no answer while the target hangs: {seen:#?}");
            }
        }
    }
    assert!(
        seen[0].starts_with("Backup backup_") && seen[0].contains(" created: "),
        "{seen:#?}"
    );
    std::thread::sleep(std::time::Duration::from_secs(2));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the copy is still running after the answer"
    );
    let _ = child.kill();
    let _ = child.wait();
    let listed = ok(&install.run(&["backup", "list", "--json"]));
    assert_eq!(listed["backups"][0]["status"], "completed", "{listed:#}");
}

#[test]
fn under_serve_a_hanging_target_copies_in_the_background_and_backups_go_on() {
    let install = install_with_database(&rest_target("slow", &hanging_target(), "steward"));
    let log = std::fs::File::create(install.root().join("serve.log")).unwrap();
    let mut serve = install
        .command(&["serve"])
        .env(SECRET_ENV, "pw")
        .env_remove("DISCORD_TOKEN")
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    let socket = install.data().join("steward.sock");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !socket.exists() {
        assert!(std::time::Instant::now() < deadline, "serve never listened");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let started = std::time::Instant::now();
    let first = install.run(&["backup", "create", "--type", "config"]);
    let out = first.succeeded().to_string();
    assert!(
        out.contains("Offsite copies to slow follow in the service's background"),
        "{out}"
    );
    // The copy holds no backup lock: the next backup and the list go on.
    let second = install.run(&["backup", "create", "--type", "config", "--json"]);
    let second = ok(&second);
    assert_eq!(
        second["offsite_due"],
        serde_json::json!(["slow"]),
        "{second:#}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(300),
        "answered while the target hangs"
    );
    let listed = ok(&install.run(&["backup", "list", "--json"]));
    assert_eq!(listed["backups"].as_array().unwrap().len(), 2, "{listed:#}");
    let _ = serve.kill();
    let _ = serve.wait();
}

#[test]
fn wrong_credentials_are_reported_without_the_secret() {
    let server = RestServer::start(free_port(), "steward", "the-right-one");
    let install = install_with_database(&rest_target("office", &server.url("bot"), "steward"));
    let wrong = "wrong-Secret-7f3a9c";
    let run = run_with_secret(&install, wrong, &["backup", "create"]);
    let out = run.succeeded();
    assert!(
        out.contains("OFFSITE COPY FAILED: offsite target office")
            && out.contains("the server refused the credentials"),
        "{out}"
    );
    for secret in [wrong, "the-right-one"] {
        assert!(!run.stdout.contains(secret), "{}", run.stdout);
        assert!(!run.stderr.contains(secret), "{}", run.stderr);
    }
    assert!(
        !server.repo_dir("bot").join("config").exists(),
        "nothing was written there"
    );
}

#[test]
fn pruned_backups_are_forgotten_offsite_too() {
    let offsite = tempfile::tempdir().unwrap();
    let target = offsite.path().join("steward");
    let install = install_with_database(&format!(
        "{}\n",
        path_target(&target).replace(
            "[backup.offsite.disk]",
            "[backup]\nmax_backups = 1\n\n[backup.offsite.disk]"
        )
    ));
    let first = create(&install, "");
    let second = create(&install, "");
    let id2 = second["record"]["id"].as_str().unwrap().to_string();
    assert_ne!(first["record"]["id"], second["record"]["id"]);
    assert_eq!(second["offsite"][0]["forgotten"], 1, "{second:#}");
    assert_eq!(
        restic_backup_ids(&install, target.to_str().unwrap()),
        vec![id2]
    );
}

#[test]
fn credentials_in_a_target_url_are_refused_at_load() {
    let install = Install::new(
        "[backup.offsite.office]\nkind = \"rest\"\nurl = \"http://steward:hunter2@127.0.0.1:1/bot\"\n",
    );
    let run = install.run(&["backup", "list"]);
    assert_ne!(run.code, Some(0));
    assert!(
        run.stderr
            .contains("[backup.offsite.office]: url must not hold credentials"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_sftp_target_gets_copies_restic_reads_and_restores_from() {
    let before = users_known_hosts();
    let sshd = Sshd::start(free_port());
    let remote = sshd.storage().join("steward");
    let install = install_with_database(&format!(
        "[backup.offsite.ssh]\nkind = \"sftp\"\nhost = \"127.0.0.1\"\nport = {}\nuser = \"{}\"\npath = \"{}\"\nkey_file = \"{}\"\n",
        sshd.port,
        sshd.user,
        remote.display(),
        sshd.user_key().display()
    ));
    let created = ok(&run_over_ssh(
        &install,
        &sshd,
        &["backup", "create", "--json"],
    ));
    let id = created["record"]["id"].as_str().unwrap().to_string();
    let copy = &created["offsite"][0];
    assert_eq!(copy["target"], "ssh", "{created:#}");
    assert!(copy["error"].is_null(), "{created:#}\nsshd: {}", sshd.log());
    assert_eq!(copy["copied"], 1, "{created:#}");
    assert_eq!(
        sshd.masters_left(),
        Vec::<String>::new(),
        "the command ended, so must its ssh connection"
    );

    let repo = sshd.restic_args(&remote);
    assert_eq!(restic_ids_at(&install, &repo, &[]), vec![id.clone()]);
    let (good, out, err) = restic_at(&install, &repo, &[], &["check", "--read-data"]);
    assert!(good, "restic check over SFTP failed:\n{out}\n{err}");

    let config = install.bot().join("config/config.toml");
    let original = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, "changed = 1\n").unwrap();
    std::fs::remove_dir_all(install.data().join("backups")).unwrap();
    ok(&run_over_ssh(
        &install,
        &sshd,
        &["backup", "restore", &id, "--yes", "--json"],
    ));
    assert_eq!(std::fs::read_to_string(&config).unwrap(), original);
    assert_eq!(sshd.masters_left(), Vec::<String>::new());
    assert_eq!(
        users_known_hosts(),
        before,
        "the user's ~/.ssh/known_hosts is left alone"
    );
}

#[test]
fn an_sftp_key_the_server_refuses_is_reported_and_the_backup_stands() {
    let sshd = Sshd::start(free_port());
    let remote = sshd.storage().join("steward");
    let install = install_with_database(&format!(
        "[backup.offsite.ssh]\nkind = \"sftp\"\nhost = \"127.0.0.1\"\nport = {}\nuser = \"{}\"\npath = \"{}\"\nkey_file = \"{}\"\n",
        sshd.port,
        sshd.user,
        remote.display(),
        sshd.other_key().display()
    ));
    let run = run_over_ssh(&install, &sshd, &["backup", "create"]);
    let out = run.succeeded();
    assert!(
        out.contains(&format!(
            "OFFSITE COPY FAILED: offsite target ssh (sftp://{}@127.0.0.1:{}{})",
            sshd.user,
            sshd.port,
            remote.display()
        )),
        "{out}"
    );
    assert!(out.contains("Permission denied (publickey)"), "{out}");
    assert!(out.contains("The local backup is complete"), "{out}");
    assert!(!remote.join("config").exists(), "nothing was written there");
}

#[test]
fn an_s3_target_gets_copies_restic_reads_and_restores_from() {
    let server = S3Server::start(free_port(), "steward-offsite");
    let install = install_with_database(&format!(
        "[backup.offsite.bucket]\nkind = \"s3\"\nendpoint = \"{}\"\nregion = \"us-east-1\"\nbucket = \"{}\"\npath = \"bot\"\nuser = \"{ACCESS_KEY}\"\npassword_env = \"{SECRET_ENV}\"\n",
        server.endpoint(),
        server.bucket
    ));
    let created = create(&install, SECRET_KEY);
    let id = created["record"]["id"].as_str().unwrap().to_string();
    let copy = &created["offsite"][0];
    assert_eq!(copy["target"], "bucket", "{created:#}");
    assert!(
        copy["error"].is_null(),
        "{created:#}\ns3s-fs: {}",
        server.log()
    );
    assert_eq!(copy["copied"], 1, "{created:#}");

    let repo = vec!["-r".to_string(), server.restic_location("bot")];
    let env = [
        ("AWS_ACCESS_KEY_ID", ACCESS_KEY),
        ("AWS_SECRET_ACCESS_KEY", SECRET_KEY),
    ];
    assert_eq!(restic_ids_at(&install, &repo, &env), vec![id.clone()]);
    // restic alone restores the bot's files over S3.
    let config = install.bot().join("config/config.toml");
    let original = std::fs::read_to_string(&config).unwrap();
    let restored = install.root().join("from-s3");
    let (good, _, err) = restic_at(
        &install,
        &repo,
        &env,
        &["restore", "latest", "--target", restored.to_str().unwrap()],
    );
    assert!(good, "restic restore over S3 failed: {err}");
    let copied = restored.join(config.strip_prefix("/").unwrap());
    assert_eq!(std::fs::read_to_string(&copied).unwrap(), original);
    // `restic check` lists data/ recursively, which minio-go asks for
    // with an empty `delimiter=` that s3s-fs 0.14 takes for a delimiter
    // matching everywhere (no packs listed, "pack ... does not exist";
    // restic's own repositories on s3s-fs fail the same way). So the
    // objects Steward uploaded are checked where s3s-fs keeps them.
    let stored = server.stored("bot");
    let (good, out, err) = restic(
        &install,
        stored.to_str().unwrap(),
        &["check", "--read-data"],
    );
    assert!(good, "restic check of the S3 copy failed:\n{out}\n{err}");

    std::fs::write(&config, "changed = 1\n").unwrap();
    std::fs::remove_dir_all(install.data().join("backups")).unwrap();
    ok(&run_with_secret(
        &install,
        SECRET_KEY,
        &["backup", "restore", &id, "--yes", "--json"],
    ));
    assert_eq!(std::fs::read_to_string(&config).unwrap(), original);
    // The secret key is never printed.
    let run = run_with_secret(&install, SECRET_KEY, &["backup", "create"]);
    assert!(!run.stdout.contains(SECRET_KEY) && !run.stderr.contains(SECRET_KEY));
}

#[test]
fn a_wrong_s3_secret_key_is_reported_without_the_secret_and_the_backup_stands() {
    let server = S3Server::start(free_port(), "steward-offsite");
    let install = install_with_database(&format!(
        "[backup.offsite.bucket]\nkind = \"s3\"\nendpoint = \"{}\"\nregion = \"us-east-1\"\nbucket = \"{}\"\npath = \"bot\"\nuser = \"{ACCESS_KEY}\"\npassword_env = \"{SECRET_ENV}\"\n",
        server.endpoint(),
        server.bucket
    ));
    let wrong = "wrong-S3-secret-4b7e1d";
    let run = run_with_secret(&install, wrong, &["backup", "create"]);
    let out = run.succeeded();
    assert!(
        out.contains(&format!(
            "OFFSITE COPY FAILED: offsite target bucket (s3://{}/bot at {})",
            server.bucket,
            server.endpoint()
        )),
        "{out}"
    );
    assert!(
        out.contains("config failed: access denied, check the credentials."),
        "{out}"
    );
    assert!(out.contains("The local backup is complete"), "{out}");
    for secret in [wrong, SECRET_KEY] {
        assert!(!run.stdout.contains(secret), "{}", run.stdout);
        assert!(!run.stderr.contains(secret), "{}", run.stderr);
    }
    // Nor in any file Steward wrote (its log, state database, journal).
    let mut dirs = vec![install.root().to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let (path, kind) = (entry.path(), entry.file_type().unwrap());
            if kind.is_dir() {
                dirs.push(path);
            } else if kind.is_file() {
                let bytes = std::fs::read(&path).unwrap();
                assert!(
                    !bytes.windows(wrong.len()).any(|w| w == wrong.as_bytes()),
                    "the secret is in {}",
                    path.display()
                );
            }
        }
    }
    let listed = ok(&install.run(&["backup", "list", "--json"]));
    assert_eq!(listed["backups"].as_array().unwrap().len(), 1, "{listed:#}");
    assert!(
        !server.stored("bot").join("config").exists(),
        "nothing was written there: {}",
        server.log()
    );
}

#[test]
fn a_failed_offsite_copy_is_posted_to_the_webhook() {
    use steward_tests::fakes::discord::FakeDiscord;
    let discord = FakeDiscord::start();
    let url = format!("http://127.0.0.1:{}/bot", free_port());
    let install = install_with_database(&format!(
        "[discord]\napi_base = \"{base}\"\nwebhook_url = \"{base}/api/v10/webhooks/42/hook-secret\"\n\n{}",
        rest_target("away", &url, "steward"),
        base = discord.api_base()
    ));
    let run = install
        .command(&["backup", "create", "--json"])
        .env(SECRET_ENV, "pw")
        .env_remove("DISCORD_TOKEN")
        .output()
        .expect("running steward");
    let run: Run = run.into();
    let created = ok(&run);
    let id = created["record"]["id"].as_str().unwrap();
    let requests = discord.requests();
    let embed = requests
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/api/v10/webhooks/42/hook-secret")
        .map(|r| r.body["embeds"][0].clone())
        .find(|e| e["title"] == "Offsite copy to away failed")
        .unwrap_or_else(|| panic!("no offsite notice posted: {requests:#?}"));
    let text = embed["description"].as_str().unwrap();
    assert!(
        text.contains(&format!("offsite target away ({url})"))
            && text.contains(&format!("Backup {id} is complete here")),
        "{text}"
    );
}

#[test]
fn a_schedule_only_target_is_left_alone_by_a_backup_made_by_hand() {
    let offsite = tempfile::tempdir().unwrap();
    let target = offsite.path().join("steward");
    let install = install_with_database(&format!("{}when = \"schedule\"\n", path_target(&target)));
    let created = create(&install, "");
    assert_eq!(created["offsite"], serde_json::json!([]), "{created:#}");
    assert!(!target.exists(), "nothing copied by hand-made backups");
}

/// The largest file under `dir`: with incompressible data in the backup,
/// its data pack.
fn largest_file(dir: &Path) -> PathBuf {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, &mut files);
    files
        .into_iter()
        .max_by_key(|p| std::fs::metadata(p).unwrap().len())
        .unwrap()
}

#[test]
fn verify_checks_each_offsite_copy_there_and_names_a_damaged_one() {
    let offsite = tempfile::tempdir().unwrap();
    let target = offsite.path().join("steward");
    let install = install_with_database(&path_target(&target));
    let noise: Vec<u8> = (0..400_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(install.bot().join("config/noise.bin"), noise).unwrap();
    let created = create(&install, "");
    let id = created["record"]["id"].as_str().unwrap().to_string();

    let verified = ok(&install.run(&["backup", "verify", &id, "--json"]));
    assert_eq!(verified["ok"], true, "{verified:#}");
    assert_eq!(verified["offsite"][0]["target"], "disk", "{verified:#}");
    assert!(
        verified["offsite"][0]["snapshot"].is_string(),
        "{verified:#}"
    );
    let text = install.run(&["backup", "verify", &id]);
    assert!(
        text.succeeded().contains("  offsite disk: copy ")
            && text
                .stdout
                .contains(" intact (repository check of its data there)"),
        "{}",
        text.stdout
    );

    // A flipped byte in the copy's data pack, there only.
    let pack = largest_file(&target.join("data"));
    let mut bytes = std::fs::read(&pack).unwrap();
    let middle = bytes.len() / 3;
    bytes[middle] ^= 0x55;
    std::fs::write(&pack, bytes).unwrap();
    let run = install.run(&["backup", "verify", &id, "--json"]);
    assert_ne!(run.code, Some(0), "{}", run.stdout);
    let verified = run.json();
    assert_eq!(verified["ok"], false, "{verified:#}");
    let problems = verified["problems"].to_string();
    assert!(
        problems.contains(&format!(
            "offsite target disk ({}): the copy fails its check there",
            target.display()
        )),
        "{problems}"
    );
    let text = install.run(&["backup", "verify", &id]);
    assert!(
        text.stdout.contains("  offsite disk: copy ") && text.stdout.contains(" DAMAGED"),
        "{}",
        text.stdout
    );
    // The local snapshot is sound: its own line says so.
    assert!(
        text.stdout.contains("every file's data): intact"),
        "{}",
        text.stdout
    );
}

#[test]
fn verify_checks_the_offsite_copy_when_the_local_repository_is_lost() {
    let offsite = tempfile::tempdir().unwrap();
    let target = offsite.path().join("steward");
    let install = install_with_database(&path_target(&target));
    let created = create(&install, "");
    let id = created["record"]["id"].as_str().unwrap().to_string();
    std::fs::remove_dir_all(install.data().join("backups")).unwrap();

    let verified = ok(&install.run(&["backup", "verify", &id, "--json"]));
    assert_eq!(verified["ok"], true, "{verified:#}");
    assert_eq!(verified["only_offsite"], true, "{verified:#}");
    assert_eq!(verified["offsite"][0]["target"], "disk", "{verified:#}");
    let text = install.run(&["backup", "verify", &id]);
    let out = text.succeeded();
    assert!(
        out.contains("  local repository: lacks snapshot ")
            && out.contains("only its offsite copies were checked")
            && out.contains(" intact (repository check of its data there)"),
        "{out}"
    );

    // With the copy gone too, verify fails and says so.
    std::fs::remove_dir_all(&target).unwrap();
    let run = install.run(&["backup", "verify", &id, "--json"]);
    assert_ne!(run.code, Some(0), "{}", run.stdout);
    let problems = run.json()["problems"].to_string();
    assert!(
        problems.contains(&format!(
            "backup {id} is not in the local repository, and no offsite target holds a sound copy"
        )),
        "{problems}"
    );
}

#[test]
fn status_names_a_target_whose_copy_failed_and_the_backups_it_lacks() {
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/bot");
    let install = install_with_database(&rest_target("away", &url, "steward"));
    let first = create(&install, "pw");
    let id = first["record"]["id"].as_str().unwrap().to_string();

    let run = install.run(&["status"]);
    let out = run.succeeded();
    let line = out
        .lines()
        .find(|l| l.starts_with("Offsite copy failed: away lacks 1 backup"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(line.contains(&id), "{out}");
    assert!(line.contains("retried at the next copy"), "{out}");
    assert!(
        line.contains(&format!("offsite target away ({url})")),
        "{out}"
    );
    let report = ok(&install.run(&["status", "--json"]));
    assert_eq!(report["copies_failed"][0]["target"], "away", "{report:#}");
    assert_eq!(
        report["copies_failed"][0]["backups"][0],
        id.as_str(),
        "{report:#}"
    );

    // Caught up: status no longer names it.
    let _server = RestServer::start(port, "steward", "pw");
    create(&install, "pw");
    let run = install.run(&["status"]);
    let out = run.succeeded();
    assert!(!out.contains("Offsite copy failed"), "{out}");
    let report = ok(&install.run(&["status", "--json"]));
    assert_eq!(report["copies_failed"], serde_json::json!([]), "{report:#}");
}
