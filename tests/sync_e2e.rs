//! `qvault sync` against the real qvault-server binary, started on a free
//! port of 127.0.0.1 with its data in a temporary folder. Built only with
//! the `server` feature, which brings the server in.

#![cfg(feature = "server")]

mod common;

use std::path::Path;

use common::cli::{lines, qvault, with_vault};
use common::server::{Server, start_server};
use common::{PASSWORD, new_vault};
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
