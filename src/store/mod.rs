//! Vault files on disk: reading, creating, unlocking and the safe save
//! (temp file, fsync, read back, backup, rename, fsync folder), the guard
//! against overwriting a file that changed on disk, and the writer lock.

pub mod format;

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::crypto::recovery::RecoveryCode;
use crate::crypto::{KdfParams, Password};
use crate::vault::{SecretText, Vault};
pub use format::{FormatError, SealError, VaultKeys};

/// Identifies one version of a vault file, as we last read or wrote it: its
/// length and its header checksum, which commits to the whole file through
/// the ciphertext digest (every save has a fresh nonce, so a fresh checksum).
/// A file too short to have a header is identified by its SHA-256.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint {
    len: u64,
    digest: [u8; 32],
}

impl Fingerprint {
    pub fn of(bytes: &[u8]) -> Self {
        let digest = match bytes.get(format::HEADER_LEN - 32..format::HEADER_LEN) {
            Some(header_checksum) => header_checksum.try_into().unwrap_or_default(),
            None => Sha256::digest(bytes).into(),
        };
        Self {
            len: bytes.len() as u64,
            digest,
        }
    }

    /// The fingerprint of the file at `path` (`None` when there is none),
    /// reading only its header.
    fn of_file(path: &Path) -> io::Result<Option<Self>> {
        use std::io::Read;
        let file = match File::open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let len = file.metadata()?.len();
        let mut head = Vec::with_capacity(format::HEADER_LEN);
        file.take(format::HEADER_LEN as u64)
            .read_to_end(&mut head)?;
        let mut fingerprint = Self::of(&head);
        if head.len() < format::HEADER_LEN || len != fingerprint.len {
            fingerprint = Self { len, ..fingerprint };
        }
        Ok(Some(fingerprint))
    }
}

/// Errors of the store. Paths are shown; secrets never are.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("there is no vault at {0}")]
    NotFound(PathBuf),
    #[error("a file already exists at {0}; choose another place or open it instead")]
    AlreadyExists(PathBuf),
    #[error("failed to read {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error("failed to save the vault to {path}: {source}; the previous file is unchanged")]
    Write { path: PathBuf, source: io::Error },
    #[error("the saved copy did not read back correctly; the previous file is unchanged")]
    Verify,
    #[error(
        "the vault file changed on disk since it was opened (another program or device wrote \
         it); it was not overwritten"
    )]
    ChangedOnDisk,
    #[error("the vault is open for writing in another Qvault process")]
    InUse,
    #[error("{source}{}", backup_hint(.backup.as_deref()))]
    Format {
        source: FormatError,
        backup: Option<PathBuf>,
    },
    #[error(transparent)]
    Seal(#[from] SealError),
    #[error(transparent)]
    Crypto(#[from] crate::crypto::CryptoError),
}

fn backup_hint(backup: Option<&Path>) -> String {
    match backup {
        Some(path) => format!(
            ". A backup of the previous version is at {}",
            path.display()
        ),
        None => String::new(),
    }
}

impl StoreError {
    /// The command line's exit code: 2 wrong password or code, 3 damaged or
    /// unreadable file, 1 anything else.
    pub fn exit_code(&self) -> i32 {
        match self {
            Self::Format {
                source:
                    FormatError::WrongPassword
                    | FormatError::WrongRecoveryCode
                    | FormatError::WrongPasswordOrQrKey
                    | FormatError::QrKeyRequired,
                ..
            } => 2,
            Self::Format { .. } | Self::Read { .. } | Self::NotFound(_) => 3,
            _ => 1,
        }
    }

    /// True when the file itself is damaged (not a wrong password).
    pub fn is_damaged(&self) -> bool {
        matches!(
            self,
            Self::Format {
                source: FormatError::Damaged(_)
                    | FormatError::BadKdfParams(_)
                    | FormatError::NotAVault,
                ..
            }
        )
    }
}

/// The path of the backup kept beside a vault: `NAME.bak`.
pub fn backup_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".bak");
    path.with_file_name(name)
}

fn format_error(path: &Path, source: FormatError) -> StoreError {
    let backup = backup_path(path);
    let damaged = !matches!(
        source,
        FormatError::WrongPassword
            | FormatError::WrongRecoveryCode
            | FormatError::WrongPasswordOrQrKey
            | FormatError::QrKeyRequired
    );
    StoreError::Format {
        source,
        backup: (damaged && backup.exists()).then_some(backup),
    }
}

