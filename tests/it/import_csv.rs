//! CSV import and export: every synthetic export against `expected.json`,
//! the real `KeePassXC` and pass-import exports, BR-13, broken files, and a
//! whole vault through our Bitwarden-layout export and back.

use std::path::{Path, PathBuf};

use qvault::export::csv::{to_bitwarden_csv, write};
use qvault::import::csv::{ColumnMapping, headers, looks_like_csv, read, read_mapped};
use qvault::import::{ImportError, Imported, ImportedSecret};
use qvault::vault::{BoxKind, CustomField, ListItem, SecretContent, SecretText, Vault, field_key};
use serde_json::Value;

fn testdata(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/testdata")
        .join(relative)
}

fn bytes(relative: &str) -> Vec<u8> {
    std::fs::read(testdata(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

fn import(relative: &str) -> Imported {
    read(&bytes(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

fn synthetic(file: &str) -> Imported {
    import(&format!("csv_import/synthetic/{file}"))
}

fn expected_files() -> Vec<Value> {
    let text = bytes("csv_import/synthetic/expected.json");
    let json: Value = serde_json::from_slice(&text).expect("expected.json");
    json["files"].as_array().expect("files").clone()
}

fn all_secrets(imported: &Imported) -> Vec<(&str, BoxKind, &ImportedSecret)> {
    imported
        .boxes
        .iter()
        .flat_map(|b| b.secrets.iter().map(move |s| (b.name.as_str(), b.kind, s)))
        .collect()
}

fn custom<'a>(secret: &'a ImportedSecret, name: &str) -> Option<&'a str> {
    secret
        .content
        .custom
        .iter()
        .find(|f| f.name == name)
        .map(|f| f.value.as_str())
}

/// What we compare: box, type, title, username, email, password, link,
/// notes, TOTP.
type View = [String; 9];

fn view(box_name: &str, kind: BoxKind, secret: &ImportedSecret) -> View {
    let c = &secret.content;
    [
        box_name,
        kind.key(),
        c.get(kind.title_key()),
        c.get("username"),
        c.get("email"),
        c.get("password"),
        c.get("link"),
        c.get("notes"),
        c.get("totp"),
    ]
    .map(str::to_owned)
}

fn text<'a>(record: &'a Value, key: &str) -> &'a str {
    record[key].as_str().unwrap_or_default()
}

/// The secret a record of `format` should give, with the format's own
/// adjustments (no folders in Chrome, Firefox and 1Password, the root group
/// in `KeePassXC`, Proton's vault as the box, titles from hosts in Firefox).
fn expected_view(format: &str, record: &Value) -> View {
    let note = text(record, "id") == "no_url_no_user";
    let kind = if note {
        BoxKind::Notes
    } else {
        BoxKind::Passwords
    };
    let folder = text(record, "folder");
    let box_name = match format {
        "chrome-csv" => "Imported from Chrome".to_owned(),
        "firefox-csv" => "Imported from Firefox".to_owned(),
        "1password8-csv" => "Imported from 1Password".to_owned(),
        "lastpass-csv" => folder.replace('\\', "/"),
        "keepassxc-csv" => folder.trim_start_matches("Root/").to_owned(),
        "protonpass-csv" => text(record, "vault").to_owned(),
        _ => folder.to_owned(),
    };
    let url = text(record, "url");
    let title = if format == "firefox-csv" {
        url.split("://")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .unwrap_or(url)
    } else {
        text(record, "title")
    };
    let link = if note { "" } else { url };
    // Chrome and Firefox have no TOTP column, Firefox no notes.
    let totp = match format {
        "chrome-csv" | "firefox-csv" => "",
        _ => text(record, "totp"),
    };
    let notes = match format {
        "firefox-csv" => "",
        _ => text(record, "notes"),
    };
    [
        box_name.as_str(),
        kind.key(),
        title,
        text(record, "username"),
        text(record, "email"),
        text(record, "password"),
        link,
        notes,
        totp,
    ]
    .map(str::to_owned)
}

#[test]
fn every_synthetic_export_gives_every_record_of_expected_json() {
    for file in expected_files() {
        let name = file["file"].as_str().expect("file");
        let format = file["format"].as_str().expect("format");
        let imported = synthetic(name);
        let mut got: Vec<View> = all_secrets(&imported)
            .into_iter()
            .map(|(b, k, s)| view(b, k, s))
            .collect();
        let records = file["records"].as_array().expect("records");
        let special = ["firefox_accounts", "credit_card", "alias"];
        for record in records {
            if special.contains(&text(record, "id")) {
                continue;
            }
            let want = expected_view(format, record);
            let at = got.iter().position(|g| *g == want);
            let at = at.unwrap_or_else(|| panic!("{name}: no secret {want:#?}\namong {got:#?}"));
            got.remove(at);
        }
        let skipped = usize::from(format == "firefox-csv");
        let left = if format == "protonpass-csv" { 2 } else { 0 };
        assert_eq!(got.len(), left, "{name}: secrets beyond the records");
        assert_eq!(
            all_secrets(&imported).len(),
            records.len() - skipped,
            "{name}: every record but Firefox's account token"
        );
    }
}

fn find<'a>(imported: &'a Imported, title: &str) -> Vec<&'a ImportedSecret> {
    all_secrets(imported)
        .into_iter()
        .filter(|(_, kind, s)| s.content.get(kind.title_key()) == title)
        .map(|(_, _, s)| s)
        .collect()
}

