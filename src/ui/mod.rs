//! The eframe window. Only this module knows egui. The app keeps persisted
//! settings and a runtime part; the top of each frame drains the worker and
//! runs timers, panels draw and push commands, and commands are applied once
//! at the end of the frame.

mod clipboard;
mod dialogs;
mod history;
mod keyboard;
mod onboarding;
mod session;
mod sync;
mod text;
mod transfer;
mod update;
mod vault_view;
mod wallet;
mod widgets;
mod worker;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use egui_file_dialog::FileDialog;

use crate::settings::{Settings, Theme};
pub use clipboard::SecureClipboard;
use dialogs::Dialogs;
use onboarding::{FirstRun, UnlockScreen};
use session::Session;
pub use update::LaunchCheck;
use worker::{Job, Reply, Worker};

/// Opens the window on `vault` (or on the vault used last, or the default);
/// `launch` says whether to look for a newer release after the first frame.
pub fn run(vault: Option<PathBuf>, launch: LaunchCheck) -> Result<(), eframe::Error> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Qvault")
            .with_app_id("qvault")
            .with_icon(update::window_icon())
            .with_inner_size([1100.0, 720.0])
            .with_min_inner_size([640.0, 420.0]),
        ..Default::default()
    };
    eframe::run_native(
        "Qvault",
        options,
        Box::new(move |cc| {
            let settings_path = crate::paths::settings_path();
            let app = QvaultApp::new(
                &cc.egui_ctx,
                Settings::load(&settings_path),
                settings_path,
                vault,
            )
            .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)?
            .with_update_check(launch)
            .with_screen_lock_watch(&cc.egui_ctx);
            Ok(Box::new(app))
        }),
    )
}

/// What the window shows.
pub(crate) enum Screen {
    FirstRun(Box<FirstRun>),
    Unlock(Box<UnlockScreen>),
    Vault(Box<Session>),
}

/// Something a panel asked for, applied at the end of the frame.
pub(crate) enum Command {
    Lock,
    ShowCreate,
    Copy {
        label: String,
        value: zeroize::Zeroizing<String>,
    },
    ShowQr {
        label: String,
        value: zeroize::Zeroizing<String>,
        /// Print the value under the code too (false for a masked field).
        show_text: bool,
    },
    OpenSettings,
    OpenAbout,
    OpenGenerator {
        target: Option<dialogs::GeneratorTarget>,
    },
    Send(Job),
    SavePng(zeroize::Zeroizing<Vec<u8>>),
    PersistSettings,
    OpenFile,
    /// Pick the image of the vault's QR key (unlock screen).
    PickQrKeyImage,
    BrowseNewVault,
    FinishFirstRun,
    NewBox,
    RenameBox(uuid::Uuid),
    DeleteBox(uuid::Uuid),
    DeleteSecret(uuid::Uuid, uuid::Uuid),
    /// The new-wallet wizard for a Crypto Wallets box.
    NewWallet(uuid::Uuid),
    OpenWatchOnly,
    /// Build the password health report (on the worker) and show it.
    OpenHealth,
    OpenHistory(uuid::Uuid, uuid::Uuid),
    OpenTrash,
    /// Pick a file and attach it to the secret.
    AddAttachment(uuid::Uuid, uuid::Uuid),
    RemoveAttachment(uuid::Uuid, uuid::Uuid, uuid::Uuid),
    /// Pick an image and read a TOTP secret from its QR code into the draft.
    TotpFromQr(uuid::Uuid, Option<uuid::Uuid>),
    /// Pick where to save an attachment out.
    SaveAttachment {
        name: String,
        data: zeroize::Zeroizing<Vec<u8>>,
    },
    /// Decode an attached image on the worker and show it.
    PreviewAttachment {
        name: String,
        data: zeroize::Zeroizing<Vec<u8>>,
    },
    OpenImport,
    OpenExport,
    /// Pick a file for the import wizard.
    PickImportFile(transfer::ImportFile),
    /// Pick where to write an export (`password: None` for CSV).
    PickExportFile {
        csv: bool,
        password: Option<crate::crypto::Password>,
    },
    /// Work for the sync thread (log in, sync now, log out, delete account).
    Sync(sync::SyncJob),
    /// A value of this secret was copied: it is recently used.
    Used(uuid::Uuid, uuid::Uuid),
    Status(String),
}

