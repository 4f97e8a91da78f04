//! How `/backup_create`, `/backup_list` and `/backup_restore` results look
//! in Discord: embeds, and the text of the restore's confirmation prompt.
//! Rendering only; every fact comes from the service.

use std::fmt::Write;

use poise::serenity_prelude as serenity;

use super::{FIELD_LIMIT, GREEN, ORANGE, RED};
use crate::backup::{BackupRecord, Created, Listing, Range, RestoreType, Restored, SortBy};
use crate::discord::suggest::Candidate;
use crate::service::RestorePreview;

/// Discord refuses an embed above 6000 characters; stay clear of it.
const EMBED_BUDGET: usize = 5500;
/// Files named one by one in a prompt or a result.
const FILES_SHOWN: usize = 20;

/// What `/backup_list` asked for, echoed in the footer.
pub struct ListView {
    pub range: Range,
    pub sort: SortBy,
}

pub fn created(c: &Created) -> serenity::CreateEmbed {
    let r = &c.record;
    let (title, colour) = match &r.verification {
        Some(v) if !v.ok => ("Backup created, but it failed verification", RED),
        _ => ("Backup created", GREEN),
    };
    let mut embed = serenity::CreateEmbed::new()
        .title(title)
        .colour(colour)
        .field("ID", format!("`{}`", r.id), true)
        .field("Type", r.backup_type.as_str(), true);
    if let Some(name) = &r.name {
        embed = embed.field("Name", super::value(&super::plain(name)), true);
    }
    embed = embed
        .field("Files", r.file_count.to_string(), true)
        .field(
            "Size",
            format!(
                "{} ({} archive{})",
                crate::size::human(r.size_bytes),
                crate::size::human(r.compressed_size),
                if r.compressed { ", gzip" } else { "" }
            ),
            true,
        )
        .field("Checksum (sha256)", format!("`{}`", checksum(r)), false);
    if let Some(v) = &r.verification {
        let text = if v.ok {
            "Every file matches its manifest.".to_string()
        } else {
            v.problems.join("; ")
        };
        embed = embed.field("Verified", fit(&text), false);
    }
    if let Some(d) = &r.description {
        // A description may be as long as Discord lets the option be; the
        // backup exists by now, so the result must fit whatever was given.
        embed = embed.description(super::description(&super::plain(d)));
    }
    if !c.skipped.is_empty() {
        embed = embed.field(
            "Not backed up (symlinks or special files)",
            fit(&c.skipped.join(", ")),
            false,
        );
    }
    if let Some(p) = &c.pruned
        && !p.removed.is_empty()
    {
        let lines: Vec<String> = p
            .removed
            .iter()
            .map(|r| format!("`{}`: {}", r.id, r.reason))
            .collect();
        embed = embed.field(
            format!("Cleaned up ({} freed)", crate::size::human(p.freed_bytes)),
            fit(&lines.join("\n")),
            false,
        );
    }
    embed
}

pub fn list(l: &Listing, view: &ListView) -> serenity::CreateEmbed {
    let title = match l.backups.len() {
        0 => "No backups match".to_string(),
        1 => "1 backup".to_string(),
        n => format!("{n} backups"),
    };
    let mut embed = serenity::CreateEmbed::new()
        .title(title)
        .colour(if l.backups.is_empty() { ORANGE } else { GREEN })
        .description(format!(
            "Showing {} of {} matching; {} stored, {} in total.",
            l.backups.len(),
            l.matched,
            l.total_count,
            crate::size::human(l.total_stored_bytes)
        ));
    // One line a backup, packed into fields of at most 1024 characters.
    let mut used = 0;
    let mut field = String::new();
    let mut shown = 0;
    for r in &l.backups {
        let line = list_line(r);
        if used + line.len() > EMBED_BUDGET {
            break;
        }
        if field.len() + line.len() + 1 > FIELD_LIMIT {
            embed = embed.field("\u{200b}", std::mem::take(&mut field), false);
        }
        used += line.len() + 1;
        field.push_str(&line);
        field.push('\n');
        shown += 1;
    }
    if !field.is_empty() {
        embed = embed.field("\u{200b}", field, false);
    }
    let mut footer = format!(
        "Time range: {} · sorted by {}",
        range_name(view.range),
        sort_name(view.sort)
    );
    if shown < l.backups.len() {
        let _ = write!(
            footer,
            " · {} more do not fit: lower the limit",
            l.backups.len() - shown
        );
    }
    embed.footer(serenity::CreateEmbedFooter::new(footer))
}

fn list_line(r: &BackupRecord) -> String {
    let name = r
        .name
        .as_ref()
        .map(|n| format!(" **{n}**"))
        .unwrap_or_default();
    let verified = match &r.verification {
        Some(v) if v.ok => " ✓",
        Some(_) => " ✗ failed verification",
        None => "",
    };
    format!(
        "`{}`{name} · {} · {} · {} · {}{verified}",
        r.id,
        r.backup_type.as_str(),
        super::count(r.file_count as usize, "file"),
        crate::size::human(r.compressed_size),
        r.created_at.format("%Y-%m-%d %H:%M UTC"),
    )
}

