//! Putting a backup back: verify it (unless told not to), unpack it into a
//! private staging directory inside the bot's root, check the databases,
//! stop the bot, swap each file into place keeping what was there as a
//! pre-restore copy, drop stale `-wal`/`-shm` files, start the bot, and swap
//! everything back if any step fails. It never writes outside the bot's root.

use std::fs::DirBuilder;
use std::io;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use chrono::Utc;
use serde::Serialize;

use super::manifest::{FileKind, ManifestFile};
use super::scope::{self, RESTORE_DIR_PREFIX};
use super::{BackupError, BackupRecord, BackupType, Backups, RestoreType, disk, verify};

/// Stopping and starting the managed bot around a restore. The supervisor
/// implements it; without one, the operator stops the bot beforehand.
pub trait BotControl {
    fn stop(&self) -> Result<(), String>;
    /// Starts the bot and returns once it is healthy (or failed to become so).
    fn start(&self) -> Result<(), String>;
}

#[derive(Debug, Clone)]
pub struct RestoreRequest {
    pub id: String,
    pub restore_type: RestoreType,
    /// Check the archive against its record and manifest first.
    pub verify: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Restored {
    pub id: String,
    pub restore_type: RestoreType,
    pub verified: bool,
    /// Files put back, relative to the bot's root.
    pub files: Vec<String>,
    pub databases: Vec<String>,
    /// `-wal`/`-shm`/`-journal` files of restored databases, moved aside.
    pub removed_sidecars: Vec<String>,
    /// Where what was replaced is kept.
    pub previous: Option<PathBuf>,
    /// Whether Steward stopped and started the bot itself.
    pub bot_restarted: bool,
}

const SIDECARS: [&str; 3] = ["-wal", "-shm", "-journal"];

/// What a restore would put back, as the archive's manifest lists it (the
/// restore itself trusts the manifest only after checking the archive).
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    pub record: BackupRecord,
    pub restore_type: RestoreType,
    /// Files that would be replaced, relative to the bot's root.
    pub files: Vec<String>,
    pub databases: Vec<String>,
}

/// Reads only the manifest: nothing is unpacked or changed.
pub fn preview(backups: &Backups, request: &RestoreRequest) -> Result<Preview, BackupError> {
    let record = backups.completed(&request.id)?;
    let manifest =
        verify::manifest_of(&record).map_err(|problem| BackupError::VerificationFailed {
            id: record.id.clone(),
            problems: vec![problem],
        })?;
    let chosen = choose(backups, &manifest.files, request.restore_type)?;
    if chosen.is_empty() {
        return Err(BackupError::NothingToRestore {
            id: record.id,
            restore_type: request.restore_type,
        });
    }
    let (files, databases) = paths(&chosen);
    Ok(Preview {
        files,
        databases,
        record,
        restore_type: request.restore_type,
    })
}

/// The paths of `chosen`, and those of its databases.
fn paths(chosen: &[&ManifestFile]) -> (Vec<String>, Vec<String>) {
    let files = chosen.iter().map(|f| f.path.clone()).collect();
    let databases = chosen
        .iter()
        .filter(|f| f.kind == FileKind::Sqlite)
        .map(|f| f.path.clone())
        .collect();
    (files, databases)
}

/// The files of `restore_type` among `files`.
fn choose<'m>(
    backups: &Backups,
    files: &'m [ManifestFile],
    restore_type: RestoreType,
) -> Result<Vec<&'m ManifestFile>, BackupError> {
    let config_matcher = scope::matcher(&backups.settings.scopes, BackupType::Config, true)?;
    let data_matcher = scope::matcher(&backups.settings.scopes, BackupType::DataOnly, true)?;
    Ok(files
        .iter()
        .filter(|f| match restore_type {
            RestoreType::All => true,
            RestoreType::Database => f.kind == FileKind::Sqlite,
            RestoreType::Config => config_matcher.matches(&f.path),
            RestoreType::Data => f.kind != FileKind::Sqlite && data_matcher.matches(&f.path),
        })
        .collect())
}

