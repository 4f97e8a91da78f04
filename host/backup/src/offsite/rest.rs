//! A restic REST server as a `rustic_core` backend (the protocol of
//! restic's `rest-server` and `rclone serve restic`), on the reqwest the
//! workspace already builds. The URL never carries the credentials: they
//! go in each request's basic-auth header, so no error message can hold
//! them.

use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::blocking::{Client, RequestBuilder, Response};
use rustic_core::{
    BytesList, ErrorKind, FileType, Id, ReadBackend, RusticError, RusticResult, WriteBackend,
};
use steward_core::failure::BackendCause;

use super::cause::classified;

/// Attempts per request when the server cannot be reached or answers 5xx.
const ATTEMPTS: u32 = 3;

#[derive(Debug)]
pub(crate) struct RestBackend {
    /// Ends in '/'.
    url: String,
    client: Client,
    auth: Option<(String, String)>,
}

/// Why a request failed, said without the request's credentials.
fn failure(what: &str, url: &str, e: &reqwest::Error) -> Box<RusticError> {
    let mut text = String::new();
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(cause) = source {
        text = cause.to_string();
        source = cause.source();
    }
    let (reason, cause) = if e.is_timeout() {
        ("timed out".to_string(), Some(BackendCause::TimedOut))
    } else if e.is_connect() {
        (
            format!("cannot connect ({text})"),
            Some(BackendCause::Unreachable { error: text }),
        )
    } else if text.is_empty() {
        (e.to_string(), None)
    } else {
        (text, None)
    };
    let e = RusticError::new(ErrorKind::Backend, "{what} {url} failed: {reason}")
        .attach_context("what", what)
        .attach_context("url", url)
        .attach_context("reason", reason);
    match cause {
        Some(cause) => classified(*e, cause),
        None => e,
    }
}

fn missing(path: &str) -> Box<RusticError> {
    classified(
        *RusticError::new(ErrorKind::Backend, "the server has no {path}")
            .attach_context("path", path),
        BackendCause::Missing { path: path.into() },
    )
}

fn refused(what: &str, url: &str, status: StatusCode) -> Box<RusticError> {
    let (reason, cause) = match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => (
            format!(
                "the server refused the credentials (HTTP {status}): check user and password_env or password_file"
            ),
            BackendCause::CredentialsRefused {
                status: status.as_u16(),
            },
        ),
        _ => (
            format!("the server answered HTTP {status}"),
            BackendCause::Status {
                status: status.as_u16(),
            },
        ),
    };
    classified(
        *RusticError::new(ErrorKind::Backend, "{what} {url} failed: {reason}")
            .attach_context("what", what)
            .attach_context("url", url)
            .attach_context("reason", reason),
        cause,
    )
}

impl RestBackend {
    pub(crate) fn new(url: &str, auth: Option<(String, String)>) -> RusticResult<Self> {
        let mut url = url.to_string();
        if !url.ends_with('/') {
            url.push('/');
        }
        let client = Client::builder()
            .user_agent(concat!("steward/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            // Packs are large; a slow link still finishes one.
            .timeout(Duration::from_secs(600))
            .build()
            .map_err(|e| {
                RusticError::with_source(ErrorKind::Backend, "cannot build the HTTP client", e)
            })?;
        Ok(RestBackend { url, client, auth })
    }

    fn path(tpe: FileType, id: &Id) -> String {
        if tpe == FileType::Config {
            "config".into()
        } else {
            format!("{}/{}", tpe.dirname(), id.to_hex().as_str())
        }
    }

    /// Sends what `build` makes, again after a short pause when the server
    /// was unreachable or failed (5xx); a 4xx answer is final.
    fn send(
        &self,
        what: &str,
        path: &str,
        build: impl Fn(&Client, &str) -> RequestBuilder,
        accept_missing: bool,
    ) -> RusticResult<Option<Response>> {
        let url = format!("{}{path}", self.url);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut request = build(&self.client, &url);
            if let Some((user, secret)) = &self.auth {
                request = request.basic_auth(user, Some(secret));
            }
            let retry = match request.send() {
                Ok(response) if response.status().is_success() => return Ok(Some(response)),
                Ok(response) if accept_missing && response.status() == StatusCode::NOT_FOUND => {
                    return Ok(None);
                }
                Ok(response) if response.status().is_client_error() => {
                    return Err(refused(what, &url, response.status()));
                }
                Ok(response) => refused(what, &url, response.status()),
                Err(e) => failure(what, &url, &e),
            };
            if attempt >= ATTEMPTS {
                return Err(retry);
            }
            std::thread::sleep(Duration::from_millis(250 * u64::from(attempt)));
        }
    }

    fn body(what: &str, url: &str, response: Response) -> RusticResult<Bytes> {
        response.bytes().map_err(|e| failure(what, url, &e))
    }
}

impl ReadBackend for RestBackend {
    fn location(&self) -> String {
        format!("rest:{}", self.url)
    }

