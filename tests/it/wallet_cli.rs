//! `qvault wallet` as a user runs it: the built binary, the seed phrase and
//! passphrase on standard input, output one `LABEL VALUE` per line.

use std::io::Write;
use std::process::{Command, Stdio};
use std::str::FromStr;

use bitcoin::bip32::Xpriv;
use bitcoin::secp256k1::Secp256k1;
use miniscript::{Descriptor, DescriptorPublicKey};

const ABANDON_ABOUT: &str = "abandon abandon abandon abandon abandon abandon \
                             abandon abandon abandon abandon abandon about";

const ZPUB: &str = "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs";

/// What a run of the binary gave back.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The value of the line that starts with `label`.
    fn value(&self, label: &str) -> &str {
        self.stdout
            .lines()
            .find_map(|line| line.strip_prefix(label)?.strip_prefix(' '))
            .unwrap_or_else(|| panic!("no line {label} in:\n{}", self.stdout))
    }
}

fn qvault(args: &[&str], stdin: &str) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_qvault"))
        .args(args)
        .env_remove("RUST_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start qvault");
    let mut input = child.stdin.take().expect("stdin is piped");
    // A command that fails before reading closes the pipe early.
    if let Err(err) = input.write_all(stdin.as_bytes()) {
        assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe, "{err}");
    }
    drop(input);
    let output = child.wait_with_output().expect("wait for qvault");
    Run {
        code: output.status.code().expect("qvault exited normally"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `qvault wallet derive --mnemonic-stdin ARGS` with the phrase on stdin.
fn derive(phrase: &str, args: &[&str]) -> Run {
    let mut all = vec!["wallet", "derive", "--mnemonic-stdin"];
    all.extend_from_slice(args);
    qvault(&all, &format!("{phrase}\n"))
}

#[test]
fn derive_prints_the_bip84_zpub_descriptors_and_addresses() {
    let run = derive(ABANDON_ABOUT, &["--purpose", "84", "--count", "3"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.value("fingerprint"), "73c5da0a");
    assert_eq!(run.value("path"), "m/84'/0'/0'");
    assert_eq!(run.value("zpub"), ZPUB);
    assert_eq!(
        run.value("m/84'/0'/0'/0/0"),
        "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"
    );
    assert_eq!(
        run.value("m/84'/0'/0'/0/1"),
        "bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g"
    );
    assert_eq!(
        run.value("m/84'/0'/0'/0/2"),
        "bc1qp59yckz4ae5c4efgw2s5wfyvrz0ala7rgvuz8z"
    );
    let descriptor = run.value("descriptor");
    let xpub = run.value("xpub");
    assert!(descriptor.starts_with(&format!("wpkh([73c5da0a/84h/0h/0h]{xpub}/0/*)#")));
    Descriptor::<DescriptorPublicKey>::from_str(descriptor).expect("checksum verifies");
    Descriptor::<DescriptorPublicKey>::from_str(run.value("change-descriptor"))
        .expect("checksum verifies");
    assert!(!run.stdout.contains("abandon"));
}

#[test]
fn change_addresses_follow_bip84() {
    let run = derive(ABANDON_ABOUT, &["--change", "--count", "1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.value("m/84'/0'/0'/1/0"),
        "bc1q8c6fshw2dlwun7ekn9qwf37cu2rn755upcp6el"
    );
}

#[test]
fn derive_prints_the_bip44_xpub() {
    let run = derive(ABANDON_ABOUT, &["--purpose", "44", "--count", "1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.value("xpub"),
        "xpub6BosfCnifzxcFwrSzQiqu2DBVTshkCXacvNsWGYJVVhhawA7d4R5WSWGFNbi8Aw6ZRc1brxMyWMzG3DSSSSoekkudhUd9yLb6qx39T9nMdj"
    );
    assert_eq!(
        run.value("m/44'/0'/0'/0/0"),
        "1LqBGSKuX5yYUonjxT5qGfpUsXKYYWeabA"
    );
}

#[test]
fn derive_for_bitcoin_cash_prints_cashaddr_and_no_descriptor() {
    let run = derive(ABANDON_ABOUT, &["--coin", "bch", "--count", "1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.value("xpub"),
        "xpub6ByHsPNSQXTWZ7PLESMY2FufyYWtLXagSUpMQq7Un96SiThZH2iJB1X7pwviH1WtKVeDP6K8d6xxFzzoaFzF3s8BKCZx8oEDdDkNnp4owAZ"
    );
    assert_eq!(
        run.value("m/44'/145'/0'/0/0"),
        "bitcoincash:qqyx49mu0kkn9ftfj6hje6g2wfer34yfnq5tahq3q6"
    );
    assert!(!run.stdout.contains("descriptor"));
    assert!(run.stderr.contains("no output descriptors"));
}

#[test]
fn derive_for_ethereum_prints_the_eip55_address() {
    let run = derive(ABANDON_ABOUT, &["--coin", "eth", "--count", "1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.value("m/44'/60'/0'/0/0"),
        "0x9858EfFD232B4033E47d90003D41EC34EcaEda94"
    );
}

#[test]
fn a_purpose_the_coin_lacks_exits_1() {
    let run = derive(ABANDON_ABOUT, &["--coin", "eth", "--purpose", "84"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("Ethereum has no BIP84"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_passphrase_is_the_second_line() {
    let run = qvault(
        &[
            "wallet",
            "derive",
            "--mnemonic-stdin",
            "--passphrase-stdin",
            "--count",
            "0",
        ],
        &format!("{ABANDON_ABOUT}\nTREZOR\n"),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The root key of the first reference BIP39 vector (passphrase TREZOR).
    let root = Xpriv::from_str(
        "xprv9s21ZrQH143K3h3fDYiay8mocZ3afhfULfb5GX8kCBdno77K4HiA15Tg23wpbeF1pLfs1c5SPmYHrEpTuuRhxMwvKDwqdKiGJS9XFKzUsAF",
    )
    .expect("xprv");
    let fingerprint = root.fingerprint(&Secp256k1::new()).to_string();
    assert_eq!(run.value("fingerprint"), fingerprint);
    assert!(!run.stdout.contains("TREZOR") && !run.stderr.contains("TREZOR"));
}

#[test]
fn a_missing_passphrase_line_exits_1() {
    let run = qvault(
        &["wallet", "derive", "--mnemonic-stdin", "--passphrase-stdin"],
        &format!("{ABANDON_ABOUT}\n"),
    );
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("passphrase"), "{}", run.stderr);
}

#[test]
fn an_unknown_word_exits_1_naming_its_position_and_the_nearest_word() {
    let typo = ABANDON_ABOUT.replacen("about", "abuot", 1);
    let run = derive(&typo, &[]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr.trim(),
        "qvault: the seed phrase is not valid: word 12 is not in the BIP39 word list; \
         did you mean \"about\"?"
    );
    assert!(run.stdout.is_empty());
}

#[test]
fn a_bad_checksum_exits_1_and_says_so() {
    let run = derive(&ABANDON_ABOUT.replace("about", "abandon"), &[]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("bad checksum"), "{}", run.stderr);
    assert!(!run.stderr.contains("abandon abandon"));
}

#[test]
fn a_wrong_word_count_exits_1_and_says_so() {
    let run = derive("abandon abandon abandon", &[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("has 3 words; it needs 12, 15, 18, 21 or 24"),
        "{}",
        run.stderr
    );
}

#[test]
fn new_prints_a_valid_phrase_of_the_asked_length() {
    for words in ["12", "24"] {
        let run = qvault(&["wallet", "new", "--words", words], "");
        assert_eq!(run.code, 0, "{}", run.stderr);
        let phrase = run.stdout.trim();
        assert_eq!(phrase.split(' ').count().to_string(), words);
        qvault::wallet::mnemonic::check(phrase).expect("a new phrase checks");
    }
    assert_eq!(qvault(&["wallet", "new", "--words", "13"], "").code, 2);
}

#[test]
fn addresses_lists_a_zpub_without_the_seed() {
    let run = qvault(&["wallet", "addresses", "--xpub", ZPUB, "--count", "2"], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "0/0 bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu\n\
         0/1 bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g\n"
    );
    assert!(run.stderr.contains("native SegWit"));
}

#[test]
fn addresses_refuses_a_private_key_without_echoing_it() {
    let xprv = "xprv9s21ZrQH143K3h3fDYiay8mocZ3afhfULfb5GX8kCBdno77K4HiA15Tg23wpbeF1pLfs1c5SPmYHrEpTuuRhxMwvKDwqdKiGJS9XFKzUsAF";
    let run = qvault(&["wallet", "addresses", "--xpub", xprv], "");
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("private key"), "{}", run.stderr);
    assert!(!run.stderr.contains(xprv));
}

#[test]
fn uri_builds_a_bip21_payment_request() {
    let run = qvault(
        &[
            "wallet",
            "uri",
            "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu",
            "--amount",
            "0.5",
            "--label",
            "Ann & Bob",
        ],
        "",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "bitcoin:bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu?amount=0.5&label=Ann%20%26%20Bob\n"
    );
}
