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

    pub fn exists(&self, name: &str) -> bool {
        self.dir.path().join(name).exists()
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

/// What the host does with a plan made only of write-file steps.
pub fn apply(plan: &Plan) {
    for step in &plan.steps {
        match &step.action {
            Action::WriteFile(w) => std::fs::write(Path::new(&w.path), &w.contents).unwrap(),
            _ => panic!("the config provider plans only file writes: {}", step.description),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scratch() {
        let bot = demo_toml();
        let u = bot.update();
        println!("{u:#?}");
        let p = bot.plan();
        for s in &p.steps { println!("{}\n", s.description); if let Action::WriteFile(w) = &s.action { println!("{}\n----\n{}", w.diff.clone().unwrap_or_default(), String::from_utf8_lossy(&w.contents)); } }
        println!("restart {}", p.restart);
        panic!();
    }
}
