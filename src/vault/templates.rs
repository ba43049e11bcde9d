//! The box templates of DESIGN.md: which fields a secret of each type has,
//! which are hidden, which name the secret and which offer "show as QR".

use serde::{Deserialize, Serialize};

/// The type of a box, fixing the template of its secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BoxKind {
    Passwords,
    CryptoWallets,
    CryptoBackups,
    Financial,
    Identification,
    Server,
    Notes,
    Custom,
}

/// One field of a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    pub key: &'static str,
    pub label: &'static str,
    pub hidden: bool,
    pub multiline: bool,
    /// Offers the password generator beside the field.
    pub generator: bool,
}

/// A list field: a repeated group of sub-fields (cards, loans, accounts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListSpec {
    pub key: &'static str,
    pub label: &'static str,
    pub item_label: &'static str,
    pub fields: &'static [FieldSpec],
}

const fn plain(key: &'static str, label: &'static str) -> FieldSpec {
    FieldSpec {
        key,
        label,
        hidden: false,
        multiline: false,
        generator: false,
    }
}

const fn hidden(key: &'static str, label: &'static str) -> FieldSpec {
    FieldSpec {
        key,
        label,
        hidden: true,
        multiline: false,
        generator: false,
    }
}

const fn password(key: &'static str, label: &'static str) -> FieldSpec {
    FieldSpec {
        key,
        label,
        hidden: true,
        multiline: false,
        generator: true,
    }
}

const fn multiline(key: &'static str, label: &'static str, hidden: bool) -> FieldSpec {
    FieldSpec {
        key,
        label,
        hidden,
        multiline: true,
        generator: false,
    }
}

const NOTES: FieldSpec = multiline("notes", "Notes", false);

const PASSWORDS: &[FieldSpec] = &[
    plain("issuer", "Site or app"),
    plain("username", "Username"),
    password("password", "Password"),
    plain("email", "Email"),
    plain("link", "Link"),
    hidden("totp", "TOTP secret"),
    hidden("pin", "PIN"),
    NOTES,
];
const CRYPTO_WALLETS: &[FieldSpec] = &[
    plain("name", "Name"),
    plain("coin", "Coin"),
    multiline("seed", "Seed words", true),
    hidden("passphrase", "BIP39 passphrase"),
    plain("account", "Account"),
    NOTES,
];
const CRYPTO_BACKUPS: &[FieldSpec] = &[
    plain("name", "Name"),
    plain("ticker", "Ticker"),
    plain("address", "Address"),
    multiline("seed", "Seed or private key", true),
    hidden("pin", "PIN"),
    password("password", "Password"),
    NOTES,
];
const FINANCIAL: &[FieldSpec] = &[
    plain("name", "Name"),
    plain("username", "Username"),
    password("password", "Password"),
    plain("email", "Email"),
    hidden("pin", "PIN"),
    plain("routing_number", "Routing number"),
    NOTES,
];
const CARD: &[FieldSpec] = &[
    plain("number", "Card number"),
    plain("expiry", "Expiry"),
    hidden("cvc", "CVC"),
    plain("notes", "Notes"),
];
const LOAN: &[FieldSpec] = &[
    plain("name", "Name"),
    plain("number", "Loan number"),
    plain("due", "Due"),
    plain("notes", "Notes"),
];
const ACCOUNT: &[FieldSpec] = &[
    plain("name", "Name"),
    hidden("number", "Account number"),
    plain("notes", "Notes"),
];
const FINANCIAL_LISTS: &[ListSpec] = &[
    ListSpec {
        key: "cards",
        label: "Cards",
        item_label: "Card",
        fields: CARD,
    },
    ListSpec {
        key: "loans",
        label: "Loans",
        item_label: "Loan",
        fields: LOAN,
    },
    ListSpec {
        key: "accounts",
        label: "Accounts",
        item_label: "Account",
        fields: ACCOUNT,
    },
];
const IDENTIFICATION: &[FieldSpec] = &[
    plain("type", "Type"),
    hidden("number", "Number"),
    plain("issuer", "Issuer"),
    plain("expires", "Expires"),
    NOTES,
];
const SERVER: &[FieldSpec] = &[
    plain("name", "Name"),
    plain("type", "Type"),
    hidden("connection_string", "Connection string"),
    plain("hostname", "Hostname"),
    plain("port", "Port"),
    plain("username", "Username"),
    password("password", "Password"),
    plain("alias", "Alias"),
    multiline("public_key", "Public key", false),
    multiline("private_key", "Private key", true),
    NOTES,
];
const NOTES_ONLY: &[FieldSpec] = &[plain("name", "Name"), NOTES];
const CUSTOM: &[FieldSpec] = &[plain("name", "Name"), password("secret", "Secret"), NOTES];

