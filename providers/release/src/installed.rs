//! What is on disk now: the `current` link, the VERSION file, the unpacked
//! release directories. Read-only, through the read grant of the bot root.

use std::io::ErrorKind;

use semver::Version;
use serde::{Deserialize, Serialize};
use steward_sdk::{Error, ErrorCode};

use crate::catalog::parse_version;
use crate::settings::ReleaseSettings;

/// What `capture` records: enough to point `current` back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Captured {
    /// The `current` link's text exactly as it was (relative or absolute).
    pub link_target: Option<String>,
    /// The VERSION file's trimmed contents.
    pub version: Option<String>,
}

impl Captured {
    pub fn read(settings: &ReleaseSettings) -> Result<Self, Error> {
        Ok(Captured {
            link_target: read_link(&settings.current_link())?,
            version: read_trimmed(&settings.version_file)?,
        })
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a struct of strings always serializes")
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        serde_json::from_slice(bytes).map_err(|e| {
            Error::invalid_data(format!("the captured release state is unreadable: {e}"))
        })
    }
}

/// The version the bot runs: the `current` link's target name, else the
/// VERSION file.
pub fn current_version(settings: &ReleaseSettings) -> Result<Version, Error> {
    let link = settings.current_link();
    if let Some(target) = read_link(&link)? {
        let name = last_component(&target);
        return parse_version(name).ok_or_else(|| {
            Error::invalid_data(format!(
                "{link} points at \"{target}\", whose name is not a semantic version"
            ))
        });
    }
    match read_trimmed(&settings.version_file)? {
        Some(text) => parse_version(&text).ok_or_else(|| {
            Error::invalid_data(format!(
                "{} holds \"{text}\", which is not a semantic version",
                settings.version_file
            ))
        }),
        None => Err(Error::not_found(format!(
            "cannot tell the bot's version: neither {link} nor {} exists",
            settings.version_file
        ))),
    }
}

/// Names of the real directories in the releases directory (links skipped).
pub fn release_dirs(settings: &ReleaseSettings) -> Result<Vec<String>, Error> {
    let entries = match std::fs::read_dir(&settings.releases_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_error(&settings.releases_dir, e)),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| io_error(&settings.releases_dir, e))?;
        let is_dir = entry
            .file_type()
            .map_err(|e| io_error(&settings.releases_dir, e))?
            .is_dir();
        if let (true, Some(name)) = (is_dir, entry.file_name().to_str()) {
            names.push(name.to_string());
        }
    }
    names.sort();
    Ok(names)
}

/// Confirms `current` points at release `version` and that the VERSION file
/// inside it, if there is one, says the same.
pub fn confirm(settings: &ReleaseSettings, version: &str) -> Result<(), Error> {
    let link = settings.current_link();
    let target = read_link(&link)?.ok_or_else(|| {
        Error::not_found(format!(
            "{link} does not exist after switching to {version}"
        ))
    })?;
    if last_component(&target) != version {
        return Err(Error::new(
            ErrorCode::Conflict,
            format!("{link} points at \"{target}\", not at release {version}"),
        ));
    }
    let inside = format!(
        "{}/{}",
        settings.release_dir(version),
        settings.version_file_name
    );
    if let Some(text) = read_trimmed(&inside)? {
        let wanted = parse_version(version);
        if wanted.is_none() || parse_version(&text) != wanted {
            return Err(Error::new(
                ErrorCode::Conflict,
                format!("{inside} says \"{text}\", but the release installed is {version}"),
            ));
        }
    }
    Ok(())
}

/// Whether the release directory a link text names exists.
pub fn link_target_exists(settings: &ReleaseSettings, target: &str) -> bool {
    let path = if target.starts_with('/') {
        target.to_string()
    } else {
        format!("{}/{target}", settings.releases_dir)
    };
    std::path::Path::new(&path).is_dir()
}

pub fn last_component(path: &str) -> &str {
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path)
}

fn read_link(path: &str) -> Result<Option<String>, Error> {
    match std::fs::read_link(path) {
        Ok(target) => Ok(Some(target.to_string_lossy().into_owned())),
        // A plain file or directory named `current` is not a release link.
        Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::InvalidInput) => Ok(None),
        Err(e) => Err(io_error(path, e)),
    }
}

fn read_trimmed(path: &str) -> Result<Option<String>, Error> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text.trim().to_string())),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_error(path, e)),
    }
}

