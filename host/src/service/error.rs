//! The errors a front can get from the service, and the one function that
//! turns them into the words a user reads (CLI and Discord share it).

use std::path::PathBuf;

use thiserror::Error;

use crate::config::ConfigError;

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
        }
    }
}
