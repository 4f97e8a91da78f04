//! A delta download: the release's per-file manifest (providers/release/
//! MANIFEST.md, "Delta downloads") arrived through the `download` step and
//! passed its sha256 and signature checks like an archive would. The new
//! release directory is built in a private staging directory from the
//! running release's files whose sha256 matches (checked while copying) and
//! the other files fetched one by one under the provider's grant (each
//! checked against its sha256 and size); any file that does not match, or
//! cannot be fetched, drops everything staged and falls back to the full
//! archive the signed manifest names. It never trusts a path: each is
//! checked before anything is written, and files are only ever created in
//! the staging directory it made.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::boundary::Placed;
use super::{ApplyContext, ApplyError, blocking, handle_error, name_of, temp_name};
use crate::fetch::{self, Method};
use steward_core::dir_handle::DirHandle;

/// The manifest's `format`.
pub const FORMAT: &str = "steward-release-files/1";

/// What a delta download did, for the session and the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeltaReport {
    /// Files in the release.
    pub files: usize,
    /// Fetched from the release server.
    pub fetched: usize,
    /// Copied from the running release (their sha256 matched).
    pub reused: usize,
    /// The full archive's size, as the signed manifest states it.
    pub archive_bytes: u64,
    /// Why the full archive was downloaded after all, when it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fell_back: Option<String>,
}

#[derive(Deserialize)]
struct FileList {
    format: String,
    archive: ArchiveRef,
    base_url: Option<String>,
    files: Vec<Entry>,
}

#[derive(Deserialize)]
struct ArchiveRef {
    url: String,
    sha256: String,
    size: u64,
}

#[derive(Deserialize)]
struct Entry {
    path: String,
    size: u64,
    sha256: String,
    /// Octal permission bits, e.g. "755"; "644" when absent.
    mode: Option<String>,
}

/// A checked entry.
struct Wanted {
    path: String,
    size: u64,
    sha256: String,
    mode: u32,
}

/// The per-file manifest, checked whole before anything is written.
pub struct Checked {
    archive_url: String,
    archive_sha256: String,
    archive_bytes: u64,
    base: reqwest::Url,
    files: Vec<Wanted>,
}

/// Whether the verified bytes are a per-file manifest rather than an
/// archive: a gzip stream starts with 1f 8b, the manifest with `{`.
pub fn is_file_list(head: &[u8]) -> bool {
    head.iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{')
}

/// Parses and checks the manifest fetched from `url`; `max_bytes` bounds
/// the release's total size, `max_entries` its files.
pub fn parse(
    body: &[u8],
    url: &reqwest::Url,
    max_bytes: u64,
    max_entries: u64,
) -> Result<Checked, ApplyError> {
    let bad = |message: String| ApplyError::Download {
        url: url.to_string(),
        message: format!("the per-file manifest is unusable: {message}"),
    };
    let list: FileList =
        serde_json::from_slice(body).map_err(|e| bad(format!("not the documented JSON: {e}")))?;
    if list.format != FORMAT {
        return Err(bad(format!(
            "its format is \"{}\", not \"{FORMAT}\"",
            list.format
        )));
    }
    let archive_sha256 = super::download::normalize_sha256(&list.archive.sha256)?;
    let base = match &list.base_url {
        Some(b) => url
            .join(b)
            .map_err(|e| bad(format!("base_url {b:?}: {e}")))?,
        None => url.clone(),
    };
    if list.files.len() as u64 > max_entries {
        return Err(bad(format!("it lists more than {max_entries} files")));
    }
    let mut seen = BTreeSet::new();
    let mut dirs = BTreeSet::new();
    let mut total = 0u64;
    let mut files = Vec::with_capacity(list.files.len());
    for entry in list.files {
        check_path(&entry.path).map_err(|why| bad(format!("path {:?} {why}", entry.path)))?;
        if !seen.insert(entry.path.clone()) {
            return Err(bad(format!("{:?} is listed twice", entry.path)));
        }
        let mut parent = Path::new(&entry.path).parent();
        while let Some(dir) = parent.filter(|d| !d.as_os_str().is_empty()) {
            dirs.insert(dir.to_string_lossy().into_owned());
            parent = dir.parent();
        }
        total = total.saturating_add(entry.size);
        let mode = match entry.mode.as_deref() {
            None => 0o644,
            Some(text) => u32::from_str_radix(text, 8)
                .ok()
                .filter(|m| *m <= 0o777)
                .ok_or_else(|| bad(format!("mode {text:?} of {:?} is not octal", entry.path)))?,
        };
        files.push(Wanted {
            sha256: super::download::normalize_sha256(&entry.sha256)?,
            path: entry.path,
            size: entry.size,
            mode,
        });
    }
    if let Some(both) = seen.intersection(&dirs).next() {
        return Err(bad(format!(
            "{both:?} is listed as a file and as a directory"
        )));
    }
    if total > max_bytes {
        return Err(bad(format!(
            "its files add up to {total} bytes, more than the {max_bytes} a release may unpack to"
        )));
    }
    Ok(Checked {
        archive_url: list.archive.url,
        archive_sha256,
        archive_bytes: list.archive.size,
        base,
        files,
    })
}

/// A relative path of plain names: no `..`, `.`, root, empty segment or
/// backslash, nothing but what a release directory may hold.
fn check_path(path: &str) -> Result<(), &'static str> {
    if path.is_empty() || path.starts_with('/') || path.ends_with('/') || path.contains("//") {
        return Err("is not a relative file path");
    }
    if path.contains('\\') || path.contains('\0') {
        return Err("holds a backslash or NUL");
    }
    if Path::new(path)
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
        || path.split('/').any(|s| s == "." || s == "..")
    {
        return Err("climbs out of the release or names `.`");
    }
    Ok(())
}

