//! The config file formats (TOML, JSON, .env): reading a file into flat dotted
//! keys for comparison, and rewriting the operator's text with a list of edits.
//! Nothing here touches the disk or decides what to change; `merge` decides.

mod env_file;
mod json_file;
mod toml_file;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// A config file syntax.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Toml,
    Json,
    Env,
}

impl Format {
    /// The format named by the `format` setting.
    pub fn from_name(name: &str) -> Option<Format> {
        match name.trim().to_ascii_lowercase().as_str() {
            "toml" => Some(Format::Toml),
            "json" => Some(Format::Json),
            "env" | ".env" | "dotenv" => Some(Format::Env),
            _ => None,
        }
    }

    /// The format a file name implies: `*.toml`, `*.json`, `.env`, `*.env`
    /// and `.env.*`.
    pub fn from_path(path: &str) -> Option<Format> {
        let file = path.rsplit('/').next().unwrap_or(path);
        if file.ends_with(".toml") {
            Some(Format::Toml)
        } else if file.ends_with(".json") {
            Some(Format::Json)
        } else if file == ".env" || file.ends_with(".env") || file.starts_with(".env.") {
            Some(Format::Env)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Toml => "TOML",
            Format::Json => "JSON",
            Format::Env => ".env",
        }
    }

    /// Where the template's version lives unless the `version_key` setting says otherwise.
    pub fn default_version_key(self) -> &'static str {
        match self {
            Format::Env => "TEMPLATE_VERSION",
            Format::Toml | Format::Json => "template_version",
        }
    }

    /// Reads `text` into flat keys: nested tables/objects become dotted
    /// paths, arrays stay whole values.
    pub fn parse(self, text: &str) -> Result<Flat, FormatError> {
        match self {
            Format::Toml => toml_file::flatten(text),
            Format::Json => json_file::flatten(text),
            Format::Env => env_file::flatten(text),
        }
    }

    /// Applies `edits` to the operator's `operator` text, taking new values
    /// (and, where the format has them, their comments) from `template`.
    /// Everything not named by an edit is kept as written.
    pub fn rewrite(
        self,
        operator: &str,
        template: &str,
        edits: &[Edit],
        template_version: &str,
    ) -> Result<Rewritten, FormatError> {
        match self {
            Format::Toml => toml_file::rewrite(operator, template, edits, template_version),
            Format::Json => json_file::rewrite(operator, template, edits),
            Format::Env => env_file::rewrite(operator, template, edits, template_version),
        }
    }
}

/// Why a text could not be read or rewritten in its format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError(pub String);

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A key's place in the nested config, one segment per table level.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyPath(pub Vec<String>);

impl KeyPath {
    pub fn single(key: &str) -> KeyPath {
        KeyPath(vec![key.to_string()])
    }

    /// Splits a dotted setting such as `logging.level`.
    pub fn from_dotted(dotted: &str) -> KeyPath {
        KeyPath(dotted.split('.').map(|s| s.trim().to_string()).collect())
    }

    pub fn segments(&self) -> &[String] {
        &self.0
    }

    /// Whether `self` is `prefix` or lies under it (`logging.level` under `logging`).
    pub fn is_under(&self, prefix: &KeyPath) -> bool {
        self.0.len() >= prefix.0.len() && self.0[..prefix.0.len()] == prefix.0[..]
    }

    /// Whether `self` lies strictly under `ancestor`.
    pub fn is_strictly_under(&self, ancestor: &KeyPath) -> bool {
        self.0.len() > ancestor.0.len() && self.is_under(ancestor)
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            let bare = !segment.is_empty()
                && segment
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if bare {
                f.write_str(segment)?;
            } else {
                write!(f, "{segment:?}")?;
            }
        }
        Ok(())
    }
}

/// One setting's value, compared structurally within its format.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Toml(toml::Value),
    Json(serde_json::Value),
    Env(String),
}

