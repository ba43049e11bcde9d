//! The key-derivation cost a KeePass file asks for, read from its outer
//! header before the `keepass` crate runs that derivation. The crate trusts
//! the file: a crafted header asking for terabytes of Argon2 memory would
//! abort the process, and billions of rounds would hang it. Only the cost
//! fields are read here (the KDBX 3 and 4 header fields, and the fixed
//! header of a `KeePass` 1 `.kdb` file); everything else is left to the crate.

use super::ImportError;

/// The most Argon2 memory a KeePass file may ask for (2 GiB, as for our
/// own vaults).
const MAX_ARGON2_MEMORY_BYTES: u64 = 2 * 1024 * 1024 * 1024;
/// The most Argon2 passes (KeePassXC's "one second" settings stay far below).
const MAX_ARGON2_ITERATIONS: u64 = 1_000;
/// The most Argon2 lanes.
const MAX_ARGON2_PARALLELISM: u64 = 256;
/// The most AES-KDF rounds (about a minute on a slow computer).
const MAX_AES_ROUNDS: u64 = 500_000_000;

/// The second signature word of a `KeePass` 1 (`.kdb`) file, little-endian.
const KDB_SIGNATURE: [u8; 4] = [0x65, 0xfb, 0x4b, 0xb5];
/// Where a `KeePass` 1 header keeps its AES rounds (a `u32`), after the
/// signatures, flags, version, seeds, counts and contents hash.
const KDB_ROUNDS_AT: usize = 120;

/// Header field ids of KDBX 3 and 4.
const END_OF_HEADER: u8 = 0;
const TRANSFORM_ROUNDS: u8 = 6;
const KDF_PARAMETERS: u8 = 11;

/// Refuses a KDBX file whose key derivation would cost more than any real
/// database's. Files too short to tell are left to the crate, which reports
/// them as damaged.
pub fn check(bytes: &[u8]) -> Result<(), ImportError> {
    if bytes.get(4..8) == Some(&KDB_SIGNATURE[..]) {
        // A fixed header, not the fields below; its rounds are a u32, up to
        // eight times the most we allow.
        return check_aes_rounds(read_uint(bytes, KDB_ROUNDS_AT, 4));
    }
    let Some(major) = bytes.get(10..12).map(|v| u16::from_le_bytes([v[0], v[1]])) else {
        return Ok(());
    };
    let size_len = if major >= 4 { 4 } else { 2 };
    let mut at = 12;
    while let Some(&id) = bytes.get(at) {
        let Some(size) = read_uint(bytes, at + 1, size_len) else {
            return Ok(());
        };
        let start = at + 1 + size_len;
        let Some(data) = usize::try_from(size)
            .ok()
            .and_then(|size| bytes.get(start..start.checked_add(size)?))
        else {
            return Ok(());
        };
        match id {
            END_OF_HEADER => return Ok(()),
            TRANSFORM_ROUNDS => check_aes_rounds(read_uint(data, 0, 8))?,
            KDF_PARAMETERS => check_kdf_parameters(data)?,
            _ => {}
        }
        at = start + data.len();
    }
    Ok(())
}

fn read_uint(bytes: &[u8], at: usize, len: usize) -> Option<u64> {
    let field = bytes.get(at..at.checked_add(len)?)?;
    let mut value = [0u8; 8];
    value.get_mut(..len)?.copy_from_slice(field);
    Some(u64::from_le_bytes(value))
}

fn too_costly(what: &str) -> ImportError {
    ImportError::Damaged(format!(
        "this KeePass database asks for {what}, far beyond any real database; it was \
         not opened"
    ))
}

fn check_aes_rounds(rounds: Option<u64>) -> Result<(), ImportError> {
    match rounds {
        Some(rounds) if rounds > MAX_AES_ROUNDS => Err(too_costly("billions of AES rounds")),
        _ => Ok(()),
    }
}

