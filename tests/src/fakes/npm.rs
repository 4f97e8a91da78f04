//! A fake npm registry: `GET /{name}` (scoped names as `@scope%2fname`)
//! answers a full packument (`dist-tags`, `versions`, `time`) for the
//! packages a test declares; every other name is a 404, as on the registry.
//! Each version's `dist.tarball` points back at this server, which serves a
//! real tarball (`package/package.json`, `package/index.js`) whose
//! `integrity` is its true sha512, so npm, pnpm, Yarn and Bun install from it.
//! Packuments are gzip-compressed for a client that accepts it, as the
//! registry's servers do; [`FakeNpm::compressed_answers`] counts them.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Json};
use axum::routing::get;
use serde_json::{Value, json};
use sha2::{Digest, Sha512};

use super::Running;

#[derive(Debug, Clone)]
struct Package {
    versions: Vec<String>,
    tags: BTreeMap<String, String>,
    deprecated: BTreeMap<String, String>,
    /// Versions whose tarball is missing (404; the packument still lists them).
    broken: Vec<String>,
}

/// Builder for the fake registry.
#[derive(Debug, Clone, Default)]
pub struct FakeNpm {
    packages: BTreeMap<String, Package>,
    compressed: Arc<AtomicUsize>,
}

impl FakeNpm {
    pub fn new() -> FakeNpm {
        FakeNpm::default()
    }

    /// A package and its versions, oldest first; `latest` is the last one
    /// without a pre-release part, as `npm publish` leaves it.
    pub fn package(mut self, name: &str, versions: &[&str]) -> FakeNpm {
        let latest = versions
            .iter()
            .rev()
            .find(|v| !v.contains('-'))
            .or(versions.last())
            .map(|v| v.to_string());
        let mut tags = BTreeMap::new();
        if let Some(latest) = latest {
            tags.insert("latest".to_string(), latest);
        }
        self.packages.insert(
            name.to_string(),
            Package {
                versions: versions.iter().map(|v| v.to_string()).collect(),
                tags,
                deprecated: BTreeMap::new(),
                broken: Vec::new(),
            },
        );
        self
    }

    /// Points a dist-tag of a declared package at a version.
    pub fn tag(mut self, name: &str, tag: &str, version: &str) -> FakeNpm {
        if let Some(p) = self.packages.get_mut(name) {
            p.tags.insert(tag.to_string(), version.to_string());
        }
        self
    }

    /// Marks a version deprecated with a message.
    pub fn deprecate(mut self, name: &str, version: &str, message: &str) -> FakeNpm {
        if let Some(p) = self.packages.get_mut(name) {
            p.deprecated
                .insert(version.to_string(), message.to_string());
        }
        self
    }

    /// Makes a version's tarball download fail with a 404 (a 500 would make
    /// the tools retry for a minute), so a tool that installs it fails midway.
    pub fn break_tarball(mut self, name: &str, version: &str) -> FakeNpm {
        if let Some(p) = self.packages.get_mut(name) {
            p.broken.push(version.to_string());
        }
        self
    }

    /// Counts the packuments served gzip-compressed, from now on: read it
    /// after the registry [started](Self::start).
    pub fn compressed_answers(&self) -> Arc<AtomicUsize> {
        self.compressed.clone()
    }

    /// Serves the registry at `running.base_url()`.
    pub fn start(self) -> Running {
        let state = Arc::new(self);
        let router = Router::new()
            .route("/:name", get(packument))
            .route("/:scope/:name", get(scoped_packument))
            .route("/:name/-/:file", get(tarball))
            .route("/:scope/:name/-/:file", get(scoped_tarball))
            .with_state(state);
        Running::start(router)
    }
}

