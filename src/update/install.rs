//! Installing an offered release: download (capped in size and time) into a
//! folder beside the executable, verify the zipsign signature against the
//! compiled-in keys, unpack the executable, and only then move it over the
//! old one. Any failure before the move leaves the old executable untouched.

use std::fs;
use std::path::{Path, PathBuf};

use super::{DOWNLOAD_TIMEOUT, MAX_ARCHIVE_BYTES, Offer, UpdateConfig, UpdateError, is_newer};

/// The executable's name inside a release archive's top folder.
const BIN_NAME: &str = if cfg!(windows) {
    "qvault.exe"
} else {
    "qvault"
};

/// Installs `offer` over the executable at `install_path` (normally
/// `std::env::current_exe()`; a copy of it in tests).
pub fn install(
    config: &UpdateConfig,
    offer: &Offer,
    install_path: &Path,
) -> Result<(), UpdateError> {
    if !is_newer(&offer.version, &config.current_version) {
        return Err(UpdateError::NotNewer {
            found: offer.version.clone(),
            current: config.current_version.clone(),
        });
    }
    if config.keys.is_empty() {
        return Err(UpdateError::NoKeys);
    }
    let name = plain_file_name(&offer.asset_name)?;
    let work = work_dir(install_path)?;
    let archive = work.path().join(name);

    download(offer, &archive)?;
    self_update::verify_signature(&archive, &config.keys).map_err(|source| {
        UpdateError::Signature {
            name: name.to_owned(),
            source,
        }
    })?;
    let new_exe = unpack(&archive, name, work.path())?;
    replace(&new_exe, install_path, work.path())?;
    log::info!(
        "installed Qvault {} at {}",
        offer.version,
        install_path.display()
    );
    Ok(())
}

/// The asset name as a bare file name: a manifest must not steer the
/// download into another folder.
fn plain_file_name(name: &str) -> Result<&str, UpdateError> {
    let is_plain = !name.is_empty()
        && Path::new(name).file_name().and_then(|n| n.to_str()) == Some(name)
        && name != ".."
        && !name.contains(['/', '\\']);
    if is_plain {
        Ok(name)
    } else {
        Err(UpdateError::NoAsset {
            version: format!("(asset named {name:?})"),
            target: self_update::get_target().to_owned(),
        })
    }
}

/// A fresh folder beside the executable (same file system for the final
/// rename; in portable mode nothing lands outside the portable folder).
fn work_dir(install_path: &Path) -> Result<tempfile::TempDir, UpdateError> {
    let parent = install_path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    tempfile::Builder::new()
        .prefix(".qvault-update-")
        .tempdir_in(parent)
        .map_err(UpdateError::TempDir)
}

fn download(offer: &Offer, archive: &Path) -> Result<(), UpdateError> {
    let failed = |source| UpdateError::Download {
        name: offer.asset_name.clone(),
        source,
    };
    let file = fs::File::create(archive).map_err(|e| failed(e.into()))?;
    self_update::Download::from_url(&offer.asset_url)
        .timeout(DOWNLOAD_TIMEOUT)
        .max_download_size(MAX_ARCHIVE_BYTES)
        .download_to(file)
        .map_err(failed)
}

/// Unpacks `<archive stem>/qvault` and makes it executable.
fn unpack(archive: &Path, name: &str, work: &Path) -> Result<PathBuf, UpdateError> {
    let stem = name
        .strip_suffix(".tar.gz")
        .or_else(|| name.strip_suffix(".zip"))
        .unwrap_or(name);
    let inner = format!("{stem}/{BIN_NAME}");
    let out = work.join("unpacked");
    let failed = |source| UpdateError::Extract {
        name: name.to_owned(),
        source,
    };
    fs::create_dir_all(&out).map_err(|e| failed(e.into()))?;
    self_update::Extract::from_source(archive)
        .extract_file(&out, &inner)
        .map_err(failed)?;
    let new_exe = out.join(&inner);
    make_executable(&new_exe).map_err(|e| failed(e.into()))?;
    Ok(new_exe)
}

#[cfg(unix)]
fn make_executable(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755))
}

#[cfg(not(unix))]
fn make_executable(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

/// Moves the old executable aside (a running one may be renamed on every
/// platform), the new one in its place, and back if that fails.
fn replace(new_exe: &Path, install_path: &Path, work: &Path) -> Result<(), UpdateError> {
    self_update::Move::from_source(new_exe)
        .replace_using_temp(work.join("previous"))
        .to_dest(install_path)
        .map_err(|source| UpdateError::Replace {
            path: install_path.to_owned(),
            source,
        })
}
