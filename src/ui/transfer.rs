//! The import wizard (choose a file, give its password, map unknown CSV
//! columns, preview, import, undo) and the export dialog. Reading and
//! writing files happens on the worker; the vault changes only when the
//! user presses Import, and an import can be undone as a whole.

use std::fmt::Write as _;
use std::path::PathBuf;

use super::session::Session;
use super::widgets;
use super::worker::{ImportOutcome, Job};
use super::{Command, FilePurpose};
use crate::crypto::Password;
use crate::import::csv::ColumnMapping;
use crate::import::{Format, ImportReceipt, Imported, Preview, SourceKeys};
use crate::vault::SecretText;

/// The format choice of the wizard; `None` means "recognise it".
const FORMATS: [(Option<Format>, &str); 4] = [
    (None, "Recognise it"),
    (Some(Format::Kdbx), "KeePass (.kdbx)"),
    (Some(Format::Csv), "CSV export"),
    (Some(Format::QvaultLegacy), "Qvault (original app)"),
];

/// The wizard's steps.
enum Step {
    Choose,
    Reading,
    Mapping {
        headers: Vec<String>,
        mapping: ColumnMapping,
    },
    Preview {
        imported: Box<Imported>,
        preview: Preview,
        keep_duplicates: bool,
    },
    Done {
        receipt: ImportReceipt,
        undone: Option<usize>,
    },
}

/// The import wizard.
pub(crate) struct ImportDialog {
    /// The paths as shown and typed (a path may be pasted too).
    path: String,
    format: Option<Format>,
    password: SecretText,
    key_file: String,
    qr_key_file: String,
    step: Step,
    error: Option<String>,
}

impl Default for ImportDialog {
    fn default() -> Self {
        Self {
            path: String::new(),
            format: None,
            password: SecretText::default(),
            key_file: String::new(),
            qr_key_file: String::new(),
            step: Step::Choose,
            error: None,
        }
    }
}

/// What a picked file is for, inside the wizard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ImportFile {
    Source,
    KeyFile,
    QrKey,
}

impl ImportDialog {
    pub fn picked(&mut self, which: ImportFile, path: &std::path::Path) {
        let text = path.display().to_string();
        match which {
            ImportFile::Source => self.path = text,
            ImportFile::KeyFile => self.key_file = text,
            ImportFile::QrKey => self.qr_key_file = text,
        }
        self.error = None;
    }

    /// The worker read the file: preview it, ask for a column mapping, or
    /// say why not.
    pub fn read(&mut self, outcome: ImportOutcome, session: &Session) {
        self.step = match outcome {
            ImportOutcome::Read(imported) => {
                let preview = crate::import::preview(&session.vault, &imported);
                self.password = SecretText::default();
                Step::Preview {
                    imported,
                    preview,
                    keep_duplicates: false,
                }
            }
            ImportOutcome::NeedsMapping(headers) => Step::Mapping {
                mapping: guess_mapping(&headers),
                headers,
            },
            ImportOutcome::Failed(message) => {
                self.error = Some(message);
                Step::Choose
            }
        };
    }

    /// Draws the wizard; returns false when it was closed.
    pub fn ui(
        &mut self,
        ctx: &egui::Context,
        session: &mut Session,
        commands: &mut Vec<Command>,
    ) -> bool {
        let mut open = true;
        super::dialogs::window("Import").show(ctx, |ui| {
            ui.set_min_width(460.0);
            open = match &self.step {
                Step::Choose => self.choose_ui(ui, commands),
                Step::Reading => reading_ui(ui),
                Step::Mapping { .. } => self.mapping_ui(ui, commands),
                Step::Preview { .. } => self.preview_ui(ui, session),
                Step::Done { .. } => self.done_ui(ui, session),
            };
        });
        open
    }

