//! `.env` files: `KEY=value` lines (optionally `export KEY=value`), `#`
//! comments, single- or double-quoted values. The rewrite works line by line,
//! so every line it was not told to change stays byte for byte.

use super::{Edit, Flat, FormatError, KeyPath, Rewritten, Value};

/// One `KEY=value` line: where its value sits, so it can be swapped alone.
#[derive(Clone, Debug, PartialEq)]
struct Entry {
    key: String,
    value: String,
    /// Byte range of the value as written (quotes included).
    raw: std::ops::Range<usize>,
}

#[derive(Clone, Debug, PartialEq)]
struct Line {
    text: String,
    entry: Option<Entry>,
}

fn parse(text: &str) -> Result<Vec<Line>, FormatError> {
    text.lines()
        .enumerate()
        .map(|(i, line)| {
            parse_line(line)
                .map(|entry| Line {
                    text: line.to_string(),
                    entry,
                })
                .map_err(|message| FormatError(format!("line {}: {message}", i + 1)))
        })
        .collect()
}

fn parse_line(line: &str) -> Result<Option<Entry>, String> {
    let trimmed = line.trim_start();
    if trimmed.is_empty() || trimmed.starts_with('#') {
        return Ok(None);
    }
    let start = line.len() - trimmed.len();
    let body = trimmed.strip_prefix("export ").unwrap_or(trimmed);
    let body_start = line.len() - body.len();
    let eq = body
        .find('=')
        .ok_or_else(|| "expected KEY=value".to_string())?;
    let key = body[..eq].trim();
    let valid_key = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-');
    if !valid_key {
        return Err(format!(
            "`{}` is not a valid key",
            &line[start..body_start + eq]
        ));
    }
    let after_eq = body_start + eq + 1;
    let value_start = after_eq + (line.len() - after_eq - line[after_eq..].trim_start().len());
    let rest = &line[value_start..];
    let (value, raw_len) = match rest.chars().next() {
        Some(quote @ ('"' | '\'')) => {
            let (value, len) = quoted(rest, quote)?;
            let after = rest[len..].trim_start();
            if !after.is_empty() && !after.starts_with('#') {
                return Err(format!("unexpected `{after}` after the quoted value"));
            }
            (value, len)
        }
        _ => {
            // An unquoted value ends where a ` #` comment starts.
            let end = rest
                .char_indices()
                .find(|&(i, c)| c == '#' && i > 0 && rest[..i].ends_with([' ', '\t']))
                .map_or(rest.len(), |(i, _)| i);
            let value = rest[..end].trim_end();
            (value.to_string(), value.len())
        }
    };
    Ok(Some(Entry {
        key: key.to_string(),
        value,
        raw: value_start..value_start + raw_len,
    }))
}

/// A quoted value and the length it takes, closing quote included.
/// Double quotes understand `\n`, `\"` and `\\`; single quotes are literal.
fn quoted(rest: &str, quote: char) -> Result<(String, usize), String> {
    let mut value = String::new();
    let mut chars = rest.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            c if c == quote => return Ok((value, i + 1)),
            '\\' if quote == '"' => match chars.next() {
                Some((_, 'n')) => value.push('\n'),
                Some((_, other)) => value.push(other),
                None => break,
            },
            c => value.push(c),
        }
    }
    Err(format!("unterminated {quote} quote"))
}

pub fn flatten(text: &str) -> Result<Flat, FormatError> {
    let mut flat = Flat::default();
    for line in parse(text)? {
        if let Some(entry) = line.entry {
            flat.insert(KeyPath::single(&entry.key), Value::Env(entry.value));
        }
    }
    Ok(flat)
}

