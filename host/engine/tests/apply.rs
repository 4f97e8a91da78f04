//! The plan executor through its library API, against a local release
//! server: downloads are checked (sha256, minisign signature) before anything
//! is unpacked, hostile archives are refused, `current` is switched and
//! switched back, files are written atomically, commands run only as
//! granted; and the bundled config provider's real plan is applied.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use steward_core::config::{Config, GrantConfig};
use steward_core::provider::{
    Action, Capabilities, Command, Download, Plan, Program, Remove, Step, SwitchRelease, WriteFile,
};
use steward_engine::apply::{self, ApplyContext, ApplyError, SignatureCheck, StepOutcome};
use steward_runtime::grants::Grant;
use steward_runtime::{ProviderEntry, Runtime};
use steward_tests::fakes::release::{FakeReleases, Signer, hostile_tarball, sha256_hex, tarball};

/// A Steward config and a bot root in a temp dir, and a tokio runtime to
/// drive the executor from plain tests.
struct Setup {
    dir: tempfile::TempDir,
    tokio: tokio::runtime::Runtime,
}

impl Setup {
    fn new() -> Setup {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("bot/releases/1.0.0")).unwrap();
        std::fs::write(dir.path().join("bot/releases/1.0.0/VERSION"), "1.0.0\n").unwrap();
        std::os::unix::fs::symlink("1.0.0", dir.path().join("bot/releases/current")).unwrap();
        Setup {
            dir,
            tokio: tokio::runtime::Runtime::new().unwrap(),
        }
    }

    fn bot(&self) -> PathBuf {
        std::fs::canonicalize(self.dir.path().join("bot")).unwrap()
    }

    fn releases(&self) -> PathBuf {
        self.bot().join("releases")
    }

    /// The context for a provider named `release`, granted `caps`, with
    /// `verify_key` configured when given.
    fn context(&self, caps: Capabilities, verify_key: Option<&str>) -> ApplyContext {
        let key = verify_key
            .map(|key| format!("[providers.release]\nverify_key = \"{key}\"\n"))
            .unwrap_or_default();
        self.context_with(caps, &key)
    }

    /// The same, with `extra` lines in its `steward.toml`.
    fn context_with(&self, caps: Capabilities, extra: &str) -> ApplyContext {
        let file = self.dir.path().join("steward.toml");
        let text = format!("[bot]\nroot = \"bot\"\n{extra}");
        std::fs::write(&file, text).unwrap();
        let config = Config::load(&file, false).unwrap();
        let granted = GrantConfig {
            read: caps.read.clone(),
            http: caps.http.clone(),
            plan_programs: caps.programs.clone(),
            write: vec!["{bot}".to_string()],
            ..GrantConfig::default()
        };
        let grant = Grant::decide(&caps, Some(&granted), &config.bot.root);
        ApplyContext::new(&config, "release", Arc::new(grant)).unwrap()
    }

    fn run(&self, ctx: &ApplyContext, action: Action) -> Result<StepOutcome, ApplyError> {
        let step = Step {
            description: "test step".to_string(),
            action,
        };
        self.tokio.block_on(apply::run_step(ctx, &step))
    }

    /// Entries of the releases directory other than the ones the setup made.
    fn new_release_entries(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.releases())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != "1.0.0" && n != "current")
            .collect();
        names.sort();
        names
    }

    fn downloads_left(&self) -> usize {
        std::fs::read_dir(self.dir.path().join("data/downloads"))
            .map(|d| d.count())
            .unwrap_or(0)
    }
}

fn http_caps(server: &FakeReleases) -> Capabilities {
    Capabilities {
        http: vec![server.server.host()],
        ..Default::default()
    }
}

fn download(url: &str, sha256: &str, signature: Option<String>, unpack_to: &Path) -> Action {
    Action::Download(Download {
        url: url.to_string(),
        sha256: sha256.to_string(),
        size_limit: 10 * 1024 * 1024,
        signature,
        unpack_to: unpack_to.display().to_string(),
    })
}

