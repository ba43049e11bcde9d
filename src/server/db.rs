//! The server's storage: accounts, sessions and one opaque vault blob per
//! account, in SQLite or PostgreSQL. Both run the very same statements
//! through `sqlx::Any` (positional `$1` parameters, `RETURNING`, `ON
//! CONFLICT`); only the migrations differ, by column types.

use std::fs::{self, OpenOptions};
use std::io;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Row};

/// The file name of the embedded database inside `--data DIR`.
pub const SQLITE_FILE: &str = "qvault-server.sqlite3";

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// Errors of the storage layer. They carry no bound values, so no key
/// material or vault bytes can reach a log through them.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("failed to prepare data directory {path}: {source}")]
    DataDir { path: PathBuf, source: io::Error },
    #[error("unsupported database url (expected postgres:// or sqlite://)")]
    UnsupportedUrl,
    #[error("failed to migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database query failed: {0}")]
    Query(#[from] sqlx::Error),
    #[error("a stored value is out of range")]
    OutOfRange,
}

/// Where the data lives.
#[derive(Debug, Clone)]
pub enum Database {
    /// An embedded SQLite file inside this directory (created 0700, the
    /// file 0600).
    SqliteDir(PathBuf),
    /// A `postgres://` (or `sqlite://`) connection URL.
    Url(String),
}

/// An account as the server knows it.
#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub auth_salt: String,
    pub auth_hash: String,
}

/// A stored vault: its revision and the opaque file bytes.
pub struct StoredVault {
    pub revision: u64,
    pub data: Vec<u8>,
}

/// What a compare-and-swap upload did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutOutcome {
    Stored(u64),
    Stale,
}

/// A new auth key hash and the vault that goes with it.
pub struct KeyChange<'a> {
    pub user_id: i64,
    pub old_hash: &'a str,
    pub new_salt: &'a str,
    pub new_hash: &'a str,
    pub vault: &'a [u8],
    pub if_match: u64,
    pub keep_session: &'a str,
}

/// The pool, shared by every request.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
}

