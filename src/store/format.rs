//! The vault file format, version 1 (FORMAT.md has the byte layout).
//!
//! A fixed-size header carries the KDF parameters, two key slots that wrap
//! the vault key (password and recovery code), the payload nonce and length,
//! a SHA-256 of the ciphertext and a SHA-256 of the header. The payload is the
//! vault's JSON, length-prefixed and padded, sealed with AES-256-GCM-SIV under
//! the vault key with the header's core as associated data.

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::crypto::qr_key::QrKey;
use crate::crypto::recovery::RecoveryCode;
use crate::crypto::{
    self, CryptoError, KEY_LEN, KdfParams, Key32, NONCE_LEN, Password, SALT_LEN, TAG_LEN,
};
use crate::vault::Vault;

pub const MAGIC: &[u8; 6] = b"QVAULT";
pub const FORMAT_VERSION: u16 = 1;
const WRAPPED_LEN: usize = KEY_LEN + TAG_LEN;
/// Bytes covered by the slots' associated data: magic, version, flags, KDF.
const PARAMS_END: usize = 22;
/// Length of the header's core (the payload's associated data).
pub const CORE_LEN: usize = 194;
/// Length of the whole header: core, ciphertext digest, header digest.
pub const HEADER_LEN: usize = CORE_LEN + 32 + 32;
/// Refuse payloads above 1 GiB before reading them.
const MAX_PAYLOAD_LEN: u64 = 1 << 30;
const PAD_BLOCK: usize = 256;

const PASSWORD_SLOT_LABEL: &[u8] = b"qvault/v1/slot/password";
const RECOVERY_SLOT_LABEL: &[u8] = b"qvault/v1/slot/recovery";
const RECOVERY_KEK_LABEL: &str = "qvault/v1/recovery-kek";
const PASSWORD_QR_KEK_LABEL: &str = "qvault/v1/password-qr-kek";
/// Header flag: the password slot also needs the QR key.
pub const FLAG_QR_KEY: u16 = 1;

/// Why a vault file could not be read. Nothing here holds secret data.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error("this is not a Qvault vault file")]
    NotAVault,
    #[error("this vault was written by a newer Qvault (format {0}); update Qvault to open it")]
    UnsupportedVersion(u16),
    #[error("the vault file is damaged: {0}")]
    Damaged(&'static str),
    #[error("the vault file is damaged: {0}")]
    BadKdfParams(CryptoError),
    #[error("wrong password")]
    WrongPassword,
    #[error("wrong recovery code")]
    WrongRecoveryCode,
    #[error("this vault needs its QR key as well as the password")]
    QrKeyRequired,
    #[error("wrong password or QR key")]
    WrongPasswordOrQrKey,
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

/// One key slot: the vault key wrapped under a key-encryption key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub salt: [u8; SALT_LEN],
    pub nonce: [u8; NONCE_LEN],
    pub wrapped: [u8; WRAPPED_LEN],
}

/// The header fields that stay the same from one save to the next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub flags: u16,
    pub kdf: KdfParams,
    pub password_slot: Slot,
    pub recovery_slot: Slot,
}

/// What an unlocked vault needs to save itself: the vault key, the slots and,
/// when the vault requires one, the QR key (to rewrap the password slot).
/// Dropping it wipes the keys.
#[derive(Debug, Clone)]
pub struct VaultKeys {
    vault_key: Key32,
    header: Header,
    qr_key: Option<QrKey>,
}

impl Header {
    pub fn requires_qr_key(&self) -> bool {
        self.flags & FLAG_QR_KEY != 0
    }
}

