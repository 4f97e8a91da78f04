//! Minisign signatures of downloads: the operator's public key (configured
//! host-side, so a provider cannot choose not to be checked) and the check of
//! a signature against the bytes as they stream in. Legacy (non-prehashed)
//! signatures are refused: minisign has not made them by default since 0.8.

use minisign_verify::{Signature, StreamVerifier};

pub use steward_core::verify_key::{KeyError, VerifyKey};

/// A signature ready to check the bytes of one download.
pub struct Pending {
    signature: Signature,
}

impl Pending {
    /// Parses a signature file's text. Done before downloading, so a
    /// signature that cannot be used costs no transfer.
    pub fn decode(text: &str, key: &VerifyKey) -> Result<Pending, SignatureError> {
        let signature = Signature::decode(text)?;
        // Checks the key id and the algorithm now rather than after the transfer.
        key.public_key().verify_stream(&signature)?;
        Ok(Pending { signature })
    }

    pub fn trusted_comment(&self) -> &str {
        self.signature.trusted_comment()
    }

    pub fn verifier<'a>(
        &'a self,
        key: &'a VerifyKey,
    ) -> Result<StreamVerifier<'a>, SignatureError> {
        Ok(key.public_key().verify_stream(&self.signature)?)
    }
}

/// Why a signature, or the key to check it, cannot be used or does not
/// verify.
#[derive(Debug, thiserror::Error)]
pub enum SignatureError {
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error("{}", explain(.0))]
    Minisign(#[from] minisign_verify::Error),
}

/// Words for an operator, where the crate's are terse.
fn explain(e: &minisign_verify::Error) -> String {
    match e {
        minisign_verify::Error::UnexpectedKeyId => {
            "it was made with a different key than the configured one".to_string()
        }
        minisign_verify::Error::UnsupportedLegacyMode
        | minisign_verify::Error::UnexpectedAlgorithm => {
            "it is a legacy (non-prehashed) minisign signature; sign with minisign 0.8 or later"
                .to_string()
        }
        minisign_verify::Error::InvalidSignature => {
            "the signature does not match the downloaded bytes".to_string()
        }
        other => other.to_string(),
    }
}
