//! What loading a provider produced, kept on disk so the next process does
//! not redo it: the compiled component, and what its `describe` answered.
//! Both are keyed by the `.wasm` file's sha256 and by this build (Steward's
//! version, the contract versions it speaks, and the engine's compatibility
//! hash, which covers the wasmtime version and every engine setting), so a
//! provider is compiled once per Steward build and machine. An entry that
//! cannot be read, or that anyone but Steward could have written, is
//! ignored and made again: never trusted half-way.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use wasmtime::Engine;
use wasmtime::component::Component;

use crate::provider::Info;

/// Where a component came from on this load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// Compiled now (and stored for next time).
    Compiled,
    /// Read from the compile cache (or not needed yet: what it describes
    /// itself as came from the cache, and its component is read from there
    /// at its first call).
    Cache,
}

/// The largest `describe` answer read back: a few KiB in practice.
const MAX_INFO: u64 = 1024 * 1024;

/// A file as the filesystem identifies it without reading it. Equal stamps
/// mean the same bytes (as for git's index): a write changes the change
/// time, which no one can set back, and a file replaced by another gets a
/// new change time too, whatever inode it reuses.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct FileStamp {
    dev: u64,
    ino: u64,
    size: u64,
    /// Seconds and nanoseconds apart: serde cannot carry an `i128` through
    /// an untagged enum (the bundled manifest reads stamps through one).
    mtime: (i64, i64),
    ctime: (i64, i64),
}

/// How long after its last change a file's stamp is trusted: a write in
/// the same tick of the filesystem's clock as the one before could leave
/// the stamp as it was, so a stamp that recent is never recorded.
const STAMP_SETTLES: Duration = Duration::from_secs(2);

impl FileStamp {
    pub(crate) fn of(meta: &std::fs::Metadata) -> FileStamp {
        FileStamp {
            dev: meta.dev(),
            ino: meta.ino(),
            size: meta.size(),
            mtime: (meta.mtime(), meta.mtime_nsec()),
            ctime: (meta.ctime(), meta.ctime_nsec()),
        }
    }

    /// Whether the file last changed long enough ago for its stamp to
    /// stand for its bytes (see [`STAMP_SETTLES`]).
    pub(crate) fn settled(&self) -> bool {
        let ns = |(secs, nsec): (i64, i64)| i128::from(secs) * 1_000_000_000 + i128::from(nsec);
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as i128);
        let settled_before = now - STAMP_SETTLES.as_nanos() as i128;
        ns(self.ctime) < settled_before && ns(self.mtime) < settled_before
    }
}

/// What a provider file held when it had a given stamp: its sha256 and
/// the contract version read from it, so a run that finds the stamp
/// unchanged neither reads nor hashes the file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Identified {
    pub(crate) stamp: FileStamp,
    pub(crate) sha256: String,
    pub(crate) wit_version: String,
}

/// The largest record of provider files read back: a few hundred bytes
/// per provider.
const MAX_IDENTITIES: u64 = 1024 * 1024;

pub struct CompileCache {
    /// Only Steward's own user may write here (created 0700).
    dir: PathBuf,
    build: String,
}

impl CompileCache {
    pub fn new(cache_dir: &Path, engine: &Engine) -> CompileCache {
        // DefaultHasher::new() has fixed keys: stable across runs of one
        // build, and a change after a toolchain upgrade only costs a
        // recompile.
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        env!("CARGO_PKG_VERSION").hash(&mut hasher);
        crate::SUPPORTED_WIT_VERSIONS.hash(&mut hasher);
        CompileCache {
            dir: cache_dir.join("components"),
            build: format!("{:016x}", hasher.finish()),
        }
    }

    fn component_entry(&self, sha256: &str) -> PathBuf {
        self.dir.join(format!("{sha256}-{}.cwasm", self.build))
    }

    /// `describe` depends on the file, its contract version and the
    /// settings it is given (it runs with no grant: nothing else reaches it).
    fn info_entry(
        &self,
        sha256: &str,
        wit_version: &str,
        settings: &[(String, String)],
    ) -> PathBuf {
        let key = serde_json::to_vec(&(sha256, wit_version, settings)).expect("strings serialize");
        let key = crate::sha256_hex(&key);
        self.dir.join(format!("{key}-{}.info.json", self.build))
    }

