//! Builds guest providers from source for wasm32-wasip2, once per test
//! process, into a target directory of their own (so this never waits on the
//! outer `cargo test`'s lock).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

/// The repository root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the workspace")
        .to_path_buf()
}

fn target_dir() -> PathBuf {
    workspace().join("target").join("guests-tests")
}

/// Builds the cargo project at `manifest_dir` (relative to the workspace) and
/// returns the `.wasm` of `crate_name`.
pub fn build(manifest_dir: &str, crate_name: &str) -> PathBuf {
    static BUILT: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    let built = BUILT.get_or_init(Default::default);
    let mut built = built
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let manifest = workspace().join(manifest_dir).join("Cargo.toml");
    let key = manifest.display().to_string();
    if !built.contains(&key) {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let output = Command::new(cargo)
            .args([
                "build",
                "--release",
                "--target",
                "wasm32-wasip2",
                "--manifest-path",
            ])
            .arg(&manifest)
            .arg("--target-dir")
            .arg(target_dir())
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .env_remove("CARGO_TARGET_DIR")
            .output()
            .expect("running cargo");
        assert!(
            output.status.success(),
            "building {} failed:\n{}",
            manifest.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        built.push(key);
    }
    target_dir()
        .join("wasm32-wasip2/release")
        .join(format!("{}.wasm", crate_name.replace('-', "_")))
}

/// The misbehaving provider of `tests/guests/hostile`.
pub fn hostile() -> PathBuf {
    build("tests/guests", "hostile")
}

/// A provider built against a contract version no Steward knows.
pub fn future_wit() -> PathBuf {
    build("tests/guests", "future-wit")
}

/// The third-party example provider, built as its author would.
pub fn hello() -> PathBuf {
    let manifest_dir = "examples/providers/hello";
    static LOCK: Mutex<()> = Mutex::new(());
    let _guard = LOCK.lock().unwrap();
    build(manifest_dir, "hello")
}

/// The provider of `tests/guests/noisy`, whose words attack whoever reads them.
pub fn noisy() -> PathBuf {
    build("tests/guests", "noisy")
}

/// The provider of `tests/guests/greedy`, which tries to take more time,
/// memory and requests than its call's budgets allow.
pub fn greedy() -> PathBuf {
    build("tests/guests", "greedy")
}
