//! The command-surface diff through the real `steward` binary: the running
//! release ships a `commands.json`, the release manifest names the next
//! one's (`commands_url`), and `check --details` and the install's plan say
//! which slash commands, options and default permissions change before
//! anything is installed.

use serde_json::{Value, json};
use steward_tests::fakes::release::{sha256_hex, tarball};
use steward_tests::harness::provider;
use steward_tests::release_bot::{Setup, setup};

fn commands_140() -> Value {
    json!([
        {"name": "ban", "description": "Ban a member", "default_member_permissions": "4",
         "options": [{"type": 6, "name": "user", "description": "who", "required": true},
                     {"type": 3, "name": "reason", "description": "why"}]},
        {"name": "kick", "description": "Kick a member", "default_member_permissions": "2"},
        {"name": "ping", "description": "Ping"}
    ])
}

fn commands_150() -> Value {
    json!([
        {"name": "ban", "description": "Ban a member", "default_member_permissions": "8",
         "options": [{"type": 6, "name": "user", "description": "who", "required": true},
                     {"type": 3, "name": "reason", "description": "why", "required": true}]},
        {"name": "ping", "description": "Ping"},
        {"name": "poll", "description": "Start a poll"}
    ])
}

/// 1.4.0 runs with `commands_140`; 1.5.0 is published with `commands_150`
/// inside its archive and beside it (`commands_url`).
fn publish(s: &Setup, with_running_manifest: bool) {
    if with_running_manifest {
        std::fs::write(
            s.install.bot().join("releases/1.4.0/commands.json"),
            commands_140().to_string(),
        )
        .unwrap();
    }
    let commands = commands_150().to_string();
    let template = std::fs::read(s.install.bot().join("config.template.toml")).unwrap();
    let bot_py = s.demo_bot_py();
    let archive = tarball(&[
        ("bot.py", &bot_py),
        ("VERSION", b"1.5.0\n"),
        ("config.template.toml", &template),
        ("commands.json", commands.as_bytes()),
    ]);
    let name = "bot-1.5.0.tar.gz";
    s.server.set_manifest(
        json!({"releases": [{
            "version": "1.5.0",
            "url": s.server.put_file(name, archive.clone()),
            "sha256": sha256_hex(&archive),
            "size": archive.len(),
            "signature": s.signer.sign(&archive, name),
            "commands_url": s.server.put_file("commands-1.5.0.json", commands.into_bytes()),
        }]})
        .to_string(),
    );
}

#[test]
fn a_release_that_removes_a_command_says_so_in_the_check_and_before_installing() {
    let s = setup("");
    publish(&s, true);

    let run = s
        .install
        .run(&["check", "--type", "bot", "--details", "--json"]);
    let json = run.json();
    let release = provider(&json, "release");
    let details = &release["updates"][0]["details"];
    let removed = details
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["key"] == "/kick")
        .unwrap_or_else(|| panic!("no /kick in {details:#}\n{}", run.stderr));
    assert_eq!(removed["change"], "removed");

    let dry = s.install.run(&["install", "--type", "bot", "--dry-run"]);
    assert_eq!(dry.code, Some(0), "{}", dry.stderr);
    for line in [
        "The bot's slash commands change:",
        "  + new command /poll",
        "  - command /kick removed",
        "  ~ option /ban reason changes: now required",
        "  ~ /ban default permissions: 4 → 8",
    ] {
        assert!(
            dry.stdout.contains(line),
            "{line:?} missing in\n{}",
            dry.stdout
        );
    }
    let json = s
        .install
        .run(&["install", "--type", "bot", "--dry-run", "--json"])
        .json();
    let keys: Vec<&str> = json["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "/poll",
            "/kick",
            "/ban reason",
            "/ban:default_member_permissions"
        ]
    );
}

#[test]
fn without_a_commands_json_in_the_running_release_the_check_warns_and_still_offers() {
    let s = setup("");
    publish(&s, false);
    let run = s.install.run(&["check", "--type", "bot", "--json"]);
    let json = run.json();
    let release = provider(&json, "release");
    assert_eq!(release["updates"][0]["latest"], "1.5.0", "{release:#}");
    let warnings = release["warnings"].to_string();
    assert!(
        warnings.contains("release 1.4.0 ships no commands.json"),
        "{warnings}"
    );
    let dry = s.install.run(&["install", "--type", "bot", "--dry-run"]);
    assert!(!dry.stdout.contains("slash commands"), "{}", dry.stdout);
}
