//! Which tool manages the Node project: the `packageManager` field of
//! package.json first, then the lockfile present, npm otherwise. It names the
//! tool's lockfile and its commands; it never runs them.

use std::path::Path;

/// The tools a Node project is managed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Manager {
    Npm,
    Pnpm,
    /// Yarn 1 (`# yarn lockfile v1`).
    YarnClassic,
    /// Yarn 2 and later (`__metadata:` in a YAML yarn.lock).
    YarnBerry,
    Bun,
}

impl Manager {
    /// The name operators know it by.
    pub fn tool(self) -> &'static str {
        match self {
            Manager::Npm => "npm",
            Manager::Pnpm => "pnpm",
            Manager::YarnClassic | Manager::YarnBerry => "yarn",
            Manager::Bun => "bun",
        }
    }

    /// The lockfile it writes, relative to the project.
    pub fn lockfile(self) -> &'static str {
        match self {
            Manager::Npm => "package-lock.json",
            Manager::Pnpm => "pnpm-lock.yaml",
            Manager::YarnClassic | Manager::YarnBerry => "yarn.lock",
            Manager::Bun => "bun.lock",
        }
    }

    /// The arguments that add or move dependencies of one package.json
    /// section to exact versions, before the specs.
    pub fn add_args(self, dev: bool, optional: bool) -> Vec<&'static str> {
        match self {
            // npm and Berry's `up` keep each dependency in its section.
            Manager::Npm => vec!["install", "--no-audit", "--no-fund"],
            Manager::YarnBerry => vec!["up"],
            Manager::Pnpm => flagged("add", dev, optional, "--save-dev", "--save-optional"),
            Manager::YarnClassic => flagged("add", dev, optional, "--dev", "--optional"),
            Manager::Bun => flagged("add", dev, optional, "--dev", "--optional"),
        }
    }

    /// The arguments, before the specs, that add to `member` of a
    /// workspace (or to the root when `member` is `None`), from the
    /// workspace root; `workspace` says whether the project has members at
    /// all (pnpm and Yarn 1 want the root named then). `None` when the
    /// tool cannot name that member from the root (Yarn 1 needs a name).
    pub fn add_args_in(
        self,
        dev: bool,
        optional: bool,
        workspace: bool,
        member: Option<(&str, Option<&str>)>,
    ) -> Option<Vec<String>> {
        let add = self.add_args(dev, optional);
        let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<String>>();
        Some(match (self, member) {
            (Manager::YarnBerry, _) => owned(&add),
            (_, None) if !workspace => owned(&add),
            (Manager::Npm | Manager::Bun, None) => owned(&add),
            (Manager::Pnpm, None) => {
                let mut args = owned(&add[..1]);
                args.push("--workspace-root".into());
                args.extend(owned(&add[1..]));
                args
            }
            (Manager::YarnClassic, None) => {
                let mut args = owned(&add[..1]);
                args.push("--ignore-workspace-root-check".into());
                args.extend(owned(&add[1..]));
                args
            }
            (Manager::Npm, Some((dir, _))) => {
                let mut args = owned(&add);
                args.extend(["--workspace".into(), dir.to_string()]);
                args
            }
            (Manager::Pnpm, Some((dir, _))) => {
                let mut args = vec!["--filter".to_string(), format!("./{dir}")];
                args.extend(owned(&add));
                args
            }
            (Manager::YarnClassic, Some((_, name))) => {
                let mut args = vec!["workspace".to_string(), name?.to_string()];
                args.extend(owned(&add));
                args
            }
            (Manager::Bun, Some((dir, _))) => {
                let mut args = owned(&add);
                args.extend(["--cwd".into(), dir.to_string()]);
                args
            }
        })
    }

    /// The arguments that rebuild node_modules from the lockfile as it is.
    pub fn frozen_install_args(self) -> &'static [&'static str] {
        match self {
            Manager::Npm => &["ci", "--no-audit", "--no-fund"],
            Manager::Pnpm | Manager::YarnClassic | Manager::Bun => {
                &["install", "--frozen-lockfile"]
            }
            Manager::YarnBerry => &["install", "--immutable"],
        }
    }

    /// Whether a spec keeps the declared range's `^` or `~`: npm's own
    /// `save-prefix` does that for an exact version; pnpm, Yarn and Bun
    /// would write the exact version into package.json and hold every
    /// later update.
    pub fn keeps_range_prefix(self) -> bool {
        self != Manager::Npm
    }

    /// Every argument pattern the plans of this manager use.
    pub fn grant_patterns(self) -> Vec<Vec<String>> {
        let spec = if self.keeps_range_prefix() {
            "{npm-range}"
        } else {
            "{npm-pin}"
        };
        let mut patterns: Vec<Vec<String>> = Vec::new();
        // Outside a workspace, its root named, or a member (`*` stands for
        // the member's directory or name, and never matches an option).
        for member in [None, Some(("*", Some("*")))] {
            for workspace in [false, true] {
                for (dev, optional) in [(false, false), (true, false), (false, true)] {
                    let Some(mut args) = self.add_args_in(dev, optional, workspace, member) else {
                        continue;
                    };
                    // pnpm's `./dir` filter: a plain `*`, as a path
                    // pattern would match only one component.
                    for arg in &mut args {
                        if arg == "./*" {
                            *arg = "*".to_string();
                        }
                    }
                    args.extend([spec.to_string(), "...".to_string()]);
                    if !patterns.contains(&args) {
                        patterns.push(args);
                    }
                }
            }
        }
        patterns.push(
            self.frozen_install_args()
                .iter()
                .map(|s| s.to_string())
                .collect(),
        );
        patterns
    }
}

