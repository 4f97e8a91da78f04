//! What every install and rollback passes before it starts, besides the
//! local update lock: in fleet mode, the fleet's lock. steward-fleet sits
//! above this crate and installs its gate here; the service only asks,
//! and never knows etcd.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::{Caller, Service, ServiceError};

/// Held while the update runs; dropping it lets the next one in.
pub struct GatePass(#[allow(dead_code)] Box<dyn Send + Sync>);

impl GatePass {
    pub fn new(holding: impl Send + Sync + 'static) -> GatePass {
        GatePass(Box::new(holding))
    }
}

pub type Entering<'a> = Pin<Box<dyn Future<Output = Result<GatePass, ServiceError>> + Send + 'a>>;

/// Lets one update in at a time across whatever it guards; a refusal says
/// who holds it, or why it cannot be asked (nothing has changed then).
pub trait UpdateGate: Send + Sync {
    /// `by` is the caller's label, `doing` what it is about to do.
    fn enter<'a>(&'a self, by: String, doing: &'static str) -> Entering<'a>;
}

impl Service {
    /// Every install and rollback from now on passes `gate` first.
    pub fn gate_updates_with(&self, gate: Arc<dyn UpdateGate>) {
        *self.gate.write().expect("gate") = Some(gate);
    }

    /// Passes the gate for `caller`; a fleet wave's own orders run under
    /// the lock their wave holds.
    pub(crate) async fn pass_gate(
        &self,
        caller: &Caller,
        doing: &'static str,
    ) -> Result<Option<GatePass>, ServiceError> {
        if matches!(caller, Caller::Fleet(_)) {
            return Ok(None);
        }
        let gate = self.gate.read().expect("gate").clone();
        match gate {
            Some(gate) => Ok(Some(gate.enter(caller.label(), doing).await?)),
            None => Ok(None),
        }
    }
}
