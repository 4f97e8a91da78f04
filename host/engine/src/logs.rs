//! Logs Steward keeps: one file per update session (install or rollback)
//! under `[logging] update_logs_path`, named by the session id, with what
//! was planned, every step and its command output, and the result; the
//! bot's `output.log`, rotated by size and count; and the file Steward's
//! own log goes to (`[logging] file`), rotated the same way.
//!
//! A session log is a record for people: failing to write it is logged and
//! never fails an update. The bot's output goes through a pipe to a small
//! pump process (`steward __output-pump`) that owns `output.log`: only the
//! writer can rotate without losing a line (a copy-then-truncate by another
//! process drops what the bot writes in between), and being its own process
//! it outlives Steward just as the bot does.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use thiserror::Error;

use crate::apply::StepOutcome;
use crate::config::Config;
use crate::provider::{Action, Step};

#[derive(Debug, Error)]
pub enum LogsError {
    #[error(
        "there is no session log \"{id}\" in {}; `steward logs` lists the sessions that have one",
        dir.display()
    )]
    Unknown { id: String, dir: PathBuf },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The log of one update session. Every line is appended at once (the file
/// is opened for each), so a crash leaves every line written before it.
#[derive(Debug, Clone)]
pub struct SessionLog {
    path: PathBuf,
}

impl SessionLog {
    /// The log of session `id`, under the configured directory.
    pub fn of(config: &Config, id: &str) -> SessionLog {
        SessionLog {
            path: config.logging.update_logs_path.join(format!("{id}.log")),
        }
    }

    pub fn exists(&self) -> bool {
        self.path.exists()
    }

    /// Appends `text`, stamped with the time; its further lines indented.
    pub fn line(&self, text: impl AsRef<str>) {
        let stamp = Utc::now().format("%H:%M:%S%.3f");
        let mut entry = String::new();
        for (n, line) in text.as_ref().lines().enumerate() {
            if n == 0 {
                entry.push_str(&format!("{stamp} {line}\n"));
            } else {
                entry.push_str(&format!("             {line}\n"));
            }
        }
        if entry.is_empty() {
            return;
        }
        if let Err(e) = self.append(entry.as_bytes()) {
            tracing::warn!("cannot write the session log {}: {e}", self.path.display());
        }
    }

    fn append(&self, bytes: &[u8]) -> std::io::Result<()> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        OpenOptions::new()
            .create(true)
            .append(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&self.path)?
            .write_all(bytes)
    }
}

impl SessionLog {
    /// What the session is, who started it, and what it is to update.
    pub fn header(&self, session: &crate::session::Session) {
        self.line(format!(
            "{:?} session {} ({:?}), started by {} at {}",
            session.kind,
            session.id,
            session.update_type,
            session.initiated_by,
            session.started_at.to_rfc3339()
        ));
        for update in &session.updates {
            self.line(format!("planned update: {update}"));
        }
    }

    /// A step about to run: its description and what it does.
    pub fn step(&self, provider: &str, n: usize, of: usize, step: &Step) {
        let what = match &step.action {
            Action::Exec(c) => format!("$ {} {}", c.program, c.args.join(" ")),
            Action::Download(d) => format!("download {} -> {}", d.url, d.unpack_to),
            Action::WriteFile(w) => format!("write {} ({} bytes)", w.path, w.contents.len()),
            Action::SwitchRelease(s) => format!("switch {} -> {}", s.link, s.target),
            Action::Remove(r) => format!("remove {}", r.path),
        };
        self.line(format!(
            "{provider}: step {n}/{of}: {}\n{what}",
            step.description
        ));
    }

    /// What a step did, or why it failed (with the command's output).
    pub fn step_result(&self, result: &Result<StepOutcome, crate::apply::ApplyError>) {
        self.line(match result {
            Ok(StepOutcome::Ran {
                program,
                output_tail,
            }) => format!("  ok: {program} ran; its output:\n{output_tail}"),
            Ok(StepOutcome::Downloaded {
                unpacked_to,
                bytes,
                sha256,
                files,
                ..
            }) => format!(
                "  ok: {bytes} bytes (sha256 {sha256}), {files} files unpacked to {}",
                unpacked_to.display()
            ),
            Ok(StepOutcome::Wrote { path, bytes, .. }) => {
                format!("  ok: wrote {bytes} bytes to {}", path.display())
            }
            Ok(StepOutcome::Switched { link, target, .. }) => {
                format!("  ok: {} now points to {target}", link.display())
            }
            Ok(StepOutcome::Removed { path, existed }) => match existed {
                true => format!("  ok: removed {}", path.display()),
                false => format!("  ok: {} was already gone", path.display()),
            },
            Err(e) => format!("  failed: {e}"),
        });
    }
}

