//! `KeePass` databases (KDBX 3.1 and 4, and `KeePass` 1 `.kdb`), opened and
//! decrypted by the `keepass` crate and turned into boxes of passwords.
//!
//! Mapping, as the README's import section describes it:
//! - every group becomes a `passwords` box named by its path below the root
//!   group (`Homebanking/Subgroup`), empty groups too, so the user's
//!   structure survives; entries directly in the root go to a box named
//!   after the root group (`KeePass` when it has no name);
//! - Title, `UserName`, Password, URL and Notes fill issuer, username,
//!   password, link and notes; `otp` fills totp, and so do `KeePassXC`'s
//!   legacy `TOTP Seed` / `TOTP Settings` pair and `KeePass`' own
//!   `TimeOtp-*` fields, rewritten as an `otpauth://` URI;
//! - every other string field becomes a custom field, hidden when the
//!   database protects it; tags become a custom field `Tags`;
//! - attachments come along up to [`MAX_ATTACHMENT_BYTES`] each;
//! - the recycle bin's contents and entry history stay behind, with a note.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use keepass::config::DatabaseVersion;
use keepass::db::{EntryRef, GroupRef};
use keepass::error::{CryptographyError, DatabaseKeyError, DatabaseOpenError};
use keepass::{Database, DatabaseKey};
use uuid::Uuid;
use zeroize::Zeroizing;

use super::{ImportError, Imported, ImportedBox, ImportedSecret};
use crate::vault::templates::BoxKind;
use crate::vault::{Attachment, CustomField, MAX_ATTACHMENT_BYTES, SecretContent, SecretText};

/// What [`ImportError::WrongKey`] says for every key that does not fit.
pub const WRONG_KEY: &str = "the password or key file does not open this KeePass database";

/// The box for entries in a root group without a name.
const UNNAMED_ROOT: &str = "KeePass";

/// The first signature word of every `KeePass` file, little-endian.
const SIGNATURE: [u8; 4] = [0x03, 0xd9, 0xa2, 0x9a];
/// The second word for KDBX 2 to 4 files.
const KDBX_SIGNATURE: [u8; 4] = [0x67, 0xfb, 0x4b, 0xb5];

/// Whether the bytes start with the KDBX signature (for `--format auto`).
pub fn looks_like_kdbx(bytes: &[u8]) -> bool {
    bytes.get(..4) == Some(&SIGNATURE[..]) && bytes.get(4..8) == Some(&KDBX_SIGNATURE[..])
}

/// Reads a KDBX file with a password and/or a key file.
pub fn read(
    path: &Path,
    password: Option<&str>,
    key_file: Option<&Path>,
) -> Result<Imported, ImportError> {
    let bytes = super::read_source(path)?;
    if bytes.get(..4) != Some(&SIGNATURE[..]) {
        return Err(ImportError::Unrecognised(format!(
            "{} is not a KeePass database (it does not start with the KeePass signature)",
            path.display()
        )));
    }
    super::kdbx_cost::check(&bytes)?;
    let key = database_key(password, key_file)?;
    let database = open(&bytes, key.clone())?;
    if matches!(database.config.version, DatabaseVersion::KDB3(_)) {
        check_kdbx3_header_hash(&bytes, key)?;
    }
    Ok(convert(&database))
}

fn database_key(
    password: Option<&str>,
    key_file: Option<&Path>,
) -> Result<DatabaseKey, ImportError> {
    if password.is_none() && key_file.is_none() {
        return Err(ImportError::WrongKey(
            "a password or a key file is needed to open a KeePass database".into(),
        ));
    }
    let mut key = DatabaseKey::new();
    if let Some(password) = password {
        key = key.with_password(password);
    }
    if let Some(key_file) = key_file {
        let bytes = super::read_source(key_file)?;
        key = key
            .with_keyfile(&mut bytes.as_slice())
            .map_err(|source| ImportError::Io {
                path: key_file.display().to_string(),
                source,
            })?;
    }
    Ok(key)
}

