//! The pip and npm providers end to end: the real `steward` binary checks a
//! real virtualenv (tiny wheels built here, installed by the venv's own pip
//! with no network) and a node project laid out the way npm lays it out,
//! against local fakes of PyPI, the npm registry and OSV. The online test
//! (real registries) is ignored unless asked for with `-- --ignored`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use steward_tests::fakes::npm::FakeNpm;
use steward_tests::fakes::osv::{Advisory, FakeOsv};
use steward_tests::fakes::pypi::{FakePypi, Release};
use steward_tests::fakes::{Certificate, Mode, Running};
use steward_tests::guests;
use steward_tests::harness::{Install, Run, provider};

fn pip_wasm() -> PathBuf {
    guests::build("providers/pip", "steward-provider-pip")
}

fn npm_wasm() -> PathBuf {
    guests::build("providers/npm", "steward-provider-npm")
}

/// Builds a `py3-none-any` wheel for each (name, version) into `dir`, the
/// way a build backend would: a module, METADATA (with a home page and a
/// changelog link), WHEEL and RECORD.
fn build_wheels(dir: &Path, dists: &[(&str, &str)]) {
    let script = r#"
import sys, zipfile, hashlib, base64, os, re
out = sys.argv[1]
for spec in sys.argv[2:]:
    name, version = spec.split("==")
    dist = name.replace("-", "_").replace(".", "_")
    key = re.sub(r"[-_.]+", "-", name).lower()
    metadata = (f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: fixture\n"
                f"Home-page: https://example.org/{key}\n"
                f"Project-URL: Changelog, https://example.org/{key}/changelog\n")
    files = {
        f"{dist}_fixture/__init__.py": f"__version__ = '{version}'\n",
        f"{dist}-{version}.dist-info/METADATA": metadata,
        f"{dist}-{version}.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: steward-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = f"{dist}-{version}.dist-info/RECORD"
    lines = []
    path = os.path.join(out, f"{dist}-{version}-py3-none-any.whl")
    with zipfile.ZipFile(path, "w") as z:
        for arc, text in files.items():
            data = text.encode()
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            lines.append(f"{arc},sha256={digest},{len(data)}")
            z.writestr(arc, data)
        lines.append(f"{record},,")
        z.writestr(record, "\n".join(lines) + "\n")
"#;
    let mut cmd = Command::new("python3");
    cmd.arg("-c").arg(script).arg(dir);
    for (name, version) in dists {
        cmd.arg(format!("{name}=={version}"));
    }
    let out = cmd.output().expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A real venv at `<bot>/.venv` with `dists` installed by its own pip from
/// locally built wheels (no index, no network).
fn make_venv(bot: &Path, dists: &[(&str, &str)]) {
    let venv = bot.join(".venv");
    let out = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .output()
        .expect("python3 -m venv");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let wheels = tempfile::tempdir().unwrap();
    build_wheels(wheels.path(), dists);
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
    let out = pip.output().expect("pip install");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A node project laid out as `npm install` leaves it: package.json, a v3
/// lockfile and `node_modules/<name>/package.json`.
fn make_node_project(bot: &Path, deps: &[(&str, &str, &str)]) {
    let mut declared = serde_json::Map::new();
    let mut packages = serde_json::Map::new();
    packages.insert(
        "".into(),
        serde_json::json!({"name": "bot", "version": "1.0.0"}),
    );
    for (name, range, installed) in deps {
        declared.insert(name.to_string(), (*range).into());
        packages.insert(
            format!("node_modules/{name}"),
            serde_json::json!({"version": installed, "license": "MIT"}),
        );
        let dir = bot.join("node_modules").join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("package.json"),
            serde_json::json!({"name": name, "version": installed}).to_string(),
        )
        .unwrap();
    }
    let manifest = serde_json::json!({"name": "bot", "version": "1.0.0", "dependencies": declared});
    std::fs::write(
        bot.join("package.json"),
        serde_json::to_string_pretty(&manifest).unwrap(),
    )
    .unwrap();
    let lock = serde_json::json!({"name": "bot", "version": "1.0.0", "lockfileVersion": 3,
                                  "requires": true, "packages": packages});
    std::fs::write(
        bot.join("package-lock.json"),
        serde_json::to_string_pretty(&lock).unwrap(),
    )
    .unwrap();
}

fn pip_config(index: &str, osv: &str, extra_settings: &str) -> String {
    format!(
        r#"
[providers.pip]
enabled = true
[providers.pip.grant]
read = ["{{bot}}"]
http = ["{index}", "{osv}"]
plan_programs = [{{ path = "{{bot}}/.venv/bin/python", args = [["-m", "pip", "install", "--no-input", "--disable-pip-version-check", "*==*", "..."]] }}]
[providers.pip.settings]
index_url = "http://{index}/simple"
osv_url = "http://{osv}"
timeout_ms = 1500
{extra_settings}
"#
    )
}

fn npm_config(registry: &str, osv: &str, extra_settings: &str) -> String {
    format!(
        r#"
[providers.npm]
enabled = true
[providers.npm.grant]
read = ["{{bot}}"]
http = ["{registry}", "{osv}"]
plan_programs = [{{ path = "/usr/bin/npm", args = [["install", "--no-audit", "--no-fund", "*@*", "..."], ["ci", "--no-audit", "--no-fund"]] }}]
[providers.npm.settings]
registry_url = "http://{registry}"
osv_url = "http://{osv}"
timeout_ms = 1500
{extra_settings}
"#
    )
}

fn check(install: &Install, extra: &[&str]) -> (Run, Value) {
    let mut args = vec!["check", "--type", "packages", "--details"];
    args.extend(extra);
    args.push("--json");
    let run = install.run(&args);
    let json = run.json();
    (run, json)
}

fn update<'a>(result: &'a Value, id: &str) -> Option<&'a Value> {
    result["updates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == id)
}

fn warnings(result: &Value) -> Vec<String> {
    result["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_string())
        .collect()
}

/// A pip-only install over a venv with `dists`, with `requirements` written.
fn pip_install(
    index: &str,
    osv: &str,
    settings: &str,
    dists: &[(&str, &str)],
    requirements: &str,
) -> Install {
    let install = Install::new(&pip_config(index, osv, settings));
    std::fs::write(install.bot().join("requirements.txt"), requirements).unwrap();
    make_venv(&install.bot(), dists);
    install.add_provider(&pip_wasm(), "pip");
    install
}

fn bot_index() -> FakePypi {
    FakePypi::new()
        .package("discord.py", &["2.3.0", "2.4.0"])
        .project(
            "aiohttp",
            vec![
                Release::new("3.8.0"),
                Release::new("3.9.1")
                    .size(1_234_567)
                    .uploaded("2024-02-01T10:00:00.000000Z"),
            ],
        )
        .package("yarl", &["1.9.4"])
        .package("attrs", &["23.1.0", "24.0.0b1"])
        .project(
            "multidict",
            vec![Release::new("6.0.4"), Release::new("6.0.5").yanked()],
        )
        .package("frozenlist", &["1.4.0", "2.0.0"])
}

const BOT_DISTS: [(&str, &str); 6] = [
    ("discord.py", "2.3.0"),
    ("aiohttp", "3.8.0"),
    ("yarl", "1.9.4"),
    ("attrs", "23.1.0"),
    ("multidict", "6.0.4"),
    ("frozenlist", "1.4.0"),
];

#[test]
fn pip_check_reports_outdated_held_and_breaking_but_not_prereleases_or_yanked() {
    let index = bot_index().start();
    let (osv, _) = FakeOsv::new().start();
    let install = pip_install(
        &index.host(),
        &osv.host(),
        "",
        &BOT_DISTS,
        "discord.py==2.3.0  # voice breaks on 2.4\naiohttp>=3.8\n",
    );
    let (run, json) = check(&install, &[]);
    let pip = provider(&json, "pip");
    assert!(pip["error"].is_null(), "{pip:#}\n{}", run.stderr);

    let aiohttp = update(pip, "aiohttp").expect("aiohttp is outdated");
    assert_eq!(aiohttp["current"], "3.8.0");
    assert_eq!(aiohttp["latest"], "3.9.1");
    assert_eq!(aiohttp["size"], 1_234_567);
    assert_eq!(aiohttp["released"], "2024-02-01T10:00:00.000000Z");
    assert_eq!(
        aiohttp["changelog"],
        "https://example.org/aiohttp/changelog"
    );
    assert_eq!(aiohttp["breaking"], false);
    assert!(aiohttp["held"].is_null());

    let discord = update(pip, "discord-py").expect("discord.py is reported");
    assert_eq!(discord["latest"], "2.4.0");
    assert_eq!(discord["held"], "discord.py==2.3.0");

    let frozenlist = update(pip, "frozenlist").expect("frozenlist is outdated");
    assert_eq!(frozenlist["breaking"], true);

    for up_to_date in ["yarl", "attrs", "multidict"] {
        assert!(
            update(pip, up_to_date).is_none(),
            "{up_to_date} offered: {pip:#}"
        );
    }
    // The venv's own pip and setuptools are not on this index: reported, not fatal.
    assert!(
        warnings(pip)
            .iter()
            .any(|w| w.contains("pip is not on the index")),
        "{pip:#}"
    );
}

#[test]
fn check_json_says_when_it_checked_and_what_it_found_in_totals() {
    let index = bot_index().package("jinja2", &["3.1.2", "3.1.4"]).start();
    let (osv, _) = FakeOsv::new()
        .advisory(Advisory::new("GHSA-fix-in-314", "PyPI", "Jinja2", &["3.1.2"]).fixed_in("3.1.4"))
        .start();
    let mut dists = BOT_DISTS.to_vec();
    dists.push(("Jinja2", "3.1.2"));
    let install = pip_install(
        &index.host(),
        &osv.host(),
        "",
        &dists,
        "discord.py==2.3.0\naiohttp>=3.8\n",
    );
    let (run, json) = check(&install, &[]);
    assert!(provider(&json, "pip")["error"].is_null(), "{}", run.stderr);
    // aiohttp, frozenlist (breaking) and jinja2 (security) can be installed;
    // discord.py is held by its pin.
    let totals = &json["totals"];
    for (name, count) in [
        ("available", 3),
        ("security", 1),
        ("breaking", 1),
        ("held", 1),
        ("failed_providers", 0),
    ] {
        assert_eq!(totals[name], count, "{name}: {json:#}");
    }
    let at = json["checked_at"].as_str().expect("checked_at");
    let b = at.as_bytes();
    assert!(
        b.len() >= 20 && b[4] == b'-' && b[10] == b'T' && b[13] == b':' && at.ends_with('Z'),
        "not RFC 3339: {at}"
    );
    assert!(!at.starts_with("1970"), "{at}");
    // The text's summary line counts the same.
    let text = install.run(&["check", "--type", "packages"]);
    assert!(
        text.stdout
            .contains("3 updates available (1 security, 1 breaking); 1 held back by pins"),
        "{}",
        text.stdout
    );
}

#[test]
fn pip_settings_let_prereleases_and_yanked_releases_through() {
    let index = bot_index().start();
    let (osv, _) = FakeOsv::new().start();
    let install = pip_install(
        &index.host(),
        &osv.host(),
        "include_prereleases = true\ninclude_yanked = true",
        &BOT_DISTS,
        "",
    );
    let (run, json) = check(&install, &[]);
    let pip = provider(&json, "pip");
    assert!(pip["error"].is_null(), "{pip:#}\n{}", run.stderr);
    assert_eq!(
        update(pip, "attrs").expect("pre-release offered")["latest"],
        "24.0.0b1"
    );
    assert_eq!(
        update(pip, "multidict").expect("yanked offered")["latest"],
        "6.0.5"
    );
}

#[test]
fn pip_reads_an_index_that_only_serves_html_pages() {
    let index = bot_index().html_only().start();
    let (osv, _) = FakeOsv::new().start();
    let install = pip_install(&index.host(), &osv.host(), "", &BOT_DISTS, "");
    let (run, json) = check(&install, &["--no-security"]);
    let pip = provider(&json, "pip");
    assert!(pip["error"].is_null(), "{pip:#}\n{}", run.stderr);
    assert_eq!(update(pip, "aiohttp").unwrap()["latest"], "3.9.1");
    assert_eq!(update(pip, "frozenlist").unwrap()["latest"], "2.0.0");
    // The yanked 6.0.5 and the pre-release 24.0.0b1 are left out here too.
    assert!(update(pip, "multidict").is_none(), "{pip:#}");
    assert!(update(pip, "attrs").is_none(), "{pip:#}");
    // HTML pages carry no sizes or dates; the changelog comes from METADATA.
    let aiohttp = update(pip, "aiohttp").unwrap();
    assert!(aiohttp["size"].is_null(), "{aiohttp:#}");
    assert_eq!(
        aiohttp["changelog"],
        "https://example.org/aiohttp/changelog"
    );
}

#[test]
fn pip_package_unknown_to_the_index_is_a_warning_not_a_failure() {
    let index = FakePypi::new().package("yarl", &["1.9.4", "1.9.5"]).start();
    let (osv, _) = FakeOsv::new().start();
    let install = pip_install(
        &index.host(),
        &osv.host(),
        "",
        &[("yarl", "1.9.4"), ("private-lib", "0.1.0")],
        "",
    );
    let (run, json) = check(&install, &[]);
    let pip = provider(&json, "pip");
    assert!(pip["error"].is_null(), "{pip:#}\n{}", run.stderr);
    assert_eq!(
        update(pip, "yarl").expect("yarl checked")["latest"],
        "1.9.5"
    );
    assert!(
        warnings(pip)
            .iter()
            .any(|w| w.contains("private-lib is not on the index")),
        "{pip:#}"
    );
}

#[test]
fn pip_update_that_fixes_an_advisory_is_security_and_one_that_does_not_says_so() {
    let index = FakePypi::new()
        .package("jinja2", &["3.1.2", "3.1.4"])
        .package("pillow", &["10.0.0", "10.1.0"])
        .start();
    let (osv, _) = FakeOsv::new()
        .advisory(
            Advisory::new("GHSA-fix-in-314", "PyPI", "Jinja2", &["3.1.2", "3.1.3"])
                .fixed_in("3.1.4")
                .summary("HTML attribute injection"),
        )
        .advisory(
            Advisory::new("GHSA-not-fixed", "PyPI", "pillow", &["10.0.0", "10.1.0"])
                .fixed_in("10.2.0"),
        )
        .start();
    let install = pip_install(
        &index.host(),
        &osv.host(),
        "",
        &[("Jinja2", "3.1.2"), ("pillow", "10.0.0")],
        "",
    );
    let (run, json) = check(&install, &[]);
    let pip = provider(&json, "pip");
    assert!(pip["error"].is_null(), "{pip:#}\n{}", run.stderr);

    let jinja = update(pip, "jinja2").expect("jinja2 outdated");
    assert_eq!(jinja["security"], true, "{jinja:#}");
    assert_eq!(jinja["advisories"][0]["id"], "GHSA-fix-in-314");
    assert_eq!(
        jinja["advisories"][0]["summary"],
        "HTML attribute injection"
    );
    assert_eq!(jinja["advisories"][0]["severity"], "HIGH");
    assert_eq!(
        jinja["advisories"][0]["url"],
        "https://github.com/advisories/GHSA-fix-in-314"
    );

    let pillow = update(pip, "pillow").expect("pillow outdated");
    assert_eq!(pillow["security"], false, "{pillow:#}");
    assert_eq!(pillow["advisories"][0]["id"], "GHSA-not-fixed");
    assert!(
        pillow["details"].as_array().unwrap().iter().any(|d| d
            .as_str()
            .unwrap()
            .contains("GHSA-not-fixed is NOT fixed by 10.1.0")),
        "{pillow:#}"
    );
}

#[test]
fn no_security_sends_no_request_to_osv() {
    let index = FakePypi::new()
        .package("jinja2", &["3.1.2", "3.1.4"])
        .start();
    let (osv, queries) = FakeOsv::new()
        .advisory(Advisory::new("GHSA-x", "PyPI", "jinja2", &["3.1.2"]).fixed_in("3.1.4"))
        .start();
    let install = pip_install(&index.host(), &osv.host(), "", &[("jinja2", "3.1.2")], "");
    let (run, json) = check(&install, &["--no-security"]);
    let pip = provider(&json, "pip");
    assert!(pip["error"].is_null(), "{pip:#}\n{}", run.stderr);
    let jinja = update(pip, "jinja2").expect("jinja2 outdated");
    assert_eq!(jinja["security"], false);
    assert!(jinja["advisories"].as_array().unwrap().is_empty());
    assert_eq!(osv.requests(), 0);
    assert!(queries.lock().unwrap().is_empty());
}

/// A pip-only install over `BOT_DISTS` that asks the TLS `index`, whose
/// certificate is the only one its steward trusts; a request may take 10 s
/// (on a loaded machine a held answer's copy is only sent after three times
/// the batch's median answer).
fn https_pip_install(index: &Running, certificate: &Certificate, osv: &Running) -> Install {
    let install = pip_install(&index.host(), &osv.host(), "", &BOT_DISTS, "");
    let http_url = format!("http://{}/simple", index.host());
    let config = std::fs::read_to_string(install.config_path()).unwrap();
    assert!(config.contains(&http_url));
    let https_url = format!("{}/simple", index.base_url());
    let config = config
        .replace(&http_url, &https_url)
        .replace("timeout_ms = 1500", "timeout_ms = 10000");
    std::fs::write(install.config_path(), config).unwrap();
    std::fs::write(install.root().join("fake-index.pem"), &certificate.pem).unwrap();
    install
}

/// `check --no-security` by the install of [`https_pip_install`], and its
/// pip result, which must have no error.
fn https_check(install: &Install) -> (Run, Value) {
    let run: Run = install
        .command(&["check", "--type", "packages", "--no-security", "--json"])
        .env("SSL_CERT_FILE", install.root().join("fake-index.pem"))
        .env("STEWARD_LOG", "steward_runtime=debug")
        .output()
        .expect("running steward")
        .into();
    let pip = provider(&run.json(), "pip").clone();
    assert!(pip["error"].is_null(), "{pip:#}\n{}", run.stderr);
    (run, pip)
}

/// The origins kept as speaking HTTP/2.
fn http2_origins(install: &Install) -> String {
    std::fs::read_to_string(install.data().join("cache/http2-origins")).unwrap_or_default()
}

#[test]
fn an_https_index_speaking_http2_serves_the_whole_batch_over_one_connection() {
    let (index, certificate) = bot_index().start_tls();
    let (osv, _) = FakeOsv::new().start();
    let install = https_pip_install(&index, &certificate, &osv);

    let (run, pip) = https_check(&install);
    assert_eq!(update(&pip, "aiohttp").unwrap()["latest"], "3.9.1");
    assert_eq!(update(&pip, "frozenlist").unwrap()["latest"], "2.0.0");
    // Every installed distribution was asked for (pip and setuptools too).
    assert!(index.requests() >= BOT_DISTS.len(), "{}", run.stderr);
    // One TLS handshake for all of them: the first request opens the
    // connection and the others ride it as HTTP/2 streams.
    assert_eq!(index.connections(), 1, "{}", run.stderr);
}

#[test]
fn an_index_known_to_speak_http2_gets_the_whole_batch_at_once() {
    let fake = bot_index();
    let served = fake.served();
    let (index, certificate) = fake.start_tls();
    let (osv, _) = FakeOsv::new().start();
    let install = https_pip_install(&index, &certificate, &osv);

    // Not known yet: one request goes first, alone, and the index is
    // remembered as speaking HTTP/2.
    let (run, _) = https_check(&install);
    assert!(
        http2_origins(&install).lines().any(|o| o == index.host()),
        "{:?}\n{}",
        http2_origins(&install),
        run.stderr
    );
    let first = served.lock().unwrap()[0].0.clone();

    // Next time (nothing cached), the index holds its answer to that first
    // request for a minute. Had the others waited for it, none would be
    // sent until the request timed out, and it would not be asked twice:
    // the batch has no answers yet to find it slow by.
    std::fs::remove_dir_all(install.data().join("cache/http")).unwrap();
    let stalled: &'static str = format!("/simple/{first}/").leak();
    index.set_mode(Mode::StallFirst {
        path: stalled,
        stall: Duration::from_secs(60),
    });
    let (run, pip) = https_check(&install);
    assert_eq!(update(&pip, "frozenlist").unwrap()["latest"], "2.0.0");
    let answered = served.lock().unwrap().clone();
    assert_eq!(
        answered.iter().filter(|(p, _)| *p == first).count(),
        2,
        "{first} was not asked again beside the batch: {answered:?}\n{}",
        run.stderr
    );
    // Still one connection per check, the copy riding it too.
    assert_eq!(index.connections(), 2, "{}", run.stderr);
}

#[test]
fn an_index_that_no_longer_speaks_http2_is_asked_again_and_forgotten() {
    let (index, certificate) = bot_index().start_tls_http1();
    let (osv, _) = FakeOsv::new().start();
    let install = https_pip_install(&index, &certificate, &osv);
    // Remembered from when it spoke HTTP/2.
    std::fs::create_dir_all(install.data().join("cache")).unwrap();
    std::fs::write(
        install.data().join("cache/http2-origins"),
        format!("{}\n", index.host()),
    )
    .unwrap();

    let (run, pip) = https_check(&install);
    assert_eq!(update(&pip, "aiohttp").unwrap()["latest"], "3.9.1");
    assert_eq!(update(&pip, "frozenlist").unwrap()["latest"], "2.0.0");
    assert!(
        !http2_origins(&install).contains(&index.host()),
        "{:?}\n{}",
        http2_origins(&install),
        run.stderr
    );
}

/// [`https_pip_install`] with at most `limit` requests in flight on
/// connections of their own, its index remembered as speaking HTTP/2.
fn https_pip_install_limited(
    index: &Running,
    certificate: &Certificate,
    osv: &Running,
    limit: usize,
) -> Install {
    let install = https_pip_install(index, certificate, osv);
    let mut config = std::fs::read_to_string(install.config_path()).unwrap();
    config.push_str(&format!("\n[runtime]\nhttp_concurrency = {limit}\n"));
    std::fs::write(install.config_path(), config).unwrap();
    std::fs::create_dir_all(install.data().join("cache")).unwrap();
    std::fs::write(
        install.data().join("cache/http2-origins"),
        format!("{}\n", index.host()),
    )
    .unwrap();
    install
}

#[test]
fn streams_on_one_http2_connection_are_not_held_to_http_concurrency() {
    // Each answer takes 300 ms. With two at a time, the eight distributions
    // would go in four rounds; as streams of the one connection, in one.
    let (index, certificate) = bot_index().start_tls();
    index.set_mode(Mode::Delay(Duration::from_millis(300)));
    let (osv, _) = FakeOsv::new().start();
    let install = https_pip_install_limited(&index, &certificate, &osv, 2);

    let (run, pip) = https_check(&install);
    assert_eq!(update(&pip, "frozenlist").unwrap()["latest"], "2.0.0");
    assert_eq!(index.connections(), 1, "{}", run.stderr);
    assert!(
        index.most_in_flight() > 2,
        "only {} requests were in flight at once over HTTP/2\n{}",
        index.most_in_flight(),
        run.stderr
    );
}

#[test]
fn requests_that_fall_back_to_connections_of_their_own_keep_to_http_concurrency() {
    // Remembered as speaking HTTP/2, the index now offers only HTTP/1.1:
    // every request fails as a stream and is sent again on a connection
    // of its own, two at a time.
    let (index, certificate) = bot_index().start_tls_http1();
    index.set_mode(Mode::Delay(Duration::from_millis(300)));
    let (osv, _) = FakeOsv::new().start();
    let install = https_pip_install_limited(&index, &certificate, &osv, 2);

    let (run, pip) = https_check(&install);
    assert_eq!(update(&pip, "frozenlist").unwrap()["latest"], "2.0.0");
    assert!(
        (1..=2).contains(&index.most_in_flight()),
        "{} requests were in flight at once; http_concurrency is 2\n{}",
        index.most_in_flight(),
        run.stderr
    );
    assert!(index.connections() > 1, "{}", run.stderr);
}

#[test]
fn one_answer_the_index_holds_back_is_asked_again_and_the_check_reports_it() {
    // The index holds its first answer for frozenlist far beyond the
    // provider's request timeout (a registry's unlucky request), and
    // answers everything else, a second frozenlist request too, at once.
    // The timeout is 10 s here, not 1.5: on a loaded machine the copy is
    // only sent after three times the batch's median answer.
    let fake = bot_index();
    let served = fake.served();
    let index = fake.start();
    index.set_mode(Mode::StallFirst {
        path: "/simple/frozenlist/",
        stall: Duration::from_secs(60),
    });
    let (osv, _) = FakeOsv::new().start();
    let install = Install::new(
        &pip_config(&index.host(), &osv.host(), "")
            .replace("timeout_ms = 1500", "timeout_ms = 10000"),
    );
    std::fs::write(install.bot().join("requirements.txt"), "").unwrap();
    make_venv(&install.bot(), &BOT_DISTS);
    install.add_provider(&pip_wasm(), "pip");

    let (run, json) = check(&install, &["--no-security"]);
    let pip = provider(&json, "pip");
    assert!(pip["error"].is_null(), "{pip:#}\n{}", run.stderr);
    assert_eq!(
        update(pip, "frozenlist").expect("frozenlist outdated")["latest"],
        "2.0.0"
    );
    assert_eq!(update(pip, "aiohttp").unwrap()["latest"], "3.9.1");
    // Every page was answered once (the held one is still held), and
    // frozenlist was asked once more than answered.
    let answered = served.lock().unwrap().clone();
    assert_eq!(
        answered.iter().filter(|(p, _)| p == "frozenlist").count(),
        1,
        "{answered:?}"
    );
    assert_eq!(index.requests(), answered.len() + 1, "{answered:?}");
}

/// pip and npm side by side; one registry misbehaves.
fn both(index: &Running, registry: &Running, osv: &str) -> Install {
    let config = format!(
        "{}\n{}",
        pip_config(&index.host(), osv, ""),
        npm_config(&registry.host(), osv, "")
    );
    let install = Install::new(&config);
    std::fs::write(install.bot().join("requirements.txt"), "").unwrap();
    make_venv(&install.bot(), &[("yarl", "1.9.4")]);
    make_node_project(&install.bot(), &[("ws", "^8.0.0", "8.0.0")]);
    install.add_provider(&pip_wasm(), "pip");
    install.add_provider(&npm_wasm(), "npm");
    install
}

#[test]
fn a_registry_that_times_out_fails_its_provider_clearly_and_the_other_still_reports() {
    let index = FakePypi::new().package("yarl", &["1.9.4", "1.9.5"]).start();
    let registry = FakeNpm::new().package("ws", &["8.0.0", "8.17.1"]).start();
    let (osv, _) = FakeOsv::new().start();
    let install = both(&index, &registry, &osv.host());
    index.set_mode(Mode::Delay(Duration::from_secs(5)));

    let (run, json) = check(&install, &[]);
    let pip = provider(&json, "pip");
    assert_eq!(pip["error"]["code"], "timeout", "{pip:#}\n{}", run.stderr);
    assert!(
        pip["error"]["message"]
            .as_str()
            .unwrap()
            .contains("the index at"),
        "{pip:#}"
    );
    let npm = provider(&json, "npm");
    assert!(npm["error"].is_null(), "{npm:#}");
    assert_eq!(update(npm, "ws").expect("ws outdated")["latest"], "8.17.1");
}

#[test]
fn a_registry_that_answers_garbage_fails_its_provider_clearly_and_the_other_still_reports() {
    let index = FakePypi::new().package("yarl", &["1.9.4", "1.9.5"]).start();
    let registry = FakeNpm::new().package("ws", &["8.0.0", "8.17.1"]).start();
    let (osv, _) = FakeOsv::new().start();
    let install = both(&index, &registry, &osv.host());
    registry.set_mode(Mode::Garbage);

    let (run, json) = check(&install, &[]);
    let npm = provider(&json, "npm");
    assert_eq!(
        npm["error"]["code"], "invalid-data",
        "{npm:#}\n{}",
        run.stderr
    );
    assert!(
        npm["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not an npm packument"),
        "{npm:#}"
    );
    let pip = provider(&json, "pip");
    assert!(pip["error"].is_null(), "{pip:#}");
    assert_eq!(
        update(pip, "yarl").expect("yarl outdated")["latest"],
        "1.9.5"
    );
    assert_eq!(json["totals"]["failed_providers"], 1, "{json:#}");
    assert_eq!(json["totals"]["available"], 1, "{json:#}");
}

#[test]
fn an_index_answering_500_is_a_network_error() {
    let index = FakePypi::new().package("yarl", &["1.9.4", "1.9.5"]).start();
    let (osv, _) = FakeOsv::new().start();
    let install = pip_install(&index.host(), &osv.host(), "", &[("yarl", "1.9.4")], "");
    index.set_mode(Mode::Status(500));
    let (run, json) = check(&install, &[]);
    let pip = provider(&json, "pip");
    assert_eq!(pip["error"]["code"], "network", "{pip:#}\n{}", run.stderr);
    assert!(
        pip["error"]["message"]
            .as_str()
            .unwrap()
            .contains("HTTP 500"),
        "{pip:#}"
    );
}

#[test]
fn npm_check_follows_ranges_pins_and_dist_tags() {
    let npm = FakeNpm::new()
        .package("ws", &["8.0.0", "8.16.0", "8.17.1"])
        .package("discord.js", &["13.0.0", "13.17.1", "14.15.3"])
        .package("chalk", &["4.1.2", "5.3.0"])
        .package("dotenv", &["16.0.3"])
        .package("@discordjs/rest", &["2.0.0", "2.3.0", "3.0.0-next.1"]);
    let compressed = npm.compressed_answers();
    let registry = npm.start();
    let (osv, _) = FakeOsv::new()
        .advisory(
            Advisory::new("GHSA-ws-dos", "npm", "ws", &["8.0.0", "8.16.0"]).fixed_in("8.17.1"),
        )
        .start();
    let install = Install::new(&npm_config(&registry.host(), &osv.host(), ""));
    make_node_project(
        &install.bot(),
        &[
            ("ws", "^8.0.0", "8.0.0"),
            ("discord.js", "^13.0.0", "13.17.1"),
            ("chalk", "4.1.2", "4.1.2"),
            ("dotenv", "^16.0.0", "16.0.3"),
            ("@discordjs/rest", "^2.0.0", "2.0.0"),
            ("left-pad-private", "^1.0.0", "1.0.0"),
        ],
    );
    install.add_provider(&npm_wasm(), "npm");
    let (run, json) = check(&install, &[]);
    let npm = provider(&json, "npm");
    assert!(npm["error"].is_null(), "{npm:#}\n{}", run.stderr);

    let ws = update(npm, "ws").expect("ws outdated");
    assert_eq!(ws["latest"], "8.17.1");
    assert_eq!(ws["security"], true);
    assert_eq!(ws["advisories"][0]["id"], "GHSA-ws-dos");
    assert_eq!(ws["changelog"], "https://github.com/fixtures/ws/releases");

    let discord = update(npm, "discord.js").expect("discord.js beyond its range");
    assert_eq!(discord["latest"], "14.15.3");
    assert_eq!(discord["breaking"], true);
    assert!(discord["held"].is_null());
    assert!(
        discord["details"][0]
            .as_str()
            .unwrap()
            .contains("outside the declared range ^13.0.0"),
        "{discord:#}"
    );

    let chalk = update(npm, "chalk").expect("pinned chalk reported");
    assert_eq!(chalk["held"], "chalk@4.1.2 is pinned in package.json");

    assert!(update(npm, "dotenv").is_none(), "{npm:#}");
    let rest = update(npm, "@discordjs/rest").expect("rest outdated");
    assert_eq!(rest["latest"], "2.3.0", "pre-releases stay out by default");
    assert!(
        warnings(npm)
            .iter()
            .any(|w| w.contains("left-pad-private is not on the registry")),
        "{npm:#}"
    );
    // Steward asks for compressed documents, as npm and Bun do: each of
    // the five packuments came gzip-compressed and was read as JSON.
    assert_eq!(compressed.load(std::sync::atomic::Ordering::SeqCst), 5);
}

/// Against the real PyPI, npm registry and OSV (needs the network). Run
/// with `cargo test -p steward-tests --test packages -- --ignored`; being
/// ignored, it is reported as ignored, never as passed.
#[test]
#[ignore = "needs the internet: the real PyPI, npm registry and OSV"]
fn online_check_against_the_real_registries() {
    let config = r#"
[providers.pip]
enabled = true
[providers.pip.grant]
read = ["{bot}"]
http = ["pypi.org", "api.osv.dev"]
[providers.npm]
enabled = true
[providers.npm.grant]
read = ["{bot}"]
http = ["registry.npmjs.org", "api.osv.dev"]
"#;
    let install = Install::new(config);
    let bot = install.bot();
    std::fs::write(bot.join("requirements.txt"), "").unwrap();
    let venv = bot.join(".venv");
    assert!(
        Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .unwrap()
            .success()
    );
    assert!(
        Command::new(venv.join("bin/python"))
            .args([
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "requests==2.25.0"
            ])
            .status()
            .unwrap()
            .success()
    );
    std::fs::write(
        bot.join("package.json"),
        r#"{"name":"bot","version":"1.0.0","dependencies":{"minimist":"1.2.0"}}"#,
    )
    .unwrap();
    std::fs::remove_file(bot.join("package-lock.json")).ok();
    assert!(
        Command::new("npm")
            .args(["install", "--no-audit", "--no-fund"])
            .current_dir(&bot)
            .status()
            .unwrap()
            .success()
    );
    install.add_provider(&pip_wasm(), "pip");
    install.add_provider(&npm_wasm(), "npm");
    let (run, json) = check(&install, &[]);
    let pip = provider(&json, "pip");
    assert!(pip["error"].is_null(), "{pip:#}\n{}", run.stderr);
    let requests = update(pip, "requests").expect("requests 2.25.0 is outdated");
    // CVE-2023-32681 (proxy credentials leak) affects 2.25.0 and is fixed in 2.31.0.
    assert_eq!(requests["security"], true, "{requests:#}");
    let npm = provider(&json, "npm");
    assert!(npm["error"].is_null(), "{npm:#}");
    let minimist = update(npm, "minimist").expect("minimist 1.2.0 is outdated");
    assert_eq!(minimist["held"], "minimist@1.2.0 is pinned in package.json");
    assert!(
        !minimist["advisories"].as_array().unwrap().is_empty(),
        "{minimist:#}"
    );
}

/// How many answers of each status the fake PyPI gave for known projects
/// since `from` (the venv's own pip and setuptools are 404s, never cached).
fn served_since(served: &steward_tests::fakes::pypi::Served, from: usize) -> (usize, usize) {
    let log = served.lock().unwrap();
    let ok = log[from..].iter().filter(|(_, s)| *s == 200).count();
    let not_modified = log[from..].iter().filter(|(_, s)| *s == 304).count();
    (ok, not_modified)
}

fn served_len(served: &steward_tests::fakes::pypi::Served) -> usize {
    served.lock().unwrap().len()
}

#[test]
fn pip_check_second_run_is_answered_from_the_http_cache_while_fresh() {
    let index = bot_index().cache_control("max-age=600, public");
    let served = index.served();
    let index = index.start();
    let (osv, _) = FakeOsv::new().start();
    let install = pip_install(&index.host(), &osv.host(), "", &BOT_DISTS, "");

    let (_, first) = check(&install, &["--no-security"]);
    assert_eq!(served_since(&served, 0), (BOT_DISTS.len(), 0));
    let after_first = served_len(&served);

    let (run, second) = check(&install, &["--no-security"]);
    assert_eq!(
        served_since(&served, after_first),
        (0, 0),
        "the second run asked the index again:\n{}",
        run.stderr
    );
    // Same report, from the stored answers.
    assert_eq!(
        provider(&first, "pip")["updates"],
        provider(&second, "pip")["updates"]
    );
    assert!(
        update(provider(&second, "pip"), "aiohttp").is_some_and(|u| u["latest"] == "3.9.1"),
        "{second:#}"
    );

    // Turned off, every run asks the index.
    let config = std::fs::read_to_string(install.config_path()).unwrap();
    std::fs::write(
        install.config_path(),
        format!("[runtime]\nhttp_cache = false\n\n{config}"),
    )
    .unwrap();
    let before = served_len(&served);
    check(&install, &["--no-security"]);
    assert_eq!(served_since(&served, before), (BOT_DISTS.len(), 0));
}

#[test]
fn pip_check_revalidates_a_stale_answer_and_reuses_it_on_304() {
    let index = bot_index().cache_control("max-age=0").etag();
    let served = index.served();
    let index = index.start();
    let (osv, _) = FakeOsv::new().start();
    let install = pip_install(&index.host(), &osv.host(), "", &BOT_DISTS, "");
    // HTTP's rules alone: the registry window would reuse the answers unasked.
    let config = std::fs::read_to_string(install.config_path()).unwrap();
    std::fs::write(
        install.config_path(),
        format!("[runtime]\nregistry_max_age_secs = 0\n\n{config}"),
    )
    .unwrap();

    let (_, first) = check(&install, &["--no-security"]);
    assert_eq!(served_since(&served, 0), (BOT_DISTS.len(), 0));
    let after_first = served_len(&served);

    let (run, second) = check(&install, &["--no-security"]);
    assert_eq!(
        served_since(&served, after_first),
        (0, BOT_DISTS.len()),
        "stale answers were not revalidated with If-None-Match:\n{}",
        run.stderr
    );
    assert_eq!(
        provider(&first, "pip")["updates"],
        provider(&second, "pip")["updates"]
    );
    assert!(
        update(provider(&second, "pip"), "frozenlist").is_some_and(|u| u["latest"] == "2.0.0"),
        "{second:#}"
    );
}

#[test]
fn a_cached_answer_is_refused_once_its_host_is_no_longer_granted() {
    let index = bot_index().cache_control("max-age=600");
    let served = index.served();
    let index = index.start();
    let (osv, _) = FakeOsv::new().start();
    let install = pip_install(&index.host(), &osv.host(), "", &BOT_DISTS, "");
    check(&install, &["--no-security"]);
    assert!(served_len(&served) > 0);

    // The same index, no longer granted: the stored answers must not leak.
    let config = pip_config(&index.host(), &osv.host(), "")
        .replace(&format!("http = [\"{}\", ", index.host()), "http = [");
    install.write_config(&config);
    let (run, json) = check(&install, &["--no-security"]);
    let pip = provider(&json, "pip");
    assert!(
        pip["updates"].as_array().unwrap().is_empty(),
        "served from the cache without a grant: {pip:#}\n{}",
        run.stderr
    );
    assert_eq!(pip["error"]["code"], "denied", "{pip:#}");
}
