//! The old app's box types and field keys mapped onto our templates. A key
//! with no counterpart becomes a custom field, hidden when it looks secret.

use super::node::{Entries, Node};
use super::upgrade::{LegacyBox, LegacySecret};
use crate::import::{ImportedBox, ImportedSecret};
use crate::vault::templates::{BoxKind, ListSpec};
use crate::vault::text::SecretText;
use crate::vault::{CustomField, ListItem, SecretContent, field_key};

/// Old field keys whose values we derive from the seed instead of storing.
const DERIVED_KEYS: [&str; 3] = ["xpub", "ypub", "zpub"];

/// Words that make a custom field hidden.
const SECRET_WORDS: [&str; 10] = [
    "pass", "secret", "seed", "key", "pin", "cvc", "cvv", "private", "token", "mnemonic",
];

/// One box in our model; what the user should know goes to `notes`.
pub fn imported_box(legacy: LegacyBox, notes: &mut Vec<String>) -> ImportedBox {
    let kind = BoxKind::from_key(&legacy.type_key).unwrap_or_else(|| {
        notes.push(format!(
            "the box \"{}\" has a type this importer does not know; it was imported as Custom",
            legacy.name
        ));
        BoxKind::Custom
    });

    let mut derived = 0;
    let secrets = legacy
        .secrets
        .iter()
        .map(|secret| imported_secret(kind, secret, &mut derived))
        .collect();
    if derived > 0 {
        notes.push(format!(
            "left out {derived} stored xpubs in \"{}\": Qvault derives them from the seed",
            legacy.name
        ));
    }
    ImportedBox {
        name: legacy.name,
        kind,
        secrets,
    }
}

fn imported_secret(kind: BoxKind, legacy: &LegacySecret, derived: &mut usize) -> ImportedSecret {
    let mut content = SecretContent::default();
    for (old_key, value) in &legacy.fields {
        if kind == BoxKind::CryptoWallets && DERIVED_KEYS.contains(&old_key.as_str()) {
            *derived += usize::from(text_of(value).is_some());
            continue;
        }
        match value {
            Node::List(items) => add_list(&mut content, kind, old_key, items),
            scalar => add_field(&mut content, kind, old_key, scalar),
        }
    }
    ImportedSecret {
        content,
        updated_ms: legacy.updated_ms,
        ..ImportedSecret::default()
    }
}

/// Sets a template field, or adds a custom field when the template has no
/// place for it. Empty values are skipped.
fn add_field(content: &mut SecretContent, kind: BoxKind, old_key: &str, value: &Node) {
    let Some(text) = text_of(value) else {
        return;
    };
    let key = template_key(kind, old_key);
    if kind.field(key).is_some() {
        content.set(key, text.as_str());
    } else {
        add_custom(content, humanise(old_key), text);
    }
}

/// Adds the items of an old array field (payment cards, loans, account
/// numbers) to our list field, or as custom fields when there is none.
fn add_list(content: &mut SecretContent, kind: BoxKind, old_key: &str, items: &[Node]) {
    let key = template_key(kind, old_key);
    let spec = kind.lists().iter().find(|spec| spec.key == key);
    for (index, item) in items.iter().enumerate() {
        let Some(entries) = item.as_entries() else {
            continue;
        };
        let label = format!("{} {}", humanise(old_key), index + 1);
        match spec {
            Some(spec) => add_list_item(content, spec, &label, entries),
            None => add_item_as_custom(content, &label, entries),
        }
    }
}

fn add_list_item(content: &mut SecretContent, spec: &ListSpec, label: &str, entries: &Entries) {
    let mut item = ListItem::new();
    for (old_key, value) in entries {
        let Some(text) = text_of(value) else {
            continue;
        };
        let key = list_field_key(old_key);
        if spec.fields.iter().any(|field| field.key == key) {
            item.insert(field_key(key), text);
        } else {
            add_custom(content, format!("{label}: {}", humanise(old_key)), text);
        }
    }
    if !item.is_empty() {
        content
            .lists
            .entry(field_key(spec.key))
            .or_default()
            .push(item);
    }
}

