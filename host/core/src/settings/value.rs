//! The kinds of value a setting takes, how each is parsed from what a user
//! types and how it is written back. Parsing validates; nothing here knows
//! which setting a value belongs to.

use std::path::{Path, PathBuf};

use crate::UpdateType;

use super::catalog::UPDATE_TYPES;

#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Bool,
    /// A whole number in `min..=max`.
    Int {
        min: u64,
        max: u64,
    },
    /// `HH:MM`, 24-hour.
    Time,
    Choice(&'static [&'static str]),
    /// A directory; relative paths resolve against steward.toml's directory.
    Path,
    /// A comma-separated list of update types.
    UpdateTypes,
    /// Discord channel ids (or `<#id>` mentions), comma-separated; `none`.
    ChannelIds,
    /// An IANA zone name.
    Timezone,
}

/// A parsed, valid value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Bool(bool),
    Int(u64),
    Text(String),
    Path(PathBuf),
    Types(Vec<UpdateType>),
    Ids(Vec<u64>),
}

impl Value {
    pub fn bool(self) -> bool {
        matches!(self, Value::Bool(true))
    }

    pub fn int(self) -> u64 {
        match self {
            Value::Int(n) => n,
            _ => 0,
        }
    }

    pub fn text(self) -> String {
        match self {
            Value::Text(s) => s,
            other => other.to_string(),
        }
    }

    pub fn path(self) -> PathBuf {
        match self {
            Value::Path(p) => p,
            other => PathBuf::from(other.to_string()),
        }
    }

    pub fn types(self) -> Vec<UpdateType> {
        match self {
            Value::Types(t) => t,
            _ => Vec::new(),
        }
    }

    pub fn ids(self) -> Vec<u64> {
        match self {
            Value::Ids(ids) => ids,
            _ => Vec::new(),
        }
    }
}

impl std::fmt::Display for Value {
    /// As a user would type it back.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(n) => write!(f, "{n}"),
            Value::Text(s) => f.write_str(s),
            Value::Path(p) => write!(f, "{}", p.display()),
            Value::Types(types) => f.write_str(&type_names(types).join(",")),
            Value::Ids(ids) if ids.is_empty() => f.write_str("none"),
            Value::Ids(ids) => {
                f.write_str(&ids.iter().map(u64::to_string).collect::<Vec<_>>().join(","))
            }
        }
    }
}

pub fn type_names(types: &[UpdateType]) -> Vec<&'static str> {
    types
        .iter()
        .filter_map(|t| UPDATE_TYPES.iter().find(|(_, u)| u == t).map(|(n, _)| *n))
        .collect()
}

impl Kind {
    /// What a valid value looks like, for error messages.
    pub fn expected(&self) -> String {
        match self {
            Kind::Bool => "true or false".to_string(),
            Kind::Int { min, max } if min == max => format!("{min} (the only supported value)"),
            Kind::Int { min, max } => format!("a whole number from {min} to {max}"),
            Kind::Time => "a time as HH:MM (24-hour, e.g. 03:00)".to_string(),
            Kind::Choice(choices) => format!("one of {}", choices.join(", ")),
            Kind::Path => {
                "a directory (relative to steward.toml) that exists or whose parent exists"
                    .to_string()
            }
            Kind::UpdateTypes => format!(
                "one or more of {} separated by commas",
                UPDATE_TYPES
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Kind::ChannelIds => "Discord channel ids separated by commas (or none)".to_string(),
            Kind::Timezone => "an IANA time zone such as UTC or Europe/Berlin".to_string(),
        }
    }

    /// Parses `raw`; `base` is the directory relative paths start from, and
    /// `check_disk` whether a path must be usable now (not when steward.toml
    /// is read: its directories are created on first use).
    pub fn parse(&self, raw: &str, base: &Path, check_disk: bool) -> Option<Value> {
        let raw = raw.trim();
        match self {
            Kind::Bool => match raw.to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" | "1" => Some(Value::Bool(true)),
                "false" | "no" | "off" | "0" => Some(Value::Bool(false)),
                _ => None,
            },
            Kind::Int { min, max } => raw
                .parse::<u64>()
                .ok()
                .filter(|n| (*min..=*max).contains(n))
                .map(Value::Int),
            Kind::Time => parse_time(raw).map(|(h, m)| Value::Text(format!("{h:02}:{m:02}"))),
            Kind::Choice(choices) => {
                let lower = raw.to_ascii_lowercase();
                choices
                    .iter()
                    .find(|c| **c == lower)
                    .map(|c| Value::Text(c.to_string()))
            }
            Kind::Path => parse_path(raw, base, check_disk).map(Value::Path),
            Kind::UpdateTypes => parse_types(raw).map(Value::Types),
            Kind::ChannelIds => parse_ids(raw).map(Value::Ids),
            Kind::Timezone => raw
                .parse::<chrono_tz::Tz>()
                .ok()
                .map(|tz| Value::Text(tz.name().to_string())),
        }
    }
}

/// `HH:MM` (one-digit hours accepted) as hour and minute.
pub fn parse_time(raw: &str) -> Option<(u32, u32)> {
    let (h, m) = raw.trim().split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    if !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m) = (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?);
    (h < 24 && m < 60).then_some((h, m))
}

fn parse_path(raw: &str, base: &Path, check_disk: bool) -> Option<PathBuf> {
    if raw.is_empty() || raw.contains('\0') {
        return None;
    }
    let path = crate::config::normalize(&base.join(raw));
    if !check_disk {
        return Some(path);
    }
    if path.exists() {
        return path.is_dir().then_some(path);
    }
    path.parent().filter(|p| p.is_dir())?;
    Some(path)
}

/// A comma-separated list of update types, each once, in the order given.
pub fn parse_types(raw: &str) -> Option<Vec<UpdateType>> {
    let mut out = Vec::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let lower = part.to_ascii_lowercase();
        let (_, t) = UPDATE_TYPES.iter().find(|(n, _)| *n == lower)?;
        if !out.contains(t) {
            out.push(*t);
        }
    }
    (!out.is_empty()).then_some(out)
}

fn parse_ids(raw: &str) -> Option<Vec<u64>> {
    if raw.eq_ignore_ascii_case("none") || raw.is_empty() {
        return Some(Vec::new());
    }
    let mut out = Vec::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        // Discord's client copies a channel as `<#id>`.
        let digits = part
            .strip_prefix("<#")
            .and_then(|p| p.strip_suffix('>'))
            .unwrap_or(part);
        let id = digits.parse::<u64>().ok().filter(|id| *id > 0)?;
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Some(out)
}
