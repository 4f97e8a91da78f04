//! The GitHub releases API format (`GET /repos/OWNER/REPO/releases`): tags,
//! notes, assets. It picks the archive asset and where its sha256 and
//! minisign signature are published; it never downloads them.

use serde::Deserialize;
use steward_sdk::Error;

use crate::catalog::{Archive, Catalog, Origin, Published, Release, parse_sha256, parse_version};

#[derive(Deserialize)]
struct GithubRelease {
    tag_name: String,
    body: Option<String>,
    published_at: Option<String>,
    #[serde(default)]
    prerelease: bool,
    #[serde(default)]
    draft: bool,
    #[serde(default)]
    assets: Vec<Asset>,
}

#[derive(Deserialize)]
struct Asset {
    name: String,
    browser_download_url: String,
    size: Option<u64>,
    /// `sha256:HEX`, published by GitHub for assets uploaded since mid-2025.
    digest: Option<String>,
}

/// Archive formats the host unpacks.
const ARCHIVE_SUFFIXES: [&str; 2] = [".tar.gz", ".tgz"];
/// Checksum lists published next to the archives.
const SUMS_NAMES: [&str; 3] = ["sha256sums", "sha256sums.txt", "checksums.txt"];

/// Parses the releases list fetched from `url` (named in errors).
pub fn parse(body: &[u8], url: &str) -> Result<Catalog, Error> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        Error::invalid_data(format!(
            "the GitHub releases at {url} are not valid JSON: {e}"
        ))
    })?;
    if let Some(message) = value.get("message").and_then(|m| m.as_str()) {
        return Err(Error::invalid_data(format!(
            "GitHub answered {url} with \"{message}\" instead of a releases list"
        )));
    }
    let releases: Vec<serde_json::Value> = serde_json::from_value(value)
        .map_err(|_| Error::invalid_data(format!("the GitHub releases at {url} are not a list")))?;
    let mut catalog = Catalog::new(Origin::Github);
    for raw in releases {
        let gh: GithubRelease = match serde_json::from_value(raw) {
            Ok(gh) => gh,
            Err(e) => {
                catalog
                    .problems
                    .push(format!("a GitHub release could not be read ({e}); skipped"));
                continue;
            }
        };
        // A draft is not published; it is nobody's release yet.
        if gh.draft {
            continue;
        }
        let Some(version) = parse_version(&gh.tag_name) else {
            catalog.skipped.push(gh.tag_name);
            continue;
        };
        let mut release = Release::new(version);
        release.archive = pick_archive(&gh.assets, gh.body.as_deref());
        release.changelog = gh.body.filter(|b| !b.trim().is_empty());
        release.released = gh.published_at;
        release.prerelease = gh.prerelease;
        catalog.add(release);
    }
    Ok(catalog)
}

fn pick_archive(assets: &[Asset], body: Option<&str>) -> Option<Archive> {
    // Prefer the first tarball; GitHub lists assets in upload order.
    let asset = assets.iter().find(|a| {
        let lower = a.name.to_ascii_lowercase();
        ARCHIVE_SUFFIXES.iter().any(|s| lower.ends_with(s))
    })?;
    let companion = |suffix: &str| {
        let wanted = format!("{}{suffix}", asset.name);
        assets.iter().find(|a| a.name == wanted)
    };
    let sha256 = asset
        .digest
        .as_deref()
        .filter(|d| d.starts_with("sha256:"))
        .and_then(parse_sha256)
        .map(Published::Inline)
        .or_else(|| {
            companion(".sha256").map(|a| Published::At {
                url: a.browser_download_url.clone(),
            })
        })
        .or_else(|| {
            body.and_then(|b| sha256_in_notes(b, &asset.name))
                .map(Published::Inline)
        })
        .or_else(|| {
            assets
                .iter()
                .find(|a| SUMS_NAMES.contains(&a.name.to_ascii_lowercase().as_str()))
                .map(|a| Published::At {
                    url: a.browser_download_url.clone(),
                })
        });
    Some(Archive {
        url: asset.browser_download_url.clone(),
        name: Some(asset.name.clone()),
        sha256,
        size: asset.size,
        signature: companion(".minisig").map(|a| Published::At {
            url: a.browser_download_url.clone(),
        }),
    })
}

