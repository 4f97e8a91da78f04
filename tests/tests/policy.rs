//! The update policy end to end, with the real `steward` binary against
//! the local fakes: the release cooldown (`min_release_age_hours`, release
//! dates from the fake index), the security-only automatic mode of
//! `steward serve` (advisories from the fake OSV, the fix installed by the
//! real pnpm from the fake npm registry), and the emergency notice a high
//! advisory sends to the webhook, once.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use steward_tests::fakes::discord::{FakeDiscord, Request};
use steward_tests::fakes::npm::FakeNpm;
use steward_tests::fakes::osv::{Advisory, FakeOsv};
use steward_tests::fakes::pypi::{FakePypi, Release};
use steward_tests::harness::{Install, provider, steward_bin};
use steward_tests::node::{self, NodeBot};
use steward_tests::{guests, python};

const HOOK: &str = "/api/v10/webhooks/42/hook-secret";

/// `epoch` seconds as `date -u` writes them in `format`.
fn utc(epoch: u64, format: &str) -> String {
    let out = Command::new("date")
        .args(["-u", "-d", &format!("@{epoch}"), &format!("+{format}")])
        .output()
        .expect("date");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A venv holding `dists`, installed by its own pip from wheels built here.
fn make_venv(bot: &Path, dists: &[(&str, &str)]) {
    let venv = bot.join(".venv");
    let made = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .output()
        .expect("python3 -m venv");
    assert!(made.status.success(), "{made:?}");
    let wheels = tempfile::tempdir().unwrap();
    python::build_wheels(wheels.path(), dists);
    let mut pip = Command::new(venv.join("bin/python"));
    pip.args([
        "-m",
        "pip",
        "install",
        "--no-index",
        "--disable-pip-version-check",
        "--find-links",
    ])
    .arg(wheels.path());
    for (name, version) in dists {
        pip.arg(format!("{name}=={version}"));
    }
    let installed = pip.output().expect("pip install");
    assert!(installed.status.success(), "{installed:?}");
}

/// `[providers.pip]` with `lines` (its policy keys), granted the index and OSV.
fn pip_config(index: &str, osv: &str, lines: &str) -> String {
    format!(
        r#"
[providers.pip]
enabled = true
{lines}
[providers.pip.grant]
read = ["{{bot}}"]
http = ["{index}", "{osv}"]
plan_programs = [{{ path = "{{bot}}/.venv/bin/python", args = [["-m", "pip", "install", "--no-input", "--disable-pip-version-check", "{{pip-pin}}", "..."]] }}]
[providers.pip.settings]
index_url = "http://{index}/simple"
osv_url = "http://{osv}"
timeout_ms = 5000
"#
    )
}

fn pip_install(config: &str, dists: &[(&str, &str)]) -> Install {
    let install = Install::new(config);
    std::fs::write(install.bot().join("requirements.txt"), "").unwrap();
    make_venv(&install.bot(), dists);
    install.add_provider(
        &guests::build("providers/pip", "steward-provider-pip"),
        "pip",
    );
    install
}

fn pip_check(install: &Install) -> Value {
    let run = install.run(&["check", "--type", "packages", "--json"]);
    let json = run.json();
    let pip = provider(&json, "pip").clone();
    assert!(pip["error"].is_null(), "{pip:#}\n{}", run.stderr);
    pip
}

fn update<'a>(pip: &'a Value, id: &str) -> &'a Value {
    pip["updates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == id)
        .unwrap_or_else(|| panic!("no update of {id} in {pip:#}"))
}

