//! The vault as a CSV in Bitwarden's layout.

use std::path::Path;

use super::ExportError;
use crate::vault::Vault;

/// Writes the vault as a Bitwarden CSV; returns the number of secrets.
pub fn write(_vault: &Vault, _path: &Path) -> Result<usize, ExportError> {
    Err(ExportError::Build("CSV export is not ready yet".into()))
}
