//! The windows over the main screen: new, rename and delete box, delete
//! secret, QR code, password generator and settings.

use uuid::Uuid;
use zeroize::Zeroizing;

use super::Command;
use super::session::Session;
use super::widgets;
use super::worker::Job;
use crate::crypto::Password;
use crate::crypto::generator::GeneratorSpec;
use crate::settings::{Settings, Theme};
use crate::vault::{BoxKind, SecretText};

/// Which draft field "Use this password" fills.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GeneratorTarget {
    pub box_id: Uuid,
    /// `None` for a new secret.
    pub secret_id: Option<Uuid>,
    pub field: String,
}

struct QrView {
    label: String,
    value: Zeroizing<String>,
    show_text: bool,
    texture: Option<egui::TextureHandle>,
    error: Option<String>,
}

#[expect(
    clippy::struct_excessive_bools,
    reason = "one bool per checkbox of the dialog"
)]
struct Generator {
    target: Option<GeneratorTarget>,
    passphrase: bool,
    length: usize,
    lower: bool,
    upper: bool,
    digits: bool,
    symbols: bool,
    avoid_look_alikes: bool,
    words: usize,
    separator: String,
    output: Zeroizing<String>,
    entropy_bits: f64,
}

/// What a password check in Settings is for.
enum PendingCheck {
    ChangePassword(Password),
    ShowRecovery,
    /// Make unlocking take about a second, keeping this (checked) password.
    CalibrateKdf(Password),
    ShowQrKey,
}

#[derive(Default)]
struct SettingsDialog {
    current: SecretText,
    new_pair: super::onboarding::PasswordPair,
    changing: bool,
    reveal_password: SecretText,
    revealing: bool,
    pending: Option<PendingCheck>,
    checked: Option<bool>,
    recovery: Option<(Zeroizing<String>, Option<egui::TextureHandle>)>,
    message: Option<String>,
    calibrate_password: SecretText,
    calibrating: bool,
    qr: QrKeyForm,
}

/// Settings → QR key: require, show, rotate or remove it.
#[derive(Default)]
struct QrKeyForm {
    /// What the typed password is for, once a button was pressed.
    action: Option<QrKeyAction>,
    password: SecretText,
    busy: bool,
    /// The key's text, to open in the QR dialog on the next frame.
    shown: Option<Zeroizing<String>>,
    message: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum QrKeyAction {
    /// Require a new key (also how a key is rotated).
    New,
    Remove,
    Show,
}

#[derive(Default)]
pub(crate) struct Dialogs {
    new_box: Option<(String, BoxKind)>,
    rename_box: Option<(Uuid, String)>,
    delete_box: Option<Uuid>,
    delete_secret: Option<(Uuid, Uuid)>,
    qr: Option<QrView>,
    generator: Option<Generator>,
    settings: Option<SettingsDialog>,
    new_wallet: Option<super::wallet::NewWallet>,
    watch_only: Option<super::wallet::WatchOnlyView>,
    health: Option<HealthView>,
    history: Option<super::history::HistoryView>,
    /// The trash dialog; the flag is "Empty trash" waiting for a yes.
    trash: Option<bool>,
    /// An attachment waiting for "Remove" to be confirmed: box, secret,
    /// attachment and its name.
    remove_attachment: Option<(Uuid, Uuid, Uuid, String)>,
    /// An attached image: its name and texture, or why it cannot be shown
    /// (`None` while the worker decodes it).
    preview: Option<(String, Option<Result<egui::TextureHandle, String>>)>,
    import: Option<super::transfer::ImportDialog>,
    export: Option<super::transfer::ExportDialog>,
}

/// The health dialog: waiting for the worker, or its report.
enum HealthView {
    Checking,
    Ready(Box<crate::vault::health::HealthReport>),
}

pub(super) fn window(title: &str) -> egui::Window<'_> {
    egui::Window::new(title)
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
}

/// A dialog whose height changes with its options (the generator): pinned
/// by its top edge so switching modes does not make it jump.
fn top_window(title: &str) -> egui::Window<'_> {
    window(title).anchor(egui::Align2::CENTER_TOP, [0.0, 60.0])
}

impl Dialogs {
    pub fn any_open(&self) -> bool {
        self.new_box.is_some()
            || self.rename_box.is_some()
            || self.delete_box.is_some()
            || self.delete_secret.is_some()
            || self.qr.is_some()
            || self.generator.is_some()
            || self.settings.is_some()
            || self.new_wallet.is_some()
            || self.watch_only.is_some()
            || self.health.is_some()
            || self.history.is_some()
            || self.trash.is_some()
            || self.preview.is_some()
            || self.remove_attachment.is_some()
            || self.import.is_some()
            || self.export.is_some()
    }

    pub fn open_import(&mut self) {
        self.import = Some(super::transfer::ImportDialog::default());
    }

    pub fn open_export(&mut self) {
        self.export = Some(super::transfer::ExportDialog::default());
    }

