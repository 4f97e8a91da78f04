//! A note an install run leaves beside its result (a backup not taken, a
//! source left unchecked, a restart left to the operator, a safety check
//! forced past): typed, so each front words it in its own language.
//! `Display` is the English the CLI prints and `InstallOutcome.warnings`
//! keeps. What came from outside Steward (a provider's error, a store
//! error, the impact figures) stays inside as given.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::failure::SafetyFinding;

/// One note of an install run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "note", rename_all = "snake_case")]
pub enum Warning {
    /// `backup.enabled = false`: the pre-update backup was skipped.
    BackupsOff,
    /// A source's check failed; it is left as it is.
    NotChecked { provider: String, error: String },
    /// The update needs a restart and none is configured.
    NoRestartConfigured,
    /// The update needs a restart and the request asked for none.
    NotRestarted,
    /// A safety finding the request forced past.
    ForcedPast { finding: SafetyFinding },
    /// The download and switch figures could not be stored.
    DeliveryNotKept { error: String },
    /// The impact watch's result could not be stored.
    ImpactNotKept { error: String },
    /// The impact watch found a regression (`regressions` is its English
    /// summary; fronts show the measured figures themselves).
    Regression { regressions: String },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::BackupsOff => f.write_str(
                "backups are turned off (backup.enabled = false): no pre-update backup was taken",
            ),
            Warning::NotChecked { provider, error } => {
                write!(f, "{provider} could not be checked and is left as it is: {error}")
            }
            Warning::NoRestartConfigured => f.write_str(
                "the update needs a bot restart, but steward.toml has neither bot.start nor \
                 bot.restart_command: restart the bot yourself",
            ),
            Warning::NotRestarted => f.write_str(
                "the bot was not restarted (asked not to): the update takes effect at its next start",
            ),
            Warning::ForcedPast { finding } => write!(f, "forced past: {finding}"),
            Warning::DeliveryNotKept { error } => {
                write!(f, "the download and switch figures could not be kept: {error}")
            }
            Warning::ImpactNotKept { error } => {
                write!(f, "the impact watch's result could not be kept: {error}")
            }
            Warning::Regression { regressions } => write!(
                f,
                "the impact watch found a regression after the update: {regressions}"
            ),
        }
    }
}
