//! The vault model: a vault holds boxes, a box holds secrets of one template,
//! a secret holds fields. Pure data and operations on it; no I/O, no egui.

pub mod health;
mod keys;
pub mod merge;
pub mod search;
pub mod templates;
pub mod text;

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use keys::{FieldKey, intern as field_key};
pub use search::SearchIndex;
pub use templates::{BoxKind, FieldSpec, ListSpec};
pub use text::SecretText;

/// Version of the payload's JSON schema.
pub const MODEL_VERSION: u32 = 1;
/// Earlier versions of a secret kept in its history.
pub const HISTORY_LEN: usize = 10;

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Errors of operations on the model.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VaultError {
    #[error("no box with that id")]
    NoSuchBox,
    #[error("no secret with that id")]
    NoSuchSecret,
    #[error("a box name cannot be empty")]
    EmptyName,
    #[error("that earlier version is no longer in the secret's history")]
    NoSuchVersion,
    #[error("that item is no longer in the trash")]
    NotInTrash,
    #[error(
        "the file is too large ({} MB); attachments can be at most 10 MB",
        .0.div_ceil(1024 * 1024)
    )]
    AttachmentTooLarge(usize),
    #[error("that attachment is no longer there")]
    NoSuchAttachment,
}

/// The decrypted payload of a vault file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Vault {
    pub version: u32,
    pub boxes: Vec<VaultBox>,
    #[serde(default)]
    pub tombstones: Vec<Tombstone>,
    /// The recovery code, kept inside the encrypted payload so that Settings
    /// can show it again after asking for the password.
    #[serde(default)]
    pub recovery_code: SecretText,
    /// How many earlier versions each secret keeps (Settings); `None` is
    /// [`HISTORY_LEN`]. A vault setting, so it travels with the vault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history_len: Option<u8>,
    /// Deleted secrets and boxes, restorable for [`TRASH_DAYS`] days.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trash: Vec<TrashItem>,
    /// When the key slots were last rewrapped (a new password, QR key or
    /// KDF cost; ms, 0 for never): sync keeps the newer slots of two copies
    /// of one vault, so such a change made here is not undone by the server's
    /// older copy.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub keys_updated_ms: i64,
}

#[allow(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's skip_serializing_if passes a reference"
)]
fn is_zero(value: &i64) -> bool {
    *value == 0
}

/// Days a deleted secret or box stays in the trash.
pub const TRASH_DAYS: i64 = 30;

/// Something deleted, with where it came from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrashItem {
    pub deleted_ms: i64,
    pub box_id: Uuid,
    pub box_name: String,
    pub kind: BoxKind,
    pub item: Trashed,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Trashed {
    Secret(Secret),
    Box(VaultBox),
}

impl TrashItem {
    /// The name shown in the trash: the secret's title or the box's name.
    pub fn title(&self) -> String {
        match &self.item {
            Trashed::Secret(secret) => secret.title(self.kind).to_owned(),
            Trashed::Box(vault_box) => format!(
                "Box \u{201c}{}\u{201d} ({} secrets)",
                vault_box.name,
                vault_box.secrets.len()
            ),
        }
    }

    /// When it is purged for good.
    pub fn purge_at_ms(&self) -> i64 {
        self.deleted_ms
            .saturating_add(TRASH_DAYS * 24 * 60 * 60 * 1000)
    }
}

/// A named group of secrets of one template.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VaultBox {
    pub id: Uuid,
    pub name: String,
    pub kind: BoxKind,
    pub created_ms: i64,
    pub updated_ms: i64,
    #[serde(default)]
    pub secrets: Vec<Secret>,
}

/// A user-added field beyond the template.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomField {
    pub name: String,
    pub value: SecretText,
    #[serde(default)]
    pub hidden: bool,
}

/// One item of a list field: sub-field key to value.
pub type ListItem = BTreeMap<FieldKey, SecretText>;

