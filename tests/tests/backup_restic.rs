//! Backups as snapshots in a restic-format repository (`[backup] format =
//! "restic"`, issue 17), end to end with the real binary, and read by
//! Debian's real `restic`: round trip, the password made at first use, a
//! wrong password, adopting a repository `restic init` made, a damaged pack,
//! retention as forget + prune, an interrupted backup, an unchanged database
//! taken from the snapshot before and a changed one (WAL or rollback
//! journal) copied again.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use steward_tests::harness::{Install, insert_start, install_with_database, ok};

const RESTIC: &str = "[backup]\nformat = \"restic\"\n";

fn install(extra: &str) -> Install {
    install_with_database(&format!("{RESTIC}{extra}"))
}

fn repo(install: &Install) -> PathBuf {
    install.data().join("backups")
}

fn password_file(install: &Install) -> PathBuf {
    install.data().join("backup-password")
}

/// `restic -r REPO ARGS` with the password Steward uses.
fn restic(install: &Install, password: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new("restic")
        .arg("-r")
        .arg(repo(install))
        .arg("--password-file")
        .arg(password)
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

fn restic_snapshots(install: &Install, password: &Path) -> Vec<Value> {
    let (ok, out, err) = restic(install, password, &["snapshots", "--json"]);
    assert!(ok, "restic snapshots failed: {err}");
    serde_json::from_str::<Value>(&out)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn create(install: &Install, args: &[&str]) -> Value {
    let mut all = vec!["backup", "create", "--json"];
    all.extend_from_slice(args);
    let run = install.run(&all);
    ok(&run)["record"].clone()
}

/// Every regular file under `dir`, relative path -> bytes (the database
/// compared by its rows instead).
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            if e.file_type().unwrap().is_dir() {
                walk(root, &p, out);
            } else if !rel.contains("bot.sqlite3") {
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn starts(db: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT version FROM starts ORDER BY rowid")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Names and sizes of every file in the repository, to show nothing changed.
fn repository_files(dir: &Path) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for e in walkdir(dir) {
        out.insert(
            e.strip_prefix(dir).unwrap().display().to_string(),
            std::fs::metadata(&e).unwrap().len(),
        );
    }
    out
}

/// `len` bytes no compressor shrinks (xorshift), different for each `seed`.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walkdir(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn a_snapshot_round_trips_and_restic_itself_lists_checks_and_restores_it() {
    let install = install("");
    let bot = install.bot();
    let db = bot.join("data/bot.sqlite3");
    insert_start(&db, "1.0.0");
    let before = files(&bot);

    let first = install.run(&[
        "backup", "create", "--json", "--type", "full", "--name", "first",
    ]);
    let record = ok(&first)["record"].clone();
    // The password was made at first use, owner-only, and the operator told.
    let password = password_file(&install);
    let mode = std::fs::metadata(&password).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "the password file is owner-only");
    assert!(
        first
            .stderr
            .contains("keep a copy of this file somewhere else"),
        "the operator is told to keep the password: {}",
        first.stderr
    );
    let snapshot = record["metadata"]["snapshot"].as_str().unwrap().to_string();
    assert_eq!(record["file_path"], repo(&install).display().to_string());
    assert!(
        record["compressed_size"].as_u64().unwrap() > 0,
        "{record:#}"
    );

    // Debian's restic reads what Steward wrote.
    let snaps = restic_snapshots(&install, &password);
    assert_eq!(snaps.len(), 1, "{snaps:#?}");
    assert_eq!(snaps[0]["id"], snapshot);
    let tags: Vec<&str> = snaps[0]["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    for t in [
        "steward",
        "type=full",
        "name=first",
        "steward_version=0.1.0",
    ] {
        assert!(tags.contains(&t), "tag {t} missing: {tags:?}");
    }
    let (checked, out, err) = restic(&install, &password, &["check", "--read-data"]);
    assert!(checked, "restic check failed:\n{out}\n{err}");
    let target = install.root().join("restic-restore");
    let (restored, out, err) = restic(
        &install,
        &password,
        &["restore", &snapshot, "--target", target.to_str().unwrap()],
    );
    assert!(restored, "restic restore failed:\n{out}\n{err}");
    let by_restic = target.join(bot.strip_prefix("/").unwrap());
    for rel in [
        "bot.py",
        "config/config.toml",
        "package.json",
        "data/seed.sql",
    ] {
        assert_eq!(
            std::fs::read(by_restic.join(rel)).unwrap(),
            before[rel],
            "restic restored {rel} differently"
        );
    }
    assert_eq!(starts(&by_restic.join("data/bot.sqlite3")), vec!["1.0.0"]);

    // An unchanged re-run stores next to nothing new.
    let second = create(&install, &["--type", "full"]);
    assert!(
        second["compressed_size"].as_u64().unwrap() * 4
            < record["compressed_size"].as_u64().unwrap(),
        "the second snapshot should add little: {} vs {}",
        second["compressed_size"],
        record["compressed_size"]
    );
    let listed = ok(&install.run(&["backup", "list", "--json", "--range", "all"]));
    assert_eq!(listed["total_count"], 2);
    assert_eq!(
        listed["total_stored_bytes"].as_u64().unwrap(),
        record["compressed_size"].as_u64().unwrap() + second["compressed_size"].as_u64().unwrap()
    );
    let table = install.run(&["backup", "list", "--range", "all"]);
    assert!(table.succeeded().contains("added"), "{}", table.stdout);

    // Steward's own restore puts everything back.
    for rel in before.keys() {
        std::fs::write(bot.join(rel), "damaged").unwrap();
    }
    insert_start(&db, "damaged");
    let verified = ok(&install.run(&["backup", "verify", "first", "--drill", "--json"]));
    assert_eq!(verified["ok"], true, "{verified:#}");
    let restored = ok(&install.run(&["backup", "restore", "first", "--yes", "--json"]));
    assert!(
        restored["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "data/bot.sqlite3"),
        "{restored:#}"
    );
    assert_eq!(files(&bot), before, "every file back byte for byte");
    assert_eq!(starts(&db), vec!["1.0.0"], "the database as it was");
}

#[test]
fn a_wrong_password_is_named_and_nothing_is_touched() {
    let install = install("");
    create(&install, &["--type", "config"]);
    let before = repository_files(&repo(&install));
    let run = install
        .command(&["backup", "create", "--type", "config"])
        .env("STEWARD_BACKUP_PASSWORD", "not the password")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success());
    assert!(
        stderr.contains("password does not open the backup repository"),
        "{stderr}"
    );
    let mut after = repository_files(&repo(&install));
    after.remove(".lock");
    let mut before = before;
    before.remove(".lock");
    assert_eq!(after, before, "the repository is untouched");
    assert_eq!(
        restic_snapshots(&install, &password_file(&install)).len(),
        1
    );
}

#[test]
fn steward_adopts_a_repository_restic_initialized() {
    let install = install("password_file = \"restic-password\"\n");
    let password = install.root().join("restic-password");
    std::fs::write(&password, "correct horse\n").unwrap();
    std::fs::create_dir_all(install.data()).unwrap();
    let (inited, out, err) = restic(&install, &password, &["init"]);
    assert!(inited, "restic init: {out}{err}");

    let record = create(
        &install,
        &["--type", "config", "--description", "before, the upgrade"],
    );
    assert!(
        !password_file(&install).exists(),
        "no password of Steward's own is made for an adopted repository"
    );
    let snaps = restic_snapshots(&install, &password);
    assert_eq!(snaps.len(), 1);
    assert_eq!(snaps[0]["id"], record["metadata"]["snapshot"]);
    assert!(
        snaps[0]["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "description=before; the upgrade"),
        "{:#}",
        snaps[0]
    );
}

#[test]
fn a_flipped_byte_in_a_pack_fails_verify_naming_the_file_and_restore_refuses() {
    let install = install("");
    let bot = install.bot();
    // An incompressible file, so its pack is by far the largest.
    std::fs::write(bot.join("config/noise.bin"), noise(400_000, 1)).unwrap();
    let record = create(&install, &["--type", "config"]);
    let id = record["id"].as_str().unwrap();
    let largest = walkdir(&repo(&install).join("data"))
        .into_iter()
        .max_by_key(|p| std::fs::metadata(p).unwrap().len())
        .unwrap();
    let mut bytes = std::fs::read(&largest).unwrap();
    let middle = bytes.len() / 3;
    bytes[middle] ^= 0x55;
    std::fs::write(&largest, bytes).unwrap();

    let run = install.run(&["backup", "verify", id, "--json"]);
    let verified = run.json();
    assert_eq!(verified["ok"], false, "{verified:#}");
    let problems = verified["problems"].to_string();
    assert!(
        problems.contains("config/noise.bin: damaged in the repository"),
        "verify names the damaged file: {problems}"
    );
    // Typed too, for the fronts that word it themselves.
    assert!(
        verified["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["problem"] == "file_damaged" && f["path"] == "config/noise.bin"),
        "{verified:#}"
    );
    // A snapshot has no archive: the words say what was checked.
    let text = install.run(&["backup", "verify", id]);
    assert!(
        text.stdout.contains(&format!(
            "  snapshot {} (repository structure and every file's data): DAMAGED",
            &record["metadata"]["snapshot"].as_str().unwrap()[..8]
        )) && !text.stdout.contains("archive checksum"),
        "{}",
        text.stdout
    );
    std::fs::write(bot.join("config/config.toml"), "changed = 1\n").unwrap();
    let run = install.run(&["backup", "restore", id, "--yes"]);
    assert_ne!(run.code, Some(0), "{}", run.stdout);
    assert_eq!(
        std::fs::read_to_string(bot.join("config/config.toml")).unwrap(),
        "changed = 1\n",
        "nothing restored from a damaged snapshot"
    );
}

#[test]
fn retention_forgets_beyond_max_backups_and_prunes_their_data() {
    let install = install("max_backups = 2\n");
    let bot = install.bot();
    let mut ids = Vec::new();
    for i in 0..3 {
        // A new incompressible file each time, so each snapshot adds data.
        std::fs::write(bot.join(format!("data/blob{i}.bin")), noise(200_000, i + 2)).unwrap();
        let record = create(&install, &["--type", "full"]);
        ids.push(record["metadata"]["snapshot"].as_str().unwrap().to_string());
        std::fs::remove_file(bot.join(format!("data/blob{i}.bin"))).unwrap();
    }
    let snaps = restic_snapshots(&install, &password_file(&install));
    let left: Vec<&str> = snaps.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(!left.contains(&ids[0].as_str()), "the oldest is forgotten");
    let (checked, out, err) = restic(&install, &password_file(&install), &["check"]);
    assert!(checked, "{out}{err}");
    // The first snapshot's own blob is gone from the packs: restoring the
    // remaining snapshots never needs it, and restic finds nothing unused.
    let (_, out, _) = restic(&install, &password_file(&install), &["prune", "--dry-run"]);
    assert!(
        out.contains("0 B") || out.contains("unused size after prune:"),
        "{out}"
    );
}

#[test]
fn a_backup_killed_midway_leaves_no_snapshot_and_the_next_one_works() {
    let install = install("");
    let bot = install.bot();
    // Enough data that the kill lands while packs are being written.
    std::fs::write(bot.join("data/big.bin"), noise(32 * 1024 * 1024, 99)).unwrap();
    create(&install, &["--type", "config"]);
    let mut child = install
        .command(&["backup", "create", "--type", "full"])
        .spawn()
        .unwrap();
    // Wait until the repository grows, then kill.
    let start = std::time::Instant::now();
    let packs = || walkdir(&repo(&install).join("data")).len();
    let initial = packs();
    while packs() == initial && start.elapsed().as_secs() < 60 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let password = password_file(&install);
    assert_eq!(
        restic_snapshots(&install, &password).len(),
        1,
        "no half snapshot is listed"
    );
    let (checked, out, err) = restic(&install, &password, &["check"]);
    assert!(checked, "restic check after kill -9:\n{out}\n{err}");
    let listed = ok(&install.run(&["backup", "list", "--json", "--range", "all"]));
    assert_eq!(listed["total_count"], 1, "{listed:#}");
    create(&install, &["--type", "full"]);
    assert_eq!(restic_snapshots(&install, &password).len(), 2);
}

#[test]
fn an_unchanged_database_is_taken_from_the_snapshot_before_and_restores_the_same_rows() {
    let install = install("");
    let db = install.bot().join("data/bot.sqlite3");
    insert_start(&db, "1.0.0");
    create(&install, &["--type", "full"]);
    // Nothing changed: the database is not copied again, and the snapshot
    // (every other file unchanged too) adds nothing at all.
    let second = create(&install, &["--type", "full"]);
    assert_eq!(
        second["compressed_size"], 0,
        "an unchanged re-run adds nothing: {second:#}"
    );
    // Another file changed, the database not: restic itself sees only
    // that file differ, the database's entry (its copy) is the same.
    std::fs::write(install.bot().join("bot.py"), "print('changed')\n").unwrap();
    let third = create(&install, &["--type", "full"]);
    let password = password_file(&install);
    let snapshot = |r: &Value| r["metadata"]["snapshot"].as_str().unwrap().to_string();
    let (diffed, out, err) = restic(
        &install,
        &password,
        &["diff", "--metadata", &snapshot(&second), &snapshot(&third)],
    );
    assert!(diffed, "restic diff failed: {err}");
    assert!(out.contains("bot.py"), "{out}");
    assert!(
        !out.contains("bot.sqlite3"),
        "the database was copied again: {out}"
    );
    let (checked, out, err) = restic(&install, &password, &["check", "--read-data"]);
    assert!(checked, "restic check failed:\n{out}\n{err}");
    insert_start(&db, "damaged");
    for r in [&second, &third] {
        let id = r["id"].as_str().unwrap();
        ok(&install.run(&["backup", "restore", id, "--yes", "--json"]));
        assert_eq!(starts(&db), vec!["1.0.0"], "the database as it was");
    }
}

#[test]
fn a_row_written_between_two_backups_is_in_the_second_in_wal_and_rollback_journal_mode() {
    for mode in ["WAL", "DELETE"] {
        let install = install("");
        let db = install.bot().join("data/bot.sqlite3");
        rusqlite::Connection::open(&db)
            .unwrap()
            .pragma_update(None, "journal_mode", mode)
            .unwrap();
        insert_start(&db, "1.0.0");
        let first = create(&install, &["--type", "full"]);
        // The bot keeps its connection open: in WAL mode the new row stays
        // in the -wal, not checkpointed into the database file.
        let bot = rusqlite::Connection::open(&db).unwrap();
        bot.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
        bot.execute(
            "INSERT INTO starts (version, pid, mode, started_at) VALUES ('1.1.0', 2, 'offline', '2024-01-02')",
            [],
        )
        .unwrap();
        let second = create(&install, &["--type", "full"]);
        drop(bot);
        assert!(
            second["compressed_size"].as_u64().unwrap() > 0,
            "{mode}: the changed database is stored: {second:#}"
        );
        insert_start(&db, "damaged");
        let id = second["id"].as_str().unwrap();
        ok(&install.run(&["backup", "restore", id, "--yes", "--json"]));
        assert_eq!(starts(&db), vec!["1.0.0", "1.1.0"], "{mode}: the new row");
        let id = first["id"].as_str().unwrap();
        ok(&install.run(&["backup", "restore", id, "--yes", "--json"]));
        assert_eq!(starts(&db), vec!["1.0.0"], "{mode}: the first as it was");
    }
}

#[test]
fn a_file_the_backup_cannot_read_fails_it_and_no_snapshot_is_listed() {
    if !rustix::process::geteuid().is_root() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs the tests as root, which switching to `nobody` needs"
        );
        eprintln!("skipped: switching to the user nobody needs root");
        return;
    }
    let install = install("");
    let chown = Command::new("chown")
        .args(["-R", "nobody:nogroup"])
        .arg(install.root())
        .status()
        .unwrap();
    assert!(chown.success());
    // One file Steward, running as nobody, cannot open.
    let secret = install.bot().join("data/owner-only.json");
    std::fs::write(&secret, "{}\n").unwrap();
    std::os::unix::fs::chown(&secret, Some(0), Some(0)).unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
    let run: steward_tests::harness::Run = Command::new("setpriv")
        .args(["--reuid=nobody", "--regid=nogroup", "--clear-groups"])
        .arg(steward_tests::harness::steward_bin())
        .arg("--config")
        .arg(install.config_path())
        .args(["backup", "create", "--type", "full"])
        .output()
        .expect("running setpriv")
        .into();
    assert_ne!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("cannot read")
            && run.stderr.contains("data/owner-only.json")
            && run.stderr.contains("Permission denied"),
        "the error names the file: {}",
        run.stderr
    );
    let password = password_file(&install);
    assert_eq!(
        restic_snapshots(&install, &password).len(),
        0,
        "no snapshot without the file is left"
    );
}

