//! A provider's words are data: whatever it returns or logs reaches the
//! operator with its control characters escaped, within caps on log volume,
//! state size and plan length; the providers directory reads regular files
//! of bounded size only; and the bot starts without Steward's secrets. Each
//! test runs the real `steward` binary.

use std::path::{Path, PathBuf};

use serde_json::Value;
use steward_tests::guests;
use steward_tests::harness::{Install, ONLY_CONFIG_PROVIDER, Run, provider};

/// An install with the noisy provider doing `behaviour`, allowed to read
/// and write the bot's tree (so only the caps under test can stop it).
fn noisy(behaviour: &str) -> Install {
    let install = Install::new(&format!(
        "{ONLY_CONFIG_PROVIDER}\n[providers.noisy.grant]\nread = [\"{{bot}}\"]\nwrite = [\"{{bot}}\"]\n\n[providers.noisy.settings]\nbehaviour = \"{behaviour}\"\n"
    ));
    install.add_provider(&guests::noisy(), "noisy");
    install
}

/// What the provider's forged text would do to a terminal or a log if it
/// came through raw: clear the screen, retitle the window, move the cursor
/// back, or start a line of its own.
fn assert_not_forged(what: &str, text: &str) {
    for raw in ["\x1b[2J", "\x1b]0;", "\x07", "\r"] {
        assert!(!text.contains(raw), "{what} holds the raw {raw:?}:\n{text}");
    }
    let forged: Vec<&str> = text
        .lines()
        .filter(|l| l.trim_start().starts_with("forged"))
        .collect();
    assert!(
        forged.is_empty(),
        "{what} has forged lines {forged:?}:\n{text}"
    );
}

#[test]
fn check_output_shows_a_providers_control_characters_as_visible_escapes() {
    let install = noisy("forged-text");
    let run = install.run(&["check", "--details"]);
    assert_not_forged("check's output", &run.stdout);
    assert_not_forged("check's log", &run.stderr);
    // The row is there, on one line, with the escapes readable.
    let row = run
        .stdout
        .lines()
        .find(|l| l.starts_with("noisy "))
        .unwrap_or_else(|| panic!("no row for noisy:\n{}", run.stdout));
    assert!(
        row.contains("evil\\u{1b}[2J\\u{1b}]0;pwned\\u{7}\\nforged-row"),
        "{row}"
    );
    assert!(
        run.stdout
            .contains("noisy: warning: careful\\u{1b}[2J\\u{1b}]0;pwned\\u{7}\\nforged-warning"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("looking\\u{1b}[2J"), "{}", run.stderr);

    let json = install.run(&["check", "--json"]).json();
    let update = &provider(&json, "noisy")["updates"][0];
    assert_eq!(
        update["latest"],
        "2.0\\r\\u{1b}[2J\\u{1b}]0;pwned\\u{7}\\nforged-latest"
    );
}

#[test]
fn a_providers_error_message_cannot_forge_lines() {
    let install = noisy("forged-error");
    let run = install.run(&["check"]);
    assert_eq!(run.code, Some(3), "{}\n{}", run.stdout, run.stderr);
    assert_not_forged("check's output", &run.stdout);
    assert!(
        run.stdout.contains(
            "noisy: failed (network): down\\u{1b}[2J\\u{1b}]0;pwned\\u{7}\\nforged-error"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn providers_list_shows_what_describe_said_escaped() {
    let install = noisy("forged-text");
    let run = install.run(&["providers", "list"]);
    let out = run.succeeded();
    assert_not_forged("providers list", out);
    assert!(
        out.contains("Says things\\u{1b}[2J\\u{1b}]0;pwned\\u{7}\\nforged-description"),
        "{out}"
    );
}

#[test]
fn a_contract_version_with_escape_sequences_is_reported_escaped() {
    let install = noisy("");
    // The noisy provider with a first `steward:wit-version` section that
    // names a version no Steward knows, written to clear the screen.
    let wasm = std::fs::read(guests::noisy()).unwrap();
    let name = b"steward:wit-version";
    let data = b"9.9.9\x1b[2J\nforged-version";
    let mut section = vec![name.len() as u8];
    section.extend_from_slice(name);
    section.extend_from_slice(data);
    let mut forged = wasm[..8].to_vec();
    forged.push(0);
    forged.push(section.len() as u8);
    forged.extend_from_slice(&section);
    forged.extend_from_slice(&wasm[8..]);
    std::fs::write(install.providers().join("noisy.wasm"), forged).unwrap();

    let run = install.run(&["providers", "list"]);
    let out = run.succeeded();
    assert_not_forged("providers list", out);
    assert!(
        out.contains("steward:provider@9.9.9\\u{1b}[2J\\nforged-version, which this Steward does not understand"),
        "{out}"
    );
}

#[test]
fn a_log_flood_is_cut_off_with_one_line_saying_so() {
    let install = noisy("flood-log");
    let run = install.run(&["check", "--json"]);
    let json = run.json();
    assert!(
        provider(&json, "noisy")["error"].is_null(),
        "{}",
        run.stderr
    );
    // 20,000 messages of 1 KiB and one of 10 MiB were logged.
    assert!(
        run.stderr.len() < 512 * 1024,
        "{} bytes of log reached stderr",
        run.stderr.len()
    );
    let dropped: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("further log messages from noisy were dropped"))
        .collect();
    assert_eq!(dropped.len(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("0 xxxxxxxx"),
        "the first messages are kept"
    );
}

/// Every file under `dir` with its contents.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push((path.clone(), std::fs::read(&path).unwrap_or_default()));
            }
        }
    }
    files.sort();
    files
}

