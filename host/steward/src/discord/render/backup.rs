//! How `/backup_create`, `/backup_list` and `/backup_restore` results look
//! in Discord: embeds, and the text of the restore's confirmation prompt.
//! Rendering only; every fact comes from the service.

use std::fmt::Write;

use poise::serenity_prelude as serenity;

use super::{FIELD_LIMIT, GREEN, ORANGE, RED, choice_name};
use crate::backup::repository::{made_by_restic, snapshot_of};
use crate::backup::{BackupRecord, Created, Listing, Range, RestoreType, Restored, SortBy};
use crate::discord::locale::{Lang, t};
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

pub fn created(lang: Lang, c: &Created) -> serenity::CreateEmbed {
    let r = &c.record;
    let (title, colour) = match &r.verification {
        Some(v) if !v.ok => (t!(lang, "backup-created-unverified"), RED),
        _ => (t!(lang, "backup-created"), GREEN),
    };
    let mut embed = serenity::CreateEmbed::new()
        .title(title)
        .colour(colour)
        .field(t!(lang, "backup-field-id"), format!("`{}`", r.id), true)
        .field(
            t!(lang, "backup-field-type"),
            choice_name(lang, r.backup_type.as_str()),
            true,
        );
    if let Some(name) = &r.name {
        embed = embed.field(
            t!(lang, "backup-field-name"),
            super::value(&super::plain(name)),
            true,
        );
    }
    embed = embed
        .field(
            t!(lang, "backup-field-files"),
            lang.number(r.file_count as f64, 0),
            true,
        )
        .field(t!(lang, "backup-field-size"), size(lang, r), true);
    embed = match snapshot_of(r) {
        Some(snapshot) => embed.field(
            t!(lang, "backup-field-snapshot"),
            t!(
                lang,
                "backup-snapshot",
                snapshot = format!("`{}`", &snapshot[..snapshot.len().min(8)]),
                repository = format!("`{}`", r.file_path.display())
            ),
            false,
        ),
        None => embed.field(
            t!(lang, "backup-field-checksum"),
            format!("`{}`", checksum(lang, r)),
            false,
        ),
    };
    if let Some(v) = &r.verification {
        let text = if v.ok {
            t!(lang, "backup-verified-ok")
        } else {
            v.problems.join("; ")
        };
        embed = embed.field(t!(lang, "backup-field-verified"), fit(&text), false);
    }
    if let Some(d) = &r.description {
        // A description may be as long as Discord lets the option be; the
        // backup exists by now, so the result must fit whatever was given.
        embed = embed.description(super::description(lang, &super::plain(d)));
    }
    if !c.skipped.is_empty() {
        embed = embed.field(
            t!(lang, "backup-field-skipped"),
            fit(&c.skipped.join(", ")),
            false,
        );
    }
    if let Some(file) = &c.password_created {
        embed = embed.field(
            t!(lang, "backup-field-password"),
            fit(&t!(
                lang,
                "backup-password-created",
                path = format!("`{}`", file.display())
            )),
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
            t!(
                lang,
                "backup-field-pruned",
                freed = lang.size(p.freed_bytes)
            ),
            fit(&lines.join("\n")),
            false,
        );
    }
    embed
}

