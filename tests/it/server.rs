//! qvault-server end to end: the real server in-process on a loopback port,
//! spoken to over HTTP with ureq. Every test runs against SQLite, and again
//! against PostgreSQL when `QVAULT_TEST_DATABASE_URL` is set.
#![cfg(feature = "server")]

use std::net::TcpListener;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use data_encoding::BASE64;
use qvault::crypto::{KdfParams, Password};
use qvault::server::{Config, Database};
use qvault::sync::wire::{self, ChangeAuthKey, Credentials, Revision, Session};
use qvault::vault::{BoxKind, SecretContent};
use serde::Serialize;
use tempfile::TempDir;
use tokio::sync::oneshot;
use ureq::Agent;
use ureq::http::Response;

const PG_ENV: &str = "QVAULT_TEST_DATABASE_URL";

/// A server running on its own thread and runtime; stops when dropped.
struct TestServer {
    base: String,
    agent: Agent,
    data: TempDir,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<anyhow::Result<()>>>,
}

#[derive(Clone, Copy)]
enum Backend {
    Sqlite,
    Postgres,
}

impl TestServer {
    fn start(backend: Backend) -> Self {
        Self::start_with(backend, |_| {})
    }

    fn start_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> Self {
        let data = tempfile::tempdir().expect("temp dir");
        let mut config = match backend {
            Backend::Sqlite => Config::sqlite(data.path().join("server")),
            Backend::Postgres => {
                let url = std::env::var(PG_ENV).expect("checked before starting");
                Config::with_database(Database::Url(url))
            }
        };
        adjust(&mut config);

        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("test-server".into())
            .spawn(move || run_server(config, listener, stopped))
            .expect("spawn server thread");

        let agent: Agent = Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_mins(1)))
            .build()
            .into();
        let server = Self {
            base,
            agent,
            data,
            stop: Some(stop),
            thread: Some(thread),
        };
        server.wait_until_healthy();
        server
    }

    fn wait_until_healthy(&self) {
        for _ in 0..200 {
            if let Ok(mut answer) = self.agent.get(self.url(wire::HEALTH)).call() {
                assert_eq!(answer.status(), 200);
                assert_eq!(answer.body_mut().read_to_string().expect("body"), "ok");
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the server did not become healthy");
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn register(&self, credentials: &Credentials) -> Response<ureq::Body> {
        self.post_json(wire::REGISTER, None, credentials)
    }

    fn login(&self, credentials: &Credentials) -> Response<ureq::Body> {
        self.post_json(wire::LOGIN, None, credentials)
    }

    /// Registers and returns the session token.
    fn new_account(&self, credentials: &Credentials) -> String {
        let mut answer = self.register(credentials);
        assert_eq!(answer.status(), 201, "register");
        let session: Session = answer.body_mut().read_json().expect("session");
        session.token
    }

    fn post_json(
        &self,
        path: &str,
        token: Option<&str>,
        body: &impl Serialize,
    ) -> Response<ureq::Body> {
        let mut request = self.agent.post(self.url(path));
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        request.send_json(body).expect("request")
    }

    fn get_vault(&self, token: &str) -> Response<ureq::Body> {
        self.agent
            .get(self.url(wire::VAULT))
            .header("Authorization", format!("Bearer {token}"))
            .call()
            .expect("request")
    }

    fn put_vault(&self, token: &str, if_match: Option<u64>, bytes: &[u8]) -> Response<ureq::Body> {
        let mut request = self
            .agent
            .put(self.url(wire::VAULT))
            .header("Authorization", format!("Bearer {token}"));
        if let Some(revision) = if_match {
            request = request.header("If-Match", wire::etag(revision));
        }
        request.send(bytes).expect("request")
    }

    fn logout(&self, token: &str) -> Response<ureq::Body> {
        self.agent
            .post(self.url(wire::LOGOUT))
            .header("Authorization", format!("Bearer {token}"))
            .send_empty()
            .expect("request")
    }

    fn delete_account(&self, token: &str, credentials: &Credentials) -> Response<ureq::Body> {
        self.agent
            .delete(self.url(wire::ACCOUNT))
            .header("Authorization", format!("Bearer {token}"))
            .force_send_body()
            .send_json(credentials)
            .expect("request")
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let result = thread.join().expect("server thread panicked");
            if !std::thread::panicking() {
                result.expect("server failed");
            }
        }
    }
}

fn run_server(
    config: Config,
    listener: TcpListener,
    stopped: oneshot::Receiver<()>,
) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(qvault::server::serve(config, listener, async {
        let _ = stopped.await;
    }))
}

