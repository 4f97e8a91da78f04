//! Making a backup: select the files of the type, snapshot the SQLite
//! databases, hash everything (the manifest comes first in the archive),
//! stream the files into a tar compressed on every core, and publish the
//! archive atomically. A backup that fails or is interrupted is never
//! listed as completed.

use std::collections::BTreeMap;
use std::fs::{DirBuilder, File, OpenOptions};
use std::io::{self, BufWriter, Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use chrono::Utc;

use super::gzip::ParallelGzWriter;
use super::manifest::{self, FileKind, Manifest, ManifestFile};
use super::repository::DatabaseCopy;
use super::scope::{self, SourceFile};
use crate::config::BackupFormat;
use crate::progress::Step;

use super::{
    BackupError, BackupRecord, BackupStatus, BackupType, Backups, HashingReader, HashingWriter,
    Pruned, Verification, disk, sqlite,
};

/// What `backup create` is asked for.
#[derive(Debug, Clone)]
pub struct CreateRequest {
    pub backup_type: BackupType,
    /// `.tar.gz` when true, `.tar` otherwise.
    pub compress: bool,
    /// A second handle, unique among backups.
    pub name: Option<String>,
    pub include_logs: bool,
    pub description: Option<String>,
    /// Made by Steward itself (before an update) rather than asked for.
    pub auto_created: bool,
}

/// A completed backup and what followed it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Created {
    pub record: BackupRecord,
    /// Symlinks and special files in scope that a backup cannot hold.
    pub skipped: Vec<String>,
    /// What `auto_cleanup` pruned afterwards.
    pub pruned: Option<Pruned>,
    /// The repository's password file, when this backup created it: the
    /// operator must keep a copy elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_created: Option<PathBuf>,
    /// Each offsite target's copy (`[backup.offsite.NAME]`), once the
    /// follow-up ran ([`super::offsite::after_backup`]); empty in the
    /// answer of the backup itself.
    #[serde(default)]
    pub offsite: Vec<super::offsite::Copied>,
    /// The targets the follow-up copies this backup to, by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub offsite_due: Vec<String>,
}

const READ_BUFFER: usize = 256 * 1024;

pub fn create(backups: &Backups, request: &CreateRequest) -> Result<Created, BackupError> {
    create_tagged(backups, request, &BTreeMap::new())
}

