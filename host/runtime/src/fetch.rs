//! HTTP on behalf of a provider: the URL and every redirect are checked
//! against the provider's grant before a connection is made, redirects are
//! followed by hand (the client never follows them itself), and the whole
//! exchange has a deadline. Both the sandbox's `http` import and the plan
//! executor's downloads send through here; what to do with the body
//! (collect it, stream it to disk) is theirs.

pub mod cache;
pub mod hedge;
pub mod http2;

use std::time::{Duration, Instant};

use thiserror::Error;

use crate::grants::Grant;

/// The client every provider request and download goes through: it never
/// follows redirects itself (`send` does, checking each hop), and it looks
/// each host name up once per process. A batch opens many connections to one
/// registry at once; a lookup per connection multiplies the chance of the
/// resolver's five-second retry, which is what made batches stall.
///
/// This one is for downloads: it asks for no compression and undoes none,
/// so an artifact arrives as the bytes its digest or signature covers.
pub fn client() -> reqwest::Result<reqwest::Client> {
    client_with(
        std::sync::Arc::new(CachingResolver::default()),
        Encoding::Identity,
        false,
        trust_roots().as_deref(),
    )
}

/// What a client asks the server to do to bodies.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Encoding {
    /// `Accept-Encoding: gzip`, undone as the body arrives: registry
    /// documents (npm packuments, PyPI's JSON) shrink several times over,
    /// and npm's and PyPI's servers compress for whoever asks, as they do
    /// for npm, Bun and pip. A request that sets its own `Accept-Encoding`
    /// (or a `Range`) gets the body as sent. Caps count the undone bytes.
    Gzip,
    /// The body exactly as stored on the server.
    Identity,
}

/// `http2`: the client speaks HTTP/2 from the first byte (offering only
/// `h2` by ALPN), for origins known to answer that way. `roots`: the
/// [`trust_roots`] read for it; `None` leaves them to reqwest.
fn client_with(
    resolver: std::sync::Arc<CachingResolver>,
    encoding: Encoding,
    http2: bool,
    roots: Option<&[reqwest::Certificate]>,
) -> reqwest::Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("steward/", env!("CARGO_PKG_VERSION")))
        .dns_resolver(resolver)
        .gzip(encoding == Encoding::Gzip);
    if http2 {
        builder = builder.http2_prior_knowledge();
    }
    if let Some(roots) = roots {
        builder = builder.tls_built_in_root_certs(false);
        for root in roots {
            builder = builder.add_root_certificate(root.clone());
        }
    }
    builder.build()
}

/// The system's trust roots, read now: the bundle alone ([`bundle_only`])
/// when it serves, else what reqwest itself would trust
/// (rustls-native-certs, which honours `SSL_CERT_FILE` and
/// `SSL_CERT_DIR`); `None`, when neither read cleanly, leaves them to
/// reqwest, which reports why it cannot.
fn trust_roots() -> Option<Vec<reqwest::Certificate>> {
    bundle_only()
        .and_then(usable)
        .or_else(|| usable(rustls_native_certs::load_native_certs()))
}

/// The system's trust roots from OpenSSL's bundle file alone, when the
/// operator has not pointed elsewhere (`SSL_CERT_FILE`, `SSL_CERT_DIR`).
/// rustls-native-certs reads the bundle and then every file of the
/// certificate directory too, which on Debian is each of the bundle's
/// certificates again as a file of its own (about 150 opened and parsed,
/// to be dropped as duplicates): most of the time of making a client, paid
/// by every check that goes to the network. `update-ca-certificates`
/// writes the bundle and the directory together.
fn bundle_only() -> Option<rustls_native_certs::CertificateResult> {
    if std::env::var_os("SSL_CERT_FILE").is_some() || std::env::var_os("SSL_CERT_DIR").is_some() {
        return None;
    }
    let bundle = openssl_probe::probe().cert_file?;
    Some(rustls_native_certs::load_certs_from_paths(
        Some(&bundle),
        None,
    ))
}

/// The certificates found, when every source read cleanly and held some.
fn usable(found: rustls_native_certs::CertificateResult) -> Option<Vec<reqwest::Certificate>> {
    if !found.errors.is_empty() {
        return None;
    }
    let roots: Vec<reqwest::Certificate> = found
        .certs
        .iter()
        .filter_map(|der| reqwest::Certificate::from_der(der).ok())
        .collect();
    (!roots.is_empty()).then_some(roots)
}

