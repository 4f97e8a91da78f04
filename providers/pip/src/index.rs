//! A project as the package index's simple API describes it (the page pip
//! reads, `{index}/{name}/`: PEP 691 JSON, or PEP 503 HTML from indexes
//! that only have that, see `html`), and which of its
//! releases pip would consider: versions read from the file names as pip
//! reads them, PEP 440 order, yanked files and pre-releases left out unless
//! asked, `requires-python` honoured. It never sends requests itself.
//!
//! Why the simple API and not PyPI's `/pypi/{name}/json`: it is what pip
//! uses, so it works with any index pip works with (devpi, Artifactory,
//! a private mirror), it is half the bytes, and PyPI has deprecated the
//! `releases` key of the JSON API that listing every release needs.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::str::FromStr;

use pep440_rs::{Version, VersionSpecifiers};
use serde::Deserialize;
use steward_sdk::Error;

use crate::venv::normalize;

/// A project's page, borrowing its strings from the answer's body: a
/// project lists thousands of files, and copying every name and date out
/// of the JSON was much of what parsing cost.
#[derive(Debug, Deserialize)]
pub struct Project<'a> {
    pub meta: Meta,
    /// The project's normalized name.
    #[serde(borrow)]
    pub name: Text<'a>,
    #[serde(default, borrow)]
    pub files: Vec<ReleaseFile<'a>>,
}

#[derive(Debug, Deserialize)]
pub struct Meta {
    #[serde(rename = "api-version")]
    pub api_version: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ReleaseFile<'a> {
    #[serde(borrow)]
    pub filename: Text<'a>,
    /// PEP 700 (API 1.1); older indexes leave it out.
    #[serde(default)]
    pub size: Option<u64>,
    /// PEP 700 (API 1.1), ISO 8601.
    #[serde(default, borrow, rename = "upload-time")]
    pub upload_time: Option<Text<'a>>,
    /// `false`, `true` or the reason it was yanked.
    #[serde(default)]
    pub yanked: Yanked,
    #[serde(default, borrow, rename = "requires-python")]
    pub requires_python: Option<Text<'a>>,
}

impl ReleaseFile<'_> {
    pub fn is_wheel(&self) -> bool {
        self.filename.ends_with(".whl")
    }
}

/// Whether a file is yanked; the simple API gives a boolean or the reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Yanked(pub bool);

impl<'de> Deserialize<'de> for Yanked {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Yanked;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a boolean or a reason")
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Yanked, E> {
                Ok(Yanked(v))
            }
            fn visit_str<E: serde::de::Error>(self, _reason: &str) -> Result<Yanked, E> {
                Ok(Yanked(true))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Yanked, E> {
                Ok(Yanked(false))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// A JSON string as it stands in the body when it has no escapes (nearly
/// always), else unescaped into its own allocation. Unlike `Cow<str>`, it
/// borrows inside an `Option` too.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Text<'a>(pub Cow<'a, str>);

impl std::ops::Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

/// A release pip could install.
#[derive(Debug, Clone)]
pub struct Candidate<'a> {
    pub version: Version,
    /// PEP 440 normalized, as pip prints it.
    pub text: String,
    /// The files pip could pick from (borrowed: a large project lists
    /// thousands of files, and copying them all was a visible part of a check).
    pub files: Vec<&'a ReleaseFile<'a>>,
}

/// Which releases count.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub include_prereleases: bool,
    pub include_yanked: bool,
    /// The venv's interpreter, for `requires_python`.
    pub python: Option<Version>,
    /// The oldest Python a uv or Poetry project supports: its lock holds
    /// for every Python it supports, so a release that drops that one
    /// cannot be locked.
    pub project_python: Option<Version>,
}

/// What the provider asks for: the JSON form, else the HTML one (pip's own
/// preference order).
pub const ACCEPT: &str = "application/vnd.pypi.simple.v1+json, \
    application/vnd.pypi.simple.v1+html;q=0.1, text/html;q=0.01";

/// Reads a project page in whichever form the index answered, by its
/// content type; `name` is the normalized name it was asked for.
pub fn parse<'a>(
    body: &'a [u8],
    content_type: Option<&str>,
    name: &str,
) -> Result<Project<'a>, Error> {
    let media = content_type
        .and_then(|t| t.split(';').next())
        .map(|t| t.trim().to_ascii_lowercase());
    if matches!(
        media.as_deref(),
        Some("text/html" | "application/vnd.pypi.simple.v1+html")
    ) {
        let page = std::str::from_utf8(body)
            .map_err(|e| Error::invalid_data(format!("the index's HTML page is not UTF-8: {e}")))?;
        return Ok(crate::html::parse(page, name));
    }
    let project: Project = serde_json::from_slice(body).map_err(|e| {
        Error::invalid_data(format!(
            "the index answered something that is not a simple API project page: {e}"
        ))
    })?;
    let major = project.meta.api_version.split('.').next().unwrap_or("");
    if major != "1" {
        return Err(Error::invalid_data(format!(
            "the index speaks simple API version {}; Steward reads version 1",
            project.meta.api_version
        )));
    }
    Ok(project)
}

