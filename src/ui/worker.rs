//! The UI's worker thread: key derivation, file I/O and PNG writing run here
//! so that no frame waits on them. Jobs go in over a bounded channel, replies
//! come back over another, and every reply wakes the window. Jobs run one at
//! a time, in order, so a save queued at lock time finishes before the next
//! unlock reads the file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::thread::{self, JoinHandle};

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
    /// Require a new QR key (`require`), or none, after checking `password`.
    SetQrKey {
        keys: Box<VaultKeys>,
        password: Password,
        require: bool,
        recovery_code: RecoveryCode,
    },
    /// Measure this computer and rewrap the password slot with KDF
    /// parameters that take about `target` (the same password).
    CalibrateKdf {
        keys: Box<VaultKeys>,
        password: Password,
        recovery_code: RecoveryCode,
        target: std::time::Duration,
    },
    /// The password health report of a snapshot of the vault.
    Health {
        vault: Box<crate::vault::Vault>,
        now_ms: i64,
    },
    WritePng {
        path: PathBuf,
        png: Zeroizing<Vec<u8>>,
    },
    /// Read a file to attach to a secret (at most 10 MB).
    ReadAttachment {
        path: PathBuf,
        box_id: uuid::Uuid,
        secret_id: uuid::Uuid,
    },
    /// Write an attachment out (0600).
    WriteAttachment {
        path: PathBuf,
        data: Zeroizing<Vec<u8>>,
    },
    /// Read the QR code in an image file, for the editor's TOTP field.
    ReadQr {
        path: PathBuf,
        box_id: uuid::Uuid,
        secret_id: Option<uuid::Uuid>,
    },
    /// Read a vault's QR key from an image file, for the unlock screen.
    ReadQrKey {
        path: PathBuf,
    },
    /// Decode an attached image for its preview.
    DecodePreview {
        name: String,
        data: Zeroizing<Vec<u8>>,
    },
    SaveSettings {
        path: PathBuf,
        settings: Settings,
    },
    /// Read a file to import (`format: None` recognises it), with a column
    /// mapping for a CSV file whose header we do not know.
    ReadImport {
        path: PathBuf,
        format: Option<crate::import::Format>,
        keys: crate::import::SourceKeys,
        qr_key_file: Option<PathBuf>,
        mapping: Option<crate::import::csv::ColumnMapping>,
    },
    /// Write a snapshot of the vault as KDBX (with `password`) or CSV.
    Export {
        path: PathBuf,
        /// The open vault's file, which an export must never replace.
        vault_path: PathBuf,
        vault: Box<Vault>,
        password: Option<Password>,
    },
}

/// What reading an import source gave.
pub enum ImportOutcome {
    Read(Box<crate::import::Imported>),
    /// A CSV file with an unknown header: its column names, for the mapping step.
    NeedsMapping(Vec<String>),
    Failed(String),
}

/// A vault that is open, with the lock that keeps other writers out.
pub struct OpenedVault {
    pub opened: Opened,
    pub lock: WriterLock,
    pub path: PathBuf,
    /// The code it was unlocked with, when it was unlocked by recovery code.
    pub recovery_code: Option<RecoveryCode>,
}

/// What the worker answers.
pub enum Reply {
    Created(Result<(OpenedVault, RecoveryCode), StoreError>),
    Unlocked(Result<OpenedVault, StoreError>),
    Saved(Result<Fingerprint, StoreError>),
    /// The save made at lock time failed; the changes were written to the
    /// rescue file named here instead (or could not be, the string says why).
    FinalSaveFailed(String),
    PasswordChanged(Result<Box<VaultKeys>, StoreError>),
    /// The keys rewrapped for a new QR key (or none).
    QrKeySet(Result<Box<VaultKeys>, StoreError>),
    /// The keys rewrapped by a calibration, their parameters and the
    /// expected unlock time.
    KdfCalibrated(Result<(Box<VaultKeys>, KdfParams, std::time::Duration), StoreError>),
    /// Whether the password was right.
    PasswordChecked(Result<bool, StoreError>),
    PngWritten(Result<PathBuf, String>),
    Health(Box<crate::vault::health::HealthReport>),
    AttachmentRead(Result<ReadFile, String>),
    AttachmentWritten(Result<PathBuf, String>),
    QrRead {
        box_id: uuid::Uuid,
        secret_id: Option<uuid::Uuid>,
        text: Result<Zeroizing<String>, String>,
    },
    /// The text of the QR code in the image chosen as the QR key.
    QrKeyRead(Result<Zeroizing<String>, String>),
    Preview {
        name: String,
        image: Result<egui::ColorImage, String>,
    },
    ImportRead(ImportOutcome),
    Exported(Result<(PathBuf, usize), String>),
}

