//! `backup import FILE`: a `.tar.gz` (or `.tar`) archive, made by `backup
//! export` or by an earlier Steward, becomes a snapshot in the repository.
//! The archive is unpacked through the same strict extraction a restore
//! uses and checked against its manifest, its databases integrity-checked,
//! before anything is stored. An archive of a backup already on record as
//! an archive replaces it (the old file goes once the snapshot is saved).

use std::collections::BTreeMap;
use std::path::Path;

use chrono::Utc;

use super::manifest::FileKind;
use super::scope::SourceFile;
use super::{
    BackupError, BackupRecord, BackupStatus, Backups, Created, repository, sqlite, verify,
};
use crate::config::BackupFormat;

pub fn import(backups: &Backups, file: &Path) -> Result<Created, BackupError> {
    if backups.settings.format != BackupFormat::Restic {
        return Err(BackupError::ImportNeedsRepository);
    }
    let _lock = backups.lock()?;
    let meta = std::fs::metadata(file).map_err(|source| BackupError::Read {
        path: file.to_path_buf(),
        source,
    })?;
    // The archive as if it were a record: what unpacking needs to know.
    let mut probe = BackupRecord {
        id: String::new(),
        name: None,
        backup_type: super::BackupType::Full,
        status: BackupStatus::Completed,
        file_path: file.to_path_buf(),
        paths: Vec::new(),
        size_bytes: 0,
        compressed_size: meta.len(),
        file_count: 0,
        created_at: Utc::now(),
        completed_at: None,
        description: None,
        checksum: None,
        auto_created: false,
        compressed: gzipped(file)?,
        verification: None,
        error: None,
        metadata: BTreeMap::new(),
    };
    let listed =
        verify::manifest_of(&probe).map_err(|problem| BackupError::VerificationFailed {
            id: file.display().to_string(),
            problems: vec![problem.into()],
        })?;
    probe.id = listed.id.clone();
    probe.size_bytes = listed.total_size();
    probe.file_count = listed.files.len() as u64;

    let existing = backups.records.get(&listed.id)?;
    if let Some(record) = &existing
        && (repository::snapshot_of(record).is_some() || record.status != BackupStatus::Completed)
    {
        return Err(BackupError::Exists {
            id: listed.id.clone(),
        });
    }
    if existing.is_none()
        && let Some(name) = &listed.name
        && backups.names.get(name)?.is_some()
    {
        let holder = backups.names.get(name)?.unwrap_or_default();
        return Err(BackupError::NameTaken {
            name: name.clone(),
            id: holder,
        });
    }

    let scratch = backups.dir().join(format!(".import-{}", listed.id));
    let _ = std::fs::remove_dir_all(&scratch);
    let result = store(backups, &probe, existing, &scratch);
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

/// Claims the record's name; true when another backup holds it (the
/// import then goes without one).
fn name_taken(backups: &Backups, record: &BackupRecord) -> Result<bool, BackupError> {
    let Some(name) = &record.name else {
        return Ok(false);
    };
    if backups.names.insert_new(name, &record.id)? {
        return Ok(false);
    }
    Ok(backups.names.get(name)?.as_deref() != Some(record.id.as_str()))
}

/// Whether `file` starts with gzip's magic bytes.
fn gzipped(file: &Path) -> Result<bool, BackupError> {
    use std::io::Read;
    let mut magic = [0u8; 2];
    let read = std::fs::File::open(file)
        .and_then(|mut f| f.read(&mut magic))
        .map_err(|source| BackupError::Read {
            path: file.to_path_buf(),
            source,
        })?;
    Ok(read == 2 && magic == [0x1f, 0x8b])
}

fn store(
    backups: &Backups,
    probe: &BackupRecord,
    existing: Option<BackupRecord>,
    scratch: &Path,
) -> Result<Created, BackupError> {
    backups.report(10, format!("Unpacking {}", probe.file_path.display()));
    let (manifest, _, problems) = verify::unpack(probe, scratch)?;
    if !problems.is_empty() {
        return Err(BackupError::VerificationFailed {
            id: probe.id.clone(),
            problems,
        });
    }
    for f in manifest.files.iter().filter(|f| f.kind == FileKind::Sqlite) {
        sqlite::integrity_check(&scratch.join(&f.path)).map_err(|message| {
            BackupError::DatabaseCorrupt {
                path: f.path.clone(),
                message,
            }
        })?;
    }
    let files: Vec<SourceFile> = manifest
        .files
        .iter()
        .map(|f| SourceFile {
            rel: f.path.clone(),
            abs: scratch.join(&f.path),
            size: f.size,
            mode: f.mode,
            kind: f.kind,
        })
        .collect();
    let sources: Vec<_> = files.iter().map(|f| f.abs.clone()).collect();
    let mut record = existing.clone().unwrap_or_else(|| BackupRecord {
        id: manifest.id.clone(),
        name: manifest.name.clone(),
        backup_type: manifest.backup_type,
        status: BackupStatus::InProgress,
        file_path: backups.dir().to_path_buf(),
        paths: Vec::new(),
        size_bytes: 0,
        compressed_size: 0,
        file_count: 0,
        created_at: manifest.created_at,
        completed_at: None,
        description: manifest.description.clone(),
        checksum: None,
        auto_created: false,
        compressed: true,
        verification: None,
        error: None,
        metadata: BTreeMap::new(),
    });
    record
        .metadata
        .insert("steward_version".into(), manifest.steward_version.clone());
    if let Some(v) = &manifest.bot_version {
        record.metadata.insert("bot_version".into(), v.clone());
    }
    record.metadata.insert(
        "imported_from".into(),
        probe.file_path.display().to_string(),
    );
    backups.report(
        40,
        format!("Storing {} files in the repository", files.len()),
    );
    let snap = repository::write_snapshot(backups, &record, &files, &sources)?;
    let old_archive = existing.map(|r| r.file_path);
    record.file_path = backups.dir().to_path_buf();
    record.verification = None;
    repository::complete(&mut record, &snap, &files);
    if name_taken(backups, &record)? {
        record.name = None;
    }
    backups.save(&record)?;
    // The record's own archive, replaced by the snapshot: only a file in
    // the backup directory, never one the operator keeps elsewhere.
    if let Some(old) = old_archive
        && old.parent() == Some(backups.dir())
        && old.is_file()
    {
        let _ = std::fs::remove_file(&old);
    }
    Ok(Created {
        record,
        skipped: Vec::new(),
        pruned: None,
        password_created: backups.take_password_created(),
        offsite: Vec::new(),
        offsite_due: Vec::new(),
    })
}
