//! The managed bot's process: start it (detached, in its own process group,
//! output appended to `data/bot/output.log`), stop it (SIGTERM, then SIGKILL
//! after the stop timeout), or call the operator's restart command; then hold
//! it to the health probation. A bot that declares a handoff (`[bot] handoff
//! = "ready-file"`) is switched blue-green: its new version starts beside
//! the old and the old one drains only once the new one said it is ready.
//! Every switch measures its downtime. It never decides when to restart: the install
//! transaction, rollback and restore do.
//!
//! The bot outlives Steward on purpose: a Steward crash must not take the
//! community's bot down. The pid file (with the process's start time, so a
//! reused pid is never mistaken for the bot) lets the next Steward find it.
//!
//! The bot and the restart command start from a clean environment: a few
//! variables passed on from Steward's own and `[bot] env`, never Steward's
//! secrets.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::DirBuilderExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::config::{BotControlConfig, Config, Handoff, Health};

/// The variable naming the file a new version creates once it is ready to
/// take over (`[bot] handoff = "ready-file"`).
pub const READY_FILE_VAR: &str = "STEWARD_READY_FILE";

#[derive(Debug, Error)]
pub enum SupervisorError {
    #[error(
        "Steward does not run or restart this bot: set bot.start or bot.restart_command in steward.toml"
    )]
    NotConfigured,
    #[error("cannot start the bot ({program}): {source}")]
    Spawn {
        program: String,
        source: std::io::Error,
    },
    #[error("the restart command {program} failed: {message}")]
    RestartCommand { program: String, message: String },
    #[error("the bot is already running (pid {pid})")]
    AlreadyRunning { pid: u32 },
    #[error("the bot (pid {pid}) did not stop after SIGTERM and SIGKILL")]
    WouldNotStop { pid: u32 },
    /// The new version never created its ready file (or exited first); it
    /// was stopped and the old one runs on, untouched.
    #[error(
        "the new version did not take over: {} within {within_secs} s (bot.handoff = \"ready-file\"){}; the old version keeps running",
        if exited.is_some() { "it exited before it created its ready file" } else { "it did not create its ready file" },
        exited.as_deref().map(|s| format!(" ({s})")).unwrap_or_default()
    )]
    HandoffNotReady {
        ready_file: PathBuf,
        within_secs: u64,
        /// How it exited, when it did.
        exited: Option<String>,
    },
    #[error("the bot failed its health probation: {reason}{}", tail_text(.tail))]
    Unhealthy {
        reason: crate::progress::Unhealthy,
        tail: Vec<String>,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl SupervisorError {
    /// The same failure typed, so each front words it (Discord in the
    /// reader's language); its `Display` is this error's, the English the
    /// CLI prints. Programs, pids, paths and the system's own words stay
    /// as given.
    pub fn fault(&self) -> steward_core::failure::BotFault {
        use steward_core::failure::BotFault;
        match self {
            SupervisorError::NotConfigured => BotFault::NotConfigured,
            SupervisorError::Spawn { program, source } => BotFault::Spawn {
                program: program.clone(),
                error: source.to_string(),
            },
            SupervisorError::RestartCommand { program, message } => BotFault::RestartCommand {
                program: program.clone(),
                message: message.clone(),
            },
            SupervisorError::AlreadyRunning { pid } => BotFault::AlreadyRunning { pid: *pid },
            SupervisorError::WouldNotStop { pid } => BotFault::WouldNotStop { pid: *pid },
            SupervisorError::HandoffNotReady {
                ready_file,
                within_secs,
                exited,
            } => BotFault::HandoffNotReady {
                ready_file: ready_file.display().to_string(),
                within_secs: *within_secs,
                exited: exited.clone(),
            },
            SupervisorError::Unhealthy { reason, tail } => BotFault::Unhealthy {
                reason: reason.clone(),
                tail: tail.clone(),
            },
            SupervisorError::Io { path, source } => BotFault::Io {
                path: path.display().to_string(),
                error: source.to_string(),
            },
        }
    }
}

fn tail_text(tail: &[String]) -> String {
    if tail.is_empty() {
        String::new()
    } else {
        format!("; its last output:\n{}", tail.join("\n"))
    }
}

/// Where a spawned bot's exit status lands (`None` while it runs).
type ExitSlot = Arc<Mutex<Option<String>>>;

/// What the pid file records about a bot Steward started.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct PidRecord {
    pid: u32,
    /// Field 22 of /proc/<pid>/stat: tells a reused pid apart.
    start_ticks: u64,
    started_at: chrono::DateTime<chrono::Utc>,
}

