//! `uv.lock` and `poetry.lock`: the versions a uv or Poetry project has
//! resolved, the index each came from, and whether the lock still matches
//! what `pyproject.toml` declares. It reads only; the tools write the locks.

use std::collections::BTreeMap;
use std::str::FromStr;

use pep440_rs::Version;
use steward_sdk::Error;
use toml::{Table, Value};

use crate::requirements::Requirements;
use crate::venv::{Installed, normalize};

/// A locked package: as an installed one (not local when an index serves
/// it), and the index it was locked from when the lock names one.
#[derive(Debug, Clone)]
pub struct Locked {
    pub package: Installed,
    pub index: Option<String>,
}

/// What a lockfile says.
#[derive(Debug, Default)]
pub struct Lock {
    pub packages: Vec<Locked>,
    /// The names the project itself depends on, as the lock recorded them
    /// (uv's root `requires-dist`, and its workspace members'); `None`
    /// when the lock does not say.
    pub declared: Option<Vec<String>>,
    /// The Pythons the lock holds for (uv's `requires-python`, Poetry's
    /// `[metadata] python-versions`).
    pub requires_python: Option<String>,
    /// A uv workspace's members, by directory relative to the root (the
    /// root itself left out), as the lock's `[manifest] members` names them.
    pub members: Vec<String>,
}

impl Lock {
    pub fn installed(&self) -> Vec<Installed> {
        self.packages.iter().map(|l| l.package.clone()).collect()
    }
}

fn read_table(path: &str, file: &str) -> Result<Table, Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::not_found(format!("cannot read {file}: {e}")))?;
    text.parse::<Table>().map_err(|e| {
        Error::invalid_data(format!(
            "{file} does not parse: {}; run the tool's lock command again",
            e.message().trim()
        ))
    })
}

fn packages<'a>(table: &'a Table, file: &str) -> Result<&'a [Value], Error> {
    match table.get("package") {
        None => Ok(&[]),
        Some(Value::Array(list)) => Ok(list),
        Some(_) => Err(Error::invalid_data(format!(
            "{file} does not parse: `package` is not an array of tables"
        ))),
    }
}

fn string<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn locked(name: &str, version: &str, local: bool, index: Option<String>) -> Locked {
    Locked {
        package: Installed {
            name: name.to_string(),
            key: normalize(name),
            version: version.to_string(),
            tags: Vec::new(),
            local,
            links: Vec::new(),
        },
        index,
    }
}

