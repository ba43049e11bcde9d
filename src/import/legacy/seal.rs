//! The original Qvault's key derivation (scrypt) and sealing (AES-256-GCM
//! over base64 text), both the current layout and the deprecated one.

use aes_gcm::aead::consts::U16;
use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::aes::Aes256;
use aes_gcm::{Aes256Gcm, AesGcm, Nonce};
use zeroize::Zeroizing;

/// The salt of every key the original app derived without a vault salt.
pub const CONSTANT_SALT: &str = "qvaultsalthopefullyusednowhereelse";

/// scrypt cost of the password key and the char-key hash.
pub const SLOW_LOG_N: u8 = 17;

/// scrypt cost of the QR hash.
pub const QR_LOG_N: u8 = 10;

const KEY_LEN: usize = 32;
const TAG_LEN: usize = 16;
const NONCE_LEN: usize = 12;
const DEPRECATED_NONCE_LEN: usize = 16;

/// AES-256-GCM with the 16-byte nonce of the deprecated sealing.
type DeprecatedGcm = AesGcm<Aes256, U16>;

/// A 32-byte key derived by scrypt, wiped when dropped.
pub struct LegacyKey(Zeroizing<[u8; KEY_LEN]>);

impl LegacyKey {
    /// scrypt(text, salt, N = 2^`log_n`, r = 8, p = 1), 32 bytes. The
    /// original app base64-encoded this and decoded it again for AES, so
    /// the raw bytes are the AES key.
    pub fn derive(text: &str, salt: &str, log_n: u8) -> Self {
        let params = scrypt::Params::new(log_n, 8, 1, KEY_LEN)
            .expect("log_n 10 or 17 with r 8, p 1 are valid scrypt parameters");
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        scrypt::scrypt(
            text.as_bytes(),
            salt.as_bytes(),
            &params,
            key.as_mut_slice(),
        )
        .expect("32 bytes is a valid scrypt output length");
        Self(key)
    }

    /// The key as the deprecated sealing used it: the first 32 bytes of
    /// its base64 text.
    fn deprecated_bytes(&self) -> Zeroizing<[u8; KEY_LEN]> {
        let text = Zeroizing::new(data_encoding::BASE64.encode(self.0.as_slice()));
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        bytes.copy_from_slice(&text.as_bytes()[..KEY_LEN]);
        bytes
    }
}

/// Opens `nonce ‖ tag ‖ ciphertext`, trying the current sealing first and
/// then the deprecated one. `None` when neither opens it (wrong key or
/// damaged data: GCM cannot tell them apart).
pub fn open(sealed: &[u8], key: &LegacyKey) -> Option<Zeroizing<Vec<u8>>> {
    open_current(sealed, key).or_else(|| open_deprecated(sealed, key))
}

fn open_current(sealed: &[u8], key: &LegacyKey) -> Option<Zeroizing<Vec<u8>>> {
    let (nonce, tag, ciphertext) = split(sealed, NONCE_LEN)?;
    let cipher = Aes256Gcm::new_from_slice(key.0.as_slice()).ok()?;
    let joined = Zeroizing::new([ciphertext, tag].concat());
    cipher
        .decrypt(Nonce::from_slice(nonce), joined.as_slice())
        .ok()
        .map(Zeroizing::new)
}

fn open_deprecated(sealed: &[u8], key: &LegacyKey) -> Option<Zeroizing<Vec<u8>>> {
    let (nonce, tag, ciphertext) = split(sealed, DEPRECATED_NONCE_LEN)?;
    let cipher = DeprecatedGcm::new_from_slice(key.deprecated_bytes().as_slice()).ok()?;
    let joined = Zeroizing::new([ciphertext, tag].concat());
    cipher
        .decrypt(
            aes_gcm::aead::generic_array::GenericArray::from_slice(nonce),
            joined.as_slice(),
        )
        .ok()
        .map(Zeroizing::new)
}

/// Splits `nonce ‖ tag ‖ ciphertext`; `None` when too short for both.
fn split(sealed: &[u8], nonce_len: usize) -> Option<(&[u8], &[u8], &[u8])> {
    let (nonce, rest) = sealed.split_at_checked(nonce_len)?;
    let (tag, ciphertext) = rest.split_at_checked(TAG_LEN)?;
    Some((nonce, tag, ciphertext))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seal_deprecated(plain: &[u8], key: &LegacyKey) -> Vec<u8> {
        let nonce = [7u8; DEPRECATED_NONCE_LEN];
        let cipher =
            DeprecatedGcm::new_from_slice(key.deprecated_bytes().as_slice()).expect("32-byte key");
        let sealed = cipher
            .encrypt(
                aes_gcm::aead::generic_array::GenericArray::from_slice(&nonce),
                plain,
            )
            .expect("encrypt");
        let (ciphertext, tag) = sealed.split_at(sealed.len() - TAG_LEN);
        [&nonce[..], tag, ciphertext].concat()
    }

    #[test]
    fn deprecated_sealing_opens_with_the_same_key() {
        let key = LegacyKey::derive("HVzo27vuRcnRi7UK", CONSTANT_SALT, QR_LOG_N);
        let sealed = seal_deprecated(b"{\"a\":1}", &key);
        let opened = open(&sealed, &key).expect("opens");
        assert_eq!(opened.as_slice(), b"{\"a\":1}");
    }

    #[test]
    fn too_short_or_wrong_key_opens_nothing() {
        let key = LegacyKey::derive("one", CONSTANT_SALT, QR_LOG_N);
        let other = LegacyKey::derive("two", CONSTANT_SALT, QR_LOG_N);
        let sealed = seal_deprecated(b"text", &key);
        assert!(open(&sealed, &other).is_none());
        assert!(open(&sealed[..20], &key).is_none());
        assert!(open(&[], &key).is_none());
    }
}
