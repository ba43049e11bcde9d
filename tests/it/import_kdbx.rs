//! KDBX import against the shared `KeePass` files (`../shared/testdata/`),
//! and the KDBX export read back by `keepassxc-cli` and by our own reader.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use qvault::import::kdbx::{looks_like_kdbx, read};
use qvault::import::{ImportError, Imported, ImportedBox, ImportedSecret};
use qvault::vault::{Attachment, BoxKind, CustomField, ListItem, SecretContent, SecretText, Vault};
use serde_json::Value;
use zeroize::Zeroizing;

fn testdata(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/testdata")
        .join(rel)
}

fn json(rel: &str) -> Value {
    let text = std::fs::read_to_string(testdata(rel)).expect("expected.json");
    serde_json::from_str(&text).expect("valid JSON")
}

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key].as_str().unwrap_or("")
}

/// The files of `kdbx/expected.json` that open: those with contents and
/// no `error`, and not the plain XML sample.
fn opening_files(expected: &[Value]) -> Vec<&Value> {
    expected
        .iter()
        .filter(|f| f["contents"]["entries"].is_u64())
        .filter(|f| {
            Path::new(text(f, "file"))
                .extension()
                .is_some_and(|e| e == "kdbx")
        })
        .collect()
}

fn read_fixture(file: &Value) -> Result<Imported, ImportError> {
    let dir = testdata("kdbx");
    let key_file = file["keyfile"].as_str().map(|k| dir.join(k));
    read(
        &dir.join(text(file, "file")),
        file["password"].as_str(),
        key_file.as_deref(),
    )
}

fn secrets(imported: &Imported) -> impl Iterator<Item = (&ImportedBox, &ImportedSecret)> {
    imported
        .boxes
        .iter()
        .flat_map(|b| b.secrets.iter().map(move |s| (b, s)))
}

fn custom<'a>(secret: &'a ImportedSecret, name: &str) -> Option<&'a CustomField> {
    secret.content.custom.iter().find(|f| f.name == name)
}

/// The box an entry of `group` (path below the root) lands in.
fn box_name(group: &str, root: &str) -> String {
    if group.is_empty() {
        if root.is_empty() { "KeePass" } else { root }.to_owned()
    } else {
        group.to_owned()
    }
}

fn find<'a>(imported: &'a Imported, box_name: &str, title: &str) -> &'a ImportedSecret {
    secrets(imported)
        .find(|(b, s)| b.name == box_name && s.content.get("issuer") == title)
        .map_or_else(
            || panic!("no entry {title:?} in box {box_name:?}"),
            |(_, s)| s,
        )
}

