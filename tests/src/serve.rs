//! The real `steward serve` against a `FakeDiscord`, and the questions
//! tests ask about what it sent: the callback of an interaction, the edits
//! of its reply in order. Killed when dropped.

use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::fakes::discord::{APP_ID, FakeDiscord, GUILD_ID, Member, Request};
use crate::harness::{Install, ONLY_CONFIG_PROVIDER, steward_bin};
use crate::release_bot::{Bot, Setup, setup_with};

/// A role that makes its members admins in `Serve::start`'s config.
pub const ADMIN_ROLE: u64 = 555_000_000_000_000_001;
/// A user listed in `discord.owners` in `Serve::start`'s config.
pub const LISTED_OWNER: u64 = 100_000_000_000_000_002;
/// Connecting and registering, in a debug build.
pub const SHORT: Duration = Duration::from_secs(20);
/// Work that compiles the bundled providers on first use, in a debug build.
pub const LONG: Duration = Duration::from_secs(120);

pub struct Serve {
    child: Child,
    pub install: Install,
}

impl Serve {
    /// Serves a fresh install whose only provider is the bundled config one.
    pub fn start(discord: &FakeDiscord) -> Serve {
        Serve::start_with(discord, "", "")
    }

    /// Like `start`, with `discord_lines` added to the `[discord]` table and
    /// `extra` tables after it.
    pub fn start_with(discord: &FakeDiscord, discord_lines: &str, extra: &str) -> Serve {
        Serve::run(discord, Serve::install(discord, discord_lines, extra))
    }

    /// The install `start_with` serves, for a test to prepare first (the
    /// CLI cannot open the store while `steward serve` holds it).
    pub fn install(discord: &FakeDiscord, discord_lines: &str, extra: &str) -> Install {
        Install::new(&format!(
            "[discord]\napi_base = \"{}\"\nguilds = [{GUILD_ID}]\nowners = [\"{LISTED_OWNER}\"]\nadmin_roles = [{ADMIN_ROLE}]\n{discord_lines}\n{ONLY_CONFIG_PROVIDER}\n{extra}",
            discord.api_base()
        ))
    }

