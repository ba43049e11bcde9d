//! The sync client, engine and `qvault sync` against a test double of the
//! server's wire contract on 127.0.0.1 (`crate::common::fake_sync`); the same
//! flows against the real qvault-server are in `tests/sync_e2e.rs`.

use std::fs;
use std::path::Path;

use crate::common::cli::{lines, qvault, sha256, with_vault};
use crate::common::fake_sync::{Canned, FakeServer};
use crate::common::{PASSWORD, new_vault};
use qvault::crypto::{KdfParams, Password};
use qvault::store::{self, Credential, Opened};
use qvault::sync::engine::{self, read_state, state_path};
use qvault::sync::{AuthKey, Client, ClientError, SyncError, sync_vault};
use qvault::vault::{BoxKind, SecretContent};

const EMAIL: &str = "ann@example.org";

fn key() -> AuthKey {
    AuthKey::derive(&Password::new(PASSWORD), EMAIL).expect("derive")
}

fn password() -> Password {
    Password::new(PASSWORD)
}

fn registered(server: &FakeServer) -> Client {
    let mut client = Client::new(&server.url, false).expect("client");
    client.register(EMAIL, &key()).expect("register");
    client
}

fn note(text: &str) -> SecretContent {
    let mut content = SecretContent::default();
    content.set("name", text);
    content
}

fn add_note(path: &Path, opened: &mut Opened, text: &str) {
    let b = match opened.vault.box_by_name("Notes") {
        Some(b) => b.id,
        None => opened.vault.add_box("Notes", BoxKind::Notes).expect("box"),
    };
    opened.vault.add_secret(b, note(text)).expect("add");
    opened.fingerprint =
        store::save(path, &opened.keys, &opened.vault, Some(opened.fingerprint)).expect("save");
}

fn unlock(path: &Path) -> Opened {
    store::unlock(path, &Credential::Password(password())).expect("unlock")
}

// The client on its own.

#[test]
fn plain_http_is_refused_to_another_computer_unless_allowed() {
    assert!(matches!(
        Client::new("http://sync.example.org", false),
        Err(ClientError::InsecureHttp(_))
    ));
    assert!(Client::new("http://sync.example.org", true).is_ok());
    assert!(Client::new("http://127.0.0.1:8080", false).is_ok());
    assert!(Client::new("http://localhost:8080/", false).is_ok());
    assert!(Client::new("http://[::1]:8080", false).is_ok());
    assert!(Client::new("https://sync.example.org", false).is_ok());
    assert!(matches!(
        Client::new("ftp://sync.example.org", false),
        Err(ClientError::BadUrl(_))
    ));
}

#[test]
fn a_wrong_password_is_unauthorized_with_a_plain_message() {
    let server = FakeServer::start();
    let _ = registered(&server);
    let mut client = Client::new(&server.url, false).expect("client");
    let wrong = AuthKey::derive(&Password::new("wrong"), EMAIL).expect("derive");
    let err = client.login(EMAIL, &wrong).expect_err("wrong key");
    assert!(matches!(err, ClientError::Unauthorized));
    assert_eq!(err.to_string(), "email or password is wrong");
    assert!(matches!(
        client.register(EMAIL, &key()),
        Err(ClientError::EmailTaken)
    ));
}

#[test]
fn the_vault_round_trips_with_revisions_and_a_stale_upload_is_refused() {
    let server = FakeServer::start();
    let client = registered(&server);
    assert_eq!(client.get_vault().expect("get"), None, "none uploaded yet");
    assert_eq!(client.put_vault(b"first", 0).expect("put"), 1);
    assert_eq!(client.put_vault(b"second", 1).expect("put"), 2);
    assert!(matches!(
        client.put_vault(b"stale", 1),
        Err(ClientError::Stale)
    ));
    assert_eq!(
        client.get_vault().expect("get"),
        Some((b"second".to_vec(), 2))
    );
}

#[test]
fn canned_refusals_become_their_errors() {
    let server = FakeServer::start();
    let client = registered(&server);
    for (status, expected) in [(413, "TooLarge"), (429, "RateLimited"), (428, "Server")] {
        server.script("PUT", "/api/v1/vault", Canned::Status(status, "refused"));
        let err = client.put_vault(b"x", 0).expect_err("refused");
        assert!(
            format!("{err:?}").starts_with(expected),
            "{status}: {err:?}"
        );
    }
    server.script("GET", "/api/v1/vault", Canned::Status(500, "it broke"));
    let err = client.get_vault().expect_err("500");
    assert_eq!(err.status(), Some(500));
    assert!(err.to_string().contains("it broke"));
}

