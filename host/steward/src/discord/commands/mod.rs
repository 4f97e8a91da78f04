//! The slash commands Steward registers: one file per command, each a plain
//! `async fn` whose doc comment is its Discord description. Only commands
//! whose service call exists are listed; the rest of the reference joins
//! `all()` as their service calls land.

mod backup_create;
mod backup_list;
mod backup_restore;
mod update_check;
mod update_install;
mod update_rollback;
mod update_schedule;
mod update_settings;
mod update_status;

use super::{CommandError, Data};

pub fn all() -> Vec<poise::Command<Data, CommandError>> {
    vec![
        update_check::update_check(),
        update_status::update_status(),
        update_schedule::update_schedule(),
        update_settings::update_settings(),
        update_install::update_install(),
        update_rollback::update_rollback(),
        backup_create::backup_create(),
        backup_list::backup_list(),
        backup_restore::backup_restore(),
    ]
}
