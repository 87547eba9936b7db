//! The command line of the Rust workloads: maps `arena-rust <workload> <model> key=value ...`
//! to the function that runs that workload variant and turns usage errors into exit code 2.
//! It must not measure anything, print to stdout, or pick runtime knobs on its own (every
//! worker count arrives as an explicit `workers=` parameter).

mod cpu_scale;
mod http_io;
mod kernel;
mod loop_blocking;
mod protocol;
mod server;
mod sleep_tasks;

use std::process::ExitCode;

use protocol::{Params, UsageError, EXIT_USAGE};

/// One runnable (workload, model) pair: the parameter keys it requires and its body.
struct Variant {
    workload: &'static str,
    model: &'static str,
    keys: &'static [&'static str],
    run: fn(&Params) -> Result<(), UsageError>,
}

const VARIANTS: &[Variant] = &[
    Variant {
        workload: "cpu-scale",
        model: "threads",
        keys: cpu_scale::KEYS,
        run: cpu_scale::run_threads,
    },
    Variant {
        workload: "cpu-scale",
        model: "rayon",
        keys: cpu_scale::KEYS,
        run: cpu_scale::run_rayon,
    },
    Variant {
        workload: "sleep-tasks",
        model: "tokio",
        keys: sleep_tasks::TOKIO_KEYS,
        run: sleep_tasks::run_tokio,
    },
    Variant {
        workload: "sleep-tasks",
        model: "threads",
        keys: sleep_tasks::THREADS_KEYS,
        run: sleep_tasks::run_threads,
    },
    Variant {
        workload: "http-io",
        model: "tokio",
        keys: http_io::TOKIO_KEYS,
        run: http_io::run_tokio,
    },
    Variant {
        workload: "http-io",
        model: "threads",
        keys: http_io::THREADS_KEYS,
        run: http_io::run_threads,
    },
    Variant {
        workload: "loop-blocking",
        model: "inline",
        keys: loop_blocking::KEYS,
        run: loop_blocking::run_inline,
    },
    Variant {
        workload: "loop-blocking",
        model: "blocking",
        keys: loop_blocking::KEYS,
        run: loop_blocking::run_blocking,
    },
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(UsageError(message)) => {
            eprintln!("arena-rust: usage error: {message}");
            eprintln!("usage: arena-rust <workload> <model> key=value [key=value ...]");
            ExitCode::from(EXIT_USAGE as u8)
        }
    }
}

fn run(args: &[String]) -> Result<(), UsageError> {
    let [workload, model, params @ ..] = args else {
        return Err(UsageError("expected <workload> <model> key=value ...".into()));
    };
    let variant = find_variant(workload, model)?;
    let params = Params::parse(params, variant.keys)?;
    (variant.run)(&params)
}

fn find_variant(workload: &str, model: &str) -> Result<&'static Variant, UsageError> {
    let of_workload: Vec<&Variant> = VARIANTS
        .iter()
        .filter(|variant| variant.workload == workload)
        .collect();
    if of_workload.is_empty() {
        let mut known: Vec<&str> = VARIANTS.iter().map(|variant| variant.workload).collect();
        known.dedup();
        return Err(UsageError(format!(
            "unknown workload {workload:?} (known: {})",
            known.join(", ")
        )));
    }
    of_workload
        .iter()
        .find(|variant| variant.model == model)
        .copied()
        .ok_or_else(|| {
            let known: Vec<&str> = of_workload.iter().map(|variant| variant.model).collect();
            UsageError(format!(
                "unknown model {model:?} for workload {workload:?} (known: {})",
                known.join(", ")
            ))
        })
}
