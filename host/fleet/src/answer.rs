//! What an instance answers about its part of a wave, typed, so the
//! machine that reads the answer words it in its own guild's language.
//! It travels in the report beside the English the instance wrote (what an
//! older Steward reads and shows); `Display` is that English, word for
//! word. It never decides anything: the report's `ok` does.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use steward_core::failure::{BotFault, Failure, SafetyFinding};
use steward_core::session::SessionStatus;
use steward_service::ServiceError;

/// One instance's answer to an order. Versions, names, ids and what a
/// session or the system said stay as given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Answer {
    /// A check ran: `offered` updates, `failed` providers that failed.
    Checked { offered: usize, failed: usize },
    /// Its install or rollback session ended `status`; why, typed when
    /// Steward said it itself (`reason`), else the session's own words.
    Session {
        status: SessionStatus,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "lenient_failure"
        )]
        reason: Option<Failure>,
    },
    /// The transaction ran but recorded no session.
    NoSession,
    /// A pinned install: this instance is offered another bot release.
    PinnedOther { offered: String, pinned: String },
    /// A pinned install: the release is not on offer here.
    PinnedNotOffered {
        pinned: String,
        running: Option<String>,
    },
    /// Another update holds this instance's update lock.
    Busy {
        by: String,
        doing: String,
        since: DateTime<Utc>,
    },
    /// Its safety checks stopped the install before anything changed.
    SafetyStop { warnings: Vec<SafetyFinding> },
    /// The bot could not be started, stopped or restarted.
    Bot { fault: BotFault },
}

impl Answer {
    /// A service's refusal or failure, typed when it is one of the kinds
    /// above; `None` leaves the English `user_message` alone.
    pub(crate) fn of_error(e: &ServiceError) -> Option<Answer> {
        use steward_engine::install::InstallError;
        match e {
            ServiceError::Install(InstallError::InProgress(Some(holder))) => Some(Answer::Busy {
                by: holder.by.clone(),
                doing: holder.doing.clone(),
                since: holder.since,
            }),
            ServiceError::Install(InstallError::SafetyStop { warnings }) => {
                Some(Answer::SafetyStop {
                    warnings: warnings.clone(),
                })
            }
            ServiceError::Bot(e) => Some(Answer::Bot { fault: e.fault() }),
            _ => None,
        }
    }

    /// The install error an answer types (what a busy or a stopped
    /// instance refused with), for the words the fronts already have.
    pub fn install_error(&self) -> Option<steward_engine::install::InstallError> {
        use steward_engine::install::InstallError;
        match self {
            Answer::Busy { by, doing, since } => {
                Some(InstallError::InProgress(Some(steward_core::lock::Holder {
                    by: by.clone(),
                    since: *since,
                    // Not part of any message.
                    pid: 0,
                    doing: doing.clone(),
                })))
            }
            Answer::SafetyStop { warnings } => Some(InstallError::SafetyStop {
                warnings: warnings.clone(),
            }),
            _ => None,
        }
    }

    /// A status as a session's record names it (`rolled_back`).
    pub fn status_name(status: SessionStatus) -> String {
        serde_json::to_value(status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Answer::Checked { offered, failed } => {
                write!(f, "{offered} update(s) available")?;
                if *failed > 0 {
                    write!(f, ", {failed} provider(s) failed")?;
                }
                Ok(())
            }
            Answer::Session { status, error, .. } => {
                f.write_str(&Answer::status_name(*status))?;
                match error {
                    Some(error) => write!(f, ": {error}"),
                    None => Ok(()),
                }
            }
            Answer::NoSession => f.write_str("no session was recorded"),
            Answer::PinnedOther { offered, pinned } => write!(
                f,
                "offered bot {offered}, but the wave is pinned to {pinned} (the release promoted); nothing was changed"
            ),
            Answer::PinnedNotOffered { pinned, running } => write!(
                f,
                "bot {pinned} (the release promoted) is not on offer here (the bot runs {}); nothing was changed",
                running.as_deref().unwrap_or("an unknown version")
            ),
            Answer::Busy { .. } | Answer::SafetyStop { .. } => match self.install_error() {
                Some(e) => f.write_str(&ServiceError::Install(e).user_message()),
                None => Ok(()),
            },
            Answer::Bot { fault } => write!(f, "Service start failed: {fault}"),
        }
    }
}

