//! What the host does when a provider calls an import: log, tell the time,
//! run a granted program, send granted HTTP requests. Every call asks the
//! provider's [`Grant`] first and stays within the call's [`Budget`]. These are
//! version-independent; each `since_*` module adapts its bindings to them.

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use super::grants::Grant;
use super::limits::{Budget, MemoryCap};
use crate::config::RuntimeLimits;
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
    pub limits: RuntimeLimits,
    pub http: reqwest::Client,
    pub tokio: tokio::runtime::Handle,
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

#[derive(Debug, Clone, Copy)]
pub enum Method {
    Get,
    Post,
}

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

const MAX_REDIRECTS: usize = 5;

fn denied(message: String) -> ProviderError {
    ProviderError::new(ErrorCode::Denied, message)
}

impl HostCtx {
    pub fn log(&self, level: LogLevel, message: &str) {
        let provider = self.provider.as_str();
        match level {
            LogLevel::Trace => tracing::trace!(provider, "{message}"),
            LogLevel::Debug => tracing::debug!(provider, "{message}"),
            LogLevel::Info => tracing::info!(provider, "{message}"),
            LogLevel::Warn => tracing::warn!(provider, "{message}"),
            LogLevel::Error => tracing::error!(provider, "{message}"),
        }
    }

    pub fn now(&self) -> String {
        chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    }

    /// Time a host operation may take: what it asked for, within the budget.
    fn time_for(&self, asked_ms: Option<u32>) -> Duration {
        let remaining = self.budget.remaining();
        match asked_ms {
            Some(ms) => Duration::from_millis(ms.into()).min(remaining),
            None => remaining,
        }
    }

    /// Runs a granted program directly (no shell), with a minimal environment.
    pub fn exec(&self, req: ExecRequest) -> Result<ExecOutput, ProviderError> {
        self.grant
            .check_exec(&req.program, &req.args)
            .map_err(|d| denied(d.0))?;
        let cwd = match &req.cwd {
            Some(dir) => {
                self.grant
                    .check_read(std::path::Path::new(dir))
                    .map_err(|d| denied(d.0))?;
                std::path::PathBuf::from(dir)
            }
            None => self
                .grant
                .read
                .first()
                .cloned()
                .unwrap_or_else(|| std::path::PathBuf::from("/")),
        };
        let timeout = self.time_for(req.timeout_ms);
        let mut cmd = Command::new(&req.program);
        cmd.args(&req.args)
            .current_dir(&cwd)
            .env_clear()
            .env(
                "PATH",
                "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            )
            .env("LANG", "C.UTF-8")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(home) = std::env::var_os("HOME") {
            cmd.env("HOME", home);
        }
        self.log(
            LogLevel::Debug,
            &format!("exec {} {}", req.program, req.args.join(" ")),
        );
        let mut child = cmd.spawn().map_err(|e| {
            ProviderError::new(
                ErrorCode::NotFound,
                format!("cannot run {}: {e}", req.program),
            )
        })?;
        let cap = (self.limits.exec_output_limit_kb as usize) * 1024;
        let stdout = read_capped(child.stdout.take(), cap);
        let stderr = read_capped(child.stderr.take(), cap);
        let started = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if started.elapsed() >= timeout => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(ProviderError::new(
                        ErrorCode::Timeout,
                        format!(
                            "{} did not finish within {:.1} s",
                            req.program,
                            timeout.as_secs_f64()
                        ),
                    ));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(5)),
                Err(e) => {
                    return Err(ProviderError::new(
                        ErrorCode::Other,
                        format!("waiting for {}: {e}", req.program),
                    ));
                }
            }
        };
        Ok(ExecOutput {
            status: status.code().unwrap_or(-1),
            stdout: stdout.join().unwrap_or_default(),
            stderr: stderr.join().unwrap_or_default(),
        })
    }

    /// Sends every request concurrently (bounded), answers in order.
    pub fn http(&self, requests: Vec<HttpRequest>) -> Vec<Result<HttpResponse, ProviderError>> {
        let concurrency = self.limits.http_concurrency;
        let cap = (self.limits.http_response_limit_kb as usize) * 1024;
        let futures = requests.into_iter().map(|req| {
            let timeout = self.time_for(req.timeout_ms);
            fetch(&self.http, &self.grant, req, cap, timeout)
        });
        self.tokio.block_on(
            futures::stream::iter(futures)
                .buffered(concurrency)
                .collect::<Vec<_>>(),
        )
    }
}

