//! The pip provider on projects managed by uv and by Poetry, end to end:
//! the real `steward` binary checks the lockfile, plans with the real `uv`
//! or `poetry` against a local fake PyPI serving real wheels, and the bot
//! runs from its own venv, so an update reaches it or is rolled back from
//! it. Without `uv` / `poetry` installed these tests skip, except in CI.

use std::path::{Path, PathBuf};

use serde_json::Value;
use steward_tests::fakes::Running;
use steward_tests::fakes::osv::FakeOsv;
use steward_tests::fakes::pypi::FakePypi;
use steward_tests::guests;
use steward_tests::harness::{Install, provider};
use steward_tests::python::{build_wheels, imported_version, locked_version, run_in, tool};
use steward_tests::release_bot::{Bot, wait_for};

fn pip_wasm() -> PathBuf {
    guests::build("providers/pip", "steward-provider-pip")
}

/// The bot: imports its one dependency from its own venv, says which
/// version it runs, and dies at start on the version named by `--crash-on`.
const QUOTEBOT: &str = r#"import sys, time
import quotebook_fixture as q
if "--crash-on" in sys.argv and sys.argv[sys.argv.index("--crash-on") + 1] == q.__version__:
    sys.exit(f"quotebook {q.__version__} broke the bot")
print("quotebot ready", q.__version__, flush=True)
time.sleep(3600)
"#;

/// A fake PyPI serving real wheels of quotebook 1.0.0 and 1.1.0, and OSV.
struct Servers {
    index: Running,
    osv: Running,
    _wheels: tempfile::TempDir,
}

fn servers() -> Servers {
    let wheels = tempfile::tempdir().unwrap();
    build_wheels(
        wheels.path(),
        &[("quotebook", "1.0.0"), ("quotebook", "1.1.0")],
    );
    let index = FakePypi::new()
        .package("quotebook", &["1.0.0", "1.1.0"])
        .wheels(wheels.path())
        .start();
    let (osv, _) = FakeOsv::new().start();
    Servers {
        index,
        osv,
        _wheels: wheels,
    }
}

/// Steward managing the demo bot copy, run by its venv's Python, with only
/// the pip provider among the package sources; `program` is the uv or
/// poetry grant.
fn install_for(
    servers: &Servers,
    crash_on: Option<&str>,
    program: &str,
    settings: &str,
) -> Install {
    let install = Install::new("");
    let crash = crash_on.map_or(String::new(), |v| format!(", \"--crash-on\", \"{v}\""));
    install.write_config_with_bot(
        &format!(
            r#"start = ["{{bot}}/.venv/bin/python", "{{bot}}/quotebot.py"{crash}]
stop_timeout_secs = 5
health.ready_line = "quotebot ready"
health.probation_secs = 1
health.ready_timeout_secs = 30"#
        ),
        &format!(
            r#"
[providers.npm]
enabled = false
[providers.apt]
enabled = false
[providers.release]
enabled = false
[providers.pip]
enabled = true
[providers.pip.grant]
read = ["{{bot}}"]
http = ["{index}", "{osv}"]
plan_programs = [{program}]
write = ["{{bot}}/uv.lock", "{{bot}}/poetry.lock", "{{bot}}/pyproject.toml"]
[providers.pip.settings]
index_url = "http://{index}/simple"
osv_url = "http://{osv}"
timeout_ms = 5000
{settings}
"#,
            index = servers.index.host(),
            osv = servers.osv.host(),
        ),
    );
    std::fs::write(install.bot().join("quotebot.py"), QUOTEBOT).unwrap();
    // The pre-update backup (and so a rollback) wants the bot's database.
    install.seed_database();
    install.add_provider(&pip_wasm(), "pip");
    install
}

fn uv_grant(uv: &Path) -> String {
    format!(
        r#"{{ path = "{}", args = [["lock", "--upgrade-package", "{{pip-pin}}"], ["sync", "--frozen"]] }}"#,
        uv.display()
    )
}

