//! Deleting into the trash and restoring from it, in the window.

use crate::common::ui::{click, has_label, step_until, type_into};
use egui_kittest::kittest::Queryable;
use qvault::crypto::Password;
use qvault::store::Credential;

#[test]
fn a_deleted_secret_waits_in_the_trash_and_is_restored() {
    let dir = tempfile::tempdir().expect("temp dir");
    let password = "trash window test passphrase 4";
    let path = dir.path().join("vault.qvault");
    let mut harness = crate::common::ui::unlocked_with_logins_box(dir.path(), password);
    click(&mut harness, "New secret");
    type_into(&mut harness, "Site or app", "keep.example");
    click(&mut harness, "Save");

    click(&mut harness, "Delete secret");
    assert!(
        harness
            .query_by_label_contains("stays in the trash for 30 days")
            .is_some()
    );
    click(&mut harness, "Delete");
    assert!(has_label(&harness, "Logins (0)"));
    assert!(has_label(&harness, "Trash (1)"));

    click(&mut harness, "Trash (1)");
    harness.run_steps(5);
    assert!(has_label(&harness, "keep.example"));
    assert!(
        harness.query_by_label_contains("30 days left").is_some()
            || harness.query_by_label_contains("29 days left").is_some()
    );
    click(&mut harness, "Restore keep.example");
    assert!(has_label(&harness, "Logins (1)"));
    assert!(has_label(&harness, "The trash is empty."));
    click(&mut harness, "Close");

    // The restored secret is in the file, and no tombstone hides it.
    step_until(&mut harness, "the autosave", |h| has_label(h, "Saved"));
    let opened =
        qvault::store::unlock(&path, &Credential::Password(Password::new(password))).expect("open");
    assert!(opened.vault.find_by_title("keep.example").is_some());
    assert!(opened.vault.trash.is_empty());
    assert!(opened.vault.tombstones.is_empty());
}
