//! Managing schedules on Discord: `/update_schedule`'s answer lists every
//! schedule with buttons to enable, disable and remove each, and so does
//! its refusal when `scheduling.max_schedules` is reached. Every press is
//! the presser's own request: the service refuses a non-owner, privately.
//! Checked against what the CLI then lists through the running service.

use std::time::{Duration, Instant};

use serde_json::Value;
use steward_tests::fakes::discord::{FakeDiscord, Member, Opt};
use steward_tests::serve::{ADMIN_ROLE, SHORT, Serve, buttons, is_callback, is_edit};

fn button(data: &Value, action: &str, schedule: &str) -> String {
    buttons(data)
        .into_iter()
        .find(|b| b.ends_with(&format!(":{action}:{schedule}")))
        .unwrap_or_else(|| panic!("no {action} button for {schedule}: {data:#}"))
}

/// The schedules as `steward schedule list --json` shows them.
fn listed(serve: &Serve) -> Vec<Value> {
    let run = serve.install.run(&["schedule", "list", "--json"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    run.json()["schedules"].as_array().cloned().unwrap()
}

/// Presses `custom_id` as `member`; the press's answer.
fn press(discord: &FakeDiscord, serve: &Serve, custom_id: &str, member: &Member) -> Value {
    let token = discord.press_button(custom_id, member);
    let deadline = Instant::now() + SHORT;
    loop {
        if let Some(answer) = discord.requests().into_iter().find(is_callback(&token)) {
            return answer.body;
        }
        assert!(
            Instant::now() < deadline,
            "no answer to pressing {custom_id}; requests: {:?}\nthe log:\n{}",
            discord
                .requests()
                .iter()
                .map(|r| format!("{} {}", r.method, r.path))
                .collect::<Vec<_>>(),
            serve.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn schedules_are_listed_under_update_schedule_and_owners_disable_and_remove_them_there() {
    let discord = FakeDiscord::start();
    let serve = Serve::start_with(&discord, "", "[scheduling]\nmax_schedules = 1\n");
    let owner = Member::owner();
    let token = discord.slash_command(
        "update_schedule",
        &owner,
        &[
            Opt::integer("schedule_type", 0),
            Opt::string("update_types", "config"),
            Opt::string("schedule_name", "nightly"),
        ],
    );
    let answer = discord
        .wait_for(0, SHORT, "the schedule", is_callback(&token))
        .body;
    assert_eq!(answer["type"], 4, "{answer:#}");
    let data = &answer["data"];
    assert_eq!(data["embeds"][0]["title"], "Schedule s1 (nightly) added");
    let list = &data["embeds"][1];
    assert_eq!(list["title"], "Schedules (1 of 1)", "{data:#}");
    let text = list["description"].as_str().unwrap();
    assert!(
        text.starts_with("**s1 (nightly)** · daily at 03:00 · config · next "),
        "{text}"
    );

    // An admin may look but not manage: refused privately, nothing changes.
    let admin = Member::new(300, "admin-by-role").roles(&[ADMIN_ROLE]);
    let refused = press(&discord, &serve, &button(data, "disable", "s1"), &admin);
    assert_eq!(refused["type"], 4, "{refused:#}");
    assert_eq!(refused["data"]["flags"], 64, "{refused:#}");
    assert!(
        refused["data"]["content"]
            .as_str()
            .unwrap()
            .starts_with("Permission denied: scheduling updates is for the bot's owners only."),
        "{refused:#}"
    );
    assert_eq!(listed(&serve)[0]["enabled"], true);

    // The owner disables it: the answer is updated in place.
    let disabled = press(&discord, &serve, &button(data, "disable", "s1"), &owner);
    assert_eq!(disabled["type"], 7, "{disabled:#}");
    assert_eq!(
        disabled["data"]["content"],
        format!("<@{}> disabled schedule s1 (nightly).", owner.id)
    );
    let text = disabled["data"]["embeds"][0]["description"]
        .as_str()
        .unwrap();
    assert!(text.ends_with("· disabled\n"), "{text}");
    assert_eq!(listed(&serve)[0]["enabled"], false);
    // Its button now turns it back on.
    let enable = button(&disabled["data"], "enable", "s1");

    // At the limit, adding is refused, with the list and its buttons.
    let token = discord.slash_command(
        "update_schedule",
        &owner,
        &[
            Opt::integer("schedule_type", 0),
            Opt::string("update_types", "config"),
        ],
    );
    let full = discord
        .wait_for(0, SHORT, "the refusal", is_callback(&token))
        .body;
    assert_eq!(full["data"]["flags"], 64, "{full:#}");
    assert_eq!(
        full["data"]["content"],
        "There are already 1 schedule and scheduling.max_schedules is 1; remove one first."
    );
    let enabled = press(&discord, &serve, &enable, &owner);
    assert_eq!(enabled["type"], 7, "{enabled:#}");
    assert_eq!(listed(&serve)[0]["enabled"], true);

    let removed = press(
        &discord,
        &serve,
        &button(&full["data"], "remove", "s1"),
        &owner,
    );
    assert_eq!(removed["type"], 7, "{removed:#}");
    assert_eq!(
        removed["data"]["content"],
        format!("<@{}> removed schedule s1 (nightly).", owner.id)
    );
    assert_eq!(removed["data"]["embeds"][0]["description"], "No schedules.");
    assert!(buttons(&removed["data"]).is_empty(), "{removed:#}");
    assert!(listed(&serve).is_empty());
}

#[test]
fn the_schedule_list_speaks_the_owner_s_language_and_its_buttons_go_when_unused() {
    let discord = FakeDiscord::start();
    let _serve = Serve::start_with(&discord, "confirm_timeout_seconds = 1", "");
    let token = discord.slash_command_in(
        "de",
        "update_schedule",
        &Member::owner(),
        &[
            Opt::integer("schedule_type", 0),
            Opt::string("update_types", "config"),
        ],
    );
    let answer = discord
        .wait_for(0, SHORT, "the schedule", is_callback(&token))
        .body;
    let data = &answer["data"];
    assert_eq!(
        data["embeds"][1]["title"], "Zeitpläne (1 von 5)",
        "{data:#}"
    );
    let labels: Vec<&str> = data["components"][0]["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|b| b["label"].as_str())
        .collect();
    assert_eq!(labels, ["s1 deaktivieren", "s1 entfernen"]);

    // Unpressed for discord.confirm_timeout_seconds, the buttons go; the
    // list stays.
    let edit = discord.wait_for(0, SHORT, "the buttons taken away", is_edit(&token));
    assert_eq!(
        edit.body["components"],
        serde_json::json!([]),
        "{:#}",
        edit.body
    );
    assert!(edit.body.get("embeds").is_none(), "{:#}", edit.body);
}
