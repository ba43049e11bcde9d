//! The release helper behind `dist/release.sh` (see dist/README.md):
//!
//! - `keygen PRIVATE PUBLIC`: a new ed25519 key pair (zipsign's formats: the
//!   64-byte key pair, the 32-byte public key). Keep PRIVATE offline; commit
//!   PUBLIC as `assets/update-keys/NAME.pub`.
//! - `sign PRIVATE ARCHIVE...`: embed a zipsign signature in each `.tar.gz`
//!   or `.zip`, bound to its file name (as Qvault verifies it).
//! - `manifest VERSION NOTES_URL ARCHIVE...`: print the release manifest
//!   (`self_update`'s schema 1) with each archive's SHA-256, asset URLs
//!   relative to the manifest.

use std::fs;
use std::io::{Cursor, Write};
use std::path::Path;

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};
use zipsign_api::SigningKey;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.split_first() {
        Some((cmd, [private, public])) if cmd == "keygen" => keygen(private, public),
        Some((cmd, [private, archives @ ..])) if cmd == "sign" => {
            let key = read_key(private)?;
            archives.iter().try_for_each(|a| sign(&key, Path::new(a)))
        }
        Some((cmd, [version, notes, archives @ ..])) if cmd == "manifest" => {
            println!("{}", manifest(version, notes, archives)?);
            Ok(())
        }
        _ => bail!(
            "usage: release keygen PRIVATE PUBLIC | sign PRIVATE ARCHIVE... | \
             manifest VERSION NOTES_URL ARCHIVE..."
        ),
    }
}

fn keygen(private: &str, public: &str) -> Result<()> {
    let mut seed = zeroize::Zeroizing::new([0u8; 32]);
    getrandom::fill(seed.as_mut_slice()).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let key = SigningKey::from_bytes(&seed);
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(private)
        .with_context(|| format!("failed to create {private} (it must not exist yet)"))?;
    file.write_all(&key.to_keypair_bytes())?;
    fs::write(public, key.verifying_key().as_bytes())?;
    Ok(())
}

fn read_key(private: &str) -> Result<SigningKey> {
    let bytes = fs::read(private).with_context(|| format!("failed to read {private}"))?;
    let pair: [u8; 64] = bytes
        .try_into()
        .map_err(|_| anyhow::anyhow!("{private} is not a 64-byte zipsign key pair"))?;
    SigningKey::from_keypair_bytes(&pair).context("the key pair does not match itself")
}

/// Signs `archive` in place; the context is its file name.
fn sign(key: &SigningKey, archive: &Path) -> Result<()> {
    let name = archive
        .file_name()
        .and_then(|n| n.to_str())
        .context("archive names must be UTF-8")?;
    let mut input = Cursor::new(fs::read(archive)?);
    let mut output = Cursor::new(Vec::new());
    let keys = std::slice::from_ref(key);
    if name.ends_with(".tar.gz") {
        zipsign_api::sign::copy_and_sign_tar(&mut input, &mut output, keys, Some(name.as_bytes()))?;
    } else if archive
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
    {
        zipsign_api::sign::copy_and_sign_zip(&mut input, &mut output, keys, Some(name.as_bytes()))?;
    } else {
        bail!("{name}: only .tar.gz and .zip archives can carry a signature");
    }
    fs::write(archive, output.into_inner())?;
    Ok(())
}

fn manifest(version: &str, notes: &str, archives: &[String]) -> Result<String> {
    let assets = archives
        .iter()
        .map(|path| {
            let name = Path::new(path)
                .file_name()
                .and_then(|n| n.to_str())
                .context("archive names must be UTF-8")?;
            let digest = data_encoding::HEXLOWER.encode(&Sha256::digest(fs::read(path)?));
            Ok(serde_json::json!({ "name": name, "url": name, "digest": format!("sha256:{digest}") }))
        })
        .collect::<Result<Vec<_>>>()?;
    let manifest = serde_json::json!({
        "schema": 1,
        "releases": [{ "version": version, "notes_url": notes, "assets": assets }],
    });
    Ok(serde_json::to_string_pretty(&manifest)?)
}
