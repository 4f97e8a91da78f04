//! The words of the Discord front, per locale: one Project Fluent
//! catalogue a locale (`locales/<tag>/steward.ftl`), embedded in the
//! binary, with the plural rules of its language and its way of writing
//! numbers, sizes and dates. It owns the lookup and the fallback to English;
//! it never decides what to say (the renderers do).

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

/// The catalogues, English first: it is the fallback for a missing key.
pub const SOURCES: &[(&str, &str)] = &[
    ("en-US", include_str!("../../locales/en-US/steward.ftl")),
    ("zh-CN", include_str!("../../locales/zh-CN/steward.ftl")),
    ("de", include_str!("../../locales/de/steward.ftl")),
];

/// How a locale writes numbers: the thousands and decimal separators.
#[derive(Debug, Clone, Copy)]
struct Digits {
    group: char,
    decimal: char,
}

pub struct Catalogue {
    tag: &'static str,
    bundle: FluentBundle<FluentResource>,
    digits: Digits,
}

static CATALOGUES: LazyLock<Vec<Catalogue>> = LazyLock::new(|| {
    SOURCES
        .iter()
        .map(|(tag, source)| catalogue(tag, source))
        .collect()
});

fn digits(tag: &str) -> Digits {
    match tag {
        "de" => Digits {
            group: '.',
            decimal: ',',
        },
        _ => Digits {
            group: ',',
            decimal: '.',
        },
    }
}

fn catalogue(tag: &'static str, source: &'static str) -> Catalogue {
    // The catalogues are part of the binary: a syntax error is a build
    // mistake, caught by the tests that load every catalogue.
    let resource = FluentResource::try_new(source.to_string())
        .unwrap_or_else(|(_, errors)| panic!("catalogue {tag} does not parse: {errors:?}"));
    let id: LanguageIdentifier = tag.parse().expect("a catalogue's tag is a language tag");
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Discord shows the marks that isolate placeables as stray characters.
    bundle.set_use_isolating(false);
    bundle.set_formatter(Some(match tag {
        "de" => group_de,
        _ => group_en,
    }));
    if let Err(errors) = bundle.add_resource(resource) {
        panic!("catalogue {tag} repeats a key: {errors:?}");
    }
    Catalogue {
        tag,
        bundle,
        digits: digits(tag),
    }
}

/// Whole numbers in messages (`{ $count }`) grouped the locale's way.
fn group_en(
    value: &FluentValue,
    _: &intl_memoizer::concurrent::IntlLangMemoizer,
) -> Option<String> {
    group(value, digits("en-US"))
}

fn group_de(
    value: &FluentValue,
    _: &intl_memoizer::concurrent::IntlLangMemoizer,
) -> Option<String> {
    group(value, digits("de"))
}

fn group(value: &FluentValue, d: Digits) -> Option<String> {
    match value {
        FluentValue::Number(n) if n.value.fract() == 0.0 && n.value.abs() < 1e15 => {
            Some(format_number(n.value, 0, d))
        }
        _ => None,
    }
}

fn format_number(value: f64, decimals: usize, d: Digits) -> String {
    let text = format!("{:.*}", decimals, value.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let mut out = String::new();
    if value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.push('-');
    }
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(d.group);
        }
        out.push(c);
    }
    if !fraction.is_empty() {
        out.push(d.decimal);
        out.push_str(fraction);
    }
    out
}

/// One locale's words, falling back to English key by key.
#[derive(Clone, Copy)]
pub struct Lang {
    catalogue: &'static Catalogue,
}

impl std::fmt::Debug for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Lang({})", self.catalogue.tag)
    }
}

impl Lang {
    pub fn english() -> Lang {
        Lang {
            catalogue: &CATALOGUES[0],
        }
    }

    /// The catalogue for a Discord locale (`zh-CN`, `de`, `en-GB`, …): the
    /// same tag, else the same language unless its script may differ
    /// (`zh-TW` is Traditional Chinese); English when none fits.
    pub fn for_tag(tag: &str) -> Lang {
        let wanted: Option<LanguageIdentifier> = tag.parse().ok();
        let found = CATALOGUES
            .iter()
            .find(|c| c.tag.eq_ignore_ascii_case(tag))
            .or_else(|| {
                let wanted = wanted.as_ref()?;
                if wanted.language.as_str() == "zh" {
                    let simplified = matches!(
                        wanted.region.as_ref().map(|r| r.as_str()),
                        None | Some("CN") | Some("SG")
                    ) && wanted.script.is_none_or(|s| s.as_str() == "Hans");
                    return simplified
                        .then(|| CATALOGUES.iter().find(|c| c.tag == "zh-CN"))
                        .flatten();
                }
                CATALOGUES.iter().find(|c| {
                    c.tag
                        .parse::<LanguageIdentifier>()
                        .is_ok_and(|id| id.language == wanted.language)
                })
            });
        found.map_or_else(Lang::english, |catalogue| Lang { catalogue })
    }