    pub fn import_file_picked(
        &mut self,
        which: super::transfer::ImportFile,
        path: &std::path::Path,
    ) {
        if let Some(dialog) = &mut self.import {
            dialog.picked(which, path);
        }
    }

    pub fn import_read(&mut self, outcome: super::worker::ImportOutcome, session: &Session) {
        if let Some(dialog) = &mut self.import {
            dialog.read(outcome, session);
        }
    }

    pub fn export_started(&mut self) {
        if let Some(dialog) = &mut self.export {
            dialog.started();
        }
    }

    pub fn export_finished(&mut self, result: Result<(std::path::PathBuf, usize), String>) {
        if let Some(dialog) = &mut self.export {
            dialog.finished(result);
        }
    }

    pub fn open_remove_attachment(&mut self, ids: (Uuid, Uuid, Uuid), name: &str) {
        self.remove_attachment = Some((ids.0, ids.1, ids.2, name.to_owned()));
    }

    pub fn preview_loading(&mut self, name: &str) {
        self.preview = Some((name.to_owned(), None));
    }

    /// The decoded image arrived; dropped if the preview was closed.
    pub fn preview_ready(
        &mut self,
        ctx: &egui::Context,
        name: &str,
        image: Result<egui::ColorImage, String>,
    ) {
        if let Some((open, slot)) = &mut self.preview
            && open == name
        {
            *slot = Some(image.map(|image| {
                ctx.load_texture("attachment-preview", image, egui::TextureOptions::LINEAR)
            }));
        }
    }

    fn preview_ui(&mut self, ctx: &egui::Context) {
        let Some((name, image)) = &self.preview else {
            return;
        };
        let mut close = false;
        window(&format!("Preview: {name}")).show(ctx, |ui| {
            match image {
                None => {
                    ui.spinner();
                }
                Some(Ok(texture)) => {
                    let size = texture.size_vec2();
                    let scale = (640.0 / size.x).min(480.0 / size.y).min(1.0);
                    ui.add(egui::Image::new(texture).fit_to_exact_size(size * scale));
                }
                Some(Err(e)) => {
                    ui.colored_label(ui.visuals().error_fg_color, e.as_str());
                }
            }
            close = ui.button("Close").clicked();
        });
        if close {
            self.preview = None;
        }
    }

    pub fn open_trash(&mut self) {
        self.trash = Some(false);
    }

    pub fn open_history(&mut self, box_id: Uuid, secret_id: Uuid) {
        self.history = Some(super::history::HistoryView::new(box_id, secret_id));
    }

    pub fn open_health(&mut self) {
        self.health = Some(HealthView::Checking);
    }

    /// The worker's report arrived; dropped if the dialog was closed.
    pub fn health_ready(&mut self, report: crate::vault::health::HealthReport) {
        if let Some(view) = &mut self.health {
            *view = HealthView::Ready(Box::new(report));
        }
    }

    pub fn open_new_wallet(&mut self, box_id: Uuid) {
        // Never replace words already on screen.
        if self.new_wallet.is_none() {
            self.new_wallet = Some(super::wallet::NewWallet::new(box_id));
        }
    }

    pub fn open_watch_only(&mut self) {
        self.watch_only = Some(super::wallet::WatchOnlyView::new());
    }

    pub fn open_new_box(&mut self) {
        self.new_box = Some((String::new(), BoxKind::Passwords));
    }

    pub fn open_rename_box(&mut self, id: Uuid, name: &str) {
        self.rename_box = Some((id, name.to_owned()));
    }

    pub fn open_delete_box(&mut self, id: Uuid) {
        self.delete_box = Some(id);
    }

    pub fn open_delete_secret(&mut self, box_id: Uuid, secret_id: Uuid) {
        self.delete_secret = Some((box_id, secret_id));
    }

    pub fn open_settings(&mut self) {
        self.settings = Some(SettingsDialog::default());
    }

    pub fn show_qr(&mut self, ctx: &egui::Context, label: &str, value: &str, show_text: bool) {
        let (texture, error) = match widgets::qr_texture(ctx, "field-qr", value) {
            Ok(texture) => (Some(texture), None),
            Err(e) => (None, Some(e.to_string())),
        };
        self.qr = Some(QrView {
            label: label.to_owned(),
            value: Zeroizing::new(value.to_owned()),
            show_text,
            texture,
            error,
        });
    }

    pub fn open_generator(&mut self, target: Option<GeneratorTarget>) {
        let mut generator = Generator {
            target,
            passphrase: false,
            length: 20,
            lower: true,
            upper: true,
            digits: true,
            symbols: true,
            avoid_look_alikes: true,
            words: 6,
            separator: "-".into(),
            output: Zeroizing::new(String::new()),
            entropy_bits: 0.0,
        };
        generator.regenerate();
        self.generator = Some(generator);
    }

    pub fn password_changed(&mut self) {
        if let Some(settings) = &mut self.settings {
            *settings = SettingsDialog {
                message: Some("The master password was changed.".into()),
                ..SettingsDialog::default()
            };
        }
    }

