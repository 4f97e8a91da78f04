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

use std::path::{Component, Path, PathBuf};

use serde::Serialize;

use crate::config::GrantConfig;
use crate::provider::{Capabilities, Program};

/// What one provider may do. Deny by default: an empty grant allows nothing.
#[derive(Debug, Clone, Default, Serialize)]
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

/// When a program is asked to run: to read, or as a step of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunFor {
    Reading,
    Plan,
}

/// Argument types a pattern may name instead of a glob, for what the
/// bundled providers pass: a glob such as `*==*` also matches
/// `--index-url=http://elsewhere/==1` or a URL requirement.
pub const TYPED_PATTERNS: &[(&str, &str)] = &[
    (
        "{pip-pin}",
        "a Python distribution name, `==` and a version",
    ),
    ("{pip-name}", "a Python distribution name"),
    ("{npm-pin}", "an npm package name, `@` and a version"),
    ("{apt-pin}", "a Debian package name, `=` and a version"),
    ("{apt-name}", "a Debian package name"),
];

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

/// Replaces a leading `{bot}` with the bot root.
pub fn expand(p: &str, bot_root: &Path) -> String {
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

/// Where an absolute path that may not exist yet would really be: its
/// deepest existing ancestor resolved through links, the missing rest
/// appended as written. `None` for a relative path or one with `..`.
pub fn resolve_target(path: &Path) -> Option<PathBuf> {
    if !path.is_absolute() || path.components().any(|c| c == Component::ParentDir) {
        return None;
    }
    let mut missing = Vec::new();
    let mut probe = path;
    loop {
        match std::fs::canonicalize(probe) {
            Ok(mut real) => {
                real.extend(missing.iter().rev());
                return Some(real);
            }
            Err(_) => {
                missing.push(probe.file_name()?.to_os_string());
                probe = probe.parent()?;
            }
        }
    }
}

/// `*.example.com` matches subdomains; everything else matches exactly.
fn host_pattern_matches(pattern: &str, host: &str) -> bool {
    let pattern = pattern.to_ascii_lowercase();
    match pattern.strip_prefix("*.") {
        Some(suffix) => host.ends_with(&format!(".{suffix}")),
        None => pattern == host,
    }
}

/// One pattern per argument; `...` accepts any further arguments matching
/// the pattern before it.
fn args_match(patterns: &[String], args: &[String]) -> bool {
    let mut i = 0;
    for (pi, pattern) in patterns.iter().enumerate() {
        if pattern == "..." {
            let Some(prev) = pi.checked_sub(1).map(|p| &patterns[p]) else {
                return false;
            };
            return args[i..].iter().all(|a| argument_matches(prev, a));
        }
        match args.get(i) {
            Some(a) if argument_matches(pattern, a) => i += 1,
            _ => return false,
        }
    }
    i == args.len()
}

/// Whether one argument fits one pattern: a typed pattern checks the
/// argument's shape; a glob never lets an argument that starts with `-`
/// through unless the pattern itself starts with `-` (so `*` is never an
/// option), and a pattern that names a path (has a `/`) matches one path
/// component per `*` and never an argument with a `..` component.
fn argument_matches(pattern: &str, arg: &str) -> bool {
    if let Some(typed) = typed(pattern) {
        return typed(arg);
    }
    if arg.starts_with('-') && !pattern.starts_with('-') {
        return false;
    }
    let path_like = pattern.contains('/');
    if path_like
        && Path::new(arg)
            .components()
            .any(|c| c == Component::ParentDir)
    {
        return false;
    }
    glob::Pattern::new(pattern)
        .map(|p| {
            p.matches_with(
                arg,
                glob::MatchOptions {
                    case_sensitive: true,
                    require_literal_separator: path_like,
                    require_literal_leading_dot: path_like,
                },
            )
        })
        .unwrap_or(false)
}

/// The checker of a typed pattern (`{pip-pin}`…), `None` for a glob. An
/// unknown `{name}` is a typed pattern that accepts nothing (config
/// validation refuses it before it gets here).
fn typed(pattern: &str) -> Option<fn(&str) -> bool> {
    if !(pattern.starts_with('{') && pattern.ends_with('}')) {
        return None;
    }
    let check: fn(&str) -> bool = match pattern {
        "{pip-pin}" => |a| split_pin(a, "==").is_some_and(|(n, v)| pip_name(n) && pep440_text(v)),
        "{pip-name}" => pip_name,
        "{npm-pin}" => |a| {
            // The scope's own `@` comes first; the version follows the last.
            a.rsplit_once('@')
                .filter(|(n, _)| !n.is_empty())
                .is_some_and(|(n, v)| npm_name(n) && semver_text(v))
        },
        "{apt-pin}" => |a| split_pin(a, "=").is_some_and(|(n, v)| apt_name(n) && debian_version(v)),
        "{apt-name}" => apt_name,
        _ => |_| false,
    };
    Some(check)
}

/// Whether `{name}` is a typed pattern this Steward knows.
pub fn is_known_typed(pattern: &str) -> bool {
    TYPED_PATTERNS.iter().any(|(name, _)| *name == pattern)
}

fn split_pin<'a>(arg: &'a str, sep: &str) -> Option<(&'a str, &'a str)> {
    arg.split_once(sep)
}