#[test]
fn awkward_cells_arrive_verbatim_in_every_format() {
    for file in [
        "bitwarden_awkward.csv",
        "keepassxc_awkward.csv",
        "onepassword8_awkward.csv",
    ] {
        let imported = synthetic(file);
        let comma = find(&imported, "Bank, Savings")[0];
        assert_eq!(comma.content.get("password"), "pa,ss\"word", "{file}");
        let crlf = find(&imported, "Windows note")[0];
        assert_eq!(
            crlf.content.get("notes"),
            "Windows line 1\r\nWindows line 2",
            "{file}"
        );
        let spaces = find(&imported, "  padded title  ")[0];
        assert_eq!(spaces.content.get("username"), " space user ", "{file}");
        let formula = find(&imported, "=HYPERLINK(\"https://evil.example\")")[0];
        assert_eq!(formula.content.get("password"), "=SUM(A1:A2)", "{file}");
        assert_eq!(formula.content.get("username"), "+15550100", "{file}");
        let quotes = find(&imported, "\"Quoted\"")[0];
        assert_eq!(quotes.content.get("password"), "\"\"", "{file}");
        let cart = find(&imported, "Shop cart")[0];
        assert_eq!(
            cart.content.get("link"),
            "https://shop.example/cart?items=1,2,3&x=y#frag"
        );
        assert_eq!(
            cart.content.get("password"),
            "tab\there|pipe;semi",
            "{file}"
        );
        let unicode = find(&imported, "Café ☕ Ünïcödé")[0];
        assert_eq!(unicode.content.get("password"), "пароль🔑密码", "{file}");
    }
}

#[test]
fn bitwarden_fields_become_custom_fields_and_extra_uris_become_links() {
    let imported = synthetic("bitwarden_awkward.csv");
    assert_eq!(imported.source, "Bitwarden CSV");
    let mail = find(&imported, "Example Mail");
    assert_eq!(mail.len(), 3, "duplicates are kept");
    assert_eq!(custom(mail[0], "PIN"), Some("1234"));
    assert_eq!(custom(mail[0], "Security question"), Some("blue"));
    assert_eq!(
        custom(mail[2], "Link 2"),
        Some("https://webmail.example.com/")
    );
    assert!(find(&imported, "Café ☕ Ünïcödé")[0].favourite);
    let nested = imported
        .boxes
        .iter()
        .find(|b| b.name == "Work/Servers/Production");
    assert!(nested.is_some_and(|b| b.kind == BoxKind::Passwords));
}

