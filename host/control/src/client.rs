//! The control socket's client: one HTTP/1.1 request per connection,
//! JSON in and out; streamed answers feed a progress channel as they come.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use steward_engine::progress::ProgressSender;
use steward_service::ServiceError;
use tokio::net::UnixStream;

use crate::{ErrorBody, Event};

/// A running service's socket.
#[derive(Debug, Clone)]
pub struct Client {
    path: PathBuf,
}

impl Client {
    /// The service answering at `path`, if one does: `None` when there is
    /// no socket or nobody listens on it (a service that was killed). A
    /// socket this user may not open is a refusal, not a reason to open
    /// the store behind the service's back.
    ///
    /// A connection alone proves nothing: right after `kill -9` the dying
    /// process's listener still queues connections, then resets them. So
    /// the service must answer a ping; a connection closed or reset before
    /// any answer is a service that is gone.
    pub async fn connect(path: &Path) -> Result<Option<Client>, ServiceError> {
        match UnixStream::connect(path).await {
            Ok(stream) => match tokio::time::timeout(PING_WITHIN, answers(stream)).await {
                Ok(true) => Ok(Some(Client {
                    path: path.to_path_buf(),
                })),
                Ok(false) => Ok(None),
                Err(_) => Err(ServiceError::Remote {
                    status: 504,
                    message: format!(
                        "The Steward service's control socket {} accepts connections but \
                         did not answer within {} s; is `steward serve` stopped or stuck?",
                        path.display(),
                        PING_WITHIN.as_secs()
                    ),
                }),
            },
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                Err(ServiceError::Remote {
                    status: 403,
                    message: format!(
                        "Permission denied: the Steward service's control socket {} is not open \
                         to you (uid {}). An owner can add you to [control] in steward.toml and \
                         to the socket's group ([control] group).",
                        path.display(),
                        rustix::process::getuid().as_raw()
                    ),
                })
            }
            Err(_) => Ok(None),
        }
    }

    pub async fn get<T: DeserializeOwned>(&self, uri: &str) -> Result<T, ServiceError> {
        self.call(Method::GET, uri, None::<&()>).await
    }

    pub async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        uri: &str,
        body: &B,
    ) -> Result<T, ServiceError> {
        self.call(Method::POST, uri, Some(body)).await
    }

    pub async fn put<B: Serialize, T: DeserializeOwned>(
        &self,
        uri: &str,
        body: &B,
    ) -> Result<T, ServiceError> {
        self.call(Method::PUT, uri, Some(body)).await
    }

    pub async fn delete<T: DeserializeOwned>(&self, uri: &str) -> Result<T, ServiceError> {
        self.call(Method::DELETE, uri, None::<&()>).await
    }

    /// POSTs `body` and returns the raw answer (a PNG chart).
    pub async fn post_bytes<B: Serialize>(
        &self,
        uri: &str,
        body: &B,
    ) -> Result<Bytes, ServiceError> {
        let (status, bytes) = self.send(Method::POST, uri, Some(body)).await?;
        refused(status, &bytes)?;
        Ok(bytes)
    }

    async fn call<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        uri: &str,
        body: Option<&B>,
    ) -> Result<T, ServiceError> {
        let (status, bytes) = self.send(method, uri, body).await?;
        refused(status, &bytes)?;
        serde_json::from_slice(&bytes).map_err(|e| unreadable(uri, e))
    }

    /// POSTs `body` to a streaming endpoint: progress lines go to
    /// `progress` as they arrive, the last line is the result.
    pub async fn stream<B: Serialize, T: DeserializeOwned>(
        &self,
        uri: &str,
        body: &B,
        progress: Option<&ProgressSender>,
    ) -> Result<T, ServiceError> {
        let mut response = self.request(Method::POST, uri, Some(body)).await?;
        let status = response.status();
        if !status.is_success() {
            let bytes = collect(response.body_mut()).await?;
            refused(status, &bytes)?;
        }
        let mut pending: Vec<u8> = Vec::new();
        let body = response.body_mut();
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(lost)?;
            let Some(data) = frame.data_ref() else {
                continue;
            };
            pending.extend_from_slice(data);
            while let Some(end) = pending.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = pending.drain(..=end).collect();
                match serde_json::from_slice::<Event<T>>(&line).map_err(|e| unreadable(uri, e))? {
                    Event::Progress(p) => {
                        if let Some(progress) = progress {
                            progress.forward(p);
                        }
                    }
                    Event::Result(value) => return Ok(value),
                    Event::Error(e) => {
                        return Err(ServiceError::Remote {
                            status: 422,
                            message: e.error,
                        });
                    }
                }
            }
        }
        Err(ServiceError::Remote {
            status: 502,
            message: "The Steward service stopped answering before the operation finished; \
                      `steward status --history` shows how it ended."
                .to_string(),
        })
    }

    async fn send<B: Serialize>(
        &self,
        method: Method,
        uri: &str,
        body: Option<&B>,
    ) -> Result<(StatusCode, Bytes), ServiceError> {
        let mut response = self.request(method, uri, body).await?;
        let bytes = collect(response.body_mut()).await?;
        Ok((response.status(), bytes))
    }

    async fn request<B: Serialize>(
        &self,
        method: Method,
        uri: &str,
        body: Option<&B>,
    ) -> Result<hyper::Response<hyper::body::Incoming>, ServiceError> {
        let stream = UnixStream::connect(&self.path).await.map_err(lost)?;
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                .await
                .map_err(lost)?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        let payload = match body {
            Some(b) => serde_json::to_vec(b).expect("requests serialize"),
            None => Vec::new(),
        };
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .header(hyper::header::HOST, "steward")
            .header(hyper::header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(payload)))
            .expect("a well-formed request");
        sender.send_request(request).await.map_err(lost)
    }
}

/// How long a live service may take to answer the ping.
const PING_WITHIN: std::time::Duration = std::time::Duration::from_secs(10);

/// Whether anything answers a ping on `stream`: any bytes back mean a live
/// service (whatever it says: the command's own request hears its refusal);
/// end of stream or a reset mean nobody is there.
async fn answers(mut stream: UnixStream) -> bool {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let ping = b"GET /v1/ping HTTP/1.1\r\nhost: steward\r\nconnection: close\r\n\r\n";
    if stream.write_all(ping).await.is_err() {
        return false;
    }
    let mut first = [0u8; 1];
    matches!(stream.read(&mut first).await, Ok(n) if n > 0)
}

async fn collect(body: &mut hyper::body::Incoming) -> Result<Bytes, ServiceError> {
    Ok(body.collect().await.map_err(lost)?.to_bytes())
}

fn refused(status: StatusCode, bytes: &[u8]) -> Result<(), ServiceError> {
    if status.is_success() {
        return Ok(());
    }
    let message = serde_json::from_slice::<ErrorBody>(bytes)
        .map(|b| b.error)
        .unwrap_or_else(|_| format!("The Steward service answered {status}."));
    Err(ServiceError::Remote {
        status: status.as_u16(),
        message,
    })
}

fn lost(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Remote {
        status: 502,
        message: format!("The Steward service's control socket failed: {e}"),
    }
}

fn unreadable(uri: &str, e: serde_json::Error) -> ServiceError {
    ServiceError::Remote {
        status: 502,
        message: format!(
            "The Steward service's answer to {uri} could not be read ({e}); \
             is it the same version as this steward?"
        ),
    }
}