fn gnu_tar_lists(archive: &Path) -> Vec<String> {
    let out = Command::new("tar")
        .arg("tzf")
        .arg(archive)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(String::from)
        .collect()
}

#[test]
fn an_archive_keeps_working_until_imported_and_export_writes_one_tar_reads() {
    // An archive made before the switch to the repository (then the
    // default format), and the data directory upgraded to today's default.
    let install = install_with_database("[backup]\nformat = \"tar\"\n");
    let bot = install.bot();
    let old = create(&install, &["--type", "config", "--name", "before-switch"]);
    let old_archive = PathBuf::from(old["file_path"].as_str().unwrap());
    assert!(old_archive.to_string_lossy().ends_with(".tar.gz"));
    install.write_config("");

    // Still listed and restorable as it is.
    std::fs::write(bot.join("config/config.toml"), "changed = 1\n").unwrap();
    ok(&install.run(&["backup", "restore", "before-switch", "--yes", "--json"]));
    let original = std::fs::read_to_string(bot.join("config/config.toml")).unwrap();
    assert_ne!(original, "changed = 1\n");

    // Imported: the same backup, now a snapshot; its archive is gone.
    let imported = ok(&install.run(&["backup", "import", old_archive.to_str().unwrap(), "--json"]))
        ["record"]
        .clone();
    assert_eq!(imported["id"], old["id"]);
    assert_eq!(imported["name"], "before-switch");
    let snapshot = imported["metadata"]["snapshot"].as_str().unwrap();
    assert!(!old_archive.exists(), "the imported archive is replaced");
    let snaps = restic_snapshots(&install, &password_file(&install));
    assert!(snaps.iter().any(|s| s["id"] == snapshot), "{snaps:#?}");
    let again = install.run(&["backup", "import", old_archive.to_str().unwrap()]);
    assert_ne!(again.code, Some(0));

    // Exported from the snapshot: today's format, manifest first.
    let exported = install.root().join("exported.tar.gz");
    let out = ok(&install.run(&[
        "backup",
        "export",
        "before-switch",
        "--tar",
        exported.to_str().unwrap(),
        "--json",
    ]));
    assert_eq!(out["file"], exported.display().to_string());
    let listed = gnu_tar_lists(&exported);
    assert_eq!(listed[0], "steward-manifest.json");
    assert!(
        listed.iter().any(|l| l == "config/config.toml"),
        "{listed:?}"
    );
    let refused = install.run(&[
        "backup",
        "export",
        "before-switch",
        "--tar",
        exported.to_str().unwrap(),
    ]);
    assert_ne!(
        refused.code,
        Some(0),
        "an existing file is never overwritten"
    );

    // The snapshot restores what the archive held.
    std::fs::write(bot.join("config/config.toml"), "changed = 2\n").unwrap();
    ok(&install.run(&["backup", "restore", "before-switch", "--yes", "--json"]));
    assert_eq!(
        std::fs::read_to_string(bot.join("config/config.toml")).unwrap(),
        original
    );
}

