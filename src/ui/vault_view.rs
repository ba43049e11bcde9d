//! The unlocked vault: the top bar (search, save state, lock), the boxes,
//! the list of secrets and the selected secret, viewed or edited.

use uuid::Uuid;
use zeroize::Zeroizing;

use super::Command;
use super::session::{Editor, SaveState, Session};
use super::widgets::{self, labeled_button};
use crate::vault::{BoxKind, CustomField, FieldSpec, ListItem, SecretContent, SecretText};

const MASK: &str = "••••••••";

impl Session {
    pub fn ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        if self.needs_new_password {
            self.new_password_ui(ui, commands);
            return;
        }
        self.top_bar_ui(ui, commands);
        egui::Panel::left("boxes")
            .resizable(true)
            .default_size(200.0)
            .show(ui, |ui| {
                self.boxes_ui(ui, commands);
            });
        egui::Panel::left("secrets")
            .resizable(true)
            .default_size(260.0)
            .show(ui, |ui| {
                self.list_ui(ui, commands);
            });
        egui::CentralPanel::default().show(ui, |ui| {
            // One scroll position per secret: a newly chosen one starts at its top.
            egui::ScrollArea::vertical()
                .id_salt(("detail", self.selected_secret))
                .auto_shrink([false, false])
                .show(ui, |ui| {
                    if self.editor.is_some() {
                        self.editor_ui(ui, commands);
                    } else {
                        self.detail_ui(ui, commands);
                    }
                });
        });
    }

    fn new_password_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        egui::CentralPanel::default().show(ui, |ui| {
            widgets::centered_column(ui, 460.0, |ui| {
                ui.heading("Set a new master password");
                ui.label("You unlocked with the recovery code. Choose a new master password.");
                ui.add_space(8.0);
                if self.busy {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("Changing the password…");
                    });
                    return;
                }
                let entered = self.new_password.ui(ui, "New master password");
                let ready = self.new_password.ready();
                let clicked = ui
                    .add_enabled(ready.is_some(), egui::Button::new("Set password"))
                    .clicked();
                if let (Some(password), true) = (ready, clicked || entered) {
                    self.request_password_change(password, commands);
                }
            });
        });
    }

    /// Sends a job that rewraps the key slots, built from a copy of the keys
    /// and the recovery code the rewrap needs (the one unlocked with, else
    /// the stored one). Without a valid code it says so in the status bar and
    /// sends nothing; returns whether it sent.
    fn send_rewrap(
        &mut self,
        commands: &mut Vec<Command>,
        job: impl FnOnce(
            Box<crate::store::VaultKeys>,
            crate::crypto::recovery::RecoveryCode,
        ) -> super::worker::Job,
    ) -> bool {
        let stored =
            crate::crypto::recovery::RecoveryCode::parse(self.vault.recovery_code.as_str());
        let Some(code) = self.unlocked_with.clone().or(stored.ok()) else {
            commands.push(Command::Status(
                "The vault has no valid recovery code".into(),
            ));
            return false;
        };
        self.busy = true;
        commands.push(Command::Send(job(Box::new(self.keys().clone()), code)));
        true
    }

    /// Rewraps the key for `password` on the worker.
    pub fn request_password_change(
        &mut self,
        password: crate::crypto::Password,
        commands: &mut Vec<Command>,
    ) {
        let kdf = self.keys().header().kdf;
        self.send_rewrap(commands, |keys, recovery_code| {
            super::worker::Job::ChangePassword {
                keys,
                new_password: password,
                recovery_code,
                kdf,
            }
        });
    }

    /// Requires a new QR key, or none, on the worker (which checks the
    /// password first). False when nothing was sent (no recovery code).
    pub fn request_qr_key(
        &mut self,
        password: crate::crypto::Password,
        require: bool,
        commands: &mut Vec<Command>,
    ) -> bool {
        self.send_rewrap(commands, |keys, recovery_code| {
            super::worker::Job::SetQrKey {
                keys,
                password,
                require,
                recovery_code,
            }
        })
    }

    /// Rewraps the password slot with parameters measured to take about a
    /// second here (on the worker); the password stays the same.
    pub fn request_kdf_calibration(
        &mut self,
        password: crate::crypto::Password,
        commands: &mut Vec<Command>,
    ) {
        self.send_rewrap(commands, |keys, recovery_code| {
            super::worker::Job::CalibrateKdf {
                keys,
                password,
                recovery_code,
                target: std::time::Duration::from_secs(1),
            }
        });
    }

    fn top_bar_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        egui::Panel::top("top").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.strong("Qvault");
                ui.separator();
                let label = ui.label("Search");
                let response = ui
                    .add(
                        egui::TextEdit::singleline(&mut self.search)
                            .hint_text("names, usernames, links, notes (Ctrl+F)")
                            .desired_width(280.0),
                    )
                    .labelled_by(label.id);
                if std::mem::take(&mut self.focus_search) {
                    response.request_focus();
                }
                self.search_submitted =
                    response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui
                        .button("Lock")
                        .on_hover_text("Lock now (Ctrl+L)")
                        .clicked()
                    {
                        commands.push(Command::Lock);
                    }
                    if ui.button("Settings").clicked() {
                        commands.push(Command::OpenSettings);
                    }
                    if ui.button("Generator").clicked() {
                        commands.push(Command::OpenGenerator { target: None });
                    }
                    if ui
                        .button("Health")
                        .on_hover_text("Weak, reused and old passwords, logins without TOTP")
                        .clicked()
                    {
                        commands.push(Command::OpenHealth);
                    }
                    if ui
                        .button("Import…")
                        .on_hover_text("From KeePass, a CSV export or an original Qvault file")
                        .clicked()
                    {
                        commands.push(Command::OpenImport);
                    }
                    if ui
                        .button("Watch-only")
                        .on_hover_text("List the addresses of an xpub or descriptor")
                        .clicked()
                    {
                        commands.push(Command::OpenWatchOnly);
                    }
                    self.save_state_ui(ui);
                });
            });
        });
    }

    fn save_state_ui(&mut self, ui: &mut egui::Ui) {
        let text = self.status_text();
        if let SaveState::Failed(_) = self.save_state {
            if ui.button("Retry").clicked() {
                self.retry_save();
            }
            ui.colored_label(ui.visuals().error_fg_color, text);
        } else {
            ui.label(egui::RichText::new(text).weak());
        }
        if let Some(status) = &self.sync.status {
            let short: String = status.chars().take(48).collect();
            let short = if short.len() < status.len() {
                format!("{short}…")
            } else {
                short
            };
            ui.label(egui::RichText::new(short).weak())
                .on_hover_text(status.as_str());
        }
    }

    fn boxes_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        ui.heading("Boxes");
        if ui.button("New box").clicked() {
            commands.push(Command::NewBox);
        }
        ui.separator();
        for special in [Special::Favourites, Special::Recent] {
            let selected = self.special == Some(special) && self.search.is_empty();
            if ui.selectable_label(selected, special.label()).clicked() {
                self.commit_editor();
                self.special = Some(special);
                self.selected_secret = None;
                self.search.clear();
            }
        }
        ui.separator();
        egui::ScrollArea::vertical()
            .id_salt("boxes-scroll")
            .show(ui, |ui| {
                let mut clicked = None;
                for vault_box in &self.vault.boxes {
                    let selected = self.selected_box == Some(vault_box.id)
                        && self.special.is_none()
                        && self.search.is_empty();
                    let text = format!("{} ({})", vault_box.name, vault_box.secrets.len());
                    let response = ui
                        .selectable_label(selected, text)
                        .on_hover_text(vault_box.kind.label());
                    if response.clicked() {
                        clicked = Some(vault_box.id);
                    }
                }
                if let Some(id) = clicked {
                    self.commit_editor();
                    self.special = None;
                    self.selected_box = Some(id);
                    self.selected_secret = None;
                    self.search.clear();
                }
            });
        ui.separator();
        let trash = format!("Trash ({})", self.vault.trash.len());
        if ui
            .button(trash)
            .on_hover_text("Deleted secrets and boxes, for 30 days")
            .clicked()
        {
            commands.push(Command::OpenTrash);
        }
        if let Some(box_id) = self.selected_box.filter(|_| self.special.is_none()) {
            ui.separator();
            ui.horizontal(|ui| {
                if ui.button("Rename box").clicked() {
                    commands.push(Command::RenameBox(box_id));
                }
                if ui.button("Delete box").clicked() {
                    commands.push(Command::DeleteBox(box_id));
                }
            });
        }
    }

    /// Rows for the middle list: (box, secret, title, subtitle). In a box
    /// the favourites come first; Favourites and Recently used span boxes.
    fn list_rows(&self) -> Vec<(Uuid, Uuid, String, String)> {
        let across = |vault_box: &crate::vault::VaultBox, secret: &crate::vault::Secret| {
            let sub = format!(
                "{} · {}",
                vault_box.name,
                subtitle(vault_box.kind, &secret.content)
            );
            (
                vault_box.id,
                secret.id,
                row_title(vault_box.kind, secret),
                sub,
            )
        };
        if !self.search.trim().is_empty() {
            return self
                .index
                .search(&self.search)
                .into_iter()
                .filter_map(|hit| {
                    let vault_box = self.vault.box_by_id(hit.box_id)?;
                    Some(across(vault_box, vault_box.secret(hit.secret_id)?))
                })
                .collect();
        }
        match self.special {
            Some(Special::Favourites) => {
                return self
                    .vault
                    .boxes
                    .iter()
                    .flat_map(|b| b.secrets.iter().map(move |s| (b, s)))
                    .filter(|(_, s)| s.favourite)
                    .map(|(b, s)| across(b, s))
                    .collect();
            }
            Some(Special::Recent) => {
                return self
                    .vault
                    .recently_used(RECENT)
                    .into_iter()
                    .map(|(b, s)| across(b, s))
                    .collect();
            }
            None => {}
        }
        let Some(vault_box) = self.selected_box.and_then(|id| self.vault.box_by_id(id)) else {
            return Vec::new();
        };
        let in_box = |s: &crate::vault::Secret| {
            (
                vault_box.id,
                s.id,
                row_title(vault_box.kind, s),
                subtitle(vault_box.kind, &s.content),
            )
        };
        let favourites = vault_box.secrets.iter().filter(|s| s.favourite);
        let others = vault_box.secrets.iter().filter(|s| !s.favourite);
        favourites.chain(others).map(in_box).collect()
    }

    fn list_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        let searching = !self.search.trim().is_empty();
        if searching {
            ui.heading("Search results");
        } else if let Some(special) = self.special {
            ui.heading(special.label());
            ui.label(egui::RichText::new(special.hint()).weak());
        } else if let Some(vault_box) = self.selected_box.and_then(|id| self.vault.box_by_id(id)) {
            ui.heading(&vault_box.name);
            ui.label(egui::RichText::new(vault_box.kind.label()).weak());
            let id = vault_box.id;
            if vault_box.kind == BoxKind::CryptoWallets {
                ui.horizontal(|ui| {
                    if ui.button("New wallet").clicked() {
                        commands.push(Command::NewWallet(id));
                    }
                    if ui
                        .button("Import seed")
                        .on_hover_text("Type or paste existing seed words (Ctrl+N)")
                        .clicked()
                    {
                        self.new_secret(id);
                    }
                });
            } else if ui.button("New secret").on_hover_text("Ctrl+N").clicked() {
                self.new_secret(id);
            }
        } else if self.vault.boxes.is_empty() {
            ui.heading("No box yet");
            ui.label("Create a box for your passwords, wallets or notes, or import them.");
            return;
        } else {
            ui.heading("Choose a box");
            ui.label("Pick a box on the left to see its secrets.");
            return;
        }
        ui.separator();
        let rows = self.list_rows();
        if rows.is_empty() {
            ui.label(if searching {
                "Nothing matches."
            } else if self.special.is_some() {
                "Nothing here yet."
            } else {
                "This box is empty."
            });
        }
        egui::ScrollArea::vertical()
            .id_salt("secrets-scroll")
            .show_rows(ui, 36.0, rows.len(), |ui, range| {
                for (box_id, secret_id, title, sub) in &rows[range] {
                    let selected = self.selected_secret == Some(*secret_id);
                    let response = ui.selectable_label(selected, format!("{title}\n{sub}"));
                    if response.clicked() {
                        self.select_secret(*box_id, *secret_id);
                    }
                    if response.double_clicked() {
                        self.edit_secret(*box_id, *secret_id);
                    }
                }
            });
        if searching
            && std::mem::take(&mut self.search_submitted)
            && let Some((box_id, secret_id, ..)) = rows.first()
        {
            self.select_secret(*box_id, *secret_id);
        }
    }

    fn detail_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        let Some((box_id, secret_id)) = self.selected_box.zip(self.selected_secret) else {
            ui.label("Select a secret, or press Ctrl+N to add one.");
            return;
        };
        let Some(vault_box) = self.vault.box_by_id(box_id) else {
            return;
        };
        let Some(secret) = vault_box.secret(secret_id) else {
            return;
        };
        let kind = vault_box.kind;
        ui.heading(secret.title(kind));
        ui.label(egui::RichText::new(format!("{} · {}", vault_box.name, kind.label())).weak());
        let (edit, star) = actions_ui(ui, box_id, secret, commands);
        ui.separator();
        // The value column takes what the label and button columns leave, so
        // long values (addresses, keys, notes) wrap at a readable width.
        let mut rows = FieldRows {
            revealed: &mut self.revealed,
            commands,
            value_width: value_width(ui),
            bitcoin_qr: false,
            owner: Some((box_id, secret_id)),
        };
        egui::Grid::new("fields")
            .num_columns(3)
            .spacing([12.0, 8.0])
            .show(ui, |ui| {
                for spec in kind.fields() {
                    let value = secret.content.get(spec.key);
                    rows.bitcoin_qr = spec.key == "address";
                    if !value.is_empty() {
                        field_row_ui(ui, &mut rows, spec.label, spec.key, value, spec.hidden);
                    }
                }
                rows.bitcoin_qr = false;
                if let Some(text) = secret.content.totp_text() {
                    totp_row_ui(ui, &mut rows, text);
                }
                for list in kind.lists() {
                    for (n, item) in secret
                        .content
                        .lists
                        .get(list.key)
                        .into_iter()
                        .flatten()
                        .enumerate()
                    {
                        for spec in list.fields {
                            let value = item.get(spec.key).map_or("", SecretText::as_str);
                            if !value.is_empty() {
                                let label = format!(
                                    "{} {} {}",
                                    list.item_label,
                                    n + 1,
                                    spec.label.to_lowercase()
                                );
                                let key = format!("{}.{n}.{}", list.key, spec.key);
                                field_row_ui(ui, &mut rows, &label, &key, value, spec.hidden);
                            }
                        }
                    }
                }
                for (n, field) in secret.content.custom.iter().enumerate() {
                    let key = format!("custom.{n}");
                    field_row_ui(
                        ui,
                        &mut rows,
                        &field.name,
                        &key,
                        field.value.as_str(),
                        field.hidden,
                    );
                }
            });
        attachments_ui(ui, box_id, secret, commands);
        if kind == BoxKind::CryptoWallets {
            super::wallet::panel_ui(ui, &mut self.wallet, secret, &mut self.revealed, commands);
        }
        if let Some(on) = star
            && self
                .vault
                .set_favourite(box_id, secret_id, on)
                .unwrap_or(false)
        {
            self.touched();
        }
        if edit {
            self.edit_secret(box_id, secret_id);
        }
    }

    fn editor_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        let Some(editor) = self.editor.as_mut() else {
            return;
        };
        let Some(vault_box) = self.vault.box_by_id(editor.box_id) else {
            self.editor = None;
            return;
        };
        let kind = vault_box.kind;
        let heading = if editor.secret_id.is_some() {
            "Edit secret"
        } else {
            "New secret"
        };
        ui.heading(heading);
        ui.label(egui::RichText::new(format!("{} · {}", vault_box.name, kind.label())).weak());
        ui.separator();
        let mut submit = false;
        for (n, spec) in kind.fields().iter().enumerate() {
            let value = editor
                .draft
                .fields
                .entry(std::borrow::Cow::Borrowed(spec.key))
                .or_default();
            let owner = (editor.box_id, editor.secret_id);
            let response = edit_field_ui(ui, spec, value, &mut editor.revealed, owner, commands);
            if spec.key == "seed" {
                super::wallet::seed_check_ui(ui, kind, value.as_str());
            }
            if n == 0 && std::mem::take(&mut editor.focus_first) {
                response.request_focus();
            }
            submit |= !spec.multiline
                && response.lost_focus()
                && ui.input(|i| i.key_pressed(egui::Key::Enter));
        }
        lists_editor_ui(ui, kind, editor);
        custom_editor_ui(ui, editor);
        ui.separator();
        let mut cancel = false;
        ui.horizontal(|ui| {
            submit |= ui.button("Save").on_hover_text("Enter or Ctrl+S").clicked();
            cancel = ui.button("Cancel").on_hover_text("Esc").clicked();
        });
        if editor.problem.is_some() {
            // Recheck, so the refusal goes away once the words are fixed.
            editor.problem = super::wallet::draft_problem(kind, &editor.draft);
        }
        if let Some(problem) = &editor.problem {
            ui.colored_label(ui.visuals().error_fg_color, problem.as_str());
        }
        if submit {
            self.save_editor();
        } else if cancel {
            self.editor = None;
        }
    }
}