/// Removes the oldest session logs beyond `[logging] max_session_logs`.
/// Session logs are counted apart from the bot's rotated output: one is
/// small, made once per update, and worth keeping longer.
pub fn prune_session_logs(config: &Config) {
    let dir = &config.logging.update_logs_path;
    for old in list(dir).into_iter().skip(config.logging.max_session_logs) {
        let path = dir.join(format!("{}.log", old.id));
        if let Err(e) = std::fs::remove_file(&path) {
            tracing::warn!("cannot remove the old session log {}: {e}", path.display());
        }
    }
}

/// One session log, as `steward logs` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct SessionLogEntry {
    pub id: String,
    pub started_at: Option<DateTime<Utc>>,
    pub bytes: u64,
}

/// The session logs in `dir`, newest first (ids sort by their start time).
pub fn list(dir: &Path) -> Vec<SessionLogEntry> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut logs: Vec<SessionLogEntry> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let id = name.strip_suffix(".log")?.to_string();
            is_session_id(&id).then(|| SessionLogEntry {
                started_at: started_at(&id),
                bytes: e.metadata().map(|m| m.len()).unwrap_or(0),
                id,
            })
        })
        .collect();
    logs.sort_by(|a, b| b.id.cmp(&a.id));
    logs
}

/// The text of session `id`'s log in `dir`.
pub fn read(dir: &Path, id: &str) -> Result<String, LogsError> {
    let unknown = || LogsError::Unknown {
        id: id.to_string(),
        dir: dir.to_path_buf(),
    };
    // The id names a file: only a session id's own characters reach a path.
    if !is_session_id(id) {
        return Err(unknown());
    }
    let path = dir.join(format!("{id}.log"));
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&path);
    let mut file = match file {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(unknown()),
        Err(source) => return Err(LogsError::Io { path, source }),
    };
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)
        .map_err(|source| LogsError::Io { path, source })?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// `u-20260101T030000.000Z`, as `session::new_id` makes them.
fn is_session_id(id: &str) -> bool {
    id.strip_prefix("u-").is_some_and(|rest| {
        !rest.is_empty()
            && !rest.contains("..")
            && rest
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    })
}

fn started_at(id: &str) -> Option<DateTime<Utc>> {
    let stamp = id.strip_prefix("u-")?.strip_suffix('Z')?;
    NaiveDateTime::parse_from_str(stamp, "%Y%m%dT%H%M%S%.3f")
        .ok()
        .map(|t| t.and_utc())
}

/// The argument that makes the `steward` binary run [`pump`] instead of a
/// command; not a subcommand anyone types.
pub const PUMP_ARG: &str = "__output-pump";

static PUMP_PROGRAM: OnceLock<PathBuf> = OnceLock::new();

/// Names the program that runs the output pump (the `steward` binary
/// itself, with [`PUMP_ARG`]). Without it, as in a library's tests, the bot
/// writes to `output.log` directly and it is not rotated.
pub fn use_output_pump(program: PathBuf) {
    let _ = PUMP_PROGRAM.set(program);
}

pub(crate) fn output_pump() -> Option<&'static Path> {
    PUMP_PROGRAM.get().map(PathBuf::as_path)
}

/// When `output.log` is rotated, and how many rotated files are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rotation {
    pub max_bytes: u64,
    pub keep: usize,
}

/// Copies `input` (the bot's stdout and stderr) into `path` until every
/// writer has closed it. Before a line would take the file past
/// `max_bytes`, the file becomes `path.1` (`.1` becomes `.2`, and so on,
/// `keep` of them) and a new one is started; a single line longer than
/// `max_bytes` is kept whole.
pub fn pump(mut input: impl Read, path: &Path, rotation: Rotation) -> std::io::Result<()> {
    let mut file = open_append(path)?;
    let mut size = file.metadata()?.len();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let mut chunk = &buf[..n];
        while !chunk.is_empty() {
            let room = rotation.max_bytes.saturating_sub(size) as usize;
            let take = if chunk.len() <= room {
                chunk.len()
            } else if let Some(i) = chunk[..room].iter().rposition(|b| *b == b'\n') {
                i + 1
            } else if size > 0 {
                // The next line does not fit: it starts the next file.
                file = rotate(path, rotation.keep)?;
                size = 0;
                continue;
            } else {
                chunk
                    .iter()
                    .position(|b| *b == b'\n')
                    .map_or(chunk.len(), |i| i + 1)
            };
            file.write_all(&chunk[..take])?;
            size += take as u64;
            chunk = &chunk[take..];
        }
    }
}

