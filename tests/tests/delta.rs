//! Delta release downloads through the real `steward` binary: a release
//! server that publishes a signed per-file manifest beside each archive
//! (providers/release/MANIFEST.md, "Delta downloads"), a bot running 1.4.0
//! made of many files, and an install of 1.5.0 that changes one of them.

use serde_json::{Value, json};
use steward_tests::fakes::release::{sha256_hex, tarball};
use steward_tests::release_bot::{Setup, setup};

/// The 1.4.0 release's files: the demo bot's own plus `count` modules of
/// bytes gzip cannot shrink, so the archive is as large as a real one.
fn release_files(s: &Setup, count: usize) -> Vec<(String, Vec<u8>)> {
    let bot = s.install.bot();
    let mut files: Vec<(String, Vec<u8>)> = ["bot.py", "config.template.toml"]
        .iter()
        .map(|f| (f.to_string(), std::fs::read(bot.join(f)).unwrap()))
        .collect();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for n in 0..count {
        let body: Vec<u8> = (0..8192)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                b'a' + (state % 26) as u8
            })
            .collect();
        files.push((format!("lib/module_{n}.py"), body));
    }
    files
}

/// Lays `files` and VERSION 1.4.0 into the running release.
fn fill_running_release(s: &Setup, files: &[(String, Vec<u8>)]) {
    let dir = s.install.bot().join("releases/1.4.0");
    for (path, body) in files {
        let target = dir.join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, body).unwrap();
    }
}

/// What a publisher puts on the server for `version`: the archive, each
/// file under `files/<version>/`, and the signed per-file manifest. `serve`
/// may change a file's bytes after the manifest was made (a lying hash).
struct Published {
    manifest: Value,
    archive_len: usize,
}

fn publish(
    s: &Setup,
    version: &str,
    files: &[(String, Vec<u8>)],
    serve: impl Fn(&str, &[u8]) -> Vec<u8>,
    tamper: bool,
) -> Published {
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, b)| (p.as_str(), b.as_slice()))
        .collect();
    let archive = tarball(&refs);
    let archive_name = format!("bot-{version}.tar.gz");
    let archive_url = s.server.put_file(&archive_name, archive.clone());
    for (path, body) in files {
        s.server
            .put_file(&format!("{version}/{path}"), serve(path, body));
    }
    let list = json!({
        "format": "steward-release-files/1",
        "version": version,
        "archive": {"url": archive_url, "sha256": sha256_hex(&archive), "size": archive.len()},
        "base_url": format!("{version}/"),
        "files": files.iter().map(|(path, body)| json!({
            "path": path, "size": body.len(), "sha256": sha256_hex(body),
        })).collect::<Vec<_>>(),
    })
    .to_string();
    let list_name = format!("bot-{version}.files.json");
    let signature = s.signer.sign(list.as_bytes(), &list_name);
    let served_list = if tamper {
        // Signed, then changed: the archive's size, as a forger would.
        list.replace(
            &format!("\"size\":{}", archive.len()),
            &format!("\"size\":{}", archive.len() + 1),
        )
    } else {
        list
    };
    let manifest = json!({"releases": [{
        "version": version,
        "url": archive_url,
        "sha256": sha256_hex(&archive),
        "size": archive.len(),
        "signature": s.signer.sign(&archive, &archive_name),
        "files_url": s.server.put_file(&list_name, served_list),
        "files_signature": signature,
    }]});
    s.server.set_manifest(manifest.to_string());
    Published {
        manifest,
        archive_len: archive.len(),
    }
}

/// 1.5.0: the running release's files with VERSION changed.
fn release_150(files: &[(String, Vec<u8>)]) -> Vec<(String, Vec<u8>)> {
    let mut next = files.to_vec();
    next.push(("VERSION".to_string(), b"1.5.0\n".to_vec()));
    next
}

fn assert_installed(s: &Setup, files: &[(String, Vec<u8>)]) {
    assert!(s.current().ends_with("1.5.0"), "{:?}", s.current());
    let dir = s.install.bot().join("releases/1.5.0");
    for (path, body) in files {
        assert!(
            std::fs::read(dir.join(path)).unwrap() == *body,
            "{path} differs from the release"
        );
    }
}