/// The files kept with a secret: Preview (images), Save as, Remove, Add.
fn attachments_ui(
    ui: &mut egui::Ui,
    box_id: Uuid,
    secret: &crate::vault::Secret,
    commands: &mut Vec<Command>,
) {
    ui.add_space(8.0);
    ui.strong("Attachments");
    for attachment in &secret.attachments {
        let name = &attachment.name;
        ui.horizontal(|ui| {
            ui.label(format!("{name} ({})", human_size(attachment.data.len())));
            let lower = name.to_lowercase();
            let image = [".png", ".jpg", ".jpeg"]
                .iter()
                .any(|ext| lower.ends_with(ext));
            if image && labeled_button(ui, "Preview", &format!("Preview {name}")).clicked() {
                commands.push(Command::PreviewAttachment {
                    name: name.clone(),
                    data: attachment.data.clone(),
                });
            }
            if labeled_button(ui, "Save as…", &format!("Save {name}")).clicked() {
                commands.push(Command::SaveAttachment {
                    name: name.clone(),
                    data: attachment.data.clone(),
                });
            }
            if labeled_button(ui, "Remove", &format!("Remove {name}")).clicked() {
                commands.push(Command::RemoveAttachment(box_id, secret.id, attachment.id));
            }
        });
    }
    if ui
        .button("Add file…")
        .on_hover_text("Keep a file (at most 10 MB) encrypted in the vault")
        .clicked()
    {
        commands.push(Command::AddAttachment(box_id, secret.id));
    }
}

