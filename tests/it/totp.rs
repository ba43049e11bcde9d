//! One-time codes against RFC 6238 Appendix B and the TOTP bug reports in
//! `../shared/testdata/bugreports` (BR-01, BR-03), and in the window
//! (`qvault totp` is tested in tests/cli.rs).

use qvault::crypto::totp::{self, TotpError};
use qvault::vault::{BoxKind, SecretContent};
use serde_json::Value;

const BUGREPORTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/testdata/bugreports");

fn bug_report(id: &str) -> Value {
    let path = format!("{BUGREPORTS}/{id}.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    serde_json::from_str(&text).expect("json")
}

fn base32(ascii: &str) -> String {
    data_encoding::BASE32_NOPAD.encode(ascii.as_bytes())
}

/// RFC 6238 Appendix B: the ASCII seeds, 8 digits, 30 s, at six times.
#[test]
fn rfc6238_appendix_b_vectors_for_sha1_sha256_and_sha512() {
    let seed20 = "12345678901234567890";
    let seed32 = "12345678901234567890123456789012";
    let seed64 = "1234567890123456789012345678901234567890123456789012345678901234";
    let table: [(u64, &str, &str, &str); 6] = [
        (59, "94287082", "46119246", "90693936"),
        (1_111_111_109, "07081804", "68084774", "25091201"),
        (1_111_111_111, "14050471", "67062674", "99943326"),
        (1_234_567_890, "89005924", "91819424", "93441116"),
        (2_000_000_000, "69279037", "90698825", "38618901"),
        (20_000_000_000, "65353130", "77737706", "47863826"),
    ];
    let make = |algorithm: &str, seed: &str| {
        let uri = format!(
            "otpauth://totp/RFC:6238?secret={}&algorithm={algorithm}&digits=8&period=30",
            base32(seed)
        );
        totp::parse(&uri).expect("a valid otpauth URI")
    };
    let sha1 = make("SHA1", seed20);
    let sha256 = make("SHA256", seed32);
    let sha512 = make("SHA512", seed64);
    assert_eq!(sha256.algorithm_name(), "SHA256");
    for (time, one, two, five) in table {
        assert_eq!(sha1.code_at(time).as_str(), one, "SHA1 at {time}");
        assert_eq!(sha256.code_at(time).as_str(), two, "SHA256 at {time}");
        assert_eq!(sha512.code_at(time).as_str(), five, "SHA512 at {time}");
    }
}

#[test]
fn br01_a_secret_typed_in_lowercase_groups_gives_the_same_codes() {
    let report = bug_report("BR-01");
    let typed = report["input"]["totp_secret_as_typed"]
        .as_str()
        .expect("text");
    let canonical = report["expected"]["normalised_secret"]
        .as_str()
        .expect("text");
    let as_typed = totp::parse(typed).expect("typed in groups");
    let clean = totp::parse(canonical).expect("canonical");
    let codes = report["expected"]["codes_at_unix_time"]
        .as_object()
        .expect("codes");
    for (time, code) in codes {
        let time: u64 = time.parse().expect("unix time");
        assert_eq!(
            as_typed.code_at(time).as_str(),
            code.as_str().expect("code")
        );
        assert_eq!(clean.code_at(time).as_str(), code.as_str().expect("code"));
    }
    // Digits that base32 lacks are named, and no code is made.
    let bad = report["also"]["totp_secret_as_typed"]
        .as_str()
        .expect("text");
    let err = totp::parse(bad).expect_err("not base32");
    let message = err.to_string();
    for c in ['1', '8', '9', '0'] {
        assert!(
            message.contains(&format!("\u{201c}{c}\u{201d}")),
            "{message}"
        );
    }
    assert!(!message.to_lowercase().contains("eipk"), "{message}");
}

#[test]
fn br03_otpauth_labels_with_encoded_colons_and_spaces() {
    let report = bug_report("BR-03");
    for case in report["cases"].as_array().expect("cases") {
        let uri = case["uri"].as_str().expect("uri");
        let expected = &case["expected"];
        let parsed = totp::parse(uri).unwrap_or_else(|e| panic!("{uri}: {e}"));
        assert_eq!(parsed.issuer(), expected["issuer"].as_str(), "{uri}");
        assert_eq!(parsed.account(), expected["account"].as_str(), "{uri}");
        for (time, code) in expected["codes_at_unix_time"].as_object().expect("codes") {
            let time: u64 = time.parse().expect("unix time");
            assert_eq!(parsed.code_at(time).as_str(), code.as_str().expect("code"));
        }
    }
}

#[test]
fn sixty_second_periods_and_seven_digits() {
    let secret = base32("12345678901234567890");
    let uri = format!("otpauth://totp/x?secret={secret}&digits=7&period=60");
    let parsed = totp::parse(&uri).expect("valid");
    assert_eq!((parsed.digits(), parsed.period()), (7, 60));
    assert_eq!(parsed.code_at(0).len(), 7);
    // One period of 60 s holds one code.
    assert_eq!(parsed.code_at(60).as_str(), parsed.code_at(119).as_str());
    assert_ne!(parsed.code_at(119).as_str(), parsed.code_at(120).as_str());
    assert_eq!(parsed.seconds_left(61), 59);
}

#[test]
fn steam_guard_codes_are_five_characters_of_steams_alphabet() {
    let secret = base32("12345678901234567890");
    for text in [
        format!("steam://{secret}"),
        format!("otpauth://steam/Steam:me?secret={secret}"),
        format!("otpauth://totp/Steam:me?secret={secret}&encoder=steam"),
    ] {
        let parsed = totp::parse(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert!(parsed.is_steam(), "{text}");
        for time in [0, 59, 1_700_000_000] {
            let code = parsed.code_at(time);
            assert_eq!(code.len(), 5, "{text}");
            assert!(
                code.chars()
                    .all(|c| "23456789BCDFGHJKMNPQRTVWXY".contains(c))
            );
        }
    }
}

#[test]
fn bad_fields_are_refused_with_their_reason() {
    assert_eq!(totp::parse("  ").expect_err("empty"), TotpError::Empty);
    assert!(matches!(
        totp::parse("JBSWY3DP"),
        Err(TotpError::TooShort(40))
    ));
    assert!(matches!(
        totp::parse("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&digits=9"),
        Err(TotpError::Digits(9))
    ));
    assert!(matches!(
        totp::parse("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&period=0"),
        Err(TotpError::Period(0))
    ));
    assert!(matches!(
        totp::parse("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&algorithm=MD5"),
        Err(TotpError::BadUri(_))
    ));
    assert!(matches!(
        totp::parse("otpauth://totp/x?issuer=y"),
        Err(TotpError::BadUri(_))
    ));
}

#[test]
fn the_totp_field_or_a_custom_otp_field_is_found() {
    let mut login = SecretContent::default();
    assert_eq!(login.totp_text(), None);
    login.custom.push(qvault::vault::CustomField {
        name: "OTP".into(),
        value: qvault::vault::SecretText::from("JBSWY3DPEHPK3PXP"),
        hidden: true,
    });
    assert_eq!(login.totp_text(), Some("JBSWY3DPEHPK3PXP"));
    login.set("totp", " GEZDGNBVGY3TQOJQ ");
    assert_eq!(login.totp_text(), Some("GEZDGNBVGY3TQOJQ"));
    assert_eq!(
        BoxKind::Passwords.field("totp").map(|f| f.hidden),
        Some(true)
    );
}

#[test]
fn the_window_shows_the_current_code_of_a_login() {
    use crate::common::ui::{
        app_harness, click, create_box, has_label, type_into, unlock_with_password,
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let password = "totp window test passphrase 3";
    qvault::store::create(
        &dir.path().join("vault.qvault"),
        &qvault::crypto::Password::new(password),
        qvault::crypto::KdfParams::FLOOR,
    )
    .expect("create");
    let mut harness = app_harness(dir.path());
    harness.run_steps(2);
    unlock_with_password(&mut harness, password);
    create_box(&mut harness, "Logins", "Passwords");
    click(&mut harness, "New secret");
    type_into(&mut harness, "Site or app", "2fa.example");
    let secret = base32("12345678901234567890");
    type_into(&mut harness, "TOTP secret", &secret.to_lowercase());
    click(&mut harness, "Save");

    let parsed = totp::parse(&secret).expect("valid");
    let grouped = |code: &str| format!("{} {}", &code[..3], &code[3..]);
    let now = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("after 1970")
            .as_secs()
    };
    let before = now();
    let candidates = [
        grouped(&parsed.code_at(before)),
        grouped(&parsed.code_at(before.saturating_sub(1))),
    ];
    assert!(has_label(&harness, "One-time code"));
    assert!(
        candidates.iter().any(|code| has_label(&harness, code)),
        "the current code is shown"
    );
    assert!(has_label(&harness, "Copy one-time code"));
}
