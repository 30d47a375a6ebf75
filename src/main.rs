use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // Lets end-to-end tests verify the binary they run was built from their own checkout (several
    // worktrees sharing a CARGO_TARGET_DIR overwrite each other's `target/debug/tollgate`).
    if std::env::var_os("TOLLGATE_PROBE_BUILD_DIR").is_some() {
        let _ = writeln!(std::io::stdout(), "{}", env!("CARGO_MANIFEST_DIR"));
        return ExitCode::SUCCESS;
    }
    let cli = match tollgate::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                tollgate::outcome::EXIT_ERROR
            } else {
                tollgate::outcome::EXIT_CLEAN
            };
            // --help/--version print to stdout; a closed pipe there is not an error.
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    // A panic anywhere becomes exit 2 naming the place in tollgate's code, never the payload
    // (which may quote file content).
    tollgate::engine::guard::catch(|| tollgate::cli::run(cli)).unwrap_or_else(|place| {
        let _ = writeln!(
            std::io::stderr(),
            "error: internal error (panic at {place}); please report it as a tollgate bug"
        );
        ExitCode::from(tollgate::cli::EXIT_ERROR)
    })
}