fn check_entry(imported: &Imported, entry: &Value, root: &str, file: &str) {
    let secret = find(
        imported,
        &box_name(text(entry, "group"), root),
        text(entry, "title"),
    );
    let content = &secret.content;
    assert_eq!(content.get("username"), text(entry, "username"), "{file}");
    assert_eq!(content.get("link"), text(entry, "url"), "{file}");
    if entry.get("password_per_keepassxc_cli_2.7.4").is_none() {
        assert_eq!(content.get("password"), text(entry, "password"), "{file}");
    }
    for field in entry["extra_fields"].as_array().into_iter().flatten() {
        let name = field.as_str().unwrap_or("");
        let as_totp = matches!(name, "otp" | "TOTP Seed" | "TOTP Settings");
        assert!(
            custom(secret, name).is_some() || as_totp && !content.get("totp").is_empty(),
            "{file}: field {name:?} is missing"
        );
    }
    let names: BTreeSet<&str> = secret.attachments.iter().map(|a| a.name.as_str()).collect();
    let expected: BTreeSet<&str> = entry["attachments"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(names, expected, "{file}: attachments");
}

#[test]
fn every_database_that_should_open_gives_its_groups_entries_and_values() {
    let expected = json("kdbx/expected.json");
    let files = opening_files(expected.as_array().expect("a list"));
    assert!(files.len() >= 19, "only {} files open", files.len());

    for file in files {
        let name = text(file, "file");
        let imported = read_fixture(file).unwrap_or_else(|e| panic!("{name}: {e}"));
        let contents = &file["contents"];
        let root = text(contents, "root_group");
        let in_bin = contents["entries_in_recycle_bin"].as_u64().unwrap_or(0);
        let live = contents["entries"].as_u64().unwrap_or(0) - in_bin;
        assert_eq!(secrets(&imported).count() as u64, live, "{name}: entries");

        // Every group but the root and the recycle bin (which may be empty)
        // is a box; the root is one when it holds entries.
        let groups = contents["groups"].as_u64().unwrap_or(0);
        let root_box = u64::from(imported.boxes.iter().any(|b| b.name == box_name("", root)));
        let left_out = groups - 1 + root_box - imported.boxes.len() as u64;
        assert!(left_out <= 1, "{name}: {left_out} groups are not boxes");
        assert!(
            imported.boxes.iter().all(|b| b.name != "Recycle Bin"),
            "{name}"
        );

        for entry in contents["list"].as_array().into_iter().flatten() {
            if text(entry, "group") != "Recycle Bin" {
                check_entry(&imported, entry, root, name);
            }
        }
    }
}

#[test]
fn extra_field_values_protection_totp_and_attachment_bytes_come_through() {
    let dir = testdata("kdbx");
    let imported = read(&dir.join("keepassxc_NewDatabase.kdbx"), Some("a"), None).expect("opens");
    let sample = find(&imported, "NewDatabase", "Sample Entry");
    assert_eq!(
        custom(sample, "TestAttribute1").map(|f| f.value.as_str()),
        Some("b")
    );
    let totp = qvault::crypto::totp::parse(sample.content.get("totp")).expect("a usable totp");
    assert_eq!((totp.period(), totp.digits()), (30, 6));
    assert_eq!(sample.attachments[0].data.as_slice(), b"Sample content\n");
    assert!(imported.notes.iter().any(|n| n.contains("history")));

    let imported = read(
        &dir.join("keepassxc_ProtectedStrings.kdbx"),
        Some("masterpw"),
        None,
    )
    .expect("opens");
    let sample = find(&imported, "Protected", "Sample Entry");
    let protected = custom(sample, "TestProtected").expect("field");
    let plain = custom(sample, "TestUnprotected").expect("field");
    assert_eq!((protected.value.as_str(), protected.hidden), ("ABC", true));
    assert_eq!((plain.value.as_str(), plain.hidden), ("DEF", false));

    let imported = read(&dir.join("keepassrs_kdbx4_totp.kdbx"), Some("test"), None).expect("opens");
    let entry = find(&imported, "Root", "this entry has totp");
    assert!(
        entry
            .content
            .get("totp")
            .contains("secret=JBSWY3DPEHPK3PXP")
    );
}

#[test]
fn recycle_bin_contents_are_left_out_with_a_note() {
    let path = testdata("kdbx/keepassrs_kdbx4_recycle_bin.kdbx");
    let imported = read(&path, Some("demopass"), None).expect("opens");
    assert!(secrets(&imported).all(|(_, s)| s.content.get("issuer") != "deleted entry"));
    assert!(
        imported
            .notes
            .iter()
            .any(|n| n.starts_with("1 entry in the recycle bin"))
    );
}

#[test]
fn files_that_must_fail_give_the_right_error_kind() {
    let dir = testdata("kdbx");
    let broken_hash = read(&dir.join("keepassxc_BrokenHeaderHash.kdbx"), Some(""), None);
    assert!(
        matches!(broken_hash, Err(ImportError::Damaged(_))),
        "{broken_hash:?}"
    );
    let random = read(
        &dir.join("keepassrs_broken_random_data.kdbx"),
        Some(""),
        None,
    );
    assert!(
        matches!(random, Err(ImportError::Unrecognised(_))),
        "{random:?}"
    );
    let version = read(
        &dir.join("keepassrs_broken_kdbx_version.kdbx"),
        Some(""),
        None,
    );
    assert!(
        matches!(version, Err(ImportError::Damaged(_))),
        "{version:?}"
    );
    let xml = read(&dir.join("keepassxc_NewDatabase.xml"), Some(""), None);
    assert!(matches!(xml, Err(ImportError::Unrecognised(_))), "{xml:?}");
}

#[test]
fn wrong_password_is_wrong_key_for_kdbx3_and_kdbx4() {
    let dir = testdata("kdbx");
    for file in [
        "keepassrs_kdbx31_aeskdf_demopass.kdbx",
        "keepassrs_kdbx4_argon2id_aes.kdbx",
    ] {
        match read(&dir.join(file), Some("not the password"), None) {
            Err(ImportError::WrongKey(message)) => assert_eq!(
                message,
                "the password or key file does not open this KeePass database"
            ),
            other => panic!("{file}: {other:?}"),
        }
    }
}

#[test]
fn missing_file_is_an_io_error() {
    let result = read(Path::new("/nonexistent/db.kdbx"), Some("x"), None);
    assert!(matches!(result, Err(ImportError::Io { .. })), "{result:?}");
}

#[test]
fn truncated_databases_are_damaged_and_never_panic() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (file, password) in [
        ("keepassrs_kdbx4_argon2id_aes.kdbx", "demopass"),
        ("keepassxc_Format400.kdbx", "t"),
        ("keepassrs_kdbx31_aeskdf_demopass.kdbx", "demopass"),
    ] {
        let bytes = std::fs::read(testdata("kdbx").join(file)).expect("fixture");
        for cut in [12, 40, 150, bytes.len() / 2, bytes.len() - 7] {
            let path = dir.path().join(format!("{cut}-{file}"));
            std::fs::write(&path, &bytes[..cut]).expect("write");
            let result = read(&path, Some(password), None);
            assert!(
                matches!(result, Err(ImportError::Damaged(_))),
                "{file} cut at {cut}: {result:?}"
            );
        }
    }
}

