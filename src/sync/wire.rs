//! API v1 of qvault-server, shared by the server and the client. JSON
//! bodies except the vault itself, which travels as the raw vault file
//! (`application/octet-stream`). Binary values in JSON are base64 (standard
//! alphabet, padded).
//!
//! | method and path | auth | body | answers |
//! |---|---|---|---|
//! | `GET /health` | none | | 200 `ok` |
//! | `POST /api/v1/register` | none | [`Credentials`] | 201 [`Session`]; 409 when the email is taken; 400 bad input |
//! | `POST /api/v1/login` | none | [`Credentials`] | 200 [`Session`]; 401 "email or password is wrong"; 429 too many attempts |
//! | `POST /api/v1/logout` | bearer | | 204 |
//! | `GET /api/v1/vault` | bearer | | 200 the vault file, `ETag: "<revision>"`; 404 none uploaded yet |
//! | `PUT /api/v1/vault` | bearer | the vault file | 200 [`Revision`]; 428 without `If-Match`; 412 when `If-Match` is not the current revision (`"0"` means "there is none yet"); 413 too large |
//! | `POST /api/v1/account/auth-key` | bearer | [`ChangeAuthKey`] | 200 [`Revision`] (key and vault replaced in one transaction); 401 wrong current key; 412 stale |
//! | `DELETE /api/v1/account` | bearer | [`Credentials`] (the current key again) | 204; 401 |
//!
//! Errors carry an [`ApiError`] body with a generic, user-readable message.
//! Bearer tokens are 256-bit random values, base64url without padding,
//! sent as `Authorization: Bearer <token>`; the server keeps only their
//! SHA-256 and an expiry.

use serde::{Deserialize, Serialize};

/// The path prefix of API v1.
pub const API_V1: &str = "/api/v1";
pub const HEALTH: &str = "/health";
pub const REGISTER: &str = "/api/v1/register";
pub const LOGIN: &str = "/api/v1/login";
pub const LOGOUT: &str = "/api/v1/logout";
pub const VAULT: &str = "/api/v1/vault";
pub const AUTH_KEY: &str = "/api/v1/account/auth-key";
pub const ACCOUNT: &str = "/api/v1/account";

/// The `If-Match` value that means "the account has no vault yet".
pub const NO_REVISION: u64 = 0;

/// The largest vault the server accepts by default (bytes); larger bodies
/// get 413. Attachments (10 MB each) make vaults big, so this is generous.
pub const DEFAULT_MAX_VAULT_BYTES: usize = 64 * 1024 * 1024;

/// Email and auth key, for register, log in and delete account.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Credentials {
    /// Trimmed and lower-cased by the client before it derives the key.
    pub email: String,
    /// base64 of the 32-byte auth key (never the master password).
    pub auth_key: String,
}

/// A logged-in session.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    /// Unix time in seconds when the token stops working.
    pub expires_at: i64,
}

/// The revision a vault upload created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    pub revision: u64,
}

/// A new auth key and the vault re-encrypted for the new password, stored
/// together or not at all.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChangeAuthKey {
    /// base64 of the current auth key.
    pub current_auth_key: String,
    /// base64 of the new auth key.
    pub new_auth_key: String,
    /// base64 of the new vault file.
    pub vault: String,
    /// The revision the new vault replaces.
    pub if_match: u64,
}

/// The body of every error answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ApiError {
    pub error: String,
}

/// Formats a revision as an `ETag` / `If-Match` value: `"7"`.
pub fn etag(revision: u64) -> String {
    format!("\"{revision}\"")
}

/// Reads an `ETag` / `If-Match` value (quoted or not, `W/` allowed).
pub fn parse_etag(value: &str) -> Option<u64> {
    let value = value.trim();
    let value = value.strip_prefix("W/").unwrap_or(value);
    value.trim_matches('"').parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_read_back_quoted_or_not() {
        assert_eq!(parse_etag(&etag(42)), Some(42));
        assert_eq!(parse_etag("7"), Some(7));
        assert_eq!(parse_etag("W/\"3\""), Some(3));
        assert_eq!(parse_etag("\"x\""), None);
    }
}
