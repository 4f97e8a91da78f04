//! The restore journal, `journal.json` in a restore's working directory
//! (beside the staged files and the pre-restore copy it describes): the
//! plan of the file swap, written durably before the first file moves and
//! again at each phase. It records; `swap` decides what an interrupted
//! restore needs.
//!
//! Progress through the swap is not rewritten file by file: every move is
//! one rename, so each file is in exactly one of three places (staged,
//! live, or kept in `previous/`), and `swap` reads where it is; the same
//! holds for a directory swapped whole.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::dir_handle::{DirHandle, HandleError};

pub const JOURNAL_NAME: &str = "journal.json";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Files are moving; an interruption here is undone.
    Swapping,
    /// Every file is in place and flushed to disk; an interruption here
    /// is finished (the restored files are kept).
    Placed,
    /// The restore failed after the swap (the bot did not start) and is
    /// being undone; an interruption here is undone.
    RollingBack,
}

/// One file of the backup put back at `rel`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Planned {
    /// Relative to the bot's root, `/`-separated.
    pub rel: String,
    /// A file was at `rel` when the swap was planned (it is kept).
    pub existed: bool,
    /// The staged file's size.
    pub size: u64,
    /// A database's `-wal`/`-shm`/`-journal` files: moved aside, never
    /// placed (they would replay old pages onto the restored database).
    pub sidecars: Vec<Sidecar>,
}

/// A whole directory of the backup put back at `rel` with one rename:
/// nothing was in it but what the restore replaces.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlannedDir {
    /// Relative to the bot's root, `/`-separated.
    pub rel: String,
    /// A directory was at `rel` when the swap was planned (it is kept).
    pub existed: bool,
    /// The restored files below it.
    pub files: usize,
    /// Live files below it that already held what the backup has: moved
    /// into the staged directory before it goes into place (never
    /// rewritten), and back into the live one when the swap is undone.
    #[serde(default)]
    pub borrowed: Vec<String>,
}

/// A live file the restore found already holding what the backup has, so
/// never wrote: left in place, or borrowed by a directory moving whole.
/// Undoing after the bot ran on the restored tree, a file no longer
/// matching `was` is written again from the snapshot (its content before
/// the restore was the snapshot's), with this mode, owner and times.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Unchanged {
    /// Relative to the bot's root, `/`-separated.
    pub rel: String,
    /// The file as it was judged to match (a borrowed one: once it moved
    /// into the staged directory, which changes nothing but its ctime).
    pub was: Fingerprint,
    /// Its access time then, put back with it.
    pub atime: (i64, i64),
}

/// Which file is at a path, and whether it was written since: a write,
/// a truncation, a chmod or chown, or a rename over it changes the inode
/// or the ctime (which no one can set back).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    pub dev: u64,
    pub ino: u64,
    pub size: u64,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub mtime: (i64, i64),
    pub ctime: (i64, i64),
}

impl Fingerprint {
    pub fn of(meta: &std::fs::Metadata) -> Fingerprint {
        use std::os::unix::fs::MetadataExt;
        Fingerprint {
            dev: meta.dev(),
            ino: meta.ino(),
            size: meta.size(),
            mode: meta.mode(),
            uid: meta.uid(),
            gid: meta.gid(),
            mtime: (meta.mtime(), meta.mtime_nsec()),
            ctime: (meta.ctime(), meta.ctime_nsec()),
        }
    }

    /// The same file, only renamed since (`now` differs at most in its
    /// ctime): the fingerprint it has now.
    pub fn renamed(&self, now: &Fingerprint) -> Option<Fingerprint> {
        (Fingerprint {
            ctime: now.ctime,
            ..*self
        } == *now)
            .then_some(*now)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sidecar {
    pub rel: String,
    pub existed: bool,
}

/// Why a journal could not be read.
#[derive(Debug, Error)]
pub enum JournalError {
    #[error(transparent)]
    Handle(#[from] HandleError),
    #[error("{}: {source}", path.display())]
    Garbled {
        path: std::path::PathBuf,
        source: serde_json::Error,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Journal {
    pub backup_id: String,
    pub phase: Phase,
    pub files: Vec<Planned>,
    /// Whole directories, moved before the files (none in journals of
    /// earlier versions, which swapped file by file).
    #[serde(default)]
    pub dirs: Vec<PlannedDir>,
    /// Directories of the bot's tree the swap creates, parents first.
    pub created_dirs: Vec<String>,
    /// The live files the restore did not write (none in journals of
    /// earlier versions).
    #[serde(default)]
    pub unchanged: Vec<Unchanged>,
    /// The repository snapshot they are written back from, if need be.
    #[serde(default)]
    pub snapshot: Option<String>,
}

impl Journal {
    /// Writes the journal into the working directory: temp file, fsync,
    /// rename, fsync the directory. Compact (`jq` shows it): a restore
    /// of thousands of files, most found unchanged, journals each one.
    pub fn write(&self, work: &DirHandle) -> Result<(), HandleError> {
        let bytes = serde_json::to_vec(self).expect("a journal serializes");
        work.write_durably(JOURNAL_NAME, &bytes)
    }

    /// The journal in `work`; `Ok(None)` when there is none, `Err` with a
    /// message when it cannot be read.
    pub fn read(work: &DirHandle) -> Result<Option<Journal>, JournalError> {
        match work.read(JOURNAL_NAME)? {
            None => Ok(None),
            Some(bytes) => {
                serde_json::from_slice(&bytes)
                    .map(Some)
                    .map_err(|source| JournalError::Garbled {
                        path: work.shown(JOURNAL_NAME),
                        source,
                    })
            }
        }
    }

    /// Ends the journal: the restore is finished or fully undone.
    pub fn remove(work: &DirHandle) -> Result<(), HandleError> {
        work.remove_file(JOURNAL_NAME)?;
        work.sync()
    }
}
