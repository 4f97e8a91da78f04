//! `release`: keeps the bot itself current. It reads the running version from
//! `releases/current` (or the VERSION file), learns what is published from a
//! release manifest, GitHub releases or git tags, and plans a download into
//! `releases/<version>/` plus an atomic switch of `current`. It never
//! downloads, checks or unpacks archives itself: the host does, from the plan.

mod catalog;
mod installed;
mod offer;
mod plan;
mod settings;
mod source;
mod surface;

use steward_sdk::{
    Context, Error, ErrorCode, Info, Plan, Provider, Report, Settings, Update, UpdateKind, http,
};

use catalog::{Archive, Catalog, Published, parse_version, sha256_from_sums};
use installed::Captured;
use offer::{Rules, UPDATE_ID};
use plan::ResolvedArchive;
use settings::{ReleaseSettings, Source};

struct Release;

impl Provider for Release {
    fn describe(settings: Settings) -> Info {
        info_for(&settings)
    }

    fn check(ctx: Context) -> Result<Report, Error> {
        let settings = ReleaseSettings::from_context(&ctx)?;
        let current = installed::current_version(&settings)?;
        let catalog = fetch_catalog(&settings.source)?;
        let rules = Rules {
            include_prereleases: settings.include_prereleases,
            size_limit: settings.size_limit,
        };
        let mut report = offer::offer(&current, &catalog, &rules);
        command_surface(&settings, &current, &catalog, &mut report);
        Ok(report)
    }

    fn capture(ctx: Context) -> Result<Vec<u8>, Error> {
        let settings = ReleaseSettings::from_context(&ctx)?;
        Ok(Captured::read(&settings)?.to_bytes())
    }

    fn plan(ctx: Context, updates: Vec<Update>) -> Result<Plan, Error> {
        let settings = ReleaseSettings::from_context(&ctx)?;
        let Some(update) = updates.iter().find(|u| u.id == UPDATE_ID) else {
            return Ok(Plan {
                steps: Vec::new(),
                restart: false,
            });
        };
        let version = parse_version(&update.latest).ok_or_else(|| {
            Error::invalid_data(format!(
                "asked to install \"{}\", which is not a semantic version",
                update.latest
            ))
        })?;
        let running = Captured::read(&settings)?
            .link_target
            .map(|t| installed::last_component(&t).to_string());
        if running.as_deref() == Some(version.to_string().as_str()) {
            return Ok(Plan {
                steps: Vec::new(),
                restart: false,
            });
        }
        // The catalog is read again: `check` may be old, and the plan must
        // carry exactly what the source publishes now.
        let catalog = fetch_catalog(&settings.source)?;
        let release = catalog.find(&version).ok_or_else(|| {
            Error::not_found(format!(
                "{} no longer lists version {version}",
                catalog.origin.describe()
            ))
        })?;
        if let Some(reason) = offer::install_blocker(release, catalog.origin, settings.size_limit) {
            return Err(Error::new(ErrorCode::Unsupported, reason));
        }
        let archive = release
            .archive
            .as_ref()
            .expect("install_blocker refuses releases without an archive");
        let resolved = resolve(archive)?;
        let files = release.files.as_ref().and_then(fetch_file_list);
        let existing = installed::release_dirs(&settings)?;
        Ok(plan::install_plan(
            &settings,
            &version,
            resolved,
            files,
            &existing,
            running.as_deref(),
        ))
    }

    fn verify(ctx: Context, updates: Vec<Update>) -> Result<(), Error> {
        let settings = ReleaseSettings::from_context(&ctx)?;
        match updates.iter().find(|u| u.id == UPDATE_ID) {
            Some(update) => installed::confirm(&settings, &update.latest),
            None => Ok(()),
        }
    }

    fn restore_plan(ctx: Context, state: Vec<u8>) -> Result<Plan, Error> {
        let settings = ReleaseSettings::from_context(&ctx)?;
        let captured = Captured::from_bytes(&state)?;
        let exists = captured
            .link_target
            .as_deref()
            .is_some_and(|t| installed::link_target_exists(&settings, t));
        let now = Captured::read(&settings)?.link_target;
        plan::restore_plan(&settings, &captured, exists, now.as_deref())
    }
}

steward_sdk::export_provider!(Release);

