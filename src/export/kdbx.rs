//! The vault as a KDBX 4 database that `KeePassXC` and `KeePass` open.
//!
//! Layout: a root group "Qvault" and one group per box. A `/` in a box name
//! nests groups (`Work/Servers` becomes `Work` → `Servers`), so a database
//! imported from `KeePass` goes back with the same tree; a second box with
//! the same path gets its type appended (`Bank (Financial Institution)`).
//! One entry per secret: Title is the secret's title, the template's
//! username, password, link, notes and totp fill `UserName`, Password, URL,
//! Notes and `otp`; every other template field is an attribute named by its
//! label ("PIN", "Seed words"), list items are attributes such as
//! `cards 1 number`, custom fields keep their names; hidden fields are
//! protected. Attachments are entry attachments. History is not written.
//!
//! The key is derived with Argon2id (64 MiB, 3 passes, 4 lanes, as our own
//! vault file uses); the file is built in memory and written 0600 through
//! [`crate::store::write_private_file`].

use std::collections::{HashMap, HashSet};
use std::path::Path;

use keepass::config::{DatabaseConfig, KdfConfig};
use keepass::db::{EntryMut, GroupId, Value};
use keepass::{Database, DatabaseKey};

use super::ExportError;
use crate::vault::templates::BoxKind;
use crate::vault::{Secret, Vault, VaultBox};

/// The root group's name.
pub const ROOT_GROUP: &str = "Qvault";

const KDF_MEMORY_BYTES: u64 = 64 * 1024 * 1024;
const KDF_ITERATIONS: u64 = 3;
const KDF_PARALLELISM: u32 = 4;

/// Template fields that have a standard `KeePass` field, and whether that
/// field is protected.
const STANDARD_FIELDS: [(&str, &str, bool); 5] = [
    ("username", "UserName", false),
    ("password", "Password", true),
    ("link", "URL", false),
    ("notes", "Notes", false),
    ("totp", "otp", true),
];

/// Writes the whole vault to `path` as KDBX 4 and returns how many entries
/// it holds.
pub fn write(vault: &Vault, path: &Path, password: &str) -> Result<usize, ExportError> {
    let database = build(vault)?;
    let mut bytes = Vec::new();
    database
        .save(&mut bytes, DatabaseKey::new().with_password(password))
        .map_err(|error| ExportError::Build(format!("failed to encrypt the KDBX file: {error}")))?;

    crate::store::write_private_file(path, &bytes).map_err(|source| ExportError::Io {
        path: path.display().to_string(),
        source,
    })?;
    Ok(vault.boxes.iter().map(|b| b.secrets.len()).sum())
}

/// The database: root group, one group per box, one entry per secret.
fn build(vault: &Vault) -> Result<Database, ExportError> {
    let mut database = Database::with_config(config()?);
    database.meta.database_name = Some(ROOT_GROUP.to_owned());
    database.meta.generator = Some("Qvault".to_owned());
    ROOT_GROUP.clone_into(&mut database.root_mut().name);

    let mut groups = GroupTree::new(database.root().id());
    for vault_box in &vault.boxes {
        let group = groups.group_for(&mut database, vault_box)?;
        for secret in &vault_box.secrets {
            add_entry(&mut database, group, vault_box.kind, secret)?;
        }
    }
    Ok(database)
}

/// The crate's KDBX 4 defaults with Argon2id in place of Argon2d.
fn config() -> Result<DatabaseConfig, ExportError> {
    let mut config = DatabaseConfig::default();
    let KdfConfig::Argon2 { version, .. } = config.kdf_config else {
        return Err(ExportError::Build(
            "the keepass crate no longer defaults to Argon2".into(),
        ));
    };
    config.kdf_config = KdfConfig::Argon2id {
        iterations: KDF_ITERATIONS,
        memory: KDF_MEMORY_BYTES,
        parallelism: KDF_PARALLELISM,
        version,
    };
    Ok(config)
}

/// Groups made so far, by path below the root, and the box paths used.
struct GroupTree {
    root: GroupId,
    by_path: HashMap<String, GroupId>,
    box_paths: HashSet<String>,
}

impl GroupTree {
    fn new(root: GroupId) -> Self {
        Self {
            root,
            by_path: HashMap::new(),
            box_paths: HashSet::new(),
        }
    }

    /// The group for a box, made (with its parents) on first use.
    fn group_for(
        &mut self,
        database: &mut Database,
        vault_box: &VaultBox,
    ) -> Result<GroupId, ExportError> {
        let path = self.unique_path(vault_box);
        let mut parent = self.root;
        let mut so_far = String::new();
        for part in path.split('/') {
            if !so_far.is_empty() {
                so_far.push('/');
            }
            so_far.push_str(part);
            parent = if let Some(&id) = self.by_path.get(&so_far) {
                id
            } else {
                let id = add_group(database, parent, part)?;
                self.by_path.insert(so_far.clone(), id);
                id
            };
        }
        Ok(parent)
    }