impl Checked {
    pub fn archive_url(&self) -> &str {
        &self.archive_url
    }
    pub fn archive_sha256(&self) -> &str {
        &self.archive_sha256
    }
    pub fn archive_bytes(&self) -> u64 {
        self.archive_bytes
    }
}

/// Where a file of the release is fetched from: the base URL's directory
/// and the path, each segment percent-encoded.
fn file_url(base: &reqwest::Url, path: &str) -> reqwest::Url {
    let mut url = base.clone();
    url.set_query(None);
    url.set_fragment(None);
    if let Ok(mut segments) = url.path_segments_mut() {
        // The base names a directory (`…/1.5.0/`) or the manifest itself.
        segments.pop();
        segments.extend(path.split('/'));
    }
    url
}

/// Builds the release into `dest` from `previous` (the running release)
/// and the release server. `Ok(Err(reason))` asks for the archive instead,
/// with nothing left behind; `Err` is a refusal (the grant, Steward's own
/// files) that the archive would meet too.
pub async fn build(
    ctx: &ApplyContext,
    list: &Checked,
    dest: &Placed,
    previous: Option<&Path>,
    limit: u64,
) -> Result<Result<(PathBuf, u64, DeltaReport), Fallback>, ApplyError> {
    let name = name_of(dest)?.to_string();
    let dir = DirHandle::open_creating(&dest.dir).map_err(handle_error(&dest.dir))?;
    let staging = temp_name(&dest.name, "staging");
    let staged_handle = dir
        .create_private_dir(&staging)
        .map_err(handle_error(&dest.dir))?;
    let staged = staged_handle.proc_path();
    let (report, fetched_bytes) = match fill(ctx, list, &staged, previous, limit).await {
        Ok(Ok(filled)) => filled,
        Ok(Err(reason)) => {
            let _ = dir.remove_tree(&staging);
            return Ok(Err(reason));
        }
        Err(e) => {
            let _ = dir.remove_tree(&staging);
            return Err(e);
        }
    };
    let target = dest.path();
    let placed = std::fs::set_permissions(&staged, std::fs::Permissions::from_mode(0o755))
        .map_err(ApplyError::io(&target))
        .and_then(|()| {
            dir.rename_to(&staging, &dir, &name, &mut Vec::new())
                .map_err(|e| match e.into_parts().1 {
                    e if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        ApplyError::DestinationExists {
                            path: target.clone(),
                        }
                    }
                    e => ApplyError::io(&target)(e),
                })
        });
    if let Err(e) = placed {
        let _ = dir.remove_tree(&staging);
        return Err(e);
    }
    dir.sync().map_err(handle_error(&dest.dir))?;
    Ok(Ok((target, fetched_bytes, report)))
}

