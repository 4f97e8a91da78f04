//! The npm provider over projects that pnpm, Yarn and Bun manage, end to
//! end: the real `steward` binary reads the tool's lockfile, plans with the
//! real tool (installed on the machine; `.ci/run` installs them) against
//! the local fake npm registry, and on a failed update puts package.json,
//! the lockfile and node_modules back.

use std::path::PathBuf;

use serde_json::Value;
use steward_tests::fakes::npm::FakeNpm;
use steward_tests::fakes::osv::FakeOsv;
use steward_tests::guests;
use steward_tests::harness::{Install, provider};
use steward_tests::node::{self, NodeBot};
use steward_tests::release_bot::Bot;

fn npm_wasm() -> PathBuf {
    guests::build("providers/npm", "steward-provider-npm")
}

/// One tool: its program (on PATH, or at a path), the setting naming it,
/// the argument patterns its plans need, its lockfile, and the settings
/// file it reads the registry from besides .npmrc.
struct Tool {
    name: &'static str,
    path: Option<&'static str>,
    setting: &'static str,
    patterns: &'static str,
    lockfile: &'static str,
    settings_file: Option<&'static str>,
}

const PNPM: Tool = Tool {
    name: "pnpm",
    path: None,
    setting: "pnpm",
    patterns: r#"[["add", "{npm-range}", "..."], ["install", "--frozen-lockfile"]]"#,
    lockfile: "pnpm-lock.yaml",
    settings_file: None,
};

const BUN: Tool = Tool {
    name: "bun",
    path: None,
    setting: "bun",
    patterns: r#"[["add", "{npm-range}", "..."], ["install", "--frozen-lockfile"]]"#,
    lockfile: "bun.lock",
    settings_file: None,
};

const YARN: Tool = Tool {
    name: "yarn",
    path: None,
    setting: "yarn",
    patterns: r#"[["add", "{npm-range}", "..."], ["install", "--frozen-lockfile"]]"#,
    lockfile: "yarn.lock",
    settings_file: None,
};

/// Yarn Berry, installed beside Yarn 1 by `.ci/run` (`@yarnpkg/cli-dist`);
/// node_modules rather than Plug'n'Play, so the bot loads what it installs.
const BERRY: Tool = Tool {
    name: "yarn (Berry)",
    path: Some("/usr/local/lib/yarn-berry/bin/yarn"),
    setting: "yarn",
    patterns: r#"[["up", "{npm-range}", "..."], ["install", "--immutable"]]"#,
    lockfile: "yarn.lock",
    settings_file: Some(".yarnrc.yml"),
};

/// npm itself, for its workspaces (`npm install --workspace DIR`).
const NPM: Tool = Tool {
    name: "npm",
    path: None,
    setting: "npm",
    patterns: r#"[["install", "--no-audit", "--no-fund", "{npm-pin}", "..."], ["install", "--no-audit", "--no-fund", "--workspace", "*", "{npm-pin}", "..."], ["ci", "--no-audit", "--no-fund"]]"#,
    lockfile: "package-lock.json",
    settings_file: None,
};

/// What each tool's plans run in a workspace: the root's own dependencies
/// and a member's, both from the root.
fn workspace_patterns(tool: &Tool) -> &'static str {
    match tool.name {
        "pnpm" => {
            r#"[["add", "--workspace-root", "{npm-range}", "..."], ["--filter", "*", "add", "{npm-range}", "..."], ["install", "--frozen-lockfile"]]"#
        }
        "yarn" => {
            r#"[["add", "--ignore-workspace-root-check", "{npm-range}", "..."], ["workspace", "*", "add", "{npm-range}", "..."], ["install", "--frozen-lockfile"]]"#
        }
        "bun" => {
            r#"[["add", "{npm-range}", "..."], ["add", "--cwd", "*", "{npm-range}", "..."], ["install", "--frozen-lockfile"]]"#
        }
        _ => tool.patterns,
    }
}

/// A bot that refuses to start on greet 1.1.0, so installing it fails the
/// health probation.
const BOT_JS: &str = r#"const greet = require('greet');
if (greet === 'greet@1.1.0') { console.error('greet 1.1.0 breaks the bot'); process.exit(3); }
console.log('node-bot ready ' + greet);
setInterval(() => {}, 1000);
"#;