    /// Serves `install` as it is configured.
    pub fn run(discord: &FakeDiscord, install: Install) -> Serve {
        let child = spawn(discord, &install);
        Serve { child, install }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.install.root().join("serve.log")).unwrap_or_default()
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn terminate(&mut self, within: Duration) -> ExitStatus {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "steward serve did not stop within {within:?}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The edits of `token`'s reply, in order, once `done` holds for the
    /// newest; panics with them and the log after `timeout`.
    pub fn edits_until(
        &self,
        discord: &FakeDiscord,
        token: &str,
        timeout: Duration,
        done: impl Fn(&Value) -> bool,
    ) -> Vec<Value> {
        poll_edits(
            discord,
            token,
            timeout,
            "the newest as expected",
            |all| all.last().is_some_and(&done),
            || self.log(),
        )
    }

    /// The edits of `token`'s reply, in order, once one carries an embed.
    pub fn edits_until_result(&self, discord: &FakeDiscord, token: &str) -> Vec<Value> {
        self.edits_until(discord, token, LONG, has_embed)
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `steward serve` for `install` (output in `serve.log` beside it)
/// and waits until it is connected; the caller owns the process.
pub fn spawn(discord: &FakeDiscord, install: &Install) -> Child {
    let log = std::fs::File::create(install.root().join("serve.log")).unwrap();
    let child = Command::new(steward_bin())
        .arg("--config")
        .arg(install.config_path())
        .arg("serve")
        .env("DISCORD_TOKEN", "fake-token")
        .env("STEWARD_LOG", "steward=debug,serenity=info,poise=debug")
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .expect("starting steward serve");
    discord.wait_until_ready(SHORT);
    child
}

/// The edits of `token`'s reply, in order, once `done` holds for them;
/// panics with them and `log()` after `timeout`.
fn poll_edits(
    discord: &FakeDiscord,
    token: &str,
    timeout: Duration,
    what: &str,
    done: impl Fn(&[Value]) -> bool,
    log: impl Fn() -> String,
) -> Vec<Value> {
    let deadline = Instant::now() + timeout;
    loop {
        let all = edits(discord, token);
        if done(&all) {
            return all;
        }
        assert!(
            Instant::now() < deadline,
            "no edit with {what} for {token}: {all:#?}\nlog:\n{}",
            log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The interaction callback (`type` 4 message, 5 deferral, 7 update, 8
/// autocomplete) of the interaction with `token`.
pub fn is_callback(token: &str) -> impl Fn(&Request) -> bool + '_ {
    move |r| r.method == "POST" && r.path.ends_with(&format!("/{token}/callback"))
}

/// An edit of the original reply of the interaction with `token`.
pub fn is_edit(token: &str) -> impl Fn(&Request) -> bool + '_ {
    move |r| {
        r.method == "PATCH"
            && r.path == format!("/api/v10/webhooks/{APP_ID}/{token}/messages/@original")
    }
}

/// Every edit of `token`'s reply so far, in order.
pub fn edits(discord: &FakeDiscord, token: &str) -> Vec<Value> {
    discord
        .requests()
        .into_iter()
        .filter(|r| is_edit(token)(r))
        .map(|r| r.body)
        .collect()
}

pub fn has_embed(edit: &Value) -> bool {
    edit["embeds"].as_array().is_some_and(|a| !a.is_empty())
}

/// A followup message of the interaction with `token` (where an error
/// found after the deferral goes, ephemeral).
pub fn is_followup(token: &str) -> impl Fn(&Request) -> bool + '_ {
    move |r| r.method == "POST" && r.path == format!("/api/v10/webhooks/{APP_ID}/{token}")
}

/// The removal of the original reply of the interaction with `token`.
pub fn is_delete(token: &str) -> impl Fn(&Request) -> bool + '_ {
    move |r| {
        r.method == "DELETE"
            && r.path == format!("/api/v10/webhooks/{APP_ID}/{token}/messages/@original")
    }
}

/// The text of the private followup that answered `token` after its
/// deferral, once the public placeholder was removed.
pub fn private_after_deferral(discord: &FakeDiscord, token: &str) -> String {
    let followup = discord.wait_for(0, SHORT, "the private answer", is_followup(token));
    assert_eq!(
        followup.body["flags"], 64,
        "not ephemeral: {:?}",
        followup.body
    );
    assert!(
        discord.requests().iter().any(|r| is_delete(token)(r)),
        "the public placeholder was left"
    );
    let text = followup.body["content"].as_str().unwrap().to_string();
    // Progress may have been shown while the work ran; the error never is.
    assert!(
        !edits(discord, token)
            .iter()
            .any(|e| e["content"].as_str() == Some(text.as_str())),
        "the error was shown publicly"
    );
    text
}

/// `steward serve` for a bot Steward runs from a releases layout, on
/// release 1.4.0 with 1.5.0 published (see `crate::release_bot`). Killed,
/// and its bot stopped, when dropped.
pub struct ReleaseServe {
    pub s: Setup,
    child: Child,
}

impl Drop for ReleaseServe {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        drop(Bot(&self.s.install));
    }
}

impl ReleaseServe {
    /// Serves with `config` in steward.toml (its `[discord]` table pointing
    /// at `discord`, see `discord_table`), and waits until it is connected.
    pub fn start(discord: &FakeDiscord, config: &str) -> ReleaseServe {
        ReleaseServe::start_publishing(discord, config, |s| s.demo_bot_py())
    }

    /// Like `start`, with 1.5.0's `bot.py` what `bot_py` makes.
    pub fn start_publishing(
        discord: &FakeDiscord,
        config: &str,
        bot_py: impl FnOnce(&Setup) -> Vec<u8>,
    ) -> ReleaseServe {
        let s = setup_with(config, "");
        s.publish_150(&bot_py(&s));
        let child = spawn(discord, &s.install);
        ReleaseServe { s, child }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.s.install.root().join("serve.log")).unwrap_or_default()
    }

    /// Waits for an edit of `token`'s reply that `matches`; every edit so
    /// far. Panics with them and the log after `LONG`.
    pub fn wait_edit(
        &self,
        discord: &FakeDiscord,
        token: &str,
        what: &str,
        matches: impl Fn(&Value) -> bool,
    ) -> Vec<Value> {
        poll_edits(
            discord,
            token,
            LONG,
            what,
            |all| all.iter().any(&matches),
            || self.log(),
        )
    }

    /// The prompt with the Confirm button on `token`'s reply, once it is
    /// there.
    pub fn asked(&self, discord: &FakeDiscord, token: &str) -> Value {
        let all = self.wait_edit(discord, token, "the Confirm button", |e| {
            confirm_button(e).is_some()
        });
        all.into_iter()
            .find(|e| confirm_button(e).is_some())
            .unwrap()
    }

    /// Someone ran a slash command that asks first (`token`): waits for
    /// the Confirm button, presses it as `member`, and waits for an edit
    /// that is `done`. The prompt, and every edit of the reply by then.
    pub fn confirm(
        &self,
        discord: &FakeDiscord,
        token: &str,
        member: &Member,
        done: impl Fn(&Value) -> bool,
    ) -> (Value, Vec<Value>) {
        let prompt = self.asked(discord, token);
        discord.press_button(&confirm_button(&prompt).unwrap(), member);
        let all = self.wait_edit(discord, token, "the result", done);
        (prompt, all)
    }
}

/// The `[discord]` table for `discord`: its guild, admins by `ADMIN_ROLE`,
/// and `lines`.
pub fn discord_table(discord: &FakeDiscord, lines: &str) -> String {
    format!(
        "[discord]\napi_base = \"{}\"\nguilds = [{GUILD_ID}]\nadmin_roles = [{ADMIN_ROLE}]\n{lines}\n",
        discord.api_base()
    )
}

/// The custom ids of the buttons on a reply's edit.
pub fn buttons(edit: &Value) -> Vec<String> {
    edit["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|b| b["custom_id"].as_str().map(str::to_string))
        .collect()
}

/// The Confirm button's custom id on a reply's edit, if it has one.
pub fn confirm_button(edit: &Value) -> Option<String> {
    buttons(edit)
        .into_iter()
        .find(|b| b.starts_with("steward:confirm:"))
}
