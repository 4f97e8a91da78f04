//! The commands of the project's own tool (npm, pnpm, Yarn or Bun) that
//! install updates and put a captured state back, the captured state
//! (package.json and the lockfile, byte for byte), and the check that
//! updates landed. It builds steps; the host runs them.

use std::collections::BTreeMap;

use nodejs_semver::Version;
use serde::{Deserialize, Serialize};
use steward_sdk::{Action, Command, Error, ErrorCode, Plan, Step, Update, WriteFile};

use crate::manager::Manager;
use crate::project::{self, Dependency, Section};

/// The tool a plan runs: which manager, at which path.
#[derive(Debug, Clone, Copy)]
pub struct Tool<'a> {
    pub manager: Manager,
    pub program: &'a str,
}

/// One step per package.json section the updates are declared in (so each
/// stays in its section): `npm install name@ver …`, `pnpm add name@^ver …`,
/// `yarn add …` (Yarn 1), `yarn up …` (Berry), `bun add …`, in the project.
pub fn install(
    tool: Tool,
    project_dir: &str,
    updates: &[Update],
    declared: &[Dependency],
) -> Result<Plan, Error> {
    let mut groups: BTreeMap<(bool, bool), Vec<String>> = BTreeMap::new();
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
        let dependency = declared.iter().find(|d| d.name == update.name);
        let section = dependency.map_or(Section::Dependencies, |d| d.section);
        let prefix = match dependency.map(|d| d.range.trim()) {
            Some(r) if tool.manager.keeps_range_prefix() && r.starts_with('^') => "^",
            Some(r) if tool.manager.keeps_range_prefix() && r.starts_with('~') => "~",
            _ => "",
        };
        groups
            .entry((
                section == Section::DevDependencies,
                section == Section::OptionalDependencies,
            ))
            .or_default()
            .push(spec(&update.name, &update.latest, prefix)?);
    }
    let steps = groups
        .into_iter()
        .map(|((dev, optional), specs)| {
            let verb = tool.manager.add_args(dev, optional);
            tool_step(
                format!("{} {} {}", tool.manager.tool(), verb[0], specs.join(" ")),
                tool,
                project_dir,
                &verb,
                specs,
            )
        })
        .collect();
    Ok(Plan {
        steps,
        restart: !updates.is_empty(),
    })
}

/// `name@version` (or `name@^version`), refusing names that are not npm
/// package names and versions that are not semver (so no argument can pass
/// for an option).
fn spec(name: &str, version: &str, prefix: &str) -> Result<String, Error> {
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
    Ok(format!("{name}@{prefix}{version}"))
}

fn tool_step(description: String, tool: Tool, dir: &str, verb: &[&str], rest: Vec<String>) -> Step {
    let mut args: Vec<String> = verb.iter().map(|s| s.to_string()).collect();
    args.extend(rest);
    Step {
        description,
        action: Action::Exec(Command {
            program: tool.program.to_string(),
            args,
            cwd: Some(dir.to_string()),
            timeout_ms: None,
        }),
    }
}

/// What `capture` records: package.json and the lockfile the tool
/// rewrites, and the installed versions (used when there is no lockfile to
/// restore). States captured before the tool was recorded are npm's.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct State {
    pub package_json: String,
    pub lockfile: Option<String>,
    pub installed: BTreeMap<String, String>,
    #[serde(default)]
    pub lockfile_name: Option<String>,
}

pub fn capture(dir: &str, manager: Manager) -> Result<Vec<u8>, Error> {
    let manifest = project::package_json_path(dir);
    let package_json = std::fs::read_to_string(&manifest)
        .map_err(|e| Error::not_found(format!("cannot read {manifest}: {e}")))?;
    let state = State {
        package_json,
        lockfile: std::fs::read_to_string(project::lockfile_path(dir, manager)).ok(),
        installed: project::installed_versions(dir),
        lockfile_name: Some(manager.lockfile().to_string()),
    };
    serde_json::to_vec(&state).map_err(|e| Error::invalid_data(e.to_string()))
}

