//! What the host does when a provider calls an import: log, tell the time,
//! run a granted program, send granted HTTP requests. Every call asks the
//! provider's [`Grant`] first and stays within the call's [`Budget`] and
//! [`CallMemory`]. These are version-independent; each `since_*` module
//! adapts its bindings to them.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use futures::future::Shared;
use futures::stream::FuturesUnordered;
use futures::{FutureExt, StreamExt};
use tokio::sync::oneshot;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use super::grants::Grant;
use super::limits::{Budget, CallMemory, Held, MemoryCap};
use super::untrusted;
use crate::config::RuntimeLimits;
use crate::fetch::cache::{self, HttpCache, Lookup, Reuse};
use crate::fetch::hedge::{self, Hedger};
use crate::fetch::{self, FetchError};
use crate::process;
use crate::provider::{ErrorCode, ProviderError};

/// The data of one call's `Store`: a fresh one per call, dropped after it.
pub struct CallState {
    pub wasi: WasiCtx,
    pub table: ResourceTable,
    pub memory: MemoryCap,
    pub host: HostCtx,
}

impl WasiView for CallState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// What the imports need to act for one provider call.
pub struct HostCtx {
    pub provider: String,
    pub grant: Arc<Grant>,
    pub budget: Budget,
    /// The call's memory allowance, which HTTP answers count against too.
    pub memory: Arc<CallMemory>,
    pub limits: RuntimeLimits,
    pub http: fetch::LazyClient,
    /// Answers to GET requests kept between calls and runs (`None`: off).
    pub http_cache: Option<Arc<HttpCache>>,
    /// What this call has logged so far.
    pub logged: LogQuota,
    /// The registry answers this call was given from the cache without
    /// asking, under `registry_max_age_secs`.
    pub reused: Arc<ReusedAnswers>,
    /// `http_concurrency` permits, one per request in flight on a
    /// connection of its own (see [`Slot`]), shared by every batch of the
    /// call: batches a provider keeps open side by side (`http-each`) do
    /// not multiply what it may have in flight.
    pub in_flight: Arc<tokio::sync::Semaphore>,
    /// The runtime's record of refused host calls (`Runtime::refusals`).
    pub refused: Refusals,
    /// Cache entries of this call's batches still being written; the call
    /// waits for them when the provider is done.
    pub cache_writes: Arc<cache::PendingWrites>,
}

/// The host calls refused for want of a grant, newest last, as
/// "PROVIDER: what was refused" (the last [`Refusals::KEPT`] only): the
/// authors' kit shows them (`steward providers test`).
#[derive(Debug, Default, Clone)]
pub struct Refusals(Arc<std::sync::Mutex<std::collections::VecDeque<String>>>);

impl Refusals {
    pub const KEPT: usize = 100;

    pub fn note(&self, provider: &str, what: &str) {
        let mut kept = self.0.lock().expect("refusals");
        if kept.len() == Self::KEPT {
            kept.pop_front();
        }
        kept.push_back(format!("{provider}: {what}"));
    }

    /// Everything noted so far, forgotten here.
    pub fn take(&self) -> Vec<String> {
        self.0.lock().expect("refusals").drain(..).collect()
    }
}

/// How old the oldest registry answer a call reused without asking was, so
/// the check can say its answers are from N seconds ago.
#[derive(Debug, Default)]
pub struct ReusedAnswers {
    /// Age in seconds plus one; 0 while nothing was reused.
    oldest: AtomicU64,
}

impl ReusedAnswers {
    fn note(&self, age: Duration) {
        self.oldest
            .fetch_max(age.as_secs().saturating_add(1), Ordering::Relaxed);
    }

    /// Seconds; `None` when every registry answer was asked for.
    pub fn oldest_secs(&self) -> Option<u64> {
        self.oldest.load(Ordering::Relaxed).checked_sub(1)
    }
}

/// One `log()` message is cut to this many bytes.
const LOG_MESSAGE_BYTES: usize = 2 * 1024;
/// Messages one call may log.
const LOG_MESSAGES: usize = 200;
/// Bytes one call may log, all messages together.
const LOG_BYTES: usize = 64 * 1024;

/// What one call has logged: a provider that floods `log()` is cut off, so
/// it cannot fill Steward's output or its disk (unbounded, 1 GiB reached
/// stderr in 6 s).
#[derive(Debug, Default)]
pub struct LogQuota {
    messages: AtomicUsize,
    bytes: AtomicUsize,
    cut_off: AtomicBool,
}