/// A file dialog request in flight: what the picked path is for.
pub(crate) enum FilePurpose {
    NewVaultLocation,
    OpenVault,
    SaveQrPng(zeroize::Zeroizing<Vec<u8>>),
    AddAttachment(uuid::Uuid, uuid::Uuid),
    SaveAttachment {
        name: String,
        data: zeroize::Zeroizing<Vec<u8>>,
    },
    TotpQr(uuid::Uuid, Option<uuid::Uuid>),
    /// The image of the QR key, on the unlock screen.
    UnlockQrKey,
    ImportFile(transfer::ImportFile),
    ExportTarget {
        csv: bool,
        password: Option<crate::crypto::Password>,
    },
}

/// The application: persisted settings plus runtime state.
pub struct QvaultApp {
    pub(crate) settings: Settings,
    settings_path: PathBuf,
    pub(crate) screen: Screen,
    pub(crate) dialogs: Dialogs,
    pub(crate) commands: Vec<Command>,
    pub(crate) status: Option<(String, Instant)>,
    worker: Worker,
    sync: sync::SyncWorker,
    /// The password of an unlock in flight, kept until it succeeds so that
    /// a vault synced before can log in to its server again.
    unlock_password: Option<crate::crypto::Password>,
    clipboard: SecureClipboard,
    file_dialog: FileDialog,
    file_purpose: Option<FilePurpose>,
    last_activity: Instant,
    /// Requests to lock now (the screen locked, the machine is going to sleep).
    #[cfg(target_os = "linux")]
    lock_requests: Option<std::sync::mpsc::Receiver<crate::screen_lock::LockReason>>,
    applied_theme: Option<Theme>,
    report_first_frame: bool,
    /// Settings are written once they stop changing (a dragged value changes
    /// every frame).
    settings_changed_at: Option<Instant>,
    update: update::UpdateUi,
}

impl QvaultApp {
    /// A new app on `vault`, else the vault used last, else the default vault.
    pub fn new(
        ctx: &egui::Context,
        settings: Settings,
        settings_path: PathBuf,
        vault: Option<PathBuf>,
    ) -> std::io::Result<Self> {
        let wake_ctx = ctx.clone();
        let worker = Worker::start(move || wake_ctx.request_repaint())?;
        let wake_ctx = ctx.clone();
        let sync = sync::SyncWorker::start(move || wake_ctx.request_repaint())?;
        let path = vault
            .or_else(|| settings.last_vault.clone().filter(|p| p.exists()))
            .unwrap_or_else(crate::paths::default_vault_path);
        let screen = if path.exists() {
            Screen::Unlock(Box::new(UnlockScreen::new(path)))
        } else {
            Screen::FirstRun(Box::new(FirstRun::new(&path)))
        };
        Ok(Self {
            settings,
            settings_path,
            screen,
            dialogs: Dialogs::default(),
            commands: Vec::new(),
            status: None,
            worker,
            sync,
            unlock_password: None,
            clipboard: SecureClipboard::new(),
            file_dialog: FileDialog::new().title("Choose a vault file"),
            file_purpose: None,
            last_activity: Instant::now(),
            applied_theme: None,
            report_first_frame: std::env::var_os("QVAULT_BENCH_FIRST_FRAME").is_some(),
            settings_changed_at: None,
            update: update::UpdateUi::new(LaunchCheck::default()),
            #[cfg(target_os = "linux")]
            lock_requests: None,
        })
    }

    /// Locks when the desktop locks its screen or the machine goes to sleep
    /// (Linux, through D-Bus); elsewhere this does nothing yet.
    #[must_use]
    pub fn with_screen_lock_watch(self, ctx: &egui::Context) -> Self {
        #[cfg(target_os = "linux")]
        {
            let (sender, receiver) = std::sync::mpsc::channel();
            let ctx = ctx.clone();
            crate::screen_lock::watch(move |reason| {
                let _ = sender.send(reason);
                ctx.request_repaint();
            });
            self.with_lock_requests(receiver)
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = ctx;
            self
        }
    }

    /// Locks whenever `requests` delivers (the screen-lock watcher's events;
    /// tests feed their own).
    #[cfg(target_os = "linux")]
    #[must_use]
    pub fn with_lock_requests(
        mut self,
        requests: std::sync::mpsc::Receiver<crate::screen_lock::LockReason>,
    ) -> Self {
        self.lock_requests = Some(requests);
        self
    }