/// The password slot's key-encryption key: Argon2id of the password, mixed
/// with the QR key through HKDF when the vault requires one.
fn password_kek(
    password: &Password,
    salt: &[u8; SALT_LEN],
    kdf: KdfParams,
    qr_key: Option<&QrKey>,
) -> Result<Key32, CryptoError> {
    let stretched = crypto::argon2id(password, salt, kdf)?;
    let Some(qr_key) = qr_key else {
        return Ok(stretched);
    };
    let mut ikm = Zeroizing::new([0u8; 2 * KEY_LEN]);
    ikm[..KEY_LEN].copy_from_slice(stretched.as_bytes());
    ikm[KEY_LEN..].copy_from_slice(qr_key.as_bytes());
    Ok(crypto::hkdf(ikm.as_slice(), salt, PASSWORD_QR_KEK_LABEL))
}

/// A file that parsed and whose digests match, not yet decrypted.
#[derive(Debug)]
pub struct SealedVault<'a> {
    pub header: Header,
    core: &'a [u8],
    payload_nonce: [u8; NONCE_LEN],
    ciphertext: &'a [u8],
}

fn params_prefix(flags: u16, kdf: KdfParams) -> [u8; PARAMS_END] {
    let mut out = [0u8; PARAMS_END];
    out[..6].copy_from_slice(MAGIC);
    out[6..8].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    out[8..10].copy_from_slice(&flags.to_le_bytes());
    out[10..14].copy_from_slice(&kdf.memory_kib.to_le_bytes());
    out[14..18].copy_from_slice(&kdf.iterations.to_le_bytes());
    out[18..22].copy_from_slice(&kdf.parallelism.to_le_bytes());
    out
}

fn slot_aad(prefix: &[u8; PARAMS_END], label: &[u8]) -> Vec<u8> {
    [prefix.as_slice(), label].concat()
}

fn wrap(
    kek: &Key32,
    vault_key: &Key32,
    aad: &[u8],
    salt: [u8; SALT_LEN],
) -> Result<Slot, CryptoError> {
    let nonce = crypto::random_array::<NONCE_LEN>()?;
    let sealed = crypto::seal(kek, &nonce, aad, vault_key.as_bytes())?;
    let wrapped = sealed
        .as_slice()
        .try_into()
        .map_err(|_| CryptoError::Encrypt)?;
    Ok(Slot {
        salt,
        nonce,
        wrapped,
    })
}

fn unwrap(kek: &Key32, slot: &Slot, aad: &[u8]) -> Option<Key32> {
    let key = crypto::open(kek, &slot.nonce, aad, &slot.wrapped).ok()?;
    let bytes: [u8; KEY_LEN] = key.as_slice().try_into().ok()?;
    Some(Key32::from_bytes(bytes))
}

fn recovery_kek(code: &RecoveryCode, salt: &[u8; SALT_LEN]) -> Key32 {
    crypto::hkdf(code.as_bytes(), salt, RECOVERY_KEK_LABEL)
}

impl VaultKeys {
    /// A new vault key wrapped for `password` and for a fresh recovery code.
    /// Runs Argon2id once.
    pub fn create(
        password: &Password,
        kdf: KdfParams,
    ) -> Result<(Self, RecoveryCode), CryptoError> {
        let vault_key = Key32::random()?;
        let code = RecoveryCode::generate()?;
        let prefix = params_prefix(0, kdf);

        let salt = crypto::random_array::<SALT_LEN>()?;
        let kek = crypto::argon2id(password, &salt, kdf)?;
        let password_slot = wrap(
            &kek,
            &vault_key,
            &slot_aad(&prefix, PASSWORD_SLOT_LABEL),
            salt,
        )?;

        let salt = crypto::random_array::<SALT_LEN>()?;
        let kek = recovery_kek(&code, &salt);
        let recovery_slot = wrap(
            &kek,
            &vault_key,
            &slot_aad(&prefix, RECOVERY_SLOT_LABEL),
            salt,
        )?;

        let header = Header {
            flags: 0,
            kdf,
            password_slot,
            recovery_slot,
        };
        Ok((
            Self {
                vault_key,
                header,
                qr_key: None,
            },
            code,
        ))
    }

    pub fn header(&self) -> &Header {
        &self.header
    }

