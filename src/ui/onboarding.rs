//! The screens before a vault is open: first run (where the vault lives, the
//! master password, the recovery code) and unlock (password or recovery
//! code). Key derivation runs on the worker; these screens show a spinner.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::Command;
use super::keyboard::OnScreenKeyboard;
use super::widgets;
use super::worker::{Job, OpenedVault};
use crate::crypto::qr_key::QrKey;
use crate::crypto::recovery::RecoveryCode;
use crate::crypto::{KdfParams, Password};
use crate::settings::Settings;
use crate::store::{Credential, StoreError};
use crate::vault::SecretText;

/// A new password typed twice, with its zxcvbn strength.
#[derive(Default)]
pub(crate) struct PasswordPair {
    pub password: SecretText,
    pub confirm: SecretText,
    pub accept_weak: bool,
}

impl PasswordPair {
    /// Draws both fields and the strength meter; returns true when Enter was
    /// pressed in the second field.
    pub fn ui(&mut self, ui: &mut egui::Ui, first_label: &str) -> bool {
        widgets::secret_field(ui, first_label, &mut self.password, true);
        let score = widgets::strength_ui(ui, self.password.as_str());
        let entered = widgets::secret_field(ui, "Repeat the password", &mut self.confirm, true)
            .lost_focus()
            && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if !self.confirm.is_empty() && self.confirm != self.password {
            ui.colored_label(ui.visuals().error_fg_color, "The two passwords differ.");
        }
        if score.is_some_and(|s| s < 2) {
            ui.checkbox(&mut self.accept_weak, "Use this weak password anyway");
        }
        entered
    }

    /// The password when both fields agree and it is acceptable.
    pub fn ready(&self) -> Option<Password> {
        if self.password.is_empty() || self.password != self.confirm {
            return None;
        }
        let score = u8::from(zxcvbn::zxcvbn(self.password.as_str(), &[]).score());
        (score >= 2 || self.accept_weak).then(|| Password::new(self.password.as_str()))
    }
}

enum FirstRunStep {
    Setup,
    Creating,
    Recovery {
        code: zeroize::Zeroizing<String>,
        stored: bool,
    },
}

/// The first-run wizard.
pub(crate) struct FirstRun {
    path_text: String,
    pair: PasswordPair,
    step: FirstRunStep,
    error: Option<String>,
    opened: Option<OpenedVault>,
    qr: Option<egui::TextureHandle>,
    /// "Download my vault" for a new device of a sync account.
    download: super::sync::SyncForm,
}

impl FirstRun {
    pub fn new(path: &std::path::Path) -> Self {
        Self {
            path_text: path.display().to_string(),
            pair: PasswordPair::default(),
            step: FirstRunStep::Setup,
            error: None,
            opened: None,
            qr: None,
            download: super::sync::SyncForm::default(),
        }
    }

    pub fn download_failed(&mut self, error: String) {
        self.download.busy = false;
        self.error = Some(error);
    }

    pub fn set_path(&mut self, path: &std::path::Path) {
        self.path_text = path.display().to_string();
    }

    pub fn created(
        &mut self,
        ctx: &egui::Context,
        result: Result<(OpenedVault, RecoveryCode), StoreError>,
    ) {
        match result {
            Ok((opened, code)) => {
                let code = code.to_display_string();
                self.qr = widgets::qr_texture(ctx, "recovery-code", &code).ok();
                self.step = FirstRunStep::Recovery {
                    code,
                    stored: false,
                };
                self.opened = Some(opened);
                self.pair = PasswordPair::default();
            }
            Err(e) => {
                self.step = FirstRunStep::Setup;
                self.error = Some(e.to_string());
            }
        }
    }

