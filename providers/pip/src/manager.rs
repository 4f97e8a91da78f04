//! Which tool manages the bot's Python project (uv, Poetry, or plain pip),
//! and the plans that go through that tool so its lockfile and the venv
//! stay in step: `uv lock --upgrade-package` then `uv sync --frozen`, or
//! `poetry update NAME`; rollback writes the captured lockfile back and
//! syncs. It builds commands; the host runs them.

use serde::{Deserialize, Serialize};
use steward_sdk::{Action, Command, Error, ErrorCode, Plan, Step, Update, WriteFile};

use crate::lockfile::{self, Lock};
use crate::pyproject::{self, Pyproject};
use crate::requirements::{Python, Requirements};

/// The arguments `describe` asks for, per tool.
pub const UV_LOCK: [&str; 3] = ["lock", "--upgrade-package", "{pip-pin}"];
pub const UV_SYNC: [&str; 2] = ["sync", "--frozen"];
/// A uv workspace's venv holds every member's dependencies.
pub const UV_SYNC_ALL: [&str; 3] = ["sync", "--frozen", "--all-packages"];
pub const POETRY_UPDATE: [&str; 3] = ["update", "--no-interaction", "{pip-name}"];
pub const POETRY_INSTALL: [&str; 3] = ["install", "--no-interaction", "--no-root"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tool {
    Uv,
    Poetry,
}

impl Tool {
    pub fn lockfile(self) -> &'static str {
        match self {
            Tool::Uv => "uv.lock",
            Tool::Poetry => "poetry.lock",
        }
    }
    fn name(self) -> &'static str {
        match self {
            Tool::Uv => "uv",
            Tool::Poetry => "poetry",
        }
    }
}

/// How the project at the bot root is managed: `None` is plain pip. A
/// lockfile decides; without one, `[tool.uv]` / `[tool.poetry]` does.
pub fn detect(root: &str, project: Option<&Pyproject>) -> Option<Tool> {
    let exists = |file: &str| std::path::Path::new(&format!("{root}/{file}")).exists();
    if exists(Tool::Uv.lockfile()) {
        Some(Tool::Uv)
    } else if exists(Tool::Poetry.lockfile()) {
        Some(Tool::Poetry)
    } else if project.is_some_and(|p| p.has_tool("uv")) {
        Some(Tool::Uv)
    } else if project.is_some_and(|p| p.has_tool("poetry")) {
        Some(Tool::Poetry)
    } else {
        None
    }
}

/// A managed project as it stands: its lock and what its manifest declares.
#[derive(Debug)]
pub struct Project {
    pub tool: Tool,
    pub lock: Lock,
    pub declared: Requirements,
}

impl Project {
    /// A uv workspace with members besides the root.
    pub fn is_workspace(&self) -> bool {
        !self.lock.members.is_empty()
    }
}

/// Reads the lock and the manifest, refusing a lock that is missing, does
/// not parse, or no longer matches `pyproject.toml`.
pub fn read(root: &str, tool: Tool, python: Option<&Python>) -> Result<Project, Error> {
    let manifest = pyproject::read(root)?;
    let path = format!("{root}/{}", tool.lockfile());
    if !std::path::Path::new(&path).exists() {
        return Err(Error::not_found(format!(
            "{} has no {}: create it with `{} lock`",
            pyproject::FILE,
            tool.lockfile(),
            tool.name()
        )));
    }
    let lock = match tool {
        Tool::Uv => lockfile::read_uv(&path)?,
        Tool::Poetry => lockfile::read_poetry(&path)?,
    };
    let requirements = |python: Option<&Python>| match (&manifest, tool) {
        (None, _) => Requirements::default(),
        (Some(m), Tool::Uv) => m.pep508(python),
        (Some(m), Tool::Poetry) => {
            // Poetry 2 reads `[project]` too; both constrain.
            let mut all = m.poetry();
            for (key, list) in m.pep508(python).by_package {
                all.by_package.entry(key).or_default().extend(list);
            }
            all
        }
    };
    // A uv workspace's members constrain the one lock as the root does,
    // each named by its own file and line.
    let members: Vec<Pyproject> = match tool {
        Tool::Uv => lock
            .members
            .iter()
            .map(|dir| pyproject::read_member(root, dir))
            .collect::<Result<_, _>>()?,
        Tool::Poetry => Vec::new(),
    };
    let requirements = |python: Option<&Python>| {
        let mut all = requirements(python);
        for member in &members {
            for (key, list) in member.pep508(python).by_package {
                all.by_package.entry(key).or_default().extend(list);
            }
        }
        all
    };
    // Locks are universal: every declared package is locked, whatever
    // Python it is for; only the lines for this Python constrain versions.
    let declared = requirements(python);
    if let Some(why) = lockfile::out_of_date(&lock, &requirements(None), &declared) {
        return Err(Error::new(
            ErrorCode::Conflict,
            format!(
                "{} is out of date with {}: {why}; run `{} lock` first",
                tool.lockfile(),
                pyproject::FILE,
                tool.name()
            ),
        ));
    }
    Ok(Project {
        tool,
        lock,
        declared,
    })
}

