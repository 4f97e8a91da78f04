//! What a provider plans is held to its grant too: a plan step writes only
//! what `write` names, runs only what `plan_programs` names, never touches
//! Steward's own files, and cannot be steered out through a symbolic link.
//! Each test plays the attack with the hostile guest through the real
//! `steward install`, and checks that nothing changed and that the operator
//! is told why.

use std::path::{Path, PathBuf};

use steward_tests::guests;
use steward_tests::harness::{Install, ONLY_CONFIG_PROVIDER, Run, provider, steward_bin};

/// An install whose hostile provider offers one update and plans what
/// `plan` says (setting lines, given the bot's root), granted `grant` (lines
/// of its grant table, or `None` for no grant table at all).
fn attack(grant: Option<&str>, plan: impl FnOnce(&Path) -> String) -> Install {
    let install = Install::new("");
    let grant = grant
        .map(|g| format!("[providers.hostile.grant]\n{g}\n"))
        .unwrap_or_default();
    let plan = plan(&install.bot());
    install.write_config(&format!(
        "{ONLY_CONFIG_PROVIDER}\n{grant}\n[providers.hostile.settings]\nbehaviour = \"offer\"\n{plan}\n"
    ));
    install.add_provider(&guests::hostile(), "hostile");
    install
}

const INSTALL: &[&str] = &[
    "install",
    "--type",
    "packages",
    "--yes",
    "--no-backup",
    "--force",
];

fn said(run: &Run) -> String {
    format!("{}\n{}", run.stdout, run.stderr)
}

fn write_plan(path: &Path, contents: &str) -> String {
    format!(
        "plan = \"write\"\npath = \"{}\"\ncontents = \"{contents}\"",
        path.display()
    )
}

#[test]
fn a_provider_without_a_write_grant_cannot_replace_the_bot_code() {
    // Granted reading only (with no grant at all it would not even run).
    let install = attack(Some("read = [\"{bot}\"]"), |bot| {
        write_plan(&bot.join("bot.py"), "import os; os.system('id')")
    });
    let bot_py = install.bot().join("bot.py");
    let before = std::fs::read(&bot_py).unwrap();

    let dry = install.run(&["install", "--type", "packages", "--dry-run"]);
    assert!(
        said(&dry).contains("WOULD BE REFUSED") && said(&dry).contains("has no write grant"),
        "the dry run must say the step would be refused:\n{}",
        said(&dry)
    );

    let run = install.run(INSTALL);
    assert_ne!(run.code, Some(0), "the install must fail:\n{}", said(&run));
    assert!(
        said(&run).contains("the hostile provider is not allowed to do this")
            && said(&run).contains("has no write grant"),
        "{}",
        said(&run)
    );
    assert_eq!(
        std::fs::read(&bot_py).unwrap(),
        before,
        "bot.py was changed by a provider with no grant"
    );
}

#[test]
fn a_write_grant_allows_exactly_what_it_names() {
    let grant = "read = [\"{bot}\"]\nwrite = [\"{bot}/config/extra.toml\"]";

    let granted = attack(Some(grant), |bot| {
        write_plan(&bot.join("config/extra.toml"), "granted")
    });
    let run = granted.run(INSTALL);
    assert_eq!(run.code, Some(0), "{}", said(&run));
    assert_eq!(
        std::fs::read_to_string(granted.bot().join("config/extra.toml")).unwrap(),
        "granted"
    );

    let beside = attack(Some(grant), |bot| {
        write_plan(&bot.join("config/config.toml"), "not granted")
    });
    let config = std::fs::read(beside.bot().join("config/config.toml")).unwrap();
    let run = beside.run(INSTALL);
    assert_ne!(run.code, Some(0), "{}", said(&run));
    assert!(
        said(&run).contains("is not granted (it may write"),
        "{}",
        said(&run)
    );
    assert_eq!(
        std::fs::read(beside.bot().join("config/config.toml")).unwrap(),
        config
    );
}

