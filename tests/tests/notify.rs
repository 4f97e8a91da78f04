//! `steward check --notify` posts the result to the notification channels
//! (bot token, REST only) and to the webhook (no token needed), checked
//! against the fake Discord with the real binary.

use std::process::Command;

use steward_tests::fakes::discord::{CHANNEL_ID, FakeDiscord, Request};
use steward_tests::harness::{Install, ONLY_CONFIG_PROVIDER, steward_bin};

fn install(discord: &FakeDiscord) -> Install {
    Install::new(&format!(
        "[discord]\napi_base = \"{base}\"\nnotify_channels = [{CHANNEL_ID}]\nwebhook_url = \"{base}/api/v10/webhooks/42/hook-secret\"\n{ONLY_CONFIG_PROVIDER}",
        base = discord.api_base()
    ))
}

fn check_notify(install: &Install, token: Option<&str>) -> std::process::Output {
    let mut command = Command::new(steward_bin());
    command
        .arg("--config")
        .arg(install.config_path())
        .args(["check", "--notify"])
        .env_remove("DISCORD_TOKEN");
    if let Some(token) = token {
        command.env("DISCORD_TOKEN", token);
    }
    command.output().expect("running steward")
}

fn posted<'a>(requests: &'a [Request], path: &str) -> Option<&'a Request> {
    requests
        .iter()
        .find(|r| r.method == "POST" && r.path == path)
}

#[test]
fn check_notify_posts_the_result_to_the_channels_and_the_webhook() {
    let discord = FakeDiscord::start();
    let install = install(&discord);
    let run = check_notify(&install, Some("fake-token"));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("not delivered"), "{stderr}");

    let requests = discord.requests();
    let channel = posted(
        &requests,
        &format!("/api/v10/channels/{CHANNEL_ID}/messages"),
    )
    .unwrap_or_else(|| panic!("nothing posted to the channel: {requests:#?}"));
    let webhook = posted(&requests, "/api/v10/webhooks/42/hook-secret")
        .unwrap_or_else(|| panic!("nothing posted to the webhook: {requests:#?}"));
    for body in [&channel.body, &webhook.body] {
        let embed = &body["embeds"][0];
        assert_eq!(embed["title"], "1 update available", "{body:#}");
        assert_eq!(embed["fields"][0]["name"], "config (1)", "{body:#}");
    }
}

#[test]
fn without_a_bot_token_the_webhook_still_gets_the_notification() {
    let discord = FakeDiscord::start();
    let install = install(&discord);
    let run = check_notify(&install, None);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "notification not delivered: channel {CHANNEL_ID}: no bot token (set DISCORD_TOKEN)"
        )),
        "{stderr}"
    );
    let requests = discord.requests();
    assert!(
        posted(&requests, "/api/v10/webhooks/42/hook-secret").is_some(),
        "{requests:#?}"
    );
    assert!(
        !requests.iter().any(|r| r.path.contains("/channels/")),
        "{requests:#?}"
    );
}

#[test]
fn a_refused_webhook_is_reported_without_its_secret() {
    let discord = FakeDiscord::start();
    let install = Install::new(&format!(
        "[discord]\nwebhook_url = \"{}/api/v10/unknown/hook-secret\"\n",
        discord.api_base()
    ));
    let run = check_notify(&install, None);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("notification not delivered: webhook: Discord answered 404 Not Found"),
        "{stderr}"
    );
    assert!(!stderr.contains("hook-secret"), "{stderr}");
}

#[test]
fn check_notify_at_the_quiet_level_posts_nothing() {
    let discord = FakeDiscord::start();
    let install = Install::new(&format!(
        "[discord]\napi_base = \"{base}\"\nwebhook_url = \"{base}/api/v10/webhooks/42/hook-secret\"\n{ONLY_CONFIG_PROVIDER}\n[notifications]\nonly_changes_and_errors = true\n",
        base = discord.api_base()
    ));
    let run = check_notify(&install, None);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    let requests = discord.requests();
    assert!(
        posted(&requests, "/api/v10/webhooks/42/hook-secret").is_none(),
        "an offer is not a change: {requests:#?}"
    );
}
