//! One sync of a vault file with the server: download, decrypt, merge, save
//! locally through the safe save, upload over the revision we merged with,
//! and start again (a few times) when another device uploaded meanwhile.
//!
//! The local file is only ever replaced by a vault that decrypted and merged
//! in memory, so a damaged or foreign download, a wrong password or a server
//! that vanishes mid-sync leaves it as it was. The last synced revision is
//! kept in `NAME.sync.json` beside the vault (0600; server, email, revision:
//! nothing secret).

use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::client::{Client, ClientError};
use super::wire::NO_REVISION;
use crate::crypto::Password;
use crate::store::{self, FormatError, Opened, StoreError, VaultKeys, format};
use crate::vault::Vault;
use crate::vault::merge::{MergeReport, merge};

/// How many times a sync starts over after another device's upload.
pub const MAX_ATTEMPTS: usize = 5;

/// Why a sync failed. Nothing here holds a secret.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "the server's copy of the vault does not open with this password; the local vault \
         was not changed"
    )]
    RemoteWrongPassword,
    #[error("the server's copy of the vault is damaged ({0}); the local vault was not changed")]
    RemoteDamaged(FormatError),
    #[error("the account has no vault on the server yet; sync from a device that has one")]
    NothingToDownload,
    #[error("other devices kept uploading; try again in a moment")]
    KeptChanging,
    #[error("failed to derive the sync key: {0}")]
    AuthKey(#[from] crate::crypto::CryptoError),
    #[error("failed to encrypt the vault for upload: {0}")]
    Seal(#[from] store::SealError),
    #[error("failed to write {path}: {source}")]
    State { path: PathBuf, source: io::Error },
}

impl SyncError {
    /// The command line's exit code: 2 wrong password (here or on the
    /// server), 3 damaged file, 1 anything else.
    pub fn exit_code(&self) -> i32 {
        match self {
            Self::Client(ClientError::Unauthorized) | Self::RemoteWrongPassword => 2,
            Self::RemoteDamaged(_) => 3,
            Self::Store(err) => err.exit_code(),
            _ => 1,
        }
    }
}

/// What a sync did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncOutcome {
    /// The merge's counts (all zero for a first upload or a download).
    pub report: MergeReport,
    /// Secrets the server received that it lacked (first upload: all).
    pub sent: usize,
    /// The server's revision now.
    pub revision: u64,
    pub uploaded: bool,
    pub saved_locally: bool,
}

/// What is remembered beside the vault about its last sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncState {
    pub server: String,
    pub email: String,
    pub revision: u64,
}

/// `NAME.sync.json` beside the vault.
pub fn state_path(vault_path: &Path) -> PathBuf {
    let mut name = vault_path.file_name().unwrap_or_default().to_os_string();
    name.push(".sync.json");
    vault_path.with_file_name(name)
}

