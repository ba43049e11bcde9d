//! Reading QR codes from images (for a TOTP secret's QR code): every image
//! in `../shared/testdata/qr` gives the text its `expected.json` names.

use qvault::qr::{QrReadError, read_image};
use serde_json::Value;

const QR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/testdata/qr");

#[test]
fn every_test_image_gives_its_text() {
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{QR}/expected.json")).expect("expected.json"),
    )
    .expect("json");
    let mut read = 0;
    for item in expected["items"].as_array().expect("items") {
        let file = item["file"].as_str().expect("file");
        let bytes = std::fs::read(format!("{QR}/{file}")).expect("image");
        let result = read_image(&bytes);
        match item["text"].as_str() {
            Some(text) => {
                let got = result.unwrap_or_else(|e| panic!("{file}: {e}"));
                assert_eq!(got.as_str(), text, "{file}");
                read += 1;
            }
            None => assert_eq!(result.expect_err(file), QrReadError::NoCode, "{file}"),
        }
    }
    assert!(read >= 15, "only {read} images read");
}

#[test]
fn the_totp_image_gives_a_usable_totp_secret() {
    let bytes = std::fs::read(format!("{QR}/otpauth_totp.png")).expect("image");
    let text = read_image(&bytes).expect("a QR code");
    let totp = qvault::crypto::totp::parse(&text).expect("an otpauth URI");
    assert_eq!(totp.issuer(), Some("Example"));
    assert_eq!(totp.account(), Some("alice@example.com"));
}

#[test]
fn what_is_not_an_image_says_so() {
    assert_eq!(
        read_image(b"plain text").expect_err("text"),
        QrReadError::NotAnImage
    );
    assert_eq!(read_image(&[]).expect_err("empty"), QrReadError::NotAnImage);
}
