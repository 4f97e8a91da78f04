//! A Node project as it is on disk: the dependencies package.json declares
//! (and on which line), in the root and in each workspace member, the tool
//! that manages it, the versions its lockfile records (refusing a lockfile
//! that no longer matches package.json), and what `node_modules/*/package.json`
//! says is installed. It only reads.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use nodejs_semver::{Range, Version};
use serde::Deserialize;
use steward_sdk::{Error, ErrorCode};

use crate::assess;
use crate::lockfile::{self, Importer};
use crate::manager::{self, Manager};

/// Which section of package.json declares a dependency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Dependencies,
    DevDependencies,
    OptionalDependencies,
}

/// One package of the project: the root, or a workspace member.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Member {
    /// Its directory relative to the root, `""` for the root itself.
    pub dir: String,
    /// Its package.json `name`.
    pub name: Option<String>,
}

impl Member {
    pub fn is_root(&self) -> bool {
        self.dir.is_empty()
    }

    /// Its package.json, relative to the root (for messages).
    pub fn manifest(&self) -> String {
        if self.is_root() {
            "package.json".to_string()
        } else {
            format!("{}/package.json", self.dir)
        }
    }
}

/// One dependency package.json declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    pub name: String,
    /// The declared range (`^2.1.0`, `1.2.3`, `github:x/y`…).
    pub range: String,
    pub section: Section,
    /// What is installed: `node_modules/<name>/package.json`, else the lockfile.
    pub installed: Option<String>,
    /// The line of package.json that declares it (1-based).
    pub line: Option<usize>,
    /// The package of the project that declares it.
    pub member: Member,
}

impl Dependency {
    /// The update's id: the name for the root's own dependencies,
    /// `dir:name` for a workspace member's.
    pub fn id(&self) -> String {
        if self.member.is_root() {
            self.name.clone()
        } else {
            format!("{}:{}", self.member.dir, self.name)
        }
    }
}

#[derive(Debug, Clone)]
pub struct Project {
    pub dependencies: Vec<Dependency>,
    pub manager: Manager,
    /// The workspace members (not the root); empty without workspaces.
    pub members: Vec<Member>,
}

#[derive(Deserialize, Default)]
struct PackageJson {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    dependencies: BTreeMap<String, String>,
    #[serde(default, rename = "devDependencies")]
    dev_dependencies: BTreeMap<String, String>,
    #[serde(default, rename = "optionalDependencies")]
    optional_dependencies: BTreeMap<String, String>,
    #[serde(default, rename = "packageManager")]
    package_manager: Option<String>,
    #[serde(default)]
    workspaces: Option<Workspaces>,
}

/// `"workspaces": ["packages/*"]` (npm, Yarn, Bun) or Yarn 1's
/// `{"packages": [...]}`.
#[derive(Deserialize)]
#[serde(untagged)]
enum Workspaces {
    List(Vec<String>),
    Table {
        #[serde(default)]
        packages: Vec<String>,
    },
}

impl PackageJson {
    /// name -> range over every section, as the lockfiles key them.
    fn declared(&self) -> BTreeMap<String, String> {
        let mut declared = self.dev_dependencies.clone();
        declared.extend(self.optional_dependencies.clone());
        declared.extend(self.dependencies.clone());
        declared
    }
}

pub fn package_json_path(dir: &str) -> String {
    format!("{}/package.json", dir.trim_end_matches('/'))
}

pub fn lockfile_path(dir: &str, manager: Manager) -> String {
    format!("{}/{}", dir.trim_end_matches('/'), manager.lockfile())
}

/// A package.json's text, or an error naming it.
fn read_manifest(dir: &str) -> Result<(String, PackageJson), Error> {
    let manifest_path = package_json_path(dir);
    let text = fs::read_to_string(&manifest_path).map_err(|e| {
        let code = if e.kind() == std::io::ErrorKind::NotFound {
            ErrorCode::NotFound
        } else {
            ErrorCode::Denied
        };
        Error::new(code, format!("cannot read {manifest_path}: {e}"))
    })?;
    let manifest: PackageJson = serde_json::from_str(&text)
        .map_err(|e| Error::invalid_data(format!("{manifest_path} is not valid: {e}")))?;
    Ok((text, manifest))
}

