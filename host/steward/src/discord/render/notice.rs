//! What the notification channels read, in the notifications' language
//! (`[discord] locale`, else the guild's): the words of the service's
//! announcements (`announce::Notice`). Which notices are posted, and when,
//! stays the service's decision.

use std::fmt::Write;

use super::update::session_args;
use crate::discord::locale::{self, t};
use crate::service::announce::{Notice, ProviderChange};

/// A notice's title and description (registered with `announce::word_with`).
pub fn words(notice: &Notice<'_>) -> (String, String) {
    let lang = locale::notifications();
    match notice {
        Notice::Started { what, by } => (
            t!(lang, "notice-started", what = work(what)),
            t!(lang, "notice-started-by", by = *by),
        ),
        Notice::Progress {
            what,
            percent,
            step,
        } => (
            t!(
                lang,
                "notice-progress",
                what = work(what),
                percent = *percent
            ),
            crate::discord::progress::step(lang, step),
        ),
        Notice::Finished { outcome } => {
            let Some(s) = &outcome.session else {
                return (t!(lang, "outcome-nothing-run"), String::new());
            };
            let (kind, status) = session_args(s.kind, s.status);
            let title = t!(lang, "notice-finished", kind = kind, status = status);
            let mut text = String::new();
            for line in super::update::changes(lang, s).iter().take(15) {
                let _ = writeln!(text, "• {line}");
            }
            if let Some(e) = super::update::session_error(lang, outcome) {
                let _ = writeln!(text, "\n{}", e.chars().take(1500).collect::<String>());
            }
            for e in super::update::not_undone(lang, outcome) {
                let _ = writeln!(text, "{}", t!(lang, "notice-not-undone", error = e));
            }
            for n in super::update::notes(lang, outcome).iter().take(10) {
                let _ = writeln!(text, "⚠ {n}");
            }
            if let Some(impact) = outcome
                .impact
                .as_ref()
                .filter(|i| !i.regressions.is_empty())
            {
                let _ = writeln!(text, "\n{}", super::update::impact_text(lang, impact));
            }
            text.push('\n');
            text.push_str(&t!(
                lang,
                "notice-session",
                id = s.id.clone(),
                by = s.initiated_by.to_string()
            ));
            (title, text)
        }
        Notice::Refused {
            what, by, error, ..
        } => (
            t!(lang, "notice-refused", what = work(what)),
            format!(
                "{}\n\n{}",
                crate::discord::errors::install_message(lang, error),
                t!(lang, "notice-started-by", by = *by)
            ),
        ),
        Notice::Backup { created } => {
            let r = &created.record;
            (
                t!(lang, "notice-backup", id = r.id.clone()),
                t!(
                    lang,
                    "notice-backup-text",
                    types = super::choice_name(lang, r.backup_type.as_str()),
                    files = t!(lang, "files", count = r.file_count),
                    size = lang.size(r.compressed_size)
                ),
            )
        }
        Notice::OffsiteFailed {
            backup,
            target,
            error,
            fault,
        } => (
            t!(lang, "notice-offsite-failed", target = *target),
            t!(
                lang,
                "notice-offsite-failed-text",
                error = super::backup::offsite_error(lang, *fault, error)
                    .trim_end_matches('.')
                    .to_string(),
                id = *backup
            ),
        ),
        Notice::SecurityEmergency {
            source,
            update,
            advisory,
            install,
        } => {
            let severity = advisory
                .severity
                .clone()
                .unwrap_or_else(|| t!(lang, "emergency-unrated"));
            let mut text = t!(
                lang,
                "emergency-text",
                source = *source,
                name = update.name.clone(),
                current = update.current.clone().unwrap_or_else(|| "-".to_string()),
                latest = update.latest.clone(),
                advisory = advisory.id.clone(),
                severity = severity.clone()
            );
            // The advisory's own words and link, as published.
            if !advisory.summary.is_empty() {
                let _ = write!(text, "\n{}", advisory.summary);
            }
            if let Some(url) = &advisory.url {
                let _ = write!(text, "\n{url}");
            }
            text.push_str("\n\n");
            text.push_str(&t!(lang, "emergency-install", command = *install));
            (
                t!(
                    lang,
                    "emergency-title",
                    advisory = advisory.id.clone(),
                    severity = severity
                ),
                text,
            )
        }
        Notice::EmergencyInstallButton => (t!(lang, "emergency-button"), String::new()),
        Notice::Drift { report } => {
            let mut text = String::new();
            let share = 3000 / report.drifted.len().max(1);
            for d in &report.drifted {
                let _ = writeln!(
                    text,
                    "{}\n```diff\n{}\n```",
                    drift_source(lang, d),
                    crate::service::announce::clipped(&d.diff, share).replace("```", "'''")
                );
            }
            (t!(lang, "notice-drift", count = report.drifted.len()), text)
        }
        Notice::WaitingForGrant { provider, asks } => (
            t!(
                lang,
                "grant-notice-title",
                provider = super::plain(provider)
            ),
            t!(
                lang,
                "grant-notice-text",
                provider = super::plain(provider),
                asks = super::plain(&lang.names(asks))
            ),
        ),
        // The Grant button's label, then the Deny button's.
        Notice::GrantButtons => (t!(lang, "grant-button"), t!(lang, "deny-button")),
        Notice::ProvidersChanged { changes } => {
            let lines: Vec<String> = changes.iter().map(|c| provider_change(lang, c)).collect();
            (t!(lang, "notice-providers-changed"), lines.join("\n"))
        }
    }
}

