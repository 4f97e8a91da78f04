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
    /// Made at the first call when the load did not need it (see
    /// `Runtime::prepared`).
    pub(super) pre: std::sync::OnceLock<Pre>,
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
            let entry = match read(&file) {
                Err(e) => {
                    tracing::warn!("skipping provider {}: {e}", file.display());
                    ProviderEntry::Failed(LoadFailure {
                        name: file_stem(&file),
                        file: file.clone(),
                        sha256: None,
                        error: e.to_string(),
                    })
                }
                Ok(bytes) => {
                    let sha256 = sha256_hex(&bytes);
                    let policy = runtime.config().signatures.clone();
                    if let Err(refused) = super::signature::check(&policy, &file, &bytes, &sha256) {
                        let error = untrusted::text(&refused.to_string()).into_owned();
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
                        match runtime.load(&file, &bytes, sha256.clone()) {
                            Ok(p) => {
                                tracing::debug!(
                                    provider = p.name,
                                    "loaded from {:?} in {:.1} ms",
                                    p.origin,
                                    p.load_ms
                                );
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
                                    sha256: Some(sha256),
                                    error,
                                })
                            }
                        }
                    }
                }
            };
            self.entries.insert(file, (fingerprint, entry));
        }
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
}

/// The bytes of a provider file, read through one handle that was opened
/// without following a symlink and checked to be a regular file within
/// [`MAX_PROVIDER_FILE`], so the file that is checked is the file that is
/// read. Non-blocking, so a FIFO put in its place cannot hang the scan.
pub(super) fn read(path: &Path) -> Result<Vec<u8>, Unreadable> {
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
