//! The filesystem guarantees backups rely on: free space, durable renames
//! (fsync the file, rename, fsync the directory), one writer at a time.

use std::fs::File;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// Bytes available to this user on the filesystem holding `path`.
pub fn free_bytes(path: &Path) -> io::Result<u64> {
    let c = std::ffi::CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::other("path holds a NUL byte"))?;
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid C string and `stat` a properly sized out-parameter.
    let rc = unsafe { libc::statvfs(c.as_ptr(), &mut stat) };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(stat.f_bavail as u64 * stat.f_frsize as u64)
}

/// Replaces `target` with `bytes` so a crash leaves the old or the new
/// contents, never a mix: temp file, fsync, rename, fsync the directory.
pub fn write_atomically(target: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    let tmp = target.with_file_name(name);
    let mut f = File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, target)?;
    if let Some(parent) = target.parent() {
        sync_dir(parent)?;
    }
    Ok(())
}

/// Makes a rename or a new name in `dir` durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Renames `from` to `to` (same directory) and makes the new name durable.
pub fn durable_rename(from: &Path, to: &Path) -> io::Result<()> {
    std::fs::rename(from, to)?;
    sync_dir(to.parent().unwrap_or(Path::new(".")))
}

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
