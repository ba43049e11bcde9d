//! The wallet toolkit against published vectors: the BIP39 vectors of the
//! reference implementation (every language the `bip39` crate has), BIP32
//! vectors 1–5, BIP49 and BIP84 from their texts, BIP86, and values for
//! BIP44, Bitcoin Cash and Ethereum that two other libraries agree on
//! (see `../shared/testdata/bip39_bip32/PROVENANCE.md`).

use std::str::FromStr;

use bitcoin::NetworkKind;
use bitcoin::bip32::Xpriv;
use data_encoding::HEXLOWER;
use miniscript::{Descriptor, DescriptorPublicKey};
use proptest::prelude::*;
use qvault::wallet::mnemonic::{self, Language};
use qvault::wallet::watch_only::{self, WatchOnlyError};
use qvault::wallet::{
    Account, AddressKind, Coin, MnemonicProblem, Purpose, Seed, SeedPhrase, WalletError, bip21,
};
use serde_json::Value;
use unicode_normalization::UnicodeNormalization;

const TESTDATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/testdata/bip39_bip32"
);

const ABANDON_ABOUT: &str = "abandon abandon abandon abandon abandon abandon \
                             abandon abandon abandon abandon abandon about";

const BIP86_XPUB: &str = "xpub6BgBgsespWvERF3LHQu6CnqdvfEvtMcQjYrcRzx53QJjSxarj2afYWcLteoGVky7D3UKDP9QyrLprQ3VCECoY49yfdDEHGCtMMj92pReUsQ";

fn read_text(name: &str) -> String {
    let path = format!("{TESTDATA}/{name}");
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("read {path}: {err}"))
}

fn read_json(name: &str) -> Value {
    serde_json::from_str(&read_text(name)).expect("test vectors are JSON")
}

fn text(value: &Value) -> &str {
    value.as_str().expect("a string in the vectors")
}

fn texts(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .expect("a list in the vectors")
        .iter()
        .map(text)
        .collect()
}

fn hex(value: &Value) -> Vec<u8> {
    HEXLOWER.decode(text(value).as_bytes()).expect("hex")
}

fn abandon_about_account(coin: Coin, purpose: Purpose) -> Account {
    let phrase = mnemonic::check(ABANDON_ABOUT).expect("valid phrase");
    Account::from_phrase(&phrase, "", coin, purpose, 0).expect("account")
}

/// The word lists of the reference vectors that BIP39 (and the crate) has;
/// python-mnemonic also ships Russian and Turkish, which BIP39 does not.
fn language_of_vectors(name: &str) -> Option<Language> {
    Some(match name {
        "english" => Language::English,
        "chinese_simplified" => Language::SimplifiedChinese,
        "chinese_traditional" => Language::TraditionalChinese,
        "czech" => Language::Czech,
        "french" => Language::French,
        "italian" => Language::Italian,
        "japanese" => Language::Japanese,
        "korean" => Language::Korean,
        "portuguese" => Language::Portuguese,
        "spanish" => Language::Spanish,
        _ => return None,
    })
}

#[test]
fn the_reference_bip39_vectors_give_their_phrases_seeds_and_root_keys() {
    let vectors = read_json("trezor_python-mnemonic_vectors.json");
    let mut checked_languages = 0;
    for (name, list) in vectors.as_object().expect("languages") {
        let Some(language) = language_of_vectors(name) else {
            assert!(["russian", "turkish"].contains(&name.as_str()), "{name}");
            continue;
        };
        checked_languages += 1;
        for vector in list.as_array().expect("vectors") {
            let [entropy, words, seed, xprv] = vector.as_array().expect("4 fields").as_slice()
            else {
                panic!("a vector has 4 fields");
            };
            let from_entropy =
                SeedPhrase::from_entropy_in(language, &hex(entropy)).expect("entropy length");
            // NFKD turns Japanese's ideographic spaces into plain ones.
            let expected: String = text(words).nfkd().collect();
            let produced: String = from_entropy.to_phrase().nfkd().collect();
            assert_eq!(produced, expected, "{name}");

            // A phrase of characters common to both Chinese lists reads as
            // Simplified; the words, and so the seed, are the same.
            let checked = mnemonic::check(text(words)).expect("a vector phrase is valid");
            assert_eq!(*checked.to_phrase(), *from_entropy.to_phrase(), "{name}");

            let derived = Seed::from_phrase(&checked, "TREZOR");
            assert_eq!(derived.as_bytes(), hex(seed).as_slice(), "{name}");
            let root = Xpriv::new_master(NetworkKind::Main, derived.as_bytes()).expect("root");
            assert_eq!(root.to_string(), text(xprv), "{name}");
        }
    }
    assert_eq!(checked_languages, 10);
}

