//! The release manifest format (documented in MANIFEST.md): parsing and
//! checking each entry. Unusable entries are reported, never guessed at.

use serde::Deserialize;
use serde_json::Value;
use steward_sdk::Error;

use crate::catalog::{
    Archive, Catalog, FileList, Origin, Published, Release, parse_sha256, parse_version,
};

#[derive(Deserialize)]
struct Entry {
    url: Option<String>,
    sha256: Option<String>,
    size: Option<u64>,
    changelog: Option<String>,
    released: Option<String>,
    #[serde(default)]
    security: bool,
    #[serde(default)]
    breaking: bool,
    signature: Option<String>,
    commands_url: Option<String>,
    files_url: Option<String>,
    files_signature: Option<String>,
}

/// Parses a manifest fetched from `url` (named in errors).
pub fn parse(body: &[u8], url: &str) -> Result<Catalog, Error> {
    let doc: Value = serde_json::from_slice(body).map_err(|e| {
        Error::invalid_data(format!(
            "the release manifest at {url} is not valid JSON: {e}"
        ))
    })?;
    let entries = doc.get("releases").and_then(Value::as_array).ok_or_else(|| {
        Error::invalid_data(format!(
            "the release manifest at {url} has no \"releases\" list (see MANIFEST.md for the format)"
        ))
    })?;
    let mut catalog = Catalog::new(Origin::Manifest);
    for (index, raw) in entries.iter().enumerate() {
        // A version that is not a string is as much garbage as "latest".
        let version_text = match raw.get("version") {
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => {
                catalog.problems.push(format!(
                    "release manifest entry {} has no \"version\"; skipped",
                    index + 1
                ));
                continue;
            }
        };
        let Some(version) = raw
            .get("version")
            .and_then(Value::as_str)
            .and_then(parse_version)
        else {
            catalog.skipped.push(version_text);
            continue;
        };
        let entry: Entry = match serde_json::from_value(raw.clone()) {
            Ok(entry) => entry,
            Err(e) => {
                catalog.problems.push(format!(
                    "release manifest entry for {version} is malformed ({e}); skipped"
                ));
                continue;
            }
        };
        let mut release = Release::new(version);
        release.changelog = entry.changelog.filter(|c| !c.trim().is_empty());
        release.released = entry.released;
        release.security = entry.security;
        release.breaking = entry.breaking;
        release.commands_url = entry.commands_url.filter(|u| !u.trim().is_empty());
        release.files = entry
            .files_url
            .filter(|u| !u.trim().is_empty())
            .map(|url| FileList {
                url,
                signature: entry.files_signature.filter(|s| !s.trim().is_empty()),
            });
        release.archive = entry.url.map(|url| {
            let sha256 = entry.sha256.as_deref().and_then(|raw| {
                let parsed = parse_sha256(raw);
                if parsed.is_none() {
                    catalog.problems.push(format!(
                        "release manifest entry for {} has a sha256 that is not 64 hex digits; it cannot be installed",
                        release.version
                    ));
                }
                parsed
            });
            Archive {
                name: url.rsplit('/').next().map(str::to_string),
                url,
                sha256: sha256.map(Published::Inline),
                size: entry.size,
                signature: entry
                    .signature
                    .filter(|s| !s.trim().is_empty())
                    .map(Published::Inline),
            }
        });
        catalog.add(release);
    }
    Ok(catalog)
}

#[cfg(test)]
mod tests {
    use super::*;
    use semver::Version;

    const URL: &str = "https://releases.example/bot/manifest.json";

    #[test]
    fn manifest_entries_carry_archive_checksum_and_flags() {
        let sha = "AB".repeat(32);
        let body = format!(
            r#"{{"releases":[{{"version":"1.5.0","url":"https://releases.example/bot-1.5.0.tar.gz",
            "sha256":"{sha}","size":1234,"changelog":"Adds /poll","released":"2024-05-01T10:00:00Z",
            "security":true,"breaking":false,"signature":"untrusted comment: x\nRWQ...\n"}}]}}"#
        );
        let catalog = parse(body.as_bytes(), URL).unwrap();
        assert_eq!(catalog.releases.len(), 1);
        let r = &catalog.releases[0];
        assert_eq!(r.version, Version::new(1, 5, 0));
        assert!(r.security);
        assert_eq!(r.changelog.as_deref(), Some("Adds /poll"));
        let archive = r.archive.as_ref().unwrap();
        assert_eq!(archive.sha256, Some(Published::Inline("ab".repeat(32))));
        assert_eq!(archive.size, Some(1234));
        assert_eq!(archive.name.as_deref(), Some("bot-1.5.0.tar.gz"));
        assert!(
            matches!(&archive.signature, Some(Published::Inline(s)) if s.starts_with("untrusted comment"))
        );
    }

    #[test]
    fn manifest_garbage_versions_are_skipped_and_named() {
        let body = br#"{"releases":[{"version":"latest"},{"version":"1.x"},{"version":2},{"version":"v1.2.0"}]}"#;
        let catalog = parse(body, URL).unwrap();
        assert_eq!(catalog.releases.len(), 1);
        assert_eq!(catalog.releases[0].version, Version::new(1, 2, 0));
        let warning = &catalog.warnings()[0];
        assert!(warning.contains("\"latest\""), "{warning}");
        assert!(warning.contains("\"1.x\""), "{warning}");
        assert!(warning.contains("\"2\""), "{warning}");
    }

    #[test]
    fn manifest_that_is_not_json_is_invalid_data_naming_the_url() {
        let err = parse(b"<html>502 Bad Gateway</html>", URL).unwrap_err();
        assert_eq!(err.code, steward_sdk::ErrorCode::InvalidData);
        assert!(err.message.contains("not valid JSON"), "{}", err.message);
        assert!(err.message.contains(URL), "{}", err.message);
    }

    #[test]
    fn manifest_without_releases_list_is_invalid_data() {
        let err = parse(br#"{"versions":[]}"#, URL).unwrap_err();
        assert_eq!(err.code, steward_sdk::ErrorCode::InvalidData);
        assert!(err.message.contains("\"releases\""), "{}", err.message);
    }

    #[test]
    fn manifest_entry_with_a_bad_checksum_is_kept_without_one_and_reported() {
        let body =
            br#"{"releases":[{"version":"1.0.0","url":"https://x/a.tar.gz","sha256":"123"}]}"#;
        let catalog = parse(body, URL).unwrap();
        assert_eq!(catalog.releases[0].archive.as_ref().unwrap().sha256, None);
        assert!(catalog.problems[0].contains("64 hex digits"));
    }

    #[test]
    fn manifest_entry_with_wrong_field_types_is_skipped_and_reported() {
        let body = br#"{"releases":[{"version":"1.0.0","size":"big"},{"version":"1.1.0"}]}"#;
        let catalog = parse(body, URL).unwrap();
        assert_eq!(catalog.releases.len(), 1);
        assert!(
            catalog.problems[0].contains("1.0.0"),
            "{:?}",
            catalog.problems
        );
    }
}