    fn list_with_size(&self, tpe: FileType) -> RusticResult<Vec<(Id, u32)>> {
        if tpe == FileType::Config {
            let found = self.send("reading", "config", |c, u| c.head(u), true)?;
            return Ok(found.map(|_| (Id::default(), 0)).into_iter().collect());
        }
        #[derive(serde::Deserialize)]
        struct Entry {
            name: String,
            size: u32,
        }
        let path = format!("{}/", tpe.dirname());
        let Some(response) = self.send(
            "listing",
            &path,
            |c, u| {
                c.get(u)
                    .header("Accept", "application/vnd.x.restic.rest.v2")
            },
            true,
        )?
        else {
            return Ok(Vec::new());
        };
        let body = Self::body("listing", &path, response)?;
        let entries: Option<Vec<Entry>> = serde_json::from_slice(&body).map_err(|e| {
            RusticError::with_source(
                ErrorKind::Backend,
                "the server's list of {path} is not restic's REST v2 format",
                e,
            )
            .attach_context("path", path.clone())
        })?;
        Ok(entries
            .unwrap_or_default()
            .into_iter()
            .filter_map(|e| Some((Id::parse_some(&e.name, tpe)?, e.size)))
            .collect())
    }

    fn read_full(&self, tpe: FileType, id: &Id) -> RusticResult<Bytes> {
        let path = Self::path(tpe, id);
        let response = self
            .send("reading", &path, |c, u| c.get(u), false)?
            .ok_or_else(|| missing(&path))?;
        Self::body("reading", &path, response)
    }

    fn read_partial(
        &self,
        tpe: FileType,
        id: &Id,
        _cacheable: bool,
        offset: u32,
        length: u32,
    ) -> RusticResult<Bytes> {
        let path = Self::path(tpe, id);
        let end = u64::from(offset) + u64::from(length).max(1) - 1;
        let range = format!("bytes={offset}-{end}");
        let response = self
            .send(
                "reading",
                &path,
                |c, u| c.get(u).header("Range", range.clone()),
                false,
            )?
            .ok_or_else(|| missing(&path))?;
        Self::body("reading", &path, response)
    }

    fn warmup_path(&self, tpe: FileType, id: &Id) -> String {
        format!("{}{}", self.url, Self::path(tpe, id))
    }
}

impl WriteBackend for RestBackend {
    fn create(&self) -> RusticResult<()> {
        self.send("creating", "?create=true", |c, u| c.post(u), false)?;
        Ok(())
    }

    fn write_bytes(
        &self,
        tpe: FileType,
        id: &Id,
        _cacheable: bool,
        content: BytesList,
    ) -> RusticResult<()> {
        let path = Self::path(tpe, id);
        let mut body = Vec::with_capacity(content.size());
        for part in content.slice() {
            body.extend_from_slice(part);
        }
        let body = Bytes::from(body);
        self.send("writing", &path, |c, u| c.post(u).body(body.clone()), false)?;
        Ok(())
    }

    fn remove(&self, tpe: FileType, id: &Id, _cacheable: bool) -> RusticResult<()> {
        let path = Self::path(tpe, id);
        self.send("removing", &path, |c, u| c.delete(u), true)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;

    use super::*;
    use crate::offsite::cause::found;
    use crate::repository::describe;

    /// A server that answers every request with `status` and no body.
    fn answering(status: &'static str) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/bot/", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf);
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
            }
        });
        url
    }

    /// A port nothing listens on: the CLI's English says it cannot
    /// connect, and the copy finds the failure classified as unreachable
    /// with the system's words.
    #[test]
    fn an_unreachable_server_is_classified_with_the_systems_words() {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let be = RestBackend::new(&format!("http://127.0.0.1:{port}/bot"), None).unwrap();
        let e = be.list_with_size(FileType::Config).unwrap_err();
        let Some(BackendCause::Unreachable { error }) = found(&e) else {
            panic!("{:?}", found(&e));
        };
        assert!(error.to_lowercase().contains("refused"), "{error}");
        assert_eq!(
            describe(&e),
            format!("reading http://127.0.0.1:{port}/bot/config failed: cannot connect ({error})")
        );
    }

    /// 401 and 403 are refused credentials, another status is the status,
    /// each classified beside the CLI's unchanged English.
    #[test]
    fn a_refusing_server_is_classified_by_its_status() {
        let url = answering("401 Unauthorized");
        let be = RestBackend::new(&url, Some(("steward".into(), "secret".into()))).unwrap();
        let e = be.list_with_size(FileType::Config).unwrap_err();
        assert_eq!(
            found(&e),
            Some(BackendCause::CredentialsRefused { status: 401 })
        );
        assert_eq!(
            describe(&e),
            format!(
                "reading {url}config failed: the server refused the credentials \
                 (HTTP 401 Unauthorized): check user and password_env or password_file"
            )
        );
        assert!(!describe(&e).contains("secret"));
        let url = answering("418 I'm a teapot");
        let be = RestBackend::new(&url, None).unwrap();
        let e = be.create().unwrap_err();
        assert_eq!(found(&e), Some(BackendCause::Status { status: 418 }));
        assert_eq!(
            describe(&e),
            format!("creating {url}?create=true failed: the server answered HTTP 418 I'm a teapot")
        );
    }

    /// A file the server does not have (a read answered 404) is classified
    /// by its status.
    #[test]
    fn a_missing_file_is_classified_by_its_status() {
        let url = answering("404 Not Found");
        let be = RestBackend::new(&url, None).unwrap();
        let e = be.read_full(FileType::Key, &Id::default()).unwrap_err();
        let path = format!("keys/{}", Id::default().to_hex().as_str());
        assert_eq!(found(&e), Some(BackendCause::Status { status: 404 }));
        assert_eq!(
            describe(&e),
            format!("reading {url}{path} failed: the server answered HTTP 404 Not Found")
        );
    }
}
