//! The update types of the command reference (`--type`, `check_type`,
//! `update_type`), and which provider kinds each covers.

use serde::{Deserialize, Serialize};

use crate::provider::UpdateKind;

/// The update types of the command reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum UpdateType {
    All,
    Packages,
    Bot,
    Config,
    Dependencies,
}

impl UpdateType {
    /// Whether a provider offering `kinds` belongs to this type.
    pub fn covers(self, kinds: &[UpdateKind]) -> bool {
        kinds.iter().any(|k| match self {
            UpdateType::All => true,
            UpdateType::Packages => *k == UpdateKind::Package,
            UpdateType::Bot => *k == UpdateKind::Bot,
            UpdateType::Config => *k == UpdateKind::Config,
            UpdateType::Dependencies => {
                matches!(k, UpdateKind::Dependency | UpdateKind::System)
            }
        })
    }
}
