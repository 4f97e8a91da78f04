//! `capture` and `restore-plan`: the operator's config and the base exactly
//! as they were before an update, and the write-file steps that put them
//! back (and the `remove` of a base the update created). The host runs the
//! steps; nothing here writes.

use serde::{Deserialize, Serialize};
use steward_sdk::{Action, Plan, Remove, Step, WriteFile};

use crate::diff;
use crate::error::ConfigError;
use crate::inputs::read_optional;
use crate::settings::{FileRef, Settings};

/// Marks the state as this provider's, and its layout's version.
const STATE_KIND: &str = "steward-config-state/1";

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct State {
    kind: String,
    config: Saved,
    base: Saved,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Saved {
    path: String,
    shown: String,
    /// `None`: the file did not exist.
    contents: Option<Vec<u8>>,
}

impl Saved {
    fn take(file: &FileRef) -> Result<Saved, ConfigError> {
        Ok(Saved {
            path: file.path.clone(),
            shown: file.shown.clone(),
            contents: read_optional(file)?,
        })
    }

    fn file(&self) -> FileRef {
        FileRef {
            path: self.path.clone(),
            shown: self.shown.clone(),
        }
    }
}

pub fn capture(settings: &Settings) -> Result<Vec<u8>, ConfigError> {
    let state = State {
        kind: STATE_KIND.to_string(),
        config: Saved::take(&settings.config)?,
        base: Saved::take(&settings.base)?,
    };
    serde_json::to_vec(&state).map_err(|e| ConfigError::State(e.to_string()))
}

/// Steps that put both files back as captured. The paths are the captured
/// ones, so a settings change in between cannot aim the restore elsewhere.
pub fn restore_plan(state: &[u8]) -> Result<Plan, ConfigError> {
    let state: State =
        serde_json::from_slice(state).map_err(|e| ConfigError::State(e.to_string()))?;
    if state.kind != STATE_KIND {
        return Err(ConfigError::State(format!(
            "it is marked {:?}, expected {STATE_KIND:?}",
            state.kind
        )));
    }
    let mut steps = Vec::new();
    let mut restart = false;

    // Without a captured config there is nothing of theirs to restore:
    // `plan` never runs without the operator's config, so no update created it.
    if let Some(old) = &state.config.contents {
        let now = read_optional(&state.config.file())?;
        restart = now.as_deref() != Some(old.as_slice());
        steps.push(put_back(
            &state.config,
            old,
            now.as_deref(),
            format!(
                "Put {} back as it was before the update",
                state.config.shown
            ),
        ));
    }

    let base_now = read_optional(&state.base.file())?;
    match &state.base.contents {
        Some(old) => steps.push(put_back(
            &state.base,
            old,
            base_now.as_deref(),
            format!("Put the base template {} back as it was", state.base.shown),
        )),
        // It did not exist before the update: take it away again.
        None if base_now.is_some() => steps.push(Step {
            description: format!(
                "Remove the base template {}: it did not exist before the update",
                state.base.shown
            ),
            action: Action::Remove(Remove {
                path: state.base.path.clone(),
            }),
        }),
        None => {}
    }
    Ok(Plan { steps, restart })
}

fn put_back(saved: &Saved, old: &[u8], now: Option<&[u8]>, description: String) -> Step {
    let diff = match (
        std::str::from_utf8(now.unwrap_or_default()),
        std::str::from_utf8(old),
    ) {
        (Ok(now), Ok(old)) => diff::unified(&saved.shown, now, old),
        _ => None,
    };
    Step {
        description,
        action: Action::WriteFile(WriteFile {
            path: saved.path.clone(),
            contents: old.to_vec(),
            diff,
        }),
    }
}
