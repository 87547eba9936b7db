//! `arena`: the command-line entry point. Everything lives in the harness crate; this file only
//! hands over and turns the outcome into an exit code.

fn main() {
    arena_harness::executor::install_interrupt_handler();
    match arena_harness::cli::main() {
        Ok(code) => std::process::exit(code),
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::exit(2);
        }
    }
}
