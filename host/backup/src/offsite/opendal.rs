//! SFTP and S3 targets as a `rustic_core` backend, through OpenDAL with
//! only those two services (rustic_backend's `opendal` feature would build
//! two dozen). OpenDAL's HTTP goes through the workspace's reqwest
//! (`Transport`), so S3 adds no second HTTP stack. The secret key reaches
//! OpenDAL's builder and nothing else.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use futures::TryStreamExt;
use opendal::blocking::Operator;
use opendal::options::{ListOptions, ReadOptions};
use opendal::{Buffer, HttpBody, HttpTransport, HttpTransporter};
use rustic_core::{
    ALL_FILE_TYPES, BytesList, ErrorKind, FileType, Id, ReadBackend, RusticError, RusticResult,
    WriteBackend,
};
use steward_core::failure::BackendCause;

use super::cause::classified;

/// The runtime OpenDAL's blocking operators run their async core on, made
/// at the first target opened; [`close_connections`] shuts it down.
static RUNTIME: Mutex<Option<tokio::runtime::Runtime>> = Mutex::new(None);

/// A handle on [`RUNTIME`], made now if it is not running.
fn runtime() -> RusticResult<tokio::runtime::Handle> {
    let mut slot = RUNTIME.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(runtime) = slot.as_ref() {
        return Ok(runtime.handle().clone());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| {
            RusticError::new(
                ErrorKind::Backend,
                "cannot start the runtime for offsite copies: {reason}",
            )
            .attach_context("reason", e.to_string())
        })?;
    let handle = runtime.handle().clone();
    *slot = Some(runtime);
    Ok(handle)
}

/// Ends the connections offsite targets opened. An SFTP connection is an
/// `ssh` control master that outlives the process (`ControlPersist`) until
/// its session is dropped, and the sessions live in tasks on [`RUNTIME`]:
/// shutting it down drops them, and each tells its master to exit. Without
/// this, every command that copied to an SFTP target left an `ssh` running.
/// Waits up to `within` for them. Call it once the command (or `serve`) is
/// done; it must not be called from async code.
pub fn close_connections(within: Duration) {
    let runtime = RUNTIME.lock().unwrap_or_else(|e| e.into_inner()).take();
    if let Some(runtime) = runtime {
        runtime.shutdown_timeout(within);
    }
}

/// OpenDAL's HTTP requests, sent with reqwest 0.12.
struct Transport(reqwest::Client);

impl HttpTransport for Transport {
    async fn fetch(&self, req: http::Request<Buffer>) -> opendal::Result<http::Response<HttpBody>> {
        let is_head = req.method() == http::Method::HEAD;
        let (parts, body) = req.into_parts();
        let url = parts.uri.to_string();
        let mut request = self
            .0
            .request(parts.method, &url)
            .headers(parts.headers)
            .version(parts.version);
        if !body.is_empty() {
            request = request.body(body.to_bytes());
        }
        let mut response = request.send().await.map_err(|e| {
            opendal::Error::new(opendal::ErrorKind::Unexpected, "send http request")
                .with_context("url", url.clone())
                .set_temporary()
                .set_source(e)
        })?;
        let length = if is_head
            || response
                .headers()
                .contains_key(http::header::CONTENT_ENCODING)
        {
            None
        } else {
            response.content_length()
        };
        let mut built = http::Response::builder()
            .status(response.status())
            .version(response.version())
            .extension(parts.uri);
        if let Some(headers) = built.headers_mut() {
            std::mem::swap(headers, response.headers_mut());
        }
        let stream = response
            .bytes_stream()
            .try_filter(|b| std::future::ready(!b.is_empty()))
            .map_ok(Buffer::from)
            .map_err(move |e| {
                opendal::Error::new(opendal::ErrorKind::Unexpected, "read http response")
                    .with_context("url", url.clone())
                    .set_temporary()
                    .set_source(e)
            });
        built
            .body(HttpBody::new(stream, length))
            .map_err(|e| opendal::Error::new(opendal::ErrorKind::Unexpected, e.to_string()))
    }
}

fn install_transport() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        if let Ok(client) = reqwest::Client::builder()
            .connect_timeout(std::time::Duration::from_secs(10))
            .build()
        {
            HttpTransporter::install_default(Transport(client));
        }
    });
}

