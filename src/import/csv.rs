//! CSV exports of other password managers, recognised by their header line.

use super::{ImportError, Imported};

/// Reads a CSV export whose header names a known password manager.
pub fn read(_bytes: &[u8]) -> Result<Imported, ImportError> {
    Err(ImportError::Unrecognised(
        "CSV files are not supported yet".into(),
    ))
}

/// Whether `bytes` look like a CSV file.
pub fn looks_like_csv(_bytes: &[u8]) -> bool {
    false
}

/// Which column holds what, for a CSV file with an unknown header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMapping {
    pub title: Option<usize>,
    pub username: Option<usize>,
    pub password: Option<usize>,
    pub url: Option<usize>,
    pub notes: Option<usize>,
    pub totp: Option<usize>,
    pub folder: Option<usize>,
}

/// The header line's column names.
pub fn headers(_bytes: &[u8]) -> Result<Vec<String>, ImportError> {
    Ok(Vec::new())
}

/// Reads a CSV file with the given column mapping.
pub fn read_mapped(_bytes: &[u8], _mapping: &ColumnMapping) -> Result<Imported, ImportError> {
    Err(ImportError::Unrecognised(
        "CSV files are not supported yet".into(),
    ))
}
