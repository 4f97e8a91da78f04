//! How results look in Discord: embeds within Discord's limits (25 fields,
//! 1024 characters a field, 6000 in all), with providers' words kept plain
//! text (no formatting, links or pings of their making). Rendering only;
//! every fact comes from the service.

pub mod backup;
pub mod notice;
pub mod update;

use std::fmt::Write;

use poise::serenity_prelude as serenity;

use super::locale::{Lang, t};
use crate::engine::policy::Cooldown;
use crate::engine::{CheckOutcome, UpdateType};
use crate::provider::Update;
pub use crate::service::CheckView;

const FIELD_LIMIT: usize = 1024;
const FIELD_NAME_LIMIT: usize = 256;
const TITLE_LIMIT: usize = 256;
/// Kept well under Discord's 4096, so the description and the fields
/// together stay within the 6000 of one embed.
const DESCRIPTION_LIMIT: usize = 2048;
const FIELDS_MAX: usize = 25;
const RED: u32 = 0xd9_3f_3f;
const ORANGE: u32 = 0xe6_7e_22;
const GREEN: u32 = 0x2e_cc_71;

/// A check's outcome as the notification channels see it (registered
/// with `Service::render_checks_with`), in the notifications' language.
pub fn check(outcome: &CheckOutcome, view: &CheckView) -> serenity::CreateEmbed {
    check_in(super::locale::notifications(), outcome, view)
}

/// Available updates grouped by source, with security and breaking marks:
/// the answer to `/update_check`.
pub fn check_in(lang: Lang, outcome: &CheckOutcome, view: &CheckView) -> serenity::CreateEmbed {
    let asked = type_name(lang, view.update_type);
    if outcome.providers.is_empty() && outcome.skipped.is_empty() {
        // Nothing was asked: "no updates" would claim it is all current.
        return serenity::CreateEmbed::new()
            .title(t!(lang, "check-no-source-title", types = asked))
            .description(t!(lang, "check-no-source-description"))
            .colour(ORANGE);
    }
    let (mut offered, mut security, mut breaking, mut held) = (0, 0, 0, 0);
    for u in outcome.providers.iter().flat_map(|p| &p.updates) {
        match u.held {
            Some(_) => held += 1,
            None => offered += 1,
        }
        security += usize::from(u.security);
        breaking += usize::from(u.breaking);
    }
    let failed = outcome
        .providers
        .iter()
        .filter(|p| p.error.is_some())
        .count();

    let title = t!(lang, "check-title", count = offered);
    let mut summary = t!(
        lang,
        "check-summary",
        security = security,
        breaking = breaking
    );
    if held > 0 {
        summary.push_str(&t!(lang, "list-separator"));
        summary.push_str(&t!(lang, "check-held", count = held));
    }
    if failed > 0 {
        summary.push('\n');
        summary.push_str(&t!(lang, "check-failed", count = failed, offered = offered));
    }
    let colour = if failed > 0 || security > 0 {
        RED
    } else if breaking > 0 || offered > 0 {
        ORANGE
    } else {
        GREEN
    };

    let mut embed = serenity::CreateEmbed::new()
        .title(title)
        .description(summary)
        .colour(colour);
    let mut fields = 0;
    for provider in &outcome.providers {
        if fields == FIELDS_MAX - 1 {
            embed = embed.field("…", t!(lang, "check-more-sources"), false);
            break;
        }
        let source = plain(&provider.provider);
        let (name, value) = match &provider.error {
            Some(e) => (
                t!(lang, "check-source-failed", source = source),
                format!("{}: {}", e.code, plain(&e.message)),
            ),
            // Not asked: neither up to date nor failed.
            None if provider.waiting_for_grant.is_some() => (
                source.clone(),
                t!(
                    lang,
                    "check-waiting-grant",
                    source = source,
                    asks = plain(&lang.names(&crate::service::announce::asks(
                        provider.waiting_for_grant.as_ref().expect("matched")
                    )))
                ),
            ),
            None if provider.updates.is_empty() => (source, t!(lang, "check-up-to-date")),
            None => {
                let cooldowns: Vec<&Cooldown> = outcome
                    .cooldowns
                    .iter()
                    .filter(|c| c.provider == provider.provider)
                    .collect();
                (
                    format!("{source} ({})", provider.updates.len()),
                    updates(lang, &provider.updates, &cooldowns, view.details),
                )
            }
        };
        let mut value = value;
        if !provider.missing.is_empty() {
            let missing = plain(&lang.names(&provider.missing));
            let _ = write!(
                value,
                "\n⚠ {}",
                t!(lang, "check-partial", missing = missing)
            );
        }
        for w in &provider.warnings {
            // The cooldown's own warning, worded; a provider's as given.
            let undated = outcome
                .undated
                .iter()
                .find(|u| u.provider == provider.provider && u.to_string() == *w);
            let line = match undated {
                Some(u) => t!(
                    lang,
                    "check-undated",
                    name = code(&u.name),
                    latest = plain(&u.latest),
                    // A setting's value, as steward.toml writes it.
                    hours = u.min_release_age_hours.to_string()
                ),
                None => plain(w),
            };
            let _ = write!(value, "\n⚠ {line}");
        }
        embed = embed.field(self::name(&name), fit(lang, &value), false);
        fields += 1;
    }
    if !outcome.skipped.is_empty() && fields < FIELDS_MAX {
        let lines: Vec<String> = outcome
            .skipped
            .iter()
            .map(|s| plain(&format!("{} ({}): {}", s.provider, s.file, s.error)))
            .collect();
        embed = embed.field(
            t!(lang, "check-not-loaded"),
            fit(lang, &lines.join("\n")),
            false,
        );
    }
    let mut footer = t!(lang, "check-footer", types = asked);
    if !view.include_security {
        footer.push_str(" · ");
        footer.push_str(&t!(lang, "check-footer-no-security"));
    }
    embed.footer(serenity::CreateEmbedFooter::new(footer))
}