/// The tool that manages the project in `dir`.
pub fn manager(dir: &str) -> Result<Manager, Error> {
    let (_, manifest) = read_manifest(dir)?;
    Ok(manager::detect(dir, manifest.package_manager.as_deref()))
}

/// The workspace members of the project in `dir`: the root package.json's
/// `workspaces`, or pnpm-workspace.yaml's `packages`; each a directory
/// with a package.json, sorted, the root itself left out.
pub fn members(dir: &str) -> Result<Vec<Member>, Error> {
    let (_, manifest) = read_manifest(dir)?;
    workspace_members(dir, &manifest)
}

fn workspace_members(dir: &str, manifest: &PackageJson) -> Result<Vec<Member>, Error> {
    let mut patterns: Vec<String> = match &manifest.workspaces {
        Some(Workspaces::List(list)) => list.clone(),
        Some(Workspaces::Table { packages }) => packages.clone(),
        None => Vec::new(),
    };
    let pnpm_workspace = format!("{}/pnpm-workspace.yaml", dir.trim_end_matches('/'));
    if let Ok(text) = fs::read_to_string(&pnpm_workspace) {
        #[derive(Deserialize)]
        struct PnpmWorkspace {
            #[serde(default)]
            packages: Vec<String>,
        }
        let parsed: Option<PnpmWorkspace> = serde_yaml_ng::from_str(&text)
            .map_err(|e| Error::invalid_data(format!("{pnpm_workspace} does not parse: {e}")))?;
        patterns.extend(parsed.map(|w| w.packages).unwrap_or_default());
    }
    let mut found: Vec<String> = Vec::new();
    let mut excluded: Vec<String> = Vec::new();
    for pattern in &patterns {
        let (negated, pattern) = match pattern.strip_prefix('!') {
            Some(p) => (true, p),
            None => (false, pattern.as_str()),
        };
        let pattern = pattern.trim_start_matches("./").trim_end_matches('/');
        let mut dirs = Vec::new();
        expand(
            Path::new(dir),
            "",
            &pattern.split('/').collect::<Vec<_>>(),
            &mut dirs,
        );
        if negated {
            excluded.extend(dirs);
        } else {
            found.extend(dirs);
        }
    }
    found.retain(|d| !d.is_empty() && !excluded.contains(d));
    found.sort();
    found.dedup();
    let mut members = Vec::new();
    for member_dir in found {
        let full = format!("{}/{member_dir}", dir.trim_end_matches('/'));
        if !Path::new(&package_json_path(&full)).is_file() {
            continue;
        }
        let (_, member) = read_manifest(&full)?;
        members.push(Member {
            dir: member_dir,
            name: member.name,
        });
    }
    Ok(members)
}

/// The directories under `base` (relative path `rel`) that match the
/// pattern's segments: `*` and `?` within a segment, `**` for any depth;
/// never into node_modules or hidden directories, never through a link.
fn expand(base: &Path, rel: &str, segments: &[&str], out: &mut Vec<String>) {
    let Some((first, rest)) = segments.split_first() else {
        out.push(rel.to_string());
        return;
    };
    let join = |name: &str| {
        if rel.is_empty() {
            name.to_string()
        } else {
            format!("{rel}/{name}")
        }
    };
    let subdirs = || -> Vec<String> {
        let Ok(entries) = fs::read_dir(base.join(rel)) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with('.') && n != "node_modules")
            .collect();
        names.sort();
        names
    };
    match *first {
        "" | "." => expand(base, rel, rest, out),
        ".." => {} // a member outside the project is not read
        "**" => {
            expand(base, rel, rest, out);
            // Deep enough for any real layout, bounded for a hostile one.
            if rel.matches('/').count() < 8 {
                for name in subdirs() {
                    expand(base, &join(&name), segments, out);
                }
            }
        }
        literal if !literal.contains(['*', '?']) => {
            if base.join(rel).join(literal).is_dir() {
                expand(base, &join(literal), rest, out);
            }
        }
        glob => {
            for name in subdirs() {
                if wildcard(glob, &name) {
                    expand(base, &join(&name), rest, out);
                }
            }
        }
    }
}