/// The editable content of a secret, also what history keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretContent {
    #[serde(default, deserialize_with = "keys::interned_map")]
    pub fields: BTreeMap<FieldKey, SecretText>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub lists: BTreeMap<FieldKey, Vec<ListItem>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom: Vec<CustomField>,
}

/// An earlier version of a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretVersion {
    pub updated_ms: i64,
    pub content: SecretContent,
}

/// A secret: template fields, list fields and custom fields.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Secret {
    pub id: Uuid,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub content: SecretContent,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<SecretVersion>,
    /// Starred by the user: listed first.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub favourite: bool,
    /// When a value of it was last copied, for "Recently used".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_ms: Option<i64>,
    /// Small files kept with the secret, encrypted with the vault. Not part
    /// of the content, so its history does not copy them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
}

/// The largest file a secret may carry.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;

/// A file kept inside the vault (a wallet file, a PGP key, a scan of an ID).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: Uuid,
    pub name: String,
    pub added_ms: i64,
    /// The bytes, base64 in the payload, wiped from memory when dropped.
    #[serde(with = "base64_bytes")]
    pub data: zeroize::Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for Attachment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attachment")
            .field("name", &self.name)
            .field("bytes", &self.data.len())
            .finish_non_exhaustive()
    }
}

mod base64_bytes {
    use serde::{Deserialize, Deserializer, Serializer};
    use zeroize::Zeroizing;

    pub fn serialize<S: Serializer>(bytes: &Zeroizing<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        let text = Zeroizing::new(data_encoding::BASE64.encode(bytes));
        s.serialize_str(&text)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Zeroizing<Vec<u8>>, D::Error> {
        let text = Zeroizing::new(String::deserialize(d)?);
        data_encoding::BASE64
            .decode(text.as_bytes())
            .map(Zeroizing::new)
            .map_err(serde::de::Error::custom)
    }
}

/// The trace of a deletion, so that sync can tell it from an absence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tombstone {
    pub id: Uuid,
    pub deleted_ms: i64,
}

impl SecretContent {
    /// The value of a template field, or "" when unset.
    pub fn get(&self, key: &str) -> &str {
        self.fields.get(key).map_or("", SecretText::as_str)
    }

    /// The one-time-password secret: the `totp` field, else a custom field
    /// named `totp` or `otp` (as `KeePass` and other exports name it).
    pub fn totp_text(&self) -> Option<&str> {
        let field = self.get("totp").trim();
        if !field.is_empty() {
            return Some(field);
        }
        self.custom
            .iter()
            .find(|f| {
                let name = f.name.trim();
                name.eq_ignore_ascii_case("totp") || name.eq_ignore_ascii_case("otp")
            })
            .map(|f| f.value.as_str().trim())
            .filter(|v| !v.is_empty())
    }

    pub fn set(&mut self, key: &str, value: &str) {
        self.fields.entry(keys::intern(key)).or_default().set(value);
    }
}

impl Secret {
    pub fn new(content: SecretContent) -> Self {
        let now = now_ms();
        Self {
            id: Uuid::new_v4(),
            created_ms: now,
            updated_ms: now,
            content,
            history: Vec::new(),
            favourite: false,
            used_ms: None,
            attachments: Vec::new(),
        }
    }

    /// The name shown in lists: the template's first field, else "(untitled)".
    pub fn title(&self, kind: BoxKind) -> &str {
        let title = self.content.get(kind.title_key()).trim();
        if title.is_empty() {
            "(untitled)"
        } else {
            title
        }
    }

    /// Replaces the content, keeping the previous version in history. An
    /// unchanged content is not a new version.
    pub fn update(&mut self, content: SecretContent) -> bool {
        self.update_keeping(content, HISTORY_LEN)
    }