fn uv_pyproject(servers: &Servers, constraint: &str) -> String {
    format!(
        r#"[project]
name = "quotebot"
version = "0.1.0"
requires-python = ">=3.8"
dependencies = [
    "quotebook{constraint}",
]

[tool.uv]
package = false

[[tool.uv.index]]
name = "fake"
url = "{}/simple"
default = true
"#,
        servers.index.base_url()
    )
}

/// A uv project locked (and synced) at quotebook 1.0.0 whose pyproject
/// declares `constraint`: locked at `==1.0.0` first, then relocked, which
/// keeps the locked version.
fn uv_project(bot: &Path, uv: &Path, servers: &Servers, constraint: &str) {
    std::fs::write(bot.join("pyproject.toml"), uv_pyproject(servers, "==1.0.0")).unwrap();
    run_in(bot, uv, &["lock"]);
    std::fs::write(
        bot.join("pyproject.toml"),
        uv_pyproject(servers, constraint),
    )
    .unwrap();
    run_in(bot, uv, &["lock"]);
    run_in(bot, uv, &["sync", "--frozen"]);
    assert_eq!(
        locked_version(&bot.join("uv.lock"), "quotebook").as_deref(),
        Some("1.0.0")
    );
    assert_eq!(imported_version(bot, "quotebook"), "1.0.0");
}

fn pip_result(install: &Install) -> Value {
    let run = install.run(&["check", "--type", "packages", "--details", "--json"]);
    provider(&run.json(), "pip").clone()
}

fn install_packages(install: &Install) -> (i32, Value, String) {
    let run = install.run(&["install", "--type", "packages", "--yes", "--json"]);
    let json = run.json();
    // The session, with what could not be undone (if anything) beside it.
    let mut session = json["session"].clone();
    session["undo_errors"] = json["rollback_errors"].clone();
    (run.code.unwrap_or(-1), session, run.stderr)
}

fn bot_output(install: &Install) -> String {
    std::fs::read_to_string(install.data().join("bot/output.log")).unwrap_or_default()
}

/// check offers quotebook 1.0.0 -> 1.1.0; the dry run shows `uv lock
/// --upgrade-package` and `sync`; install completes, and uv.lock and the
/// venv both have 1.1.0.
fn uv_update_lands(install: &Install, sync: &str) {
    let bot = install.bot();
    let pip = pip_result(install);
    assert!(pip["error"].is_null(), "{pip:#}");
    let update = &pip["updates"][0];
    assert_eq!(update["id"], "quotebook", "{pip:#}");
    assert_eq!(update["current"], "1.0.0");
    assert_eq!(update["latest"], "1.1.0");

    let dry = install.run(&["install", "--type", "packages", "--dry-run"]);
    let shown = dry.succeeded();
    assert!(
        shown.contains("uv lock --upgrade-package quotebook==1.1.0") && shown.contains(sync),
        "{shown}"
    );

    let (code, session, stderr) = install_packages(install);
    assert_eq!(code, 0, "{session:#}\n{stderr}");
    assert_eq!(session["status"], "completed", "{session:#}");
    assert_eq!(
        locked_version(&bot.join("uv.lock"), "quotebook").as_deref(),
        Some("1.1.0")
    );
    assert_eq!(imported_version(&bot, "quotebook"), "1.1.0");
}

#[test]
fn uv_project_update_goes_through_uv_lock_and_sync_and_reaches_the_running_bot() {
    let Some(uv) = tool("uv") else { return };
    let servers = servers();
    let install = install_for(
        &servers,
        None,
        &uv_grant(&uv),
        &format!("uv = \"{}\"", uv.display()),
    );
    let bot = install.bot();
    uv_project(&bot, &uv, &servers, ">=1.0");
    let _running = Bot(&install);
    install.run(&["bot", "start"]).succeeded();
    wait_for("the bot on quotebook 1.0.0", || {
        bot_output(&install).contains("quotebot ready 1.0.0")
    });

    uv_update_lands(&install, "uv sync --frozen");
    assert!(
        bot_output(&install).contains("quotebot ready 1.1.0"),
        "{}",
        bot_output(&install)
    );
}

