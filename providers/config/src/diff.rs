//! Unified diffs of a planned write, shown to the operator before anything
//! is written. Text only; it never decides what changes.

use similar::TextDiff;

/// A unified diff from `old` to `new` for the file shown as `name`, or
/// `None` when the contents are the same.
pub fn unified(name: &str, old: &str, new: &str) -> Option<String> {
    if old == new {
        return None;
    }
    let diff = TextDiff::from_lines(old, new);
    let mut out = diff
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_shows_removed_and_added_lines_under_file_headers() {
        let diff = unified(
            "config/config.toml",
            "a = 1\nb = 2\n",
            "a = 1\nb = 3\nc = 4\n",
        )
        .unwrap();
        assert!(
            diff.starts_with("--- a/config/config.toml\n+++ b/config/config.toml\n"),
            "{diff}"
        );
        assert!(diff.contains("\n-b = 2\n+b = 3\n+c = 4\n"), "{diff}");
    }

    #[test]
    fn identical_contents_have_no_diff() {
        assert_eq!(unified("x", "a\n", "a\n"), None);
    }
}
