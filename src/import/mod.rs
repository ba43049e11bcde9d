//! Bringing secrets in from elsewhere: KeePass KDBX files, CSV exports of
//! other password managers and the original Qvault's `.qvault` files.
//!
//! Each reader turns its file into an [`Imported`]: boxes of
//! [`SecretContent`] in our templates, nothing written yet. [`preview`]
//! counts it against the current vault (duplicates by site and username),
//! and [`apply`] adds it, never touching an existing secret and returning
//! an [`ImportReceipt`] with which [`undo`] takes the whole import back out.
//! Readers touch only the file they are given; the caller saves the vault.

pub mod csv;
pub mod kdbx;
mod kdbx_cost;
pub mod legacy;

use std::collections::HashSet;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use uuid::Uuid;
use zeroize::Zeroizing;

use crate::crypto::Password;
use crate::vault::templates::BoxKind;
use crate::vault::{
    Attachment, MAX_ATTACHMENT_BYTES, Secret, SecretContent, Tombstone, Vault, VaultBox, now_ms,
};

/// What a source file holds, in our model, before anything is written.
#[derive(Debug, Default, Clone)]
pub struct Imported {
    /// Where it came from, for the preview and the CLI ("KeePass KDBX 4").
    pub source: String,
    pub boxes: Vec<ImportedBox>,
    /// Things the user should know that are not errors (a skipped
    /// attachment, an entry the source marks as a pseudo-login). Never a
    /// secret value.
    pub notes: Vec<String>,
}

/// One box to create (or to add to, when the vault has a box of the same
/// name and type).
#[derive(Debug, Clone)]
pub struct ImportedBox {
    pub name: String,
    pub kind: BoxKind,
    pub secrets: Vec<ImportedSecret>,
}

/// One secret to add, with the source's times where it has them.
#[derive(Debug, Clone, Default)]
pub struct ImportedSecret {
    pub content: SecretContent,
    pub created_ms: Option<i64>,
    pub updated_ms: Option<i64>,
    pub favourite: bool,
    /// Files the source kept with the entry (at most
    /// [`crate::vault::MAX_ATTACHMENT_BYTES`] each).
    pub attachments: Vec<Attachment>,
}

/// Why a source could not be read. No variant carries a secret value.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("failed to read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    /// The password, key file, recovery code or QR key does not open it.
    #[error("{0}")]
    WrongKey(String),
    /// The file is not a readable file of its kind (truncated, damaged).
    #[error("{0}")]
    Damaged(String),
    /// A CSV problem, with the (1-based) line where it is.
    #[error("line {line}: {reason}")]
    Csv { line: u64, reason: String },
    /// A format we do not recognise; the message says what we saw.
    #[error("{0}")]
    Unrecognised(String),
}

impl ImportError {
    /// The CLI exit code: 2 wrong password or key, 3 damaged file, 1 else.
    pub fn exit_code(&self) -> i32 {
        match self {
            Self::WrongKey(_) => 2,
            Self::Damaged(_) => 3,
            _ => 1,
        }
    }
}

/// What an import would do to one box, shown before anything is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoxPreview {
    pub name: String,
    pub kind: BoxKind,
    /// The vault has no box of this name and type yet.
    pub new_box: bool,
    pub secrets: usize,
    /// Secrets whose site and username match one already in the vault.
    pub duplicates: usize,
}

/// The counts an import would add, per box and in all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Preview {
    pub boxes: Vec<BoxPreview>,
    pub secrets: usize,
    pub duplicates: usize,
}

/// What [`apply`] added, so that [`undo`] can take exactly that back out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReceipt {
    /// Boxes the import created (removed again by undo when left empty).
    pub created_boxes: Vec<Uuid>,
    /// Every secret added: (box id, secret id, its `updated_ms` as added).
    pub added: Vec<(Uuid, Uuid, i64)>,
    /// Duplicates left out.
    pub skipped: usize,
}

/// The site of a login for duplicate checks: the link's host without
/// `www.`, else the issuer; lower case.
fn site_of(content: &SecretContent) -> String {
    let link = content.get("link").trim();
    let without_scheme = link.split_once("://").map_or(link, |(_, rest)| rest);
    let host = without_scheme
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default()
        .rsplit('@')
        .next()
        .unwrap_or_default();
    let host = host.strip_prefix("www.").unwrap_or(host);
    let site = if host.is_empty() {
        content.get("issuer").trim()
    } else {
        host
    };
    site.to_lowercase()
}