pub fn list(lang: Lang, l: &Listing, view: &ListView) -> serenity::CreateEmbed {
    let mut embed = serenity::CreateEmbed::new()
        .title(t!(lang, "backup-list-title", count = l.backups.len()))
        .colour(if l.backups.is_empty() { ORANGE } else { GREEN })
        .description(t!(
            lang,
            "backup-list-summary",
            shown = l.backups.len(),
            matched = l.matched,
            stored = l.total_count,
            size = lang.size(l.total_stored_bytes)
        ));
    // One line a backup, packed into fields of at most 1024 characters.
    let mut used = 0;
    let mut field = String::new();
    let mut shown = 0;
    for r in &l.backups {
        let line = list_line(lang, r);
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
    let mut footer = t!(
        lang,
        "backup-list-footer",
        range = range_name(lang, view.range),
        sort = choice_name(lang, sort_value(view.sort))
    );
    if shown < l.backups.len() {
        footer.push_str(" · ");
        footer.push_str(&t!(
            lang,
            "backup-list-more",
            count = l.backups.len() - shown
        ));
    }
    embed.footer(serenity::CreateEmbedFooter::new(footer))
}

fn list_line(lang: Lang, r: &BackupRecord) -> String {
    let mut name = r
        .name
        .as_ref()
        .map(|n| format!(" **{n}**"))
        .unwrap_or_default();
    if made_by_restic(r) {
        let get = |k: &str| r.metadata.get(k).cloned().unwrap_or_default();
        name = format!(
            " {}",
            t!(
                lang,
                "backup-made-by-restic",
                host = super::plain(&get("host")),
                paths = super::plain(&get("restic_paths"))
            )
        );
    }
    let verified = match &r.verification {
        Some(v) if v.ok => " ✓".to_string(),
        Some(_) => format!(" ✗ {}", t!(lang, "backup-failed-verification")),
        None => String::new(),
    };
    format!(
        "`{}`{name} · {} · {} · {} · {}{verified}",
        r.id,
        choice_name(lang, r.backup_type.as_str()),
        t!(lang, "files", count = r.file_count),
        if snapshot_of(r).is_some() {
            t!(lang, "backup-added", size = lang.size(r.compressed_size))
        } else {
            lang.size(r.compressed_size)
        },
        lang.date(r.created_at),
    )
}

/// The question of the restore's confirmation prompt.
pub fn restore_prompt(lang: Lang, preview: &RestorePreview, verify: bool) -> String {
    let p = &preview.files;
    let r = &p.record;
    let mut out = t!(
        lang,
        "restore-prompt-title",
        types = restore_type_name(lang, p.restore_type),
        id = r.id.clone()
    );
    if let Some(n) = &r.name {
        let _ = write!(out, " ({n})");
    }
    out.push('\n');
    out.push_str(&t!(
        lang,
        "restore-prompt-backup",
        types = choice_name(lang, r.backup_type.as_str()),
        date = lang.date(r.created_at),
        files = t!(lang, "files", count = r.file_count),
        size = lang.size(r.size_bytes)
    ));
    out.push('\n');
    out.push_str(&t!(lang, "restore-prompt-files", count = p.files.len()));
    out.push('\n');
    out.push_str(&file_lines(lang, &p.files, &p.databases));
    out.push('\n');
    out.push_str(&t!(
        lang,
        "restore-prompt-after",
        verify = if verify { "yes" } else { "no" },
        restarts = if preview.restarts_bot { "yes" } else { "no" }
    ));
    out
}

pub fn restored(lang: Lang, r: &Restored) -> serenity::CreateEmbed {
    let mut embed = serenity::CreateEmbed::new()
        .title(super::title(&t!(
            lang,
            "restored-title",
            files = t!(lang, "files", count = r.files.len()),
            id = r.id.clone()
        )))
        .colour(GREEN)
        .description(fit(&file_lines(lang, &r.files, &r.databases)))
        .field(
            t!(lang, "restored-field-type"),
            restore_type_name(lang, r.restore_type),
            true,
        )
        .field(
            t!(lang, "restored-field-verified"),
            t!(lang, if r.verified { "yes" } else { "no" }),
            true,
        );
    if !r.removed_sidecars.is_empty() {
        embed = embed.field(
            t!(lang, "restored-field-sidecars"),
            fit(&r.removed_sidecars.join(", ")),
            false,
        );
    }
    if let Some(p) = &r.previous {
        embed = embed.field(
            t!(lang, "restored-field-previous"),
            fit(&format!("`{}`", p.display())),
            false,
        );
    }
    if !r.bot_restarted {
        embed = embed.footer(serenity::CreateEmbedFooter::new(t!(
            lang,
            "restored-start-bot"
        )));
    }
    embed
}

/// A backup as an autocomplete choice: its id, labelled with its name
/// (so typing the name finds it), type and date.
pub fn candidate(lang: Lang, r: &BackupRecord) -> Candidate {
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
            choice_name(lang, r.backup_type.as_str()),
            lang.date(r.created_at)
        ),
    }
}

