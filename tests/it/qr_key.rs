//! The QR key second factor (FORMAT.md, flag bit 0): the vault file's rules,
//! the printed PNG reading back, the command line's answer, and the window
//! from Settings → "Require a QR key" to unlocking with password and key.

use egui_kittest::kittest::Queryable;
use qvault::crypto::qr_key::QrKey;
use qvault::crypto::recovery::RecoveryCode;
use qvault::crypto::{KdfParams, Password};
use qvault::store::format::{FLAG_QR_KEY, FormatError};
use qvault::store::{self, Credential, StoreError};

use crate::common::cli::{lines, sha256, with_vault};
use crate::common::ui::{app_harness, click, has_label, step_until, type_into};

const PASSWORD: &str = "qr key test password";

fn format_error(result: Result<store::Opened, StoreError>) -> FormatError {
    match result {
        Err(StoreError::Format { source, .. }) => source,
        Err(other) => panic!("expected a format error, got {other}"),
        Ok(_) => panic!("expected an error, the vault opened"),
    }
}

/// A vault in `dir` that requires a QR key; returns its QR key and code.
fn qr_vault(dir: &std::path::Path) -> (std::path::PathBuf, QrKey, RecoveryCode) {
    let path = dir.join("vault.qvault");
    let password = Password::new(PASSWORD);
    let (mut opened, code) = store::create(&path, &password, KdfParams::FLOOR).expect("create");
    opened
        .keys
        .set_qr_key(&password, Some(QrKey::generate().expect("random")), &code)
        .expect("require a QR key");
    let qr_key = opened.keys.qr_key().expect("the key is kept").clone();
    store::save(&path, &opened.keys, &opened.vault, Some(opened.fingerprint)).expect("save");
    (path, qr_key, code)
}

#[test]
fn a_vault_that_requires_a_qr_key_opens_only_with_both_or_the_recovery_code() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, qr_key, code) = qr_vault(dir.path());
    let password = Password::new(PASSWORD);
    let header = qvault::store::format::parse(&std::fs::read(&path).expect("read"))
        .expect("parse")
        .header;
    assert_eq!(header.flags, FLAG_QR_KEY);

    let alone = store::unlock(&path, &Credential::Password(password.clone()));
    assert!(matches!(format_error(alone), FormatError::QrKeyRequired));
    let other_key = QrKey::generate().expect("random");
    let wrong_key = store::unlock(
        &path,
        &Credential::PasswordAndQrKey(password.clone(), other_key),
    );
    assert!(matches!(
        format_error(wrong_key),
        FormatError::WrongPasswordOrQrKey
    ));
    let wrong_password = store::unlock(
        &path,
        &Credential::PasswordAndQrKey(Password::new("not it"), qr_key.clone()),
    );
    assert!(matches!(
        format_error(wrong_password),
        FormatError::WrongPasswordOrQrKey
    ));
    let both = store::unlock(
        &path,
        &Credential::PasswordAndQrKey(password.clone(), qr_key.clone()),
    )
    .expect("password and QR key open it");
    assert_eq!(both.keys.qr_key(), Some(&qr_key));

    // The recovery code opens it alone, and knows the QR key, so a new
    // password set after recovery still requires the same key.
    let mut recovered = store::unlock(&path, &Credential::RecoveryCode(code.clone()))
        .expect("the recovery code alone opens it");
    assert_eq!(recovered.keys.qr_key(), Some(&qr_key));
    let new_password = Password::new("a new password after recovery");
    recovered
        .keys
        .change_password(&new_password, KdfParams::FLOOR, &code)
        .expect("new password");
    store::save(
        &path,
        &recovered.keys,
        &recovered.vault,
        Some(recovered.fingerprint),
    )
    .expect("save");
    let alone = store::unlock(&path, &Credential::Password(new_password.clone()));
    assert!(matches!(format_error(alone), FormatError::QrKeyRequired));
    let mut opened = store::unlock(
        &path,
        &Credential::PasswordAndQrKey(new_password.clone(), qr_key.clone()),
    )
    .expect("the new password with the same QR key");

    // Removing the key needs the right password; then the password is enough.
    let before = opened.keys.header().clone();
    assert!(
        opened.keys.set_qr_key(&password, None, &code).is_err(),
        "old password"
    );
    assert_eq!(opened.keys.header(), &before);
    opened
        .keys
        .set_qr_key(&new_password, None, &code)
        .expect("remove");
    store::save(&path, &opened.keys, &opened.vault, Some(opened.fingerprint)).expect("save");
    store::unlock(&path, &Credential::Password(new_password)).expect("password alone");
}

