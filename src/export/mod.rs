//! Taking everything out: a KDBX 4 file that `KeePassXC` opens, and a CSV in
//! Bitwarden's layout (unencrypted). Both are written 0600 through a temp
//! file and a rename ([`crate::store::write_private_file`]).

pub mod csv;
pub mod kdbx;

/// Why an export failed. No variant carries a secret value.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("failed to write {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("failed to build the export: {0}")]
    Build(String),
}
