//! Portable mode: with `qvault.portable` beside the executable, everything
//! lands in `qvault-data/` beside it and nothing in HOME or the XDG folders.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::common::cli::lines;

/// Every file and folder under `dir`.
fn tree(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).expect("list").flatten() {
        let path = entry.path();
        found.push(path.display().to_string());
        if path.is_dir() {
            found.extend(tree(&path));
        }
    }
    found
}

#[cfg(unix)]
fn read_only(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o555)).expect("chmod");
}

#[cfg(unix)]
#[test]
fn portable_mode_keeps_the_vault_beside_the_executable_and_writes_nothing_in_home() {
    let root = tempfile::tempdir().expect("temp dir");
    let app = root.path().join("app");
    let home = root.path().join("home");
    for dir in [
        &app,
        &home.join("data"),
        &home.join("config"),
        &home.join("cache"),
    ] {
        fs::create_dir_all(dir).expect("mkdir");
    }
    let exe = app.join("qvault");
    fs::copy(env!("CARGO_BIN_EXE_qvault"), &exe).expect("copy the binary");
    fs::write(app.join("qvault.portable"), b"").expect("marker");
    for dir in [
        &home.join("data"),
        &home.join("config"),
        &home.join("cache"),
        &home,
    ] {
        read_only(dir);
    }

    let run = |args: &[&str], stdin: &str| {
        let mut child = Command::new(&exe)
            .args(args)
            .arg("--password-stdin")
            .env("HOME", &home)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start qvault");
        let mut input = child.stdin.take().expect("piped");
        std::io::Write::write_all(&mut input, stdin.as_bytes()).expect("stdin");
        drop(input);
        child.wait_with_output().expect("wait")
    };
    let created = run(
        &["create"],
        &lines(&["Portable-Pass-71", "Portable-Pass-71"]),
    );
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let added = run(
        &["add", "Logins", "--field", "issuer=example.org"],
        &lines(&["Portable-Pass-71"]),
    );
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );

    let data = app.join("qvault-data");
    assert!(data.join("vault.qvault").is_file());
    assert!(
        data.join("vault.qvault.bak").is_file(),
        "the backup is beside the vault"
    );
    let mut in_home = tree(&home);
    in_home.sort();
    let expected: Vec<String> = ["cache", "config", "data"]
        .iter()
        .map(|d| home.join(d).display().to_string())
        .collect();
    assert_eq!(
        in_home, expected,
        "nothing written in HOME or the XDG folders"
    );
    let mut beside: Vec<String> = tree(&app);
    beside.sort();
    assert!(
        beside
            .iter()
            .all(|p| p.starts_with(&data.display().to_string())
                || p.ends_with("qvault")
                || p.ends_with("qvault.portable")),
        "{beside:?}"
    );
}