/// Decrypts and parses, turning a panic inside the crate on odd input into
/// [`ImportError::Damaged`].
fn open(bytes: &[u8], key: DatabaseKey) -> Result<Database, ImportError> {
    match catch_unwind(AssertUnwindSafe(|| Database::parse(bytes, key))) {
        Ok(Ok(database)) => Ok(database),
        Ok(Err(error)) => Err(open_error(&error, kdbx3_payload_whole(bytes))),
        Err(_) => {
            log::warn!("the keepass crate panicked on a database; reported as damaged");
            Err(damaged())
        }
    }
}

fn damaged() -> ImportError {
    ImportError::Damaged("the KeePass database is damaged or incomplete and cannot be read".into())
}

/// Sorts the crate's errors into our kinds. A KDBX 3 file has no check of
/// the key before its payload, so a whole payload (whole cipher blocks) that
/// does not decrypt to valid padding means a wrong key, as `KeePassXC` also
/// assumes; a cut-off one is damaged.
fn open_error(error: &DatabaseOpenError, kdbx3_payload_whole: bool) -> ImportError {
    log::debug!("KeePass database not opened: {error}");
    match error {
        DatabaseOpenError::Key(DatabaseKeyError::EmptyKey) => ImportError::WrongKey(
            "a password or a key file is needed to open a KeePass database".into(),
        ),
        DatabaseOpenError::Key(_) => ImportError::WrongKey(WRONG_KEY.into()),
        DatabaseOpenError::Cryptography(CryptographyError::InvalidPadding(_))
            if kdbx3_payload_whole =>
        {
            ImportError::WrongKey(WRONG_KEY.into())
        }
        DatabaseOpenError::UnsupportedVersion | DatabaseOpenError::VersionParse(_) => {
            ImportError::Damaged(
                "the file is not a KeePass database version Qvault can read (KDBX 3.1 or 4)".into(),
            )
        }
        _ => damaged(),
    }
}

/// The length of a KDBX 3 outer header: the 12-byte signature and version,
/// then fields of a 1-byte type and a 2-byte little-endian length up to
/// the end-of-header field (type 0). `None` when it is cut off or not KDBX 3.
fn kdbx3_header_len(bytes: &[u8]) -> Option<usize> {
    if bytes.get(10..12) != Some(&[3, 0][..]) {
        return None;
    }
    let mut pos = 12;
    loop {
        let kind = *bytes.get(pos)?;
        let len = bytes.get(pos + 1..pos + 3)?;
        pos += 3 + usize::from(u16::from_le_bytes([len[0], len[1]]));
        if kind == 0 {
            return (pos <= bytes.len()).then_some(pos);
        }
    }
}

/// Whether a KDBX 3 payload is whole cipher blocks (16 bytes), as every
/// KDBX 3 cipher writes it.
fn kdbx3_payload_whole(bytes: &[u8]) -> bool {
    kdbx3_header_len(bytes).is_some_and(|header| (bytes.len() - header).is_multiple_of(16))
}

/// KDBX 3.1 protects its outer header (cipher, seeds, the key of the
/// protected values) only by a SHA-256 of it inside the encrypted XML
/// (`Meta/HeaderHash`), which the `keepass` crate does not compare; a
/// tampered header would otherwise open with garbled protected values.
/// This decrypts a second time (one more KDF run) to compare it. Files
/// without a `HeaderHash` (`KeePass` before 2.20) pass.
fn check_kdbx3_header_hash(bytes: &[u8], key: DatabaseKey) -> Result<(), ImportError> {
    use sha2::Digest as _;

    let header_len = kdbx3_header_len(bytes).ok_or_else(damaged)?;
    let header = bytes.get(..header_len).ok_or_else(damaged)?;
    let xml = match catch_unwind(AssertUnwindSafe(|| Database::get_xml(&mut &bytes[..], key))) {
        Ok(Ok(xml)) => Zeroizing::new(xml),
        Ok(Err(error)) => return Err(open_error(&error, true)),
        Err(_) => return Err(damaged()),
    };
    let Some(stored) = header_hash_in(&xml) else {
        return Ok(());
    };
    let actual = data_encoding::BASE64.encode(&sha2::Sha256::digest(header));
    if stored.trim() == actual {
        Ok(())
    } else {
        Err(ImportError::Damaged(
            "the KeePass database's header does not match its contents; the file was damaged \
             or changed"
                .into(),
        ))
    }
}