#[test]
fn kdbx_signature_check_tells_kdbx_from_other_files() {
    let kdbx = std::fs::read(testdata("kdbx/keepassxc_Format400.kdbx")).expect("fixture");
    let random = std::fs::read(testdata("kdbx/keepassrs_broken_random_data.kdbx")).expect("file");
    assert!(looks_like_kdbx(&kdbx));
    assert!(!looks_like_kdbx(&random));
}

#[test]
fn generated_vault_imports_all_live_entries_with_their_values() {
    let expected = json("kdbx_generated/expected.json");
    let path = testdata("kdbx_generated/large_vault_2000.kdbx");
    let imported = read(&path, Some(text(&expected, "password")), None).expect("opens");

    let live = expected["entry_count_excluding_recycle_bin"]
        .as_u64()
        .unwrap_or(0);
    assert_eq!(live, 1985);
    assert_eq!(secrets(&imported).count() as u64, live);
    assert!(
        imported
            .notes
            .iter()
            .any(|n| n.starts_with("15 entries in the recycle bin"))
    );
    let with_totp = secrets(&imported).filter(|(_, s)| !s.content.get("totp").is_empty());
    assert!(with_totp.count() >= 222);

    for entry in expected["sample_entries"].as_array().into_iter().flatten() {
        if text(entry, "group") != "Recycle Bin" {
            check_generated_entry(&imported, entry);
        }
    }
}