    pub fn qr_key_set(&mut self, required: bool) {
        let Some(settings) = &mut self.settings else {
            return;
        };
        let form = &mut settings.qr;
        form.busy = false;
        form.action = None;
        form.message = Some(if required {
            "Unlocking now needs the QR key as well as the password. Save it as PNG and print it, \
             or keep it away from this computer; the recovery code still opens the vault on its \
             own."
                .into()
        } else {
            "The QR key is no longer needed to unlock.".into()
        });
    }

    pub fn qr_key_failed(&mut self, error: &str) {
        if let Some(settings) = &mut self.settings {
            settings.qr.busy = false;
            settings.qr.action = None;
            settings.qr.message = Some(format!("The QR key was not changed: {error}"));
        }
    }

    pub fn kdf_calibrated(&mut self, kdf: crate::crypto::KdfParams, expected: std::time::Duration) {
        if let Some(settings) = &mut self.settings {
            settings.calibrating = false;
            settings.message = Some(format!(
                "Unlocking now takes about {:.1} s here ({} passes over {} MiB).",
                expected.as_secs_f64(),
                kdf.iterations,
                kdf.memory_kib / 1024
            ));
        }
    }

    pub fn kdf_calibration_failed(&mut self, error: &str) {
        if let Some(settings) = &mut self.settings {
            settings.calibrating = false;
            settings.message = Some(format!("The unlock time was not changed: {error}"));
        }
    }

    pub fn password_change_failed(&mut self, error: &str) {
        if let Some(settings) = &mut self.settings {
            settings.message = Some(format!("The password was not changed: {error}"));
        }
    }

    pub fn password_checked(&mut self, ok: bool, _session: &Session) {
        if let Some(settings) = &mut self.settings {
            settings.checked = Some(ok);
        }
    }

    pub fn ui(
        &mut self,
        ctx: &egui::Context,
        settings: &mut Settings,
        session: Option<&mut Session>,
        commands: &mut Vec<Command>,
    ) {
        if ctx.input(|i| i.key_pressed(egui::Key::Escape)) && self.any_open() {
            // Esc closes the dialogs, but not a new wallet's words: only its
            // Cancel button throws them away.
            let wizard = self.new_wallet.take();
            *self = Self::default();
            self.new_wallet = wizard;
            return;
        }
        self.qr_ui(ctx, commands);
        self.preview_ui(ctx);
        if let Some(session) = session {
            self.generator_ui(ctx, Some(&mut *session), commands);
            self.box_dialogs_ui(ctx, session);
            self.wallet_dialogs_ui(ctx, session, commands);
            self.health_ui(ctx, session);
            if let Some(view) = &mut self.history
                && !view.ui(ctx, session)
            {
                self.history = None;
            }
            self.trash_ui(ctx, session);
            if let Some(dialog) = &mut self.import
                && !dialog.ui(ctx, session, commands)
            {
                self.import = None;
            }
            if let Some(dialog) = &mut self.export
                && !dialog.ui(ctx, commands)
            {
                self.export = None;
            }
            if let Some((box_id, secret_id, attachment_id, name)) = &self.remove_attachment {
                let text = format!("Remove the attachment \u{201c}{name}\u{201d}?");
                let note = "The file is deleted from the vault; save a copy first if you need it.";
                if let Some(yes) = confirm_with_note_ui(ctx, "Remove attachment", &text, note) {
                    if yes
                        && session
                            .vault
                            .detach(*box_id, *secret_id, *attachment_id)
                            .is_ok()
                    {
                        session.touched();
                    }
                    self.remove_attachment = None;
                }
            }
            self.settings_ui(ctx, settings, Some(session), commands);
        } else {
            self.generator_ui(ctx, None, commands);
        }
    }

    fn qr_ui(&mut self, ctx: &egui::Context, commands: &mut Vec<Command>) {
        let Some(qr) = &self.qr else { return };
        let mut close = false;
        window(&format!("QR code: {}", qr.label)).show(ctx, |ui| {
            if let Some(texture) = &qr.texture {
                ui.add(egui::Image::new(texture).fit_to_exact_size(egui::vec2(340.0, 340.0)));
            }
            if qr.show_text {
                // Lets the user check the code shows what they meant to share.
                ui.set_max_width(340.0);
                ui.add(egui::Label::new(egui::RichText::new(qr.value.as_str()).monospace()).wrap());
            }
            if let Some(error) = &qr.error {
                ui.colored_label(ui.visuals().error_fg_color, error);
            }
            ui.horizontal(|ui| {
                if qr.texture.is_some()
                    && ui.button("Save as PNG").clicked()
                    && let Ok(png) = crate::qr::QrGrid::encode(&qr.value).and_then(|g| g.to_png())
                {
                    commands.push(Command::SavePng(png));
                }
                close = ui.button("Close").clicked();
            });
        });
        if close {
            self.qr = None;
        }
    }

