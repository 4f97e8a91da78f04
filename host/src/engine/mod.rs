//! What Steward does with providers: ask every provider what can be updated
//! (`check`), run the steps of their plans under their grants (`apply`) —
//! and, in later steps, install as one transaction and roll back.
//! The engine decides the order and combines results; the runtime runs each
//! provider call, and the fronts render what the engine returns.

pub mod apply;
pub mod check;
pub mod install;
pub mod progress;
pub mod session;

pub use check::{CheckFailure, CheckOutcome, ProviderCheck, SkippedProvider, UpdateType};
