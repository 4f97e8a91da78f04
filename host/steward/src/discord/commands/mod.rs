//! The slash commands Steward registers: one file per command, each a plain
//! `async fn` whose doc comment is its Discord description. Only commands
//! whose service call exists are listed; the rest of the reference joins
//! `all()` as their service calls land.

mod backup_create;
mod backup_list;
mod backup_restore;
mod update_check;
mod update_install;
mod update_rollback;
mod update_schedule;
mod update_settings;
mod update_status;

use super::locale::Lang;
use super::{CommandError, Data};

type Command = poise::Command<Data, CommandError>;

/// The commands, with their words from the catalogues.
pub fn all() -> Vec<Command> {
    let mut commands = vec![
        update_check::update_check(),
        update_status::update_status(),
        update_schedule::update_schedule(),
        update_settings::update_settings(),
        update_install::update_install(),
        update_rollback::update_rollback(),
        backup_create::backup_create(),
        backup_list::backup_list(),
        backup_restore::backup_restore(),
    ];
    for command in &mut commands {
        localize(command);
    }
    commands
}

/// Sets what Discord shows of `command` from the catalogues, which are the
/// one source of these words: English as the default, every other locale
/// as localizations of the command's name and description, its options'
/// descriptions and its choices' names. Option names are not localized:
/// messages quote them (`confirm:true`).
fn localize(command: &mut Command) {
    let english = Lang::english();
    let name = command.name.clone();
    let others: Vec<Lang> = Lang::all().filter(|l| l.tag() != english.tag()).collect();
    let words = |key: &str| -> Vec<(
        std::borrow::Cow<'static, str>,
        std::borrow::Cow<'static, str>,
    )> {
        others
            .iter()
            .map(|l| (l.tag().into(), l.text(key, None).into()))
            .collect()
    };
    let key = format!("cmd-{name}-description");
    command.description = Some(english.text(&key, None).into());
    command.description_localizations = words(&key).into();
    command.name_localizations = words(&format!("cmd-{name}-name")).into();
    for parameter in &mut command.parameters {
        let key = format!("opt-{name}-{}", parameter.name);
        parameter.description = Some(english.text(&key, None).into());
        parameter.description_localizations = words(&key).into();
        for choice in parameter.choices.to_mut() {
            let key = format!("choice-{}", choice.name);
            choice.name = english.text(&key, None).into();
            choice.localizations = words(&key).into();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A command's doc comment is its description (poise reads it); the
    /// English catalogue, which Discord is given, must say the same.
    #[test]
    fn doc_comments_and_the_english_catalogue_agree() {
        let english = Lang::english();
        for mut command in [
            update_check::update_check(),
            update_status::update_status(),
            update_schedule::update_schedule(),
            update_settings::update_settings(),
            update_install::update_install(),
            update_rollback::update_rollback(),
            backup_create::backup_create(),
            backup_list::backup_list(),
            backup_restore::backup_restore(),
        ] {
            let doc = command.description.take().unwrap_or_default();
            let key = format!("cmd-{}-description", command.name);
            assert_eq!(english.text(&key, None), doc, "{key}");
        }
    }

    #[test]
    fn every_command_option_and_choice_has_words_in_every_locale() {
        for command in all() {
            for lang in Lang::all() {
                for key in [
                    format!("cmd-{}-name", command.name),
                    format!("cmd-{}-description", command.name),
                ] {
                    assert!(lang.has(&key), "{} lacks {key}", lang.tag());
                }
                for p in &command.parameters {
                    let key = format!("opt-{}-{}", command.name, p.name);
                    assert!(lang.has(&key), "{} lacks {key}", lang.tag());
                }
            }
            for p in &command.parameters {
                let description = p.description.as_deref().unwrap_or_default();
                assert!(description.len() <= 100, "{description}");
                for (tag, text) in p.description_localizations.iter() {
                    assert!(text.chars().count() <= 100, "{tag}: {text}");
                }
                for c in p.choices.iter() {
                    assert_eq!(c.localizations.len(), 2, "{}", c.name);
                }
            }
            for (tag, name) in command.name_localizations.iter() {
                // Discord's rule for command names.
                assert!(
                    (1..=32).contains(&name.chars().count())
                        && name
                            .chars()
                            .all(|c| c == '-' || c == '_' || c.is_alphanumeric())
                        && name.to_lowercase() == *name,
                    "{tag}: {name:?}"
                );
            }
        }
    }
}
