//! The `npm` provider: updates for the managed bot's Node dependencies,
//! whether npm, pnpm, Yarn (1 or Berry) or Bun manages them. It reads
//! package.json, the tool's lockfile and node_modules (granted read-only),
//! asks the npm registry and OSV through the host in one concurrent batch,
//! and returns plans in the project's own tool (`npm install`, `pnpm add`,
//! `yarn add`/`yarn up`, `bun add`); it never changes the project.
//!
//! Settings: `project` (`.`), `registry_url` (`https://registry.npmjs.org`),
//! `osv_url` (`https://api.osv.dev`), `include_prereleases` (false), `npm`
//! (`/usr/bin/npm`), `pnpm`, `yarn`, `bun` (`/usr/bin/…`), `timeout_ms`
//! (per request, 20000), `ca_file` (certificate authorities the tools trust
//! too, as `NODE_EXTRA_CA_CERTS`).

pub mod assess;
pub mod lockfile;
pub mod manager;
pub mod plan;
pub mod project;
pub mod registry;
pub mod settings;

use std::cell::OnceCell;

use steward_sdk::osv::{self, Findings};
use steward_sdk::{
    Context, Error, ErrorCode, HttpResponse, Info, Plan, Provider, Report, Settings, Update,
    UpdateKind, http,
};

use crate::manager::Manager;
use crate::plan::Tool;
use crate::project::Dependency;
use crate::registry::Packument;
use crate::settings::NpmSettings;

pub struct Npm;

impl Provider for Npm {
    fn describe(settings: Settings) -> Info {
        // Unusable settings fall back to the defaults here; `check` reports them.
        let s = NpmSettings::parse("{bot}", &settings)
            .or_else(|_| NpmSettings::parse("{bot}", &[]))
            .expect("the default settings parse");
        let mut info = Info::new(
            "npm",
            env!("CARGO_PKG_VERSION"),
            "Node packages of the bot, with npm, pnpm, Yarn or Bun (npm registry, OSV advisories)",
            &[UpdateKind::Package],
        )
        .read("{bot}");
        if !s.project.starts_with("{bot}") {
            info = info.read(&s.project);
        }
        for url in [&s.registry_url, &s.osv_url] {
            if let Some(host) = http::authority(url)
                && !info.wants.http.contains(&host)
            {
                info = info.http(&host);
            }
        }
        // One program per path: both Yarns run the same `yarn`.
        let mut programs: Vec<(&str, Vec<Vec<String>>)> = Vec::new();
        for manager in [
            Manager::Npm,
            Manager::Pnpm,
            Manager::YarnClassic,
            Manager::YarnBerry,
            Manager::Bun,
        ] {
            let path = s.program(manager);
            match programs.iter_mut().find(|(p, _)| *p == path) {
                Some((_, patterns)) => {
                    for pattern in manager.grant_patterns() {
                        if !patterns.contains(&pattern) {
                            patterns.push(pattern);
                        }
                    }
                }
                None => programs.push((path, manager.grant_patterns())),
            }
        }
        for (path, patterns) in &programs {
            let patterns: Vec<Vec<&str>> = patterns
                .iter()
                .map(|p| p.iter().map(String::as_str).collect())
                .collect();
            let patterns: Vec<&[&str]> = patterns.iter().map(Vec::as_slice).collect();
            info = info.program(path, &patterns);
        }
        info
    }