#[test]
fn uv_project_update_that_breaks_the_bot_is_rolled_back_to_the_captured_uv_lock() {
    let Some(uv) = tool("uv") else { return };
    let servers = servers();
    let install = install_for(
        &servers,
        Some("1.1.0"),
        &uv_grant(&uv),
        &format!("uv = \"{}\"", uv.display()),
    );
    let bot = install.bot();
    uv_project(&bot, &uv, &servers, ">=1.0");
    let before = std::fs::read(bot.join("uv.lock")).unwrap();
    let _running = Bot(&install);
    install.run(&["bot", "start"]).succeeded();

    let (code, session, stderr) = install_packages(&install);
    assert_ne!(code, 0, "{session:#}\n{stderr}");
    assert_eq!(session["status"], "rolled_back", "{session:#}\n{stderr}");
    // uv locked and synced 1.1.0, and the bot really ran it before the rollback.
    assert_eq!(session["steps_completed"], 2, "{session:#}");
    let error = session["error"].as_str().unwrap_or_default();
    assert!(error.contains("quotebook 1.1.0 broke the bot"), "{error}");
    assert_eq!(
        std::fs::read(bot.join("uv.lock")).unwrap(),
        before,
        "uv.lock is not the captured one"
    );
    assert_eq!(imported_version(&bot, "quotebook"), "1.0.0");
}

#[test]
fn a_pyproject_constraint_that_holds_a_uv_update_back_is_named_with_its_line() {
    let Some(uv) = tool("uv") else { return };
    let servers = servers();
    let install = install_for(
        &servers,
        None,
        &uv_grant(&uv),
        &format!("uv = \"{}\"", uv.display()),
    );
    let bot = install.bot();
    uv_project(&bot, &uv, &servers, ">=1.0,<1.1");

    let pip = pip_result(&install);
    assert!(pip["error"].is_null(), "{pip:#}");
    let update = &pip["updates"][0];
    assert_eq!(update["held"], "quotebook>=1.0,<1.1", "{pip:#}");
    let details = update["details"].to_string();
    assert!(details.contains("pyproject.toml:6"), "{details}");

    // Nothing to install: the held update is not planned.
    install_packages(&install);
    assert_eq!(
        locked_version(&bot.join("uv.lock"), "quotebook").as_deref(),
        Some("1.0.0")
    );
}

/// A uv project written by hand (no uv needed): `lock` as `uv.lock`.
fn hand_written_uv_project(servers: &Servers, dependencies: &str, lock: &str) -> Install {
    let install = install_for(servers, None, &uv_grant(Path::new("/usr/local/bin/uv")), "");
    let bot = install.bot();
    std::fs::write(
        bot.join("pyproject.toml"),
        format!(
            "[project]\nname = \"quotebot\"\nversion = \"0.1.0\"\ndependencies = [{dependencies}]\n"
        ),
    )
    .unwrap();
    std::fs::write(bot.join("uv.lock"), lock).unwrap();
    install
}

const QUOTEBOOK_LOCK: &str = r#"version = 1
requires-python = ">=3.8"

[[package]]
name = "quotebook"
version = "1.0.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "quotebot"
version = "0.1.0"
source = { virtual = "." }
dependencies = [{ name = "quotebook" }]

[package.metadata]
requires-dist = [{ name = "quotebook" }]
"#;

#[test]
fn a_uv_lock_that_does_not_parse_fails_the_check_naming_the_file() {
    let servers = servers();
    let install = hand_written_uv_project(&servers, "\"quotebook\"", "[[package]\nname = ");
    let pip = pip_result(&install);
    let error = pip["error"].to_string();
    assert!(error.contains("uv.lock does not parse"), "{pip:#}");
}

#[test]
fn a_uv_lock_out_of_date_with_pyproject_fails_the_check_saying_what_differs() {
    let servers = servers();
    let install = hand_written_uv_project(&servers, "\"quotebook\", \"yarl\"", QUOTEBOOK_LOCK);
    let pip = pip_result(&install);
    let error = pip["error"].to_string();
    assert!(
        error.contains("uv.lock is out of date with pyproject.toml") && error.contains("yarl"),
        "{pip:#}"
    );
}