pub fn rewrite(
    operator: &str,
    template: &str,
    edits: &[Edit],
    template_version: &str,
) -> Result<Rewritten, FormatError> {
    let mut lines = parse(operator)?;
    let template_lines = parse(template)?;
    let mut appended: Vec<String> = Vec::new();

    for edit in edits {
        match edit {
            Edit::Set(key) => {
                let (source_line, source) = last_entry(&template_lines, key)
                    .ok_or_else(|| FormatError(format!("the template has no key {key}")))?;
                let new_raw = &source_line.text[source.raw.clone()];
                // The last assignment is the one loaders use.
                let line = lines
                    .iter_mut()
                    .rev()
                    .find(|l| is_entry_for(l, key))
                    .ok_or_else(|| FormatError(format!("the config has no key {key}")))?;
                if let Some(entry) = &line.entry {
                    let raw = entry.raw.clone();
                    line.text.replace_range(raw, new_raw);
                }
            }
            Edit::Add(key) => {
                let index = template_lines
                    .iter()
                    .rposition(|l| is_entry_for(l, key))
                    .ok_or_else(|| FormatError(format!("the template has no key {key}")))?;
                // The comment block right above the key in the template travels with it.
                let comments_from = template_lines[..index]
                    .iter()
                    .rposition(|l| !l.text.trim_start().starts_with('#'))
                    .map_or(0, |i| i + 1);
                appended.extend(
                    template_lines[comments_from..=index]
                        .iter()
                        .map(|l| l.text.clone()),
                );
            }
            Edit::Remove(key) => {
                for line in lines.iter_mut().filter(|l| is_entry_for(l, key)) {
                    let indent_len = line.text.len() - line.text.trim_start().len();
                    line.text = format!(
                        "{}# removed in template {template_version}: {}",
                        &line.text[..indent_len],
                        line.text.trim()
                    );
                }
            }
        }
    }

    let mut text: String = lines.iter().map(|l| format!("{}\n", l.text)).collect();
    if !operator.ends_with('\n') && appended.is_empty() {
        text.pop();
    }
    for line in appended {
        text.push_str(&line);
        text.push('\n');
    }
    Ok(Rewritten {
        text,
        notes: Vec::new(),
    })
}

fn is_entry_for(line: &Line, key: &KeyPath) -> bool {
    line.entry
        .as_ref()
        .is_some_and(|e| key.segments() == [e.key.as_str()])
}

fn last_entry<'a>(lines: &'a [Line], key: &KeyPath) -> Option<(&'a Line, &'a Entry)> {
    lines
        .iter()
        .rev()
        .find(|l| is_entry_for(l, key))
        .and_then(|l| l.entry.as_ref().map(|e| (l, e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(flat: &Flat, key: &str) -> Option<String> {
        flat.get(&KeyPath::single(key)).map(Value::text)
    }

    #[test]
    fn env_values_are_unquoted_and_comments_skipped() {
        let flat = flatten(
            "# token\nexport TOKEN=\"a \\\"b\\\"\"\nNAME='it\\n' # literal\nPLAIN=x y # note\nHASH=a#b\nEMPTY=\n",
        )
        .unwrap();
        assert_eq!(value(&flat, "TOKEN").as_deref(), Some("a \"b\""));
        assert_eq!(value(&flat, "NAME").as_deref(), Some("it\\n"));
        assert_eq!(value(&flat, "PLAIN").as_deref(), Some("x y"));
        assert_eq!(value(&flat, "HASH").as_deref(), Some("a#b"));
        assert_eq!(value(&flat, "EMPTY").as_deref(), Some(""));
    }

    #[test]
    fn env_text_after_a_closing_quote_is_refused() {
        let err = flatten("NAME='it''\n").unwrap_err();
        assert!(err.0.starts_with("line 1: unexpected"), "{err}");
    }

    #[test]
    fn env_line_without_equals_is_reported_with_its_number() {
        let err = flatten("A=1\nnot a setting\n").unwrap_err();
        assert_eq!(err.0, "line 2: expected KEY=value");
    }

    #[test]
    fn env_set_replaces_only_the_value_and_keeps_the_inline_comment() {
        let out = rewrite(
            "export LIMIT=10  # per minute\n",
            "LIMIT=\"20\"\n",
            &[Edit::Set(KeyPath::single("LIMIT"))],
            "2.0.0",
        )
        .unwrap();
        assert_eq!(out.text, "export LIMIT=\"20\"  # per minute\n");
    }
}
