//! The commands themselves. Commands that write take the vault's writer lock
//! before reading it, so that the fingerprint they save against stays true.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use uuid::Uuid;

use super::input::Prompter;
use super::{CliError, fields, render};
use crate::crypto::KdfParams;
use crate::crypto::recovery::RecoveryCode;
use crate::store::{self, Credential, Opened, StoreError, WriterLock};
use crate::vault::{BoxKind, Vault};

/// `create`: a new vault; prints its recovery code once.
pub fn create(path: &Path, prompter: &mut Prompter) -> Result<(), CliError> {
    if path.exists() {
        return Err(StoreError::AlreadyExists(path.to_owned()).into());
    }
    let password = prompter.new_password()?;
    warn_if_weak(&password);
    // The lock file sits beside the vault, so its folder must exist first.
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        let write_err = |source| StoreError::Write {
            path: path.to_owned(),
            source,
        };
        fs::create_dir_all(dir).map_err(write_err)?;
    }
    let _lock = WriterLock::acquire(path)?;
    let (_opened, code) = store::create(path, &password, KdfParams::DEFAULT)?;
    print_created(path, &code).map_err(CliError::Output)
}

/// The window asks before taking a weak password (zxcvbn score below 2);
/// a script cannot answer, so the command line says it on stderr instead.
fn warn_if_weak(password: &crate::crypto::Password) {
    let score = u8::from(zxcvbn::zxcvbn(password.as_str(), &[]).score());
    if score < 2 {
        eprintln!(
            "qvault: warning: this master password is weak (strength {score} of 4) and could \
             be guessed; change it with `qvault passwd`"
        );
    }
}

/// The only time the recovery code is printed, written straight from its
/// zeroizing buffer.
fn print_created(path: &Path, code: &RecoveryCode) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "Created a vault at {}.", path.display())?;
    out.write_all(b"Recovery code: ")?;
    out.write_all(code.to_display_string().as_bytes())?;
    writeln!(
        out,
        "\nWrite the recovery code down and store it somewhere safe, away from this computer.\n\
         It is shown only this once, and it is the only way back in if you forget the password."
    )
}

/// `ls [BOX]`: boxes and the names of their secrets.
pub fn ls(path: &Path, prompter: &mut Prompter, box_name: Option<&str>) -> Result<(), CliError> {
    let opened = unlock(path, prompter)?;
    let vault = &opened.vault;
    let listing = match box_name {
        Some(name) => {
            let found = vault
                .box_by_name(name)
                .ok_or_else(|| CliError::NoSuchBox(name.into()))?;
            render::listing([found])
        }
        None => render::listing(&vault.boxes),
    };
    if vault.boxes.is_empty() {
        eprintln!(
            "qvault: the vault has no boxes yet; add a secret with `qvault add BOX --field ...`"
        );
    }
    print(listing.as_str())
}

/// `show NAME [--reveal]`: every secret with that name, one block each.
pub fn show(
    path: &Path,
    prompter: &mut Prompter,
    name: &str,
    reveal: bool,
) -> Result<(), CliError> {
    let opened = unlock(path, prompter)?;
    let name = name.trim();
    let mut found = false;
    for vault_box in &opened.vault.boxes {
        let named = vault_box
            .secrets
            .iter()
            .filter(|s| s.title(vault_box.kind).eq_ignore_ascii_case(name));
        for secret in named {
            if found {
                print("\n")?;
            }
            print(render::secret_details(vault_box, secret, reveal).as_str())?;
            found = true;
        }
    }
    if found {
        Ok(())
    } else {
        Err(CliError::NoSuchSecret(name.to_owned()))
    }
}

/// `add BOX [--type T] --field KEY=VALUE...`: adds a secret, creating the
/// box when there is none by that name.
pub fn add(
    path: &Path,
    prompter: &mut Prompter,
    box_name: &str,
    kind: Option<&str>,
    args: &[String],
) -> Result<(), CliError> {
    let requested = kind
        .map(|key| BoxKind::from_key(key).ok_or_else(|| CliError::UnknownType(key.to_owned())))
        .transpose()?;
    let pairs = fields::parse_args(args)?;
    let _lock = lock_existing(path)?;
    let mut opened = unlock(path, prompter)?;

    let (box_id, kind) = box_for_adding(&mut opened.vault, box_name, requested)?;
    let content = fields::content(kind, &pairs)?;
    check_seed(kind, &content)?;
    let secret_id = opened.vault.add_secret(box_id, content)?;
    store::save(path, &opened.keys, &opened.vault, Some(opened.fingerprint))?;

    let vault_box = opened.vault.box_by_id(box_id);
    let title = vault_box
        .and_then(|b| b.secret(secret_id))
        .map_or("", |s| s.title(kind));
    let box_name = vault_box.map_or(box_name, |b| &b.name);
    print(&format!("Added \"{title}\" to the box \"{box_name}\".\n"))
}

/// `totp NAME`: the current code on stdout, its seconds left on stderr.
pub fn totp(path: &Path, prompter: &mut Prompter, name: &str) -> Result<(), CliError> {
    let opened = unlock(path, prompter)?;
    let name = name.trim();
    let (_, secret) = opened
        .vault
        .find_by_title(name)
        .ok_or_else(|| CliError::NoSuchSecret(name.to_owned()))?;
    let text = secret
        .content
        .totp_text()
        .ok_or_else(|| CliError::NoTotp(name.to_owned()))?;
    let totp = crate::crypto::totp::parse(text)?;
    let (code, seconds) = totp.current();
    print(&format!("{}\n", code.as_str()))?;
    eprintln!("qvault: valid for {seconds} more seconds");
    Ok(())
}