/// The import and export jobs.
fn transfer(job: Job) -> Option<Reply> {
    let reply = match job {
        Job::ReadImport {
            path,
            format,
            keys,
            qr_key_file,
            mapping,
        } => Reply::ImportRead(read_import(
            &path,
            format,
            keys,
            qr_key_file.as_deref(),
            mapping.as_ref(),
        )),
        Job::Export {
            path,
            vault_path,
            vault,
            password,
        } => Reply::Exported(
            crate::export::check_target(&path, &vault_path)
                .map_err(|e| e.to_string())
                .and_then(|()| export(&path, &vault, password.as_ref())),
        ),
        _ => return None,
    };
    Some(reply)
}

/// Reads an import source on the worker.
fn read_import(
    path: &Path,
    format: Option<crate::import::Format>,
    mut keys: crate::import::SourceKeys,
    qr_key_file: Option<&Path>,
    mapping: Option<&crate::import::csv::ColumnMapping>,
) -> ImportOutcome {
    use crate::import::{self, Format, ImportError};
    let mut read = || -> Result<ImportOutcome, ImportError> {
        let format = match format {
            Some(format) => format,
            None => import::detect_file(path)?,
        };
        if let Some(qr) = qr_key_file {
            keys.qr_key = Some(import::qr_key_from_file(qr)?);
        }
        if format == Format::Csv {
            let bytes = import::read_source(path)?;
            return match mapping.map(|m| import::csv::read_mapped(&bytes, m)) {
                Some(read) => read.map(|i| ImportOutcome::Read(Box::new(i))),
                None => match import::csv::read(&bytes) {
                    Err(ImportError::Unrecognised(_)) => {
                        Ok(ImportOutcome::NeedsMapping(import::csv::headers(&bytes)?))
                    }
                    read => read.map(|i| ImportOutcome::Read(Box::new(i))),
                },
            };
        }
        Ok(ImportOutcome::Read(Box::new(import::read(
            path, format, &keys,
        )?)))
    };
    read().unwrap_or_else(|e| ImportOutcome::Failed(e.to_string()))
}

fn export(
    path: &Path,
    vault: &Vault,
    password: Option<&Password>,
) -> Result<(PathBuf, usize), String> {
    let written = match password {
        Some(password) => crate::export::kdbx::write(vault, path, password.as_str()),
        None => crate::export::csv::write(vault, path),
    };
    written
        .map(|n| (path.to_owned(), n))
        .map_err(|e| e.to_string())
}

/// A file read to be attached to a secret.
pub struct ReadFile {
    pub box_id: uuid::Uuid,
    pub secret_id: uuid::Uuid,
    pub name: String,
    pub data: Zeroizing<Vec<u8>>,
}

/// Reads a file to attach, refusing one over the limit before reading it.
fn read_attachment(path: &Path) -> Result<Zeroizing<Vec<u8>>, String> {
    let limit = crate::vault::MAX_ATTACHMENT_BYTES;
    let too_large = |size: u64| {
        format!(
            "{} is too large ({} MB); attachments can be at most 10 MB",
            path.display(),
            size.div_ceil(1024 * 1024)
        )
    };
    let size = std::fs::metadata(path)
        .map_err(|e| format!("failed to read {}: {e}", path.display()))?
        .len();
    if size > limit as u64 {
        return Err(too_large(size));
    }
    // The size on disk can lie (a pipe, /proc): never read past the limit.
    let data = read_at_most(path, limit)?;
    if data.len() > limit {
        return Err(too_large(data.len() as u64));
    }
    Ok(data)
}

/// Reads at most `limit + 1` bytes of a file.
fn read_at_most(path: &Path, limit: usize) -> Result<Zeroizing<Vec<u8>>, String> {
    use std::io::Read as _;
    let fail = |e: std::io::Error| format!("failed to read {}: {e}", path.display());
    let file = std::fs::File::open(path).map_err(fail)?;
    let mut data = Zeroizing::new(Vec::new());
    file.take(limit as u64 + 1)
        .read_to_end(&mut data)
        .map_err(fail)?;
    Ok(data)
}

/// Previews are scaled down to at most this many pixels a side.
const PREVIEW_SIDE: u32 = 2048;

