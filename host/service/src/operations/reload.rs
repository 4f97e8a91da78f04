//! `steward reload` and SIGHUP: steward.toml is read again and replaces
//! the running configuration (grants, settings under the stored
//! overrides, schedules' policy, intervals), or is refused whole with its
//! error while the running one stays.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::access::{Caller, Operation};
use crate::config::Config;
use crate::{Service, ServiceError};

/// What a reload read and what it changed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reloaded {
    pub file: String,
    /// The sections whose values changed, e.g. `providers`, `general`.
    pub changed: Vec<String>,
    /// Changes read but only applied at the next start.
    pub at_next_start: Vec<String>,
}

impl Service {
    /// Re-reads steward.toml (owners only: it changes what Steward does).
    pub async fn reload(&self, caller: &Caller) -> Result<Reloaded, ServiceError> {
        self.authorize(caller, Operation::Settings)?;
        let before = self.file_config();
        let Some(file) = before.file.clone() else {
            return Err(ServiceError::InvalidArgument {
                name: "reload".to_string(),
                value: "(no steward.toml)".to_string(),
                expected: crate::Expected::ConfigFile,
            });
        };
        let mut fresh = Config::load(&file, false)?;
        if fresh.bot.root != before.bot.root && !fresh.bot_root_named {
            // `--bot-root` named it at start; the file does not.
            fresh = fresh.with_bot_root(&before.bot.root);
        }
        let (changed, at_next_start) = differences(&before, &fresh);
        // The store, the providers directory and the engine stay where
        // they started until the next start.
        fresh.paths = before.paths.clone();
        fresh.runtime = before.runtime.clone();
        fresh.logging = before.logging.clone();
        *self.file_config.write().expect("file config") = Arc::new(fresh);
        self.apply_stored_settings()?;
        self.runtime.reconfigure(&self.config());
        self.reloaded.notify_waiters();
        tracing::info!(file = %file.display(), ?changed, "configuration reloaded");
        Ok(Reloaded {
            file: file.display().to_string(),
            changed,
            at_next_start,
        })
    }

    /// Resolves when a reload replaced the configuration.
    pub(crate) async fn reloaded(&self) {
        self.reloaded.notified().await
    }
}

/// The sections that differ; paths, runtime limits and logging are fixed
/// for the life of the process, so they are reported as waiting for a
/// restart.
fn differences(before: &Config, after: &Config) -> (Vec<String>, Vec<String>) {
    use std::fmt::Debug;
    let differ = |a: &dyn Debug, b: &dyn Debug| format!("{a:?}") != format!("{b:?}");
    let names = |sections: &[(&str, &dyn Debug, &dyn Debug)]| -> Vec<String> {
        sections
            .iter()
            .filter(|(_, a, b)| differ(*a, *b))
            .map(|(name, _, _)| name.to_string())
            .collect()
    };
    let changed = names(&[
        ("bot", &before.bot, &after.bot),
        ("providers", &before.providers, &after.providers),
        ("backup", &before.backup, &after.backup),
        ("safety", &before.safety, &after.safety),
        ("discord", &before.discord, &after.discord),
        ("general", &before.general, &after.general),
        ("scheduling", &before.scheduling, &after.scheduling),
        ("notifications", &before.notifications, &after.notifications),
        ("control", &before.control, &after.control),
    ]);
    let at_next_start = names(&[
        ("paths", &before.paths, &after.paths),
        ("runtime", &before.runtime, &after.runtime),
        ("logging", &before.logging, &after.logging),
        ("fleet", &before.fleet, &after.fleet),
    ]);
    (changed, at_next_start)
}