    fn generator_ui(
        &mut self,
        ctx: &egui::Context,
        session: Option<&mut Session>,
        commands: &mut Vec<Command>,
    ) {
        let Some(generator) = &mut self.generator else {
            return;
        };
        let mut close = false;
        let mut use_it = false;
        top_window("Password generator").show(ctx, |ui| {
            let before = generator.spec();
            generator.options_ui(ui);
            if generator.spec() != before {
                generator.regenerate();
            }
            ui.separator();
            ui.add(
                egui::Label::new(
                    egui::RichText::new(generator.output.as_str())
                        .monospace()
                        .size(16.0),
                )
                .wrap(),
            );
            ui.label(format!("Entropy: {:.0} bits", generator.entropy_bits));
            ui.horizontal(|ui| {
                if ui.button("Regenerate").clicked() {
                    generator.regenerate();
                }
                if ui.button("Copy").clicked() {
                    commands.push(Command::Copy {
                        label: "the password".into(),
                        value: generator.output.clone(),
                    });
                }
                if generator.target.is_some() {
                    let usable = !generator.output.is_empty();
                    use_it = ui
                        .add_enabled(usable, egui::Button::new("Use this password"))
                        .clicked();
                }
                close = ui.button("Close").clicked();
            });
        });
        if use_it {
            let editor = session.and_then(|s| s.editor.as_mut());
            match (&generator.target, editor) {
                (Some(target), Some(editor))
                    if editor.box_id == target.box_id && editor.secret_id == target.secret_id =>
                {
                    editor.draft.set(&target.field, &generator.output);
                    close = true;
                }
                _ => commands.push(Command::Status(
                    "The secret this password was for is no longer being edited".into(),
                )),
            }
        }
        if close {
            self.generator = None;
        }
    }

    fn wallet_dialogs_ui(
        &mut self,
        ctx: &egui::Context,
        session: &mut Session,
        commands: &mut Vec<Command>,
    ) {
        if let Some(view) = &mut self.watch_only
            && !view.ui(ctx, commands)
        {
            self.watch_only = None;
        }
        let Some(wizard) = &mut self.new_wallet else {
            return;
        };
        match wizard.ui(ctx) {
            super::wallet::WizardOutcome::Open => {}
            super::wallet::WizardOutcome::Cancelled => self.new_wallet = None,
            super::wallet::WizardOutcome::Save(content) => {
                let box_id = wizard.box_id();
                session.commit_editor();
                match session.vault.add_secret(box_id, *content) {
                    Ok(id) => {
                        session.selected_box = Some(box_id);
                        session.selected_secret = Some(id);
                        session.search.clear();
                        session.changed();
                        commands.push(Command::Status("The new wallet was saved".into()));
                    }
                    Err(e) => {
                        wizard.failed(format!("Not saved: {e}"));
                        return;
                    }
                }
                self.new_wallet = None;
            }
        }
    }

