//! Decides one dependency's update the way `npm outdated` sees it: `wanted`
//! (what `npm install` takes within the declared range) and `latest` (the
//! `latest` dist-tag). Pure: every input is passed in.
//!
//! - An exact pin (`"1.2.3"`, `"=1.2.3"`) holds the update: reported with
//!   `held`, not offered.
//! - A newer `wanted` is offered; a `latest` beyond the range is named in
//!   the details (installing it means changing the range).
//! - When only `latest` is newer, it is offered with a detail saying the
//!   range in package.json changes (`npm install name@ver` rewrites it).

use std::cmp::Ordering;

use nodejs_semver::{Range, Version};
use steward_sdk::osv::{self, Vuln};
use steward_sdk::{Detail, Update, UpdateKind};

use crate::project::Dependency;
use crate::registry::{Manifest, Packument};

pub const ECOSYSTEM: &str = "npm";

/// node-semver order for OSV ranges; `None` for strings that are not versions.
pub fn compare(a: &str, b: &str) -> Option<Ordering> {
    Some(Version::parse(a).ok()?.cmp(&Version::parse(b).ok()?))
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub update: Option<Update>,
    pub warnings: Vec<String>,
}

/// Whether a declared range names a registry version at all (not a git
/// URL, a path, a tarball, an alias or a workspace).
pub fn is_registry_range(range: &str) -> bool {
    let r = range.trim();
    !(r.contains(':')
        || r.starts_with('/')
        || r.starts_with('.')
        || r.starts_with('~') && r.contains('/'))
        && (r.is_empty() || Range::parse(r).is_ok())
}

/// The exact version a range pins, if it pins one.
pub fn pinned(range: &str) -> Option<Version> {
    let r = range.trim();
    let r = r.strip_prefix('=').unwrap_or(r).trim();
    let r = r.strip_prefix('v').unwrap_or(r);
    Version::parse(r).ok()
}

pub fn assess(
    dependency: &Dependency,
    packument: &Packument<'_>,
    vulns: &[Vuln],
    include_prereleases: bool,
) -> Outcome {
    let mut outcome = Outcome::default();
    let name = &dependency.name;
    let Some(installed) = dependency.installed.as_deref() else {
        outcome.warnings.push(format!(
            "{name} is declared in package.json but not installed; run npm install"
        ));
        return outcome;
    };
    let Ok(current) = Version::parse(installed) else {
        outcome.warnings.push(format!(
            "{name} {installed}: the installed version is not a semver version; skipped"
        ));
        return outcome;
    };
    let Ok(range) = Range::parse(dependency.range.trim()) else {
        return outcome; // not a registry range: decided by the caller
    };
    let versions = packument.parsed_versions();
    let latest = if include_prereleases {
        versions.iter().max_by(|a, b| a.0.cmp(&b.0))
    } else {
        packument
            .dist_tags
            .get("latest")
            .and_then(|tag| versions.iter().find(|v| v.1 == tag.as_str()))
    };
    let Some(latest) = latest else {
        outcome
            .warnings
            .push(format!("{name}: the registry names no latest version"));
        return outcome;
    };
    let wanted = pick_wanted(&range, &versions, latest, include_prereleases);

    let mut details = Vec::new();
    let mut held = None;
    let target = if pinned(&dependency.range).is_some() {
        if latest.0 <= current {
            return finish_up_to_date(outcome, dependency, vulns);
        }
        let manifest = dependency.member.manifest();
        held = Some(format!(
            "{name}@{} is pinned in {manifest}",
            dependency.range.trim()
        ));
        if let Some(line) = dependency.line {
            details.push(format!(
                "held by {manifest}:{line}: \"{name}\": \"{}\"",
                dependency.range
            ));
        }
        latest
    } else if let Some(wanted) = wanted.filter(|w| w.0 > current) {
        if latest.0 > wanted.0 {
            details.push(format!(
                "{} is the latest, outside the declared range {}; installing it means changing the range",
                latest.1, dependency.range
            ));
        }
        wanted
    } else if latest.0 > current {
        details.push(format!(
            "{} is outside the declared range {}: installing {name}@{} rewrites it in package.json",
            latest.1, dependency.range, latest.1
        ));
        latest
    } else {
        return finish_up_to_date(outcome, dependency, vulns);
    };

    let mut update = Update::new(UpdateKind::Package, name, Some(installed), target.1);
    update.id = dependency.id();
    update.breaking = is_breaking(&current, &target.0);
    update.changelog = target.2.changelog();
    update.size = target.2.dist.as_ref().and_then(|d| d.unpacked_size);
    update.released = packument.released(target.1).map(str::to_string);
    update.held = held;
    let is_package = |n: &str| n == name.as_str();
    let verdict = osv::judge(vulns, ECOSYSTEM, &is_package, target.1, &compare);
    update.security = verdict.security;
    update.advisories = verdict.advisories;
    details.extend(verdict.details);
    if target.2.is_deprecated() {
        details.push(format!("{} is deprecated on the registry", target.1));
    }
    update.details = details.into_iter().map(Detail::Note).collect();
    outcome.update = Some(update);
    outcome
}

