//! The sandbox: loads every provider in the providers directory (compiled
//! once, cached on disk), keeps one pre-instantiated component per provider
//! while it is used (let go when idle, read back from the cache), and runs
//! each call in a fresh store under its grant and limits. A provider
//! that traps, loops, blocks or exhausts memory fails alone.
//!
//! The runtime never decides what to update or install: it runs providers
//! for the engine. It also holds what providers are run with: HTTP through
//! their grants and the cache (`fetch`), and the providers bundled with
//! this build (`bundled`).

// The vocabulary of the layer below, under the names this crate's modules use.
pub(crate) use steward_core::{config, process, provider, size};

pub mod bundled;
mod cache;
mod catalog;
mod contract;
pub mod fetch;
pub mod grants;
mod host_api;
mod limits;
pub mod signature;
mod since_v0_1_0;
mod since_v0_2_0;
mod since_v0_3_0;
mod untrusted;
mod wit_version;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use thiserror::Error;
use wasmtime::component::{Linker, ResourceTable};
use wasmtime::{Engine, Store, Trap, WasmBacktrace};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{FsPerms, WasiCtx};

pub use cache::Origin;
pub use catalog::{LoadFailure, LoadedProvider, ProviderEntry};
use grants::Grant;
use host_api::{CallState, HostCtx};
use limits::{Budget, CallMemory, MemoryCap};

use crate::config::{Config, RuntimeLimits};
use crate::provider::{Context, Info, Plan, ProviderError, Report, Update};

/// Contract versions this build understands.
pub const SUPPORTED_WIT_VERSIONS: &[&str] = &[
    since_v0_1_0::VERSION,
    since_v0_2_0::VERSION,
    since_v0_3_0::VERSION,
];

/// How long `describe` may take while loading.
const DESCRIBE_BUDGET: Duration = Duration::from_secs(5);

/// Room for what a provider prints on stdout/stderr (kept for error reports).
const OUTPUT_CAPACITY: usize = 1024 * 1024;

/// Stack for the host's own frames during a call, on top of the wasm stack
/// cap: calls run on a fiber, and WASI and HTTP run on it too. Reserved, and
/// touched only as used.
const HOST_STACK: usize = 8 * 1024 * 1024;

/// Why a provider file was not loaded; its words are what the provider
/// list shows next to the file.
#[derive(Debug, Error)]
pub enum LoadError {
    #[error("{0}")]
    Unreadable(catalog::Unreadable),
    #[error("not a WebAssembly file: it does not start with the `\\0asm` header")]
    NotWasm,
    #[error("no contract version found; was it built with steward-sdk?")]
    NoContractVersion,
    #[error("not a valid WebAssembly component: {0}")]
    NotAComponent(wasmparser::BinaryReaderError),
    /// `found` is already made safe to show.
    #[error(
        "built against steward:provider@{found}, which this Steward does not understand (it understands {})",
        SUPPORTED_WIT_VERSIONS.join(", ")
    )]
    UnsupportedVersion { found: String },
    #[error("cannot compile: {0:#}")]
    Compile(wasmtime::Error),
    #[error("imports what Steward does not offer: {0:#}")]
    Imports(wasmtime::Error),
    #[error("does not implement the contract: {0:#}")]
    Contract(wasmtime::Error),
    #[error("describe failed: {0}")]
    Describe(CallError),
}

/// Why a provider call did not produce a result.
#[derive(Debug, Error)]
pub enum CallError {
    /// The provider ran and returned an error of its own.
    #[error("{0}")]
    Provider(ProviderError),
    #[error("ran past its time budget of {budget_secs} s and was stopped")]
    Timeout { budget_secs: u64 },
    #[error("exhausted its memory cap of {cap_mb} MiB")]
    OutOfMemory { cap_mb: u64 },
    #[error("overflowed its stack cap of {cap_kb} KiB")]
    StackOverflow { cap_kb: u64 },
    #[error("crashed: {message}")]
    Crashed { message: String },
    #[error("could not be started: {message}")]
    Instantiate { message: String },
}

/// What a check found, and how old the oldest registry answer it reused
/// from the HTTP cache without asking was (`registry_max_age_secs`);
/// `None` when it asked for every one.
#[derive(Debug)]
pub struct Checked {
    pub report: Report,
    pub reused_age_secs: Option<u64>,
}

