//! Putting a backup back: verify it (unless told not to), unpack it into a
//! private working directory inside the bot's root (a snapshot's files
//! that already match the live ones are not written; checked again once
//! the bot has stopped), check the databases,
//! plan the swap (refusing a link or a directory in the way), stop the bot,
//! journal the plan, swap each directory the restore replaces whole and
//! each other file into place keeping what was there as a pre-restore copy
//! (stale `-wal`/`-shm` files moved aside with it), start
//! the bot, and swap everything back if any step fails (a file it never
//! wrote that the bot, started on the restored tree, wrote or removed is
//! written again from the snapshot: the journal keeps each such file's
//! fingerprint). It writes only
//! through handles of the bot's root that never follow a link, so never
//! outside it; a restore killed at any point is finished or undone by the
//! next start (`recover`).

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use chrono::Utc;
use serde::Serialize;

use super::journal::Unchanged;
use super::journal::{Journal, Phase};
use super::manifest::{FileKind, ManifestFile};
use super::scope::{self, RESTORE_DIR_PREFIX};
use super::swap::{self, PlanError, ToRestore};
use super::{BackupError, BackupRecord, BackupType, Backups, RestoreType, repository, verify};
use crate::dir_handle::{DirHandle, HandleError};
use crate::progress::Step;

/// Stopping and starting the managed bot around a restore. The supervisor
/// implements it; without one, the operator stops the bot beforehand.
pub trait BotControl {
    fn stop(&self) -> Result<(), BotControlError>;
    /// Starts the bot and returns once it is healthy (or failed to become so).
    fn start(&self) -> Result<(), BotControlError>;
}

/// Why the bot did not stop or start: the implementer's own error, kept
/// whole until it is rendered.
pub type BotControlError = Box<dyn std::error::Error + Send + Sync>;

/// Why a restore was putting the previous files back, typed so each front
/// words it; `Display` is the English the CLI prints. The errors below
/// (the filesystem's, the bot's) stay as they were given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UndoCause {
    /// Moving a restored file into place failed.
    #[error("putting {} in place failed ({error})", path.display())]
    PlaceFailed { path: PathBuf, error: String },
    /// The bot did not start on the restored files.
    #[error("the bot did not start after the restore ({error})")]
    BotDidNotStart {
        error: String,
        /// The same, typed, when the bot's control gave its fault.
        bot: Option<Box<steward_core::failure::BotFault>>,
    },
}

#[derive(Debug, Clone)]
pub struct RestoreRequest {
    pub id: String,
    pub restore_type: RestoreType,
    /// Check the archive against its record and manifest first.
    pub verify: bool,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Restored {
    pub id: String,
    pub restore_type: RestoreType,
    pub verified: bool,
    /// Files put back, relative to the bot's root.
    pub files: Vec<String>,
    pub databases: Vec<String>,
    /// `-wal`/`-shm`/`-journal` files of restored databases, moved aside.
    pub removed_sidecars: Vec<String>,
    /// Where what was replaced is kept: only when removing that copy after
    /// the restore failed (a completed restore removes it).
    pub previous: Option<PathBuf>,
    /// Whether Steward stopped and started the bot itself.
    pub bot_restarted: bool,
}

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
    let record = super::offsite::ensure_local(backups, backups.completed(&request.id)?)?;
    let manifest = verify::manifest_any(backups, &record)?;
    let problems = manifest.path_findings();
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
    let record = super::offsite::ensure_local_locked(backups, record)?;
    if request.verify {
        backups.report(
            0,
            Step::VerifyingBackup {
                id: record.id.clone(),
            },
        );
        let outcome = verify::check_any(backups, &record);
        if !outcome.ok {
            return Err(BackupError::VerificationFailed {
                id: record.id,
                problems: outcome.findings,
            });
        }
    }
    // Every file of the archive is staged beside the tree before any moves.
    backups.check_space(&backups.root, record.size_bytes)?;
    let root = DirHandle::open(&backups.root).map_err(write_error)?;
    let name = format!(
        "{RESTORE_DIR_PREFIX}{}",
        Utc::now().format("%Y%m%d_%H%M%S_%f")
    );
    let work = root.create_private_dir(&name).map_err(write_error)?;
    let run = Run {
        backups,
        root: &root,
        work: &work,
        name: &name,
        bot,
    };
    let result = run.restore(request, &record);
    // Only a working directory whose journal ended: one that still has
    // its journal holds files the next start must put back.
    swap::tidy(&root, &name);
    result
}

