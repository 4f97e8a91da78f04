//! One update at a time, across threads and processes: an advisory lock on
//! `data/update.lock` (flock; the kernel drops it when the holder dies, even
//! by `kill -9`), whose contents say who holds it and since when.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Who holds the lock, as written into it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Holder {
    /// `cli:<user>`, `discord:<user id>`, `schedule:<id>`.
    pub by: String,
    pub since: DateTime<Utc>,
    pub pid: u32,
    /// What it is doing: `install`, `rollback`, `recovery`.
    pub doing: String,
}

#[derive(Debug)]
pub enum LockError {
    /// Another update holds it; `None` when it has not written its name yet.
    Held(Option<Holder>),
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Held until dropped.
#[derive(Debug)]
pub struct UpdateLock {
    file: File,
    pub holder: Holder,
}

/// Who a background read-only look (the drift check) holds the lock as.
/// It takes the lock only so that no update's half-made changes are read;
/// an update that finds it there waits for it ([`BRIEF_WAIT`]) instead of
/// being refused.
pub const BACKGROUND_READ: &str = "steward:drift";

/// How long an update waits for a [`BACKGROUND_READ`] holder to finish.
pub const BRIEF_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

pub fn path(data: &Path) -> PathBuf {
    data.join("update.lock")
}

/// Whether an update holds the lock now, without taking it (a holder
/// writes its name into the file and empties it when done).
pub fn is_held(data: &Path) -> bool {
    std::fs::metadata(path(data)).is_ok_and(|m| m.len() > 0)
}

impl UpdateLock {
    pub fn acquire(data: &Path, by: &str, doing: &str) -> Result<UpdateLock, LockError> {
        let path = path(data);
        let io = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(data).map_err(io)?;
        let mut file = File::options()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(io)?;
        let waiting_since = std::time::Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) => {
                    let held_by = holder(&mut file);
                    let brief = held_by.as_ref().is_some_and(|h| h.by == BACKGROUND_READ);
                    if !brief || waiting_since.elapsed() >= BRIEF_WAIT {
                        return Err(LockError::Held(held_by));
                    }
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
            }
        }
        let holder = Holder {
            by: by.to_string(),
            since: Utc::now(),
            pid: std::process::id(),
            doing: doing.to_string(),
        };
        file.set_len(0).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        file.write_all(&serde_json::to_vec(&holder).expect("plain record"))
            .map_err(io)?;
        file.flush().map_err(io)?;
        Ok(UpdateLock { file, holder })
    }
}

/// Who holds the lock, as written into it. A holder writes its name right
/// after taking the lock, so a taker that comes in between reads again for
/// a moment rather than answer that somebody unnamed holds it.
fn holder(file: &mut File) -> Option<Holder> {
    for _ in 0..40 {
        let mut text = String::new();
        if file.seek(SeekFrom::Start(0)).is_ok()
            && file.read_to_string(&mut text).is_ok()
            && let Ok(holder) = serde_json::from_str(&text)
        {
            return Some(holder);
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    None
}

impl Drop for UpdateLock {
    fn drop(&mut self) {
        // Emptied first, so nobody reads a stale holder once it is free.
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_taker_learns_who_holds_the_lock_and_since_when() {
        let dir = tempfile::tempdir().unwrap();
        let first = UpdateLock::acquire(dir.path(), "cli:alice", "install").unwrap();
        match UpdateLock::acquire(dir.path(), "discord:42", "install") {
            Err(LockError::Held(Some(holder))) => {
                assert_eq!(holder.by, "cli:alice");
                assert_eq!(holder.since, first.holder.since);
            }
            other => panic!("expected the lock to be held, got {other:?}"),
        }
        drop(first);
        UpdateLock::acquire(dir.path(), "discord:42", "install").expect("free again");
    }

    #[test]
    fn an_update_waits_for_a_background_drift_check_instead_of_being_refused() {
        let dir = tempfile::tempdir().unwrap();
        let drift = UpdateLock::acquire(dir.path(), BACKGROUND_READ, "checking for drift").unwrap();
        let release = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(300));
            drop(drift);
        });
        let install = UpdateLock::acquire(dir.path(), "discord:42", "install")
            .expect("the install waits for the drift check, then runs");
        assert_eq!(install.holder.by, "discord:42");
        release.join().unwrap();
    }
}
