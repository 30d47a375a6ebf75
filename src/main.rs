use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match tollgate::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                tollgate::cli::EXIT_ERROR
            } else {
                tollgate::cli::EXIT_CLEAN
            };
            // --help/--version print to stdout; a closed pipe there is not an error.
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    tollgate::cli::run(cli)
}