/// Decodes a PNG or JPEG for the preview; other files are not images.
fn decode_image(data: &[u8]) -> Result<egui::ColorImage, String> {
    let image = image::load_from_memory(data)
        .map_err(|_| "this file is not a PNG or JPEG image".to_owned())?;
    // Textures are limited in size: a preview need not be sharper than this.
    let image = if image.width() > PREVIEW_SIDE || image.height() > PREVIEW_SIDE {
        image.thumbnail(PREVIEW_SIDE, PREVIEW_SIDE)
    } else {
        image
    }
    .into_rgba8();
    let size = [image.width() as usize, image.height() as usize];
    Ok(egui::ColorImage::from_rgba_unmultiplied(
        size,
        image.as_raw(),
    ))
}

/// The UI's handle on the worker thread.
pub struct Worker {
    jobs: Option<SyncSender<Job>>,
    replies: Receiver<Reply>,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    /// Starts the thread; `wake` is called after each reply (the window's repaint).
    pub fn start(wake: impl Fn() + Send + 'static) -> std::io::Result<Self> {
        let (jobs, job_rx) = mpsc::sync_channel::<Job>(64);
        let (reply_tx, replies) = mpsc::channel::<Reply>();
        let thread = thread::Builder::new()
            .name("qvault-worker".into())
            .spawn(move || {
                let mut state = WorkerState::default();
                for job in job_rx {
                    if let Some(reply) = state.run(job) {
                        // The window may be gone at exit: keep working through the queue.
                        let _ = reply_tx.send(reply);
                        wake();
                    }
                }
            })?;
        Ok(Self {
            jobs: Some(jobs),
            replies,
            thread: Some(thread),
        })
    }

    /// Queues a job. Returns false when the worker is gone.
    pub fn send(&self, job: Job) -> bool {
        self.jobs
            .as_ref()
            .is_some_and(|jobs| jobs.send(job).is_ok())
    }

    /// The next reply, if one is ready.
    pub fn try_recv(&self) -> Option<Reply> {
        self.replies.try_recv().ok()
    }

    /// Lets the queued jobs finish (the last save above all), then ends the thread.
    pub fn finish(&mut self) {
        self.jobs = None;
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            log::error!("the worker thread panicked");
        }
    }
}

/// What the worker remembers between jobs: for each vault, the fingerprint
/// its last save replaced and the one it wrote. A save queued against the
/// replaced version (a lock-time save queued while an autosave was running)
/// is then a save of the newer version, not a conflict.
#[derive(Default)]
struct WorkerState {
    saved: HashMap<PathBuf, (Fingerprint, Fingerprint)>,
}

impl WorkerState {
    fn run(&mut self, job: Job) -> Option<Reply> {
        let reply = match job {
            Job::Create {
                path,
                password,
                kdf,
            } => Reply::Created(create(path, &password, kdf)),
            Job::Unlock { path, credential } => Reply::Unlocked(unlock(path, credential)),
            Job::Save {
                path,
                keys,
                vault,
                expected,
                lock,
            } => {
                let result = self.save(&path, &keys, &vault, expected);
                match (result, lock) {
                    (result, None) => Reply::Saved(result),
                    (Ok(_), Some(_)) => return None,
                    (Err(e), Some(_)) => Reply::FinalSaveFailed(rescue(&path, &keys, &vault, &e)),
                }
            }
            job
            @ (Job::ChangePassword { .. } | Job::SetQrKey { .. } | Job::CalibrateKdf { .. }) => {
                rewrap(job)?
            }
            Job::CheckPassword { keys, password } => {
                Reply::PasswordChecked(keys.verify_password(&password).map_err(StoreError::from))
            }
            Job::Health { vault, now_ms } => {
                Reply::Health(Box::new(crate::vault::health::check(&vault, now_ms)))
            }
            Job::ReadAttachment {
                path,
                box_id,
                secret_id,
            } => Reply::AttachmentRead(read_attachment(&path).map(|data| {
                ReadFile {
                    box_id,
                    secret_id,
                    name: path
                        .file_name()
                        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned()),
                    data,
                }
            })),
            Job::WriteAttachment { path, data } => Reply::AttachmentWritten(
                store::write_private_file(&path, &data)
                    .map(|()| path.clone())
                    .map_err(|e| format!("failed to write {}: {e}", path.display())),
            ),
            Job::ReadQr {
                path,
                box_id,
                secret_id,
            } => Reply::QrRead {
                box_id,
                secret_id,
                text: read_qr_file(&path),
            },
            Job::ReadQrKey { path } => Reply::QrKeyRead(read_qr_file(&path)),
            job @ (Job::ReadImport { .. } | Job::Export { .. }) => transfer(job)?,
            Job::DecodePreview { name, data } => Reply::Preview {
                name,
                image: decode_image(&data),
            },
            Job::WritePng { path, png } => Reply::PngWritten(
                store::write_private_file(&path, &png)
                    .map(|()| path.clone())
                    .map_err(|e| format!("failed to write {}: {e}", path.display())),
            ),
            Job::SaveSettings { path, settings } => {
                if let Err(e) = settings.save(&path) {
                    log::warn!("failed to save settings to {}: {e}", path.display());
                }
                return None;
            }
        };
        Some(reply)
    }

    fn save(
        &mut self,
        path: &Path,
        keys: &VaultKeys,
        vault: &Vault,
        expected: Fingerprint,
    ) -> Result<Fingerprint, StoreError> {
        let expected = match self.saved.get(path) {
            Some((replaced, written)) if *replaced == expected => *written,
            _ => expected,
        };
        let written = store::save(path, keys, vault, Some(expected))?;
        self.saved.insert(path.to_owned(), (expected, written));
        Ok(written)
    }
}