/// The duplicate key of a login (site, username), or `None` for secrets
/// that are not logins or name no site.
fn duplicate_key(kind: BoxKind, content: &SecretContent) -> Option<(String, String)> {
    if kind != BoxKind::Passwords {
        return None;
    }
    let site = site_of(content);
    (!site.is_empty()).then(|| (site, content.get("username").trim().to_lowercase()))
}

fn vault_logins(vault: &Vault) -> HashSet<(String, String)> {
    vault
        .boxes
        .iter()
        .flat_map(|b| {
            b.secrets
                .iter()
                .filter_map(|s| duplicate_key(b.kind, &s.content))
        })
        .collect()
}

fn existing_box(vault: &Vault, name: &str, kind: BoxKind) -> Option<Uuid> {
    vault
        .boxes
        .iter()
        .find(|b| b.kind == kind && b.name.eq_ignore_ascii_case(name.trim()))
        .map(|b| b.id)
}

/// Counts what `imported` would add to `vault`, per box, with duplicates.
pub fn preview(vault: &Vault, imported: &Imported) -> Preview {
    let logins = vault_logins(vault);
    let boxes: Vec<BoxPreview> = imported
        .boxes
        .iter()
        .map(|b| BoxPreview {
            name: b.name.clone(),
            kind: b.kind,
            new_box: existing_box(vault, &b.name, b.kind).is_none(),
            secrets: b.secrets.len(),
            duplicates: b
                .secrets
                .iter()
                .filter_map(|s| duplicate_key(b.kind, &s.content))
                .filter(|key| logins.contains(key))
                .count(),
        })
        .collect();
    Preview {
        secrets: boxes.iter().map(|b| b.secrets).sum(),
        duplicates: boxes.iter().map(|b| b.duplicates).sum(),
        boxes,
    }
}

fn new_secret(imported: ImportedSecret) -> Secret {
    let mut secret = Secret::new(imported.content);
    // The source's creation time is kept unless it lies in the future. The
    // import itself is the secret's latest change, whatever the source says:
    // a time ahead of the clock would outrank every later edit or deletion.
    if let Some(created) = imported.created_ms {
        secret.created_ms = created.min(secret.created_ms);
    }
    secret.favourite = imported.favourite;
    secret.attachments = imported
        .attachments
        .into_iter()
        .filter(|a| a.data.len() <= MAX_ATTACHMENT_BYTES)
        .collect();
    secret
}

/// Adds `imported` to `vault`: into a box of the same name and type when
/// there is one, else into a new box. Existing secrets are never touched;
/// logins matching one already in the vault (same site and username) are
/// left out unless `keep_duplicates`.
pub fn apply(vault: &mut Vault, imported: Imported, keep_duplicates: bool) -> ImportReceipt {
    let logins = vault_logins(vault);
    let mut receipt = ImportReceipt::default();
    for source_box in imported.boxes {
        let name = match source_box.name.trim() {
            "" => "Imported",
            name => name,
        };
        let box_id = existing_box(vault, name, source_box.kind).unwrap_or_else(|| {
            let created = VaultBox::new(name, source_box.kind);
            let id = created.id;
            vault.boxes.push(created);
            receipt.created_boxes.push(id);
            id
        });
        let Some(target) = vault.boxes.iter_mut().find(|b| b.id == box_id) else {
            continue;
        };
        for secret in source_box.secrets {
            let duplicate = duplicate_key(target.kind, &secret.content)
                .is_some_and(|key| logins.contains(&key));
            if duplicate && !keep_duplicates {
                receipt.skipped += 1;
                continue;
            }
            let secret = new_secret(secret);
            receipt.added.push((box_id, secret.id, secret.updated_ms));
            target.updated_ms = now_ms();
            target.secrets.push(secret);
        }
    }
    receipt
}

/// Takes an import back out: secrets still as imported are removed for
/// good, any edited since go to the trash (nothing typed is lost), and boxes
/// the import created are removed once empty. Returns how many secrets
/// were taken out.
pub fn undo(vault: &mut Vault, receipt: &ImportReceipt) -> usize {
    let mut removed = 0;
    for &(box_id, secret_id, updated_ms) in &receipt.added {
        let Some(target) = vault.boxes.iter_mut().find(|b| b.id == box_id) else {
            continue;
        };
        let Some(index) = target.secrets.iter().position(|s| s.id == secret_id) else {
            continue;
        };
        if target.secrets[index].updated_ms == updated_ms {
            target.secrets.remove(index);
            vault.tombstones.push(Tombstone {
                id: secret_id,
                deleted_ms: now_ms(),
            });
        } else if vault.delete_secret(box_id, secret_id).is_err() {
            continue;
        }
        removed += 1;
    }
    vault
        .boxes
        .retain(|b| !(receipt.created_boxes.contains(&b.id) && b.secrets.is_empty()));
    removed
}

