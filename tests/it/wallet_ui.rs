//! Crypto wallets in the window, driven by their labels with `egui_kittest`:
//! a new wallet with the backup check, and an imported seed with a mistyped
//! word, checked against the BIP84 and BIP86 vectors in
//! `../shared/testdata/bip39_bip32`.

use crate::common::ui::{app_harness, clear, click, create_box, has_label, step_until, type_into};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use qvault::crypto::{KdfParams, Password};
use qvault::ui::QvaultApp;
use qvault::wallet::{Account, Coin, Purpose, mnemonic};
use serde_json::Value;

const PASSWORD: &str = "wallet window test passphrase 7";

const TESTDATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/testdata/bip39_bip32"
);

/// The BIP84 vector: mnemonic, account 0 zpub and the first address.
fn bip84_vector() -> (String, String, String) {
    let text = std::fs::read_to_string(format!("{TESTDATA}/bip49_bip84_vectors.json"))
        .expect("the BIP84 vectors are in ../shared/testdata");
    let json: Value = serde_json::from_str(&text).expect("json");
    let v = &json["bip84_from_text"];
    let s = |value: &Value| value.as_str().expect("a string").to_owned();
    (
        s(&v["mnemonic"]),
        s(&v["account0_xpub"]),
        s(&v["addresses"][0]["address"]),
    )
}

/// A window unlocked on a new, empty vault (cheap KDF), with one Crypto
/// Wallets box selected.
fn unlocked_with_wallet_box(dir: &std::path::Path) -> Harness<'static, QvaultApp> {
    let path = dir.join("vault.qvault");
    qvault::store::create(&path, &Password::new(PASSWORD), KdfParams::FLOOR).expect("create");
    let mut harness = app_harness(dir);
    harness.run_steps(2);
    crate::common::ui::unlock_with_password(&mut harness, PASSWORD);
    create_box(&mut harness, "Wallets", "Crypto Wallets");
    harness
}

fn label_values(harness: &Harness<'_, QvaultApp>) -> Vec<String> {
    harness
        .query_all_by_role(Role::Label)
        .filter_map(|node| node.accesskit_node().label().or_else(|| node.value()))
        .collect()
}

/// The numbered words of the grid, "1. word", in order.
fn words_on_screen(harness: &Harness<'_, QvaultApp>) -> Vec<String> {
    let mut numbered: Vec<(usize, String)> = label_values(harness)
        .iter()
        .filter_map(|text| {
            let (number, word) = text.trim().split_once(". ")?;
            let number = number.parse().ok()?;
            mnemonic::is_word(word).then(|| (number, word.to_owned()))
        })
        .collect();
    numbered.sort();
    numbered.into_iter().map(|(_, word)| word).collect()
}

/// The positions (1-based) the backup check asks for, from "Word N" labels.
fn asked_positions(harness: &Harness<'_, QvaultApp>) -> Vec<usize> {
    label_values(harness)
        .iter()
        .filter_map(|text| text.strip_prefix("Word ")?.parse().ok())
        .collect()
}

fn saved_vault(dir: &std::path::Path) -> qvault::vault::Vault {
    let password = qvault::store::Credential::Password(Password::new(PASSWORD));
    qvault::store::unlock(&dir.join("vault.qvault"), &password)
        .expect("the saved vault opens")
        .vault
}