    fn health_ui(&mut self, ctx: &egui::Context, session: &mut Session) {
        let Some(view) = &self.health else {
            return;
        };
        let mut open = None;
        let mut close = false;
        window("Password health").show(ctx, |ui| {
            ui.set_max_width(620.0);
            let HealthView::Ready(report) = view else {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Checking the passwords…");
                });
                close = ui.button("Close").clicked();
                return;
            };
            ui.label(format!("Checked {} passwords.", report.checked));
            if report.is_clean() {
                ui.label("No weak, reused or old passwords, and every login has TOTP.");
            }
            egui::ScrollArea::vertical()
                .max_height(460.0)
                .show(ui, |ui| {
                    for (heading, findings) in report.sections() {
                        if findings.is_empty() {
                            continue;
                        }
                        ui.add_space(6.0);
                        ui.strong(format!("{heading} ({})", findings.len()));
                        for finding in findings {
                            open = open.or(health_row_ui(ui, &finding.secret, &finding.detail));
                        }
                    }
                    if !report.reused.is_empty() {
                        ui.add_space(6.0);
                        ui.strong(report.reused_heading());
                        for (n, group) in report.reused.iter().enumerate() {
                            ui.label(format!(
                                "Group {}: {} secrets share one password",
                                n + 1,
                                group.len()
                            ));
                            for reference in group {
                                open = open.or(health_row_ui(ui, reference, ""));
                            }
                        }
                    }
                });
            close = ui.button("Close").clicked();
        });
        if let Some((box_id, secret_id)) = open {
            session.search.clear();
            session.select_secret(box_id, secret_id);
            close = true;
        }
        if close {
            self.health = None;
        }
    }

    fn trash_ui(&mut self, ctx: &egui::Context, session: &mut Session) {
        let Some(emptying) = &mut self.trash else {
            return;
        };
        let now = crate::vault::now_ms();
        let day = 24 * 60 * 60 * 1000;
        let mut action = None;
        let mut close = false;
        window("Trash").show(ctx, |ui| {
            ui.set_max_width(620.0);
            if session.vault.trash.is_empty() {
                ui.label("The trash is empty.");
            } else {
                ui.label("Deleted secrets and boxes stay here for 30 days.");
            }
            egui::ScrollArea::vertical()
                .max_height(420.0)
                .show(ui, |ui| {
                    egui::Grid::new("trash")
                        .num_columns(3)
                        .spacing([12.0, 6.0])
                        .show(ui, |ui| {
                            for (n, entry) in session.vault.trash.iter().enumerate().rev() {
                                let title = entry.title();
                                ui.label(egui::RichText::new(&title).strong());
                                // Whole days, rounded up: 30 right after deleting.
                                let left = (entry.purge_at_ms() - now + day - 1).max(0) / day;
                                ui.label(
                                    egui::RichText::new(format!(
                                        "from {}; {} days left",
                                        entry.box_name, left
                                    ))
                                    .weak(),
                                );
                                ui.horizontal(|ui| {
                                    let restore = format!("Restore {title}");
                                    if widgets::labeled_button(ui, "Restore", &restore).clicked() {
                                        action = Some((n, true));
                                    }
                                    let purge = format!("Delete {title} forever");
                                    if widgets::labeled_button(ui, "Delete forever", &purge)
                                        .clicked()
                                    {
                                        action = Some((n, false));
                                    }
                                });
                                ui.end_row();
                            }
                        });
                });
            ui.horizontal(|ui| {
                if !session.vault.trash.is_empty() {
                    if *emptying {
                        ui.label("Delete everything in the trash for good?");
                        if ui.button("Yes, empty the trash").clicked() {
                            session.vault.trash.clear();
                            session.changed();
                            *emptying = false;
                        }
                        if ui.button("No").clicked() {
                            *emptying = false;
                        }
                    } else if ui.button("Empty trash").clicked() {
                        *emptying = true;
                    }
                }
                close = ui.button("Close").clicked();
            });
        });
        if let Some((n, restore)) = action {
            let result = if restore {
                session.vault.restore_from_trash(n)
            } else {
                session.vault.purge_from_trash(n)
            };
            if result.is_ok() {
                if session.selected_box.is_none() {
                    session.selected_box = session.vault.boxes.first().map(|b| b.id);
                }
                session.changed();
            }
        }
        if close {
            self.trash = None;
        }
    }

    fn box_dialogs_ui(&mut self, ctx: &egui::Context, session: &mut Session) {
        self.new_box_ui(ctx, session);
        self.rename_box_ui(ctx, session);
        if let Some(id) = self.delete_box {
            let Some(vault_box) = session.vault.box_by_id(id) else {
                self.delete_box = None;
                return;
            };
            let text = format!(
                "Delete the box \u{201c}{}\u{201d} and its {} secrets?",
                vault_box.name,
                vault_box.secrets.len()
            );
            if let Some(confirmed) = confirm_ui(ctx, "Delete box", &text) {
                if confirmed && session.vault.delete_box(id).is_ok() {
                    session.editor = None;
                    session.selected_box = session.vault.boxes.first().map(|b| b.id);
                    session.selected_secret = None;
                    session.changed();
                }
                self.delete_box = None;
            }
        }
        if let Some((box_id, secret_id)) = self.delete_secret {
            let title = session
                .vault
                .box_by_id(box_id)
                .and_then(|b| b.secret(secret_id).map(|s| s.title(b.kind).to_owned()))
                .unwrap_or_default();
            let text = format!("Delete the secret \u{201c}{title}\u{201d}?");
            let Some(confirmed) = confirm_ui(ctx, "Delete secret", &text) else {
                return;
            };
            if confirmed && session.vault.delete_secret(box_id, secret_id).is_ok() {
                session.editor = None;
                session.selected_secret = None;
                session.changed();
            }
            self.delete_secret = None;
        }
    }

    fn new_box_ui(&mut self, ctx: &egui::Context, session: &mut Session) {
        let Some((name, kind)) = &mut self.new_box else {
            return;
        };
        let mut done = None;
        window("New box").show(ctx, |ui| {
            let label = ui.label("Box name");
            let response = ui
                .add(egui::TextEdit::singleline(name))
                .labelled_by(label.id);
            if !response.has_focus() && name.is_empty() {
                response.request_focus();
            }
            let label = ui.label("Type");
            egui::ComboBox::from_id_salt("box-kind")
                .selected_text(kind.label())
                .show_ui(ui, |ui| {
                    for option in BoxKind::ALL {
                        ui.selectable_value(kind, option, option.label());
                    }
                })
                .response
                .labelled_by(label.id);
            let entered = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            ui.horizontal(|ui| {
                let create =
                    ui.add_enabled(!name.trim().is_empty(), egui::Button::new("Create box"));
                if create.clicked() || (entered && !name.trim().is_empty()) {
                    done = Some(true);
                }
                if ui.button("Cancel").clicked() {
                    done = Some(false);
                }
            });
        });
        if let Some(create) = done {
            if create && let Ok(id) = session.vault.add_box(name, *kind) {
                session.commit_editor();
                session.selected_box = Some(id);
                session.selected_secret = None;
                session.search.clear();
                session.changed();
            }
            self.new_box = None;
        }
    }

    fn rename_box_ui(&mut self, ctx: &egui::Context, session: &mut Session) {
        let Some((id, name)) = &mut self.rename_box else {
            return;
        };
        let mut done = None;
        window("Rename box").show(ctx, |ui| {
            let label = ui.label("New name");
            let response = ui
                .add(egui::TextEdit::singleline(name))
                .labelled_by(label.id);
            let entered = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(!name.trim().is_empty(), egui::Button::new("Rename"))
                    .clicked()
                    || entered
                {
                    done = Some(true);
                }
                if ui.button("Cancel").clicked() {
                    done = Some(false);
                }
            });
        });
        if let Some(rename) = done {
            if rename && session.vault.rename_box(*id, name).is_ok() {
                session.changed();
            }
            self.rename_box = None;
        }
    }

    fn settings_ui(
        &mut self,
        ctx: &egui::Context,
        settings: &mut Settings,
        session: Option<&mut Session>,
        commands: &mut Vec<Command>,
    ) {
        let Some(dialog) = &mut self.settings else {
            return;
        };
        let Some(session) = session else { return };
        dialog.apply_check(ctx, session, commands);
        let mut close = false;
        egui::Window::new("Settings")
            .collapsible(false)
            .show(ctx, |ui| {
                let before = settings.clone();
                preferences_ui(ui, settings);
                super::update::preferences_ui(ui, settings);
                if *settings != before {
                    commands.push(Command::PersistSettings);
                }
                ui.horizontal(|ui| {
                    let label = ui.label("Earlier versions kept per secret");
                    let mut keep = session.vault.history_len.unwrap_or(10);
                    let response = ui
                        .add(egui::DragValue::new(&mut keep).range(0..=50))
                        .labelled_by(label.id);
                    if response.changed() {
                        session.vault.history_len = Some(keep);
                        session.touched();
                    }
                });
                ui.separator();
                dialog.password_ui(ui, session, commands);
                ui.separator();
                dialog.recovery_ui(ui, session, commands);
                ui.separator();
                dialog.unlock_time_ui(ui, session, commands);
                ui.separator();
                dialog.qr_key_ui(ui, session, commands);
                ui.separator();
                super::sync::settings_ui(ui, session, settings.offline, commands);
                ui.separator();
                ui.horizontal(|ui| {
                    if ui.button("Import…").clicked() {
                        commands.push(Command::OpenImport);
                    }
                    if ui.button("Export…").clicked() {
                        commands.push(Command::OpenExport);
                    }
                    if ui.button("About Qvault").clicked() {
                        commands.push(Command::OpenAbout);
                    }
                });
                if let Some(message) = &dialog.message {
                    ui.separator();
                    ui.label(message);
                }
                ui.separator();
                close = ui.button("Close").clicked();
            });
        if close {
            self.settings = None;
        }
    }
}