/// `health`: the password health report, one secret a line, grouped.
pub fn health(path: &Path, prompter: &mut Prompter) -> Result<(), CliError> {
    let opened = unlock(path, prompter)?;
    let report = crate::vault::health::check(&opened.vault, crate::vault::now_ms());
    print(&render::health_report(&report))
}

/// The window's seed rule: a Crypto Wallets seed must be a valid BIP39
/// phrase; a Crypto Backups seed that is not one only gets a warning (it may
/// be another kind of key).
fn check_seed(kind: BoxKind, content: &crate::vault::SecretContent) -> Result<(), CliError> {
    use crate::wallet::{MnemonicProblem, mnemonic};
    match (kind, mnemonic::check(content.get("seed"))) {
        (_, Ok(_) | Err(MnemonicProblem::Empty)) => Ok(()),
        (BoxKind::CryptoWallets, Err(problem)) => Err(CliError::SeedPhrase(problem)),
        (BoxKind::CryptoBackups, Err(problem)) => {
            eprintln!(
                "qvault: warning: the seed is not a BIP39 seed phrase ({problem}); \
                 kept anyway, as a backup may hold another kind of key"
            );
            Ok(())
        }
        _ => Ok(()),
    }
}

/// `passwd [--recovery]`: a new master password. The recovery code stays.
pub fn passwd(path: &Path, prompter: &mut Prompter, recovery: bool) -> Result<(), CliError> {
    let _lock = lock_existing(path)?;
    let (mut opened, code) = unlock_with_code(path, prompter, recovery)?;
    let password = prompter.new_password()?;
    warn_if_weak(&password);

    let kdf = kdf_for_new_password(opened.keys.header().kdf);
    opened.keys.change_password(&password, kdf, &code)?;
    opened.vault.keys_updated_ms = crate::vault::now_ms();
    store::save(path, &opened.keys, &opened.vault, Some(opened.fingerprint))?;
    print("Changed the password. The recovery code stays the same.\n")
}

/// Asks for the password and unlocks; a missing file fails before the prompt.
pub(super) fn unlock(path: &Path, prompter: &mut Prompter) -> Result<Opened, CliError> {
    if !path.exists() {
        return Err(StoreError::NotFound(path.to_owned()).into());
    }
    let password = prompter.password()?;
    Ok(store::unlock(path, &prompter.credential(password))?)
}

/// Unlocks with the recovery code or the password, and returns the recovery
/// code too: the new password slot is written beside a rewrapped recovery slot.
fn unlock_with_code(
    path: &Path,
    prompter: &mut Prompter,
    recovery: bool,
) -> Result<(Opened, RecoveryCode), CliError> {
    if recovery {
        let code = prompter.recovery_code()?;
        let opened = store::unlock(path, &Credential::RecoveryCode(code.clone()))?;
        return Ok((opened, code));
    }
    let opened = unlock(path, prompter)?;
    let code = RecoveryCode::parse(opened.vault.recovery_code.as_str())
        .map_err(|_| CliError::NoStoredRecoveryCode)?;
    Ok((opened, code))
}

/// The writer lock of a vault that must already exist.
pub(super) fn lock_existing(path: &Path) -> Result<WriterLock, CliError> {
    if !path.exists() {
        return Err(StoreError::NotFound(path.to_owned()).into());
    }
    Ok(WriterLock::acquire(path)?)
}

/// The box named `name`, or a new one of the requested type (default:
/// passwords). An existing box of another type is an error.
fn box_for_adding(
    vault: &mut Vault,
    name: &str,
    requested: Option<BoxKind>,
) -> Result<(Uuid, BoxKind), CliError> {
    if let Some(existing) = vault.box_by_name(name) {
        return match requested {
            Some(kind) if kind != existing.kind => Err(CliError::TypeMismatch {
                name: existing.name.clone(),
                actual: existing.kind.key(),
                requested: kind.key(),
            }),
            _ => Ok((existing.id, existing.kind)),
        };
    }
    let kind = requested.unwrap_or(BoxKind::Passwords);
    Ok((vault.add_box(name, kind)?, kind))
}

/// The defaults, or the current parameters when they are stronger still.
fn kdf_for_new_password(current: KdfParams) -> KdfParams {
    let default = KdfParams::DEFAULT;
    let stronger =
        current.memory_kib >= default.memory_kib && current.iterations >= default.iterations;
    if stronger { current } else { default }
}

pub(super) fn print(text: &str) -> Result<(), CliError> {
    io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(CliError::Output)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_password_never_gets_weaker_kdf_parameters() {
        assert_eq!(kdf_for_new_password(KdfParams::FLOOR), KdfParams::DEFAULT);
        assert_eq!(kdf_for_new_password(KdfParams::CEILING), KdfParams::CEILING);
        let more_memory_fewer_passes = KdfParams {
            memory_kib: 1 << 20,
            ..KdfParams::FLOOR
        };
        assert_eq!(
            kdf_for_new_password(more_memory_fewer_passes),
            KdfParams::DEFAULT
        );
    }

    #[test]
    fn adding_to_an_existing_box_keeps_its_type_and_refuses_another() {
        let mut vault = Vault::new();
        let wallets = vault
            .add_box("Wallets", BoxKind::CryptoWallets)
            .expect("box");
        let found = box_for_adding(&mut vault, "wallets", None).expect("found");
        assert_eq!(found, (wallets, BoxKind::CryptoWallets));
        let mismatch = box_for_adding(&mut vault, "Wallets", Some(BoxKind::Passwords));
        assert!(matches!(mismatch, Err(CliError::TypeMismatch { .. })));
        let (_, kind) = box_for_adding(&mut vault, "Logins", None).expect("new box");
        assert_eq!(kind, BoxKind::Passwords);
        assert_eq!(vault.boxes.len(), 2);
    }
}
