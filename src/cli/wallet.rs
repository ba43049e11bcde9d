//! `qvault wallet`: new seed phrases, account keys, descriptors and
//! addresses, watch-only addresses and payment URIs. These commands need no
//! vault; `derive` reads the seed phrase (and passphrase) from the terminal
//! without echo, or one per line on standard input.
//!
//! Output is one item per line, `LABEL VALUE`, so scripts can pick a line
//! with `awk '$1 == "zpub" { print $2 }'`: `fingerprint`, `path`, the
//! SLIP-132 key (`zpub`, `ypub`, `vpub`, `upub`) where it differs from the
//! standard one, the standard key (`xpub` or `tpub`), `descriptor` and
//! `change-descriptor` (Bitcoin only), then each address after its path.

use std::io::{self, BufRead, Write};

use clap::{Subcommand, ValueEnum};
use zeroize::Zeroizing;

use super::CliError;
use crate::wallet::{self, Account, AddressKind, Coin, Purpose, Seed, WordCount, mnemonic};

/// The `wallet` subcommands.
#[derive(Debug, Subcommand)]
pub enum WalletCommand {
    /// Generate a new seed phrase from the system's random source and print
    /// its words (a secret: write them down, keep them offline).
    New {
        /// How many words.
        #[arg(long, value_enum, default_value = "12")]
        words: WordsArg,
    },
    /// Derive an account's extended public key, descriptors and addresses
    /// from a seed phrase.
    Derive {
        /// Read the seed phrase from the first line of standard input
        /// instead of the terminal.
        #[arg(long)]
        mnemonic_stdin: bool,
        /// Read a BIP39 passphrase from the next line of standard input
        /// (without it, the passphrase is empty).
        #[arg(long)]
        passphrase_stdin: bool,
        /// The coin.
        #[arg(long, value_enum, default_value = "btc")]
        coin: CoinArg,
        /// The BIP43 purpose (default: 84 for btc and tbtc, 44 for bch and eth).
        #[arg(long, value_enum)]
        purpose: Option<PurposeArg>,
        /// The account index.
        #[arg(long, default_value_t = 0)]
        account: u32,
        /// How many addresses to print.
        #[arg(long, default_value_t = 5)]
        count: u32,
        /// The index of the first address.
        #[arg(long, default_value_t = 0)]
        start: u32,
        /// Print change addresses instead of receive addresses.
        #[arg(long)]
        change: bool,
    },
    /// List the receive addresses of an extended public key or a single-key
    /// descriptor, with no seed.
    Addresses {
        /// An xpub, ypub, zpub, tpub, upub, vpub or a descriptor such as
        /// `wpkh([fingerprint/84h/0h/0h]xpub.../0/*)`.
        #[arg(long, value_name = "XPUB_OR_DESCRIPTOR")]
        xpub: String,
        /// How many addresses to print.
        #[arg(long, default_value_t = 5)]
        count: u32,
        /// The index of the first address.
        #[arg(long, default_value_t = 0)]
        start: u32,
        /// The address type for an extended key: p2pkh, p2sh-p2wpkh, p2wpkh,
        /// p2tr, cashaddr or eth (default: p2pkh for xpub/tpub, p2sh-p2wpkh
        /// for ypub/upub, p2wpkh for zpub/vpub).
        #[arg(long, value_name = "TYPE", value_parser = parse_address_kind)]
        script: Option<AddressKind>,
    },
    /// Build a BIP21 payment URI (`bitcoin:ADDRESS?amount=...`).
    Uri {
        /// The Bitcoin address to pay.
        address: String,
        /// The amount in BTC, e.g. 0.001.
        #[arg(long)]
        amount: Option<String>,
        /// A label for the payee.
        #[arg(long)]
        label: Option<String>,
        /// A message for the payer.
        #[arg(long)]
        message: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum WordsArg {
    #[value(name = "12")]
    Twelve,
    #[value(name = "24")]
    TwentyFour,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CoinArg {
    Btc,
    Tbtc,
    Bch,
    Eth,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PurposeArg {
    #[value(name = "44")]
    Bip44,
    #[value(name = "49")]
    Bip49,
    #[value(name = "84")]
    Bip84,
    #[value(name = "86")]
    Bip86,
}

impl From<CoinArg> for Coin {
    fn from(arg: CoinArg) -> Coin {
        match arg {
            CoinArg::Btc => Coin::Bitcoin,
            CoinArg::Tbtc => Coin::BitcoinTestnet,
            CoinArg::Bch => Coin::BitcoinCash,
            CoinArg::Eth => Coin::Ethereum,
        }
    }
}

impl From<PurposeArg> for Purpose {
    fn from(arg: PurposeArg) -> Purpose {
        match arg {
            PurposeArg::Bip44 => Purpose::Bip44,
            PurposeArg::Bip49 => Purpose::Bip49,
            PurposeArg::Bip84 => Purpose::Bip84,
            PurposeArg::Bip86 => Purpose::Bip86,
        }
    }
}

fn parse_address_kind(text: &str) -> Result<AddressKind, String> {
    AddressKind::from_key(text).ok_or_else(|| {
        let keys: Vec<&str> = AddressKind::ALL.iter().map(|k| k.key()).collect();
        format!("use one of: {}", keys.join(", "))
    })
}

/// The options of `wallet derive`, apart from where the secrets come from.
struct DeriveRequest {
    coin: Coin,
    purpose: Purpose,
    account: u32,
    start: u32,
    count: u32,
    change: bool,
}

/// Runs a `wallet` subcommand.
pub fn run(command: WalletCommand) -> Result<(), CliError> {
    match command {
        WalletCommand::New { words } => new(words),
        WalletCommand::Derive {
            mnemonic_stdin,
            passphrase_stdin,
            coin,
            purpose,
            account,
            count,
            start,
            change,
        } => {
            let coin = Coin::from(coin);
            let request = DeriveRequest {
                coin,
                purpose: purpose.map_or(coin.default_purpose(), Purpose::from),
                account,
                start,
                count,
                change,
            };
            derive(&request, mnemonic_stdin, passphrase_stdin)
        }
        WalletCommand::Addresses {
            xpub,
            count,
            start,
            script,
        } => addresses(&xpub, start, count, script),
        WalletCommand::Uri {
            address,
            amount,
            label,
            message,
        } => {
            let uri = wallet::bip21::uri(
                &address,
                amount.as_deref(),
                label.as_deref(),
                message.as_deref(),
            )?;
            writeln!(io::stdout().lock(), "{uri}").map_err(CliError::Output)
        }
    }
}

/// `wallet new`: the words on one line, written from a zeroizing buffer.
fn new(words: WordsArg) -> Result<(), CliError> {
    let count = match words {
        WordsArg::Twelve => WordCount::Twelve,
        WordsArg::TwentyFour => WordCount::TwentyFour,
    };
    let phrase = mnemonic::generate(count)?;
    let mut out = io::stdout().lock();
    out.write_all(phrase.to_phrase().as_bytes())
        .and_then(|()| out.write_all(b"\n"))
        .map_err(CliError::Output)?;
    eprintln!(
        "Write these {} words down in order and keep them offline: \
         anyone who has them has the coins.",
        count.words()
    );
    Ok(())
}

/// `wallet derive`: reads the secrets, derives the account, prints it.
fn derive(
    request: &DeriveRequest,
    mnemonic_stdin: bool,
    passphrase_stdin: bool,
) -> Result<(), CliError> {
    let mut stdin = io::stdin().lock();
    let typed = if mnemonic_stdin {
        read_line(&mut stdin, "seed phrase")?
    } else {
        rpassword::prompt_password("Seed phrase: ")
            .map(Zeroizing::new)
            .map_err(CliError::ReadSecret)?
    };
    let phrase = mnemonic::check(&typed)?;
    drop(typed);
    let passphrase = if passphrase_stdin {
        read_line(&mut stdin, "passphrase")?
    } else {
        Zeroizing::new(String::new())
    };

    let seed = Seed::from_phrase(&phrase, &passphrase);
    drop((phrase, passphrase));
    let account = Account::derive(&seed, request.coin, request.purpose, request.account)?;
    drop(seed);
    print_account(&account, request)
}

fn print_account(account: &Account, request: &DeriveRequest) -> Result<(), CliError> {
    let addresses = if request.change {
        account.change_addresses(request.start, request.count)?
    } else {
        account.addresses(request.start, request.count)?
    };

    let mut lines = vec![
        format!("fingerprint {}", account.master_fingerprint()),
        format!("path {}", account.path()),
    ];
    let (slip132, standard) = (account.slip132_xpub(), account.xpub());
    if slip132 != standard {
        lines.push(format!("{} {slip132}", key_label(&slip132)));
    }
    lines.push(format!("{} {standard}", key_label(&standard)));
    match (account.descriptor(), account.change_descriptor()) {
        (Some(receive), Some(change)) => {
            lines.push(format!("descriptor {receive}"));
            lines.push(format!("change-descriptor {change}"));
        }
        _ => eprintln!(
            "{} wallets have no output descriptors; none is printed.",
            request.coin
        ),
    }
    for (index, address) in (request.start..).zip(&addresses) {
        lines.push(format!(
            "{} {address}",
            account.address_path(request.change, index)
        ));
    }
    print_lines(&lines)
}

/// `wallet addresses`: a watch-only listing.
fn addresses(
    text: &str,
    start: u32,
    count: u32,
    script: Option<AddressKind>,
) -> Result<(), CliError> {
    let mut watch = wallet::watch_only::parse(text)?;
    if let Some(kind) = script {
        watch = watch.with_address_kind(kind)?;
    }
    eprintln!("{}", watch.description());
    let addresses = watch.addresses(start, count)?;
    let lines: Vec<String> = (start..)
        .zip(&addresses)
        .map(|(index, address)| format!("{} {address}", watch.address_path(index)))
        .collect();
    print_lines(&lines)
}

/// The first four letters of an extended key: `xpub`, `zpub`, `tpub`, ...
fn key_label(key: &str) -> &str {
    key.get(..4).unwrap_or("xpub")
}

fn read_line(input: &mut impl BufRead, what: &'static str) -> Result<Zeroizing<String>, CliError> {
    // Room for any seed phrase, so the buffer never moves and leaves an
    // unwiped copy behind.
    let mut line = Zeroizing::new(String::with_capacity(1024));
    let read = input.read_line(&mut line).map_err(CliError::ReadSecret)?;
    if read == 0 {
        return Err(CliError::MissingLine(what));
    }
    let end = line.trim_end_matches(['\n', '\r']).len();
    line.truncate(end);
    Ok(line)
}

fn print_lines(lines: &[String]) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    for line in lines {
        writeln!(out, "{line}").map_err(CliError::Output)?;
    }
    Ok(())
}