fn create(
    path: PathBuf,
    password: &Password,
    kdf: KdfParams,
) -> Result<(OpenedVault, RecoveryCode), StoreError> {
    if path.as_os_str().is_empty() {
        return Err(StoreError::Write {
            path,
            source: std::io::Error::other("no file was chosen"),
        });
    }
    if path.exists() {
        return Err(StoreError::AlreadyExists(path));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Write {
            path: path.clone(),
            source,
        })?;
    }
    let lock = WriterLock::acquire(&path)?;
    let (opened, code) = store::create(&path, password, kdf)?;
    Ok((
        OpenedVault {
            opened,
            lock,
            path,
            recovery_code: None,
        },
        code,
    ))
}

fn unlock(path: PathBuf, credential: Credential) -> Result<OpenedVault, StoreError> {
    let lock = WriterLock::acquire(&path)?;
    let opened = store::unlock(&path, &credential)?;
    let recovery_code = match credential {
        Credential::RecoveryCode(code) => Some(code),
        Credential::Password(_) | Credential::PasswordAndQrKey(..) => None,
    };
    Ok(OpenedVault {
        opened,
        lock,
        path,
        recovery_code,
    })
}

/// Writes the vault that could not be saved at lock time to
/// `NAME.unsaved-<ms>` beside it (it opens with the same password), and
/// says where, or why not.
fn rescue(path: &Path, keys: &VaultKeys, vault: &Vault, error: &StoreError) -> String {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".unsaved-{}", crate::vault::now_ms()));
    let rescue_path = path.with_file_name(name);
    let written = keys
        .seal(vault)
        .map_err(|e| e.to_string())
        .and_then(|bytes| {
            store::write_private_file(&rescue_path, &bytes).map_err(|e| e.to_string())
        });
    match written {
        Ok(()) => {
            log::error!(
                "failed to save the vault while locking ({error}); kept the changes in {}",
                rescue_path.display()
            );
            format!(
                "Your last changes could not be saved into the vault ({error}). They were kept in \
                 {}, which opens with the same password.",
                rescue_path.display()
            )
        }
        Err(e) => {
            log::error!(
                "failed to save the vault while locking ({error}) and to keep a copy ({e})"
            );
            format!("Your last changes could not be saved ({error}), nor kept aside ({e}).")
        }
    }
}

/// The jobs that rewrap the key slots (a new password, QR key or KDF cost).
fn rewrap(job: Job) -> Option<Reply> {
    Some(match job {
        Job::ChangePassword {
            mut keys,
            new_password,
            recovery_code,
            kdf,
        } => {
            let result = keys.change_password(&new_password, kdf, &recovery_code);
            Reply::PasswordChanged(result.map(|()| keys).map_err(StoreError::from))
        }
        Job::SetQrKey {
            mut keys,
            password,
            require,
            recovery_code,
        } => Reply::QrKeySet(
            require
                .then(crate::crypto::qr_key::QrKey::generate)
                .transpose()
                .and_then(|qr_key| keys.set_qr_key(&password, qr_key, &recovery_code))
                .map(|()| keys)
                .map_err(StoreError::from),
        ),
        Job::CalibrateKdf {
            mut keys,
            password,
            recovery_code,
            target,
        } => Reply::KdfCalibrated(
            calibrate_kdf(&mut keys, &password, &recovery_code, target)
                .map(|(kdf, expected)| (keys, kdf, expected)),
        ),
        _ => return None,
    })
}