fn human_size(bytes: usize) -> String {
    #[expect(clippy::cast_precision_loss, reason = "a size shown to one decimal")]
    let kib = bytes as f64 / 1024.0;
    if bytes < 1024 {
        format!("{bytes} bytes")
    } else if kib < 1024.0 {
        format!("{kib:.1} KB")
    } else {
        format!("{:.1} MB", kib / 1024.0)
    }
}

/// Edit, Favourite, History and Delete above a secret; returns whether
/// Edit was clicked and the new favourite state if the star was.
fn actions_ui(
    ui: &mut egui::Ui,
    box_id: Uuid,
    secret: &crate::vault::Secret,
    commands: &mut Vec<Command>,
) -> (bool, Option<bool>) {
    let secret_id = secret.id;
    ui.horizontal(|ui| {
        let edit = ui.button("Edit").clicked();
        let (text, name) = if secret.favourite {
            ("\u{2605} Favourite", "Remove from favourites")
        } else {
            ("\u{2606} Favourite", "Add to favourites")
        };
        let star = labeled_button(ui, text, name)
            .clicked()
            .then_some(!secret.favourite);
        if !secret.history.is_empty()
            && ui
                .button(format!("History ({})", secret.history.len()))
                .on_hover_text("Earlier versions: compare and restore")
                .clicked()
        {
            commands.push(Command::OpenHistory(box_id, secret_id));
        }
        if ui.button("Delete secret").clicked() {
            commands.push(Command::DeleteSecret(box_id, secret_id));
        }
        (edit, star)
    })
    .inner
}