#[test]
fn a_missing_uv_fails_the_install_naming_the_program() {
    let servers = servers();
    let lock = QUOTEBOOK_LOCK.replace(
        "https://pypi.org/simple",
        &format!("{}/simple", servers.index.base_url()),
    );
    let install = hand_written_uv_project(&servers, "\"quotebook\"", &lock);
    let missing = install.bot().join("no-such-uv");
    install.write_config(&format!(
        "[providers.npm]\nenabled = false\n[providers.apt]\nenabled = false\n[providers.release]\nenabled = false\n[providers.pip]\nenabled = true\n[providers.pip.grant]\nread = [\"{{bot}}\"]\nhttp = [\"{index}\", \"{osv}\"]\nplan_programs = [{grant}]\nwrite = [\"{{bot}}/uv.lock\"]\n[providers.pip.settings]\nindex_url = \"http://{index}/simple\"\nosv_url = \"http://{osv}\"\nuv = \"{uv}\"\n",
        index = servers.index.host(),
        osv = servers.osv.host(),
        grant = uv_grant(&missing),
        uv = missing.display(),
    ));
    let (code, session, stderr) = install_packages(&install);
    assert_ne!(code, 0);
    let all = format!("{session}\n{stderr}");
    assert!(all.contains("no-such-uv"), "{all}");
}

fn poetry_grant(poetry: &Path) -> String {
    format!(
        r#"{{ path = "{}", args = [["update", "--no-interaction", "{{pip-name}}"], ["install", "--no-interaction", "--no-root"]] }}"#,
        poetry.display()
    )
}

/// The source is named after the port: Poetry caches what it learns by
/// source name, and each test's wheels are new files.
fn poetry_pyproject(servers: &Servers, constraint: &str) -> String {
    format!(
        r#"[project]
name = "quotebot"
version = "0.1.0"
requires-python = ">=3.8"

[tool.poetry]
package-mode = false

[tool.poetry.dependencies]
quotebook = "{constraint}"

[[tool.poetry.source]]
name = "fake-{port}"
url = "{base}/simple"
priority = "primary"
"#,
        port = servers.index.host().rsplit(':').next().unwrap(),
        base = servers.index.base_url(),
    )
}

/// A Poetry project locked (and installed) at quotebook 1.0.0 whose
/// pyproject declares `constraint` (Poetry 2's `lock` keeps locked versions).
fn poetry_project(bot: &Path, poetry: &Path, servers: &Servers, constraint: &str) {
    std::fs::write(
        bot.join("pyproject.toml"),
        poetry_pyproject(servers, "1.0.0"),
    )
    .unwrap();
    run_in(bot, poetry, &["lock", "--no-interaction"]);
    std::fs::write(
        bot.join("pyproject.toml"),
        poetry_pyproject(servers, constraint),
    )
    .unwrap();
    run_in(bot, poetry, &["lock", "--no-interaction"]);
    run_in(bot, poetry, &["install", "--no-interaction", "--no-root"]);
    assert_eq!(
        locked_version(&bot.join("poetry.lock"), "quotebook").as_deref(),
        Some("1.0.0")
    );
    assert_eq!(imported_version(bot, "quotebook"), "1.0.0");
}

#[test]
fn poetry_project_update_goes_through_poetry_update_and_reaches_the_running_bot() {
    let Some(poetry) = tool("poetry") else { return };
    let servers = servers();
    let install = install_for(
        &servers,
        None,
        &poetry_grant(&poetry),
        &format!("poetry = \"{}\"", poetry.display()),
    );
    let bot = install.bot();
    poetry_project(&bot, &poetry, &servers, "^1.0");
    let _running = Bot(&install);
    install.run(&["bot", "start"]).succeeded();

    let pip = pip_result(&install);
    assert!(pip["error"].is_null(), "{pip:#}");
    assert_eq!(pip["updates"][0]["latest"], "1.1.0", "{pip:#}");

    let (code, session, stderr) = install_packages(&install);
    assert_eq!(code, 0, "{session:#}\n{stderr}");
    assert_eq!(session["status"], "completed", "{session:#}");
    assert_eq!(
        locked_version(&bot.join("poetry.lock"), "quotebook").as_deref(),
        Some("1.1.0")
    );
    assert_eq!(imported_version(&bot, "quotebook"), "1.1.0");
    wait_for("the bot on quotebook 1.1.0", || {
        bot_output(&install).contains("quotebot ready 1.1.0")
    });
}

