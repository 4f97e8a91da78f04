//! A project as the PyPI JSON API (`{index}/{name}/json`) describes it, and
//! which of its releases pip would consider: PEP 440 order, yanked files and
//! pre-releases left out unless asked, `requires_python` honoured. It never
//! sends requests itself.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::str::FromStr;

use pep440_rs::{Version, VersionSpecifiers};
use serde::Deserialize;
use steward_sdk::Error;

/// A project's document, borrowing its strings from the answer's body: a
/// project lists thousands of files, and copying every name and date out
/// of a few megabytes of JSON was most of what parsing cost.
#[derive(Debug, Deserialize)]
pub struct Project<'a> {
    pub info: ProjectInfo,
    #[serde(default, borrow)]
    pub releases: BTreeMap<Text<'a>, Vec<ReleaseFile<'a>>>,
}

#[derive(Debug, Deserialize)]
pub struct ProjectInfo {
    pub name: String,
    #[serde(default)]
    pub project_urls: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub project_url: Option<String>,
    #[serde(default)]
    pub package_url: Option<String>,
    #[serde(default)]
    pub home_page: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ReleaseFile<'a> {
    #[serde(borrow)]
    pub filename: Text<'a>,
    #[serde(default, borrow)]
    pub packagetype: Option<Text<'a>>,
    #[serde(default)]
    pub size: Option<u64>,
    #[serde(default, borrow)]
    pub upload_time_iso_8601: Option<Text<'a>>,
    #[serde(default)]
    pub yanked: bool,
    #[serde(default, borrow)]
    pub requires_python: Option<Text<'a>>,
}

/// A JSON string as it stands in the body when it has no escapes (nearly
/// always), else unescaped into its own allocation. Unlike `Cow<str>`, it
/// borrows inside an `Option` and as a map key too.
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
    /// As the index spells it.
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
}

pub fn parse(body: &[u8]) -> Result<Project<'_>, Error> {
    serde_json::from_slice(body).map_err(|e| {
        Error::invalid_data(format!(
            "the index answered something that is not a PyPI JSON project: {e}"
        ))
    })
}

impl<'a> Project<'a> {
    /// Every release pip could install, oldest first.
    pub fn candidates(&self, filter: &Filter) -> Vec<Candidate<'_>> {
        // Most files of a project share a few `requires_python` texts:
        // each is parsed once, not once per file.
        let mut fits: HashMap<Option<&str>, bool> = HashMap::new();
        let mut found: Vec<Candidate> = self
            .releases
            .iter()
            .filter_map(|(text, files)| {
                let version = Version::from_str(text).ok()?;
                if version.any_prerelease() && !filter.include_prereleases {
                    return None;
                }
                let files: Vec<&ReleaseFile> = files
                    .iter()
                    .filter(|f| filter.include_yanked || !f.yanked)
                    .filter(|f| {
                        let requires = f.requires_python.as_deref();
                        *fits
                            .entry(requires)
                            .or_insert_with(|| python_fits(requires, filter.python.as_ref()))
                    })
                    .collect();
                (!files.is_empty()).then(|| Candidate {
                    version,
                    text: text.to_string(),
                    files,
                })
            })
            .collect();
        found.sort_by(|a, b| a.version.cmp(&b.version));
        found
    }

    /// Where to read what changed: the project's changelog or release notes
    /// link, else its project page.
    pub fn changelog(&self) -> Option<String> {
        const NAMES: [&str; 7] = [
            "changelog",
            "change log",
            "changes",
            "release notes",
            "releases",
            "history",
            "what's new",
        ];
        if let Some(urls) = &self.info.project_urls {
            for wanted in NAMES {
                if let Some((_, url)) = urls
                    .iter()
                    .find(|(label, _)| label.trim().to_lowercase() == wanted)
                {
                    return Some(url.clone());
                }
            }
        }
        [
            &self.info.project_url,
            &self.info.package_url,
            &self.info.home_page,
        ]
        .into_iter()
        .flatten()
        .find(|u| !u.is_empty())
        .cloned()
    }
}

