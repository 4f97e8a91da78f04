//! Write a Steward update provider.
//!
//! A provider is a type implementing [`Provider`], exported with
//! [`export_provider!`], built with `cargo build --release --target wasm32-wasip2`.
//! Drop the `.wasm` into Steward's providers directory and it is a new update
//! source. A provider reads (only what it was granted) and returns plans; it
//! never changes the system itself.
//!
//! ```ignore
//! use steward_sdk::*;
//!
//! struct Hello;
//! impl Provider for Hello {
//!     fn describe(_settings: Settings) -> Info {
//!         Info::new("hello", env!("CARGO_PKG_VERSION"), "Says hello", &[UpdateKind::Package])
//!     }
//!     fn check(_ctx: Context) -> Result<Report, Error> {
//!         Ok(Report::default())
//!     }
//! }
//! export_provider!(Hello);
//! ```

#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "wit",
        world: "provider",
        pub_export_macro: true,
        export_macro_name: "__export_provider_world",
        default_bindings_module: "steward_sdk::bindings",
    });
}

pub use bindings::steward::provider::host::{
    ExecOutput, ExecRequest, HttpRequest, HttpResponse, Level, Method,
};
pub use bindings::steward::provider::types::{
    Action, Advisory, Capabilities, Command, Context, Detail, Download, Error, ErrorCode, Info,
    KeyChange, KeyChangeKind, Plan, Program, ReleaseNote, Remove, Report, Step, SwitchRelease,
    Update, UpdateKind, WriteFile,
};

pub mod osv;
pub mod settings;

/// The version of the provider contract this SDK speaks.
pub const WIT_VERSION: &str = "0.3.0";

/// Embedded in every provider so the host can read the contract version
/// before it instantiates anything, and refuse one it does not understand.
#[doc(hidden)]
#[used]
#[cfg_attr(target_arch = "wasm32", unsafe(link_section = "steward:wit-version"))]
pub static __STEWARD_WIT_VERSION: [u8; 5] = *b"0.3.0";

/// A provider's settings (`[providers.NAME.settings]` in steward.toml).
pub type Settings = Vec<(String, String)>;

/// The provider's side of the contract. Only `describe` and `check` are
/// required; a provider that cannot install or roll back keeps the defaults,
/// which say so.
pub trait Provider {
    /// Who the provider is and what it wants, given its settings.
    fn describe(settings: Settings) -> Info;

    /// What can be updated.
    fn check(ctx: Context) -> Result<Report, Error>;

    /// The state to roll back to. Opaque to the host.
    fn capture(_ctx: Context) -> Result<Vec<u8>, Error> {
        Ok(Vec::new())
    }

    /// The steps that install `updates`. The host runs them.
    fn plan(_ctx: Context, _updates: Vec<Update>) -> Result<Plan, Error> {
        Err(Error::new(
            ErrorCode::Unsupported,
            "this provider only reports updates; it cannot install them",
        ))
    }

    /// Confirms that `updates` are in place.
    fn verify(_ctx: Context, _updates: Vec<Update>) -> Result<(), Error> {
        Ok(())
    }

    /// The steps that put back what `capture` recorded.
    fn restore_plan(_ctx: Context, _state: Vec<u8>) -> Result<Plan, Error> {
        Err(Error::new(
            ErrorCode::Unsupported,
            "this provider cannot roll back",
        ))
    }
}

/// Exports a [`Provider`] as the component's implementation of the contract.
#[macro_export]
macro_rules! export_provider {
    ($provider:ty) => {
        #[doc(hidden)]
        struct __StewardGuest;

        impl $crate::bindings::Guest for __StewardGuest {
            fn describe(settings: ::std::vec::Vec<(String, String)>) -> $crate::Info {
                <$provider as $crate::Provider>::describe(settings)
            }
            fn check(ctx: $crate::Context) -> Result<$crate::Report, $crate::Error> {
                <$provider as $crate::Provider>::check(ctx)
            }
            fn capture(ctx: $crate::Context) -> Result<::std::vec::Vec<u8>, $crate::Error> {
                <$provider as $crate::Provider>::capture(ctx)
            }
            fn plan(
                ctx: $crate::Context,
                updates: ::std::vec::Vec<$crate::Update>,
            ) -> Result<$crate::Plan, $crate::Error> {
                <$provider as $crate::Provider>::plan(ctx, updates)
            }
            fn verify(
                ctx: $crate::Context,
                updates: ::std::vec::Vec<$crate::Update>,
            ) -> Result<(), $crate::Error> {
                <$provider as $crate::Provider>::verify(ctx, updates)
            }
            fn restore_plan(
                ctx: $crate::Context,
                state: ::std::vec::Vec<u8>,
            ) -> Result<$crate::Plan, $crate::Error> {
                <$provider as $crate::Provider>::restore_plan(ctx, state)
            }
        }

        $crate::bindings::__export_provider_world!(__StewardGuest with_types_in $crate::bindings);
    };
}

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
        }
    }
    pub fn invalid_data(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidData, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }
    pub fn network(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Network, message)
    }
}

