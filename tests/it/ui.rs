//! The window driven through its accessibility tree with `egui_kittest`, by
//! the labels a user (or a screen reader) sees.

use crate::common::ui::{
    app_harness, click, create_box, has_label, step_until, type_into, unlock_with_password,
};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use qvault::ui::QvaultApp;

const PASSWORD: &str = "correct horse battery staple 42";
const NEW_PASSWORD: &str = "a brand new passphrase for 2026";

fn recovery_code_on_screen(harness: &Harness<'_, QvaultApp>) -> String {
    harness
        .query_all_by_role(Role::Label)
        .filter_map(|node| node.value())
        .find(|v| v.len() == 39 && v.matches('-').count() == 7)
        .expect("the recovery code is shown")
}

#[test]
fn a_new_user_creates_a_vault_adds_secrets_searches_shows_a_qr_locks_and_unlocks_twice() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut harness = app_harness(dir.path());
    harness.run_steps(2);

    // First run: master password twice, then the recovery code.
    assert!(has_label(&harness, "Create your Qvault"));
    type_into(&mut harness, "Master password", PASSWORD);
    type_into(&mut harness, "Repeat the password", PASSWORD);
    click(&mut harness, "Create vault");
    step_until(&mut harness, "the recovery code", |h| {
        has_label(h, "Open my vault")
    });
    let recovery_code = recovery_code_on_screen(&harness);
    assert!(dir.path().join("vault.qvault").exists());
    click(
        &mut harness,
        "I have stored my recovery code somewhere safe",
    );
    click(&mut harness, "Open my vault");
    assert!(harness.state().is_unlocked());

    add_a_login_and_a_crypto_backup(&mut harness);
    search_shows_visible_fields_only(&mut harness);

    // The address as a QR code.
    click(&mut harness, "QR code of Address");
    assert!(
        harness
            .query_by_label_contains("QR code: Address")
            .is_some()
    );
    assert!(harness.query_by_role(Role::Image).is_some());
    click(&mut harness, "Close");

    // Lock: the vault is gone from the window, and so is egui's text-edit
    // state (with its undo history); unlock with the password.
    let edit_states = |h: &Harness<'_, QvaultApp>| {
        h.ctx
            .data(egui::util::IdTypeMap::count::<egui::text_edit::TextEditState>)
    };
    assert!(edit_states(&harness) > 0);
    harness.get_by_label("Lock").click();
    harness.step();
    assert_eq!(edit_states(&harness), 0, "locking clears text-edit memory");
    harness.run_steps(2);
    assert!(!harness.state().is_unlocked());
    assert!(has_label(&harness, "Unlock Qvault"));
    assert!(harness.query_by_label_contains("example.org").is_none());
    unlock_with_password(&mut harness, PASSWORD);
    assert!(has_label(&harness, "Logins (1)"));
    assert!(has_label(&harness, "Bitcoin (1)"));

    // Lock with Ctrl+L, unlock with the recovery code, set a new password.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::L);
    harness.run_steps(3);
    assert!(!harness.state().is_unlocked());
    click(&mut harness, "Use recovery code");
    type_into(&mut harness, "Recovery code", &recovery_code);
    click(&mut harness, "Unlock");
    step_until(&mut harness, "the recovery unlock", |h| {
        has_label(h, "Set a new master password")
    });
    type_into(&mut harness, "New master password", NEW_PASSWORD);
    type_into(&mut harness, "Repeat the password", NEW_PASSWORD);
    click(&mut harness, "Set password");
    step_until(&mut harness, "the new password", |h| has_label(h, "Boxes"));

    // The new password now opens the vault, with everything in it.
    click(&mut harness, "Lock");
    unlock_with_password(&mut harness, NEW_PASSWORD);
    assert!(has_label(&harness, "Logins (1)"));
    assert!(has_label(&harness, "Bitcoin (1)"));
}

#[test]
fn a_wrong_password_is_reported_and_leaves_the_file_untouched() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("vault.qvault");
    let password = qvault::crypto::Password::new(PASSWORD);
    qvault::store::create(&path, &password, qvault::crypto::KdfParams::FLOOR).expect("create");
    let before = std::fs::read(&path).expect("read");

    let mut harness = app_harness(dir.path());
    harness.run_steps(2);
    assert!(has_label(&harness, "Unlock Qvault"));
    type_into(&mut harness, "Master password", "not the password");
    click(&mut harness, "Unlock");
    step_until(&mut harness, "the error", |h| {
        h.query_by_label_contains("Wrong password").is_some()
    });
    assert!(!harness.state().is_unlocked());
    assert_eq!(std::fs::read(&path).expect("read"), before);
}

#[test]
fn a_damaged_file_says_so_and_names_the_backup() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("vault.qvault");
    let password = qvault::crypto::Password::new(PASSWORD);
    let (opened, _) =
        qvault::store::create(&path, &password, qvault::crypto::KdfParams::FLOOR).expect("create");
    qvault::store::save(&path, &opened.keys, &opened.vault, Some(opened.fingerprint))
        .expect("save");
    let mut bytes = std::fs::read(&path).expect("read");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    std::fs::write(&path, &bytes).expect("damage");

    let mut harness = app_harness(dir.path());
    harness.run_steps(2);
    unlock_attempt(&mut harness);
    step_until(&mut harness, "the damage report", |h| {
        h.query_by_label_contains("damaged").is_some()
    });
    assert!(
        harness
            .query_by_label_contains("vault.qvault.bak")
            .is_some()
    );
    assert_eq!(std::fs::read(&path).expect("read"), bytes);
}

fn unlock_attempt(harness: &mut Harness<'_, QvaultApp>) {
    type_into(harness, "Master password", PASSWORD);
    click(harness, "Unlock");
}

fn add_a_login_and_a_crypto_backup(harness: &mut Harness<'_, QvaultApp>) {
    // A Passwords secret.
    create_box(harness, "Logins", "Passwords");
    click(harness, "New secret");
    type_into(harness, "Site or app", "example.org");
    type_into(harness, "Username", "alice");
    type_into(harness, "Password", "S3cret-pass!");
    click(harness, "Save");
    assert!(
        has_label(harness, "Copy Password"),
        "the saved secret is shown"
    );

    // A Crypto Backups secret with an address and a seed.
    create_box(harness, "Bitcoin", "Crypto Backups");
    click(harness, "New secret");
    type_into(harness, "Name", "Cold storage");
    type_into(harness, "Ticker", "BTC");
    type_into(
        harness,
        "Address",
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    );
    type_into(harness, "Seed or private key", "abandon ability able about");
    click(harness, "Save");
}

fn search_shows_visible_fields_only(harness: &mut Harness<'_, QvaultApp>) {
    // Search finds visible fields across boxes, never hidden ones.
    type_into(harness, "Search", "alice");
    assert!(has_label(harness, "Search results"));
    assert_eq!(
        harness.query_all_by_label_contains("example.org\n").count(),
        1
    );
    assert_eq!(
        harness
            .query_all_by_label_contains("Cold storage\n")
            .count(),
        0
    );
    harness
        .get_by_role_and_label(Role::TextInput, "Search")
        .focus();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.key_press(egui::Key::Backspace);
    harness.run_steps(2);
    type_into(harness, "Search", "abandon");
    assert!(
        has_label(harness, "Nothing matches."),
        "hidden seeds are not searched"
    );
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.key_press(egui::Key::Backspace);
    harness.run_steps(2);
    type_into(harness, "Search", "cold");
    harness.get_by_label_contains("Cold storage\n").click();
    harness.run_steps(3);
}