/// A layout where Steward's configuration and data live inside the bot's
/// root (`root = "."`), the natural one for a bot in its own directory.
/// Returns the install and its `steward.toml`.
fn steward_inside_the_bot(grant: &str, plan: impl FnOnce(&Path) -> String) -> (Install, PathBuf) {
    let install = Install::new("");
    install.add_provider(&guests::hostile(), "hostile");
    let config = install.bot().join("steward.toml");
    let plan = plan(&install.bot());
    std::fs::write(
        &config,
        format!(
            "[bot]\nroot = \".\"\n[paths]\ndata = \".steward\"\nallow_inside_bot = true\nproviders = \"{}\"\n{ONLY_CONFIG_PROVIDER}\n[providers.hostile.grant]\n{grant}\n[providers.hostile.settings]\nbehaviour = \"offer\"\n{plan}\n",
            install.providers().display()
        ),
    )
    .unwrap();
    (install, config)
}

fn run_with(config: &Path, args: &[&str]) -> Run {
    std::process::Command::new(steward_bin())
        .arg("--config")
        .arg(config)
        .args(args)
        .output()
        .unwrap()
        .into()
}

#[test]
fn a_grant_that_covers_stewards_own_files_is_refused_at_start() {
    let (_install, config) = steward_inside_the_bot("write = [\"{bot}\"]", |_| String::new());
    let run = run_with(&config, &["check"]);
    assert_eq!(run.code, Some(2), "{}", said(&run));
    assert!(
        said(&run).contains("providers.hostile.grant.write")
            && said(&run).contains("would let the provider change Steward's own"),
        "{}",
        said(&run)
    );
}

#[test]
fn a_plan_cannot_rewrite_the_steward_config_inside_the_bot_root() {
    let (_install, config) =
        steward_inside_the_bot("read = [\"{bot}\"]\nwrite = [\"{bot}/config\"]", |bot| {
            write_plan(&bot.join("steward.toml"), "[providers.hostile.grant]")
        });
    let before = std::fs::read(&config).unwrap();
    let run = run_with(&config, INSTALL);
    assert_ne!(run.code, Some(0), "{}", said(&run));
    assert_eq!(
        std::fs::read(&config).unwrap(),
        before,
        "steward.toml was rewritten"
    );
    assert!(
        said(&run).contains("it is Steward's own configuration file"),
        "{}",
        said(&run)
    );
}

#[test]
fn a_link_inside_a_write_grant_cannot_lead_into_stewards_data() {
    let (install, config) =
        steward_inside_the_bot("read = [\"{bot}\"]\nwrite = [\"{bot}/config\"]", |bot| {
            write_plan(&bot.join("config/data-link/planted"), "planted")
        });
    let bot = install.bot();
    std::fs::create_dir_all(bot.join(".steward")).unwrap();
    std::os::unix::fs::symlink(bot.join(".steward"), bot.join("config/data-link")).unwrap();
    let run = run_with(&config, INSTALL);
    assert_ne!(run.code, Some(0), "{}", said(&run));
    assert!(
        said(&run).contains("it is Steward's own data directory"),
        "{}",
        said(&run)
    );
    assert!(!bot.join(".steward/planted").exists());
}

#[test]
fn an_exec_step_cannot_escape_through_a_symlinked_working_directory() {
    let outside = tempfile::tempdir().unwrap();
    let install = attack(
        Some(
            "read = [\"{bot}\"]\nplan_programs = [{ path = \"/usr/bin/touch\", args = [[\"escaped\"]] }]",
        ),
        |bot| {
            format!(
                "plan = \"exec\"\nprogram = \"/usr/bin/touch\"\nargs = \"escaped\"\ncwd = \"{}\"\nwants_program = \"/usr/bin/touch\"\nwants_args = \"escaped\"",
                bot.join("tmp").display()
            )
        },
    );
    std::os::unix::fs::symlink(outside.path(), install.bot().join("tmp")).unwrap();
    let run = install.run(INSTALL);
    assert_ne!(run.code, Some(0), "{}", said(&run));
    assert!(
        said(&run).contains("through a link")
            && said(&run).contains("outside the granted directories"),
        "{}",
        said(&run)
    );
    assert!(
        !outside.path().join("escaped").exists(),
        "the command ran outside the grant"
    );
}

