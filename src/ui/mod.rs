//! The eframe window.

use std::path::PathBuf;

pub fn run(vault: Option<PathBuf>) -> Result<(), eframe::Error> {
    let _ = vault;
    Ok(())
}
