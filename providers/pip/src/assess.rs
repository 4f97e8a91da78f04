//! Decides what one installed distribution's update is: the newest release
//! pip would take, whether a requirement holds it back, whether it is
//! breaking, and what it means for advisories. Pure: every input is passed in.

use std::cmp::Ordering;
use std::str::FromStr;

use pep440_rs::Version;
use steward_sdk::osv::{self, Vuln};
use steward_sdk::{Detail, Update, UpdateKind};

use crate::index::{Candidate, Filter, Project};
use crate::requirements::Requirement;
use crate::venv::{Installed, normalize};

pub const ECOSYSTEM: &str = "PyPI";

/// PEP 440 order for OSV ranges; `None` for strings that are not versions.
pub fn compare(a: &str, b: &str) -> Option<Ordering> {
    Some(Version::from_str(a).ok()?.cmp(&Version::from_str(b).ok()?))
}

/// What became of one installed distribution.
#[derive(Debug, Default)]
pub struct Outcome {
    pub update: Option<Update>,
    pub warnings: Vec<String>,
}

pub fn assess(
    installed: &Installed,
    project: &Project,
    requirements: &[Requirement],
    vulns: &[Vuln],
    filter: &Filter,
) -> Outcome {
    let mut outcome = Outcome::default();
    let Ok(current) = Version::from_str(&installed.version) else {
        outcome.warnings.push(format!(
            "{} {}: the installed version is not a PEP 440 version; skipped",
            installed.name, installed.version
        ));
        return outcome;
    };
    let candidates = project.candidates(filter);
    let is_package = |name: &str| normalize(name) == installed.key;
    let Some(latest) = candidates.last() else {
        outcome.warnings.push(format!(
            "{}: the index lists no installable release",
            installed.name
        ));
        return outcome;
    };
    if latest.version <= current {
        if !vulns.is_empty() {
            let ids: Vec<&str> = vulns.iter().map(|v| v.id.as_str()).collect();
            outcome.warnings.push(format!(
                "{} {} is affected by {} and no newer release is available",
                installed.name,
                installed.version,
                ids.join(", ")
            ));
        }
        return outcome;
    }

    let blocking: Vec<&Requirement> = requirements
        .iter()
        .filter(|r| !r.allows(&latest.version))
        .collect();
    let allowed = candidates
        .iter()
        .rev()
        .find(|c| requirements.iter().all(|r| r.allows(&c.version)));
    let mut details = Vec::new();
    let (target, held): (&Candidate, Option<String>) = if blocking.is_empty() {
        (latest, None)
    } else if let Some(allowed) = allowed.filter(|c| c.version > current) {
        details.push(format!(
            "{} is the latest, excluded by {}",
            latest.text,
            describe(&blocking)
        ));
        (allowed, None)
    } else {
        let text: Vec<&str> = blocking.iter().map(|r| r.text.as_str()).collect();
        details.push(format!("held by {}", describe(&blocking)));
        (latest, Some(text.join(", ")))
    };

    let mut update = Update::new(
        UpdateKind::Package,
        &installed.name,
        Some(&installed.version),
        &target.text,
    );
    update.id = installed.key.clone();
    update.breaking = is_breaking(&current, &target.version);
    update.changelog = installed.changelog();
    let file = target.likely_file(&installed.tags);
    update.size = file.and_then(|f| f.size);
    update.released = target.released();
    update.held = held;

    let verdict = osv::judge(vulns, ECOSYSTEM, &is_package, &target.text, &compare);
    update.security = verdict.security;
    update.advisories = verdict.advisories;
    details.extend(verdict.details);
    if !update.security && target.text != latest.text {
        let latest_fixes = vulns
            .iter()
            .any(|v| v.affects(ECOSYSTEM, &is_package, &latest.text, &compare) == Some(false));
        if latest_fixes {
            details.push(format!(
                "{} would fix an advisory, but the requirements exclude it",
                latest.text
            ));
        }
    }
    if let Some(file) = file {
        details.push(format!("file: {}", &*file.filename));
    }
    update.details = details.into_iter().map(Detail::Note).collect();
    outcome.update = Some(update);
    outcome
}

