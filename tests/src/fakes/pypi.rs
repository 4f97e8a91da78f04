//! A fake PyPI JSON API: `GET /pypi/{project}/json` answers the shape PyPI
//! serves (`info`, `releases` with per-file `yanked`, `size`,
//! `upload_time_iso_8601`, `requires_python`, `urls`), for the projects a
//! test declares; every other project is a 404, as on PyPI.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json};
use axum::routing::get;
use serde_json::{Value, json};

use super::Running;

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
    project_urls: BTreeMap<String, String>,
}

/// Builder for the fake index.
#[derive(Debug, Clone, Default)]
pub struct FakePypi {
    projects: BTreeMap<String, Project>,
}

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
        let mut urls = BTreeMap::new();
        urls.insert(
            "Changelog".to_string(),
            format!("https://example.org/{}/changelog", normalize(name)),
        );
        urls.insert(
            "Homepage".to_string(),
            format!("https://example.org/{}", normalize(name)),
        );
        self.projects.insert(
            normalize(name),
            Project {
                name: name.to_string(),
                releases,
                project_urls: urls,
            },
        );
        self
    }

    /// Serves the index; its base URL is `{running.base_url()}/pypi`.
    pub fn start(self) -> Running {
        let state = Arc::new(self);
        let router = Router::new()
            .route("/pypi/:project/json", get(project_json))
            .with_state(state);
        Running::start(router)
    }
}

async fn project_json(
    State(index): State<Arc<FakePypi>>,
    Path(project): Path<String>,
) -> impl IntoResponse {
    match index.projects.get(&normalize(&project)) {
        Some(p) => (StatusCode::OK, Json(render(p))).into_response(),
        None => (StatusCode::NOT_FOUND, Json(json!({"message": "Not Found"}))).into_response(),
    }
}

fn file(project: &Project, release: &Release) -> Value {
    let dist = normalize(&project.name).replace('-', "_");
    let filename = format!("{dist}-{}-{}.whl", release.version, release.tag);
    let uploaded_plain = release
        .uploaded
        .trim_end_matches('Z')
        .split('.')
        .next()
        .unwrap_or("")
        .to_string();
    json!({
        "comment_text": "",
        "digests": {"md5": "0".repeat(32), "sha256": "0".repeat(64), "blake2b_256": "0".repeat(64)},
        "downloads": -1,
        "filename": filename,
        "has_sig": false,
        "md5_digest": "0".repeat(32),
        "packagetype": "bdist_wheel",
        "python_version": release.tag.split('-').next().unwrap_or("py3"),
        "requires_python": release.requires_python,
        "size": release.size,
        "upload_time": uploaded_plain,
        "upload_time_iso_8601": release.uploaded,
        "url": format!("https://files.example.org/packages/{filename}"),
        "yanked": release.yanked,
        "yanked_reason": if release.yanked { Value::from("broken release") } else { Value::Null },
    })
}

fn render(project: &Project) -> Value {
    let releases: serde_json::Map<String, Value> = project
        .releases
        .iter()
        .map(|r| (r.version.clone(), json!([file(project, r)])))
        .collect();
    // PyPI's `info` describes the newest release that is not yanked (the
    // test lists releases oldest first).
    let current = project
        .releases
        .iter()
        .rev()
        .find(|r| !r.yanked)
        .or(project.releases.last());
    let key = normalize(&project.name);
    json!({
        "info": {
            "author": "", "author_email": "", "classifiers": [], "description": "",
            "description_content_type": "text/markdown", "docs_url": null,
            "download_url": "", "home_page": "", "keywords": "", "license": "MIT",
            "maintainer": "", "maintainer_email": "",
            "name": project.name,
            "package_url": format!("https://pypi.org/project/{key}/"),
            "platform": null,
            "project_url": format!("https://pypi.org/project/{key}/"),
            "project_urls": project.project_urls,
            "release_url": current.map(|r| format!("https://pypi.org/project/{key}/{}/", r.version)),
            "requires_dist": null,
            "requires_python": current.and_then(|r| r.requires_python.clone()),
            "summary": format!("{} (fixture)", project.name),
            "version": current.map(|r| r.version.clone()),
            "yanked": false,
            "yanked_reason": null,
        },
        "last_serial": 1,
        "releases": releases,
        "urls": current.map(|r| json!([file(project, r)])).unwrap_or(json!([])),
        "vulnerabilities": [],
    })
}
