//! The one place that decides what a provider may do. A provider asks
//! (`describe().wants`), the operator grants (`[providers.NAME.grant]`), and
//! the provider gets the intersection. Every host import and every plan step
//! asks a [`Grant`]; nothing else decides.
//!
//! Reading and changing are granted apart: `programs` may run while a
//! provider reads (check, capture, verify), `plan_programs` only as steps of
//! a plan the host shows and journals, and `write` names what those steps
//! may create or replace. Paths are compared after resolving symbolic links,
//! never as text.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::provider::{Capabilities, Program};
use steward_core::grant::args_match;
pub use steward_core::grant::{
    GrantConfig, TYPED_PATTERNS, expand, is_known_typed, resolve_target,
};

/// What one provider may do. Deny by default: an empty grant allows nothing.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct Grant {
    /// Directories mounted read-only at the same path.
    pub read: Vec<PathBuf>,
    /// `host` or `host:port`, lowercase.
    pub http: Vec<String>,
    /// Programs the `exec` import may run while the provider reads.
    pub programs: Vec<ProgramGrant>,
    /// Programs a plan step may run to change the system.
    pub plan_programs: Vec<ProgramGrant>,
    /// Files and directories (with everything below them) a plan step may
    /// create or replace, symbolic links resolved.
    pub write: Vec<PathBuf>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
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

/// When a program is asked to run: to read, or as a step of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunFor {
    Reading,
    Plan,
}

