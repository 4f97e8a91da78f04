//! A fake package index speaking the simple API's JSON form (PEP 691, with
//! PEP 700's `versions`, `size` and `upload-time`): `GET /simple/{project}/`
//! answers the page PyPI serves for the projects a test declares; every
//! other project is a 404, as on PyPI. Like PyPI it can send
//! `Cache-Control` and an `ETag` (answering `If-None-Match` with 304), and
//! it logs what it served so tests can see what a cache saved. Given a
//! directory of real wheels (`wheels`), it links and serves them under
//! `/packages/` with their real size and sha256, so uv, Poetry and pip can
//! install from it.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Json};
use axum::routing::get;
use serde_json::{Value, json};

use super::{Certificate, Running};

/// One release of a project (one wheel file unless told otherwise).
#[derive(Debug, Clone)]
pub struct Release {
    pub version: String,
    pub yanked: bool,
    pub size: u64,
    pub uploaded: String,
    pub requires_python: Option<String>,
    /// Wheel tag triple, `py3-none-any` by default.
    pub tag: String,
}

impl Release {
    pub fn new(version: &str) -> Release {
        Release {
            version: version.to_string(),
            yanked: false,
            size: 10_000,
            uploaded: "2024-01-15T12:00:00.000000Z".to_string(),
            requires_python: Some(">=3.8".to_string()),
            tag: "py3-none-any".to_string(),
        }
    }
    pub fn yanked(mut self) -> Release {
        self.yanked = true;
        self
    }
    pub fn size(mut self, bytes: u64) -> Release {
        self.size = bytes;
        self
    }
    pub fn uploaded(mut self, rfc3339: &str) -> Release {
        self.uploaded = rfc3339.to_string();
        self
    }
    pub fn requires_python(mut self, spec: &str) -> Release {
        self.requires_python = Some(spec.to_string());
        self
    }
}

#[derive(Debug, Clone)]
struct Project {
    /// The display name (`discord.py`).
    name: String,
    releases: Vec<Release>,
}

/// Builder for the fake index.
#[derive(Debug, Clone, Default)]
pub struct FakePypi {
    projects: BTreeMap<String, Project>,
    /// Sent with every project answer when set (PyPI sends `max-age=900, public`).
    cache_control: Option<String>,
    /// Send an `ETag` and answer a matching `If-None-Match` with 304.
    etag: bool,
    /// Answer in the HTML form only (PEP 503), as older indexes do.
    html: bool,
    /// Real wheel files to link and serve, by file name.
    wheels: Option<PathBuf>,
    served: Served,
}

/// What the fake answered, in order: (project as asked, status).
pub type Served = Arc<Mutex<Vec<(String, u16)>>>;

/// PEP 503, as PyPI applies it to the URL.
pub fn normalize(name: &str) -> String {
    let mut out = String::new();
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !sep {
                out.push('-');
            }
            sep = true;
        } else {
            out.extend(c.to_lowercase());
            sep = false;
        }
    }
    out
}

impl FakePypi {
    pub fn new() -> FakePypi {
        FakePypi::default()
    }

    /// A project and its releases; versions are plain strings (`"2.4.0"`).
    pub fn package(self, name: &str, versions: &[&str]) -> FakePypi {
        let releases = versions.iter().map(|v| Release::new(v)).collect();
        self.project(name, releases)
    }

    /// A project with releases built by the test.
    pub fn project(mut self, name: &str, releases: Vec<Release>) -> FakePypi {
        self.projects.insert(
            normalize(name),
            Project {
                name: name.to_string(),
                releases,
            },
        );
        self
    }

    /// Sends `Cache-Control: {value}` with every project answer.
    pub fn cache_control(mut self, value: &str) -> FakePypi {
        self.cache_control = Some(value.to_string());
        self
    }

    /// Sends an `ETag` (a hash of the body) and answers a request whose
    /// `If-None-Match` matches it with 304 Not Modified.
    pub fn etag(mut self) -> FakePypi {
        self.etag = true;
        self
    }

    /// Answers every page in the HTML form (PEP 503) whatever the client
    /// asks for, as an index without the JSON form does.
    pub fn html_only(mut self) -> FakePypi {
        self.html = true;
        self
    }

    /// Links each release to the real wheel of the same name in `dir`
    /// (`{dist}-{version}-py3-none-any.whl`) and serves it under
    /// `/packages/`, with its real size and sha256.
    pub fn wheels(mut self, dir: &std::path::Path) -> FakePypi {
        self.wheels = Some(dir.to_path_buf());
        self
    }

    /// The log of answers, shared with the running server.
    pub fn served(&self) -> Served {
        self.served.clone()
    }

    /// Serves the index; its base URL is `{running.base_url()}/simple`.
    pub fn start(self) -> Running {
        Running::start(self.router())
    }

    /// Serves the index over TLS with HTTP/2, as PyPI does.
    pub fn start_tls(self) -> (Running, Certificate) {
        Running::start_tls(self.router())
    }

