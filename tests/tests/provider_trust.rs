//! Which dropped-in providers run: signatures required by `[providers]
//! require_signature`, and grants an owner gives after a provider arrives
//! (`steward providers grant|deny`, the buttons in Discord), stored over
//! steward.toml and applied without a restart.

use serde_json::Value;
use steward_tests::fakes::discord::{
    ADMINISTRATOR, CHANNEL_ID, EVERYONE, FakeDiscord, Member, Opt,
};
use steward_tests::fakes::release::Signer;
use steward_tests::guests;
use steward_tests::harness::{Install, ONLY_CONFIG_PROVIDER, provider};
use steward_tests::serve::{LONG, SHORT, Serve, is_callback, is_edit, spawn};

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

/// `steward serve` started again on the same install; killed when dropped.
struct Restarted(std::process::Child);

impl Drop for Restarted {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Restarted {
    fn terminate(mut self) {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let deadline = std::time::Instant::now() + SHORT;
        while self.0.try_wait().unwrap().is_none() {
            assert!(std::time::Instant::now() < deadline, "serve did not stop");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

/// Whether a request since `after` is `name`'s grant notice.
fn announced_since(discord: &FakeDiscord, after: usize, name: &str) -> usize {
    discord.requests()[after..]
        .iter()
        .filter(|r| grant_notice_for(name)(r))
        .count()
}

/// A provider already waiting when `steward serve` starts is announced with
/// its buttons, once: a restart does not repeat it, a new version of its
/// file is announced again. `/update_status` lists the providers that did
/// not load, wait for a grant or are granted only part of what they ask.
#[test]
fn a_provider_waiting_when_serve_starts_is_announced_once_and_listed_in_status() {
    let discord = FakeDiscord::start();
    let install = Serve::install(
        &discord,
        &format!("notify_channels = [{CHANNEL_ID}]"),
        "[providers.half.grant]\nhttp = [\"example.org\"]\n",
    );
    install.add_provider(&guests::hello(), "hello");
    install.add_provider(&guests::hello(), "half");
    std::fs::write(install.providers().join("broken.wasm"), b"not wasm").unwrap();
    let mut serve = Serve::run(&discord, install);

    let notice = discord.wait_for(
        0,
        LONG,
        "the waiting-for-grant notice at start",
        grant_notice_for("hello"),
    );
    let body = notice.body.to_string();
    assert!(body.contains("Provider hello waits for a grant"), "{body}");
    assert!(body.contains("It asks for: read {bot}."), "{body}");
    assert!(body.contains("steward-provider-deny:hello"), "{body}");
    // Partly granted is not waiting: no buttons for it.
    assert_eq!(announced_since(&discord, 0, "half"), 0);

    let token = discord.slash_command(
        "update_status",
        &Member::owner(),
        &[Opt::boolean("show_metrics", false)],
    );
    let edit = discord.wait_for(0, SHORT, "the status", is_edit(&token));
    let text = String::from_utf8_lossy(&edit.raw);
    assert!(
        text.contains("hello waits for a grant: it asks for read {bot}."),
        "{text}"
    );
    assert!(
        text.contains("half is partly granted: not granted read {bot}."),
        "{text}"
    );
    assert!(text.contains("Not loaded: broken: "), "{text}");
    assert!(!text.contains("hello is partly"), "{text}");

    // Restarted: hello is not announced again, though a provider dropped
    // in afterwards is (so the service did look). Its notice is answered
    // late, so the service is told to stop while it waits for the answer:
    // it finishes and remembers the notice before it stops.
    serve.terminate(SHORT);
    discord.answer_button_messages_after(std::time::Duration::from_secs(1));
    let before = discord.requests().len();
    let restarted = Restarted(spawn(&discord, &serve.install));
    serve.install.add_provider(&guests::hello(), "later");
    discord.wait_for(
        before,
        LONG,
        "the notice of a provider dropped in after the restart",
        grant_notice_for("later"),
    );
    assert_eq!(
        announced_since(&discord, before, "hello"),
        0,
        "{}",
        serve.log()
    );
    restarted.terminate();

    // A new version of its file (another hash) is announced again.
    let mut newer = std::fs::read(guests::hello()).unwrap();
    // An empty custom section named "v2": the same provider, another file.
    newer.extend_from_slice(&[0, 3, 2, b'v', b'2']);
    std::fs::write(serve.install.providers().join("hello.wasm"), newer).unwrap();
    let before = discord.requests().len();
    let _restarted = Restarted(spawn(&discord, &serve.install));
    serve.install.add_provider(&guests::hello(), "last");
    discord.wait_for(
        before,
        LONG,
        "the notice of a provider dropped in after the second restart",
        grant_notice_for("last"),
    );
    assert_eq!(
        announced_since(&discord, before, "hello"),
        1,
        "{}",
        serve.log()
    );
    assert_eq!(announced_since(&discord, before, "later"), 0);
}

#[test]
fn a_check_on_its_own_keeps_a_denial_while_another_steward_holds_the_store() {
    let install = Install::new("");
    install.add_provider(&guests::hello(), "hello");
    let present = |json: &Value| {
        json["providers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["provider"] == "hello")
    };
    for args in [
        &["providers", "grant", "hello"][..],
        &["providers", "deny", "hello"],
    ] {
        let run = install.run(args);
        assert_eq!(run.code, Some(0), "{}", run.stderr);
    }
    assert!(!present(&check_json(&install)), "denied, so not run");

    // Another steward (a long backup, say) holds the store meanwhile.
    let held = install.root().join("held");
    let mut holder = std::process::Command::new("flock")
        .arg("-x")
        .arg(install.data().join("steward.sled/db"))
        .arg("-c")
        // Held until its standard input closes.
        .arg(format!("touch {} && exec cat", held.display()))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("flock (util-linux)");
    let started = std::time::Instant::now();
    while !held.exists() && started.elapsed() < std::time::Duration::from_secs(10) {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(held.exists(), "flock did not take the store's lock");
    let run = install.run(&["check", "--json"]);
    drop(holder.stdin.take());
    let _ = holder.wait();
    let json: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", run.stdout, run.stderr));
    // Not run on steward.toml alone, where it would wait for a grant.
    assert!(!present(&json), "{json:#}\n{}", run.stderr);
    assert!(!run.stderr.contains("not applied"), "{}", run.stderr);

    // A decision changed since is what the next check goes by.
    let run = install.run(&["providers", "grant", "hello"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(present(&check_json(&install)), "granted again, so run");
}
