//! `/update_install` and `/update_rollback` through `steward serve` against
//! the fake Discord, on a bot Steward runs from a releases layout with a
//! local signed release server (see `steward_tests::release_bot`).

use std::time::{Duration, Instant};

use steward_tests::fakes::discord::{FakeDiscord, Member, Opt};
use steward_tests::serve::{
    ADMIN_ROLE, LONG, ReleaseServe, SHORT, buttons, discord_table, has_embed, is_callback,
};

fn serve(discord: &FakeDiscord) -> ReleaseServe {
    serve_with(discord, "")
}

/// `serve`, with `discord_lines` added to the `[discord]` table.
fn serve_with(discord: &FakeDiscord, discord_lines: &str) -> ReleaseServe {
    ReleaseServe::start(discord, &discord_table(discord, discord_lines))
}

fn install_bot(discord: &FakeDiscord, member: &Member) -> String {
    // update_type is a choice: index 2 is "bot".
    discord.slash_command("update_install", member, &[Opt::integer("update_type", 2)])
}

#[test]
fn update_install_and_rollback_are_registered_with_the_reference_options() {
    let discord = FakeDiscord::start();
    let _served = serve(&discord);
    let commands = discord.commands();
    let install = &commands["update_install"];
    let names: Vec<&str> = install["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "update_type",
            "backup_before",
            "restart_required",
            "force_update",
            "backup_name",
            "scope"
        ]
    );
    assert_eq!(install["options"][0]["required"], true);
    assert_eq!(
        install["options"][0]["choices"].as_array().unwrap().len(),
        5
    );
    let rollback = &commands["update_rollback"];
    let options = rollback["options"].as_array().unwrap();
    assert_eq!(options[0]["name"], "target_version");
    assert_eq!(options[0]["autocomplete"], true);
    assert_eq!(options[1]["name"], "confirm");
    assert_eq!(options[1]["required"], true);
    assert_eq!(options[2]["name"], "create_backup");
    assert_eq!(options[3]["name"], "restore_config");
}

#[test]
fn update_install_asks_then_installs_with_progress_and_rollback_goes_back() {
    let discord = FakeDiscord::start();
    let served = serve(&discord);
    let s = &served.s;
    let owner = Member::owner();

    let token = install_bot(&discord, &owner);
    let callback = discord.wait_for(0, SHORT, "the deferral", is_callback(&token));
    assert_eq!(callback.body["type"], 5);
    let prompt = served.asked(&discord, &token);
    let content = prompt["content"].as_str().unwrap();
    assert!(content.contains("release: bot 1.4.0 -> 1.5.0"), "{content}");
    assert!(
        content.contains("A full backup is taken first"),
        "{content}"
    );
    assert_eq!(
        s.current(),
        std::path::PathBuf::from("1.4.0"),
        "nothing before Confirm"
    );

    let (_, all) = served.confirm(&discord, &token, &owner, has_embed);
    let progress: Vec<&str> = all
        .iter()
        .filter_map(|e| e["content"].as_str())
        .filter(|c| c.starts_with("Progress: "))
        .collect();
    assert!(
        progress
            .iter()
            .any(|p| p.contains("Taking the pre-update backup")),
        "{progress:?}"
    );
    let percents: Vec<u32> = progress
        .iter()
        .filter_map(|p| p["Progress: ".len()..].split('%').next()?.parse().ok())
        .collect();
    assert!(percents.windows(2).all(|w| w[0] <= w[1]), "{percents:?}");
    let embed = &all.last().unwrap()["embeds"][0];
    assert_eq!(embed["title"], "Update completed", "{embed:#}");
    assert_eq!(s.current(), std::path::PathBuf::from("1.5.0"));

    // Autocomplete offers the version the update left, and last_backup.
    let typed = discord.autocomplete(
        "update_rollback",
        &owner,
        &[Opt::string("target_version", "1.").focused()],
    );
    let answer = discord.wait_for(0, SHORT, "the suggestions", is_callback(&typed));
    assert_eq!(answer.body["type"], 8);
    let values: Vec<&str> = answer.body["data"]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["value"].as_str().unwrap())
        .collect();
    assert_eq!(values, ["1.4.0"], "{:?}", answer.body);
    // Nobody else learns which versions are on record: only owners roll back.
    for other in [
        Member::new(300, "admin").roles(&[ADMIN_ROLE]),
        Member::new(301, "member"),
    ] {
        let typed = discord.autocomplete(
            "update_rollback",
            &other,
            &[Opt::string("target_version", "").focused()],
        );
        let answer = discord.wait_for(0, SHORT, "the suggestions", is_callback(&typed));
        assert_eq!(answer.body["type"], 8);
        assert_eq!(
            answer.body["data"]["choices"],
            serde_json::json!([]),
            "{} was offered versions: {:?}",
            other.name,
            answer.body
        );
    }

    let token = discord.slash_command(
        "update_rollback",
        &owner,
        &[
            Opt::string("target_version", "1.4.0"),
            Opt::boolean("confirm", true),
        ],
    );
    let (_, all) = served.confirm(&discord, &token, &owner, has_embed);
    let embed = &all.last().unwrap()["embeds"][0];
    assert_eq!(embed["title"], "Rollback completed", "{embed:#}");
    assert_eq!(s.current(), std::path::PathBuf::from("1.4.0"));
    assert_eq!(s.last_ready_version().as_deref(), Some("1.4.0"));
}