    /// [`Secret::update`], keeping at most `keep` earlier versions.
    pub fn update_keeping(&mut self, content: SecretContent, keep: usize) -> bool {
        if content == self.content {
            return false;
        }
        let previous = std::mem::replace(&mut self.content, content);
        self.history.insert(
            0,
            SecretVersion {
                updated_ms: self.updated_ms,
                content: previous,
            },
        );
        self.history.truncate(keep);
        self.updated_ms = now_ms().max(self.updated_ms + 1);
        true
    }
}

impl VaultBox {
    pub fn new(name: &str, kind: BoxKind) -> Self {
        let now = now_ms();
        Self {
            id: Uuid::new_v4(),
            name: name.trim().to_owned(),
            kind,
            created_ms: now,
            updated_ms: now,
            secrets: Vec::new(),
        }
    }

    pub fn secret(&self, id: Uuid) -> Option<&Secret> {
        self.secrets.iter().find(|s| s.id == id)
    }

    /// Finds a secret by its title, case-insensitively.
    pub fn secret_by_title(&self, title: &str) -> Option<&Secret> {
        self.secrets
            .iter()
            .find(|s| s.title(self.kind).eq_ignore_ascii_case(title))
    }
}

impl Vault {
    pub fn new() -> Self {
        Self {
            version: MODEL_VERSION,
            ..Self::default()
        }
    }

    pub fn box_by_id(&self, id: Uuid) -> Option<&VaultBox> {
        self.boxes.iter().find(|b| b.id == id)
    }

    fn box_mut(&mut self, id: Uuid) -> Result<&mut VaultBox, VaultError> {
        self.boxes
            .iter_mut()
            .find(|b| b.id == id)
            .ok_or(VaultError::NoSuchBox)
    }

    /// The first box with this name (case-insensitive).
    pub fn box_by_name(&self, name: &str) -> Option<&VaultBox> {
        self.boxes
            .iter()
            .find(|b| b.name.eq_ignore_ascii_case(name.trim()))
    }

    pub fn add_box(&mut self, name: &str, kind: BoxKind) -> Result<Uuid, VaultError> {
        if name.trim().is_empty() {
            return Err(VaultError::EmptyName);
        }
        let vault_box = VaultBox::new(name, kind);
        let id = vault_box.id;
        self.boxes.push(vault_box);
        Ok(id)
    }

    pub fn rename_box(&mut self, id: Uuid, name: &str) -> Result<(), VaultError> {
        if name.trim().is_empty() {
            return Err(VaultError::EmptyName);
        }
        let vault_box = self.box_mut(id)?;
        name.trim().clone_into(&mut vault_box.name);
        vault_box.updated_ms = now_ms();
        Ok(())
    }

    /// Deletes a box and its secrets into the trash, leaving tombstones for
    /// all of them (sync tells a deletion from an absence by them).
    pub fn delete_box(&mut self, id: Uuid) -> Result<(), VaultError> {
        let index = self
            .boxes
            .iter()
            .position(|b| b.id == id)
            .ok_or(VaultError::NoSuchBox)?;
        let removed = self.boxes.remove(index);
        let now = now_ms();
        self.tombstones
            .extend(
                removed
                    .secrets
                    .iter()
                    .map(|s| s.id)
                    .chain([id])
                    .map(|id| Tombstone {
                        id,
                        deleted_ms: now,
                    }),
            );
        self.trash.push(TrashItem {
            deleted_ms: now,
            box_id: removed.id,
            box_name: removed.name.clone(),
            kind: removed.kind,
            item: Trashed::Box(removed),
        });
        Ok(())
    }