/// How many secrets "Recently used" lists.
const RECENT: usize = 15;

/// The two lists that span boxes, above the boxes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Special {
    Favourites,
    Recent,
}

impl Special {
    fn label(self) -> &'static str {
        match self {
            Special::Favourites => "\u{2605} Favourites",
            Special::Recent => "Recently used",
        }
    }

    fn hint(self) -> &'static str {
        match self {
            Special::Favourites => "Starred secrets from every box",
            Special::Recent => "Secrets you copied from lately, newest first",
        }
    }
}

/// A secret's name in a list, starred when it is a favourite.
fn row_title(kind: BoxKind, secret: &crate::vault::Secret) -> String {
    if secret.favourite {
        format!("\u{2605} {}", secret.title(kind))
    } else {
        secret.title(kind).to_owned()
    }
}

fn subtitle(kind: BoxKind, content: &SecretContent) -> String {
    let key = match kind {
        BoxKind::Passwords | BoxKind::Financial | BoxKind::Server => "username",
        BoxKind::CryptoWallets => "coin",
        BoxKind::CryptoBackups => "address",
        BoxKind::Identification => "issuer",
        BoxKind::Notes | BoxKind::Custom => "",
    };
    content.get(key).to_owned()
}

/// The width of the value column of a detail grid: what the label column
/// (about 130 points) and the buttons (Show, Copy, QR) leave.
pub(super) fn value_width(ui: &egui::Ui) -> f32 {
    (ui.available_width() - 260.0).max(160.0)
}