fn check_generated_entry(imported: &Imported, entry: &Value) {
    let box_name = box_name(text(entry, "group"), "Vault");
    let secret = find(imported, &box_name, text(entry, "title"));
    let content = &secret.content;
    assert_eq!(content.get("username"), text(entry, "username"));
    assert_eq!(content.get("password"), text(entry, "password"));
    assert_eq!(content.get("link"), text(entry, "url"));
    assert_eq!(content.get("notes"), text(entry, "notes"));
    for (name, value) in entry["fields"].as_object().into_iter().flatten() {
        let value = value.as_str().unwrap_or("");
        if name == "otp" {
            assert_eq!(content.get("totp"), value);
        } else if name.starts_with("TimeOtp-") {
            assert!(
                qvault::crypto::totp::parse(content.get("totp")).is_ok(),
                "{name}"
            );
        } else {
            let field = custom(secret, name).unwrap_or_else(|| panic!("field {name}"));
            assert_eq!(field.value.as_str(), value, "{name}");
        }
    }
    let names: BTreeSet<&str> = secret.attachments.iter().map(|a| a.name.as_str()).collect();
    let expected: BTreeSet<&str> = entry["attachments"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(names, expected);
}

#[test]
fn key_files_of_64_bytes_are_hex_decoded_only_when_they_are_hex() {
    let expected = json("bugreports/BR-15.expected.json");
    let password = text(&expected, "password");
    for case in expected["files"].as_object().expect("files").values() {
        let dir = testdata("bugreports");
        let key_file = dir.join(text(case, "key_file"));
        let imported = read(
            &dir.join(text(case, "database")),
            Some(password),
            Some(&key_file),
        )
        .unwrap_or_else(|e| panic!("{}: {e}", text(case, "database")));
        for entry in case["entries"].as_array().into_iter().flatten() {
            let secret = secrets(&imported)
                .map(|(_, s)| s)
                .find(|s| s.content.get("issuer") == text(entry, "title"))
                .expect("entry");
            assert_eq!(secret.content.get("username"), text(entry, "username"));
            assert_eq!(secret.content.get("password"), text(entry, "password"));
            assert_eq!(secret.content.get("link"), text(entry, "url"));
        }
        let without_key = read(&dir.join(text(case, "database")), Some(password), None);
        assert!(matches!(without_key, Err(ImportError::WrongKey(_))));
    }
}

// ---------------------------------------------------------------- export

const EXPORT_PASSWORD: &str = "export pässword 🔑";

fn content(fields: &[(&str, &str)]) -> SecretContent {
    let mut content = SecretContent::default();
    for (key, value) in fields {
        content.set(key, value);
    }
    content
}

/// One secret of each box kind, in its own box.
fn sample_contents() -> Vec<(BoxKind, &'static str, SecretContent)> {
    vec![
        (
            BoxKind::Passwords,
            "Logins",
            content(&[
                ("issuer", "example.org"),
                ("username", "ann"),
                ("password", "Zq!9 \"quoted\" <&> é🔑"),
                ("email", "ann@example.org"),
                ("link", "https://example.org/login"),
                (
                    "totp",
                    "otpauth://totp/Ex:ann?secret=JBSWY3DPEHPK3PXP&issuer=Ex",
                ),
                ("pin", "1234"),
                ("notes", "line one\nline two\n\tindented"),
            ]),
        ),
        (
            BoxKind::CryptoWallets,
            "Wallets",
            content(&[
                ("name", "Cold wallet ₿"),
                ("coin", "BTC"),
                (
                    "seed",
                    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
                ),
                ("passphrase", "TREZOR"),
                ("account", "0"),
            ]),
        ),
        (
            BoxKind::CryptoBackups,
            "Backups/Paper",
            content(&[
                ("name", "Paper key"),
                ("ticker", "ETH"),
                (
                    "seed",
                    "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318",
                ),
                ("password", "pw"),
            ]),
        ),
        (
            BoxKind::Financial,
            "Banks",
            content(&[
                ("name", "Bank of Tests"),
                ("username", "ann.b"),
                ("password", "bank-pw"),
                ("routing_number", "021000021"),
            ]),
        ),
        (
            BoxKind::Identification,
            "IDs",
            content(&[
                ("type", "Passport"),
                ("number", "X1234567"),
                ("issuer", "Ruritania"),
                ("expires", "2031-01-01"),
            ]),
        ),
        (
            BoxKind::Server,
            "Servers",
            content(&[
                ("name", "db-1"),
                ("hostname", "db.example"),
                ("port", "5432"),
                ("username", "root"),
                ("password", "s3rver"),
                ("private_key", "-----BEGIN KEY-----\nabc\n-----END KEY-----"),
            ]),
        ),
        (
            BoxKind::Notes,
            "Notes",
            content(&[("name", "日本語メモ"), ("notes", "первая\nвторая")]),
        ),
        (
            BoxKind::Custom,
            "Misc",
            content(&[("name", "Custom thing"), ("secret", "shh")]),
        ),
    ]
}

/// A vault with a secret of every box kind, custom fields (one hidden), a
/// financial secret with two cards, multi-line notes, unicode and a file.
fn export_vault() -> Vault {
    let mut vault = Vault::new();
    let mut samples = sample_contents();
    let cards = vec![
        ListItem::from([
            ("number".into(), SecretText::from("4111 1111 1111 1111")),
            ("expiry".into(), SecretText::from("12/29")),
            ("cvc".into(), SecretText::from("123")),
        ]),
        ListItem::from([
            ("number".into(), SecretText::from("5500 0000 0000 0004")),
            ("cvc".into(), SecretText::from("987")),
        ]),
    ];
    samples[3].2.lists.insert("cards".into(), cards);
    samples[0].2.custom = vec![
        CustomField {
            name: "Recovery".into(),
            value: "r-1 r-2".into(),
            hidden: true,
        },
        CustomField {
            name: "Security question".into(),
            value: "pet → Rex".into(),
            hidden: false,
        },
    ];

    for (kind, box_name, content) in samples {
        let box_id = vault.add_box(box_name, kind).expect("box");
        vault.add_secret(box_id, content).expect("secret");
    }
    vault.boxes[0].secrets[0].attachments.push(Attachment {
        id: uuid::Uuid::new_v4(),
        name: "codes.txt".into(),
        added_ms: 0,
        data: Zeroizing::new(b"one\ntwo\n".to_vec()),
    });
    vault
}

/// Runs `keepassxc-cli ARGS DB [ENTRY]` with the password on stdin; `None`
/// (and a printed note) when it is not installed.
fn keepassxc_cli(args: &[&str], db: &Path, entry: Option<&str>) -> Option<String> {
    let binary = Path::new("/usr/bin/keepassxc-cli");
    if !binary.exists() {
        println!("keepassxc-cli is not installed: the KeePassXC part of this test is skipped");
        return None;
    }
    let mut child = Command::new(binary)
        .args(args)
        .arg(db)
        .args(entry)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("keepassxc-cli runs");
    let mut stdin = child.stdin.take().expect("stdin");
    writeln!(stdin, "{EXPORT_PASSWORD}").expect("password to stdin");
    drop(stdin);
    let output = child.wait_with_output().expect("keepassxc-cli output");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "keepassxc-cli {args:?} failed: {stderr}"
    );
    Some(String::from_utf8(output.stdout).expect("UTF-8"))
}