fn preferences_ui(ui: &mut egui::Ui, settings: &mut Settings) {
    egui::Grid::new("prefs").num_columns(2).show(ui, |ui| {
        let label = ui.label("Lock after idle minutes (0: never)");
        ui.add(egui::DragValue::new(&mut settings.lock_after_minutes).range(0..=1440))
            .labelled_by(label.id);
        ui.end_row();
        let label = ui.label("Clear the clipboard after seconds");
        ui.add(egui::DragValue::new(&mut settings.clear_clipboard_after_secs).range(5..=600))
            .labelled_by(label.id);
        ui.end_row();
        ui.label("Theme");
        ui.horizontal(|ui| {
            ui.radio_value(&mut settings.theme, Theme::System, "System");
            ui.radio_value(&mut settings.theme, Theme::Light, "Light");
            ui.radio_value(&mut settings.theme, Theme::Dark, "Dark");
        });
        ui.end_row();
    });
}

impl SettingsDialog {
    /// Acts on the worker's answer to a password check.
    fn apply_check(
        &mut self,
        ctx: &egui::Context,
        session: &mut Session,
        commands: &mut Vec<Command>,
    ) {
        let Some(ok) = self.checked.take() else {
            return;
        };
        let pending = self.pending.take();
        if !ok {
            self.message = Some("Wrong password.".into());
            self.changing = false;
            self.revealing = false;
            self.calibrating = false;
            self.qr.action = None;
            return;
        }
        match pending {
            Some(PendingCheck::ChangePassword(new)) => {
                session.request_password_change(new, commands);
                self.message = Some("Changing the password…".into());
            }
            Some(PendingCheck::ShowQrKey) => {
                self.qr.action = None;
                self.qr.shown = session
                    .keys()
                    .qr_key()
                    .map(crate::crypto::qr_key::QrKey::to_text);
            }
            Some(PendingCheck::CalibrateKdf(password)) => {
                session.request_kdf_calibration(password, commands);
                self.message = Some("Measuring this computer…".into());
            }
            Some(PendingCheck::ShowRecovery) => {
                let code = Zeroizing::new(session.vault.recovery_code.as_str().to_owned());
                let texture = widgets::qr_texture(ctx, "settings-recovery", &code).ok();
                self.recovery = Some((code, texture));
                self.revealing = false;
            }
            None => {}
        }
    }

