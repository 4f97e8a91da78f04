//! `steward serve` against a fake Discord: the registered command schema,
//! `/update_check` for owners and admins, refusals for everybody else, bad
//! option values, and a clean exit on SIGTERM. Each test runs the real
//! binary.

use std::process::Command;
use std::time::{Duration, Instant};

use steward_tests::fakes::discord::{
    ADMINISTRATOR, APP_ID, EVERYONE, FakeDiscord, GUILD_ID, Member, Opt,
};
use steward_tests::harness::{Install, steward_bin};
use steward_tests::serve::{
    ADMIN_ROLE, LISTED_OWNER, SHORT, Serve, is_callback, is_edit, private_after_deferral,
};

fn check_all(discord: &FakeDiscord, member: &Member, extra: &[Opt]) -> String {
    let mut options = vec![Opt::integer("check_type", 0)];
    options.extend_from_slice(extra);
    discord.slash_command("update_check", member, &options)
}

#[test]
fn update_check_is_registered_in_the_guild_with_the_reference_options() {
    let discord = FakeDiscord::start();
    let _serve = Serve::start(&discord);

    let put = discord
        .requests()
        .into_iter()
        .find(|r| r.method == "PUT")
        .unwrap();
    assert_eq!(
        put.path,
        format!("/api/v10/applications/{APP_ID}/guilds/{GUILD_ID}/commands")
    );
    let commands = discord.commands();
    // Only commands whose service call exists are offered.
    for served in [
        "update_check",
        "update_install",
        "update_rollback",
        "backup_create",
        "backup_list",
        "backup_restore",
        "update_status",
        "update_schedule",
        "update_settings",
    ] {
        assert!(commands.contains_key(served), "{served} is not registered");
    }

    let options = commands["update_check"]["options"].as_array().unwrap();
    let names: Vec<&str> = options
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["check_type", "show_details", "include_security", "scope"]
    );

    let check_type = &options[0];
    assert_eq!(check_type["type"], 4, "choices are encoded as integers");
    assert_eq!(
        check_type["required"], false,
        "the reference makes it optional"
    );
    assert!(
        check_type["description"]
            .as_str()
            .unwrap()
            .contains("default: all"),
        "{check_type}"
    );
    let choices: Vec<(String, i64)> = check_type["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["value"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        choices,
        [
            ("all".to_string(), 0),
            ("packages".to_string(), 1),
            ("bot".to_string(), 2),
            ("config".to_string(), 3),
            ("dependencies".to_string(), 4),
        ]
    );
    for (option, default) in [(&options[1], "false"), (&options[2], "true")] {
        assert_eq!(option["type"], 5, "{option}");
        assert_eq!(option["required"], false, "{option}");
        let description = option["description"].as_str().unwrap();
        assert!(
            description.contains(&format!("default: {default}")),
            "{description}"
        );
    }
}

#[test]
fn update_check_defers_reports_progress_and_shows_updates_by_source() {
    let discord = FakeDiscord::start();
    let serve = Serve::start(&discord);

    let token = check_all(&discord, &Member::owner(), &[]);
    let callback = discord.wait_for(0, SHORT, "the deferral", is_callback(&token));
    assert_eq!(
        callback.body["type"], 5,
        "deferred at once: {:?}",
        callback.body
    );

    let edits = serve.edits_until_result(&discord, &token);
    let progress: Vec<&str> = edits[..edits.len() - 1]
        .iter()
        .map(|e| e["content"].as_str().unwrap())
        .collect();
    // One source is enabled: the bundled config provider. Reports that
    // come faster than edits are coalesced (only the newest is shown), so
    // on a busy machine the first step may be folded into the last.
    assert!(
        progress.len() == 1 || progress.first() == Some(&"Progress: 0% – Asking 1 source"),
        "{progress:?}"
    );
    assert_eq!(
        progress.last(),
        Some(&"Progress: 100% – Checked config"),
        "{progress:?}"
    );
    let mut last = 0;
    for line in &progress {
        let percent: u32 = line
            .strip_prefix("Progress: ")
            .and_then(|rest| rest.split('%').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("not a progress line: {line}"));
        assert!(percent >= last, "progress went backwards: {progress:?}");
        last = percent;
    }

    let result = edits.last().unwrap();
    assert_eq!(
        result["content"], "",
        "progress text is cleared: {result:#}"
    );
    let embed = &result["embeds"][0];
    assert!(
        embed["title"].as_str().unwrap().ends_with("available"),
        "{embed:#}"
    );
    // The bundled config provider reports the demo bot's template update.
    let config = embed["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"].as_str().unwrap().starts_with("config ("))
        .unwrap_or_else(|| panic!("no config source in {embed:#}"));
    let value = config["value"].as_str().unwrap();
    assert!(
        value.contains("`config/config.toml` 1.2.0 → **1.3.0**"),
        "{value}"
    );
    assert!(
        value.starts_with("⚠️") && value.ends_with("(breaking)"),
        "{value}"
    );
    assert!(
        !value.contains("added:"),
        "details only when asked: {value}"
    );
    assert_eq!(embed["footer"]["text"], "Checked: all sources");
}

