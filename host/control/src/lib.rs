//! The service's control API: versioned HTTP/1.1 with JSON bodies on a
//! Unix socket (`<data>/steward.sock`, or `[control] socket`). The caller
//! is the socket peer as the kernel reports it (`SO_PEERCRED`), mapped to a
//! role by `[control]`; the service decides, as for Discord.
//!
//! Long operations (install, rollback, backup create and restore) answer
//! with NDJSON: one `{"progress": …}` line per stage, then one
//! `{"result": …}` or `{"error": …}` line. They run to their end even when
//! the client goes away.
//!
//! `server` is what `steward serve` listens with; `client` is what every
//! CLI command uses when a service answers on the socket.

pub mod client;
mod fleet;
pub mod http;
pub mod server;

use serde::{Deserialize, Serialize};

/// The API's version prefix.
pub const API: &str = "/v1";

/// An error as the API answers it: the status code and the sentence the
/// user reads.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
}

/// One line of a streamed answer.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event<T> {
    Progress(steward_engine::progress::Progress),
    Result(T),
    Error(ErrorBody),
}
