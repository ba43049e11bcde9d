//! `qvault-server`: the self-hostable sync server. Parses the command line,
//! sets up logging and hands over to [`qvault::server::serve`].

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;

use anyhow::Context as _;
use clap::Parser;
use qvault::server::{Config, Database, TlsFiles};
use qvault::sync::wire::DEFAULT_MAX_VAULT_BYTES;

/// Stores one encrypted Qvault vault per account and serves it to the
/// account's devices. It never sees a master password or any plaintext.
#[derive(Debug, Parser)]
#[command(name = "qvault-server", version)]
struct Args {
    /// Directory for the embedded SQLite database (created 0700).
    #[arg(long, value_name = "DIR", required_unless_present = "database_url")]
    data: Option<PathBuf>,
    /// Use PostgreSQL at this URL instead (`postgres://user:password@host/db`);
    /// set it in the environment to keep the password off `ps`.
    #[arg(
        long,
        env = "QVAULT_DATABASE_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    database_url: Option<String>,
    /// Address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:8443")]
    listen: SocketAddr,
    /// Certificate chain (PEM) for HTTPS; without it the server speaks
    /// plain HTTP, for loopback or behind a TLS-terminating reverse proxy.
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// Private key (PEM) of --tls-cert.
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Largest vault accepted, in bytes.
    #[arg(long, default_value_t = DEFAULT_MAX_VAULT_BYTES)]
    max_vault_bytes: usize,
    /// Header that the reverse proxy sets to the client's address (for
    /// example X-Real-IP); login limits count by it. Only set this when
    /// every request comes through that proxy.
    #[arg(long, value_name = "NAME")]
    real_ip_header: Option<String>,
    /// Most database connections kept open.
    #[arg(long, default_value_t = 16)]
    max_db_connections: u32,
}

impl Args {
    fn into_config(self) -> Config {
        let database = match (self.database_url, self.data) {
            (Some(url), _) => Database::Url(url),
            (None, Some(dir)) => Database::SqliteDir(dir),
            (None, None) => unreachable!("clap requires --data without --database-url"),
        };
        let tls = self
            .tls_cert
            .zip(self.tls_key)
            .map(|(cert, key)| TlsFiles { cert, key });
        Config {
            max_vault_bytes: self.max_vault_bytes,
            tls,
            real_ip_header: self.real_ip_header,
            max_db_connections: self.max_db_connections,
            ..Config::with_database(database)
        }
    }
}

fn main() -> anyhow::Result<()> {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let args = Args::parse();
    let listen = args.listen;
    let config = args.into_config();

    let runtime = tokio::runtime::Runtime::new().context("failed to start the async runtime")?;
    runtime.block_on(async move {
        let listener =
            TcpListener::bind(listen).with_context(|| format!("failed to listen on {listen}"))?;
        let scheme = if config.tls.is_some() {
            "https"
        } else {
            "http"
        };
        let bound = listener.local_addr().unwrap_or(listen);
        log::info!("qvault-server listening on {scheme}://{bound}");
        qvault::server::serve(config, listener, shutdown_signal()).await
    })
}

/// Completes on Ctrl-C or SIGTERM (systemd's stop).
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    let mut terminate =
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(signal) => signal,
            Err(error) => {
                log::warn!("cannot watch SIGTERM ({error}); stop with Ctrl-C");
                let _ = interrupt.await;
                return;
            }
        };
    tokio::select! {
        _ = interrupt => {},
        _ = terminate.recv() => {},
    }
    log::info!("shutting down");
}
