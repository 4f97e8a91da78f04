//! Steward keeps a self-hosted Discord bot current and safe. This crate is
//! the host: the provider sandbox (`runtime`), what is done with providers
//! (`engine`: check, and the executor of their plans), programs and HTTP run
//! for providers under their grants (`process`, `fetch`), backups of the
//! managed bot (`backup`), Steward's records (`store`), the one API every
//! front calls (`service`), and the fronts (`cli`, `discord`). Update sources
//! are WebAssembly components; see `sdk/`.

pub mod backup;
pub mod bundled;
pub mod cli;
pub mod config;
pub mod discord;
pub mod engine;
pub mod fetch;
pub mod notify;
pub mod process;
pub mod provider;
pub mod runtime;
pub mod schedule;
pub mod service;
pub mod settings;
pub mod size;
pub mod status;
pub mod store;
pub mod supervisor;
