//! What is in the providers directory right now: one entry per `*.wasm`,
//! loaded or failed with a reason. Rescanned before each operation, so
//! added, changed and removed files are picked up without a restart. Only
//! regular files within a size cap are read; a symlink is never followed.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use serde::Serialize;
use thiserror::Error;

use super::cache::{FileStamp, Identified};
use super::grants::Grant;
use super::{Origin, Pre, Runtime, file_stem, sha256_hex, untrusted};
use crate::provider::Info;

/// A provider ready to be called.
pub struct LoadedProvider {
    /// The file stem; grants and settings are keyed by it, never by what the
    /// provider calls itself.
    pub name: String,
    pub file: PathBuf,
    pub sha256: String,
    pub wit_version: String,
    pub info: Info,
    pub grant: Arc<Grant>,
    /// What it asks for, while the operator has granted it nothing at all
    /// (no `[providers.NAME.grant]`): it is not run until they do, since a
    /// check without its grant would see nothing and answer "up to date".
    pub waiting_for_grant: Option<crate::provider::Capabilities>,
    /// What it asked for that its grant does not cover ("http
    /// api.osv.dev", "read {bot}"): it runs, but only partly.
    pub missing: Vec<String>,
    pub settings: Vec<(String, String)>,
    pub enabled: bool,
    pub origin: Origin,
    pub load_ms: f64,
    /// The component ready to instantiate, while it is loaded: made at the
    /// first call when the load did not need it (see `Runtime::prepared`),
    /// and let go once the provider sat unused (see `Runtime::unload_idle`).
    pub(super) pre: std::sync::Mutex<Prepared>,
}

/// A provider's loaded component and when a call last finished with it.
#[derive(Default)]
pub(super) struct Prepared {
    pub(super) pre: Option<Arc<Pre>>,
    pub(super) last_used: Option<std::time::Instant>,
}

impl LoadedProvider {
    /// Whether its component is in memory now (an unloaded provider is
    /// read back from the compile cache at its next call).
    pub fn is_prepared(&self) -> bool {
        self.pre.lock().expect("prepared lock").pre.is_some()
    }
}

/// A file that could not be loaded, and why.
#[derive(Debug, Clone, Serialize)]
pub struct LoadFailure {
    pub name: String,
    pub file: PathBuf,
    pub sha256: Option<String>,
    pub error: String,
}

#[derive(Clone)]
pub enum ProviderEntry {
    Loaded(Arc<LoadedProvider>),
    Failed(LoadFailure),
}

impl ProviderEntry {
    pub fn name(&self) -> &str {
        match self {
            ProviderEntry::Loaded(p) => &p.name,
            ProviderEntry::Failed(f) => &f.name,
        }
    }
}

#[derive(Clone, PartialEq, Eq)]
struct Fingerprint {
    len: u64,
    modified: Option<SystemTime>,
    /// The same of `NAME.wasm.minisig`, so a signature added, replaced or
    /// removed is judged again.
    signature: Option<(u64, Option<SystemTime>)>,
}

#[derive(Default)]
pub(super) struct Catalog {
    entries: BTreeMap<PathBuf, (Fingerprint, ProviderEntry)>,
    /// What each loaded file held at its stamp, kept in the compile cache
    /// so the next process need not hash it (`None` until the first scan).
    identities: Option<BTreeMap<PathBuf, Identified>>,
    identities_changed: bool,
}

impl Catalog {
    pub(super) fn entries(&self) -> Vec<ProviderEntry> {
        self.entries.values().map(|(_, e)| e.clone()).collect()
    }

