//! `arena`: the command-line entry point. Everything lives in the harness crate; this file only
//! installs the interrupt handler, hands over and turns the outcome into an exit code.

fn main() {
    let cancel = arena_harness::measure::Cancel::new();
    if let Err(error) = cancel.on_interrupt() {
        eprintln!("warning: {error:#}; Ctrl-C will end the harness without saving the running case");
    }
    match arena_harness::cli::main(cancel) {
        Ok(code) => std::process::exit(code),
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::exit(2);
        }
    }
}