#[derive(Debug, Clone, Copy)]
pub enum LogLevel {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

pub struct ExecRequest {
    pub program: String,
    pub args: Vec<String>,
    pub cwd: Option<String>,
    pub timeout_ms: Option<u32>,
}

pub struct ExecOutput {
    pub status: i32,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

pub use crate::fetch::Method;

pub struct HttpRequest {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    pub timeout_ms: Option<u32>,
}

pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

fn denied(message: String) -> ProviderError {
    ProviderError::new(ErrorCode::Denied, message)
}

impl HostCtx {
    /// Logs a provider's message, escaped (no escape sequence or forged
    /// line reaches a terminal or a log file) and within the call's
    /// [`LogQuota`]: past it, one line says the rest was dropped.
    pub fn log(&self, level: LogLevel, message: &str) {
        if self.logged.cut_off.load(Ordering::Relaxed) {
            return;
        }
        let provider = self.provider.as_str();
        let kept = &message[..message.floor_char_boundary(LOG_MESSAGE_BYTES)];
        let mut text = untrusted::text(kept).into_owned();
        // Escaping lengthens a message: it is cut again, escaped.
        let cut = kept.len() < message.len() || text.len() > LOG_MESSAGE_BYTES;
        text.truncate(text.floor_char_boundary(LOG_MESSAGE_BYTES));
        if cut {
            text.push_str(" … (cut)");
        }
        let messages = self.logged.messages.fetch_add(1, Ordering::Relaxed) + 1;
        let bytes = self.logged.bytes.fetch_add(text.len(), Ordering::Relaxed) + text.len();
        if messages > LOG_MESSAGES || bytes > LOG_BYTES {
            if !self.logged.cut_off.swap(true, Ordering::Relaxed) {
                tracing::warn!(
                    provider,
                    "further log messages from {provider} were dropped (a call may log {LOG_MESSAGES} messages, {} KiB in all)",
                    LOG_BYTES / 1024
                );
            }
            return;
        }
        match level {
            LogLevel::Trace => tracing::trace!(provider, "{text}"),
            LogLevel::Debug => tracing::debug!(provider, "{text}"),
            LogLevel::Info => tracing::info!(provider, "{text}"),
            LogLevel::Warn => tracing::warn!(provider, "{text}"),
            LogLevel::Error => tracing::error!(provider, "{text}"),
        }
    }

    pub fn now(&self) -> String {
        chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    }

    /// Runs a granted program directly (no shell), with a minimal environment.
    pub fn exec(&self, req: ExecRequest) -> Result<ExecOutput, ProviderError> {
        let refuse = |d: super::grants::Denied| {
            self.refused.note(&self.provider, &d.0);
            denied(d.0)
        };
        self.grant
            .check_exec(super::grants::RunFor::Reading, &req.program, &req.args)
            .map_err(refuse)?;
        let cwd = match &req.cwd {
            Some(dir) => self
                .grant
                .check_read(std::path::Path::new(dir))
                .map_err(refuse)?,
            None => self
                .grant
                .read
                .first()
                .cloned()
                .unwrap_or_else(|| std::path::PathBuf::from("/")),
        };
        self.log(
            LogLevel::Debug,
            &format!("exec {} {}", req.program, req.args.join(" ")),
        );
        let finished = process::run(&process::Run {
            program: &req.program,
            args: &req.args,
            cwd: &cwd,
            env: &[],
            timeout: self.budget.time_for(req.timeout_ms),
            output_cap: (self.limits.exec_output_limit_kb as usize) * 1024,
        })
        .map_err(|e| {
            let code = match e {
                process::RunError::Spawn { .. } => ErrorCode::NotFound,
                process::RunError::Timeout { .. } => ErrorCode::Timeout,
                process::RunError::Wait { .. } => ErrorCode::Other,
            };
            ProviderError::new(code, e.to_string())
        })?;
        Ok(ExecOutput {
            status: finished.status,
            stdout: finished.stdout,
            stderr: finished.stderr,
        })
    }

