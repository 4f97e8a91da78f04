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

/// A steward.toml in `dir` naming `dir/bot`, loaded, and its providers
/// directory made.
fn config_in(dir: &std::path::Path) -> (Config, std::path::PathBuf) {
    std::fs::create_dir(dir.join("bot")).unwrap();
    let config_file = dir.join("steward.toml");
    std::fs::write(&config_file, "[bot]\nroot = \"bot\"\n").unwrap();
    let config = Config::load(&config_file, false).unwrap();
    let providers = config.paths.providers.clone();
    std::fs::create_dir_all(&providers).unwrap();
    (config, providers)
}

#[test]
fn a_provider_rewritten_in_place_with_its_old_size_and_mtime_is_read_again() {
    let dir = tempfile::tempdir().unwrap();
    let (config, providers) = config_in(dir.path());
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

/// The hostile replacement: another provider renamed over the recorded
/// file, of the same size, its modification time put back with
/// `touch -d`. The new file's inode and change time tell it apart, so it
/// is hashed afresh and loads as what it is.
#[test]
fn a_provider_replaced_by_another_of_the_same_size_and_mtime_is_hashed_again() {
    use sha2::Digest;
    use std::os::unix::fs::MetadataExt;

    let dir = tempfile::tempdir().unwrap();
    let (config, providers) = config_in(dir.path());
    let target = providers.join("second.wasm");
    let original = std::fs::read(steward_tests::guests::hello()).unwrap();
    std::fs::write(&target, &original).unwrap();
    std::thread::sleep(SETTLES);

    let tokio = tokio::runtime::Runtime::new().unwrap();
    let _entered = tokio.enter();
    let first = Runtime::new(&config).unwrap();
    let ProviderEntry::Loaded(recorded) = entry(&first.refresh(), "second").clone() else {
        panic!("the provider did not load");
    };
    drop(first);
    // Its stamp is on record: without the change time and inode, the
    // replacement below would be taken for it.
    let record = config.paths.cache.join("components/provider-files.json");
    let record = std::fs::read_to_string(record).expect("the stamps are recorded");
    assert!(record.contains(&recorded.sha256), "{record}");

    // Another build of the same size: one digit of the compiler version
    // in its `producers` custom section changed, so it still loads.
    let mut replacement = original.clone();
    let find = |from: usize, what: &[u8]| {
        replacement[from..]
            .windows(what.len())
            .position(|w| w == what)
            .map(|i| from + i)
            .expect("a producers section naming rustc")
    };
    let at = find(find(0, b"processed-by"), b"rustc");
    let digit = replacement[at..]
        .iter()
        .position(u8::is_ascii_digit)
        .map(|i| at + i)
        .unwrap();
    replacement[digit] = if replacement[digit] == b'9' {
        b'8'
    } else {
        b'9'
    };
    assert_eq!(replacement.len(), original.len());
    let before = target.metadata().unwrap();
    let staged = providers.join("second.wasm.new");
    std::fs::write(&staged, &replacement).unwrap();
    let touched = std::process::Command::new("touch")
        .arg("-d")
        .arg(format!("@{}.{:09}", before.mtime(), before.mtime_nsec()))
        .arg(&staged)
        .status()
        .unwrap();
    assert!(touched.success());
    std::fs::rename(&staged, &target).unwrap();
    let after = target.metadata().unwrap();
    assert_eq!(
        (after.size(), after.mtime(), after.mtime_nsec()),
        (before.size(), before.mtime(), before.mtime_nsec()),
        "the replacement should look the same by size and mtime"
    );

    let later = Runtime::new(&config).unwrap();
    let replaced_sha256 = hex::encode(sha2::Sha256::digest(&replacement));
    assert_ne!(replaced_sha256, recorded.sha256);
    match entry(&later.refresh(), "second") {
        ProviderEntry::Loaded(p) => assert_eq!(
            p.sha256, replaced_sha256,
            "the replaced file was taken for the recorded one"
        ),
        ProviderEntry::Failed(f) => panic!("the replacement did not load: {}", f.error),
    }
}
