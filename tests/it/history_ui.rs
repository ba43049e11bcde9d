//! A secret's history in the window: earlier versions listed with what
//! changed, compared beside the current one, and one restored.

use crate::common::ui::{clear, click, has_label, step_until, type_into};
use egui_kittest::kittest::Queryable;
use qvault::crypto::Password;
use qvault::store::Credential;

#[test]
fn an_old_password_is_compared_and_restored_from_history() {
    let dir = tempfile::tempdir().expect("temp dir");
    let password = "history window test passphrase 8";
    let path = dir.path().join("vault.qvault");
    let mut harness = crate::common::ui::unlocked_with_logins_box(dir.path(), password);
    click(&mut harness, "New secret");
    type_into(&mut harness, "Site or app", "shop.example");
    type_into(&mut harness, "Password", "first-Pass-111");
    click(&mut harness, "Save");
    for next in ["second-Pass-222", "third-Pass-333"] {
        click(&mut harness, "Edit");
        clear(&mut harness, "Password");
        type_into(&mut harness, "Password", next);
        click(&mut harness, "Save");
    }

    click(&mut harness, "History (2)");
    harness.run_steps(5);
    assert!(has_label(&harness, "History: shop.example"));
    assert!(harness.query_by_label_contains("Version 2:").is_some());
    assert_eq!(
        harness
            .query_all_by_label_contains("the edit after it changed: Password")
            .count(),
        2,
        "each version names the field changed after it"
    );
    // Hidden values stay masked until asked for.
    assert!(!has_label(&harness, "second-Pass-222"));
    click(&mut harness, "Show hidden values");
    assert!(has_label(&harness, "second-Pass-222"), "version 1 beside…");
    assert!(has_label(&harness, "third-Pass-333"), "…the current one");

    harness.get_by_label_contains("Version 2:").click();
    harness.run_steps(3);
    assert!(has_label(&harness, "first-Pass-111"));
    click(&mut harness, "Restore this version");
    assert!(
        !has_label(&harness, "History: shop.example"),
        "the dialog closes"
    );
    assert!(
        has_label(&harness, "History (3)"),
        "the replaced content is kept"
    );

    // The restored password is the current one, in the window and the file.
    click(&mut harness, "Show Password");
    assert!(has_label(&harness, "first-Pass-111"));
    step_until(&mut harness, "the autosave", |h| has_label(h, "Saved"));
    let opened = qvault::store::unlock(&path, &Credential::Password(Password::new(password)))
        .expect("unlock");
    let (_, secret) = opened.vault.find_by_title("shop.example").expect("secret");
    assert_eq!(secret.content.get("password"), "first-Pass-111");
    assert_eq!(secret.history[0].content.get("password"), "third-Pass-333");
}
