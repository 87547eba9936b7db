//! The edges of the workload contract: the stdout JSON-lines events (one object per line,
//! flushed as soon as it is written), the exit codes, and `key=value` parameter parsing.
//! It must not contain workload logic, and nothing else in this program may write to stdout.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::io::{self, Write as _};
use std::time::Duration;

/// Exit code when an event cannot be written to stdout (a "failure" in the contract).
pub const EXIT_WRITE_FAILURE: i32 = 1;
/// Exit code when a server cannot start (its socket cannot be bound): a "failure".
pub const EXIT_NOT_STARTED: i32 = 1;
/// Exit code for a usage error; the message goes to stderr.
pub const EXIT_USAGE: i32 = 2;
/// Exit code after an `error` event of kind `resource_limit`.
pub const EXIT_RESOURCE_LIMIT: i32 = 3;

/// A bad command line: unknown workload, model or key, a missing or repeated key, or a value
/// that is not a positive decimal integer (0 only for the keys in [`ZERO_ALLOWED_KEYS`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// One protocol event, built field by field in the order the fields should appear.
#[must_use = "an event is only printed by `emit`"]
pub struct Event {
    json: String,
}

impl Event {
    /// Starts `{"event":"<name>"`.
    pub fn new(name: &str) -> Self {
        let mut event = Event {
            json: String::from("{"),
        };
        event.push_key("event");
        push_json_string(&mut event.json, name);
        event
    }

    /// Adds an integer field.
    pub fn int(mut self, key: &str, value: u64) -> Self {
        self.push_key(key);
        write!(self.json, "{value}").expect("writing to a String cannot fail");
        self
    }

    /// Adds a count field (`usize` is at most 64 bits on every supported target).
    pub fn count(self, key: &str, value: usize) -> Self {
        self.int(key, value as u64)
    }

    /// Adds a duration field as integer nanoseconds.
    pub fn nanos(self, key: &str, value: Duration) -> Self {
        self.int(key, u64::try_from(value.as_nanos()).unwrap_or(u64::MAX))
    }

    /// Adds a field holding a JSON array of integers, all on the event's one line.
    pub fn ints(mut self, key: &str, values: &[u64]) -> Self {
        self.push_key(key);
        self.json.push('[');
        for (index, value) in values.iter().enumerate() {
            if index > 0 {
                self.json.push(',');
            }
            write!(self.json, "{value}").expect("writing to a String cannot fail");
        }
        self.json.push(']');
        self
    }

    /// Adds a string field (JSON-escaped).
    pub fn text(mut self, key: &str, value: &str) -> Self {
        self.push_key(key);
        push_json_string(&mut self.json, value);
        self
    }

    /// Closes the object and returns the line without its newline.
    pub fn into_line(mut self) -> String {
        self.json.push('}');
        self.json
    }

    /// Writes the event as one line on stdout and flushes it at once. If stdout is gone
    /// the measurement is worthless, so the program exits with [`EXIT_WRITE_FAILURE`].
    pub fn emit(self) {
        let line = self.into_line();
        let mut stdout = io::stdout().lock();
        if let Err(error) = writeln!(stdout, "{line}").and_then(|()| stdout.flush()) {
            eprintln!("arena-rust: cannot write event to stdout: {error}");
            std::process::exit(EXIT_WRITE_FAILURE);
        }
    }

    fn push_key(&mut self, key: &str) {
        if self.json.len() > 1 {
            self.json.push(',');
        }
        push_json_string(&mut self.json, key);
        self.json.push(':');
    }
}

/// Appends `value` as a JSON string literal: quotes, backslashes and control characters are
/// escaped; everything else (valid UTF-8 already) is copied as is.
fn push_json_string(json: &mut String, value: &str) {
    json.push('"');
    for character in value.chars() {
        match character {
            '"' => json.push_str("\\\""),
            '\\' => json.push_str("\\\\"),
            '\n' => json.push_str("\\n"),
            '\r' => json.push_str("\\r"),
            '\t' => json.push_str("\\t"),
            control if u32::from(control) < 0x20 => {
                write!(json, "\\u{:04x}", u32::from(control)).expect("writing to a String cannot fail");
            }
            other => json.push(other),
        }
    }
    json.push('"');
}

/// The keys that may be 0: a server's `port=0` means "let the OS choose".
pub const ZERO_ALLOWED_KEYS: &[&str] = &["port"];

/// The parsed `key=value` parameters of one run: exactly the keys its variant requires.
#[derive(Debug)]
pub struct Params {
    values: BTreeMap<&'static str, usize>,
}

