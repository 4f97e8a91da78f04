//! The runtime through its library API: the providers directory is watched
//! by rescanning, so files added, changed and removed while Steward runs are
//! picked up without a restart.

use steward_core::config::Config;
use steward_runtime::{ProviderEntry, Runtime};

fn names(entries: &[ProviderEntry]) -> Vec<String> {
    entries.iter().map(|e| e.name().to_string()).collect()
}

/// The bundled providers' names, plus `extra`, sorted as the catalog lists them.
fn bundled_and(extra: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = steward_runtime::bundled::BUNDLED
        .iter()
        .map(|(file, _)| file.trim_end_matches(".wasm").to_string())
        .chain(extra.iter().map(|s| s.to_string()))
        .collect();
    names.sort();
    names
}

#[test]
fn added_changed_and_removed_providers_are_picked_up_without_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("bot")).unwrap();
    let config_file = dir.path().join("steward.toml");
    std::fs::write(&config_file, "[bot]\nroot = \"bot\"\n").unwrap();
    let config = Config::load(&config_file, false).unwrap();
    let providers = config.paths.providers.clone();
    steward_runtime::bundled::install(&providers).unwrap();

    let tokio = tokio::runtime::Runtime::new().unwrap();
    let _entered = tokio.enter();
    let runtime = Runtime::new(&config).unwrap();
    assert_eq!(names(&runtime.refresh()), bundled_and(&[]));

    // Added.
    std::fs::copy(providers.join("config.wasm"), providers.join("second.wasm")).unwrap();
    assert_eq!(names(&runtime.refresh()), bundled_and(&["second"]));

    // Changed: another provider under the same file name.
    std::fs::copy(
        steward_tests::guests::hello(),
        providers.join("second.wasm"),
    )
    .unwrap();
    let entries = runtime.refresh();
    let second = entries.iter().find(|e| e.name() == "second").unwrap();
    match second {
        ProviderEntry::Loaded(p) => assert_eq!(p.info.name, "hello"),
        ProviderEntry::Failed(f) => panic!("the changed file did not load: {}", f.error),
    }

    // Broken in place, then removed.
    std::fs::write(providers.join("second.wasm"), b"not wasm").unwrap();
    assert!(matches!(
        runtime.refresh().iter().find(|e| e.name() == "second"),
        Some(ProviderEntry::Failed(_))
    ));
    std::fs::remove_file(providers.join("second.wasm")).unwrap();
    assert_eq!(names(&runtime.refresh()), bundled_and(&[]));
}