/// Fills `staged`; `Ok(Err(reason))` when the archive must be used instead.
async fn fill(
    ctx: &ApplyContext,
    list: &Checked,
    staged: &Path,
    previous: Option<&Path>,
    limit: u64,
) -> Result<Result<(DeltaReport, u64), Fallback>, ApplyError> {
    let mut report = DeltaReport {
        files: list.files.len(),
        fetched: 0,
        reused: 0,
        archive_bytes: list.archive_bytes,
        fell_back: None,
    };
    let mut fetched_bytes = 0u64;
    let mut missing = Vec::new();
    // The running release's files first: no network for what is already here.
    for file in &list.files {
        let target = prepare(staged, &file.path)?;
        let reused = match previous {
            Some(prev) => {
                let (prev, target, want) = (prev.to_path_buf(), target.clone(), file_key(file));
                blocking(move || Ok(copy_if_same(&prev, &want, &target))).await?
            }
            None => false,
        };
        if reused {
            report.reused += 1;
        } else {
            missing.push((file, target));
        }
    }
    for (file, target) in missing {
        let url = file_url(&list.base, &file.path);
        let room = limit.saturating_sub(fetched_bytes);
        match fetch_file(ctx, &url, file, &target, room).await? {
            Ok(bytes) => {
                fetched_bytes += bytes;
                report.fetched += 1;
            }
            Err((reason, bytes)) => {
                return Ok(Err(Fallback {
                    reason,
                    wasted_bytes: fetched_bytes + bytes,
                }));
            }
        }
    }
    Ok(Ok((report, fetched_bytes)))
}

/// The parent directories of `rel` under `staged` (made 0755), and the
/// file's path.
fn prepare(staged: &Path, rel: &str) -> Result<PathBuf, ApplyError> {
    let target = staged.join(rel);
    if let Some(parent) = target.parent().filter(|p| *p != staged) {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o755)
            .create(parent)
            .map_err(ApplyError::io(parent))?;
    }
    Ok(target)
}

#[derive(Clone)]
struct FileKey {
    path: String,
    size: u64,
    sha256: String,
    mode: u32,
}

fn file_key(file: &Wanted) -> FileKey {
    FileKey {
        path: file.path.clone(),
        size: file.size,
        sha256: file.sha256.clone(),
        mode: file.mode,
    }
}

/// Copies `previous/want.path` to `target` when it is a regular file inside
/// `previous` of the wanted size whose bytes hash to the wanted sha256
/// (hashed as they are copied, so what is kept is what was checked).
/// Anything else leaves no file and answers false: the file is fetched.
fn copy_if_same(previous: &Path, want: &FileKey, target: &Path) -> bool {
    let source = previous.join(&want.path);
    // A link anywhere on the way could lead out of the release: the real
    // path must still be inside the real release directory.
    let inside = match (previous.canonicalize(), source.canonicalize()) {
        (Ok(root), Ok(real)) => real.starts_with(&root),
        _ => false,
    };
    if !inside {
        return false;
    }
    let Ok(mut from) = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&source)
    else {
        return false;
    };
    if !from
        .metadata()
        .is_ok_and(|m| m.is_file() && m.len() == want.size)
    {
        return false;
    }
    let copied = (|| -> std::io::Result<bool> {
        let mut to = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(want.mode)
            .open(target)?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 64 * 1024];
        let mut total = 0u64;
        loop {
            let n = from.read(&mut buf)?;
            if n == 0 {
                break;
            }
            total += n as u64;
            if total > want.size {
                return Ok(false);
            }
            hasher.update(&buf[..n]);
            to.write_all(&buf[..n])?;
        }
        to.set_permissions(std::fs::Permissions::from_mode(want.mode))?;
        Ok(total == want.size && hex::encode(hasher.finalize()) == want.sha256)
    })();
    match copied {
        Ok(true) => true,
        _ => {
            let _ = std::fs::remove_file(target);
            false
        }
    }
}

/// Why the archive is needed after all, and the bytes fetched in vain.
pub struct Fallback {
    pub reason: String,
    pub wasted_bytes: u64,
}

