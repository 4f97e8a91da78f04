//! The fleet on Discord: `steward serve` in fleet mode (a real etcd cluster
//! on loopback) against the fake Discord. `scope:fleet` on the update
//! commands runs a wave with the single-host command's permissions, and
//! `/update_status` shows the fleet.

use std::process::Child;
use std::time::{Duration, Instant};

use serde_json::Value;
use steward_tests::etcd::EtcdCluster;
use steward_tests::fakes::discord::{FakeDiscord, GUILD_ID, Member, Opt};
use steward_tests::release_bot::{Bot, Setup, setup_with};
use steward_tests::serve::{ADMIN_ROLE, LONG, SHORT, edits, has_embed, is_callback, spawn};

/// Only the release provider: checks stay quick and offline.
const ONLY_RELEASE: &str = "[providers.pip]\nenabled = false\n[providers.npm]\nenabled = false\n[providers.apt]\nenabled = false\n";

/// `scope` is a choice: index 1 is "fleet".
const FLEET: i64 = 1;

struct Served {
    s: Setup,
    child: Child,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        drop(Bot(&self.s.install));
    }
}

impl Served {
    fn log(&self) -> String {
        std::fs::read_to_string(self.s.install.root().join("serve.log")).unwrap_or_default()
    }

    fn fleet_status(&self) -> Value {
        let run = self.s.install.run(&["fleet", "status", "--json"]);
        assert_eq!(run.code, Some(0), "{}\n{}", run.stderr, self.log());
        run.json()
    }

