//! What is installed in a virtualenv, read the way pip reads it: every
//! `lib/python3*/site-packages/*.dist-info` (METADATA name, version and
//! links, WHEEL tags) and `pyvenv.cfg`. It only reads; it never runs the
//! interpreter.

use std::fs;
use std::path::{Path, PathBuf};

use steward_sdk::{Error, ErrorCode};

/// One installed distribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    /// The name as its METADATA spells it.
    pub name: String,
    /// PEP 503 normalized.
    pub key: String,
    pub version: String,
    /// Wheel tags it was installed from (`cp311-cp311-manylinux_2_17_x86_64`).
    pub tags: Vec<String>,
    /// Installed from a local directory (editable or `pip install ./x`): the
    /// index does not serve it.
    pub local: bool,
    /// METADATA's `Project-URL` links (label, URL), then `Home-page` as
    /// ("Home-page", URL).
    pub links: Vec<(String, String)>,
}

impl Installed {
    /// Where to read what changed: the project's changelog or release
    /// notes link, else its home page.
    pub fn changelog(&self) -> Option<String> {
        const CHANGELOG: [&str; 7] = [
            "changelog",
            "change log",
            "changes",
            "release notes",
            "releases",
            "history",
            "what's new",
        ];
        const HOME: [&str; 3] = ["homepage", "home", "home-page"];
        let labelled = |wanted: &str| {
            self.links
                .iter()
                .find(|(label, _)| label.trim().to_lowercase() == wanted)
                .map(|(_, url)| url.clone())
        };
        CHANGELOG.into_iter().chain(HOME).find_map(labelled)
    }
}

/// The virtualenv's installed distributions and interpreter version.
#[derive(Debug, Clone, Default)]
pub struct Venv {
    pub python_version: Option<String>,
    pub packages: Vec<Installed>,
}

/// PEP 503: lowercase, runs of `-`, `_`, `.` become one `-`.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_separator = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_separator {
                out.push('-');
            }
            in_separator = true;
        } else {
            out.extend(c.to_lowercase());
            in_separator = false;
        }
    }
    out
}

/// Reads the virtualenv at `venv`.
pub fn read(venv: &str) -> Result<Venv, Error> {
    let root = Path::new(venv);
    let lib = root.join("lib");
    let entries = fs::read_dir(&lib).map_err(|e| {
        let code = if e.kind() == std::io::ErrorKind::NotFound {
            ErrorCode::NotFound
        } else {
            ErrorCode::Denied
        };
        Error::new(
            code,
            format!(
                "no virtualenv at {venv}: cannot read {}: {e}",
                lib.display()
            ),
        )
    })?;
    let mut lib_dirs: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("python3"))
        .collect();
    lib_dirs.sort();
    let mut site_dirs: Vec<PathBuf> = lib_dirs
        .iter()
        .map(|name| lib.join(name).join("site-packages"))
        .filter(|p| p.is_dir())
        .collect();
    site_dirs.sort();
    let mut packages = Vec::new();
    for site in &site_dirs {
        let Ok(entries) = fs::read_dir(site) else {
            continue;
        };
        let mut dirs: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "dist-info"))
            .collect();
        dirs.sort();
        for dir in dirs {
            if let Some(installed) = read_dist_info(&dir) {
                packages.push(installed);
            }
        }
    }
    packages.sort_by(|a, b| a.key.cmp(&b.key));
    packages.dedup_by(|a, b| a.key == b.key);
    Ok(Venv {
        python_version: fs::read_to_string(root.join("pyvenv.cfg"))
            .ok()
            .and_then(|cfg| python_version(&cfg))
            .or_else(|| series_of_lib_dirs(&lib_dirs)),
        packages,
    })
}

fn read_dist_info(dir: &Path) -> Option<Installed> {
    let metadata = fs::read_to_string(dir.join("METADATA")).ok()?;
    let headers = Headers::read(&metadata)?;
    let tags = fs::read_to_string(dir.join("WHEEL"))
        .map(|w| wheel_tags(&w))
        .unwrap_or_default();
    let local = fs::read_to_string(dir.join("direct_url.json"))
        .ok()
        .is_some_and(|d| installed_from_directory(&d));
    Some(Installed {
        key: normalize(&headers.name),
        name: headers.name,
        version: headers.version,
        tags,
        local,
        links: headers.links,
    })
}