#[test]
fn the_english_word_list_is_the_one_in_bip39() {
    let published: Vec<String> = read_text("bip39_english_wordlist.txt")
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(mnemonic::word_list().as_slice(), published.as_slice());
}

#[test]
fn a_passphrase_is_nfkd_normalised_before_stretching() {
    let phrase = mnemonic::check(ABANDON_ABOUT).expect("valid");
    let composed = Seed::from_phrase(&phrase, "p\u{e4}ss");
    let decomposed = Seed::from_phrase(&phrase, "pa\u{308}ss");
    let plain = Seed::from_phrase(&phrase, "pass");
    assert_eq!(composed.as_bytes(), decomposed.as_bytes());
    assert_ne!(composed.as_bytes(), plain.as_bytes());
}

#[test]
fn the_empty_passphrase_gives_the_published_seed() {
    let vectors = read_json("bip49_bip84_vectors.json");
    let computed = &vectors["abandon_about_mainnet_computed"];
    let phrase = mnemonic::check(text(&computed["mnemonic"])).expect("valid");
    let seed = Seed::from_phrase(&phrase, "");
    assert_eq!(seed.as_bytes(), hex(&computed["seed_hex"]).as_slice());
}

#[test]
fn bip32_vectors_one_to_four_give_every_extended_public_key() {
    let vectors = read_json("bip32_vectors.json");
    let mut chains = 0;
    for vector in vectors["vectors"].as_array().expect("vectors") {
        let Some(seed_hex) = vector.get("seed_hex") else {
            continue;
        };
        let seed = Seed::from_bytes(&hex(seed_hex));
        for chain in vector["chains"].as_array().expect("chains") {
            let path = text(&chain["path"]);
            let xpub = seed.xpub_at(path, false).expect("derive");
            assert_eq!(xpub.to_string(), text(&chain["ext_pub"]), "{path}");
            chains += 1;
        }
    }
    assert_eq!(chains, 17);
}

#[test]
fn every_invalid_key_of_bip32_vector_five_is_refused() {
    let vectors = read_json("bip32_vectors.json");
    let invalid = vectors["vectors"]
        .as_array()
        .expect("vectors")
        .iter()
        .find_map(|v| v.get("invalid_keys"))
        .expect("vector 5");
    for case in invalid.as_array().expect("keys") {
        let key = text(&case["key"]);
        let reason = text(&case["reason"]);
        let err = watch_only::parse(key).expect_err(reason);
        assert!(
            !err.to_string().contains(key),
            "{reason}: the error repeats the key"
        );
    }
}

#[test]
fn bip84_from_its_text() {
    let vectors = read_json("bip49_bip84_vectors.json");
    let bip84 = &vectors["bip84_from_text"];
    let phrase = mnemonic::check(text(&bip84["mnemonic"])).expect("valid");
    let account =
        Account::from_phrase(&phrase, "", Coin::Bitcoin, Purpose::Bip84, 0).expect("account");
    assert_eq!(account.path(), text(&bip84["account0_path"]));
    assert_eq!(account.slip132_xpub(), text(&bip84["account0_xpub"]));
    for entry in bip84["addresses"].as_array().expect("addresses") {
        let path = text(&entry["path"]);
        let (chain, index) = match path.rsplit('/').collect::<Vec<_>>().as_slice() {
            [index, chain, ..] => (*chain, index.parse::<u32>().expect("index")),
            _ => panic!("path {path}"),
        };
        let found = if chain == "1" {
            account.change_addresses(index, 1)
        } else {
            account.addresses(index, 1)
        }
        .expect("address");
        assert_eq!(found, [text(&entry["address"])], "{path}");
        assert_eq!(account.address_path(chain == "1", index), path);
    }
}