/// `*` (any run) and `?` (one character) against one path segment.
fn wildcard(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    let (mut pi, mut ni, mut star, mut mark) = (0, 0, None, 0);
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Reads the project in `dir`: the root's dependencies, then each
/// workspace member's.
pub fn read(dir: &str) -> Result<Project, Error> {
    let (text, manifest) = read_manifest(dir)?;
    let manager = manager::detect(dir, manifest.package_manager.as_deref());
    let members = workspace_members(dir, &manifest)?;
    let lock_path = lockfile_path(dir, manager);
    let lock = match fs::read_to_string(&lock_path) {
        Ok(text) => Some(text),
        Err(_) if manager == Manager::Bun && Path::new(dir).join("bun.lockb").exists() => {
            return Err(Error::new(
                ErrorCode::Unsupported,
                format!(
                    "{}/bun.lockb is Bun's old binary lockfile, which Steward does not read; \
                     run `bun install --save-text-lockfile` in {dir} to write bun.lock beside it, then check again",
                    dir.trim_end_matches('/')
                ),
            ));
        }
        Err(_) => None,
    };
    let root_installed = installed_versions(dir);

    let mut dependencies = Vec::new();
    let mut stale: Vec<String> = Vec::new();
    let root = Member::default();
    let mut packages = vec![(root, text, manifest)];
    for member in &members {
        let (text, manifest) =
            read_manifest(&format!("{}/{}", dir.trim_end_matches('/'), member.dir))?;
        packages.push((member.clone(), text, manifest));
    }
    // A member depending on a sibling (`"@bot/lib": "^1.0.0"`, which npm
    // and Yarn 1 link from the workspace): part of the project, not a
    // registry package, and in no lockfile as one.
    let siblings: Vec<&str> = members.iter().filter_map(|m| m.name.as_deref()).collect();
    for (member, text, manifest) in &packages {
        let mut declared = manifest.declared();
        declared.retain(|name, _| !siblings.contains(&name.as_str()));
        let locked = match &lock {
            Some(lock) => {
                let importer = Importer {
                    dir: &member.dir,
                    name: member.name.as_deref(),
                };
                let locked =
                    lockfile::versions(manager, lock, importer, &declared).map_err(|e| {
                        Error::invalid_data(format!(
                            "{lock_path} does not parse as a {} lockfile: {e}",
                            manager.tool()
                        ))
                    })?;
                stale.extend(out_of_date(&member.manifest(), &declared, &locked));
                locked
            }
            None => lockfile::Versions::new(),
        };
        let installed = if member.is_root() {
            root_installed.clone()
        } else {
            // A member's own node_modules (pnpm links every one there),
            // else what is hoisted to the root.
            let mut installed = root_installed.clone();
            installed.extend(installed_versions(&format!(
                "{}/{}",
                dir.trim_end_matches('/'),
                member.dir
            )));
            installed
        };
        // optionalDependencies also appear in dependencies; npm lists them once.
        let mut seen: BTreeMap<String, ()> = BTreeMap::new();
        let mut own = Vec::new();
        for (section, map) in [
            (Section::Dependencies, &manifest.dependencies),
            (
                Section::OptionalDependencies,
                &manifest.optional_dependencies,
            ),
            (Section::DevDependencies, &manifest.dev_dependencies),
        ] {
            for (name, range) in map {
                if !declared.contains_key(name) || seen.insert(name.clone(), ()).is_some() {
                    continue;
                }
                own.push(Dependency {
                    name: name.clone(),
                    range: range.clone(),
                    section,
                    installed: installed.get(name).or_else(|| locked.get(name)).cloned(),
                    line: declaring_line(text, section, name),
                    member: member.clone(),
                });
            }
        }
        own.sort_by(|a, b| a.name.cmp(&b.name));
        dependencies.extend(own);
    }
    if !stale.is_empty() {
        return Err(Error::new(
            ErrorCode::Conflict,
            format!(
                "{lock_path} is out of date with package.json: {}; run `{} install` in {dir} and check again (nothing is planned from a stale lockfile)",
                stale.join("; "),
                manager.tool()
            ),
        ));
    }
    Ok(Project {
        dependencies,
        manager,
        members,
    })
}

/// What in `declared` the lockfile does not hold: a registry range with
/// no locked version, or one its locked version does not satisfy.
fn out_of_date(
    manifest: &str,
    declared: &BTreeMap<String, String>,
    locked: &lockfile::Versions,
) -> Vec<String> {
    let mut stale = Vec::new();
    for (name, range) in declared {
        if !assess::is_registry_range(range) {
            continue;
        }
        match locked.get(name) {
            None => stale.push(format!(
                "{manifest} declares {name} {range:?}, which the lockfile does not have"
            )),
            Some(version) => {
                let (Ok(parsed), Ok(wanted)) =
                    (Version::parse(version), Range::parse(range.trim()))
                else {
                    continue;
                };
                if !wanted.satisfies_with_prerelease(&parsed, true) {
                    stale.push(format!(
                        "{manifest} declares {name} {range:?}, but the lockfile has {version}"
                    ));
                }
            }
        }
    }
    stale
}

/// The line of `"name":` inside the section's object in package.json text.
fn declaring_line(text: &str, section: Section, name: &str) -> Option<usize> {
    let key = match section {
        Section::Dependencies => "\"dependencies\"",
        Section::DevDependencies => "\"devDependencies\"",
        Section::OptionalDependencies => "\"optionalDependencies\"",
    };
    let start = text.find(key)?;
    let open = start + text[start..].find('{')?;
    let close = open + text[open..].find('}')?;
    let needle = format!("\"{name}\"");
    let at = open + text[open..close].find(&needle)?;
    Some(text[..at].matches('\n').count() + 1)
}

/// `node_modules/<name>/package.json` and `node_modules/@scope/<name>/package.json`.
pub fn installed_versions(dir: &str) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    let modules = Path::new(dir).join("node_modules");
    let Ok(entries) = fs::read_dir(&modules) else {
        return found;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue; // .bin, .package-lock.json
        }
        if name.starts_with('@') {
            let Ok(scoped) = fs::read_dir(entry.path()) else {
                continue;
            };
            for inner in scoped.filter_map(Result::ok) {
                let full = format!("{name}/{}", inner.file_name().to_string_lossy());
                if let Some(version) = manifest_version(&inner.path()) {
                    found.insert(full, version);
                }
            }
        } else if let Some(version) = manifest_version(&entry.path()) {
            found.insert(name, version);
        }
    }
    found
}

