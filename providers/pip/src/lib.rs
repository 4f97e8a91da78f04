//! The `pip` provider: updates for the Python packages in the managed bot's
//! virtualenv. It reads the venv and requirements files (granted read-only),
//! asks the package index and OSV through the host in one concurrent batch,
//! and returns `python -m pip install` plans; it never changes the venv itself.
//!
//! Settings: `venv` (`.venv`), `requirements` (JSON array, `["requirements.txt"]`),
//! `index_url` (`https://pypi.org/simple`, the simple index as pip's
//! `--index-url` names it; PEP 691 JSON, or PEP 503 HTML), `osv_url`
//! (`https://api.osv.dev`), `include_prereleases`, `include_yanked` (false),
//! `timeout_ms` (per request, 20000), `uv`, `poetry` (the tools' paths),
//! `ca_file` (certificate authorities the plans' commands trust too).

pub mod assess;
pub mod html;
pub mod index;
pub mod lockfile;
pub mod manager;
pub mod plan;
pub mod pyproject;
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
        // uv and Poetry projects go through their own tool, run in the bot
        // root; their rollback also needs `write` on the lockfile.
        info.program(&s.python(), &[&install, &uninstall])
            .program(
                &s.uv,
                &[&manager::UV_LOCK, &manager::UV_SYNC, &manager::UV_SYNC_ALL],
            )
            .program(
                &s.poetry,
                &[&manager::POETRY_UPDATE, &manager::POETRY_INSTALL],
            )
    }

    fn check(ctx: Context) -> Result<Report, Error> {
        let s = PipSettings::parse(&ctx.bot_root, &ctx.settings)?;
        let manifest = pyproject::read(&ctx.bot_root)?;
        if let Some(tool) = manager::detect(&ctx.bot_root, manifest.as_ref()) {
            return check_managed(&ctx, &s, tool);
        }
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
        // The requirements files' own `--index-url` / `--extra-index-url`
        // win over the setting, as they do for pip.
        let mut indexes = vec![
            reqs.index_url
                .clone()
                .unwrap_or_else(|| s.index_url.clone()),
        ];
        indexes.extend(reqs.extra_index_urls.iter().cloned());
        let packages: Vec<(&Installed, Vec<String>)> = venv
            .packages
            .iter()
            .filter(|p| !p.local)
            .map(|p| (p, indexes.clone()))
            .collect();
        if packages.is_empty() {
            let mut warnings = reqs.warnings.clone();
            warnings.push(format!("no installed distributions found in {}", s.venv));
            return Ok(Report {
                updates: Vec::new(),
                warnings,
            });
        }
        assess_all(
            &ctx,
            &s,
            &packages,
            &reqs,
            venv.python_version.as_deref(),
            None,
        )
    }

    fn capture(ctx: Context) -> Result<Vec<u8>, Error> {
        let s = PipSettings::parse(&ctx.bot_root, &ctx.settings)?;
        let manifest = pyproject::read(&ctx.bot_root)?;
        if let Some(tool) = manager::detect(&ctx.bot_root, manifest.as_ref()) {
            return manager::capture(&ctx.bot_root, tool);
        }
        Ok(plan::freeze(&venv::read(&s.venv)?.packages))
    }

    fn plan(ctx: Context, updates: Vec<Update>) -> Result<Plan, Error> {
        let s = PipSettings::parse(&ctx.bot_root, &ctx.settings)?;
        let env = s.command_env();
        plan_updates(&ctx, &s, updates).map(|plan| plan::with_env(plan, &env))
    }

    fn verify(ctx: Context, updates: Vec<Update>) -> Result<(), Error> {
        verify_updates(&ctx, updates)
    }

    fn restore_plan(ctx: Context, state: Vec<u8>) -> Result<Plan, Error> {
        let s = PipSettings::parse(&ctx.bot_root, &ctx.settings)?;
        let env = s.command_env();
        restore_state(&ctx, &s, state).map(|plan| plan::with_env(plan, &env))
    }
}

/// The steps that install `updates`, through the project's tool or pip.
fn plan_updates(ctx: &Context, s: &PipSettings, updates: Vec<Update>) -> Result<Plan, Error> {
    let manifest = pyproject::read(&ctx.bot_root)?;
    if let Some(tool) = manager::detect(&ctx.bot_root, manifest.as_ref()) {
        // A lock that went stale since the check is refused here too.
        let project = manager::read(&ctx.bot_root, tool, None)?;
        return manager::install(
            tool,
            s.tool(tool),
            &ctx.bot_root,
            &updates,
            project.is_workspace(),
        );
    }
    plan::install(&s.python(), &index_args(s), &updates)
}

fn verify_updates(ctx: &Context, updates: Vec<Update>) -> Result<(), Error> {
    let s = PipSettings::parse(&ctx.bot_root, &ctx.settings)?;
    let manifest = pyproject::read(&ctx.bot_root)?;
    if let Some(tool) = manager::detect(&ctx.bot_root, manifest.as_ref()) {
        // The lock says the new version, and the venv has it.
        let project = manager::read(&ctx.bot_root, tool, None)?;
        plan::verify(&updates, &project.lock.installed())
            .map_err(|e| Error::new(e.code, format!("{}: {}", tool.lockfile(), e.message)))?;
    }
    plan::verify(&updates, &venv::read(&s.venv)?.packages)
}

