//! The errors a front can get from the service, and the one function that
//! turns them into the words a user reads (CLI and Discord share it).

use std::path::PathBuf;

use thiserror::Error;

use crate::config::ConfigError;
use crate::service::access::{Operation, Role};

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
                "Permission denied: {} is for the bot's owners only. Admins can check for \
                 updates, view the status, and create or list backups.",
                capitalized(&operation.to_string())
            ),
            ServiceError::PermissionDenied { operation, .. } => format!(
                "Permission denied: only the bot's owners{} can use {operation}.",
                match operation.audience() {
                    crate::service::access::Audience::OwnersAndAdmins => " and admins",
                    crate::service::access::Audience::Owners => "",
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

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