/// The kinds of file we import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Kdbx,
    Csv,
    QvaultLegacy,
}

impl Format {
    /// Whether reading it needs a password (or key file, or recovery code).
    pub fn needs_password(self) -> bool {
        matches!(self, Self::Kdbx | Self::QvaultLegacy)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Kdbx => "KeePass database",
            Self::Csv => "CSV export",
            Self::QvaultLegacy => "Qvault (original app) vault",
        }
    }
}

/// The largest file we read for an import.
const MAX_SOURCE_BYTES: u64 = 512 * 1024 * 1024;

/// Reads a whole source file, refusing one larger than any real export.
pub fn read_source(path: &Path) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    let io_err = |source| ImportError::Io {
        path: path.display().to_string(),
        source,
    };
    let file = File::open(path).map_err(io_err)?;
    let mut bytes = Zeroizing::new(Vec::new());
    file.take(MAX_SOURCE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io_err)?;
    if bytes.len() as u64 > MAX_SOURCE_BYTES {
        return Err(ImportError::Unrecognised(format!(
            "{} is larger than {} MB; no export of a password manager is this big",
            path.display(),
            MAX_SOURCE_BYTES / (1024 * 1024)
        )));
    }
    Ok(bytes)
}

/// Tells a file's format from its first 4 KiB (a KDBX signature and a CSV
/// header line fit; a JSON file is read whole).
pub fn detect_file(path: &Path) -> Result<Format, ImportError> {
    let io_err = |source| ImportError::Io {
        path: path.display().to_string(),
        source,
    };
    let mut head = Zeroizing::new(Vec::new());
    File::open(path)
        .map_err(io_err)?
        .take(4096)
        .read_to_end(&mut head)
        .map_err(io_err)?;
    if head.trim_ascii_start().starts_with(b"{") {
        // A JSON file (an original Qvault vault) is told by its keys: read it whole.
        return detect(&read_source(path)?);
    }
    detect(&head)
}

/// Tells the format from the file's first bytes.
pub fn detect(bytes: &[u8]) -> Result<Format, ImportError> {
    if kdbx::looks_like_kdbx(bytes) {
        Ok(Format::Kdbx)
    } else if legacy::looks_like_legacy(bytes) {
        Ok(Format::QvaultLegacy)
    } else if csv::looks_like_csv(bytes) {
        Ok(Format::Csv)
    } else {
        Err(ImportError::Unrecognised(
            "this file is neither a KeePass database, a CSV export nor a Qvault file".into(),
        ))
    }
}

/// What opens a protected source: its password (or, for an original Qvault
/// file, its recovery code), a KeePass key file, an original Qvault QR key.
#[derive(Debug, Default)]
pub struct SourceKeys {
    pub password: Option<Password>,
    pub key_file: Option<PathBuf>,
    pub qr_key: Option<Zeroizing<String>>,
}

/// Reads `path` as `format`.
pub fn read(path: &Path, format: Format, keys: &SourceKeys) -> Result<Imported, ImportError> {
    let password = keys.password.as_ref().map(Password::as_str);
    match format {
        Format::Kdbx => {
            let password = password.filter(|p| !p.is_empty() || keys.key_file.is_none());
            kdbx::read(path, password, keys.key_file.as_deref())
        }
        Format::Csv => csv::read(&read_source(path)?),
        Format::QvaultLegacy => legacy::read(
            &read_source(path)?,
            password.unwrap_or_default(),
            keys.qr_key.as_ref().map(|k| k.as_str()),
        ),
    }
}