    /// Pretends the user has been idle for `idle` (tests of auto-lock).
    #[doc(hidden)]
    pub fn pretend_idle_for(&mut self, idle: Duration) {
        if let Some(then) = Instant::now().checked_sub(idle) {
            self.last_activity = then;
        }
    }

    /// Looks for a newer release once the first frame is drawn (off unless
    /// this is called with `launch.enabled`).
    #[must_use]
    pub fn with_update_check(mut self, launch: LaunchCheck) -> Self {
        self.update = update::UpdateUi::new(launch);
        self
    }

    /// The current settings (as the settings file will hold them).
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Whether a vault is open (unlocked).
    pub fn is_unlocked(&self) -> bool {
        matches!(self.screen, Screen::Vault(_))
    }

    /// How many secrets the open vault holds; `None` while locked.
    pub fn vault_secret_count(&self) -> Option<usize> {
        match &self.screen {
            Screen::Vault(session) => Some(session.vault.secret_count()),
            Screen::FirstRun(_) | Screen::Unlock(_) => None,
        }
    }

    /// Draws one frame into `ui` (the whole window).
    pub fn frame_ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.apply_theme(&ctx);
        self.drain_worker(&ctx);
        self.drain_sync();
        self.update.drain(&ctx, &self.settings);
        self.run_timers(&ctx);
        self.shortcuts(&ctx);

