//! A provider's call budgets hold for the whole call: time spent blocked in
//! WASI or in an HTTP batch counts, the answers of a batch count against the
//! call's memory, the memories of all its instances share one limit, a
//! batch has a size cap, and batches open side by side share one limit on
//! requests in flight. The greedy provider fails alone, with a clear
//! error, and the other providers' results still arrive. Each test runs the
//! real `steward` binary.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::header;
use axum::routing::get;
use serde_json::Value;
use steward_tests::fakes::{Mode, Running};
use steward_tests::guests;
use steward_tests::harness::{Install, Run, assert_config_provider_unaffected, provider};

/// `steward check --json` on `install`, and how long it took.
fn check(install: &Install) -> (Run, Value, Duration) {
    let started = Instant::now();
    let run = install.run(&["check", "--json"]);
    let elapsed = started.elapsed();
    let json = run.json();
    (run, json, elapsed)
}

/// An install running `wasm` as the provider `greedy`, allowed to reach
/// `http` (a `host:port`, or none), with `settings` and `[runtime]` lines.
/// Providers are compiled once here, so a timed `check` that follows
/// measures the call, not the compiler.
fn install_with(wasm: &Path, http: Option<&str>, settings: &str, limits: &str) -> Install {
    let (grant_http, wants_http) = match http {
        Some(host) => (
            format!("http = [\"{host}\"]\n"),
            format!("wants_http = \"{host}\"\n"),
        ),
        None => (String::new(), String::new()),
    };
    let install = Install::new(&format!(
        "[runtime]\n{limits}\n\n[providers.greedy.grant]\nread = [\"{{bot}}\"]\n{grant_http}\n[providers.greedy.settings]\n{wants_http}{settings}\n"
    ));
    install.add_provider(wasm, "greedy");
    install.run(&["providers", "list"]).succeeded();
    install
}

fn greedy(behaviour: &str, http: Option<&str>, settings: &str, limits: &str) -> Install {
    install_with(
        &guests::greedy(),
        http,
        &format!("behaviour = \"{behaviour}\"\n{settings}"),
        limits,
    )
}

fn error_message(entry: &Value) -> &str {
    entry["error"]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("no error message: {entry:#}"))
}

#[test]
fn a_blocking_sleep_is_stopped_at_the_call_deadline() {
    let install = greedy("sleep", None, "", "call_timeout_secs = 3");
    let (run, json, elapsed) = check(&install);
    let g = provider(&json, "greedy");
    assert_eq!(g["error"]["code"], "timeout", "{g:#}\n{}", run.stderr);
    assert!(error_message(g).contains("time budget of 3 s"), "{g:#}");
    // The provider asked for 20 s; every result waits for the slowest.
    assert!(
        elapsed < Duration::from_secs(12),
        "the sleep held the check for {elapsed:?}"
    );
    assert_config_provider_unaffected(&json);
}

#[test]
fn an_http_batch_of_slow_requests_ends_at_the_call_deadline() {
    let server = Running::start(Router::new().route("/slow", get(|| async { "late" })));
    server.set_mode(Mode::Delay(Duration::from_secs(1)));
    let install = greedy(
        "http-batch",
        Some(&server.host()),
        &format!("url = \"{}/slow\"\ncount = \"240\"\n", server.base_url()),
        "call_timeout_secs = 3",
    );
    let (run, json, elapsed) = check(&install);
    let g = provider(&json, "greedy");
    assert_eq!(g["error"]["code"], "timeout", "{g:#}\n{}", run.stderr);
    assert!(error_message(g).contains("time budget of 3 s"), "{g:#}");
    // 240 one-second answers, 16 at a time, take 15 s when each request
    // gets a fresh budget.
    assert!(
        elapsed < Duration::from_secs(10),
        "the batch held the check for {elapsed:?}"
    );
    assert!(
        server.requests() < 240,
        "every request was sent: {}",
        server.requests()
    );
    assert_config_provider_unaffected(&json);
}

/// 15 MiB, the size of a large registry index document.
const LARGE: usize = 15 * 1024 * 1024;