/// A first backup creates the repository while it selects the files when
/// the password is configured; refused after that (no space), it leaves a
/// repository the next backup uses whole, or none.
#[test]
fn a_first_backup_refused_for_space_leaves_the_next_one_a_whole_repository() {
    let install = install("");
    let password = install.root().join("repo-password");
    std::fs::write(&password, "refused-first\n").unwrap();
    let config = |extra: &str| {
        format!(
            "{RESTIC}password_file = \"{}\"\n{extra}",
            password.display()
        )
    };
    install.write_config(&config("[safety]\nmin_disk_space_mb = 1000000000\n"));
    let refused = install.run(&["backup", "create", "--type", "full"]);
    assert_eq!(refused.code, Some(2), "{}", refused.stderr);
    assert!(
        refused.stderr.contains("Not enough disk space"),
        "{}",
        refused.stderr
    );
    install.write_config(&config(""));
    let record = create(&install, &["--type", "full"]);
    assert_eq!(record["status"], "completed", "{record:#}");
    let (ok, out, err) = restic(&install, &password, &["check"]);
    assert!(
        ok,
        "restic check after the refused first backup: {out}{err}"
    );
    assert_eq!(restic_snapshots(&install, &password).len(), 1);
}

#[test]
fn the_answer_of_the_backup_that_made_the_password_says_to_keep_a_copy_once() {
    let install = install("");
    let first = install.run(&["backup", "create", "--type", "config"]);
    let password = password_file(&install);
    assert!(
        first.succeeded().contains(&format!(
            "IMPORTANT: Steward created the password of the backup repository in {}.",
            password.display()
        )) && first
            .stdout
            .contains("Keep a copy of this file somewhere else"),
        "the answer itself tells the operator: {}",
        first.stdout
    );
    let json = ok(&install.run(&["backup", "create", "--type", "config", "--json"]));
    assert!(json["password_created"].is_null(), "said once: {json:#}");
    let again = install.run(&["backup", "create", "--type", "config"]);
    assert!(
        !again.succeeded().contains("IMPORTANT"),
        "said once: {}",
        again.stdout
    );
}