#[test]
fn bip49_from_its_text_on_testnet() {
    let vectors = read_json("bip49_bip84_vectors.json");
    let bip49 = &vectors["bip49_from_text_testnet"];
    let phrase = mnemonic::check(text(&bip49["mnemonic"])).expect("valid");
    let account = Account::from_phrase(&phrase, "", Coin::BitcoinTestnet, Purpose::Bip49, 0)
        .expect("account");
    assert_eq!(account.path(), text(&bip49["account0_path"]));
    assert_eq!(account.slip132_xpub(), text(&bip49["account0_xpub_upub"]));
    assert!(account.xpub().starts_with("tpub"));
    assert_eq!(
        account.addresses(0, 1).expect("address"),
        [text(&bip49["receive0_address"])]
    );
}

#[test]
fn bip86_from_its_text() {
    let account = abandon_about_account(Coin::Bitcoin, Purpose::Bip86);
    assert_eq!(account.xpub(), BIP86_XPUB);
    assert_eq!(account.slip132_xpub(), BIP86_XPUB);
    assert_eq!(
        account.addresses(0, 1).expect("address"),
        ["bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr"]
    );
}

#[test]
fn bip44_49_84_mainnet_accounts_match_the_computed_values() {
    let vectors = read_json("bip49_bip84_vectors.json");
    let btc = &vectors["abandon_about_mainnet_computed"]["btc_mainnet"];
    for (key, purpose) in [
        ("bip44", Purpose::Bip44),
        ("bip49", Purpose::Bip49),
        ("bip84", Purpose::Bip84),
    ] {
        let expected = &btc[key];
        let account = abandon_about_account(Coin::Bitcoin, purpose);
        assert_eq!(account.master_fingerprint(), "73c5da0a");
        assert_eq!(account.path(), text(&expected["path"]));
        assert_eq!(account.slip132_xpub(), text(&expected["account_xpub"]));
        assert_eq!(
            account.addresses(0, 3).expect("addresses"),
            texts(&expected["receive_addresses"])
        );
    }
}

#[test]
fn bitcoin_cash_uses_coin_type_145_and_cashaddr() {
    let vectors = read_json("bip49_bip84_vectors.json");
    let bch = &vectors["abandon_about_mainnet_computed"]["bch"];
    let account = abandon_about_account(Coin::BitcoinCash, Purpose::Bip44);
    assert_eq!(account.path(), text(&bch["path"]));
    assert_eq!(account.xpub(), text(&bch["account_xpub"]));
    assert_eq!(
        account.addresses(0, 3).expect("addresses"),
        texts(&bch["receive_addresses_cashaddr"])
    );
    assert_eq!(account.descriptor(), None);
}

#[test]
fn the_first_ethereum_address_is_eip55_checksummed() {
    let vectors = read_json("bip49_bip84_vectors.json");
    let eth = &vectors["abandon_about_mainnet_computed"]["eth"];
    let account = abandon_about_account(Coin::Ethereum, Purpose::Bip44);
    assert_eq!(account.xpub(), text(&eth["account_xpub_m44_60_0"]));
    assert_eq!(account.address_path(false, 0), text(&eth["path"]));
    assert_eq!(
        account.addresses(0, 1).expect("address"),
        [text(&eth["address_eip55"])]
    );
    assert_eq!(account.descriptor(), None);
}