#[test]
fn update_check_without_a_type_checks_every_source() {
    let discord = FakeDiscord::start();
    let serve = Serve::start(&discord);
    let token = discord.slash_command("update_check", &Member::owner(), &[]);
    let edits = serve.edits_until_result(&discord, &token);
    let embed = &edits.last().unwrap()["embeds"][0];
    assert_eq!(embed["footer"]["text"], "Checked: all sources", "{embed:#}");
}

#[test]
fn update_check_with_details_and_without_security_lookups_shows_both() {
    let discord = FakeDiscord::start();
    let serve = Serve::start(&discord);
    let token = check_all(
        &discord,
        &Member::owner(),
        &[
            Opt::boolean("include_security", false),
            Opt::boolean("show_details", true),
        ],
    );
    let edits = serve.edits_until_result(&discord, &token);
    let embed = &edits.last().unwrap()["embeds"][0];
    assert_eq!(
        embed["footer"]["text"],
        "Checked: all sources · security advisories not looked up"
    );
    let value = embed["fields"][0]["value"].as_str().unwrap();
    assert!(
        value.contains("\n  added: bot.health_port = 0\n"),
        "{value}"
    );
}

#[test]
fn owners_and_admins_get_results_and_other_members_a_private_refusal() {
    let discord = FakeDiscord::start();
    let serve = Serve::start(&discord);

    let allowed = [
        Member::owner(),
        Member::new(LISTED_OWNER, "listed-owner"),
        Member::new(300, "admin-by-role").roles(&[ADMIN_ROLE]),
        Member::new(301, "administrator").permissions(EVERYONE | ADMINISTRATOR),
    ];
    for member in &allowed {
        let token = check_all(&discord, member, &[]);
        let callback = discord.wait_for(0, SHORT, "an answer", is_callback(&token));
        assert_eq!(callback.body["type"], 5, "{} was not served", member.name);
        serve.edits_until_result(&discord, &token);
    }

    let other = Member::new(302, "member").roles(&[12345]);
    let token = check_all(&discord, &other, &[]);
    let callback = discord.wait_for(0, SHORT, "the refusal", is_callback(&token));
    assert_eq!(callback.body["type"], 4, "{:?}", callback.body);
    assert_eq!(
        callback.body["data"]["flags"], 64,
        "the refusal is ephemeral"
    );
    assert_eq!(
        callback.body["data"]["content"],
        "Permission denied: checking for updates is for the bot's owners and admins."
    );
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        !discord.requests().iter().any(|r| is_edit(&token)(r)),
        "a refused member must not get a result"
    );
}

#[test]
fn an_unknown_check_type_is_refused_with_the_valid_values() {
    let discord = FakeDiscord::start();
    let _serve = Serve::start(&discord);

    let token = discord.slash_command(
        "update_check",
        &Member::owner(),
        &[Opt::integer("check_type", 9)],
    );
    let callback = discord.wait_for(0, SHORT, "the error message", is_callback(&token));
    assert_eq!(callback.body["type"], 4);
    assert_eq!(callback.body["data"]["flags"], 64);
    assert_eq!(
        callback.body["data"]["content"],
        "Invalid value for update type: `9` is not one of all, packages, bot, config, dependencies."
    );

    // A value of the wrong type means Discord holds a stale registration.
    let token = discord.slash_command(
        "update_check",
        &Member::owner(),
        &[Opt::string("check_type", "everything")],
    );
    let callback = discord.wait_for(0, SHORT, "the error message", is_callback(&token));
    let content = callback.body["data"]["content"].as_str().unwrap();
    assert!(content.contains("restart `steward serve`"), "{content}");
}