/// `create`, with `tags` added to the record's metadata (a schedule's
/// backups carry the schedule, so it prunes only its own).
pub fn create_tagged(
    backups: &Backups,
    request: &CreateRequest,
    tags: &BTreeMap<String, String>,
) -> Result<Created, BackupError> {
    if let Some(name) = &request.name
        && (name.is_empty() || name.chars().count() > 100 || name.starts_with("backup_"))
    {
        return Err(BackupError::InvalidName { name: name.clone() });
    }
    // `backup.compression_enabled = false` wins over every request, the
    // pre-update backup's included.
    let request = &CreateRequest {
        compress: request.compress && backups.settings.compression_enabled,
        ..request.clone()
    };
    let lock = backups.lock()?;
    let opening = match backups.settings.format {
        BackupFormat::Restic => Some(super::repository::Opening::start(backups)),
        BackupFormat::Tar => None,
    };
    let matcher = scope::matcher(
        &backups.settings.scopes,
        request.backup_type,
        request.include_logs,
    )?;
    let selection = scope::select(&backups.root, &matcher, &backups.own_dirs())?;
    if selection.files.is_empty() {
        return Err(BackupError::NothingToBackUp {
            backup_type: request.backup_type.as_str(),
        });
    }
    let total: u64 = selection.files.iter().map(|f| f.size).sum();
    backups.report(
        0,
        Step::BackingUpFiles {
            files: selection.files.len(),
            backup_type: request.backup_type.as_str().to_string(),
        },
    );
    let db_total: u64 = selection
        .files
        .iter()
        .filter(|f| f.kind == FileKind::Sqlite)
        .map(|f| f.size)
        .sum();
    // Worst case: nothing compresses, and the database snapshots sit beside
    // the archive until it is done.
    backups.check_space(backups.dir(), total + db_total)?;

    let mut record = reserve(backups, request, tags)?;
    let result = match opening {
        None => write_backup(backups, request, &mut record, &selection.files),
        Some(opening) => write_snapshot(backups, opening, &mut record, &selection.files),
    };
    match result {
        Ok(()) => {}
        Err(e) => {
            record.status = BackupStatus::Failed;
            record.error = Some(e.to_string());
            let _ = std::fs::remove_file(partial_path(&record.file_path));
            let _ = std::fs::remove_dir_all(staging_dir(backups, &record.id));
            if let Some(name) = &record.name {
                let _ = backups.names.remove(name);
            }
            let _ = backups.save(&record);
            return Err(e);
        }
    }
    if !selection.skipped.is_empty() {
        record
            .metadata
            .insert("skipped".into(), selection.skipped.join(", "));
        backups.save(&record)?;
    }
    drop(lock);

    if backups.settings.verify_backups {
        backups.report(
            90,
            Step::VerifyingBackup {
                id: record.id.clone(),
            },
        );
        let outcome = super::verify::verify(backups, &record.id, false)?;
        record.verification = Some(Verification {
            at: outcome.at,
            ok: outcome.ok,
            drill: false,
            problems: outcome.problems,
            findings: outcome.findings,
        });
    }
    let pruned = if backups.settings.auto_cleanup {
        backups.report(95, Step::PruningBackups);
        Some(super::prune::prune(
            backups,
            &super::prune::session_references(backups),
        )?)
    } else {
        None
    };
    // Offsite copies follow once the backup is answered (the caller runs
    // `offsite::after_backup`): a slow target never delays it.
    let offsite_due = super::offsite::due(backups, tags.contains_key("schedule"));
    backups.report(
        100,
        Step::BackupComplete {
            id: record.id.clone(),
        },
    );
    Ok(Created {
        record,
        skipped: selection.skipped,
        pruned,
        password_created: backups.take_password_created(),
        offsite: Vec::new(),
        offsite_due,
    })
}

/// Allocates the id (`backup_YYYYMMDD_HHMMSS`, suffixed when that second is
/// taken), claims the name, and records the backup as in progress.
fn reserve(
    backups: &Backups,
    request: &CreateRequest,
    tags: &BTreeMap<String, String>,
) -> Result<BackupRecord, BackupError> {
    let now = Utc::now();
    let base = format!("backup_{}", now.format("%Y%m%d_%H%M%S"));
    let extension = if request.compress { "tar.gz" } else { "tar" };
    let scopes = &backups.settings.scopes;
    let mut paths = match request.backup_type {
        BackupType::Full => scopes.full.include.clone(),
        BackupType::Database => scopes.database.include.clone(),
        BackupType::Config => scopes.config.include.clone(),
        BackupType::DataOnly => scopes.data_only.include.clone(),
    };
    if request.include_logs {
        paths.extend(scopes.logs.include.iter().cloned());
    }
    let mut metadata = tags.clone();
    metadata.insert("include_logs".into(), request.include_logs.to_string());
    metadata.insert("steward_version".into(), env!("CARGO_PKG_VERSION").into());
    if let Some(v) = bot_version(&backups.root) {
        metadata.insert("bot_version".into(), v);
    }
    for n in 1.. {
        let id = if n == 1 {
            base.clone()
        } else {
            format!("{base}_{n}")
        };
        let record = BackupRecord {
            file_path: backups.dir().join(format!("{id}.{extension}")),
            id: id.clone(),
            name: request.name.clone(),
            backup_type: request.backup_type,
            status: BackupStatus::InProgress,
            paths: paths.clone(),
            size_bytes: 0,
            compressed_size: 0,
            file_count: 0,
            created_at: now,
            completed_at: None,
            description: request.description.clone(),
            checksum: None,
            auto_created: request.auto_created,
            compressed: request.compress,
            verification: None,
            error: None,
            metadata: metadata.clone(),
        };
        if backups.records.insert_new(&id, &record)? {
            if let Some(name) = &request.name
                && !backups.names.insert_new(name, &id)?
            {
                backups.records.remove(&id)?;
                let holder = backups.names.get(name)?.unwrap_or_default();
                return Err(BackupError::NameTaken {
                    name: name.clone(),
                    id: holder,
                });
            }
            backups.store.flush()?;
            return Ok(record);
        }
    }
    unreachable!("the id space is unbounded")
}

