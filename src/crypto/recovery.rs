//! The recovery code: 128 random bits shown once at vault creation, written as
//! eight groups of four Crockford base32 characters (the last 32 bits are a
//! checksum so that a typo reads "mistyped", not "wrong code").

use std::fmt;

use data_encoding::{Encoding, Specification};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::{CryptoError, fill_random};

/// Bytes of entropy in a recovery code.
pub const RECOVERY_ENTROPY_LEN: usize = 16;
const CHECKSUM_LEN: usize = 4;
const GROUP_LEN: usize = 4;

/// Why a typed recovery code could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RecoveryCodeError {
    #[error("the recovery code has {0} characters; it should have 32 (8 groups of 4)")]
    Length(usize),
    #[error("the recovery code contains a character that is not in its alphabet")]
    Alphabet,
    #[error("the recovery code is mistyped (its checksum does not match)")]
    Checksum,
}

fn crockford() -> Encoding {
    let mut spec = Specification::new();
    spec.symbols.push_str("0123456789ABCDEFGHJKMNPQRSTVWXYZ");
    spec.translate.from.push_str("abcdefghjkmnpqrstvwxyzIiLlOo");
    spec.translate.to.push_str("ABCDEFGHJKMNPQRSTVWXYZ111100");
    spec.ignore.push_str("- ");
    spec.encoding()
        .expect("the Crockford base32 specification is valid")
}

/// A recovery code; wiped from memory when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCode(Zeroizing<[u8; RECOVERY_ENTROPY_LEN]>);

impl RecoveryCode {
    pub fn generate() -> Result<Self, CryptoError> {
        let mut bytes = Zeroizing::new([0u8; RECOVERY_ENTROPY_LEN]);
        fill_random(bytes.as_mut_slice())?;
        Ok(Self(bytes))
    }

    pub fn as_bytes(&self) -> &[u8; RECOVERY_ENTROPY_LEN] {
        &self.0
    }

    /// Reads a code as a user typed it: case, spaces, dashes and the
    /// look-alikes I/L (1) and O (0) do not matter.
    pub fn parse(text: &str) -> Result<Self, RecoveryCodeError> {
        let significant = text.chars().filter(|c| !matches!(c, '-' | ' ')).count();
        if significant != 32 {
            return Err(RecoveryCodeError::Length(significant));
        }
        let decoded = Zeroizing::new(
            crockford()
                .decode(text.as_bytes())
                .map_err(|_| RecoveryCodeError::Alphabet)?,
        );
        let (entropy, checksum) = decoded.split_at(RECOVERY_ENTROPY_LEN);
        if checksum != &Sha256::digest(entropy)[..CHECKSUM_LEN] {
            return Err(RecoveryCodeError::Checksum);
        }
        let mut bytes = Zeroizing::new([0u8; RECOVERY_ENTROPY_LEN]);
        bytes.copy_from_slice(entropy);
        Ok(Self(bytes))
    }

    /// The printable form, e.g. `7K2Q-...` in eight groups of four.
    pub fn to_display_string(&self) -> Zeroizing<String> {
        let mut raw = Zeroizing::new(Vec::with_capacity(RECOVERY_ENTROPY_LEN + CHECKSUM_LEN));
        raw.extend_from_slice(self.0.as_slice());
        raw.extend_from_slice(&Sha256::digest(self.0.as_slice())[..CHECKSUM_LEN]);
        let plain = Zeroizing::new(crockford().encode(&raw));
        let mut out = Zeroizing::new(String::with_capacity(40));
        for (i, c) in plain.chars().enumerate() {
            if i > 0 && i % GROUP_LEN == 0 {
                out.push('-');
            }
            out.push(c);
        }
        out
    }
}

impl fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoveryCode(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_reads_back_from_its_display_form() {
        let code = RecoveryCode::generate().expect("random");
        let shown = code.to_display_string();
        assert_eq!(shown.len(), 39);
        assert_eq!(RecoveryCode::parse(&shown), Ok(code.clone()));
        let sloppy = shown
            .to_lowercase()
            .replace('-', " ")
            .replace('1', "l")
            .replace('0', "o");
        assert_eq!(RecoveryCode::parse(&sloppy), Ok(code));
    }

    #[test]
    fn a_typo_is_reported_as_a_checksum_error() {
        let code = RecoveryCode::generate().expect("random");
        let mut shown: Vec<char> = code.to_display_string().chars().collect();
        shown[0] = if shown[0] == 'A' { 'B' } else { 'A' };
        let typo: String = shown.into_iter().collect();
        assert_eq!(RecoveryCode::parse(&typo), Err(RecoveryCodeError::Checksum));
        assert_eq!(
            RecoveryCode::parse("ABCD"),
            Err(RecoveryCodeError::Length(4))
        );
        assert_eq!(
            RecoveryCode::parse("UUUU-UUUU-UUUU-UUUU-UUUU-UUUU-UUUU-UUUU"),
            Err(RecoveryCodeError::Alphabet)
        );
    }
}