/// Walks the KDF parameters' variant dictionary (version u16, then entries
/// of type u8, name length i32, name, value length i32, value).
fn check_kdf_parameters(dictionary: &[u8]) -> Result<(), ImportError> {
    let mut at = 2;
    while let Some(&kind) = dictionary.get(at) {
        if kind == 0 {
            break;
        }
        let Some(name_len) = read_uint(dictionary, at + 1, 4).and_then(|n| usize::try_from(n).ok())
        else {
            break;
        };
        let name_start = at + 5;
        let Some(name) = dictionary.get(name_start..name_start.saturating_add(name_len)) else {
            break;
        };
        let value_at = name_start + name_len;
        let Some(value_len) =
            read_uint(dictionary, value_at, 4).and_then(|n| usize::try_from(n).ok())
        else {
            break;
        };
        let Some(value) = dictionary.get(value_at + 4..(value_at + 4).saturating_add(value_len))
        else {
            break;
        };
        let number = read_uint(value, 0, value.len().min(8));
        match (name, number) {
            (b"M", Some(m)) if m > MAX_ARGON2_MEMORY_BYTES => {
                return Err(too_costly("more than 2 GiB of Argon2 memory"));
            }
            (b"I", Some(i)) if i > MAX_ARGON2_ITERATIONS => {
                return Err(too_costly("more than 1,000 Argon2 passes"));
            }
            (b"P", Some(p)) if p > MAX_ARGON2_PARALLELISM => {
                return Err(too_costly("more than 256 Argon2 lanes"));
            }
            (b"R", rounds) => check_aes_rounds(rounds)?,
            _ => {}
        }
        at = value_at + 4 + value_len;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn testdata(name: &str) -> Vec<u8> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/testdata/kdbx")
            .join(name);
        std::fs::read(path).expect("test file")
    }

    /// Rewrites the little-endian `u64` that follows `marker` in `bytes`.
    fn patch_after(bytes: &mut [u8], marker: &[u8], value: u64) {
        let at = bytes
            .windows(marker.len())
            .position(|w| w == marker)
            .expect("marker")
            + marker.len();
        bytes[at..at + 8].copy_from_slice(&value.to_le_bytes());
    }

    #[test]
    fn real_databases_pass() {
        for name in [
            "keepassrs_kdbx4_argon2id_aes.kdbx",
            "keepassrs_kdbx4_argon2d_chacha20.kdbx",
            "keepassrs_kdbx41_aeskdf.kdbx",
            "keepassxc_NewDatabase.kdbx",
            "keepassxc_Format300.kdbx",
        ] {
            assert!(check(&testdata(name)).is_ok(), "{name}");
        }
    }

    #[test]
    fn a_header_asking_for_terabytes_of_argon2_memory_is_refused() {
        let mut bytes = testdata("keepassrs_kdbx4_argon2id_aes.kdbx");
        // The entry "M": name length 1, name "M", value length 8.
        patch_after(&mut bytes, b"\x01\x00\x00\x00M\x08\x00\x00\x00", 1 << 42);
        assert!(matches!(check(&bytes), Err(ImportError::Damaged(_))));
    }

    /// A `KeePass` 1 header: signatures, AES flag, version, then zeros up to
    /// its rounds.
    fn kdb_header(rounds: u32) -> Vec<u8> {
        let mut bytes = [
            [0x03, 0xd9, 0xa2, 0x9a],
            KDB_SIGNATURE,
            [2, 0, 0, 0],
            [4, 0, 3, 0],
        ]
        .concat();
        bytes.resize(KDB_ROUNDS_AT, 0);
        bytes.extend_from_slice(&rounds.to_le_bytes());
        bytes
    }

    #[test]
    fn a_keepass1_header_is_checked_for_its_aes_rounds_only() {
        assert!(check(&kdb_header(6_000)).is_ok());
        assert!(matches!(
            check(&kdb_header(u32::MAX)),
            Err(ImportError::Damaged(_))
        ));
        assert!(
            check(&kdb_header(u32::MAX)[..KDB_ROUNDS_AT + 2]).is_ok(),
            "cut off"
        );
    }

    #[test]
    fn a_kdbx3_header_asking_for_endless_aes_rounds_is_refused() {
        let mut bytes = testdata("keepassxc_NewDatabase.kdbx");
        // Field 6 (transform rounds), size 8.
        patch_after(&mut bytes, b"\x06\x08\x00", u64::MAX);
        assert!(matches!(check(&bytes), Err(ImportError::Damaged(_))));
    }
}
