//! Search as you type. The index keeps one lower-cased haystack per secret
//! built from its box name and visible fields only: hidden fields are never
//! searched. It is rebuilt when the vault changes, not per keystroke.

use uuid::Uuid;
use zeroize::Zeroizing;

use super::{BoxKind, Vault};

/// A hit: the box and the secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub box_id: Uuid,
    pub secret_id: Uuid,
}

struct Entry {
    hit: Hit,
    haystack: Zeroizing<String>,
}

/// Lower-cased visible text of every secret.
#[derive(Default)]
pub struct SearchIndex {
    entries: Vec<Entry>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SearchIndex({} entries)", self.entries.len())
    }
}

fn is_visible(kind: BoxKind, key: &str) -> bool {
    kind.field(key).is_some_and(|f| !f.hidden)
}

impl SearchIndex {
    pub fn build(vault: &Vault) -> Self {
        let mut entries = Vec::with_capacity(vault.secret_count());
        for vault_box in &vault.boxes {
            let box_name = vault_box.name.to_lowercase();
            for secret in &vault_box.secrets {
                let mut haystack = Zeroizing::new(String::with_capacity(128));
                haystack.push_str(&box_name);
                let visible = secret
                    .content
                    .fields
                    .iter()
                    .filter(|(key, _)| is_visible(vault_box.kind, key))
                    .map(|(_, value)| value.as_str());
                let custom = secret
                    .content
                    .custom
                    .iter()
                    .filter(|c| !c.hidden)
                    .flat_map(|c| [c.name.as_str(), c.value.as_str()]);
                for text in visible.chain(custom) {
                    haystack.push('\n');
                    haystack.push_str(&text.to_lowercase());
                }
                let hit = Hit {
                    box_id: vault_box.id,
                    secret_id: secret.id,
                };
                entries.push(Entry { hit, haystack });
            }
        }
        Self { entries }
    }

    /// Secrets whose visible text contains every word of the query.
    pub fn search(&self, query: &str) -> Vec<Hit> {
        let lowered = query.to_lowercase();
        let words: Vec<&str> = lowered.split_whitespace().collect();
        self.entries
            .iter()
            .filter(|e| words.iter().all(|w| e.haystack.contains(w)))
            .map(|e| e.hit)
            .collect()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::super::SecretContent;
    use super::*;

    #[test]
    fn search_finds_visible_fields_but_never_hidden_ones() {
        let mut vault = Vault::new();
        let b = vault.add_box("Work", BoxKind::Passwords).expect("box");
        let mut c = SecretContent::default();
        c.set("issuer", "GitHub");
        c.set("username", "octocat");
        c.set("password", "SuperSecretToken");
        c.set("notes", "Company account");
        let s = vault.add_secret(b, c).expect("secret");
        let index = SearchIndex::build(&vault);
        let hit = vec![Hit {
            box_id: b,
            secret_id: s,
        }];
        assert_eq!(index.search("github"), hit);
        assert_eq!(index.search("OCTO company"), hit);
        assert_eq!(index.search("work"), hit);
        assert!(index.search("supersecret").is_empty());
        assert!(index.search("github nothere").is_empty());
    }
}