    fn choose_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) -> bool {
        ui.label(
            "Bring in a KeePass database, a CSV export of another password manager \
             (Bitwarden, Chrome, Edge, Brave, Firefox, LastPass, 1Password, KeePassXC, \
             Dashlane, Proton Pass, NordPass) or a vault of the original Qvault app. Nothing changes \
             until you have seen what the file holds.",
        );
        ui.add_space(6.0);
        egui::Grid::new("import-choose")
            .num_columns(2)
            .show(ui, |ui| {
                file_row_ui(ui, "File", &mut self.path, || {
                    commands.push(Command::PickImportFile(ImportFile::Source));
                });
                ui.end_row();
                let label = ui.label("Format");
                egui::ComboBox::from_id_salt("import-format")
                    .selected_text(format_name(self.format))
                    .show_ui(ui, |ui| {
                        for (format, name) in FORMATS {
                            ui.selectable_value(&mut self.format, format, name);
                        }
                    })
                    .response
                    .labelled_by(label.id);
                ui.end_row();
                self.keys_ui(ui, commands);
            });
        if self.format != Some(Format::Csv) {
            ui.label(
                egui::RichText::new(
                    "A KeePass database needs its password and/or key file; an original \
                     Qvault file its password or old recovery code (and its QR key if it \
                     had one). A CSV file needs none.",
                )
                .small(),
            );
        }
        if let Some(error) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, error);
        }
        ui.separator();
        let mut open = true;
        ui.horizontal(|ui| {
            let ready = !self.path.trim().is_empty();
            if ui
                .add_enabled(ready, egui::Button::new("Read file"))
                .clicked()
            {
                self.send_read(None, commands);
            }
            if ui.button("Cancel").clicked() {
                open = false;
            }
        });
        open
    }

    /// The password, key file and QR key rows of the grid, where the
    /// format may need them.
    fn keys_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        if self.format == Some(Format::Csv) {
            return;
        }
        widgets::secret_field(ui, "File password", &mut self.password, false);
        ui.end_row();
        if self.format != Some(Format::QvaultLegacy) {
            file_row_ui(ui, "KeePass key file", &mut self.key_file, || {
                commands.push(Command::PickImportFile(ImportFile::KeyFile));
            });
            ui.end_row();
        }
        if self.format != Some(Format::Kdbx) {
            file_row_ui(ui, "Qvault QR key", &mut self.qr_key_file, || {
                commands.push(Command::PickImportFile(ImportFile::QrKey));
            });
            ui.end_row();
        }
    }

    fn send_read(&mut self, mapping: Option<ColumnMapping>, commands: &mut Vec<Command>) {
        let Some(path) = optional_path(&self.path) else {
            return;
        };
        let password = (!self.password.is_empty()).then(|| Password::new(self.password.as_str()));
        commands.push(Command::Send(Job::ReadImport {
            path,
            format: self.format,
            keys: SourceKeys {
                password,
                key_file: optional_path(&self.key_file),
                qr_key: None,
            },
            qr_key_file: optional_path(&self.qr_key_file),
            mapping,
        }));
        self.error = None;
        self.step = Step::Reading;
    }

    fn mapping_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) -> bool {
        let Step::Mapping { headers, mapping } = &mut self.step else {
            return true;
        };
        ui.label(
            "This CSV file's columns are not those of a password manager we know. \
             Say which column holds what; the other columns become custom fields.",
        );
        egui::Grid::new("import-mapping")
            .num_columns(2)
            .show(ui, |ui| {
                for (name, slot) in mapping_slots(mapping) {
                    let label = ui.label(name);
                    column_choice_ui(ui, name, headers, slot).labelled_by(label.id);
                    ui.end_row();
                }
            });
        ui.separator();
        let mut open = true;
        let mut read = None;
        ui.horizontal(|ui| {
            if ui.button("Read with these columns").clicked() {
                read = Some(mapping.clone());
            }
            if ui.button("Cancel").clicked() {
                open = false;
            }
        });
        if let Some(mapping) = read {
            self.send_read(Some(mapping), commands);
        }
        open
    }

    fn preview_ui(&mut self, ui: &mut egui::Ui, session: &mut Session) -> bool {
        let Step::Preview {
            imported,
            preview,
            keep_duplicates,
        } = &mut self.step
        else {
            return true;
        };
        ui.strong(format!("{}: {} secrets", imported.source, preview.secrets));
        preview_table_ui(ui, preview);
        for note in &imported.notes {
            ui.label(egui::RichText::new(note).small());
        }
        if preview.duplicates > 0 {
            ui.checkbox(
                keep_duplicates,
                format!(
                    "Also import the {} logins already in the vault (same site and username)",
                    preview.duplicates
                ),
            );
        }
        ui.label("Existing secrets are never changed; an import can be undone as a whole.");
        ui.separator();
        let mut open = true;
        let mut confirmed = false;
        ui.horizontal(|ui| {
            confirmed = ui.button("Import").clicked();
            if ui.button("Cancel").clicked() {
                open = false;
            }
        });
        if confirmed {
            let imported = std::mem::take(imported.as_mut());
            let receipt = crate::import::apply(&mut session.vault, imported, *keep_duplicates);
            session.changed();
            self.step = Step::Done {
                receipt,
                undone: None,
            };
        }
        open
    }

    fn done_ui(&mut self, ui: &mut egui::Ui, session: &mut Session) -> bool {
        let Step::Done { receipt, undone } = &mut self.step else {
            return true;
        };
        if let Some(removed) = undone {
            ui.label(format!("Import undone: {removed} secrets taken out again."));
        } else {
            ui.label(imported_summary(receipt));
            if ui.button("Undo import").clicked() {
                *undone = Some(crate::import::undo(&mut session.vault, receipt));
                session.changed();
            }
        }
        ui.separator();
        !ui.button("Close").clicked()
    }
}

