//! The releases a source publishes, in one shape whatever the source: a
//! version, where its archive is and how to check it. Parsers in `source`
//! build it; it never fetches anything itself.

use semver::Version;

/// Which kind of source a catalog came from, for wording messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Manifest,
    Github,
    Git,
}

impl Origin {
    pub fn describe(self) -> &'static str {
        match self {
            Origin::Manifest => "the release manifest",
            Origin::Github => "the GitHub releases",
            Origin::Git => "the git tags",
        }
    }
}

/// A value published either inline or in a separate file to fetch.
#[derive(Debug, Clone, PartialEq)]
pub enum Published {
    Inline(String),
    /// A file at `url`; for checksum lists, the line naming the archive counts.
    At {
        url: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Archive {
    pub url: String,
    /// The archive's file name, to pick its line out of a checksum list.
    pub name: Option<String>,
    /// Lowercase hex when inline.
    pub sha256: Option<Published>,
    pub size: Option<u64>,
    /// A minisign signature.
    pub signature: Option<Published>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Release {
    pub version: Version,
    pub archive: Option<Archive>,
    pub changelog: Option<String>,
    /// RFC 3339.
    pub released: Option<String>,
    pub security: bool,
    pub breaking: bool,
    /// Marked a pre-release by the source, even if the version has no
    /// pre-release part (GitHub's `prerelease` flag).
    pub prerelease: bool,
    /// Where the release's `commands.json` (its slash commands) is published.
    pub commands_url: Option<String>,
    /// The release's signed per-file manifest, for a delta download.
    pub files: Option<FileList>,
}

/// Where a release's per-file manifest is published, and its minisign
/// signature (MANIFEST.md, "Delta downloads").
#[derive(Debug, Clone, PartialEq)]
pub struct FileList {
    pub url: String,
    pub signature: Option<String>,
}

impl Release {
    pub fn new(version: Version) -> Self {
        Release {
            version,
            archive: None,
            changelog: None,
            released: None,
            security: false,
            breaking: false,
            prerelease: false,
            commands_url: None,
            files: None,
        }
    }

    pub fn is_prerelease(&self) -> bool {
        self.prerelease || !self.version.pre.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Catalog {
    pub origin: Origin,
    pub releases: Vec<Release>,
    /// Version strings that are not semantic versions, as published.
    pub skipped: Vec<String>,
    /// Other entries that could not be used, as sentences.
    pub problems: Vec<String>,
}

impl Catalog {
    pub fn new(origin: Origin) -> Self {
        Catalog {
            origin,
            releases: Vec::new(),
            skipped: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// Adds `release` unless its version is already listed.
    pub fn add(&mut self, release: Release) {
        if self.releases.iter().any(|r| r.version == release.version) {
            self.problems.push(format!(
                "{} lists version {} more than once; the first entry counts",
                self.origin.describe(),
                release.version
            ));
        } else {
            self.releases.push(release);
        }
    }

    pub fn find(&self, version: &Version) -> Option<&Release> {
        self.releases.iter().find(|r| &r.version == version)
    }

    /// Warnings for the report: skipped versions named, then other problems.
    pub fn warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        if !self.skipped.is_empty() {
            const SHOWN: usize = 20;
            let mut names: Vec<String> = self
                .skipped
                .iter()
                .take(SHOWN)
                .map(|v| format!("\"{v}\""))
                .collect();
            if self.skipped.len() > SHOWN {
                names.push(format!("and {} more", self.skipped.len() - SHOWN));
            }
            warnings.push(format!(
                "skipped versions in {} that are not semantic versions: {}",
                self.origin.describe(),
                names.join(", ")
            ));
        }
        warnings.extend(self.problems.iter().cloned());
        warnings
    }
}

/// A version as sources write it: an optional leading `v`, then semver.
pub fn parse_version(raw: &str) -> Option<Version> {
    let trimmed = raw.trim();
    let bare = trimmed
        .strip_prefix('v')
        .or_else(|| trimmed.strip_prefix('V'))
        .unwrap_or(trimmed);
    Version::parse(bare).ok()
}

/// A sha256 as lowercase hex, if `raw` is one.
pub fn parse_sha256(raw: &str) -> Option<String> {
    let hex = raw.trim();
    let hex = hex.strip_prefix("sha256:").unwrap_or(hex);
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| hex.to_ascii_lowercase())
}

/// The sha256 for `name` in a checksum file (`sha256sum` output: `HEX  NAME`
/// or `HEX *NAME` lines, or a lone `HEX`).
pub fn sha256_from_sums(text: &str, name: Option<&str>) -> Option<String> {
    let mut lone = Vec::new();
    for line in text.lines() {
        let mut parts = line.split_whitespace();
        let Some(hash) = parts.next().and_then(parse_sha256) else {
            continue;
        };
        match parts.next().map(|n| n.trim_start_matches('*')) {
            Some(file) if Some(file) == name => return Some(hash),
            Some(_) => {}
            None => lone.push(hash),
        }
    }
    // A file holding just one bare hash is the `.sha256` companion of one archive.
    (lone.len() == 1).then(|| lone.remove(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_with_or_without_a_leading_v() {
        assert_eq!(parse_version("v1.2.3"), Some(Version::new(1, 2, 3)));
        assert_eq!(parse_version("1.2.3"), Some(Version::new(1, 2, 3)));
        assert_eq!(parse_version("latest"), None);
        assert_eq!(parse_version("1.2"), None);
        assert!(parse_version("2.0.0-rc.1").unwrap().pre.as_str() == "rc.1");
    }

    #[test]
    fn checksum_file_line_for_the_archive_is_picked_out() {
        let a = "a".repeat(64);
        let b = "B".repeat(64);
        let sums = format!("{a}  bot-linux.tar.gz\n{b} *bot-1.5.0.tar.gz\n");
        assert_eq!(
            sha256_from_sums(&sums, Some("bot-1.5.0.tar.gz")),
            Some("b".repeat(64))
        );
        assert_eq!(sha256_from_sums(&sums, Some("other.tar.gz")), None);
        assert_eq!(sha256_from_sums(&format!("{a}\n"), None), Some(a));
        assert_eq!(sha256_from_sums("not a hash\n", None), None);
    }

    #[test]
    fn skipped_versions_are_named_in_one_warning() {
        let mut catalog = Catalog::new(Origin::Manifest);
        catalog.skipped = vec!["latest".to_string(), "1.x".to_string()];
        assert_eq!(
            catalog.warnings(),
            vec![
                "skipped versions in the release manifest that are not semantic versions: \"latest\", \"1.x\""
                    .to_string()
            ]
        );
    }
}
