//! Where Qvault keeps its files: the default vault and the settings file.
//!
//! Portable mode (DESIGN.md "Portable mode"): when a file `qvault.portable`
//! sits beside the executable, everything Qvault writes (settings, the
//! default vault and its backups, update downloads; logs go to stderr) lives in the
//! folder `qvault-data` beside it, and nothing anywhere else.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use directories::ProjectDirs;

/// The marker file that turns portable mode on.
pub const PORTABLE_MARKER: &str = "qvault.portable";
/// The folder beside the executable that holds a portable install's files.
pub const PORTABLE_DIR: &str = "qvault-data";

fn project_dirs() -> Option<ProjectDirs> {
    ProjectDirs::from("org", "Qvault", "qvault")
}

/// The portable folder when this executable runs in portable mode (decided
/// once per process).
pub fn portable_dir() -> Option<&'static Path> {
    static PORTABLE: OnceLock<Option<PathBuf>> = OnceLock::new();
    PORTABLE
        .get_or_init(|| {
            let exe = std::env::current_exe().ok()?;
            portable_dir_for(&exe.canonicalize().unwrap_or(exe))
        })
        .as_deref()
}

/// The portable folder for the executable at `exe`, if its marker is there.
pub fn portable_dir_for(exe: &Path) -> Option<PathBuf> {
    let beside = exe.parent()?;
    beside
        .join(PORTABLE_MARKER)
        .is_file()
        .then(|| beside.join(PORTABLE_DIR))
}

/// The folder for the default vault and its backup:
/// `$XDG_DATA_HOME/qvault` (usually `~/.local/share/qvault`) on Linux, or
/// the portable folder.
pub fn data_dir() -> PathBuf {
    if let Some(portable) = portable_dir() {
        return portable.to_owned();
    }
    project_dirs().map_or_else(|| PathBuf::from("."), |d| d.data_dir().to_owned())
}

/// The default vault file.
pub fn default_vault_path() -> PathBuf {
    data_dir().join("vault.qvault")
}

/// The settings file (not secret): `$XDG_CONFIG_HOME/qvault/settings.json`,
/// or `settings.json` in the portable folder.
pub fn settings_path() -> PathBuf {
    if let Some(portable) = portable_dir() {
        return portable.join("settings.json");
    }
    project_dirs()
        .map_or_else(|| PathBuf::from("."), |d| d.config_dir().to_owned())
        .join("settings.json")
}

/// The user's home folder, where "Save as" pickers start; the current
/// folder when the platform names none.
pub fn home_dir() -> PathBuf {
    directories::UserDirs::new().map_or_else(|| PathBuf::from("."), |d| d.home_dir().to_owned())
}

/// The nearest existing folder at or above `dir`, so a picker never opens on
/// a folder that is not there yet (a first run before the data folder exists).
pub fn existing_ancestor(dir: &std::path::Path) -> PathBuf {
    dir.ancestors()
        .find(|d| d.is_dir())
        .map_or_else(home_dir, std::path::Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_marker_beside_the_executable_turns_portable_mode_on() {
        let dir = tempfile::tempdir().expect("temp dir");
        let exe = dir.path().join("qvault");
        assert_eq!(portable_dir_for(&exe), None);
        std::fs::write(dir.path().join(PORTABLE_MARKER), b"").expect("marker");
        assert_eq!(portable_dir_for(&exe), Some(dir.path().join(PORTABLE_DIR)));
    }
}
