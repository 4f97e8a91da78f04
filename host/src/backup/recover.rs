//! What an interrupted run left behind, cleaned at the next start while no
//! backup is running: `*.partial` archives, snapshot and drill directories,
//! restore staging, and records still marked in progress. A pre-restore
//! copy is never removed here: it may be all that is left of the old files.

use super::create::partial_path;
use super::scope::RESTORE_DIR_PREFIX;
use super::{BackupError, BackupStatus, Backups};

pub fn clean_leftovers(backups: &Backups) -> Result<(), BackupError> {
    for record in backups.all()? {
        if record.status != BackupStatus::InProgress {
            continue;
        }
        // The archive may even be complete, but it was never checked or
        // recorded as such: it is not a backup anyone can rely on.
        let _ = std::fs::remove_file(partial_path(&record.file_path));
        let _ = std::fs::remove_file(&record.file_path);
        let mut record = record;
        record.status = BackupStatus::Failed;
        record.error = Some("interrupted: steward stopped before the backup completed".into());
        if let Some(name) = &record.name
            && backups.names.get(name)?.as_deref() == Some(record.id.as_str())
        {
            backups.names.remove(name)?;
        }
        tracing::warn!(
            "backup {} was interrupted; its leftovers are removed",
            record.id
        );
        backups.save(&record)?;
    }
    if let Ok(entries) = std::fs::read_dir(backups.dir()) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if name.ends_with(".partial") {
                let _ = std::fs::remove_file(&path);
            } else if name.starts_with(".staging-") || name.starts_with(".drill-") {
                let _ = std::fs::remove_dir_all(&path);
            }
        }
    }
    if let Ok(entries) = std::fs::read_dir(&backups.root) {
        for entry in entries.flatten() {
            if !entry
                .file_name()
                .to_string_lossy()
                .starts_with(RESTORE_DIR_PREFIX)
            {
                continue;
            }
            let _ = std::fs::remove_dir_all(entry.path().join("staging"));
            // An empty working directory is just litter.
            let _ = std::fs::remove_dir(entry.path());
        }
    }
    Ok(())
}
