//! The `koe` binary: parse arguments, run the subcommand, map errors to exit codes.
//!
//! Exit codes: 0 success, 1 a failure (missing input, unwritable output, bad query, …),
//! 2 a usage error (from clap), 128 + the signal for a run stopped by one (130 for Ctrl-C,
//! 143 for SIGTERM).

mod cli;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    match cli::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) if is_broken_pipe(&error) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("koe: error: {error:#}");
            match interrupted_by(&error) {
                Some(signal) => std::process::ExitCode::from(128 + signal),
                None => std::process::ExitCode::FAILURE,
            }
        }
    }
}

/// The signal that stopped a run, if one did.
fn interrupted_by(error: &anyhow::Error) -> Option<u8> {
    error.chain().find_map(|cause| match cause.downcast_ref() {
        Some(koe::pipeline::Error::Interrupted(signal)) => u8::try_from(*signal).ok(),
        _ => None,
    })
}

/// `koe search … | head` closes stdout early; that is not an error worth reporting.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
