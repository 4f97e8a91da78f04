//! Checking a backup: the archive's sha256 against the record, then every
//! file in it against the manifest; optionally a restore drill that unpacks
//! into a scratch directory and integrity-checks every database. A manifest
//! that lists a path twice (or as a file and a directory) fails the check.
//! A failed check is a result (recorded on the backup), not an error.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::time::Instant;

use chrono::{DateTime, Utc};
use serde::Serialize;

use thiserror::Error;

use super::extract::{self, ExtractError, Kind, Limits};
use super::manifest::{self, FileKind, Manifest, ManifestError, ManifestFile};
use super::problem::{self, Problem};
use super::{
    BackupError, BackupRecord, Backups, Extracted, Verification, create, offsite, repository,
    sqlite,
};

/// Problems listed one by one before they are summed up.
const MAX_PROBLEMS: usize = 20;

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct VerifyOutcome {
    pub id: String,
    pub at: DateTime<Utc>,
    pub ok: bool,
    pub archive_checksum_ok: bool,
    /// The restic snapshot that was checked (repository structure and every
    /// file's data); `None` for an archive, whose sha256 was checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<String>,
    pub files_checked: u64,
    pub bytes_checked: u64,
    /// What was found wrong, in English (what the CLI prints).
    pub problems: Vec<String>,
    /// The same, typed, so fronts word them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Problem>,
    pub drill: Option<Drill>,
    pub duration_ms: u64,
    /// Each offsite copy's check there (its problems are among `problems`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub offsite: Vec<offsite::RemoteCheck>,
    /// The local repository lost the snapshot: only the offsite copies
    /// were checked.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub only_offsite: bool,
}

/// What the restore drill found.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Drill {
    pub files_extracted: usize,
    pub databases: Vec<DatabaseCheck>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct DatabaseCheck {
    pub path: String,
    pub ok: bool,
    pub message: Option<String>,
}

pub fn verify(backups: &Backups, id: &str, drill: bool) -> Result<VerifyOutcome, BackupError> {
    let record = backups.completed(id)?;
    let started = Instant::now();
    let only_offsite = offsite::only_offsite(backups, &record);
    let mut outcome = if only_offsite {
        VerifyOutcome {
            id: record.id.clone(),
            at: Utc::now(),
            ok: true,
            archive_checksum_ok: true,
            snapshot: repository::snapshot_of(&record).map(str::to_string),
            files_checked: 0,
            bytes_checked: 0,
            problems: Vec::new(),
            findings: Vec::new(),
            drill: None,
            duration_ms: 0,
            offsite: Vec::new(),
            only_offsite: true,
        }
    } else {
        check_any(backups, &record)
    };
    if drill && only_offsite {
        outcome.findings.push(Problem::DrillNeedsLocal);
        outcome.ok = false;
    }
    if drill && outcome.ok {
        let scratch = backups.dir().join(format!(".drill-{}", record.id));
        let result = run_drill(backups, &record, &scratch);
        let _ = std::fs::remove_dir_all(&scratch);
        match result {
            Ok((d, problems)) => {
                outcome.findings.extend(problems);
                outcome.drill = Some(d);
            }
            Err(e) => outcome.findings.push(Problem::DrillFailed {
                error: e.to_string(),
            }),
        }
        outcome.ok = outcome.findings.is_empty();
    }
    outcome.offsite = offsite::check_copies(backups, &record, only_offsite);
    for copy in &outcome.offsite {
        outcome.findings.extend(copy.problems.iter().cloned());
    }
    if only_offsite && !outcome.offsite.iter().any(offsite::RemoteCheck::ok) {
        outcome.findings.push(Problem::NoSoundCopy {
            id: record.id.clone(),
        });
    }
    if only_offsite {
        outcome.archive_checksum_ok = outcome.offsite.iter().all(|c| c.problems.is_empty());
    }
    outcome.ok = outcome.findings.is_empty();
    outcome.problems = problem::english(&outcome.findings);
    outcome.duration_ms = started.elapsed().as_millis() as u64;
    // Re-read: the record may have changed while the archive was read.
    let mut latest = backups.get(&record.id)?;
    latest.verification = Some(Verification {
        at: outcome.at,
        ok: outcome.ok,
        drill,
        problems: outcome.problems.clone(),
        findings: outcome.findings.clone(),
    });
    backups.save(&latest)?;
    Ok(outcome)
}

