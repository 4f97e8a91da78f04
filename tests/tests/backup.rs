//! `steward backup …` end to end: the real binary backs up (snapshots in a
//! restic repository by default, archives with `format = "tar"`), lists,
//! verifies and restores a copy of the demo bot; hostile archives are
//! refused without a byte written outside the staging directory.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use steward_tests::harness::{
    Install, create_backup as create, insert_start, install_with_database as install, ok,
};

fn list(install: &Install) -> Vec<Value> {
    ok(&install.run(&[
        "backup", "list", "--json", "--range", "all", "--limit", "50",
    ]))["backups"]
        .as_array()
        .unwrap()
        .clone()
}

/// Every regular file under `root` (skipping the database and its sidecars,
/// compared by content instead), relative path -> bytes.
fn files(root: &Path) -> BTreeMap<String, Vec<u8>> {
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
    walk(root, root, &mut out);
    out
}

/// Every row of every table, as text.
fn rows(db: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut out = Vec::new();
    for t in tables {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM {t} ORDER BY rowid"))
            .unwrap();
        let n = stmt.column_count();
        let mut q = stmt.query([]).unwrap();
        while let Some(row) = q.next().unwrap() {
            let cells: Vec<String> = (0..n)
                .map(|i| format!("{:?}", row.get_ref(i).unwrap()))
                .collect();
            out.push(format!("{t}: {}", cells.join(", ")));
        }
    }
    out
}

/// The explicit old format: each backup a `.tar.gz` (or `.tar`) archive.
const TAR: &str = "[backup]\nformat = \"tar\"\n";

