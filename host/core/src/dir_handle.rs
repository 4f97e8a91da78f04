//! A directory held open as a handle, and every path below it walked one
//! component at a time with `O_NOFOLLOW | O_DIRECTORY`: a symbolic link
//! anywhere in a path is refused with that path, never followed, and a
//! rename never replaces what is at its target unless it says so. Restores
//! and plan steps write into the bot's root only through here; paths are
//! joined only to be shown (or, for code that takes only paths, through
//! the handle's `/proc/self/fd` entry).

use std::io::{self, Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, CWD, FileType, Mode, OFlags, RenameFlags};
use rustix::io::Errno;
use thiserror::Error;

const DIR_FLAGS: OFlags = OFlags::RDONLY
    .union(OFlags::DIRECTORY)
    .union(OFlags::NOFOLLOW)
    .union(OFlags::CLOEXEC);

#[derive(Debug, Error)]
pub enum HandleError {
    #[error("{path} is a symbolic link, and a restore never writes through one")]
    Symlink { path: PathBuf },
    #[error("{path} is {found} where the backup needs {wanted}")]
    InTheWay {
        path: PathBuf,
        found: &'static str,
        wanted: &'static str,
    },
    #[error("{path:?} is not a plain relative path")]
    NotRelative { path: String },
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
}

impl HandleError {
    /// The path it is about, and the cause as an I/O error (ENOSPC and the
    /// like keep their kind and text).
    pub fn into_parts(self) -> (PathBuf, io::Error) {
        match self {
            HandleError::Io { path, source } => (path, source),
            HandleError::Symlink { ref path } | HandleError::InTheWay { ref path, .. } => {
                (path.clone(), io::Error::other(self.to_string()))
            }
            HandleError::NotRelative { ref path } => {
                (PathBuf::from(path), io::Error::other(self.to_string()))
            }
        }
    }
}

/// What is at a name, never following a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    Missing,
    File {
        size: u64,
        /// Permission bits (`0o7777`), and the owner.
        mode: u32,
        uid: u32,
        gid: u32,
    },
    Dir,
    Symlink,
    Other,
}

/// What a name in a directory listing is (see `DirHandle::kinds`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
    Symlink,
    Other,
}

impl Entry {
    fn described(self) -> &'static str {
        match self {
            Entry::Missing => "nothing",
            Entry::File { .. } => "a file",
            Entry::Dir => "a directory",
            Entry::Symlink => "a symbolic link",
            Entry::Other => "a special file",
        }
    }
}

pub struct DirHandle {
    fd: OwnedFd,
    /// Where it was opened, for messages only.
    path: PathBuf,
}

impl DirHandle {
    /// Opens the directory `path` (the bot's root, as configured: a link
    /// there is the operator's choice and is followed).
    pub fn open(path: &Path) -> Result<DirHandle, HandleError> {
        let fd = rustix::fs::open(
            path,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| io_error(path, e))?;
        Ok(DirHandle {
            fd,
            path: path.to_path_buf(),
        })
    }

