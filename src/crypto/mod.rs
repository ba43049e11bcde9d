//! Cryptography for the vault: the key types that zeroize themselves, the
//! Argon2id and HKDF key derivations, AES-256-GCM-SIV sealing, the recovery
//! code and the password generator. Nothing here touches files or egui.

pub mod generator;
pub mod qr_key;
pub mod recovery;
pub mod totp;

use std::fmt;

use aes_gcm_siv::aead::{Aead, KeyInit, Payload};
use aes_gcm_siv::{Aes256GcmSiv, Nonce};
use argon2::{Algorithm, Argon2, Params, Version};
use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::Zeroizing;

/// Length of every symmetric key in the vault, in bytes.
pub const KEY_LEN: usize = 32;
/// Length of an AES-GCM-SIV nonce, in bytes.
pub const NONCE_LEN: usize = 12;
/// Length of an AES-GCM-SIV tag, in bytes.
pub const TAG_LEN: usize = 16;
/// Length of a KDF salt, in bytes.
pub const SALT_LEN: usize = 16;

/// Errors of the cryptographic layer. They never carry key material.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("key derivation parameters out of range: {0}")]
    KdfParams(String),
    #[error("failed to derive key: {0}")]
    Kdf(String),
    #[error("decryption failed: wrong key or damaged data")]
    Decrypt,
    #[error("failed to encrypt")]
    Encrypt,
    #[error("the recovery code kept in the vault does not open its recovery slot")]
    RecoveryCodeMismatch,
    #[error("the operating system's random source failed")]
    Random,
    #[error("wrong password")]
    WrongPassword,
}

/// A 256-bit symmetric key, wiped from memory when dropped.
#[derive(Clone)]
pub struct Key32(Zeroizing<[u8; KEY_LEN]>);

impl Key32 {
    /// A fresh key from the operating system's random source.
    pub fn random() -> Result<Self, CryptoError> {
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        fill_random(key.as_mut_slice())?;
        Ok(Self(key))
    }

    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Self(Zeroizing::new(bytes))
    }

    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }
}

impl fmt::Debug for Key32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key32(<redacted>)")
    }
}

/// A master password or other typed secret, wiped from memory when dropped.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Password(Zeroizing<String>);