/// An unlocked vault with what is needed to save it back.
#[derive(Debug)]
pub struct Opened {
    pub vault: Vault,
    pub keys: VaultKeys,
    pub fingerprint: Fingerprint,
}

/// Reads a whole vault file.
pub fn read_file(path: &Path) -> Result<Vec<u8>, StoreError> {
    fs::read(path).map_err(|source| {
        if source.kind() == io::ErrorKind::NotFound {
            StoreError::NotFound(path.to_owned())
        } else {
            StoreError::Read {
                path: path.to_owned(),
                source,
            }
        }
    })
}

/// How to unlock a vault.
#[derive(Debug)]
pub enum Credential {
    Password(Password),
    /// For a vault that requires its QR key (FORMAT.md).
    PasswordAndQrKey(Password, crate::crypto::qr_key::QrKey),
    RecoveryCode(RecoveryCode),
}

/// Reads and unlocks a vault. A wrong password changes nothing on disk.
pub fn unlock(path: &Path, credential: &Credential) -> Result<Opened, StoreError> {
    let bytes = read_file(path)?;
    let sealed = format::parse(&bytes).map_err(|e| format_error(path, e))?;
    let result = match credential {
        Credential::Password(password) => sealed.unlock_with_password(password, None),
        Credential::PasswordAndQrKey(password, qr_key) => {
            sealed.unlock_with_password(password, Some(qr_key))
        }
        Credential::RecoveryCode(code) => sealed.unlock_with_recovery(code),
    };
    let (vault, keys) = result.map_err(|e| format_error(path, e))?;
    Ok(Opened {
        vault,
        keys,
        fingerprint: Fingerprint::of(&bytes),
    })
}

/// Creates a new, empty vault file (0600) and returns it unlocked with its
/// recovery code. Refuses to replace an existing file.
pub fn create(
    path: &Path,
    password: &Password,
    kdf: KdfParams,
) -> Result<(Opened, RecoveryCode), StoreError> {
    if path.exists() {
        return Err(StoreError::AlreadyExists(path.to_owned()));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(|source| StoreError::Write {
            path: path.to_owned(),
            source,
        })?;
    }
    let (keys, code) = VaultKeys::create(password, kdf)?;
    let mut vault = Vault::new();
    vault.recovery_code = SecretText::from(code.to_display_string().as_str());
    let fingerprint = save(path, &keys, &vault, None)?;
    Ok((
        Opened {
            vault,
            keys,
            fingerprint,
        },
        code,
    ))
}

/// Encrypts and safely writes the vault. `expected` is the fingerprint of
/// the file as we last saw it (`None`: there must be no file yet).
pub fn save(
    path: &Path,
    keys: &VaultKeys,
    vault: &Vault,
    expected: Option<Fingerprint>,
) -> Result<Fingerprint, StoreError> {
    let bytes = keys.seal(vault)?;
    save_sealed(path, keys, &bytes, expected, None)
}

