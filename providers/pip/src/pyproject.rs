//! `pyproject.toml`, read for what it declares: which tool manages the
//! project (`[tool.uv]`, `[tool.poetry]`) and the constraints its
//! dependencies put on each package, each with the file and line it is on.
//! It reads only; Poetry's `^`/`~` constraints become PEP 440 specifiers here.

use std::str::FromStr;

use pep440_rs::VersionSpecifiers;
use pep508_rs::MarkerTree;
use steward_sdk::Error;
use toml::{Table, Value};

use crate::requirements::{Constraint, Python, Requirement, Requirements, parse_line};
use crate::venv::normalize;

pub const FILE: &str = "pyproject.toml";

/// A parsed `pyproject.toml` and its text (for line numbers).
#[derive(Debug)]
pub struct Pyproject {
    pub table: Table,
    pub text: String,
    /// The file as messages name it: `pyproject.toml`, or a uv workspace
    /// member's `packages/api/pyproject.toml`.
    pub file: String,
}

/// Reads `{root}/pyproject.toml`; `None` when there is none. A file that is
/// not TOML is an error naming it.
pub fn read(root: &str) -> Result<Option<Pyproject>, Error> {
    let path = format!("{root}/{FILE}");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::not_found(format!("cannot read {path}: {e}"))),
    };
    parse(&text).map(Some)
}

/// Reads a uv workspace member's `pyproject.toml` (`member` is its
/// directory relative to the root); a member without one is an error
/// naming it, as uv would fail on it too.
pub fn read_member(root: &str, member: &str) -> Result<Pyproject, Error> {
    let file = format!("{member}/{FILE}");
    let text = std::fs::read_to_string(format!("{root}/{file}")).map_err(|e| {
        Error::not_found(format!("cannot read {file} (a uv workspace member): {e}"))
    })?;
    parse_named(&text, file)
}

pub fn parse(text: &str) -> Result<Pyproject, Error> {
    parse_named(text, FILE.to_string())
}

fn parse_named(text: &str, file: String) -> Result<Pyproject, Error> {
    let table = text
        .parse::<Table>()
        .map_err(|e| Error::invalid_data(format!("{file} is not valid TOML: {}", e.message())))?;
    Ok(Pyproject {
        table,
        text: text.to_string(),
        file,
    })
}

impl Pyproject {
    fn get(&self, path: &[&str]) -> Option<&Value> {
        let mut at = self.table.get(path[0])?;
        for key in &path[1..] {
            at = at.get(key)?;
        }
        Some(at)
    }

    pub fn has_tool(&self, tool: &str) -> bool {
        self.get(&["tool", tool]).is_some()
    }

    /// `pyproject.toml:N`, the first line that holds `needle` (1 when none does).
    fn origin(&self, needle: &str) -> String {
        let line = self
            .text
            .lines()
            .position(|l| l.contains(needle))
            .map_or(1, |i| i + 1);
        format!("{}:{line}", self.file)
    }

    /// The PEP 508 requirements: `project.dependencies`, every optional
    /// dependency list and dependency group, and uv's `dev-dependencies`.
    /// Lines whose markers exclude `python` are left out.
    pub fn pep508(&self, python: Option<&Python>) -> Requirements {
        let mut lists: Vec<&Value> = Vec::new();
        lists.extend(self.get(&["project", "dependencies"]));
        for key in [
            &["project", "optional-dependencies"][..],
            &["dependency-groups"][..],
        ] {
            if let Some(Value::Table(groups)) = self.get(key) {
                lists.extend(groups.values());
            }
        }
        lists.extend(self.get(&["tool", "uv", "dev-dependencies"]));
        let mut found = Requirements::default();
        for list in lists {
            // A group may also hold `{include-group = "…"}`: not a requirement.
            for text in list
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                match parse_line(text, self.origin(&format!("\"{text}\""))) {
                    Some((key, requirement)) => {
                        if python.is_none_or(|p| p.may_match(&requirement.marker)) {
                            found.by_package.entry(key).or_default().push(requirement);
                        }
                    }
                    None => found.warnings.push(format!(
                        "{}: cannot understand requirement {text:?}",
                        self.origin(text)
                    )),
                }
            }
        }
        found
    }

    /// Poetry's constraints: `tool.poetry.dependencies`, every
    /// `tool.poetry.group.*.dependencies` and the old `dev-dependencies`.
    pub fn poetry(&self) -> Requirements {
        let mut tables: Vec<&Table> = Vec::new();
        for key in [
            &["tool", "poetry", "dependencies"][..],
            &["tool", "poetry", "dev-dependencies"][..],
        ] {
            tables.extend(self.get(key).and_then(Value::as_table));
        }
        if let Some(Value::Table(groups)) = self.get(&["tool", "poetry", "group"]) {
            tables.extend(
                groups
                    .values()
                    .filter_map(|g| g.get("dependencies")?.as_table()),
            );
        }
        let mut found = Requirements::default();
        for (name, spec) in tables.into_iter().flatten() {
            if name == "python" {
                continue;
            }
            let written = match spec {
                Value::String(s) => Some(s.as_str()),
                Value::Table(t) => t.get("version").and_then(Value::as_str),
                // A list of alternatives by marker: each may apply.
                _ => None,
            };
            let origin = self.origin(&format!("{name} ="));
            let constraint = match written {
                None if matches!(spec, Value::Table(t) if ["git", "path", "url"].iter().any(|k| t.contains_key(*k))) => {
                    Constraint::DirectReference
                }
                None => Constraint::Any,
                Some(text) => match poetry_constraint(text) {
                    Some(c) => c,
                    None => {
                        found.warnings.push(format!(
                            "{origin}: cannot understand the constraint {name} = {text:?}; not applied"
                        ));
                        Constraint::Any
                    }
                },
            };
            found
                .by_package
                .entry(normalize(name))
                .or_default()
                .push(Requirement {
                    text: format!("{name} = {:?}", written.unwrap_or("*")),
                    origin,
                    constraint,
                    marker: MarkerTree::TRUE,
                });
        }
        found
    }
}

