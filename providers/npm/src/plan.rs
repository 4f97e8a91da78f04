//! The npm commands that install updates and put a captured state back, the
//! captured state (package.json and the lockfile, byte for byte), and the
//! check that updates landed. It builds steps; the host runs them.

use std::collections::BTreeMap;

use nodejs_semver::Version;
use serde::{Deserialize, Serialize};
use steward_sdk::{Action, Command, Error, ErrorCode, Plan, Step, Update, WriteFile};

use crate::project;

/// Flags on every npm run: no audit or funding round trips during an install.
pub const QUIET: [&str; 2] = ["--no-audit", "--no-fund"];

/// One `npm install name@ver …` step in the project for every update.
pub fn install(npm: &str, project_dir: &str, updates: &[Update]) -> Result<Plan, Error> {
    let mut specs = Vec::new();
    for update in updates {
        if let Some(held) = &update.held {
            return Err(Error::new(
                ErrorCode::Conflict,
                format!(
                    "{} is held ({held}); change package.json first",
                    update.name
                ),
            ));
        }
        specs.push(spec(&update.name, &update.latest)?);
    }
    let mut steps = Vec::new();
    if !specs.is_empty() {
        steps.push(npm_step(
            format!("npm install {}", specs.join(" ")),
            npm,
            project_dir,
            "install",
            specs,
        ));
    }
    Ok(Plan {
        steps,
        restart: !updates.is_empty(),
    })
}

/// `name@version`, refusing names that are not npm package names and
/// versions that are not semver (so no argument can pass for an option).
fn spec(name: &str, version: &str) -> Result<String, Error> {
    let bare = name
        .strip_prefix('@')
        .and_then(|scoped| scoped.split_once('/'))
        .map_or(name, |(_, n)| n);
    let valid = |s: &str| {
        !s.is_empty()
            && !s.starts_with(['.', '_', '-'])
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~'))
    };
    let scope_ok = match name.strip_prefix('@') {
        Some(scoped) => scoped
            .split_once('/')
            .is_some_and(|(scope, _)| valid(scope)),
        None => true,
    };
    if !valid(bare) || !scope_ok || Version::parse(version).is_err() {
        return Err(Error::invalid_data(format!(
            "refusing to install {name:?} {version:?}: not an npm package name and semver version"
        )));
    }
    Ok(format!("{name}@{version}"))
}

fn npm_step(description: String, npm: &str, dir: &str, verb: &str, rest: Vec<String>) -> Step {
    let mut args = vec![verb.to_string()];
    args.extend(QUIET.iter().map(|s| s.to_string()));
    args.extend(rest);
    Step {
        description,
        action: Action::Exec(Command {
            program: npm.to_string(),
            args,
            cwd: Some(dir.to_string()),
            timeout_ms: None,
        }),
    }
}

/// What `capture` records: the two files npm install rewrites, and the
/// installed versions (used when there is no lockfile to restore).
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct State {
    pub package_json: String,
    pub lockfile: Option<String>,
    pub installed: BTreeMap<String, String>,
}

pub fn capture(dir: &str) -> Result<Vec<u8>, Error> {
    let manifest = project::package_json_path(dir);
    let package_json = std::fs::read_to_string(&manifest)
        .map_err(|e| Error::not_found(format!("cannot read {manifest}: {e}")))?;
    let state = State {
        package_json,
        lockfile: std::fs::read_to_string(project::lockfile_path(dir)).ok(),
        installed: project::installed_versions(dir),
    };
    serde_json::to_vec(&state).map_err(|e| Error::invalid_data(e.to_string()))
}

/// Puts package.json and the lockfile back and lets `npm ci` rebuild
/// node_modules from them. Without a captured lockfile, reinstalls the
/// captured versions and then puts package.json back.
pub fn restore(npm: &str, dir: &str, state: &[u8]) -> Result<Plan, Error> {
    let state: State = serde_json::from_slice(state)
        .map_err(|e| Error::invalid_data(format!("the captured npm state is not valid: {e}")))?;
    let write = |path: String, contents: &str| Step {
        description: format!("restore {path}"),
        action: Action::WriteFile(WriteFile {
            path,
            contents: contents.as_bytes().to_vec(),
            diff: None,
        }),
    };
    let mut steps = vec![write(project::package_json_path(dir), &state.package_json)];
    match &state.lockfile {
        Some(lockfile) => {
            steps.push(write(project::lockfile_path(dir), lockfile));
            steps.push(npm_step(
                "npm ci (node_modules from the restored lockfile)".into(),
                npm,
                dir,
                "ci",
                Vec::new(),
            ));
        }
        None => {
            let specs = state
                .installed
                .iter()
                .map(|(name, version)| spec(name, version))
                .collect::<Result<Vec<_>, _>>()?;
            if !specs.is_empty() {
                steps.push(npm_step(
                    format!(
                        "npm install {} (back to the captured versions)",
                        specs.join(" ")
                    ),
                    npm,
                    dir,
                    "install",
                    specs,
                ));
                // npm install rewrote the ranges; put the operator's back.
                steps.push(write(project::package_json_path(dir), &state.package_json));
            }
        }
    }
    Ok(Plan {
        steps,
        restart: true,
    })
}

