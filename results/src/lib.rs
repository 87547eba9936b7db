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
