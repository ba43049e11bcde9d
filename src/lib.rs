//! Qvault: a native desktop password manager that specialises in
//! cryptocurrency keys. The library holds everything; `main.rs` only parses
//! arguments and hands over to the window or the command line.

pub mod cli;
pub mod crypto;
pub mod export;
pub mod hardening;
pub mod import;
pub mod paths;
pub mod qr;
#[cfg(feature = "server")]
pub mod server;
pub mod settings;
pub mod store;
pub mod sync;
pub mod ui;
pub mod update;
pub mod vault;
pub mod wallet;
