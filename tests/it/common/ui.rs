//! Driving the window in tests with `egui_kittest`, by the labels a user
//! (or a screen reader) sees.

use std::path::Path;
use std::time::Duration;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{By, Queryable};
use qvault::settings::Settings;
use qvault::ui::QvaultApp;

pub fn app_harness(dir: &Path) -> Harness<'static, QvaultApp> {
    app_harness_with(dir, |app| app)
}

/// [`app_harness`], with the new app passed through `adjust` first.
pub fn app_harness_with(
    dir: &Path,
    adjust: impl FnOnce(QvaultApp) -> QvaultApp + 'static,
) -> Harness<'static, QvaultApp> {
    let vault = dir.join("vault.qvault");
    let settings_path = dir.join("settings.json");
    Harness::builder()
        .with_size(egui::vec2(1280.0, 900.0))
        .build_eframe(move |cc| {
            let app = QvaultApp::new(
                &cc.egui_ctx,
                Settings::default(),
                settings_path,
                Some(vault),
            )
            .expect("the worker thread starts");
            adjust(app)
        })
}

/// Steps frames until `done` holds (the worker answers on its own thread).
pub fn step_until(
    harness: &mut Harness<'_, QvaultApp>,
    what: &str,
    done: impl Fn(&Harness<'_, QvaultApp>) -> bool,
) {
    for _ in 0..1500 {
        harness.step();
        if done(harness) {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("timed out waiting for {what}");
}

pub fn has_label(harness: &Harness<'_, QvaultApp>, label: &str) -> bool {
    harness.query_by_label(label).is_some()
}

pub fn click(harness: &mut Harness<'_, QvaultApp>, label: &str) {
    harness.get_by_label(label).click();
    harness.run_steps(3);
}

pub fn type_into(harness: &mut Harness<'_, QvaultApp>, label: &str, text: &str) {
    let is_input = |node: &egui_kittest::kittest::AccessKitNode<'_>| {
        matches!(
            node.role(),
            Role::TextInput | Role::PasswordInput | Role::MultilineTextInput
        )
    };
    let node = harness.get(By::new().label(label).predicate(is_input));
    node.focus();
    node.type_text(text);
    harness.run_steps(2);
}

pub fn create_box(harness: &mut Harness<'_, QvaultApp>, name: &str, kind_label: &str) {
    click(harness, "New box");
    type_into(harness, "Box name", name);
    if kind_label != "Passwords" {
        harness.get_by_label("Type").click();
        harness.run_steps(3);
        click(harness, kind_label);
    }
    click(harness, "Create box");
}

pub fn unlock_with_password(harness: &mut Harness<'_, QvaultApp>, password: &str) {
    type_into(harness, "Master password", password);
    click(harness, "Unlock");
    step_until(harness, "the vault to unlock", |h| h.state().is_unlocked());
    harness.run_steps(3);
}

/// Empties the text field labelled `label`.
pub fn clear(harness: &mut Harness<'_, QvaultApp>, label: &str) {
    let is_input = |node: &egui_kittest::kittest::AccessKitNode<'_>| {
        matches!(
            node.role(),
            Role::TextInput | Role::PasswordInput | Role::MultilineTextInput
        )
    };
    harness
        .get(By::new().label(label).predicate(is_input))
        .focus();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.key_press(egui::Key::Backspace);
    harness.run_steps(2);
}

/// A window unlocked on a new, empty vault (cheap KDF) in `dir`, with one
/// Passwords box named Logins selected. The vault file is `dir/vault.qvault`.
pub fn unlocked_with_logins_box(dir: &Path, password: &str) -> Harness<'static, QvaultApp> {
    let path = dir.join("vault.qvault");
    qvault::store::create(
        &path,
        &qvault::crypto::Password::new(password),
        qvault::crypto::KdfParams::FLOOR,
    )
    .expect("create");
    let mut harness = app_harness(dir);
    harness.run_steps(2);
    unlock_with_password(&mut harness, password);
    create_box(&mut harness, "Logins", "Passwords");
    harness
}
