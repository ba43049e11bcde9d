//! A secret's earlier versions: which fields each one changed, a side-by-side
//! comparison with the current content (hidden values masked until shown),
//! and "Restore this version", which keeps the current content in history.

use uuid::Uuid;
use zeroize::Zeroizing;

use super::session::Session;
use crate::vault::{BoxKind, Secret, SecretContent};

const MASK: &str = "••••••••";

/// The history dialog of one secret.
pub(crate) struct HistoryView {
    box_id: Uuid,
    secret_id: Uuid,
    /// Index into the secret's history (0: the newest earlier version).
    selected: usize,
    show_values: bool,
}

/// One compared field: its label, the old and current values, and whether
/// it is hidden.
struct Row {
    label: String,
    old: Zeroizing<String>,
    new: Zeroizing<String>,
    hidden: bool,
}

impl HistoryView {
    pub fn new(box_id: Uuid, secret_id: Uuid) -> Self {
        Self {
            box_id,
            secret_id,
            selected: 0,
            show_values: false,
        }
    }

    /// Draws the dialog; false once it is closed (or its secret is gone).
    pub fn ui(&mut self, ctx: &egui::Context, session: &mut Session) -> bool {
        let Some(vault_box) = session.vault.box_by_id(self.box_id) else {
            return false;
        };
        let kind = vault_box.kind;
        let Some(secret) = vault_box.secret(self.secret_id) else {
            return false;
        };
        if secret.history.is_empty() {
            return false;
        }
        self.selected = self.selected.min(secret.history.len() - 1);
        let mut open = true;
        let mut restore = false;
        let now = crate::vault::now_ms();
        super::dialogs::window(&format!("History: {}", secret.title(kind))).show(ctx, |ui| {
            ui.set_max_width(760.0);
            ui.horizontal_top(|ui| {
                ui.vertical(|ui| {
                    ui.strong("Earlier versions, newest first");
                    for (n, version) in secret.history.iter().enumerate() {
                        let newer = if n == 0 {
                            &secret.content
                        } else {
                            &secret.history[n - 1].content
                        };
                        let changed = changed_fields(kind, &version.content, newer);
                        let text = format!(
                            "Version {}: {}\nthe edit after it changed: {}",
                            n + 1,
                            age(now, version.updated_ms),
                            if changed.is_empty() {
                                "nothing".into()
                            } else {
                                changed.join(", ")
                            }
                        );
                        if ui.selectable_label(self.selected == n, text).clicked() {
                            self.selected = n;
                        }
                    }
                });
                ui.add_space(16.0);
                ui.vertical(|ui| {
                    compare_ui(ui, kind, secret, self.selected, &mut self.show_values);
                    ui.horizontal(|ui| {
                        restore = ui.button("Restore this version").clicked();
                        if ui.button("Close").clicked() {
                            open = false;
                        }
                    });
                });
            });
        });
        if restore {
            // A draft being typed elsewhere is kept, not dropped.
            session.commit_editor();
            let index = self.selected;
            match session
                .vault
                .restore_version(self.box_id, self.secret_id, index)
            {
                Ok(changed) => {
                    if changed {
                        session.changed();
                    }
                    open = false;
                }
                Err(e) => log::warn!("restore failed: {e}"),
            }
        }
        open
    }
}

