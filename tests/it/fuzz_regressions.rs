//! Inputs for the readers that `fuzz/` fuzzes, one test per fuzz target:
//! the crashes the fuzzers found, fed to the same function, and hand-made
//! malformed inputs (truncated headers, an unclosed quote, a bad
//! signature, invalid JSON bodies) that must give errors, not panics.

use std::time::{Duration, Instant};

use qvault::crypto::recovery::RecoveryCode;
use qvault::import::{ImportError, csv, kdbx, legacy};
use qvault::store::format::{self, CORE_LEN, FormatError, HEADER_LEN};
use sha2::{Digest, Sha256};

/// A header-sized file with the magic and version and both digests
/// matching, everything else as `edit` leaves it.
fn header_with_digests(edit: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut bytes = vec![0u8; HEADER_LEN];
    bytes[..6].copy_from_slice(b"QVAULT");
    bytes[6..8].copy_from_slice(&1u16.to_le_bytes());
    edit(&mut bytes);
    let ciphertext_digest = Sha256::digest(&bytes[HEADER_LEN..]);
    bytes[CORE_LEN..CORE_LEN + 32].copy_from_slice(&ciphertext_digest);
    let header_digest = Sha256::digest(&bytes[..CORE_LEN + 32]);
    bytes[CORE_LEN + 32..HEADER_LEN].copy_from_slice(&header_digest);
    bytes
}

#[test]
fn malformed_vault_files_are_refused_as_damaged_or_not_a_vault() {
    let inputs: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"QV".to_vec(),
        b"QVAULT".to_vec(),
        b"QVAULT\x01".to_vec(),
        b"QVAULT\x01\x00".to_vec(),
        b"QVAULT\x00\x00 and then nothing of a header".to_vec(),
        b"QVAULT\x01\x00\x00\x00 a truncated header".to_vec(),
        vec![0xff; HEADER_LEN + 40],
        // Digests that match, then: a length that is not the file's, unknown
        // flags, KDF parameters of zero and of u32::MAX.
        header_with_digests(|b| b[186..194].copy_from_slice(&u64::MAX.to_le_bytes())),
        header_with_digests(|b| b[8..10].copy_from_slice(&0x8000u16.to_le_bytes())),
        header_with_digests(|_| {}),
        header_with_digests(|b| b[10..22].fill(0xff)),
    ];
    for input in &inputs {
        assert!(format::parse(input).is_err(), "{input:?}");
    }
    assert!(matches!(
        format::parse(b"KDBX"),
        Err(FormatError::NotAVault)
    ));
}

#[test]
fn a_vault_header_with_matching_digests_but_sealed_garbage_does_not_unlock() {
    let bytes = header_with_digests(|b| {
        b[10..14].copy_from_slice(&(19u32 * 1024).to_le_bytes());
        b[14..18].copy_from_slice(&2u32.to_le_bytes());
        b[18..22].copy_from_slice(&1u32.to_le_bytes());
        b[186..194].copy_from_slice(&40u64.to_le_bytes());
        b.extend_from_slice(&[7; 40]);
    });
    let sealed = format::parse(&bytes).expect("the structure is whole");
    let code =
        RecoveryCode::parse("V97J-G5WM-5XM4-1Z6Y-YMFC-50CF-BNGM-85VT").expect("a valid code");
    assert!(matches!(
        sealed.unlock_with_recovery(&code),
        Err(FormatError::WrongRecoveryCode)
    ));
}

#[test]
fn malformed_legacy_files_are_refused_before_any_key_derivation() {
    let inputs: [&[u8]; 9] = [
        b"",
        b"{",
        b"[1, 2]",
        b"\"secrets\"",
        b"{\"version\": \"0.3.1\"}",
        b"{\"key\": 5, \"secrets\": \"AAAA\"}",
        b"{\"key\": \"not base64!\", \"secrets\": \"AAAA\"}",
        b"{\"key\": \"AAAA\", \"secrets\": \"AAAA\", \"qr_required\": true}",
        b"\xEF\xBB\xBF{\"key\":\"\xff\"}",
    ];
    for input in inputs {
        let result = legacy::read(input, "password", None);
        assert!(result.is_err(), "{}", String::from_utf8_lossy(input));
    }
}

#[test]
fn opened_legacy_secrets_that_are_not_boxes_of_secrets_are_refused() {
    for json in [
        "",
        "{",
        "null",
        "[{\"name\": \"box\"}]",
        "{\"b1\": 7}",
        "{\"b1\": {\"secrets\": [1, 2]}}",
        "{\"b1\": {\"secrets\": {\"s1\": \"text\"}}}",
    ] {
        for version in [None, Some("0.2.6"), Some("0.1.6"), Some("x.y.z")] {
            let result = legacy::read_opened(version, json);
            assert!(
                matches!(result, Err(ImportError::Damaged(_))),
                "{version:?} {json}"
            );
        }
    }
    let odd = r#"{"b1": {"name": 5, "type": ["x"], "secrets": {"s1": {"fields": {"": [null, 1, {"": {}}], "cardNumber": -0.0}}}}}"#;
    assert!(legacy::read_opened(Some("0.2.6"), odd).is_ok());
}

