//! Watch-only: receive addresses from public data alone, with no seed.
//!
//! [`parse`] reads either an extended public key (xpub, ypub, zpub and the
//! testnet tpub, upub, vpub) taken to be an account key whose receive
//! addresses sit at `0/i`, or a single-key output descriptor (`pkh`,
//! `sh(wpkh)`, `wpkh` or key-path-only `tr`, with or without a key origin
//! and checksum, ranged with `/*` or `/<0;1>/*` or fixed). A plain xpub
//! says nothing of its script, so it gives legacy addresses (as Electrum
//! and Sparrow assume) until [`WatchOnly::with_address_kind`] says
//! otherwise. A private key is refused, and no error repeats the input.

use std::str::FromStr;

use bitcoin::bip32::{Fingerprint, Xpub};
use bitcoin::{Network, NetworkKind, base58};
use miniscript::descriptor::{DescriptorPublicKey, ShInner, XKeyNetwork};
use miniscript::{Descriptor, ForEachKey};

use super::address::{self, AddressKind};
use super::slip132::{self, Version};
use super::{WalletError, index_range};

/// Why a watch-only text was not read. No variant carries the text.
#[derive(Debug, thiserror::Error)]
pub enum WatchOnlyError {
    #[error("nothing to read; paste an xpub, ypub, zpub, tpub, upub, vpub or a descriptor")]
    Empty,
    #[error(
        "this is a private key ({0}); give the matching public key (xpub, ypub, zpub, ...) \
         instead, and keep the private one secret"
    )]
    PrivateKey(&'static str),
    #[error("this is not an xpub, ypub, zpub, tpub, upub, vpub or a descriptor")]
    NotRecognised,
    #[error("the key's checksum does not match; check it for a typo")]
    KeyChecksum,
    #[error("unknown extended key version; expected xpub, ypub, zpub, tpub, upub or vpub")]
    UnknownVersion,
    #[error("multisig extended keys (Ypub, Zpub, Upub, Vpub) are not supported")]
    Multisig,
    #[error("invalid extended public key: {0}")]
    BadKey(&'static str),
    #[error("invalid extended public key: {0}")]
    Bip32(#[from] bitcoin::bip32::Error),
    #[error("this is not a valid descriptor: {0}")]
    Descriptor(String),
    #[error(
        "only single-key descriptors are supported: pkh(KEY), sh(wpkh(KEY)), wpkh(KEY) \
         or tr(KEY) without scripts"
    )]
    UnsupportedDescriptor,
    #[error("a descriptor fixes its own address type; it cannot be changed")]
    DescriptorFixesKind,
    #[error(transparent)]
    Wallet(#[from] WalletError),
}

/// Public data that addresses can be listed from.
#[derive(Debug, Clone)]
pub struct WatchOnly {
    source: Source,
    kind: AddressKind,
    network: Network,
}

#[derive(Debug, Clone)]
enum Source {
    Key { xpub: Xpub, prefix: &'static str },
    Descriptor(Box<Descriptor<DescriptorPublicKey>>),
}

/// Reads an extended public key or a single-key descriptor.
pub fn parse(text: &str) -> Result<WatchOnly, WatchOnlyError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(WatchOnlyError::Empty);
    }
    if let Some(prefix) = private_key_prefix(text) {
        return Err(WatchOnlyError::PrivateKey(prefix));
    }
    if text.contains('(') {
        parse_descriptor(text)
    } else {
        parse_key(text)
    }
}

impl WatchOnly {
    /// The kind of address listed.
    pub fn address_kind(&self) -> AddressKind {
        self.kind
    }

    /// Whether the addresses are testnet ones.
    pub fn is_testnet(&self) -> bool {
        self.network != Network::Bitcoin
    }

    /// Lists another kind of address from the same extended key, e.g.
    /// taproot from an xpub, or `CashAddr` from a Bitcoin Cash account xpub.
    /// A descriptor keeps its own kind.
    pub fn with_address_kind(mut self, kind: AddressKind) -> Result<WatchOnly, WatchOnlyError> {
        match self.source {
            Source::Key { .. } => {
                self.kind = kind;
                Ok(self)
            }
            Source::Descriptor(_) => Err(WatchOnlyError::DescriptorFixesKind),
        }
    }

