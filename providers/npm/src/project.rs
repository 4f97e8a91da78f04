//! A Node project as it is on disk: the dependencies package.json declares
//! (and on which line), the tool that manages it, the versions its lockfile
//! records, and what `node_modules/*/package.json` says is installed. It
//! only reads.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use serde::Deserialize;
use steward_sdk::{Error, ErrorCode};

use crate::lockfile;
use crate::manager::{self, Manager};

/// Which section of package.json declares a dependency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Dependencies,
    DevDependencies,
    OptionalDependencies,
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
}

#[derive(Debug, Clone)]
pub struct Project {
    pub dependencies: Vec<Dependency>,
    pub manager: Manager,
}

#[derive(Deserialize, Default)]
struct PackageJson {
    #[serde(default)]
    dependencies: BTreeMap<String, String>,
    #[serde(default, rename = "devDependencies")]
    dev_dependencies: BTreeMap<String, String>,
    #[serde(default, rename = "optionalDependencies")]
    optional_dependencies: BTreeMap<String, String>,
    #[serde(default, rename = "packageManager")]
    package_manager: Option<String>,
}

pub fn package_json_path(dir: &str) -> String {
    format!("{}/package.json", dir.trim_end_matches('/'))
}

pub fn lockfile_path(dir: &str, manager: Manager) -> String {
    format!("{}/{}", dir.trim_end_matches('/'), manager.lockfile())
}

/// package.json's text, or an error naming it.
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

/// The versions the project's lockfile records for its direct
/// dependencies; none without a lockfile, an error naming the file when it
/// does not parse.
pub fn locked_versions(dir: &str) -> Result<lockfile::Versions, Error> {
    let (_, manifest) = read_manifest(dir)?;
    let manager = manager::detect(dir, manifest.package_manager.as_deref());
    locked(dir, manager, &manifest)
}

fn locked(
    dir: &str,
    manager: Manager,
    manifest: &PackageJson,
) -> Result<lockfile::Versions, Error> {
    let path = lockfile_path(dir, manager);
    let Ok(text) = fs::read_to_string(&path) else {
        return Ok(lockfile::Versions::new());
    };
    let mut declared = manifest.dev_dependencies.clone();
    declared.extend(manifest.optional_dependencies.clone());
    declared.extend(manifest.dependencies.clone());
    lockfile::versions(manager, &text, &declared).map_err(|e| {
        Error::invalid_data(format!(
            "{path} does not parse as a {} lockfile: {e}",
            manager.tool()
        ))
    })
}

/// Reads the project in `dir`.
pub fn read(dir: &str) -> Result<Project, Error> {
    let (text, manifest) = read_manifest(dir)?;
    let manager = manager::detect(dir, manifest.package_manager.as_deref());
    let locked = locked(dir, manager, &manifest)?;
    let installed = installed_versions(dir);

    // optionalDependencies also appear in dependencies; npm lists them once.
    let mut seen: BTreeMap<String, ()> = BTreeMap::new();
    let mut dependencies = Vec::new();
    for (section, map) in [
        (Section::Dependencies, &manifest.dependencies),
        (
            Section::OptionalDependencies,
            &manifest.optional_dependencies,
        ),
        (Section::DevDependencies, &manifest.dev_dependencies),
    ] {
        for (name, range) in map {
            if seen.insert(name.clone(), ()).is_some() {
                continue;
            }
            dependencies.push(Dependency {
                name: name.clone(),
                range: range.clone(),
                section,
                installed: installed.get(name).or_else(|| locked.get(name)).cloned(),
                line: declaring_line(&text, section, name),
            });
        }
    }
    dependencies.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Project {
        dependencies,
        manager,
    })
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

fn manifest_version(dir: &Path) -> Option<String> {
    let text = fs::read_to_string(dir.join("package.json")).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    value.get("version")?.as_str().map(str::to_string)
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
                ("typescript", None, Section::DevDependencies),
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
            "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      ws:\n        specifier: ^8.0.0\n        version: 8.17.1\n",
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
}
