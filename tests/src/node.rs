//! Node projects for the npm provider's end-to-end tests: the real tool
//! (pnpm, Yarn, Bun) found on the machine, a bot project that tool installs
//! from the fake npm registry, and Steward run over it with its own HOME
//! (so the tools' caches and stores are the test's own).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::{Install, Run};

/// The tool's path on the machine. Missing, the test is skipped (`None`)
/// unless it runs in CI (`CI=true`), where a missing tool fails it.
pub fn tool(name: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    });
    required(name, found)
}

/// The tool at `path` (one not on PATH, such as Yarn Berry beside Yarn 1),
/// skipped or failed as `tool` says when it is missing.
pub fn tool_at(name: &str, path: &str) -> Option<PathBuf> {
    let path = PathBuf::from(path);
    required(name, path.is_file().then_some(path))
}

fn required(name: &str, found: Option<PathBuf>) -> Option<PathBuf> {
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{name} is not installed; .ci/run installs it with npm install -g"
        );
        eprintln!("skipped: {name} is not installed");
    }
    found
}

/// A bot whose Node dependencies `tool` manages, installed from the fake
/// registry at `registry` (`host:port`), and the Steward install over it.
pub struct NodeBot {
    pub install: Install,
    pub tool: PathBuf,
    home: tempfile::TempDir,
}

impl NodeBot {
    /// Writes package.json with `dependencies` (name, range) and `files`
    /// (the tool's own settings, workspace members, or a package.json of
    /// its own in place of the one written), points the tool at the registry, and lets
    /// the tool install; `config` is appended to steward.toml, `bot_lines`
    /// go in its `[bot]` table.
    pub fn new(
        tool: PathBuf,
        registry: &str,
        dependencies: &[(&str, &str)],
        files: &[(&str, String)],
        bot_lines: &str,
        config: &str,
    ) -> NodeBot {
        let install = Install::new("");
        install.write_config_with_bot(bot_lines, config);
        let bot = install.bot();
        let _ = std::fs::remove_file(bot.join("package-lock.json"));
        let declared: serde_json::Map<String, serde_json::Value> = dependencies
            .iter()
            .map(|(name, range)| (name.to_string(), (*range).into()))
            .collect();
        let manifest = serde_json::json!({
            "name": "node-bot", "version": "1.0.0", "private": true, "dependencies": declared,
        });
        std::fs::write(
            bot.join("package.json"),
            serde_json::to_string_pretty(&manifest).unwrap() + "\n",
        )
        .unwrap();
        // pnpm, Yarn 1 and Bun all read the registry from .npmrc; a local
        // fake is `host:port`, a real registry its URL.
        let url = if registry.contains("://") {
            registry.to_string()
        } else {
            format!("http://{registry}/")
        };
        std::fs::write(bot.join(".npmrc"), format!("registry={url}\n")).unwrap();
        // Yarn 1 keeps one cache per machine, keyed by name and version: a
        // package another test served with other bytes would fail its
        // integrity check here. This bot's own cache, inside it.
        std::fs::write(
            bot.join(".yarnrc"),
            format!("cache-folder \"{}\"\n", bot.join(".yarn-cache").display()),
        )
        .unwrap();
        for (name, text) in files {
            let path = bot.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let node = NodeBot {
            install,
            tool,
            home: tempfile::tempdir().unwrap(),
        };
        node.tool_run(&["install"]);
        node
    }

    pub fn bot(&self) -> PathBuf {
        self.install.bot()
    }

    /// A file of the bot, as text.
    pub fn read(&self, relative: &str) -> String {
        let path = self.bot().join(relative);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// The version `node_modules/<name>/package.json` says is installed.
    pub fn installed(&self, name: &str) -> String {
        let manifest: serde_json::Value =
            serde_json::from_str(&self.read(&format!("node_modules/{name}/package.json"))).unwrap();
        manifest["version"].as_str().unwrap().to_string()
    }

    /// Runs the tool in the bot's directory; it must succeed.
    pub fn tool_run(&self, args: &[&str]) {
        let out = self
            .env(Command::new(&self.tool))
            .args(args)
            .current_dir(self.bot())
            .output()
            .expect("running the tool");
        assert!(
            out.status.success(),
            "{} {args:?}: {}\n{}",
            self.tool.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Runs steward with this bot's HOME.
    pub fn run(&self, args: &[&str]) -> Run {
        self.env(self.install.command(args))
            .output()
            .expect("running steward")
            .into()
    }

    fn env(&self, mut command: Command) -> Command {
        command
            .env("HOME", self.home.path())
            .env("XDG_CACHE_HOME", self.home.path().join(".cache"))
            .env("XDG_DATA_HOME", self.home.path().join(".local/share"))
            .env("COREPACK_ENABLE_STRICT", "0");
        command
    }

    pub fn home(&self) -> &Path {
        self.home.path()
    }
}

/// `[providers.npm]` granting the bot root, the registry and OSV, the
/// tool's plan commands under `patterns`, and writing package.json, the
/// lockfiles and the workspace members under `packages/` back on a rollback; `setting` names the tool's program
/// (`pnpm = "/usr/bin/pnpm"`).
pub fn npm_config(registry: &str, osv: &str, tool: &Path, setting: &str, patterns: &str) -> String {
    let tool = tool.display();
    format!(
        r#"
[providers.npm]
enabled = true
[providers.npm.grant]
read = ["{{bot}}"]
http = ["{registry}", "{osv}"]
plan_programs = [{{ path = "{tool}", args = {patterns} }}]
write = ["{{bot}}/package.json", "{{bot}}/package-lock.json", "{{bot}}/pnpm-lock.yaml", "{{bot}}/yarn.lock", "{{bot}}/bun.lock", "{{bot}}/packages"]
[providers.npm.settings]
registry_url = "http://{registry}"
osv_url = "http://{osv}"
timeout_ms = 5000
{setting} = "{tool}"
"#
    )
}