#[test]
fn exported_vault_opens_in_keepassxc_and_reads_back_whole() {
    let vault = export_vault();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("export.kdbx");
    let written = qvault::export::kdbx::write(&vault, &path, EXPORT_PASSWORD).expect("export");
    assert_eq!(written, 8);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    check_keepassxc_lists_and_shows(&path, &vault);
    check_reads_back(
        &vault,
        &read(&path, Some(EXPORT_PASSWORD), None).expect("reads back"),
    );
}

fn check_keepassxc_lists_and_shows(path: &Path, vault: &Vault) {
    let Some(listing) = keepassxc_cli(&["ls", "-q", "-R", "-f"], path, None) else {
        return;
    };
    for vault_box in &vault.boxes {
        for secret in &vault_box.secrets {
            let line = format!("{}/{}", vault_box.name, secret.title(vault_box.kind));
            assert!(
                listing.lines().any(|l| l == line),
                "{line:?} not in\n{listing}"
            );
        }
    }
    let shown = keepassxc_cli(
        &["show", "-q", "-s", "--all"],
        path,
        Some("Banks/Bank of Tests"),
    )
    .expect("shown");
    assert!(shown.contains("cards 2 cvc: 987"), "{shown}");
    assert!(shown.contains("Routing number: 021000021"), "{shown}");
    let login = keepassxc_cli(
        &["show", "-q", "-s", "--all"],
        path,
        Some("Logins/example.org"),
    )
    .expect("shown");
    assert!(login.contains("Recovery: r-1 r-2"), "{login}");
    assert!(
        login.contains("Password: Zq!9 \"quoted\" <&> é🔑"),
        "{login}"
    );
}

/// Every value of every secret comes back from our own reader, under the
/// name the exporter gave it.
fn check_reads_back(vault: &Vault, imported: &Imported) {
    for vault_box in &vault.boxes {
        let found = imported
            .boxes
            .iter()
            .find(|b| b.name == vault_box.name)
            .unwrap_or_else(|| panic!("box {}", vault_box.name));
        for secret in &vault_box.secrets {
            let title = secret.title(vault_box.kind);
            let back = found
                .secrets
                .iter()
                .find(|s| s.content.get("issuer") == title)
                .unwrap_or_else(|| panic!("secret {title}"));
            let values: BTreeSet<&str> = back
                .content
                .fields
                .values()
                .map(SecretText::as_str)
                .chain(back.content.custom.iter().map(|f| f.value.as_str()))
                .collect();
            let originals = secret
                .content
                .fields
                .values()
                .chain(
                    secret
                        .content
                        .lists
                        .values()
                        .flatten()
                        .flat_map(|i| i.values()),
                )
                .chain(secret.content.custom.iter().map(|f| &f.value));
            for value in originals {
                assert!(values.contains(value.as_str()), "{title}: a value was lost");
            }
            // KDBX keeps whole seconds.
            assert_eq!(back.created_ms, Some(secret.created_ms / 1000 * 1000));
            assert_eq!(back.attachments.len(), secret.attachments.len());
        }
    }
    let login = find(imported, "Logins", "example.org");
    assert_eq!(login.attachments[0].data.as_slice(), b"one\ntwo\n");
    assert!(custom(login, "Recovery").is_some_and(|f| f.hidden));
    assert!(custom(login, "Security question").is_some_and(|f| !f.hidden));
    let bank = find(imported, "Banks", "Bank of Tests");
    assert!(custom(bank, "cards 1 cvc").is_some_and(|f| f.hidden && f.value.as_str() == "123"));
    assert!(custom(bank, "cards 2 number").is_some());
}
