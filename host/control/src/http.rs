//! `[control.http]`: the control API over TCP for CI/CD pipelines (a
//! release pipeline calls `POST /v1/install {"update_type":"bot"}` after
//! publishing). Every request shows a bearer token; its scopes, not a
//! role, decide what it may run (the service checks). Tokens are compared
//! in constant time, rate-limited each on its own, and every call, refused
//! or not, is written to the audit log without the secret.

use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use steward_core::config::HttpControl;
use steward_service::{Caller, Service, TokenCaller};
use subtle::ConstantTimeEq;

use crate::ErrorBody;

#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("control.http token {name:?}: {problem}")]
    Secret { name: String, problem: String },
    #[error("cannot listen on {listen} for control.http: {source}")]
    Bind {
        listen: String,
        source: std::io::Error,
    },
}

/// Shorter secrets are refused: a pipeline's token should not be guessable.
const MIN_SECRET: usize = 16;

/// The HTTP listener; dropping it stops it.
pub struct HttpListening {
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for HttpListening {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct Token {
    caller: TokenCaller,
    /// SHA-256 of the secret: compared in constant time whatever the
    /// length of what was shown.
    digest: [u8; 32],
}

struct Gate {
    tokens: Vec<Token>,
    per_minute: u32,
    /// Per token: when its current minute began and how many it used.
    windows: Mutex<HashMap<String, (Instant, u32)>>,
    audit: PathBuf,
}

/// Reads the tokens' secrets and starts listening on `config.listen`;
/// the audit log goes to `audit`.
pub async fn listen_http(
    service: Arc<Service>,
    fleet: Option<Arc<steward_fleet::Fleet>>,
    config: &HttpControl,
    audit: PathBuf,
) -> Result<HttpListening, HttpError> {
    let mut tokens = Vec::new();
    for t in &config.tokens {
        let problem = |problem: String| HttpError::Secret {
            name: t.name.clone(),
            problem,
        };
        let secret = match (&t.token_env, &t.token_file) {
            (Some(var), _) => std::env::var(var)
                .map_err(|_| problem(format!("the environment variable {var} is not set")))?,
            (None, Some(file)) => std::fs::read_to_string(file)
                .map_err(|e| problem(format!("cannot read {}: {e}", file.display())))?,
            (None, None) => return Err(problem("no token_env or token_file".to_string())),
        };
        let secret = secret.trim();
        if secret.len() < MIN_SECRET {
            return Err(problem(format!(
                "the secret is shorter than {MIN_SECRET} characters"
            )));
        }
        tokens.push(Token {
            caller: TokenCaller {
                name: t.name.clone(),
                scopes: t.scopes.clone(),
            },
            digest: Sha256::digest(secret.as_bytes()).into(),
        });
    }
    let gate = Arc::new(Gate {
        tokens,
        per_minute: config.rate_limit_per_minute,
        windows: Mutex::new(HashMap::new()),
        audit,
    });
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .map_err(|source| HttpError::Bind {
            listen: config.listen.clone(),
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| HttpError::Bind {
        listen: config.listen.clone(),
        source,
    })?;
    let router = crate::server::routes(service, fleet)
        .layer(axum::middleware::from_fn_with_state(gate, authenticate));
    let task = tokio::spawn(async move {
        let app = router.into_make_service_with_connect_info::<SocketAddr>();
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!("control.http stopped: {e}");
        }
    });
    Ok(HttpListening { addr, task })
}

/// Finds the token, applies its rate limit, runs the request as it, and
/// audits the outcome.
async fn authenticate(
    State(gate): State<Arc<Gate>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let shown = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|s| Sha256::digest(s.trim().as_bytes()));
    // Every token is compared, so the time taken says nothing about which
    // one nearly matched.
    let found = shown.and_then(|digest| {
        let mut found = None;
        for token in &gate.tokens {
            if bool::from(token.digest.ct_eq(digest.as_slice())) {
                found = Some(token);
            }
        }
        found
    });
    let response = match found {
        None => refuse(
            StatusCode::UNAUTHORIZED,
            "A bearer token of [control.http] is required (Authorization: Bearer …).".to_string(),
        ),
        Some(token) => match gate.admit(&token.caller.name) {
            Err(wait) => {
                let mut response = refuse(
                    StatusCode::TOO_MANY_REQUESTS,
                    format!(
                        "The token {} made {} requests this minute; try again in {} s.",
                        token.caller.name,
                        gate.per_minute,
                        wait.as_secs().max(1)
                    ),
                );
                if let Ok(v) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
                    response.headers_mut().insert(header::RETRY_AFTER, v);
                }
                response
            }
            Ok(()) => {
                request
                    .extensions_mut()
                    .insert(Caller::Token(token.caller.clone()));
                next.run(request).await
            }
        },
    };
    gate.audit(
        found.map_or("(none)", |t| t.caller.name.as_str()),
        &peer,
        method.as_str(),
        &path,
        response.status(),
    );
    response
}

fn refuse(status: StatusCode, error: String) -> Response {
    (status, Json(ErrorBody { error })).into_response()
}

impl Gate {
    /// Counts a request against the token's minute; how long until the
    /// next minute when it is used up.
    fn admit(&self, name: &str) -> Result<(), Duration> {
        let mut windows = self.windows.lock().expect("rate windows");
        let now = Instant::now();
        let (start, used) = windows.entry(name.to_string()).or_insert((now, 0));
        if now.duration_since(*start) >= Duration::from_secs(60) {
            (*start, *used) = (now, 0);
        }
        if *used >= self.per_minute {
            return Err(Duration::from_secs(60).saturating_sub(now.duration_since(*start)));
        }
        *used += 1;
        Ok(())
    }

    fn audit(&self, token: &str, peer: &SocketAddr, method: &str, path: &str, status: StatusCode) {
        tracing::info!(target: "steward::audit", token, %peer, method, path, status = status.as_u16(), "control.http");
        let line = format!(
            "{} token={token} peer={peer} {method} {path} {}\n",
            chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            status.as_u16()
        );
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(&self.audit)
            .and_then(|mut f| f.write_all(line.as_bytes()));
        if let Err(e) = written {
            tracing::warn!("cannot write the audit log {}: {e}", self.audit.display());
        }
    }
}

use std::os::unix::fs::OpenOptionsExt;