/// `restic -r <repository> ARGS` with the password Steward created: what an
/// operator runs on a bare machine.
fn restic(install: &Install, args: &[&str]) -> String {
    let out = Command::new("restic")
        .arg("-r")
        .arg(install.data().join("backups"))
        .arg("--password-file")
        .arg(install.data().join("backup-password"))
        .arg("--no-cache")
        .args(args)
        .output()
        .expect("Debian's restic (apt-get install restic)");
    assert!(
        out.status.success(),
        "restic {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The files of a backup's snapshot, relative to the bot's root, as
/// `restic ls` lists them.
fn snapshot_lists(install: &Install, record: &Value) -> Vec<String> {
    let snapshot = record["metadata"]["snapshot"]
        .as_str()
        .unwrap_or_else(|| panic!("not a snapshot: {record:#}"));
    let prefix = format!("{}/", install.bot().display());
    restic(install, &["ls", "--json", snapshot])
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|n| n["type"] == "file")
        .filter_map(|n| {
            n["path"]
                .as_str()
                .and_then(|p| p.strip_prefix(&prefix))
                .map(String::from)
        })
        .collect()
}

fn gnu_tar_lists(archive: &Path, compressed: bool) -> Vec<String> {
    let out = Command::new("tar")
        .arg(if compressed { "tzf" } else { "tf" })
        .arg(archive)
        .output()
        .expect("GNU tar");
    assert!(
        out.status.success(),
        "tar refused {}: {}",
        archive.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(String::from)
        .collect()
}

#[test]
fn every_backup_type_round_trips_byte_for_byte() {
    let install = install("");
    let bot = install.bot();
    let db = bot.join("data/bot.sqlite3");
    insert_start(&db, "1.0.0");
    std::fs::create_dir_all(bot.join("logs")).unwrap();
    std::fs::write(bot.join("logs/bot.log"), "a log line\n").unwrap();
    let before_files = files(&bot);
    let before_rows = rows(&db);

    for (backup_type, compressed) in [
        ("full", true),
        ("database", true),
        ("config", false),
        ("data_only", true),
    ] {
        let mut args = vec!["--type", backup_type];
        if !compressed {
            args.push("--no-compress");
        }
        let record = create(&install, &args);
        assert_eq!(record["status"], "completed");
        // A snapshot in the repository (the default format), which restic
        // itself lists.
        assert_eq!(
            record["file_path"],
            install.data().join("backups").display().to_string()
        );
        let listed = snapshot_lists(&install, &record);
        assert!(!listed.is_empty(), "{backup_type}: an empty snapshot");
        assert!(
            !listed.iter().any(|p| p.starts_with("logs/")),
            "logs only with --include-logs"
        );

        // Damage everything, then restore and compare.
        for (rel, _) in before_files.iter() {
            std::fs::write(bot.join(rel), "damaged").unwrap();
        }
        insert_start(&db, "damaged");
        let id = record["id"].as_str().unwrap();
        let restored = ok(&install.run(&["backup", "restore", id, "--yes", "--json"]));
        let restored_files: Vec<&str> = restored["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap())
            .collect();
        let after = files(&bot);
        for (rel, bytes) in &before_files {
            if restored_files.contains(&rel.as_str()) {
                assert_eq!(
                    &after[rel], bytes,
                    "{backup_type}: {rel} not restored byte for byte"
                );
            } else {
                assert_eq!(
                    after[rel], b"damaged",
                    "{backup_type}: {rel} is not in this type"
                );
            }
        }
        let covers_db = matches!(backup_type, "full" | "database" | "data_only");
        assert_eq!(
            restored_files.contains(&"data/bot.sqlite3"),
            covers_db,
            "{backup_type}"
        );
        if covers_db {
            assert_eq!(rows(&db), before_rows, "{backup_type}: database content");
        }
        for (rel, bytes) in &before_files {
            std::fs::write(bot.join(rel), bytes).unwrap();
        }
        if !covers_db {
            // Put the database back for the next round.
            std::fs::remove_file(&db).unwrap();
            let _ = std::fs::remove_file(bot.join("data/bot.sqlite3-wal"));
            let _ = std::fs::remove_file(bot.join("data/bot.sqlite3-shm"));
            install.seed_database();
            insert_start(&db, "1.0.0");
        }
    }
    let expected = [
        (
            "full",
            vec![
                "bot.py",
                "config/config.toml",
                "data/bot.sqlite3",
                "data/seed.sql",
                "package.json",
            ],
        ),
        ("database", vec!["data/bot.sqlite3"]),
        (
            "config",
            vec!["config/config.toml", "config/.steward-base.toml"],
        ),
        ("data_only", vec!["data/bot.sqlite3", "data/reminders.json"]),
    ];
    let backups = list(&install);
    for (t, must) in expected {
        let b = backups.iter().find(|b| b["backup_type"] == t).unwrap();
        let listed = snapshot_lists(&install, b);
        for m in must {
            assert!(
                listed.iter().any(|l| l == m),
                "{t} backup lacks {m}: {listed:?}"
            );
        }
    }
}

#[test]
fn include_logs_adds_the_logs() {
    let install = install("");
    std::fs::create_dir_all(install.bot().join("logs")).unwrap();
    std::fs::write(install.bot().join("logs/bot.log"), "line\n").unwrap();
    let record = create(&install, &["--include-logs"]);
    let listed = snapshot_lists(&install, &record);
    assert!(listed.contains(&"logs/bot.log".to_string()), "{listed:?}");
    let plain = create(&install, &[]);
    let listed = snapshot_lists(&install, &plain);
    assert!(!listed.iter().any(|l| l.starts_with("logs/")), "{listed:?}");
}

/// The old format, asked for explicitly: archives any `tar` opens, the
/// manifest first, `--no-compress` a plain `.tar`.
#[test]
fn with_format_tar_each_backup_is_an_archive_tar_opens() {
    let install = install(TAR);
    std::fs::create_dir_all(install.bot().join("logs")).unwrap();
    std::fs::write(install.bot().join("logs/bot.log"), "line\n").unwrap();
    for (args, compressed) in [
        (vec!["--include-logs"], true),
        (vec!["--no-compress"], false),
    ] {
        let record = create(&install, &args);
        let archive = PathBuf::from(record["file_path"].as_str().unwrap());
        assert_eq!(
            archive.extension().unwrap(),
            if compressed { "gz" } else { "tar" }
        );
        let listed = gnu_tar_lists(&archive, compressed);
        assert_eq!(listed[0], "steward-manifest.json", "manifest first");
        assert!(
            listed.contains(&"data/bot.sqlite3".to_string()),
            "{listed:?}"
        );
        assert_eq!(
            listed.contains(&"logs/bot.log".to_string()),
            compressed,
            "logs only with --include-logs: {listed:?}"
        );
    }
    assert!(
        !install.data().join("backup-password").exists(),
        "no repository, so no password, for archives"
    );
}

#[test]
fn a_database_written_during_the_backup_is_copied_consistently() {
    let install = install("");
    let db = install.bot().join("data/bot.sqlite3");
    insert_start(&db, "1.0.0");
    // Enough rows that the copy takes a while.
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch("BEGIN").unwrap();
        for i in 0..20_000 {
            conn.execute(
                "INSERT INTO command_uses (command, user_id, used_at) VALUES ('ping', ?1, '2024-01-01')",
                [format!("{i:020}")],
            )
            .unwrap();
        }
        conn.execute_batch("COMMIT").unwrap();
    }
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let stop = stop.clone();
        let db = db.clone();
        std::thread::spawn(move || {
            let conn = rusqlite::Connection::open(&db).unwrap();
            conn.busy_timeout(std::time::Duration::from_secs(10))
                .unwrap();
            let mut n = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                conn.execute(
                    "INSERT INTO heartbeats (start_id, at) VALUES (1, ?1)",
                    [format!("write {n}")],
                )
                .unwrap();
                n += 1;
            }
            n
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(200));
    let record = create(&install, &["--type", "database"]);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let written = writer.join().unwrap();
    assert!(written > 0, "the writer never wrote");

    let id = record["id"].as_str().unwrap();
    let verified = ok(&install.run(&["backup", "verify", id, "--drill", "--json"]));
    assert_eq!(verified["ok"], true, "{verified:#}");
    assert_eq!(
        verified["drill"]["databases"][0]["ok"], true,
        "{verified:#}"
    );

    // The copy is one consistent snapshot: a prefix of the writer's rows
    // (read back with restic itself).
    let out = tempfile::tempdir().unwrap();
    let snapshot = record["metadata"]["snapshot"].as_str().unwrap();
    restic(
        &install,
        &[
            "restore",
            snapshot,
            "--target",
            out.path().to_str().unwrap(),
        ],
    );
    let restored = out
        .path()
        .join(install.bot().strip_prefix("/").unwrap())
        .join("data/bot.sqlite3");
    let copy = rusqlite::Connection::open(restored).unwrap();
    let check: String = copy
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let count: i64 = copy
        .query_row("SELECT count(*) FROM heartbeats", [], |r| r.get(0))
        .unwrap();
    let max_id: i64 = copy
        .query_row("SELECT coalesce(max(id), 0) FROM heartbeats", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(
        count > 0,
        "the copy holds none of the rows written before the backup"
    );
    assert_eq!(count, max_id, "rows missing in the middle of the copy");
}

#[test]
fn each_restore_type_puts_back_only_its_files() {
    let install = install("");
    let bot = install.bot();
    let db = bot.join("data/bot.sqlite3");
    let record = create(&install, &[]);
    let id = record["id"].as_str().unwrap().to_string();
    let original_config = std::fs::read(bot.join("config/config.toml")).unwrap();
    let original_data = std::fs::read(bot.join("data/reminders.json")).unwrap();
    let original_rows = rows(&db);

    let change = || {
        std::fs::write(bot.join("config/config.toml"), "changed = true\n").unwrap();
        std::fs::write(bot.join("data/reminders.json"), "{}").unwrap();
        insert_start(&db, "changed");
    };
    for restore_type in ["config", "data", "database"] {
        change();
        let changed_rows = rows(&db);
        let r = ok(&install.run(&[
            "backup",
            "restore",
            &id,
            "--type",
            restore_type,
            "--yes",
            "--json",
        ]));
        assert_eq!(r["restore_type"], restore_type);
        let config_back = std::fs::read(bot.join("config/config.toml")).unwrap() == original_config;
        let data_back = std::fs::read(bot.join("data/reminders.json")).unwrap() == original_data;
        let db_back = rows(&db) == original_rows;
        assert_eq!(
            (config_back, data_back, db_back),
            (
                restore_type == "config",
                restore_type == "data",
                restore_type == "database"
            ),
            "restore --type {restore_type}"
        );
        if restore_type != "database" {
            assert_eq!(rows(&db), changed_rows);
        } else {
            assert!(
                !bot.join("data/bot.sqlite3-wal").exists(),
                "a stale WAL would replay old pages"
            );
        }
        // The restore completed: its pre-restore copy is gone, not piled
        // up in the bot's root.
        assert!(r["previous"].is_null(), "{r:#}");
        let leftovers: Vec<String> = std::fs::read_dir(&bot)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".steward-restore-"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
}

#[test]
fn restore_needs_confirmation() {
    let install = install("");
    let record = create(&install, &["--type", "config"]);
    let run = install.run(&["backup", "restore", record["id"].as_str().unwrap()]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("--yes"), "{}", run.stderr);
}

#[test]
fn an_interrupted_create_leaves_nothing_listed_and_is_cleaned_next_start() {
    // The archive format's partial file (a killed snapshot is
    // backup_restic's a_backup_killed_midway_...).
    let install = install(TAR);
    // Incompressible bytes: the debug build takes seconds to compress them.
    let mut big = std::fs::File::create(install.bot().join("data/blob.bin")).unwrap();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut chunk = vec![0u8; 1 << 20];
    for _ in 0..64 {
        for b in chunk.iter_mut() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *b = x as u8;
        }
        big.write_all(&chunk).unwrap();
    }
    drop(big);
    let backups = install.data().join("backups");
    let mut child = install
        .command(&["backup", "create"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let partial = loop {
        let found = std::fs::read_dir(&backups).ok().and_then(|d| {
            d.flatten()
                .map(|e| e.path())
                .find(|p| p.to_string_lossy().ends_with(".partial"))
        });
        if let Some(p) = found {
            break p;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the backup finished before it could be interrupted"
        );
        assert!(
            started.elapsed().as_secs() < 60,
            "no partial archive appeared"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(partial.exists());

    assert!(
        list(&install).is_empty(),
        "an interrupted backup must not be listed"
    );
    let left: Vec<_> = std::fs::read_dir(&backups)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".lock")
        .collect();
    assert!(left.is_empty(), "leftovers not cleaned: {left:?}");
    // And the next backup works.
    assert_eq!(
        create(&install, &["--type", "config"])["status"],
        "completed"
    );
}

#[test]
fn a_tampered_archive_fails_verification() {
    let install = install("[backup]\nverify_backups = false\nformat = \"tar\"\n");
    let record = create(&install, &["--type", "config"]);
    let archive = PathBuf::from(record["file_path"].as_str().unwrap());
    let mut bytes = std::fs::read(&archive).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xFF;
    std::fs::write(&archive, bytes).unwrap();
    let run = install.run(&["backup", "verify", record["id"].as_str().unwrap(), "--json"]);
    assert_eq!(run.code, Some(4), "{}", run.stderr);
    let v = run.json();
    assert_eq!(v["ok"], false);
    assert_eq!(v["archive_checksum_ok"], false);
    let listed = list(&install);
    assert_eq!(
        listed[0]["verification"]["ok"], false,
        "the failed check is recorded"
    );
    // Restoring it is refused.
    let run = install.run(&["backup", "restore", record["id"].as_str().unwrap(), "--yes"]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("failed verification"), "{}", run.stderr);
}

#[test]
fn names_are_unique_handles() {
    let install = install("");
    let first = create(&install, &["--type", "config", "--name", "before-upgrade"]);
    let run = install.run(&[
        "backup",
        "create",
        "--type",
        "config",
        "--name",
        "before-upgrade",
    ]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("already used"), "{}", run.stderr);
    let second = create(&install, &["--type", "config"]);
    assert_ne!(
        first["id"], second["id"],
        "ids are unique even within one second"
    );
    let v = ok(&install.run(&["backup", "verify", "before-upgrade", "--json"]));
    assert_eq!(v["id"], first["id"]);
}

#[test]
fn a_backup_without_enough_free_space_is_refused() {
    let install = install("[safety]\nmin_disk_space_mb = 1000000000\n");
    let run = install.run(&["backup", "create"]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("Not enough disk space"),
        "{}",
        run.stderr
    );
    assert!(list(&install).is_empty());
}

#[test]
fn list_filters_sorts_and_limits() {
    let install = install("");
    create(&install, &["--type", "config", "--name", "b-config"]);
    create(&install, &["--type", "database", "--name", "a-db"]);
    create(&install, &["--type", "full", "--name", "c-full"]);
    let run = install.run(&["backup", "list", "--json", "--type", "database"]);
    let l = ok(&run);
    assert_eq!(l["backups"].as_array().unwrap().len(), 1);
    assert_eq!(l["total_count"], 3);
    let l = ok(&install.run(&["backup", "list", "--json", "--sort", "name", "--limit", "2"]));
    let names: Vec<&str> = l["backups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a-db", "b-config"]);
    assert_eq!(l["matched"], 3);
    let l = ok(&install.run(&["backup", "list", "--json", "--sort", "size", "--limit", "1"]));
    assert_eq!(l["backups"][0]["name"], "c-full");
    let run = install.run(&["backup", "list", "--limit", "0"]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("a number from 1 to 50"),
        "{}",
        run.stderr
    );
    let table = install.run(&["backup", "list"]);
    assert!(
        table.stdout.contains("c-full") && table.stdout.contains("3 backups stored"),
        "{}",
        table.stdout
    );
}

#[test]
fn pruning_keeps_the_newest_verified_backup() {
    let install = install("[backup]\nverify_backups = false\nmax_backups = 2\n");
    let first = create(&install, &["--type", "config"]);
    ok(&install.run(&["backup", "verify", first["id"].as_str().unwrap(), "--json"]));
    let mut later = Vec::new();
    let mut archives = Vec::new();
    for _ in 0..3 {
        let record = create(&install, &["--type", "config"]);
        later.push(record["id"].clone());
        archives.push(snapshot_of(&record));
    }
    let ids: Vec<Value> = list(&install).iter().map(|b| b["id"].clone()).collect();
    assert!(
        ids.contains(&first["id"]),
        "the only verified backup was pruned: {ids:?}"
    );
    assert!(
        ids.contains(&later[2]) && ids.contains(&later[1]),
        "{ids:?}"
    );
    assert!(!ids.contains(&later[0]), "beyond max_backups: {ids:?}");
    // Pruned means gone from the repository too, not only from the list.
    let snaps: Vec<String> =
        serde_json::from_str::<Vec<Value>>(&restic(&install, &["snapshots", "--json"]))
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_string())
            .collect();
    assert!(!snaps.contains(&archives[0]), "{snaps:?}");
    for kept in [&archives[1], &archives[2], &snapshot_of(&first)] {
        assert!(snaps.contains(kept), "{kept} is gone: {snaps:?}");
    }
    let pruned = ok(&install.run(&["backup", "prune", "--json"]));
    assert_eq!(pruned["removed"].as_array().unwrap().len(), 0);
}

fn snapshot_of(record: &Value) -> String {
    record["metadata"]["snapshot"].as_str().unwrap().to_string()
}

/// The same rule for archives: a pruned one is gone from the disk.
#[test]
fn with_format_tar_pruning_removes_the_archive_from_the_disk() {
    let install = install("[backup]\nformat = \"tar\"\nverify_backups = false\nmax_backups = 1\n");
    let first = create(&install, &["--type", "config"]);
    let second = create(&install, &["--type", "config"]);
    let ids: Vec<Value> = list(&install).iter().map(|b| b["id"].clone()).collect();
    assert_eq!(ids, vec![second["id"].clone()]);
    assert!(!Path::new(first["file_path"].as_str().unwrap()).exists());
    assert!(Path::new(second["file_path"].as_str().unwrap()).exists());
}

// ---- hostile archives -------------------------------------------------

/// A full backup to graft hostile entries onto: its record points at an
/// archive the test then replaces (restored with --no-verify, so the
/// extractor itself must refuse).
struct Hostile {
    install: Install,
    id: String,
    archive: PathBuf,
    manifest: Vec<u8>,
    outside: tempfile::TempDir,
}

fn hostile() -> Hostile {
    let install = install(TAR);
    let record = create(&install, &[]);
    let archive = PathBuf::from(record["file_path"].as_str().unwrap());
    let gz = flate2::read::GzDecoder::new(std::fs::File::open(&archive).unwrap());
    let mut entries = tar::Archive::new(gz);
    let mut first = entries.entries().unwrap().next().unwrap().unwrap();
    let mut manifest = Vec::new();
    std::io::Read::read_to_end(&mut first, &mut manifest).unwrap();
    Hostile {
        install,
        id: record["id"].as_str().unwrap().to_string(),
        archive,
        manifest,
        outside: tempfile::tempdir().unwrap(),
    }
}

/// A header whose name is written raw (the tar crate's setters refuse `..`).
fn raw_header(path: &str, entry_type: tar::EntryType, size: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.as_old_mut().name[..path.len()].copy_from_slice(path.as_bytes());
    h.set_entry_type(entry_type);
    h.set_size(size);
    h.set_mode(0o644);
    h.set_cksum();
    h
}

impl Hostile {
    /// Writes the archive: the real manifest, then `entries` (header, data).
    fn write(&self, entries: Vec<(tar::Header, Vec<u8>)>) {
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_path("steward-manifest.json").unwrap();
        h.set_size(self.manifest.len() as u64);
        h.set_mode(0o600);
        h.set_cksum();
        b.append(&h, &self.manifest[..]).unwrap();
        for (h, data) in entries {
            b.append(&h, &data[..]).unwrap();
        }
        let tar = b.into_inner().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar).unwrap();
        std::fs::write(&self.archive, gz.finish().unwrap()).unwrap();
    }

    fn outside(&self, name: &str) -> PathBuf {
        self.outside.path().join(name)
    }

    /// Restores without verification; asserts refusal with `message`, the
    /// bot's tree untouched, nothing outside, no staging left.
    fn assert_refused(&self, message: &str) {
        let before = files(&self.install.bot());
        let run = self
            .install
            .run(&["backup", "restore", &self.id, "--no-verify", "--yes"]);
        assert_eq!(
            run.code,
            Some(2),
            "not refused: {}{}",
            run.stdout,
            run.stderr
        );
        assert!(
            run.stderr.contains(message),
            "expected {message:?} in: {}",
            run.stderr
        );
        assert_eq!(
            files(&self.install.bot()),
            before,
            "the bot's files changed"
        );
        let outside: Vec<_> = std::fs::read_dir(self.outside.path()).unwrap().collect();
        assert!(
            outside.is_empty(),
            "something was written outside: {outside:?}"
        );
        let work: Vec<_> = std::fs::read_dir(self.install.bot())
            .unwrap()
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(".steward-restore-")
            })
            .collect();
        assert!(work.is_empty(), "staging left behind");
    }
}

#[test]
fn restore_refuses_archive_with_parent_dir_entry() {
    let h = hostile();
    let depth = "../".repeat(12);
    let target = format!("{depth}{}", h.outside("evil.txt").display());
    h.write(vec![(
        raw_header(&target, tar::EntryType::Regular, 4),
        b"evil".to_vec(),
    )]);
    h.assert_refused("points outside");
}

#[test]
fn restore_refuses_archive_with_absolute_path() {
    let h = hostile();
    let target = h.outside("abs.txt").display().to_string();
    h.write(vec![(
        raw_header(&target, tar::EntryType::Regular, 4),
        b"evil".to_vec(),
    )]);
    h.assert_refused("points outside");
}

#[test]
fn restore_refuses_symlink_escape() {
    let h = hostile();
    let mut link = raw_header("data/escape", tar::EntryType::Symlink, 0);
    link.set_link_name(h.outside.path()).unwrap();
    link.set_cksum();
    h.write(vec![
        (link, Vec::new()),
        (
            raw_header("data/escape/evil.txt", tar::EntryType::Regular, 4),
            b"evil".to_vec(),
        ),
    ]);
    h.assert_refused("symbolic link");
}

#[test]
fn restore_refuses_hard_link_escape() {
    let h = hostile();
    let target = h.outside("victim");
    std::fs::write(&target, "victim").unwrap();
    let mut link = raw_header("data/hard", tar::EntryType::Link, 0);
    link.set_link_name(&target).unwrap();
    link.set_cksum();
    h.write(vec![(link, Vec::new())]);
    std::fs::remove_file(&target).unwrap();
    h.assert_refused("hard link");
}

#[test]
fn restore_refuses_device_files() {
    let h = hostile();
    let mut dev = raw_header("data/null", tar::EntryType::Char, 0);
    dev.set_device_major(1).unwrap();
    dev.set_device_minor(3).unwrap();
    dev.set_cksum();
    h.write(vec![(dev, Vec::new())]);
    h.assert_refused("character device");
}

#[test]
fn restore_refuses_pax_size_mismatch() {
    let h = hostile();
    let mut pax = tar::Builder::new(Vec::new());
    // A PAX header claiming 1024 bytes for an entry whose header says 4.
    pax.append_pax_extensions([("size", b"1024".as_slice())])
        .unwrap();
    let mut body = pax.into_inner().unwrap();
    body.truncate(body.len() - 1024); // drop the end-of-archive blocks
    let mut b = tar::Builder::new(Vec::new());
    let mut mh = tar::Header::new_gnu();
    mh.set_path("steward-manifest.json").unwrap();
    mh.set_size(h.manifest.len() as u64);
    mh.set_mode(0o600);
    mh.set_cksum();
    b.append(&mh, &h.manifest[..]).unwrap();
    let mut tar = b.into_inner().unwrap();
    tar.truncate(tar.len() - 1024);
    tar.extend_from_slice(&body);
    let entry = raw_header("data/smuggled.txt", tar::EntryType::Regular, 4);
    tar.extend_from_slice(entry.as_bytes());
    let mut data = b"evil".to_vec();
    data.resize(512 + 1024 * 2, 0);
    tar.extend_from_slice(&data);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar).unwrap();
    std::fs::write(&h.archive, gz.finish().unwrap()).unwrap();
    h.assert_refused("PAX size");
}

