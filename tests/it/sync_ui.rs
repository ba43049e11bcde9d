//! Sync in the window against the real qvault-server: register from
//! Settings, see a secret added on another device arrive, and go offline.

#![cfg(feature = "server")]

use crate::common::cli::{lines, with_vault};
use crate::common::server::start_server;
use crate::common::ui::{click, has_label, step_until, type_into, unlocked_with_logins_box};
use egui_kittest::kittest::{NodeT, Queryable};
use qvault::crypto::Password;
use qvault::store::{self, Credential};

const PASSWORD: &str = "sync window test passphrase 5";

#[test]
fn a_vault_registered_from_settings_syncs_and_takes_in_another_devices_secret() {
    let server = start_server();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut harness = unlocked_with_logins_box(dir.path(), PASSWORD);

    click(&mut harness, "Settings");
    type_into(&mut harness, "Server URL", &server.url);
    type_into(&mut harness, "Email", "win@example.org");
    type_into(&mut harness, "Master password (to sign in)", PASSWORD);
    click(
        &mut harness,
        "Allow plain HTTP (only for a server on this computer or behind your own TLS proxy)",
    );
    click(&mut harness, "Register");
    step_until(&mut harness, "the first sync", |h| {
        h.query_all_by_label_contains("Synced at").next().is_some()
    });
    assert!(
        harness
            .query_by_label_contains("Syncs with http://127.0.0.1")
            .is_some()
    );

    // A second device downloads the vault with the CLI, adds a secret, syncs.
    let other = dir.path().join("laptop.qvault");
    let args = [
        "sync",
        "--server",
        &server.url,
        "--email",
        "win@example.org",
        "--allow-http",
    ];
    let run = with_vault(&other, &args, &lines(&[PASSWORD]));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let add = with_vault(
        &other,
        &["add", "Logins", "--field", "issuer=from-the-laptop.example"],
        &lines(&[PASSWORD]),
    );
    assert_eq!(add.code, 0, "{}", add.stderr);
    let run = with_vault(&other, &args, &lines(&[PASSWORD]));
    assert_eq!(run.code, 0, "{}", run.stderr);

    click(&mut harness, "Sync now");
    step_until(&mut harness, "the laptop's secret", |h| {
        h.query_all_by_label_contains("from-the-laptop.example")
            .next()
            .is_some()
    });
    assert!(
        harness
            .query_all_by_label_contains("1 from the server")
            .next()
            .is_some(),
        "the window says what the merge took in"
    );

    // The file on disk holds it too (the sync saved it safely).
    let opened = store::unlock(
        &dir.path().join("vault.qvault"),
        &Credential::Password(Password::new(PASSWORD)),
    )
    .expect("unlock");
    assert!(
        opened
            .vault
            .find_by_title("from-the-laptop.example")
            .is_some()
    );

    click(&mut harness, "Offline mode (no network connections)");
    assert!(has_label(&harness, "Sync now"));
    assert!(
        harness
            .get_by_label("Sync now")
            .accesskit_node()
            .is_disabled(),
        "no sync can start while offline"
    );
}