/// The question of the restore's confirmation prompt.
pub fn restore_prompt(preview: &RestorePreview, verify: bool) -> String {
    let p = &preview.files;
    let r = &p.record;
    let mut out = format!(
        "**Restore {} files from backup `{}`**{}\n{} backup made {}, {}, {}.\n",
        restore_type_name(p.restore_type),
        r.id,
        r.name
            .as_ref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default(),
        r.backup_type.as_str(),
        r.created_at.format("%Y-%m-%d %H:%M UTC"),
        super::count(r.file_count as usize, "file"),
        crate::size::human(r.size_bytes),
    );
    let _ = writeln!(
        out,
        "These {} in the bot's directory will be put back as the backup holds them:",
        super::count(p.files.len(), "file")
    );
    out.push_str(&file_lines(&p.files, &p.databases));
    out.push_str(if verify {
        "\nThe archive is verified first; "
    } else {
        "\nThe archive is **not** verified first (verify_backup:false); "
    });
    out.push_str("the current files are kept aside. ");
    out.push_str(if preview.restarts_bot {
        "Steward stops the bot for the restore and starts it again."
    } else {
        "Steward does not stop the bot for a restore: stop it before you confirm."
    });
    out
}

pub fn restored(r: &Restored) -> serenity::CreateEmbed {
    let mut embed = serenity::CreateEmbed::new()
        .title(super::title(&format!(
            "Restored {} from {}",
            super::count(r.files.len(), "file"),
            r.id
        )))
        .colour(GREEN)
        .description(fit(&file_lines(&r.files, &r.databases)))
        .field("Restore type", restore_type_name(r.restore_type), true)
        .field(
            "Verified first",
            if r.verified { "yes" } else { "no" },
            true,
        );
    if !r.removed_sidecars.is_empty() {
        embed = embed.field(
            "Stale SQLite files moved aside",
            fit(&r.removed_sidecars.join(", ")),
            false,
        );
    }
    if let Some(p) = &r.previous {
        embed = embed.field(
            "What was replaced is kept in",
            fit(&format!("`{}`", p.display())),
            false,
        );
    }
    if !r.bot_restarted {
        embed = embed.footer(serenity::CreateEmbedFooter::new(
            "Start the bot again when you are ready.",
        ));
    }
    embed
}

/// A backup as an autocomplete choice: its id, labelled with its name
/// (so typing the name finds it), type and date.
pub fn candidate(r: &BackupRecord) -> Candidate {
    let name = r
        .name
        .as_ref()
        .map(|n| format!("{n} · "))
        .unwrap_or_default();
    Candidate {
        value: r.id.clone(),
        label: format!(
            "{name}{} · {} · {}",
            r.id,
            r.backup_type.as_str(),
            r.created_at.format("%Y-%m-%d %H:%M UTC")
        ),
    }
}

fn file_lines(files: &[String], databases: &[String]) -> String {
    let mut out = String::new();
    for f in files.iter().take(FILES_SHOWN) {
        let db = if databases.contains(f) {
            " (database)"
        } else {
            ""
        };
        let _ = writeln!(out, "• `{f}`{db}");
    }
    if files.len() > FILES_SHOWN {
        let _ = writeln!(out, "… and {} more", files.len() - FILES_SHOWN);
    }
    out
}

fn checksum(r: &BackupRecord) -> &str {
    r.checksum.as_deref().unwrap_or("not recorded")
}

fn fit(value: &str) -> String {
    super::cut(value, FIELD_LIMIT, "\n…")
}

fn restore_type_name(t: RestoreType) -> &'static str {
    match t {
        RestoreType::All => "all",
        RestoreType::Database => "database",
        RestoreType::Config => "config",
        RestoreType::Data => "data",
    }
}

fn range_name(r: Range) -> &'static str {
    match r {
        Range::Days7 => "7 days",
        Range::Days30 => "30 days",
        Range::Days90 => "90 days",
        Range::All => "all",
    }
}

fn sort_name(s: SortBy) -> &'static str {
    match s {
        SortBy::Date => "date",
        SortBy::Size => "size",
        SortBy::Name => "name",
        SortBy::Type => "type",
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::Utc;

    use super::*;
    use crate::backup::{BackupStatus, BackupType};

    fn record(i: usize) -> BackupRecord {
        BackupRecord {
            id: format!("backup_20261128_0200{i:02}"),
            name: Some(format!("{i}-{}", "n".repeat(60))),
            backup_type: BackupType::Full,
            status: BackupStatus::Completed,
            file_path: format!("/b/{i}.tar.gz").into(),
            paths: Vec::new(),
            size_bytes: 2048,
            compressed_size: 1024,
            file_count: 3,
            created_at: Utc::now(),
            completed_at: None,
            description: None,
            checksum: None,
            auto_created: false,
            compressed: true,
            verification: None,
            error: None,
            metadata: BTreeMap::new(),
        }
    }

    #[test]
    fn fifty_long_named_backups_stay_within_discords_embed_limits() {
        let listing = Listing {
            backups: (0..50).map(record).collect(),
            matched: 50,
            total_count: 50,
            total_stored_bytes: 50 * 1024,
        };
        let view = ListView {
            range: Range::All,
            sort: SortBy::Date,
        };
        let embed = serde_json::to_value(list(&listing, &view)).unwrap();
        let fields = embed["fields"].as_array().unwrap();
        assert!(fields.len() <= 25);
        let mut total = embed["title"].as_str().unwrap().len()
            + embed["description"].as_str().unwrap().len()
            + embed["footer"]["text"].as_str().unwrap().len();
        for f in fields {
            let value = f["value"].as_str().unwrap();
            assert!(value.chars().count() <= FIELD_LIMIT, "{value}");
            total += value.chars().count() + f["name"].as_str().unwrap().chars().count();
        }
        assert!(total <= 6000, "{total} characters");
        let footer = embed["footer"]["text"].as_str().unwrap();
        assert!(
            footer.ends_with("more do not fit: lower the limit"),
            "{footer}"
        );
    }

    #[test]
    fn sizes_read_in_binary_units() {
        assert_eq!(crate::size::human(512), "512 B");
        assert_eq!(crate::size::human(1536), "1.5 KiB");
        assert_eq!(crate::size::human(3 * 1024 * 1024), "3.0 MiB");
    }
}