#[test]
fn poetry_constraint_holds_an_update_back_and_a_broken_bot_rolls_poetry_lock_back() {
    let Some(poetry) = tool("poetry") else { return };
    let servers = servers();
    let install = install_for(
        &servers,
        Some("1.1.0"),
        &poetry_grant(&poetry),
        &format!("poetry = \"{}\"", poetry.display()),
    );
    let bot = install.bot();
    poetry_project(&bot, &poetry, &servers, "~1.0");
    let pip = pip_result(&install);
    let update = &pip["updates"][0];
    assert_eq!(update["held"], "quotebook = \"~1.0\"", "{pip:#}");
    assert!(
        update["details"].to_string().contains("pyproject.toml:10"),
        "{pip:#}"
    );

    std::fs::write(
        bot.join("pyproject.toml"),
        poetry_pyproject(&servers, "^1.0"),
    )
    .unwrap();
    run_in(&bot, &poetry, &["lock", "--no-interaction"]);
    let before = std::fs::read(bot.join("poetry.lock")).unwrap();
    let _running = Bot(&install);
    install.run(&["bot", "start"]).succeeded();
    let (code, session, stderr) = install_packages(&install);
    assert_ne!(code, 0, "{session:#}\n{stderr}");
    assert_eq!(session["status"], "rolled_back", "{session:#}\n{stderr}");
    let error = session["error"].as_str().unwrap_or_default();
    assert!(error.contains("quotebook 1.1.0 broke the bot"), "{error}");
    assert_eq!(std::fs::read(bot.join("poetry.lock")).unwrap(), before);
    assert_eq!(imported_version(&bot, "quotebook"), "1.0.0");
}

/// uv's grant with the workspace sync (`--all-packages`) beside the plain one.
fn uv_workspace_grant(uv: &Path) -> String {
    format!(
        r#"{{ path = "{}", args = [["lock", "--upgrade-package", "{{pip-pin}}"], ["sync", "--frozen"], ["sync", "--frozen", "--all-packages"]] }}"#,
        uv.display()
    )
}

/// A uv workspace locked and synced at quotebook 1.0.0: the root is a
/// virtual project that declares nothing itself, and its member
/// `packages/api` declares quotebook with `constraint` (line 6 of its
/// pyproject.toml).
fn uv_workspace(bot: &Path, uv: &Path, servers: &Servers, constraint: &str) {
    let root = format!(
        r#"[project]
name = "quotebot"
version = "0.1.0"
requires-python = ">=3.8"
dependencies = []

[tool.uv]
package = false

[tool.uv.workspace]
members = ["packages/*"]

[[tool.uv.index]]
name = "fake"
url = "{}/simple"
default = true
"#,
        servers.index.base_url()
    );
    std::fs::write(bot.join("pyproject.toml"), root).unwrap();
    let member = |constraint: &str| {
        format!(
            "[project]\nname = \"api\"\nversion = \"0.1.0\"\nrequires-python = \">=3.8\"\ndependencies = [\n    \"quotebook{constraint}\",\n]\n\n[tool.uv]\npackage = false\n"
        )
    };
    let api = bot.join("packages/api");
    std::fs::create_dir_all(&api).unwrap();
    std::fs::write(api.join("pyproject.toml"), member("==1.0.0")).unwrap();
    run_in(bot, uv, &["lock"]);
    std::fs::write(api.join("pyproject.toml"), member(constraint)).unwrap();
    run_in(bot, uv, &["lock"]);
    run_in(bot, uv, &["sync", "--frozen", "--all-packages"]);
    assert_eq!(
        locked_version(&bot.join("uv.lock"), "quotebook").as_deref(),
        Some("1.0.0")
    );
    assert_eq!(imported_version(bot, "quotebook"), "1.0.0");
}

