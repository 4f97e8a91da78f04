//! Fleet mode against a real 3-member etcd cluster on loopback (Debian's
//! etcd): three `steward serve` processes, each managing its own copy of
//! the demo bot from a releases layout with its own signed release server,
//! coordinate waves through etcd. What is asserted is what an operator
//! sees: `steward fleet …` answers and each bot's running release.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use steward_tests::etcd::EtcdCluster;
use steward_tests::harness::{Run, steward_bin};
use steward_tests::release_bot::{Bot, Setup, setup_with};

/// Only the release provider: checks stay quick and offline.
const ONLY_RELEASE: &str = "[providers.pip]\nenabled = false\n[providers.npm]\nenabled = false\n[providers.apt]\nenabled = false\n";

/// A 1.5.0 that dies at once: it never passes its probation.
const CRASHING_BOT: &[u8] = b"import sys\nprint('demo-bot crashing', flush=True)\nsys.exit(3)\n";

/// `bot_py` taking 4 s before it starts (and prints its ready line).
fn slow(bot_py: &[u8]) -> Vec<u8> {
    let text = String::from_utf8(bot_py.to_vec()).unwrap();
    let first = "from __future__ import annotations\n";
    assert!(text.contains(first));
    text.replacen(
        first,
        &format!("{first}import time as _t\n_t.sleep(4)\n"),
        1,
    )
    .into_bytes()
}

/// One instance: a bot on release 1.4.0 and the `steward serve` managing it.
struct Instance {
    id: String,
    s: Setup,
    child: Child,
}

impl Instance {
    fn start(endpoints: &str, id: &str, group: &str, fleet_lines: &str) -> Instance {
        Instance::start_env(endpoints, id, group, fleet_lines, &[])
    }

    /// `start`, with `env` set for the service.
    fn start_env(
        endpoints: &str,
        id: &str,
        group: &str,
        fleet_lines: &str,
        env: &[(&str, &str)],
    ) -> Instance {
        let s = setup_with(
            &format!(
                "{ONLY_RELEASE}\n[fleet]\nendpoints = {endpoints}\nname = \"test\"\ninstance = \"{id}\"\ngroup = \"{group}\"\nlease_seconds = 3\nrequest_timeout_seconds = 2\n{fleet_lines}\n"
            ),
            "",
        );
        let log = s.install.root().join("serve.log");
        let child = Command::new(steward_bin())
            .arg("--config")
            .arg(s.install.config_path())
            .arg("serve")
            .env_remove("DISCORD_TOKEN")
            .env("STEWARD_LOG", "steward=debug")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(std::fs::File::options().append(true).open(&log).unwrap())
            .spawn()
            .expect("starting steward serve");
        let instance = Instance {
            id: id.to_string(),
            s,
            child,
        };
        instance.wait_for("its bot on 1.4.0", |i| {
            i.s.last_ready_version().as_deref() == Some("1.4.0")
                && i.s.install.data().join("steward.sock").exists()
        });
        instance
    }