#[test]
fn a_release_changing_one_file_of_many_downloads_only_that_file() {
    let s = setup("");
    let files = release_files(&s, 40);
    fill_running_release(&s, &files);
    let next = release_150(&files);
    let published = publish(&s, "1.5.0", &next, |_, b| b.to_vec(), false);
    let _bot = s.start_bot();

    let run = s.install.run(&["install", "--type", "bot", "--yes"]);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    assert_installed(&s, &next);
    // Only the manifest and the one changed file came from the server.
    let asked: Vec<String> = s
        .server
        .asked()
        .into_iter()
        .filter(|n| n != "bot-1.5.0.files.json")
        .collect();
    assert_eq!(asked, ["1.5.0/VERSION"], "{}", run.stdout);
    assert!(
        run.stdout
            .contains("1 of 43 files fetched, 42 reused from the running release"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("saved"), "{}", run.stdout);

    // The figures are the session's: status shows them, --json gives them.
    let status = s.install.run(&["status", "--json"]);
    let delivery = &status.json()["last_delivery"]["downloads"][0];
    let bytes = delivery["bytes"].as_u64().unwrap();
    assert_eq!(
        delivery["archive_bytes"].as_u64().unwrap(),
        published.archive_len as u64
    );
    assert!(
        bytes * 10 < published.archive_len as u64,
        "{bytes} bytes downloaded for a {} byte archive",
        published.archive_len
    );
    assert_eq!(delivery["delta"]["fetched"], 1);
    assert_eq!(delivery["delta"]["reused"], 42);
    let text = s.install.run(&["status"]);
    assert!(
        text.stdout.contains("Delivery: downloaded") && text.stdout.contains("saved"),
        "{}",
        text.stdout
    );
}

#[test]
fn a_file_whose_hash_lies_falls_back_to_the_full_archive_and_installs_the_release() {
    let s = setup("");
    let files = release_files(&s, 10);
    fill_running_release(&s, &files);
    let next = release_150(&files);
    // The server serves a VERSION other than the one the manifest hashes.
    publish(
        &s,
        "1.5.0",
        &next,
        |path, b| match path {
            "VERSION" => b"6.6.6\n".to_vec(),
            _ => b.to_vec(),
        },
        false,
    );
    let _bot = s.start_bot();

    let (run, json) = s.install_json(&[]);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    assert_eq!(json["session"]["status"], "completed", "{json}");
    assert_installed(&s, &next);
    let download = &json["delivery"]["downloads"][0];
    let reason = download["delta"]["fell_back"].as_str().unwrap();
    assert!(reason.contains("does not match the manifest"), "{reason}");
    assert!(s.server.asked().contains(&"bot-1.5.0.tar.gz".to_string()));
    assert_eq!(
        download["archive_bytes"],
        download["delta"]["archive_bytes"]
    );
    assert!(download["bytes"].as_u64().unwrap() >= download["archive_bytes"].as_u64().unwrap());
    assert_eq!(s.last_ready_version().as_deref(), Some("1.5.0"));
}

#[test]
fn a_file_list_whose_signature_does_not_verify_is_refused_and_nothing_changes() {
    let s = setup("");
    let files = release_files(&s, 5);
    fill_running_release(&s, &files);
    publish(&s, "1.5.0", &release_150(&files), |_, b| b.to_vec(), true);
    let _bot = s.start_bot();

    let (run, json) = s.install_json(&[]);
    assert_eq!(run.code, Some(5), "{}\n{}", run.stdout, run.stderr);
    assert_eq!(json["session"]["status"], "rolled_back", "{json}");
    let error = json["session"]["error"].as_str().unwrap();
    assert!(error.contains("signature"), "{error}");
    assert_eq!(s.current().to_string_lossy(), "1.4.0");
    assert!(!s.install.bot().join("releases/1.5.0").exists());
    // Nothing past the manifest was fetched: not a file, not the archive.
    let asked = s.server.asked();
    assert!(
        asked.iter().all(|n| n == "bot-1.5.0.files.json"),
        "{asked:?}"
    );
}

#[test]
fn a_release_whose_file_list_is_missing_installs_from_the_full_archive() {
    let s = setup("");
    let files = release_files(&s, 5);
    fill_running_release(&s, &files);
    let next = release_150(&files);
    let published = publish(&s, "1.5.0", &next, |_, b| b.to_vec(), false);
    // The manifest names a per-file manifest the server does not have.
    let mut manifest = published.manifest.clone();
    manifest["releases"][0]["files_url"] = json!(s.server.file_url("gone.files.json"));
    s.server.set_manifest(manifest.to_string());
    let _bot = s.start_bot();

    let (run, json) = s.install_json(&[]);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    assert_installed(&s, &next);
    let download = &json["delivery"]["downloads"][0];
    assert!(download["delta"].is_null(), "{json}");
    assert_eq!(
        download["bytes"].as_u64().unwrap(),
        published.archive_len as u64
    );
}
