//! The release check and install (DESIGN.md "Updates"): a JSON manifest read
//! with `self_update`'s manifest backend over ureq, archives verified with
//! the ed25519 keys compiled in by `build.rs` (zipsign signatures) before
//! anything is replaced. Blocking: the window runs it on a named thread, the
//! command line directly.

mod install;
mod version;

use std::time::Duration;

use self_update::backends::manifest::ManifestSource;
use self_update::{Release, ReleaseSource};

pub use install::install;
pub use version::{BUILD_DATE, COMMIT, LONG_VERSION, VERSION};

mod keys {
    include!(concat!(env!("OUT_DIR"), "/update_keys.rs"));
}

/// The manifest read when neither `--manifest-url` nor the settings name one.
pub const DEFAULT_MANIFEST_URL: &str = match option_env!("QVAULT_MANIFEST_URL") {
    Some(url) => url,
    None => "https://releases.qvault.app/manifest.json",
};

/// How long reading the manifest may take, all in.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(10);
/// How long downloading an archive may take, all in.
pub const DOWNLOAD_TIMEOUT: Duration = Duration::from_mins(5);
/// The largest archive we download (the binary is at most 12 MB).
pub const MAX_ARCHIVE_BYTES: u64 = 64 * 1024 * 1024;

/// The release signing keys compiled into this build.
pub fn release_keys() -> Vec<[u8; 32]> {
    keys::RELEASE_KEYS.to_vec()
}

/// Why a check or an install failed.
#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error("failed to read the release manifest at {url}: {source}")]
    Manifest {
        url: String,
        source: self_update::errors::Error,
    },
    #[error("version {found} is not newer than this one ({current}); refusing to install it")]
    NotNewer { found: String, current: String },
    #[error("release {version} has no archive for {target}")]
    NoAsset { version: String, target: String },
    #[error("failed to download {name}: {source}")]
    Download {
        name: String,
        source: self_update::errors::Error,
    },
    #[error("{name} is not signed by a Qvault release key ({source}); nothing was replaced")]
    Signature {
        name: String,
        source: self_update::errors::Error,
    },
    #[error("no release signing key is configured; refusing to install unverified code")]
    NoKeys,
    #[error("failed to unpack {name}: {source}")]
    Extract {
        name: String,
        source: self_update::errors::Error,
    },
    #[error("failed to replace {path}: {source}")]
    Replace {
        path: std::path::PathBuf,
        source: self_update::errors::Error,
    },
    #[error("failed to prepare a download folder: {0}")]
    TempDir(#[source] std::io::Error),
}

/// Where to look and what counts as newer.
#[derive(Debug, Clone)]
pub struct UpdateConfig {
    pub manifest_url: String,
    /// This build's version (semver).
    pub current_version: String,
    /// The keys an archive must be signed with (`release_keys()` outside tests).
    pub keys: Vec<[u8; 32]>,
}

impl UpdateConfig {
    /// This build, checking `manifest_url` (default: [`DEFAULT_MANIFEST_URL`]).
    pub fn for_this_build(manifest_url: Option<String>) -> Self {
        Self {
            manifest_url: manifest_url.unwrap_or_else(|| DEFAULT_MANIFEST_URL.to_owned()),
            current_version: VERSION.to_owned(),
            keys: release_keys(),
        }
    }
}

/// A newer release offered for this platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub version: String,
    pub notes_url: Option<String>,
    pub asset_name: String,
    pub asset_url: String,
}

/// What the manifest says about this build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckOutcome {
    UpToDate,
    Available(Offer),
}

/// Reads the manifest and returns the newest release that is newer than this
/// one and has an archive for this platform.
pub fn check(config: &UpdateConfig) -> Result<CheckOutcome, UpdateError> {
    let mut source = ManifestSource::new(config.manifest_url.clone());
    source.timeout(CHECK_TIMEOUT);
    let releases = source
        .get_releases()
        .map_err(|source| UpdateError::Manifest {
            url: config.manifest_url.clone(),
            source,
        })?;
    let newest = releases
        .into_iter()
        .filter(|r| is_newer(r.version(), &config.current_version))
        .max_by(|a, b| compare_versions(a.version(), b.version()));
    match newest {
        None => Ok(CheckOutcome::UpToDate),
        Some(release) => offer_for(&release).map(CheckOutcome::Available),
    }
}

fn offer_for(release: &Release) -> Result<Offer, UpdateError> {
    let target = self_update::get_target();
    let asset = release
        .assets()
        .iter()
        .find(|a| a.name().contains(target) && a.name().ends_with(ARCHIVE_SUFFIX))
        .ok_or_else(|| UpdateError::NoAsset {
            version: release.version().to_owned(),
            target: target.to_owned(),
        })?;
    Ok(Offer {
        version: release.version().to_owned(),
        notes_url: release.release_notes_url().map(str::to_owned),
        asset_name: asset.name().to_owned(),
        asset_url: asset.download_url().to_owned(),
    })
}

/// The archive kind released for this platform (dist/release.sh).
const ARCHIVE_SUFFIX: &str = if cfg!(windows) { ".zip" } else { ".tar.gz" };

/// Whether `candidate` is a strictly greater semver than `current`.
pub fn is_newer(candidate: &str, current: &str) -> bool {
    match (
        semver::Version::parse(candidate),
        semver::Version::parse(current),
    ) {
        (Ok(candidate), Ok(current)) => candidate > current,
        _ => false,
    }
}

fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    match (semver::Version::parse(a), semver::Version::parse(b)) {
        (Ok(a), Ok(b)) => a.cmp(&b),
        _ => std::cmp::Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_strictly_greater_versions_are_newer() {
        assert!(is_newer("0.2.0", "0.1.0"));
        assert!(is_newer("0.1.1", "0.1.0"));
        assert!(!is_newer("0.1.0", "0.1.0"));
        assert!(!is_newer("0.0.9", "0.1.0"));
        assert!(!is_newer("garbage", "0.1.0"));
        assert!(!is_newer("0.2.0-rc.1", "0.2.0"));
    }

    #[test]
    fn the_build_has_at_least_one_release_key() {
        assert!(!release_keys().is_empty());
    }

    #[test]
    fn the_long_version_names_version_commit_and_date() {
        assert!(LONG_VERSION.starts_with(VERSION));
        assert!(LONG_VERSION.contains(COMMIT));
        assert!(LONG_VERSION.contains(BUILD_DATE));
    }
}
