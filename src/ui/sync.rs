//! Sync in the window. A named thread (`qvault-sync`) runs the blocking
//! ureq client and the sync engine; the window sends it jobs and drains its
//! replies once a frame, so no frame waits on the network. The session token
//! and the master password it needs (for the auth key, and to open a copy
//! whose password was changed on another device) live only in that thread
//! and are dropped when the vault locks.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::thread;
use std::time::{Duration, Instant};

use crate::crypto::Password;
use crate::store::Opened;
use crate::sync::engine::{self, SyncOutcome};
use crate::sync::{AuthKey, Client};
use crate::vault::SecretText;

/// Sync again after this long even when nothing changed here.
pub const SYNC_EVERY: Duration = Duration::from_mins(5);
/// After a save, wait this long for more edits before syncing.
pub const SYNC_AFTER_SAVE: Duration = Duration::from_secs(3);

/// Work for the sync thread.
pub(crate) enum SyncJob {
    /// Log in (or register) and remember the account beside the vault.
    LogIn {
        path: PathBuf,
        server: String,
        email: String,
        password: Password,
        allow_http: bool,
        register: bool,
    },
    /// Just unlocked: log in again when this vault was synced before.
    Resume {
        path: PathBuf,
        password: Password,
    },
    /// Sync a snapshot of the saved vault.
    Sync {
        path: PathBuf,
        opened: Box<Opened>,
        stamp: Stamp,
    },
    /// A new device: log in, download the account's vault into `path`
    /// (only once it opens with the password) and open it.
    Download {
        path: PathBuf,
        server: String,
        email: String,
        password: Password,
        allow_http: bool,
    },
    /// Log out and forget the account (its `NAME.sync.json` too), so that
    /// unlocking does not log in again.
    LogOut {
        path: PathBuf,
    },
    DeleteAccount {
        path: PathBuf,
    },
    /// The vault locked: drop the token and the password.
    Forget,
}

/// Where a session stood when a sync took its snapshot: how many edits it
/// had seen, and how many times its keys changed (a new master password).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Stamp {
    pub edits: u64,
    pub keys: u64,
}

/// The account a vault syncs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Account {
    pub server: String,
    pub email: String,
}

/// A sync that went through.
pub(crate) struct Synced {
    pub opened: Box<Opened>,
    pub outcome: SyncOutcome,
    /// The session's state when the snapshot was taken.
    pub stamp: Stamp,
}

/// What the sync thread answers.
pub(crate) enum SyncReply {
    LoggedIn(Result<Account, String>),
    Synced(Result<Box<Synced>, String>),
    LoggedOut,
    Deleted(Result<(), String>),
    Downloaded(Result<Box<super::worker::OpenedVault>, String>),
}

/// What the thread keeps between jobs while the vault is unlocked.
#[derive(Default)]
struct Connection {
    client: Option<Client>,
    email: String,
    password: Option<Password>,
}

impl Connection {
    fn run(&mut self, job: SyncJob) -> Option<SyncReply> {
        match job {
            SyncJob::LogIn {
                path,
                server,
                email,
                password,
                allow_http,
                register,
            } => Some(SyncReply::LoggedIn(self.log_in(
                &path,
                &server,
                &email,
                password,
                (allow_http, register),
            ))),
            SyncJob::Resume { path, password } => {
                let Some(state) = engine::read_state(&path) else {
                    *self = Self::default();
                    return None;
                };
                let allow_http = state.server.starts_with("http://");
                Some(SyncReply::LoggedIn(self.log_in(
                    &path,
                    &state.server,
                    &state.email,
                    password,
                    (allow_http, false),
                )))
            }
            SyncJob::Sync {
                path,
                opened,
                stamp,
            } => Some(SyncReply::Synced(self.sync(&path, opened, stamp))),
            SyncJob::Download {
                path,
                server,
                email,
                password,
                allow_http,
            } => Some(SyncReply::Downloaded(
                self.download(path, &server, &email, password, allow_http),
            )),
            SyncJob::LogOut { path } => {
                self.log_out();
                forget_account(&path);
                Some(SyncReply::LoggedOut)
            }
            SyncJob::DeleteAccount { path } => {
                let result = self.delete_account();
                if result.is_ok() {
                    forget_account(&path);
                }
                Some(SyncReply::Deleted(result))
            }
            SyncJob::Forget => {
                *self = Self::default();
                None
            }
        }
    }