/// Streams one file into `target`, checking its size and sha256.
/// `Ok(Err((reason, bytes received)))`: it did not match or could not be
/// fetched.
async fn fetch_file(
    ctx: &ApplyContext,
    url: &reqwest::Url,
    want: &Wanted,
    target: &Path,
    room: u64,
) -> Result<Result<u64, (String, u64)>, ApplyError> {
    let request = fetch::Request {
        method: Method::Get,
        url: url.as_str(),
        headers: &[],
        body: None,
    };
    let mut resp = match fetch::send(&ctx.http, &ctx.grant, request, ctx.download_timeout).await {
        Ok((_, resp)) => resp,
        // The grant refuses the file's host: the archive may be elsewhere
        // and allowed, so that is a fallback too, said as such.
        Err(fetch::FetchError::Denied(reason)) => {
            return Ok(Err((format!("{url} is not granted: {reason}"), 0)));
        }
        Err(e) => return Ok(Err((e.to_string(), 0))),
    };
    if !resp.status().is_success() {
        return Ok(Err((
            format!("{url} answered HTTP {}", resp.status().as_u16()),
            0,
        )));
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(want.mode)
        .open(target)
        .map_err(ApplyError::io(target))?;
    let mut hasher = Sha256::new();
    let mut bytes = 0u64;
    loop {
        let chunk = match resp.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(e) => {
                let reason = fetch::body_error(url, e, ctx.download_timeout).to_string();
                return Ok(Err((reason, bytes)));
            }
        };
        bytes += chunk.len() as u64;
        if bytes > want.size {
            return Ok(Err((
                format!(
                    "{url} is larger than the {} bytes the manifest states",
                    want.size
                ),
                bytes,
            )));
        }
        if bytes > room {
            return Ok(Err((
                format!("the files fetched pass the download limit of {room} bytes"),
                bytes,
            )));
        }
        hasher.update(&chunk);
        file.write_all(&chunk).map_err(ApplyError::io(target))?;
    }
    file.set_permissions(std::fs::Permissions::from_mode(want.mode))
        .map_err(ApplyError::io(target))?;
    file.sync_all().map_err(ApplyError::io(target))?;
    let actual = hex::encode(hasher.finalize());
    if bytes != want.size || actual != want.sha256 {
        return Ok(Err((
            format!(
                "{url} does not match the manifest (sha256 {actual}, {bytes} bytes; expected {}, {} bytes)",
                want.sha256, want.size
            ),
            bytes,
        )));
    }
    Ok(Ok(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url() -> reqwest::Url {
        "https://r.example/bot/1.5.0/files.json".parse().unwrap()
    }

    fn list(files: &str) -> String {
        format!(
            r#"{{"format":"{FORMAT}","archive":{{"url":"https://r.example/bot-1.5.0.tar.gz","sha256":"{}","size":10}},"files":[{files}]}}"#,
            "a".repeat(64)
        )
    }

    fn entry(path: &str) -> String {
        format!(
            r#"{{"path":"{path}","size":1,"sha256":"{}"}}"#,
            "b".repeat(64)
        )
    }

    #[test]
    fn a_file_list_names_its_archive_and_files_relative_to_itself() {
        let checked = parse(
            list(&format!("{},{}", entry("bot.py"), entry("lib/x y.py"))).as_bytes(),
            &url(),
            1000,
            10,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(checked.archive_sha256(), "a".repeat(64));
        assert_eq!(
            file_url(&checked.base, &checked.files[1].path).as_str(),
            "https://r.example/bot/1.5.0/lib/x%20y.py"
        );
    }

    #[test]
    fn a_file_list_with_a_climbing_or_doubled_path_is_refused() {
        for bad in ["../x", "/etc/passwd", "a/./b", "a//b", "a/../../b", ""] {
            let err = parse(list(&entry(bad)).as_bytes(), &url(), 1000, 10);
            assert!(err.is_err(), "{bad:?} was accepted");
        }
        let twice = format!("{},{}", entry("a"), entry("a"));
        assert!(parse(list(&twice).as_bytes(), &url(), 1000, 10).is_err());
        let file_and_dir = format!("{},{}", entry("a"), entry("a/b"));
        assert!(parse(list(&file_and_dir).as_bytes(), &url(), 1000, 10).is_err());
    }

    #[test]
    fn a_file_list_beyond_the_unpack_limit_is_refused() {
        let err = parse(list(&entry("a")).as_bytes(), &url(), 0, 10)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("add up to 1 bytes"), "{err}");
    }

    #[test]
    fn only_a_document_starting_with_a_brace_is_a_file_list() {
        assert!(is_file_list(b"  {\"format\""));
        assert!(!is_file_list(&[0x1f, 0x8b, 8, 0]));
    }
}
