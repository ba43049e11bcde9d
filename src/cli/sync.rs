//! `qvault sync`: logs in to the server with the auth key of the master
//! password, then syncs the vault, or downloads the account's vault when the
//! file does not exist yet. The password is read once.

use std::path::Path;

use super::input::Prompter;
use super::{CliError, commands};
use crate::crypto::Password;
use crate::store::{self, Credential, StoreError, WriterLock};
use crate::sync::engine::{self, SyncOutcome};
use crate::sync::{AuthKey, Client, SyncError};

/// The options of `qvault sync`.
#[derive(Debug)]
pub struct SyncArgs {
    pub server: String,
    pub email: String,
    pub register: bool,
    pub allow_http: bool,
}

pub fn sync(path: &Path, prompter: &mut Prompter, args: &SyncArgs) -> Result<(), CliError> {
    let mut client = Client::new(&args.server, args.allow_http).map_err(SyncError::from)?;
    if !path.exists() && args.register {
        return Err(CliError::NoVaultToRegister(path.display().to_string()));
    }
    let password = prompter.password()?;
    let result = if path.exists() {
        let credential = prompter.credential(password.clone());
        sync_existing(path, &password, &credential, &mut client, args)
    } else {
        download_new(path, &password, &mut client, &args.email)
    };
    if client.is_logged_in()
        && let Err(err) = client.logout()
    {
        log::warn!("failed to log out of the sync server: {err}");
    }
    result
}

fn sync_existing(
    path: &Path,
    password: &Password,
    credential: &Credential,
    client: &mut Client,
    args: &SyncArgs,
) -> Result<(), CliError> {
    let _lock = commands::lock_existing(path)?;
    let mut opened = store::unlock(path, credential)?;
    let key = AuthKey::derive(password, &args.email).map_err(SyncError::from)?;
    if args.register {
        client
            .register(&args.email, &key)
            .map_err(SyncError::from)?;
    } else {
        client.login(&args.email, &key).map_err(SyncError::from)?;
    }
    let outcome = engine::sync_vault(path, &mut opened, password, client, &args.email)?;
    println!("{}", summary(&outcome));
    Ok(())
}

/// A new device: the file is written only after the download opened with
/// the password.
fn download_new(
    path: &Path,
    password: &Password,
    client: &mut Client,
    email: &str,
) -> Result<(), CliError> {
    let key = AuthKey::derive(password, email).map_err(SyncError::from)?;
    client.login(email, &key).map_err(SyncError::from)?;
    let download = engine::download(client, password)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Write {
            path: path.to_owned(),
            source,
        })?;
    }
    let _lock = WriterLock::acquire(path)?;
    let revision = download.revision;
    let opened = download.save(path, client, email)?;
    println!(
        "Downloaded the vault to {}: {} secrets; revision {revision}",
        path.display(),
        opened.vault.secret_count()
    );
    Ok(())
}

/// "Synced: 2 from the server, 1 sent; revision 5", with conflicts and
/// deletions when there were any.
pub fn summary(outcome: &SyncOutcome) -> String {
    let report = &outcome.report;
    let mut parts = vec![
        format!("{} from the server", report.taken_from_remote),
        format!("{} sent", outcome.sent),
    ];
    if report.conflicts_resolved > 0 {
        parts.push(format!(
            "{} edited on both sides (the newer edit kept, the other in history)",
            report.conflicts_resolved
        ));
    }
    if report.deleted > 0 {
        parts.push(format!("{} deleted", report.deleted));
    }
    format!(
        "Synced: {}; revision {}",
        parts.join(", "),
        outcome.revision
    )
}