    /// Logs in (or registers) and keeps the client, the email and the
    /// password for the syncs to come.
    fn connect(
        &mut self,
        server: &str,
        email: &str,
        password: Password,
        (allow_http, register): (bool, bool),
    ) -> Result<Account, String> {
        let mut client = Client::new(server, allow_http).map_err(|e| e.to_string())?;
        let key = AuthKey::derive(&password, email).map_err(|e| e.to_string())?;
        let result = if register {
            client.register(email, &key)
        } else {
            client.login(email, &key)
        };
        result.map_err(|e| e.to_string())?;
        let account = Account {
            server: client.base_url().to_owned(),
            email: crate::sync::auth::normalize_email(email),
        };
        *self = Self {
            client: Some(client),
            email: account.email.clone(),
            password: Some(password),
        };
        Ok(account)
    }

    /// [`Self::connect`], then remembers the account beside the vault so
    /// that unlocking logs in again.
    fn log_in(
        &mut self,
        path: &Path,
        server: &str,
        email: &str,
        password: Password,
        flags: (bool, bool),
    ) -> Result<Account, String> {
        let account = self.connect(server, email, password, flags)?;
        let state = engine::SyncState {
            server: account.server.clone(),
            email: account.email.clone(),
            revision: engine::read_state(path).map_or(0, |s| s.revision),
        };
        if let Err(e) = engine::write_state(path, &state) {
            log::warn!("failed to remember the sync account: {e}");
        }
        Ok(account)
    }

    fn download(
        &mut self,
        path: PathBuf,
        server: &str,
        email: &str,
        password: Password,
        allow_http: bool,
    ) -> Result<Box<super::worker::OpenedVault>, String> {
        if path.exists() {
            return Err(format!(
                "{} exists already; choose another place for the downloaded vault",
                path.display()
            ));
        }
        self.connect(server, email, password, (allow_http, false))?;
        let (Some(client), Some(password)) = (&self.client, &self.password) else {
            return Err("not logged in to a sync server".into());
        };
        let download = engine::download(client, password).map_err(|e| e.to_string())?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("failed to create {}: {e}", dir.display()))?;
        }
        let lock = crate::store::WriterLock::acquire(&path).map_err(|e| e.to_string())?;
        let opened = download
            .save(&path, client, &self.email)
            .map_err(|e| e.to_string())?;
        Ok(Box::new(super::worker::OpenedVault {
            opened,
            lock,
            path,
            recovery_code: None,
        }))
    }

    fn sync(
        &mut self,
        path: &Path,
        mut opened: Box<Opened>,
        stamp: Stamp,
    ) -> Result<Box<Synced>, String> {
        let (Some(client), Some(password)) = (&self.client, &self.password) else {
            return Err("not logged in to a sync server".into());
        };
        let outcome = engine::sync_vault(path, &mut opened, password, client, &self.email)
            .map_err(|e| e.to_string())?;
        Ok(Box::new(Synced {
            opened,
            outcome,
            stamp,
        }))
    }

    fn log_out(&mut self) {
        if let Some(client) = &mut self.client
            && let Err(e) = client.logout()
        {
            log::warn!("failed to log out of the sync server: {e}");
        }
        *self = Self::default();
    }

    fn delete_account(&mut self) -> Result<(), String> {
        let (Some(client), Some(password)) = (&mut self.client, &self.password) else {
            return Err("not logged in to a sync server".into());
        };
        let key = AuthKey::derive(password, &self.email).map_err(|e| e.to_string())?;
        client
            .delete_account(&self.email, &key)
            .map_err(|e| e.to_string())?;
        *self = Self::default();
        Ok(())
    }
}