impl<'a> Project<'a> {
    /// Every release pip could install, oldest first.
    pub fn candidates(&self, filter: &Filter) -> Vec<Candidate<'_>> {
        let name = normalize(&self.name);
        // Most files of a project share a few `requires-python` texts, and
        // a release has a file per platform: each text is parsed once, not
        // once per file.
        let mut fits: HashMap<Option<&str>, bool> = HashMap::new();
        let mut parsed: HashMap<&str, Option<Version>> = HashMap::new();
        let mut releases: BTreeMap<Version, Vec<&ReleaseFile>> = BTreeMap::new();
        for file in &self.files {
            if file.yanked.0 && !filter.include_yanked {
                continue;
            }
            let Some(text) = file_version(&file.filename, &name) else {
                continue;
            };
            let Some(version) = parsed
                .entry(text)
                .or_insert_with(|| Version::from_str(text).ok())
                .clone()
            else {
                continue;
            };
            if version.any_prerelease() && !filter.include_prereleases {
                continue;
            }
            let requires = file.requires_python.as_deref();
            if !*fits.entry(requires).or_insert_with(|| {
                python_fits(requires, filter.python.as_ref())
                    && python_fits(requires, filter.project_python.as_ref())
            }) {
                continue;
            }
            releases.entry(version).or_default().push(file);
        }
        releases
            .into_iter()
            .map(|(version, files)| Candidate {
                text: version.to_string(),
                version,
                files,
            })
            .collect()
    }
}

/// The version in a distribution's file name, as pip reads it: a wheel's
/// second field (`discord_py-2.4.0-py3-none-any.whl`), or what follows the
/// project's name in a source archive (`discord.py-2.4.0.tar.gz`). `None`
/// for other kinds of files (eggs, installers), which pip ignores too.
pub fn file_version<'f>(filename: &'f str, project: &str) -> Option<&'f str> {
    if let Some(stem) = filename.strip_suffix(".whl") {
        let mut parts = stem.split('-');
        let (_name, version) = (parts.next()?, parts.next()?);
        return Some(version);
    }
    let stem = [".tar.gz", ".zip", ".tar.bz2", ".tar.xz", ".tgz", ".tar"]
        .iter()
        .find_map(|ext| filename.strip_suffix(ext))?;
    // Names may contain '-': find the split whose left side is the project.
    stem.match_indices('-')
        .map(|(at, _)| at)
        .find(|&at| normalize(&stem[..at]) == project)
        .map(|at| &stem[at + 1..])
        .filter(|v| !v.is_empty())
}

/// The oldest Python a `requires-python` (PEP 440, or Poetry's `^3.8`,
/// `~3.8`, `||` alternatives) admits: the smallest lower bound it names.
pub fn lowest_python(spec: &str) -> Option<Version> {
    spec.split("||")
        .flat_map(|alternative| alternative.split(','))
        .filter_map(|clause| {
            let clause = clause.trim();
            let bound = [">=", "~=", "==", "^", "~", ">"]
                .iter()
                .find_map(|op| clause.strip_prefix(op))?;
            Version::from_str(bound.trim().trim_end_matches(".*")).ok()
        })
        .min()
}

/// An unparsable `requires-python` does not exclude a file (pip ignores it too).
fn python_fits(requires: Option<&str>, python: Option<&Version>) -> bool {
    match (requires.map(str::trim).filter(|r| !r.is_empty()), python) {
        (Some(spec), Some(python)) => VersionSpecifiers::from_str(spec)
            .map(|s| s.contains(python))
            .unwrap_or(true),
        _ => true,
    }
}

