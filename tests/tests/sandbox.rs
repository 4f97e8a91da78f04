//! Providers that misbehave fail alone, with a clear error, while the other
//! providers' results still arrive. Each runs the real `steward` binary.

use serde_json::Value;
use steward_tests::guests;
use steward_tests::harness::{Install, Run, assert_config_provider_unaffected, provider};

/// `steward check --json` on `install`, and the entry of `provider` in it.
fn check(install: &Install) -> (Run, Value) {
    let run = install.run(&["check", "--json"]);
    let json = run.json();
    (run, json)
}

fn hostile(behaviour: &str, settings: &str, limits: &str) -> Install {
    let install = Install::new(&format!(
        "[runtime]\n{limits}\n\n[providers.hostile.grant]\nread = [\"{{bot}}\"]\n\n[providers.hostile.settings]\nbehaviour = \"{behaviour}\"\n{settings}\n"
    ));
    install.add_provider(&guests::hostile(), "hostile");
    install
}

#[test]
fn an_infinite_loop_is_stopped_within_its_budget() {
    let install = hostile("loop", "", "call_timeout_secs = 2");
    let started = std::time::Instant::now();
    let (run, json) = check(&install);
    let elapsed = started.elapsed();
    let h = provider(&json, "hostile");
    assert_eq!(h["error"]["code"], "timeout", "{}", run.stderr);
    assert!(
        h["error"]["message"]
            .as_str()
            .unwrap()
            .contains("time budget of 2 s"),
        "{h:#}"
    );
    assert!(
        elapsed.as_secs() < 30,
        "the loop was not stopped in time: {elapsed:?}"
    );
    assert_config_provider_unaffected(&json);
    assert_eq!(run.code, Some(3), "a failed provider sets the exit code");
}

#[test]
fn a_memory_bomb_is_trapped_at_the_cap() {
    let install = hostile("memory-bomb", "", "memory_limit_mb = 64");
    let (_, json) = check(&install);
    let h = provider(&json, "hostile");
    assert_eq!(h["error"]["code"], "out-of-memory", "{h:#}");
    assert!(
        h["error"]["message"].as_str().unwrap().contains("64 MiB"),
        "{h:#}"
    );
    assert_config_provider_unaffected(&json);
}

#[test]
fn runaway_recursion_hits_the_stack_cap() {
    let install = hostile("stack", "", "stack_limit_kb = 256");
    let (_, json) = check(&install);
    let h = provider(&json, "hostile");
    assert_eq!(h["error"]["code"], "stack-overflow", "{h:#}");
    assert!(
        h["error"]["message"].as_str().unwrap().contains("256 KiB"),
        "{h:#}"
    );
    assert_config_provider_unaffected(&json);
}

#[test]
fn a_panic_is_reported_with_its_message() {
    let install = hostile("panic", "", "");
    let (_, json) = check(&install);
    let h = provider(&json, "hostile");
    assert_eq!(h["error"]["code"], "crashed", "{h:#}");
    assert!(
        h["error"]["message"]
            .as_str()
            .unwrap()
            .contains("hostile provider gave up on purpose"),
        "{h:#}"
    );
    assert_config_provider_unaffected(&json);
}

#[test]
fn reads_outside_the_preopens_find_nothing() {
    let secret = "a secret outside the bot";
    for (name, path) in [
        ("etc", "/etc/passwd".to_string()),
        ("sibling", String::new()),
    ] {
        let install = hostile("read", "", "");
        let path = if path.is_empty() {
            // Next to the bot, reached with `..` from inside the grant.
            std::fs::write(install.root().join("outside.txt"), secret).unwrap();
            format!("{}/../outside.txt", install.bot().display())
        } else {
            path
        };
        install.write_config(&format!(
            "[providers.hostile.grant]\nread = [\"{{bot}}\"]\n\n[providers.hostile.settings]\nbehaviour = \"read\"\npath = \"{path}\"\n"
        ));
        let (run, json) = check(&install);
        let h = provider(&json, "hostile");
        assert!(
            h["updates"].as_array().unwrap().is_empty(),
            "{name}: leaked {h:#}"
        );
        assert_eq!(h["error"]["code"], "denied", "{name}: {h:#}");
        assert!(
            !run.stdout.contains("root:x:0:0"),
            "{name}: /etc/passwd leaked"
        );
        assert!(
            !run.stdout.contains(secret),
            "{name}: a sibling file leaked"
        );
        assert_config_provider_unaffected(&json);
    }
}

#[test]
fn reads_inside_the_grant_work() {
    let install = hostile("read", "", "");
    install.write_config(&format!(
        "[providers.hostile.grant]\nread = [\"{{bot}}\"]\n\n[providers.hostile.settings]\nbehaviour = \"read\"\npath = \"{}/VERSION\"\n",
        install.bot().display()
    ));
    let (_, json) = check(&install);
    let h = provider(&json, "hostile");
    assert!(h["error"].is_null(), "{h:#}");
    // What it read, with the newline escaped like all provider text.
    assert_eq!(h["updates"][0]["latest"], "1.4.0\\n");
}

