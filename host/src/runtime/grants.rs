//! The one place that decides what a provider may do. A provider asks
//! (`describe().wants`), the operator grants (`[providers.NAME.grant]`), and
//! the provider gets the intersection. Every host import and every plan step
//! asks a [`Grant`]; nothing else decides.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::config::normalize;
use crate::provider::{Capabilities, Program};

/// What one provider may do. Deny by default: an empty grant allows nothing.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Grant {
    /// Directories mounted read-only at the same path.
    pub read: Vec<PathBuf>,
    /// `host` or `host:port`, lowercase.
    pub http: Vec<String>,
    /// Programs with the argument lists both sides accept.
    pub programs: Vec<ProgramGrant>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProgramGrant {
    pub path: String,
    /// Argument lists the provider said it would use.
    pub wanted: Vec<Vec<String>>,
    /// Argument lists the operator allows.
    pub granted: Vec<Vec<String>>,
}

/// A refusal, in words an operator can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Denied(pub String);

impl Grant {
    /// The intersection of `wants` and `granted`, with `{bot}` expanded.
    /// `None` (no grant entry) yields the empty grant.
    pub fn decide(wants: &Capabilities, granted: Option<&Capabilities>, bot_root: &Path) -> Grant {
        let Some(granted) = granted else {
            return Grant::default();
        };
        let expand_path = |p: &str| resolve_dir(&expand(p, bot_root));

        let mut read: Vec<PathBuf> = Vec::new();
        for w in wants.read.iter().filter_map(|p| expand_path(p)) {
            for g in granted.read.iter().filter_map(|p| expand_path(p)) {
                let narrower = if w.starts_with(&g) {
                    w.clone()
                } else if g.starts_with(&w) {
                    g
                } else {
                    continue;
                };
                if !read.contains(&narrower) {
                    read.push(narrower);
                }
            }
        }

        let http = wants
            .http
            .iter()
            .map(|h| h.to_ascii_lowercase())
            .filter(|w| granted.http.iter().any(|g| host_pattern_matches(g, w)))
            .fold(Vec::new(), |mut acc, h| {
                if !acc.contains(&h) {
                    acc.push(h);
                }
                acc
            });

        let programs = wants
            .programs
            .iter()
            .filter_map(|w| {
                let path = expand(&w.path, bot_root);
                let g: Vec<&Program> = granted
                    .programs
                    .iter()
                    .filter(|g| expand(&g.path, bot_root) == path)
                    .collect();
                if g.is_empty() {
                    return None;
                }
                Some(ProgramGrant {
                    path,
                    wanted: w.args.clone(),
                    granted: g.iter().flat_map(|g| g.args.clone()).collect(),
                })
            })
            .collect();

        Grant {
            read,
            http,
            programs,
        }
    }

    /// May the provider send a request to `url`?
    pub fn check_url(&self, url: &reqwest::Url) -> Result<(), Denied> {
        let host = url
            .host_str()
            .ok_or_else(|| Denied(format!("{url} has no host")))?
            .to_ascii_lowercase();
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Denied(format!("{url}: only http and https are allowed")));
        }
        let default_port = url.port().is_none();
        let with_port = format!("{host}:{}", url.port_or_known_default().unwrap_or(0));
        let allowed = self
            .http
            .iter()
            .any(|g| *g == with_port || (default_port && *g == host));
        if allowed {
            Ok(())
        } else {
            let shown = if default_port { host } else { with_port };
            Err(Denied(format!("HTTP to {shown} is not granted")))
        }
    }

    /// May the provider run `program` with `args`? Both what it said it
    /// would run and what the operator allows must accept the call.
    pub fn check_exec(&self, program: &str, args: &[String]) -> Result<(), Denied> {
        let Some(grant) = self.programs.iter().find(|p| p.path == program) else {
            return Err(Denied(format!("running {program} is not granted")));
        };
        let accepts =
            |lists: &[Vec<String>]| lists.iter().any(|patterns| args_match(patterns, args));
        if accepts(&grant.wanted) && accepts(&grant.granted) {
            Ok(())
        } else {
            Err(Denied(format!(
                "running {program} with arguments {args:?} is not granted"
            )))
        }
    }

    /// May the provider read below `path`? (Used for working directories;
    /// file reads themselves are confined by the WASI preopens.)
    pub fn check_read(&self, path: &Path) -> Result<(), Denied> {
        let path = normalize(path);
        if self.read.iter().any(|dir| path.starts_with(dir)) {
            Ok(())
        } else {
            Err(Denied(format!(
                "{} is outside the granted directories",
                path.display()
            )))
        }
    }
}

/// Replaces a leading `{bot}` with the bot root.
fn expand(p: &str, bot_root: &Path) -> String {
    match p.strip_prefix("{bot}") {
        Some(rest) => format!("{}{}", bot_root.display(), rest),
        None => p.to_string(),
    }
}

/// An absolute, existing directory with symlinks resolved, so a link cannot
/// widen a grant. Relative or missing paths are dropped.
fn resolve_dir(p: &str) -> Option<PathBuf> {
    let path = Path::new(p);
    if !path.is_absolute() {
        return None;
    }
    std::fs::canonicalize(path).ok().filter(|p| p.is_dir())
}

/// `*.example.com` matches subdomains; everything else matches exactly.
fn host_pattern_matches(pattern: &str, host: &str) -> bool {
    let pattern = pattern.to_ascii_lowercase();
    match pattern.strip_prefix("*.") {
        Some(suffix) => host.ends_with(&format!(".{suffix}")),
        None => pattern == host,
    }
}

