//! `steward settings`, `/update_settings`: read, change and reset the stored
//! overrides, rebuild the effective configuration, and apply a change's
//! consequences at once (pruning, recomputed schedule times).

use std::sync::Arc;

use serde::Serialize;

use crate::config::Config;
use crate::settings::{self, Definition, Override, Overrides, SettingView};
use crate::{Caller, Operation, Service, ServiceError};
use steward_core::stored_copy::{self, StoredConfig};

/// The overrides and grant decisions in `store`.
fn stored_config(store: &crate::store::Store) -> Result<StoredConfig, ServiceError> {
    Ok(StoredConfig {
        overrides: Overrides::open(store)?.all()?,
        decisions: steward_core::granted::Decisions::open(store)?.all()?,
    })
}

/// What `settings set` or `settings reset` did.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct SettingChange {
    pub setting: SettingView,
    pub previous: String,
    /// What changing it did besides (backups pruned, schedules recomputed).
    pub effects: Vec<String>,
}

impl Service {
    /// steward.toml as last read.
    pub(crate) fn file_config(&self) -> Arc<Config> {
        self.file_config.read().expect("file config").clone()
    }

    pub(crate) fn store_path(&self) -> std::path::PathBuf {
        self.file_config().paths.data.join("steward.sled")
    }

    /// Lays the stored overrides over steward.toml. A store that does not
    /// exist yet holds none; one that cannot be opened now (another steward
    /// holds it) leaves this process on steward.toml alone, with a warning:
    /// every command that needs the store reports the problem itself.
    pub(crate) fn apply_stored_settings(&self) -> Result<(), ServiceError> {
        self.apply_stored(false)
    }

    /// `apply_stored_settings`; with `copy_ok`, from the copy beside the
    /// store when it still says what the store says
    /// ([`steward_core::stored_copy`]), without opening the store: for a
    /// command in its own process that needs nothing else from it.
    pub(crate) fn apply_stored(&self, copy_ok: bool) -> Result<(), ServiceError> {
        let path = self.store_path();
        if !path.exists() {
            return Ok(());
        }
        if copy_ok && let Some(stored) = stored_copy::read(&path) {
            return self.rebuild_config(&stored);
        }
        let store = match self.store() {
            Ok(store) => store,
            Err(e) => {
                tracing::warn!(
                    "stored settings are not applied in this process: {}",
                    e.user_message()
                );
                return Ok(());
            }
        };
        let stored = stored_config(&store)?;
        stored_copy::write(&path, &stored);
        self.rebuild_config(&stored)
    }

    fn rebuild_config(&self, stored: &StoredConfig) -> Result<(), ServiceError> {
        let effective = settings::overlay(&self.file_config(), &stored.overrides);
        // Grants an owner gave since (`providers grant|deny`) over the file's.
        let effective = steward_core::granted::overlay(&effective, &stored.decisions);
        let providers_changed = {
            let before = self.config();
            format!("{:?}{:?}", before.providers, before.signatures)
                != format!("{:?}{:?}", effective.providers, effective.signatures)
        };
        *self.config.write().expect("config lock") = Arc::new(effective);
        // A setting changed over the socket or Discord applies at once, as
        // a reload does: the background check takes a new interval now.
        self.reloaded.notify_waiters();
        if providers_changed {
            // Every provider is loaded again under its new grant, at once.
            self.runtime.reconfigure(&self.config());
        }
        Ok(())
    }

    /// Removes the copy of the stored configuration before the store's
    /// overrides or decisions change (see [`steward_core::stored_copy`]).
    pub(crate) fn forget_stored_copy(&self) -> Result<(), ServiceError> {
        Ok(stored_copy::forget(&self.store_path())?)
    }

    fn setting_view(
        &self,
        definition: &'static Definition,
        overrides: &Overrides,
    ) -> Result<SettingView, ServiceError> {
        Ok(settings::view(
            definition,
            &self.file_config(),
            &self.config(),
            overrides.get(definition)?.is_some(),
        ))
    }