/// Credentials with an email no other test (or earlier run against the same
/// PostgreSQL database) uses.
fn credentials(name: &str, key_byte: u8) -> Credentials {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let unique = format!(
        "{}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_nanos()
    );
    Credentials {
        email: format!("{name}-{unique}@example.com"),
        auth_key: BASE64.encode(&[key_byte; 32]),
    }
}

fn revision_of(answer: &mut Response<ureq::Body>) -> u64 {
    answer
        .body_mut()
        .read_json::<Revision>()
        .expect("revision")
        .revision
}

fn etag_of(answer: &Response<ureq::Body>) -> Option<u64> {
    let value = answer.headers().get("etag")?.to_str().ok()?;
    wire::parse_etag(value)
}

fn error_message(answer: &mut Response<ureq::Body>) -> String {
    answer
        .body_mut()
        .read_json::<wire::ApiError>()
        .expect("error body")
        .error
}

// The suite, run once per backend by `on_every_backend!` below.

fn register_log_in_put_and_get_round_trip_with_etags(backend: Backend) {
    let server = TestServer::start(backend);
    let ann = credentials("ann", 1);
    server.new_account(&ann);

    let mut login = server.login(&ann);
    assert_eq!(login.status(), 200);
    let token = login
        .body_mut()
        .read_json::<Session>()
        .expect("session")
        .token;

    assert_eq!(
        server.get_vault(&token).status(),
        404,
        "nothing uploaded yet"
    );
    let mut first = server.put_vault(&token, Some(0), b"first vault bytes");
    assert_eq!(first.status(), 200);
    assert_eq!(revision_of(&mut first), 1);

    let mut second = server.put_vault(&token, Some(1), b"second vault bytes");
    assert_eq!(second.status(), 200);
    assert_eq!(revision_of(&mut second), 2);

    let mut got = server.get_vault(&token);
    assert_eq!(got.status(), 200);
    assert_eq!(etag_of(&got), Some(2));
    assert_eq!(
        got.body_mut().read_to_vec().expect("body"),
        b"second vault bytes"
    );
}

fn an_email_is_matched_trimmed_and_lower_cased(backend: Backend) {
    let server = TestServer::start(backend);
    let ann = credentials("ann", 1);
    server.new_account(&ann);

    let shouted = Credentials {
        email: format!("  {}  ", ann.email.to_uppercase()),
        auth_key: ann.auth_key.clone(),
    };
    assert_eq!(server.login(&shouted).status(), 200);
    let mut again = server.register(&shouted);
    assert_eq!(again.status(), 409, "the same email, differently written");
    assert!(!error_message(&mut again).contains(&ann.email));
}

fn a_stale_if_match_gets_412_and_changes_nothing(backend: Backend) {
    let server = TestServer::start(backend);
    let token = server.new_account(&credentials("ann", 1));
    assert_eq!(server.put_vault(&token, Some(0), b"one").status(), 200);
    assert_eq!(server.put_vault(&token, Some(1), b"two").status(), 200);

    assert_eq!(server.put_vault(&token, Some(1), b"stale").status(), 412);
    assert_eq!(
        server.put_vault(&token, Some(0), b"as if new").status(),
        412
    );
    assert_eq!(server.put_vault(&token, Some(7), b"future").status(), 412);

    let mut got = server.get_vault(&token);
    assert_eq!(etag_of(&got), Some(2));
    assert_eq!(got.body_mut().read_to_vec().expect("body"), b"two");
}

fn an_upload_without_if_match_gets_428(backend: Backend) {
    let server = TestServer::start(backend);
    let token = server.new_account(&credentials("ann", 1));

    let mut answer = server.put_vault(&token, None, b"bytes");
    assert_eq!(answer.status(), 428);
    assert!(error_message(&mut answer).contains("If-Match"));
    assert_eq!(server.get_vault(&token).status(), 404, "nothing was stored");
}

fn racing_uploads_of_the_same_revision_have_exactly_one_winner(backend: Backend) {
    let server = TestServer::start(backend);
    let token = server.new_account(&credentials("ann", 1));
    assert_eq!(server.put_vault(&token, Some(0), b"base").status(), 200);

    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let uploads: Vec<_> = (0..8)
            .map(|i| {
                let (server, token) = (&server, &token);
                scope.spawn(move || {
                    let body = format!("device {i}");
                    server
                        .put_vault(token, Some(1), body.as_bytes())
                        .status()
                        .as_u16()
                })
            })
            .collect();
        uploads
            .into_iter()
            .map(|u| u.join().expect("upload"))
            .collect()
    });
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 412).count(),
        7,
        "{statuses:?}"
    );
    assert_eq!(etag_of(&server.get_vault(&token)), Some(2));
}

