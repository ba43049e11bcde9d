//! The sync auth key: what the server checks instead of the master password.
//! Derived from the password and the email alone (a new device has no vault
//! header to take a salt from), on a KDF branch of its own, so it never
//! reveals the vault key or the password.

use std::fmt;

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::crypto::{self, CryptoError, KdfParams, Key32, Password, SALT_LEN};

/// Domain separation of the salt.
const SALT_LABEL: &[u8] = b"qvault sync auth v1";
/// HKDF info of the auth key.
const KEY_LABEL: &str = "qvault sync auth key v1";

/// The 32-byte auth key, wiped when dropped; `Debug` shows nothing of it.
#[derive(Clone)]
pub struct AuthKey(Key32);

impl AuthKey {
    /// Argon2id(password, salt of the email, the default parameters), then
    /// HKDF-SHA256 (no salt) with the info "qvault sync auth key v1".
    pub fn derive(password: &Password, email: &str) -> Result<Self, CryptoError> {
        Self::derive_with(password, email, KdfParams::DEFAULT)
    }

    fn derive_with(
        password: &Password,
        email: &str,
        params: KdfParams,
    ) -> Result<Self, CryptoError> {
        let stretched = crypto::argon2id(password, &salt(email), params)?;
        Ok(Self(crypto::hkdf(stretched.as_bytes(), &[], KEY_LABEL)))
    }

    /// The key as the wire carries it: standard base64, padded.
    pub fn to_base64(&self) -> Zeroizing<String> {
        Zeroizing::new(data_encoding::BASE64.encode(self.0.as_bytes()))
    }

    pub fn as_bytes(&self) -> &[u8; crypto::KEY_LEN] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for AuthKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthKey(<redacted>)")
    }
}

/// The email as the account knows it: trimmed and lower-cased.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The first 16 bytes of SHA-256("qvault sync auth v1" || 0x00 || email).
fn salt(email: &str) -> [u8; SALT_LEN] {
    let digest = Sha256::new()
        .chain_update(SALT_LABEL)
        .chain_update([0u8])
        .chain_update(normalize_email(email).as_bytes())
        .finalize();
    let mut out = [0u8; SALT_LEN];
    out.copy_from_slice(&digest[..SALT_LEN]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(password: &str, email: &str) -> AuthKey {
        AuthKey::derive_with(&Password::new(password), email, KdfParams::FLOOR).expect("derive")
    }

    #[test]
    fn the_email_is_trimmed_and_lower_cased_before_it_salts_the_key() {
        let a = key("correct horse", " Alice@Example.org ");
        let b = key("correct horse", "alice@example.org");
        assert_eq!(a.as_bytes(), b.as_bytes());
    }

    #[test]
    fn another_password_or_email_gives_another_key() {
        let base = key("correct horse", "alice@example.org");
        assert_ne!(
            base.as_bytes(),
            key("correct horsf", "alice@example.org").as_bytes()
        );
        assert_ne!(
            base.as_bytes(),
            key("correct horse", "bob@example.org").as_bytes()
        );
    }

    #[test]
    fn the_salt_is_the_sha256_of_label_zero_and_email() {
        let expected = Sha256::digest(b"qvault sync auth v1\0alice@example.org");
        assert_eq!(salt("ALICE@example.org"), expected[..16]);
    }

    #[test]
    fn the_auth_key_is_not_the_argon2_output_itself() {
        let password = Password::new("pw");
        let stretched =
            crypto::argon2id(&password, &salt("a@b.c"), KdfParams::FLOOR).expect("argon2");
        assert_ne!(key("pw", "a@b.c").as_bytes(), stretched.as_bytes());
    }

    #[test]
    fn debug_output_hides_the_key() {
        let k = key("pw", "a@b.c");
        let hex = data_encoding::HEXLOWER.encode(k.as_bytes());
        assert!(!format!("{k:?}").contains(&hex[..8]));
    }
}