/// The text of the first `<HeaderHash>` element (it sits in `Meta`, before
/// any entry).
fn header_hash_in(xml: &[u8]) -> Option<&str> {
    const OPEN: &[u8] = b"<HeaderHash>";
    const CLOSE: &[u8] = b"</HeaderHash>";
    let start = xml.windows(OPEN.len()).position(|w| w == OPEN)? + OPEN.len();
    let rest = xml.get(start..)?;
    let end = rest.windows(CLOSE.len()).position(|w| w == CLOSE)?;
    std::str::from_utf8(rest.get(..end)?).ok()
}

/// Everything one conversion needs to count for its notes.
#[derive(Default)]
struct Tally {
    recycled: usize,
    history: usize,
    too_large: Vec<String>,
}

fn convert(database: &Database) -> Imported {
    let mut boxes = Vec::new();
    let mut tally = Tally::default();
    let recycle_bin = database.meta.recyclebin_uuid;
    let root = database.root();

    let root_name = match root.name.trim() {
        "" => UNNAMED_ROOT.to_owned(),
        name => name.to_owned(),
    };
    if root.entries().next().is_some() {
        boxes.push(group_box(&root, root_name, &mut tally));
    }
    for group in root.groups() {
        collect_groups(&group, "", recycle_bin, &mut boxes, &mut tally);
    }

    Imported {
        source: format!("KeePass {}", database.config.version),
        boxes,
        notes: notes(&tally),
    }
}

fn collect_groups(
    group: &GroupRef<'_>,
    parent_path: &str,
    recycle_bin: Option<Uuid>,
    boxes: &mut Vec<ImportedBox>,
    tally: &mut Tally,
) {
    if Some(group.id().uuid()) == recycle_bin {
        tally.recycled += count_entries(group);
        return;
    }
    let path = if parent_path.is_empty() {
        group.name.clone()
    } else {
        format!("{parent_path}/{}", group.name)
    };
    boxes.push(group_box(group, path.clone(), tally));
    for child in group.groups() {
        collect_groups(&child, &path, recycle_bin, boxes, tally);
    }
}

fn count_entries(group: &GroupRef<'_>) -> usize {
    group.entries().count() + group.groups().map(|g| count_entries(&g)).sum::<usize>()
}

fn group_box(group: &GroupRef<'_>, name: String, tally: &mut Tally) -> ImportedBox {
    ImportedBox {
        name,
        kind: BoxKind::Passwords,
        secrets: group.entries().map(|e| entry_secret(&e, tally)).collect(),
    }
}

fn notes(tally: &Tally) -> Vec<String> {
    let mut notes = Vec::new();
    if tally.recycled > 0 {
        notes.push(format!(
            "{} in the recycle bin {} left out",
            plural(tally.recycled, "entry", "entries"),
            if tally.recycled == 1 { "was" } else { "were" }
        ));
    }
    if tally.history > 0 {
        notes.push(format!(
            "{} (entry history) {} not imported; each entry comes in as it is now",
            plural(tally.history, "earlier version", "earlier versions"),
            if tally.history == 1 { "was" } else { "were" }
        ));
    }
    for skipped in &tally.too_large {
        notes.push(skipped.clone());
    }
    notes
}

fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// The string fields that fill template fields.
const STANDARD_FIELDS: [(&str, &str); 5] = [
    ("Title", "issuer"),
    ("UserName", "username"),
    ("Password", "password"),
    ("URL", "link"),
    ("Notes", "notes"),
];