#[test]
fn descriptors_carry_the_origin_and_a_checksum_miniscript_accepts() {
    let cases = [
        (Purpose::Bip44, "pkh([73c5da0a/44h/0h/0h]xpub6BosfCnifzxc"),
        (
            Purpose::Bip49,
            "sh(wpkh([73c5da0a/49h/0h/0h]xpub6C6nQwHaWbSr",
        ),
        (Purpose::Bip84, "wpkh([73c5da0a/84h/0h/0h]xpub6CatWdiZiodm"),
        (Purpose::Bip86, "tr([73c5da0a/86h/0h/0h]xpub6BgBgsespWvE"),
    ];
    for (purpose, start) in cases {
        let account = abandon_about_account(Coin::Bitcoin, purpose);
        let receive = account.descriptor().expect("bitcoin has descriptors");
        let change = account
            .change_descriptor()
            .expect("bitcoin has descriptors");
        assert!(receive.starts_with(start), "{receive}");
        assert!(receive.contains("/0/*)"), "{receive}");
        assert!(change.contains("/1/*)"), "{change}");
        for descriptor in [&receive, &change] {
            let (_, checksum) = descriptor.rsplit_once('#').expect("a checksum");
            assert_eq!(checksum.len(), 8);
            Descriptor::<DescriptorPublicKey>::from_str(descriptor).expect("checksum verifies");
        }
        let watched = watch_only::parse(&receive).expect("our descriptor reads back");
        assert_eq!(
            watched.addresses(0, 3).expect("addresses"),
            account.addresses(0, 3).expect("addresses")
        );
    }
}

#[test]
fn testnet_accounts_use_coin_type_one_and_testnet_keys() {
    let expected = [
        (Purpose::Bip44, "tpub", "m"),
        (Purpose::Bip49, "upub", "2"),
        (Purpose::Bip84, "vpub", "tb1q"),
        (Purpose::Bip86, "tpub", "tb1p"),
    ];
    for (purpose, prefix, address_start) in expected {
        let account = abandon_about_account(Coin::BitcoinTestnet, purpose);
        assert!(account.path().contains("/1'/"));
        let key = account.slip132_xpub();
        assert!(key.starts_with(prefix), "{purpose:?}: {key}");
        assert!(account.descriptor().expect("descriptor").contains("]tpub"));
        let address = account.addresses(0, 1).expect("address").remove(0);
        assert!(address.starts_with(address_start), "{address}");
    }
}

#[test]
fn the_account_index_moves_the_third_step() {
    let phrase = mnemonic::check(ABANDON_ABOUT).expect("valid");
    let first = Account::from_phrase(&phrase, "", Coin::Bitcoin, Purpose::Bip84, 0).expect("0");
    let second = Account::from_phrase(&phrase, "", Coin::Bitcoin, Purpose::Bip84, 1).expect("1");
    assert_eq!(second.path(), "m/84'/0'/1'");
    assert_ne!(first.xpub(), second.xpub());
    assert!(matches!(
        Account::from_phrase(&phrase, "", Coin::Bitcoin, Purpose::Bip84, 1 << 31),
        Err(WalletError::IndexTooLarge { .. })
    ));
}

#[test]
fn coins_without_segwit_refuse_other_purposes() {
    for coin in [Coin::BitcoinCash, Coin::Ethereum] {
        for purpose in [Purpose::Bip49, Purpose::Bip84, Purpose::Bip86] {
            let phrase = mnemonic::check(ABANDON_ABOUT).expect("valid");
            let err = Account::from_phrase(&phrase, "", coin, purpose, 0).expect_err("refused");
            assert!(matches!(err, WalletError::UnsupportedPurpose { .. }));
            assert!(err.to_string().contains("BIP44"), "{err}");
        }
    }
}

#[test]
fn addresses_past_the_last_index_are_refused() {
    let account = abandon_about_account(Coin::Bitcoin, Purpose::Bip84);
    assert!(account.addresses((1 << 31) - 1, 1).is_ok());
    assert!(matches!(
        account.addresses((1 << 31) - 1, 2),
        Err(WalletError::IndexTooLarge { .. })
    ));
    assert!(account.addresses(u32::MAX, 1).is_err());
}

