//! The versions a lockfile records for the project's direct dependencies,
//! in each manager's format: package-lock.json, pnpm-lock.yaml (YAML),
//! yarn.lock (Yarn 1's own format, or Berry's YAML) and bun.lock (JSON with
//! comments and trailing commas). Pure: it is handed the file's text.

use std::collections::BTreeMap;

use crate::manager::Manager;

/// Name -> version, for the direct dependencies the lockfile records.
pub type Versions = BTreeMap<String, String>;

/// Which package of the project a lockfile is read for: the root, or a
/// workspace member (its directory relative to the root, and its name).
#[derive(Debug, Clone, Copy, Default)]
pub struct Importer<'a> {
    /// `""` for the root.
    pub dir: &'a str,
    pub name: Option<&'a str>,
}

/// Reads `text` as `manager`'s lockfile for one package of the project;
/// `declared` is that package.json's name -> range (yarn.lock keys its
/// entries by them). The error says what is wrong, without the file's
/// name (the caller adds it).
pub fn versions(
    manager: Manager,
    text: &str,
    importer: Importer,
    declared: &BTreeMap<String, String>,
) -> Result<Versions, String> {
    match manager {
        Manager::Npm => npm(text, importer.dir),
        Manager::Pnpm => pnpm(text, importer.dir),
        Manager::YarnClassic => yarn_classic(text, declared),
        Manager::YarnBerry => yarn_berry(text, declared),
        Manager::Bun => bun(text, importer.name),
    }
}

/// `packages["node_modules/<name>"]` (v2, v3), else v1's `dependencies`;
/// for a workspace member, its own copy (`<dir>/node_modules/<name>`)
/// first, then the hoisted one.
fn npm(text: &str, member: &str) -> Result<Versions, String> {
    let lock: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let mut found = Versions::new();
    if let Some(packages) = lock.get("packages").and_then(|p| p.as_object()) {
        let own = format!("{member}/node_modules/");
        let mut members_own = Versions::new();
        for (path, entry) in packages {
            let (name, target) = match path.strip_prefix("node_modules/") {
                Some(name) => (name, &mut found),
                None if !member.is_empty() => match path.strip_prefix(&own) {
                    Some(name) => (name, &mut members_own),
                    None => continue,
                },
                None => continue,
            };
            // Nested copies (`node_modules/a/node_modules/b`) are not what the project uses.
            if name.contains("/node_modules/") {
                continue;
            }
            if let Some(version) = entry.get("version").and_then(|v| v.as_str()) {
                target.insert(name.to_string(), version.to_string());
            }
        }
        found.extend(members_own);
    } else if let Some(deps) = lock.get("dependencies").and_then(|d| d.as_object()) {
        for (name, entry) in deps {
            if let Some(version) = entry.get("version").and_then(|v| v.as_str()) {
                found.insert(name.clone(), version.to_string());
            }
        }
    }
    Ok(found)
}

/// `importers["."]` (v6 with workspaces, v9), else the top-level sections
/// (v5, v6). A version is `{specifier, version}` (v6+) or a bare string
/// (v5); peer suffixes (`1.0.0(react@18.0.0)`, v5's `1.0.0_react@18.0.0`)
/// are not part of it.
fn pnpm(text: &str, member: &str) -> Result<Versions, String> {
    use serde_yaml_ng::Value;
    let lock: Value = serde_yaml_ng::from_str(text).map_err(|e| e.to_string())?;
    if !lock.is_mapping() {
        return Err("it is not a YAML mapping".into());
    }
    if lock.get("lockfileVersion").is_none() {
        return Err("it has no lockfileVersion".into());
    }
    let empty = Value::Null;
    let root = match lock.get("importers") {
        // A member the lockfile does not know has nothing locked.
        Some(importers) if !member.is_empty() => importers.get(member).unwrap_or(&empty),
        Some(importers) => importers.get(".").unwrap_or(&lock),
        None => &lock,
    };
    let mut found = Versions::new();
    for section in ["dependencies", "devDependencies", "optionalDependencies"] {
        let Some(entries) = root.get(section).and_then(Value::as_mapping) else {
            continue;
        };
        for (name, entry) in entries {
            let Some(name) = name.as_str() else { continue };
            let version = match entry {
                Value::String(v) => Some(v.as_str()),
                other => other.get("version").and_then(Value::as_str),
            };
            let Some(version) = version else { continue };
            let version = version.split(['(', '_']).next().unwrap_or(version);
            // `link:../lib` and the like are not registry versions.
            if version.starts_with(|c: char| c.is_ascii_digit()) {
                found.insert(name.to_string(), version.to_string());
            }
        }
    }
    Ok(found)
}