    /// Waits for an edit of `token`'s reply that `matches`; all edits so far.
    fn wait_edit(
        &self,
        discord: &FakeDiscord,
        token: &str,
        what: &str,
        matches: impl Fn(&Value) -> bool,
    ) -> Vec<Value> {
        let deadline = Instant::now() + LONG;
        loop {
            let all = edits(discord, token);
            if all.iter().any(&matches) {
                return all;
            }
            assert!(
                Instant::now() < deadline,
                "no edit with {what} for {token}: {all:#?}\nlog:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// Instance `a` of fleet `test`, served with the fake Discord, its bot on
/// 1.4.0 and 1.5.0 published.
fn serve(discord: &FakeDiscord, cluster: &EtcdCluster) -> Served {
    let s = setup_with(
        &format!(
            "{ONLY_RELEASE}\n[discord]\napi_base = \"{}\"\nguilds = [{GUILD_ID}]\nadmin_roles = [{ADMIN_ROLE}]\n\n[fleet]\nendpoints = {}\nname = \"test\"\ninstance = \"a\"\ngroup = \"canary\"\nlease_seconds = 3\nrequest_timeout_seconds = 2\n",
            discord.api_base(),
            cluster.endpoints_toml()
        ),
        "",
    );
    s.publish_150(&s.demo_bot_py());
    let child = spawn(discord, &s.install);
    let served = Served { s, child };
    let deadline = Instant::now() + LONG;
    loop {
        let ready = served.s.last_ready_version().as_deref() == Some("1.4.0")
            && served.s.install.data().join("steward.sock").exists()
            && {
                let status = served.fleet_status();
                status["leader"] == "a"
                    && status["instances"]
                        .as_array()
                        .is_some_and(|all| all.len() == 1)
            };
        if ready {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "a never joined the fleet\n{}",
            served.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    served
}

fn embeds(edit: &Value) -> Vec<Value> {
    edit["embeds"].as_array().cloned().unwrap_or_default()
}

#[test]
fn scope_fleet_runs_waves_with_the_single_host_permissions_and_update_status_shows_the_fleet() {
    let cluster = EtcdCluster::start(3);
    let discord = FakeDiscord::start();
    let served = serve(&discord, &cluster);
    let owner = Member::owner();
    let admin = Member::new(300, "admin").roles(&[ADMIN_ROLE]);

    let commands = discord.commands();
    for name in ["update_check", "update_install", "update_rollback"] {
        let scope = commands[name]["options"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["name"] == "scope")
            .unwrap_or_else(|| panic!("{name} has no scope option"))
            .clone();
        assert_eq!(scope["required"], false, "{scope:#}");
        let choices: Vec<&str> = scope["choices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(choices, ["host", "fleet"], "{scope:#}");
    }

    // An admin may not install on one host, so not across the fleet either:
    // refused privately, and no wave starts.
    let token = discord.slash_command(
        "update_install",
        &admin,
        &[Opt::integer("update_type", 2), Opt::integer("scope", FLEET)],
    );
    let callback = discord.wait_for(0, SHORT, "the refusal", is_callback(&token));
    assert_eq!(callback.body["type"], 4);
    assert_eq!(callback.body["data"]["flags"], 64);
    let content = callback.body["data"]["content"].as_str().unwrap();
    assert!(
        content.starts_with("Permission denied: installing updates is for the bot's owners only."),
        "{content}"
    );
    let status = served.fleet_status();
    assert!(
        status["wave"].is_null() && status["last_wave"].is_null(),
        "{status:#}"
    );
    assert_eq!(served.s.current(), std::path::PathBuf::from("1.4.0"));

    // An admin may check, on one host and across the fleet.
    let token = discord.slash_command("update_check", &admin, &[Opt::integer("scope", FLEET)]);
    let all = served.wait_edit(&discord, &token, "the wave's embed", has_embed);
    let embed = &embeds(all.iter().find(|e| has_embed(e)).unwrap())[0];
    assert_eq!(embed["title"], "Fleet check: finished", "{embed:#}");
    let text = embed["description"].as_str().unwrap();
    assert!(
        text.contains("canary · **a**: done (1.4.0 → 1.4.0) · ")
            && text.contains(" update(s) available"),
        "{text}"
    );

    // The owner installs across the fleet, after the Confirm button.
    let token = discord.slash_command(
        "update_install",
        &owner,
        &[Opt::integer("update_type", 2), Opt::integer("scope", FLEET)],
    );
    let all = served.wait_edit(&discord, &token, "the Confirm button", |e| {
        e["components"].as_array().is_some_and(|c| !c.is_empty())
    });
    let prompt = all
        .iter()
        .find(|e| e["components"].as_array().is_some_and(|c| !c.is_empty()))
        .unwrap();
    let question = prompt["content"].as_str().unwrap();
    assert!(
        question.starts_with("Install bot updates across the fleet (1 instances)"),
        "{question}"
    );
    let confirm = prompt["components"][0]["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|b| b["custom_id"].as_str())
        .find(|id| id.starts_with("steward:confirm:"))
        .unwrap()
        .to_string();
    discord.press_button(&confirm, &owner);
    let all = served.wait_edit(&discord, &token, "the wave's end", |e| {
        embeds(e)
            .first()
            .is_some_and(|em| em["title"] == "Fleet install bot: finished")
    });
    let end = all.iter().rev().find(|e| has_embed(e)).unwrap();
    let text = embeds(end)[0]["description"].as_str().unwrap().to_string();
    assert!(
        text.contains("canary · **a**: done (1.4.0 → 1.5.0) · completed"),
        "{text}"
    );
    assert_eq!(served.s.current(), std::path::PathBuf::from("1.5.0"));

    // /update_status: this host, then the fleet with each instance and the last wave.
    // Without metrics, so no chart: the edit is plain JSON.
    let token = discord.slash_command(
        "update_status",
        &owner,
        &[Opt::boolean("show_metrics", false)],
    );
    let all = served.wait_edit(&discord, &token, "the status embeds", |e| {
        embeds(e).len() >= 2
    });
    let fleet = embeds(all.iter().find(|e| embeds(e).len() >= 2).unwrap())
        .into_iter()
        .find(|e| {
            e["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("Fleet test"))
        })
        .expect("a fleet embed");
    assert_eq!(
        fleet["title"], "Fleet test: 1 instances, leader a",
        "{fleet:#}"
    );
    let text = fleet["description"].as_str().unwrap();
    assert!(
        text.contains("**a** (canary): 1.5.0, running, last update completed <t:"),
        "{text}"
    );
    assert!(
        text.contains("(install bot): finished, 100% done"),
        "{text}"
    );
}
