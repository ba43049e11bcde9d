//! Lets egui's text editors edit `SecretText` in place, so that typing into a
//! field never leaves copies of the value in freed memory.

use std::any::TypeId;
use std::ops::Range;

use egui::TextBuffer;
use egui::text::CharIndex;

use crate::vault::SecretText;

impl TextBuffer for SecretText {
    fn is_mutable(&self) -> bool {
        true
    }

    fn as_str(&self) -> &str {
        SecretText::as_str(self)
    }

    fn insert_text(&mut self, text: &str, char_index: CharIndex) -> usize {
        let byte_index = self.byte_index_from_char_index(char_index);
        self.insert_str(byte_index.0, text);
        text.chars().count()
    }

    fn delete_char_range(&mut self, char_range: Range<CharIndex>) {
        let start = self.byte_index_from_char_index(char_range.start);
        let end = self.byte_index_from_char_index(char_range.end);
        self.remove_range(start.0..end.0);
    }

    fn type_id(&self) -> TypeId {
        TypeId::of::<Self>()
    }
}
