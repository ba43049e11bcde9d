//! The HTTP handlers of API v1 (see [`crate::sync::wire`] for the table),
//! the bearer-token extractor and the generic error answers. Client
//! messages stay generic; the log gets the detail.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, OnceLock};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use data_encoding::BASE64;
use serde::de::DeserializeOwned;

use super::Shared;
use super::auth::{self, AuthError, AuthKey, StoredHash};
use super::db::{DbError, KeyChange, PutOutcome, User};
use crate::sync::wire::{
    ApiError, ChangeAuthKey, Credentials, Revision, Session, etag, parse_etag,
};

type AppState = State<Arc<Shared>>;

/// An error answer: a status and a generic message for the user.
#[derive(Debug)]
pub struct Failure {
    status: StatusCode,
    message: &'static str,
}

impl Failure {
    const fn new(status: StatusCode, message: &'static str) -> Self {
        Self { status, message }
    }

    fn bad_input() -> Self {
        Self::new(StatusCode::BAD_REQUEST, "the request is not valid")
    }

    fn wrong_credentials() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "email or password is wrong")
    }

    fn too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "the vault is larger than this server accepts",
        )
    }

    fn stale() -> Self {
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            "the vault changed on the server; download, merge and try again",
        )
    }

    fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the server failed; try again later",
        )
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let body = ApiError {
            error: self.message.to_owned(),
        };
        (self.status, Json(body)).into_response()
    }
}

impl From<DbError> for Failure {
    fn from(error: DbError) -> Self {
        log::error!("{error}");
        Self::internal()
    }
}

impl From<AuthError> for Failure {
    fn from(error: AuthError) -> Self {
        if matches!(error, AuthError::BadKey) {
            return Self::bad_input();
        }
        log::error!("{error}");
        Self::internal()
    }
}

/// Filled in by [`Account`] so that the request log can name the account.
#[derive(Clone, Default)]
pub struct AccountSlot(pub Arc<OnceLock<i64>>);

/// The account behind a valid `Authorization: Bearer` token.
pub struct Account {
    pub user_id: i64,
    pub token_hash: String,
}

impl FromRequestParts<Arc<Shared>> for Account {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<Shared>) -> Result<Self, Failure> {
        let unauthorized = || Failure::new(StatusCode::UNAUTHORIZED, "please log in again");
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .ok_or_else(unauthorized)?;

        let token_hash = auth::token_hash(token.trim());
        let user_id = state
            .store
            .session_user(&token_hash, super::unix_now())
            .await?
            .ok_or_else(unauthorized)?;
        if let Some(slot) = parts.extensions.get::<AccountSlot>() {
            let _ = slot.0.set(user_id);
        }
        Ok(Self {
            user_id,
            token_hash,
        })
    }
}

/// `Json` whose rejections are our generic error bodies.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = Failure;

    async fn from_request(req: Request, state: &S) -> Result<Self, Failure> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(Failure::too_large())
            }
            Err(_) => Err(Failure::bad_input()),
        }
    }
}

pub async fn health() -> &'static str {
    "ok"
}

pub async fn register(
    State(shared): AppState,
    Extension(slot): Extension<AccountSlot>,
    ApiJson(credentials): ApiJson<Credentials>,
) -> Result<(StatusCode, Json<Session>), Failure> {
    let email = normalize_email(&credentials.email).ok_or_else(Failure::bad_input)?;
    let key = AuthKey::from_base64(&credentials.auth_key)?;
    let stored = blocking(&shared, move || auth::hash_new(&key)).await?;

    let created = shared
        .store
        .create_user(&email, &stored.salt, &stored.hash, super::unix_now())
        .await?;
    let Some(user_id) = created else {
        return Err(Failure::new(
            StatusCode::CONFLICT,
            "this email cannot be registered; try logging in",
        ));
    };
    let _ = slot.0.set(user_id);
    log::info!("account {user_id} registered");
    Ok((
        StatusCode::CREATED,
        Json(issue_session(&shared, user_id).await?),
    ))
}

