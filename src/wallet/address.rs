//! Addresses from public keys: the Bitcoin script types (through the
//! `bitcoin` crate), Bitcoin Cash `CashAddr` (through `cashaddr`) and
//! Ethereum with its EIP-55 mixed-case checksum (Keccak-256 from `sha3`).

use std::fmt::Write as _;

use std::ops::Range;

use bitcoin::bip32::{ChildNumber, Xpub};
use bitcoin::secp256k1::PublicKey;
use bitcoin::{Address, CompressedPublicKey, Network};
use cashaddr::CashEnc;
use sha3::{Digest, Keccak256};

use super::{Coin, Purpose, WalletError, secp};

/// The kind of address a public key is turned into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressKind {
    /// Legacy pay-to-public-key-hash: `1…`, testnet `m…`/`n…`.
    P2pkh,
    /// Segwit nested in pay-to-script-hash: `3…`, testnet `2…`.
    P2shP2wpkh,
    /// Native segwit v0: `bc1q…`, testnet `tb1q…`.
    P2wpkh,
    /// Taproot key path (BIP86 tweak): `bc1p…`, testnet `tb1p…`.
    P2tr,
    /// Bitcoin Cash pay-to-public-key-hash in `CashAddr`: `bitcoincash:q…`.
    CashAddr,
    /// Ethereum: `0x…` with the EIP-55 checksum.
    Ethereum,
}

impl AddressKind {
    pub const ALL: [AddressKind; 6] = [
        AddressKind::P2pkh,
        AddressKind::P2shP2wpkh,
        AddressKind::P2wpkh,
        AddressKind::P2tr,
        AddressKind::CashAddr,
        AddressKind::Ethereum,
    ];

    /// The addresses an account of `purpose` on `coin` uses.
    pub fn for_account(coin: Coin, purpose: Purpose) -> Result<AddressKind, WalletError> {
        match (coin, purpose) {
            (Coin::Bitcoin | Coin::BitcoinTestnet, Purpose::Bip44) => Ok(AddressKind::P2pkh),
            (Coin::Bitcoin | Coin::BitcoinTestnet, Purpose::Bip49) => Ok(AddressKind::P2shP2wpkh),
            (Coin::Bitcoin | Coin::BitcoinTestnet, Purpose::Bip84) => Ok(AddressKind::P2wpkh),
            (Coin::Bitcoin | Coin::BitcoinTestnet, Purpose::Bip86) => Ok(AddressKind::P2tr),
            (Coin::BitcoinCash, Purpose::Bip44) => Ok(AddressKind::CashAddr),
            (Coin::Ethereum, Purpose::Bip44) => Ok(AddressKind::Ethereum),
            _ => Err(WalletError::UnsupportedPurpose { coin, purpose }),
        }
    }

    /// The key used on the command line: `p2pkh`, `p2sh-p2wpkh`, `p2wpkh`,
    /// `p2tr`, `cashaddr`, `eth`.
    pub fn key(self) -> &'static str {
        match self {
            AddressKind::P2pkh => "p2pkh",
            AddressKind::P2shP2wpkh => "p2sh-p2wpkh",
            AddressKind::P2wpkh => "p2wpkh",
            AddressKind::P2tr => "p2tr",
            AddressKind::CashAddr => "cashaddr",
            AddressKind::Ethereum => "eth",
        }
    }

    pub fn from_key(key: &str) -> Option<AddressKind> {
        AddressKind::ALL.into_iter().find(|kind| kind.key() == key)
    }

    /// A description for people.
    pub fn name(self) -> &'static str {
        match self {
            AddressKind::P2pkh => "legacy (P2PKH)",
            AddressKind::P2shP2wpkh => "nested SegWit (P2SH-P2WPKH)",
            AddressKind::P2wpkh => "native SegWit (P2WPKH)",
            AddressKind::P2tr => "taproot (P2TR)",
            AddressKind::CashAddr => "Bitcoin Cash (CashAddr)",
            AddressKind::Ethereum => "Ethereum (EIP-55)",
        }
    }
}