/// One restore's handles on the bot's root and its working directory.
struct Run<'a> {
    backups: &'a Backups,
    root: &'a DirHandle,
    work: &'a DirHandle,
    name: &'a str,
    bot: Option<&'a dyn BotControl>,
}

impl Run<'_> {
    fn restore(
        &self,
        request: &RestoreRequest,
        record: &BackupRecord,
    ) -> Result<Restored, BackupError> {
        let backups = self.backups;
        backups.report(
            30,
            Step::Unpacking {
                id: record.id.clone(),
            },
        );
        let staging = self.root.shown(self.name).join(swap::STAGING);
        // A snapshot is compared with the live tree as it is unpacked:
        // what already matches is not written again.
        let (manifest, problems, mut in_place) = if repository::snapshot_of(record).is_some() {
            let read = repository::read_back(backups, record, Some(&staging), Some(self.root))?;
            (read.manifest, read.problems, read.in_place)
        } else {
            let (manifest, _extracted, problems) = verify::unpack_any(backups, record, &staging)?;
            (manifest, problems, HashMap::new())
        };
        if !problems.is_empty() {
            return Err(BackupError::VerificationFailed {
                id: record.id.clone(),
                problems,
            });
        }
        let chosen = choose(backups, &manifest.files, request.restore_type)?;
        if chosen.is_empty() {
            return Err(BackupError::NothingToRestore {
                id: record.id.clone(),
                restore_type: request.restore_type,
            });
        }
        for f in chosen.iter().filter(|f| f.kind == FileKind::Sqlite) {
            backups.report(
                50,
                Step::CheckingDatabase {
                    path: f.path.clone(),
                },
            );
            super::sqlite::integrity_check(&staging.join(&f.path)).map_err(|message| {
                BackupError::DatabaseCorrupt {
                    path: f.path.clone(),
                    message,
                }
            })?;
        }
        let to_restore = |in_place: &HashMap<String, Unchanged>| -> Vec<ToRestore> {
            chosen
                .iter()
                .map(|f| ToRestore {
                    rel: &f.path,
                    size: f.size,
                    sqlite: f.kind == FileKind::Sqlite,
                    in_place: in_place.contains_key(&f.path),
                })
                .collect()
        };
        // A link or a directory in the way is refused before the bot stops.
        swap::plan(self.root, self.work, &record.id, &to_restore(&in_place)).map_err(plan_error)?;

        if let Some(bot) = self.bot {
            backups.report(60, Step::StoppingBot);
            bot.stop()
                .map_err(|source| BackupError::BotStop { source })?;
        }
        // Planned again with the bot stopped: what is there now is what
        // the journal records, before the first file moves. A matching
        // file the bot changed before it stopped is staged now.
        let chosen_paths: HashSet<&str> = chosen.iter().map(|f| f.path.as_str()).collect();
        in_place.retain(|rel, _| chosen_paths.contains(rel.as_str()));
        let changed: HashSet<String> = in_place
            .iter()
            .filter(|(rel, unchanged)| !unchanged.was.still_at(self.root, rel))
            .map(|(rel, _)| rel.clone())
            .collect();
        let staged = if changed.is_empty() {
            Ok(())
        } else {
            in_place.retain(|rel, _| !changed.contains(rel));
            repository::stage_files(backups, record, &staging, &changed)
        };
        let planned = staged
            .and_then(|()| {
                swap::plan(self.root, self.work, &record.id, &to_restore(&in_place))
                    .map_err(plan_error)
            })
            .and_then(|mut journal| {
                journal.write(self.work).map_err(write_error)?;
                // For the undo once the bot ran on the restored tree:
                // journaled with the phase that says it did (`Placed`),
                // an undo of the swap alone never looks at them.
                journal.unchanged = in_place.values().cloned().collect();
                journal.unchanged.sort_by(|a, b| a.rel.cmp(&b.rel));
                journal.snapshot = repository::snapshot_of(record)
                    .filter(|_| !in_place.is_empty())
                    .map(str::to_string);
                Ok(journal)
            });
        let mut journal = match planned {
            Ok(journal) => journal,
            Err(e) => {
                self.start_bot_again();
                return Err(e);
            }
        };

        backups.report(
            70,
            Step::PuttingFilesInPlace {
                files: chosen.len(),
            },
        );
        let mut moves = 0;
        let moved = swap::apply(self.root, self.work, &journal, || {
            moves += 1;
            test_hook::after_move(moves);
        })
        .and_then(|()| self.root.sync_filesystem())
        .and_then(|()| swap::check_placed(self.root, self.work, &journal))
        .and_then(|()| {
            swap::refresh_borrowed(self.root, &mut journal);
            journal.phase = Phase::Placed;
            journal.write(self.work)
        });
        if let Err(e) = moved {
            let (path, source) = e.into_parts();
            let cause = UndoCause::PlaceFailed {
                path: path.clone(),
                error: source.to_string(),
            };
            self.undo(&journal, cause)?;
            self.start_bot_again();
            return Err(BackupError::Swap { path, source });
        }
        test_hook::placed(moves);

        if let Some(bot) = self.bot {
            backups.report(90, Step::StartingBot);
            if let Err(source) = bot.start() {
                journal.phase = Phase::RollingBack;
                let _ = journal.write(self.work);
                let _ = bot.stop();
                test_hook::reached("rolling_back");
                let cause = UndoCause::BotDidNotStart {
                    error: source.to_string(),
                    bot: source
                        .downcast_ref::<steward_core::failure::BotFault>()
                        .cloned()
                        .map(Box::new),
                };
                // On the previous files only: a half-undone tree stays
                // stopped until the next start has put it back.
                self.undo(&journal, cause)?;
                let _ = bot.start();
                return Err(BackupError::BotStart { source });
            }
        }
        // The restore is done: ending the journal is what commits it.
        if let Err(e) = Journal::remove(self.work) {
            tracing::warn!(
                "the restore is complete, but its journal stays ({e}); the next start ends it"
            );
        }
        backups.report(
            100,
            Step::Restored {
                files: chosen.len(),
                id: record.id.clone(),
            },
        );
        let kept_any = journal.dirs.iter().any(|d| d.existed)
            || journal
                .files
                .iter()
                .any(|f| f.existed || f.sidecars.iter().any(|s| s.existed));
        // The restore is verified (placed, checked, the bot started): the
        // pre-restore copy goes, so copies do not pile up in the bot's root.
        let previous = match swap::remove_previous(self.root, self.name) {
            Ok(()) => None,
            Err(e) => {
                tracing::warn!("the restore is complete, but its pre-restore copy stays ({e})");
                kept_any.then(|| swap::previous_path(self.root, self.name))
            }
        };
        let (files, databases) = paths(&chosen);
        let removed_sidecars = journal
            .files
            .iter()
            .flat_map(|f| f.sidecars.iter().filter(|s| s.existed))
            .map(|s| s.rel.clone())
            .collect();
        Ok(Restored {
            id: record.id.clone(),
            restore_type: request.restore_type,
            verified: request.verify,
            files,
            databases,
            removed_sidecars,
            previous,
            bot_restarted: self.bot.is_some(),
        })
    }

    /// Puts every file back; when that fails too, says where the previous
    /// files are (the journal stays, so the next start tries again).
    fn undo(&self, journal: &Journal, cause: UndoCause) -> Result<(), BackupError> {
        let mut put_back = put_back_from(repository::Access::of(self.backups), journal, self.root);
        swap::undo(self.root, self.work, journal, &mut put_back).map_err(|problems| {
            tracing::error!(
                "{cause}; putting the previous files back failed: {}",
                swap::joined(&problems)
            );
            BackupError::NotPutBack {
                cause,
                problems,
                kept: swap::previous_path(self.root, self.name),
            }
        })
    }

    fn start_bot_again(&self) {
        if let Some(bot) = self.bot {
            let _ = bot.start();
        }
    }
}

