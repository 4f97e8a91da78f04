//! Writes that survive a crash: a temporary file, fsync, rename, fsync the
//! directory, so a reader finds the old contents or the new, never a mix.

use std::fs::File;
use std::io;
use std::path::Path;

/// Replaces `target` with `bytes` so a crash leaves the old or the new
/// contents, never a mix: temp file, fsync, rename, fsync the directory.
///
/// The temporary file's name is this writer's own (process and call), so two
/// writers of the same target (a service starting while a CLI command opens
/// the store, both installing the bundled providers) never take each other's
/// file away between its write and its rename.
pub fn write_atomically(target: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    use std::sync::atomic::{AtomicU64, Ordering};
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(format!(
        ".{}-{}.partial",
        std::process::id(),
        CALLS.fetch_add(1, Ordering::Relaxed)
    ));
    let tmp = target.with_file_name(name);
    let mut f = create_fresh(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, target)?;
    if let Some(parent) = target.parent() {
        sync_dir(parent)?;
    }
    Ok(())
}

/// A new, empty file at `path`, created and never opened: whatever already
/// stands at the name (a link planted to another file, the leftover of a
/// writer that died with this process id) is removed first, never written
/// through.
pub fn create_fresh(path: &Path) -> io::Result<File> {
    let create = || {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
    };
    match create() {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            std::fs::remove_file(path)?;
            create()
        }
        made => made,
    }
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

#[cfg(test)]
mod writers_tests {
    use super::*;

    #[test]
    fn a_link_planted_at_a_fresh_files_name_is_not_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "untouched").unwrap();
        let name = dir.path().join("journal.json.812-0.partial");
        std::os::unix::fs::symlink(&victim, &name).unwrap();
        use std::io::Write;
        create_fresh(&name).unwrap().write_all(b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
        assert_eq!(std::fs::read_to_string(&name).unwrap(), "new");
        assert!(!std::fs::symlink_metadata(&name).unwrap().is_symlink());
    }

    #[test]
    fn writers_of_the_same_target_at_once_all_succeed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("provider.wasm");
        let threads: Vec<_> = (0..8)
            .map(|n| {
                let target = target.clone();
                std::thread::spawn(move || {
                    for _ in 0..50 {
                        write_atomically(&target, format!("writer {n}").as_bytes())?;
                    }
                    io::Result::Ok(())
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap().unwrap();
        }
        assert!(
            std::fs::read_to_string(&target)
                .unwrap()
                .starts_with("writer ")
        );
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "temporary files left behind");
    }
}