/// The text of an original Qvault QR key: decoded from an image (PNG or
/// JPEG), else the file's text.
pub fn qr_key_from_file(path: &Path) -> Result<Zeroizing<String>, ImportError> {
    let bytes = read_source(path)?;
    if image::guess_format(&bytes).is_ok() {
        return crate::qr::read_image(&bytes).map_err(|e| {
            ImportError::WrongKey(format!(
                "failed to read the QR key from {}: {e}",
                path.display()
            ))
        });
    }
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        ImportError::WrongKey(format!(
            "{} is neither an image of the QR key nor its text",
            path.display()
        ))
    })?;
    Ok(Zeroizing::new(text.trim().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn login(site: &str, link: &str, user: &str) -> ImportedSecret {
        let mut content = SecretContent::default();
        content.set("issuer", site);
        content.set("link", link);
        content.set("username", user);
        content.set("password", "pw");
        ImportedSecret {
            content,
            ..ImportedSecret::default()
        }
    }

    fn source(boxes: Vec<(&str, Vec<ImportedSecret>)>) -> Imported {
        Imported {
            source: "test".into(),
            boxes: boxes
                .into_iter()
                .map(|(name, secrets)| ImportedBox {
                    name: name.into(),
                    kind: BoxKind::Passwords,
                    secrets,
                })
                .collect(),
            notes: Vec::new(),
        }
    }

    fn vault_with_login() -> (Vault, Uuid, Uuid) {
        let mut vault = Vault::new();
        let logins = vault.add_box("Logins", BoxKind::Passwords).expect("box");
        let existing = vault
            .add_secret(
                logins,
                login("Shop", "https://www.shop.example/login", "Ann").content,
            )
            .expect("secret");
        (vault, logins, existing)
    }

    #[test]
    fn the_site_is_the_links_host_without_www_else_the_issuer() {
        let s = login("Shop", "https://user@www.Shop.example:443/a?b#c", "");
        assert_eq!(site_of(&s.content), "shop.example:443");
        assert_eq!(site_of(&login("My Bank", "", "").content), "my bank");
    }

    #[test]
    fn preview_counts_per_box_and_finds_duplicates_by_site_and_username() {
        let (vault, _, _) = vault_with_login();
        let imported = source(vec![
            (
                "Logins",
                vec![
                    login("x", "http://shop.example/", "ann"),
                    login("x", "shop.example", "bob"),
                ],
            ),
            ("Work", vec![login("Mail", "", "ann")]),
        ]);
        let preview = preview(&vault, &imported);
        assert_eq!(preview.secrets, 3);
        assert_eq!(preview.duplicates, 1);
        assert!(!preview.boxes[0].new_box, "Logins exists");
        assert!(preview.boxes[1].new_box);
        assert_eq!(preview.boxes[0].duplicates, 1);
    }

    #[test]
    fn apply_adds_beside_existing_secrets_and_leaves_duplicates_out_unless_kept() {
        let (mut vault, logins, existing) = vault_with_login();
        let before = serde_json::to_string(&vault.boxes[0].secrets[0]).expect("json");
        let dup = || source(vec![("Logins", vec![login("x", "shop.example", "ann")])]);

        let receipt = apply(&mut vault, dup(), false);
        assert_eq!((receipt.added.len(), receipt.skipped), (0, 1));
        let receipt = apply(&mut vault, dup(), true);
        assert_eq!((receipt.added.len(), receipt.skipped), (1, 0));
        assert_eq!(
            vault.boxes.len(),
            1,
            "added into the box of the same name and type"
        );

        let untouched = vault.box_by_id(logins).and_then(|b| b.secret(existing));
        let after = serde_json::to_string(untouched.expect("still there")).expect("json");
        assert_eq!(before, after, "the existing secret is not changed");
    }

    #[test]
    fn undo_removes_the_import_and_the_boxes_it_made_but_keeps_later_edits_in_the_trash() {
        let (mut vault, _, _) = vault_with_login();
        let imported = source(vec![
            ("Logins", vec![login("a", "a.example", "x")]),
            (
                "Work",
                vec![login("b", "b.example", "y"), login("c", "c.example", "z")],
            ),
        ]);
        let receipt = apply(&mut vault, imported, false);
        assert_eq!(vault.secret_count(), 4);

        let (work_box, edited, _) = receipt.added[2];
        let mut content = vault.box_by_id(work_box).expect("box").secrets[1]
            .content
            .clone();
        content.set("notes", "typed after the import");
        vault
            .update_secret(work_box, edited, content)
            .expect("edit");

        assert_eq!(undo(&mut vault, &receipt), 3);
        assert_eq!(
            vault.secret_count(),
            1,
            "only the secret from before is left"
        );
        assert!(
            vault.box_by_name("Work").is_none(),
            "the box the import made is gone"
        );
        assert!(
            vault.box_by_name("Logins").is_some(),
            "an existing box stays"
        );
        assert_eq!(vault.trash.len(), 1, "the edited one waits in the trash");
    }

    #[test]
    fn an_imported_secret_is_changed_now_and_never_dated_in_the_future() {
        let mut imported = login("a", "a.example", "x");
        imported.created_ms = Some(1_000);
        imported.updated_ms = Some(2_000);
        let secret = new_secret(imported);
        assert_eq!(secret.created_ms, 1_000);
        assert!(secret.updated_ms > 2_000);

        let far = now_ms() + 10 * 365 * 24 * 3600 * 1000;
        let mut future = login("b", "b.example", "y");
        future.created_ms = Some(far);
        future.updated_ms = Some(far);
        let secret = new_secret(future);
        assert!(secret.created_ms <= now_ms() && secret.updated_ms <= now_ms());
    }
}
