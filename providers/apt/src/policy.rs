//! The operator's allow and deny lists of package-name patterns, as
//! unattended-upgrades has them: `*` matches any run of characters, `?` one
//! character, everything else itself. Deny wins; an empty allow list allows all.

/// Which packages Steward may upgrade.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Policy {
    pub allow: Vec<String>,
    pub deny: Vec<String>,
}

impl Policy {
    /// Why `package` may not be upgraded, or `None` when it may. `package`
    /// may carry an `:arch` suffix; patterns match the bare name.
    pub fn refusal(&self, package: &str) -> Option<String> {
        let bare = package.split(':').next().unwrap_or(package);
        if let Some(pattern) = self.deny.iter().find(|p| glob_matches(p, bare)) {
            return Some(format!(
                "denied by the pattern \"{pattern}\" in the deny list"
            ));
        }
        if !self.allow.is_empty() && !self.allow.iter().any(|p| glob_matches(p, bare)) {
            return Some("matches no pattern in the allow list".to_string());
        }
        None
    }
}

/// Whether `name` matches `pattern` as a whole.
pub fn glob_matches(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    // Iterative matching with one backtrack point: linear for these patterns.
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ni));
                pi += 1;
            }
            Some(&c) if c == '?' || c == n[ni] => {
                pi += 1;
                ni += 1;
            }
            _ => match star {
                Some((sp, sn)) => {
                    pi = sp + 1;
                    ni = sn + 1;
                    star = Some((sp, sn + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(allow: &[&str], deny: &[&str]) -> Policy {
        Policy {
            allow: allow.iter().map(|s| s.to_string()).collect(),
            deny: deny.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn glob_patterns_match_whole_names() {
        assert!(glob_matches("lib*", "libssl3"));
        assert!(glob_matches("*ssl*", "libssl3"));
        assert!(glob_matches("python3.??", "python3.11"));
        assert!(!glob_matches("python3.??", "python3.1"));
        assert!(!glob_matches("ssl", "libssl3"));
        assert!(glob_matches(
            "linux-image-*-amd64",
            "linux-image-6.1.0-28-amd64"
        ));
        assert!(glob_matches("g++", "g++"));
    }

    #[test]
    fn empty_lists_allow_everything() {
        assert_eq!(policy(&[], &[]).refusal("openssl"), None);
    }

    #[test]
    fn deny_wins_over_allow() {
        let p = policy(&["*"], &["linux-image-*"]);
        assert_eq!(p.refusal("openssl"), None);
        let why = p.refusal("linux-image-6.1.0-28-amd64").unwrap();
        assert!(why.contains("\"linux-image-*\""), "{why}");
    }

    #[test]
    fn allow_list_refuses_packages_it_does_not_name() {
        let p = policy(&["openssl", "libssl*"], &[]);
        assert_eq!(p.refusal("libssl3"), None);
        assert_eq!(p.refusal("libssl3:i386"), None);
        assert!(p.refusal("nginx").unwrap().contains("allow list"));
    }
}
