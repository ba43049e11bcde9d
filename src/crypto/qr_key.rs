//! The QR key: an optional second factor of 256 random bits, printed as a QR
//! code. When a vault requires it, the password slot's key-encryption key
//! mixes the Argon2id output with it (FORMAT.md), so unlocking needs both the
//! password and the printed code. The recovery code's slot does not use it.
//!
//! As text (what the QR code holds): `QVAULT-QR-KEY-1:` then RFC 4648 base32
//! of the 32 key bytes and the first 4 bytes of their SHA-256, so a damaged
//! or mistyped key reads "not valid", not "wrong password". Every character
//! is in the QR alphanumeric set, which keeps the code small.

use std::fmt;

use data_encoding::BASE32_NOPAD;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::{CryptoError, KEY_LEN, fill_random};

const PREFIX: &str = "QVAULT-QR-KEY-1:";
const CHECKSUM_LEN: usize = 4;

/// Why a text is not a QR key.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum QrKeyError {
    #[error("this is not a Qvault QR key (it should start with {PREFIX})")]
    NotAQrKey,
    #[error("the QR key is damaged or mistyped (its checksum does not match)")]
    Checksum,
}

/// A QR key; wiped from memory when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct QrKey(Zeroizing<[u8; KEY_LEN]>);

impl QrKey {
    pub fn generate() -> Result<Self, CryptoError> {
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        fill_random(bytes.as_mut_slice())?;
        Ok(Self(bytes))
    }

    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    fn checksum(bytes: &[u8; KEY_LEN]) -> [u8; CHECKSUM_LEN] {
        let digest = Sha256::digest(bytes);
        let mut out = [0u8; CHECKSUM_LEN];
        out.copy_from_slice(&digest[..CHECKSUM_LEN]);
        out
    }

    /// The text the QR code carries.
    pub fn to_text(&self) -> Zeroizing<String> {
        let mut raw = Zeroizing::new([0u8; KEY_LEN + CHECKSUM_LEN]);
        raw[..KEY_LEN].copy_from_slice(self.as_bytes());
        raw[KEY_LEN..].copy_from_slice(&Self::checksum(self.as_bytes()));
        let mut text = Zeroizing::new(String::with_capacity(PREFIX.len() + 64));
        text.push_str(PREFIX);
        text.push_str(&Zeroizing::new(BASE32_NOPAD.encode(raw.as_slice())));
        text
    }

    /// Reads the text of a QR key, as decoded from the image or pasted
    /// (surrounding white space and the case of the letters do not matter).
    pub fn parse(text: &str) -> Result<Self, QrKeyError> {
        let text = text.trim();
        let body = text
            .get(..PREFIX.len())
            .filter(|p| p.eq_ignore_ascii_case(PREFIX))
            .and_then(|_| text.get(PREFIX.len()..))
            .ok_or(QrKeyError::NotAQrKey)?;
        let upper = Zeroizing::new(body.to_ascii_uppercase());
        let raw = Zeroizing::new(
            BASE32_NOPAD
                .decode(upper.as_bytes())
                .map_err(|_| QrKeyError::Checksum)?,
        );
        if raw.len() != KEY_LEN + CHECKSUM_LEN {
            return Err(QrKeyError::Checksum);
        }
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        key.copy_from_slice(&raw[..KEY_LEN]);
        if raw[KEY_LEN..] != Self::checksum(&key) {
            return Err(QrKeyError::Checksum);
        }
        Ok(Self(key))
    }
}

impl fmt::Debug for QrKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("QrKey(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips_and_names_its_problems() {
        let key = QrKey::generate().expect("random");
        let text = key.to_text();
        assert!(text.starts_with(PREFIX));
        assert!(
            text[PREFIX.len()..]
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        );
        assert_eq!(QrKey::parse(&text).expect("parse"), key);
        assert_eq!(
            QrKey::parse(&format!("  {}\n", text.to_lowercase())).expect("parse"),
            key
        );
        assert_eq!(QrKey::parse("hello"), Err(QrKeyError::NotAQrKey));
        let mut typo = text.to_string();
        let last = typo.pop().expect("non-empty");
        typo.push(if last == 'A' { 'B' } else { 'A' });
        assert_eq!(QrKey::parse(&typo), Err(QrKeyError::Checksum));
        assert_eq!(
            QrKey::parse(&text[..text.len() - 8]),
            Err(QrKeyError::Checksum)
        );
        assert!(!format!("{key:?}").contains(&text[PREFIX.len()..PREFIX.len() + 8]));
    }
}
