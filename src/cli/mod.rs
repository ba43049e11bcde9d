//! The command line: `create`, `ls`, `show`, `add`, `passwd`, `totp`, `health`, `import`,
//! `export`, `sync`, `wallet` and `update`
//! (DESIGN.md "Command line"). Exit codes: 0 ok, 1 other error, 2 wrong password or
//! recovery code, 3 damaged or unreadable file.
//!
//! Each command reads its passwords through [`input::Prompter`], works on
//! the vault through `store`, and returns a [`CliError`]; `run` prints that
//! error once and turns it into the exit code.

mod commands;
mod error;
mod fields;
mod input;
mod render;
mod sync;
mod transfer;
mod update;
mod wallet;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

pub use error::CliError;
pub use wallet::WalletCommand;

/// Qvault: a password manager for passwords and crypto keys.
#[derive(Debug, Parser)]
#[command(name = "qvault", version = crate::update::LONG_VERSION, about)]
pub struct Cli {
    /// The vault file (default: the vault in the user's data folder).
    #[arg(long, global = true, value_name = "PATH")]
    pub vault: Option<PathBuf>,
    /// Read passwords from standard input, one per line, instead of the terminal.
    #[arg(long, global = true)]
    pub password_stdin: bool,
    /// The vault's QR key, when it requires one: an image (PNG or JPEG) of
    /// the printed key, or a file holding its text.
    #[arg(long, global = true, value_name = "FILE")]
    pub qr_key: Option<PathBuf>,
    /// Do not look for a newer release at start.
    #[arg(long)]
    pub no_update_check: bool,
    /// The release manifest to read (default: the settings', else the built-in one).
    #[arg(long, global = true, value_name = "URL")]
    pub manifest_url: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new vault and print its recovery code once.
    Create,
    /// List boxes and the names of their secrets.
    Ls {
        /// Only this box.
        #[arg(value_name = "BOX")]
        box_name: Option<String>,
    },
    /// Show one secret's fields (hidden ones masked unless --reveal).
    Show {
        /// The secret's name (its first field, e.g. the issuer).
        name: String,
        /// Print hidden fields in clear.
        #[arg(long)]
        reveal: bool,
    },
    /// Add a secret to a box, creating the box if needed.
    Add {
        /// The box's name.
        #[arg(value_name = "BOX")]
        box_name: String,
        #[arg(
            long = "type",
            value_name = "T",
            help = "The box template: passwords, crypto_wallets, crypto_backups, financial, \
                    identification, server, notes, custom. Needed only for a new box \
                    (default: passwords); an existing box keeps its type"
        )]
        kind: Option<String>,
        /// A field as key=value; keys outside the template become custom
        /// fields, and LIST.KEY=value (e.g. cards.number=...) fills list items.
        #[arg(long = "field", value_name = "KEY=VALUE")]
        fields: Vec<String>,
    },
    /// Change the master password.
    Passwd {
        /// Unlock with the recovery code instead of the current password.
        #[arg(long)]
        recovery: bool,
    },
    /// Print the current one-time code of a secret's TOTP field (the
    /// seconds it stays valid go to stderr).
    Totp {
        /// The secret's name, as `qvault ls` lists it.
        name: String,
    },
    /// Report weak, reused and old passwords, and logins without TOTP
    /// (names only, never a password).
    Health,
    /// Import a KeePass database, a CSV export of another password manager or
    /// an original Qvault file. Reads the vault's password, then the file's
    /// (its password, or for an original Qvault file its recovery code).
    Import {
        /// The file to import.
        file: PathBuf,
        /// The file's format (default: recognised from its content).
        #[arg(long, value_enum, default_value_t = ImportFormat::Auto)]
        format: ImportFormat,
        /// A KeePass key file (when the database needs one; an empty password
        /// line then means "no password").
        #[arg(long, value_name = "F")]
        key_file: Option<PathBuf>,
        /// An original Qvault file's QR key: its image (PNG or JPEG) or its text.
        #[arg(long, value_name = "PNG_OR_TEXT")]
        qr_key_file: Option<PathBuf>,
        /// For a CSV file with columns we do not know: which column holds a
        /// field, as FIELD=HEADER (FIELD: title, username, password, url,
        /// notes, totp, folder); the other columns become custom fields.
        #[arg(long = "column", value_name = "FIELD=HEADER")]
        columns: Vec<String>,
        /// Also import logins whose site and username are already in the vault.
        #[arg(long)]
        keep_duplicates: bool,
        /// Show what would be imported and write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Export the whole vault: a KDBX 4 file KeePassXC opens (its password is
    /// read after the vault's) or an unencrypted CSV in Bitwarden's layout.
    Export {
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// The file to write (mode 0600).
        file: PathBuf,
        /// Replace the file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Sync the vault with a qvault-server: download, merge, upload. When the
    /// vault file does not exist yet, download the account's vault into it.
    /// Reads the master password once.
    Sync {
        /// The server's address, e.g. `https://sync.example.org`.
        #[arg(long, value_name = "URL")]
        server: String,
        /// The account's email.
        #[arg(long, value_name = "E")]
        email: String,
        /// Create the account (with this vault's password) and upload the vault.
        #[arg(long)]
        register: bool,
        /// Allow plain http:// to another computer (the vault stays encrypted,
        /// but the session token does not).
        #[arg(long)]
        allow_http: bool,
    },
    /// BIP39 seed phrases, account keys, descriptors and addresses (no vault needed).
    Wallet {
        #[command(subcommand)]
        command: WalletCommand,
    },
    /// Look for a newer release; without --check, also install it over this
    /// executable (signature verified first).
    Update {
        /// Only report: `update available: X.Y.Z` or `up to date`.
        #[arg(long)]
        check: bool,
    },
}

/// `--format` of `qvault import`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportFormat {
    Auto,
    Kdbx,
    Csv,
    QvaultLegacy,
}

