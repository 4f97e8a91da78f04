//! A fake OSV API: `POST /v1/querybatch` and `GET /v1/vulns/{id}` in OSV's
//! shapes, for advisories a test declares. An advisory lists the versions it
//! affects explicitly (as real OSV entries do in `affected[].versions`), so
//! the fake matches queries without ordering versions itself.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::Running;
use super::pypi::normalize;

/// One advisory for one package.
#[derive(Debug, Clone)]
pub struct Advisory {
    pub id: String,
    pub summary: String,
    /// `PyPI` or `npm`.
    pub ecosystem: String,
    pub package: String,
    /// Every affected version.
    pub affected: Vec<String>,
    pub introduced: String,
    /// The first fixed version; `None` when no fix exists.
    pub fixed: Option<String>,
    /// GitHub's label (`HIGH`…), in `database_specific.severity`.
    pub severity: Option<String>,
}

impl Advisory {
    pub fn new(id: &str, ecosystem: &str, package: &str, affected: &[&str]) -> Advisory {
        Advisory {
            id: id.to_string(),
            summary: format!("{package}: fixture advisory {id}"),
            ecosystem: ecosystem.to_string(),
            package: package.to_string(),
            affected: affected.iter().map(|v| v.to_string()).collect(),
            introduced: "0".to_string(),
            fixed: None,
            severity: Some("HIGH".to_string()),
        }
    }
    pub fn fixed_in(mut self, version: &str) -> Advisory {
        self.fixed = Some(version.to_string());
        self
    }
    pub fn summary(mut self, text: &str) -> Advisory {
        self.summary = text.to_string();
        self
    }
}

#[derive(Debug, Default)]
pub struct FakeOsv {
    advisories: Vec<Advisory>,
    /// Every querybatch body received, for tests that check what was asked.
    queries: Arc<Mutex<Vec<Value>>>,
}

impl FakeOsv {
    pub fn new() -> FakeOsv {
        FakeOsv::default()
    }

    pub fn advisory(mut self, advisory: Advisory) -> FakeOsv {
        self.advisories.push(advisory);
        self
    }

    /// Serves OSV at `running.base_url()`; the second value holds every
    /// querybatch body received.
    pub fn start(self) -> (Running, Arc<Mutex<Vec<Value>>>) {
        let queries = self.queries.clone();
        let router = Router::new()
            .route("/v1/querybatch", post(querybatch))
            .route("/v1/vulns/:id", get(vuln))
            .with_state(Arc::new(self));
        (Running::start(router), queries)
    }
}

fn same_package(ecosystem: &str, a: &str, b: &str) -> bool {
    if ecosystem == "PyPI" {
        normalize(a) == normalize(b)
    } else {
        a == b
    }
}

async fn querybatch(State(osv): State<Arc<FakeOsv>>, Json(body): Json<Value>) -> impl IntoResponse {
    osv.queries.lock().unwrap().push(body.clone());
    let Some(queries) = body["queries"].as_array() else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"code": 3, "message": "queries is required"})),
        )
            .into_response();
    };
    let results: Vec<Value> = queries
        .iter()
        .map(|q| {
            let ecosystem = q["package"]["ecosystem"].as_str().unwrap_or("");
            let name = q["package"]["name"].as_str().unwrap_or("");
            let version = q["version"].as_str().unwrap_or("");
            let vulns: Vec<Value> = osv
                .advisories
                .iter()
                .filter(|a| {
                    a.ecosystem == ecosystem
                        && same_package(ecosystem, &a.package, name)
                        && a.affected.iter().any(|v| v == version)
                })
                .map(|a| json!({"id": a.id, "modified": "2024-06-01T00:00:00Z"}))
                .collect();
            if vulns.is_empty() {
                json!({})
            } else {
                json!({"vulns": vulns})
            }
        })
        .collect();
    (StatusCode::OK, Json(json!({"results": results}))).into_response()
}

async fn vuln(State(osv): State<Arc<FakeOsv>>, Path(id): Path<String>) -> impl IntoResponse {
    match osv.advisories.iter().find(|a| a.id == id) {
        Some(a) => (StatusCode::OK, Json(render(a))).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({"code": 5, "message": "Bug not found."})),
        )
            .into_response(),
    }
}

fn render(a: &Advisory) -> Value {
    let mut events = vec![json!({"introduced": a.introduced})];
    if let Some(fixed) = &a.fixed {
        events.push(json!({"fixed": fixed}));
    }
    let range_type = if a.ecosystem == "npm" {
        "SEMVER"
    } else {
        "ECOSYSTEM"
    };
    json!({
        "schema_version": "1.6.0",
        "id": a.id,
        "modified": "2024-06-01T00:00:00Z",
        "published": "2024-05-01T00:00:00Z",
        "aliases": [format!("CVE-2024-{}", a.id.len() * 1000 + a.affected.len())],
        "summary": a.summary,
        "details": format!("{}\n\nFixture details.", a.summary),
        "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}],
        "affected": [{
            "package": {"ecosystem": a.ecosystem, "name": a.package,
                        "purl": format!("pkg:{}/{}", a.ecosystem.to_lowercase(), a.package)},
            "ranges": [{"type": range_type, "events": events}],
            "versions": a.affected,
            "database_specific": {"source": "fixture"},
        }],
        "references": [
            {"type": "ADVISORY", "url": format!("https://github.com/advisories/{}", a.id)},
            {"type": "PACKAGE", "url": format!("https://example.org/{}", a.package)},
        ],
        "database_specific": {"severity": a.severity, "github_reviewed": true, "cwe_ids": []},
    })
}
