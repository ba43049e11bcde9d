//! The vault as a KDBX 4 database.