const BOT_LINES: &str = r#"start = ["node", "{bot}/bot.js"]
stop_timeout_secs = 5
health.ready_line = "node-bot ready"
health.probation_secs = 1
health.ready_timeout_secs = 60"#;

fn registry() -> FakeNpm {
    FakeNpm::new()
        .package("greet", &["1.0.0", "1.1.0"])
        .package("shout", &["2.0.0", "2.1.0"])
}

/// A bot with greet `~1.0.0` (so 1.0.0 is installed and 1.1.0 is an
/// update beyond the range) and shout pinned at 2.0.0, which `tool`
/// installed; `None` when the tool is missing outside CI.
fn node_bot(tool: &Tool, registry: &str, osv: &str, bot_lines: &str) -> Option<NodeBot> {
    let path = match tool.path {
        Some(path) => node::tool_at(tool.name, path)?,
        None => node::tool(tool.name)?,
    };
    let config = node::npm_config(registry, osv, &path, tool.setting, tool.patterns);
    let files: Vec<(&str, String)> = tool
        .settings_file
        .map(|name| {
            let text = format!(
                "nodeLinker: node-modules\nenableTelemetry: false\nenableGlobalCache: false\nenableImmutableInstalls: false\nnpmRegistryServer: \"http://{registry}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\n"
            );
            (name, text)
        })
        .into_iter()
        .collect();
    let bot = NodeBot::new(
        path,
        registry,
        &[("greet", "~1.0.0"), ("shout", "2.0.0")],
        &files,
        bot_lines,
        &config,
    );
    std::fs::write(bot.bot().join("bot.js"), BOT_JS).unwrap();
    bot.install.add_provider(&npm_wasm(), "npm");
    assert_eq!(bot.installed("greet"), "1.0.0");
    assert!(
        bot.bot().join(tool.lockfile).is_file(),
        "{} wrote no lockfile",
        tool.name
    );
    Some(bot)
}

fn update<'a>(result: &'a Value, id: &str) -> Option<&'a Value> {
    result["updates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == id)
}

fn check(bot: &NodeBot) -> Value {
    let run = bot.run(&["check", "--type", "packages", "--details", "--json"]);
    let json = run.json();
    let npm = provider(&json, "npm").clone();
    assert!(npm["error"].is_null(), "{npm:#}\n{}", run.stderr);
    npm
}

/// check sees the tool's project; install runs the tool; its lockfile,
/// package.json (range style kept) and node_modules move to 1.1.0.
fn update_is_applied_with_the_tool(tool: &Tool) {
    let registry = registry().start();
    let (osv, _) = FakeOsv::new().start();
    let Some(bot) = node_bot(tool, &registry.host(), &osv.host(), "") else {
        return;
    };
    let npm = check(&bot);
    let greet = update(&npm, "greet").expect("greet outdated");
    assert_eq!(greet["current"], "1.0.0", "{npm:#}");
    assert_eq!(greet["latest"], "1.1.0", "{npm:#}");
    let shout = update(&npm, "shout").expect("pinned shout reported");
    assert_eq!(shout["held"], "shout@2.0.0 is pinned in package.json");
    assert!(
        shout["details"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d == "held by package.json:4: \"shout\": \"2.0.0\""),
        "{shout:#}"
    );

    let run = bot.run(&["install", "--type", "packages", "--yes", "--json"]);
    let json = run.json();
    assert_eq!(run.code, Some(0), "{json:#}\n{}", run.stderr);
    assert_eq!(json["session"]["status"], "completed", "{json:#}");
    assert_eq!(bot.installed("greet"), "1.1.0");
    let manifest: Value = serde_json::from_str(&bot.read("package.json")).unwrap();
    assert_eq!(manifest["dependencies"]["greet"], "~1.1.0", "{manifest:#}");
    assert_eq!(manifest["dependencies"]["shout"], "2.0.0", "{manifest:#}");
    let lock = bot.read(tool.lockfile);
    assert!(lock.contains("1.1.0"), "{lock}");
    assert!(!lock.contains("greet@1.0.0"), "{lock}");
    // What the tool wrote is what steward reads next time: nothing left.
    assert!(update(&check(&bot), "greet").is_none());
}

