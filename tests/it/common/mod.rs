//! Helpers shared by the integration tests: a small vault with cheap KDF
//! parameters, and a look at which files a folder holds.

#![allow(dead_code, reason = "each test file uses a different part")]

pub mod cli;
pub mod fake_sync;
#[cfg(feature = "server")]
pub mod server;
pub mod ui;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use qvault::crypto::recovery::RecoveryCode;
use qvault::crypto::{KdfParams, Password};
use qvault::store::{self, Opened};
use qvault::vault::{BoxKind, CustomField, ListItem, SecretContent, SecretText, Vault};
use tempfile::TempDir;

pub const PASSWORD: &str = "correct horse battery staple";

/// A vault file in its own temporary folder, unlocked.
pub struct TestVault {
    pub dir: TempDir,
    pub path: PathBuf,
    pub opened: Opened,
    pub code: RecoveryCode,
}

/// Creates a vault with the weakest allowed KDF (fast) and the sample
/// secrets, saved once after creation (so there is a backup too).
pub fn new_vault() -> TestVault {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("test.qvault");
    let password = Password::new(PASSWORD);
    let (mut opened, code) = store::create(&path, &password, KdfParams::FLOOR).expect("create");
    add_sample_secrets(&mut opened.vault);
    opened.fingerprint =
        store::save(&path, &opened.keys, &opened.vault, Some(opened.fingerprint)).expect("save");
    TestVault {
        dir,
        path,
        opened,
        code,
    }
}

/// A login with text that JSON must escape, and a bank with a card.
pub fn add_sample_secrets(vault: &mut Vault) {
    let logins = vault.add_box("Logins", BoxKind::Passwords).expect("box");
    let mut login = SecretContent::default();
    login.set("issuer", "example.org");
    login.set("username", "ann");
    login.set("password", "Zq!9 smoke, \"quoted\" \u{e9}\u{1f511}");
    login.set("notes", "line one\nline two");
    login.custom.push(CustomField {
        name: "api token".into(),
        value: SecretText::from("tok=123"),
        hidden: true,
    });
    vault.add_secret(logins, login).expect("secret");

    let banks = vault.add_box("Banks", BoxKind::Financial).expect("box");
    let mut bank = SecretContent::default();
    bank.set("name", "Bank");
    let card = ListItem::from([
        ("number".into(), SecretText::from("4111 1111 1111 1111")),
        ("cvc".into(), SecretText::from("123")),
    ]);
    bank.lists.insert("cards".into(), vec![card]);
    vault.add_secret(banks, bank).expect("secret");
}

/// The vault as JSON, to compare two vaults field by field.
pub fn as_json(vault: &Vault) -> String {
    serde_json::to_string(vault).expect("serialise")
}

/// The names of the files in a folder.
pub fn file_names(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .expect("read dir")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}
