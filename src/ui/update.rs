//! The update banner, the About dialog and the window icon. The release check runs once per
//! launch on the named thread `update-check`, started after the first frame;
//! installing runs on `update-install`. Both answer over a bounded channel
//! and wake the window with `request_repaint`. Nothing here waits on the
//! network.

use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, sync_channel};

use crate::settings::Settings;
use crate::update::{self, CheckOutcome, Offer, UpdateConfig};

use super::Command;

/// What the command line says about the check at start.
#[derive(Debug, Clone, Default)]
pub struct LaunchCheck {
    /// False with `--no-update-check` (and in tests).
    pub enabled: bool,
    /// `--manifest-url`, which wins over the settings' URL.
    pub manifest_url: Option<String>,
}

/// A worker's answer.
enum Event {
    Checked(Result<CheckOutcome, String>),
    Installed(Result<(), String>),
}

/// What the banner shows.
enum Banner {
    Hidden,
    Offered(Offer),
    Installing(Offer),
    Failed(Offer, String),
}

/// The update check's state in the window.
pub(crate) struct UpdateUi {
    launch: LaunchCheck,
    started: bool,
    events: Option<Receiver<Event>>,
    banner: Banner,
    about_open: bool,
}

impl UpdateUi {
    pub(crate) fn new(launch: LaunchCheck) -> Self {
        Self {
            launch,
            started: false,
            events: None,
            banner: Banner::Hidden,
            about_open: false,
        }
    }

    pub(crate) fn open_about(&mut self) {
        self.about_open = true;
    }

    /// Starts the check once, unless it is turned off (call after a frame
    /// has been drawn).
    pub(crate) fn start_after_first_frame(&mut self, ctx: &egui::Context, settings: &Settings) {
        if self.started {
            return;
        }
        self.started = true;
        if !self.launch.enabled || !settings.check_for_updates || settings.offline {
            log::debug!("update check is off");
            return;
        }
        let url = self.launch.manifest_url.clone();
        let config =
            UpdateConfig::for_this_build(url.or_else(|| settings.update_manifest_url.clone()));
        self.spawn("update-check", ctx, move || {
            Event::Checked(update::check(&config).map_err(|e| e.to_string()))
        });
    }