impl Value {
    /// The value's type, as the format names it; a different type is a conflict.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Toml(v) => match v {
                toml::Value::String(_) => "string",
                toml::Value::Integer(_) => "integer",
                toml::Value::Float(_) => "float",
                toml::Value::Boolean(_) => "boolean",
                toml::Value::Datetime(_) => "datetime",
                toml::Value::Array(_) => "array",
                toml::Value::Table(_) => "table",
            },
            Value::Json(v) => match v {
                serde_json::Value::Null => "null",
                serde_json::Value::Bool(_) => "boolean",
                serde_json::Value::Number(n) if n.is_f64() => "float",
                serde_json::Value::Number(_) => "integer",
                serde_json::Value::String(_) => "string",
                serde_json::Value::Array(_) => "array",
                serde_json::Value::Object(_) => "object",
            },
            Value::Env(_) => "string",
        }
    }

    /// The value on one line, as the format writes it.
    pub fn render(&self) -> String {
        match self {
            Value::Toml(v) => v.to_string(),
            Value::Json(v) => v.to_string(),
            Value::Env(s) => format!("{s:?}"),
        }
    }

    /// The value as plain text: a string's contents, anything else rendered.
    pub fn text(&self) -> String {
        match self {
            Value::Toml(toml::Value::String(s)) => s.clone(),
            Value::Json(serde_json::Value::String(s)) => s.clone(),
            Value::Env(s) => s.clone(),
            other => other.render(),
        }
    }
}

/// A config read as flat keys, in the order the file lists them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Flat {
    entries: Vec<(KeyPath, Value)>,
    index: BTreeMap<KeyPath, usize>,
}

impl Flat {
    /// Adds a key; a repeated key keeps its first place and its last value,
    /// as `.env` loaders do.
    pub fn insert(&mut self, key: KeyPath, value: Value) {
        match self.index.get(&key) {
            Some(&i) => self.entries[i].1 = value,
            None => {
                self.index.insert(key.clone(), self.entries.len());
                self.entries.push((key, value));
            }
        }
    }

    pub fn get(&self, key: &KeyPath) -> Option<&Value> {
        self.index.get(key).map(|&i| &self.entries[i].1)
    }

    pub fn entries(&self) -> impl Iterator<Item = (&KeyPath, &Value)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// A key of this config that is a strict prefix of `key` (so `key` cannot
    /// be added beneath it: it is a value here, not a table).
    pub fn value_above(&self, key: &KeyPath) -> Option<&KeyPath> {
        (1..key.0.len()).find_map(|n| {
            let prefix = KeyPath(key.0[..n].to_vec());
            self.index.get_key_value(&prefix).map(|(k, _)| k)
        })
    }

    /// Whether this config has keys strictly under `key` (so `key` is a table here).
    pub fn has_keys_under(&self, key: &KeyPath) -> bool {
        self.index
            .range(key.clone()..)
            .take_while(|(k, _)| k.is_under(key))
            .any(|(k, _)| k.is_strictly_under(key))
    }
}

/// One change to the operator's file, decided by `merge`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Edit {
    /// Replace the operator's value with the template's.
    Set(KeyPath),
    /// Add the key with the template's value (and comments).
    Add(KeyPath),
    /// Take the key out: commented out where the format has comments.
    Remove(KeyPath),
}

/// The keys the edits add, so a new table or object is copied holding only those.
fn added_keys(edits: &[Edit]) -> BTreeSet<KeyPath> {
    edits
        .iter()
        .filter_map(|e| match e {
            Edit::Add(k) => Some(k.clone()),
            _ => None,
        })
        .collect()
}

/// The merged text, and what the rewrite had to do in a way worth telling
/// (a key dropped rather than commented out).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rewritten {
    pub text: String,
    pub notes: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_follows_the_file_extension() {
        assert_eq!(
            Format::from_path("config.template.toml"),
            Some(Format::Toml)
        );
        assert_eq!(Format::from_path("conf/app.json"), Some(Format::Json));
        assert_eq!(Format::from_path("/bot/.env"), Some(Format::Env));
        assert_eq!(Format::from_path("/bot/template.env"), Some(Format::Env));
        assert_eq!(Format::from_path("/bot/.env.template"), Some(Format::Env));
        assert_eq!(Format::from_path("/bot/config.yaml"), None);
    }

    #[test]
    fn key_paths_quote_segments_that_are_not_bare() {
        let key = KeyPath(vec!["servers".into(), "eu.west".into(), "port".into()]);
        assert_eq!(key.to_string(), r#"servers."eu.west".port"#);
    }

    #[test]
    fn flat_finds_a_value_where_a_table_is_expected() {
        let mut flat = Flat::default();
        flat.insert(
            KeyPath::from_dotted("cache"),
            Value::Toml(toml::Value::Boolean(true)),
        );
        flat.insert(
            KeyPath::from_dotted("db.url"),
            Value::Toml(toml::Value::String("x".into())),
        );
        assert_eq!(
            flat.value_above(&KeyPath::from_dotted("cache.size")),
            Some(&KeyPath::from_dotted("cache"))
        );
        assert!(flat.has_keys_under(&KeyPath::from_dotted("db")));
        assert!(!flat.has_keys_under(&KeyPath::from_dotted("cache")));
    }
}
