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

#[cfg(test)]
mod tests {
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
    fn a_damaged_database_fails_the_integrity_check() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.db");
        let conn = Connection::open(&path).unwrap();
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
        let mut bytes = std::fs::read(&path).unwrap();
        let len = bytes.len();
        // Scribble over the middle pages, leaving the header intact.
        for b in &mut bytes[len / 2..len / 2 + 8192] {
            *b = 0xA5;
        }
        std::fs::write(&path, bytes).unwrap();
        assert!(integrity_check(&path).is_err());
    }
}
