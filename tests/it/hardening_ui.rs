//! The unlock screen's defences, driven by their labels: tries paced after
//! wrong passwords, and the master password typed on the on-screen keyboard
//! (plain and shuffled).

use egui_kittest::kittest::{NodeT, Queryable};
use qvault::crypto::{KdfParams, Password};

use crate::common::ui::{app_harness, click, has_label, step_until, type_into};

fn vault_in(dir: &std::path::Path, password: &str) {
    qvault::store::create(
        &dir.join("vault.qvault"),
        &Password::new(password),
        KdfParams::FLOOR,
    )
    .expect("create");
}

#[test]
fn a_third_wrong_password_makes_the_next_try_wait() {
    let dir = tempfile::tempdir().expect("temp dir");
    vault_in(dir.path(), "pacing right password");
    let mut harness = app_harness(dir.path());
    harness.run_steps(2);
    for attempt in 1..=3 {
        type_into(&mut harness, "Master password", "not the password");
        click(&mut harness, "Unlock");
        step_until(&mut harness, "the wrong password to be refused", |h| {
            has_label(
                h,
                "Wrong password. Try again, or unlock with your recovery code.",
            )
        });
        let waiting = harness
            .query_by_label_contains("wrong tries in a row")
            .is_some();
        assert_eq!(waiting, attempt == 3, "after wrong try {attempt}");
    }
    assert!(
        harness
            .get_by_label("Unlock")
            .accesskit_node()
            .is_disabled(),
        "Unlock stays disabled while the screen waits"
    );
    // The right password typed meanwhile does not get through either.
    // Neither the button nor Enter lets it through, for as long as an
    // unlock would take.
    type_into(&mut harness, "Master password", "pacing right password");
    harness.get_by_label("Unlock").click();
    harness.key_press(egui::Key::Enter);
    for _ in 0..50 {
        harness.step();
        assert!(harness.query_by_label_contains("Unlocking").is_none());
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(!harness.state().is_unlocked());
}

fn type_on_screen(harness: &mut egui_kittest::Harness<'_, qvault::ui::QvaultApp>, text: &str) {
    for c in text.chars() {
        if c.is_ascii_uppercase() {
            click(harness, "Shift");
            click(harness, &c.to_string());
            click(harness, "abc");
        } else {
            click(harness, &c.to_string());
        }
    }
}

#[test]
fn the_master_password_can_be_typed_on_the_on_screen_keyboard() {
    for shuffled in [false, true] {
        let dir = tempfile::tempdir().expect("temp dir");
        vault_in(dir.path(), "Keys42xyz");
        let mut harness = app_harness(dir.path());
        harness.run_steps(2);
        click(&mut harness, "On-screen keyboard");
        if shuffled {
            click(&mut harness, "Shuffle the keys");
            // The keys move after every press.
            let places = |h: &egui_kittest::Harness<'_, qvault::ui::QvaultApp>| -> Vec<_> {
                ["q", "w", "e", "r"]
                    .iter()
                    .map(|k| h.get_by_label(k).rect())
                    .collect()
            };
            let before = places(&harness);
            click(&mut harness, "x");
            assert_ne!(places(&harness), before, "the shuffled keys did not move");
            click(&mut harness, "Backspace");
        }
        type_on_screen(&mut harness, "Keys42xyy");
        click(&mut harness, "Backspace");
        type_on_screen(&mut harness, "z");
        click(&mut harness, "Enter");
        step_until(&mut harness, "the vault to unlock", |h| {
            h.state().is_unlocked()
        });
        // The choice is kept in the settings for the next start.
        assert!(harness.state().settings().onscreen_keyboard);
        assert_eq!(harness.state().settings().shuffle_keyboard, shuffled);
    }
}

#[test]
fn settings_calibrate_the_kdf_after_checking_the_password() {
    let dir = tempfile::tempdir().expect("temp dir");
    let password = "calibrate me please";
    let mut harness = crate::common::ui::unlocked_with_logins_box(dir.path(), password);
    let path = dir.path().join("vault.qvault");
    let header_kdf = |path: &std::path::Path| {
        let bytes = std::fs::read(path).expect("read");
        qvault::store::format::parse(&bytes)
            .expect("parse")
            .header
            .kdf
    };
    assert_eq!(header_kdf(&path), KdfParams::FLOOR);
    click(&mut harness, "Settings");
    assert!(has_label(
        &harness,
        "Argon2id with 19 MiB, 2 passes, 1 lanes."
    ));
    let calibrate = "Make unlocking take about 1 s on this computer…";

    // A wrong password changes nothing.
    click(&mut harness, calibrate);
    type_into(&mut harness, "Master password to confirm", "not it");
    click(&mut harness, "Measure and apply");
    step_until(&mut harness, "the wrong password to be refused", |h| {
        has_label(h, "Wrong password.")
    });
    harness.run_steps(5);
    assert_eq!(header_kdf(&path), KdfParams::FLOOR);

    click(&mut harness, calibrate);
    type_into(&mut harness, "Master password to confirm", password);
    click(&mut harness, "Measure and apply");
    step_until(&mut harness, "the calibration", |h| {
        h.query_by_label_contains("Unlocking now takes about")
            .is_some()
    });
    // Saved with the new parameters, which still open with the password.
    step_until(&mut harness, "the save", |_| {
        header_kdf(&path).memory_kib == KdfParams::DEFAULT.memory_kib
    });
    let kdf = header_kdf(&path);
    assert!(kdf.check().is_ok() && kdf.iterations >= KdfParams::FLOOR.iterations);
    harness.get_by_label("Close").click();
    harness.run_steps(2);
    click(&mut harness, "Lock");
    crate::common::ui::unlock_with_password(&mut harness, password);
    assert!(harness.state().is_unlocked());
}
