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
