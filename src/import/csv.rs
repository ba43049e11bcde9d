//! CSV exports of other password managers, recognised by their header line
//! (Bitwarden, Chrome and its kin, Firefox, `LastPass`, 1Password,
//! `KeePassXC`, `KeePass`, Dashlane, Proton Pass, `NordPass`), or read with a
//! column mapping the user chose.
//!
//! The `csv` crate does the parsing; this module adds what it leaves to us:
//! the byte-order mark, lines that are not UTF-8, a quote that never closes,
//! and rows with more cells than the header (rows with fewer are padded:
//! Chrome leaves out an empty last cell). Cells are kept verbatim: spaces,
//! formula-like text and line breaks inside quotes all survive.

mod dialect;
pub(crate) mod fields;
mod rows;

use std::ops::Range;

use zeroize::Zeroize;

use super::{ImportError, Imported};
use dialect::{Dialect, Layout};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Which column holds what, chosen by the user for a CSV we do not
/// recognise. Columns left out become custom fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMapping {
    pub title: Option<usize>,
    pub username: Option<usize>,
    pub password: Option<usize>,
    pub url: Option<usize>,
    pub notes: Option<usize>,
    pub totp: Option<usize>,
    pub folder: Option<usize>,
}

/// Reads a CSV export whose header names a known password manager.
pub fn read(bytes: &[u8]) -> Result<Imported, ImportError> {
    let table = parse(bytes)?;
    let dialect = Dialect::recognise(&table.header).ok_or_else(|| unrecognised(&table.header))?;
    check_row_widths(&table)?;
    let layout = Layout::for_dialect(dialect, &table.header);
    Ok(rows::import(&table, dialect, &layout))
}

/// The header cells, for the column-mapping step.
pub fn headers(bytes: &[u8]) -> Result<Vec<String>, ImportError> {
    let mut reader = reader(strip_bom(bytes));
    let mut record = csv::ByteRecord::new();
    match reader.read_byte_record(&mut record) {
        Ok(true) => decode(&record, 1),
        Ok(false) => Err(empty_file()),
        Err(err) => Err(csv_error(&err)),
    }
}

/// Reads a CSV with the columns the user picked.
pub fn read_mapped(bytes: &[u8], mapping: &ColumnMapping) -> Result<Imported, ImportError> {
    let table = parse(bytes)?;
    check_row_widths(&table)?;
    let layout = Layout::from_mapping(mapping, table.header.len());
    Ok(rows::import(&table, Dialect::Mapped, &layout))
}

/// Whether the bytes could be a CSV file: the first line is UTF-8 text with
/// a comma in it. For `--format auto`.
pub fn looks_like_csv(bytes: &[u8]) -> bool {
    let bytes = strip_bom(bytes);
    let end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(bytes.len());
    let Some(first) = bytes.get(..end) else {
        return false;
    };
    std::str::from_utf8(first).is_ok_and(|line| line.contains(',') && !line.contains('\0'))
}

/// A parsed file: the header and the data rows, each with its line.
pub(crate) struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Row>,
}

/// One data row. Its cells are wiped when it is dropped.
pub(crate) struct Row {
    /// The 1-based line where the row starts.
    pub line: u64,
    pub cells: Vec<String>,
}

impl Row {
    /// The cell at `index`, or "" for a missing one.
    pub fn cell(&self, index: Option<usize>) -> &str {
        index
            .and_then(|i| self.cells.get(i))
            .map_or("", String::as_str)
    }
}

impl Drop for Row {
    fn drop(&mut self) {
        self.cells.zeroize();
    }
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(BOM).unwrap_or(bytes)
}

fn reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
}

fn parse(bytes: &[u8]) -> Result<Table, ImportError> {
    let bytes = strip_bom(bytes);
    let mut reader = reader(bytes);
    let mut record = csv::ByteRecord::new();
    let mut header: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    let mut last = (1, 0);
    while reader
        .read_byte_record(&mut record)
        .map_err(|err| csv_error(&err))?
    {
        let (line, start) = record_start(bytes, &record);
        last = (line, start);
        let cells = decode(&record, line)?;
        match &header {
            None => header = Some(cells),
            Some(_) if cells.iter().all(String::is_empty) => {}
            Some(_) => rows.push(Row { line, cells }),
        }
    }
    check_quotes_closed(bytes, last)?;
    let header = header.ok_or_else(empty_file)?;
    Ok(Table { header, rows })
}

/// The line and byte where a record starts. The `csv` crate reports a
/// record after a CR LF as starting at the LF, one line early.
fn record_start(bytes: &[u8], record: &csv::ByteRecord) -> (u64, u64) {
    let (line, start) = record.position().map_or((1, 0), |p| (p.line(), p.byte()));
    let at = usize::try_from(start).unwrap_or(usize::MAX);
    if start > 0 && bytes.get(at) == Some(&b'\n') {
        (line + 1, start + 1)
    } else {
        (line, start)
    }
}

/// Refuses a row with more non-empty cells than the header has columns:
/// its cells no longer line up. Checked after the header is recognised, so
/// that a file without a header reads as unrecognised.
fn check_row_widths(table: &Table) -> Result<(), ImportError> {
    let columns = table.header.len();
    let too_wide = table
        .rows
        .iter()
        .find(|row| row.cells.iter().skip(columns).any(|c| !c.is_empty()));
    match too_wide {
        Some(row) => Err(ImportError::Csv {
            line: row.line,
            reason: format!(
                "this row has {} cells but the header has {columns} columns; \
                 is a comma missing its quotes?",
                row.cells.len()
            ),
        }),
        None => Ok(()),
    }
}

