//! Settings that are not secret (auto-lock, clipboard, theme, last vault),
//! kept as JSON in the config folder. A missing or unreadable file gives the
//! defaults; it never stops the app.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The window's colour theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

/// User preferences.
#[allow(
    clippy::struct_excessive_bools,
    reason = "independent preferences, each a switch in Settings"
)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Lock after this many idle minutes (0: never).
    pub lock_after_minutes: u32,
    /// Clear a copied value from the clipboard after this many seconds.
    pub clear_clipboard_after_secs: u32,
    pub theme: Theme,
    /// The vault opened last, offered at start.
    pub last_vault: Option<PathBuf>,
    /// Offline mode: Qvault opens no network connection on its own.
    pub offline: bool,
    /// Look for a newer release once per launch (never in offline mode).
    pub check_for_updates: bool,
    /// The release manifest to read instead of the built-in one.
    pub update_manifest_url: Option<String>,
    /// A release the user chose to skip: its banner is not shown again.
    pub skipped_version: Option<String>,
    /// Show the on-screen keyboard under the master password field.
    pub onscreen_keyboard: bool,
    /// Shuffle the on-screen keyboard's keys after every press.
    pub shuffle_keyboard: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            lock_after_minutes: 5,
            clear_clipboard_after_secs: 30,
            theme: Theme::System,
            last_vault: None,
            offline: false,
            check_for_updates: true,
            update_manifest_url: None,
            skipped_version: None,
            onscreen_keyboard: false,
            shuffle_keyboard: false,
        }
    }
}

impl Settings {
    pub fn load(path: &Path) -> Self {
        match fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                log::warn!(
                    "settings file {} is unreadable ({e}); using defaults",
                    path.display()
                );
                Self::default()
            }),
            Err(_) => Self::default(),
        }
    }

    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        let json = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        let temp = path.with_extension("json.tmp");
        fs::write(&temp, json)?;
        fs::rename(&temp, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_bad_files_give_defaults() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("cfg").join("settings.json");
        assert_eq!(Settings::load(&path), Settings::default());
        let custom = Settings {
            lock_after_minutes: 1,
            theme: Theme::Dark,
            ..Settings::default()
        };
        custom.save(&path).expect("save");
        assert_eq!(Settings::load(&path), custom);
        fs::write(&path, b"{ not json").expect("write");
        assert_eq!(Settings::load(&path), Settings::default());
    }
}
