//! A copy of what the store holds for the configuration (the settings
//! overrides and the owners' grant decisions), beside the store, for a
//! command run in its own process that only needs to read them: opening
//! sled recovers its log first, which was about 5 ms of a 22 ms
//! `steward check`, and such a command needs nothing else from the store.
//!
//! The copy is only taken while it is known to say what the store says:
//! - it records the identity, size and modification time of the store's
//!   log file (`db`) when it was made, after reading the store; any later
//!   write to the store (by anyone, an older Steward too) changes them, and
//!   a copy that does not match is not read;
//! - every writer of overrides or decisions removes the copy before it
//!   writes (a write within the same clock tick as the copy's making could
//!   leave the time as it was), and fails if it cannot;
//! - a copy that is missing, unreadable or of another shape is not read.
//!
//! Whoever reads the store itself writes a fresh copy. Nothing depends on a
//! copy being there: without one the store is opened, as before.

use std::collections::BTreeMap;
use std::io;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::granted::StoredDecision;
use crate::settings::Override;
use crate::store::StoreError;

/// What the store holds for the configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StoredConfig {
    pub overrides: BTreeMap<String, Override>,
    pub decisions: BTreeMap<String, StoredDecision>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Copy {
    /// The store's log file when the copy was made.
    log: Identity,
    stored: StoredConfig,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Identity {
    inode: u64,
    len: u64,
    mtime_ns: i128,
    ctime_ns: i128,
}

/// Where the copy of the store at `store` (`<data>/steward.sled`) lives.
pub fn path_for(store: &Path) -> PathBuf {
    store.with_file_name("stored-config.json")
}

fn identity(store: &Path) -> Option<Identity> {
    let m = std::fs::metadata(store.join("db")).ok()?;
    let ns = |secs: i64, nanos: i64| i128::from(secs) * 1_000_000_000 + i128::from(nanos);
    Some(Identity {
        inode: m.ino(),
        len: m.len(),
        mtime_ns: ns(m.mtime(), m.mtime_nsec()),
        ctime_ns: ns(m.ctime(), m.ctime_nsec()),
    })
}

/// What the store at `store` holds, from the copy, when there is one that
/// still says what the store says.
pub fn read(store: &Path) -> Option<StoredConfig> {
    let bytes = std::fs::read(path_for(store)).ok()?;
    let copy: Copy = serde_json::from_slice(&bytes).ok()?;
    (Some(&copy.log) == identity(store).as_ref()).then_some(copy.stored)
}

/// Writes the copy of `stored`, just read from the store at `store` (still
/// open: the identity is the log's now). Best effort: without a copy the
/// next command opens the store.
pub fn write(store: &Path, stored: &StoredConfig) {
    let Some(log) = identity(store) else {
        return;
    };
    let copy = Copy {
        log,
        stored: stored.clone(),
    };
    let target = path_for(store);
    let written = serde_json::to_vec(&copy)
        .map_err(io::Error::other)
        .and_then(|bytes| {
            let tmp =
                target.with_file_name(format!("stored-config.{}.partial", std::process::id()));
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(&tmp)?;
            io::Write::write_all(&mut file, &bytes)?;
            std::fs::rename(&tmp, &target)
        });
    if let Err(e) = written {
        tracing::debug!(
            "no copy of the stored configuration at {}: {e}",
            target.display()
        );
    }
}

/// Removes the copy before the store's overrides or decisions change; a
/// copy that cannot be removed fails the change.
pub fn forget(store: &Path) -> Result<(), StoreError> {
    let copy = path_for(store);
    match std::fs::remove_file(&copy) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(StoreError::Io {
            tree: format!("(the copy of its settings at {})", copy.display()),
            source: sled::Error::Io(e),
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored() -> StoredConfig {
        let mut s = StoredConfig::default();
        s.overrides.insert(
            "updates.update_check_interval".into(),
            Override {
                value: "120".into(),
                set_at: chrono::Utc::now(),
                set_by: "shell".into(),
            },
        );
        s
    }

    fn store_dir(dir: &Path) -> PathBuf {
        let store = dir.join("steward.sled");
        std::fs::create_dir(&store).unwrap();
        std::fs::write(store.join("db"), b"log").unwrap();
        store
    }

    #[test]
    fn a_copy_is_read_while_the_store_is_as_it_was_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_dir(dir.path());
        assert_eq!(read(&store), None, "no copy yet");
        let stored = stored();
        write(&store, &stored);
        assert_eq!(read(&store), Some(stored));
        let mode = std::fs::metadata(path_for(&store)).unwrap().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn any_write_to_the_store_after_the_copy_makes_it_unread() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_dir(dir.path());
        write(&store, &stored());
        // Same length, new contents: the change time moves all the same.
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(store.join("db"), b"LOG").unwrap();
        assert_eq!(read(&store), None);
    }

    #[test]
    fn a_forgotten_or_damaged_copy_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_dir(dir.path());
        write(&store, &stored());
        forget(&store).unwrap();
        assert_eq!(read(&store), None);
        forget(&store).unwrap();
        write(&store, &stored());
        std::fs::write(path_for(&store), b"{\"log\":").unwrap();
        assert_eq!(read(&store), None);
    }
}