    /// Puts a trashed secret back in its box (made again if it was deleted
    /// too) or a trashed box back in the vault, newer than its tombstones.
    pub fn restore_from_trash(&mut self, index: usize) -> Result<(), VaultError> {
        if index >= self.trash.len() {
            return Err(VaultError::NotInTrash);
        }
        let entry = self.trash.remove(index);
        let now = now_ms();
        match entry.item {
            Trashed::Secret(mut secret) => {
                secret.updated_ms = now.max(secret.updated_ms + 1);
                let id = secret.id;
                if self.box_by_id(entry.box_id).is_none() {
                    let mut vault_box = VaultBox::new(&entry.box_name, entry.kind);
                    vault_box.id = entry.box_id;
                    self.boxes.push(vault_box);
                }
                let vault_box = self.box_mut(entry.box_id)?;
                vault_box.secrets.push(secret);
                vault_box.updated_ms = now;
                self.tombstones
                    .retain(|t| t.id != id && t.id != entry.box_id);
            }
            Trashed::Box(mut vault_box) => {
                vault_box.updated_ms = now;
                for secret in &mut vault_box.secrets {
                    secret.updated_ms = now.max(secret.updated_ms + 1);
                }
                let ids: Vec<Uuid> = vault_box
                    .secrets
                    .iter()
                    .map(|s| s.id)
                    .chain([vault_box.id])
                    .collect();
                self.tombstones.retain(|t| !ids.contains(&t.id));
                match self.boxes.iter_mut().find(|b| b.id == vault_box.id) {
                    // A secret of it was restored first: merge the two.
                    Some(existing) => existing.secrets.extend(vault_box.secrets),
                    None => self.boxes.push(vault_box),
                }
            }
        }
        Ok(())
    }

    /// Deletes a trash entry for good.
    pub fn purge_from_trash(&mut self, index: usize) -> Result<(), VaultError> {
        if index >= self.trash.len() {
            return Err(VaultError::NotInTrash);
        }
        self.trash.remove(index);
        Ok(())
    }

    /// Drops trash entries older than [`TRASH_DAYS`]; returns how many.
    pub fn purge_expired_trash(&mut self, now_ms: i64) -> usize {
        let before = self.trash.len();
        self.trash.retain(|entry| entry.purge_at_ms() > now_ms);
        before - self.trash.len()
    }

    pub fn add_secret(&mut self, box_id: Uuid, content: SecretContent) -> Result<Uuid, VaultError> {
        let secret = Secret::new(content);
        let id = secret.id;
        let vault_box = self.box_mut(box_id)?;
        vault_box.secrets.push(secret);
        vault_box.updated_ms = now_ms();
        Ok(id)
    }

    /// Replaces a secret's content; returns whether anything changed.
    pub fn update_secret(
        &mut self,
        box_id: Uuid,
        secret_id: Uuid,
        content: SecretContent,
    ) -> Result<bool, VaultError> {
        let keep = self.history_keep();
        let secret = self.secret_mut(box_id, secret_id)?;
        Ok(secret.update_keeping(content, keep))
    }

    /// Adds a file to a secret; refused over [`MAX_ATTACHMENT_BYTES`].
    pub fn attach(
        &mut self,
        box_id: Uuid,
        secret_id: Uuid,
        name: &str,
        data: zeroize::Zeroizing<Vec<u8>>,
    ) -> Result<Uuid, VaultError> {
        if data.len() > MAX_ATTACHMENT_BYTES {
            return Err(VaultError::AttachmentTooLarge(data.len()));
        }
        let attachment = Attachment {
            id: Uuid::new_v4(),
            name: name.trim().to_owned(),
            added_ms: now_ms(),
            data,
        };
        let id = attachment.id;
        let secret = self.secret_mut(box_id, secret_id)?;
        secret.attachments.push(attachment);
        secret.updated_ms = now_ms().max(secret.updated_ms + 1);
        Ok(id)
    }

    /// Removes a file from a secret.
    pub fn detach(
        &mut self,
        box_id: Uuid,
        secret_id: Uuid,
        attachment_id: Uuid,
    ) -> Result<(), VaultError> {
        let secret = self.secret_mut(box_id, secret_id)?;
        let before = secret.attachments.len();
        secret.attachments.retain(|a| a.id != attachment_id);
        if secret.attachments.len() == before {
            return Err(VaultError::NoSuchAttachment);
        }
        secret.updated_ms = now_ms().max(secret.updated_ms + 1);
        // So that a merge with a copy that still has it does not bring it back.
        self.tombstones.push(Tombstone {
            id: attachment_id,
            deleted_ms: now_ms(),
        });
        Ok(())
    }