fn exec(description: String, program: &str, root: &str, args: Vec<String>) -> Step {
    Step {
        description,
        action: Action::Exec(Command {
            program: program.to_string(),
            args,
            cwd: Some(root.to_string()),
            timeout_ms: None,
            env: Vec::new(),
        }),
    }
}

fn strings(fixed: &[&str]) -> Vec<String> {
    fixed.iter().map(|s| s.to_string()).collect()
}

/// The tool's steps for `updates`, run in the bot root: uv locks each
/// upgrade at its exact version, then syncs the venv from the lock; Poetry
/// updates each package (its constraint allows the target, or `check` held
/// it) and installs what it locked.
pub fn install(
    tool: Tool,
    program: &str,
    root: &str,
    updates: &[Update],
    workspace: bool,
) -> Result<Plan, Error> {
    let mut steps = Vec::new();
    for update in updates {
        if let Some(held) = &update.held {
            return Err(Error::new(
                ErrorCode::Conflict,
                format!(
                    "{} is held by {held}; change {} first",
                    update.name,
                    pyproject::FILE
                ),
            ));
        }
        let pin = crate::plan::pin(&update.name, &update.latest)?;
        steps.push(match tool {
            Tool::Uv => {
                let mut args = strings(&UV_LOCK[..2]);
                args.push(pin.clone());
                exec(
                    format!("uv lock --upgrade-package {pin}"),
                    program,
                    root,
                    args,
                )
            }
            Tool::Poetry => {
                let mut args = strings(&POETRY_UPDATE[..2]);
                args.push(update.name.clone());
                exec(
                    format!("poetry update {} (to {})", update.name, update.latest),
                    program,
                    root,
                    args,
                )
            }
        });
    }
    if !steps.is_empty() && tool == Tool::Uv {
        steps.push(sync(tool, program, root, workspace));
    }
    Ok(Plan {
        restart: !steps.is_empty(),
        steps,
    })
}

fn sync(tool: Tool, program: &str, root: &str, workspace: bool) -> Step {
    match tool {
        Tool::Uv if workspace => exec(
            "uv sync --frozen --all-packages (the venv from uv.lock, every workspace member's dependencies)".into(),
            program,
            root,
            strings(&UV_SYNC_ALL),
        ),
        Tool::Uv => exec(
            "uv sync --frozen (the venv from uv.lock)".into(),
            program,
            root,
            strings(&UV_SYNC),
        ),
        Tool::Poetry => exec(
            "poetry install (the venv from poetry.lock)".into(),
            program,
            root,
            strings(&POETRY_INSTALL),
        ),
    }
}

/// What `capture` records for a managed project: the files its tool
/// rewrites. It starts with `{`, which a pip freeze never does.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct State {
    pub tool: Tool,
    pub lockfile: String,
    pub pyproject: Option<String>,
    /// A uv workspace: the sync covers every member.
    #[serde(default)]
    pub workspace: bool,
}