/// Reads `uv.lock` at `path`. The project itself (a `virtual`, `editable`
/// or `directory` source) is local; a registry package names its index.
pub fn read_uv(path: &str) -> Result<Lock, Error> {
    const FILE: &str = "uv.lock";
    let table = read_table(path, FILE)?;
    let mut lock = Lock {
        requires_python: table
            .get("requires-python")
            .and_then(Value::as_str)
            .map(str::to_string),
        ..Lock::default()
    };
    let members: Vec<&str> = table
        .get("manifest")
        .and_then(|m| m.get("members"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    for p in packages(&table, FILE)? {
        let (Some(name), source) = (string(p, "name"), p.get("source")) else {
            return Err(Error::invalid_data(format!(
                "{FILE} does not parse: a package has no name"
            )));
        };
        let registry = source.and_then(|s| string(s, "registry"));
        let is_root = source.is_some_and(|s| {
            ["virtual", "editable"]
                .iter()
                .any(|k| string(s, k) == Some("."))
        });
        // A workspace member: a package of the manifest's, from a path.
        let member_dir = source
            .and_then(|s| {
                ["virtual", "editable", "directory"]
                    .iter()
                    .find_map(|k| string(s, k))
            })
            .filter(|dir| *dir != "." && members.iter().any(|m| normalize(m) == normalize(name)));
        if is_root || member_dir.is_some() {
            let requires = p
                .get("metadata")
                .and_then(|m| m.get("requires-dist"))
                .and_then(Value::as_array);
            lock.declared.get_or_insert_with(Vec::new).extend(
                requires
                    .into_iter()
                    .flatten()
                    .filter_map(|r| string(r, "name"))
                    .map(normalize),
            );
        }
        if let Some(dir) = member_dir {
            lock.members.push(dir.trim_end_matches('/').to_string());
        }
        let Some(version) = string(p, "version") else {
            continue; // a dynamic-version project: nothing an index serves
        };
        lock.packages.push(locked(
            name,
            version,
            registry.is_none(),
            registry.map(|r| r.trim_end_matches('/').to_string()),
        ));
    }
    Ok(lock)
}

/// Reads `poetry.lock` at `path`. A package from a `legacy` source names
/// its index; one from a directory, file, URL or git is local.
pub fn read_poetry(path: &str) -> Result<Lock, Error> {
    const FILE: &str = "poetry.lock";
    let table = read_table(path, FILE)?;
    let mut lock = Lock {
        requires_python: table
            .get("metadata")
            .and_then(|m| m.get("python-versions"))
            .and_then(Value::as_str)
            .map(str::to_string),
        ..Lock::default()
    };
    for p in packages(&table, FILE)? {
        let (Some(name), Some(version)) = (string(p, "name"), string(p, "version")) else {
            return Err(Error::invalid_data(format!(
                "{FILE} does not parse: a package has no name or version"
            )));
        };
        let source = p.get("source");
        let kind = source.and_then(|s| string(s, "type"));
        let index = match kind {
            Some("legacy") => source
                .and_then(|s| string(s, "url"))
                .map(|u| u.trim_end_matches('/').to_string()),
            _ => None,
        };
        let local = kind.is_some_and(|k| k != "legacy");
        lock.packages.push(locked(name, version, local, index));
    }
    Ok(lock)
}

/// Why the lock no longer matches the manifest, if it does not: a package
/// `all` declares that is not locked (or, for uv, one locked as the
/// project's dependency that is no longer declared), or a locked version
/// none of whose copies `applicable` (the lines for this Python) allows.
pub fn out_of_date(lock: &Lock, all: &Requirements, applicable: &Requirements) -> Option<String> {
    // A universal lock may hold one package at several versions (one per
    // Python or platform).
    let mut by_key: BTreeMap<&str, Vec<&Locked>> = BTreeMap::new();
    for l in &lock.packages {
        by_key.entry(l.package.key.as_str()).or_default().push(l);
    }
    for (key, requirements) in &all.by_package {
        if !by_key.contains_key(key.as_str()) {
            let r = &requirements[0];
            return Some(format!("{} ({}) is not locked", r.text, r.origin));
        }
    }
    for (key, requirements) in &applicable.by_package {
        let Some(copies) = by_key.get(key.as_str()) else {
            continue;
        };
        let allowed = |l: &&Locked| {
            l.package.local
                || Version::from_str(&l.package.version)
                    .map_or(true, |v| requirements.iter().all(|r| r.allows(&v)))
        };
        if !copies.iter().any(allowed) {
            let locked = copies[0];
            let version = Version::from_str(&locked.package.version).ok()?;
            let r = requirements.iter().find(|r| !r.allows(&version))?;
            return Some(format!(
                "{} is locked at {}, which {} ({}) excludes",
                locked.package.name, locked.package.version, r.text, r.origin
            ));
        }
    }
    if let Some(recorded) = &lock.declared
        && let Some(gone) = recorded
            .iter()
            .find(|k| !all.by_package.contains_key(k.as_str()))
    {
        return Some(format!("{gone} is locked but no longer declared"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pyproject;

    fn write(text: &str) -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lock").to_str().unwrap().to_string();
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    const UV_LOCK: &str = r#"version = 1
requires-python = ">=3.8"

[[package]]
name = "aiohttp"
version = "3.8.0"
source = { registry = "http://127.0.0.1:9/simple" }

[[package]]
name = "bot"
version = "0.1.0"
source = { virtual = "." }
dependencies = [{ name = "aiohttp" }]

[package.metadata]
requires-dist = [{ name = "aiohttp", specifier = ">=3.8" }]
"#;

    #[test]
    fn uv_lock_gives_versions_indexes_and_the_projects_own_dependencies() {
        let (_dir, path) = write(UV_LOCK);
        let lock = read_uv(&path).unwrap();
        let aiohttp = &lock.packages[0];
        assert_eq!(aiohttp.package.version, "3.8.0");
        assert!(!aiohttp.package.local);
        assert_eq!(aiohttp.index.as_deref(), Some("http://127.0.0.1:9/simple"));
        assert!(lock.packages[1].package.local);
        assert_eq!(lock.declared, Some(vec!["aiohttp".to_string()]));

        let fits = pyproject::parse("[project]\ndependencies = [\"aiohttp>=3.8\"]\n").unwrap();
        assert_eq!(
            out_of_date(&lock, &fits.pep508(None), &fits.pep508(None)),
            None
        );
        let newer = pyproject::parse("[project]\ndependencies = [\n\"aiohttp>=3.9\"]\n").unwrap();
        let why = out_of_date(&lock, &newer.pep508(None), &newer.pep508(None)).unwrap();
        assert!(
            why.contains("aiohttp>=3.9 (pyproject.toml:3) excludes"),
            "{why}"
        );
        let added =
            pyproject::parse("[project]\ndependencies = [\"aiohttp\", \"yarl\"]\n").unwrap();
        let reqs = added.pep508(None);
        assert!(out_of_date(&lock, &reqs, &reqs).unwrap().contains("yarl"));
        // A line for another Python constrains nothing here, but is locked.
        let other = pyproject::parse(
            "[project]\ndependencies = [\"aiohttp>=3.9; python_version < '3.0'\", \"aiohttp\"]\n",
        )
        .unwrap();
        let py = crate::requirements::Python::parse("3.11.4").unwrap();
        assert_eq!(
            out_of_date(&lock, &other.pep508(None), &other.pep508(Some(&py))),
            None
        );
    }

    #[test]
    fn a_lock_that_does_not_parse_is_named() {
        let (_dir, path) = write("[[package]\nname = ");
        let err = read_uv(&path).unwrap_err();
        assert!(
            err.message.starts_with("uv.lock does not parse"),
            "{}",
            err.message
        );
        let err = read_poetry(&path).unwrap_err();
        assert!(
            err.message.starts_with("poetry.lock does not parse"),
            "{}",
            err.message
        );
    }

    #[test]
    fn poetry_lock_names_legacy_sources_and_marks_local_ones() {
        let (_dir, path) = write(
            "[[package]]\nname = \"aiohttp\"\nversion = \"3.8.0\"\n\n[package.source]\ntype = \"legacy\"\nurl = \"http://127.0.0.1:9/simple/\"\nreference = \"fake\"\n\n[[package]]\nname = \"mine\"\nversion = \"1.0\"\n\n[package.source]\ntype = \"directory\"\nurl = \"../mine\"\n\n[metadata]\nlock-version = \"2.1\"\n",
        );
        let lock = read_poetry(&path).unwrap();
        assert_eq!(
            lock.packages[0].index.as_deref(),
            Some("http://127.0.0.1:9/simple")
        );
        assert!(lock.packages[1].package.local);
        assert!(lock.declared.is_none());
    }
}