/// The updates of one source; `cooldowns` are the source's releases the
/// cooldown holds.
fn updates(lang: Lang, list: &[Update], cooldowns: &[&Cooldown], details: bool) -> String {
    let mut out = String::new();
    for u in list {
        let mut marks = String::new();
        if u.security {
            marks.push_str("🔒 ");
        }
        if u.breaking {
            marks.push_str("⚠️ ");
        }
        let current = match &u.current {
            Some(current) => plain(current),
            None => t!(lang, "check-update-new"),
        };
        let _ = write!(
            out,
            "{marks}{} {current} → **{}**",
            code(&u.name),
            plain(&u.latest)
        );
        let mut notes = Vec::new();
        if u.security {
            let ids: Vec<String> = u.advisories.iter().map(|a| plain(&a.id)).collect();
            notes.push(if ids.is_empty() {
                t!(lang, "check-note-security")
            } else {
                t!(lang, "check-note-security-ids", ids = ids.join(", "))
            });
        }
        if u.breaking {
            notes.push(t!(lang, "check-note-breaking"));
        }
        if let Some(c) = cooldowns.iter().find(|c| c.update == u.id) {
            notes.push(t!(
                lang,
                "check-note-cooling-down",
                // A setting's value, as steward.toml writes it (never grouped).
                hours = c.min_release_age_hours.to_string(),
                until = lang.date(c.until)
            ));
        } else if let Some(reason) = &u.held {
            // A provider's own reason (a pin, a constraint), as it wrote it.
            notes.push(t!(lang, "check-note-held", reason = plain(reason)));
        }
        if !notes.is_empty() {
            let _ = write!(out, " ({})", notes.join(&t!(lang, "check-note-separator")));
        }
        out.push('\n');
        if details {
            if let Some(released) = &u.released {
                let _ = writeln!(
                    out,
                    "  {}",
                    t!(lang, "check-detail-released", date = plain(released))
                );
            }
            if let Some(changelog) = &u.changelog {
                let _ = writeln!(
                    out,
                    "  {}",
                    t!(lang, "check-detail-changelog", changelog = plain(changelog))
                );
            }
            for a in &u.advisories {
                let severity = a
                    .severity
                    .as_deref()
                    .map(|s| format!(" [{}]", plain(s)))
                    .unwrap_or_default();
                let _ = writeln!(out, "  {}{severity}: {}", plain(&a.id), plain(&a.summary));
            }
            for line in &u.details {
                let _ = writeln!(out, "  {}", plain(&line.to_string()));
            }
        }
    }
    out.trim_end().to_string()
}