/// The provider's versioned bindings, dispatched by contract version.
enum Pre {
    V0_1_0(since_v0_1_0::ProviderPre<CallState>),
    V0_2_0(since_v0_2_0::ProviderPre<CallState>),
    V0_3_0(since_v0_3_0::ProviderPre<CallState>),
}

enum Instance {
    V0_1_0(since_v0_1_0::Instance),
    V0_2_0(since_v0_2_0::Instance),
    V0_3_0(since_v0_3_0::Instance),
}

/// How long after the HTTP cache last took an answer a check may still be
/// answered from it without asking: the longest freshness registries give
/// their index documents (PyPI's pages say `max-age=600`, npm's 300).
const RECENT_ANSWERS: Duration = Duration::from_secs(600);

pub struct Runtime {
    engine: Engine,
    linker: Linker<CallState>,
    cache: cache::CompileCache,
    limits: RuntimeLimits,
    /// Made at the first request that goes to the network.
    http: crate::fetch::LazyClient,
    http_cache: Option<Arc<crate::fetch::cache::HttpCache>>,
    tokio: tokio::runtime::Handle,
    config: std::sync::RwLock<Arc<Config>>,
    catalog: std::sync::Mutex<catalog::Catalog>,
    refused: host_api::Refusals,
    /// Ticks only while a call runs.
    epoch: limits::EpochTicker,
}

impl Runtime {
    /// Builds the engine and loads the providers directory. Must be called
    /// inside a multi-threaded tokio runtime: every call runs as a future on
    /// it, so its deadline also stops a call blocked in the host.
    pub fn new(config: &Config) -> anyhow::Result<Arc<Runtime>> {
        let limits = config.runtime.clone();
        let wasm_stack = (limits.stack_limit_kb as usize) * 1024;
        let mut wasm = wasmtime::Config::new();
        wasm.wasm_component_model(true)
            .epoch_interruption(true)
            .max_wasm_stack(wasm_stack)
            .async_stack_size(wasm_stack + HOST_STACK);
        let http = crate::fetch::LazyClient::new(crate::fetch::http2::Http2Origins::load(
            limits
                .http_cache
                .then(|| config.paths.cache.join("http2-origins")),
        ));
        let http_cache = limits.http_cache.then(|| {
            Arc::new(crate::fetch::cache::HttpCache::new(
                &config.paths.cache.join("http"),
                limits.http_cache_limit_mb * 1024 * 1024,
            ))
        });
        // A check goes to the network unless the HTTP cache can answer it,
        // and a cache that took no answer lately cannot: the client is then
        // made meanwhile, not at the first request. Started first, so the
        // trust roots are read while the engine is built and the providers
        // load, not after.
        let reuse = Duration::from_secs(limits.registry_max_age_secs).max(RECENT_ANSWERS);
        if http_cache.as_ref().is_none_or(|c| !c.stored_within(reuse)) {
            http.make_ahead();
        }
        let engine = Engine::new(&wasm)?;
        let epoch = limits::EpochTicker::start(&engine);
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        since_v0_1_0::add_to_linker(&mut linker)?;
        since_v0_2_0::add_to_linker(&mut linker)?;
        since_v0_3_0::add_to_linker(&mut linker)?;
        let runtime = Arc::new(Runtime {
            cache: cache::CompileCache::new(&config.paths.cache, &engine),
            engine,
            linker,
            limits,
            http,
            http_cache,
            tokio: tokio::runtime::Handle::current(),
            config: std::sync::RwLock::new(Arc::new(config.clone())),
            catalog: Default::default(),
            refused: Default::default(),
            epoch,
        });
        Ok(runtime)
    }

    /// Host calls refused for want of a grant since the last time this
    /// was asked ("PROVIDER: what"), the last hundred at most.
    pub fn refusals(&self) -> Vec<String> {
        self.refused.take()
    }

    pub fn providers_dir(&self) -> PathBuf {
        self.config().paths.providers.clone()
    }

    fn config(&self) -> Arc<Config> {
        self.config.read().expect("runtime config").clone()
    }