/// `check` for an archive; for a snapshot, the repository's structural
/// check (restic's `check --read-data`, for this snapshot's packs), then
/// every blob of every file read back, each damaged file named.
pub(crate) fn check_any(backups: &Backups, record: &BackupRecord) -> VerifyOutcome {
    if repository::snapshot_of(record).is_none() {
        return check(record);
    }
    // The repository's structure first (packs, index, this snapshot's
    // trees and packs), then every file read back and named when damaged.
    let (mut problems, trees_damaged) = match repository::check_snapshot(backups, record) {
        Ok(checked) => (checked.problems, checked.trees_damaged),
        Err(e) => (
            vec![Problem::Unchecked {
                error: e.to_string(),
            }],
            false,
        ),
    };
    let (files_checked, bytes_checked) = if trees_damaged {
        (0, 0)
    } else {
        match repository::read_back(backups, record, None, None) {
            Ok(read) => {
                problems.extend(read.problems);
                (read.manifest.files.len() as u64, read.bytes)
            }
            Err(e) => {
                problems.push(Problem::Unchecked {
                    error: e.to_string(),
                });
                (0, 0)
            }
        }
    };
    summarize(&mut problems);
    VerifyOutcome {
        id: record.id.clone(),
        at: Utc::now(),
        ok: problems.is_empty(),
        archive_checksum_ok: problems.is_empty(),
        snapshot: repository::snapshot_of(record).map(str::to_string),
        files_checked,
        bytes_checked,
        problems: problem::english(&problems),
        findings: problems,
        drill: None,
        duration_ms: 0,
        offsite: Vec::new(),
        only_offsite: false,
    }
}

/// `manifest_of` for an archive; for a snapshot, its tree (whose problems
/// under the strict filter are the error).
pub(crate) fn manifest_any(
    backups: &Backups,
    record: &BackupRecord,
) -> Result<Manifest, BackupError> {
    if repository::snapshot_of(record).is_none() {
        return manifest_of(record).map_err(|problem| BackupError::VerificationFailed {
            id: record.id.clone(),
            problems: vec![problem.into()],
        });
    }
    let (manifest, problems) = repository::manifest_of(backups, record)?;
    if !problems.is_empty() {
        return Err(BackupError::VerificationFailed {
            id: record.id.clone(),
            problems,
        });
    }
    Ok(manifest)
}

/// `unpack` for an archive or a snapshot: the manifest, how many files
/// were written, and the problems found.
pub(crate) fn unpack_any(
    backups: &Backups,
    record: &BackupRecord,
    staging: &Path,
) -> Result<(Manifest, usize, Vec<Problem>), BackupError> {
    if repository::snapshot_of(record).is_none() {
        let (manifest, extracted, problems) = unpack(record, staging)?;
        return Ok((manifest, extracted.files.len().saturating_sub(1), problems));
    }
    let read = repository::read_back(backups, record, Some(staging), None)?;
    let count = read.manifest.files.len();
    Ok((read.manifest, count, read.problems))
}

/// The archive checksum (on one thread) and the streamed file check (on
/// another), read side by side.
pub(crate) fn check(record: &BackupRecord) -> VerifyOutcome {
    let (archive_hash, stream) = std::thread::scope(|s| {
        let hash = s.spawn(|| create::hash_path(&record.file_path));
        let stream = check_stream(record);
        (hash.join().expect("hashing thread"), stream)
    });
    let mut problems = Vec::new();
    let archive_checksum_ok = match archive_hash {
        Ok((sha, _)) if Some(&sha) == record.checksum.as_ref() => true,
        Ok(_) => {
            problems.push(Problem::ArchiveChecksum);
            false
        }
        Err(e) => {
            problems.push(Problem::ArchiveUnreadable {
                error: e.to_string(),
            });
            false
        }
    };
    problems.extend(stream.problems);
    summarize(&mut problems);
    VerifyOutcome {
        id: record.id.clone(),
        at: Utc::now(),
        ok: problems.is_empty(),
        archive_checksum_ok,
        snapshot: None,
        files_checked: stream.files,
        bytes_checked: stream.bytes,
        problems: problem::english(&problems),
        findings: problems,
        drill: None,
        duration_ms: 0,
        offsite: Vec::new(),
        only_offsite: false,
    }
}

fn summarize(problems: &mut Vec<Problem>) {
    if problems.len() > MAX_PROBLEMS {
        let more = problems.len() - MAX_PROBLEMS;
        problems.truncate(MAX_PROBLEMS);
        problems.push(Problem::More { count: more });
    }
}

#[derive(Default)]
struct StreamCheck {
    problems: Vec<Problem>,
    files: u64,
    bytes: u64,
}

/// Opens the archive for reading, decompressing when it is compressed.
pub(crate) fn open_archive(record: &BackupRecord) -> io::Result<Box<dyn Read>> {
    let file = BufReader::with_capacity(1 << 20, File::open(&record.file_path)?);
    Ok(if record.compressed {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    })
}

fn check_stream(record: &BackupRecord) -> StreamCheck {
    let mut out = StreamCheck::default();
    if let Err(problem) = walk_archive(record, &mut out) {
        out.problems.push(problem.into());
    }
    out
}

