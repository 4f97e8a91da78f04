//! `/backup_create`, `/backup_list`, `/backup_restore` through the real
//! `steward serve` against a fake Discord: schema, real backups and restores,
//! permissions, Confirm/Cancel/timeout, progress, autocomplete, bad values.

use std::time::{Duration, Instant};

use serde_json::Value;
use steward_tests::fakes::discord::{ADMINISTRATOR, EVERYONE, FakeDiscord, Member, OWNER_ID, Opt};
use steward_tests::harness::Install;
use steward_tests::serve::{
    ADMIN_ROLE, LONG, SHORT, Serve, edits, has_embed, is_callback, is_edit, private_after_deferral,
};

/// The explicit old format: each backup a `.tar.gz` (or `.tar`) archive.
const TAR: &str = "[backup]\nformat = \"tar\"\n";

fn admin() -> Member {
    Member::new(300, "admin").roles(&[ADMIN_ROLE])
}

fn member() -> Member {
    Member::new(302, "member").roles(&[12345])
}

/// A registered command's options, by name.
fn options(discord: &FakeDiscord, command: &str) -> Vec<Value> {
    discord.commands()[command]["options"]
        .as_array()
        .unwrap_or_else(|| panic!("{command} has no options"))
        .clone()
}

fn option<'a>(options: &'a [Value], name: &str) -> &'a Value {
    options
        .iter()
        .find(|o| o["name"] == name)
        .unwrap_or_else(|| panic!("no option {name} in {options:#?}"))
}

/// The choices of an option as (name, value) pairs.
fn choices(option: &Value) -> Vec<(String, i64)> {
    option["choices"]
        .as_array()
        .unwrap_or_else(|| panic!("no choices in {option}"))
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["value"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn indexed(names: &[&str]) -> Vec<(String, i64)> {
    names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.to_string(), i as i64))
        .collect()
}

/// The answer to an interaction (its callback body).
fn callback(discord: &FakeDiscord, token: &str) -> Value {
    discord
        .wait_for(0, SHORT, "the interaction's answer", is_callback(token))
        .body
}

/// Asserts that `token` was answered privately with exactly `text`.
fn assert_private(discord: &FakeDiscord, token: &str, text: &str) {
    let answer = callback(discord, token);
    assert_eq!(answer["type"], 4, "{answer}");
    assert_eq!(answer["data"]["flags"], 64, "not ephemeral: {answer}");
    assert_eq!(answer["data"]["content"], text);
}

/// The text content of the newest edit once `done` holds for it.
fn content_once(serve: &Serve, discord: &FakeDiscord, token: &str, done: &str) -> String {
    let edits = serve.edits_until(discord, token, LONG, |e| {
        e["content"].as_str().is_some_and(|c| c.contains(done))
    });
    edits.last().unwrap()["content"]
        .as_str()
        .unwrap()
        .to_string()
}

fn field<'a>(embed: &'a Value, name: &str) -> &'a str {
    embed["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .and_then(|f| f["value"].as_str())
        .unwrap_or_else(|| panic!("no field {name} in {embed:#}"))
}

/// Creates a backup with the CLI (before `steward serve` holds the store).
fn cli_backup(install: &Install, args: &[&str]) -> String {
    let mut all = vec!["backup", "create", "--json"];
    all.extend_from_slice(args);
    let run = install.run(&all);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    run.json()["record"]["id"].as_str().unwrap().to_string()
}

/// The progress lines among `edits` (all but the result), checked to read
/// "Progress: N% – …" with N never going down.
fn progress_lines(edits: &[Value]) -> Vec<String> {
    let lines: Vec<String> = edits
        .iter()
        .filter(|e| !has_embed(e))
        .filter_map(|e| e["content"].as_str())
        .filter(|c| c.starts_with("Progress: "))
        .map(str::to_string)
        .collect();
    let mut last = 0;
    for line in &lines {
        let percent: u32 = line["Progress: ".len()..]
            .split('%')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("not a progress line: {line}"));
        assert!(percent >= last, "progress went backwards: {lines:#?}");
        last = percent;
    }
    lines
}

/// The custom ids of the buttons on the newest edit that has any.
fn buttons(edits: &[Value]) -> Vec<(String, String)> {
    let prompt = edits
        .iter()
        .rev()
        .find(|e| e["components"].as_array().is_some_and(|c| !c.is_empty()))
        .unwrap_or_else(|| panic!("no buttons in {edits:#?}"));
    pairs(&prompt["components"][0]["components"], "label", "custom_id")
}

/// `(item[first], item[second])` of every item of the array `items`.
fn pairs(items: &Value, first: &str, second: &str) -> Vec<(String, String)> {
    items
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {items}"))
        .iter()
        .map(|item| {
            let text = |key: &str| item[key].as_str().unwrap().to_string();
            (text(first), text(second))
        })
        .collect()
}

