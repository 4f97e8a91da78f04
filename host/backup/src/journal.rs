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
}

impl Journal {
    /// Writes the journal into the working directory: temp file, fsync,
    /// rename, fsync the directory.
    pub fn write(&self, work: &DirHandle) -> Result<(), HandleError> {
        let bytes = serde_json::to_vec_pretty(self).expect("a journal serializes");
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