pub fn restore(
    backups: &Backups,
    request: &RestoreRequest,
    bot: Option<&dyn BotControl>,
) -> Result<Restored, BackupError> {
    let record = backups.completed(&request.id)?;
    let _lock = backups.lock()?;
    if request.verify {
        backups.report(0, format!("Verifying {}", record.id));
        let outcome = verify::check(&record);
        if !outcome.ok {
            return Err(BackupError::VerificationFailed {
                id: record.id,
                problems: outcome.problems,
            });
        }
    }
    backups.check_space(&backups.root, record.size_bytes)?;
    let work = backups.root.join(format!(
        "{RESTORE_DIR_PREFIX}{}",
        Utc::now().format("%Y%m%d_%H%M%S_%f")
    ));
    DirBuilder::new()
        .mode(0o700)
        .create(&work)
        .map_err(|source| BackupError::Write {
            path: work.clone(),
            source,
        })?;
    let staging = work.join("staging");
    let result = restore_from(backups, request, &record.id, &work, &staging, bot);
    let _ = std::fs::remove_dir_all(&staging);
    match &result {
        Ok(r) if r.previous.is_some() => {}
        // Nothing was replaced (or everything was put back): no copy to keep.
        _ => {
            let _ = std::fs::remove_dir_all(&work);
        }
    }
    result
}

fn restore_from(
    backups: &Backups,
    request: &RestoreRequest,
    id: &str,
    work: &Path,
    staging: &Path,
    bot: Option<&dyn BotControl>,
) -> Result<Restored, BackupError> {
    let record = backups.completed(id)?;
    backups.report(30, format!("Unpacking {}", record.id));
    let (manifest, _extracted, problems) = verify::unpack(&record, staging)?;
    if !problems.is_empty() {
        return Err(BackupError::VerificationFailed {
            id: record.id,
            problems,
        });
    }
    let chosen = choose(backups, &manifest.files, request.restore_type)?;
    if chosen.is_empty() {
        return Err(BackupError::NothingToRestore {
            id: record.id,
            restore_type: request.restore_type,
        });
    }
    for f in chosen.iter().filter(|f| f.kind == FileKind::Sqlite) {
        backups.report(50, format!("Checking database {}", f.path));
        super::sqlite::integrity_check(&staging.join(&f.path)).map_err(|message| {
            BackupError::DatabaseCorrupt {
                path: f.path.clone(),
                message,
            }
        })?;
    }

    if let Some(bot) = bot {
        backups.report(60, "Stopping the bot");
        bot.stop()
            .map_err(|message| BackupError::BotStop { message })?;
    }
    backups.report(70, format!("Putting {} files in place", chosen.len()));
    let previous = work.join("previous");
    let mut swaps = Swaps::new(&backups.root, &previous);
    let mut removed_sidecars = Vec::new();
    for f in &chosen {
        let placed = (|| -> Result<(), (PathBuf, io::Error)> {
            if f.kind == FileKind::Sqlite {
                for suffix in SIDECARS {
                    let rel = format!("{}{suffix}", f.path);
                    if swaps.set_aside(&rel)? {
                        removed_sidecars.push(rel);
                    }
                }
            }
            swaps.set_aside(&f.path)?;
            swaps.place(&staging.join(&f.path), &f.path)
        })();
        if let Err((path, source)) = placed {
            swaps.undo();
            if let Some(bot) = bot {
                let _ = bot.start();
            }
            return Err(BackupError::Swap { path, source });
        }
    }
    // One flush for the whole tree instead of an fsync per file.
    disk::sync_filesystem(&backups.root).map_err(|source| BackupError::Write {
        path: backups.root.clone(),
        source,
    })?;
    if bot.is_some() {
        backups.report(90, "Starting the bot");
    }
    if let Some(bot) = bot
        && let Err(message) = bot.start()
    {
        let _ = bot.stop();
        swaps.undo();
        let _ = disk::sync_filesystem(&backups.root);
        let _ = bot.start();
        return Err(BackupError::BotStart { message });
    }
    let kept_any = swaps.saved_any();
    backups.report(
        100,
        format!("Restored {} files from {}", chosen.len(), record.id),
    );
    let (files, databases) = paths(&chosen);
    Ok(Restored {
        id: record.id,
        restore_type: request.restore_type,
        verified: request.verify,
        files,
        databases,
        removed_sidecars,
        previous: kept_any.then(|| previous.clone()),
        bot_restarted: bot.is_some(),
    })
}

/// The swaps done so far, so they can be undone in reverse.
struct Swaps<'a> {
    root: &'a Path,
    previous: &'a Path,
    done: Vec<Swap>,
}

enum Swap {
    /// `rel` was moved into the pre-restore copy.
    SetAside(String),
    /// A staged file was put at `rel`.
    Placed(String),
}

impl<'a> Swaps<'a> {
    fn new(root: &'a Path, previous: &'a Path) -> Self {
        Swaps {
            root,
            previous,
            done: Vec::new(),
        }
    }