/// What `status` reports.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct BotProcess {
    pub pid: u32,
    pub started_at: chrono::DateTime<chrono::Utc>,
}

/// A healthy start.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Started {
    /// The supervised process, or `None` after a restart command.
    pub process: Option<BotProcess>,
    /// The ready line as the bot printed it.
    pub ready_line: Option<String>,
    pub probation_secs: u64,
    /// When the probation first found it ready (for the downtime).
    #[serde(skip)]
    pub ready_at: Option<Instant>,
}

/// How an update switched the bot to its new version, and for how long no
/// process of it was ready to serve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Switch {
    /// A blue-green handoff; `false`: a restart.
    pub handoff: bool,
    /// From the old process being told to stop to the new one being ready
    /// (0 when the new one was ready first).
    pub downtime_ms: u64,
    /// Whether the old process exited on SIGTERM within the stop timeout
    /// (`false`: it was killed); `None` when none was running or a restart
    /// command did the switch.
    pub drained: Option<bool>,
}

#[derive(Clone)]
pub struct Supervisor {
    root: PathBuf,
    control: Option<BotControlConfig>,
    health: Health,
    dir: PathBuf,
    /// The bot's whole environment.
    env: Arc<Vec<(String, String)>>,
    /// When `output.log` is rotated (`[logging]`).
    rotation: crate::logs::Rotation,
    /// `[bot] pid_file`: where a bot run by `restart_command` has its pid.
    pid_file: Option<PathBuf>,
}

impl Supervisor {
    pub fn new(config: &Config) -> Supervisor {
        Supervisor {
            root: config.bot.root.clone(),
            control: config.bot.control.clone(),
            health: config.bot.health.clone(),
            dir: config.paths.data.join("bot"),
            env: Arc::new(bot_environment(
                std::env::vars_os(),
                &config.bot.env,
                &[&config.discord.token_env],
            )),
            rotation: crate::logs::Rotation {
                max_bytes: config.logging.log_rotation_size,
                keep: config.logging.max_log_files,
            },
            pid_file: config.bot.pid_file.clone(),
        }
    }

    /// The environment the bot (and whatever Steward runs as the bot, such
    /// as the test gate) gets.
    pub fn environment(&self) -> &[(String, String)] {
        &self.env
    }

    pub fn is_configured(&self) -> bool {
        self.control.is_some()
    }

    /// Steward starts and stops the bot itself (not a restart command).
    pub fn supervises(&self) -> bool {
        matches!(self.control, Some(BotControlConfig::Supervise { .. }))
    }

    pub fn log_path(&self) -> PathBuf {
        self.dir.join("output.log")
    }

    fn pid_path(&self) -> PathBuf {
        self.dir.join("pid")
    }

    /// Whether the bot's process can be found to watch it: Steward runs
    /// it, or `[bot] pid_file` says where its service manager keeps its pid.
    pub fn watchable(&self) -> bool {
        self.supervises()
            || (matches!(self.control, Some(BotControlConfig::Command { .. }))
                && self.pid_file.is_some())
    }

    /// The pid of the running bot: the supervised one, or the live process
    /// `[bot] pid_file` names (its first line, a number; a zombie or a pid
    /// with no process is none).
    pub fn watched_pid(&self) -> Option<u32> {
        if self.supervises() {
            return self.status().map(|p| p.pid);
        }
        let text = std::fs::read_to_string(self.pid_file.as_ref()?).ok()?;
        let pid: u32 = text.lines().next()?.trim().parse().ok()?;
        match proc_stat(pid) {
            Some((_, zombie)) if pid > 0 && !zombie => Some(pid),
            _ => None,
        }
    }

    /// The supervised bot, when it is running.
    pub fn status(&self) -> Option<BotProcess> {
        let record = self.read_pid()?;
        alive(&record).then_some(BotProcess {
            pid: record.pid,
            started_at: record.started_at,
        })
    }

