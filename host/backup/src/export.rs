//! `backup export ID --tar FILE`: any backup (a snapshot or an archive) as a
//! standard `.tar.gz`, the manifest first, in the format archives have
//! always had, so `tar xzf` and `backup import` take it anywhere. The backup
//! is read back and checked first; the file is created new, never over an
//! existing one.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::create::{Planned, write_archive};
use super::{BackupError, Backups, verify};

/// What an export wrote.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Exported {
    pub id: String,
    pub file: PathBuf,
    pub file_count: u64,
    pub size_bytes: u64,
    /// Size of the `.tar.gz`.
    pub archive_bytes: u64,
    pub sha256: String,
}

pub fn export(backups: &Backups, id: &str, file: &Path) -> Result<Exported, BackupError> {
    let record = backups.completed(id)?;
    if file.symlink_metadata().is_ok() {
        return Err(BackupError::Write {
            path: file.to_path_buf(),
            source: std::io::ErrorKind::AlreadyExists.into(),
        });
    }
    let _lock = backups.lock()?;
    let scratch = backups.dir().join(format!(".export-{}", record.id));
    let _ = std::fs::remove_dir_all(&scratch);
    let result = (|| {
        backups.report(10, format!("Reading {} back", record.id));
        let (manifest, _, problems) = verify::unpack_any(backups, &record, &scratch)?;
        if !problems.is_empty() {
            return Err(BackupError::VerificationFailed {
                id: record.id.clone(),
                problems,
            });
        }
        let planned: Vec<Planned> = manifest
            .files
            .iter()
            .map(|f| Planned {
                read_from: scratch.join(&f.path),
                entry: f.clone(),
            })
            .collect();
        backups.report(50, format!("Writing {}", file.display()));
        let (sha256, archive_bytes) = write_archive(backups, file, true, &manifest, &planned)?;
        Ok(Exported {
            id: record.id.clone(),
            file: file.to_path_buf(),
            file_count: manifest.files.len() as u64,
            size_bytes: manifest.total_size(),
            archive_bytes,
            sha256,
        })
    })();
    let _ = std::fs::remove_dir_all(&scratch);
    result
}
