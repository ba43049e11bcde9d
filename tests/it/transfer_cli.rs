//! `qvault import` and `qvault export` as a user runs them, on the real
//! third-party files in `../shared/testdata`, with `keepassxc-cli` as the
//! peer that must open what we export.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::common::cli::{lines, sha256, with_vault};
use crate::common::{PASSWORD, new_vault};
use qvault::store::{self, Credential};

fn testdata(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/testdata")
        .join(rel)
}

fn arg(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

fn open(path: &Path) -> qvault::vault::Vault {
    let password = qvault::crypto::Password::new(PASSWORD);
    store::unlock(path, &Credential::Password(password))
        .expect("unlock")
        .vault
}

#[test]
fn a_legacy_qvault_file_imports_its_boxes_and_a_second_import_leaves_duplicates_out() {
    let vault = new_vault();
    let legacy = testdata("qvault-legacy/legacy-0.3.1.qvault");
    let before = vault.opened.vault.secret_count();

    let run = with_vault(
        &vault.path,
        &["import", arg(&legacy)],
        &lines(&[PASSWORD, "Correct-Horse-9!"]),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("Web logins"), "{}", run.stdout);
    assert!(run.stdout.contains("Imported 5 secrets"), "{}", run.stdout);
    let imported = open(&vault.path);
    assert_eq!(imported.secret_count(), before + 5);
    assert!(imported.find_by_title("forum.example.org").is_some());

    let again = with_vault(
        &vault.path,
        &["import", arg(&legacy)],
        &lines(&[PASSWORD, "Correct-Horse-9!"]),
    );
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again.stdout.contains("already in the vault (left out)"),
        "{}",
        again.stdout
    );
    let logins_twice = open(&vault.path)
        .boxes
        .iter()
        .filter(|b| b.name == "Web logins")
        .map(|b| b.secrets.len())
        .sum::<usize>();
    assert_eq!(logins_twice, 2, "the two logins are not imported twice");
}

#[test]
fn a_dry_run_shows_the_counts_and_writes_nothing() {
    let vault = new_vault();
    let hash = sha256(&vault.path);
    let csv = testdata("csv_import/synthetic/bitwarden_awkward.csv");
    let run = with_vault(
        &vault.path,
        &["import", arg(&csv), "--dry-run"],
        &lines(&[PASSWORD]),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("17 secrets"), "{}", run.stdout);
    assert!(run.stdout.contains("nothing was written"), "{}", run.stdout);
    assert_eq!(sha256(&vault.path), hash);
}

#[test]
fn broken_sources_exit_with_a_clear_error_and_leave_the_vault_untouched() {
    let vault = new_vault();
    let hash = sha256(&vault.path);
    let kdbx = testdata("kdbx/keepassxc_NewDatabase.kdbx");

    let wrong = with_vault(
        &vault.path,
        &["import", arg(&kdbx)],
        &lines(&[PASSWORD, "nope"]),
    );
    assert_eq!(wrong.code, 2, "a wrong KDBX password: {}", wrong.stderr);

    let truncated = vault.dir.path().join("truncated.kdbx");
    let bytes = fs::read(&kdbx).expect("read kdbx");
    fs::write(&truncated, &bytes[..bytes.len() / 2]).expect("write");
    let cut = with_vault(
        &vault.path,
        &["import", arg(&truncated), "--format", "kdbx"],
        &lines(&[PASSWORD, "a"]),
    );
    assert_eq!(cut.code, 3, "a truncated KDBX: {}", cut.stderr);

    let unclosed = testdata("csv_import/synthetic/edge_unterminated_quote.csv");
    let quote = with_vault(
        &vault.path,
        &["import", arg(&unclosed)],
        &lines(&[PASSWORD]),
    );
    assert_eq!(quote.code, 1, "{}", quote.stderr);
    assert!(
        quote.stderr.contains("line"),
        "names the line: {}",
        quote.stderr
    );

    let unknown = vault.dir.path().join("unknown.csv");
    fs::write(&unknown, "colour,shape\nred,round\n").expect("write");
    let header = with_vault(&vault.path, &["import", arg(&unknown)], &lines(&[PASSWORD]));
    assert_eq!(header.code, 1, "{}", header.stderr);
    assert!(
        header.stderr.contains("colour"),
        "names the columns: {}",
        header.stderr
    );

    assert_eq!(
        sha256(&vault.path),
        hash,
        "no broken import changed the vault"
    );
}

