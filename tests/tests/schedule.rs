//! `steward schedule …` end to end: schedules are validated with clear
//! messages, stored, listed with their next run and its zone, switched off
//! and on, and removed.

use steward_tests::fakes::discord::{FakeDiscord, Member, Opt};
use steward_tests::harness::{Install, ONLY_CONFIG_PROVIDER};
use steward_tests::serve::{SHORT, Serve, is_callback};

#[test]
fn a_schedule_is_added_listed_disabled_enabled_and_removed() {
    let install = Install::new(ONLY_CONFIG_PROVIDER);
    let add = install.run(&[
        "schedule",
        "add",
        "--type",
        "custom",
        "--time",
        "04:30",
        "--days",
        "mon-fri",
        "--types",
        "packages,config",
    ]);
    assert!(
        add.succeeded().starts_with("Schedule s1 added: custom 04:30 on mon,tue,wed,thu,fri (0 30 4 * * Mon,Tue,Wed,Thu,Fri), installs packages,config."),
        "{}",
        add.stdout
    );
    assert!(add.stdout.contains("Next run: ") && add.stdout.contains("04:30 UTC (UTC)"));

    let json = install.run(&["schedule", "list", "--json"]).json();
    assert_eq!(json["timezone"], "UTC");
    assert_eq!(json["schedules"][0]["id"], "s1");
    assert_eq!(json["schedules"][0]["update_types"][1], "config");

    let off = install.run(&["schedule", "disable", "s1"]);
    assert_eq!(
        off.succeeded().trim(),
        "Schedule s1 disabled. Next run: - (disabled)"
    );
    let on = install.run(&["schedule", "enable", "s1"]);
    assert!(on.succeeded().contains("enabled. Next run: ") && on.stdout.contains("(UTC)"));
    let gone = install.run(&["schedule", "remove", "s1"]);
    assert_eq!(gone.succeeded().trim(), "Schedule s1 removed.");
    let list = install.run(&["schedule", "list"]);
    assert!(
        list.succeeded()
            .starts_with("No schedules (at most 5; times in UTC)."),
        "{}",
        list.stdout
    );
}

#[test]
fn bad_times_days_and_types_are_refused_with_a_clear_message() {
    let install = Install::new(ONLY_CONFIG_PROVIDER);
    let cases: [(&[&str], &str); 3] = [
        (
            &["--type", "daily", "--time", "3pm", "--types", "packages"],
            "Invalid update_time `3pm`: write the time as HH:MM, 24-hour (for example 03:00).",
        ),
        (
            &["--type", "monthly", "--days", "1,40", "--types", "packages"],
            "Invalid update_days `1,40`: \"40\" is not a day of the month (1-31).",
        ),
        (
            &["--type", "daily", "--types", "dependencies"],
            "dependencies updates may not be scheduled (scheduling.allowed_update_types: packages, bot, config)",
        ),
    ];
    for (args, message) in cases {
        let mut all = vec!["schedule", "add"];
        all.extend_from_slice(args);
        let run = install.run(&all);
        assert_eq!(run.code, Some(2), "{args:?}");
        assert!(run.stderr.contains(message), "{}", run.stderr);
    }
    let list = install.run(&["schedule", "list", "--json"]).json();
    assert_eq!(list["schedules"].as_array().unwrap().len(), 0);
}

#[test]
fn max_schedules_is_enforced_and_the_refusal_says_how_many_exist() {
    let install = Install::new(&format!(
        "{ONLY_CONFIG_PROVIDER}\n[scheduling]\nmax_schedules = 3\n"
    ));
    for _ in 0..3 {
        install
            .run(&["schedule", "add", "--type", "daily", "--types", "bot"])
            .succeeded();
    }
    // Lowered below the count: the message names the real count.
    install
        .run(&["settings", "set", "schedule", "max_schedules", "1"])
        .succeeded();
    let run = install.run(&["schedule", "add", "--type", "daily", "--types", "bot"]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains(
            "There are already 3 schedules and scheduling.max_schedules is 1; remove one first."
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn a_named_backup_schedule_is_added_and_listed_with_what_it_keeps() {
    let install = Install::new(ONLY_CONFIG_PROVIDER);
    let add = install.run(&[
        "schedule",
        "add",
        "--type",
        "weekly",
        "--days",
        "sunday",
        "--time",
        "02:00",
        "--types",
        "backup",
        "--name",
        "weekly-backup",
        "--max-backups-to-keep",
        "4",
    ]);
    assert!(
        add.succeeded().starts_with(
            "Schedule s1 (weekly-backup) added: weekly 02:00 on sun (0 0 2 * * Sun), backs up (keeps 4)."
        ),
        "{}",
        add.stdout
    );
    let list = install.run(&["schedule", "list"]);
    let row = list
        .succeeded()
        .lines()
        .find(|l| l.starts_with("s1"))
        .unwrap_or_default();
    assert!(
        row.contains("weekly-backup") && row.contains("backs up (keeps 4)"),
        "{}",
        list.stdout
    );
    let json = install.run(&["schedule", "list", "--json"]).json();
    let s = &json["schedules"][0];
    assert_eq!(
        (&s["name"], &s["kind"], &s["max_backups_to_keep"]),
        (
            &serde_json::json!("weekly-backup"),
            &serde_json::json!("backup"),
            &serde_json::json!(4)
        )
    );
    let taken = install.run(&[
        "schedule",
        "add",
        "--type",
        "daily",
        "--types",
        "bot",
        "--name",
        "Weekly-Backup",
    ]);
    assert_eq!(taken.code, Some(2));
    assert!(
        taken
            .stderr
            .contains("the name \"Weekly-Backup\" is taken by schedule s1"),
        "{}",
        taken.stderr
    );
    let off = install.run(&["schedule", "disable", "weekly-backup"]);
    assert_eq!(
        off.succeeded().trim(),
        "Schedule s1 (weekly-backup) disabled. Next run: - (disabled)"
    );
}

#[test]
fn update_schedule_adds_a_named_backup_schedule_and_shows_what_it_keeps() {
    let discord = FakeDiscord::start();
    let _serve = Serve::start(&discord);
    let schedule = &discord.commands()["update_schedule"];
    let options: Vec<&str> = schedule["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert!(
        options.contains(&"schedule_name") && options.contains(&"max_backups_to_keep"),
        "{options:?}"
    );
    let token = discord.slash_command(
        "update_schedule",
        &Member::owner(),
        &[
            Opt::integer("schedule_type", 0),
            Opt::string("update_types", "backup"),
            Opt::string("schedule_name", "nightly"),
            Opt::integer("max_backups_to_keep", 3),
        ],
    );
    let answer = discord.wait_for(0, SHORT, "the schedule", is_callback(&token));
    let embed = &answer.body["data"]["embeds"][0];
    assert_eq!(embed["title"], "Schedule s1 (nightly) added", "{embed:#}");
    let backs_up = embed["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "Backs up")
        .map(|f| f["value"].as_str().unwrap().to_string());
    assert_eq!(
        backs_up.as_deref(),
        Some("full; keeps its 3 newest"),
        "{embed:#}"
    );
}
