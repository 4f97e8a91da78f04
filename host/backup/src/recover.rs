//! What an interrupted run left behind, dealt with at the next start while
//! no backup or restore is running: a restore stopped mid-swap is finished
//! or undone as its journal says; `*.partial` archives, snapshot and drill
//! directories, restore staging, and records still marked in progress are
//! cleaned. A pre-restore copy is never removed here: it may be all that is
//! left of the old files.

use std::path::Path;

use super::create::partial_path;
use super::journal::{Journal, Phase};
use super::repository::Access;
use super::restore::put_back_from;
use super::scope::RESTORE_DIR_PREFIX;
use super::{BackupError, BackupStatus, Backups, disk, swap};
use crate::config::Config;
use crate::dir_handle::DirHandle;

/// At every start: finishes or undoes the restores a stopped steward left
/// half done. Holds the backup directory's lock, so a restore still running
/// in another process is never touched; needs no store.
pub fn recover_restores(config: &Config) {
    let dir = &config.backup.path;
    if !dir.is_dir() {
        // No backup directory, no backup, so no restore either.
        return;
    }
    match disk::DirLock::try_acquire(dir) {
        Ok(Some(_lock)) => interrupted_restores(&config.bot.root, Access::from_config(config)),
        Ok(None) => {}
        Err(e) => tracing::warn!(
            "cannot check for interrupted restores now ({}: {e})",
            dir.display()
        ),
    }
}

/// The restores' working directories in `root`: each with a journal is
/// finished (every file was in place) or undone; staging without a journal
/// (nothing moved yet) is removed.
fn interrupted_restores(root: &Path, access: Access) {
    let Ok(root) = DirHandle::open(root) else {
        return;
    };
    let Ok(names) = root.names() else {
        return;
    };
    for name in names
        .into_iter()
        .filter(|n| n.starts_with(RESTORE_DIR_PREFIX))
    {
        let Ok(Some(work)) = root.subdir(&name) else {
            continue;
        };
        let journal = match Journal::read(&work) {
            Ok(Some(journal)) => journal,
            Ok(None) => {
                swap::tidy(&root, &name);
                continue;
            }
            Err(e) => {
                tracing::error!(
                    "the restore journal {e} cannot be read; {} is left as it is for a look",
                    work.path().display()
                );
                continue;
            }
        };
        if journal.phase == Phase::Placed && swap::all_placed(&work, &journal) {
            match Journal::remove(&work) {
                Ok(()) => tracing::warn!(
                    "the restore of {} was interrupted after every file was in place; it is kept",
                    journal.backup_id
                ),
                Err(e) => tracing::error!("cannot end the restore journal: {e}"),
            }
        } else {
            let mut put_back = put_back_from(access.clone(), &journal, &root);
            match swap::undo(&root, &work, &journal, &mut put_back) {
                Ok(()) => tracing::warn!(
                    "the restore of {} was interrupted; every file is back as it was before it",
                    journal.backup_id
                ),
                Err(problems) => tracing::error!(
                    "the restore of {} was interrupted and cannot be undone yet ({}); the previous files are kept in {}",
                    journal.backup_id,
                    swap::joined(&problems),
                    swap::previous_path(&root, &name).display()
                ),
            }
        }
        swap::tidy(&root, &name);
    }
}

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
    interrupted_restores(&backups.root, Access::of(backups));
    Ok(())
}
