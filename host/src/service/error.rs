//! The errors a front can get from the service, and the one function that
//! turns them into the words a user reads (CLI and Discord share it).

use std::path::PathBuf;

use thiserror::Error;

use crate::config::ConfigError;
use crate::service::access::{Audience, Operation, Role};

#[derive(Debug, Error)]
pub enum ServiceError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot prepare the providers directory {path}: {source}")]
    ProvidersDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the WebAssembly runtime could not start: {message}")]
    Runtime { message: String },
    #[error("{role:?} may not run {operation}")]
    PermissionDenied { operation: Operation, role: Role },
    #[error("{name}: {value:?} is not valid (expected {expected})")]
    InvalidArgument {
        name: String,
        value: String,
        expected: String,
    },
}

impl ServiceError {
    /// The sentence a user reads.
    pub fn user_message(&self) -> String {
        match self {
            ServiceError::Config(e) => format!("Configuration problem: {e}"),
            ServiceError::ProvidersDir { path, source } => format!(
                "Steward cannot use its providers directory {}: {source}",
                path.display()
            ),
            ServiceError::Runtime { message } => {
                format!("Steward's provider sandbox could not start: {message}")
            }
            ServiceError::PermissionDenied {
                operation,
                role: Role::Admin,
            } => format!(
                "Permission denied: {operation} is for the bot's owners only. Admins can check \
                 for updates, view the status, and create or list backups."
            ),
            ServiceError::PermissionDenied { operation, .. } => format!(
                "Permission denied: {operation} is for the bot's {}.",
                match operation.audience() {
                    Audience::OwnersAndAdmins => "owners and admins",
                    Audience::Owners => "owners",
                }
            ),
            ServiceError::InvalidArgument {
                name,
                value,
                expected,
            } => format!("Invalid value for {name}: `{value}` is not {expected}."),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_admin_refused_an_owner_only_operation_is_told_why() {
        let e = ServiceError::PermissionDenied {
            operation: Operation::Install,
            role: Role::Admin,
        };
        assert_eq!(
            e.user_message(),
            "Permission denied: installing updates is for the bot's owners only. Admins can \
             check for updates, view the status, and create or list backups."
        );
    }

    #[test]
    fn a_plain_member_is_refused_with_who_may() {
        let e = ServiceError::PermissionDenied {
            operation: Operation::Check,
            role: Role::Member,
        };
        assert_eq!(
            e.user_message(),
            "Permission denied: checking for updates is for the bot's owners and admins."
        );
    }
}
