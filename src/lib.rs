//! Qvault: a native desktop password manager that specialises in
//! cryptocurrency keys. The library holds everything; `main.rs` only parses
//! arguments and hands over to the window or the command line.

/// Every block the program frees is wiped first: secrets pass through
/// buffers Qvault does not own (egui's text, layout caches and events,
/// serde's scratch space), and this keeps them from lingering in freed
/// memory after the vault locks. In the library, so that the app, the server,
/// the tests and the benchmarks all run with it.
#[global_allocator]
static ALLOCATOR: zeroize_alloc::ZeroizingAllocator<std::alloc::System> =
    zeroize_alloc::ZeroizingAllocator(std::alloc::System);

pub mod cli;
pub mod crypto;
pub mod export;
pub mod hardening;
pub mod import;
pub mod paths;
pub mod qr;
#[cfg(target_os = "linux")]
pub mod screen_lock;
#[cfg(feature = "server")]
pub mod server;
pub mod settings;
pub mod store;
pub mod sync;
pub mod ui;
pub mod update;
pub mod vault;
pub mod wallet;
