//! Listing backups: completed ones only, filtered by type and age, sorted,
//! limited, with the total the backup directory holds. Writes nothing but
//! the records of snapshots restic itself made in the repository.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::{BackupError, BackupRecord, BackupStatus, BackupType, Backups};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum, serde::Deserialize)]
pub enum Range {
    #[value(name = "7d")]
    #[serde(rename = "7d")]
    Days7,
    #[value(name = "30d")]
    #[serde(rename = "30d")]
    Days30,
    #[value(name = "90d")]
    #[serde(rename = "90d")]
    Days90,
    #[value(name = "all")]
    #[serde(rename = "all")]
    All,
}

impl Range {
    fn since(self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let days = match self {
            Range::Days7 => 7,
            Range::Days30 => 30,
            Range::Days90 => 90,
            Range::All => return None,
        };
        Some(now - Duration::days(days))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortBy {
    /// Newest first.
    Date,
    /// Largest first.
    Size,
    Name,
    Type,
}

#[derive(Debug, Clone)]
pub struct ListRequest {
    pub backup_type: Option<BackupType>,
    pub range: Range,
    /// 1..=50.
    pub limit: usize,
    pub sort: SortBy,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Listing {
    pub backups: Vec<BackupRecord>,
    /// How many matched before the limit.
    pub matched: usize,
    /// Completed backups stored, whatever the filter.
    pub total_count: usize,
    /// Bytes their archives take, whatever the filter.
    pub total_stored_bytes: u64,
}

pub fn list(backups: &Backups, request: &ListRequest) -> Result<Listing, BackupError> {
    let now = Utc::now();
    // Snapshots restic itself made in the repository are listed too.
    super::repository::adopt_foreign(backups)?;
    let completed: Vec<BackupRecord> = backups
        .all()?
        .into_iter()
        .filter(|r| r.status == BackupStatus::Completed)
        .collect();
    let total_count = completed.len();
    let total_stored_bytes = completed.iter().map(|r| r.compressed_size).sum();
    let since = request.range.since(now);
    let mut chosen: Vec<BackupRecord> = completed
        .into_iter()
        .filter(|r| request.backup_type.is_none_or(|t| r.backup_type == t))
        .filter(|r| since.is_none_or(|s| r.created_at >= s))
        .collect();
    // Ids sort by time; ties and equal keys fall back to newest first.
    chosen.sort_by(|a, b| b.id.cmp(&a.id));
    match request.sort {
        SortBy::Date => chosen.sort_by_key(|r| std::cmp::Reverse(r.created_at)),
        SortBy::Size => chosen.sort_by_key(|r| std::cmp::Reverse(r.compressed_size)),
        SortBy::Name => chosen.sort_by(|a, b| display_name(a).cmp(display_name(b))),
        SortBy::Type => chosen.sort_by(|a, b| a.backup_type.as_str().cmp(b.backup_type.as_str())),
    }
    let matched = chosen.len();
    chosen.truncate(request.limit);
    super::offsite::mark_locations(backups, &mut chosen);
    Ok(Listing {
        backups: chosen,
        matched,
        total_count,
        total_stored_bytes,
    })
}

fn display_name(r: &BackupRecord) -> &str {
    r.name.as_deref().unwrap_or(&r.id)
}