#[derive(Debug)]
pub(crate) struct OpenDal {
    operator: Operator,
    location: String,
}

fn failed(what: &str, path: &str, e: opendal::Error) -> Box<RusticError> {
    // OpenDAL's message, then each cause's first line (ssh's own words
    // among them), without OpenDAL's context dump.
    let mut parts = vec![e.message().to_string()];
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        let line = cause
            .to_string()
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        if !line.is_empty() && !parts.iter().any(|p| p.contains(&line)) {
            parts.push(line);
        }
        source = cause.source();
    }
    // An S3 refusal of a HEAD request has no body, so no message.
    parts.retain(|p| !p.is_empty());
    let detail = parts.join(": ");
    let (reason, cause) = match e.kind() {
        opendal::ErrorKind::PermissionDenied if detail.is_empty() => (
            "access denied, check the credentials".to_string(),
            Some(BackendCause::AccessDenied { detail }),
        ),
        opendal::ErrorKind::PermissionDenied => (
            format!("access denied, check the credentials: {detail}"),
            Some(BackendCause::AccessDenied { detail }),
        ),
        // The target lacks the file (SFTP's "no such file", S3's 404).
        opendal::ErrorKind::NotFound => (
            detail,
            Some(BackendCause::Missing {
                path: path.to_string(),
            }),
        ),
        // Our transport's own words ("send http request") with reqwest's
        // under them, or OpenDAL's "ssh error" with openssh's reading of
        // ssh's words under it: classified by those, their text kept.
        _ => {
            let cause = transport_cause(&e);
            (detail, cause)
        }
    };
    let e = RusticError::new(ErrorKind::Backend, "{what} {path} failed: {reason}")
        .attach_context("what", what.to_string())
        .attach_context("path", path.to_string())
        .attach_context("reason", reason);
    match cause {
        Some(cause) => classified(*e, cause),
        None => e,
    }
}

/// Whether an HTTP request of S3's failed to connect or timed out, as
/// reqwest under OpenDAL's error says (the deepest cause's text is the
/// system's); else what SFTP's ssh connection met.
fn transport_cause(e: &opendal::Error) -> Option<BackendCause> {
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        if cause.downcast_ref::<reqwest::Error>().is_none()
            && let Some(io) = cause.downcast_ref::<std::io::Error>()
        {
            return ssh_cause(io);
        }
        if let Some(r) = cause.downcast_ref::<reqwest::Error>() {
            if r.is_timeout() {
                return Some(BackendCause::TimedOut);
            }
            if r.is_connect() {
                let mut text = r.to_string();
                let mut deeper = std::error::Error::source(r);
                while let Some(d) = deeper {
                    text = d.to_string();
                    deeper = d.source();
                }
                return Some(BackendCause::Unreachable { error: text });
            }
            return None;
        }
        source = cause.source();
    }
    None
}

/// An SFTP target's ssh connection that failed: openssh reads ssh's
/// message into the I/O error's kind (refused, timed out, keys refused);
/// ssh's words stay as it said them. Anything else (a host key that does
/// not match, a name that does not resolve) is left to them alone.
fn ssh_cause(io: &std::io::Error) -> Option<BackendCause> {
    use std::io::ErrorKind;
    match io.kind() {
        ErrorKind::ConnectionRefused
        | ErrorKind::NetworkUnreachable
        | ErrorKind::HostUnreachable => Some(BackendCause::Unreachable {
            error: io.to_string(),
        }),
        ErrorKind::TimedOut => Some(BackendCause::TimedOut),
        ErrorKind::PermissionDenied => Some(BackendCause::AccessDenied {
            detail: io.to_string(),
        }),
        _ => None,
    }
}

impl OpenDal {
    pub(crate) fn new(builder: impl opendal::Builder, location: String) -> RusticResult<OpenDal> {
        install_transport();
        let op = opendal::Operator::new(builder).map_err(|e| failed("opening", &location, e))?;
        let runtime = runtime()?;
        let _guard = runtime.enter();
        let operator = Operator::new(op).map_err(|e| failed("opening", &location, e))?;
        Ok(OpenDal { operator, location })
    }

