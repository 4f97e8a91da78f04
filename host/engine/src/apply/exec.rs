//! The `exec` step: a program granted for plans (`plan_programs`) with
//! exactly the granted arguments, in a granted directory (where it really
//! is, links followed), with a minimal non-interactive environment and a
//! time limit. A non-zero exit is a failure that carries the program's last
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
    let finished = process::run(&process::Run {
        program: &command.program,
        args: &command.args,
        cwd: &checked.cwd,
        env: ENV,
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
