//! A Node project as npm sees it on disk: the dependencies package.json
//! declares, the versions package-lock.json records, and what
//! `node_modules/*/package.json` says is installed. It only reads.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use serde::Deserialize;
use steward_sdk::{Error, ErrorCode};

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
}

#[derive(Debug, Clone, Default)]
pub struct Project {
    pub dependencies: Vec<Dependency>,
}

#[derive(Deserialize, Default)]
struct PackageJson {
    #[serde(default)]
    dependencies: BTreeMap<String, String>,
    #[serde(default, rename = "devDependencies")]
    dev_dependencies: BTreeMap<String, String>,
    #[serde(default, rename = "optionalDependencies")]
    optional_dependencies: BTreeMap<String, String>,
}

pub fn package_json_path(dir: &str) -> String {
    format!("{}/package.json", dir.trim_end_matches('/'))
}

pub fn lockfile_path(dir: &str) -> String {
    format!("{}/package-lock.json", dir.trim_end_matches('/'))
}

/// Reads the project in `dir`.
pub fn read(dir: &str) -> Result<Project, Error> {
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
    let locked = fs::read(lockfile_path(dir))
        .ok()
        .map(|body| lockfile_versions(&body))
        .unwrap_or_default();
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
            });
        }
    }
    dependencies.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Project { dependencies })
}

/// Top-level versions from a lockfile: `packages["node_modules/<name>"]`
/// (v2, v3), else v1's `dependencies`.
pub fn lockfile_versions(body: &[u8]) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    let Ok(lock) = serde_json::from_slice::<serde_json::Value>(body) else {
        return found;
    };
    if let Some(packages) = lock.get("packages").and_then(|p| p.as_object()) {
        for (path, entry) in packages {
            let Some(name) = path.strip_prefix("node_modules/") else {
                continue;
            };
            // Nested copies (`node_modules/a/node_modules/b`) are not what the project uses.
            if name.contains("/node_modules/") {
                continue;
            }
            if let Some(version) = entry.get("version").and_then(|v| v.as_str()) {
                found.insert(name.to_string(), version.to_string());
            }
        }
    } else if let Some(deps) = lock.get("dependencies").and_then(|d| d.as_object()) {
        for (name, entry) in deps {
            if let Some(version) = entry.get("version").and_then(|v| v.as_str()) {
                found.insert(name.clone(), version.to_string());
            }
        }
    }
    found
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
    fn lockfile_v1_dependencies_are_read_too() {
        let v =
            lockfile_versions(br#"{"lockfileVersion":1,"dependencies":{"a":{"version":"1.2.3"}}}"#);
        assert_eq!(v.get("a").map(String::as_str), Some("1.2.3"));
        assert!(lockfile_versions(b"not json").is_empty());
    }

    #[test]
    fn read_reports_a_missing_package_json() {
        let tmp = tempfile::tempdir().unwrap();
        let err = read(tmp.path().to_str().unwrap()).unwrap_err();
        assert_eq!(err.code, ErrorCode::NotFound);
    }
}