    /// Rewraps the vault key for a new password (new salt, maybe new KDF
    /// parameters). The recovery slot is rewrapped too, since its associated
    /// data binds the KDF parameters.
    pub fn change_password(
        &mut self,
        password: &Password,
        kdf: KdfParams,
        code: &RecoveryCode,
    ) -> Result<(), CryptoError> {
        let qr_key = self.qr_key.clone();
        self.rewrap(password, kdf, qr_key, code)
    }

    /// The QR key this vault requires, if any.
    pub fn qr_key(&self) -> Option<&QrKey> {
        self.qr_key.as_ref()
    }

    /// Requires `qr_key` from now on (a new one rotates it), or no QR key
    /// with `None`. Checks `password` against the current slot first, so a
    /// mistyped password can never be written into the new slot.
    pub fn set_qr_key(
        &mut self,
        password: &Password,
        qr_key: Option<QrKey>,
        code: &RecoveryCode,
    ) -> Result<(), CryptoError> {
        if !self.verify_password(password)? {
            return Err(CryptoError::WrongPassword);
        }
        let kdf = self.header.kdf;
        self.rewrap(password, kdf, qr_key, code)
    }

    /// New salts and nonces for both slots, for this password, parameters
    /// and QR key (the flags follow the QR key).
    fn rewrap(
        &mut self,
        password: &Password,
        kdf: KdfParams,
        qr_key: Option<QrKey>,
        code: &RecoveryCode,
    ) -> Result<(), CryptoError> {
        kdf.check()?;
        // The code must open the current recovery slot: a code that drifted
        // from the slot would silently lock the user out of recovery.
        let old_prefix = params_prefix(self.header.flags, self.header.kdf);
        let slot = &self.header.recovery_slot;
        let opens = unwrap(
            &recovery_kek(code, &slot.salt),
            slot,
            &slot_aad(&old_prefix, RECOVERY_SLOT_LABEL),
        )
        .is_some_and(|key| key.as_bytes() == self.vault_key.as_bytes());
        if !opens {
            return Err(CryptoError::RecoveryCodeMismatch);
        }
        let flags = if qr_key.is_some() {
            self.header.flags | FLAG_QR_KEY
        } else {
            self.header.flags & !FLAG_QR_KEY
        };
        let prefix = params_prefix(flags, kdf);
        let salt = crypto::random_array::<SALT_LEN>()?;
        let kek = password_kek(password, &salt, kdf, qr_key.as_ref())?;
        let password_slot = wrap(
            &kek,
            &self.vault_key,
            &slot_aad(&prefix, PASSWORD_SLOT_LABEL),
            salt,
        )?;
        let salt = crypto::random_array::<SALT_LEN>()?;
        let kek = recovery_kek(code, &salt);
        let recovery_slot = wrap(
            &kek,
            &self.vault_key,
            &slot_aad(&prefix, RECOVERY_SLOT_LABEL),
            salt,
        )?;
        self.header = Header {
            flags,
            kdf,
            password_slot,
            recovery_slot,
        };
        self.qr_key = qr_key;
        Ok(())
    }

    /// Serialises and encrypts the vault into the bytes of a whole file.
    /// Never runs the KDF. Two calls never give the same bytes.
    pub fn seal(&self, vault: &Vault) -> Result<Vec<u8>, SealError> {
        let plaintext = padded_json(vault, self.qr_key.as_ref())?;
        let nonce = crypto::random_array::<NONCE_LEN>()?;
        let ct_len = plaintext.len() + TAG_LEN;

        let mut file = Vec::with_capacity(HEADER_LEN + ct_len);
        file.extend_from_slice(&params_prefix(self.header.flags, self.header.kdf));
        for slot in [&self.header.password_slot, &self.header.recovery_slot] {
            file.extend_from_slice(&slot.salt);
            file.extend_from_slice(&slot.nonce);
            file.extend_from_slice(&slot.wrapped);
        }
        file.extend_from_slice(&nonce);
        file.extend_from_slice(&(ct_len as u64).to_le_bytes());
        debug_assert_eq!(file.len(), CORE_LEN);

        let ciphertext = crypto::seal(&self.vault_key, &nonce, &file, &plaintext)?;
        file.extend_from_slice(&Sha256::digest(&ciphertext));
        let header_digest = Sha256::digest(&file);
        file.extend_from_slice(&header_digest);
        file.extend_from_slice(&ciphertext);
        Ok(file)
    }
}