/// What the provider wants, given its settings: the bot root, the source's
/// host, and `git` where the settings call for it. Old releases are removed
/// with plan steps, under the operator's write grant.
fn info_for(settings: &Settings) -> Info {
    let mut info = Info::new(
        "release",
        env!("CARGO_PKG_VERSION"),
        "The bot's own releases: manifest, GitHub releases or git tags",
        &[UpdateKind::Bot],
    )
    .read("{bot}");
    for name in ["version_file", "releases_dir"] {
        if let Some(path) = steward_sdk::setting(settings, name).filter(|p| p.starts_with('/')) {
            let dir = if name == "version_file" {
                path.rsplit_once('/')
                    .map_or("/", |(d, _)| if d.is_empty() { "/" } else { d })
            } else {
                path
            };
            info = info.read(dir);
        }
    }
    match settings::source_from(settings) {
        Ok(Source::Manifest { url }) => {
            if let Some(host) = settings::url_host(&url) {
                info = info.http(&host);
            }
        }
        Ok(Source::Github { api_url }) => {
            if let Some(host) = settings::url_host(&api_url) {
                // Assets of github.com releases are served from github.com
                // (GitHub Enterprise serves them from its own host).
                if host == "api.github.com" {
                    info = info.http("github.com");
                }
                info = info.http(&host);
            }
        }
        Ok(Source::Git { program, .. }) => {
            info = info.program(&program, &[&["ls-remote", "--tags", "*"]]);
        }
        // Broken settings want nothing more; `check` reports what is wrong.
        Err(_) => {}
    }
    info
}

/// Adds to the offered release's details what it changes in the bot's
/// slash commands, when it publishes a `commands.json` (`commands_url`)
/// and the running release ships one. What cannot be compared is a
/// warning: the update stays offered.
fn command_surface(
    settings: &ReleaseSettings,
    current: &semver::Version,
    catalog: &Catalog,
    report: &mut Report,
) {
    let Some(update) = report.updates.iter_mut().find(|u| u.id == UPDATE_ID) else {
        return;
    };
    let Some(url) = parse_version(&update.latest)
        .and_then(|v| catalog.find(&v))
        .and_then(|r| r.commands_url.clone())
    else {
        return;
    };
    let running = format!("{}/commands.json", settings.current_link());
    let old = match std::fs::read(&running) {
        Ok(body) => surface::parse(&body, &running),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(format!(
            "release {current} ships no commands.json ({running}), so the command changes of {} cannot be shown",
            update.latest
        )),
        Err(e) => Err(format!("cannot read {running}: {e}")),
    };
    let new = get(&url, None)
        .map_err(|e| e.message)
        .and_then(|body| surface::parse(&body, &url));
    match (old, new) {
        (Ok(old), Ok(new)) => update.details.extend(
            surface::diff(&old, &new)
                .into_iter()
                .map(steward_sdk::Detail::Key),
        ),
        (Err(e), _) | (_, Err(e)) => report.warnings.push(e),
    }
}

/// Reads the configured source through the host.
fn fetch_catalog(source: &Source) -> Result<Catalog, Error> {
    match source {
        Source::Manifest { url } => source::manifest::parse(&get(url, None)?, url),
        Source::Github { api_url } => {
            let url = if api_url.contains('?') {
                api_url.clone()
            } else {
                format!("{api_url}?per_page=100")
            };
            source::github::parse(&get(&url, Some("application/vnd.github+json"))?, api_url)
        }
        Source::Git { url, program } => {
            let out = steward_sdk::exec(program, &["ls-remote", "--tags", url])?;
            if out.status != 0 {
                return Err(Error::network(format!(
                    "git ls-remote --tags {url} failed (exit {}): {}",
                    out.status,
                    String::from_utf8_lossy(&out.stderr).trim()
                )));
            }
            Ok(source::git::parse(&String::from_utf8_lossy(&out.stdout)))
        }
    }
}

/// Fetches a release's per-file manifest so the plan can pin its sha256.
/// One that cannot be fetched means the full archive (logged), never a
/// failed install: the delta only saves bytes.
fn fetch_file_list(files: &catalog::FileList) -> Option<plan::FetchedFileList> {
    use sha2::Digest;
    match get(&files.url, None) {
        Ok(body) => Some(plan::FetchedFileList {
            url: files.url.clone(),
            sha256: sha2::Sha256::digest(&body)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
            signature: files.signature.clone(),
        }),
        Err(e) => {
            steward_sdk::log::warn(&format!(
                "the per-file manifest is not available ({}), so the full archive is downloaded",
                e.message
            ));
            None
        }
    }
}

