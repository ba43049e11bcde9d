//! CSV exports of other password managers: `qvault::import::csv::read` on
//! arbitrary bytes, the header step of the column mapping, and
//! `read_mapped` with the first seven columns chosen (as far as the file
//! has them), as the import wizard does with a header it does not know.

#![no_main]

use libfuzzer_sys::fuzz_target;
use qvault::import::csv::{self, ColumnMapping};
use qvault::import::detect;

/// Columns 0 to 6 as title, username, password, URL, notes, TOTP, folder,
/// each only when the file has that many columns (the wizard offers no
/// others).
fn mapping(columns: usize) -> ColumnMapping {
    let column = |index: usize| (index < columns).then_some(index);
    ColumnMapping {
        title: column(0),
        username: column(1),
        password: column(2),
        url: column(3),
        notes: column(4),
        totp: column(5),
        folder: column(6),
    }
}

fuzz_target!(|data: &[u8]| {
    let _ = detect(data);
    let _ = csv::looks_like_csv(data);
    let _ = csv::read(data);
    if let Ok(headers) = csv::headers(data) {
        let _ = csv::read_mapped(data, &mapping(headers.len()));
    }
});
