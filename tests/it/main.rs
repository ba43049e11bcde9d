//! The integration tests, one binary: each file is a module, so the suite
//! links once (a test binary per file cost minutes of linking and
//! gigabytes of disk per build).

mod common;

mod attachments_ui;
#[cfg(target_os = "linux")]
mod autolock;
mod cli;
mod crash;
mod favourites_ui;
mod format;
mod fuzz_regressions;
mod hardening_ui;
mod health_ui;
mod history_ui;
mod import_csv;
mod import_kdbx;
mod import_legacy;
mod import_ui;
mod memory;
mod packaging;
mod portable;
mod qr_key;
mod qr_read;
mod saving;
#[cfg(feature = "server")]
mod server;
mod sync;
#[cfg(feature = "server")]
mod sync_e2e;
#[cfg(feature = "server")]
mod sync_ui;
mod totp;
mod transfer_cli;
mod trash_ui;
mod ui;
mod update;
mod wallet;
mod wallet_cli;
mod wallet_ui;

/// Every file in tests/it is a module here: a file without its `mod` line
/// would never be compiled, its tests silently never run.
#[test]
fn every_test_file_is_a_module() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it");
    let main = std::fs::read_to_string(dir.join("main.rs")).expect("main.rs");
    for entry in std::fs::read_dir(&dir).expect("tests/it") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        if let Some(module) = name.strip_suffix(".rs").filter(|m| *m != "main") {
            assert!(
                main.lines().any(|l| l.trim() == format!("mod {module};")),
                "tests/it/{name} has no `mod {module};` in tests/it/main.rs"
            );
        }
    }
}
