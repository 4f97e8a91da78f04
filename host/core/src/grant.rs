//! What an operator may grant a provider, as `steward.toml` writes it, and
//! the vocabulary every grant decision is made in: `{bot}` expanded, paths
//! resolved through their links, argument patterns (globs and typed ones)
//! matched. The runtime decides with these; the configuration checks its
//! grants with the same ones.

use std::path::{Component, Path, PathBuf};

use serde::Deserialize;

use crate::provider::Program;

/// `[providers.NAME.grant]`: what the operator allows one provider. Paths
/// may start with `{bot}`, the bot's root. Reading and changing are granted
/// apart, so a program that changes the system is never reachable from a
/// check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct GrantConfig {
    /// Directories it may read (mounted read-only at the same path).
    #[serde(default)]
    pub read: Vec<String>,
    /// Hosts (`name`, `name:port`, `*.domain`) it may send HTTP requests to.
    #[serde(default)]
    pub http: Vec<String>,
    /// Programs it may run while reading (check, capture, verify).
    #[serde(default)]
    pub programs: Vec<Program>,
    /// Programs the steps of its plans may run.
    #[serde(default)]
    pub plan_programs: Vec<Program>,
    /// Files and directories (everything below them included) the steps of
    /// its plans may create or replace.
    #[serde(default)]
    pub write: Vec<String>,
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
    (
        "{npm-range}",
        "an npm package name, `@` and a version, optionally after `^` or `~`",
    ),
    ("{apt-pin}", "a Debian package name, `=` and a version"),
    ("{apt-name}", "a Debian package name"),
];

/// Replaces a leading `{bot}` with the bot root.
pub fn expand(p: &str, bot_root: &Path) -> String {
    match p.strip_prefix("{bot}") {
        Some(rest) => format!("{}{}", bot_root.display(), rest),
        None => p.to_string(),
    }
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

/// One pattern per argument; `...` accepts any further arguments matching
/// the pattern before it.
pub fn args_match(patterns: &[String], args: &[String]) -> bool {
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
        "{npm-range}" => |a| {
            a.rsplit_once('@')
                .filter(|(n, _)| !n.is_empty())
                .is_some_and(|(n, v)| {
                    npm_name(n) && semver_text(v.strip_prefix(['^', '~']).unwrap_or(v))
                })
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

    fn strings(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
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
        no("{npm-pin}", "ws@^8.18.0");
        ok("{npm-range}", "ws@^8.18.0");
        ok("{npm-range}", "@discordjs/rest@~2.3.0");
        ok("{npm-range}", "ws@8.18.0");
        no("{npm-range}", "ws@^^8.18.0");
        no("{npm-range}", "ws@>=8");
        no("{npm-range}", "ws@^file:../evil");
        no("{npm-range}", "--registry=x@^1");
        ok("{apt-pin}", "libssl3=3.0.15-1~deb12u1");
        ok("{apt-pin}", "tzdata=1:2024a-0+deb12u1");
        no("{apt-pin}", "libssl3=3.0/evil");
        no("{apt-pin}", "-o=1");
        no("{apt-pin}", "/tmp/evil.deb=1");
        ok("{apt-name}", "libc6");
        no("{apt-name}", "./evil.deb");
        no("{nonsense}", "anything");
    }
}
