//! Credentials on the server: the Argon2id hash of a client's auth key
//! (per-user random salt, compared in constant time), session tokens (random
//! 256 bits out, only their SHA-256 kept) and the in-memory login limiter.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::{Algorithm, Argon2, Params, Version};
use data_encoding::{BASE64, BASE64URL_NOPAD, HEXLOWER};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::crypto::{KEY_LEN, SALT_LEN, fill_random};

/// Argon2id cost for stored auth keys. The auth key is already the output
/// of the client's slow KDF (256 bits), so this only has to make a stolen
/// database useless for checking guesses fast: OWASP's minimum (19 MiB, 2
/// passes) keeps logins cheap for the server.
const HASH_MEMORY_KIB: u32 = 19 * 1024;
const HASH_PASSES: u32 = 2;

/// Errors of the credential layer; they never carry a key.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("the auth key is not base64 of {KEY_LEN} bytes")]
    BadKey,
    #[error("failed to hash the auth key: {0}")]
    Hash(String),
    #[error("the operating system's random source failed")]
    Random,
}

/// A client's auth key, wiped when dropped.
pub struct AuthKey(Zeroizing<Vec<u8>>);

impl AuthKey {
    /// Reads the base64 form sent on the wire.
    pub fn from_base64(text: &str) -> Result<Self, AuthError> {
        let bytes = Zeroizing::new(
            BASE64
                .decode(text.as_bytes())
                .map_err(|_| AuthError::BadKey)?,
        );
        if bytes.len() != KEY_LEN {
            return Err(AuthError::BadKey);
        }
        Ok(Self(bytes))
    }
}

/// A stored hash and its salt, both hex.
pub struct StoredHash {
    pub salt: String,
    pub hash: String,
}

/// Hashes a new auth key with a fresh salt. Slow: call from a blocking task.
pub fn hash_new(key: &AuthKey) -> Result<StoredHash, AuthError> {
    let mut salt = [0u8; SALT_LEN];
    fill_random(&mut salt).map_err(|_| AuthError::Random)?;
    let hash = hash_with(key, &salt)?;
    Ok(StoredHash {
        salt: HEXLOWER.encode(&salt),
        hash: HEXLOWER.encode(hash.as_slice()),
    })
}

/// Checks a key against a stored hash in constant time. A malformed stored
/// value counts as a mismatch. Slow: call from a blocking task.
pub fn verify(key: &AuthKey, stored: &StoredHash) -> Result<bool, AuthError> {
    let (Ok(salt), Ok(expected)) = (
        HEXLOWER.decode(stored.salt.as_bytes()),
        HEXLOWER.decode(stored.hash.as_bytes()),
    ) else {
        return Ok(false);
    };
    let actual = hash_with(key, &salt)?;
    Ok(actual.as_slice().ct_eq(&expected).into())
}

/// Spends the same time as a real check, for emails with no account, so
/// that timing does not tell which emails are registered.
pub fn verify_dummy(key: &AuthKey) -> Result<(), AuthError> {
    hash_with(key, &[0u8; SALT_LEN]).map(drop)
}