#[test]
fn cooldown_holds_a_fresh_release_saying_until_when_and_offers_it_once_old_enough() {
    let released = now() - 10 * 3600;
    let index = FakePypi::new()
        .project(
            "attrs",
            vec![
                Release::new("23.1.0"),
                Release::new("23.2.0").uploaded(&utc(released, "%Y-%m-%dT%H:%M:%SZ")),
            ],
        )
        .project(
            "yarl",
            vec![
                Release::new("1.9.4"),
                Release::new("1.9.5").uploaded("2024-02-01T10:00:00.000000Z"),
            ],
        )
        .start();
    let (osv, _) = FakeOsv::new().start();
    let dists = [("attrs", "23.1.0"), ("yarl", "1.9.4")];
    let config = |hours: u64| {
        pip_config(
            &index.host(),
            &osv.host(),
            &format!("min_release_age_hours = {hours}"),
        )
    };
    let install = pip_install(&config(72), &dists);

    let pip = pip_check(&install);
    let until = utc(released + 72 * 3600, "%Y-%m-%d %H:%M");
    assert_eq!(
        update(&pip, "attrs")["held"],
        format!("min_release_age_hours = 72 (cooling down until {until} UTC)"),
        "{pip:#}"
    );
    assert!(update(&pip, "yarl")["held"].is_null(), "{pip:#}");
    let table = install.run(&["check", "--type", "packages"]);
    assert!(
        table
            .stdout
            .contains(&format!("cooling down until {until} UTC")),
        "{}",
        table.stdout
    );
    // Held, so no install takes it: only yarl is planned.
    let dry = install.run(&["install", "--type", "packages", "--dry-run", "--json"]);
    let planned = dry.json()["planned"].to_string();
    assert!(planned.contains("yarl"), "{planned}\n{}", dry.stderr);
    assert!(!planned.contains("attrs"), "{planned}");

    // Ten hours old is old enough for a six-hour cooldown.
    install.write_config(&config(6));
    let pip = pip_check(&install);
    assert!(update(&pip, "attrs")["held"].is_null(), "{pip:#}");
}

#[test]
fn a_security_fix_skips_the_cooldown_unless_the_cooldown_applies_to_security() {
    let fresh = utc(now() - 3600, "%Y-%m-%dT%H:%M:%SZ");
    let index = FakePypi::new()
        .project(
            "aiohttp",
            vec![
                Release::new("3.8.0"),
                Release::new("3.9.1").uploaded(&fresh),
            ],
        )
        .start();
    let (osv, _) = FakeOsv::new()
        .advisory(Advisory::new("GHSA-aio-0001", "PyPI", "aiohttp", &["3.8.0"]).fixed_in("3.9.1"))
        .start();
    let config = |lines: &str| pip_config(&index.host(), &osv.host(), lines);
    let install = pip_install(
        &config("min_release_age_hours = 72"),
        &[("aiohttp", "3.8.0")],
    );

    let pip = pip_check(&install);
    let aiohttp = update(&pip, "aiohttp");
    assert_eq!(aiohttp["security"], true, "{pip:#}");
    assert!(aiohttp["held"].is_null(), "{pip:#}");

    install.write_config(&config(
        "min_release_age_hours = 72\ncooldown_applies_to_security = true",
    ));
    let pip = pip_check(&install);
    let held = update(&pip, "aiohttp")["held"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(held.contains("cooling down until"), "{pip:#}");
}

/// `steward serve` for `install`, with `home` as HOME for the tools its
/// plans run (the test's own pnpm store).
fn serve(discord: &FakeDiscord, install: &Install, home: Option<&Path>) -> Child {
    let log = std::fs::File::create(install.root().join("serve.log")).unwrap();
    let mut command = Command::new(steward_bin());
    command
        .arg("--config")
        .arg(install.config_path())
        .arg("serve")
        .env("DISCORD_TOKEN", "fake-token")
        .env("STEWARD_LOG", "steward=debug")
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log);
    if let Some(home) = home {
        command
            .env("HOME", home)
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("COREPACK_ENABLE_STRICT", "0");
    }
    let child = command.spawn().expect("starting steward serve");
    discord.wait_until_ready(Duration::from_secs(20));
    child
}