#[test]
fn cancel_changes_nothing_and_admins_and_members_are_refused_privately() {
    let discord = FakeDiscord::start();
    let served = serve(&discord);
    let owner = Member::owner();
    // The owner presses before Discord has answered the edit that showed
    // the buttons: the press still counts.
    discord.answer_button_edits_after(Duration::from_secs(3));

    let token = install_bot(&discord, &owner);
    let all = served.wait_edit(&discord, &token, "the Cancel button", |e| {
        !buttons(e).is_empty()
    });
    let cancel = all
        .iter()
        .flat_map(buttons)
        .find(|b| b.starts_with("steward:cancel:"))
        .unwrap();
    let press = discord.press_button(&cancel, &owner);
    let answer = discord.wait_for(0, SHORT, "the press's answer", is_callback(&press));
    assert_eq!(answer.body["type"], 7, "the prompt is updated in place");
    let content = answer.body["data"]["content"].as_str().unwrap();
    assert!(
        content.ends_with("Cancelled; nothing was changed."),
        "{content}"
    );
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(served.s.current(), std::path::PathBuf::from("1.4.0"));
    // The Cancel is on record, by whoever pressed it, and not a failure.
    let deadline = Instant::now() + LONG;
    let status = loop {
        let status = served
            .s
            .install
            .run(&["status", "--history", "--json"])
            .json();
        if status["history"].as_array().is_some_and(|h| !h.is_empty()) || Instant::now() > deadline
        {
            break status;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let history = status["history"].as_array().unwrap();
    assert_eq!(history.len(), 1, "{status:#}");
    assert_eq!(history[0]["status"], "cancelled", "{status:#}");
    assert_eq!(
        history[0]["initiated_by"],
        format!("discord:{}", owner.id),
        "{status:#}"
    );
    assert_eq!(status["metrics"]["updates"]["cancelled"], 1, "{status:#}");
    assert_eq!(status["metrics"]["updates"]["failed"], 0, "{status:#}");

    let admin = Member::new(300, "admin").roles(&[ADMIN_ROLE]);
    let token = install_bot(&discord, &admin);
    let callback = discord.wait_for(0, SHORT, "the refusal", is_callback(&token));
    assert_eq!(callback.body["type"], 4);
    assert_eq!(callback.body["data"]["flags"], 64);
    let content = callback.body["data"]["content"].as_str().unwrap();
    assert!(
        content.starts_with("Permission denied: installing updates is for the bot's owners only."),
        "{content}"
    );

    let member = Member::new(302, "member");
    let token = discord.slash_command(
        "update_rollback",
        &member,
        &[
            Opt::string("target_version", "1.4.0"),
            Opt::boolean("confirm", true),
        ],
    );
    let callback = discord.wait_for(0, SHORT, "the refusal", is_callback(&token));
    assert_eq!(callback.body["data"]["flags"], 64);
    assert_eq!(
        callback.body["data"]["content"],
        "Permission denied: rolling back is for the bot's owners."
    );

    // confirm:false is refused before anything happens.
    let token = discord.slash_command(
        "update_rollback",
        &owner,
        &[
            Opt::string("target_version", "1.4.0"),
            Opt::boolean("confirm", false),
        ],
    );
    let callback = discord.wait_for(0, SHORT, "the message", is_callback(&token));
    let content = callback.body["data"]["content"].as_str().unwrap();
    assert!(content.contains("confirm:true"), "{content}");
}

#[test]
fn an_unanswered_prompt_times_out_and_bad_values_get_their_messages() {
    let discord = FakeDiscord::start();
    let served = serve_with(&discord, "confirm_timeout_seconds = 2");
    let owner = Member::owner();

    let token = install_bot(&discord, &owner);
    let all = served.wait_edit(&discord, &token, "the timeout", |e| {
        e["content"]
            .as_str()
            .is_some_and(|c| c.ends_with("No answer within 2 s; nothing was changed."))
    });
    assert!(all.iter().any(|e| !buttons(e).is_empty()), "it asked first");
    assert_eq!(served.s.current(), std::path::PathBuf::from("1.4.0"));

    let token = discord.slash_command("update_install", &owner, &[Opt::integer("update_type", 9)]);
    let callback = discord.wait_for(0, SHORT, "the message", is_callback(&token));
    assert_eq!(callback.body["data"]["flags"], 64);
    assert_eq!(
        callback.body["data"]["content"],
        "Invalid value for update type: `9` is not one of all, packages, bot, config, dependencies."
    );

    // A version no update started from is refused before any prompt, with
    // what is possible.
    let token = discord.slash_command(
        "update_rollback",
        &owner,
        &[
            Opt::string("target_version", "0.9.0"),
            Opt::boolean("confirm", true),
        ],
    );
    let callback = discord.wait_for(0, SHORT, "the refusal", is_callback(&token));
    assert_eq!(callback.body["data"]["flags"], 64);
    let content = callback.body["data"]["content"].as_str().unwrap();
    assert!(
        content.contains("no update on record started from version 0.9.0")
            && content.contains("last_backup"),
        "{content}"
    );
}
