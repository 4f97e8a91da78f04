//! Facts read from the machine for `status`: the bot's and Python's
//! versions, disk and memory use. Real numbers from the OS (statvfs,
//! /proc); what cannot be read is reported as unknown with the reason.

use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

use crate::config::Config;

/// A value, or why it is not known.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Known {
    pub value: Option<String>,
    /// Where it was read from, or why it could not be.
    pub note: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Disk {
    pub path: PathBuf,
    pub total_bytes: u64,
    pub free_bytes: u64,
    pub used_percent: f64,
}

#[derive(Debug, Clone, Serialize)]
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
            return Known {
                value: Some(version),
                note: program.display().to_string(),
            };
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

/// The filesystem holding `path`.
pub fn disk(path: &Path) -> Option<Disk> {
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid C string and `stat` a properly sized out-parameter.
    if unsafe { libc::statvfs(c.as_ptr(), &mut stat) } != 0 {
        return None;
    }
    let block = stat.f_frsize as u64;
    let total = stat.f_blocks as u64 * block;
    let free = stat.f_bavail as u64 * block;
    let used = total.saturating_sub(stat.f_bfree as u64 * block);
    Some(Disk {
        path: path.to_path_buf(),
        total_bytes: total,
        free_bytes: free,
        used_percent: if total == 0 {
            0.0
        } else {
            used as f64 * 100.0 / total as f64
        },
    })
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

    #[test]
    fn proc_lines_are_read_in_bytes() {
        let text = "MemTotal:       16318412 kB\nMemAvailable:    9000000 kB\n";
        assert_eq!(proc_kb(text, "MemTotal"), Some(16318412 * 1024));
        assert_eq!(proc_kb(text, "MemFree"), None);
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
