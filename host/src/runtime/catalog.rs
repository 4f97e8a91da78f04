//! What is in the providers directory right now: one entry per `*.wasm`,
//! loaded or failed with a reason. Rescanned before each operation, so
//! added, changed and removed files are picked up without a restart.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use serde::Serialize;

use super::grants::Grant;
use super::{Origin, Pre, Runtime, file_stem, sha256_hex};
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
    pub settings: Vec<(String, String)>,
    pub enabled: bool,
    pub origin: Origin,
    pub load_ms: f64,
    pub(super) pre: Pre,
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
        let files = wasm_files(runtime.providers_dir());
        self.entries.retain(|path, _| files.contains(path));
        for file in files {
            let Ok(meta) = std::fs::metadata(&file) else {
                continue;
            };
            let fingerprint = Fingerprint {
                len: meta.len(),
                modified: meta.modified().ok(),
            };
            if matches!(self.entries.get(&file), Some((f, _)) if *f == fingerprint) {
                continue;
            }
            let entry = match std::fs::read(&file) {
                Err(e) => ProviderEntry::Failed(LoadFailure {
                    name: file_stem(&file),
                    file: file.clone(),
                    sha256: None,
                    error: format!("cannot read: {e}"),
                }),
                Ok(bytes) => {
                    let sha256 = sha256_hex(&bytes);
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

fn wasm_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(read) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = read
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "wasm") && p.is_file())
        .collect();
    files.sort();
    files
}
