//! The `tradeoff` binary: parse the command line, then hand over to the library.

use clap::Parser;

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    tradeoff::startup::tune_allocator();
    tradeoff::telemetry::init();
    let cli = tradeoff::cli::Cli::parse();
    match tradeoff::cli::run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
