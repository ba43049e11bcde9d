//! Where Qvault keeps its files: the default vault and the settings file.

use std::path::PathBuf;

use directories::ProjectDirs;

fn project_dirs() -> Option<ProjectDirs> {
    ProjectDirs::from("org", "Qvault", "qvault")
}

/// The folder for the default vault and its backup:
/// `$XDG_DATA_HOME/qvault` (usually `~/.local/share/qvault`) on Linux.
pub fn data_dir() -> PathBuf {
    project_dirs().map_or_else(|| PathBuf::from("."), |d| d.data_dir().to_owned())
}

/// The default vault file.
pub fn default_vault_path() -> PathBuf {
    data_dir().join("vault.qvault")
}

/// The settings file (not secret): `$XDG_CONFIG_HOME/qvault/settings.json`.
pub fn settings_path() -> PathBuf {
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
