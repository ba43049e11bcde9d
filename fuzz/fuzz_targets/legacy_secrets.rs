//! What `qvault::import::legacy::read` does with a legacy file's secrets
//! once they are decrypted (the JSON tree, the old app's upgrades, the
//! mapping onto our templates), reached through the hidden
//! `legacy::read_opened` without the two scrypt runs before it. The input
//! is the version string that the file's header would carry, a newline,
//! then the secrets JSON; an input without a newline has no version.

#![no_main]

use libfuzzer_sys::fuzz_target;
use qvault::import::legacy;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (version, secrets) = match text.split_once('\n') {
        Some((version, secrets)) => (Some(version), secrets),
        None => (None, text),
    };
    let _ = legacy::read_opened(version, secrets);
});
