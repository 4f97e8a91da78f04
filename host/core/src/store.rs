//! Steward's own records: one sled database (`data/steward.sled`) of typed
//! trees whose values are MessagePack (rmp-serde), with a schema version key.
//! It stores and fetches; it never decides what a record means.

use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;
use thiserror::Error;

/// The layout this build reads and writes. Raise it with a migration when a
/// stored value changes shape incompatibly.
pub const SCHEMA_VERSION: u32 = 1;

const META: &str = "meta";
const SCHEMA_KEY: &str = "schema_version";

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("cannot open the store {path}: {source}")]
    Open { path: PathBuf, source: sled::Error },
    #[error("the store {path} is in use by another steward process")]
    Locked { path: PathBuf },
    #[error("the store {path} has schema version {found}; this steward knows up to {supported}")]
    NewerSchema {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error("store tree {tree}: {source}")]
    Io { tree: String, source: sled::Error },
    #[error("store tree {tree}, key {key}: the stored value cannot be read: {message}")]
    Decode {
        tree: String,
        key: String,
        message: String,
    },
    #[error("store tree {tree}, key {key}: the value cannot be encoded: {message}")]
    Encode {
        tree: String,
        key: String,
        message: String,
    },
}

/// The open store. Cheap to clone (sled shares one database).
#[derive(Clone)]
pub struct Store {
    db: sled::Db,
}

/// How long [`Store::open`] waits for a lock this process may still hold
/// through sled's background threads.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_millis(1000);

/// Whether sled refused to open because another opener holds the lock: it
/// reports that as an I/O error, sometimes wrapped in one of its own kind
/// that says so in its text; both shapes mean the same thing.
fn is_lock_refused(error: &sled::Error) -> bool {
    matches!(error, sled::Error::Io(io)
        if io.kind() == std::io::ErrorKind::WouldBlock
            || io.to_string().contains("could not acquire lock"))
}

impl Store {
    /// Opens (creating if needed) the store at `path` and checks its schema.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        remove_incomplete_snapshots(path);
        // A store this process has just closed can stay locked a moment:
        // sled lets go of its lock when its background threads let go of
        // the database, not when the last handle is dropped. A lock still
        // held after LOCK_WAIT is someone else's.
        let waited = std::time::Instant::now();
        let db = loop {
            match sled::Config::new().path(path).open() {
                Ok(db) => break db,
                Err(source) if is_lock_refused(&source) && waited.elapsed() < LOCK_WAIT => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(source) if is_lock_refused(&source) => {
                    return Err(StoreError::Locked {
                        path: path.to_path_buf(),
                    });
                }
                Err(source) => {
                    return Err(StoreError::Open {
                        path: path.to_path_buf(),
                        source,
                    });
                }
            }
        };
        let store = Store { db };
        let meta: Tree<u32> = store.tree(META)?;
        match meta.get(SCHEMA_KEY)? {
            Some(found) if found > SCHEMA_VERSION => {
                return Err(StoreError::NewerSchema {
                    path: path.to_path_buf(),
                    found,
                    supported: SCHEMA_VERSION,
                });
            }
            Some(_) => {}
            None => {
                meta.insert(SCHEMA_KEY, &SCHEMA_VERSION)?;
                store.flush()?;
            }
        }
        Ok(store)
    }

    /// The tree `name`, holding values of type `V`.
    pub fn tree<V: Serialize + DeserializeOwned>(&self, name: &str) -> Result<Tree<V>, StoreError> {
        let tree = self.db.open_tree(name).map_err(|source| StoreError::Io {
            tree: name.to_string(),
            source,
        })?;
        Ok(Tree {
            name: name.to_string(),
            tree,
            _value: PhantomData,
        })
    }

    /// Makes every write so far durable.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.db
            .flush()
            .map(|_| ())
            .map_err(|source| StoreError::Io {
                tree: "*".to_string(),
                source,
            })
    }

    pub fn schema_version(&self) -> Result<Option<u32>, StoreError> {
        self.tree::<u32>(META)?.get(SCHEMA_KEY)
    }
}

/// sled writes a snapshot as `snap.<lsn>.generating` and renames it once
/// complete; one left behind (a full disk, a kill) is read back as the
/// newest snapshot, and every later open fails with "Read corrupted data".
/// Removed only while no other process holds the store: sled locks its
/// `db` file, and a holder may be writing a snapshot right now.
fn remove_incomplete_snapshots(path: &Path) {
    let Ok(lock) = std::fs::File::open(path.join("db")) else {
        return;
    };
    if lock.try_lock().is_err() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(path) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("snap.") && name.ends_with(".generating") {
            match std::fs::remove_file(entry.path()) {
                Ok(()) => tracing::warn!(
                    "removed the incomplete store snapshot {} (an earlier write was cut short)",
                    entry.path().display()
                ),
                Err(e) => tracing::warn!(
                    "cannot remove the incomplete store snapshot {}: {e}",
                    entry.path().display()
                ),
            }
        }
    }
}