/// What the header block of a METADATA file says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Headers {
    pub name: String,
    pub version: String,
    pub links: Vec<(String, String)>,
}

impl Headers {
    /// `None` without a `Name:` and a `Version:`.
    pub fn read(metadata: &str) -> Option<Headers> {
        let mut name = None;
        let mut version = None;
        let mut links = Vec::new();
        let mut home_page = None;
        for line in metadata.lines() {
            if line.trim().is_empty() {
                break; // the description body follows the headers
            }
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim();
            match key {
                "Name" => {
                    name.get_or_insert_with(|| value.to_string());
                }
                "Version" => {
                    version.get_or_insert_with(|| value.to_string());
                }
                // `Project-URL: Changelog, https://…`
                "Project-URL" => {
                    if let Some((label, url)) = value.split_once(',')
                        && !url.trim().is_empty()
                    {
                        links.push((label.trim().to_string(), url.trim().to_string()));
                    }
                }
                "Home-page" if !value.is_empty() && value != "UNKNOWN" => {
                    home_page.get_or_insert_with(|| value.to_string());
                }
                _ => {}
            }
        }
        links.extend(home_page.map(|url| ("Home-page".to_string(), url)));
        Some(Headers {
            name: name.filter(|n| !n.is_empty())?,
            version: version.filter(|v| !v.is_empty())?,
            links,
        })
    }
}

/// Every `Tag:` line of a WHEEL file.
pub fn wheel_tags(wheel: &str) -> Vec<String> {
    wheel
        .lines()
        .filter_map(|l| l.strip_prefix("Tag:"))
        .map(|t| t.trim().to_string())
        .collect()
}

/// PEP 610: `dir_info` means a local directory, editable or not.
pub fn installed_from_directory(direct_url: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(direct_url)
        .ok()
        .is_some_and(|v| v.get("dir_info").is_some())
}

/// The interpreter version from `pyvenv.cfg` (`version = 3.11.7`, or uv's
/// `version_info = 3.12.1.final.0`).
pub fn python_version(cfg: &str) -> Option<String> {
    for line in cfg.lines() {
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        if matches!(key.trim(), "version" | "version_info") {
            let parts: Vec<&str> = value
                .trim()
                .split('.')
                .take_while(|p| p.chars().all(|c| c.is_ascii_digit()) && !p.is_empty())
                .take(3)
                .collect();
            if parts.len() >= 2 {
                return Some(parts.join("."));
            }
        }
    }
    None
}