    /// The opened vault, once the user confirmed storing the recovery code.
    pub fn take_finished(&mut self) -> Option<OpenedVault> {
        match self.step {
            FirstRunStep::Recovery { stored: true, .. } => self.opened.take(),
            _ => None,
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        egui::CentralPanel::default().show(ui, |ui| {
            widgets::centered_column(ui, 460.0, |ui| {
                ui.heading("Create your Qvault");
                ui.add_space(8.0);
                match &mut self.step {
                    FirstRunStep::Setup => self.setup_ui(ui, commands),
                    FirstRunStep::Creating => {
                        ui.horizontal(|ui| {
                            ui.spinner();
                            ui.label("Creating the vault…");
                        });
                    }
                    FirstRunStep::Recovery { .. } => self.recovery_ui(ui, commands),
                }
            });
        });
    }

    fn setup_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        ui.label("Where the vault file lives:");
        ui.horizontal(|ui| {
            let label = ui.label("Vault file");
            ui.add(egui::TextEdit::singleline(&mut self.path_text).desired_width(300.0))
                .labelled_by(label.id);
            if ui.button("Browse…").clicked() {
                commands.push(Command::BrowseNewVault);
            }
        });
        ui.add_space(8.0);
        ui.label("Choose a master password. It cannot be recovered without the recovery code.");
        let entered = self.pair.ui(ui, "Master password");
        if let Some(error) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, error);
        }
        ui.add_space(8.0);
        let ready = self.pair.ready();
        let clicked = ui
            .add_enabled(ready.is_some(), egui::Button::new("Create vault"))
            .clicked();
        if let (Some(password), true) = (ready, clicked || entered) {
            self.error = None;
            self.step = FirstRunStep::Creating;
            let path = PathBuf::from(self.path_text.trim());
            commands.push(Command::Send(Job::Create {
                path,
                password,
                kdf: KdfParams::DEFAULT,
            }));
        }
        ui.add_space(16.0);
        if ui.link("Open an existing vault…").clicked() {
            commands.push(Command::OpenFile);
        }
        ui.add_space(8.0);
        egui::CollapsingHeader::new("Download my vault (a new device of a sync account)")
            .show(ui, |ui| self.download_ui(ui, commands));
    }

    fn download_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        let form = &mut self.download;
        egui::Grid::new("download-form")
            .num_columns(2)
            .show(ui, |ui| {
                let label = ui.label("Server URL");
                ui.add(egui::TextEdit::singleline(&mut form.server).desired_width(260.0))
                    .labelled_by(label.id);
                ui.end_row();
                let label = ui.label("Email");
                ui.add(egui::TextEdit::singleline(&mut form.email).desired_width(260.0))
                    .labelled_by(label.id);
                ui.end_row();
                widgets::secret_field(ui, "Account master password", &mut form.password, false);
                ui.end_row();
            });
        ui.checkbox(
            &mut form.allow_http,
            "Allow plain HTTP (a server on this computer)",
        );
        let ready = !form.busy
            && !form.server.trim().is_empty()
            && form.email.contains('@')
            && !form.password.is_empty();
        ui.horizontal(|ui| {
            if ui
                .add_enabled(ready, egui::Button::new("Download my vault"))
                .clicked()
            {
                form.busy = true;
                self.error = None;
                commands.push(Command::Sync(super::sync::SyncJob::Download {
                    path: PathBuf::from(self.path_text.trim()),
                    server: form.server.trim().to_owned(),
                    email: form.email.trim().to_owned(),
                    password: crate::crypto::Password::new(form.password.as_str()),
                    allow_http: form.allow_http,
                }));
                form.password = crate::vault::SecretText::default();
            }
            if form.busy {
                ui.spinner();
                ui.label("Downloading…");
            }
        });
    }

    fn recovery_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        let FirstRunStep::Recovery { code, stored } = &mut self.step else {
            return;
        };
        ui.label(
            "This is your recovery code. It unlocks the vault if you forget the master \
             password. It is shown only now: write it down or save it somewhere safe.",
        );
        ui.add_space(6.0);
        ui.label(
            egui::RichText::new(code.as_str())
                .monospace()
                .size(18.0)
                .strong(),
        );
        if let Some(texture) = &self.qr {
            ui.add(egui::Image::new(texture).fit_to_exact_size(egui::vec2(220.0, 220.0)));
        }
        ui.horizontal(|ui| {
            if ui.button("Copy code").clicked() {
                commands.push(Command::Copy {
                    label: "the recovery code".into(),
                    value: code.clone(),
                });
            }
            if ui.button("Save as PNG").clicked()
                && let Ok(png) = crate::qr::QrGrid::encode(code).and_then(|g| g.to_png())
            {
                commands.push(Command::SavePng(png));
            }
        });
        ui.checkbox(stored, "I have stored my recovery code somewhere safe");
        if ui
            .add_enabled(*stored, egui::Button::new("Open my vault"))
            .clicked()
        {
            commands.push(Command::FinishFirstRun);
        }
    }
}