    /// Runs `work` on a named thread; its answer arrives in [`Self::drain`].
    fn spawn(
        &mut self,
        name: &str,
        ctx: &egui::Context,
        work: impl FnOnce() -> Event + Send + 'static,
    ) {
        let (sender, receiver): (SyncSender<Event>, _) = sync_channel(1);
        let ctx = ctx.clone();
        let spawned = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                // The window may be gone by now; then nobody needs the answer.
                let _ = sender.send(work());
                ctx.request_repaint();
            });
        match spawned {
            Ok(_) => self.events = Some(receiver),
            Err(e) => log::warn!("failed to start the {name} thread: {e}"),
        }
    }

    /// Takes a worker's answer, if one came (top of the frame).
    pub(crate) fn drain(&mut self, ctx: &egui::Context, settings: &Settings) {
        let Some(events) = &self.events else { return };
        let event = match events.try_recv() {
            Ok(event) => event,
            Err(TryRecvError::Empty) => return,
            Err(TryRecvError::Disconnected) => {
                self.events = None;
                return;
            }
        };
        self.events = None;
        match event {
            Event::Checked(outcome) => self.checked(outcome, settings),
            Event::Installed(result) => self.installed(ctx, result),
        }
    }

    fn checked(&mut self, outcome: Result<CheckOutcome, String>, settings: &Settings) {
        match outcome {
            Ok(CheckOutcome::Available(offer))
                if settings.skipped_version.as_deref() != Some(offer.version.as_str()) =>
            {
                log::info!("Qvault {} is available", offer.version);
                self.banner = Banner::Offered(offer);
            }
            Ok(_) => log::debug!("no newer release to offer"),
            // A failed check is not the user's problem at start: log it only.
            Err(e) => log::warn!("update check failed: {e}"),
        }
    }

    fn installed(&mut self, ctx: &egui::Context, result: Result<(), String>) {
        let offer = match std::mem::replace(&mut self.banner, Banner::Hidden) {
            Banner::Installing(offer) => offer,
            other => {
                self.banner = other;
                return;
            }
        };
        match result.and_then(|()| restart()) {
            Ok(()) => ctx.send_viewport_cmd(egui::ViewportCommand::Close),
            Err(e) => self.banner = Banner::Failed(offer, e),
        }
    }

    /// The banner across the top of the window, when there is something to offer.
    pub(crate) fn banner_ui(
        &mut self,
        ui: &mut egui::Ui,
        settings: &mut Settings,
        commands: &mut Vec<Command>,
    ) {
        let (offer, message) = match &self.banner {
            Banner::Hidden => return,
            Banner::Offered(offer) => (offer.clone(), None),
            Banner::Installing(offer) => (offer.clone(), Some("Downloading and checking…".into())),
            Banner::Failed(offer, e) => (offer.clone(), Some(format!("The update failed: {e}"))),
        };
        egui::Panel::top("update-banner").show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.label(format!("Qvault {} is available.", offer.version));
                if let Some(message) = message {
                    ui.label(message);
                }
                self.actions_ui(ui, &offer, settings, commands);
            });
        });
    }

    fn actions_ui(
        &mut self,
        ui: &mut egui::Ui,
        offer: &Offer,
        settings: &mut Settings,
        commands: &mut Vec<Command>,
    ) {
        let installing = matches!(self.banner, Banner::Installing(_));
        if ui
            .add_enabled(!installing, egui::Button::new("Install and restart"))
            .clicked()
        {
            self.start_install(ui.ctx(), offer.clone(), settings);
        }
        if let Some(url) = &offer.notes_url
            && ui.button("Release notes").clicked()
        {
            ui.ctx().open_url(egui::OpenUrl::new_tab(url));
        }
        if ui
            .add_enabled(!installing, egui::Button::new("Skip this version"))
            .clicked()
        {
            settings.skipped_version = Some(offer.version.clone());
            commands.push(Command::PersistSettings);
            self.banner = Banner::Hidden;
        }
    }

    fn start_install(&mut self, ctx: &egui::Context, offer: Offer, settings: &Settings) {
        let url = self.launch.manifest_url.clone();
        let config =
            UpdateConfig::for_this_build(url.or_else(|| settings.update_manifest_url.clone()));
        let job = offer.clone();
        self.banner = Banner::Installing(offer);
        self.spawn("update-install", ctx, move || {
            let result = std::env::current_exe()
                .map_err(|e| e.to_string())
                .and_then(|exe| update::install(&config, &job, &exe).map_err(|e| e.to_string()));
            Event::Installed(result)
        });
    }

    /// The About dialog: version, commit and build date.
    pub(crate) fn about_ui(&mut self, ctx: &egui::Context) {
        if !self.about_open {
            return;
        }
        let mut open = true;
        egui::Window::new("About Qvault")
            .collapsible(false)
            .resizable(false)
            .open(&mut open)
            .show(ctx, |ui| {
                ui.heading(format!("Qvault {}", update::VERSION));
                ui.label(format!("Commit {}", update::COMMIT));
                ui.label(format!("Built {}", update::BUILD_DATE));
                if let Some(dir) = crate::paths::portable_dir() {
                    ui.label(format!("Portable: files in {}", dir.display()));
                }
            });
        self.about_open = open;
    }
}

/// The window and taskbar icon (assets/icons), decoded at start.
pub(crate) fn window_icon() -> egui::IconData {
    let png = include_bytes!("../../assets/icons/qvault-256.png");
    match image::load_from_memory_with_format(png, image::ImageFormat::Png) {
        Ok(icon) => {
            let icon = icon.into_rgba8();
            egui::IconData {
                width: icon.width(),
                height: icon.height(),
                rgba: icon.into_raw(),
            }
        }
        Err(e) => {
            log::warn!("failed to decode the window icon: {e}");
            egui::IconData::default()
        }
    }
}

/// Starts the installed executable; the caller then closes this window.
fn restart() -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    std::process::Command::new(&exe)
        .spawn()
        .map(drop)
        .map_err(|e| {
            format!("installed, but failed to start it again ({e}); start Qvault yourself")
        })
}

/// The update preferences, for the settings dialog.
pub(crate) fn preferences_ui(ui: &mut egui::Ui, settings: &mut Settings) {
    ui.checkbox(
        &mut settings.offline,
        "Offline mode (no network connections)",
    );
    ui.add_enabled(
        !settings.offline,
        egui::Checkbox::new(
            &mut settings.check_for_updates,
            "Check for updates at start",
        ),
    );
    ui.horizontal(|ui| {
        let label = ui.label("Release manifest URL");
        let mut url = settings.update_manifest_url.clone().unwrap_or_default();
        let response = ui
            .add(egui::TextEdit::singleline(&mut url).hint_text(update::DEFAULT_MANIFEST_URL))
            .labelled_by(label.id);
        if response.changed() {
            settings.update_manifest_url = Some(url.trim().to_owned()).filter(|u| !u.is_empty());
        }
    });
}