/// The update breaks the bot: the transaction rolls back, and the tool
/// rebuilds node_modules from the captured lockfile.
fn failed_update_restores_lockfile_and_node_modules(tool: &Tool) {
    let registry = registry().start();
    let (osv, _) = FakeOsv::new().start();
    let Some(bot) = node_bot(tool, &registry.host(), &osv.host(), BOT_LINES) else {
        return;
    };
    // The pre-update backup holds the bot's database, as on a real bot.
    bot.install.seed_database();
    let lock_before = bot.read(tool.lockfile);
    let manifest_before = bot.read("package.json");
    let started = bot.run(&["bot", "start"]);
    assert_eq!(started.code, Some(0), "{}", started.stderr);
    let _running = Bot(&bot.install);

    let run = bot.run(&["install", "--type", "packages", "--yes", "--json"]);
    let json = run.json();
    assert_eq!(run.code, Some(5), "{json:#}\n{}", run.stderr);
    assert_eq!(json["session"]["status"], "rolled_back", "{json:#}");
    assert_eq!(bot.read(tool.lockfile), lock_before);
    assert_eq!(bot.read("package.json"), manifest_before);
    assert_eq!(bot.installed("greet"), "1.0.0");
}

#[test]
fn pnpm_project_update_is_applied_with_pnpm_and_its_lockfile_updated() {
    update_is_applied_with_the_tool(&PNPM);
}

#[test]
fn pnpm_update_that_breaks_the_bot_rolls_back_lockfile_and_node_modules() {
    failed_update_restores_lockfile_and_node_modules(&PNPM);
}

#[test]
fn bun_project_update_is_applied_with_bun_and_its_lockfile_updated() {
    update_is_applied_with_the_tool(&BUN);
}

#[test]
fn bun_update_that_breaks_the_bot_rolls_back_lockfile_and_node_modules() {
    failed_update_restores_lockfile_and_node_modules(&BUN);
}

#[test]
fn yarn_classic_project_update_is_applied_with_yarn_and_its_lockfile_updated() {
    update_is_applied_with_the_tool(&YARN);
}

#[test]
fn yarn_classic_update_that_breaks_the_bot_rolls_back_lockfile_and_node_modules() {
    failed_update_restores_lockfile_and_node_modules(&YARN);
}

#[test]
fn yarn_berry_project_update_is_applied_with_yarn_up_and_its_lockfile_updated() {
    update_is_applied_with_the_tool(&BERRY);
}

#[test]
fn yarn_berry_update_that_breaks_the_bot_rolls_back_lockfile_and_node_modules() {
    failed_update_restores_lockfile_and_node_modules(&BERRY);
}

#[test]
fn pnpm_failing_midway_fails_the_install_naming_pnpm_and_leaves_the_project_as_it_was() {
    let registry = registry().break_tarball("greet", "1.1.0").start();
    let (osv, _) = FakeOsv::new().start();
    let Some(bot) = node_bot(&PNPM, &registry.host(), &osv.host(), "") else {
        return;
    };
    let lock_before = bot.read(PNPM.lockfile);
    let manifest_before = bot.read("package.json");

    let run = bot.run(&["install", "--type", "packages", "--yes", "--json"]);
    let json = run.json();
    assert_ne!(run.code, Some(0), "{json:#}");
    let session = &json["session"];
    assert_eq!(session["status"], "rolled_back", "{json:#}");
    let error = session["error"].as_str().unwrap_or_default();
    assert!(
        error.contains(&bot.tool.display().to_string()),
        "names the tool: {json:#}"
    );
    assert_eq!(bot.read(PNPM.lockfile), lock_before);
    assert_eq!(bot.read("package.json"), manifest_before);
    assert_eq!(bot.installed("greet"), "1.0.0");
}

