//! The vault file format: round trips, wrong credentials, damage of every
//! kind, hostile KDF parameters and the password change.

use std::fs;
use std::time::{Duration, Instant};

use crate::common::{PASSWORD, as_json, new_vault};
use qvault::crypto::recovery::RecoveryCode;
use qvault::crypto::{KdfParams, Password};
use qvault::store::format::{self, CORE_LEN, FormatError, HEADER_LEN};
use qvault::store::{self, Credential, StoreError};
use sha2::{Digest, Sha256};

/// Where the KDF parameters sit in the header (little-endian u32s).
const MEMORY_AT: usize = 10;
const ITERATIONS_AT: usize = 14;
const PARALLELISM_AT: usize = 18;

fn password(text: &str) -> Credential {
    Credential::Password(Password::new(text))
}

fn is_wrong_credential(err: &FormatError) -> bool {
    matches!(
        err,
        FormatError::WrongPassword | FormatError::WrongRecoveryCode
    )
}

/// Writes `value` into the header and recomputes the header digest, as a
/// careful attacker (or a buggy writer) would.
fn with_header_u32(bytes: &[u8], at: usize, value: u32) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out[at..at + 4].copy_from_slice(&value.to_le_bytes());
    let digest = Sha256::digest(&out[..CORE_LEN + 32]);
    out[CORE_LEN + 32..HEADER_LEN].copy_from_slice(&digest);
    out
}

#[test]
fn a_saved_vault_unlocks_to_the_same_content() {
    let test = new_vault();
    let opened = store::unlock(&test.path, &password(PASSWORD)).expect("unlock");
    assert_eq!(as_json(&opened.vault), as_json(&test.opened.vault));
    assert_eq!(opened.vault.secret_count(), 2);
    assert_eq!(opened.keys.header(), test.opened.keys.header());
    assert_eq!(opened.fingerprint, test.opened.fingerprint);
}

