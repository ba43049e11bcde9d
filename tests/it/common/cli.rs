//! Running the built `qvault` binary as a user does: passwords on stdin,
//! HOME and the XDG folders inside a temporary folder.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use sha2::{Digest, Sha256};

/// What a run of the binary gave back.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `qvault ARGS --password-stdin` with `stdin` and HOME set to `home`.
pub fn qvault(home: &Path, args: &[&str], stdin: &str) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_qvault"))
        .args(args)
        .arg("--password-stdin")
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env_remove("RUST_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start qvault");
    let mut input = child.stdin.take().expect("stdin is piped");
    // A command that fails before reading its passwords closes the pipe early.
    if let Err(err) = input.write_all(stdin.as_bytes()) {
        assert_eq!(
            err.kind(),
            std::io::ErrorKind::BrokenPipe,
            "write stdin: {err}"
        );
    }
    drop(input);
    let output = child.wait_with_output().expect("wait for qvault");
    Run {
        code: output.status.code().expect("qvault exited normally"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `qvault ARGS --vault PATH`, with one password line.
pub fn with_vault(path: &Path, args: &[&str], stdin: &str) -> Run {
    let home = path.parent().expect("the vault is in a folder");
    let path = path.to_str().expect("a UTF-8 temp path");
    qvault(home, &[args, &["--vault", path]].concat(), stdin)
}

pub fn lines(passwords: &[&str]) -> String {
    passwords.iter().flat_map(|p| [p, "\n"]).collect()
}

pub fn sha256(path: &Path) -> Vec<u8> {
    Sha256::digest(fs::read(path).expect("read vault")).to_vec()
}
