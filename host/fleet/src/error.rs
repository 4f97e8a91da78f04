//! What goes wrong in fleet mode, and the one place it becomes words.

use std::fmt;

use steward_core::fleet::Soak;
use steward_service::ServiceError;

use crate::lock::Occupant;
use crate::wave::Standing;

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
    Busy { holder: Box<Occupant> },
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
        why: Unpromoted,
    },
    /// The wave a command asked for was never planned, or nobody leads it
    /// any more, within `wave_timeout_seconds`.
    #[error("{waited_for}")]
    WaveTimedOut { waited_for: Waited, withdrawn: bool },
    /// A wave names a group no registered instance belongs to.
    #[error("no instance of group {group} is registered")]
    NoSuchGroup { group: String, known: String },
    /// `[fleet.tls]` or `[fleet.auth]` cannot be used.
    #[error("{0}")]
    Setup(String),
}

/// Why `[fleet.promotion]` holds a group back: typed, so each front words
/// it; `Display` is the English the CLI prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unpromoted {
    /// No instance of `after` is registered.
    NoInstance { after: String },
    /// An instance of `after` has no fresh healthy report.
    NotHealthy { after: String, instance: String },
    /// The instances of `after` run different releases (`id`, `version`).
    MixedReleases {
        after: String,
        releases: Vec<(String, String)>,
    },
    /// `version` has run healthy on `after` for `soaked_secs` of the
    /// `soak_secs` it must.
    Soaking {
        version: String,
        after: String,
        soaked_secs: u64,
        soak_secs: u64,
    },
    /// The group would get `version`, but `other` would get
    /// `other_version` in the same wave.
    TwoReleases {
        version: String,
        other: String,
        other_version: String,
    },
}

impl Unpromoted {
    /// The releases of `MixedReleases` as `id version, id version`.
    pub fn releases_list(releases: &[(String, String)]) -> String {
        releases
            .iter()
            .map(|(id, v)| format!("{id} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for Unpromoted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unpromoted::NoInstance { after } => {
                write!(f, "no instance of {after} is registered in the fleet")
            }
            Unpromoted::NotHealthy { after, instance } => {
                write!(
                    f,
                    "{after} instance {instance} has not reported its bot healthy"
                )
            }
            Unpromoted::MixedReleases { after, releases } => write!(
                f,
                "the {after} instances run different releases ({})",
                Unpromoted::releases_list(releases)
            ),
            Unpromoted::Soaking {
                version,
                after,
                soaked_secs,
                soak_secs,
            } => write!(
                f,
                "{version} has run healthy on {after} for {} of the {} it must; {} left",
                Soak::words(*soaked_secs),
                Soak::words(*soak_secs),
                Soak::words(soak_secs.saturating_sub(*soaked_secs))
            ),
            Unpromoted::TwoReleases {
                version,
                other,
                other_version,
            } => write!(
                f,
                "it would get {version}, but {other} would get {other_version} in the same wave; \
                 install one group at a time (--group)"
            ),
        }
    }
}

/// What a command gave up waiting for: typed, so each front words it;
/// `Display` is the English the CLI prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Waited {
    /// A leader to plan the wave, for `secs` (`fleet.wave_timeout_seconds`).
    Plan {
        wave: String,
        secs: u64,
        leader: Leader,
    },
    /// A leader to carry the wave on; `stands_at` is where the wave
    /// stands (the CLI shows its progress line).
    CarryOn {
        wave: String,
        secs: u64,
        leader: Leader,
        stands_at: Box<Standing>,
    },
}

/// Who holds etcd's election for the fleet, as a command waiting saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Leader {
    Nobody,
    /// A registered instance leads.
    Registered(String),
    /// The election is held by an id no registered instance has.
    Unregistered(String),
}

impl fmt::Display for Leader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Leader::Nobody => f.write_str("no instance leads the fleet"),
            Leader::Registered(l) => write!(f, "{l} leads the fleet"),
            Leader::Unregistered(l) => write!(
                f,
                "etcd's election for the fleet is held by {l:?}, which is no registered instance"
            ),
        }
    }
}