fn one_account_can_neither_read_nor_overwrite_anothers_vault(backend: Backend) {
    let server = TestServer::start(backend);
    let ann = server.new_account(&credentials("ann", 1));
    let bob = server.new_account(&credentials("bob", 2));
    assert_eq!(
        server.put_vault(&ann, Some(0), b"ann's vault").status(),
        200
    );

    assert_eq!(
        server.get_vault(&bob).status(),
        404,
        "bob sees only his own (none)"
    );
    let mut bobs = server.put_vault(&bob, Some(0), b"bob's vault");
    assert_eq!(revision_of(&mut bobs), 1);
    assert_eq!(server.put_vault(&bob, Some(1), b"bob again").status(), 200);

    let mut anns = server.get_vault(&ann);
    assert_eq!(
        etag_of(&anns),
        Some(1),
        "bob's uploads did not touch ann's revision"
    );
    assert_eq!(anns.body_mut().read_to_vec().expect("body"), b"ann's vault");

    let forged = server.get_vault("not-a-token");
    assert_eq!(forged.status(), 401);
}

fn a_vault_over_the_limit_gets_413(backend: Backend) {
    let limit = 64 * 1024;
    let server = TestServer::start_with(backend, |config| config.max_vault_bytes = limit);
    let token = server.new_account(&credentials("ann", 1));

    assert_eq!(
        server
            .put_vault(&token, Some(0), &vec![7u8; limit])
            .status(),
        200
    );
    let mut answer = server.put_vault(&token, Some(1), &vec![7u8; limit + 1]);
    assert_eq!(answer.status(), 413);
    assert!(error_message(&mut answer).contains("larger"));
    assert_eq!(etag_of(&server.get_vault(&token)), Some(1));
}

fn the_eleventh_wrong_login_gets_429_even_with_the_right_key(backend: Backend) {
    let server = TestServer::start(backend);
    let ann = credentials("ann", 1);
    server.new_account(&ann);
    let wrong = Credentials {
        email: ann.email.clone(),
        auth_key: BASE64.encode(&[9u8; 32]),
    };

    for attempt in 1..=10 {
        let mut answer = server.login(&wrong);
        assert_eq!(answer.status(), 401, "attempt {attempt}");
        assert_eq!(error_message(&mut answer), "email or password is wrong");
    }
    assert_eq!(server.login(&wrong).status(), 429);
    assert_eq!(server.login(&ann).status(), 429, "blocked, not checked");
}

fn wrong_logins_for_unknown_emails_count_per_address(backend: Backend) {
    let server = TestServer::start(backend);
    for i in 0..10 {
        let stranger = credentials(&format!("nobody{i}"), 3);
        assert_eq!(server.login(&stranger).status(), 401);
    }
    let ann = credentials("ann", 1);
    server.new_account(&ann);
    assert_eq!(
        server.login(&ann).status(),
        429,
        "the address used up its attempts"
    );
}

fn logout_invalidates_the_token(backend: Backend) {
    let server = TestServer::start(backend);
    let ann = credentials("ann", 1);
    let token = server.new_account(&ann);
    assert_eq!(server.get_vault(&token).status(), 404);

    assert_eq!(server.logout(&token).status(), 204);
    assert_eq!(server.get_vault(&token).status(), 401);
    assert_eq!(server.put_vault(&token, Some(0), b"x").status(), 401);
    assert_eq!(
        server.login(&ann).status(),
        200,
        "the account itself is fine"
    );
}

