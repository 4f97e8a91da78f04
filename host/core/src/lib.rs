//! Steward's vocabulary, the bottom layer every other crate stands on: the
//! provider contract as the host sees it (`provider`), `steward.toml`
//! (`config`, what can be wrong in it typed in `config_problem`, `grant`,
//! `verify_key`), the update types, Steward's records
//! (`store`, `session`, `settings`), progress reports, the update lock, and
//! writes that survive a crash (`durable`, `dir_handle`). It runs no
//! provider, touches no bot and knows no front: those are the crates above.

pub mod config;
pub mod config_problem;
pub mod dir_handle;
pub mod durable;
pub mod failure;
pub mod fleet;
pub mod grant;
pub mod granted;
pub mod lock;
pub mod offsite;
pub mod problem;
pub mod process;
pub mod progress;
pub mod provider;
pub mod session;
pub mod settings;
pub mod size;
pub mod store;
pub mod stored_copy;
pub mod update_type;
pub mod verify_key;
pub mod warning;

pub use update_type::UpdateType;