/// One provider that came, changed or went; its name, version and load
/// error as given.
fn provider_change(lang: crate::discord::locale::Lang, change: &ProviderChange) -> String {
    match change {
        ProviderChange::Loaded {
            name,
            version,
            waiting: true,
        } => t!(
            lang,
            "provider-change-loaded-waiting",
            name = super::plain(name),
            version = super::plain(version)
        ),
        ProviderChange::Loaded { name, version, .. } => t!(
            lang,
            "provider-change-loaded",
            name = super::plain(name),
            version = super::plain(version)
        ),
        ProviderChange::Replaced { name, version } => t!(
            lang,
            "provider-change-replaced",
            name = super::plain(name),
            version = super::plain(version)
        ),
        ProviderChange::Failed { name, error } => t!(
            lang,
            "provider-change-failed",
            name = super::plain(name),
            error = super::plain(error)
        ),
        ProviderChange::Removed { name } => {
            t!(lang, "provider-change-removed", name = super::plain(name))
        }
    }
}

/// The service names the work it announces ("Update", "Scheduled update",
/// "Rollback"); the catalogues select on these, and say anything else as
/// given.
fn work(what: &str) -> String {
    t!(
        locale::notifications(),
        "notice-work",
        key = what.replace(' ', "-"),
        what = what
    )
}

/// The line heading one drifted source, in `lang`: what session applied
/// the state it left, or when its first-check baseline was taken.
pub(crate) fn drift_source(
    lang: crate::discord::locale::Lang,
    d: &crate::engine::drift::Drift,
) -> String {
    let at = d.applied_at.format("%Y-%m-%d %H:%M UTC").to_string();
    if d.baseline {
        t!(
            lang,
            "notice-drift-source-baseline",
            provider = d.provider.clone(),
            taken = at
        )
    } else {
        t!(
            lang,
            "notice-drift-source",
            provider = d.provider.clone(),
            session = d.session_id.clone(),
            applied = at
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discord::locale::Lang;

    fn changes() -> Vec<ProviderChange> {
        vec![
            ProviderChange::Loaded {
                name: "hello".into(),
                version: "0.1.0".into(),
                waiting: true,
            },
            ProviderChange::Loaded {
                name: "npm".into(),
                version: "0.2.0".into(),
                waiting: false,
            },
            ProviderChange::Replaced {
                name: "pip".into(),
                version: "1.1.0".into(),
            },
            ProviderChange::Failed {
                name: "broken".into(),
                error: "not a component".into(),
            },
            ProviderChange::Removed {
                name: "gone".into(),
            },
        ]
    }

    /// The English lines are the log's; German and Chinese word the frame
    /// and keep names, versions and the load error as given.
    #[test]
    fn providers_changed_lines_read_in_the_locale() {
        let lines =
            |lang| -> Vec<String> { changes().iter().map(|c| provider_change(lang, c)).collect() };
        let english: Vec<String> = changes().iter().map(ToString::to_string).collect();
        assert_eq!(lines(Lang::english()), english);
        assert_eq!(
            lines(Lang::for_tag("de")),
            [
                "hello 0.1.0 geladen, wartet auf eine Freigabe",
                "npm 0.2.0 geladen",
                "pip ersetzt: 1.1.0 geladen",
                "broken wurde nicht geladen: not a component",
                "gone entfernt",
            ]
        );
        assert_eq!(
            lines(Lang::for_tag("zh-CN")),
            [
                "hello 0.1.0 已加载，正在等待授权",
                "npm 0.2.0 已加载",
                "pip 已替换：已加载 1.1.0",
                "broken 未能加载：not a component",
                "gone 已移除",
            ]
        );
        assert_eq!(
            t!(Lang::for_tag("de"), "notice-providers-changed"),
            "Provider geändert"
        );
    }
}