/// Puts package.json and the lockfile back and lets the tool rebuild
/// node_modules from them (`npm ci`, `pnpm install --frozen-lockfile`…).
/// Without a captured lockfile, reinstalls the captured versions and then
/// puts package.json back.
pub fn restore(tool: Tool, dir: &str, state: &[u8]) -> Result<Plan, Error> {
    let state: State = serde_json::from_slice(state).map_err(|e| {
        Error::invalid_data(format!(
            "the captured {} state is not valid: {e}",
            tool.manager.tool()
        ))
    })?;
    let write = |path: String, contents: &str| Step {
        description: format!("restore {path}"),
        action: Action::WriteFile(WriteFile {
            path,
            contents: contents.as_bytes().to_vec(),
            diff: None,
        }),
    };
    let lockfile_name = state
        .lockfile_name
        .as_deref()
        .unwrap_or(Manager::Npm.lockfile());
    let lockfile_path = format!("{}/{lockfile_name}", dir.trim_end_matches('/'));
    // Nothing ran (the plan failed at its first step): nothing to undo, and
    // no reason to need the tool, which may be what is missing.
    let untouched = std::fs::read_to_string(project::package_json_path(dir)).ok()
        == Some(state.package_json.clone())
        && std::fs::read_to_string(&lockfile_path).ok() == state.lockfile
        && project::installed_versions(dir) == state.installed;
    if untouched {
        return Ok(Plan {
            steps: Vec::new(),
            restart: false,
        });
    }
    let mut steps = vec![write(project::package_json_path(dir), &state.package_json)];
    let name = tool.manager.tool();
    match &state.lockfile {
        Some(lockfile) => {
            steps.push(write(lockfile_path.clone(), lockfile));
            let args = tool.manager.frozen_install_args();
            steps.push(tool_step(
                format!(
                    "{name} {} (node_modules from the restored lockfile)",
                    args.join(" ")
                ),
                tool,
                dir,
                args,
                Vec::new(),
            ));
        }
        None => {
            let specs = state
                .installed
                .iter()
                .map(|(name, version)| spec(name, version, ""))
                .collect::<Result<Vec<_>, _>>()?;
            if !specs.is_empty() {
                let verb = tool.manager.add_args(false, false);
                steps.push(tool_step(
                    format!(
                        "{name} {} {} (back to the captured versions)",
                        verb[0],
                        specs.join(" ")
                    ),
                    tool,
                    dir,
                    &verb,
                    specs,
                ));
                // The tool rewrote the ranges; put the operator's back.
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

    const NPM: Tool = Tool {
        manager: Manager::Npm,
        program: "/usr/bin/npm",
    };
    const PNPM: Tool = Tool {
        manager: Manager::Pnpm,
        program: "/usr/bin/pnpm",
    };

    fn dep(name: &str, range: &str, section: Section) -> Dependency {
        Dependency {
            name: name.into(),
            range: range.into(),
            section,
            installed: None,
            line: None,
        }
    }

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
        let plan = install(NPM, "/srv/bot", &updates, &[]).unwrap();
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
            install(NPM, "/b", &[held], &[]).unwrap_err().code,
            ErrorCode::Conflict
        );
        let sneaky = Update::new(UpdateKind::Package, "--registry=http://evil", None, "1.0.0");
        assert_eq!(
            install(NPM, "/b", &[sneaky], &[]).unwrap_err().code,
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
        let state = capture(dir, Manager::Npm).unwrap();
        std::fs::write(tmp.path().join("package-lock.json"), "{}").unwrap();
        let plan = restore(NPM, dir, &state).unwrap();
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
            lockfile_name: None,
        })
        .unwrap();
        let plan = restore(NPM, "/b", &state).unwrap();
        assert_eq!(exec(&plan.steps[1]).args[3..], ["ws@8.0.0"]);
        assert!(matches!(plan.steps[2].action, Action::WriteFile(_)));
    }

    #[test]
    fn pnpm_plan_keeps_sections_and_range_prefixes() {
        let updates = [
            Update::new(UpdateKind::Package, "ws", Some("8.0.0"), "8.17.1"),
            Update::new(UpdateKind::Package, "typescript", Some("5.0.0"), "5.4.0"),
            Update::new(UpdateKind::Package, "ms", Some("2.0.0"), "2.1.3"),
        ];
        let declared = [
            dep("ws", "^8.0.0", Section::Dependencies),
            dep("typescript", "~5.0.0", Section::DevDependencies),
            dep("ms", ">=2 <3", Section::Dependencies),
        ];
        let plan = install(PNPM, "/srv/bot", &updates, &declared).unwrap();
        let args: Vec<&Vec<String>> = plan.steps.iter().map(|s| &exec(s).args).collect();
        assert_eq!(
            args,
            [
                &vec!["add".to_string(), "ws@^8.17.1".into(), "ms@2.1.3".into()],
                &vec![
                    "add".into(),
                    "--save-dev".into(),
                    "typescript@~5.4.0".into()
                ],
            ]
        );
        assert_eq!(plan.steps[0].description, "pnpm add ws@^8.17.1 ms@2.1.3");
        assert_eq!(exec(&plan.steps[0]).program, "/usr/bin/pnpm");
    }

    #[test]
    fn pnpm_restore_writes_its_own_lockfile_back_then_installs_frozen() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_str().unwrap();
        std::fs::write(tmp.path().join("package.json"), "{}").unwrap();
        std::fs::write(
            tmp.path().join("pnpm-lock.yaml"),
            "lockfileVersion: '9.0'\n",
        )
        .unwrap();
        let state = capture(dir, Manager::Pnpm).unwrap();
        let untouched = restore(PNPM, dir, &state).unwrap();
        assert!(
            untouched.steps.is_empty(),
            "nothing changed, nothing to undo"
        );
        std::fs::write(tmp.path().join("pnpm-lock.yaml"), "changed").unwrap();
        let plan = restore(PNPM, dir, &state).unwrap();
        match &plan.steps[1].action {
            Action::WriteFile(w) => {
                assert!(w.path.ends_with("/pnpm-lock.yaml"), "{}", w.path);
                assert_eq!(w.contents, b"lockfileVersion: '9.0'\n");
            }
            _ => panic!("expected the lockfile write"),
        }
        assert_eq!(exec(&plan.steps[2]).args, ["install", "--frozen-lockfile"]);
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