    /// Takes a re-read configuration (grants, provider settings, enabled
    /// sources): every provider is loaded again under it at the next scan,
    /// from the compile cache. The engine's limits stay as they started.
    pub fn reconfigure(&self, config: &Config) {
        *self.config.write().expect("runtime config") = Arc::new(config.clone());
        *self.catalog.lock().expect("catalog lock") = Default::default();
    }

    /// Rescans the providers directory: loads added and changed files, forgets
    /// removed ones. Cheap when nothing changed (file size and mtime).
    pub fn refresh(&self) -> Vec<ProviderEntry> {
        let mut catalog = self.catalog.lock().expect("catalog lock");
        catalog.refresh(self);
        catalog.entries()
    }

    /// Loads the provider in `contents`, reading its bytes only when its
    /// contract version or its compiled component needs them.
    fn load(
        &self,
        file: &Path,
        contents: &mut catalog::Contents,
    ) -> Result<LoadedProvider, LoadError> {
        let started = Instant::now();
        let version = match contents.recorded_version() {
            Some(version) => version.to_string(),
            None => {
                let bytes = contents.bytes().map_err(LoadError::Unreadable)?;
                if !bytes.starts_with(b"\0asm") {
                    return Err(LoadError::NotWasm);
                }
                wit_version::read(bytes)
                    .map_err(LoadError::NotAComponent)?
                    .ok_or(LoadError::NoContractVersion)?
            }
        };
        let sha256 = contents.sha256.clone();
        if !SUPPORTED_WIT_VERSIONS.contains(&version.as_str()) {
            return Err(LoadError::UnsupportedVersion {
                found: untrusted::text(&version).into_owned(),
            });
        }
        let name = file_stem(file);
        let config = self.config();
        let provider_config = config.providers.get(&name);
        let settings = provider_config
            .map(|c| c.settings_list())
            .unwrap_or_default();
        // What it describes itself as, when an earlier load of this very
        // file under these settings kept it: then nothing is compiled now,
        // and the component is read from the compile cache at its first
        // call (a disabled provider, or one another command needs, never).
        let (info, pre, origin) = match self.cache.info(&sha256, &version, &settings) {
            Some(info) => (info, catalog::Prepared::default(), Origin::Cache),
            None => {
                let (component, origin) = self
                    .cache
                    .load(
                        &self.engine,
                        &sha256,
                        contents.bytes().map_err(LoadError::Unreadable)?,
                    )
                    .map_err(LoadError::Compile)?;
                let pre = self.pre(&component, &version)?;
                let info = self
                    .run(
                        &name,
                        &pre,
                        Arc::new(Grant::default()),
                        DESCRIBE_BUDGET,
                        async |i, s| i.describe(s, &settings).await.map(Ok),
                    )
                    .map(untrusted::info)
                    .map_err(|e| LoadError::Describe(untrusted::error(e)))?;
                self.cache.store_info(&sha256, &version, &settings, &info);
                let prepared = catalog::Prepared {
                    pre: Some(Arc::new(pre)),
                    last_used: Some(Instant::now()),
                };
                (info, prepared, origin)
            }
        };
        let granted = provider_config.and_then(|c| c.grant.as_ref());
        let grant = Grant::decide(&info.wants, granted, &config.bot.root);
        let missing = granted
            .map(|g| grants::missing(&info.wants, g, &config.bot.root))
            .unwrap_or_default();
        let wants_something = !(info.wants.read.is_empty()
            && info.wants.http.is_empty()
            && info.wants.programs.is_empty());
        let waiting_for_grant = (wants_something
            && provider_config.and_then(|c| c.grant.as_ref()).is_none())
        .then(|| info.wants.clone());
        Ok(LoadedProvider {
            name,
            file: file.to_path_buf(),
            sha256,
            wit_version: version,
            info,
            grant: Arc::new(grant),
            waiting_for_grant,
            missing,
            settings,
            enabled: provider_config.is_none_or(|c| c.enabled),
            origin,
            load_ms: started.elapsed().as_secs_f64() * 1000.0,
            pre: std::sync::Mutex::new(pre),
        })
    }

