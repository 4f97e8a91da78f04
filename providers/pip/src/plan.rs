//! The pip commands that install updates and put a captured state back, the
//! captured state itself (a `pip freeze`-style list), and the check that
//! updates landed. It builds commands; the host runs them.

use std::collections::BTreeMap;
use std::str::FromStr;

use pep440_rs::Version;
use steward_sdk::{Action, Command, Error, ErrorCode, Plan, Step, Update};

use crate::venv::{Installed, normalize};

/// The arguments before the requirements in every install; `describe` grants
/// exactly these.
pub const INSTALL: [&str; 5] = [
    "-m",
    "pip",
    "install",
    "--no-input",
    "--disable-pip-version-check",
];
pub const UNINSTALL: [&str; 5] = [
    "-m",
    "pip",
    "uninstall",
    "--yes",
    "--disable-pip-version-check",
];
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

/// One `python -m pip install [index options] name==ver …` step for every
/// update; `indexes` are the requirements files' index options.
pub fn install(python: &str, indexes: &[String], updates: &[Update]) -> Result<Plan, Error> {
    let mut pins = Vec::new();
    for update in updates {
        if let Some(held) = &update.held {
            return Err(Error::new(
                ErrorCode::Conflict,
                format!(
                    "{} is held by {held}; change the requirement first",
                    update.name
                ),
            ));
        }
        pins.push(pin(&update.name, &update.latest)?);
    }
    let mut steps = Vec::new();
    if !pins.is_empty() {
        let description = format!("pip install {}", pins.join(" "));
        steps.push(exec_step(
            description,
            python,
            &INSTALL,
            [indexes.to_vec(), pins].concat(),
        ));
    }
    Ok(Plan {
        steps,
        restart: !updates.is_empty(),
    })
}

/// `name==version`, refusing anything that is not a plain distribution name
/// and a PEP 440 version (so no argument can pass for an option).
pub fn pin(name: &str, version: &str) -> Result<String, Error> {
    let plain_name = !name.is_empty()
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !plain_name || Version::from_str(version).is_err() {
        return Err(Error::invalid_data(format!(
            "refusing to install {name:?} {version:?}: not a distribution name and PEP 440 version"
        )));
    }
    Ok(format!("{name}=={version}"))
}

fn exec_step(description: String, python: &str, fixed: &[&str], rest: Vec<String>) -> Step {
    let mut args: Vec<String> = fixed.iter().map(|s| s.to_string()).collect();
    args.extend(rest);
    Step {
        description,
        action: Action::Exec(Command {
            program: python.to_string(),
            args,
            cwd: None,
            timeout_ms: None,
            env: Vec::new(),
        }),
    }
}

/// What is installed now, as `name==version` lines (what `pip freeze`
/// prints). Packages installed from a local directory are left out: the
/// index cannot bring them back, and rollback leaves them alone.
pub fn freeze(packages: &[Installed]) -> Vec<u8> {
    let mut out = String::new();
    for p in packages.iter().filter(|p| !p.local) {
        out.push_str(&format!("{}=={}\n", p.name, p.version));
    }
    out.into_bytes()
}

/// Reads what [`freeze`] wrote: name → (name, version), by normalized name.
pub fn parse_freeze(state: &[u8]) -> Result<BTreeMap<String, (String, String)>, Error> {
    let text = std::str::from_utf8(state)
        .map_err(|_| Error::invalid_data("the captured pip state is not UTF-8"))?;
    let mut found = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let (name, version) = line.split_once("==").ok_or_else(|| {
            Error::invalid_data(format!("the captured pip state has a bad line: {line:?}"))
        })?;
        found.insert(
            normalize(name.trim()),
            (name.trim().to_string(), version.trim().to_string()),
        );
    }
    Ok(found)
}

/// The steps from what is installed now back to the captured state: install
/// the captured versions that differ, uninstall what was not there.
pub fn restore(
    python: &str,
    indexes: &[String],
    state: &[u8],
    now: &[Installed],
) -> Result<Plan, Error> {
    let captured = parse_freeze(state)?;
    let now_by_key: BTreeMap<&str, &Installed> = now.iter().map(|p| (p.key.as_str(), p)).collect();
    let mut pins = Vec::new();
    for (key, (name, version)) in &captured {
        let same = now_by_key
            .get(key.as_str())
            .is_some_and(|p| same_version(&p.version, version));
        if !same {
            pins.push(pin(name, version)?);
        }
    }
    let extra: Vec<String> = now
        .iter()
        .filter(|p| !p.local && !captured.contains_key(&p.key))
        .map(|p| p.name.clone())
        .collect();
    let mut steps = Vec::new();
    if !pins.is_empty() {
        steps.push(exec_step(
            format!(
                "pip install {} (back to the captured versions)",
                pins.join(" ")
            ),
            python,
            &INSTALL,
            [indexes.to_vec(), pins].concat(),
        ));
    }
    if !extra.is_empty() {
        steps.push(exec_step(
            format!("pip uninstall {} (not installed before)", extra.join(" ")),
            python,
            &UNINSTALL,
            extra,
        ));
    }
    let restart = !steps.is_empty();
    Ok(Plan { steps, restart })
}