fn compare_ui(
    ui: &mut egui::Ui,
    kind: BoxKind,
    secret: &Secret,
    selected: usize,
    show_values: &mut bool,
) {
    let Some(version) = secret.history.get(selected) else {
        return;
    };
    ui.strong(format!("Version {} beside the current one", selected + 1));
    ui.checkbox(show_values, "Show hidden values");
    let rows = rows(kind, &version.content, &secret.content);
    egui::ScrollArea::vertical()
        .max_height(380.0)
        .show(ui, |ui| {
            egui::Grid::new("history-compare")
                .num_columns(3)
                .striped(true)
                .spacing([12.0, 6.0])
                .show(ui, |ui| {
                    ui.strong("Field");
                    ui.strong("This version");
                    ui.strong("Current");
                    ui.end_row();
                    for row in &rows {
                        let differs = row.old != row.new;
                        let mask = row.hidden && !*show_values;
                        let label = egui::RichText::new(&row.label);
                        ui.label(if differs { label.strong() } else { label });
                        for value in [&row.old, &row.new] {
                            let shown = if mask && !value.is_empty() {
                                MASK
                            } else {
                                value.as_str()
                            };
                            let text = egui::RichText::new(shown).monospace();
                            // Short values on one line; long ones (notes) wrap.
                            let label = egui::Label::new(text);
                            ui.add(if shown.len() > 40 {
                                label.wrap()
                            } else {
                                label.extend()
                            });
                        }
                        ui.end_row();
                    }
                });
        });
}

/// Every field either content has: template fields, list items, custom.
fn rows(kind: BoxKind, old: &SecretContent, new: &SecretContent) -> Vec<Row> {
    let mut rows = Vec::new();
    for spec in kind.fields() {
        let (a, b) = (old.get(spec.key), new.get(spec.key));
        if !a.is_empty() || !b.is_empty() {
            rows.push(Row {
                label: spec.label.to_owned(),
                old: Zeroizing::new(a.to_owned()),
                new: Zeroizing::new(b.to_owned()),
                hidden: spec.hidden,
            });
        }
    }
    for list in kind.lists() {
        let empty = Vec::new();
        let a = old.lists.get(list.key).unwrap_or(&empty);
        let b = new.lists.get(list.key).unwrap_or(&empty);
        for n in 0..a.len().max(b.len()) {
            for spec in list.fields {
                let value = |items: &Vec<crate::vault::ListItem>| {
                    items
                        .get(n)
                        .and_then(|item| item.get(spec.key))
                        .map_or(String::new(), |v| v.as_str().to_owned())
                };
                let value = |items| Zeroizing::new(value(items));
                let (a, b) = (value(a), value(b));
                if !a.is_empty() || !b.is_empty() {
                    rows.push(Row {
                        label: format!(
                            "{} {} {}",
                            list.item_label,
                            n + 1,
                            spec.label.to_lowercase()
                        ),
                        old: a,
                        new: b,
                        hidden: spec.hidden,
                    });
                }
            }
        }
    }
    let names: std::collections::BTreeSet<&str> = old
        .custom
        .iter()
        .chain(&new.custom)
        .map(|f| f.name.as_str())
        .collect();
    for name in names {
        let (a, b) = (
            old.custom.iter().find(|f| f.name == name),
            new.custom.iter().find(|f| f.name == name),
        );
        rows.push(Row {
            label: name.to_owned(),
            old: Zeroizing::new(a.map_or(String::new(), |f| f.value.as_str().to_owned())),
            new: Zeroizing::new(b.map_or(String::new(), |f| f.value.as_str().to_owned())),
            hidden: a.is_some_and(|f| f.hidden) || b.is_some_and(|f| f.hidden),
        });
    }
    rows
}

/// The labels of the fields that differ between two versions.
fn changed_fields(kind: BoxKind, old: &SecretContent, new: &SecretContent) -> Vec<String> {
    rows(kind, old, new)
        .into_iter()
        .filter(|row| row.old != row.new)
        .map(|row| row.label)
        .collect()
}

/// "just now", "5 minutes ago", "3 hours ago", "12 days ago".
fn age(now_ms: i64, then_ms: i64) -> String {
    let minutes = (now_ms - then_ms).max(0) / 60_000;
    match minutes {
        0 => "just now".into(),
        1..=59 => format!("{minutes} min ago"),
        60..=2879 => format!("{} h ago", minutes / 60),
        _ => format!("{} days ago", minutes / 1440),
    }
}