fn install_packages(install: &Install) -> Run {
    install.run(&["install", "--type", "packages", "--yes"])
}

#[test]
fn a_captured_state_over_the_cap_stops_the_install_before_anything_changes() {
    let install = noisy("huge-state");
    let before = snapshot(&install.bot());
    let run = install_packages(&install);
    let out = format!("{}\n{}", run.stdout, run.stderr);
    assert!(
        out.contains("noisy could not record its current state, so nothing was changed: its state is 20.0 MiB, larger than the 16.0 MiB a captured state may be"),
        "{out}"
    );
    assert_ne!(run.code, Some(0), "{out}");
    assert!(snapshot(&install.bot()) == before, "the bot's tree changed");
    let journal = install.data().join("journal");
    assert!(
        !journal.exists() || journal.read_dir().unwrap().next().is_none(),
        "a journal was left"
    );
}

#[test]
fn a_plan_of_too_many_steps_is_refused_naming_the_provider() {
    let install = noisy("many-steps");
    let before = snapshot(&install.bot());
    let run = install_packages(&install);
    let out = format!("{}\n{}", run.stdout, run.stderr);
    assert!(
        out.contains("noisy could not plan its updates: its plan has 1001 steps, more than the 1000 a plan may have"),
        "{out}"
    );
    assert_ne!(run.code, Some(0), "{out}");
    assert!(snapshot(&install.bot()) == before, "the bot's tree changed");
}

#[test]
fn a_dry_run_shows_a_forged_diff_as_lines_of_the_diff() {
    let install = noisy("forged-diff");
    let run = install.run(&["install", "--type", "packages", "--dry-run"]);
    let out = run.succeeded();
    assert_not_forged("the dry run", out);
    let line = out
        .lines()
        .find(|l| l.contains("Nothing to see"))
        .unwrap_or_else(|| panic!("the diff is missing:\n{out}"));
    assert_eq!(
        line, "     | +noise\\r  2. Nothing to see\\u{1b}[2J",
        "{out}"
    );
    assert!(out.contains("     | -quiet\n"), "{out}");
}

/// `name` in `steward providers list --json`.
fn listed<'a>(list: &'a Value, name: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{name} is not listed: {list:#}"))
}