#[test]
fn large_answers_of_one_batch_count_against_the_call_memory() {
    let body: &'static [u8] = Vec::leak(vec![b'x'; LARGE]);
    let server = Running::start(Router::new().route(
        "/large",
        get(move || async move {
            // Cacheable, so a second run gets them from Steward's cache.
            ([(header::CACHE_CONTROL, "max-age=3600")], body)
        }),
    ));
    let install = greedy(
        "http-batch",
        Some(&server.host()),
        &format!("url = \"{}/large\"\ncount = \"40\"\n", server.base_url()),
        "memory_limit_mb = 100",
    );
    for run_number in 1..=2 {
        let (run, json, _) = check(&install);
        let g = provider(&json, "greedy");
        assert_eq!(
            g["error"]["code"], "network",
            "run {run_number}: {g:#}\n{}",
            run.stderr
        );
        let message = error_message(g);
        // Six 15 MiB answers fit in 100 MiB beside the provider's own memory.
        assert!(
            message.starts_with("6 of 40 answered;")
                && message
                    .contains("is too large for what is left of the call's 100 MiB memory cap"),
            "run {run_number}: {message}"
        );
        assert_config_provider_unaffected(&json);
    }
}

#[test]
fn an_http_batch_over_the_cap_is_refused_before_anything_is_sent() {
    let server = Running::start(Router::new().route("/one", get(|| async { "one" })));
    let batch = |count: usize| {
        greedy(
            "http-batch",
            Some(&server.host()),
            &format!("url = \"{}/one\"\ncount = \"{count}\"\n", server.base_url()),
            "http_batch_limit = 10",
        )
    };

    let (_, json, _) = check(&batch(11));
    let g = provider(&json, "greedy");
    assert_eq!(g["error"]["code"], "invalid-data", "{g:#}");
    assert!(
        error_message(g).contains(
            "a batch of 11 HTTP requests is more than the 10 one call may send at once; none was sent"
        ),
        "{g:#}"
    );
    assert_eq!(server.requests(), 0, "part of the refused batch was sent");
    assert_config_provider_unaffected(&json);

    let (_, json, _) = check(&batch(10));
    let g = provider(&json, "greedy");
    assert!(g["error"].is_null(), "{g:#}");
    assert_eq!(g["updates"][0]["latest"], "10 answers");
}

/// A compressed answer counts at the size it has once undone: 64 MiB of
/// zeros sent as a gzip stream of 64 KiB is refused at the 1 MiB response
/// cap, as soon as the undone bytes pass it, not handed to the provider.
#[test]
fn a_compressed_answer_counts_at_its_undone_size() {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..64 {
        gz.write_all(&zeros).unwrap();
    }
    let bomb: &'static [u8] = Vec::leak(gz.finish().unwrap());
    assert!(bomb.len() < 128 * 1024, "{} bytes", bomb.len());
    let server = Running::start(Router::new().route(
        "/bomb",
        get(move || async move { ([(header::CONTENT_ENCODING, "gzip")], bomb) }),
    ));
    let install = greedy(
        "http-batch",
        Some(&server.host()),
        &format!("url = \"{}/bomb\"\ncount = \"1\"\n", server.base_url()),
        "http_response_limit_kb = 1024",
    );
    let (run, json, _) = check(&install);
    let g = provider(&json, "greedy");
    assert_eq!(g["error"]["code"], "network", "{g:#}\n{}", run.stderr);
    assert!(
        error_message(g).contains("/bomb?n=0 is larger than the 1024 KiB cap"),
        "{g:#}"
    );
    assert_config_provider_unaffected(&json);
}

