//! The UI's worker thread: key derivation, file I/O and PNG writing run here
//! so that no frame waits on them. Jobs go in over a bounded channel, replies
//! come back over another, and every reply wakes the window.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::thread;

use zeroize::Zeroizing;

use crate::crypto::recovery::RecoveryCode;
use crate::crypto::{KdfParams, Password};
use crate::settings::Settings;
use crate::store::{self, Credential, Fingerprint, Opened, StoreError, VaultKeys, WriterLock};
use crate::vault::Vault;

/// Work for the worker thread.
pub enum Job {
    Create {
        path: PathBuf,
        password: Password,
        kdf: KdfParams,
    },
    Unlock {
        path: PathBuf,
        credential: Credential,
    },
    /// `lock` travels with the final save at lock time, so that no other
    /// process can write the vault until that save is done.
    Save {
        path: PathBuf,
        keys: Box<VaultKeys>,
        vault: Box<Vault>,
        expected: Fingerprint,
        lock: Option<WriterLock>,
    },
    ChangePassword {
        keys: Box<VaultKeys>,
        new_password: Password,
        recovery_code: RecoveryCode,
        kdf: KdfParams,
    },
    CheckPassword {
        keys: Box<VaultKeys>,
        password: Password,
    },
    WritePng {
        path: PathBuf,
        png: Zeroizing<Vec<u8>>,
    },
    SaveSettings {
        path: PathBuf,
        settings: Settings,
    },
}

/// A vault that is open, with the lock that keeps other writers out.
pub struct OpenedVault {
    pub opened: Opened,
    pub lock: WriterLock,
    pub path: PathBuf,
}

/// What the worker answers.
pub enum Reply {
    Created(Result<(OpenedVault, RecoveryCode), StoreError>),
    Unlocked(Result<OpenedVault, StoreError>),
    Saved(Result<Fingerprint, StoreError>),
    PasswordChanged(Result<Box<VaultKeys>, StoreError>),
    /// Whether the password was right.
    PasswordChecked(Result<bool, StoreError>),
    PngWritten(Result<PathBuf, String>),
}

/// The UI's handle on the worker thread.
pub struct Worker {
    jobs: SyncSender<Job>,
    replies: Receiver<Reply>,
}

impl Worker {
    /// Starts the thread; `wake` is called after each reply (the window's repaint).
    pub fn start(wake: impl Fn() + Send + 'static) -> std::io::Result<Self> {
        let (jobs, job_rx) = mpsc::sync_channel::<Job>(16);
        let (reply_tx, replies) = mpsc::sync_channel::<Reply>(16);
        thread::Builder::new()
            .name("qvault-worker".into())
            .spawn(move || {
                for job in job_rx {
                    if let Some(reply) = run(job) {
                        if reply_tx.send(reply).is_err() {
                            break;
                        }
                        wake();
                    }
                }
            })?;
        Ok(Self { jobs, replies })
    }

    /// Queues a job. Returns false when the worker is gone.
    pub fn send(&self, job: Job) -> bool {
        self.jobs.send(job).is_ok()
    }

    /// The next reply, if one is ready.
    pub fn try_recv(&self) -> Option<Reply> {
        self.replies.try_recv().ok()
    }
}

fn open_locked(
    path: PathBuf,
    open: impl FnOnce() -> Result<Opened, StoreError>,
) -> Result<OpenedVault, StoreError> {
    let lock = WriterLock::acquire(&path)?;
    let opened = open()?;
    Ok(OpenedVault { opened, lock, path })
}

/// Runs a job on the calling thread (only at exit, when nothing else is drawn).
pub fn run_now(job: Job) {
    if let Some(Reply::Saved(Err(e))) = run(job) {
        log::error!("failed to save the vault at exit: {e}");
    }
}

fn run(job: Job) -> Option<Reply> {
    let reply = match job {
        Job::Create {
            path,
            password,
            kdf,
        } => {
            let result = (|| {
                if path.exists() {
                    return Err(StoreError::AlreadyExists(path.clone()));
                }
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|source| StoreError::Write {
                        path: path.clone(),
                        source,
                    })?;
                }
                let lock = WriterLock::acquire(&path)?;
                let (opened, code) = store::create(&path, &password, kdf)?;
                Ok((OpenedVault { opened, lock, path }, code))
            })();
            Reply::Created(result)
        }
        Job::Unlock { path, credential } => Reply::Unlocked(open_locked(path.clone(), || {
            store::unlock(&path, &credential)
        })),
        Job::Save {
            path,
            keys,
            vault,
            expected,
            lock,
        } => {
            let result = store::save(&path, &keys, &vault, Some(expected));
            if lock.is_some() {
                // A save after lock: nobody is left to read the reply.
                if let Err(e) = &result {
                    log::error!("failed to save the vault while locking: {e}");
                }
                return None;
            }
            Reply::Saved(result)
        }
        Job::ChangePassword {
            mut keys,
            new_password,
            recovery_code,
            kdf,
        } => {
            let result = keys.change_password(&new_password, kdf, &recovery_code);
            Reply::PasswordChanged(result.map(|()| keys).map_err(StoreError::from))
        }
        Job::CheckPassword { keys, password } => {
            Reply::PasswordChecked(keys.verify_password(&password).map_err(StoreError::from))
        }
        Job::WritePng { path, png } => Reply::PngWritten(write_private(&path, &png).map(|()| path)),
        Job::SaveSettings { path, settings } => {
            if let Err(e) = settings.save(&path) {
                log::warn!("failed to save settings to {}: {e}", path.display());
            }
            return None;
        }
    };
    Some(reply)
}

/// Writes a file readable by its owner only (a QR image may hold a secret).
fn write_private(path: &std::path::Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .map_err(|e| format!("failed to write {}: {e}", path.display()))?;
    file.write_all(bytes)
        .map_err(|e| format!("failed to write {}: {e}", path.display()))
}