    fn path(tpe: FileType, id: &Id) -> String {
        let hex = id.to_hex();
        let hex = hex.as_str();
        match tpe {
            FileType::Config => "config".into(),
            FileType::Pack => format!("data/{}/{hex}", &hex[..2]),
            _ => format!("{}/{hex}", tpe.dirname()),
        }
    }
}

impl ReadBackend for OpenDal {
    fn location(&self) -> String {
        self.location.clone()
    }

    fn list_with_size(&self, tpe: FileType) -> RusticResult<Vec<(Id, u32)>> {
        if tpe == FileType::Config {
            return match self.operator.stat("config") {
                Ok(meta) => Ok(vec![(
                    Id::default(),
                    u32::try_from(meta.content_length()).unwrap_or(0),
                )]),
                Err(e) if e.kind() == opendal::ErrorKind::NotFound => Ok(Vec::new()),
                Err(e) => Err(failed("reading", "config", e)),
            };
        }
        let dir = format!("{}/", tpe.dirname());
        let options = ListOptions {
            recursive: true,
            ..Default::default()
        };
        let lister = match self.operator.lister_options(&dir, options) {
            Ok(lister) => lister,
            Err(e) if e.kind() == opendal::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(failed("listing", &dir, e)),
        };
        let mut out = Vec::new();
        for entry in lister {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) if e.kind() == opendal::ErrorKind::NotFound => continue,
                Err(e) => return Err(failed("listing", &dir, e)),
            };
            let meta = entry.metadata();
            if !meta.is_file() {
                continue;
            }
            if let Some(id) = Id::parse_some(entry.name(), tpe) {
                out.push((id, u32::try_from(meta.content_length()).unwrap_or(u32::MAX)));
            }
        }
        Ok(out)
    }

    fn read_full(&self, tpe: FileType, id: &Id) -> RusticResult<Bytes> {
        let path = Self::path(tpe, id);
        self.operator
            .read(&path)
            .map(|b| b.to_bytes())
            .map_err(|e| failed("reading", &path, e))
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
        let options = ReadOptions {
            range: (u64::from(offset)..u64::from(offset) + u64::from(length)).into(),
            ..Default::default()
        };
        self.operator
            .read_options(&path, options)
            .map(|b| b.to_bytes())
            .map_err(|e| failed("reading", &path, e))
    }

    fn warmup_path(&self, tpe: FileType, id: &Id) -> String {
        Self::path(tpe, id)
    }
}

impl WriteBackend for OpenDal {
    fn create(&self) -> RusticResult<()> {
        for tpe in ALL_FILE_TYPES {
            let dir = format!("{}/", tpe.dirname());
            self.operator
                .create_dir(&dir)
                .map_err(|e| failed("creating", &dir, e))?;
        }
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
        if let Some(parent) = path.rsplit_once('/').map(|(dir, _)| format!("{dir}/")) {
            self.operator
                .create_dir(&parent)
                .map_err(|e| failed("creating", &parent, e))?;
        }
        self.operator
            .write(&path, content.into_vec())
            .map_err(|e| failed("writing", &path, e))?;
        Ok(())
    }

    fn remove(&self, tpe: FileType, id: &Id, _cacheable: bool) -> RusticResult<()> {
        let path = Self::path(tpe, id);
        self.operator
            .delete(&path)
            .map_err(|e| failed("removing", &path, e))
    }
}

/// The backend of an SFTP target.
pub(crate) fn sftp(
    host: &str,
    port: u16,
    user: &str,
    path: &str,
    key_file: Option<&std::path::Path>,
) -> RusticResult<Arc<OpenDal>> {
    let mut builder = opendal::services::Sftp::default()
        .endpoint(&format!("ssh://{user}@{host}:{port}"))
        .user(user)
        .root(path)
        .known_hosts_strategy("Strict");
    if let Some(key) = key_file {
        builder = builder.key(&key.to_string_lossy());
    }
    let location = format!("sftp://{user}@{host}:{port}{path}");
    Ok(Arc::new(OpenDal::new(builder, location)?))
}

