//! Fixed-choice options (`check_type:{all,packages,…}`), encoded the way
//! poise encodes its choice parameters (an INTEGER option whose choice
//! values are indexes), but decoded so that an unknown value reaches the
//! user as a typed `InvalidChoice`, worded in their language, instead of
//! being dropped as a registration mismatch.

use std::borrow::Cow;

use poise::serenity_prelude as serenity;

use super::locale::{Lang, t};
use crate::backup::{BackupType, Range, RestoreType, SortBy};
use crate::engine::UpdateType;

/// A closed set of values, in the order Discord shows them.
pub trait Choices: Sized + Copy + Send + Sync + 'static {
    /// The catalogue key of what the value is, for messages
    /// (`choice-noun-update-type`: "update type").
    const NOUN: &'static str;
    const ALL: &'static [(&'static str, Self)];
}

/// An option decoded into one of `T::ALL`.
#[derive(Debug, Clone, Copy)]
pub struct Choice<T>(pub T);

impl Choices for UpdateType {
    const NOUN: &'static str = "choice-noun-update-type";
    const ALL: &'static [(&'static str, UpdateType)] = &[
        ("all", UpdateType::All),
        ("packages", UpdateType::Packages),
        ("bot", UpdateType::Bot),
        ("config", UpdateType::Config),
        ("dependencies", UpdateType::Dependencies),
    ];
}

impl Choices for BackupType {
    const NOUN: &'static str = "choice-noun-backup-type";
    const ALL: &'static [(&'static str, BackupType)] = &[
        ("full", BackupType::Full),
        ("database", BackupType::Database),
        ("config", BackupType::Config),
        ("data_only", BackupType::DataOnly),
    ];
}

impl Choices for RestoreType {
    const NOUN: &'static str = "choice-noun-restore-type";
    const ALL: &'static [(&'static str, RestoreType)] = &[
        ("all", RestoreType::All),
        ("database", RestoreType::Database),
        ("config", RestoreType::Config),
        ("data", RestoreType::Data),
    ];
}

impl Choices for Range {
    const NOUN: &'static str = "choice-noun-time-range";
    const ALL: &'static [(&'static str, Range)] = &[
        ("7d", Range::Days7),
        ("30d", Range::Days30),
        ("90d", Range::Days90),
        ("all", Range::All),
    ];
}

impl Choices for SortBy {
    const NOUN: &'static str = "choice-noun-sort-order";
    const ALL: &'static [(&'static str, SortBy)] = &[
        ("date", SortBy::Date),
        ("size", SortBy::Size),
        ("name", SortBy::Name),
        ("type", SortBy::Type),
    ];
}

/// An index that is none of `T::ALL`: what the option is (the key of its
/// noun), the index given, and the values it may be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidChoice {
    pub noun: &'static str,
    pub value: i64,
    pub valid: Vec<&'static str>,
}

impl InvalidChoice {
    /// What the user reads, in `lang`; the values stay as Discord sends
    /// them.
    pub fn words(&self, lang: Lang) -> String {
        t!(
            lang,
            "error-invalid",
            name = t!(lang, self.noun),
            value = self.value.to_string(),
            expected = t!(lang, "expected-one-of", values = lang.names(&self.valid))
        )
    }
}

/// In English, for logs; fronts call `words`.
impl std::fmt::Display for InvalidChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.words(Lang::english()))
    }
}

impl std::error::Error for InvalidChoice {}

/// `index` as one of `T::ALL`, or the error the user reads.
pub fn decode<T: Choices>(index: i64) -> Result<T, InvalidChoice> {
    usize::try_from(index)
        .ok()
        .and_then(|i| T::ALL.get(i))
        .map(|(_, value)| *value)
        .ok_or_else(|| InvalidChoice {
            noun: T::NOUN,
            value: index,
            valid: T::ALL.iter().map(|(n, _)| *n).collect(),
        })
}

#[poise::async_trait]
impl<T: Choices> poise::SlashArgument for Choice<T> {
    async fn extract(
        _: &serenity::Context,
        _: &serenity::CommandInteraction,
        value: &serenity::ResolvedValue<'_>,
    ) -> Result<Self, poise::SlashArgError> {
        match value {
            serenity::ResolvedValue::Integer(index) => decode(*index)
                .map(Choice)
                .map_err(|e| poise::SlashArgError::new_parse(Box::new(e), index.to_string())),
            _ => Err(poise::SlashArgError::new_command_structure_mismatch(
                "expected an integer choice",
            )),
        }
    }

    fn create(builder: serenity::CreateCommandOption) -> serenity::CreateCommandOption {
        builder.kind(serenity::CommandOptionType::Integer)
    }

    fn choices() -> Cow<'static, [poise::CommandParameterChoice]> {
        T::ALL
            .iter()
            .map(|(name, _)| poise::CommandParameterChoice {
                name: (*name).into(),
                localizations: Default::default(),
                __non_exhaustive: (),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_index_past_the_choices_names_the_valid_values() {
        let err = decode::<UpdateType>(9).unwrap_err();
        assert_eq!(
            err.words(Lang::english()),
            "Invalid value for update type: `9` is not one of all, packages, bot, config, dependencies."
        );
        assert!(decode::<UpdateType>(-1).is_err());
        assert_eq!(decode::<UpdateType>(4).unwrap(), UpdateType::Dependencies);
    }

    /// Each option's noun is the locale's word in the refusal, not the
    /// English; the values stay as Discord sends them.
    #[test]
    fn an_invalid_choice_names_the_option_in_each_locale() {
        let backup = decode::<BackupType>(9).unwrap_err();
        assert_eq!(
            backup.words(Lang::english()),
            "Invalid value for backup type: `9` is not one of full, database, config, data_only."
        );
        assert_eq!(
            backup.words(Lang::for_tag("zh-CN")),
            "备份类型 的值无效：`9` 不是 以下之一：full、database、config、data_only。"
        );
        assert_eq!(
            backup.words(Lang::for_tag("de")),
            "Ungültiger Wert für Sicherungstyp: `9` ist nicht einer von full, database, config, data_only."
        );
        let nouns = [
            (decode::<UpdateType>(9).unwrap_err(), "update type"),
            (decode::<RestoreType>(9).unwrap_err(), "restore type"),
            (decode::<Range>(9).unwrap_err(), "time range"),
            (decode::<SortBy>(9).unwrap_err(), "sort order"),
            (
                decode::<crate::settings::Category>(9).unwrap_err(),
                "setting category",
            ),
            (
                decode::<crate::schedule::ScheduleType>(9).unwrap_err(),
                "schedule type",
            ),
            (
                decode::<crate::status::StatusRange>(9).unwrap_err(),
                "time range",
            ),
            (
                decode::<super::super::fleet::Scope>(9).unwrap_err(),
                "scope",
            ),
        ];
        for (e, english) in nouns {
            assert!(e.words(Lang::english()).contains(english), "{e}");
            for lang in Lang::all() {
                assert!(lang.has(e.noun), "{} lacks {}", lang.tag(), e.noun);
                if lang.tag() != "en-US" {
                    let said = e.words(lang);
                    assert!(!said.contains(english), "{said}");
                    assert!(!said.contains("Invalid value"), "{said}");
                }
            }
        }
    }
}
