//! The original Qvault's `.qvault` files (Electron app, 0.2.x to 0.3.x), as
//! `../shared/testdata/qvault-legacy/README.md` describes them.

use super::{ImportError, Imported};

/// Reads a legacy vault with its password or its old recovery "char key"
/// (`secret`), and the QR key text when the file needs one.
pub fn read(_bytes: &[u8], _secret: &str, _qr_key: Option<&str>) -> Result<Imported, ImportError> {
    Err(ImportError::Unrecognised("legacy Qvault files are not supported yet".into()))
}
