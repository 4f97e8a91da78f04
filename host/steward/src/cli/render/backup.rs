//! How `steward backup …` results look in a terminal. Rendering only.

use std::fmt::Write;

use chrono::Utc;

use super::{Table, count, human_bytes};
use crate::backup::export::Exported;
use crate::backup::offsite::Copied;
use crate::backup::repository::{made_by_restic, snapshot_of};
use crate::backup::{BackupRecord, Created, Listing, Pruned, RestoreType, Restored, VerifyOutcome};

pub fn created(c: &Created) -> String {
    let r = &c.record;
    let mut out = String::new();
    if let Some(snapshot) = snapshot_of(r) {
        let _ = writeln!(
            out,
            "Backup {}{} created: {} {}, {}, {} added to the repository {} (snapshot {})",
            r.id,
            r.name
                .as_ref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default(),
            r.backup_type.as_str(),
            count(r.file_count as usize, "file"),
            human_bytes(r.size_bytes),
            human_bytes(r.compressed_size),
            r.file_path.display(),
            &snapshot[..snapshot.len().min(8)]
        );
    } else {
        let _ = writeln!(
            out,
            "Backup {}{} created: {} {}, {} -> {} ({})",
            r.id,
            r.name
                .as_ref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default(),
            r.backup_type.as_str(),
            count(r.file_count as usize, "file"),
            human_bytes(r.size_bytes),
            human_bytes(r.compressed_size),
            r.file_path.display()
        );
    }
    if let Some(v) = &r.verification {
        if v.ok {
            let _ = writeln!(out, "Verified: every file matches its manifest.");
        } else {
            let _ = writeln!(out, "VERIFICATION FAILED: {}", v.problems.join("; "));
        }
    }
    if !c.skipped.is_empty() {
        let _ = writeln!(
            out,
            "Not backed up (symlinks or special files): {}",
            c.skipped.join(", ")
        );
    }
    if let Some(p) = &c.pruned
        && !p.removed.is_empty()
    {
        out.push_str(&pruned(p));
    }
    if let Some(file) = &c.password_created {
        out.push_str(&password_created(file));
    }
    out.push_str(&offsite(&c.offsite));
    out
}

/// Each offsite target's copy: done, or why not (the local backup stands).
pub fn offsite(copies: &[Copied]) -> String {
    let mut out = String::new();
    for copy in copies {
        match &copy.error {
            None => {
                let forgotten = if copy.forgotten > 0 {
                    format!(
                        ", {} forgotten there as pruned here",
                        count(copy.forgotten, "snapshot")
                    )
                } else {
                    String::new()
                };
                let _ = writeln!(
                    out,
                    "Offsite {}: {} copied and checked there{forgotten}.",
                    copy.target,
                    count(copy.copied, "snapshot"),
                );
            }
            Some(error) => {
                let _ = writeln!(
                    out,
                    "OFFSITE COPY FAILED: {}. The local backup is complete; the copy is retried at the next backup.",
                    error.trim_end_matches('.')
                );
            }
        }
    }
    out
}

/// Said once, in the answer of the command that created the password.
pub fn password_created(file: &std::path::Path) -> String {
    format!(
        "\nIMPORTANT: Steward created the password of the backup repository in {}.\nKeep a copy of this file somewhere else: without it, no backup in the repository can be restored.\n",
        file.display()
    )
}

pub fn list(l: &Listing) -> String {
    let mut out = String::new();
    if l.backups.is_empty() {
        out.push_str("No backups match.\n");
    } else {
        let mut table = Table::new(&[
            "NAME", "ID", "AGE", "TYPE", "SIZE", "ARCHIVE", "VERIFIED", "WHERE",
        ]);
        for r in &l.backups {
            table.row(vec![
                name_cell(r),
                r.id.clone(),
                age(r),
                r.backup_type.as_str().to_string(),
                human_bytes(r.size_bytes),
                stored_cell(r),
                verified_cell(r),
                r.metadata
                    .get(crate::backup::offsite::LOCATIONS_KEY)
                    .cloned()
                    .unwrap_or_else(|| "local".into()),
            ]);
        }
        out.push_str(&table.render());
    }
    let _ = writeln!(
        out,
        "\nShowing {} of {} matching; {} stored, {} in total.",
        l.backups.len(),
        l.matched,
        count(l.total_count, "backup"),
        human_bytes(l.total_stored_bytes)
    );
    out
}

pub fn exported(e: &Exported) -> String {
    format!(
        "Backup {} exported to {}: {}, {} -> {} (sha256 {})\n",
        e.id,
        e.file.display(),
        count(e.file_count as usize, "file"),
        human_bytes(e.size_bytes),
        human_bytes(e.archive_bytes),
        e.sha256
    )
}

/// The backup's name; for a snapshot restic itself made, who made it,
/// where and of what.
fn name_cell(r: &BackupRecord) -> String {
    if made_by_restic(r) {
        let get = |k: &str| r.metadata.get(k).map_or("?", String::as_str);
        return format!("(by restic on {}: {})", get("host"), get("restic_paths"));
    }
    r.name.clone().unwrap_or_else(|| "-".into())
}

