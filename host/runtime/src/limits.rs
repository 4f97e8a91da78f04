//! Limits every provider call runs under: a wall-clock budget (epoch
//! interruption for wasm code, a deadline around the whole call future for
//! host and WASI calls), one memory allowance for everything the call holds
//! (every memory and table of every instance, and the HTTP answers the host
//! keeps for it), caps on how many instances, memories and tables it creates,
//! and a stack cap. This module measures and refuses; it never decides what a
//! provider may access (that is `grants`).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use wasmtime::{Engine, ResourceLimiter};

use crate::config::RuntimeLimits;

/// How often the epoch advances; the budget is enforced to this precision.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Advances the engine's epoch while a provider call runs, and sleeps with
/// no wakeups while none does: ticking every `EPOCH_TICK` for nothing was
/// most of an idle service's CPU. A call's deadline is counted from the
/// epoch at its start, so a pause between calls changes no budget.
pub struct EpochTicker {
    running: Arc<(Mutex<usize>, Condvar)>,
}

/// One call's claim on the ticker: it ticks until every claim is dropped.
pub struct Ticking {
    running: Arc<(Mutex<usize>, Condvar)>,
}

impl EpochTicker {
    /// Starts the ticking thread. It holds only a weak reference to the
    /// engine, so it ends once the engine is dropped.
    pub fn start(engine: &Engine) -> EpochTicker {
        let weak = engine.weak();
        let running = Arc::new((Mutex::new(0usize), Condvar::new()));
        let shared = running.clone();
        std::thread::Builder::new()
            .name("steward-epoch".into())
            .spawn(move || {
                loop {
                    {
                        let (calls, wake) = &*shared;
                        let mut calls = calls.lock().unwrap_or_else(|e| e.into_inner());
                        while *calls == 0 {
                            calls = wake.wait(calls).unwrap_or_else(|e| e.into_inner());
                        }
                    }
                    let Some(engine) = weak.upgrade() else {
                        return;
                    };
                    engine.increment_epoch();
                    drop(engine);
                    std::thread::sleep(EPOCH_TICK);
                }
            })
            .expect("spawning the epoch thread");
        EpochTicker { running }
    }

    /// Ticks until the answer is dropped.
    pub fn claim(&self) -> Ticking {
        let (calls, wake) = &*self.running;
        *calls.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        wake.notify_one();
        Ticking {
            running: self.running.clone(),
        }
    }
}

impl Drop for Ticking {
    fn drop(&mut self) {
        let (calls, _) = &*self.running;
        let mut calls = calls.lock().unwrap_or_else(|e| e.into_inner());
        *calls = calls.saturating_sub(1);
    }
}

impl Drop for EpochTicker {
    /// Lets the thread see the engine gone (one tick, then it ends).
    fn drop(&mut self) {
        let (calls, wake) = &*self.running;
        *calls.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        wake.notify_one();
    }
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

    /// Time a host operation may take: what it asked for, within the budget.
    pub fn time_for(&self, asked_ms: Option<u32>) -> Duration {
        let remaining = self.remaining();
        match asked_ms {
            Some(ms) => Duration::from_millis(ms.into()).min(remaining),
            None => remaining,
        }
    }

    /// Epoch ticks until the deadline, at least one.
    pub fn ticks(&self) -> u64 {
        (self.total.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64
    }
}

/// Core instances one call may create. A Rust provider built for
/// wasm32-wasip2 has three (its module and wit-component's shim and fixups).
pub const MAX_INSTANCES: usize = 32;
/// Linear memories one call may create (a Rust provider has one).
pub const MAX_MEMORIES: usize = 8;
/// Tables one call may create (a Rust provider has two or three).
pub const MAX_TABLES: usize = 32;
/// Elements one table may grow to.
const MAX_TABLE_ELEMENTS: usize = 100_000;
/// What one table element costs: Wasmtime keeps a pointer per element.
const TABLE_ELEMENT_BYTES: usize = std::mem::size_of::<usize>();

/// The bytes one call holds, against one limit: every memory and table of
/// every instance, and the HTTP answers the host is collecting for it.
/// Shared by the store's [`MemoryCap`] and the host's HTTP import.
#[derive(Debug)]
pub struct CallMemory {
    limit: usize,
    used: AtomicUsize,
}

impl CallMemory {
    pub fn new(limits: &RuntimeLimits) -> Arc<CallMemory> {
        Arc::new(CallMemory {
            limit: (limits.memory_limit_mb as usize).saturating_mul(1024 * 1024),
            used: AtomicUsize::new(0),
        })
    }

    /// The limit, in MiB (for messages).
    pub fn limit_mb(&self) -> u64 {
        (self.limit / (1024 * 1024)) as u64
    }

    /// Takes `bytes` from what is left; false (and nothing taken) when they
    /// do not fit.
    fn take(&self, bytes: usize) -> bool {
        self.used
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |used| {
                used.checked_add(bytes).filter(|total| *total <= self.limit)
            })
            .is_ok()
    }

    fn give_back(&self, bytes: usize) {
        self.used.fetch_sub(bytes, Ordering::SeqCst);
    }

    /// An empty hold on this call's memory, grown as host-side bytes arrive
    /// and given back when dropped.
    pub fn hold(self: &Arc<Self>) -> Held {
        Held {
            memory: self.clone(),
            bytes: 0,
        }
    }
}