/// What stopped a walk through an archive; its words become one of the
/// problems a check reports.
#[derive(Debug, Error)]
pub enum ArchiveProblem {
    #[error("the archive cannot be opened: {0}")]
    Open(io::Error),
    #[error("{0}")]
    Entry(#[from] ExtractError),
    #[error("the archive is empty")]
    Empty,
    #[error(
        "the first entry is {found:?}, not the manifest {}",
        manifest::MANIFEST_NAME
    )]
    FirstNotManifest { found: String },
    #[error("the manifest is implausibly large")]
    ManifestTooLarge,
    #[error("the manifest cannot be read: {0}")]
    ManifestUnreadable(ExtractError),
    #[error("the manifest is not valid: {0}")]
    ManifestInvalid(ManifestError),
    #[error("the archive belongs to backup {found}, not {expected}")]
    OtherBackup { found: String, expected: String },
    #[error("{path}: {source}")]
    File { path: String, source: ExtractError },
}

impl From<ArchiveProblem> for Problem {
    fn from(p: ArchiveProblem) -> Problem {
        match p {
            ArchiveProblem::Open(e) => Problem::ArchiveOpen {
                error: e.to_string(),
            },
            ArchiveProblem::Entry(e) => Problem::ArchiveEntry {
                error: e.to_string(),
            },
            ArchiveProblem::Empty => Problem::ArchiveEmpty,
            ArchiveProblem::FirstNotManifest { found } => Problem::FirstNotManifest { found },
            ArchiveProblem::ManifestTooLarge => Problem::ManifestTooLarge,
            ArchiveProblem::ManifestUnreadable(e) => Problem::ManifestUnreadable {
                error: e.to_string(),
            },
            ArchiveProblem::ManifestInvalid(e) => Problem::ManifestInvalid {
                error: e.to_string(),
            },
            ArchiveProblem::OtherBackup { found, expected } => {
                Problem::OtherBackup { found, expected }
            }
            ArchiveProblem::File { path, source } => Problem::FileUnreadable {
                path,
                error: source.to_string(),
            },
        }
    }
}

/// Walks every entry; `Err` is the problem that stopped the walk.
fn walk_archive(record: &BackupRecord, out: &mut StreamCheck) -> Result<(), ArchiveProblem> {
    let reader = open_archive(record).map_err(ArchiveProblem::Open)?;
    let mut archive = tar::Archive::new(reader);
    let mut entries = archive.entries().map_err(extract::read_error)?;
    let manifest = {
        let mut first = entries
            .next()
            .ok_or(ArchiveProblem::Empty)?
            .map_err(extract::read_error)?;
        read_manifest(&mut first)?
    };
    if manifest.id != record.id {
        return Err(ArchiveProblem::OtherBackup {
            found: manifest.id,
            expected: record.id.clone(),
        });
    }
    out.problems.extend(manifest.path_findings());
    let mut expected: HashMap<&str, &ManifestFile> = manifest
        .files
        .iter()
        .map(|f| (f.path.as_str(), f))
        .collect();
    let mut buf = vec![0u8; 256 * 1024];
    for entry in entries {
        let mut entry = entry.map_err(extract::read_error)?;
        let checked = match extract::check_entry(&mut entry) {
            Ok(Some(c)) => c,
            Ok(None) => continue,
            Err(e) => return Err(e.into()),
        };
        if let Kind::Dir = checked.kind {
            continue;
        }
        let path = slash_path(&checked.path);
        let Some(listed) = expected.remove(path.as_str()) else {
            out.problems.push(Problem::NotInManifest { path });
            continue;
        };
        let mut hasher = super::HashingReader::new(&mut entry);
        loop {
            match hasher.read(&mut buf) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(ArchiveProblem::File {
                        path,
                        source: extract::read_error(e),
                    });
                }
            }
        }
        let (sha, size) = hasher.finish();
        out.files += 1;
        out.bytes += size;
        if size != listed.size {
            out.problems.push(Problem::SizeDiffers {
                path,
                archive: size,
                manifest: listed.size,
            });
        } else if sha != listed.sha256 {
            out.problems.push(Problem::ContentDiffers { path });
        }
    }
    let mut missing: Vec<&str> = expected.into_keys().collect();
    missing.sort_unstable();
    for path in missing {
        out.problems.push(Problem::MissingFromArchive {
            path: path.to_string(),
        });
    }
    // The gzip trailer (CRC-32 and length) is checked when the stream ends.
    let mut tail = archive.into_inner().take(16 * 1024 * 1024);
    io::copy(&mut tail, &mut io::sink()).map_err(extract::read_error)?;
    Ok(())
}