/// An archive's size, or what a snapshot added to the repository.
fn stored_cell(r: &BackupRecord) -> String {
    if snapshot_of(r).is_some() {
        format!("{} added", human_bytes(r.compressed_size))
    } else {
        human_bytes(r.compressed_size)
    }
}

fn age(r: &BackupRecord) -> String {
    let secs = (Utc::now() - r.created_at).num_seconds().max(0);
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m", secs / 60),
        3600..86400 => format!("{}h", secs / 3600),
        _ => format!("{}d", secs / 86400),
    }
}

fn verified_cell(r: &BackupRecord) -> String {
    match &r.verification {
        None => "never".into(),
        Some(v) => format!(
            "{}{} {}",
            if v.ok { "ok" } else { "FAILED" },
            if v.drill { " (drill)" } else { "" },
            v.at.format("%Y-%m-%d %H:%M")
        ),
    }
}

pub fn verified(v: &VerifyOutcome) -> String {
    let mut out = String::new();
    let secs = v.duration_ms as f64 / 1000.0;
    let _ = writeln!(
        out,
        "Backup {}: {} ({}, {} checked in {:.1} s{})",
        v.id,
        if v.ok { "OK" } else { "FAILED" },
        count(v.files_checked as usize, "file"),
        human_bytes(v.bytes_checked),
        secs,
        if secs > 0.0 {
            format!(
                ", {}/s",
                human_bytes((v.bytes_checked as f64 / secs) as u64)
            )
        } else {
            String::new()
        }
    );
    match &v.snapshot {
        Some(snapshot) if v.only_offsite => {
            let _ = writeln!(
                out,
                "  local repository: lacks snapshot {}; only its offsite copies were checked",
                &snapshot[..snapshot.len().min(8)]
            );
        }
        // A snapshot has no archive: what was checked is the repository's
        // structure for it and every blob of every file read back.
        Some(snapshot) => {
            let _ = writeln!(
                out,
                "  snapshot {} (repository structure and every file's data): {}",
                &snapshot[..snapshot.len().min(8)],
                if v.archive_checksum_ok {
                    "intact"
                } else {
                    "DAMAGED"
                }
            );
        }
        None => {
            let _ = writeln!(
                out,
                "  archive checksum: {}",
                if v.archive_checksum_ok {
                    "matches the record"
                } else {
                    "DIFFERS"
                }
            );
        }
    }
    for copy in &v.offsite {
        let state = match (&copy.snapshot, copy.problems.is_empty()) {
            (Some(snapshot), true) => format!(
                "copy {} intact (repository check of its data there)",
                &snapshot[..snapshot.len().min(8)]
            ),
            (Some(snapshot), false) => {
                format!("copy {} DAMAGED", &snapshot[..snapshot.len().min(8)])
            }
            (None, true) => "holds no copy".to_string(),
            (None, false) => "FAILED: see the problems below".to_string(),
        };
        let _ = writeln!(out, "  offsite {}: {state}", copy.target);
    }
    if let Some(d) = &v.drill {
        let _ = writeln!(out, "  restore drill: {} files unpacked", d.files_extracted);
        for db in &d.databases {
            let _ = writeln!(
                out,
                "  database {}: {}",
                db.path,
                if db.ok {
                    "integrity ok".to_string()
                } else {
                    db.message.clone().unwrap_or_default()
                }
            );
        }
    }
    for p in &v.problems {
        let _ = writeln!(out, "  problem: {p}");
    }
    out
}

pub fn restore_question(id: &str, restore_type: RestoreType) -> String {
    format!(
        "Restore {} files of backup {id} over the bot's current files? Stop the bot first.",
        restore_type_name(restore_type)
    )
}

fn restore_type_name(t: RestoreType) -> &'static str {
    match t {
        RestoreType::All => "all",
        RestoreType::Database => "database",
        RestoreType::Config => "config",
        RestoreType::Data => "data",
    }
}

pub fn restored(r: &Restored) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Restored {} ({}) from {}{}:",
        count(r.files.len(), "file"),
        restore_type_name(r.restore_type),
        r.id,
        if r.verified {
            ", verified first"
        } else {
            ", not verified"
        }
    );
    for f in &r.files {
        let db = if r.databases.contains(f) {
            " (database)"
        } else {
            ""
        };
        let _ = writeln!(out, "  {f}{db}");
    }
    if !r.removed_sidecars.is_empty() {
        let _ = writeln!(
            out,
            "Stale SQLite files moved aside: {}",
            r.removed_sidecars.join(", ")
        );
    }
    if let Some(p) = &r.previous {
        let _ = writeln!(out, "What was replaced is kept in {}", p.display());
    }
    if !r.bot_restarted {
        let _ = writeln!(out, "Start the bot again when you are ready.");
    }
    out
}

pub fn pruned(p: &Pruned) -> String {
    let mut out = String::new();
    for r in &p.removed {
        let _ = writeln!(
            out,
            "Removed {}{}: {}",
            r.id,
            r.name
                .as_ref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default(),
            r.reason
        );
    }
    let _ = writeln!(
        out,
        "{} removed ({} freed), {} kept.",
        count(p.removed.len(), "backup"),
        human_bytes(p.freed_bytes),
        p.kept
    );
    out
}