/// Turns a record's cells into text, naming the line of the first byte
/// that is not UTF-8.
fn decode(record: &csv::ByteRecord, line: u64) -> Result<Vec<String>, ImportError> {
    let mut cells = Vec::with_capacity(record.len());
    let mut newlines_before = 0;
    for field in record {
        match std::str::from_utf8(field) {
            Ok(text) => {
                newlines_before += count_newlines(field);
                cells.push(text.to_owned());
            }
            Err(err) => {
                let within = field.get(..err.valid_up_to()).map_or(0, count_newlines);
                cells.zeroize();
                return Err(ImportError::Csv {
                    line: line + newlines_before + within,
                    reason: "the text is not UTF-8; save the file as UTF-8 \
                             (\"Unicode\") and import it again"
                        .into(),
                });
            }
        }
    }
    Ok(cells)
}

#[expect(
    clippy::naive_bytecount,
    reason = "runs only on error paths and the last record; not worth a crate"
)]
fn count_newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

/// The `csv` crate ends a field at the end of the file even when its quote
/// never closed; a file cut short must not import as if it were whole. Only
/// the last record can hold such a quote, so only it is checked.
fn check_quotes_closed(bytes: &[u8], (line, start): (u64, u64)) -> Result<(), ImportError> {
    let start = usize::try_from(start).unwrap_or(usize::MAX);
    let tail = bytes.get(start..).unwrap_or_default();
    match unclosed_quote(tail) {
        Some(at) => Err(ImportError::Csv {
            line: line + tail.get(..at.start).map_or(0, count_newlines),
            reason: "a quoted cell opened here never closes; the file may be cut short".into(),
        }),
        None => Ok(()),
    }
}

/// Where a quoted cell that never closes begins, if one does.
fn unclosed_quote(bytes: &[u8]) -> Option<Range<usize>> {
    #[derive(Clone, Copy)]
    enum State {
        CellStart,
        Unquoted,
        Quoted(usize),
        QuoteInQuoted(usize),
    }
    let mut state = State::CellStart;
    for (i, &b) in bytes.iter().enumerate() {
        let ends_cell = matches!(b, b',' | b'\n' | b'\r');
        state = match state {
            State::CellStart if b == b'"' => State::Quoted(i),
            State::CellStart | State::Unquoted | State::QuoteInQuoted(_) if ends_cell => {
                State::CellStart
            }
            State::QuoteInQuoted(at) if b == b'"' => State::Quoted(at),
            State::Quoted(at) if b == b'"' => State::QuoteInQuoted(at),
            State::Quoted(at) => State::Quoted(at),
            _ => State::Unquoted,
        };
    }
    match state {
        State::Quoted(at) => Some(at..bytes.len()),
        _ => None,
    }
}

fn csv_error(err: &csv::Error) -> ImportError {
    ImportError::Csv {
        line: err.position().map_or(0, csv::Position::line),
        reason: "the file could not be read as CSV".into(),
    }
}

fn empty_file() -> ImportError {
    ImportError::Csv {
        line: 1,
        reason: "the file is empty; a CSV export starts with a header line".into(),
    }
}

/// Names the columns seen (short, name-like cells only: a file without a
/// header would otherwise put a password into the message).
fn unrecognised(header: &[String]) -> ImportError {
    let shown: Vec<&str> = header
        .iter()
        .take(12)
        .map(|cell| {
            let cell = cell.trim();
            let name_like = cell.chars().count() <= 32
                && cell
                    .chars()
                    .all(|c| c.is_alphanumeric() || " _-./()".contains(c));
            if name_like { cell } else { "…" }
        })
        .collect();
    let more = if header.len() > shown.len() {
        ", …"
    } else {
        ""
    };
    ImportError::Unrecognised(format!(
        "this CSV's columns ({}{more}) match no export we know; \
         say which column is which (the window's column mapping, or \
         --column FIELD=HEADER on the command line)",
        shown.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_doubled_quote_inside_quotes_is_not_an_unclosed_quote() {
        assert!(unclosed_quote(b"a,\"x\"\"y\",b\n").is_none());
        assert!(unclosed_quote(b"a,b\"c,d\n").is_none());
        assert_eq!(unclosed_quote(b"a,\"open,\nmore"), Some(2..13));
    }

    #[test]
    fn rows_after_crlf_lines_have_their_own_line_numbers() {
        let table = parse(b"h,i\r\na,b\r\n\"c\nc\",d\r\ne,f").expect("parse");
        let lines: Vec<u64> = table.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [2, 3, 5]);
    }

    #[test]
    fn looks_like_csv_wants_utf8_with_a_comma_on_the_first_line() {
        assert!(looks_like_csv(b"\xEF\xBB\xBFname,url\r\n"));
        assert!(!looks_like_csv(b"KDBX\x03\xd9\xa2\x9a"));
        assert!(!looks_like_csv(b"just text\nwith, a comma later"));
    }

    #[test]
    fn the_unrecognised_message_hides_cells_that_look_like_secrets() {
        let header = vec!["title".to_owned(), "p@ss{word}!".to_owned()];
        let message = unrecognised(&header).to_string();
        assert!(message.contains("title"));
        assert!(!message.contains("p@ss"));
    }
}