pub async fn login(
    State(shared): AppState,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Extension(slot): Extension<AccountSlot>,
    headers: HeaderMap,
    ApiJson(credentials): ApiJson<Credentials>,
) -> Result<Json<Session>, Failure> {
    let ip = client_ip(&shared, &headers, peer);
    let email = normalize_email(&credentials.email).ok_or_else(Failure::wrong_credentials)?;
    if !shared.limiter.begin_attempt(ip, &email) {
        log::warn!("login refused: too many failed attempts from {ip} or for one account");
        return Err(Failure::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too many attempts; wait a few minutes",
        ));
    }

    let key = AuthKey::from_base64(&credentials.auth_key)?;
    let user = shared.store.user_by_email(&email).await?;
    let verified = if let Some(user) = &user {
        check_key(&shared, key, user).await?
    } else {
        // As slow as a real check, so timing does not tell which emails exist.
        blocking(&shared, move || auth::verify_dummy(&key)).await?;
        false
    };
    match user {
        Some(user) if verified => {
            let _ = slot.0.set(user.id);
            shared.limiter.record_success(ip, &email);
            Ok(Json(issue_session(&shared, user.id).await?))
        }
        // The attempt was counted as failed before the check.
        _ => Err(Failure::wrong_credentials()),
    }
}

pub async fn logout(State(shared): AppState, account: Account) -> Result<StatusCode, Failure> {
    shared.store.delete_session(&account.token_hash).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn get_vault(State(shared): AppState, account: Account) -> Result<Response, Failure> {
    let Some(vault) = shared.store.vault(account.user_id).await? else {
        return Err(Failure::new(StatusCode::NOT_FOUND, "no vault uploaded yet"));
    };
    let headers = [
        (header::ETAG, etag_header(vault.revision)),
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/octet-stream"),
        ),
    ];
    Ok((headers, vault.data).into_response())
}

pub async fn put_vault(
    State(shared): AppState,
    account: Account,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Failure> {
    let if_match = if_match(&headers)?;
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Failure::too_large()
        } else {
            Failure::bad_input()
        }
    })?;
    if body.len() > shared.max_vault_bytes {
        return Err(Failure::too_large());
    }

    let outcome = shared
        .store
        .put_vault(account.user_id, if_match, &body, super::unix_now())
        .await?;
    revision_answer(outcome)
}

pub async fn change_auth_key(
    State(shared): AppState,
    account: Account,
    ApiJson(change): ApiJson<ChangeAuthKey>,
) -> Result<Response, Failure> {
    let current = AuthKey::from_base64(&change.current_auth_key)?;
    let new_key = AuthKey::from_base64(&change.new_auth_key)?;
    let vault = BASE64
        .decode(change.vault.as_bytes())
        .map_err(|_| Failure::bad_input())?;
    if vault.len() > shared.max_vault_bytes {
        return Err(Failure::too_large());
    }

    let user = account_user(&shared, &account).await?;
    if !check_key(&shared, current, &user).await? {
        return Err(Failure::new(
            StatusCode::UNAUTHORIZED,
            "the current password is wrong",
        ));
    }
    let stored = blocking(&shared, move || auth::hash_new(&new_key)).await?;

    let key_change = KeyChange {
        user_id: user.id,
        old_hash: &user.auth_hash,
        new_salt: &stored.salt,
        new_hash: &stored.hash,
        vault: &vault,
        if_match: change.if_match,
        keep_session: &account.token_hash,
    };
    let outcome = shared
        .store
        .change_auth_key(&key_change, super::unix_now())
        .await?;
    revision_answer(outcome)
}

pub async fn delete_account(
    State(shared): AppState,
    account: Account,
    ApiJson(credentials): ApiJson<Credentials>,
) -> Result<StatusCode, Failure> {
    let user = account_user(&shared, &account).await?;
    let key = AuthKey::from_base64(&credentials.auth_key)?;
    let same_email = normalize_email(&credentials.email).as_deref() == Some(user.email.as_str());
    if !(check_key(&shared, key, &user).await? && same_email) {
        return Err(Failure::wrong_credentials());
    }

    shared.store.delete_user(user.id).await?;
    log::info!("account {} deleted", user.id);
    Ok(StatusCode::NO_CONTENT)
}

