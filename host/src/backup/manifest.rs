//! The manifest: the first entry of every archive, listing each file with its
//! size and sha256, plus what the backup is (type, description, bot version,
//! creation time). Verification and restore trust the manifest only after the
//! archive's own checksum matched the record.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::BackupType;

/// Name of the first archive entry.
pub const MANIFEST_NAME: &str = "steward-manifest.json";
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

    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).expect("a manifest serializes")
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Manifest, String> {
        let manifest: Manifest = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        if manifest.format != FORMAT {
            return Err(format!(
                "manifest format {} is not supported (this steward reads {FORMAT})",
                manifest.format
            ));
        }
        Ok(manifest)
    }
}
