//! `git ls-remote --tags` output: version tags of the bot's repository.
//! Tags name versions only; they carry no archive or checksum.

use crate::catalog::{Catalog, Origin, Release, parse_version};

/// Parses `<object>\trefs/tags/<name>` lines; a peeled `<name>^{}` line is
/// the same tag (annotated tags appear twice).
pub fn parse(stdout: &str) -> Catalog {
    let mut catalog = Catalog::new(Origin::Git);
    let mut seen: Vec<&str> = Vec::new();
    for line in stdout.lines() {
        let Some((_, reference)) = line.split_once('\t') else {
            continue;
        };
        let Some(tag) = reference.strip_prefix("refs/tags/") else {
            continue;
        };
        let tag = tag.strip_suffix("^{}").unwrap_or(tag);
        if seen.contains(&tag) {
            continue;
        }
        seen.push(tag);
        match parse_version(tag) {
            Some(version) => catalog.add(Release::new(version)),
            None => catalog.skipped.push(tag.to_string()),
        }
    }
    catalog
}

#[cfg(test)]
mod tests {
    use super::*;
    use semver::Version;

    #[test]
    fn ls_remote_tags_and_peeled_lines_give_each_version_once() {
        let out = "\
1111111111111111111111111111111111111111\trefs/tags/v1.0.0
2222222222222222222222222222222222222222\trefs/tags/v1.1.0
3333333333333333333333333333333333333333\trefs/tags/v1.1.0^{}
4444444444444444444444444444444444444444\trefs/tags/deploy-2024
5555555555555555555555555555555555555555\trefs/heads/main
";
        let catalog = parse(out);
        let versions: Vec<Version> = catalog.releases.iter().map(|r| r.version.clone()).collect();
        assert_eq!(versions, vec![Version::new(1, 0, 0), Version::new(1, 1, 0)]);
        assert_eq!(catalog.skipped, vec!["deploy-2024".to_string()]);
        assert!(catalog.problems.is_empty());
        assert!(catalog.releases.iter().all(|r| r.archive.is_none()));
    }
}