fn finish_up_to_date(mut outcome: Outcome, dependency: &Dependency, vulns: &[Vuln]) -> Outcome {
    if !vulns.is_empty() {
        let ids: Vec<&str> = vulns.iter().map(|v| v.id.as_str()).collect();
        outcome.warnings.push(format!(
            "{} {} is affected by {} and no newer version is available",
            dependency.name,
            dependency.installed.as_deref().unwrap_or("?"),
            ids.join(", ")
        ));
    }
    outcome
}

/// What `npm install` takes for a range (npm-pick-manifest's rule): the
/// `latest` tag when it satisfies the range, else the highest satisfying
/// version, preferring ones that are not deprecated.
fn pick_wanted<'a>(
    range: &Range,
    versions: &'a [(Version, &'a str, &'a Manifest<'a>)],
    latest: &'a (Version, &'a str, &'a Manifest<'a>),
    include_prereleases: bool,
) -> Option<&'a (Version, &'a str, &'a Manifest<'a>)> {
    let satisfies = |v: &Version| range.satisfies_with_prerelease(v, include_prereleases);
    if satisfies(&latest.0) && !latest.2.is_deprecated() {
        return Some(latest);
    }
    let matching = versions.iter().filter(|v| satisfies(&v.0));
    let best_live = matching
        .clone()
        .filter(|v| !v.2.is_deprecated())
        .max_by(|a, b| a.0.cmp(&b.0));
    best_live.or_else(|| matching.max_by(|a, b| a.0.cmp(&b.0)))
}