/// Why a vault could not be encrypted.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("failed to serialise the vault")]
    Serialise,
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

/// A byte buffer that wipes its old allocation whenever it has to grow, so
/// serialising secrets leaves no copies in freed memory.
struct WipingBuffer(Zeroizing<Vec<u8>>);

impl std::io::Write for WipingBuffer {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let needed = self.0.len() + data.len();
        if needed > self.0.capacity() {
            let mut bigger = Zeroizing::new(Vec::with_capacity(needed.max(2 * self.0.capacity())));
            bigger.extend_from_slice(&self.0);
            self.0 = bigger; // the old buffer is zeroized as it drops
        }
        self.0.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Length prefix, JSON, zeros up to a 256-byte block plus 0–255 random bytes,
/// built in one buffer.
///
/// The QR key, when the vault requires one, travels in the payload beside
/// the vault's own fields (a key `qr_key`), so that a vault opened with the
/// recovery code can still rewrap its password slot. It adds nothing for
/// whoever holds the vault key, who can read every secret anyway.
fn padded_json(vault: &Vault, qr_key: Option<&QrKey>) -> Result<Zeroizing<Vec<u8>>, SealError> {
    #[derive(serde::Serialize)]
    struct WithQrKey<'a> {
        #[serde(flatten)]
        vault: &'a Vault,
        qr_key: &'a str,
    }
    let estimate = 4096 + 384 * vault.secret_count();
    let mut buffer = WipingBuffer(Zeroizing::new(Vec::with_capacity(estimate)));
    buffer.0.extend_from_slice(&[0; 4]);
    let written = match qr_key {
        None => serde_json::to_writer(&mut buffer, vault),
        Some(key) => {
            let text = key.to_text();
            serde_json::to_writer(
                &mut buffer,
                &WithQrKey {
                    vault,
                    qr_key: &text,
                },
            )
        }
    };
    written.map_err(|_| SealError::Serialise)?;
    let mut out = buffer.0;
    let json_len = u32::try_from(out.len() - 4).map_err(|_| SealError::Serialise)?;
    out[..4].copy_from_slice(&json_len.to_le_bytes());
    let [extra] = crypto::random_array::<1>()?;
    let total = out.len().div_ceil(PAD_BLOCK) * PAD_BLOCK + usize::from(extra);
    if total > out.capacity() {
        let mut bigger = Zeroizing::new(Vec::with_capacity(total));
        bigger.extend_from_slice(&out);
        out = bigger;
    }
    out.resize(total, 0);
    Ok(out)
}

fn unpad(plaintext: &[u8]) -> Option<&[u8]> {
    let len_bytes: [u8; 4] = plaintext.get(..4)?.try_into().ok()?;
    let len = usize::try_from(u32::from_le_bytes(len_bytes)).ok()?;
    plaintext.get(4..4 + len)
}

fn read_array<const N: usize>(bytes: &[u8], at: &mut usize) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(&bytes[*at..*at + N]);
    *at += N;
    out
}

fn read_u32(bytes: &[u8], at: &mut usize) -> u32 {
    u32::from_le_bytes(read_array(bytes, at))
}

fn read_slot(bytes: &[u8], at: &mut usize) -> Slot {
    Slot {
        salt: read_array(bytes, at),
        nonce: read_array(bytes, at),
        wrapped: read_array(bytes, at),
    }
}