pub(crate) fn bot_version(root: &Path) -> Option<String> {
    std::fs::read_to_string(root.join("VERSION"))
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

pub(crate) fn partial_path(archive: &Path) -> PathBuf {
    let mut name = archive.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

pub(crate) fn staging_dir(backups: &Backups, id: &str) -> PathBuf {
    backups.dir().join(format!(".staging-{id}"))
}

/// A file as it goes into the archive: where its bytes are read from (the
/// snapshot, for a database) and what the manifest says about it.
pub(crate) struct Planned {
    pub read_from: PathBuf,
    pub entry: ManifestFile,
}

/// The backup as a snapshot in the repository at `backup_path`: the same
/// database copies as an archive gets, then `rustic_core` stores what is
/// new (content-defined chunks, deduplicated, compressed, encrypted). A
/// database whose live state (taken before its copy, so a write during
/// the copy shows as a change next time) is the one recorded with an
/// earlier snapshot is not copied again: that snapshot's copy is reused.
fn write_snapshot(
    backups: &Backups,
    opening: super::repository::Opening,
    record: &mut BackupRecord,
    files: &[SourceFile],
) -> Result<(), BackupError> {
    let staging = staging_dir(backups, &record.id);
    make_staging(&staging)?;
    let states: BTreeMap<String, String> = files
        .iter()
        .filter(|f| f.kind == FileKind::Sqlite)
        .filter_map(|f| sqlite::state(&f.abs).map(|state| (f.rel.clone(), state)))
        .collect();
    let certain = copied_for_certain(backups, files, &states)?;
    let stop = AtomicBool::new(false);
    let snap = std::thread::scope(|scope| {
        // The databases no earlier backup can lend a copy are copied on a
        // thread of their own while the repository opens (its key
        // derivation is about half a second, on another core), and each
        // copy's integrity check runs on a thread of its own while the
        // archiver already reads the copy: the read ends only once the
        // check passed, and a failed one fails the backup as before.
        let (sender, copies) = std::sync::mpsc::channel();
        if !certain.is_empty() {
            let (certain, staging, stop) = (&certain, &staging, &stop);
            scope.spawn(move || {
                for &i in certain {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let copied = copy_database_checked(scope, backups, staging, i, &files[i]);
                    let failed = copied.is_err();
                    if sender.send((i, copied)).is_err() || failed {
                        return;
                    }
                }
            });
        } else {
            drop(sender);
        }
        let mut early: BTreeMap<usize, Result<DatabaseCopy, BackupError>> = BTreeMap::new();
        let mut copy = |i: usize, f: &SourceFile| {
            if certain.contains(&i) {
                loop {
                    if let Some(copied) = early.remove(&i) {
                        return copied;
                    }
                    match copies.recv() {
                        Ok((j, copied)) => {
                            early.insert(j, copied);
                        }
                        // The thread stopped before this one (an earlier
                        // copy failed, and is not asked for): copy here.
                        Err(_) => break,
                    }
                }
            }
            copy_database_checked(scope, backups, &staging, i, f)
        };
        let written =
            super::repository::write_backup(backups, opening, record, files, &states, &mut copy);
        // A backup that failed before it took every copy (a wrong
        // password) does not wait for the rest to be made.
        stop.store(true, Ordering::Relaxed);
        written
    })?;
    let _ = std::fs::remove_dir_all(&staging);
    record.file_path = backups.dir().to_path_buf();
    super::repository::complete(record, &snap, files);
    for (rel, state) in states {
        record
            .metadata
            .insert(super::repository::sqlite_state_key(&rel), state);
    }
    backups.save(record)
}

/// The indexes of the databases in `files` that `write_backup` will copy
/// whatever the repository holds: no completed backup recorded their
/// present live state (`states`), or it cannot be told. The others may be
/// taken from an earlier snapshot, which only the repository can say.
fn copied_for_certain(
    backups: &Backups,
    files: &[SourceFile],
    states: &BTreeMap<String, String>,
) -> Result<Vec<usize>, BackupError> {
    let earlier: Vec<BackupRecord> = backups
        .all()?
        .into_iter()
        .filter(|r| r.status == BackupStatus::Completed)
        .collect();
    Ok(files
        .iter()
        .enumerate()
        .filter(|(_, f)| f.kind == FileKind::Sqlite)
        .filter(|(_, f)| {
            let key = super::repository::sqlite_state_key(&f.rel);
            states
                .get(&f.rel)
                .is_none_or(|state| !earlier.iter().any(|r| r.metadata.get(&key) == Some(state)))
        })
        .map(|(i, _)| i)
        .collect())
}

/// A private directory (0700) for a backup's database copies or a
/// restore's files.
pub(crate) fn make_staging(staging: &Path) -> Result<(), BackupError> {
    DirBuilder::new()
        .mode(0o700)
        .create(staging)
        .map_err(|source| BackupError::Write {
            path: staging.to_path_buf(),
            source,
        })
}

/// The online copy of database `f` (the `i`th file) in `staging`, its
/// integrity check started on a thread of `scope`: whoever reads the copy
/// waits for the verdict before finishing with it.
fn copy_database_checked<'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    backups: &Backups,
    staging: &Path,
    i: usize,
    f: &SourceFile,
) -> Result<DatabaseCopy, BackupError> {
    let path = copy_database(backups, staging, i, f)?;
    let check = Arc::new(sqlite::Check::default());
    let (checking, copied) = (check.clone(), path.clone());
    scope.spawn(move || checking.run(&copied));
    Ok(DatabaseCopy {
        path,
        rel: f.rel.clone(),
        check,
    })
}

/// The online copy of database `f` (the `i`th file) in `staging`, not yet
/// checked.
fn copy_database(
    backups: &Backups,
    staging: &Path,
    i: usize,
    f: &SourceFile,
) -> Result<PathBuf, BackupError> {
    backups.report(
        5,
        Step::CopyingDatabase {
            path: f.rel.clone(),
        },
    );
    let copy = staging.join(format!("{i}.sqlite3"));
    sqlite::snapshot(&f.abs, &copy).map_err(|message| BackupError::DatabaseCopy {
        path: f.rel.clone(),
        message,
    })?;
    Ok(copy)
}

/// Where each file's bytes are read from: the live file, or for a database
/// its online copy in `staging` (created private), integrity-checked.
fn copy_databases(
    backups: &Backups,
    staging: &Path,
    files: &[SourceFile],
) -> Result<Vec<PathBuf>, BackupError> {
    make_staging(staging)?;
    // Databases first: one consistent snapshot each, checked before use.
    files
        .iter()
        .enumerate()
        .map(|(i, f)| match f.kind {
            FileKind::Sqlite => {
                let copy = copy_database(backups, staging, i, f)?;
                sqlite::integrity_check(&copy).map_err(|message| BackupError::DatabaseCorrupt {
                    path: f.rel.clone(),
                    message,
                })?;
                Ok(copy)
            }
            _ => Ok(f.abs.clone()),
        })
        .collect()
}

fn write_backup(
    backups: &Backups,
    request: &CreateRequest,
    record: &mut BackupRecord,
    files: &[SourceFile],
) -> Result<(), BackupError> {
    let staging = staging_dir(backups, &record.id);
    let sources = copy_databases(backups, &staging, files)?;

    // The manifest is the first entry, so every hash is known before the
    // archive starts; the second read (streaming) must see the same bytes.
    backups.report(
        10,
        Step::HashingFiles {
            files: sources.len(),
        },
    );
    let hashes = hash_all(&sources)?;
    let planned: Vec<Planned> = files
        .iter()
        .zip(sources)
        .zip(hashes)
        .map(|((f, read_from), (sha256, size))| Planned {
            read_from,
            entry: ManifestFile {
                path: f.rel.clone(),
                size,
                sha256,
                mode: f.mode,
                kind: f.kind,
            },
        })
        .collect();
    let manifest = Manifest {
        format: manifest::FORMAT,
        id: record.id.clone(),
        name: record.name.clone(),
        backup_type: record.backup_type,
        description: record.description.clone(),
        bot_version: record.metadata.get("bot_version").cloned(),
        created_at: record.created_at,
        steward_version: env!("CARGO_PKG_VERSION").to_string(),
        files: planned.iter().map(|p| p.entry.clone()).collect(),
    };

    let (checksum, compressed_size) = write_archive(
        backups,
        &record.file_path,
        request.compress,
        &manifest,
        &planned,
    )?;
    let _ = std::fs::remove_dir_all(&staging);

    record.status = BackupStatus::Completed;
    record.completed_at = Some(Utc::now());
    record.checksum = Some(checksum);
    record.compressed_size = compressed_size;
    record.size_bytes = manifest.total_size();
    record.file_count = manifest.files.len() as u64;
    backups.save(record)
}

/// Writes `manifest` and then every planned file into a tar at `target`
/// (gzip on every core when `compress`), through a `.partial` file renamed
/// into place once synced; each file must still match its manifest entry.
/// Returns the archive's sha256 and size.
pub(crate) fn write_archive(
    backups: &Backups,
    target: &Path,
    compress: bool,
    manifest: &Manifest,
    planned: &[Planned],
) -> Result<(String, u64), BackupError> {
    let partial = partial_path(target);
    let write_err = |source| BackupError::Write {
        path: partial.clone(),
        source,
    };
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&partial)
        .map_err(write_err)?;
    let sink = if compress {
        Sink::Gz(
            ParallelGzWriter::new(
                HashingWriter::new(file),
                backups.settings.compression_level,
                super::threads(),
            )
            .map_err(write_err)?,
        )
    } else {
        Sink::Plain(BufWriter::with_capacity(1 << 20, HashingWriter::new(file)))
    };
    let mut tar = tar::Builder::new(sink);
    let manifest_bytes = manifest.to_bytes();
    let mut header = entry_header(
        manifest_bytes.len() as u64,
        0o600,
        manifest.created_at.timestamp() as u64,
    );
    tar.append_data(&mut header, manifest::MANIFEST_NAME, &manifest_bytes[..])
        .map_err(write_err)?;
    let total: u64 = planned.iter().map(|p| p.entry.size).sum();
    let mut archived = 0u64;
    for p in planned {
        // 15% to 85% while the archive is written, by bytes.
        let share = (archived * 70).checked_div(total).unwrap_or(0);
        backups.report(
            15 + share as u8,
            Step::Archiving {
                path: p.entry.path.clone(),
            },
        );
        archived += p.entry.size;
        append_file(&mut tar, p).map_err(|e| match e {
            Appended::Io(source) => BackupError::Write {
                path: partial.clone(),
                source,
            },
            Appended::Source(source) => BackupError::Read {
                path: p.read_from.clone(),
                source,
            },
            Appended::Changed => BackupError::FileChanged {
                path: p.entry.path.clone(),
            },
        })?;
    }
    let sink = tar.into_inner().map_err(write_err)?;
    let (file, checksum, compressed_size) = sink.finish().map_err(write_err)?.finish();
    file.sync_all().map_err(write_err)?;
    drop(file);
    disk::durable_rename(&partial, target).map_err(|source| BackupError::Write {
        path: target.to_path_buf(),
        source,
    })?;
    Ok((checksum, compressed_size))
}