/// An unparsable `requires_python` does not exclude a file (pip ignores it too).
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
        let wheels = || {
            self.files
                .iter()
                .copied()
                .filter(|f| f.filename.ends_with(".whl"))
        };
        wheels()
            .find(|f| {
                wheel_tags(&f.filename)
                    .iter()
                    .any(|t| installed_tags.contains(t))
            })
            .or_else(|| wheels().find(|f| f.filename.ends_with("-none-any.whl")))
            .or_else(|| {
                self.files
                    .iter()
                    .copied()
                    .find(|f| f.packagetype.as_deref() == Some("sdist"))
            })
    }

    /// When the release appeared: its earliest upload.
    pub fn released(&self) -> Option<String> {
        self.files
            .iter()
            .filter_map(|f| f.upload_time_iso_8601.as_deref())
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
        parse(json.as_bytes()).unwrap()
    }

    const SAMPLE: &str = r#"{
      "info": {"name": "discord.py", "version": "2.4.0",
               "project_urls": {"Homepage": "https://h", "Changelog": "https://c"},
               "project_url": "https://pypi.org/project/discord.py/"},
      "releases": {
        "2.3.0": [{"filename": "discord.py-2.3.0-py3-none-any.whl", "packagetype": "bdist_wheel",
                   "size": 100, "upload_time_iso_8601": "2023-06-01T00:00:00Z", "yanked": false}],
        "2.4.0": [{"filename": "discord.py-2.4.0.tar.gz", "packagetype": "sdist", "size": 900,
                   "upload_time_iso_8601": "2024-06-02T00:00:00Z", "yanked": false},
                  {"filename": "discord.py-2.4.0-py3-none-any.whl", "packagetype": "bdist_wheel",
                   "size": 200, "upload_time_iso_8601": "2024-06-01T00:00:00Z", "yanked": false}],
        "2.5.0": [{"filename": "discord.py-2.5.0-py3-none-any.whl", "packagetype": "bdist_wheel",
                   "size": 300, "yanked": true}],
        "3.0.0a1": [{"filename": "discord.py-3.0.0a1-py3-none-any.whl", "packagetype": "bdist_wheel",
                   "size": 400, "yanked": false}],
        "3.1.0": [{"filename": "discord.py-3.1.0-py3-none-any.whl", "packagetype": "bdist_wheel",
                   "size": 500, "requires_python": ">=3.13", "yanked": false}],
        "1.0.0": [],
        "not a version": [{"filename": "x", "yanked": false}]
      }
    }"#;

    fn versions<'a>(candidates: &'a [Candidate]) -> Vec<&'a str> {
        candidates.iter().map(|c| c.text.as_str()).collect()
    }

    #[test]
    fn candidates_leave_out_yanked_prereleases_empty_and_wrong_python() {
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
        };
        assert_eq!(
            versions(&p.candidates(&filter)),
            vec!["2.3.0", "2.4.0", "2.5.0", "3.0.0a1", "3.1.0"]
        );
    }

    #[test]
    fn changelog_prefers_changelog_link_over_home_page() {
        assert_eq!(project(SAMPLE).changelog().as_deref(), Some("https://c"));
        let bare = project(
            r#"{"info": {"name": "x", "project_urls": {"Homepage": "https://h"},
                 "project_url": "https://pypi.org/project/x/"}, "releases": {}}"#,
        );
        assert_eq!(
            bare.changelog().as_deref(),
            Some("https://pypi.org/project/x/")
        );
    }

    #[test]
    fn likely_file_matches_installed_wheel_tags_first() {
        let files: Vec<ReleaseFile> = serde_json::from_str(
            r#"[{"filename": "x-1.0.tar.gz", "packagetype": "sdist", "size": 9},
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
            r#"{"info": {"name": "x"}, "releases": {"1.0": [{"filename": "x-1.0.tar.gz",
                "packagetype": "sdist", "requires_python": "\u003e=3.8", "yanked": false}]}}"#,
        );
        let file = &p.releases.values().next().unwrap()[0];
        assert_eq!(file.requires_python.as_deref(), Some(">=3.8"));
        assert!(matches!(file.filename.0, Cow::Borrowed(_)));
    }

    #[test]
    fn parse_rejects_html() {
        assert!(parse(b"<html>oops</html>").is_err());
    }
}