/// The providers' [`client`], made at the first request that goes to the
/// network: making one loads and parses the system's trust roots, which a
/// check answered wholly from the HTTP cache (a repeat within
/// `registry_max_age_secs`) never needs. Beside it, made the same way, the
/// client for the origins [`http2::Http2Origins`] knows. Clones share both,
/// and both are made from one reading of the trust roots: the second then
/// takes 0.1 ms instead of reading and parsing them all again (2.5 ms with
/// `SSL_CERT_DIR` set) on the core the batch and the provider need.
#[derive(Clone, Default)]
pub struct LazyClient {
    client: std::sync::Arc<std::sync::Mutex<Option<reqwest::Client>>>,
    /// Speaks HTTP/2 from the first byte.
    http2_client: std::sync::Arc<std::sync::Mutex<Option<reqwest::Client>>>,
    /// The origins to which requests go with `http2_client`.
    pub http2: std::sync::Arc<http2::Http2Origins>,
    resolver: std::sync::Arc<CachingResolver>,
    /// [`trust_roots`], read by whichever client is made first.
    roots: std::sync::Arc<std::sync::OnceLock<Option<Vec<reqwest::Certificate>>>>,
    /// Whether a request has asked for a client yet: the first one's host
    /// name is looked up ahead.
    asked: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl LazyClient {
    pub fn new(http2: http2::Http2Origins) -> LazyClient {
        LazyClient {
            http2: std::sync::Arc::new(http2),
            ..LazyClient::default()
        }
    }

    /// The client, made now if no request has needed it yet; `url` is what
    /// a failure to make it is reported against. Making it takes a few
    /// milliseconds (the trust roots), so the first request's host name is
    /// looked up meanwhile, when `grant` lets the request go there: a name
    /// the provider may not reach is never looked up (a lookup is itself a
    /// message to whoever answers for that domain). When [`Self::make_ahead`]
    /// is making it, this waits for that instead of making a second.
    pub fn get(&self, url: &str, grant: &Grant) -> Result<reqwest::Client, FetchError> {
        self.look_up_first(url, grant);
        self.take(&self.client, false, url)
    }

    /// As [`Self::get`], the client that speaks HTTP/2 from the first byte.
    pub fn get_http2(&self, url: &str, grant: &Grant) -> Result<reqwest::Client, FetchError> {
        self.look_up_first(url, grant);
        self.take(&self.http2_client, true, url)
    }

    fn look_up_first(&self, url: &str, grant: &Grant) {
        if !self.asked.swap(true, std::sync::atomic::Ordering::Relaxed)
            && let Ok(parsed) = reqwest::Url::parse(url)
            && grant.check_url(&parsed).is_ok()
            && let Some(host) = parsed.domain()
            && tokio::runtime::Handle::try_current().is_ok()
        {
            self.resolver.look_up_ahead(host);
        }
    }

    fn take(
        &self,
        slot: &std::sync::Mutex<Option<reqwest::Client>>,
        http2: bool,
        url: &str,
    ) -> Result<reqwest::Client, FetchError> {
        let mut slot = slot.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(client) = slot.as_ref() {
            return Ok(client.clone());
        }
        let client = self.make(http2).map_err(|e| FetchError::Network {
            url: url.to_string(),
            message: format!("cannot set up the HTTP client: {}", with_causes(&e)),
        })?;
        *slot = Some(client.clone());
        Ok(client)
    }

    /// Starts making the client now, on a thread of its own, for a caller
    /// that will likely go to the network: the trust roots are then read
    /// while the providers load instead of after the first request is
    /// asked for; the HTTP/2 one first when some origin is known to want
    /// it. The first request waits for it; if it fails, that request makes
    /// the client itself and reports why it cannot.
    pub fn make_ahead(&self) {
        let ahead = self.clone();
        let spawned = std::thread::Builder::new()
            .name("http-client".into())
            .spawn(move || {
                let fill = |slot: &std::sync::Mutex<Option<reqwest::Client>>, http2| {
                    let mut slot = slot.lock().unwrap_or_else(|e| e.into_inner());
                    if slot.is_none() {
                        *slot = ahead.make(http2).ok();
                    }
                };
                if !ahead.http2.is_empty() {
                    fill(&ahead.http2_client, true);
                }
                fill(&ahead.client, false);
            });
        if let Err(e) = spawned {
            tracing::debug!("the HTTP client is made at the first request: {e}");
        }
    }

    fn make(&self, http2: bool) -> reqwest::Result<reqwest::Client> {
        let started = Instant::now();
        let roots = self.roots.get_or_init(trust_roots).as_deref();
        let client = client_with(self.resolver.clone(), Encoding::Gzip, http2, roots)?;
        tracing::debug!(
            "HTTP client made{} in {:.1} ms",
            if http2 { " for HTTP/2 origins" } else { "" },
            started.elapsed().as_secs_f64() * 1000.0
        );
        Ok(client)
    }
}

type Lookup = futures::future::Shared<
    // Shared needs a Clone output: the lookup's error is shared, not copied.
    futures::future::BoxFuture<
        'static,
        Result<Vec<std::net::SocketAddr>, std::sync::Arc<std::io::Error>>,
    >,
>;

/// Looks each name up once for the life of the process (Steward's runs are
/// short) and shares that one lookup with every connection that asks
/// meanwhile. A failed lookup is forgotten, so the next request tries again.
#[derive(Default)]
struct CachingResolver {
    lookups: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, Lookup>>>,
}

impl CachingResolver {
    /// The one lookup of `host`, started by whoever asks first.
    fn lookup(&self, host: &str) -> Lookup {
        use futures::FutureExt;
        let mut map = self.lookups.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(host.to_string())
            .or_insert_with(|| {
                let host = host.to_string();
                async move {
                    tokio::net::lookup_host((host.as_str(), 0))
                        .await
                        .map(|addrs| addrs.collect::<Vec<_>>())
                        .map_err(std::sync::Arc::new)
                }
                .boxed()
                .shared()
            })
            .clone()
    }

