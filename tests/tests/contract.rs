//! The provider contract across its versions, through the real binary:
//! components built against 0.1.0 and 0.2.0 (committed builds, never
//! rebuilt by the tests) run beside the bundled 0.3.0 providers; a file that is not a
//! component fails in one line and makes `check` exit 3; a dropped-in
//! provider without a grant waits for one instead of answering "up to date".

use std::path::PathBuf;

use steward_tests::guests::workspace;
use steward_tests::harness::{Install, provider};

/// The prebuilt 0.1.0 fixture (source beside it).
fn fixture_v0_1_0() -> PathBuf {
    workspace().join("tests/guests/contract-v0.1.0/provider-v0.1.0.wasm")
}

/// The prebuilt 0.2.0 fixture: `examples/providers/hello` as the 0.2.0 SDK
/// built it (see the README beside it).
fn fixture_v0_2_0() -> PathBuf {
    workspace().join("tests/guests/contract-v0.2.0/hello-v0.2.0.wasm")
}

#[test]
fn a_0_1_0_provider_loads_and_checks_beside_0_3_0_providers() {
    let install = Install::new("[providers.legacy.settings]\nlatest = \"1.2.0\"\n");
    install.add_provider(&fixture_v0_1_0(), "legacy");

    let listed = install.run(&["providers", "list", "--json"]).json();
    let versions: Vec<(String, String)> = listed
        .as_array()
        .unwrap_or_else(|| panic!("{listed:#}"))
        .iter()
        .filter_map(|p| {
            Some((
                p["name"].as_str()?.to_string(),
                p["wit_version"].as_str()?.to_string(),
            ))
        })
        .collect();
    assert!(
        versions.contains(&("legacy".into(), "0.1.0".into())),
        "{listed:#}"
    );
    assert!(
        versions.contains(&("config".into(), "0.3.0".into())),
        "{listed:#}"
    );

    let run = install.run(&["check", "--json"]);
    let json = run.json();
    let legacy = provider(&json, "legacy");
    assert!(legacy["error"].is_null(), "{legacy:#}");
    let update = &legacy["updates"][0];
    assert_eq!(update["name"], "legacy-package", "{legacy:#}");
    assert_eq!(update["latest"], "1.2.0", "its settings reached it");
    // 0.1.0's detail lines arrive as notes (plain strings).
    assert_eq!(update["details"][0], "reported through contract 0.1.0");
    // The 0.3.0 config provider beside it gives typed details.
    let config = provider(&json, "config");
    assert!(config["error"].is_null(), "{config:#}");
    let typed = config["updates"][0]["details"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["key"].is_string() && d["change"].is_string());
    assert!(typed, "{config:#}");

    let table = install.run(&["check"]);
    assert!(table.stdout.contains("legacy-package"), "{}", table.stdout);
}

#[test]
fn a_0_2_0_provider_loads_and_checks_beside_0_3_0_providers() {
    let install = Install::new("[providers.hello.grant]\nread = [\"{bot}\"]\n");
    install.add_provider(&fixture_v0_2_0(), "hello");
    std::fs::write(
        install.bot().join("requirements.txt"),
        "requests==2.31.0\nflask\n",
    )
    .unwrap();

    let listed = install.run(&["providers", "list", "--json"]).json();
    let hello = listed
        .as_array()
        .unwrap_or_else(|| panic!("{listed:#}"))
        .iter()
        .find(|p| p["name"] == "hello")
        .unwrap_or_else(|| panic!("{listed:#}"));
    assert_eq!(hello["wit_version"], "0.2.0", "{listed:#}");

    let json = install.run(&["check", "--json"]).json();
    let hello = provider(&json, "hello");
    assert!(hello["error"].is_null(), "{hello:#}");
    let warnings: Vec<&str> = hello["warnings"]
        .as_array()
        .unwrap_or_else(|| panic!("{hello:#}"))
        .iter()
        .filter_map(|w| w.as_str())
        .collect();
    assert_eq!(warnings.len(), 1, "{hello:#}");
    assert!(
        warnings[0].starts_with("flask is not pinned in "),
        "{hello:#}"
    );
}

#[test]
fn a_corrupt_provider_fails_in_one_line_and_check_exits_3() {
    let install = Install::new("");
    std::fs::create_dir_all(install.providers()).unwrap();
    std::fs::write(
        install.providers().join("broken.wasm"),
        b"this is not webassembly at all",
    )
    .unwrap();

    let run = install.run(&["check"]);
    assert_eq!(run.code, Some(3), "{}\n{}", run.stdout, run.stderr);
    let lines: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("broken:"))
        .collect();
    assert_eq!(lines.len(), 1, "{}", run.stdout);
    assert!(
        lines[0].contains("not a WebAssembly file"),
        "{}",
        run.stdout
    );
    // Nothing else it said spans lines either (no dump of bytes).
    assert!(!run.stdout.contains("0x61"), "{}", run.stdout);
    assert!(!run.stderr.contains("0x61"), "{}", run.stderr);

    let json = install.run(&["check", "--json"]);
    assert_eq!(json.code, Some(3));
    let skipped = &json.json()["skipped"][0];
    assert_eq!(skipped["provider"], "broken");
    assert!(
        !skipped["error"].as_str().unwrap().contains('\n'),
        "{skipped:#}"
    );
}

#[test]
fn a_dropped_in_provider_without_a_grant_waits_for_one_and_is_not_up_to_date() {
    let install = Install::new("");
    // The bundled providers are written out on the first run.
    install.run(&["providers", "list"]);
    // A copy of the config provider under another name: no grant for it.
    std::fs::copy(
        install.providers().join("config.wasm"),
        install.providers().join("dropped.wasm"),
    )
    .unwrap();

    let run = install.run(&["check", "--json"]);
    assert_eq!(run.code, Some(0), "waiting is not failing: {}", run.stderr);
    let json = run.json();
    let dropped = provider(&json, "dropped");
    assert!(dropped["error"].is_null(), "{dropped:#}");
    assert_eq!(dropped["updates"].as_array().unwrap().len(), 0);
    assert_eq!(
        dropped["waiting_for_grant"]["read"][0], "{bot}",
        "{dropped:#}"
    );
    assert!(
        json["totals"]["waiting_for_grant"].as_u64().unwrap() >= 1,
        "{json:#}"
    );
    // The same file under its granted name looked, and found the update.
    assert!(
        !provider(&json, "config")["updates"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    let table = install.run(&["check"]).stdout;
    let row = table
        .lines()
        .find(|l| l.starts_with("dropped "))
        .unwrap_or_else(|| panic!("no row for the dropped-in provider:\n{table}"));
    assert!(row.contains("waiting for a grant"), "{table}");
    assert!(
        table.contains(
            "dropped: waiting for a grant: it asks to read {bot}; grant it with `steward providers grant dropped` or under [providers.dropped.grant] in steward.toml"
        ),
        "{table}"
    );
}
