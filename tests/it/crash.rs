//! Crash safety of the safe save (DESIGN.md "Saving"): a child process saves
//! a vault in a loop and is killed with SIGKILL at random moments. After every
//! kill the vault must open as exactly the last version the child finished
//! saving or the one it was saving, never damaged, never an older one.
//!
//! The child is this test binary run again on the ignored test
//! `crash::saver_child`, which does nothing without `QVAULT_CRASH_VAULT`.

#![cfg(unix)]

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use qvault::crypto::recovery::RecoveryCode;
use qvault::crypto::{KdfParams, Password};
use qvault::store::{self, Credential, WriterLock};
use qvault::vault::{BoxKind, SecretContent, Vault};
use rand::Rng;

const KILLS: usize = 1_000;
const VAULT_ENV: &str = "QVAULT_CRASH_VAULT";
const CODE_ENV: &str = "QVAULT_CRASH_CODE";

/// The counter the child writes into its one secret.
/// 0 for the vault as created, before the counter existed.
fn counter(vault: &Vault) -> u64 {
    vault
        .boxes
        .first()
        .and_then(|b| b.secrets.first())
        .map_or(0, |secret| {
            secret
                .content
                .get("notes")
                .parse()
                .expect("the counter is a number")
        })
}

/// Opens the vault with its recovery code (no slow KDF, so a thousand rounds
/// stay quick) and reads the counter; panics, naming the round, if it does
/// not open.
fn open_counter(path: &Path, code: &str, round: usize) -> u64 {
    let code = RecoveryCode::parse(code).expect("code");
    match store::unlock(path, &Credential::RecoveryCode(code)) {
        Ok(opened) => counter(&opened.vault),
        Err(e) => panic!("after kill {round} the vault does not open: {e}"),
    }
}

#[test]
#[ignore = "the child process of kill_during_saves_never_loses_the_vault"]
fn saver_child() {
    let (Ok(path), Ok(code)) = (std::env::var(VAULT_ENV), std::env::var(CODE_ENV)) else {
        return;
    };
    let path = Path::new(&path);
    let _lock = WriterLock::acquire(path).expect("writer lock");
    let code = RecoveryCode::parse(&code).expect("code");
    let mut opened = store::unlock(path, &Credential::RecoveryCode(code)).expect("unlock");
    let (box_id, secret_id) = {
        let first = &opened.vault.boxes[0];
        (first.id, first.secrets[0].id)
    };
    let mut out = std::io::stdout().lock();
    let mut n = counter(&opened.vault);
    writeln!(out, "ready")
        .and_then(|()| out.flush())
        .expect("stdout");
    loop {
        n += 1;
        let mut content = SecretContent::default();
        content.set("name", "counter");
        content.set("notes", &n.to_string());
        opened
            .vault
            .update_secret(box_id, secret_id, content)
            .expect("update");
        writeln!(out, "begin {n}")
            .and_then(|()| out.flush())
            .expect("stdout");
        opened.fingerprint =
            store::save(path, &opened.keys, &opened.vault, Some(opened.fingerprint)).expect("save");
        writeln!(out, "done {n}")
            .and_then(|()| out.flush())
            .expect("stdout");
    }
}

#[test]
fn kill_during_saves_never_loses_the_vault() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("crash.qvault");
    let (mut opened, code) =
        store::create(&path, &Password::new("crash test"), KdfParams::FLOOR).expect("create");
    let notes = opened
        .vault
        .add_box("Counter", BoxKind::Notes)
        .expect("box");
    let mut content = SecretContent::default();
    content.set("name", "counter");
    content.set("notes", "0");
    opened.vault.add_secret(notes, content).expect("secret");
    store::save(&path, &opened.keys, &opened.vault, Some(opened.fingerprint)).expect("save");
    let code = code.to_display_string().to_string();

    let exe = std::env::current_exe().expect("test binary");
    let mut rng = rand::rng();
    let (mut mid_save, mut finished) = (0usize, 0usize);
    let mut last = 0;
    for round in 1..=KILLS {
        let mut child = Command::new(&exe)
            .args(["--exact", "crash::saver_child", "--ignored", "--nocapture"])
            .env(VAULT_ENV, &path)
            .env(CODE_ENV, &code)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the saving child");
        let stdout = child.stdout.take().expect("child stdout");
        let (tx, rx) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        // Wait until it is saving, then let it run 0 to 25 ms before the kill.
        loop {
            let line = rx
                .recv_timeout(Duration::from_secs(30))
                .unwrap_or_else(|_| panic!("round {round}: the child never became ready"));
            if line == "ready" {
                break;
            }
        }
        std::thread::sleep(Duration::from_micros(rng.random_range(0..25_000)));
        child.kill().expect("SIGKILL");
        child.wait().expect("reap");
        reader.join().expect("reader");

        let (mut begun, mut done) = (None, None);
        for line in rx.try_iter() {
            if let Some(n) = line.strip_prefix("begin ") {
                begun = Some(n.parse::<u64>().expect("number"));
            } else if let Some(n) = line.strip_prefix("done ") {
                done = Some(n.parse::<u64>().expect("number"));
            }
        }
        let found = open_counter(&path, &code, round);
        match (begun, done) {
            // Killed before its first save began: the file is as it was.
            (None, _) => assert_eq!(found, last, "round {round}: no save began"),
            (Some(b), d) if d == Some(b) => {
                assert_eq!(
                    found, b,
                    "round {round}: saved {b} but the file holds {found}"
                );
                finished += 1;
            }
            (Some(b), _) => {
                assert!(
                    found == b || found + 1 == b,
                    "round {round}: killed while saving {b}, the file holds {found}"
                );
                mid_save += 1;
            }
        }
        // The backup opens too, and is never newer than the vault (a kill
        // between keeping the backup and the rename leaves them equal).
        let previous = open_counter(&store::backup_path(&path), &code, round);
        assert!(
            previous <= found,
            "round {round}: backup {previous}, vault {found}"
        );
        // The next child starts from what is on disk.
        last = found;
    }
    // The kills landed both between saves and inside them, so both outcomes
    // were exercised.
    assert!(mid_save > 0, "no kill landed during a save");
    assert!(finished > 0, "no kill landed between saves");

    // Stale temp files of killed saves are cleared when a writer opens the
    // vault again, so crashes leave no litter beside it.
    let _lock = WriterLock::acquire(&path).expect("writer lock");
    let litter: Vec<_> = std::fs::read_dir(dir.path())
        .expect("read dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".tmp-"))
        .collect();
    assert!(
        litter.is_empty(),
        "temp files left beside the vault: {litter:?}"
    );
    println!(
        "{KILLS} kills: {mid_save} during a save, {finished} between saves; every one survived"
    );
}
