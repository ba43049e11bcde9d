//! The update check and install against a release manifest served on
//! 127.0.0.1 by the test, with archives signed at run time by a key pair
//! the test makes (the executable's own keys are never used here).

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::ui::{has_label, step_until};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use qvault::ui::{LaunchCheck, QvaultApp};
use qvault::update::{self, CheckOutcome, Offer, UpdateConfig, UpdateError};
use zipsign_api::SigningKey;

const NEW_VERSION: &str = "9.9.9";

/// A throwaway HTTP server: serves `files` by path, or (stalling) accepts
/// connections and never answers.
struct Server {
    url: String,
}

fn serve(files: HashMap<String, Vec<u8>>, stall: bool) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let files = Arc::new(files);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let files = Arc::clone(&files);
            std::thread::spawn(move || answer(stream, &files, stall));
        }
    });
    Server { url }
}

fn answer(mut stream: TcpStream, files: &HashMap<String, Vec<u8>>, stall: bool) {
    if stall {
        std::thread::sleep(Duration::from_mins(1));
        return;
    }
    let mut request = Vec::new();
    let mut byte = [0u8; 1];
    while !request.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
        request.push(byte[0]);
    }
    let request = String::from_utf8_lossy(&request);
    let path = request.split_whitespace().nth(1).unwrap_or("/");
    let (status, body) = match files.get(path) {
        Some(body) => ("200 OK", body.as_slice()),
        None => ("404 Not Found", &b"not found"[..]),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

fn new_key() -> SigningKey {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).expect("randomness");
    SigningKey::from_bytes(&seed)
}

fn archive_name(version: &str) -> String {
    format!("qvault-{version}-{}.tar.gz", self_update::get_target())
}

/// A release archive whose `qvault` is a script that reports `version`.
fn archive(version: &str) -> Vec<u8> {
    let name = archive_name(version);
    let folder = name.trim_end_matches(".tar.gz");
    let script = format!("#!/bin/sh\necho \"qvault {version}\"\n");
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    let mut header = tar::Header::new_gnu();
    header.set_size(script.len() as u64);
    header.set_mode(0o755);
    header.set_cksum();
    tar.append_data(&mut header, format!("{folder}/qvault"), script.as_bytes())
        .expect("append");
    tar.into_inner().expect("tar").finish().expect("gzip")
}

fn sign(archive: &[u8], name: &str, key: &SigningKey) -> Vec<u8> {
    let mut output = std::io::Cursor::new(Vec::new());
    zipsign_api::sign::copy_and_sign_tar(
        &mut std::io::Cursor::new(archive),
        &mut output,
        std::slice::from_ref(key),
        Some(name.as_bytes()),
    )
    .expect("sign");
    output.into_inner()
}

/// Serves a manifest offering `version` with `archive` as its asset.
fn release_server(version: &str, archive: Vec<u8>) -> Server {
    let name = archive_name(version);
    let manifest = serde_json::json!({
        "schema": 1,
        "releases": [{
            "version": version,
            "notes_url": "https://example.org/notes",
            "assets": [{ "name": name, "url": name }],
        }],
    });
    let files = HashMap::from([
        (
            "/manifest.json".to_owned(),
            manifest.to_string().into_bytes(),
        ),
        (format!("/{name}"), archive),
    ]);
    serve(files, false)
}

fn config(server: &Server, key: &SigningKey) -> UpdateConfig {
    UpdateConfig {
        manifest_url: format!("{}/manifest.json", server.url),
        current_version: update::VERSION.to_owned(),
        keys: vec![key.verifying_key().to_bytes()],
    }
}

/// A copy of the built executable in its own folder.
fn binary_copy(dir: &Path) -> PathBuf {
    let copy = dir.join("qvault");
    std::fs::copy(env!("CARGO_BIN_EXE_qvault"), &copy).expect("copy the binary");
    copy
}