/// Drains a pipe on its own thread, keeping at most `cap` bytes, so a chatty
/// program can neither block on a full pipe nor fill the host's memory.
fn read_capped<R: Read + Send + 'static>(
    pipe: Option<R>,
    cap: usize,
) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let Some(mut pipe) = pipe else { return kept };
        let mut buf = [0u8; 8192];
        while let Ok(n) = pipe.read(&mut buf) {
            if n == 0 {
                break;
            }
            let room = cap.saturating_sub(kept.len());
            kept.extend_from_slice(&buf[..n.min(room)]);
        }
        kept
    })
}

/// One request, following redirects only to granted hosts, with the body capped.
async fn fetch(
    client: &reqwest::Client,
    grant: &Grant,
    req: HttpRequest,
    cap: usize,
    timeout: Duration,
) -> Result<HttpResponse, ProviderError> {
    let mut url: reqwest::Url = req.url.parse().map_err(|e| {
        ProviderError::new(ErrorCode::InvalidData, format!("bad URL {}: {e}", req.url))
    })?;
    grant.check_url(&url).map_err(|d| denied(d.0))?;
    let deadline = Instant::now() + timeout;
    let mut method = req.method;
    let mut body = req.body;
    for _ in 0..=MAX_REDIRECTS {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(timed_out(&url, timeout));
        }
        let mut builder = match method {
            Method::Get => client.get(url.clone()),
            Method::Post => client.post(url.clone()),
        }
        .timeout(remaining);
        for (name, value) in &req.headers {
            if !name.eq_ignore_ascii_case("host") {
                builder = builder.header(name, value);
            }
        }
        if let Some(b) = &body {
            builder = builder.body(b.clone());
        }
        let mut resp = builder
            .send()
            .await
            .map_err(|e| network_error(&url, e, timeout))?;
        let status = resp.status();
        if status.is_redirection()
            && let Some(location) = resp.headers().get(reqwest::header::LOCATION)
        {
            let next = location
                .to_str()
                .ok()
                .and_then(|l| url.join(l).ok())
                .ok_or_else(|| {
                    ProviderError::new(ErrorCode::Network, format!("{url} redirected nowhere"))
                })?;
            grant
                .check_url(&next)
                .map_err(|d| denied(format!("{url} redirected to {next}: {d}")))?;
            if status == reqwest::StatusCode::SEE_OTHER
                || (matches!(method, Method::Post) && matches!(status.as_u16(), 301 | 302))
            {
                method = Method::Get;
                body = None;
            }
            url = next;
            continue;
        }
        if let Some(len) = resp.content_length()
            && len as usize > cap
        {
            return Err(too_large(&url, cap));
        }
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
        let mut collected = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| network_error(&url, e, timeout))?
        {
            if collected.len() + chunk.len() > cap {
                return Err(too_large(&url, cap));
            }
            collected.extend_from_slice(&chunk);
        }
        return Ok(HttpResponse {
            status: status.as_u16(),
            headers,
            body: collected,
        });
    }
    Err(ProviderError::new(
        ErrorCode::Network,
        format!("{url}: more than {MAX_REDIRECTS} redirects"),
    ))
}

fn timed_out(url: &reqwest::Url, timeout: Duration) -> ProviderError {
    ProviderError::new(
        ErrorCode::Timeout,
        format!("{url} did not answer within {:.1} s", timeout.as_secs_f64()),
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

fn network_error(url: &reqwest::Url, e: reqwest::Error, timeout: Duration) -> ProviderError {
    if e.is_timeout() {
        return timed_out(url, timeout);
    }
    let mut message = format!("{url}: {e}");
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        message.push_str(&format!(": {s}"));
        source = s.source();
    }
    ProviderError::new(ErrorCode::Network, message)
}