/// How long the unlock screen makes the user wait after `failures` wrong
/// passwords or recovery codes in a row: nothing after one or two (typos),
/// 5 s after the third, doubling with each further one up to 5 minutes. This paces guessing at the window;
/// the KDF is what protects a copied file.
pub(crate) fn unlock_delay(failures: u32) -> Duration {
    match failures {
        0..=2 => Duration::ZERO,
        n => Duration::from_secs((5u64 << (n - 3).min(6)).min(300)),
    }
}

/// The unlock screen.
#[allow(
    clippy::struct_excessive_bools,
    reason = "independent states of one form (recovery mode, busy, focus, QR key asked)"
)]
pub(crate) struct UnlockScreen {
    path: PathBuf,
    password: SecretText,
    recovery_text: SecretText,
    notice: Option<String>,
    use_recovery: bool,
    busy: bool,
    error: Option<String>,
    focus: bool,
    /// Wrong passwords or codes in a row, and when the next try is allowed.
    failures: u32,
    retry_at: Option<Instant>,
    keyboard: OnScreenKeyboard,
    /// Shown once the vault said it needs its QR key: the key read from an
    /// image, or typed (pasted) as text.
    needs_qr_key: bool,
    qr_key: Option<QrKey>,
    qr_key_text: SecretText,
}

