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

/// The compiled components in the compile cache.
fn compiled(config: &Config) -> usize {
    std::fs::read_dir(config.paths.cache.join("components"))
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter(|e| e.path().extension().is_some_and(|x| x == "cwasm"))
                .count()
        })
        .unwrap_or(0)
}

#[test]
fn once_described_a_provider_is_compiled_only_when_a_call_needs_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("bot")).unwrap();
    let config_file = dir.path().join("steward.toml");
    std::fs::write(
        &config_file,
        "[bot]\nroot = \"bot\"\n[providers.apt]\nenabled = false\n",
    )
    .unwrap();
    let config = Config::load(&config_file, false).unwrap();
    steward_runtime::bundled::install(&config.paths.providers).unwrap();
    let tokio = tokio::runtime::Runtime::new().unwrap();
    let _entered = tokio.enter();

    // The first sight of each file compiles and describes it.
    let first = Runtime::new(&config).unwrap();
    assert_eq!(names(&first.refresh()), bundled_and(&[]));
    assert_eq!(compiled(&config), steward_runtime::bundled::BUNDLED.len());
    drop(first);

    // Without the compiled components, a later process still lists every
    // provider (the disabled one too) from what they described, and
    // compiles none of them until one is called.
    for entry in std::fs::read_dir(config.paths.cache.join("components")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|x| x == "cwasm") {
            std::fs::remove_file(path).unwrap();
        }
    }
    let later = Runtime::new(&config).unwrap();
    let entries = later.refresh();
    assert_eq!(names(&entries), bundled_and(&[]));
    let apt = entries.iter().find(|e| e.name() == "apt").unwrap();
    assert!(matches!(apt, ProviderEntry::Loaded(p) if !p.enabled));
    assert_eq!(compiled(&config), 0);

    let Some(ProviderEntry::Loaded(provider)) = entries.iter().find(|e| e.name() == "config")
    else {
        panic!("the config provider did not load");
    };
    // What it answers without a grant does not matter here: the call
    // needed its component.
    let _ = later.capture(provider);
    assert_eq!(compiled(&config), 1);
}

/// Copies the directory tree `from` to `to`.
fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn an_unloaded_provider_answers_its_next_check_as_before_from_the_compile_cache() {
    let dir = tempfile::tempdir().unwrap();
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/demo-bot");
    copy_tree(&demo, &dir.path().join("bot"));
    // The template moved on since the operator's copy was made.
    let template = dir.path().join("bot/config.template.toml");
    let text = std::fs::read_to_string(&template).unwrap();
    std::fs::write(
        &template,
        text.replace(
            "template_version = \"1.3.0\"",
            "template_version = \"1.4.0\"",
        ) + "\n[unloaded]\nnew_key = 1\n",
    )
    .unwrap();
    let config_file = dir.path().join("steward.toml");
    std::fs::write(
        &config_file,
        "[bot]\nroot = \"bot\"\n[providers.config.grant]\nread = [\"{bot}\"]\n",
    )
    .unwrap();
    let config = Config::load(&config_file, false).unwrap();
    steward_runtime::bundled::install(&config.paths.providers).unwrap();
    let tokio = tokio::runtime::Runtime::new().unwrap();
    let _entered = tokio.enter();
    let runtime = Runtime::new(&config).unwrap();
    let entries = runtime.refresh();
    let Some(ProviderEntry::Loaded(provider)) = entries.iter().find(|e| e.name() == "config")
    else {
        panic!("the config provider did not load");
    };

    let first = runtime.check(provider, true).expect("the first check");
    assert!(
        first.updates.iter().any(|u| u.latest == "1.4.0"),
        "the first check did not see the new template: {first:?}"
    );
    assert!(provider.is_prepared());
    // Used just now: kept while it has not sat idle for a minute.
    assert_eq!(runtime.unload_idle(std::time::Duration::from_secs(60)), 0);
    assert!(provider.is_prepared());

    let unloaded = runtime.unload_idle(std::time::Duration::ZERO);
    assert!(unloaded >= 1, "nothing was unloaded");
    assert!(!provider.is_prepared(), "the config provider stayed loaded");

    let again = runtime
        .check(provider, true)
        .expect("the check after unloading");
    assert_eq!(again, first);
    assert!(provider.is_prepared());
}