    /// Lets go of the components of loaded providers no call has used for
    /// `idle_for` (none runs now): their compiled code, memory images and
    /// types leave memory, and the next call reads them back from the
    /// compile cache. Answers how many were let go.
    pub fn unload_idle(&self, idle_for: Duration) -> usize {
        let entries = self.catalog.lock().expect("catalog lock").entries();
        let mut unloaded = 0;
        for entry in entries {
            let ProviderEntry::Loaded(provider) = entry else {
                continue;
            };
            let mut prepared = provider.pre.lock().expect("prepared lock");
            let idle = prepared
                .last_used
                .is_none_or(|used| used.elapsed() >= idle_for);
            // A running call holds its own reference.
            let in_use = prepared
                .pre
                .as_ref()
                .is_some_and(|pre| Arc::strong_count(pre) > 1);
            if idle && !in_use && prepared.pre.take().is_some() {
                unloaded += 1;
            }
        }
        unloaded
    }

    /// The component's bindings for its contract version.
    fn pre(
        &self,
        component: &wasmtime::component::Component,
        version: &str,
    ) -> Result<Pre, LoadError> {
        let instance_pre = self
            .linker
            .instantiate_pre(component)
            .map_err(LoadError::Imports)?;
        Ok(match version {
            since_v0_1_0::VERSION => Pre::V0_1_0(
                since_v0_1_0::ProviderPre::new(instance_pre).map_err(LoadError::Contract)?,
            ),
            since_v0_2_0::VERSION => Pre::V0_2_0(
                since_v0_2_0::ProviderPre::new(instance_pre).map_err(LoadError::Contract)?,
            ),
            since_v0_3_0::VERSION => Pre::V0_3_0(
                since_v0_3_0::ProviderPre::new(instance_pre).map_err(LoadError::Contract)?,
            ),
            other => unreachable!("version {other} passed the supported check"),
        })
    }

    /// The provider's component, ready to instantiate: read from the
    /// compile cache at its first call when its load took its description
    /// from there; compiled again from its file (the same bytes, checked by
    /// hash) when the cache entry is gone or not to be trusted.
    fn prepared(&self, provider: &LoadedProvider) -> Result<Arc<Pre>, CallError> {
        if let Some(pre) = &provider.pre.lock().expect("prepared lock").pre {
            return Ok(pre.clone());
        }
        let started = Instant::now();
        let not_ready = |message: String| CallError::Instantiate { message };
        let component = match self.cache.cached(&self.engine, &provider.sha256) {
            Some(component) => component,
            None => {
                let bytes = catalog::read(&provider.file).map_err(|e| not_ready(e.to_string()))?;
                if sha256_hex(&bytes) != provider.sha256 {
                    return Err(not_ready(
                        "its file changed since it was loaded; it is loaded again at the next scan"
                            .into(),
                    ));
                }
                self.cache
                    .load(&self.engine, &provider.sha256, &bytes)
                    .map_err(|e| not_ready(LoadError::Compile(e).to_string()))?
                    .0
            }
        };
        let pre = self
            .pre(&component, &provider.wit_version)
            .map_err(|e| not_ready(e.to_string()))?;
        tracing::debug!(
            provider = provider.name,
            "loaded its component in {:.1} ms",
            started.elapsed().as_secs_f64() * 1000.0
        );
        // Two calls racing here both prepare; the first result is kept.
        let mut prepared = provider.pre.lock().expect("prepared lock");
        Ok(prepared.pre.get_or_insert_with(|| Arc::new(pre)).clone())
    }

    fn context(&self, provider: &LoadedProvider, include_security: bool) -> Context {
        Context {
            bot_root: self.config().bot.root.display().to_string(),
            settings: provider.settings.clone(),
            include_security,
        }
    }

    pub fn check(
        &self,
        provider: &LoadedProvider,
        include_security: bool,
    ) -> Result<Report, CallError> {
        self.check_noting_reuse(provider, include_security)
            .map(|checked| checked.report)
    }

    /// [`Runtime::check`], also saying how old the registry answers it
    /// reused without asking were.
    pub fn check_noting_reuse(
        &self,
        provider: &LoadedProvider,
        include_security: bool,
    ) -> Result<Checked, CallError> {
        let ctx = self.context(provider, include_security);
        self.call(provider, async |i, s| {
            let report = i.check(&mut *s, &ctx).await?;
            let reused_age_secs = s.data().host.reused.oldest_secs();
            Ok(report.map(|report| Checked {
                report: untrusted::report(report),
                reused_age_secs,
            }))
        })
        .map_err(untrusted::error)
    }