/// Checks the structure and digests of a file; no key needed, no KDF run.
pub fn parse(bytes: &[u8]) -> Result<SealedVault<'_>, FormatError> {
    let prefix_len = bytes.len().min(MAGIC.len());
    if bytes[..prefix_len] != MAGIC[..prefix_len] {
        return Err(FormatError::NotAVault);
    }
    if bytes.len() < MAGIC.len() + 2 {
        return Err(FormatError::Damaged("the file is truncated"));
    }
    let version = u16::from_le_bytes([bytes[6], bytes[7]]);
    if version != FORMAT_VERSION {
        if version > FORMAT_VERSION {
            return Err(FormatError::UnsupportedVersion(version));
        }
        return Err(FormatError::Damaged("the format version is invalid"));
    }
    if bytes.len() < HEADER_LEN {
        return Err(FormatError::Damaged("the file is truncated"));
    }
    let (header_bytes, ciphertext) = bytes.split_at(HEADER_LEN);
    let (covered, header_digest) = header_bytes.split_at(CORE_LEN + 32);
    if Sha256::digest(covered).as_slice() != header_digest {
        return Err(FormatError::Damaged("the header checksum does not match"));
    }
    let (core, ct_digest) = covered.split_at(CORE_LEN);

    let mut at = 8;
    let flags = u16::from_le_bytes(read_array(core, &mut at));
    let kdf = KdfParams {
        memory_kib: read_u32(core, &mut at),
        iterations: read_u32(core, &mut at),
        parallelism: read_u32(core, &mut at),
    };
    let password_slot = read_slot(core, &mut at);
    let recovery_slot = read_slot(core, &mut at);
    let payload_nonce = read_array(core, &mut at);
    let ct_len = u64::from_le_bytes(read_array(core, &mut at));

    if flags & !FLAG_QR_KEY != 0 {
        return Err(FormatError::Damaged("the header has unknown flags"));
    }
    if ct_len > MAX_PAYLOAD_LEN || ct_len != ciphertext.len() as u64 {
        return Err(FormatError::Damaged(
            "the file is truncated or has trailing bytes",
        ));
    }
    if Sha256::digest(ciphertext).as_slice() != ct_digest {
        return Err(FormatError::Damaged(
            "the encrypted data does not match its checksum",
        ));
    }
    kdf.check().map_err(FormatError::BadKdfParams)?;

    let header = Header {
        flags,
        kdf,
        password_slot,
        recovery_slot,
    };
    Ok(SealedVault {
        header,
        core,
        payload_nonce,
        ciphertext,
    })
}

impl SealedVault<'_> {
    /// Unlocks with the master password (runs Argon2id).
    /// Unlocks with the master password (runs Argon2id) and, when the vault
    /// requires it, the QR key (ignored when it does not).
    pub fn unlock_with_password(
        &self,
        password: &Password,
        qr_key: Option<&QrKey>,
    ) -> Result<(Vault, VaultKeys), FormatError> {
        let qr_key = if self.header.requires_qr_key() {
            Some(qr_key.ok_or(FormatError::QrKeyRequired)?)
        } else {
            None
        };
        let slot = &self.header.password_slot;
        let kek = password_kek(password, &slot.salt, self.header.kdf, qr_key)?;
        let aad = slot_aad(
            &params_prefix(self.header.flags, self.header.kdf),
            PASSWORD_SLOT_LABEL,
        );
        let wrong = if qr_key.is_some() {
            FormatError::WrongPasswordOrQrKey
        } else {
            FormatError::WrongPassword
        };
        let vault_key = unwrap(&kek, slot, &aad).ok_or(wrong)?;
        self.decrypt(vault_key)
    }

    /// Unlocks with the recovery code (no slow KDF: the code has 128 bits).
    pub fn unlock_with_recovery(
        &self,
        code: &RecoveryCode,
    ) -> Result<(Vault, VaultKeys), FormatError> {
        let slot = &self.header.recovery_slot;
        let kek = recovery_kek(code, &slot.salt);
        let aad = slot_aad(
            &params_prefix(self.header.flags, self.header.kdf),
            RECOVERY_SLOT_LABEL,
        );
        let vault_key = unwrap(&kek, slot, &aad).ok_or(FormatError::WrongRecoveryCode)?;
        self.decrypt(vault_key)
    }

    /// Decrypts the payload with an already known vault key.
    pub fn decrypt(&self, vault_key: Key32) -> Result<(Vault, VaultKeys), FormatError> {
        let plaintext =
            crypto::open(&vault_key, &self.payload_nonce, self.core, self.ciphertext)
                .map_err(|_| FormatError::Damaged("the encrypted data fails authentication"))?;
        let json = unpad(&plaintext).ok_or(FormatError::Damaged("the payload is malformed"))?;
        let vault: Vault = serde_json::from_slice(json)
            .map_err(|_| FormatError::Damaged("the payload is not a valid vault"))?;
        let qr_key = if self.header.requires_qr_key() {
            Some(payload_qr_key(json)?)
        } else {
            None
        };
        Ok((
            vault,
            VaultKeys {
                vault_key,
                header: self.header.clone(),
                qr_key,
            },
        ))
    }
}

