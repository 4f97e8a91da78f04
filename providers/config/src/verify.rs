//! `verify`: after the host wrote the merge, the operator's config must parse
//! and carry the template's version. Reads only.

use steward_sdk::{Update, UpdateKind};

use crate::error::ConfigError;
use crate::inputs::{read_doc, template_version};
use crate::settings::Settings;

pub fn verify(settings: &Settings, updates: &[Update]) -> Result<(), ConfigError> {
    let ours = updates
        .iter()
        .any(|u| u.kind == UpdateKind::Config && u.id == settings.config.shown);
    if !ours {
        return Ok(());
    }
    let template = read_doc(settings, &settings.template)?;
    let expected = template_version(settings, &template)?;
    let config = read_doc(settings, &settings.config)?;
    let found = config.flat.get(&settings.version_key).map(|v| v.text());
    if found.as_deref() == Some(expected.as_str()) {
        Ok(())
    } else {
        Err(ConfigError::VersionMismatch {
            path: settings.config.shown.clone(),
            key: settings.version_key.to_string(),
            found: found.map_or_else(|| "missing".to_string(), |v| format!("{v:?}")),
            expected,
        })
    }
}
