//! What the sandbox costs, for the bundled `config` provider:
//! - first load: read + hash + compile + pre-instantiate + `describe`, with
//!   an empty cache, per provider (all bundled providers are loaded);
//! - cached load: the same with the compiled code read from the disk cache;
//! - a warm `check` call on a bot tree where the provider has nothing to do,
//!   which is the host's overhead per call (fresh store, WASI context,
//!   instantiation, argument passing).
//!
//! Run with `cargo bench -p steward --bench runtime`. Prints medians.

use std::time::{Duration, Instant};

use steward_core::config::Config;
use steward_runtime::{ProviderEntry, Runtime};

const LOADS: usize = 10;
const CALLS: usize = 200;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    // An empty bot: the config provider finds no template and returns at once.
    std::fs::create_dir(dir.path().join("bot")).unwrap();
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

    let load = |clear_cache: bool| {
        if clear_cache {
            let _ = std::fs::remove_dir_all(&config.paths.cache);
        }
        let runtime = Runtime::new(&config).unwrap();
        let started = Instant::now();
        let entries = runtime.refresh();
        // Every bundled provider is in the directory: report the cost of one.
        let elapsed = started.elapsed() / entries.len() as u32;
        let provider = entries
            .into_iter()
            .find_map(|e| match e {
                ProviderEntry::Loaded(p) if p.name == "config" => Some(p),
                _ => None,
            })
            .expect("the config provider loads");
        (runtime, provider, elapsed)
    };

    let first = median((0..LOADS).map(|_| load(true).2).collect());
    let cached = median((0..LOADS).map(|_| load(false).2).collect());

    let (runtime, provider, _) = load(false);
    runtime.check(&provider, false).expect("warm-up call");
    let calls = median(
        (0..CALLS)
            .map(|_| {
                let started = Instant::now();
                runtime.check(&provider, false).expect("check");
                started.elapsed()
            })
            .collect(),
    );

    println!(
        "provider: config ({} bytes)",
        std::fs::metadata(&provider.file).unwrap().len()
    );
    println!("first load (compile):   {} median of {LOADS}", ms(first));
    println!(
        "cached load:            {} median of {LOADS}  (goal < 5 ms)",
        ms(cached)
    );
    println!(
        "warm check call:        {} median of {CALLS}  (goal < 1 ms)",
        ms(calls)
    );
}
