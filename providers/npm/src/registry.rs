//! A package as the npm registry's packument (`{registry}/{name}`)
//! describes it: dist-tags, versions with their dist and deprecation, publish
//! times. It never sends requests itself.

use std::collections::BTreeMap;

use nodejs_semver::Version;
use serde::Deserialize;
use steward_sdk::Error;

#[derive(Debug, Deserialize)]
pub struct Packument {
    #[serde(default)]
    pub name: String,
    #[serde(default, rename = "dist-tags")]
    pub dist_tags: BTreeMap<String, String>,
    #[serde(default)]
    pub versions: BTreeMap<String, Manifest>,
    /// Publish time per version (plus `created`, `modified`).
    #[serde(default)]
    pub time: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Manifest {
    #[serde(default)]
    pub deprecated: Option<serde_json::Value>,
    #[serde(default)]
    pub dist: Option<Dist>,
    #[serde(default)]
    pub repository: Option<serde_json::Value>,
    #[serde(default)]
    pub homepage: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Dist {
    #[serde(default, rename = "unpackedSize")]
    pub unpacked_size: Option<u64>,
}

/// The packument URL; a scoped name keeps its `@` and encodes its `/`, as npm does.
pub fn packument_url(registry: &str, name: &str) -> String {
    format!(
        "{}/{}",
        registry.trim_end_matches('/'),
        name.replace('/', "%2f")
    )
}

pub fn parse(body: &[u8]) -> Result<Packument, Error> {
    serde_json::from_slice(body).map_err(|e| {
        Error::invalid_data(format!(
            "the registry answered something that is not an npm packument: {e}"
        ))
    })
}

impl Manifest {
    /// npm marks a version deprecated with a message; `false` or "" undo it.
    pub fn is_deprecated(&self) -> bool {
        match &self.deprecated {
            Some(serde_json::Value::String(s)) => !s.is_empty(),
            Some(serde_json::Value::Bool(b)) => *b,
            _ => false,
        }
    }

    /// Where the release notes live: a GitHub repository's releases page,
    /// else the homepage.
    pub fn changelog(&self) -> Option<String> {
        let repo = match &self.repository {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(serde_json::Value::Object(o)) => {
                o.get("url").and_then(|u| u.as_str()).map(str::to_string)
            }
            _ => None,
        };
        if let Some(repo) = repo.as_deref().and_then(github_repository) {
            return Some(format!("{repo}/releases"));
        }
        self.homepage.clone().filter(|h| !h.is_empty())
    }
}

/// `https://github.com/owner/repo` from the spellings package.json allows:
/// `git+https://github.com/o/r.git`, `git://github.com/o/r`, `github:o/r`, `o/r`.
pub fn github_repository(repo: &str) -> Option<String> {
    let rest = if let Some(short) = repo.strip_prefix("github:") {
        short
    } else if let Some(at) = repo.find("github.com") {
        repo[at + "github.com".len()..].trim_start_matches([':', '/'])
    } else if !repo.contains(':') && repo.matches('/').count() == 1 {
        repo
    } else {
        return None;
    };
    let mut parts = rest.trim_end_matches('/').split('/');
    let owner = parts.next().filter(|s| !s.is_empty())?;
    let name = parts.next()?.trim_end_matches(".git");
    let name = name.split('#').next().filter(|s| !s.is_empty())?;
    Some(format!("https://github.com/{owner}/{name}"))
}

impl Packument {
    /// Every version that parses, with its manifest.
    pub fn parsed_versions(&self) -> Vec<(Version, &str, &Manifest)> {
        self.versions
            .iter()
            .filter_map(|(text, m)| Some((Version::parse(text).ok()?, text.as_str(), m)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packument_url_encodes_the_scope_slash() {
        assert_eq!(
            packument_url("https://registry.npmjs.org/", "@discordjs/rest"),
            "https://registry.npmjs.org/@discordjs%2frest"
        );
        assert_eq!(packument_url("http://r", "ws"), "http://r/ws");
    }

    #[test]
    fn changelog_prefers_github_releases_then_homepage() {
        let m: Manifest = serde_json::from_str(
            r#"{"repository":{"type":"git","url":"git+https://github.com/discordjs/discord.js.git"},
                "homepage":"https://discord.js.org"}"#,
        )
        .unwrap();
        assert_eq!(
            m.changelog().as_deref(),
            Some("https://github.com/discordjs/discord.js/releases")
        );
        let m: Manifest = serde_json::from_str(r#"{"homepage":"https://h"}"#).unwrap();
        assert_eq!(m.changelog().as_deref(), Some("https://h"));
        assert_eq!(
            github_repository("github:o/r").as_deref(),
            Some("https://github.com/o/r")
        );
        assert_eq!(github_repository("https://gitlab.com/o/r"), None);
    }

    #[test]
    fn deprecated_is_a_nonempty_message() {
        let m: Manifest = serde_json::from_str(r#"{"deprecated":"use v2"}"#).unwrap();
        assert!(m.is_deprecated());
        let m: Manifest = serde_json::from_str(r#"{"deprecated":""}"#).unwrap();
        assert!(!m.is_deprecated());
    }

    #[test]
    fn parse_rejects_garbage() {
        assert!(parse(b"\x00\x01garbage").is_err());
    }
}
