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
    pub fn decode(text: &str, key: &VerifyKey) -> Result<Pending, String> {
        let signature = Signature::decode(text).map_err(|e| e.to_string())?;
        // Checks the key id and the algorithm now rather than after the transfer.
        key.public_key()
            .verify_stream(&signature)
            .map_err(|e| explain(&e))?;
        Ok(Pending { signature })
    }

    pub fn trusted_comment(&self) -> &str {
        self.signature.trusted_comment()
    }

    pub fn verifier<'a>(&'a self, key: &'a VerifyKey) -> Result<StreamVerifier<'a>, String> {
        key.public_key()
            .verify_stream(&self.signature)
            .map_err(|e| explain(&e))
    }
}

/// Words for an operator, where the crate's are terse.
pub fn explain(e: &minisign_verify::Error) -> String {
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