#[test]
fn malformed_csv_exports_give_errors() {
    let inputs: [&[u8]; 7] = [
        b"",
        b"\xEF\xBB\xBF",
        b"name,url,username,password\n\"unclosed,https://example.org,ann,pw\n",
        b"name,url,username,password\nsite,https://example.org,ann,pw,extra,cells\n",
        b"\xff\xfe,header\n",
        b"just one column\nand a row\n",
        b"\0,\0\n",
    ];
    for input in inputs {
        assert!(
            csv::read(input).is_err(),
            "{}",
            String::from_utf8_lossy(input)
        );
    }
    assert!(csv::headers(b"").is_err());
}

fn read_kdbx(bytes: &[u8]) -> Result<qvault::import::Imported, ImportError> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("input.kdbx");
    std::fs::write(&path, bytes).expect("write input");
    kdbx::read(&path, Some("demopass"), None)
}

/// A `KeePass` 1 (`.kdb`) file: the two signature words, then `flags` and
/// `version` (where a KDBX file has its version), a header asking for
/// `rounds` AES-KDF rounds (at byte 120), and one cipher block.
fn kdb_file(flags_and_version: [u8; 8], rounds: u32) -> Vec<u8> {
    let mut bytes = [[0x03, 0xd9, 0xa2, 0x9a], [0x65, 0xfb, 0x4b, 0xb5]].concat();
    bytes.extend_from_slice(&flags_and_version);
    bytes.resize(120, 0x11);
    bytes.extend_from_slice(&rounds.to_le_bytes());
    bytes.extend_from_slice(&[0x55; 16]);
    bytes
}

/// Found by `kdbx_import` as a libFuzzer timeout (about 16,000 inputs in):
/// it turned a KDBX 4 file's second signature word into `KeePass` 1's. The
/// cost check walked that fixed header as KDBX fields, so the `keepass`
/// crate ran the 1.1 billion AES rounds it asked for (a `u32`: up to 4.3
/// billion, minutes of work) before anything else.
#[test]
fn a_keepass1_file_asking_for_billions_of_aes_rounds_is_refused_at_once() {
    let aes_flag = [2, 0, 0, 0, 4, 0, 3, 0];
    let looks_like_kdbx4 = [0, 0, 4, 0, 2, 0x10, 0, 0];
    for file in [
        kdb_file(aes_flag, u32::MAX),
        kdb_file(looks_like_kdbx4, 1_143_573_727),
    ] {
        let started = Instant::now();
        let result = read_kdbx(&file);
        assert!(matches!(result, Err(ImportError::Damaged(_))), "{result:?}");
        assert!(started.elapsed() < Duration::from_secs(30));
    }
    assert!(
        read_kdbx(&kdb_file(aes_flag, 6_000)).is_err(),
        "a bad contents hash"
    );
}

#[test]
fn malformed_keepass_files_give_errors() {
    let signature = [0x03, 0xd9, 0xa2, 0x9a];
    let kdbx4 = [0x03, 0xd9, 0xa2, 0x9a, 0x67, 0xfb, 0x4b, 0xb5, 0, 0, 4, 0];
    let mut cut_field = kdbx4.to_vec();
    cut_field.extend_from_slice(&[2, 0xff, 0xff, 0xff, 0x7f, 1, 2, 3]);
    let mut short_rounds = kdbx4.to_vec();
    short_rounds[10] = 3;
    short_rounds.extend_from_slice(&[6, 2, 0, 0xff, 0xff, 0, 0, 0]);

    let bad_signature = read_kdbx(b"\x03\xd9\xa2\x9b not KeePass");
    assert!(matches!(bad_signature, Err(ImportError::Unrecognised(_))));
    for input in [
        &signature[..],
        &kdbx4[..],
        &kdbx4[..11],
        &cut_field,
        &short_rounds,
    ] {
        assert!(read_kdbx(input).is_err(), "{input:?}");
    }
}

#[cfg(feature = "server")]
#[test]
fn invalid_sync_request_bodies_are_refused() {
    use data_encoding::BASE64;
    use qvault::server::auth::AuthKey;
    use qvault::sync::wire::{ChangeAuthKey, Credentials, parse_etag};

    for body in [
        &b""[..],
        b"{",
        b"[]",
        b"{\"email\": \"ann@example.org\"}",
        b"{\"email\": 1, \"auth_key\": \"AAAA\"}",
        b"{\"email\": \"a@b\", \"auth_key\": \"\xff\"}",
    ] {
        assert!(serde_json::from_slice::<Credentials>(body).is_err());
        assert!(serde_json::from_slice::<ChangeAuthKey>(body).is_err());
    }
    let short_key = BASE64.encode(&[1; 16]);
    for key in ["", "not base64!", "AAAA=", short_key.as_str()] {
        assert!(AuthKey::from_base64(key).is_err(), "{key}");
    }
    for etag in [
        "",
        "\"",
        "W/",
        "\"-1\"",
        "\"18446744073709551616\"",
        "\u{0}",
    ] {
        assert_eq!(parse_etag(etag), None, "{etag}");
    }
}
