//! End-to-end runs of the provider's verbs on real files in a temp dir: a
//! bot with a template, a base and an operator config. The host's part
//! (running write-file steps) is done by `apply`, exactly as the contract
//! says: write the contents to the path.

use std::path::Path;

use steward_sdk::{Action, Plan, Report, Update};
use tempfile::TempDir;

use crate::settings::Settings;
use crate::{check, plan, rollback, verify};

pub struct Bot {
    pub dir: TempDir,
    pub settings: Settings,
}

impl Bot {
    pub fn new(files: &[(&str, &str)], settings: &[(&str, &str)]) -> Bot {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let pairs: Vec<(String, String)> = settings
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let settings = Settings::resolve(dir.path().to_str().unwrap(), &pairs).unwrap();
        Bot { dir, settings }
    }

    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name)).unwrap()
    }

    pub fn check(&self) -> Report {
        check::check(&self.settings)
    }

    /// The single update `check` reports.
    pub fn update(&self) -> Update {
        let report = self.check();
        assert_eq!(report.updates.len(), 1, "{report:?}");
        report.updates.into_iter().next().unwrap()
    }

    pub fn plan(&self) -> Plan {
        plan::plan(&self.settings, &[self.update()]).unwrap()
    }

    pub fn verify(&self, update: &Update) -> Result<(), String> {
        verify::verify(&self.settings, std::slice::from_ref(update)).map_err(|e| e.to_string())
    }

    pub fn capture(&self) -> Vec<u8> {
        rollback::capture(&self.settings).unwrap()
    }

    pub fn restore_plan(&self, state: &[u8]) -> Plan {
        rollback::restore_plan(state).unwrap()
    }
}

/// The lines `--details` shows for `update`.
pub fn lines(update: &Update) -> Vec<String> {
    update.details.iter().map(ToString::to_string).collect()
}

/// What the host does with a plan made only of file writes and removals.
pub fn apply(plan: &Plan) {
    for step in &plan.steps {
        match &step.action {
            Action::WriteFile(w) => std::fs::write(Path::new(&w.path), &w.contents).unwrap(),
            Action::Remove(r) => std::fs::remove_file(Path::new(&r.path)).unwrap(),
            _ => panic!(
                "the config provider plans only file writes and removals: {}",
                step.description
            ),
        }
    }
}

pub const BASE_TOML: &str = r#"# Demo bot config template
template_version = "1.2.0"

[bot]
# What users type before a command
prefix = "!"
status = "online"
shards = 1

[logging]
level = "info"
# Where the log goes
file = "bot.log"

[limits]
rate = 10
"#;

pub const OPERATOR_TOML: &str = r#"# Our server's bot — edited by hand
template_version = "1.2.0"

[bot]
# What users type before a command
prefix = "?"   # our users know ?
status = "online"
shards = 1
timeout = "30s"
owner_note = "ask Kim"

[logging]
level = "debug"
# Where the log goes
file = "/var/log/bot.log"   # on the big disk

[limits]
rate = 10
"#;

pub const TEMPLATE_TOML: &str = r#"# Demo bot config template
template_version = "1.3.0"

[bot]
# What users type before a command
prefix = "!"
status = "idle"
shards = 1
# Seconds before a command gives up
timeout = 30

[logging]
level = "warn"

[limits]
rate = 20

# Prometheus metrics
[metrics]
# Port to listen on
port = 9100
enabled = false
"#;

pub fn demo_toml() -> Bot {
    Bot::new(
        &[
            ("config.template.toml", TEMPLATE_TOML),
            ("config/config.toml", OPERATOR_TOML),
            ("config/.steward-base.toml", BASE_TOML),
        ],
        &[],
    )
}

pub const MERGED_TOML: &str = r#"# Our server's bot — edited by hand
template_version = "1.3.0"

[bot]
# What users type before a command
prefix = "?"   # our users know ?
status = "idle"
shards = 1
timeout = "30s"
owner_note = "ask Kim"

[logging]
level = "debug"
# Where the log goes
# removed in template 1.3.0: file = "/var/log/bot.log"   # on the big disk