#[test]
fn a_uv_workspace_members_dependency_is_updated_at_the_root_and_synced_for_every_member() {
    let Some(uv) = tool("uv") else { return };
    let servers = servers();
    let install = install_for(
        &servers,
        None,
        &uv_workspace_grant(&uv),
        &format!("uv = \"{}\"", uv.display()),
    );
    let bot = install.bot();
    uv_workspace(&bot, &uv, &servers, ">=1.0");

    // Only the member needs it, and the venv has it.
    uv_update_lands(&install, "uv sync --frozen --all-packages");
    assert!(!bot.join("packages/api/uv.lock").exists());
}

#[test]
fn a_uv_workspace_members_constraint_holds_the_update_naming_its_file_and_line() {
    let Some(uv) = tool("uv") else { return };
    let servers = servers();
    let install = install_for(
        &servers,
        None,
        &uv_workspace_grant(&uv),
        &format!("uv = \"{}\"", uv.display()),
    );
    let bot = install.bot();
    uv_workspace(&bot, &uv, &servers, ">=1.0,<1.1");

    let pip = pip_result(&install);
    assert!(pip["error"].is_null(), "{pip:#}");
    let update = &pip["updates"][0];
    assert_eq!(update["held"], "quotebook>=1.0,<1.1", "{pip:#}");
    let details = update["details"].to_string();
    assert!(
        details.contains("packages/api/pyproject.toml:6"),
        "{details}"
    );
    install_packages(&install);
    assert_eq!(
        locked_version(&bot.join("uv.lock"), "quotebook").as_deref(),
        Some("1.0.0")
    );
}