fn entry_header(size: u64, mode: u32, mtime: u64) -> tar::Header {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Regular);
    header.set_size(size);
    header.set_mode(mode);
    header.set_mtime(mtime);
    header.set_uid(0);
    header.set_gid(0);
    header
}

enum Appended {
    Io(io::Error),
    Source(io::Error),
    Changed,
}

fn append_file<W: Write>(tar: &mut tar::Builder<W>, p: &Planned) -> Result<(), Appended> {
    let file = File::open(&p.read_from).map_err(Appended::Source)?;
    let mtime = file.metadata().map_err(Appended::Source)?.mtime().max(0) as u64;
    let mut header = entry_header(p.entry.size, p.entry.mode, mtime);
    // Exactly the manifest's size goes in, so a file that grew cannot
    // misalign the archive; a file that shrank or changed fails the hash.
    let mut reader =
        HashingReader::new(io::BufReader::with_capacity(READ_BUFFER, file).take(p.entry.size));
    tar.append_data(&mut header, &p.entry.path, &mut reader)
        .map_err(|e| {
            // tar reports the source's errors and its own alike; a short
            // read surfaces as the hash check below.
            Appended::Io(e)
        })?;
    let (sha256, size) = reader.finish();
    if size != p.entry.size || sha256 != p.entry.sha256 {
        return Err(Appended::Changed);
    }
    Ok(())
}