#[test]
fn a_connection_closed_mid_body_is_a_network_error() {
    let server = FakeServer::start();
    let client = registered(&server);
    server.script("GET", "/api/v1/vault", Canned::CloseMidBody);
    assert!(matches!(client.get_vault(), Err(ClientError::Network(_))));
}

#[test]
fn a_server_that_is_not_there_is_offline() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let mut client = Client::new(&format!("http://127.0.0.1:{port}"), false).expect("client");
    let err = client.login(EMAIL, &key()).expect_err("nobody listens");
    assert!(matches!(err, ClientError::Offline(_)), "{err:?}");
}

#[test]
fn errors_never_show_the_token_or_key() {
    let server = FakeServer::start();
    let client = registered(&server);
    let shown = format!("{client:?}");
    assert!(!shown.contains("token-1"), "{shown}");
    assert!(!format!("{:?}", key()).contains(key().to_base64().as_str()));
}

// The engine.

#[test]
fn the_first_sync_uploads_and_a_new_device_downloads_the_same_vault() {
    let server = FakeServer::start();
    let mut device_a = new_vault();
    let client = registered(&server);
    let outcome = sync_vault(
        &device_a.path,
        &mut device_a.opened,
        &password(),
        &client,
        EMAIL,
    )
    .expect("sync");
    assert!(outcome.uploaded);
    assert_eq!(outcome.revision, 1);
    assert_eq!(outcome.sent, device_a.opened.vault.secret_count());

    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("new.qvault");
    let download = engine::download(&client, &password()).expect("download");
    let opened = download.save(&path, &client, EMAIL).expect("save");
    assert_eq!(
        opened.vault.secret_count(),
        device_a.opened.vault.secret_count()
    );
    assert_eq!(
        unlock(&path).vault.secret_count(),
        opened.vault.secret_count()
    );
    assert_eq!(read_state(&path).expect("state").revision, 1);
}

#[test]
fn edits_on_two_devices_meet_on_both() {
    let server = FakeServer::start();
    let mut a = new_vault();
    let client = registered(&server);
    sync_vault(&a.path, &mut a.opened, &password(), &client, EMAIL).expect("first");
    let dir = tempfile::tempdir().expect("dir");
    let b_path = dir.path().join("b.qvault");
    let mut b = engine::download(&client, &password())
        .expect("download")
        .save(&b_path, &client, EMAIL)
        .expect("save");

    add_note(&a.path, &mut a.opened, "from a");
    add_note(&b_path, &mut b, "from b");
    let from_a = sync_vault(&a.path, &mut a.opened, &password(), &client, EMAIL).expect("a");
    assert_eq!((from_a.sent, from_a.revision), (1, 2));
    let from_b = sync_vault(&b_path, &mut b, &password(), &client, EMAIL).expect("b");
    assert_eq!(from_b.report.taken_from_remote, 1);
    assert_eq!((from_b.sent, from_b.revision), (1, 3));
    let again = sync_vault(&a.path, &mut a.opened, &password(), &client, EMAIL).expect("a again");
    assert!(!again.uploaded, "nothing new to send");

    for path in [&a.path, &b_path] {
        let vault = unlock(path).vault;
        assert!(vault.find_by_title("from a").is_some());
        assert!(vault.find_by_title("from b").is_some());
    }
}

#[test]
fn an_upload_that_went_stale_starts_again_and_succeeds() {
    let server = FakeServer::start();
    let mut a = new_vault();
    let client = registered(&server);
    sync_vault(&a.path, &mut a.opened, &password(), &client, EMAIL).expect("first");
    add_note(&a.path, &mut a.opened, "new");
    server.script("PUT", "/api/v1/vault", Canned::Status(412, "stale"));
    let outcome = sync_vault(&a.path, &mut a.opened, &password(), &client, EMAIL).expect("sync");
    assert_eq!(outcome.revision, 2);
    let puts = server
        .requests()
        .iter()
        .filter(|r| *r == "PUT /api/v1/vault")
        .count();
    assert_eq!(puts, 3, "the first upload, the stale one and its retry");
}

