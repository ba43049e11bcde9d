//! The import wizard in the window: a CSV export is read on the worker,
//! previewed per box, imported, and taken back out with one Undo.

use std::path::Path;

use crate::common::ui::{click, has_label, step_until, type_into, unlocked_with_logins_box};
use egui::accesskit::Role;
use egui_kittest::kittest::{By, Queryable};

fn click_button(harness: &mut egui_kittest::Harness<'_, qvault::ui::QvaultApp>, label: &str) {
    harness
        .get(By::new().label(label).role(Role::Button))
        .click();
    harness.run_steps(3);
}

#[test]
fn a_bitwarden_csv_is_previewed_imported_and_undone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut harness = unlocked_with_logins_box(dir.path(), "import window test passphrase 8");
    let csv = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/testdata/csv_import/synthetic/bitwarden_awkward.csv");

    click(&mut harness, "Import…");
    type_into(&mut harness, "File", csv.to_str().expect("a UTF-8 path"));
    click(&mut harness, "Read file");
    step_until(&mut harness, "the preview", |h| {
        h.query_by_label_contains("17 secrets").is_some()
    });
    assert!(
        has_label(&harness, "Personal (new)"),
        "boxes are listed by folder"
    );
    assert_eq!(
        harness.state().vault_secret_count(),
        Some(0),
        "nothing is written before Import"
    );

    click_button(&mut harness, "Import");
    assert!(has_label(&harness, "Imported 17 secrets."));
    assert_eq!(harness.state().vault_secret_count(), Some(17));

    click(&mut harness, "Undo import");
    assert!(has_label(
        &harness,
        "Import undone: 17 secrets taken out again."
    ));
    assert_eq!(harness.state().vault_secret_count(), Some(0));
    click(&mut harness, "Close");
    assert!(!has_label(&harness, "Undo import"));
}

#[test]
fn a_csv_with_unknown_columns_asks_which_column_is_which() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut harness = unlocked_with_logins_box(dir.path(), "import window test passphrase 9");
    let csv = dir.path().join("own.csv");
    std::fs::write(&csv, "site,who,secret\nshop.example,ann,pw-1\n").expect("write");

    click(&mut harness, "Import…");
    type_into(&mut harness, "File", csv.to_str().expect("a UTF-8 path"));
    click(&mut harness, "Read file");
    step_until(&mut harness, "the column mapping", |h| {
        h.query_by_label("Read with these columns").is_some()
    });
    // "site" is guessed as the title; the other two are set by hand.
    harness.get_by_label("Username").click();
    harness.run_steps(3);
    click(&mut harness, "who");
    harness.get_by_label("Password").click();
    harness.run_steps(3);
    click(&mut harness, "secret");
    click(&mut harness, "Read with these columns");
    step_until(&mut harness, "the preview", |h| {
        h.query_by_label_contains("1 secrets").is_some()
    });
    click_button(&mut harness, "Import");
    assert_eq!(harness.state().vault_secret_count(), Some(1));
}
