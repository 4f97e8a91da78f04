//! The `steward` binary: logging, the tokio runtime, and the CLI.

use std::io::IsTerminal;
use std::os::fd::AsFd;
use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::prelude::*;

use steward::config::{Config, LogFormat};
use steward::engine::logs::{RotatingLog, Rotation};

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
    let serving = matches!(cli.command, steward::cli::Commands::Serve);
    // Before the first thread starts: few malloc arenas, for the
    // long-running service and for the commands that may back up or
    // restore (a backup's threads each free megabytes of chunks into
    // arenas of their own: a first backup of 500 MB peaked at 210 MB
    // resident with glibc's eight a core, 175 MB with two). A check's
    // few threads gain nothing from it.
    let arenas = (!matches!(cli.command, steward::cli::Commands::Check { .. }))
        .then(steward::service::memory::limit_arenas)
        .flatten();
    // Read once, here, for the log's settings and for the command. A config
    // that cannot be read leaves the defaults for the log; the command
    // itself reports why.
    let loaded = Config::load(&cli.config, false);
    let config = loaded.as_ref().ok();
    let json = config.is_some_and(|c| c.logging.format == LogFormat::Json);
    // Colour codes only where a terminal shows them, not in log files.
    let stderr = layer(json, std::io::stderr().is_terminal(), std::io::stderr);
    let file = if serving {
        config.and_then(log_file)
    } else {
        None
    };
    let file = file.map(|log| layer(json, false, move || log.clone()));
    tracing_subscriber::registry()
        .with(filter(&cli, config, serving))
        .with(stderr)
        .with(file)
        .init();
    if let Some(arenas) = arenas {
        tracing::debug!("malloc arenas limited to {arenas} (MALLOC_ARENA_MAX overrides)");
    }
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
    let checking = matches!(cli.command, steward::cli::Commands::Check { .. });
    let code = runtime.block_on(steward::cli::run(cli, loaded));
    if checking {
        // A check's runtime holds nothing to finish: its threads end with
        // the process instead of being shut down one by one first.
        std::mem::forget(runtime);
    } else {
        drop(runtime);
        // A backup, a restore or `serve` may have opened SFTP connections.
        steward::backup::offsite::close_connections(std::time::Duration::from_secs(5));
    }
    code
}

/// One output of Steward's log: text (coloured for a terminal) or one JSON
/// object per line (`[logging] format = "json"`).
fn layer<S, W>(
    json: bool,
    ansi: bool,
    writer: W,
) -> Box<dyn tracing_subscriber::Layer<S> + Send + Sync>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let fmt = tracing_subscriber::fmt::layer().with_writer(writer);
    if json {
        fmt.json().boxed()
    } else {
        fmt.with_ansi(ansi).boxed()
    }
}

/// `[logging] file` for `steward serve`, rotated at `log_rotation_size`
/// keeping `max_log_files`. Only the service writes it, so one process
/// rotates it; a file that cannot be opened leaves the log on stderr.
fn log_file(config: &Config) -> Option<RotatingLog> {
    let l = &config.logging;
    let path = l.file.as_ref()?;
    let rotation = Rotation {
        max_bytes: l.log_rotation_size,
        keep: l.max_log_files,
    };
    match RotatingLog::open(path, rotation) {
        Ok(log) => Some(log),
        Err(e) => {
            eprintln!(
                "warning: cannot write Steward's log file {} ({e}); logging to stderr only",
                path.display()
            );
            None
        }
    }
}

/// `STEWARD_LOG` or `RUST_LOG` when set; else `-v` when given; else
/// `[logging] level` for `serve`, and for a one-shot command the more
/// severe of that level and `warn`, so a shell shows what went wrong and
/// not the service's running commentary.
fn filter(cli: &steward::cli::Cli, config: Option<&Config>, serving: bool) -> EnvFilter {
    for var in ["STEWARD_LOG", "RUST_LOG"] {
        if let Ok(filter) = EnvFilter::try_from_env(var) {
            return filter;
        }
    }
    const LEVELS: [&str; 5] = steward::config::LOG_LEVELS;
    let level = match cli.verbose {
        0 => {
            let configured = config.map_or("info", |c| c.logging.level.as_str());
            let rank = LEVELS.iter().position(|l| *l == configured).unwrap_or(2);
            LEVELS[if serving { rank } else { rank.min(1) }]
        }
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    EnvFilter::new(level)
}

/// `steward __output-pump PATH MAX_BYTES KEEP [BOT_PID]`: started by the
/// supervisor with the bot's output on stdin; it ends with the pipe, or
/// once the bot `BOT_PID` and its process group are gone.
fn output_pump(args: Vec<std::ffi::OsString>) -> ExitCode {
    let (path, max_bytes, keep, bot) = match args.as_slice() {
        [path, max_bytes, keep] => (path, max_bytes, keep, None),
        [path, max_bytes, keep, bot] => (path, max_bytes, keep, Some(bot)),
        _ => return ExitCode::from(2),
    };
    let text = |a: &std::ffi::OsString| a.to_str().unwrap_or_default().to_string();
    let (Ok(max_bytes), Ok(keep)) = (text(max_bytes).parse(), text(keep).parse()) else {
        return ExitCode::from(2);
    };
    let bot = match bot.map(|b| text(b).parse::<u32>()) {
        None => None,
        Some(Ok(pid)) => Some(pid),
        Some(Err(_)) => return ExitCode::from(2),
    };
    let rotation = steward::engine::logs::Rotation { max_bytes, keep };
    let Ok(stdin) = std::io::stdin().as_fd().try_clone_to_owned() else {
        return ExitCode::from(2);
    };
    let mut input = steward::engine::logs::BotOutput::new(stdin, bot);
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