#[test]
fn a_server_that_vanishes_mid_download_leaves_the_local_vault_intact() {
    let server = FakeServer::start();
    let mut a = new_vault();
    let client = registered(&server);
    sync_vault(&a.path, &mut a.opened, &password(), &client, EMAIL).expect("first");
    add_note(&a.path, &mut a.opened, "local only");
    let before = sha256(&a.path);
    server.script("GET", "/api/v1/vault", Canned::CloseMidBody);
    let err = sync_vault(&a.path, &mut a.opened, &password(), &client, EMAIL).expect_err("cut");
    assert!(
        matches!(err, SyncError::Client(ClientError::Network(_))),
        "{err:?}"
    );
    assert_eq!(sha256(&a.path), before);
}

#[test]
fn a_damaged_or_foreign_copy_on_the_server_changes_nothing_here() {
    let server = FakeServer::start();
    let mut a = new_vault();
    let client = registered(&server);
    sync_vault(&a.path, &mut a.opened, &password(), &client, EMAIL).expect("first");
    let before = sha256(&a.path);

    let (mut bytes, _) = server.vault_of(EMAIL).expect("stored");
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    server.replace_vault(EMAIL, bytes);
    let err = sync_vault(&a.path, &mut a.opened, &password(), &client, EMAIL).expect_err("bad");
    assert_eq!(err.exit_code(), 3, "{err:?}");

    let other = tempfile::tempdir().expect("dir");
    let (foreign, _) = store::create(
        &other.path().join("x.qvault"),
        &Password::new("another password"),
        KdfParams::FLOOR,
    )
    .expect("create");
    server.replace_vault(EMAIL, foreign.keys.seal(&foreign.vault).expect("seal"));
    let err = sync_vault(&a.path, &mut a.opened, &password(), &client, EMAIL).expect_err("bad");
    assert!(matches!(err, SyncError::RemoteWrongPassword), "{err:?}");
    assert_eq!(err.exit_code(), 2);
    assert_eq!(sha256(&a.path), before);
}

#[test]
fn the_sync_state_file_is_private_and_holds_no_secret() {
    let server = FakeServer::start();
    let mut a = new_vault();
    let client = registered(&server);
    sync_vault(&a.path, &mut a.opened, &password(), &client, EMAIL).expect("sync");
    let state = state_path(&a.path);
    let text = fs::read_to_string(&state).expect("state");
    assert!(text.contains(EMAIL) && text.contains(&server.url));
    assert!(!text.contains(PASSWORD) && !text.contains("token"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&state).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

// The command.

#[test]
fn sync_with_register_uploads_and_prints_a_summary() {
    let server = FakeServer::start();
    let a = new_vault();
    let args = [
        "sync",
        "--server",
        &server.url,
        "--email",
        EMAIL,
        "--register",
    ];
    let run = with_vault(&a.path, &args, &lines(&[PASSWORD]));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .starts_with("Synced: 0 from the server, 2 sent; revision 1"),
        "{}",
        run.stdout
    );

    let run = with_vault(&a.path, &args[..5], &lines(&[PASSWORD]));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("0 sent; revision 1"), "{}", run.stdout);
}

#[test]
fn a_download_with_a_wrong_password_exits_2_and_writes_no_file() {
    let server = FakeServer::start();
    let mut a = new_vault();
    let client = registered(&server);
    sync_vault(&a.path, &mut a.opened, &password(), &client, EMAIL).expect("upload");

    let home = tempfile::tempdir().expect("home");
    let target = home.path().join("vaults").join("new.qvault");
    let target_arg = target.to_str().expect("utf-8");
    let args = [
        "sync",
        "--vault",
        target_arg,
        "--server",
        &server.url,
        "--email",
        EMAIL,
    ];
    let run = qvault(home.path(), &args, &lines(&["not the password"]));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("email or password is wrong"),
        "{}",
        run.stderr
    );
    assert!(!target.exists() && !target.parent().expect("dir").exists());

    let run = qvault(home.path(), &args, &lines(&[PASSWORD]));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with("Downloaded the vault"),
        "{}",
        run.stdout
    );
    assert_eq!(unlock(&target).vault.secret_count(), 2);
}

#[test]
fn an_unreachable_server_exits_1() {
    let a = new_vault();
    let args = ["sync", "--server", "http://127.0.0.1:9", "--email", EMAIL];
    let run = with_vault(&a.path, &args, &lines(&[PASSWORD]));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("cannot reach the server"),
        "{}",
        run.stderr
    );
}
