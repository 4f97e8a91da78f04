//! What a check of a backup can find wrong (`backup verify`, the check
//! before a restore, the copies offsite), typed: the English words are the
//! `Display` here (what the CLI prints); each front words them itself from
//! the fields. Pure data, here in the lowest layer so a session can keep
//! them (a refused restore names its problems); `steward-backup` finds
//! them and re-exports them. Never decides whether a backup is sound.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::failure::{BackendCause, OffsiteFault};

/// The name of the manifest inside an archive (its first entry).
pub const MANIFEST_NAME: &str = "steward-manifest.json";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Error)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Problem {
    // An archive (`format = "tar"`).
    #[error("the archive's sha256 differs from the one recorded when it was made")]
    ArchiveChecksum,
    #[error("the archive cannot be read: {error}")]
    ArchiveUnreadable { error: String },
    #[error("the archive cannot be opened: {error}")]
    ArchiveOpen { error: String },
    /// An entry the strict filter refuses, or a damaged stream.
    #[error("{error}")]
    ArchiveEntry { error: String },
    #[error("the archive is empty")]
    ArchiveEmpty,
    #[error("the first entry is {found:?}, not the manifest {MANIFEST_NAME}")]
    FirstNotManifest { found: String },
    #[error("the manifest is not the first entry")]
    ManifestNotFirst,
    #[error("the manifest is implausibly large")]
    ManifestTooLarge,
    #[error("the manifest cannot be read: {error}")]
    ManifestUnreadable { error: String },
    #[error("the manifest is not valid: {error}")]
    ManifestInvalid { error: String },
    #[error("the archive belongs to backup {found}, not {expected}")]
    OtherBackup { found: String, expected: String },
    #[error("the archive belongs to backup {found}")]
    BelongsTo { found: String },
    #[error("{path}: {error}")]
    FileUnreadable { path: String, error: String },
    #[error("{path} is in the archive but not in its manifest")]
    NotInManifest { path: String },
    #[error("{path}: {archive} bytes in the archive, {manifest} in the manifest")]
    SizeDiffers {
        path: String,
        archive: u64,
        manifest: u64,
    },
    #[error("{path}: content differs from its manifest checksum")]
    ContentDiffers { path: String },
    #[error("{path} is listed in the manifest but missing from the archive")]
    MissingFromArchive { path: String },

    // The paths a manifest lists.
    #[error("{path} is listed {times} times in the manifest")]
    ListedTwice { path: String, times: usize },
    #[error("{path:?} in the manifest is not a plain relative path")]
    NotPlain { path: String },
    #[error("{dir} is listed as a file, but the manifest also lists {path} inside it")]
    FileAndDir { dir: String, path: String },

    // A snapshot in the repository.
    #[error("{path}: the path leaves the bot's root")]
    LeavesRoot { path: String },
    #[error("{path}: a symlink is refused")]
    Symlink { path: String },
    #[error(
        "{path}: a device, fifo or socket is refused (only regular files and directories are restored)"
    )]
    Special { path: String },
    #[error(
        "the snapshot was taken of {paths} by restic, not of the bot's root {root}: restore it with `restic restore` instead"
    )]
    ForeignPaths { paths: String, root: String },
    /// What the repository check found (`finding` is rustic's words).
    #[error("snapshot {snapshot}: {finding}")]
    SnapshotCheck { snapshot: String, finding: String },
    /// `pack` is `None` when the tree is missing from the index.
    #[error(
        "snapshot {snapshot}: the tree of {dir} is damaged in {} ({cause})",
        in_pack(pack)
    )]
    TreeDamaged {
        snapshot: String,
        dir: String,
        pack: Option<String>,
        cause: String,
    },
    #[error("{path}: damaged in the repository ({cause})")]
    FileDamaged { path: String, cause: String },
    /// The check itself could not run (the repository cannot be opened…).
    #[error("{error}")]
    Unchecked { error: String },

    // The restore drill.
    #[error("restore drill: {error}")]
    DrillFailed { error: String },
    #[error(
        "restore drill: not run, the local repository lacks the snapshot (a restore pulls it back from an offsite target first)"
    )]
    DrillNeedsLocal,
    #[error("database {path}: {message}")]
    Database { path: String, message: String },

    // The copies offsite.
    /// `cause` is the English the CLI prints; `damage` the same typed when
    /// Steward could tell (absent when an older Steward found it, or when a
    /// newer one wrote a shape this one does not know).
    #[error("offsite target {target} ({location}): the copy fails its check there: {cause}")]
    OffsiteDamaged {
        target: String,
        location: String,
        cause: String,
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "lenient_damage"
        )]
        damage: Option<OffsiteDamage>,
    },
    #[error("offsite target {target} ({location}): holds no copy of backup {id}")]
    OffsiteMissing {
        target: String,
        location: String,
        id: String,
    },
    /// The target could not be asked (`error` names it and why; `fault`
    /// the same typed, absent when an older Steward found it or when a
    /// newer one wrote a shape this one does not know).
    #[error("{error}")]
    OffsiteUnchecked {
        target: String,
        error: String,
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "lenient_offsite"
        )]
        fault: Option<OffsiteFault>,
    },
    #[error("backup {id} is not in the local repository, and no offsite target holds a sound copy")]
    NoSoundCopy { id: String },

    /// More problems than are listed one by one.
    #[error("and {count} more problems")]
    More { count: usize },
}

/// What the check of an offsite copy found, typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OffsiteDamage {
    /// The check's findings, each in rustic's words.
    Findings { findings: Vec<String> },
    /// The check could not read the copy: what Steward made of the
    /// target backend's failure.
    Backend { cause: BackendCause },
}

fn lenient_damage<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<OffsiteDamage>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    Ok(value.and_then(|v| serde_json::from_value(v).ok()))
}

/// A kept offsite fault read back leniently: one of a shape this Steward
/// does not know is left out (the English `error` beside it says it).
fn lenient_offsite<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<OffsiteFault>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    Ok(value.and_then(|v| serde_json::from_value(v).ok()))
}

fn in_pack(pack: &Option<String>) -> String {
    match pack {
        Some(pack) => format!("pack {pack}"),
        None => "no pack: it is missing from the index".to_string(),
    }
}

/// The English of each problem, as the CLI and the logs say it.
pub fn english(problems: &[Problem]) -> Vec<String> {
    problems.iter().map(ToString::to_string).collect()
}
