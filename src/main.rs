//! The `koe` binary: parse arguments, run the subcommand, map errors to exit codes.
//!
//! Exit codes: 0 success, 1 a failure (missing input, unwritable output, bad query, …),
//! 2 a usage error (from clap).

mod cli;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    match cli::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) if is_broken_pipe(&error) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("koe: error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// `koe search … | head` closes stdout early; that is not an error worth reporting.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