/// The bot's output as the pump reads it: the read end of the bot's pipe,
/// which ends when every writer has closed it, and also once the bot has
/// exited, no process of its group is left, and what they wrote has been
/// read. So a process outside the bot's group that still holds the pipe (a
/// daemon the bot started with `setsid`, or any process the write end
/// leaked into) cannot keep the pump running after the bot is gone; while
/// the bot runs, the pump outlives Steward, as the bot does.
pub struct BotOutput {
    input: File,
    bot: Option<WatchedBot>,
}

struct WatchedBot {
    /// The bot's process group: it was started as the leader of its own.
    pgid: libc::pid_t,
    /// Readable once the bot has exited (pidfd_open(2)); `None` once it has.
    pidfd: Option<std::os::fd::OwnedFd>,
}

/// How often the pump looks again whether the bot's group is empty, once
/// the bot has exited but others of its group still run.
const GROUP_LOOK_MS: libc::c_int = 1000;

impl BotOutput {
    /// `input`, watching the bot `bot_pid` (the leader of its own process
    /// group); with `None`, or where pidfd_open(2) is missing (Linux before
    /// 5.3), only the end of the pipe ends it.
    pub fn new(input: impl Into<std::os::fd::OwnedFd>, bot_pid: Option<u32>) -> BotOutput {
        let bot = bot_pid.and_then(|pid| {
            let pid = libc::pid_t::try_from(pid).ok().filter(|p| *p > 0)?;
            // SAFETY: pidfd_open takes a pid and flags and returns a new
            // descriptor, owned here, or -1.
            let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
            let pidfd = if fd >= 0 {
                // SAFETY: a descriptor just returned to us, owned by no one else.
                Some(unsafe {
                    <std::os::fd::OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(fd as i32)
                })
            } else if std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH) {
                // Gone already: only its group and the pipe are left to read.
                None
            } else {
                return None;
            };
            Some(WatchedBot { pgid: pid, pidfd })
        });
        BotOutput {
            input: File::from(input.into()),
            bot,
        }
    }
}

impl WatchedBot {
    /// Whether a live process of the bot's group is left (a zombie, not
    /// yet reaped by whoever inherited it, writes nothing).
    fn group_remains(&self) -> bool {
        // SAFETY: kill(2) with signal 0 only asks whether the group exists.
        let sent = unsafe { libc::kill(-self.pgid, 0) };
        if sent != 0 && std::io::Error::last_os_error().raw_os_error() != Some(libc::EPERM) {
            return false;
        }
        let Ok(processes) = std::fs::read_dir("/proc") else {
            return true;
        };
        processes.filter_map(|e| e.ok()).any(|e| {
            std::fs::read_to_string(e.path().join("stat")).is_ok_and(|stat| {
                // After the command's closing parenthesis: state, ppid, pgrp.
                let mut fields = stat
                    .rsplit_once(')')
                    .map_or("", |(_, r)| r)
                    .split_whitespace();
                let state = fields.next();
                let pgrp = fields.nth(1).and_then(|p| p.parse::<libc::pid_t>().ok());
                pgrp == Some(self.pgid) && state != Some("Z")
            })
        })
    }
}

impl Read for BotOutput {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use std::os::fd::AsRawFd;
        loop {
            let Some(bot) = &mut self.bot else {
                return self.input.read(buf);
            };
            // Whether the group was gone before this poll: then nothing of
            // it writes any more, and what it wrote is in the pipe now.
            // (Looking after the poll instead would lose a last line
            // written, and its writer gone, between the two.)
            let (timeout, group_gone) = match &bot.pidfd {
                Some(_) => (-1, false),
                None if bot.group_remains() => (GROUP_LOOK_MS, false),
                // Only what is already in the pipe is still read.
                None => (0, true),
            };
            let mut fds = [
                libc::pollfd {
                    fd: self.input.as_raw_fd(),
                    events: libc::POLLIN,
                    revents: 0,
                },
                libc::pollfd {
                    fd: bot.pidfd.as_ref().map_or(-1, |fd| fd.as_raw_fd()),
                    events: libc::POLLIN,
                    revents: 0,
                },
            ];
            // SAFETY: two initialized pollfd records, the length given.
            let ready = unsafe { libc::poll(fds.as_mut_ptr(), 2, timeout) };
            if ready < 0 {
                let e = std::io::Error::last_os_error();
                if e.kind() == std::io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(e);
            }
            if fds[0].revents != 0 {
                return self.input.read(buf);
            }
            if fds[1].revents != 0 {
                bot.pidfd = None;
                continue;
            }
            if ready == 0 && group_gone {
                return Ok(0);
            }
        }
    }
}

