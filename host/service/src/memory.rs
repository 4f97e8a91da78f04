//! What the long-running service gives back to the system after a burst of
//! work (loading and compiling providers, a check, an install, a run of
//! control-socket requests). glibc's allocator keeps freed memory in its
//! arenas for reuse, so without this an idle service stays as large as its
//! busiest moment. It frees nothing in use; it never decides what work runs.

use std::time::Duration;

/// How often the idle service looks at its own size.
const LOOK_EVERY: Duration = Duration::from_secs(60);
/// Growth of private memory since the last look that is worth a trim.
const SLACK_BYTES: u64 = 4 << 20;

/// Returns the allocator's free memory to the system now.
pub(crate) fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory of glibc's own arenas;
    // it touches no allocation in use and is safe from any thread.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Once a minute, when the service's private memory grew by more than
/// `SLACK_BYTES` since the last look (socket requests, Discord commands),
/// gives back what is free: one read of /proc a minute while idle.
pub(crate) async fn give_back_while_running() {
    let mut every = tokio::time::interval(LOOK_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut settled = private_bytes().unwrap_or(0);
    loop {
        every.tick().await;
        let Some(now) = private_bytes() else {
            return;
        };
        if now > settled + SLACK_BYTES {
            give_back();
        }
        settled = private_bytes().unwrap_or(now);
    }
}

/// Resident memory not backed by a file (heap, stacks): `RssAnon` of
/// /proc/self/status.
fn private_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("RssAnon:"))?
        .split_whitespace()
        .next()?
        .parse::<u64>()
        .ok()?;
    Some(kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_freed_between_live_blocks_is_given_back() {
        // A burst of small blocks of which every 16th stays: glibc cannot
        // shrink its heap past live blocks, so the freed pages between
        // them stay resident until they are given back.
        let mut burst: Vec<Option<Vec<u8>>> = (0..40_000)
            .map(|i| Some(vec![(i % 251) as u8 + 1; 1000]))
            .collect();
        for (i, block) in burst.iter_mut().enumerate() {
            if i % 16 != 0 {
                *block = None;
            }
        }
        let before = private_bytes().unwrap();
        give_back();
        let after = private_bytes().unwrap();
        assert!(
            before.saturating_sub(after) > 20 << 20,
            "{before} bytes before, {after} after"
        );
        assert!(burst.iter().flatten().all(|b| b[0] != 0));
    }
}
