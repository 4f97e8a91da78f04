//! The `exec` step: a program granted for plans (`plan_programs`) with
//! exactly the granted arguments, in a granted directory (where it really
//! is, links followed), with a minimal non-interactive environment (plus the
//! variables the step names, never ones that change what runs, and never
//! Steward's own) and a time limit. A non-zero exit is a failure that carries the program's last
//! words. Never through a shell.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{ApplyContext, ApplyError, OUTPUT_CAP, StepOutcome};
use crate::process::{self, RunError};
use crate::provider::Command;
use crate::runtime::grants::RunFor;

/// The longest any command may run, whatever its step asks for.
const MAX_TIMEOUT: Duration = Duration::from_secs(2 * 60 * 60);
/// Bytes of output kept in an error or outcome.
const TAIL: usize = 2000;

/// Package managers must never stop to ask a question nobody will answer.
const ENV: &[(&str, &str)] = &[("DEBIAN_FRONTEND", "noninteractive")];

/// Variables a step may not set: they choose which program runs, what it
/// loads, or how a shell it starts reads its input. `PATH` and `HOME` are
/// the host's to set.
const REFUSED_NAMES: &[&str] = &[
    "PATH",
    "HOME",
    "IFS",
    "ENV",
    "BASH_ENV",
    "SHELLOPTS",
    "BASHOPTS",
    "PS4",
    "PROMPT_COMMAND",
    "GCONV_PATH",
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONSTARTUP",
    "PYTHONINSPECT",
    "NODE_OPTIONS",
    "NODE_PATH",
    "PERL5LIB",
    "PERL5OPT",
    "PERLLIB",
    "RUBYLIB",
    "RUBYOPT",
    "GIT_EXEC_PATH",
    "GIT_SSH",
    "GIT_SSH_COMMAND",
];
/// Prefixes of such variables: the dynamic loader's and the C library's.
const REFUSED_PREFIXES: &[&str] = &["LD_", "DYLD_", "MALLOC_", "GLIBC_"];

/// Why `name` may not be set for a command, if it may not.
pub fn refused_env(name: &str) -> Option<&'static str> {
    if name.is_empty() || name.contains(['=', '\0']) {
        return Some("it is not a variable name");
    }
    let upper = name.to_ascii_uppercase();
    if REFUSED_NAMES.contains(&upper.as_str())
        || REFUSED_PREFIXES.iter().any(|p| upper.starts_with(p))
    {
        return Some("it changes which program runs or what it loads");
    }
    None
}

/// What would run: the working directory and the time limit, after the grant
/// said yes.
pub struct Checked {
    pub cwd: PathBuf,
    pub timeout: Duration,
}

pub fn check(ctx: &ApplyContext, command: &Command) -> Result<Checked, ApplyError> {
    ctx.grant
        .check_exec(RunFor::Plan, &command.program, &command.args)
        .map_err(|d| ctx.denied(d))?;
    for (name, value) in &command.env {
        let why = refused_env(name).or(value.contains('\0').then_some("its value holds a NUL"));
        if let Some(why) = why {
            return Err(ApplyError::EnvRefused {
                provider: ctx.provider.clone(),
                program: command.program.clone(),
                name: name.clone(),
                why,
            });
        }
    }
    let cwd = match &command.cwd {
        Some(dir) => ctx
            .grant
            .check_read(Path::new(dir))
            .map_err(|d| ctx.denied(d))?,
        None => ctx.bot_root.clone(),
    };
    let timeout = command
        .timeout_ms
        .map(|ms| Duration::from_millis(ms.into()))
        .unwrap_or(ctx.exec_timeout)
        .min(MAX_TIMEOUT);
    Ok(Checked { cwd, timeout })
}

pub fn run(ctx: &ApplyContext, command: &Command) -> Result<StepOutcome, ApplyError> {
    let checked = check(ctx, command)?;
    tracing::info!(
        provider = ctx.provider,
        "running {} {}",
        command.program,
        command.args.join(" ")
    );
    let env: Vec<(&str, &str)> = ENV
        .iter()
        .copied()
        .chain(command.env.iter().map(|(n, v)| (n.as_str(), v.as_str())))
        .collect();
    let finished = process::run(&process::Run {
        program: &command.program,
        args: &command.args,
        cwd: &checked.cwd,
        env: &env,
        timeout: checked.timeout,
        output_cap: OUTPUT_CAP,
    })
    .map_err(|e| match e {
        RunError::Timeout { program, timeout } => ApplyError::CommandTimeout {
            program,
            secs: timeout.as_secs(),
        },
        other => ApplyError::CommandNotRun {
            program: command.program.clone(),
            message: other.to_string(),
        },
    })?;
    if finished.status != 0 {
        let said = if finished.stderr.iter().all(u8::is_ascii_whitespace) {
            &finished.stdout
        } else {
            &finished.stderr
        };
        return Err(ApplyError::CommandFailed {
            program: command.program.clone(),
            status: finished.status,
            output_tail: tail(said),
        });
    }
    Ok(StepOutcome::Ran {
        program: command.program.clone(),
        output_tail: tail(&finished.stdout),
    })
}

/// The last `TAIL` bytes as text, trimmed; `(no output)` when empty.
fn tail(bytes: &[u8]) -> String {
    let start = bytes.len().saturating_sub(TAIL);
    let text = String::from_utf8_lossy(&bytes[start..]);
    let text = text.trim();
    if text.is_empty() {
        "(no output)".to_string()
    } else if start > 0 {
        format!("…{text}")
    } else {
        text.to_string()
    }
}