fn version_of(exe: &Path) -> String {
    let output = Command::new(exe)
        .arg("--version")
        .output()
        .expect("run the copy");
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

fn offered(config: &UpdateConfig) -> Offer {
    match update::check(config).expect("the check succeeds") {
        CheckOutcome::Available(offer) => offer,
        CheckOutcome::UpToDate => panic!("expected an offer"),
    }
}

/// Installs what the server offers into a fresh copy of the binary; returns
/// the outcome and whether the copy is unchanged.
fn install_into_copy(config: &UpdateConfig) -> (Result<(), UpdateError>, bool) {
    let dir = tempfile::tempdir().expect("temp dir");
    let exe = binary_copy(dir.path());
    let before = std::fs::read(&exe).expect("read");
    let result = update::install(config, &offered(config), &exe);
    let unchanged = std::fs::read(&exe).expect("read") == before;
    let leftovers = std::fs::read_dir(dir.path()).expect("list").count();
    assert_eq!(leftovers, 1, "the download folder is cleaned up");
    (result, unchanged)
}

fn qvault_cli(args: &[&str]) -> (i32, String, String, Duration) {
    let started = Instant::now();
    let home = tempfile::tempdir().expect("temp dir");
    let output = Command::new(env!("CARGO_BIN_EXE_qvault"))
        .args(args)
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .output()
        .expect("run qvault");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        started.elapsed(),
    )
}

#[test]
fn a_newer_signed_release_is_offered_and_installs_into_a_copy_of_the_binary() {
    let key = new_key();
    let signed = sign(&archive(NEW_VERSION), &archive_name(NEW_VERSION), &key);
    let server = release_server(NEW_VERSION, signed);
    let config = config(&server, &key);

    let offer = offered(&config);
    assert_eq!(offer.version, NEW_VERSION);
    assert_eq!(
        offer.notes_url.as_deref(),
        Some("https://example.org/notes")
    );

    let dir = tempfile::tempdir().expect("temp dir");
    let exe = binary_copy(dir.path());
    assert!(version_of(&exe).starts_with(&format!("qvault {}", update::VERSION)));
    update::install(&config, &offer, &exe).expect("the signed release installs");
    assert_eq!(version_of(&exe), format!("qvault {NEW_VERSION}"));
}

#[test]
fn the_cli_check_reports_an_available_update() {
    let server = release_server(NEW_VERSION, archive(NEW_VERSION));
    let url = format!("{}/manifest.json", server.url);
    let (code, stdout, stderr, _) = qvault_cli(&["update", "--check", "--manifest-url", &url]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.trim(), format!("update available: {NEW_VERSION}"));
}

#[test]
fn a_tampered_archive_is_refused_and_the_binary_is_unchanged() {
    let key = new_key();
    let mut signed = sign(&archive(NEW_VERSION), &archive_name(NEW_VERSION), &key);
    let middle = signed.len() / 2;
    signed[middle] ^= 0x40;
    let server = release_server(NEW_VERSION, signed);
    let (result, unchanged) = install_into_copy(&config(&server, &key));
    assert!(
        matches!(result, Err(UpdateError::Signature { .. })),
        "{result:?}"
    );
    assert!(unchanged);
}

#[test]
fn an_archive_signed_with_another_key_is_refused_and_the_binary_is_unchanged() {
    let signed = sign(
        &archive(NEW_VERSION),
        &archive_name(NEW_VERSION),
        &new_key(),
    );
    let server = release_server(NEW_VERSION, signed);
    let (result, unchanged) = install_into_copy(&config(&server, &new_key()));
    let message = result.expect_err("refused").to_string();
    assert!(
        message.contains("is not signed by a Qvault release key"),
        "{message}"
    );
    assert!(message.contains("nothing was replaced"), "{message}");
    assert!(unchanged);
}

#[test]
fn an_unsigned_archive_is_refused_and_the_binary_is_unchanged() {
    let server = release_server(NEW_VERSION, archive(NEW_VERSION));
    let (result, unchanged) = install_into_copy(&config(&server, &new_key()));
    assert!(
        matches!(result, Err(UpdateError::Signature { .. })),
        "{result:?}"
    );
    assert!(unchanged);
}

