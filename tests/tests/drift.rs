//! Drift through the real `steward` binary: an install records what it
//! applied, someone switches the release back by hand, and `steward serve`'s
//! periodic check posts the drift with a diff, and `steward status`
//! shows it.

use std::time::Duration;

use steward_tests::fakes::discord::FakeDiscord;
use steward_tests::release_bot::setup_with;

const HOOK: &str = "/api/v10/webhooks/42/hook-secret";

#[test]
fn a_release_switched_back_by_hand_is_reported_as_drift_with_a_diff_in_the_notice_and_status() {
    let discord = FakeDiscord::start();
    let s = setup_with(
        &format!(
            "[discord]\napi_base = \"{base}\"\nwebhook_url = \"{base}{HOOK}\"\nlocale = \"de\"\n",
            base = discord.api_base()
        ),
        "",
    );
    let _bot = s.start_bot();
    s.publish_150(&s.demo_bot_py());
    let (run, json) = s.install_json(&[]);
    assert_eq!(json["session"]["status"], "completed", "{}", run.stderr);
    let session = json["session"]["id"].as_str().unwrap().to_string();

    // Someone puts the old release back by hand.
    let releases = s.install.bot().join("releases");
    std::fs::remove_file(releases.join("current")).unwrap();
    std::os::unix::fs::symlink("1.4.0", releases.join("current")).unwrap();

    let mut serve = steward_tests::serve::spawn(&discord, &s.install);
    let is_drift = |r: &steward_tests::fakes::discord::Request| {
        r.method == "POST"
            && r.path == HOOK
            && r.body["embeds"][0]["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("Abweichung"))
    };
    let notice = discord.wait_for(0, Duration::from_secs(60), "the drift notice", is_drift);
    let embed = &notice.body["embeds"][0];
    assert_eq!(
        embed["title"], "Abweichung: 1 Quelle hat sich seit dem letzten Update geändert",
        "{embed:#}"
    );
    let text = embed["description"].as_str().unwrap();
    assert!(
        text.contains(&format!(
            "**release** weicht vom Stand ab, den Sitzung {session} angewendet hat"
        )),
        "{text}"
    );
    assert!(text.contains("-link_target = \"1.5.0\""), "{text}");
    assert!(text.contains("+link_target = \"1.4.0\""), "{text}");

    let status = s.install.run(&["status", "--json"]);
    let drift = &status.json()["drift"];
    assert_eq!(drift["drifted"][0]["provider"], "release", "{drift:#}");
    assert_eq!(drift["drifted"][0]["session_id"], session.as_str());
    let text = s.install.run(&["status"]).stdout;
    assert!(
        text.contains(&format!(
            "Drift:    release differs from what session {session} applied"
        )) && text.contains("+link_target = \"1.4.0\""),
        "{text}"
    );
    let _ = serve.kill();
    let _ = serve.wait();
}

#[test]
fn a_bot_steward_never_updated_gets_a_baseline_at_the_first_check_and_drift_from_it_says_so() {
    let discord = FakeDiscord::start();
    let s = setup_with(
        &format!(
            "[discord]\napi_base = \"{base}\"\nwebhook_url = \"{base}{HOOK}\"\n",
            base = discord.api_base()
        ),
        "",
    );
    let _bot = s.start_bot();

    // The first check: nothing on record, so it takes a baseline and
    // reports no drift.
    let mut serve = steward_tests::serve::spawn(&discord, &s.install);
    let started = std::time::Instant::now();
    let drift = loop {
        let drift = s.install.run(&["status", "--json"]).json()["drift"].clone();
        if drift["checked_at"].is_string() {
            break drift;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no drift check ran: {drift:#}"
        );
        std::thread::sleep(Duration::from_millis(500));
    };
    let _ = serve.kill();
    let _ = serve.wait();
    assert!(
        drift["baselines_taken"]
            .as_array()
            .is_some_and(|taken| taken.iter().any(|p| p == "release")),
        "{drift:#}"
    );
    assert_eq!(
        drift["drifted"].as_array().map(Vec::len),
        Some(0),
        "{drift:#}"
    );

    // Someone switches the release by hand.
    let releases = s.install.bot().join("releases");
    std::fs::create_dir(releases.join("1.4.0-hotfix")).unwrap();
    for file in ["bot.py", "VERSION", "config.template.toml"] {
        std::fs::copy(
            releases.join("1.4.0").join(file),
            releases.join("1.4.0-hotfix").join(file),
        )
        .unwrap();
    }
    std::fs::remove_file(releases.join("current")).unwrap();
    std::os::unix::fs::symlink("1.4.0-hotfix", releases.join("current")).unwrap();

    let mark = discord.requests().len();
    let mut serve = steward_tests::serve::spawn(&discord, &s.install);
    let notice = discord.wait_for(mark, Duration::from_secs(60), "the drift notice", |r| {
        r.method == "POST"
            && r.path == HOOK
            && r.body["embeds"][0]["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("Drift"))
    });
    let text = notice.body["embeds"][0]["description"].as_str().unwrap();
    assert!(
        text.contains("**release** differs from the baseline taken at the first check on 2"),
        "{text}"
    );
    assert!(!text.contains("session"), "{text}");
    assert!(
        text.contains("--- baseline taken at first check on 2"),
        "{text}"
    );
    assert!(text.contains("+link_target = \"1.4.0-hotfix\""), "{text}");

    let status = s.install.run(&["status", "--json"]);
    let drift = &status.json()["drift"];
    assert_eq!(drift["drifted"][0]["baseline"], true, "{drift:#}");
    let text = s.install.run(&["status"]).stdout;
    assert!(
        text.contains("Drift:    release differs from the baseline taken at first check on 2"),
        "{text}"
    );
    let _ = serve.kill();
    let _ = serve.wait();
}
