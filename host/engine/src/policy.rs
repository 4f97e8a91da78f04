//! The operator's policy over what the providers found: the release
//! cooldown (`[providers.NAME] min_release_age_hours`) holds a release too
//! young to offer, and an advisory rated high or critical is urgent. It
//! decides from a check's outcome and the configuration; it never asks a
//! provider or changes anything on disk.

use chrono::{DateTime, Duration, Utc};

use crate::check::{CheckOutcome, CheckTotals};
use crate::config::Config;
use crate::provider::{Advisory, Update};
use serde::{Deserialize, Serialize};

/// Whether the policy needs the providers to look up advisories: a
/// security fix skips the cooldown, so a source with one must know which
/// updates are security fixes.
pub fn needs_advisories(config: &Config) -> bool {
    config
        .providers
        .values()
        .any(|p| p.min_release_age_hours > 0 && !p.cooldown_applies_to_security)
}

/// Holds every offered update whose release was younger than its source's
/// `min_release_age_hours` when the check ran, saying until when; security fixes
/// only with `cooldown_applies_to_security`. An update with no release
/// date cannot be aged: it stays offered, with a warning.
pub fn hold_young_releases(config: &Config, outcome: &mut CheckOutcome) {
    let now = outcome.checked_at;
    for checked in &mut outcome.providers {
        let Some(source) = config.providers.get(&checked.provider) else {
            continue;
        };
        let hours = source.min_release_age_hours;
        if hours == 0 {
            continue;
        }
        for update in &mut checked.updates {
            if update.held.is_some() || (update.security && !source.cooldown_applies_to_security) {
                continue;
            }
            match released(update) {
                Some(at) => {
                    let until = at + Duration::hours(hours.min(i64::MAX as u64 / 3600) as i64);
                    if now < until {
                        let cooldown = Cooldown {
                            provider: checked.provider.clone(),
                            update: update.id.clone(),
                            min_release_age_hours: hours,
                            until,
                        };
                        update.held = Some(cooldown.to_string());
                        outcome.cooldowns.push(cooldown);
                    }
                }
                None => {
                    let undated = Undated {
                        provider: checked.provider.clone(),
                        name: update.name.clone(),
                        latest: update.latest.clone(),
                        min_release_age_hours: hours,
                    };
                    checked.warnings.push(undated.to_string());
                    outcome.undated.push(undated);
                }
            }
        }
    }
    outcome.totals = CheckTotals::of(&outcome.providers);
}

/// A release the cooldown holds: too young for its source's
/// `min_release_age_hours` until `until`. Typed, so fronts word it; its
/// `Display` is the update's `held` text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cooldown {
    pub provider: String,
    /// The held update's id.
    pub update: String,
    pub min_release_age_hours: u64,
    pub until: DateTime<Utc>,
}

impl std::fmt::Display for Cooldown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "min_release_age_hours = {} (cooling down until {} UTC)",
            self.min_release_age_hours,
            self.until.format("%Y-%m-%d %H:%M")
        )
    }
}

/// An update the cooldown cannot hold, having no release date: it stays
/// offered. Typed, so fronts word it; its `Display` is the warning its
/// source's `warnings` carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Undated {
    pub provider: String,
    /// The update's name and the version offered.
    pub name: String,
    pub latest: String,
    pub min_release_age_hours: u64,
}

impl std::fmt::Display for Undated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: no release date, so min_release_age_hours = {} cannot hold it",
            self.name, self.latest, self.min_release_age_hours
        )
    }
}

