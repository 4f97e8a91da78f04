//! A fake npm registry: `GET /{name}` (scoped names as `@scope%2fname`)
//! answers a full packument (`dist-tags`, `versions`, `time`) for the
//! packages a test declares; every other name is a 404, as on the registry.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json};
use axum::routing::get;
use serde_json::{Value, json};

use super::Running;

#[derive(Debug, Clone)]
struct Package {
    versions: Vec<String>,
    tags: BTreeMap<String, String>,
    deprecated: BTreeMap<String, String>,
}

/// Builder for the fake registry.
#[derive(Debug, Clone, Default)]
pub struct FakeNpm {
    packages: BTreeMap<String, Package>,
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

    /// Serves the registry at `running.base_url()`.
    pub fn start(self) -> Running {
        let state = Arc::new(self);
        let router = Router::new()
            .route("/:name", get(packument))
            .route("/:scope/:name", get(scoped_packument))
            .with_state(state);
        Running::start(router)
    }
}

async fn packument(State(reg): State<Arc<FakeNpm>>, Path(name): Path<String>) -> impl IntoResponse {
    answer(&reg, &name)
}

/// npm itself sends `@scope%2fname`; some clients send the slash plain.
async fn scoped_packument(
    State(reg): State<Arc<FakeNpm>>,
    Path((scope, name)): Path<(String, String)>,
) -> impl IntoResponse {
    answer(&reg, &format!("{scope}/{name}"))
}

fn answer(reg: &FakeNpm, name: &str) -> axum::response::Response {
    match reg.packages.get(name) {
        Some(p) => (StatusCode::OK, Json(render(name, p))).into_response(),
        None => (StatusCode::NOT_FOUND, Json(json!({"error": "Not found"}))).into_response(),
    }
}

fn render(name: &str, package: &Package) -> Value {
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
                "integrity": format!("sha512-{}", "A".repeat(86)),
                "shasum": "0".repeat(40),
                "tarball": format!("https://registry.example.org/{name}/-/{bare}-{v}.tgz"),
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