/// `component` with `count` more core modules appended, each declaring one
/// memory of `memory_pages` 64 KiB pages (or none), and an instance of each:
/// instantiating the component creates them all. Appended sections take the
/// next free indices, so nothing the component already has changes meaning.
fn with_extra_instances(component: &[u8], count: usize, memory_pages: Option<u32>) -> Vec<u8> {
    let modules_before = top_level_sections(component)
        .filter(|id| *id == CORE_MODULE_SECTION)
        .count();
    let mut module = b"\0asm\x01\0\0\0".to_vec();
    if let Some(pages) = memory_pages {
        let mut memory_section = vec![1, 0x00];
        memory_section.extend(leb128(pages));
        module.push(5);
        module.extend(leb128(memory_section.len() as u32));
        module.extend(memory_section);
    }

    let mut out = component.to_vec();
    for n in 0..count {
        out.push(CORE_MODULE_SECTION);
        out.extend(leb128(module.len() as u32));
        out.extend(&module);
        // One core instance: instantiate module N with no arguments.
        let mut instance = vec![1, 0x00];
        instance.extend(leb128((modules_before + n) as u32));
        instance.push(0);
        out.push(CORE_INSTANCE_SECTION);
        out.extend(leb128(instance.len() as u32));
        out.extend(instance);
    }
    out
}

const CORE_MODULE_SECTION: u8 = 1;
const CORE_INSTANCE_SECTION: u8 = 2;

/// The ids of a component's top-level sections.
fn top_level_sections(component: &[u8]) -> impl Iterator<Item = u8> + '_ {
    let mut at = 8; // magic and version
    std::iter::from_fn(move || {
        let id = *component.get(at)?;
        let (size, read) = read_leb128(&component[at + 1..]);
        at += 1 + read + size as usize;
        Some(id)
    })
}

fn leb128(mut value: u32) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return out;
        }
        out.push(byte | 0x80);
    }
}

fn read_leb128(bytes: &[u8]) -> (u32, usize) {
    let mut value = 0u32;
    for (n, byte) in bytes.iter().enumerate() {
        value |= u32::from(byte & 0x7f) << (7 * n);
        if byte & 0x80 == 0 {
            return (value, n + 1);
        }
    }
    panic!("a section size runs past the end");
}

#[test]
fn the_memories_of_all_instances_share_one_memory_limit() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = dir.path().join("greedy.wasm");
    let component = std::fs::read(guests::greedy()).unwrap();
    // Four memories of 80 MiB: each is under 256 MiB, together they are not.
    std::fs::write(&wasm, with_extra_instances(&component, 4, Some(1280))).unwrap();
    let install = install_with(&wasm, None, "behaviour = \"ok\"\n", "memory_limit_mb = 256");
    let (_, json, _) = check(&install);
    let skipped = json["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["provider"] == "greedy")
        .unwrap_or_else(|| panic!("greedy loaded: {json:#}"));
    assert!(
        skipped["error"]
            .as_str()
            .unwrap()
            .contains("exhausted its memory cap of 256 MiB"),
        "{skipped:#}"
    );
    assert_config_provider_unaffected(&json);

    // The same provider with two of them fits.
    std::fs::write(&wasm, with_extra_instances(&component, 2, Some(1280))).unwrap();
    install.add_provider(&wasm, "greedy");
    let (_, json, _) = check(&install);
    let g = provider(&json, "greedy");
    assert!(g["error"].is_null(), "{g:#}");
    assert_eq!(g["updates"][0]["latest"], "ran");
}

#[test]
fn more_instances_or_memories_than_the_caps_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = dir.path().join("greedy.wasm");
    let component = std::fs::read(guests::greedy()).unwrap();
    // Forty instances of nothing; then ten memories of nothing.
    for (extra, pages, what) in [(40, None, "instance"), (10, Some(0), "memory")] {
        std::fs::write(&wasm, with_extra_instances(&component, extra, pages)).unwrap();
        let install = install_with(&wasm, None, "behaviour = \"ok\"\n", "");
        let (_, json, _) = check(&install);
        let skipped = json["skipped"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["provider"] == "greedy")
            .unwrap_or_else(|| panic!("{what}: greedy loaded: {json:#}"));
        let error = skipped["error"].as_str().unwrap();
        assert!(
            error.contains("could not be started") && error.contains(&format!("{what} count")),
            "{what}: {skipped:#}"
        );
        assert_config_provider_unaffected(&json);
    }
}

