//! Which files of the bot's tree a backup type covers: the configured globs
//! applied to a walk of the bot's root. It reads directory entries and file
//! headers (to recognise SQLite databases); it never reads file contents.

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use glob::{MatchOptions, Pattern};

use super::manifest::FileKind;
use super::{BackupError, BackupType};
use crate::config::{BackupScopes, Scope};

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";
/// What SQLite keeps next to a database; the online backup reads through them.
const SIDECARS: [&str; 3] = ["-wal", "-shm", "-journal"];
/// Restore's working directories in the bot's root (see `restore`).
pub const RESTORE_DIR_PREFIX: &str = ".steward-restore-";

const MATCH: MatchOptions = MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: false,
};

/// One file to back up.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Relative to the bot's root, `/`-separated.
    pub rel: String,
    pub abs: PathBuf,
    pub size: u64,
    pub mode: u32,
    pub kind: FileKind,
}

/// The files a backup covers, and what was passed over.
#[derive(Debug, Default)]
pub struct Selection {
    pub files: Vec<SourceFile>,
    /// Symlinks and special files inside the scope: not backed up.
    pub skipped: Vec<String>,
}

/// Compiled include/exclude patterns.
pub struct Matcher {
    include: Vec<Pattern>,
    exclude: Vec<Pattern>,
    /// `dir/**` excludes: whole directories not walked at all.
    pruned: Vec<Pattern>,
}

impl Matcher {
    pub fn new(scopes: &[&Scope], excluded: &[&Scope]) -> Result<Matcher, BackupError> {
        let compile = |p: &String| {
            Pattern::new(p).map_err(|e| BackupError::Pattern {
                pattern: p.clone(),
                message: e.to_string(),
            })
        };
        let mut m = Matcher {
            include: Vec::new(),
            exclude: Vec::new(),
            pruned: Vec::new(),
        };
        for scope in scopes {
            for p in &scope.include {
                m.include.push(compile(p)?);
            }
            for p in &scope.exclude {
                m.exclude.push(compile(p)?);
                if let Some(dir) = p.strip_suffix("/**") {
                    m.pruned.push(compile(&dir.to_string())?);
                }
            }
        }
        for scope in excluded {
            for p in &scope.include {
                m.exclude.push(compile(p)?);
            }
        }
        Ok(m)
    }

    pub fn matches(&self, rel: &str) -> bool {
        self.include.iter().any(|p| p.matches_with(rel, MATCH))
            && !self.exclude.iter().any(|p| p.matches_with(rel, MATCH))
    }

    fn prunes(&self, rel_dir: &str) -> bool {
        self.pruned.iter().any(|p| p.matches_with(rel_dir, MATCH))
    }
}

/// The matcher of `backup_type`, with logs added or left out.
pub fn matcher(
    scopes: &BackupScopes,
    backup_type: BackupType,
    include_logs: bool,
) -> Result<Matcher, BackupError> {
    let main = match backup_type {
        BackupType::Full => &scopes.full,
        BackupType::Database => &scopes.database,
        BackupType::Config => &scopes.config,
        BackupType::DataOnly => &scopes.data_only,
    };
    if include_logs {
        Matcher::new(&[main, &scopes.logs], &[])
    } else {
        Matcher::new(&[main], &[&scopes.logs])
    }
}

/// Walks `root` and returns the files `matcher` covers, sorted by path.
/// Directories in `skip_dirs` (Steward's own data, when it lives inside the
/// bot's root) are never entered.
pub fn select(
    root: &Path,
    matcher: &Matcher,
    skip_dirs: &[PathBuf],
) -> Result<Selection, BackupError> {
    let mut selection = Selection::default();
    walk(root, root, matcher, skip_dirs, &mut selection)?;
    selection.files.sort_by(|a, b| a.rel.cmp(&b.rel));
    let databases: Vec<String> = selection
        .files
        .iter()
        .filter(|f| f.kind == FileKind::Sqlite)
        .map(|f| f.rel.clone())
        .collect();
    // A database's -wal/-shm/-journal are folded into its online copy.
    selection.files.retain(|f| {
        !SIDECARS.iter().any(|suffix| {
            f.rel
                .strip_suffix(suffix)
                .is_some_and(|db| databases.iter().any(|d| d == db))
        })
    });
    Ok(selection)
}

