//! KeePass databases: the import front end `qvault::import::kdbx::read`,
//! with the password of most sample files in `../shared/testdata/kdbx` and
//! no key file. `read` takes a path, so each input is written to one file
//! per fuzzing process (`$TMPDIR/qvault-fuzz-kdbx-PID.kdbx`, left behind).
//!
//! Cost: `read` refuses key derivations dearer than any real database's
//! (`src/import/kdbx_cost.rs`), but what it allows (2 GiB of Argon2
//! memory, 500 million AES rounds) still costs seconds per input and more
//! memory than libFuzzer's 2 GB limit. So only inputs whose KDF is cheap
//! (the limits below, read from the header as `kdbx_cost` reads it) are
//! opened; dearer ones stay in the corpus for their mutations.
//!
//! Panics inside the `keepass` crate are caught by `read` and reported as a
//! damaged file, as in the app, but libFuzzer's panic hook aborts before
//! anything can catch them; this target replaces the hook with one that
//! prints each panic's place once. A panic that nothing catches still ends
//! the run as a crash.

#![no_main]

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{LazyLock, Mutex, Once};

use libfuzzer_sys::fuzz_target;
use qvault::import::kdbx;

/// The password of the `keepassrs_*` samples with a password.
const PASSWORD: &str = "demopass";

const MAX_AES_ROUNDS: u64 = 100_000;
const MAX_ARGON2_MEMORY_BYTES: u64 = 8 * 1024 * 1024;
const MAX_ARGON2_ITERATIONS: u64 = 4;
const MAX_ARGON2_LANES: u64 = 4;

/// The second signature word of a KeePass 1 (`.kdb`) file, and where its
/// fixed header keeps the AES rounds.
const KDB_SIGNATURE: [u8; 4] = [0x65, 0xfb, 0x4b, 0xb5];
const KDB_ROUNDS_AT: usize = 120;

/// KDBX outer header field ids.
const END_OF_HEADER: u8 = 0;
const TRANSFORM_ROUNDS: u8 = 6;
const KDF_PARAMETERS: u8 = 11;

static INPUT: LazyLock<PathBuf> = LazyLock::new(|| {
    std::env::temp_dir().join(format!("qvault-fuzz-kdbx-{}.kdbx", std::process::id()))
});

static QUIET_HOOK: Once = Once::new();

/// Replaces libFuzzer's aborting panic hook (set before the first input).
fn install_panic_hook() {
    QUIET_HOOK.call_once(|| {
        let seen = Mutex::new(HashSet::new());
        std::panic::set_hook(Box::new(move |info| {
            let place = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()))
                .unwrap_or_default();
            let new = seen.lock().map(|mut seen| seen.insert(place.clone()));
            if new.unwrap_or(true) {
                eprintln!("kdbx_import: panic at {place} (shown once): {info}");
            }
        }));
    });
}

fn uint(bytes: &[u8], at: usize, len: usize) -> Option<u64> {
    let field = bytes.get(at..at.checked_add(len)?)?;
    let mut value = [0u8; 8];
    value.get_mut(..len)?.copy_from_slice(field);
    Some(u64::from_le_bytes(value))
}

/// Whether the outer header asks for a KDF cheap enough to run per input.
/// Cut-off headers count as cheap: the crate refuses them before any KDF.
fn cheap_kdf(bytes: &[u8]) -> bool {
    if bytes.get(4..8) == Some(&KDB_SIGNATURE[..]) {
        return uint(bytes, KDB_ROUNDS_AT, 4).is_none_or(|r| r <= MAX_AES_ROUNDS);
    }
    let Some(major) = uint(bytes, 10, 2) else {
        return true;
    };
    let size_len = if major >= 4 { 4 } else { 2 };
    let mut at = 12;
    while let Some(&id) = bytes.get(at) {
        let Some(size) = uint(bytes, at + 1, size_len) else {
            return true;
        };
        let start = at + 1 + size_len;
        let Some(data) = usize::try_from(size)
            .ok()
            .and_then(|size| bytes.get(start..start.checked_add(size)?))
        else {
            return true;
        };
        let cheap = match id {
            END_OF_HEADER => return true,
            TRANSFORM_ROUNDS => uint(data, 0, 8).is_none_or(|r| r <= MAX_AES_ROUNDS),
            KDF_PARAMETERS => cheap_kdf_parameters(data),
            _ => true,
        };
        if !cheap {
            return false;
        }
        at = start + data.len();
    }
    true
}

/// The KDF parameters' variant dictionary, walked as `kdbx_cost` walks it.
fn cheap_kdf_parameters(dictionary: &[u8]) -> bool {
    let mut at = 2;
    while let Some(&kind) = dictionary.get(at) {
        if kind == 0 {
            break;
        }
        let Some(name_len) = uint(dictionary, at + 1, 4).and_then(|n| usize::try_from(n).ok())
        else {
            break;
        };
        let name_start = at + 5;
        let Some(name) = dictionary.get(name_start..name_start.saturating_add(name_len)) else {
            break;
        };
        let value_at = name_start + name_len;
        let Some(value_len) = uint(dictionary, value_at, 4).and_then(|n| usize::try_from(n).ok())
        else {
            break;
        };
        let Some(value) = dictionary.get(value_at + 4..(value_at + 4).saturating_add(value_len))
        else {
            break;
        };
        let number = uint(value, 0, value.len().min(8)).unwrap_or(0);
        let limit = match name {
            b"R" => MAX_AES_ROUNDS,
            b"M" => MAX_ARGON2_MEMORY_BYTES,
            b"I" => MAX_ARGON2_ITERATIONS,
            b"P" => MAX_ARGON2_LANES,
            _ => u64::MAX,
        };
        if number > limit {
            return false;
        }
        at = value_at + 4 + value_len;
    }
    true
}

fuzz_target!(|data: &[u8]| {
    install_panic_hook();
    let _ = kdbx::looks_like_kdbx(data);
    if !cheap_kdf(data) {
        return;
    }
    std::fs::write(&*INPUT, data).expect("failed to write the input to a temp file");
    let _ = kdbx::read(&INPUT, Some(PASSWORD), None);
});