/// Sends `/backup_restore` as the owner and waits for its prompt; returns
/// the command's token and the Confirm and Cancel button ids.
fn restore_prompt(
    serve: &Serve,
    discord: &FakeDiscord,
    options: &[Opt],
) -> (String, String, String, String) {
    let token = discord.slash_command("backup_restore", &Member::owner(), options);
    assert_eq!(callback(discord, &token)["type"], 5, "deferred at once");
    let edits = serve.edits_until(discord, &token, LONG, |e| {
        e["components"].as_array().is_some_and(|c| !c.is_empty())
    });
    let prompt = edits.last().unwrap()["content"]
        .as_str()
        .unwrap()
        .to_string();
    let ids = buttons(&edits);
    assert_eq!(
        ids.iter().map(|(l, _)| l.as_str()).collect::<Vec<_>>(),
        ["Confirm", "Cancel"]
    );
    (token, prompt, ids[0].1.clone(), ids[1].1.clone())
}

#[test]
fn backup_commands_are_registered_with_the_reference_options() {
    let discord = FakeDiscord::start();
    let _serve = Serve::start(&discord);

    let create = options(&discord, "backup_create");
    let names: Vec<&str> = create.iter().map(|o| o["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "backup_type",
            "compress",
            "backup_name",
            "include_logs",
            "description"
        ]
    );
    for (name, kind) in [
        ("backup_type", 4),
        ("compress", 5),
        ("backup_name", 3),
        ("include_logs", 5),
        ("description", 3),
    ] {
        let o = option(&create, name);
        assert_eq!(o["type"], kind, "{o}");
        assert_eq!(o["required"], false, "{o}");
    }
    assert_eq!(
        choices(option(&create, "backup_type")),
        indexed(&["full", "database", "config", "data_only"])
    );
    for (name, default) in [
        ("backup_type", "full"),
        ("compress", "true"),
        ("include_logs", "false"),
    ] {
        let description = option(&create, name)["description"].as_str().unwrap();
        assert!(
            description.contains(&format!("default: {default}")),
            "{description}"
        );
    }

    let list = options(&discord, "backup_list");
    let names: Vec<&str> = list.iter().map(|o| o["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["backup_type", "time_range", "limit", "sort_by"]);
    assert!(
        list.iter()
            .all(|o| o["type"] == 4 && o["required"] == false)
    );
    assert_eq!(
        choices(option(&list, "backup_type")),
        indexed(&["full", "database", "config", "data_only"])
    );
    assert_eq!(
        choices(option(&list, "time_range")),
        indexed(&["7d", "30d", "90d", "all"])
    );
    assert_eq!(
        choices(option(&list, "sort_by")),
        indexed(&["date", "size", "name", "type"])
    );
    let limit = option(&list, "limit");
    assert_eq!(limit["min_value"].as_f64(), Some(1.0), "{limit}");
    assert_eq!(limit["max_value"].as_f64(), Some(50.0), "{limit}");
    assert!(
        limit["description"]
            .as_str()
            .unwrap()
            .contains("default: 20")
    );

    let restore = options(&discord, "backup_restore");
    let names: Vec<&str> = restore
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["backup_id", "confirm", "restore_type", "verify_backup"]
    );
    let id = option(&restore, "backup_id");
    assert_eq!(
        (id["type"].clone(), id["required"].clone()),
        (3.into(), true.into())
    );
    assert_eq!(id["autocomplete"], true, "{id}");
    let confirm = option(&restore, "confirm");
    assert_eq!(
        (confirm["type"].clone(), confirm["required"].clone()),
        (5.into(), true.into())
    );
    assert_eq!(
        choices(option(&restore, "restore_type")),
        indexed(&["all", "database", "config", "data"])
    );
    let verify = option(&restore, "verify_backup");
    assert_eq!(verify["type"], 5);
    assert!(
        verify["description"]
            .as_str()
            .unwrap()
            .contains("default: true")
    );
}

#[test]
fn backup_create_reports_progress_stores_a_snapshot_and_backup_list_shows_it() {
    let discord = FakeDiscord::start();
    let serve = Serve::start(&discord);

    let token = discord.slash_command(
        "backup_create",
        &Member::owner(),
        &[
            Opt::string("backup_name", "before-upgrade"),
            Opt::string("description", "made from Discord"),
        ],
    );
    assert_eq!(callback(&discord, &token)["type"], 5, "deferred at once");
    let edits = serve.edits_until_result(&discord, &token);
    let progress = progress_lines(&edits);
    let last = progress.last().expect("no progress was shown");
    assert!(
        last.starts_with("Progress: 100% – Backup backup_") && last.ends_with(" is complete"),
        "{progress:#?}"
    );
    // Edits are coalesced when the work outpaces Discord, so which steps
    // show varies; those that do come in the order of the work.
    let steps = [
        "Backing up ",
        "Copying database ",
        "Storing ",
        "Verifying ",
        "Removing backups ",
        "Backup ",
    ];
    let order: Vec<usize> = progress
        .iter()
        .map(|l| {
            let step = l.split_once("% – ").unwrap().1;
            steps
                .iter()
                .position(|s| step.starts_with(s))
                .unwrap_or_else(|| panic!("not a backup step: {l}"))
        })
        .collect();
    assert!(order.is_sorted(), "{progress:#?}");

    let result = edits.last().unwrap();
    assert_eq!(result["content"], "", "progress text is cleared");
    let embed = &result["embeds"][0];
    assert_eq!(embed["title"], "Backup created");
    assert_eq!(embed["description"], "made from Discord");
    let id = field(embed, "ID").trim_matches('`').to_string();
    assert!(id.starts_with("backup_"), "{id}");
    assert_eq!(field(embed, "Name"), "before-upgrade");
    assert_eq!(field(embed, "Type"), "full");
    assert_eq!(field(embed, "Verified"), "Every file matches its manifest.");
    let files: u64 = field(embed, "Files").parse().unwrap();
    assert!(files >= 10, "the demo bot has more files: {files}");

    // A snapshot in the repository (the default format), which restic
    // itself lists under the short id shown.
    let repository = serve.install.data().join("backups");
    let password = serve.install.data().join("backup-password");
    let shown = field(embed, "Snapshot");
    assert!(
        shown.ends_with(&format!(
            "` in the restic repository `{}`",
            repository.display()
        )),
        "{shown}"
    );
    let short = shown.split('`').nth(1).unwrap();
    let out = std::process::Command::new("restic")
        .arg("-r")
        .arg(&repository)
        .arg("--password-file")
        .arg(&password)
        .args(["--no-cache", "snapshots", "--json"])
        .output()
        .expect("Debian's restic");
    let snaps: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(snaps[0]["short_id"], short, "{snaps:#}");
    let size = field(embed, "Size");
    assert!(size.ends_with("added to the repository)"), "{size}");
    // The password Steward made is announced in the answer, not only the
    // log: where it is, and to keep a copy elsewhere.
    let notice = field(embed, "Repository password");
    assert!(
        notice.contains(&format!("`{}`", password.display()))
            && notice.contains("Keep a copy of this file somewhere else"),
        "{notice}"
    );

    // Admins may list; the new backup is there with its name.
    let token = discord.slash_command("backup_list", &admin(), &[]);
    assert_eq!(callback(&discord, &token)["type"], 5);
    let edits = serve.edits_until_result(&discord, &token);
    let embed = &edits.last().unwrap()["embeds"][0];
    assert_eq!(embed["title"], "1 backup");
    assert!(
        embed["description"]
            .as_str()
            .unwrap()
            .starts_with("Showing 1 of 1 matching; 1 stored"),
        "{embed:#}"
    );
    let line = embed["fields"][0]["value"].as_str().unwrap();
    assert!(
        line.starts_with(&format!(
            "`{id}` **before-upgrade** · full · {files} files · "
        )),
        "{line}"
    );
    assert!(line.trim_end().ends_with('✓'), "verified: {line}");
    assert_eq!(
        embed["footer"]["text"],
        "Time range: 30 days · sorted by date"
    );

    // Said once: the next backup uses the same password and says nothing.
    let token = discord.slash_command("backup_create", &Member::owner(), &[]);
    let edits = serve.edits_until_result(&discord, &token);
    let embed = &edits.last().unwrap()["embeds"][0];
    assert_eq!(embed["title"], "Backup created", "{embed:#}");
    assert!(
        !embed["fields"].to_string().contains("Repository password"),
        "{embed:#}"
    );
}

#[test]
fn backup_list_filters_by_type_sorts_and_limits() {
    let discord = FakeDiscord::start();
    let install = Serve::install(&discord, "", "");
    let full = cli_backup(&install, &["--name", "alpha"]);
    let config = cli_backup(&install, &["--type", "config", "--name", "zebra"]);
    let serve = Serve::run(&discord, install);

    let ids_listed = |options: &[Opt]| -> (Value, Vec<String>) {
        let token = discord.slash_command("backup_list", &Member::owner(), options);
        let edits = serve.edits_until_result(&discord, &token);
        let embed = edits.last().unwrap()["embeds"][0].clone();
        let ids = embed["fields"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|f| {
                f["value"]
                    .as_str()
                    .unwrap()
                    .lines()
                    .map(|l| l.split('`').nth(1).unwrap().to_string())
                    .collect::<Vec<_>>()
            })
            .collect();
        (embed, ids)
    };

    let (_, ids) = ids_listed(&[]);
    assert_eq!(ids, [config.clone(), full.clone()], "newest first");
    let (_, ids) = ids_listed(&[Opt::integer("sort_by", 2)]);
    assert_eq!(ids, [full.clone(), config.clone()], "alpha before zebra");
    let (_, ids) = ids_listed(&[Opt::integer("sort_by", 1)]);
    assert_eq!(ids, [full.clone(), config.clone()], "largest first");
    let (embed, ids) = ids_listed(&[Opt::integer("backup_type", 2)]);
    assert_eq!(ids, std::slice::from_ref(&config));
    assert_eq!(embed["title"], "1 backup");
    let (embed, ids) = ids_listed(&[Opt::integer("limit", 1), Opt::integer("time_range", 3)]);
    assert_eq!(ids, [config]);
    assert!(
        embed["description"]
            .as_str()
            .unwrap()
            .starts_with("Showing 1 of 2 matching; 2 stored"),
        "{embed:#}"
    );
    assert_eq!(embed["footer"]["text"], "Time range: all · sorted by date");
}

#[test]
fn backup_restore_after_confirm_puts_the_changed_file_back() {
    let discord = FakeDiscord::start();
    let install = Serve::install(&discord, "", "");
    let id = cli_backup(&install, &[]);
    let reminders = install.bot().join("data/reminders.json");
    let original = std::fs::read(&reminders).unwrap();
    std::fs::write(&reminders, b"[]\n").unwrap();
    let serve = Serve::run(&discord, install);

    let (token, prompt, confirm, _) = restore_prompt(
        &serve,
        &discord,
        &[
            Opt::string("backup_id", &id),
            Opt::boolean("confirm", true),
            Opt::integer("restore_type", 3),
        ],
    );
    assert!(
        prompt.starts_with(&format!("**Restore data files from backup `{id}`**")),
        "{prompt}"
    );
    assert!(prompt.contains("• `data/reminders.json`"), "{prompt}");
    assert!(!prompt.contains("bot.py"), "only data files: {prompt}");
    assert!(prompt.contains("stop it before you confirm"), "{prompt}");
    assert_eq!(
        std::fs::read(&reminders).unwrap(),
        b"[]\n",
        "nothing changes before Confirm"
    );

    let press = discord.press_button(&confirm, &Member::owner());
    let answer = callback(&discord, &press);
    assert_eq!(answer["type"], 7, "the prompt is updated: {answer}");
    assert!(
        answer["data"]["content"]
            .as_str()
            .unwrap()
            .ends_with("\n\nConfirmed."),
        "{answer}"
    );
    assert_eq!(answer["data"]["components"], serde_json::json!([]));

    let edits = serve.edits_until_result(&discord, &token);
    let progress = progress_lines(&edits);
    assert!(
        progress
            .last()
            .is_some_and(|l| l.starts_with("Progress: 100% – Restored ") && l.ends_with(&id)),
        "{progress:#?}"
    );
    let embed = &edits.last().unwrap()["embeds"][0];
    assert!(
        embed["title"]
            .as_str()
            .unwrap()
            .ends_with(&format!("files from {id}")),
        "{embed:#}"
    );
    assert!(
        embed["description"]
            .as_str()
            .unwrap()
            .contains("• `data/reminders.json`"),
        "{embed:#}"
    );
    assert_eq!(field(embed, "Restore type"), "data");
    assert_eq!(field(embed, "Verified first"), "yes");
    assert_eq!(std::fs::read(&reminders).unwrap(), original);
}

#[test]
fn a_tampered_backup_is_refused_after_confirm_and_nothing_changes() {
    let discord = FakeDiscord::start();
    let install = Serve::install(&discord, "", TAR);
    let id = cli_backup(&install, &[]);
    let archive = install.data().join(format!("backups/{id}.tar.gz"));
    let mut bytes = std::fs::read(&archive).unwrap();
    bytes.extend_from_slice(b"tampered");
    std::fs::write(&archive, bytes).unwrap();
    let reminders = install.bot().join("data/reminders.json");
    std::fs::write(&reminders, b"[]\n").unwrap();
    let serve = Serve::run(&discord, install);

    let (token, _, confirm, _) = restore_prompt(
        &serve,
        &discord,
        &[Opt::string("backup_id", &id), Opt::boolean("confirm", true)],
    );
    discord.press_button(&confirm, &Member::owner());
    let content = content_once(&serve, &discord, &token, "failed verification");
    assert!(
        content.starts_with(&format!(
            "Backup {id} failed verification, so it was not used: the archive's sha256 \
             differs from the one recorded when it was made"
        )),
        "{content}"
    );
    assert_eq!(std::fs::read(&reminders).unwrap(), b"[]\n");
}

#[test]
fn cancel_timeout_and_other_users_presses_change_nothing() {
    let discord = FakeDiscord::start();
    let install = Serve::install(&discord, "confirm_timeout_seconds = 2", "");
    let id = cli_backup(&install, &[]);
    let reminders = install.bot().join("data/reminders.json");
    std::fs::write(&reminders, b"[]\n").unwrap();
    let serve = Serve::run(&discord, install);
    let options = [Opt::string("backup_id", &id), Opt::boolean("confirm", true)];

    // Someone else's press is turned away privately; the owner cancels.
    let (_, _, confirm, cancel) = restore_prompt(&serve, &discord, &options);
    let press = discord.press_button(&confirm, &admin());
    assert_private(
        &discord,
        &press,
        &format!("Only <@{OWNER_ID}> can answer this; run the command yourself if you need it."),
    );
    let press = discord.press_button(&cancel, &Member::owner());
    let answer = callback(&discord, &press);
    assert_eq!(answer["type"], 7, "{answer}");
    assert!(
        answer["data"]["content"]
            .as_str()
            .unwrap()
            .ends_with("\n\nCancelled; nothing was changed."),
        "{answer}"
    );

    // Nobody answers: after the configured 2 s the prompt says so.
    let started = Instant::now();
    let unverified = [
        options[0].clone(),
        options[1].clone(),
        Opt::boolean("verify_backup", false),
    ];
    let (token, prompt, _, _) = restore_prompt(&serve, &discord, &unverified);
    assert!(
        prompt.contains("The archive is **not** verified first (verify_backup:false)"),
        "{prompt}"
    );
    let content = content_once(&serve, &discord, &token, "No answer within");
    assert!(
        content.ends_with("\n\nNo answer within 2 s; nothing was changed."),
        "{content}"
    );
    assert!(started.elapsed() < Duration::from_secs(15));
    let last = edits(&discord, &token).pop().unwrap();
    assert_eq!(last["components"], serde_json::json!([]), "buttons removed");

    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(std::fs::read(&reminders).unwrap(), b"[]\n");
}

#[test]
fn backup_create_options_shape_the_archive() {
    let discord = FakeDiscord::start();
    let install = Serve::install(&discord, "", TAR);
    std::fs::create_dir_all(install.bot().join("logs")).unwrap();
    std::fs::write(install.bot().join("logs/bot.log"), "started\n").unwrap();
    let serve = Serve::run(&discord, install);

    let token = discord.slash_command(
        "backup_create",
        &Member::owner(),
        &[
            Opt::integer("backup_type", 3),
            Opt::boolean("compress", false),
            Opt::boolean("include_logs", true),
        ],
    );
    let edits = serve.edits_until_result(&discord, &token);
    let embed = &edits.last().unwrap()["embeds"][0];
    assert_eq!(field(embed, "Type"), "data_only");
    assert!(!field(embed, "Size").contains("gzip"), "{embed:#}");
    let id = field(embed, "ID").trim_matches('`');
    let archive = serve.install.data().join(format!("backups/{id}.tar"));
    let file = std::fs::File::open(&archive)
        .unwrap_or_else(|e| panic!("no uncompressed archive {}: {e}", archive.display()));
    let mut entries: Vec<String> = tar::Archive::new(file)
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned())
        .collect();
    entries.sort();
    assert_eq!(
        entries,
        [
            "data/guild_settings.json",
            "data/reminders.json",
            "data/seed.sql",
            "logs/bot.log",
            "steward-manifest.json",
        ]
    );
}

