//! `steward providers test FILE.wasm`: loads a provider file as Steward
//! would, in a scratch data directory of its own, grants it exactly what
//! it asks for, and checks it the way the service will use it: `describe`
//! well formed, `check` on an empty tree and on a bot tree, `capture` then
//! `restore-plan`, no host call beyond its grant, every call within its
//! budgets. Each check is one row of the answer.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::config::{Config, GrantConfig, ProviderConfig};
use crate::provider::{ErrorCode, Info};
use crate::runtime::{CallError, LoadedProvider, ProviderEntry, Runtime};

/// What to test, and with what.
#[derive(Debug, Clone)]
pub struct TestRequest {
    pub file: PathBuf,
    /// Passed to the provider as `[providers.NAME.settings]` would be.
    pub settings: Vec<(String, String)>,
    /// A bot tree to check against, besides the empty one.
    pub bot_root: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Fail,
    /// Not applicable to this provider, or not asked for.
    Skip,
}

/// One check and how it went.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub check: &'static str,
    pub verdict: Verdict,
    pub detail: String,
}

/// Every row, in the order they ran.
#[derive(Debug, Clone, Serialize)]
pub struct Conformance {
    pub provider: String,
    pub file: String,
    pub rows: Vec<Row>,
}

impl Conformance {
    pub fn passed(&self) -> bool {
        self.rows.iter().all(|r| r.verdict != Verdict::Fail)
    }
}

/// Why the test could not run at all (as opposed to a failed row).
#[derive(Debug, thiserror::Error)]
pub enum TestError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is not a directory", .0.display())]
    NoBotRoot(PathBuf),
    #[error("cannot make a scratch directory: {0}")]
    Scratch(std::io::Error),
    #[error("the sandbox could not start: {0}")]
    Runtime(String),
}