    fn password_ui(&mut self, ui: &mut egui::Ui, session: &Session, commands: &mut Vec<Command>) {
        ui.strong("Master password");
        if !self.changing {
            if ui.button("Change master password…").clicked() {
                self.changing = true;
                self.message = None;
            }
            return;
        }
        if self.pending.is_some() || session.busy {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Checking…");
            });
            return;
        }
        widgets::secret_field(ui, "Current password", &mut self.current, false);
        self.new_pair.ui(ui, "New master password");
        let ready = self.new_pair.ready().filter(|_| !self.current.is_empty());
        if ui
            .add_enabled(ready.is_some(), egui::Button::new("Change password"))
            .clicked()
            && let Some(new) = ready
        {
            let password = Password::new(self.current.as_str());
            self.current = SecretText::default();
            self.pending = Some(PendingCheck::ChangePassword(new));
            commands.push(check_password_job(session, password));
        }
    }

    /// The KDF's cost, and "make unlocking take about 1 s on this computer".
    fn unlock_time_ui(
        &mut self,
        ui: &mut egui::Ui,
        session: &Session,
        commands: &mut Vec<Command>,
    ) {
        ui.strong("Unlock time");
        let kdf = session.keys().header().kdf;
        ui.label(format!(
            "Argon2id with {} MiB, {} passes, {} lanes.",
            kdf.memory_kib / 1024,
            kdf.iterations,
            kdf.parallelism
        ));
        if !self.calibrating {
            if ui
                .button("Make unlocking take about 1 s on this computer…")
                .clicked()
            {
                self.calibrating = true;
                self.message = None;
            }
            return;
        }
        if self.pending.is_some() || session.busy {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Measuring…");
            });
            return;
        }
        let response = widgets::secret_field(
            ui,
            "Master password to confirm",
            &mut self.calibrate_password,
            false,
        );
        let entered = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        ui.horizontal(|ui| {
            let ready = !self.calibrate_password.is_empty();
            if ui
                .add_enabled(ready, egui::Button::new("Measure and apply"))
                .clicked()
                || (entered && ready)
            {
                let password = Password::new(self.calibrate_password.as_str());
                self.calibrate_password = SecretText::default();
                self.pending = Some(PendingCheck::CalibrateKdf(password.clone()));
                commands.push(check_password_job(session, password));
            }
            if ui.button("Cancel").clicked() {
                self.calibrating = false;
                self.calibrate_password = SecretText::default();
            }
        });
    }

    fn recovery_ui(&mut self, ui: &mut egui::Ui, session: &Session, commands: &mut Vec<Command>) {
        ui.strong("Recovery code");
        if let Some((code, texture)) = &self.recovery {
            ui.label(egui::RichText::new(code.as_str()).monospace().strong());
            if let Some(texture) = texture {
                ui.add(egui::Image::new(texture).fit_to_exact_size(egui::vec2(200.0, 200.0)));
            }
            if ui.button("Hide recovery code").clicked() {
                self.recovery = None;
            }
            return;
        }
        if !self.revealing {
            if ui.button("Show recovery code…").clicked() {
                self.revealing = true;
                self.message = None;
            }
            return;
        }
        if self.pending.is_some() {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Checking…");
            });
            return;
        }
        let response = widgets::secret_field(
            ui,
            "Password to show the code",
            &mut self.reveal_password,
            false,
        );
        let entered = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if (ui.button("Show code").clicked() || entered) && !self.reveal_password.is_empty() {
            let password = Password::new(self.reveal_password.as_str());
            self.reveal_password = SecretText::default();
            self.pending = Some(PendingCheck::ShowRecovery);
            commands.push(check_password_job(session, password));
        }
    }
}

