//! The wallet toolkit: BIP39 seed phrases, BIP32 account keys, receive
//! addresses, output descriptors and payment URIs. Nothing here touches
//! files, the network or egui, and nothing derived is ever stored: the vault
//! keeps the seed phrase and passphrase, and everything else is computed
//! from them when a secret is opened.
//!
//! # The API, from seed phrase to address
//!
//! - [`mnemonic`]: [`mnemonic::generate`] a new [`SeedPhrase`] of 12 or 24
//!   words from the operating system's random source; [`mnemonic::check`] a
//!   typed phrase, which names the exact [`MnemonicProblem`] (an unknown word
//!   at a position with the nearest valid words, a wrong word count, a bad
//!   checksum); [`mnemonic::completions`], [`mnemonic::suggestions`] and
//!   [`mnemonic::is_word`] for live hints while typing.
//! - [`Seed::from_phrase`] runs the BIP39 key stretching (PBKDF2, 2048
//!   rounds: a few milliseconds) with the optional passphrase.
//! - [`Account::derive`] takes a seed, a [`Coin`], a [`Purpose`] and an
//!   account index and gives the master fingerprint, the derivation path, the
//!   account's extended public key in standard and SLIP-132 form
//!   (xpub/ypub/zpub, tpub/upub/vpub), the receive and change output
//!   descriptors with checksums (Bitcoin only), and
//!   [`Account::addresses`]. An `Account` holds public data only.
//! - [`watch_only::parse`] reads an extended public key or a single-key
//!   descriptor and lists its addresses with no seed.
//! - [`bip21::uri`] builds a `bitcoin:` payment URI.
//!
//! Seeds and passphrases live in zeroizing types with a redacting `Debug`;
//! no error message carries a seed word, a passphrase or a key.
//!
//! The elliptic-curve maths, BIP32 and the address encodings come from the
//! `bitcoin` crate (Base58, Bech32/Bech32m, taproot tweaks), descriptor
//! checksums and parsing from `miniscript`, `CashAddr` from `cashaddr` and
//! Keccak-256 from `sha3`. What is written here is the glue: SLIP-132
//! version bytes and the EIP-55 mixed-case checksum.

pub mod account;
pub mod address;
pub mod bip21;
pub mod mnemonic;
pub mod seed;
mod slip132;
pub mod watch_only;

use std::fmt;

pub use account::Account;
pub use address::AddressKind;
pub use mnemonic::{MnemonicProblem, SeedPhrase, WordCount};
pub use seed::Seed;
pub use watch_only::WatchOnly;

/// The highest index a non-hardened or hardened BIP32 step can carry.
pub const MAX_INDEX: u32 = (1 << 31) - 1;

/// The coins whose keys and addresses Qvault derives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Coin {
    Bitcoin,
    BitcoinTestnet,
    BitcoinCash,
    Ethereum,
}

impl Coin {
    pub const ALL: [Coin; 4] = [
        Coin::Bitcoin,
        Coin::BitcoinTestnet,
        Coin::BitcoinCash,
        Coin::Ethereum,
    ];

