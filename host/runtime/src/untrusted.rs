//! What a provider hands the host, made safe to hold before anything else
//! sees it: every string with its control characters written as visible
//! escapes (so no terminal, log line or Discord message can be steered by
//! it), a captured state and a plan within their caps. Applied once, where
//! provider results enter (`Runtime`'s public calls, `load`, `log`); it never
//! judges what the text says.

use std::borrow::Cow;

use super::CallError;
use crate::provider::{
    Action, Advisory, Capabilities, Command, Detail, Download, ErrorCode, Info, KeyChange, Plan,
    Program, ProviderError, ReleaseNote, Remove, Report, Step, SwitchRelease, Update, WriteFile,
};

/// The largest state `capture` may return: it is kept with the session and
/// rewritten into the journal before and after every step.
pub const MAX_CAPTURE_STATE: usize = 16 * 1024 * 1024;

/// The most steps one plan may have (the bundled providers plan a handful).
pub const MAX_PLAN_STEPS: usize = 1000;

/// `text` with every character that could steer what shows it escaped:
/// `\n`, `\r`, `\t`, and `\u{1b}` for the rest of C0, DEL and C1 (ANSI escape
/// sequences start with ESC or CSI), and the Unicode characters that break
/// lines or reorder text (line and paragraph separators, bidi controls).
/// Everything else, backslashes included, is kept as it is.
pub fn text(text: &str) -> Cow<'_, str> {
    escaped(text, false)
}

/// Like [`text`], but keeps `\n`: for text meant to span lines (a diff),
/// whose every line the renderer then marks as the provider's.
pub fn multiline(text: &str) -> Cow<'_, str> {
    escaped(text, true)
}

fn escaped(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    let steers = |c: char| steers(c) && !(keep_newlines && c == '\n');
    // Nearly all provider text is plain printable ASCII: say so cheaply.
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) || !text.chars().any(steers) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            c if !steers(c) => out.push(c),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
        }
    }
    Cow::Owned(out)
}

fn steers(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' // line and paragraph separators
            | '\u{061c}' | '\u{200e}' | '\u{200f}' // bidi marks
            | '\u{202a}'..='\u{202e}' // bidi embeddings and overrides
            | '\u{2066}'..='\u{2069}' // bidi isolates
        )
}

fn escape(s: &mut String) {
    if let Cow::Owned(clean) = text(s) {
        *s = clean;
    }
}

fn escape_all(list: &mut [String]) {
    list.iter_mut().for_each(escape);
}

fn escape_opt(s: &mut Option<String>) {
    if let Some(s) = s {
        escape(s);
    }
}

/// A check's report with its text escaped. Structs are taken apart field by
/// field so a field added to the contract does not compile until it is
/// handled here.
pub fn report(mut report: Report) -> Report {
    let Report { updates, warnings } = &mut report;
    updates.iter_mut().for_each(update);
    escape_all(warnings);
    report
}

fn update(update: &mut Update) {
    let Update {
        id,
        kind: _,
        name,
        current,
        latest,
        security: _,
        advisories,
        breaking: _,
        changelog,
        size: _,
        released,
        held,
        details,
    } = update;
    escape(id);
    escape(name);
    escape_opt(current);
    escape(latest);
    for advisory in advisories {
        let Advisory {
            id,
            summary,
            severity,
            url,
        } = advisory;
        escape(id);
        escape(summary);
        escape_opt(severity);
        escape_opt(url);
    }
    escape_opt(changelog);
    escape_opt(released);
    escape_opt(held);
    for detail in details {
        match detail {
            Detail::Note(text) => escape(text),
            Detail::Key(KeyChange {
                key,
                change: _,
                text,
            }) => {
                escape(key);
                escape(text);
            }
            Detail::Release(ReleaseNote {
                version,
                released,
                security: _,
                breaking: _,
                summary,
            }) => {
                escape(version);
                escape_opt(released);
                escape(summary);
            }
        }
    }
}

/// What `describe` said, escaped.
pub fn info(mut info: Info) -> Info {
    let Info {
        name,
        version,
        description,
        kinds: _,
        wants,
    } = &mut info;
    escape(name);
    escape(version);
    escape(description);
    let Capabilities {
        read,
        http,
        programs,
    } = wants;
    escape_all(read);
    escape_all(http);
    for program in programs {
        let Program { path, args } = program;
        escape(path);
        args.iter_mut().for_each(|list| escape_all(list));
    }
    info
}

