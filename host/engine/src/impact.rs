//! The impact watch (`[safety] impact_window_secs`): the bot's (supervised,
//! or found through `[bot] pid_file`) CPU use, resident memory and restarts, sampled from /proc for a window
//! before an update and again after its restart, and compared against the
//! thresholds. When the health URL answers a JSON object with a cumulative
//! `errors` counter (and, optionally, `requests`), it is read at each
//! window's start and end for the error rate; otherwise the error rate is
//! not exposed and simply not compared. The install decides what a severe regression does; this
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
    /// The error rate the health URL's counters gave, when it exposes them.
    #[serde(default)]
    pub errors: Option<ErrorRate>,
}

impl Sample {
    /// The error rate in words, for the log and the CLI: "not exposed" when
    /// the health URL carries no counter.
    pub fn errors_text(&self) -> String {
        match &self.errors {
            None => "not exposed".to_string(),
            Some(e) => e.to_string(),
        }
    }
}

/// The error rate over one window, from the health URL's counters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ErrorRate {
    /// Errors counted within the window.
    pub errors: u64,
    /// Requests counted within the window, when the health URL counts them.
    pub requests: Option<u64>,
    /// Errors a minute; percent of requests failed when requests are counted.
    pub rate: f64,
}

impl ErrorRate {
    /// The rate between two readings `elapsed` apart; `None` when a counter
    /// went backwards (the bot restarted within the window).
    fn between(first: Counters, last: Counters, elapsed: Duration) -> Option<ErrorRate> {
        let errors = last.errors.checked_sub(first.errors)?;
        match (first.requests, last.requests) {
            (Some(a), Some(b)) => {
                let requests = b.checked_sub(a)?;
                Some(ErrorRate {
                    errors,
                    requests: Some(requests),
                    rate: errors as f64 * 100.0 / requests.max(errors).max(1) as f64,
                })
            }
            _ => Some(ErrorRate {
                errors,
                requests: None,
                rate: errors as f64 * 60.0 / elapsed.as_secs_f64().max(0.001),
            }),
        }
    }
}

impl std::fmt::Display for ErrorRate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.requests {
            Some(requests) => write!(
                f,
                "{:.1}% of requests failed ({} of {requests})",
                self.rate, self.errors
            ),
            None => write!(
                f,
                "{:.1} errors a minute ({} in all)",
                self.rate, self.errors
            ),
        }
    }
}

/// One reading of the health URL's cumulative counters.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Counters {
    errors: u64,
    requests: Option<u64>,
}

/// The counters in a health URL's answer: a JSON object with a top-level
/// non-negative `errors` number and, optionally, `requests`. Anything else
/// (plain text, no counter) is `None`.
fn counters(body: &str) -> Option<Counters> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    let count = |v: &serde_json::Value| {
        v.as_u64().or_else(|| {
            v.as_f64()
                .filter(|f| f.is_finite() && *f >= 0.0)
                .map(|f| f as u64)
        })
    };
    Some(Counters {
        errors: count(value.get("errors")?)?,
        requests: value.get("requests").and_then(count),
    })
}

