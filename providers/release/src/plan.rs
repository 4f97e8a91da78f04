//! Builds the steps the host runs: download and unpack a release, switch
//! `current`, remove old release directories; and the steps that switch back
//! and remove the release rolled back from.
//! It decides only; the host verifies checksums and signatures and unpacks.

use semver::Version;
use steward_sdk::{Action, Download, Error, ErrorCode, Plan, Remove, Step, SwitchRelease};

use crate::catalog::parse_version;
use crate::installed::{Captured, last_component};
use crate::settings::ReleaseSettings;

/// An archive whose checksum (and signature, if published) is known.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedArchive {
    pub url: String,
    pub sha256: String,
    pub signature: Option<String>,
}

/// A release's per-file manifest as the plan fetched it: the host fetches
/// it again and refuses it unless it has this sha256 (and, with a key, the
/// signature), so what it checks is what the plan saw.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchedFileList {
    pub url: String,
    pub sha256: String,
    pub signature: Option<String>,
}

/// Download `version`, point `current` at it, then prune. With `files`, the
/// download is a delta: the host fetches the per-file manifest and only the
/// files that differ from the running release, and falls back to the full
/// archive the manifest names when any of them does not match. `existing` names the
/// directories in the releases directory; `running` is the release `current`
/// points at now, which is always kept so rollback needs no download.
pub fn install_plan(
    settings: &ReleaseSettings,
    version: &Version,
    archive: ResolvedArchive,
    files: Option<FetchedFileList>,
    existing: &[String],
    running: Option<&str>,
) -> Plan {
    let name = version.to_string();
    let dir = settings.release_dir(&name);
    let signed = |signature: &Option<String>| {
        if signature.is_some() {
            ", signature attached"
        } else {
            ""
        }
    };
    let download = match files {
        Some(files) => Step {
            description: format!(
                "download bot {name} by its per-file manifest {} (sha256 {}{}): only the files that differ from the running release, the full archive {} if any does not match; into {dir}",
                files.url,
                files.sha256,
                signed(&files.signature),
                archive.url
            ),
            action: Action::Download(Download {
                url: files.url,
                sha256: files.sha256,
                size_limit: settings.size_limit,
                signature: files.signature,
                unpack_to: dir.clone(),
            }),
        },
        None => Step {
            description: format!(
                "download bot {name} from {} (sha256 {}{}) and unpack it into {dir}",
                archive.url,
                archive.sha256,
                signed(&archive.signature)
            ),
            action: Action::Download(Download {
                url: archive.url,
                sha256: archive.sha256,
                size_limit: settings.size_limit,
                signature: archive.signature,
                unpack_to: dir.clone(),
            }),
        },
    };
    let mut steps = vec![
        download,
        Step {
            description: format!("switch {} to release {name}", settings.current_link()),
            action: Action::SwitchRelease(SwitchRelease {
                link: settings.current_link(),
                target: dir,
            }),
        },
    ];
    for old in prune(existing, &name, running, settings.keep_releases) {
        let path = settings.release_dir(&old);
        steps.push(Step {
            description: format!(
                "remove old release {old} (keep_releases = {})",
                settings.keep_releases
            ),
            action: Action::Remove(Remove { path }),
        });
    }
    Plan {
        steps,
        restart: true,
    }
}

/// The release directories to remove so `keep` remain: the new release and
/// the running one always stay, then the newest others. Directories whose
/// names are not versions are never touched. `keep` 0 keeps everything.
pub fn prune(existing: &[String], target: &str, running: Option<&str>, keep: usize) -> Vec<String> {
    if keep == 0 {
        return Vec::new();
    }
    let mut kept = vec![target.to_string()];
    if let Some(running) = running.filter(|r| *r != target) {
        kept.push(running.to_string());
    }
    let mut others: Vec<(Version, &String)> = existing
        .iter()
        .filter(|name| !kept.contains(name))
        .filter_map(|name| parse_version(name).map(|v| (v, name)))
        .collect();
    others.sort_by(|a, b| b.0.cmp(&a.0));
    let room = keep.saturating_sub(kept.len());
    let mut removed: Vec<(Version, &String)> = others.into_iter().skip(room).collect();
    removed.sort_by(|a, b| a.0.cmp(&b.0));
    removed.into_iter().map(|(_, name)| name.clone()).collect()
}