#[test]
fn restore_is_for_owners_and_backups_for_owners_and_admins() {
    let discord = FakeDiscord::start();
    let install = Serve::install(&discord, "", "");
    let id = cli_backup(&install, &[]);
    let serve = Serve::run(&discord, install);
    let restore = [Opt::string("backup_id", &id), Opt::boolean("confirm", true)];

    let token = discord.slash_command("backup_restore", &admin(), &restore);
    assert_private(
        &discord,
        &token,
        "Permission denied: restoring backups is for the bot's owners only. Admins can check \
         for updates, view the status, and create or list backups.",
    );
    let administrator = Member::new(301, "administrator").permissions(EVERYONE | ADMINISTRATOR);
    let token = discord.slash_command("backup_restore", &administrator, &restore);
    let answer = callback(&discord, &token);
    assert_eq!(answer["data"]["flags"], 64, "{answer}");
    assert!(
        answer["data"]["content"]
            .as_str()
            .unwrap()
            .ends_with("is for the bot's owners only. Admins can check for updates, view the status, and create or list backups."),
        "{answer}"
    );
    let token = discord.slash_command("backup_restore", &member(), &restore);
    assert_private(
        &discord,
        &token,
        "Permission denied: restoring backups is for the bot's owners.",
    );
    for command in ["backup_create", "backup_list"] {
        let token = discord.slash_command(command, &member(), &[]);
        let answer = callback(&discord, &token);
        assert_eq!(answer["data"]["flags"], 64, "{answer}");
        assert!(
            answer["data"]["content"]
                .as_str()
                .unwrap()
                .ends_with("is for the bot's owners and admins."),
            "{answer}"
        );
    }

    // Owners without confirm:true are told how, privately.
    let token = discord.slash_command(
        "backup_restore",
        &Member::owner(),
        &[
            Opt::string("backup_id", &id),
            Opt::boolean("confirm", false),
        ],
    );
    assert_private(
        &discord,
        &token,
        "A restore replaces the bot's files: confirm it to go ahead (confirm:true in Discord, \
         --yes on the command line).",
    );

    // Admins may back up.
    let token = discord.slash_command("backup_create", &admin(), &[Opt::integer("backup_type", 2)]);
    assert_eq!(callback(&discord, &token)["type"], 5);
    let edits = serve.edits_until_result(&discord, &token);
    let embed = &edits.last().unwrap()["embeds"][0];
    assert_eq!(field(embed, "Type"), "config");
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        !discord.requests().iter().any(|r| is_edit(&token)(r)
            && r.body["components"]
                .as_array()
                .is_some_and(|c| !c.is_empty())),
        "a backup asks nobody to confirm"
    );
}

