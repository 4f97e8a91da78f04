//! Writes that survive a crash: a temporary file, fsync, rename, fsync the
//! directory, so a reader finds the old contents or the new, never a mix.

use std::fs::File;
use std::io;
use std::path::Path;

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
