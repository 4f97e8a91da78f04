//! `apt list` output (`--upgradable` and `-a`): package, suites, version,
//! architecture and flags per line. Parsing only; apt's banner lines are
//! skipped, anything else unexpected is handed back for a warning.

/// One line of `apt list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// As apt prints it: `pkg`, or `pkg:arch` for a foreign architecture.
    pub name: String,
    /// The archives (suites) offering this version, e.g. `stable-security`;
    /// `now` means only the installed copy.
    pub suites: Vec<String>,
    pub version: String,
    pub arch: String,
    /// `[upgradable from: X]`.
    pub upgradable_from: Option<String>,
}

impl Listed {
    /// Whether some archive (not just the installed copy) offers it.
    pub fn downloadable(&self) -> bool {
        self.suites.iter().any(|s| s != "now")
    }

    pub fn package(&self) -> &str {
        self.name.split(':').next().unwrap_or(&self.name)
    }
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Listing {
    pub entries: Vec<Listed>,
    /// Lines that were neither entries nor apt's banners.
    pub unparsed: Vec<String>,
}

pub fn parse(stdout: &str) -> Listing {
    let mut listing = Listing::default();
    for line in stdout.lines() {
        let line = line.trim();
        // apt's CLI warning goes to stderr, but a merged stream must not turn
        // it into a package.
        if line.is_empty() || line.starts_with("Listing...") || line.starts_with("WARNING:") {
            continue;
        }
        match parse_line(line) {
            Some(entry) => listing.entries.push(entry),
            None => listing.unparsed.push(line.to_string()),
        }
    }
    listing
}

fn parse_line(line: &str) -> Option<Listed> {
    let mut parts = line.splitn(4, ' ');
    let (name, suites) = parts.next()?.split_once('/')?;
    let version = parts.next()?;
    let arch = parts.next()?;
    let flags = parts.next().unwrap_or("");
    if name.is_empty() || version.is_empty() || arch.is_empty() {
        return None;
    }
    let upgradable_from = flags
        .split_once("upgradable from: ")
        .map(|(_, rest)| rest.trim_end_matches(']').trim().to_string());
    Some(Listed {
        name: name.to_string(),
        suites: suites.split(',').map(str::to_string).collect(),
        version: version.to_string(),
        arch: arch.to_string(),
        upgradable_from,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upgradable_lines_are_parsed_and_the_warning_banner_ignored() {
        let out = "\
WARNING: apt does not have a stable CLI interface. Use with caution in scripts.

Listing...
openssl/stable-security 3.0.15-1~deb12u1 amd64 [upgradable from: 3.0.14-1~deb12u2]
tzdata/stable-updates,stable-security 2024b-0+deb12u1 all [upgradable from: 2024a-0+deb12u1]
libc6:i386/stable 2.36-9+deb12u7 i386 [upgradable from: 2.36-9+deb12u4]
";
        let listing = parse(out);
        assert!(listing.unparsed.is_empty(), "{:?}", listing.unparsed);
        assert_eq!(listing.entries.len(), 3);
        let openssl = &listing.entries[0];
        assert_eq!(openssl.name, "openssl");
        assert_eq!(openssl.suites, vec!["stable-security"]);
        assert_eq!(openssl.version, "3.0.15-1~deb12u1");
        assert_eq!(openssl.arch, "amd64");
        assert_eq!(openssl.upgradable_from.as_deref(), Some("3.0.14-1~deb12u2"));
        assert_eq!(
            listing.entries[1].suites,
            vec!["stable-updates", "stable-security"]
        );
        assert_eq!(listing.entries[2].package(), "libc6");
        assert_eq!(listing.entries[2].name, "libc6:i386");
    }

    #[test]
    fn list_all_versions_marks_the_installed_only_copy_as_not_downloadable() {
        let out = "\
Listing... Done
openssl/stable-security,now 3.0.15-1~deb12u1 amd64 [installed]
openssl/stable 3.0.14-1~deb12u2 amd64
curl/now 7.88.1-10+deb12u5 amd64 [installed,local]
";
        let listing = parse(out);
        assert_eq!(listing.entries.len(), 3);
        assert!(listing.entries[0].downloadable());
        assert!(listing.entries[1].downloadable());
        assert_eq!(listing.entries[1].upgradable_from, None);
        assert!(!listing.entries[2].downloadable());
    }

    #[test]
    fn unexpected_lines_are_handed_back() {
        let listing = parse("E: Could not open lock file\n");
        assert!(listing.entries.is_empty());
        assert_eq!(listing.unparsed, vec!["E: Could not open lock file"]);
    }
}
