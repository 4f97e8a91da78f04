//! What a check of a backup can find wrong, typed: the vocabulary lives in
//! `steward_core::problem` (a session keeps it too); this crate finds them.

pub use steward_core::problem::{Problem, english};
