//! A fake release server for the `release` provider and the host's download
//! step: a manifest at `/manifest.json` and files at `/files/NAME` (NAME may
//! hold slashes: a delta release's files), both set
//! by the test while the server runs (URLs in a manifest need the server's
//! port), plus `/redirect?to=URL` answering 302 to wherever the test says.
//! Also what a release publisher makes: tarballs (well-formed or hostile)
//! and minisign signatures by a key generated in the test.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use super::Running;

#[derive(Default)]
struct Served {
    manifest: Option<Vec<u8>>,
    files: BTreeMap<String, Vec<u8>>,
    /// The names asked for under `/files/`, in order.
    asked: Vec<String>,
}

/// A running release server.
pub struct FakeReleases {
    pub server: Running,
    served: Arc<Mutex<Served>>,
}

impl FakeReleases {
    pub fn start() -> FakeReleases {
        let served = Arc::new(Mutex::new(Served::default()));
        let router = Router::new()
            .route("/manifest.json", get(manifest))
            .route("/files/*name", get(file))
            .route("/redirect", get(redirect))
            .with_state(served.clone());
        FakeReleases {
            server: Running::start(router),
            served,
        }
    }

    /// Serves `body` as the manifest (any bytes: tests serve broken ones too).
    pub fn set_manifest(&self, body: impl Into<Vec<u8>>) {
        self.served.lock().unwrap().manifest = Some(body.into());
    }

    /// Serves `bytes` at `/files/NAME` and returns its URL.
    pub fn put_file(&self, name: &str, bytes: impl Into<Vec<u8>>) -> String {
        self.served
            .lock()
            .unwrap()
            .files
            .insert(name.to_string(), bytes.into());
        self.file_url(name)
    }

    /// The names asked for under `/files/` so far, in order.
    pub fn asked(&self) -> Vec<String> {
        self.served.lock().unwrap().asked.clone()
    }

    pub fn file_url(&self, name: &str) -> String {
        format!("{}/files/{name}", self.server.base_url())
    }

    pub fn manifest_url(&self) -> String {
        format!("{}/manifest.json", self.server.base_url())
    }

    /// A URL on this server that redirects to `to`.
    pub fn redirect_url(&self, to: &str) -> String {
        format!("{}/redirect?to={}", self.server.base_url(), to)
    }
}

async fn manifest(State(served): State<Arc<Mutex<Served>>>) -> Response {
    match served.lock().unwrap().manifest.clone() {
        Some(body) => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn file(State(served): State<Arc<Mutex<Served>>>, Path(name): Path<String>) -> Response {
    let name = name.trim_start_matches('/').to_string();
    let mut served = served.lock().unwrap();
    served.asked.push(name.clone());
    match served.files.get(&name).cloned() {
        Some(body) => ([(header::CONTENT_TYPE, "application/gzip")], body).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn redirect(Query(query): Query<BTreeMap<String, String>>) -> Response {
    match query.get("to") {
        Some(to) => (StatusCode::FOUND, [(header::LOCATION, to.clone())]).into_response(),
        None => StatusCode::BAD_REQUEST.into_response(),
    }
}

/// Lowercase hex sha256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A release publisher's minisign key pair, made fresh for one test.
pub struct Signer {
    keys: minisign::KeyPair,
}

impl Default for Signer {
    fn default() -> Self {
        Signer::new()
    }
}

impl Signer {
    pub fn new() -> Signer {
        Signer {
            keys: minisign::KeyPair::generate_unencrypted_keypair().expect("generating a key"),
        }
    }

    /// The `RW…` line of the `.pub` file, as an operator pastes it into
    /// `verify_key`.
    pub fn public_key(&self) -> String {
        self.keys.pk.to_base64()
    }

    /// The `.minisig` file's text for `bytes` (prehashed, as minisign makes
    /// them by default).
    pub fn sign(&self, bytes: &[u8], file_name: &str) -> String {
        let trusted = format!("file:{file_name}");
        minisign::sign(
            Some(&self.keys.pk),
            &self.keys.sk,
            std::io::Cursor::new(bytes),
            Some(&trusted),
            None,
        )
        .expect("signing")
        .into_string()
    }
}

/// A `.tar.gz` of regular files (and the directories above them), as a
/// release is published.
pub fn tarball(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, data) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        builder
            .append_data(&mut header, path, *data)
            .expect("adding a file");
    }
    gzip(&builder.into_inner().expect("finishing the tar"))
}

/// A `.tar.gz` whose one entry is what tar's own builder refuses to write:
/// `path` verbatim (`../x` climbs out) with `kind` (a symlink to `link`).
pub fn hostile_tarball(
    path: &str,
    kind: tar::EntryType,
    link: Option<&str>,
    data: &[u8],
) -> Vec<u8> {
    let mut header = tar::Header::new_gnu();
    // Written raw: `set_path` refuses `..` and absolute paths.
    header.as_old_mut().name[..path.len()].copy_from_slice(path.as_bytes());
    if let Some(link) = link {
        header.as_old_mut().linkname[..link.len()].copy_from_slice(link.as_bytes());
    }
    header.set_entry_type(kind);
    header.set_size(data.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    let mut builder = tar::Builder::new(Vec::new());
    builder.append(&header, data).expect("adding the entry");
    gzip(&builder.into_inner().expect("finishing the tar"))
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).expect("gzip");
    gz.finish().expect("gzip")
}
