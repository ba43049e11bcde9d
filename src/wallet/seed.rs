//! The BIP39 seed: the 64 bytes that PBKDF2 stretches from a seed phrase and
//! its passphrase, and the BIP32 private derivations that start from it.
//! Private extended keys never leave this module; what comes out are
//! extended public keys and addresses.

use std::fmt;
use std::str::FromStr;

use bitcoin::NetworkKind;
use bitcoin::bip32::{ChainCode, ChildNumber, DerivationPath, Fingerprint, Xpriv, Xpub};
use unicode_normalization::UnicodeNormalization;
use zeroize::Zeroizing;

use super::address::{self, AddressKind};
use super::{Coin, Purpose, SeedPhrase, WalletError, secp};

/// A BIP32 seed, wiped from memory when dropped.
#[derive(Clone)]
pub struct Seed(Zeroizing<Vec<u8>>);

impl Seed {
    /// Runs BIP39's PBKDF2 over the phrase and the passphrase (NFKD
    /// normalised, as BIP39 requires; empty for none).
    pub fn from_phrase(phrase: &SeedPhrase, passphrase: &str) -> Self {
        let mut normalized = Zeroizing::new(String::with_capacity(passphrase.len() * 3 + 16));
        normalized.extend(passphrase.nfkd());
        let seed = Zeroizing::new(phrase.mnemonic().to_seed_normalized(&normalized));
        Self(Zeroizing::new(seed.to_vec()))
    }

    /// A seed given as raw bytes (BIP32 allows 16 to 64).
    pub fn from_bytes(bytes: &[u8]) -> Self {
        Self(Zeroizing::new(bytes.to_vec()))
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The fingerprint of the master public key, the first step of every
    /// key origin in a descriptor.
    pub fn master_fingerprint(&self) -> Result<Fingerprint, WalletError> {
        let mut master = self.master(NetworkKind::Main)?;
        let fingerprint = master.fingerprint(secp());
        wipe(&mut master);
        Ok(fingerprint)
    }

    /// The extended public key at `path` (`m/0'/1`, `m/84h/0h/0h`, ...), in
    /// the standard xpub form, or tpub for testnet.
    pub fn xpub_at(&self, path: &str, testnet: bool) -> Result<Xpub, WalletError> {
        let path = DerivationPath::from_str(path)?;
        let network = if testnet {
            NetworkKind::Test
        } else {
            NetworkKind::Main
        };
        self.derive_xpub(network, &path)
    }

    /// The receive (`change == false`) or change address at `index` of an
    /// account, derived all the way from the seed with private keys. It
    /// equals what [`super::Account::addresses`] gives from the account's
    /// public key alone.
    pub fn address_at(
        &self,
        coin: Coin,
        purpose: Purpose,
        account: u32,
        change: bool,
        index: u32,
    ) -> Result<String, WalletError> {
        let kind = AddressKind::for_account(coin, purpose)?;
        let mut path = account_path(coin, purpose, account)?;
        path = path.child(ChildNumber::from_normal_idx(u32::from(change))?);
        path = path.child(ChildNumber::from_normal_idx(index)?);
        let xpub = self.derive_xpub(network_kind(coin), &path)?;
        Ok(address::encode(kind, coin.network(), &xpub.public_key))
    }

    pub(crate) fn derive_xpub(
        &self,
        network: NetworkKind,
        path: &DerivationPath,
    ) -> Result<Xpub, WalletError> {
        let mut master = self.master(network)?;
        let derived = master.derive_priv(secp(), path);
        wipe(&mut master);
        let mut derived = derived?;
        let xpub = Xpub::from_priv(secp(), &derived);
        wipe(&mut derived);
        Ok(xpub)
    }

    fn master(&self, network: NetworkKind) -> Result<Xpriv, WalletError> {
        Ok(Xpriv::new_master(network, &self.0)?)
    }
}

impl fmt::Debug for Seed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Seed(<redacted>)")
    }
}

/// `m / purpose' / coin_type' / account'`, refusing a purpose the coin
/// does not use.
pub(crate) fn account_path(
    coin: Coin,
    purpose: Purpose,
    account: u32,
) -> Result<DerivationPath, WalletError> {
    if !coin.purposes().contains(&purpose) {
        return Err(WalletError::UnsupportedPurpose { coin, purpose });
    }
    let account = ChildNumber::from_hardened_idx(account)
        .map_err(|_| WalletError::IndexTooLarge { what: "account" })?;
    Ok(DerivationPath::from(vec![
        ChildNumber::from_hardened_idx(purpose.number())?,
        ChildNumber::from_hardened_idx(coin.coin_type())?,
        account,
    ]))
}

pub(crate) fn network_kind(coin: Coin) -> NetworkKind {
    if coin.is_testnet() {
        NetworkKind::Test
    } else {
        NetworkKind::Main
    }
}

/// Overwrites a private extended key that is going out of scope. `Xpriv` is
/// `Copy` and has no zeroizing drop, so copies the compiler made may remain;
/// this wipes at least the one we hold.
fn wipe(key: &mut Xpriv) {
    key.private_key.non_secure_erase();
    key.chain_code = ChainCode::from([0u8; 32]);
}