#[test]
fn each_kind_of_bad_phrase_has_its_own_problem() {
    assert_eq!(mnemonic::check(" \n"), Err(MnemonicProblem::Empty));

    let typo = ABANDON_ABOUT.replacen("about", "abuot", 1);
    assert_eq!(
        mnemonic::check(&typo),
        Err(MnemonicProblem::UnknownWord {
            position: 12,
            suggestions: vec!["about"],
        })
    );

    let eleven = ABANDON_ABOUT.replacen("abandon ", "", 1);
    assert_eq!(
        mnemonic::check(&eleven),
        Err(MnemonicProblem::WrongWordCount { count: 11 })
    );

    let bad_checksum = ABANDON_ABOUT.replace("about", "abandon");
    assert_eq!(
        mnemonic::check(&bad_checksum),
        Err(MnemonicProblem::BadChecksum)
    );
}

#[test]
fn an_unknown_word_is_reported_before_the_word_count() {
    let problem = mnemonic::check("abandon abandno").expect_err("typo");
    assert!(matches!(
        problem,
        MnemonicProblem::UnknownWord { position: 2, .. }
    ));
}

#[test]
fn watch_only_reads_slip132_keys_with_their_script_types() {
    let vectors = read_json("bip49_bip84_vectors.json");
    let btc = &vectors["abandon_about_mainnet_computed"]["btc_mainnet"];
    for (key, kind) in [
        ("bip44", AddressKind::P2pkh),
        ("bip49", AddressKind::P2shP2wpkh),
        ("bip84", AddressKind::P2wpkh),
    ] {
        let watched = watch_only::parse(text(&btc[key]["account_xpub"])).expect("parse");
        assert_eq!(watched.address_kind(), kind);
        assert_eq!(
            watched.addresses(0, 3).expect("addresses"),
            texts(&btc[key]["receive_addresses"])
        );
    }
}

#[test]
fn watch_only_testnet_upub_gives_testnet_addresses() {
    let vectors = read_json("bip49_bip84_vectors.json");
    let bip49 = &vectors["bip49_from_text_testnet"];
    let watched = watch_only::parse(text(&bip49["account0_xpub_upub"])).expect("parse");
    assert!(watched.is_testnet());
    assert_eq!(
        watched.addresses(0, 1).expect("address"),
        [text(&bip49["receive0_address"])]
    );
}

#[test]
fn a_plain_xpub_can_be_read_as_taproot() {
    let watched = watch_only::parse(BIP86_XPUB)
        .expect("parse")
        .with_address_kind(AddressKind::P2tr)
        .expect("a key can change kind");
    assert_eq!(
        watched.addresses(0, 1).expect("address"),
        ["bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr"]
    );
    let descriptor = watched.descriptor().expect("taproot descriptor");
    assert!(descriptor.starts_with(&format!("tr({BIP86_XPUB}/0/*)#")));
}

#[test]
fn watch_only_reads_multipath_and_fixed_descriptors() {
    let multipath = format!("tr([73c5da0a/86h/0h/0h]{BIP86_XPUB}/<0;1>/*)");
    let watched = watch_only::parse(&multipath).expect("multipath");
    assert_eq!(
        watched.addresses(0, 1).expect("address"),
        ["bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr"]
    );
    assert!(watched.description().contains("73c5da0a"));
    assert_eq!(watched.address_path(7), "0/7");
    assert!(matches!(
        watched.with_address_kind(AddressKind::P2pkh),
        Err(WatchOnlyError::DescriptorFixesKind)
    ));

    let fixed = format!("tr({BIP86_XPUB}/0/0)");
    let watched = watch_only::parse(&fixed).expect("fixed");
    assert_eq!(watched.addresses(0, 5).expect("one address").len(), 1);
    assert_eq!(watched.address_path(0), "0/0");
    assert!(watched.addresses(1, 5).expect("none past 0").is_empty());
}