pub fn capture(root: &str, tool: Tool) -> Result<Vec<u8>, Error> {
    let path = format!("{root}/{}", tool.lockfile());
    let state = State {
        tool,
        lockfile: std::fs::read_to_string(&path)
            .map_err(|e| Error::not_found(format!("cannot read {}: {e}", tool.lockfile())))?,
        pyproject: std::fs::read_to_string(format!("{root}/{}", pyproject::FILE)).ok(),
        // A lock that does not parse is put back as it was all the same.
        workspace: tool == Tool::Uv
            && lockfile::read_uv(&path).is_ok_and(|lock| !lock.members.is_empty()),
    };
    serde_json::to_vec(&state).map_err(|e| Error::invalid_data(e.to_string()))
}

/// The captured state, when it is a managed project's.
pub fn parse_state(state: &[u8]) -> Option<Result<State, Error>> {
    (state.first() == Some(&b'{')).then(|| {
        serde_json::from_slice(state).map_err(|e| {
            Error::invalid_data(format!("the captured lockfile state is not valid: {e}"))
        })
    })
}

/// Puts the captured lockfile (and manifest) back, then syncs the venv to it.
pub fn restore(program: &str, root: &str, state: &State) -> Plan {
    let write = |file: &str, contents: &str| Step {
        description: format!("restore {file}"),
        action: Action::WriteFile(WriteFile {
            path: format!("{root}/{file}"),
            contents: contents.as_bytes().to_vec(),
            diff: None,
        }),
    };
    let mut steps = Vec::new();
    if let Some(manifest) = &state.pyproject {
        let now = std::fs::read_to_string(format!("{root}/{}", pyproject::FILE)).ok();
        if now.as_deref() != Some(manifest.as_str()) {
            steps.push(write(pyproject::FILE, manifest));
        }
    }
    let lockfile = state.tool.lockfile();
    let now = std::fs::read_to_string(format!("{root}/{lockfile}")).ok();
    if now.as_deref() != Some(state.lockfile.as_str()) {
        steps.push(write(lockfile, &state.lockfile));
    }
    if !steps.is_empty() {
        steps.push(sync(state.tool, program, root, state.workspace));
    }
    Plan {
        restart: !steps.is_empty(),
        steps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use steward_sdk::UpdateKind;

    fn argv(step: &Step) -> Vec<&str> {
        match &step.action {
            Action::Exec(c) => c.args.iter().map(String::as_str).collect(),
            _ => panic!("not an exec step"),
        }
    }

    #[test]
    fn detection_prefers_the_lockfile_then_the_tool_table() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_str().unwrap();
        assert_eq!(detect(root, None), None);
        let uv = pyproject::parse("[tool.uv]\n").unwrap();
        let poetry = pyproject::parse("[tool.poetry]\nname = \"x\"\n").unwrap();
        assert_eq!(detect(root, Some(&uv)), Some(Tool::Uv));
        assert_eq!(detect(root, Some(&poetry)), Some(Tool::Poetry));
        std::fs::write(dir.path().join("poetry.lock"), "").unwrap();
        assert_eq!(detect(root, Some(&uv)), Some(Tool::Poetry));
        std::fs::write(dir.path().join("uv.lock"), "").unwrap();
        assert_eq!(detect(root, None), Some(Tool::Uv));
    }

    #[test]
    fn uv_plan_locks_each_exact_version_then_syncs_in_the_bot_root() {
        let updates = [
            Update::new(UpdateKind::Package, "aiohttp", Some("3.8.0"), "3.9.1"),
            Update::new(UpdateKind::Package, "yarl", Some("1.9.0"), "1.9.4"),
        ];
        let plan = install(Tool::Uv, "/usr/bin/uv", "/bot", &updates, false).unwrap();
        assert!(plan.restart);
        let all: Vec<Vec<&str>> = plan.steps.iter().map(argv).collect();
        assert_eq!(
            all,
            vec![
                vec!["lock", "--upgrade-package", "aiohttp==3.9.1"],
                vec!["lock", "--upgrade-package", "yarl==1.9.4"],
                vec!["sync", "--frozen"],
            ]
        );
        let Action::Exec(c) = &plan.steps[0].action else {
            unreachable!()
        };
        assert_eq!(c.cwd.as_deref(), Some("/bot"));

        let poetry = install(
            Tool::Poetry,
            "/usr/bin/poetry",
            "/bot",
            &updates[..1],
            false,
        )
        .unwrap();
        assert_eq!(
            argv(&poetry.steps[0]),
            vec!["update", "--no-interaction", "aiohttp"]
        );
        let mut held = updates[0].clone();
        held.held = Some("aiohttp<3.9".into());
        let err = install(Tool::Uv, "/uv", "/bot", &[held], false).unwrap_err();
        assert!(
            err.message.contains("held by aiohttp<3.9"),
            "{}",
            err.message
        );
    }

    #[test]
    fn restore_writes_back_only_what_changed_then_syncs() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_str().unwrap();
        std::fs::write(dir.path().join("uv.lock"), "old").unwrap();
        std::fs::write(dir.path().join("pyproject.toml"), "[project]\n").unwrap();
        let state = capture(root, Tool::Uv).unwrap();
        let state = parse_state(&state).unwrap().unwrap();
        assert!(restore("/uv", root, &state).steps.is_empty());
        std::fs::write(dir.path().join("uv.lock"), "new").unwrap();
        let plan = restore("/uv", root, &state);
        assert_eq!(plan.steps.len(), 2);
        match &plan.steps[0].action {
            Action::WriteFile(w) => {
                assert!(w.path.ends_with("/uv.lock"));
                assert_eq!(w.contents, b"old");
            }
            _ => panic!("expected the lockfile write"),
        }
        assert_eq!(argv(&plan.steps[1]), vec!["sync", "--frozen"]);
        assert!(parse_state(b"aiohttp==3.8.0\n").is_none());
    }

    #[test]
    fn a_uv_workspace_members_constraints_hold_and_its_sync_covers_every_member() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_str().unwrap();
        let write = |path: &str, text: &str| {
            let path = tmp.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write(
            "pyproject.toml",
            "[project]\nname = \"bot\"\nversion = \"1.0.0\"\ndependencies = [\"api\", \"six>=1.15\"]\n\n[tool.uv.sources]\napi = { workspace = true }\n\n[tool.uv.workspace]\nmembers = [\"packages/*\"]\n",
        );
        write(
            "packages/api/pyproject.toml",
            "[project]\nname = \"api\"\nversion = \"0.1.0\"\ndependencies = [\n    \"idna<3.5\",\n]\n",
        );
        write(
            "uv.lock",
            r#"version = 1
requires-python = ">=3.9"

[manifest]
members = ["api", "bot"]

[[package]]
name = "api"
version = "0.1.0"
source = { editable = "packages/api" }
dependencies = [{ name = "idna" }]

[package.metadata]
requires-dist = [{ name = "idna", specifier = "<3.5" }]

[[package]]
name = "bot"
version = "1.0.0"
source = { virtual = "." }

[package.metadata]
requires-dist = [{ name = "api", editable = "packages/api" }, { name = "six", specifier = ">=1.15" }]

[[package]]
name = "idna"
version = "3.4"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "six"
version = "1.17.0"
source = { registry = "https://pypi.org/simple" }
"#,
        );
        let project = read(root, Tool::Uv, None).unwrap();
        assert!(project.is_workspace());
        assert_eq!(project.lock.members, ["packages/api"]);
        let idna = &project.declared.by_package["idna"][0];
        assert_eq!(idna.origin, "packages/api/pyproject.toml:5");

        let updates = [Update::new(
            steward_sdk::UpdateKind::Package,
            "six",
            Some("1.17.0"),
            "1.18.0",
        )];
        let plan = install(Tool::Uv, "/uv", root, &updates, true).unwrap();
        match &plan.steps[1].action {
            Action::Exec(c) => assert_eq!(c.args, UV_SYNC_ALL),
            _ => panic!("expected the sync"),
        }

        // The member's constraint no longer fits what is locked: stale.
        write(
            "packages/api/pyproject.toml",
            "[project]\nname = \"api\"\nversion = \"0.1.0\"\ndependencies = [\"idna>=3.6\"]\n",
        );
        let err = read(root, Tool::Uv, None).unwrap_err();
        assert!(
            err.message
                .contains("idna>=3.6 (packages/api/pyproject.toml:4) excludes"),
            "{}",
            err.message
        );
    }
}