/// The Python series (`3.11`) of a venv without a version in `pyvenv.cfg`,
/// from its one `lib/python3.11` directory; `None` when there are several
/// (which one runs is then unknown).
fn series_of_lib_dirs(lib_dirs: &[String]) -> Option<String> {
    let [only] = lib_dirs else {
        return None;
    };
    let series = only.strip_prefix("python")?;
    let (major, minor) = series.split_once('.')?;
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    (digits(major) && digits(minor)).then(|| series.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_follows_pep_503() {
        assert_eq!(normalize("Discord.py"), "discord-py");
        assert_eq!(normalize("zope.interface"), "zope-interface");
        assert_eq!(normalize("Foo__Bar-.baz"), "foo-bar-baz");
        assert_eq!(normalize("requests"), "requests");
    }

    #[test]
    fn metadata_headers_stop_at_the_body() {
        let text =
            "Metadata-Version: 2.1\nName: aiohttp\nVersion: 3.9.1\nSummary: x\n\nName: fake\n";
        let headers = Headers::read(text).unwrap();
        assert_eq!(
            (headers.name.as_str(), headers.version.as_str()),
            ("aiohttp", "3.9.1")
        );
        assert_eq!(Headers::read("Name: x\n"), None);
    }

    #[test]
    fn changelog_link_comes_before_the_home_page() {
        let text = "Name: x\nVersion: 1.0\nHome-page: https://h\n\
                    Project-URL: Source, https://s\nProject-URL: Changelog, https://c\n";
        let links = Headers::read(text).unwrap().links;
        let installed = |links| Installed {
            name: "x".into(),
            key: "x".into(),
            version: "1.0".into(),
            tags: vec![],
            local: false,
            links,
        };
        assert_eq!(
            installed(links.clone()).changelog().as_deref(),
            Some("https://c")
        );
        let without: Vec<_> = links
            .into_iter()
            .filter(|(l, _)| l != "Changelog")
            .collect();
        assert_eq!(installed(without).changelog().as_deref(), Some("https://h"));
        assert_eq!(installed(vec![]).changelog(), None);
    }

    #[test]
    fn pyvenv_cfg_gives_the_interpreter_version() {
        assert_eq!(
            python_version("home = /usr/bin\nversion = 3.11.7\n").as_deref(),
            Some("3.11.7")
        );
        assert_eq!(
            python_version("version_info = 3.12.1.final.0\n").as_deref(),
            Some("3.12.1")
        );
        assert_eq!(python_version("home = /usr/bin\n"), None);
    }

    fn dist_info(site: &Path, dir: &str, metadata: &str, extra: &[(&str, &str)]) {
        let d = site.join(dir);
        fs::create_dir_all(&d).unwrap();
        fs::write(d.join("METADATA"), metadata).unwrap();
        for (name, body) in extra {
            fs::write(d.join(name), body).unwrap();
        }
    }

    #[test]
    fn read_lists_dist_infos_with_tags_and_local_installs() {
        let tmp = tempfile::tempdir().unwrap();
        let venv = tmp.path();
        fs::write(venv.join("pyvenv.cfg"), "version = 3.11.7\n").unwrap();
        let site = venv.join("lib/python3.11/site-packages");
        dist_info(
            &site,
            "Discord.py-2.3.0.dist-info",
            "Name: discord.py\nVersion: 2.3.0\n",
            &[("WHEEL", "Wheel-Version: 1.0\nTag: py3-none-any\n")],
        );
        dist_info(
            &site,
            "my_bot-0.1.0.dist-info",
            "Name: my_bot\nVersion: 0.1.0\n",
            &[(
                "direct_url.json",
                r#"{"url":"file:///srv/bot","dir_info":{"editable":true}}"#,
            )],
        );
        fs::create_dir_all(site.join("broken-1.0.dist-info")).unwrap();
        fs::create_dir_all(site.join("discord")).unwrap();

        let found = read(venv.to_str().unwrap()).unwrap();
        assert_eq!(found.python_version.as_deref(), Some("3.11.7"));
        let keys: Vec<&str> = found.packages.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, vec!["discord-py", "my-bot"]);
        assert_eq!(found.packages[0].tags, vec!["py3-none-any"]);
        assert!(!found.packages[0].local);
        assert!(found.packages[1].local);
    }

    #[test]
    fn read_takes_the_python_series_from_lib_when_pyvenv_cfg_does_not_say() {
        let tmp = tempfile::tempdir().unwrap();
        let venv = tmp.path();
        fs::write(venv.join("pyvenv.cfg"), "home = /usr/bin\n").unwrap();
        fs::create_dir_all(venv.join("lib/python3.12/site-packages")).unwrap();
        let found = read(venv.to_str().unwrap()).unwrap();
        assert_eq!(found.python_version.as_deref(), Some("3.12"));

        // Two interpreters' directories: which one runs is unknown.
        fs::create_dir_all(venv.join("lib/python3.11/site-packages")).unwrap();
        let found = read(venv.to_str().unwrap()).unwrap();
        assert_eq!(found.python_version, None);
    }

    #[test]
    fn read_reports_a_missing_venv_as_not_found() {
        let tmp = tempfile::tempdir().unwrap();
        let err = read(tmp.path().join("nope").to_str().unwrap()).unwrap_err();
        assert_eq!(err.code, ErrorCode::NotFound);
        assert!(err.message.contains("no virtualenv"));
    }
}
