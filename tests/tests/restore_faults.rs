//! Restores and backups under faults and hostile input, end to end through
//! the real binary: a manifest listing a file twice, a symlinked directory
//! already in the bot's tree, `kill -9` at points of the restore's file swap
//! followed by a start, a bot whose failed start writes files the restore
//! left alone (undone in the restore, or at the next start after `kill -9`),
//! and a disk that fills during `backup create`.
//!
//! The kill test uses a hook of debug builds only:
//! `STEWARD_TEST_PAUSE_RESTORE_AT=N` holds the swap after its Nth rename
//! (`placed`: once every file is in place; `rolling_back`: once the bot
//! failed to start on them, before anything is put back) and says so on
//! stderr.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;
use steward_tests::harness::{
    Install, create_backup as create, insert_start, install_with_database as install, ok,
    steward_bin,
};

const WORK_PREFIX: &str = ".steward-restore-";
/// The explicit old format: each backup a `.tar.gz` archive with a manifest.
const TAR: &str = "[backup]\nformat = \"tar\"\n";

/// Everything under `root` but restores' working directories: files by
/// content, links by target, directories by name.
fn tree(root: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let path = e.path();
            let rel = path.strip_prefix(root).unwrap().display().to_string();
            if rel.starts_with(WORK_PREFIX) {
                continue;
            }
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&path).unwrap();
                out.insert(rel, format!("link to {}", target.display()));
            } else if meta.is_dir() {
                out.insert(rel.clone(), "directory".into());
                walk(root, &path, out);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                let text = match String::from_utf8(bytes) {
                    Ok(text) => text,
                    Err(e) => format!(
                        "{} binary bytes, hash {}",
                        e.as_bytes().len(),
                        hash(e.as_bytes())
                    ),
                };
                out.insert(rel, text);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn hash(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Restores' working directories left in the bot's root.
fn work_dirs(bot: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(bot)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(WORK_PREFIX))
        .map(|e| e.path())
        .collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// Rewrites a backup's archive with the same entries, its manifest edited.
fn edit_manifest(archive: &Path, edit: impl FnOnce(&mut Value)) {
    let gz = flate2::read::MultiGzDecoder::new(std::fs::File::open(archive).unwrap());
    let mut input = tar::Archive::new(gz);
    let mut out = tar::Builder::new(Vec::new());
    let mut edit = Some(edit);
    for entry in input.entries().unwrap() {
        let mut entry = entry.unwrap();
        let mut header = entry.header().clone();
        let path = entry.path().unwrap().into_owned();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        if let Some(edit) = edit.take() {
            let mut manifest: Value = serde_json::from_slice(&data).unwrap();
            edit(&mut manifest);
            data = serde_json::to_vec_pretty(&manifest).unwrap();
            header.set_size(data.len() as u64);
        }
        out.append_data(&mut header, &path, &data[..]).unwrap();
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&out.into_inner().unwrap()).unwrap();
    std::fs::write(archive, gz.finish().unwrap()).unwrap();
}

#[test]
fn restore_refuses_a_manifest_that_lists_a_file_twice_and_keeps_every_file() {
    let install = install(TAR);
    let bot = install.bot();
    let record = create(&install, &[]);
    let id = record["id"].as_str().unwrap();
    let archive = PathBuf::from(record["file_path"].as_str().unwrap());
    edit_manifest(&archive, |manifest| {
        let files = manifest["files"].as_array_mut().unwrap();
        for path in ["config/config.toml", "data/bot.sqlite3"] {
            let entry = files.iter().find(|f| f["path"] == path).unwrap().clone();
            files.push(entry);
        }
    });
    // Changed since the backup, so a restore would replace both.
    std::fs::write(bot.join("config/config.toml"), "changed = true\n").unwrap();
    insert_start(&bot.join("data/bot.sqlite3"), "changed");
    let before = tree(&bot);

    // Unverified: the archive no longer matches its recorded checksum, and
    // the restore itself must refuse the manifest.
    let run = install.run(&["backup", "restore", id, "--no-verify", "--yes"]);
    assert_eq!(
        run.code,
        Some(2),
        "not refused: {}{}",
        run.stdout,
        run.stderr
    );
    for path in ["config/config.toml", "data/bot.sqlite3"] {
        assert!(
            run.stderr.contains(&format!("{path} is listed 2 times")),
            "{path} not named in: {}",
            run.stderr
        );
    }
    assert_eq!(tree(&bot), before, "the bot's files changed");
    assert!(work_dirs(&bot).is_empty(), "a working directory is left");

    let run = install.run(&["backup", "verify", id, "--json"]);
    assert_eq!(run.code, Some(4), "{}", run.stderr);
    let problems = run.json()["problems"].to_string();
    assert!(
        problems.contains("config/config.toml is listed 2 times in the manifest"),
        "{problems}"
    );
}

#[test]
fn restore_never_writes_through_a_symlinked_directory_in_the_tree() {
    let install = install("");
    let bot = install.bot();
    std::fs::create_dir_all(bot.join("data/uploads")).unwrap();
    std::fs::write(bot.join("data/uploads/avatar.png"), "picture").unwrap();
    let record = create(&install, &[]);
    let id = record["id"].as_str().unwrap();

    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("theirs.txt"), "not the bot's").unwrap();
    std::fs::remove_dir_all(bot.join("data/uploads")).unwrap();
    std::os::unix::fs::symlink(outside.path(), bot.join("data/uploads")).unwrap();
    std::fs::write(bot.join("config/config.toml"), "changed = true\n").unwrap();
    let before = tree(&bot);
    let outside_before = tree(outside.path());

    // A genuine, verified backup.
    let run = install.run(&["backup", "restore", id, "--yes"]);
    assert_eq!(
        tree(outside.path()),
        outside_before,
        "a restore wrote outside the bot's root"
    );
    assert_eq!(
        run.code,
        Some(2),
        "not refused: {}{}",
        run.stdout,
        run.stderr
    );
    let link = bot.join("data/uploads").display().to_string();
    assert!(
        run.stderr.contains(&link) && run.stderr.contains("symbolic link"),
        "the link is not named in: {}",
        run.stderr
    );
    assert_eq!(tree(&bot), before, "the bot's files changed");
    assert!(work_dirs(&bot).is_empty(), "a working directory is left");
}

/// Starts a restore that pauses at `point`, waits for the pause, then
/// kills it with SIGKILL.
fn kill_restore_at(install: &Install, id: &str, point: &str) {
    let mut child = install
        .command(&["backup", "restore", id, "--yes"])
        .env("STEWARD_TEST_PAUSE_RESTORE_AT", point)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    let mut paused = false;
    for line in stderr.lines() {
        let line = line.unwrap();
        seen.push_str(&line);
        seen.push('\n');
        if line.contains("restore paused at") {
            paused = true;
            break;
        }
    }
    assert!(paused, "the restore never reached point {point}:\n{seen}");
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn a_restore_killed_mid_swap_is_undone_or_finished_at_the_next_start() {
    let install = install("");
    let bot = install.bot();
    let db = bot.join("data/bot.sqlite3");
    std::fs::create_dir(bot.join("data/guilds")).unwrap();
    for g in 1..=3 {
        std::fs::write(
            bot.join(format!("data/guilds/{g}.json")),
            format!("{{\"g\": {g}}}"),
        )
        .unwrap();
    }
    let record = create(&install, &[]);
    let id = record["id"].as_str().unwrap();

    // Since the backup: files changed, one removed, a directory removed,
    // a row added to the database, a file made in a directory the backup
    // has. The files left as they were already match the backup: the
    // restore leaves them in place, and moves `data/guilds/1.json` into
    // staging (never rewriting it) for its directory to move whole.
    std::fs::write(bot.join("config/config.toml"), "changed = true\n").unwrap();
    std::fs::write(bot.join("config/notes.txt"), "made since\n").unwrap();
    std::fs::write(bot.join("data/guilds/2.json"), "{}").unwrap();
    std::fs::write(bot.join("data/guilds/3.json"), "{\"g\": 33}").unwrap();
    std::fs::write(bot.join("data/reminders.json"), "{}").unwrap();
    std::fs::remove_file(bot.join("data/guild_settings.json")).unwrap();
    std::fs::remove_dir_all(bot.join("dashboard")).unwrap();
    insert_start(&db, "changed");
    let old = tree(&bot);
    let saved = tempfile::tempdir().unwrap();
    copy_dir(&bot, saved.path());
    let reset = || {
        std::fs::remove_dir_all(&bot).unwrap();
        copy_dir(saved.path(), &bot);
    };

    // The restore as it runs: how many renames its swap makes (the hook
    // says so whenever it is set; no point is named "count").
    let counted = install
        .command(&["backup", "restore", id, "--yes", "--json"])
        .env("STEWARD_TEST_PAUSE_RESTORE_AT", "count")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&counted.stderr);
    assert!(counted.status.success(), "{stderr}");
    let moves: usize = stderr
        .lines()
        .find_map(|l| l.split("the swap made ").nth(1))
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the swap did not count its renames: {stderr}"));
    let restored: Value = serde_json::from_slice(&counted.stdout).unwrap();
    let new = tree(&bot);
    assert_ne!(old, new);
    // `data/guilds/` holds nothing the restore does not replace or find
    // already matching, and `dashboard/` is gone: each moves whole (its
    // matching file, then two renames; one), and every other file that
    // differs takes one rename, one more for what it replaces. `config/`
    // holds a file the backup lacks: it stays, so its directory goes
    // file by file. A file that matches is not moved (a database always
    // is: its `-wal` goes aside with it).
    let files: Vec<&str> = restored["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    let in_place = |f: &str| !f.ends_with(".sqlite3") && old.contains_key(f) && old[f] == new[f];
    let borrowed = files
        .iter()
        .filter(|f| f.starts_with("data/guilds/") && in_place(f))
        .count();
    assert_eq!(borrowed, 1, "{files:?}");
    let one_by_one: Vec<&&str> = files
        .iter()
        .filter(|f| !f.starts_with("data/guilds/") && !f.starts_with("dashboard/"))
        .filter(|f| !in_place(f))
        .collect();
    assert!(
        files
            .iter()
            .any(|f| !f.starts_with("data/guilds/") && in_place(f)),
        "some file is left in place: {files:?}"
    );
    assert_eq!(
        moves,
        borrowed
            + 2
            + 1
            + one_by_one.len()
            + one_by_one.iter().filter(|f| old.contains_key(***f)).count(),
        "{files:?}"
    );
    assert_eq!(new["config/notes.txt"], "made since\n");
    assert_eq!(new["data/guilds/2.json"], "{\"g\": 2}");

    // Move 1 places `dashboard/`; 2 takes the matching file into
    // staging, 3 and 4 move `data/guilds/`.
    let mut points: Vec<String> = [1, 2, 3, 4, moves / 2, moves - 1, moves]
        .iter()
        .map(|n| n.to_string())
        .collect();
    points.dedup();
    points.push("placed".into());
    for point in &points {
        reset();
        kill_restore_at(&install, id, point);
        let journals: Vec<PathBuf> = work_dirs(&bot)
            .iter()
            .map(|w| w.join("journal.json"))
            .filter(|j| j.exists())
            .collect();
        assert_eq!(journals.len(), 1, "point {point}: the swap is journaled");

        // The next start of steward, whatever the command.
        let run = install.run(&["backup", "list", "--json"]);
        ok(&run);
        assert!(
            run.stderr.contains("was interrupted"),
            "point {point}: the start does not say what it did: {}",
            run.stderr
        );
        let after = tree(&bot);
        if point == "placed" {
            assert!(
                after == new,
                "point {point}: every file was in place, so the restore is kept"
            );
        } else {
            assert!(
                after == old,
                "point {point}: the tree is not as before the restore: {}",
                diff(&old, &after)
            );
            assert!(
                work_dirs(&bot).is_empty(),
                "point {point}: a working directory is left"
            );
        }
        assert!(
            work_dirs(&bot)
                .iter()
                .all(|w| !w.join("journal.json").exists()),
            "point {point}: the journal is not ended"
        );
    }
}

/// The paths where two trees differ.
fn diff(a: &BTreeMap<String, String>, b: &BTreeMap<String, String>) -> String {
    let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Incompressible bytes.
fn noise(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

#[test]
fn a_disk_that_fills_during_backup_create_is_named_and_nothing_is_lost() {
    // A small tmpfs inside a private mount namespace (root only).
    let probe = Command::new("unshare").args(["-m", "true"]).status();
    if !probe.is_ok_and(|s| s.success()) {
        eprintln!("skipped: `unshare -m` is not permitted here");
        return;
    }
    let scratch = tempfile::tempdir().unwrap();
    let backups = scratch.path().join("backups");
    let mount = scratch.path().join("small");
    std::fs::create_dir_all(&mount).unwrap();
    let install = install(&format!(
        "[safety]\nmin_disk_space_mb = 0\n[backup]\nformat = \"tar\"\nbackup_path = \"{}\"\nverify_backups = false\n[backup.types.full]\ninclude = [\"data/blob.bin\"]\n",
        backups.display()
    ));
    // Incompressible, and large enough that the debug build is still
    // compressing when the disk fills.
    const BLOB: u64 = 64 << 20;
    let blob = noise(BLOB as usize);
    std::fs::write(install.bot().join("data/blob.bin"), &blob).unwrap();
    let first = create(&install, &["--type", "config", "--name", "first"]);
    let first_archive = PathBuf::from(first["file_path"].as_str().unwrap());

    // Room for the backup (the preflight passes); another writer fills the
    // disk once the archive is being written.
    let out = scratch.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let script = r#"
        mount -t tmpfs -o size="$SIZE" tmpfs "$MNT" || exit 90
        cp -a "$BACKUPS"/. "$MNT"/ || exit 91
        mount --bind "$MNT" "$BACKUPS" || exit 92
        "$STEWARD" --config "$CONFIG" backup create >"$OUT/create.out" 2>"$OUT/create.err" &
        pid=$!
        until ls -A "$BACKUPS" | grep -q '\.partial$'; do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.01
        done
        cat /dev/zero >"$BACKUPS/filler" 2>/dev/null
        wait "$pid"
        echo $? >"$OUT/create.rc"
        rm -f "$BACKUPS/filler"
        "$STEWARD" --config "$CONFIG" backup verify first --json >"$OUT/verify.out" 2>"$OUT/verify.err"
        ls -A "$BACKUPS" >"$OUT/ls"
    "#;
    let status = Command::new("unshare")
        .args(["-m", "sh", "-c", script])
        .env("SIZE", (BLOB + (4 << 20)).to_string())
        .env("MNT", &mount)
        .env("BACKUPS", &backups)
        .env("STEWARD", steward_bin())
        .env("CONFIG", install.config_path())
        .env("OUT", &out)
        .status()
        .unwrap();
    assert!(status.success(), "the namespace script failed: {status}");
    let read = |name: &str| std::fs::read_to_string(out.join(name)).unwrap();

    assert_ne!(read("create.rc").trim(), "0", "the backup did not fail");
    assert!(
        read("create.err").contains("No space left on device"),
        "the cause is not named: {}",
        read("create.err")
    );
    let verified: Value = serde_json::from_str(&read("verify.out"))
        .unwrap_or_else(|e| panic!("{e}: {}{}", read("verify.out"), read("verify.err")));
    assert_eq!(
        verified["ok"], true,
        "the earlier backup was damaged: {verified}"
    );
    let mut left: Vec<String> = read("ls").lines().map(String::from).collect();
    left.sort();
    let archive_name = first_archive
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert_eq!(
        left,
        [".lock".to_string(), archive_name],
        "the full disk left pieces behind"
    );
    assert!(
        std::fs::read(install.bot().join("data/blob.bin")).unwrap() == blob,
        "the bot's file changed"
    );
    let listed = ok(&install.run(&["backup", "list", "--json", "--range", "all"]));
    let completed: Vec<&Value> = listed["backups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["status"] == "completed")
        .collect();
    assert_eq!(completed.len(), 1, "{listed}");
    assert_eq!(completed[0]["id"], first["id"]);
}

#[test]
fn a_disk_that_fills_during_a_snapshot_restore_fails_cleanly_and_the_bot_is_unchanged() {
    // The bot's root on a small tmpfs inside a private mount namespace.
    let probe = Command::new("unshare").args(["-m", "true"]).status();
    if !probe.is_ok_and(|s| s.success()) {
        eprintln!("skipped: `unshare -m` is not permitted here");
        return;
    }
    let install = install("[safety]\nmin_disk_space_mb = 0\n[backup]\nverify_backups = false\n");
    let bot = install.bot();
    // Incompressible, so the restore has 24 MiB to write.
    const BLOB: u64 = 24 << 20;
    std::fs::write(bot.join("data/blob.bin"), noise(BLOB as usize)).unwrap();
    let record = create(&install, &["--name", "big"]);
    assert!(record["metadata"]["snapshot"].is_string(), "{record:#}");
    // Changed since: a restore would put the blob and the config back.
    std::fs::write(bot.join("data/blob.bin"), "small now\n").unwrap();
    std::fs::write(bot.join("config/config.toml"), "changed = true\n").unwrap();
    let before = tree(&bot);

    let scratch = tempfile::tempdir().unwrap();
    let mount = scratch.path().join("small");
    let out = scratch.path().join("out");
    std::fs::create_dir_all(&mount).unwrap();
    std::fs::create_dir_all(out.join("after")).unwrap();
    // Room for the restore when it starts (its preflight passes); another
    // writer fills the disk once the restore is staging files.
    let script = r#"
        mount -t tmpfs -o size="$SIZE" tmpfs "$MNT" || exit 90
        mkdir "$MNT/bot" && cp -a "$BOT"/. "$MNT/bot"/ || exit 91
        mount --bind "$MNT/bot" "$BOT" || exit 92
        "$STEWARD" --config "$CONFIG" backup restore big --yes >"$OUT/restore.out" 2>"$OUT/restore.err" &
        pid=$!
        until ls -A "$BOT" | grep -q '^\.steward-restore-'; do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.01
        done
        cat /dev/zero >"$MNT/filler" 2>/dev/null
        wait "$pid"
        echo $? >"$OUT/restore.rc"
        rm -f "$MNT/filler"
        ls -A "$BOT" >"$OUT/ls"
        cp -a "$BOT"/. "$OUT/after"/ || exit 93
    "#;
    let status = Command::new("unshare")
        .args(["-m", "sh", "-c", script])
        .env("SIZE", (BLOB + (8 << 20)).to_string())
        .env("MNT", &mount)
        .env("BOT", &bot)
        .env("STEWARD", steward_bin())
        .env("CONFIG", install.config_path())
        .env("OUT", &out)
        .status()
        .unwrap();
    assert!(status.success(), "the namespace script failed: {status}");
    let read = |name: &str| std::fs::read_to_string(out.join(name)).unwrap();

    assert_ne!(read("restore.rc").trim(), "0", "the restore did not fail");
    assert!(
        read("restore.err").contains("No space left on device"),
        "the cause is not named: {}",
        read("restore.err")
    );
    let after = tree(&out.join("after"));
    assert!(
        after == before,
        "the bot's files changed:\n{}",
        diff(&before, &after)
    );
    let work: Vec<String> = read("ls")
        .lines()
        .filter(|l| l.starts_with(WORK_PREFIX))
        .map(String::from)
        .collect();
    assert!(
        work.is_empty(),
        "the restore left {work:?} in the bot's root"
    );
}

/// How Steward runs the bot in the tests below: started on a tree holding
/// `data/broken` (which only the backup has), it writes into files the
/// restore found already as the backup has them (so never wrote):
/// `config/config.toml`, left in place, and `data/guilds/1.json`, moved
/// with its directory; it removes `requirements.txt`, and exits 1.
const WRITES_THEN_FAILS: &str = r#"start = ["/bin/sh", "-c", "if [ -e {bot}/data/broken ]; then echo written-by-the-bot > {bot}/config/config.toml; echo written-by-the-bot > {bot}/data/guilds/1.json; rm {bot}/requirements.txt; echo token rejected; exit 1; fi; echo test ready; exec sleep 600"]
stop_timeout_secs = 5
health.probation_secs = 0
health.ready_line = "test ready"
health.ready_timeout_secs = 20
"#;

/// The bot above, running, with a backup it will not start on; since the
/// backup, `data/guilds/2.json` and `3.json` changed (so `data/guilds/`
/// moves whole) and `config/notes.txt` was made (so `config/` goes file by
/// file). Returns the install, the backup's id and the tree as it is.
fn a_bot_that_writes_then_fails() -> (Install, String, BTreeMap<String, String>) {
    let install = install("");
    install.write_config_with_bot(WRITES_THEN_FAILS, "");
    let bot = install.bot();
    std::fs::create_dir(bot.join("data/guilds")).unwrap();
    for g in 1..=3 {
        std::fs::write(
            bot.join(format!("data/guilds/{g}.json")),
            format!("{{\"g\": {g}}}"),
        )
        .unwrap();
    }
    std::fs::write(bot.join("data/broken"), "yes\n").unwrap();
    let record = create(&install, &[]);
    std::fs::remove_file(bot.join("data/broken")).unwrap();
    std::fs::write(bot.join("data/guilds/2.json"), "{}").unwrap();
    std::fs::write(bot.join("data/guilds/3.json"), "{}").unwrap();
    std::fs::write(bot.join("config/notes.txt"), "made since\n").unwrap();
    let started = install.run(&["bot", "start"]);
    assert_eq!(started.code, Some(0), "{}", started.stderr);
    let id = record["id"].as_str().unwrap().to_string();
    (install, id, tree(&bot))
}

/// What the bot's start wrote, and what it removed, is gone: every file is
/// byte for byte as before the restore.
fn assert_as_before(bot: &Path, before: &BTreeMap<String, String>, when: &str) {
    let after = tree(bot);
    assert!(
        after == *before,
        "{when}: the tree is not as before the restore: {}",
        diff(before, &after)
    );
    assert_eq!(
        std::fs::read(bot.join("config/config.toml")).unwrap(),
        before["config/config.toml"].as_bytes(),
        "{when}"
    );
}

#[test]
fn a_failed_bot_start_that_wrote_files_the_restore_left_alone_is_undone_byte_for_byte() {
    let (install, id, before) = a_bot_that_writes_then_fails();
    let bot = install.bot();
    let run = install.run(&["backup", "restore", &id, "--yes"]);
    assert_ne!(
        run.code,
        Some(0),
        "the restore did not fail: {}",
        run.stdout
    );
    assert!(
        run.stderr.contains("did not start") && run.stderr.contains("token rejected"),
        "why is not said: {}",
        run.stderr
    );
    assert_as_before(&bot, &before, "after the failed restore");
    assert!(work_dirs(&bot).is_empty(), "a working directory is left");
    let _ = install.run(&["bot", "stop"]);
}

#[test]
fn a_restore_killed_while_undoing_a_failed_bot_start_is_undone_byte_for_byte_at_the_next_start() {
    let (install, id, before) = a_bot_that_writes_then_fails();
    let bot = install.bot();
    // Killed once the bot failed on the restored tree (and wrote into it),
    // before anything is put back.
    kill_restore_at(&install, &id, "rolling_back");
    assert_ne!(
        std::fs::read(bot.join("config/config.toml")).unwrap(),
        before["config/config.toml"].as_bytes(),
        "the bot wrote into the file left in place"
    );
    let run = install.run(&["backup", "list", "--json"]);
    ok(&run);
    assert!(
        run.stderr.contains("was interrupted"),
        "the start does not say what it did: {}",
        run.stderr
    );
    assert_as_before(&bot, &before, "after the next start");
    assert!(work_dirs(&bot).is_empty(), "a working directory is left");
}
