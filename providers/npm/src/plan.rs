//! The commands of the project's own tool (npm, pnpm, Yarn or Bun) that
//! install updates and put a captured state back, the captured state
//! (package.json and the lockfile, byte for byte), and the check that
//! updates landed. It builds steps; the host runs them.

use std::collections::BTreeMap;

use nodejs_semver::Version;
use serde::{Deserialize, Serialize};
use steward_sdk::{Action, Command, Error, ErrorCode, Plan, Remove, Step, Update, WriteFile};

use crate::manager::Manager;
use crate::project::{self, Dependency, Project, Section};

/// The tool a plan runs: which manager, at which path.
#[derive(Debug, Clone, Copy)]
pub struct Tool<'a> {
    pub manager: Manager,
    pub program: &'a str,
}

/// One step per package and package.json section the updates are
/// declared in (so each stays where it is): `npm install name@ver …`,
/// `pnpm add name@^ver …`, `yarn add …` (Yarn 1), `yarn up …` (Berry),
/// `bun add …`, run at the project's root; a workspace member's are named
/// the tool's way (`npm install --workspace DIR`, `pnpm --filter ./DIR add`,
/// `yarn workspace NAME add`, `bun add --cwd DIR`).
pub fn install(
    tool: Tool,
    project_dir: &str,
    updates: &[Update],
    project: &Project,
) -> Result<Plan, Error> {
    let workspace = !project.members.is_empty();
    // (member dir, dev, optional) -> a dependency of the group and its specs.
    type Groups<'d> = BTreeMap<(String, bool, bool), (Option<&'d Dependency>, Vec<String>)>;
    let mut groups: Groups = BTreeMap::new();
    for update in updates {
        let dependency = project
            .dependencies
            .iter()
            .find(|d| d.id() == update.id)
            .or_else(|| {
                project
                    .dependencies
                    .iter()
                    .find(|d| d.member.is_root() && d.name == update.name)
            });
        if let Some(held) = &update.held {
            let manifest = dependency.map_or("package.json".to_string(), |d| d.member.manifest());
            return Err(Error::new(
                ErrorCode::Conflict,
                format!("{} is held ({held}); change {manifest} first", update.name),
            ));
        }
        let section = dependency.map_or(Section::Dependencies, |d| d.section);
        let prefix = match dependency.map(|d| d.range.trim()) {
            Some(r) if tool.manager.keeps_range_prefix() && r.starts_with('^') => "^",
            Some(r) if tool.manager.keeps_range_prefix() && r.starts_with('~') => "~",
            _ => "",
        };
        let member = dependency.map_or(String::new(), |d| d.member.dir.clone());
        let group = groups
            .entry((
                member,
                section == Section::DevDependencies,
                section == Section::OptionalDependencies,
            ))
            .or_insert((dependency, Vec::new()));
        group.1.push(spec(&update.name, &update.latest, prefix)?);
    }
    let mut steps = Vec::new();
    for ((_, dev, optional), (dependency, specs)) in groups {
        let member = dependency
            .map(|d| &d.member)
            .filter(|m| !m.is_root())
            .map(|m| (m.dir.as_str(), m.name.as_deref()));
        let args = tool
            .manager
            .add_args_in(dev, optional, workspace, member)
            .ok_or_else(|| {
                Error::invalid_data(format!(
                    "{} has no name, and {} can add to a workspace member only by its name",
                    dependency.map_or(String::new(), |d| d.member.manifest()),
                    tool.manager.tool()
                ))
            })?;
        let verbs: Vec<&str> = args.iter().map(String::as_str).collect();
        steps.push(tool_step(
            format!(
                "{} {} {}",
                tool.manager.tool(),
                args.join(" "),
                specs.join(" ")
            ),
            tool,
            project_dir,
            &verbs,
            specs,
        ));
    }
    Ok(Plan {
        steps,
        restart: !updates.is_empty(),
    })
}
/// `plan` with `env` added to every command it runs (the host gives each
/// a clean environment; these are what the operator's settings add).
pub fn with_env(mut plan: Plan, env: &[(String, String)]) -> Plan {
    for step in &mut plan.steps {
        if let Action::Exec(command) = &mut step.action {
            command.env.extend(env.iter().cloned());
        }
    }
    plan
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
            env: Vec::new(),
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
    /// Each workspace member's package.json, by its directory relative to
    /// the root (the tools rewrite the member's ranges).
    #[serde(default)]
    pub members: BTreeMap<String, String>,
}

