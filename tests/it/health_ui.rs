//! The password health report in the window: built on the worker, each
//! secret named with a button that opens it.

use crate::common::ui::{click, has_label, step_until, type_into};
use egui_kittest::kittest::Queryable;

#[test]
fn the_health_report_lists_reused_weak_logins_and_opens_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let password = "health window test passphrase 5";
    let mut harness = crate::common::ui::unlocked_with_logins_box(dir.path(), password);
    for site in ["one.example", "two.example"] {
        click(&mut harness, "New secret");
        type_into(&mut harness, "Site or app", site);
        type_into(&mut harness, "Password", "sunshine1");
        click(&mut harness, "Save");
    }

    click(&mut harness, "Health");
    step_until(&mut harness, "the report", |h| {
        h.query_by_label_contains("Checked 2 passwords").is_some()
    });
    assert!(has_label(&harness, "Weak passwords (2)"));
    assert!(has_label(&harness, "Reused passwords (1 group)"));
    assert!(has_label(&harness, "Logins without TOTP (2)"));
    assert!(
        !has_label(&harness, "sunshine1"),
        "the report never shows a password"
    );

    // "Open" selects the secret and closes the report (once the dialog,
    // which grew with the report, has settled).
    harness.run_steps(5);
    harness
        .get_all_by_label("Open one.example")
        .next()
        .expect("a row")
        .click();
    harness.run_steps(3);
    assert!(!has_label(&harness, "Password health"));
    assert!(has_label(&harness, "Copy Password"));
    assert!(
        harness.query_all_by_label("one.example").count() >= 2,
        "one.example's heading and site field are shown"
    );
    assert!(
        harness
            .query_by_label_contains("Logins · Passwords")
            .is_some()
    );
}
