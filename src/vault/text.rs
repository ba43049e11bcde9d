//! `SecretText`: the string type of every decrypted field value. It wipes its
//! buffer when dropped and whenever it has to grow, and never prints itself.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroize;

/// A field value held in memory only while the vault is unlocked.
#[derive(Default, Clone, PartialEq, Eq)]
pub struct SecretText(String);

impl SecretText {
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Replaces the content, wiping the old buffer.
    pub fn set(&mut self, text: &str) {
        self.0.zeroize();
        self.push_str(text);
    }

    /// Appends without leaving a copy behind in a freed buffer: when the
    /// string must grow, the old allocation is wiped first.
    pub fn push_str(&mut self, text: &str) {
        self.reserve_wiping(text.len());
        self.0.push_str(text);
    }

    /// Inserts at a byte index (which must be a char boundary).
    pub fn insert_str(&mut self, byte_index: usize, text: &str) {
        self.reserve_wiping(text.len());
        self.0.insert_str(byte_index, text);
    }

    /// Removes a byte range (on char boundaries).
    pub fn remove_range(&mut self, range: std::ops::Range<usize>) {
        if range.start > range.end
            || !self.0.is_char_boundary(range.start)
            || !self.0.is_char_boundary(range.end)
        {
            return;
        }
        let tail = self.0.len() - range.end;
        let start = range.start;
        // Shift the tail down in place, then wipe the freed end.
        let mut bytes = std::mem::take(&mut self.0).into_bytes();
        bytes.copy_within(range.end.., start);
        bytes[start + tail..].zeroize();
        bytes.truncate(start + tail);
        self.0 = String::from_utf8(bytes).expect("removing whole chars keeps UTF-8 valid");
    }

    fn reserve_wiping(&mut self, extra: usize) {
        let needed = self.0.len() + extra;
        if needed <= self.0.capacity() {
            return;
        }
        let mut grown = String::with_capacity(needed.max(32).next_power_of_two());
        grown.push_str(&self.0);
        self.0.zeroize();
        self.0 = grown;
    }
}

impl Drop for SecretText {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl From<&str> for SecretText {
    fn from(text: &str) -> Self {
        Self::new(text)
    }
}

impl From<String> for SecretText {
    fn from(text: String) -> Self {
        Self(text)
    }
}

impl fmt::Debug for SecretText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretText(<{} bytes>)", self.0.len())
    }
}

impl Serialize for SecretText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for SecretText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editing_keeps_the_text_right() {
        let mut t = SecretText::new("héllo");
        t.push_str(" wörld, and a long tail to force growth");
        t.insert_str(0, ">");
        t.remove_range(1..2);
        t.remove_range(1..2); // not a char boundary: ignored
        assert_eq!(t.as_str(), ">éllo wörld, and a long tail to force growth");
        t.set("new");
        assert_eq!(t.as_str(), "new");
    }

    #[test]
    fn debug_shows_no_content() {
        assert!(!format!("{:?}", SecretText::new("hunter2")).contains("hunter2"));
    }
}