    /// Sends every request concurrently (bounded), answers in order. GET
    /// answers come from the HTTP cache while they are fresh, registry
    /// metadata while younger than `registry_max_age_secs`.
    ///
    /// The batch lives within the call's limits: it ends by the call's
    /// deadline (a request unfinished then answers a timeout), its answers
    /// count against the call's memory until the provider has them (one
    /// that does not fit answers "too large"), and a batch of more than
    /// `http_batch_limit` requests is refused whole, before anything is sent.
    pub async fn http(
        &self,
        requests: Vec<HttpRequest>,
    ) -> Vec<Result<HttpResponse, ProviderError>> {
        let mut answers: Vec<Option<Result<HttpResponse, ProviderError>>> =
            std::iter::repeat_with(|| None)
                .take(requests.len())
                .collect();
        // Each answer's hold lasts until the batch returns: the answers
        // collected so far count against the call's memory while the rest
        // arrive.
        let mut holds = Vec::with_capacity(requests.len());
        self.batch()
            .run(requests, |at, answer, held| {
                answers[at] = Some(answer);
                holds.extend(held);
            })
            .await;
        // The holds end here: the answers go on into the provider's memory,
        // whose growth the store's limiter counts.
        drop(holds);
        answers
            .into_iter()
            .map(|a| a.expect("a batch answers every request"))
            .collect()
    }

    /// As [`Self::http`], but the batch runs on its own and its answers are
    /// taken as they arrive ([`HttpAnswers::next`]), so the provider reads
    /// each while the rest are on their way. Each answer keeps its hold on
    /// the call's memory until it is taken. Must be called within a tokio
    /// runtime.
    pub fn http_each(&self, requests: Vec<HttpRequest>) -> HttpAnswers {
        let (arrived, answers) = tokio::sync::mpsc::unbounded_channel();
        let remaining = requests.len();
        let batch = self.batch();
        let task = tokio::spawn(async move {
            batch
                .run(requests, |at, answer, held| {
                    // A closed queue means the provider dropped the batch,
                    // which also stops this task.
                    let _ = arrived.send((at, answer, held));
                })
                .await;
        });
        HttpAnswers {
            answers,
            remaining,
            task: Some(task),
        }
    }

