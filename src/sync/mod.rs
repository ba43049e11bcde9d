//! Sync with a qvault-server: the wire types both sides share ([`wire`]),
//! the auth key ([`auth`]), the blocking HTTP client ([`client`]) and the
//! engine that downloads, merges, saves and uploads ([`engine`]).
//! The server stores one encrypted vault file per account with a revision;
//! it never sees the master password, the vault key or any plaintext.
//! The blob is the vault file itself, byte for byte, so a new device that
//! downloads it unlocks it with the master password like any vault file.

pub mod auth;
pub mod client;
pub mod engine;
pub mod wire;

pub use auth::AuthKey;
pub use client::{Client, ClientError};
pub use engine::{SyncError, SyncOutcome, sync_vault};
