//! The providers shipped inside the steward binary (built from `providers/`
//! by the build script) and their installation into the providers directory.
//! An operator's own file is never overwritten, and a bundled provider the
//! operator deleted is not brought back.

use std::collections::BTreeMap;
use std::path::Path;
use steward_core::durable::write_atomically;

use crate::cache::FileStamp;

include!(concat!(env!("OUT_DIR"), "/bundled.rs"));

/// Records which files Steward installed, with the sha256 it wrote.
const MANIFEST: &str = ".bundled.json";

/// Whether `sha256` is the hash of a provider bundled with this build:
/// those are trusted by hash where signatures are required.
pub fn is_bundled(sha256: &str) -> bool {
    BUNDLED_SHA256.contains(&sha256)
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Installed {
    pub written: Vec<String>,
}

/// What the manifest keeps of one file: the sha256 Steward installed, and
/// the file's stamp when it last held exactly that, so a run that finds
/// the stamp unchanged reads nothing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Recorded {
    sha256: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stamp: Option<FileStamp>,
}

/// A manifest entry as written: earlier builds kept the sha256 alone.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum Entry {
    Sha256(String),
    Recorded(Recorded),
}

impl From<Entry> for Recorded {
    fn from(entry: Entry) -> Recorded {
        match entry {
            Entry::Sha256(sha256) => Recorded {
                sha256,
                stamp: None,
            },
            Entry::Recorded(recorded) => recorded,
        }
    }
}

/// Installs bundled providers that are missing (first run) or that Steward
/// itself installed in an older version (upgrade).
pub fn install(dir: &Path) -> std::io::Result<Installed> {
    std::fs::create_dir_all(dir)?;
    let manifest_path = dir.join(MANIFEST);
    let mut manifest: BTreeMap<String, Recorded> = std::fs::read(&manifest_path)
        .ok()
        .and_then(|b| serde_json::from_slice::<BTreeMap<String, Entry>>(&b).ok())
        .unwrap_or_default()
        .into_iter()
        .map(|(file, entry)| (file, entry.into()))
        .collect();
    let mut installed = Installed::default();
    let mut changed = false;
    for ((file, bytes), bundled_sha) in BUNDLED.iter().zip(BUNDLED_SHA256) {
        let target = dir.join(file);
        let recorded = manifest.get(*file).cloned();
        // Taken before the file is read, so a change after it shows as a
        // new stamp at the next run rather than hiding behind this one.
        let stamp = std::fs::symlink_metadata(&target)
            .ok()
            .filter(|m| m.is_file())
            .map(|m| FileStamp::of(&m));
        // The usual case, every run: on record as what this build ships,
        // and not changed since it was found so. Nothing is read.
        if let (Some(recorded), Some(stamp)) = (&recorded, &stamp)
            && recorded.sha256 == *bundled_sha
            && recorded.stamp.as_ref() == Some(stamp)
        {
            continue;
        }
        let current = std::fs::read(&target).ok();
        let ours = current.as_deref() == Some(*bytes);
        let write = match &current {
            // Absent: first run, unless the operator removed what we installed.
            None => recorded.is_none(),
            Some(current) => {
                !ours
                    && recorded.as_ref().map(|r| r.sha256.as_str())
                        == Some(crate::sha256_hex(current).as_str())
            }
        };
        if write {
            write_atomically(&target, bytes)?;
            installed.written.push(file.to_string());
        }
        let sha256 = match &recorded {
            Some(r) if !write => r.sha256.clone(),
            _ => bundled_sha.to_string(),
        };
        // A file just written has a stamp too fresh to stand for its bytes
        // (see `FileStamp::settled`); the next run records it.
        let stamp = stamp.filter(|s| ours && !write && sha256 == *bundled_sha && s.settled());
        let now = Recorded { sha256, stamp };
        if recorded.as_ref() != Some(&now) && (write || current.is_some() || recorded.is_none()) {
            manifest.insert(file.to_string(), now);
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

    #[test]
    fn a_settled_file_is_known_by_its_stamp_and_a_replacement_still_seen() {
        let dir = tempfile::tempdir().unwrap();
        install(dir.path()).unwrap();
        let manifest = || -> serde_json::Value {
            serde_json::from_slice(&std::fs::read(dir.path().join(MANIFEST)).unwrap()).unwrap()
        };
        let (first, _) = BUNDLED[0];
        // Just written: too fresh for its stamp to stand for its bytes.
        assert!(manifest()[first].get("stamp").is_none(), "{}", manifest());
        std::thread::sleep(std::time::Duration::from_millis(2200));
        assert!(install(dir.path()).unwrap().written.is_empty());
        for (file, _) in BUNDLED {
            assert!(manifest()[file].get("stamp").is_some(), "{}", manifest());
        }
        // Once recorded, a run finds nothing to change: the manifest is
        // read back as written, and not written again.
        let inode = |path: &Path| std::os::unix::fs::MetadataExt::ino(&path.metadata().unwrap());
        let written = inode(&dir.path().join(MANIFEST));
        assert!(install(dir.path()).unwrap().written.is_empty());
        assert_eq!(inode(&dir.path().join(MANIFEST)), written);

        // Replaced by the operator after its stamp was recorded.
        std::fs::write(dir.path().join(first), b"operator's own build").unwrap();
        assert!(install(dir.path()).unwrap().written.is_empty());
        assert_eq!(
            std::fs::read(dir.path().join(first)).unwrap(),
            b"operator's own build"
        );
        assert!(manifest()[first].get("stamp").is_none(), "{}", manifest());
    }

    #[test]
    fn a_manifest_of_an_earlier_build_is_read() {
        let dir = tempfile::tempdir().unwrap();
        install(dir.path()).unwrap();
        let (first, _) = BUNDLED[0];
        // Earlier builds kept the sha256 alone; the operator removed one.
        let old: BTreeMap<&str, &str> = BUNDLED
            .iter()
            .zip(BUNDLED_SHA256)
            .map(|((file, _), sha256)| (*file, *sha256))
            .collect();
        std::fs::write(dir.path().join(MANIFEST), serde_json::to_vec(&old).unwrap()).unwrap();
        std::fs::remove_file(dir.path().join(first)).unwrap();
        assert!(install(dir.path()).unwrap().written.is_empty());
        assert!(!dir.path().join(first).exists());
    }
}