impl Grant {
    /// The intersection of `wants` and `granted`, with `{bot}` expanded.
    /// `None` (no grant entry) yields the empty grant. `write` has no
    /// counterpart in what a provider asks: it is the operator's alone.
    pub fn decide(wants: &Capabilities, granted: Option<&GrantConfig>, bot_root: &Path) -> Grant {
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

        let write = granted
            .write
            .iter()
            .filter_map(|p| resolve_target(Path::new(&expand(p, bot_root))))
            .fold(Vec::new(), |mut acc, p| {
                if !acc.contains(&p) {
                    acc.push(p);
                }
                acc
            });

        Grant {
            read,
            http,
            programs: programs(&wants.programs, &granted.programs, bot_root),
            plan_programs: programs(&wants.programs, &granted.plan_programs, bot_root),
            write,
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

    /// May the provider run `program` with `args`, to read or as a plan
    /// step? Both what it said it would run and what the operator allows
    /// for that purpose must accept the call.
    pub fn check_exec(
        &self,
        purpose: RunFor,
        program: &str,
        args: &[String],
    ) -> Result<(), Denied> {
        let (list, other, (this_key, other_key)) = match purpose {
            RunFor::Reading => (
                &self.programs,
                &self.plan_programs,
                ("programs", "plan_programs"),
            ),
            RunFor::Plan => (
                &self.plan_programs,
                &self.programs,
                ("plan_programs", "programs"),
            ),
        };
        let Some(grant) = list.iter().find(|p| p.path == program) else {
            if other.iter().any(|p| p.path == program) {
                let when = match purpose {
                    RunFor::Reading => "while reading (it may only run as a plan step)",
                    RunFor::Plan => "as a plan step (it may only run while reading)",
                };
                return Err(Denied(format!(
                    "running {program} {when} is not granted; grant it under {this_key} rather than {other_key}"
                )));
            }
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

    /// May the provider use `path` (an existing directory, such as a
    /// command's working directory) below its read grant? Answers where the
    /// path really is, links followed, so the caller uses that and not a
    /// link that could be swapped afterwards.
    pub fn check_read(&self, path: &Path) -> Result<PathBuf, Denied> {
        let real =
            std::fs::canonicalize(path).map_err(|e| Denied(format!("{}: {e}", path.display())))?;
        if self.read.iter().any(|dir| real.starts_with(dir)) {
            Ok(real)
        } else {
            let through = if real != path {
                format!(" (through a link, it is {})", real.display())
            } else {
                String::new()
            };
            Err(Denied(format!(
                "{}{through} is outside the granted directories",
                path.display()
            )))
        }
    }

    /// May a plan step create or replace `path`? `path` is where the step
    /// really writes: its directory resolved through links, its last
    /// component as named (it is never followed).
    pub fn check_write(&self, path: &Path) -> Result<(), Denied> {
        if self.write.iter().any(|granted| path.starts_with(granted)) {
            Ok(())
        } else if self.write.is_empty() {
            Err(Denied(format!(
                "writing {} is not granted: the provider has no write grant",
                path.display()
            )))
        } else {
            Err(Denied(format!(
                "writing {} is not granted (it may write {})",
                path.display(),
                self.write
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )))
        }
    }
}

/// What a provider asked to look at that `granted` does not cover, each as
/// "read {bot}" or "http api.osv.dev" (as it asked): a provider with such a
/// gap runs, but sees only part of what it checks, and is reported so. A
/// directory it asked to read that does not exist is no gap. Programs are
/// left out: providers ask for every tool they can plan with (npm, pnpm,
/// Yarn, Bun) and the operator grants the one the bot uses; a program that
/// is needed and not granted fails the call that runs it, naming it.
pub fn missing(wants: &Capabilities, granted: &GrantConfig, bot_root: &Path) -> Vec<String> {
    let granted_dirs: Vec<PathBuf> = granted
        .read
        .iter()
        .filter_map(|p| resolve_dir(&expand(p, bot_root)))
        .collect();
    let mut gaps = Vec::new();
    for asked in &wants.read {
        let Some(dir) = resolve_dir(&expand(asked, bot_root)) else {
            continue;
        };
        if !granted_dirs.iter().any(|g| dir.starts_with(g)) {
            gaps.push(format!("read {asked}"));
        }
    }
    for asked in &wants.http {
        let host = asked.to_ascii_lowercase();
        if !granted.http.iter().any(|g| host_pattern_matches(g, &host)) {
            gaps.push(format!("http {asked}"));
        }
    }
    gaps
}

/// The programs both `wanted` and `granted` name, each with both sides'
/// argument lists, `{bot}` expanded in paths and patterns.
fn programs(wanted: &[Program], granted: &[Program], bot_root: &Path) -> Vec<ProgramGrant> {
    let expand_all = |lists: &[Vec<String>]| -> Vec<Vec<String>> {
        lists
            .iter()
            .map(|l| l.iter().map(|a| expand(a, bot_root)).collect())
            .collect()
    };
    wanted
        .iter()
        .filter_map(|w| {
            let path = expand(&w.path, bot_root);
            let g: Vec<&Program> = granted
                .iter()
                .filter(|g| expand(&g.path, bot_root) == path)
                .collect();
            if g.is_empty() {
                return None;
            }
            Some(ProgramGrant {
                path,
                wanted: expand_all(&w.args),
                granted: g.iter().flat_map(|g| expand_all(&g.args)).collect(),
            })
        })
        .collect()
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

    /// The operator's side: `programs` for reading, nothing else.
    fn for_reading(c: Capabilities) -> GrantConfig {
        GrantConfig {
            read: c.read,
            http: c.http,
            programs: c.programs,
            ..GrantConfig::default()
        }
    }

    /// The operator's side: the same programs granted for plans.
    fn for_plans(c: Capabilities) -> GrantConfig {
        GrantConfig {
            read: c.read,
            http: c.http,
            plan_programs: c.programs,
            ..GrantConfig::default()
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
                .check_exec(RunFor::Reading, "/usr/bin/apt", &strings(&["list"]))
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
        let grant = Grant::decide(&wants, Some(&for_reading(granted)), &root);
        assert_eq!(grant.read, vec![root.join("config")]);
    }

    #[test]
    fn read_grant_outside_the_want_gives_nothing() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let wants = caps(&[a.path().to_str().unwrap()], &[], &[]);
        let granted = caps(&[b.path().to_str().unwrap()], &[], &[]);
        assert!(
            Grant::decide(&wants, Some(&for_reading(granted)), a.path())
                .read
                .is_empty()
        );
    }

    #[test]
    fn http_requires_both_want_and_grant_and_respects_ports() {
        let bot = tempfile::tempdir().unwrap();
        let wants = caps(&[], &["pypi.org", "127.0.0.1:8080", "evil.example"], &[]);
        let granted = caps(&[], &["PyPI.org", "127.0.0.1:8080"], &[]);
        let grant = Grant::decide(&wants, Some(&for_reading(granted)), bot.path());
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
        let grant = Grant::decide(&wants, Some(&for_reading(granted)), bot.path());
        let python = format!("{}/.venv/bin/python", bot.path().display());
        let ok = strings(&["-m", "pip", "install", "a==1", "b==2"]);
        assert!(grant.check_exec(RunFor::Reading, &python, &ok).is_ok());
        let not_wanted = strings(&["-m", "pip", "download", "a==1"]);
        assert!(
            grant
                .check_exec(RunFor::Reading, &python, &not_wanted)
                .is_err()
        );
        let unpinned = strings(&["-m", "pip", "install", "a==1", "b"]);
        assert!(
            grant
                .check_exec(RunFor::Reading, &python, &unpinned)
                .is_err()
        );
        assert!(
            grant
                .check_exec(RunFor::Reading, "/bin/sh", &strings(&["-c", "id"]))
                .is_err()
        );
    }

    #[test]
    fn a_program_granted_for_reading_does_not_run_as_a_plan_step_and_the_reverse() {
        let bot = tempfile::tempdir().unwrap();
        let program: &[(&str, &[&[&str]])] = &[("/usr/bin/apt", &[&["list", "--upgradable"]])];
        let args = strings(&["list", "--upgradable"]);

        let reading = Grant::decide(
            &caps(&[], &[], program),
            Some(&for_reading(caps(&[], &[], program))),
            bot.path(),
        );
        assert!(
            reading
                .check_exec(RunFor::Reading, "/usr/bin/apt", &args)
                .is_ok()
        );
        let err = reading
            .check_exec(RunFor::Plan, "/usr/bin/apt", &args)
            .unwrap_err();
        assert!(err.0.contains("grant it under plan_programs"), "{err}");

        let plans = Grant::decide(
            &caps(&[], &[], program),
            Some(&for_plans(caps(&[], &[], program))),
            bot.path(),
        );
        assert!(
            plans
                .check_exec(RunFor::Plan, "/usr/bin/apt", &args)
                .is_ok()
        );
        let err = plans
            .check_exec(RunFor::Reading, "/usr/bin/apt", &args)
            .unwrap_err();
        assert!(err.0.contains("may only run as a plan step"), "{err}");
    }

    #[test]
    fn write_grants_resolve_links_and_cover_what_is_below_them() {
        let bot = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(bot.path()).unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.join("releases")).unwrap();
        std::os::unix::fs::symlink(outside.path(), root.join("elsewhere")).unwrap();
        let config = GrantConfig {
            write: strings(&[
                "{bot}/releases",
                "{bot}/config/config.toml",
                "{bot}/elsewhere",
            ]),
            ..GrantConfig::default()
        };
        let grant = Grant::decide(&Capabilities::default(), Some(&config), &root);
        assert!(grant.check_write(&root.join("releases/1.5.0")).is_ok());
        assert!(grant.check_write(&root.join("config/config.toml")).is_ok());
        assert!(grant.check_write(&root.join("config/other.toml")).is_err());
        assert!(grant.check_write(&root.join("bot.py")).is_err());
        // The link was resolved: the grant names where it leads, not the link.
        let real_outside = std::fs::canonicalize(outside.path()).unwrap();
        assert!(grant.write.contains(&real_outside), "{:?}", grant.write);
        assert!(grant.check_write(&root.join("elsewhere/x")).is_err());
    }

    #[test]
    fn no_write_grant_writes_nothing() {
        let bot = tempfile::tempdir().unwrap();
        let grant = Grant::decide(
            &Capabilities::default(),
            Some(&GrantConfig::default()),
            bot.path(),
        );
        let err = grant.check_write(&bot.path().join("bot.py")).unwrap_err();
        assert!(err.0.contains("has no write grant"), "{err}");
    }

    #[test]
    fn a_working_directory_through_a_link_out_of_the_grant_is_refused() {
        let bot = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(bot.path()).unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), root.join("tmp")).unwrap();
        let wants = caps(&["{bot}"], &[], &[]);
        let grant = Grant::decide(&wants, Some(&for_reading(wants.clone())), &root);
        assert_eq!(grant.check_read(&root).unwrap(), root);
        let err = grant.check_read(&root.join("tmp")).unwrap_err();
        assert!(err.0.contains("through a link"), "{err}");
    }
}
