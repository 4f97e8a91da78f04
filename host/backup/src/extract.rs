//! Safe extraction of a tar or tar.gz stream into a private staging
//! directory: only regular files and directories, only relative paths that
//! stay inside, within limits on bytes and entries. Whoever wrote the
//! archive, nothing is ever written outside the staging directory. Backups
//! and the release provider's downloads both come through here.

use std::fs::{DirBuilder, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};
use tar::EntryType;
use thiserror::Error;

/// How much an archive may unpack to.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Sum of all file sizes.
    pub max_bytes: u64,
    /// Entries of any type.
    pub max_entries: u64,
}

/// What was written into the staging directory.
#[derive(Debug, Clone)]
pub struct Extracted {
    /// Regular files, in archive order.
    pub files: Vec<ExtractedFile>,
    pub dirs: Vec<PathBuf>,
    pub total_bytes: u64,
}

#[derive(Debug, Clone)]
pub struct ExtractedFile {
    /// Relative to the staging directory.
    pub path: PathBuf,
    pub size: u64,
    pub sha256: String,
    pub mode: u32,
}

#[derive(Debug, Error)]
pub enum ExtractError {
    #[error("the staging directory {path} cannot be created: {source}")]
    Staging { path: PathBuf, source: io::Error },
    #[error("the archive is truncated")]
    Truncated,
    #[error("the archive is damaged: {0}")]
    Corrupt(String),
    #[error("entry {path:?} has an unsafe path (absolute, `..`, or empty)")]
    UnsafePath { path: String },
    #[error("entry {path:?} is a {kind}; only regular files and directories are accepted")]
    ForbiddenType { path: String, kind: &'static str },
    #[error("entry {path:?}: its PAX size {pax} disagrees with its header size {header}")]
    PaxSizeMismatch { path: String, pax: u64, header: u64 },
    #[error("entry {path:?} appears twice")]
    Duplicate { path: String },
    #[error("the archive unpacks to more than {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("the archive holds more than {limit} entries")]
    TooManyEntries { limit: u64 },
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: io::Error },
}

/// Unpacks a gzip-compressed tar stream (one or several gzip members) into
/// `staging`, which must not exist yet and is created private (0700).
pub fn extract_tar_gz<R: Read>(
    reader: R,
    staging: &Path,
    limits: &Limits,
) -> Result<Extracted, ExtractError> {
    extract_tar(flate2::read::MultiGzDecoder::new(reader), staging, limits)
}

/// Unpacks an uncompressed tar stream; see `extract_tar_gz`.
pub fn extract_tar<R: Read>(
    reader: R,
    staging: &Path,
    limits: &Limits,
) -> Result<Extracted, ExtractError> {
    DirBuilder::new()
        .mode(0o700)
        .create(staging)
        .map_err(|source| ExtractError::Staging {
            path: staging.to_path_buf(),
            source,
        })?;
    let mut archive = tar::Archive::new(reader);
    let mut out = Extracted {
        files: Vec::new(),
        dirs: Vec::new(),
        total_bytes: 0,
    };
    let mut seen = std::collections::HashSet::new();
    let mut count = 0u64;
    for entry in archive.entries().map_err(read_error)? {
        let mut entry = entry.map_err(read_error)?;
        count += 1;
        if count > limits.max_entries {
            return Err(ExtractError::TooManyEntries {
                limit: limits.max_entries,
            });
        }
        let Some(checked) = check_entry(&mut entry)? else {
            continue;
        };
        if !seen.insert(checked.path.clone()) {
            return Err(ExtractError::Duplicate {
                path: checked.path.display().to_string(),
            });
        }
        let target = staging.join(&checked.path);
        match checked.kind {
            Kind::Dir => {
                DirBuilder::new()
                    .recursive(true)
                    .mode(0o755)
                    .create(&target)
                    .map_err(|source| ExtractError::Write {
                        path: target.clone(),
                        source,
                    })?;
                out.dirs.push(checked.path);
            }
            Kind::File => {
                let size = entry.size();
                if out.total_bytes.saturating_add(size) > limits.max_bytes {
                    return Err(ExtractError::TooLarge {
                        limit: limits.max_bytes,
                    });
                }
                let (sha256, written) = write_file(&mut entry, &target, checked.mode)?;
                if written != size {
                    return Err(ExtractError::Truncated);
                }
                out.total_bytes += size;
                out.files.push(ExtractedFile {
                    path: checked.path,
                    size,
                    sha256,
                    mode: checked.mode,
                });
            }
        }
    }
    // Read to the end so the gzip trailer (CRC and length) is checked, but
    // never unpack an unbounded tail.
    let mut tail = archive.into_inner().take(16 * 1024 * 1024 + 1);
    let drained = io::copy(&mut tail, &mut io::sink()).map_err(read_error)?;
    if drained > 16 * 1024 * 1024 {
        return Err(ExtractError::Corrupt(
            "more than 16 MiB of data after the end of the archive".into(),
        ));
    }
    Ok(out)
}

