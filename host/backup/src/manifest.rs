//! The manifest: the first entry of every archive, listing each file with its
//! size and sha256, plus what the backup is (type, description, bot version,
//! creation time). Verification and restore trust the manifest only after the
//! archive's own checksum matched the record, and never one that lists a
//! path twice or as both a file and a directory.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::BackupType;
use super::problem::Problem;

/// Name of the first archive entry.
pub use steward_core::problem::MANIFEST_NAME;
/// A manifest larger than this is not one of ours.
pub const MAX_MANIFEST_BYTES: u64 = 64 * 1024 * 1024;
pub const FORMAT: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub id: String,
    pub name: Option<String>,
    pub backup_type: BackupType,
    pub description: Option<String>,
    pub bot_version: Option<String>,
    pub created_at: DateTime<Utc>,
    pub steward_version: String,
    pub files: Vec<ManifestFile>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManifestFile {
    /// Relative to the bot's root, `/`-separated.
    pub path: String,
    pub size: u64,
    pub sha256: String,
    pub mode: u32,
    pub kind: FileKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    File,
    /// Copied with SQLite's online backup API and integrity-checked.
    Sqlite,
}

impl Manifest {
    pub fn total_size(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }

    /// What makes the listed paths impossible to restore one by one: a
    /// path listed twice, a path that is not plain, or a file listed where
    /// another entry needs a directory (`a` and `a/b`).
    pub fn path_problems(&self) -> Vec<String> {
        path_problems(self.files.iter().map(|f| f.path.as_str()))
    }

    /// [`Manifest::path_problems`], typed.
    pub fn path_findings(&self) -> Vec<Problem> {
        path_findings(self.files.iter().map(|f| f.path.as_str()))
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).expect("a manifest serializes")
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Manifest, ManifestError> {
        let manifest: Manifest = serde_json::from_slice(bytes)?;
        if manifest.format != FORMAT {
            return Err(ManifestError::Format {
                found: manifest.format,
            });
        }
        Ok(manifest)
    }
}

/// Why a manifest's bytes are not a manifest this Steward reads.
#[derive(Debug, Error)]
pub enum ManifestError {
    #[error("{0}")]
    Json(#[from] serde_json::Error),
    #[error("manifest format {found} is not supported (this steward reads {FORMAT})")]
    Format { found: u32 },
}

/// See [`Manifest::path_problems`]; one message per path, naming it.
pub fn path_problems<'a>(paths: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    super::problem::english(&path_findings(paths))
}

/// [`path_problems`], typed.
pub fn path_findings<'a>(paths: impl IntoIterator<Item = &'a str>) -> Vec<Problem> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for path in paths {
        *counts.entry(path).or_default() += 1;
    }
    let mut problems = Vec::new();
    for (&path, &n) in &counts {
        if n > 1 {
            problems.push(Problem::ListedTwice {
                path: path.to_string(),
                times: n,
            });
        }
        let plain = !path.is_empty()
            && path.split('/').all(|part| {
                !part.is_empty() && part != "." && part != ".." && !part.contains('\0')
            });
        if !plain {
            problems.push(Problem::NotPlain {
                path: path.to_string(),
            });
            continue;
        }
        for (i, _) in path.match_indices('/') {
            let dir = &path[..i];
            if counts.contains_key(dir) {
                problems.push(Problem::FileAndDir {
                    dir: dir.to_string(),
                    path: path.to_string(),
                });
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_listed_twice_is_named() {
        let problems = path_problems(["config/config.toml", "bot.py", "config/config.toml"]);
        assert_eq!(
            problems,
            ["config/config.toml is listed 2 times in the manifest"]
        );
    }

    #[test]
    fn a_file_listed_where_a_directory_is_needed_is_named() {
        let problems = path_problems(["data/a", "data/a/b", "data/ab"]);
        assert_eq!(
            problems,
            ["data/a is listed as a file, but the manifest also lists data/a/b inside it"]
        );
    }

    #[test]
    fn paths_that_are_not_plain_are_named() {
        for path in ["../x", "a//b", "./a", "/etc/passwd", ""] {
            assert_eq!(path_problems([path]).len(), 1, "{path:?}");
        }
        assert!(path_problems(["a/b", "a/c", ".env"]).is_empty());
    }
}