    /// Opens the absolute `path` from `/` one component at a time, never
    /// following a link, and creates the missing directories (0755) below
    /// its deepest existing one. A component that is a link fails with the
    /// system's `ELOOP`/`ENOTDIR`: the caller resolved links beforehand, so
    /// one found now was swapped in after its check.
    pub fn open_creating(path: &Path) -> Result<DirHandle, HandleError> {
        let fail = |e: Errno| io_error(path, e);
        let mut fd = rustix::fs::openat(CWD, "/", DIR_FLAGS, Mode::empty()).map_err(fail)?;
        for component in path.components() {
            let name = match component {
                std::path::Component::RootDir => continue,
                std::path::Component::Normal(name) => name,
                _ => {
                    return Err(HandleError::Io {
                        path: path.to_path_buf(),
                        source: io::Error::new(
                            io::ErrorKind::InvalidInput,
                            "only absolute paths without `.` or `..` are opened",
                        ),
                    });
                }
            };
            fd = match rustix::fs::openat(&fd, name, DIR_FLAGS, Mode::empty()) {
                Err(Errno::NOENT) => {
                    match rustix::fs::mkdirat(&fd, name, Mode::from_raw_mode(0o755)) {
                        // Made by someone else meanwhile: opened below all the same.
                        Ok(()) | Err(Errno::EXIST) => {}
                        Err(e) => return Err(fail(e)),
                    }
                    rustix::fs::openat(&fd, name, DIR_FLAGS, Mode::empty()).map_err(fail)?
                }
                other => other.map_err(fail)?,
            };
        }
        Ok(DirHandle {
            fd,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// This directory as a path that resolves through the handle, for code
    /// that only takes paths (the archive reader).
    pub fn proc_path(&self) -> PathBuf {
        PathBuf::from(format!("/proc/self/fd/{}", self.fd.as_raw_fd()))
    }

    /// Creates the new file `name` here with `mode`: never an existing one,
    /// never through a link.
    pub fn create_new(&self, name: &str, mode: u32) -> Result<std::fs::File, HandleError> {
        let name = single(name)?;
        let flags =
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        rustix::fs::openat(&self.fd, name, flags, Mode::from_raw_mode(mode))
            .map(std::fs::File::from)
            .map_err(|e| io_error(&self.shown(name), e))
    }

    /// Creates the symbolic link `name` here, saying `text`.
    pub fn symlink(&self, text: &str, name: &str) -> Result<(), HandleError> {
        let name = single(name)?;
        rustix::fs::symlinkat(text, &self.fd, name).map_err(|e| io_error(&self.shown(name), e))
    }

    /// Renames `from` over `to`, both names in this directory: whatever is
    /// at `to` is replaced in one step (a link there is replaced, not
    /// followed).
    pub fn rename_over(&self, from: &str, to: &str) -> Result<(), HandleError> {
        let (from, to) = (single(from)?, single(to)?);
        rustix::fs::renameat(&self.fd, from, &self.fd, to).map_err(|e| io_error(&self.shown(to), e))
    }

    /// Where `rel` is, for messages.
    pub fn shown(&self, rel: &str) -> PathBuf {
        if rel.is_empty() {
            self.path.clone()
        } else {
            self.path.join(rel)
        }
    }

    /// The directory `rel` below this one; `None` when a component is
    /// missing.
    pub fn subdir(&self, rel: &str) -> Result<Option<DirHandle>, HandleError> {
        self.walk(rel, None)
    }

    /// The directory `rel`, creating missing components (0755); each one
    /// created is added to `created`, parents first.
    pub fn subdir_creating(
        &self,
        rel: &str,
        created: &mut Vec<String>,
    ) -> Result<DirHandle, HandleError> {
        Ok(self
            .walk(rel, Some(created))?
            .expect("missing components are created"))
    }

    /// Creates the new private (0700) directory `name` here and opens it.
    pub fn create_private_dir(&self, name: &str) -> Result<DirHandle, HandleError> {
        let name = single(name)?;
        rustix::fs::mkdirat(&self.fd, name, Mode::from_raw_mode(0o700))
            .map_err(|e| io_error(&self.shown(name), e))?;
        self.subdir(name)?.ok_or_else(|| HandleError::Io {
            path: self.shown(name),
            source: io::ErrorKind::NotFound.into(),
        })
    }

    /// The directories of `rel_dir` that do not exist yet, parents first;
    /// refuses a link or a non-directory on the way.
    pub fn missing_dirs(&self, rel_dir: &str) -> Result<Vec<String>, HandleError> {
        let parts = parts(rel_dir)?;
        let mut fd = self.reopen()?;
        for (i, part) in parts.iter().enumerate() {
            match self.open_component(&fd, &parts[..=i], part)? {
                Some(next) => fd = next,
                None => return Ok((i..parts.len()).map(|j| parts[..=j].join("/")).collect()),
            }
        }
        Ok(Vec::new())
    }

    /// What is at `rel`; `Missing` when it or a parent is missing. A link
    /// in a parent is refused.
    pub fn entry(&self, rel: &str) -> Result<Entry, HandleError> {
        let (parent, name) = split(rel)?;
        match self.subdir(parent)? {
            None => Ok(Entry::Missing),
            Some(dir) => dir.entry_here(name),
        }
    }

    /// Renames `from` (below this directory) to `to` (below `target`),
    /// creating `to`'s missing parents (added to `created`). Never replaces
    /// anything at `to`.
    pub fn rename_to(
        &self,
        from: &str,
        target: &DirHandle,
        to: &str,
        created: &mut Vec<String>,
    ) -> Result<(), HandleError> {
        let (from_parent, from_name) = split(from)?;
        let (to_parent, to_name) = split(to)?;
        let source = self.subdir(from_parent)?.ok_or_else(|| HandleError::Io {
            path: self.shown(from),
            source: io::ErrorKind::NotFound.into(),
        })?;
        let dest = target.subdir_creating(to_parent, created)?;
        source.rename_name(from_name, &dest, to_name, &target.shown(to))
    }

    /// Renames the name `from` in this directory to the name `to` in
    /// `dest` (both already open), never replacing anything at `to`.
    pub fn rename_into(&self, from: &str, dest: &DirHandle, to: &str) -> Result<(), HandleError> {
        let (from, to) = (single(from)?, single(to)?);
        self.rename_name(from, dest, to, &dest.shown(to))
    }

    fn rename_name(
        &self,
        from_name: &str,
        dest: &DirHandle,
        to_name: &str,
        shown: &Path,
    ) -> Result<(), HandleError> {
        match rustix::fs::renameat_with(
            &self.fd,
            from_name,
            &dest.fd,
            to_name,
            RenameFlags::NOREPLACE,
        ) {
            Ok(()) => Ok(()),
            // A filesystem without RENAME_NOREPLACE: look, then rename.
            Err(Errno::INVAL | Errno::NOSYS) => {
                if dest.entry_here(to_name)? != Entry::Missing {
                    return Err(io_error(shown, Errno::EXIST));
                }
                rustix::fs::renameat(&self.fd, from_name, &dest.fd, to_name)
                    .map_err(|e| io_error(shown, e))
            }
            Err(e) => Err(io_error(shown, e)),
        }
    }

    /// What is at the name `name` in this directory, never following a
    /// link (no path walked).
    pub fn entry_of(&self, name: &str) -> Result<Entry, HandleError> {
        self.entry_here(single(name)?)
    }

    /// Opens the regular file `name` in this directory for reading, never
    /// through a link; `None` when nothing or something else (a link, a
    /// directory, a device, a FIFO: never waited on) is there.
    pub fn open_file_of(&self, name: &str) -> Result<Option<std::fs::File>, HandleError> {
        let name = single(name)?;
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
        let fd = match rustix::fs::openat(&self.fd, name, flags, Mode::empty()) {
            Ok(fd) => fd,
            Err(Errno::NOENT | Errno::LOOP) => return Ok(None),
            Err(e) => return Err(io_error(&self.shown(name), e)),
        };
        let stat = rustix::fs::fstat(&fd).map_err(|e| io_error(&self.shown(name), e))?;
        if FileType::from_raw_mode(stat.st_mode) != FileType::RegularFile {
            return Ok(None);
        }
        Ok(Some(std::fs::File::from(fd)))
    }

    /// Removes the file `rel` (a link is removed, never followed).
    pub fn remove_file(&self, rel: &str) -> Result<(), HandleError> {
        let (parent, name) = split(rel)?;
        let Some(dir) = self.subdir(parent)? else {
            return Ok(());
        };
        match rustix::fs::unlinkat(&dir.fd, name, AtFlags::empty()) {
            Ok(()) | Err(Errno::NOENT) => Ok(()),
            Err(e) => Err(io_error(&self.shown(rel), e)),
        }
    }

    /// Removes the directory `rel` if it is empty; false when it is not
    /// (or is not there).
    pub fn remove_empty_dir(&self, rel: &str) -> Result<bool, HandleError> {
        let (parent, name) = split(rel)?;
        let Some(dir) = self.subdir(parent)? else {
            return Ok(false);
        };
        match rustix::fs::unlinkat(&dir.fd, name, AtFlags::REMOVEDIR) {
            Ok(()) => Ok(true),
            Err(Errno::NOENT | Errno::NOTEMPTY | Errno::EXIST | Errno::NOTDIR) => Ok(false),
            Err(e) => Err(io_error(&self.shown(rel), e)),
        }
    }

    /// Removes `rel` and everything below it; a link is removed itself,
    /// never followed.
    ///
    /// Each directory is opened once (relative to its parent's handle,
    /// `O_NOFOLLOW`), read once, and its entries unlinked relative to that
    /// handle: no path is walked again per entry, and nothing outside
    /// `rel` can be reached.
    pub fn remove_tree(&self, rel: &str) -> Result<(), HandleError> {
        let (parent, name) = split(rel)?;
        let Some(dir) = self.subdir(parent)? else {
            return Ok(());
        };
        let name = std::ffi::CString::new(name).map_err(|_| HandleError::NotRelative {
            path: rel.to_string(),
        })?;
        remove_at(dir.fd.as_fd(), &name, None, &self.shown(rel))
    }

    /// Removes every empty directory below `rel` and then `rel` itself if
    /// it ended up empty; files are never removed. True when `rel` is gone.
    pub fn prune_empty_dirs(&self, rel: &str) -> Result<bool, HandleError> {
        let Some(dir) = self.subdir(rel)? else {
            return Ok(true);
        };
        for name in dir.names()? {
            if dir.entry_here(&name)? == Entry::Dir {
                dir.prune_empty_dirs(&name)?;
            }
        }
        self.remove_empty_dir(rel)
    }

    /// Replaces `name` in this directory with `bytes` so a crash leaves the
    /// old or the new contents: temp file, fsync, rename, fsync this
    /// directory.
    pub fn write_durably(&self, name: &str, bytes: &[u8]) -> Result<(), HandleError> {
        let name = single(name)?;
        let tmp = format!("{name}.partial");
        let fail = |e: io::Error| HandleError::Io {
            path: self.shown(name),
            source: e,
        };
        match rustix::fs::unlinkat(&self.fd, tmp.as_str(), AtFlags::empty()) {
            Ok(()) | Err(Errno::NOENT) => {}
            Err(e) => return Err(fail(e.into())),
        }
        let mut file = self
            .create_new(&tmp, 0o600)
            .map_err(|e| fail(e.into_parts().1))?;
        file.write_all(bytes).map_err(fail)?;
        file.sync_all().map_err(fail)?;
        drop(file);
        self.rename_over(&tmp, name)
            .map_err(|e| fail(e.into_parts().1))?;
        self.sync()
    }

    /// The contents of the file `name` here; `None` when there is none.
    pub fn read(&self, name: &str) -> Result<Option<Vec<u8>>, HandleError> {
        let name = single(name)?;
        let fd = match rustix::fs::openat(
            &self.fd,
            name,
            OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        ) {
            Ok(fd) => fd,
            Err(Errno::NOENT) => return Ok(None),
            Err(e) => return Err(io_error(&self.shown(name), e)),
        };
        let mut bytes = Vec::new();
        std::fs::File::from(fd)
            .read_to_end(&mut bytes)
            .map_err(|source| HandleError::Io {
                path: self.shown(name),
                source,
            })?;
        Ok(Some(bytes))
    }

    /// Makes renames and new names in this directory durable.
    pub fn sync(&self) -> Result<(), HandleError> {
        rustix::fs::fsync(&self.fd).map_err(|e| io_error(&self.path, e))
    }

    /// Flushes the whole filesystem holding this directory in one call:
    /// far cheaper than an fsync per file after thousands of renames.
    pub fn sync_filesystem(&self) -> Result<(), HandleError> {
        rustix::fs::syncfs(&self.fd).map_err(|e| io_error(&self.path, e))
    }

    /// The names in this directory (not `.` and `..`).
    pub fn names(&self) -> Result<Vec<String>, HandleError> {
        let fd = self.reopen()?;
        let mut dir = rustix::fs::Dir::read_from(&fd).map_err(|e| io_error(&self.path, e))?;
        let mut names = Vec::new();
        while let Some(entry) = dir.read() {
            let entry = entry.map_err(|e| io_error(&self.path, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name != "." && name != ".." {
                names.push(name);
            }
        }
        Ok(names)
    }

    /// The names in this directory with what each is, as the listing
    /// says (a `stat` only where it does not), never following a link. A
    /// name that is not UTF-8 is listed (lossily) as `Kind::Other`, so it
    /// never matches a name it is not.
    pub fn kinds(&self) -> Result<Vec<(String, Kind)>, HandleError> {
        let fd = self.reopen()?;
        let mut dir = rustix::fs::Dir::read_from(&fd).map_err(|e| io_error(&self.path, e))?;
        let mut out = Vec::new();
        while let Some(entry) = dir.read() {
            let entry = entry.map_err(|e| io_error(&self.path, e))?;
            let raw = entry.file_name();
            if raw == c"." || raw == c".." {
                continue;
            }
            let Ok(name) = raw.to_str() else {
                out.push((raw.to_string_lossy().into_owned(), Kind::Other));
                continue;
            };
            let file_type = match entry.file_type() {
                FileType::Unknown => {
                    match rustix::fs::statat(&fd, raw, AtFlags::SYMLINK_NOFOLLOW) {
                        Ok(stat) => FileType::from_raw_mode(stat.st_mode),
                        Err(Errno::NOENT) => continue,
                        Err(e) => return Err(io_error(&self.shown(name), e)),
                    }
                }
                known => known,
            };
            let kind = match file_type {
                FileType::RegularFile => Kind::File,
                FileType::Directory => Kind::Dir,
                FileType::Symlink => Kind::Symlink,
                _ => Kind::Other,
            };
            out.push((name.to_string(), kind));
        }
        Ok(out)
    }

    /// This directory's permission bits (`0o7777`) and owner.
    pub fn mode_and_owner(&self) -> Result<(u32, u32, u32), HandleError> {
        let stat = rustix::fs::fstat(&self.fd).map_err(|e| io_error(&self.path, e))?;
        Ok((stat.st_mode & 0o7777, stat.st_uid, stat.st_gid))
    }

    /// Which mount this directory is on: a directory moved whole must not
    /// carry another filesystem (or a bind mount) with it. The mount id
    /// where the kernel tells it (Linux 5.8), else the device.
    pub fn mount(&self) -> Result<u64, HandleError> {
        match rustix::fs::statx(
            &self.fd,
            "",
            AtFlags::EMPTY_PATH,
            rustix::fs::StatxFlags::MNT_ID,
        ) {
            Ok(statx) if statx.stx_mask & rustix::fs::StatxFlags::MNT_ID.bits() != 0 => {
                Ok(statx.stx_mnt_id)
            }
            _ => rustix::fs::fstat(&self.fd)
                .map(|stat| stat.st_dev)
                .map_err(|e| io_error(&self.path, e)),
        }
    }

    /// Gives this directory `mode` and, when it differs, the owner
    /// `uid:gid` (which only root may give away: `EPERM` otherwise).
    pub fn set_mode_and_owner(&self, mode: u32, uid: u32, gid: u32) -> Result<(), HandleError> {
        let (_, have_uid, have_gid) = self.mode_and_owner()?;
        if (have_uid, have_gid) != (uid, gid) {
            rustix::fs::fchown(
                &self.fd,
                Some(rustix::fs::Uid::from_raw(uid)),
                Some(rustix::fs::Gid::from_raw(gid)),
            )
            .map_err(|e| io_error(&self.path, e))?;
        }
        rustix::fs::fchmod(&self.fd, Mode::from_raw_mode(mode)).map_err(|e| io_error(&self.path, e))
    }

    fn entry_here(&self, name: &str) -> Result<Entry, HandleError> {
        match rustix::fs::statat(&self.fd, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(stat) => Ok(match FileType::from_raw_mode(stat.st_mode) {
                FileType::RegularFile => Entry::File {
                    size: stat.st_size as u64,
                    mode: stat.st_mode & 0o7777,
                    uid: stat.st_uid,
                    gid: stat.st_gid,
                },
                FileType::Directory => Entry::Dir,
                FileType::Symlink => Entry::Symlink,
                _ => Entry::Other,
            }),
            Err(Errno::NOENT) => Ok(Entry::Missing),
            Err(e) => Err(io_error(&self.shown(name), e)),
        }
    }

    fn reopen(&self) -> Result<OwnedFd, HandleError> {
        rustix::fs::openat(&self.fd, ".", DIR_FLAGS, Mode::empty())
            .map_err(|e| io_error(&self.path, e))
    }

    fn walk(
        &self,
        rel: &str,
        mut created: Option<&mut Vec<String>>,
    ) -> Result<Option<DirHandle>, HandleError> {
        let parts = parts(rel)?;
        let mut fd = self.reopen()?;
        for (i, part) in parts.iter().enumerate() {
            let so_far = &parts[..=i];
            fd = match self.open_component(&fd, so_far, part)? {
                Some(next) => next,
                None => match created.as_deref_mut() {
                    None => return Ok(None),
                    Some(created) => {
                        match rustix::fs::mkdirat(&fd, *part, Mode::from_raw_mode(0o755)) {
                            Ok(()) => created.push(so_far.join("/")),
                            // Made by someone else meanwhile: checked below.
                            Err(Errno::EXIST) => {}
                            Err(e) => return Err(io_error(&self.shown(&so_far.join("/")), e)),
                        }
                        self.open_component(&fd, so_far, part)?
                            .ok_or_else(|| io_error(&self.shown(&so_far.join("/")), Errno::NOENT))?
                    }
                },
            };
        }
        Ok(Some(DirHandle {
            fd,
            path: self.shown(rel),
        }))
    }

    /// Opens one component below `fd`; `None` when it is missing.
    fn open_component(
        &self,
        fd: &OwnedFd,
        so_far: &[&str],
        part: &str,
    ) -> Result<Option<OwnedFd>, HandleError> {
        match rustix::fs::openat(fd, part, DIR_FLAGS, Mode::empty()) {
            Ok(next) => Ok(Some(next)),
            Err(Errno::NOENT) => Ok(None),
            Err(Errno::LOOP | Errno::NOTDIR) => {
                let path = self.shown(&so_far.join("/"));
                let found = match rustix::fs::statat(fd, part, AtFlags::SYMLINK_NOFOLLOW) {
                    Ok(stat) => match FileType::from_raw_mode(stat.st_mode) {
                        FileType::Symlink => Entry::Symlink,
                        FileType::RegularFile => Entry::File {
                            size: stat.st_size as u64,
                            mode: stat.st_mode & 0o7777,
                            uid: stat.st_uid,
                            gid: stat.st_gid,
                        },
                        _ => Entry::Other,
                    },
                    Err(e) => return Err(io_error(&path, e)),
                };
                Err(match found {
                    Entry::Symlink => HandleError::Symlink { path },
                    other => HandleError::InTheWay {
                        path,
                        found: other.described(),
                        wanted: "a directory",
                    },
                })
            }
            Err(e) => Err(io_error(&self.shown(&so_far.join("/")), e)),
        }
    }
}

impl Entry {
    /// The refusal for finding this where a regular file (or nothing)
    /// must be.
    pub fn not_a_file(self, path: PathBuf) -> Option<HandleError> {
        match self {
            Entry::Missing | Entry::File { .. } => None,
            Entry::Symlink => Some(HandleError::Symlink { path }),
            other => Some(HandleError::InTheWay {
                path,
                found: other.described(),
                wanted: "a file",
            }),
        }
    }
}

impl Entry {
    /// The refusal for finding this where a directory (or nothing) must
    /// be.
    pub fn not_a_dir(self, path: PathBuf) -> Option<HandleError> {
        match self {
            Entry::Missing | Entry::Dir => None,
            Entry::Symlink => Some(HandleError::Symlink { path }),
            other => Some(HandleError::InTheWay {
                path,
                found: other.described(),
                wanted: "a directory",
            }),
        }
    }
}

/// Removes `name` below the directory `parent` and everything below it.
/// `kind` is what the directory listing said it is, when it said.
fn remove_at(
    parent: BorrowedFd<'_>,
    name: &std::ffi::CStr,
    kind: Option<FileType>,
    shown: &Path,
) -> Result<(), HandleError> {
    let unlink = |flags: AtFlags| match rustix::fs::unlinkat(parent, name, flags) {
        Ok(()) | Err(Errno::NOENT) => Ok(()),
        Err(e) => Err(io_error(shown, e)),
    };
    if matches!(kind, Some(k) if k != FileType::Directory && k != FileType::Unknown) {
        return unlink(AtFlags::empty());
    }
    let fd = match rustix::fs::openat(parent, name, DIR_FLAGS, Mode::empty()) {
        Ok(fd) => fd,
        Err(Errno::NOENT) => return Ok(()),
        // A link (never followed) or not a directory: the name itself goes.
        Err(Errno::LOOP | Errno::NOTDIR) => return unlink(AtFlags::empty()),
        Err(e) => return Err(io_error(shown, e)),
    };
    let mut dir = rustix::fs::Dir::new(fd).map_err(|e| io_error(shown, e))?;
    let mut entries = Vec::new();
    while let Some(entry) = dir.read() {
        let entry = entry.map_err(|e| io_error(shown, e))?;
        let child = entry.file_name();
        if child != c"." && child != c".." {
            entries.push((child.to_owned(), entry.file_type()));
        }
    }
    let fd = dir.fd().map_err(|e| io_error(shown, e))?;
    for (child, kind) in entries {
        let child_shown = shown.join(std::ffi::OsStr::from_bytes(child.to_bytes()));
        remove_at(fd, &child, Some(kind), &child_shown)?;
    }
    unlink(AtFlags::REMOVEDIR)
}

fn io_error(path: &Path, e: Errno) -> HandleError {
    HandleError::Io {
        path: path.to_path_buf(),
        source: e.into(),
    }
}

/// The components of a `/`-separated relative path, each a plain name;
/// `""` is the directory itself.
fn parts(rel: &str) -> Result<Vec<&str>, HandleError> {
    if rel.is_empty() {
        return Ok(Vec::new());
    }
    let parts: Vec<&str> = rel.split('/').collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || *p == "." || *p == ".." || p.contains('\0'))
    {
        return Err(HandleError::NotRelative {
            path: rel.to_string(),
        });
    }
    Ok(parts)
}

/// A single plain name.
fn single(name: &str) -> Result<&str, HandleError> {
    match parts(name)?.as_slice() {
        [one] => Ok(one),
        _ => Err(HandleError::NotRelative {
            path: name.to_string(),
        }),
    }
}

/// `rel` as its parent (`""` at the top) and its last name.
fn split(rel: &str) -> Result<(&str, &str), HandleError> {
    parts(rel)?;
    Ok(match rel.rsplit_once('/') {
        Some((parent, name)) => (parent, name),
        None if !rel.is_empty() => ("", rel),
        None => {
            return Err(HandleError::NotRelative {
                path: rel.to_string(),
            });
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_symlinked_directory_in_a_path_is_refused_with_its_path() {
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join("data")).unwrap();
        std::os::unix::fs::symlink(outside.path(), root.path().join("data/uploads")).unwrap();
        std::fs::write(root.path().join("staged"), b"x").unwrap();
        let dir = DirHandle::open(root.path()).unwrap();
        let err = dir
            .rename_to("staged", &dir, "data/uploads/a.png", &mut Vec::new())
            .unwrap_err();
        match err {
            HandleError::Symlink { path } => assert_eq!(path, root.path().join("data/uploads")),
            other => panic!("{other}"),
        }
        assert!(root.path().join("staged").exists());
        assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
        assert!(matches!(
            dir.entry("data/uploads/a.png"),
            Err(HandleError::Symlink { .. })
        ));
        assert_eq!(dir.entry("data/uploads").unwrap(), Entry::Symlink);
    }

    #[test]
    fn a_rename_never_replaces_what_is_at_its_target() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("a"), b"new").unwrap();
        std::fs::write(root.path().join("b"), b"only copy").unwrap();
        let dir = DirHandle::open(root.path()).unwrap();
        assert!(dir.rename_to("a", &dir, "b", &mut Vec::new()).is_err());
        assert_eq!(std::fs::read(root.path().join("b")).unwrap(), b"only copy");
        assert_eq!(std::fs::read(root.path().join("a")).unwrap(), b"new");
    }

    #[test]
    fn missing_parents_are_created_and_reported() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("a"), b"x").unwrap();
        let dir = DirHandle::open(root.path()).unwrap();
        assert_eq!(dir.missing_dirs("p/q").unwrap(), ["p", "p/q"]);
        let mut created = Vec::new();
        dir.rename_to("a", &dir, "p/q/a", &mut created).unwrap();
        assert_eq!(created, ["p", "p/q"]);
        assert_eq!(std::fs::read(root.path().join("p/q/a")).unwrap(), b"x");
        assert!(dir.missing_dirs("p/q").unwrap().is_empty());
    }

    #[test]
    fn parent_dir_components_are_refused() {
        let root = tempfile::tempdir().unwrap();
        let dir = DirHandle::open(root.path()).unwrap();
        for rel in ["../x", "a/../../x", "/etc/passwd", "a//b", "./a"] {
            assert!(
                matches!(dir.entry(rel), Err(HandleError::NotRelative { .. })),
                "{rel}"
            );
        }
    }

    #[test]
    fn a_link_in_an_absolute_path_is_refused_even_after_the_check() {
        let root = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(root.path()).unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), root.join("swapped")).unwrap();
        assert!(DirHandle::open_creating(&root.join("swapped")).is_err());
        assert!(DirHandle::open_creating(&root.join("swapped/deeper")).is_err());
        assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
    }