#[test]
fn restore_refuses_decompression_bomb() {
    let h = hostile();
    // 2 GiB of zeros in about 2 MiB: one gzip member of 1 MiB of zeros,
    // repeated (a multi-member gzip is still one stream to gunzip).
    let size: u64 = 2 << 30;
    let mut tar = Vec::new();
    {
        let mut b = tar::Builder::new(&mut tar);
        let mut mh = tar::Header::new_gnu();
        mh.set_path("steward-manifest.json").unwrap();
        mh.set_size(h.manifest.len() as u64);
        mh.set_mode(0o600);
        mh.set_cksum();
        b.append(&mh, &h.manifest[..]).unwrap();
        b.finish().unwrap();
    }
    tar.truncate(tar.len() - 1024);
    tar.extend_from_slice(raw_header("data/bomb.bin", tar::EntryType::Regular, size).as_bytes());
    let gz = |data: &[u8]| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    };
    let mut bomb = gz(&tar);
    let zeros = gz(&vec![0u8; 1 << 20]);
    for _ in 0..(size >> 20) {
        bomb.extend_from_slice(&zeros);
    }
    bomb.extend_from_slice(&gz(&[0u8; 1024]));
    assert!(bomb.len() < 4 << 20, "the bomb is small: {}", bomb.len());
    std::fs::write(&h.archive, bomb).unwrap();
    h.assert_refused("more than");
}

