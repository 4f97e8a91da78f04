//! A bot that Steward runs (`bot.start`) from a releases layout
//! (`releases/<v>/`, `releases/current`), release 1.4.0 running, and a local
//! release server whose signed manifest the bundled release provider reads:
//! the fixture of the install, rollback and `/update_*` tests.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::fakes::release::{FakeReleases, Signer, sha256_hex, tarball};
use crate::harness::{Install, Run};

/// Stops the bot Steward started when the test ends, however it ends.
pub struct Bot<'a>(pub &'a Install);

impl Drop for Bot<'_> {
    fn drop(&mut self) {
        let _ = self.0.run(&["bot", "stop"]);
    }
}

pub struct Setup {
    pub install: Install,
    pub server: FakeReleases,
    pub signer: Signer,
}

/// A bot running release 1.4.0 from `releases/1.4.0` through the
/// `releases/current` link, and a release server publishing `releases`.
pub fn setup(release_settings: &str) -> Setup {
    setup_with("", release_settings)
}

/// `setup`, with `extra` appended to steward.toml.
pub fn setup_with(extra: &str, release_settings: &str) -> Setup {
    let server = FakeReleases::start();
    let signer = Signer::new();
    let install = Install::new("");
    let bot = install.bot();
    let old = bot.join("releases/1.4.0");
    std::fs::create_dir_all(&old).unwrap();
    for file in ["bot.py", "VERSION", "config.template.toml"] {
        std::fs::copy(bot.join(file), old.join(file)).unwrap();
    }
    std::os::unix::fs::symlink("1.4.0", bot.join("releases/current")).unwrap();
    install.write_config_with_bot(
        r#"start = ["python3", "{bot}/releases/current/bot.py", "--home", "{bot}"]
stop_timeout_secs = 5
health.ready_line = "demo-bot ready"
health.probation_secs = 1
health.ready_timeout_secs = 60"#,
        &format!(
            r#"
[providers.release]
verify_key = "{key}"
[providers.release.grant]
read = ["{{bot}}"]
http = ["{host}"]
write = ["{{bot}}/releases"]
[providers.release.settings]
manifest_url = "{url}"
{release_settings}
{extra}
"#,
            key = signer.public_key(),
            host = server.server.host(),
            url = server.manifest_url(),
        ),
    );
    install.seed_database();
    Setup {
        install,
        server,
        signer,
    }
}

impl Setup {
    /// Publishes release `version` made of `files` (signed).
    pub fn publish(&self, version: &str, files: &[(&str, &[u8])]) {
        let name = format!("bot-{version}.tar.gz");
        let archive = tarball(files);
        self.server.set_manifest(
            json!({"releases": [{
                "version": version,
                "url": self.server.put_file(&name, archive.clone()),
                "sha256": sha256_hex(&archive),
                "size": archive.len(),
                "signature": self.signer.sign(&archive, &name),
            }]})
            .to_string(),
        );
    }

    /// Publishes 1.5.0: the demo bot's code with `bot_py` as its bot.py.
    pub fn publish_150(&self, bot_py: &[u8]) {
        let template = std::fs::read(self.install.bot().join("config.template.toml")).unwrap();
        self.publish(
            "1.5.0",
            &[
                ("bot.py", bot_py),
                ("VERSION", b"1.5.0\n"),
                ("config.template.toml", &template),
            ],
        );
    }

    pub fn demo_bot_py(&self) -> Vec<u8> {
        std::fs::read(self.install.bot().join("bot.py")).unwrap()
    }

    pub fn start_bot(&self) -> Bot<'_> {
        let run = self.install.run(&["bot", "start"]);
        assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
        Bot(&self.install)
    }

    pub fn current(&self) -> PathBuf {
        std::fs::read_link(self.install.bot().join("releases/current")).unwrap()
    }

    pub fn output(&self) -> String {
        std::fs::read_to_string(self.install.data().join("bot/output.log")).unwrap_or_default()
    }

    /// The version in the bot's last ready line.
    pub fn last_ready_version(&self) -> Option<String> {
        self.output()
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix("demo-bot ready version="))
            .map(str::to_string)
    }

    pub fn install_json(&self, args: &[&str]) -> (Run, Value) {
        let mut all = vec!["install", "--type", "bot", "--yes", "--json"];
        all.extend_from_slice(args);
        let run = self.install.run(&all);
        let json = run.json();
        (run, json)
    }
}

pub fn count(db: &Path, table: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

pub fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A 1.5.0 whose bot writes `started-1.5.0` (its pid) into its home and
/// then hangs without ever becoming ready.
pub const HANGING_BOT: &[u8] = b"import os, pathlib, sys, time\n\
home = pathlib.Path(sys.argv[sys.argv.index('--home') + 1])\n\
(home / 'started-1.5.0').write_text(str(os.getpid()))\n\
time.sleep(600)\n";

pub fn process_exists(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        !stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z')
    })
}