fn entry_secret(entry: &EntryRef<'_>, tally: &mut Tally) -> ImportedSecret {
    tally.history += entry.history.as_ref().map_or(0, |h| h.get_entries().len());

    let mut remaining: BTreeMap<&str, (&str, bool)> = entry
        .fields
        .iter()
        .map(|(name, value)| (name.as_str(), (value.get().as_str(), value.is_protected())))
        .collect();
    let mut content = SecretContent::default();
    for (name, key) in STANDARD_FIELDS {
        if let Some((value, _)) = remaining.remove(name) {
            content.set(key, value);
        }
    }
    if let Some(totp) = take_totp(
        &mut remaining,
        content.get("issuer"),
        content.get("username"),
    ) {
        content.set("totp", &totp);
    }
    content.custom = remaining
        .into_iter()
        .map(|(name, (value, hidden))| CustomField {
            name: name.to_owned(),
            value: SecretText::new(value),
            hidden,
        })
        .collect();
    if !entry.tags.is_empty() {
        content.custom.push(CustomField {
            name: "Tags".into(),
            value: SecretText::new(entry.tags.join(", ")),
            hidden: false,
        });
    }

    ImportedSecret {
        content,
        created_ms: entry.times.creation.map(|t| t.and_utc().timestamp_millis()),
        updated_ms: entry
            .times
            .last_modification
            .map(|t| t.and_utc().timestamp_millis()),
        favourite: false,
        attachments: attachments(entry, tally),
    }
}

fn attachments(entry: &EntryRef<'_>, tally: &mut Tally) -> Vec<Attachment> {
    let added_ms = crate::vault::now_ms();
    let mut named: Vec<_> = entry.attachments_named().collect();
    named.sort_by(|a, b| a.0.cmp(b.0));

    let mut kept = Vec::new();
    for (name, attachment) in named {
        let data = attachment.data.get();
        if data.len() > MAX_ATTACHMENT_BYTES {
            tally.too_large.push(format!(
                "the attachment \u{201c}{name}\u{201d} of \u{201c}{}\u{201d} was left out: \
                 it is larger than {} MiB",
                entry.get_title().unwrap_or_default(),
                MAX_ATTACHMENT_BYTES / (1024 * 1024)
            ));
            continue;
        }
        kept.push(Attachment {
            id: Uuid::new_v4(),
            name: name.to_owned(),
            added_ms,
            data: Zeroizing::new(data.clone()),
        });
    }
    kept
}

/// Takes the one-time-password fields out of `fields` and returns what our
/// totp field holds: `otp` as it is, else the legacy `KeePassXC` pair or
/// `KeePass`' `TimeOtp-*` fields as an `otpauth://` URI. Fields that do not
/// make a URI stay behind as custom fields.
fn take_totp(
    fields: &mut BTreeMap<&str, (&str, bool)>,
    issuer: &str,
    account: &str,
) -> Option<String> {
    if let Some((otp, _)) = fields.remove("otp") {
        return Some(otp.to_owned());
    }
    if let Some(&(seed, _)) = fields.get("TOTP Seed") {
        let settings = fields.get("TOTP Settings").map_or("", |s| s.0);
        let uri = legacy_totp_uri(seed, settings, issuer, account)?;
        fields.remove("TOTP Seed");
        fields.remove("TOTP Settings");
        return Some(uri);
    }
    let &(secret, _) = fields.get("TimeOtp-Secret-Base32")?;
    let period = fields.get("TimeOtp-Period").map_or("30", |f| f.0);
    let digits = fields.get("TimeOtp-Length").map_or("6", |f| f.0);
    let algorithm = match fields.get("TimeOtp-Algorithm").map_or("", |f| f.0) {
        "" | "HMAC-SHA-1" => "SHA1",
        "HMAC-SHA-256" => "SHA256",
        "HMAC-SHA-512" => "SHA512",
        _ => return None,
    };
    let uri = totp_uri(secret, period, digits, algorithm, issuer, account)?;
    for name in [
        "TimeOtp-Secret-Base32",
        "TimeOtp-Period",
        "TimeOtp-Length",
        "TimeOtp-Algorithm",
    ] {
        fields.remove(name);
    }
    Some(uri)
}

