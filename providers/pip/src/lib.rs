//! The `pip` provider: updates for the Python packages in the managed bot's
//! virtualenv. It reads the venv and requirements files (granted read-only),
//! asks the package index and OSV through the host in one concurrent batch,
//! and returns `python -m pip install` plans; it never changes the venv itself.
//!
//! Settings: `venv` (`.venv`), `requirements` (JSON array, `["requirements.txt"]`),
//! `index_url` (`https://pypi.org/simple`, the simple index as pip's
//! `--index-url` names it; PEP 691 JSON, or PEP 503 HTML), `osv_url`
//! (`https://api.osv.dev`), `include_prereleases`, `include_yanked` (false),
//! `timeout_ms` (per request, 20000).

pub mod assess;
pub mod html;
pub mod index;
pub mod plan;
pub mod requirements;
pub mod settings;
pub mod venv;

use std::str::FromStr;

use pep440_rs::Version;
use steward_sdk::osv::{self, Findings};
use steward_sdk::{
    Context, Error, ErrorCode, HttpResponse, Info, Plan, Provider, Report, Settings, Update,
    UpdateKind, http,
};

use crate::index::Filter;
use crate::settings::PipSettings;
use crate::venv::Installed;

pub struct Pip;

impl Provider for Pip {
    fn describe(settings: Settings) -> Info {
        // Unusable settings fall back to the defaults here; `check` reports them.
        let s = PipSettings::parse("{bot}", &settings)
            .or_else(|_| PipSettings::parse("{bot}", &[]))
            .expect("the default settings parse");
        let mut install: Vec<&str> = plan::INSTALL.to_vec();
        install.extend(["{pip-pin}", "..."]);
        let mut uninstall: Vec<&str> = plan::UNINSTALL.to_vec();
        uninstall.extend(["{pip-name}", "..."]);
        let mut info = Info::new(
            "pip",
            env!("CARGO_PKG_VERSION"),
            "Python packages in the bot's virtualenv (PyPI, OSV advisories)",
            &[UpdateKind::Package],
        )
        .read("{bot}");
        for path in std::iter::once(&s.venv).chain(&s.requirements) {
            if !path.starts_with("{bot}") {
                let dir = if path == &s.venv {
                    path.as_str()
                } else {
                    path.rsplit_once('/').map_or("/", |(dir, _)| dir)
                };
                if !info.wants.read.iter().any(|r| r == dir) {
                    info = info.read(dir);
                }
            }
        }
        for url in [&s.index_url, &s.osv_url] {
            if let Some(host) = http::authority(url)
                && !info.wants.http.contains(&host)
            {
                info = info.http(&host);
            }
        }
        info.program(&s.python(), &[&install, &uninstall])
    }

