//! Decides what `check` offers: the newest release above the current one,
//! whether it is breaking or a security fix, what lies in between, and
//! whether it can be installed at all. Pure: it reads only its arguments.

use semver::Version;
use steward_sdk::{Detail, ReleaseNote, Report, Update, UpdateKind};

use crate::catalog::{Catalog, Origin, Release};

/// The update id of the bot's release; `plan` and `verify` look for it.
pub const UPDATE_ID: &str = "release";

pub struct Rules {
    pub include_prereleases: bool,
    /// Bytes.
    pub size_limit: u64,
}

/// What `check` reports for a bot at `current`.
pub fn offer(current: &Version, catalog: &Catalog, rules: &Rules) -> Report {
    let mut report = Report {
        updates: Vec::new(),
        warnings: catalog.warnings(),
    };
    let mut newer: Vec<&Release> = catalog
        .releases
        .iter()
        .filter(|r| &r.version > current)
        .filter(|r| rules.include_prereleases || !r.is_prerelease())
        .collect();
    newer.sort_by(|a, b| b.version.cmp(&a.version));
    let Some(target) = newer.first() else {
        return report;
    };
    let mut update = Update::new(
        UpdateKind::Bot,
        "bot",
        Some(&current.to_string()),
        &target.version.to_string(),
    );
    update.id = UPDATE_ID.to_string();
    update.breaking =
        is_breaking_bump(current, &target.version) || newer.iter().any(|r| r.breaking);
    update.security = newer.iter().any(|r| r.security);
    update.released = target.released.clone();
    update.size = target.archive.as_ref().and_then(|a| a.size);
    update.held = install_blocker(target, catalog.origin, rules.size_limit);
    update.changelog = combined_changelog(&newer);
    update.details = newer.iter().map(|r| detail_line(r)).collect();
    report.updates.push(update);
    report
}

/// A major bump, or a minor bump below 1.0.0 (where semver promises nothing
/// between minors, and Cargo treats them as breaking too).
pub fn is_breaking_bump(current: &Version, target: &Version) -> bool {
    target.major > current.major
        || (current.major == 0 && target.major == 0 && target.minor > current.minor)
}

/// Why `release` cannot be installed, in words for the operator, or `None`.
pub fn install_blocker(release: &Release, origin: Origin, size_limit: u64) -> Option<String> {
    let Some(archive) = &release.archive else {
        return Some(match origin {
            Origin::Git => "git tags name versions but carry no archive or sha256: Steward can report this release but not install it; use source = \"manifest\" or \"github\" with published archives to install".to_string(),
            Origin::Manifest => format!("the release manifest gives no archive url for {}", release.version),
            Origin::Github => format!("the GitHub release {} has no .tar.gz asset", release.version),
        });
    };
    if archive.sha256.is_none() {
        return Some(format!(
            "{} publishes no sha256 for {}, so it cannot be installed safely",
            origin.describe(),
            release.version
        ));
    }
    match archive.size {
        Some(size) if size > size_limit => Some(format!(
            "the archive is {} MiB, above size_limit_mb = {}",
            size.div_ceil(1024 * 1024),
            size_limit / (1024 * 1024)
        )),
        _ => None,
    }
}

fn combined_changelog(newest_first: &[&Release]) -> Option<String> {
    let with_notes: Vec<&&Release> = newest_first
        .iter()
        .filter(|r| r.changelog.is_some())
        .collect();
    match with_notes.as_slice() {
        [] => None,
        [only] if newest_first.len() == 1 => only.changelog.clone(),
        many => Some(
            many.iter()
                .map(|r| {
                    format!(
                        "## {}\n{}",
                        r.version,
                        r.changelog.as_deref().unwrap_or("").trim()
                    )
                })
                .collect::<Vec<_>>()
                .join("\n\n"),
        ),
    }
}