[limits]
rate = 20

# Prometheus metrics
[metrics]
# Port to listen on
port = 9100
enabled = false
"#;

/// The first step's description, contents and diff: the merged config's write.
fn config_write(plan: &Plan) -> (String, String, Option<String>) {
    match &plan.steps[0].action {
        Action::WriteFile(w) => (
            plan.steps[0].description.clone(),
            String::from_utf8(w.contents.clone()).unwrap(),
            w.diff.clone(),
        ),
        other => panic!("expected a write-file, got {other:?}"),
    }
}

#[test]
fn check_reports_one_update_listing_added_removed_and_changed_keys() {
    let update = demo_toml().update();
    assert_eq!(update.id, "config/config.toml");
    assert_eq!(update.current.as_deref(), Some("1.2.0"));
    assert_eq!(update.latest, "1.3.0");
    assert!(update.breaking, "a key was removed and two conflict");
    assert_eq!(
        lines(&update),
        [
            r#"default changed: bot.status "online" -> "idle" (you kept the old default: taking the new one)"#,
            r#"conflict: bot.timeout: your value "30s" is a string, the template's default 30 is an integer; keeping "30s""#,
            r#"conflict: logging.level: you set "debug", the template changed its default "info" -> "warn"; keeping "debug""#,
            "default changed: limits.rate 10 -> 20 (you kept the old default: taking the new one)",
            "added: metrics.port = 9100",
            "added: metrics.enabled = false",
            r#"removed: logging.file (you have "/var/log/bot.log"; it will be commented out)"#,
            "restart needed: bot.status, limits.rate, metrics.port, metrics.enabled, logging.file change",
        ]
    );
}

#[test]
fn merge_keeps_operator_comments_values_and_layout() {
    let bot = demo_toml();
    let plan = bot.plan();
    let (_, merged, diff) = config_write(&plan);
    assert_eq!(merged, MERGED_TOML);
    let diff = diff.expect("the merge changes the file, so the plan shows a diff");
    assert!(
        diff.contains("\n-status = \"online\"\n+status = \"idle\"\n"),
        "{diff}"
    );
    assert!(plan.restart);
}

#[test]
fn merge_keeps_every_operator_value_it_was_not_told_to_change() {
    let bot = demo_toml();
    apply(&bot.plan());
    let merged = crate::formats::Format::Toml
        .parse(&bot.read("config/config.toml"))
        .unwrap();
    let operator = crate::formats::Format::Toml.parse(OPERATOR_TOML).unwrap();
    let changed = [
        "template_version",
        "bot.status",
        "limits.rate",
        "logging.file",
    ];
    for (key, value) in operator.entries() {
        if !changed.contains(&key.to_string().as_str()) {
            assert_eq!(merged.get(key), Some(value), "{key} was not kept");
        }
    }
}

