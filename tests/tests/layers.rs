//! The host's crates are its layers, and a lower crate never depends on a
//! higher one: this reads the workspace's manifests (`cargo metadata`) and
//! fails on any dependency that points up or skips the order below.

use std::process::Command;

use serde_json::Value;
use steward_tests::guests::workspace;

/// Lowest first. Each may depend only on crates before it.
const LAYERS: &[&str] = &[
    "steward-core",
    "steward-runtime",
    "steward-backup",
    "steward-engine",
    "steward-service",
    "steward-fleet",
    "steward-control",
    "steward",
];

fn metadata() -> Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .arg("--manifest-path")
        .arg(workspace().join("Cargo.toml"))
        .output()
        .expect("running cargo metadata");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("cargo metadata prints JSON")
}

/// Each layer's dependencies on other layers (normal and build, not dev:
/// tests may drive a lower crate through a higher one's binary).
fn layer_dependencies(metadata: &Value) -> Vec<(String, Vec<String>)> {
    metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| LAYERS.contains(&p["name"].as_str().unwrap()))
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["kind"].as_str() != Some("dev"))
                .map(|d| d["name"].as_str().unwrap().to_string())
                .filter(|name| LAYERS.contains(&name.as_str()))
                .collect();
            (p["name"].as_str().unwrap().to_string(), deps)
        })
        .collect()
}

#[test]
fn every_layer_is_a_crate_of_the_workspace() {
    let found: Vec<String> = layer_dependencies(&metadata())
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    for layer in LAYERS {
        assert!(
            found.iter().any(|f| f == layer),
            "{layer} is missing from the workspace: {found:?}"
        );
    }
}

#[test]
fn no_layer_depends_on_a_higher_one() {
    let rank = |name: &str| LAYERS.iter().position(|l| *l == name).unwrap();
    let mut upward = Vec::new();
    for (name, deps) in layer_dependencies(&metadata()) {
        for dep in deps {
            if rank(&dep) >= rank(&name) {
                upward.push(format!("{name} depends on {dep}"));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "lower layers must not depend on higher ones (order: {}):\n{}",
        LAYERS.join(" < "),
        upward.join("\n")
    );
}

#[test]
fn the_core_depends_on_no_other_layer() {
    let (_, deps) = layer_dependencies(&metadata())
        .into_iter()
        .find(|(name, _)| name == "steward-core")
        .unwrap();
    assert!(deps.is_empty(), "steward-core depends on {deps:?}");
}