    /// What was recognised, for people, e.g. "zpub: native segwit (P2WPKH)
    /// account key on Bitcoin; receive addresses at 0/i".
    pub fn description(&self) -> String {
        let chain = if self.is_testnet() {
            "Bitcoin testnet"
        } else {
            "Bitcoin"
        };
        match &self.source {
            Source::Key { xpub, prefix } => format!(
                "{prefix}: {} key at depth {} on {chain}; receive addresses at 0/i",
                self.kind.name(),
                xpub.depth,
            ),
            Source::Descriptor(descriptor) => {
                let origin = origin_text(descriptor)
                    .map(|origin| format!(", key origin [{origin}]"))
                    .unwrap_or_default();
                let range = if descriptor.has_wildcard() {
                    "ranged"
                } else {
                    "a single address"
                };
                format!(
                    "descriptor: {} on {chain}{origin}, {range}",
                    self.kind.name()
                )
            }
        }
    }

    /// The descriptor with its checksum: the one given (receive branch of
    /// a multipath one), or for an extended key `KIND(xpub/0/*)` with no key
    /// origin. `None` for `CashAddr` and Ethereum.
    pub fn descriptor(&self) -> Option<String> {
        match &self.source {
            Source::Descriptor(descriptor) => Some(descriptor.to_string()),
            Source::Key { xpub, .. } => {
                let (open, close) = match self.kind {
                    AddressKind::P2pkh => ("pkh(", ")"),
                    AddressKind::P2shP2wpkh => ("sh(wpkh(", "))"),
                    AddressKind::P2wpkh => ("wpkh(", ")"),
                    AddressKind::P2tr => ("tr(", ")"),
                    AddressKind::CashAddr | AddressKind::Ethereum => return None,
                };
                Some(super::account::with_checksum(&format!(
                    "{open}{xpub}/0/*{close}"
                )))
            }
        }
    }

    /// The path of receive address `index` below the key: `0/index` for an
    /// extended key, the descriptor's own steps for a descriptor (`*`
    /// replaced by `index`).
    pub fn address_path(&self, index: u32) -> String {
        let Source::Descriptor(descriptor) = &self.source else {
            return format!("0/{index}");
        };
        let mut steps = Vec::new();
        descriptor.for_each_key(|key| {
            if let DescriptorPublicKey::XPub(xkey) = key {
                steps.extend(xkey.derivation_path.into_iter().map(ToString::to_string));
            }
            true
        });
        if descriptor.has_wildcard() {
            steps.push(index.to_string());
        }
        if steps.is_empty() {
            return "-".to_owned();
        }
        steps.join("/")
    }

    /// The receive addresses `start .. start + count`. A descriptor without
    /// a wildcard has one address, listed at index 0.
    pub fn addresses(&self, start: u32, count: u32) -> Result<Vec<String>, WatchOnlyError> {
        let indices = index_range(start, count)?;
        match &self.source {
            Source::Key { xpub, .. } => Ok(address::derive_addresses(
                xpub,
                self.kind,
                self.network,
                0,
                indices,
            )?),
            Source::Descriptor(descriptor) => {
                let indices = if descriptor.has_wildcard() {
                    indices
                } else {
                    0..u32::from(indices.contains(&0))
                };
                indices
                    .map(|index| self.descriptor_address(descriptor, index))
                    .collect()
            }
        }
    }

    fn descriptor_address(
        &self,
        descriptor: &Descriptor<DescriptorPublicKey>,
        index: u32,
    ) -> Result<String, WatchOnlyError> {
        let definite = descriptor
            .at_derivation_index(index)
            .map_err(|err| WatchOnlyError::Descriptor(err.to_string()))?;
        let address = definite
            .address(self.network)
            .map_err(|err| WatchOnlyError::Descriptor(err.to_string()))?;
        Ok(address.to_string())
    }
}

fn parse_key(text: &str) -> Result<WatchOnly, WatchOnlyError> {
    let mut bytes = base58::decode_check(text).map_err(|err| match err {
        base58::Error::IncorrectChecksum(_) => WatchOnlyError::KeyChecksum,
        _ => WatchOnlyError::NotRecognised,
    })?;
    let (prefix, network, kind) = match slip132::version_of(&bytes) {
        Some(Version::Public {
            prefix,
            network,
            kind,
        }) => (prefix, network, kind),
        Some(Version::Private { prefix }) => return Err(WatchOnlyError::PrivateKey(prefix)),
        Some(Version::Multisig) => return Err(WatchOnlyError::Multisig),
        None => return Err(WatchOnlyError::UnknownVersion),
    };
    if let Some(version) = bytes.get_mut(..4) {
        version.copy_from_slice(&slip132::standard_version(network));
    }
    let xpub = Xpub::decode(&bytes)?;
    check_master_fields(&xpub)?;
    Ok(WatchOnly {
        source: Source::Key { xpub, prefix },
        kind,
        network: network_of(network),
    })
}