/// A plan within [`MAX_PLAN_STEPS`], its text escaped. What a step names
/// (paths, arguments, URLs) is escaped too, so what the dry run shows is
/// what runs. Data stays as it is: a written file's contents, and a
/// download's signature; a diff keeps its line breaks.
pub fn plan(mut plan: Plan) -> Result<Plan, CallError> {
    if plan.steps.len() > MAX_PLAN_STEPS {
        return Err(refused(format!(
            "its plan has {} steps, more than the {MAX_PLAN_STEPS} a plan may have",
            plan.steps.len()
        )));
    }
    let Plan { steps, restart: _ } = &mut plan;
    for step in steps {
        let Step {
            description,
            action,
        } = step;
        escape(description);
        match action {
            Action::Exec(Command {
                program,
                args,
                cwd,
                timeout_ms: _,
                env,
            }) => {
                escape(program);
                escape_all(args);
                escape_opt(cwd);
                for (name, value) in env {
                    escape(name);
                    escape(value);
                }
            }
            Action::Download(Download {
                url,
                sha256,
                size_limit: _,
                // A minisign signature is lines of data, never shown: the
                // host decodes it and refuses anything that is not one.
                signature: _,
                unpack_to,
            }) => {
                escape(url);
                escape(sha256);
                escape(unpack_to);
            }
            Action::WriteFile(WriteFile {
                path,
                contents: _,
                diff,
            }) => {
                escape(path);
                if let Some(diff) = diff
                    && let Cow::Owned(clean) = multiline(diff)
                {
                    *diff = clean;
                }
            }
            Action::SwitchRelease(SwitchRelease { link, target }) => {
                escape(link);
                escape(target);
            }
            Action::Remove(Remove { path }) => escape(path),
        }
    }
    Ok(plan)
}

/// A captured state within [`MAX_CAPTURE_STATE`].
pub fn state(state: Vec<u8>) -> Result<Vec<u8>, CallError> {
    if state.len() > MAX_CAPTURE_STATE {
        return Err(refused(format!(
            "its state is {}, larger than the {} a captured state may be",
            crate::size::human(state.len() as u64),
            crate::size::human(MAX_CAPTURE_STATE as u64)
        )));
    }
    Ok(state)
}

/// A failed call's error with the provider's words escaped: its own error
/// message, and what a trap or a failed start quotes from the component.
pub fn error(error: CallError) -> CallError {
    match error {
        CallError::Provider(ProviderError { code, message }) => {
            CallError::Provider(ProviderError {
                code,
                message: text(&message).into_owned(),
            })
        }
        CallError::Crashed { message } => CallError::Crashed {
            message: text(&message).into_owned(),
        },
        CallError::Instantiate { message } => CallError::Instantiate {
            message: text(&message).into_owned(),
        },
        e @ (CallError::Timeout { .. }
        | CallError::OutOfMemory { .. }
        | CallError::StackOverflow { .. }) => e,
    }
}

