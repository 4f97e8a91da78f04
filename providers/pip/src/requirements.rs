//! Requirements files (`requirements.txt`, constraints), read for the
//! constraints they put on each package: pins and bounds hold updates back,
//! unless the line's environment markers exclude the venv's Python.
//! It follows `-r`/`-c` includes; it never resolves dependencies.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::path::Path;
use std::str::FromStr;

use pep440_rs::{Version, VersionSpecifiers, release_specifiers_to_ranges};
use pep508_rs::{MarkerTree, MarkerTreeKind, MarkerValueVersion, Pep508Url, VersionOrUrl};

use crate::venv::normalize;

/// One constraint on a package, as written.
#[derive(Debug, Clone)]
pub struct Requirement {
    /// The requirement text without markers or comments (`discord.py==2.3.0`).
    pub text: String,
    /// `file:line` it came from.
    pub origin: String,
    pub constraint: Constraint,
    /// Where the line applies (`python_version < "3.8"`); always true when
    /// it has no markers.
    pub marker: MarkerTree,
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
    /// The files' `--index-url` (`-i`): the index pip asks instead of PyPI.
    pub index_url: Option<String>,
    /// The files' `--extra-index-url` lines, in order.
    pub extra_index_urls: Vec<String>,
}

/// Includes nested deeper than this are a loop or a mistake.
const MAX_DEPTH: usize = 8;

/// The interpreter environment markers are evaluated against.
#[derive(Debug, Clone)]
pub struct Python {
    /// `==3.11.7` when the venv says the exact version, `==3.11.*` when only
    /// the series is known (a `lib/python3.11` directory).
    releases: VersionSpecifiers,
}

impl Python {
    /// `3.11.7` is that release; `3.11` is any release of the series.
    pub fn parse(version: &str) -> Option<Python> {
        let version = Version::from_str(version.trim()).ok()?;
        let specifier = match version.release() {
            [_, _] => format!("=={version}.*"),
            [_, _, _, ..] => format!("=={version}"),
            _ => return None,
        };
        Some(Python {
            releases: VersionSpecifiers::from_str(&specifier).ok()?,
        })
    }

    /// Whether `marker` may hold for this Python. Only the Python version
    /// decides: a marker on anything else (platform, implementation, extra)
    /// may hold, so its line keeps constraining; excluding a line wrongly
    /// would let an update through that the operator pinned.
    pub(crate) fn may_match(&self, marker: &MarkerTree) -> bool {
        match marker.kind() {
            MarkerTreeKind::True => true,
            MarkerTreeKind::False => false,
            MarkerTreeKind::Version(node) => {
                // pep508_rs turns `python_version` into `python_full_version`.
                let python = matches!(
                    node.key(),
                    MarkerValueVersion::PythonFullVersion | MarkerValueVersion::PythonVersion
                );
                let ours = release_specifiers_to_ranges(self.releases.clone());
                node.edges().any(|(range, then)| {
                    (!python || !range.intersection(&ours).is_empty()) && self.may_match(&then)
                })
            }
            MarkerTreeKind::String(node) => node.children().any(|(_, t)| self.may_match(&t)),
            MarkerTreeKind::In(node) => node.children().any(|(_, t)| self.may_match(&t)),
            MarkerTreeKind::Contains(node) => node.children().any(|(_, t)| self.may_match(&t)),
            MarkerTreeKind::Extra(node) => node.children().any(|(_, t)| self.may_match(&t)),
        }
    }
}

/// Reads every file in `paths`; a missing file is a warning only when
/// `warn_missing` (the operator named it). Lines whose markers exclude
/// `python` are left out; with no `python`, every line counts.
pub fn read(paths: &[String], warn_missing: bool, python: Option<&Python>) -> Requirements {
    let mut found = Requirements::default();
    for path in paths {
        read_file(Path::new(path), warn_missing, python, 0, &mut found);
    }
    found
}

