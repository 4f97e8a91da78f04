//! The bot's command surface: what changes in its slash commands between
//! the running release and the offered one, from the `commands.json` each
//! ships (documented in MANIFEST.md: the array of application commands the
//! bot registers, as Discord's `PUT /applications/{id}/commands` takes it).
//! Pure: it compares two documents and never reads or fetches anything.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;
use steward_sdk::{KeyChange, KeyChangeKind};

#[derive(Debug, Deserialize)]
struct Command {
    name: String,
    #[serde(default, rename = "type")]
    kind: Option<u8>,
    #[serde(default)]
    options: Vec<CommandOption>,
    #[serde(default)]
    default_member_permissions: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct CommandOption {
    name: String,
    #[serde(rename = "type")]
    kind: u8,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    choices: Vec<Value>,
    #[serde(default)]
    options: Vec<CommandOption>,
}

/// Parses a `commands.json`; the error names `what` (a path or URL).
pub fn parse(body: &[u8], what: &str) -> Result<Vec<Value>, String> {
    let doc: Value =
        serde_json::from_slice(body).map_err(|e| format!("{what} is not valid JSON: {e}"))?;
    let list = doc
        .as_array()
        .ok_or_else(|| format!("{what} is not a list of commands (see MANIFEST.md)"))?;
    for (n, c) in list.iter().enumerate() {
        serde_json::from_value::<Command>(c.clone())
            .map_err(|e| format!("{what}: command {} is malformed: {e}", n + 1))?;
    }
    Ok(list.clone())
}

/// What differs from `old` to `new`, commands first, each as a typed
/// change. The key is `/name` for a command, `/name option` for an option
/// (`/name sub option` inside a subcommand), `/name:default_member_permissions`
/// and `/name:type` for those of a command (a colon is never part of a
/// command's name); the change is `Added`, `Removed`, or `DefaultChanged`
/// for one that changes.
pub fn diff(old: &[Value], new: &[Value]) -> Vec<KeyChange> {
    let old = by_name(old);
    let new = by_name(new);
    let mut changes = Vec::new();
    for name in new.keys() {
        if !old.contains_key(name) {
            changes.push(change(
                format!("/{name}"),
                KeyChangeKind::Added,
                format!("new command /{name}"),
            ));
        }
    }
    for name in old.keys() {
        if !new.contains_key(name) {
            changes.push(change(
                format!("/{name}"),
                KeyChangeKind::Removed,
                format!("command /{name} removed"),
            ));
        }
    }
    for (name, before) in &old {
        let Some(after) = new.get(name) else {
            continue;
        };
        if before.kind.unwrap_or(1) != after.kind.unwrap_or(1) {
            changes.push(change(
                format!("/{name}:type"),
                KeyChangeKind::DefaultChanged,
                format!("command /{name} changes its type"),
            ));
        }
        options(
            &format!("/{name}"),
            &before.options,
            &after.options,
            &mut changes,
        );
        let (was, is) = (
            permissions(&before.default_member_permissions),
            permissions(&after.default_member_permissions),
        );
        if was != is {
            changes.push(change(
                format!("/{name}:default_member_permissions"),
                KeyChangeKind::DefaultChanged,
                format!(
                    "/{name} default permissions: {} → {}",
                    was.as_deref().unwrap_or("everyone"),
                    is.as_deref().unwrap_or("everyone")
                ),
            ));
        }
    }
    changes
}

fn options(
    parent: &str,
    before: &[CommandOption],
    after: &[CommandOption],
    changes: &mut Vec<KeyChange>,
) {
    for a in after {
        let subject = format!("{parent} {}", a.name);
        match before.iter().find(|b| b.name == a.name) {
            None => changes.push(change(
                subject.clone(),
                KeyChangeKind::Added,
                format!(
                    "new {} option {subject}",
                    if a.required { "required" } else { "optional" }
                ),
            )),
            Some(b) => {
                let mut what = Vec::new();
                if b.kind != a.kind {
                    what.push("its type".to_string());
                }
                if b.required != a.required {
                    what.push(
                        if a.required {
                            "now required"
                        } else {
                            "now optional"
                        }
                        .to_string(),
                    );
                }
                if b.choices != a.choices {
                    what.push("its choices".to_string());
                }
                if !what.is_empty() {
                    changes.push(change(
                        subject.clone(),
                        KeyChangeKind::DefaultChanged,
                        format!("option {subject} changes: {}", what.join(", ")),
                    ));
                }
                options(&subject, &b.options, &a.options, changes);
            }
        }
    }
    for b in before {
        if !after.iter().any(|a| a.name == b.name) {
            let subject = format!("{parent} {}", b.name);
            changes.push(change(
                subject.clone(),
                KeyChangeKind::Removed,
                format!("option {subject} removed"),
            ));
        }
    }
}

fn by_name(list: &[Value]) -> BTreeMap<String, Command> {
    list.iter()
        .filter_map(|v| serde_json::from_value::<Command>(v.clone()).ok())
        .map(|c| (c.name.clone(), c))
        .collect()
}

/// The permission bits as Discord writes them (a string, sometimes a
/// number); `None` is everyone.
fn permissions(value: &Option<Value>) -> Option<String> {
    match value {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => Some(other.to_string()),
    }
}

fn change(key: String, change: KeyChangeKind, text: String) -> KeyChange {
    KeyChange { key, change, text }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn keys(changes: &[KeyChange]) -> Vec<(String, KeyChangeKind)> {
        changes.iter().map(|c| (c.key.clone(), c.change)).collect()
    }

    #[test]
    fn added_removed_and_changed_commands_options_and_permissions_are_named() {
        let old = vec![
            json!({"name": "ban", "description": "Ban", "default_member_permissions": "4",
                   "options": [{"type": 6, "name": "user", "description": "who", "required": true},
                               {"type": 3, "name": "reason", "description": "why"}]}),
            json!({"name": "kick", "description": "Kick"}),
            json!({"name": "ping", "description": "Ping"}),
        ];
        let new = vec![
            json!({"name": "ban", "description": "Ban someone", "default_member_permissions": "8",
                   "options": [{"type": 6, "name": "user", "description": "who", "required": true},
                               {"type": 3, "name": "reason", "description": "why", "required": true},
                               {"type": 4, "name": "days", "description": "delete days"}]}),
            json!({"name": "ping", "description": "Ping"}),
            json!({"name": "poll", "description": "Poll"}),
        ];
        let changes = diff(&old, &new);
        assert_eq!(
            keys(&changes),
            vec![
                ("/poll".to_string(), KeyChangeKind::Added),
                ("/kick".to_string(), KeyChangeKind::Removed),
                ("/ban reason".to_string(), KeyChangeKind::DefaultChanged),
                ("/ban days".to_string(), KeyChangeKind::Added),
                (
                    "/ban:default_member_permissions".to_string(),
                    KeyChangeKind::DefaultChanged
                ),
            ]
        );
        assert_eq!(changes[2].text, "option /ban reason changes: now required");
        assert_eq!(changes[4].text, "/ban default permissions: 4 → 8");
    }

    #[test]
    fn the_same_commands_differ_in_nothing_whatever_their_descriptions() {
        let old = vec![json!({"name": "ping", "description": "Ping"})];
        let new = vec![json!({"name": "ping", "description": "Pong!"})];
        assert!(diff(&old, &new).is_empty());
    }

    #[test]
    fn a_file_that_is_not_a_list_of_commands_is_refused_naming_it() {
        let err = parse(br#"{"commands": []}"#, "releases/current/commands.json").unwrap_err();
        assert!(
            err.contains("releases/current/commands.json is not a list"),
            "{err}"
        );
        let err = parse(br#"[{"description": "no name"}]"#, "x.json").unwrap_err();
        assert!(err.contains("command 1 is malformed"), "{err}");
    }
}