        self.update
            .banner_ui(ui, &mut self.settings, &mut self.commands);
        self.status_bar_ui(ui);
        match &mut self.screen {
            Screen::FirstRun(first_run) => first_run.ui(ui, &mut self.commands),
            Screen::Unlock(unlock) => unlock.ui(ui, &mut self.settings, &mut self.commands),
            Screen::Vault(session) => session.ui(ui, &mut self.commands),
        }
        let session = match &mut self.screen {
            Screen::Vault(session) => Some(session.as_mut()),
            Screen::FirstRun(_) | Screen::Unlock(_) => None,
        };
        self.dialogs
            .ui(&ctx, &mut self.settings, session, &mut self.commands);
        self.file_dialog_ui(&ctx);
        self.update.about_ui(&ctx);
        self.apply_commands(&ctx);
        self.update.start_after_first_frame(&ctx, &self.settings);
    }

    fn apply_theme(&mut self, ctx: &egui::Context) {
        if self.applied_theme == Some(self.settings.theme) {
            return;
        }
        let preference = match self.settings.theme {
            Theme::System => egui::ThemePreference::System,
            Theme::Light => egui::ThemePreference::Light,
            Theme::Dark => egui::ThemePreference::Dark,
        };
        ctx.set_theme(preference);
        self.applied_theme = Some(self.settings.theme);
    }

    fn drain_worker(&mut self, ctx: &egui::Context) {
        while let Some(reply) = self.worker.try_recv() {
            self.handle_reply(ctx, reply);
        }
    }

    fn handle_reply(&mut self, ctx: &egui::Context, reply: Reply) {
        match reply {
            Reply::Created(result) => {
                if let Ok((opened, _)) = &result {
                    self.remember_vault(opened.path.clone());
                }
                if let Screen::FirstRun(first_run) = &mut self.screen {
                    first_run.created(ctx, result);
                }
            }
            Reply::Unlocked(result) => self.unlocked(result),
            Reply::FinalSaveFailed(message) => match &mut self.screen {
                Screen::Unlock(unlock) => unlock.set_notice(message),
                _ => self.set_status(message),
            },
            Reply::Health(report) => self.dialogs.health_ready(*report),
            Reply::AttachmentRead(result) => {
                let message = match (result, &mut self.screen) {
                    (Ok(file), Screen::Vault(session)) => {
                        match session.vault.attach(
                            file.box_id,
                            file.secret_id,
                            &file.name,
                            file.data,
                        ) {
                            Ok(_) => {
                                session.touched();
                                format!("Attached {}", file.name)
                            }
                            Err(e) => format!("Not attached: {e}"),
                        }
                    }
                    (Ok(_), _) => "The vault was locked before the file was read".into(),
                    (Err(e), _) => e,
                };
                self.set_status(message);
            }
            Reply::AttachmentWritten(result) => self.written(result, "the attachment"),
            Reply::Preview { name, image } => self.dialogs.preview_ready(ctx, &name, image),
            Reply::QrRead {
                box_id,
                secret_id,
                text,
            } => {
                let message = match &mut self.screen {
                    Screen::Vault(session) => session.totp_from_qr(box_id, secret_id, text),
                    _ => "The vault was locked before the image was read".into(),
                };
                self.set_status(message);
            }
            Reply::QrKeyRead(text) => {
                if let Screen::Unlock(unlock) = &mut self.screen {
                    unlock.qr_key_read(text);
                }
            }
            Reply::PngWritten(result) => self.written(result, "the QR code"),
            Reply::ImportRead(outcome) => {
                if let Screen::Vault(session) = &self.screen {
                    self.dialogs.import_read(outcome, session);
                }
            }
            Reply::Exported(result) => self.dialogs.export_finished(result),
            other => {
                if let Screen::Vault(session) = &mut self.screen {
                    session.handle_reply(other, &mut self.dialogs, &mut self.commands);
                }
            }
        }
    }

    /// Tells where a file the worker wrote went, or why it did not.
    fn written(&mut self, result: Result<PathBuf, String>, what: &str) {
        let message = match result {
            Ok(path) => format!("Saved {what} to {}", path.display()),
            Err(e) => e,
        };
        self.set_status(message);
    }

    fn unlocked(&mut self, result: Result<worker::OpenedVault, crate::store::StoreError>) {
        let Screen::Unlock(unlock) = &mut self.screen else {
            return;
        };
        match result {
            Ok(opened) => {
                self.remember_vault(opened.path.clone());
                // A vault synced before logs in again (the thread reads its
                // NAME.sync.json; no network at all when offline).
                if let Some(password) = self.unlock_password.take()
                    && !self.settings.offline
                {
                    let path = opened.path.clone();
                    self.sync.send(sync::SyncJob::Resume { path, password });
                }
                self.screen = Screen::Vault(Box::new(Session::new(opened)));
                self.last_activity = Instant::now();
            }
            Err(e) => {
                self.unlock_password = None;
                unlock.failed(&e);
            }
        }
    }

    fn drain_sync(&mut self) {
        while let Some(reply) = self.sync.try_recv() {
            if let sync::SyncReply::Downloaded(result) = reply {
                self.downloaded(result);
                continue;
            }
            let Screen::Vault(session) = &mut self.screen else {
                continue;
            };
            let view = &mut session.sync;
            view.form.busy = false;
            match reply {
                sync::SyncReply::LoggedIn(Ok(account)) => {
                    view.status = Some(format!("Logged in to {}", account.server));
                    view.account = Some(account);
                    view.form.password = crate::vault::SecretText::default();
                    view.wanted = true;
                }
                sync::SyncReply::LoggedIn(Err(e)) => view.status = Some(format!("Sync: {e}")),
                sync::SyncReply::Synced(Ok(synced)) => session.adopt_synced(*synced),
                sync::SyncReply::Synced(Err(e)) => {
                    view.in_flight = false;
                    view.last_sync = Some(Instant::now());
                    view.status = Some(format!("Sync failed: {e}"));
                }
                sync::SyncReply::LoggedOut => {
                    view.account = None;
                    view.status = Some("Logged out of the sync server".into());
                }
                sync::SyncReply::Downloaded(_) => {}
                sync::SyncReply::Deleted(Ok(())) => {
                    view.account = None;
                    view.status =
                        Some("The sync account and its copy of the vault were deleted".into());
                }
                sync::SyncReply::Deleted(Err(e)) => view.status = Some(format!("Not deleted: {e}")),
            }
        }
    }

    /// Sends a job to the sync thread, unless offline mode forbids the
    /// network (logging out still forgets the account locally).
    fn send_sync(&mut self, job: sync::SyncJob) {
        let needs_network = !matches!(job, sync::SyncJob::Forget);
        if self.settings.offline && needs_network {
            let message = "Qvault is in offline mode: turn it off in Settings to sync".to_owned();
            if let Screen::FirstRun(first_run) = &mut self.screen {
                first_run.download_failed(message);
            } else {
                self.set_status(message);
            }
            return;
        }
        self.sync.send(job);
    }

    /// Sends a job to the worker, keeping an unlock's password until the
    /// answer (see `unlock_password`).
    fn send_job(&mut self, job: Job) {
        if let Job::Unlock {
            credential:
                crate::store::Credential::Password(password)
                | crate::store::Credential::PasswordAndQrKey(password, _),
            ..
        } = &job
        {
            self.unlock_password = Some(password.clone());
        }
        self.worker.send(job);
    }

    /// A new device's download: open the vault, logged in to its server.
    fn downloaded(&mut self, result: Result<Box<worker::OpenedVault>, String>) {
        let Screen::FirstRun(first_run) = &mut self.screen else {
            return;
        };
        match result {
            Ok(opened) => {
                self.remember_vault(opened.path.clone());
                let state = crate::sync::engine::read_state(&opened.path);
                let mut session = Session::new(*opened);
                session.sync.account = state.map(|s| sync::Account {
                    server: s.server,
                    email: s.email,
                });
                session.sync.last_sync = Some(Instant::now());
                session.sync.status = Some("Downloaded from the sync server".into());
                self.screen = Screen::Vault(Box::new(session));
                self.last_activity = Instant::now();
            }
            Err(e) => first_run.download_failed(e),
        }
    }

    /// Starts a sync when one is due (wanted, or five minutes on) and the
    /// vault is saved; never while offline.
    fn sync_when_due(&mut self) {
        let Screen::Vault(session) = &mut self.screen else {
            return;
        };
        let view = &session.sync;
        if self.settings.offline || view.account.is_none() || view.in_flight {
            return;
        }
        let periodic = view
            .last_sync
            .is_none_or(|at| at.elapsed() >= sync::SYNC_EVERY);
        // After a save, give the user a moment to go on typing first.
        let settled = session
            .saved_at
            .and_then(|at| at.elapsed().ok())
            .is_none_or(|age| age >= sync::SYNC_AFTER_SAVE);
        if !((view.wanted && settled) || periodic) {
            return;
        }
        if let Some((opened, stamp)) = session.sync_snapshot() {
            session.sync.wanted = false;
            session.sync.in_flight = true;
            session.sync.status = Some("Syncing…".into());
            self.sync.send(sync::SyncJob::Sync {
                path: session.path().to_owned(),
                opened,
                stamp,
            });
        }
    }

    fn remember_vault(&mut self, path: PathBuf) {
        if self.settings.last_vault.as_ref() != Some(&path) {
            self.settings.last_vault = Some(path);
            self.persist_settings();
        }
    }

    fn persist_settings(&self) {
        let job = Job::SaveSettings {
            path: self.settings_path.clone(),
            settings: self.settings.clone(),
        };
        self.worker.send(job);
    }

    fn run_timers(&mut self, ctx: &egui::Context) {
        let active = ctx.input(|i| !i.events.is_empty() || i.pointer.is_moving());
        if active {
            self.last_activity = Instant::now();
        }
        self.clipboard.tick();
        if self
            .settings_changed_at
            .is_some_and(|at| at.elapsed() >= Duration::from_millis(500))
        {
            self.settings_changed_at = None;
            self.persist_settings();
        }
        if self.settings_changed_at.is_some() {
            ctx.request_repaint_after(Duration::from_millis(500));
        }
        // Drained on every screen, so a lock while locked is not kept for
        // after the next unlock.
        #[cfg(target_os = "linux")]
        let lock_request = self
            .lock_requests
            .as_ref()
            .and_then(|requests| requests.try_iter().last());
        #[cfg(not(target_os = "linux"))]
        let lock_request: Option<()> = None;
        if let Screen::Vault(session) = &mut self.screen {
            if let Some(job) = session.autosave_job() {
                self.worker.send(job);
            }
            if let Some(reason) = lock_request {
                log::info!("locking: {reason:?}");
                self.commands.push(Command::Lock);
            }
            let minutes = self.settings.lock_after_minutes;
            if minutes > 0
                && self.last_activity.elapsed() >= Duration::from_secs(u64::from(minutes) * 60)
            {
                self.commands.push(Command::Lock);
            }
            ctx.request_repaint_after(Duration::from_millis(500));
        }
        self.sync_when_due();
        if self.clipboard.seconds_left().is_some() {
            ctx.request_repaint_after(Duration::from_millis(500));
        }
    }

    fn shortcuts(&mut self, ctx: &egui::Context) {
        let lock = egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::L);
        if self.is_unlocked() && ctx.input_mut(|i| i.consume_shortcut(&lock)) {
            self.commands.push(Command::Lock);
        }
        if let Screen::Vault(session) = &mut self.screen {
            session.shortcuts(ctx, &mut self.dialogs);
        }
    }

    fn status_bar_ui(&mut self, ui: &mut egui::Ui) {
        let clipboard = self.clipboard.seconds_left();
        let status = self
            .status
            .as_ref()
            .filter(|(_, at)| at.elapsed() < Duration::from_secs(8))
            .map(|(text, _)| text.clone());
        if clipboard.is_none() && status.is_none() {
            return;
        }
        egui::Panel::bottom("status").show(ui, |ui| {
            ui.horizontal(|ui| {
                if let Some(text) = status {
                    ui.label(text);
                }
                if let Some(secs) = clipboard {
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        ui.label(format!("Clipboard clears in {secs} s"));
                    });
                }
            });
        });
    }

    pub(crate) fn set_status(&mut self, text: String) {
        self.status = Some((text, Instant::now()));
    }

    fn file_dialog_ui(&mut self, ctx: &egui::Context) {
        self.file_dialog.update(ctx);
        let Some(path) = self.file_dialog.take_picked() else {
            return;
        };
        let Some(purpose) = self.file_purpose.take() else {
            return;
        };
        match purpose {
            FilePurpose::NewVaultLocation => {
                if let Screen::FirstRun(first_run) = &mut self.screen {
                    first_run.set_path(&path);
                }
            }
            FilePurpose::OpenVault => {
                // Never replace an open vault from a picker left open.
                if !self.is_unlocked() {
                    self.screen = Screen::Unlock(Box::new(UnlockScreen::new(path)));
                }
            }
            FilePurpose::SaveQrPng(png) => {
                self.worker.send(Job::WritePng { path, png });
            }
            FilePurpose::AddAttachment(box_id, secret_id) => {
                self.worker.send(Job::ReadAttachment {
                    path,
                    box_id,
                    secret_id,
                });
            }
            FilePurpose::SaveAttachment { data, .. } => {
                self.worker.send(Job::WriteAttachment { path, data });
            }
            FilePurpose::UnlockQrKey => {
                self.worker.send(Job::ReadQrKey { path });
            }
            FilePurpose::TotpQr(box_id, secret_id) => {
                self.worker.send(Job::ReadQr {
                    path,
                    box_id,
                    secret_id,
                });
            }
            FilePurpose::ImportFile(which) => self.dialogs.import_file_picked(which, &path),
            FilePurpose::ExportTarget { password, .. } => {
                if let Screen::Vault(session) = &self.screen {
                    self.dialogs.export_started();
                    self.worker.send(Job::Export {
                        path,
                        vault_path: session.path().to_owned(),
                        vault: Box::new(session.vault.clone()),
                        password,
                    });
                }
            }
        }
    }

    /// Asks the user for a path with the in-window file dialog.
    pub(crate) fn pick_file(&mut self, purpose: FilePurpose) {
        let (title, start, file_name) = match &purpose {
            FilePurpose::NewVaultLocation => (
                "Where should the new vault live?",
                crate::paths::data_dir(),
                "vault.qvault",
            ),
            FilePurpose::OpenVault => ("Open a vault file", crate::paths::data_dir(), ""),
            FilePurpose::SaveQrPng(_) => (
                "Save the QR code as PNG",
                crate::paths::home_dir(),
                "qr-code.png",
            ),
            FilePurpose::AddAttachment(..) => (
                "Attach a file (at most 10 MB)",
                crate::paths::home_dir(),
                "",
            ),
            FilePurpose::SaveAttachment { name, .. } => (
                "Save the attachment",
                crate::paths::home_dir(),
                name.as_str(),
            ),
            FilePurpose::TotpQr(..) => (
                "An image of the TOTP QR code (PNG or JPEG)",
                crate::paths::home_dir(),
                "",
            ),
            FilePurpose::UnlockQrKey => (
                "An image of this vault's QR key (PNG or JPEG)",
                crate::paths::home_dir(),
                "",
            ),
            FilePurpose::ImportFile(which) => (
                match which {
                    transfer::ImportFile::Source => "The file to import",
                    transfer::ImportFile::KeyFile => "The KeePass key file",
                    transfer::ImportFile::QrKey => "An image of the Qvault QR key",
                },
                crate::paths::home_dir(),
                "",
            ),
            FilePurpose::ExportTarget { csv, .. } => (
                "Save the export",
                crate::paths::home_dir(),
                transfer::export_file_name(*csv),
            ),
        };
        let config = self.file_dialog.config_mut();
        config.title = Some(title.to_owned());
        config.initial_directory = crate::paths::existing_ancestor(&start);
        config.opening_mode = egui_file_dialog::OpeningMode::AlwaysInitialDir;
        file_name.clone_into(&mut config.default_file_name);
        match &purpose {
            FilePurpose::OpenVault
            | FilePurpose::AddAttachment(..)
            | FilePurpose::TotpQr(..)
            | FilePurpose::UnlockQrKey
            | FilePurpose::ImportFile(_) => {
                self.file_dialog.pick_file();
            }
            FilePurpose::NewVaultLocation
            | FilePurpose::SaveQrPng(_)
            | FilePurpose::SaveAttachment { .. }
            | FilePurpose::ExportTarget { .. } => {
                self.file_dialog.save_file();
            }
        }
        self.file_purpose = Some(purpose);
    }

    fn apply_commands(&mut self, ctx: &egui::Context) {
        for command in std::mem::take(&mut self.commands) {
            self.apply(ctx, command);
        }
    }

    fn apply(&mut self, ctx: &egui::Context, command: Command) {
        match command {
            Command::Lock => self.lock(ctx),
            Command::ShowCreate => {
                let path = crate::paths::default_vault_path();
                let path = if path.exists() {
                    crate::paths::data_dir().join("new.qvault")
                } else {
                    path
                };
                self.screen = Screen::FirstRun(Box::new(FirstRun::new(&path)));
            }
            Command::Copy { label, value } => {
                let secs = self.settings.clear_clipboard_after_secs.max(1);
                let message = match self
                    .clipboard
                    .copy(&value, Duration::from_secs(u64::from(secs)))
                {
                    Ok(()) => format!("Copied {label}"),
                    Err(e) => e,
                };
                self.set_status(message);
            }
            Command::ShowQr {
                label,
                value,
                show_text,
            } => self.dialogs.show_qr(ctx, &label, &value, show_text),
            Command::OpenSettings => self.dialogs.open_settings(),
            Command::OpenAbout => self.update.open_about(),
            Command::OpenGenerator { target } => self.dialogs.open_generator(target),
            Command::Send(job) => self.send_job(job),
            Command::Sync(job) => self.send_sync(job),
            Command::SavePng(png) => self.pick_file(FilePurpose::SaveQrPng(png)),
            Command::PersistSettings => self.settings_changed_at = Some(Instant::now()),
            Command::OpenFile => self.pick_file(FilePurpose::OpenVault),
            Command::PickQrKeyImage => self.pick_file(FilePurpose::UnlockQrKey),
            Command::BrowseNewVault => self.pick_file(FilePurpose::NewVaultLocation),
            Command::Status(text) => self.set_status(text),
            Command::NewBox => self.dialogs.open_new_box(),
            Command::RenameBox(id) => {
                if let Screen::Vault(session) = &self.screen
                    && let Some(vault_box) = session.vault.box_by_id(id)
                {
                    self.dialogs.open_rename_box(id, &vault_box.name);
                }
            }
            Command::DeleteBox(id) => self.dialogs.open_delete_box(id),
            Command::NewWallet(box_id) => self.dialogs.open_new_wallet(box_id),
            Command::OpenWatchOnly => self.dialogs.open_watch_only(),
            Command::Used(box_id, secret_id) => self.mark_used(box_id, secret_id),
            Command::RemoveAttachment(box_id, secret_id, attachment_id) => {
                self.ask_remove_attachment((box_id, secret_id, attachment_id));
            }
            Command::OpenTrash => self.dialogs.open_trash(),
            command @ (Command::OpenImport
            | Command::OpenExport
            | Command::PickImportFile(_)
            | Command::PickExportFile { .. }) => self.apply_transfer(command),
            Command::AddAttachment(box_id, secret_id) => {
                self.pick_file(FilePurpose::AddAttachment(box_id, secret_id));
            }
            Command::TotpFromQr(box_id, secret_id) => {
                self.pick_file(FilePurpose::TotpQr(box_id, secret_id));
            }
            Command::SaveAttachment { name, data } => {
                self.pick_file(FilePurpose::SaveAttachment { name, data });
            }
            Command::PreviewAttachment { name, data } => {
                self.dialogs.preview_loading(&name);
                self.worker.send(Job::DecodePreview { name, data });
            }
            Command::OpenHistory(box_id, secret_id) => {
                self.dialogs.open_history(box_id, secret_id);
            }
            Command::OpenHealth => {
                if let Screen::Vault(session) = &self.screen {
                    self.dialogs.open_health();
                    self.worker.send(Job::Health {
                        vault: Box::new(session.vault.clone()),
                        now_ms: crate::vault::now_ms(),
                    });
                }
            }
            Command::DeleteSecret(box_id, secret_id) => {
                self.dialogs.open_delete_secret(box_id, secret_id);
            }
            Command::FinishFirstRun => {
                if let Screen::FirstRun(first_run) = &mut self.screen
                    && let Some(opened) = first_run.take_finished()
                {
                    self.screen = Screen::Vault(Box::new(Session::new(opened)));
                    self.last_activity = Instant::now();
                }
            }
        }
    }

    /// Asks before removing an attachment (box, secret, attachment ids).
    fn ask_remove_attachment(&mut self, ids: (uuid::Uuid, uuid::Uuid, uuid::Uuid)) {
        let (box_id, secret_id, attachment_id) = ids;
        if let Screen::Vault(session) = &self.screen
            && let Some(attachment) = session
                .vault
                .box_by_id(box_id)
                .and_then(|b| b.secret(secret_id))
                .and_then(|s| s.attachments.iter().find(|a| a.id == attachment_id))
        {
            self.dialogs.open_remove_attachment(ids, &attachment.name);
        }
    }

    /// The import wizard's and the export dialog's commands.
    fn apply_transfer(&mut self, command: Command) {
        match command {
            Command::OpenImport => self.dialogs.open_import(),
            Command::OpenExport => self.dialogs.open_export(),
            Command::PickImportFile(which) => self.pick_file(FilePurpose::ImportFile(which)),
            Command::PickExportFile { csv, password } => {
                self.pick_file(transfer::export_purpose(csv, password));
            }
            _ => {}
        }
    }

    /// Notes that a value of the secret was copied ("Recently used").
    fn mark_used(&mut self, box_id: uuid::Uuid, secret_id: uuid::Uuid) {
        if let Screen::Vault(session) = &mut self.screen
            && session.vault.mark_used(box_id, secret_id).is_ok()
        {
            session.touched();
        }
    }

    /// Drops the vault key and decrypted data, saves pending edits first,
    /// clears the clipboard and egui's text-edit memory and undo history.
    pub fn lock(&mut self, ctx: &egui::Context) {
        let Screen::Vault(session) = std::mem::replace(
            &mut self.screen,
            Screen::Unlock(Box::new(UnlockScreen::new(PathBuf::new()))),
        ) else {
            return;
        };
        let path = session.path().to_owned();
        if let Some(job) = session.into_final_save() {
            self.worker.send(job);
        }
        self.screen = Screen::Unlock(Box::new(UnlockScreen::new(path)));
        // The sync thread drops its token and the password it held, and any
        // answer still coming from this session is ignored.
        self.sync.forget();
        self.dialogs = Dialogs::default();
        // A "Save as PNG" picker may hold a secret's QR image: drop it.
        self.file_purpose = None;
        self.file_dialog = FileDialog::new().title("Choose a vault file");
        self.clipboard.clear_now();
        ctx.memory_mut(|memory| {
            memory.data.clear();
            memory.stop_text_input();
        });
        self.set_status("Locked".into());
    }
}

impl eframe::App for QvaultApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.frame_ui(ui);
        if self.report_first_frame {
            // benches/first_frame.sh: print when the first frame is drawn, then quit.
            self.report_first_frame = false;
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
            println!("first-frame-unix-ns {}", now.map_or(0, |d| d.as_nanos()));
            ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        if let Screen::Vault(session) = std::mem::replace(
            &mut self.screen,
            Screen::Unlock(Box::new(UnlockScreen::new(PathBuf::new()))),
        ) && let Some(job) = session.into_final_save()
        {
            self.worker.send(job);
        }
        if self.settings_changed_at.take().is_some() {
            self.persist_settings();
        }
        // The window is closing: wait for the queued saves to reach the disk.
        self.worker.finish();
        self.clipboard.clear_now();
    }
}