/// The QR key kept in a payload of a vault that requires one (a second,
/// skipping pass over the JSON, only for such vaults).
fn payload_qr_key(json: &[u8]) -> Result<QrKey, FormatError> {
    #[derive(serde::Deserialize)]
    struct OnlyQrKey {
        qr_key: Option<crate::vault::SecretText>,
    }
    let missing = FormatError::Damaged("the vault requires a QR key its data does not hold");
    let only: OnlyQrKey = serde_json::from_slice(json).map_err(|_| missing)?;
    only.qr_key
        .and_then(|text| QrKey::parse(text.as_str()).ok())
        .ok_or(FormatError::Damaged(
            "the vault requires a QR key its data does not hold",
        ))
}

impl VaultKeys {
    /// Whether `password` opens this vault's password slot (runs Argon2id;
    /// with the QR key when the vault requires one).
    pub fn verify_password(&self, password: &Password) -> Result<bool, CryptoError> {
        let slot = &self.header.password_slot;
        let kek = password_kek(password, &slot.salt, self.header.kdf, self.qr_key.as_ref())?;
        let aad = slot_aad(
            &params_prefix(self.header.flags, self.header.kdf),
            PASSWORD_SLOT_LABEL,
        );
        Ok(unwrap(&kek, slot, &aad).is_some_and(|key| key.as_bytes() == self.vault_key.as_bytes()))
    }

    /// Checks that `bytes` are a whole, authentic vault under this key (digests
    /// and AEAD tag) without deserialising it: the read-back check of a save.
    pub fn verify(&self, bytes: &[u8]) -> Result<(), FormatError> {
        let sealed = parse(bytes)?;
        crypto::open(
            &self.vault_key,
            &sealed.payload_nonce,
            sealed.core,
            sealed.ciphertext,
        )
        .map(drop)
        .map_err(|_| FormatError::Damaged("the encrypted data fails authentication"))
    }

    /// Opens a copy of this vault whose slots were rewrapped (another
    /// password, QR key or KDF cost: the vault key stays the same), with no
    /// password; returns its keys too.
    pub fn open_rewrapped(
        &self,
        sealed: &SealedVault<'_>,
    ) -> Result<(Vault, VaultKeys), FormatError> {
        sealed.decrypt(self.vault_key.clone())
    }

    /// Unwraps nothing: used by tests and benchmarks that already hold the keys.
    pub fn open(&self, bytes: &[u8]) -> Result<Vault, FormatError> {
        let sealed = parse(bytes)?;
        sealed
            .decrypt(self.vault_key.clone())
            .map(|(vault, _)| vault)
    }
}
