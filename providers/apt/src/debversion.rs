//! Debian version ordering, as dpkg defines it: `[epoch:]upstream[-revision]`,
//! compared part by part, where `~` sorts before everything (even the end of
//! the string), letters before other symbols, and digit runs numerically.

use std::cmp::Ordering;

/// A parsed Debian version. Equality is dpkg's (`1.01` equals `1.1`).
#[derive(Debug, Clone)]
pub struct DebVersion {
    epoch: u64,
    upstream: String,
    revision: String,
}

impl DebVersion {
    /// Parses `raw`, or `None` when it is not a Debian version.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        if raw.is_empty() || raw.contains(char::is_whitespace) {
            return None;
        }
        let (epoch, rest) = match raw.split_once(':') {
            Some((epoch, rest)) => (epoch.parse::<u64>().ok()?, rest),
            None => (0, raw),
        };
        let (upstream, revision) = match rest.rsplit_once('-') {
            Some((upstream, revision)) => (upstream, revision),
            None => (rest, ""),
        };
        let allowed = |c: char| c.is_ascii_alphanumeric() || ".+~-:".contains(c);
        // dpkg insists the upstream part starts with a digit.
        if !upstream.starts_with(|c: char| c.is_ascii_digit())
            || !upstream.chars().all(allowed)
            || !revision.chars().all(|c| allowed(c) && c != '-' && c != ':')
        {
            return None;
        }
        Some(DebVersion {
            epoch,
            upstream: upstream.to_string(),
            revision: revision.to_string(),
        })
    }
}

impl Ord for DebVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| compare_part(&self.upstream, &other.upstream))
            .then_with(|| compare_part(&self.revision, &other.revision))
    }
}

impl PartialOrd for DebVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for DebVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for DebVersion {}

/// Compares two version strings, or `None` if either is not a version.
pub fn compare(a: &str, b: &str) -> Option<Ordering> {
    Some(DebVersion::parse(a)?.cmp(&DebVersion::parse(b)?))
}

/// The weight of a character in a non-digit run: `~` lowest, then the end
/// of the run, then letters, then everything else.
fn weight(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(b'~') => -1,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(c) => i32::from(c) + 256,
    }
}

/// dpkg's `verrevcmp`: alternate non-digit runs (by weight) and digit runs
/// (numerically, leading zeros ignored, any length).
fn compare_part(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    let digit_at = |s: &[u8], k: usize| s.get(k).is_some_and(u8::is_ascii_digit);
    while i < a.len() || j < b.len() {
        while (i < a.len() && !digit_at(a, i)) || (j < b.len() && !digit_at(b, j)) {
            let (wa, wb) = (weight(a.get(i).copied()), weight(b.get(j).copied()));
            if wa != wb {
                return wa.cmp(&wb);
            }
            i += 1;
            j += 1;
        }
        while a.get(i) == Some(&b'0') {
            i += 1;
        }
        while b.get(j) == Some(&b'0') {
            j += 1;
        }
        let mut first_difference = Ordering::Equal;
        while digit_at(a, i) && digit_at(b, j) {
            if first_difference == Ordering::Equal {
                first_difference = a[i].cmp(&b[j]);
            }
            i += 1;
            j += 1;
        }
        // A longer digit run is a larger number.
        if digit_at(a, i) {
            return Ordering::Greater;
        }
        if digit_at(b, j) {
            return Ordering::Less;
        }
        if first_difference != Ordering::Equal {
            return first_difference;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        compare(a, b).unwrap_or_else(|| panic!("{a} or {b} did not parse"))
    }

    #[test]
    fn tilde_sorts_before_the_release_it_precedes() {
        assert_eq!(cmp("1.0~rc1", "1.0"), Ordering::Less);
        assert_eq!(cmp("1.0~~", "1.0~"), Ordering::Less);
        assert_eq!(cmp("1.0~rc1", "1.0~rc2"), Ordering::Less);
        assert_eq!(cmp("3.0.15-1~deb12u1", "3.0.15-1"), Ordering::Less);
    }

    #[test]
    fn epoch_outweighs_everything_else() {
        assert_eq!(cmp("1:0.9", "2.0"), Ordering::Greater);
        assert_eq!(cmp("2:1.0", "1:9.9"), Ordering::Greater);
        assert_eq!(cmp("0:1.0", "1.0"), Ordering::Equal);
    }

    #[test]
    fn revisions_compare_after_upstream_and_numerically() {
        assert_eq!(cmp("1.0-1", "1.0-2"), Ordering::Less);
        assert_eq!(cmp("2.36-9+deb12u4", "2.36-9+deb12u10"), Ordering::Less);
        assert_eq!(cmp("1.1-1", "1.0-9"), Ordering::Greater);
        assert_eq!(cmp("1.0", "1.0-0"), Ordering::Equal);
    }

    #[test]
    fn security_rebuild_is_newer_than_the_point_release() {
        assert_eq!(
            cmp("3.0.15-1~deb12u1", "3.0.14-1~deb12u2"),
            Ordering::Greater
        );
        assert_eq!(cmp("1.2.3-1+deb12u1", "1.2.3-1"), Ordering::Greater);
    }

    #[test]
    fn letters_sort_before_symbols_and_after_the_end() {
        assert_eq!(cmp("1.0", "1.0a"), Ordering::Less);
        assert_eq!(cmp("1.0a", "1.0b"), Ordering::Less);
        assert_eq!(cmp("1.0z", "1.0+"), Ordering::Less);
        assert_eq!(cmp("1.0+b1", "1.0"), Ordering::Greater);
    }

    #[test]
    fn digit_runs_ignore_leading_zeros_and_any_length() {
        assert_eq!(cmp("1.01", "1.1"), Ordering::Equal);
        assert_eq!(cmp("1.10", "1.9"), Ordering::Greater);
        assert_eq!(
            cmp("1.20240101000000000000001", "1.20240101000000000000000"),
            Ordering::Greater
        );
    }

    #[test]
    fn hyphens_in_upstream_belong_to_upstream_when_a_revision_follows() {
        assert_eq!(cmp("1.0-beta-1", "1.0-beta-2"), Ordering::Less);
        assert_eq!(cmp("1.0-rc-1", "1.0-1"), Ordering::Greater);
    }

    #[test]
    fn garbage_is_not_a_version() {
        assert!(DebVersion::parse("").is_none());
        assert!(DebVersion::parse("x:1.0").is_none());
        assert!(DebVersion::parse("abc").is_none());
        assert!(DebVersion::parse("1.0 2").is_none());
        assert!(DebVersion::parse("1.0_1").is_none());
    }
}
