//! `steward providers list|grant|deny|new|test`: parse, call the service
//! (or the authors' kit), render.

use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;

use super::Backend;
use super::render;
use crate::config::Config;
use crate::engine::kit::{conformance, template};
use crate::service::{Caller, GrantOutcome, GrantRequest, ServiceError};

#[derive(Debug, Subcommand)]
pub enum ProvidersCommand {
    /// Every provider file: version, contract, checksum, capabilities, load errors.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Grant a provider what it asks for (no options), or only what the
    /// options name; stored over steward.toml and applied at once.
    Grant {
        /// The provider's file name without `.wasm`.
        name: String,
        /// A directory it may read (`{bot}` is the bot's root); repeatable.
        #[arg(long)]
        read: Vec<String>,
        /// A host (or host:port) it may send HTTP requests to; repeatable.
        #[arg(long)]
        http: Vec<String>,
        /// A program it asked to run, granted while it reads; repeatable.
        #[arg(long = "program")]
        programs: Vec<String>,
        /// A program it asked to run, granted as a step of its plans; repeatable.
        #[arg(long = "plan-program")]
        plan_programs: Vec<String>,
        /// A file or directory its plans may create, replace or remove; repeatable.
        #[arg(long)]
        write: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Refuse a provider everything: it is not run (until granted).
    Deny {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Write a new provider crate from the template into ./NAME.
    New {
        /// The provider's name (its crate, and the file name grants follow).
        name: String,
        /// A Steward checkout's `sdk/` directory to depend on (default:
        /// Steward's git repository).
        #[arg(long)]
        sdk: Option<PathBuf>,
        /// Where to create it (default: the current directory).
        #[arg(long, default_value = ".")]
        dir: PathBuf,
    },
    /// Check a provider file the way Steward will use it, and print a
    /// table: describe, check on an empty tree and on --bot-root, capture
    /// and restore-plan, grants, budgets. Exit code 3 when a check fails.
    Test {
        /// The `.wasm` file.
        file: PathBuf,
        /// A setting passed to the provider, KEY=VALUE; repeatable.
        #[arg(long = "settings", value_name = "KEY=VALUE")]
        settings: Vec<String>,
        #[arg(long)]
        json: bool,
    },
}

impl ProvidersCommand {
    /// Whether this runs without any service (the authors' kit).
    pub fn is_kit(&self) -> bool {
        matches!(
            self,
            ProvidersCommand::New { .. } | ProvidersCommand::Test { .. }
        )
    }
}

pub async fn run(service: &Backend, command: ProvidersCommand) -> Result<ExitCode, ServiceError> {
    match command {
        ProvidersCommand::List { json } => {
            let providers = service.providers(&Caller::Shell).await?;
            if json {
                println!("{}", render::json(&providers));
            } else {
                print!("{}", render::providers_table(&providers));
            }
            Ok(ExitCode::SUCCESS)
        }
        ProvidersCommand::Grant {
            name,
            read,
            http,
            programs,
            plan_programs,
            write,
            json,
        } => {
            let request = GrantRequest {
                read,
                http,
                programs,
                plan_programs,
                write,
            };
            let outcome = service
                .provider_grant(&Caller::Shell, &name, request)
                .await?;
            if json {
                println!("{}", render::json(&outcome));
            } else {
                print!("{}", decided(&outcome));
            }
            Ok(ExitCode::SUCCESS)
        }
        ProvidersCommand::Deny { name, json } => {
            let outcome = service.provider_deny(&Caller::Shell, &name).await?;
            if json {
                println!("{}", render::json(&outcome));
            } else {
                print!("{}", decided(&outcome));
            }
            Ok(ExitCode::SUCCESS)
        }
        ProvidersCommand::New { .. } | ProvidersCommand::Test { .. } => {
            unreachable!("the kit runs before a backend is chosen")
        }
    }
}

/// `providers new` and `providers test`: no service, no store.
pub async fn kit(
    command: ProvidersCommand,
    config_file: &Path,
    bot_root: Option<PathBuf>,
) -> ExitCode {
    match command {
        ProvidersCommand::New { name, sdk, dir } => {
            match template::create(&dir, &name, sdk.as_deref()) {
                Ok(created) => {
                    print!("{}", created_text(&created));
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(super::EXIT_ERROR)
                }
            }
        }
        ProvidersCommand::Test {
            file,
            settings,
            json,
        } => {
            let mut pairs = Vec::new();
            for s in &settings {
                match s.split_once('=') {
                    Some((k, v)) if !k.trim().is_empty() => {
                        pairs.push((k.trim().to_string(), v.to_string()))
                    }
                    _ => {
                        eprintln!("error: --settings {s:?}: write KEY=VALUE");
                        return ExitCode::from(super::EXIT_ERROR);
                    }
                }
            }
            // steward.toml's runtime limits when there is one, else the defaults.
            let base = match Config::load(config_file, true) {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(super::EXIT_ERROR);
                }
            };
            let request = conformance::TestRequest {
                file,
                settings: pairs,
                bot_root,
            };
            let result =
                tokio::task::spawn_blocking(move || conformance::run(&base, &request)).await;
            match result {
                Ok(Ok(report)) => {
                    if json {
                        println!("{}", render::json(&report));
                    } else {
                        print!("{}", conformance_table(&report));
                    }
                    if report.passed() {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::from(super::EXIT_PROVIDER_FAILED)
                    }
                }
                Ok(Err(e)) => {
                    eprintln!("error: {e}");
                    ExitCode::from(super::EXIT_ERROR)
                }
                Err(e) => {
                    eprintln!("error: the test stopped: {e}");
                    ExitCode::from(super::EXIT_ERROR)
                }
            }
        }
        other => unreachable!("not a kit command: {other:?}"),
    }
}

fn decided(outcome: &GrantOutcome) -> String {
    let mut out = String::new();
    match &outcome.granted {
        None => {
            let _ = writeln!(
                out,
                "{} is denied: it will not run until it is granted (steward providers grant {}).",
                outcome.provider, outcome.provider
            );
        }
        Some(g) => {
            let _ = writeln!(out, "Granted {}:", outcome.provider);
            let programs = |list: &[crate::provider::Program]| -> Vec<String> {
                list.iter().map(|p| p.path.clone()).collect()
            };
            for (what, items) in [
                ("read", g.read.clone()),
                ("http", g.http.clone()),
                ("programs", programs(&g.programs)),
                ("plan_programs", programs(&g.plan_programs)),
                ("write", g.write.clone()),
            ] {
                if !items.is_empty() {
                    let _ = writeln!(out, "  {what}: {}", items.join(", "));
                }
            }
            if g == &Default::default() {
                let _ = writeln!(out, "  nothing (it asks for nothing)");
            }
            if outcome.missing.is_empty() {
                let _ = writeln!(out, "It runs from the next check.");
            } else {
                let _ = writeln!(
                    out,
                    "It runs from the next check, partly: not granted {}.",
                    outcome.missing.join(", ")
                );
            }
        }
    }
    out
}

fn created_text(created: &template::Created) -> String {
    let dir = created.dir.display();
    format!(
        "Created {dir}: {}.\n\nNext:\n  cd {dir}\n  cargo test\n  cargo build --release --target wasm32-wasip2\n  steward providers test {} --bot-root /path/to/a/bot\n",
        created.files.join(", "),
        created
            .wasm
            .strip_prefix(&created.dir)
            .unwrap_or(&created.wasm)
            .display()
    )
}

fn conformance_table(report: &conformance::Conformance) -> String {
    let mut rows = vec![[
        "CHECK".to_string(),
        "RESULT".to_string(),
        "DETAIL".to_string(),
    ]];
    for r in &report.rows {
        let verdict = match r.verdict {
            conformance::Verdict::Pass => "pass",
            conformance::Verdict::Fail => "FAIL",
            conformance::Verdict::Skip => "skip",
        };
        rows.push([r.check.to_string(), verdict.to_string(), r.detail.clone()]);
    }
    let width = |c: usize| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0);
    let (w0, w1) = (width(0), width(1));
    let mut out = format!("{} ({})\n\n", report.provider, report.file);
    for r in &rows {
        let _ = writeln!(out, "{:w0$}  {:w1$}  {}", r[0], r[1], r[2]);
    }
    let failed = report
        .rows
        .iter()
        .filter(|r| r.verdict == conformance::Verdict::Fail)
        .count();
    let _ = writeln!(
        out,
        "\n{}",
        if failed == 0 {
            "Every check passed.".to_string()
        } else {
            format!(
                "{failed} {} failed.",
                if failed == 1 { "check" } else { "checks" }
            )
        }
    );
    out
}