impl Info {
    /// An `Info` that wants nothing; add wants with the builder methods.
    pub fn new(name: &str, version: &str, description: &str, kinds: &[UpdateKind]) -> Self {
        Info {
            name: name.to_string(),
            version: version.to_string(),
            description: description.to_string(),
            kinds: kinds.to_vec(),
            wants: Capabilities {
                read: Vec::new(),
                http: Vec::new(),
                programs: Vec::new(),
            },
        }
    }
    /// Wants to read `dir` (may start with `{bot}`).
    pub fn read(mut self, dir: &str) -> Self {
        self.wants.read.push(dir.to_string());
        self
    }
    /// Wants to send HTTP requests to `host`.
    pub fn http(mut self, host: &str) -> Self {
        self.wants.http.push(host.to_string());
        self
    }
    /// Wants to run `path` with arguments matching one of `args`.
    pub fn program(mut self, path: &str, args: &[&[&str]]) -> Self {
        self.wants.programs.push(Program {
            path: path.to_string(),
            args: args
                .iter()
                .map(|a| a.iter().map(|s| s.to_string()).collect())
                .collect(),
        });
        self
    }
}

// The type is generated by wit-bindgen, so it cannot derive Default.
#[allow(clippy::derivable_impls)]
impl Default for Report {
    fn default() -> Self {
        Report {
            updates: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

impl Update {
    /// An update of `name` from `current` to `latest`; the other fields start
    /// empty.
    pub fn new(kind: UpdateKind, name: &str, current: Option<&str>, latest: &str) -> Self {
        Update {
            id: name.to_string(),
            kind,
            name: name.to_string(),
            current: current.map(str::to_string),
            latest: latest.to_string(),
            security: false,
            advisories: Vec::new(),
            breaking: false,
            changelog: None,
            size: None,
            released: None,
            held: None,
            details: Vec::new(),
        }
    }
}

impl Detail {
    /// A detail that is a sentence.
    pub fn note(text: impl Into<String>) -> Self {
        Detail::Note(text.into())
    }
}

/// The line `--details` shows.
impl std::fmt::Display for Detail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Detail::Note(text) => f.write_str(text),
            Detail::Key(k) => f.write_str(&k.text),
            Detail::Release(r) => {
                f.write_str(&r.version)?;
                if let Some(date) = &r.released {
                    write!(f, " ({date})")?;
                }
                if r.security {
                    f.write_str(" [security]")?;
                }
                if r.breaking {
                    f.write_str(" [breaking]")?;
                }
                if !r.summary.is_empty() {
                    write!(f, ": {}", r.summary)?;
                }
                Ok(())
            }
        }
    }
}

impl Context {
    /// A setting's value, if the operator set it.
    pub fn setting(&self, name: &str) -> Option<&str> {
        setting(&self.settings, name)
    }
    /// A path setting resolved against the bot root, or `default` when unset.
    pub fn bot_path(&self, name: &str, default: &str) -> String {
        let rel = self.setting(name).unwrap_or(default);
        if rel.starts_with('/') {
            rel.to_string()
        } else {
            format!("{}/{}", self.bot_root.trim_end_matches('/'), rel)
        }
    }
}

/// A setting's value from a settings list.
pub fn setting<'a>(settings: &'a [(String, String)], name: &str) -> Option<&'a str> {
    settings
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Logging through the host, which tags every line with the provider's name.
pub mod log {
    use super::bindings::steward::provider::host;
    pub use host::Level;

