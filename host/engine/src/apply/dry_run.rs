//! A plan as text, changing nothing: every command with its arguments, every
//! download with its checksum and whether its signature will be checked,
//! every file write with its diff, every link switch with where it points
//! now. Each step goes through the same checks a real run makes first, so a
//! step that would be refused says so here.

use std::fmt::Write;

use super::{ApplyContext, download, exec, remove, switch_release, write_file};
use crate::provider::{Action, Plan};

pub fn dry_run(ctx: &ApplyContext, plan: &Plan) -> String {
    let mut out = String::new();
    if plan.steps.is_empty() {
        let _ = writeln!(out, "{}: nothing to do", ctx.provider);
        return out;
    }
    let _ = writeln!(
        out,
        "{}: {} step{}",
        ctx.provider,
        plan.steps.len(),
        if plan.steps.len() == 1 { "" } else { "s" }
    );
    for (i, step) in plan.steps.iter().enumerate() {
        let _ = writeln!(out, "{:>3}. {}", i + 1, step.description);
        let refusal = match &step.action {
            Action::Exec(command) => {
                let checked = exec::check(ctx, command);
                let _ = writeln!(
                    out,
                    "     run: {}",
                    std::iter::once(command.program.as_str())
                        .chain(command.args.iter().map(String::as_str))
                        .map(quote)
                        .collect::<Vec<_>>()
                        .join(" ")
                );
                for (name, value) in &command.env {
                    let _ = writeln!(out, "     with: {name}={}", quote(value));
                }
                if let Ok(c) = &checked {
                    let _ = writeln!(
                        out,
                        "     in: {}  (time limit {} s)",
                        c.cwd.display(),
                        c.timeout.as_secs()
                    );
                }
                checked.err()
            }
            Action::Download(d) => {
                let _ = writeln!(out, "     download: {}", d.url);
                let _ = writeln!(out, "     sha256: {}", d.sha256);
                let _ = writeln!(out, "     size limit: {} bytes", d.size_limit);
                let signature = match (&ctx.verify_key, &d.signature) {
                    (Some(_), Some(_)) => "checked with the configured key",
                    (Some(_), None) => "missing, but a key is configured",
                    (None, Some(_)) => "attached, not checked (no verify_key configured)",
                    (None, None) => "none (no verify_key configured)",
                };
                let _ = writeln!(out, "     signature: {signature}");
                let _ = writeln!(out, "     unpack into: {}", d.unpack_to);
                download::check(ctx, d).err()
            }
            Action::WriteFile(w) => {
                let checked = write_file::check(ctx, w);
                let verb = match &checked {
                    Ok(c) if c.existing.is_some() => "replace",
                    _ => "create",
                };
                let _ = writeln!(out, "     {verb}: {} ({} bytes)", w.path, w.contents.len());
                match &w.diff {
                    Some(diff) => {
                        for line in diff.lines() {
                            let _ = writeln!(out, "     | {line}");
                        }
                    }
                    None => {
                        let _ = writeln!(out, "     (the provider gave no diff)");
                    }
                }
                checked.err()
            }
            Action::SwitchRelease(s) => {
                let checked = switch_release::check(ctx, s);
                let now = match std::fs::read_link(&s.link) {
                    Ok(target) => target.display().to_string(),
                    Err(_) => "(no link yet)".to_string(),
                };
                let _ = writeln!(
                    out,
                    "     switch: {} -> {} (now -> {now})",
                    s.link, s.target
                );
                checked.err()
            }
            Action::Remove(r) => {
                let _ = writeln!(out, "     remove: {}", r.path);
                remove::check(ctx, r).err()
            }
        };
        if let Some(e) = refusal {
            let _ = writeln!(out, "     WOULD BE REFUSED: {e}");
        }
    }
    if plan.restart {
        let _ = writeln!(out, "     then restart the bot");
    }
    out
}

/// Quotes an argument the way a shell reader expects, for display only
/// (steps never run through a shell).
fn quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:@%+,".contains(&b));
    if plain {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}