/// `restic backup DIR` into Steward's repository, as an operator would.
fn restic_backup(install: &Install, dir: &Path) -> String {
    let (ok, out, err) = restic(
        install,
        &password_file(install),
        &[
            "backup",
            "--json",
            "--host",
            "bare-metal",
            dir.to_str().unwrap(),
        ],
    );
    assert!(ok, "restic backup: {out}{err}");
    let summary: Value = out
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v["message_type"] == "summary")
        .unwrap_or_else(|| panic!("no summary: {out}"));
    summary["snapshot_id"].as_str().unwrap().to_string()
}

#[test]
fn snapshots_restic_made_are_listed_verified_and_restored_when_they_are_of_the_root() {
    let install = install("");
    let bot = install.bot();
    let db = bot.join("data/bot.sqlite3");
    insert_start(&db, "1.0.0");
    create(&install, &["--type", "config", "--name", "steward-made"]);
    let before = files(&bot);
    let of_root = restic_backup(&install, &bot);
    let of_config = restic_backup(&install, &bot.join("config"));

    let listed = ok(&install.run(&["backup", "list", "--json", "--range", "all"]));
    assert_eq!(listed["total_count"], 3, "{listed:#}");
    let backups = listed["backups"].as_array().unwrap();
    let adopted = |snapshot: &str| {
        backups
            .iter()
            .find(|b| {
                b["metadata"]["snapshot"]
                    .as_str()
                    .is_some_and(|s| s.starts_with(snapshot))
            })
            .unwrap_or_else(|| panic!("{snapshot} not listed: {listed:#}"))
            .clone()
    };
    let root = adopted(&of_root);
    assert_eq!(root["id"], format!("restic_{}", &of_root[..8]));
    assert_eq!(root["metadata"]["made_by"], "restic");
    assert_eq!(root["metadata"]["host"], "bare-metal");
    assert_eq!(
        root["paths"],
        serde_json::json!([bot.display().to_string()])
    );
    assert!(root["file_count"].as_u64().unwrap() >= 10, "{root:#}");
    let table = install.run(&["backup", "list", "--range", "all"]);
    assert!(
        table
            .succeeded()
            .contains(&format!("(by restic on bare-metal: {})", bot.display())),
        "{}",
        table.stdout
    );

    // Of the bot's root: verified and restored like Steward's own.
    let id = root["id"].as_str().unwrap();
    let verified = ok(&install.run(&["backup", "verify", id, "--drill", "--json"]));
    assert_eq!(verified["ok"], true, "{verified:#}");
    for rel in before.keys() {
        std::fs::write(bot.join(rel), "damaged").unwrap();
    }
    insert_start(&db, "damaged");
    ok(&install.run(&["backup", "restore", id, "--yes", "--json"]));
    assert_eq!(files(&bot), before, "every file back byte for byte");
    assert_eq!(starts(&db), vec!["1.0.0"]);

    // Of another directory: listed, but never restored into the root.
    let config = adopted(&of_config)["id"].as_str().unwrap().to_string();
    std::fs::write(bot.join("config/config.toml"), "changed = 1\n").unwrap();
    let run = install.run(&["backup", "restore", &config, "--yes"]);
    assert_ne!(run.code, Some(0), "{}", run.stdout);
    assert!(
        run.stderr.contains("restore it with `restic restore`"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(bot.join("config/config.toml")).unwrap(),
        "changed = 1\n"
    );

    // Forgotten by restic: gone from the list too.
    let (forgot, out, err) = restic(&install, &password_file(&install), &["forget", &of_config]);
    assert!(forgot, "{out}{err}");
    let listed = ok(&install.run(&["backup", "list", "--json", "--range", "all"]));
    assert_eq!(listed["total_count"], 2, "{listed:#}");
}

/// The pack holding the snapshot's tree blobs, from restic's own index.
fn tree_pack(install: &Install) -> String {
    let password = password_file(install);
    let (ok, out, err) = restic(install, &password, &["list", "index"]);
    assert!(ok, "{err}");
    for index in out.lines() {
        let (ok, json, err) = restic(install, &password, &["cat", "index", index.trim()]);
        assert!(ok, "{err}");
        let index: Value = serde_json::from_str(&json).unwrap();
        for pack in index["packs"].as_array().unwrap() {
            if pack["blobs"]
                .as_array()
                .unwrap()
                .iter()
                .any(|b| b["type"] == "tree")
            {
                return pack["id"].as_str().unwrap().to_string();
            }
        }
    }
    panic!("no tree pack in the index");
}

#[test]
fn verify_runs_the_structural_check_and_names_a_damaged_tree_pack() {
    let install = install("verify_backups = false\n");
    let record = create(&install, &["--type", "config"]);
    let id = record["id"].as_str().unwrap();
    let snapshot = record["metadata"]["snapshot"].as_str().unwrap();
    let pack = tree_pack(&install);
    let path = repo(&install).join("data").join(&pack[..2]).join(&pack);
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes.len() / 4;
    bytes[at] ^= 0x55;
    std::fs::write(&path, bytes).unwrap();

    let run = install.run(&["backup", "verify", id, "--json"]);
    assert_eq!(run.code, Some(4), "{}{}", run.stdout, run.stderr);
    let verified = run.json();
    assert_eq!(verified["ok"], false, "{verified:#}");
    let problems: Vec<&str> = verified["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with(&format!("snapshot {}: ", &snapshot[..8]))
                && p.contains(&format!("pack {pack}"))),
        "the snapshot and the pack are named: {problems:#?}"
    );
    assert!(
        problems.iter().all(|p| !p.contains('\n')),
        "one line a problem, no backtraces: {problems:#?}"
    );
    // restic's own check agrees the repository is damaged.
    let (checked, _, _) = restic(&install, &password_file(&install), &["check"]);
    assert!(!checked, "restic check passed a damaged tree pack");
}

