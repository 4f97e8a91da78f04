//! How `steward settings …` results look in a terminal. Rendering only.

use std::fmt::Write;

use super::Table;
use crate::service::SettingChange;
use crate::settings::{SettingView, Source};

fn source(view: &SettingView) -> String {
    match view.source {
        Source::Override => format!("changed (steward.toml: {})", view.file_value),
        Source::SetInFile => "steward.toml".to_string(),
        Source::Default => "default".to_string(),
    }
}

pub fn list(all: &[SettingView]) -> String {
    let mut table = Table::new(&["CATEGORY", "NAME", "VALUE", "FROM"]);
    for view in all {
        table.row(vec![
            view.category.to_string(),
            view.name.to_string(),
            view.value.clone(),
            source(view),
        ]);
    }
    table.render()
}

pub fn one(view: &SettingView) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}.{} = {}", view.category, view.name, view.value);
    let _ = writeln!(out, "  {}", view.help);
    let _ = writeln!(out, "  from: {}", source(view));
    let _ = writeln!(out, "  default: {}", view.default);
    let _ = writeln!(out, "  valid: {}", view.expected);
    let _ = writeln!(out, "  steward.toml: {}", view.toml);
    out
}

pub fn changed(change: &SettingChange) -> String {
    let view = &change.setting;
    let mut out = String::new();
    if change.previous == view.value {
        let _ = writeln!(
            out,
            "{}.{} = {} (unchanged, from {})",
            view.category,
            view.name,
            view.value,
            source(view)
        );
    } else {
        let _ = writeln!(
            out,
            "{}.{} = {} (previous value: {})",
            view.category, view.name, view.value, change.previous
        );
    }
    for effect in &change.effects {
        let _ = writeln!(out, "{effect}");
    }
    out
}
