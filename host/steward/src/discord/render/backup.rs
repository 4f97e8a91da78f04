//! How `/backup_create`, `/backup_list` and `/backup_restore` results look
//! in Discord: embeds, and the text of the restore's confirmation prompt.
//! Rendering only; every fact comes from the service.

use std::fmt::Write;

use poise::serenity_prelude as serenity;

use super::{FIELD_LIMIT, GREEN, ORANGE, RED, choice_name};
use crate::backup::offsite::{Copied, Place, places};
use crate::backup::problem::Problem;
use crate::backup::repository::{made_by_restic, snapshot_of};
use crate::backup::{BackupRecord, Created, Listing, Range, RestoreType, Restored, SortBy};
use crate::discord::locale::{Lang, t};
use crate::discord::suggest::Candidate;
use crate::service::RestorePreview;
use steward_core::failure::{BackendCause, OffsiteFault, TargetFault};
use steward_core::problem::OffsiteDamage;

/// Discord refuses an embed above 6000 characters; stay clear of it.
const EMBED_BUDGET: usize = 5500;
/// Files named one by one in a prompt or a result.
const FILES_SHOWN: usize = 20;

/// What `/backup_list` asked for, echoed in the footer.
pub struct ListView {
    pub range: Range,
    pub sort: SortBy,
}

/// The backup's answer, with what its offsite copies did once they ran
/// (`copies`), or the targets still being copied to (`c.offsite_due`).
pub fn created_with_copies(
    lang: Lang,
    c: &Created,
    copies: Option<&[Copied]>,
) -> serenity::CreateEmbed {
    let embed = created(lang, c);
    let text = match copies {
        None if c.offsite_due.is_empty() => return embed,
        None => t!(
            lang,
            "backup-offsite-copying",
            targets = lang.names(&c.offsite_due)
        ),
        Some([]) => return embed,
        Some(copies) => copies
            .iter()
            .map(|copy| copy_line(lang, copy))
            .collect::<Vec<_>>()
            .join("\n"),
    };
    embed.field(t!(lang, "backup-field-offsite"), fit(&text), false)
}

/// One target's copy: done (and what was forgotten there), or why not.
fn copy_line(lang: Lang, copy: &Copied) -> String {
    match &copy.error {
        Some(error) => t!(
            lang,
            "backup-offsite-failed",
            target = super::plain(&copy.target),
            error = offsite_error(lang, copy.fault.as_ref(), error)
                .trim_end_matches('.')
                .to_string()
        ),
        None if copy.forgotten > 0 => t!(
            lang,
            "backup-offsite-copied-forgotten",
            target = super::plain(&copy.target),
            count = copy.copied,
            forgotten = copy.forgotten
        ),
        None => t!(
            lang,
            "backup-offsite-copied",
            target = super::plain(&copy.target),
            count = copy.copied
        ),
    }
}

/// What Steward made of a target backend's failure, in `lang`; the
/// server's or the system's own words stay as given.
fn backend_cause(lang: Lang, cause: &BackendCause) -> String {
    use super::plain;
    match cause {
        BackendCause::Unreachable { error } => {
            t!(lang, "offsite-cause-unreachable", error = plain(error))
        }
        BackendCause::TimedOut => t!(lang, "offsite-cause-timed-out"),
        BackendCause::CredentialsRefused { status } => t!(
            lang,
            "offsite-cause-credentials-refused",
            status = status.to_string()
        ),
        BackendCause::AccessDenied { detail } if detail.is_empty() => {
            t!(lang, "offsite-cause-access-denied")
        }
        BackendCause::AccessDenied { detail } => t!(
            lang,
            "offsite-cause-access-denied-detail",
            detail = plain(detail)
        ),
        BackendCause::Status { status } => {
            t!(lang, "offsite-cause-status", status = status.to_string())
        }
        BackendCause::Missing { path } => t!(lang, "offsite-cause-missing", path = plain(path)),
    }
}

