//! The provider authors' kit: `steward providers new` writes a crate that
//! builds for wasm32-wasip2 and passes `steward providers test`, which
//! also catches a provider that reaches past its grant.

use std::path::Path;
use std::process::Command;

use steward_tests::guests;
use steward_tests::harness::{Install, steward_bin};

fn steward(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(steward_bin())
        .current_dir(dir)
        .args(args)
        .output()
        .expect("running steward");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The table row of `check`, its cells joined by one space.
fn row(out: &str, check: &str) -> String {
    out.lines()
        .find(|l| l.starts_with(check))
        .unwrap_or_else(|| panic!("no {check} row:\n{out}"))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn a_new_provider_from_the_template_builds_and_passes_the_conformance_check() {
    let dir = tempfile::tempdir().unwrap();
    let sdk = guests::workspace().join("sdk");
    let (code, out, err) = steward(
        dir.path(),
        &[
            "providers",
            "new",
            "kit-demo",
            "--sdk",
            sdk.to_str().unwrap(),
        ],
    );
    assert_eq!(code, Some(0), "{out}\n{err}");
    assert!(
        out.starts_with(
            "Created ./kit-demo: Cargo.toml, rust-toolchain.toml, src/lib.rs, README.md."
        ),
        "{out}"
    );
    // A second time, nothing is overwritten.
    let (code, _, err) = steward(dir.path(), &["providers", "new", "kit-demo"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("already exists"), "{err}");

    let crate_dir = dir.path().join("kit-demo");
    let wasm = guests::build(crate_dir.to_str().unwrap(), "kit-demo");

    // A bot tree with one unpinned requirement, for the check on a fixture.
    let bot = Install::new("");
    std::fs::write(bot.bot().join("requirements.txt"), "aiohttp\nyarl==1.9.4\n").unwrap();
    let (code, out, err) = steward(
        dir.path(),
        &[
            "providers",
            "test",
            wasm.to_str().unwrap(),
            "--bot-root",
            bot.bot().to_str().unwrap(),
        ],
    );
    assert_eq!(code, Some(0), "{out}\n{err}");
    let row = |check: &str| -> String { row(&out, check) };
    assert!(
        row("describe")
            .contains("pass kit-demo 0.1.0 (steward:provider@0.3.0), asks to read {bot}"),
        "{out}"
    );
    assert!(
        row("check (empty tree)").contains("pass 0 updates, 0 warnings"),
        "{out}"
    );
    assert!(
        row("check (bot tree)").contains("pass 0 updates, 1 warning"),
        "{out}"
    );
    assert!(
        row("capture → restore-plan").contains("skip it captures 0 bytes but does not roll back"),
        "{out}"
    );
    assert!(row("only granted capabilities").contains("pass"), "{out}");
    assert!(
        row("within budgets").contains("pass slowest call:"),
        "{out}"
    );
    assert!(out.trim_end().ends_with("Every check passed."), "{out}");
}

#[test]
fn the_conformance_check_fails_a_provider_that_reaches_past_its_grant() {
    let dir = tempfile::tempdir().unwrap();
    // Told so by its settings, the hostile guest sends a request to a
    // host it never asked for.
    let (code, out, err) = steward(
        dir.path(),
        &[
            "providers",
            "test",
            guests::hostile().to_str().unwrap(),
            "--settings",
            "behaviour=http",
        ],
    );
    assert_eq!(code, Some(3), "{out}\n{err}");
    assert_eq!(
        row(&out, "only granted capabilities"),
        "only granted capabilities FAIL hostile: HTTP to 127.0.0.1:9 is not granted",
        "{out}"
    );
    assert!(out.trim_end().ends_with("failed."), "{out}");
}
