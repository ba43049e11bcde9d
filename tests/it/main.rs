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