fn file_lines(lang: Lang, files: &[String], databases: &[String]) -> String {
    let mut out = String::new();
    for f in files.iter().take(FILES_SHOWN) {
        let db = if databases.contains(f) {
            format!(" ({})", t!(lang, "restore-database-mark"))
        } else {
            String::new()
        };
        let _ = writeln!(out, "• `{f}`{db}");
    }
    if files.len() > FILES_SHOWN {
        let _ = writeln!(
            out,
            "{}",
            t!(lang, "and-more", count = files.len() - FILES_SHOWN)
        );
    }
    out
}

/// The files' size and what storing them took: the archive's size, or
/// what the snapshot added to the repository.
fn size(lang: Lang, r: &BackupRecord) -> String {
    if snapshot_of(r).is_some() {
        return t!(
            lang,
            "backup-size-added",
            size = lang.size(r.size_bytes),
            added = lang.size(r.compressed_size)
        );
    }
    t!(
        lang,
        "backup-size",
        size = lang.size(r.size_bytes),
        archive = lang.size(r.compressed_size),
        gzip = if r.compressed { "yes" } else { "no" }
    )
}

fn checksum(lang: Lang, r: &BackupRecord) -> String {
    r.checksum
        .clone()
        .unwrap_or_else(|| t!(lang, "backup-checksum-none"))
}

fn fit(value: &str) -> String {
    super::cut(value, FIELD_LIMIT, "\n…")
}

fn restore_type_name(lang: Lang, t: RestoreType) -> String {
    choice_name(
        lang,
        match t {
            RestoreType::All => "all",
            RestoreType::Database => "database",
            RestoreType::Config => "config",
            RestoreType::Data => "data",
        },
    )
}

fn range_name(lang: Lang, r: Range) -> String {
    match r {
        Range::Days7 => t!(lang, "range-days", count = 7),
        Range::Days30 => t!(lang, "range-days", count = 30),
        Range::Days90 => t!(lang, "range-days", count = 90),
        Range::All => t!(lang, "range-all"),
    }
}

fn sort_value(s: SortBy) -> &'static str {
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
        let embed = serde_json::to_value(list(Lang::english(), &listing, &view)).unwrap();
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
    fn a_snapshot_shows_what_it_added_and_where_it_lives() {
        let mut r = record(1);
        r.file_path = "/srv/steward/backups".into();
        r.metadata
            .insert("snapshot".into(), "0123456789abcdef".repeat(4));
        let created = Created {
            record: r.clone(),
            skipped: Vec::new(),
            pruned: None,
            password_created: None,
            offsite: Vec::new(),
        };
        let embed = serde_json::to_value(super::created(Lang::english(), &created)).unwrap();
        let text = embed["fields"].to_string();
        assert!(text.contains("1.0 KiB added to the repository"), "{text}");
        assert!(
            text.contains("`01234567` in the restic repository `/srv/steward/backups`"),
            "{text}"
        );
        assert!(!text.contains("Checksum"), "{text}");
        let listing = Listing {
            backups: vec![r],
            matched: 1,
            total_count: 1,
            total_stored_bytes: 1024,
        };
        let view = ListView {
            range: Range::All,
            sort: SortBy::Date,
        };
        let embed = serde_json::to_value(list(Lang::english(), &listing, &view)).unwrap();
        assert!(
            embed["fields"].to_string().contains("1.0 KiB added"),
            "{embed}"
        );
    }

    #[test]
    fn sizes_read_in_binary_units() {
        assert_eq!(Lang::english().size(512), "512 B");
        assert_eq!(Lang::english().size(1536), "1.5 KiB");
        assert_eq!(Lang::english().size(3 * 1024 * 1024), "3.0 MiB");
    }
}
