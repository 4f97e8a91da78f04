//! The `steward` binary's fronts: the shell (`cli`, clap) and Discord
//! (`discord`, poise). Each parses a request, calls the service and renders
//! what it returns; nothing here decides. The layers below are re-exported
//! under their short names for the fronts and the end-to-end tests.

pub mod cli;
pub mod discord;

pub use steward_backup as backup;
pub use steward_core::{config, provider, settings, size, store};
pub use steward_engine as engine;
pub use steward_engine::supervisor;
pub use steward_runtime as runtime;
pub use steward_service as service;
pub use steward_service::{notify, schedule, status};
