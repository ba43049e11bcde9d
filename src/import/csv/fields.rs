//! Bitwarden's `fields` cell: one `name: value` line per custom field.
//!
//! Our own Bitwarden-layout export also carries the template fields that
//! have no column of their own, list items (`cards.1.number: …`), the box
//! type (`qvault_type: financial`) and which custom fields are hidden
//! (`qvault_hidden: 1,3`). Lines before the type line are template fields,
//! lines after it custom fields. A name or value that would break the line
//! format (a line break, a leading quote, a colon in a name) is written as a
//! JSON string. Bitwarden shows all of these as ordinary custom fields.

use zeroize::Zeroizing;

use crate::vault::{BoxKind, CustomField, SecretContent, SecretText, field_key};

/// The line naming the box type in our own exports.
pub const TYPE_KEY: &str = "qvault_type";
/// The line listing which custom fields (1-based) are hidden.
pub const HIDDEN_KEY: &str = "qvault_hidden";

/// A fields cell written by our own export.
pub struct OwnFields {
    pub kind: BoxKind,
    /// Template fields, list items and custom fields.
    pub content: SecretContent,
}

/// The custom fields of a fields cell from Bitwarden itself.
pub fn custom_fields(cell: &str) -> Vec<CustomField> {
    cell.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let (name, value) = line
                .split_once(": ")
                .or_else(|| line.split_once(':'))
                .unwrap_or((line, ""));
            CustomField {
                name: name.to_owned(),
                value: SecretText::new(value),
                hidden: looks_secret(name),
            }
        })
        .collect()
}

/// Whether a field name from another manager suggests a secret value.
pub fn looks_secret(name: &str) -> bool {
    let name = name.to_lowercase();
    ["pass", "secret", "seed", "cvc", "cvv", "private"]
        .iter()
        .any(|word| name.contains(word))
        || name.ends_with("pin")
        || name.ends_with("key")
}

/// Reads a fields cell of our own export; `None` when it has no type line.
pub fn own_fields(cell: &str) -> Option<OwnFields> {
    let lines: Vec<&str> = cell
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let type_at = lines.iter().position(|l| {
        split_line(l).is_some_and(|(k, v)| k == TYPE_KEY && BoxKind::from_key(&v).is_some())
    })?;
    let kind = lines
        .get(type_at)
        .and_then(|l| split_line(l))
        .and_then(|(_, v)| BoxKind::from_key(&v))?;
    let mut content = SecretContent::default();
    for (key, value) in lines.iter().take(type_at).filter_map(|l| split_line(l)) {
        set_template_field(&mut content, kind, &key, &value);
    }
    let mut hidden = Vec::new();
    for (name, value) in lines.iter().skip(type_at + 1).filter_map(|l| split_line(l)) {
        if name == HIDDEN_KEY {
            hidden.extend(
                value
                    .split(',')
                    .filter_map(|n| n.trim().parse::<usize>().ok()),
            );
        } else {
            content.custom.push(CustomField {
                name,
                value: SecretText::new(value.as_str()),
                hidden: false,
            });
        }
    }
    for (i, field) in content.custom.iter_mut().enumerate() {
        field.hidden = hidden.contains(&(i + 1));
    }
    Some(OwnFields { kind, content })
}

/// A template field, or an item of a list field (`cards.2.cvc`).
fn set_template_field(content: &mut SecretContent, kind: BoxKind, key: &str, value: &str) {
    let list_item = key.split_once('.').and_then(|(list, rest)| {
        let (number, sub) = rest.split_once('.')?;
        let number = number.parse::<usize>().ok().filter(|n| *n >= 1)?;
        let spec = kind.lists().iter().find(|l| l.key == list)?;
        Some((spec.key, number, sub))
    });
    let Some((list, number, sub)) = list_item else {
        content.set(key, value);
        return;
    };
    let items = content.lists.entry(field_key(list)).or_default();
    if items.len() < number {
        items.resize_with(number, Default::default);
    }
    if let Some(item) = items.get_mut(number - 1) {
        item.entry(field_key(sub)).or_default().set(value);
    }
}

/// Splits a `name: value` line, decoding JSON-quoted parts.
fn split_line(line: &str) -> Option<(String, Zeroizing<String>)> {
    let (name, rest) = if line.starts_with('"') {
        let mut stream = serde_json::Deserializer::from_str(line).into_iter::<String>();
        let name = stream.next()?.ok()?;
        let rest = line.get(stream.byte_offset()..)?.strip_prefix(": ")?;
        (name, rest)
    } else {
        let (name, rest) = line.split_once(": ")?;
        (name.to_owned(), rest)
    };
    let value = if rest.starts_with('"') {
        serde_json::from_str::<String>(rest).unwrap_or_else(|_| rest.to_owned())
    } else {
        rest.to_owned()
    };
    Some((name, Zeroizing::new(value)))
}

/// Writes a fields cell for our own export: the template fields not in
/// `skip`, the list items, the type line, then the custom fields.
pub fn encode(kind: BoxKind, content: &SecretContent, skip: &[&str]) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::new());
    for (key, value) in &content.fields {
        if !value.is_empty() && !skip.contains(&key.as_ref()) {
            push_line(&mut out, key, value.as_str());
        }
    }
    for (list, items) in &content.lists {
        for (number, item) in items.iter().enumerate() {
            for (sub, value) in item.iter().filter(|(_, v)| !v.is_empty()) {
                let key = format!("{list}.{}.{sub}", number + 1);
                push_line(&mut out, &key, value.as_str());
            }
        }
    }
    push_line(&mut out, TYPE_KEY, kind.key());
    for field in &content.custom {
        push_line(&mut out, &field.name, field.value.as_str());
    }
    let hidden: Vec<String> = (1..)
        .zip(&content.custom)
        .filter(|(_, f)| f.hidden)
        .map(|(n, _)| n.to_string())
        .collect();
    if !hidden.is_empty() {
        push_line(&mut out, HIDDEN_KEY, &hidden.join(","));
    }
    out
}

fn push_line(out: &mut String, name: &str, value: &str) {
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(&quote_if_needed(name, name.contains(':')));
    out.push_str(": ");
    out.push_str(&quote_if_needed(value, false));
}

fn quote_if_needed(text: &str, must: bool) -> Zeroizing<String> {
    let needs = must || text.starts_with('"') || text.contains(['\n', '\r']);
    if needs {
        Zeroizing::new(serde_json::to_string(text).unwrap_or_default())
    } else {
        Zeroizing::new(text.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn awkward_names_and_values_survive_the_line_format() {
        let mut content = SecretContent::default();
        content.set("seed", "line one\nline two");
        content.set("name", "\"quoted\" start");
        content.custom.push(CustomField {
            name: "a: b".into(),
            value: SecretText::new("x\r\ny"),
            hidden: true,
        });
        content.custom.push(CustomField {
            name: String::new(),
            value: SecretText::new(""),
            hidden: false,
        });
        let cell = encode(BoxKind::CryptoWallets, &content, &[]);
        let back = own_fields(&cell).expect("our own cell");
        assert_eq!(back.kind, BoxKind::CryptoWallets);
        assert_eq!(back.content, content);
    }

    #[test]
    fn a_bitwarden_cell_without_a_type_line_is_not_ours() {
        assert!(own_fields("pin: 462916\r\noldpin: 489019").is_none());
        let fields = custom_fields("pin: 462916\r\noldpin: 489019");
        assert_eq!(fields.len(), 2);
        assert_eq!(fields[1].value.as_str(), "489019");
        assert!(fields[1].hidden);
    }
}
