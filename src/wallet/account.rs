//! One account of a wallet: `m / purpose' / coin' / account'`. An
//! [`Account`] holds only public data (the master fingerprint and the
//! account's extended public key), so it may be kept while a secret is open
//! and shown freely; its addresses come from the public key alone.

use bitcoin::bip32::{Fingerprint, Xpub};
use miniscript::descriptor::checksum::Engine;

use super::address::{self, AddressKind};
use super::seed::{account_path, network_kind};
use super::{Coin, Purpose, Seed, SeedPhrase, WalletError, index_range, slip132};

/// An account's public side, derived from a seed and never stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    coin: Coin,
    purpose: Purpose,
    index: u32,
    kind: AddressKind,
    master_fingerprint: Fingerprint,
    xpub: Xpub,
}

impl Account {
    /// The account `index` of `purpose` on `coin`. Fails for a purpose the
    /// coin does not use (only BIP44 for Bitcoin Cash and Ethereum) or an
    /// index of 2^31 or more.
    pub fn derive(
        seed: &Seed,
        coin: Coin,
        purpose: Purpose,
        index: u32,
    ) -> Result<Account, WalletError> {
        let path = account_path(coin, purpose, index)?;
        let kind = AddressKind::for_account(coin, purpose)?;
        let master_fingerprint = seed.master_fingerprint()?;
        let xpub = seed.derive_xpub(network_kind(coin), &path)?;
        Ok(Account {
            coin,
            purpose,
            index,
            kind,
            master_fingerprint,
            xpub,
        })
    }

    /// [`Seed::from_phrase`] then [`Account::derive`]: a few milliseconds.
    pub fn from_phrase(
        phrase: &SeedPhrase,
        passphrase: &str,
        coin: Coin,
        purpose: Purpose,
        index: u32,
    ) -> Result<Account, WalletError> {
        Account::derive(&Seed::from_phrase(phrase, passphrase), coin, purpose, index)
    }

    pub fn coin(&self) -> Coin {
        self.coin
    }

    pub fn purpose(&self) -> Purpose {
        self.purpose
    }

    pub fn index(&self) -> u32 {
        self.index
    }

    /// What the addresses look like.
    pub fn address_kind(&self) -> AddressKind {
        self.kind
    }

    /// The master key's fingerprint as 8 lower-case hex digits.
    pub fn master_fingerprint(&self) -> String {
        self.master_fingerprint.to_string()
    }

    /// The account's path, e.g. `m/84'/0'/0'`.
    pub fn path(&self) -> String {
        format!(
            "m/{}'/{}'/{}'",
            self.purpose.number(),
            self.coin.coin_type(),
            self.index
        )
    }

    /// The path of a receive (`change == false`) or change address.
    pub fn address_path(&self, change: bool, index: u32) -> String {
        format!("{}/{}/{index}", self.path(), u32::from(change))
    }

    /// The account's extended public key in the standard form (xpub, or
    /// tpub on testnet), as descriptors and Bitcoin Core use it.
    pub fn xpub(&self) -> String {
        self.xpub.to_string()
    }

    /// The extended public key in its SLIP-132 form: ypub/upub for BIP49,
    /// zpub/vpub for BIP84, the standard form for the others.
    pub fn slip132_xpub(&self) -> String {
        slip132::encode(&self.xpub, self.address_kind())
    }

    /// The receive descriptor with key origin and checksum, e.g.
    /// `wpkh([73c5da0a/84h/0h/0h]xpub.../0/*)#...`; `None` for Bitcoin Cash
    /// and Ethereum, which have no output descriptors.
    pub fn descriptor(&self) -> Option<String> {
        self.descriptor_for_chain(0)
    }

    /// The change descriptor (`.../1/*`); `None` where
    /// [`Account::descriptor`] is.
    pub fn change_descriptor(&self) -> Option<String> {
        self.descriptor_for_chain(1)
    }

    /// The receive addresses `start .. start + count`.
    pub fn addresses(&self, start: u32, count: u32) -> Result<Vec<String>, WalletError> {
        self.chain_addresses(0, start, count)
    }

    /// The change addresses `start .. start + count`.
    pub fn change_addresses(&self, start: u32, count: u32) -> Result<Vec<String>, WalletError> {
        self.chain_addresses(1, start, count)
    }

    fn chain_addresses(
        &self,
        chain: u32,
        start: u32,
        count: u32,
    ) -> Result<Vec<String>, WalletError> {
        let indices = index_range(start, count)?;
        address::derive_addresses(
            &self.xpub,
            self.address_kind(),
            self.coin.network(),
            chain,
            indices,
        )
    }

    fn descriptor_for_chain(&self, chain: u32) -> Option<String> {
        let (open, close) = match self.address_kind() {
            AddressKind::P2pkh => ("pkh(", ")"),
            AddressKind::P2shP2wpkh => ("sh(wpkh(", "))"),
            AddressKind::P2wpkh => ("wpkh(", ")"),
            AddressKind::P2tr => ("tr(", ")"),
            AddressKind::CashAddr | AddressKind::Ethereum => return None,
        };
        let body = format!(
            "{open}[{}/{}h/{}h/{}h]{}/{chain}/*{close}",
            self.master_fingerprint,
            self.purpose.number(),
            self.coin.coin_type(),
            self.index,
            self.xpub,
        );
        Some(with_checksum(&body))
    }
}

/// `descriptor#checksum`, with the BIP380 checksum from `miniscript`.
pub(crate) fn with_checksum(descriptor: &str) -> String {
    let mut engine = Engine::new();
    engine
        .input(descriptor)
        .expect("the descriptors built here are printable ASCII");
    format!("{descriptor}#{}", engine.checksum())
}
