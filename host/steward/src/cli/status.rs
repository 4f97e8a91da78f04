//! `steward status`: parse, call the service, render; the chart goes to
//! the file named by `--chart`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::Backend;
use super::render;
use crate::service::{Caller, ServiceError, StatusRequest};
use crate::status::StatusRange;

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// List the update sessions of the range.
    #[arg(long)]
    history: bool,
    /// Leave out disk, memory and the statistics.
    #[arg(long)]
    no_metrics: bool,
    #[arg(long, value_enum, default_value = "7d")]
    range: StatusRange,
    /// Write a PNG chart of updates and backup sizes to FILE.
    #[arg(long, value_name = "FILE")]
    chart: Option<PathBuf>,
    #[arg(long)]
    json: bool,
}

pub async fn run(service: &Backend, args: StatusArgs) -> Result<ExitCode, ServiceError> {
    let report = service
        .status(
            &Caller::Shell,
            StatusRequest {
                history: args.history,
                metrics: !args.no_metrics,
                range: args.range,
                chart: args.chart.is_some(),
            },
        )
        .await?;
    if let (Some(path), Some(png)) = (&args.chart, &report.chart)
        && let Err(e) = std::fs::write(path, png)
    {
        return Err(ServiceError::Chart {
            message: format!("cannot write {}: {e}", path.display()),
        });
    }
    // In fleet mode the running service adds every instance and the waves;
    // etcd out of reach is said, and the local status still shown.
    let fleet = if service.is_remote() {
        match service.fleet_status().await {
            Ok(fleet) => fleet,
            Err(e) => {
                eprintln!("warning: the fleet cannot be shown: {}", e.user_message());
                None
            }
        }
    } else {
        None
    };
    if args.json {
        let mut value = serde_json::to_value(&report).expect("reports serialize");
        if let Some(fleet) = &fleet {
            value["fleet"] = serde_json::to_value(fleet).expect("fleet status serializes");
        }
        println!("{}", render::json(&value));
    } else {
        print!("{}", render::status::report(&report));
        if let Some(fleet) = &fleet {
            print!("{}", super::fleet::status_section(fleet));
        }
        if let Some(path) = &args.chart {
            println!("Chart written to {}", path.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