    fn check(ctx: Context) -> Result<Report, Error> {
        let s = PipSettings::parse(&ctx.bot_root, &ctx.settings)?;
        // A bot without a virtualenv has nothing installed to update: say so,
        // as long as the bot's directory itself is visible (else: no grant).
        if !std::path::Path::new(&s.venv).exists() && std::fs::read_dir(&ctx.bot_root).is_ok() {
            return Ok(Report {
                updates: Vec::new(),
                warnings: vec![format!(
                    "no virtualenv at {}: nothing installed to check (create it with `python3 -m venv` and install the requirements)",
                    s.venv
                )],
            });
        }
        let venv = venv::read(&s.venv)?;
        let python = venv
            .python_version
            .as_deref()
            .and_then(requirements::Python::parse);
        let reqs = requirements::read(&s.requirements, s.requirements_configured, python.as_ref());
        let mut report = Report {
            updates: Vec::new(),
            warnings: reqs.warnings.clone(),
        };
        let packages: Vec<&Installed> = venv.packages.iter().filter(|p| !p.local).collect();
        if packages.is_empty() {
            report
                .warnings
                .push(format!("no installed distributions found in {}", s.venv));
            return Ok(report);
        }

        // The index requests and the OSV query travel in one batch.
        let mut requests: Vec<_> = packages
            .iter()
            .map(|p| {
                let mut r = http::get(&format!("{}/{}/", s.index_url, p.key));
                r.headers
                    .push(("accept".to_string(), index::ACCEPT.to_string()));
                r.timeout_ms = Some(s.timeout_ms);
                r
            })
            .collect();
        let queries: Vec<osv::Package> = packages
            .iter()
            .map(|p| osv::Package {
                ecosystem: assess::ECOSYSTEM.to_string(),
                name: p.name.clone(),
                version: p.version.clone(),
            })
            .collect();
        if ctx.include_security {
            requests.push(osv::querybatch_request(
                &s.osv_url,
                &queries,
                Some(s.timeout_ms),
            ));
        }
        let mut answers = http::send_all(&requests);
        let findings = if ctx.include_security {
            osv::complete_or_warn(
                &s.osv_url,
                &queries,
                &mut answers,
                Some(s.timeout_ms),
                &mut report.warnings,
            )
        } else {
            Findings::default()
        };
        report.warnings.extend(findings.warnings.iter().cloned());

        let filter = Filter {
            include_prereleases: s.include_prereleases,
            include_yanked: s.include_yanked,
            python: venv
                .python_version
                .as_deref()
                .and_then(|v| Version::from_str(v).ok()),
        };
        let mut failures: Vec<Error> = Vec::new();
        for (i, (package, answer)) in packages.iter().zip(answers).enumerate() {
            let body = index_body(answer);
            let project = match parse_project(&body, &package.key) {
                Ok(Some(project)) => project,
                Ok(None) => {
                    report.warnings.push(format!(
                        "{} is not on the index at {} (404); not checked",
                        package.name, s.index_url
                    ));
                    continue;
                }
                Err(e) => {
                    report.warnings.push(format!(
                        "{}: the index at {} failed: {}",
                        package.name, s.index_url, e.message
                    ));
                    failures.push(e);
                    continue;
                }
            };
            let empty = Vec::new();
            let package_reqs = reqs.by_package.get(&package.key).unwrap_or(&empty);
            let vulns = findings.vulns.get(i).map(Vec::as_slice).unwrap_or(&[]);
            let mut outcome = assess::assess(package, &project, package_reqs, vulns, &filter);
            if let Some(update) = &mut outcome.update
                && update.changelog.is_none()
            {
                update.changelog = s.project_page(&package.key);
            }
            report.warnings.extend(outcome.warnings);
            report.updates.extend(outcome.update);
        }
        if failures.len() == packages.len() {
            return Err(Error::new(
                shared_code(&failures),
                format!(
                    "the index at {} could not be used for any of {} packages: {}",
                    s.index_url,
                    packages.len(),
                    failures[0].message
                ),
            ));
        }
        report.updates.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(report)
    }

    fn capture(ctx: Context) -> Result<Vec<u8>, Error> {
        let s = PipSettings::parse(&ctx.bot_root, &ctx.settings)?;
        Ok(plan::freeze(&venv::read(&s.venv)?.packages))
    }

    fn plan(ctx: Context, updates: Vec<Update>) -> Result<Plan, Error> {
        let s = PipSettings::parse(&ctx.bot_root, &ctx.settings)?;
        plan::install(&s.python(), &updates)
    }

    fn verify(ctx: Context, updates: Vec<Update>) -> Result<(), Error> {
        let s = PipSettings::parse(&ctx.bot_root, &ctx.settings)?;
        plan::verify(&updates, &venv::read(&s.venv)?.packages)
    }

    fn restore_plan(ctx: Context, state: Vec<u8>) -> Result<Plan, Error> {
        let s = PipSettings::parse(&ctx.bot_root, &ctx.settings)?;
        plan::restore(&s.python(), &state, &venv::read(&s.venv)?.packages)
    }
}

/// The index's answer for one project: its content type and body, `None`
/// when the index does not know the project.
type IndexPage = Result<Option<(Option<String>, Vec<u8>)>, Error>;

fn index_body(answer: Result<HttpResponse, Error>) -> IndexPage {
    let response = answer?;
    match response.status {
        200 => {
            let content_type = response
                .headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                .map(|(_, v)| v.clone());
            Ok(Some((content_type, response.body)))
        }
        404 => Ok(None),
        status => Err(Error::network(format!("HTTP {status}"))),
    }
}

/// The project that page describes, borrowing from it.
fn parse_project<'a>(page: &'a IndexPage, key: &str) -> Result<Option<index::Project<'a>>, Error> {
    match page {
        Ok(Some((content_type, body))) => {
            index::parse(body, content_type.as_deref(), key).map(Some)
        }
        Ok(None) => Ok(None),
        Err(e) => Err(e.clone()),
    }
}

/// The code every failure shares, or `network` when they differ.
fn shared_code(failures: &[Error]) -> ErrorCode {
    let first = failures[0].code;
    if failures.iter().all(|f| f.code == first) {
        first
    } else {
        ErrorCode::Network
    }
}

steward_sdk::export_provider!(Pip);