/// A tree of string keys to values of one type.
#[derive(Clone)]
pub struct Tree<V> {
    name: String,
    tree: sled::Tree,
    _value: PhantomData<fn() -> V>,
}

impl<V: Serialize + DeserializeOwned> Tree<V> {
    fn io(&self, source: sled::Error) -> StoreError {
        StoreError::Io {
            tree: self.name.clone(),
            source,
        }
    }

    fn decode(&self, key: &[u8], bytes: &[u8]) -> Result<V, StoreError> {
        rmp_serde::from_slice(bytes).map_err(|e| StoreError::Decode {
            tree: self.name.clone(),
            key: String::from_utf8_lossy(key).into_owned(),
            message: e.to_string(),
        })
    }

    fn encode(&self, key: &str, value: &V) -> Result<Vec<u8>, StoreError> {
        // Named fields, so a field added later still reads older records.
        rmp_serde::to_vec_named(value).map_err(|e| StoreError::Encode {
            tree: self.name.clone(),
            key: key.to_string(),
            message: e.to_string(),
        })
    }

    pub fn get(&self, key: &str) -> Result<Option<V>, StoreError> {
        match self.tree.get(key).map_err(|e| self.io(e))? {
            Some(bytes) => self.decode(key.as_bytes(), &bytes).map(Some),
            None => Ok(None),
        }
    }

    pub fn insert(&self, key: &str, value: &V) -> Result<(), StoreError> {
        let bytes = self.encode(key, value)?;
        self.tree.insert(key, bytes).map_err(|e| self.io(e))?;
        Ok(())
    }

    /// Inserts only when `key` is absent; false when it was taken.
    pub fn insert_new(&self, key: &str, value: &V) -> Result<bool, StoreError> {
        let bytes = self.encode(key, value)?;
        let swapped = self
            .tree
            .compare_and_swap(key, None as Option<&[u8]>, Some(bytes))
            .map_err(|e| self.io(e))?;
        Ok(swapped.is_ok())
    }

    pub fn remove(&self, key: &str) -> Result<Option<V>, StoreError> {
        match self.tree.remove(key).map_err(|e| self.io(e))? {
            Some(bytes) => self.decode(key.as_bytes(), &bytes).map(Some),
            None => Ok(None),
        }
    }

    /// Every value, in key order.
    pub fn values(&self) -> Result<Vec<V>, StoreError> {
        self.tree
            .iter()
            .map(|item| {
                let (k, v) = item.map_err(|e| self.io(e))?;
                self.decode(&k, &v)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Old {
        id: String,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct New {
        id: String,
        #[serde(default)]
        note: Option<String>,
    }

    /// A store at `path` holding `things/a`, closed again.
    fn store_one_value(path: &Path) {
        let store = Store::open(path).unwrap();
        let tree: Tree<Old> = store.tree("things").unwrap();
        tree.insert("a", &Old { id: "a".into() }).unwrap();
        store.flush().unwrap();
    }

    #[test]
    fn values_survive_reopening_and_fields_can_be_added() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("steward.sled");
        store_one_value(&path);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), Some(SCHEMA_VERSION));
        let tree: Tree<New> = store.tree("things").unwrap();
        assert_eq!(
            tree.get("a").unwrap(),
            Some(New {
                id: "a".into(),
                note: None
            })
        );
    }

    #[test]
    fn a_store_held_by_another_opener_is_reported_as_in_use() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sled");
        let _held = Store::open(&path).unwrap();
        let err = Store::open(&path).err().expect("the second open must fail");
        assert!(matches!(err, StoreError::Locked { .. }), "{err}");
    }

    #[test]
    fn an_incomplete_snapshot_left_by_a_full_disk_does_not_break_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("steward.sled");
        store_one_value(&path);
        // What a snapshot cut short by ENOSPC leaves: the name, no bytes.
        std::fs::write(path.join("snap.7FFFFFFFFFFFFFFF.generating"), b"").unwrap();
        let store = Store::open(&path).unwrap();
        let tree: Tree<Old> = store.tree("things").unwrap();
        assert_eq!(tree.get("a").unwrap(), Some(Old { id: "a".into() }));
        assert!(!path.join("snap.7FFFFFFFFFFFFFFF.generating").exists());
    }

    #[test]
    fn insert_new_refuses_a_taken_key() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.sled")).unwrap();
        let tree: Tree<Old> = store.tree("things").unwrap();
        assert!(tree.insert_new("a", &Old { id: "1".into() }).unwrap());
        assert!(!tree.insert_new("a", &Old { id: "2".into() }).unwrap());
        assert_eq!(tree.get("a").unwrap().unwrap().id, "1");
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sled");
        {
            let store = Store::open(&path).unwrap();
            let meta: Tree<u32> = store.tree(META).unwrap();
            meta.insert(SCHEMA_KEY, &(SCHEMA_VERSION + 1)).unwrap();
            store.flush().unwrap();
        }
        let err = Store::open(&path).err().unwrap();
        assert!(matches!(err, StoreError::NewerSchema { .. }), "{err}");
    }
}