    pub(super) fn refresh(&mut self, runtime: &Runtime) {
        let files = wasm_files(&runtime.providers_dir());
        self.entries.retain(|path, _| files.contains(path));
        for file in files {
            // The entry itself, never what a symlink points to.
            let Ok(meta) = std::fs::symlink_metadata(&file) else {
                continue;
            };
            let signature = std::fs::symlink_metadata(super::signature::signature_path(&file))
                .ok()
                .map(|m| (m.len(), m.modified().ok()));
            let fingerprint = Fingerprint {
                len: meta.len(),
                modified: meta.modified().ok(),
                signature,
            };
            if matches!(self.entries.get(&file), Some((f, _)) if *f == fingerprint) {
                continue;
            }
            let recorded = self.recorded(runtime).get(&file).cloned();
            let entry = match Contents::open(&file, recorded.as_ref()) {
                Err(e) => {
                    tracing::warn!("skipping provider {}: {e}", file.display());
                    ProviderEntry::Failed(LoadFailure {
                        name: file_stem(&file),
                        file: file.clone(),
                        sha256: None,
                        error: e.to_string(),
                    })
                }
                Ok(mut contents) => {
                    let policy = runtime.config().signatures.clone();
                    // A signature is verified over the bytes, read through
                    // the handle whose stamp was checked; a bundled file
                    // (trusted by hash) or no signature policy needs none.
                    let read = if super::signature::needs_bytes(&policy, &contents.sha256) {
                        contents.bytes().map(drop)
                    } else {
                        Ok(())
                    };
                    let checked = read.map_err(|e| e.to_string()).and_then(|()| {
                        let bytes = contents.read_bytes().unwrap_or_default();
                        super::signature::check(&policy, &file, bytes, &contents.sha256)
                            .map_err(|refused| untrusted::text(&refused.to_string()).into_owned())
                    });
                    let sha256 = contents.sha256.clone();
                    if let Err(error) = checked {
                        tracing::warn!("skipping provider {}: {error}", file.display());
                        self.entries.insert(
                            file.clone(),
                            (
                                fingerprint,
                                ProviderEntry::Failed(LoadFailure {
                                    name: file_stem(&file),
                                    file,
                                    sha256: Some(sha256),
                                    error,
                                }),
                            ),
                        );
                        continue;
                    }
                    let unchanged = matches!(
                        self.entries.get(&file),
                        Some((_, ProviderEntry::Loaded(p))) if p.sha256 == sha256
                    );
                    if unchanged {
                        let (_, entry) = self.entries.remove(&file).expect("checked above");
                        entry
                    } else {
                        let mut loaded = runtime.load(&file, &mut contents);
                        if matches!(
                            loaded,
                            Err(super::LoadError::Unreadable(Unreadable::Changed))
                        ) {
                            // The record of an earlier run no longer held:
                            // read and hash it afresh.
                            self.forget(&file);
                            loaded = Contents::open(&file, None)
                                .map_err(super::LoadError::Unreadable)
                                .and_then(|mut fresh| {
                                    let loaded = runtime.load(&file, &mut fresh);
                                    contents = fresh;
                                    loaded
                                });
                        }
                        match loaded {
                            Ok(p) => {
                                tracing::debug!(
                                    provider = p.name,
                                    "loaded from {:?} in {:.1} ms",
                                    p.origin,
                                    p.load_ms
                                );
                                self.remember(&file, &contents, &p);
                                ProviderEntry::Loaded(Arc::new(p))
                            }
                            Err(error) => {
                                // Compiler and parser messages may quote the
                                // component's own names, and span lines (a
                                // parser's dump of bytes): one line, escaped.
                                let error = error.to_string();
                                let error = error.split_whitespace().collect::<Vec<_>>().join(" ");
                                let error = untrusted::text(&error).into_owned();
                                tracing::warn!("skipping provider {}: {error}", file.display());
                                ProviderEntry::Failed(LoadFailure {
                                    name: file_stem(&file),
                                    file: file.clone(),
                                    sha256: Some(contents.sha256.clone()),
                                    error,
                                })
                            }
                        }
                    }
                }
            };
            self.entries.insert(file, (fingerprint, entry));
        }
        if let Some(identities) = self.identities.as_mut() {
            let before = identities.len();
            identities.retain(|path, _| self.entries.contains_key(path));
            if identities.len() != before {
                self.identities_changed = true;
            }
        }
        if std::mem::take(&mut self.identities_changed)
            && let Some(identities) = &self.identities
        {
            runtime.cache.store_identities(identities);
        }
    }

    /// What provider files held at the stamps an earlier run recorded,
    /// read from the compile cache at the first scan.
    fn recorded(&mut self, runtime: &Runtime) -> &BTreeMap<PathBuf, Identified> {
        self.identities
            .get_or_insert_with(|| runtime.cache.identities())
    }

    /// Records what `file` held, when it was read now and its stamp has
    /// settled (see `FileStamp::settled`).
    fn remember(&mut self, file: &Path, contents: &Contents, loaded: &LoadedProvider) {
        if contents.recorded_version.is_some() || !contents.stamp.settled() {
            return;
        }
        let identified = Identified {
            stamp: contents.stamp.clone(),
            sha256: loaded.sha256.clone(),
            wit_version: loaded.wit_version.clone(),
        };
        let identities = self.identities.get_or_insert_with(BTreeMap::new);
        if identities.get(file) != Some(&identified) {
            identities.insert(file.to_path_buf(), identified);
            self.identities_changed = true;
        }
    }

    fn forget(&mut self, file: &Path) {
        if let Some(identities) = self.identities.as_mut()
            && identities.remove(file).is_some()
        {
            self.identities_changed = true;
        }
    }
}

/// A provider file opened for loading, through one handle opened without
/// following a symlink and checked (see [`open`]). Its sha256 is hashed
/// from its bytes, or, when its stamp is the one an earlier run recorded,
/// taken from that record with the contract version read then: its bytes
/// are then read, through the same handle, only if something needs them.
pub(super) struct Contents {
    file: std::fs::File,
    stamp: FileStamp,
    pub(super) sha256: String,
    /// The contract version from the record; `None` when read now.
    recorded_version: Option<String>,
    bytes: Option<Vec<u8>>,
}

impl Contents {
    fn open(path: &Path, recorded: Option<&Identified>) -> Result<Contents, Unreadable> {
        let (file, meta) = open(path)?;
        let stamp = FileStamp::of(&meta);
        if let Some(recorded) = recorded.filter(|r| r.stamp == stamp) {
            return Ok(Contents {
                file,
                stamp,
                sha256: recorded.sha256.clone(),
                recorded_version: Some(recorded.wit_version.clone()),
                bytes: None,
            });
        }
        let bytes = read_from(&file, &meta)?;
        Ok(Contents {
            file,
            stamp,
            sha256: sha256_hex(&bytes),
            recorded_version: None,
            bytes: Some(bytes),
        })
    }

