//! KeePass KDBX 3.1 and 4 databases, read with the `keepass` crate.

use std::path::Path;

use super::{ImportError, Imported};

/// Reads a KDBX file with a password and/or a key file.
pub fn read(
    _path: &Path,
    _password: Option<&str>,
    _key_file: Option<&Path>,
) -> Result<Imported, ImportError> {
    Err(ImportError::Unrecognised(
        "KDBX files are not supported yet".into(),
    ))
}

/// Whether `bytes` start with the KeePass signature.
pub fn looks_like_kdbx(_bytes: &[u8]) -> bool {
    false
}
