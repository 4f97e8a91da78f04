//! The freshness window, `[runtime] registry_max_age_secs`: a check repeated
//! within it takes the registry's answers from Steward's HTTP cache without
//! asking the registry, and says how old they are; security look-ups (OSV)
//! are asked every time. The fake index sends no `Cache-Control` and no
//! validator, as a proxy that strips them does: by HTTP's rules alone every
//! check would ask again.

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use steward_tests::fakes::osv::{Advisory, FakeOsv};
use steward_tests::fakes::pypi::{FakePypi, Served};
use steward_tests::harness::{Install, Run, provider};
use steward_tests::{guests, python};

const DISTS: [(&str, &str); 3] = [("aiohttp", "3.8.0"), ("attrs", "23.1.0"), ("yarl", "1.9.4")];

fn index() -> FakePypi {
    FakePypi::new()
        .package("aiohttp", &["3.8.0", "3.9.1"])
        .package("attrs", &["23.1.0", "24.2.0"])
        .package("yarl", &["1.9.4"])
}

/// A pip install over a venv holding `DISTS`, under `runtime` (lines of the
/// `[runtime]` table).
fn install(index: &str, osv: &str, runtime: &str) -> Install {
    let install = Install::new(&format!(
        r#"
[runtime]
{runtime}

[providers.pip]
enabled = true
[providers.pip.grant]
read = ["{{bot}}"]
http = ["{index}", "{osv}"]
[providers.pip.settings]
index_url = "http://{index}/simple"
osv_url = "http://{osv}"
timeout_ms = 1500
"#
    ));
    std::fs::write(install.bot().join("requirements.txt"), "").unwrap();
    make_venv(&install.bot());
    install.add_provider(
        &guests::build("providers/pip", "steward-provider-pip"),
        "pip",
    );
    install
}

fn make_venv(bot: &Path) {
    let venv = bot.join(".venv");
    let made = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .output()
        .expect("python3 -m venv");
    assert!(made.status.success(), "{made:?}");
    let wheels = tempfile::tempdir().unwrap();
    python::build_wheels(wheels.path(), &DISTS);
    let mut pip = Command::new(venv.join("bin/python"));
    pip.args([
        "-m",
        "pip",
        "install",
        "--no-index",
        "--disable-pip-version-check",
    ])
    .arg("--find-links")
    .arg(wheels.path());
    for (name, version) in DISTS {
        pip.arg(format!("{name}=={version}"));
    }
    let installed = pip.output().expect("pip install");
    assert!(installed.status.success(), "{installed:?}");
}

/// Project pages the index served (the venv's own pip and setuptools are
/// 404s there, and not counted).
fn pages_served(served: &Served) -> usize {
    served
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, status)| *status == 200)
        .count()
}

fn check_table(install: &Install) -> Run {
    let run = install.run(&["check", "--type", "packages"]);
    run.succeeded();
    run
}

fn check_json(install: &Install) -> Value {
    let run = install.run(&["check", "--type", "packages", "--json"]);
    run.succeeded();
    run.json()
}

fn osv_with_an_advisory() -> FakeOsv {
    FakeOsv::new()
        .advisory(Advisory::new("GHSA-test-0001", "PyPI", "aiohttp", &["3.8.0"]).fixed_in("3.9.1"))
}

#[test]
fn a_check_within_the_window_asks_no_registry_says_how_old_its_answers_are_and_still_asks_osv() {
    let index = index();
    let served = index.served();
    let index = index.start();
    let (osv, queries) = osv_with_an_advisory().start();
    let install = install(&index.host(), &osv.host(), "");

    let first = check_table(&install);
    assert_eq!(pages_served(&served), DISTS.len(), "{}", first.stderr);
    assert!(
        !first.stdout.contains("answers from"),
        "the first check asked the registry, yet says:\n{}",
        first.stdout
    );
    assert_eq!(queries.lock().unwrap().len(), 1);

    let second = check_table(&install);
    assert_eq!(
        pages_served(&served),
        DISTS.len(),
        "the second check asked the registry again:\n{}",
        second.stderr
    );
    let note = second
        .stdout
        .lines()
        .find(|l| l.starts_with("answers from "))
        .unwrap_or_else(|| panic!("no note on reused answers:\n{}", second.stdout));
    assert!(
        note.ends_with("seconds ago (registry_max_age_secs)")
            || note.ends_with("second ago (registry_max_age_secs)"),
        "{note}"
    );
    // The same updates, from the kept answers; OSV asked again.
    assert_eq!(first.stdout.lines().next(), second.stdout.lines().next());
    assert!(second.stdout.contains("aiohttp"), "{}", second.stdout);
    assert!(
        second.stdout.contains("GHSA-test-0001"),
        "{}",
        second.stdout
    );
    assert_eq!(
        queries.lock().unwrap().len(),
        2,
        "security look-ups must be asked every time"
    );

    let json = check_json(&install);
    let pip = provider(&json, "pip");
    assert!(
        pip["reused_answers_age_secs"].as_u64().is_some(),
        "the outcome does not say how old its answers are: {pip:#}"
    );
    assert_eq!(pages_served(&served), DISTS.len());
    assert_eq!(queries.lock().unwrap().len(), 3);
}

#[test]
fn with_registry_max_age_secs_zero_every_check_asks_the_registry() {
    let index = index();
    let served = index.served();
    let index = index.start();
    let (osv, queries) = osv_with_an_advisory().start();
    let install = install(&index.host(), &osv.host(), "registry_max_age_secs = 0");

    check_table(&install);
    let second = check_table(&install);
    assert_eq!(pages_served(&served), 2 * DISTS.len(), "{}", second.stderr);
    assert!(
        !second.stdout.contains("answers from"),
        "nothing was reused, yet:\n{}",
        second.stdout
    );
    let json = check_json(&install);
    assert!(
        provider(&json, "pip")
            .get("reused_answers_age_secs")
            .is_none()
    );
    assert_eq!(pages_served(&served), 3 * DISTS.len());
    assert_eq!(queries.lock().unwrap().len(), 3);
}

/// A check answered wholly from the window makes no connection and no TLS
/// client at all (loading the system's trust roots is most of what such a
/// check would otherwise spend before asking anyone).
#[test]
fn a_check_answered_within_the_window_sets_up_no_http_client() {
    let index = index();
    let served = index.served();
    let index = index.start();
    let (osv, queries) = osv_with_an_advisory().start();
    let install = install(&index.host(), &osv.host(), "");
    let check = || {
        let run = install.run(&["check", "--type", "packages", "--no-security"]);
        run.succeeded();
        run
    };

    let first = check();
    assert!(
        first.stderr.contains("HTTP client made"),
        "the first check asked the registry without a client?\n{}",
        first.stderr
    );
    let second = check();
    assert_eq!(pages_served(&served), DISTS.len(), "{}", second.stderr);
    assert!(second.stdout.contains("answers from "), "{}", second.stdout);
    assert!(
        !second.stderr.contains("HTTP client made"),
        "a check answered from the window still set up an HTTP client:\n{}",
        second.stderr
    );
    assert_eq!(queries.lock().unwrap().len(), 0);
}
