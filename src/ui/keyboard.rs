//! An on-screen keyboard for the master password, against keyloggers that
//! read the physical keyboard (as the original Qvault offered). Optionally
//! shuffled: the keys move after every press, so the positions of clicks
//! tell a screen or mouse logger nothing either.

use rand::seq::SliceRandom;

use crate::vault::SecretText;

const LOWER: [&str; 4] = ["1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"];
const UPPER: [&str; 4] = ["1234567890", "QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM"];
const SYMBOLS: [&str; 4] = ["!@#$%^&*()", "-_=+[]{}\\|", ";:'\",.<>/?", "`~€£§°"];

#[derive(Clone, Copy, PartialEq, Eq, Default)]
enum Layer {
    #[default]
    Lower,
    Upper,
    Symbols,
}

/// The keyboard's state: the layer shown and, when shuffled, the order.
#[derive(Default)]
pub(crate) struct OnScreenKeyboard {
    layer: Layer,
    /// The keys of the current layer in the order shown (shuffled or not).
    keys: Vec<char>,
    shuffled_for: Option<(Layer, bool)>,
}

impl OnScreenKeyboard {
    fn rows(&self) -> [&'static str; 4] {
        match self.layer {
            Layer::Lower => LOWER,
            Layer::Upper => UPPER,
            Layer::Symbols => SYMBOLS,
        }
    }

    fn layout(&mut self, shuffle: bool) {
        if self.shuffled_for == Some((self.layer, shuffle)) {
            return;
        }
        self.keys = self.rows().iter().flat_map(|r| r.chars()).collect();
        if shuffle {
            self.keys.shuffle(&mut rand::rng());
        }
        self.shuffled_for = Some((self.layer, shuffle));
    }

    /// Draws the keys; a click types into `target`. Returns true when
    /// "Enter" was clicked.
    pub fn ui(&mut self, ui: &mut egui::Ui, target: &mut SecretText, shuffle: bool) -> bool {
        self.layout(shuffle);
        let mut typed = None;
        let mut entered = false;
        let key_size = egui::vec2(30.0, 28.0);
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.spacing_mut().item_spacing = egui::vec2(4.0, 4.0);
            // Shuffled or not, each row keeps its length.
            let mut keys = self.keys.iter();
            for row in self.rows() {
                let len = row.chars().count();
                ui.horizontal(|ui| {
                    for key in keys.by_ref().take(len) {
                        let text = key.to_string();
                        if ui
                            .add_sized(key_size, egui::Button::new(text.as_str()))
                            .clicked()
                        {
                            typed = Some(*key);
                        }
                    }
                });
            }
            ui.horizontal(|ui| {
                let shift = if self.layer == Layer::Upper {
                    "abc"
                } else {
                    "Shift"
                };
                let wide = egui::vec2(56.0, key_size.y);
                if ui.add_sized(wide, egui::Button::new(shift)).clicked() {
                    self.layer = if self.layer == Layer::Upper {
                        Layer::Lower
                    } else {
                        Layer::Upper
                    };
                }
                let symbols = if self.layer == Layer::Symbols {
                    "abc"
                } else {
                    "#+="
                };
                if ui.add_sized(wide, egui::Button::new(symbols)).clicked() {
                    self.layer = if self.layer == Layer::Symbols {
                        Layer::Lower
                    } else {
                        Layer::Symbols
                    };
                }
                if ui
                    .add_sized(egui::vec2(120.0, key_size.y), egui::Button::new("Space"))
                    .clicked()
                {
                    typed = Some(' ');
                }
                if ui
                    .add_sized(egui::vec2(80.0, key_size.y), egui::Button::new("Backspace"))
                    .clicked()
                    && let Some((index, _)) = target.as_str().char_indices().next_back()
                {
                    let len = target.as_str().len();
                    target.remove_range(index..len);
                }
                if ui.add_sized(wide, egui::Button::new("Enter")).clicked() {
                    entered = true;
                }
            });
        });
        if let Some(key) = typed {
            let mut buf = [0u8; 4];
            target.push_str(key.encode_utf8(&mut buf));
            // Shuffled keys move after every press.
            if shuffle {
                self.shuffled_for = None;
            }
        }
        entered
    }
}
