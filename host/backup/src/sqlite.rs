//! SQLite databases: a consistent copy taken with the online backup API while
//! the bot keeps writing (WAL included), and `PRAGMA integrity_check` on a
//! copy. It only ever opens the live database to read it.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use thiserror::Error;

/// Why a database could not be copied or checked.
#[derive(Debug, Error)]
pub enum SqliteError {
    /// A failed copy, in SQLite's words, with the cause named as the system
    /// names it when the disk is full ("database or disk is full" alone does
    /// not say which).
    #[error("{}", copy_words(.0))]
    Copy(rusqlite::Error),
    #[error("{0}")]
    Read(rusqlite::Error),
    /// What `PRAGMA integrity_check` reported.
    #[error("{}", .0.join("; "))]
    Damaged(Vec<String>),
}

fn copy_words(e: &rusqlite::Error) -> String {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DiskFull) => {
            format!("{e}: {}", std::io::Error::from(rustix::io::Errno::NOSPC))
        }
        _ => e.to_string(),
    }
}

/// Copies `live` to `copy` in one step of the online backup API, so the copy
/// is one consistent snapshot even while writers are active.
pub fn snapshot(live: &Path, copy: &Path) -> Result<(), SqliteError> {
    let source = Connection::open_with_flags(
        live,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(SqliteError::Copy)?;
    // A writer holding the lock briefly must not fail the backup.
    source
        .busy_timeout(Duration::from_secs(30))
        .map_err(SqliteError::Copy)?;
    let mut dest = Connection::open(copy).map_err(SqliteError::Copy)?;
    // The copy is scratch, read into the backup and then removed: no
    // journal and no fsync while it is written (a failed copy is removed
    // and the backup fails).
    dest.execute_batch("PRAGMA synchronous = OFF; PRAGMA journal_mode = OFF;")
        .map_err(SqliteError::Copy)?;
    {
        let backup =
            rusqlite::backup::Backup::new(&source, &mut dest).map_err(SqliteError::Copy)?;
        // -1 pages: the whole database in one step, so no writer can
        // interleave and force a restart.
        loop {
            match backup.step(-1).map_err(SqliteError::Copy)? {
                rusqlite::backup::StepResult::Done => break,
                rusqlite::backup::StepResult::Busy | rusqlite::backup::StepResult::Locked => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                _ => {}
            }
        }
    }
    // A plain rollback-journal file: nothing beside it is needed to read it.
    dest.pragma_update(None, "journal_mode", "DELETE")
        .map_err(SqliteError::Copy)?;
    dest.close().map_err(|(_, e)| SqliteError::Copy(e))?;
    Ok(())
}

/// What identifies the state of the live database at `live` on disk, so a
/// backup can tell it has not changed since an earlier one took its copy:
/// the database file's device, inode, size, mtime and ctime (nanoseconds)
/// and its header's file change counter (bytes 24..28, bumped by every
/// transaction in rollback-journal mode, even one within the same clock
/// tick); its `-wal`'s device, inode, size and mtime with the WAL header's
/// checkpoint sequence and salts (a commit appends frames, so the size
/// grows; a reset WAL gets new salts). Not the `-wal`'s ctime: SQLite
/// running as root chowns the file to the database's owner at every open,
/// a reader's too. An empty or missing `-wal` holds nothing. The `-shm` is
/// left out: it is an index SQLite rebuilds from the WAL, and every reader
/// writes to it, this backup's own copy included.
///
/// `None` when the state cannot be told (a file that cannot be read, or a
/// `-journal` with content: a transaction in progress or a hot journal),
/// and then the database is always copied. SQLite's `PRAGMA data_version`
/// cannot serve: it is per connection.
pub fn state(live: &Path) -> Option<String> {
    use std::io::Read;
    use std::os::unix::fs::MetadataExt;

    fn stat(m: &std::fs::Metadata) -> String {
        format!(
            "{}:{}:{}:{}.{:09}",
            m.dev(),
            m.ino(),
            m.len(),
            m.mtime(),
            m.mtime_nsec()
        )
    }
    fn sidecar(live: &Path, suffix: &str) -> std::path::PathBuf {
        let mut name = live.as_os_str().to_owned();
        name.push(suffix);
        name.into()
    }
    let journal = sidecar(live, "-journal");
    match std::fs::symlink_metadata(&journal) {
        Ok(m) if m.len() > 0 => return None,
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(_) => return None,
    }
    let mut db = std::fs::File::open(live).ok()?;
    let db_meta = db.metadata().ok()?;
    let mut header = [0u8; 28];
    db.read_exact(&mut header).ok()?;
    let counter = u32::from_be_bytes([header[24], header[25], header[26], header[27]]);
    let wal = match std::fs::File::open(sidecar(live, "-wal")) {
        Ok(mut wal) => {
            let meta = wal.metadata().ok()?;
            if meta.len() == 0 {
                "none".to_string()
            } else {
                let mut header = [0u8; 24];
                wal.read_exact(&mut header).ok()?;
                format!("{}:{}", stat(&meta), hex::encode(&header[12..24]))
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => "none".to_string(),
        Err(_) => return None,
    };
    Some(format!(
        "db={}:{}.{:09}:{counter} wal={wal}",
        stat(&db_meta),
        db_meta.ctime(),
        db_meta.ctime_nsec()
    ))
}

/// `PRAGMA integrity_check` on `path`: `Ok(())` or the problems it reported.
pub fn integrity_check(path: &Path) -> Result<(), SqliteError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(SqliteError::Read)?;
    let mut stmt = conn
        .prepare("PRAGMA integrity_check")
        .map_err(SqliteError::Read)?;
    let rows: Vec<String> = stmt
        .query_map([], |row| row.get::<_, String>(0))
        .map_err(SqliteError::Read)?
        .collect::<Result<_, _>>()
        .map_err(SqliteError::Read)?;
    if rows.len() == 1 && rows[0] == "ok" {
        Ok(())
    } else {
        Err(SqliteError::Damaged(rows))
    }
}

/// The verdict of `integrity_check` on a copy, for readers that must not
/// finish with the copy before it is known: the check runs on a thread of
/// its own ([`Check::run`]) while the copy is already being read, and
/// whoever needs the verdict waits for it ([`Check::wait`]).
#[derive(Default)]
pub struct Check {
    verdict: std::sync::Mutex<Verdict>,
    done: std::sync::Condvar,
}

#[derive(Default)]
enum Verdict {
    #[default]
    Running,
    Passed,
    /// The check's own error (taken by the first waiter) and its words
    /// (for every later one).
    Failed {
        error: Option<SqliteError>,
        words: String,
    },
}

impl Check {
    /// Checks `path` and records the verdict; every waiter wakes (also
    /// when the check panics: a waiter must never wait forever).
    pub fn run(&self, path: &Path) {
        struct Unfinished<'a>(&'a Check);
        impl Drop for Unfinished<'_> {
            fn drop(&mut self) {
                self.0.finish(Verdict::Failed {
                    error: None,
                    words: "the integrity check stopped before its verdict".into(),
                });
            }
        }
        let _unfinished = Unfinished(self);
        self.finish(match integrity_check(path) {
            Ok(()) => Verdict::Passed,
            Err(error) => Verdict::Failed {
                words: error.to_string(),
                error: Some(error),
            },
        });
    }

    /// Records the first verdict only.
    fn finish(&self, verdict: Verdict) {
        let mut current = self.verdict.lock().unwrap_or_else(|e| e.into_inner());
        if matches!(*current, Verdict::Running) {
            *current = verdict;
            self.done.notify_all();
        }
    }

    /// Blocks until the check has run: `Ok(())`, or what it reported.
    pub fn wait(&self) -> Result<(), SqliteError> {
        let mut verdict = self.verdict.lock().unwrap_or_else(|e| e.into_inner());
        while matches!(*verdict, Verdict::Running) {
            verdict = self.done.wait(verdict).unwrap_or_else(|e| e.into_inner());
        }
        match &mut *verdict {
            Verdict::Running | Verdict::Passed => Ok(()),
            Verdict::Failed { error, words } => Err(error
                .take()
                .unwrap_or_else(|| SqliteError::Damaged(vec![words.clone()]))),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn a_snapshot_of_a_wal_database_holds_uncheckpointed_rows() {
        let dir = tempfile::tempdir().unwrap();
        let live = dir.path().join("live.db");
        let conn = Connection::open(&live).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;
             CREATE TABLE t(x); INSERT INTO t VALUES (1), (2), (3);",
        )
        .unwrap();
        let copy = dir.path().join("copy.db");
        snapshot(&live, &copy).unwrap();
        integrity_check(&copy).unwrap();
        let n: i64 = Connection::open(&copy)
            .unwrap()
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 3);
    }

    #[test]
    fn the_state_of_a_database_changes_with_every_write_and_only_then() {
        let dir = tempfile::tempdir().unwrap();
        for mode in ["WAL", "DELETE"] {
            let live = dir.path().join(format!("{mode}.db"));
            let writer = Connection::open(&live).unwrap();
            writer
                .execute_batch(&format!(
                    "PRAGMA journal_mode={mode}; PRAGMA wal_autocheckpoint=0;
                     CREATE TABLE t(x); INSERT INTO t VALUES (1);"
                ))
                .unwrap();
            let before = state(&live).expect("a state");
            // A reader (a backup's own copy) changes nothing that counts.
            snapshot(&live, &dir.path().join(format!("{mode}-copy.db"))).unwrap();
            assert_eq!(state(&live).as_ref(), Some(&before), "{mode}: a read");
            // One row, right away (the same clock tick, often): in WAL mode
            // it stays in the -wal while the writer keeps it open.
            writer.execute("UPDATE t SET x = 2", []).unwrap();
            let after = state(&live).expect("a state");
            assert_ne!(after, before, "{mode}: a write must change the state");
        }
    }

    #[test]
    fn a_database_with_a_hot_journal_has_no_state() {
        let dir = tempfile::tempdir().unwrap();
        let live = dir.path().join("live.db");
        Connection::open(&live)
            .unwrap()
            .execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
            .unwrap();
        assert!(state(&live).is_some());
        std::fs::write(dir.path().join("live.db-journal"), [1u8; 512]).unwrap();
        assert_eq!(state(&live), None, "a journal with content: always copy");
    }

    /// A database with rows behind an index, its middle pages scribbled
    /// over (the header intact): it copies and reads fine, only
    /// `integrity_check` finds it.
    pub(crate) fn damaged_database(path: &Path) {
        let conn = Connection::open(path).unwrap();
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
    fn a_damaged_database_fails_the_integrity_check() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.db");
        damaged_database(&path);
        assert!(integrity_check(&path).is_err());
    }
}
