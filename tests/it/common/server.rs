//! A real qvault-server binary on a free loopback port, for the tests that
//! sync (built with the `server` feature).

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// A running qvault-server, stopped when dropped.
pub struct Server {
    child: Child,
    pub url: String,
    _data: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start_server() -> Server {
    let data = tempfile::tempdir().expect("data dir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let listen = format!("127.0.0.1:{port}");
    // `option_env!` so that this file compiles (under --all-features) before
    // the server branch adds the binary; with it, the path is always set.
    let Some(binary) = option_env!("CARGO_BIN_EXE_qvault-server") else {
        panic!("the server feature builds the qvault-server binary");
    };
    let child = Command::new(binary)
        .arg("--data")
        .arg(data.path())
        .arg("--listen")
        .arg(&listen)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start qvault-server");
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(&listen).is_err() {
        assert!(Instant::now() < deadline, "qvault-server did not start");
        thread::sleep(Duration::from_millis(50));
    }
    Server {
        child,
        url: format!("http://{listen}"),
        _data: data,
    }
}