fn deleting_the_account_removes_sessions_vault_and_email(backend: Backend) {
    let server = TestServer::start(backend);
    let ann = credentials("ann", 1);
    let token = server.new_account(&ann);
    let other_session = {
        let mut login = server.login(&ann);
        login
            .body_mut()
            .read_json::<Session>()
            .expect("session")
            .token
    };
    assert_eq!(
        server.put_vault(&token, Some(0), b"ann's vault").status(),
        200
    );

    let wrong_key = Credentials {
        email: ann.email.clone(),
        auth_key: BASE64.encode(&[2u8; 32]),
    };
    assert_eq!(server.delete_account(&token, &wrong_key).status(), 401);
    assert_eq!(server.get_vault(&token).status(), 200, "still there");

    assert_eq!(server.delete_account(&token, &ann).status(), 204);
    assert_eq!(server.get_vault(&token).status(), 401);
    assert_eq!(server.get_vault(&other_session).status(), 401);
    assert_eq!(server.login(&ann).status(), 401);

    let fresh = server.new_account(&ann);
    assert_eq!(
        server.get_vault(&fresh).status(),
        404,
        "the old vault is gone"
    );
}

fn changing_the_auth_key_replaces_key_and_vault_together(backend: Backend) {
    let server = TestServer::start(backend);
    let ann = credentials("ann", 1);
    let token = server.new_account(&ann);
    let other_device = {
        let mut login = server.login(&ann);
        login
            .body_mut()
            .read_json::<Session>()
            .expect("session")
            .token
    };
    assert_eq!(
        server
            .put_vault(&token, Some(0), b"old password vault")
            .status(),
        200
    );
    let new_key = BASE64.encode(&[5u8; 32]);
    let change = |current: &str, if_match| ChangeAuthKey {
        current_auth_key: current.to_owned(),
        new_auth_key: new_key.clone(),
        vault: BASE64.encode(b"new password vault"),
        if_match,
    };

    let stale = server.post_json(wire::AUTH_KEY, Some(&token), &change(&ann.auth_key, 0));
    assert_eq!(stale.status(), 412);
    let wrong = server.post_json(wire::AUTH_KEY, Some(&token), &change(&new_key, 1));
    assert_eq!(wrong.status(), 401);
    assert_eq!(
        server.login(&ann).status(),
        200,
        "neither failure changed the key"
    );
    assert_eq!(etag_of(&server.get_vault(&token)), Some(1), "nor the vault");

    let mut done = server.post_json(wire::AUTH_KEY, Some(&token), &change(&ann.auth_key, 1));
    assert_eq!(done.status(), 200);
    assert_eq!(revision_of(&mut done), 2);
    let mut got = server.get_vault(&token);
    assert_eq!(
        got.body_mut().read_to_vec().expect("body"),
        b"new password vault"
    );
    assert_eq!(server.login(&ann).status(), 401, "the old key is gone");
    let renewed = Credentials {
        email: ann.email.clone(),
        auth_key: new_key.clone(),
    };
    assert_eq!(server.login(&renewed).status(), 200);
    assert_eq!(
        server.get_vault(&other_device).status(),
        401,
        "other devices sign in again"
    );
}

fn bad_input_gets_400_with_a_generic_message(backend: Backend) {
    let server = TestServer::start(backend);
    let short_key = Credentials {
        email: "ann@example.com".into(),
        auth_key: BASE64.encode(&[1u8; 16]),
    };
    assert_eq!(server.register(&short_key).status(), 400);
    let no_email = Credentials {
        email: "not an email".into(),
        auth_key: BASE64.encode(&[1u8; 32]),
    };
    let mut answer = server.register(&no_email);
    assert_eq!(answer.status(), 400);
    assert_eq!(error_message(&mut answer), "the request is not valid");
    let token = server.new_account(&credentials("ann", 1));
    let garbled = server
        .agent
        .put(server.url(wire::VAULT))
        .header("Authorization", format!("Bearer {token}"))
        .header("If-Match", "\"seven\"")
        .send(&b"x"[..])
        .expect("request");
    assert_eq!(garbled.status(), 400);
}

macro_rules! on_every_backend {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $name() {
                    super::$name(super::Backend::Sqlite);
                }
            )*
        }

        mod postgres {
            $(
                #[test]
                fn $name() {
                    if std::env::var_os(super::PG_ENV).is_none() {
                        eprintln!("note: {} unset; skipping the PostgreSQL run", super::PG_ENV);
                        return;
                    }
                    super::$name(super::Backend::Postgres);
                }
            )*
        }
    };
}

on_every_backend!(
    register_log_in_put_and_get_round_trip_with_etags,
    an_email_is_matched_trimmed_and_lower_cased,
    a_stale_if_match_gets_412_and_changes_nothing,
    an_upload_without_if_match_gets_428,
    racing_uploads_of_the_same_revision_have_exactly_one_winner,
    one_account_can_neither_read_nor_overwrite_anothers_vault,
    a_vault_over_the_limit_gets_413,
    the_eleventh_wrong_login_gets_429_even_with_the_right_key,
    wrong_logins_for_unknown_emails_count_per_address,
    logout_invalidates_the_token,
    deleting_the_account_removes_sessions_vault_and_email,
    changing_the_auth_key_replaces_key_and_vault_together,
    bad_input_gets_400_with_a_generic_message,
);

