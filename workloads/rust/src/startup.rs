//! The rust `startup` workload (model `default`): the program parses its arguments, prints
//! `{"event":"result","checksum":"<seed>","ops":1}` and exits 0, so that what is measured is
//! the runtime's own cost before the first useful work.
//! It must not do any work, start threads or timers, or touch another workload's code.

use crate::protocol::{Event, Params, UsageError};

/// The parameters of `startup default`.
pub const KEYS: &[&str] = &["seed"];

/// `startup default`.
pub fn run(params: &Params) -> Result<(), UsageError> {
    result_event(params.get("seed")).emit();
    Ok(())
}

/// The only event: the seed echoed as the checksum.
fn result_event(seed: usize) -> Event {
    Event::new("result")
        .text("checksum", &seed.to_string())
        .int("ops", 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_result_echoes_the_seed() {
        assert_eq!(
            result_event(7).into_line(),
            r#"{"event":"result","checksum":"7","ops":1}"#
        );
    }
}