fn add_item_as_custom(content: &mut SecretContent, label: &str, entries: &Entries) {
    for (old_key, value) in entries {
        if let Some(text) = text_of(value) {
            add_custom(content, format!("{label}: {}", humanise(old_key)), text);
        }
    }
}

fn add_custom(content: &mut SecretContent, name: String, value: SecretText) {
    let hidden = looks_secret(&name);
    content.custom.push(CustomField {
        name,
        value,
        hidden,
    });
}

/// A field's value as text; `None` for null, empty text, lists and objects.
fn text_of(value: &Node) -> Option<SecretText> {
    let text = match value {
        Node::Text(text) if !text.as_str().trim().is_empty() => text.clone(),
        Node::Int(number) => SecretText::new(number.to_string()),
        Node::Float(number) => SecretText::new(number.to_string()),
        Node::Bool(flag) => SecretText::new(flag.to_string()),
        _ => return None,
    };
    Some(text)
}

/// Our template key for an old field key (after the 0.2.8 upgrade).
fn template_key(kind: BoxKind, old_key: &str) -> &str {
    match (kind, old_key) {
        (_, "2faSecret") => "totp",
        (_, "walletName" | "institutionName") => "name",
        (BoxKind::CryptoWallets, "ticker") => "coin",
        (BoxKind::Identification, "idNumber") => "number",
        (BoxKind::Identification, "expirationDate") => "expires",
        (_, "routingNumber") => "routing_number",
        (_, "connectionString") => "connection_string",
        (_, "publicKey") => "public_key",
        (_, "privateKey") => "private_key",
        (_, "paymentCards") => "cards",
        (_, "accountNumbers") => "accounts",
        (_, key) => key,
    }
}

/// Our key for a sub-field of a card, loan or account.
fn list_field_key(old_key: &str) -> &str {
    match old_key {
        "cardNumber" | "loanNumber" | "accountNumber" => "number",
        "expirationDate" => "expiry",
        "dueDate" => "due",
        "cvv" => "cvc",
        key => key,
    }
}

/// "walletPassword" → "Wallet password", the name of a custom field.
fn humanise(key: &str) -> String {
    let mut name = String::with_capacity(key.len() + 4);
    for (index, c) in key.chars().enumerate() {
        if index == 0 {
            name.extend(c.to_uppercase());
        } else if c.is_uppercase() {
            if !name.ends_with(' ') {
                name.push(' ');
            }
            name.extend(c.to_lowercase());
        } else {
            name.push(c);
        }
    }
    name
}

fn looks_secret(name: &str) -> bool {
    let name = name.to_lowercase();
    SECRET_WORDS.iter().any(|word| name.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_field_names_read_as_words_and_secret_ones_are_hidden() {
        assert_eq!(humanise("walletPassword"), "Wallet password");
        assert_eq!(humanise("Password"), "Password");
        assert_eq!(humanise("Favourite Colour"), "Favourite colour");
        assert!(looks_secret("Wallet password"));
        assert!(!looks_secret("Favourite colour"));
    }

    #[test]
    fn a_wallet_password_becomes_a_hidden_custom_field_and_xpubs_are_dropped() {
        let json = r#"{"walletName": "Main", "ticker": "BTC", "seed": "abandon",
            "password": "pw", "xpub": "xpub6...", "colour": null}"#;
        let Node::Object(fields) = serde_json::from_str(json).expect("valid JSON") else {
            panic!("an object");
        };
        let legacy = LegacyBox {
            name: "Wallets".into(),
            type_key: "cryptoWallets".into(),
            secrets: vec![LegacySecret {
                updated_ms: Some(1),
                fields,
            }],
        };
        let mut notes = Vec::new();
        let imported = imported_box(legacy, &mut notes);
        let content = &imported.secrets[0].content;
        assert_eq!(content.get("name"), "Main");
        assert_eq!(content.get("coin"), "BTC");
        assert_eq!(content.custom.len(), 1);
        assert!(content.custom[0].hidden);
        assert_eq!(notes.len(), 1);
    }
}
