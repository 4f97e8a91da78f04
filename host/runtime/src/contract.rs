//! The code every contract version's bindings share, as macros each
//! `since_*` module expands over its own generated types: the same Rust
//! text, checked against each version's records.

/// The imports every contract version has (log, now, exec, http), for the
/// version's `host` and `types` modules and `error_to_wit` in scope, and
/// `$more` functions of a later version's `host`; with the conversions of
/// its HTTP records.
macro_rules! host_imports {
    ($($more:tt)*) => {
        impl host::Host for CallState {
            fn log(&mut self, level: host::Level, message: String) {
                let level = match level {
                    host::Level::Trace => host_api::LogLevel::Trace,
                    host::Level::Debug => host_api::LogLevel::Debug,
                    host::Level::Info => host_api::LogLevel::Info,
                    host::Level::Warn => host_api::LogLevel::Warn,
                    host::Level::Error => host_api::LogLevel::Error,
                };
                self.host.log(level, &message);
            }

            fn now(&mut self) -> String {
                self.host.now()
            }

            fn exec(&mut self, r: host::ExecRequest) -> Result<host::ExecOutput, types::Error> {
                self.host
                    .exec(host_api::ExecRequest {
                        program: r.program,
                        args: r.args,
                        cwd: r.cwd,
                        timeout_ms: r.timeout_ms,
                    })
                    .map(|o| host::ExecOutput {
                        status: o.status,
                        stdout: o.stdout,
                        stderr: o.stderr,
                    })
                    .map_err(error_to_wit)
            }

            async fn http(
                &mut self,
                requests: Vec<host::HttpRequest>,
            ) -> Vec<Result<host::HttpResponse, types::Error>> {
                let requests = requests.into_iter().map(request_from_wit).collect();
                self.host
                    .http(requests)
                    .await
                    .into_iter()
                    .map(|r| r.map(response_to_wit).map_err(error_to_wit))
                    .collect()
            }

            $($more)*
        }

        fn request_from_wit(r: host::HttpRequest) -> host_api::HttpRequest {
            host_api::HttpRequest {
                method: match r.method {
                    host::Method::Get => host_api::Method::Get,
                    host::Method::Post => host_api::Method::Post,
                },
                url: r.url,
                headers: r.headers,
                body: r.body,
                timeout_ms: r.timeout_ms,
            }
        }

        fn response_to_wit(r: host_api::HttpResponse) -> host::HttpResponse {
            host::HttpResponse {
                status: r.status,
                headers: r.headers,
                body: r.body,
            }
        }
    };
}
pub(crate) use host_imports;

/// The exports every contract version has, for the version's `bindings`
/// and its conversions (`context_to_wit`, `kind_from_wit`,
/// `update_from_wit`, `update_to_wit`, `plan_from_wit`, `error_from_wit`)
/// in scope.
macro_rules! provider_exports {
    () => {
        /// One instantiated provider, valid for the lifetime of its store.
        pub struct Instance(bindings::Provider);

        pub async fn instantiate(
            pre: &ProviderPre<CallState>,
            store: &mut Store<CallState>,
        ) -> wasmtime::Result<Instance> {
            pre.instantiate_async(store).await.map(Instance)
        }

        pub(crate) type CallResult<T> = wasmtime::Result<Result<T, p::ProviderError>>;

        impl Instance {
            pub async fn describe(
                &self,
                store: &mut Store<CallState>,
                settings: &[(String, String)],
            ) -> wasmtime::Result<p::Info> {
                let info = self.0.call_describe(store, settings).await?;
                Ok(p::Info {
                    name: info.name,
                    version: info.version,
                    description: info.description,
                    kinds: info.kinds.into_iter().map(kind_from_wit).collect(),
                    wants: p::Capabilities {
                        read: info.wants.read,
                        http: info.wants.http,
                        programs: info
                            .wants
                            .programs
                            .into_iter()
                            .map(|pr| p::Program {
                                path: pr.path,
                                args: pr.args,
                            })
                            .collect(),
                    },
                })
            }

            pub async fn check(
                &self,
                store: &mut Store<CallState>,
                ctx: &p::Context,
            ) -> CallResult<p::Report> {
                let r = self.0.call_check(store, &context_to_wit(ctx)).await?;
                Ok(r.map(|report| p::Report {
                    updates: report.updates.into_iter().map(update_from_wit).collect(),
                    warnings: report.warnings,
                })
                .map_err(error_from_wit))
            }

            pub async fn capture(
                &self,
                store: &mut Store<CallState>,
                ctx: &p::Context,
            ) -> CallResult<Vec<u8>> {
                let r = self.0.call_capture(store, &context_to_wit(ctx)).await?;
                Ok(r.map_err(error_from_wit))
            }

            pub async fn plan(
                &self,
                store: &mut Store<CallState>,
                ctx: &p::Context,
                updates: &[p::Update],
            ) -> CallResult<p::Plan> {
                let updates: Vec<types::Update> = updates.iter().map(update_to_wit).collect();
                let r = self
                    .0
                    .call_plan(store, &context_to_wit(ctx), &updates)
                    .await?;
                Ok(r.map(plan_from_wit).map_err(error_from_wit))
            }

            pub async fn verify(
                &self,
                store: &mut Store<CallState>,
                ctx: &p::Context,
                updates: &[p::Update],
            ) -> CallResult<()> {
                let updates: Vec<types::Update> = updates.iter().map(update_to_wit).collect();
                let r = self
                    .0
                    .call_verify(store, &context_to_wit(ctx), &updates)
                    .await?;
                Ok(r.map_err(error_from_wit))
            }

            pub async fn restore_plan(
                &self,
                store: &mut Store<CallState>,
                ctx: &p::Context,
                state: &[u8],
            ) -> CallResult<p::Plan> {
                let r = self
                    .0
                    .call_restore_plan(store, &context_to_wit(ctx), state)
                    .await?;
                Ok(r.map(plan_from_wit).map_err(error_from_wit))
            }
        }
    };
}
pub(crate) use provider_exports;