#[test]
fn backup_id_autocomplete_offers_completed_backups_newest_first_to_owners() {
    let discord = FakeDiscord::start();
    let install = Serve::install(&discord, "", "");
    let older = cli_backup(&install, &["--name", "nightly"]);
    let newer = cli_backup(&install, &["--type", "config"]);
    let _serve = Serve::run(&discord, install);

    let suggest = |who: &Member, typed: &str| -> Vec<(String, String)> {
        let token = discord.autocomplete(
            "backup_restore",
            who,
            &[Opt::string("backup_id", typed).focused()],
        );
        let answer = callback(&discord, &token);
        assert_eq!(answer["type"], 8, "{answer}");
        pairs(&answer["data"]["choices"], "value", "name")
    };

    let all = suggest(&Member::owner(), "");
    let values: Vec<&str> = all.iter().map(|(v, _)| v.as_str()).collect();
    assert_eq!(values, [newer.as_str(), older.as_str()]);
    assert!(
        all[1]
            .1
            .starts_with(&format!("nightly · {older} · full · ")),
        "{all:?}"
    );
    assert!(
        all[0].1.starts_with(&format!("{newer} · config · ")),
        "{all:?}"
    );

    let named = suggest(&Member::owner(), "NIGHT");
    assert_eq!(
        named.iter().map(|(v, _)| v.as_str()).collect::<Vec<_>>(),
        [older.as_str()]
    );
    assert!(suggest(&Member::owner(), "no-such-backup").is_empty());
    assert!(
        suggest(&admin(), "").is_empty(),
        "admins cannot restore, so they learn no ids"
    );
}

