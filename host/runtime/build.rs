//! Builds the bundled providers (`providers/*`) for wasm32-wasip2 and embeds
//! them, so `cargo build` alone yields a steward that installs them on first
//! run. The nested cargo uses its own target directory, so it never waits on
//! the outer build's lock.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Bundled providers: directory under `providers/` and the crate it holds.
const BUNDLED: &[&str] = &["config", "pip", "npm", "release", "apt"];

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    // host/runtime -> the workspace root.
    let workspace = manifest_dir
        .parent()
        .and_then(Path::parent)
        .unwrap()
        .to_path_buf();
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    // OUT_DIR is <target>/<profile>/build/<pkg>-<hash>/out.
    let target_dir = out_dir
        .ancestors()
        .nth(4)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| workspace.join("target"));
    let guests = target_dir.join("guests");

    for watched in ["providers", "sdk", "wit", "Cargo.lock"] {
        println!(
            "cargo:rerun-if-changed={}",
            workspace.join(watched).display()
        );
    }

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(&workspace)
        .args(["build", "--release", "--target", "wasm32-wasip2"])
        .arg("--target-dir")
        .arg(&guests);
    for name in BUNDLED {
        cmd.args(["-p", &format!("steward-provider-{name}")]);
    }
    // The outer build's flags and wrappers (clippy's, for one) are for the
    // host, not for the guests.
    // Guests need no debug info: it only makes the .wasm files larger to
    // hash, read and embed.
    cmd.env("CARGO_PROFILE_RELEASE_DEBUG", "false");
    for var in [
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "RUSTC_WORKSPACE_WRAPPER",
        "RUSTC_WRAPPER",
        "CLIPPY_ARGS",
        "CARGO_PRIMARY_PACKAGE",
    ] {
        cmd.env_remove(var);
    }
    let status = cmd
        .status()
        .expect("running cargo to build the bundled providers");
    if !status.success() {
        panic!(
            "building the bundled providers for wasm32-wasip2 failed (is the target installed? \
             rust-toolchain.toml asks rustup for it)"
        );
    }

    let mut entries = String::new();
    let mut hashes = String::new();
    for name in BUNDLED {
        let crate_file = format!("steward_provider_{name}.wasm");
        let built = guests.join("wasm32-wasip2/release").join(&crate_file);
        let embedded = out_dir.join(format!("{name}.wasm"));
        std::fs::copy(&built, &embedded)
            .unwrap_or_else(|e| panic!("copying {}: {e}", built.display()));
        let bytes = std::fs::read(&embedded)
            .unwrap_or_else(|e| panic!("reading {}: {e}", embedded.display()));
        let sha256: String = sha2::Digest::finalize(sha2::Digest::chain_update(
            <sha2::Sha256 as sha2::Digest>::new(),
            &bytes,
        ))
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
        hashes.push_str(&format!("    {sha256:?},\n"));
        entries.push_str(&format!(
            "    ({:?}, include_bytes!({:?})),\n",
            format!("{name}.wasm"),
            embedded.display().to_string()
        ));
    }
    std::fs::write(
        out_dir.join("bundled.rs"),
        format!(
            "/// The bundled providers, built from `providers/` for wasm32-wasip2.\n\
             pub static BUNDLED: &[(&str, &[u8])] = &[\n{entries}];\n\
             /// Their sha256, in the same order: known without hashing them at run time.\n\
             pub static BUNDLED_SHA256: &[&str] = &[\n{hashes}];\n"
        ),
    )
    .unwrap();
}
