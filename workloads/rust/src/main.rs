//! The command line of the Rust workloads: maps `arena-rust <workload> <model> key=value ...`
//! to the function that runs that workload variant and turns usage errors into exit code 2.
//! It must not measure anything, print to stdout, or pick runtime knobs on its own (every
//! worker count arrives as an explicit `workers=` parameter).
//!
//! The runtime-cost workloads (`startup`, `first-response`) require that the dispatcher sets up
//! nothing but the chosen workload: every entry of `VARIANTS` is a constant (names and a
//! function pointer), so no other workload's runtime, pool or socket exists until its function
//! runs. That every workload is linked into the one binary is part of Rust's artifact, as the
//! contract says.

mod cpu_scale;
mod first_response;
mod gc_pause;
mod http_io;
mod jit_warmup;
mod chunk_hash;
mod kernels;
mod loop_blocking;
mod msg_passing;
mod protocol;
mod server;
mod sleep_tasks;
mod startup;

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
    // The runtime-cost workloads: their model names a runtime configuration, which for Rust is
    // only `default` (kernels is the exception: there the model names the kernel).
    Variant {
        workload: "startup",
        model: "default",
        keys: startup::KEYS,
        run: startup::run,
    },
    Variant {
        workload: "first-response",
        model: "default",
        keys: first_response::KEYS,
        run: first_response::run,
    },
    Variant {
        workload: "kernels",
        model: "nbody",
        keys: kernels::KEYS,
        run: kernels::run_nbody,
    },
    Variant {
        workload: "kernels",
        model: "spectral-norm",
        keys: kernels::KEYS,
        run: kernels::run_spectral_norm,
    },
    Variant {
        workload: "kernels",
        model: "fannkuch-redux",
        keys: kernels::KEYS,
        run: kernels::run_fannkuch_redux,
    },
    Variant {
        workload: "kernels",
        model: "binary-trees",
        keys: kernels::KEYS,
        run: kernels::run_binary_trees,
    },
    Variant {
        workload: "jit-warmup",
        model: "default-nbody",
        keys: jit_warmup::KEYS,
        run: jit_warmup::run_nbody,
    },
    Variant {
        workload: "jit-warmup",
        model: "default-spectral-norm",
        keys: jit_warmup::KEYS,
        run: jit_warmup::run_spectral_norm,
    },
    Variant {
        workload: "jit-warmup",
        model: "default-fannkuch-redux",
        keys: jit_warmup::KEYS,
        run: jit_warmup::run_fannkuch_redux,
    },
    // The runtime-behaviour workloads. gc-pause's model, like the runtime-cost ones', is a
    // runtime configuration: Rust's only one is `default`, the system allocator.
    Variant {
        workload: "gc-pause",
        model: "default",
        keys: gc_pause::KEYS,
        run: gc_pause::run,
    },
    Variant {
        workload: "msg-passing",
        model: "std-mpsc",
        keys: msg_passing::KEYS,
        run: msg_passing::run_std_mpsc,
    },
    Variant {
        workload: "msg-passing",
        model: "crossbeam",
        keys: msg_passing::KEYS,
        run: msg_passing::run_crossbeam,
    },
    Variant {
        workload: "msg-passing",
        model: "tokio-mpsc",
        keys: msg_passing::TOKIO_KEYS,
        run: msg_passing::run_tokio,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_is_found_by_its_own_names_and_none_repeats() {
        for variant in VARIANTS {
            let same_names = VARIANTS
                .iter()
                .filter(|other| (other.workload, other.model) == (variant.workload, variant.model))
                .count();
            assert_eq!(same_names, 1, "{} {} repeats", variant.workload, variant.model);
            let found = find_variant(variant.workload, variant.model).unwrap();
            assert_eq!((found.workload, found.model), (variant.workload, variant.model));
            assert_eq!(found.keys, variant.keys);
        }
    }

    #[test]
    fn unknown_names_are_usage_errors() {
        assert!(find_variant("startup", "cds").is_err());
        assert!(find_variant("kernels", "default").is_err());
        assert!(find_variant("nope", "default").is_err());
        assert!(find_variant("gc-pause", "g1-fixed").is_err());
        assert!(find_variant("msg-passing", "unbuffered").is_err());
    }

    #[test]
    fn bad_command_lines_of_the_runtime_behaviour_workloads_are_usage_errors() {
        for (bad, why) in [
            ("gc-pause default records=10 rate=3", "missing key"),
            ("gc-pause default records=10 rate=3 duration_ms=0", "not positive"),
            ("gc-pause freeze records=10 rate=3 duration_ms=7", "unknown model"),
            (
                "msg-passing std-mpsc tasks=1 hops=1 messages=1 capacity=1",
                "a ring of one",
            ),
            (
                "msg-passing crossbeam tasks=2 hops=1 messages=1 capacity=1 workers=2",
                "unknown key",
            ),
            (
                "msg-passing tokio-mpsc tasks=2 hops=1 messages=1 capacity=1",
                "missing key",
            ),
        ] {
            let args: Vec<String> = bad.split(' ').map(String::from).collect();
            assert!(run(&args).is_err(), "{why}: accepted {bad:?}");
        }
    }
}
