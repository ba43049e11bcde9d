//! Why a command failed, with the next step where there is one. No variant
//! carries a password, recovery code or field value.

use std::io;

use crate::crypto::CryptoError;
use crate::crypto::recovery::RecoveryCodeError;
use crate::store::{FormatError, StoreError};
use crate::vault::VaultError;
use crate::wallet::bip21::Bip21Error;
use crate::wallet::watch_only::WatchOnlyError;
use crate::wallet::{MnemonicProblem, WalletError};

/// A failed command. [`CliError::exit_code`] gives the process exit code.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}{hint}", hint = store_hint(.0))]
    Store(#[from] StoreError),
    #[error("{0}; check it and try again")]
    BadRecoveryCode(#[from] RecoveryCodeError),
    #[error("{0}; give the image or text file of this vault's QR key with --qr-key FILE")]
    BadQrKey(#[from] crate::crypto::qr_key::QrKeyError),
    #[error("failed to read the password from the terminal: {0}; pipe it in with --password-stdin")]
    Terminal(io::Error),
    #[error("failed to read the password from standard input: {0}")]
    ReadPassword(io::Error),
    #[error("standard input ended before all passwords were read (one per line)")]
    MissingPassword,
    #[error("an empty password is not allowed")]
    EmptyPassword,
    #[error("the two new passwords differ; nothing was changed")]
    PasswordsDiffer,
    #[error("the vault holds no valid recovery code; change the password in the app instead")]
    NoStoredRecoveryCode,
    #[error("there is no box named \"{0}\"; `qvault ls` lists the boxes")]
    NoSuchBox(String),
    #[error("no secret is named \"{0}\"; `qvault ls` lists the secrets")]
    NoSuchSecret(String),
    #[error("unknown box type \"{0}\"; use one of: {known}", known = known_types())]
    UnknownType(String),
    #[error("the box \"{name}\" holds {actual} secrets, not {requested}; leave out --type")]
    TypeMismatch {
        name: String,
        actual: &'static str,
        requested: &'static str,
    },
    #[error("{0}")]
    BadField(String),
    #[error("nothing to add: give at least one --field KEY=VALUE")]
    NoFields,
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error("{0}")]
    Import(#[from] crate::import::ImportError),
    #[error("{0}")]
    Export(#[from] crate::export::ExportError),
    #[error("{0} exists already; give --force to replace it")]
    ExportTargetExists(String),
    #[error("failed to change the password: {0}")]
    Crypto(#[from] CryptoError),
    #[error("failed to write the output: {0}")]
    Output(io::Error),
    #[error("the seed phrase is not valid: {0}")]
    SeedPhrase(#[from] MnemonicProblem),
    #[error("\"{0}\" has no TOTP field; add one with --field totp=SECRET or in the window")]
    NoTotp(String),
    #[error("{0}")]
    Totp(#[from] crate::crypto::totp::TotpError),
    #[error("failed to read the {0} from standard input: it ended first (one per line)")]
    MissingLine(&'static str),
    #[error("failed to read a secret: {0}")]
    ReadSecret(io::Error),
    #[error(transparent)]
    Wallet(#[from] WalletError),
    #[error("{0}")]
    WatchOnly(#[from] WatchOnlyError),
    #[error("{0}{hint}", hint = sync_hint(.0))]
    Sync(#[from] crate::sync::SyncError),
    #[error("there is no vault at {0} to register; create one with `qvault create` first")]
    NoVaultToRegister(String),
    #[error("failed to build the payment URI: {0}")]
    PaymentUri(#[from] Bip21Error),
    #[error("{0}")]
    Update(#[from] crate::update::UpdateError),
}

impl CliError {
    /// 2 for a wrong password or recovery code, 3 for a damaged, unreadable
    /// or missing file, 1 for everything else.
    pub fn exit_code(&self) -> i32 {
        match self {
            Self::Store(err) => err.exit_code(),
            Self::BadRecoveryCode(_) => 2,
            Self::Import(err) => err.exit_code(),
            Self::Sync(err) => err.exit_code(),
            _ => 1,
        }
    }
}

fn store_hint(err: &StoreError) -> &'static str {
    match err {
        StoreError::Format {
            source: FormatError::WrongPassword,
            ..
        } => "; try again, or set a new one with `qvault passwd --recovery`",
        StoreError::Format {
            source: FormatError::QrKeyRequired,
            ..
        } => "; give its image or text file with --qr-key FILE",
        StoreError::NotFound(_) => "; create one with `qvault create` or pass --vault PATH",
        StoreError::InUse => "; close it and try again",
        _ => "",
    }
}

fn sync_hint(err: &crate::sync::SyncError) -> &'static str {
    use crate::sync::{ClientError, SyncError};
    match err {
        SyncError::Client(ClientError::Unauthorized) => {
            "; check both, or give --register to create a new account"
        }
        _ => "",
    }
}

fn known_types() -> String {
    let keys: Vec<&str> = crate::vault::BoxKind::ALL.iter().map(|k| k.key()).collect();
    keys.join(", ")
}
