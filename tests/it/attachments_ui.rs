//! Files kept with a secret, in the window: listed with their size, an
//! image previewed (decoded on the worker), and removed.

use crate::common::ui::{app_harness, click, has_label, step_until};
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use qvault::crypto::{KdfParams, Password};
use qvault::vault::{BoxKind, SecretContent};

#[test]
fn an_attached_image_is_listed_previewed_and_removed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let password = "attachment window test passphrase 6";
    let path = dir.path().join("vault.qvault");
    let (mut opened, _) =
        qvault::store::create(&path, &Password::new(password), KdfParams::FLOOR).expect("create");
    let ids = opened
        .vault
        .add_box("IDs", BoxKind::Identification)
        .expect("box");
    let mut passport = SecretContent::default();
    passport.set("type", "Passport");
    let secret = opened.vault.add_secret(ids, passport).expect("secret");
    let png = qvault::qr::QrGrid::encode("a scanned page")
        .and_then(|grid| grid.to_png())
        .expect("a PNG");
    let size = png.len();
    opened
        .vault
        .attach(ids, secret, "scan.png", png)
        .expect("attach");
    qvault::store::save(&path, &opened.keys, &opened.vault, Some(opened.fingerprint))
        .expect("save");

    let mut harness = app_harness(dir.path());
    harness.run_steps(2);
    crate::common::ui::unlock_with_password(&mut harness, password);
    harness.get_by_label_contains("Passport\n").click();
    harness.run_steps(3);
    let listed = |h: &egui_kittest::Harness<'_, qvault::ui::QvaultApp>| {
        h.query_by_label_contains("scan.png (").is_some()
    };
    assert!(listed(&harness), "listed with its size ({size} bytes)");
    assert!(has_label(&harness, "Save scan.png"));

    click(&mut harness, "Preview scan.png");
    step_until(&mut harness, "the decoded image", |h| {
        h.query_by_role(Role::Image).is_some()
    });
    assert!(has_label(&harness, "Preview: scan.png"));
    click(&mut harness, "Close");

    click(&mut harness, "Remove scan.png");
    assert!(listed(&harness), "nothing is removed before the answer");
    click(&mut harness, "Cancel");
    assert!(listed(&harness));
    click(&mut harness, "Remove scan.png");
    click(&mut harness, "Delete");
    assert!(!listed(&harness));
    assert!(has_label(&harness, "Add file…"));
}