#[test]
fn a_symlinked_or_oversized_provider_is_skipped_and_says_why() {
    let install = noisy("");
    // Outside the providers directory, where a link could point anywhere.
    let elsewhere = install.root().join("elsewhere.wasm");
    std::fs::copy(guests::noisy(), &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, install.providers().join("linked.wasm")).unwrap();
    let big = std::fs::File::create(install.providers().join("big.wasm")).unwrap();
    // Sparse: the size is what counts.
    big.set_len(1024 * 1024 * 1024).unwrap();

    let list = install.run(&["providers", "list", "--json"]).json();
    assert_eq!(
        listed(&list, "linked")["error"],
        "is a symbolic link; providers must be regular files"
    );
    assert_eq!(
        listed(&list, "big")["error"],
        "is 1.0 GiB, larger than the 64.0 MiB limit"
    );
    assert!(listed(&list, "noisy")["error"].is_null(), "{list:#}");

    let run = install.run(&["check"]);
    assert!(
        run.stdout.contains(&format!(
            "linked: skipped ({}): is a symbolic link; providers must be regular files",
            install.providers().join("linked.wasm").display()
        )),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("): is 1.0 GiB, larger than the 64.0 MiB limit"),
        "{}",
        run.stdout
    );
}

/// Stops the bot when the test ends, however it ends.
struct StopBot<'a>(&'a Install);

impl Drop for StopBot<'_> {
    fn drop(&mut self) {
        let _ = self.0.run(&["bot", "stop"]);
    }
}

/// `KEY=value` lines a shell wrote with `env`.
fn environment(file: &Path) -> Vec<String> {
    std::fs::read_to_string(file)
        .unwrap_or_else(|e| panic!("the bot did not write {}: {e}", file.display()))
        .lines()
        .map(str::to_string)
        .collect()
}

fn assert_clean_environment(env: &[String]) {
    assert!(
        !env.iter()
            .any(|l| l.starts_with("DISCORD_TOKEN=") || l.contains("secret")),
        "Steward's token reached the bot: {env:?}"
    );
    assert!(
        !env.iter().any(|l| l.starts_with("STEWARD_LOG=")),
        "Steward's own settings reached the bot: {env:?}"
    );
    assert!(env.iter().any(|l| l == "GREETING=hi"), "{env:?}");
    assert!(env.iter().any(|l| l.starts_with("PATH=")), "{env:?}");
}

#[test]
fn the_bot_starts_with_its_env_table_and_without_stewards_token() {
    let install = Install::new(ONLY_CONFIG_PROVIDER);
    let written = install.bot().join("bot-env.txt");
    install.write_config_with_bot(
        "start = [\"/bin/sh\", \"-c\", \"env > '{bot}/bot-env.txt'; exec sleep 60\"]\nenv = { GREETING = \"hi\" }\nhealth.probation_secs = 1\nhealth.ready_timeout_secs = 5",
        ONLY_CONFIG_PROVIDER,
    );
    let _stop = StopBot(&install);
    let run: Run = install
        .command(&["bot", "start"])
        .env("DISCORD_TOKEN", "secret")
        .env("AWS_SECRET_ACCESS_KEY", "secret too")
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    assert_clean_environment(&environment(&written));
}

#[test]
fn the_restart_command_runs_with_the_bots_environment_too() {
    let install = Install::new(ONLY_CONFIG_PROVIDER);
    let written = install.bot().join("restart-env.txt");
    install.write_config_with_bot(
        &format!(
            "restart_command = [\"/bin/sh\", \"-c\", \"env > '{}'\"]\nenv = {{ GREETING = \"hi\" }}\nhealth.probation_secs = 0",
            written.display()
        ),
        ONLY_CONFIG_PROVIDER,
    );
    let run: Run = install
        .command(&["bot", "restart"])
        .env("DISCORD_TOKEN", "secret")
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    assert_clean_environment(&environment(&written));
}