    pub fn capture(&self, provider: &LoadedProvider) -> Result<Vec<u8>, CallError> {
        let ctx = self.context(provider, false);
        self.call(provider, async |i, s| i.capture(s, &ctx).await)
            .map_err(untrusted::error)
            .and_then(untrusted::state)
    }

    pub fn plan(&self, provider: &LoadedProvider, updates: &[Update]) -> Result<Plan, CallError> {
        let ctx = self.context(provider, false);
        self.call(provider, async |i, s| i.plan(s, &ctx, updates).await)
            .map_err(untrusted::error)
            .and_then(untrusted::plan)
    }

    pub fn verify(&self, provider: &LoadedProvider, updates: &[Update]) -> Result<(), CallError> {
        let ctx = self.context(provider, false);
        self.call(provider, async |i, s| i.verify(s, &ctx, updates).await)
            .map_err(untrusted::error)
    }

    pub fn restore_plan(&self, provider: &LoadedProvider, state: &[u8]) -> Result<Plan, CallError> {
        let ctx = self.context(provider, false);
        self.call(provider, async |i, s| i.restore_plan(s, &ctx, state).await)
            .map_err(untrusted::error)
            .and_then(untrusted::plan)
    }

    fn call<T>(
        &self,
        provider: &LoadedProvider,
        f: impl AsyncFnOnce(
            &Instance,
            &mut Store<CallState>,
        ) -> wasmtime::Result<Result<T, ProviderError>>,
    ) -> Result<T, CallError> {
        let budget = Duration::from_secs(self.limits.call_timeout_secs);
        let pre = self.prepared(provider)?;
        let outcome = self.run(&provider.name, &pre, provider.grant.clone(), budget, f);
        provider.pre.lock().expect("prepared lock").last_used = Some(Instant::now());
        outcome
    }

    /// One call in a fresh store: instantiate, run `f`, explain any trap.
    /// The call is a future run to its end on this thread, under a deadline
    /// that holds whatever it waits on: epoch interruption stops wasm code,
    /// and the deadline around the future stops a call blocked in a host or
    /// WASI import (a sleep, a slow answer).
    fn run<T>(
        &self,
        name: &str,
        pre: &Pre,
        grant: Arc<Grant>,
        budget: Duration,
        f: impl AsyncFnOnce(
            &Instance,
            &mut Store<CallState>,
        ) -> wasmtime::Result<Result<T, ProviderError>>,
    ) -> Result<T, CallError> {
        let budget = Budget::start(budget);
        let stderr = MemoryOutputPipe::new(OUTPUT_CAPACITY);
        let stdout = MemoryOutputPipe::new(OUTPUT_CAPACITY);
        let mut wasi = WasiCtx::builder();
        wasi.stdout(stdout.clone()).stderr(stderr.clone());
        // The call runs on a thread of its own, blocked on its future; file
        // operations done right here skip a hop to tokio's blocking pool and
        // back for every stat and read (reading a virtualenv's 32
        // distributions took 40 ms of such hops, and 5 ms without them).
        // The deadline cannot cut such a read short, but reads of a
        // read-only local tree do not wait on anyone.
        wasi.allow_blocking_current_thread(true);
        for dir in &grant.read {
            wasi.preopened_dir(dir, dir.to_string_lossy(), FsPerms::ReadOnly)
                .map_err(|e| CallError::Instantiate {
                    message: format!("cannot mount {}: {e:#}", dir.display()),
                })?;
        }
        let call_memory = CallMemory::new(&self.limits);
        let (memory, memory_hit) = MemoryCap::new(call_memory.clone());
        let state = CallState {
            wasi: wasi.build(),
            table: ResourceTable::new(),
            memory,
            host: HostCtx {
                provider: name.to_string(),
                grant,
                budget,
                memory: call_memory,
                limits: self.limits.clone(),
                http: self.http.clone(),
                http_cache: self.http_cache.clone(),
                logged: Default::default(),
                reused: Default::default(),
                in_flight: Arc::new(tokio::sync::Semaphore::new(self.limits.http_concurrency)),
                refused: self.refused.clone(),
                cache_writes: Default::default(),
            },
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.memory);
        store.set_epoch_deadline(budget.ticks());
        store.epoch_deadline_trap();
        let _ticking = self.epoch.claim();

        let explain = |error: wasmtime::Error| {
            self.explain(error, memory_hit.load(Ordering::SeqCst), budget, &stderr)
        };
        let call = async {
            let instance = match pre {
                Pre::V0_1_0(pre) => since_v0_1_0::instantiate(pre, &mut store)
                    .await
                    .map(Instance::V0_1_0),
                Pre::V0_2_0(pre) => since_v0_2_0::instantiate(pre, &mut store)
                    .await
                    .map(Instance::V0_2_0),
                Pre::V0_3_0(pre) => since_v0_3_0::instantiate(pre, &mut store)
                    .await
                    .map(Instance::V0_3_0),
            }
            .map_err(|e| match explain(e) {
                CallError::Crashed { message } => CallError::Instantiate { message },
                other => other,
            })?;
            f(&instance, &mut store).await.map_err(explain)
        };
        let deadline = tokio::time::Instant::from_std(budget.deadline);
        let outcome = self
            .tokio
            .block_on(tokio::time::timeout_at(deadline, call))
            .unwrap_or(Err(CallError::Timeout {
                budget_secs: budget.total.as_secs().max(1),
            }));
        // The answers' cache entries were written while the provider
        // worked; the next check (perhaps in the next process) reads them.
        self.tokio.block_on(store.data().host.cache_writes.finish());
        let printed = String::from_utf8_lossy(&stdout.contents()).into_owned();
        for line in printed.lines().filter(|l| !l.trim().is_empty()) {
            tracing::debug!(provider = name, "stdout: {}", untrusted::text(line));
        }
        outcome?.map_err(CallError::Provider)
    }

