//! `qvault update [--check]`: read the release manifest and report, or
//! install the newer release over this executable.

use crate::update::{self, CheckOutcome, UpdateConfig};

use super::CliError;

/// The manifest URL: `--manifest-url`, else the settings', else the built-in.
fn config(manifest_url: Option<String>) -> UpdateConfig {
    let url = manifest_url.or_else(|| {
        crate::settings::Settings::load(&crate::paths::settings_path()).update_manifest_url
    });
    UpdateConfig::for_this_build(url)
}

/// Prints `update available: X.Y.Z` or `up to date`; with `install`,
/// installs the newer release first.
pub fn run(manifest_url: Option<String>, install: bool) -> Result<(), CliError> {
    let config = config(manifest_url);
    let offer = match update::check(&config)? {
        CheckOutcome::UpToDate => {
            println!("up to date");
            return Ok(());
        }
        CheckOutcome::Available(offer) => offer,
    };
    println!("update available: {}", offer.version);
    if install {
        let exe = std::env::current_exe().map_err(CliError::Output)?;
        update::install(&config, &offer, &exe)?;
        println!("installed {}; start Qvault again to use it", offer.version);
    }
    Ok(())
}
