//! qvault-server under load on loopback: 50 clients (threads with ureq),
//! each with its own account, downloading and uploading a 256 KiB vault for
//! a few seconds per phase. Prints requests per second, MB/s and p50/p99
//! latency for SQLite and, when `QVAULT_TEST_DATABASE_URL` is set, for
//! PostgreSQL. Run: `cargo bench --features server --bench sync_server`.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use data_encoding::BASE64;
use qvault::server::{Config, Database};
use qvault::sync::wire::{self, Credentials, Revision, Session};
use tokio::sync::oneshot;
use ureq::Agent;

const CLIENTS: usize = 50;
const VAULT_BYTES: usize = 256 * 1024;
const PHASE: Duration = Duration::from_secs(5);

fn main() -> anyhow::Result<()> {
    let data = tempfile::tempdir()?;
    run_backend("SQLite", Config::sqlite(data.path().join("server")))?;
    match std::env::var("QVAULT_TEST_DATABASE_URL") {
        Ok(url) => run_backend("PostgreSQL", Config::with_database(Database::Url(url)))?,
        Err(_) => println!("PostgreSQL: skipped (QVAULT_TEST_DATABASE_URL unset)"),
    }
    Ok(())
}

fn run_backend(name: &str, config: Config) -> anyhow::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = oneshot::channel::<()>();
    let server = std::thread::Builder::new()
        .name("bench-server".into())
        .spawn(move || -> anyhow::Result<()> {
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(qvault::server::serve(config, listener, async {
                let _ = stopped.await;
            }))
        })?;

    let clients = (0..CLIENTS)
        .map(|i| Client::register(&base, i))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let vault = vec![0xA5u8; VAULT_BYTES];
    let (clients, puts) = phase(clients, |client| client.put(&vault))?;
    let (_, gets) = phase(clients, Client::get)?;
    report(name, "PUT", &puts);
    report(name, "GET", &gets);

    let _ = stop.send(());
    server
        .join()
        .map_err(|_| anyhow::anyhow!("server thread panicked"))??;
    Ok(())
}

struct Client {
    agent: Agent,
    base: String,
    token: String,
    revision: u64,
}

impl Client {
    fn register(base: &str, index: usize) -> anyhow::Result<Self> {
        let agent: Agent = Agent::config_builder()
            .timeout_global(Some(Duration::from_mins(1)))
            .build()
            .into();
        let credentials = Credentials {
            email: format!("bench-{index}-{}@example.com", std::process::id()),
            auth_key: BASE64.encode(&[7u8; 32]),
        };
        let session: Session = agent
            .post(format!("{base}{}", wire::REGISTER))
            .send_json(&credentials)?
            .body_mut()
            .read_json()?;
        Ok(Self {
            agent,
            base: base.to_owned(),
            token: session.token,
            revision: wire::NO_REVISION,
        })
    }

    fn put(&mut self, vault: &[u8]) -> anyhow::Result<()> {
        let answer: Revision = self
            .agent
            .put(format!("{}{}", self.base, wire::VAULT))
            .header("Authorization", format!("Bearer {}", self.token))
            .header("If-Match", wire::etag(self.revision))
            .send(vault)?
            .body_mut()
            .read_json()?;
        self.revision = answer.revision;
        Ok(())
    }

    fn get(&mut self) -> anyhow::Result<()> {
        let bytes = self
            .agent
            .get(format!("{}{}", self.base, wire::VAULT))
            .header("Authorization", format!("Bearer {}", self.token))
            .call()?
            .body_mut()
            .read_to_vec()?;
        anyhow::ensure!(bytes.len() == VAULT_BYTES, "short vault");
        Ok(())
    }
}

/// Every client repeats `request` for [`PHASE`]; returns the clients and
/// all latencies.
fn phase(
    clients: Vec<Client>,
    request: impl Fn(&mut Client) -> anyhow::Result<()> + Sync,
) -> anyhow::Result<(Vec<Client>, Vec<Duration>)> {
    let request = &request;
    std::thread::scope(|scope| {
        let workers: Vec<_> = clients
            .into_iter()
            .map(|mut client| {
                scope.spawn(move || -> anyhow::Result<(Client, Vec<Duration>)> {
                    let mut latencies = Vec::new();
                    let end = Instant::now() + PHASE;
                    while Instant::now() < end {
                        let started = Instant::now();
                        request(&mut client)?;
                        latencies.push(started.elapsed());
                    }
                    Ok((client, latencies))
                })
            })
            .collect();
        let mut clients = Vec::new();
        let mut latencies = Vec::new();
        for worker in workers {
            let (client, times) = worker
                .join()
                .map_err(|_| anyhow::anyhow!("client thread panicked"))??;
            clients.push(client);
            latencies.extend(times);
        }
        Ok((clients, latencies))
    })
}

#[expect(
    clippy::cast_precision_loss,
    reason = "request and byte counts are far below 2^52"
)]
fn report(backend: &str, method: &str, latencies: &[Duration]) {
    let mut sorted = latencies.to_vec();
    sorted.sort_unstable();
    let percentile = |p: usize| {
        sorted
            .get(sorted.len() * p / 100)
            .copied()
            .unwrap_or_default()
    };
    let per_sec = sorted.len() as f64 / PHASE.as_secs_f64();
    let mb_per_sec = per_sec * VAULT_BYTES as f64 / 1e6;
    println!(
        "{backend:<10} {method} 256 KiB x {CLIENTS} clients: {per_sec:7.0} req/s {mb_per_sec:7.1} MB/s \
         p50 {:6.1} ms p99 {:6.1} ms ({} requests)",
        percentile(50).as_secs_f64() * 1e3,
        percentile(99).as_secs_f64() * 1e3,
        sorted.len()
    );
}
