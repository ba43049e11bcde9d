//! The vault as a CSV in Bitwarden's layout, unencrypted.
//!
//! Passwords secrets become `login` rows; every other secret a `note` row
//! whose `fields` cell carries its other fields as `key: value` lines, list
//! items as `cards.1.number: …`, and a `qvault_type: <box type>` line, so
//! that our own importer gives back the same boxes and secrets (Bitwarden
//! shows those lines as custom fields). Values are written verbatim, also
//! ones a spreadsheet would take for formulas: the file is for importers.

use std::io::{self, Write};
use std::path::Path;

use zeroize::Zeroizing;

use super::ExportError;
use crate::import::csv::fields;
use crate::vault::{BoxKind, Secret, Vault, VaultBox};

/// Bitwarden's current CSV header.
const HEADER: [&str; 11] = [
    "folder",
    "favorite",
    "type",
    "name",
    "notes",
    "fields",
    "reprompt",
    "login_uri",
    "login_username",
    "login_password",
    "login_totp",
];

/// Passwords fields that have a column of their own in a login row.
const LOGIN_COLUMNS: [&str; 6] = ["issuer", "username", "password", "link", "totp", "notes"];

/// The whole vault as Bitwarden CSV bytes, wiped when dropped.
pub fn to_bitwarden_csv(vault: &Vault) -> Result<Zeroizing<Vec<u8>>, ExportError> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(WipingBuffer(Zeroizing::new(Vec::with_capacity(64 * 1024))));
    writer.write_record(HEADER).map_err(|_| build_error())?;
    for vault_box in &vault.boxes {
        for secret in &vault_box.secrets {
            let row = row(vault_box, secret);
            writer.write_record(row.iter()).map_err(|_| build_error())?;
        }
    }
    writer.flush().map_err(|_| build_error())?;
    writer
        .into_inner()
        .map(|buffer| buffer.0)
        .map_err(|_| build_error())
}

/// A byte buffer that wipes its old allocation whenever it has to grow, so
/// no copy of the plaintext is left behind in freed memory.
struct WipingBuffer(Zeroizing<Vec<u8>>);

impl Write for WipingBuffer {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let needed = self.0.len() + bytes.len();
        if needed > self.0.capacity() {
            let mut grown = Zeroizing::new(Vec::with_capacity(needed.next_power_of_two()));
            grown.extend_from_slice(&self.0);
            self.0 = grown;
        }
        self.0.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Writes the export (0600, through a temp file and a rename); returns how
/// many secrets it holds.
pub fn write(vault: &Vault, path: &Path) -> Result<usize, ExportError> {
    let bytes = to_bitwarden_csv(vault)?;
    crate::store::write_private_file(path, &bytes).map_err(|source| ExportError::Io {
        path: path.display().to_string(),
        source,
    })?;
    Ok(vault.secret_count())
}

fn build_error() -> ExportError {
    ExportError::Build("could not write a CSV row".into())
}

/// One secret's cells in [`HEADER`] order.
fn row(vault_box: &VaultBox, secret: &Secret) -> Zeroizing<Vec<String>> {
    let content = &secret.content;
    let kind = vault_box.kind;
    let favourite = if secret.favourite { "1" } else { "" };
    let mut cells = vec![vault_box.name.clone(), favourite.to_owned()];
    if kind == BoxKind::Passwords {
        let extra = fields::encode(kind, content, &LOGIN_COLUMNS);
        cells.extend(
            [
                "login",
                content.get("issuer"),
                content.get("notes"),
                extra.as_str(),
                "0",
                content.get("link"),
                content.get("username"),
                content.get("password"),
                content.get("totp"),
            ]
            .map(str::to_owned),
        );
    } else {
        let extra = fields::encode(kind, content, &[kind.title_key(), "notes"]);
        cells.extend(
            [
                "note",
                content.get(kind.title_key()),
                content.get("notes"),
                extra.as_str(),
                "0",
                "",
                "",
                "",
                "",
            ]
            .map(str::to_owned),
        );
    }
    Zeroizing::new(cells)
}