/// `keepassxc-cli ARGS FILE` with `password` on stdin; `None` when it is
/// not installed.
fn keepassxc_cli(args: &[&str], file: &Path, password: &str) -> Option<String> {
    let child = Command::new("keepassxc-cli")
        .args(args)
        .arg(file)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        eprintln!("keepassxc-cli is not installed: its half of the check is skipped");
        return None;
    };
    {
        use std::io::Write as _;
        let mut stdin = child.stdin.take().expect("stdin is piped");
        writeln!(stdin, "{password}").expect("write the password");
    }
    let output = child.wait_with_output().expect("keepassxc-cli runs");
    assert!(
        output.status.success(),
        "keepassxc-cli {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[test]
fn an_exported_kdbx_lists_every_entry_in_keepassxc_and_reimports_whole() {
    let vault = new_vault();
    let out = vault.dir.path().join("export.kdbx");
    let run = with_vault(
        &vault.path,
        &["export", "--format", "kdbx", arg(&out)],
        &lines(&[PASSWORD, "export pass 42"]),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(mode(&out), 0o600);

    if let Some(listing) = keepassxc_cli(&["ls", "-R", "-f", "-q"], &out, "export pass 42") {
        assert!(listing.contains("Logins/example.org"), "{listing}");
        assert!(listing.contains("Banks/Bank"), "{listing}");
    }

    let refused = with_vault(
        &vault.path,
        &["export", "--format", "kdbx", arg(&out)],
        &lines(&[PASSWORD, "x"]),
    );
    assert_eq!(refused.code, 1, "an existing file needs --force");

    let onto_vault = with_vault(
        &vault.path,
        &["export", "--format", "kdbx", arg(&vault.path), "--force"],
        &lines(&[PASSWORD, "x"]),
    );
    assert_eq!(
        onto_vault.code, 1,
        "the vault itself is never an export target"
    );
    assert!(
        onto_vault.stderr.contains("belongs to the vault"),
        "{}",
        onto_vault.stderr
    );

    let fresh = new_empty_vault(vault.dir.path());
    let back = with_vault(
        &fresh,
        &["import", arg(&out)],
        &lines(&[PASSWORD, "export pass 42"]),
    );
    assert_eq!(back.code, 0, "{}", back.stderr);
    let reimported = open(&fresh);
    let (_, login) = reimported.find_by_title("example.org").expect("the login");
    assert_eq!(
        login.content.get("password"),
        "Zq!9 smoke, \"quoted\" \u{e9}\u{1f511}"
    );
}

#[test]
fn an_exported_csv_is_private_and_reimports_the_same_secrets() {
    let vault = new_vault();
    let out = vault.dir.path().join("export.csv");
    let run = with_vault(
        &vault.path,
        &["export", "--format", "csv", arg(&out)],
        &lines(&[PASSWORD]),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("not encrypted"), "{}", run.stderr);
    assert_eq!(mode(&out), 0o600);

    let fresh = new_empty_vault(vault.dir.path());
    let back = with_vault(&fresh, &["import", arg(&out)], &lines(&[PASSWORD]));
    assert_eq!(back.code, 0, "{}", back.stderr);
    let original = open(&vault.path);
    let reimported = open(&fresh);
    for b in &original.boxes {
        let twin = reimported
            .boxes
            .iter()
            .find(|r| r.name == b.name && r.kind == b.kind)
            .unwrap_or_else(|| panic!("box {} comes back", b.name));
        let contents = |secrets: &[qvault::vault::Secret]| {
            let mut c: Vec<_> = secrets
                .iter()
                .map(|s| serde_json::to_string(&s.content).expect("serialise"))
                .collect();
            c.sort();
            c
        };
        assert_eq!(
            contents(&b.secrets),
            contents(&twin.secrets),
            "box {}",
            b.name
        );
    }
}

fn new_empty_vault(dir: &Path) -> PathBuf {
    let path = dir.join("fresh.qvault");
    store::create(
        &path,
        &qvault::crypto::Password::new(PASSWORD),
        qvault::crypto::KdfParams::FLOOR,
    )
    .expect("create");
    path
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    fs::metadata(path).expect("metadata").permissions().mode() & 0o777
}

#[test]
fn a_legacy_file_with_a_qr_key_imports_with_the_key_as_an_image_and_not_without_it() {
    let vault = new_vault();
    let hash = sha256(&vault.path);
    let legacy = testdata("qvault-legacy/legacy-qr-0.3.1.qvault");
    let secrets = lines(&[PASSWORD, "Correct-Horse-9!"]);

    let without = with_vault(&vault.path, &["import", arg(&legacy)], &secrets);
    assert_eq!(without.code, 2, "{}", without.stderr);
    assert!(without.stderr.contains("QR key"), "{}", without.stderr);
    assert_eq!(sha256(&vault.path), hash);

    // The QR key as the original app printed it: a QR code image.
    let png = qvault::qr::QrGrid::encode("6EBXUh4kjFN1NEk5/TNlsvWumiyUJmOUTCR9a7yWHu4=")
        .and_then(|grid| grid.to_png())
        .expect("a PNG");
    let key_image = vault.dir.path().join("qr-key.png");
    fs::write(&key_image, png.as_slice()).expect("write the image");
    let with = with_vault(
        &vault.path,
        &["import", arg(&legacy), "--qr-key-file", arg(&key_image)],
        &secrets,
    );
    assert_eq!(with.code, 0, "{}", with.stderr);
    assert!(open(&vault.path).find_by_title("Locker code").is_some());
}
