//! Requirements files (`requirements.txt`, constraints), read for the
//! constraints they put on each package: pins and bounds hold updates back.
//! It follows `-r`/`-c` includes; it never resolves dependencies.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::str::FromStr;

use pep440_rs::{Version, VersionSpecifiers};

use crate::venv::normalize;

/// One constraint on a package, as written.
#[derive(Debug, Clone)]
pub struct Requirement {
    /// The requirement text without markers or comments (`discord.py==2.3.0`).
    pub text: String,
    /// `file:line` it came from.
    pub origin: String,
    pub constraint: Constraint,
}

#[derive(Debug, Clone)]
pub enum Constraint {
    /// No version constraint (`aiohttp`, `aiohttp[speedups]`).
    Any,
    Specifiers(VersionSpecifiers),
    /// `name @ url`: the package comes from that URL, never from the index.
    DirectReference,
}

impl Requirement {
    /// Whether installing `version` keeps this requirement satisfied.
    pub fn allows(&self, version: &Version) -> bool {
        match &self.constraint {
            Constraint::Any => true,
            Constraint::Specifiers(s) => s.contains(version),
            Constraint::DirectReference => false,
        }
    }
}

/// Requirements by normalized package name, plus what could not be read.
#[derive(Debug, Default)]
pub struct Requirements {
    pub by_package: BTreeMap<String, Vec<Requirement>>,
    pub warnings: Vec<String>,
}

/// Includes nested deeper than this are a loop or a mistake.
const MAX_DEPTH: usize = 8;

/// Reads every file in `paths`; a missing file is a warning only when
/// `warn_missing` (the operator named it).
pub fn read(paths: &[String], warn_missing: bool) -> Requirements {
    let mut found = Requirements::default();
    for path in paths {
        read_file(Path::new(path), warn_missing, 0, &mut found);
    }
    found
}

fn read_file(path: &Path, warn_missing: bool, depth: usize, found: &mut Requirements) {
    if depth > MAX_DEPTH {
        found.warnings.push(format!(
            "{}: includes nested deeper than {MAX_DEPTH}; not followed",
            path.display()
        ));
        return;
    }
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            if warn_missing || e.kind() != std::io::ErrorKind::NotFound {
                found
                    .warnings
                    .push(format!("cannot read {}: {e}", path.display()));
            }
            return;
        }
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    for (number, line) in logical_lines(&text) {
        let origin = format!("{name}:{number}");
        if let Some(include) = line
            .strip_prefix("-r")
            .or_else(|| line.strip_prefix("-c"))
            .or_else(|| line.strip_prefix("--requirement"))
            .or_else(|| line.strip_prefix("--constraint"))
        {
            let include = include.trim_start_matches('=').trim();
            let target = path.parent().unwrap_or(Path::new("/")).join(include);
            read_file(&target, true, depth + 1, found);
            continue;
        }
        if line.starts_with('-') {
            continue; // --index-url, -e, --hash…: nothing to hold a version
        }
        match parse_line(&line, origin.clone()) {
            Some((key, requirement)) => found.by_package.entry(key).or_default().push(requirement),
            None => found
                .warnings
                .push(format!("{origin}: cannot understand requirement {line:?}")),
        }
    }
}

/// Lines with comments removed and `\` continuations joined, numbered from 1.
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut lines = Vec::new();
    let mut current = String::new();
    let mut start = 0;
    for (i, raw) in text.lines().enumerate() {
        if current.is_empty() {
            start = i + 1;
        }
        // A `#` starts a comment at the line start or after whitespace (URLs keep theirs).
        let without_comment = match raw.find(" #").or_else(|| raw.find("\t#")) {
            Some(at) => &raw[..at],
            None if raw.trim_start().starts_with('#') => "",
            None => raw,
        };
        if let Some(continued) = without_comment.strip_suffix('\\') {
            current.push_str(continued);
            current.push(' ');
            continue;
        }
        current.push_str(without_comment);
        let line = current.trim().to_string();
        current.clear();
        if !line.is_empty() {
            lines.push((start, line));
        }
    }
    let line = current.trim().to_string();
    if !line.is_empty() {
        lines.push((start, line));
    }
    lines
}

