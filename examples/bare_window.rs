//! The peer for `benches/first_frame.sh`: a bare eframe window with the same
//! eframe features, options and size as Qvault's, and one label. Comparing
//! the two shows what Qvault adds to start-up beyond eframe itself.

fn main() -> eframe::Result {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Bare eframe")
            .with_inner_size([1100.0, 720.0]),
        ..Default::default()
    };
    eframe::run_ui_native("Bare eframe", options, |ui, _frame| {
        egui::CentralPanel::default().show(ui, |ui| {
            ui.heading("Bare eframe");
        });
    })
}
