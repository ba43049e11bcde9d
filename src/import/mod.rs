//! Bringing secrets in from elsewhere: KeePass KDBX files, CSV exports of
//! other password managers and the original Qvault's `.qvault` files.
//!
//! Each reader turns its file into an [`Imported`]: boxes of
//! [`SecretContent`] in our templates, nothing written yet. [`preview`]
//! counts it against the current vault (duplicates by site and username),
//! and [`apply`] adds it, never touching an existing secret and returning
//! an [`ImportReceipt`] with which [`undo`] takes the whole import back out.
//! Readers touch only the file they are given; the caller saves the vault.

pub mod csv;
pub mod kdbx;
pub mod legacy;

use crate::vault::templates::BoxKind;
use crate::vault::{Attachment, SecretContent};

/// What a source file holds, in our model, before anything is written.
#[derive(Debug, Default, Clone)]
pub struct Imported {
    /// Where it came from, for the preview and the CLI ("KeePass KDBX 4").
    pub source: String,
    pub boxes: Vec<ImportedBox>,
    /// Things the user should know that are not errors (a skipped
    /// attachment, an entry the source marks as a pseudo-login). Never a
    /// secret value.
    pub notes: Vec<String>,
}

/// One box to create (or to add to, when the vault has a box of the same
/// name and type).
#[derive(Debug, Clone)]
pub struct ImportedBox {
    pub name: String,
    pub kind: BoxKind,
    pub secrets: Vec<ImportedSecret>,
}

/// One secret to add, with the source's times where it has them.
#[derive(Debug, Clone, Default)]
pub struct ImportedSecret {
    pub content: SecretContent,
    pub created_ms: Option<i64>,
    pub updated_ms: Option<i64>,
    pub favourite: bool,
    /// Files the source kept with the entry (at most
    /// [`crate::vault::MAX_ATTACHMENT_BYTES`] each).
    pub attachments: Vec<Attachment>,
}

/// Why a source could not be read. No variant carries a secret value.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("failed to read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    /// The password, key file, recovery code or QR key does not open it.
    #[error("{0}")]
    WrongKey(String),
    /// The file is not a readable file of its kind (truncated, damaged).
    #[error("{0}")]
    Damaged(String),
    /// A CSV problem, with the (1-based) line where it is.
    #[error("line {line}: {reason}")]
    Csv { line: u64, reason: String },
    /// A format we do not recognise; the message says what we saw.
    #[error("{0}")]
    Unrecognised(String),
}

impl ImportError {
    /// The CLI exit code: 2 wrong password or key, 3 damaged file, 1 else.
    pub fn exit_code(&self) -> i32 {
        match self {
            Self::WrongKey(_) => 2,
            Self::Damaged(_) => 3,
            _ => 1,
        }
    }
}