/// A pnpm project written by hand (no pnpm needed): package.json, a v9
/// lockfile with `lock`'s text, and greet 1.0.0 in node_modules.
fn hand_made_pnpm_bot(registry: &str, osv: &str, pnpm: &str, lock: &str) -> Install {
    let config = node::npm_config(
        registry,
        osv,
        std::path::Path::new(pnpm),
        "pnpm",
        PNPM.patterns,
    );
    let install = Install::new(&config);
    let bot = install.bot();
    let _ = std::fs::remove_file(bot.join("package-lock.json"));
    std::fs::write(
        bot.join("package.json"),
        "{\n  \"name\": \"node-bot\",\n  \"dependencies\": {\n    \"greet\": \"^1.0.0\"\n  }\n}\n",
    )
    .unwrap();
    std::fs::write(bot.join("pnpm-lock.yaml"), lock).unwrap();
    let module = bot.join("node_modules/greet");
    std::fs::create_dir_all(&module).unwrap();
    std::fs::write(
        module.join("package.json"),
        r#"{"name":"greet","version":"1.0.0"}"#,
    )
    .unwrap();
    install.add_provider(&npm_wasm(), "npm");
    install
}

const PNPM_LOCK: &str = "lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies:\n      greet:\n        specifier: ^1.0.0\n        version: 1.0.0\n\npackages:\n\n  greet@1.0.0:\n    resolution: {integrity: sha512-x}\n\nsnapshots:\n\n  greet@1.0.0: {}\n";

#[test]
fn a_pnpm_lockfile_that_does_not_parse_is_named_in_the_error() {
    let registry = registry().start();
    let (osv, _) = FakeOsv::new().start();
    let install = hand_made_pnpm_bot(
        &registry.host(),
        &osv.host(),
        "/usr/bin/pnpm",
        "importers:\n  .: [unclosed\n",
    );
    let run = install.run(&["check", "--type", "packages", "--json"]);
    let json = run.json();
    let npm = provider(&json, "npm");
    assert_eq!(npm["error"]["code"], "invalid-data", "{npm:#}");
    let message = npm["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("pnpm-lock.yaml does not parse as a pnpm lockfile"),
        "{message}"
    );
}

#[test]
fn a_pnpm_missing_from_the_machine_fails_the_install_naming_it_and_changes_nothing() {
    let registry = registry().start();
    let (osv, _) = FakeOsv::new().start();
    let missing = "/nonexistent/bin/pnpm";
    let install = hand_made_pnpm_bot(&registry.host(), &osv.host(), missing, PNPM_LOCK);
    let manifest_before = std::fs::read_to_string(install.bot().join("package.json")).unwrap();

    let run = install.run(&["install", "--type", "packages", "--yes", "--json"]);
    let json = run.json();
    assert_ne!(run.code, Some(0), "{json:#}");
    let session = &json["session"];
    assert_eq!(session["status"], "rolled_back", "{json:#}");
    let error = session["error"].as_str().unwrap_or_default();
    assert!(error.contains(missing), "{json:#}");
    assert_eq!(
        std::fs::read_to_string(install.bot().join("pnpm-lock.yaml")).unwrap(),
        PNPM_LOCK
    );
    assert_eq!(
        std::fs::read_to_string(install.bot().join("package.json")).unwrap(),
        manifest_before
    );
}