    fn explain(
        &self,
        error: wasmtime::Error,
        memory_hit: bool,
        budget: Budget,
        stderr: &MemoryOutputPipe,
    ) -> CallError {
        match error.downcast_ref::<Trap>() {
            Some(Trap::Interrupt) => {
                return CallError::Timeout {
                    budget_secs: budget.total.as_secs().max(1),
                };
            }
            Some(Trap::StackOverflow) => {
                return CallError::StackOverflow {
                    cap_kb: self.limits.stack_limit_kb,
                };
            }
            _ => {}
        }
        if memory_hit {
            return CallError::OutOfMemory {
                cap_mb: self.limits.memory_limit_mb,
            };
        }
        let printed = String::from_utf8_lossy(&stderr.contents()).into_owned();
        let message = match panic_message(&printed) {
            Some(panic) => format!("panicked: {panic}"),
            None => one_line(&error),
        };
        CallError::Crashed { message }
    }
}

impl Instance {
    async fn describe(
        &self,
        store: &mut Store<CallState>,
        settings: &[(String, String)],
    ) -> wasmtime::Result<Info> {
        match self {
            Instance::V0_1_0(i) => i.describe(store, settings).await,
            Instance::V0_2_0(i) => i.describe(store, settings).await,
            Instance::V0_3_0(i) => i.describe(store, settings).await,
        }
    }
    async fn check(
        &self,
        store: &mut Store<CallState>,
        ctx: &Context,
    ) -> wasmtime::Result<Result<Report, ProviderError>> {
        match self {
            Instance::V0_1_0(i) => i.check(store, ctx).await,
            Instance::V0_2_0(i) => i.check(store, ctx).await,
            Instance::V0_3_0(i) => i.check(store, ctx).await,
        }
    }
    async fn capture(
        &self,
        store: &mut Store<CallState>,
        ctx: &Context,
    ) -> wasmtime::Result<Result<Vec<u8>, ProviderError>> {
        match self {
            Instance::V0_1_0(i) => i.capture(store, ctx).await,
            Instance::V0_2_0(i) => i.capture(store, ctx).await,
            Instance::V0_3_0(i) => i.capture(store, ctx).await,
        }
    }
    async fn plan(
        &self,
        store: &mut Store<CallState>,
        ctx: &Context,
        updates: &[Update],
    ) -> wasmtime::Result<Result<Plan, ProviderError>> {
        match self {
            Instance::V0_1_0(i) => i.plan(store, ctx, updates).await,
            Instance::V0_2_0(i) => i.plan(store, ctx, updates).await,
            Instance::V0_3_0(i) => i.plan(store, ctx, updates).await,
        }
    }
    async fn verify(
        &self,
        store: &mut Store<CallState>,
        ctx: &Context,
        updates: &[Update],
    ) -> wasmtime::Result<Result<(), ProviderError>> {
        match self {
            Instance::V0_1_0(i) => i.verify(store, ctx, updates).await,
            Instance::V0_2_0(i) => i.verify(store, ctx, updates).await,
            Instance::V0_3_0(i) => i.verify(store, ctx, updates).await,
        }
    }
    async fn restore_plan(
        &self,
        store: &mut Store<CallState>,
        ctx: &Context,
        state: &[u8],
    ) -> wasmtime::Result<Result<Plan, ProviderError>> {
        match self {
            Instance::V0_1_0(i) => i.restore_plan(store, ctx, state).await,
            Instance::V0_2_0(i) => i.restore_plan(store, ctx, state).await,
            Instance::V0_3_0(i) => i.restore_plan(store, ctx, state).await,
        }
    }
}