/// Why an offsite copy failed, in `lang` when typed (`fault`), else as
/// `error` says it (an older Steward's English). What the target's backend
/// said stays as given.
pub(crate) fn offsite_error(lang: Lang, fault: Option<&OffsiteFault>, error: &str) -> String {
    use super::plain;
    let Some(fault) = fault else {
        return plain(error);
    };
    match fault {
        OffsiteFault::Target {
            target,
            location,
            why,
        } => t!(
            lang,
            "offsite-fault-target",
            target = plain(target),
            location = plain(location),
            why = match why {
                TargetFault::Backend { error, cause } => match cause {
                    Some(cause) => backend_cause(lang, cause),
                    None => plain(error),
                },
                TargetFault::PasswordEnvUnset { var } => {
                    t!(lang, "offsite-why-password-env-unset", var = plain(var))
                }
                TargetFault::PasswordFileUnreadable { path, error } => t!(
                    lang,
                    "offsite-why-password-file-unreadable",
                    path = plain(path),
                    error = plain(error)
                ),
                TargetFault::PasswordFileEmpty { path } => {
                    t!(lang, "offsite-why-password-file-empty", path = plain(path))
                }
                TargetFault::PathNotUtf8 => t!(lang, "offsite-why-path-not-utf8"),
                TargetFault::WrongPassword => t!(lang, "offsite-why-wrong-password"),
                TargetFault::NoRepository => t!(lang, "offsite-why-no-repository"),
                TargetFault::NoCopy => t!(lang, "offsite-why-no-copy"),
                TargetFault::CopyLock { dir, error } => t!(
                    lang,
                    "offsite-why-copy-lock",
                    dir = plain(dir),
                    error = plain(error)
                ),
                TargetFault::NotListed { missing, copied } => t!(
                    lang,
                    "offsite-why-not-listed",
                    missing = *missing,
                    copied = *copied
                ),
                TargetFault::CheckFailed { error } => {
                    t!(lang, "offsite-why-check-failed", error = plain(error))
                }
            }
        ),
        OffsiteFault::LocalRepository { error } => {
            t!(lang, "offsite-fault-local-repository", error = plain(error))
        }
        OffsiteFault::Backup { failed } => match &failed.detail {
            Some(detail) => crate::discord::progress::backup_fault(lang, detail, plain),
            None => plain(&failed.error),
        },
    }
}