#[test]
fn an_install_whose_pre_update_backup_made_the_password_says_to_keep_a_copy_once() {
    let s = steward_tests::release_bot::setup("");
    let _bot = s.start_bot();
    s.publish_150(&s.demo_bot_py());
    let password = s.install.data().join("backup-password");
    assert!(!password.exists(), "no password before the first backup");

    let run = s.install.run(&["install", "--type", "bot", "--yes"]);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    assert!(
        password.is_file(),
        "the pre-update backup made the password"
    );
    assert!(
        run.stdout.contains(&format!(
            "IMPORTANT: Steward created the password of the backup repository in {}.",
            password.display()
        )) && run
            .stdout
            .contains("Keep a copy of this file somewhere else"),
        "the install's answer tells the operator: {}",
        run.stdout
    );
    assert_eq!(
        run.stdout.matches("IMPORTANT").count(),
        1,
        "said once: {}",
        run.stdout
    );
    let again = s.install.run(&["backup", "create", "--type", "config"]);
    assert!(
        !again.succeeded().contains("IMPORTANT"),
        "said once, by the install: {}",
        again.stdout
    );
}

/// A restore onto the tree its snapshot was taken of writes only what
/// differs: a file still as backed up is left as it is (the same inode,
/// never rewritten), while a file whose bytes changed behind the same size
/// and mtime (in its last blob, or whole) and one whose mode alone changed
/// are put back as the snapshot has them, times included.
#[test]
fn a_restore_in_place_rewrites_every_file_that_differs_even_behind_the_same_size_and_mtime() {
    use std::os::unix::fs::MetadataExt;
    let install = install("verify_backups = false\n");
    let bot = install.bot();
    std::fs::create_dir_all(bot.join("data/kept")).unwrap();
    std::fs::write(bot.join("data/kept/same.json"), "{\"same\": true}\n").unwrap();
    std::fs::write(bot.join("data/kept/hidden.json"), "{\"hidden\": 1}\n").unwrap();
    // Several blobs (restic's chunks are 512 KiB to 8 MiB).
    let big = noise(6 << 20, 7);
    std::fs::write(bot.join("data/kept/big.bin"), &big).unwrap();
    std::fs::write(bot.join("data/kept/mode.sh"), "echo hi\n").unwrap();
    std::fs::set_permissions(
        bot.join("data/kept/mode.sh"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    let record = create(&install, &[]);
    let id = record["id"].as_str().unwrap();
    let before = files(&bot);
    let meta = |rel: &str| std::fs::metadata(bot.join(rel)).unwrap();
    let mtime = |rel: &str| meta(rel).modified().unwrap();

    // Changed behind the same size and mtime.
    let hide = |rel: &str, bytes: &[u8]| {
        let was = mtime(rel);
        std::fs::write(bot.join(rel), bytes).unwrap();
        std::fs::File::options()
            .write(true)
            .open(bot.join(rel))
            .unwrap()
            .set_modified(was)
            .unwrap();
        assert_eq!(mtime(rel), was);
    };
    hide("data/kept/hidden.json", b"{\"hidden\": 2}\n");
    let mut changed = big.clone();
    let last = changed.len() - 10;
    changed[last] ^= 0xff;
    hide("data/kept/big.bin", &changed);
    std::fs::set_permissions(
        bot.join("data/kept/mode.sh"),
        std::fs::Permissions::from_mode(0o700),
    )
    .unwrap();
    let same_inode = meta("data/kept/same.json").ino();
    let same_mtime = mtime("data/kept/same.json");
    let hidden_mtime = mtime("data/kept/hidden.json");

    let restored = ok(&install.run(&["backup", "restore", id, "--yes", "--json"]));
    assert!(
        restored["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "data/kept/same.json"),
        "{restored}"
    );
    let after = files(&bot);
    assert!(
        after == before,
        "differs from the backup: {:?}",
        after
            .keys()
            .filter(|k| before.get(*k) != after.get(*k))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        meta("data/kept/mode.sh").mode() & 0o7777,
        0o755,
        "the mode is put back"
    );
    assert_eq!(
        meta("data/kept/same.json").ino(),
        same_inode,
        "a file that matches is not written again"
    );
    assert_eq!(mtime("data/kept/same.json"), same_mtime);
    assert_ne!(meta("data/kept/hidden.json").ino(), 0);
    assert_eq!(
        mtime("data/kept/hidden.json"),
        hidden_mtime,
        "a restored file gets the snapshot's mtime"
    );
}

/// A database with rows behind an index, then its middle pages scribbled
/// over (the header intact): the online backup API copies it page by page
/// without complaint, and only `PRAGMA integrity_check` on the copy finds
/// the damage.
fn damaged_database(path: &Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch("CREATE TABLE t(x TEXT); CREATE INDEX i ON t(x);")
        .unwrap();
    for i in 0..2000 {
        conn.execute(
            "INSERT INTO t VALUES (?1)",
            [format!("row {i:05} padding padding")],
        )
        .unwrap();
    }
    drop(conn);
    let mut bytes = std::fs::read(path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle..middle + 8192].fill(0xA5);
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn a_database_whose_copy_fails_the_integrity_check_fails_the_backup_and_no_snapshot_is_listed() {
    let install = install("");
    let password = password_file(&install);
    let db = install.bot().join("data/guild.sqlite3");
    // First as the repository's first backup, then as a database changed
    // since a good backup (the copy is made while the repository opens,
    // in both).
    for good_before in [false, true] {
        let _ = std::fs::remove_file(&db);
        if good_before {
            rusqlite::Connection::open(&db)
                .unwrap()
                .execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
                .unwrap();
            create(&install, &["--type", "full"]);
            std::fs::remove_file(&db).unwrap();
        }
        damaged_database(&db);
        let snapshots = if good_before {
            restic_snapshots(&install, &password).len()
        } else {
            0
        };
        let run = install.run(&["backup", "create", "--type", "full"]);
        assert_ne!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
        assert!(
            run.stderr
                .contains("The database data/guild.sqlite3 fails SQLite's integrity check"),
            "the error names the database and the check: {}",
            run.stderr
        );
        assert_eq!(
            restic_snapshots(&install, &password).len(),
            snapshots,
            "no snapshot holds the damaged copy"
        );
        let left: Vec<PathBuf> = walkdir(&repo(&install))
            .into_iter()
            .filter(|p| p.to_string_lossy().contains(".staging-"))
            .collect();
        assert!(left.is_empty(), "the copies are removed: {left:?}");
    }
}
