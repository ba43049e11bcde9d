//! The original Qvault's `.qvault` files, read from the samples in
//! `../shared/testdata/qvault-legacy` with the keys of its `expected.json`.
//! Every unlock runs scrypt with N = 2^17, so each test unlocks sparingly.

use std::path::PathBuf;

use qvault::import::legacy::{looks_like_legacy, read};
use qvault::import::{ImportError, Imported, ImportedBox};
use qvault::vault::BoxKind;
use serde_json::Value;

const MODERN: &str = "legacy-0.3.1.qvault";
const WITH_QR: &str = "legacy-qr-0.3.1.qvault";
const OLD: &str = "legacy-0.2.6.qvault";
const SEED: &str = "abandon abandon abandon abandon abandon abandon \
                    abandon abandon abandon abandon abandon about";

fn testdata(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/testdata/qvault-legacy")
        .join(name)
}

fn file(name: &str) -> Vec<u8> {
    std::fs::read(testdata(name)).expect("the legacy sample files are in ../shared/testdata")
}

/// `expected.json`'s entry for one sample file.
fn expected(name: &str) -> Value {
    let text = std::fs::read_to_string(testdata("expected.json")).expect("expected.json");
    let all: Value = serde_json::from_str(&text).expect("expected.json is JSON");
    all["files"][name].clone()
}

fn expected_text(name: &str, key: &str) -> String {
    expected(name)[key]
        .as_str()
        .expect("a text entry")
        .to_owned()
}

fn counts(imported: &Imported) -> (u64, u64) {
    let secrets = imported
        .boxes
        .iter()
        .map(|b| b.secrets.len())
        .sum::<usize>();
    (imported.boxes.len() as u64, secrets as u64)
}

fn expected_counts(name: &str) -> (u64, u64) {
    let entry = expected(name);
    let count = |key: &str| entry[key].as_u64().expect("a count");
    (count("boxes"), count("secrets"))
}

fn named<'a>(imported: &'a Imported, name: &str) -> &'a ImportedBox {
    imported
        .boxes
        .iter()
        .find(|b| b.name == name)
        .unwrap_or_else(|| panic!("a box named {name}"))
}

/// Checks the contents the README lists for the two 0.3.1 files.
fn assert_sample_contents(imported: &Imported) {
    let logins = named(imported, "Web logins");
    assert_eq!(logins.kind, BoxKind::Passwords);
    let forum = logins
        .secrets
        .iter()
        .map(|s| &s.content)
        .find(|c| c.get("issuer") == "forum.example.org")
        .expect("the forum login");
    assert_eq!(forum.get("username"), "pat.sample");
    assert!(forum.get("notes").contains('\n') && forum.get("notes").contains(','));
    let wifi = logins
        .secrets
        .iter()
        .map(|s| &s.content)
        .find(|c| c.get("issuer") == "Wi-Fi Café ☕")
        .expect("the unicode login");
    assert_eq!(wifi.get("password"), "pässwörd-ünïcode");

    let cold = named(imported, "Cold storage");
    assert_eq!(cold.kind, BoxKind::CryptoBackups);
    assert_eq!(cold.secrets[0].content.get("seed"), SEED);

    let bank = named(imported, "Bank");
    assert_eq!(bank.kind, BoxKind::Financial);
    let cards = &bank.secrets[0].content.lists["cards"];
    assert_eq!(cards.len(), 1);
    assert_eq!(cards[0]["number"].as_str(), "4111 1111 1111 1111");
    let bank_login = &bank.secrets[0].content;
    assert!(!bank_login.get("name").is_empty() && !bank_login.get("routing_number").is_empty());
    assert_eq!(bank_login.lists["accounts"][0]["name"].as_str(), "checking");

    let notes = &named(imported, "Misc notes").secrets[0].content;
    assert_eq!(notes.get("name"), "Locker code");
    assert_eq!(notes.get("notes"), "31-07-19");

    let secrets = imported.boxes.iter().flat_map(|b| &b.secrets);
    assert!(
        secrets.clone().all(|s| s.content.custom.is_empty()),
        "every field of these files has a template field"
    );
    assert!(
        secrets.clone().any(|s| !s.content.get("totp").is_empty()),
        "2faSecret is totp"
    );
}

#[test]
fn a_0_3_1_file_opens_with_its_password_and_keeps_every_secret() {
    let imported = read(&file(MODERN), &expected_text(MODERN, "password"), None)
        .expect("the password opens it");
    assert_eq!(counts(&imported), expected_counts(MODERN));
    assert_sample_contents(&imported);
    assert!(imported.source.contains("0.3.1"));
    assert!(
        imported
            .boxes
            .iter()
            .flat_map(|b| &b.secrets)
            .all(|s| s.updated_ms.is_some()),
        "every secret keeps its updated time"
    );
}