/// Removes the remembered account beside the vault.
fn forget_account(vault_path: &Path) {
    let state = engine::state_path(vault_path);
    if let Err(e) = std::fs::remove_file(&state)
        && e.kind() != std::io::ErrorKind::NotFound
    {
        log::warn!("failed to remove {}: {e}", state.display());
    }
}

/// The window's handle on the sync thread. Jobs and replies carry an
/// epoch that changes whenever the vault locks, so that an answer to a job
/// of an earlier session (a sync still running at lock time) is dropped.
pub(crate) struct SyncWorker {
    jobs: SyncSender<(u64, SyncJob)>,
    replies: Receiver<(u64, SyncReply)>,
    epoch: u64,
}

impl SyncWorker {
    pub fn start(wake: impl Fn() + Send + 'static) -> std::io::Result<Self> {
        let (jobs, job_rx) = mpsc::sync_channel::<(u64, SyncJob)>(16);
        let (reply_tx, replies) = mpsc::channel();
        thread::Builder::new()
            .name("qvault-sync".into())
            .spawn(move || {
                let mut connection = Connection::default();
                for (epoch, job) in job_rx {
                    if let Some(reply) = connection.run(job) {
                        let _ = reply_tx.send((epoch, reply));
                        wake();
                    }
                }
            })?;
        Ok(Self {
            jobs,
            replies,
            epoch: 0,
        })
    }

    pub fn send(&self, job: SyncJob) {
        if self.jobs.try_send((self.epoch, job)).is_err() {
            log::warn!("the sync thread is busy or gone; the request was dropped");
        }
    }

    /// The vault locked: answers to earlier jobs are dropped from now on,
    /// and the thread forgets its token and password (this one job waits
    /// for room in the queue rather than being dropped).
    pub fn forget(&mut self) {
        self.epoch += 1;
        if self.jobs.send((self.epoch, SyncJob::Forget)).is_err() {
            log::warn!("the sync thread is gone");
        }
    }

    /// The next answer to a job of the current epoch.
    pub fn try_recv(&self) -> Option<SyncReply> {
        while let Ok((epoch, reply)) = self.replies.try_recv() {
            if epoch == self.epoch {
                return Some(reply);
            }
        }
        None
    }
}

/// The sync state of an unlocked vault, as the window shows it.
#[derive(Default)]
pub(crate) struct SyncView {
    pub account: Option<Account>,
    pub in_flight: bool,
    /// A sync is due as soon as the vault is saved.
    pub wanted: bool,
    pub last_sync: Option<Instant>,
    pub status: Option<String>,
    /// The Settings form.
    pub form: SyncForm,
}

/// Settings → Sync, before logging in.
#[derive(Default)]
pub(crate) struct SyncForm {
    pub server: String,
    pub email: String,
    pub password: SecretText,
    pub allow_http: bool,
    pub busy: bool,
    pub confirm_delete: bool,
}

/// "Synced at 14:05: 2 from the server, 1 conflict resolved".
pub(crate) fn synced_text(outcome: &SyncOutcome) -> String {
    let time = chrono::Local::now().format("%H:%M");
    let report = &outcome.report;
    let mut parts = Vec::new();
    if report.taken_from_remote > 0 {
        parts.push(format!("{} from the server", report.taken_from_remote));
    }
    if outcome.uploaded && outcome.sent > 0 {
        parts.push(format!("{} sent", outcome.sent));
    }
    if report.conflicts_resolved > 0 {
        parts.push(format!(
            "{} edited on both sides (the older version is in its history)",
            report.conflicts_resolved
        ));
    }
    if report.deleted > 0 {
        parts.push(format!("{} deleted elsewhere", report.deleted));
    }
    if parts.is_empty() {
        format!("Synced at {time}")
    } else {
        format!("Synced at {time}: {}", parts.join(", "))
    }
}