fn detail_line(release: &Release) -> Detail {
    let summary = release
        .changelog
        .as_deref()
        .and_then(|c| c.lines().map(str::trim).find(|l| !l.is_empty()))
        .unwrap_or_default();
    Detail::Release(ReleaseNote {
        version: release.version.to_string(),
        released: release.released.clone(),
        security: release.security,
        breaking: release.breaking,
        summary: summary.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Archive, Published};

    const LIMIT: u64 = 200 * 1024 * 1024;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn installable(version: &str) -> Release {
        let mut r = Release::new(v(version));
        r.archive = Some(Archive {
            url: format!("https://x/bot-{version}.tar.gz"),
            name: None,
            sha256: Some(Published::Inline("a".repeat(64))),
            size: Some(1000),
            signature: None,
        });
        r
    }

    fn catalog(releases: Vec<Release>) -> Catalog {
        let mut c = Catalog::new(Origin::Manifest);
        for r in releases {
            c.add(r);
        }
        c
    }

    fn rules() -> Rules {
        Rules {
            include_prereleases: false,
            size_limit: LIMIT,
        }
    }

    #[test]
    fn check_offers_the_newest_version_with_intermediate_versions_in_details() {
        let mut a = installable("1.4.1");
        a.changelog = Some("Fixes crash\nmore".to_string());
        let mut b = installable("1.5.0");
        b.changelog = Some("Adds /poll".to_string());
        let report = offer(
            &v("1.4.0"),
            &catalog(vec![a, installable("1.3.0"), b]),
            &rules(),
        );
        let u = &report.updates[0];
        assert_eq!(u.id, UPDATE_ID);
        assert_eq!(u.current.as_deref(), Some("1.4.0"));
        assert_eq!(u.latest, "1.5.0");
        assert!(!u.breaking);
        assert!(!u.security);
        assert_eq!(u.held, None);
        let lines: Vec<String> = u.details.iter().map(ToString::to_string).collect();
        assert_eq!(lines, ["1.5.0: Adds /poll", "1.4.1: Fixes crash"]);
        assert_eq!(
            u.changelog.as_deref(),
            Some("## 1.5.0\nAdds /poll\n\n## 1.4.1\nFixes crash\nmore")
        );
    }

    #[test]
    fn check_offers_nothing_when_current_is_newest() {
        let report = offer(&v("2.0.0"), &catalog(vec![installable("1.9.0")]), &rules());
        assert!(report.updates.is_empty());
    }

    #[test]
    fn major_bump_is_breaking_and_so_is_a_minor_bump_below_one() {
        assert!(is_breaking_bump(&v("1.9.0"), &v("2.0.0")));
        assert!(!is_breaking_bump(&v("1.4.0"), &v("1.9.3")));
        assert!(is_breaking_bump(&v("0.3.2"), &v("0.4.0")));
        assert!(!is_breaking_bump(&v("0.3.2"), &v("0.3.9")));
    }

    #[test]
    fn manifest_breaking_flag_on_an_intermediate_version_makes_the_update_breaking() {
        let mut mid = installable("1.5.0");
        mid.breaking = true;
        let report = offer(
            &v("1.4.0"),
            &catalog(vec![mid, installable("1.6.0")]),
            &rules(),
        );
        assert!(report.updates[0].breaking);
        assert!(
            report.updates[0]
                .details
                .iter()
                .any(|d| d.to_string() == "1.5.0 [breaking]")
        );
    }

    #[test]
    fn security_counts_versions_after_current_up_to_target_only() {
        let mut old = installable("1.4.0");
        old.security = true;
        let report = offer(
            &v("1.4.0"),
            &catalog(vec![old.clone(), installable("1.5.0")]),
            &rules(),
        );
        assert!(
            !report.updates[0].security,
            "the current version's fix is already installed"
        );

        let mut between = installable("1.4.1");
        between.security = true;
        let report = offer(
            &v("1.4.0"),
            &catalog(vec![between, installable("1.5.0")]),
            &rules(),
        );
        assert!(report.updates[0].security);
    }

    #[test]
    fn prereleases_are_offered_only_when_asked_for() {
        let c = catalog(vec![installable("1.5.0"), installable("2.0.0-rc.1")]);
        assert_eq!(offer(&v("1.4.0"), &c, &rules()).updates[0].latest, "1.5.0");
        let with_pre = Rules {
            include_prereleases: true,
            size_limit: LIMIT,
        };
        assert_eq!(
            offer(&v("1.4.0"), &c, &with_pre).updates[0].latest,
            "2.0.0-rc.1"
        );
    }

    #[test]
    fn release_without_sha256_is_reported_but_held_as_unsafe_to_install() {
        let mut r = installable("1.5.0");
        r.archive.as_mut().unwrap().sha256 = None;
        let report = offer(&v("1.4.0"), &catalog(vec![r]), &rules());
        let held = report.updates[0].held.as_deref().unwrap();
        assert!(held.contains("cannot be installed safely"), "{held}");
    }

    #[test]
    fn archive_above_the_size_limit_is_held() {
        let mut r = installable("1.5.0");
        r.archive.as_mut().unwrap().size = Some(300 * 1024 * 1024);
        let report = offer(&v("1.4.0"), &catalog(vec![r]), &rules());
        let held = report.updates[0].held.as_deref().unwrap();
        assert!(
            held.contains("300 MiB") && held.contains("size_limit_mb = 200"),
            "{held}"
        );
    }

    #[test]
    fn git_tag_release_is_reported_but_held_because_tags_carry_no_archive() {
        let mut c = Catalog::new(Origin::Git);
        c.add(Release::new(v("1.5.0")));
        let report = offer(&v("1.4.0"), &c, &rules());
        assert_eq!(report.updates[0].latest, "1.5.0");
        let held = report.updates[0].held.as_deref().unwrap();
        assert!(
            held.contains("can report this release but not install it"),
            "{held}"
        );
    }
}
