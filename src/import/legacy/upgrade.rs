//! The old app's own upgrades, applied while reading: files older than
//! 0.2.8 kept fields, box types, times and field keys in earlier layouts.

use super::node::{Entries, Node};

/// A box after the upgrades: type key and secrets in the 0.2.8+ layout.
pub struct LegacyBox {
    pub name: String,
    pub type_key: String,
    pub secrets: Vec<LegacySecret>,
}

/// A secret after the upgrades.
pub struct LegacySecret {
    pub updated_ms: Option<i64>,
    pub fields: Entries,
}

/// The app version that wrote a file, compared as numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u32, pub u32, pub u32);

impl Version {
    /// Reads "0.2.6"; `None` for anything else (a pre-release suffix on the
    /// last part is ignored).
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.trim().splitn(3, '.');
        let mut next = || -> Option<u32> {
            let part = parts.next()?;
            let digits = part.split(|c: char| !c.is_ascii_digit()).next()?;
            digits.parse().ok()
        };
        Some(Self(next()?, next()?, next()?))
    }

    /// 0.2.5 to 0.2.7 used display names ("Wallet Name") as field keys.
    fn has_display_name_keys(self) -> bool {
        (Self(0, 2, 5)..=Self(0, 2, 7)).contains(&self)
    }
}

/// Upgrades every box of the secrets JSON; `None` when it is not an object
/// of boxes. An unknown version is read as the newest layout.
pub fn boxes(root: Node, version: Option<Version>) -> Option<Vec<LegacyBox>> {
    let Node::Object(entries) = root else {
        return None;
    };
    entries
        .into_iter()
        .map(|(_, node)| upgrade_box(node, version))
        .collect()
}

fn upgrade_box(node: Node, version: Option<Version>) -> Option<LegacyBox> {
    let name = node
        .get("name")
        .and_then(Node::as_text)
        .unwrap_or_default()
        .to_owned();
    let type_key =
        type_key(node.get("type").and_then(Node::as_text).unwrap_or_default()).to_owned();
    let Node::Object(entries) = node else {
        return None;
    };
    let secrets = entries
        .into_iter()
        .find(|(key, _)| key == "secrets")
        .map_or(Some(Vec::new()), |(_, secrets)| {
            upgrade_secrets(secrets, version)
        })?;
    Some(LegacyBox {
        name,
        type_key,
        secrets,
    })
}

fn upgrade_secrets(node: Node, version: Option<Version>) -> Option<Vec<LegacySecret>> {
    let Node::Object(entries) = node else {
        return None;
    };
    entries
        .into_iter()
        .map(|(_, secret)| upgrade_secret(secret, version))
        .collect()
}

/// Up to 0.2.4 `created` stood where `updated` is now; below 0.2.0 the
/// fields sat directly in the secret, beside `created`.
fn upgrade_secret(node: Node, version: Option<Version>) -> Option<LegacySecret> {
    let updated_ms = node
        .get("updated")
        .or_else(|| node.get("created"))
        .and_then(Node::as_int);
    let Node::Object(mut entries) = node else {
        return None;
    };
    let fields_at = entries
        .iter()
        .position(|(key, value)| key == "fields" && value.as_entries().is_some());
    let mut fields = if let Some(index) = fields_at {
        let (_, fields) = entries.swap_remove(index);
        fields.into_entries().unwrap_or_default()
    } else {
        entries.retain(|(key, _)| key != "created" && key != "updated");
        entries
    };
    if version.is_some_and(Version::has_display_name_keys) {
        rename_display_names(&mut fields);
    }
    Some(LegacySecret { updated_ms, fields })
}

/// 0.2.0 wrote box types as display names.
fn type_key(text: &str) -> &str {
    match text {
        "Crypto Wallets" => "cryptoWallets",
        "Cryptocurrency" | "Crypto Backups" => "cryptocurrency",
        "Financial Institution" => "financialInstitution",
        "Identification" => "identification",
        "Passwords" => "passwords",
        "Server Connection" => "serverConnection",
        "Notes" => "notes",
        "Other" | "Custom" => "other",
        key => key,
    }
}

/// Display-name field keys to keys, in list items too.
fn rename_display_names(fields: &mut Entries) {
    for (key, value) in fields.iter_mut() {
        *key = field_key(key);
        if let Node::List(items) = value {
            for item in items {
                if let Node::Object(sub_fields) = item {
                    rename_display_names(sub_fields);
                }
            }
        }
    }
}

/// "Wallet Name" → "walletName", "Key/Seed" → "seed", "2FA Secret" →
/// "2faSecret": lower camel case of the words, with one exception.
pub fn field_key(display_name: &str) -> String {
    if display_name == "Key/Seed" {
        return "seed".into();
    }
    let mut key = String::new();
    for (index, word) in display_name.split_whitespace().enumerate() {
        let lower = word.to_lowercase();
        let mut chars = lower.chars();
        match chars.next() {
            Some(first) if index > 0 => {
                key.extend(first.to_uppercase());
                key.push_str(chars.as_str());
            }
            _ => key.push_str(&lower),
        }
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_become_the_keys_the_old_app_used() {
        for (name, key) in [
            ("Wallet Name", "walletName"),
            ("Key/Seed", "seed"),
            ("2FA Secret", "2faSecret"),
            ("ID Number", "idNumber"),
            ("PIN", "pin"),
            ("XPub", "xpub"),
            ("Expiration Date", "expirationDate"),
        ] {
            assert_eq!(field_key(name), key);
        }
    }

    #[test]
    fn versions_compare_as_numbers() {
        assert!(Version::parse("0.2.10") > Version::parse("0.2.9"));
        assert_eq!(Version::parse("0.3.1-beta"), Some(Version(0, 3, 1)));
        assert_eq!(Version::parse("nope"), None);
        assert!(Version(0, 2, 6).has_display_name_keys());
        assert!(!Version(0, 2, 8).has_display_name_keys());
    }

    #[test]
    fn pre_0_2_0_secrets_and_0_2_0_types_are_upgraded() {
        let json = r#"{"b1": {"name": "Old", "type": "Financial Institution",
            "secrets": {"s1": {"created": 5, "institutionName": "Bank"}}}}"#;
        let root: Node = serde_json::from_str(json).expect("valid JSON");
        let boxes = boxes(root, Version::parse("0.1.6")).expect("boxes");
        let secret = &boxes[0].secrets[0];
        assert_eq!(boxes[0].type_key, "financialInstitution");
        assert_eq!(secret.updated_ms, Some(5));
        assert_eq!(secret.fields.len(), 1);
        assert_eq!(secret.fields[0].0, "institutionName");
    }
}
