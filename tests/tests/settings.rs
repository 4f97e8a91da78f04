//! `steward settings …` end to end: a change is validated, shown with the
//! previous value, kept across runs of the binary, applied to what other
//! commands do, and reset to steward.toml's value.

use steward_tests::harness::{Install, ONLY_CONFIG_PROVIDER, install_with_database};

#[test]
fn a_setting_change_shows_the_previous_value_and_survives_a_restart() {
    let install = Install::new(&format!(
        "{ONLY_CONFIG_PROVIDER}\n[backup]\nmax_backups = 20\n"
    ));
    let set = install.run(&["settings", "set", "backup", "max_backups", "3"]);
    // Lowering max_backups prunes at once, and says what it removed.
    assert_eq!(
        set.succeeded().trim(),
        "backup.max_backups = 3 (previous value: 20)\nNo backup had to be removed."
    );
    let get = install.run(&["settings", "get", "backup", "max_backups"]);
    assert!(
        get.succeeded().starts_with("backup.max_backups = 3\n"),
        "{}",
        get.stdout
    );
    assert!(
        get.stdout.contains("from: changed (steward.toml: 20)"),
        "{}",
        get.stdout
    );
    let json = install.run(&["settings", "list", "--json"]).json();
    let entry = json
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "max_backups")
        .unwrap();
    assert_eq!(
        (entry["value"].as_str(), entry["source"].as_str()),
        (Some("3"), Some("override"))
    );
    let reset = install.run(&["settings", "reset", "backup", "max_backups"]);
    assert_eq!(
        reset.succeeded().trim(),
        "backup.max_backups = 20 (previous value: 3)"
    );
}

#[test]
fn setting_the_files_own_value_stores_no_override() {
    let install = Install::new(&format!(
        "{ONLY_CONFIG_PROVIDER}\n[backup]\nmax_backups = 20\n"
    ));
    let set = install.run(&["settings", "set", "backup", "max_backups", "20"]);
    assert_eq!(
        set.succeeded().trim(),
        "backup.max_backups = 20 (unchanged, from steward.toml)"
    );
    let get = install.run(&["settings", "get", "backup", "max_backups"]);
    assert!(
        get.succeeded().contains("from: steward.toml\n"),
        "{}",
        get.stdout
    );

    // Back to the file's value after an override: the override goes.
    install.run(&["settings", "set", "backup", "max_backups", "30"]);
    let set = install.run(&["settings", "set", "backup", "max_backups", "20"]);
    assert!(
        set.succeeded()
            .starts_with("backup.max_backups = 20 (previous value: 30)\n"),
        "{}",
        set.stdout
    );
    let get = install.run(&["settings", "get", "backup", "max_backups"]);
    assert!(
        get.succeeded().contains("from: steward.toml\n"),
        "{}",
        get.stdout
    );
}

#[test]
fn the_specifications_notification_names_change_the_same_settings() {
    let install = Install::new(ONLY_CONFIG_PROVIDER);
    let set = install.run(&[
        "settings",
        "set",
        "notification",
        "update_start_notifications",
        "false",
    ]);
    assert_eq!(
        set.succeeded().trim(),
        "notification.on_start = false (previous value: true)"
    );
    let get = install.run(&["settings", "get", "notification", "backup_notifications"]);
    assert!(
        get.succeeded()
            .starts_with("notification.on_backup = true\n"),
        "{}",
        get.stdout
    );
}

#[test]
fn unknown_categories_and_names_are_answered_with_the_valid_ones() {
    let install = Install::new(ONLY_CONFIG_PROVIDER);
    let run = install.run(&["settings", "get", "backups", "max_backups"]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr
            .contains("Valid categories: update, backup, notification, schedule."),
        "{}",
        run.stderr
    );
    let run = install.run(&["settings", "set", "schedule", "zone", "UTC"]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("There is no schedule setting \"zone\"")
            && run.stderr.contains("timezone"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_invalid_value_is_refused_with_what_is_expected_and_nothing_changes() {
    let install = Install::new(ONLY_CONFIG_PROVIDER);
    let run = install.run(&["settings", "set", "backup", "compression_level", "11"]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains(
            "Invalid value for backup.compression_level: `11` is not a whole number from 0 to 9."
        ),
        "{}",
        run.stderr
    );
    let get = install.run(&["settings", "get", "backup", "compression_level"]);
    assert!(
        get.succeeded()
            .starts_with("backup.compression_level = 6\n")
    );
}

#[test]
fn the_schedule_timezone_setting_is_what_schedules_are_shown_in() {
    let install = Install::new(ONLY_CONFIG_PROVIDER);
    install
        .run(&[
            "schedule", "add", "--type", "daily", "--time", "03:00", "--types", "packages",
        ])
        .succeeded();
    let set = install.run(&[
        "settings",
        "set",
        "schedule",
        "timezone",
        "America/New_York",
    ]);
    assert!(
        set.succeeded().contains("(previous value: UTC)"),
        "{}",
        set.stdout
    );
    assert!(
        set.stdout.contains("Schedule s1 now runs next at")
            && set.stdout.contains("(America/New_York)"),
        "{}",
        set.stdout
    );
    let list = install.run(&["schedule", "list"]);
    assert!(
        list.succeeded().contains("03:00 EST (America/New_York)")
            || list.stdout.contains("03:00 EDT (America/New_York)"),
        "{}",
        list.stdout
    );
}

#[test]
fn with_compression_turned_off_new_backups_are_plain_tar_archives() {
    // Archives are the old format, asked for explicitly.
    let install = install_with_database(&format!(
        "{ONLY_CONFIG_PROVIDER}[backup]\nformat = \"tar\"\n"
    ));
    let set = install.run(&["settings", "set", "backup", "compression_enabled", "false"]);
    assert_eq!(
        set.succeeded().trim(),
        "backup.compression_enabled = false (previous value: true)"
    );
    // Compression is the default of `backup create`; the setting wins.
    let made = install.run(&["backup", "create"]);
    let first = made.succeeded().lines().next().unwrap_or_default();
    assert!(first.ends_with(".tar)"), "{}", made.stdout);
    install.run(&["settings", "reset", "backup", "compression_enabled"]);
    let made = install.run(&["backup", "create"]);
    let first = made.succeeded().lines().next().unwrap_or_default();
    assert!(first.ends_with(".tar.gz)"), "{}", made.stdout);
}

#[test]
fn auto_restart_is_a_setting_of_its_own() {
    let install = Install::new(ONLY_CONFIG_PROVIDER);
    let set = install.run(&["settings", "set", "update", "auto_restart", "off"]);
    assert_eq!(
        set.succeeded().trim(),
        "update.auto_restart = false (previous value: true)"
    );
    let get = install.run(&["settings", "get", "update", "auto_restart"]);
    assert!(
        get.succeeded().contains("[general] auto_restart"),
        "{}",
        get.stdout
    );
}