#[test]
fn bad_option_values_get_the_users_message() {
    let discord = FakeDiscord::start();
    let serve = Serve::start(&discord);

    let token = discord.slash_command(
        "backup_restore",
        &Member::owner(),
        &[
            Opt::string("backup_id", "no-such-backup"),
            Opt::boolean("confirm", true),
        ],
    );
    // Looked up before deferring: nobody else sees a "thinking" reply.
    assert_private(
        &discord,
        &token,
        "There is no backup called no-such-backup. `steward backup list` shows them.",
    );

    let token = discord.slash_command(
        "backup_list",
        &Member::owner(),
        &[Opt::integer("limit", 99)],
    );
    let content = private_after_deferral(&discord, &token);
    assert_eq!(
        content,
        "Invalid value for limit: `99` is not a number from 1 to 50."
    );

    let token = discord.slash_command(
        "backup_create",
        &Member::owner(),
        &[Opt::integer("backup_type", 9)],
    );
    assert_private(
        &discord,
        &token,
        "Invalid value for backup type: `9` is not one of full, database, config, data_only.",
    );

    let token = discord.slash_command(
        "backup_create",
        &Member::owner(),
        &[Opt::string("backup_name", "backup_mine")],
    );
    let content = private_after_deferral(&discord, &token);
    assert_eq!(
        content,
        "\"backup_mine\" cannot be a backup name: use 1-100 characters, not starting with \"backup_\"."
    );

    // A name already taken is told to the creator alone.
    let token = discord.slash_command(
        "backup_create",
        &Member::owner(),
        &[Opt::string("backup_name", "nightly")],
    );
    serve.edits_until_result(&discord, &token);
    let token = discord.slash_command(
        "backup_create",
        &Member::owner(),
        &[Opt::string("backup_name", "nightly")],
    );
    let content = private_after_deferral(&discord, &token);
    assert!(
        content.starts_with("The name \"nightly\" is already used"),
        "{content}"
    );
}

