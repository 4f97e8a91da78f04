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
}

/// A running fake: its address, its mode switch and its request counter.
/// Dropping it stops the server.
pub struct Running {
    addr: SocketAddr,
    mode: Arc<Mutex<Mode>>,
    requests: Arc<AtomicUsize>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Running {
    /// Serves `router` on a fresh loopback port from a thread of its own, so
    /// plain `#[test]` functions (which run the steward binary) can use it.
    pub fn start(router: Router) -> Running {
        let mode = Arc::new(Mutex::new(Mode::Normal));
        let requests = Arc::new(AtomicUsize::new(0));
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
        let layer_mode = mode.clone();
        let layer_requests = requests.clone();
        let router = router.layer(middleware::from_fn(
            move |req: Request<Body>, next: Next| {
                let mode = *layer_mode.lock().unwrap();
                layer_requests.fetch_add(1, Ordering::SeqCst);
                async move { misbehave(mode, req, next).await }
            },
        ));
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
                axum::serve(listener, router)
                    .with_graceful_shutdown(async {
                        let _ = stop.await;
                    })
                    .await
                    .expect("fake server");
            });
        });
        let addr = addr_rx.recv().expect("the fake server did not start");
        Running {
            addr,
            mode,
            requests,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    /// `127.0.0.1:PORT`, the form a grant names.
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn set_mode(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    /// Requests answered so far, whatever the mode.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
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

async fn misbehave(mode: Mode, req: Request<Body>, next: Next) -> Response<Body> {
    match mode {
        Mode::Normal => next.run(req).await,
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