/// One glob per argument; `...` accepts any further arguments matching the
/// pattern before it.
fn args_match(patterns: &[String], args: &[String]) -> bool {
    let mut i = 0;
    for (pi, pattern) in patterns.iter().enumerate() {
        if pattern == "..." {
            let Some(prev) = pi.checked_sub(1).map(|p| &patterns[p]) else {
                return false;
            };
            return args[i..].iter().all(|a| glob_matches(prev, a));
        }
        match args.get(i) {
            Some(a) if glob_matches(pattern, a) => i += 1,
            _ => return false,
        }
    }
    i == args.len()
}

fn glob_matches(pattern: &str, value: &str) -> bool {
    glob::Pattern::new(pattern)
        .map(|p| {
            p.matches_with(
                value,
                glob::MatchOptions {
                    case_sensitive: true,
                    require_literal_separator: false,
                    require_literal_leading_dot: false,
                },
            )
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(read: &[&str], http: &[&str], programs: &[(&str, &[&[&str]])]) -> Capabilities {
        Capabilities {
            read: read.iter().map(|s| s.to_string()).collect(),
            http: http.iter().map(|s| s.to_string()).collect(),
            programs: programs
                .iter()
                .map(|(p, a)| Program {
                    path: p.to_string(),
                    args: a
                        .iter()
                        .map(|l| l.iter().map(|s| s.to_string()).collect())
                        .collect(),
                })
                .collect(),
        }
    }

    fn strings(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn no_grant_entry_allows_nothing() {
        let bot = tempfile::tempdir().unwrap();
        let wants = caps(&["{bot}"], &["pypi.org"], &[("/usr/bin/apt", &[&["list"]])]);
        let grant = Grant::decide(&wants, None, bot.path());
        assert!(grant.read.is_empty());
        assert!(
            grant
                .check_url(&"https://pypi.org/x".parse().unwrap())
                .is_err()
        );
        assert!(
            grant
                .check_exec("/usr/bin/apt", &strings(&["list"]))
                .is_err()
        );
    }

    #[test]
    fn read_grant_is_the_narrower_of_want_and_grant() {
        let bot = tempfile::tempdir().unwrap();
        std::fs::create_dir(bot.path().join("config")).unwrap();
        let root = std::fs::canonicalize(bot.path()).unwrap();
        let wants = caps(&["{bot}"], &[], &[]);
        let granted = caps(&["{bot}/config"], &[], &[]);
        let grant = Grant::decide(&wants, Some(&granted), &root);
        assert_eq!(grant.read, vec![root.join("config")]);
    }

    #[test]
    fn read_grant_outside_the_want_gives_nothing() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let wants = caps(&[a.path().to_str().unwrap()], &[], &[]);
        let granted = caps(&[b.path().to_str().unwrap()], &[], &[]);
        assert!(
            Grant::decide(&wants, Some(&granted), a.path())
                .read
                .is_empty()
        );
    }

    #[test]
    fn http_requires_both_want_and_grant_and_respects_ports() {
        let bot = tempfile::tempdir().unwrap();
        let wants = caps(&[], &["pypi.org", "127.0.0.1:8080", "evil.example"], &[]);
        let granted = caps(&[], &["PyPI.org", "127.0.0.1:8080"], &[]);
        let grant = Grant::decide(&wants, Some(&granted), bot.path());
        assert!(
            grant
                .check_url(&"https://pypi.org/pypi/x/json".parse().unwrap())
                .is_ok()
        );
        assert!(
            grant
                .check_url(&"http://127.0.0.1:8080/x".parse().unwrap())
                .is_ok()
        );
        assert!(
            grant
                .check_url(&"http://127.0.0.1:8081/x".parse().unwrap())
                .is_err()
        );
        assert!(
            grant
                .check_url(&"https://pypi.org:8443/x".parse().unwrap())
                .is_err()
        );
        assert!(
            grant
                .check_url(&"https://evil.example/".parse().unwrap())
                .is_err()
        );
        assert!(
            grant
                .check_url(&"file:///etc/passwd".parse().unwrap())
                .is_err()
        );
    }

    #[test]
    fn exec_needs_the_exact_program_and_arguments_both_sides_accept() {
        let bot = tempfile::tempdir().unwrap();
        let wants = caps(
            &[],
            &[],
            &[(
                "{bot}/.venv/bin/python",
                &[&["-m", "pip", "install", "*==*", "..."]],
            )],
        );
        let granted = caps(
            &[],
            &[],
            &[("{bot}/.venv/bin/python", &[&["-m", "pip", "*", "..."]])],
        );
        let grant = Grant::decide(&wants, Some(&granted), bot.path());
        let python = format!("{}/.venv/bin/python", bot.path().display());
        let ok = strings(&["-m", "pip", "install", "a==1", "b==2"]);
        assert!(grant.check_exec(&python, &ok).is_ok());
        let not_wanted = strings(&["-m", "pip", "download", "a==1"]);
        assert!(grant.check_exec(&python, &not_wanted).is_err());
        let unpinned = strings(&["-m", "pip", "install", "a==1", "b"]);
        assert!(grant.check_exec(&python, &unpinned).is_err());
        assert!(
            grant
                .check_exec("/bin/sh", &strings(&["-c", "id"]))
                .is_err()
        );
    }

    #[test]
    fn argument_patterns_must_consume_every_argument() {
        assert!(args_match(
            &strings(&["list", "--upgradable"]),
            &strings(&["list", "--upgradable"])
        ));
        assert!(!args_match(
            &strings(&["list"]),
            &strings(&["list", "--all"])
        ));
        assert!(!args_match(
            &strings(&["list", "--upgradable"]),
            &strings(&["list"])
        ));
        assert!(args_match(&strings(&["x", "..."]), &strings(&["x"])));
    }
}
