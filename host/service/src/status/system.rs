//! Facts read from the machine for `status`: the bot's and Python's
//! versions, the supervised bot's uptime, disk and memory use. Real numbers
//! from the OS (statvfs, /proc); what cannot be read is reported as unknown
//! with the reason.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::config::Config;
use crate::supervisor::Supervisor;

/// A value, or why it is not known.
#[derive(Debug, Clone, Serialize, PartialEq, serde::Deserialize)]
pub struct Known {
    pub value: Option<String>,
    /// Where it was read from, or why it could not be.
    pub note: String,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Disk {
    pub path: PathBuf,
    pub total_bytes: u64,
    pub free_bytes: u64,
    pub used_percent: f64,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Memory {
    pub total_bytes: u64,
    pub available_bytes: u64,
    /// Steward's own resident memory.
    pub steward_rss_bytes: u64,
}

/// A release provider setting, or its default, as a path under the bot.
fn release_path(config: &Config, key: &str, default: &str) -> PathBuf {
    let raw = config
        .providers
        .get("release")
        .and_then(|p| p.settings.get(key))
        .and_then(|v| v.as_str())
        .unwrap_or(default);
    let raw = raw.strip_prefix("{bot}/").unwrap_or(raw);
    config.bot.root.join(raw)
}

/// The bot's version as the release provider sees it: the name of the
/// release `current` points at, else the VERSION file.
pub fn bot_version(config: &Config) -> Known {
    let link = release_path(config, "releases_dir", "releases").join("current");
    if let Ok(target) = std::fs::read_link(&link)
        && let Some(name) = target.file_name()
    {
        return Known {
            value: Some(name.to_string_lossy().into_owned()),
            note: format!("{} link", link.display()),
        };
    }
    let file = release_path(config, "version_file", "VERSION");
    match std::fs::read_to_string(&file) {
        Ok(text) if !text.trim().is_empty() => Known {
            value: Some(text.trim().to_string()),
            note: file.display().to_string(),
        },
        _ => Known {
            value: None,
            note: format!("neither {} nor {} exists", link.display(), file.display()),
        },
    }
}

/// `Python 3.12.3` from the bot's virtualenv interpreter, else `python3`.
/// Each interpreter is asked once and remembered by its resolved file and
/// that file's mtime, so `status` does not start a process on every call
/// and an upgraded or replaced interpreter is still asked again.
pub async fn python_version(config: &Config) -> Known {
    let venv = config
        .providers
        .get("pip")
        .and_then(|p| p.settings.get("venv"))
        .and_then(|v| v.as_str())
        .unwrap_or(".venv");
    let venv_python = config.bot.root.join(venv).join("bin/python");
    let candidates = [venv_python, PathBuf::from("python3")];
    for program in &candidates {
        let Some(file) = interpreter_file(program) else {
            continue;
        };
        if let Some(known) = python_cache::get(program, &file) {
            return known;
        }
        let run = tokio::process::Command::new(program)
            .arg("--version")
            .kill_on_drop(true)
            .output();
        if let Ok(Ok(out)) = tokio::time::timeout(Duration::from_secs(5), run).await
            && out.status.success()
        {
            // Python 2 printed its version on stderr.
            let text = String::from_utf8_lossy(if out.stdout.is_empty() {
                &out.stderr
            } else {
                &out.stdout
            })
            .trim()
            .to_string();
            let version = text.strip_prefix("Python ").unwrap_or(&text).to_string();
            let known = Known {
                value: Some(version),
                note: program.display().to_string(),
            };
            python_cache::put(program, file, known.clone());
            return known;
        }
    }
    Known {
        value: None,
        note: format!(
            "no Python found ({} and python3 on PATH)",
            candidates[0].display()
        ),
    }
}

/// The file `program` runs (a bare name looked up on `PATH`, links
/// followed) and its mtime; `None` when there is none to run.
fn interpreter_file(program: &Path) -> Option<(PathBuf, std::time::SystemTime)> {
    let found = if program.components().count() > 1 {
        program.to_path_buf()
    } else {
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path)
            .map(|dir| dir.join(program))
            .find(|p| p.is_file())?
    };
    let real = std::fs::canonicalize(&found).ok()?;
    let modified = std::fs::metadata(&real).ok()?.modified().ok()?;
    Some((real, modified))
}

/// The versions asked so far, per program as configured.
mod python_cache {
    use std::collections::HashMap;
    use std::path::{Path, PathBuf};
    use std::sync::Mutex;
    use std::time::SystemTime;

