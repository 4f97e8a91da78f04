//! The test gate (`[safety] test_command`): the bot's own tests or a smoke
//! command, run against the staged update under `test_timeout_secs` before
//! anything goes live. The install calls it; it runs one command and says
//! how it went, and never changes or undoes anything itself.
//!
//! What is staged: a new release is unpacked into its own directory before
//! the `current` link switches to it, so the gate runs there (`{staged}`,
//! also its working directory) while the bot still runs the old release.
//! Packages are installed in place (a virtualenv or `node_modules` cannot be
//! copied and still work), so for an update without a release the gate runs
//! in the bot root after the packages are installed and before the bot is
//! restarted onto them; a failure rolls them back first.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// How much of the command's output a failure keeps (its end).
const OUTPUT_KEPT: usize = 16 * 1024;

/// How a gate that ran went.
#[derive(Debug)]
pub struct GateRun {
    /// The command as run, placeholders filled in.
    pub argv: Vec<String>,
    pub elapsed: Duration,
    /// stdout and stderr as they came, the last 16 KiB.
    pub output: String,
}

#[derive(Debug, thiserror::Error)]
pub enum GateError {
    #[error("the test command {program} could not start: {source}")]
    Spawn {
        program: String,
        source: std::io::Error,
    },
    #[error("the test command failed ({status}) after {:.1} s", run.elapsed.as_secs_f64())]
    Failed { status: String, run: GateRun },
    #[error(
        "the test command did not finish within safety.test_timeout_secs = {secs} and was stopped"
    )]
    TimedOut { secs: u64, run: GateRun },
}

impl GateError {
    /// The run's output, when it got as far as running.
    pub fn run(&self) -> Option<&GateRun> {
        match self {
            GateError::Spawn { .. } => None,
            GateError::Failed { run, .. } | GateError::TimedOut { run, .. } => Some(run),
        }
    }
}

/// Runs `command` (`{staged}` and `{bot}` filled in) in `staged`, with the
/// bot's environment `env`, for at most `timeout`. The command gets its own
/// process group, and the whole group is killed when time runs out.
pub async fn run(
    command: &[String],
    staged: &Path,
    bot_root: &Path,
    env: &[(String, String)],
    timeout: Duration,
) -> Result<GateRun, GateError> {
    let staged_text = staged.display().to_string();
    let bot_text = bot_root.display().to_string();
    let argv: Vec<String> = command
        .iter()
        .map(|a| {
            a.replace("{staged}", &staged_text)
                .replace("{bot}", &bot_text)
        })
        .collect();
    let started = Instant::now();
    let (reader, writer) = std::io::pipe().map_err(|source| GateError::Spawn {
        program: argv[0].clone(),
        source,
    })?;
    let spawned = {
        let writer2 = writer.try_clone().map_err(|source| GateError::Spawn {
            program: argv[0].clone(),
            source,
        })?;
        tokio::process::Command::new(&argv[0])
            .args(&argv[1..])
            .current_dir(staged)
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k, v)))
            .env("STEWARD_STAGED", &staged_text)
            .stdin(Stdio::null())
            .stdout(Stdio::from(writer))
            .stderr(Stdio::from(writer2))
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
    };
    let mut child = spawned.map_err(|source| GateError::Spawn {
        program: argv[0].clone(),
        source,
    })?;
    // The command's output, both streams in the order written; read to the
    // end on its own task, so a chatty command never blocks on a full pipe.
    let reader = tokio::task::spawn_blocking(move || {
        use std::io::Read;
        let mut reader = reader;
        let mut all = Vec::new();
        let _ = reader.read_to_end(&mut all);
        all
    });
    let pid = child.id();
    let status = tokio::time::timeout(timeout, child.wait()).await;
    if status.is_err()
        && let Some(pid) = pid
    {
        // SAFETY: kill(2) with a negative pid signals the process group the
        // command leads (its own, from `process_group(0)`).
        unsafe {
            libc::kill(-(pid as i32), libc::SIGKILL);
        }
        let _ = child.wait().await;
    }
    // Children the command left behind may hold the pipe open: the output
    // read so far is enough.
    let output = match tokio::time::timeout(Duration::from_secs(5), reader).await {
        Ok(Ok(bytes)) => tail(&bytes),
        _ => {
            String::from("(the output could not be read: a process the test left behind holds it)")
        }
    };
    let run = GateRun {
        argv,
        elapsed: started.elapsed(),
        output,
    };
    match status {
        Err(_) => Err(GateError::TimedOut {
            secs: timeout.as_secs(),
            run,
        }),
        Ok(Err(source)) => Err(GateError::Spawn {
            program: run.argv[0].clone(),
            source,
        }),
        Ok(Ok(status)) if status.success() => Ok(run),
        Ok(Ok(status)) => Err(GateError::Failed {
            status: status.to_string(),
            run,
        }),
    }
}

fn tail(bytes: &[u8]) -> String {
    let start = bytes.len().saturating_sub(OUTPUT_KEPT);
    let text = String::from_utf8_lossy(&bytes[start..]);
    text.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Vec<String> {
        vec!["/bin/sh".into(), "-c".into(), script.into()]
    }

    #[tokio::test]
    async fn a_passing_command_runs_in_the_staged_directory_with_its_output_kept() {
        let staged = tempfile::tempdir().unwrap();
        let run = run(
            &sh("pwd; echo checked {staged} >&2"),
            staged.path(),
            Path::new("/srv/bot"),
            &[],
            Duration::from_secs(10),
        )
        .await
        .unwrap();
        let here = staged.path().canonicalize().unwrap();
        assert!(
            run.output.contains(&here.display().to_string()),
            "{}",
            run.output
        );
        assert!(run.output.contains("checked "), "{}", run.output);
    }

    #[tokio::test]
    async fn a_failing_command_fails_the_gate_with_its_exit_status_and_output() {
        let staged = tempfile::tempdir().unwrap();
        let err = run(
            &sh("echo 2 tests failed; exit 3"),
            staged.path(),
            staged.path(),
            &[],
            Duration::from_secs(10),
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("exit status: 3"), "{err}");
        assert_eq!(err.run().unwrap().output, "2 tests failed");
    }

    #[tokio::test]
    async fn a_command_past_its_time_is_stopped_with_its_children() {
        let staged = tempfile::tempdir().unwrap();
        let marker = staged.path().join("child.pid");
        let err = run(
            &sh(&format!(
                "sleep 30 & echo $! > {}; echo started; wait",
                marker.display()
            )),
            staged.path(),
            staged.path(),
            &[],
            Duration::from_secs(1),
        )
        .await
        .unwrap_err();
        assert!(matches!(err, GateError::TimedOut { secs: 1, .. }), "{err}");
        assert_eq!(err.run().unwrap().output, "started");
        let pid = std::fs::read_to_string(&marker).unwrap();
        std::thread::sleep(Duration::from_millis(200));
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", pid.trim()));
        assert!(
            stat.is_err() || stat.unwrap().contains(") Z"),
            "the child was left running"
        );
    }
}