/// How an undo writes again a file the restore never wrote but the bot
/// changed: from the journal's snapshot, read through `access`.
pub(crate) fn put_back_from<'a>(
    access: repository::Access,
    journal: &Journal,
    root: &'a DirHandle,
) -> impl FnMut(&Unchanged) -> Result<(), HandleError> + 'a {
    let mut from = journal
        .snapshot
        .clone()
        .map(|snapshot| repository::PutBack::new(access, snapshot));
    move |file| match &mut from {
        Some(from) => from.write(root, file),
        None => Err(HandleError::Io {
            path: root.shown(&file.rel),
            source: std::io::Error::other(
                "the restore's journal names no snapshot to read it from",
            ),
        }),
    }
}

fn plan_error(e: PlanError) -> BackupError {
    match e {
        PlanError::Conflicting(problems) => BackupError::ConflictingPaths { problems },
        PlanError::InTheWay(HandleError::Io { path, source }) => {
            BackupError::Write { path, source }
        }
        PlanError::InTheWay(source) => BackupError::InTheWay { source },
    }
}

fn write_error(e: HandleError) -> BackupError {
    match e {
        HandleError::Io { path, source } => BackupError::Write { path, source },
        source => BackupError::InTheWay { source },
    }
}

/// Test hook, in debug builds only: `STEWARD_TEST_PAUSE_RESTORE_AT=N`
/// holds the swap for a minute after its Nth rename (`placed`: once every
/// file is in place and journaled; `rolling_back`: once the bot failed to
/// start on them and was stopped, before anything is put back), saying so on stderr, so a test can
/// `kill -9` steward at that exact point; with the variable set, the swap
/// also says how many renames it made. Release builds ignore it.
mod test_hook {
    pub fn after_move(n: usize) {
        if cfg!(debug_assertions) {
            reached(&n.to_string());
        }
    }