#[test]
fn watch_only_refuses_what_it_cannot_list() {
    let multisig = format!("wsh(multi(1,{BIP86_XPUB}/0/*))");
    assert!(matches!(
        watch_only::parse(&multisig),
        Err(WatchOnlyError::UnsupportedDescriptor)
    ));
    assert!(matches!(watch_only::parse(""), Err(WatchOnlyError::Empty)));
    assert!(matches!(
        watch_only::parse(ABANDON_ABOUT),
        Err(WatchOnlyError::NotRecognised)
    ));
    let mut typo = BIP86_XPUB.to_owned();
    typo.replace_range(20..21, "Z");
    assert!(matches!(
        watch_only::parse(&typo),
        Err(WatchOnlyError::KeyChecksum)
    ));
    let bad_checksum = format!("tr({BIP86_XPUB}/0/*)#aaaaaaaa");
    assert!(matches!(
        watch_only::parse(&bad_checksum),
        Err(WatchOnlyError::Descriptor(_))
    ));
    let root_xprv = "xprv9s21ZrQH143K3h3fDYiay8mocZ3afhfULfb5GX8kCBdno77K4HiA15Tg23wpbeF1pLfs1c5SPmYHrEpTuuRhxMwvKDwqdKiGJS9XFKzUsAF";
    let in_descriptor = format!("wpkh({root_xprv}/84h/0h/0h/0/*)");
    for private in [root_xprv, in_descriptor.as_str()] {
        let err = watch_only::parse(private).expect_err("private key");
        assert!(matches!(err, WatchOnlyError::PrivateKey("xprv")));
        assert!(!err.to_string().contains(root_xprv));
    }
}

/// Every combination of coin and purpose an account may have.
fn coin_and_purpose() -> impl Strategy<Value = (Coin, Purpose)> {
    let pairs: Vec<(Coin, Purpose)> = Coin::ALL
        .into_iter()
        .flat_map(|coin| coin.purposes().iter().map(move |p| (coin, *p)))
        .collect();
    proptest::sample::select(pairs)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn addresses_from_the_account_key_equal_those_from_the_seed(
        entropy in proptest::collection::vec(any::<u8>(), 16),
        passphrase in "\\PC{0,8}",
        (coin, purpose) in coin_and_purpose(),
        account_index in 0u32..3,
        index in 0u32..1000,
    ) {
        let phrase = SeedPhrase::from_entropy(&entropy).expect("16 bytes");
        let seed = Seed::from_phrase(&phrase, &passphrase);
        let account = Account::derive(&seed, coin, purpose, account_index).expect("account");
        let from_seed = seed
            .address_at(coin, purpose, account_index, false, index)
            .expect("private derivation");

        let from_account = account.addresses(index, 1).expect("public derivation");
        prop_assert_eq!(&from_account, std::slice::from_ref(&from_seed));

        let watched = watch_only::parse(&account.slip132_xpub())
            .expect("the account key reads back")
            .with_address_kind(account.address_kind())
            .expect("a key takes any kind");
        let from_key = watched.addresses(index, 1).expect("watch-only");
        prop_assert_eq!(&from_key, std::slice::from_ref(&from_seed));

        if let Some(descriptor) = account.descriptor() {
            let watched = watch_only::parse(&descriptor).expect("the descriptor reads back");
            prop_assert_eq!(&watched.addresses(index, 1).expect("descriptor"), &[from_seed]);
        }
    }
}

// Regressions from public bug reports in other wallets
// (`../shared/testdata/bugreports/PROVENANCE.md`).

fn bug_report(id: &str) -> Value {
    read_json(&format!("../bugreports/{id}.json"))
}

#[test]
fn br05_the_passphrase_is_nfkd_normalised_before_stretching() {
    let report = bug_report("BR-05");
    let input = &report["input"];
    let passphrase = text(&input["passphrase_nfc"]);
    assert_eq!(
        HEXLOWER.encode(passphrase.as_bytes()),
        text(&input["passphrase_utf8_hex"]),
        "the file holds the NFC bytes"
    );
    let phrase = mnemonic::check(text(&input["mnemonic"])).expect("valid phrase");
    let seed = Seed::from_phrase(&phrase, passphrase);
    let expected = &report["expected"];
    assert_eq!(
        HEXLOWER.encode(seed.as_bytes()),
        text(&expected["seed_hex"])
    );
    assert_ne!(
        HEXLOWER.encode(seed.as_bytes()),
        text(&report["must_not_be"]["seed_hex_without_nfkd"])
    );
    let account = Account::derive(&seed, Coin::Bitcoin, Purpose::Bip84, 0).expect("account");
    let bip84 = &expected["bip84_account0"];
    assert_eq!(account.master_fingerprint(), text(&bip84["fingerprint"]));
    assert_eq!(account.slip132_xpub(), text(&bip84["zpub"]));
    assert_eq!(account.xpub(), text(&bip84["xpub_form"]));
    assert_eq!(
        account.addresses(0, 2).expect("addresses"),
        texts(&bip84["receive"])
    );
}