    #[test]
    fn missing_directories_are_created_and_new_files_never_follow_links() {
        let root = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(root.path()).unwrap();
        let dir = DirHandle::open_creating(&root.join("a/b")).unwrap();
        assert!(root.join("a/b").is_dir());
        std::os::unix::fs::symlink("/etc/passwd", root.join("a/b/link")).unwrap();
        assert_eq!(dir.entry("link").unwrap(), Entry::Symlink);
        assert!(dir.create_new("link", 0o600).is_err());
        assert_eq!(dir.entry("nothing").unwrap(), Entry::Missing);
    }

    #[test]
    fn remove_tree_removes_links_themselves_and_nothing_outside() {
        use std::os::unix::ffi::OsStrExt;
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("keep"), b"theirs").unwrap();
        let tree = root.path().join("t");
        std::fs::create_dir_all(tree.join("a/b/c")).unwrap();
        std::fs::write(tree.join("a/b/c/f"), b"x").unwrap();
        std::fs::write(tree.join("top"), b"x").unwrap();
        std::fs::write(
            tree.join(std::ffi::OsStr::from_bytes(b"not-utf8-\xff")),
            b"x",
        )
        .unwrap();
        std::os::unix::fs::symlink(outside.path(), tree.join("a/dir-link")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("keep"), tree.join("file-link")).unwrap();
        std::fs::write(root.path().join("beside"), b"mine").unwrap();
        let dir = DirHandle::open(root.path()).unwrap();
        dir.remove_tree("t").unwrap();
        assert!(!tree.exists());
        assert_eq!(
            std::fs::read(outside.path().join("keep")).unwrap(),
            b"theirs"
        );
        assert_eq!(std::fs::read(root.path().join("beside")).unwrap(), b"mine");
        // A link given as the tree itself goes, its target stays.
        std::os::unix::fs::symlink(outside.path(), root.path().join("l")).unwrap();
        dir.remove_tree("l").unwrap();
        assert!(std::fs::symlink_metadata(root.path().join("l")).is_err());
        assert_eq!(
            std::fs::read(outside.path().join("keep")).unwrap(),
            b"theirs"
        );
        // Nothing there is nothing to do.
        dir.remove_tree("gone/deeper").unwrap();
    }

    #[test]
    fn a_replacing_rename_replaces_a_link_without_following_it() {
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("victim"), b"theirs").unwrap();
        std::os::unix::fs::symlink(outside.path().join("victim"), root.path().join("current"))
            .unwrap();
        let dir = DirHandle::open(root.path()).unwrap();
        dir.symlink("1.5.0", "new-link").unwrap();
        dir.rename_over("new-link", "current").unwrap();
        assert_eq!(
            std::fs::read_link(root.path().join("current")).unwrap(),
            Path::new("1.5.0")
        );
        assert_eq!(
            std::fs::read(outside.path().join("victim")).unwrap(),
            b"theirs"
        );
        assert_eq!(
            std::fs::read_link(dir.proc_path()).unwrap(),
            std::fs::canonicalize(root.path()).unwrap()
        );
    }

    #[test]
    fn a_listing_says_what_each_name_is_without_following_links() {
        use std::os::unix::ffi::OsStrExt;
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("file"), b"x").unwrap();
        std::fs::create_dir(root.path().join("dir")).unwrap();
        std::os::unix::fs::symlink(outside.path(), root.path().join("link")).unwrap();
        std::fs::write(
            root.path().join(std::ffi::OsStr::from_bytes(b"bytes-\xff")),
            b"x",
        )
        .unwrap();
        let dir = DirHandle::open(root.path()).unwrap();
        let mut kinds = dir.kinds().unwrap();
        kinds.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            kinds,
            [
                ("bytes-\u{fffd}".to_string(), Kind::Other),
                ("dir".to_string(), Kind::Dir),
                ("file".to_string(), Kind::File),
                ("link".to_string(), Kind::Symlink),
            ]
        );
        let sub = dir.subdir("dir").unwrap().unwrap();
        sub.set_mode_and_owner(0o750, 0, 0).unwrap_or_else(|e| {
            // Not root: only the mode can be given.
            let (_, uid, gid) = sub.mode_and_owner().unwrap();
            assert!(uid != 0, "{e}");
            sub.set_mode_and_owner(0o750, uid, gid).unwrap();
        });
        assert_eq!(sub.mode_and_owner().unwrap().0, 0o750);
    }
}
