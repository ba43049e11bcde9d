//! The original Qvault's `.qvault` files: `qvault::import::legacy::read` on
//! arbitrary bytes, with the password and QR key of the sample files in
//! `../shared/testdata/qvault-legacy` (so the unchanged seeds open, and a
//! mutated `version` outside the encryption reaches the upgrade code).
//!
//! Cost: every input that parses as a legacy header runs scrypt with
//! N = 2^17 twice (128 MiB each, the old app's parameters), so this target
//! does most of its executions on inputs refused earlier and only a few a
//! second past the header. `legacy_secrets` fuzzes what comes after the
//! decryption without it.

#![no_main]

use libfuzzer_sys::fuzz_target;
use qvault::import::{detect, legacy};

/// The samples' master password (`expected.json`).
const PASSWORD: &str = "Correct-Horse-9!";
/// The QR key of `legacy-qr-0.3.1.qvault`.
const QR_KEY: &str = "6EBXUh4kjFN1NEk5/TNlsvWumiyUJmOUTCR9a7yWHu4=";

fuzz_target!(|data: &[u8]| {
    let _ = detect(data);
    let _ = legacy::looks_like_legacy(data);
    let _ = legacy::read(data, PASSWORD, Some(QR_KEY));
});
