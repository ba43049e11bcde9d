//! TEST DOUBLE of qvault-server's wire contract (`src/sync/wire.rs`), for
//! the client's tests only, until the real server is merged: a plain
//! `TcpListener` on 127.0.0.1 that keeps accounts and one vault per account
//! in memory, answers one request per connection, and can be told to answer
//! the next matching request with a canned status or to close the
//! connection in the middle of the body. It checks nothing the real server
//! checks beyond what the client's behaviour depends on.

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;

use qvault::sync::wire;

/// A canned answer for the next request with this method and path.
#[derive(Debug, Clone)]
pub enum Canned {
    Status(u16, &'static str),
    /// Headers promising 1000 bytes, 10 bytes, then the connection closes.
    CloseMidBody,
}

/// An account's auth key (base64) and its vault file with its revision.
type Account = (String, Option<(Vec<u8>, u64)>);

#[derive(Default)]
struct State {
    /// By email.
    accounts: HashMap<String, Account>,
    tokens: HashMap<String, String>,
    script: VecDeque<(&'static str, &'static str, Canned)>,
    log: Vec<String>,
    next_token: u64,
}

pub struct FakeServer {
    pub url: String,
    state: Arc<Mutex<State>>,
}

impl FakeServer {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let state = Arc::new(Mutex::new(State::default()));
        let shared = Arc::clone(&state);
        thread::Builder::new()
            .name("fake-sync-server".into())
            .spawn(move || {
                for stream in listener.incoming().flatten() {
                    handle(stream, &shared);
                }
            })
            .expect("spawn");
        Self { url, state }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Answers the next `method path` request with `canned` instead.
    pub fn script(&self, method: &'static str, path: &'static str, canned: Canned) {
        self.state().script.push_back((method, path, canned));
    }

    /// "METHOD PATH" of every request so far.
    pub fn requests(&self) -> Vec<String> {
        self.state().log.clone()
    }

    /// The stored vault of an account, as another device left it.
    pub fn vault_of(&self, email: &str) -> Option<(Vec<u8>, u64)> {
        self.state().accounts.get(email).and_then(|a| a.1.clone())
    }

    /// Another device uploads (the revision goes up by one).
    pub fn replace_vault(&self, email: &str, bytes: Vec<u8>) {
        let mut state = self.state();
        let account = state.accounts.get_mut(email).expect("account");
        let revision = account.1.as_ref().map_or(0, |v| v.1) + 1;
        account.1 = Some((bytes, revision));
    }
}

struct Request {
    method: String,
    path: String,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

fn read_request(stream: &TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next()?.to_owned(), parts.next()?.to_owned());
    let mut headers = HashMap::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        path,
        headers,
        body,
    })
}

fn handle(mut stream: TcpStream, state: &Mutex<State>) {
    let Some(request) = read_request(&stream) else {
        return;
    };
    let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
    state
        .log
        .push(format!("{} {}", request.method, request.path));
    let scripted = state
        .script
        .iter()
        .position(|(m, p, _)| *m == request.method && *p == request.path)
        .and_then(|i| state.script.remove(i));
    let answer = match scripted {
        Some((_, _, Canned::Status(status, error))) => {
            let body = serde_json::to_vec(&wire::ApiError {
                error: error.into(),
            })
            .expect("json");
            respond(status, &[], &body)
        }
        Some((_, _, Canned::CloseMidBody)) => {
            b"HTTP/1.1 200 OK\r\nETag: \"9\"\r\nContent-Length: 1000\r\n\r\n0123456789".to_vec()
        }
        None => answer(&mut state, &request),
    };
    drop(state);
    let _ = stream.write_all(&answer);
    let _ = stream.flush();
}

fn respond(status: u16, headers: &[(&str, String)], body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        out.push_str(name);
        out.push_str(": ");
        out.push_str(value);
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

fn error(status: u16, message: &str) -> Vec<u8> {
    let body = serde_json::to_vec(&wire::ApiError {
        error: message.into(),
    })
    .expect("json");
    respond(status, &[], &body)
}

fn session(state: &mut State, email: &str) -> Vec<u8> {
    state.next_token += 1;
    let token = format!("token-{}", state.next_token);
    state.tokens.insert(token.clone(), email.to_owned());
    let body = serde_json::to_vec(&wire::Session {
        token,
        expires_at: 0,
    })
    .expect("json");
    respond(200, &[], &body)
}

fn answer(state: &mut State, request: &Request) -> Vec<u8> {
    match (request.method.as_str(), request.path.as_str()) {
        ("POST", wire::REGISTER) => {
            let Ok(creds) = serde_json::from_slice::<wire::Credentials>(&request.body) else {
                return error(400, "bad request");
            };
            if state.accounts.contains_key(&creds.email) {
                return error(409, "that email is taken");
            }
            state
                .accounts
                .insert(creds.email.clone(), (creds.auth_key, None));
            let mut answer = session(state, &creds.email);
            answer[9..12].copy_from_slice(b"201");
            answer
        }
        ("POST", wire::LOGIN) => {
            let Ok(creds) = serde_json::from_slice::<wire::Credentials>(&request.body) else {
                return error(400, "bad request");
            };
            match state.accounts.get(&creds.email) {
                Some((key, _)) if *key == creds.auth_key => session(state, &creds.email),
                _ => error(401, "email or password is wrong"),
            }
        }
        (method, path) => authorized(state, request, method, path),
    }
}

fn authorized(state: &mut State, request: &Request, method: &str, path: &str) -> Vec<u8> {
    let email = request
        .headers
        .get("authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .and_then(|t| state.tokens.get(t))
        .cloned();
    let Some(email) = email else {
        return error(401, "log in first");
    };
    match (method, path) {
        ("POST", wire::LOGOUT) => respond(204, &[], b""),
        ("GET", wire::VAULT) => match &state.accounts[&email].1 {
            Some((bytes, revision)) => respond(200, &[("ETag", wire::etag(*revision))], bytes),
            None => error(404, "no vault yet"),
        },
        ("PUT", wire::VAULT) => put_vault(state, request, &email),
        _ => error(404, "not found"),
    }
}

fn put_vault(state: &mut State, request: &Request, email: &str) -> Vec<u8> {
    let Some(if_match) = request.headers.get("if-match") else {
        return error(428, "If-Match is required");
    };
    let account = state.accounts.get_mut(email).expect("account");
    let current = account.1.as_ref().map_or(wire::NO_REVISION, |v| v.1);
    if wire::parse_etag(if_match) != Some(current) {
        return error(412, "the vault changed");
    }
    let revision = current + 1;
    account.1 = Some((request.body.clone(), revision));
    let body = serde_json::to_vec(&wire::Revision { revision }).expect("json");
    respond(200, &[], &body)
}
