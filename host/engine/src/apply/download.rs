//! The `download` step: fetch a release archive from a granted host (every
//! redirect checked too) into a temporary file under Steward's data
//! directory, with the size limit enforced while the bytes arrive; compare
//! the sha256 and, when the operator configured a key, the minisign
//! signature; only then unpack it safely into a private staging directory
//! next to the destination and rename that into place. Nothing is ever
//! unpacked from bytes that failed a check, and a failure leaves nothing behind.

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::boundary::{self, Placed};
use super::delta;
use super::signature::Pending;
use super::{
    ApplyContext, ApplyError, SignatureCheck, StepOutcome, blocking, handle_error, name_of,
    temp_name,
};
use crate::backup::{Limits, extract_tar_gz};
use crate::fetch::{self, FetchError, Method};
use crate::provider::Download;
use steward_core::dir_handle::DirHandle;

/// An archive may unpack to this many times the bytes actually downloaded
/// (release archives of code compress 3-10x); beyond it is a decompression
/// bomb. Small archives may always unpack to `UNPACK_FLOOR`.
const UNPACK_RATIO: u64 = 20;
const UNPACK_FLOOR: u64 = 8 * 1024 * 1024;
/// Entries an archive may hold.
const MAX_ENTRIES: u64 = 200_000;

/// What would happen, after every check that needs no transfer.
pub struct Checked {
    pub sha256: String,
    pub dest: Placed,
    pub signature: Option<Pending>,
    pub url: reqwest::Url,
}

pub fn check(ctx: &ApplyContext, download: &Download) -> Result<Checked, ApplyError> {
    let url: reqwest::Url = download.url.parse().map_err(|e| ApplyError::Download {
        url: download.url.clone(),
        message: format!("not a valid URL: {e}"),
    })?;
    ctx.grant.check_url(&url).map_err(|d| ctx.denied(d))?;
    let sha256 = normalize_sha256(&download.sha256)?;
    let dest = boundary::writable(ctx, &download.unpack_to)?;
    let path = dest.path();
    if path.symlink_metadata().is_ok() {
        return Err(ApplyError::DestinationExists { path });
    }
    let signature =
        match (&ctx.verify_key, &download.signature) {
            (None, _) => None,
            (Some(_), None) => {
                return Err(ApplyError::SignatureMissing {
                    url: download.url.clone(),
                    provider: ctx.provider.clone(),
                });
            }
            (Some(key), Some(text)) => Some(Pending::decode(text, key).map_err(|source| {
                ApplyError::SignatureUnusable {
                    url: download.url.clone(),
                    source,
                }
            })?),
        };
    Ok(Checked {
        sha256,
        dest,
        signature,
        url,
    })
}

pub async fn run(ctx: &ApplyContext, download: &Download) -> Result<StepOutcome, ApplyError> {
    let checked = check(ctx, download)?;
    std::fs::create_dir_all(&ctx.downloads).map_err(ApplyError::io(&ctx.downloads))?;
    let temp = TempFile(
        ctx.downloads
            .join(temp_name(std::ffi::OsStr::new(&ctx.provider), "download")),
    );
    let (bytes, actual) = fetch_to(ctx, download, &checked, &temp.0).await?;
    let signature = match &checked.signature {
        Some(pending) => SignatureCheck::Verified {
            trusted_comment: pending.trusted_comment().to_string(),
        },
        None => SignatureCheck::NoKeyConfigured,
    };
    if delta::is_file_list(&head(&temp.0)?) {
        let list = std::fs::read(&temp.0).map_err(ApplyError::io(&temp.0))?;
        drop(temp);
        return by_file_list(ctx, download, checked, &list, bytes, actual, signature).await;
    }
    tracing::info!(
        provider = ctx.provider,
        "{} verified (sha256 {actual}, {bytes} bytes), unpacking",
        download.url
    );
    let url = download.url.clone();
    let limits = Limits {
        max_bytes: bytes.saturating_mul(UNPACK_RATIO).max(UNPACK_FLOOR),
        max_entries: MAX_ENTRIES,
    };
    let dest = checked.dest;
    let (unpacked_to, files) = blocking(move || {
        let unpacked = unpack(&temp.0, &dest, &limits, &url);
        drop(temp);
        unpacked
    })
    .await?;
    Ok(StepOutcome::Downloaded {
        unpacked_to,
        bytes,
        sha256: actual,
        signature,
        files,
        delta: None,
    })
}

/// The first bytes of the verified download, to tell an archive from a
/// per-file manifest without reading the whole archive.
fn head(path: &Path) -> Result<Vec<u8>, ApplyError> {
    use std::io::Read;
    let mut head = Vec::with_capacity(64);
    std::fs::File::open(path)
        .and_then(|f| f.take(64).read_to_end(&mut head))
        .map_err(ApplyError::io(path))?;
    Ok(head)
}

