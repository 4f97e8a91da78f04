//! A package as the npm registry's packument (`{registry}/{name}`)
//! describes it: dist-tags, versions with their dist and deprecation, publish
//! times. It never sends requests itself.
//!
//! A packument carries every version's whole package.json (scripts,
//! dependencies, maintainers, READMEs), often megabytes: only the fields a
//! check uses are read, the rest is skipped without being built, and the
//! strings kept borrow from the response body instead of being copied.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use nodejs_semver::Version;
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use steward_sdk::Error;

#[derive(Debug, Deserialize)]
pub struct Packument<'a> {
    #[serde(default, rename = "dist-tags", borrow)]
    pub dist_tags: BTreeMap<Text<'a>, Text<'a>>,
    #[serde(default, borrow)]
    pub versions: BTreeMap<Text<'a>, Manifest<'a>>,
    /// Publish time per version (plus `created`, `modified`).
    #[serde(default, borrow)]
    pub time: BTreeMap<Text<'a>, Text<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Manifest<'a> {
    #[serde(default)]
    pub deprecated: Deprecated,
    #[serde(default)]
    pub dist: Option<Dist>,
    #[serde(default, borrow)]
    pub repository: Option<Repository<'a>>,
    #[serde(default, borrow)]
    pub homepage: Option<Text<'a>>,
}

#[derive(Debug, Deserialize)]
pub struct Dist {
    #[serde(default, rename = "unpackedSize")]
    pub unpacked_size: Option<u64>,
}

/// A JSON string borrowed from the body when it has no escapes, else owned.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Text<'a>(pub Cow<'a, str>);

impl Text<'_> {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Text<'_> {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(s.to_string())))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(s)))
            }
        }
        d.deserialize_str(V)
    }
}

/// npm marks a version deprecated with a message; `false`, "" or anything
/// else undo it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Deprecated(pub bool);

impl<'de> Deserialize<'de> for Deprecated {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Deprecated;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a deprecation message or flag")
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<Deprecated, E> {
                Ok(Deprecated(b))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Deprecated, E> {
                Ok(Deprecated(!s.is_empty()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Deprecated, E> {
                Ok(Deprecated(false))
            }
            fn visit_none<E: de::Error>(self) -> Result<Deprecated, E> {
                Ok(Deprecated(false))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Deprecated, E> {
                Ok(Deprecated(false))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Deprecated, E> {
                Ok(Deprecated(false))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Deprecated, E> {
                Ok(Deprecated(false))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Deprecated, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Deprecated(false))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Deprecated, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Deprecated(false))
            }
        }
        d.deserialize_any(V)
    }
}

/// package.json's `repository`: a string, or an object whose `url` counts.
#[derive(Debug, Default)]
pub struct Repository<'a> {
    pub url: Option<Text<'a>>,
}

impl<'de: 'a, 'a> Deserialize<'de> for Repository<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Repository<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a repository")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
                Ok(Repository {
                    url: Some(Text(Cow::Borrowed(s))),
                })
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                Ok(Repository {
                    url: Some(Text(Cow::Owned(s.to_string()))),
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut url = None;
                while let Some(key) = map.next_key::<Text<'de>>()? {
                    if key.as_str() == "url" && url.is_none() {
                        // A `url` that is not a string names nothing.
                        url = map.next_value::<Option<Lenient<'de>>>()?.and_then(|l| l.0);
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(Repository { url })
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Repository::default())
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Repository::default())
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Repository::default())
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Repository::default())
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Repository::default())
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Repository::default())
            }
        }
        d.deserialize_any(V)
    }
}

/// A string, or `None` for any other JSON value (skipped, not built).
struct Lenient<'a>(Option<Text<'a>>);

impl<'de: 'a, 'a> Deserialize<'de> for Lenient<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Repository::deserialize(d).map(|r| Lenient(r.url))
    }
}

/// The packument URL; a scoped name keeps its `@` and encodes its `/`, as npm does.
pub fn packument_url(registry: &str, name: &str) -> String {
    format!(
        "{}/{}",
        registry.trim_end_matches('/'),
        name.replace('/', "%2f")
    )
}

pub fn parse(body: &[u8]) -> Result<Packument<'_>, Error> {
    serde_json::from_slice(body).map_err(|e| {
        Error::invalid_data(format!(
            "the registry answered something that is not an npm packument: {e}"
        ))
    })
}

impl Manifest<'_> {
    pub fn is_deprecated(&self) -> bool {
        self.deprecated.0
    }

    /// Where the release notes live: a GitHub repository's releases page,
    /// else the homepage.
    pub fn changelog(&self) -> Option<String> {
        let repo = self.repository.as_ref().and_then(|r| r.url.as_ref());
        if let Some(repo) = repo.and_then(|r| github_repository(r.as_str())) {
            return Some(format!("{repo}/releases"));
        }
        self.homepage
            .as_ref()
            .map(|h| h.as_str())
            .filter(|h| !h.is_empty())
            .map(str::to_string)
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

impl<'a> Packument<'a> {
    /// Every version that parses, with its manifest.
    pub fn parsed_versions(&self) -> Vec<(Version, &str, &Manifest<'a>)> {
        self.versions
            .iter()
            .filter_map(|(text, m)| Some((Version::parse(text.as_str()).ok()?, text.as_str(), m)))
            .collect()
    }

    /// When a version was published, as the registry spells it.
    pub fn released(&self, version: &str) -> Option<&str> {
        self.time.get(version).map(Text::as_str)
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
    fn strings_are_borrowed_from_the_body_unless_escaped() {
        let body = br#"{"name":"x","dist-tags":{"latest":"1.0.1"},
            "versions":{
              "1.0.0":{"deprecated":{"odd":true},"repository":"github:o/r",
                       "scripts":{"test":"x"},"dependencies":{"a":"^1"}},
              "1.0.\u0031":{"repository":{"type":"git","url":"git+https://github.com/o/\u0072.git"},
                       "dist":{"unpackedSize":7,"tarball":"t"},"deprecated":false}},
            "time":{"1.0.0":"2024-01-01T00:00:00.000Z","1.0.1":"2024-02-01T00:00:00.000Z"}}"#;
        let p = parse(body).unwrap();
        let (first, m0) = p.versions.iter().next().unwrap();
        assert_eq!(first.as_str(), "1.0.0");
        assert!(
            matches!(first.0, Cow::Borrowed(_)),
            "a plain key is not copied"
        );
        assert!(
            !m0.is_deprecated(),
            "a deprecation that is no message counts as none"
        );
        assert_eq!(
            m0.changelog().as_deref(),
            Some("https://github.com/o/r/releases")
        );
        let m1 = &p.versions["1.0.1"];
        assert_eq!(
            m1.changelog().as_deref(),
            Some("https://github.com/o/r/releases")
        );
        assert_eq!(m1.dist.as_ref().and_then(|d| d.unpacked_size), Some(7));
        assert_eq!(p.released("1.0.1"), Some("2024-02-01T00:00:00.000Z"));
        assert!(matches!(p.dist_tags["latest"].0, Cow::Borrowed(_)));
    }

    #[test]
    fn parse_rejects_garbage() {
        assert!(parse(b"\x00\x01garbage").is_err());
    }
}