fn walk(
    root: &Path,
    dir: &Path,
    matcher: &Matcher,
    skip_dirs: &[PathBuf],
    out: &mut Selection,
) -> Result<(), BackupError> {
    let read = |path: &Path, source| BackupError::Read {
        path: path.to_path_buf(),
        source,
    };
    let entries = std::fs::read_dir(dir).map_err(|e| read(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| read(dir, e))?;
        let abs = entry.path();
        let Some(rel) = abs
            .strip_prefix(root)
            .ok()
            .and_then(|r| r.to_str())
            .map(|r| r.replace(std::path::MAIN_SEPARATOR, "/"))
        else {
            // A name that is not UTF-8 cannot be matched by the globs.
            out.skipped.push(abs.display().to_string());
            continue;
        };
        let meta = entry.metadata().map_err(|e| read(&abs, e))?;
        let file_type = meta.file_type();
        if file_type.is_dir() {
            let name = entry.file_name();
            if skip_dirs.iter().any(|d| d == &abs)
                || name.to_string_lossy().starts_with(RESTORE_DIR_PREFIX)
                || matcher.prunes(&rel)
            {
                continue;
            }
            walk(root, &abs, matcher, skip_dirs, out)?;
        } else if matcher.matches(&rel) {
            if !file_type.is_file() {
                out.skipped.push(rel);
                continue;
            }
            let kind = if is_sqlite(&abs) {
                FileKind::Sqlite
            } else {
                FileKind::File
            };
            out.files.push(SourceFile {
                rel,
                abs,
                size: meta.len(),
                mode: meta.permissions().mode() & 0o777,
                kind,
            });
        }
    }
    Ok(())
}

pub(crate) fn is_sqlite(path: &Path) -> bool {
    let mut magic = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && &magic == SQLITE_MAGIC
}

/// Whether a file starting with `head` is a SQLite database.
pub(crate) fn has_sqlite_magic(head: &[u8]) -> bool {
    head.starts_with(SQLITE_MAGIC)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for f in files {
            let p = dir.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, f.as_bytes()).unwrap();
        }
        dir
    }

    fn rels(sel: &Selection) -> Vec<&str> {
        sel.files.iter().map(|f| f.rel.as_str()).collect()
    }

    #[test]
    fn full_covers_the_tree_but_not_installed_dependencies_or_logs() {
        let dir = tree(&[
            "bot.py",
            "config/config.toml",
            "data/x.json",
            "logs/bot.log",
            ".venv/lib/site.py",
            "dashboard/node_modules/a/index.js",
            ".env",
        ]);
        let scopes = BackupScopes::default();
        let m = matcher(&scopes, BackupType::Full, false).unwrap();
        let sel = select(dir.path(), &m, &[]).unwrap();
        assert_eq!(
            rels(&sel),
            [".env", "bot.py", "config/config.toml", "data/x.json"]
        );
        let m = matcher(&scopes, BackupType::Full, true).unwrap();
        let sel = select(dir.path(), &m, &[]).unwrap();
        assert!(rels(&sel).contains(&"logs/bot.log"));
    }

    #[test]
    fn database_sidecars_are_folded_into_the_database() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("data")).unwrap();
        let db = dir.path().join("data/bot.sqlite3");
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch("PRAGMA journal_mode=WAL; CREATE TABLE t(x); INSERT INTO t VALUES (1);")
            .unwrap();
        let scopes = BackupScopes::default();
        let m = matcher(&scopes, BackupType::DataOnly, false).unwrap();
        let sel = select(dir.path(), &m, &[]).unwrap();
        assert_eq!(rels(&sel), ["data/bot.sqlite3"]);
        assert_eq!(sel.files[0].kind, FileKind::Sqlite);
        drop(conn);
    }
}