#[test]
fn a_0_3_1_file_opens_with_its_char_key_instead_of_the_password() {
    let imported = read(&file(MODERN), &expected_text(MODERN, "char_key"), None)
        .expect("the char key opens it");
    assert_eq!(counts(&imported), expected_counts(MODERN));
}

#[test]
fn a_0_2_6_file_opens_and_its_display_name_keys_are_upgraded() {
    let imported =
        read(&file(OLD), &expected_text(OLD, "password"), None).expect("the password opens it");
    assert_eq!(counts(&imported), expected_counts(OLD));

    let old = named(&imported, "Old logins");
    assert_eq!(old.kind, BoxKind::Passwords);
    let content = &old.secrets[0].content;
    assert_eq!(content.get("username"), "old.user");
    assert!(!content.get("issuer").is_empty());
    assert!(!content.get("password").is_empty());
    assert!(
        content.custom.is_empty(),
        "every old key has a template field"
    );
}

#[test]
fn a_qr_file_opens_with_its_password_and_qr_key() {
    let qr_key = expected_text(WITH_QR, "qr_key");
    let imported = read(
        &file(WITH_QR),
        &expected_text(WITH_QR, "password"),
        Some(&qr_key),
    )
    .expect("password and QR key open it");
    assert_eq!(counts(&imported), expected_counts(WITH_QR));
    assert_sample_contents(&imported);
}

#[test]
fn a_qr_file_without_its_qr_key_asks_for_it() {
    let error = read(&file(WITH_QR), &expected_text(WITH_QR, "password"), None)
        .expect_err("the QR key is required");
    let ImportError::WrongKey(message) = &error else {
        panic!("expected WrongKey, got {error:?}");
    };
    assert!(
        message.contains("QR key") && message.contains("--qr-key-file"),
        "{message}"
    );
    assert_eq!(error.exit_code(), 2);
}

#[test]
fn a_qr_file_with_a_wrong_qr_key_is_refused() {
    let wrong_qr = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    let error = read(
        &file(WITH_QR),
        &expected_text(WITH_QR, "password"),
        Some(wrong_qr),
    )
    .expect_err("a wrong QR key does not open it");
    assert!(
        matches!(&error, ImportError::WrongKey(m) if m.contains("QR key")),
        "{error:?}"
    );
}

#[test]
fn a_wrong_password_is_refused_without_naming_it() {
    let error = read(&file(MODERN), "not-the-password", None).expect_err("refused");
    let ImportError::WrongKey(message) = &error else {
        panic!("expected WrongKey, got {error:?}");
    };
    assert!(message.contains("password or recovery code"), "{message}");
    assert!(!message.contains("not-the-password"));
}

#[test]
fn truncated_files_are_damaged_never_a_panic() {
    let bytes = file(MODERN);
    for len in [0, 1, 40, bytes.len() / 2, bytes.len() - 3] {
        let error = read(&bytes[..len], "Correct-Horse-9!", None).expect_err("truncated");
        assert!(
            matches!(error, ImportError::Damaged(_)),
            "at {len}: {error:?}"
        );
    }
}

#[test]
fn flipped_bytes_give_damaged_or_wrong_key_never_a_panic() {
    let bytes = file(MODERN);
    let secrets_at = find(&bytes, b"\"secrets\":\"") + 11;
    let key_at = find(&bytes, b"\"key\":\"") + 7;
    for at in [0, key_at + 20, secrets_at + 4, secrets_at + 200] {
        let mut damaged = bytes.clone();
        damaged[at] = if damaged[at] == b'A' { b'B' } else { b'A' };
        match read(&damaged, "Correct-Horse-9!", None) {
            Err(ImportError::Damaged(_) | ImportError::WrongKey(_)) => {}
            other => panic!("a flipped byte at {at} gave {other:?}"),
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
        .expect("the sample has this field")
}

#[test]
fn legacy_files_are_recognised_and_other_json_is_not() {
    assert!(looks_like_legacy(&file(MODERN)));
    assert!(looks_like_legacy(&file(OLD)));
    assert!(!looks_like_legacy(br#"{"secrets": {}, "key": "x"}"#));
    assert!(!looks_like_legacy(b"not json"));

    let error = read(br#"{"entries": []}"#, "pw", None).expect_err("not a Qvault file");
    assert!(matches!(error, ImportError::Unrecognised(_)), "{error:?}");
    let error = read(br#"{"key": "!!!", "secrets": "AAAA"}"#, "pw", None).expect_err("bad");
    assert!(matches!(error, ImportError::Damaged(_)), "{error:?}");
}
