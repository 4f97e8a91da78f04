//! The plan executor: the host runs a provider's plan step by step under that
//! provider's grant — one file per verb (`exec`, `download`, `write_file`,
//! `switch_release`, `remove`), `boundary` for where a step may write, `signature` for
//! the operator's minisign key, and `dry_run` to show a plan without running
//! it. It never decides what to update, and it never journals or rolls back:
//! the install transaction calls it one step at a time and does both.

mod boundary;
mod delta;
mod download;
mod dry_run;
mod error;
mod exec;
mod remove;
mod signature;
mod switch_release;
mod write_file;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

pub use delta::DeltaReport;
pub use download::sweep as sweep_downloads;
pub use dry_run::dry_run;
pub use error::ApplyError;
pub use signature::{KeyError, VerifyKey};
pub use switch_release::target_dir as switch_target;

use crate::config::Config;
use crate::provider::{Action, Step};
use crate::runtime::grants::Grant;
use steward_core::dir_handle::HandleError;

/// How long a command may run when its step names no time limit.
pub const DEFAULT_EXEC_TIMEOUT: Duration = Duration::from_secs(15 * 60);
/// The longest a download may take, connection to last byte.
pub const DEFAULT_DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// Output kept of a command's stdout and of its stderr.
const OUTPUT_CAP: usize = 1024 * 1024;

/// Everything a step needs: whose plan it is, what that provider may do,
/// and where the host keeps its own files.
#[derive(Clone)]
pub struct ApplyContext {
    /// The provider's name (its file stem), for messages.
    pub provider: String,
    pub grant: Arc<Grant>,
    /// The managed bot's root: every file a step writes is inside it.
    pub bot_root: PathBuf,
    /// Steward's own files (what each is, where it really is): no step may
    /// write there, whatever a grant says.
    pub own: Vec<(&'static str, PathBuf)>,
    /// The most bytes one download may bring, whatever its step says
    /// (`safety.max_update_size_mb`).
    pub max_download_bytes: u64,
    /// Where downloads are streamed before they are checked (`<data>/downloads`).
    pub downloads: PathBuf,
    /// The operator's key for this provider's downloads, if any.
    pub verify_key: Option<VerifyKey>,
    pub exec_timeout: Duration,
    pub download_timeout: Duration,
    /// The release running now, whose files a delta download reuses when
    /// their sha256 matches (see [`previous_release`]).
    pub previous_release: Option<PathBuf>,
    http: reqwest::Client,
}

impl ApplyContext {
    /// The context for `provider`'s plans: its grant as the runtime decided
    /// it, its verification key from `[providers.NAME] verify_key`.
    pub fn new(config: &Config, provider: &str, grant: Arc<Grant>) -> Result<Self, ApplyError> {
        let verify_key = config
            .providers
            .get(provider)
            .and_then(|p| p.verify_key.as_deref())
            .map(VerifyKey::parse)
            .transpose()
            .map_err(|e| ApplyError::SignatureUnusable {
                url: format!("providers.{provider}.verify_key"),
                source: e.into(),
            })?;
        let http = crate::fetch::client().map_err(|e| ApplyError::Download {
            url: String::new(),
            message: format!("cannot set up the HTTP client: {e}"),
        })?;
        Ok(ApplyContext {
            provider: provider.to_string(),
            grant,
            bot_root: config.bot.root.clone(),
            own: config
                .own_paths()
                .into_iter()
                .map(|(what, p)| {
                    let real = crate::runtime::grants::resolve_target(&p).unwrap_or(p);
                    (what, real)
                })
                .collect(),
            max_download_bytes: config.safety.max_update_size_mb.saturating_mul(1024 * 1024),
            downloads: config.paths.data.join("downloads"),
            verify_key,
            exec_timeout: DEFAULT_EXEC_TIMEOUT,
            download_timeout: DEFAULT_DOWNLOAD_TIMEOUT,
            previous_release: None,
            http,
        })
    }

    fn denied(&self, reason: impl ToString) -> ApplyError {
        ApplyError::Denied {
            provider: self.provider.clone(),
            reason: reason.to_string(),
        }
    }
}

/// What a step did, for the journal and the progress report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "done", rename_all = "kebab-case")]
pub enum StepOutcome {
    Ran {
        program: String,
        /// The end of what it printed (stdout).
        output_tail: String,
    },
    Downloaded {
        /// The release directory the archive became.
        unpacked_to: PathBuf,
        bytes: u64,
        sha256: String,
        signature: SignatureCheck,
        files: usize,
        /// How a delta download went (a per-file manifest was published).
        #[serde(skip_serializing_if = "Option::is_none")]
        delta: Option<DeltaReport>,
    },
    Wrote {
        path: PathBuf,
        bytes: u64,
        /// Whether a file was there before.
        replaced: bool,
    },
    Switched {
        link: PathBuf,
        /// What the link said before; `None` when there was no link.
        previous: Option<String>,
        target: String,
    },
    Removed {
        path: PathBuf,
        /// Whether anything was there to remove.
        existed: bool,
    },
}

/// Whether a download's signature was checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignatureCheck {
    /// Verified with the configured key; the signature's trusted comment.
    Verified { trusted_comment: String },
    /// No key is configured for the provider: only the sha256 was checked.
    NoKeyConfigured,
}