    /// Every locale Steward has words for, as Discord names them.
    pub fn all() -> impl Iterator<Item = Lang> {
        CATALOGUES.iter().map(|catalogue| Lang { catalogue })
    }

    pub fn tag(self) -> &'static str {
        self.catalogue.tag
    }

    /// Whether this catalogue itself has `key` (no fallback).
    pub fn has(self, key: &str) -> bool {
        self.catalogue
            .bundle
            .get_message(key)
            .is_some_and(|m| m.value().is_some())
    }

    /// The message `key` with `args`; from English when this catalogue
    /// lacks it, and the key itself when English does too (a test keeps
    /// that from happening).
    pub fn text(self, key: &str, args: Option<&FluentArgs>) -> String {
        for catalogue in [self.catalogue, &CATALOGUES[0]] {
            let bundle = &catalogue.bundle;
            if let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) {
                let mut errors = Vec::new();
                let text = bundle.format_pattern(pattern, args, &mut errors);
                if !errors.is_empty() {
                    tracing::warn!(
                        locale = catalogue.tag,
                        key,
                        "message formatting: {errors:?}"
                    );
                }
                return text.into_owned();
            }
        }
        tracing::warn!(key, "no catalogue has this message");
        key.to_string()
    }

    /// Names (settings, targets, files, updates) run together the
    /// locale's way: "a, b" in English, "a、b" in Chinese.
    pub fn names<S: AsRef<str>>(self, names: &[S]) -> String {
        let separator = t!(self, "names-separator");
        let mut out = String::new();
        for (i, name) in names.iter().enumerate() {
            if i > 0 {
                out.push_str(&separator);
            }
            out.push_str(name.as_ref());
        }
        out
    }

    /// The message `key` when this catalogue (or English) has it.
    pub fn maybe(self, key: &str) -> Option<String> {
        (self.has(key) || Lang::english().has(key)).then(|| self.text(key, None))
    }

    /// `value` with `decimals` digits after the point, the locale's way.
    pub fn number(self, value: f64, decimals: usize) -> String {
        format_number(value, decimals, self.catalogue.digits)
    }

    /// A size in binary units ("1.5 KiB", "1,5 KiB").
    pub fn size(self, bytes: u64) -> String {
        const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
        if bytes < 1024 {
            return format!("{bytes} B");
        }
        let mut value = bytes as f64 / 1024.0;
        let mut unit = 0;
        while value >= 1024.0 && unit < UNITS.len() - 1 {
            value /= 1024.0;
            unit += 1;
        }
        // Sizes stay below 1024 in their unit: no thousands to group.
        let value = format!("{value:.1}").replace('.', &self.catalogue.digits.decimal.to_string());
        format!("{value} {}", UNITS[unit])
    }

    /// A moment to the minute, in UTC, as the locale writes dates.
    pub fn date(self, at: DateTime<Utc>) -> String {
        let pattern = match self.catalogue.tag {
            "de" => "%d.%m.%Y %H:%M UTC",
            "zh-CN" => "%Y年%m月%d日 %H:%M UTC",
            _ => "%Y-%m-%d %H:%M UTC",
        };
        at.format(pattern).to_string()
    }
}

static NOTIFICATIONS: std::sync::OnceLock<Lang> = std::sync::OnceLock::new();

/// Sets the language of notifications (`[discord] locale`, else the
/// guild's); the first call wins.
pub fn set_notifications(lang: Lang) {
    let _ = NOTIFICATIONS.set(lang);
}

/// The language notifications are posted in; English until set.
pub fn notifications() -> Lang {
    NOTIFICATIONS.get().copied().unwrap_or_else(Lang::english)
}