fn read_file(
    path: &Path,
    warn_missing: bool,
    python: Option<&Python>,
    depth: usize,
    found: &mut Requirements,
) {
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
            read_file(&target, true, python, depth + 1, found);
            continue;
        }
        if let Some((option, url)) = index_option(&line) {
            let url = url.trim_end_matches('/').to_string();
            if option == "--extra-index-url" {
                found.extra_index_urls.push(url);
            } else {
                found.index_url = Some(url);
            }
            continue;
        }
        if line.starts_with('-') {
            continue; // -e, --hash, --find-links…: nothing to hold a version
        }
        match parse_line(&line, origin.clone()) {
            Some((key, requirement)) => {
                if python.is_none_or(|p| p.may_match(&requirement.marker)) {
                    found.by_package.entry(key).or_default().push(requirement);
                }
            }
            None => found
                .warnings
                .push(format!("{origin}: cannot understand requirement {line:?}")),
        }
    }
}

/// `--index-url URL`, `--index-url=URL`, `-i URL`, `--extra-index-url URL`:
/// the option (long form) and its URL.
fn index_option(line: &str) -> Option<(&'static str, &str)> {
    for (spelling, option) in [
        ("--extra-index-url", "--extra-index-url"),
        ("--index-url", "--index-url"),
        ("-i", "--index-url"),
    ] {
        if let Some(rest) = line.strip_prefix(spelling)
            && (rest.starts_with('=') || rest.starts_with(char::is_whitespace))
        {
            let url = rest.trim_start_matches('=').trim();
            return (!url.is_empty()).then_some((option, url));
        }
    }
    None
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

/// Parses a PEP 508 line, `name[extras] specifiers ; markers` or
/// `name @ url ; markers`, followed or not by pip's per-requirement options
/// (`--hash=…`), which constrain no version.
pub fn parse_line(line: &str, origin: String) -> Option<(String, Requirement)> {
    let line = without_options(line);
    let parsed = pep508_rs::Requirement::<DirectReference>::from_str(line).ok()?;
    let constraint = match parsed.version_or_url {
        None => Constraint::Any,
        Some(VersionOrUrl::VersionSpecifier(specifiers)) => Constraint::Specifiers(specifiers),
        Some(VersionOrUrl::Url(_)) => Constraint::DirectReference,
    };
    Some((
        normalize(parsed.name.as_ref()),
        Requirement {
            text: line.split(';').next().unwrap_or("").trim().to_string(),
            origin,
            constraint,
            marker: parsed.marker,
        },
    ))
}

/// The line up to pip's first per-requirement option (` --hash`, ` -C`…):
/// nothing in a PEP 508 requirement starts a word with `-`.
fn without_options(line: &str) -> &str {
    let mut previous_blank = false;
    let mut quote = None;
    for (at, c) in line.char_indices() {
        match quote {
            Some(open) if c == open => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if previous_blank && c == '-' => return line[..at].trim_end(),
            None => {}
        }
        previous_blank = c.is_whitespace();
    }
    line.trim_end()
}

/// The target of `name @ …`, kept as written: any direct reference holds
/// its package wherever it points (a URL, `file:`, a relative path), so it
/// is never parsed further.
#[derive(Debug, Clone)]
struct DirectReference(String);

impl fmt::Display for DirectReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Pep508Url for DirectReference {
    type Err = std::convert::Infallible;

    fn parse_url(url: &str, _working_dir: Option<&Path>) -> Result<Self, Self::Err> {
        Ok(DirectReference(url.to_string()))
    }
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

        let (_, req) = parse_line("attrs (>=22, <24)", "r:7".into()).unwrap();
        assert!(req.allows(&v("23.2.0")));
        assert!(!req.allows(&v("24.1.0")));
    }

    #[test]
    fn parse_line_drops_pip_options_and_keeps_any_direct_reference() {
        let (key, req) = parse_line(
            "yarl==1.9.4 --hash=sha256:aaaa --hash=sha256:bbbb",
            "r:1".into(),
        )
        .unwrap();
        assert_eq!(key, "yarl");
        assert_eq!(req.text, "yarl==1.9.4");
        assert!(req.allows(&v("1.9.4")));
        assert!(!req.allows(&v("1.9.5")));

        let (_, req) = parse_line(
            "foo==1.0 ; platform_release == '5.4 -x' --hash=sha256:aa",
            "r:2".into(),
        )
        .unwrap();
        assert_eq!(req.text, "foo==1.0");

        for line in [
            "mylib @ ./vendor/mylib",
            "mylib @ file:///srv/wheels/mylib.whl",
        ] {
            let (key, req) = parse_line(line, "r:3".into()).unwrap();
            assert_eq!(key, "mylib");
            assert!(!req.allows(&v("1.0")), "{line}");
        }
    }

    #[test]
    fn python_parses_exact_releases_and_series() {
        assert!(Python::parse("3.11.7").is_some());
        assert!(Python::parse("3.12").is_some());
        assert!(Python::parse("3").is_none());
        assert!(Python::parse("three").is_none());
    }

    /// Writes `lines` as a requirements file and reads it for `python`;
    /// returns the packages it constrains.
    fn constrained(lines: &str, python: Option<&str>) -> Vec<String> {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("requirements.txt");
        fs::write(&path, lines).unwrap();
        let python = python.map(|p| Python::parse(p).unwrap());
        let found = read(&[path.display().to_string()], true, python.as_ref());
        assert!(found.warnings.is_empty(), "{:?}", found.warnings);
        found.by_package.into_keys().collect()
    }

    const MARKED: &str = "\
old-only==1.0 ; python_version < \"3.8\"
new-only==2.0 ; python_version >= \"3.8\"
exact==3.0 ; python_version == \"3.11\"
patch-level==4.0 ; python_full_version >= \"3.11.5\"
windows==5.0 ; sys_platform == \"win32\"
either==6.0 ; python_version < \"3.8\" or sys_platform == \"linux\"
both==7.0 ; python_version < \"3.8\" and sys_platform == \"linux\"
";

    #[test]
    fn a_line_for_another_python_does_not_hold_its_package() {
        assert_eq!(
            constrained(MARKED, Some("3.11.7")),
            vec!["either", "exact", "new-only", "patch-level", "windows"]
        );
        assert_eq!(
            constrained(MARKED, Some("3.7.17")),
            vec!["both", "either", "old-only", "windows"]
        );
        assert_eq!(
            constrained(MARKED, Some("3.11.2")),
            vec!["either", "exact", "new-only", "windows"]
        );
    }

    #[test]
    fn a_python_series_keeps_lines_that_some_release_of_it_matches() {
        // `lib/python3.11` says 3.11, not which 3.11.x: `>= 3.11.5` may hold.
        assert_eq!(
            constrained(MARKED, Some("3.11")),
            vec!["either", "exact", "new-only", "patch-level", "windows"]
        );
    }

    #[test]
    fn without_a_known_python_every_line_holds() {
        assert_eq!(constrained(MARKED, None).len(), 7);
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
        let found = read(&[path], false, None);
        assert!(found.warnings.is_empty(), "{:?}", found.warnings);
        assert_eq!(found.by_package["discord-py"][0].text, "discord.py==2.3.0");
        assert_eq!(
            found.by_package["discord-py"][0].origin,
            "requirements.txt:5"
        );
        assert_eq!(found.by_package["aiohttp"].len(), 2);
        assert_eq!(found.by_package["yarl"][0].origin, "base.txt:1");
        assert_eq!(found.index_url.as_deref(), Some("https://pypi.org/simple"));
    }

    #[test]
    fn read_keeps_index_url_and_extra_index_url_lines_in_every_spelling() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(
            tmp.path().join("requirements.txt"),
            "-i http://mirror.example/simple/
--extra-index-url=http://a.example/simple
--extra-index-url http://b.example/simple
--index-urlx nonsense
yarl
",
        )
        .unwrap();
        let path = tmp.path().join("requirements.txt").display().to_string();
        let found = read(&[path], false, None);
        assert_eq!(
            found.index_url.as_deref(),
            Some("http://mirror.example/simple")
        );
        assert_eq!(
            found.extra_index_urls,
            vec!["http://a.example/simple", "http://b.example/simple"]
        );
    }

    #[test]
    fn read_warns_about_missing_files_only_when_named() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("requirements.txt").display().to_string();
        assert!(
            read(std::slice::from_ref(&path), false, None)
                .warnings
                .is_empty()
        );
        assert_eq!(read(&[path], true, None).warnings.len(), 1);
    }
}
