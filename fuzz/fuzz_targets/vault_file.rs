//! The vault file reader, `qvault::store::format::parse`, on arbitrary bytes
//! and on a copy with both digests recomputed: the fuzzer cannot forge
//! SHA-256, so without the copy almost every input would stop at the header
//! checksum. Whatever parses is unlocked with a fixed recovery code (one
//! HKDF, cheap).
//!
//! The fixed password (and QR key) is tried only on inputs that are whole
//! as given (their own digests match) and whose KDF parameters are
//! `KdfParams::FLOOR`: one 19 MiB Argon2id run costs tens of milliseconds,
//! and trying it on every repaired copy slowed the target to about 50
//! inputs a second, for code (Argon2id, then one AEAD open) that the seeds
//! already cover. `seed.sh` writes such a seed.

#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use qvault::crypto::qr_key::QrKey;
use qvault::crypto::recovery::RecoveryCode;
use qvault::crypto::{KdfParams, Password};
use qvault::store::format::{self, CORE_LEN, HEADER_LEN};
use sha2::{Digest, Sha256};

/// The password `seed.sh` creates its vault with.
const PASSWORD: &str = "fuzz password";
/// A valid code (its checksum holds) that opens none of the seeds.
const RECOVERY_CODE: &str = "V97J-G5WM-5XM4-1Z6Y-YMFC-50CF-BNGM-85VT";
/// A valid QR key (the bytes 1 to 32), for headers whose flags ask for one.
const QR_KEY: &str = "QVAULT-QR-KEY-1:AEBAGBAFAYDQQCIKBMGA2DQPCAIREEYUCULBOGAZDINRYHI6D4QK4ILMFY";

static CODE: LazyLock<RecoveryCode> =
    LazyLock::new(|| RecoveryCode::parse(RECOVERY_CODE).expect("the fixed code is valid"));
static QR: LazyLock<QrKey> =
    LazyLock::new(|| QrKey::parse(QR_KEY).expect("the fixed QR key is valid"));

/// `bytes` with the ciphertext digest and then the header digest rewritten
/// to match; `None` when too short to have them or when they already match.
fn with_digests(bytes: &[u8]) -> Option<Vec<u8>> {
    let ciphertext = bytes.get(HEADER_LEN..)?;
    let mut fixed = bytes.to_vec();
    fixed[CORE_LEN..CORE_LEN + 32].copy_from_slice(&Sha256::digest(ciphertext));
    let header_digest = Sha256::digest(&fixed[..CORE_LEN + 32]);
    fixed[CORE_LEN + 32..HEADER_LEN].copy_from_slice(&header_digest);
    (fixed != bytes).then_some(fixed)
}

fn parse_and_unlock(bytes: &[u8], whole_as_given: bool) {
    let Ok(sealed) = format::parse(bytes) else {
        return;
    };
    let _ = sealed.unlock_with_recovery(&CODE);
    if whole_as_given && sealed.header.kdf == KdfParams::FLOOR {
        let _ = sealed.unlock_with_password(&Password::new(PASSWORD), Some(&QR));
    }
}

fuzz_target!(|data: &[u8]| {
    match with_digests(data) {
        Some(fixed) => {
            parse_and_unlock(data, false);
            parse_and_unlock(&fixed, false);
        }
        None => parse_and_unlock(data, true),
    }
});