fn release_tarball(version: &str) -> Vec<u8> {
    tarball(&[
        ("VERSION", format!("{version}\n").as_bytes()),
        ("bot.py", b"print('hello')\n"),
        ("lib/helpers.py", b"X = 1\n"),
    ])
}

#[test]
fn a_signed_release_is_unpacked_and_current_switches_to_it_and_back() {
    let setup = Setup::new();
    let server = FakeReleases::start();
    let signer = Signer::new();
    let archive = release_tarball("1.1.0");
    let url = server.put_file("bot-1.1.0.tar.gz", archive.clone());
    let ctx = setup.context(http_caps(&server), Some(&signer.public_key()));
    let dest = setup.releases().join("1.1.0");

    let outcome = setup
        .run(
            &ctx,
            download(
                &url,
                &sha256_hex(&archive),
                Some(signer.sign(&archive, "bot-1.1.0.tar.gz")),
                &dest,
            ),
        )
        .unwrap();
    match outcome {
        StepOutcome::Downloaded {
            unpacked_to,
            bytes,
            signature,
            files,
            ..
        } => {
            assert_eq!(unpacked_to, dest);
            assert_eq!(bytes, archive.len() as u64);
            assert_eq!(files, 3);
            assert!(
                matches!(&signature, SignatureCheck::Verified { trusted_comment } if trusted_comment.contains("bot-1.1.0.tar.gz")),
                "{signature:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        std::fs::read_to_string(dest.join("lib/helpers.py")).unwrap(),
        "X = 1\n"
    );
    assert_eq!(setup.new_release_entries(), ["1.1.0"], "no staging left");
    assert_eq!(
        setup.downloads_left(),
        0,
        "the temporary download is removed"
    );

    let link = setup.releases().join("current");
    let switched = setup
        .run(
            &ctx,
            Action::SwitchRelease(SwitchRelease {
                link: link.display().to_string(),
                target: dest.display().to_string(),
            }),
        )
        .unwrap();
    assert_eq!(
        switched,
        StepOutcome::Switched {
            link: link.clone(),
            previous: Some("1.0.0".to_string()),
            // Written relative: the sandbox cannot read absolute links.
            target: "1.1.0".to_string(),
        }
    );
    assert_eq!(std::fs::read_link(&link).unwrap(), Path::new("1.1.0"));
    assert_eq!(
        std::fs::read_to_string(link.join("VERSION")).unwrap(),
        "1.1.0\n"
    );

    // Restore: back to the link text as it was, relative.
    setup
        .run(
            &ctx,
            Action::SwitchRelease(SwitchRelease {
                link: link.display().to_string(),
                target: "1.0.0".to_string(),
            }),
        )
        .unwrap();
    assert_eq!(std::fs::read_link(&link).unwrap(), Path::new("1.0.0"));
    assert_eq!(
        std::fs::read_to_string(link.join("VERSION")).unwrap(),
        "1.0.0\n"
    );
}

#[test]
fn a_tampered_tarball_is_refused_before_anything_is_unpacked() {
    let setup = Setup::new();
    let server = FakeReleases::start();
    let published = release_tarball("1.1.0");
    let mut tampered = release_tarball("1.1.0");
    tampered.extend_from_slice(b"extra bytes");
    let url = server.put_file("bot-1.1.0.tar.gz", tampered.clone());
    let ctx = setup.context(http_caps(&server), None);

    let err = setup
        .run(
            &ctx,
            download(
                &url,
                &sha256_hex(&published),
                None,
                &setup.releases().join("1.1.0"),
            ),
        )
        .unwrap_err();
    match &err {
        ApplyError::ChecksumMismatch {
            expected, actual, ..
        } => {
            assert_eq!(expected, &sha256_hex(&published));
            assert_eq!(actual, &sha256_hex(&tampered));
        }
        other => panic!("{other}"),
    }
    assert!(
        err.to_string().contains("does not match its checksum"),
        "{err}"
    );
    assert!(setup.new_release_entries().is_empty());
    assert_eq!(setup.downloads_left(), 0);
}

#[test]
fn a_signature_over_other_bytes_is_refused_before_unpacking() {
    let setup = Setup::new();
    let server = FakeReleases::start();
    let signer = Signer::new();
    let archive = release_tarball("1.1.0");
    let url = server.put_file("bot-1.1.0.tar.gz", archive.clone());
    let ctx = setup.context(http_caps(&server), Some(&signer.public_key()));

    let signature = signer.sign(&release_tarball("6.6.6"), "bot-1.1.0.tar.gz");
    let err = setup
        .run(
            &ctx,
            download(
                &url,
                &sha256_hex(&archive),
                Some(signature),
                &setup.releases().join("1.1.0"),
            ),
        )
        .unwrap_err();
    assert!(matches!(err, ApplyError::SignatureInvalid { .. }), "{err}");
    assert!(setup.new_release_entries().is_empty());
    assert_eq!(setup.downloads_left(), 0);
}

#[test]
fn a_signature_by_another_key_is_refused_without_downloading() {
    let setup = Setup::new();
    let server = FakeReleases::start();
    let archive = release_tarball("1.1.0");
    let url = server.put_file("bot-1.1.0.tar.gz", archive.clone());
    let trusted = Signer::new();
    let ctx = setup.context(http_caps(&server), Some(&trusted.public_key()));

    let forged = Signer::new().sign(&archive, "bot-1.1.0.tar.gz");
    let before = server.server.requests();
    let err = setup
        .run(
            &ctx,
            download(
                &url,
                &sha256_hex(&archive),
                Some(forged),
                &setup.releases().join("1.1.0"),
            ),
        )
        .unwrap_err();
    assert!(err.to_string().contains("different key"), "{err}");
    assert_eq!(server.server.requests(), before, "nothing was downloaded");
    assert!(setup.new_release_entries().is_empty());
}

#[test]
fn a_download_without_signature_is_refused_when_a_key_is_configured() {
    let setup = Setup::new();
    let server = FakeReleases::start();
    let archive = release_tarball("1.1.0");
    let url = server.put_file("bot-1.1.0.tar.gz", archive.clone());
    let ctx = setup.context(http_caps(&server), Some(&Signer::new().public_key()));

    let err = setup
        .run(
            &ctx,
            download(
                &url,
                &sha256_hex(&archive),
                None,
                &setup.releases().join("1.1.0"),
            ),
        )
        .unwrap_err();
    assert!(matches!(err, ApplyError::SignatureMissing { .. }), "{err}");
    assert!(setup.new_release_entries().is_empty());
}

#[test]
fn an_archive_with_a_parent_dir_entry_is_refused_and_nothing_is_written_outside_staging() {
    let setup = Setup::new();
    let server = FakeReleases::start();
    let archive = hostile_tarball("../../escaped.txt", tar::EntryType::Regular, None, b"owned");
    let url = server.put_file("evil.tar.gz", archive.clone());
    let ctx = setup.context(http_caps(&server), None);

    let err = setup
        .run(
            &ctx,
            download(
                &url,
                &sha256_hex(&archive),
                None,
                &setup.releases().join("1.1.0"),
            ),
        )
        .unwrap_err();
    assert!(
        matches!(
            &err,
            ApplyError::Unpack {
                source: steward_backup::extract::ExtractError::UnsafePath { .. },
                ..
            }
        ),
        "{err}"
    );
    assert!(setup.new_release_entries().is_empty(), "staging removed");
    assert!(!setup.bot().join("escaped.txt").exists());
    assert!(!setup.dir.path().join("escaped.txt").exists());
}

#[test]
fn an_archive_with_a_symlink_entry_is_refused() {
    let setup = Setup::new();
    let server = FakeReleases::start();
    let archive = hostile_tarball("passwd", tar::EntryType::Symlink, Some("/etc/passwd"), b"");
    let url = server.put_file("evil.tar.gz", archive.clone());
    let ctx = setup.context(http_caps(&server), None);

    let err = setup
        .run(
            &ctx,
            download(
                &url,
                &sha256_hex(&archive),
                None,
                &setup.releases().join("1.1.0"),
            ),
        )
        .unwrap_err();
    assert!(err.to_string().contains("symbolic link"), "{err}");
    assert!(setup.new_release_entries().is_empty());
}

#[test]
fn a_redirect_to_a_host_not_granted_is_refused() {
    let setup = Setup::new();
    let server = FakeReleases::start();
    let archive = release_tarball("1.1.0");
    let ctx = setup.context(http_caps(&server), None);
    let url = server.redirect_url("http://releases.example.invalid/bot.tar.gz");

    let err = setup
        .run(
            &ctx,
            download(
                &url,
                &sha256_hex(&archive),
                None,
                &setup.releases().join("1.1.0"),
            ),
        )
        .unwrap_err();
    assert!(matches!(err, ApplyError::Denied { .. }), "{err}");
    assert!(
        err.to_string().contains("releases.example.invalid"),
        "{err}"
    );
    assert!(setup.new_release_entries().is_empty());
}

#[test]
fn a_download_past_its_size_limit_is_stopped() {
    let setup = Setup::new();
    let server = FakeReleases::start();
    let archive = release_tarball("1.1.0");
    let url = server.put_file("bot.tar.gz", archive.clone());
    let ctx = setup.context(http_caps(&server), None);
    let Action::Download(mut d) = download(
        &url,
        &sha256_hex(&archive),
        None,
        &setup.releases().join("1.1.0"),
    ) else {
        unreachable!()
    };
    d.size_limit = 16;

    let err = setup.run(&ctx, Action::Download(d)).unwrap_err();
    assert!(
        matches!(err, ApplyError::TooLarge { limit: 16, .. }),
        "{err}"
    );
    assert_eq!(setup.downloads_left(), 0);
}

#[test]
fn a_download_is_held_to_max_update_size_whatever_its_step_says() {
    let setup = Setup::new();
    let server = FakeReleases::start();
    // 2 MiB that do not compress: the step's own limit (10 MiB) would let it in.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let noise: Vec<u8> = (0..2 * 1024 * 1024)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    let archive = tarball(&[("blob", &noise)]);
    let url = server.put_file("big.tar.gz", archive.clone());
    let ctx = setup.context_with(http_caps(&server), "[safety]\nmax_update_size_mb = 1\n");
    let err = setup
        .run(
            &ctx,
            download(
                &url,
                &sha256_hex(&archive),
                None,
                &setup.releases().join("1.1.0"),
            ),
        )
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("larger than safety.max_update_size_mb (1 MiB) allows"),
        "{err}"
    );
    assert!(setup.new_release_entries().is_empty());
    assert_eq!(setup.downloads_left(), 0);
}

#[test]
fn a_decompression_bomb_is_stopped_and_leaves_nothing() {
    let setup = Setup::new();
    let server = FakeReleases::start();
    // 64 MiB of zeros pack into well under 1 MiB.
    let zeros = vec![0u8; 64 * 1024 * 1024];
    let archive = tarball(&[("bomb", &zeros)]);
    assert!(archive.len() < 1024 * 1024, "{}", archive.len());
    let url = server.put_file("bomb.tar.gz", archive.clone());
    let ctx = setup.context(http_caps(&server), None);
    let err = setup
        .run(
            &ctx,
            download(
                &url,
                &sha256_hex(&archive),
                None,
                &setup.releases().join("1.1.0"),
            ),
        )
        .unwrap_err();
    assert!(
        matches!(err, ApplyError::Unpack { .. })
            && err.to_string().contains("unpacks to more than"),
        "{err}"
    );
    assert!(
        setup.new_release_entries().is_empty(),
        "{:?}",
        setup.new_release_entries()
    );
    assert_eq!(setup.downloads_left(), 0);
}

#[test]
fn unpacking_outside_the_bot_root_is_refused() {
    let setup = Setup::new();
    let server = FakeReleases::start();
    let archive = release_tarball("1.1.0");
    let url = server.put_file("bot.tar.gz", archive.clone());
    let ctx = setup.context(http_caps(&server), None);
    let outside = setup.dir.path().join("elsewhere/1.1.0");

    let err = setup
        .run(&ctx, download(&url, &sha256_hex(&archive), None, &outside))
        .unwrap_err();
    assert!(matches!(err, ApplyError::OutsideBotRoot { .. }), "{err}");
    assert!(!setup.dir.path().join("elsewhere").exists());
}

#[test]
fn switching_to_a_missing_release_is_refused_and_current_is_untouched() {
    let setup = Setup::new();
    let ctx = setup.context(Capabilities::default(), None);
    let link = setup.releases().join("current");
    let err = setup
        .run(
            &ctx,
            Action::SwitchRelease(SwitchRelease {
                link: link.display().to_string(),
                target: "9.9.9".to_string(),
            }),
        )
        .unwrap_err();
    assert!(matches!(err, ApplyError::TargetMissing { .. }), "{err}");
    assert_eq!(std::fs::read_link(&link).unwrap(), Path::new("1.0.0"));
}

#[test]
fn write_file_replaces_the_file_whole_and_keeps_its_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let setup = Setup::new();
    let ctx = setup.context(Capabilities::default(), None);
    let path = setup.bot().join("config/config.toml");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, "old = 1\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();

    let outcome = setup
        .run(
            &ctx,
            Action::WriteFile(WriteFile {
                path: path.display().to_string(),
                contents: b"new = 2\n".to_vec(),
                diff: None,
            }),
        )
        .unwrap();
    assert_eq!(
        outcome,
        StepOutcome::Wrote {
            path: path.clone(),
            bytes: 8,
            replaced: true
        }
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "new = 2\n");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left: {leftovers:?}");
}

