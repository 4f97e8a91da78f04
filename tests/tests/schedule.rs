//! `steward schedule …` end to end: schedules are validated with clear
//! messages, stored, listed with their next run and its zone, switched off
//! and on, and removed.

use steward_tests::harness::{Install, ONLY_CONFIG_PROVIDER};

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
