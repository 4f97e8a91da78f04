//! A directory a plan step writes into, held open as a handle that was
//! reached from `/` one component at a time without following a symbolic
//! link. Every create, rename and link of a step goes through it, so a link
//! swapped into the path after the grant was checked cannot redirect the
//! write, and the last component is never followed.

use std::ffi::OsStr;
use std::fs::File;
use std::io;
use std::os::fd::OwnedFd;
use std::path::{Component, Path, PathBuf};

use rustix::fs::{AtFlags, CWD, FileType, Mode, OFlags, RenameFlags};

/// What is at a name inside a [`Dir`], never following a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    Missing,
    File { mode: u32, uid: u32, gid: u32 },
    Link,
    Dir,
    Other,
}

pub struct Dir {
    fd: OwnedFd,
    path: PathBuf,
}

const DIR_FLAGS: OFlags = OFlags::RDONLY
    .union(OFlags::DIRECTORY)
    .union(OFlags::NOFOLLOW)
    .union(OFlags::CLOEXEC);

impl Dir {
    /// Opens `path` (absolute, links already resolved by the caller's
    /// check), creating the missing directories below its deepest existing
    /// one. Any component that is (now) a link fails with `ELOOP`/`ENOTDIR`.
    pub fn open_creating(path: &Path) -> io::Result<Dir> {
        let mut fd = rustix::fs::openat(CWD, "/", DIR_FLAGS, Mode::empty())?;
        for component in path.components() {
            let name = match component {
                Component::RootDir => continue,
                Component::Normal(name) => name,
                _ => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidInput,
                        "only absolute paths without `.` or `..` are opened",
                    ));
                }
            };
            match rustix::fs::mkdirat(&fd, name, Mode::from_raw_mode(0o755)) {
                Ok(()) | Err(rustix::io::Errno::EXIST) => {}
                Err(e) => return Err(e.into()),
            }
            fd = rustix::fs::openat(&fd, name, DIR_FLAGS, Mode::empty())?;
        }
        Ok(Dir {
            fd,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The directory as a path that resolves through this handle (for code
    /// that only takes paths, such as the archive reader).
    pub fn proc_path(&self) -> PathBuf {
        use std::os::fd::AsRawFd;
        PathBuf::from(format!("/proc/self/fd/{}", self.fd.as_raw_fd()))
    }

    /// What `name` is, not following a link.
    pub fn entry(&self, name: &OsStr) -> io::Result<Entry> {
        match rustix::fs::statat(&self.fd, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(stat) => Ok(match FileType::from_raw_mode(stat.st_mode) {
                FileType::RegularFile => Entry::File {
                    mode: stat.st_mode & 0o7777,
                    uid: stat.st_uid,
                    gid: stat.st_gid,
                },
                FileType::Symlink => Entry::Link,
                FileType::Directory => Entry::Dir,
                _ => Entry::Other,
            }),
            Err(rustix::io::Errno::NOENT) => Ok(Entry::Missing),
            Err(e) => Err(e.into()),
        }
    }

    /// Creates a new file `name` (never an existing one, never through a link).
    pub fn create_new(&self, name: &OsStr, mode: u32) -> io::Result<File> {
        let flags = OFlags::WRONLY
            .union(OFlags::CREATE)
            .union(OFlags::EXCL)
            .union(OFlags::NOFOLLOW)
            .union(OFlags::CLOEXEC);
        let fd = rustix::fs::openat(&self.fd, name, flags, Mode::from_raw_mode(mode))?;
        Ok(File::from(fd))
    }

    /// Creates the symbolic link `name` saying `text`.
    pub fn symlink(&self, text: &str, name: &OsStr) -> io::Result<()> {
        rustix::fs::symlinkat(text, &self.fd, name)?;
        Ok(())
    }

    /// Renames `from` over `to`, both in this directory.
    pub fn rename(&self, from: &OsStr, to: &OsStr) -> io::Result<()> {
        rustix::fs::renameat(&self.fd, from, &self.fd, to)?;
        Ok(())
    }

    /// Renames `from` to `to`, failing with `AlreadyExists` rather than
    /// replacing anything at `to`.
    pub fn rename_no_replace(&self, from: &OsStr, to: &OsStr) -> io::Result<()> {
        rustix::fs::renameat_with(&self.fd, from, &self.fd, to, RenameFlags::NOREPLACE)?;
        Ok(())
    }

    pub fn remove_file(&self, name: &OsStr) -> io::Result<()> {
        rustix::fs::unlinkat(&self.fd, name, AtFlags::empty())?;
        Ok(())
    }

    /// Makes the renames in this directory durable.
    pub fn sync(&self) -> io::Result<()> {
        rustix::fs::fsync(&self.fd)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_in_the_path_is_refused_even_after_the_check() {
        let root = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(root.path()).unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), root.join("swapped")).unwrap();
        assert!(Dir::open_creating(&root.join("swapped")).is_err());
        assert!(Dir::open_creating(&root.join("swapped/deeper")).is_err());
        assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
    }

    #[test]
    fn missing_directories_are_created_and_new_files_never_follow_links() {
        let root = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(root.path()).unwrap();
        let dir = Dir::open_creating(&root.join("a/b")).unwrap();
        assert!(root.join("a/b").is_dir());
        std::os::unix::fs::symlink("/etc/passwd", root.join("a/b/link")).unwrap();
        assert_eq!(dir.entry(OsStr::new("link")).unwrap(), Entry::Link);
        assert!(dir.create_new(OsStr::new("link"), 0o600).is_err());
        assert_eq!(dir.entry(OsStr::new("nothing")).unwrap(), Entry::Missing);
    }
}
