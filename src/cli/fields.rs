//! `add`'s `--field KEY=VALUE` arguments: template keys fill the secret's
//! fields, `LIST.KEY` fills list items (a repeated key starts a new item),
//! any other key becomes a custom field. Error messages name keys, never
//! values.

use super::CliError;
use crate::vault::{
    BoxKind, CustomField, ListItem, ListSpec, SecretContent, SecretText, field_key,
};

/// Splits each argument at its first `=`; the value keeps any later `=`.
pub fn parse_args(args: &[String]) -> Result<Vec<(&str, &str)>, CliError> {
    if args.is_empty() {
        return Err(CliError::NoFields);
    }
    args.iter().map(|arg| split_arg(arg)).collect()
}

fn split_arg(arg: &str) -> Result<(&str, &str), CliError> {
    let Some((key, value)) = arg.split_once('=') else {
        return Err(CliError::BadField(
            "a --field argument has no '='; write it as KEY=VALUE".into(),
        ));
    };
    let key = key.trim();
    if key.is_empty() {
        return Err(CliError::BadField(
            "a --field argument has an empty key; write it as KEY=VALUE".into(),
        ));
    }
    Ok((key, value))
}

/// The content of a new secret of `kind` made from parsed `pairs`.
pub fn content(kind: BoxKind, pairs: &[(&str, &str)]) -> Result<SecretContent, CliError> {
    let mut content = SecretContent::default();
    for &(key, value) in pairs {
        place(kind, &mut content, key, value)?;
    }
    Ok(content)
}

fn place(
    kind: BoxKind,
    content: &mut SecretContent,
    key: &str,
    value: &str,
) -> Result<(), CliError> {
    if let Some((list_key, sub_key)) = key.split_once('.')
        && let Some(list) = kind.lists().iter().find(|list| list.key == list_key)
    {
        return add_to_list(list, content, sub_key, value);
    }
    if kind.field(key).is_some() {
        if content.fields.contains_key(key) {
            return Err(given_twice(key));
        }
        content.set(key, value);
        return Ok(());
    }
    if content.custom.iter().any(|field| field.name == key) {
        return Err(given_twice(key));
    }
    let value = SecretText::from(value);
    content.custom.push(CustomField {
        name: key.to_owned(),
        value,
        hidden: false,
    });
    Ok(())
}

fn add_to_list(
    list: &ListSpec,
    content: &mut SecretContent,
    sub_key: &str,
    value: &str,
) -> Result<(), CliError> {
    if !list.fields.iter().any(|field| field.key == sub_key) {
        let known: Vec<&str> = list.fields.iter().map(|field| field.key).collect();
        return Err(CliError::BadField(format!(
            "{} have no field \"{sub_key}\"; use one of: {}",
            list.key,
            known.join(", ")
        )));
    }
    let items = content.lists.entry(field_key(list.key)).or_default();
    match items.last_mut() {
        Some(item) if !item.contains_key(sub_key) => {
            item.insert(field_key(sub_key), SecretText::from(value));
        }
        _ => items.push(ListItem::from([(
            field_key(sub_key),
            SecretText::from(value),
        )])),
    }
    Ok(())
}

fn given_twice(key: &str) -> CliError {
    CliError::BadField(format!("the field \"{key}\" is given twice"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(ToString::to_string).collect()
    }

    fn build(kind: BoxKind, list: &[&str]) -> Result<SecretContent, CliError> {
        let args = args(list);
        content(kind, &parse_args(&args)?)
    }

    #[test]
    fn values_keep_equals_signs_commas_and_quotes() {
        let fields = ["issuer=example.org", r#"password=a=b, "c""#, "note = x=y"];
        let content = build(BoxKind::Passwords, &fields).expect("content");
        assert_eq!(content.get("issuer"), "example.org");
        assert_eq!(content.get("password"), r#"a=b, "c""#);
        assert_eq!(content.custom[0].name, "note");
        assert_eq!(content.custom[0].value.as_str(), " x=y");
        assert!(!content.custom[0].hidden);
    }

    #[test]
    fn malformed_arguments_are_refused_without_echoing_the_value() {
        for bad in ["hunter2", "=hunter2", " =hunter2"] {
            let err = parse_args(&args(&[bad])).expect_err("refused");
            assert!(!err.to_string().contains("hunter2"), "{err}");
        }
        assert!(matches!(parse_args(&[]), Err(CliError::NoFields)));
    }

    #[test]
    fn a_key_given_twice_is_refused() {
        assert!(build(BoxKind::Passwords, &["pin=1", "pin=2"]).is_err());
        assert!(build(BoxKind::Passwords, &["x=1", "x=2"]).is_err());
    }

    #[test]
    fn list_keys_fill_items_and_a_repeated_key_starts_the_next_item() {
        let fields = [
            "name=Bank",
            "cards.number=4111",
            "cards.cvc=123",
            "cards.number=5500",
            "accounts.number=DE00",
        ];
        let content = build(BoxKind::Financial, &fields).expect("content");
        let cards = &content.lists["cards"];
        assert_eq!(cards.len(), 2);
        assert_eq!(cards[0]["number"].as_str(), "4111");
        assert_eq!(cards[0]["cvc"].as_str(), "123");
        assert_eq!(cards[1]["number"].as_str(), "5500");
        assert_eq!(content.lists["accounts"][0]["number"].as_str(), "DE00");
        assert!(content.custom.is_empty());
    }

    #[test]
    fn an_unknown_list_sub_key_is_refused_and_other_dotted_keys_are_custom() {
        assert!(build(BoxKind::Financial, &["cards.colour=red"]).is_err());
        let content = build(BoxKind::Passwords, &["cards.number=4111"]).expect("content");
        assert_eq!(content.custom[0].name, "cards.number");
    }
}