fn io_error(path: &str, e: std::io::Error) -> Error {
    let code = match e.kind() {
        ErrorKind::PermissionDenied => ErrorCode::Denied,
        ErrorKind::NotFound => ErrorCode::NotFound,
        _ => ErrorCode::Other,
    };
    Error::new(code, format!("cannot read {path}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;
    use steward_sdk::Context;

    fn settings(root: &std::path::Path) -> ReleaseSettings {
        ReleaseSettings::from_context(&Context {
            bot_root: root.to_str().unwrap().to_string(),
            settings: vec![("manifest_url".to_string(), "https://x/m.json".to_string())],
            include_security: true,
        })
        .unwrap()
    }

    #[test]
    fn current_link_wins_over_the_version_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("releases/1.4.0")).unwrap();
        symlink("1.4.0", dir.path().join("releases/current")).unwrap();
        std::fs::write(dir.path().join("VERSION"), "1.0.0\n").unwrap();
        assert_eq!(
            current_version(&settings(dir.path())).unwrap(),
            Version::new(1, 4, 0)
        );
    }

    #[test]
    fn version_file_is_read_when_there_is_no_current_link() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("VERSION"), "v1.2.3\n").unwrap();
        assert_eq!(
            current_version(&settings(dir.path())).unwrap(),
            Version::new(1, 2, 3)
        );
    }

    #[test]
    fn missing_version_is_not_found_naming_both_places() {
        let dir = tempfile::tempdir().unwrap();
        let err = current_version(&settings(dir.path())).unwrap_err();
        assert_eq!(err.code, ErrorCode::NotFound);
        assert!(err.message.contains("releases/current") && err.message.contains("VERSION"));
    }

    #[test]
    fn garbage_in_the_version_file_is_invalid_data() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("VERSION"), "banana").unwrap();
        let err = current_version(&settings(dir.path())).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidData);
        assert!(err.message.contains("\"banana\""));
    }

    #[test]
    fn verify_accepts_the_switched_release_and_refuses_a_mismatched_version_file() {
        let dir = tempfile::tempdir().unwrap();
        let s = settings(dir.path());
        std::fs::create_dir_all(dir.path().join("releases/1.5.0")).unwrap();
        symlink(s.release_dir("1.5.0"), s.current_link()).unwrap();
        assert!(confirm(&s, "1.5.0").is_ok());
        std::fs::write(dir.path().join("releases/1.5.0/VERSION"), "1.5.0\n").unwrap();
        assert!(confirm(&s, "1.5.0").is_ok());
        std::fs::write(dir.path().join("releases/1.5.0/VERSION"), "1.4.0\n").unwrap();
        let err = confirm(&s, "1.5.0").unwrap_err();
        assert_eq!(err.code, ErrorCode::Conflict);
        assert!(err.message.contains("says \"1.4.0\""), "{}", err.message);
    }

    #[test]
    fn verify_refuses_a_link_to_another_release() {
        let dir = tempfile::tempdir().unwrap();
        let s = settings(dir.path());
        std::fs::create_dir_all(dir.path().join("releases/1.4.0")).unwrap();
        symlink("1.4.0", s.current_link()).unwrap();
        let err = confirm(&s, "1.5.0").unwrap_err();
        assert!(
            err.message.contains("not at release 1.5.0"),
            "{}",
            err.message
        );
    }

    #[test]
    fn capture_records_the_link_text_and_version_file() {
        let dir = tempfile::tempdir().unwrap();
        let s = settings(dir.path());
        std::fs::create_dir_all(dir.path().join("releases/1.4.0")).unwrap();
        symlink("1.4.0", s.current_link()).unwrap();
        std::fs::write(&s.version_file, "1.4.0\n").unwrap();
        let captured = Captured::read(&s).unwrap();
        assert_eq!(captured.link_target.as_deref(), Some("1.4.0"));
        assert_eq!(captured.version.as_deref(), Some("1.4.0"));
        assert_eq!(
            Captured::from_bytes(&captured.to_bytes()).unwrap(),
            captured
        );
    }

    #[test]
    fn release_dirs_lists_directories_but_not_the_current_link() {
        let dir = tempfile::tempdir().unwrap();
        let s = settings(dir.path());
        for v in ["1.3.0", "1.4.0"] {
            std::fs::create_dir_all(dir.path().join("releases").join(v)).unwrap();
        }
        std::fs::write(dir.path().join("releases/notes.txt"), "x").unwrap();
        symlink("1.4.0", s.current_link()).unwrap();
        assert_eq!(release_dirs(&s).unwrap(), vec!["1.3.0", "1.4.0"]);
    }
}
