//! The HTML form of the simple API (PEP 503), for indexes that do not
//! offer the JSON form: every `<a>` on a project's page is a file, its
//! text the file name, `data-requires-python` and `data-yanked` its only
//! metadata (no sizes or dates). Read the way pip reads it, without an
//! HTML library: anchors, their attributes and character references.

use std::borrow::Cow;

use crate::index::{Meta, Project, ReleaseFile, Text, Yanked};

/// The files listed on an HTML project page; `name` is the normalized
/// project name the page was asked for (the page does not say it).
pub fn parse<'a>(page: &'a str, name: &str) -> Project<'a> {
    let mut files = Vec::new();
    let mut rest = page;
    while let Some(at) = find_tag(rest, "a") {
        rest = &rest[at + 2..];
        let Some(end) = rest.find('>') else {
            break;
        };
        let attributes = attributes(&rest[..end]);
        rest = &rest[end + 1..];
        let text_end = find_closing(rest, "a").unwrap_or(rest.len());
        let text = unescape(rest[..text_end].trim());
        rest = &rest[text_end..];
        let attribute = |wanted: &str| {
            attributes
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(wanted))
                .map(|(_, v)| v.clone())
        };
        let Some(href) = attribute("href") else {
            continue;
        };
        // PEP 503: the text is the file name; the URL's last segment when
        // a page leaves the text empty.
        let filename = if text.is_empty() {
            let path = href.split(['#', '?']).next().unwrap_or("");
            Cow::Owned(path.rsplit('/').next().unwrap_or("").to_string())
        } else {
            text
        };
        if filename.is_empty() {
            continue;
        }
        files.push(ReleaseFile {
            filename: Text(filename),
            size: None,
            upload_time: None,
            yanked: Yanked(attribute("data-yanked").is_some()),
            requires_python: attribute("data-requires-python").map(Text),
        });
    }
    Project {
        meta: Meta {
            api_version: "1.0".to_string(),
        },
        name: Text(Cow::Owned(name.to_string())),
        files,
    }
}

/// Where the next `<tag` (followed by a space, `/` or `>`) starts.
fn find_tag(html: &str, tag: &str) -> Option<usize> {
    find_markup(html, "<", tag, b" \t\n\r>/")
}

/// Where the next `</tag>` (or `</tag …>`) starts.
fn find_closing(html: &str, tag: &str) -> Option<usize> {
    find_markup(html, "</", tag, b" \t\n\r>")
}

/// Where the next `opener` + `tag` (in any case) + one of `ends` starts.
/// Compares bytes in place: a large project's page has thousands of
/// anchors, and a byte offset may fall inside a multi-byte character.
fn find_markup(html: &str, opener: &str, tag: &str, ends: &[u8]) -> Option<usize> {
    let bytes = html.as_bytes();
    let mut from = 0;
    while let Some(found) = html[from..].find(opener) {
        let at = from + found;
        let name = at + opener.len()..at + opener.len() + tag.len();
        if bytes
            .get(name.clone())
            .is_some_and(|n| n.eq_ignore_ascii_case(tag.as_bytes()))
            && bytes.get(name.end).is_some_and(|b| ends.contains(b))
        {
            return Some(at);
        }
        from = at + opener.len();
    }
    None
}

/// `name="value"`, `name='value'`, `name=value` and bare `name`, values
/// unescaped.
fn attributes(inside: &str) -> Vec<(String, Cow<'_, str>)> {
    let mut found = Vec::new();
    let mut rest = inside.trim_start();
    while !rest.is_empty() {
        let name_end = rest
            .find(|c: char| c.is_whitespace() || c == '=' || c == '/')
            .unwrap_or(rest.len());
        let name = &rest[..name_end];
        rest = rest[name_end..].trim_start();
        if name.is_empty() {
            // A stray '/' or '=': skip it.
            rest = rest.get(1..).unwrap_or("").trim_start();
            continue;
        }
        let value = if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            let (value, remainder) = match after.chars().next() {
                Some(quote @ ('"' | '\'')) => {
                    let body = &after[1..];
                    let end = body.find(quote).unwrap_or(body.len());
                    (&body[..end], body.get(end + 1..).unwrap_or(""))
                }
                _ => {
                    let end = after.find(char::is_whitespace).unwrap_or(after.len());
                    (&after[..end], &after[end..])
                }
            };
            rest = remainder.trim_start();
            unescape(value)
        } else {
            Cow::Borrowed("")
        };
        found.push((name.to_string(), value));
    }
    found
}

/// Character references: the named five HTML pages use in these values
/// and numeric ones (`&#62;`, `&#x3e;`); anything else stays as written.
fn unescape(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let decoded = rest.find(';').and_then(|end| {
            let entity = &rest[1..end];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            }?;
            Some((c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!DOCTYPE html>
<html><head><meta name="pypi:repository-version" content="1.0"><title>Links for discord.py</title></head>
<body><h1>Links for discord.py</h1>
<a href="https://files.example.org/discord.py-2.3.0.tar.gz#sha256=00">discord.py-2.3.0.tar.gz</a><br/>
<A HREF='../../packages/discord_py-2.4.0-py3-none-any.whl#sha256=11' data-requires-python="&gt;=3.8">discord_py-2.4.0-py3-none-any.whl</A><br/>
<a href="/p/discord_py-2.5.0-py3-none-any.whl" data-yanked="">discord_py-2.5.0-py3-none-any.whl</a>
<a href="/p/discord_py-2.6.0-py3-none-any.whl" data-yanked="breaks &amp; burns"></a>
<abbr title="not a link">x</abbr>
</body></html>"#;

    #[test]
    fn anchors_become_files_with_their_metadata() {
        let p = parse(PAGE, "discord-py");
        let names: Vec<&str> = p.files.iter().map(|f| &*f.filename).collect();
        assert_eq!(
            names,
            vec![
                "discord.py-2.3.0.tar.gz",
                "discord_py-2.4.0-py3-none-any.whl",
                "discord_py-2.5.0-py3-none-any.whl",
                "discord_py-2.6.0-py3-none-any.whl",
            ]
        );
        assert_eq!(p.files[1].requires_python.as_deref(), Some(">=3.8"));
        assert_eq!(
            p.files.iter().map(|f| f.yanked.0).collect::<Vec<_>>(),
            vec![false, false, true, true]
        );
        assert_eq!(&*p.name, "discord-py");
        assert!(p.files.iter().all(|f| f.size.is_none()));
    }

    #[test]
    fn other_text_and_tags_do_not_confuse_it() {
        let page = "<é><abbr>é</abbr><a href='/x-1.0.tar.gz'>x-1.0.tar.gz</A ><a";
        let p = parse(page, "x");
        let names: Vec<&str> = p.files.iter().map(|f| &*f.filename).collect();
        assert_eq!(names, vec!["x-1.0.tar.gz"]);
        assert_eq!(find_closing("é</abbr></a>", "a"), Some(9));
    }

    #[test]
    fn character_references_are_decoded() {
        assert_eq!(unescape("&gt;=3.8, &lt;4"), ">=3.8, <4");
        assert_eq!(unescape("&#62;=3&#x2e;8"), ">=3.8");
        assert_eq!(unescape("a &unknown; & b"), "a &unknown; & b");
    }
}