    /// Over TLS, offering only HTTP/1.1.
    pub fn start_tls_http1(self) -> (Running, Certificate) {
        Running::start_tls_http1(self.router())
    }

    fn router(self) -> Router {
        Router::new()
            .route("/simple/:project/", get(project_page))
            .route("/packages/:file", get(wheel_file))
            .with_state(Arc::new(self))
    }
}

async fn project_page(
    State(index): State<Arc<FakePypi>>,
    Path(project): Path<String>,
    request: HeaderMap,
) -> impl IntoResponse {
    let Some(p) = index.projects.get(&normalize(&project)) else {
        index.served.lock().unwrap().push((project, 404));
        return (StatusCode::NOT_FOUND, Json(json!({"message": "Not Found"}))).into_response();
    };
    let (body, content_type) = if index.html {
        (render_html(&index, p), "text/html; charset=utf-8")
    } else {
        (
            render(&index, p).to_string(),
            "application/vnd.pypi.simple.v1+json",
        )
    };
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, content_type.parse().unwrap());
    if let Some(value) = &index.cache_control {
        headers.insert(header::CACHE_CONTROL, value.parse().unwrap());
    }
    let mut status = StatusCode::OK;
    if index.etag {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(body.as_bytes());
        let tag = format!("\"{}\"", hex::encode(&digest[..8]));
        let matches = request
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|t| t.trim() == tag));
        headers.insert(header::ETAG, tag.parse().unwrap());
        if matches {
            status = StatusCode::NOT_MODIFIED;
        }
    }
    index
        .served
        .lock()
        .unwrap()
        .push((project, status.as_u16()));
    if status == StatusCode::NOT_MODIFIED {
        return (status, headers).into_response();
    }
    (status, headers, body).into_response()
}

/// A served wheel, as `/packages/{file}` (404 when it is not in the directory).
async fn wheel_file(
    State(index): State<Arc<FakePypi>>,
    Path(file): Path<String>,
) -> impl IntoResponse {
    let found = index
        .wheels
        .as_ref()
        .filter(|_| !file.contains('/') && !file.starts_with('.'))
        .and_then(|dir| std::fs::read(dir.join(&file)).ok());
    index
        .served
        .lock()
        .unwrap()
        .push((file, if found.is_some() { 200 } else { 404 }));
    match found {
        Some(bytes) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/octet-stream")],
            bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// A release's file: its name, URL, sha256 and size. With real wheels the
/// URL is relative to the project page (`../../packages/…`) and the hash and
/// size are the file's own.
fn file_of(
    index: &FakePypi,
    project: &Project,
    release: &Release,
) -> (String, String, String, u64) {
    let dist = normalize(&project.name).replace('-', "_");
    let filename = format!("{dist}-{}-{}.whl", release.version, release.tag);
    let real = index
        .wheels
        .as_ref()
        .and_then(|dir| std::fs::read(dir.join(&filename)).ok());
    match real {
        Some(bytes) => {
            use sha2::Digest;
            let sha = hex::encode(sha2::Sha256::digest(&bytes));
            let url = format!("../../packages/{filename}");
            (filename, url, sha, bytes.len() as u64)
        }
        None => {
            let url = format!("https://files.example.org/packages/{filename}");
            (filename, url, "0".repeat(64), release.size)
        }
    }
}

fn file(index: &FakePypi, project: &Project, release: &Release) -> Value {
    let (filename, url, sha, size) = file_of(index, project, release);
    json!({
        "filename": filename,
        "url": url,
        "hashes": {"sha256": sha},
        "requires-python": release.requires_python,
        "yanked": if release.yanked { Value::from("broken release") } else { Value::from(false) },
        "size": size,
        "upload-time": release.uploaded,
        "core-metadata": false,
        "data-dist-info-metadata": false,
    })
}

fn render(index: &FakePypi, project: &Project) -> Value {
    json!({
        "meta": {"api-version": "1.1", "_last-serial": 1},
        "name": normalize(&project.name),
        "versions": project.releases.iter().map(|r| r.version.clone()).collect::<Vec<_>>(),
        "files": project.releases.iter().map(|r| file(index, project, r)).collect::<Vec<_>>(),
    })
}

/// The PEP 503 page: one anchor per file, `data-requires-python` escaped
/// and `data-yanked` as PyPI writes them.
fn render_html(index: &FakePypi, project: &Project) -> String {
    let mut page = format!(
        "<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"1.0\">\n    <title>Links for {0}</title>\n  </head>\n  <body>\n    <h1>Links for {0}</h1>\n",
        project.name
    );
    for release in &project.releases {
        let (filename, url, sha, _) = file_of(index, project, release);
        let mut anchor = format!("    <a href=\"{url}#sha256={sha}\"");
        if let Some(spec) = &release.requires_python {
            let escaped = spec
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            anchor.push_str(&format!(" data-requires-python=\"{escaped}\""));
        }
        if release.yanked {
            anchor.push_str(" data-yanked=\"broken release\"");
        }
        page.push_str(&format!("{anchor}>{filename}</a><br />\n"));
    }
    page.push_str("  </body>\n</html>\n");
    page
}