#[test]
fn a_star_pattern_never_lets_an_option_through() {
    let marker = tempfile::tempdir().unwrap();
    let target = marker.path().join("ran");
    // `touch` with an option-looking argument: `*` must not match it.
    let install = attack(
        Some(
            "read = [\"{bot}\"]\nplan_programs = [{ path = \"/usr/bin/touch\", args = [[\"*\", \"...\"]] }]",
        ),
        |_| {
            format!(
                "plan = \"exec\"\nprogram = \"/usr/bin/touch\"\nargs = \"--reference=/etc/passwd {}\"\nwants_program = \"/usr/bin/touch\"",
                target.display()
            )
        },
    );
    let run = install.run(INSTALL);
    assert_ne!(run.code, Some(0), "{}", said(&run));
    assert!(said(&run).contains("is not granted"), "{}", said(&run));
    assert!(
        !target.exists(),
        "touch ran with an option the grant never allowed"
    );
}

const PIP_PIN_GRANT: &str = "read = [\"{bot}\"]\nplan_programs = [{ path = \"/usr/bin/touch\", args = [[\"{pip-pin}\", \"...\"]] }]";

fn touch_in_bot(arg: &str) -> impl FnOnce(&Path) -> String + '_ {
    move |bot| {
        format!(
            "plan = \"exec\"\nprogram = \"/usr/bin/touch\"\nargs = \"{arg}\"\ncwd = \"{}\"\nwants_program = \"/usr/bin/touch\"",
            bot.display()
        )
    }
}

#[test]
fn a_pip_pin_pattern_refuses_urls_and_options_and_accepts_a_pin() {
    for hostile_arg in [
        "--index-url=http://127.0.0.1:9/simple==1",
        "git+http://127.0.0.1:9/evil==1",
    ] {
        let install = attack(Some(PIP_PIN_GRANT), touch_in_bot(hostile_arg));
        let run = install.run(INSTALL);
        assert_ne!(run.code, Some(0), "{hostile_arg}: {}", said(&run));
        assert!(said(&run).contains("is not granted"), "{}", said(&run));
    }
    // The same grant lets a real pin through (touch makes a file of that name).
    let pinned = attack(Some(PIP_PIN_GRANT), touch_in_bot("discord.py==2.4.0"));
    let run = pinned.run(INSTALL);
    assert_eq!(run.code, Some(0), "{}", said(&run));
    assert!(pinned.bot().join("discord.py==2.4.0").exists());
}

#[test]
fn a_program_granted_for_plans_cannot_run_during_check() {
    let install = Install::new(&format!(
        "{ONLY_CONFIG_PROVIDER}\n[providers.hostile.grant]\nread = [\"{{bot}}\"]\nplan_programs = [{{ path = \"/bin/echo\", args = [[\"*\", \"...\"]] }}]\n[providers.hostile.settings]\nbehaviour = \"exec\"\nprogram = \"/bin/echo\"\nargs = \"changed\"\nwants_program = \"/bin/echo\"\n"
    ));
    install.add_provider(&guests::hostile(), "hostile");
    let run = install.run(&["check", "--json"]);
    let h = provider(&run.json(), "hostile").clone();
    assert_eq!(h["error"]["code"], "denied", "{h:#}");
    assert!(
        h["error"]["message"]
            .as_str()
            .unwrap()
            .contains("may only run as a plan step"),
        "{h:#}"
    );
}
