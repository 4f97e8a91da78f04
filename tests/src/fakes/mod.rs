//! Local stand-ins for the servers Steward talks to (Discord, a PyPI JSON
//! API, an npm registry, OSV, a release server), bound to 127.0.0.1:0 and serving only the
//! fixture data a test builds. Each can be switched to misbehave (slow,
//! garbage, server errors); none of them ever reaches the network.

pub mod discord;
pub mod npm;
pub mod osv;
pub mod pypi;
pub mod release;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use axum::middleware::{self, Next};

/// How a fake answers, switchable while it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Serve the fixtures.
    Normal,
    /// Wait this long before answering normally (beyond a client's timeout).
    Delay(Duration),
    /// Answer 200 with a body that is not JSON.
    Garbage,
    /// Answer every request with this status and an empty body.
    Status(u16),
    /// Hold the first request whose path contains `path` this long (a
    /// registry's one unlucky answer, a cache miss behind its CDN), and
    /// answer every other request, that path's later ones too, at once.
    StallFirst { path: &'static str, stall: Duration },
}

/// A running fake: its address, its mode switch and its counters.
/// Dropping it stops the server.
pub struct Running {
    addr: SocketAddr,
    tls: bool,
    mode: Arc<Mutex<Mode>>,
    requests: Arc<AtomicUsize>,
    connections: Arc<AtomicUsize>,
    /// Requests being answered now, and the most there ever were.
    in_flight: Arc<InFlight>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// A certificate a TLS fake serves, for the client to trust.
pub struct Certificate {
    /// PEM, as `SSL_CERT_FILE` takes it.
    pub pem: String,
}

impl Running {
    /// Serves `router` over plain HTTP/1.1 on a fresh loopback port from a
    /// thread of its own, so plain `#[test]` functions (which run the
    /// steward binary) can use it.
    pub fn start(router: Router) -> Running {
        Running::serve(router, None)
    }

    /// Serves `router` over TLS, offering HTTP/2 and HTTP/1.1 by ALPN as
    /// the public registries do, with a fresh self-signed certificate for
    /// 127.0.0.1; returns that certificate for the client to trust.
    pub fn start_tls(router: Router) -> (Running, Certificate) {
        Running::start_tls_offering(router, &[b"h2", b"http/1.1"])
    }

    /// As [`Running::start_tls`], offering only HTTP/1.1 by ALPN (a server
    /// that does not speak HTTP/2, or no longer does).
    pub fn start_tls_http1(router: Router) -> (Running, Certificate) {
        Running::start_tls_offering(router, &[b"http/1.1"])
    }

    fn start_tls_offering(router: Router, alpn: &[&[u8]]) -> (Running, Certificate) {
        let key = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()])
            .expect("generating a self-signed certificate");
        let pem = key.cert.pem();
        let chain = vec![key.cert.der().clone()];
        let private = rustls::pki_types::PrivateKeyDer::Pkcs8(key.key_pair.serialize_der().into());
        let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .expect("a usable certificate");
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        let running = Running::serve(router, Some(Arc::new(config)));
        (running, Certificate { pem })
    }

    fn serve(router: Router, tls: Option<Arc<rustls::ServerConfig>>) -> Running {
        let mode = Arc::new(Mutex::new(Mode::Normal));
        let requests = Arc::new(AtomicUsize::new(0));
        let connections = Arc::new(AtomicUsize::new(0));
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
        let layer_mode = mode.clone();
        let layer_requests = requests.clone();
        let in_flight = Arc::new(InFlight::default());
        let layer_in_flight = in_flight.clone();
        let stalled = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let router = router.layer(middleware::from_fn(
            move |req: Request<Body>, next: Next| {
                let mut mode = *layer_mode.lock().unwrap();
                layer_requests.fetch_add(1, Ordering::SeqCst);
                if let Mode::StallFirst { path, stall } = mode {
                    mode = if req.uri().path().contains(path)
                        && !stalled.swap(true, Ordering::SeqCst)
                    {
                        Mode::Delay(stall)
                    } else {
                        Mode::Normal
                    };
                }
                let answering = InFlight::enter(&layer_in_flight);
                async move {
                    let answer = misbehave(mode, req, next).await;
                    drop(answering);
                    answer
                }
            },
        ));
        let is_tls = tls.is_some();
        let accepted = connections.clone();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("fake server runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("binding a loopback port");
                addr_tx.send(listener.local_addr().unwrap()).unwrap();
                match tls {
                    None => axum::serve(listener, router)
                        .with_graceful_shutdown(async {
                            let _ = stop.await;
                        })
                        .await
                        .expect("fake server"),
                    Some(config) => {
                        tokio::select! {
                            _ = serve_tls(listener, router, config, accepted) => {}
                            _ = stop => {}
                        }
                    }
                }
            });
        });
        let addr = addr_rx.recv().expect("the fake server did not start");
        Running {
            addr,
            tls: is_tls,
            mode,
            requests,
            connections,
            in_flight,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    /// `127.0.0.1:PORT`, the form a grant names.
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    /// `http://127.0.0.1:PORT`, or `https://` for a TLS fake.
    pub fn base_url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    pub fn set_mode(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    /// Requests answered so far, whatever the mode.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// Connections accepted so far (counted by the TLS fake only).
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// The most requests it was answering at once so far.
    pub fn most_in_flight(&self) -> usize {
        self.in_flight.most.load(Ordering::SeqCst)
    }
}

#[derive(Default)]
struct InFlight {
    now: AtomicUsize,
    most: AtomicUsize,
}

/// One request being answered; it counts until dropped, answered or not.
struct Answering(Arc<InFlight>);

impl InFlight {
    fn enter(counts: &Arc<InFlight>) -> Answering {
        let now = counts.now.fetch_add(1, Ordering::SeqCst) + 1;
        counts.most.fetch_max(now, Ordering::SeqCst);
        Answering(counts.clone())
    }
}

impl Drop for Answering {
    fn drop(&mut self) {
        self.0.now.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        // A delayed handler may still be sleeping; do not wait for it.
        drop(self.thread.take());
    }
}

/// Accepts connections until dropped: counts each, completes its TLS
/// handshake and serves whichever protocol ALPN settled on.
async fn serve_tls(
    listener: tokio::net::TcpListener,
    router: Router,
    config: Arc<rustls::ServerConfig>,
    accepted: Arc<AtomicUsize>,
) {
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        accepted.fetch_add(1, Ordering::SeqCst);
        let acceptor = acceptor.clone();
        let service = hyper_util::service::TowerToHyperService::new(router.clone());
        tokio::spawn(async move {
            let Ok(tls) = acceptor.accept(tcp).await else {
                return;
            };
            let _ =
                hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new())
                    .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                    .await;
        });
    }
}

async fn misbehave(mode: Mode, req: Request<Body>, next: Next) -> Response<Body> {
    match mode {
        Mode::Normal | Mode::StallFirst { .. } => next.run(req).await,
        Mode::Delay(delay) => {
            tokio::time::sleep(delay).await;
            next.run(req).await
        }
        Mode::Garbage => Response::builder()
            .status(StatusCode::OK)
            .header("content-type", "application/json")
            .body(Body::from(
                "<html><body>502 Bad Gateway</body></html>\u{0}\u{1}",
            ))
            .unwrap(),
        Mode::Status(code) => Response::builder()
            .status(StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
            .body(Body::empty())
            .unwrap(),
    }
}