#[test]
fn sigterm_closes_the_connection_and_exits_cleanly() {
    let discord = FakeDiscord::start();
    let mut serve = Serve::start(&discord);
    assert!(discord.identified());
    let status = serve.terminate(SHORT);
    assert!(status.success(), "exit status {status:?}:\n{}", serve.log());
    let deadline = Instant::now() + SHORT;
    while discord.identified() {
        assert!(
            Instant::now() < deadline,
            "the gateway session was left open"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn serve_without_a_token_runs_headless_and_names_the_variable_that_starts_discord() {
    let install = Install::new("[discord]\ntoken_env = \"MY_BOT_TOKEN\"\n");
    let log = install.root().join("serve.log");
    let mut child = Command::new(steward_bin())
        .arg("--config")
        .arg(install.config_path())
        .arg("serve")
        .env_remove("MY_BOT_TOKEN")
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !std::fs::read_to_string(&log)
        .unwrap_or_default()
        .contains("no Discord token in $MY_BOT_TOKEN: serving without the Discord front")
    {
        assert!(
            std::time::Instant::now() < deadline,
            "{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // Headless, it still answers every command.
    install.run(&["status"]).succeeded();
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
}

/// The PNG inside a multipart upload: its width and height from IHDR.
fn png_size(raw: &[u8]) -> Option<(u32, u32)> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    let start = raw.windows(8).position(|w| w == SIGNATURE)?;
    let png = &raw[start..];
    // The file ends with the IEND chunk: the upload carried all of it.
    png.windows(4).position(|w| w == b"IEND")?;
    let ihdr = png.get(16..24)?;
    Some((
        u32::from_be_bytes(ihdr[0..4].try_into().ok()?),
        u32::from_be_bytes(ihdr[4..8].try_into().ok()?),
    ))
}

#[test]
fn update_status_answers_an_admin_with_the_chart_attached() {
    let discord = FakeDiscord::start();
    let _serve = Serve::start(&discord);
    let admin = Member::new(300, "admin-by-role").roles(&[ADMIN_ROLE]);
    let token = discord.slash_command(
        "update_status",
        &admin,
        &[
            Opt::boolean("show_history", true),
            Opt::integer("time_range", 0),
        ],
    );
    let callback = discord.wait_for(0, SHORT, "the deferral", is_callback(&token));
    assert_eq!(callback.body["type"], 5);
    let edit = discord.wait_for(0, SHORT, "the status", is_edit(&token));
    let text = String::from_utf8_lossy(&edit.raw);
    assert!(text.contains("attachment://status.png"), "{text}");
    assert!(
        text.contains("Updates (1d)") && text.contains("Sessions (1d)"),
        "{text}"
    );
    assert_eq!(png_size(&edit.raw), Some((800, 400)));
}

#[test]
fn update_settings_is_for_owners_and_shows_the_previous_value() {
    let discord = FakeDiscord::start();
    let _serve = Serve::start(&discord);
    let options = [
        Opt::integer("setting_category", 1),
        Opt::string("setting_name", "max_backups"),
        Opt::string("setting_value", "7"),
    ];
    let admin = Member::new(301, "administrator").permissions(EVERYONE | ADMINISTRATOR);
    let token = discord.slash_command("update_settings", &admin, &options);
    let refusal = discord.wait_for(0, SHORT, "the refusal", is_callback(&token));
    assert_eq!(refusal.body["data"]["flags"], 64);
    assert!(
        refusal.body["data"]["content"]
            .as_str()
            .unwrap()
            .starts_with("Permission denied: changing settings is for the bot's owners only."),
        "{:?}",
        refusal.body
    );

    let token = discord.slash_command("update_settings", &Member::owner(), &options);
    let edit = discord.wait_for(0, SHORT, "the change", is_edit(&token));
    let embed = &edit.body["embeds"][0];
    assert_eq!(embed["title"], "backup.max_backups");
    let fields = embed["fields"].as_array().unwrap();
    assert_eq!(fields[0]["value"], "`7`");
    assert_eq!(fields[1]["name"], "Previous value");
    assert_eq!(fields[1]["value"], "`50`");

    // An unknown name is found before anything public is sent.
    let token = discord.slash_command(
        "update_settings",
        &Member::owner(),
        &[
            Opt::integer("setting_category", 1),
            Opt::string("setting_name", "max_bakups"),
            Opt::string("setting_value", "7"),
        ],
    );
    let answer = discord.wait_for(0, SHORT, "the error", is_callback(&token));
    assert_eq!(answer.body["type"], 4, "{:?}", answer.body);
    assert_eq!(answer.body["data"]["flags"], 64, "{:?}", answer.body);
    assert!(
        answer.body["data"]["content"]
            .as_str()
            .unwrap()
            .contains("max_bakups"),
        "{:?}",
        answer.body
    );

    // A bad value is found after the deferral: only the owner reads it.
    let token = discord.slash_command(
        "update_settings",
        &Member::owner(),
        &[
            Opt::integer("setting_category", 1),
            Opt::string("setting_name", "max_backups"),
            Opt::string("setting_value", "many"),
        ],
    );
    let text = private_after_deferral(&discord, &token);
    assert!(text.contains("many"), "{text}");
}

#[test]
fn update_schedule_adds_a_schedule_and_shows_its_next_run_with_the_zone() {
    let discord = FakeDiscord::start();
    let _serve = Serve::start(&discord);
    let token = discord.slash_command(
        "update_schedule",
        &Member::owner(),
        &[
            Opt::integer("schedule_type", 1),
            Opt::string("update_types", "packages,bot"),
            Opt::string("update_time", "04:15"),
            Opt::string("update_days", "sunday"),
        ],
    );
    let answer = discord.wait_for(0, SHORT, "the schedule", is_callback(&token));
    assert_eq!(answer.body["type"], 4, "{:?}", answer.body);
    let embed = &answer.body["data"]["embeds"][0];
    assert_eq!(embed["title"], "Schedule s1 added");
    let field = |embed: &serde_json::Value, name: &str| {
        embed["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .unwrap()["value"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let next = field(embed, "Next run");
    assert!(next.ends_with("04:15 UTC (UTC)"), "{next}");

    // The specification's weekly schedule takes a list of days.
    let token = discord.slash_command(
        "update_schedule",
        &Member::owner(),
        &[
            Opt::integer("schedule_type", 1),
            Opt::string("update_types", "packages"),
            Opt::string("update_days", "monday,thursday"),
        ],
    );
    let answer = discord.wait_for(0, SHORT, "the schedule", is_callback(&token));
    let embed = &answer.body["data"]["embeds"][0];
    assert_eq!(
        field(embed, "When"),
        "weekly at 03:00 on mon, thu",
        "{embed:#}"
    );

    // A bad time is refused to the owner alone, before anything public.
    let token = discord.slash_command(
        "update_schedule",
        &Member::owner(),
        &[
            Opt::integer("schedule_type", 0),
            Opt::string("update_types", "packages"),
            Opt::string("update_time", "25:00"),
        ],
    );
    let answer = discord.wait_for(0, SHORT, "the error", is_callback(&token));
    assert_eq!(answer.body["type"], 4, "{:?}", answer.body);
    assert_eq!(answer.body["data"]["flags"], 64, "{:?}", answer.body);
    assert_eq!(
        answer.body["data"]["content"],
        "Invalid update_time `25:00`: write the time as HH:MM, 24-hour (for example 03:00)."
    );
}

/// `/update_status show_history:true` names each session with the command
/// that prints its log on the server, in the asker's language.
#[test]
fn update_status_history_shows_where_each_session_s_log_is() {
    let discord = FakeDiscord::start();
    let serve = Serve::start(&discord);
    // An install through the running service leaves a session and its log.
    let run = serve.install.run(&[
        "install",
        "--type",
        "config",
        "--yes",
        "--force",
        "--no-backup",
        "--json",
    ]);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    let id = run.json()["session"]["id"].as_str().unwrap().to_string();
    assert!(
        serve
            .install
            .data()
            .join(format!("logs/{id}.log"))
            .is_file()
    );

    let token = discord.slash_command_in(
        "de",
        "update_status",
        &Member::owner(),
        &[
            Opt::boolean("show_history", true),
            Opt::boolean("show_metrics", false),
        ],
    );
    let edit = discord.wait_for(0, SHORT, "the status", is_edit(&token));
    let history = edit.body["embeds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["title"] == "Sitzungen (7d)")
        .unwrap_or_else(|| panic!("no history embed: {:#}", edit.body))
        .clone();
    let text = history["description"].as_str().unwrap();
    assert!(text.starts_with(&format!("`{id}` ")), "{text}");
    assert!(
        text.contains(&format!("\n\u{2003}Protokoll: `steward logs {id}`")),
        "{text}"
    );
}
