//! The workload stdout protocol (workloads/README.md): one JSON object per line with an
//! `event` field. Parses lines into events; it must not judge what the events mean.

use serde_json::{Map, Value};

/// One protocol event with the harness's monotonic time (ns since spawn) of its arrival.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub at_ns: u64,
    pub kind: String,
    pub fields: Map<String, Value>,
}

impl Event {
    pub fn int(&self, key: &str) -> Option<i64> {
        self.fields.get(key).and_then(Value::as_i64)
    }

    pub fn text(&self, key: &str) -> Option<&str> {
        self.fields.get(key).and_then(Value::as_str)
    }

    /// Every integer-valued field, for the record's `self_reported` map.
    pub fn integer_fields(&self) -> impl Iterator<Item = (&String, i64)> {
        self.fields.iter().filter_map(|(k, v)| v.as_i64().map(|n| (k, n)))
    }
}

/// Parses one stdout line; the error says what is wrong with it.
pub fn parse_line(line: &str, at_ns: u64) -> Result<Event, String> {
    let value: Value = serde_json::from_str(line).map_err(|e| format!("not JSON ({e})"))?;
    let Value::Object(mut fields) = value else {
        return Err("not a JSON object".into());
    };
    match fields.remove("event") {
        Some(Value::String(kind)) => Ok(Event { at_ns, kind, fields }),
        _ => Err("no string field \"event\"".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_an_event_with_integer_fields() {
        let e = parse_line(r#"{"event":"result","checksum":"42","ops":7}"#, 5).unwrap();
        assert_eq!(e.kind, "result");
        assert_eq!(e.text("checksum"), Some("42"));
        assert_eq!(e.int("ops"), Some(7));
        assert_eq!(e.at_ns, 5);
    }

    #[test]
    fn rejects_garbage_arrays_and_missing_event() {
        assert!(parse_line("hello", 0).unwrap_err().contains("not JSON"));
        assert!(parse_line("[1,2]", 0).unwrap_err().contains("object"));
        assert!(parse_line(r#"{"ops":1}"#, 0).unwrap_err().contains("event"));
    }
}
