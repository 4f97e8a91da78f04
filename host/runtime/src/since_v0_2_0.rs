//! Bindings of the frozen contract `steward:provider@0.2.0` and their
//! conversion to the host's own types: 0.1.0's, plus the `remove` action,
//! an environment on commands, and typed details. 0.3.0 shares its types
//! and, through the macros here, the code of its imports and exports.

use wasmtime::Store;
use wasmtime::component::{HasSelf, Linker};

use super::host_api::{self, CallState};
use crate::provider as p;

pub(crate) mod bindings {
    wasmtime::component::bindgen!({
        path: "../../wit/since_v0.2.0",
        world: "provider",
        // Async so a call is a future the runtime can stop at its deadline,
        // even while it waits in `http` (the host's only import that waits
        // on the network).
        imports: {
            "steward:provider/host.http": async,
        },
        exports: {
            default: async,
        },
    });
}

use bindings::steward::provider::{host, types};

pub use bindings::ProviderPre;

pub const VERSION: &str = "0.2.0";

pub fn add_to_linker(linker: &mut Linker<CallState>) -> wasmtime::Result<()> {
    bindings::Provider::add_to_linker::<CallState, HasSelf<CallState>>(linker, |s| s)
}

impl types::Host for CallState {}

/// The imports 0.2.0 has, for the `host` and `types` modules in scope
/// (0.3.0's `host` has the same functions, on its own records), and
/// `$more` functions of a later version's `host`.
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

host_imports!();

/// The exports every contract since 0.2.0 has, for the world's bindings
/// in scope as `bindings` and 0.2.0's `types`.
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

provider_exports!();

pub(crate) fn context_to_wit(c: &p::Context) -> types::Context {
    types::Context {
        bot_root: c.bot_root.clone(),
        settings: c.settings.clone(),
        include_security: c.include_security,
    }
}

pub(crate) fn kind_from_wit(k: types::UpdateKind) -> p::UpdateKind {
    match k {
        types::UpdateKind::Bot => p::UpdateKind::Bot,
        types::UpdateKind::Package => p::UpdateKind::Package,
        types::UpdateKind::Config => p::UpdateKind::Config,
        types::UpdateKind::Dependency => p::UpdateKind::Dependency,
        types::UpdateKind::System => p::UpdateKind::System,
    }
}

pub(crate) fn kind_to_wit(k: p::UpdateKind) -> types::UpdateKind {
    match k {
        p::UpdateKind::Bot => types::UpdateKind::Bot,
        p::UpdateKind::Package => types::UpdateKind::Package,
        p::UpdateKind::Config => types::UpdateKind::Config,
        p::UpdateKind::Dependency => types::UpdateKind::Dependency,
        p::UpdateKind::System => types::UpdateKind::System,
    }
}

pub(crate) fn error_from_wit(e: types::Error) -> p::ProviderError {
    let code = match e.code {
        types::ErrorCode::Denied => p::ErrorCode::Denied,
        types::ErrorCode::Network => p::ErrorCode::Network,
        types::ErrorCode::Timeout => p::ErrorCode::Timeout,
        types::ErrorCode::InvalidData => p::ErrorCode::InvalidData,
        types::ErrorCode::NotFound => p::ErrorCode::NotFound,
        types::ErrorCode::Unsupported => p::ErrorCode::Unsupported,
        types::ErrorCode::Conflict => p::ErrorCode::Conflict,
        types::ErrorCode::Other => p::ErrorCode::Other,
    };
    p::ProviderError::new(code, e.message)
}

pub(crate) fn error_to_wit(e: p::ProviderError) -> types::Error {
    let code = match e.code {
        p::ErrorCode::Denied => types::ErrorCode::Denied,
        p::ErrorCode::Network => types::ErrorCode::Network,
        p::ErrorCode::Timeout => types::ErrorCode::Timeout,
        p::ErrorCode::InvalidData => types::ErrorCode::InvalidData,
        p::ErrorCode::NotFound => types::ErrorCode::NotFound,
        p::ErrorCode::Unsupported => types::ErrorCode::Unsupported,
        p::ErrorCode::Conflict => types::ErrorCode::Conflict,
        p::ErrorCode::Other => types::ErrorCode::Other,
    };
    types::Error {
        code,
        message: e.message,
    }
}