    fn read_pid(&self) -> Option<PidRecord> {
        let bytes = std::fs::read(self.pid_path()).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Stops the bot if it runs, restarts it, and holds it to the probation.
    pub async fn restart(&self) -> Result<Started, SupervisorError> {
        match self.control.clone() {
            None => Err(SupervisorError::NotConfigured),
            Some(BotControlConfig::Supervise { .. }) => {
                self.stop().await?;
                self.start().await
            }
            Some(BotControlConfig::Command { restart }) => self.run_restart_command(&restart).await,
        }
    }

    async fn run_restart_command(&self, restart: &[String]) -> Result<Started, SupervisorError> {
        let (program, args) = restart.split_first().expect("validated non-empty");
        let (owned_program, owned_args, root) = (program.clone(), args.to_vec(), self.root.clone());
        let bot_env = self.env.clone();
        let finished = tokio::task::spawn_blocking(move || {
            let env: Vec<(&str, &str)> = bot_env
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_str()))
                .collect();
            crate::process::run(&crate::process::Run {
                program: &owned_program,
                args: &owned_args,
                cwd: &root,
                env: &env,
                timeout: Duration::from_secs(120),
                output_cap: 64 * 1024,
            })
        })
        .await
        .expect("restart command task")
        .map_err(|e| SupervisorError::RestartCommand {
            program: program.clone(),
            message: e.to_string(),
        })?;
        if finished.status != 0 {
            return Err(SupervisorError::RestartCommand {
                program: program.clone(),
                message: format!(
                    "exit status {}: {}",
                    finished.status,
                    String::from_utf8_lossy(&finished.stderr).trim()
                ),
            });
        }
        self.probation(None, 0).await
    }

    /// Switches the bot to what is installed now: a blue-green handoff
    /// when the bot declares one and runs, else a restart; either way held
    /// to the probation, with the downtime measured.
    pub async fn switch(&self) -> Result<(Started, Switch), SupervisorError> {
        let began = Instant::now();
        let (started, drained) = match &self.control {
            None => return Err(SupervisorError::NotConfigured),
            Some(BotControlConfig::Command { restart }) => {
                (self.run_restart_command(restart).await?, None)
            }
            Some(BotControlConfig::Supervise {
                start,
                stop_timeout_secs,
                handoff,
            }) => {
                let running = self.read_pid().filter(alive);
                if let (Some(Handoff::ReadyFile), Some(old)) = (handoff, running) {
                    return self.hand_off(start, *stop_timeout_secs, old).await;
                }
                let drained = self.stop_process(*stop_timeout_secs).await?;
                (self.start().await?, drained)
            }
        };
        let ready = started.ready_at.unwrap_or_else(Instant::now);
        Ok((
            started,
            Switch {
                handoff: false,
                downtime_ms: ready.saturating_duration_since(began).as_millis() as u64,
                drained,
            },
        ))
    }

    /// The blue-green switch: the new version starts beside `old` with
    /// `STEWARD_READY_FILE` naming a file in a fresh private directory;
    /// once that file exists, `old` gets SIGTERM to drain (SIGKILL after
    /// the stop timeout) and the new one becomes the supervised bot. A new
    /// version that exits or is not ready within `ready_timeout_secs` is
    /// killed, and `old` never notices.
    async fn hand_off(
        &self,
        start: &[String],
        stop_timeout_secs: u64,
        old: PidRecord,
    ) -> Result<(Started, Switch), SupervisorError> {
        std::fs::create_dir_all(&self.dir).map_err(io(&self.dir))?;
        let nonce = chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0);
        let dir = self.dir.join(format!("handoff-{nonce:x}"));
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&dir)
            .map_err(io(&dir))?;
        let ready_file = dir.join("ready");
        let env = [(READY_FILE_VAR.to_string(), ready_file.display().to_string())];
        let spawned = self.spawn(start, &env);
        let (record, exit, offset) = match spawned {
            Ok(spawned) => spawned,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&dir);
                return Err(e);
            }
        };
        let timeout = Duration::from_secs(self.health.ready_timeout_secs);
        let began = Instant::now();
        let failed = loop {
            if ready_file.exists() {
                break None;
            }
            let exited = exit.lock().expect("exit slot").clone();
            if exited.is_some() || !alive(&record) {
                break Some(exited.or_else(|| Some("gone".to_string())));
            }
            if began.elapsed() >= timeout {
                break Some(None);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let ready_at = Instant::now();
        let _ = std::fs::remove_dir_all(&dir);
        if let Some(exited) = failed {
            signal_group(record.pid, libc::SIGKILL);
            let deadline = Instant::now() + Duration::from_secs(5);
            while alive(&record) && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            return Err(SupervisorError::HandoffNotReady {
                ready_file,
                within_secs: timeout.as_secs(),
                exited,
            });
        }
        // The new version serves: the old one drains.
        let told_to_stop = Instant::now();
        let drained = self
            .stop_record(&old, Duration::from_secs(stop_timeout_secs))
            .await?;
        self.write_pid(&record)?;
        tracing::info!(
            old = old.pid,
            new = record.pid,
            drained,
            "blue-green handoff: the new version is ready, the old one stopped"
        );
        let started = self.probation(Some((record, exit)), offset).await?;
        Ok((
            started,
            Switch {
                handoff: true,
                downtime_ms: ready_at.saturating_duration_since(told_to_stop).as_millis() as u64,
                drained: Some(drained),
            },
        ))
    }

    /// Starts the supervised bot and holds it to the probation.
    pub async fn start(&self) -> Result<Started, SupervisorError> {
        let start = match &self.control {
            None => return Err(SupervisorError::NotConfigured),
            Some(BotControlConfig::Command { restart }) => {
                return self.run_restart_command(restart).await;
            }
            Some(BotControlConfig::Supervise { start, .. }) => start,
        };
        if let Some(running) = self.status() {
            return Err(SupervisorError::AlreadyRunning { pid: running.pid });
        }
        let (record, exit, offset) = self.spawn(start, &[])?;
        self.write_pid(&record)?;
        // A failed probation leaves the pid file: under `serve`, a bot that
        // should run but died is started again (bounded), as after a crash.
        self.probation(Some((record, exit)), offset).await
    }

    fn write_pid(&self, record: &PidRecord) -> Result<(), SupervisorError> {
        crate::backup::write_atomically(
            &self.pid_path(),
            &serde_json::to_vec(record).expect("plain record"),
        )
        .map_err(io(&self.pid_path()))
    }

    /// Spawns the bot (`start`, with `extra_env` on top of its own), its
    /// output going to the log; answers its record, the slot its exit
    /// status lands in, and where its output starts in the log.
    fn spawn(
        &self,
        start: &[String],
        extra_env: &[(String, String)],
    ) -> Result<(PidRecord, ExitSlot, u64), SupervisorError> {
        std::fs::create_dir_all(&self.dir).map_err(io(&self.dir))?;
        let log_path = self.log_path();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .map_err(io(&log_path))?;
        let offset = log.metadata().map_err(io(&log_path))?.len();
        let root = self.root.display().to_string();
        let argv: Vec<String> = start.iter().map(|a| a.replace("{bot}", &root)).collect();
        let direct = |log: &std::fs::File| -> Result<(Stdio, Stdio), SupervisorError> {
            let clone = || log.try_clone().map_err(io(&log_path));
            Ok((clone()?.into(), clone()?.into()))
        };
        let mut child = match crate::logs::output_pump() {
            None => self.spawn_bot(&argv, extra_env, direct(&log)?)?,
            Some(program) => {
                // The bot first, so the pump is told which bot it serves.
                let (reader, writer) = std::io::pipe().map_err(io(&log_path))?;
                let second = writer.try_clone().map_err(io(&log_path))?;
                let mut child = self.spawn_bot(&argv, extra_env, (writer.into(), second.into()))?;
                // Only the bot holds the pipe's write end now.
                if let Err(e) = self.start_pump(program, reader, &log_path, child.id()) {
                    // A replaced steward binary, say: the bot, started a
                    // moment ago and with no reader, starts again writing
                    // to the log itself.
                    tracing::warn!(
                        "cannot start the output pump {} ({e}); the bot writes {} directly, unrotated",
                        program.display(),
                        log_path.display()
                    );
                    signal_group(child.id(), libc::SIGKILL);
                    let _ = child.wait();
                    child = self.spawn_bot(&argv, extra_env, direct(&log)?)?;
                }
                child
            }
        };
        drop(log);
        let pid = child.id();
        let record = PidRecord {
            pid,
            start_ticks: start_ticks(pid).unwrap_or(0),
            started_at: chrono::Utc::now(),
        };
        // Reap the child when it exits, so it is never left a zombie and the
        // probation learns of an exit at once.
        let exit: Arc<Mutex<Option<String>>> = Arc::default();
        let seen = exit.clone();
        std::thread::spawn(move || {
            let status = child.wait();
            *seen.lock().expect("exit slot") = Some(match status {
                Ok(s) => s.to_string(),
                Err(e) => format!("unknown ({e})"),
            });
        });
        Ok((record, exit, offset))
    }

    /// Starts the bot's process `argv`, its stdout and stderr `output`.
    fn spawn_bot(
        &self,
        argv: &[String],
        extra_env: &[(String, String)],
        (stdout, stderr): (Stdio, Stdio),
    ) -> Result<std::process::Child, SupervisorError> {
        let mut command = Command::new(&argv[0]);
        command
            .args(&argv[1..])
            .current_dir(&self.root)
            .env_clear()
            .envs(self.env.iter().map(|(name, value)| (name, value)))
            .envs(extra_env.iter().map(|(name, value)| (name, value)))
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            // Its own group: a stop reaches its children too, and a signal
            // meant for Steward (Ctrl-C) does not reach the bot.
            .process_group(0);
        only_standard_descriptors(&mut command);
        // The command, and the output it holds, is dropped on return: only
        // the bot keeps its output open.
        command.spawn().map_err(|source| SupervisorError::Spawn {
            program: argv[0].clone(),
            source,
        })
    }

    /// Starts the output pump (see `logs`) reading the bot's output from
    /// `input` into `log_path`, rotated: it ends when the bot and its
    /// group are gone, however long another process holds the pipe.
    fn start_pump(
        &self,
        program: &Path,
        input: std::io::PipeReader,
        log_path: &Path,
        bot: u32,
    ) -> std::io::Result<()> {
        let mut pump = Command::new(program);
        only_standard_descriptors(&mut pump);
        let mut pump = pump
            .arg(crate::logs::PUMP_ARG)
            .arg(log_path)
            .arg(self.rotation.max_bytes.to_string())
            .arg(self.rotation.keep.to_string())
            .arg(bot.to_string())
            .env_clear()
            .stdin(input)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own group: stopping the bot's group leaves it to drain
            // the pipe.
            .process_group(0)
            .spawn()?;
        std::thread::spawn(move || pump.wait());
        Ok(())
    }

    /// Stops the supervised bot: SIGTERM to its group, SIGKILL after the
    /// stop timeout. Not running is fine.
    pub async fn stop(&self) -> Result<(), SupervisorError> {
        let timeout = match &self.control {
            Some(BotControlConfig::Supervise {
                stop_timeout_secs, ..
            }) => *stop_timeout_secs,
            _ => return Err(SupervisorError::NotConfigured),
        };
        self.stop_process(timeout).await.map(|_| ())
    }

    /// `stop`, answering whether a running bot exited on SIGTERM (`None`:
    /// none was running).
    async fn stop_process(&self, timeout_secs: u64) -> Result<Option<bool>, SupervisorError> {
        let Some(record) = self.read_pid() else {
            return Ok(None);
        };
        let drained = if alive(&record) {
            Some(
                self.stop_record(&record, Duration::from_secs(timeout_secs))
                    .await?,
            )
        } else {
            None
        };
        match std::fs::remove_file(self.pid_path()) {
            Ok(()) => Ok(drained),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(drained),
            Err(e) => Err(io(&self.pid_path())(e)),
        }
    }

    /// SIGTERM to `record`'s group, SIGKILL after `timeout`; answers
    /// whether it exited on SIGTERM.
    async fn stop_record(
        &self,
        record: &PidRecord,
        timeout: Duration,
    ) -> Result<bool, SupervisorError> {
        if !alive(record) {
            return Ok(true);
        }
        signal_group(record.pid, libc::SIGTERM);
        let deadline = Instant::now() + timeout;
        while alive(record) && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        if !alive(record) {
            return Ok(true);
        }
        tracing::warn!(pid = record.pid, "the bot ignored SIGTERM; sending SIGKILL");
        signal_group(record.pid, libc::SIGKILL);
        let deadline = Instant::now() + Duration::from_secs(5);
        while alive(record) && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        if alive(record) {
            return Err(SupervisorError::WouldNotStop { pid: record.pid });
        }
        Ok(false)
    }

    /// Waits until the bot is ready (ready line printed, health URL
    /// answering, as configured) and has stayed up for the probation.
    async fn probation(
        &self,
        process: Option<(PidRecord, Arc<Mutex<Option<String>>>)>,
        log_offset: u64,
    ) -> Result<Started, SupervisorError> {
        let started = Instant::now();
        let probation = Duration::from_secs(self.health.probation_secs);
        let ready_timeout = Duration::from_secs(self.health.ready_timeout_secs);
        let watch_line = self.health.ready_line.clone().filter(|_| process.is_some());
        let mut ready_line: Option<String> = None;
        let mut ready_at: Option<Instant> = None;
        let mut url_ok = self.health.health_url.is_none();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .ok();
        loop {
            if let Some((record, exit)) = &process {
                let exited = exit.lock().expect("exit slot").clone();
                if exited.is_some() || !alive(record) {
                    return Err(self.unhealthy(
                        crate::progress::Unhealthy::Exited {
                            status: exited,
                            after_ms: started.elapsed().as_millis() as u64,
                        },
                        log_offset,
                    ));
                }
            }
            if let Some(wanted) = &watch_line
                && ready_line.is_none()
            {
                ready_line = self
                    .output_since(log_offset)
                    .into_iter()
                    .find(|line| line.contains(wanted.as_str()));
            }
            if !url_ok && let (Some(url), Some(http)) = (&self.health.health_url, &http) {
                url_ok = matches!(http.get(url).send().await, Ok(r) if r.status().is_success());
            }
            let ready = url_ok && (watch_line.is_none() || ready_line.is_some());
            if ready && ready_at.is_none() {
                ready_at = Some(Instant::now());
            }
            if ready && started.elapsed() >= probation {
                return Ok(Started {
                    process: process.map(|(r, _)| BotProcess {
                        pid: r.pid,
                        started_at: r.started_at,
                    }),
                    ready_line,
                    probation_secs: self.health.probation_secs,
                    ready_at,
                });
            }
            if !ready && started.elapsed() >= ready_timeout {
                let line = watch_line.clone().filter(|_| ready_line.is_none());
                let url = (!url_ok).then(|| self.health.health_url.clone().unwrap_or_default());
                if let Some((record, _)) = &process {
                    // It is not going to be healthy: stop it here, so the
                    // rollback starts from a stopped bot.
                    signal_group(record.pid, libc::SIGKILL);
                }
                return Err(self.unhealthy(
                    crate::progress::Unhealthy::NotReady {
                        line,
                        url,
                        within_secs: ready_timeout.as_secs(),
                    },
                    log_offset,
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn unhealthy(&self, reason: crate::progress::Unhealthy, log_offset: u64) -> SupervisorError {
        let lines = self.output_since(log_offset);
        let tail = lines[lines.len().saturating_sub(10)..].to_vec();
        SupervisorError::Unhealthy { reason, tail }
    }

    /// The bot's output lines written after `offset`. When `output.log`
    /// has been rotated since (it is shorter than `offset`), the rest of
    /// `output.log.1` comes first.
    fn output_since(&self, offset: u64) -> Vec<String> {
        let path = self.log_path();
        let current = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let mut text = String::new();
        if current < offset {
            read_from(&crate::logs::rotated(&path, 1), offset, &mut text);
            read_from(&path, 0, &mut text);
        } else {
            read_from(&path, offset, &mut text);
        }
        text.lines().map(str::to_string).collect()
    }
}

impl Supervisor {
    /// While `steward serve` runs: starts the bot if Steward runs it and it
    /// is not running, and starts it again when it dies on its own (never
    /// during an update, whose probation decides). A bot stopped with
    /// `steward bot stop` has no pid file and stays stopped. Gives up after
    /// five restarts within ten minutes, so a bot that cannot start is not
    /// restarted in a loop.
    pub async fn watch(self, data: PathBuf) {
        if !self.supervises() {
            return;
        }
        if self.status().is_none() && !crate::install::lock::is_held(&data) {
            match self.start().await {
                Ok(started) => {
                    tracing::info!(pid = ?started.process.map(|p| p.pid), "started the bot")
                }
                Err(e) => tracing::error!("the bot did not start: {e}"),
            }
        }
        let mut restarts: Vec<Instant> = Vec::new();
        loop {
            tokio::time::sleep(Duration::from_secs(5)).await;
            let expected = self.pid_path().exists();
            if !expected || self.status().is_some() || crate::install::lock::is_held(&data) {
                continue;
            }
            restarts.retain(|t| t.elapsed() < Duration::from_secs(600));
            if restarts.len() >= 5 {
                tracing::error!(
                    "the bot died again after 5 restarts in 10 minutes; not restarting it (see {})",
                    self.log_path().display()
                );
                let _ = std::fs::remove_file(self.pid_path());
                continue;
            }
            restarts.push(Instant::now());
            tracing::warn!("the bot stopped on its own; starting it again");
            if let Err(e) = self.start().await {
                tracing::error!("the bot did not start again: {e}");
            }
        }
    }
}

/// Lets a backup restore stop the bot before files change and start it after.
pub struct RestoreControl {
    supervisor: Supervisor,
    handle: tokio::runtime::Handle,
    /// Start the bot afterwards even if it was not running before (a
    /// rollback wants the old version up; a plain restore leaves a bot the
    /// operator stopped stopped).
    start_always: bool,
    was_running: std::sync::atomic::AtomicBool,
}

impl RestoreControl {
    pub fn new(supervisor: Supervisor, start_always: bool) -> RestoreControl {
        RestoreControl {
            supervisor,
            handle: tokio::runtime::Handle::current(),
            start_always,
            was_running: std::sync::atomic::AtomicBool::new(false),
        }
    }
}

/// The supervisor's failures are handed on typed (`BotFault`, whose
/// `Display` is the same English), so the restore's error and its record
/// carry them to each front.
impl crate::backup::BotControl for RestoreControl {
    fn stop(&self) -> Result<(), crate::backup::BotControlError> {
        let running = self.supervisor.status().is_some();
        self.was_running
            .store(running, std::sync::atomic::Ordering::SeqCst);
        self.handle
            .block_on(self.supervisor.stop())
            .map_err(|e| Box::new(e.fault()) as crate::backup::BotControlError)
    }

    fn start(&self) -> Result<(), crate::backup::BotControlError> {
        if !self.start_always && !self.was_running.load(std::sync::atomic::Ordering::SeqCst) {
            return Ok(());
        }
        self.handle
            .block_on(self.supervisor.start())
            .map(|_| ())
            .map_err(|e| Box::new(e.fault()) as crate::backup::BotControlError)
    }
}

/// Variables of Steward's environment the bot is given (and any `LC_*`):
/// what a program started from a login shell relies on. PATH finds its
/// interpreter (python3, node); HOME holds per-user caches and settings
/// (pip, npm); USER and LOGNAME say who it runs as; LANG and LC_* set the
/// text encoding it reads and writes; TZ keeps its log times in the host's
/// zone; TMPDIR says where temporary files go. Not TERM: its output goes to
/// a log file. Everything else Steward was started with (its Discord token,
/// proxy credentials, what a service manager set) stays with Steward;
/// `[bot] env` gives the bot what else it needs.
const INHERITED: &[&str] = &["PATH", "HOME", "USER", "LOGNAME", "LANG", "TZ", "TMPDIR"];

/// The bot's environment: the [`INHERITED`] variables of `steward` except
/// `secrets` (Steward's own, such as the variable `discord.token_env` names,
/// left out even when the list would pass them on), then `configured`
/// (`[bot] env`, as written; it wins). A variable whose name or value is not
/// UTF-8 is left out: the restart command takes text.
fn bot_environment(
    steward: impl IntoIterator<Item = (OsString, OsString)>,
    configured: &BTreeMap<String, String>,
    secrets: &[&str],
) -> Vec<(String, String)> {
    let mut env: BTreeMap<String, String> = steward
        .into_iter()
        .filter_map(|(name, value)| Some((name.into_string().ok()?, value.into_string().ok()?)))
        .filter(|(name, _)| INHERITED.contains(&name.as_str()) || name.starts_with("LC_"))
        .filter(|(name, _)| !secrets.contains(&name.as_str()))
        .collect();
    env.extend(configured.clone());
    env.into_iter().collect()
}

/// Appends what `path` holds after `offset`, at most 4 MiB (a bot that
/// floods its output is read in bounded chunks).
fn read_from(path: &Path, offset: u64, text: &mut String) {
    let Ok(mut file) = std::fs::File::open(path) else {
        return;
    };
    if file.seek(SeekFrom::Start(offset)).is_ok() {
        let _ = file.take(4 * 1024 * 1024).read_to_string(text);
    }
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> SupervisorError + '_ {
    move |source| SupervisorError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Field 22 (starttime) of /proc/<pid>/stat, and whether it is a zombie.
fn proc_stat(pid: u32) -> Option<(u64, bool)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces and parentheses: fields
    // are counted after its closing parenthesis.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let zombie = fields.first() == Some(&"Z");
    let ticks = fields.get(19)?.parse().ok()?;
    Some((ticks, zombie))
}

fn start_ticks(pid: u32) -> Option<u64> {
    proc_stat(pid).map(|(ticks, _)| ticks)
}

fn alive(record: &PidRecord) -> bool {
    match proc_stat(record.pid) {
        Some((ticks, zombie)) => {
            !zombie && (record.start_ticks == 0 || ticks == record.start_ticks)
        }
        None => false,
    }
}

fn signal_group(pid: u32, signal: i32) {
    // SAFETY: kill(2) with a negative pid signals the process group the bot
    // leads (it was started with process_group(0)); no memory is involved.
    unsafe {
        libc::kill(-(pid as i32), signal);
    }
}

/// The child gets stdin, stdout and stderr and nothing else: descriptors
/// Steward itself inherited without close-on-exec (from a shell, a service
/// manager, a terminal multiplexer) are marked close-on-exec in the child
/// before its exec, so neither the bot nor the pump holds them. Marked, not
/// closed: std's own pipe reporting a failed exec is among them.
fn only_standard_descriptors(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: only async-signal-safe calls (close_range, fcntl) between
    // fork and exec, no allocation.
    unsafe {
        command.pre_exec(|| {
            let marked = libc::syscall(
                libc::SYS_close_range,
                3 as libc::c_uint,
                libc::c_uint::MAX,
                libc::CLOSE_RANGE_CLOEXEC,
            );
            if marked != 0 {
                // A kernel before 5.11: one descriptor at a time.
                let mut limit = std::mem::zeroed::<libc::rlimit>();
                let top = if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 {
                    limit.rlim_cur.min(65_536) as libc::c_int
                } else {
                    1024
                };
                for fd in 3..top {
                    let flags = libc::fcntl(fd, libc::F_GETFD);
                    if flags >= 0 && flags & libc::FD_CLOEXEC == 0 {
                        libc::fcntl(fd, libc::F_SETFD, flags | libc::FD_CLOEXEC);
                    }
                }
            }
            Ok(())
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every supervisor error reads as the CLI always printed it, and its
    /// typed fault (what Discord words per locale) reads the same.
    #[test]
    fn each_supervisor_error_reads_as_before_and_its_fault_the_same() {
        let errors = [
            (
                SupervisorError::NotConfigured,
                "Steward does not run or restart this bot: set bot.start or bot.restart_command in steward.toml",
            ),
            (
                SupervisorError::Spawn {
                    program: "/srv/bot/run.sh".into(),
                    source: std::io::Error::from_raw_os_error(2),
                },
                "cannot start the bot (/srv/bot/run.sh): No such file or directory (os error 2)",
            ),
            (
                SupervisorError::RestartCommand {
                    program: "/bin/systemctl".into(),
                    message: "exit status: 5".into(),
                },
                "the restart command /bin/systemctl failed: exit status: 5",
            ),
            (
                SupervisorError::AlreadyRunning { pid: 4242 },
                "the bot is already running (pid 4242)",
            ),
            (
                SupervisorError::WouldNotStop { pid: 4242 },
                "the bot (pid 4242) did not stop after SIGTERM and SIGKILL",
            ),
            (
                SupervisorError::HandoffNotReady {
                    ready_file: "/srv/bot/ready".into(),
                    within_secs: 30,
                    exited: Some("exit status: 1".into()),
                },
                "the new version did not take over: it exited before it created its ready file \
                 within 30 s (bot.handoff = \"ready-file\") (exit status: 1); the old version keeps running",
            ),
            (
                SupervisorError::HandoffNotReady {
                    ready_file: "/srv/bot/ready".into(),
                    within_secs: 30,
                    exited: None,
                },
                "the new version did not take over: it did not create its ready file within 30 s \
                 (bot.handoff = \"ready-file\"); the old version keeps running",
            ),
            (
                SupervisorError::Unhealthy {
                    reason: crate::progress::Unhealthy::Exited {
                        status: Some("exit status: 1".into()),
                        after_ms: 300,
                    },
                    tail: vec!["Traceback".into(), "KeyError: token".into()],
                },
                "the bot failed its health probation: it exited (exit status: 1) after 0.3 s; \
                 its last output:\nTraceback\nKeyError: token",
            ),
            (
                SupervisorError::Unhealthy {
                    reason: crate::progress::Unhealthy::Exited {
                        status: None,
                        after_ms: 1200,
                    },
                    tail: Vec::new(),
                },
                "the bot failed its health probation: it exited (gone) after 1.2 s",
            ),
            (
                SupervisorError::Io {
                    path: "/srv/steward/data/bot.pid".into(),
                    source: std::io::Error::from_raw_os_error(13),
                },
                "/srv/steward/data/bot.pid: Permission denied (os error 13)",
            ),
        ];
        for (e, said) in &errors {
            assert_eq!(e.to_string(), *said);
            assert_eq!(e.fault().to_string(), *said);
        }
    }

    fn steward_env(vars: &[(&str, &str)]) -> Vec<(OsString, OsString)> {
        vars.iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect()
    }

    #[test]
    fn the_bot_gets_the_allow_list_and_its_env_table_but_not_stewards_token() {
        let steward = steward_env(&[
            ("PATH", "/usr/bin:/bin"),
            ("HOME", "/home/steward"),
            ("LC_ALL", "C.UTF-8"),
            ("DISCORD_TOKEN", "secret"),
            ("AWS_SECRET_ACCESS_KEY", "also secret"),
            ("HTTPS_PROXY", "http://user:pass@proxy"),
        ]);
        let configured = BTreeMap::from([
            ("GREETING".to_string(), "hi".to_string()),
            ("PATH".to_string(), "/opt/bot/bin".to_string()),
        ]);
        let env = bot_environment(steward, &configured, &["DISCORD_TOKEN"]);
        let names: Vec<&str> = env.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["GREETING", "HOME", "LC_ALL", "PATH"]);
        assert!(env.contains(&("PATH".to_string(), "/opt/bot/bin".to_string())));
    }

    #[test]
    fn a_token_variable_the_allow_list_would_pass_is_still_withheld() {
        let steward = steward_env(&[("LC_STEWARD_TOKEN", "secret"), ("LANG", "C.UTF-8")]);
        let env = bot_environment(steward, &BTreeMap::new(), &["LC_STEWARD_TOKEN"]);
        assert_eq!(env, [("LANG".to_string(), "C.UTF-8".to_string())]);
    }
}