#[test]
fn firefox_skips_its_account_token_with_a_note_and_keeps_times() {
    let imported = synthetic("firefox_awkward.csv");
    assert_eq!(imported.notes.len(), 1);
    assert!(
        imported.notes[0].contains("line 17"),
        "{:?}",
        imported.notes
    );
    assert!(
        !imported.notes[0].contains("fxa-user"),
        "no value in a note"
    );
    let first = find(&imported, "mail.example.com")[0];
    assert_eq!(first.created_ms, Some(1_700_000_001_000));
    let spaces = find(&imported, "pad.example.com")[0];
    assert_eq!(custom(spaces, "httpRealm"), Some("Basic realm"));
}

#[test]
fn bug_report_13_firefox_times_are_milliseconds() {
    let expected: Value =
        serde_json::from_slice(&bytes("bugreports/BR-13.expected.json")).expect("json");
    let imported = import("bugreports/BR-13.csv");
    let secrets = all_secrets(&imported);
    assert_eq!(secrets.len(), 1);
    let (_, kind, secret) = secrets[0];
    let entry = &expected["entry"];
    assert_eq!(secret.content.get(kind.title_key()), text(entry, "title"));
    assert_eq!(secret.content.get("link"), text(entry, "url"));
    assert_eq!(secret.content.get("username"), text(entry, "username"));
    assert_eq!(secret.content.get("password"), text(entry, "password"));
    // 2022-04-15T05:20:00.123Z and 2022-08-08T23:06:40.456Z.
    assert_eq!(secret.created_ms, Some(1_650_000_000_123));
    assert_eq!(secret.updated_ms, Some(1_660_000_000_456));
}

#[test]
fn lastpass_nests_backslash_groups_and_keeps_secure_notes_as_notes() {
    let imported = synthetic("lastpass_awkward.csv");
    assert!(
        imported
            .boxes
            .iter()
            .any(|b| b.name == "Work/Servers/Production")
    );
    let notes = imported
        .boxes
        .iter()
        .find(|b| b.kind == BoxKind::Notes)
        .expect("notes");
    assert_eq!(notes.name, "Notes");
    let body = notes.secrets[0].content.get("notes");
    assert!(body.starts_with("NoteType:Server\nHostname:db.example.internal"));
}

#[test]
fn proton_cards_become_financial_secrets_and_times_are_seconds() {
    let imported = synthetic("protonpass_awkward.csv");
    let financial = imported.boxes.iter().find(|b| b.kind == BoxKind::Financial);
    let card = &financial.expect("a financial box").secrets[0];
    assert_eq!(card.content.get("name"), "Test Visa");
    let cards = &card.content.lists["cards"];
    assert_eq!(cards.len(), 1);
    assert_eq!(cards[0]["number"].as_str(), "4111111111111111");
    assert_eq!(cards[0]["expiry"].as_str(), "2030-12");
    assert_eq!(cards[0]["cvc"].as_str(), "123");
    assert_eq!(custom(card, "Cardholder"), Some("Alice Example"));
    let alias = find(&imported, "Alias for shop")[0];
    assert_eq!(alias.content.get("email"), "shop.alias123@passmail.example");
    let simple = find(&imported, "Example Mail")[0];
    assert_eq!(simple.created_ms, Some(1_700_000_000_000));
    assert!(imported.boxes.iter().any(|b| b.name == "Work 💼"));
}

#[test]
fn one_password_keeps_tags_and_only_true_archived_flags() {
    let imported = synthetic("onepassword8_awkward.csv");
    let mail = find(&imported, "Example Mail");
    let archived: Vec<Option<&str>> = mail.iter().map(|s| custom(s, "Archived")).collect();
    assert_eq!(archived, [None, Some("true"), None]);
    let prod = find(&imported, "Prod DB")[0];
    assert_eq!(custom(prod, "Tags"), Some("work,servers"));
}

