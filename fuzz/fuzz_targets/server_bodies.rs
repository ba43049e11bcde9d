//! The sync server's request bodies: arbitrary bytes read as each JSON type
//! of `qvault::sync::wire` that `src/server/routes.rs` accepts
//! (`Credentials` for register, login and account deletion,
//! `ChangeAuthKey` for a password change), followed by the checks the
//! routes apply to them that are public (`AuthKey::from_base64`, the
//! vault's base64), and the `If-Match` header's `parse_etag`. The answers
//! the client reads from a server (`Session`, `Revision`, `ApiError`) are
//! read too. The email check (`normalize_email`) is private to the routes;
//! it trims, lower-cases and looks for `@`, nothing that could panic.

#![no_main]

use data_encoding::BASE64;
use libfuzzer_sys::fuzz_target;
use qvault::server::auth::AuthKey;
use qvault::sync::wire::{self, ApiError, ChangeAuthKey, Credentials, Revision, Session};

fuzz_target!(|data: &[u8]| {
    if let Ok(credentials) = serde_json::from_slice::<Credentials>(data) {
        let _ = AuthKey::from_base64(&credentials.auth_key);
    }
    if let Ok(change) = serde_json::from_slice::<ChangeAuthKey>(data) {
        let _ = AuthKey::from_base64(&change.current_auth_key);
        let _ = AuthKey::from_base64(&change.new_auth_key);
        let _ = BASE64.decode(change.vault.as_bytes());
    }
    let _ = serde_json::from_slice::<Session>(data);
    let _ = serde_json::from_slice::<Revision>(data);
    let _ = serde_json::from_slice::<ApiError>(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = wire::parse_etag(text);
    }
});
