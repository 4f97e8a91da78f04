//! The `steward` binary: logging, the tokio runtime, and the CLI.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let mut args = std::env::args_os();
    if args
        .nth(1)
        .is_some_and(|a| a == steward::engine::logs::PUMP_ARG)
    {
        return output_pump(args.collect());
    }
    // The bot's output goes through this same binary (see `engine::logs`).
    if let Ok(exe) = std::env::current_exe() {
        steward::engine::logs::use_output_pump(exe);
    }
    let cli = steward::cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(filter(&cli))
        .with_writer(std::io::stderr)
        // Colour codes only where a terminal shows them, not in log files.
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    runtime.block_on(steward::cli::run(cli))
}

/// `STEWARD_LOG` or `RUST_LOG` when set; else `-v` when given; else
/// `[logging] level` for `serve`, and for a one-shot command the more
/// severe of that level and `warn`, so a shell shows what went wrong and
/// not the service's running commentary. (A config that cannot be read
/// leaves the default here; the command itself reports why.)
fn filter(cli: &steward::cli::Cli) -> EnvFilter {
    for var in ["STEWARD_LOG", "RUST_LOG"] {
        if let Ok(filter) = EnvFilter::try_from_env(var) {
            return filter;
        }
    }
    const LEVELS: [&str; 5] = steward::config::LOG_LEVELS;
    let level = match cli.verbose {
        0 => {
            let configured = steward::config::Config::load(&cli.config, false)
                .map(|c| c.logging.level)
                .unwrap_or_else(|_| "info".to_string());
            let rank = LEVELS.iter().position(|l| *l == configured).unwrap_or(2);
            let serving = matches!(cli.command, steward::cli::Commands::Serve);
            LEVELS[if serving { rank } else { rank.min(1) }]
        }
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    EnvFilter::new(level)
}

/// `steward __output-pump PATH MAX_BYTES KEEP`: started by the supervisor
/// with the bot's output on stdin.
fn output_pump(args: Vec<std::ffi::OsString>) -> ExitCode {
    let [path, max_bytes, keep] = args.as_slice() else {
        return ExitCode::from(2);
    };
    let text = |a: &std::ffi::OsString| a.to_str().unwrap_or_default().to_string();
    let (Ok(max_bytes), Ok(keep)) = (text(max_bytes).parse(), text(keep).parse()) else {
        return ExitCode::from(2);
    };
    let rotation = steward::engine::logs::Rotation { max_bytes, keep };
    let mut input = std::io::stdin().lock();
    match steward::engine::logs::pump(&mut input, path.as_ref(), rotation) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => {
            // The log cannot be written (a full disk): keep reading, so the
            // bot is not killed by a broken pipe for it.
            let _ = std::io::copy(&mut input, &mut std::io::sink());
            ExitCode::from(1)
        }
    }
}
