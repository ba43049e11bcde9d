//! `qvault sync` against the real qvault-server binary, started on a free
//! port of 127.0.0.1 with its data in a temporary folder. Built only with
//! the `server` feature, which brings the server in.

#![cfg(feature = "server")]

use std::path::Path;

use crate::common::cli::{lines, qvault, with_vault};
use crate::common::server::{Server, start_server};
use crate::common::{PASSWORD, new_vault};
use qvault::crypto::Password;
use qvault::store::{self, Credential};

const EMAIL: &str = "ann@example.org";

fn sync_args<'a>(server: &'a Server, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["sync", "--server", &server.url, "--email", EMAIL];
    args.extend_from_slice(extra);
    args
}

fn titles(path: &Path) -> Vec<String> {
    let opened =
        store::unlock(path, &Credential::Password(Password::new(PASSWORD))).expect("unlock");
    let mut titles: Vec<String> = opened
        .vault
        .boxes
        .iter()
        .flat_map(|b| b.secrets.iter().map(|s| s.title(b.kind).to_owned()))
        .collect();
    titles.sort();
    titles
}

#[test]
fn register_upload_download_and_merge_against_the_real_server() {
    let server = start_server();
    let a = new_vault();
    let run = with_vault(
        &a.path,
        &sync_args(&server, &["--register"]),
        &lines(&[PASSWORD]),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("2 sent; revision 1"), "{}", run.stdout);

    let home = tempfile::tempdir().expect("home");
    let b = home.path().join("b.qvault");
    let run = with_vault(&b, &sync_args(&server, &[]), &lines(&[PASSWORD]));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(titles(&b), titles(&a.path));

    let add = ["add", "Notes", "--type", "notes", "--field", "name=from b"];
    assert_eq!(with_vault(&b, &add, &lines(&[PASSWORD])).code, 0);
    assert_eq!(
        with_vault(&b, &sync_args(&server, &[]), &lines(&[PASSWORD])).code,
        0
    );
    let run = with_vault(&a.path, &sync_args(&server, &[]), &lines(&[PASSWORD]));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("1 from the server"), "{}", run.stdout);
    assert_eq!(titles(&b), titles(&a.path));
}

#[test]
fn a_wrong_password_against_the_real_server_exits_2_and_writes_nothing() {
    let server = start_server();
    let a = new_vault();
    let run = with_vault(
        &a.path,
        &sync_args(&server, &["--register"]),
        &lines(&[PASSWORD]),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);

    let home = tempfile::tempdir().expect("home");
    let target = home.path().join("new.qvault");
    let target_arg = target.to_str().expect("utf-8");
    let mut args = sync_args(&server, &[]);
    args.extend(["--vault", target_arg]);
    let run = qvault(home.path(), &args, &lines(&["wrong password"]));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!target.exists());
}

/// One device: its vault file, unlocked, and a client logged in.
struct Device {
    path: std::path::PathBuf,
    opened: store::Opened,
    client: qvault::sync::Client,
}

impl Device {
    fn sync(&mut self) {
        let password = Password::new(PASSWORD);
        qvault::sync::sync_vault(&self.path, &mut self.opened, &password, &self.client, EMAIL)
            .expect("sync");
    }

    /// Sets `field` of the secret titled `title` (adding it when missing) and saves.
    fn edit(&mut self, title: &str, field: &str, value: &str) {
        let vault = &mut self.opened.vault;
        // By name: a merge may order the boxes differently on each device.
        let logins = vault.box_by_name("Logins").expect("the Logins box");
        let box_id = logins.id;
        let existing = logins
            .secrets
            .iter()
            .find(|s| s.content.get("issuer") == title)
            .map(|s| (s.id, s.content.clone()));
        if let Some((id, mut content)) = existing {
            content.set(field, value);
            vault.update_secret(box_id, id, content).expect("edit");
        } else {
            let mut content = qvault::vault::SecretContent::default();
            content.set("issuer", title);
            content.set(field, value);
            vault.add_secret(box_id, content).expect("add");
        }
        self.opened.fingerprint = store::save(
            &self.path,
            &self.opened.keys,
            &self.opened.vault,
            Some(self.opened.fingerprint),
        )
        .expect("save");
    }

    fn value(&self, title: &str, field: &str) -> String {
        let (_, secret) = self.opened.vault.find_by_title(title).expect("the secret");
        secret.content.get(field).to_owned()
    }
}

fn device(server: &Server, path: std::path::PathBuf, register: bool) -> Device {
    let password = Password::new(PASSWORD);
    let key = qvault::sync::AuthKey::derive(&password, EMAIL).expect("auth key");
    let mut client = qvault::sync::Client::new(&server.url, true).expect("client");
    if register {
        client.register(EMAIL, &key).expect("register");
    } else {
        client.login(EMAIL, &key).expect("login");
    }
    if !path.exists() {
        let download = qvault::sync::engine::download(&client, &password).expect("download");
        download
            .save(&path, &client, EMAIL)
            .expect("save the download");
    }
    let opened = store::unlock(&path, &Credential::Password(password)).expect("unlock");
    Device {
        path,
        opened,
        client,
    }
}