/// The remembered state of the last sync, if any (an unreadable file counts
/// as none: it only informs).
pub fn read_state(vault_path: &Path) -> Option<SyncState> {
    let bytes = std::fs::read(state_path(vault_path)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Writes the remembered state (0600); no secret is in it.
pub fn write_state(vault_path: &Path, state: &SyncState) -> Result<(), SyncError> {
    let path = state_path(vault_path);
    let json = serde_json::to_vec_pretty(state).map_err(|e| SyncError::State {
        path: path.clone(),
        source: io::Error::other(e),
    })?;
    store::write_private_file(&path, &json).map_err(|source| SyncError::State { path, source })
}

/// Syncs an unlocked vault (its file at `path`) with the logged-in
/// `client`. `opened` follows what was saved (vault, keys, fingerprint).
/// The caller holds the vault's writer lock.
pub fn sync_vault(
    path: &Path,
    opened: &mut Opened,
    password: &Password,
    client: &Client,
    email: &str,
) -> Result<SyncOutcome, SyncError> {
    for _ in 0..MAX_ATTEMPTS {
        let attempt = match client.get_vault()? {
            None => upload_first(opened, client),
            Some((bytes, revision)) => {
                merge_and_upload(path, opened, password, client, &bytes, revision)
            }
        };
        match attempt {
            Err(SyncError::Client(ClientError::Stale)) => {
                log::info!("the server's vault changed during sync; starting again");
            }
            Ok(outcome) => {
                remember(path, client, email, outcome.revision)?;
                return Ok(outcome);
            }
            Err(err) => return Err(err),
        }
    }
    Err(SyncError::KeptChanging)
}

fn remember(path: &Path, client: &Client, email: &str, revision: u64) -> Result<(), SyncError> {
    let state = SyncState {
        server: client.base_url().to_owned(),
        email: super::auth::normalize_email(email),
        revision,
    };
    write_state(path, &state)
}

fn upload_first(opened: &Opened, client: &Client) -> Result<SyncOutcome, SyncError> {
    let bytes = opened.keys.seal(&opened.vault)?;
    let revision = client.put_vault(&bytes, NO_REVISION)?;
    Ok(SyncOutcome {
        report: MergeReport::default(),
        sent: opened.vault.secret_count(),
        revision,
        uploaded: true,
        saved_locally: false,
    })
}

fn merge_and_upload(
    path: &Path,
    opened: &mut Opened,
    password: &Password,
    client: &Client,
    bytes: &[u8],
    revision: u64,
) -> Result<SyncOutcome, SyncError> {
    let (remote, remote_keys) = open_remote(bytes, &opened.keys, password)?;
    let (mut merged, report) = merge(&opened.vault, &remote);
    // The server's copy sets the keys when its header differs (a password
    // changed elsewhere, or two vaults made apart): every device converges
    // on one file, and the recovery code must be the one of its slot.
    // When both copies are one vault with rewrapped slots, the newer
    // rewrap wins (a QR key or KDF cost set here is then uploaded, not
    // undone).
    let keys = match remote_keys {
        Some(keys) if remote.keys_updated_ms >= opened.vault.keys_updated_ms => {
            merged.recovery_code = remote.recovery_code.clone();
            keys
        }
        Some(_) => {
            merged.recovery_code = opened.vault.recovery_code.clone();
            opened.keys.clone()
        }
        None => opened.keys.clone(),
    };
    let header_changed = keys.header() != opened.keys.header();
    let saved_locally = header_changed || differs(&merged, &opened.vault);
    let remote_changes = differs(&merged, &remote) || remote_keys_differ(&keys, bytes);

    // Upload first, then save here: a failed upload (network, 412, 413)
    // leaves the local file exactly as the window or CLI last saved it, so
    // its fingerprint stays true; a failed local save after a good upload
    // only means the next sync brings the merge back.
    let mut outcome = SyncOutcome {
        report,
        sent: report.kept_local,
        revision,
        uploaded: false,
        saved_locally,
    };
    if remote_changes {
        let upload = keys.seal(&merged)?;
        outcome.revision = client.put_vault(&upload, revision)?;
        outcome.uploaded = true;
    }
    if saved_locally {
        opened.fingerprint = store::save(path, &keys, &merged, Some(opened.fingerprint))?;
        opened.vault = merged;
        opened.keys = keys;
    }
    Ok(outcome)
}

/// Decrypts the server's file: with our vault key when its header is ours,
/// else with the password (then its keys come back too). Nothing is
/// written here, so a failure leaves the local vault untouched.
pub fn open_remote(
    bytes: &[u8],
    keys: &VaultKeys,
    password: &Password,
) -> Result<(Vault, Option<VaultKeys>), SyncError> {
    let sealed = format::parse(bytes).map_err(remote_error)?;
    if sealed.header == *keys.header() {
        let vault = keys.open(bytes).map_err(remote_error)?;
        return Ok((vault, None));
    }
    // The same vault key under other slots: a rewrap on either side.
    if let Ok((vault, remote_keys)) = keys.open_rewrapped(&sealed) {
        return Ok((vault, Some(remote_keys)));
    }
    // A vault that requires a QR key opens with ours (a QR key rotated on
    // another device reads as a wrong password here).
    let (vault, keys) = sealed
        .unlock_with_password(password, keys.qr_key())
        .map_err(remote_error)?;
    Ok((vault, Some(keys)))
}

/// Opens a downloaded file with the password alone (a new device).
pub fn open_download(bytes: &[u8], password: &Password) -> Result<(Vault, VaultKeys), SyncError> {
    let sealed = format::parse(bytes).map_err(remote_error)?;
    // TODO: a vault that requires a QR key cannot be downloaded yet (the
    // download asks for no QR key); it fails with QrKeyRequired.
    sealed
        .unlock_with_password(password, None)
        .map_err(remote_error)
}

fn remote_error(err: FormatError) -> SyncError {
    match err {
        FormatError::WrongPassword | FormatError::WrongPasswordOrQrKey => {
            SyncError::RemoteWrongPassword
        }
        other => SyncError::RemoteDamaged(other),
    }
}

/// Whether the merged vault `merged` holds anything `side` lacks. The side
/// is put in the merge's order first, so that order alone is no change.
fn differs(merged: &Vault, side: &Vault) -> bool {
    let (side, _) = merge(side, side);
    let json = |v: &Vault| Zeroizing::new(serde_json::to_vec(v).unwrap_or_default());
    json(merged) != json(&side)
}

/// Whether the server's file has another header than the keys we save with.
fn remote_keys_differ(keys: &VaultKeys, bytes: &[u8]) -> bool {
    format::parse(bytes).map_or(true, |sealed| sealed.header != *keys.header())
}

/// The account's vault as downloaded and opened, not yet written anywhere.
#[derive(Debug)]
pub struct Download {
    bytes: Vec<u8>,
    pub vault: Vault,
    keys: VaultKeys,
    pub revision: u64,
}

/// Downloads the account's vault and opens it with `password`; writes
/// nothing, so a wrong password or a damaged copy leaves no file behind.
pub fn download(client: &Client, password: &Password) -> Result<Download, SyncError> {
    let (bytes, revision) = client.get_vault()?.ok_or(SyncError::NothingToDownload)?;
    let (vault, keys) = open_download(&bytes, password)?;
    Ok(Download {
        bytes,
        vault,
        keys,
        revision,
    })
}

impl Download {
    /// Writes the downloaded file, byte for byte, to a new file at `path`
    /// (never over an existing one) and remembers the revision.
    pub fn save(self, path: &Path, client: &Client, email: &str) -> Result<Opened, SyncError> {
        let fingerprint = store::save_sealed(path, &self.keys, &self.bytes, None, None)?;
        remember(path, client, email, self.revision)?;
        Ok(Opened {
            vault: self.vault,
            keys: self.keys,
            fingerprint,
        })
    }
}