/// `KeePassXC`'s `TOTP Settings` are `PERIOD;DIGITS`, where DIGITS may be
/// `S` for Steam; an empty value means 30 seconds and 6 digits.
fn legacy_totp_uri(seed: &str, settings: &str, issuer: &str, account: &str) -> Option<String> {
    let mut parts = settings.split(';').map(str::trim);
    let period = parts.next().filter(|p| !p.is_empty()).unwrap_or("30");
    let digits = parts.next().filter(|d| !d.is_empty()).unwrap_or("6");
    if digits.eq_ignore_ascii_case("S") {
        let uri = totp_uri(seed, period, "5", "SHA1", issuer, account)?;
        return Some(format!("{uri}&encoder=steam"));
    }
    totp_uri(seed, period, digits, "SHA1", issuer, account)
}

fn totp_uri(
    secret: &str,
    period: &str,
    digits: &str,
    algorithm: &str,
    issuer: &str,
    account: &str,
) -> Option<String> {
    let period: u64 = period.trim().parse().ok()?;
    let digits: u8 = digits.trim().parse().ok()?;
    let secret: String = secret.chars().filter(|c| !c.is_whitespace()).collect();
    if secret.is_empty() {
        return None;
    }
    let label = format!("{}:{}", encode(issuer), encode(account));
    Some(format!(
        "otpauth://totp/{label}?secret={}&period={period}&digits={digits}&algorithm={algorithm}&issuer={}",
        encode(&secret),
        encode(issuer)
    ))
}

fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kdbx_signature_is_recognised_and_other_bytes_are_not() {
        let header = [0x03, 0xd9, 0xa2, 0x9a, 0x67, 0xfb, 0x4b, 0xb5, 1, 0, 4, 0];
        assert!(looks_like_kdbx(&header));
        assert!(!looks_like_kdbx(&header[..7]));
        assert!(!looks_like_kdbx(b"title,username,password\n"));
    }

    #[test]
    fn legacy_totp_pair_becomes_an_otpauth_uri() {
        let uri = legacy_totp_uri("ABCD EFGH", "60;8", "Bank", "me@x").expect("a uri");
        assert_eq!(
            uri,
            "otpauth://totp/Bank:me%40x?secret=ABCDEFGH&period=60&digits=8&algorithm=SHA1&issuer=Bank"
        );
    }

    #[test]
    fn legacy_steam_totp_asks_for_the_steam_encoder() {
        let uri = legacy_totp_uri("ABCDEFGH", "30;S", "Steam", "").expect("a uri");
        assert!(uri.ends_with("&encoder=steam"));
        assert!(uri.contains("digits=5"));
    }

    #[test]
    fn unreadable_totp_settings_leave_the_fields_alone() {
        let mut fields = BTreeMap::from([
            ("TOTP Seed", ("ABCDEFGH", true)),
            ("TOTP Settings", ("x;y", false)),
        ]);
        assert_eq!(take_totp(&mut fields, "a", "b"), None);
        assert_eq!(fields.len(), 2);
    }

    #[test]
    fn keepass_timeotp_fields_become_one_uri() {
        let mut fields = BTreeMap::from([
            ("TimeOtp-Secret-Base32", ("ABCDEFGHIJKLMNOP", true)),
            ("TimeOtp-Period", ("30", false)),
            ("TimeOtp-Length", ("6", false)),
            ("TimeOtp-Algorithm", ("HMAC-SHA-256", false)),
            ("Other", ("kept", false)),
        ]);
        let uri = take_totp(&mut fields, "Site", "me").expect("a uri");
        assert!(uri.contains("algorithm=SHA256"));
        assert!(crate::crypto::totp::parse(&uri).is_ok());
        assert_eq!(fields.keys().copied().collect::<Vec<_>>(), ["Other"]);
    }
}