#[test]
fn a_new_wallet_is_saved_only_after_three_words_of_the_backup_are_typed_back() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut harness = unlocked_with_wallet_box(dir.path());

    click(&mut harness, "New wallet");
    clear(&mut harness, "Wallet name");
    type_into(&mut harness, "Wallet name", "Savings");
    click(&mut harness, "12 words");
    type_into(&mut harness, "BIP39 passphrase (optional)", "TREZOR");
    click(&mut harness, "Generate words");
    let words = words_on_screen(&harness);
    assert_eq!(words.len(), 12, "a numbered grid of 12 words");
    let phrase = words.join(" ");
    assert!(
        mnemonic::check(&phrase).is_ok(),
        "the grid is a valid phrase"
    );
    click(&mut harness, "I have written them down");

    let positions = asked_positions(&harness);
    assert_eq!(positions.len(), 3, "three words are asked for");
    assert!(
        words_on_screen(&harness).is_empty(),
        "the words are hidden now"
    );
    assert!(
        harness
            .get_by_label("Save wallet")
            .accesskit_node()
            .is_disabled(),
        "nothing is saved before the check"
    );

    // A wrong word is flagged and keeps Save disabled.
    let wrong = if words[positions[0] - 1] == "zoo" {
        "abandon"
    } else {
        "zoo"
    };
    type_into(&mut harness, &format!("Word {}", positions[0]), wrong);
    for &position in &positions[1..] {
        type_into(
            &mut harness,
            &format!("Word {position}"),
            &words[position - 1],
        );
    }
    assert!(has_label(&harness, "does not match"));
    assert!(
        harness
            .get_by_label("Save wallet")
            .accesskit_node()
            .is_disabled()
    );
    click(&mut harness, "Save wallet");
    assert!(has_label(&harness, "Wallets (0)"));

    clear(&mut harness, &format!("Word {}", positions[0]));
    type_into(
        &mut harness,
        &format!("Word {}", positions[0]),
        &words[positions[0] - 1],
    );
    assert!(
        !harness
            .get_by_label("Save wallet")
            .accesskit_node()
            .is_disabled()
    );
    click(&mut harness, "Save wallet");
    assert!(has_label(&harness, "Wallets (1)"));

    // The wallet's keys, derived from the same words, are on screen.
    // With the passphrase: a different wallet from the same words.
    let account = Account::from_phrase(
        &mnemonic::check(&phrase).expect("valid"),
        "TREZOR",
        Coin::Bitcoin,
        Purpose::Bip84,
        0,
    )
    .expect("derive");
    assert!(
        has_label(&harness, "BIP39 passphrase"),
        "the passphrase was kept"
    );
    assert!(has_label(&harness, &account.slip132_xpub()), "the zpub");
    let first = account.addresses(0, 1).expect("address").remove(0);
    assert!(has_label(&harness, &first), "receive address 0");
    assert!(has_label(&harness, &account.master_fingerprint()));

    // Its QR code, with the address printed under it.
    click(&mut harness, "QR code of Address 0");
    assert!(has_label(&harness, "QR code: Address 0"));
    assert!(
        has_label(&harness, &format!("BITCOIN:{}", first.to_uppercase())),
        "the code carries a bitcoin: URI, upper-cased for bech32"
    );
    assert!(harness.query_by_role(Role::Image).is_some());
    click(&mut harness, "Close");

    // "Show more" lists ten more.
    assert!(!has_label(&harness, "Address 10"));
    click(&mut harness, "Show more addresses");
    assert!(has_label(&harness, "Address 19"));

    // The words reach the file, as the seed of a Crypto Wallets secret.
    step_until(&mut harness, "the autosave", |h| has_label(h, "Saved"));
    let vault = saved_vault(dir.path());
    let (_, secret) = vault
        .find_by_title("Savings")
        .expect("the wallet was saved");
    assert_eq!(secret.content.get("seed"), phrase);
    assert_eq!(secret.content.get("coin"), "Bitcoin");
    assert_eq!(secret.content.get("passphrase"), "TREZOR");
}