    /// Moves whatever is at `rel` into the pre-restore copy; false when
    /// nothing was there.
    fn set_aside(&mut self, rel: &str) -> Result<bool, (PathBuf, io::Error)> {
        let live = self.root.join(rel);
        match std::fs::symlink_metadata(&live) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err((live, e)),
            Ok(m) if m.is_dir() => {
                return Err((
                    live,
                    io::Error::other("a directory is where the backup has a file"),
                ));
            }
            Ok(_) => {}
        }
        let kept = self.previous.join(rel);
        make_parent(&kept)?;
        std::fs::rename(&live, &kept).map_err(|e| (live.clone(), e))?;
        self.done.push(Swap::SetAside(rel.to_string()));
        Ok(true)
    }

    fn place(&mut self, staged: &Path, rel: &str) -> Result<(), (PathBuf, io::Error)> {
        let live = self.root.join(rel);
        make_parent(&live)?;
        std::fs::rename(staged, &live).map_err(|e| (live.clone(), e))?;
        self.done.push(Swap::Placed(rel.to_string()));
        Ok(())
    }

    fn saved_any(&self) -> bool {
        self.done.iter().any(|s| matches!(s, Swap::SetAside(_)))
    }

    /// Puts every file back as it was, newest swap first.
    fn undo(&mut self) {
        while let Some(swap) = self.done.pop() {
            match swap {
                Swap::Placed(rel) => {
                    let _ = std::fs::remove_file(self.root.join(rel));
                }
                Swap::SetAside(rel) => {
                    if let Err(e) = std::fs::rename(self.previous.join(&rel), self.root.join(&rel))
                    {
                        tracing::error!("could not put {rel} back after a failed restore: {e}");
                    }
                }
            }
        }
    }
}

fn make_parent(path: &Path) -> Result<(), (PathBuf, io::Error)> {
    match path.parent() {
        Some(parent) => DirBuilder::new()
            .recursive(true)
            .mode(0o755)
            .create(parent)
            .map_err(|e| (parent.to_path_buf(), e)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::store::Store;
    use std::cell::Cell;

    struct FailingStart {
        stops: Cell<u32>,
        starts: Cell<u32>,
    }

    impl BotControl for FailingStart {
        fn stop(&self) -> Result<(), String> {
            self.stops.set(self.stops.get() + 1);
            Ok(())
        }
        fn start(&self) -> Result<(), String> {
            self.starts.set(self.starts.get() + 1);
            if self.starts.get() == 1 {
                Err("health check failed".into())
            } else {
                Ok(())
            }
        }
    }

    #[test]
    fn a_bot_that_fails_to_start_gets_its_previous_files_back() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("bot");
        std::fs::create_dir_all(root.join("config")).unwrap();
        std::fs::write(root.join("config/config.toml"), "old = 1\n").unwrap();
        let file = dir.path().join("steward.toml");
        std::fs::write(&file, "[bot]\nroot = \"bot\"\n[safety]\nmin_disk_space_mb = 0\n[backup]\nverify_backups = false\n").unwrap();
        let config = Config::load(&file, false).unwrap();
        let store = Store::open(&config.paths.data.join("steward.sled")).unwrap();
        let backups = Backups::open(&config, store).unwrap();
        let created = super::super::create::create(
            &backups,
            &super::super::CreateRequest {
                backup_type: BackupType::Config,
                compress: true,
                name: None,
                include_logs: false,
                description: None,
                auto_created: false,
            },
        )
        .unwrap();
        std::fs::write(root.join("config/config.toml"), "new = 2\n").unwrap();

        let bot = FailingStart {
            stops: Cell::new(0),
            starts: Cell::new(0),
        };
        let err = restore(
            &backups,
            &RestoreRequest {
                id: created.record.id.clone(),
                restore_type: RestoreType::All,
                verify: true,
            },
            Some(&bot),
        )
        .unwrap_err();
        assert!(matches!(err, BackupError::BotStart { .. }), "{err}");
        assert_eq!(
            std::fs::read_to_string(root.join("config/config.toml")).unwrap(),
            "new = 2\n",
            "the files from before the restore must be back"
        );
        assert_eq!(
            bot.starts.get(),
            2,
            "the bot is started again on the old files"
        );
        let leftovers: Vec<_> = std::fs::read_dir(&root)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(RESTORE_DIR_PREFIX)
            })
            .collect();
        assert!(leftovers.is_empty(), "no working directory is left behind");
    }
}
