//! `check`: is there a newer template, or keys that differ, and what would a
//! merge do? Problems with the files become warnings, never failures, so the
//! other providers' results still reach the operator.

use std::cmp::Ordering;

use steward_sdk::{Detail, Report, Update, UpdateKind};

use crate::error::ConfigError;
use crate::inputs::{self, Loaded};
use crate::merge::{Inputs, Merge};
use crate::settings::Settings;
use crate::{restart, version};

pub fn check(settings: &Settings) -> Report {
    let mut report = Report::default();
    let loaded = match inputs::load(settings) {
        Ok(loaded) => loaded,
        Err(e) => {
            report.warnings.push(explain(settings, e));
            return report;
        }
    };
    report.warnings.extend(loaded.warnings.iter().cloned());
    let merge = analyse(settings, &loaded);
    let latest = &loaded.template_version;
    let current = loaded.current_version(settings);

    let newer = match current.as_deref() {
        None => true,
        Some(current) => match version::compare(latest, current) {
            Some(Ordering::Greater) => true,
            Some(Ordering::Equal) => false,
            Some(Ordering::Less) => {
                report.warnings.push(format!(
                    "the template {} is version {latest}, older than {current} that {} was made from: not offered",
                    settings.template.shown, settings.config.shown
                ));
                return report;
            }
            None => {
                report.warnings.push(format!(
                    "cannot order template versions {current:?} and {latest:?}: treating them as {}",
                    if current == latest { "the same" } else { "different" }
                ));
                current != latest
            }
        },
    };
    if !newer && !merge.is_worth_reporting() {
        return report;
    }

    let mut update = Update::new(
        UpdateKind::Config,
        &settings.config.shown,
        current.as_deref(),
        latest,
    );
    update.breaking = merge.removes_keys() || merge.conflicts().next().is_some();
    update.details = merge.typed_details(settings.format);
    update
        .details
        .push(Detail::note(restart::needed(&merge, settings).1));
    report.updates.push(update);
    report
}

pub fn analyse(settings: &Settings, loaded: &Loaded) -> Merge {
    Merge::analyse(&Inputs {
        template: &loaded.template.flat,
        base: loaded.base.as_ref().map(|b| &b.flat),
        operator: &loaded.config.flat,
        version_key: &settings.version_key,
    })
}

/// A file problem in the words of someone who has to fix it.
fn explain(settings: &Settings, error: ConfigError) -> String {
    match error {
        ConfigError::Missing { path } if path == settings.template.shown => {
            format!("no template at {path}: nothing to compare the config with")
        }
        ConfigError::Missing { path } if path == settings.config.shown => format!(
            "{path} does not exist: create it from {} first (Steward merges into an existing config only)",
            settings.template.shown
        ),
        other => other.to_string(),
    }
}
