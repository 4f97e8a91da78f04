//! Which dropped-in providers run: signatures required by `[providers]
//! require_signature`, and grants an owner gives after a provider arrives
//! (`steward providers grant|deny`, the buttons in Discord), stored over
//! steward.toml and applied without a restart.

use serde_json::Value;
use steward_tests::fakes::discord::{ADMINISTRATOR, CHANNEL_ID, EVERYONE, FakeDiscord, Member};
use steward_tests::fakes::release::Signer;
use steward_tests::guests;
use steward_tests::harness::{Install, ONLY_CONFIG_PROVIDER, provider};
use steward_tests::serve::{LONG, SHORT, Serve, is_callback};

fn providers_list(install: &Install) -> Value {
    let run = install.run(&["providers", "list", "--json"]);
    assert!((run.code == Some(0)), "{}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

fn listed<'a>(list: &'a Value, name: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{name} not listed: {list:#}"))
}

#[test]
fn unsigned_or_badly_signed_drop_ins_are_refused_in_one_line_and_bundled_ones_trusted() {
    let publisher = Signer::new();
    let stranger = Signer::new();
    let install = Install::new(&format!(
        "[providers]\nrequire_signature = true\nsignature_keys = [\"{}\"]\n{ONLY_CONFIG_PROVIDER}\n[providers.signed.grant]\nread = [\"{{bot}}\"]\n",
        publisher.public_key()
    ));
    let hello = std::fs::read(guests::hello()).unwrap();
    for name in ["signed", "unsigned", "forged"] {
        install.add_provider(&guests::hello(), name);
    }
    let providers = install.providers();
    std::fs::write(
        providers.join("signed.wasm.minisig"),
        publisher.sign(&hello, "signed.wasm"),
    )
    .unwrap();
    std::fs::write(
        providers.join("forged.wasm.minisig"),
        stranger.sign(&hello, "forged.wasm"),
    )
    .unwrap();

    let list = providers_list(&install);
    assert_eq!(listed(&list, "signed")["loaded"], true, "{list:#}");
    // The bundled providers carry no signature: trusted by their hash.
    assert_eq!(listed(&list, "config")["loaded"], true, "{list:#}");
    assert_eq!(
        listed(&list, "unsigned")["error"],
        "refused: unsigned, and [providers] require_signature is on (no unsigned.wasm.minisig beside it)"
    );
    assert_eq!(
        listed(&list, "forged")["error"],
        "refused: forged.wasm.minisig does not verify with any key in [providers] signature_keys (signed by another key, or the file changed after signing)"
    );

    let check = install.run(&["check"]);
    assert_eq!(check.code, Some(3), "{}\n{}", check.stdout, check.stderr);
    let refused: Vec<&str> = check
        .stdout
        .lines()
        .filter(|l| l.contains("refused:"))
        .collect();
    assert_eq!(refused.len(), 2, "{}", check.stdout);
    assert!(
        refused[0].starts_with("forged: skipped (")
            && refused[1].starts_with("unsigned: skipped ("),
        "{}",
        check.stdout
    );
    assert!(
        !check
            .stdout
            .lines()
            .any(|l| l.starts_with("signed: skipped")),
        "{}",
        check.stdout
    );

    let status = install.run(&["status", "--no-metrics"]);
    assert!(
        status.stdout.contains(
            "Provider not loaded: unsigned: refused: unsigned, and [providers] require_signature is on (no unsigned.wasm.minisig beside it)\n"
        ),
        "{}\n{}",
        status.stdout,
        status.stderr
    );

    // A file changed after it was signed no longer verifies.
    let mut tampered = hello.clone();
    tampered.extend_from_slice(b"\0");
    std::fs::write(providers.join("signed.wasm"), &tampered).unwrap();
    let list = providers_list(&install);
    assert!(
        listed(&list, "signed")["error"]
            .as_str()
            .is_some_and(|e| e.contains("does not verify")),
        "{list:#}"
    );
}

#[test]
fn signatures_required_without_a_key_is_a_configuration_error() {
    let install = Install::new("[providers]\nrequire_signature = true\n");
    let run = install.run(&["providers", "list"]);
    assert_eq!(run.code, Some(2), "{}", run.stdout);
    assert!(
        run.stderr
            .contains("providers.require_signature needs at least one minisign public key in providers.signature_keys"),
        "{}",
        run.stderr
    );
}

fn check_json(install: &Install) -> Value {
    let run = install.run(&["check", "--json"]);
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", run.stdout, run.stderr))
}

/// Whether a channel message carries the Grant button of `name`.
fn grant_notice_for(name: &str) -> impl Fn(&steward_tests::fakes::discord::Request) -> bool + '_ {
    move |r| {
        r.method == "POST"
            && r.path
                .ends_with(&format!("/channels/{CHANNEL_ID}/messages"))
            && r.body
                .to_string()
                .contains(&format!("steward-provider-grant:{name}"))
    }
}

#[test]
fn a_grant_from_discord_or_the_cli_applies_at_the_next_check_without_a_restart() {
    let discord = FakeDiscord::start();
    let serve = Serve::start_with(&discord, &format!("notify_channels = [{CHANNEL_ID}]"), "");
    discord.wait_until_ready(SHORT);
    let install = &serve.install;

    // Dropped in while serve runs: announced with what it asks and buttons.
    let before = discord.requests().len();
    install.add_provider(&guests::hello(), "hello");
    let notice = discord.wait_for(
        before,
        LONG,
        "the waiting-for-grant notice",
        grant_notice_for("hello"),
    );
    let body = notice.body.to_string();
    assert!(body.contains("Provider hello waits for a grant"), "{body}");
    assert!(body.contains("It asks for: read {bot}."), "{body}");
    assert!(body.contains("steward-provider-deny:hello"), "{body}");
    let json = check_json(install);
    assert!(
        provider(&json, "hello")["waiting_for_grant"].is_object(),
        "{json:#}"
    );

    // Owner-only: an admin's press changes nothing and hears why, privately.
    let admin = Member::new(300_000_000_000_000_003, "admin").permissions(EVERYONE | ADMINISTRATOR);
    let token = discord.press_button("steward-provider-grant:hello", &admin);
    let refusal = discord.wait_for(0, SHORT, "the admin's refusal", is_callback(&token));
    assert_eq!(refusal.body["type"], 4, "{:#}", refusal.body);
    assert_eq!(refusal.body["data"]["flags"], 64, "{:#}", refusal.body);
    assert!(
        refusal.body["data"]["content"]
            .as_str()
            .is_some_and(|c| c.contains("owners")),
        "{:#}",
        refusal.body
    );
    assert!(provider(&check_json(install), "hello")["waiting_for_grant"].is_object());

    // The owner's press grants what it asks, and the notice says so.
    let token = discord.press_button("steward-provider-grant:hello", &Member::owner());
    let granted = discord.wait_for(0, SHORT, "the grant's answer", is_callback(&token));
    assert_eq!(granted.body["type"], 7, "{:#}", granted.body);
    let content = granted.body["data"]["content"].as_str().unwrap_or_default();
    assert!(
        content.starts_with("hello is granted read {bot} by <@")
            && content.ends_with("it runs from the next check."),
        "{content}"
    );
    let json = check_json(install);
    let hello = provider(&json, "hello");
    assert!(hello.get("waiting_for_grant").is_none(), "{json:#}");
    assert!(hello["error"].is_null(), "{json:#}");

    // The CLI, through the running service: a grant that leaves out what it
    // asks for is partial, and names what is missing.
    install.add_provider(&guests::hello(), "second");
    let run = install.run(&["providers", "grant", "second", "--http", "example.org"]);
    assert!((run.code == Some(0)), "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("It runs from the next check, partly: not granted read {bot}."),
        "{}",
        run.stdout
    );
    let check = install.run(&["check"]);
    assert!(
        check
            .stdout
            .contains("second: partial: its grant leaves out read {bot}, so it looked at only part of what it checks"),
        "{}",
        check.stdout
    );
    let run = install.run(&["providers", "grant", "second"]);
    assert!((run.code == Some(0)), "{}", run.stderr);
    let json = check_json(install);
    let second = provider(&json, "second");
    assert!(second.get("missing").is_none(), "{json:#}");
    assert!(second["error"].is_null(), "{json:#}");

    // Denied: not run, not waiting, listed as denied.
    let run = install.run(&["providers", "deny", "second"]);
    assert!((run.code == Some(0)), "{}", run.stderr);
    assert!(
        !check_json(install)["providers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["provider"] == "second")
    );
    let run = install.run(&["providers", "list"]);
    let row = run
        .stdout
        .lines()
        .find(|l| l.starts_with("second "))
        .unwrap_or_default();
    assert!(row.contains("denied"), "{}", run.stdout);

    // An unknown provider is refused, naming the ones there are.
    let run = install.run(&["providers", "grant", "nosuch"]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr
            .contains("Provider nosuch was not granted anything: there is no such provider"),
        "{}",
        run.stderr
    );
}
