//! What goes wrong in fleet mode, and the one place it becomes words.

use steward_service::ServiceError;

#[derive(Debug, thiserror::Error)]
pub enum FleetError {
    /// etcd did not answer (or refused the connection) in time.
    #[error("etcd is unreachable at {endpoints}: {reason}")]
    Unreachable { endpoints: String, reason: String },
    /// Another wave or a local update holds the fleet.
    #[error("the fleet is busy: {holder}")]
    Busy { holder: String },
    /// A value in etcd that is not what Steward wrote.
    #[error("{key} in etcd cannot be read: {reason}")]
    Unreadable { key: String, reason: String },
    #[error("wave {id} is neither running nor the last one ended")]
    WaveVanished { id: String },
    /// `[fleet.tls]` or `[fleet.auth]` cannot be used.
    #[error("{0}")]
    Setup(String),
}

impl FleetError {
    pub fn user_message(&self) -> String {
        match self {
            FleetError::Unreachable { endpoints, reason } => format!(
                "Fleet mode is on, but etcd does not answer at {endpoints} ({reason}). \
                 Nothing was changed; try again when etcd is back."
            ),
            FleetError::Busy { holder } => format!(
                "The fleet is busy: {holder}. One update runs at a time across the fleet; \
                 try again when it has finished (`steward fleet status` shows it)."
            ),
            FleetError::Unreadable { key, reason } => format!(
                "The fleet's record {key} in etcd cannot be read ({reason}); was it written by another Steward version?"
            ),
            FleetError::WaveVanished { id } => format!(
                "Wave {id} is no longer in etcd (neither running nor the last one ended); \
                 `steward fleet status` shows what is there."
            ),
            FleetError::Setup(message) => format!("Fleet mode cannot start: {message}"),
        }
    }

    fn http_status(&self) -> u16 {
        match self {
            FleetError::Unreachable { .. } => 503,
            FleetError::Busy { .. } => 409,
            FleetError::Setup(_) => 422,
            FleetError::Unreadable { .. } | FleetError::WaveVanished { .. } => 500,
        }
    }
}

impl From<FleetError> for ServiceError {
    fn from(e: FleetError) -> ServiceError {
        ServiceError::Fleet {
            status: e.http_status(),
            message: e.user_message(),
        }
    }
}