#[test]
fn an_imported_seed_names_its_problem_is_refused_until_fixed_and_matches_the_vectors() {
    let (vector, zpub, address) = bip84_vector();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut harness = unlocked_with_wallet_box(dir.path());

    click(&mut harness, "Import seed");
    type_into(&mut harness, "Name", "Imported");

    // A mistyped third word: its position and the nearest words are named.
    let typo = vector.replacen("abandon abandon abandon", "abandon abandon abandn", 1);
    type_into(&mut harness, "Seed words", &typo);
    assert!(
        harness
            .query_by_label_contains("word 3 is not in the BIP39 word list")
            .is_some()
    );
    assert!(harness.query_by_label_contains("\"abandon\"").is_some());
    click(&mut harness, "Save");
    assert!(
        harness
            .query_by_label_contains("Save refused: the seed words are not a valid seed phrase")
            .is_some(),
        "Save refuses an invalid phrase"
    );
    assert!(has_label(&harness, "New secret"), "still editing");

    // A wrong word count and a bad checksum get their own words.
    clear(&mut harness, "Seed words");
    type_into(&mut harness, "Seed words", "abandon abandon abandon");
    assert!(harness.query_by_label_contains("has 3 words").is_some());
    clear(&mut harness, "Seed words");
    type_into(&mut harness, "Seed words", &["abandon"; 12].join(" "));
    assert!(harness.query_by_label_contains("bad checksum").is_some());

    // The right phrase is accepted and gives the BIP84 vector's keys.
    clear(&mut harness, "Seed words");
    type_into(&mut harness, "Seed words", &vector);
    assert!(
        harness
            .query_by_label_contains("Valid 12-word BIP39 seed phrase")
            .is_some()
    );
    assert!(
        harness.query_by_label_contains("Save refused").is_none(),
        "the refusal goes once the words are right"
    );
    click(&mut harness, "Save");
    assert!(has_label(&harness, "Wallets (1)"));
    assert!(has_label(&harness, &zpub), "the BIP84 vector's zpub");
    assert!(has_label(&harness, &address), "the BIP84 vector's address");
    assert!(
        harness
            .query_all_by_label_contains("wpkh([73c5da0a/84'/0'/0']")
            .count()
            + harness
                .query_all_by_label_contains("wpkh([73c5da0a/84h/0h/0h]")
                .count()
            >= 1,
        "a descriptor with the key origin"
    );

    // Taproot from the same seed: the BIP86 vector's first address.
    harness.get_by_label("Script type").click();
    harness.run_steps(3);
    click(&mut harness, "BIP86 taproot");
    assert!(has_label(
        &harness,
        "bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr"
    ));

    // A payment request for address 0 as a BIP21 URI.
    type_into(&mut harness, "Amount (BTC)", "0.0015");
    type_into(&mut harness, "Label", "Shop");
    assert!(has_label(
        &harness,
        "bitcoin:bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr?amount=0.0015&label=Shop"
    ));
}

#[test]
fn watch_only_lists_the_addresses_of_a_zpub_without_any_seed() {
    let (_, zpub, address) = bip84_vector();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut harness = unlocked_with_wallet_box(dir.path());
    click(&mut harness, "Watch-only");
    type_into(
        &mut harness,
        "Extended public key or descriptor",
        "not a key at all",
    );
    assert!(harness.query_by_label_contains("is not an xpub").is_some());
    clear(&mut harness, "Extended public key or descriptor");
    type_into(&mut harness, "Extended public key or descriptor", &zpub);
    assert!(has_label(&harness, &address));

    // The same key read as legacy gives other addresses, from 1.
    // The dialog grew with the list: let it settle before clicking in it.
    harness.run_steps(5);
    harness.get_by_label("Address type").click();
    harness.run_steps(3);
    click(&mut harness, "legacy (P2PKH)");
    assert!(!has_label(&harness, &address));
    assert!(
        harness.query_all_by_label_contains("1").any(|node| node
            .value()
            .or_else(|| node.accesskit_node().label())
            .is_some_and(|v| v.starts_with('1') && v.len() >= 26)),
        "a legacy address"
    );

    // A descriptor pasted next lists its own type again, not the one chosen.
    let (vector, ..) = bip84_vector();
    let account = Account::from_phrase(
        &mnemonic::check(&vector).expect("valid"),
        "",
        Coin::Bitcoin,
        Purpose::Bip84,
        0,
    )
    .expect("derive");
    let descriptor = account.descriptor().expect("a descriptor");
    clear(&mut harness, "Extended public key or descriptor");
    type_into(
        &mut harness,
        "Extended public key or descriptor",
        &descriptor,
    );
    assert!(
        harness
            .query_by_label_contains("cannot be changed")
            .is_none(),
        "no stale address type"
    );
    assert!(has_label(&harness, &address));
    click(&mut harness, "Close");
    assert!(!has_label(&harness, &address));
}

#[test]
fn a_seed_in_crypto_backups_that_is_not_bip39_is_only_a_warning() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut harness = unlocked_with_wallet_box(dir.path());
    create_box(&mut harness, "Backups", "Crypto Backups");
    click(&mut harness, "New secret");
    type_into(&mut harness, "Name", "Paper key");
    type_into(
        &mut harness,
        "Seed or private key",
        "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ",
    );
    assert!(
        harness
            .query_by_label_contains("Warning: not a BIP39 seed phrase")
            .is_some()
    );
    click(&mut harness, "Save");
    assert!(
        has_label(&harness, "Backups (1)"),
        "saved despite the warning"
    );
}