/// A workspace the tool installed: the root declares shout (pinned) and
/// names `packages/api` (`@bot/api`), whose package.json declares greet
/// `~1.0.0` and its sibling `packages/lib` (`@bot/lib`); `None` when the
/// tool is missing outside CI.
fn workspace_bot(tool: &Tool, registry: &str, osv: &str) -> Option<NodeBot> {
    let path = match tool.path {
        Some(path) => node::tool_at(tool.name, path)?,
        None => node::tool(tool.name)?,
    };
    let config = node::npm_config(registry, osv, &path, tool.setting, workspace_patterns(tool));
    let mut files: Vec<(&str, String)> = Vec::new();
    // The member also depends on a sibling: npm and Yarn 1 link it by its
    // plain range, the others by the workspace protocol.
    let sibling = match tool.name {
        "npm" | "yarn" if tool.settings_file.is_none() => "^1.0.0",
        _ => "workspace:^",
    };
    if tool.name == "pnpm" {
        files.push((
            "pnpm-workspace.yaml",
            "packages:\n  - 'packages/*'\n".into(),
        ));
    } else {
        files.push((
            "package.json",
            "{\n  \"name\": \"node-bot\",\n  \"version\": \"1.0.0\",\n  \"private\": true,\n  \"workspaces\": [\"packages/*\"],\n  \"dependencies\": {\n    \"shout\": \"2.0.0\"\n  }\n}\n".into(),
        ));
    }
    if let Some(name) = tool.settings_file {
        files.push((
            name,
            format!(
                "nodeLinker: node-modules\nenableTelemetry: false\nenableGlobalCache: false\nenableImmutableInstalls: false\nnpmRegistryServer: \"http://{registry}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\n"
            ),
        ));
    }
    files.push((
        "packages/api/package.json",
        format!(
            "{{\n  \"name\": \"@bot/api\",\n  \"version\": \"1.0.0\",\n  \"dependencies\": {{\n    \"greet\": \"~1.0.0\",\n    \"@bot/lib\": \"{sibling}\"\n  }}\n}}\n"
        ),
    ));
    files.push((
        "packages/lib/package.json",
        "{\n  \"name\": \"@bot/lib\",\n  \"version\": \"1.0.0\"\n}\n".into(),
    ));
    let bot = NodeBot::new(path, registry, &[("shout", "2.0.0")], &files, "", &config);
    bot.install.add_provider(&npm_wasm(), "npm");
    assert_eq!(member_greet(&bot), "1.0.0");
    Some(bot)
}

/// The greet the workspace member loads: its own node_modules (pnpm),
/// else the hoisted one.
fn member_greet(bot: &NodeBot) -> String {
    let own = bot
        .bot()
        .join("packages/api/node_modules/greet/package.json");
    let text = std::fs::read_to_string(&own)
        .unwrap_or_else(|_| bot.read("node_modules/greet/package.json"));
    let manifest: Value = serde_json::from_str(&text).unwrap();
    manifest["version"].as_str().unwrap().to_string()
}

/// check reads the member's package.json against the root's lockfile;
/// install runs the tool from the root, naming the member its way; the
/// member's range, the lockfile and node_modules move to 1.1.0.
fn workspace_member_update_is_applied_from_the_root(tool: &Tool) {
    let registry = registry().start();
    let (osv, _) = FakeOsv::new().start();
    let Some(bot) = workspace_bot(tool, &registry.host(), &osv.host()) else {
        return;
    };
    let npm = check(&bot);
    let greet = update(&npm, "packages/api:greet").expect("the member's greet outdated");
    assert_eq!(greet["name"], "greet", "{npm:#}");
    assert_eq!(greet["current"], "1.0.0", "{npm:#}");
    assert_eq!(greet["latest"], "1.1.0", "{npm:#}");
    let shout = update(&npm, "shout").expect("the root's pinned shout reported");
    assert_eq!(shout["held"], "shout@2.0.0 is pinned in package.json");

    let run = bot.run(&["install", "--type", "packages", "--yes", "--json"]);
    let json = run.json();
    assert_eq!(run.code, Some(0), "{json:#}\n{}", run.stderr);
    assert_eq!(json["session"]["status"], "completed", "{json:#}");
    assert_eq!(member_greet(&bot), "1.1.0");
    let member: Value = serde_json::from_str(&bot.read("packages/api/package.json")).unwrap();
    let range = member["dependencies"]["greet"].as_str().unwrap();
    assert!(range.ends_with("1.1.0"), "{member:#}");
    assert!(
        !bot.bot().join("packages/api").join(tool.lockfile).exists(),
        "the member got a lockfile of its own"
    );
    let lock = bot.read(tool.lockfile);
    assert!(lock.contains("1.1.0"), "{lock}");
    assert!(update(&check(&bot), "packages/api:greet").is_none());
}

#[test]
fn npm_workspace_member_update_is_applied_from_the_root() {
    workspace_member_update_is_applied_from_the_root(&NPM);
}

#[test]
fn pnpm_workspace_member_update_is_applied_from_the_root() {
    workspace_member_update_is_applied_from_the_root(&PNPM);
}

#[test]
fn yarn_classic_workspace_member_update_is_applied_from_the_root() {
    workspace_member_update_is_applied_from_the_root(&YARN);
}

#[test]
fn yarn_berry_workspace_member_update_is_applied_from_the_root() {
    workspace_member_update_is_applied_from_the_root(&BERRY);
}

