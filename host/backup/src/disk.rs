//! The filesystem guarantees backups rely on: free space, durable renames
//! (fsync the file, rename, fsync the directory), one writer at a time.

use std::fs::File;
use std::io;
use std::path::Path;

/// Bytes available to this user on the filesystem holding `path`.
pub fn free_bytes(path: &Path) -> io::Result<u64> {
    let stat = rustix::fs::statvfs(path)?;
    Ok(stat.f_bavail.saturating_mul(stat.f_frsize))
}

pub use steward_core::durable::{durable_rename, sync_dir, write_atomically};

/// The backup directory's lock: held while anything writes archives, so a
/// second steward never cleans up a backup that is still being made.
pub struct DirLock {
    _file: File,
}

impl DirLock {
    /// `Ok(None)` when another process holds it.
    pub fn try_acquire(dir: &Path) -> io::Result<Option<DirLock>> {
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(".lock"))?;
        match file.try_lock() {
            Ok(()) => Ok(Some(DirLock { _file: file })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(e),
        }
    }
}