/// sha256 and size of every file, on every core.
fn hash_all(paths: &[PathBuf]) -> Result<Vec<(String, u64)>, BackupError> {
    let next = AtomicUsize::new(0);
    type Slot = std::sync::Mutex<Option<Result<(String, u64), BackupError>>>;
    let results: Vec<Slot> = paths.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..super::threads().min(paths.len()) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= paths.len() {
                        return;
                    }
                    let result = hash_path(&paths[i]);
                    let failed = result.is_err();
                    *results[i].lock().expect("hash slot") = Some(result);
                    if failed {
                        // Stop the others early: one failure fails the backup.
                        next.store(paths.len(), Ordering::Relaxed);
                        return;
                    }
                }
            });
        }
    });
    let mut out = Vec::with_capacity(paths.len());
    for slot in results {
        match slot.into_inner().expect("hash slot") {
            Some(result) => out.push(result?),
            None => {
                return Err(BackupError::Read {
                    path: PathBuf::new(),
                    source: io::Error::other("hashing stopped early"),
                });
            }
        }
    }
    Ok(out)
}

pub(crate) fn hash_path(path: &Path) -> Result<(String, u64), BackupError> {
    let read = |source| BackupError::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut reader = HashingReader::new(File::open(path).map_err(read)?);
    let mut buf = vec![0u8; READ_BUFFER];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(read(e)),
        }
    }
    Ok(reader.finish())
}

/// Where the tar stream goes: compressed on every core, or plain.
enum Sink {
    Gz(ParallelGzWriter<HashingWriter<File>>),
    Plain(BufWriter<HashingWriter<File>>),
}

impl Sink {
    fn finish(self) -> io::Result<HashingWriter<File>> {
        match self {
            Sink::Gz(gz) => gz.finish(),
            Sink::Plain(buf) => buf.into_inner().map_err(|e| e.into_error()),
        }
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Sink::Gz(w) => w.write(buf),
            Sink::Plain(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Gz(w) => w.flush(),
            Sink::Plain(w) => w.flush(),
        }
    }
}