fn reading_ui(ui: &mut egui::Ui) -> bool {
    ui.horizontal(|ui| {
        ui.spinner();
        ui.label("Reading the file…");
    });
    true
}

fn imported_summary(receipt: &ImportReceipt) -> String {
    let mut text = format!("Imported {} secrets.", receipt.added.len());
    if receipt.skipped > 0 {
        let _ = write!(text, " Left out {} already in the vault.", receipt.skipped);
    }
    text
}

fn preview_table_ui(ui: &mut egui::Ui, preview: &Preview) {
    egui::ScrollArea::vertical()
        .max_height(260.0)
        .show(ui, |ui| {
            egui::Grid::new("import-preview")
                .num_columns(4)
                .striped(true)
                .show(ui, |ui| {
                    for heading in ["Box", "Type", "Secrets", "Already in the vault"] {
                        ui.strong(heading);
                    }
                    ui.end_row();
                    for b in &preview.boxes {
                        let name = if b.new_box {
                            format!("{} (new)", b.name)
                        } else {
                            b.name.clone()
                        };
                        ui.label(name);
                        ui.label(b.kind.label());
                        ui.label(b.secrets.to_string());
                        ui.label(b.duplicates.to_string());
                        ui.end_row();
                    }
                });
        });
}

fn format_name(format: Option<Format>) -> &'static str {
    FORMATS
        .iter()
        .find(|(f, _)| *f == format)
        .map_or("Recognise it", |(_, name)| name)
}

/// A labelled path field (typed or pasted) and a button to choose the file.
fn file_row_ui(ui: &mut egui::Ui, label: &str, path: &mut String, pick: impl FnOnce()) {
    let label = ui.label(label);
    ui.horizontal(|ui| {
        ui.add(egui::TextEdit::singleline(path).desired_width(300.0))
            .labelled_by(label.id);
        if ui
            .button("Choose…")
            .on_hover_text("Choose with the file picker")
            .clicked()
        {
            pick();
        }
    });
}

fn optional_path(text: &str) -> Option<PathBuf> {
    let text = text.trim();
    (!text.is_empty()).then(|| PathBuf::from(text))
}