/// An answer of a shape this Steward does not know (a newer one's) is
/// left out: the English beside it is read instead.
pub(crate) fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Answer>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    Ok(value.and_then(|v| serde_json::from_value(v).ok()))
}

fn lenient_failure<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Failure>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    Ok(value.and_then(|v| serde_json::from_value(v).ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each answer reads in English word for word as instances wrote it
    /// before answers were typed (what an older Steward shows), and a
    /// service error's answer as its `user_message`.
    #[test]
    fn every_answer_reads_as_instances_wrote_it_before() {
        let said = [
            (
                Answer::Checked {
                    offered: 3,
                    failed: 0,
                },
                "3 update(s) available",
            ),
            (
                Answer::Checked {
                    offered: 0,
                    failed: 2,
                },
                "0 update(s) available, 2 provider(s) failed",
            ),
            (
                Answer::Session {
                    status: SessionStatus::RolledBack,
                    error: Some("pip failed".into()),
                    reason: None,
                },
                "rolled_back: pip failed",
            ),
            (
                Answer::Session {
                    status: SessionStatus::NothingToDo,
                    error: None,
                    reason: None,
                },
                "nothing_to_do",
            ),
            (Answer::NoSession, "no session was recorded"),
            (
                Answer::PinnedOther {
                    offered: "1.6.0".into(),
                    pinned: "1.5.0".into(),
                },
                "offered bot 1.6.0, but the wave is pinned to 1.5.0 (the release promoted); nothing was changed",
            ),
            (
                Answer::PinnedNotOffered {
                    pinned: "1.5.0".into(),
                    running: None,
                },
                "bot 1.5.0 (the release promoted) is not on offer here (the bot runs an unknown version); nothing was changed",
            ),
        ];
        for (answer, english) in said {
            assert_eq!(answer.to_string(), english);
            let json = serde_json::to_string(&answer).unwrap();
            assert_eq!(serde_json::from_str::<Answer>(&json).unwrap(), answer);
        }
        let errors = [
            ServiceError::Install(steward_engine::install::InstallError::InProgress(Some(
                steward_core::lock::Holder {
                    by: "cli:root".into(),
                    since: "2026-11-30T07:15:09Z".parse().unwrap(),
                    pid: 7,
                    doing: "rollback".into(),
                },
            ))),
            ServiceError::Bot(steward_engine::supervisor::SupervisorError::WouldNotStop {
                pid: 4242,
            }),
            ServiceError::Install(steward_engine::install::InstallError::SafetyStop {
                warnings: vec![
                    SafetyFinding::Breaking {
                        updates: vec!["discord.py 2.3.0 → 3.0.0".into()],
                    },
                    SafetyFinding::BackupRequired,
                ],
            }),
        ];
        for e in &errors {
            let answer = Answer::of_error(e).expect("typed");
            assert_eq!(answer.to_string(), e.user_message());
        }
        assert_eq!(
            Answer::of_error(&ServiceError::NotConfirmed),
            None,
            "left to its English"
        );
    }

    /// A report an older Steward wrote has no answer; one of a kind this
    /// Steward does not know is left out, never an error.
    #[test]
    fn an_unknown_answer_is_left_out() {
        #[derive(Deserialize)]
        struct Carrier {
            #[serde(default, deserialize_with = "lenient")]
            answer: Option<Answer>,
        }
        let read = |json: &str| serde_json::from_str::<Carrier>(json).unwrap().answer;
        assert_eq!(read("{}"), None);
        assert_eq!(read(r#"{"answer":{"kind":"from_the_future"}}"#), None);
        assert_eq!(
            read(r#"{"answer":{"kind":"no_session"}}"#),
            Some(Answer::NoSession)
        );
    }
}
