//! The release and apt providers through the real `steward` binary: the
//! bundled release provider checks a release manifest served by a local fake
//! (signed tarballs made here) and the tags of a git repository made here;
//! the bundled apt provider reads a dpkg status file and a fake `apt`
//! program written by the test.

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};
use steward_tests::fakes::release::{FakeReleases, Signer, sha256_hex, tarball};
use steward_tests::harness::{Install, Run, provider};

fn check(install: &Install, update_type: &str) -> (Run, Value) {
    let run = install.run(&["check", "--type", update_type, "--details", "--json"]);
    let json = run.json();
    (run, json)
}

fn warnings(result: &Value) -> Vec<String> {
    result["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_string())
        .collect()
}

fn release_config(server: &FakeReleases, verify_key: Option<&str>) -> String {
    let key = verify_key
        .map(|k| format!("verify_key = \"{k}\"\n"))
        .unwrap_or_default();
    format!(
        r#"
[providers.release]
{key}[providers.release.grant]
read = ["{{bot}}"]
http = ["{host}"]
write = ["{{bot}}/releases"]
[providers.release.settings]
manifest_url = "{url}"
"#,
        host = server.server.host(),
        url = server.manifest_url(),
    )
}

/// One manifest entry for a tarball served by `server`, signed by `signer`.
fn entry(server: &FakeReleases, signer: &Signer, version: &str, extra: Value) -> Value {
    let name = format!("bot-{version}.tar.gz");
    let archive = tarball(&[("VERSION", format!("{version}\n").as_bytes())]);
    let mut entry = json!({
        "version": version,
        "url": server.put_file(&name, archive.clone()),
        "sha256": sha256_hex(&archive),
        "size": archive.len(),
        "signature": signer.sign(&archive, &name),
        "changelog": format!("Release {version}."),
    });
    for (k, v) in extra.as_object().unwrap() {
        entry[k] = v.clone();
    }
    entry
}

#[test]
fn release_check_offers_the_newest_version_with_breaking_and_security_from_the_manifest() {
    let server = FakeReleases::start();
    let signer = Signer::new();
    // The demo bot's VERSION says 1.4.0.
    server.set_manifest(
        json!({"releases": [
            entry(&server, &signer, "1.3.0", json!({})),
            entry(&server, &signer, "1.4.0", json!({})),
            entry(&server, &signer, "1.4.1", json!({"security": true})),
            entry(&server, &signer, "2.0.0", json!({"released": "2024-06-01T12:00:00Z"})),
        ]})
        .to_string(),
    );
    let install = Install::new(&release_config(&server, Some(&signer.public_key())));
    let (run, json) = check(&install, "bot");
    let release = provider(&json, "release");
    assert!(release["error"].is_null(), "{release:#}\n{}", run.stderr);
    let updates = release["updates"].as_array().unwrap();
    assert_eq!(updates.len(), 1, "{release:#}");
    let update = &updates[0];
    assert_eq!(update["current"], "1.4.0");
    assert_eq!(update["latest"], "2.0.0");
    assert_eq!(update["breaking"], true, "a major bump is breaking");
    assert_eq!(
        update["security"], true,
        "1.4.1 on the way fixes a security issue"
    );
    assert_eq!(update["released"], "2024-06-01T12:00:00Z");
    let changelog = update["changelog"].as_str().unwrap();
    assert!(
        changelog.contains("Release 2.0.0.") && changelog.contains("Release 1.4.1."),
        "{changelog}"
    );
    assert!(!changelog.contains("Release 1.3.0."), "{changelog}");
}

#[test]
fn release_manifest_with_garbage_versions_names_them_and_still_reports_the_good_ones() {
    let server = FakeReleases::start();
    let signer = Signer::new();
    server.set_manifest(
        json!({"releases": [
            {"version": "latest", "url": server.file_url("x.tar.gz"), "sha256": "0".repeat(64)},
            {"version": "1.5", "url": server.file_url("y.tar.gz"), "sha256": "0".repeat(64)},
            {"version": 7},
            entry(&server, &signer, "1.5.0", json!({})),
        ]})
        .to_string(),
    );
    let install = Install::new(&release_config(&server, None));
    let (run, json) = check(&install, "bot");
    let release = provider(&json, "release");
    assert!(release["error"].is_null(), "{release:#}\n{}", run.stderr);
    assert_eq!(release["updates"][0]["latest"], "1.5.0");
    let warnings = warnings(release);
    let skipped = warnings
        .iter()
        .find(|w| w.contains("not semantic versions"))
        .unwrap_or_else(|| panic!("{warnings:?}"));
    for garbage in ["\"latest\"", "\"1.5\"", "\"7\""] {
        assert!(skipped.contains(garbage), "{garbage} not named: {skipped}");
    }
}

#[test]
fn a_manifest_that_is_not_json_fails_the_release_provider_naming_the_url() {
    let server = FakeReleases::start();
    server.set_manifest("<html>502 Bad Gateway</html>");
    let install = Install::new(&release_config(&server, None));
    let (_, json) = check(&install, "bot");
    let error = provider(&json, "release")["error"].to_string();
    assert!(error.contains("not valid JSON"), "{error}");
    assert!(error.contains(&server.manifest_url()), "{error}");
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.org")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.org")
        .output()
        .expect("running git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Where `git` is on this machine: the grant names an exact path.
fn git_path() -> String {
    let out = Command::new("sh")
        .args(["-c", "command -v git"])
        .output()
        .expect("sh");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn release_check_reads_version_tags_of_a_git_repository_through_granted_ls_remote() {
    let repo = tempfile::tempdir().unwrap();
    git(repo.path(), &["init", "-q"]);
    std::fs::write(repo.path().join("bot.py"), "print(1)\n").unwrap();
    git(repo.path(), &["add", "."]);
    git(repo.path(), &["commit", "-q", "-m", "one"]);
    for tag in ["v1.3.0", "v1.4.0", "v1.6.0", "nightly"] {
        git(repo.path(), &["tag", tag]);
    }
    git(repo.path(), &["tag", "-a", "v1.5.0", "-m", "annotated"]);
    let git = git_path();
    let install = Install::new(&format!(
        r#"
[providers.release.grant]
read = ["{{bot}}"]
programs = [{{ path = "{git}", args = [["ls-remote", "--tags", "*"]] }}]
[providers.release.settings]
source = "git"
git = "{git}"
git_url = "{url}"
"#,
        url = repo.path().display()
    ));
    let (run, json) = check(&install, "bot");
    let release = provider(&json, "release");
    assert!(release["error"].is_null(), "{release:#}\n{}", run.stderr);
    let update = &release["updates"][0];
    assert_eq!(update["current"], "1.4.0");
    assert_eq!(update["latest"], "1.6.0");
    // Tags carry no archive or checksum: reported, not installable.
    assert!(update["held"].is_string(), "{update:#}");
    let details = update["details"].to_string();
    assert!(
        details.contains("1.5.0"),
        "annotated tags count too: {details}"
    );
    assert!(
        warnings(release).iter().any(|w| w.contains("\"nightly\"")),
        "{release:#}"
    );
}

#[test]
fn release_check_without_the_git_grant_is_refused_clearly() {
    let git = git_path();
    let install = Install::new(&format!(
        r#"
[providers.release.grant]
read = ["{{bot}}"]
[providers.release.settings]
source = "git"
git = "{git}"
git_url = "/nonexistent"
"#
    ));
    let (_, json) = check(&install, "bot");
    let error = provider(&json, "release")["error"].to_string();
    assert!(error.contains("not granted"), "{error}");
}

const DPKG_STATUS: &str = "\
Package: openssl
Status: install ok installed
Priority: optional
Architecture: amd64
Version: 3.0.14-1~deb12u2
Description: Secure Sockets Layer toolkit

Package: tzdata
Status: install ok installed
Architecture: all
Version: 2024a-0+deb12u1
Description: time zone and daylight-saving time data

Package: curl
Status: hold ok installed
Architecture: amd64
Version: 7.88.1-10+deb12u5
Description: command line tool for transferring data with URL syntax

Package: vim
Status: install ok installed
Architecture: amd64
Version: 2:9.0.1378-2
Description: Vi IMproved
";

const APT_UPGRADABLE: &str = "\
Listing...
openssl/stable-security 3.0.15-1~deb12u1 amd64 [upgradable from: 3.0.14-1~deb12u2]
tzdata/stable-updates 2024b-0+deb12u1 all [upgradable from: 2024a-0+deb12u1]
curl/stable-security 7.88.1-10+deb12u8 amd64 [upgradable from: 7.88.1-10+deb12u5]
";

#[test]
fn apt_check_reports_upgradable_packages_and_which_come_from_security() {
    use std::os::unix::fs::PermissionsExt;
    let system = tempfile::tempdir().unwrap();
    let dpkg = system.path().join("dpkg");
    std::fs::create_dir(&dpkg).unwrap();
    std::fs::write(dpkg.join("status"), DPKG_STATUS).unwrap();
    std::fs::write(system.path().join("listing"), APT_UPGRADABLE).unwrap();
    // A stand-in for apt that answers only what the provider is granted to ask.
    let apt = system.path().join("apt");
    std::fs::write(
        &apt,
        format!(
            "#!/bin/sh\n[ \"$1 $2\" = \"list --upgradable\" ] || exit 100\n\
             echo 'WARNING: apt does not have a stable CLI interface.' >&2\n\
             cat '{}'\n",
            system.path().join("listing").display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&apt, std::fs::Permissions::from_mode(0o755)).unwrap();
    let install = Install::new(&format!(
        r#"
[providers.apt.grant]
read = ["{dpkg}"]
programs = [{{ path = "{apt}", args = [["list", "--upgradable"]] }}]
[providers.apt.settings]
status_file = "{dpkg}/status"
apt = "{apt}"
"#,
        dpkg = dpkg.display(),
        apt = apt.display(),
    ));
    let (run, json) = check(&install, "dependencies");
    let result = provider(&json, "apt");
    assert!(result["error"].is_null(), "{result:#}\n{}", run.stderr);
    let updates = result["updates"].as_array().unwrap();
    let find = |id: &str| {
        updates
            .iter()
            .find(|u| u["id"] == id)
            .unwrap_or_else(|| panic!("no {id} in {result:#}"))
    };
    let openssl = find("openssl");
    assert_eq!(openssl["current"], "3.0.14-1~deb12u2");
    assert_eq!(openssl["latest"], "3.0.15-1~deb12u1");
    assert_eq!(openssl["security"], true);
    let tzdata = find("tzdata");
    assert_eq!(tzdata["security"], false);
    let curl = find("curl");
    assert_eq!(curl["security"], true);
    assert!(
        curl["held"].as_str().unwrap_or("").contains("hold"),
        "a package on hold is reported, not offered: {curl:#}"
    );
    assert_eq!(updates.len(), 3, "vim is current: {result:#}");
}