impl<'a> Candidate<'a> {
    /// The file pip would most likely download here: a wheel built for one
    /// of the tags the installed version came with, else a pure-Python
    /// wheel, else the source archive.
    pub fn likely_file(&self, installed_tags: &[String]) -> Option<&'a ReleaseFile<'a>> {
        let wheels = || self.files.iter().copied().filter(|f| f.is_wheel());
        wheels()
            .find(|f| {
                wheel_tags(&f.filename)
                    .iter()
                    .any(|t| installed_tags.contains(t))
            })
            .or_else(|| wheels().find(|f| f.filename.ends_with("-none-any.whl")))
            .or_else(|| self.files.iter().copied().find(|f| !f.is_wheel()))
    }

    /// When the release appeared: its earliest upload.
    pub fn released(&self) -> Option<String> {
        self.files
            .iter()
            .filter_map(|f| f.upload_time.as_deref())
            .min()
            .map(|t| t.to_string())
    }
}

/// The expanded tags of a wheel filename
/// (`x-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl`).
pub fn wheel_tags(filename: &str) -> Vec<String> {
    let stem = filename.trim_end_matches(".whl");
    let parts: Vec<&str> = stem.split('-').collect();
    if parts.len() < 5 {
        return Vec::new();
    }
    let n = parts.len();
    let mut tags = Vec::new();
    for py in parts[n - 3].split('.') {
        for abi in parts[n - 2].split('.') {
            for platform in parts[n - 1].split('.') {
                tags.push(format!("{py}-{abi}-{platform}"));
            }
        }
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(json: &str) -> Project<'_> {
        parse(
            json.as_bytes(),
            Some("application/vnd.pypi.simple.v1+json"),
            "discord-py",
        )
        .unwrap()
    }

    const SAMPLE: &str = r#"{
      "meta": {"api-version": "1.1"},
      "name": "discord-py",
      "versions": ["1.0.0", "2.3.0", "2.4.0", "2.5.0", "3.0.0a1", "3.1.0"],
      "files": [
        {"filename": "discord.py-2.3.0-py3-none-any.whl", "size": 100,
         "upload-time": "2023-06-01T00:00:00Z", "yanked": false, "hashes": {}},
        {"filename": "discord.py-2.4.0.tar.gz", "size": 900,
         "upload-time": "2024-06-02T00:00:00Z", "yanked": false, "hashes": {}},
        {"filename": "discord.py-2.4.0-py3-none-any.whl", "size": 200,
         "upload-time": "2024-06-01T00:00:00Z", "yanked": false, "hashes": {}},
        {"filename": "discord.py-2.5.0-py3-none-any.whl", "size": 300,
         "yanked": "breaks voice", "hashes": {}},
        {"filename": "discord.py-3.0.0a1-py3-none-any.whl", "size": 400, "hashes": {}},
        {"filename": "discord.py-3.1.0-py3-none-any.whl", "size": 500,
         "requires-python": ">=3.13", "yanked": false, "hashes": {}},
        {"filename": "discord.py-0.9.win32.exe", "hashes": {}},
        {"filename": "discord.py-not.a.version.tar.gz", "hashes": {}}
      ]
    }"#;

    fn versions<'a>(candidates: &'a [Candidate]) -> Vec<&'a str> {
        candidates.iter().map(|c| c.text.as_str()).collect()
    }

    #[test]
    fn candidates_leave_out_yanked_prereleases_other_files_and_wrong_python() {
        let p = project(SAMPLE);
        let filter = Filter {
            python: Some(Version::from_str("3.11.7").unwrap()),
            ..Filter::default()
        };
        assert_eq!(versions(&p.candidates(&filter)), vec!["2.3.0", "2.4.0"]);
    }

    #[test]
    fn candidates_include_yanked_and_prereleases_when_asked() {
        let p = project(SAMPLE);
        let filter = Filter {
            include_prereleases: true,
            include_yanked: true,
            python: None,
            project_python: None,
        };
        assert_eq!(
            versions(&p.candidates(&filter)),
            vec!["2.3.0", "2.4.0", "2.5.0", "3.0.0a1", "3.1.0"]
        );
    }

    #[test]
    fn file_versions_are_read_as_pip_reads_them() {
        assert_eq!(
            file_version("discord_py-2.4.0-py3-none-any.whl", "discord-py"),
            Some("2.4.0")
        );
        assert_eq!(
            file_version(
                "python_dateutil-2.9.0.post0-1-py2.py3-none-any.whl",
                "python-dateutil"
            ),
            Some("2.9.0.post0")
        );
        assert_eq!(
            file_version("python-dateutil-2.8.1.tar.gz", "python-dateutil"),
            Some("2.8.1")
        );
        assert_eq!(file_version("Flask-2.0.1.zip", "flask"), Some("2.0.1"));
        assert_eq!(file_version("flask-2.0.1-py3.8.egg", "flask"), None);
        assert_eq!(file_version("other-1.0.tar.gz", "flask"), None);
    }

    #[test]
    fn likely_file_matches_installed_wheel_tags_first() {
        let files: Vec<ReleaseFile> = serde_json::from_str(
            r#"[{"filename": "x-1.0.tar.gz", "size": 9},
                {"filename": "x-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "size": 7},
                {"filename": "x-1.0-cp312-cp312-manylinux_2_17_x86_64.whl", "size": 8}]"#,
        )
        .unwrap();
        let c = Candidate {
            version: Version::from_str("1.0").unwrap(),
            text: "1.0".into(),
            files: files.iter().collect(),
        };
        let tags = vec!["cp311-cp311-manylinux2014_x86_64".to_string()];
        assert_eq!(c.likely_file(&tags).and_then(|f| f.size), Some(7));
        assert_eq!(
            c.likely_file(&tags).map(|f| &*f.filename),
            Some("x-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl")
        );
        assert_eq!(c.likely_file(&[]).and_then(|f| f.size), Some(9));
    }

    #[test]
    fn released_is_the_earliest_upload() {
        let p = project(SAMPLE);
        let all = p.candidates(&Filter::default());
        let c = all.iter().find(|c| c.text == "2.4.0").unwrap();
        assert_eq!(c.released().as_deref(), Some("2024-06-01T00:00:00Z"));
    }

    #[test]
    fn strings_with_escapes_are_unescaped() {
        let p = project(
            r#"{"meta": {"api-version": "1.0"}, "name": "x", "files": [{"filename": "x-1.0.tar.gz",
                "requires-python": "\u003e=3.8", "yanked": false}]}"#,
        );
        let file = &p.files[0];
        assert_eq!(file.requires_python.as_deref(), Some(">=3.8"));
        assert!(matches!(file.filename.0, Cow::Borrowed(_)));
    }

    #[test]
    fn html_pages_are_read_and_other_api_versions_refused() {
        let html = br#"<a href="/p/x-1.0.tar.gz" data-requires-python="&gt;=3">x-1.0.tar.gz</a>"#;
        let p = parse(html, Some("text/html; charset=utf-8"), "x").unwrap();
        assert_eq!(versions(&p.candidates(&Filter::default())), vec!["1.0"]);
        assert!(parse(b"<html>oops</html>", None, "x").is_err());
        let v2 = parse(
            br#"{"meta": {"api-version": "2.0"}, "name": "x", "files": []}"#,
            None,
            "x",
        )
        .unwrap_err();
        assert!(v2.message.contains("version 2.0"), "{}", v2.message);
    }

    #[test]
    fn a_projects_oldest_python_excludes_releases_that_dropped_it() {
        assert_eq!(lowest_python(">=3.8").unwrap().to_string(), "3.8");
        assert_eq!(lowest_python(">=3.9,<4").unwrap().to_string(), "3.9");
        assert_eq!(lowest_python("^3.10 || ^3.8").unwrap().to_string(), "3.8");
        assert_eq!(lowest_python("*"), None);
        let body = br#"{"meta":{"api-version":"1.1"},"name":"idna","files":[
            {"filename":"idna-3.10-py3-none-any.whl","url":"https://x/a","hashes":{},"requires-python":">=3.6"},
            {"filename":"idna-3.20-py3-none-any.whl","url":"https://x/b","hashes":{},"requires-python":">=3.9"}]}"#;
        let p = parse(body, None, "idna").unwrap();
        let filter = Filter {
            python: Some(Version::from_str("3.11.7").unwrap()),
            project_python: lowest_python(">=3.8"),
            ..Filter::default()
        };
        assert_eq!(versions(&p.candidates(&filter)), vec!["3.10"]);
        let venv_only = Filter {
            project_python: None,
            ..filter
        };
        assert_eq!(versions(&p.candidates(&venv_only)), vec!["3.10", "3.20"]);
    }
}
