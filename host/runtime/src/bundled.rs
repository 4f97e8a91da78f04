//! The providers shipped inside the steward binary (built from `providers/`
//! by the build script) and their installation into the providers directory.
//! An operator's own file is never overwritten, and a bundled provider the
//! operator deleted is not brought back.

use std::collections::BTreeMap;
use std::path::Path;
use steward_core::durable::write_atomically;

include!(concat!(env!("OUT_DIR"), "/bundled.rs"));

/// Records which files Steward installed, with the sha256 it wrote.
const MANIFEST: &str = ".bundled.json";

/// Whether `sha256` is the hash of a provider bundled with this build:
/// those are trusted by hash where signatures are required.
pub fn is_bundled(sha256: &str) -> bool {
    static HASHES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    HASHES
        .get_or_init(|| {
            BUNDLED
                .iter()
                .map(|(_, bytes)| crate::sha256_hex(bytes))
                .collect()
        })
        .iter()
        .any(|h| h == sha256)
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Installed {
    pub written: Vec<String>,
}

/// Installs bundled providers that are missing (first run) or that Steward
/// itself installed in an older version (upgrade).
pub fn install(dir: &Path) -> std::io::Result<Installed> {
    std::fs::create_dir_all(dir)?;
    let manifest_path = dir.join(MANIFEST);
    let mut manifest: BTreeMap<String, String> = std::fs::read(&manifest_path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let mut installed = Installed::default();
    let mut changed = false;
    for (file, bytes) in BUNDLED {
        let target = dir.join(file);
        let recorded = manifest.get(*file).cloned();
        let current = std::fs::read(&target).ok();
        // The usual case, every run: the file is what we ship and is on
        // record. A byte comparison settles it without hashing anything.
        if recorded.is_some() && current.as_deref() == Some(*bytes) {
            continue;
        }
        let bundled_sha = crate::sha256_hex(bytes);
        let write = match &current {
            // Absent: first run, unless the operator removed what we installed.
            None => recorded.is_none(),
            Some(current) => {
                let current_sha = crate::sha256_hex(current);
                current_sha != bundled_sha && recorded.as_deref() == Some(current_sha.as_str())
            }
        };
        if write {
            write_atomically(&target, bytes)?;
            installed.written.push(file.to_string());
        }
        if write || recorded.is_none() {
            manifest.insert(file.to_string(), bundled_sha);
            changed = true;
        }
    }
    if changed {
        write_atomically(&manifest_path, &serde_json::to_vec_pretty(&manifest)?)?;
    }
    Ok(installed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_run_installs_every_bundled_provider() {
        let dir = tempfile::tempdir().unwrap();
        let installed = install(dir.path()).unwrap();
        assert_eq!(installed.written.len(), BUNDLED.len());
        for (file, bytes) in BUNDLED {
            assert_eq!(&std::fs::read(dir.path().join(file)).unwrap(), bytes);
        }
    }

    #[test]
    fn an_operator_removal_or_replacement_is_respected() {
        let dir = tempfile::tempdir().unwrap();
        install(dir.path()).unwrap();
        let (first, _) = BUNDLED[0];
        std::fs::remove_file(dir.path().join(first)).unwrap();
        assert!(install(dir.path()).unwrap().written.is_empty());
        assert!(!dir.path().join(first).exists());

        std::fs::write(dir.path().join(first), b"operator's own build").unwrap();
        assert!(install(dir.path()).unwrap().written.is_empty());
        assert_eq!(
            std::fs::read(dir.path().join(first)).unwrap(),
            b"operator's own build"
        );
    }
}