/// PEP 508 names: letters, digits, `.`, `_`, `-`, alphanumeric at both ends.
fn pip_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || b".-_".contains(c))
}

/// The characters of a PEP 440 version (`1!2.0rc1.post3+local.7`), starting
/// with a digit or `v`: nothing that could be a URL, a marker or an option.
fn pep440_text(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && (b[0].is_ascii_digit() || b[0] == b'v' || b[0] == b'V')
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || b".!+-_".contains(c))
}

/// npm names: an optional `@scope/`, then URL-safe lowercase-ish characters
/// not starting with `.` or `_`.
fn npm_name(s: &str) -> bool {
    let part = |p: &str| {
        let b = p.as_bytes();
        !b.is_empty()
            && b[0] != b'.'
            && b[0] != b'_'
            && b.iter()
                .all(|c| c.is_ascii_alphanumeric() || b".-_~".contains(c))
    };
    match s.strip_prefix('@') {
        Some(scoped) => scoped
            .split_once('/')
            .is_some_and(|(scope, name)| part(scope) && part(name)),
        None => part(s),
    }
}

/// A semver version (`1.2.3-beta.1+build`), starting with a digit.
fn semver_text(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_digit()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || b".-+".contains(c))
}

/// Debian package names: lowercase letters, digits, `+`, `-`, `.`, at least
/// two characters, starting with a letter or digit.
fn apt_name(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2
        && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || b"+-.".contains(c))
}

/// A Debian version (`1:2.36-9+deb12u4~bpo1`), starting with a digit.
fn debian_version(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_digit()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || b".+-~:".contains(c))
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
    fn a_star_never_matches_an_option() {
        assert!(argument_matches("*==*", "discord.py==2.4.0"));
        assert!(!argument_matches(
            "*==*",
            "--index-url=http://evil.example/simple==1"
        ));
        assert!(!argument_matches("*", "--yes"));
        assert!(argument_matches("--*", "--yes"));
        assert!(!argument_matches(
            "*@*",
            "--registry=http://evil.example/@1"
        ));
    }

    #[test]
    fn a_path_pattern_matches_one_component_per_star_and_never_parent_dirs() {
        assert!(argument_matches(
            "/srv/bot/releases/*",
            "/srv/bot/releases/1.2.0"
        ));
        assert!(!argument_matches(
            "/srv/bot/releases/*",
            "/srv/bot/releases/../../../etc"
        ));
        assert!(!argument_matches(
            "/srv/bot/releases/*",
            "/srv/bot/releases/1.2.0/../../x"
        ));
        assert!(!argument_matches(
            "/srv/bot/releases/*",
            "/srv/bot/releases/a/b"
        ));
        assert!(!argument_matches(
            "/srv/bot/releases/*",
            "/srv/bot/releases/.."
        ));
    }

    #[test]
    fn typed_patterns_accept_only_their_shape() {
        let ok = |p: &str, a: &str| assert!(argument_matches(p, a), "{p} should accept {a}");
        let no = |p: &str, a: &str| assert!(!argument_matches(p, a), "{p} should refuse {a}");
        ok("{pip-pin}", "discord.py==2.4.0");
        ok("{pip-pin}", "aiohttp==3.9.5.post1");
        ok("{pip-pin}", "pkg==1!2.0rc1+local.7");
        no("{pip-pin}", "--index-url=http://evil.example/simple==1");
        no("{pip-pin}", "evil @ http://evil.example/x.whl==1");
        no("{pip-pin}", "git+https://evil.example/x==1");
        no("{pip-pin}", "pkg==1;python_version>'3'");
        no("{pip-pin}", "pkg>=1");
        ok("{pip-name}", "python-dotenv");
        no("{pip-name}", "-r");
        no("{pip-name}", "../x");
        ok("{npm-pin}", "ws@8.18.0");
        ok("{npm-pin}", "@discordjs/rest@2.3.0-beta.1");
        no("{npm-pin}", "ws@https://evil.example/ws.tgz");
        no("{npm-pin}", "ws@file:../evil");
        no("{npm-pin}", "ws@npm:evil@1.0.0");
        no("{npm-pin}", "@8.0.0");
        no("{npm-pin}", "--registry=x@1");
        ok("{apt-pin}", "libssl3=3.0.15-1~deb12u1");
        ok("{apt-pin}", "tzdata=1:2024a-0+deb12u1");
        no("{apt-pin}", "libssl3=3.0/evil");
        no("{apt-pin}", "-o=1");
        no("{apt-pin}", "/tmp/evil.deb=1");
        ok("{apt-name}", "libc6");
        no("{apt-name}", "./evil.deb");
        no("{nonsense}", "anything");
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
