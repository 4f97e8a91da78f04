//! What the notification channels read, in the notifications' language
//! (`[discord] locale`, else the guild's): the words of the service's
//! announcements (`announce::Notice`). Which notices are posted, and when,
//! stays the service's decision.

use std::fmt::Write;

use super::update::session_args;
use crate::discord::locale::{self, t};
use crate::service::announce::Notice;

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
            message,
        } => (
            t!(
                lang,
                "notice-progress",
                what = work(what),
                percent = *percent
            ),
            (*message).to_string(),
        ),
        Notice::Finished { outcome } => {
            let Some(s) = &outcome.session else {
                return (t!(lang, "outcome-nothing-run"), String::new());
            };
            let (kind, status) = session_args(s.kind, s.status);
            let title = t!(lang, "notice-finished", kind = kind, status = status);
            let mut text = String::new();
            for line in s.updates.iter().take(15) {
                let _ = writeln!(text, "• {line}");
            }
            if let Some(e) = &s.error {
                let _ = writeln!(text, "\n{}", e.chars().take(1500).collect::<String>());
            }
            for e in &outcome.rollback_errors {
                let _ = writeln!(text, "{}", t!(lang, "notice-not-undone", error = e.clone()));
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
        Notice::Refused { what, by, message } => (
            t!(lang, "notice-refused", what = work(what)),
            format!("{message}\n\n{}", t!(lang, "notice-started-by", by = *by)),
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