impl Params {
    /// Reads `key=value` arguments. Every key in `required` must appear exactly once, no
    /// other key may appear, and each value must be a positive decimal integer (digits only),
    /// or 0 for a key in [`ZERO_ALLOWED_KEYS`].
    pub fn parse(args: &[String], required: &[&'static str]) -> Result<Self, UsageError> {
        let mut values = BTreeMap::new();
        for arg in args {
            let (key, value) = arg
                .split_once('=')
                .ok_or_else(|| UsageError(format!("parameter {arg:?} is not of the form key=value")))?;
            let known_key = required
                .iter()
                .copied()
                .find(|&candidate| candidate == key)
                .ok_or_else(|| {
                    UsageError(format!(
                        "unknown parameter {key:?} (expected: {})",
                        required.join(", ")
                    ))
                })?;
            let value = parse_integer(key, value, ZERO_ALLOWED_KEYS.contains(&known_key))?;
            if values.insert(known_key, value).is_some() {
                return Err(UsageError(format!("parameter {key:?} given twice")));
            }
        }
        if let Some(missing) = required.iter().find(|key| !values.contains_key(*key)) {
            return Err(UsageError(format!("missing parameter {missing:?}")));
        }
        Ok(Params { values })
    }

    /// The value of a required key. Asking for a key the variant did not declare is a bug.
    pub fn get(&self, key: &str) -> usize {
        *self
            .values
            .get(key)
            .unwrap_or_else(|| panic!("parameter {key:?} was not declared by this variant"))
    }
}

/// A decimal integer of ASCII digits only (no sign, no spaces): positive, or also 0 where
/// `zero_allowed`.
fn parse_integer(key: &str, value: &str, zero_allowed: bool) -> Result<usize, UsageError> {
    let kind = if zero_allowed { "non-negative" } else { "positive" };
    let invalid = || UsageError(format!("parameter {key:?}: {value:?} is not a {kind} integer"));
    if value.is_empty() || !value.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(invalid());
    }
    match value.parse::<usize>() {
        Ok(0) if !zero_allowed => Err(invalid()),
        Ok(parsed) => Ok(parsed),
        Err(_) => Err(UsageError(format!("parameter {key:?}: {value:?} is too large"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|arg| arg.to_string()).collect()
    }

    #[test]
    fn event_fields_keep_their_order_and_types() {
        let line = Event::new("result")
            .text("checksum", "84694791")
            .count("ops", 1)
            .int("workers", 2)
            .nanos("work_ns", Duration::from_micros(3))
            .into_line();
        assert_eq!(
            line,
            r#"{"event":"result","checksum":"84694791","ops":1,"workers":2,"work_ns":3000}"#
        );
    }

    #[test]
    fn integer_arrays_are_printed_inline() {
        let line = Event::new("hiccups")
            .int("interval_ns", 1_000_000)
            .ints("ns", &[0, 17, 250_000])
            .ints("none", &[])
            .into_line();
        assert_eq!(
            line,
            r#"{"event":"hiccups","interval_ns":1000000,"ns":[0,17,250000],"none":[]}"#
        );
    }

    #[test]
    fn text_is_json_escaped() {
        let line = Event::new("error")
            .text("message", "a \"b\" \\ c\nd\u{1}é")
            .into_line();
        assert_eq!(line, r#"{"event":"error","message":"a \"b\" \\ c\nd\u0001é"}"#);
    }

    #[test]
    fn parses_exactly_the_required_keys_in_any_order() {
        let params = Params::parse(&args(&["items=7", "chunks=3"]), &["chunks", "items"]).unwrap();
        assert_eq!(params.get("chunks"), 3);
        assert_eq!(params.get("items"), 7);
    }

    #[test]
    fn only_the_port_may_be_zero() {
        let params = Params::parse(&args(&["port=0", "workers=1"]), &["port", "workers"]).unwrap();
        assert_eq!(params.get("port"), 0);
        assert!(Params::parse(&args(&["port=0", "workers=0"]), &["port", "workers"]).is_err());
        for bad in ["port=", "port=-1", "port=x", "port=+0"] {
            assert!(
                Params::parse(&args(&[bad]), &["port"]).is_err(),
                "accepted {bad:?}"
            );
        }
    }

    #[test]
    fn rejects_bad_parameters() {
        let required = ["tasks", "hold_ms"];
        for bad in [
            &["tasks=1"][..],                                // missing key
            &["tasks=1", "hold_ms=1", "extra=1"],            // unknown key
            &["tasks=1", "hold_ms=1", "tasks=2"],            // repeated key
            &["tasks=abc", "hold_ms=1"],                     // not a number
            &["tasks=0", "hold_ms=1"],                       // not positive
            &["tasks=-1", "hold_ms=1"],                      // sign
            &["tasks=+1", "hold_ms=1"],                      // sign
            &["tasks=", "hold_ms=1"],                        // empty
            &["tasks=1.5", "hold_ms=1"],                     // not an integer
            &["tasks", "hold_ms=1"],                         // no '='
            &["tasks=99999999999999999999999", "hold_ms=1"], // too large
        ] {
            assert!(Params::parse(&args(bad), &required).is_err(), "accepted {bad:?}");
        }
    }
}