/// Text from outside Steward (a provider's words, or a line quoting them)
/// as plain text in Discord markdown: what would format it, make a masked
/// link, quote it or open a heading is backslash-escaped, and `@everyone`,
/// `@here` and `<@…>` cannot ping anyone. Snake-case names keep their
/// underscores: one between letters or digits formats nothing.
pub(crate) fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut line_start = true;
    let mut previous: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        let escape = match c {
            '\\' | '*' | '`' | '~' | '|' | '[' | ']' | '<' => true,
            '_' => {
                !(previous.is_some_and(char::is_alphanumeric)
                    && next.is_some_and(char::is_alphanumeric))
            }
            // Block quotes, headings, lists and subtext start a line.
            '>' | '#' | '-' | '+' => line_start,
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
        let rest = &text[at + c.len_utf8()..];
        if c == '@' && (rest.starts_with("everyone") || rest.starts_with("here")) {
            // A zero-width space: it reads the same and pings nobody.
            out.push('\u{200b}');
        }
        line_start = c == '\n' || (line_start && c == ' ');
        previous = Some(c);
    }
    out
}

/// Text from outside Steward as an inline code span. A code span has no
/// escapes, so a backtick, which would close it, becomes a look-alike (ˋ).
pub(crate) fn code(text: &str) -> String {
    format!("`{}`", text.replace('`', "ˋ"))
}

/// Cuts a field value to Discord's limit, saying so.
fn fit(lang: Lang, value: &str) -> String {
    cut(value, FIELD_LIMIT, &format!("\n{}", t!(lang, "check-cut")))
}

/// A title within Discord's limit.
pub(crate) fn title(text: &str) -> String {
    cut(text, TITLE_LIMIT, "…")
}

/// A field's name within Discord's limit.
pub(crate) fn name(text: &str) -> String {
    cut(text, FIELD_NAME_LIMIT, "…")
}

/// A field's value within Discord's limit.
pub(crate) fn value(text: &str) -> String {
    cut(text, FIELD_LIMIT, "\n…")
}

/// An embed's description within what leaves room for its fields.
pub(crate) fn description(lang: Lang, text: &str) -> String {
    cut(text, DESCRIPTION_LIMIT, &format!("\n{}", t!(lang, "cut")))
}

/// `text` within `limit` characters: cut at the last whole line that fits
/// (anywhere, when one line is already too long), then `more` appended to
/// say something was left out. Every Discord text limit goes through here.
pub(crate) fn cut(text: &str, limit: usize, more: &str) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let keep = limit.saturating_sub(more.chars().count());
    let mut kept: String = text.chars().take(keep).collect();
    if let Some(line_end) = kept.rfind('\n') {
        kept.truncate(line_end);
    }
    kept + more
}

fn type_name(lang: Lang, t: UpdateType) -> String {
    let key = match t {
        UpdateType::All => "update-type-all",
        UpdateType::Packages => "update-type-packages",
        UpdateType::Bot => "update-type-bot",
        UpdateType::Config => "update-type-config",
        UpdateType::Dependencies => "update-type-dependencies",
    };
    t!(lang, key)
}