fn is_post(title_part: &'static str) -> impl Fn(&Request) -> bool {
    move |r| {
        r.method == "POST"
            && r.path == HOOK
            && r.body["embeds"][0]["title"]
                .as_str()
                .is_some_and(|t| t.contains(title_part))
    }
}

fn discord_lines(discord: &FakeDiscord) -> String {
    format!(
        "[discord]\napi_base = \"{base}\"\nwebhook_url = \"{base}{HOOK}\"\n",
        base = discord.api_base()
    )
}

#[test]
fn security_only_automatic_updates_install_the_fix_and_leave_the_other_update_offered() {
    security_fix_installed_alone(|npm| format!("{npm}\n[general]\nauto_updates = \"security\"\n"));
}

#[test]
fn a_source_in_security_mode_takes_only_its_fix_while_the_rest_would_take_everything() {
    // Everything else installs by itself; the npm source only its security fixes.
    security_fix_installed_alone(|npm| {
        format!(
            "{}\n[general]\nauto_updates = \"all\"\n",
            npm.replacen(
                "[providers.npm]\n",
                "[providers.npm]\nauto_updates = \"security\"\n",
                1
            )
        )
    });
}

/// `steward serve` with a vulnerable greet and an outdated cheer, both
/// from the fake npm registry, under the policy `config` makes of the npm
/// source's configuration: greet's fix is installed, cheer is posted.
fn security_fix_installed_alone(config: impl Fn(&str) -> String) {
    let Some(pnpm) = node::tool("pnpm") else {
        return;
    };
    let registry = FakeNpm::new()
        .package("greet", &["1.0.0", "1.1.0"])
        .package("cheer", &["1.0.0", "1.1.0"])
        .start();
    let (osv, _) = FakeOsv::new()
        .advisory(Advisory::new("GHSA-greet-0001", "npm", "greet", &["1.0.0"]).fixed_in("1.1.0"))
        .start();
    let discord = FakeDiscord::start();
    let config = format!(
        "{}\n{}\n[scheduling]\nallowed_update_types = [\"packages\"]\n",
        config(&node::npm_config(
            &registry.host(),
            &osv.host(),
            &pnpm,
            "pnpm",
            r#"[["add", "{npm-range}", "..."], ["install", "--frozen-lockfile"]]"#,
        )),
        discord_lines(&discord),
    );
    let bot = NodeBot::new(
        pnpm,
        &registry.host(),
        &[("greet", "~1.0.0"), ("cheer", "~1.0.0")],
        &[],
        "",
        &config,
    );
    bot.install.add_provider(
        &guests::build("providers/npm", "steward-provider-npm"),
        "npm",
    );
    assert_eq!(bot.installed("greet"), "1.0.0");

    let mut child = serve(&discord, &bot.install, Some(bot.home()));
    // What is left after the fix is posted for a person to install.
    let offered = discord.wait_for(
        0,
        Duration::from_secs(180),
        "the post of what is left",
        is_post("available"),
    );
    let log = std::fs::read_to_string(bot.install.root().join("serve.log")).unwrap_or_default();
    assert_eq!(bot.installed("greet"), "1.1.0", "{log}");
    assert_eq!(bot.installed("cheer"), "1.0.0", "only the security fix");
    assert!(
        offered.body["embeds"][0]["title"]
            .as_str()
            .unwrap()
            .ends_with("available")
    );
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn a_high_advisory_fix_is_posted_to_the_webhook_at_once_and_only_once() {
    let index = FakePypi::new()
        .package("aiohttp", &["3.8.0", "3.9.1"])
        .start();
    let (osv, queries) = FakeOsv::new()
        .advisory(
            Advisory::new("GHSA-aio-0002", "PyPI", "aiohttp", &["3.8.0"])
                .fixed_in("3.9.1")
                .summary("request smuggling"),
        )
        .start();
    let discord = FakeDiscord::start();
    let install = pip_install(
        &format!(
            "{}\n{}\n[general]\nupdate_check_interval = 60\n",
            pip_config(&index.host(), &osv.host(), ""),
            discord_lines(&discord)
        ),
        &[("aiohttp", "3.8.0")],
    );
    let mut child = serve(&discord, &install, None);

    let notice = discord.wait_for(
        0,
        Duration::from_secs(120),
        "the emergency notice",
        is_post("GHSA-aio-0002"),
    );
    let embed = &notice.body["embeds"][0];
    let title = embed["title"].as_str().unwrap();
    assert!(title.contains("HIGH"), "{embed:#}");
    let text = embed["description"].as_str().unwrap();
    for part in [
        "aiohttp 3.8.0 → 3.9.1",
        "request smuggling",
        "steward install --type packages",
    ] {
        assert!(text.contains(part), "{part:?} missing from {embed:#}");
    }

    // The next background check (a minute later) finds it again, and says nothing.
    let asked = queries.lock().unwrap().len();
    wait_for_long(
        "the second background check",
        Duration::from_secs(150),
        || queries.lock().unwrap().len() > asked,
    );
    std::thread::sleep(Duration::from_secs(3));
    let notices = discord
        .requests()
        .iter()
        .filter(|r| is_post("GHSA-aio-0002")(r))
        .count();
    assert_eq!(notices, 1, "the advisory was announced {notices} times");
    child.kill().unwrap();
    child.wait().unwrap();
}

/// The version of `name` the venv of `install` holds, by its dist-info.
fn venv_version(install: &Install, name: &str) -> Option<String> {
    let lib = install.bot().join(".venv/lib");
    for python in std::fs::read_dir(&lib).ok()?.flatten() {
        for entry in std::fs::read_dir(python.path().join("site-packages"))
            .ok()?
            .flatten()
        {
            let file = entry.file_name().to_string_lossy().to_string();
            if let Some(rest) = file.strip_prefix(&format!("{name}-"))
                && let Some(version) = rest.strip_suffix(".dist-info")
            {
                return Some(version.to_string());
            }
        }
    }
    None
}

#[test]
fn the_emergency_reaches_channel_and_owners_in_their_language_and_its_install_button_is_for_owners()
{
    use steward_tests::fakes::discord::{CHANNEL_ID, DM_CHANNEL_BASE, Member, OWNER_ID};
    let wheels = tempfile::tempdir().unwrap();
    python::build_wheels(wheels.path(), &[("aiohttp", "3.9.1")]);
    let index = FakePypi::new()
        .package("aiohttp", &["3.8.0", "3.9.1"])
        .wheels(wheels.path())
        .start();
    let (osv, _) = FakeOsv::new()
        .advisory(
            Advisory::new("GHSA-aio-0003", "PyPI", "aiohttp", &["3.8.0"])
                .fixed_in("3.9.1")
                .summary("request smuggling"),
        )
        .start();
    let discord = FakeDiscord::start();
    let second_owner: u64 = 100_000_000_000_000_007;
    let install = pip_install(
        &format!(
            "{}\n[discord]\napi_base = \"{}\"\nnotify_channels = [{CHANNEL_ID}]\nowners = [{second_owner}]\nlocale = \"de\"\n",
            pip_config(&index.host(), &osv.host(), ""),
            discord.api_base()
        ),
        &[("aiohttp", "3.8.0")],
    );
    install.seed_database();
    let mut child = serve(&discord, &install, None);

    let is_notice = |channel: u64| {
        move |r: &Request| {
            r.method == "POST"
                && r.path == format!("/api/v10/channels/{channel}/messages")
                && r.body["embeds"][0]["title"]
                    .as_str()
                    .is_some_and(|t| t.contains("GHSA-aio-0003"))
        }
    };
    let notice = discord.wait_for(
        0,
        Duration::from_secs(120),
        "the emergency in the channel",
        is_notice(CHANNEL_ID),
    );
    let embed = &notice.body["embeds"][0];
    assert_eq!(
        embed["title"], "Sicherheitskorrektur: GHSA-aio-0003 (HIGH)",
        "{embed:#}"
    );
    let text = embed["description"].as_str().unwrap();
    assert!(
        text.contains("pip: aiohttp 3.8.0 → 3.9.1 behebt GHSA-aio-0003 (HIGH).")
            && text.contains("Installieren mit `steward install --type packages`"),
        "{text}"
    );
    let button = &notice.body["components"][0]["components"][0];
    assert_eq!(
        button["custom_id"], "steward-emergency:packages",
        "{button:#}"
    );
    assert_eq!(button["label"], "Installieren", "{button:#}");
    // Every owner hears of it directly: the application's and discord.owners.
    for owner in [OWNER_ID, second_owner] {
        discord.wait_for(0, Duration::from_secs(20), "the DM channel", |r| {
            r.path == "/api/v10/users/@me/channels"
                && r.body["recipient_id"]
                    .as_str()
                    .and_then(|id| id.parse().ok())
                    == Some(owner)
        });
        let dm = DM_CHANNEL_BASE + owner % 1_000_000;
        let direct = discord.wait_for(0, Duration::from_secs(20), "the DM", is_notice(dm));
        assert_eq!(direct.body["components"], notice.body["components"]);
    }

    // An admin who is no owner is refused, privately, and nothing changes.
    let admin = Member::new(300_000_000_000_000_001, "admin")
        .permissions(steward_tests::fakes::discord::ADMINISTRATOR);
    let token = discord.press_button("steward-emergency:packages", &admin);
    let refused = discord.wait_for(0, Duration::from_secs(20), "the refusal", |r| {
        r.path.contains("/interactions/") && r.path.contains(&token)
    });
    assert_eq!(refused.body["type"], 4, "{:#}", refused.body);
    assert_eq!(refused.body["data"]["flags"], 64, "{:#}", refused.body);
    assert_eq!(venv_version(&install, "aiohttp").as_deref(), Some("3.8.0"));

    // The owner's press runs the install of the security fixes.
    let token = discord.press_button("steward-emergency:packages", &Member::owner());
    let result = discord.wait_for(0, Duration::from_secs(180), "the install's result", |r| {
        r.method == "PATCH" && r.path.contains(&token) && !r.body["embeds"].is_null()
    });
    let log = std::fs::read_to_string(install.root().join("serve.log")).unwrap_or_default();
    assert_eq!(
        venv_version(&install, "aiohttp").as_deref(),
        Some("3.9.1"),
        "{:#}\n{log}",
        result.body
    );
    let history = install.run(&["status", "--history", "--json"]).json();
    let last = &history["last_update"];
    assert_eq!(last["status"], "completed", "{history:#}");
    assert_eq!(last["initiated_by"], format!("discord:{OWNER_ID}"));
    child.kill().unwrap();
    child.wait().unwrap();
}

fn wait_for_long(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + timeout;
    while !done() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn auto_updates_is_an_update_setting_and_security_turns_the_old_switch_off() {
    let install = Install::new("[general]\nauto_updates_enabled = true\n");
    let get = install.run(&["settings", "get", "update", "auto_updates"]);
    assert!(
        get.succeeded().starts_with("update.auto_updates = all\n"),
        "{}",
        get.stdout
    );
    let set = install.run(&["settings", "set", "update", "auto_updates", "security"]);
    assert_eq!(
        set.succeeded().trim(),
        "update.auto_updates = security (previous value: all)"
    );
    let enabled = install.run(&["settings", "get", "update", "auto_updates_enabled"]);
    assert!(
        enabled
            .succeeded()
            .starts_with("update.auto_updates_enabled = false\n"),
        "{}",
        enabled.stdout
    );
    let wrong = install.run(&["settings", "set", "update", "auto_updates", "sometimes"]);
    assert_eq!(wrong.code, Some(2), "{}", wrong.stderr);
    assert!(
        wrong.stderr.contains("one of off, security, all"),
        "{}",
        wrong.stderr
    );
}