impl UnlockScreen {
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            password: SecretText::default(),
            recovery_text: SecretText::default(),
            notice: None,
            use_recovery: false,
            busy: false,
            error: None,
            focus: true,
            failures: 0,
            retry_at: None,
            keyboard: OnScreenKeyboard::default(),
            needs_qr_key: false,
            qr_key: None,
            qr_key_text: SecretText::default(),
        }
    }

    /// A message that stays on the screen (e.g. a lock-time save that failed).
    pub fn set_notice(&mut self, notice: String) {
        self.notice = Some(notice);
    }

    pub fn failed(&mut self, error: &StoreError) {
        self.busy = false;
        self.focus = true;
        // Only a missing QR key keeps the typed password: it was not wrong.
        let qr_key_missing = matches!(
            error,
            StoreError::Format {
                source: crate::store::FormatError::QrKeyRequired,
                ..
            }
        );
        if !qr_key_missing {
            self.password = SecretText::default();
        }
        if matches!(
            error,
            StoreError::Format {
                source: crate::store::FormatError::QrKeyRequired
                    | crate::store::FormatError::WrongPasswordOrQrKey,
                ..
            }
        ) {
            self.needs_qr_key = true;
        }
        if matches!(
            error,
            StoreError::Format {
                source: crate::store::FormatError::WrongPassword
                    | crate::store::FormatError::WrongRecoveryCode
                    | crate::store::FormatError::WrongPasswordOrQrKey,
                ..
            }
        ) {
            self.failures += 1;
            let delay = unlock_delay(self.failures);
            self.retry_at = (!delay.is_zero()).then(|| Instant::now() + delay);
        }
        self.error = Some(match error {
            StoreError::Format {
                source: crate::store::FormatError::WrongPassword,
                ..
            } => "Wrong password. Try again, or unlock with your recovery code.".into(),
            StoreError::Format {
                source: crate::store::FormatError::WrongRecoveryCode,
                ..
            } => "Wrong recovery code. Check it and try again.".into(),
            StoreError::Format {
                source: crate::store::FormatError::QrKeyRequired,
                ..
            } => "This vault needs its QR key as well as the password: choose the image of the \
                  QR key, or paste its text."
                .into(),
            StoreError::Format {
                source: crate::store::FormatError::WrongPasswordOrQrKey,
                ..
            } => "Wrong password or QR key. Try again, or unlock with your recovery code (it \
                  needs no QR key)."
                .into(),
            e if e.is_damaged() => format!(
                "{e}. Nothing was changed. Open the backup if there is one, or restore the file \
                 from your own backups."
            ),
            e => e.to_string(),
        });
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, settings: &mut Settings, commands: &mut Vec<Command>) {
        egui::CentralPanel::default().show(ui, |ui| {
            widgets::centered_column(ui, 420.0, |ui| {
                ui.heading("Unlock Qvault");
                ui.label(
                    egui::RichText::new(self.path.display().to_string())
                        .small()
                        .weak(),
                );
                ui.add_space(8.0);
                if self.busy {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("Unlocking…");
                    });
                } else {
                    self.form_ui(ui, settings, commands);
                }
                if let Some(error) = &self.error {
                    ui.add_space(6.0);
                    ui.colored_label(ui.visuals().error_fg_color, error);
                }
                if let Some(notice) = &self.notice {
                    ui.add_space(6.0);
                    ui.colored_label(ui.visuals().warn_fg_color, notice);
                }
                ui.add_space(16.0);
                ui.horizontal(|ui| {
                    if ui.link("Open another vault…").clicked() {
                        commands.push(Command::OpenFile);
                    }
                    if ui.link("Create a new vault").clicked() {
                        commands.push(Command::ShowCreate);
                    }
                });
            });
        });
    }

    /// The text of the QR code in the image the user chose.
    pub fn qr_key_read(&mut self, text: Result<zeroize::Zeroizing<String>, String>) {
        match text.map(|t| QrKey::parse(&t)) {
            Ok(Ok(key)) => {
                self.qr_key = Some(key);
                self.qr_key_text = SecretText::default();
                self.error = None;
            }
            Ok(Err(e)) => self.error = Some(format!("That image holds no QR key: {e}.")),
            Err(e) => self.error = Some(format!("The QR key could not be read: {e}")),
        }
    }

    /// The QR key part of the form, once the vault asked for it.
    fn qr_key_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        ui.add_space(4.0);
        ui.strong("QR key");
        ui.horizontal(|ui| {
            if ui.button("Choose QR key image…").clicked() {
                commands.push(Command::PickQrKeyImage);
            }
            if self.qr_key.is_some() {
                ui.label("✔ QR key read from the image");
                if ui.small_button("Forget").clicked() {
                    self.qr_key = None;
                }
            }
        });
        if self.qr_key.is_none() {
            widgets::secret_field(ui, "QR key text", &mut self.qr_key_text, false);
        }
    }

    /// The time left before another try, if the screen is pacing tries.
    fn waiting(&mut self) -> Option<Duration> {
        let left = self.retry_at?.saturating_duration_since(Instant::now());
        if left.is_zero() {
            self.retry_at = None;
            None
        } else {
            Some(left)
        }
    }

    fn form_ui(&mut self, ui: &mut egui::Ui, settings: &mut Settings, commands: &mut Vec<Command>) {
        let response = if self.use_recovery {
            let label = ui.label("Recovery code");
            ui.add(
                egui::TextEdit::singleline(&mut self.recovery_text)
                    .hint_text("XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX")
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id)
        } else {
            widgets::secret_field(ui, "Master password", &mut self.password, false)
        };
        // Ask once the window itself has keyboard focus (a request made
        // before the platform focuses the window is lost), and only once:
        // asking again every frame kept typed keys from reaching the field.
        if self.focus && ui.input(|i| i.focused) {
            response.request_focus();
            self.focus = false;
        }
        let mut entered = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if !self.use_recovery && settings.onscreen_keyboard {
            entered |= self
                .keyboard
                .ui(ui, &mut self.password, settings.shuffle_keyboard);
        }
        if self.needs_qr_key && !self.use_recovery {
            self.qr_key_ui(ui, commands);
        }
        let waiting = self.waiting();
        if let Some(left) = waiting {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!(
                    "{} wrong tries in a row: wait {} s before the next one.",
                    self.failures,
                    left.as_secs() + 1
                ),
            );
            ui.ctx().request_repaint_after(Duration::from_millis(250));
        }
        ui.horizontal(|ui| {
            let unlock = ui.add_enabled(waiting.is_none(), egui::Button::new("Unlock"));
            if unlock.clicked() || (entered && waiting.is_none()) {
                self.submit(commands);
                // egui keeps each field's text in its undo history: drop it.
                ui.ctx()
                    .data_mut(|d| d.remove::<egui::text_edit::TextEditState>(response.id));
            }
            let toggle = if self.use_recovery {
                "Use the master password"
            } else {
                "Use recovery code"
            };
            if ui.link(toggle).clicked() {
                self.use_recovery = !self.use_recovery;
                self.error = None;
                self.focus = true;
            }
        });
        if !self.use_recovery {
            ui.horizontal(|ui| {
                let before = (settings.onscreen_keyboard, settings.shuffle_keyboard);
                ui.checkbox(&mut settings.onscreen_keyboard, "On-screen keyboard");
                if settings.onscreen_keyboard {
                    ui.checkbox(&mut settings.shuffle_keyboard, "Shuffle the keys");
                }
                if before != (settings.onscreen_keyboard, settings.shuffle_keyboard) {
                    commands.push(Command::PersistSettings);
                }
            });
        }
    }

    fn submit(&mut self, commands: &mut Vec<Command>) {
        let credential = if self.use_recovery {
            match RecoveryCode::parse(self.recovery_text.as_str()) {
                Ok(code) => Credential::RecoveryCode(code),
                Err(e) => {
                    self.error = Some(format!("{e}."));
                    return;
                }
            }
        } else {
            if self.password.is_empty() {
                self.error = Some("Type your master password.".into());
                return;
            }
            let password = Password::new(self.password.as_str());
            if !self.needs_qr_key {
                Credential::Password(password)
            } else if let Some(key) = &self.qr_key {
                Credential::PasswordAndQrKey(password, key.clone())
            } else if self.qr_key_text.is_empty() {
                self.error = Some("Choose the QR key image, or paste the QR key's text.".into());
                return;
            } else {
                match QrKey::parse(self.qr_key_text.as_str()) {
                    Ok(key) => Credential::PasswordAndQrKey(password, key),
                    Err(e) => {
                        self.error = Some(format!("{e}."));
                        return;
                    }
                }
            }
        };
        // The password stays in its (zeroizing) field until the answer: a
        // vault that turns out to need its QR key keeps it for the next try.
        self.recovery_text = SecretText::default();
        self.busy = true;
        self.error = None;
        commands.push(Command::Send(Job::Unlock {
            path: self.path.clone(),
            credential,
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::unlock_delay;
    use std::time::Duration;

    #[test]
    fn typos_cost_nothing_then_the_wait_doubles_to_five_minutes() {
        let secs: Vec<u64> = (0..=12).map(|n| unlock_delay(n).as_secs()).collect();
        assert_eq!(secs, [0, 0, 0, 5, 10, 20, 40, 80, 160, 300, 300, 300, 300]);
        assert_eq!(unlock_delay(u32::MAX), Duration::from_mins(5));
    }
}