    /// The short key used on the command line: `btc`, `tbtc`, `bch`, `eth`.
    pub fn key(self) -> &'static str {
        match self {
            Coin::Bitcoin => "btc",
            Coin::BitcoinTestnet => "tbtc",
            Coin::BitcoinCash => "bch",
            Coin::Ethereum => "eth",
        }
    }

    /// The name shown to people.
    pub fn name(self) -> &'static str {
        match self {
            Coin::Bitcoin => "Bitcoin",
            Coin::BitcoinTestnet => "Bitcoin testnet",
            Coin::BitcoinCash => "Bitcoin Cash",
            Coin::Ethereum => "Ethereum",
        }
    }

    /// Reads a coin as people write it in the vault's `coin` field: the key,
    /// the name or a ticker, in any case (`BTC`, `bitcoin cash`, `ETH`, ...).
    pub fn parse(text: &str) -> Option<Coin> {
        let wanted = text.trim().to_lowercase();
        let aliases: [(&str, Coin); 6] = [
            ("bitcoin", Coin::Bitcoin),
            ("testnet", Coin::BitcoinTestnet),
            ("tbtc", Coin::BitcoinTestnet),
            ("bcash", Coin::BitcoinCash),
            ("ether", Coin::Ethereum),
            ("xbt", Coin::Bitcoin),
        ];
        Coin::ALL
            .into_iter()
            .find(|coin| coin.key() == wanted || coin.name().to_lowercase() == wanted)
            .or_else(|| {
                aliases
                    .into_iter()
                    .find(|(alias, _)| *alias == wanted)
                    .map(|(_, coin)| coin)
            })
    }

    /// The SLIP-44 coin type, the second (hardened) step of every path.
    pub fn coin_type(self) -> u32 {
        match self {
            Coin::Bitcoin => 0,
            Coin::BitcoinTestnet => 1,
            Coin::BitcoinCash => 145,
            Coin::Ethereum => 60,
        }
    }

    /// The purposes that make sense for this coin; the first is the default.
    /// Bitcoin Cash and Ethereum have no segwit or taproot, so only BIP44.
    pub fn purposes(self) -> &'static [Purpose] {
        match self {
            Coin::Bitcoin | Coin::BitcoinTestnet => &[
                Purpose::Bip84,
                Purpose::Bip86,
                Purpose::Bip49,
                Purpose::Bip44,
            ],
            Coin::BitcoinCash | Coin::Ethereum => &[Purpose::Bip44],
        }
    }

    /// BIP84 (native segwit) for Bitcoin, BIP44 for the others.
    pub fn default_purpose(self) -> Purpose {
        match self {
            Coin::Bitcoin | Coin::BitcoinTestnet => Purpose::Bip84,
            Coin::BitcoinCash | Coin::Ethereum => Purpose::Bip44,
        }
    }

    /// Whether extended keys and descriptors use the testnet forms.
    pub fn is_testnet(self) -> bool {
        self == Coin::BitcoinTestnet
    }

    fn network(self) -> bitcoin::Network {
        if self.is_testnet() {
            bitcoin::Network::Testnet
        } else {
            bitcoin::Network::Bitcoin
        }
    }
}

impl fmt::Display for Coin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The BIP43 purpose of an account: which script type its addresses use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// Legacy pay-to-public-key-hash (`1…`); also Bitcoin Cash and Ethereum.
    Bip44,
    /// Segwit nested in P2SH (`3…`).
    Bip49,
    /// Native segwit (`bc1q…`).
    Bip84,
    /// Taproot, key path only (`bc1p…`).
    Bip86,
}

impl Purpose {
    pub const ALL: [Purpose; 4] = [
        Purpose::Bip44,
        Purpose::Bip49,
        Purpose::Bip84,
        Purpose::Bip86,
    ];

    /// The number in the path: 44, 49, 84 or 86.
    pub fn number(self) -> u32 {
        match self {
            Purpose::Bip44 => 44,
            Purpose::Bip49 => 49,
            Purpose::Bip84 => 84,
            Purpose::Bip86 => 86,
        }
    }

    pub fn from_number(number: u32) -> Option<Purpose> {
        Purpose::ALL.into_iter().find(|p| p.number() == number)
    }

    /// A short description for people, e.g. "BIP84 native segwit".
    pub fn name(self) -> &'static str {
        match self {
            Purpose::Bip44 => "BIP44 legacy",
            Purpose::Bip49 => "BIP49 nested SegWit",
            Purpose::Bip84 => "BIP84 native SegWit",
            Purpose::Bip86 => "BIP86 taproot",
        }
    }
}

impl fmt::Display for Purpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a derivation failed. No variant carries a seed, passphrase or key.
#[derive(Debug, thiserror::Error)]
pub enum WalletError {
    #[error("{coin} has no {purpose} accounts; use {}", purposes_list(*.coin))]
    UnsupportedPurpose { coin: Coin, purpose: Purpose },
    #[error("the {what} index must be at most {MAX_INDEX}")]
    IndexTooLarge { what: &'static str },
    #[error("failed to derive the key: {0}")]
    Derivation(#[from] bitcoin::bip32::Error),
    #[error("the operating system's random source failed")]
    Random,
}

fn purposes_list(coin: Coin) -> String {
    let names: Vec<&str> = coin.purposes().iter().map(|p| p.name()).collect();
    names.join(", ")
}

/// The one secp256k1 context the wallet shares; building one is not free.
fn secp() -> &'static bitcoin::secp256k1::Secp256k1<bitcoin::secp256k1::All> {
    static SECP: std::sync::LazyLock<bitcoin::secp256k1::Secp256k1<bitcoin::secp256k1::All>> =
        std::sync::LazyLock::new(bitcoin::secp256k1::Secp256k1::new);
    &SECP
}

/// Checks that `start + count` stays within non-hardened indices and gives
/// the range.
fn index_range(start: u32, count: u32) -> Result<std::ops::Range<u32>, WalletError> {
    let end = start
        .checked_add(count)
        .filter(|end| *end <= MAX_INDEX + 1)
        .ok_or(WalletError::IndexTooLarge { what: "address" })?;
    Ok(start..end)
}
