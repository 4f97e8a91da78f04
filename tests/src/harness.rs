//! A Steward installation in a temporary directory: a copy of the demo bot,
//! a `steward.toml` the test writes, and the real `steward` binary to run
//! against them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::guests::workspace;

/// The `steward` binary `cargo test` built next to the test executables.
pub fn steward_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    // target/<profile>/deps/<test> -> target/<profile>/steward
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .map(|dir| dir.join("steward"))
        .expect("target directory layout");
    assert!(
        bin.exists(),
        "{} is missing: run the tests with `cargo test --workspace` so cargo builds it",
        bin.display()
    );
    bin
}

/// Config lines that leave only the bundled config provider enabled (it
/// needs nothing but the bot tree), for tests about something else.
pub const ONLY_CONFIG_PROVIDER: &str = "[providers.pip]\nenabled = false\n[providers.npm]\nenabled = false\n[providers.apt]\nenabled = false\n[providers.release]\nenabled = false\n";

/// The result of provider `name` in `steward check --json` output.
pub fn provider<'a>(json: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    json["providers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["provider"] == name)
        .unwrap_or_else(|| panic!("no result for {name} in {json:#}"))
}

pub struct Install {
    dir: tempfile::TempDir,
}

/// What one run of `steward` printed.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// stdout of a run that must have succeeded (else the test fails with
    /// both streams).
    pub fn succeeded(&self) -> &str {
        assert_eq!(
            self.code,
            Some(0),
            "stdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        &self.stdout
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Run {
            code: o.status.code(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

/// Whatever this install started and left behind (a bot `serve` handed off
/// before the test killed it, its output pump, a daemon a bot spawned) is
/// killed with the install: every process working in its directory or
/// named by its path on its command line. Without it, a test that ends
/// early leaves bots running for the rest of the suite.
impl Drop for Install {
    fn drop(&mut self) {
        let root = self.dir.path();
        let own = std::process::id().to_string();
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return;
        };
        let needle = root.as_os_str().as_encoded_bytes();
        let left: Vec<String> = entries
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|pid| pid.bytes().all(|b| b.is_ascii_digit()) && *pid != own)
            .filter(|pid| {
                let proc = Path::new("/proc").join(pid);
                let works_here =
                    std::fs::read_link(proc.join("cwd")).is_ok_and(|cwd| cwd.starts_with(root));
                // The root itself or a path under it, not a longer name.
                let names_it = std::fs::read(proc.join("cmdline")).is_ok_and(|cmd| {
                    cmd.windows(needle.len()).enumerate().any(|(i, w)| {
                        w == needle && matches!(cmd.get(i + needle.len()), None | Some(b'/' | 0))
                    })
                });
                works_here || names_it
            })
            .collect();
        if !left.is_empty() {
            let _ = Command::new("kill")
                .arg("-KILL")
                .args(&left)
                .stderr(std::process::Stdio::null())
                .status();
        }
    }
}

impl Install {
    /// A fresh install managing a copy of `examples/demo-bot`, with `extra`
    /// appended to a config that grants the config provider the bot's root.
    pub fn new(extra: &str) -> Install {
        let dir = tempfile::tempdir().expect("temp dir");
        copy_tree(
            &workspace().join("examples/demo-bot"),
            &dir.path().join("bot"),
        );
        let install = Install { dir };
        install.write_config(extra);
        install
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn bot(&self) -> PathBuf {
        self.dir.path().join("bot")
    }

    pub fn providers(&self) -> PathBuf {
        self.dir.path().join("data/providers")
    }

    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("steward.toml")
    }

    /// Rewrites `steward.toml`.
    pub fn write_config(&self, extra: &str) {
        self.write_config_with_bot("", extra);
    }

    /// Rewrites `steward.toml` with `bot_lines` inside its `[bot]` table
    /// (how the bot is started, its health probation).
    pub fn write_config_with_bot(&self, bot_lines: &str, extra: &str) {
        let text = format!(
            "[bot]\nroot = \"bot\"\n{bot_lines}\n\n[providers.config.grant]\nread = [\"{{bot}}\"]\nwrite = [\"{{bot}}/config/config.toml\", \"{{bot}}/config/.steward-base.toml\"]\n\n{extra}\n"
        );
        std::fs::write(self.config_path(), text).expect("writing steward.toml");
    }

    /// Copies a provider into the providers directory as `<name>.wasm`.
    pub fn add_provider(&self, wasm: &Path, name: &str) {
        std::fs::create_dir_all(self.providers()).unwrap();
        std::fs::copy(wasm, self.providers().join(format!("{name}.wasm")))
            .unwrap_or_else(|e| panic!("copying {}: {e}", wasm.display()));
    }

    /// Runs `steward --config <this install's config> ARGS`.
    pub fn run(&self, args: &[&str]) -> Run {
        self.command(args).output().expect("running steward").into()
    }

    /// The command `run` would execute, for tests that manage the process.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(steward_bin());
        command
            .arg("--config")
            .arg(self.config_path())
            .args(args)
            .env("STEWARD_LOG", "steward=debug");
        command
    }

    /// Steward's data directory (store, backups).
    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Creates the bot's database `data/bot.sqlite3` from `data/seed.sql` in
    /// WAL mode, as `bot.py` does on its first start.
    pub fn seed_database(&self) -> PathBuf {
        let db = self.bot().join("data/bot.sqlite3");
        let seed = std::fs::read_to_string(self.bot().join("data/seed.sql")).expect("seed.sql");
        let conn = rusqlite::Connection::open(&db).expect("creating the database");
        conn.execute_batch(&seed).expect("running seed.sql");
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        db
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        // Whatever a local run of the demo left behind is not part of it.
        if [".venv", "node_modules", "logs", "releases"]
            .iter()
            .any(|skip| name == *skip)
            || name.to_string_lossy().contains(".sqlite3")
        {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A fresh install whose bot has its database (`Install::seed_database`).
pub fn install_with_database(extra: &str) -> Install {
    let install = Install::new(extra);
    install.seed_database();
    install
}

/// The JSON a run printed, which must have succeeded.
pub fn ok(run: &Run) -> serde_json::Value {
    assert_eq!(
        run.code,
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        run.stdout,
        run.stderr
    );
    run.json()
}

/// `steward backup create --json ARGS`, and the record it made.
pub fn create_backup(install: &Install, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["backup", "create", "--json"];
    all.extend_from_slice(args);
    ok(&install.run(&all))["record"].clone()
}

/// The bundled config provider still reports the demo bot's template
/// update: a misbehaving provider failed alone.
pub fn assert_config_provider_unaffected(json: &serde_json::Value) {
    let config = provider(json, "config");
    assert!(
        config["error"].is_null(),
        "config provider failed: {config:#}"
    );
    assert!(
        !config["updates"].as_array().unwrap().is_empty(),
        "config provider reported nothing: {config:#}"
    );
}

/// Records a start of the bot at `version` in its database, as `bot.py`
/// does when it starts.
pub fn insert_start(db: &Path, version: &str) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute(
        "INSERT INTO starts (version, pid, mode, started_at) VALUES (?1, 1, 'offline', '2024-01-01')",
        [version],
    )
    .unwrap();
}