/// The verified download was the release's per-file manifest: builds the
/// release from the running one and the files that differ, or, when any
/// does not match, from the full archive the manifest names (its sha256
/// is covered by the manifest's signature).
async fn by_file_list(
    ctx: &ApplyContext,
    download: &Download,
    checked: Checked,
    list_bytes: &[u8],
    bytes: u64,
    sha256: String,
    signature: SignatureCheck,
) -> Result<StepOutcome, ApplyError> {
    let limit = download.size_limit.min(ctx.max_download_bytes);
    let list = delta::parse(
        list_bytes,
        &checked.url,
        limit.saturating_mul(UNPACK_RATIO).max(UNPACK_FLOOR),
        MAX_ENTRIES,
    )?;
    let previous = ctx.previous_release.as_deref();
    let fallback = match delta::build(
        ctx,
        &list,
        &checked.dest,
        previous,
        limit.saturating_sub(bytes),
    )
    .await?
    {
        Ok((unpacked_to, fetched, report)) => {
            tracing::info!(
                provider = ctx.provider,
                "{} verified; {} of {} files fetched ({fetched} bytes), {} reused from the running release",
                download.url,
                report.fetched,
                report.files,
                report.reused
            );
            return Ok(StepOutcome::Downloaded {
                unpacked_to,
                bytes: bytes + fetched,
                sha256,
                signature,
                files: report.files,
                delta: Some(report),
            });
        }
        Err(fallback) => fallback,
    };
    tracing::warn!(
        provider = ctx.provider,
        "delta download of {} abandoned ({}); downloading the full archive {}",
        download.url,
        fallback.reason,
        list.archive_url()
    );
    let archive = Download {
        url: list.archive_url().to_string(),
        sha256: list.archive_sha256().to_string(),
        size_limit: download.size_limit,
        signature: None,
        unpack_to: download.unpack_to.clone(),
    };
    let archive_url: reqwest::Url = archive.url.parse().map_err(|e| ApplyError::Download {
        url: archive.url.clone(),
        message: format!("not a valid URL: {e}"),
    })?;
    ctx.grant
        .check_url(&archive_url)
        .map_err(|d| ctx.denied(d))?;
    let archive_checked = Checked {
        sha256: archive.sha256.clone(),
        dest: checked.dest,
        signature: None,
        url: archive_url,
    };
    let temp = TempFile(
        ctx.downloads
            .join(temp_name(std::ffi::OsStr::new(&ctx.provider), "download")),
    );
    let (archive_bytes, _) = fetch_to(ctx, &archive, &archive_checked, &temp.0).await?;
    let limits = Limits {
        max_bytes: archive_bytes.saturating_mul(UNPACK_RATIO).max(UNPACK_FLOOR),
        max_entries: MAX_ENTRIES,
    };
    let dest = archive_checked.dest;
    let url = archive.url.clone();
    let (unpacked_to, files) = blocking(move || {
        let unpacked = unpack(&temp.0, &dest, &limits, &url);
        drop(temp);
        unpacked
    })
    .await?;
    Ok(StepOutcome::Downloaded {
        unpacked_to,
        bytes: bytes + fallback.wasted_bytes + archive_bytes,
        sha256,
        signature,
        files,
        delta: Some(delta::DeltaReport {
            files,
            fetched: 0,
            reused: 0,
            archive_bytes: list.archive_bytes(),
            fell_back: Some(fallback.reason),
        }),
    })
}