/// Steward over the demo bot copy with only the pip provider granted, for
/// the real PyPI: `program` is the plan grant; behind a TLS-inspecting
/// proxy its authority reaches the tools through `ca_file` (Steward runs
/// them in a clean environment).
fn online_install(program: &str, settings: &str) -> Install {
    let install = Install::new("");
    let ca_file = ["SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "PIP_CERT"]
        .iter()
        .find_map(|name| std::env::var(name).ok())
        .map(|ca| format!("ca_file = \"{ca}\""))
        .unwrap_or_default();
    install.write_config_with_bot(
        "",
        &format!(
            r#"
[providers.pip]
enabled = true
[providers.pip.grant]
read = ["{{bot}}"]
http = ["pypi.org", "api.osv.dev"]
plan_programs = [{program}]
write = ["{{bot}}/uv.lock", "{{bot}}/poetry.lock", "{{bot}}/pyproject.toml"]
[providers.pip.settings]
{settings}
{ca_file}
"#
        ),
    );
    install.add_provider(&pip_wasm(), "pip");
    install
}

/// The version of `name` the bot's venv has installed.
fn venv_version(bot: &Path, name: &str) -> String {
    let out = std::process::Command::new(bot.join(".venv/bin/python"))
        .arg("-c")
        .arg(format!(
            "import importlib.metadata as m; print(m.version({name:?}))"
        ))
        .output()
        .expect("the venv's python");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// check against PyPI offers idna past 3.4, and install takes it: the
/// lock (when there is one) and the venv both say the offered version.
fn online_idna_update(install: &Install, lockfile: Option<&str>) {
    let bot = install.bot();
    assert_eq!(venv_version(&bot, "idna"), "3.4");
    let pip = pip_result(install);
    assert!(pip["error"].is_null(), "{pip:#}");
    let idna = pip["updates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == "idna")
        .unwrap_or_else(|| panic!("idna 3.4 is outdated: {pip:#}"));
    assert_eq!(idna["current"], "3.4", "{pip:#}");
    let latest = idna["latest"].as_str().unwrap().to_string();
    assert_ne!(latest, "3.4");
    assert!(idna["held"].is_null(), "{idna:#}");

    let (code, session, stderr) = install_packages(install);
    assert_eq!(code, 0, "{session:#}\n{stderr}");
    assert_eq!(session["status"], "completed", "{session:#}");
    if let Some(lockfile) = lockfile {
        assert_eq!(
            locked_version(&bot.join(lockfile), "idna").as_deref(),
            Some(latest.as_str())
        );
    }
    assert_eq!(venv_version(&bot, "idna"), latest);
}

#[test]
#[ignore = "needs the internet: pypi.org, with uv"]
fn online_uv_project_update_against_the_real_pypi() {
    let Some(uv) = tool("uv") else { return };
    let install = online_install(&uv_grant(&uv), &format!("uv = \"{}\"", uv.display()));
    let bot = install.bot();
    let pyproject = |constraint: &str| {
        format!(
            "[project]\nname = \"quotebot\"\nversion = \"0.1.0\"\nrequires-python = \">=3.8\"\ndependencies = [\"idna{constraint}\"]\n\n[tool.uv]\npackage = false\n"
        )
    };
    std::fs::write(bot.join("pyproject.toml"), pyproject("==3.4")).unwrap();
    run_in(&bot, &uv, &["lock"]);
    std::fs::write(bot.join("pyproject.toml"), pyproject(">=3.0")).unwrap();
    run_in(&bot, &uv, &["lock"]);
    run_in(&bot, &uv, &["sync", "--frozen"]);
    online_idna_update(&install, Some("uv.lock"));
}

#[test]
#[ignore = "needs the internet: pypi.org, with Poetry"]
fn online_poetry_project_update_against_the_real_pypi() {
    let Some(poetry) = tool("poetry") else { return };
    let install = online_install(
        &poetry_grant(&poetry),
        &format!("poetry = \"{}\"", poetry.display()),
    );
    let bot = install.bot();
    // PyPI's simple API, as a source: the JSON API Poetry asks by default is
    // one some proxies and mirrors do not serve.
    let pyproject = |constraint: &str| {
        format!(
            "[project]\nname = \"quotebot\"\nversion = \"0.1.0\"\nrequires-python = \">=3.8\"\n\n[tool.poetry]\npackage-mode = false\n\n[tool.poetry.dependencies]\nidna = \"{constraint}\"\n\n[[tool.poetry.source]]\nname = \"pypi-simple\"\nurl = \"https://pypi.org/simple\"\npriority = \"primary\"\n"
        )
    };
    std::fs::write(bot.join("pyproject.toml"), pyproject("3.4")).unwrap();
    run_in(&bot, &poetry, &["lock", "--no-interaction"]);
    std::fs::write(bot.join("pyproject.toml"), pyproject("^3.0")).unwrap();
    run_in(&bot, &poetry, &["lock", "--no-interaction"]);
    run_in(&bot, &poetry, &["install", "--no-interaction", "--no-root"]);
    online_idna_update(&install, Some("poetry.lock"));
}

#[test]
#[ignore = "needs the internet: pypi.org, with pip"]
fn online_pip_venv_update_against_the_real_pypi() {
    let install = online_install(
        r#"{ path = "{bot}/.venv/bin/python", args = [["-m", "pip", "install", "--no-input", "--disable-pip-version-check", "{pip-pin}", "..."]] }"#,
        "",
    );
    let bot = install.bot();
    std::fs::write(bot.join("requirements.txt"), "idna>=3.0\n").unwrap();
    let python = bot.join(".venv/bin/python");
    let venv = std::process::Command::new("python3")
        .args(["-m", "venv"])
        .arg(bot.join(".venv"))
        .status()
        .unwrap();
    assert!(venv.success());
    run_in(
        &bot,
        &python,
        &[
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--upgrade",
            "pip",
            "setuptools",
            "idna==3.4",
        ],
    );
    // Only idna is behind: the venv's pip and setuptools are current.
    online_idna_update(&install, None);
}