/// `--format` of `qvault export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Kdbx,
    Csv,
}

/// Runs a command; returns the process exit code.
pub fn run(command: Command, vault: Option<PathBuf>, password_stdin: bool) -> i32 {
    run_with(command, vault, password_stdin, None, None)
}

/// Runs a command with the release manifest URL given on the command line.
pub fn run_with(
    command: Command,
    vault: Option<PathBuf>,
    password_stdin: bool,
    manifest_url: Option<String>,
    qr_key: Option<&std::path::Path>,
) -> i32 {
    // Wallet commands open no vault and read their own secrets, so they
    // must not hold standard input through a password prompter.
    let result = match command {
        Command::Wallet { command } => wallet::run(command),
        Command::Update { check } => update::run(manifest_url, !check),
        command => run_vault_command(command, vault, password_stdin, qr_key),
    };
    match result {
        Ok(()) => 0,
        Err(err) => {
            eprintln!("qvault: {err}");
            err.exit_code()
        }
    }
}

fn run_vault_command(
    command: Command,
    vault: Option<PathBuf>,
    password_stdin: bool,
    qr_key: Option<&std::path::Path>,
) -> Result<(), CliError> {
    let path = vault.unwrap_or_else(crate::paths::default_vault_path);
    let mut prompter = input::Prompter::new(password_stdin);
    if let Some(file) = qr_key {
        let text = crate::import::qr_key_from_file(file)?;
        prompter.qr_key = Some(crate::crypto::qr_key::QrKey::parse(&text)?);
    }
    match command {
        Command::Create => commands::create(&path, &mut prompter),
        Command::Ls { box_name } => commands::ls(&path, &mut prompter, box_name.as_deref()),
        Command::Show { name, reveal } => commands::show(&path, &mut prompter, &name, reveal),
        Command::Add {
            box_name,
            kind,
            fields,
        } => commands::add(&path, &mut prompter, &box_name, kind.as_deref(), &fields),
        Command::Passwd { recovery } => commands::passwd(&path, &mut prompter, recovery),
        Command::Totp { name } => commands::totp(&path, &mut prompter, &name),
        Command::Health => commands::health(&path, &mut prompter),
        Command::Import {
            file,
            format,
            key_file,
            qr_key_file,
            columns,
            keep_duplicates,
            dry_run,
        } => transfer::import(
            &path,
            &mut prompter,
            &transfer::ImportArgs {
                file,
                format,
                key_file,
                qr_key_file,
                columns,
                keep_duplicates,
                dry_run,
            },
        ),
        Command::Export {
            format,
            file,
            force,
        } => transfer::export(&path, &mut prompter, format, &file, force),
        Command::Sync {
            server,
            email,
            register,
            allow_http,
        } => sync::sync(
            &path,
            &mut prompter,
            &sync::SyncArgs {
                server,
                email,
                register,
                allow_http,
            },
        ),
        Command::Wallet { command } => wallet::run(command),
        // Reached only through `run`, which has no --manifest-url.
        Command::Update { check } => update::run(None, !check),
    }
}