// SQLite only: what lands on the server's disk.

const CANARY: &str = "canary-7f3a91-do-not-store-in-plaintext";

fn files_contain(dir: &Path, needle: &[u8]) -> bool {
    std::fs::read_dir(dir).expect("data dir").any(|entry| {
        let path = entry.expect("entry").path();
        let bytes = std::fs::read(&path).expect("read server file");
        bytes.windows(needle.len()).any(|window| window == needle)
    })
}

fn encrypted_vault_with_canary(dir: &Path) -> Vec<u8> {
    let path = dir.join("mine.qvault");
    let password = Password::new("correct horse battery staple");
    let (mut opened, _code) =
        qvault::store::create(&path, &password, KdfParams::FLOOR).expect("create vault");
    let notes = opened.vault.add_box("Notes", BoxKind::Notes).expect("box");
    let mut content = SecretContent::default();
    content.set("title", "wallet seed");
    content.set("notes", CANARY);
    opened.vault.add_secret(notes, content).expect("secret");
    qvault::store::save(&path, &opened.keys, &opened.vault, Some(opened.fingerprint))
        .expect("save");
    std::fs::read(&path).expect("read vault file")
}

#[test]
fn the_database_never_holds_the_plaintext_of_an_uploaded_vault() {
    let server = TestServer::start(Backend::Sqlite);
    let vault_bytes = encrypted_vault_with_canary(server.data.path());
    let token = server.new_account(&credentials("ann", 1));
    assert_eq!(
        server.put_vault(&token, Some(0), &vault_bytes).status(),
        200
    );
    let mut got = server.get_vault(&token);
    assert_eq!(got.body_mut().read_to_vec().expect("body"), vault_bytes);

    // Control: a plaintext upload is found, so the search below can see.
    let control = server.new_account(&credentials("control", 2));
    let marker = b"plain-marker-4b1d-visible-on-disk";
    assert_eq!(server.put_vault(&control, Some(0), marker).status(), 200);

    let server_dir = server.data.path().join("server");
    assert!(
        files_contain(&server_dir, marker),
        "the control marker is on disk"
    );
    assert!(!files_contain(&server_dir, CANARY.as_bytes()));
    assert!(!files_contain(&server_dir, b"correct horse battery staple"));
}

#[test]
fn the_data_directory_and_database_are_private() {
    use std::os::unix::fs::PermissionsExt;

    let server = TestServer::start(Backend::Sqlite);
    let dir = server.data.path().join("server");
    let mode = |path: &Path| {
        std::fs::metadata(path)
            .expect("metadata")
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join(qvault::server::db::SQLITE_FILE)), 0o600);
}

#[test]
fn with_a_certificate_the_server_speaks_https_only() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/server-tls");
    let data = tempfile::tempdir().expect("temp dir");
    let mut config = Config::sqlite(data.path());
    config.tls = Some(qvault::server::TlsFiles {
        cert: fixtures.join("cert.pem"),
        key: fixtures.join("key.pem"),
    });
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("address").port();
    let (stop, stopped) = oneshot::channel::<()>();
    let thread = std::thread::spawn(move || run_server(config, listener, stopped));

    let pem = std::fs::read(fixtures.join("cert.pem")).expect("read cert");
    let root = ureq::tls::Certificate::from_pem(&pem).expect("parse cert");
    let tls = ureq::tls::TlsConfig::builder()
        .root_certs(ureq::tls::RootCerts::new_with_certs(&[root]))
        .build();
    let agent: Agent = Agent::config_builder()
        .tls_config(tls)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    let mut health = (0..100)
        .find_map(|_| {
            let answer = agent.get(format!("https://localhost:{port}/health")).call();
            std::thread::sleep(Duration::from_millis(50));
            answer.ok()
        })
        .expect("the HTTPS server answers");
    assert_eq!(health.body_mut().read_to_string().expect("body"), "ok");
    let plain = agent.get(format!("http://localhost:{port}/health")).call();
    assert!(plain.is_err(), "plain HTTP gets no answer");

    let _ = stop.send(());
    thread.join().expect("server thread").expect("server");
}