/// What every row of the detail grid shares.
pub(super) struct FieldRows<'a> {
    pub revealed: &'a mut std::collections::HashSet<String>,
    pub commands: &'a mut Vec<Command>,
    pub value_width: f32,
    /// Show a Bitcoin address as a `bitcoin:` URI in its QR code
    /// ([`crate::wallet::bip21::qr_payload`]); other text stays as it is.
    pub bitcoin_qr: bool,
    /// The secret the rows belong to: a copy marks it recently used.
    pub owner: Option<(Uuid, Uuid)>,
}

/// One read-only field: label, value (masked when hidden), Show, Copy, QR.
pub(super) fn field_row_ui(
    ui: &mut egui::Ui,
    rows: &mut FieldRows<'_>,
    label: &str,
    key: &str,
    value: &str,
    hidden: bool,
) {
    let FieldRows {
        revealed,
        commands,
        value_width,
        bitcoin_qr,
        owner,
    } = rows;
    ui.label(egui::RichText::new(label).strong());
    let shown = !hidden || revealed.contains(key);
    let text = if shown { value } else { MASK };
    ui.scope(|ui| {
        ui.set_width(*value_width);
        ui.add(egui::Label::new(egui::RichText::new(text).monospace()).wrap());
    });
    ui.horizontal(|ui| {
        if hidden {
            let toggle = if shown { "Hide" } else { "Show" };
            if labeled_button(ui, toggle, &format!("{toggle} {label}")).clicked() {
                if shown {
                    revealed.remove(key);
                } else {
                    revealed.insert(key.to_owned());
                }
            }
        }
        if labeled_button(ui, "Copy", &format!("Copy {label}")).clicked() {
            commands.push(Command::Copy {
                label: label.to_lowercase(),
                value: Zeroizing::new(value.to_owned()),
            });
            if let Some((box_id, secret_id)) = owner {
                commands.push(Command::Used(*box_id, *secret_id));
            }
        }
        if labeled_button(ui, "QR", &format!("QR code of {label}")).clicked() {
            let payload = if *bitcoin_qr {
                crate::wallet::bip21::qr_payload(value)
            } else {
                value.to_owned()
            };
            commands.push(Command::ShowQr {
                label: label.to_owned(),
                value: Zeroizing::new(payload),
                show_text: shown,
            });
        }
    });
    ui.end_row();
}