impl Password {
    pub fn new(text: impl Into<String>) -> Self {
        Self(Zeroizing::new(text.into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// Argon2id cost parameters, stored in the vault header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes over the memory.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl KdfParams {
    /// RFC 9106's second recommended option: 64 MiB, 3 passes, 4 lanes.
    pub const DEFAULT: Self = Self {
        memory_kib: 64 * 1024,
        iterations: 3,
        parallelism: 4,
    };
    /// The weakest parameters a vault may carry.
    pub const FLOOR: Self = Self {
        memory_kib: 19 * 1024,
        iterations: 2,
        parallelism: 1,
    };
    /// The strongest parameters we agree to run (2 GiB, 20 passes, 16 lanes).
    pub const CEILING: Self = Self {
        memory_kib: 2 * 1024 * 1024,
        iterations: 20,
        parallelism: 16,
    };

    /// Refuses parameters outside [`Self::FLOOR`]..=[`Self::CEILING`]. Called on
    /// every header before any memory is allocated for the KDF.
    pub fn check(&self) -> Result<(), CryptoError> {
        let (lo, hi) = (Self::FLOOR, Self::CEILING);
        if !(lo.memory_kib..=hi.memory_kib).contains(&self.memory_kib) {
            return Err(CryptoError::KdfParams(format!(
                "memory {} KiB is outside {}..={} KiB",
                self.memory_kib, lo.memory_kib, hi.memory_kib
            )));
        }
        if !(lo.iterations..=hi.iterations).contains(&self.iterations) {
            return Err(CryptoError::KdfParams(format!(
                "{} passes is outside {}..={}",
                self.iterations, lo.iterations, hi.iterations
            )));
        }
        if !(lo.parallelism..=hi.parallelism).contains(&self.parallelism) {
            return Err(CryptoError::KdfParams(format!(
                "{} lanes is outside {}..={}",
                self.parallelism, lo.parallelism, hi.parallelism
            )));
        }
        if self.memory_kib < 8 * self.parallelism {
            return Err(CryptoError::KdfParams(
                "too little memory for the lanes".into(),
            ));
        }
        Ok(())
    }
}

impl Default for KdfParams {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Fills `buf` from the operating system's random source.
pub fn fill_random(buf: &mut [u8]) -> Result<(), CryptoError> {
    getrandom::fill(buf).map_err(|_| CryptoError::Random)
}

/// `N` random bytes from the operating system.
pub fn random_array<const N: usize>() -> Result<[u8; N], CryptoError> {
    let mut out = [0u8; N];
    fill_random(&mut out)?;
    Ok(out)
}

/// Derives a key-encryption key from a password with Argon2id. The
/// parameters are checked first, so hostile headers cannot make us allocate.
pub fn argon2id(
    password: &Password,
    salt: &[u8; SALT_LEN],
    params: KdfParams,
) -> Result<Key32, CryptoError> {
    params.check()?;
    let argon_params = Params::new(
        params.memory_kib,
        params.iterations,
        params.parallelism,
        Some(KEY_LEN),
    )
    .map_err(|e| CryptoError::Kdf(e.to_string()))?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, argon_params);
    let mut out = Zeroizing::new([0u8; KEY_LEN]);
    argon
        .hash_password_into(password.as_str().as_bytes(), salt, out.as_mut_slice())
        .map_err(|e| CryptoError::Kdf(e.to_string()))?;
    Ok(Key32(out))
}

/// Parameters that make one Argon2id run take about `target` on this
/// computer: the default memory and lanes (64 MiB, 4), with as many passes
/// as fit, never fewer than [`KdfParams::DEFAULT`]'s (a slow computer keeps
/// the default rather than get a weaker KDF) nor more than
/// [`KdfParams::CEILING`]'s. Returns them with the time they are expected to
/// take (measured over two passes with a random password and salt).
pub fn calibrate(
    target: std::time::Duration,
) -> Result<(KdfParams, std::time::Duration), CryptoError> {
    let probe = KdfParams {
        iterations: KdfParams::FLOOR.iterations,
        ..KdfParams::DEFAULT
    };
    let password = Password::new(data_encoding::HEXLOWER.encode(&random_array::<16>()?));
    let salt = random_array::<SALT_LEN>()?;
    // The first run also pays for page faults; time the second.
    argon2id(&password, &salt, probe)?;
    let started = std::time::Instant::now();
    argon2id(&password, &salt, probe)?;
    let per_pass = started.elapsed() / probe.iterations;
    let per_pass_ns = per_pass.as_nanos().max(1);
    let fits = (target.as_nanos() + per_pass_ns / 2) / per_pass_ns;
    let iterations = u32::try_from(fits)
        .unwrap_or(u32::MAX)
        .clamp(KdfParams::DEFAULT.iterations, KdfParams::CEILING.iterations);
    let params = KdfParams {
        iterations,
        ..KdfParams::DEFAULT
    };
    params.check()?;
    Ok((params, per_pass * iterations))
}

/// HKDF-SHA256 with a domain-separation label; used to branch keys (the
/// recovery slot's KEK, the QR second factor, the sync auth key).
pub fn hkdf(ikm: &[u8], salt: &[u8], label: &str) -> Key32 {
    let mut out = Zeroizing::new([0u8; KEY_LEN]);
    Hkdf::<Sha256>::new(Some(salt), ikm)
        .expand(label.as_bytes(), out.as_mut_slice())
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    Key32(out)
}

/// Encrypts `plaintext` with AES-256-GCM-SIV; the output is ciphertext || tag.
pub fn seal(
    key: &Key32,
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let cipher = Aes256GcmSiv::new_from_slice(key.as_bytes()).map_err(|_| CryptoError::Encrypt)?;
    cipher
        .encrypt(
            &Nonce::from(*nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .map_err(|_| CryptoError::Encrypt)
}

/// Decrypts and authenticates what [`seal`] produced.
pub fn open(
    key: &Key32,
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let cipher = Aes256GcmSiv::new_from_slice(key.as_bytes()).map_err(|_| CryptoError::Decrypt)?;
    cipher
        .decrypt(
            &Nonce::from(*nonce),
            Payload {
                msg: ciphertext,
                aad,
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| CryptoError::Decrypt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aes_gcm_siv_matches_rfc8452_vector() {
        // RFC 8452 appendix C.2, first AEAD_AES_256_GCM_SIV vector with a plaintext.
        let mut key = [0u8; 32];
        key[0] = 1;
        let mut nonce = [0u8; 12];
        nonce[0] = 3;
        let ct = seal(
            &Key32::from_bytes(key),
            &nonce,
            b"",
            &[1, 0, 0, 0, 0, 0, 0, 0],
        )
        .expect("seal");
        let expected = [
            0xc2, 0xef, 0x32, 0x8e, 0x5c, 0x71, 0xc8, 0x3b, 0x84, 0x31, 0x22, 0x13, 0x0f, 0x73,
            0x64, 0xb7, 0x61, 0xe0, 0xb9, 0x74, 0x27, 0xe3, 0xdf, 0x28,
        ];
        assert_eq!(ct, expected);
    }

    #[test]
    fn open_rejects_a_changed_aad() {
        let key = Key32::random().expect("random");
        let nonce = [7u8; 12];
        let ct = seal(&key, &nonce, b"header", b"secret").expect("seal");
        assert!(open(&key, &nonce, b"header", &ct).is_ok());
        assert!(open(&key, &nonce, b"Header", &ct).is_err());
    }

    #[test]
    fn kdf_params_outside_the_bounds_are_refused() {
        assert!(KdfParams::DEFAULT.check().is_ok());
        assert!(KdfParams::FLOOR.check().is_ok());
        assert!(KdfParams::CEILING.check().is_ok());
        let low_mem = KdfParams {
            memory_kib: 19 * 1024 - 1,
            ..KdfParams::DEFAULT
        };
        let low_t = KdfParams {
            iterations: 1,
            ..KdfParams::DEFAULT
        };
        let high_mem = KdfParams {
            memory_kib: 2 * 1024 * 1024 + 1,
            ..KdfParams::DEFAULT
        };
        let high_t = KdfParams {
            iterations: 21,
            ..KdfParams::DEFAULT
        };
        let high_p = KdfParams {
            parallelism: 17,
            ..KdfParams::DEFAULT
        };
        let zero_p = KdfParams {
            parallelism: 0,
            ..KdfParams::DEFAULT
        };
        for p in [low_mem, low_t, high_mem, high_t, high_p, zero_p] {
            assert!(p.check().is_err(), "{p:?} should be refused");
        }
    }

    #[test]
    fn debug_output_redacts_keys_and_passwords() {
        let key = Key32::from_bytes([0xab; 32]);
        let pw = Password::new("hunter2");
        assert!(!format!("{key:?}").contains("ab"));
        assert!(!format!("{pw:?}").contains("hunter2"));
    }

    #[test]
    fn calibration_stays_within_the_floor_and_the_ceiling() {
        use std::time::Duration;
        let (fastest, _) = calibrate(Duration::ZERO).expect("calibrate");
        assert_eq!(fastest.iterations, KdfParams::DEFAULT.iterations);
        let (slowest, _) = calibrate(Duration::from_hours(1)).expect("calibrate");
        assert_eq!(slowest.iterations, KdfParams::CEILING.iterations);
        let (one_second, expected) = calibrate(Duration::from_secs(1)).expect("calibrate");
        assert!(one_second.check().is_ok());
        assert_eq!(
            (one_second.memory_kib, one_second.parallelism),
            (
                KdfParams::DEFAULT.memory_kib,
                KdfParams::DEFAULT.parallelism
            )
        );
        assert!(expected > Duration::ZERO);
    }
}