    fn check(ctx: Context) -> Result<Report, Error> {
        let s = NpmSettings::parse(&ctx.bot_root, &ctx.settings)?;
        let found = project::read(&s.project)?;
        let mut report = Report::default();
        let mut checked: Vec<&Dependency> = Vec::new();
        for dependency in &found.dependencies {
            if assess::is_registry_range(&dependency.range) {
                checked.push(dependency);
            } else {
                report.warnings.push(format!(
                    "{} is declared as {:?}, not a registry version range; not checked",
                    dependency.name, dependency.range
                ));
            }
        }
        if checked.is_empty() {
            return Ok(report);
        }

        // The registry requests and the OSV query travel in one batch; a
        // package several workspace members declare is asked for once.
        let mut names: Vec<&str> = checked.iter().map(|d| d.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        let mut requests: Vec<_> = names
            .iter()
            .map(|name| {
                let mut r = http::get(&registry::packument_url(&s.registry_url, name));
                r.headers.push(("accept".into(), "application/json".into()));
                // Registry metadata: Steward may answer it from its cache
                // while younger than `registry_max_age_secs` (OSV never).
                r.headers.push(("cache-control".into(), "max-stale".into()));
                r.timeout_ms = Some(s.timeout_ms);
                r
            })
            .collect();
        let queried: Vec<&Dependency> = checked
            .iter()
            .copied()
            .filter(|d| d.installed.is_some())
            .collect();
        let queries: Vec<osv::Package> = queried
            .iter()
            .map(|d| osv::Package {
                ecosystem: assess::ECOSYSTEM.to_string(),
                name: d.name.clone(),
                version: d.installed.clone().unwrap_or_default(),
            })
            .collect();
        let ask_osv = ctx.include_security && !queries.is_empty();
        if ask_osv {
            requests.push(osv::querybatch_request(
                &s.osv_url,
                &queries,
                Some(s.timeout_ms),
            ));
        }
        // Each packument is parsed as it arrives, while the rest are on
        // their way. The bodies outlive the packuments, which borrow their
        // strings: each is set once, at its request's position.
        let bodies: Vec<OnceCell<Vec<u8>>> = names.iter().map(|_| OnceCell::new()).collect();
        let mut parsed: Vec<Option<Result<Option<Packument<'_>>, Error>>> =
            names.iter().map(|_| None).collect();
        let mut osv_answer = None;
        for (at, answer) in http::send_each(&requests) {
            let (Some(body), Some(slot)) = (bodies.get(at), parsed.get_mut(at)) else {
                osv_answer = Some(answer);
                continue;
            };
            *slot = Some(packument_body(answer).and_then(|found| match found {
                Some(bytes) => registry::parse(body.get_or_init(|| bytes)).map(Some),
                None => Ok(None),
            }));
        }
        let findings = if ask_osv {
            osv::complete_answer_or_warn(
                &s.osv_url,
                &queries,
                osv_answer,
                Some(s.timeout_ms),
                &mut report.warnings,
            )
        } else {
            Findings::default()
        };
        report.warnings.extend(findings.warnings.iter().cloned());

        let mut failures: Vec<Error> = Vec::new();
        let mut packuments = Vec::new();
        for (name, parsed) in names.iter().zip(parsed) {
            let parsed =
                parsed.unwrap_or_else(|| Err(Error::network("the host answered no response")));
            match parsed {
                Ok(Some(p)) => packuments.push((*name, p)),
                Ok(None) => {
                    report.warnings.push(format!(
                        "{name} is not on the registry at {} (404); not checked",
                        s.registry_url
                    ));
                }
                Err(e) => {
                    report.warnings.push(format!(
                        "{name}: the registry at {} failed: {}",
                        s.registry_url, e.message
                    ));
                    failures.push(e);
                }
            }
        }
        for dependency in &checked {
            let Some((_, packument)) = packuments.iter().find(|(n, _)| *n == dependency.name)
            else {
                continue;
            };
            let vulns = queried
                .iter()
                .position(|q| std::ptr::eq(*q, *dependency))
                .and_then(|i| findings.vulns.get(i))
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            let outcome = assess::assess(dependency, packument, vulns, s.include_prereleases);
            report.warnings.extend(outcome.warnings);
            report.updates.extend(outcome.update);
        }
        if failures.len() == names.len() {
            let first = failures[0].code;
            let code = if failures.iter().all(|f| f.code == first) {
                first
            } else {
                ErrorCode::Network
            };
            return Err(Error::new(
                code,
                format!(
                    "the registry at {} could not be used for any of {} packages: {}",
                    s.registry_url,
                    names.len(),
                    failures[0].message
                ),
            ));
        }
        Ok(report)
    }

    fn capture(ctx: Context) -> Result<Vec<u8>, Error> {
        let s = NpmSettings::parse(&ctx.bot_root, &ctx.settings)?;
        plan::capture(&s.project, project::manager(&s.project)?)
    }

    fn plan(ctx: Context, updates: Vec<Update>) -> Result<Plan, Error> {
        let s = NpmSettings::parse(&ctx.bot_root, &ctx.settings)?;
        let found = project::read(&s.project)?;
        let tool = Tool {
            manager: found.manager,
            program: s.program(found.manager),
        };
        plan::install(tool, &s.project, &updates, &found)
            .map(|plan| plan::with_env(plan, &s.command_env()))
    }

    fn verify(ctx: Context, updates: Vec<Update>) -> Result<(), Error> {
        let s = NpmSettings::parse(&ctx.bot_root, &ctx.settings)?;
        // node_modules, else (Yarn Berry's Plug'n'Play leaves none) the
        // lockfile, for the root and each workspace member.
        let found = project::read(&s.project)?;
        let installed = found
            .dependencies
            .iter()
            .filter_map(|d| Some((d.id(), d.installed.clone()?)))
            .collect();
        plan::verify(&updates, &installed)
    }

    fn restore_plan(ctx: Context, state: Vec<u8>) -> Result<Plan, Error> {
        let s = NpmSettings::parse(&ctx.bot_root, &ctx.settings)?;
        let manager = project::manager(&s.project)?;
        let tool = Tool {
            manager,
            program: s.program(manager),
        };
        plan::restore(tool, &s.project, &state).map(|plan| plan::with_env(plan, &s.command_env()))
    }
}

/// The registry's packument body for one package: `None` when it does not
/// know it.
fn packument_body(answer: Result<HttpResponse, Error>) -> Result<Option<Vec<u8>>, Error> {
    let response = answer?;
    match response.status {
        200 => Ok(Some(response.body)),
        404 => Ok(None),
        status => Err(Error::network(format!("HTTP {status}"))),
    }
}

steward_sdk::export_provider!(Npm);
