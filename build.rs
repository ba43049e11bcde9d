//! Build-time facts compiled into the binary: the ed25519 keys that release
//! archives must be signed with (DESIGN.md "Updates"), the commit and the
//! build date shown by `qvault --version` and the About dialog.
//!
//! Keys come from `assets/update-keys/*.pub` (32 raw bytes each, as
//! `zipsign gen-key` and `examples/release.rs keygen` write them) and from
//! `QVAULT_UPDATE_KEYS` (comma-separated hex). The build fails when there is
//! none: with an empty key list `self_update` would silently skip the check.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs};

const KEY_DIR: &str = "assets/update-keys";
const KEY_ENV: &str = "QVAULT_UPDATE_KEYS";

fn main() {
    println!("cargo::rerun-if-changed={KEY_DIR}");
    println!("cargo::rerun-if-env-changed={KEY_ENV}");
    println!("cargo::rerun-if-env-changed=SOURCE_DATE_EPOCH");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));

    let keys = release_keys();
    assert!(
        !keys.is_empty(),
        "no update signing key configured: put a 32-byte ed25519 public key in \
         {KEY_DIR}/NAME.pub or set {KEY_ENV}=HEX (see dist/README.md)"
    );
    let mut source = String::from("/// Release signing keys (build.rs).\n");
    let _ = writeln!(source, "pub const RELEASE_KEYS: &[[u8; 32]] = &{keys:?};");
    fs::write(out.join("update_keys.rs"), source).expect("write update_keys.rs");

    println!("cargo::rustc-env=QVAULT_COMMIT={}", commit());
    println!("cargo::rustc-env=QVAULT_BUILD_DATE={}", build_date());
}

/// Every configured key; panics on a malformed one (a typo must not ship).
fn release_keys() -> Vec<[u8; 32]> {
    let mut keys = Vec::new();
    if let Ok(entries) = fs::read_dir(KEY_DIR) {
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "pub"))
        {
            keys.push(key_from_file(path));
        }
    }
    if let Ok(list) = env::var(KEY_ENV) {
        for hex in list.split(',').map(str::trim).filter(|h| !h.is_empty()) {
            keys.push(key_from_hex(hex));
        }
    }
    keys
}

fn key_from_file(path: &Path) -> [u8; 32] {
    let bytes = fs::read(path).expect("read an update key");
    bytes
        .try_into()
        .unwrap_or_else(|_| panic!("{} is not a 32-byte ed25519 public key", path.display()))
}

fn key_from_hex(hex: &str) -> [u8; 32] {
    let bytes: Option<Vec<u8>> = (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|b| u8::from_str_radix(b, 16).ok())
        })
        .collect();
    bytes
        .and_then(|b| b.try_into().ok())
        .unwrap_or_else(|| panic!("{KEY_ENV}: {hex} is not 64 hex digits"))
}

/// The short commit hash, "unknown" outside a git checkout.
fn commit() -> String {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map(|s| s.trim().to_owned())
    };
    // Rebuild when HEAD moves (a commit, a checkout).
    for file in ["HEAD", "packed-refs"] {
        if let Some(path) = git(&["rev-parse", "--git-path", file]) {
            println!("cargo::rerun-if-changed={path}");
        }
    }
    if let Some(reference) = git(&["symbolic-ref", "-q", "HEAD"])
        && let Some(path) = git(&["rev-parse", "--git-path", &reference])
    {
        println!("cargo::rerun-if-changed={path}");
    }
    git(&["rev-parse", "--short=10", "HEAD"]).unwrap_or_else(|| "unknown".into())
}

/// Today's date (UTC, YYYY-MM-DD), or `SOURCE_DATE_EPOCH`'s for reproducible builds.
fn build_date() -> String {
    let secs = env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        });
    let (year, month, day) = civil_from_days(secs / 86_400);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Days since 1970-01-01 to a (year, month, day) in the proleptic Gregorian
/// calendar (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}
