//! Bindings of the frozen contract `steward:provider@0.3.0`: 0.2.0's types
//! and functions, plus `http-each`, a batch whose answers the provider
//! takes as they arrive.

use wasmtime::Store;
use wasmtime::component::{HasSelf, Linker, Resource};

use super::contract::{host_imports, provider_exports};
use super::host_api::{self, CallState, HttpAnswers};
use super::since_v0_2_0::{
    context_to_wit, error_from_wit, error_to_wit, kind_from_wit, plan_from_wit, update_from_wit,
    update_to_wit,
};
use crate::provider as p;

mod bindings {
    wasmtime::component::bindgen!({
        path: "../../wit/since_v0.3.0",
        world: "provider",
        // Async so a call is a future the runtime can stop at its deadline,
        // even while it waits in `http` or for the next of `http-each`'s
        // answers (the imports that wait on the network).
        imports: {
            "steward:provider/host.http": async,
            "steward:provider/host.[method]answers.next": async,
            // Trappable: a provider that fills its resource table traps.
            "steward:provider/host.http-each": trappable,
        },
        exports: {
            default: async,
        },
        with: {
            // The same records as 0.2.0's, so the same conversions serve.
            "steward:provider/types": crate::since_v0_2_0::bindings::steward::provider::types,
            "steward:provider/host.answers": crate::host_api::HttpAnswers,
        },
    });
}

use crate::since_v0_2_0::bindings::steward::provider::types;
use bindings::steward::provider::host;

pub use bindings::ProviderPre;

pub const VERSION: &str = "0.3.0";

pub fn add_to_linker(linker: &mut Linker<CallState>) -> wasmtime::Result<()> {
    bindings::Provider::add_to_linker::<CallState, HasSelf<CallState>>(linker, |s| s)
}

host_imports! {
    fn http_each(
        &mut self,
        requests: Vec<host::HttpRequest>,
    ) -> wasmtime::Result<Resource<HttpAnswers>> {
        let requests = requests.into_iter().map(request_from_wit).collect();
        Ok(self.table.push(self.host.http_each(requests))?)
    }
}

impl host::HostAnswers for CallState {
    async fn next(
        &mut self,
        answers: Resource<HttpAnswers>,
    ) -> Option<(u32, Result<host::HttpResponse, types::Error>)> {
        // The resource is the provider's own: a handle it holds is in the table.
        let answers = self.table.get_mut(&answers).ok()?;
        let (at, answer) = answers.next().await?;
        let at = u32::try_from(at).expect("a batch is at most http_batch_limit requests");
        Some((at, answer.map(response_to_wit).map_err(error_to_wit)))
    }

    fn drop(&mut self, answers: Resource<HttpAnswers>) -> wasmtime::Result<()> {
        // Dropping it stops the requests still on their way.
        self.table.delete(answers)?;
        Ok(())
    }
}

provider_exports!();
