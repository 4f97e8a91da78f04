//! Compiled components on disk, keyed by the `.wasm` file's sha256 and the
//! engine's compatibility hash, so a provider is compiled once per Steward
//! build and machine. A cache entry that cannot be read is recompiled, never
//! trusted half-way.

use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};

use wasmtime::Engine;
use wasmtime::component::Component;

/// Where a component came from on this load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// Compiled now (and stored for next time).
    Compiled,
    /// Read from the compile cache.
    Cache,
}

pub struct CompileCache {
    dir: PathBuf,
    compat: String,
}

impl CompileCache {
    pub fn new(dir: &Path, engine: &Engine) -> CompileCache {
        // DefaultHasher::new() has fixed keys: stable across runs of one build,
        // and a change after a toolchain upgrade only costs a recompile.
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        CompileCache {
            dir: dir.to_path_buf(),
            compat: format!("{:016x}", hasher.finish()),
        }
    }

    fn entry(&self, sha256: &str) -> PathBuf {
        self.dir.join(format!("{sha256}-{}.cwasm", self.compat))
    }

    /// The compiled component for `wasm`, from the cache when possible.
    pub fn load(
        &self,
        engine: &Engine,
        sha256: &str,
        wasm: &[u8],
    ) -> wasmtime::Result<(Component, Origin)> {
        let entry = self.entry(sha256);
        if entry.exists() {
            // SAFETY: entries are written only by `store` below, from
            // components this engine compiled, into Steward's own data
            // directory; the name binds them to the source hash and engine.
            match unsafe { Component::deserialize_file(engine, &entry) } {
                Ok(component) => return Ok((component, Origin::Cache)),
                Err(e) => tracing::warn!(
                    "discarding unreadable compile cache entry {}: {e:#}",
                    entry.display()
                ),
            }
        }
        let component = Component::new(engine, wasm)?;
        if let Err(e) = self.store(&entry, &component) {
            tracing::warn!("cannot write compile cache {}: {e:#}", entry.display());
        }
        Ok((component, Origin::Compiled))
    }

    fn store(&self, entry: &Path, component: &Component) -> anyhow::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let bytes = component.serialize()?;
        let tmp = entry.with_extension(format!("partial.{}", std::process::id()));
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, entry)?;
        Ok(())
    }
}
