//! What Steward does with providers: ask every provider what can be updated
//! (`check`), run the steps of their plans under their grants (`apply`),
//! install them as one journaled transaction and roll back (`install`), and
//! run and restart the managed bot under its health probation
//! (`supervisor`). The engine decides the order and combines results; the
//! runtime runs each provider call, and the fronts render what the engine
//! returns through the service.

pub mod apply;
pub mod check;
pub mod delivery;
pub mod drift;
pub mod impact;
pub mod install;
pub mod kit;
pub mod logs;
pub mod policy;
pub mod supervisor;
pub mod test_gate;

pub use check::{CheckFailure, CheckOutcome, ProviderCheck, SkippedProvider, UpdateType};
// Records and progress are the layer below's; the engine's callers find them here too.
pub use steward_core::{progress, session};

// The layers below, under the names this crate's modules use.
pub(crate) use steward_backup as backup;
pub(crate) use steward_core::{config, process, provider, store};
pub(crate) use steward_runtime as runtime;
pub(crate) use steward_runtime::fetch;