/// Splits a descriptor (`ws@^8.0.0`, `@scope/x@npm:^1`) into name and range.
fn descriptor(text: &str) -> Option<(&str, &str)> {
    let at = text[1..].find('@')? + 1;
    Some((&text[..at], &text[at + 1..]))
}

/// Picks, for each declared dependency, the entry whose descriptors
/// include `name@range`; else the only version recorded for the name.
fn match_declared(
    entries: &[(Vec<(String, String)>, String)],
    declared: &BTreeMap<String, String>,
) -> Versions {
    let mut found = Versions::new();
    for (name, range) in declared {
        let exact = entries.iter().find(|(descriptors, _)| {
            descriptors
                .iter()
                .any(|(n, r)| n == name && r.strip_prefix("npm:").unwrap_or(r) == range)
        });
        let version = match exact {
            Some((_, version)) => Some(version.clone()),
            None => {
                let mut all: Vec<&String> = entries
                    .iter()
                    .filter(|(d, _)| d.iter().any(|(n, _)| n == name))
                    .map(|(_, v)| v)
                    .collect();
                all.dedup();
                (all.len() == 1).then(|| all[0].clone())
            }
        };
        if let Some(version) = version {
            found.insert(name.clone(), version);
        }
    }
    found
}

/// Yarn 1's format: unindented `"a@^1", a@^1.2:` headers, then indented
/// `key "value"` lines, `version` among them.
fn yarn_classic(text: &str, declared: &BTreeMap<String, String>) -> Result<Versions, String> {
    let unquote = |s: &str| s.trim().trim_matches('"').to_string();
    let mut entries: Vec<(Vec<(String, String)>, String)> = Vec::new();
    let mut current: Option<(Vec<(String, String)>, usize)> = None;
    let finish = |current: &mut Option<(Vec<(String, String)>, usize)>,
                  entries: &mut Vec<(Vec<(String, String)>, String)>,
                  version: Option<String>|
     -> Result<(), String> {
        if let Some((descriptors, line)) = current.take() {
            let version = version.ok_or(format!("the entry at line {line} has no version"))?;
            entries.push((descriptors, version));
        }
        Ok(())
    };
    let mut version: Option<String> = None;
    for (i, line) in text.lines().enumerate() {
        let number = i + 1;
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if !line.starts_with(' ') {
            finish(&mut current, &mut entries, version.take())?;
            let Some(header) = line.strip_suffix(':') else {
                return Err(format!("line {number} is neither an entry nor a field"));
            };
            let mut descriptors = Vec::new();
            for part in header.split(", ") {
                let part = unquote(part);
                let (name, range) = descriptor(&part)
                    .ok_or(format!("line {number}: {part:?} is not name@range"))?;
                descriptors.push((name.to_string(), range.to_string()));
            }
            current = Some((descriptors, number));
        } else if current.is_none() {
            return Err(format!("line {number} is indented outside an entry"));
        } else if let Some(value) = line
            .strip_prefix("  version ")
            .filter(|_| !line.starts_with("   "))
        {
            version = Some(unquote(value));
        }
    }
    finish(&mut current, &mut entries, version)?;
    Ok(match_declared(&entries, declared))
}

/// Berry: YAML whose keys are `"a@npm:^1, a@npm:^1.2"`, each with a
/// `version`; `__metadata` says which lockfile version it is.
fn yarn_berry(text: &str, declared: &BTreeMap<String, String>) -> Result<Versions, String> {
    use serde_yaml_ng::Value;
    let lock: Value = serde_yaml_ng::from_str(text).map_err(|e| e.to_string())?;
    let map = lock.as_mapping().ok_or("it is not a YAML mapping")?;
    if lock.get("__metadata").is_none() {
        return Err("it has no __metadata".into());
    }
    let mut entries = Vec::new();
    for (key, entry) in map {
        let Some(key) = key.as_str().filter(|k| *k != "__metadata") else {
            continue;
        };
        let Some(version) = entry.get("version").and_then(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }) else {
            return Err(format!("the entry {key:?} has no version"));
        };
        let descriptors = key
            .split(", ")
            .filter_map(|d| descriptor(d.trim()))
            .map(|(n, r)| (n.to_string(), r.to_string()))
            .collect();
        entries.push((descriptors, version));
    }
    Ok(match_declared(&entries, declared))
}

