//! Template versions: "semver-ish" strings (`1.3`, `v1.3.0`, `1.3.0-rc.1`)
//! ordered as semver. Never guesses an order for strings it cannot read.

use std::cmp::Ordering;

/// Orders two versions, or `None` when either is not a version.
pub fn compare(a: &str, b: &str) -> Option<Ordering> {
    Some(lenient(a)?.cmp(&lenient(b)?))
}

fn lenient(text: &str) -> Option<semver::Version> {
    let text = text.trim();
    let text = text.strip_prefix(['v', 'V']).unwrap_or(text);
    if let Ok(v) = semver::Version::parse(text) {
        return Some(v);
    }
    // `1` and `1.3` mean `1.0.0` and `1.3.0`; a pre-release/build tail stays attached.
    let split = text.find(['-', '+']).unwrap_or(text.len());
    let (core, tail) = text.split_at(split);
    let parts = core.split('.').count();
    if (1..3).contains(&parts) && core.split('.').all(|p| p.parse::<u64>().is_ok()) {
        let padded = format!("{core}{}{tail}", ".0".repeat(3 - parts));
        return semver::Version::parse(&padded).ok();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_prefixed_versions_compare_as_semver() {
        assert_eq!(compare("1.3", "1.2.9"), Some(Ordering::Greater));
        assert_eq!(compare("v1.3.0", "1.3"), Some(Ordering::Equal));
        assert_eq!(compare("1.10.0", "1.9.0"), Some(Ordering::Greater));
        assert_eq!(compare("2.0.0-rc.1", "2.0.0"), Some(Ordering::Less));
        assert_eq!(compare("2-rc.1", "2.0.0-rc.1"), Some(Ordering::Equal));
    }

    #[test]
    fn garbage_versions_have_no_order() {
        assert_eq!(compare("latest", "1.0.0"), None);
        assert_eq!(compare("1.x", "1.0.0"), None);
    }
}