    /// Starts looking `host` up now, on the runtime, so the connection that
    /// asks for it later finds the answer in (or on its way). Must be called
    /// within a tokio runtime.
    fn look_up_ahead(&self, host: &str) {
        use futures::FutureExt;
        tokio::spawn(self.lookup(host).map(drop));
    }
}

impl reqwest::dns::Resolve for CachingResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        let lookups = self.lookups.clone();
        let lookup = self.lookup(&host);
        Box::pin(async move {
            match lookup.await {
                Ok(addrs) => Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs),
                Err(error) => {
                    lookups
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .remove(&host);
                    Err(Box::new(error) as Box<dyn std::error::Error + Send + Sync>)
                }
            }
        })
    }
}

/// Redirects followed before giving up.
pub const MAX_REDIRECTS: usize = 5;

#[derive(Debug, Clone, Copy)]
pub enum Method {
    Get,
    Post,
}

#[derive(Debug, Error)]
pub enum FetchError {
    #[error("bad URL {url}: {message}")]
    BadUrl { url: String, message: String },
    /// The grant refused the URL or a redirect target.
    #[error("{0}")]
    Denied(String),
    #[error("{url} did not answer within {:.1} s", timeout.as_secs_f64())]
    Timeout { url: String, timeout: Duration },
    #[error("{url}: {message}")]
    Network { url: String, message: String },
}

/// One request to send.
pub struct Request<'a> {
    pub method: Method,
    pub url: &'a str,
    pub headers: &'a [(String, String)],
    pub body: Option<Vec<u8>>,
}

/// Sends `req`, following redirects only to granted hosts. Returns the URL
/// that finally answered and its response, body not yet read. The client's
/// per-request timeout covers reading the body too, so `timeout` bounds the
/// whole exchange.
pub async fn send(
    client: &reqwest::Client,
    grant: &Grant,
    req: Request<'_>,
    timeout: Duration,
) -> Result<(reqwest::Url, reqwest::Response), FetchError> {
    let mut url: reqwest::Url = req.url.parse().map_err(|e| FetchError::BadUrl {
        url: req.url.to_string(),
        message: format!("{e}"),
    })?;
    grant.check_url(&url).map_err(|d| FetchError::Denied(d.0))?;
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
        for (name, value) in req.headers {
            if !name.eq_ignore_ascii_case("host") {
                builder = builder.header(name, value);
            }
        }
        if let Some(b) = &body {
            builder = builder.body(b.clone());
        }
        let resp = builder
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
                .ok_or_else(|| FetchError::Network {
                    url: url.to_string(),
                    message: "redirected nowhere".to_string(),
                })?;
            grant
                .check_url(&next)
                .map_err(|d| FetchError::Denied(format!("{url} redirected to {next}: {d}")))?;
            if status == reqwest::StatusCode::SEE_OTHER
                || (matches!(method, Method::Post) && matches!(status.as_u16(), 301 | 302))
            {
                method = Method::Get;
                body = None;
            }
            url = next;
            continue;
        }
        return Ok((url, resp));
    }
    Err(FetchError::Network {
        url: url.to_string(),
        message: format!("more than {MAX_REDIRECTS} redirects"),
    })
}

/// The error for a failure while reading a response body.
pub fn body_error(url: &reqwest::Url, e: reqwest::Error, timeout: Duration) -> FetchError {
    network_error(url, e, timeout)
}

fn timed_out(url: &reqwest::Url, timeout: Duration) -> FetchError {
    FetchError::Timeout {
        url: url.to_string(),
        timeout,
    }
}

fn network_error(url: &reqwest::Url, e: reqwest::Error, timeout: Duration) -> FetchError {
    if e.is_timeout() {
        return timed_out(url, timeout);
    }
    FetchError::Network {
        url: url.to_string(),
        message: with_causes(&e),
    }
}

/// reqwest's own message is terse ("error sending request"); the causes
/// say what happened (connection refused, DNS, TLS, no trust roots).
fn with_causes(e: &reqwest::Error) -> String {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message.push_str(&format!(": {s}"));
        source = s.source();
    }
    message
}
