//! Small widgets shared by the screens: labelled secret fields with a reveal
//! toggle, the strength meter, QR textures and accessible icon buttons.

use crate::qr::{QrError, QrGrid};
use crate::vault::SecretText;

/// A labelled single-line field for a secret, masked unless revealed with
/// the "Show" toggle beside it. Returns the text field's response.
pub fn secret_field(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut SecretText,
    wide: bool,
) -> egui::Response {
    let id = ui.make_persistent_id(("reveal", label));
    let mut revealed = ui.data(|d| d.get_temp::<bool>(id)).unwrap_or(false);
    let label_response = ui.label(label);
    let response = ui
        .horizontal(|ui| {
            let width = if wide {
                ui.available_width() - 60.0
            } else {
                260.0
            };
            let response = ui
                .add(
                    egui::TextEdit::singleline(value)
                        .password(!revealed)
                        .desired_width(width),
                )
                .labelled_by(label_response.id);
            let toggle = if revealed { "Hide" } else { "Show" };
            if labeled_button(ui, toggle, &format!("{toggle} {label}")).clicked() {
                revealed = !revealed;
            }
            response
        })
        .inner;
    ui.data_mut(|d| d.insert_temp(id, revealed));
    response
}

/// A button whose accessible name is `name` (e.g. "Copy Username") while it
/// shows the short `text`; screen readers and UI tests find it by name.
pub fn labeled_button(ui: &mut egui::Ui, text: &str, name: &str) -> egui::Response {
    let response = ui.add(egui::Button::new(text).small()).on_hover_text(name);
    let name = name.to_owned();
    response.widget_info(move || {
        egui::WidgetInfo::labeled(egui::WidgetType::Button, true, name.clone())
    });
    response
}

/// zxcvbn's verdict under a new password; returns the score 0–4.
pub fn strength_ui(ui: &mut egui::Ui, password: &str) -> Option<u8> {
    if password.is_empty() {
        return None;
    }
    let entropy = zxcvbn::zxcvbn(password, &[]);
    let score = u8::from(entropy.score());
    let (word, color) = match score {
        0 => ("Very weak", egui::Color32::from_rgb(200, 40, 40)),
        1 => ("Weak", egui::Color32::from_rgb(220, 110, 30)),
        2 => ("Fair", egui::Color32::from_rgb(200, 170, 0)),
        3 => ("Strong", egui::Color32::from_rgb(90, 170, 60)),
        _ => ("Very strong", egui::Color32::from_rgb(30, 150, 60)),
    };
    ui.horizontal(|ui| {
        ui.add(
            egui::ProgressBar::new(f32::from(score + 1) / 5.0)
                .desired_width(160.0)
                .fill(color),
        );
        ui.colored_label(color, format!("Strength: {word}"));
    });
    if let Some(feedback) = entropy.feedback()
        && let Some(warning) = feedback.warning()
    {
        ui.label(egui::RichText::new(warning.to_string()).small());
    }
    Some(score)
}

/// A column of at most `width` points, centred horizontally.
pub fn centered_column(ui: &mut egui::Ui, width: f32, add: impl FnOnce(&mut egui::Ui)) {
    let width = width.min(ui.available_width());
    let margin = ((ui.available_width() - width) / 2.0).max(0.0);
    ui.horizontal_top(|ui| {
        ui.add_space(margin);
        ui.vertical(|ui| {
            ui.set_max_width(width);
            ui.add_space(24.0);
            add(ui);
        });
    });
}

/// Renders text as a QR code texture, 8 pixels per module, with the quiet zone.
pub fn qr_texture(
    ctx: &egui::Context,
    name: &str,
    text: &str,
) -> Result<egui::TextureHandle, QrError> {
    let grid = QrGrid::encode(text)?;
    let (side, pixels) = grid.to_luma(8);
    let image = egui::ColorImage::from_gray([side, side], &pixels);
    Ok(ctx.load_texture(name, image, egui::TextureOptions::NEAREST))
}