#[test]
fn restore_refuses_truncated_archive() {
    let h = hostile();
    let bytes = std::fs::read(&h.archive).unwrap();
    std::fs::write(&h.archive, &bytes[..bytes.len() * 2 / 3]).unwrap();
    h.assert_refused("truncated");
}

#[test]
fn restore_refuses_a_file_that_differs_from_its_manifest() {
    let h = hostile();
    let manifest: Value = serde_json::from_slice(&h.manifest).unwrap();
    let listed = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "config/config.toml")
        .unwrap();
    let size = listed["size"].as_u64().unwrap() as usize;
    let forged = vec![b'x'; size];
    // Every other file as it was, so only the checksum can tell.
    let mut entries = Vec::new();
    for f in manifest["files"].as_array().unwrap() {
        let path = f["path"].as_str().unwrap();
        let data = if path == "config/config.toml" {
            forged.clone()
        } else if f["kind"] == "sqlite" {
            let out = tempfile::tempdir().unwrap();
            Command::new("tar")
                .args(["xzf"])
                .arg(&h.archive)
                .arg("-C")
                .arg(out.path())
                .arg(path)
                .status()
                .unwrap();
            std::fs::read(out.path().join(path)).unwrap()
        } else {
            std::fs::read(h.install.bot().join(path)).unwrap()
        };
        entries.push((
            raw_header(path, tar::EntryType::Regular, data.len() as u64),
            data,
        ));
    }
    h.write(entries);
    h.assert_refused("content differs from its manifest checksum");
    // With verification on, the archive checksum catches it first.
    let run = h.install.run(&["backup", "restore", &h.id, "--yes"]);
    assert!(run.stderr.contains("sha256 differs"), "{}", run.stderr);
}