fn same_version(a: &str, b: &str) -> bool {
    match (Version::from_str(a), Version::from_str(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Confirms each update's target version is what is installed now.
pub fn verify(updates: &[Update], now: &[Installed]) -> Result<(), Error> {
    let mut wrong = Vec::new();
    for update in updates {
        let key = normalize(&update.name);
        match now.iter().find(|p| p.key == key) {
            Some(p) if same_version(&p.version, &update.latest) => {}
            Some(p) => wrong.push(format!(
                "{} is {} (expected {})",
                update.name, p.version, update.latest
            )),
            None => wrong.push(format!(
                "{} is not installed (expected {})",
                update.name, update.latest
            )),
        }
    }
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

    fn installed(name: &str, version: &str, local: bool) -> Installed {
        Installed {
            name: name.into(),
            key: normalize(name),
            version: version.into(),
            tags: Vec::new(),
            local,
            links: vec![],
        }
    }

    fn args(step: &Step) -> (&str, Vec<&str>) {
        match &step.action {
            Action::Exec(c) => (
                c.program.as_str(),
                c.args.iter().map(String::as_str).collect(),
            ),
            _ => panic!("not an exec step"),
        }
    }

    #[test]
    fn plan_is_one_pip_install_of_exact_versions() {
        let updates = [
            Update::new(UpdateKind::Package, "discord.py", Some("2.3.0"), "2.4.0"),
            Update::new(UpdateKind::Package, "aiohttp", Some("3.8.0"), "3.9.1"),
        ];
        let plan = install("/bot/.venv/bin/python", &[], &updates).unwrap();
        assert!(plan.restart);
        assert_eq!(plan.steps.len(), 1);
        let (program, argv) = args(&plan.steps[0]);
        assert_eq!(program, "/bot/.venv/bin/python");
        assert_eq!(
            argv,
            vec![
                "-m",
                "pip",
                "install",
                "--no-input",
                "--disable-pip-version-check",
                "discord.py==2.4.0",
                "aiohttp==3.9.1"
            ]
        );
    }

    #[test]
    fn plan_refuses_held_updates_and_option_like_names() {
        let mut held = Update::new(UpdateKind::Package, "x", Some("1"), "2");
        held.held = Some("x==1".into());
        assert_eq!(
            install("/p", &[], &[held]).unwrap_err().code,
            ErrorCode::Conflict
        );
        let sneaky = Update::new(UpdateKind::Package, "--index-url=http://evil", None, "1");
        assert_eq!(
            install("/p", &[], &[sneaky]).unwrap_err().code,
            ErrorCode::InvalidData
        );
    }

    #[test]
    fn restore_reinstalls_changed_versions_and_uninstalls_new_packages() {
        let before = [
            installed("discord.py", "2.3.0", false),
            installed("aiohttp", "3.8.0", false),
            installed("my-bot", "0.1", true),
        ];
        let state = freeze(&before);
        assert_eq!(
            String::from_utf8(state.clone()).unwrap(),
            "discord.py==2.3.0\naiohttp==3.8.0\n"
        );
        let after = [
            installed("discord.py", "2.4.0", false),
            installed("aiohttp", "3.8.0", false),
            installed("audioop-lts", "0.2.1", false),
            installed("my-bot", "0.1", true),
        ];
        let plan = restore("/py", &[], &state, &after).unwrap();
        assert_eq!(plan.steps.len(), 2);
        assert_eq!(args(&plan.steps[0]).1[5..], ["discord.py==2.3.0"]);
        assert_eq!(args(&plan.steps[1]).1[2], "uninstall");
        assert_eq!(args(&plan.steps[1]).1[5..], ["audioop-lts"]);

        let nothing = restore("/py", &[], &state, &before).unwrap();
        assert!(nothing.steps.is_empty() && !nothing.restart);
    }

    #[test]
    fn verify_names_every_update_that_did_not_land() {
        let updates = [
            Update::new(UpdateKind::Package, "Discord.py", Some("2.3.0"), "2.4.0"),
            Update::new(UpdateKind::Package, "aiohttp", Some("3.8.0"), "3.9.1"),
        ];
        let ok = [
            installed("discord-py", "2.4", false),
            installed("aiohttp", "3.9.1", false),
        ];
        assert!(verify(&updates, &ok).is_ok());
        let bad = [installed("discord.py", "2.3.0", false)];
        let err = verify(&updates, &bad).unwrap_err();
        assert!(err.message.contains("Discord.py is 2.3.0 (expected 2.4.0)"));
        assert!(err.message.contains("aiohttp is not installed"));
    }
}
