//! The `qvault` executable: the window when given no subcommand, the command
//! line otherwise.

use std::process::ExitCode;

use clap::Parser;
use qvault::cli::Cli;

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    qvault::hardening::harden_process();
    let cli = Cli::parse();
    match cli.command {
        None => match qvault::ui::run(
            cli.vault,
            qvault::ui::LaunchCheck {
                enabled: !cli.no_update_check,
                manifest_url: cli.manifest_url,
            },
        ) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("qvault: failed to open the window: {e}");
                ExitCode::FAILURE
            }
        },
        Some(command) => {
            let code = qvault::cli::run_with(
                command,
                cli.vault,
                cli.password_stdin,
                cli.manifest_url,
                cli.qr_key.as_deref(),
            );
            ExitCode::from(u8::try_from(code).unwrap_or(1))
        }
    }
}