#[test]
fn a_wrong_password_is_refused_and_leaves_the_file_untouched() {
    let test = new_vault();
    let before = fs::read(&test.path).expect("read");
    let files_before = crate::common::file_names(test.dir.path());

    let err = store::unlock(&test.path, &password("correct horse battery stapler"))
        .expect_err("wrong password");
    assert!(
        matches!(
            err,
            StoreError::Format {
                source: FormatError::WrongPassword,
                backup: None
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.exit_code(), 2);
    assert!(!err.is_damaged());
    assert_eq!(fs::read(&test.path).expect("read"), before);
    assert_eq!(crate::common::file_names(test.dir.path()), files_before);
}

#[test]
fn the_recovery_code_unlocks_the_vault_and_another_code_does_not() {
    let test = new_vault();
    let typed = RecoveryCode::parse(&test.code.to_display_string()).expect("parse");
    let opened =
        store::unlock(&test.path, &Credential::RecoveryCode(typed)).expect("unlock by code");
    assert_eq!(as_json(&opened.vault), as_json(&test.opened.vault));

    let other = RecoveryCode::generate().expect("random");
    let err = store::unlock(&test.path, &Credential::RecoveryCode(other)).expect_err("wrong code");
    assert!(matches!(
        err,
        StoreError::Format {
            source: FormatError::WrongRecoveryCode,
            ..
        }
    ));
    assert_eq!(err.exit_code(), 2);
}

#[test]
fn every_single_byte_flip_is_rejected_as_damage() {
    let test = new_vault();
    let keys = &test.opened.keys;
    let bytes = keys.seal(&test.opened.vault).expect("seal");
    assert!(keys.open(&bytes).is_ok(), "the unflipped file must open");

    for offset in 0..bytes.len() {
        for mask in [0x01, 0x80, 0xff] {
            let mut flipped = bytes.clone();
            flipped[offset] ^= mask;
            match format::parse(&flipped) {
                Ok(_) => panic!("a flip of {mask:#x} at {offset} parsed"),
                Err(err) => assert!(!is_wrong_credential(&err), "{offset}: {err:?}"),
            }
            assert!(keys.open(&flipped).is_err(), "a flip at {offset} opened");
        }
    }
}

#[test]
fn every_truncation_and_a_trailing_byte_are_rejected() {
    let test = new_vault();
    let keys = &test.opened.keys;
    let bytes = fs::read(&test.path).expect("read");

    for len in 0..bytes.len() {
        let truncated = &bytes[..len];
        match format::parse(truncated) {
            Ok(_) => panic!("a file cut at {len} parsed"),
            Err(err) => assert!(!is_wrong_credential(&err), "{len}: {err:?}"),
        }
        assert!(keys.open(truncated).is_err(), "a file cut at {len} opened");
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(format::parse(&longer).is_err());
}

#[test]
fn kdf_parameters_outside_the_limits_are_refused_before_any_work() {
    let test = new_vault();
    let bytes = fs::read(&test.path).expect("read");
    let floor = KdfParams::FLOOR;
    let resealed = with_header_u32(&bytes, MEMORY_AT, floor.memory_kib);
    assert!(
        format::parse(&resealed).is_ok(),
        "recomputing the digest must keep a valid file"
    );

    let hostile = [
        (MEMORY_AT, u32::MAX),
        (MEMORY_AT, KdfParams::CEILING.memory_kib + 1),
        (MEMORY_AT, floor.memory_kib - 1),
        (ITERATIONS_AT, u32::MAX),
        (ITERATIONS_AT, KdfParams::CEILING.iterations + 1),
        (ITERATIONS_AT, floor.iterations - 1),
        (PARALLELISM_AT, KdfParams::CEILING.parallelism + 1),
        (PARALLELISM_AT, 0),
    ];
    for (at, value) in hostile {
        let crafted = with_header_u32(&bytes, at, value);
        let err = format::parse(&crafted).expect_err("hostile parameters");
        assert!(
            matches!(err, FormatError::BadKdfParams(_)),
            "{at}={value}: {err:?}"
        );

        fs::write(&test.path, &crafted).expect("write");
        let started = Instant::now();
        let err = store::unlock(&test.path, &password(PASSWORD)).expect_err("refused");
        assert!(
            started.elapsed() < Duration::from_millis(500),
            "{at}={value} ran the KDF"
        );
        assert!(err.is_damaged(), "{at}={value}: {err:?}");
        assert_eq!(err.exit_code(), 3);
    }
}

#[test]
fn an_unknown_format_version_and_a_foreign_file_are_refused() {
    let test = new_vault();
    let mut bytes = fs::read(&test.path).expect("read");
    bytes[6..8].copy_from_slice(&2u16.to_le_bytes());
    assert!(matches!(
        format::parse(&bytes),
        Err(FormatError::UnsupportedVersion(2))
    ));
    assert!(matches!(
        format::parse(b"PK\x03\x04 a zip file"),
        Err(FormatError::NotAVault)
    ));
}

#[test]
fn two_saves_of_the_same_vault_differ() {
    let test = new_vault();
    let keys = &test.opened.keys;
    let first = keys.seal(&test.opened.vault).expect("seal");
    let second = keys.seal(&test.opened.vault).expect("seal");
    assert_ne!(first, second);
    // The core ends with the payload nonce (12 bytes) and length (8 bytes);
    // everything before them (parameters and key slots) stays the same.
    let slots_end = CORE_LEN - 12 - 8;
    assert_eq!(first[..slots_end], second[..slots_end]);
    assert_ne!(
        first[slots_end..slots_end + 12],
        second[slots_end..slots_end + 12]
    );
    let first = keys.open(&first).expect("open");
    let second = keys.open(&second).expect("open");
    assert_eq!(as_json(&first), as_json(&second));
}

#[test]
fn a_new_password_retires_the_old_one_and_keeps_the_recovery_code() {
    let mut test = new_vault();
    let new_password = Password::new("a different passphrase");
    let opened = &mut test.opened;
    opened
        .keys
        .change_password(&new_password, KdfParams::FLOOR, &test.code)
        .expect("change");
    store::save(
        &test.path,
        &opened.keys,
        &opened.vault,
        Some(opened.fingerprint),
    )
    .expect("save");

    let err = store::unlock(&test.path, &password(PASSWORD)).expect_err("old password");
    assert!(matches!(
        err,
        StoreError::Format {
            source: FormatError::WrongPassword,
            ..
        }
    ));
    let by_password =
        store::unlock(&test.path, &Credential::Password(new_password)).expect("new password");
    assert_eq!(as_json(&by_password.vault), as_json(&opened.vault));
    let by_code = store::unlock(&test.path, &Credential::RecoveryCode(test.code.clone()))
        .expect("recovery code");
    assert_eq!(as_json(&by_code.vault), as_json(&opened.vault));
}