#[test]
fn bun_workspace_member_update_is_applied_from_the_root() {
    workspace_member_update_is_applied_from_the_root(&BUN);
}

/// package.json changed after the last install: check names the lockfile
/// and what differs, and install plans nothing from it.
#[test]
fn a_lockfile_out_of_date_with_package_json_is_named_and_nothing_is_installed() {
    let registry = registry().start();
    let (osv, _) = FakeOsv::new().start();
    let Some(bot) = node_bot(&PNPM, &registry.host(), &osv.host(), "") else {
        return;
    };
    let lock_before = bot.read(PNPM.lockfile);
    let lock_path = bot.bot().join(PNPM.lockfile).display().to_string();
    for (edited, says) in [
        (
            r#""greet": "~1.1.0""#,
            r#"package.json declares greet "~1.1.0", but the lockfile has 1.0.0"#,
        ),
        (
            r#""greet": "~1.0.0", "loud": "^1.0.0""#,
            r#"package.json declares loud "^1.0.0", which the lockfile does not have"#,
        ),
    ] {
        let manifest = bot
            .read("package.json")
            .replace(r#""greet": "~1.0.0""#, edited);
        std::fs::write(bot.bot().join("package.json"), &manifest).unwrap();

        let run = bot.run(&["check", "--type", "packages", "--json"]);
        let json = run.json();
        let npm = provider(&json, "npm");
        let message = npm["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.starts_with(&format!("{lock_path} is out of date with package.json")),
            "{npm:#}"
        );
        assert!(message.contains(says), "{message}");
        assert!(message.contains("run `pnpm install`"), "{message}");

        // install leaves the project as it is, and says why.
        let run = bot.run(&["install", "--type", "packages", "--yes", "--json"]);
        let json = run.json();
        assert_eq!(json["session"]["status"], "nothing_to_do", "{json:#}");
        assert!(json["planned"].as_array().unwrap().is_empty(), "{json:#}");
        assert!(
            json["warnings"].as_array().unwrap().iter().any(|w| w
                .as_str()
                .unwrap_or_default()
                .contains(&format!("{lock_path} is out of date with package.json"))),
            "{json:#}"
        );
        assert_eq!(bot.read(PNPM.lockfile), lock_before);
        assert_eq!(bot.read("package.json"), manifest);
        assert_eq!(bot.installed("greet"), "1.0.0");
        // Back to what the lockfile says, for the next case.
        let manifest = manifest.replace(edited, r#""greet": "~1.0.0""#);
        std::fs::write(bot.bot().join("package.json"), manifest).unwrap();
    }
}

/// A project older Bun left with only `bun.lockb`: check fails naming the
/// file and the command that writes `bun.lock`, never "up to date".
#[test]
fn a_project_with_only_a_binary_bun_lockb_is_named_with_the_command_to_migrate() {
    let registry = registry().start();
    let (osv, _) = FakeOsv::new().start();
    let install = hand_made_pnpm_bot(&registry.host(), &osv.host(), "/usr/bin/bun", PNPM_LOCK);
    let bot = install.bot();
    std::fs::remove_file(bot.join("pnpm-lock.yaml")).unwrap();
    // What bun 1.1 wrote: a binary header, then the package table.
    let mut lockb = b"#!/usr/bin/env bun\nbun-lockfile-format-v0\n".to_vec();
    lockb.extend([2, 0, 0, 0, 0, 0, 0, 0, 0xff, 0x00, 0x13]);
    std::fs::write(bot.join("bun.lockb"), lockb).unwrap();

    let run = install.run(&["check", "--type", "packages", "--json"]);
    assert_eq!(run.code, Some(3), "{}\n{}", run.stdout, run.stderr);
    let json = run.json();
    let npm = provider(&json, "npm");
    let message = npm["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(&format!("{}/bun.lockb", bot.display())),
        "{npm:#}"
    );
    assert!(
        message.contains("bun install --save-text-lockfile"),
        "{message}"
    );
    // The terminal says it too.
    let text = install.run(&["check", "--type", "packages"]);
    assert!(
        format!("{}{}", text.stdout, text.stderr).contains("bun install --save-text-lockfile"),
        "{}\n{}",
        text.stdout,
        text.stderr
    );
}

/// Against registry.npmjs.org with the real tool: `ms ~2.0.0`, which the
/// tool installs at 2.0.0; check offers 2.1.3 (the latest, outside the
/// range, and says so), and install takes it through the tool.
fn online_update_with_the_tool(tool: &Tool) {
    let Some(path) = (match tool.path {
        Some(path) => node::tool_at(tool.name, path),
        None => node::tool(tool.name),
    }) else {
        return;
    };
    let config = format!(
        r#"
[providers.npm]
enabled = true
[providers.npm.grant]
read = ["{{bot}}"]
http = ["registry.npmjs.org", "api.osv.dev"]
plan_programs = [{{ path = "{program}", args = {patterns} }}]
write = ["{{bot}}/package.json", "{{bot}}/{lockfile}"]
[providers.npm.settings]
{setting} = "{program}"
{ca_file}
"#,
        // Behind a TLS-inspecting proxy the tools trust its authority only
        // through the provider's `ca_file`: Steward runs them in a clean
        // environment, without this test's NODE_EXTRA_CA_CERTS.
        ca_file = std::env::var("NODE_EXTRA_CA_CERTS")
            .map(|ca| format!("ca_file = \"{ca}\""))
            .unwrap_or_default(),
        program = path.display(),
        patterns = tool.patterns,
        lockfile = tool.lockfile,
        setting = tool.setting,
    );
    let files: Vec<(&str, String)> = tool
        .settings_file
        .map(|name| {
            let text = "nodeLinker: node-modules\nenableTelemetry: false\nenableGlobalCache: false\nenableImmutableInstalls: false\n";
            (name, text.to_string())
        })
        .into_iter()
        .collect();
    let bot = NodeBot::new(
        path,
        "https://registry.npmjs.org/",
        &[("ms", "~2.0.0")],
        &files,
        "",
        &config,
    );
    bot.install.add_provider(&npm_wasm(), "npm");
    assert_eq!(bot.installed("ms"), "2.0.0");

    let npm = check(&bot);
    let ms = update(&npm, "ms").expect("ms 2.0.0 is outdated");
    assert_eq!(ms["current"], "2.0.0", "{npm:#}");
    assert_eq!(ms["latest"], "2.1.3", "{npm:#}");
    assert!(
        ms["details"]
            .to_string()
            .contains("2.1.3 is outside the declared range ~2.0.0"),
        "{ms:#}"
    );

    let run = bot.run(&["install", "--type", "packages", "--yes", "--json"]);
    let json = run.json();
    assert_eq!(run.code, Some(0), "{json:#}\n{}", run.stderr);
    assert_eq!(json["session"]["status"], "completed", "{json:#}");
    assert_eq!(bot.installed("ms"), "2.1.3");
    let manifest: Value = serde_json::from_str(&bot.read("package.json")).unwrap();
    let range = manifest["dependencies"]["ms"].as_str().unwrap();
    assert!(range.ends_with("2.1.3"), "{manifest:#}");
    assert!(bot.read(tool.lockfile).contains("2.1.3"));
    assert!(update(&check(&bot), "ms").is_none());
}

#[test]
#[ignore = "needs the internet: registry.npmjs.org, with npm"]
fn online_npm_project_update_against_the_real_registry() {
    online_update_with_the_tool(&NPM);
}

#[test]
#[ignore = "needs the internet: registry.npmjs.org, with pnpm"]
fn online_pnpm_project_update_against_the_real_registry() {
    online_update_with_the_tool(&PNPM);
}

#[test]
#[ignore = "needs the internet: registry.npmjs.org, with Yarn 1"]
fn online_yarn_classic_project_update_against_the_real_registry() {
    online_update_with_the_tool(&YARN);
}

#[test]
#[ignore = "needs the internet: registry.npmjs.org, with Yarn Berry"]
fn online_yarn_berry_project_update_against_the_real_registry() {
    online_update_with_the_tool(&BERRY);
}

#[test]
#[ignore = "needs the internet: registry.npmjs.org, with Bun"]
fn online_bun_project_update_against_the_real_registry() {
    online_update_with_the_tool(&BUN);
}