    /// What a batch needs of the call, its own to run on a task.
    fn batch(&self) -> Batch {
        Batch {
            provider: self.provider.clone(),
            grant: self.grant.clone(),
            budget: self.budget,
            memory: self.memory.clone(),
            limits: self.limits.clone(),
            http: self.http.clone(),
            http_cache: self.http_cache.clone(),
            reused: self.reused.clone(),
            in_flight: self.in_flight.clone(),
            refused: self.refused.clone(),
            cache_writes: self.cache_writes.clone(),
        }
    }
}

/// The answers of a batch sent with [`HostCtx::http_each`], in the order
/// they arrive. Dropping it before the last is taken stops the requests
/// still on their way.
pub struct HttpAnswers {
    answers: tokio::sync::mpsc::UnboundedReceiver<(
        usize,
        Result<HttpResponse, ProviderError>,
        Option<Held>,
    )>,
    /// Answers not taken yet.
    remaining: usize,
    /// The batch, until it has finished.
    task: Option<tokio::task::JoinHandle<()>>,
}

impl HttpAnswers {
    /// The next answer to arrive and the position of its request; `None`
    /// once every request has been answered.
    pub async fn next(&mut self) -> Option<(usize, Result<HttpResponse, ProviderError>)> {
        // The hold ends as the answer goes into the provider's memory.
        let (at, answer, _held) = self.answers.recv().await?;
        self.remaining = self.remaining.saturating_sub(1);
        if self.remaining == 0
            && let Some(task) = self.task.take()
        {
            // The batch's last steps (its cache writes handed to the call,
            // HTTP/2 origins saved) are done before the provider has its
            // last answer, and so before it can end the call.
            if let Err(e) = task.await {
                tracing::warn!("an HTTP batch ended abnormally: {e}");
            }
        }
        Some((at, answer))
    }
}

impl Drop for HttpAnswers {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

/// One batch of requests and what it needs of its call.
struct Batch {
    provider: String,
    grant: Arc<Grant>,
    budget: Budget,
    memory: Arc<CallMemory>,
    limits: RuntimeLimits,
    http: fetch::LazyClient,
    http_cache: Option<Arc<HttpCache>>,
    reused: Arc<ReusedAnswers>,
    in_flight: Arc<tokio::sync::Semaphore>,
    refused: Refusals,
    cache_writes: Arc<cache::PendingWrites>,
}

impl Batch {
    /// Sends the requests, those that open connections bounded to
    /// `http_concurrency` at once (see [`Slot`]), and hands
    /// each answer to `answered` as it arrives, with the position of its
    /// request and its hold on the call's memory. Every request is
    /// answered exactly once.
    async fn run(
        &self,
        requests: Vec<HttpRequest>,
        mut answered: impl FnMut(usize, Result<HttpResponse, ProviderError>, Option<Held>),
    ) {
        let started = Instant::now();
        let count = requests.len();
        let batch_limit = self.limits.http_batch_limit;
        if count > batch_limit {
            let refused = ProviderError::new(
                ErrorCode::InvalidData,
                format!(
                    "a batch of {count} HTTP requests is more than the {batch_limit} one call may send at once; none was sent"
                ),
            );
            for at in 0..count {
                answered(at, Err(refused.clone()), None);
            }
            return;
        }
        let deadline = tokio::time::Instant::from_std(self.budget.deadline);
        let cap = (self.limits.http_response_limit_kb as usize) * 1024;
        let cache = self.http_cache.as_deref();
        let writer = self.http_cache.clone().map(cache::Writer::new);
        let queue = writer.as_ref();
        let window = Duration::from_secs(self.limits.registry_max_age_secs);
        // The first request to each https origin goes alone; the others to
        // that origin wait until its answer's headers are in. By then its
        // connection is up, and when the server speaks HTTP/2 (PyPI and npm
        // do) the rest ride that one connection as streams instead of each
        // opening its own and paying for its own TLS handshake.
        let mut first_to: HashMap<String, Shared<oneshot::Receiver<()>>> = HashMap::new();
        let hedger = &Hedger::new();
        let futures: Vec<_> = requests
            .into_iter()
            .enumerate()
            .map(|(at, req)| {
                // An origin known to speak HTTP/2 needs no first request:
                // every GET waits for the one connection being opened.
                let origin = tls_origin(&req.url);
                let at_once = matches!(req.method, Method::Get)
                    && origin.as_ref().is_some_and(|o| self.http.http2.knows(o));
                let (sharing, wait) = match origin {
                    Some(_) if at_once => (Sharing::Http2, None),
                    Some(origin) => match first_to.entry(origin) {
                        Entry::Occupied(first) => (Sharing::Alone, Some(first.get().clone())),
                        Entry::Vacant(slot) => {
                            let (connected, up) = oneshot::channel();
                            slot.insert(up.shared());
                            (Sharing::First(connected), None)
                        }
                    },
                    None => (Sharing::Alone, None),
                };
                let url = req.url.clone();
                let request = async move {
                    if let Some(up) = wait {
                        // Err only says the first request ended without a
                        // signal, which is as good as one.
                        let _ = up.await;
                    }
                    // From when it starts, not when the batch did: a
                    // request queued behind others has only what is left.
                    let allowance = Allowance {
                        cap,
                        timeout: self.budget.time_for(req.timeout_ms),
                        held: self.memory.hold(),
                        slot: Slot::new(&self.in_flight),
                    };
                    let cache = cache.zip(queue).map(|(c, w)| (c, w, window));
                    let hedging = Hedging {
                        hedger,
                        memory: &self.memory,
                    };
                    fetch(
                        &self.http,
                        &self.grant,
                        cache,
                        req,
                        allowance,
                        sharing,
                        hedging,
                    )
                    .await
                };
                async move {
                    let answer = match tokio::time::timeout_at(deadline, request).await {
                        // Its own timeout was what was left of the call's.
                        Ok((Err(e), ..))
                            if e.code == ErrorCode::Timeout
                                && tokio::time::Instant::now() >= deadline =>
                        {
                            (Err(self.out_of_time(&url)), Source::Failed, None)
                        }
                        Ok(answer) => answer,
                        Err(_) => (Err(self.out_of_time(&url)), Source::Failed, None),
                    };
                    (at, answer)
                }
            })
            .collect();
        // All started, in order: each origin's first request is under way
        // before the ones waiting for it, and the requests that open
        // connections take their slots in order (the semaphore is fair).
        // Finished in any order, so one slow answer does not hold back the
        // requests queued behind it, and each goes on as soon as it is in.
        let mut arriving: FuturesUnordered<_> = futures.into_iter().collect();
        let mut tally = Tally::default();
        while let Some((at, (answer, source, held))) = arriving.next().await {
            if let Err(e) = &answer
                && e.code == ErrorCode::Denied
            {
                self.refused.note(&self.provider, &e.message);
            }
            if let Source::Reused { age } = source {
                self.reused.note(age);
            }
            tally.count(source, &answer);
            answered(at, answer, held);
        }
        drop(arriving);
        self.http.http2.save();
        // Evicting, if the new entries call for it, follows their writing.
        if let Some(thread) = writer.and_then(cache::Writer::finish) {
            self.cache_writes.add(thread);
        }
        tracing::debug!(
            provider = self.provider,
            "http: {count} requests in {:.1} ms, {} KiB: {} from the network ({} to store, {} sent twice for being slow), {} fresh from the cache, {} reused within registry_max_age_secs, {} revalidated (304), {} failed",
            started.elapsed().as_secs_f64() * 1000.0,
            tally.bytes / 1024,
            tally.stored + tally.network,
            tally.stored,
            hedger.hedged(),
            tally.cache,
            tally.reused,
            tally.revalidated,
            tally.failed,
        );
    }

