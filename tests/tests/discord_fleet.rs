//! The fleet on Discord: `steward serve` in fleet mode (a real etcd cluster
//! on loopback) against the fake Discord. `scope:fleet` on the update
//! commands runs a wave with the single-host command's permissions, and
//! `/update_status` shows the fleet.

use std::time::{Duration, Instant};

use serde_json::Value;
use steward_tests::etcd::EtcdCluster;
use steward_tests::fakes::discord::{FakeDiscord, Member, Opt};
use steward_tests::serve::{
    ADMIN_ROLE, LONG, ReleaseServe, SHORT, discord_table, has_embed, is_callback,
};

/// Only the release provider: checks stay quick and offline.
const ONLY_RELEASE: &str = "[providers.pip]\nenabled = false\n[providers.npm]\nenabled = false\n[providers.apt]\nenabled = false\n";

/// `scope` is a choice: index 1 is "fleet".
const FLEET: i64 = 1;

fn fleet_status(served: &ReleaseServe) -> Value {
    let run = served.s.install.run(&["fleet", "status", "--json"]);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stderr, served.log());
    run.json()
}

/// Instance `a` of fleet `test`, served with the fake Discord, its bot on
/// 1.4.0 and 1.5.0 published.
fn serve(discord: &FakeDiscord, cluster: &EtcdCluster) -> ReleaseServe {
    serve_publishing(discord, cluster, |s| s.demo_bot_py())
}

/// `serve`, with 1.5.0's `bot.py` what `bot_py` makes.
fn serve_publishing(
    discord: &FakeDiscord,
    cluster: &EtcdCluster,
    bot_py: impl FnOnce(&steward_tests::release_bot::Setup) -> Vec<u8>,
) -> ReleaseServe {
    let served = ReleaseServe::start_publishing(
        discord,
        &format!(
            "{ONLY_RELEASE}\n{}\n[fleet]\nendpoints = {}\nname = \"test\"\ninstance = \"a\"\ngroup = \"canary\"\nlease_seconds = 3\nrequest_timeout_seconds = 2\n",
            discord_table(discord, ""),
            cluster.endpoints_toml()
        ),
        bot_py,
    );
    let deadline = Instant::now() + LONG;
    loop {
        let ready = served.s.last_ready_version().as_deref() == Some("1.4.0")
            && served.s.install.data().join("steward.sock").exists()
            && {
                let status = fleet_status(&served);
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

/// The owner's `/update_status` in `locale` (without metrics, so no chart:
/// the edit is plain JSON): the embed of the fleet, its title starting
/// with `title`.
fn fleet_embed(served: &ReleaseServe, discord: &FakeDiscord, locale: &str, title: &str) -> Value {
    let token = discord.slash_command_in(
        locale,
        "update_status",
        &Member::owner(),
        &[Opt::boolean("show_metrics", false)],
    );
    let all = served.wait_edit(discord, &token, "the status embeds", |e| {
        embeds(e).len() >= 2
    });
    embeds(all.iter().find(|e| embeds(e).len() >= 2).unwrap())
        .into_iter()
        .find(|e| e["title"].as_str().is_some_and(|t| t.starts_with(title)))
        .expect("a fleet embed")
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
    let status = fleet_status(&served);
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
    let (prompt, all) = served.confirm(&discord, &token, &owner, |e| {
        embeds(e)
            .first()
            .is_some_and(|em| em["title"] == "Fleet install bot: finished")
    });
    let question = prompt["content"].as_str().unwrap();
    assert!(
        question.starts_with("Install bot updates across the fleet (1 instances)"),
        "{question}"
    );
    let end = all.iter().rev().find(|e| has_embed(e)).unwrap();
    let text = embeds(end)[0]["description"].as_str().unwrap().to_string();
    assert!(
        text.contains("canary · **a**: done (1.4.0 → 1.5.0) · completed"),
        "{text}"
    );
    assert_eq!(served.s.current(), std::path::PathBuf::from("1.5.0"));

    // /update_status: this host, then the fleet with each instance and the last wave.
    let fleet = fleet_embed(&served, &discord, "en-US", "Fleet test");
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

/// A 1.5.0 that exits at once: it never passes its health probation.
const CRASHING_BOT: &[u8] = b"import sys\nprint('demo-bot crashing', flush=True)\nsys.exit(3)\n";

/// A wave its canary halted, read in Chinese: why it halted is worded in
/// the wave's embed and in `/update_status` (what the instance said stays
/// as it said it), and no English of the fleet's own reaches the reader.
#[test]
fn a_zh_cn_owner_reads_why_a_wave_halted_in_chinese() {
    let cluster = EtcdCluster::start(1);
    let discord = FakeDiscord::start();
    let served = serve_publishing(&discord, &cluster, |_| CRASHING_BOT.to_vec());
    let owner = Member::owner();

    let token = discord.slash_command_in(
        "zh-CN",
        "update_install",
        &owner,
        &[Opt::integer("update_type", 2), Opt::integer("scope", FLEET)],
    );
    let (_, all) = served.confirm(&discord, &token, &owner, |e| {
        embeds(e)
            .first()
            .is_some_and(|em| em["title"] == "集群安装 bot：已停止")
    });
    let end = all.iter().rev().find(|e| has_embed(e)).unwrap();
    let text = embeds(end)[0]["description"].as_str().unwrap().to_string();
    assert!(text.contains("\n已停止：金丝雀实例 a 失败："), "{text}");
    assert!(!text.contains("canary a failed"), "{text}");
    // What the instance answered is worded here, in the reader's language,
    // not as the instance wrote it in English.
    assert!(text.contains("金丝雀实例 a 失败：已回滚："), "{text}");
    assert!(!text.contains("rolled_back"), "{text}");
    assert!(!text.contains("health probation"), "{text}");
    assert_eq!(served.s.current(), std::path::PathBuf::from("1.4.0"));
    // The CLI (and an older Steward) read the same halt in English.
    let status = fleet_status(&served);
    let why = status["last_wave"]["halted_because"].as_str().unwrap();
    assert!(
        why.starts_with("canary a failed: rolled_back: "),
        "{status:#}"
    );
    assert_eq!(status["last_wave"]["halt"]["kind"], "failed", "{status:#}");

    let fleet = fleet_embed(&served, &discord, "zh-CN", "集群 test");
    let text = fleet["description"].as_str().unwrap();
    assert!(text.contains("（安装 bot）：已中止"), "{text}");
    assert!(text.contains("\n金丝雀实例 a 失败："), "{text}");
    assert!(!text.contains("canary a failed"), "{text}");
}