/// A Poetry constraint (`^1.2`, `~1.2.3`, `1.2.*`, `>=1,<2`, `1.2.3`, `*`)
/// as PEP 440 specifiers; `None` for what it cannot read (`||` unions).
pub fn poetry_constraint(text: &str) -> Option<Constraint> {
    let text = text.trim();
    if text == "*" || text.is_empty() {
        return Some(Constraint::Any);
    }
    if text.contains("||") || text.contains('|') {
        return None;
    }
    let mut parts = Vec::new();
    for piece in text.split(',').flat_map(|p| {
        // Poetry also separates with spaces: `>=1.2 <2`.
        let p = p.trim();
        let mut out = Vec::new();
        let mut current = String::new();
        for word in p.split_whitespace() {
            if !current.is_empty() && word.starts_with(['<', '>', '=', '!', '~', '^']) {
                out.push(std::mem::take(&mut current));
            }
            current.push_str(word);
        }
        if !current.is_empty() {
            out.push(current);
        }
        out
    }) {
        if let Some(v) = piece.strip_prefix('^') {
            let release = release(v)?;
            let first = release
                .iter()
                .position(|&n| n != 0)
                .unwrap_or(release.len() - 1);
            parts.push(format!(">={v}"));
            parts.push(format!("<{}", bump(&release, first)));
        } else if let Some(v) = piece.strip_prefix("~=") {
            parts.push(format!("~={v}"));
        } else if let Some(v) = piece.strip_prefix('~') {
            let release = release(v)?;
            let at = if release.len() == 1 { 0 } else { 1 };
            parts.push(format!(">={v}"));
            parts.push(format!("<{}", bump(&release, at)));
        } else if piece.starts_with(['<', '>', '=', '!']) {
            parts.push(piece.replace("= ", "="));
        } else {
            parts.push(format!("=={piece}"));
        }
    }
    VersionSpecifiers::from_str(&parts.join(","))
        .ok()
        .map(Constraint::Specifiers)
}

fn release(v: &str) -> Option<Vec<u64>> {
    v.split('.')
        .map(|n| n.parse().ok())
        .collect::<Option<Vec<u64>>>()
        .filter(|r| !r.is_empty())
}

/// `release` with component `at` raised by one and the rest dropped.
fn bump(release: &[u64], at: usize) -> String {
    let mut parts: Vec<String> = release[..at].iter().map(u64::to_string).collect();
    parts.push((release[at] + 1).to_string());
    parts.join(".")
}

#[cfg(test)]
mod tests {
    use super::*;
    use pep440_rs::Version;

    fn allows(constraint: &str, version: &str) -> bool {
        match poetry_constraint(constraint).unwrap() {
            Constraint::Specifiers(s) => s.contains(&Version::from_str(version).unwrap()),
            Constraint::Any => true,
            Constraint::DirectReference => false,
        }
    }

    #[test]
    fn poetry_caret_and_tilde_become_pep440_bounds() {
        assert!(allows("^1.2", "1.9.0") && !allows("^1.2", "2.0.0"));
        assert!(allows("^0.2.3", "0.2.9") && !allows("^0.2.3", "0.3.0"));
        assert!(allows("~1.2.3", "1.2.9") && !allows("~1.2.3", "1.3.0"));
        assert!(allows("~1", "1.9") && !allows("~1", "2.0"));
        assert!(allows(">=3.8 <4", "3.9.1") && !allows(">=3.8,<3.9", "3.9.1"));
        assert!(allows("3.8.0", "3.8.0") && !allows("3.8.0", "3.9.1"));
        assert!(allows("*", "9"));
        assert!(poetry_constraint("^1 || ^2").is_none());
    }

    #[test]
    fn requirements_name_the_pyproject_line_that_declares_them() {
        let p = parse(
            "[project]\nname = \"bot\"\ndependencies = [\n  \"aiohttp>=3.8,<3.9\",\n  \"yarl\",\n]\n\n[dependency-groups]\ndev = [\"attrs==23.1.0\"]\n\n[tool.poetry.dependencies]\npython = \"^3.8\"\nfrozenlist = \"^1.4\"\n",
        )
        .unwrap();
        let reqs = p.pep508(None);
        let aiohttp = &reqs.by_package["aiohttp"][0];
        assert_eq!(aiohttp.origin, "pyproject.toml:4");
        assert_eq!(aiohttp.text, "aiohttp>=3.8,<3.9");
        assert_eq!(reqs.by_package["attrs"][0].origin, "pyproject.toml:9");
        let poetry = p.poetry();
        assert!(!poetry.by_package.contains_key("python"));
        let frozen = &poetry.by_package["frozenlist"][0];
        assert_eq!(frozen.origin, "pyproject.toml:13");
        assert!(!frozen.allows(&Version::from_str("2.0.0").unwrap()));
        assert!(parse("[project\n").unwrap_err().message.contains(FILE));
    }
}