    /// The answer of a request the call's deadline cut short.
    fn out_of_time(&self, url: &str) -> ProviderError {
        ProviderError::new(
            ErrorCode::Timeout,
            format!(
                "{url} did not answer before the call's time budget of {} s ran out",
                self.budget.total.as_secs().max(1)
            ),
        )
    }
}

/// Where a batch's answers came from, for its log line.
#[derive(Default)]
struct Tally {
    network: usize,
    stored: usize,
    cache: usize,
    reused: usize,
    revalidated: usize,
    failed: usize,
    bytes: usize,
}

impl Tally {
    fn count(&mut self, source: Source, answer: &Result<HttpResponse, ProviderError>) {
        let counter = match source {
            Source::Network { stored: true } => &mut self.stored,
            Source::Network { stored: false } => &mut self.network,
            Source::Cache => &mut self.cache,
            Source::Reused { .. } => &mut self.reused,
            Source::Revalidated => &mut self.revalidated,
            Source::Failed => &mut self.failed,
        };
        *counter += 1;
        if let Ok(response) = answer {
            self.bytes += response.body.len();
        }
    }
}

/// One request's outcome, where it came from, and the hold on the call's
/// memory its body takes until the batch returns.
type Answer = (Result<HttpResponse, ProviderError>, Source, Option<Held>);

/// Where an answer came from (for the batch's log line, and the reused
/// answers' age for the check).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Network {
        stored: bool,
    },
    /// Fresh by HTTP's rules.
    Cache,
    /// Registry metadata younger than the window, this old.
    Reused {
        age: Duration,
    },
    Revalidated,
    Failed,
}

/// What one request may take: a body of at most `cap` bytes, `timeout` from
/// its start, bytes of the call's memory, taken into `held`, and a place
/// under `http_concurrency` when it opens a connection of its own.
struct Allowance {
    cap: usize,
    timeout: Duration,
    held: Held,
    slot: Slot,
}

/// A request's place among the call's `http_concurrency` requests in
/// flight, taken when it is about to go to the network and held to its
/// end. A request answered from the cache takes none, nor does one sent as
/// a stream on the HTTP/2 connection of an origin known to speak it: that
/// opens no connection, and how many streams go at once is the server's to
/// say (its `SETTINGS_MAX_CONCURRENT_STREAMS`, which the client keeps to).
struct Slot {
    /// `None` for a GET's second copy, which goes under its first's place.
    in_flight: Option<Arc<tokio::sync::Semaphore>>,
    taken: Option<tokio::sync::OwnedSemaphorePermit>,
}

impl Slot {
    fn new(in_flight: &Arc<tokio::sync::Semaphore>) -> Slot {
        Slot {
            in_flight: Some(in_flight.clone()),
            taken: None,
        }
    }

    /// The place of a GET's second copy: its first's.
    fn under_first() -> Slot {
        Slot {
            in_flight: None,
            taken: None,
        }
    }

