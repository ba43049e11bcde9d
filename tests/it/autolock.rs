//! Auto-lock (hardening issue, part 5): after the idle time even with a
//! dialog open and an unsaved draft (which is kept, encrypted), and when the
//! desktop reports a screen lock over D-Bus (a private `dbus-daemon` here).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use qvault::crypto::{KdfParams, Password};
use qvault::store::{self, Credential};

use crate::common::ui::{app_harness_with, click, create_box, has_label, type_into};

const PASSWORD: &str = "auto lock test password";

fn vault_in(dir: &std::path::Path) {
    store::create(
        &dir.join("vault.qvault"),
        &Password::new(PASSWORD),
        KdfParams::FLOOR,
    )
    .expect("create");
}

fn draft_is_in_the_file(dir: &std::path::Path, text: &str) -> bool {
    let opened = store::unlock(
        &dir.join("vault.qvault"),
        &Credential::Password(Password::new(PASSWORD)),
    )
    .expect("unlock");
    opened
        .vault
        .boxes
        .iter()
        .flat_map(|b| &b.secrets)
        .any(|s| s.content.get("issuer") == text)
}

/// Unlocked, with a login being typed (not saved) and Settings open.
fn busy_window(
    dir: &std::path::Path,
    adjust: impl FnOnce(qvault::ui::QvaultApp) -> qvault::ui::QvaultApp + 'static,
) -> egui_kittest::Harness<'static, qvault::ui::QvaultApp> {
    vault_in(dir);
    let mut harness = app_harness_with(dir, adjust);
    harness.run_steps(2);
    crate::common::ui::unlock_with_password(&mut harness, PASSWORD);
    create_box(&mut harness, "Logins", "Passwords");
    click(&mut harness, "New secret");
    type_into(&mut harness, "Site or app", "unsaved.example");
    click(&mut harness, "Settings");
    harness
}

fn wait_locked(harness: &mut egui_kittest::Harness<'_, qvault::ui::QvaultApp>, poke: impl Fn()) {
    let started = Instant::now();
    while harness.state().is_unlocked() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the window did not lock"
        );
        poke();
        harness.run_steps(2);
        std::thread::sleep(Duration::from_millis(50));
    }
    harness.run_steps(5);
}

#[test]
fn idle_time_locks_with_a_dialog_open_and_keeps_the_draft() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut harness = busy_window(dir.path(), |app| app);
    harness.run_steps(3);
    assert!(harness.state().is_unlocked(), "not idle yet");
    harness
        .state_mut()
        .pretend_idle_for(Duration::from_secs(5 * 60 + 1));
    wait_locked(&mut harness, || {});
    assert!(has_label(&harness, "Unlock Qvault"));
    assert!(draft_is_in_the_file(dir.path(), "unsaved.example"));
}

/// A private session bus; killed when dropped.
struct Bus {
    daemon: Child,
    address: String,
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

fn private_bus(dir: &std::path::Path) -> Option<Bus> {
    let address = format!("unix:path={}", dir.join("bus").display());
    let daemon = Command::new("dbus-daemon")
        .args([
            "--session",
            "--nofork",
            "--nopidfile",
            "--address",
            &address,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let bus = Bus { daemon, address };
    let started = Instant::now();
    while !dir.join("bus").exists() {
        if started.elapsed() > Duration::from_secs(10) {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Some(bus)
}

fn screensaver_signal(bus: &Bus, active: bool) {
    let _ = Command::new("dbus-send")
        .arg(format!("--bus={}", bus.address))
        .args([
            "--type=signal",
            "/org/freedesktop/ScreenSaver",
            "org.freedesktop.ScreenSaver.ActiveChanged",
            if active {
                "boolean:true"
            } else {
                "boolean:false"
            },
        ])
        .status();
}

#[test]
fn a_screen_lock_over_dbus_locks_the_vault_and_keeps_the_draft() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bus = private_bus(dir.path()).expect(
        "dbus-daemon must be installed for this test (Debian package dbus-daemon, in .ci/run)",
    );
    let (sender, receiver) = std::sync::mpsc::channel();
    qvault::screen_lock::watch_session_bus_at(&bus.address, move |reason| {
        let _ = sender.send(reason);
    });
    let mut harness = busy_window(dir.path(), move |app| app.with_lock_requests(receiver));
    // Sent until the watcher has subscribed and the window locks.
    wait_locked(&mut harness, || screensaver_signal(&bus, true));
    assert!(draft_is_in_the_file(dir.path(), "unsaved.example"));

    // Signals that came while locked are not kept for after the unlock, and
    // the screen saver stopping is no reason to lock.
    std::thread::sleep(Duration::from_millis(300));
    harness.run_steps(3);
    crate::common::ui::unlock_with_password(&mut harness, PASSWORD);
    for _ in 0..5 {
        screensaver_signal(&bus, false);
        std::thread::sleep(Duration::from_millis(50));
        harness.run_steps(2);
    }
    assert!(harness.state().is_unlocked());
}
