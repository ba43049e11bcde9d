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
    #[error(
        "{0} belongs to the vault (the vault file, its backup, lock or sync state); choose another file"
    )]
    VaultFile(String),
}

/// Refuses an export target that is the open vault or one of the files
/// kept beside it, however the path is spelt.
pub fn check_target(target: &std::path::Path, vault: &std::path::Path) -> Result<(), ExportError> {
    let canonical = |p: &std::path::Path| {
        let dir = p.parent().filter(|d| !d.as_os_str().is_empty());
        let dir = dir.map_or_else(
            || std::path::PathBuf::from("."),
            std::path::Path::to_path_buf,
        );
        let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
        dir.join(p.file_name().unwrap_or_default())
    };
    let target = canonical(target);
    let vault = canonical(vault);
    let mut guarded = vec![vault.clone()];
    for suffix in [".bak", ".lock", ".sync.json"] {
        let mut name = vault.file_name().unwrap_or_default().to_os_string();
        name.push(suffix);
        guarded.push(vault.with_file_name(name));
    }
    if guarded.contains(&target) {
        return Err(ExportError::VaultFile(target.display().to_string()));
    }
    Ok(())
}