    pub fn placed(moves: usize) {
        if cfg!(debug_assertions) && std::env::var_os("STEWARD_TEST_PAUSE_RESTORE_AT").is_some() {
            eprintln!("steward test hook: the swap made {moves} renames");
        }
        reached("placed");
    }

    pub fn reached(point: &str) {
        if cfg!(debug_assertions)
            && std::env::var("STEWARD_TEST_PAUSE_RESTORE_AT").as_deref() == Ok(point)
        {
            eprintln!("steward test hook: restore paused at {point}");
            std::thread::sleep(std::time::Duration::from_secs(60));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::store::Store;
    use std::cell::Cell;

    /// Why a restore was undone, and what it could not put back, read in
    /// English word for word as the restore wrote them before they were
    /// typed (what the CLI prints).
    #[test]
    fn a_restore_not_put_back_reads_as_it_did_before_it_was_typed() {
        let disk_full = || std::io::Error::from_raw_os_error(28);
        let place = UndoCause::PlaceFailed {
            path: PathBuf::from("/srv/bot/a"),
            error: disk_full().to_string(),
        };
        assert_eq!(
            place.to_string(),
            format!(
                "putting {} in place failed ({})",
                std::path::Path::new("/srv/bot/a").display(),
                disk_full()
            )
        );
        let start = UndoCause::BotDidNotStart {
            error: "exit status 1".into(),
            bot: None,
        };
        assert_eq!(
            start.to_string(),
            "the bot did not start after the restore (exit status 1)"
        );
        let e = BackupError::NotPutBack {
            cause: start,
            problems: vec![
                HandleError::Io {
                    path: "/srv/bot/b".into(),
                    source: disk_full(),
                },
                HandleError::NotRelative {
                    path: "../c".into(),
                },
            ],
            kept: "/srv/prev".into(),
        };
        assert_eq!(
            e.to_string(),
            format!(
                "the bot did not start after the restore (exit status 1), and putting the previous \
                 files back failed too (/srv/bot/b: {}; {}): they are kept in /srv/prev, and the \
                 next start of steward puts them back",
                disk_full(),
                HandleError::NotRelative {
                    path: "../c".into()
                }
            )
        );
        let e = BackupError::ConflictingPaths {
            problems: crate::manifest::path_findings(["a", "a", "b", "b/c"]),
        };
        assert_eq!(
            e.to_string(),
            format!(
                "the backup cannot be put back file by file ({}); nothing was changed",
                crate::manifest::path_problems(["a", "a", "b", "b/c"]).join("; ")
            )
        );
        assert_eq!(
            e.to_string(),
            "the backup cannot be put back file by file (a is listed 2 times in the manifest; \
             b is listed as a file, but the manifest also lists b/c inside it); nothing was changed"
        );
    }

    struct FailingStart {
        stops: Cell<u32>,
        starts: Cell<u32>,
    }

    impl BotControl for FailingStart {
        fn stop(&self) -> Result<(), BotControlError> {
            self.stops.set(self.stops.get() + 1);
            Ok(())
        }
        fn start(&self) -> Result<(), BotControlError> {
            self.starts.set(self.starts.get() + 1);
            if self.starts.get() == 1 {
                Err("health check failed".into())
            } else {
                Ok(())
            }
        }
    }

    /// Backups of the bot under `dir/bot`, configured with `[bot] root`,
    /// no disk-space floor and `backup` (a `[backup]` section), and one
    /// backup of `backup_type` taken of it.
    fn backed_up(
        dir: &std::path::Path,
        backup: &str,
        backup_type: BackupType,
    ) -> (Backups, super::super::Created) {
        let file = dir.join("steward.toml");
        std::fs::write(
            &file,
            format!("[bot]\nroot = \"bot\"\n[safety]\nmin_disk_space_mb = 0\n{backup}"),
        )
        .unwrap();
        let config = Config::load(&file, false).unwrap();
        let store = Store::open(&config.paths.data.join("steward.sled")).unwrap();
        let backups = Backups::open(&config, store).unwrap();
        let created = super::super::create::create(
            &backups,
            &super::super::CreateRequest {
                backup_type,
                compress: true,
                name: None,
                include_logs: false,
                description: None,
                auto_created: false,
            },
        )
        .unwrap();
        (backups, created)
    }

    #[test]
    fn a_restore_from_the_repository_names_and_checks_the_databases_it_put_back() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("bot");
        std::fs::create_dir_all(root.join("data")).unwrap();
        let db = root.join("data/bot.sqlite3");
        let rows = |text: &str| {
            let conn = rusqlite::Connection::open(&db).unwrap();
            conn.execute_batch(&format!(
                "CREATE TABLE IF NOT EXISTS t(x TEXT); DELETE FROM t; INSERT INTO t VALUES ('{text}');"
            ))
            .unwrap();
        };
        rows("before");
        // Named like a database, but not one: only the content says.
        std::fs::write(root.join("data/notes.db"), "plain text\n").unwrap();
        let (backups, created) = backed_up(
            dir.path(),
            "[backup]\nformat = \"restic\"\nverify_backups = false\n",
            BackupType::Full,
        );
        rows("after");

        let restored = restore(
            &backups,
            &RestoreRequest {
                id: created.record.id.clone(),
                restore_type: RestoreType::All,
                verify: false,
            },
            None,
        )
        .unwrap();
        assert_eq!(restored.databases, vec!["data/bot.sqlite3".to_string()]);
        assert!(
            restored.files.iter().any(|f| f == "data/notes.db"),
            "{:?}",
            restored.files
        );
        let x: String = rusqlite::Connection::open(&db)
            .unwrap()
            .query_row("SELECT x FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(x, "before", "the database as it was backed up");
    }

    #[test]
    fn a_bot_that_fails_to_start_gets_its_previous_files_back() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("bot");
        std::fs::create_dir_all(root.join("config")).unwrap();
        std::fs::write(root.join("config/config.toml"), "old = 1\n").unwrap();
        let (backups, created) = backed_up(
            dir.path(),
            "[backup]\nverify_backups = false\n",
            BackupType::Config,
        );
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

    /// Changes a file (to the same size, its mtime put back) when asked to
    /// stop, as a bot writing its state on its way down would.
    struct WritesWhileStopping {
        path: std::path::PathBuf,
    }

    impl BotControl for WritesWhileStopping {
        fn stop(&self) -> Result<(), BotControlError> {
            let was = std::fs::metadata(&self.path)?.modified()?;
            std::fs::write(&self.path, "new = 2\n")?;
            std::fs::File::options()
                .write(true)
                .open(&self.path)?
                .set_modified(was)?;
            Ok(())
        }
        fn start(&self) -> Result<(), BotControlError> {
            Ok(())
        }
    }

    /// A file found matching while the bot still ran, then changed by the
    /// bot as it stopped, is put back all the same.
    #[test]
    fn a_matching_file_the_bot_changes_while_stopping_is_restored() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("bot");
        std::fs::create_dir_all(root.join("config")).unwrap();
        let config = root.join("config/config.toml");
        std::fs::write(&config, "old = 1\n").unwrap();
        std::fs::write(root.join("config/other.toml"), "other = 1\n").unwrap();
        let (backups, created) = backed_up(
            dir.path(),
            "[backup]\nformat = \"restic\"\nverify_backups = false\n",
            BackupType::Config,
        );
        let bot = WritesWhileStopping {
            path: config.clone(),
        };
        restore(
            &backups,
            &RestoreRequest {
                id: created.record.id.clone(),
                restore_type: RestoreType::All,
                verify: false,
            },
            Some(&bot),
        )
        .unwrap();
        assert_eq!(std::fs::read_to_string(&config).unwrap(), "old = 1\n");
        assert_eq!(
            std::fs::read_to_string(root.join("config/other.toml")).unwrap(),
            "other = 1\n"
        );
    }

    /// A bot whose start, on the restored tree, writes into files the
    /// restore found already matching (one left in place, one its
    /// directory moved whole), removes another, and then fails.
    struct WritesThenFails {
        root: std::path::PathBuf,
        starts: Cell<u32>,
    }

    impl BotControl for WritesThenFails {
        fn stop(&self) -> Result<(), BotControlError> {
            Ok(())
        }
        fn start(&self) -> Result<(), BotControlError> {
            self.starts.set(self.starts.get() + 1);
            if self.starts.get() > 1 {
                return Ok(());
            }
            std::fs::write(self.root.join("notes.txt"), "the bot wrote this\n")?;
            std::fs::write(self.root.join("guilds/1.json"), "{\"bot\": true}")?;
            std::fs::remove_file(self.root.join("kept.txt"))?;
            Err("exit status: 1".into())
        }
    }

    /// A restore undone because the bot did not start puts back every
    /// file as it was, those it never wrote but the bot did included:
    /// the same bytes, mode and mtime.
    #[test]
    fn files_the_restore_left_alone_but_a_failed_bot_start_wrote_are_put_back() {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("bot");
        std::fs::create_dir_all(root.join("guilds")).unwrap();
        std::fs::write(root.join("notes.txt"), "left as it was\n").unwrap();
        std::fs::set_permissions(
            root.join("notes.txt"),
            std::fs::Permissions::from_mode(0o640),
        )
        .unwrap();
        std::fs::write(root.join("kept.txt"), "also as it was\n").unwrap();
        for g in 1..=3 {
            std::fs::write(
                root.join(format!("guilds/{g}.json")),
                format!("{{\"g\": {g}}}"),
            )
            .unwrap();
        }
        let (backups, created) = backed_up(
            dir.path(),
            "[backup]\nformat = \"restic\"\nverify_backups = false\n",
            BackupType::Full,
        );
        std::fs::write(root.join("guilds/2.json"), "{}").unwrap();
        std::fs::write(root.join("guilds/3.json"), "{}").unwrap();
        let files = ["notes.txt", "kept.txt", "guilds/1.json", "guilds/2.json"];
        let read = || -> Vec<Option<String>> {
            files
                .iter()
                .map(|rel| std::fs::read_to_string(root.join(rel)).ok())
                .collect()
        };
        let before = read();
        let notes = std::fs::metadata(root.join("notes.txt")).unwrap();
        let bot = WritesThenFails {
            root: root.clone(),
            starts: Cell::new(0),
        };
        let failed = restore(
            &backups,
            &RestoreRequest {
                id: created.record.id.clone(),
                restore_type: RestoreType::All,
                verify: false,
            },
            Some(&bot),
        );
        assert!(
            matches!(failed, Err(BackupError::BotStart { .. })),
            "{failed:?}"
        );
        assert_eq!(read(), before, "the tree is not as before the restore");
        let now = std::fs::metadata(root.join("notes.txt")).unwrap();
        assert_eq!(now.mode() & 0o7777, 0o640);
        assert_eq!(
            (now.mtime(), now.mtime_nsec()),
            (notes.mtime(), notes.mtime_nsec())
        );
        assert_eq!((now.uid(), now.gid()), (notes.uid(), notes.gid()));
        let names: Vec<String> = std::fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.iter().all(|n| !n.starts_with(".steward")),
            "nothing of the restore is left: {names:?}"
        );
    }
}
