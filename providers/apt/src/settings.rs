//! The apt provider's settings, read from the context and checked once per
//! call. It never reads files or runs programs.

use steward_sdk::{Error, setting};

use crate::policy::Policy;

pub const DEFAULT_STATUS_FILE: &str = "/var/lib/dpkg/status";
pub const DEFAULT_APT: &str = "/usr/bin/apt";
pub const DEFAULT_APT_GET: &str = "/usr/bin/apt-get";

#[derive(Debug, Clone, PartialEq)]
pub struct AptSettings {
    pub status_file: String,
    pub apt: String,
    pub apt_get: String,
    pub policy: Policy,
    /// Suffixes of suite names that mark a security archive.
    pub security_origins: Vec<String>,
}

impl AptSettings {
    pub fn from_settings(settings: &[(String, String)]) -> Result<Self, Error> {
        Ok(AptSettings {
            status_file: status_file(settings).to_string(),
            apt: setting(settings, "apt").unwrap_or(DEFAULT_APT).to_string(),
            apt_get: setting(settings, "apt_get")
                .unwrap_or(DEFAULT_APT_GET)
                .to_string(),
            policy: Policy {
                allow: list(settings, "allow")?.unwrap_or_default(),
                deny: list(settings, "deny")?.unwrap_or_default(),
            },
            security_origins: list(settings, "security_origins")?
                .unwrap_or_else(|| vec!["-security".to_string()]),
        })
    }

    pub fn is_security_suite(&self, suite: &str) -> bool {
        self.security_origins
            .iter()
            .any(|o| suite.ends_with(o.as_str()))
    }
}

pub fn status_file(settings: &[(String, String)]) -> &str {
    setting(settings, "status_file").unwrap_or(DEFAULT_STATUS_FILE)
}

/// A setting holding a JSON array of strings.
fn list(settings: &[(String, String)], name: &str) -> Result<Option<Vec<String>>, Error> {
    setting(settings, name)
        .map(|raw| {
            serde_json::from_str::<Vec<String>>(raw).map_err(|_| {
                Error::invalid_data(format!(
                    "setting {name} = {raw} is not a list of strings (write it as [\"pattern\", …])"
                ))
            })
        })
        .transpose()
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
    fn defaults_point_at_the_system_apt_and_dpkg() {
        let s = AptSettings::from_settings(&[]).unwrap();
        assert_eq!(s.status_file, "/var/lib/dpkg/status");
        assert_eq!(s.apt, "/usr/bin/apt");
        assert_eq!(s.apt_get, "/usr/bin/apt-get");
        assert!(s.is_security_suite("bookworm-security"));
        assert!(!s.is_security_suite("bookworm-updates"));
    }

    #[test]
    fn allow_deny_and_security_origins_are_json_lists() {
        let s = AptSettings::from_settings(&pairs(&[
            ("allow", r#"["openssl", "lib*"]"#),
            ("deny", r#"["linux-*"]"#),
            ("security_origins", r#"["-security", "-esm-apps"]"#),
        ]))
        .unwrap();
        assert_eq!(s.policy.allow, vec!["openssl", "lib*"]);
        assert_eq!(s.policy.deny, vec!["linux-*"]);
        assert!(s.is_security_suite("jammy-esm-apps"));
    }

    #[test]
    fn a_list_setting_that_is_not_a_json_list_is_refused_naming_it() {
        let err = AptSettings::from_settings(&pairs(&[("deny", "linux-*")])).unwrap_err();
        assert!(err.message.contains("setting deny"), "{}", err.message);
    }
}