    /// The box name as a path of non-empty parts, made unique among boxes.
    fn unique_path(&mut self, vault_box: &VaultBox) -> String {
        let parts: Vec<&str> = vault_box
            .name
            .split('/')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        let mut path = if parts.is_empty() {
            "Unnamed box".to_owned()
        } else {
            parts.join("/")
        };
        if self.box_paths.contains(&path) {
            path = format!("{path} ({})", vault_box.kind.label());
        }
        let base = path.clone();
        let mut n = 2;
        while !self.box_paths.insert(path.clone()) {
            path = format!("{base} {n}");
            n += 1;
        }
        path
    }
}

fn add_group(database: &mut Database, parent: GroupId, name: &str) -> Result<GroupId, ExportError> {
    let mut parent = database
        .group_mut(parent)
        .ok_or_else(|| ExportError::Build("a group vanished while building the export".into()))?;
    let mut group = parent.add_group();
    name.clone_into(&mut group.name);
    Ok(group.id())
}

fn add_entry(
    database: &mut Database,
    group: GroupId,
    kind: BoxKind,
    secret: &Secret,
) -> Result<(), ExportError> {
    let mut group = database
        .group_mut(group)
        .ok_or_else(|| ExportError::Build("a group vanished while building the export".into()))?;
    let mut entry = group.add_entry();
    entry.times.creation = time(secret.created_ms);
    entry.times.last_modification = time(secret.updated_ms);

    let mut names = Attributes::default();
    names.set(&mut entry, "Title", secret.title(kind), false);
    template_fields(&mut entry, &mut names, kind, secret);
    list_fields(&mut entry, &mut names, kind, secret);
    for field in &secret.content.custom {
        let name = if field.name.trim().is_empty() {
            "Field"
        } else {
            field.name.as_str()
        };
        names.set(&mut entry, name, field.value.as_str(), field.hidden);
    }
    attachments(&mut entry, secret);
    Ok(())
}

fn time(ms: i64) -> Option<chrono::NaiveDateTime> {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.naive_utc())
}

/// Attribute names already on an entry, so that a second field with the
/// same name (a custom field called "Email") gets "Email (2)", never
/// overwriting the first.
#[derive(Default)]
struct Attributes(HashSet<String>);

impl Attributes {
    fn set(&mut self, entry: &mut EntryMut<'_>, name: &str, value: &str, protected: bool) {
        let mut unique = name.to_owned();
        let mut n = 2;
        while self.0.contains(&unique) {
            unique = format!("{name} ({n})");
            n += 1;
        }
        self.0.insert(unique.clone());
        if protected {
            entry.set_protected(unique, value);
        } else {
            entry.set_unprotected(unique, value);
        }
    }
}

/// Template fields (and any stray field keys) other than the title.
fn template_fields(
    entry: &mut EntryMut<'_>,
    names: &mut Attributes,
    kind: BoxKind,
    secret: &Secret,
) {
    for (key, value) in &secret.content.fields {
        if key.as_ref() == kind.title_key() || value.is_empty() {
            continue;
        }
        let spec = kind.field(key);
        let standard = STANDARD_FIELDS.iter().find(|(k, _, _)| *k == key.as_ref());
        let (name, protected) = match (standard, spec) {
            (Some(&(_, name, protected)), _) => (name, protected),
            (None, Some(spec)) => (spec.label, spec.hidden),
            (None, None) => (key.as_ref(), false),
        };
        names.set(entry, name, value.as_str(), protected);
    }
}

/// List items as `LIST N FIELD` attributes (`cards 1 number`), 1-based.
fn list_fields(entry: &mut EntryMut<'_>, names: &mut Attributes, kind: BoxKind, secret: &Secret) {
    for (list_key, items) in &secret.content.lists {
        let spec = kind.lists().iter().find(|l| l.key == list_key.as_ref());
        for (index, item) in items.iter().enumerate() {
            for (field_key, value) in item {
                if value.is_empty() {
                    continue;
                }
                let hidden = spec
                    .and_then(|l| l.fields.iter().find(|f| f.key == field_key.as_ref()))
                    .is_some_and(|f| f.hidden);
                let name = format!("{list_key} {} {field_key}", index + 1);
                names.set(entry, &name, value.as_str(), hidden);
            }
        }
    }
}

fn attachments(entry: &mut EntryMut<'_>, secret: &Secret) {
    let mut used = HashSet::new();
    for attachment in &secret.attachments {
        let mut name = attachment.name.clone();
        let mut n = 2;
        while !used.insert(name.clone()) {
            name = format!("{} ({n})", attachment.name);
            n += 1;
        }
        entry.add_attachment(name, Value::protected(attachment.data.to_vec()));
    }
}
