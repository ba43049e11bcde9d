//! Memory after lock (hardening issue, part 3): the window is unlocked with a
//! canary master password, a canary secret is typed into a new login,
//! searched for, revealed and copied; after Lock this process's whole memory
//! (every readable mapping, through `/proc/self/mem`) holds no copy of either
//! canary, as UTF-8 or UTF-16. The same scan finds them while they are in use,
//! so the test cannot pass by not looking.
//!
//! The canaries are random, so they appear in no binary, and the scan never
//! builds them in memory: it compares against copies XOR-masked byte by byte.

#![cfg(target_os = "linux")]

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};

use egui_kittest::kittest::Queryable;
use rand::Rng;
use zeroize::Zeroizing;

use crate::common::ui::{app_harness, click, create_box, step_until, type_into};

const MASK: u8 = 0xA5;

/// A canary's encodings, masked so that the needle itself is never in memory.
/// Only its second half is looked for: the allocator writes its free-list
/// links over the first 16 bytes of a freed block, which would hide a copy
/// left in freed memory from a search for the whole canary.
struct Needles {
    masked: [Vec<u8>; 2],
}

impl Needles {
    fn of(canary: &str) -> Self {
        let text = &canary[canary.len() / 2..];
        let utf8 = text.bytes().map(|b| b ^ MASK).collect();
        let utf16 = text
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .map(|b| b ^ MASK)
            .collect();
        Self {
            masked: [utf8, utf16],
        }
    }
}

/// A random ASCII canary of 32 characters, held in a zeroizing string.
fn canary() -> Zeroizing<String> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut rng = rand::rng();
    let mut text = Zeroizing::new(String::with_capacity(32));
    for _ in 0..32 {
        text.push(char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]));
    }
    text
}

/// Copies of each needle (UTF-8, UTF-16) in this process's readable memory.
fn copies_in_memory(needles: &Needles) -> [usize; 2] {
    let maps = std::fs::read_to_string("/proc/self/maps").expect("/proc/self/maps");
    let mut mem = File::open("/proc/self/mem").expect("/proc/self/mem");
    let longest = needles.masked.iter().map(Vec::len).max().unwrap_or(0);
    let mut buffer = vec![0u8; 1 << 20];
    let mut found = [0usize; 2];
    for line in maps.lines() {
        let mut parts = line.split_whitespace();
        let (Some(range), Some(perms)) = (parts.next(), parts.next()) else {
            continue;
        };
        if !perms.starts_with('r') || line.ends_with("[vvar]") || line.ends_with("[vsyscall]") {
            continue;
        }
        let Some((start, end)) = range.split_once('-') else {
            continue;
        };
        let (Ok(start), Ok(end)) = (u64::from_str_radix(start, 16), u64::from_str_radix(end, 16))
        else {
            continue;
        };
        // Chunks overlap by a needle's length so none is cut in two.
        let mut at = start;
        while at < end {
            let len = usize::try_from((end - at).min(buffer.len() as u64)).expect("chunk");
            let read = mem
                .seek(SeekFrom::Start(at))
                .and_then(|_| mem.read(&mut buffer[..len]));
            let Ok(read) = read else { break };
            if read == 0 {
                break;
            }
            for (count, needle) in found.iter_mut().zip(&needles.masked) {
                *count += occurrences(&buffer[..read], needle);
            }
            // Leave no copy of what was read in our own buffer.
            buffer[..read].fill(0);
            if read < longest || at + read as u64 >= end {
                at += read as u64;
            } else {
                at += (read - longest + 1) as u64;
            }
        }
    }
    found
}

fn occurrences(haystack: &[u8], masked: &[u8]) -> usize {
    let Some(&first) = masked.first() else {
        return 0;
    };
    memchr::memchr_iter(first ^ MASK, haystack)
        .filter(|&i| {
            haystack
                .get(i..i + masked.len())
                .is_some_and(|window| window.iter().zip(masked).all(|(a, b)| a ^ MASK == *b))
        })
        .count()
}

#[test]
fn no_copy_of_the_password_or_a_secret_is_left_after_lock() {
    let dir = tempfile::tempdir().expect("temp dir");
    let password = canary();
    let secret = canary();
    let (password_needles, secret_needles) = (Needles::of(&password), Needles::of(&secret));
    qvault::store::create(
        &dir.path().join("vault.qvault"),
        &qvault::crypto::Password::new(password.as_str()),
        qvault::crypto::KdfParams::FLOOR,
    )
    .expect("create");

    let mut harness = app_harness(dir.path());
    harness.run_steps(2);
    type_into(&mut harness, "Master password", &password);
    let typed = copies_in_memory(&password_needles);
    assert!(
        typed[0] > 0,
        "the typed password is in memory before Unlock ({typed:?})"
    );
    click(&mut harness, "Unlock");
    step_until(&mut harness, "the vault to unlock", |h| {
        h.state().is_unlocked()
    });
    drop(password);

    create_box(&mut harness, "Logins", "Passwords");
    click(&mut harness, "New secret");
    type_into(&mut harness, "Site or app", "canary.example");
    type_into(&mut harness, "Username", "ann");
    type_into(&mut harness, "Password", &secret);
    click(&mut harness, "Save");
    drop(secret);
    type_into(&mut harness, "Search", "canary");
    harness.get_by_label_contains("canary.example\n").click();
    harness.run_steps(3);
    click(&mut harness, "Show Password");
    click(&mut harness, "Copy Password");
    step_until(&mut harness, "the save", |h| {
        crate::common::ui::has_label(h, "Saved")
    });
    let in_use = copies_in_memory(&secret_needles);
    assert!(
        in_use[0] > 0,
        "the shown secret is in memory while unlocked ({in_use:?})"
    );

    click(&mut harness, "Lock");
    step_until(&mut harness, "the lock", |h| !h.state().is_unlocked());
    // A few frames for egui's caches to drop what the last frames showed.
    harness.run_steps(10);
    let password_left = copies_in_memory(&password_needles);
    let secret_left = copies_in_memory(&secret_needles);
    assert_eq!(
        (password_left, secret_left),
        ([0, 0], [0, 0]),
        "copies (UTF-8, UTF-16) of the password and the secret left after lock"
    );
}