pub(crate) enum Kind {
    File,
    Dir,
}

/// An entry that passed every rule.
pub(crate) struct Checked {
    pub path: PathBuf,
    pub kind: Kind,
    pub mode: u32,
}

/// The rules every entry must pass; `None` for metadata entries that carry
/// nothing to unpack (PAX global headers).
pub(crate) fn check_entry<R: Read>(
    entry: &mut tar::Entry<'_, R>,
) -> Result<Option<Checked>, ExtractError> {
    let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
    let header = entry.header();
    let entry_type = header.entry_type();
    if entry_type.is_pax_global_extensions() {
        return Ok(None);
    }
    let kind = match entry_type {
        EntryType::Regular | EntryType::Continuous => Kind::File,
        EntryType::Directory => Kind::Dir,
        other => {
            return Err(ExtractError::ForbiddenType {
                path: raw,
                kind: type_name(other),
            });
        }
    };
    let path = safe_relative(&raw).ok_or_else(|| ExtractError::UnsafePath { path: raw.clone() })?;
    let header_size = header.entry_size().map_err(read_error)?;
    let mode = header.mode().map_err(read_error)? & 0o777;
    // tar trusts a PAX `size` over the header's; a disagreement is how an
    // archive smuggles bytes past a reader that looks only at the header.
    if let Some(extensions) = entry.pax_extensions().map_err(read_error)? {
        for ext in extensions {
            let ext = ext.map_err(read_error)?;
            if ext.key_bytes() == b"size" {
                let pax = std::str::from_utf8(ext.value_bytes())
                    .ok()
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .ok_or_else(|| ExtractError::Corrupt(format!("entry {raw:?}: bad PAX size")))?;
                // The octal header field cannot hold 8 GiB or more; only
                // then may it differ.
                if pax != header_size && header_size < 0o77777777777 {
                    return Err(ExtractError::PaxSizeMismatch {
                        path: raw,
                        pax,
                        header: header_size,
                    });
                }
            }
        }
    }
    Ok(Some(Checked { path, kind, mode }))
}

/// A path that stays below the directory it is joined to: only normal
/// components (a leading `./` is allowed), nothing absolute, no `..`.
pub(crate) fn safe_relative(raw: &str) -> Option<PathBuf> {
    if raw.is_empty() || raw.contains('\0') {
        return None;
    }
    let mut out = PathBuf::new();
    for c in Path::new(raw).components() {
        match c {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    (!out.as_os_str().is_empty()).then_some(out)
}

fn type_name(t: EntryType) -> &'static str {
    match t {
        EntryType::Symlink => "symbolic link",
        EntryType::Link => "hard link",
        EntryType::Char => "character device",
        EntryType::Block => "block device",
        EntryType::Fifo => "named pipe",
        EntryType::GNUSparse => "sparse file",
        _ => "special entry",
    }
}

fn write_file<R: Read>(
    entry: &mut R,
    target: &Path,
    mode: u32,
) -> Result<(String, u64), ExtractError> {
    let write_error = |source| ExtractError::Write {
        path: target.to_path_buf(),
        source,
    };
    if let Some(parent) = target.parent() {
        DirBuilder::new()
            .recursive(true)
            .mode(0o755)
            .create(parent)
            .map_err(write_error)?;
    }
    // create_new: never through an existing name, so never through a link.
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(target)
        .map_err(write_error)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut written = 0u64;
    loop {
        let n = match entry.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(read_error(e)),
        };
        hasher.update(&buf[..n]);
        file.write_all(&buf[..n]).map_err(write_error)?;
        written += n as u64;
    }
    file.set_permissions(std::fs::Permissions::from_mode(mode))
        .map_err(write_error)?;
    Ok((hex::encode(hasher.finalize()), written))
}

