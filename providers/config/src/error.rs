//! What can go wrong in the config provider, in the words the operator reads,
//! and how each case maps onto the contract's error codes (done once, here).

use steward_sdk::ErrorCode;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("setting `{name}`: {message}")]
    Setting { name: &'static str, message: String },

    #[error(
        "cannot see the bot root {root}: grant the config provider read access to \"{{bot}}\" in steward.toml"
    )]
    RootHidden { root: String },

    #[error("{path} does not exist")]
    Missing { path: String },

    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },

    #[error("{path} is not valid {format}: {message}")]
    Parse {
        path: String,
        format: &'static str,
        message: String,
    },

    #[error("{path} has no `{key}` key, so its template version is unknown")]
    NoVersion { path: String, key: String },

    #[error(
        "the template changed since the check ({path} is now version {found}, the update was for {expected}); check again"
    )]
    TemplateMoved {
        path: String,
        expected: String,
        found: String,
    },

    #[error("{path}: `{key}` is {found}, expected the template's {expected}")]
    VersionMismatch {
        path: String,
        key: String,
        found: String,
        expected: String,
    },

    #[error("cannot merge the template into {path}: {message}")]
    Merge { path: String, message: String },

    #[error("the saved rollback state is not this provider's: {0}")]
    State(String),
}

impl ConfigError {
    pub fn code(&self) -> ErrorCode {
        match self {
            ConfigError::Setting { .. } | ConfigError::Parse { .. } | ConfigError::State(_) => {
                ErrorCode::InvalidData
            }
            ConfigError::NoVersion { .. } => ErrorCode::InvalidData,
            ConfigError::Missing { .. } => ErrorCode::NotFound,
            ConfigError::RootHidden { .. } => ErrorCode::Denied,
            ConfigError::Read { source, .. } => match source.kind() {
                std::io::ErrorKind::PermissionDenied => ErrorCode::Denied,
                std::io::ErrorKind::NotFound => ErrorCode::NotFound,
                _ => ErrorCode::Other,
            },
            ConfigError::TemplateMoved { .. }
            | ConfigError::VersionMismatch { .. }
            | ConfigError::Merge { .. } => ErrorCode::Conflict,
        }
    }
}

impl From<ConfigError> for steward_sdk::Error {
    fn from(e: ConfigError) -> Self {
        steward_sdk::Error::new(e.code(), e.to_string())
    }
}
