//! The provider authors' kit: a new provider crate from a template
//! (`steward providers new`) and the conformance check a provider file
//! should pass before it is dropped into a providers directory
//! (`steward providers test`). It runs providers only in a scratch
//! directory of its own, never against Steward's data.

pub mod conformance;
pub mod template;
