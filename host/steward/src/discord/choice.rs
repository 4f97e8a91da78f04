//! Fixed-choice options (`check_type:{all,packages,…}`), encoded the way
//! poise encodes its choice parameters (an INTEGER option whose choice
//! values are indexes), but decoded so that an unknown value reaches the
//! user as a typed `InvalidArgument` instead of being dropped as a
//! registration mismatch.

use std::borrow::Cow;

use poise::serenity_prelude as serenity;

use crate::backup::{BackupType, Range, RestoreType, SortBy};
use crate::engine::UpdateType;
use crate::service::ServiceError;

/// A closed set of values, in the order Discord shows them.
pub trait Choices: Sized + Copy + Send + Sync + 'static {
    /// What the value is, for messages ("update type").
    const NOUN: &'static str;
    const ALL: &'static [(&'static str, Self)];
}

/// An option decoded into one of `T::ALL`.
#[derive(Debug, Clone, Copy)]
pub struct Choice<T>(pub T);

impl Choices for UpdateType {
    const NOUN: &'static str = "update type";
    const ALL: &'static [(&'static str, UpdateType)] = &[
        ("all", UpdateType::All),
        ("packages", UpdateType::Packages),
        ("bot", UpdateType::Bot),
        ("config", UpdateType::Config),
        ("dependencies", UpdateType::Dependencies),
    ];
}

impl Choices for BackupType {
    const NOUN: &'static str = "backup type";
    const ALL: &'static [(&'static str, BackupType)] = &[
        ("full", BackupType::Full),
        ("database", BackupType::Database),
        ("config", BackupType::Config),
        ("data_only", BackupType::DataOnly),
    ];
}

impl Choices for RestoreType {
    const NOUN: &'static str = "restore type";
    const ALL: &'static [(&'static str, RestoreType)] = &[
        ("all", RestoreType::All),
        ("database", RestoreType::Database),
        ("config", RestoreType::Config),
        ("data", RestoreType::Data),
    ];
}

impl Choices for Range {
    const NOUN: &'static str = "time range";
    const ALL: &'static [(&'static str, Range)] = &[
        ("7d", Range::Days7),
        ("30d", Range::Days30),
        ("90d", Range::Days90),
        ("all", Range::All),
    ];
}

impl Choices for SortBy {
    const NOUN: &'static str = "sort order";
    const ALL: &'static [(&'static str, SortBy)] = &[
        ("date", SortBy::Date),
        ("size", SortBy::Size),
        ("name", SortBy::Name),
        ("type", SortBy::Type),
    ];
}

/// `index` as one of `T::ALL`, or the error the user reads.
pub fn decode<T: Choices>(index: i64) -> Result<T, ServiceError> {
    usize::try_from(index)
        .ok()
        .and_then(|i| T::ALL.get(i))
        .map(|(_, value)| *value)
        .ok_or_else(|| ServiceError::InvalidArgument {
            name: T::NOUN.to_string(),
            value: index.to_string(),
            expected: crate::service::Expected::OneOf(T::ALL.iter().map(|(n, _)| *n).collect()),
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
            err.user_message(),
            "Invalid value for update type: `9` is not one of all, packages, bot, config, dependencies."
        );
        assert!(decode::<UpdateType>(-1).is_err());
        assert_eq!(decode::<UpdateType>(4).unwrap(), UpdateType::Dependencies);
    }
}