/// The current one-time code of the secret's TOTP field, with its countdown.
fn totp_row_ui(ui: &mut egui::Ui, rows: &mut FieldRows<'_>, text: &str) {
    ui.label(egui::RichText::new("One-time code").strong());
    match crate::crypto::totp::parse(text) {
        Ok(totp) => {
            let (code, left) = totp.current();
            // Six digits read best as two groups of three.
            let shown = if code.len() == 6 && !totp.is_steam() {
                Zeroizing::new(format!("{} {}", &code[..3], &code[3..]))
            } else {
                code.clone()
            };
            ui.horizontal(|ui| {
                ui.label(egui::RichText::new(shown.as_str()).monospace().size(18.0));
                ui.label(egui::RichText::new(format!("{left} s")).weak());
            });
            if labeled_button(ui, "Copy", "Copy one-time code").clicked() {
                rows.commands.push(Command::Copy {
                    label: "the one-time code".into(),
                    value: code,
                });
                if let Some((box_id, secret_id)) = rows.owner {
                    rows.commands.push(Command::Used(box_id, secret_id));
                }
            }
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(500));
        }
        Err(e) => {
            ui.colored_label(ui.visuals().error_fg_color, e.to_string());
            ui.label("");
        }
    }
    ui.end_row();
}

/// One editable field, with Show for hidden ones and Generate for passwords.
fn edit_field_ui(
    ui: &mut egui::Ui,
    spec: &FieldSpec,
    value: &mut SecretText,
    revealed: &mut std::collections::HashSet<String>,
    (box_id, secret_id): (Uuid, Option<Uuid>),
    commands: &mut Vec<Command>,
) -> egui::Response {
    let label = ui.label(spec.label);
    ui.horizontal(|ui| {
        let shown = !spec.hidden || revealed.contains(spec.key);
        // Room for the buttons beside the field: Show, and Generate or From QR image….
        let reserve = if spec.key == "totp" { 240.0 } else { 150.0 };
        let width = (ui.available_width() - reserve).max(120.0);
        let edit = if spec.multiline {
            egui::TextEdit::multiline(value).desired_rows(3)
        } else {
            egui::TextEdit::singleline(value)
        };
        let response = ui
            .add(edit.password(!shown).desired_width(width))
            .labelled_by(label.id);
        if spec.hidden {
            let toggle = if shown { "Hide" } else { "Show" };
            if labeled_button(ui, toggle, &format!("{toggle} {}", spec.label)).clicked() {
                if shown {
                    revealed.remove(spec.key);
                } else {
                    revealed.insert(spec.key.to_owned());
                }
            }
        }
        if spec.key == "totp"
            && labeled_button(ui, "From QR image…", "Read the TOTP secret from a QR image")
                .clicked()
        {
            commands.push(Command::TotpFromQr(box_id, secret_id));
        }
        if spec.generator
            && labeled_button(ui, "Generate", &format!("Generate {}", spec.label)).clicked()
        {
            commands.push(Command::OpenGenerator {
                target: Some(super::dialogs::GeneratorTarget {
                    box_id,
                    secret_id,
                    field: spec.key.to_owned(),
                }),
            });
        }
        response
    })
    .inner
}