/// Where a listed backup lives: the local repository, each target.
fn where_text(lang: Lang, r: &BackupRecord) -> Option<String> {
    snapshot_of(r)?;
    let found = places(r);
    if found.is_empty() {
        return Some(t!(lang, "backup-place-nowhere"));
    }
    Some(
        lang.names(
            &found
                .iter()
                .map(|p| match p {
                    Place::Local => t!(lang, "backup-place-local"),
                    Place::Offsite(name) => super::plain(name),
                    Place::CopyFailed(name) => {
                        t!(lang, "backup-place-failed", target = super::plain(name))
                    }
                })
                .collect::<Vec<_>>(),
        ),
    )
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
        } else if v.findings.is_empty() {
            // Recorded before the problems were typed: as recorded.
            v.problems.join(&t!(lang, "failure-separator"))
        } else {
            problems(lang, &v.findings)
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
            fit(&lang.names(&c.skipped)),
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
            .map(|r| format!("`{}`: {}", r.id, removal(lang, r)))
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
    let place = where_text(lang, r)
        .map(|places| format!(" · {}", t!(lang, "backup-where", places = places)))
        .unwrap_or_default();
    format!(
        "`{}`{name} · {} · {} · {} · {}{place}{verified}",
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

/// What a check found wrong, in the caller's language, one after another.
pub fn problems(lang: Lang, found: &[Problem]) -> String {
    found
        .iter()
        .map(|p| problem(lang, p))
        .collect::<Vec<_>>()
        .join(&t!(lang, "failure-separator"))
}

/// One problem a check found, in the caller's language. Paths, ids and
/// the words of the libraries below (a rustic or tar cause) are shown as
/// they are.
pub fn problem(lang: Lang, p: &Problem) -> String {
    use super::plain;
    match p {
        Problem::ArchiveChecksum => t!(lang, "verify-problem-archive-checksum"),
        Problem::ArchiveUnreadable { error } => {
            t!(
                lang,
                "verify-problem-archive-unreadable",
                error = plain(error)
            )
        }
        Problem::ArchiveOpen { error } => {
            t!(lang, "verify-problem-archive-open", error = plain(error))
        }
        Problem::ArchiveEntry { error } => {
            t!(lang, "verify-problem-archive-entry", error = plain(error))
        }
        Problem::ArchiveEmpty => t!(lang, "verify-problem-archive-empty"),
        Problem::FirstNotManifest { found } => t!(
            lang,
            "verify-problem-first-not-manifest",
            found = plain(found),
            manifest = crate::backup::manifest::MANIFEST_NAME
        ),
        Problem::ManifestNotFirst => t!(lang, "verify-problem-manifest-not-first"),
        Problem::ManifestTooLarge => t!(lang, "verify-problem-manifest-too-large"),
        Problem::ManifestUnreadable { error } => {
            t!(
                lang,
                "verify-problem-manifest-unreadable",
                error = plain(error)
            )
        }
        Problem::ManifestInvalid { error } => {
            t!(
                lang,
                "verify-problem-manifest-invalid",
                error = plain(error)
            )
        }
        Problem::OtherBackup { found, expected } => t!(
            lang,
            "verify-problem-other-backup",
            found = plain(found),
            expected = plain(expected)
        ),
        Problem::BelongsTo { found } => {
            t!(lang, "verify-problem-belongs-to", found = plain(found))
        }
        Problem::FileUnreadable { path, error } => t!(
            lang,
            "verify-problem-file-unreadable",
            path = plain(path),
            error = plain(error)
        ),
        Problem::NotInManifest { path } => {
            t!(lang, "verify-problem-not-in-manifest", path = plain(path))
        }
        Problem::SizeDiffers {
            path,
            archive,
            manifest,
        } => t!(
            lang,
            "verify-problem-size-differs",
            path = plain(path),
            archive = *archive,
            manifest = *manifest
        ),
        Problem::ContentDiffers { path } => {
            t!(lang, "verify-problem-content-differs", path = plain(path))
        }
        Problem::MissingFromArchive { path } => {
            t!(
                lang,
                "verify-problem-missing-from-archive",
                path = plain(path)
            )
        }
        Problem::ListedTwice { path, times } => t!(
            lang,
            "verify-problem-listed-twice",
            path = plain(path),
            times = *times
        ),
        Problem::NotPlain { path } => t!(lang, "verify-problem-not-plain", path = plain(path)),
        Problem::FileAndDir { dir, path } => t!(
            lang,
            "verify-problem-file-and-dir",
            dir = plain(dir),
            path = plain(path)
        ),
        Problem::LeavesRoot { path } => {
            t!(lang, "verify-problem-leaves-root", path = plain(path))
        }
        Problem::Symlink { path } => t!(lang, "verify-problem-symlink", path = plain(path)),
        Problem::Special { path } => t!(lang, "verify-problem-special", path = plain(path)),
        Problem::ForeignPaths { paths, root } => t!(
            lang,
            "verify-problem-foreign-paths",
            paths = plain(paths),
            root = plain(root)
        ),
        Problem::SnapshotCheck { snapshot, finding } => t!(
            lang,
            "verify-problem-snapshot-check",
            snapshot = plain(snapshot),
            finding = plain(finding)
        ),
        Problem::TreeDamaged {
            snapshot,
            dir,
            pack: Some(pack),
            cause,
        } => t!(
            lang,
            "verify-problem-tree-damaged",
            snapshot = plain(snapshot),
            dir = plain(dir),
            pack = plain(pack),
            cause = plain(cause)
        ),
        Problem::TreeDamaged {
            snapshot,
            dir,
            pack: None,
            cause,
        } => t!(
            lang,
            "verify-problem-tree-unindexed",
            snapshot = plain(snapshot),
            dir = plain(dir),
            cause = plain(cause)
        ),
        Problem::FileDamaged { path, cause } => t!(
            lang,
            "verify-problem-file-damaged",
            path = plain(path),
            cause = plain(cause)
        ),
        Problem::Unchecked { error } => t!(lang, "verify-problem-unchecked", error = plain(error)),
        Problem::DrillFailed { error } => {
            t!(lang, "verify-problem-drill-failed", error = plain(error))
        }
        Problem::DrillNeedsLocal => t!(lang, "verify-problem-drill-needs-local"),
        Problem::Database { path, message } => t!(
            lang,
            "verify-problem-database",
            path = plain(path),
            message = plain(message)
        ),
        Problem::OffsiteDamaged {
            target,
            location,
            cause,
            damage,
        } => match damage {
            Some(OffsiteDamage::Findings { findings }) => t!(
                lang,
                "verify-problem-offsite-findings",
                target = plain(target),
                location = plain(location),
                findings = plain(&findings.join(&t!(lang, "failure-separator")))
            ),
            Some(OffsiteDamage::Backend { cause }) => t!(
                lang,
                "verify-problem-offsite-damaged",
                target = plain(target),
                location = plain(location),
                cause = backend_cause(lang, cause)
            ),
            // Found by an older Steward: its English.
            None => t!(
                lang,
                "verify-problem-offsite-damaged",
                target = plain(target),
                location = plain(location),
                cause = plain(cause)
            ),
        },
        Problem::OffsiteMissing {
            target,
            location,
            id,
        } => t!(
            lang,
            "verify-problem-offsite-missing",
            target = plain(target),
            location = plain(location),
            id = plain(id)
        ),
        Problem::OffsiteUnchecked {
            target,
            error,
            fault,
        } => t!(
            lang,
            "verify-problem-offsite-unchecked",
            target = plain(target),
            error = offsite_error(lang, fault.as_ref(), error)
        ),
        Problem::NoSoundCopy { id } => t!(lang, "verify-problem-no-sound-copy", id = plain(id)),
        Problem::More { count } => t!(lang, "verify-problem-more", count = *count),
    }
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
            fit(&lang.names(&r.removed_sidecars)),
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

/// Why prune removed a backup, in `lang`; an answer without the typed
/// reason keeps its English.
fn removal(lang: Lang, r: &crate::backup::RemovedBackup) -> String {
    use crate::backup::Removal;
    match r.why {
        Some(Removal::BeyondMaxBackups { max_backups }) => {
            t!(lang, "backup-removed-beyond-max", max = max_backups)
        }
        Some(Removal::OlderThanRetention { retention_days }) => {
            t!(lang, "backup-removed-older", days = retention_days)
        }
        Some(Removal::FailedAttempt) => t!(lang, "backup-removed-failed-attempt"),
        Some(Removal::BeyondSchedule { keep }) => {
            t!(lang, "backup-removed-beyond-schedule", keep = keep)
        }
        None => super::plain(&r.reason),
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
            offsite_due: Vec::new(),
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

    /// One problem of each kind, with its fields filled.
    fn every_problem() -> Vec<Problem> {
        let s = |t: &str| t.to_string();
        vec![
            Problem::ArchiveChecksum,
            Problem::ArchiveUnreadable { error: s("eof") },
            Problem::ArchiveOpen { error: s("eof") },
            Problem::ArchiveEntry {
                error: s("entry x"),
            },
            Problem::ArchiveEmpty,
            Problem::FirstNotManifest { found: s("a.txt") },
            Problem::ManifestNotFirst,
            Problem::ManifestTooLarge,
            Problem::ManifestUnreadable { error: s("eof") },
            Problem::ManifestInvalid {
                error: s("bad json"),
            },
            Problem::OtherBackup {
                found: s("backup_1"),
                expected: s("backup_2"),
            },
            Problem::BelongsTo {
                found: s("backup_1"),
            },
            Problem::FileUnreadable {
                path: s("data/a"),
                error: s("eof"),
            },
            Problem::NotInManifest { path: s("data/a") },
            Problem::SizeDiffers {
                path: s("data/a"),
                archive: 3,
                manifest: 4,
            },
            Problem::ContentDiffers { path: s("data/a") },
            Problem::MissingFromArchive { path: s("data/a") },
            Problem::ListedTwice {
                path: s("data/a"),
                times: 2,
            },
            Problem::NotPlain { path: s("../a") },
            Problem::FileAndDir {
                dir: s("data"),
                path: s("data/a"),
            },
            Problem::LeavesRoot { path: s("../a") },
            Problem::Symlink { path: s("escape") },
            Problem::Special { path: s("fifo") },
            Problem::ForeignPaths {
                paths: s("/etc"),
                root: s("/srv/bot"),
            },
            Problem::SnapshotCheck {
                snapshot: s("0123abcd"),
                finding: s("pack 99: hash mismatch"),
            },
            Problem::TreeDamaged {
                snapshot: s("0123abcd"),
                dir: s("/config"),
                pack: Some(s("99aa")),
                cause: s("decryption failed"),
            },
            Problem::TreeDamaged {
                snapshot: s("0123abcd"),
                dir: s("/config"),
                pack: None,
                cause: s("not found"),
            },
            Problem::FileDamaged {
                path: s("config/noise.bin"),
                cause: s("decryption failed"),
            },
            Problem::Unchecked {
                error: s("the repository is locked"),
            },
            Problem::DrillFailed {
                error: s("disk full"),
            },
            Problem::DrillNeedsLocal,
            Problem::Database {
                path: s("data/bot.db"),
                message: s("malformed"),
            },
            Problem::OffsiteDamaged {
                target: s("nas"),
                location: s("/mnt/nas"),
                cause: s("hash mismatch"),
                damage: None,
            },
            Problem::OffsiteMissing {
                target: s("nas"),
                location: s("/mnt/nas"),
                id: s("backup_1"),
            },
            Problem::OffsiteUnchecked {
                target: s("nas"),
                error: s("offsite target nas (/mnt/nas): cannot connect"),
                fault: None,
            },
            Problem::OffsiteUnchecked {
                target: s("nas"),
                error: s("offsite target nas (/mnt/nas): holds no repository"),
                fault: Some(OffsiteFault::Target {
                    target: s("nas"),
                    location: s("/mnt/nas"),
                    why: TargetFault::NoRepository,
                }),
            },
            Problem::NoSoundCopy { id: s("backup_1") },
            Problem::More { count: 5 },
        ]
    }

    #[test]
    fn every_verification_problem_is_worded_in_every_language() {
        for tag in ["en-US", "de", "zh-CN"] {
            let lang = Lang::for_tag(tag);
            for p in every_problem() {
                let text = problem(lang, &p);
                assert!(!text.starts_with("verify-problem-"), "{tag}: {p:?}");
                // "{path}: {error}" reads the same everywhere.
                if tag != "en-US" && !matches!(p, Problem::FileUnreadable { .. }) {
                    assert_ne!(text, problem(Lang::english(), &p), "{tag}: {p:?}");
                }
            }
        }
        // English on Discord says what the CLI says, but for the wrappers
        // that name what the bare words of the layer below are about.
        for p in every_problem() {
            if matches!(
                p,
                Problem::ArchiveEntry { .. }
                    | Problem::Unchecked { .. }
                    | Problem::OffsiteUnchecked { .. }
                    | Problem::TreeDamaged { pack: None, .. }
            ) {
                continue;
            }
            assert_eq!(problem(Lang::english(), &p), p.to_string(), "{p:?}");
        }
    }

    /// Damage a check found at an offsite copy reads in the caller's
    /// language when typed: rustic's findings joined the locale's way, a
    /// backend failure in Steward's words; the CLI's English is untouched.
    #[test]
    fn offsite_damage_reads_in_the_callers_language_when_typed() {
        let damaged = |damage| Problem::OffsiteDamaged {
            target: "nas".into(),
            location: "/mnt/nas".into(),
            cause: "check found errors!".into(),
            damage: Some(damage),
        };
        let findings = damaged(OffsiteDamage::Findings {
            findings: vec![
                "pack 1a2b: hash mismatch".into(),
                "pack 3c4d: not found".into(),
            ],
        });
        assert_eq!(
            findings.to_string(),
            "offsite target nas (/mnt/nas): the copy fails its check there: check found errors!"
        );
        assert_eq!(
            problem(Lang::english(), &findings),
            "offsite target nas (/mnt/nas): the copy fails its check there: \
             pack 1a2b: hash mismatch; pack 3c4d: not found"
        );
        assert_eq!(
            problem(Lang::for_tag("zh-CN"), &findings),
            "异地目标 nas（/mnt/nas）：副本未通过那里的检查：pack 1a2b: hash mismatch；pack 3c4d: not found"
        );
        let timed_out = damaged(OffsiteDamage::Backend {
            cause: BackendCause::TimedOut,
        });
        assert_eq!(
            problem(Lang::for_tag("de"), &timed_out),
            "externes Ziel nas (/mnt/nas): die Kopie besteht die Prüfung dort nicht: \
             der Server hat nicht rechtzeitig geantwortet"
        );
        // As a record keeps it, and as an older Steward's record reads.
        let text = serde_json::to_string(&timed_out).unwrap();
        assert_eq!(serde_json::from_str::<Problem>(&text).unwrap(), timed_out);
        let older =
            r#"{"problem":"offsite_damaged","target":"nas","location":"/mnt/nas","cause":"x"}"#;
        let Problem::OffsiteDamaged { damage, .. } = serde_json::from_str(older).unwrap() else {
            panic!("not offsite_damaged");
        };
        assert_eq!(damage, None);
    }

    #[test]
    fn verification_problems_read_in_the_callers_language() {
        let found = [
            Problem::FileDamaged {
                path: "config/noise.bin".into(),
                cause: "decryption failed".into(),
            },
            Problem::More { count: 3 },
        ];
        assert_eq!(
            problems(Lang::for_tag("de"), &found),
            "config/noise.bin: im Repository beschädigt (decryption failed); und 3 weitere Probleme"
        );
        assert_eq!(
            problems(Lang::for_tag("zh-CN"), &found),
            "config/noise.bin：在仓库中已损坏（decryption failed）；以及另外 3 个问题"
        );
    }

    /// Why prune removed a backup reads in English as the CLI prints it,
    /// and in words of its own in zh-CN and de; an answer without the
    /// typed reason keeps its English.
    #[test]
    fn prune_reasons_read_in_the_callers_language() {
        use crate::backup::{Removal, RemovedBackup};
        let has_cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        for why in [
            Removal::BeyondMaxBackups { max_backups: 50 },
            Removal::OlderThanRetention { retention_days: 90 },
            Removal::FailedAttempt,
            Removal::BeyondSchedule { keep: 3 },
        ] {
            let r = RemovedBackup {
                id: "b".into(),
                name: None,
                reason: why.to_string(),
                why: Some(why),
            };
            assert_eq!(removal(Lang::english(), &r), r.reason);
            assert!(has_cjk(&removal(Lang::for_tag("zh-CN"), &r)), "{why:?}");
            let de = removal(Lang::for_tag("de"), &r);
            assert!(!de.contains(&r.reason[..8]), "{de}");
        }
        let older = RemovedBackup {
            id: "b".into(),
            name: None,
            reason: "older than backup_retention_days (90)".into(),
            why: None,
        };
        assert_eq!(
            removal(Lang::for_tag("zh-CN"), &older),
            "older than backup_retention_days (90)"
        );
    }

    /// Every reason an offsite copy fails that Steward words itself reads
    /// in English as the CLI prints it, and in zh-CN and de in words of
    /// their own; what the target's backend said stays as given, and a
    /// failure an older Steward recorded (no typed fault) shows its English.
    #[test]
    fn every_offsite_fault_reads_as_the_cli_in_english_and_has_words_in_each_locale() {
        use steward_core::failure::{BackupFailure, BackupFault};
        let at = |why| OffsiteFault::Target {
            target: "nas".into(),
            location: "sftp://steward@nas.lan:22/backups".into(),
            why,
        };
        let denied = "Permission denied (os error 13)";
        let faults = [
            at(TargetFault::Backend {
                error: "list data/ failed: connection refused".into(),
                cause: None,
            }),
            at(TargetFault::PasswordEnvUnset {
                var: "NAS_PASSWORD".into(),
            }),
            at(TargetFault::PasswordFileUnreadable {
                path: "/etc/steward/nas".into(),
                error: denied.into(),
            }),
            at(TargetFault::PasswordFileEmpty {
                path: "/etc/steward/nas".into(),
            }),
            at(TargetFault::PathNotUtf8),
            at(TargetFault::WrongPassword),
            at(TargetFault::NoRepository),
            at(TargetFault::CopyLock {
                dir: "/srv/backups".into(),
                error: denied.into(),
            }),
            at(TargetFault::NotListed {
                missing: 1,
                copied: 2,
            }),
            at(TargetFault::CheckFailed {
                error: "pack 1a2b is missing".into(),
            }),
            OffsiteFault::LocalRepository {
                error: "config file is missing".into(),
            },
            OffsiteFault::Backup {
                failed: BackupFailure {
                    error: "another backup or restore is running".into(),
                    detail: Some(BackupFault::Busy),
                },
            },
        ];
        let has_cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        for fault in &faults {
            let english = fault.to_string();
            let said = |tag| offsite_error(Lang::for_tag(tag), Some(fault), &english);
            assert_eq!(said("en-US"), english);
            let zh = said("zh-CN");
            let de = said("de");
            assert!(has_cjk(&zh), "{zh}");
            for text in [&zh, &de] {
                assert!(!text.contains("offsite target"), "{text}");
                assert_ne!(text, &english);
            }
        }
        // The backend's own words stay as given, inside the locale's frame.
        assert_eq!(
            offsite_error(Lang::for_tag("zh-CN"), Some(&faults[0]), ""),
            "异地目标 nas（sftp://steward@nas.lan:22/backups）：list data/ failed: connection refused"
        );
        assert_eq!(
            offsite_error(Lang::for_tag("de"), Some(&faults[8]), ""),
            "externes Ziel nas (sftp://steward@nas.lan:22/backups): 1 von 2 kopierten Snapshots \
             sind nach der Kopie dort nicht aufgeführt"
        );
        assert_eq!(
            offsite_error(Lang::for_tag("zh-CN"), None, "offsite target nas (x): y"),
            "offsite target nas (x): y"
        );
    }

    /// A backend failure Steward classified itself is worded by the
    /// locale, with the server's or the system's own words kept as given;
    /// the CLI's English (the fault's `Display`) stays the backend's.
    #[test]
    fn a_classified_backend_failure_is_worded_in_each_locale() {
        let refused = "Connection refused (os error 111)";
        let at = |cause| OffsiteFault::Target {
            target: "away".into(),
            location: "http://127.0.0.1:9/bot/".into(),
            why: TargetFault::Backend {
                error: "reading http://127.0.0.1:9/bot/config failed: cannot connect".into(),
                cause: Some(cause),
            },
        };
        let said = |tag, cause| offsite_error(Lang::for_tag(tag), Some(&at(cause)), "");
        let cli = at(BackendCause::TimedOut).to_string();
        assert_eq!(
            cli,
            "offsite target away (http://127.0.0.1:9/bot/): reading http://127.0.0.1:9/bot/config failed: cannot connect"
        );
        let frame = |zh: &str| format!("异地目标 away（http://127.0.0.1:9/bot/）：{zh}");
        let cases = [
            (
                BackendCause::Unreachable {
                    error: refused.into(),
                },
                "cannot connect to the server (Connection refused (os error 111))",
                "无法连接到服务器（Connection refused (os error 111)）",
                "keine Verbindung zum Server möglich (Connection refused (os error 111))",
            ),
            (
                BackendCause::TimedOut,
                "the server did not answer in time",
                "服务器未及时响应",
                "der Server hat nicht rechtzeitig geantwortet",
            ),
            (
                BackendCause::CredentialsRefused { status: 401 },
                "the server refused the credentials (HTTP 401): check user and password_env or password_file",
                "服务器拒绝了凭据（HTTP 401）：请检查 user 以及 password_env 或 password_file",
                "der Server hat die Zugangsdaten abgelehnt (HTTP 401): user und password_env oder password_file prüfen",
            ),
            (
                BackendCause::AccessDenied {
                    detail: String::new(),
                },
                "access denied, check the credentials",
                "访问被拒绝，请检查凭据",
                "Zugriff verweigert, Zugangsdaten prüfen",
            ),
            (
                BackendCause::AccessDenied {
                    detail: "SignatureDoesNotMatch".into(),
                },
                "access denied, check the credentials: SignatureDoesNotMatch",
                "访问被拒绝，请检查凭据：SignatureDoesNotMatch",
                "Zugriff verweigert, Zugangsdaten prüfen: SignatureDoesNotMatch",
            ),
            (
                BackendCause::Status { status: 503 },
                "the server answered HTTP 503",
                "服务器返回了 HTTP 503",
                "der Server hat mit HTTP 503 geantwortet",
            ),
            (
                BackendCause::Missing {
                    path: "keys/ab12".into(),
                },
                "the server has no keys/ab12",
                "服务器上没有 keys/ab12",
                "der Server hat kein keys/ab12",
            ),
        ];
        for (cause, en, zh, de) in cases {
            assert_eq!(
                said("en-US", cause.clone()),
                format!("offsite target away (http://127.0.0.1:9/bot/): {en}")
            );
            assert_eq!(said("zh-CN", cause.clone()), frame(zh));
            assert_eq!(
                said("de", cause),
                format!("externes Ziel away (http://127.0.0.1:9/bot/): {de}")
            );
        }
        // A record of an older Steward (no cause) still shows the backend's
        // English, and reads back from its stored JSON.
        let old = r#"{"kind":"backend","error":"reading x failed: timed out"}"#;
        let why: TargetFault = serde_json::from_str(old).unwrap();
        assert_eq!(
            why,
            TargetFault::Backend {
                error: "reading x failed: timed out".into(),
                cause: None
            }
        );
    }

    /// A target a check could not ask is worded by the locale when the
    /// check typed why; one an older Steward recorded keeps its English.
    #[test]
    fn an_unchecked_target_is_worded_by_the_locale() {
        let typed = Problem::OffsiteUnchecked {
            target: "nas".into(),
            error: "offsite target nas (/mnt/nas): holds no repository".into(),
            fault: Some(OffsiteFault::Target {
                target: "nas".into(),
                location: "/mnt/nas".into(),
                why: TargetFault::NoRepository,
            }),
        };
        assert_eq!(
            problem(Lang::for_tag("zh-CN"), &typed),
            "无法检查异地目标 nas：异地目标 nas（/mnt/nas）：那里没有仓库"
        );
        assert_eq!(
            problem(Lang::for_tag("de"), &typed),
            "externes Ziel nas konnte nicht geprüft werden: externes Ziel nas (/mnt/nas): \
             enthält kein Repository"
        );
        let kept: Problem = serde_json::from_str(
            r#"{"problem":"offsite_unchecked","target":"nas","error":"offsite target nas (/mnt/nas): x"}"#,
        )
        .unwrap();
        assert_eq!(
            problem(Lang::for_tag("zh-CN"), &kept),
            "无法检查异地目标 nas：offsite target nas (/mnt/nas): x"
        );
        let text = serde_json::to_string(&typed).unwrap();
        assert_eq!(serde_json::from_str::<Problem>(&text).unwrap(), typed);
    }
}
