//! The journal of an in-flight transaction, `data/journal/<session>.json`:
//! rewritten atomically before and after every step, so a Steward that was
//! stopped mid-way (power loss, `kill -9`) knows at its next start exactly
//! what was begun and can undo it. It records; the transaction decides.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::provider::Update;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Applying,
    Verifying,
    /// The bot was restarted on the new version and is on probation.
    Probation,
    RollingBack,
}

/// One provider's part of the transaction.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Part {
    pub provider: String,
    /// What `capture` returned before anything changed (hex).
    pub captured: String,
    pub updates: Vec<Update>,
    pub total_steps: usize,
    /// Steps started; the last one may be half done.
    pub begun: usize,
    pub done: usize,
    /// Release directories this part's downloads will create (none existed
    /// when the plan was made): the host removes them when the part is
    /// undone, so the version can be installed again.
    #[serde(default)]
    pub unpacked: Vec<std::path::PathBuf>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Journal {
    pub session_id: String,
    pub phase: Phase,
    pub parts: Vec<Part>,
    pub backup_id: Option<String>,
    /// The bot was restarted during the transaction, so the new version ran.
    pub bot_restarted: bool,
}

pub fn dir(data: &Path) -> PathBuf {
    data.join("journal")
}

impl Journal {
    fn path(&self, data: &Path) -> PathBuf {
        dir(data).join(format!("{}.json", self.session_id))
    }

    pub fn write(&self, data: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir(data))?;
        crate::backup::write_atomically(
            &self.path(data),
            &serde_json::to_vec_pretty(self).expect("plain record"),
        )
    }

    pub fn remove(&self, data: &Path) -> std::io::Result<()> {
        match std::fs::remove_file(self.path(data)) {
            Ok(()) => crate::backup::sync_dir(&dir(data)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Ends the journal after a rollback: removed when everything was
    /// undone, set aside otherwise.
    pub fn close(&self, data: &Path, undone: bool) -> std::io::Result<()> {
        if undone {
            self.remove(data)
        } else {
            self.set_aside(data)
        }
    }

    /// Sets the journal aside as `<session>.json.failed` once a rollback
    /// could not finish: kept for the operator, never replayed at every start.
    fn set_aside(&self, data: &Path) -> std::io::Result<()> {
        let path = self.path(data);
        let mut aside = path.clone().into_os_string();
        aside.push(".failed");
        std::fs::rename(&path, aside)?;
        crate::backup::sync_dir(&dir(data))
    }

    /// Every journal left by an interrupted transaction, oldest first; an
    /// unreadable one is reported by its path.
    pub fn leftovers(data: &Path) -> Vec<Result<Journal, PathBuf>> {
        let Ok(entries) = std::fs::read_dir(dir(data)) else {
            return Vec::new();
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        paths.sort();
        paths
            .into_iter()
            .map(|p| {
                std::fs::read(&p)
                    .ok()
                    .and_then(|b| serde_json::from_slice(&b).ok())
                    .ok_or(p)
            })
            .collect()
    }
}