#[test]
fn a_trap_is_reported_on_one_line() {
    let install = greedy("divide-by-zero", None, "", "");
    let (_, json, _) = check(&install);
    let g = provider(&json, "greedy");
    assert_eq!(g["error"]["code"], "crashed", "{g:#}");
    let message = error_message(g);
    assert!(message.contains("integer divide by zero"), "{message}");
    assert!(!message.contains('\n'), "more than one line: {message}");
    assert_config_provider_unaffected(&json);

    let text = install.run(&["check"]);
    let line = text
        .stdout
        .lines()
        .find(|l| l.contains("integer divide by zero"))
        .unwrap_or_else(|| panic!("{}", text.stdout));
    assert!(!line.contains("wasm backtrace"), "{line}");
}

#[test]
fn answers_taken_one_by_one_come_in_the_order_they_arrive() {
    // The first request's answer is held back; the others are not.
    let server = Running::start(Router::new().route(
        "/order",
        get(
            |axum::extract::Query(q): axum::extract::Query<HashMap<String, String>>| async move {
                if q.get("n").map(String::as_str) == Some("0") {
                    tokio::time::sleep(Duration::from_millis(1500)).await;
                }
                "answer"
            },
        ),
    ));
    let install = greedy(
        "http-each",
        Some(&server.host()),
        &format!("url = \"{}/order\"\ncount = \"4\"\n", server.base_url()),
        "",
    );
    let (run, json, _) = check(&install);
    let g = provider(&json, "greedy");
    assert!(g["error"].is_null(), "{g:#}\n{}", run.stderr);
    let latest = g["updates"][0]["latest"].as_str().unwrap_or_default();
    let order: Vec<&str> = latest
        .strip_prefix("arrived ")
        .unwrap_or_else(|| panic!("{latest}"))
        .split(',')
        .collect();
    // Every request answered once, the slow one after all the others.
    let mut sorted = order.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, ["0", "1", "2", "3"], "{latest}");
    assert_eq!(order.last(), Some(&"0"), "{latest}");
}

#[test]
fn batches_open_side_by_side_share_one_limit_on_requests_in_flight() {
    let in_flight = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let (now, peak) = (in_flight.clone(), most.clone());
    let server = Running::start(Router::new().route(
        "/busy",
        get(move || {
            let (now, peak) = (now.clone(), peak.clone());
            async move {
                let here = now.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(here, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(150)).await;
                now.fetch_sub(1, Ordering::SeqCst);
                "busy"
            }
        }),
    ));
    let install = greedy(
        "http-each-side-by-side",
        Some(&server.host()),
        &format!(
            "url = \"{}/busy\"\nbatches = \"3\"\ncount = \"8\"\n",
            server.base_url()
        ),
        "http_concurrency = 4",
    );
    let (run, json, _) = check(&install);
    let g = provider(&json, "greedy");
    assert!(g["error"].is_null(), "{g:#}\n{}", run.stderr);
    assert_eq!(g["updates"][0]["latest"], "24 answers", "{g:#}");
    let most = most.load(Ordering::SeqCst);
    // Three batches of four at once would be twelve.
    assert!(
        (1..=4).contains(&most),
        "{most} requests were in flight at once; http_concurrency is 4"
    );
}

#[test]
fn a_batch_dropped_unread_stops_the_requests_still_to_go() {
    let server = Running::start(Router::new().route("/slow", get(|| async { "late" })));
    server.set_mode(Mode::Delay(Duration::from_secs(1)));
    let install = greedy(
        "http-each-dropped",
        Some(&server.host()),
        &format!("url = \"{}/slow\"\ncount = \"40\"\n", server.base_url()),
        "http_concurrency = 4",
    );
    let (run, json, _) = check(&install);
    let g = provider(&json, "greedy");
    assert_eq!(
        g["updates"][0]["latest"], "dropped",
        "{g:#}\n{}",
        run.stderr
    );
    // The provider waited 2.5 s after dropping the batch: a batch that went
    // on would have sent three rounds of four meanwhile.
    assert!(
        server.requests() <= 4,
        "{} requests were sent after the batch was dropped",
        server.requests()
    );
}