fn released(update: &Update) -> Option<DateTime<Utc>> {
    let text = update.released.as_deref()?;
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Whether the background check installs `update`, offered by
/// `provider`, by itself: its source's `auto_updates` (else
/// `general.auto_updates`) takes all of its updates, its security fixes,
/// or none.
pub fn taken_automatically(config: &Config, provider: &str, update: &Update) -> bool {
    use crate::config::AutoUpdates;
    match config.auto_mode_for(provider) {
        AutoUpdates::All => true,
        AutoUpdates::Security => update.security,
        AutoUpdates::Off => false,
    }
}

/// An advisory rated HIGH or CRITICAL, by its label (`HIGH`, `CRITICAL
/// (9.8)`) as the providers give it.
pub fn is_urgent(advisory: &Advisory) -> bool {
    let rating = advisory
        .severity
        .as_deref()
        .and_then(|s| s.split_whitespace().next())
        .unwrap_or("");
    rating.eq_ignore_ascii_case("HIGH") || rating.eq_ignore_ascii_case("CRITICAL")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::ProviderCheck;
    use crate::config::ProviderConfig;
    use crate::provider::UpdateKind;

    fn update(released: &str, security: bool) -> Update {
        Update {
            id: "aiohttp".into(),
            kind: UpdateKind::Package,
            name: "aiohttp".into(),
            current: Some("3.8.0".into()),
            latest: "3.9.1".into(),
            security,
            advisories: Vec::new(),
            breaking: false,
            changelog: None,
            size: None,
            released: Some(released.into()),
            held: None,
            details: Vec::new(),
        }
    }

    fn outcome(checked_at: DateTime<Utc>, updates: Vec<Update>) -> CheckOutcome {
        CheckOutcome {
            checked_at,
            totals: CheckTotals::default(),
            providers: vec![ProviderCheck {
                provider: "pip".into(),
                version: "1".into(),
                updates,
                warnings: Vec::new(),
                error: None,
                duration_ms: 0,
                reused_answers_age_secs: None,
                waiting_for_grant: None,
                missing: Vec::new(),
            }],
            skipped: Vec::new(),
            cooldowns: Vec::new(),
            undated: Vec::new(),
        }
    }

    fn config(hours: u64, security_too: bool) -> Config {
        let mut config = Config::load(std::path::Path::new("/nonexistent/steward.toml"), true)
            .expect("defaults");
        config.providers.insert(
            "pip".into(),
            ProviderConfig {
                min_release_age_hours: hours,
                cooldown_applies_to_security: security_too,
                ..ProviderConfig::default()
            },
        );
        config
    }

    #[test]
    fn a_release_younger_than_the_minimum_is_held_until_it_is_old_enough() {
        let now = DateTime::parse_from_rfc3339("2026-11-28T14:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let mut found = outcome(now, vec![update("2026-11-28T12:00:00Z", false)]);
        hold_young_releases(&config(72, false), &mut found);
        assert_eq!(
            found.providers[0].updates[0].held.as_deref(),
            Some("min_release_age_hours = 72 (cooling down until 2026-12-01 12:00 UTC)")
        );
        assert_eq!((found.totals.held, found.totals.available), (1, 0));
        assert_eq!(found.cooldowns.len(), 1);
        assert_eq!(found.cooldowns[0].update, "aiohttp");
        assert_eq!(found.cooldowns[0].min_release_age_hours, 72);

        let later = now + Duration::hours(70);
        let mut found = outcome(later, vec![update("2026-11-28T12:00:00Z", false)]);
        hold_young_releases(&config(72, false), &mut found);
        assert_eq!(found.providers[0].updates[0].held, None);
    }

    /// An undated release stays offered with the same English warning as
    /// before, and is typed for the fronts that word it.
    #[test]
    fn an_undated_release_is_warned_of_in_words_and_typed() {
        let now = Utc::now();
        let mut undated = update("", false);
        undated.released = None;
        let mut found = outcome(now, vec![undated]);
        hold_young_releases(&config(72, false), &mut found);
        assert_eq!(found.providers[0].updates[0].held, None);
        assert_eq!(
            found.providers[0].warnings,
            ["aiohttp 3.9.1: no release date, so min_release_age_hours = 72 cannot hold it"]
        );
        assert_eq!(
            found.undated,
            [Undated {
                provider: "pip".into(),
                name: "aiohttp".into(),
                latest: "3.9.1".into(),
                min_release_age_hours: 72,
            }]
        );
    }

    #[test]
    fn a_security_fix_skips_the_cooldown_unless_it_applies_to_security() {
        let now = Utc::now();
        let fresh = (now - Duration::hours(1)).to_rfc3339();
        let mut found = outcome(now, vec![update(&fresh, true)]);
        hold_young_releases(&config(72, false), &mut found);
        assert_eq!(found.providers[0].updates[0].held, None);
        let mut found = outcome(now, vec![update(&fresh, true)]);
        hold_young_releases(&config(72, true), &mut found);
        assert!(found.providers[0].updates[0].held.is_some());
    }

    #[test]
    fn high_and_critical_advisories_are_urgent_moderate_ones_are_not() {
        let rated = |severity: Option<&str>| Advisory {
            id: "GHSA-x".into(),
            summary: String::new(),
            severity: severity.map(String::from),
            url: None,
        };
        assert!(is_urgent(&rated(Some("HIGH"))));
        assert!(is_urgent(&rated(Some("CRITICAL (9.8)"))));
        assert!(!is_urgent(&rated(Some("MODERATE"))));
        assert!(!is_urgent(&rated(Some("MEDIUM (5.0)"))));
        assert!(!is_urgent(&rated(None)));
    }
}