fn flagged(
    verb: &'static str,
    dev: bool,
    optional: bool,
    dev_flag: &'static str,
    optional_flag: &'static str,
) -> Vec<&'static str> {
    match (dev, optional) {
        (true, _) => vec![verb, dev_flag],
        (false, true) => vec![verb, optional_flag],
        _ => vec![verb],
    }
}

/// The manager a `packageManager` value (`pnpm@9.1.0+sha512…`) names.
pub fn from_package_manager(field: &str) -> Option<Manager> {
    let (name, version) = field.trim().split_once('@')?;
    let major: u64 = version
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|m| m.parse().ok())?;
    match name {
        "npm" => Some(Manager::Npm),
        "pnpm" => Some(Manager::Pnpm),
        "yarn" if major < 2 => Some(Manager::YarnClassic),
        "yarn" => Some(Manager::YarnBerry),
        "bun" => Some(Manager::Bun),
        _ => None,
    }
}

/// The manager of the project in `dir`, given its `packageManager` field.
pub fn detect(dir: &str, package_manager: Option<&str>) -> Manager {
    let here = |name: &str| Path::new(dir).join(name).exists();
    let yarn = || {
        let berry = std::fs::read_to_string(Path::new(dir).join("yarn.lock"))
            .map(|text| text.lines().any(|l| l.starts_with("__metadata:")))
            .unwrap_or(false);
        if berry || here(".yarnrc.yml") {
            Manager::YarnBerry
        } else {
            Manager::YarnClassic
        }
    };
    match package_manager.and_then(from_package_manager) {
        Some(Manager::YarnClassic | Manager::YarnBerry) if here("yarn.lock") => yarn(),
        Some(manager) => manager,
        None if here("pnpm-lock.yaml") => Manager::Pnpm,
        None if here("yarn.lock") => yarn(),
        None if here("bun.lock") || here("bun.lockb") => Manager::Bun,
        None => Manager::Npm,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_manager_field_names_the_tool_and_yarn_major() {
        assert_eq!(
            from_package_manager("pnpm@9.1.0+sha512.abc"),
            Some(Manager::Pnpm)
        );
        assert_eq!(
            from_package_manager("yarn@1.22.22"),
            Some(Manager::YarnClassic)
        );
        assert_eq!(from_package_manager("yarn@4.5.0"), Some(Manager::YarnBerry));
        assert_eq!(from_package_manager("bun@1.1.0"), Some(Manager::Bun));
        assert_eq!(from_package_manager("deno@2"), None);
        assert_eq!(from_package_manager("pnpm"), None);
    }

    #[test]
    fn the_field_wins_over_lockfiles_and_lockfiles_over_npm() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_str().unwrap();
        assert_eq!(detect(dir, None), Manager::Npm);
        std::fs::write(tmp.path().join("bun.lock"), "{}").unwrap();
        assert_eq!(detect(dir, None), Manager::Bun);
        std::fs::write(tmp.path().join("pnpm-lock.yaml"), "").unwrap();
        assert_eq!(detect(dir, None), Manager::Pnpm);
        assert_eq!(detect(dir, Some("bun@1.1.0")), Manager::Bun);
        std::fs::write(tmp.path().join("yarn.lock"), "__metadata:\n  version: 8\n").unwrap();
        assert_eq!(detect(dir, Some("yarn@1.22.0")), Manager::YarnBerry);
        std::fs::write(tmp.path().join("yarn.lock"), "# yarn lockfile v1\n").unwrap();
        assert_eq!(detect(dir, Some("yarn@1.22.0")), Manager::YarnClassic);
    }

    #[test]
    fn plans_keep_each_dependency_in_its_section() {
        assert_eq!(Manager::Pnpm.add_args(true, false), ["add", "--save-dev"]);
        assert_eq!(Manager::Bun.add_args(false, true), ["add", "--optional"]);
        assert_eq!(Manager::YarnBerry.add_args(true, false), ["up"]);
        assert_eq!(Manager::YarnBerry.grant_patterns().len(), 2);
        assert_eq!(Manager::Pnpm.grant_patterns().len(), 10);
        assert!(
            Manager::Pnpm.grant_patterns().contains(
                &["--filter", "*", "add", "--save-dev", "{npm-range}", "..."]
                    .map(String::from)
                    .to_vec()
            )
        );
    }
}
