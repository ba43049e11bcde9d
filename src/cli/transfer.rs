//! `import` and `export`: other formats in and out of the vault. The source
//! is read and shown before the vault changes; the vault is saved once.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::commands::{lock_existing, print, unlock};
use super::input::Prompter;
use super::{CliError, ExportFormat, ImportFormat};
use crate::import::csv::ColumnMapping;
use crate::import::{self, Format, Imported, Preview, SourceKeys};
use crate::store;

/// The arguments of `qvault import`.
#[derive(Debug)]
pub struct ImportArgs {
    pub file: PathBuf,
    pub format: ImportFormat,
    pub key_file: Option<PathBuf>,
    pub qr_key_file: Option<PathBuf>,
    pub columns: Vec<String>,
    pub keep_duplicates: bool,
    pub dry_run: bool,
}

fn format_of(args: &ImportArgs) -> Result<Format, CliError> {
    Ok(match args.format {
        ImportFormat::Kdbx => Format::Kdbx,
        ImportFormat::Csv => Format::Csv,
        ImportFormat::QvaultLegacy => Format::QvaultLegacy,
        ImportFormat::Auto => import::detect_file(&args.file)?,
    })
}

fn source_keys(
    args: &ImportArgs,
    format: Format,
    prompter: &mut Prompter,
) -> Result<SourceKeys, CliError> {
    let password = if format.needs_password() {
        let prompt = match format {
            Format::QvaultLegacy => "Password or recovery code of the Qvault file: ",
            _ => "Password of the KeePass database: ",
        };
        Some(prompter.file_password(prompt)?)
    } else {
        None
    };
    let qr_key = args
        .qr_key_file
        .as_deref()
        .map(import::qr_key_from_file)
        .transpose()?;
    Ok(SourceKeys {
        password,
        key_file: args.key_file.clone(),
        qr_key,
    })
}

/// `import FILE`: reads the vault's password, then the file's; prints what
/// the file holds per box and adds it, leaving duplicates out unless asked.
pub fn import(path: &Path, prompter: &mut Prompter, args: &ImportArgs) -> Result<(), CliError> {
    let format = format_of(args)?;
    let _lock = lock_existing(path)?;
    let mut opened = unlock(path, prompter)?;
    let keys = source_keys(args, format, prompter)?;
    let imported = if args.columns.is_empty() {
        import::read(&args.file, format, &keys)?
    } else {
        read_mapped(&args.file, &args.columns)?
    };
    drop(keys);

    let preview = import::preview(&opened.vault, &imported);
    print(&describe(&imported, &preview, args.keep_duplicates))?;
    if args.dry_run {
        return print("Dry run: nothing was written.\n");
    }
    let receipt = import::apply(&mut opened.vault, imported, args.keep_duplicates);
    store::save(path, &opened.keys, &opened.vault, Some(opened.fingerprint))?;
    print(&format!(
        "Imported {} secrets{}.\n",
        receipt.added.len(),
        match receipt.skipped {
            0 => String::new(),
            n => format!("; left out {n} already in the vault (--keep-duplicates keeps them)"),
        }
    ))
}

/// Reads a CSV file with the columns named by `--column FIELD=HEADER`.
fn read_mapped(file: &Path, columns: &[String]) -> Result<Imported, CliError> {
    let bytes = import::read_source(file)?;
    let headers = import::csv::headers(&bytes)?;
    let mut mapping = ColumnMapping::default();
    for pair in columns {
        let (field, header) = pair.split_once('=').ok_or_else(|| {
            CliError::BadField(format!("--column {pair}: write it as FIELD=HEADER"))
        })?;
        let index = headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(header.trim()))
            .ok_or_else(|| {
                CliError::BadField(format!(
                    "--column {pair}: the file has no column \"{header}\"; its columns are: {}",
                    headers.join(", ")
                ))
            })?;
        let slot = match field.trim() {
            "title" => &mut mapping.title,
            "username" => &mut mapping.username,
            "password" => &mut mapping.password,
            "url" => &mut mapping.url,
            "notes" => &mut mapping.notes,
            "totp" => &mut mapping.totp,
            "folder" => &mut mapping.folder,
            other => {
                return Err(CliError::BadField(format!(
                    "--column: unknown field \"{other}\"; use title, username, password, url, \
                     notes, totp or folder"
                )));
            }
        };
        *slot = Some(index);
    }
    Ok(import::csv::read_mapped(&bytes, &mapping)?)
}

/// The preview: the source, then one line per box.
fn describe(imported: &Imported, preview: &Preview, keep_duplicates: bool) -> String {
    let mut text = format!("{}: {} secrets\n", imported.source, preview.secrets);
    for b in &preview.boxes {
        let state = if b.new_box { "new box" } else { "existing box" };
        let _ = write!(
            text,
            "  {} ({}, {state}): {} secrets",
            b.name,
            b.kind.label(),
            b.secrets
        );
        if b.duplicates > 0 {
            let fate = if keep_duplicates { "kept" } else { "left out" };
            let _ = write!(text, ", {} already in the vault ({fate})", b.duplicates);
        }
        text.push('\n');
    }
    for note in &imported.notes {
        let _ = writeln!(text, "  note: {note}");
    }
    text
}

/// `export --format kdbx|csv FILE`: the whole vault, written 0600.
pub fn export(
    path: &Path,
    prompter: &mut Prompter,
    format: ExportFormat,
    file: &Path,
    force: bool,
) -> Result<(), CliError> {
    crate::export::check_target(file, path)?;
    if file.exists() && !force {
        return Err(CliError::ExportTargetExists(file.display().to_string()));
    }
    let opened = unlock(path, prompter)?;
    let written = match format {
        ExportFormat::Kdbx => {
            let password = prompter.new_file_password()?;
            crate::export::kdbx::write(&opened.vault, file, password.as_str())?
        }
        ExportFormat::Csv => {
            eprintln!(
                "qvault: warning: a CSV file is not encrypted; anyone who can read {} sees \
                 every password. Import it where it is going, then delete it; open it with \
                 a password manager, not a spreadsheet.",
                file.display()
            );
            crate::export::csv::write(&opened.vault, file)?
        }
    };
    print(&format!(
        "Exported {written} secrets to {}.\n",
        file.display()
    ))
}