fn lists_editor_ui(ui: &mut egui::Ui, kind: BoxKind, editor: &mut Editor) {
    for list in kind.lists() {
        ui.add_space(6.0);
        ui.strong(list.label);
        let items = editor
            .draft
            .lists
            .entry(std::borrow::Cow::Borrowed(list.key))
            .or_default();
        let mut remove = None;
        for (n, item) in items.iter_mut().enumerate() {
            ui.group(|ui| {
                ui.label(format!("{} {}", list.item_label, n + 1));
                for spec in list.fields {
                    let value = item
                        .entry(std::borrow::Cow::Borrowed(spec.key))
                        .or_default();
                    let key = format!("{}.{n}.{}", list.key, spec.key);
                    let shown = !spec.hidden || editor.revealed.contains(&key);
                    ui.horizontal(|ui| {
                        let label = ui.label(spec.label);
                        ui.add(
                            egui::TextEdit::singleline(value)
                                .password(!shown)
                                .desired_width(220.0),
                        )
                        .labelled_by(label.id);
                        if spec.hidden
                            && labeled_button(
                                ui,
                                if shown { "Hide" } else { "Show" },
                                &format!("Show {}", spec.label),
                            )
                            .clicked()
                        {
                            if shown {
                                editor.revealed.remove(&key);
                            } else {
                                editor.revealed.insert(key);
                            }
                        }
                    });
                }
                if ui
                    .button(format!("Remove {}", list.item_label.to_lowercase()))
                    .clicked()
                {
                    remove = Some(n);
                }
            });
        }
        if let Some(n) = remove {
            items.remove(n);
        }
        if ui
            .button(format!("Add {}", list.item_label.to_lowercase()))
            .clicked()
        {
            items.push(ListItem::new());
        }
    }
}

