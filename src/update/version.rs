//! This build's version (Cargo.toml, the only place it is written), commit
//! and build date (both from `build.rs`).

/// The version from Cargo.toml.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The short commit hash this build was made from.
pub const COMMIT: &str = env!("QVAULT_COMMIT");
/// The build date, YYYY-MM-DD (UTC).
pub const BUILD_DATE: &str = env!("QVAULT_BUILD_DATE");
/// "0.1.0 (commit abc1234567, built 2026-01-31)", for `--version` and About.
pub const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("QVAULT_COMMIT"),
    ", built ",
    env!("QVAULT_BUILD_DATE"),
    ")"
);