#[test]
fn write_file_through_a_link_out_of_the_bot_root_is_refused() {
    let setup = Setup::new();
    let ctx = setup.context(Capabilities::default(), None);
    let outside = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(outside.path(), setup.bot().join("shared")).unwrap();

    let err = setup
        .run(
            &ctx,
            Action::WriteFile(WriteFile {
                path: format!("{}/shared/evil.toml", setup.bot().display()),
                contents: b"x".to_vec(),
                diff: None,
            }),
        )
        .unwrap_err();
    assert!(matches!(err, ApplyError::OutsideBotRoot { .. }), "{err}");
    assert!(!outside.path().join("evil.toml").exists());
}

fn program(path: &str, args: &[&[&str]]) -> Program {
    Program {
        path: path.to_string(),
        args: args
            .iter()
            .map(|a| a.iter().map(|s| s.to_string()).collect())
            .collect(),
    }
}

fn command(program: &str, args: &[&str]) -> Action {
    Action::Exec(Command {
        program: program.to_string(),
        args: args.iter().map(|s| s.to_string()).collect(),
        cwd: None,
        timeout_ms: None,
        env: Vec::new(),
    })
}

#[test]
fn a_granted_command_runs_with_a_minimal_noninteractive_environment() {
    let setup = Setup::new();
    let caps = Capabilities {
        programs: vec![program("/usr/bin/env", &[&[]])],
        ..Default::default()
    };
    let ctx = setup.context(caps, None);
    match setup.run(&ctx, command("/usr/bin/env", &[])).unwrap() {
        StepOutcome::Ran { output_tail, .. } => {
            assert!(
                output_tail.contains("DEBIAN_FRONTEND=noninteractive"),
                "{output_tail}"
            );
            // cargo sets this for the test process; the command must not inherit it.
            assert!(!output_tail.contains("CARGO_MANIFEST_DIR"), "{output_tail}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_command_environment_reaches_the_program_but_path_and_the_loader_are_refused() {
    let setup = Setup::new();
    let caps = Capabilities {
        programs: vec![program("/usr/bin/env", &[&[]])],
        ..Default::default()
    };
    let ctx = setup.context(caps, None);
    let with_env = |env: &[(&str, &str)]| {
        let Action::Exec(mut c) = command("/usr/bin/env", &[]) else {
            unreachable!()
        };
        c.env = env
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        Action::Exec(c)
    };
    match setup.run(&ctx, with_env(&[("PIP_NO_INPUT", "1")])).unwrap() {
        StepOutcome::Ran { output_tail, .. } => {
            assert!(output_tail.contains("PIP_NO_INPUT=1"), "{output_tail}");
        }
        other => panic!("{other:?}"),
    }
    for name in ["PATH", "LD_PRELOAD", "ld_library_path", "PYTHONPATH", "A=B"] {
        let err = setup
            .run(&ctx, with_env(&[("SAFE", "1"), (name, "/tmp/evil")]))
            .unwrap_err();
        assert!(
            matches!(err, ApplyError::EnvRefused { .. }),
            "{name}: {err}"
        );
        assert!(
            err.to_string().starts_with(&format!(
                "the release provider may not set {name} for /usr/bin/env"
            )),
            "{err}"
        );
    }
}

#[test]
fn remove_takes_away_a_tree_or_a_link_inside_the_write_grant_and_nothing_outside_it() {
    let setup = Setup::new();
    let file = setup.dir.path().join("steward.toml");
    std::fs::write(&file, "[bot]\nroot = \"bot\"\n").unwrap();
    let config = Config::load(&file, false).unwrap();
    let granted = GrantConfig {
        write: vec!["{bot}/releases".to_string()],
        ..GrantConfig::default()
    };
    let grant = Grant::decide(&Capabilities::default(), Some(&granted), &config.bot.root);
    let ctx = ApplyContext::new(&config, "release", Arc::new(grant)).unwrap();
    let remove = |path: &Path| {
        Action::Remove(Remove {
            path: path.display().to_string(),
        })
    };

    // Outside the write grant, though inside the bot root: refused, kept.
    let kept = setup.bot().join("bot.py");
    std::fs::write(&kept, "print()\n").unwrap();
    let err = setup.run(&ctx, remove(&kept)).unwrap_err();
    assert!(matches!(err, ApplyError::Denied { .. }), "{err}");
    assert!(err.to_string().contains("release provider"), "{err}");
    assert!(kept.exists());
    // Outside the bot root: refused.
    let outside = tempfile::tempdir().unwrap();
    let err = setup.run(&ctx, remove(outside.path())).unwrap_err();
    assert!(matches!(err, ApplyError::OutsideBotRoot { .. }), "{err}");
    assert!(outside.path().exists());

    // A link inside the grant is removed itself, never what it points at.
    std::fs::write(outside.path().join("precious"), "x").unwrap();
    let link = setup.releases().join("elsewhere");
    std::os::unix::fs::symlink(outside.path(), &link).unwrap();
    setup.run(&ctx, remove(&link)).unwrap();
    assert!(link.symlink_metadata().is_err());
    assert!(outside.path().join("precious").exists());

    // A release directory goes with everything in it; again is no error.
    let release = setup.releases().join("1.0.0");
    match setup.run(&ctx, remove(&release)).unwrap() {
        StepOutcome::Removed { path, existed } => {
            assert_eq!(path, release);
            assert!(existed);
        }
        other => panic!("{other:?}"),
    }
    assert!(!release.exists());
    match setup.run(&ctx, remove(&release)).unwrap() {
        StepOutcome::Removed { existed, .. } => assert!(!existed),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_failing_command_reports_its_exit_status_and_stderr() {
    let setup = Setup::new();
    let caps = Capabilities {
        programs: vec![program("/bin/sh", &[&["-c", "*"]])],
        ..Default::default()
    };
    let ctx = setup.context(caps, None);
    let err = setup
        .run(
            &ctx,
            command(
                "/bin/sh",
                &["-c", "echo working; echo 'E: no space left' >&2; exit 3"],
            ),
        )
        .unwrap_err();
    match &err {
        ApplyError::CommandFailed {
            status,
            output_tail,
            ..
        } => {
            assert_eq!(*status, 3);
            assert_eq!(output_tail, "E: no space left");
        }
        other => panic!("{other}"),
    }
}

#[test]
fn a_command_outside_the_grant_is_refused_and_not_run() {
    let setup = Setup::new();
    let caps = Capabilities {
        programs: vec![program("/bin/sh", &[&["-c", "true"]])],
        ..Default::default()
    };
    let ctx = setup.context(caps, None);
    let marker = setup.bot().join("ran");
    let err = setup
        .run(
            &ctx,
            command("/bin/sh", &["-c", &format!("touch {}", marker.display())]),
        )
        .unwrap_err();
    assert!(matches!(err, ApplyError::Denied { .. }), "{err}");
    assert!(err.to_string().contains("release provider"), "{err}");
    assert!(!marker.exists());
}

#[test]
fn a_command_that_outlives_its_time_limit_is_stopped() {
    let setup = Setup::new();
    let caps = Capabilities {
        programs: vec![program("/bin/sleep", &[&["*"]])],
        ..Default::default()
    };
    let ctx = setup.context(caps, None);
    let Action::Exec(mut sleep) = command("/bin/sleep", &["30"]) else {
        unreachable!()
    };
    sleep.timeout_ms = Some(200);
    let started = std::time::Instant::now();
    let err = setup.run(&ctx, Action::Exec(sleep)).unwrap_err();
    assert!(matches!(err, ApplyError::CommandTimeout { .. }), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

#[test]
fn the_dry_run_shows_every_command_download_and_diff_and_changes_nothing() {
    let setup = Setup::new();
    let server = FakeReleases::start();
    let signer = Signer::new();
    let caps = Capabilities {
        http: vec![server.server.host()],
        programs: vec![program("/bin/rm", &[&["-rf", "--", "*"]])],
        ..Default::default()
    };
    let ctx = setup.context(caps, Some(&signer.public_key()));
    let dest = setup.releases().join("1.1.0");
    let config = setup.bot().join("config.toml");
    let plan = Plan {
        steps: vec![
            Step {
                description: "download bot 1.1.0".to_string(),
                action: download(
                    &server.file_url("bot-1.1.0.tar.gz"),
                    &"ab".repeat(32),
                    Some(signer.sign(b"x", "bot-1.1.0.tar.gz")),
                    &dest,
                ),
            },
            Step {
                description: "switch current".to_string(),
                action: Action::SwitchRelease(SwitchRelease {
                    link: setup.releases().join("current").display().to_string(),
                    target: dest.display().to_string(),
                }),
            },
            Step {
                description: "merge config".to_string(),
                action: Action::WriteFile(WriteFile {
                    path: config.display().to_string(),
                    contents: b"a = 2\n".to_vec(),
                    diff: Some("-a = 1\n+a = 2\n".to_string()),
                }),
            },
            Step {
                description: "remove old release 0.9.0".to_string(),
                action: command(
                    "/bin/rm",
                    &[
                        "-rf",
                        "--",
                        &setup.releases().join("0.9.0").display().to_string(),
                    ],
                ),
            },
            Step {
                description: "something not granted".to_string(),
                action: command("/usr/bin/curl", &["http://x"]),
            },
        ],
        restart: true,
    };
    let text = apply::dry_run(&ctx, &plan);
    for expected in [
        "release: 5 steps",
        "download: http://",
        &format!("sha256: {}", "ab".repeat(32)),
        "signature: checked with the configured key",
        &format!("unpack into: {}", dest.display()),
        "now -> 1.0.0",
        "create:",
        "| -a = 1",
        "| +a = 2",
        "run: /bin/rm -rf --",
        "WOULD BE REFUSED: the release provider is not allowed to do this: running /usr/bin/curl is not granted",
        "then restart the bot",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    // The switch's target does not exist yet in a dry run: said, not hidden.
    assert!(text.contains("WOULD BE REFUSED: the release"), "{text}");
    assert_eq!(server.server.requests(), 0, "a dry run downloads nothing");
    assert!(!dest.exists() && !config.exists());
    assert_eq!(
        std::fs::read_link(setup.releases().join("current")).unwrap(),
        Path::new("1.0.0")
    );
}

/// The bundled config provider's own plan for the demo bot (its config made
/// from template 1.2.0, the template now 1.3.0), applied by the executor.
#[test]
fn the_config_providers_merge_keeps_every_operator_value_and_reports_the_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let bot = dir.path().join("bot");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/demo-bot");
    std::fs::create_dir_all(bot.join("config")).unwrap();
    for file in [
        "config.template.toml",
        "config/config.toml",
        "config/.steward-base.toml",
    ] {
        std::fs::copy(demo.join(file), bot.join(file)).unwrap();
    }
    let file = dir.path().join("steward.toml");
    std::fs::write(
        &file,
        "[bot]\nroot = \"bot\"\n[providers.config.grant]\nread = [\"{bot}\"]\nwrite = [\"{bot}/config\"]\n",
    )
    .unwrap();
    let config = Config::load(&file, false).unwrap();
    steward_runtime::bundled::install(&config.paths.providers).unwrap();
    let tokio = tokio::runtime::Runtime::new().unwrap();
    let _entered = tokio.enter();
    let runtime = Runtime::new(&config).unwrap();
    let provider = runtime
        .refresh()
        .into_iter()
        .find_map(|e| match e {
            ProviderEntry::Loaded(p) if p.name == "config" => Some(p),
            _ => None,
        })
        .expect("the bundled config provider loads");

    let report = runtime.check(&provider, false).unwrap();
    let update = report
        .updates
        .iter()
        .find(|u| u.kind == steward_core::provider::UpdateKind::Config)
        .expect("the template moved from 1.2.0 to 1.3.0");
    assert_eq!(update.latest, "1.3.0");
    // Typed since contract 0.2.0: the conflict names its key, no text matching.
    let conflict = update
        .details
        .iter()
        .find_map(|d| match d {
            steward_core::provider::Detail::Key(k)
                if k.change == steward_core::provider::KeyChangeKind::Conflict
                    && k.key.ends_with("heartbeat_seconds") =>
            {
                Some(k.text.clone())
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no conflict reported: {:#?}", update.details));
    assert!(conflict.contains("20"), "{conflict}");

    let plan = runtime
        .plan(&provider, std::slice::from_ref(update))
        .unwrap();
    let ctx = ApplyContext::new(&config, &provider.name, provider.grant.clone()).unwrap();
    let shown = apply::dry_run(&ctx, &plan);
    assert!(
        shown.contains("+health_port = 0"),
        "the diff is shown first:\n{shown}"
    );
    for step in &plan.steps {
        tokio.block_on(apply::run_step(&ctx, step)).unwrap();
    }

    let merged: toml::Table = std::fs::read_to_string(bot.join("config/config.toml"))
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(merged["template_version"].as_str(), Some("1.3.0"));
    let b = merged["bot"].as_table().unwrap();
    assert_eq!(b["prefix"].as_str(), Some("?"));
    assert_eq!(b["status_message"].as_str(), Some("Type ?help or /ping"));
    assert_eq!(
        b["owner_ids"].as_array().unwrap()[0].as_str(),
        Some("284719530184163329")
    );
    assert_eq!(
        b["heartbeat_seconds"].as_integer(),
        Some(20),
        "conflict keeps mine"
    );
    assert_eq!(
        b["health_port"].as_integer(),
        Some(0),
        "new key gets its default"
    );
    assert_eq!(merged["features"]["reminders"].as_bool(), Some(false));
    assert_eq!(merged["features"]["slash_commands"].as_bool(), Some(true));
    assert_eq!(merged["logging"]["format"].as_str(), Some("text"));
    let base = std::fs::read_to_string(bot.join("config/.steward-base.toml")).unwrap();
    assert!(base.contains("template_version = \"1.3.0\""), "{base}");
}