fn refused(message: String) -> CallError {
    CallError::Provider(ProviderError::new(ErrorCode::InvalidData, message))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::UpdateKind;

    #[test]
    fn escape_sequences_and_newlines_become_visible_text() {
        assert_eq!(
            text("evil\x1b[2J\x1b]0;pwned\x07\nforged row\r\tend"),
            "evil\\u{1b}[2J\\u{1b}]0;pwned\\u{7}\\nforged row\\r\\tend"
        );
    }

    #[test]
    fn c1_controls_del_and_bidi_overrides_are_escaped() {
        assert_eq!(text("a\u{9b}2Jb\u{7f}c"), "a\\u{9b}2Jb\\u{7f}c");
        assert_eq!(text("1.0\u{202e}0.9"), "1.0\\u{202e}0.9");
        assert_eq!(text("one\u{2028}two"), "one\\u{2028}two");
    }

    #[test]
    fn plain_text_is_left_alone_without_copying() {
        for plain in [
            "discord.py 2.3.1",
            "C:\\path\\u{1b}",
            "héllo → wörld 🔒",
            "",
        ] {
            assert!(
                matches!(text(plain), Cow::Borrowed(p) if p == plain),
                "{plain}"
            );
        }
    }

    #[test]
    fn escaping_twice_changes_nothing_more() {
        let once = text("a\x1bb\nc").into_owned();
        assert_eq!(text(&once), once);
    }

    #[test]
    fn a_diff_keeps_its_line_breaks_and_loses_everything_else() {
        assert_eq!(
            multiline("-old\r\n+new\x1b[2J\n"),
            "-old\\r\n+new\\u{1b}[2J\n"
        );
    }

    fn forged_update() -> Update {
        Update {
            id: "id\n".into(),
            kind: UpdateKind::Package,
            name: "evil\x1b[2J\nforged  1.0  2.0".into(),
            current: Some("1\x1b".into()),
            latest: "2\n".into(),
            security: true,
            advisories: vec![Advisory {
                id: "GHSA\n".into(),
                summary: "s\x1b".into(),
                severity: Some("high\r".into()),
                url: Some("http://x\n".into()),
            }],
            breaking: false,
            changelog: Some("c\x1b".into()),
            size: None,
            released: Some("r\n".into()),
            held: Some("h\n".into()),
            details: vec![
                Detail::Note("d\x1b".into()),
                Detail::Key(KeyChange {
                    key: "k\n".into(),
                    change: crate::provider::KeyChangeKind::Conflict,
                    text: "t\x1b".into(),
                }),
                Detail::Release(ReleaseNote {
                    version: "v\n".into(),
                    released: Some("r\x1b".into()),
                    security: false,
                    breaking: true,
                    summary: "s\x1b".into(),
                }),
            ],
        }
    }

    #[test]
    fn no_field_of_a_report_keeps_a_control_character() {
        let clean = report(Report {
            updates: vec![forged_update()],
            warnings: vec!["w\x1b[2J".into()],
        });
        fn strings(value: &serde_json::Value, out: &mut Vec<String>) {
            match value {
                serde_json::Value::String(s) => out.push(s.clone()),
                serde_json::Value::Array(a) => a.iter().for_each(|v| strings(v, out)),
                serde_json::Value::Object(o) => o.values().for_each(|v| strings(v, out)),
                _ => {}
            }
        }
        let mut all = Vec::new();
        strings(&serde_json::to_value(&clean).unwrap(), &mut all);
        assert_eq!(all.len(), 20, "{all:?}");
        for s in &all {
            assert!(!s.chars().any(char::is_control), "{s:?}");
        }
        assert_eq!(clean.updates[0].name, "evil\\u{1b}[2J\\nforged  1.0  2.0");
        assert_eq!(clean.warnings[0], "w\\u{1b}[2J");
    }

    #[test]
    fn a_plan_is_escaped_except_for_file_contents() {
        let plan = plan(Plan {
            steps: vec![Step {
                description: "Fix a typo\n  2. Nothing to see".into(),
                action: Action::WriteFile(WriteFile {
                    path: "{bot}/a\x1b".into(),
                    contents: b"raw\x1b\nbytes".to_vec(),
                    diff: Some("-a\n+b\x1b[2J\r".into()),
                }),
            }],
            restart: false,
        })
        .unwrap();
        assert_eq!(
            plan.steps[0].description,
            "Fix a typo\\n  2. Nothing to see"
        );
        let Action::WriteFile(w) = &plan.steps[0].action else {
            unreachable!()
        };
        assert_eq!(w.path, "{bot}/a\\u{1b}");
        assert_eq!(w.contents, b"raw\x1b\nbytes");
        assert_eq!(w.diff.as_deref(), Some("-a\n+b\\u{1b}[2J\\r"));
    }

    #[test]
    fn a_downloads_signature_is_data_and_kept_as_it_is() {
        let signature = "untrusted comment: x\nRWQ=\ntrusted comment: y\nabc=\n";
        let plan = plan(Plan {
            steps: vec![Step {
                description: "Download".into(),
                action: Action::Download(Download {
                    url: "http://x/\x1b".into(),
                    sha256: "00".into(),
                    size_limit: 1,
                    signature: Some(signature.into()),
                    unpack_to: "{bot}/releases/1".into(),
                }),
            }],
            restart: false,
        })
        .unwrap();
        let Action::Download(d) = &plan.steps[0].action else {
            unreachable!()
        };
        assert_eq!(d.signature.as_deref(), Some(signature));
        assert_eq!(d.url, "http://x/\\u{1b}");
    }

    #[test]
    fn a_plan_with_too_many_steps_is_refused() {
        let step = Step {
            description: "step".into(),
            action: Action::SwitchRelease(SwitchRelease {
                link: "a".into(),
                target: "b".into(),
            }),
        };
        let plan = |n| Plan {
            steps: vec![step.clone(); n],
            restart: false,
        };
        assert!(super::plan(plan(MAX_PLAN_STEPS)).is_ok());
        let refused = super::plan(plan(MAX_PLAN_STEPS + 1)).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "its plan has 1001 steps, more than the 1000 a plan may have"
        );
    }

    #[test]
    fn a_captured_state_over_the_cap_is_refused() {
        assert!(state(vec![0; MAX_CAPTURE_STATE]).is_ok());
        let refused = state(vec![0; 100 * 1024 * 1024]).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "its state is 100.0 MiB, larger than the 16.0 MiB a captured state may be"
        );
    }

    #[test]
    fn a_providers_error_message_and_panic_text_are_escaped() {
        let e = error(CallError::Provider(ProviderError::new(
            ErrorCode::Network,
            "down\x1b[2J\nforged",
        )));
        assert_eq!(e.to_string(), "down\\u{1b}[2J\\nforged");
        let e = error(CallError::Crashed {
            message: "panicked: \x1b]0;title\x07".into(),
        });
        assert_eq!(e.to_string(), "crashed: panicked: \\u{1b}]0;title\\u{7}");
    }
}
