//! Running a program for a provider: directly (never through a shell), with
//! a minimal environment, a time limit and capped output. Both the sandbox's
//! `exec` import and the plan executor run programs through here; neither
//! asks this module whether a program is allowed: callers check the grant.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use thiserror::Error;

/// The only `PATH` a program sees, whatever Steward's own environment is.
const PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// One program run.
pub struct Run<'a> {
    pub program: &'a str,
    pub args: &'a [String],
    pub cwd: &'a Path,
    /// Variables added to the minimal environment (`PATH`, `LANG`, `HOME`).
    pub env: &'a [(&'a str, &'a str)],
    pub timeout: Duration,
    /// Bytes kept of stdout and of stderr each; the rest is read and dropped.
    pub output_cap: usize,
}

/// What a program left behind.
#[derive(Debug, Clone)]
pub struct Finished {
    /// The exit code; -1 when the program was killed by a signal.
    pub status: i32,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

#[derive(Debug, Error)]
pub enum RunError {
    #[error("cannot run {program}: {source}")]
    Spawn {
        program: String,
        source: std::io::Error,
    },
    #[error("{program} did not finish within {:.1} s and was stopped", timeout.as_secs_f64())]
    Timeout { program: String, timeout: Duration },
    #[error("waiting for {program}: {source}")]
    Wait {
        program: String,
        source: std::io::Error,
    },
}

/// Runs `run.program` and waits for it, killing it at the time limit.
pub fn run(run: &Run<'_>) -> Result<Finished, RunError> {
    let mut cmd = Command::new(run.program);
    cmd.args(run.args)
        .current_dir(run.cwd)
        .env_clear()
        .env("PATH", PATH)
        .env("LANG", "C.UTF-8")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(home) = std::env::var_os("HOME") {
        cmd.env("HOME", home);
    }
    for (name, value) in run.env {
        cmd.env(name, value);
    }
    let mut child = cmd.spawn().map_err(|source| RunError::Spawn {
        program: run.program.to_string(),
        source,
    })?;
    let stdout = read_capped(child.stdout.take(), run.output_cap);
    let stderr = read_capped(child.stderr.take(), run.output_cap);
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() >= run.timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(RunError::Timeout {
                    program: run.program.to_string(),
                    timeout: run.timeout,
                });
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(source) => {
                return Err(RunError::Wait {
                    program: run.program.to_string(),
                    source,
                });
            }
        }
    };
    Ok(Finished {
        status: status.code().unwrap_or(-1),
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    })
}

/// Drains a pipe on its own thread, keeping at most `cap` bytes, so a chatty
/// program can neither block on a full pipe nor fill the host's memory.
fn read_capped<R: Read + Send + 'static>(
    pipe: Option<R>,
    cap: usize,
) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let Some(mut pipe) = pipe else { return kept };
        let mut buf = [0u8; 8192];
        while let Ok(n) = pipe.read(&mut buf) {
            if n == 0 {
                break;
            }
            let room = cap.saturating_sub(kept.len());
            kept.extend_from_slice(&buf[..n.min(room)]);
        }
        kept
    })
}
