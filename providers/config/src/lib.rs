//! The `config` provider: keeps the operator's bot config in step with the
//! versioned template the bot ships (TOML, JSON or .env). `check` reports a
//! newer template and what it changes; `plan` is a 3-way merge that keeps
//! every operator value, shown as a diff; rollback puts the old files back.
//!
//! This file only connects the contract to the modules; it holds no logic.

mod check;
mod diff;
mod error;
mod formats;
mod inputs;
mod merge;
mod plan;
mod restart;
mod rollback;
mod settings;
mod verify;
mod version;

#[cfg(test)]
mod scenarios;

use steward_sdk::{Context, Error, Info, Plan, Provider, Report, Update, UpdateKind};

use settings::Settings as ConfigSettings;

struct ConfigProvider;

fn resolve_settings(ctx: &Context) -> Result<ConfigSettings, Error> {
    Ok(ConfigSettings::resolve(&ctx.bot_root, &ctx.settings)?)
}

impl Provider for ConfigProvider {
    fn describe(settings: steward_sdk::Settings) -> Info {
        let info = Info::new(
            "config",
            env!("CARGO_PKG_VERSION"),
            "Merges the bot's versioned config template into the operator's config, keeping their values",
            &[UpdateKind::Config],
        )
        .read("{bot}");
        settings::outside_dirs(&settings)
            .iter()
            .fold(info, |info, dir| info.read(dir))
    }

    fn check(ctx: Context) -> Result<Report, Error> {
        Ok(check::check(&resolve_settings(&ctx)?))
    }

    fn capture(ctx: Context) -> Result<Vec<u8>, Error> {
        Ok(rollback::capture(&resolve_settings(&ctx)?)?)
    }

    fn plan(ctx: Context, updates: Vec<Update>) -> Result<Plan, Error> {
        Ok(plan::plan(&resolve_settings(&ctx)?, &updates)?)
    }

    fn verify(ctx: Context, updates: Vec<Update>) -> Result<(), Error> {
        Ok(verify::verify(&resolve_settings(&ctx)?, &updates)?)
    }

    fn restore_plan(_ctx: Context, state: Vec<u8>) -> Result<Plan, Error> {
        Ok(rollback::restore_plan(&state)?)
    }
}

steward_sdk::export_provider!(ConfigProvider);
