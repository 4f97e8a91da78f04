//! The minisign public key an operator trusts for one provider's downloads,
//! as `steward.toml` names it (`[providers.NAME] verify_key`). Parsed here,
//! where the configuration is checked; the plan executor verifies with it.

use minisign_verify::PublicKey;
use thiserror::Error;

/// A minisign public key the operator trusts for one provider's downloads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyKey(PublicKey);

#[derive(Debug, Error)]
#[error(
    "not a minisign public key (expected the base64 line of a minisign .pub file, or the whole file): {0}"
)]
pub struct KeyError(String);

impl KeyError {
    /// The minisign parser's own words.
    pub fn cause(&self) -> &str {
        &self.0
    }
}

impl VerifyKey {
    /// The key line (`RW…`) alone, or a whole `.pub` file.
    pub fn parse(text: &str) -> Result<VerifyKey, KeyError> {
        let text = text.trim();
        let key = if text.contains('\n') {
            PublicKey::decode(text)
        } else {
            PublicKey::from_base64(text)
        };
        key.map(VerifyKey).map_err(|e| KeyError(e.to_string()))
    }
}

impl VerifyKey {
    /// The key itself, for checking signatures.
    pub fn public_key(&self) -> &PublicKey {
        &self.0
    }
}