/// Points `current` back at what `capture` recorded, then removes the
/// release it pointed at instead (`now`, the link's text today), so a
/// rolled-back download does not stay on disk. `target_exists` says whether
/// the captured release directory is still there.
pub fn restore_plan(
    settings: &ReleaseSettings,
    captured: &Captured,
    target_exists: bool,
    now: Option<&str>,
) -> Result<Plan, Error> {
    let link = settings.current_link();
    let Some(target) = &captured.link_target else {
        return Err(Error::new(
            ErrorCode::Unsupported,
            format!(
                "before the update there was no {link} link (the bot ran from {}{}); a plan cannot remove the link again, so restore the bot from the backup",
                settings.version_file,
                captured
                    .version
                    .as_deref()
                    .map(|v| format!(", version {v}"))
                    .unwrap_or_default()
            ),
        ));
    };
    if !target_exists {
        return Err(Error::not_found(format!(
            "the release {link} pointed at before the update (\"{target}\") is no longer on disk"
        )));
    }
    let mut steps = vec![Step {
        description: format!("switch {link} back to release {}", last_component(target)),
        action: Action::SwitchRelease(SwitchRelease {
            link,
            // The link text as it was, so a relative link stays relative.
            target: target.clone(),
        }),
    }];
    // Only a version directory of the releases directory, never the one
    // switched back to.
    let left = now
        .map(last_component)
        .filter(|name| *name != last_component(target) && parse_version(name).is_some());
    if let Some(name) = left {
        steps.push(Step {
            description: format!("remove release {name}, rolled back from"),
            action: Action::Remove(Remove {
                path: settings.release_dir(name),
            }),
        });
    }
    Ok(Plan {
        steps,
        restart: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use steward_sdk::Context;

    fn settings(extra: &[(&str, &str)]) -> ReleaseSettings {
        let mut all = vec![("manifest_url".to_string(), "https://x/m.json".to_string())];
        all.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        ReleaseSettings::from_context(&Context {
            bot_root: "/srv/bot".to_string(),
            settings: all,
            include_security: true,
        })
        .unwrap()
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn archive() -> ResolvedArchive {
        ResolvedArchive {
            url: "https://x/bot-1.5.0.tar.gz".to_string(),
            sha256: "a".repeat(64),
            signature: Some("untrusted comment: sig\nRWQ\n".to_string()),
        }
    }

    #[test]
    fn install_plan_downloads_then_switches_current_and_restarts() {
        let plan = install_plan(
            &settings(&[("size_limit_mb", "50")]),
            &Version::new(1, 5, 0),
            archive(),
            None,
            &names(&["1.4.0"]),
            Some("1.4.0"),
        );
        assert!(plan.restart);
        assert_eq!(plan.steps.len(), 2);
        match &plan.steps[0].action {
            Action::Download(d) => {
                assert_eq!(d.url, "https://x/bot-1.5.0.tar.gz");
                assert_eq!(d.sha256, "a".repeat(64));
                assert_eq!(d.size_limit, 50 * 1024 * 1024);
                assert!(
                    d.signature
                        .as_deref()
                        .unwrap()
                        .starts_with("untrusted comment")
                );
                assert_eq!(d.unpack_to, "/srv/bot/releases/1.5.0");
            }
            other => panic!("first step is {other:?}"),
        }
        match &plan.steps[1].action {
            Action::SwitchRelease(s) => {
                assert_eq!(s.link, "/srv/bot/releases/current");
                assert_eq!(s.target, "/srv/bot/releases/1.5.0");
            }
            other => panic!("second step is {other:?}"),
        }
    }

    #[test]
    fn install_plan_removes_releases_beyond_keep_releases_but_never_the_running_one() {
        let existing = names(&["1.0.0", "1.1.0", "1.2.0", "1.3.0", "0.9.0", "scratch"]);
        // Running 1.1.0 (rolled back earlier): it stays though newer ones exist.
        let plan = install_plan(
            &settings(&[]),
            &Version::new(1, 5, 0),
            archive(),
            None,
            &existing,
            Some("1.1.0"),
        );
        let removed: Vec<&str> = plan.steps[2..]
            .iter()
            .map(|s| match &s.action {
                Action::Remove(r) => r.path.as_str(),
                other => panic!("prune step is {other:?}"),
            })
            .collect();
        assert_eq!(
            removed,
            [
                "/srv/bot/releases/0.9.0",
                "/srv/bot/releases/1.0.0",
                "/srv/bot/releases/1.2.0"
            ]
        );
    }

    #[test]
    fn install_plan_with_a_file_list_downloads_the_signed_list_instead_of_the_archive() {
        let files = FetchedFileList {
            url: "https://x/bot-1.5.0.files.json".to_string(),
            sha256: "b".repeat(64),
            signature: Some("untrusted comment: files\nRWQ\n".to_string()),
        };
        let plan = install_plan(
            &settings(&[]),
            &Version::new(1, 5, 0),
            archive(),
            Some(files),
            &names(&["1.4.0"]),
            Some("1.4.0"),
        );
        match &plan.steps[0].action {
            Action::Download(d) => {
                assert_eq!(d.url, "https://x/bot-1.5.0.files.json");
                assert_eq!(d.sha256, "b".repeat(64));
                assert!(d.signature.as_deref().unwrap().contains("files"));
                assert_eq!(d.unpack_to, "/srv/bot/releases/1.5.0");
            }
            other => panic!("first step is {other:?}"),
        }
        let said = &plan.steps[0].description;
        assert!(
            said.contains("only the files that differ") && said.contains("bot-1.5.0.tar.gz"),
            "{said}"
        );
    }

    #[test]
    fn keep_releases_zero_removes_nothing() {
        let existing = names(&["1.0.0", "1.1.0", "1.2.0", "1.3.0"]);
        assert!(prune(&existing, "1.5.0", Some("1.3.0"), 0).is_empty());
    }

    #[test]
    fn restore_plan_switches_current_back_to_the_captured_link_text() {
        let captured = Captured {
            link_target: Some("1.4.0".to_string()),
            version: None,
        };
        let plan = restore_plan(&settings(&[]), &captured, true, Some("1.4.0")).unwrap();
        assert!(plan.restart);
        assert_eq!(plan.steps.len(), 1, "nothing to remove: {:?}", plan.steps);
        match &plan.steps[0].action {
            Action::SwitchRelease(s) => {
                assert_eq!(s.link, "/srv/bot/releases/current");
                assert_eq!(s.target, "1.4.0");
            }
            other => panic!("restore step is {other:?}"),
        }
    }

    #[test]
    fn restore_plan_removes_the_release_it_rolls_back_from_after_switching() {
        let captured = Captured {
            link_target: Some("1.4.0".to_string()),
            version: None,
        };
        let plan = restore_plan(
            &settings(&[]),
            &captured,
            true,
            Some("/srv/bot/releases/1.5.0"),
        )
        .unwrap();
        assert!(matches!(plan.steps[0].action, Action::SwitchRelease(_)));
        match &plan.steps[1].action {
            Action::Remove(r) => assert_eq!(r.path, "/srv/bot/releases/1.5.0"),
            other => panic!("second restore step is {other:?}"),
        }
        // A link to something that is not a release directory stays alone.
        let plan = restore_plan(&settings(&[]), &captured, true, Some("/opt/elsewhere")).unwrap();
        assert_eq!(plan.steps.len(), 1);
    }

    #[test]
    fn restore_plan_says_plainly_when_the_old_release_is_gone() {
        let captured = Captured {
            link_target: Some("1.4.0".to_string()),
            version: None,
        };
        let err = restore_plan(&settings(&[]), &captured, false, None).unwrap_err();
        assert_eq!(err.code, ErrorCode::NotFound);
        assert!(err.message.contains("no longer on disk"), "{}", err.message);
    }

    #[test]
    fn restore_plan_without_a_captured_link_points_at_the_backup() {
        let captured = Captured {
            link_target: None,
            version: Some("1.0.0".to_string()),
        };
        let err = restore_plan(&settings(&[]), &captured, false, None).unwrap_err();
        assert_eq!(err.code, ErrorCode::Unsupported);
        assert!(err.message.contains("backup"), "{}", err.message);
    }
}