#[test]
fn conflict_is_described_in_the_plan_and_the_operator_value_kept() {
    let bot = demo_toml();
    let plan = bot.plan();
    let (description, merged, _) = config_write(&plan);
    assert!(
        description.contains(
            r#"2 conflict(s), your value kept: conflict: bot.timeout: your value "30s" is a string"#
        ),
        "{description}"
    );
    assert!(
        description.contains(r#"logging.level: you set "debug""#),
        "{description}"
    );
    assert!(merged.contains("level = \"debug\"\n"));
    assert!(!merged.contains("warn"));
}

#[test]
fn removed_key_is_commented_out_naming_the_template_version() {
    let (_, merged, _) = config_write(&demo_toml().plan());
    assert!(
        merged.contains(
            "\n# removed in template 1.3.0: file = \"/var/log/bot.log\"   # on the big disk\n"
        ),
        "{merged}"
    );
}

#[test]
fn plan_records_the_new_template_as_the_base() {
    let bot = demo_toml();
    let plan = bot.plan();
    assert_eq!(plan.steps.len(), 2);
    assert!(
        plan.steps[1]
            .description
            .contains("Record template 1.3.0 as config/.steward-base.toml")
    );
    apply(&plan);
    assert_eq!(bot.read("config/.steward-base.toml"), TEMPLATE_TOML);
}

#[test]
fn verify_fails_before_the_merge_and_passes_after_it() {
    let bot = demo_toml();
    let update = bot.update();
    assert_eq!(
        bot.verify(&update).unwrap_err(),
        r#"config/config.toml: `template_version` is "1.2.0", expected the template's 1.3.0"#
    );
    apply(&bot.plan());
    bot.verify(&update).unwrap();
}

#[test]
fn check_after_the_merge_reports_nothing_more() {
    let bot = demo_toml();
    apply(&bot.plan());
    let report = bot.check();
    assert!(report.updates.is_empty(), "{report:?}");
    assert!(report.warnings.is_empty(), "{report:?}");
}

#[test]
fn restore_plan_puts_config_and_base_back_byte_for_byte() {
    let bot = demo_toml();
    let state = bot.capture();
    apply(&bot.plan());
    assert_ne!(bot.read("config/config.toml"), OPERATOR_TOML);
    let restore = bot.restore_plan(&state);
    assert!(restore.restart, "the bot must reload the old config");
    assert!(
        restore.steps[0]
            .description
            .contains("Put config/config.toml back")
    );
    apply(&restore);
    assert_eq!(bot.read("config/config.toml"), OPERATOR_TOML);
    assert_eq!(bot.read("config/.steward-base.toml"), BASE_TOML);
    assert_eq!(bot.update().latest, "1.3.0", "the update is offered again");
}

#[test]
fn restore_removes_a_base_that_did_not_exist() {
    let bot = Bot::new(
        &[
            ("config.template.toml", TEMPLATE_TOML),
            ("config/config.toml", OPERATOR_TOML),
        ],
        &[],
    );
    let state = bot.capture();
    apply(&bot.plan());
    assert_eq!(bot.read("config/.steward-base.toml"), TEMPLATE_TOML);
    let restore = bot.restore_plan(&state);
    assert!(
        restore.steps[1]
            .description
            .contains("did not exist before the update"),
        "{:?}",
        restore.steps
    );
    assert!(
        matches!(&restore.steps[1].action, Action::Remove(r) if r.path.ends_with("config/.steward-base.toml")),
        "{:?}",
        restore.steps
    );
    apply(&restore);
    assert_eq!(bot.read("config/config.toml"), OPERATOR_TOML);
    assert!(!bot.dir.path().join("config/.steward-base.toml").exists());
}

#[test]
fn restore_refuses_state_that_is_not_this_providers() {
    let err = rollback::restore_plan(br#"{"kind":"other","config":{},"base":{}}"#).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("the saved rollback state is not this provider's"),
        "{err}"
    );
}

#[test]
fn without_a_base_values_are_kept_and_keys_only_added() {
    let bot = Bot::new(
        &[
            ("config.template.toml", TEMPLATE_TOML),
            ("config/config.toml", OPERATOR_TOML),
        ],
        &[],
    );
    let report = bot.check();
    assert_eq!(
        report.warnings,
        [
            "no base template at config/.steward-base.toml: comparing keys only, with config/config.toml standing in for the base: all your values are kept and no changed default is taken"
        ]
    );
    let (description, merged, _) = config_write(&bot.plan());
    assert!(
        description.contains("No usable base template"),
        "{description}"
    );
    assert!(
        merged.contains("status = \"online\""),
        "not adopted without a base"
    );
    assert!(merged.contains("rate = 10"));
    assert!(
        merged.contains("file = \"/var/log/bot.log\"   # on the big disk"),
        "kept"
    );
    assert!(merged.contains("[metrics]\n# Port to listen on\nport = 9100\n"));
}

#[test]
fn missing_template_is_an_empty_report_with_a_warning() {
    let bot = Bot::new(&[("config/config.toml", OPERATOR_TOML)], &[]);
    let report = bot.check();
    assert!(report.updates.is_empty());
    assert_eq!(
        report.warnings,
        ["no template at config.template.toml: nothing to compare the config with"]
    );
}

#[test]
fn an_unreadable_bot_root_is_reported_as_a_missing_grant_not_a_missing_file() {
    let bot = Bot::new(&[], &[]);
    let hidden =
        Settings::resolve(bot.dir.path().join("not-granted").to_str().unwrap(), &[]).unwrap();
    let report = check::check(&hidden);
    assert!(
        report.warnings[0].starts_with("cannot see the bot root ")
            && report.warnings[0]
                .ends_with("grant the config provider read access to \"{bot}\" in steward.toml"),
        "{report:?}"
    );
}

#[test]
fn unparsable_config_is_a_warning_naming_the_file() {
    let bot = Bot::new(
        &[
            ("config.template.toml", TEMPLATE_TOML),
            ("config/config.toml", "[bot\nprefix = '?'\n"),
        ],
        &[],
    );
    let report = bot.check();
    assert!(report.updates.is_empty());
    assert!(
        report.warnings[0]
            .starts_with("config/config.toml is not valid TOML: TOML parse error at line 1"),
        "{report:?}"
    );
}

#[test]
fn template_without_a_version_key_is_a_warning() {
    let bot = Bot::new(
        &[
            ("config.template.toml", "[bot]\nprefix = '!'\n"),
            ("config/config.toml", OPERATOR_TOML),
        ],
        &[],
    );
    assert_eq!(
        bot.check().warnings,
        ["config.template.toml has no `template_version` key, so its template version is unknown"]
    );
}

#[test]
fn older_template_is_not_offered() {
    let bot = Bot::new(
        &[
            ("config.template.toml", BASE_TOML),
            (
                "config/config.toml",
                &OPERATOR_TOML.replace("1.2.0", "1.3.0"),
            ),
            ("config/.steward-base.toml", TEMPLATE_TOML),
        ],
        &[],
    );
    let report = bot.check();
    assert!(report.updates.is_empty());
    assert!(
        report.warnings[0].contains("version 1.2.0, older than 1.3.0"),
        "{report:?}"
    );
}

#[test]
fn newer_template_with_the_same_keys_updates_only_the_version() {
    let template = BASE_TOML.replace("1.2.0", "1.2.1");
    let bot = Bot::new(
        &[
            ("config.template.toml", &template),
            ("config/config.toml", OPERATOR_TOML),
            ("config/.steward-base.toml", BASE_TOML),
        ],
        &[],
    );
    let update = bot.update();
    assert!(!update.breaking);
    assert_eq!(
        lines(&update),
        ["no restart needed: no setting changes value"]
    );
    let plan = bot.plan();
    assert!(!plan.restart);
    let (_, merged, _) = config_write(&plan);
    assert_eq!(merged, OPERATOR_TOML.replace("1.2.0", "1.2.1"));
}

#[test]
fn hot_reloadable_changes_need_no_restart() {
    let bot = Bot::new(
        &[
            ("config.template.toml", TEMPLATE_TOML),
            ("config/config.toml", OPERATOR_TOML),
            ("config/.steward-base.toml", BASE_TOML),
        ],
        &[(
            "hot_reload_keys",
            r#"["bot.status", "limits", "metrics", "logging"]"#,
        )],
    );
    assert_eq!(
        lines(&bot.update()).last().unwrap(),
        "no restart needed: every changed setting is hot-reloadable"
    );
    assert!(!bot.plan().restart);
}

#[test]
fn plan_refuses_when_the_template_changed_since_the_check() {
    let bot = demo_toml();
    let update = bot.update();
    std::fs::write(
        bot.dir.path().join("config.template.toml"),
        TEMPLATE_TOML.replace("1.3.0", "1.4.0"),
    )
    .unwrap();
    let err = plan::plan(&bot.settings, &[update]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the template changed since the check (config.template.toml is now version 1.4.0, the update was for 1.3.0); check again"
    );
}

#[test]
fn plan_for_another_providers_updates_is_empty() {
    let bot = demo_toml();
    let mut update = bot.update();
    update.id = "requests".into();
    update.kind = steward_sdk::UpdateKind::Package;
    let plan = plan::plan(&bot.settings, &[update]).unwrap();
    assert!(plan.steps.is_empty());
}

const ENV_BASE: &str =
    "# Demo bot\nTEMPLATE_VERSION=1.0.0\nPREFIX=!\nLOG_LEVEL=info\nLEGACY_MODE=false\n";
const ENV_OPERATOR: &str = "# Demo bot\nTEMPLATE_VERSION=1.0.0\n# set by ops\nPREFIX=\"?\"\nLOG_LEVEL=info  # default\nLEGACY_MODE=true\nDISCORD_TOKEN=abc\n";
const ENV_TEMPLATE: &str = "# Demo bot\nTEMPLATE_VERSION=2.0.0\nPREFIX=!\nLOG_LEVEL=warn\n# How many shards to run\nSHARDS=2\n";

#[test]
fn env_merge_comments_out_removed_keys_adds_new_ones_and_keeps_values() {
    let bot = Bot::new(
        &[
            ("template.env", ENV_TEMPLATE),
            (".env", ENV_OPERATOR),
            (".env.steward-base", ENV_BASE),
        ],
        &[
            ("template", "template.env"),
            ("config", ".env"),
            ("base", ".env.steward-base"),
        ],
    );
    let update = bot.update();
    assert_eq!(update.current.as_deref(), Some("1.0.0"));
    assert_eq!(update.latest, "2.0.0");
    assert!(
        lines(&update).contains(&"added: SHARDS = \"2\"".to_string()),
        "{:?}",
        update.details
    );
    apply(&bot.plan());
    assert_eq!(
        bot.read(".env"),
        "# Demo bot\nTEMPLATE_VERSION=2.0.0\n# set by ops\nPREFIX=\"?\"\nLOG_LEVEL=warn  # default\n# removed in template 2.0.0: LEGACY_MODE=true\nDISCORD_TOKEN=abc\n# How many shards to run\nSHARDS=2\n"
    );
    bot.verify(&update).unwrap();
}

const JSON_BASE: &str = "{\n  \"template_version\": \"1.0.0\",\n  \"bot\": {\n    \"prefix\": \"!\",\n    \"legacy\": false\n  },\n  \"rate\": 10\n}\n";
const JSON_OPERATOR: &str = "{\n    \"template_version\": \"1.0.0\",\n    \"token\": \"abc\",\n    \"bot\": {\n        \"prefix\": \"?\",\n        \"legacy\": true\n    },\n    \"rate\": 10\n}\n";
const JSON_TEMPLATE: &str = "{\n  \"template_version\": \"1.1.0\",\n  \"bot\": {\n    \"prefix\": \"!\",\n    \"shards\": [1, 2]\n  },\n  \"rate\": 20\n}\n";

#[test]
fn json_merge_drops_removed_keys_with_a_note_and_keeps_order_and_values() {
    let bot = Bot::new(
        &[
            ("config.template.json", JSON_TEMPLATE),
            ("config/config.json", JSON_OPERATOR),
            ("config/.steward-base.json", JSON_BASE),
        ],
        &[
            ("template", "config.template.json"),
            ("config", "config/config.json"),
            ("base", "config/.steward-base.json"),
        ],
    );
    let update = bot.update();
    assert!(
        lines(&update).contains(
            &"removed: bot.legacy (you have true; it will be dropped: JSON has no comments)"
                .to_string()
        ),
        "{:?}",
        update.details
    );
    let plan = bot.plan();
    assert!(
        plan.steps[0]
            .description
            .contains("Note: dropped bot.legacy = true"),
        "{}",
        plan.steps[0].description
    );
    apply(&plan);
    assert_eq!(
        bot.read("config/config.json"),
        "{\n    \"template_version\": \"1.1.0\",\n    \"token\": \"abc\",\n    \"bot\": {\n        \"prefix\": \"?\",\n        \"shards\": [\n            1,\n            2\n        ]\n    },\n    \"rate\": 20\n}\n"
    );
    bot.verify(&update).unwrap();
}