    use super::Known;

    type File = (PathBuf, SystemTime);

    static ASKED: Mutex<Option<HashMap<PathBuf, (File, Known)>>> = Mutex::new(None);

    /// What `program` said when it was this same file.
    pub fn get(program: &Path, file: &File) -> Option<Known> {
        let asked = ASKED.lock().unwrap_or_else(|e| e.into_inner());
        let (was, known) = asked.as_ref()?.get(program)?;
        (was == file).then(|| known.clone())
    }

    pub fn put(program: &Path, file: File, known: Known) {
        let mut asked = ASKED.lock().unwrap_or_else(|e| e.into_inner());
        asked
            .get_or_insert_with(HashMap::new)
            .insert(program.to_path_buf(), (file, known));
    }
}

/// The filesystem holding `path`, counted as `df` counts it.
pub fn disk(path: &Path) -> Option<Disk> {
    let stat = rustix::fs::statvfs(path).ok()?;
    Some(disk_use(
        path,
        stat.f_frsize,
        stat.f_blocks,
        stat.f_bfree,
        stat.f_bavail,
    ))
}

/// df's arithmetic: used is what is not free (`bfree`), and the percentage
/// is of what an unprivileged user could fill (used + `bavail`), so blocks
/// reserved for root count neither as used nor as free.
fn disk_use(path: &Path, block: u64, blocks: u64, bfree: u64, bavail: u64) -> Disk {
    let used = blocks.saturating_sub(bfree);
    let usable = used + bavail;
    Disk {
        path: path.to_path_buf(),
        total_bytes: blocks * block,
        free_bytes: bavail * block,
        used_percent: if usable == 0 {
            0.0
        } else {
            used as f64 * 100.0 / usable as f64
        },
    }
}

/// How long the bot has run, when Steward supervises it: since the
/// supervised process started (its pid file, checked against /proc so a
/// dead or reused pid is not taken for the bot).
pub fn bot_uptime(supervisor: &Supervisor, now: DateTime<Utc>) -> Known {
    if !supervisor.supervises() {
        let why = if supervisor.is_configured() {
            "Steward restarts the bot with bot.restart_command but does not run it, so it cannot tell"
        } else {
            "Steward does not run this bot (no bot.start in steward.toml), so it cannot tell"
        };
        return Known {
            value: None,
            note: why.to_string(),
        };
    }
    match supervisor.status() {
        Some(process) => Known {
            value: Some(span((now - process.started_at).num_seconds().max(0))),
            note: format!(
                "supervised by Steward as pid {} since {}",
                process.pid,
                process.started_at.format("%Y-%m-%d %H:%M UTC")
            ),
        },
        None => Known {
            value: None,
            note: "Steward supervises the bot, and it is not running".to_string(),
        },
    }
}

/// `3d 4h 5m`, `4h 5m`, `5m 6s`.
pub fn span(secs: i64) -> String {
    let (d, h, m, s) = (
        secs / 86400,
        secs % 86400 / 3600,
        secs % 3600 / 60,
        secs % 60,
    );
    if d > 0 {
        format!("{d}d {h}h {m}m")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else {
        format!("{m}m {s}s")
    }
}

/// `kB` lines of a /proc file, in bytes.
fn proc_kb(text: &str, key: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|rest| rest.split_whitespace().next()?.parse::<u64>().ok())
        .map(|kb| kb * 1024)
}

pub fn memory() -> Option<Memory> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let own = std::fs::read_to_string("/proc/self/status").ok()?;
    Some(Memory {
        total_bytes: proc_kb(&meminfo, "MemTotal")?,
        available_bytes: proc_kb(&meminfo, "MemAvailable")?,
        steward_rss_bytes: proc_kb(&own, "VmRSS")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A venv interpreter that counts how often it is run: asked once
    /// while it stays the same file, asked again once it is replaced.
    #[tokio::test]
    async fn the_python_version_is_asked_once_per_interpreter_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bot/.venv/bin");
        std::fs::create_dir_all(&bin).unwrap();
        let runs = dir.path().join("runs");
        let python = bin.join("python");
        let write = |version: &str| {
            std::fs::write(
                &python,
                format!(
                    "#!/bin/sh\necho run >> {}\necho 'Python {version}'\n",
                    runs.display()
                ),
            )
            .unwrap();
            std::fs::set_permissions(&python, std::fs::Permissions::from_mode(0o755)).unwrap();
        };
        write("3.11.2");
        let file = dir.path().join("steward.toml");
        std::fs::write(&file, "[bot]\nroot = \"bot\"\n").unwrap();
        let config = Config::load(&file, false).unwrap();
        let count = || std::fs::read_to_string(&runs).unwrap().lines().count();

        for _ in 0..3 {
            let known = python_version(&config).await;
            assert_eq!(known.value.as_deref(), Some("3.11.2"), "{known:?}");
        }
        assert_eq!(count(), 1);

        write("3.12.1");
        // An upgrade gives the file a new mtime (set here, not waited for).
        let later = std::time::SystemTime::now() + Duration::from_secs(5);
        std::fs::File::options()
            .write(true)
            .open(&python)
            .unwrap()
            .set_modified(later)
            .unwrap();
        let known = python_version(&config).await;
        assert_eq!(known.value.as_deref(), Some("3.12.1"), "{known:?}");
        assert_eq!(count(), 2);
    }

    #[test]
    fn proc_lines_are_read_in_bytes() {
        let text = "MemTotal:       16318412 kB\nMemAvailable:    9000000 kB\n";
        assert_eq!(proc_kb(text, "MemTotal"), Some(16318412 * 1024));
        assert_eq!(proc_kb(text, "MemFree"), None);
    }

    /// 1000 blocks, 850 free, 800 of them usable by everyone (50 reserved
    /// for root): df says 150 used of 950, 15.8%, not 150 of 1000.
    #[test]
    fn disk_use_counts_reserved_blocks_as_df_does() {
        let d = disk_use(Path::new("/"), 4096, 1000, 850, 800);
        assert_eq!(d.total_bytes, 1000 * 4096);
        assert_eq!(d.free_bytes, 800 * 4096);
        assert!((d.used_percent - 150.0 * 100.0 / 950.0).abs() < 1e-9);
        assert_eq!(disk_use(Path::new("/"), 4096, 0, 0, 0).used_percent, 0.0);
    }

    /// `df -P /`: `Filesystem 1024-blocks Used Available Capacity Mounted`.
    fn df_root() -> (u64, u64, f64) {
        let out = std::process::Command::new("df")
            .args(["-P", "/"])
            .output()
            .expect("df runs");
        let text = String::from_utf8(out.stdout).unwrap();
        let fields: Vec<&str> = text.lines().nth(1).unwrap().split_whitespace().collect();
        let kb = |i: usize| fields[i].parse::<u64>().unwrap() * 1024;
        let capacity = fields[4].trim_end_matches('%').parse().unwrap();
        (kb(1), kb(3), capacity)
    }

    #[test]
    fn disk_use_of_root_matches_df() {
        let (total, available, capacity) = df_root();
        let d = disk(Path::new("/")).unwrap();
        let close = |a: u64, b: u64| a.abs_diff(b) <= b / 100 + (64 << 20);
        assert!(
            close(d.total_bytes, total),
            "{} vs df {total}",
            d.total_bytes
        );
        assert!(
            close(d.free_bytes, available),
            "{} vs df {available}",
            d.free_bytes
        );
        // df rounds its percentage up to a whole number.
        assert!(
            (d.used_percent - capacity).abs() <= 1.5,
            "{:.2}% used, df says {capacity}%",
            d.used_percent
        );
    }

    #[test]
    fn an_uptime_reads_in_days_hours_and_minutes() {
        assert_eq!(span(86400 + 2 * 3600 + 3 * 60 + 4), "1d 2h 3m");
        assert_eq!(span(2 * 3600 + 60), "2h 1m");
        assert_eq!(span(125), "2m 5s");
    }

    #[test]
    fn memory_and_disk_are_real_numbers() {
        let memory = memory().expect("/proc/meminfo on Linux");
        assert!(memory.total_bytes > memory.available_bytes);
        assert!(memory.steward_rss_bytes > 0);
        let disk = disk(Path::new("/")).unwrap();
        assert!(disk.total_bytes >= disk.free_bytes && disk.total_bytes > 0);
    }
}