impl fmt::Display for Waited {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Waited::Plan { wave, secs, leader } => write!(
                f,
                "a leader to plan wave {wave} for {secs}s (fleet.wave_timeout_seconds): {leader}"
            ),
            Waited::CarryOn {
                wave,
                secs,
                leader,
                stands_at,
            } => write!(
                f,
                "a leader to carry wave {wave} on: it has not moved for {secs}s \
                 (fleet.wave_timeout_seconds) and {leader}; it stands at: {stands_at}"
            ),
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The typed explanations read word for word as the sentences the
    /// fleet built before they were typed (what the CLI prints).
    #[test]
    fn typed_explanations_read_as_before() {
        let why = [
            (
                Unpromoted::NoInstance {
                    after: "canary".into(),
                },
                "no instance of canary is registered in the fleet",
            ),
            (
                Unpromoted::NotHealthy {
                    after: "canary".into(),
                    instance: "a".into(),
                },
                "canary instance a has not reported its bot healthy",
            ),
            (
                Unpromoted::MixedReleases {
                    after: "canary".into(),
                    releases: vec![("a".into(), "1.4.0".into()), ("b".into(), "1.5.0".into())],
                },
                "the canary instances run different releases (a 1.4.0, b 1.5.0)",
            ),
            (
                Unpromoted::Soaking {
                    version: "1.5.0".into(),
                    after: "canary".into(),
                    soaked_secs: 1800,
                    soak_secs: 5400,
                },
                "1.5.0 has run healthy on canary for 30m of the 1h30m it must; 1h left",
            ),
            (
                Unpromoted::TwoReleases {
                    version: "1.5.0".into(),
                    other: "eu".into(),
                    other_version: "1.4.0".into(),
                },
                "it would get 1.5.0, but eu would get 1.4.0 in the same wave; install one \
                 group at a time (--group)",
            ),
        ];
        for (why, english) in why {
            assert_eq!(why.to_string(), english);
            let e = FleetError::NotPromoted {
                group: "prod".into(),
                after: "canary".into(),
                why,
            };
            assert_eq!(e.to_string(), format!("prod waits for canary: {english}"));
            assert_eq!(
                e.user_message(),
                format!(
                    "Group prod is promoted only after canary (fleet.promotion): {english}. \
                     Nothing was started."
                )
            );
        }
        let waited = [
            (
                Waited::Plan {
                    wave: "w8".into(),
                    secs: 60,
                    leader: Leader::Nobody,
                },
                "a leader to plan wave w8 for 60s (fleet.wave_timeout_seconds): no instance \
                 leads the fleet",
            ),
            (
                Waited::Plan {
                    wave: "w8".into(),
                    secs: 60,
                    leader: Leader::Unregistered("gone-1".into()),
                },
                "a leader to plan wave w8 for 60s (fleet.wave_timeout_seconds): etcd's election \
                 for the fleet is held by \"gone-1\", which is no registered instance",
            ),
            (
                Waited::CarryOn {
                    wave: "w8".into(),
                    secs: 60,
                    leader: Leader::Registered("a".into()),
                    stands_at: Box::new(Standing {
                        action: crate::WaveAction::Check,
                        pinned: None,
                        group: None,
                        phase: crate::Phase::Running,
                        batch: 0,
                        batches: 1,
                        members: vec![("a".into(), Some(crate::PartState::Running))],
                        halted: None,
                    }),
                },
                "a leader to carry wave w8 on: it has not moved for 60s \
                 (fleet.wave_timeout_seconds) and a leads the fleet; it stands at: Fleet check: \
                 canary batch: a running",
            ),
        ];
        for (waited_for, english) in waited {
            let e = FleetError::WaveTimedOut {
                waited_for,
                withdrawn: true,
            };
            assert_eq!(e.to_string(), english);
            assert!(e.user_message().starts_with(&format!(
                "Gave up waiting for {english}. The wave was withdrawn"
            )));
        }
    }
}
