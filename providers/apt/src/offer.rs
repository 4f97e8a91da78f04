//! Decides what `check` reports: each package apt can upgrade, its installed
//! and candidate versions, whether the candidate comes from a security
//! archive, and whether a hold or the operator's lists keep it back. Pure.

use std::cmp::Ordering;

use steward_sdk::{Detail, Report, Update, UpdateKind};

use crate::debversion;
use crate::listing::Listing;
use crate::settings::AptSettings;
use crate::status::Status;

pub fn offer(status: &Status, upgradable: &Listing, settings: &AptSettings) -> Report {
    let mut report = Report::default();
    for entry in &upgradable.entries {
        let installed = status.find(&entry.name, Some(&entry.arch));
        // dpkg's record is the truth; apt's "from" covers a status file read a
        // moment earlier than apt ran.
        let Some(current) = installed
            .map(|i| i.version.as_str())
            .or(entry.upgradable_from.as_deref())
        else {
            report.warnings.push(format!(
                "apt lists {} {} as an upgrade, but dpkg has no installed version; skipped",
                entry.name, entry.version
            ));
            continue;
        };
        match debversion::compare(&entry.version, current) {
            Some(Ordering::Greater) => {}
            Some(_) => {
                report.warnings.push(format!(
                    "apt offers {} {}, which is not newer than the installed {current}; skipped",
                    entry.name, entry.version
                ));
                continue;
            }
            None => {
                report.warnings.push(format!(
                    "{} has a version Steward cannot compare ({current} -> {}); skipped",
                    entry.name, entry.version
                ));
                continue;
            }
        }
        let mut update = Update::new(
            UpdateKind::Dependency,
            &entry.name,
            Some(current),
            &entry.version,
        );
        update.security = entry.suites.iter().any(|s| settings.is_security_suite(s));
        update.held = settings.policy.refusal(&entry.name).or_else(|| {
            installed
                .filter(|i| i.held)
                .map(|_| "on hold (apt-mark hold)".to_string())
        });
        update.details = vec![Detail::note(format!("from {}", entry.suites.join(", ")))];
        report.updates.push(update);
    }
    for line in &upgradable.unparsed {
        report.warnings.push(format!(
            "apt list printed a line Steward does not understand: {line}"
        ));
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::listing;

    const STATUS: &str = "\
Package: openssl
Status: install ok installed
Architecture: amd64
Version: 3.0.14-1~deb12u2

Package: nginx
Status: hold ok installed
Architecture: amd64
Version: 1.22.1-9

Package: linux-image-amd64
Status: install ok installed
Architecture: amd64
Version: 6.1.99-1
";

    const UPGRADABLE: &str = "\
Listing...
openssl/stable-security 3.0.15-1~deb12u1 amd64 [upgradable from: 3.0.14-1~deb12u2]
nginx/stable 1.22.1-9+deb12u1 amd64 [upgradable from: 1.22.1-9]
linux-image-amd64/stable 6.1.112-1 amd64 [upgradable from: 6.1.99-1]
";

    fn settings(pairs: &[(&str, &str)]) -> AptSettings {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        AptSettings::from_settings(&pairs).unwrap()
    }

    fn report(pairs: &[(&str, &str)]) -> Report {
        offer(
            &Status::parse(STATUS),
            &listing::parse(UPGRADABLE),
            &settings(pairs),
        )
    }

    #[test]
    fn check_reports_each_upgrade_with_installed_and_candidate_versions() {
        let r = report(&[]);
        assert_eq!(r.updates.len(), 3);
        let openssl = &r.updates[0];
        assert_eq!(openssl.id, "openssl");
        assert_eq!(openssl.kind, UpdateKind::Dependency);
        assert_eq!(openssl.current.as_deref(), Some("3.0.14-1~deb12u2"));
        assert_eq!(openssl.latest, "3.0.15-1~deb12u1");
        assert_eq!(openssl.details[0].to_string(), "from stable-security");
    }

    #[test]
    fn candidate_from_a_security_suite_is_security() {
        let r = report(&[]);
        assert!(r.updates[0].security);
        assert!(!r.updates[1].security);
        let custom = report(&[("security_origins", r#"["stable"]"#)]);
        assert!(custom.updates[1].security);
    }

    #[test]
    fn package_on_hold_is_reported_held() {
        let r = report(&[]);
        assert_eq!(
            r.updates[1].held.as_deref(),
            Some("on hold (apt-mark hold)")
        );
        assert_eq!(r.updates[0].held, None);
    }

    #[test]
    fn denied_package_is_reported_held_naming_the_pattern() {
        let r = report(&[("deny", r#"["linux-*"]"#)]);
        let held = r.updates[2].held.as_deref().unwrap();
        assert!(held.contains("\"linux-*\""), "{held}");
    }

    #[test]
    fn candidate_not_newer_than_installed_is_skipped_with_a_warning() {
        let listing = listing::parse(
            "openssl/stable 3.0.14-1~deb12u1 amd64 [upgradable from: 3.0.14-1~deb12u2]\n",
        );
        let r = offer(&Status::parse(STATUS), &listing, &settings(&[]));
        assert!(r.updates.is_empty());
        assert!(r.warnings[0].contains("not newer"), "{:?}", r.warnings);
    }
}
