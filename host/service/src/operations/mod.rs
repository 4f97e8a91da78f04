//! The service's operations, one file per domain: what `steward schedule`
//! and `/update_schedule`, `steward settings` and `/update_settings`,
//! `steward status` and `/update_status` ask of it.

pub mod grants;
pub mod offsite;
pub mod reload;
pub mod schedule;
pub mod settings;
pub mod status;
