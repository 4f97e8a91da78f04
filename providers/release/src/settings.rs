//! The release provider's settings: read from the context once per call,
//! checked, paths resolved against the bot root. It never touches the
//! filesystem or the network.

use steward_sdk::{Context, Error, setting};

pub const DEFAULT_GIT: &str = "/usr/bin/git";
const DEFAULT_KEEP_RELEASES: usize = 3;
const DEFAULT_SIZE_LIMIT_MB: u64 = 200;

/// Where the list of available versions comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A release manifest (see MANIFEST.md).
    Manifest { url: String },
    /// The GitHub releases API (`…/repos/OWNER/REPO/releases`).
    Github { api_url: String },
    /// Tags of a git repository, read with `git ls-remote --tags`.
    Git { url: String, program: String },
}

#[derive(Debug, Clone)]
pub struct ReleaseSettings {
    /// The bot's VERSION file (absolute).
    pub version_file: String,
    /// The VERSION file's name inside an unpacked release directory.
    pub version_file_name: String,
    /// The directory holding `<version>/` directories and the `current` link.
    pub releases_dir: String,
    pub source: Source,
    /// How many release directories to keep after an install; 0 keeps all.
    pub keep_releases: usize,
    /// Largest archive to download, in bytes.
    pub size_limit: u64,
    pub include_prereleases: bool,
}

impl ReleaseSettings {
    pub fn from_context(ctx: &Context) -> Result<Self, Error> {
        let version_file = ctx.bot_path("version_file", "VERSION");
        let version_file_name = version_file
            .rsplit('/')
            .next()
            .filter(|name| !name.is_empty())
            .ok_or_else(|| bad_setting("version_file", &version_file, "names no file"))?
            .to_string();
        let releases_dir = ctx
            .bot_path("releases_dir", "releases")
            .trim_end_matches('/')
            .to_string();
        let source = source_from(&ctx.settings)?;
        let keep_releases = match ctx.setting("keep_releases") {
            None => DEFAULT_KEEP_RELEASES,
            Some(raw) => match raw.trim().parse::<usize>() {
                // One kept release would be the new one only: rollback would need a download.
                Ok(1) => {
                    return Err(bad_setting(
                        "keep_releases",
                        raw,
                        "must be at least 2 so the release to roll back to stays on disk (0 keeps all)",
                    ));
                }
                Ok(n) => n,
                Err(_) => return Err(bad_setting("keep_releases", raw, "is not a whole number")),
            },
        };
        let size_limit_mb = match ctx.setting("size_limit_mb") {
            None => DEFAULT_SIZE_LIMIT_MB,
            Some(raw) => raw
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|mb| *mb > 0)
                .ok_or_else(|| {
                    bad_setting("size_limit_mb", raw, "is not a positive whole number")
                })?,
        };
        let include_prereleases = match ctx.setting("include_prereleases") {
            None => false,
            Some(raw) => parse_bool(raw)
                .ok_or_else(|| bad_setting("include_prereleases", raw, "is not true or false"))?,
        };
        Ok(ReleaseSettings {
            version_file,
            version_file_name,
            releases_dir,
            source,
            keep_releases,
            size_limit: size_limit_mb.saturating_mul(1024 * 1024),
            include_prereleases,
        })
    }

    /// The `current` link the bot runs from.
    pub fn current_link(&self) -> String {
        format!("{}/current", self.releases_dir)
    }

    /// Where release `version` is unpacked.
    pub fn release_dir(&self, version: &str) -> String {
        format!("{}/{version}", self.releases_dir)
    }
}

/// The configured source; `describe` uses it too, so it needs no bot root.
pub fn source_from(settings: &[(String, String)]) -> Result<Source, Error> {
    let required = |name: &str, source: &str| {
        setting(settings, name).map(str::to_string).ok_or_else(|| {
            Error::invalid_data(format!(
                "setting source = \"{source}\" needs the setting {name}"
            ))
        })
    };
    match setting(settings, "source").unwrap_or("manifest") {
        "manifest" => Ok(Source::Manifest {
            url: required("manifest_url", "manifest")?,
        }),
        "github" => Ok(Source::Github {
            api_url: required("github_api_url", "github")?,
        }),
        "git" => Ok(Source::Git {
            url: required("git_url", "git")?,
            program: setting(settings, "git").unwrap_or(DEFAULT_GIT).to_string(),
        }),
        other => Err(bad_setting(
            "source",
            other,
            "must be \"manifest\", \"github\" or \"git\"",
        )),
    }
}

/// `host` or `host:port` of an http(s) URL, as grants name hosts.
pub fn url_host(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if !matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    (!authority.is_empty()).then(|| authority.to_ascii_lowercase())
}

fn parse_bool(raw: &str) -> Option<bool> {
    match raw.trim() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

fn bad_setting(name: &str, value: &str, why: &str) -> Error {
    Error::invalid_data(format!("setting {name} = \"{value}\" {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(settings: &[(&str, &str)]) -> Context {
        Context {
            bot_root: "/srv/bot".to_string(),
            settings: settings
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            include_security: true,
        }
    }

    #[test]
    fn defaults_resolve_paths_under_the_bot_root() {
        let s =
            ReleaseSettings::from_context(&ctx(&[("manifest_url", "https://x/m.json")])).unwrap();
        assert_eq!(s.version_file, "/srv/bot/VERSION");
        assert_eq!(s.releases_dir, "/srv/bot/releases");
        assert_eq!(s.current_link(), "/srv/bot/releases/current");
        assert_eq!(s.keep_releases, 3);
        assert_eq!(s.size_limit, 200 * 1024 * 1024);
        assert!(!s.include_prereleases);
        assert_eq!(
            s.source,
            Source::Manifest {
                url: "https://x/m.json".to_string()
            }
        );
    }

    #[test]
    fn manifest_source_without_url_is_refused_naming_the_setting() {
        let err = ReleaseSettings::from_context(&ctx(&[])).unwrap_err();
        assert!(err.message.contains("manifest_url"), "{}", err.message);
    }

    #[test]
    fn keep_releases_of_one_is_refused_because_rollback_needs_the_old_release() {
        let err = ReleaseSettings::from_context(&ctx(&[
            ("manifest_url", "https://x/m.json"),
            ("keep_releases", "1"),
        ]))
        .unwrap_err();
        assert!(err.message.contains("at least 2"), "{}", err.message);
    }

    #[test]
    fn unknown_source_is_refused() {
        let err = ReleaseSettings::from_context(&ctx(&[("source", "ftp")])).unwrap_err();
        assert!(err.message.contains("\"ftp\""), "{}", err.message);
    }

    #[test]
    fn url_host_keeps_the_port_and_drops_credentials_and_path() {
        assert_eq!(
            url_host("https://api.github.com/repos/a/b/releases").as_deref(),
            Some("api.github.com")
        );
        assert_eq!(
            url_host("http://user:pw@127.0.0.1:8080/m.json?x=1").as_deref(),
            Some("127.0.0.1:8080")
        );
        assert_eq!(url_host("git@github.com:a/b.git"), None);
        assert_eq!(url_host("ssh://github.com/a/b.git"), None);
    }
}
