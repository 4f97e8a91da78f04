//! Why a plan step was refused or failed, one variant per cause, so the
//! service can say it in the user's words and the transaction can tell a
//! refusal (nothing was changed) from a failure halfway.

use std::path::PathBuf;

use thiserror::Error;

use crate::backup::ExtractError;

#[derive(Debug, Error)]
pub enum ApplyError {
    /// The provider's grant does not allow the step.
    #[error("the {provider} provider is not allowed to do this: {reason}")]
    Denied { provider: String, reason: String },
    /// A path a step would write is not inside the bot's root.
    #[error("{path} is outside the bot's root {bot_root}; plan steps may only change files there")]
    OutsideBotRoot { path: String, bot_root: PathBuf },
    /// A step would change Steward's own files.
    #[error("the {provider} provider may not change {path}: it is Steward's own {what}")]
    StewardOwn {
        provider: String,
        path: PathBuf,
        what: &'static str,
    },
    #[error("{path} is not a usable path for a plan step: {why}")]
    BadPath { path: String, why: &'static str },

    /// A command's environment names a variable that could change what runs.
    #[error("the {provider} provider may not set {name} for {program}: {why}")]
    EnvRefused {
        provider: String,
        program: String,
        name: String,
        why: &'static str,
    },
    #[error("{program} could not be run: {message}")]
    CommandNotRun { program: String, message: String },
    #[error("{program} did not finish within {secs} s and was stopped")]
    CommandTimeout { program: String, secs: u64 },
    #[error("{program} failed with exit status {status}: {output_tail}")]
    CommandFailed {
        program: String,
        status: i32,
        /// The end of what it printed on stderr (stdout when stderr was empty).
        output_tail: String,
    },

    #[error("{value:?} is not a sha256 (64 hex digits)")]
    BadChecksum { value: String },
    #[error("downloading {url} failed: {message}")]
    Download { url: String, message: String },
    #[error("{url} answered HTTP {status}")]
    HttpStatus { url: String, status: u16 },
    #[error("{url} is larger than the download limit of {limit} bytes")]
    TooLarge { url: String, limit: u64 },
    #[error(
        "{url} is larger than safety.max_update_size_mb ({limit_mb} MiB) allows; raise it in steward.toml to install this update"
    )]
    OverSafetyLimit { url: String, limit_mb: u64 },
    #[error("{url} does not match its checksum: expected sha256 {expected}, got {actual}")]
    ChecksumMismatch {
        url: String,
        expected: String,
        actual: String,
    },
    #[error(
        "{url} has no signature, but a verification key is configured for the {provider} provider"
    )]
    SignatureMissing { url: String, provider: String },
    #[error("the signature of {url} cannot be used: {source}")]
    SignatureUnusable {
        url: String,
        source: super::signature::SignatureError,
    },
    #[error("the signature of {url} does not verify with the configured key: {source}")]
    SignatureInvalid {
        url: String,
        source: super::signature::SignatureError,
    },
    #[error("{url} could not be unpacked safely: {source}")]
    Unpack { url: String, source: ExtractError },
    #[error("{path} already exists; a release directory is never unpacked over another")]
    DestinationExists { path: PathBuf },

    #[error("{path} is {what}; Steward replaces only regular files and symbolic links it manages")]
    NotReplaceable { path: PathBuf, what: &'static str },
    #[error("the release {target} that {link} should point at does not exist")]
    TargetMissing { link: String, target: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl ApplyError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> ApplyError {
        let path = path.into();
        move |source| ApplyError::Io { path, source }
    }
}
