//! `plan`: the merged config and the new base, as write-file steps with
//! their diffs, so the operator sees every change before the host writes it.
//! It writes nothing itself and refuses a merge that would lose a value.

use steward_sdk::{Action, Plan, Step, Update, UpdateKind, WriteFile};

use crate::check::analyse;
use crate::diff;
use crate::error::ConfigError;
use crate::formats::{Edit, Flat, KeyPath};
use crate::inputs::{self, Loaded};
use crate::merge::{Finding, Merge, Stance};
use crate::restart;
use crate::settings::Settings;

pub fn plan(settings: &Settings, updates: &[Update]) -> Result<Plan, ConfigError> {
    let ours = updates
        .iter()
        .find(|u| u.kind == UpdateKind::Config && u.id == settings.config.shown);
    let Some(ours) = ours else {
        return Ok(Plan {
            steps: Vec::new(),
            restart: false,
        });
    };
    let loaded = inputs::load(settings)?;
    if loaded.template_version != ours.latest {
        return Err(ConfigError::TemplateMoved {
            path: settings.template.shown.clone(),
            expected: ours.latest.clone(),
            found: loaded.template_version.clone(),
        });
    }
    let merge = analyse(settings, &loaded);
    let merged = merged_text(settings, &loaded, &merge)?;

    let mut steps = Vec::new();
    if merged.text != loaded.config.text {
        steps.push(Step {
            description: describe_merge(settings, &loaded, &merge, &merged.notes),
            action: Action::WriteFile(WriteFile {
                path: settings.config.path.clone(),
                diff: diff::unified(&settings.config.shown, &loaded.config.text, &merged.text),
                contents: merged.text.into_bytes(),
            }),
        });
    }
    let old_base = loaded.base.as_ref().map_or("", |b| b.text.as_str());
    if old_base != loaded.template.text {
        steps.push(Step {
            description: format!(
                "Record template {} as {}, the base of the next merge",
                loaded.template_version, settings.base.shown
            ),
            action: Action::WriteFile(WriteFile {
                path: settings.base.path.clone(),
                diff: diff::unified(&settings.base.shown, old_base, &loaded.template.text),
                contents: loaded.template.text.clone().into_bytes(),
            }),
        });
    }
    Ok(Plan {
        steps,
        restart: restart::needed(&merge, settings).0,
    })
}

pub struct Merged {
    pub text: String,
    pub notes: Vec<String>,
}

/// The operator's file with the merge applied, checked to parse, to carry
/// the template's version, and to keep every value the merge did not mean
/// to change.
pub fn merged_text(
    settings: &Settings,
    loaded: &Loaded,
    merge: &Merge,
) -> Result<Merged, ConfigError> {
    let fail = |message: String| ConfigError::Merge {
        path: settings.config.shown.clone(),
        message,
    };
    let edits = merge.edits();
    let rewritten = settings
        .format
        .rewrite(
            &loaded.config.text,
            &loaded.template.text,
            &edits,
            &loaded.template_version,
        )
        .map_err(|e| fail(e.0))?;
    let after = settings
        .format
        .parse(&rewritten.text)
        .map_err(|e| fail(format!("the merged file would not parse ({e})")))?;
    if after
        .get(&settings.version_key)
        .map(|v| v.text())
        .as_deref()
        != Some(loaded.template_version.as_str())
    {
        return Err(fail(format!(
            "the merged file would not carry {} = {}",
            settings.version_key, loaded.template_version
        )));
    }
    if let Some(lost) = first_lost_value(&loaded.config.flat, &after, &edits, &settings.version_key)
    {
        return Err(fail(format!(
            "the merge would change {lost}, which it must keep"
        )));
    }
    Ok(Merged {
        text: rewritten.text,
        notes: rewritten.notes,
    })
}

/// A key of the operator's whose value the merged file does not keep,
/// though no edit named it.
fn first_lost_value(
    before: &Flat,
    after: &Flat,
    edits: &[Edit],
    version_key: &KeyPath,
) -> Option<KeyPath> {
    let edited = |key: &KeyPath| {
        key == version_key
            || edits.iter().any(|e| match e {
                Edit::Set(k) | Edit::Remove(k) => k == key,
                Edit::Add(_) => false,
            })
    };
    before
        .entries()
        .find(|(key, value)| !edited(key) && after.get(key) != Some(value))
        .map(|(key, _)| key.clone())
}

fn describe_merge(settings: &Settings, loaded: &Loaded, merge: &Merge, notes: &[String]) -> String {
    let count = |pred: &dyn Fn(&Finding) -> bool| merge.findings.iter().filter(|f| pred(f)).count();
    let added = count(&|f| matches!(f, Finding::Added { .. }));
    let taken = count(&|f| {
        matches!(
            f,
            Finding::DefaultChanged {
                stance: Stance::HadOld,
                ..
            }
        )
    });
    let removed = count(&|f| {
        matches!(
            f,
            Finding::Removed {
                operator: Some(_),
                ..
            }
        )
    });
    let removed_as = match settings.format {
        crate::formats::Format::Json => "dropped",
        _ => "commented out",
    };
    let mut text = format!(
        "Merge template {} into {}: {added} key(s) added, {taken} new default(s) taken, {removed} removed key(s) {removed_as}; all your other values kept",
        loaded.template_version, settings.config.shown
    );
    let conflicts: Vec<String> = merge
        .conflicts()
        .map(|c| c.describe(settings.format))
        .collect();
    if !conflicts.is_empty() {
        text.push_str(&format!(
            ". {} conflict(s), your value kept: {}",
            conflicts.len(),
            conflicts.join("; ")
        ));
    }
    for note in notes {
        text.push_str(&format!(". Note: {note}"));
    }
    if merge.without_base {
        text.push_str(&format!(
            ". No usable base template ({}): keys were compared, no changed default was taken",
            settings.base.shown
        ));
    }
    text
}