#[test]
fn the_printed_qr_key_reads_back_from_its_png() {
    let key = QrKey::generate().expect("random");
    let png = qvault::qr::QrGrid::encode(&key.to_text())
        .and_then(|grid| grid.to_png())
        .expect("PNG");
    let text = qvault::qr::read_image(&png).expect("decode the PNG");
    assert_eq!(QrKey::parse(&text).expect("a QR key"), key);
}

#[test]
fn the_command_line_asks_for_the_qr_key_and_opens_with_its_image_or_text() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, qr_key, _) = qr_vault(dir.path());
    let before = sha256(&path);
    let run = with_vault(&path, &["ls"], &lines(&[PASSWORD]));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--qr-key FILE"), "{}", run.stderr);
    // Another vault's key is refused the same way.
    let other = dir.path().join("other.txt");
    std::fs::write(
        &other,
        QrKey::generate().expect("random").to_text().as_bytes(),
    )
    .expect("write");
    let run = with_vault(
        &path,
        &["ls", "--qr-key", other.to_str().expect("utf-8")],
        &lines(&[PASSWORD]),
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("wrong password or QR key"),
        "{}",
        run.stderr
    );
    // Text that is no QR key at all is named as such.
    std::fs::write(&other, "hello").expect("write");
    let run = with_vault(
        &path,
        &["ls", "--qr-key", other.to_str().expect("utf-8")],
        &lines(&[PASSWORD]),
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("not a Qvault QR key"), "{}", run.stderr);
    assert_eq!(sha256(&path), before);

    // The printed image opens it, and so does the key's text.
    let png = dir.path().join("qr-key.png");
    let bytes = qvault::qr::QrGrid::encode(&qr_key.to_text())
        .and_then(|grid| grid.to_png())
        .expect("PNG");
    std::fs::write(&png, bytes.as_slice()).expect("write");
    let run = with_vault(
        &path,
        &["ls", "--qr-key", png.to_str().expect("utf-8")],
        &lines(&[PASSWORD]),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    std::fs::write(&other, qr_key.to_text().as_bytes()).expect("write");
    let run = with_vault(
        &path,
        &["ls", "--qr-key", other.to_str().expect("utf-8")],
        &lines(&[PASSWORD]),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn settings_require_a_qr_key_then_unlocking_needs_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("vault.qvault");
    let (_, code) =
        store::create(&path, &Password::new(PASSWORD), KdfParams::FLOOR).expect("create");
    let mut harness = app_harness(dir.path());
    harness.run_steps(2);
    crate::common::ui::unlock_with_password(&mut harness, PASSWORD);

    click(&mut harness, "Settings");
    assert!(has_label(&harness, "Unlocking needs only the password."));
    click(&mut harness, "Require a QR key…");
    type_into(&mut harness, "Master password for the QR key", PASSWORD);
    click(&mut harness, "Make the QR key");
    step_until(&mut harness, "the QR key", |h| {
        h.query_by_label_contains("QR code: QR key").is_some()
    });
    // The key opens in the QR dialog, with Save as PNG.
    assert!(has_label(&harness, "Save as PNG"));
    assert!(has_label(
        &harness,
        "Unlocking needs the password and the QR key."
    ));
    step_until(&mut harness, "the save", |_| {
        let bytes = std::fs::read(&path).expect("read");
        qvault::store::format::parse(&bytes).is_ok_and(|s| s.header.flags == FLAG_QR_KEY)
    });
    let qr_text = store::unlock(&path, &Credential::RecoveryCode(code))
        .expect("recovery")
        .keys
        .qr_key()
        .expect("the key")
        .to_text();
    // Esc closes the QR dialog and Settings.
    harness.key_press(egui::Key::Escape);
    harness.run_steps(2);
    click(&mut harness, "Lock");

    // The password alone: the screen asks for the QR key.
    type_into(&mut harness, "Master password", PASSWORD);
    click(&mut harness, "Unlock");
    step_until(&mut harness, "the QR key request", |h| {
        h.query_by_label_contains("This vault needs its QR key")
            .is_some()
    });
    // The password typed before is kept: only the key is added.
    type_into(&mut harness, "QR key text", &qr_text);
    click(&mut harness, "Unlock");
    step_until(&mut harness, "the vault to unlock", |h| {
        h.state().is_unlocked()
    });
}