/// A `sha256: HEX` line in the release notes. With several, the one on a
/// line naming the archive wins; a single unnamed one counts for the archive.
fn sha256_in_notes(body: &str, asset: &str) -> Option<String> {
    let mut found = Vec::new();
    for line in body.lines() {
        let lower = line.to_ascii_lowercase();
        let Some(at) = lower.find("sha256:") else {
            continue;
        };
        let after = line[at + "sha256:".len()..].trim_start();
        let Some(hash) = after.get(..64).and_then(parse_sha256) else {
            continue;
        };
        if line.contains(asset) {
            return Some(hash);
        }
        found.push(hash);
    }
    (found.len() == 1).then(|| found.remove(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use semver::Version;

    const URL: &str = "https://api.github.com/repos/acme/bot/releases";

    fn asset(name: &str) -> serde_json::Value {
        serde_json::json!({
            "name": name,
            "browser_download_url": format!("https://github.com/acme/bot/releases/download/v1.5.0/{name}"),
            "size": 4096,
        })
    }

    fn release(tag: &str, body: &str, assets: Vec<serde_json::Value>) -> serde_json::Value {
        serde_json::json!({
            "tag_name": tag, "name": tag, "body": body,
            "published_at": "2024-06-01T12:00:00Z",
            "prerelease": false, "draft": false, "assets": assets,
        })
    }

    fn parse_list(list: Vec<serde_json::Value>) -> Catalog {
        parse(serde_json::to_vec(&list).unwrap().as_slice(), URL).unwrap()
    }

    #[test]
    fn github_release_uses_the_tarball_and_its_sha256_asset() {
        let catalog = parse_list(vec![release(
            "v1.5.0",
            "Adds /poll",
            vec![
                asset("bot-1.5.0.tar.gz"),
                asset("bot-1.5.0.tar.gz.sha256"),
                asset("bot-1.5.0.tar.gz.minisig"),
            ],
        )]);
        let r = &catalog.releases[0];
        assert_eq!(r.version, Version::new(1, 5, 0));
        assert_eq!(r.released.as_deref(), Some("2024-06-01T12:00:00Z"));
        assert_eq!(r.changelog.as_deref(), Some("Adds /poll"));
        let archive = r.archive.as_ref().unwrap();
        assert!(archive.url.ends_with("/bot-1.5.0.tar.gz"));
        assert_eq!(archive.size, Some(4096));
        assert!(
            matches!(&archive.sha256, Some(Published::At { url }) if url.ends_with(".tar.gz.sha256"))
        );
        assert!(
            matches!(&archive.signature, Some(Published::At { url }) if url.ends_with(".minisig"))
        );
    }

    #[test]
    fn github_release_takes_sha256_from_a_line_in_the_notes() {
        let hash = "c".repeat(64);
        let catalog = parse_list(vec![release(
            "v1.5.0",
            &format!("Fixes things.\n\nsha256: {hash}\n"),
            vec![asset("bot.tar.gz")],
        )]);
        let archive = catalog.releases[0].archive.as_ref().unwrap();
        assert_eq!(archive.sha256, Some(Published::Inline(hash)));
    }

    #[test]
    fn github_release_prefers_the_asset_digest() {
        let mut a = asset("bot.tar.gz");
        a["digest"] = serde_json::json!(format!("sha256:{}", "d".repeat(64)));
        let catalog = parse_list(vec![release("1.5.0", "", vec![a])]);
        let archive = catalog.releases[0].archive.as_ref().unwrap();
        assert_eq!(archive.sha256, Some(Published::Inline("d".repeat(64))));
    }

    #[test]
    fn github_release_without_any_sha256_has_an_archive_but_no_checksum() {
        let catalog = parse_list(vec![release("v1.5.0", "notes", vec![asset("bot.tar.gz")])]);
        let archive = catalog.releases[0].archive.as_ref().unwrap();
        assert_eq!(archive.sha256, None);
    }

    #[test]
    fn github_drafts_are_ignored_and_prereleases_flagged() {
        let mut draft = release("v2.0.0", "", vec![]);
        draft["draft"] = true.into();
        let mut pre = release("v1.6.0", "", vec![]);
        pre["prerelease"] = true.into();
        let catalog = parse_list(vec![draft, pre, release("nightly", "", vec![])]);
        assert_eq!(catalog.releases.len(), 1);
        assert!(catalog.releases[0].is_prerelease());
        assert_eq!(catalog.skipped, vec!["nightly".to_string()]);
    }

    #[test]
    fn github_error_object_is_reported_with_its_message() {
        let err = parse(br#"{"message":"Not Found","documentation_url":"x"}"#, URL).unwrap_err();
        assert!(err.message.contains("\"Not Found\""), "{}", err.message);
    }
}