/// bun.lock: `packages[name]` is `["name@version", …]` for the copy the
/// project itself uses (nested copies have `parent/name` keys, and a
/// workspace member's own copy `member-name/name`).
fn bun(text: &str, member: Option<&str>) -> Result<Versions, String> {
    let json = jsonc_to_json(text)?;
    let lock: serde_json::Value = serde_json::from_str(&json).map_err(|e| e.to_string())?;
    let packages = lock
        .get("packages")
        .and_then(|p| p.as_object())
        .ok_or("it has no packages")?;
    let mut found = Versions::new();
    let mut members_own = Versions::new();
    for (key, entry) in packages {
        let Some(resolved) = entry.get(0).and_then(|r| r.as_str()) else {
            continue;
        };
        let Some((name, version)) = resolved.rsplit_once('@') else {
            continue;
        };
        if !version.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        // A nested copy's key is `parent/name`; the direct one's is the name.
        if key == name {
            found.insert(name.to_string(), version.to_string());
        } else if let Some(member) = member
            && key.strip_prefix(member).and_then(|k| k.strip_prefix('/')) == Some(name)
        {
            members_own.insert(name.to_string(), version.to_string());
        }
    }
    found.extend(members_own);
    Ok(found)
}

/// JSONC as bun writes it (comments, trailing commas) made plain JSON;
/// strings are copied untouched.
pub fn jsonc_to_json(text: &str) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                out.push(c);
                let mut closed = false;
                while let Some(s) = chars.next() {
                    out.push(s);
                    if s == '\\' {
                        if let Some(escaped) = chars.next() {
                            out.push(escaped);
                        }
                    } else if s == '"' {
                        closed = true;
                        break;
                    }
                }
                if !closed {
                    return Err("a string is not closed".into());
                }
            }
            '/' if chars.peek() == Some(&'/') => {
                for s in chars.by_ref() {
                    if s == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                let mut closed = false;
                for s in chars.by_ref() {
                    if last == '*' && s == '/' {
                        closed = true;
                        break;
                    }
                    last = s;
                }
                if !closed {
                    return Err("a comment is not closed".into());
                }
            }
            ']' | '}' => {
                // A comma before the closing bracket (whitespace between) goes.
                let trimmed = out.trim_end().len();
                if out[..trimmed].ends_with(',') {
                    out.truncate(trimmed - 1);
                }
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn declared(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(n, r)| (n.to_string(), r.to_string()))
            .collect()
    }

    fn get<'a>(v: &'a Versions, name: &str) -> Option<&'a str> {
        v.get(name).map(String::as_str)
    }

    #[test]
    fn pnpm_v9_importers_and_peer_suffixes() {
        let text = "lockfileVersion: '9.0'\n\nsettings:\n  autoInstallPeers: true\n\nimporters:\n\n  .:\n    dependencies:\n      ws:\n        specifier: ^8.0.0\n        version: 8.17.1(bufferutil@4.0.8)\n      local:\n        specifier: link:../local\n        version: link:../local\n    devDependencies:\n      '@types/ms':\n        specifier: ^0.7.0\n        version: 0.7.34\n\npackages:\n\n  ws@8.17.1:\n    resolution: {integrity: sha512-x}\n";
        let v = pnpm(text, "").unwrap();
        assert_eq!(get(&v, "ws"), Some("8.17.1"));
        assert_eq!(get(&v, "@types/ms"), Some("0.7.34"));
        assert_eq!(get(&v, "local"), None);
    }

    #[test]
    fn pnpm_v6_top_level_and_v5_bare_versions() {
        let v6 = "lockfileVersion: '6.0'\ndependencies:\n  ms:\n    specifier: ^2.0.0\n    version: 2.1.3\n";
        assert_eq!(get(&pnpm(v6, "").unwrap(), "ms"), Some("2.1.3"));
        let v5 = "lockfileVersion: 5.4\nspecifiers:\n  ms: ^2.0.0\ndependencies:\n  ms: 2.1.3_peer@1.0.0\n";
        assert_eq!(get(&pnpm(v5, "").unwrap(), "ms"), Some("2.1.3"));
    }

    #[test]
    fn pnpm_garbage_is_an_error() {
        assert!(pnpm("importers: [unclosed\n", "").is_err());
        assert!(pnpm("just a string", "").is_err());
        assert!(pnpm("importers: {}\n", "").is_err(), "no lockfileVersion");
    }

    #[test]
    fn yarn_classic_matches_entries_by_declared_range() {
        let text = "# THIS IS AN AUTOGENERATED FILE.\n# yarn lockfile v1\n\n\n\"@types/ms@^0.7.0\":\n  version \"0.7.34\"\n  resolved \"http://r/@types/ms/-/ms-0.7.34.tgz#abc\"\n  integrity sha512-x\n\nms@2.0.0:\n  version \"2.0.0\"\n\nms@^2.0.0, ms@^2.1.0:\n  version \"2.1.3\"\n  dependencies:\n    version-like \"9.9.9\"\n";
        let v = yarn_classic(
            text,
            &declared(&[("ms", "^2.1.0"), ("@types/ms", "^0.7.0"), ("gone", "^1")]),
        )
        .unwrap();
        assert_eq!(get(&v, "ms"), Some("2.1.3"));
        assert_eq!(get(&v, "@types/ms"), Some("0.7.34"));
        assert_eq!(get(&v, "gone"), None);
    }

    #[test]
    fn yarn_classic_garbage_names_the_line() {
        let err = yarn_classic(
            "ms@^2.0.0:\n  version \"2.1.3\"\nnot an entry\n",
            &BTreeMap::new(),
        )
        .unwrap_err();
        assert!(err.contains("line 3"), "{err}");
        let err = yarn_classic("ms@^2.0.0:\n  resolved \"x\"\n", &BTreeMap::new()).unwrap_err();
        assert!(err.contains("line 1 has no version"), "{err}");
    }

    #[test]
    fn yarn_berry_reads_npm_descriptors() {
        let text = "# This file is generated by running \"yarn install\".\n\n__metadata:\n  version: 8\n  cacheKey: 10c0\n\n\"bot@workspace:.\":\n  version: 0.0.0-use.local\n  resolution: \"bot@workspace:.\"\n\n\"ms@npm:^2.0.0, ms@npm:^2.1.0\":\n  version: 2.1.3\n  resolution: \"ms@npm:2.1.3\"\n\n\"@types/ms@npm:^0.7.0\":\n  version: 0.7.34\n";
        let v = yarn_berry(
            text,
            &declared(&[("ms", "^2.0.0"), ("@types/ms", "^0.7.0")]),
        )
        .unwrap();
        assert_eq!(get(&v, "ms"), Some("2.1.3"));
        assert_eq!(get(&v, "@types/ms"), Some("0.7.34"));
        assert!(yarn_berry("\"ms@npm:^2\":\n  version: 2.1.3\n", &BTreeMap::new()).is_err());
    }

    #[test]
    fn bun_lock_is_jsonc_with_direct_and_nested_copies() {
        let text = "{\n  // bun writes this\n  \"lockfileVersion\": 1,\n  \"workspaces\": {\n    \"\": {\n      \"name\": \"bot\",\n      \"dependencies\": {\n        \"ms\": \"^2.0.0\",\n      },\n    },\n  },\n  \"packages\": {\n    \"@types/ms\": [\"@types/ms@0.7.34\", \"\", {}, \"sha512-x\"],\n\n    \"ms\": [\"ms@2.1.3\", \"\", {}, \"sha512-y//z,]\"],\n\n    \"debug/ms\": [\"ms@2.0.0\", \"\", {}, \"sha512-z\"],\n  }\n}\n";
        let v = bun(text, None).unwrap();
        assert_eq!(get(&v, "ms"), Some("2.1.3"));
        assert_eq!(get(&v, "@types/ms"), Some("0.7.34"));
        assert!(bun("{\"packages\": {", None).is_err());
        assert!(bun("{\"packages\": \"x/* open", None).is_err());
    }

    #[test]
    fn npm_lock_v1_dependencies_are_read_too() {
        let v = npm(
            r#"{"lockfileVersion":1,"dependencies":{"a":{"version":"1.2.3"}}}"#,
            "",
        )
        .unwrap();
        assert_eq!(get(&v, "a"), Some("1.2.3"));
        assert!(npm("not json", "").is_err());
    }
}