    /// Waits for a place, unless one is held already.
    async fn take(&mut self) {
        if self.taken.is_none()
            && let Some(in_flight) = &self.in_flight
        {
            // Never closed, so acquiring cannot fail.
            self.taken = in_flight.clone().acquire_owned().await.ok();
        }
    }
}

/// One request. A GET the cache may answer is looked up first (after the
/// grant check, so a stored answer never reaches a provider that may not
/// ask that host), revalidated when stale, and stored when HTTP allows.
/// Registry metadata (marked `Cache-Control: max-stale`) is reused by the
/// `window` instead (`registry_max_age_secs`; zero leaves it to HTTP).
/// New entries go to the batch's [`cache::Writer`].
async fn fetch(
    client: &fetch::LazyClient,
    grant: &Grant,
    cache: Option<(&HttpCache, &cache::Writer, Duration)>,
    mut req: HttpRequest,
    mut allowance: Allowance,
    sharing: Sharing,
    hedging: Hedging<'_>,
) -> Answer {
    let cap = allowance.cap;
    let (registry, headers) = cache::registry_metadata(&req.headers);
    req.headers = headers;
    let cache =
        cache.filter(|_| matches!(req.method, Method::Get) && HttpCache::consults(&req.headers));
    let Some((cache, writer, window)) = cache else {
        let sent = if matches!(req.method, Method::Get) && req.body.is_none() {
            let headers = &req.headers;
            send_get(
                client,
                grant,
                &req.url,
                headers,
                &mut allowance,
                sharing,
                hedging,
            )
            .await
        } else {
            let request = fetch::Request {
                method: req.method,
                url: &req.url,
                headers: &req.headers,
                body: req.body,
            };
            send(client, grant, request, &mut allowance, sharing).await
        };
        return match sent {
            Ok((_, response)) => (
                Ok(response),
                Source::Network { stored: false },
                Some(allowance.held),
            ),
            Err(e) => (Err(e), Source::Failed, None),
        };
    };
    let url = match checked_url(grant, &req.url) {
        Ok(url) => url,
        Err(e) => return (Err(e), Source::Failed, None),
    };
    let reuse = if registry && !window.is_zero() {
        Reuse::Window(window)
    } else {
        Reuse::Http
    };
    let now = SystemTime::now();
    let stale = match cache.lookup(&req.url, &req.headers, now, reuse) {
        Lookup::Fresh(stored) if stored.body.len() > cap => {
            return (Err(too_large(&url, cap)), Source::Failed, None);
        }
        Lookup::Fresh(stored) if !allowance.held.grow_to(stored.body.len()) => {
            return (
                Err(over_memory(&url, &allowance.held)),
                Source::Failed,
                None,
            );
        }
        Lookup::Fresh(stored) => {
            let source = match reuse {
                Reuse::Window(_) => Source::Reused {
                    age: stored.age(now),
                },
                Reuse::Http => Source::Cache,
            };
            let response = HttpResponse {
                status: stored.status(),
                headers: stored.headers(now),
                body: stored.body,
            };
            return (Ok(response), source, Some(allowance.held));
        }
        Lookup::Stale(stored) => Some(stored),
        Lookup::Miss => None,
    };
    let mut headers = req.headers.clone();
    if let Some(stored) = &stale {
        headers.extend(stored.validators());
    }
    let get = |headers| fetch::Request {
        method: Method::Get,
        url: &req.url,
        headers,
        body: None,
    };
    let request_time = SystemTime::now();
    let mut sent = send_get(
        client,
        grant,
        &req.url,
        &headers,
        &mut allowance,
        sharing,
        hedging,
    )
    .await;
    let response_time = SystemTime::now();
    if let Ok((answered, response)) = &sent
        && response.status == 304
        && let Some(stored) = stale
    {
        if answered.as_str() == url.as_str() {
            if !allowance.held.grow_to(stored.body.len()) {
                return (
                    Err(over_memory(&url, &allowance.held)),
                    Source::Failed,
                    None,
                );
            }
            let refreshed = cache.refresh(
                &req.headers,
                stored,
                &response.headers,
                request_time,
                response_time,
            );
            let response = HttpResponse {
                status: refreshed.status(),
                headers: refreshed.headers(response_time),
                body: refreshed.body,
            };
            return (Ok(response), Source::Revalidated, Some(allowance.held));
        }
        // Our validators followed a redirect elsewhere; ask that URL plainly.
        sent = send(
            client,
            grant,
            get(&req.headers),
            &mut allowance,
            Sharing::Alone,
        )
        .await;
    }
    match sent {
        Ok((answered, response)) => {
            let entry = (answered.as_str() == url.as_str())
                .then(|| {
                    cache.prepare(
                        &req.url,
                        &req.headers,
                        response.status,
                        &response.headers,
                        &response.body,
                        request_time,
                        response_time,
                        reuse,
                    )
                })
                .flatten();
            let stored = entry.is_some();
            if let Some(entry) = entry {
                writer.write(entry);
            }
            (
                Ok(response),
                Source::Network { stored },
                Some(allowance.held),
            )
        }
        Err(e) => (Err(e), Source::Failed, None),
    }
}

/// `https://host:port` of a URL, for grouping a batch's requests by the
/// connection they could share; `None` for anything else (plain HTTP has
/// no HTTP/2 to share, and a bad URL fails on its own in `fetch`).
fn tls_origin(url: &str) -> Option<String> {
    let url = reqwest::Url::parse(url).ok()?;
    if url.scheme() != "https" {
        return None;
    }
    Some(format!(
        "{}:{}",
        url.host_str()?,
        url.port_or_known_default()?
    ))
}

fn checked_url(grant: &Grant, url: &str) -> Result<reqwest::Url, ProviderError> {
    let parsed: reqwest::Url = url.parse().map_err(|e| {
        provider_error(FetchError::BadUrl {
            url: url.to_string(),
            message: format!("{e}"),
        })
    })?;
    grant
        .check_url(&parsed)
        .map_err(|d| provider_error(FetchError::Denied(d.0)))?;
    Ok(parsed)
}

/// What a batch's GETs need to be sent a second time: the batch's record
/// of its answers, and the call's memory for the copy's body.
#[derive(Clone, Copy)]
struct Hedging<'a> {
    hedger: &'a Hedger,
    memory: &'a Arc<CallMemory>,
}

