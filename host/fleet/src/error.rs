//! What goes wrong in fleet mode, and the one place it becomes words.

use steward_service::ServiceError;

#[derive(Debug, thiserror::Error)]
pub enum FleetError {
    /// etcd did not answer (or refused the connection) in time.
    #[error("etcd is unreachable at {endpoints}: {reason}")]
    Unreachable { endpoints: String, reason: String },
    /// etcd answered, and refused `[fleet.auth]`'s user and password.
    #[error("etcd refused the credentials of {user}: {reason}")]
    Denied {
        user: String,
        password_env: String,
        reason: String,
    },
    /// Another wave or a local update holds the fleet.
    #[error("the fleet is busy: {holder}")]
    Busy { holder: String },
    /// A value in etcd that is not what Steward wrote.
    #[error("{key} in etcd cannot be read: {reason}")]
    Unreadable { key: String, reason: String },
    #[error("wave {id} is neither running nor the last one ended")]
    WaveVanished { id: String },
    /// `[fleet.promotion]`: `group` waits for `after`.
    #[error("{group} waits for {after}: {why}")]
    NotPromoted {
        group: String,
        after: String,
        why: String,
    },
    /// The wave a command asked for was never planned, or nobody leads it
    /// any more, within `wave_timeout_seconds`.
    #[error("{waited_for}")]
    WaveTimedOut { waited_for: String, withdrawn: bool },
    /// A wave names a group no registered instance belongs to.
    #[error("no instance of group {group} is registered")]
    NoSuchGroup { group: String, known: String },
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
            FleetError::Denied {
                user,
                password_env,
                reason,
            } => format!(
                "etcd refused Steward's credentials (user {user} from [fleet.auth], password from \
                 ${password_env}): {reason}. Nothing was changed; check the user and the password."
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
            FleetError::NotPromoted { group, after, why } => format!(
                "Group {group} is promoted only after {after} (fleet.promotion): {why}. \
                 Nothing was started."
            ),
            FleetError::WaveTimedOut {
                waited_for,
                withdrawn: true,
            } => format!(
                "Gave up waiting for {waited_for}. The wave was withdrawn before any \
                 instance was told to do anything: nothing was changed."
            ),
            FleetError::WaveTimedOut {
                waited_for,
                withdrawn: false,
            } => format!(
                "Gave up waiting for {waited_for}. The wave stays in etcd where it stands; \
                 the next leader resumes it or rolls it back (`steward fleet status` shows it)."
            ),
            FleetError::NoSuchGroup { group, known } => format!(
                "No instance of group {group} is registered in the fleet (groups: {known}). \
                 Nothing was started."
            ),
            FleetError::Setup(message) => format!("Fleet mode cannot start: {message}"),
        }
    }

    fn http_status(&self) -> u16 {
        match self {
            FleetError::Unreachable { .. } => 503,
            FleetError::Denied { .. } => 401,
            FleetError::Busy { .. } => 409,
            FleetError::Setup(_)
            | FleetError::NotPromoted { .. }
            | FleetError::NoSuchGroup { .. } => 422,
            FleetError::WaveTimedOut { .. } => 504,
            FleetError::Unreadable { .. } | FleetError::WaveVanished { .. } => 500,
        }
    }
}

impl From<FleetError> for ServiceError {
    fn from(e: FleetError) -> ServiceError {
        ServiceError::Fleet {
            status: e.http_status(),
            message: e.user_message(),
            cause: Some(Box::new(e)),
        }
    }
}
