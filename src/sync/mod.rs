//! Sync with a qvault-server: the wire types both sides share ([`wire`]).
//! The server stores one encrypted vault file per account with a revision;
//! it never sees the master password, the vault key or any plaintext.
//! The blob is the vault file itself, byte for byte, so a new device that
//! downloads it unlocks it with the master password like any vault file.

pub mod wire;