/// The `version` of an installed package's package.json. Only that field
/// is built: the rest (scripts, dependencies, often a README) is skipped,
/// where building it all as a `Value` was a visible part of a check.
fn manifest_version(dir: &Path) -> Option<String> {
    #[derive(Deserialize)]
    struct Installed {
        version: Option<String>,
    }
    let text = fs::read(dir.join("package.json")).ok()?;
    serde_json::from_slice::<Installed>(&text).ok()?.version
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, body: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, body).unwrap();
    }

    #[test]
    fn read_joins_declared_ranges_with_installed_versions() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        write(
            &dir.join("package.json"),
            r#"{"name":"bot","dependencies":{"discord.js":"^14.0.0","@discordjs/rest":"~2.0.0","left":"1.0.0"},
                "devDependencies":{"typescript":"^5.0.0"},
                "optionalDependencies":{"left":"1.0.0"}}"#,
        );
        write(
            &dir.join("package-lock.json"),
            r#"{"lockfileVersion":3,"packages":{"":{},
                "node_modules/discord.js":{"version":"14.1.0"},
                "node_modules/@discordjs/rest":{"version":"2.0.1"},
                "node_modules/typescript":{"version":"5.0.4"},
                "node_modules/left":{"version":"1.0.0"},
                "node_modules/x/node_modules/left":{"version":"0.1.0"}}}"#,
        );
        write(
            &dir.join("node_modules/discord.js/package.json"),
            r#"{"name":"discord.js","version":"14.2.0"}"#,
        );
        write(
            &dir.join("node_modules/@discordjs/rest/package.json"),
            r#"{"name":"@discordjs/rest","version":"2.0.1"}"#,
        );
        let project = read(dir.to_str().unwrap()).unwrap();
        let got: Vec<(&str, Option<&str>, Section)> = project
            .dependencies
            .iter()
            .map(|d| (d.name.as_str(), d.installed.as_deref(), d.section))
            .collect();
        assert_eq!(
            got,
            vec![
                ("@discordjs/rest", Some("2.0.1"), Section::Dependencies),
                ("discord.js", Some("14.2.0"), Section::Dependencies),
                ("left", Some("1.0.0"), Section::Dependencies),
                ("typescript", Some("5.0.4"), Section::DevDependencies),
            ]
        );
    }

    #[test]
    fn read_takes_a_pnpm_projects_versions_and_lines_and_names_a_broken_lockfile() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        write(
            &dir.join("package.json"),
            "{\n  \"name\": \"bot\",\n  \"dependencies\": {\n    \"ws\": \"^8.0.0\"\n  },\n  \"devDependencies\": {\n    \"ws-dev\": \"1.0.0\"\n  }\n}\n",
        );
        write(
            &dir.join("pnpm-lock.yaml"),
            "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      ws:\n        specifier: ^8.0.0\n        version: 8.17.1\n    devDependencies:\n      ws-dev:\n        specifier: 1.0.0\n        version: 1.0.0\n",
        );
        let project = read(dir.to_str().unwrap()).unwrap();
        assert_eq!(project.manager, Manager::Pnpm);
        let ws = &project.dependencies[0];
        assert_eq!(
            (ws.installed.as_deref(), ws.line),
            (Some("8.17.1"), Some(4))
        );
        assert_eq!(project.dependencies[1].line, Some(7));

        write(&dir.join("pnpm-lock.yaml"), "importers: [\n");
        let err = read(dir.to_str().unwrap()).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidData);
        assert!(
            err.message
                .contains("pnpm-lock.yaml does not parse as a pnpm lockfile"),
            "{}",
            err.message
        );
    }

    #[test]
    fn read_reports_a_missing_package_json() {
        let tmp = tempfile::tempdir().unwrap();
        let err = read(tmp.path().to_str().unwrap()).unwrap_err();
        assert_eq!(err.code, ErrorCode::NotFound);
    }

    #[test]
    fn a_lockfile_out_of_date_with_package_json_is_refused_naming_it_and_what_differs() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        write(
            &dir.join("package.json"),
            r#"{"dependencies":{"ws":"^9.0.0","ms":"^2.0.0","local":"file:../local"}}"#,
        );
        write(
            &dir.join("pnpm-lock.yaml"),
            "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      ws:\n        specifier: ^8.0.0\n        version: 8.17.1\n",
        );
        let err = read(dir.to_str().unwrap()).unwrap_err();
        assert_eq!(err.code, ErrorCode::Conflict);
        let lock = format!("{}/pnpm-lock.yaml", dir.display());
        assert!(
            err.message
                .starts_with(&format!("{lock} is out of date with package.json")),
            "{}",
            err.message
        );
        assert!(
            err.message
                .contains("package.json declares ws \"^9.0.0\", but the lockfile has 8.17.1"),
            "{}",
            err.message
        );
        assert!(
            err.message
                .contains("package.json declares ms \"^2.0.0\", which the lockfile does not have"),
            "{}",
            err.message
        );
        assert!(
            err.message.contains("run `pnpm install`"),
            "{}",
            err.message
        );
        assert!(
            !err.message.contains("local"),
            "not a registry range: {}",
            err.message
        );

        // Yarn 1: the declared range changed, the lock still has the old entry.
        write(
            &dir.join("package.json"),
            r#"{"dependencies":{"ms":"^3.0.0"}}"#,
        );
        fs::remove_file(dir.join("pnpm-lock.yaml")).unwrap();
        write(
            &dir.join("yarn.lock"),
            "# yarn lockfile v1\n\nms@^2.0.0:\n  version \"2.1.3\"\n",
        );
        let err = read(dir.to_str().unwrap()).unwrap_err();
        assert!(
            err.message
                .contains("yarn.lock is out of date with package.json")
                && err.message.contains("but the lockfile has 2.1.3"),
            "{}",
            err.message
        );
    }

    #[test]
    fn only_a_binary_bun_lockb_is_named_with_the_command_that_migrates_it() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        write(
            &dir.join("package.json"),
            r#"{"dependencies":{"ms":"^2.0.0"}}"#,
        );
        write(
            &dir.join("bun.lockb"),
            "#!/usr/bin/env bun\nbun-lockfile-format-v0\n",
        );
        let err = read(dir.to_str().unwrap()).unwrap_err();
        assert_eq!(err.code, ErrorCode::Unsupported);
        assert!(
            err.message
                .contains(&format!("{}/bun.lockb", dir.display()))
                && err.message.contains("bun install --save-text-lockfile"),
            "{}",
            err.message
        );
    }

    fn member_json(name: &str, deps: &str) -> String {
        format!("{{\"name\":\"{name}\",\n\"dependencies\":{{\n{deps}}}}}")
    }

    #[test]
    fn npm_workspace_members_are_read_with_their_own_and_hoisted_versions() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        write(
            &dir.join("package.json"),
            r#"{"name":"root","workspaces":["packages/*","!packages/skipped"],"dependencies":{"ms":"^2.0.0"}}"#,
        );
        write(
            &dir.join("packages/api/package.json"),
            &member_json(
                "@bot/api",
                "\"ws\": \"^8.0.0\", \"ms\": \"^1.0.0\", \"@bot/lib\": \"^1.0.0\"\n",
            ),
        );
        // A sibling the member depends on: linked, in no lockfile as a package.
        write(
            &dir.join("packages/lib/package.json"),
            &member_json("@bot/lib", ""),
        );
        write(
            &dir.join("packages/skipped/package.json"),
            &member_json("skipped", "\"gone\": \"^1.0.0\"\n"),
        );
        write(&dir.join("packages/no-manifest/README"), "");
        write(
            &dir.join("package-lock.json"),
            r#"{"lockfileVersion":3,"packages":{"":{},
                "node_modules/ms":{"version":"2.1.3"},
                "node_modules/ws":{"version":"8.17.1"},
                "node_modules/@bot/api":{"resolved":"packages/api","link":true},
                "packages/api/node_modules/ms":{"version":"1.0.0"}}}"#,
        );
        let project = read(dir.to_str().unwrap()).unwrap();
        let members: Vec<(&str, Option<&str>)> = project
            .members
            .iter()
            .map(|m| (m.dir.as_str(), m.name.as_deref()))
            .collect();
        assert_eq!(
            members,
            [
                ("packages/api", Some("@bot/api")),
                ("packages/lib", Some("@bot/lib"))
            ]
        );
        let got: Vec<(String, Option<&str>, Option<usize>)> = project
            .dependencies
            .iter()
            .map(|d| (d.id(), d.installed.as_deref(), d.line))
            .collect();
        assert_eq!(
            got,
            [
                ("ms".to_string(), Some("2.1.3"), Some(1)),
                ("packages/api:ms".to_string(), Some("1.0.0"), Some(3)),
                ("packages/api:ws".to_string(), Some("8.17.1"), Some(3)),
            ]
        );
    }

    #[test]
    fn pnpm_workspace_members_come_from_pnpm_workspace_yaml_and_its_importers() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        write(&dir.join("package.json"), r#"{"name":"root"}"#);
        write(
            &dir.join("pnpm-workspace.yaml"),
            "packages:\n  - 'apps/**'\n",
        );
        write(
            &dir.join("apps/web/package.json"),
            &member_json("web", "\"ws\": \"^8.0.0\"\n"),
        );
        write(
            &dir.join("apps/web/node_modules/x/package.json"),
            &member_json("x", ""),
        );
        write(
            &dir.join("pnpm-lock.yaml"),
            "lockfileVersion: '9.0'\nimporters:\n  .: {}\n  apps/web:\n    dependencies:\n      ws:\n        specifier: ^8.0.0\n        version: 8.17.1\n",
        );
        let project = read(dir.to_str().unwrap()).unwrap();
        assert_eq!(project.members.len(), 1, "{:?}", project.members);
        assert_eq!(project.dependencies[0].id(), "apps/web:ws");
        assert_eq!(project.dependencies[0].installed.as_deref(), Some("8.17.1"));

        // A member the lockfile has never seen makes it stale.
        write(
            &dir.join("apps/new/package.json"),
            &member_json("new", "\"ms\": \"^2.0.0\"\n"),
        );
        let err = read(dir.to_str().unwrap()).unwrap_err();
        assert!(
            err.message.contains(
                "apps/new/package.json declares ms \"^2.0.0\", which the lockfile does not have"
            ),
            "{}",
            err.message
        );
    }

    #[test]
    fn wildcards_match_one_segment() {
        assert!(wildcard("*", "api"));
        assert!(wildcard("bot-*", "bot-api"));
        assert!(!wildcard("bot-*", "api"));
        assert!(wildcard("a?c", "abc"));
    }
}
