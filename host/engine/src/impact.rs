//! The impact watch (`[safety] impact_window_secs`): the bot's (supervised,
//! or found through `[bot] pid_file`) CPU use, resident memory and restarts, sampled from /proc for a window
//! before an update and again after its restart, and compared against the
//! thresholds. The install decides what a severe regression does; this
//! module only measures and compares.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::config::Safety;
use crate::supervisor::Supervisor;

/// How often the bot is sampled within a window.
const EVERY: Duration = Duration::from_millis(250);

/// What one window measured.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// CPU time over wall time, in percent of one core.
    pub cpu_percent: f64,
    /// The median resident set size, bytes.
    pub rss_bytes: u64,
    /// Times the bot's process changed (it died and was started again).
    pub restarts: u32,
    /// Whether the bot ran at the window's end.
    pub running: bool,
}

/// One threshold crossed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "metric", rename_all = "snake_case")]
pub enum Regression {
    Memory {
        before: u64,
        after: u64,
        percent: u64,
    },
    Cpu {
        before: f64,
        after: f64,
    },
    Restarts {
        after: u32,
    },
    NotRunning,
}

impl std::fmt::Display for Regression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Regression::Memory {
                before,
                after,
                percent,
            } => write!(
                f,
                "memory {} → {} (+{percent}%)",
                steward_core::size::human(*before),
                steward_core::size::human(*after)
            ),
            Regression::Cpu { before, after } => {
                write!(f, "CPU {before:.1}% → {after:.1}% of a core")
            }
            Regression::Restarts { after } => {
                write!(f, "the bot restarted {after} time(s) after the update")
            }
            Regression::NotRunning => f.write_str("the bot is not running after the update"),
        }
    }
}

/// Before and after one update, and what crossed a threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Impact {
    pub window_secs: u64,
    pub before: Sample,
    pub after: Sample,
    pub regressions: Vec<Regression>,
    /// Twice a threshold, or the bot restarting or down.
    pub severe: bool,
}

/// Samples the supervised bot for `window`; `None` when it is not running
/// (nothing to compare).
pub async fn sample(supervisor: &Supervisor, window: Duration) -> Option<Sample> {
    let first = supervisor.watched_pid()?;
    let ticks = clock_ticks();
    let started = Instant::now();
    let mut pid = first;
    let mut cpu_start = cpu_ticks(pid)?;
    let mut cpu_total = 0u64;
    let mut rss = Vec::new();
    let mut restarts = 0;
    let mut running = true;
    while started.elapsed() < window {
        tokio::time::sleep(EVERY).await;
        match supervisor.watched_pid() {
            Some(now) if now == pid => {
                if let Some(t) = cpu_ticks(pid) {
                    cpu_total += t.saturating_sub(cpu_start);
                    cpu_start = t;
                }
                if let Some(bytes) = rss_bytes(pid) {
                    rss.push(bytes);
                }
                running = true;
            }
            Some(now) => {
                restarts += 1;
                pid = now;
                cpu_start = cpu_ticks(pid).unwrap_or(0);
                running = true;
            }
            None => running = false,
        }
    }
    rss.sort_unstable();
    let elapsed = started.elapsed().as_secs_f64().max(0.001);
    Some(Sample {
        cpu_percent: cpu_total as f64 / ticks / elapsed * 100.0,
        rss_bytes: rss.get(rss.len() / 2).copied().unwrap_or(0),
        restarts,
        running,
    })
}

/// What crossed `safety`'s thresholds from `before` to `after`.
pub fn compare(safety: &Safety, before: Sample, after: Sample) -> Impact {
    let mut regressions = Vec::new();
    let mut severe = false;
    let limit = safety.impact_max_rss_increase_percent;
    if before.rss_bytes > 0 && after.rss_bytes > before.rss_bytes {
        let percent = (after.rss_bytes - before.rss_bytes) * 100 / before.rss_bytes;
        if percent > limit {
            severe |= percent > limit * 2;
            regressions.push(Regression::Memory {
                before: before.rss_bytes,
                after: after.rss_bytes,
                percent,
            });
        }
    }
    let points = after.cpu_percent - before.cpu_percent;
    let limit = safety.impact_max_cpu_increase_points as f64;
    if points > limit {
        severe |= points > limit * 2.0;
        regressions.push(Regression::Cpu {
            before: before.cpu_percent,
            after: after.cpu_percent,
        });
    }
    if after.restarts > before.restarts {
        severe = true;
        regressions.push(Regression::Restarts {
            after: after.restarts,
        });
    }
    if !after.running {
        severe = true;
        regressions.push(Regression::NotRunning);
    }
    Impact {
        window_secs: safety.impact_window_secs,
        before,
        after,
        regressions,
        severe,
    }
}

fn clock_ticks() -> f64 {
    // SAFETY: sysconf only reads a system constant.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if ticks > 0 { ticks as f64 } else { 100.0 }
}

/// utime + stime of `pid` and its waited-for children, in clock ticks.
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // Fields 14-17 (utime, stime, cutime, cstime) are 11-14 after the name.
    let sum = fields
        .get(11..15)?
        .iter()
        .filter_map(|f| f.parse::<u64>().ok())
        .sum();
    Some(sum)
}

fn rss_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

const TREE: &str = "impact";

/// Keeps `impact` as session `session_id`'s, for the status.
pub fn record(
    store: &crate::store::Store,
    session_id: &str,
    impact: &Impact,
) -> Result<(), crate::store::StoreError> {
    store.tree::<Impact>(TREE)?.insert(session_id, impact)?;
    store.flush()
}

/// What the impact watch measured for session `session_id`, if it ran.
pub fn of(
    store: &crate::store::Store,
    session_id: &str,
) -> Result<Option<Impact>, crate::store::StoreError> {
    store.tree::<Impact>(TREE)?.get(session_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(cpu: f64, rss_mib: u64) -> Sample {
        Sample {
            cpu_percent: cpu,
            rss_bytes: rss_mib * 1024 * 1024,
            restarts: 0,
            running: true,
        }
    }

    #[test]
    fn memory_growth_past_the_threshold_is_a_regression_and_past_twice_it_severe() {
        let safety = Safety::default();
        let mild = compare(&safety, sample(1.0, 100), sample(1.0, 170));
        assert_eq!(mild.regressions.len(), 1);
        assert!(!mild.severe);
        assert_eq!(
            mild.regressions[0].to_string(),
            "memory 100.0 MiB → 170.0 MiB (+70%)"
        );
        let severe = compare(&safety, sample(1.0, 100), sample(1.0, 300));
        assert!(severe.severe);
        assert!(
            compare(&safety, sample(1.0, 100), sample(1.0, 140))
                .regressions
                .is_empty()
        );
    }

    #[test]
    fn a_bot_that_restarts_or_is_down_after_the_update_is_severe() {
        let safety = Safety::default();
        let mut after = sample(1.0, 100);
        after.restarts = 1;
        assert!(compare(&safety, sample(1.0, 100), after).severe);
        after.restarts = 0;
        after.running = false;
        let impact = compare(&safety, sample(1.0, 100), after);
        assert_eq!(impact.regressions, vec![Regression::NotRunning]);
    }

    #[test]
    fn cpu_growth_is_counted_in_percentage_points() {
        let safety = Safety::default();
        let impact = compare(&safety, sample(5.0, 100), sample(40.0, 100));
        assert_eq!(impact.regressions.len(), 1);
        assert!(!impact.severe);
    }
}
