//! `cargo bench`: a 10,000-secret vault. Unlock without the KDF (parse,
//! decrypt, deserialise), save (serialise, encrypt, safe write), search per
//! keystroke; then the same-run comparison with `keepassxc-cli ls -R` on a
//! 10,000-entry `KeePass` database, beside its KDF, when `KeePassXC` is installed.

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use criterion::Criterion;
use qvault::crypto::{KdfParams, Password};
use qvault::store::{self, Fingerprint, VaultKeys};
use qvault::vault::{BoxKind, SearchIndex, SecretContent, Vault};

const SECRETS: usize = 10_000;

fn big_vault() -> Vault {
    let mut vault = Vault::new();
    let boxes: Vec<_> = (0..20)
        .map(|b| {
            vault
                .add_box(&format!("Box {b}"), BoxKind::Passwords)
                .expect("box")
        })
        .collect();
    for i in 0..SECRETS {
        let mut content = SecretContent::default();
        content.set("issuer", &format!("site{i}.example"));
        content.set("username", &format!("user{i}@mail.example"));
        content.set("password", &format!("pw-{i}-Zq9!xk3L"));
        content.set("link", &format!("https://site{i}.example/login"));
        content.set(
            "notes",
            &format!("account number {i}, opened for the benchmark"),
        );
        vault
            .add_secret(boxes[i % boxes.len()], content)
            .expect("secret");
    }
    vault
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time_n(n: usize, mut f: impl FnMut()) -> Duration {
    median(
        (0..n)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .collect(),
    )
}

struct Fixture {
    dir: tempfile::TempDir,
    vault: Vault,
    keys: VaultKeys,
    bytes: Vec<u8>,
    index: SearchIndex,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bench.qvault");
    let (opened, _) =
        store::create(&path, &Password::new("bench password"), KdfParams::FLOOR).expect("create");
    let vault = big_vault();
    let fingerprint =
        store::save(&path, &opened.keys, &vault, Some(opened.fingerprint)).expect("save");
    let bytes = std::fs::read(&path).expect("read");
    assert_eq!(Fingerprint::of(&bytes), fingerprint);
    let index = SearchIndex::build(&vault);
    Fixture {
        dir,
        vault,
        keys: opened.keys,
        bytes,
        index,
    }
}

fn criterion_benches(c: &mut Criterion, fx: &Fixture) {
    let path = fx.dir.path().join("bench.qvault");
    let mut group = c.benchmark_group("vault_10k");
    group.sample_size(20);
    group.bench_function("unlock_without_kdf", |b| {
        b.iter(|| black_box(fx.keys.open(black_box(&fx.bytes)).expect("open")));
    });
    let mut fingerprint = Fingerprint::of(&std::fs::read(&path).expect("read"));
    group.bench_function("save", |b| {
        b.iter(|| {
            fingerprint = store::save(&path, &fx.keys, &fx.vault, Some(fingerprint)).expect("save");
        });
    });
    for query in ["s", "site12", "user99 opened"] {
        group.bench_function(format!("search_keystroke/{query}"), |b| {
            b.iter(|| black_box(fx.index.search(black_box(query))));
        });
    }
    group.bench_function("search_index_rebuild", |b| {
        b.iter(|| black_box(SearchIndex::build(&fx.vault)));
    });
    group.finish();
}

/// One `KeePass` XML database with `n` entries.
fn keepass_xml(n: usize) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><KeePassFile><Meta><Generator>qvault-bench\
         </Generator></Meta><Root><Group><UUID>AAAAAAAAAAAAAAAAAAAAAA==</UUID><Name>Root</Name>",
    );
    for i in 0..n {
        let uuid = data_encoding::BASE64.encode(uuid::Uuid::new_v4().as_bytes());
        let _ = write!(
            xml,
            "<Entry><UUID>{uuid}</UUID><String><Key>Title</Key><Value>site{i}.example</Value>\
             </String><String><Key>UserName</Key><Value>user{i}</Value></String><String><Key>\
             Password</Key><Value ProtectAsPassword=\"True\">pw-{i}</Value></String><String>\
             <Key>URL</Key><Value>https://site{i}.example/</Value></String></Entry>"
        );
    }
    xml.push_str("</Group></Root></KeePassFile>");
    xml
}

fn keepassxc(args: &[&str], stdin: &str) -> Option<()> {
    let mut child = Command::new("keepassxc-cli")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    std::io::Write::write_all(&mut child.stdin.take()?, stdin.as_bytes()).ok()?;
    child.wait().ok()?.success().then_some(())
}

/// `keepassxc-cli ls -R` on 10,000 entries minus the same on one entry
/// (same KDF), i.e. the listing's cost beside the KDF.
fn keepassxc_listing(dir: &Path) -> Option<Duration> {
    let mut paths = Vec::new();
    for (name, n) in [("big", SECRETS), ("one", 1)] {
        let xml = dir.join(format!("{name}.xml"));
        let db = dir.join(format!("{name}.kdbx"));
        std::fs::write(&xml, keepass_xml(n)).ok()?;
        let (xml, db) = (xml.to_str()?.to_owned(), db.to_str()?.to_owned());
        keepassxc(
            &["import", "-q", "-p", "-t", "200", &xml, &db],
            "benchpass\nbenchpass\n",
        )?;
        paths.push(db);
    }
    let runs = |db: &str| {
        time_n(5, || {
            let _ = keepassxc(&["ls", "-R", "-q", db], "benchpass\n");
        })
    };
    let big = runs(&paths[0]);
    let one = runs(&paths[1]);
    Some(big.saturating_sub(one))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn summary(fx: &Fixture) {
    let path = fx.dir.path().join("bench.qvault");
    let unlock = time_n(30, || {
        black_box(fx.keys.open(&fx.bytes).expect("open"));
    });
    let mut fingerprint = Fingerprint::of(&std::fs::read(&path).expect("read"));
    let save = time_n(30, || {
        fingerprint = store::save(&path, &fx.keys, &fx.vault, Some(fingerprint)).expect("save");
    });
    let search = time_n(200, || {
        black_box(fx.index.search("site12"));
    });
    println!("\nsummary ({SECRETS} secrets, medians)");
    println!(
        "  unlock without KDF: {:8.2} ms  (target <= 20 ms)",
        ms(unlock)
    );
    println!(
        "  save:               {:8.2} ms  (target <= 30 ms)",
        ms(save)
    );
    println!(
        "  search / keystroke: {:8.3} ms  (target <= 2 ms)",
        ms(search)
    );
    println!("  file size:          {:8} bytes", fx.bytes.len());
    match keepassxc_listing(fx.dir.path()) {
        Some(peer) => println!(
            "  keepassxc-cli ls -R beside its KDF: {:8.1} ms; Qvault unlock is {:.0}x faster",
            ms(peer),
            peer.as_secs_f64() / unlock.as_secs_f64()
        ),
        None => {
            println!("  keepassxc-cli not found: no peer comparison (apt-get install keepassxc)");
        }
    }
}

fn main() {
    let fx = fixture();
    let mut criterion = Criterion::default().configure_from_args();
    criterion_benches(&mut criterion, &fx);
    criterion.final_summary();
    summary(&fx);
}