fn mapping_slots(mapping: &mut ColumnMapping) -> [(&'static str, &mut Option<usize>); 7] {
    [
        ("Title", &mut mapping.title),
        ("Username", &mut mapping.username),
        ("Password", &mut mapping.password),
        ("Website", &mut mapping.url),
        ("Notes", &mut mapping.notes),
        ("TOTP", &mut mapping.totp),
        ("Folder (box)", &mut mapping.folder),
    ]
}

fn column_choice_ui(
    ui: &mut egui::Ui,
    name: &str,
    headers: &[String],
    slot: &mut Option<usize>,
) -> egui::Response {
    let selected = slot
        .and_then(|i| headers.get(i))
        .map_or("(none)", String::as_str);
    egui::ComboBox::from_id_salt(("import-column", name))
        .selected_text(selected)
        .show_ui(ui, |ui| {
            ui.selectable_value(slot, None, "(none)");
            for (i, header) in headers.iter().enumerate() {
                ui.selectable_value(slot, Some(i), header);
            }
        })
        .response
}

/// A first guess at the columns, by their names.
fn guess_mapping(headers: &[String]) -> ColumnMapping {
    let find = |names: &[&str]| {
        headers.iter().position(|h| {
            let h = h.trim().to_lowercase();
            names.iter().any(|n| h == *n || h.contains(n))
        })
    };
    ColumnMapping {
        title: find(&["title", "name", "site"]),
        username: find(&["user", "login", "email"]),
        password: find(&["pass"]),
        url: find(&["url", "website", "uri", "link"]),
        notes: find(&["note", "comment", "extra"]),
        totp: find(&["totp", "otp", "2fa"]),
        folder: find(&["folder", "group", "category", "vault"]),
    }
}

/// The export dialog: a KDBX 4 file with its own password, or a CSV.
#[derive(Default)]
pub(crate) struct ExportDialog {
    csv: bool,
    password: super::onboarding::PasswordPair,
    busy: bool,
    message: Option<String>,
}

impl ExportDialog {
    pub fn finished(&mut self, result: Result<(PathBuf, usize), String>) {
        self.busy = false;
        self.message = Some(match result {
            Ok((path, count)) => format!("Exported {count} secrets to {}.", path.display()),
            Err(e) => e,
        });
    }

    /// Draws the dialog; returns false when it was closed.
    pub fn ui(&mut self, ctx: &egui::Context, commands: &mut Vec<Command>) -> bool {
        let mut open = true;
        super::dialogs::window("Export").show(ctx, |ui| {
            ui.set_min_width(420.0);
            ui.horizontal(|ui| {
                ui.radio_value(&mut self.csv, false, "KeePass KDBX 4 (encrypted)");
                ui.radio_value(&mut self.csv, true, "CSV, Bitwarden layout (not encrypted)");
            });
            let ready = if self.csv {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    "A CSV file is not encrypted: anyone who can read it sees every \
                     password. Import it where it is going, then delete it. Open it with a \
                     password manager, not a spreadsheet.",
                );
                Some(None)
            } else {
                ui.label("Every box and field goes into the file, protected by its own password.");
                self.password.ui(ui, "Password for the KeePass file");
                self.password.ready().map(Some)
            };
            if let Some(message) = &self.message {
                ui.label(message);
            }
            ui.separator();
            ui.horizontal(|ui| {
                if self.busy {
                    ui.spinner();
                } else if ui
                    .add_enabled(ready.is_some(), egui::Button::new("Choose where to save…"))
                    .clicked()
                    && let Some(password) = ready
                {
                    self.message = None;
                    commands.push(Command::PickExportFile {
                        csv: self.csv,
                        password,
                    });
                }
                if ui.button("Close").clicked() {
                    open = false;
                }
            });
        });
        open
    }

    pub fn started(&mut self) {
        self.busy = true;
    }
}

/// Where the picker starts and the file name it suggests.
pub(crate) fn export_file_name(csv: bool) -> &'static str {
    if csv {
        "qvault-export.csv"
    } else {
        "qvault-export.kdbx"
    }
}

/// The purpose of a picked path for the export.
pub(crate) fn export_purpose(csv: bool, password: Option<Password>) -> FilePurpose {
    FilePurpose::ExportTarget { csv, password }
}