    fn run(&self, args: &[&str]) -> Run {
        self.s.install.run(args)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.s.install.root().join("serve.log")).unwrap_or_default()
    }

    fn wait_for(&self, what: &str, done: impl Fn(&Instance) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(120);
        while !done(self) {
            assert!(
                Instant::now() < deadline,
                "instance {}: timed out waiting for {what}\n{}",
                self.id,
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `steward fleet status --json` through this instance's service.
    fn fleet_status(&self) -> Value {
        let run = self.run(&["fleet", "status", "--json"]);
        assert_eq!(
            run.code,
            Some(0),
            "{}\n{}\n{}",
            run.stdout,
            run.stderr,
            self.log()
        );
        run.json()
    }

    fn current(&self) -> String {
        self.s.current().display().to_string()
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        drop(Bot(&self.s.install));
    }
}

/// Three instances, `a` in the canary group, each with `publish` done on
/// its release server; returns once every one is registered.
fn fleet(cluster: &EtcdCluster, publish: impl Fn(&Setup)) -> Vec<Instance> {
    let endpoints = cluster.endpoints_toml();
    let fleet: Vec<Instance> = [("a", "canary"), ("b", "production"), ("c", "production")]
        .into_iter()
        .map(|(id, group)| {
            Instance::start(
                &endpoints,
                id,
                group,
                "max_unavailable = 1\ninstance_timeout_seconds = 180",
            )
        })
        .collect();
    for i in &fleet {
        publish(&i.s);
    }
    fleet[0].wait_for("every instance registered", |a| {
        a.fleet_status()["instances"]
            .as_array()
            .is_some_and(|all| all.len() == 3)
    });
    fleet
}

/// An RFC 3339 UTC time as seconds since the start of its month (the
/// tests' waves take seconds, not months).
fn seconds(at: &str) -> f64 {
    let (date, time) = at.trim_end_matches('Z').split_once('T').unwrap();
    let day: f64 = date.rsplit('-').next().unwrap().parse().unwrap();
    let mut hms = time.split(':').map(|n| n.parse::<f64>().unwrap());
    let (h, m, s) = (
        hms.next().unwrap(),
        hms.next().unwrap(),
        hms.next().unwrap(),
    );
    ((day * 24.0 + h) * 60.0 + m) * 60.0 + s
}

fn part<'a>(wave: &'a Value, id: &str) -> &'a Value {
    &wave["parts"][id]
}