/// Reads the health URL's counters; `None` when it does not answer them.
async fn read_counters(http: &reqwest::Client, url: &str) -> Option<Counters> {
    let answer = http.get(url).send().await.ok()?;
    counters(&answer.text().await.ok()?)
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
    /// Errors a minute, or percent of requests failed when `per_request`.
    ErrorRate {
        before: f64,
        after: f64,
        per_request: bool,
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
            Regression::ErrorRate {
                before,
                after,
                per_request: true,
            } => write!(f, "error rate {before:.1}% → {after:.1}% of requests"),
            Regression::ErrorRate { before, after, .. } => {
                write!(f, "error rate {before:.1} → {after:.1} errors a minute")
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

/// Samples the supervised bot for `window`, and `health_url`'s error
/// counters at its start and end; `None` when it is not running (nothing to
/// compare).
pub async fn sample(
    supervisor: &Supervisor,
    window: Duration,
    health_url: Option<&str>,
) -> Option<Sample> {
    let first = supervisor.watched_pid()?;
    let ticks = clock_ticks();
    let http = health_url.and_then(|url| {
        reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .ok()
            .map(|client| (client, url))
    });
    let first_counters = match &http {
        Some((client, url)) => read_counters(client, url).await,
        None => None,
    };
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
    let last_counters = match (&http, first_counters) {
        (Some((client, url)), Some(_)) => read_counters(client, url).await,
        _ => None,
    };
    let errors = first_counters
        .zip(last_counters)
        .and_then(|(a, b)| ErrorRate::between(a, b, started.elapsed()));
    rss.sort_unstable();
    let elapsed = started.elapsed().as_secs_f64().max(0.001);
    Some(Sample {
        cpu_percent: cpu_total as f64 / ticks / elapsed * 100.0,
        rss_bytes: rss.get(rss.len() / 2).copied().unwrap_or(0),
        restarts,
        running,
        errors,
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
    // Compared only when both windows measured it the same way.
    if let (Some(b), Some(a)) = (before.errors, after.errors)
        && b.requests.is_some() == a.requests.is_some()
    {
        let rise = a.rate - b.rate;
        let limit = safety.impact_error_rate_increase as f64;
        if rise > limit {
            severe |= rise > limit * 2.0;
            regressions.push(Regression::ErrorRate {
                before: b.rate,
                after: a.rate,
                per_request: a.requests.is_some(),
            });
        }
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
            errors: None,
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

    #[test]
    fn the_health_urls_json_counters_give_the_error_rate_and_plain_text_none() {
        assert_eq!(counters("ok 1.4.0"), None);
        assert_eq!(counters(r#"{"status": "ok"}"#), None);
        assert_eq!(counters(r#"{"errors": -1}"#), None);
        let plain = counters(r#"{"status": "ok", "errors": 3}"#).unwrap();
        assert_eq!(plain.requests, None);
        let rate = ErrorRate::between(
            Counters {
                errors: 3,
                requests: None,
            },
            Counters {
                errors: 13,
                requests: None,
            },
            Duration::from_secs(30),
        )
        .unwrap();
        assert_eq!(rate.to_string(), "20.0 errors a minute (10 in all)");
        let first = counters(r#"{"errors": 1, "requests": 100}"#).unwrap();
        let last = counters(r#"{"errors": 21, "requests": 300}"#).unwrap();
        let rate = ErrorRate::between(first, last, Duration::from_secs(2)).unwrap();
        assert_eq!(rate.to_string(), "10.0% of requests failed (20 of 200)");
        // A counter that went backwards: the bot restarted, nothing to read.
        assert_eq!(
            ErrorRate::between(last, first, Duration::from_secs(2)),
            None
        );
    }

    #[test]
    fn an_error_rate_rise_past_the_threshold_is_a_regression_only_when_both_windows_expose_it() {
        let safety = Safety::default();
        let with = |rate: f64, requests: Option<u64>| {
            let mut s = sample(1.0, 100);
            s.errors = Some(ErrorRate {
                errors: rate as u64,
                requests,
                rate,
            });
            s
        };
        let impact = compare(&safety, with(1.0, None), with(8.0, None));
        assert_eq!(
            impact.regressions[0].to_string(),
            "error rate 1.0 → 8.0 errors a minute"
        );
        assert!(!impact.severe);
        assert!(compare(&safety, with(1.0, None), with(30.0, None)).severe);
        assert!(
            compare(&safety, with(1.0, None), with(5.0, None))
                .regressions
                .is_empty()
        );
        let per_request = compare(&safety, with(0.0, Some(10)), with(20.0, Some(10)));
        assert_eq!(
            per_request.regressions[0].to_string(),
            "error rate 0.0% → 20.0% of requests"
        );
        // Not exposed before (or measured another way): nothing compared.
        assert!(
            compare(&safety, sample(1.0, 100), with(500.0, None))
                .regressions
                .is_empty()
        );
        assert!(
            compare(&safety, with(0.0, Some(10)), with(500.0, None))
                .regressions
                .is_empty()
        );
    }
}
