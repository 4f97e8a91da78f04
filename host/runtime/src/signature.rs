//! Signed providers: with `[providers] require_signature`, a provider file
//! loads only when `NAME.wasm.minisig` beside it is a minisign signature of
//! its bytes by one of `signature_keys`. The providers bundled with this
//! build are trusted by their hash instead. Checked before the file is
//! compiled or anything in it runs.

use std::io::Read;
use std::path::{Path, PathBuf};

use minisign_verify::Signature;
use thiserror::Error;

use crate::config::ProviderSignatures;
use steward_core::verify_key::VerifyKey;

/// A signature file is a few hundred bytes; more is not one.
const MAX_SIGNATURE_FILE: u64 = 16 * 1024;

/// Why a provider file was refused for its signature, in one line.
#[derive(Debug, Error)]
pub enum SignatureRefused {
    #[error(
        "refused: unsigned, and [providers] require_signature is on (no {signature} beside it)"
    )]
    Unsigned { signature: String },
    #[error("refused: {signature} cannot be read: {reason}")]
    Unreadable { signature: String, reason: String },
    #[error("refused: {signature} is not a minisign signature: {reason}")]
    Malformed { signature: String, reason: String },
    #[error(
        "refused: {signature} does not verify with any key in [providers] signature_keys (signed by another key, or the file changed after signing)"
    )]
    BadSignature { signature: String },
}

/// Where the signature of `file` is expected: `NAME.wasm.minisig`.
pub fn signature_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".minisig");
    PathBuf::from(name)
}

/// Whether judging the file hashed to `sha256` under `policy` needs its
/// bytes: only when a signature is required of it.
pub(crate) fn needs_bytes(policy: &ProviderSignatures, sha256: &str) -> bool {
    policy.require && !crate::bundled::is_bundled(sha256)
}

/// Whether `bytes` (the file at `file`, hashed to `sha256`) may load under
/// `policy`. `bytes` may be left empty when [`needs_bytes`] says so.
pub(crate) fn check(
    policy: &ProviderSignatures,
    file: &Path,
    bytes: &[u8],
    sha256: &str,
) -> Result<(), SignatureRefused> {
    if !needs_bytes(policy, sha256) {
        return Ok(());
    }
    let path = signature_path(file);
    let signature = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let text = match read_signature(&path) {
        Ok(Some(text)) => text,
        Ok(None) => return Err(SignatureRefused::Unsigned { signature }),
        Err(reason) => return Err(SignatureRefused::Unreadable { signature, reason }),
    };
    let parsed = Signature::decode(&text).map_err(|e| SignatureRefused::Malformed {
        signature: signature.clone(),
        reason: e.to_string(),
    })?;
    let verified = policy
        .keys
        .iter()
        .filter_map(|k| VerifyKey::parse(k).ok())
        .any(|key| key.public_key().verify(bytes, &parsed, false).is_ok());
    if verified {
        Ok(())
    } else {
        Err(SignatureRefused::BadSignature { signature })
    }
}

/// The signature file's text; `None` when there is none. Opened without
/// following a link, and only a small regular file is read.
fn read_signature(path: &Path) -> Result<Option<String>, String> {
    use rustix::fs::{Mode, OFlags};
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
    let file = match rustix::fs::open(path, flags, Mode::empty()) {
        Ok(fd) => std::fs::File::from(fd),
        Err(rustix::io::Errno::NOENT) => return Ok(None),
        Err(rustix::io::Errno::LOOP) => {
            return Err("it is a symbolic link; signatures must be regular files".to_string());
        }
        Err(e) => return Err(e.to_string()),
    };
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("it is not a regular file".to_string());
    }
    let mut text = String::new();
    file.take(MAX_SIGNATURE_FILE + 1)
        .read_to_string(&mut text)
        .map_err(|e| e.to_string())?;
    if text.len() as u64 > MAX_SIGNATURE_FILE {
        return Err(format!(
            "it is larger than {MAX_SIGNATURE_FILE} bytes, so not a signature"
        ));
    }
    Ok(Some(text))
}