    /// Every setting with its value and where it comes from.
    pub fn settings_list(&self, caller: &Caller) -> Result<Vec<SettingView>, ServiceError> {
        self.authorize(caller, Operation::Settings)?;
        let overrides = Overrides::open(&self.store()?)?;
        settings::catalog::ALL
            .iter()
            .map(|d| self.setting_view(d, &overrides))
            .collect()
    }

    pub fn settings_get(
        &self,
        caller: &Caller,
        category: &str,
        name: &str,
    ) -> Result<SettingView, ServiceError> {
        self.authorize(caller, Operation::Settings)?;
        let definition = settings::find(category, name)?;
        let overrides = Overrides::open(&self.store()?)?;
        self.setting_view(definition, &overrides)
    }

    /// Validates and stores `value`, and applies it at once.
    pub async fn settings_set(
        &self,
        caller: &Caller,
        category: &str,
        name: &str,
        value: &str,
    ) -> Result<SettingChange, ServiceError> {
        self.authorize(caller, Operation::Settings)?;
        let definition = settings::find(category, name)?;
        if value.trim().is_empty() && !matches!(definition.kind, settings::Kind::ChannelIds) {
            return Err(settings::SettingsError::MissingValue {
                key: definition.key(),
            }
            .into());
        }
        let before = self.config();
        let parsed = settings::parse(definition, value, &before)?;
        let store = self.store()?;
        let overrides = Overrides::open(&store)?;
        self.forget_stored_copy()?;
        if parsed == (definition.read)(&self.file_config()) {
            // steward.toml already says this: an override would only hide
            // a later change of the file.
            overrides.remove(definition)?;
        } else {
            overrides.set(
                definition,
                Override {
                    value: parsed.to_string(),
                    set_at: chrono::Utc::now(),
                    set_by: caller.label(),
                },
            )?;
        }
        store.flush()?;
        self.rebuild_config(&stored_config(&store)?)?;
        self.finish_change(definition, &overrides, before).await
    }

    /// Removes the override: steward.toml's value (or the built-in default)
    /// applies again.
    pub async fn settings_reset(
        &self,
        caller: &Caller,
        category: &str,
        name: &str,
    ) -> Result<SettingChange, ServiceError> {
        self.authorize(caller, Operation::Settings)?;
        let definition = settings::find(category, name)?;
        let before = self.config();
        let store = self.store()?;
        let overrides = Overrides::open(&store)?;
        self.forget_stored_copy()?;
        overrides.remove(definition)?;
        store.flush()?;
        self.rebuild_config(&stored_config(&store)?)?;
        self.finish_change(definition, &overrides, before).await
    }

    async fn finish_change(
        &self,
        definition: &'static Definition,
        overrides: &Overrides,
        before: Arc<Config>,
    ) -> Result<SettingChange, ServiceError> {
        let after = self.config();
        let previous = (definition.read)(&before).to_string();
        let mut effects = Vec::new();
        let lowered = |read: fn(&Config) -> usize| read(&after) < read(&before);
        let key = definition.key();
        if (key == "backup.max_backups" && lowered(|c| c.backup.max_backups))
            || (key == "backup.backup_retention_days"
                && lowered(|c| c.backup.backup_retention_days as usize))
        {
            effects.push(match self.prune().await {
                Ok(pruned) if pruned.removed.is_empty() => {
                    "No backup had to be removed.".to_string()
                }
                Ok(pruned) => format!(
                    "Removed {} backup(s) ({}), {} kept.",
                    pruned.removed.len(),
                    pruned
                        .removed
                        .iter()
                        .map(|r| r.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    pruned.kept
                ),
                Err(e) => format!(
                    "Pruning could not run now ({}); `steward backup prune` applies it later.",
                    e.user_message()
                ),
            });
        }
        if key == "schedule.timezone" && after.scheduling.timezone != before.scheduling.timezone {
            for line in self.recompute_next_runs()? {
                effects.push(line);
            }
        }
        if key == "schedule.max_schedules" {
            let count = self.schedule_count()?;
            if count > after.scheduling.max_schedules {
                effects.push(format!(
                    "{count} schedules exist, more than {}: they keep running, but no new one can be added until some are removed.",
                    after.scheduling.max_schedules
                ));
            }
        }
        Ok(SettingChange {
            setting: self.setting_view(definition, overrides)?,
            previous,
            effects,
        })
    }
}