/// The release directories `plan`'s downloads will create: the ones whose
/// destination does not exist yet (a download never unpacks over anything,
/// so whatever is at those paths after the run, the run made).
pub fn new_unpack_targets(plan: &crate::provider::Plan) -> Vec<PathBuf> {
    plan.steps
        .iter()
        .filter_map(|step| match &step.action {
            Action::Download(d) => Some(PathBuf::from(&d.unpack_to)),
            _ => None,
        })
        .filter(|path| path.symlink_metadata().is_err())
        .collect()
}

/// The release directory `download` would replace: where the plan's link
/// switch to `download.unpack_to` points today. A delta download reuses
/// its files; `None` when the plan switches no link to it or the link
/// names no directory.
pub fn previous_release(
    plan: &crate::provider::Plan,
    download: &crate::provider::Download,
) -> Option<PathBuf> {
    let unpack_to = std::path::Path::new(&download.unpack_to);
    plan.steps.iter().find_map(|step| match &step.action {
        Action::SwitchRelease(s) => {
            let link = std::path::Path::new(&s.link);
            let parent = link.parent()?;
            if parent.join(&s.target) != unpack_to {
                return None;
            }
            let now = parent.join(std::fs::read_link(link).ok()?);
            now.is_dir().then_some(now)
        }
        _ => None,
    })
}

/// Removes a release directory an undone download created, after the same
/// checks a write gets (inside the bot root and the write grant, never
/// Steward's own files). A link or a file there is left alone. Answers
/// whether something was removed.
pub fn remove_unpacked(ctx: &ApplyContext, dir: &std::path::Path) -> Result<bool, ApplyError> {
    let placed = boundary::writable(ctx, &dir.display().to_string())?;
    let path = placed.path();
    match path.symlink_metadata() {
        Ok(meta) if meta.is_dir() => {
            std::fs::remove_dir_all(&path).map_err(ApplyError::io(&path))?;
            tracing::info!(
                provider = ctx.provider,
                "removed the undone release {}",
                path.display()
            );
            Ok(true)
        }
        Ok(_) => Ok(false),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(ApplyError::io(&path)(e)),
    }
}

/// Runs one step under the provider's grant. A refusal (`Denied`,
/// `OutsideBotRoot`, a checksum or signature failure…) changes nothing on
/// disk; the download's temporary file and staging directory are removed.
pub async fn run_step(ctx: &ApplyContext, step: &Step) -> Result<StepOutcome, ApplyError> {
    match &step.action {
        Action::Exec(command) => {
            let (ctx, command) = (ctx.clone(), command.clone());
            blocking(move || exec::run(&ctx, &command)).await
        }
        Action::Download(download) => download::run(ctx, download).await,
        Action::WriteFile(write) => {
            let (ctx, write) = (ctx.clone(), write.clone());
            blocking(move || write_file::run(&ctx, &write)).await
        }
        Action::SwitchRelease(switch) => {
            let (ctx, switch) = (ctx.clone(), switch.clone());
            blocking(move || switch_release::run(&ctx, &switch)).await
        }
        Action::Remove(remove) => {
            let (ctx, remove) = (ctx.clone(), remove.clone());
            blocking(move || remove::run(&ctx, &remove)).await
        }
    }
}

/// Runs file system and process work off the async threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApplyError> + Send + 'static,
) -> Result<T, ApplyError> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
}

/// The last name of a step's path, as a directory handle takes it. Step
/// paths arrive from the provider as text, so it is always UTF-8.
fn name_of(placed: &boundary::Placed) -> Result<&str, ApplyError> {
    placed.name.to_str().ok_or_else(|| ApplyError::BadPath {
        path: placed.path().display().to_string(),
        why: "its name is not UTF-8",
    })
}

/// A directory handle's failure, said about `path` (as the step names it)
/// with the system's cause.
fn handle_error(path: impl Into<PathBuf>) -> impl FnOnce(HandleError) -> ApplyError {
    let path = path.into();
    move |e| ApplyError::Io {
        path,
        source: e.into_parts().1,
    }
}

/// A name for a temporary file or directory next to `name`, unique to this
/// process and moment, hidden from the bot's own listings.
fn temp_name(name: &std::ffi::OsStr, purpose: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!(
        ".{}.steward-{purpose}-{}-{nanos}",
        name.to_string_lossy(),
        std::process::id()
    )
}