/// Confirms each update's target version is in node_modules now.
pub fn verify(updates: &[Update], installed: &BTreeMap<String, String>) -> Result<(), Error> {
    let wrong: Vec<String> = updates
        .iter()
        .filter_map(|u| match installed.get(&u.name) {
            Some(v) if v == &u.latest => None,
            Some(v) => Some(format!("{} is {v} (expected {})", u.name, u.latest)),
            None => Some(format!(
                "{} is not installed (expected {})",
                u.name, u.latest
            )),
        })
        .collect();
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(Error::new(ErrorCode::Conflict, wrong.join("; ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use steward_sdk::UpdateKind;

    fn exec(step: &Step) -> &Command {
        match &step.action {
            Action::Exec(c) => c,
            _ => panic!("not an exec step"),
        }
    }

    #[test]
    fn plan_is_one_npm_install_in_the_project() {
        let updates = [
            Update::new(UpdateKind::Package, "discord.js", Some("14.0.0"), "14.15.3"),
            Update::new(
                UpdateKind::Package,
                "@discordjs/rest",
                Some("2.0.0"),
                "2.3.0",
            ),
        ];
        let plan = install("/usr/bin/npm", "/srv/bot", &updates).unwrap();
        assert_eq!(plan.steps.len(), 1);
        let c = exec(&plan.steps[0]);
        assert_eq!(c.program, "/usr/bin/npm");
        assert_eq!(c.cwd.as_deref(), Some("/srv/bot"));
        assert_eq!(
            c.args,
            vec![
                "install",
                "--no-audit",
                "--no-fund",
                "discord.js@14.15.3",
                "@discordjs/rest@2.3.0"
            ]
        );
    }

    #[test]
    fn plan_refuses_held_updates_and_option_like_names() {
        let mut held = Update::new(UpdateKind::Package, "left", Some("1.0.0"), "1.2.0");
        held.held = Some("pinned".into());
        assert_eq!(
            install("npm", "/b", &[held]).unwrap_err().code,
            ErrorCode::Conflict
        );
        let sneaky = Update::new(UpdateKind::Package, "--registry=http://evil", None, "1.0.0");
        assert_eq!(
            install("npm", "/b", &[sneaky]).unwrap_err().code,
            ErrorCode::InvalidData
        );
    }

    #[test]
    fn restore_writes_both_files_back_then_runs_npm_ci() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_str().unwrap();
        std::fs::write(
            tmp.path().join("package.json"),
            r#"{"dependencies":{"ws":"^8.0.0"}}"#,
        )
        .unwrap();
        std::fs::write(
            tmp.path().join("package-lock.json"),
            r#"{"lockfileVersion":3}"#,
        )
        .unwrap();
        let state = capture(dir).unwrap();
        let plan = restore("/usr/bin/npm", dir, &state).unwrap();
        assert_eq!(plan.steps.len(), 3);
        match &plan.steps[1].action {
            Action::WriteFile(w) => {
                assert!(w.path.ends_with("package-lock.json"));
                assert_eq!(w.contents, br#"{"lockfileVersion":3}"#);
            }
            _ => panic!("expected the lockfile write"),
        }
        assert_eq!(
            exec(&plan.steps[2]).args,
            vec!["ci", "--no-audit", "--no-fund"]
        );
    }

    #[test]
    fn restore_without_lockfile_reinstalls_captured_versions() {
        let state = serde_json::to_vec(&State {
            package_json: "{}".into(),
            lockfile: None,
            installed: BTreeMap::from([("ws".to_string(), "8.0.0".to_string())]),
        })
        .unwrap();
        let plan = restore("npm", "/b", &state).unwrap();
        assert_eq!(exec(&plan.steps[1]).args[3..], ["ws@8.0.0"]);
        assert!(matches!(plan.steps[2].action, Action::WriteFile(_)));
    }

    #[test]
    fn verify_names_every_update_that_did_not_land() {
        let updates = [Update::new(
            UpdateKind::Package,
            "ws",
            Some("8.0.0"),
            "8.17.1",
        )];
        let ok = BTreeMap::from([("ws".to_string(), "8.17.1".to_string())]);
        assert!(verify(&updates, &ok).is_ok());
        let bad = BTreeMap::from([("ws".to_string(), "8.0.0".to_string())]);
        assert!(
            verify(&updates, &bad)
                .unwrap_err()
                .message
                .contains("ws is 8.0.0 (expected 8.17.1)")
        );
    }
}