/// A fixed choice's value (`full`, `7d`, `date`) as the locale names it.
pub(crate) fn choice_name(lang: Lang, value: &str) -> String {
    lang.text(&format!("choice-{value}"), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_overlong_field_is_cut_at_a_line_and_says_so() {
        let long: String = (0..200).map(|i| format!("line {i}\n")).collect();
        let cut = fit(Lang::english(), &long);
        assert!(cut.chars().count() <= FIELD_LIMIT);
        assert!(cut.ends_with("shows everything)"));
        assert!(cut.contains("\nline 3\n"));
    }

    #[test]
    fn provider_text_cannot_format_link_or_ping() {
        assert_eq!(
            plain("**bold** [click](http://x) ||spoiler|| ~~gone~~ `code` <@123> \\"),
            "\\*\\*bold\\*\\* \\[click\\](http://x) \\|\\|spoiler\\|\\| \\~\\~gone\\~\\~ \\`code\\` \\<@123> \\\\"
        );
        assert_eq!(
            plain("@everyone and @here"),
            "@\u{200b}everyone and @\u{200b}here"
        );
        assert_eq!(
            plain("# big\n> quote\n-# small"),
            "\\# big\n\\> quote\n\\-# small"
        );
    }

    #[test]
    fn ordinary_names_and_versions_read_as_they_are() {
        for text in [
            "release: bot 1.4.0 -> 1.5.0",
            "added: bot.health_port = 0",
            "discord.py 2.3.0 → 2.3.1",
            "@types/node",
        ] {
            assert_eq!(plain(text), text);
        }
        assert_eq!(plain("__init__"), "\\_\\_init\\_\\_");
    }

    /// A provider nothing is granted to was not asked: its field says it
    /// waits for a grant and what it asks for, never "Up to date"; one
    /// granted only part of what it asks is marked partial.
    #[test]
    fn a_waiting_provider_is_not_up_to_date_and_a_partial_one_says_what_is_missing() {
        use crate::engine::ProviderCheck;
        let source = |name: &str| ProviderCheck {
            provider: name.to_string(),
            version: "0.1.0".into(),
            updates: Vec::new(),
            warnings: Vec::new(),
            error: None,
            duration_ms: 0,
            reused_answers_age_secs: None,
            waiting_for_grant: None,
            missing: Vec::new(),
        };
        let mut waiting = source("dropped");
        waiting.waiting_for_grant = Some(crate::provider::Capabilities {
            read: vec!["{bot}".into()],
            http: vec!["example.org".into()],
            programs: Vec::new(),
        });
        let mut partial = source("half");
        partial.missing = vec!["http api.osv.dev".into()];
        let outcome = CheckOutcome {
            checked_at: Default::default(),
            totals: Default::default(),
            providers: vec![waiting, partial],
            skipped: Vec::new(),
            cooldowns: Vec::new(),
            undated: Vec::new(),
        };
        let view = CheckView::background();
        let embed = serde_json::to_value(check_in(Lang::english(), &outcome, &view)).unwrap();
        let fields = embed["fields"].as_array().unwrap();
        assert_eq!(fields[0]["name"], "dropped");
        assert_eq!(
            fields[0]["value"],
            "Waiting for a grant, so not asked: it asks for read {bot}, http example.org. \
             An owner grants it with the buttons of its notice or `steward providers grant dropped`."
        );
        assert_eq!(
            fields[1]["value"],
            "Up to date.\n⚠ Partial: its grant leaves out http api.osv.dev, so it looked at only part of what it checks."
        );
    }

    /// The cooldown's warning about an undated release is worded by the
    /// locale; a provider's own warning stays as it wrote it.
    #[test]
    fn an_undated_release_is_warned_of_in_the_locale_and_a_provider_warning_as_given() {
        use crate::engine::ProviderCheck;
        use crate::engine::policy::Undated;
        let undated = Undated {
            provider: "pip".into(),
            name: "attrs".into(),
            latest: "2.0".into(),
            min_release_age_hours: 72,
        };
        let outcome = CheckOutcome {
            checked_at: Default::default(),
            totals: Default::default(),
            providers: vec![ProviderCheck {
                provider: "pip".into(),
                version: "0.1.0".into(),
                updates: Vec::new(),
                warnings: vec![undated.to_string(), "pip.conf ignored".into()],
                error: None,
                duration_ms: 0,
                reused_answers_age_secs: None,
                waiting_for_grant: None,
                missing: Vec::new(),
            }],
            skipped: Vec::new(),
            cooldowns: Vec::new(),
            undated: vec![undated],
        };
        let view = CheckView::background();
        let value = |lang| {
            let embed = serde_json::to_value(check_in(lang, &outcome, &view)).unwrap();
            embed["fields"][0]["value"].as_str().unwrap().to_string()
        };
        assert_eq!(
            value(Lang::for_tag("de")),
            "Aktuell.\n⚠ `attrs` 2.0: kein Veröffentlichungsdatum, daher kann \
             min_release_age_hours = 72 es nicht zurückhalten\n⚠ pip.conf ignored"
        );
        assert_eq!(
            value(Lang::for_tag("zh-CN")),
            "已是最新。\n⚠ `attrs` 2.0：没有发布日期，因此 min_release_age_hours = 72 \
             无法暂缓它\n⚠ pip.conf ignored"
        );
    }

    #[test]
    fn a_backtick_cannot_close_a_code_span() {
        assert_eq!(code("evil` @everyone **x**"), "`evilˋ @everyone **x**`");
    }

    #[test]
    fn a_release_the_cooldown_holds_is_worded_by_the_locale_and_a_pin_as_the_provider_wrote_it() {
        let update = |id: &str, held: &str| Update {
            id: id.into(),
            kind: crate::provider::UpdateKind::Package,
            name: id.into(),
            current: Some("1.0".into()),
            latest: "2.0".into(),
            security: false,
            advisories: Vec::new(),
            breaking: false,
            changelog: None,
            size: None,
            released: None,
            held: Some(held.into()),
            details: Vec::new(),
        };
        let until = chrono::DateTime::parse_from_rfc3339("2026-12-01T12:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let cooldown = Cooldown {
            provider: "pip".into(),
            update: "attrs".into(),
            min_release_age_hours: 1000,
            until,
        };
        let list = [
            update("attrs", &cooldown.to_string()),
            update("yarl", "yarl==1.0 in requirements.txt:3"),
        ];
        let de = updates(Lang::for_tag("de"), &list, &[&cooldown], false);
        assert_eq!(
            de,
            "`attrs` 1.0 → **2.0** (gehalten durch min_release_age_hours = 1000 \
             (Wartezeit bis 01.12.2026 12:00 UTC))\n`yarl` 1.0 → **2.0** (gehalten durch \
             yarl==1.0 in requirements.txt:3)"
        );
        // English reads as `steward check` prints the hold.
        let en = updates(Lang::english(), &list[..1], &[&cooldown], false);
        assert_eq!(en, format!("`attrs` 1.0 → **2.0** (held by {cooldown})"));
    }

    #[test]
    fn a_check_embed_keeps_provider_words_plain() {
        let update = Update {
            id: "x".into(),
            kind: crate::provider::UpdateKind::Package,
            name: "a`b".into(),
            current: Some("1.0".into()),
            latest: "**2.0** @everyone".into(),
            security: false,
            advisories: Vec::new(),
            breaking: false,
            changelog: None,
            size: None,
            released: None,
            held: None,
            details: Vec::new(),
        };
        let value = updates(Lang::english(), &[update], &[], false);
        assert_eq!(value, "`aˋb` 1.0 → **\\*\\*2.0\\*\\* @\u{200b}everyone**");
    }

    /// An update's notes are joined as the locale joins clauses: zh-CN
    /// with its own semicolon, not the English one.
    #[test]
    fn an_update_s_notes_are_joined_as_the_locale_joins_them() {
        let update = Update {
            id: "aiohttp".into(),
            kind: crate::provider::UpdateKind::Package,
            name: "aiohttp".into(),
            current: Some("3.8.0".into()),
            latest: "4.0.0".into(),
            security: true,
            advisories: Vec::new(),
            breaking: true,
            changelog: None,
            size: None,
            released: None,
            held: None,
            details: Vec::new(),
        };
        let list = [update];
        assert_eq!(
            updates(Lang::for_tag("zh-CN"), &list, &[], false),
            "🔒 ⚠\u{fe0f} `aiohttp` 3.8.0 → **4.0.0** (安全；不兼容)"
        );
        assert_eq!(
            updates(Lang::english(), &list, &[], false),
            "🔒 ⚠\u{fe0f} `aiohttp` 3.8.0 → **4.0.0** (security; breaking)"
        );
    }
}
