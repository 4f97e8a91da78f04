//! The 3-way comparison of the new template, the base template the operator's
//! config was made from, and the operator's config: which keys to add, which
//! new defaults to take, which keys to take out, and where the two sides
//! disagree. It decides and explains; it never reads files or writes text.
//!
//! The rule: the operator's values are kept. A changed default is taken only
//! where the operator still had the old default; when both sides changed a
//! value, the operator's stays and the conflict is reported, never guessed.

use steward_sdk::{Detail, KeyChange, KeyChangeKind};

use crate::formats::{Edit, Flat, Format, KeyPath, Value};

pub struct Inputs<'a> {
    pub template: &'a Flat,
    /// `None` when there is no base: keys are compared, values are never adopted.
    pub base: Option<&'a Flat>,
    pub operator: &'a Flat,
    pub version_key: &'a KeyPath,
}

/// What the operator has for a key whose default changed.
#[derive(Clone, Debug, PartialEq)]
pub enum Stance {
    /// Still the old default: the new one is taken.
    HadOld,
    /// Already the new value.
    HasNew,
    /// The key is not in their config.
    NotSet,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Reason {
    /// The operator changed the value and the template changed its default differently.
    BothChanged { old: Value, new: Value },
    /// The operator's value has another type than the template's default.
    TypeDiffers { default: Value },
    /// One side has a table where the other has a value.
    Shape(String),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Finding {
    Added {
        key: KeyPath,
        default: Value,
    },
    /// The template adds a key the operator already set (same type); theirs stays.
    AlreadySet {
        key: KeyPath,
        default: Value,
        operator: Value,
    },
    Removed {
        key: KeyPath,
        old_default: Value,
        operator: Option<Value>,
    },
    DefaultChanged {
        key: KeyPath,
        old: Value,
        new: Value,
        stance: Stance,
    },
    /// The operator's value is kept and the disagreement reported.
    Conflict {
        key: KeyPath,
        operator: Value,
        reason: Reason,
    },
    /// Without a base: the operator's value differs from the template's default (kept).
    Differs {
        key: KeyPath,
        operator: Value,
        default: Value,
    },
    /// Without a base: a key the template does not have (kept).
    NotInTemplate {
        key: KeyPath,
        operator: Value,
    },
}

impl Finding {
    pub fn key(&self) -> &KeyPath {
        match self {
            Finding::Added { key, .. }
            | Finding::AlreadySet { key, .. }
            | Finding::Removed { key, .. }
            | Finding::DefaultChanged { key, .. }
            | Finding::Conflict { key, .. }
            | Finding::Differs { key, .. }
            | Finding::NotInTemplate { key, .. } => key,
        }
    }

    /// The change this finding makes to the operator's file, if any.
    fn edit(&self) -> Option<Edit> {
        match self {
            Finding::Added { key, .. } => Some(Edit::Add(key.clone())),
            Finding::Removed {
                key,
                operator: Some(_),
                ..
            } => Some(Edit::Remove(key.clone())),
            Finding::DefaultChanged {
                key,
                stance: Stance::HadOld,
                ..
            } => Some(Edit::Set(key.clone())),
            _ => None,
        }
    }

    /// One line for `check --details` and the plan.
    pub fn describe(&self, format: Format) -> String {
        match self {
            Finding::Added { key, default } => format!("added: {key} = {}", default.render()),
            Finding::AlreadySet {
                key,
                default,
                operator,
            } if operator == default => {
                format!(
                    "added: {key} = {}, already in your config",
                    default.render()
                )
            }
            Finding::AlreadySet {
                key,
                default,
                operator,
            } => format!(
                "added: {key} = {}, already set in your config to {} (kept)",
                default.render(),
                operator.render()
            ),
            Finding::Removed {
                key,
                operator: Some(value),
                ..
            } => {
                let fate = match format {
                    Format::Json => "it will be dropped: JSON has no comments",
                    Format::Toml | Format::Env => "it will be commented out",
                };
                format!("removed: {key} (you have {}; {fate})", value.render())
            }
            Finding::Removed {
                key,
                old_default,
                operator: None,
            } => format!(
                "removed: {key} (default was {}; not in your config)",
                old_default.render()
            ),
            Finding::DefaultChanged {
                key,
                old,
                new,
                stance,
            } => {
                let what = match stance {
                    Stance::HadOld => "you kept the old default: taking the new one",
                    Stance::HasNew => "you already have the new value",
                    Stance::NotSet => "not set in your config: nothing to change",
                };
                format!(
                    "default changed: {key} {} -> {} ({what})",
                    old.render(),
                    new.render()
                )
            }
            Finding::Conflict {
                key,
                operator,
                reason,
            } => {
                let mine = operator.render();
                match reason {
                    Reason::BothChanged { old, new } => format!(
                        "conflict: {key}: you set {mine}, the template changed its default {} -> {}; keeping {mine}",
                        old.render(),
                        new.render()
                    ),
                    Reason::TypeDiffers { default } => format!(
                        "conflict: {key}: your value {mine} is {} {}, the template's default {} is {} {}; keeping {mine}",
                        article(operator.kind()),
                        operator.kind(),
                        default.render(),
                        article(default.kind()),
                        default.kind()
                    ),
                    Reason::Shape(why) => {
                        format!("conflict: {key}: {why}; keeping {mine}")
                    }
                }
            }
            Finding::Differs {
                key,
                operator,
                default,
            } => format!(
                "differs from the template: {key} = {} (template default {}); kept",
                operator.render(),
                default.render()
            ),
            Finding::NotInTemplate { key, operator } => format!(
                "not in the template: {key} = {} (kept: without a base a removed key cannot be told from one you added)",
                operator.render()
            ),
        }
    }
}

fn article(kind: &str) -> &'static str {
    if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// The outcome of comparing the three files.
#[derive(Clone, Debug, PartialEq)]
pub struct Merge {
    pub findings: Vec<Finding>,
    /// Sets (or adds) the version key to the template's version.
    pub version_edit: Option<Edit>,
    pub without_base: bool,
}

impl Merge {
    pub fn analyse(inputs: &Inputs) -> Merge {
        let Inputs {
            template,
            base,
            operator,
            version_key,
        } = *inputs;
        let mut findings = Vec::new();

        for (key, new) in template.entries() {
            if key != version_key {
                let old = base.map(|b| b.get(key));
                if let Some(finding) = judge(key, new, old, operator) {
                    // Several new keys under one value of theirs make one conflict, not many.
                    let told = matches!(finding, Finding::Conflict { .. })
                        && in_conflict(&findings, finding.key());
                    if !told {
                        findings.push(finding);
                    }
                }
            }
        }

        match base {
            Some(base) => {
                for (key, old_default) in base.entries() {
                    if key == version_key || template.get(key).is_some() {
                        continue;
                    }
                    let mine = operator.get(key);
                    // A key that became a table (or a table that became a value):
                    // taking theirs out would lose it, and the new shape cannot
                    // hold it, so it stays and is reported.
                    let reshaped =
                        template.value_above(key).is_some() || template.has_keys_under(key);
                    if in_conflict(&findings, key) {
                        continue;
                    }
                    findings.push(match mine {
                        Some(mine) if reshaped => Finding::Conflict {
                            key: key.clone(),
                            operator: mine.clone(),
                            reason: Reason::Shape(
                                "the template changed this key between a value and a table".into(),
                            ),
                        },
                        _ => Finding::Removed {
                            key: key.clone(),
                            old_default: old_default.clone(),
                            operator: mine.cloned(),
                        },
                    });
                }
            }
            None => {
                for (key, mine) in operator.entries() {
                    if key != version_key && template.get(key).is_none() {
                        findings.push(Finding::NotInTemplate {
                            key: key.clone(),
                            operator: mine.clone(),
                        });
                    }
                }
            }
        }

        let version_edit = match (template.get(version_key), operator.get(version_key)) {
            (Some(new), Some(mine)) if new != mine => Some(Edit::Set(version_key.clone())),
            (Some(_), None) => Some(Edit::Add(version_key.clone())),
            _ => None,
        };

        Merge {
            findings,
            version_edit,
            without_base: base.is_none(),
        }
    }

    /// Every change to the operator's file, the version key's first.
    pub fn edits(&self) -> Vec<Edit> {
        self.version_edit
            .iter()
            .cloned()
            .chain(self.findings.iter().filter_map(Finding::edit))
            .collect()
    }

    /// The settings whose values change (the version key is bookkeeping, not a setting).
    pub fn changed_keys(&self) -> Vec<&KeyPath> {
        self.findings
            .iter()
            .filter(|f| f.edit().is_some())
            .map(Finding::key)
            .collect()
    }

    pub fn conflicts(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| matches!(f, Finding::Conflict { .. }))
    }

    /// Keys the template no longer has (whether or not the operator set them).
    pub fn removes_keys(&self) -> bool {
        self.findings
            .iter()
            .any(|f| matches!(f, Finding::Removed { .. }))
    }

    /// Whether anything about this merge is worth an update: a change to
    /// the file or a conflict to tell.
    pub fn is_worth_reporting(&self) -> bool {
        self.version_edit.is_some()
            || self.conflicts().next().is_some()
            || self.findings.iter().any(|f| f.edit().is_some())
    }

    /// One detail per finding, typed as the key it is about where it names
    /// a change (added, removed, default changed, conflict).
    pub fn typed_details(&self, format: Format) -> Vec<Detail> {
        self.findings
            .iter()
            .map(|f| {
                let text = f.describe(format);
                let change = match f {
                    Finding::Added { .. } | Finding::AlreadySet { .. } => KeyChangeKind::Added,
                    Finding::Removed { .. } => KeyChangeKind::Removed,
                    Finding::DefaultChanged { .. } => KeyChangeKind::DefaultChanged,
                    Finding::Conflict { .. } => KeyChangeKind::Conflict,
                    Finding::Differs { .. } | Finding::NotInTemplate { .. } => {
                        return Detail::Note(text);
                    }
                };
                Detail::Key(KeyChange {
                    key: f.key().to_string(),
                    change,
                    text,
                })
            })
            .collect()
    }
}

fn in_conflict(findings: &[Finding], key: &KeyPath) -> bool {
    findings
        .iter()
        .any(|f| matches!(f, Finding::Conflict { .. }) && f.key() == key)
}

/// What one template key means for the operator's config. `old` is the
/// base's value: `None` without a base, `Some(None)` when the base lacks the key.
fn judge(
    key: &KeyPath,
    new: &Value,
    old: Option<Option<&Value>>,
    operator: &Flat,
) -> Option<Finding> {
    let mine = operator.get(key);
    if let Some(Some(old)) = old {
        // An unchanged default leaves the operator's value alone, whatever it is.
        if old == new {
            return None;
        }
        let stance = match mine {
            None => Stance::NotSet,
            Some(mine) if mine == old => Stance::HadOld,
            Some(mine) if mine == new => Stance::HasNew,
            Some(mine) => {
                return Some(Finding::Conflict {
                    key: key.clone(),
                    operator: mine.clone(),
                    reason: Reason::BothChanged {
                        old: old.clone(),
                        new: new.clone(),
                    },
                });
            }
        };
        return Some(Finding::DefaultChanged {
            key: key.clone(),
            old: old.clone(),
            new: new.clone(),
            stance,
        });
    }
    // New in the template, or no base to tell.
    match mine {
        None => Some(
            shape_clash(operator, key).unwrap_or_else(|| Finding::Added {
                key: key.clone(),
                default: new.clone(),
            }),
        ),
        Some(mine) if mine.kind() != new.kind() => Some(Finding::Conflict {
            key: key.clone(),
            operator: mine.clone(),
            reason: Reason::TypeDiffers {
                default: new.clone(),
            },
        }),
        Some(mine) if old.is_none() => (mine != new).then(|| Finding::Differs {
            key: key.clone(),
            operator: mine.clone(),
            default: new.clone(),
        }),
        Some(mine) => Some(Finding::AlreadySet {
            key: key.clone(),
            default: new.clone(),
            operator: mine.clone(),
        }),
    }
}

/// A conflict when adding `key` needs the other shape than the operator's
/// config has: a value where a table must go, or a table where a value must go.
fn shape_clash(operator: &Flat, key: &KeyPath) -> Option<Finding> {
    if let Some(above) = operator.value_above(key) {
        return Some(Finding::Conflict {
            key: above.clone(),
            operator: operator.get(above)?.clone(),
            reason: Reason::Shape(format!(
                "the template adds {key} beneath it, but yours is a value, not a table"
            )),
        });
    }
    let (under, value) = operator.entries().find(|(k, _)| k.is_strictly_under(key))?;
    Some(Finding::Conflict {
        key: under.clone(),
        operator: value.clone(),
        reason: Reason::Shape(format!(
            "the template makes {key} a value, but yours is a table holding this key"
        )),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(text: &str) -> Flat {
        Format::Toml.parse(text).unwrap()
    }

    fn analyse(template: &str, base: Option<&str>, operator: &str) -> Merge {
        let (template, operator) = (flat(template), flat(operator));
        let base = base.map(flat);
        Merge::analyse(&Inputs {
            template: &template,
            base: base.as_ref(),
            operator: &operator,
            version_key: &KeyPath::single("v"),
        })
    }

    fn lines(merge: &Merge) -> Vec<String> {
        merge
            .typed_details(Format::Toml)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn unchanged_default_leaves_the_operator_value_alone_even_of_another_type() {
        let merge = analyse(
            "v = '2'\na = 1",
            Some("v = '1'\na = 1"),
            "v = '1'\na = 'one'",
        );
        assert!(merge.findings.is_empty(), "{:?}", lines(&merge));
        assert_eq!(merge.edits(), [Edit::Set(KeyPath::single("v"))]);
    }

    #[test]
    fn changed_default_is_taken_only_where_the_operator_had_the_old_one() {
        let merge = analyse(
            "v = '2'\nkept_old = 2\nhas_new = 2\nunset = 2",
            Some("v = '1'\nkept_old = 1\nhas_new = 1\nunset = 1"),
            "v = '1'\nkept_old = 1\nhas_new = 2",
        );
        assert_eq!(
            lines(&merge),
            [
                "default changed: kept_old 1 -> 2 (you kept the old default: taking the new one)",
                "default changed: has_new 1 -> 2 (you already have the new value)",
                "default changed: unset 1 -> 2 (not set in your config: nothing to change)",
            ]
        );
        assert_eq!(
            merge.edits(),
            [
                Edit::Set(KeyPath::single("v")),
                Edit::Set(KeyPath::single("kept_old"))
            ]
        );
    }

    #[test]
    fn both_sides_changing_a_value_is_a_conflict_and_no_edit() {
        let merge = analyse(
            "v = '2'\nrate = 20",
            Some("v = '1'\nrate = 10"),
            "v = '1'\nrate = 25",
        );
        assert_eq!(
            lines(&merge),
            ["conflict: rate: you set 25, the template changed its default 10 -> 20; keeping 25"]
        );
        assert_eq!(merge.edits(), [Edit::Set(KeyPath::single("v"))]);
    }

    #[test]
    fn new_key_already_set_by_the_operator_with_another_type_is_a_conflict() {
        let merge = analyse("timeout = 30", Some(""), "timeout = '30s'");
        assert_eq!(
            lines(&merge),
            [
                "conflict: timeout: your value \"30s\" is a string, the template's default 30 is an integer; keeping \"30s\""
            ]
        );
        assert!(merge.edits().iter().all(|e| !matches!(e, Edit::Add(_))));
    }

    #[test]
    fn new_table_under_an_operator_value_is_a_conflict_reported_once() {
        let merge = analyse("[cache]\nsize = 1\nttl = 2", Some(""), "cache = true");
        assert_eq!(
            lines(&merge),
            [
                "conflict: cache: the template adds cache.size beneath it, but yours is a value, not a table; keeping true"
            ]
        );
        assert!(merge.edits().is_empty());
    }

    #[test]
    fn removed_keys_are_taken_out_only_where_the_operator_has_them() {
        let merge = analyse(
            "v = '2'",
            Some("v = '1'\nold = 1\ngone = 2"),
            "v = '1'\nold = 5",
        );
        assert_eq!(
            lines(&merge),
            [
                "removed: old (you have 5; it will be commented out)",
                "removed: gone (default was 2; not in your config)",
            ]
        );
        assert!(merge.removes_keys());
        assert!(
            merge
                .edits()
                .contains(&Edit::Remove(KeyPath::single("old")))
        );
        assert!(
            !merge
                .edits()
                .contains(&Edit::Remove(KeyPath::single("gone")))
        );
    }

    #[test]
    fn without_a_base_no_value_is_adopted_and_no_key_is_removed() {
        let merge = analyse("v = '2'\na = 2\nnew = 1", None, "v = '1'\na = 1\nmine = 3");
        assert!(merge.without_base);
        assert_eq!(
            lines(&merge),
            [
                "differs from the template: a = 1 (template default 2); kept",
                "added: new = 1",
                "not in the template: mine = 3 (kept: without a base a removed key cannot be told from one you added)",
            ]
        );
        assert_eq!(
            merge.edits(),
            [
                Edit::Set(KeyPath::single("v")),
                Edit::Add(KeyPath::single("new"))
            ]
        );
    }

    #[test]
    fn a_version_key_missing_from_the_config_is_added() {
        let merge = analyse("v = '2'", Some("v = '1'"), "a = 1");
        assert_eq!(merge.version_edit, Some(Edit::Add(KeyPath::single("v"))));
        assert!(merge.changed_keys().is_empty());
    }
}