/// Runs the conformance check under `base`'s runtime limits. Blocking: call
/// it off the async executor (it runs providers to their end).
pub fn run(base: &Config, request: &TestRequest) -> Result<Conformance, TestError> {
    let bytes = std::fs::read(&request.file).map_err(|source| TestError::Read {
        path: request.file.clone(),
        source,
    })?;
    if let Some(root) = &request.bot_root
        && !root.is_dir()
    {
        return Err(TestError::NoBotRoot(root.clone()));
    }
    let name = request
        .file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "provider".to_string());
    let scratch = tempfile::tempdir().map_err(TestError::Scratch)?;
    let data = scratch.path().join("data");
    let empty_tree = scratch.path().join("empty-bot");
    std::fs::create_dir_all(data.join("providers")).map_err(TestError::Scratch)?;
    std::fs::create_dir_all(&empty_tree).map_err(TestError::Scratch)?;
    std::fs::write(data.join("providers").join(format!("{name}.wasm")), &bytes)
        .map_err(TestError::Scratch)?;

    let mut config = base.clone();
    config.paths.data = data.clone();
    config.paths.providers = data.join("providers");
    config.paths.cache = data.join("cache");
    config.signatures = Default::default();
    let mut settings = toml::Table::new();
    for (key, value) in &request.settings {
        settings.insert(key.clone(), toml::Value::String(value.clone()));
    }
    config.providers = [(
        name.clone(),
        ProviderConfig {
            enabled: true,
            settings,
            ..ProviderConfig::default()
        },
    )]
    .into();
    let under = |config: &Config, root: &Path| config.clone().with_bot_root(root);
    let config = under(&config, &empty_tree);
    let runtime = Runtime::new(&config).map_err(|e| TestError::Runtime(format!("{e:#}")))?;

    let mut report = Conformance {
        provider: name.clone(),
        file: request.file.display().to_string(),
        rows: Vec::new(),
    };
    let mut calls = Calls::default();

    // describe, ungranted: what it asks for.
    let loaded = match only(&runtime) {
        Err(error) => {
            report.rows.push(fail("load", error));
            return Ok(report);
        }
        Ok(p) => p,
    };
    report
        .rows
        .push(describe_row(&loaded.info, &name, &loaded.wit_version));

    // From here on it holds exactly what it asked for.
    let wants = loaded.info.wants.clone();
    let grant = GrantConfig {
        read: wants.read.clone(),
        http: wants.http.clone(),
        programs: wants.programs.clone(),
        plan_programs: wants.programs.clone(),
        write: Vec::new(),
    };
    let mut granted = config.clone();
    granted
        .providers
        .get_mut(&name)
        .expect("configured above")
        .grant = Some(grant);
    let load = |config: &Config| -> Result<Arc<LoadedProvider>, String> {
        runtime.reconfigure(config);
        only(&runtime)
    };

    // check on an empty tree: an answer, whatever it is, but no crash.
    let empty = under(&granted, &empty_tree);
    match load(&empty) {
        Err(error) => report.rows.push(fail("check (empty tree)", error)),
        Ok(p) => {
            let answer = calls.time("check", || runtime.check(&p, true));
            report.rows.push(match answer {
                Ok(r) => pass("check (empty tree)", found(&r)),
                Err(CallError::Provider(e)) => pass(
                    "check (empty tree)",
                    format!("answered an error ({}): {}", e.code.as_str(), e.message),
                ),
                Err(e) => fail("check (empty tree)", e.to_string()),
            });
        }
    }

    // check on the bot tree named: it must answer.
    let tree = match &request.bot_root {
        None => {
            report.rows.push(Row {
                check: "check (bot tree)",
                verdict: Verdict::Skip,
                detail: "no --bot-root given".to_string(),
            });
            empty
        }
        Some(root) => {
            let fixture = under(&granted, root);
            match load(&fixture) {
                Err(error) => report.rows.push(fail("check (bot tree)", error)),
                Ok(p) => {
                    let answer = calls.time("check", || runtime.check(&p, true));
                    report.rows.push(match answer {
                        Ok(r) => pass("check (bot tree)", found(&r)),
                        Err(e) => fail("check (bot tree)", e.to_string()),
                    });
                }
            }
            fixture
        }
    };

    // capture, then the plan that would put it back.
    match load(&tree) {
        Err(error) => report.rows.push(fail("capture → restore-plan", error)),
        Ok(p) => report.rows.push(round_trip(&runtime, &p, &mut calls)),
    }

    let refused = runtime.refusals();
    report.rows.push(if refused.is_empty() {
        pass(
            "only granted capabilities",
            "no host call was refused".to_string(),
        )
    } else {
        fail("only granted capabilities", refused.join("; "))
    });
    report.rows.push(calls.row(base.runtime.call_timeout_secs));
    Ok(report)
}

/// The one provider of the scratch directory, loaded.
fn only(runtime: &Runtime) -> Result<Arc<LoadedProvider>, String> {
    match runtime.refresh().into_iter().next() {
        Some(ProviderEntry::Loaded(p)) => Ok(p),
        Some(ProviderEntry::Failed(f)) => Err(f.error),
        None => Err("the file was not found in the scratch directory".to_string()),
    }
}

/// "2 updates, 1 warning".
fn found(report: &crate::provider::Report) -> String {
    let count = |n: usize, noun: &str| {
        if n == 1 {
            format!("1 {noun}")
        } else {
            format!("{n} {noun}s")
        }
    };
    format!(
        "{}, {}",
        count(report.updates.len(), "update"),
        count(report.warnings.len(), "warning")
    )
}

fn describe_row(info: &Info, file_name: &str, wit: &str) -> Row {
    let mut problems = Vec::new();
    if info.name.trim().is_empty() {
        problems.push("its name is empty".to_string());
    }
    if info.version.trim().is_empty() || info.version.contains(char::is_whitespace) {
        problems.push(format!("version {:?} is not a version", info.version));
    }
    if info.description.trim().is_empty() {
        problems.push("its description is empty".to_string());
    }
    if info.kinds.is_empty() {
        problems.push("it names no update kind".to_string());
    }
    for path in &info.wants.read {
        if !(path.starts_with('/') || path.starts_with("{bot}")) {
            problems.push(format!(
                "it asks to read {path:?}, which is neither absolute nor under {{bot}}"
            ));
        }
    }
    for host in &info.wants.http {
        if host.is_empty() || host.contains("://") || host.contains(['/', ' ']) {
            problems.push(format!(
                "it asks for HTTP host {host:?}, which is not a host (or host:port)"
            ));
        }
    }
    for program in &info.wants.programs {
        if !(program.path.starts_with('/') || program.path.starts_with("{bot}/")) {
            problems.push(format!(
                "it asks to run {:?}, which is not an absolute path",
                program.path
            ));
        }
    }
    if !problems.is_empty() {
        return fail("describe", problems.join("; "));
    }
    let mut detail = format!(
        "{} {} (steward:provider@{wit}), asks {}",
        info.name,
        info.version,
        asks(info)
    );
    if info.name != file_name {
        detail.push_str(&format!(
            "; calls itself {:?}, but grants follow the file name {file_name:?}",
            info.name
        ));
    }
    pass("describe", detail)
}