/// The manifest alone: the archive's first entry, the rest left unread.
/// Nothing checked it against the archive's checksum yet.
pub(crate) fn manifest_of(record: &BackupRecord) -> Result<Manifest, ArchiveProblem> {
    let reader = open_archive(record).map_err(ArchiveProblem::Open)?;
    let mut archive = tar::Archive::new(reader);
    let mut entries = archive.entries().map_err(extract::read_error)?;
    let mut first = entries
        .next()
        .ok_or(ArchiveProblem::Empty)?
        .map_err(extract::read_error)?;
    read_manifest(&mut first)
}

fn read_manifest<R: Read>(entry: &mut tar::Entry<'_, R>) -> Result<Manifest, ArchiveProblem> {
    let path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
    if path != manifest::MANIFEST_NAME {
        return Err(ArchiveProblem::FirstNotManifest { found: path });
    }
    if entry.size() > manifest::MAX_MANIFEST_BYTES {
        return Err(ArchiveProblem::ManifestTooLarge);
    }
    let mut bytes = Vec::new();
    entry
        .read_to_end(&mut bytes)
        .map_err(|e| ArchiveProblem::ManifestUnreadable(extract::read_error(e)))?;
    Manifest::from_bytes(&bytes).map_err(ArchiveProblem::ManifestInvalid)
}

pub(crate) fn slash_path(p: &Path) -> String {
    p.to_string_lossy().replace(std::path::MAIN_SEPARATOR, "/")
}

/// Unpacks `record`'s archive into `staging` (created private), within
/// limits taken from the record, and compares what came out with the
/// manifest. Returns the manifest, what was written, and the problems.
pub(crate) fn unpack(
    record: &BackupRecord,
    staging: &Path,
) -> Result<(Manifest, Extracted, Vec<Problem>), BackupError> {
    let reader = File::open(&record.file_path).map_err(|source| BackupError::Read {
        path: record.file_path.clone(),
        source,
    })?;
    let limits = Limits {
        max_bytes: record.size_bytes + manifest::MAX_MANIFEST_BYTES,
        max_entries: record.file_count + 1,
    };
    let reader = BufReader::with_capacity(1 << 20, reader);
    let extracted = if record.compressed {
        extract::extract_tar_gz(reader, staging, &limits)?
    } else {
        extract::extract_tar(reader, staging, &limits)?
    };
    let manifest_path = staging.join(manifest::MANIFEST_NAME);
    let bytes = std::fs::read(&manifest_path).map_err(|source| BackupError::Read {
        path: manifest_path.clone(),
        source,
    })?;
    let manifest = Manifest::from_bytes(&bytes).map_err(|e| BackupError::VerificationFailed {
        id: record.id.clone(),
        problems: vec![ArchiveProblem::ManifestInvalid(e).into()],
    })?;
    let mut problems = Vec::new();
    if extracted
        .files
        .first()
        .map(|f| slash_path(&f.path))
        .as_deref()
        != Some(manifest::MANIFEST_NAME)
    {
        problems.push(Problem::ManifestNotFirst);
    }
    if manifest.id != record.id {
        problems.push(Problem::BelongsTo {
            found: manifest.id.clone(),
        });
    }
    problems.extend(manifest.path_findings());
    let mut expected: HashMap<&str, &ManifestFile> = manifest
        .files
        .iter()
        .map(|f| (f.path.as_str(), f))
        .collect();
    for file in &extracted.files {
        let path = slash_path(&file.path);
        if path == manifest::MANIFEST_NAME {
            continue;
        }
        match expected.remove(path.as_str()) {
            None => problems.push(Problem::NotInManifest { path }),
            Some(listed) if listed.size != file.size || listed.sha256 != file.sha256 => {
                problems.push(Problem::ContentDiffers { path })
            }
            Some(_) => {}
        }
    }
    let mut missing: Vec<&str> = expected.into_keys().collect();
    missing.sort_unstable();
    for path in missing {
        problems.push(Problem::MissingFromArchive {
            path: path.to_string(),
        });
    }
    summarize(&mut problems);
    Ok((manifest, extracted, problems))
}

fn run_drill(
    backups: &Backups,
    record: &BackupRecord,
    scratch: &Path,
) -> Result<(Drill, Vec<Problem>), BackupError> {
    let (manifest, files_extracted, mut problems) = unpack_any(backups, record, scratch)?;
    let mut databases = Vec::new();
    for f in manifest.files.iter().filter(|f| f.kind == FileKind::Sqlite) {
        let result = sqlite::integrity_check(&scratch.join(&f.path));
        if let Err(message) = &result {
            problems.push(Problem::Database {
                path: f.path.clone(),
                message: message.to_string(),
            });
        }
        databases.push(DatabaseCheck {
            path: f.path.clone(),
            ok: result.is_ok(),
            message: result.err().map(|e| e.to_string()),
        });
    }
    Ok((
        Drill {
            files_extracted,
            databases,
        },
        problems,
    ))
}
