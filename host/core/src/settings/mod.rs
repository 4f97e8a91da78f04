//! Settings an owner changes at run time (`steward settings`,
//! `/update_settings`): stored in the `settings` tree as overrides over
//! steward.toml and laid over `Config`, so the rest of Steward only ever
//! reads one effective `Config`. It validates and stores; it never acts on
//! a value (the service applies the consequences of a change).

pub mod catalog;
pub mod value;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::config::Config;
use crate::store::{Store, StoreError, Tree};

pub use catalog::Definition;
pub use value::{Kind, Value};

/// The store tree of overrides, keyed `category.name`.
pub const TREE: &str = "settings";

/// The categories of `/update_settings setting_category`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Update,
    Backup,
    Notification,
    Schedule,
}

impl Category {
    pub const ALL: [Category; 4] = [
        Category::Update,
        Category::Backup,
        Category::Notification,
        Category::Schedule,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Update => "update",
            Category::Backup => "backup",
            Category::Notification => "notification",
            Category::Schedule => "schedule",
        }
    }

    /// A category by its name, or by the steward.toml section it covers.
    pub fn parse(raw: &str) -> Option<Category> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "update" | "general" | "safety" => Some(Category::Update),
            "backup" => Some(Category::Backup),
            "notification" | "notifications" => Some(Category::Notification),
            "schedule" | "scheduling" => Some(Category::Schedule),
            _ => None,
        }
    }
}

#[derive(Debug, Error)]
pub enum SettingsError {
    #[error("there is no setting category {given:?}; valid: {}", valid.join(", "))]
    UnknownCategory { given: String, valid: Vec<String> },
    #[error("there is no {category} setting {given:?}; valid: {}", valid.join(", "))]
    UnknownName {
        category: &'static str,
        given: String,
        valid: Vec<String>,
    },
    #[error("{key}: {value:?} is not valid (expected {})", kind.expected())]
    Invalid {
        key: String,
        value: String,
        /// What a valid value looks like: each front words it.
        kind: Kind,
    },
    #[error("{key} needs a value")]
    MissingValue { key: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One stored override.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Override {
    /// Canonical text, as `Value`'s Display writes it.
    pub value: String,
    pub set_at: DateTime<Utc>,
    pub set_by: String,
}

/// Where a setting's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Changed with `settings set` (stored, over steward.toml).
    Override,
    /// steward.toml sets a value other than the built-in default.
    SetInFile,
    Default,
}

/// A setting as a user sees it.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct SettingView {
    pub category: Cow<'static, str>,
    pub name: Cow<'static, str>,
    pub value: String,
    pub default: String,
    pub source: Source,
    /// The value steward.toml gives (what `reset` goes back to).
    pub file_value: String,
    pub expected: String,
    pub help: Cow<'static, str>,
    pub toml: Cow<'static, str>,
}

/// The definition `category`/`name` names, or the list of valid ones.
pub fn find(category: &str, name: &str) -> Result<&'static Definition, SettingsError> {
    let cat = Category::parse(category).ok_or_else(|| SettingsError::UnknownCategory {
        given: category.to_string(),
        valid: Category::ALL
            .iter()
            .map(|c| c.as_str().to_string())
            .collect(),
    })?;
    let given = name.trim().to_ascii_lowercase();
    let wanted = ALIASES
        .iter()
        .find(|(c, alias, _)| *c == cat && *alias == given)
        .map_or(given.as_str(), |(_, _, canonical)| canonical);
    catalog::ALL
        .iter()
        .find(|d| d.category == cat && d.name == wanted)
        .ok_or_else(|| SettingsError::UnknownName {
            category: cat.as_str(),
            given: name.to_string(),
            valid: names(cat).iter().map(|n| n.to_string()).collect(),
        })
}

/// The original specification's names for settings named otherwise here,
/// accepted wherever a setting is named: (category, alias, canonical name).
pub const ALIASES: &[(Category, &str, &str)] = &[
    (
        Category::Notification,
        "update_start_notifications",
        "on_start",
    ),
    (
        Category::Notification,
        "update_progress_notifications",
        "on_progress",
    ),
    (
        Category::Notification,
        "update_completion_notifications",
        "on_completion",
    ),
    (
        Category::Notification,
        "update_notifications",
        "on_completion",
    ),
    (Category::Notification, "error_notifications", "on_error"),
    (
        Category::Notification,
        "update_error_notifications",
        "on_error",
    ),
    (Category::Notification, "backup_notifications", "on_backup"),
];