#[test]
fn two_devices_editing_for_100_rounds_lose_no_edit() {
    let server = start_server();
    let first = new_vault();
    let mut a = device(&server, first.path.clone(), true);
    a.sync();
    let mut b = device(&server, first.dir.path().join("b.qvault"), false);

    for round in 0..100 {
        // Each device edits its own secret and both edit the shared one,
        // B after A, so B's edit of the shared secret is the newer.
        a.edit("only-a.example", "notes", &format!("a {round}"));
        // Edits a millisecond apart or more, so that "newer" is well defined.
        std::thread::sleep(std::time::Duration::from_millis(2));
        a.edit("shared.example", "notes", &format!("a {round}"));
        b.edit("only-b.example", "notes", &format!("b {round}"));
        std::thread::sleep(std::time::Duration::from_millis(2));
        b.edit("shared.example", "notes", &format!("b {round}"));
        if round % 7 == 3 {
            b.edit(&format!("new-{round}.example"), "notes", "added by b");
        }
        a.sync();
        b.sync();
    }
    a.sync();

    for device in [&a, &b] {
        assert_eq!(device.value("only-a.example", "notes"), "a 99");
        assert_eq!(device.value("only-b.example", "notes"), "b 99");
        assert_eq!(
            device.value("shared.example", "notes"),
            "b 99",
            "the newer edit wins"
        );
        for round in (0..100).filter(|r| r % 7 == 3) {
            assert!(
                device
                    .opened
                    .vault
                    .find_by_title(&format!("new-{round}.example"))
                    .is_some(),
                "the secret B added in round {round}"
            );
        }
        let (_, shared) = device
            .opened
            .vault
            .find_by_title("shared.example")
            .expect("shared");
        assert!(
            shared
                .history
                .iter()
                .any(|v| v.content.get("notes") == "a 99"),
            "A's losing edit of the last round is kept in history"
        );
    }
    assert_eq!(a.opened.vault.secret_count(), b.opened.vault.secret_count());
}

/// A QR key required on one device after it synced is uploaded, not undone
/// by the server's older copy, and another device takes the requirement in.
#[test]
fn a_qr_key_turned_on_after_syncing_reaches_the_other_device() {
    use qvault::crypto::qr_key::QrKey;
    use qvault::store::format::FormatError;

    let server = start_server();
    let a = new_vault();
    let run = with_vault(
        &a.path,
        &sync_args(&server, &["--register"]),
        &lines(&[PASSWORD]),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let home = tempfile::tempdir().expect("home");
    let b = home.path().join("b.qvault");
    assert_eq!(
        with_vault(&b, &sync_args(&server, &[]), &lines(&[PASSWORD])).code,
        0
    );

    // Device A requires a QR key, as Settings does it.
    let password = Password::new(PASSWORD);
    let mut opened = store::unlock(&a.path, &Credential::Password(password.clone())).expect("a");
    let code = qvault::crypto::recovery::RecoveryCode::parse(opened.vault.recovery_code.as_str())
        .expect("code");
    let qr_key = QrKey::generate().expect("random");
    opened
        .keys
        .set_qr_key(&password, Some(qr_key.clone()), &code)
        .expect("require");
    opened.vault.keys_updated_ms = qvault::vault::now_ms();
    store::save(
        &a.path,
        &opened.keys,
        &opened.vault,
        Some(opened.fingerprint),
    )
    .expect("save");
    let key_file = home.path().join("qr-key.txt");
    std::fs::write(&key_file, qr_key.to_text().as_bytes()).expect("key file");
    let key_arg = key_file.to_str().expect("utf-8");

    let needs_key = |path: &Path| {
        matches!(
            store::unlock(path, &Credential::Password(password.clone())),
            Err(store::StoreError::Format {
                source: FormatError::QrKeyRequired,
                ..
            })
        )
    };
    let run = with_vault(
        &a.path,
        &sync_args(&server, &["--qr-key", key_arg]),
        &lines(&[PASSWORD]),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(needs_key(&a.path), "sync undid the QR key on device A");

    // Device B opens its own copy with the password, and takes the newer
    // slots from the server: from now on it needs the QR key too.
    let run = with_vault(&b, &sync_args(&server, &[]), &lines(&[PASSWORD]));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(needs_key(&b), "device B did not take in the QR key");
    store::unlock(&b, &Credential::PasswordAndQrKey(password.clone(), qr_key)).expect("b opens");
}