/// Settings → Sync: the account form, or the account with its actions.
/// (The offline switch, which stops sync too, is with the preferences.)
pub(crate) fn settings_ui(
    ui: &mut egui::Ui,
    session: &mut super::session::Session,
    offline: bool,
    commands: &mut Vec<super::Command>,
) {
    ui.strong("Sync");
    let path = session.path().to_owned();
    let view = &mut session.sync;
    match view.account.clone() {
        Some(account) => account_ui(ui, view, (&account, &path), offline, commands),
        None => login_form_ui(ui, &mut view.form, &path, offline, commands),
    }
    if let Some(status) = &view.status {
        ui.label(status);
    }
}

fn account_ui(
    ui: &mut egui::Ui,
    view: &mut SyncView,
    (account, path): (&Account, &Path),
    offline: bool,
    commands: &mut Vec<super::Command>,
) {
    ui.label(format!(
        "Syncs with {} as {}",
        account.server, account.email
    ));
    ui.horizontal(|ui| {
        let idle = !view.in_flight && !offline;
        if ui
            .add_enabled(idle, egui::Button::new("Sync now"))
            .clicked()
        {
            view.wanted = true;
            view.last_sync = None;
        }
        if ui.button("Log out").clicked() {
            commands.push(super::Command::Sync(SyncJob::LogOut {
                path: path.to_owned(),
            }));
        }
        if ui.button("Delete account…").clicked() {
            view.form.confirm_delete = true;
        }
    });
    if view.form.confirm_delete {
        ui.label(
            "Delete the account and the server's copy of this vault? The vault on this \
             computer stays as it is.",
        );
        ui.horizontal(|ui| {
            if ui.button("Delete account").clicked() {
                commands.push(super::Command::Sync(SyncJob::DeleteAccount {
                    path: path.to_owned(),
                }));
                view.form.confirm_delete = false;
            }
            if ui.button("Keep it").clicked() {
                view.form.confirm_delete = false;
            }
        });
    }
}

fn login_form_ui(
    ui: &mut egui::Ui,
    form: &mut SyncForm,
    path: &Path,
    offline: bool,
    commands: &mut Vec<super::Command>,
) {
    ui.label(
        "Keep this vault in step with your other computers through a qvault-server. \
         The server only ever gets the encrypted vault file.",
    );
    egui::Grid::new("sync-form").num_columns(2).show(ui, |ui| {
        let label = ui.label("Server URL");
        ui.add(
            egui::TextEdit::singleline(&mut form.server)
                .hint_text("https://sync.example.org")
                .desired_width(260.0),
        )
        .labelled_by(label.id);
        ui.end_row();
        let label = ui.label("Email");
        ui.add(egui::TextEdit::singleline(&mut form.email).desired_width(260.0))
            .labelled_by(label.id);
        ui.end_row();
        super::widgets::secret_field(
            ui,
            "Master password (to sign in)",
            &mut form.password,
            false,
        );
        ui.end_row();
    });
    ui.checkbox(
        &mut form.allow_http,
        "Allow plain HTTP (only for a server on this computer or behind your own TLS proxy)",
    );
    let ready = !offline
        && !form.busy
        && !form.server.trim().is_empty()
        && form.email.contains('@')
        && !form.password.is_empty();
    ui.horizontal(|ui| {
        for (label, register) in [("Log in", false), ("Register", true)] {
            if ui.add_enabled(ready, egui::Button::new(label)).clicked() {
                form.busy = true;
                commands.push(super::Command::Sync(SyncJob::LogIn {
                    path: path.to_owned(),
                    server: form.server.trim().to_owned(),
                    email: form.email.trim().to_owned(),
                    password: Password::new(form.password.as_str()),
                    allow_http: form.allow_http,
                    register,
                }));
            }
        }
        if form.busy {
            ui.spinner();
        }
    });
    if offline {
        ui.label(egui::RichText::new("Turn off offline mode (above) to sign in.").weak());
    }
}