fn custom_editor_ui(ui: &mut egui::Ui, editor: &mut Editor) {
    ui.add_space(6.0);
    ui.strong("Custom fields");
    let mut remove = None;
    for (n, field) in editor.draft.custom.iter_mut().enumerate() {
        ui.horizontal(|ui| {
            let label = ui.label("Field name");
            ui.add(egui::TextEdit::singleline(&mut field.name).desired_width(120.0))
                .labelled_by(label.id);
            let label = ui.label("Value");
            let key = format!("custom.{n}");
            let shown = !field.hidden || editor.revealed.contains(&key);
            ui.add(
                egui::TextEdit::singleline(&mut field.value)
                    .password(!shown)
                    .desired_width(200.0),
            )
            .labelled_by(label.id);
            ui.checkbox(&mut field.hidden, "Hidden");
            if field.hidden
                && labeled_button(
                    ui,
                    if shown { "Hide" } else { "Show" },
                    &format!("Show {}", field.name),
                )
                .clicked()
            {
                if shown {
                    editor.revealed.remove(&key);
                } else {
                    editor.revealed.insert(key);
                }
            }
            if ui.button("Remove").clicked() {
                remove = Some(n);
            }
        });
    }
    if let Some(n) = remove {
        editor.draft.custom.remove(n);
    }
    if ui.button("Add custom field").clicked() {
        editor.draft.custom.push(CustomField::default());
    }
}