#[test]
fn real_keepassxc_exports_import_with_their_documented_rows() {
    let new_db = import("csv_import/keepassxc_real/keepassxc_NewDatabase_export.csv");
    let names: Vec<&str> = new_db.boxes.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(names, ["Imported from KeePassXC", "Homebanking/Subgroup"]);
    let sample = &new_db.boxes[0].secrets[0];
    assert_eq!(sample.content.get("issuer"), "Sample Entry");
    assert!(
        sample
            .content
            .get("totp")
            .starts_with("otpauth://totp/Sample%20Entry")
    );
    assert_eq!(sample.updated_ms, Some(1_636_321_720_000)); // 2021-11-07T21:48:40Z

    let non_ascii = import("csv_import/keepassxc_real/keepassxc_NonAscii_export.csv");
    let secret = &non_ascii.boxes[0].secrets[0];
    assert_eq!(secret.content.get("issuer"), "秘密");
    assert_eq!(secret.content.get("password"), "🚗🐎🔋📎");

    let demo = import("csv_import/keepassxc_real/keepassrs_kdbx31_demopass_export.csv");
    assert_eq!(all_secrets(&demo).len(), 6);
    let names: Vec<&str> = demo
        .boxes
        .iter()
        .filter(|b| b.kind == BoxKind::Passwords)
        .map(|b| b.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "Imported from KeePassXC",
            "General",
            "General/Subgroup",
            "Internet"
        ]
    );
    let untitled = all_secrets(&demo)
        .into_iter()
        .filter(|(_, k, _)| *k == BoxKind::Notes)
        .count();
    assert_eq!(untitled, 1, "the entry with only notes is a note");
}

#[test]
fn the_large_keepassxc_export_keeps_all_2000_rows() {
    let imported = import("kdbx_generated/large_vault_2000.keepassxc.csv");
    assert_eq!(all_secrets(&imported).len(), 2000);
    let bin = imported.boxes.iter().find(|b| b.name == "Recycle Bin");
    assert_eq!(bin.map(|b| b.secrets.len()), Some(15));
}

#[test]
fn pass_import_fixtures_give_their_14_entries() {
    let aib = "ws5T@;_UB[Q|P!8'`~z%XC'JHFUbf#IX _E0}:HF,[{ei0hBg14";
    for file in [
        "bitwarden.csv",
        "bitwarden-org.csv",
        "chrome.csv",
        "firefox.csv",
        "lastpass.csv",
        "1password8.csv",
        "1password4.csv",
        "keepassx2.csv",
        "keepass.csv",
        "nordpass.csv",
    ] {
        let imported = import(&format!("csv_import/third_party_pass-import/{file}"));
        let secrets = all_secrets(&imported);
        assert_eq!(secrets.len(), 14, "{file}");
        let found = secrets
            .iter()
            .any(|(_, _, s)| s.content.get("password") == aib);
        assert!(found, "{file}: aib's password");
    }
    let bitwarden = import("csv_import/third_party_pass-import/bitwarden.csv");
    let aib_secret = find(&bitwarden, "aib")[0];
    assert_eq!(custom(aib_secret, "oldpin"), Some("489019"));
    for file in [
        "bitwarden.csv",
        "lastpass.csv",
        "keepassx2.csv",
        "nordpass.csv",
    ] {
        let imported = import(&format!("csv_import/third_party_pass-import/{file}"));
        assert!(
            imported.boxes.iter().any(|b| b.name == "Emails/WS"),
            "{file}: nested group"
        );
    }
}

#[test]
fn headerless_and_unknown_layouts_are_unrecognised_naming_the_columns() {
    let dir = "csv_import/third_party_pass-import";
    let err = read(&bytes(&format!("{dir}/dashlane.csv"))).expect_err("headerless");
    assert!(matches!(err, ImportError::Unrecognised(_)), "{err}");
    let err = read(b"alpha,beta,gamma\n1,2,3\n").expect_err("unknown");
    let message = err.to_string();
    assert!(message.contains("alpha, beta, gamma"), "{message}");
    assert!(message.contains("column mapping"), "{message}");
}

fn csv_line(err: &ImportError) -> u64 {
    match err {
        ImportError::Csv { line, .. } => *line,
        other => panic!("not a CSV error: {other}"),
    }
}