/// A read failure is either the stream ending early or bytes that are not
/// a valid gzip/tar stream.
pub(crate) fn read_error(e: io::Error) -> ExtractError {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        ExtractError::Truncated
    } else {
        ExtractError::Corrupt(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOMY: Limits = Limits {
        max_bytes: 1 << 20,
        max_entries: 100,
    };

    fn header(path: &str, entry_type: EntryType, size: u64) -> tar::Header {
        let mut h = tar::Header::new_gnu();
        // Written raw: `set_path` itself refuses `..` and absolute paths.
        let name = &mut h.as_old_mut().name;
        name[..path.len()].copy_from_slice(path.as_bytes());
        h.set_entry_type(entry_type);
        h.set_size(size);
        h.set_mode(0o644);
        h.set_cksum();
        h
    }

    fn archive(entries: &[(&str, EntryType, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (path, t, data) in entries {
            b.append(&header(path, *t, data.len() as u64), *data)
                .unwrap();
        }
        b.into_inner().unwrap()
    }

    fn refused(bytes: &[u8]) -> (ExtractError, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let err = extract_tar(bytes, &dir.path().join("staging"), &ROOMY).unwrap_err();
        (err, dir)
    }

    #[test]
    fn regular_files_and_dirs_unpack_with_their_hashes() {
        let bytes = archive(&[
            ("./data/", EntryType::Directory, b""),
            ("data/a.txt", EntryType::Regular, b"hello"),
        ]);
        let dir = tempfile::tempdir().unwrap();
        let staging = dir.path().join("s");
        let out = extract_tar(&bytes[..], &staging, &ROOMY).unwrap();
        assert_eq!(std::fs::read(staging.join("data/a.txt")).unwrap(), b"hello");
        assert_eq!(out.files[0].sha256, hex::encode(Sha256::digest(b"hello")));
        let mode = std::fs::metadata(&staging).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "staging must be private");
    }

    #[test]
    fn parent_dir_and_absolute_paths_are_refused() {
        for path in ["../evil", "a/../../evil", "/tmp/evil"] {
            let (err, _dir) = refused(&archive(&[(path, EntryType::Regular, b"x")]));
            assert!(
                matches!(err, ExtractError::UnsafePath { .. }),
                "{path}: {err}"
            );
        }
    }

    #[test]
    fn links_and_devices_are_refused() {
        for t in [
            EntryType::Symlink,
            EntryType::Link,
            EntryType::Char,
            EntryType::Block,
            EntryType::Fifo,
        ] {
            let (err, _dir) = refused(&archive(&[("x", t, b"")]));
            assert!(
                matches!(err, ExtractError::ForbiddenType { .. }),
                "{t:?}: {err}"
            );
        }
    }

    #[test]
    fn entry_count_and_size_limits_hold() {
        let bytes = archive(&[
            ("a", EntryType::Regular, b"12345"),
            ("b", EntryType::Regular, b"1"),
        ]);
        let dir = tempfile::tempdir().unwrap();
        let tight = Limits {
            max_bytes: 4,
            max_entries: 10,
        };
        let err = extract_tar(&bytes[..], &dir.path().join("s1"), &tight).unwrap_err();
        assert!(matches!(err, ExtractError::TooLarge { .. }), "{err}");
        let few = Limits {
            max_bytes: 100,
            max_entries: 1,
        };
        let err = extract_tar(&bytes[..], &dir.path().join("s2"), &few).unwrap_err();
        assert!(matches!(err, ExtractError::TooManyEntries { .. }), "{err}");
    }

    #[test]
    fn duplicate_entries_are_refused() {
        let (err, _dir) = refused(&archive(&[
            ("a", EntryType::Regular, b"1"),
            ("./a", EntryType::Regular, b"2"),
        ]));
        assert!(matches!(err, ExtractError::Duplicate { .. }), "{err}");
    }

    #[test]
    fn a_truncated_entry_is_refused() {
        let mut bytes = archive(&[("a", EntryType::Regular, &[7u8; 4000])]);
        bytes.truncate(512 + 1000);
        let (err, _dir) = refused(&bytes);
        assert!(matches!(err, ExtractError::Truncated), "{err}");
    }

    #[test]
    fn an_existing_staging_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = extract_tar(&archive(&[])[..], dir.path(), &ROOMY).unwrap_err();
        assert!(matches!(err, ExtractError::Staging { .. }), "{err}");
    }
}
