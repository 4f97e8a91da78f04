//! Limits every provider call runs under: a wall-clock budget (epoch
//! interruption, ticked by one background thread), a memory cap and a stack
//! cap. This module measures and refuses; it never decides what a provider
//! may access (that is `grants`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use wasmtime::{Engine, ResourceLimiter};

use crate::config::RuntimeLimits;

/// How often the epoch advances; the budget is enforced to this precision.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Starts the thread that advances the engine's epoch. It holds only a weak
/// reference, so it ends when the engine is dropped.
pub fn start_epoch_ticker(engine: &Engine) {
    let weak = engine.weak();
    std::thread::Builder::new()
        .name("steward-epoch".into())
        .spawn(move || {
            while let Some(engine) = weak.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(EPOCH_TICK);
            }
        })
        .expect("spawning the epoch thread");
}

/// The budget of one call, shared by wasm execution and the host work it asks for.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub total: Duration,
    pub deadline: Instant,
}

impl Budget {
    pub fn start(total: Duration) -> Budget {
        Budget {
            total,
            deadline: Instant::now() + total,
        }
    }

    pub fn remaining(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    /// Epoch ticks until the deadline, at least one.
    pub fn ticks(&self) -> u64 {
        (self.total.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64
    }
}

/// Caps linear memory and remembers whether the cap was hit, so a trap that
/// follows can be explained as "out of memory" rather than a bare trap.
pub struct MemoryCap {
    limit: usize,
    hit: Arc<AtomicBool>,
}

impl MemoryCap {
    pub fn new(limits: &RuntimeLimits) -> (MemoryCap, Arc<AtomicBool>) {
        let hit = Arc::new(AtomicBool::new(false));
        let cap = MemoryCap {
            limit: (limits.memory_limit_mb as usize).saturating_mul(1024 * 1024),
            hit: hit.clone(),
        };
        (cap, hit)
    }
}

impl ResourceLimiter for MemoryCap {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.limit {
            self.hit.store(true, Ordering::SeqCst);
            return Ok(false);
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 100_000)
    }
}