    /// The compiled component for `sha256` if this build stored it, else
    /// `None` (nothing stored, or an entry that is not to be trusted).
    pub fn cached(&self, engine: &Engine, sha256: &str) -> Option<Component> {
        let entry = self.component_entry(sha256);
        let file = self.open_own(&entry)?;
        // SAFETY: `Component::deserialize*` runs whatever machine code the
        // file holds. Only files Steward wrote itself are given to it:
        // `open_own` accepts an entry only if it and its directory belong
        // to this process's user and nobody else can write them (Steward
        // creates the directory 0700 and its entries 0600), and the name
        // binds the entry to the source's sha256 and to this build. Wasmtime
        // itself then refuses a file that is not a compiled component of a
        // compatible engine.
        // Through the descriptor checked above, so the file checked is the
        // file loaded even if the name were swapped meanwhile.
        let checked = PathBuf::from(format!("/proc/self/fd/{}", file.as_raw_fd()));
        match unsafe { Component::deserialize_file(engine, &checked) } {
            Ok(component) => Some(component),
            Err(e) => {
                tracing::warn!(
                    "discarding unreadable compile cache entry {}: {e:#}",
                    entry.display()
                );
                let _ = std::fs::remove_file(&entry);
                None
            }
        }
    }

    /// The compiled component for `wasm`, from the cache when possible,
    /// else compiled now and stored.
    pub fn load(
        &self,
        engine: &Engine,
        sha256: &str,
        wasm: &[u8],
    ) -> wasmtime::Result<(Component, Origin)> {
        if let Some(component) = self.cached(engine, sha256) {
            return Ok((component, Origin::Cache));
        }
        let component = Component::new(engine, wasm)?;
        let entry = self.component_entry(sha256);
        if let Err(e) = component
            .serialize()
            .map_err(anyhow::Error::from)
            .and_then(|bytes| self.store(&entry, &bytes))
        {
            tracing::warn!("cannot write compile cache {}: {e:#}", entry.display());
        }
        Ok((component, Origin::Compiled))
    }

    /// What the provider described itself as, when this build stored it
    /// for the same file, contract version and settings.
    pub fn info(
        &self,
        sha256: &str,
        wit_version: &str,
        settings: &[(String, String)],
    ) -> Option<Info> {
        let entry = self.info_entry(sha256, wit_version, settings);
        let file = self.open_own(&entry)?;
        let mut bytes = Vec::new();
        file.take(MAX_INFO).read_to_end(&mut bytes).ok()?;
        match serde_json::from_slice(&bytes) {
            Ok(info) => Some(info),
            Err(e) => {
                tracing::warn!("discarding unreadable cache entry {}: {e}", entry.display());
                let _ = std::fs::remove_file(&entry);
                None
            }
        }
    }

    /// Keeps `info` (already made safe to show) for the next load.
    pub fn store_info(
        &self,
        sha256: &str,
        wit_version: &str,
        settings: &[(String, String)],
        info: &Info,
    ) {
        let entry = self.info_entry(sha256, wit_version, settings);
        let bytes = serde_json::to_vec(info).expect("info serializes");
        if let Err(e) = self.store(&entry, &bytes) {
            tracing::warn!("cannot write cache entry {}: {e:#}", entry.display());
        }
    }

    /// Where what the provider files held is recorded, by path and stamp.
    fn identities_entry(&self) -> PathBuf {
        self.dir.join("provider-files.json")
    }

