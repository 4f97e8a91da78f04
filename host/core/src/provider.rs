//! The provider contract as the host sees it: plain, serializable types that
//! every WIT version converts into. The store, the journal and the fronts
//! speak these; only `runtime::since_*` modules know the generated bindings.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UpdateKind {
    Bot,
    Package,
    Config,
    Dependency,
    System,
}

impl UpdateKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UpdateKind::Bot => "bot",
            UpdateKind::Package => "package",
            UpdateKind::Config => "config",
            UpdateKind::Dependency => "dependency",
            UpdateKind::System => "system",
        }
    }
}

/// Why a provider call failed, as the provider (or the host on its behalf)
/// classified it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorCode {
    Denied,
    Network,
    Timeout,
    InvalidData,
    NotFound,
    Unsupported,
    Conflict,
    Other,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Denied => "denied",
            ErrorCode::Network => "network",
            ErrorCode::Timeout => "timeout",
            ErrorCode::InvalidData => "invalid-data",
            ErrorCode::NotFound => "not-found",
            ErrorCode::Unsupported => "unsupported",
            ErrorCode::Conflict => "conflict",
            ErrorCode::Other => "other",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderError {
    pub code: ErrorCode,
    pub message: String,
}

impl std::fmt::Display for ProviderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl ProviderError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ProviderError {
            code,
            message: message.into(),
        }
    }
}

/// A program a provider may run: exact path, and the accepted argument lists
/// (glob per argument; `...` repeats the pattern before it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Program {
    pub path: String,
    #[serde(default)]
    pub args: Vec<Vec<String>>,
}

/// Capabilities as written: wanted by a provider or granted by the operator.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capabilities {
    #[serde(default)]
    pub read: Vec<String>,
    #[serde(default)]
    pub http: Vec<String>,
    #[serde(default)]
    pub programs: Vec<Program>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Info {
    pub name: String,
    pub version: String,
    pub description: String,
    pub kinds: Vec<UpdateKind>,
    pub wants: Capabilities,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Context {
    pub bot_root: String,
    pub settings: Vec<(String, String)>,
    pub include_security: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Advisory {
    pub id: String,
    pub summary: String,
    pub severity: Option<String>,
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Update {
    pub id: String,
    pub kind: UpdateKind,
    pub name: String,
    pub current: Option<String>,
    pub latest: String,
    pub security: bool,
    pub advisories: Vec<Advisory>,
    pub breaking: bool,
    pub changelog: Option<String>,
    pub size: Option<u64>,
    pub released: Option<String>,
    pub held: Option<String>,
    pub details: Vec<Detail>,
}

/// One line of an update's details, typed where the provider said what it
/// is about. Untagged, so a plain string (what 0.1.0 providers give, and what
/// older sessions stored) reads as a note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Detail {
    Note(String),
    Key(KeyChange),
    Release(ReleaseNote),
}

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

/// What happens to one setting of a configuration file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyChangeKind {
    Added,
    Removed,
    DefaultChanged,
    Conflict,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyChange {
    pub key: String,
    pub change: KeyChangeKind,
    /// The sentence shown for it.
    pub text: String,
}

/// A release between the current version and the latest, with its notes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseNote {
    pub version: String,
    pub released: Option<String>,
    pub security: bool,
    pub breaking: bool,
    /// The first line of its changelog; may be empty.
    pub summary: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub updates: Vec<Update>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Command {
    pub program: String,
    pub args: Vec<String>,
    pub cwd: Option<String>,
    pub timeout_ms: Option<u32>,
    /// Variables set for the program (contract 0.2.0); names that change
    /// what runs are refused when the step is applied.
    #[serde(default)]
    pub env: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Download {
    pub url: String,
    pub sha256: String,
    pub size_limit: u64,
    pub signature: Option<String>,
    pub unpack_to: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteFile {
    pub path: String,
    pub contents: Vec<u8>,
    pub diff: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SwitchRelease {
    pub link: String,
    pub target: String,
}

/// Remove a file, a link (not what it points at) or a directory tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remove {
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Action {
    Exec(Command),
    Download(Download),
    WriteFile(WriteFile),
    SwitchRelease(SwitchRelease),
    Remove(Remove),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub description: String,
    pub action: Action,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub steps: Vec<Step>,
    pub restart: bool,
}
