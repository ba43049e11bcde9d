//! Text for `ls` and `show`. Hidden values are masked unless revealed, and
//! the output is built in a [`SecretText`] so that it is wiped afterwards.

use std::collections::BTreeMap;

use crate::vault::{FieldKey, FieldSpec, Secret, SecretText, VaultBox};

/// What a masked value prints as; the same for every length.
pub const MASK: &str = "********";

/// The `ls` listing: each box with its type, then its secrets' names.
pub fn listing<'a>(boxes: impl IntoIterator<Item = &'a VaultBox>) -> SecretText {
    let mut out = SecretText::default();
    for vault_box in boxes {
        push_line(
            &mut out,
            &[&vault_box.name, " (", vault_box.kind.label(), ")"],
        );
        if vault_box.secrets.is_empty() {
            push_line(&mut out, &["  (no secrets)"]);
        }
        for secret in &vault_box.secrets {
            push_line(&mut out, &["  ", secret.title(vault_box.kind)]);
        }
    }
    out
}

/// One secret as `Label: value` lines: the box, the template's fields,
/// list items (cards, loans, accounts), then custom fields.
pub fn secret_details(vault_box: &VaultBox, secret: &Secret, reveal: bool) -> SecretText {
    let kind = vault_box.kind;
    let mut out = SecretText::default();
    push_line(
        &mut out,
        &["Box: ", &vault_box.name, " (", kind.label(), ")"],
    );
    for field in in_template_order(kind.fields(), &secret.content.fields) {
        push_field(&mut out, "", &field, reveal);
    }
    for (list_key, items) in &secret.content.lists {
        let spec = kind
            .lists()
            .iter()
            .find(|list| list.key == list_key.as_ref());
        let item_label = spec.map_or(list_key.as_ref(), |list| list.item_label);
        let fields = spec.map_or(&[][..], |list| list.fields);
        for (number, item) in items.iter().enumerate() {
            push_line(&mut out, &[item_label, " ", &(number + 1).to_string(), ":"]);
            for field in in_template_order(fields, item) {
                push_field(&mut out, "  ", &field, reveal);
            }
        }
    }
    for custom in &secret.content.custom {
        let field = Shown {
            label: &custom.name,
            value: custom.value.as_str(),
            hidden: custom.hidden,
        };
        push_field(&mut out, "", &field, reveal);
    }
    out
}

/// A field about to be printed.
struct Shown<'a> {
    label: &'a str,
    value: &'a str,
    hidden: bool,
}

/// The non-empty values in the template's order, then any keys the template
/// does not know (say, from an import), which are masked to be safe.
fn in_template_order<'a>(
    specs: &'static [FieldSpec],
    values: &'a BTreeMap<FieldKey, SecretText>,
) -> impl Iterator<Item = Shown<'a>> {
    let known = specs.iter().filter_map(|spec| {
        let value = values.get(spec.key)?.as_str();
        Some(Shown {
            label: spec.label,
            value,
            hidden: spec.hidden,
        })
    });
    let unknown = values
        .iter()
        .filter(|(key, _)| !specs.iter().any(|spec| spec.key == key.as_ref()))
        .map(|(key, value)| Shown {
            label: key,
            value: value.as_str(),
            hidden: true,
        });
    known.chain(unknown).filter(|field| !field.value.is_empty())
}

/// `Label: value`, with the lines of a multi-line value indented below.
fn push_field(out: &mut SecretText, indent: &str, field: &Shown<'_>, reveal: bool) {
    let value = if field.hidden && !reveal {
        MASK
    } else {
        field.value
    };
    let mut lines = value.lines();
    push_line(
        out,
        &[indent, field.label, ": ", lines.next().unwrap_or_default()],
    );
    for line in lines {
        push_line(out, &[indent, "  ", line]);
    }
}

fn push_line(out: &mut SecretText, parts: &[&str]) {
    for part in parts {
        out.push_str(part);
    }
    out.push_str("\n");
}