    pub fn debug(message: &str) {
        host::log(Level::Debug, message);
    }
    pub fn info(message: &str) {
        host::log(Level::Info, message);
    }
    pub fn warn(message: &str) {
        host::log(Level::Warn, message);
    }
}

/// The host's clock (RFC 3339, UTC).
pub fn now() -> String {
    bindings::steward::provider::host::now()
}

/// Asks the host to run a granted program and waits for it.
pub fn exec(program: &str, args: &[&str]) -> Result<ExecOutput, Error> {
    bindings::steward::provider::host::exec(&ExecRequest {
        program: program.to_string(),
        args: args.iter().map(|s| s.to_string()).collect(),
        cwd: None,
        timeout_ms: None,
    })
}

/// HTTP through the host: many requests, one round trip of wall time.
pub mod http {
    use super::bindings::steward::provider::host;
    use super::{Error, HttpRequest, HttpResponse, Method};

    /// A GET request with no extra headers.
    pub fn get(url: &str) -> HttpRequest {
        HttpRequest {
            method: Method::Get,
            url: url.to_string(),
            headers: Vec::new(),
            body: None,
            timeout_ms: None,
        }
    }

    /// A POST request carrying a JSON body.
    pub fn post_json(url: &str, body: Vec<u8>) -> HttpRequest {
        HttpRequest {
            method: Method::Post,
            url: url.to_string(),
            headers: vec![("content-type".to_string(), "application/json".to_string())],
            body: Some(body),
            timeout_ms: None,
        }
    }

    /// Sends every request at once; answers come back in the same order.
    pub fn send_all(requests: &[HttpRequest]) -> Vec<Result<HttpResponse, Error>> {
        host::http(requests)
    }

    /// Sends every request at once, like [`send_all`], and yields each
    /// answer as it arrives with the position of its request: a provider
    /// reads one answer while the rest are still on their way, instead of
    /// all of them after the slowest. Every request is answered once.
    /// Dropping the iterator stops what has not arrived.
    pub fn send_each(requests: &[HttpRequest]) -> Answers {
        Answers(host::http_each(requests))
    }

    /// The answers of [`send_each`], in the order they arrive.
    pub struct Answers(host::Answers);

    impl Iterator for Answers {
        type Item = (usize, Result<HttpResponse, Error>);

        fn next(&mut self) -> Option<Self::Item> {
            let (at, answer) = self.0.next()?;
            Some((at as usize, answer))
        }
    }

    /// Sends one request.
    pub fn send(request: HttpRequest) -> Result<HttpResponse, Error> {
        send_all(&[request])
            .pop()
            .unwrap_or_else(|| Err(Error::network("the host answered no response")))
    }

    /// The `host` or `host:port` part of an `http(s)` URL, the form grants
    /// use; the port is kept only when it is not the scheme's default.
    pub fn authority(url: &str) -> Option<String> {
        let (scheme, rest) = url.split_once("://")?;
        let authority = rest.split(['/', '?', '#']).next()?;
        // Credentials are never part of a grant.
        let authority = authority.rsplit('@').next()?.to_ascii_lowercase();
        if authority.is_empty() {
            return None;
        }
        let default_port = match scheme.to_ascii_lowercase().as_str() {
            "http" => ":80",
            "https" => ":443",
            _ => return None,
        };
        Some(
            authority
                .strip_suffix(default_port)
                .map(str::to_string)
                .unwrap_or(authority),
        )
    }

    #[cfg(test)]
    mod tests {
        use super::authority;

        #[test]
        fn authority_keeps_only_non_default_ports() {
            assert_eq!(
                authority("https://pypi.org/pypi").as_deref(),
                Some("pypi.org")
            );
            assert_eq!(
                authority("https://pypi.org:443/x").as_deref(),
                Some("pypi.org")
            );
            assert_eq!(
                authority("http://127.0.0.1:8123/pypi").as_deref(),
                Some("127.0.0.1:8123")
            );
            assert_eq!(
                authority("HTTP://Example.COM").as_deref(),
                Some("example.com")
            );
            assert_eq!(authority("ftp://example.com"), None);
            assert_eq!(authority("no scheme"), None);
        }
    }
}