/// Bytes the host keeps for a call (an HTTP answer on its way to the guest),
/// counted against the call's memory until dropped.
#[derive(Debug)]
pub struct Held {
    memory: Arc<CallMemory>,
    bytes: usize,
}

impl Held {
    /// The call's memory limit, in MiB (for messages).
    pub fn limit_mb(&self) -> u64 {
        self.memory.limit_mb()
    }

    /// Grows the hold to `total` bytes; false when that does not fit in what
    /// is left of the call's memory (the hold keeps what it had).
    pub fn grow_to(&mut self, total: usize) -> bool {
        if total <= self.bytes {
            return true;
        }
        if !self.memory.take(total - self.bytes) {
            return false;
        }
        self.bytes = total;
        true
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.memory.give_back(self.bytes);
    }
}

/// The store's resource limiter: counts each memory's and table's growth
/// into the call's [`CallMemory`], caps how many instances, memories and
/// tables the call creates, and remembers whether a growth was refused, so
/// a trap that follows can be explained as "out of memory" rather than a
/// bare trap.
///
/// A growth permitted here that then fails (past a memory's declared
/// maximum) stays counted: that errs on the side of the limit, and only
/// against the provider that asked.
pub struct MemoryCap {
    memory: Arc<CallMemory>,
    hit: Arc<AtomicBool>,
}

impl MemoryCap {
    pub fn new(memory: Arc<CallMemory>) -> (MemoryCap, Arc<AtomicBool>) {
        let hit = Arc::new(AtomicBool::new(false));
        let cap = MemoryCap {
            memory,
            hit: hit.clone(),
        };
        (cap, hit)
    }

    fn grow(&mut self, bytes: usize) -> bool {
        let granted = self.memory.take(bytes);
        if !granted {
            self.hit.store(true, Ordering::SeqCst);
        }
        granted
    }
}

impl ResourceLimiter for MemoryCap {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(self.grow(desired.saturating_sub(current)))
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > MAX_TABLE_ELEMENTS {
            self.hit.store(true, Ordering::SeqCst);
            return Ok(false);
        }
        Ok(self.grow(
            desired
                .saturating_sub(current)
                .saturating_mul(TABLE_ELEMENT_BYTES),
        ))
    }

    fn instances(&self) -> usize {
        MAX_INSTANCES
    }

    fn memories(&self) -> usize {
        MAX_MEMORIES
    }

    fn tables(&self) -> usize {
        MAX_TABLES
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmtime::{Module, Store};

    const MIB: usize = 1024 * 1024;

    /// A core module declaring `count` memories of `pages` 64 KiB pages each
    /// (`(module (memory pages) ...)`), encoded by hand.
    fn memories(count: u8, pages: u8) -> Vec<u8> {
        assert!(pages < 0x80, "one LEB128 byte");
        let mut section = vec![count];
        for _ in 0..count {
            section.extend([0x00, pages]);
        }
        let mut module = b"\0asm\x01\0\0\0".to_vec();
        module.extend([0x05, section.len() as u8]);
        module.extend(section);
        module
    }

    fn limits(memory_limit_mb: u64) -> RuntimeLimits {
        RuntimeLimits {
            memory_limit_mb,
            ..RuntimeLimits::default()
        }
    }

    /// Instantiates `module` in a store capped at `memory_limit_mb`; whether
    /// it was refused, and whether the cap says its limit was hit.
    fn instantiate(module: &[u8], memory_limit_mb: u64) -> (bool, bool) {
        let engine = Engine::default();
        let module = Module::new(&engine, module).unwrap();
        let (cap, hit) = MemoryCap::new(CallMemory::new(&limits(memory_limit_mb)));
        let mut store = Store::new(&engine, cap);
        store.limiter(|cap| cap);
        let refused = wasmtime::Instance::new(&mut store, &module, &[]).is_err();
        (refused, hit.load(Ordering::SeqCst))
    }

    #[test]
    fn memories_of_one_call_share_one_limit() {
        // Three memories of 6.25 MiB: each fits in 16 MiB, together they do not.
        assert_eq!(instantiate(&memories(3, 100), 16), (true, true));
        assert_eq!(instantiate(&memories(2, 100), 16), (false, false));
    }

    #[test]
    fn more_memories_than_the_cap_are_refused_even_when_empty() {
        let allowed = MAX_MEMORIES as u8;
        let (refused, _) = instantiate(&memories(allowed, 0), 16);
        assert!(!refused, "{allowed} memories are allowed");
        let (refused, _) = instantiate(&memories(allowed + 1, 0), 16);
        assert!(refused, "{} memories are not", allowed + 1);
    }

    #[test]
    fn host_held_bytes_count_against_the_call_memory_until_dropped() {
        let memory = CallMemory::new(&limits(16));
        let (mut cap, hit) = MemoryCap::new(memory.clone());
        assert!(cap.memory_growing(0, 10 * MIB, None).unwrap());
        let mut answer = memory.hold();
        assert!(answer.grow_to(4 * MIB));
        assert!(!answer.grow_to(7 * MIB), "10 + 7 MiB is past 16 MiB");
        assert!(
            !cap.memory_growing(10 * MIB, 13 * MIB, None).unwrap(),
            "the held answer leaves 2 MiB"
        );
        assert!(hit.load(Ordering::SeqCst));
        drop(answer);
        assert!(cap.memory_growing(10 * MIB, 13 * MIB, None).unwrap());
    }
}