/// Parses `name[extras] specifiers ; markers` or `name @ url`.
pub fn parse_line(line: &str, origin: String) -> Option<(String, Requirement)> {
    // Environment markers decide where a line applies, not what it allows.
    let without_marker = line.split(';').next().unwrap_or("").trim();
    let name_end = without_marker
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(without_marker.len());
    let name = &without_marker[..name_end];
    if name.is_empty() {
        return None;
    }
    let mut rest = without_marker[name_end..].trim_start();
    if rest.starts_with('[') {
        let close = rest.find(']')?;
        rest = rest[close + 1..].trim_start();
    }
    let constraint = if rest.starts_with('@') {
        Constraint::DirectReference
    } else if rest.is_empty() {
        Constraint::Any
    } else {
        let specs = rest.trim_start_matches('(').trim_end_matches(')');
        Constraint::Specifiers(VersionSpecifiers::from_str(specs).ok()?)
    };
    Some((
        normalize(name),
        Requirement {
            text: without_marker.to_string(),
            origin,
            constraint,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::from_str(s).unwrap()
    }

    #[test]
    fn parse_line_reads_pins_bounds_extras_and_markers() {
        let (key, req) = parse_line("Discord.py==2.3.0", "r:1".into()).unwrap();
        assert_eq!(key, "discord-py");
        assert!(req.allows(&v("2.3.0")));
        assert!(!req.allows(&v("2.3.1")));

        let (key, req) = parse_line(
            "aiohttp[speedups] >=3.8,<4 ; python_version >= '3.8'",
            "r:2".into(),
        )
        .unwrap();
        assert_eq!(key, "aiohttp");
        assert_eq!(req.text, "aiohttp[speedups] >=3.8,<4");
        assert!(req.allows(&v("3.9.5")));
        assert!(!req.allows(&v("4.0.0")));

        let (_, req) = parse_line("requests~=2.28", "r:3".into()).unwrap();
        assert!(req.allows(&v("2.31.0")));
        assert!(!req.allows(&v("3.0")));

        let (_, req) = parse_line("yarl!=1.9.3", "r:4".into()).unwrap();
        assert!(!req.allows(&v("1.9.3")));
        assert!(req.allows(&v("1.9.4")));

        let (_, req) = parse_line("mylib @ https://example.org/mylib.whl", "r:5".into()).unwrap();
        assert!(!req.allows(&v("1.0")));
        assert!(parse_line("x===", "r:6".into()).is_none());
    }

    #[test]
    fn read_follows_includes_and_skips_options_and_comments() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(
            tmp.path().join("requirements.txt"),
            "# the bot\n--index-url https://pypi.org/simple\n-r base.txt\n-c constraints.txt\n\
             discord.py==2.3.0  # pinned: 2.4 breaks voice\naiohttp \\\n  >=3.8\n",
        )
        .unwrap();
        fs::write(tmp.path().join("base.txt"), "yarl<2\n").unwrap();
        fs::write(tmp.path().join("constraints.txt"), "aiohttp<3.10\n").unwrap();
        let path = tmp.path().join("requirements.txt").display().to_string();
        let found = read(&[path], false);
        assert!(found.warnings.is_empty(), "{:?}", found.warnings);
        assert_eq!(found.by_package["discord-py"][0].text, "discord.py==2.3.0");
        assert_eq!(
            found.by_package["discord-py"][0].origin,
            "requirements.txt:5"
        );
        assert_eq!(found.by_package["aiohttp"].len(), 2);
        assert_eq!(found.by_package["yarl"][0].origin, "base.txt:1");
    }

    #[test]
    fn read_warns_about_missing_files_only_when_named() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("requirements.txt").display().to_string();
        assert!(read(std::slice::from_ref(&path), false).warnings.is_empty());
        assert_eq!(read(&[path], true).warnings.len(), 1);
    }
}