pub(crate) fn update_from_wit(u: types::Update) -> p::Update {
    p::Update {
        id: u.id,
        kind: kind_from_wit(u.kind),
        name: u.name,
        current: u.current,
        latest: u.latest,
        security: u.security,
        advisories: u
            .advisories
            .into_iter()
            .map(|a| p::Advisory {
                id: a.id,
                summary: a.summary,
                severity: a.severity,
                url: a.url,
            })
            .collect(),
        breaking: u.breaking,
        changelog: u.changelog,
        size: u.size,
        released: u.released,
        held: u.held,
        details: u.details.into_iter().map(detail_from_wit).collect(),
    }
}

pub(crate) fn update_to_wit(u: &p::Update) -> types::Update {
    types::Update {
        id: u.id.clone(),
        kind: kind_to_wit(u.kind),
        name: u.name.clone(),
        current: u.current.clone(),
        latest: u.latest.clone(),
        security: u.security,
        advisories: u
            .advisories
            .iter()
            .map(|a| types::Advisory {
                id: a.id.clone(),
                summary: a.summary.clone(),
                severity: a.severity.clone(),
                url: a.url.clone(),
            })
            .collect(),
        breaking: u.breaking,
        changelog: u.changelog.clone(),
        size: u.size,
        released: u.released.clone(),
        held: u.held.clone(),
        details: u.details.iter().map(detail_to_wit).collect(),
    }
}

pub(crate) fn detail_from_wit(d: types::Detail) -> p::Detail {
    match d {
        types::Detail::Note(text) => p::Detail::Note(text),
        types::Detail::Key(k) => p::Detail::Key(p::KeyChange {
            key: k.key,
            change: match k.change {
                types::KeyChangeKind::Added => p::KeyChangeKind::Added,
                types::KeyChangeKind::Removed => p::KeyChangeKind::Removed,
                types::KeyChangeKind::DefaultChanged => p::KeyChangeKind::DefaultChanged,
                types::KeyChangeKind::Conflict => p::KeyChangeKind::Conflict,
            },
            text: k.text,
        }),
        types::Detail::Release(r) => p::Detail::Release(p::ReleaseNote {
            version: r.version,
            released: r.released,
            security: r.security,
            breaking: r.breaking,
            summary: r.summary,
        }),
    }
}

pub(crate) fn detail_to_wit(d: &p::Detail) -> types::Detail {
    match d {
        p::Detail::Note(text) => types::Detail::Note(text.clone()),
        p::Detail::Key(k) => types::Detail::Key(types::KeyChange {
            key: k.key.clone(),
            change: match k.change {
                p::KeyChangeKind::Added => types::KeyChangeKind::Added,
                p::KeyChangeKind::Removed => types::KeyChangeKind::Removed,
                p::KeyChangeKind::DefaultChanged => types::KeyChangeKind::DefaultChanged,
                p::KeyChangeKind::Conflict => types::KeyChangeKind::Conflict,
            },
            text: k.text.clone(),
        }),
        p::Detail::Release(r) => types::Detail::Release(types::ReleaseNote {
            version: r.version.clone(),
            released: r.released.clone(),
            security: r.security,
            breaking: r.breaking,
            summary: r.summary.clone(),
        }),
    }
}

pub(crate) fn plan_from_wit(plan: types::Plan) -> p::Plan {
    p::Plan {
        restart: plan.restart,
        steps: plan
            .steps
            .into_iter()
            .map(|s| p::Step {
                description: s.description,
                action: match s.action {
                    types::Action::Exec(c) => p::Action::Exec(p::Command {
                        program: c.program,
                        args: c.args,
                        cwd: c.cwd,
                        timeout_ms: c.timeout_ms,
                        env: c.env,
                    }),
                    types::Action::Download(d) => p::Action::Download(p::Download {
                        url: d.url,
                        sha256: d.sha256,
                        size_limit: d.size_limit,
                        signature: d.signature,
                        unpack_to: d.unpack_to,
                    }),
                    types::Action::WriteFile(w) => p::Action::WriteFile(p::WriteFile {
                        path: w.path,
                        contents: w.contents,
                        diff: w.diff,
                    }),
                    types::Action::SwitchRelease(s) => p::Action::SwitchRelease(p::SwitchRelease {
                        link: s.link,
                        target: s.target,
                    }),
                    types::Action::Remove(r) => p::Action::Remove(p::Remove { path: r.path }),
                },
            })
            .collect(),
    }
}