    /// What each provider file held when last read, by path (empty when
    /// nothing is recorded or the record is not to be trusted).
    pub(crate) fn identities(&self) -> BTreeMap<PathBuf, Identified> {
        let entry = self.identities_entry();
        let Some(file) = self.open_own(&entry) else {
            return BTreeMap::new();
        };
        let mut bytes = Vec::new();
        if file.take(MAX_IDENTITIES).read_to_end(&mut bytes).is_err() {
            return BTreeMap::new();
        }
        serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            tracing::warn!("discarding unreadable cache entry {}: {e}", entry.display());
            BTreeMap::new()
        })
    }

    /// Keeps `identities` for the next run.
    pub(crate) fn store_identities(&self, identities: &BTreeMap<PathBuf, Identified>) {
        let entry = self.identities_entry();
        let bytes = serde_json::to_vec(identities).expect("identities serialize");
        if let Err(e) = self.store(&entry, &bytes) {
            tracing::warn!("cannot write cache entry {}: {e:#}", entry.display());
        }
    }

    /// Opens `entry` if it is a regular file that this process's user owns
    /// and nobody else may write, in a directory of the same kind; `None`
    /// when absent, and a warning when present but not to be trusted.
    fn open_own(&self, entry: &Path) -> Option<std::fs::File> {
        use rustix::fs::{Mode, OFlags};
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let file = std::fs::File::from(rustix::fs::open(entry, flags, Mode::empty()).ok()?);
        let own = |meta: &std::fs::Metadata| {
            meta.uid() == rustix::process::geteuid().as_raw() && meta.mode() & 0o022 == 0
        };
        let trusted = file.metadata().is_ok_and(|m| m.is_file() && own(&m))
            && std::fs::symlink_metadata(&self.dir).is_ok_and(|m| m.is_dir() && own(&m));
        if !trusted {
            tracing::warn!(
                "ignoring cache entry {}: it or its directory is not Steward's own, or others may write it",
                entry.display()
            );
            return None;
        }
        Some(file)
    }

    /// Writes `bytes` as `entry`, 0600, through a file of its own renamed
    /// into place, so a reader sees a whole entry or none.
    fn store(&self, entry: &Path, bytes: &[u8]) -> anyhow::Result<()> {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.dir)?;
        let tmp = entry.with_extension(format!("partial.{}", std::process::id()));
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, entry)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine() -> Engine {
        let mut config = wasmtime::Config::new();
        config.wasm_component_model(true);
        Engine::new(&config).unwrap()
    }

    /// The smallest component: no imports, no exports.
    const EMPTY_COMPONENT: &[u8] = b"\0asm\x0d\x00\x01\x00";

    #[test]
    fn a_component_is_compiled_once_then_read_back_from_an_owner_only_file() {
        let dir = tempfile::tempdir().unwrap();
        let engine = engine();
        let cache = CompileCache::new(dir.path(), &engine);
        let (_, first) = cache.load(&engine, "abc", EMPTY_COMPONENT).unwrap();
        let (_, second) = cache.load(&engine, "abc", EMPTY_COMPONENT).unwrap();
        assert_eq!((first, second), (Origin::Compiled, Origin::Cache));
        let entry = cache.component_entry("abc");
        assert_eq!(entry.metadata().unwrap().mode() & 0o777, 0o600);
        assert_eq!(cache.dir.metadata().unwrap().mode() & 0o777, 0o700);
    }

    #[test]
    fn an_entry_others_could_have_written_is_not_loaded() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let engine = engine();
        let cache = CompileCache::new(dir.path(), &engine);
        cache.load(&engine, "abc", EMPTY_COMPONENT).unwrap();
        let entry = cache.component_entry("abc");
        std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(0o666)).unwrap();
        assert!(cache.cached(&engine, "abc").is_none());
        std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::set_permissions(&cache.dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        assert!(cache.cached(&engine, "abc").is_none());
        std::fs::set_permissions(&cache.dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        assert!(cache.cached(&engine, "abc").is_some());
    }

    #[test]
    fn a_damaged_entry_is_compiled_again_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let engine = engine();
        let cache = CompileCache::new(dir.path(), &engine);
        cache.load(&engine, "abc", EMPTY_COMPONENT).unwrap();
        let entry = cache.component_entry("abc");
        let mut bytes = std::fs::read(&entry).unwrap();
        bytes.truncate(bytes.len() / 2);
        std::fs::write(&entry, &bytes).unwrap();
        let (_, origin) = cache.load(&engine, "abc", EMPTY_COMPONENT).unwrap();
        assert_eq!(origin, Origin::Compiled);
        assert!(cache.cached(&engine, "abc").is_some());
    }

    #[test]
    fn a_description_is_kept_per_file_and_settings() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CompileCache::new(dir.path(), &engine());
        let info = Info {
            name: "pip".into(),
            version: "1.0.0".into(),
            description: "Python packages".into(),
            kinds: Vec::new(),
            wants: Default::default(),
        };
        let settings = vec![(
            "index_url".to_string(),
            "https://pypi.org/simple/".to_string(),
        )];
        assert_eq!(cache.info("abc", "0.2.0", &settings), None);
        cache.store_info("abc", "0.2.0", &settings, &info);
        assert_eq!(cache.info("abc", "0.2.0", &settings), Some(info));
        assert_eq!(cache.info("abc", "0.2.0", &[]), None);
        assert_eq!(cache.info("abd", "0.2.0", &settings), None);
    }
}