/// Streams the body into `temp`, hashing (and signature-checking) as it
/// goes; refuses past the size limit and on any mismatch.
async fn fetch_to(
    ctx: &ApplyContext,
    download: &Download,
    checked: &Checked,
    temp: &Path,
) -> Result<(u64, String), ApplyError> {
    // The provider names a limit; the operator's cap holds whatever it says.
    let limit = download.size_limit.min(ctx.max_download_bytes);
    let too_large = || {
        if download.size_limit > ctx.max_download_bytes {
            ApplyError::OverSafetyLimit {
                url: download.url.clone(),
                limit_mb: ctx.max_download_bytes / (1024 * 1024),
            }
        } else {
            ApplyError::TooLarge {
                url: download.url.clone(),
                limit,
            }
        }
    };
    let request = fetch::Request {
        method: Method::Get,
        url: checked.url.as_str(),
        headers: &[],
        body: None,
    };
    let (url, mut resp) = fetch::send(&ctx.http, &ctx.grant, request, ctx.download_timeout)
        .await
        .map_err(|e| fetch_error(ctx, download, e))?;
    if !resp.status().is_success() {
        return Err(ApplyError::HttpStatus {
            url: url.to_string(),
            status: resp.status().as_u16(),
        });
    }
    if resp.content_length().is_some_and(|len| len > limit) {
        return Err(too_large());
    }
    let mut verifier = match (&checked.signature, &ctx.verify_key) {
        (Some(pending), Some(key)) => {
            Some(
                pending
                    .verifier(key)
                    .map_err(|source| ApplyError::SignatureUnusable {
                        url: download.url.clone(),
                        source,
                    })?,
            )
        }
        _ => None,
    };
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(temp)
        .map_err(ApplyError::io(temp))?;
    let mut hasher = Sha256::new();
    let mut bytes = 0u64;
    while let Some(chunk) = resp.chunk().await.map_err(|e| {
        fetch_error(
            ctx,
            download,
            fetch::body_error(&url, e, ctx.download_timeout),
        )
    })? {
        bytes += chunk.len() as u64;
        if bytes > limit {
            return Err(too_large());
        }
        hasher.update(&chunk);
        if let Some(v) = verifier.as_mut() {
            v.update(&chunk);
        }
        file.write_all(&chunk).map_err(ApplyError::io(temp))?;
    }
    file.sync_all().map_err(ApplyError::io(temp))?;
    let actual = hex::encode(hasher.finalize());
    if actual != checked.sha256 {
        return Err(ApplyError::ChecksumMismatch {
            url: download.url.clone(),
            expected: checked.sha256.clone(),
            actual,
        });
    }
    if let Some(mut v) = verifier {
        v.finalize().map_err(|e| ApplyError::SignatureInvalid {
            url: download.url.clone(),
            source: e.into(),
        })?;
    }
    Ok((bytes, actual))
}

/// Unpacks into a private staging directory beside `dest`, then renames it
/// into place (never over anything that appeared meanwhile), all through a
/// handle on `dest`'s directory.
fn unpack(
    archive: &Path,
    dest: &Placed,
    limits: &Limits,
    url: &str,
) -> Result<(PathBuf, usize), ApplyError> {
    let target = dest.path();
    let name = name_of(dest)?;
    let dir = DirHandle::open_creating(&dest.dir).map_err(handle_error(&dest.dir))?;
    let staging = temp_name(&dest.name, "staging");
    let staged = dir.proc_path().join(&staging);
    let file = std::fs::File::open(archive).map_err(ApplyError::io(archive))?;
    let extracted = extract_tar_gz(std::io::BufReader::new(file), &staged, limits);
    let placed = match extracted {
        Ok(extracted) => std::fs::set_permissions(&staged, std::fs::Permissions::from_mode(0o755))
            .map_err(ApplyError::io(&target))
            .and_then(|()| {
                // No parent to create: both names are in `dir`.
                dir.rename_to(&staging, &dir, name, &mut Vec::new())
                    .map_err(|e| match e.into_parts().1 {
                        e if e.kind() == std::io::ErrorKind::AlreadyExists => {
                            ApplyError::DestinationExists {
                                path: target.clone(),
                            }
                        }
                        e => ApplyError::io(&target)(e),
                    })
            })
            .map(|()| extracted.files.len()),
        Err(source) => Err(ApplyError::Unpack {
            url: url.to_string(),
            source,
        }),
    };
    let files = match placed {
        Ok(files) => files,
        Err(e) => {
            let _ = dir.remove_tree(&staging);
            return Err(e);
        }
    };
    dir.sync().map_err(handle_error(&dest.dir))?;
    Ok((target, files))
}

/// Removes what earlier downloads left in `downloads` when Steward was
/// killed mid-transfer. Called under the update lock, when no download of
/// this Steward's can be under way. Answers how many files went.
pub fn sweep(downloads: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(downloads) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .contains(".steward-download-")
        })
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter(|e| std::fs::remove_file(e.path()).is_ok())
        .count()
}

/// Lowercase hex, an optional `sha256:` prefix dropped.
pub(super) fn normalize_sha256(value: &str) -> Result<String, ApplyError> {
    let hex = value.trim();
    let hex = hex
        .strip_prefix("sha256:")
        .unwrap_or(hex)
        .to_ascii_lowercase();
    if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(hex)
    } else {
        Err(ApplyError::BadChecksum {
            value: value.to_string(),
        })
    }
}

fn fetch_error(ctx: &ApplyContext, download: &Download, e: FetchError) -> ApplyError {
    match e {
        FetchError::Denied(reason) => ctx.denied(reason),
        other => ApplyError::Download {
            url: download.url.clone(),
            message: other.to_string(),
        },
    }
}

/// The downloaded file, removed whatever happens.
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
