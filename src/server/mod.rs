//! qvault-server, the self-hostable sync server (feature `server`): one
//! encrypted vault file per account, stored opaquely with a revision, behind
//! API v1 of [`crate::sync::wire`]. It never sees a master password, a vault
//! key or any plaintext. [`db`] stores, [`auth`] checks credentials and
//! counts failed logins, [`routes`] answers HTTP.

pub mod auth;
pub mod db;
pub mod routes;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::HeaderName;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{delete, get, post};
use axum_server::tls_rustls::RustlsConfig;
use tokio::sync::Semaphore;

pub use db::Database;

use crate::sync::wire;
use auth::LoginLimiter;
use db::Store;
use routes::AccountSlot;

/// How long a session token works, in seconds (30 days).
pub const SESSION_TTL_SECS: i64 = 30 * 24 * 60 * 60;
/// Failed logins allowed per client address and per account in the window.
pub const MAX_FAILED_LOGINS: usize = 10;
/// The window of [`MAX_FAILED_LOGINS`], in seconds (15 minutes).
pub const FAILED_LOGIN_WINDOW_SECS: u64 = 15 * 60;
/// JSON bodies other than a key change carry no vault and stay small.
const MAX_JSON_BYTES: usize = 64 * 1024;
/// Argon2 jobs that may run at once (19 MiB each).
const HASH_SLOTS: usize = 4;

/// Everything the server needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    pub database: Database,
    pub max_vault_bytes: usize,
    /// Certificate chain and private key (PEM); `None` serves plain HTTP.
    pub tls: Option<TlsFiles>,
    /// Trust this header (set by a reverse proxy) for the client address
    /// that login limits count by; `None` uses the TCP peer.
    pub real_ip_header: Option<String>,
    pub max_db_connections: u32,
}

#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl Config {
    /// Defaults for an embedded SQLite database in `dir`.
    pub fn sqlite(dir: impl Into<PathBuf>) -> Self {
        Self::with_database(Database::SqliteDir(dir.into()))
    }

    pub fn with_database(database: Database) -> Self {
        Self {
            database,
            max_vault_bytes: wire::DEFAULT_MAX_VAULT_BYTES,
            tls: None,
            real_ip_header: None,
            max_db_connections: 16,
        }
    }
}

/// What every request shares.
pub struct Shared {
    store: Store,
    limiter: LoginLimiter,
    hash_slots: Semaphore,
    max_vault_bytes: usize,
    session_ttl_secs: i64,
    real_ip_header: Option<HeaderName>,
}

/// Opens the database (running migrations) and serves on `listener` until
/// `shutdown` completes; open requests then get ten seconds to finish.
pub async fn serve(
    config: Config,
    listener: std::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let app = router(open(&config).await?).into_make_service_with_connect_info::<SocketAddr>();
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        stopper.graceful_shutdown(Some(Duration::from_secs(10)));
    });

    listener.set_nonblocking(true)?;
    match &config.tls {
        Some(tls) => {
            let rustls = RustlsConfig::from_pem_file(&tls.cert, &tls.key)
                .await
                .context("failed to load the TLS certificate or key")?;
            axum_server::from_tcp_rustls(listener, rustls)?
                .handle(handle)
                .serve(app)
                .await?;
        }
        None => {
            axum_server::from_tcp(listener)?
                .handle(handle)
                .serve(app)
                .await?;
        }
    }
    Ok(())
}

async fn open(config: &Config) -> anyhow::Result<Arc<Shared>> {
    let store = Store::open(&config.database, config.max_db_connections)
        .await
        .context("failed to open the database")?;
    let real_ip_header = config
        .real_ip_header
        .as_deref()
        .map(HeaderName::try_from)
        .transpose()
        .context("--real-ip-header is not a header name")?;
    Ok(Arc::new(Shared {
        store,
        limiter: LoginLimiter::new(
            MAX_FAILED_LOGINS,
            Duration::from_secs(FAILED_LOGIN_WINDOW_SECS),
        ),
        hash_slots: Semaphore::new(HASH_SLOTS),
        max_vault_bytes: config.max_vault_bytes,
        session_ttl_secs: SESSION_TTL_SECS,
        real_ip_header,
    }))
}

/// The routes of API v1 with their body limits and the request log.
pub fn router(shared: Arc<Shared>) -> Router {
    let vault_limit = shared.max_vault_bytes;
    // A key change carries the vault in base64: 4/3 of it, plus the keys.
    let key_change_limit = vault_limit / 3 * 4 + MAX_JSON_BYTES;
    Router::new()
        .route(wire::HEALTH, get(routes::health))
        .route(wire::REGISTER, post(routes::register))
        .route(wire::LOGIN, post(routes::login))
        .route(wire::LOGOUT, post(routes::logout))
        .route(
            wire::VAULT,
            get(routes::get_vault)
                .put(routes::put_vault)
                .layer(DefaultBodyLimit::max(vault_limit)),
        )
        .route(
            wire::AUTH_KEY,
            post(routes::change_auth_key).layer(DefaultBodyLimit::max(key_change_limit)),
        )
        .route(wire::ACCOUNT, delete(routes::delete_account))
        .layer(DefaultBodyLimit::max(MAX_JSON_BYTES))
        .layer(middleware::from_fn(log_request))
        .with_state(shared)
}

/// Logs method, path, status, account id and time; never headers, query
/// strings or bodies.
async fn log_request(mut request: Request, next: Next) -> Response {
    let slot = AccountSlot::default();
    request.extensions_mut().insert(slot.clone());
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();

    let response = next.run(request).await;
    let account = slot
        .0
        .get()
        .map_or_else(|| "-".to_owned(), ToString::to_string);
    log::info!(
        "{method} {path} {} account={account} {}ms",
        response.status().as_u16(),
        started.elapsed().as_millis()
    );
    response
}

/// Seconds since the Unix epoch.
fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        })
}
