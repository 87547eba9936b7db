//! The result layer: the versioned schema of a run and its storage on disk.
//! It knows nothing of languages, processes or statistics; everything above depends on it.

pub mod journal;
pub mod load;
pub mod schema;
pub mod store;

pub use journal::{Journal, JournalEntry};
pub use load::*;
pub use schema::*;
pub use store::{RunLock, RunStore};

/// The JSON Schema of `RunRecord`, generated from the types (committed as
/// `results/schema/results.schema.json` and compared by a test).
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(RunRecord)).expect("schema serializes")
}