fn describe(requirements: &[&Requirement]) -> String {
    requirements
        .iter()
        .map(|r| format!("{} ({})", r.text, r.origin))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A new epoch or major version; for 0.x, a new minor too (those are the
/// releases that usually change an API before 1.0).
pub fn is_breaking(current: &Version, target: &Version) -> bool {
    if current.epoch() != target.epoch() {
        return true;
    }
    let part = |v: &Version, i: usize| v.release().get(i).copied().unwrap_or(0);
    if part(target, 0) != part(current, 0) {
        return true;
    }
    part(current, 0) == 0 && part(target, 1) != part(current, 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index;
    use crate::requirements::parse_line;

    fn installed(name: &str, version: &str) -> Installed {
        Installed {
            name: name.to_string(),
            key: normalize(name),
            version: version.to_string(),
            tags: vec!["py3-none-any".to_string()],
            local: false,
            links: vec![(
                "Changelog".to_string(),
                "https://example.org/changes".to_string(),
            )],
        }
    }

    fn project(name: &str, releases: &[(&str, bool)]) -> Project<'static> {
        let files: Vec<serde_json::Value> = releases
            .iter()
            .map(|(v, yanked)| {
                serde_json::json!({
                    "filename": format!("{}-{v}-py3-none-any.whl", normalize(name).replace('-', "_")),
                    "size": 1000,
                    "upload-time": "2024-01-01T00:00:00.000000Z",
                    "yanked": yanked,
                    "hashes": {},
                })
            })
            .collect();
        let body = serde_json::json!({
            "meta": {"api-version": "1.1"},
            "name": normalize(name),
            "files": files,
        });
        // Leaked: the project borrows from its body for the whole test.
        index::parse(body.to_string().leak().as_bytes(), None, &normalize(name)).unwrap()
    }

    fn req(line: &str) -> Requirement {
        parse_line(line, "requirements.txt:1".into()).unwrap().1
    }

    fn vuln(id: &str, package: &str, fixed: &str) -> Vuln {
        osv::parse_vuln(
            serde_json::json!({
                "id": id, "summary": "bad",
                "affected": [{"package": {"ecosystem": "PyPI", "name": package},
                              "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}]}]
            })
            .to_string()
            .as_bytes(),
        )
        .unwrap()
    }

    #[test]
    fn check_offers_the_newest_release() {
        let p = project("aiohttp", &[("3.8.0", false), ("3.9.1", false)]);
        let u = assess(
            &installed("aiohttp", "3.8.0"),
            &p,
            &[],
            &[],
            &Filter::default(),
        )
        .update
        .unwrap();
        assert_eq!(u.latest, "3.9.1");
        assert_eq!(u.current.as_deref(), Some("3.8.0"));
        assert!(!u.breaking && u.held.is_none() && !u.security);
        assert_eq!(u.size, Some(1000));
        assert_eq!(u.changelog.as_deref(), Some("https://example.org/changes"));
        assert!(u.released.is_some());
    }

    #[test]
    fn check_reports_nothing_for_an_up_to_date_package() {
        let p = project("yarl", &[("1.9.4", false)]);
        let out = assess(
            &installed("yarl", "1.9.4"),
            &p,
            &[],
            &[],
            &Filter::default(),
        );
        assert!(out.update.is_none() && out.warnings.is_empty());
    }

    #[test]
    fn check_reports_pinned_requirement_as_held() {
        let p = project("discord.py", &[("2.3.0", false), ("2.4.0", false)]);
        let u = assess(
            &installed("discord.py", "2.3.0"),
            &p,
            &[req("discord.py==2.3.0")],
            &[],
            &Filter::default(),
        )
        .update
        .unwrap();
        assert_eq!(u.latest, "2.4.0");
        assert_eq!(u.held.as_deref(), Some("discord.py==2.3.0"));
    }

    #[test]
    fn check_offers_the_newest_release_a_bound_allows_and_names_the_latest() {
        let p = project(
            "aiohttp",
            &[("3.8.0", false), ("3.9.0", false), ("4.0.0", false)],
        );
        let u = assess(
            &installed("aiohttp", "3.8.0"),
            &p,
            &[req("aiohttp<4")],
            &[],
            &Filter::default(),
        )
        .update
        .unwrap();
        assert_eq!(u.latest, "3.9.0");
        assert!(u.held.is_none());
        assert!(u.details.iter().any(|d| {
            d.to_string()
                .contains("4.0.0 is the latest, excluded by aiohttp<4")
        }));
    }

    #[test]
    fn check_ignores_yanked_and_prereleases_unless_asked() {
        let p = project("x", &[("1.0", false), ("1.1", true), ("2.0b1", false)]);
        let out = assess(&installed("x", "1.0"), &p, &[], &[], &Filter::default());
        assert!(out.update.is_none());
        let all = Filter {
            include_prereleases: true,
            include_yanked: true,
            python: None,
            project_python: None,
        };
        let u = assess(&installed("x", "1.0"), &p, &[], &[], &all)
            .update
            .unwrap();
        assert_eq!(u.latest, "2.0b1");
        assert!(u.breaking);
    }

    #[test]
    fn breaking_means_a_new_major_or_a_new_zero_minor() {
        let v = |s| Version::from_str(s).unwrap();
        assert!(is_breaking(&v("1.9"), &v("2.0")));
        assert!(!is_breaking(&v("1.2.3"), &v("1.9")));
        assert!(is_breaking(&v("0.4.1"), &v("0.5.0")));
        assert!(!is_breaking(&v("0.4.1"), &v("0.4.9")));
        assert!(is_breaking(&v("2024.1"), &v("1!1.0")));
    }

    #[test]
    fn security_update_when_the_target_fixes_the_advisory() {
        let p = project("jinja2", &[("3.1.2", false), ("3.1.4", false)]);
        let u = assess(
            &installed("Jinja2", "3.1.2"),
            &p,
            &[],
            &[vuln("GHSA-1", "jinja2", "3.1.3")],
            &Filter::default(),
        )
        .update
        .unwrap();
        assert!(u.security);
        assert_eq!(u.advisories[0].id, "GHSA-1");
    }

    #[test]
    fn advisory_not_fixed_by_latest_is_carried_but_not_marked_security() {
        let p = project("jinja2", &[("3.1.2", false), ("3.1.4", false)]);
        let u = assess(
            &installed("Jinja2", "3.1.2"),
            &p,
            &[],
            &[vuln("GHSA-2", "jinja2", "3.2.0")],
            &Filter::default(),
        )
        .update
        .unwrap();
        assert!(!u.security);
        assert_eq!(u.advisories.len(), 1);
        assert!(
            u.details
                .iter()
                .any(|d| d.to_string().contains("GHSA-2 is NOT fixed by 3.1.4"))
        );
    }

    #[test]
    fn affected_package_without_newer_release_is_a_warning() {
        let p = project("x", &[("1.0", false)]);
        let out = assess(
            &installed("x", "1.0"),
            &p,
            &[],
            &[vuln("GHSA-3", "x", "1.1")],
            &Filter::default(),
        );
        assert!(out.update.is_none());
        assert!(out.warnings[0].contains("GHSA-3"));
    }
}
