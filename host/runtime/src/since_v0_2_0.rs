//! Bindings of the frozen contract `steward:provider@0.2.0` and their
//! conversion to the host's own types: 0.1.0's, plus the `remove` action,
//! an environment on commands, and typed details. 0.3.0 shares its types
//! and their conversions.

use wasmtime::Store;
use wasmtime::component::{HasSelf, Linker};

use super::contract::{host_imports, provider_exports};
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

host_imports!();

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