#[test]
fn broken_files_give_errors_with_line_numbers() {
    let quote = read(&bytes("csv_import/synthetic/edge_unterminated_quote.csv"));
    let quote = quote.expect_err("unterminated quote");
    assert_eq!(csv_line(&quote), 2);
    assert!(quote.to_string().contains("never closes"));

    let ragged = read(&bytes("csv_import/synthetic/edge_ragged_rows.csv")).expect_err("ragged");
    assert_eq!(csv_line(&ragged), 3, "the 7-cell row");
    assert!(ragged.to_string().contains("7 cells"));

    let latin1 = read(&bytes("csv_import/synthetic/edge_latin1_not_utf8.csv"));
    let latin1 = latin1.expect_err("latin-1");
    assert_eq!(csv_line(&latin1), 2);
    assert!(latin1.to_string().contains("UTF-8"));

    let empty = read(b"").expect_err("empty");
    assert_eq!(csv_line(&empty), 1);
}

#[test]
fn a_header_alone_imports_nothing_and_a_last_row_needs_no_newline() {
    let header_only = synthetic("edge_header_only.csv");
    assert!(header_only.boxes.is_empty());
    let last = synthetic("edge_no_trailing_newline.csv");
    let secrets = all_secrets(&last);
    assert_eq!(secrets.len(), 1);
    assert_eq!(secrets[0].2.content.get("password"), "no-newline-at-eof");
    assert_eq!(secrets[0].2.content.get("notes"), "");
}

#[test]
fn short_rows_are_padded_like_chromes_missing_note_cell() {
    let imported = read(b"name,url,username,password,note\nA,https://a.example/,u,p\n");
    let imported = imported.expect("short row");
    assert_eq!(all_secrets(&imported)[0].2.content.get("password"), "p");
}

#[test]
fn a_mapped_file_uses_the_chosen_columns_and_keeps_the_rest() {
    let file = "Site,Who,Secret,Where,Extra\r\nBank,ann,\"p,w\",https://bank.example/,blue\r\n";
    assert!(looks_like_csv(file.as_bytes()));
    assert_eq!(headers(file.as_bytes()).expect("headers")[2], "Secret");
    let mapping = ColumnMapping {
        title: Some(0),
        username: Some(1),
        password: Some(2),
        url: Some(3),
        ..ColumnMapping::default()
    };
    let imported = read_mapped(file.as_bytes(), &mapping).expect("mapped");
    let (box_name, kind, secret) = all_secrets(&imported)[0];
    assert_eq!((box_name, kind), ("Imported from CSV", BoxKind::Passwords));
    assert_eq!(secret.content.get("password"), "p,w");
    assert_eq!(custom(secret, "Extra"), Some("blue"));
}

fn content(fields: &[(&str, &str)]) -> SecretContent {
    let mut content = SecretContent::default();
    for (key, value) in fields {
        content.set(key, value);
    }
    content
}

fn field(name: &str, value: &str, hidden: bool) -> CustomField {
    CustomField {
        name: name.into(),
        value: SecretText::new(value),
        hidden,
    }
}

fn item(fields: &[(&str, &str)]) -> ListItem {
    fields
        .iter()
        .map(|(k, v)| (field_key(k), SecretText::new(*v)))
        .collect()
}