fn open_append(path: &Path) -> std::io::Result<File> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
}

/// `path.N` for the rotated copy `n` of `path`.
pub fn rotated(path: &Path, n: usize) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{n}"));
    PathBuf::from(name)
}

/// `path` becomes `path.1`, `path.1` becomes `path.2` …, keeping `keep`,
/// and an empty `path` starts. No name is ever missing on the way: each
/// file is linked under a scratch name and renamed over the next one, so a
/// kill at any moment leaves every log file there (a reader, `steward logs`
/// or a test, never finds a hole where a rotation was under way).
fn rotate(path: &Path, keep: usize) -> std::io::Result<File> {
    let mut scratch = path.as_os_str().to_owned();
    scratch.push(".rotating");
    let scratch = PathBuf::from(scratch);
    let clear = |p: &Path| match std::fs::remove_file(p) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    };
    // `from` also under `to`'s name, `to`'s old file dropped in one rename.
    let copy_over = |from: &Path, to: &Path| -> std::io::Result<()> {
        clear(&scratch)?;
        match std::fs::hard_link(from, &scratch) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            r => r?,
        }
        std::fs::rename(&scratch, to)
    };
    for n in (1..keep).rev() {
        copy_over(&rotated(path, n), &rotated(path, n + 1))?;
    }
    copy_over(path, &rotated(path, 1))?;
    clear(&scratch)?;
    let file = open_append(&scratch)?;
    std::fs::rename(&scratch, path)?;
    Ok(file)
}

/// Steward's own log file (`[logging] file`), rotated as `output.log` is:
/// before a write would take it past `max_bytes` it becomes `path.1` and a
/// new file starts. Each write is one whole log line (the log formatter
/// writes a line at once), so a line is never split between two files.
/// Clones share the file.
#[derive(Debug, Clone)]
pub struct RotatingLog {
    path: PathBuf,
    rotation: Rotation,
    open: std::sync::Arc<std::sync::Mutex<(File, u64)>>,
}

impl RotatingLog {
    pub fn open(path: &Path, rotation: Rotation) -> std::io::Result<RotatingLog> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let file = open_append(path)?;
        let size = file.metadata()?.len();
        Ok(RotatingLog {
            path: path.to_path_buf(),
            rotation,
            open: std::sync::Arc::new(std::sync::Mutex::new((file, size))),
        })
    }
}

impl Write for RotatingLog {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if open.1 > 0 && open.1 + buf.len() as u64 > self.rotation.max_bytes {
            *open = (rotate(&self.path, self.rotation.keep)?, 0);
        }
        open.0.write_all(buf)?;
        open.1 += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::process::CommandExt;

    use super::*;

    /// Reaps `child` when it exits, as Steward or init does for the bot.
    fn reaped(mut child: std::process::Child) -> u32 {
        let pid = child.id();
        std::thread::spawn(move || child.wait());
        pid
    }

