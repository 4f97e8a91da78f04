//! Decides whether a merge needs the bot restarted: any changed setting
//! outside the `hot_reload_keys` prefixes does. It never restarts anything.

use crate::merge::Merge;
use crate::settings::Settings;

/// Whether to restart, and the sentence that says why.
pub fn needed(merge: &Merge, settings: &Settings) -> (bool, String) {
    let changed = merge.changed_keys();
    if changed.is_empty() {
        return (false, "no restart needed: no setting changes value".into());
    }
    let cold: Vec<String> = changed
        .iter()
        .filter(|k| !settings.is_hot_reloadable(k))
        .map(|k| k.to_string())
        .collect();
    if cold.is_empty() {
        (
            false,
            "no restart needed: every changed setting is hot-reloadable".into(),
        )
    } else {
        (true, format!("restart needed: {} change", cold.join(", ")))
    }
}