/// The text of the QR code in an image file (PNG or JPEG, at most 10 MB).
fn read_qr_file(path: &Path) -> Result<Zeroizing<String>, String> {
    read_at_most(path, crate::vault::MAX_ATTACHMENT_BYTES).and_then(|bytes| {
        crate::qr::read_image(&bytes).map_err(|e| {
            format!(
                "{}: {e}",
                path.file_name().unwrap_or_default().to_string_lossy()
            )
        })
    })
}

/// Measures this computer and rewraps the slots with parameters that take
/// about `target`, for the same password.
fn calibrate_kdf(
    keys: &mut VaultKeys,
    password: &Password,
    recovery_code: &RecoveryCode,
    target: std::time::Duration,
) -> Result<(KdfParams, std::time::Duration), StoreError> {
    let (kdf, expected) = crate::crypto::calibrate(target)?;
    keys.change_password(password, kdf, recovery_code)?;
    Ok((kdf, expected))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::BoxKind;

    #[test]
    fn a_lock_time_save_queued_behind_a_running_autosave_still_lands() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("v.qvault");
        let (opened, _) = store::create(&path, &Password::new("pw for the test"), KdfParams::FLOOR)
            .expect("create");
        let fingerprint = opened.fingerprint;
        let mut vault = opened.vault.clone();
        let mut state = WorkerState::default();

        vault.add_box("Autosaved", BoxKind::Notes).expect("box");
        let autosave = Job::Save {
            path: path.clone(),
            keys: Box::new(opened.keys.clone()),
            vault: Box::new(vault.clone()),
            expected: fingerprint,
            lock: None,
        };
        assert!(matches!(state.run(autosave), Some(Reply::Saved(Ok(_)))));

        // Queued while the autosave ran, so against the older fingerprint.
        vault
            .add_box("Typed just before locking", BoxKind::Notes)
            .expect("box");
        let lock = WriterLock::acquire(&dir.path().join("other")).expect("lock");
        let final_save = Job::Save {
            path: path.clone(),
            keys: Box::new(opened.keys.clone()),
            vault: Box::new(vault),
            expected: fingerprint,
            lock: Some(lock),
        };
        assert!(
            state.run(final_save).is_none(),
            "the final save succeeds silently"
        );
        let reopened = store::unlock(
            &path,
            &Credential::Password(Password::new("pw for the test")),
        )
        .expect("unlock");
        assert_eq!(reopened.vault.boxes.len(), 2);
    }

    #[test]
    fn a_failed_lock_time_save_keeps_the_changes_in_a_rescue_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("v.qvault");
        let password = Password::new("pw for the test");
        let (opened, _) = store::create(&path, &password, KdfParams::FLOOR).expect("create");
        std::fs::write(&path, b"someone else wrote this").expect("overwrite");
        let mut vault = opened.vault.clone();
        vault.add_box("Precious", BoxKind::Notes).expect("box");
        let lock = WriterLock::acquire(&dir.path().join("other")).expect("lock");
        let job = Job::Save {
            path: path.clone(),
            keys: Box::new(opened.keys.clone()),
            vault: Box::new(vault),
            expected: opened.fingerprint,
            lock: Some(lock),
        };
        let Some(Reply::FinalSaveFailed(message)) = WorkerState::default().run(job) else {
            panic!("a failed final save is reported");
        };
        let rescue = std::fs::read_dir(dir.path())
            .expect("list")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.to_string_lossy().contains(".unsaved-"))
            .expect("a rescue file");
        assert!(message.contains(&rescue.display().to_string()));
        let rescued = store::unlock(&rescue, &Credential::Password(password)).expect("opens");
        assert_eq!(rescued.vault.boxes[0].name, "Precious");
        assert_eq!(
            std::fs::read(&path).expect("read"),
            b"someone else wrote this"
        );
    }

    #[test]
    fn an_attachment_over_10_mb_is_refused_before_it_is_read() {
        let dir = tempfile::tempdir().expect("temp dir");
        let big = dir.path().join("big.bin");
        let file = std::fs::File::create(&big).expect("create");
        // Sparse: the size is there without writing 10 MB.
        let limit = u64::try_from(crate::vault::MAX_ATTACHMENT_BYTES).expect("fits");
        file.set_len(limit + 1).expect("set_len");
        let err = super::read_attachment(&big).expect_err("too large");
        assert!(err.contains("at most 10 MB"), "{err}");
        let small = dir.path().join("key.asc");
        std::fs::write(&small, b"-----BEGIN PGP-----").expect("write");
        assert_eq!(
            super::read_attachment(&small).expect("read").as_slice(),
            b"-----BEGIN PGP-----"
        );
        assert!(super::read_attachment(&dir.path().join("missing")).is_err());
        assert!(super::decode_image(b"not an image").is_err());
    }
}