/// Held by a save from its fingerprint check to its rename.
static SAVING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Writes already sealed bytes. `fail_after` makes the temp-file writer fail
/// after that many bytes: tests use it to stand for a full disk.
#[doc(hidden)]
pub fn save_sealed(
    path: &Path,
    keys: &VaultKeys,
    bytes: &[u8],
    expected: Option<Fingerprint>,
    fail_after: Option<usize>,
) -> Result<Fingerprint, StoreError> {
    // A vault reached through a symlink is saved where the link points, so
    // the link survives the rename.
    let resolved = match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            fs::canonicalize(path).map_err(|source| StoreError::Read {
                path: path.to_owned(),
                source,
            })?
        }
        _ => path.to_owned(),
    };
    let path = resolved.as_path();
    // One save at a time in this process, from the fingerprint check to the
    // rename: the window's worker and the sync thread may both save one
    // vault, and neither may replace a file the other just wrote. (Other
    // processes are kept out by the writer lock.)
    let _one_at_a_time = SAVING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let current = Fingerprint::of_file(path).map_err(|source| StoreError::Read {
        path: path.to_owned(),
        source,
    })?;
    match (current, expected) {
        (Some(_), None) => return Err(StoreError::AlreadyExists(path.to_owned())),
        (None, Some(_)) => return Err(StoreError::ChangedOnDisk),
        (Some(current), Some(expected)) if current != expected => {
            return Err(StoreError::ChangedOnDisk);
        }
        _ => {}
    }

    let write_err = |source| StoreError::Write {
        path: path.to_owned(),
        source,
    };
    let temp = write_temp(path, bytes, fail_after).map_err(write_err)?;
    let result = (|| {
        let read_back = fs::read(&temp).map_err(write_err)?;
        if read_back != bytes || keys.verify(&read_back).is_err() {
            return Err(StoreError::Verify);
        }
        if current.is_some() {
            keep_backup(path).map_err(write_err)?;
        }
        fs::rename(&temp, path).map_err(write_err)?;
        if let Err(e) = sync_dir(path) {
            // The new file is in place; only its durability across a crash
            // is uncertain, so this is not a failed save.
            log::warn!("failed to fsync the folder of {}: {e}", path.display());
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result.map(|()| Fingerprint::of(bytes))
}

/// Makes the current file the backup: a hard link when the file system has
/// them (no copy), else a copy written like any other file (temp + rename).
fn keep_backup(path: &Path) -> io::Result<()> {
    let backup = backup_path(path);
    let link = temp_path(&backup)?;
    let staged = match fs::hard_link(path, &link) {
        Ok(()) => link,
        Err(_) => write_temp(&backup, &fs::read(path)?, None)?,
    };
    fs::rename(&staged, &backup).inspect_err(|_| {
        let _ = fs::remove_file(&staged);
    })
}

fn temp_path(path: &Path) -> io::Result<PathBuf> {
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::other("the path has no file name"))?;
    let suffix: [u8; 6] = crate::crypto::random_array().map_err(io::Error::other)?;
    let mut temp = std::ffi::OsString::from(".");
    temp.push(name);
    temp.push(format!(".tmp-{}", data_encoding::HEXLOWER.encode(&suffix)));
    Ok(path.with_file_name(temp))
}

/// Writes `bytes` to a new 0600 temp file beside `path` and fsyncs it.
fn write_temp(path: &Path, bytes: &[u8], fail_after: Option<usize>) -> io::Result<PathBuf> {
    let temp = temp_path(path)?;
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&temp)?;
    let written = (|| {
        let limit = fail_after.unwrap_or(usize::MAX).min(bytes.len());
        file.write_all(&bytes[..limit])?;
        if limit < bytes.len() {
            return Err(io::Error::new(
                io::ErrorKind::StorageFull,
                "no space left on device",
            ));
        }
        file.sync_all()
    })();
    match written {
        Ok(()) => Ok(temp),
        Err(e) => {
            drop(file);
            let _ = fs::remove_file(&temp);
            Err(e)
        }
    }
}

/// Writes a new private (0600) file through a temp file and a rename, so a
/// failure never leaves a truncated file and an existing file's looser mode
/// is not kept.
pub fn write_private_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let temp = write_temp(path, bytes, None)?;
    fs::rename(&temp, path).inspect_err(|_| {
        let _ = fs::remove_file(&temp);
    })
}

/// Removes the temp files a killed save left beside the vault (the vault's
/// and its backup's, named by [`temp_path`]). Only the writer calls this,
/// when it takes the lock, so no save of ours is under way. They hold only
/// ciphertext; this keeps crashes from leaving litter.
fn remove_stale_temps(vault_path: &Path) {
    let Some(name) = vault_path.file_name() else {
        return;
    };
    let dir = vault_path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = name.to_string_lossy();
    let prefixes = [format!(".{name}.tmp-"), format!(".{name}.bak.tmp-")];
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        if prefixes.iter().any(|p| file_name.starts_with(p.as_str())) {
            match fs::remove_file(entry.path()) {
                Ok(()) => log::info!("removed {file_name}, left by an interrupted save"),
                Err(e) => log::warn!("could not remove {file_name}: {e}"),
            }
        }
    }
}

fn sync_dir(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        File::open(dir)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// An exclusive lock on `NAME.lock` beside the vault, held while a process may
/// write the vault. Released when dropped (or when the process dies).
#[derive(Debug)]
pub struct WriterLock {
    _file: File,
}

impl WriterLock {
    pub fn acquire(vault_path: &Path) -> Result<Self, StoreError> {
        let mut name = vault_path.file_name().unwrap_or_default().to_os_string();
        name.push(".lock");
        let lock_path = vault_path.with_file_name(name);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|source| StoreError::Write {
                path: lock_path.clone(),
                source,
            })?;
        match file.try_lock() {
            Ok(()) => {
                remove_stale_temps(vault_path);
                Ok(Self { _file: file })
            }
            Err(fs::TryLockError::WouldBlock) => Err(StoreError::InUse),
            Err(fs::TryLockError::Error(source)) => Err(StoreError::Write {
                path: lock_path,
                source,
            }),
        }
    }
}