fn asks(info: &Info) -> String {
    let w = &info.wants;
    let mut parts = Vec::new();
    if !w.read.is_empty() {
        parts.push(format!("to read {}", w.read.join(", ")));
    }
    if !w.http.is_empty() {
        parts.push(format!("to reach {}", w.http.join(", ")));
    }
    if !w.programs.is_empty() {
        let paths: Vec<&str> = w.programs.iter().map(|p| p.path.as_str()).collect();
        parts.push(format!("to run {}", paths.join(", ")));
    }
    if parts.is_empty() {
        "nothing".to_string()
    } else {
        parts.join(", ")
    }
}

fn round_trip(runtime: &Runtime, p: &LoadedProvider, calls: &mut Calls) -> Row {
    const CHECK: &str = "capture → restore-plan";
    let state = match calls.time("capture", || runtime.capture(p)) {
        Ok(state) => state,
        Err(CallError::Provider(e)) if e.code == ErrorCode::Unsupported => {
            return skip(CHECK, format!("it does not capture: {}", e.message));
        }
        Err(e) => return fail(CHECK, format!("capture: {e}")),
    };
    match calls.time("restore-plan", || runtime.restore_plan(p, &state)) {
        Ok(plan) => pass(
            CHECK,
            format!(
                "{} bytes captured, restored in {} steps",
                state.len(),
                plan.steps.len()
            ),
        ),
        Err(CallError::Provider(e)) if e.code == ErrorCode::Unsupported => skip(
            CHECK,
            format!(
                "it captures {} bytes but does not roll back: {}",
                state.len(),
                e.message
            ),
        ),
        Err(e) => fail(CHECK, format!("restore-plan: {e}")),
    }
}

/// Each call's time, and any that ran out of a budget.
#[derive(Default)]
struct Calls {
    slowest: Option<(&'static str, Duration)>,
    over: Vec<String>,
}

impl Calls {
    fn time<T>(
        &mut self,
        call: &'static str,
        f: impl FnOnce() -> Result<T, CallError>,
    ) -> Result<T, CallError> {
        let started = Instant::now();
        let result = f();
        let took = started.elapsed();
        if self.slowest.is_none_or(|(_, t)| took > t) {
            self.slowest = Some((call, took));
        }
        if let Err(
            e @ (CallError::Timeout { .. }
            | CallError::OutOfMemory { .. }
            | CallError::StackOverflow { .. }),
        ) = &result
        {
            self.over.push(format!("{call}: {e}"));
        }
        result
    }

    fn row(&self, budget_secs: u64) -> Row {
        const CHECK: &str = "within budgets";
        if !self.over.is_empty() {
            return fail(CHECK, self.over.join("; "));
        }
        match self.slowest {
            Some((call, took)) => pass(
                CHECK,
                format!(
                    "slowest call: {call}, {} ms of a {budget_secs} s budget",
                    took.as_millis()
                ),
            ),
            None => skip(CHECK, "no call ran".to_string()),
        }
    }
}

fn pass(check: &'static str, detail: String) -> Row {
    Row {
        check,
        verdict: Verdict::Pass,
        detail,
    }
}

fn fail(check: &'static str, detail: String) -> Row {
    Row {
        check,
        verdict: Verdict::Fail,
        detail,
    }
}

fn skip(check: &'static str, detail: String) -> Row {
    Row {
        check,
        verdict: Verdict::Skip,
        detail,
    }
}
