//! The original Qvault's `.qvault` files (Electron app, 0.2.x to 0.3.x), as
//! `../shared/testdata/qvault-legacy/README.md` describes them: a JSON
//! header whose `key` holds the recovery "char key" sealed under the
//! password and whose `secrets` holds the boxes sealed under the char key
//! (and, optionally, a QR key).

mod mapping;
mod node;
mod seal;
mod upgrade;

use serde_json::Value;
use zeroize::Zeroizing;

use self::node::Node;
use self::seal::{CONSTANT_SALT, LegacyKey, QR_LOG_N, SLOW_LOG_N};
use self::upgrade::Version;
use super::{ImportError, Imported};

/// The outer JSON object of a legacy file: nothing in it is secret.
struct Header {
    version: Option<String>,
    salt: Option<String>,
    key: Vec<u8>,
    secrets: Vec<u8>,
    qr_required: bool,
}

/// True when `bytes` is a JSON object with `secrets` and `key` strings, the
/// shape of a legacy Qvault file.
pub fn looks_like_legacy(bytes: &[u8]) -> bool {
    serde_json::from_slice::<Value>(bytes).is_ok_and(|value| {
        value.get("secrets").is_some_and(Value::is_string)
            && value.get("key").is_some_and(Value::is_string)
    })
}

/// Reads a legacy vault with its password or its old recovery "char key"
/// (`secret`), and the QR key text when the file needs one.
pub fn read(bytes: &[u8], secret: &str, qr_key: Option<&str>) -> Result<Imported, ImportError> {
    let header = parse_header(bytes)?;
    let sealed = without_qr_layer(&header, qr_key)?;
    let char_key = open_char_key(&header, secret);
    let text = open_secrets(&sealed, &char_key)?;
    imported(&header, &text)
}

/// What [`read`] makes of a file's secrets JSON once opened, for a file
/// written by app `version`; public for the fuzz targets (`fuzz/`) only.
#[doc(hidden)]
pub fn read_opened(version: Option<&str>, secrets_json: &str) -> Result<Imported, ImportError> {
    let header = Header {
        version: version.map(str::to_owned),
        salt: None,
        key: Vec::new(),
        secrets: Vec::new(),
        qr_required: false,
    };
    imported(&header, secrets_json)
}

/// The opened secrets JSON, upgraded and mapped onto our templates.
fn imported(header: &Header, text: &str) -> Result<Imported, ImportError> {
    let root: Node =
        serde_json::from_str(text).map_err(|_| damaged("its secrets are not valid JSON"))?;
    let version = header.version.as_deref().and_then(Version::parse);
    let boxes = upgrade::boxes(root, version)
        .ok_or_else(|| damaged("its secrets do not hold boxes of secrets"))?;

    let mut notes = Vec::new();
    let boxes = boxes
        .into_iter()
        .map(|legacy| mapping::imported_box(legacy, &mut notes))
        .collect();
    let source = match &header.version {
        Some(version) => format!("Qvault {version} file"),
        None => "Qvault file (no version)".to_owned(),
    };
    Ok(Imported {
        source,
        boxes,
        notes,
    })
}

fn parse_header(bytes: &[u8]) -> Result<Header, ImportError> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|_| damaged("it is not valid JSON (truncated or damaged?)"))?;
    let Some(object) = value.as_object() else {
        return Err(ImportError::Unrecognised(
            "this file is JSON but not a Qvault file".into(),
        ));
    };
    if !object.contains_key("secrets") && !object.contains_key("key") {
        return Err(ImportError::Unrecognised(
            "this JSON file has no Qvault `key` or `secrets`".into(),
        ));
    }

    Ok(Header {
        version: optional_text(object.get("version")),
        salt: optional_text(object.get("salt")),
        key: base64_field(object.get("key"), "key")?,
        secrets: base64_field(object.get("secrets"), "secrets")?,
        qr_required: object.get("qr_required").and_then(Value::as_bool) == Some(true),
    })
}

fn optional_text(value: Option<&Value>) -> Option<String> {
    value.and_then(Value::as_str).map(str::to_owned)
}

fn base64_field(value: Option<&Value>, name: &str) -> Result<Vec<u8>, ImportError> {
    let text = value
        .and_then(Value::as_str)
        .ok_or_else(|| damaged(&format!("its `{name}` is missing")))?;
    data_encoding::BASE64
        .decode(text.as_bytes())
        .map_err(|_| damaged(&format!("its `{name}` is not valid base64")))
}

/// The char key: what the `key` slot holds when `secret` is the password,
/// else `secret` itself (the user gave the char key).
fn open_char_key(header: &Header, secret: &str) -> Zeroizing<String> {
    let salt = header.salt.as_deref().unwrap_or(CONSTANT_SALT);
    let password_key = LegacyKey::derive(secret, salt, SLOW_LOG_N);
    seal::open(&header.key, &password_key)
        .and_then(|plain| utf8(&plain))
        .unwrap_or_else(|| Zeroizing::new(secret.to_owned()))
}

/// The sealed secrets under the char key: the file's `secrets`, or what
/// the QR key opens when the file needs one (checked before the slow KDF).
fn without_qr_layer(
    header: &Header,
    qr_key: Option<&str>,
) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    if !header.qr_required {
        return Ok(Zeroizing::new(header.secrets.clone()));
    }
    let qr_key = qr_key.ok_or_else(|| {
        ImportError::WrongKey(
            "this Qvault file also needs its QR key: give it with --qr-key-file".into(),
        )
    })?;
    open_qr_layer(&header.secrets, qr_key)
}

/// The secrets JSON text, opened with the char key.
fn open_secrets(sealed: &[u8], char_key: &str) -> Result<Zeroizing<String>, ImportError> {
    let char_hash = LegacyKey::derive(char_key, CONSTANT_SALT, SLOW_LOG_N);
    let plain = seal::open(sealed, &char_hash).ok_or_else(wrong_secret)?;
    utf8(&plain).ok_or_else(|| damaged("its secrets are not text"))
}

/// Decrypted bytes as text, without leaving an unwiped copy on failure.
fn utf8(plain: &[u8]) -> Option<Zeroizing<String>> {
    std::str::from_utf8(plain)
        .ok()
        .map(|text| Zeroizing::new(text.to_owned()))
}

/// The QR layer: opening it with the QR hash gives the inner sealed text.
fn open_qr_layer(sealed: &[u8], qr_key: &str) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    let qr_hash = LegacyKey::derive(qr_key.trim(), CONSTANT_SALT, QR_LOG_N);
    let inner = seal::open(sealed, &qr_hash)
        .ok_or_else(|| ImportError::WrongKey("the QR key does not open this Qvault file".into()))?;
    data_encoding::BASE64
        .decode(inner.as_slice())
        .map(Zeroizing::new)
        .map_err(|_| damaged("its QR-sealed secrets are not valid base64"))
}

fn wrong_secret() -> ImportError {
    ImportError::WrongKey("the password or recovery code does not open this Qvault file".into())
}

fn damaged(reason: &str) -> ImportError {
    ImportError::Damaged(format!("this Qvault file cannot be read: {reason}"))
}
