//! SLIP-132 version bytes: the same 78-byte extended key under another
//! four-byte prefix (ypub, zpub, ...) that tells wallets which script type
//! the account uses. Base58 with its checksum itself comes from the `bitcoin` crate.

use bitcoin::NetworkKind;
use bitcoin::base58;
use bitcoin::bip32::Xpub;

use super::AddressKind;

/// What a version prefix says about an extended key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Version {
    /// A single-key public version: network and the script it implies.
    Public {
        prefix: &'static str,
        network: NetworkKind,
        kind: AddressKind,
    },
    /// A private key; never to be read as a watch-only key.
    Private { prefix: &'static str },
    /// A multisig public key (Ypub, Zpub, Upub, Vpub).
    Multisig,
}

const VERSIONS: [([u8; 4], Version); 20] = [
    (
        [0x04, 0x88, 0xb2, 0x1e],
        public("xpub", NetworkKind::Main, AddressKind::P2pkh),
    ),
    (
        [0x04, 0x9d, 0x7c, 0xb2],
        public("ypub", NetworkKind::Main, AddressKind::P2shP2wpkh),
    ),
    (
        [0x04, 0xb2, 0x47, 0x46],
        public("zpub", NetworkKind::Main, AddressKind::P2wpkh),
    ),
    (
        [0x04, 0x35, 0x87, 0xcf],
        public("tpub", NetworkKind::Test, AddressKind::P2pkh),
    ),
    (
        [0x04, 0x4a, 0x52, 0x62],
        public("upub", NetworkKind::Test, AddressKind::P2shP2wpkh),
    ),
    (
        [0x04, 0x5f, 0x1c, 0xf6],
        public("vpub", NetworkKind::Test, AddressKind::P2wpkh),
    ),
    (
        [0x04, 0x88, 0xad, 0xe4],
        Version::Private { prefix: "xprv" },
    ),
    (
        [0x04, 0x9d, 0x78, 0x78],
        Version::Private { prefix: "yprv" },
    ),
    (
        [0x04, 0xb2, 0x43, 0x0c],
        Version::Private { prefix: "zprv" },
    ),
    (
        [0x04, 0x35, 0x83, 0x94],
        Version::Private { prefix: "tprv" },
    ),
    (
        [0x04, 0x4a, 0x4e, 0x28],
        Version::Private { prefix: "uprv" },
    ),
    (
        [0x04, 0x5f, 0x18, 0xbc],
        Version::Private { prefix: "vprv" },
    ),
    ([0x02, 0x95, 0xb4, 0x3f], Version::Multisig),
    ([0x02, 0xaa, 0x7e, 0xd3], Version::Multisig),
    ([0x02, 0x42, 0x89, 0xef], Version::Multisig),
    ([0x02, 0x57, 0x54, 0x83], Version::Multisig),
    (
        [0x02, 0x95, 0xb0, 0x05],
        Version::Private { prefix: "Yprv" },
    ),
    (
        [0x02, 0xaa, 0x7a, 0x99],
        Version::Private { prefix: "Zprv" },
    ),
    (
        [0x02, 0x42, 0x85, 0xb5],
        Version::Private { prefix: "Uprv" },
    ),
    (
        [0x02, 0x57, 0x50, 0x48],
        Version::Private { prefix: "Vprv" },
    ),
];

const fn public(prefix: &'static str, network: NetworkKind, kind: AddressKind) -> Version {
    Version::Public {
        prefix,
        network,
        kind,
    }
}

/// The version of a 78-byte extended key, if it is a known one.
pub(crate) fn version_of(bytes: &[u8]) -> Option<Version> {
    let head = bytes.get(..4)?;
    VERSIONS
        .iter()
        .find(|(version, _)| version.as_slice() == head)
        .map(|(_, meaning)| *meaning)
}

/// The standard (xpub or tpub) version for a network.
pub(crate) fn standard_version(network: NetworkKind) -> [u8; 4] {
    version_for(network, AddressKind::P2pkh)
}

/// `xpub` in the SLIP-132 form for `kind`: ypub/upub for nested segwit,
/// zpub/vpub for native segwit, the standard xpub/tpub otherwise (taproot
/// has no SLIP-132 prefix of its own).
pub(crate) fn encode(xpub: &Xpub, kind: AddressKind) -> String {
    let mut bytes = xpub.encode();
    bytes[..4].copy_from_slice(&version_for(xpub.network, kind));
    base58::encode_check(&bytes)
}

fn version_for(network: NetworkKind, kind: AddressKind) -> [u8; 4] {
    let wanted_kind = match kind {
        AddressKind::P2shP2wpkh | AddressKind::P2wpkh => kind,
        _ => AddressKind::P2pkh,
    };
    VERSIONS
        .iter()
        .find_map(|(version, meaning)| match meaning {
            Version::Public {
                network: n,
                kind: k,
                ..
            } if *n == network && *k == wanted_kind => Some(*version),
            _ => None,
        })
        .expect("the table has a public version for every network and script")
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use bitcoin::bip32::Xpriv;

    use super::*;

    /// The root key of the first BIP32 test vector.
    const XPRV: &str = "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi";

    /// Every version in the table encodes to the prefix it is named by, so
    /// a mistyped byte cannot hide.
    #[test]
    fn every_version_spells_its_prefix() {
        let private = Xpriv::from_str(XPRV).expect("xprv");
        let public = Xpub::from_priv(&bitcoin::secp256k1::Secp256k1::new(), &private);
        for (version, meaning) in VERSIONS {
            let (mut bytes, prefix) = match meaning {
                Version::Public { prefix, .. } => (public.encode(), prefix),
                Version::Private { prefix } => (private.encode(), prefix),
                Version::Multisig => continue,
            };
            bytes[..4].copy_from_slice(&version);
            let encoded = base58::encode_check(&bytes);
            assert!(encoded.starts_with(prefix), "{prefix}: {encoded}");
            assert_eq!(version_of(&bytes), Some(meaning));
        }
    }
}