/// Outside what a caret range on the current version allows: a new major,
/// or a new minor of 0.x, or any change of 0.0.x.
pub fn is_breaking(current: &Version, target: &Version) -> bool {
    let caret = format!(
        "^{}.{}.{}",
        current.major(),
        current.minor(),
        current.patch()
    );
    Range::parse(caret).is_ok_and(|r| !r.satisfies_with_prerelease(target, true))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::Section;
    use crate::registry;

    fn dep(name: &str, range: &str, installed: Option<&str>) -> Dependency {
        Dependency {
            name: name.into(),
            range: range.into(),
            section: Section::Dependencies,
            installed: installed.map(str::to_string),
            line: Some(7),
            member: Default::default(),
        }
    }

    fn packument(name: &str, latest: &str, versions: &[&str]) -> Packument<'static> {
        let versions: serde_json::Map<String, serde_json::Value> = versions
            .iter()
            .map(|v| {
                let mut m = serde_json::json!({
                    "name": name, "version": v,
                    "dist": {"unpackedSize": 4096, "tarball": format!("http://r/{name}-{v}.tgz")},
                    "repository": {"type": "git", "url": format!("git+https://github.com/o/{name}.git")},
                });
                if v.ends_with("-dep") {
                    m["deprecated"] = "do not use".into();
                }
                (v.to_string(), m)
            })
            .collect();
        let time: serde_json::Map<String, serde_json::Value> = versions
            .keys()
            .map(|v| (v.clone(), "2024-05-01T10:00:00.000Z".into()))
            .collect();
        let body = serde_json::json!({
            "name": name, "dist-tags": {"latest": latest}, "versions": versions, "time": time,
        });
        // A packument borrows from its body: the tests keep theirs for good.
        registry::parse(Box::leak(body.to_string().into_bytes().into_boxed_slice())).unwrap()
    }

    #[test]
    fn check_offers_wanted_within_the_range() {
        let p = packument("ws", "8.17.0", &["8.0.0", "8.16.0", "8.17.0"]);
        let u = assess(&dep("ws", "^8.0.0", Some("8.0.0")), &p, &[], false)
            .update
            .unwrap();
        assert_eq!(u.latest, "8.17.0");
        assert!(!u.breaking && u.held.is_none());
        assert_eq!(u.size, Some(4096));
        assert_eq!(u.released.as_deref(), Some("2024-05-01T10:00:00.000Z"));
        assert_eq!(
            u.changelog.as_deref(),
            Some("https://github.com/o/ws/releases")
        );
        assert!(u.details.is_empty());
    }

    #[test]
    fn check_offers_wanted_and_names_a_latest_outside_the_range() {
        let p = packument("discord.js", "14.15.0", &["13.0.0", "13.17.1", "14.15.0"]);
        let u = assess(
            &dep("discord.js", "^13.0.0", Some("13.0.0")),
            &p,
            &[],
            false,
        )
        .update
        .unwrap();
        assert_eq!(u.latest, "13.17.1");
        assert!(
            u.details[0]
                .to_string()
                .contains("14.15.0 is the latest, outside the declared range ^13.0.0")
        );
    }

    #[test]
    fn check_offers_latest_outside_the_range_as_breaking_with_a_range_change() {
        let p = packument("discord.js", "14.15.0", &["13.17.1", "14.15.0"]);
        let u = assess(
            &dep("discord.js", "^13.0.0", Some("13.17.1")),
            &p,
            &[],
            false,
        )
        .update
        .unwrap();
        assert_eq!(u.latest, "14.15.0");
        assert!(u.breaking);
        assert!(u.held.is_none());
        assert!(
            u.details[0]
                .to_string()
                .contains("rewrites it in package.json")
        );
    }

    #[test]
    fn check_reports_an_exact_pin_as_held() {
        let p = packument("left", "1.2.0", &["1.0.0", "1.2.0"]);
        let u = assess(&dep("left", "1.0.0", Some("1.0.0")), &p, &[], false)
            .update
            .unwrap();
        assert_eq!(u.latest, "1.2.0");
        assert_eq!(
            u.held.as_deref(),
            Some("left@1.0.0 is pinned in package.json")
        );
        let details: Vec<String> = u.details.iter().map(Detail::to_string).collect();
        assert_eq!(details, ["held by package.json:7: \"left\": \"1.0.0\""]);
    }

    #[test]
    fn check_reports_nothing_for_an_up_to_date_dependency() {
        let p = packument("ws", "8.17.0", &["8.17.0"]);
        let out = assess(&dep("ws", "^8.0.0", Some("8.17.0")), &p, &[], false);
        assert!(out.update.is_none() && out.warnings.is_empty());
    }

    #[test]
    fn prereleases_count_only_when_asked() {
        let p = packument("x", "1.0.0", &["1.0.0", "2.0.0-beta.1"]);
        assert!(
            assess(&dep("x", "^1.0.0", Some("1.0.0")), &p, &[], false)
                .update
                .is_none()
        );
        let u = assess(&dep("x", "^1.0.0", Some("1.0.0")), &p, &[], true)
            .update
            .unwrap();
        assert_eq!(u.latest, "2.0.0-beta.1");
    }

    #[test]
    fn wanted_skips_deprecated_versions_when_a_live_one_fits() {
        let p = packument("x", "2.0.0", &["1.0.0", "1.1.0", "1.2.0-dep", "2.0.0"]);
        let u = assess(&dep("x", "^1.0.0", Some("1.0.0")), &p, &[], false)
            .update
            .unwrap();
        assert_eq!(u.latest, "1.1.0");
    }

    #[test]
    fn security_follows_whether_the_target_fixes_the_advisory() {
        let vuln = osv::parse_vuln(
            br#"{"id":"GHSA-ws","summary":"DoS","affected":[{"package":{"ecosystem":"npm","name":"ws"},
                 "ranges":[{"type":"SEMVER","events":[{"introduced":"8.0.0"},{"fixed":"8.17.1"}]}]}]}"#,
        )
        .unwrap();
        let fixed = packument("ws", "8.17.1", &["8.0.0", "8.17.1"]);
        let u = assess(
            &dep("ws", "^8.0.0", Some("8.0.0")),
            &fixed,
            std::slice::from_ref(&vuln),
            false,
        )
        .update
        .unwrap();
        assert!(u.security);
        let not_fixed = packument("ws", "8.17.0", &["8.0.0", "8.17.0"]);
        let u = assess(
            &dep("ws", "^8.0.0", Some("8.0.0")),
            &not_fixed,
            &[vuln],
            false,
        )
        .update
        .unwrap();
        assert!(!u.security);
        assert_eq!(u.advisories[0].id, "GHSA-ws");
        assert!(
            u.details
                .iter()
                .any(|d| d.to_string().contains("NOT fixed by 8.17.0"))
        );
    }

    #[test]
    fn registry_ranges_exclude_urls_paths_and_aliases() {
        assert!(is_registry_range("^1.2.3"));
        assert!(is_registry_range(">=1 <3 || 4.x"));
        assert!(is_registry_range("*"));
        assert!(!is_registry_range("github:o/r"));
        assert!(!is_registry_range("file:../lib"));
        assert!(!is_registry_range("npm:other@^1"));
        assert!(!is_registry_range("latest"));
        assert_eq!(
            pinned("=1.2.3").map(|v| v.to_string()).as_deref(),
            Some("1.2.3")
        );
        assert!(pinned("^1.2.3").is_none());
    }

    #[test]
    fn breaking_follows_caret_semantics() {
        let v = |s| Version::parse(s).unwrap();
        assert!(is_breaking(&v("1.9.0"), &v("2.0.0")));
        assert!(!is_breaking(&v("1.2.0"), &v("1.9.9")));
        assert!(is_breaking(&v("0.4.0"), &v("0.5.0")));
        assert!(is_breaking(&v("0.0.3"), &v("0.0.4")));
    }
}