/// The health report as text: a heading per kind of finding, then one line
/// per secret (`box / title: why`).
pub fn health_report(report: &crate::vault::health::HealthReport) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let line = |out: &mut String, r: &crate::vault::health::SecretRef, detail: &str| {
        let _ = writeln!(out, "  {} / {}{detail}", r.box_name, r.title);
    };
    let _ = writeln!(out, "Checked {} passwords.", report.checked);
    if report.is_clean() {
        out.push_str("No weak, reused or old passwords, and every login has TOTP.\n");
        return out;
    }
    for (heading, findings) in report.sections() {
        if findings.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{heading} ({}):", findings.len());
        for finding in findings {
            line(&mut out, &finding.secret, &format!(": {}", finding.detail));
        }
    }
    if !report.reused.is_empty() {
        let _ = writeln!(out, "{}:", report.reused_heading());
        for (n, group) in report.reused.iter().enumerate() {
            let _ = writeln!(
                out,
                " group {} ({} secrets share one password):",
                n + 1,
                group.len()
            );
            for reference in group {
                line(&mut out, reference, "");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::{BoxKind, CustomField, ListItem, SecretContent};

    fn login() -> (VaultBox, Secret) {
        let mut content = SecretContent::default();
        content.set("issuer", "example.org");
        content.set("username", "ann");
        content.set("password", "Zq!9 smoke");
        content.set("notes", "first line\nsecond line");
        content.set("legacy", "imported-secret");
        let custom = CustomField {
            name: "api".into(),
            value: "visible-value".into(),
            hidden: false,
        };
        let hidden = CustomField {
            name: "key".into(),
            value: "hidden-value".into(),
            hidden: true,
        };
        content.custom = vec![custom, hidden];
        (
            VaultBox::new("Logins", BoxKind::Passwords),
            Secret::new(content),
        )
    }

    #[test]
    fn hidden_values_are_masked_unless_revealed() {
        let (vault_box, secret) = login();
        let masked = secret_details(&vault_box, &secret, false);
        let masked = masked.as_str();
        assert!(masked.contains("Site or app: example.org\nUsername: ann\nPassword: ********\n"));
        assert!(masked.contains("api: visible-value\nkey: ********\n"));
        assert!(masked.contains("legacy: ********\n"), "{masked}");
        for secret_value in ["Zq!9", "hidden-value", "imported-secret"] {
            assert!(!masked.contains(secret_value), "{secret_value} leaked");
        }

        let revealed = secret_details(&vault_box, &secret, true);
        assert!(revealed.as_str().contains("Password: Zq!9 smoke\n"));
        assert!(revealed.as_str().contains("key: hidden-value\n"));
        assert!(revealed.as_str().contains("legacy: imported-secret\n"));
    }

    #[test]
    fn a_multi_line_value_is_indented_under_its_label() {
        let (vault_box, secret) = login();
        let text = secret_details(&vault_box, &secret, false);
        assert!(text.as_str().contains("Notes: first line\n  second line\n"));
    }

    #[test]
    fn list_items_are_numbered_and_their_hidden_fields_masked() {
        let mut content = SecretContent::default();
        content.set("name", "Bank");
        let card = |number: &str| {
            ListItem::from([
                ("number".into(), SecretText::from(number)),
                ("cvc".into(), SecretText::from("987")),
            ])
        };
        content
            .lists
            .insert("cards".into(), vec![card("4111"), card("5500")]);
        let vault_box = VaultBox::new("Banks", BoxKind::Financial);
        let secret = Secret::new(content);
        let text = secret_details(&vault_box, &secret, false);
        let expected =
            "Card 1:\n  Card number: 4111\n  CVC: ********\nCard 2:\n  Card number: 5500\n";
        assert!(text.as_str().contains(expected), "{}", text.as_str());
        assert!(!text.as_str().contains("987"));
    }

    #[test]
    fn the_listing_shows_names_and_never_hidden_values() {
        let (mut vault_box, secret) = login();
        vault_box.secrets.push(secret);
        let empty = VaultBox::new("Wallets", BoxKind::CryptoWallets);
        let text = listing([&vault_box, &empty]);
        assert_eq!(
            text.as_str(),
            "Logins (Passwords)\n  example.org\nWallets (Crypto Wallets)\n  (no secrets)\n"
        );
    }

    #[test]
    fn no_template_names_its_secrets_by_a_hidden_field() {
        for kind in BoxKind::ALL {
            assert!(
                kind.field(kind.title_key())
                    .is_some_and(|field| !field.hidden),
                "{kind:?}"
            );
        }
    }
}
