//! CSV exports of other password managers, recognised by their header line.

use super::{ImportError, Imported};

/// Reads a CSV export whose header names a known password manager.
pub fn read(_bytes: &[u8]) -> Result<Imported, ImportError> {
    Err(ImportError::Unrecognised("CSV files are not supported yet".into()))
}