#[test]
fn an_older_or_equal_version_is_not_offered_and_refused_if_asked_to_install() {
    let key = new_key();
    for version in ["0.0.1", update::VERSION] {
        let signed = sign(&archive(version), &archive_name(version), &key);
        let server = release_server(version, signed);
        let config = config(&server, &key);
        assert_eq!(
            update::check(&config).expect("checked"),
            CheckOutcome::UpToDate
        );

        let url = config.manifest_url.clone();
        let (code, stdout, _, _) = qvault_cli(&["update", "--check", "--manifest-url", &url]);
        assert_eq!((code, stdout.trim()), (0, "up to date"));

        let dir = tempfile::tempdir().expect("temp dir");
        let exe = binary_copy(dir.path());
        let offer = Offer {
            version: version.to_owned(),
            notes_url: None,
            asset_name: archive_name(version),
            asset_url: format!("{}/{}", server.url, archive_name(version)),
        };
        let refused = update::install(&config, &offer, &exe).expect_err("refused");
        assert!(matches!(refused, UpdateError::NotNewer { .. }), "{refused}");
        assert!(refused.to_string().contains("is not newer"), "{refused}");
        assert!(version_of(&exe).starts_with(&format!("qvault {}", update::VERSION)));
    }
}

#[test]
fn a_server_that_is_down_makes_the_cli_check_say_why_with_exit_1() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address").port()
    };
    let url = format!("http://127.0.0.1:{port}/manifest.json");
    let (code, stdout, stderr, _) = qvault_cli(&["update", "--check", "--manifest-url", &url]);
    assert_eq!(code, 1);
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("failed to read the release manifest"),
        "{stderr}"
    );
}

#[test]
fn a_stalled_server_makes_the_cli_check_give_up_within_15_seconds() {
    let server = serve(HashMap::new(), true);
    let url = format!("{}/manifest.json", server.url);
    let (code, _, stderr, took) = qvault_cli(&["update", "--check", "--manifest-url", &url]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("failed to read the release manifest"),
        "{stderr}"
    );
    assert!(took < Duration::from_secs(15), "took {took:?}");
}

fn harness_checking(dir: &Path, manifest_url: String) -> Harness<'static, QvaultApp> {
    crate::common::ui::app_harness_with(dir, move |app| {
        app.with_update_check(LaunchCheck {
            enabled: true,
            manifest_url: Some(manifest_url),
        })
    })
}

#[test]
fn a_stalled_or_absent_update_server_leaves_the_window_starting_normally() {
    let stalled = serve(HashMap::new(), true);
    for url in [
        format!("{}/manifest.json", stalled.url),
        "http://127.0.0.1:9/m.json".into(),
    ] {
        let dir = tempfile::tempdir().expect("temp dir");
        let started = Instant::now();
        let mut harness = harness_checking(dir.path(), url);
        harness.run_steps(5);
        assert!(
            has_label(&harness, "Vault file"),
            "the first-run screen is drawn"
        );
        assert!(!has_label(&harness, "Install and restart"));
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "no frame waited on the network"
        );
    }
}

#[test]
fn a_newer_release_shows_the_banner_and_skipping_it_hides_it_for_good() {
    let server = release_server(NEW_VERSION, archive(NEW_VERSION));
    let dir = tempfile::tempdir().expect("temp dir");
    let mut harness = harness_checking(dir.path(), format!("{}/manifest.json", server.url));
    step_until(&mut harness, "the update banner", |h| {
        has_label(h, "Install and restart")
    });
    assert!(has_label(&harness, "Release notes"));

    harness.get_by_label("Skip this version").click();
    harness.run_steps(3);
    assert!(!has_label(&harness, "Install and restart"));
    assert_eq!(
        harness.state().settings().skipped_version.as_deref(),
        Some(NEW_VERSION)
    );
}
