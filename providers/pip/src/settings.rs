//! The pip provider's settings (`[providers.pip.settings]`), read once and
//! resolved against the bot root. It never touches the disk or the network.

use steward_sdk::settings::{flag, millis, path as resolve, url};
use steward_sdk::{Error, setting};

/// The simple index, as pip's `--index-url` names it.
pub const DEFAULT_INDEX: &str = "https://pypi.org/simple";
pub const DEFAULT_OSV: &str = "https://api.osv.dev";
/// Well under the host's default call budget (60 s).
pub const DEFAULT_TIMEOUT_MS: u32 = 20_000;
/// Where `pip install uv` / `pip install poetry` put the tools system-wide.
pub const DEFAULT_UV: &str = "/usr/local/bin/uv";
pub const DEFAULT_POETRY: &str = "/usr/local/bin/poetry";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipSettings {
    /// Absolute path of the virtualenv (or `{bot}/…` in `describe`).
    pub venv: String,
    /// Absolute paths of the requirements files.
    pub requirements: Vec<String>,
    /// Whether `requirements` was set by the operator (a missing default
    /// file is normal; a missing configured one is worth a warning).
    pub requirements_configured: bool,
    /// The simple index (pip's `--index-url`): a project's page is
    /// `{index_url}/{name}/`.
    pub index_url: String,
    pub osv_url: String,
    pub include_prereleases: bool,
    pub include_yanked: bool,
    /// Per-request budget for the index and OSV, so one slow server costs
    /// a warning instead of the whole call's time budget.
    pub timeout_ms: u32,
    /// The `uv` and `poetry` programs plans run for projects they manage.
    pub uv: String,
    pub poetry: String,
    /// A PEM file of certificate authorities the commands of a plan trust
    /// besides the system's (a TLS-inspecting proxy's), or none.
    pub ca_file: Option<String>,
}

impl PipSettings {
    /// Reads the settings; `root` is the bot root (or `{bot}`).
    pub fn parse(root: &str, pairs: &[(String, String)]) -> Result<Self, Error> {
        let requirements_raw = setting(pairs, "requirements");
        let requirements = match requirements_raw {
            None => vec!["requirements.txt".to_string()],
            Some(raw) => parse_path_list(raw)?,
        };
        Ok(PipSettings {
            venv: resolve(root, setting(pairs, "venv").unwrap_or(".venv")),
            requirements: requirements.iter().map(|r| resolve(root, r)).collect(),
            requirements_configured: requirements_raw.is_some(),
            index_url: url(pairs, "index_url", DEFAULT_INDEX)?,
            osv_url: url(pairs, "osv_url", DEFAULT_OSV)?,
            include_prereleases: flag(pairs, "include_prereleases")?,
            include_yanked: flag(pairs, "include_yanked")?,
            timeout_ms: millis(pairs, "timeout_ms")?.unwrap_or(DEFAULT_TIMEOUT_MS),
            uv: resolve(root, setting(pairs, "uv").unwrap_or(DEFAULT_UV)),
            poetry: resolve(root, setting(pairs, "poetry").unwrap_or(DEFAULT_POETRY)),
            ca_file: setting(pairs, "ca_file").map(|f| resolve(root, f)),
        })
    }

    /// The variables every command of a plan gets: with `ca_file`, the
    /// ones pip (`PIP_CERT`), Poetry (`REQUESTS_CA_BUNDLE`) and uv and
    /// Python's own `ssl` (`SSL_CERT_FILE`) read their certificate
    /// authorities from, since the host gives commands a clean environment.
    pub fn command_env(&self) -> Vec<(String, String)> {
        self.ca_file
            .iter()
            .flat_map(|ca| {
                ["SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "PIP_CERT"]
                    .map(|name| (name.to_string(), ca.clone()))
            })
            .collect()
    }

    /// The project's page on PyPI or TestPyPI, the link of last resort for
    /// an update whose metadata names no changelog or home page. Other
    /// indexes have no such page the simple API would tell of.
    pub fn project_page(&self, key: &str) -> Option<String> {
        let rest = self.index_url.strip_prefix("https://")?;
        let host = rest.split('/').next()?;
        matches!(host, "pypi.org" | "test.pypi.org")
            .then(|| format!("https://{host}/project/{key}/"))
    }

    /// The program that manages a uv or Poetry project.
    pub fn tool(&self, tool: crate::manager::Tool) -> &str {
        match tool {
            crate::manager::Tool::Uv => &self.uv,
            crate::manager::Tool::Poetry => &self.poetry,
        }
    }

    /// The venv's interpreter, the program every plan runs.
    pub fn python(&self) -> String {
        format!("{}/bin/python", self.venv)
    }
}

/// `requirements` is a JSON array of paths; a bare path is accepted too.
fn parse_path_list(raw: &str) -> Result<Vec<String>, Error> {
    if raw.trim_start().starts_with('[') {
        serde_json::from_str(raw).map_err(|e| {
            Error::invalid_data(format!(
                "setting requirements must be a JSON array of paths: {e}"
            ))
        })
    } else {
        Ok(vec![raw.to_string()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_follow_the_bot_root() {
        let s = PipSettings::parse("/srv/bot", &[]).unwrap();
        assert_eq!(s.venv, "/srv/bot/.venv");
        assert_eq!(s.python(), "/srv/bot/.venv/bin/python");
        assert_eq!(s.requirements, vec!["/srv/bot/requirements.txt"]);
        assert!(!s.requirements_configured);
        assert_eq!(s.index_url, "https://pypi.org/simple");
        assert_eq!(s.osv_url, "https://api.osv.dev");
        assert!(!s.include_prereleases && !s.include_yanked);
        assert_eq!(s.uv, "/usr/local/bin/uv");
        assert_eq!(s.poetry, "/usr/local/bin/poetry");
    }

    #[test]
    fn requirements_setting_is_a_json_array_of_relative_or_absolute_paths() {
        let s = PipSettings::parse(
            "{bot}",
            &pairs(&[
                (
                    "requirements",
                    r#"["req/base.txt", "/etc/bot/constraints.txt"]"#,
                ),
                ("venv", "env"),
                ("index_url", "http://127.0.0.1:8080/simple/"),
            ]),
        )
        .unwrap();
        assert_eq!(
            s.requirements,
            vec!["{bot}/req/base.txt", "/etc/bot/constraints.txt"]
        );
        assert_eq!(s.venv, "{bot}/env");
        assert_eq!(s.index_url, "http://127.0.0.1:8080/simple");
    }

    #[test]
    fn bad_values_are_refused_with_the_setting_name() {
        let err = PipSettings::parse("/b", &pairs(&[("include_yanked", "yes")])).unwrap_err();
        assert!(err.message.contains("include_yanked"));
        let err = PipSettings::parse("/b", &pairs(&[("index_url", "pypi.org")])).unwrap_err();
        assert!(err.message.contains("index_url"));
        let err = PipSettings::parse("/b", &pairs(&[("requirements", "[1,")])).unwrap_err();
        assert!(err.message.contains("requirements"));
    }

    #[test]
    fn a_ca_file_reaches_pip_poetry_and_uv_through_their_variables() {
        let pairs = vec![("ca_file".to_string(), "/etc/proxy.pem".to_string())];
        let s = PipSettings::parse("/srv/bot", &pairs).unwrap();
        let env = s.command_env();
        let names: Vec<&str> = env.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "PIP_CERT"]);
        assert!(s.command_env().iter().all(|(_, v)| v == "/etc/proxy.pem"));
        assert!(
            PipSettings::parse("/srv/bot", &[])
                .unwrap()
                .command_env()
                .is_empty()
        );
    }
}