    /// Stars or unstars a secret; not a new version of it.
    pub fn set_favourite(
        &mut self,
        box_id: Uuid,
        secret_id: Uuid,
        favourite: bool,
    ) -> Result<bool, VaultError> {
        let secret = self.secret_mut(box_id, secret_id)?;
        let changed = secret.favourite != favourite;
        secret.favourite = favourite;
        Ok(changed)
    }

    /// Notes that a value of the secret was just copied.
    pub fn mark_used(&mut self, box_id: Uuid, secret_id: Uuid) -> Result<(), VaultError> {
        self.secret_mut(box_id, secret_id)?.used_ms = Some(now_ms());
        Ok(())
    }

    /// Up to `limit` secrets by when they were last used, newest first.
    pub fn recently_used(&self, limit: usize) -> Vec<(&VaultBox, &Secret)> {
        let mut used: Vec<(&VaultBox, &Secret)> = self
            .boxes
            .iter()
            .flat_map(|b| b.secrets.iter().map(move |s| (b, s)))
            .filter(|(_, s)| s.used_ms.is_some())
            .collect();
        used.sort_by_key(|(_, s)| std::cmp::Reverse(s.used_ms));
        used.truncate(limit);
        used
    }

    /// How many earlier versions each secret keeps.
    pub fn history_keep(&self) -> usize {
        self.history_len.map_or(HISTORY_LEN, usize::from)
    }

    /// Makes an earlier version (`index` into the secret's history, newest
    /// first) the current one. The current content joins the history, so a
    /// restore can itself be undone.
    pub fn restore_version(
        &mut self,
        box_id: Uuid,
        secret_id: Uuid,
        index: usize,
    ) -> Result<bool, VaultError> {
        let keep = self.history_keep().max(1);
        let secret = self.secret_mut(box_id, secret_id)?;
        let content = secret
            .history
            .get(index)
            .map(|version| version.content.clone())
            .ok_or(VaultError::NoSuchVersion)?;
        Ok(secret.update_keeping(content, keep))
    }

    fn secret_mut(&mut self, box_id: Uuid, secret_id: Uuid) -> Result<&mut Secret, VaultError> {
        self.box_mut(box_id)?
            .secrets
            .iter_mut()
            .find(|s| s.id == secret_id)
            .ok_or(VaultError::NoSuchSecret)
    }

    pub fn delete_secret(&mut self, box_id: Uuid, secret_id: Uuid) -> Result<(), VaultError> {
        let vault_box = self.box_mut(box_id)?;
        let index = vault_box
            .secrets
            .iter()
            .position(|s| s.id == secret_id)
            .ok_or(VaultError::NoSuchSecret)?;
        let secret = vault_box.secrets.remove(index);
        let now = now_ms();
        vault_box.updated_ms = now;
        let (box_name, kind) = (vault_box.name.clone(), vault_box.kind);
        self.tombstones.push(Tombstone {
            id: secret_id,
            deleted_ms: now,
        });
        self.trash.push(TrashItem {
            deleted_ms: now,
            box_id,
            box_name,
            kind,
            item: Trashed::Secret(secret),
        });
        Ok(())
    }

    /// Finds a secret by title across all boxes.
    pub fn find_by_title(&self, title: &str) -> Option<(&VaultBox, &Secret)> {
        self.boxes
            .iter()
            .find_map(|b| b.secret_by_title(title).map(|s| (b, s)))
    }