impl SettingsDialog {
    fn qr_key_ui(&mut self, ui: &mut egui::Ui, session: &mut Session, commands: &mut Vec<Command>) {
        let checking = self.pending.is_some();
        let form = &mut self.qr;
        ui.strong("QR key");
        let required = session.keys().header().requires_qr_key();
        // The key opens in the QR dialog (large enough to print, with Save
        // as PNG), not in this window.
        if let Some(text) = form.shown.take() {
            commands.push(Command::ShowQr {
                label: "QR key".into(),
                value: text,
                show_text: false,
            });
        }
        if let Some(message) = &form.message {
            ui.label(message);
        }
        if form.busy || session.busy || checking {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Working…");
            });
            return;
        }
        let Some(action) = form.action else {
            ui.horizontal(|ui| {
                if required {
                    ui.label("Unlocking needs the password and the QR key.");
                } else {
                    ui.label("Unlocking needs only the password.");
                }
            });
            ui.horizontal(|ui| {
                let buttons: &[(&str, QrKeyAction)] = if required {
                    &[
                        ("Show QR key…", QrKeyAction::Show),
                        ("Rotate QR key…", QrKeyAction::New),
                        ("Remove QR key…", QrKeyAction::Remove),
                    ]
                } else {
                    &[("Require a QR key…", QrKeyAction::New)]
                };
                for (label, action) in buttons {
                    if ui.button(*label).clicked() {
                        form.action = Some(*action);
                        form.message = None;
                    }
                }
            });
            return;
        };
        let response = widgets::secret_field(
            ui,
            "Master password for the QR key",
            &mut form.password,
            false,
        );
        let entered = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        let mut show = None;
        ui.horizontal(|ui| {
            let label = match action {
                QrKeyAction::New if required => "Make a new QR key",
                QrKeyAction::New => "Make the QR key",
                QrKeyAction::Remove => "Stop requiring the QR key",
                QrKeyAction::Show => "Show the QR key",
            };
            let ready = !form.password.is_empty();
            if ui.add_enabled(ready, egui::Button::new(label)).clicked() || (entered && ready) {
                let password = Password::new(form.password.as_str());
                form.password = SecretText::default();
                if action == QrKeyAction::Show {
                    show = Some(password);
                } else {
                    form.busy =
                        session.request_qr_key(password, action == QrKeyAction::New, commands);
                }
            }
            if ui.button("Cancel").clicked() {
                form.action = None;
                form.password = SecretText::default();
            }
        });
        if let Some(password) = show {
            self.pending = Some(PendingCheck::ShowQrKey);
            commands.push(check_password_job(session, password));
        }
    }
}

fn check_password_job(session: &Session, password: Password) -> Command {
    Command::Send(Job::CheckPassword {
        keys: Box::new(session.keys().clone()),
        password,
    })
}

/// One secret in the health report, with a button that opens it.
fn health_row_ui(
    ui: &mut egui::Ui,
    secret: &crate::vault::health::SecretRef,
    detail: &str,
) -> Option<(Uuid, Uuid)> {
    ui.horizontal(|ui| {
        let name = format!("Open {}", secret.title);
        let clicked = widgets::labeled_button(ui, "Open", &name).clicked();
        ui.label(format!("{} / {}", secret.box_name, secret.title));
        if !detail.is_empty() {
            ui.label(egui::RichText::new(detail).weak());
        }
        clicked.then_some((secret.box_id, secret.secret_id))
    })
    .inner
}

/// Yes/no confirmation; `Some(true)` when confirmed, `Some(false)` when cancelled.
fn confirm_ui(ctx: &egui::Context, title: &str, text: &str) -> Option<bool> {
    confirm_with_note_ui(
        ctx,
        title,
        text,
        "It stays in the trash for 30 days, where it can be restored.",
    )
}

/// [`confirm_ui`] with its own second line.
fn confirm_with_note_ui(ctx: &egui::Context, title: &str, text: &str, note: &str) -> Option<bool> {
    let mut answer = None;
    window(title).show(ctx, |ui| {
        ui.label(text);
        ui.label(note);
        ui.horizontal(|ui| {
            if ui.button("Delete").clicked() {
                answer = Some(true);
            }
            if ui.button("Cancel").clicked() {
                answer = Some(false);
            }
        });
    });
    answer
}

impl Generator {
    fn spec(&self) -> GeneratorSpec {
        if self.passphrase {
            GeneratorSpec::Passphrase {
                words: self.words,
                separator: self.separator.clone(),
            }
        } else {
            GeneratorSpec::Characters {
                length: self.length,
                lower: self.lower,
                upper: self.upper,
                digits: self.digits,
                symbols: self.symbols,
                avoid_look_alikes: self.avoid_look_alikes,
            }
        }
    }

    fn regenerate(&mut self) {
        if let Some(generated) = self.spec().generate() {
            self.output = generated.password;
            self.entropy_bits = generated.entropy_bits;
        } else {
            self.output = Zeroizing::new(String::new());
            self.entropy_bits = 0.0;
        }
    }

    fn options_ui(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            ui.radio_value(&mut self.passphrase, false, "Characters");
            ui.radio_value(&mut self.passphrase, true, "Passphrase");
        });
        if self.passphrase {
            let label = ui.label("Words");
            ui.add(egui::Slider::new(&mut self.words, 3..=12))
                .labelled_by(label.id);
            ui.horizontal(|ui| {
                let label = ui.label("Separator");
                ui.add(egui::TextEdit::singleline(&mut self.separator).desired_width(40.0))
                    .labelled_by(label.id);
            });
        } else {
            let label = ui.label("Length");
            ui.add(egui::Slider::new(&mut self.length, 8..=128))
                .labelled_by(label.id);
            ui.horizontal_wrapped(|ui| {
                ui.checkbox(&mut self.lower, "a-z");
                ui.checkbox(&mut self.upper, "A-Z");
                ui.checkbox(&mut self.digits, "0-9");
                ui.checkbox(&mut self.symbols, "Symbols");
                ui.checkbox(&mut self.avoid_look_alikes, "No look-alikes");
            });
        }
    }
}