/// The steps that put `state` (what `capture` recorded) back.
fn restore_state(ctx: &Context, s: &PipSettings, state: Vec<u8>) -> Result<Plan, Error> {
    if let Some(state) = manager::parse_state(&state) {
        let state = state?;
        return Ok(manager::restore(s.tool(state.tool), &ctx.bot_root, &state));
    }
    plan::restore(
        &s.python(),
        &index_args(s),
        &state,
        &venv::read(&s.venv)?.packages,
    )
}

/// `--index-url U` and `--extra-index-url E…` for pip, from the
/// requirements files' own lines (none when they name no index).
fn index_args(s: &PipSettings) -> Vec<String> {
    let reqs = requirements::read(&s.requirements, false, None);
    let mut args = Vec::new();
    if let Some(url) = reqs.index_url {
        args.extend(["--index-url".to_string(), url]);
    }
    for url in reqs.extra_index_urls {
        args.extend(["--extra-index-url".to_string(), url]);
    }
    args
}

/// A uv or Poetry project: the lock's versions, checked against the index
/// each was locked from, held back by what `pyproject.toml` declares.
fn check_managed(ctx: &Context, s: &PipSettings, tool: manager::Tool) -> Result<Report, Error> {
    let venv = venv::read(&s.venv).ok();
    let python_version = venv.as_ref().and_then(|v| v.python_version.clone());
    let python = python_version
        .as_deref()
        .and_then(requirements::Python::parse);
    let project = manager::read(&ctx.bot_root, tool, python.as_ref())?;
    let mut seen = std::collections::BTreeSet::new();
    let packages: Vec<(&Installed, Vec<String>)> = project
        .lock
        .packages
        .iter()
        // A universal lock may hold a package once per Python or platform:
        // ask for it once.
        .filter(|l| !l.package.local && seen.insert(l.package.key.as_str()))
        .map(|l| {
            let index = l.index.clone().unwrap_or_else(|| s.index_url.clone());
            (&l.package, vec![index])
        })
        .collect();
    if packages.is_empty() {
        return Ok(Report {
            updates: Vec::new(),
            warnings: vec![format!(
                "{} locks no package from an index",
                tool.lockfile()
            )],
        });
    }
    let project_python = project
        .lock
        .requires_python
        .as_deref()
        .and_then(index::lowest_python);
    assess_all(
        ctx,
        s,
        &packages,
        &project.declared,
        python_version.as_deref(),
        project_python,
    )
}

/// Asks every package's indexes and OSV in one batch and assesses each
/// package against its requirements.
fn assess_all(
    ctx: &Context,
    s: &PipSettings,
    packages: &[(&Installed, Vec<String>)],
    reqs: &requirements::Requirements,
    python_version: Option<&str>,
    project_python: Option<Version>,
) -> Result<Report, Error> {
    let mut report = Report {
        updates: Vec::new(),
        warnings: reqs.warnings.clone(),
    };
    // The index requests and the OSV query travel in one batch.
    let mut requests: Vec<_> = packages
        .iter()
        .flat_map(|(p, indexes)| {
            indexes.iter().map(move |index| {
                let mut r = http::get(&format!("{index}/{}/", p.key));
                r.headers
                    .push(("accept".to_string(), index::ACCEPT.to_string()));
                // Registry metadata: Steward may answer it from its cache
                // while younger than `registry_max_age_secs` (OSV never).
                r.headers
                    .push(("cache-control".to_string(), "max-stale".to_string()));
                r.timeout_ms = Some(s.timeout_ms);
                r
            })
        })
        .collect();
    let queries: Vec<osv::Package> = packages
        .iter()
        .map(|(p, _)| osv::Package {
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
        python: python_version.and_then(|v| Version::from_str(v).ok()),
        project_python,
    };
    let mut failures: Vec<Error> = Vec::new();
    let mut answers = answers.into_iter();
    for (i, (package, indexes)) in packages.iter().enumerate() {
        let pages: Vec<IndexPage> = indexes
            .iter()
            .map(|_| {
                index_body(
                    answers
                        .next()
                        .unwrap_or_else(|| Err(Error::network("the host answered no response"))),
                )
            })
            .collect();
        // pip takes the best release across all its indexes: one project
        // made of every index's files.
        let mut project: Option<index::Project> = None;
        let mut failure = None;
        for (page, url) in pages.iter().zip(indexes) {
            match parse_project(page, &package.key) {
                Ok(Some(found)) => match &mut project {
                    Some(p) => p.files.extend(found.files),
                    None => project = Some(found),
                },
                Ok(None) => {}
                Err(e) => failure = Some((url, e)),
            }
        }
        let project = match (project, failure) {
            (Some(project), _) => project,
            (None, Some((url, e))) => {
                report.warnings.push(format!(
                    "{}: the index at {url} failed: {}",
                    package.name, e.message
                ));
                failures.push(e);
                continue;
            }
            (None, None) => {
                report.warnings.push(format!(
                    "{} is not on the index at {} (404); not checked",
                    package.name,
                    indexes.join(", ")
                ));
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
        let all: Vec<&str> = packages
            .iter()
            .flat_map(|(_, i)| i.iter().map(String::as_str))
            .collect();
        let mut named: Vec<&str> = all.clone();
        named.dedup();
        return Err(Error::new(
            shared_code(&failures),
            format!(
                "the index at {} could not be used for any of {} packages: {}",
                named.join(", "),
                packages.len(),
                failures[0].message
            ),
        ));
    }
    report.updates.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(report)
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