/// Which of a GET's two copies answered first.
enum Won<T> {
    First(T),
    Second(T),
}

/// A GET as [`send`] sends it, sent a second time when the batch finds it
/// far slower than its other requests (see [`fetch::hedge`]). The first
/// copy to bring a whole answer wins; the other is dropped, and with it
/// its connection stream and its hold on the call's memory. A copy that
/// fails leaves the other to answer, and one the first answer beat gives
/// its place in the batch's share back.
async fn send_get(
    client: &fetch::LazyClient,
    grant: &Grant,
    url: &str,
    headers: &[(String, String)],
    allowance: &mut Allowance,
    sharing: Sharing,
    hedging: Hedging<'_>,
) -> Result<(reqwest::Url, HttpResponse), ProviderError> {
    let get = || fetch::Request {
        method: Method::Get,
        url,
        headers,
        body: None,
    };
    let (cap, timeout) = (allowance.cap, allowance.timeout);
    let hedger = hedging.hedger;
    let started = Instant::now();
    hedger.started();
    let mut spare = Allowance {
        cap,
        timeout,
        held: hedging.memory.hold(),
        slot: Slot::under_first(),
    };
    let won = {
        let copy = sharing.for_copy();
        let mut first = std::pin::pin!(send(client, grant, get(), allowance, sharing));
        loop {
            tokio::select! {
                answer = &mut first => {
                    hedger.answered(started.elapsed());
                    return answer;
                }
                () = tokio::time::sleep(hedge::TICK) => {
                    if hedger.hedge_now(started.elapsed()) {
                        break;
                    }
                }
            }
        }
        tracing::debug!(
            "{url} has not answered in {:.0} ms, far slower than the rest of its batch: sent again",
            started.elapsed().as_secs_f64() * 1000.0
        );
        spare.timeout = timeout.saturating_sub(started.elapsed());
        let mut second = std::pin::pin!(send(client, grant, get(), &mut spare, copy));
        let (mut first_failed, mut second_failed) = (None, None);
        loop {
            tokio::select! {
                answer = &mut first, if first_failed.is_none() => match answer {
                    Ok(answer) => break Won::First(Ok(answer)),
                    Err(e) if second_failed.is_some() => break Won::First(Err(e)),
                    Err(e) => first_failed = Some(e),
                },
                answer = &mut second, if second_failed.is_none() => match answer {
                    Ok(answer) => break Won::Second(Ok(answer)),
                    Err(e) => match first_failed.take() {
                        Some(first) => break Won::First(Err(first)),
                        None => second_failed = Some(e),
                    },
                },
            }
        }
    };
    hedger.answered(started.elapsed());
    match won {
        Won::First(answer) => {
            if answer.is_ok() {
                hedger.beaten();
            }
            answer
        }
        Won::Second(answer) => {
            // The body counts against the call's memory by the hold of
            // the copy that brought it.
            std::mem::swap(&mut allowance.held, &mut spare.held);
            answer
        }
    }
}

/// How a request shares its origin's connection with the rest of its batch.
enum Sharing {
    /// Over the client that speaks HTTP/2 from the first byte: the origin
    /// is one [`fetch::http2`] knows, so the batch's requests to it all
    /// went at once.
    Http2,
    /// The first request to an origin not known yet. The sender says when
    /// the answer's headers are in (or the request failed): the requests
    /// waiting to share its connection go then.
    First(oneshot::Sender<()>),
    /// Any other: it takes what the pool has.
    Alone,
}

impl Sharing {
    /// How a second copy of the request goes: by the same client, but it
    /// is nobody's first.
    fn for_copy(&self) -> Sharing {
        match self {
            Sharing::Http2 => Sharing::Http2,
            Sharing::First(_) | Sharing::Alone => Sharing::Alone,
        }
    }
}

