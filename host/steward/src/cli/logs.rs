//! `steward logs [SESSION]`: the update sessions' logs, newest first, or
//! one of them whole. Reads only the log files, so it answers while another
//! Steward holds the store.

use std::path::Path;
use std::process::ExitCode;

use clap::Args;

use super::{EXIT_ERROR, render};
use crate::engine::logs;

#[derive(Debug, Args)]
pub struct LogsArgs {
    /// A session id, as the list shows it: prints that session's log.
    session: Option<String>,
    /// Print the list as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(dir: &Path, args: &LogsArgs) -> ExitCode {
    let Some(id) = &args.session else {
        let sessions = logs::list(dir);
        if args.json {
            println!("{}", render::json(&sessions));
        } else if sessions.is_empty() {
            println!("No session logs yet in {}.", dir.display());
        } else {
            println!("{:<26}  {:<20}  {:>10}", "SESSION", "STARTED", "SIZE");
            for s in &sessions {
                let started = s
                    .started_at
                    .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
                    .unwrap_or_else(|| "?".to_string());
                println!(
                    "{:<26}  {:<20}  {:>10}",
                    s.id,
                    started,
                    crate::size::human(s.bytes)
                );
            }
        }
        return ExitCode::SUCCESS;
    };
    match logs::read(dir, id) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}
