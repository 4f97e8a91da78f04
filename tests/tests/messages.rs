//! What the CLI says where a plain reading of its words would mislead: a
//! check no source can answer, an empty rollback target, counts of one,
//! colour codes in a log that is not a terminal, and why a config template
//! counts as breaking.

use steward_tests::harness::{Install, ONLY_CONFIG_PROVIDER};

#[test]
fn a_check_no_source_covers_says_so_instead_of_zero_updates() {
    let install = Install::new(ONLY_CONFIG_PROVIDER);
    let run = install.run(&["check", "--type", "bot"]);
    let out = run.succeeded();
    assert!(
        out.starts_with("No enabled source covers bot updates"),
        "{out}"
    );
    assert!(!out.contains("0 updates available"), "{out}");
}

#[test]
fn an_empty_rollback_target_is_named_as_empty() {
    let install = Install::new(ONLY_CONFIG_PROVIDER);
    let run = install.run(&["rollback", "", "--yes"]);
    assert_eq!(run.code, Some(2), "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("Rollback needs a target: the version given is empty."),
        "{}",
        run.stderr
    );
}

#[test]
fn logs_carry_no_colour_codes_when_stderr_is_not_a_terminal() {
    let install = Install::new(ONLY_CONFIG_PROVIDER);
    // The harness logs at debug level, so stderr has log lines to colour.
    let run = install.run(&["check"]);
    assert!(!run.stderr.is_empty(), "no log lines to look at");
    assert!(!run.stderr.contains('\u{1b}'), "{:?}", run.stderr);
}

#[test]
fn one_backup_is_counted_in_the_singular() {
    let install = Install::new(ONLY_CONFIG_PROVIDER);
    install.run(&["backup", "create"]).succeeded();
    let list = install.run(&["backup", "list"]);
    let out = list.succeeded();
    assert!(out.contains("; 1 backup stored,"), "{out}");
}

#[test]
fn a_config_template_that_removes_keys_is_breaking_for_that_reason() {
    let install = Install::new(ONLY_CONFIG_PROVIDER);
    let run = install.run(&["install", "--type", "config", "--yes"]);
    assert!(
        run.stderr.contains(
            "breaking changes: config/config.toml 1.2.0 → 1.3.0 (the new template removes keys"
        ),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    assert!(!run.stderr.contains("major version"), "{}", run.stderr);
}
