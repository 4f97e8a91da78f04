//! The npm provider's settings (`[providers.npm.settings]`), read once and
//! resolved against the bot root. It never touches the disk or the network.

use steward_sdk::settings::{flag, millis, path, url};
use steward_sdk::{Error, setting};

use crate::manager::Manager;

pub const DEFAULT_REGISTRY: &str = "https://registry.npmjs.org";
pub const DEFAULT_OSV: &str = "https://api.osv.dev";
/// Well under the host's default call budget (60 s).
pub const DEFAULT_TIMEOUT_MS: u32 = 20_000;
pub const DEFAULT_NPM: &str = "/usr/bin/npm";
/// Where `npm install -g pnpm yarn bun` puts them with npm's `/usr` prefix.
pub const DEFAULT_PNPM: &str = "/usr/bin/pnpm";
pub const DEFAULT_YARN: &str = "/usr/bin/yarn";
pub const DEFAULT_BUN: &str = "/usr/bin/bun";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NpmSettings {
    /// Absolute path of the directory holding package.json (or `{bot}/…`).
    pub project: String,
    pub registry_url: String,
    pub osv_url: String,
    pub include_prereleases: bool,
    /// The programs plans run, one per tool a project may be managed with.
    pub npm: String,
    pub pnpm: String,
    pub yarn: String,
    pub bun: String,
    /// Per-request budget for the registry and OSV, so one slow server costs
    /// a warning instead of the whole call's time budget.
    pub timeout_ms: u32,
    /// A PEM file of certificate authorities the tools trust besides their
    /// own (a TLS-inspecting proxy's), or none.
    pub ca_file: Option<String>,
}

impl NpmSettings {
    /// Reads the settings; `root` is the bot root (or `{bot}`).
    pub fn parse(root: &str, pairs: &[(String, String)]) -> Result<Self, Error> {
        Ok(NpmSettings {
            project: path(root, setting(pairs, "project").unwrap_or(".")),
            registry_url: url(pairs, "registry_url", DEFAULT_REGISTRY)?,
            osv_url: url(pairs, "osv_url", DEFAULT_OSV)?,
            include_prereleases: flag(pairs, "include_prereleases")?,
            npm: setting(pairs, "npm").unwrap_or(DEFAULT_NPM).to_string(),
            pnpm: setting(pairs, "pnpm").unwrap_or(DEFAULT_PNPM).to_string(),
            yarn: setting(pairs, "yarn").unwrap_or(DEFAULT_YARN).to_string(),
            bun: setting(pairs, "bun").unwrap_or(DEFAULT_BUN).to_string(),
            timeout_ms: millis(pairs, "timeout_ms")?.unwrap_or(DEFAULT_TIMEOUT_MS),
            ca_file: setting(pairs, "ca_file").map(|f| path(root, f)),
        })
    }

    /// The variables every command of a plan gets: with `ca_file`,
    /// `NODE_EXTRA_CA_CERTS`, which Node (so npm, pnpm and both Yarns) and
    /// Bun read, since the host gives commands a clean environment.
    pub fn command_env(&self) -> Vec<(String, String)> {
        self.ca_file
            .iter()
            .map(|ca| ("NODE_EXTRA_CA_CERTS".to_string(), ca.clone()))
            .collect()
    }

    /// The program that runs `manager`'s commands.
    pub fn program(&self, manager: Manager) -> &str {
        match manager {
            Manager::Npm => &self.npm,
            Manager::Pnpm => &self.pnpm,
            Manager::YarnClassic | Manager::YarnBerry => &self.yarn,
            Manager::Bun => &self.bun,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_point_at_the_bot_root_and_public_registry() {
        let s = NpmSettings::parse("/srv/bot", &[]).unwrap();
        assert_eq!(s.project, "/srv/bot");
        assert_eq!(s.registry_url, "https://registry.npmjs.org");
        assert_eq!(s.npm, "/usr/bin/npm");
        assert_eq!(s.program(Manager::YarnBerry), "/usr/bin/yarn");
        assert!(!s.include_prereleases);
    }

    #[test]
    fn project_and_registry_follow_the_settings() {
        let pairs = vec![
            ("project".to_string(), "web".to_string()),
            (
                "registry_url".to_string(),
                "http://127.0.0.1:4873/".to_string(),
            ),
        ];
        let s = NpmSettings::parse("{bot}", &pairs).unwrap();
        assert_eq!(s.project, "{bot}/web");
        assert_eq!(s.registry_url, "http://127.0.0.1:4873");
        assert!(s.command_env().is_empty());
    }

    #[test]
    fn a_ca_file_reaches_the_tools_as_node_extra_ca_certs() {
        let pairs = vec![("ca_file".to_string(), "certs/proxy.pem".to_string())];
        let s = NpmSettings::parse("/srv/bot", &pairs).unwrap();
        assert_eq!(
            s.command_env(),
            [(
                "NODE_EXTRA_CA_CERTS".to_string(),
                "/srv/bot/certs/proxy.pem".to_string()
            )]
        );
    }
}