/// The names in `category`, in catalog order.
pub fn names(category: Category) -> Vec<&'static str> {
    catalog::ALL
        .iter()
        .filter(|d| d.category == category)
        .map(|d| d.name)
        .collect()
}

/// The directory relative paths in settings resolve against.
pub fn base_dir(config: &Config) -> PathBuf {
    config
        .file
        .as_deref()
        .and_then(Path::parent)
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| std::path::absolute(".").unwrap_or_default())
}

/// Parses `raw` for `definition`, checking paths on disk.
pub fn parse(definition: &Definition, raw: &str, config: &Config) -> Result<Value, SettingsError> {
    definition
        .kind
        .parse(raw, &base_dir(config), true)
        .ok_or_else(|| SettingsError::Invalid {
            key: definition.key(),
            value: raw.to_string(),
            kind: definition.kind,
        })
}

/// Checks every setting's value in a freshly read steward.toml, with the
/// same rules `settings set` applies.
pub fn validate_config(config: &Config) -> Result<(), SettingsError> {
    let base = base_dir(config);
    for definition in catalog::ALL {
        let text = (definition.read)(config).to_string();
        if definition.kind.parse(&text, &base, false).is_none() {
            return Err(SettingsError::Invalid {
                key: definition.toml.to_string(),
                value: text,
                kind: definition.kind,
            });
        }
    }
    Ok(())
}

/// The stored overrides.
pub struct Overrides {
    tree: Tree<Override>,
}

impl Overrides {
    pub fn open(store: &Store) -> Result<Overrides, StoreError> {
        Ok(Overrides {
            tree: store.tree(TREE)?,
        })
    }

    pub fn all(&self) -> Result<BTreeMap<String, Override>, StoreError> {
        let mut out = BTreeMap::new();
        for definition in catalog::ALL {
            let key = definition.key();
            if let Some(o) = self.tree.get(&key)? {
                out.insert(key, o);
            }
        }
        Ok(out)
    }

    pub fn get(&self, definition: &Definition) -> Result<Option<Override>, StoreError> {
        self.tree.get(&definition.key())
    }

    pub fn set(&self, definition: &Definition, value: Override) -> Result<(), StoreError> {
        self.tree.insert(&definition.key(), &value)
    }

    pub fn remove(&self, definition: &Definition) -> Result<Option<Override>, StoreError> {
        self.tree.remove(&definition.key())
    }
}

/// `base` (steward.toml) with every override laid over it. An override this
/// build no longer accepts is left out, with a warning.
pub fn overlay(base: &Config, overrides: &BTreeMap<String, Override>) -> Config {
    let mut config = base.clone();
    let dir = base_dir(base);
    for definition in catalog::ALL {
        let Some(o) = overrides.get(&definition.key()) else {
            continue;
        };
        match definition.kind.parse(&o.value, &dir, false) {
            Some(value) => (definition.write)(&mut config, value),
            None => tracing::warn!(
                setting = %definition.key(),
                value = %o.value,
                "stored setting is not valid any more; steward.toml's value applies"
            ),
        }
    }
    config
}

/// How `definition` looks in `effective`, given steward.toml's `base`.
pub fn view(
    definition: &'static Definition,
    base: &Config,
    effective: &Config,
    overridden: bool,
) -> SettingView {
    let file_value = (definition.read)(base).to_string();
    let default = default_text(definition, base);
    let source = if overridden {
        Source::Override
    } else if file_value != default {
        Source::SetInFile
    } else {
        Source::Default
    };
    SettingView {
        category: definition.category.as_str().into(),
        name: definition.name.into(),
        value: (definition.read)(effective).to_string(),
        default,
        source,
        file_value,
        expected: definition.kind.expected(),
        help: definition.help.into(),
        toml: definition.toml.into(),
    }
}

/// The built-in default in canonical form (paths resolved like steward.toml's).
fn default_text(definition: &Definition, base: &Config) -> String {
    if let Kind::Path = definition.kind {
        // The one path setting, backup_path, defaults under the data directory.
        return base.paths.data.join("backups").display().to_string();
    }
    definition
        .kind
        .parse(definition.default, &base_dir(base), false)
        .map(|v| v.to_string())
        .unwrap_or_else(|| definition.default.to_string())
}