fn hash_with(key: &AuthKey, salt: &[u8]) -> Result<Zeroizing<[u8; KEY_LEN]>, AuthError> {
    let params = Params::new(HASH_MEMORY_KIB, HASH_PASSES, 1, Some(KEY_LEN))
        .map_err(|e| AuthError::Hash(e.to_string()))?;
    let mut out = Zeroizing::new([0u8; KEY_LEN]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(&key.0, salt, out.as_mut_slice())
        .map_err(|e| AuthError::Hash(e.to_string()))?;
    Ok(out)
}

/// A fresh session token (256 random bits, base64url without padding).
pub fn new_token() -> Result<String, AuthError> {
    let mut bytes = Zeroizing::new([0u8; 32]);
    fill_random(bytes.as_mut_slice()).map_err(|_| AuthError::Random)?;
    Ok(BASE64URL_NOPAD.encode(bytes.as_slice()))
}

/// What the database keeps of a token: its SHA-256, hex.
pub fn token_hash(token: &str) -> String {
    HEXLOWER.encode(&Sha256::digest(token.as_bytes()))
}

/// Counts failed logins per client address and per account over a sliding
/// window. In memory: a restart forgets the counts, and several server
/// processes behind one database count separately.
pub struct LoginLimiter {
    max_failures: usize,
    window: Duration,
    failures: Mutex<Failures>,
}

#[derive(Default)]
struct Failures {
    by_ip: HashMap<IpAddr, Vec<Instant>>,
    by_account: HashMap<String, Vec<Instant>>,
}

/// Past this many tracked keys, expired entries are swept on the next failure.
const SWEEP_AFTER_KEYS: usize = 10_000;

impl LoginLimiter {
    pub fn new(max_failures: usize, window: Duration) -> Self {
        Self {
            max_failures,
            window,
            failures: Mutex::new(Failures::default()),
        }
    }

    /// Whether this address or this account has used up its attempts.
    pub fn is_blocked(&self, ip: IpAddr, account: &str) -> bool {
        let now = Instant::now();
        let mut failures = self.lock();
        let by_ip = recent(failures.by_ip.get_mut(&ip), now, self.window);
        let by_account = recent(failures.by_account.get_mut(account), now, self.window);
        by_ip >= self.max_failures || by_account >= self.max_failures
    }

    /// Counts an attempt as failed before it is checked, so that many
    /// attempts sent at once cannot all pass [`Self::is_blocked`] before the
    /// first one fails; returns false (and counts nothing) when blocked.
    /// A success then takes the count back with [`Self::record_success`].
    pub fn begin_attempt(&self, ip: IpAddr, account: &str) -> bool {
        let now = Instant::now();
        let mut failures = self.lock();
        let by_ip = recent(failures.by_ip.get_mut(&ip), now, self.window);
        let by_account = recent(failures.by_account.get_mut(account), now, self.window);
        if by_ip >= self.max_failures || by_account >= self.max_failures {
            return false;
        }
        Self::push(&mut failures, ip, account, now, self.window);
        true
    }

    pub fn record_failure(&self, ip: IpAddr, account: &str) {
        let now = Instant::now();
        let mut failures = self.lock();
        Self::push(&mut failures, ip, account, now, self.window);
    }

    fn push(failures: &mut Failures, ip: IpAddr, account: &str, now: Instant, window: Duration) {
        if failures.by_ip.len() + failures.by_account.len() > SWEEP_AFTER_KEYS {
            failures
                .by_ip
                .retain(|_, times| recent(Some(times), now, window) > 0);
            failures
                .by_account
                .retain(|_, times| recent(Some(times), now, window) > 0);
        }
        failures.by_ip.entry(ip).or_default().push(now);
        failures
            .by_account
            .entry(account.to_owned())
            .or_default()
            .push(now);
    }

    /// A successful login clears the account's count and takes back the
    /// address's attempt counted by [`Self::begin_attempt`].
    pub fn record_success(&self, ip: IpAddr, account: &str) {
        let mut failures = self.lock();
        failures.by_account.remove(account);
        if let Some(times) = failures.by_ip.get_mut(&ip) {
            times.pop();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Failures> {
        // The counts stay usable even if a thread panicked while holding them.
        self.failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Drops timestamps older than the window and counts the rest.
fn recent(times: Option<&mut Vec<Instant>>, now: Instant, window: Duration) -> usize {
    let Some(times) = times else { return 0 };
    times.retain(|t| now.duration_since(*t) < window);
    times.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> AuthKey {
        AuthKey::from_base64(&BASE64.encode(&[byte; KEY_LEN])).expect("valid key")
    }

    #[test]
    fn a_key_verifies_against_its_own_hash_only() {
        let stored = hash_new(&key(1)).expect("hash");
        assert!(verify(&key(1), &stored).expect("verify"));
        assert!(!verify(&key(2), &stored).expect("verify"));
    }

    #[test]
    fn the_same_key_gets_a_different_salt_each_time() {
        let first = hash_new(&key(1)).expect("hash");
        let second = hash_new(&key(1)).expect("hash");
        assert_ne!(first.salt, second.salt);
        assert_ne!(first.hash, second.hash);
    }

    #[test]
    fn keys_of_the_wrong_length_are_refused() {
        assert!(AuthKey::from_base64(&BASE64.encode(&[0u8; 16])).is_err());
        assert!(AuthKey::from_base64("not base64!").is_err());
    }

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let token = new_token().expect("token");
        assert_eq!(token.len(), 43);
        assert_ne!(token, new_token().expect("token"));
        assert_eq!(token_hash(&token).len(), 64);
        assert!(!token_hash(&token).contains(&token));
    }

    #[test]
    fn attempts_count_before_they_are_checked_and_a_success_takes_its_own_back() {
        let limiter = LoginLimiter::new(3, Duration::from_mins(1));
        let ip: IpAddr = [127, 0, 0, 1].into();
        // Three attempts in flight at once use up the allowance...
        for _ in 0..3 {
            assert!(limiter.begin_attempt(ip, "a@example.com"));
        }
        assert!(
            !limiter.begin_attempt(ip, "a@example.com"),
            "a fourth waits"
        );
        // ...and a success clears the account and gives the address one back.
        limiter.record_success(ip, "a@example.com");
        assert!(limiter.begin_attempt(ip, "a@example.com"));
    }

    #[test]
    fn the_limiter_blocks_after_the_allowed_failures_per_account() {
        let limiter = LoginLimiter::new(3, Duration::from_mins(1));
        let ip: IpAddr = [127, 0, 0, 1].into();
        for _ in 0..3 {
            assert!(!limiter.is_blocked(ip, "a@example.com"));
            limiter.record_failure(ip, "a@example.com");
        }
        assert!(limiter.is_blocked(ip, "a@example.com"));
        assert!(
            limiter.is_blocked(ip, "b@example.com"),
            "the address is blocked too"
        );
        assert!(!limiter.is_blocked([10, 0, 0, 1].into(), "b@example.com"));
    }
}