/// Fetches what the source publishes beside an archive (checksum list,
/// signature file), both at once.
fn resolve(archive: &Archive) -> Result<ResolvedArchive, Error> {
    let mut requests = Vec::new();
    for published in [&archive.sha256, &archive.signature].into_iter().flatten() {
        if let Published::At { url } = published {
            requests.push(request(url, None));
        }
    }
    let mut answers = http::send_all(&requests).into_iter();
    let mut next_text = |url: &str| -> Result<String, Error> {
        let response = answers.next().unwrap_or_else(|| {
            Err(Error::network(
                "the host answered fewer responses than asked",
            ))
        })?;
        ok_body(url, response.status, response.body)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    };
    let sha256 = match &archive.sha256 {
        Some(Published::Inline(hex)) => hex.clone(),
        Some(Published::At { url }) => sha256_from_sums(&next_text(url)?, archive.name.as_deref())
            .ok_or_else(|| {
                Error::invalid_data(format!(
                    "{url} holds no sha256 for {}",
                    archive.name.as_deref().unwrap_or(&archive.url)
                ))
            })?,
        None => unreachable!("install_blocker refuses archives without a sha256"),
    };
    let signature = match &archive.signature {
        Some(Published::Inline(text)) => Some(text.clone()),
        Some(Published::At { url }) => Some(next_text(url)?),
        None => None,
    };
    Ok(ResolvedArchive {
        url: archive.url.clone(),
        sha256,
        signature,
    })
}

fn request(url: &str, accept: Option<&str>) -> steward_sdk::HttpRequest {
    let mut req = http::get(url);
    // GitHub refuses API requests without a User-Agent.
    req.headers.push((
        "user-agent".to_string(),
        format!("steward-release/{}", env!("CARGO_PKG_VERSION")),
    ));
    if let Some(accept) = accept {
        req.headers.push(("accept".to_string(), accept.to_string()));
    }
    req
}

fn get(url: &str, accept: Option<&str>) -> Result<Vec<u8>, Error> {
    let response = http::send(request(url, accept))?;
    ok_body(url, response.status, response.body)
}

fn ok_body(url: &str, status: u16, body: Vec<u8>) -> Result<Vec<u8>, Error> {
    match status {
        200..=299 => Ok(body),
        404 => Err(Error::not_found(format!("{url} answered 404 Not Found"))),
        _ => Err(Error::network(format!(
            "{url} answered HTTP {status}: {}",
            String::from_utf8_lossy(&body[..body.len().min(200)]).trim()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> Settings {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn describe_wants_the_bot_root_and_the_manifest_host() {
        let info = info_for(&settings(&[(
            "manifest_url",
            "http://127.0.0.1:8123/manifest.json",
        )]));
        assert_eq!(info.kinds, vec![UpdateKind::Bot]);
        assert_eq!(info.wants.read, vec!["{bot}"]);
        assert_eq!(info.wants.http, vec!["127.0.0.1:8123"]);
        // Pruning is a `remove` step now, not a granted `rm -rf`.
        assert!(info.wants.programs.is_empty());
    }

    #[test]
    fn describe_wants_git_ls_remote_for_a_git_source() {
        let info = info_for(&settings(&[
            ("source", "git"),
            ("git_url", "https://git.example/bot.git"),
            ("git", "/opt/git/bin/git"),
            ("keep_releases", "0"),
        ]));
        assert!(info.wants.http.is_empty());
        assert_eq!(info.wants.programs.len(), 1);
        assert_eq!(info.wants.programs[0].path, "/opt/git/bin/git");
        assert_eq!(
            info.wants.programs[0].args,
            vec![vec!["ls-remote", "--tags", "*"]]
        );
    }

    #[test]
    fn describe_wants_the_api_host_and_github_com_for_github_releases() {
        let info = info_for(&settings(&[
            ("source", "github"),
            (
                "github_api_url",
                "https://api.github.com/repos/acme/bot/releases",
            ),
        ]));
        assert_eq!(info.wants.http, vec!["github.com", "api.github.com"]);
    }
}