/// What went wrong, on one line: a trap's own description ("wasm trap:
/// integer divide by zero"), else the innermost cause, without the wasm
/// backtrace Wasmtime attaches.
fn one_line(error: &wasmtime::Error) -> String {
    if let Some(trap) = error.downcast_ref::<Trap>() {
        return trap.to_string();
    }
    let cause = if error.downcast_ref::<WasmBacktrace>().is_some() {
        error.root_cause().to_string()
    } else {
        format!("{error:#}")
    };
    cause.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The message of a Rust panic as the guest's std prints it.
fn panic_message(stderr: &str) -> Option<String> {
    let start = stderr.find("panicked at")?;
    let rest = &stderr[start..];
    // "panicked at src/lib.rs:10:5:\nmessage\nnote: ..."
    let mut lines = rest.lines();
    let location = lines
        .next()?
        .trim_start_matches("panicked at ")
        .trim_end_matches(':');
    let message: Vec<&str> = lines.take_while(|l| !l.starts_with("note:")).collect();
    Some(format!("{} (at {location})", message.join(" ").trim()))
}

pub(crate) fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

#[cfg(test)]
mod contract_tests {
    use std::path::{Path, PathBuf};

    fn wit_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../wit")
    }

    fn package_version(text: &str) -> String {
        text.lines()
            .find_map(|l| l.trim().strip_prefix("package steward:provider@"))
            .map(|v| v.trim_end_matches(';').to_string())
            .expect("a package line")
    }

    /// Each frozen copy `wit/since_vX.Y.Z/` is bound by a module whose
    /// VERSION says the same, and every supported version has its copy.
    #[test]
    fn every_frozen_contract_copy_has_its_module_and_version() {
        let mut frozen: Vec<String> = std::fs::read_dir(wit_dir())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.strip_prefix("since_v").map(|v| {
                    let text = std::fs::read_to_string(e.path().join("provider.wit")).unwrap();
                    assert_eq!(package_version(&text), v, "{name} declares another version");
                    v.to_string()
                })
            })
            .collect();
        frozen.sort();
        let mut supported: Vec<String> = super::SUPPORTED_WIT_VERSIONS
            .iter()
            .map(|v| v.to_string())
            .collect();
        supported.sort();
        assert_eq!(frozen, supported);
        assert_eq!(super::since_v0_1_0::VERSION, "0.1.0");
        assert_eq!(super::since_v0_2_0::VERSION, "0.2.0");
        assert_eq!(super::since_v0_3_0::VERSION, "0.3.0");
    }

    /// The live contract may grow only under a new version: while its
    /// version is a released one, it is that copy to the byte. The SDK
    /// carries the live contract inside its crate, the same bytes.
    #[test]
    fn the_live_contract_changes_only_with_its_version_and_the_sdk_carries_it() {
        let live = std::fs::read_to_string(wit_dir().join("provider.wit")).unwrap();
        let version = package_version(&live);
        let frozen = wit_dir().join(format!("since_v{version}/provider.wit"));
        if let Ok(copy) = std::fs::read_to_string(&frozen) {
            assert_eq!(live, copy, "wit/provider.wit changed without a new version");
        }
        let sdk = std::fs::read_to_string(wit_dir().join("../sdk/wit/provider.wit")).unwrap();
        assert_eq!(
            live, sdk,
            "sdk/wit/provider.wit differs from wit/provider.wit"
        );
    }
}