/// Trimmed and lower-cased; `None` when it cannot be an email address.
fn normalize_email(email: &str) -> Option<String> {
    let email = email.trim().to_lowercase();
    let plausible =
        email.len() <= 254 && email.contains('@') && !email.contains(char::is_whitespace);
    plausible.then_some(email)
}

/// The `If-Match` revision: 428 without one, 400 when unreadable.
fn if_match(headers: &HeaderMap) -> Result<u64, Failure> {
    let value = headers.get(header::IF_MATCH).ok_or(Failure::new(
        StatusCode::PRECONDITION_REQUIRED,
        "uploads need If-Match with the revision they replace",
    ))?;
    value
        .to_str()
        .ok()
        .and_then(parse_etag)
        .ok_or_else(Failure::bad_input)
}

fn revision_answer(outcome: PutOutcome) -> Result<Response, Failure> {
    match outcome {
        PutOutcome::Stored(revision) => {
            let headers = [(header::ETAG, etag_header(revision))];
            Ok((headers, Json(Revision { revision })).into_response())
        }
        PutOutcome::Stale => Err(Failure::stale()),
    }
}

fn etag_header(revision: u64) -> HeaderValue {
    HeaderValue::from_str(&etag(revision)).expect("a quoted number is a valid header value")
}

async fn account_user(shared: &Shared, account: &Account) -> Result<User, Failure> {
    // A session outliving its account would be a bug; answer as if logged out.
    shared
        .store
        .user_by_id(account.user_id)
        .await?
        .ok_or(Failure::new(
            StatusCode::UNAUTHORIZED,
            "please log in again",
        ))
}

async fn issue_session(shared: &Shared, user_id: i64) -> Result<Session, Failure> {
    let token = auth::new_token()?;
    let now = super::unix_now();
    let expires_at = now + shared.session_ttl_secs;
    shared
        .store
        .create_session(&auth::token_hash(&token), user_id, expires_at, now)
        .await?;
    Ok(Session { token, expires_at })
}

/// Verifies a key against an account's stored hash off the async threads.
async fn check_key(shared: &Shared, key: AuthKey, user: &User) -> Result<bool, Failure> {
    let stored = StoredHash {
        salt: user.auth_salt.clone(),
        hash: user.auth_hash.clone(),
    };
    blocking(shared, move || auth::verify(&key, &stored)).await
}

/// Runs an Argon2 job on the blocking pool, a few at a time so that a burst
/// of logins cannot take all the memory.
async fn blocking<T: Send + 'static>(
    shared: &Shared,
    job: impl FnOnce() -> Result<T, AuthError> + Send + 'static,
) -> Result<T, Failure> {
    let _permit = shared
        .hash_slots
        .acquire()
        .await
        .map_err(|_| Failure::internal())?;
    match tokio::task::spawn_blocking(job).await {
        Ok(result) => Ok(result?),
        Err(error) => {
            log::error!("hashing task failed: {error}");
            Err(Failure::internal())
        }
    }
}

/// The client's address: the peer's, or the one the reverse proxy put in
/// the configured header.
fn client_ip(shared: &Shared, headers: &HeaderMap, peer: SocketAddr) -> IpAddr {
    shared
        .real_ip_header
        .as_ref()
        .and_then(|name| headers.get(name))
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.rsplit(',').next())
        .and_then(|last| last.trim().parse().ok())
        .unwrap_or_else(|| peer.ip())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(
            normalize_email("  Ann@Example.COM \n").as_deref(),
            Some("ann@example.com")
        );
        assert_eq!(normalize_email("no-at-sign"), None);
        assert_eq!(normalize_email("a b@example.com"), None);
    }

    #[test]
    fn uploads_without_if_match_are_refused_with_428() {
        let failure = if_match(&HeaderMap::new()).expect_err("no header");
        assert_eq!(failure.status, StatusCode::PRECONDITION_REQUIRED);
    }
}