    /// The contract version recorded with the stamp, if it came from there.
    pub(super) fn recorded_version(&self) -> Option<&str> {
        self.recorded_version.as_deref()
    }

    /// The bytes, read now if they were not yet. Read bytes that do not
    /// hash to the recorded sha256 are [`Unreadable::Changed`]: the file is
    /// then opened and read afresh.
    pub(super) fn bytes(&mut self) -> Result<&[u8], Unreadable> {
        if self.bytes.is_none() {
            let meta = self.file.metadata()?;
            let bytes = read_from(&self.file, &meta)?;
            if sha256_hex(&bytes) != self.sha256 {
                return Err(Unreadable::Changed);
            }
            self.bytes = Some(bytes);
        }
        Ok(self.bytes.as_deref().expect("read above"))
    }

    /// The bytes if they were read.
    fn read_bytes(&self) -> Option<&[u8]> {
        self.bytes.as_deref()
    }
}

/// Every `*.wasm` entry of the providers directory, whatever its type:
/// [`read`] says why one that is not a regular file is skipped.
fn wasm_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(read) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = read
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "wasm"))
        .collect();
    files.sort();
    files
}

/// The largest provider file read: the bundled ones are a few MiB.
pub const MAX_PROVIDER_FILE: u64 = 64 * 1024 * 1024;

/// Why a file in the providers directory was not read.
#[derive(Debug, Error)]
pub enum Unreadable {
    #[error("is a symbolic link; providers must be regular files")]
    Symlink,
    #[error("is not a regular file; providers must be regular files")]
    NotRegular,
    #[error("is {}, larger than the {} limit", crate::size::human(*.size), crate::size::human(MAX_PROVIDER_FILE))]
    TooLarge { size: u64 },
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    #[error("changed while it was being loaded; it is loaded again at the next scan")]
    Changed,
}

/// The bytes of a provider file, read through one handle that was opened
/// without following a symlink and checked to be a regular file within
/// [`MAX_PROVIDER_FILE`], so the file that is checked is the file that is
/// read. Non-blocking, so a FIFO put in its place cannot hang the scan.
pub(super) fn read(path: &Path) -> Result<Vec<u8>, Unreadable> {
    let (file, meta) = open(path)?;
    read_from(&file, &meta)
}

/// The provider file at `path` and what its handle says about it: opened
/// without following a symlink, non-blocking, and a regular file within
/// [`MAX_PROVIDER_FILE`].
fn open(path: &Path) -> Result<(std::fs::File, std::fs::Metadata), Unreadable> {
    use rustix::fs::{Mode, OFlags};
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
    let file = match rustix::fs::open(path, flags, Mode::empty()) {
        Ok(fd) => std::fs::File::from(fd),
        Err(rustix::io::Errno::LOOP) => return Err(Unreadable::Symlink),
        Err(e) => return Err(Unreadable::Io(e.into())),
    };
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(Unreadable::NotRegular);
    }
    if meta.len() > MAX_PROVIDER_FILE {
        return Err(Unreadable::TooLarge { size: meta.len() });
    }
    Ok((file, meta))
}

/// The bytes of a file [`open`] opened, from its start.
fn read_from(mut file: &std::fs::File, meta: &std::fs::Metadata) -> Result<Vec<u8>, Unreadable> {
    use std::io::Seek;
    file.rewind()?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // A file that grows while it is read stops at the cap all the same.
    file.take(MAX_PROVIDER_FILE + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_PROVIDER_FILE {
        return Err(Unreadable::TooLarge {
            size: bytes.len() as u64,
        });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_symlinked_provider_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("real.wasm"), b"\0asm").unwrap();
        std::os::unix::fs::symlink(dir.path().join("real.wasm"), dir.path().join("link.wasm"))
            .unwrap();
        let e = read(&dir.path().join("link.wasm")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "is a symbolic link; providers must be regular files"
        );
        assert_eq!(read(&dir.path().join("real.wasm")).unwrap(), b"\0asm");
    }

    #[test]
    fn an_oversized_provider_is_refused_before_it_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.wasm");
        let file = std::fs::File::create(&big).unwrap();
        // Sparse: the size is what counts, not the blocks.
        file.set_len(1024 * 1024 * 1024).unwrap();
        let e = read(&big).unwrap_err();
        assert_eq!(e.to_string(), "is 1.0 GiB, larger than the 64.0 MiB limit");
    }

    #[test]
    fn a_fifo_or_a_directory_is_refused_without_hanging() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo.wasm");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        assert!(matches!(read(&fifo), Err(Unreadable::NotRegular)));
        std::fs::create_dir(dir.path().join("dir.wasm")).unwrap();
        assert!(matches!(
            read(&dir.path().join("dir.wasm")),
            Err(Unreadable::NotRegular)
        ));
    }
}