/// A vault with a secret of every box type, awkward values included.
fn vault_of_every_kind() -> Vault {
    let mut vault = Vault::new();
    let mut add = |name: &str, kind: BoxKind, content: SecretContent| {
        let id = match vault.box_by_name(name).filter(|b| b.kind == kind) {
            Some(b) => b.id,
            None => vault.add_box(name, kind).expect("box"),
        };
        vault.add_secret(id, content).expect("secret")
    };
    let mut login = content(&[
        ("issuer", "Bank, \"Savings\""),
        ("username", " ann "),
        ("password", "=SUM(A1:A2),\"x\""),
        ("email", "ann@example.com"),
        ("link", "https://shop.example/cart?items=1,2,3"),
        ("totp", "otpauth://totp/X?secret=JBSWY3DPEHPK3PXP"),
        ("pin", "0000"),
        ("notes", "line one\r\nline, two \"quoted\"\n\nfour"),
    ]);
    login.custom = vec![
        field("Link 2", "https://b.example/", false),
        field("Recovery: words", "alpha\nbeta", true),
        field("empty", "", false),
    ];
    add("Logins/Work", BoxKind::Passwords, login);
    add(
        "Logins/Work",
        BoxKind::Passwords,
        content(&[("link", "https://no-title.example/")]),
    );
    let mut bank = content(&[
        ("name", "Big Bank"),
        ("username", "ann"),
        ("password", "pw"),
        ("routing_number", "021000021"),
        ("notes", "two cards"),
    ]);
    bank.lists.insert(
        field_key("cards"),
        vec![
            item(&[
                ("number", "4111111111111111"),
                ("expiry", "12/30"),
                ("cvc", "123"),
            ]),
            item(&[
                ("number", "5500000000000004"),
                ("notes", "travel, \"gold\""),
            ]),
        ],
    );
    bank.lists.insert(
        field_key("accounts"),
        vec![item(&[("name", "Main"), ("number", "12345")])],
    );
    bank.custom = vec![field("Branch", "Main St", false)];
    add("Money", BoxKind::Financial, bank);
    let seed = "abandon abandon abandon abandon abandon abandon\nabandon abandon about";
    let wallet = content(&[
        ("name", "Cold"),
        ("coin", "BTC"),
        ("seed", seed),
        ("passphrase", "\"x"),
    ]);
    add("Crypto", BoxKind::CryptoWallets, wallet);
    let backup = content(&[
        ("name", "Paper"),
        ("ticker", "ETH"),
        ("seed", "0xabc"),
        ("pin", "1"),
    ]);
    add("Crypto", BoxKind::CryptoBackups, backup);
    let id = content(&[
        ("type", "Passport"),
        ("number", "X1"),
        ("issuer", "NL"),
        ("expires", "2030"),
    ]);
    add("IDs", BoxKind::Identification, id);
    let key = "-----BEGIN KEY-----\nAAAA\n-----END KEY-----\n";
    let server = content(&[
        ("name", "db"),
        ("hostname", "db.example"),
        ("port", "22"),
        ("private_key", key),
    ]);
    add("Servers", BoxKind::Server, server);
    add(
        "Notes",
        BoxKind::Notes,
        content(&[("name", "Diary"), ("notes", "a\nb, \"c\"")]),
    );
    add(
        "Other",
        BoxKind::Custom,
        content(&[("name", "API"), ("secret", "s3cr3t: yes")]),
    );
    let first = vault.boxes[0].id;
    let secret = vault.boxes[0].secrets[0].id;
    vault.set_favourite(first, secret, true).expect("star");
    vault
}

#[test]
fn our_bitwarden_export_reads_back_as_the_same_secrets() {
    let vault = vault_of_every_kind();
    let exported = to_bitwarden_csv(&vault).expect("export");
    assert!(exported.starts_with(b"folder,favorite,type,name,notes,fields,reprompt,login_uri"));
    let imported = read(&exported).expect("read back");
    assert_eq!(imported.boxes.len(), vault.boxes.len());
    for vault_box in &vault.boxes {
        let back = imported
            .boxes
            .iter()
            .find(|b| b.name == vault_box.name && b.kind == vault_box.kind)
            .unwrap_or_else(|| panic!("box {} {:?}", vault_box.name, vault_box.kind));
        assert_eq!(back.secrets.len(), vault_box.secrets.len());
        for (original, copy) in vault_box.secrets.iter().zip(&back.secrets) {
            assert_eq!(copy.content, original.content, "{:?}", vault_box.kind);
            assert_eq!(copy.favourite, original.favourite);
        }
    }
}

#[test]
fn the_written_export_is_private_and_counts_its_secrets() {
    let vault = vault_of_every_kind();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("export.csv");
    let written = write(&vault, &path).expect("write");
    assert_eq!(written, vault.secret_count());
    let on_disk = std::fs::read(&path).expect("read");
    assert_eq!(all_secrets(&read(&on_disk).expect("import")).len(), written);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