/// A message with named arguments: `t!(lang, "key", count = n, name = s)`.
/// Numbers stay numbers, so plural variants (`[one]`, `[few]`) select by
/// the locale's rules.
macro_rules! t {
    ($lang:expr, $key:expr) => {
        $lang.text($key, None)
    };
    ($lang:expr, $key:expr, $($name:ident = $value:expr),+ $(,)?) => {{
        let mut args = fluent_bundle::FluentArgs::new();
        $( args.set(stringify!($name), $value); )+
        $lang.text($key, Some(&args))
    }};
}
pub(crate) use t;

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use fluent_syntax::ast::Entry;

    use super::*;

    fn keys(source: &str) -> BTreeSet<String> {
        let resource = fluent_syntax::parser::parse(source).expect("the catalogue parses");
        resource
            .body
            .iter()
            .filter_map(|e| match e {
                Entry::Message(m) => Some(m.id.name.to_string()),
                Entry::Term(t) => Some(format!("-{}", t.id.name)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn every_catalogue_has_every_english_key_and_no_other() {
        let english = keys(SOURCES[0].1);
        assert!(english.len() > 100, "{} keys", english.len());
        for (tag, source) in &SOURCES[1..] {
            let theirs = keys(source);
            let missing: Vec<_> = english.difference(&theirs).collect();
            let extra: Vec<_> = theirs.difference(&english).collect();
            assert!(missing.is_empty(), "{tag} lacks {missing:?}");
            assert!(extra.is_empty(), "{tag} has keys English lacks: {extra:?}");
        }
    }

    #[test]
    fn every_catalogue_loads_and_formats_without_errors() {
        for lang in Lang::all() {
            assert!(lang.has("cmd-update_check-description"), "{}", lang.tag());
        }
    }

    #[test]
    fn plural_forms_follow_each_language() {
        let expect = [
            (
                "en-US",
                ["No backups match", "1 backup", "2 backups", "5 backups"],
            ),
            (
                "de",
                [
                    "Keine Sicherungen gefunden",
                    "1 Sicherung",
                    "2 Sicherungen",
                    "5 Sicherungen",
                ],
            ),
            (
                "zh-CN",
                ["没有符合条件的备份", "1 个备份", "2 个备份", "5 个备份"],
            ),
        ];
        for (tag, forms) in expect {
            let lang = Lang::for_tag(tag);
            for (n, form) in [0, 1, 2, 5].into_iter().zip(forms) {
                assert_eq!(t!(lang, "backup-list-title", count = n), form, "{tag} {n}");
            }
        }
        let files = [
            ("en-US", ["0 files", "1 file", "2 files", "5 files"]),
            ("de", ["0 Dateien", "1 Datei", "2 Dateien", "5 Dateien"]),
            ("zh-CN", ["0 个文件", "1 个文件", "2 个文件", "5 个文件"]),
        ];
        for (tag, forms) in files {
            let lang = Lang::for_tag(tag);
            for (n, form) in [0, 1, 2, 5].into_iter().zip(forms) {
                assert_eq!(t!(lang, "files", count = n), form, "{tag} {n}");
            }
        }
    }

    #[test]
    fn numbers_sizes_and_dates_are_written_the_locales_way() {
        let de = Lang::for_tag("de");
        let en = Lang::english();
        let zh = Lang::for_tag("zh-CN");
        assert_eq!(en.size(1536), "1.5 KiB");
        assert_eq!(de.size(1536), "1,5 KiB");
        assert_eq!(en.size(512), "512 B");
        assert_eq!(de.number(1_234_567.26, 1), "1.234.567,3");
        assert_eq!(en.number(1_234_567.0, 0), "1,234,567");
        assert_eq!(t!(de, "files", count = 12_345), "12.345 Dateien");
        let at = DateTime::parse_from_rfc3339("2026-11-28T02:05:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(en.date(at), "2026-11-28 02:05 UTC");
        assert_eq!(de.date(at), "28.11.2026 02:05 UTC");
        assert_eq!(zh.date(at), "2026年11月28日 02:05 UTC");
    }

    #[test]
    fn a_locale_without_a_catalogue_falls_back_to_english() {
        assert_eq!(Lang::for_tag("pt-BR").tag(), "en-US");
        assert_eq!(Lang::for_tag("zh-TW").tag(), "en-US");
        assert_eq!(Lang::for_tag("de-AT").tag(), "de");
        assert_eq!(Lang::for_tag("en-GB").tag(), "en-US");
        assert_eq!(Lang::for_tag("zh-CN").tag(), "zh-CN");
        assert_eq!(Lang::for_tag("not a tag").tag(), "en-US");
        assert_eq!(Lang::for_tag("de").text("no-such-key", None), "no-such-key");
    }
}
