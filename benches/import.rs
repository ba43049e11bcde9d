//! `cargo bench --bench import`: importing the 2,000-entry KDBX 4 database of
//! `../shared/testdata/kdbx_generated` (with and beside its Argon2id KDF) and
//! a 10,000-line CSV export, into an empty vault, saved; in the same run
//! `keepassxc-cli ls -R` and `keepassxc-cli import` on the same data when
//! `KeePassXC` is installed. Prints medians; BENCHMARKS.md keeps them.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use qvault::crypto::{KdfParams, Password};
use qvault::import::{self, Format, SourceKeys};
use qvault::store;

const KDBX_PASSWORD: &str = "correct horse battery staple";
const RUNS: usize = 7;

fn testdata(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/testdata/kdbx_generated")
        .join(rel)
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time_n(mut f: impl FnMut()) -> Duration {
    median(
        (0..RUNS)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .collect(),
    )
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// An empty vault's keys, made once (the vault's own KDF is not part of an
/// import).
fn empty_vault(dir: &Path) -> store::Opened {
    let path = dir.join("template.qvault");
    let (opened, _) =
        store::create(&path, &Password::new("bench"), KdfParams::FLOOR).expect("create");
    opened
}

/// Reads a source and imports it into the empty vault, saved to a new file:
/// what `qvault import` does after the vault's own unlock.
fn import_and_save(
    source: &Path,
    format: Format,
    keys: &SourceKeys,
    empty: &store::Opened,
    dir: &Path,
) -> usize {
    let imported = import::read(source, format, keys).expect("read the source");
    let mut vault = empty.vault.clone();
    let receipt = import::apply(&mut vault, imported, true);
    let path = dir.join(format!("bench-{}.qvault", uuid::Uuid::new_v4()));
    store::save(&path, &empty.keys, &vault, None).expect("save");
    let _ = std::fs::remove_file(&path);
    receipt.added.len()
}

/// The KDBX file's own KDF alone (Argon2id, 16 MiB, 3 passes, 2 lanes, as
/// its expected.json says), with the `argon2` crate.
fn kdbx_kdf() {
    let params = argon2::Params::new(16 * 1024, 3, 2, Some(32)).expect("params");
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut out = [0u8; 32];
    argon
        .hash_password_into(b"correct horse battery staple 32b", &[7u8; 32], &mut out)
        .expect("argon2");
}

/// A 10,000-line KeePassXC CSV: the 2,000 rows of the generated export
/// five times over, each copy with its own titles.
fn ten_thousand_line_csv(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(testdata("large_vault_2000.keepassxc.csv")).expect("csv");
    let mut lines = text.lines();
    let header = lines.next().expect("a header");
    let rows: Vec<&str> = lines.collect();
    let mut out = format!("{header}\n");
    for copy in 0..5 {
        for row in &rows {
            // The Title is the second column: tag it so that copies differ.
            let tagged = row.replacen("\",\"", &format!("\",\"{copy}-"), 1);
            let _ = writeln!(out, "{tagged}");
        }
    }
    let path = dir.join("ten-thousand.csv");
    std::fs::write(&path, out).expect("write csv");
    path
}

/// Runs keepassxc-cli with `stdin`; `None` when it is not installed.
fn keepassxc(args: &[&str], stdin: &str) -> Option<()> {
    let mut child = Command::new("keepassxc-cli")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(stdin.as_bytes())
        .expect("stdin");
    let status = child.wait().expect("keepassxc-cli ran");
    assert!(status.success(), "keepassxc-cli {args:?} failed");
    Some(())
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let kdbx = testdata("large_vault_2000.kdbx");
    let keys = SourceKeys {
        password: Some(Password::new(KDBX_PASSWORD)),
        ..SourceKeys::default()
    };
    let csv = ten_thousand_line_csv(dir.path());
    let no_keys = SourceKeys::default();
    let empty = empty_vault(dir.path());

    let count = import_and_save(&kdbx, Format::Kdbx, &keys, &empty, dir.path());
    let kdbx_import = time_n(|| {
        import_and_save(&kdbx, Format::Kdbx, &keys, &empty, dir.path());
    });
    let kdf = time_n(kdbx_kdf);
    println!(
        "qvault import, {count}-entry KDBX 4 (read + apply + save): {:.1} ms, of which \
         its Argon2id KDF about {:.1} ms, so {:.1} ms beside it",
        ms(kdbx_import),
        ms(kdf),
        ms(kdbx_import.saturating_sub(kdf))
    );

    let csv_count = import_and_save(&csv, Format::Csv, &no_keys, &empty, dir.path());
    let csv_import = time_n(|| {
        import_and_save(&csv, Format::Csv, &no_keys, &empty, dir.path());
    });
    println!(
        "qvault import, {csv_count}-line CSV (read + apply + save): {:.1} ms",
        ms(csv_import)
    );

    let kdbx_arg = kdbx.to_str().expect("UTF-8 path");
    let line = format!("{KDBX_PASSWORD}\n");
    if keepassxc(&["ls", "-R", "-q", kdbx_arg], &line).is_none() {
        println!("keepassxc-cli is not installed: no peer figures");
        return;
    }
    let ls = time_n(|| {
        keepassxc(&["ls", "-R", "-q", kdbx_arg], &line);
    });
    println!(
        "keepassxc-cli ls -R, same KDBX: {:.1} ms (Qvault's whole import takes {:.2}× its time)",
        ms(ls),
        kdbx_import.as_secs_f64() / ls.as_secs_f64()
    );

    let xml = testdata("large_vault_2000.xml");
    let xml_arg = xml.to_str().expect("UTF-8 path");
    let target = dir.path().join("imported.kdbx");
    let target_arg = target.to_str().expect("UTF-8 path");
    let import_xml = time_n(|| {
        let _ = std::fs::remove_file(&target);
        // -t 100: a KDF of about 100 ms for the new file; -p: its password, twice.
        keepassxc(
            &["import", "-q", "-p", "-t", "100", xml_arg, target_arg],
            "bench\nbench\n",
        );
    });
    println!(
        "keepassxc-cli import of the same 2,000 entries as XML (KDF ~100 ms): {:.1} ms \
         (Qvault's 10,000-line CSV import takes {:.2}× its time)",
        ms(import_xml),
        csv_import.as_secs_f64() / import_xml.as_secs_f64()
    );
}