    pub fn secret_count(&self) -> usize {
        self.boxes.iter().map(|b| b.secrets.len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn login(issuer: &str) -> SecretContent {
        let mut c = SecretContent::default();
        c.set("issuer", issuer);
        c.set("password", "pw");
        c
    }

    #[test]
    fn an_edit_keeps_the_previous_version_in_history() {
        let mut vault = Vault::new();
        let b = vault.add_box("Logins", BoxKind::Passwords).expect("box");
        let s = vault.add_secret(b, login("one")).expect("secret");
        for i in 0..15 {
            assert!(
                vault
                    .update_secret(b, s, login(&format!("v{i}")))
                    .expect("update")
            );
        }
        assert!(!vault.update_secret(b, s, login("v14")).expect("same"));
        let secret = vault.boxes[0].secret(s).expect("exists");
        assert_eq!(secret.history.len(), HISTORY_LEN);
        assert_eq!(secret.history[0].content.get("issuer"), "v13");
        assert_eq!(secret.title(BoxKind::Passwords), "v14");
    }

    #[test]
    fn deleting_leaves_tombstones() {
        let mut vault = Vault::new();
        let b = vault.add_box("Logins", BoxKind::Passwords).expect("box");
        let s1 = vault.add_secret(b, login("one")).expect("secret");
        let s2 = vault.add_secret(b, login("two")).expect("secret");
        vault.delete_secret(b, s1).expect("delete");
        vault.delete_box(b).expect("delete box");
        let ids: Vec<Uuid> = vault.tombstones.iter().map(|t| t.id).collect();
        assert_eq!(ids, vec![s1, s2, b]);
        assert!(vault.boxes.is_empty());
    }

    #[test]
    fn empty_box_names_are_refused() {
        let mut vault = Vault::new();
        assert_eq!(
            vault.add_box("  ", BoxKind::Notes),
            Err(VaultError::EmptyName)
        );
        let b = vault.add_box("Notes", BoxKind::Notes).expect("box");
        assert_eq!(vault.rename_box(b, ""), Err(VaultError::EmptyName));
        vault.rename_box(b, " Diary ").expect("rename");
        assert_eq!(vault.boxes[0].name, "Diary");
    }

    #[test]
    fn the_history_length_is_a_vault_setting_and_a_restore_can_be_undone() {
        let mut vault = Vault::new();
        assert_eq!(vault.history_keep(), HISTORY_LEN);
        vault.history_len = Some(2);
        let b = vault.add_box("Logins", BoxKind::Passwords).expect("box");
        let s = vault.add_secret(b, login("v0")).expect("secret");
        for n in 1..=4 {
            vault
                .update_secret(b, s, login(&format!("v{n}")))
                .expect("update");
        }
        let titles = |vault: &Vault| -> Vec<String> {
            vault.boxes[0].secrets[0]
                .history
                .iter()
                .map(|v| v.content.get("issuer").to_owned())
                .collect()
        };
        assert_eq!(titles(&vault), ["v3", "v2"], "only two kept");

        assert!(vault.restore_version(b, s, 1).expect("restore"));
        assert_eq!(vault.boxes[0].secrets[0].content.get("issuer"), "v2");
        assert_eq!(titles(&vault), ["v4", "v3"], "the replaced content is kept");
        assert_eq!(
            vault.restore_version(b, s, 5),
            Err(VaultError::NoSuchVersion)
        );
    }

    #[test]
    fn favourites_and_recent_use_are_kept_without_new_versions() {
        let mut vault = Vault::new();
        let b = vault.add_box("Logins", BoxKind::Passwords).expect("box");
        let one = vault.add_secret(b, login("one")).expect("one");
        let two = vault.add_secret(b, login("two")).expect("two");
        assert!(vault.set_favourite(b, two, true).expect("star"));
        assert!(!vault.set_favourite(b, two, true).expect("again"));
        vault.mark_used(b, one).expect("use");
        std::thread::sleep(std::time::Duration::from_millis(2));
        vault.mark_used(b, two).expect("use");
        let recent: Vec<&str> = vault
            .recently_used(10)
            .iter()
            .map(|(b, s)| s.title(b.kind))
            .collect();
        assert_eq!(recent, ["two", "one"]);
        assert!(vault.boxes[0].secrets.iter().all(|s| s.history.is_empty()));
        let json = serde_json::to_string(&vault).expect("json");
        let back: Vault = serde_json::from_str(&json).expect("back");
        assert!(back.boxes[0].secrets[1].favourite);
        assert!(back.boxes[0].secrets[0].used_ms.is_some());
    }

    #[test]
    fn deleted_secrets_and_boxes_wait_in_the_trash_and_come_back() {
        let mut vault = Vault::new();
        let b = vault.add_box("Logins", BoxKind::Passwords).expect("box");
        let one = vault.add_secret(b, login("one")).expect("one");
        let two = vault.add_secret(b, login("two")).expect("two");
        vault.delete_secret(b, one).expect("delete");
        assert_eq!(vault.trash.len(), 1);
        assert_eq!(vault.trash[0].title(), "one");
        assert!(vault.tombstones.iter().any(|t| t.id == one));

        vault.restore_from_trash(0).expect("restore");
        assert!(vault.trash.is_empty());
        assert!(vault.boxes[0].secret(one).is_some());
        assert!(
            vault.tombstones.iter().all(|t| t.id != one),
            "not deleted any more"
        );

        // A secret whose box went too comes back into a box of the same name.
        vault.delete_secret(b, two).expect("delete");
        vault.delete_box(b).expect("delete box");
        assert!(vault.boxes.is_empty());
        assert_eq!(vault.trash.len(), 2);
        vault.restore_from_trash(0).expect("restore the secret");
        assert_eq!(vault.boxes[0].name, "Logins");
        assert_eq!(vault.boxes[0].id, b);
        vault.restore_from_trash(0).expect("restore the box");
        assert_eq!(vault.boxes.len(), 1, "merged into one box");
        assert_eq!(vault.boxes[0].secrets.len(), 2);
        assert!(vault.tombstones.is_empty());
        assert_eq!(
            vault.restore_from_trash(0).expect_err("the trash is empty"),
            VaultError::NotInTrash
        );

        // After 30 days the trash empties itself; purge is for good.
        vault.delete_secret(b, one).expect("delete");
        vault.delete_secret(b, two).expect("delete");
        vault.purge_from_trash(0).expect("purge");
        assert_eq!(vault.trash.len(), 1);
        let later = now_ms() + (TRASH_DAYS + 1) * 24 * 60 * 60 * 1000;
        assert_eq!(vault.purge_expired_trash(now_ms()), 0);
        assert_eq!(vault.purge_expired_trash(later), 1);
        assert!(vault.trash.is_empty());
    }

    #[test]
    fn attachments_round_trip_as_base64_and_large_ones_are_refused() {
        let mut vault = Vault::new();
        let b = vault.add_box("IDs", BoxKind::Identification).expect("box");
        let s = vault.add_secret(b, login("passport")).expect("secret");
        let bytes: Vec<u8> = (0..=255u8).collect();
        let id = vault
            .attach(b, s, " scan.png ", zeroize::Zeroizing::new(bytes.clone()))
            .expect("attach");
        let too_big = zeroize::Zeroizing::new(vec![0u8; MAX_ATTACHMENT_BYTES + 1]);
        assert!(matches!(
            vault.attach(b, s, "big.bin", too_big),
            Err(VaultError::AttachmentTooLarge(_))
        ));
        let json = serde_json::to_string(&vault).expect("json");
        let back: Vault = serde_json::from_str(&json).expect("back");
        let attachment = &back.boxes[0].secrets[0].attachments[0];
        assert_eq!(attachment.name, "scan.png");
        assert_eq!(attachment.data.as_slice(), bytes.as_slice());
        assert!(
            !format!("{attachment:?}").contains("255"),
            "Debug hides the bytes"
        );
        vault.detach(b, s, id).expect("detach");
        assert!(vault.boxes[0].secrets[0].attachments.is_empty());
        assert_eq!(vault.detach(b, s, id), Err(VaultError::NoSuchAttachment));
    }
}
