//! The blocking HTTP client of qvault-server's API v1 ([`super::wire`]).
//! One [`Client`] holds one session; it refuses plain `http://` to another
//! computer unless asked, and never logs a token, key or vault.

use std::fmt;
use std::io;
use std::net::IpAddr;
use std::time::Duration;

use ureq::http::{StatusCode, Uri};
use ureq::{Agent, Body};
use zeroize::Zeroizing;

use super::auth::{AuthKey, normalize_email};
use super::wire::{self, ApiError, ChangeAuthKey, Credentials, Revision, Session};

/// Time allowed to open the connection.
pub const CONNECT_TIMEOUT_SECS: u64 = 10;
/// Time allowed for a whole request, vault upload or download included.
pub const REQUEST_TIMEOUT_SECS: u64 = 60;
/// Largest answer read: the largest vault the server takes, with room.
const MAX_ANSWER_BYTES: u64 = wire::DEFAULT_MAX_VAULT_BYTES as u64 + 1024 * 1024;

/// Why a request to the sync server failed. Messages are for the user; none
/// carries a token, key or vault byte.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error(
        "the server address {0} uses plain http to another computer; use https, or allow it \
         with --allow-http"
    )]
    InsecureHttp(String),
    #[error("the server address {0} is not valid; give one like https://sync.example.org")]
    BadUrl(String),
    #[error("email or password is wrong")]
    Unauthorized,
    #[error("an account with this email exists already; sync without --register")]
    EmailTaken,
    #[error("the server's copy changed meanwhile")]
    Stale,
    #[error("the vault is too large for the server")]
    TooLarge,
    #[error("too many attempts; wait a few minutes and try again")]
    RateLimited,
    #[error("not logged in to the server")]
    NotLoggedIn,
    #[error("cannot reach the server ({0}); check the address and the network")]
    Offline(String),
    #[error("the connection to the server failed: {0}")]
    Network(String),
    #[error("the server refused the request (HTTP {status}): {message}")]
    Server { status: u16, message: String },
    #[error("the server's answer is not what API v1 sends: {0}")]
    BadAnswer(&'static str),
}

