//! Hedged GETs: when one request of a batch is far slower than the rest
//! of its batch, it is sent a second time and the first answer wins.
//!
//! A registry's slow answer is usually one request's bad luck (a cache miss
//! behind the CDN, a busy backend), not the registry being slow: measured on
//! the npm registry, one request in a batch of 29 often took 80–140 ms while
//! the others took 10–25, and a copy of it sent at the same moment answered as
//! fast as the rest. The batch waits for its slowest answer, so that one
//! request set the check's time. A second copy of a GET is harmless (GET is
//! safe by HTTP's rules, and the cache keeps whichever answer arrives first).
//!
//! When to send the copy is learned from the batch itself, so the same rule
//! holds on loopback and across an ocean: only once at least half the
//! requests that went to the network have answered, and only for a request
//! that has waited [`FACTOR`] times their median (never less than
//! [`AT_LEAST`]). A batch whose requests are all slow (the registry itself is
//! slow, or down) sends no copies; at most one request in [`SHARE`] of a
//! batch is sent twice, so a struggling server never sees the batch doubled.
//! A copy its original beat gives its place back: on a loaded machine a
//! request that was only late gets a copy it did not need, and the request
//! the registry really holds back must still get one.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// A request is sent again once it has waited this many times the median
/// of the answers its batch already has.
pub const FACTOR: u32 = 3;

/// ... and never before it has waited this long.
pub const AT_LEAST: Duration = Duration::from_millis(20);

/// At most one request in this many of a batch is sent a second time (and
/// at least one request of any batch of two or more).
pub const SHARE: usize = 8;

/// How often a waiting request looks at its batch again.
pub const TICK: Duration = Duration::from_millis(5);

/// What one batch has seen so far of its requests to the network.
#[derive(Debug, Default)]
pub struct Hedger {
    /// Requests that went to the network.
    started: AtomicUsize,
    /// How long each answered one took, from its start to its whole body.
    answered: Mutex<Vec<Duration>>,
    /// Requests sent a second time.
    hedged: AtomicUsize,
}

impl Hedger {
    pub fn new() -> Hedger {
        Hedger::default()
    }

    /// A request of the batch goes to the network now.
    pub fn started(&self) {
        self.started.fetch_add(1, Ordering::Relaxed);
    }

    /// A request of the batch has its whole answer, `took` after it started.
    pub fn answered(&self, took: Duration) {
        self.answered
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(took);
    }

    /// Whether a request that has waited `waited` is sent a second time
    /// now; `true` counts it against the batch's share.
    pub fn hedge_now(&self, waited: Duration) -> bool {
        if waited < AT_LEAST {
            return false;
        }
        let started = self.started.load(Ordering::Relaxed);
        let median = {
            let answered = self.answered.lock().unwrap_or_else(|e| e.into_inner());
            if answered.is_empty() || answered.len() * 2 < started {
                return false;
            }
            let mut sorted = answered.clone();
            sorted.sort_unstable();
            sorted[sorted.len() / 2]
        };
        if waited < median * FACTOR {
            return false;
        }
        let share = (started / SHARE).max(1);
        self.hedged
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |h| {
                (h < share).then_some(h + 1)
            })
            .is_ok()
    }

    /// A request sent a second time had its answer from its first copy:
    /// the second was not needed, and its place in the share is free again.
    pub fn beaten(&self) {
        let _ = self
            .hedged
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |h| h.checked_sub(1));
    }

    /// Requests sent a second time so far (less the copies their original
    /// beat).
    pub fn hedged(&self) -> usize {
        self.hedged.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn batch(started: usize, answered: &[u64]) -> Hedger {
        let h = Hedger::new();
        for _ in 0..started {
            h.started();
        }
        for &a in answered {
            h.answered(ms(a));
        }
        h
    }

    #[test]
    fn a_straggler_is_sent_again_once_it_waited_three_times_the_median() {
        let h = batch(4, &[10, 12, 14]);
        assert!(!h.hedge_now(ms(35)), "35 ms is under 3 × the median of 12");
        assert!(h.hedge_now(ms(36)));
        assert_eq!(h.hedged(), 1);
    }

    #[test]
    fn nothing_is_sent_again_before_half_the_batch_answered() {
        let h = batch(10, &[5, 5, 5, 5]);
        assert!(!h.hedge_now(ms(500)));
        h.answered(ms(5));
        assert!(h.hedge_now(ms(500)));
    }

    #[test]
    fn a_lone_request_or_a_fast_batch_is_never_sent_again() {
        assert!(!batch(1, &[]).hedge_now(ms(10_000)));
        // Loopback answers in a millisecond: still 20 ms before a copy.
        let h = batch(2, &[1]);
        assert!(!h.hedge_now(ms(19)));
        assert!(h.hedge_now(ms(20)));
    }

    #[test]
    fn at_most_one_request_in_eight_is_sent_twice() {
        let h = batch(16, &[10; 8]);
        assert!(h.hedge_now(ms(100)));
        assert!(h.hedge_now(ms(100)));
        assert!(!h.hedge_now(ms(100)), "16 requests: two copies at most");
        assert_eq!(h.hedged(), 2);
        let small = batch(3, &[10, 10]);
        assert!(small.hedge_now(ms(100)));
        assert!(!small.hedge_now(ms(100)));
    }

    #[test]
    fn a_copy_its_original_beat_gives_its_place_to_the_next_straggler() {
        // Eight requests, one copy: a request that was only late takes
        // it, and its original answers first.
        let h = batch(8, &[10; 6]);
        assert!(h.hedge_now(ms(40)));
        assert!(!h.hedge_now(ms(40)), "the one copy is out");
        h.beaten();
        assert!(h.hedge_now(ms(60)), "the request still held back gets it");
        assert_eq!(h.hedged(), 1);
    }
}
