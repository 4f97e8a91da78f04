//! `[backup.offsite.NAME]`, as written: where offsite copies of the backup
//! repository go and when. Parsing and checking only; the copying is
//! `steward-backup`'s `offsite`. A secret is named here (an environment
//! variable or a file), never written here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::config_problem::{OffsiteFault, OffsiteProblem};

/// One offsite target: a restic repository of its own, encrypted with the
/// local repository's password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffsiteTarget {
    /// The table's name (`[backup.offsite.NAME]`): what `backup list` shows.
    pub name: String,
    pub location: OffsiteLocation,
    pub when: OffsiteWhen,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OffsiteLocation {
    /// A directory (another disk, a mounted share).
    Path(PathBuf),
    /// A restic REST server (`rest-server`, `rclone serve restic`).
    Rest {
        /// Without credentials: `http(s)://host:port/path`.
        url: String,
        /// HTTP basic auth, when the server asks for it.
        user: Option<String>,
        secret: Option<Secret>,
    },
    /// A directory on an SSH server, over SFTP (the system's `ssh`, key
    /// auth, the host key checked against `known_hosts`).
    Sftp {
        host: String,
        port: u16,
        user: String,
        /// The directory on the server.
        path: String,
        /// The private key; unset, ssh's own defaults and agent.
        key_file: Option<PathBuf>,
    },
    /// An S3 bucket (AWS or any S3-compatible server).
    S3 {
        /// Unset: AWS's endpoint for the region.
        endpoint: Option<String>,
        region: String,
        bucket: String,
        /// A prefix inside the bucket.
        root: Option<String>,
        /// The access key id.
        user: String,
        /// The secret access key.
        secret: Secret,
    },
}

/// Where a credential is read from, right before use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Secret {
    Env(String),
    File(PathBuf),
}

/// `when`: after every new snapshot, or only after a backup schedule's run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OffsiteWhen {
    #[default]
    Each,
    Schedule,
}

/// The table as written in `steward.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OffsiteSection {
    kind: String,
    path: Option<PathBuf>,
    url: Option<String>,
    user: Option<String>,
    host: Option<String>,
    port: Option<u16>,
    key_file: Option<PathBuf>,
    endpoint: Option<String>,
    region: Option<String>,
    bucket: Option<String>,
    password_env: Option<String>,
    password_file: Option<PathBuf>,
    #[serde(default)]
    when: OffsiteWhen,
}

/// Checks every table and resolves its paths against `base` (the config
/// file's directory). The error names the table and what is wrong.
pub fn resolve(
    sections: BTreeMap<String, OffsiteSection>,
    base: &Path,
) -> Result<Vec<OffsiteTarget>, OffsiteProblem> {
    use OffsiteFault as F;
    let mut targets = Vec::new();
    for (name, s) in sections {
        let at = |fault| OffsiteProblem {
            target: name.clone(),
            fault,
        };
        if name.is_empty()
            || name == "local"
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(at(F::BadName));
        }
        let secret = match (s.password_env, s.password_file) {
            (Some(_), Some(_)) => {
                return Err(at(F::BothSecrets));
            }
            (Some(env), None) => Some(Secret::Env(env)),
            (None, Some(file)) => Some(Secret::File(base.join(file))),
            (None, None) => None,
        };
        let location = match s.kind.as_str() {
            "path" => {
                let Some(path) = s.path else {
                    return Err(at(F::PathNeedsPath));
                };
                if s.url.is_some() || s.user.is_some() || secret.is_some() || s.host.is_some() {
                    return Err(at(F::PathTakesOnlyPath));
                }
                OffsiteLocation::Path(crate::config::normalize(&base.join(path)))
            }
            "rest" => {
                let Some(url) = s.url else {
                    return Err(at(F::RestNeedsUrl));
                };
                let Some(rest) = url
                    .strip_prefix("http://")
                    .or_else(|| url.strip_prefix("https://"))
                else {
                    return Err(at(F::UrlScheme));
                };
                let authority = rest.split('/').next().unwrap_or("");
                if authority.contains('@') {
                    return Err(at(F::UrlCredentials));
                }
                if s.path.is_some() {
                    return Err(at(F::RestTakesUrl));
                }
                if secret.is_some() && s.user.is_none() {
                    return Err(at(F::PasswordNeedsUser));
                }
                OffsiteLocation::Rest {
                    url,
                    user: s.user,
                    secret,
                }
            }
            "sftp" => {
                let (Some(host), Some(user), Some(path)) = (s.host, s.user, s.path) else {
                    return Err(at(F::SftpNeeds));
                };
                if secret.is_some() || s.url.is_some() || s.bucket.is_some() {
                    return Err(at(F::SftpTakes));
                }
                OffsiteLocation::Sftp {
                    host,
                    port: s.port.unwrap_or(22),
                    user,
                    path: path.to_string_lossy().into_owned(),
                    key_file: s.key_file.map(|k| crate::config::normalize(&base.join(k))),
                }
            }
            "s3" => {
                let (Some(bucket), Some(user), Some(secret)) = (s.bucket, s.user, secret) else {
                    return Err(at(F::S3Needs));
                };
                if let Some(endpoint) = &s.endpoint
                    && endpoint
                        .split("://")
                        .nth(1)
                        .unwrap_or(endpoint)
                        .split('/')
                        .next()
                        .unwrap_or("")
                        .contains('@')
                {
                    return Err(at(F::EndpointCredentials));
                }
                OffsiteLocation::S3 {
                    endpoint: s.endpoint,
                    region: s.region.unwrap_or_else(|| "us-east-1".into()),
                    bucket,
                    root: s.path.map(|p| p.to_string_lossy().into_owned()),
                    user,
                    secret,
                }
            }
            other => {
                return Err(at(F::UnknownKind {
                    kind: other.to_string(),
                }));
            }
        };
        targets.push(OffsiteTarget {
            name,
            location,
            when: s.when,
        });
    }
    Ok(targets)
}