fn member_manifests(dir: &str) -> Result<BTreeMap<String, String>, Error> {
    let mut found = BTreeMap::new();
    for member in project::members(dir)? {
        let path =
            project::package_json_path(&format!("{}/{}", dir.trim_end_matches('/'), member.dir));
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Error::not_found(format!("cannot read {path}: {e}")))?;
        found.insert(member.dir, text);
    }
    Ok(found)
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
        members: member_manifests(dir)?,
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
    let member_path = |member: &str| {
        project::package_json_path(&format!("{}/{member}", dir.trim_end_matches('/')))
    };
    let changed_members: Vec<(&String, &String)> = state
        .members
        .iter()
        .filter(|(member, text)| {
            std::fs::read_to_string(member_path(member)).ok().as_ref() != Some(*text)
        })
        .collect();
    let untouched = std::fs::read_to_string(project::package_json_path(dir)).ok()
        == Some(state.package_json.clone())
        && std::fs::read_to_string(&lockfile_path).ok() == state.lockfile
        && changed_members.is_empty()
        && project::installed_versions(dir) == state.installed;
    if untouched {
        return Ok(Plan {
            steps: Vec::new(),
            restart: false,
        });
    }
    let mut steps = vec![write(project::package_json_path(dir), &state.package_json)];
    // Only the members the update changed: the write grant need not cover
    // the others.
    for (member, text) in &changed_members {
        steps.push(write(member_path(member), text));
    }
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
            // There was no lockfile: the one the tool wrote goes.
            steps.push(Step {
                description: format!("remove {lockfile_path} (there was none before)"),
                action: Action::Remove(Remove {
                    path: lockfile_path.clone(),
                }),
            });
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
        .filter_map(|u| match installed.get(&u.id) {
            Some(v) if v == &u.latest => None,
            Some(v) => Some(format!("{} is {v} (expected {})", u.id, u.latest)),
            None => Some(format!("{} is not installed (expected {})", u.id, u.latest)),
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
            member: Default::default(),
        }
    }

    fn project(manager: Manager, dependencies: &[Dependency], members: &[(&str, &str)]) -> Project {
        Project {
            dependencies: dependencies.to_vec(),
            manager,
            members: members
                .iter()
                .map(|(dir, name)| project::Member {
                    dir: dir.to_string(),
                    name: Some(name.to_string()),
                })
                .collect(),
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
        let plan = install(NPM, "/srv/bot", &updates, &project(Manager::Npm, &[], &[])).unwrap();
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
            install(NPM, "/b", &[held], &project(Manager::Npm, &[], &[]))
                .unwrap_err()
                .code,
            ErrorCode::Conflict
        );
        let sneaky = Update::new(UpdateKind::Package, "--registry=http://evil", None, "1.0.0");
        assert_eq!(
            install(NPM, "/b", &[sneaky], &project(Manager::Npm, &[], &[]))
                .unwrap_err()
                .code,
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
            members: BTreeMap::new(),
        })
        .unwrap();
        let plan = restore(NPM, "/b", &state).unwrap();
        assert_eq!(exec(&plan.steps[1]).args[3..], ["ws@8.0.0"]);
        assert!(matches!(plan.steps[2].action, Action::WriteFile(_)));
        match &plan.steps[3].action {
            Action::Remove(r) => assert_eq!(r.path, "/b/package-lock.json"),
            _ => panic!("expected the new lockfile removed"),
        }
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
        let plan = install(
            PNPM,
            "/srv/bot",
            &updates,
            &project(Manager::Pnpm, &declared, &[]),
        )
        .unwrap();
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

    #[test]
    fn workspace_members_are_updated_from_the_root_the_tools_way() {
        let in_member = |name: &str, range: &str, dir: &str, member: &str| Dependency {
            member: project::Member {
                dir: dir.into(),
                name: Some(member.into()),
            },
            ..dep(name, range, Section::Dependencies)
        };
        let declared = [
            dep("ms", "^2.0.0", Section::Dependencies),
            in_member("ws", "^8.0.0", "packages/api", "@bot/api"),
        ];
        let mut ws = Update::new(UpdateKind::Package, "ws", Some("8.0.0"), "8.17.1");
        ws.id = "packages/api:ws".into();
        let updates = [
            Update::new(UpdateKind::Package, "ms", Some("2.0.0"), "2.1.3"),
            ws,
        ];
        let members = [("packages/api", "@bot/api")];
        let args = |manager: Manager| -> Vec<Vec<String>> {
            let tool = Tool {
                manager,
                program: "/usr/bin/tool",
            };
            let plan = install(
                tool,
                "/srv/bot",
                &updates,
                &project(manager, &declared, &members),
            )
            .unwrap();
            plan.steps
                .iter()
                .map(|s| {
                    assert_eq!(exec(s).cwd.as_deref(), Some("/srv/bot"), "at the root");
                    exec(s).args.clone()
                })
                .collect()
        };
        let owned = |v: &[&[&str]]| -> Vec<Vec<String>> {
            v.iter()
                .map(|a| a.iter().map(|s| s.to_string()).collect())
                .collect()
        };
        assert_eq!(
            args(Manager::Npm),
            owned(&[
                &["install", "--no-audit", "--no-fund", "ms@2.1.3"],
                &[
                    "install",
                    "--no-audit",
                    "--no-fund",
                    "--workspace",
                    "packages/api",
                    "ws@8.17.1"
                ],
            ])
        );
        assert_eq!(
            args(Manager::Pnpm),
            owned(&[
                &["add", "--workspace-root", "ms@^2.1.3"],
                &["--filter", "./packages/api", "add", "ws@^8.17.1"],
            ])
        );
        assert_eq!(
            args(Manager::YarnClassic),
            owned(&[
                &["add", "--ignore-workspace-root-check", "ms@^2.1.3"],
                &["workspace", "@bot/api", "add", "ws@^8.17.1"],
            ])
        );
        assert_eq!(
            args(Manager::Bun),
            owned(&[
                &["add", "ms@^2.1.3"],
                &["add", "--cwd", "packages/api", "ws@^8.17.1"]
            ])
        );
        // Every one of those is something the tool's own grant patterns allow.
        for manager in [
            Manager::Npm,
            Manager::Pnpm,
            Manager::YarnClassic,
            Manager::Bun,
        ] {
            let patterns = manager.grant_patterns();
            for a in args(manager) {
                assert!(
                    patterns.iter().any(|p| fits(p, &a)),
                    "{manager:?}: {a:?} fits none of {patterns:?}"
                );
            }
        }
    }

    /// The host's argument matching, as far as these patterns need it.
    fn fits(patterns: &[String], args: &[String]) -> bool {
        let arg_fits = |p: &str, a: &str| match p {
            "{npm-pin}" | "{npm-range}" => a.contains('@'),
            "*" => !a.starts_with('-'),
            literal => literal == a,
        };
        let mut i = 0;
        for (pi, p) in patterns.iter().enumerate() {
            if p == "..." {
                return args[i..].iter().all(|a| arg_fits(&patterns[pi - 1], a));
            }
            match args.get(i) {
                Some(a) if arg_fits(p, a) => i += 1,
                _ => return false,
            }
        }
        i == args.len()
    }

    #[test]
    fn with_env_gives_every_command_the_variables_and_leaves_writes_alone() {
        let state = serde_json::to_vec(&State {
            package_json: "{}".into(),
            lockfile: None,
            installed: BTreeMap::from([("ws".to_string(), "8.0.0".to_string())]),
            lockfile_name: None,
            members: BTreeMap::new(),
        })
        .unwrap();
        let env = [("NODE_EXTRA_CA_CERTS".to_string(), "/ca.pem".to_string())];
        let plan = with_env(restore(NPM, "/b", &state).unwrap(), &env);
        assert_eq!(exec(&plan.steps[1]).env, env);
        assert!(matches!(plan.steps[2].action, Action::WriteFile(_)));
    }
}