impl Store {
    /// Connects (creating the SQLite file if needed) and runs migrations.
    pub async fn open(database: &Database, max_connections: u32) -> Result<Self, DbError> {
        install_default_drivers();
        let (url, postgres) = match database {
            Database::SqliteDir(dir) => (sqlite_url(&prepare_data_dir(dir)?), false),
            Database::Url(url) if url.starts_with("postgres") => (url.clone(), true),
            Database::Url(url) if url.starts_with("sqlite:") => (url.clone(), false),
            Database::Url(_) => return Err(DbError::UnsupportedUrl),
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .connect(&url)
            .await?;

        if postgres {
            POSTGRES_MIGRATIONS.run(&pool).await?;
        } else {
            // WAL lets readers go on while one upload writes; it is kept
            // in the file, so once is enough.
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await?;
            SQLITE_MIGRATIONS.run(&pool).await?;
        }
        Ok(Self { pool })
    }

    /// Creates an account; `None` when the email is taken.
    pub async fn create_user(
        &self,
        email: &str,
        salt: &str,
        hash: &str,
        now: i64,
    ) -> Result<Option<i64>, DbError> {
        let row = sqlx::query(
            "INSERT INTO users (email, auth_salt, auth_hash, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (email) DO NOTHING RETURNING id",
        )
        .bind(email)
        .bind(salt)
        .bind(hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| r.try_get("id")).transpose()?)
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>, DbError> {
        let row = sqlx::query("SELECT id, email, auth_salt, auth_hash FROM users WHERE email = $1")
            .bind(email)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| user_from_row(&r)).transpose()?)
    }

    pub async fn user_by_id(&self, id: i64) -> Result<Option<User>, DbError> {
        let row = sqlx::query("SELECT id, email, auth_salt, auth_hash FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| user_from_row(&r)).transpose()?)
    }

    /// Stores a session (by token hash) and drops expired ones.
    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        expires_at: i64,
        now: i64,
    ) -> Result<(), DbError> {
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        sqlx::query("INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, $3)")
            .bind(token_hash)
            .bind(user_id)
            .bind(expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The account a live session belongs to.
    pub async fn session_user(&self, token_hash: &str, now: i64) -> Result<Option<i64>, DbError> {
        let row =
            sqlx::query("SELECT user_id FROM sessions WHERE token_hash = $1 AND expires_at > $2")
                .bind(token_hash)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|r| r.try_get("user_id")).transpose()?)
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<(), DbError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn vault(&self, user_id: i64) -> Result<Option<StoredVault>, DbError> {
        let row = sqlx::query("SELECT revision, data FROM vaults WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(StoredVault {
            revision: to_revision(row.try_get("revision")?)?,
            data: row.try_get("data")?,
        }))
    }

    /// Stores `data` as the next revision if `if_match` is the current one
    /// (`0`: there is none yet). One statement, so two racing uploads of the
    /// same revision cannot both win.
    pub async fn put_vault(
        &self,
        user_id: i64,
        if_match: u64,
        data: &[u8],
        now: i64,
    ) -> Result<PutOutcome, DbError> {
        let mut conn = self.pool.acquire().await?;
        swap_vault(&mut conn, user_id, if_match, data, now).await
    }

    /// Replaces the auth key and the vault together, or neither; signs out
    /// every other session of the account.
    pub async fn change_auth_key(
        &self,
        change: &KeyChange<'_>,
        now: i64,
    ) -> Result<PutOutcome, DbError> {
        let mut tx = self.pool.begin().await?;
        let outcome =
            swap_vault(&mut tx, change.user_id, change.if_match, change.vault, now).await?;
        if outcome == PutOutcome::Stale {
            tx.rollback().await?;
            return Ok(outcome);
        }

        // The old hash in the WHERE clause makes a concurrent key change lose.
        let changed = sqlx::query(
            "UPDATE users SET auth_salt = $1, auth_hash = $2 WHERE id = $3 AND auth_hash = $4",
        )
        .bind(change.new_salt)
        .bind(change.new_hash)
        .bind(change.user_id)
        .bind(change.old_hash)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(PutOutcome::Stale);
        }

        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(change.user_id)
            .bind(change.keep_session)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// Removes the account, its sessions and its vault.
    pub async fn delete_user(&self, user_id: i64) -> Result<(), DbError> {
        let mut tx = self.pool.begin().await?;
        for statement in [
            "DELETE FROM sessions WHERE user_id = $1",
            "DELETE FROM vaults WHERE user_id = $1",
            "DELETE FROM users WHERE id = $1",
        ] {
            sqlx::query(statement)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// The compare-and-swap itself, on a connection or inside a transaction.
async fn swap_vault(
    conn: &mut sqlx::AnyConnection,
    user_id: i64,
    if_match: u64,
    data: &[u8],
    now: i64,
) -> Result<PutOutcome, DbError> {
    let row = if if_match == crate::sync::wire::NO_REVISION {
        sqlx::query(
            "INSERT INTO vaults (user_id, revision, data, updated_at) VALUES ($1, 1, $2, $3) \
             ON CONFLICT (user_id) DO NOTHING RETURNING revision",
        )
        .bind(user_id)
        .bind(data)
        .bind(now)
        .fetch_optional(&mut *conn)
        .await?
    } else {
        let expected = i64::try_from(if_match).map_err(|_| DbError::OutOfRange)?;
        sqlx::query(
            "UPDATE vaults SET revision = revision + 1, data = $1, updated_at = $2 \
             WHERE user_id = $3 AND revision = $4 RETURNING revision",
        )
        .bind(data)
        .bind(now)
        .bind(user_id)
        .bind(expected)
        .fetch_optional(&mut *conn)
        .await?
    };
    match row {
        Some(row) => Ok(PutOutcome::Stored(to_revision(row.try_get("revision")?)?)),
        None => Ok(PutOutcome::Stale),
    }
}

fn user_from_row(row: &sqlx::any::AnyRow) -> Result<User, sqlx::Error> {
    Ok(User {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        auth_salt: row.try_get("auth_salt")?,
        auth_hash: row.try_get("auth_hash")?,
    })
}

fn to_revision(value: i64) -> Result<u64, DbError> {
    u64::try_from(value).map_err(|_| DbError::OutOfRange)
}

/// Creates the data directory (0700) and the database file (0600) so that
/// SQLite never makes them with looser permissions; returns the file path.
fn prepare_data_dir(dir: &Path) -> Result<PathBuf, DbError> {
    let wrap = |source| DbError::DataDir {
        path: dir.to_owned(),
        source,
    };
    fs::create_dir_all(dir).map_err(wrap)?;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(wrap)?;

    let file = dir.join(SQLITE_FILE);
    OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(&file)
        .map_err(wrap)?;
    fs::set_permissions(&file, fs::Permissions::from_mode(0o600)).map_err(wrap)?;
    Ok(file)
}

fn sqlite_url(file: &Path) -> String {
    format!("sqlite://{}?mode=rwc", file.display())
}