/// BIP32: a depth-0 key has no parent, so its parent fingerprint and child
/// number must be zero.
fn check_master_fields(xpub: &Xpub) -> Result<(), WatchOnlyError> {
    if xpub.depth != 0 {
        return Ok(());
    }
    if xpub.parent_fingerprint != Fingerprint::default() {
        return Err(WatchOnlyError::BadKey(
            "a master key (depth 0) with a parent fingerprint",
        ));
    }
    if u32::from(xpub.child_number) != 0 {
        return Err(WatchOnlyError::BadKey(
            "a master key (depth 0) with a child number",
        ));
    }
    Ok(())
}

fn parse_descriptor(text: &str) -> Result<WatchOnly, WatchOnlyError> {
    let descriptor = Descriptor::<DescriptorPublicKey>::from_str(text)
        .map_err(|err| WatchOnlyError::Descriptor(err.to_string()))?;
    let kind = single_key_kind(&descriptor).ok_or(WatchOnlyError::UnsupportedDescriptor)?;
    let network = match descriptor.xkey_network() {
        XKeyNetwork::Single(NetworkKind::Test) => Network::Testnet,
        XKeyNetwork::Single(NetworkKind::Main) | XKeyNetwork::NoXKeys => Network::Bitcoin,
        XKeyNetwork::Mixed => {
            return Err(WatchOnlyError::Descriptor(
                "it mixes mainnet and testnet keys".into(),
            ));
        }
    };
    let descriptor = receive_branch(descriptor)?;
    Ok(WatchOnly {
        source: Source::Descriptor(Box::new(descriptor)),
        kind,
        network,
    })
}

/// The first (receive) branch of a multipath descriptor like `/<0;1>/*`.
fn receive_branch(
    descriptor: Descriptor<DescriptorPublicKey>,
) -> Result<Descriptor<DescriptorPublicKey>, WatchOnlyError> {
    if !descriptor.is_multipath() {
        return Ok(descriptor);
    }
    descriptor
        .into_single_descriptors()
        .map_err(|err| WatchOnlyError::Descriptor(err.to_string()))?
        .into_iter()
        .next()
        .ok_or(WatchOnlyError::UnsupportedDescriptor)
}

fn single_key_kind(descriptor: &Descriptor<DescriptorPublicKey>) -> Option<AddressKind> {
    match descriptor {
        Descriptor::Pkh(_) => Some(AddressKind::P2pkh),
        Descriptor::Wpkh(_) => Some(AddressKind::P2wpkh),
        Descriptor::Sh(sh) if matches!(sh.as_inner(), ShInner::Wpkh(_)) => {
            Some(AddressKind::P2shP2wpkh)
        }
        Descriptor::Tr(tr) if tr.tap_tree().is_none() => Some(AddressKind::P2tr),
        _ => None,
    }
}

/// `fingerprint/path` of the descriptor's key origin, if it has one.
fn origin_text(descriptor: &Descriptor<DescriptorPublicKey>) -> Option<String> {
    let mut origin = None;
    descriptor.for_each_key(|key| {
        let found = match key {
            DescriptorPublicKey::XPub(xkey) => xkey.origin.as_ref(),
            DescriptorPublicKey::MultiXPub(xkey) => xkey.origin.as_ref(),
            DescriptorPublicKey::Single(single) => single.origin.as_ref(),
        };
        origin = found.map(|(fingerprint, path)| format!("{fingerprint}/{path}"));
        true
    });
    origin
}

/// Finds a private extended key anywhere in the text (alone or inside a
/// descriptor), by its Base58 prefix.
fn private_key_prefix(text: &str) -> Option<&'static str> {
    const PRIVATE: [&str; 10] = [
        "xprv", "yprv", "zprv", "tprv", "uprv", "vprv", "Yprv", "Zprv", "Uprv", "Vprv",
    ];
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|token| token.len() > 100)
        .find_map(|token| PRIVATE.into_iter().find(|p| token.starts_with(p)))
}

fn network_of(kind: NetworkKind) -> Network {
    match kind {
        NetworkKind::Main => Network::Bitcoin,
        NetworkKind::Test => Network::Testnet,
    }
}