/// Sends one request, following redirects only to granted hosts, and reads
/// the body within its [`Allowance`]. Returns the URL that answered and the
/// answer. An answer over HTTP/2 to a request that went the usual way
/// teaches [`fetch::http2`] its origin; a request that fails over the
/// HTTP/2 client is sent again the usual way and its origin forgotten.
async fn send(
    client: &fetch::LazyClient,
    grant: &Grant,
    request: fetch::Request<'_>,
    allowance: &mut Allowance,
    sharing: Sharing,
) -> Result<(reqwest::Url, HttpResponse), ProviderError> {
    let (cap, timeout) = (allowance.cap, allowance.timeout);
    let http2 = matches!(sharing, Sharing::Http2);
    let sent = if http2 {
        let started = Instant::now();
        let (url, headers) = (request.url, request.headers);
        let speaking = client.get_http2(url, grant).map_err(provider_error)?;
        match fetch::send(&speaking, grant, request, timeout).await {
            Err(FetchError::Network { message, .. }) => {
                // No longer HTTP/2 from the first byte (or no answer at
                // all): asked again as to an origin never seen, and
                // forgotten until it answers over HTTP/2 again.
                tracing::debug!("{url} failed over HTTP/2 ({message}): asked again with ALPN");
                if let Some(origin) = tls_origin(url) {
                    client.http2.forget(&origin);
                }
                // Now it may open a connection of its own.
                let waited = Instant::now();
                allowance.slot.take().await;
                let any = client.get(url, grant).map_err(provider_error)?;
                let get = fetch::Request {
                    method: Method::Get,
                    url,
                    headers,
                    body: None,
                };
                let left = timeout.saturating_sub(waited.duration_since(started));
                fetch::send(&any, grant, get, left).await
            }
            sent => sent,
        }
    } else {
        allowance.slot.take().await;
        let any = client.get(request.url, grant).map_err(provider_error)?;
        fetch::send(&any, grant, request, timeout).await
    };
    // The requests waiting for this one's connection go now.
    if let Sharing::First(connected) = sharing {
        let _ = connected.send(());
    }
    let held = &mut allowance.held;
    let (url, mut resp) = sent.map_err(provider_error)?;
    if !http2
        && resp.version() == reqwest::Version::HTTP_2
        && let Some(origin) = tls_origin(url.as_str())
    {
        client.http2.learned(&origin);
    }
    if let Some(len) = resp.content_length() {
        if len as usize > cap {
            return Err(too_large(&url, cap));
        }
        // Taken before the first byte arrives, so answers that cannot all
        // fit fail whole, first come first served, instead of each getting
        // partway.
        if !held.grow_to(len as usize) {
            return Err(over_memory(&url, held));
        }
    }
    let status = resp.status();
    let headers = resp
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    // Sized once from Content-Length: growing by doubling copied and
    // page-faulted the multi-megabyte index documents several times over.
    let mut collected = Vec::with_capacity(resp.content_length().unwrap_or(0) as usize);
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| provider_error(fetch::body_error(&url, e, timeout)))?
    {
        let total = collected.len() + chunk.len();
        if total > cap {
            return Err(too_large(&url, cap));
        }
        if !held.grow_to(total) {
            return Err(over_memory(&url, held));
        }
        collected.extend_from_slice(&chunk);
    }
    let response = HttpResponse {
        status: status.as_u16(),
        headers,
        body: collected,
    };
    Ok((url, response))
}

fn provider_error(e: FetchError) -> ProviderError {
    let code = match &e {
        FetchError::BadUrl { .. } => ErrorCode::InvalidData,
        FetchError::Denied(_) => ErrorCode::Denied,
        FetchError::Timeout { .. } => ErrorCode::Timeout,
        FetchError::Network { .. } => ErrorCode::Network,
    };
    ProviderError::new(code, e.to_string())
}

fn over_memory(url: &reqwest::Url, held: &Held) -> ProviderError {
    ProviderError::new(
        ErrorCode::Network,
        format!(
            "the response from {url} is too large for what is left of the call's {} MiB memory cap",
            held.limit_mb()
        ),
    )
}

fn too_large(url: &reqwest::Url, cap: usize) -> ProviderError {
    ProviderError::new(
        ErrorCode::Network,
        format!(
            "the response from {url} is larger than the {} KiB cap",
            cap / 1024
        ),
    )
}