/// The addresses at `chain/i` below an extended public key, for every `i`
/// in `indices` (chain 0 receives, chain 1 is change).
pub(crate) fn derive_addresses(
    xpub: &Xpub,
    kind: AddressKind,
    network: Network,
    chain: u32,
    indices: Range<u32>,
) -> Result<Vec<String>, WalletError> {
    let chain_key = xpub.ckd_pub(secp(), ChildNumber::from_normal_idx(chain)?)?;
    indices
        .map(|index| {
            let child = chain_key.ckd_pub(secp(), ChildNumber::from_normal_idx(index)?)?;
            Ok(encode(kind, network, &child.public_key))
        })
        .collect()
}

/// The address of `kind` for one public key. `network` picks mainnet or
/// testnet forms; Ethereum ignores it.
pub(crate) fn encode(kind: AddressKind, network: Network, key: &PublicKey) -> String {
    let compressed = CompressedPublicKey(*key);
    match kind {
        AddressKind::P2pkh => Address::p2pkh(compressed, network).to_string(),
        AddressKind::P2shP2wpkh => Address::p2shwpkh(&compressed, network).to_string(),
        AddressKind::P2wpkh => Address::p2wpkh(&compressed, network).to_string(),
        AddressKind::P2tr => {
            let (internal_key, _parity) = key.x_only_public_key();
            Address::p2tr(secp(), internal_key, None, network).to_string()
        }
        AddressKind::CashAddr => cash_address(&compressed, network),
        AddressKind::Ethereum => ethereum_address(key),
    }
}

fn cash_address(key: &CompressedPublicKey, network: Network) -> String {
    let prefix = if network == Network::Bitcoin {
        "bitcoincash"
    } else {
        "bchtest"
    };
    let hash = key.pubkey_hash();
    let bytes: &[u8] = hash.as_ref();
    bytes
        .encode_p2pkh(prefix)
        .expect("a 20-byte key hash is a valid CashAddr payload")
}

/// The Ethereum address of a public key: the last 20 bytes of the
/// Keccak-256 of the uncompressed key, written with the EIP-55 checksum.
pub fn ethereum_address(key: &PublicKey) -> String {
    let uncompressed = key.serialize_uncompressed();
    let digest = Keccak256::digest(&uncompressed[1..]);
    let mut lower = String::with_capacity(40);
    for byte in &digest[12..] {
        write!(lower, "{byte:02x}").expect("writing to a String never fails");
    }
    eip55(&lower)
}

/// EIP-55: a hex digit is upper case where the matching nibble of the
/// Keccak-256 of the lower-case hex address is 8 or more.
fn eip55(lower_hex: &str) -> String {
    let hash = Keccak256::digest(lower_hex.as_bytes());
    let mut out = String::with_capacity(2 + lower_hex.len());
    out.push_str("0x");
    for (i, c) in lower_hex.chars().enumerate() {
        let byte = hash[i / 2];
        let nibble = if i % 2 == 0 { byte >> 4 } else { byte & 0x0f };
        out.push(if nibble >= 8 {
            c.to_ascii_uppercase()
        } else {
            c
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The examples in the EIP-55 text.
    #[test]
    fn eip55_matches_the_examples_of_the_standard() {
        for expected in [
            "0x52908400098527886E0F7030069857D2E4169EE7",
            "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
            "0xde709f2102306220921060314715629080e2fb77",
            "0x27b1fdb04752bbc536007a920d24acb045561c26",
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
            "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
            "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
        ] {
            let lower = expected[2..].to_ascii_lowercase();
            assert_eq!(eip55(&lower), expected);
        }
    }

    #[test]
    fn every_kind_has_a_distinct_key() {
        for kind in AddressKind::ALL {
            assert_eq!(AddressKind::from_key(kind.key()), Some(kind));
        }
    }
}
