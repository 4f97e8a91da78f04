//! A provider file whose stamp (device, inode, size, modification and
//! change time) is as an earlier run recorded is not hashed again; any
//! rewrite, even one that keeps its size and modification time, is.

use std::time::Duration;

use steward_core::config::Config;
use steward_runtime::{ProviderEntry, Runtime};

/// A stamp is recorded only once the file has not changed for a while
/// (`FileStamp::settled`, two seconds): long enough to pass that.
const SETTLES: Duration = Duration::from_millis(2200);

fn entry<'a>(entries: &'a [ProviderEntry], name: &str) -> &'a ProviderEntry {
    entries
        .iter()
        .find(|e| e.name() == name)
        .unwrap_or_else(|| panic!("no entry {name}"))
}

#[test]
fn a_provider_rewritten_in_place_with_its_old_size_and_mtime_is_read_again() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("bot")).unwrap();
    let config_file = dir.path().join("steward.toml");
    std::fs::write(&config_file, "[bot]\nroot = \"bot\"\n").unwrap();
    let config = Config::load(&config_file, false).unwrap();
    let providers = config.paths.providers.clone();
    std::fs::create_dir_all(&providers).unwrap();
    let second = providers.join("second.wasm");
    std::fs::copy(steward_tests::guests::hello(), &second).unwrap();
    std::thread::sleep(SETTLES);

    let tokio = tokio::runtime::Runtime::new().unwrap();
    let _entered = tokio.enter();
    // The first process reads and hashes it, and records what it held.
    let first = Runtime::new(&config).unwrap();
    let ProviderEntry::Loaded(loaded) = entry(&first.refresh(), "second").clone() else {
        panic!("the provider did not load");
    };
    drop(first);
    let record = config.paths.cache.join("components/provider-files.json");
    let mode = std::os::unix::fs::PermissionsExt::mode(&record.metadata().unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600, "the record is not owner-only");

    // A later process takes the same provider from the record.
    let later = Runtime::new(&config).unwrap();
    match entry(&later.refresh(), "second") {
        ProviderEntry::Loaded(p) => assert_eq!(p.sha256, loaded.sha256),
        ProviderEntry::Failed(f) => panic!("the recorded provider did not load: {}", f.error),
    }
    drop(later);

    // Rewritten in place: the same size, the old modification time put
    // back. Only its change time tells, and that is enough.
    let modified = second.metadata().unwrap().modified().unwrap();
    let mut bytes = std::fs::read(&second).unwrap();
    bytes[0] = b'X';
    std::fs::write(&second, &bytes).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&second)
        .unwrap()
        .set_modified(modified)
        .unwrap();
    let after = Runtime::new(&config).unwrap();
    match entry(&after.refresh(), "second") {
        ProviderEntry::Failed(f) => assert_eq!(
            f.error,
            "not a WebAssembly file: it does not start with the `\\0asm` header"
        ),
        ProviderEntry::Loaded(_) => panic!("the rewritten file was taken from the record"),
    }
}
