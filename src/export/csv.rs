//! The vault as a CSV in Bitwarden's layout.
