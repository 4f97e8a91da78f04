//! What delivering an update cost: the bytes each download brought against
//! the full archive (a delta download's saving) and the downtime of the
//! switch to the new version, kept per session for the status and the
//! answers. It measures; it never
//! decides anything about the install.

use serde::{Deserialize, Serialize};

use crate::apply::StepOutcome;

const TREE: &str = "delivery";

/// One session's figures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub downloads: Vec<DownloadFigures>,
    /// How the bot was switched to the new version, when it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub switch: Option<crate::supervisor::Switch>,
}

/// One `download` step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DownloadFigures {
    /// What the step downloaded: the archive, or the per-file manifest.
    pub url: String,
    /// Bytes that came over the network (manifest, files, and the archive
    /// when the delta fell back to it).
    pub bytes: u64,
    /// The full archive's size.
    pub archive_bytes: u64,
    /// A delta download: the release's files, how many were fetched and
    /// how many reused from the running release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delta: Option<crate::apply::DeltaReport>,
}

impl DownloadFigures {
    /// The figures of a step's outcome, when it downloaded.
    pub fn of(url: &str, outcome: &StepOutcome) -> Option<DownloadFigures> {
        match outcome {
            StepOutcome::Downloaded { bytes, delta, .. } => Some(DownloadFigures {
                url: url.to_string(),
                bytes: *bytes,
                archive_bytes: delta.as_ref().map_or(*bytes, |d| d.archive_bytes),
                delta: delta.clone(),
            }),
            _ => None,
        }
    }

    /// Bytes not downloaded thanks to the delta (0 when it fell back).
    pub fn saved(&self) -> u64 {
        self.archive_bytes.saturating_sub(self.bytes)
    }
}

impl Delivery {
    pub fn is_empty(&self) -> bool {
        self.downloads.is_empty() && self.switch.is_none()
    }

    /// Bytes downloaded, the full archives' bytes, and the difference.
    pub fn totals(&self) -> (u64, u64, u64) {
        self.downloads.iter().fold((0, 0, 0), |(b, a, s), d| {
            (b + d.bytes, a + d.archive_bytes, s + d.saved())
        })
    }
}

/// Keeps `delivery` as session `session_id`'s.
pub fn record(
    store: &crate::store::Store,
    session_id: &str,
    delivery: &Delivery,
) -> Result<(), crate::store::StoreError> {
    store.tree::<Delivery>(TREE)?.insert(session_id, delivery)?;
    store.flush()
}

/// What session `session_id` delivered, if it downloaded anything.
pub fn of(
    store: &crate::store::Store,
    session_id: &str,
) -> Result<Option<Delivery>, crate::store::StoreError> {
    store.tree::<Delivery>(TREE)?.get(session_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delta_saves_what_the_archive_would_have_cost_and_a_fallback_saves_nothing() {
        let delta = DownloadFigures {
            url: "u".into(),
            bytes: 300,
            archive_bytes: 10_000,
            delta: None,
        };
        let fell_back = DownloadFigures {
            url: "u".into(),
            bytes: 10_400,
            archive_bytes: 10_000,
            delta: None,
        };
        assert_eq!(delta.saved(), 9_700);
        assert_eq!(fell_back.saved(), 0);
        let both = Delivery {
            downloads: vec![delta, fell_back],
            switch: None,
        };
        assert_eq!(both.totals(), (10_700, 20_000, 9_700));
    }
}
