//! How results look in Discord: embeds within Discord's limits (25 fields,
//! 1024 characters a field, 6000 in all). Rendering only; every fact comes
//! from the service.

pub mod backup;
pub mod update;

use std::fmt::Write;

use poise::serenity_prelude as serenity;

use crate::engine::{CheckOutcome, UpdateType};
use crate::provider::Update;

const FIELD_LIMIT: usize = 1024;
const FIELDS_MAX: usize = 25;
const RED: u32 = 0xd9_3f_3f;
const ORANGE: u32 = 0xe6_7e_22;
const GREEN: u32 = 0x2e_cc_71;

/// What `/update_check` asked for, echoed in the result.
pub struct CheckView {
    pub update_type: UpdateType,
    pub details: bool,
    pub include_security: bool,
}

/// Available updates grouped by source, with security and breaking marks.
pub fn check(outcome: &CheckOutcome, view: &CheckView) -> serenity::CreateEmbed {
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

    let title = match offered {
        0 => "No updates available".to_string(),
        1 => "1 update available".to_string(),
        n => format!("{n} updates available"),
    };
    let mut summary = format!("{security} security, {breaking} breaking");
    if held > 0 {
        let _ = write!(summary, ", {held} held back by pins");
    }
    if failed > 0 {
        let _ = write!(
            summary,
            "\n{failed} {} failed; {} results are incomplete.",
            if failed == 1 { "source" } else { "sources" },
            if offered == 0 { "the" } else { "these" }
        );
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
            embed = embed.field(
                "…",
                "More sources than one message holds: run `steward check` on the server.",
                false,
            );
            break;
        }
        let (name, value) = match &provider.error {
            Some(e) => (
                format!("{} — failed", provider.provider),
                format!("{}: {}", e.code, e.message),
            ),
            None if provider.updates.is_empty() => {
                (provider.provider.clone(), "Up to date.".to_string())
            }
            None => (
                format!("{} ({})", provider.provider, provider.updates.len()),
                updates(&provider.updates, view.details),
            ),
        };
        let mut value = value;
        for w in &provider.warnings {
            let _ = write!(value, "\n⚠ {w}");
        }
        embed = embed.field(name, fit(&value), false);
        fields += 1;
    }
    if !outcome.skipped.is_empty() && fields < FIELDS_MAX {
        let lines: Vec<String> = outcome
            .skipped
            .iter()
            .map(|s| format!("{} ({}): {}", s.provider, s.file, s.error))
            .collect();
        embed = embed.field("Not loaded", fit(&lines.join("\n")), false);
    }
    let mut footer = format!("Checked: {}", type_name(view.update_type));
    if !view.include_security {
        footer.push_str(" · security advisories not looked up");
    }
    embed.footer(serenity::CreateEmbedFooter::new(footer))
}

fn updates(list: &[Update], details: bool) -> String {
    let mut out = String::new();
    for u in list {
        let mut marks = String::new();
        if u.security {
            marks.push_str("🔒 ");
        }
        if u.breaking {
            marks.push_str("⚠️ ");
        }
        let _ = write!(
            out,
            "{marks}`{}` {} → **{}**",
            u.name,
            u.current.as_deref().unwrap_or("new"),
            u.latest
        );
        let mut notes = Vec::new();
        if u.security {
            let ids: Vec<&str> = u.advisories.iter().map(|a| a.id.as_str()).collect();
            notes.push(if ids.is_empty() {
                "security".to_string()
            } else {
                format!("security: {}", ids.join(", "))
            });
        }
        if u.breaking {
            notes.push("breaking".to_string());
        }
        if let Some(reason) = &u.held {
            notes.push(format!("held by {reason}"));
        }
        if !notes.is_empty() {
            let _ = write!(out, " ({})", notes.join("; "));
        }
        out.push('\n');
        if details {
            if let Some(released) = &u.released {
                let _ = writeln!(out, "  released {released}");
            }
            if let Some(changelog) = &u.changelog {
                let _ = writeln!(out, "  changelog: {changelog}");
            }
            for a in &u.advisories {
                let severity = a
                    .severity
                    .as_deref()
                    .map(|s| format!(" [{s}]"))
                    .unwrap_or_default();
                let _ = writeln!(out, "  {}{severity}: {}", a.id, a.summary);
            }
            for line in &u.details {
                let _ = writeln!(out, "  {line}");
            }
        }
    }
    out.trim_end().to_string()
}

/// Cuts a field value to Discord's limit, saying so.
fn fit(value: &str) -> String {
    cut(
        value,
        FIELD_LIMIT,
        "\n… (cut; `steward check --details` on the server shows everything)",
    )
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

fn type_name(t: UpdateType) -> &'static str {
    match t {
        UpdateType::All => "all sources",
        UpdateType::Packages => "packages",
        UpdateType::Bot => "the bot",
        UpdateType::Config => "configuration",
        UpdateType::Dependencies => "dependencies",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_overlong_field_is_cut_at_a_line_and_says_so() {
        let long: String = (0..200).map(|i| format!("line {i}\n")).collect();
        let cut = fit(&long);
        assert!(cut.chars().count() <= FIELD_LIMIT);
        assert!(cut.ends_with("shows everything)"));
        assert!(cut.contains("\nline 3\n"));
    }
}