impl ClientError {
    /// The HTTP status behind a server error, if any.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Server { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// A bearer token, wiped when dropped and never printed.
struct Token(Zeroizing<String>);

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// A client of one sync server, logged in or not.
#[derive(Debug)]
pub struct Client {
    agent: Agent,
    base_url: String,
    token: Option<Token>,
}

impl Client {
    /// A client of the server at `base_url` (`https://host[:port][/prefix]`).
    /// Plain `http://` is refused unless the host is this computer or
    /// `allow_insecure_http` is set.
    pub fn new(base_url: &str, allow_insecure_http: bool) -> Result<Self, ClientError> {
        let base_url = base_url.trim().trim_end_matches('/').to_owned();
        check_url(&base_url, allow_insecure_http)?;
        let config = Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(Some(Duration::from_secs(CONNECT_TIMEOUT_SECS)))
            .timeout_global(Some(Duration::from_secs(REQUEST_TIMEOUT_SECS)))
            .user_agent(concat!("qvault/", env!("CARGO_PKG_VERSION")))
            .build();
        Ok(Self {
            agent: config.new_agent(),
            base_url,
            token: None,
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn is_logged_in(&self) -> bool {
        self.token.is_some()
    }

    /// Creates an account and logs in to it.
    pub fn register(&mut self, email: &str, key: &AuthKey) -> Result<(), ClientError> {
        let body = credentials(email, key);
        let mut answer = send_json_body(self.agent.post(self.url(wire::REGISTER)), &body)?;
        match answer.status() {
            StatusCode::CREATED | StatusCode::OK => self.keep_session(answer.body_mut()),
            StatusCode::CONFLICT => Err(ClientError::EmailTaken),
            _ => Err(error_of(answer)),
        }
    }

    /// Logs in; a wrong email or password is [`ClientError::Unauthorized`].
    pub fn login(&mut self, email: &str, key: &AuthKey) -> Result<(), ClientError> {
        let body = credentials(email, key);
        let mut answer = send_json_body(self.agent.post(self.url(wire::LOGIN)), &body)?;
        match answer.status() {
            StatusCode::OK => self.keep_session(answer.body_mut()),
            _ => Err(error_of(answer)),
        }
    }

    /// Ends the session on the server and forgets the token.
    pub fn logout(&mut self) -> Result<(), ClientError> {
        let request = self.authorized(self.agent.post(self.url(wire::LOGOUT)))?;
        let answer = request.send_empty().map_err(transport_error);
        self.token = None;
        match answer?.status() {
            status if status.is_success() => Ok(()),
            status => Err(status_error(status, None)),
        }
    }

    /// The account's vault file and its revision; `None` before the first
    /// upload.
    pub fn get_vault(&self) -> Result<Option<(Vec<u8>, u64)>, ClientError> {
        let request = self.authorized_get(self.agent.get(self.url(wire::VAULT)))?;
        let mut answer = request.call().map_err(transport_error)?;
        match answer.status() {
            StatusCode::OK => {
                let revision = answer
                    .headers()
                    .get("etag")
                    .and_then(|v| v.to_str().ok())
                    .and_then(wire::parse_etag)
                    .ok_or(ClientError::BadAnswer("the vault came without a revision"))?;
                let bytes = read_body(answer.body_mut())?;
                Ok(Some((bytes, revision)))
            }
            StatusCode::NOT_FOUND => Ok(None),
            _ => Err(error_of(answer)),
        }
    }

    /// Uploads a vault file over revision `if_match` ([`wire::NO_REVISION`]
    /// when the account has none); returns the new revision, or
    /// [`ClientError::Stale`] when the server has moved on.
    pub fn put_vault(&self, bytes: &[u8], if_match: u64) -> Result<u64, ClientError> {
        let request = self
            .authorized(self.agent.put(self.url(wire::VAULT)))?
            .header("If-Match", wire::etag(if_match))
            .content_type("application/octet-stream");
        let answer = request.send(bytes).map_err(transport_error)?;
        read_revision(answer)
    }

    /// Replaces the auth key and the vault (re-encrypted for the new
    /// password) together; returns the new revision.
    pub fn change_auth_key(
        &self,
        current: &AuthKey,
        new: &AuthKey,
        vault: &[u8],
        if_match: u64,
    ) -> Result<u64, ClientError> {
        let body = ChangeAuthKey {
            current_auth_key: current.to_base64().to_string(),
            new_auth_key: new.to_base64().to_string(),
            vault: data_encoding::BASE64.encode(vault),
            if_match,
        };
        let request = self.authorized(self.agent.post(self.url(wire::AUTH_KEY)))?;
        let answer = send_json_body(request, &body)?;
        read_revision(answer)
    }

    /// Deletes the account and its vault on the server.
    pub fn delete_account(&mut self, email: &str, key: &AuthKey) -> Result<(), ClientError> {
        let body = credentials(email, key);
        let request = self
            .authorized_get(self.agent.delete(self.url(wire::ACCOUNT)))?
            .force_send_body();
        let answer = send_json_body(request, &body)?;
        match answer.status() {
            status if status.is_success() => {
                self.token = None;
                Ok(())
            }
            _ => Err(error_of(answer)),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    fn bearer(&self) -> Result<Zeroizing<String>, ClientError> {
        let token = self.token.as_ref().ok_or(ClientError::NotLoggedIn)?;
        Ok(Zeroizing::new(format!("Bearer {}", token.0.as_str())))
    }

    fn authorized(
        &self,
        request: ureq::RequestBuilder<ureq::typestate::WithBody>,
    ) -> Result<ureq::RequestBuilder<ureq::typestate::WithBody>, ClientError> {
        Ok(request.header("Authorization", self.bearer()?.as_str()))
    }

    fn authorized_get(
        &self,
        request: ureq::RequestBuilder<ureq::typestate::WithoutBody>,
    ) -> Result<ureq::RequestBuilder<ureq::typestate::WithoutBody>, ClientError> {
        Ok(request.header("Authorization", self.bearer()?.as_str()))
    }

    fn keep_session(&mut self, body: &mut Body) -> Result<(), ClientError> {
        let bytes = Zeroizing::new(read_body(body)?);
        let session: Session = serde_json::from_slice(&bytes)
            .map_err(|_| ClientError::BadAnswer("the session is not valid JSON"))?;
        if session.token.is_empty() {
            return Err(ClientError::BadAnswer("the session has no token"));
        }
        self.token = Some(Token(Zeroizing::new(session.token)));
        Ok(())
    }
}

fn credentials(email: &str, key: &AuthKey) -> Credentials {
    Credentials {
        email: normalize_email(email),
        auth_key: key.to_base64().to_string(),
    }
}

/// Sends a JSON body, wiping the serialised copy afterwards (it may hold a
/// key or a vault).
fn send_json_body<T: serde::Serialize>(
    request: ureq::RequestBuilder<ureq::typestate::WithBody>,
    body: &T,
) -> Result<ureq::http::Response<Body>, ClientError> {
    let json = Zeroizing::new(
        serde_json::to_vec(body).map_err(|_| ClientError::BadAnswer("failed to encode JSON"))?,
    );
    request
        .content_type("application/json")
        .send(json.as_slice())
        .map_err(transport_error)
}

fn read_revision(mut answer: ureq::http::Response<Body>) -> Result<u64, ClientError> {
    if answer.status() != StatusCode::OK {
        return Err(error_of(answer));
    }
    let bytes = read_body(answer.body_mut())?;
    let revision: Revision = serde_json::from_slice(&bytes)
        .map_err(|_| ClientError::BadAnswer("the revision is not valid JSON"))?;
    Ok(revision.revision)
}

fn read_body(body: &mut Body) -> Result<Vec<u8>, ClientError> {
    body.with_config()
        .limit(MAX_ANSWER_BYTES)
        .read_to_vec()
        .map_err(transport_error)
}

/// The error of a non-success answer, with the server's message if it sent
/// an [`ApiError`] body.
fn error_of(mut answer: ureq::http::Response<Body>) -> ClientError {
    let message = answer
        .body_mut()
        .with_config()
        .limit(64 * 1024)
        .read_to_vec()
        .ok()
        .and_then(|bytes| serde_json::from_slice::<ApiError>(&bytes).ok())
        .map(|e| e.error);
    status_error(answer.status(), message)
}

fn status_error(status: StatusCode, message: Option<String>) -> ClientError {
    match status {
        StatusCode::UNAUTHORIZED => ClientError::Unauthorized,
        StatusCode::PRECONDITION_FAILED => ClientError::Stale,
        StatusCode::PAYLOAD_TOO_LARGE => ClientError::TooLarge,
        StatusCode::TOO_MANY_REQUESTS => ClientError::RateLimited,
        StatusCode::CONFLICT => ClientError::EmailTaken,
        status => ClientError::Server {
            status: status.as_u16(),
            message: message.unwrap_or_else(|| {
                status
                    .canonical_reason()
                    .unwrap_or("unknown error")
                    .to_lowercase()
            }),
        },
    }
}

/// Sorts transport failures: no connection at all is "offline", anything
/// after it (a timeout, a connection closed mid-answer) a network error.
fn transport_error(err: ureq::Error) -> ClientError {
    match err {
        ureq::Error::HostNotFound => ClientError::Offline("host not found".into()),
        ureq::Error::ConnectionFailed => ClientError::Offline("connection failed".into()),
        ureq::Error::Io(e) if is_refused(&e) => ClientError::Offline(e.to_string()),
        ureq::Error::Timeout(_) => ClientError::Network("the server took too long".into()),
        ureq::Error::BodyExceedsLimit(_) => ClientError::BadAnswer("the answer is too large"),
        other => ClientError::Network(other.to_string()),
    }
}

fn is_refused(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::HostUnreachable
            | io::ErrorKind::NetworkUnreachable
            | io::ErrorKind::AddrNotAvailable
    )
}

/// Accepts `https://` anywhere, `http://` to this computer or when allowed.
fn check_url(url: &str, allow_insecure_http: bool) -> Result<(), ClientError> {
    let bad = || ClientError::BadUrl(url.to_owned());
    let uri: Uri = url.parse().map_err(|_| bad())?;
    let host = uri.host().filter(|h| !h.is_empty()).ok_or_else(bad)?;
    if uri.query().is_some() || url.contains('@') {
        return Err(bad());
    }
    match uri.scheme_str().map(str::to_ascii_lowercase).as_deref() {
        Some("https") => Ok(()),
        Some("http") if allow_insecure_http || is_loopback(host) => Ok(()),
        Some("http") => Err(ClientError::InsecureHttp(url.to_owned())),
        _ => Err(bad()),
    }
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}