/// The backend of an S3 target.
pub(crate) fn s3(
    endpoint: Option<&str>,
    region: &str,
    bucket: &str,
    root: Option<&str>,
    access_key: &str,
    secret_key: &str,
) -> RusticResult<Arc<OpenDal>> {
    let mut builder = opendal::services::S3::default()
        .bucket(bucket)
        .region(region)
        .access_key_id(access_key)
        .secret_access_key(secret_key)
        // Only what steward.toml says: no ~/.aws files, no instance metadata.
        .disable_config_load()
        .disable_ec2_metadata();
    if let Some(endpoint) = endpoint {
        builder = builder.endpoint(endpoint);
    }
    if let Some(root) = root {
        builder = builder.root(root);
    }
    let location = format!(
        "s3://{bucket}/{}{}",
        root.unwrap_or("").trim_matches('/'),
        endpoint.map(|e| format!(" at {e}")).unwrap_or_default()
    );
    Ok(Arc::new(OpenDal::new(builder, location)?))
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;

    use super::*;
    use crate::offsite::cause::found;
    use crate::repository::describe;

    /// An S3 endpoint nothing listens on: classified as unreachable, the
    /// system's words kept, the CLI's English unchanged.
    #[test]
    fn an_unreachable_s3_endpoint_is_classified_with_the_systems_words() {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let endpoint = format!("http://127.0.0.1:{port}");
        let be = s3(Some(&endpoint), "us-east-1", "bot", None, "key", "secret").unwrap();
        let e = be.list_with_size(FileType::Config).unwrap_err();
        let Some(BackendCause::Unreachable { error }) = found(&e) else {
            panic!("{:?}: {}", found(&e), describe(&e));
        };
        assert!(error.to_lowercase().contains("refused"), "{error}");
        assert!(
            describe(&e).starts_with("reading config failed: "),
            "{}",
            describe(&e)
        );
        assert!(!describe(&e).contains("secret"));
    }

    /// An SFTP target whose port refuses the connection: ssh's refusal is
    /// classified as unreachable, ssh's words kept.
    #[test]
    fn a_refused_sftp_connection_is_classified_with_sshs_words() {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let be = sftp("127.0.0.1", port, "steward", "/srv/backups", None).unwrap();
        let e = be.list_with_size(FileType::Config).unwrap_err();
        let Some(BackendCause::Unreachable { error }) = found(&e) else {
            panic!("{:?}: {}", found(&e), describe(&e));
        };
        assert!(error.contains("Connection refused"), "{error}");
        assert!(describe(&e).contains(&error), "{}", describe(&e));
    }

    /// An S3 endpoint that has no such object: the file is missing there,
    /// named by its path; the CLI's English unchanged.
    #[test]
    fn a_missing_s3_object_is_classified_as_missing() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut buf = [0u8; 8192];
                let _ = stream.read(&mut buf);
                let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
                    <Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>";
                let _ = write!(
                    stream,
                    "HTTP/1.1 404 Not Found\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        let be = s3(Some(&endpoint), "us-east-1", "bot", None, "key", "secret").unwrap();
        let id = Id::default();
        let e = be.read_full(FileType::Key, &id).unwrap_err();
        let path = OpenDal::path(FileType::Key, &id);
        assert_eq!(
            found(&e),
            Some(BackendCause::Missing { path: path.clone() }),
            "{}",
            describe(&e)
        );
        assert!(
            describe(&e).starts_with(&format!("reading {path} failed: ")),
            "{}",
            describe(&e)
        );
    }

    /// An S3 endpoint that answers 403 to everything: access denied.
    #[test]
    fn a_refusing_s3_endpoint_is_classified_as_access_denied() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut buf = [0u8; 8192];
                let _ = stream.read(&mut buf);
                let _ = write!(
                    stream,
                    "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
            }
        });
        let be = s3(Some(&endpoint), "us-east-1", "bot", None, "key", "secret").unwrap();
        let e = be.list_with_size(FileType::Config).unwrap_err();
        assert!(
            matches!(found(&e), Some(BackendCause::AccessDenied { .. })),
            "{:?}: {}",
            found(&e),
            describe(&e)
        );
        assert!(
            describe(&e).contains("access denied, check the credentials"),
            "{}",
            describe(&e)
        );
    }
}