#[test]
fn a_description_as_long_as_discord_allows_still_gets_its_result() {
    let discord = FakeDiscord::start();
    let serve = Serve::start(&discord);
    let create = options(&discord, "backup_create");
    assert_eq!(option(&create, "backup_name")["max_length"], 100);

    let description = "é".repeat(6000);
    let token = discord.slash_command(
        "backup_create",
        &Member::owner(),
        &[Opt::string("description", &description)],
    );
    let edits = serve.edits_until(&discord, &token, LONG, |e| {
        has_embed(e)
            || e["content"]
                .as_str()
                .is_some_and(|c| c.contains("try again"))
    });
    let result = edits.last().unwrap();
    let embed = &result["embeds"][0];
    assert_eq!(embed["title"], "Backup created", "{result:#}");
    let shown = embed["description"].as_str().unwrap();
    assert!(
        shown.starts_with("ééé") && shown.ends_with("(cut)"),
        "{shown}"
    );
}

#[test]
fn backup_create_answers_first_then_shows_each_offsite_copy_and_backup_list_where_each_lives() {
    let discord = FakeDiscord::start();
    let offsite = tempfile::tempdir().unwrap();
    let disk = offsite.path().join("steward");
    let away = format!("http://127.0.0.1:{}/bot", steward_tests::etcd::free_port());
    let serve = Serve::start_with(
        &discord,
        "",
        &format!(
            "[backup.offsite.disk]\nkind = \"path\"\npath = \"{}\"\n\n[backup.offsite.away]\nkind = \"rest\"\nurl = \"{away}\"\n",
            disk.display()
        ),
    );

    let token = discord.slash_command("backup_create", &Member::owner(), &[]);
    let edits = serve.edits_until(&discord, &token, LONG, |e| {
        e["embeds"][0]["fields"]
            .to_string()
            .contains("copied and checked there")
    });
    let results: Vec<&Value> = edits.iter().filter(|e| has_embed(e)).collect();
    // The backup answers before its copies are done: the first result
    // names the targets still being copied to.
    assert_eq!(
        field(&results[0]["embeds"][0], "Offsite copies"),
        "Copying to away, disk…",
        "{results:#?}"
    );
    let embed = &results.last().unwrap()["embeds"][0];
    assert_eq!(embed["title"], "Backup created", "{embed:#}");
    let id = field(embed, "ID").trim_matches('`').to_string();
    let copies = field(embed, "Offsite copies");
    assert!(
        copies.contains("disk: 1 copied and checked there"),
        "{copies}"
    );
    assert!(
        copies.contains(&format!(
            "away: the copy failed (offsite target away ({away})"
        )) && copies
            .contains("The local backup is complete; the copy is retried at the next backup."),
        "{copies}"
    );
    assert!(disk.join("config").is_file(), "the copy is there");

    let token = discord.slash_command("backup_list", &admin(), &[]);
    let edits = serve.edits_until_result(&discord, &token);
    let line = edits.last().unwrap()["embeds"][0]["fields"][0]["value"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(line.starts_with(&format!("`{id}`")), "{line}");
    assert!(
        line.contains(" · where: local, away (copy failed, retried), disk"),
        "{line}"
    );

    // The same in German.
    let token = discord.slash_command_in("de", "backup_list", &admin(), &[]);
    let edits = serve.edits_until_result(&discord, &token);
    let line = edits.last().unwrap()["embeds"][0]["fields"][0]["value"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        line.contains(" · Ort: lokal, away (Kopie fehlgeschlagen, wird erneut versucht), disk"),
        "{line}"
    );

    // `/update_status` names the target whose copy waits, and the backup,
    // and why in the reader's words: only what the target's backend said
    // stays as it said it.
    for (locale, title, expected) in [
        (
            "en-US",
            "Offsite copies failed",
            format!(
                "**away** lacks backup {id}; retried at the next copy. offsite target away ({away})"
            ),
        ),
        (
            "de",
            "Fehlgeschlagene Offsite-Kopien",
            format!(
                "**away** fehlt die Sicherung {id}; beim nächsten Kopieren wird es erneut versucht. externes Ziel away ({away}): "
            ),
        ),
        (
            "zh-CN",
            "异地副本复制失败",
            format!("**away** 缺少 1 个备份：{id}；将在下次复制时重试。异地目标 away（{away}）："),
        ),
    ] {
        let token = discord.slash_command_in(
            locale,
            "update_status",
            &Member::owner(),
            &[Opt::boolean("show_metrics", false)],
        );
        let edits = serve.edits_until_result(&discord, &token);
        let embed = &edits.last().unwrap()["embeds"][0];
        let copies = field(embed, title);
        assert!(copies.starts_with(&expected), "{copies}");
        assert!(!copies.contains("disk"), "disk holds its copy: {copies}");
        if locale != "en-US" {
            assert!(!copies.contains("offsite target"), "{copies}");
        }
    }
}

/// A zh-CN owner whose restore cannot put the files back (a file stands
/// where the backup needs a directory) reads that the restore failed, in
/// Chinese from frame to clause; the path stays as given, and nothing
/// changes.
#[test]
fn a_zh_cn_owner_reads_that_the_restore_failed_in_chinese() {
    let discord = FakeDiscord::start();
    let install = Serve::install(&discord, "", "");
    let id = cli_backup(&install, &[]);
    let data = install.bot().join("data");
    std::fs::remove_dir_all(&data).unwrap();
    std::fs::write(&data, b"in the way\n").unwrap();
    let serve = Serve::run(&discord, install);

    let token = discord.slash_command_in(
        "zh-CN",
        "backup_restore",
        &Member::owner(),
        &[
            Opt::string("backup_id", &id),
            Opt::boolean("confirm", true),
            Opt::integer("restore_type", 3),
        ],
    );
    let failed = |e: &Value| {
        e["content"]
            .as_str()
            .is_some_and(|c| c.contains("恢复失败"))
    };
    let edits = serve.edits_until(&discord, &token, LONG, |e| {
        failed(e) || e["components"].as_array().is_some_and(|c| !c.is_empty())
    });
    if !failed(edits.last().unwrap()) {
        let ids = buttons(&edits);
        discord.press_button(&ids[0].1, &Member::owner());
    }
    let content = content_once(&serve, &discord, &token, "恢复失败");
    assert!(content.starts_with("恢复失败："), "{content}");
    assert!(
        content.contains("处是一个文件，而备份需要一个目录；未做任何更改"),
        "{content}"
    );
    for english in [
        "failed",
        "Backup",
        "Restore",
        "nothing was changed",
        "备份失败",
    ] {
        assert!(!content.contains(english), "{content}");
    }
    assert_eq!(std::fs::read(&data).unwrap(), b"in the way\n");
}

/// `steward serve` for a bot Steward runs (`bot.start`) that exits at once
/// while `data/broken` exists, with a backup holding that file, and the bot
/// running without it. Returns the service, the backup's id and the file.
fn serve_a_bot_its_backup_breaks(discord: &FakeDiscord) -> (Serve, String, std::path::PathBuf) {
    let install = Serve::install(discord, "", "");
    let config = std::fs::read_to_string(install.config_path()).unwrap();
    let bot_lines = "start = [\"/bin/sh\", \"-c\", \"if [ -e '{bot}/data/broken' ]; then echo 'token rejected'; exit 1; fi; echo test ready; exec sleep 600\"]\n\
         stop_timeout_secs = 5\n\
         health.probation_secs = 0\nhealth.ready_line = \"test ready\"\nhealth.ready_timeout_secs = 20\n";
    std::fs::write(
        install.config_path(),
        config.replacen("[bot]\n", &format!("[bot]\n{bot_lines}"), 1),
    )
    .unwrap();
    let broken = install.bot().join("data/broken");
    std::fs::write(&broken, b"yes\n").unwrap();
    let id = cli_backup(&install, &[]);
    std::fs::remove_file(&broken).unwrap();
    let started = install.run(&["bot", "start"]);
    assert_eq!(
        started.code,
        Some(0),
        "{}\n{}",
        started.stdout,
        started.stderr
    );
    (Serve::run(discord, install), id, broken)
}

/// A zh-CN owner whose restore brings back files the bot cannot start on
/// (Steward runs the bot, and it exits at once) reads why in Chinese, the
/// supervisor's reason included; what the bot printed stays as it said it.
#[test]
fn a_zh_cn_owner_reads_why_the_bot_did_not_start_after_a_restore_in_chinese() {
    let discord = FakeDiscord::start();
    let (serve, id, broken) = serve_a_bot_its_backup_breaks(&discord);

    let token = discord.slash_command_in(
        "zh-CN",
        "backup_restore",
        &Member::owner(),
        &[
            Opt::string("backup_id", &id),
            Opt::boolean("confirm", true),
            Opt::integer("restore_type", 3),
        ],
    );
    let edits = serve.edits_until(&discord, &token, LONG, |e| {
        e["components"].as_array().is_some_and(|c| !c.is_empty())
    });
    let ids = buttons(&edits);
    discord.press_button(&ids[0].1, &Member::owner());
    let content = content_once(&serve, &discord, &token, "机器人无法使用恢复后的文件启动");
    assert!(
        content.contains("机器人未通过健康观察期：它在") && content.contains("（exit status: 1）"),
        "{content}"
    );
    assert!(content.contains("token rejected"), "{content}");
    for english in [
        "the bot failed",
        "health probation",
        "it exited",
        "did not start",
        "its last output",
    ] {
        assert!(!content.contains(english), "{content}");
    }
    assert!(!broken.exists(), "the previous files are back");
}

/// A zh-CN owner who sends a choice Discord does not offer (an old client,
/// a hand-made request) reads which option it was in Chinese; the values
/// it may be stay as Discord sends them.
#[test]
fn a_zh_cn_owner_reads_an_invalid_choice_in_chinese() {
    let discord = FakeDiscord::start();
    let _serve = Serve::start(&discord);
    let token = discord.slash_command_in(
        "zh-CN",
        "backup_create",
        &Member::owner(),
        &[Opt::integer("backup_type", 9)],
    );
    assert_private(
        &discord,
        &token,
        "备份类型 的值无效：`9` 不是 以下之一：full、database、config、data_only。",
    );
}

/// The same bot, rolled back to that backup by a zh-CN owner: the
/// rollback's record says in Chinese that the bot did not start on the
/// restored files and why.
#[test]
fn a_zh_cn_owner_reads_why_the_bot_did_not_start_after_a_rollback_in_chinese() {
    let discord = FakeDiscord::start();
    let (serve, _, broken) = serve_a_bot_its_backup_breaks(&discord);

    let token = discord.slash_command_in(
        "zh-CN",
        "update_rollback",
        &Member::owner(),
        &[
            Opt::string("target_version", "last_backup"),
            Opt::boolean("confirm", true),
            Opt::boolean("create_backup", false),
        ],
    );
    let edits = serve.edits_until(&discord, &token, LONG, |e| {
        e["components"].as_array().is_some_and(|c| !c.is_empty())
    });
    let ids = buttons(&edits);
    discord.press_button(&ids[0].1, &Member::owner());
    let edits = serve.edits_until(&discord, &token, LONG, has_embed);
    let shown = edits.last().unwrap().to_string();
    assert!(shown.contains("机器人未通过健康观察期"), "{shown}");
    assert!(shown.contains("token rejected"), "{shown}");
    for english in [
        "the bot failed",
        "health probation",
        "it exited",
        "did not start",
    ] {
        assert!(!shown.contains(english), "{shown}");
    }
    assert!(!broken.exists(), "the previous files are back");
}