#[test]
fn br09_ethereum_addresses_carry_the_eip55_case() {
    let report = bug_report("BR-09");
    let phrase = mnemonic::check(text(&report["input"]["mnemonic"])).expect("valid phrase");
    let account =
        Account::from_phrase(&phrase, "", Coin::Ethereum, Purpose::Bip44, 0).expect("account");
    let addresses = account.addresses(0, 2).expect("addresses");
    assert_eq!(addresses, texts(&report["expected"]["addresses_eip55"]));
    for lower in texts(&report["must_not_be_shown_as"]) {
        assert!(!addresses.iter().any(|a| a == lower));
    }
}

#[test]
fn br10_small_amounts_are_plain_decimals_and_exponents_are_refused() {
    let report = bug_report("BR-10");
    let address = text(&report["input"]["address"]);
    let expected = &report["expected"];
    for (sats, want) in expected["amount_text_by_satoshis"]
        .as_object()
        .expect("amounts")
    {
        let sats: u64 = sats.parse().expect("satoshis");
        let typed = bitcoin::Amount::from_sat(sats).to_string_in(bitcoin::Denomination::Bitcoin);
        let uri = bip21::uri(address, Some(&typed), None, None).expect("a valid amount");
        assert_eq!(uri, format!("bitcoin:{address}?amount={}", text(want)));
    }
    let uri = bip21::uri(address, Some("0.00000546"), None, None).expect("valid");
    assert_eq!(uri, text(&expected["uri_for_546_sat"]));
    for bad in ["5.46e-06", "0,00000546"] {
        assert!(bip21::uri(address, Some(bad), None, None).is_err(), "{bad}");
    }
}

#[test]
fn br12_only_bech32_addresses_are_upper_cased_in_a_qr_payload() {
    let report = bug_report("BR-12");
    let input = &report["input"];
    let expected = &report["expected"];
    let bech32 = text(&input["bech32_address"]);
    assert_eq!(
        bip21::qr_payload(bech32),
        text(&expected["bech32_address_qr_payload"])
    );
    assert_eq!(
        bip21::qr_payload(text(&input["base58_address"])),
        text(&expected["base58_address_qr_payload_exact"])
    );
    let uri = bip21::uri(bech32, Some("0.001"), Some("Shop"), None).expect("valid");
    assert_eq!(
        bip21::qr_payload(&uri),
        text(&expected["with_parameters_example"])
    );
    // The smaller alphanumeric mode is what upper case buys.
    let version = |payload: &str| {
        qrcode::QrCode::with_error_correction_level(payload, qrcode::EcLevel::M)
            .expect("fits")
            .version()
    };
    let sizes = &expected["bech32_qr_version_at_ec_M"];
    assert_eq!(
        version(&bip21::qr_payload(bech32)),
        qrcode::Version::Normal(i16::try_from(sizes["uppercase"].as_i64().expect("n")).expect("n"))
    );
    assert_eq!(
        version(&format!("bitcoin:{bech32}")),
        qrcode::Version::Normal(i16::try_from(sizes["lowercase"].as_i64().expect("n")).expect("n"))
    );
    // Anything else is left alone.
    for other in [
        "73c5da0a",
        "0x8b2428bBf38c2D3E03bb603F0f761915EBD37ab8",
        "hunter2",
    ] {
        assert_eq!(bip21::qr_payload(other), other);
    }
}