async fn packument(
    State(reg): State<Arc<FakeNpm>>,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> impl IntoResponse {
    answer(&reg, &headers, &name)
}

/// npm itself sends `@scope%2fname`; some clients send the slash plain.
async fn scoped_packument(
    State(reg): State<Arc<FakeNpm>>,
    headers: HeaderMap,
    Path((scope, name)): Path<(String, String)>,
) -> impl IntoResponse {
    answer(&reg, &headers, &format!("{scope}/{name}"))
}

async fn tarball(
    State(reg): State<Arc<FakeNpm>>,
    Path((name, file)): Path<(String, String)>,
) -> axum::response::Response {
    serve_tarball(&reg, &name, &file)
}

async fn scoped_tarball(
    State(reg): State<Arc<FakeNpm>>,
    Path((scope, name, file)): Path<(String, String, String)>,
) -> axum::response::Response {
    serve_tarball(&reg, &format!("{scope}/{name}"), &file)
}

/// `{bare}-{version}.tgz` of a declared version, else a 404.
fn serve_tarball(reg: &FakeNpm, name: &str, file: &str) -> axum::response::Response {
    let bare = name.rsplit('/').next().unwrap_or(name);
    let version = file
        .strip_prefix(&format!("{bare}-"))
        .and_then(|f| f.strip_suffix(".tgz"));
    match (reg.packages.get(name), version) {
        (Some(p), Some(v)) if p.broken.iter().any(|b| b == v) => {
            StatusCode::NOT_FOUND.into_response()
        }
        (Some(p), Some(v)) if p.versions.iter().any(|known| known == v) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/octet-stream")],
            package_tarball(name, v),
        )
            .into_response(),
        _ => (StatusCode::NOT_FOUND, Json(json!({"error": "Not found"}))).into_response(),
    }
}

/// The tarball of one version, the same bytes every time: `index.js`
/// exports `"{name}@{version}"`, so a bot (or a test) can tell which one
/// it loaded.
pub fn package_tarball(name: &str, version: &str) -> Vec<u8> {
    let manifest = json!({"name": name, "version": version, "main": "index.js", "license": "MIT"});
    let files = [
        ("package/package.json", manifest.to_string()),
        (
            "package/index.js",
            format!("module.exports = {:?};\n", format!("{name}@{version}")),
        ),
    ];
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    for (path, body) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(body.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(1_700_000_000);
        header.set_cksum();
        tar.append_data(&mut header, path, body.as_bytes())
            .expect("tar entry");
    }
    tar.into_inner().and_then(|gz| gz.finish()).expect("gzip")
}

/// Subresource integrity: `sha512-` and the base64 of the digest.
fn integrity(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let digest = Sha512::digest(bytes);
    let mut out = String::from("sha512-");
    for chunk in digest.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn answer(reg: &FakeNpm, headers: &HeaderMap, name: &str) -> axum::response::Response {
    // Tarballs are served from wherever the client reached us.
    let base = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map_or_else(
            || "http://registry.example.org".to_string(),
            |h| format!("http://{h}"),
        );
    let Some(p) = reg.packages.get(name) else {
        return (StatusCode::NOT_FOUND, Json(json!({"error": "Not found"}))).into_response();
    };
    let packument = render(&base, name, p);
    let accepts_gzip = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|h| h.split(',').any(|e| e.trim().starts_with("gzip")));
    if !accepts_gzip {
        return (StatusCode::OK, Json(packument)).into_response();
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(packument.to_string().as_bytes())
        .expect("gzip");
    let body = gz.finish().expect("gzip");
    reg.compressed.fetch_add(1, Ordering::SeqCst);
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CONTENT_ENCODING, "gzip"),
        ],
        body,
    )
        .into_response()
}

fn render(base: &str, name: &str, package: &Package) -> Value {
    let bare = name.rsplit('/').next().unwrap_or(name);
    let mut versions = serde_json::Map::new();
    let mut time = serde_json::Map::new();
    time.insert("created".into(), "2020-01-01T00:00:00.000Z".into());
    for (i, v) in package.versions.iter().enumerate() {
        let mut manifest = json!({
            "name": name,
            "version": v,
            "description": format!("{name} (fixture)"),
            "main": "index.js",
            "license": "MIT",
            "repository": {"type": "git", "url": format!("git+https://github.com/fixtures/{bare}.git")},
            "homepage": format!("https://github.com/fixtures/{bare}#readme"),
            "_id": format!("{name}@{v}"),
            "dist": {
                "integrity": integrity(&package_tarball(name, v)),
                "tarball": format!("{base}/{name}/-/{bare}-{v}.tgz"),
                "fileCount": 3,
                "unpackedSize": 2048 + i as u64,
            },
        });
        if let Some(message) = package.deprecated.get(v) {
            manifest["deprecated"] = message.clone().into();
        }
        versions.insert(v.clone(), manifest);
        time.insert(
            v.clone(),
            format!("2024-{:02}-01T00:00:00.000Z", (i % 12) + 1).into(),
        );
    }
    time.insert("modified".into(), "2024-12-01T00:00:00.000Z".into());
    json!({
        "_id": name,
        "name": name,
        "description": format!("{name} (fixture)"),
        "dist-tags": package.tags,
        "versions": versions,
        "time": time,
        "license": "MIT",
        "readme": "",
    })
}