impl BoxKind {
    pub const ALL: [Self; 8] = [
        Self::Passwords,
        Self::CryptoWallets,
        Self::CryptoBackups,
        Self::Financial,
        Self::Identification,
        Self::Server,
        Self::Notes,
        Self::Custom,
    ];

    /// The key used in files and on the command line.
    pub fn key(self) -> &'static str {
        match self {
            Self::Passwords => "passwords",
            Self::CryptoWallets => "crypto_wallets",
            Self::CryptoBackups => "crypto_backups",
            Self::Financial => "financial",
            Self::Identification => "identification",
            Self::Server => "server",
            Self::Notes => "notes",
            Self::Custom => "custom",
        }
    }

    /// The name shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Self::Passwords => "Passwords",
            Self::CryptoWallets => "Crypto Wallets",
            Self::CryptoBackups => "Crypto Backups",
            Self::Financial => "Financial Institution",
            Self::Identification => "Identification",
            Self::Server => "Server Connection",
            Self::Notes => "Notes",
            Self::Custom => "Custom",
        }
    }

    /// Reads a type key, also accepting the original Qvault's names.
    pub fn from_key(key: &str) -> Option<Self> {
        let kind = match key {
            "passwords" => Self::Passwords,
            "crypto_wallets" | "cryptoWallets" => Self::CryptoWallets,
            "crypto_backups" | "cryptocurrency" | "cryptoBackups" => Self::CryptoBackups,
            "financial" | "financialInstitution" => Self::Financial,
            "identification" => Self::Identification,
            "server" | "serverConnection" => Self::Server,
            "notes" => Self::Notes,
            "custom" | "other" => Self::Custom,
            _ => return None,
        };
        Some(kind)
    }

    pub fn fields(self) -> &'static [FieldSpec] {
        match self {
            Self::Passwords => PASSWORDS,
            Self::CryptoWallets => CRYPTO_WALLETS,
            Self::CryptoBackups => CRYPTO_BACKUPS,
            Self::Financial => FINANCIAL,
            Self::Identification => IDENTIFICATION,
            Self::Server => SERVER,
            Self::Notes => NOTES_ONLY,
            Self::Custom => CUSTOM,
        }
    }

    pub fn lists(self) -> &'static [ListSpec] {
        match self {
            Self::Financial => FINANCIAL_LISTS,
            _ => &[],
        }
    }

    /// The field whose value names a secret in lists.
    pub fn title_key(self) -> &'static str {
        self.fields()[0].key
    }

    pub fn field(self, key: &str) -> Option<&'static FieldSpec> {
        self.fields().iter().find(|f| f.key == key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_from_its_key() {
        for kind in BoxKind::ALL {
            assert_eq!(BoxKind::from_key(kind.key()), Some(kind));
            let json = serde_json::to_string(&kind).expect("serialise");
            assert_eq!(json, format!("\"{}\"", kind.key()));
        }
        assert_eq!(
            BoxKind::from_key("financialInstitution"),
            Some(BoxKind::Financial)
        );
        assert_eq!(BoxKind::from_key("nope"), None);
    }

    #[test]
    fn secret_material_is_hidden() {
        for (kind, key) in [
            (BoxKind::Passwords, "password"),
            (BoxKind::CryptoWallets, "seed"),
            (BoxKind::CryptoBackups, "seed"),
            (BoxKind::Server, "private_key"),
            (BoxKind::Identification, "number"),
        ] {
            assert!(
                kind.field(key).is_some_and(|f| f.hidden),
                "{key} of {kind:?}"
            );
        }
        assert!(
            BoxKind::Financial.lists()[0]
                .fields
                .iter()
                .any(|f| f.key == "cvc" && f.hidden)
        );
    }
}