#[test]
fn a_fleet_install_updates_the_canary_first_then_each_batch_and_finishes() {
    let cluster = EtcdCluster::start(3);
    let fleet = fleet(&cluster, |s| s.publish_150(&s.demo_bot_py()));

    let run = fleet[1].run(&["fleet", "install", "--type", "bot", "--json"]);
    assert_eq!(
        run.code,
        Some(0),
        "{}\n{}\n{}",
        run.stdout,
        run.stderr,
        fleet[0].log()
    );
    let wave = run.json();
    assert_eq!(wave["phase"], "finished", "{wave:#}");
    assert_eq!(wave["batches"], serde_json::json!([["a"], ["b"], ["c"]]));
    for i in &fleet {
        let p = part(&wave, &i.id);
        assert_eq!(p["state"], "done", "{wave:#}");
        assert_eq!(p["from_version"], "1.4.0", "{wave:#}");
        assert_eq!(p["to_version"], "1.5.0", "{wave:#}");
        assert_eq!(i.current(), "1.5.0");
        assert_eq!(i.s.last_ready_version().as_deref(), Some("1.5.0"));
    }
    // Each batch was ordered only once the one before had passed: after
    // its whole transaction, probation included.
    let ordered = |id: &str| seconds(part(&wave, id)["ordered_at"].as_str().unwrap());
    let took = |id: &str| part(&wave, id)["took_secs"].as_f64().unwrap();
    assert!(ordered("b") >= ordered("a") + took("a"), "{wave:#}");
    assert!(ordered("c") >= ordered("b") + took("b"), "{wave:#}");

    // The figures: the whole wave against the sum of the instances' own
    // transactions (each includes its probation).
    let took: f64 = fleet
        .iter()
        .map(|i| part(&wave, &i.id)["took_secs"].as_f64().unwrap())
        .sum();
    eprintln!(
        "fleet wave: requested {} finished {}; instances' transactions {took:.2}s in total",
        wave["requested_at"], wave["finished_at"]
    );

    let status = fleet[2].fleet_status();
    assert_eq!(status["last_wave"]["id"], wave["id"]);
    assert!(status["wave"].is_null(), "{status:#}");
    let versions: Vec<&str> = status["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["bot_version"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(versions, ["1.5.0", "1.5.0", "1.5.0"], "{status:#}");
    let table = fleet[2].run(&["fleet", "status"]);
    assert!(
        table.stdout.contains("Fleet test (3 instances), leader: "),
        "{}",
        table.stdout
    );
    assert!(
        table.stdout.contains("Fleet install bot: finished"),
        "{}",
        table.stdout
    );
}

#[test]
fn a_canary_that_fails_probation_halts_the_wave_and_the_rest_stay_on_the_old_version() {
    let cluster = EtcdCluster::start(3);
    let fleet = fleet(&cluster, |s| s.publish_150(CRASHING_BOT));

    let run = fleet[2].run(&["fleet", "install", "--type", "bot", "--json"]);
    assert_eq!(
        run.code,
        Some(5),
        "{}\n{}\n{}",
        run.stdout,
        run.stderr,
        fleet[0].log()
    );
    let wave = run.json();
    assert_eq!(wave["phase"], "halted", "{wave:#}");
    let why = wave["halted_because"].as_str().unwrap();
    assert!(why.starts_with("canary a failed: rolled_back"), "{why}");
    assert_eq!(part(&wave, "a")["state"], "failed", "{wave:#}");
    assert_eq!(part(&wave, "b")["state"], "waiting", "{wave:#}");
    assert_eq!(part(&wave, "c")["state"], "waiting", "{wave:#}");
    for i in &fleet {
        assert_eq!(i.current(), "1.4.0", "instance {}", i.id);
    }
    // The canary was put back and runs the old release again.
    assert_eq!(fleet[0].s.last_ready_version().as_deref(), Some("1.4.0"));

    let table = fleet[1].run(&["fleet", "status"]);
    assert!(
        table
            .stdout
            .contains("Fleet install bot: halted: canary a failed"),
        "{}",
        table.stdout
    );
}

#[test]
fn the_fleet_keeps_working_with_one_etcd_member_down() {
    let mut cluster = EtcdCluster::start(3);
    let fleet = fleet(&cluster, |s| s.publish_150(&s.demo_bot_py()));
    cluster.stop_member(0);

    let run = fleet[0].run(&["fleet", "check", "--json"]);
    assert_eq!(
        run.code,
        Some(0),
        "{}\n{}\n{}",
        run.stdout,
        run.stderr,
        fleet[0].log()
    );
    let wave = run.json();
    assert_eq!(wave["phase"], "finished", "{wave:#}");
    assert_eq!(wave["batches"], serde_json::json!([["a", "b", "c"]]));
    for id in ["a", "b", "c"] {
        assert_eq!(part(&wave, id)["state"], "done", "{wave:#}");
        let found = part(&wave, id)["message"].as_str().unwrap();
        assert!(found.ends_with("update(s) available"), "{wave:#}");
    }

    // A local install takes the fleet lock, runs, and frees it.
    let local = fleet[1].run(&["install", "--type", "bot", "--yes", "--json"]);
    assert_eq!(
        local.code,
        Some(0),
        "{}\n{}\n{}",
        local.stdout,
        local.stderr,
        fleet[1].log()
    );
    assert_eq!(local.json()["session"]["status"], "completed");
    assert_eq!(fleet[1].current(), "1.5.0");
    let status = fleet[2].fleet_status();
    assert!(status["lock"].is_null(), "{status:#}");
    assert_eq!(
        status["instances"].as_array().unwrap().len(),
        3,
        "{status:#}"
    );
}

#[test]
fn with_etcd_unreachable_an_update_is_refused_clearly_and_nothing_changes() {
    let mut cluster = EtcdCluster::start(3);
    let a = Instance::start(&cluster.endpoints_toml(), "a", "canary", "");
    a.s.publish_150(&a.s.demo_bot_py());
    a.wait_for("a registered", |a| {
        a.fleet_status()["instances"]
            .as_array()
            .is_some_and(|all| all.len() == 1)
    });
    cluster.stop_all();

    let local = a.run(&["install", "--type", "bot", "--yes"]);
    assert_eq!(local.code, Some(2), "{}\n{}", local.stdout, local.stderr);
    assert!(
        local
            .stderr
            .contains("Fleet mode is on, but etcd does not answer at http://127.0.0.1:")
            && local.stderr.contains("Nothing was changed"),
        "{}",
        local.stderr
    );
    let wave = a.run(&["fleet", "install", "--type", "bot"]);
    assert_eq!(wave.code, Some(2), "{}\n{}", wave.stdout, wave.stderr);
    assert!(
        wave.stderr.contains("etcd does not answer"),
        "{}",
        wave.stderr
    );

    // No half-state: the old release runs, no journal, no session.
    assert_eq!(a.current(), "1.4.0");
    assert!(
        !a.s.install
            .data()
            .join("journal")
            .read_dir()
            .is_ok_and(|mut d| d.next().is_some())
    );
    let status = a.run(&["status", "--history", "--json"]).json();
    assert!(
        status["history"].as_array().is_none_or(|h| h.is_empty()),
        "{status:#}"
    );
}

#[test]
fn a_new_leader_finishes_the_wave_when_the_leader_is_killed_mid_wave() {
    let cluster = EtcdCluster::start(3);
    // Each new release takes a few seconds to come up, so the wave is
    // still running when the leader dies.
    let mut fleet = fleet(&cluster, |s| s.publish_150(&slow(&s.demo_bot_py())));
    // `a` joined first, so it won the election.
    fleet[1].wait_for("a leading", |b| b.fleet_status()["leader"] == "a");

    let follower = fleet[2]
        .s
        .install
        .command(&["fleet", "install", "--type", "bot", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The canary (a itself) has passed and the next batch runs: the
    // leader dies (SIGKILL, its lease left to expire).
    fleet[1].wait_for("the wave past its canary", |b| {
        b.fleet_status()["wave"]["batch"]
            .as_u64()
            .is_some_and(|n| n >= 1)
    });
    fleet[0].child.kill().unwrap();
    fleet[0].child.wait().unwrap();

    let out = follower.wait_with_output().unwrap();
    let run = Run::from(out);
    assert_eq!(
        run.code,
        Some(0),
        "{}\n{}\n{}",
        run.stdout,
        run.stderr,
        fleet[1].log()
    );
    let wave = run.json();
    assert_eq!(wave["phase"], "finished", "{wave:#}");
    assert_ne!(wave["leader"], "a", "{wave:#}");
    for i in &fleet {
        assert_eq!(part(&wave, &i.id)["state"], "done", "{wave:#}");
        assert_eq!(i.current(), "1.5.0", "instance {}", i.id);
    }
    let status = fleet[1].fleet_status();
    assert_ne!(status["leader"], "a", "{status:#}");
    assert_eq!(
        status["instances"].as_array().unwrap().len(),
        2,
        "{status:#}"
    );
}

#[test]
fn an_instance_that_never_reports_halts_the_wave_naming_it_and_what_it_updated_is_rolled_back() {
    let cluster = EtcdCluster::start(3);
    let endpoints = cluster.endpoints_toml();
    let lines = "max_unavailable = 1\ninstance_timeout_seconds = 30";
    let mut fleet: Vec<Instance> = [("a", "canary"), ("b", "production"), ("c", "production")]
        .into_iter()
        .map(|(id, group)| Instance::start(&endpoints, id, group, lines))
        .collect();
    for i in &fleet {
        i.s.publish_150(&i.s.demo_bot_py());
    }
    fleet[2].wait_for("every instance registered and a leader", |c| {
        let status = c.fleet_status();
        status["leader"].is_string()
            && status["instances"]
                .as_array()
                .is_some_and(|all| all.len() == 3)
    });
    // The instance that goes away is not the leader, and comes after the
    // canary (a): b, or c when b leads.
    let leader = fleet[2].fleet_status()["leader"]
        .as_str()
        .unwrap()
        .to_string();
    let victim = if leader == "b" { 2 } else { 1 };
    let asker = 3 - victim;

    let follower = fleet[asker]
        .s
        .install
        .command(&["fleet", "install", "--type", "bot", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // It is gone for good once the wave is planned with it.
    fleet[asker].wait_for("the wave planned", |c| {
        c.fleet_status()["wave"]["phase"] == "running"
    });
    fleet[victim].child.kill().unwrap();
    fleet[victim].child.wait().unwrap();

    // While the wave holds the fleet, a local update is refused, naming it.
    let local = fleet[asker].run(&["install", "--type", "bot", "--yes"]);
    assert_eq!(local.code, Some(2), "{}\n{}", local.stdout, local.stderr);
    assert!(
        local.stderr.contains("The fleet is busy: wave ")
            && local.stderr.contains("(install bot) requested by cli:"),
        "{}",
        local.stderr
    );

    let run = Run::from(follower.wait_with_output().unwrap());
    assert_eq!(
        run.code,
        Some(5),
        "{}\n{}\n{}",
        run.stdout,
        run.stderr,
        fleet[0].log()
    );
    let wave = run.json();
    assert_eq!(wave["phase"], "halted", "{wave:#}");
    let gone = &fleet[victim].id;
    assert_eq!(
        wave["halted_because"],
        format!("instance {gone} failed: did not report within 30s"),
        "{wave:#}"
    );
    // The instances the wave had updated were put back; the rest never began.
    for (n, i) in fleet.iter().enumerate() {
        let expected = match n.cmp(&victim) {
            std::cmp::Ordering::Less => "rolled_back",
            std::cmp::Ordering::Equal => "failed",
            std::cmp::Ordering::Greater => "waiting",
        };
        assert_eq!(part(&wave, &i.id)["state"], expected, "{wave:#}");
        assert_eq!(i.current(), "1.4.0", "instance {}", i.id);
    }
    assert_eq!(fleet[0].s.last_ready_version().as_deref(), Some("1.4.0"));
}

/// Waits for `child` at most `within`; kills it past that (the test fails).
fn finish_within(mut child: Child, within: Duration, what: &str) -> Run {
    let deadline = Instant::now() + within;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "{what} did not end within {within:?}\n{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Run::from(child.wait_with_output().unwrap())
}

#[test]
fn a_group_waits_until_the_group_before_it_ran_the_release_healthy_for_its_soak_then_gets_only_that_release()
 {
    let cluster = EtcdCluster::start(3);
    let endpoints = cluster.endpoints_toml();
    let lines = "max_unavailable = 1\ninstance_timeout_seconds = 180\n[fleet.promotion]\nproduction = { after = \"staging\", soak = \"15s\" }";
    let fleet: Vec<Instance> = [("s", "staging"), ("p1", "production"), ("p2", "production")]
        .into_iter()
        .map(|(id, group)| Instance::start(&endpoints, id, group, lines))
        .collect();
    for i in &fleet {
        i.s.publish_150(&i.s.demo_bot_py());
    }
    // p1 is offered a newer release than staging will have run.
    let template = std::fs::read(fleet[1].s.install.bot().join("config.template.toml")).unwrap();
    let demo = fleet[1].s.demo_bot_py();
    fleet[1].s.publish(
        "1.6.0",
        &[
            ("bot.py", &demo),
            ("VERSION", b"1.6.0\n"),
            ("config.template.toml", &template),
        ],
    );
    fleet[0].wait_for("every instance registered", |s| {
        s.fleet_status()["instances"]
            .as_array()
            .is_some_and(|all| all.len() == 3)
    });

    // Staging alone first: production stays where it was.
    let run = fleet[1].run(&[
        "fleet", "install", "--type", "bot", "--group", "staging", "--json",
    ]);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    let wave = run.json();
    assert_eq!(wave["phase"], "finished", "{wave:#}");
    assert_eq!(wave["group"], "staging", "{wave:#}");
    assert_eq!(wave["batches"], serde_json::json!([["s"]]), "{wave:#}");
    assert_eq!(fleet[0].current(), "1.5.0");
    assert_eq!(fleet[1].current(), "1.4.0");
    assert_eq!(fleet[2].current(), "1.4.0");

    // Production, before staging has soaked: refused, saying how long is left.
    let refused = fleet[2].run(&["fleet", "install", "--type", "bot", "--group", "production"]);
    assert_eq!(
        refused.code,
        Some(2),
        "{}\n{}",
        refused.stdout,
        refused.stderr
    );
    assert!(
        refused.stderr.contains(
            "Group production is promoted only after staging (fleet.promotion): 1.5.0 has run healthy on staging for "
        ) && refused.stderr.contains("of the 15s it must; ")
            && refused.stderr.contains(" left. Nothing was started."),
        "{}",
        refused.stderr
    );
    // A wave of the whole fleet covers production too, so it waits as well.
    let whole = fleet[2].run(&["fleet", "install", "--type", "bot"]);
    assert_eq!(whole.code, Some(2), "{}\n{}", whole.stdout, whole.stderr);
    assert!(
        whole
            .stderr
            .contains("Group production is promoted only after staging"),
        "{}",
        whole.stderr
    );
    assert_eq!(fleet[1].current(), "1.4.0");
    assert!(fleet[2].fleet_status()["wave"].is_null());
    // The evidence is etcd's.
    let evidence = cluster.ctl(&["get", "--print-value-only", "/steward/fleets/test/soak/s"]);
    let evidence: Value = serde_json::from_slice(&evidence.stdout).unwrap();
    assert_eq!(evidence["version"], "1.5.0", "{evidence:#}");
    assert!(evidence["healthy_since"].is_string(), "{evidence:#}");

    // Once it has: the wave is pinned to what staging ran, so p1 (the
    // canary, offered 1.6.0) refuses and nothing changes anywhere.
    std::thread::sleep(Duration::from_secs(15));
    let run = fleet[2].run(&[
        "fleet",
        "install",
        "--type",
        "bot",
        "--group",
        "production",
        "--json",
    ]);
    assert_eq!(run.code, Some(5), "{}\n{}", run.stdout, run.stderr);
    let wave = run.json();
    assert_eq!(wave["pinned"], "1.5.0", "{wave:#}");
    assert_eq!(
        wave["batches"],
        serde_json::json!([["p1"], ["p2"]]),
        "{wave:#}"
    );
    assert_eq!(
        wave["halted_because"],
        "canary p1 failed: offered bot 1.6.0, but the wave is pinned to 1.5.0 (the release promoted); nothing was changed",
        "{wave:#}"
    );
    assert_eq!(fleet[1].current(), "1.4.0");
    assert_eq!(fleet[2].current(), "1.4.0");

    // Offered the promoted release, production gets it.
    fleet[1].s.publish_150(&demo);
    let run = fleet[2].run(&[
        "fleet",
        "install",
        "--type",
        "bot",
        "--group",
        "production",
        "--json",
    ]);
    assert_eq!(
        run.code,
        Some(0),
        "{}\n{}\n{}",
        run.stdout,
        run.stderr,
        fleet[2].log()
    );
    let wave = run.json();
    assert_eq!(wave["phase"], "finished", "{wave:#}");
    for i in &fleet {
        assert_eq!(i.current(), "1.5.0", "instance {}", i.id);
    }
    let unknown = fleet[0].run(&["fleet", "check", "--group", "qa"]);
    assert_eq!(unknown.code, Some(2), "{}", unknown.stderr);
    assert!(
        unknown.stderr.contains(
            "No instance of group qa is registered in the fleet (groups: production, staging)."
        ),
        "{}",
        unknown.stderr
    );
}

#[test]
fn a_fleet_install_that_no_instance_can_lead_gives_up_after_the_wave_timeout_and_changes_nothing() {
    let cluster = EtcdCluster::start(3);
    // Another process holds the fleet's election (as a Steward stuck
    // leading would), so no instance can lead.
    let mut squatter = Command::new(steward_tests::etcd::ETCDCTL)
        .env("ETCDCTL_API", "3")
        .arg(format!("--endpoints={}", cluster.endpoints().join(",")))
        .args(["elect", "/steward/fleets/test/leader", "squatter"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let a = Instance::start(
        &cluster.endpoints_toml(),
        "a",
        "canary",
        "wave_timeout_seconds = 3",
    );
    a.s.publish_150(&a.s.demo_bot_py());
    a.wait_for("a registered under the squatter's leadership", |a| {
        let status = a.fleet_status();
        status["leader"] == "squatter"
            && status["instances"]
                .as_array()
                .is_some_and(|all| all.len() == 1)
    });

    let asked =
        a.s.install
            .command(&["fleet", "install", "--type", "bot"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
    let run = finish_within(asked, Duration::from_secs(60), "fleet install");
    assert_eq!(
        run.code,
        Some(2),
        "{}\n{}\n{}",
        run.stdout,
        run.stderr,
        a.log()
    );
    assert!(
        run.stderr.contains("Gave up waiting for a leader to plan wave ")
            && run.stderr.contains(
                " for 3s (fleet.wave_timeout_seconds): etcd's election for the fleet is held by \"squatter\", which is no registered instance."
            )
            && run.stderr.contains("The wave was withdrawn before any instance was told to do anything: nothing was changed."),
        "{}",
        run.stderr
    );
    // Nothing half-applied: no wave, no order, the old release.
    let status = a.fleet_status();
    assert!(
        status["wave"].is_null() && status["last_wave"].is_null(),
        "{status:#}"
    );
    let orders = cluster.ctl(&[
        "get",
        "--prefix",
        "--keys-only",
        "/steward/fleets/test/orders/",
    ]);
    assert!(String::from_utf8_lossy(&orders.stdout).trim().is_empty());
    assert_eq!(a.current(), "1.4.0");

    // With the election free again, a leads and waves run.
    let _ = squatter.kill();
    let _ = squatter.wait();
    a.wait_for("a leading", |a| a.fleet_status()["leader"] == "a");
    let run = a.run(&["fleet", "check", "--json"]);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.json()["phase"], "finished");
}

#[test]
fn fleet_rollback_after_a_finished_wave_puts_every_instance_back_on_the_old_release() {
    let cluster = EtcdCluster::start(3);
    let fleet = fleet(&cluster, |s| s.publish_150(&s.demo_bot_py()));
    let run = fleet[0].run(&["fleet", "install", "--type", "bot", "--json"]);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    for i in &fleet {
        assert_eq!(i.current(), "1.5.0", "instance {}", i.id);
    }

    let run = fleet[1].run(&["fleet", "rollback", "1.4.0", "--json"]);
    assert_eq!(
        run.code,
        Some(0),
        "{}\n{}\n{}",
        run.stdout,
        run.stderr,
        fleet[0].log()
    );
    let wave = run.json();
    assert_eq!(wave["phase"], "finished", "{wave:#}");
    assert_eq!(wave["batches"], serde_json::json!([["a"], ["b"], ["c"]]));
    for i in &fleet {
        let p = part(&wave, &i.id);
        assert_eq!(p["state"], "done", "{wave:#}");
        assert_eq!(p["from_version"], "1.5.0", "{wave:#}");
        assert_eq!(p["to_version"], "1.4.0", "{wave:#}");
        assert_eq!(i.current(), "1.4.0", "instance {}", i.id);
        assert_eq!(i.s.last_ready_version().as_deref(), Some("1.4.0"));
    }
    let table = fleet[2].run(&["fleet", "status"]);
    assert!(
        table.stdout.contains("Fleet rollback to 1.4.0: finished"),
        "{}",
        table.stdout
    );
}

#[test]
fn a_fleet_over_tls_with_etcd_authentication_runs_waves_and_a_wrong_password_is_refused_clearly() {
    use steward_tests::etcd::{STEWARD_PASSWORD, STEWARD_USER};
    let cluster = EtcdCluster::start_secured(3);
    let endpoints = cluster.endpoints_toml();
    assert!(endpoints.contains("https://127.0.0.1:"), "{endpoints}");
    let security = format!(
        "[fleet.tls]\nca_file = \"{}\"\n[fleet.auth]\nuser = \"{STEWARD_USER}\"\npassword_env = \"STEWARD_ETCD_PASSWORD\"",
        cluster.ca_file().unwrap().display()
    );
    let env = [("STEWARD_ETCD_PASSWORD", STEWARD_PASSWORD)];
    let fleet: Vec<Instance> = [("a", "canary"), ("b", "production")]
        .into_iter()
        .map(|(id, group)| Instance::start_env(&endpoints, id, group, &security, &env))
        .collect();
    for i in &fleet {
        i.s.publish_150(&i.s.demo_bot_py());
    }
    fleet[0].wait_for("both registered", |a| {
        a.fleet_status()["instances"]
            .as_array()
            .is_some_and(|all| all.len() == 2)
    });
    let run = fleet[1].run(&["fleet", "install", "--type", "bot", "--json"]);
    assert_eq!(
        run.code,
        Some(0),
        "{}\n{}\n{}",
        run.stdout,
        run.stderr,
        fleet[0].log()
    );
    assert_eq!(run.json()["phase"], "finished");
    for i in &fleet {
        assert_eq!(i.current(), "1.5.0", "instance {}", i.id);
    }
    // What Steward wrote is behind etcd's authentication.
    let anonymous = Command::new(steward_tests::etcd::ETCDCTL)
        .env("ETCDCTL_API", "3")
        .arg(format!("--endpoints={}", cluster.endpoints()[0]))
        .arg(format!("--cacert={}", cluster.ca_file().unwrap().display()))
        .args(["get", "--prefix", "/steward/"])
        .output()
        .unwrap();
    assert!(!anonymous.status.success());

    // Another instance with the wrong password: its update is refused,
    // naming the cause, and nothing changes.
    let c = setup_with(
        &format!(
            "{ONLY_RELEASE}\n[fleet]\nendpoints = {endpoints}\nname = \"test\"\ninstance = \"c\"\nrequest_timeout_seconds = 2\n{security}\n"
        ),
        "",
    );
    c.publish_150(&c.demo_bot_py());
    let out = c
        .install
        .command(&["install", "--type", "bot", "--yes"])
        .env("STEWARD_ETCD_PASSWORD", "not-the-password")
        .output()
        .unwrap();
    let refused = Run::from(out);
    assert_eq!(
        refused.code,
        Some(2),
        "{}\n{}",
        refused.stdout,
        refused.stderr
    );
    assert!(
        refused.stderr.contains(
            "etcd refused Steward's credentials (user steward from [fleet.auth], password from $STEWARD_ETCD_PASSWORD)"
        ) && refused.stderr.contains("authentication failed")
            && refused.stderr.contains("Nothing was changed"),
        "{}",
        refused.stderr
    );
    assert_eq!(c.current(), std::path::PathBuf::from("1.4.0"));
    let unset = c
        .install
        .command(&["install", "--type", "bot", "--yes"])
        .env_remove("STEWARD_ETCD_PASSWORD")
        .output()
        .unwrap();
    let unset = Run::from(unset);
    assert_eq!(unset.code, Some(2), "{}", unset.stderr);
    assert!(
        unset
            .stderr
            .contains("[fleet.auth] password_env names $STEWARD_ETCD_PASSWORD, which is not set"),
        "{}",
        unset.stderr
    );
}

#[test]
fn a_local_update_without_a_service_frees_the_fleet_lock_when_it_ends() {
    let cluster = EtcdCluster::start(3);
    // A long lease: the lock must go with the command, not with the lease.
    let s = setup_with(
        &format!(
            "{ONLY_RELEASE}\n[fleet]\nendpoints = {}\nname = \"test\"\ninstance = \"solo\"\nlease_seconds = 120\n",
            cluster.endpoints_toml()
        ),
        "",
    );
    s.publish_150(&s.demo_bot_py());
    let lock = || {
        let out = cluster.ctl(&["get", "--print-value-only", "/steward/fleets/test/lock"]);
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let mut child = s
        .install
        .command(&["install", "--type", "bot", "--yes", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // It holds the lock while it runs…
    let mut held = String::new();
    while child.try_wait().unwrap().is_none() && held.is_empty() {
        held = lock();
        std::thread::sleep(Duration::from_millis(50));
    }
    let run = finish_within(child, Duration::from_secs(120), "the local install");
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    assert_eq!(
        run.json()["session"]["status"],
        "completed",
        "{}",
        run.stdout
    );
    assert!(
        held.contains("\"instance\":\"solo\"") && held.contains("\"doing\":\"install\""),
        "the lock was never seen held: {held:?}"
    );
    // …and not a moment longer: neither the lock nor its lease is left.
    assert_eq!(lock(), "", "the fleet lock outlived the command");
    let leases = cluster.ctl(&["lease", "list"]);
    assert!(
        String::from_utf8_lossy(&leases.stdout).contains("found 0 leases"),
        "{}",
        String::from_utf8_lossy(&leases.stdout)
    );
}