    /// Reads `output` to its end on a thread; `None` if that takes longer
    /// than `within`.
    fn read_to_end_within(mut output: BotOutput, within: std::time::Duration) -> Option<String> {
        let (sent, got) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = output.read_to_string(&mut text);
            let _ = sent.send(text);
        });
        got.recv_timeout(within).ok()
    }

    #[test]
    fn the_bot_s_output_ends_with_its_group_though_another_process_holds_the_pipe() {
        let (reader, writer) = std::io::pipe().unwrap();
        // The bot, in its own group as the supervisor starts it, prints and
        // exits; the pipe's write end stays open here, as in a daemon that
        // left the bot's group.
        let bot = std::process::Command::new("/bin/sh")
            .args(["-c", "echo last words; sleep 0.2"])
            .stdout(writer.try_clone().unwrap())
            .process_group(0)
            .spawn()
            .unwrap();
        let output = BotOutput::new(reader, Some(reaped(bot)));
        let text = read_to_end_within(output, std::time::Duration::from_secs(10))
            .expect("the pump's input did not end when the bot's group was gone");
        assert_eq!(text, "last words\n");
        drop(writer);
    }

    #[test]
    fn the_bot_s_output_goes_on_while_its_group_runs() {
        let (reader, writer) = std::io::pipe().unwrap();
        // The bot exits at once, a child of its group keeps writing.
        let bot = std::process::Command::new("/bin/sh")
            .args(["-c", "(sleep 1; echo from the child) & echo from the bot"])
            .stdout(writer.try_clone().unwrap())
            .process_group(0)
            .spawn()
            .unwrap();
        drop(writer);
        let output = BotOutput::new(reader, Some(reaped(bot)));
        let text = read_to_end_within(output, std::time::Duration::from_secs(10)).unwrap();
        assert_eq!(text, "from the bot\nfrom the child\n");
    }

    #[test]
    fn steward_s_own_log_rotates_before_a_line_would_pass_the_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("steward.log");
        let rotation = Rotation {
            max_bytes: 100,
            keep: 2,
        };
        let mut log = RotatingLog::open(&path, rotation).unwrap();
        for i in 0..10 {
            log.write_all(format!("line {i:02} {}\n", "x".repeat(30)).as_bytes())
                .unwrap();
        }
        // 40-byte lines, two to a file: 08-09 here, 06-07 and 04-05 kept.
        let read = |p: &Path| std::fs::read_to_string(p).unwrap();
        assert!(read(&path).starts_with("line 08"), "{}", read(&path));
        assert_eq!(read(&path).lines().count(), 2);
        assert!(read(&rotated(&path, 1)).starts_with("line 06"));
        assert!(read(&rotated(&path, 2)).starts_with("line 04"));
        assert!(!rotated(&path, 3).exists());
    }

    /// A reader watching while the log rotates thousands of times never
    /// finds `steward.log` or `steward.log.1` missing (a kill at that moment
    /// would have left it so).
    #[test]
    fn no_log_file_is_ever_missing_while_it_rotates() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("steward.log");
        let rotation = Rotation {
            max_bytes: 40,
            keep: 2,
        };
        let mut log = RotatingLog::open(&path, rotation).unwrap();
        log.write_all(&[b'x'; 39]).unwrap();
        log.write_all(b"first rotation\n").unwrap();
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let writer = std::thread::spawn({
            let done = done.clone();
            move || {
                for i in 0..5_000 {
                    log.write_all(format!("line {i:05} {}\n", "x".repeat(20)).as_bytes())
                        .unwrap();
                }
                done.store(true, std::sync::atomic::Ordering::SeqCst);
            }
        });
        let first = rotated(&path, 1);
        let mut looks = 0u64;
        while !done.load(std::sync::atomic::Ordering::SeqCst) {
            looks += 1;
            assert!(path.exists(), "steward.log missing after {looks} looks");
            assert!(first.exists(), "steward.log.1 missing after {looks} looks");
        }
        writer.join().unwrap();
    }

    #[test]
    fn the_pump_rotates_at_line_boundaries_and_keeps_every_line() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("output.log");
        let text: String = (0..200).map(|n| format!("line {n}\n")).collect();
        let rotation = Rotation {
            max_bytes: 100,
            keep: 50,
        };
        pump(text.as_bytes(), &log, rotation).unwrap();
        let mut all = String::new();
        for n in (1..=50).rev() {
            if let Ok(part) = std::fs::read_to_string(rotated(&log, n)) {
                assert!(part.len() <= 100 && part.ends_with('\n'), "{part:?}");
                all.push_str(&part);
            }
        }
        all.push_str(&std::fs::read_to_string(&log).unwrap());
        assert_eq!(all, text);
    }

    #[test]
    fn only_keep_rotated_files_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("output.log");
        let text: String = (0..100).map(|n| format!("line {n}\n")).collect();
        let rotation = Rotation {
            max_bytes: 50,
            keep: 2,
        };
        pump(text.as_bytes(), &log, rotation).unwrap();
        assert!(rotated(&log, 2).exists());
        assert!(!rotated(&log, 3).exists());
    }

    #[test]
    fn a_session_id_that_is_a_path_is_unknown() {
        let dir = tempfile::tempdir().unwrap();
        for id in ["../secret", "u-../../x", "/etc/passwd", ""] {
            assert!(matches!(
                read(dir.path(), id),
                Err(LogsError::Unknown { .. })
            ));
        }
    }
}