#[test]
fn http_to_a_host_not_granted_is_refused_before_any_connection() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let target = format!("127.0.0.1:{port}");
    // Wanted by the provider but not granted by the operator, then neither.
    for wants in [format!("wants_http = \"{target}\""), String::new()] {
        let install = hostile(
            "http",
            &format!("url = \"http://{target}/simple\"\n{wants}"),
            "",
        );
        let (_, json) = check(&install);
        let h = provider(&json, "hostile");
        assert_eq!(h["error"]["code"], "denied", "{h:#}");
        assert!(
            h["error"]["message"]
                .as_str()
                .unwrap()
                .contains(&format!("HTTP to {target} is not granted")),
            "{h:#}"
        );
        assert_config_provider_unaffected(&json);
    }
    assert!(
        listener.accept().is_err(),
        "the refused request still reached the server"
    );
}

#[test]
fn exec_of_a_program_not_granted_is_refused() {
    let install = hostile("exec", "program = \"/bin/sh\"\nargs = \"-c id\"", "");
    let (_, json) = check(&install);
    let h = provider(&json, "hostile");
    assert_eq!(h["error"]["code"], "denied", "{h:#}");
    assert!(
        h["error"]["message"]
            .as_str()
            .unwrap()
            .contains("running /bin/sh is not granted"),
        "{h:#}"
    );
    assert_config_provider_unaffected(&json);
}

#[test]
fn exec_of_a_granted_program_is_limited_to_its_argument_patterns() {
    let grant = "[providers.hostile.grant]\nread = [\"{bot}\"]\nprograms = [{ path = \"/bin/echo\", args = [[\"granted-*\"]] }]\n";
    let settings = |args: &str| {
        format!(
            "[providers.hostile.settings]\nbehaviour = \"exec\"\nprogram = \"/bin/echo\"\nwants_program = \"/bin/echo\"\nargs = \"{args}\"\n"
        )
    };
    let install = Install::new(&format!("{grant}\n{}", settings("granted-arg")));
    install.add_provider(&guests::hostile(), "hostile");

    let (_, json) = check(&install);
    let h = provider(&json, "hostile");
    assert!(h["error"].is_null(), "the granted call failed: {h:#}");
    // The program's output, its newline escaped like all provider text.
    assert_eq!(h["updates"][0]["latest"], "granted-arg\\n");

    install.write_config(&format!("{grant}\n{}", settings("hello world")));
    let (_, json) = check(&install);
    let h = provider(&json, "hostile");
    assert_eq!(h["error"]["code"], "denied", "{h:#}");
    assert!(
        h["error"]["message"]
            .as_str()
            .unwrap()
            .contains("with arguments [\"hello\", \"world\"] is not granted"),
        "{h:#}"
    );
    assert_config_provider_unaffected(&json);
}

#[test]
fn a_corrupt_wasm_is_skipped_with_a_clear_message() {
    let install = Install::new("");
    std::fs::create_dir_all(install.providers()).unwrap();
    std::fs::write(install.providers().join("broken.wasm"), b"\0asm garbage").unwrap();
    let (_, json) = check(&install);
    let skipped = &json["skipped"][0];
    assert_eq!(skipped["provider"], "broken");
    assert!(
        skipped["error"]
            .as_str()
            .unwrap()
            .contains("not a valid WebAssembly component"),
        "{skipped:#}"
    );
    assert_config_provider_unaffected(&json);

    let text = install.run(&["check"]);
    assert!(text.stdout.contains("broken: skipped"), "{}", text.stdout);
}

#[test]
fn a_provider_built_for_an_unknown_contract_version_is_refused() {
    let install = Install::new("");
    install.add_provider(&guests::future_wit(), "future");
    let list = install.run(&["providers", "list", "--json"]).json();
    let future = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "future")
        .unwrap();
    assert_eq!(future["loaded"], false);
    assert!(
        future["error"]
            .as_str()
            .unwrap()
            .contains("built against steward:provider@9.0.0"),
        "{future:#}"
    );
    let (_, json) = check(&install);
    assert_config_provider_unaffected(&json);
}

#[test]
fn a_second_run_loads_providers_from_the_compile_cache() {
    let install = Install::new("");
    let origin = |run: Run| {
        run.json()
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "config")
            .map(|p| p["compiled"].clone())
            .unwrap()
    };
    assert_eq!(
        origin(install.run(&["providers", "list", "--json"])),
        "compiled"
    );
    assert_eq!(
        origin(install.run(&["providers", "list", "--json"])),
        "cache"
    );
    assert!(
        install
            .root()
            .join("data/cache")
            .read_dir()
            .unwrap()
            .count()
            >= 1
    );
}

#[test]
fn a_third_party_provider_runs_with_only_what_it_is_granted() {
    let install = Install::new("");
    install.add_provider(&guests::hello(), "hello");
    let (_, json) = check(&install);
    let hello = provider(&json, "hello");
    // No grant entry: not run at all, and said to wait for one, naming
    // what it asks for (never "up to date").
    assert_eq!(
        hello["waiting_for_grant"]["read"],
        serde_json::json!(["{bot}"]),
        "no grant entry means it waits for one: {hello:#}"
    );
    assert!(
        hello["error"].is_null() && hello["updates"] == serde_json::json!([]),
        "{hello:#}"
    );

    install.write_config("[providers.hello.grant]\nread = [\"{bot}\"]\n");
    let (_, json) = check(&install);
    let hello = provider(&json, "hello");
    assert!(hello["error"].is_null(), "{hello:#}");
    let warnings: Vec<&str> = hello["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("python-dotenv is not pinned")),
        "{warnings:?}"
    );
}
