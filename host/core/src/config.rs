//! `steward.toml`: where the managed bot lives, where Steward keeps its data,
//! the sandbox limits, and what each provider is granted. This module parses
//! and resolves paths; it never acts on what it reads.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

pub use crate::config_problem::{
    ConfigProblem, FleetProblem, GrantProblem, OffsiteFault, OffsiteProblem, OwnFile,
};
pub use crate::grant::GrantConfig;

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not valid: {problem}")]
    Invalid {
        path: PathBuf,
        problem: ConfigProblem,
    },
}

/// The resolved configuration: every path absolute.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file this was read from (absent when running on defaults).
    pub file: Option<PathBuf>,
    /// Whether the bot's root was named (`[bot] root` or `--bot-root`);
    /// Steward never guesses which tree to manage.
    pub bot_root_named: bool,
    pub bot: BotConfig,
    pub paths: Paths,
    pub runtime: RuntimeLimits,
    pub providers: BTreeMap<String, ProviderConfig>,
    /// `[providers] require_signature` and `signature_keys`: whether a
    /// provider file must carry a minisign signature (`NAME.wasm.minisig`)
    /// by one of these keys before it is loaded.
    pub signatures: ProviderSignatures,
    pub backup: BackupConfig,
    pub safety: Safety,
    pub discord: DiscordConfig,
    pub general: General,
    pub scheduling: Scheduling,
    pub notifications: Notifications,
    pub logging: Logging,
    pub control: ControlConfig,
    /// `[fleet]`: one instance of a fleet coordinated through etcd.
    pub fleet: Option<crate::fleet::FleetConfig>,
}

/// `[control]`: who may use the service's control socket, by Unix user
/// and group. Root and the user the service runs as are always owners;
/// anyone else matched by none of these lists is refused.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ControlConfig {
    /// The socket's path (default `<data>/steward.sock`).
    pub socket: Option<PathBuf>,
    /// The group the socket belongs to (mode 0660), so its members can
    /// connect; unset keeps the service's own group.
    pub group: Option<String>,
    /// Users (names or numeric uids) who are owners.
    pub owner_users: Vec<String>,
    /// Groups (names or numeric gids) whose members are owners.
    pub owner_groups: Vec<String>,
    /// Users who are admins: check, status, create and list backups.
    pub admin_users: Vec<String>,
    /// Groups whose members are admins.
    pub admin_groups: Vec<String>,
    /// `[control.http]`: an HTTP listener for CI/CD pipelines, with bearer
    /// tokens each scoped to operations. Off unless configured.
    pub http: Option<HttpControl>,
}

/// `[control.http]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpControl {
    /// Address to listen on; loopback unless the operator says otherwise
    /// (put a TLS-terminating proxy in front of anything else).
    #[serde(default = "loopback")]
    pub listen: String,
    /// Requests each token may make per minute; more are answered 429.
    #[serde(default = "thirty")]
    pub rate_limit_per_minute: u32,
    pub tokens: Vec<HttpToken>,
}

/// One `[[control.http.tokens]]`: its secret is read from an environment
/// variable or a file, never written in steward.toml.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpToken {
    /// Shown in the audit log and in refusals.
    pub name: String,
    pub token_env: Option<String>,
    pub token_file: Option<PathBuf>,
    /// Operations it may run: `check`, `status`, `install` (any type) or
    /// `install:TYPE`, `rollback`, `backup_create`, `backup_list`, …
    pub scopes: Vec<String>,
}

/// The operations a `[control.http]` token can be scoped to (`install` may
/// also be narrowed to one type, `install:bot`).
pub const HTTP_SCOPES: &[&str] = &[
    "check",
    "install",
    "status",
    "rollback",
    "schedule",
    "backup_create",
    "backup_list",
    "backup_restore",
    "backup_prune",
    "settings",
    "bot_control",
];

impl HttpControl {
    fn validate(&self) -> Result<(), ConfigProblem> {
        self.listen
            .parse::<std::net::SocketAddr>()
            .map_err(|e| ConfigProblem::HttpListen {
                listen: self.listen.clone(),
                cause: e.to_string(),
            })?;
        if self.rate_limit_per_minute == 0 {
            return Err(ConfigProblem::HttpRateLimitZero);
        }
        let mut names = std::collections::BTreeSet::new();
        for t in &self.tokens {
            if t.name.trim().is_empty() || !names.insert(t.name.as_str()) {
                return Err(ConfigProblem::HttpTokenName {
                    name: t.name.clone(),
                });
            }
            if t.token_env.is_some() == t.token_file.is_some() {
                return Err(ConfigProblem::HttpTokenSecret {
                    name: t.name.clone(),
                });
            }
            for scope in &t.scopes {
                let (op, kind) = scope.split_once(':').unwrap_or((scope, ""));
                let typed_ok = kind.is_empty()
                    || (op == "install"
                        && <crate::update_type::UpdateType as clap::ValueEnum>::from_str(
                            kind, true,
                        )
                        .is_ok());
                if !HTTP_SCOPES.contains(&op) || !typed_ok {
                    return Err(ConfigProblem::HttpTokenScope {
                        name: t.name.clone(),
                        scope: scope.clone(),
                    });
                }
            }
        }
        Ok(())
    }
}

fn loopback() -> String {
    "127.0.0.1:8787".to_string()
}

fn thirty() -> u32 {
    30
}

/// `[logging]`: how much Steward logs, where each update session's log
/// goes, and how the bot's `output.log` and the session logs are bounded.
#[derive(Debug, Clone)]
pub struct Logging {
    /// `error`, `warn`, `info`, `debug` or `trace`; `STEWARD_LOG` or
    /// `RUST_LOG` override it, as does `-v`.
    pub level: String,
    /// One file per install or rollback session (default `<data>/logs`).
    pub update_logs_path: PathBuf,
    /// Rotated copies of the bot's `output.log` kept (`output.log.1` …).
    pub max_log_files: usize,
    /// `output.log` is rotated once it reaches this many bytes.
    pub log_rotation_size: u64,
    /// Session logs kept under `update_logs_path`, the newest.
    pub max_session_logs: usize,
    /// How Steward writes its own log lines: text for people, or one JSON
    /// object per line for a log collector.
    pub format: LogFormat,
    /// Steward's own log also goes to this file, rotated like `output.log`
    /// (`log_rotation_size`, `max_log_files`); stderr only when unset.
    pub file: Option<PathBuf>,
}

/// `[logging] format`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// The `[logging]` table as written; the level and the size are checked
/// when the configuration is resolved, so an error names the key.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct LoggingSection {
    level: String,
    update_logs_path: Option<PathBuf>,
    max_log_files: usize,
    log_rotation_size: toml::Value,
    max_session_logs: usize,
    format: LogFormat,
    file: Option<PathBuf>,
}

impl Default for LoggingSection {
    fn default() -> Self {
        LoggingSection {
            level: "info".to_string(),
            update_logs_path: None,
            max_log_files: 10,
            log_rotation_size: toml::Value::String("10MB".to_string()),
            max_session_logs: 100,
            format: LogFormat::Text,
            file: None,
        }
    }
}

/// Log levels `[logging] level` accepts, most severe first.
pub const LOG_LEVELS: [&str; 5] = ["error", "warn", "info", "debug", "trace"];

/// `"10MB"`, `"512 KiB"`, `"1G"` or a number of bytes. Units are binary
/// (K = KB = KiB = 1024 bytes), as logrotate reads them. The error is the
/// value as it is shown back.
fn parse_size(value: &toml::Value) -> Result<u64, String> {
    let text = match value {
        toml::Value::Integer(n) if *n > 0 => return Ok(*n as u64),
        toml::Value::String(s) => s.trim(),
        other => return Err(other.to_string()),
    };
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let shift = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        _ => return Err(format!("\"{text}\"")),
    };
    number
        .parse::<u64>()
        .ok()
        .filter(|n| *n > 0)
        .and_then(|n| n.checked_mul(1 << shift))
        .ok_or_else(|| format!("\"{text}\""))
}

/// `[general]`: how updates are run.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct General {
    /// Install found updates without being asked (schedules always install);
    /// the same as `auto_updates = "all"`.
    pub auto_updates_enabled: bool,
    /// What the background check installs by itself: `"off"`, `"security"`
    /// (security fixes only, as unattended-upgrades does; everything else
    /// waits for a person) or `"all"`. Unset, `auto_updates_enabled` decides.
    pub auto_updates: Option<AutoUpdates>,
    /// Seconds between background checks while `steward serve` runs.
    pub update_check_interval: u64,
    /// Updates that may run at once; the install lock allows one.
    pub max_concurrent_updates: u32,
    /// Ask before installing (`confirm` in Discord, a prompt on the shell).
    pub require_confirmation: bool,
    /// Post the result of every update to the notification channels.
    pub notify_on_completion: bool,
    /// Restart the bot after a scheduled update that needs it; off leaves
    /// the restart to the operator (the update takes effect at the next start).
    pub auto_restart: bool,
}

impl Default for General {
    fn default() -> Self {
        General {
            auto_updates_enabled: false,
            auto_updates: None,
            update_check_interval: 3600,
            max_concurrent_updates: 1,
            require_confirmation: true,
            notify_on_completion: true,
            auto_restart: true,
        }
    }
}

impl Config {
    /// What the background check installs from `provider` by itself: the
    /// source's own `auto_updates`, else `general`'s.
    pub fn auto_mode_for(&self, provider: &str) -> AutoUpdates {
        self.providers
            .get(provider)
            .and_then(|p| p.auto_updates)
            .unwrap_or_else(|| self.general.auto_mode())
    }

    /// Whether any source's mode differs from `general.auto_updates`.
    pub fn auto_modes_per_source(&self) -> bool {
        let general = self.general.auto_mode();
        self.providers
            .values()
            .any(|p| p.auto_updates.is_some_and(|m| m != general))
    }
}

impl General {
    /// What the background check installs by itself.
    pub fn auto_mode(&self) -> AutoUpdates {
        match self.auto_updates {
            Some(mode) => mode,
            None if self.auto_updates_enabled => AutoUpdates::All,
            None => AutoUpdates::Off,
        }
    }
}

/// `general.auto_updates`: what the background check installs by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AutoUpdates {
    /// Nothing: what it finds is posted for a person to install.
    Off,
    /// Security fixes only; the rest is posted.
    Security,
    /// Everything it is allowed to (`scheduling.allowed_update_types`).
    All,
}

impl AutoUpdates {
    pub fn as_str(self) -> &'static str {
        match self {
            AutoUpdates::Off => "off",
            AutoUpdates::Security => "security",
            AutoUpdates::All => "all",
        }
    }
}

/// What a scheduled run does when another update is still running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OverlapPolicy {
    /// Wait (up to `overlap_wait_minutes`) for the other update to finish.
    Wait,
    /// Do not run this time.
    Skip,
}

/// `[scheduling]`: limits and behaviour of scheduled update runs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Scheduling {
    /// Whether schedules run at all; off keeps them, but none runs.
    pub enabled: bool,
    /// `HH:MM` used when a schedule gives no `update_time`.
    pub default_time: String,
    pub max_schedules: usize,
    /// Update types a schedule may run.
    pub allowed_update_types: Vec<crate::UpdateType>,
    /// Scheduled runs take the pre-update backup.
    pub require_backup_before_schedule: bool,
    /// IANA zone schedule times are read in (`Europe/Berlin`).
    pub timezone: String,
    /// A run missed while Steward was down still runs at start when it is
    /// at most this late; 0 never catches up.
    pub missed_run_window_minutes: u64,
    /// When another update is running at a scheduled time.
    pub on_overlap: OverlapPolicy,
    /// How long `on_overlap = "wait"` waits before giving up on this run.
    pub overlap_wait_minutes: u64,
}

impl Default for Scheduling {
    fn default() -> Self {
        use crate::UpdateType;
        Scheduling {
            enabled: true,
            default_time: "03:00".to_string(),
            max_schedules: 5,
            allowed_update_types: vec![UpdateType::Packages, UpdateType::Bot, UpdateType::Config],
            require_backup_before_schedule: true,
            timezone: "UTC".to_string(),
            missed_run_window_minutes: 60,
            on_overlap: OverlapPolicy::Wait,
            overlap_wait_minutes: 60,
        }
    }
}

/// `[notifications]`: which events are posted to the notification
/// channels (`discord.notify_channels`, `discord.webhook_url`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Notifications {
    pub on_start: bool,
    pub on_progress: bool,
    pub on_completion: bool,
    pub on_error: bool,
    pub on_backup: bool,
    /// The quiet level: no start or progress posts, and no post for a run
    /// that had nothing to do; changes and failures only.
    pub only_changes_and_errors: bool,
}

impl Default for Notifications {
    fn default() -> Self {
        Notifications {
            on_start: true,
            on_progress: false,
            on_completion: true,
            on_error: true,
            on_backup: true,
            only_changes_and_errors: false,
        }
    }
}

/// The `[discord]` table: how `steward serve` reaches Discord and who may
/// use it. Ids are Discord snowflakes, written as integers or strings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DiscordConfig {
    /// The environment variable holding the bot token.
    pub token_env: String,
    /// Another address for Discord's REST API and gateway lookup (an HTTP
    /// proxy that rate-limits for us, or a local fake in tests).
    pub api_base: Option<String>,
    /// Register the commands in these guilds only (instantly); empty means
    /// globally.
    #[serde(deserialize_with = "snowflakes")]
    pub guilds: Vec<u64>,
    /// Users treated as owners besides the application's owner or team.
    #[serde(deserialize_with = "snowflakes")]
    pub owners: Vec<u64>,
    /// Members with any of these roles are admins (as are members with the
    /// Administrator permission).
    #[serde(deserialize_with = "snowflakes")]
    pub admin_roles: Vec<u64>,
    /// Channels that receive notifications.
    #[serde(deserialize_with = "snowflakes")]
    pub notify_channels: Vec<u64>,
    /// A webhook that also receives notifications; it works while the
    /// gateway connection is down.
    pub webhook_url: Option<String>,
    /// How long a Confirm/Cancel prompt waits before it counts as Cancel.
    pub confirm_timeout_seconds: u64,
    /// The language of notifications, as Discord names locales (`en-US`,
    /// `zh-CN`, `de`); unset, the guild's preferred locale. Answers follow
    /// each user's own Discord language.
    pub locale: Option<String>,
}

impl Default for DiscordConfig {
    fn default() -> Self {
        DiscordConfig {
            token_env: "DISCORD_TOKEN".to_string(),
            api_base: None,
            guilds: Vec::new(),
            owners: Vec::new(),
            admin_roles: Vec::new(),
            notify_channels: Vec::new(),
            webhook_url: None,
            confirm_timeout_seconds: 60,
            locale: None,
        }
    }
}

/// A language tag of the shape Discord uses: a 2-3 letter language, then
/// optional subtags of 2-8 letters or digits (`en-US`, `es-419`, `zh-CN`).
fn is_locale_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let language = parts.next().unwrap_or_default();
    (2..=3).contains(&language.len())
        && language.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// Discord ids as TOML integers or as the strings Discord's client copies.
fn snowflakes<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        Number(u64),
        Text(String),
    }
    Vec::<Id>::deserialize(d)?
        .into_iter()
        .map(|id| match id {
            Id::Number(n) => Ok(n),
            Id::Text(s) => s.trim().parse::<u64>().map_err(|_| {
                serde::de::Error::custom(format!("\"{s}\" is not a Discord id (digits only)"))
            }),
        })
        .collect()
}

#[derive(Debug, Clone)]
pub struct BotConfig {
    pub name: String,
    pub root: PathBuf,
    /// How Steward runs and restarts the bot; `None` when it does neither.
    pub control: Option<BotControlConfig>,
    /// What makes a (re)started bot healthy.
    pub health: Health,
    /// `[bot] env`: variables the bot (and the restart command) get, as
    /// written, besides the few Steward passes on from its own environment.
    pub env: BTreeMap<String, String>,
    /// `[bot] pid_file`: where the service manager that runs the bot
    /// (`restart_command`) writes its pid, so the impact watch can sample
    /// it (issue 23). Relative to the bot's root.
    pub pid_file: Option<PathBuf>,
}

/// How the managed bot is run: Steward starts it itself (`start`, a program
/// and its arguments, never a shell), or calls the operator's restart
/// command (a systemd unit, a container).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BotControlConfig {
    Supervise {
        /// Program and arguments; `{bot}` becomes the bot's root.
        start: Vec<String>,
        /// Time between SIGTERM and SIGKILL when stopping.
        stop_timeout_secs: u64,
        /// `[bot] handoff`: the bot can start beside its old version and
        /// say when it is ready (a blue-green switch); `None`: restarts.
        handoff: Option<Handoff>,
    },
    Command {
        /// Program and arguments that restart the bot.
        restart: Vec<String>,
    },
}

/// How a new version of the bot tells Steward it is ready to take over
/// from the old one (issue 23: blue-green).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Handoff {
    /// The new process gets `STEWARD_READY_FILE`, a path, and creates that
    /// file once it serves; then the old one gets SIGTERM to drain.
    ReadyFile,
}

/// The health probation after a restart: the bot must stay up for
/// `probation_secs` and, when set, print `ready_line` and answer `health_url`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Health {
    pub probation_secs: u64,
    /// Text a line of the bot's output must contain once it is ready
    /// (supervised bots only: Steward reads their output).
    pub ready_line: Option<String>,
    /// Must answer 2xx within the probation.
    pub health_url: Option<String>,
    /// How long to wait for the ready line or the health URL.
    pub ready_timeout_secs: u64,
}

impl Default for Health {
    fn default() -> Self {
        Health {
            probation_secs: 10,
            ready_line: None,
            health_url: None,
            ready_timeout_secs: 60,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Paths {
    pub data: PathBuf,
    pub providers: PathBuf,
    pub cache: PathBuf,
    /// The data directory may lie inside the bot's root (or hold it).
    pub allow_inside_bot: bool,
}

/// Limits every provider call runs under.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RuntimeLimits {
    /// Wall-clock budget of one call, host work (HTTP, exec) included.
    pub call_timeout_secs: u64,
    /// Memory one call may hold: every memory and table of the provider's
    /// instances together, and the HTTP answers held for it.
    pub memory_limit_mb: u64,
    /// WebAssembly stack.
    pub stack_limit_kb: u64,
    /// Largest HTTP response body a provider may receive.
    pub http_response_limit_kb: u64,
    /// HTTP requests of one call in flight at once on connections of their
    /// own. Like npm's maxsockets (15): registries and proxies stall
    /// clients that open many more. Requests that ride an origin's one
    /// HTTP/2 connection as streams are not counted: the server says how
    /// many streams it takes, and the client keeps to that.
    pub http_concurrency: usize,
    /// HTTP requests one `http()` batch may hold; a larger batch is refused
    /// whole, before anything is sent.
    pub http_batch_limit: usize,
    /// Largest output a granted program may print.
    pub exec_output_limit_kb: u64,
    /// Keep providers' GET answers under `<data>/cache/http/` and reuse them
    /// as HTTP allows (fresh by `Cache-Control`/`Expires`, else revalidated
    /// with `ETag`/`Last-Modified`).
    pub http_cache: bool,
    /// Size cap of that cache; the least recently used answers go first.
    pub http_cache_limit_mb: u64,
    /// A registry answer younger than this is reused from the HTTP cache
    /// without asking the registry, whatever its own headers say; an older
    /// one is asked again. Only requests a provider marks as registry
    /// metadata (`Cache-Control: max-stale`) qualify, never security
    /// look-ups. 0 turns it off: then HTTP's own rules decide.
    pub registry_max_age_secs: u64,
}

impl Default for RuntimeLimits {
    fn default() -> Self {
        RuntimeLimits {
            call_timeout_secs: 60,
            memory_limit_mb: 256,
            stack_limit_kb: 1024,
            http_response_limit_kb: 16 * 1024,
            http_concurrency: 16,
            http_batch_limit: 256,
            exec_output_limit_kb: 16 * 1024,
            http_cache: true,
            http_cache_limit_mb: 256,
            registry_max_age_secs: 300,
        }
    }
}

/// `[backup]`: where archives go, how they are made, how many are kept, and
/// what each backup type covers.
#[derive(Debug, Clone)]
pub struct BackupConfig {
    /// Take the pre-update backup (`safety.require_backup_before_update`
    /// forces it whatever this says).
    pub enabled: bool,
    /// Where archives are written (`backup_path`, default `<data>/backups`).
    pub path: PathBuf,
    /// Write `.tar.gz` archives; off writes every new archive as a plain
    /// `.tar`, whatever a request asks.
    pub compression_enabled: bool,
    /// gzip level 0-9.
    pub compression_level: u32,
    /// Completed backups kept by pruning (the newest first).
    pub max_backups: usize,
    /// Backups older than this are pruned.
    pub backup_retention_days: u64,
    /// Prune after each backup.
    pub auto_cleanup: bool,
    /// Read every new archive back and check it against its manifest.
    pub verify_backups: bool,
    pub scopes: BackupScopes,
    /// What a new backup is (issue 17): a snapshot in the restic-format
    /// repository at `path` (the default), or a `.tar.gz`/`.tar` archive.
    pub format: BackupFormat,
    /// The repository's password (`password_file`); unset, it comes from
    /// `STEWARD_BACKUP_PASSWORD`, or Steward creates `<data>/backup-password`.
    pub password_file: Option<PathBuf>,
    /// `[backup.offsite.NAME]`: where each snapshot is copied (issue 17).
    pub offsite: Vec<crate::offsite::OffsiteTarget>,
}

/// `[backup] format`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackupFormat {
    /// A `.tar.gz` (or `.tar`) archive per backup, as before issue 17.
    Tar,
    /// A snapshot in the restic-format repository: the default.
    #[default]
    Restic,
}

/// What each backup type covers: globs relative to the bot's root. A file is
/// in a scope when it matches an `include` pattern and no `exclude` pattern.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BackupScopes {
    pub full: Scope,
    pub database: Scope,
    pub config: Scope,
    pub data_only: Scope,
    /// Logs are left out of every type unless `--include-logs` adds them.
    pub logs: Scope,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Scope {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

impl Scope {
    fn of(include: &[&str], exclude: &[&str]) -> Scope {
        let own = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        Scope {
            include: own(include),
            exclude: own(exclude),
        }
    }
}

impl Default for BackupScopes {
    /// Fits the demo bot: code at the root, `config/`, `data/` (with its
    /// SQLite database), `logs/`; installed dependencies are rebuilt, not kept.
    fn default() -> Self {
        BackupScopes {
            full: Scope::of(
                &["**/*", ".env"],
                &[
                    ".git/**",
                    ".venv/**",
                    "**/node_modules/**",
                    "**/__pycache__/**",
                ],
            ),
            database: Scope::of(
                &["data/**/*.sqlite3", "data/**/*.sqlite", "data/**/*.db"],
                &[],
            ),
            config: Scope::of(&["config/**/*", ".env"], &[]),
            data_only: Scope::of(&["data/**/*"], &[]),
            logs: Scope::of(&["logs/**/*"], &[]),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct BackupSection {
    enabled: bool,
    backup_path: Option<PathBuf>,
    compression_enabled: bool,
    compression_level: u32,
    max_backups: usize,
    backup_retention_days: u64,
    auto_cleanup: bool,
    verify_backups: bool,
    types: BackupScopes,
    format: BackupFormat,
    password_file: Option<PathBuf>,
    offsite: BTreeMap<String, crate::offsite::OffsiteSection>,
}

impl Default for BackupSection {
    fn default() -> Self {
        BackupSection {
            enabled: true,
            backup_path: None,
            compression_enabled: true,
            compression_level: 6,
            max_backups: 50,
            backup_retention_days: 90,
            auto_cleanup: true,
            verify_backups: true,
            types: BackupScopes::default(),
            format: BackupFormat::default(),
            password_file: None,
            offsite: BTreeMap::new(),
        }
    }
}

/// `[safety]`: guards every change Steward makes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Safety {
    /// Free space that must remain on the backup disk after a backup, and
    /// on the bot's disk before an update.
    pub min_disk_space_mb: u64,
    /// Refuse `--no-backup` on an install unless forced.
    pub require_backup_before_update: bool,
    /// An update whose known download sizes add up to more stops unless forced.
    pub max_update_size_mb: u64,
    /// A download with no signature key configured stops unless forced.
    pub verify_downloads: bool,
    /// Undo everything when an install fails.
    pub rollback_on_failure: bool,
    /// The test gate: a program and its arguments (the bot's own tests or a
    /// smoke command) run against the staged update before it goes live;
    /// `{staged}` is the new release's directory (the bot root when no
    /// release is staged), `{bot}` the bot root. Empty: no gate.
    pub test_command: Vec<String>,
    /// How long the test gate may run before it is stopped and counts as failed.
    pub test_timeout_secs: u64,
    /// The impact watch: seconds the supervised bot is sampled (CPU, memory,
    /// restarts) before and after each update; 0 turns it off.
    pub impact_window_secs: u64,
    /// A resident memory growth above this percentage is a regression.
    pub impact_max_rss_increase_percent: u64,
    /// A CPU use growth above this many percentage points is a regression.
    pub impact_max_cpu_increase_points: u64,
    /// An error rate growth above this is a regression: errors a minute, or
    /// percentage points of requests failed when the health URL counts
    /// requests too (the health URL's JSON `errors` / `requests` counters).
    pub impact_error_rate_increase: u64,
    /// Roll the update back when a regression is severe: twice a threshold,
    /// or the bot restarting or down after the update.
    pub impact_rollback_on_severe: bool,
}

impl Default for Safety {
    fn default() -> Self {
        Safety {
            require_backup_before_update: true,
            min_disk_space_mb: 1024,
            max_update_size_mb: 100,
            verify_downloads: true,
            rollback_on_failure: true,
            test_command: Vec::new(),
            test_timeout_secs: 300,
            impact_window_secs: 0,
            impact_max_rss_increase_percent: 50,
            impact_max_cpu_increase_points: 25,
            impact_error_rate_increase: 5,
            impact_rollback_on_severe: false,
        }
    }
}

/// One `[providers.NAME]` table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    #[serde(default = "yes")]
    pub enabled: bool,
    /// What the operator grants; absent means nothing.
    #[serde(default)]
    pub grant: Option<GrantConfig>,
    /// A minisign public key (the base64 line of a `.pub` file, or the whole
    /// file). When set, every download this provider plans must carry a
    /// signature by this key. Host-side, so a provider cannot opt out.
    #[serde(default)]
    pub verify_key: Option<String>,
    /// A release younger than this (by its release date) is reported but
    /// held, not offered, until it is this old (Renovate's
    /// `minimumReleaseAge`); 0 offers it at once.
    #[serde(default)]
    pub min_release_age_hours: u64,
    /// Hold security fixes by `min_release_age_hours` too; off, they are
    /// offered at once.
    #[serde(default)]
    pub cooldown_applies_to_security: bool,
    /// What the background check installs from this source by itself
    /// (`"off"`, `"security"`, `"all"`); unset, `general.auto_updates` decides.
    #[serde(default)]
    pub auto_updates: Option<AutoUpdates>,
    /// Passed to the provider as strings (non-strings as JSON).
    #[serde(default)]
    pub settings: toml::Table,
}

fn yes() -> bool {
    true
}

/// `[providers] require_signature = true` and `signature_keys = [...]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProviderSignatures {
    /// A dropped-in provider without a valid `NAME.wasm.minisig` beside it
    /// is refused; the providers bundled with this build are trusted by
    /// their hash.
    pub require: bool,
    /// minisign public keys (the base64 line of a `.pub` file, or the
    /// whole file); a signature by any one of them is accepted.
    pub keys: Vec<String>,
}

/// The `[providers]` table: the signature policy beside one table per
/// provider, read with the provider tables' own error positions.
#[derive(Debug, Default)]
struct ProvidersSection {
    signatures: ProviderSignatures,
    each: BTreeMap<String, ProviderConfig>,
}

impl<'de> Deserialize<'de> for ProvidersSection {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = ProvidersSection;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("require_signature, signature_keys and one table per provider")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<ProvidersSection, A::Error> {
                let mut section = ProvidersSection::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "require_signature" => section.signatures.require = map.next_value()?,
                        "signature_keys" => section.signatures.keys = map.next_value()?,
                        _ => {
                            let provider = map.next_value()?;
                            section.each.insert(key, provider);
                        }
                    }
                }
                Ok(section)
            }
        }
        d.deserialize_map(Visitor)
    }
}

impl ProviderConfig {
    /// The settings as the provider receives them.
    pub fn settings_list(&self) -> Vec<(String, String)> {
        self.settings
            .iter()
            .map(|(k, v)| {
                let value = match v {
                    toml::Value::String(s) => s.clone(),
                    other => serde_json::to_string(other).unwrap_or_default(),
                };
                (k.clone(), value)
            })
            .collect()
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    bot: BotSection,
    #[serde(default)]
    paths: PathsSection,
    #[serde(default)]
    runtime: RuntimeLimits,
    #[serde(default)]
    providers: ProvidersSection,
    #[serde(default)]
    discord: DiscordConfig,
    #[serde(default)]
    backup: BackupSection,
    #[serde(default)]
    safety: Safety,
    #[serde(default)]
    general: General,
    #[serde(default)]
    scheduling: Scheduling,
    #[serde(default)]
    notifications: Notifications,
    #[serde(default)]
    logging: LoggingSection,
    #[serde(default)]
    control: ControlConfig,
    #[serde(default)]
    fleet: Option<crate::fleet::FleetConfig>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct BotSection {
    name: Option<String>,
    root: Option<PathBuf>,
    start: Option<Vec<String>>,
    restart_command: Option<Vec<String>>,
    stop_timeout_secs: Option<u64>,
    handoff: Option<Handoff>,
    pid_file: Option<PathBuf>,
    #[serde(default)]
    health: Health,
    #[serde(default)]
    env: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PathsSection {
    data: Option<PathBuf>,
    providers: Option<PathBuf>,
    #[serde(default)]
    allow_inside_bot: bool,
}

impl Config {
    /// Reads `path`. A missing file is an error unless `optional`, in which
    /// case the defaults apply relative to the current directory.
    pub fn load(path: &Path, optional: bool) -> Result<Config, ConfigError> {
        let (file, text) = match std::fs::read_to_string(path) {
            Ok(text) => (Some(path.to_path_buf()), text),
            Err(e) if optional && e.kind() == std::io::ErrorKind::NotFound => (None, String::new()),
            Err(source) => {
                return Err(ConfigError::Read {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        let invalid = |problem| ConfigError::Invalid {
            path: path.to_path_buf(),
            problem,
        };
        let parsed: File =
            toml::from_str(&text).map_err(|e| invalid(ConfigProblem::parse(&e, &text)))?;
        let base = match &file {
            Some(p) => absolute(match p.parent() {
                Some(dir) if !dir.as_os_str().is_empty() => dir,
                _ => Path::new("."),
            }),
            None => absolute(Path::new(".")),
        };
        let bot_root_named = parsed.bot.root.is_some();
        let root = base.join(parsed.bot.root.unwrap_or_else(|| PathBuf::from(".")));
        let data = base.join(parsed.paths.data.unwrap_or_else(|| PathBuf::from("data")));
        let providers = parsed
            .paths
            .providers
            .map(|p| base.join(p))
            .unwrap_or_else(|| data.join("providers"));
        let mut backup = parsed.backup;
        let offsite = crate::offsite::resolve(std::mem::take(&mut backup.offsite), &base)
            .map_err(|problem| invalid(ConfigProblem::Offsite(problem)))?;
        let backup_path = backup
            .backup_path
            .map(|p| base.join(p))
            .unwrap_or_else(|| data.join("backups"));
        let logging = Logging {
            level: parsed.logging.level.trim().to_ascii_lowercase(),
            update_logs_path: normalize(
                &parsed
                    .logging
                    .update_logs_path
                    .map(|p| base.join(p))
                    .unwrap_or_else(|| data.join("logs")),
            ),
            max_log_files: parsed.logging.max_log_files,
            log_rotation_size: parse_size(&parsed.logging.log_rotation_size)
                .map_err(|value| invalid(ConfigProblem::LogRotationSize { value }))?,
            max_session_logs: parsed.logging.max_session_logs,
            format: parsed.logging.format,
            file: parsed.logging.file.map(|p| normalize(&base.join(p))),
        };
        if parsed.bot.pid_file.is_some() && parsed.bot.restart_command.is_none() {
            return Err(invalid(ConfigProblem::PidFileNeedsRestartCommand));
        }
        if parsed.bot.handoff.is_some() && parsed.bot.start.is_none() {
            return Err(invalid(ConfigProblem::HandoffNeedsStart));
        }
        let control = match (parsed.bot.start, parsed.bot.restart_command) {
            (Some(_), Some(_)) => {
                return Err(invalid(ConfigProblem::StartAndRestartCommand));
            }
            (Some(start), None) => Some(BotControlConfig::Supervise {
                start,
                stop_timeout_secs: parsed.bot.stop_timeout_secs.unwrap_or(10),
                handoff: parsed.bot.handoff,
            }),
            (None, Some(restart)) => Some(BotControlConfig::Command { restart }),
            (None, None) => None,
        };
        let config = Config {
            file,
            bot_root_named,
            bot: BotConfig {
                name: parsed.bot.name.unwrap_or_else(|| "bot".to_string()),
                root: normalize(&root),
                control,
                health: parsed.bot.health,
                env: parsed.bot.env,
                pid_file: parsed.bot.pid_file.map(|p| normalize(&root.join(p))),
            },
            paths: Paths {
                cache: data.join("cache"),
                data: normalize(&data),
                providers: normalize(&providers),
                allow_inside_bot: parsed.paths.allow_inside_bot,
            },
            runtime: parsed.runtime,
            providers: parsed.providers.each,
            signatures: parsed.providers.signatures,
            discord: parsed.discord,
            backup: BackupConfig {
                enabled: backup.enabled,
                path: normalize(&backup_path),
                compression_enabled: backup.compression_enabled,
                compression_level: backup.compression_level,
                max_backups: backup.max_backups,
                backup_retention_days: backup.backup_retention_days,
                auto_cleanup: backup.auto_cleanup,
                verify_backups: backup.verify_backups,
                scopes: backup.types,
                format: backup.format,
                password_file: backup.password_file.map(|p| normalize(&base.join(p))),
                offsite,
            },
            safety: parsed.safety,
            general: parsed.general,
            scheduling: parsed.scheduling,
            notifications: parsed.notifications,
            logging,
            control: ControlConfig {
                socket: parsed.control.socket.map(|p| base.join(p)),
                http: parsed.control.http.map(|mut http| {
                    for t in &mut http.tokens {
                        t.token_file = t.token_file.take().map(|p| base.join(p));
                    }
                    http
                }),
                ..parsed.control
            },
            fleet: parsed.fleet.map(|f| f.resolved(&base)),
        };
        config.validate(path)?;
        Ok(config)
    }

    fn validate(&self, path: &Path) -> Result<(), ConfigError> {
        self.problem().map_err(|problem| ConfigError::Invalid {
            path: path.to_path_buf(),
            problem,
        })
    }

    /// The first thing wrong in this configuration, if any.
    fn problem(&self) -> Result<(), ConfigProblem> {
        use ConfigProblem as P;
        if let Some(http) = &self.control.http {
            http.validate()?;
        }
        if let Some(fleet) = &self.fleet {
            fleet.validate().map_err(P::Fleet)?;
        }
        let r = &self.runtime;
        if r.call_timeout_secs == 0 || r.memory_limit_mb == 0 || r.stack_limit_kb == 0 {
            return Err(P::RuntimeLimitZero);
        }
        if r.stack_limit_kb > 64 * 1024 {
            return Err(P::StackLimitTooLarge);
        }
        // The reply of an interaction can be edited for 15 minutes; the work
        // after a confirmation needs some of them.
        if !(1..=600).contains(&self.discord.confirm_timeout_seconds) {
            return Err(P::ConfirmTimeout {
                value: self.discord.confirm_timeout_seconds,
            });
        }
        if let Some(locale) = &self.discord.locale
            && !is_locale_tag(locale)
        {
            return Err(P::DiscordLocale {
                value: locale.clone(),
            });
        }
        if let Some(base) = &self.discord.api_base
            && !(base.starts_with("http://") || base.starts_with("https://"))
        {
            return Err(P::DiscordApiBase {
                value: base.clone(),
            });
        }
        if r.http_concurrency == 0 {
            return Err(P::HttpConcurrencyZero);
        }
        if r.http_batch_limit == 0 {
            return Err(P::HttpBatchLimitZero);
        }
        if r.http_cache && r.http_cache_limit_mb == 0 {
            return Err(P::HttpCacheLimitZero);
        }
        // A day at most: past that, "a few minutes old" has become stale news.
        if r.registry_max_age_secs > 86_400 {
            return Err(P::RegistryMaxAge {
                value: r.registry_max_age_secs,
            });
        }
        if let Some(mode) = self.general.auto_updates
            && self.general.auto_updates_enabled
            && mode != AutoUpdates::All
        {
            return Err(P::AutoUpdatesContradiction {
                mode: mode.as_str(),
            });
        }
        if let Some(program) = self.safety.test_command.first() {
            if program.trim().is_empty() {
                return Err(P::TestCommandEmpty);
            }
            if self.safety.test_timeout_secs == 0 {
                return Err(P::TestTimeoutZero);
            }
        }
        if self.signatures.require && self.signatures.keys.is_empty() {
            return Err(P::SignatureKeysMissing);
        }
        for key in &self.signatures.keys {
            if let Err(e) = crate::verify_key::VerifyKey::parse(key) {
                return Err(P::SignatureKey(e));
            }
        }
        for (name, provider) in &self.providers {
            if let Some(key) = &provider.verify_key
                && let Err(e) = crate::verify_key::VerifyKey::parse(key)
            {
                return Err(P::ProviderVerifyKey {
                    provider: name.clone(),
                    error: e,
                });
            }
        }
        match &self.bot.control {
            Some(BotControlConfig::Supervise { start: argv, .. })
            | Some(BotControlConfig::Command { restart: argv })
                if argv.is_empty() =>
            {
                return Err(P::BotCommandEmpty);
            }
            _ => {}
        }
        if let Some(url) = &self.bot.health.health_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(P::HealthUrl { value: url.clone() });
        }
        if self.bot.health.ready_timeout_secs == 0 {
            return Err(P::ReadyTimeoutZero);
        }
        for (name, value) in &self.bot.env {
            if name.is_empty() || name.contains(['=', '\0']) || value.contains('\0') {
                return Err(P::BotEnv {
                    name: name.clone(),
                    value: value.clone(),
                });
            }
        }
        let b = &self.backup;
        if b.compression_level > 9 {
            return Err(P::CompressionLevel {
                value: b.compression_level,
            });
        }
        if b.max_backups == 0 {
            return Err(P::MaxBackupsZero);
        }
        let l = &self.logging;
        if !LOG_LEVELS.contains(&l.level.as_str()) {
            return Err(P::LogLevel {
                value: l.level.clone(),
            });
        }
        if l.max_log_files == 0 || l.max_session_logs == 0 {
            return Err(P::LogCountsZero);
        }
        self.validate_grants().map_err(P::Grant)?;
        // The settings checks are the ones `steward settings set` applies,
        // so steward.toml and the store refuse the same values.
        crate::settings::validate_config(self).map_err(P::Setting)?;
        let scopes = &b.scopes;
        for (name, scope) in [
            ("full", &scopes.full),
            ("database", &scopes.database),
            ("config", &scopes.config),
            ("data_only", &scopes.data_only),
            ("logs", &scopes.logs),
        ] {
            for pattern in scope.include.iter().chain(&scope.exclude) {
                if let Err(e) = glob::Pattern::new(pattern) {
                    return Err(P::BackupGlob {
                        scope: name,
                        pattern: pattern.clone(),
                        cause: e.to_string(),
                    });
                }
                if pattern.starts_with('/') || pattern.split('/').any(|c| c == "..") {
                    return Err(P::BackupGlobOutside {
                        scope: name,
                        pattern: pattern.clone(),
                    });
                }
            }
        }
        Ok(())
    }

    /// Steward's own files, which no plan may change wherever they are:
    /// what each is, and where.
    pub fn own_paths(&self) -> Vec<(&'static str, PathBuf)> {
        self.own_files()
            .into_iter()
            .map(|(what, path)| (what.as_str(), path))
            .collect()
    }

    /// `own_paths`, typed.
    pub fn own_files(&self) -> Vec<(OwnFile, PathBuf)> {
        let mut own = vec![
            (OwnFile::DataDirectory, self.paths.data.clone()),
            (OwnFile::ProvidersDirectory, self.paths.providers.clone()),
            (OwnFile::CompileCache, self.paths.cache.clone()),
            (OwnFile::BackupDirectory, self.backup.path.clone()),
            (OwnFile::UpdateLogs, self.logging.update_logs_path.clone()),
        ];
        if let Some(file) = &self.file {
            own.push((OwnFile::ConfigurationFile, absolute(file)));
        }
        own
    }

    /// Grants that name what cannot work: a write grant over Steward's own
    /// files, a relative path, an argument type this Steward does not know.
    pub fn validate_grants(&self) -> Result<(), GrantProblem> {
        use crate::grant::{expand, is_known_typed, resolve_target};
        let own: Vec<(OwnFile, PathBuf)> = self
            .own_files()
            .into_iter()
            .map(|(what, p)| (what, resolve_target(&normalize(&p)).unwrap_or(p)))
            .collect();
        for (name, provider) in &self.providers {
            let Some(grant) = &provider.grant else {
                continue;
            };
            for entry in &grant.write {
                let expanded = expand(entry, &self.bot.root);
                let Some(target) = resolve_target(Path::new(&expanded)) else {
                    return Err(GrantProblem::WriteNotAbsolute {
                        provider: name.clone(),
                        entry: entry.clone(),
                    });
                };
                if let Some((what, path)) = own
                    .iter()
                    .find(|(_, p)| target.starts_with(p) || p.starts_with(&target))
                {
                    return Err(GrantProblem::WriteOverOwn {
                        provider: name.clone(),
                        entry: entry.clone(),
                        what: *what,
                        path: path.clone(),
                    });
                }
            }
            for (key, programs) in [
                ("programs", &grant.programs),
                ("plan_programs", &grant.plan_programs),
            ] {
                for pattern in programs.iter().flat_map(|p| p.args.iter().flatten()) {
                    let typed = pattern.starts_with('{') && pattern.ends_with('}');
                    if typed && !pattern.starts_with("{bot}") && !is_known_typed(pattern) {
                        return Err(GrantProblem::UnknownArgumentType {
                            provider: name.clone(),
                            key,
                            pattern: pattern.clone(),
                        });
                    }
                }
            }
        }
        Ok(())
    }

    /// Points the managed bot at another tree (`--bot-root`).
    /// Where the control socket of the service configured by the file at
    /// `path` is, read leniently: a file that does not load (a mistake made
    /// while the service runs) still names its socket when its TOML parses,
    /// and the default place when not.
    pub fn control_socket_for(path: &Path) -> PathBuf {
        let base = absolute(match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        });
        let table: toml::Table = std::fs::read_to_string(path)
            .ok()
            .and_then(|text| text.parse().ok())
            .unwrap_or_default();
        let text = |section: &str, key: &str| {
            table
                .get(section)
                .and_then(|s| s.get(key))
                .and_then(|v| v.as_str())
                .map(PathBuf::from)
        };
        match text("control", "socket") {
            Some(socket) => base.join(socket),
            None => base
                .join(text("paths", "data").unwrap_or_else(|| PathBuf::from("data")))
                .join("steward.sock"),
        }
    }

    /// The control socket: `[control] socket`, or `<data>/steward.sock`.
    pub fn control_socket(&self) -> PathBuf {
        self.control
            .socket
            .clone()
            .unwrap_or_else(|| self.paths.data.join("steward.sock"))
    }

    pub fn with_bot_root(mut self, root: &Path) -> Config {
        self.bot.root = normalize(&absolute(root));
        self.bot_root_named = true;
        self
    }

    /// Checks the tree Steward is to manage, once `--bot-root` is applied:
    /// named, an existing directory, not the machine's root or a system
    /// directory, and apart from Steward's data directory unless
    /// `paths.allow_inside_bot` says otherwise. Grants naming `{bot}` are
    /// checked again against this root.
    pub fn check_bot_root(&self) -> Result<(), ConfigError> {
        let file = self
            .file
            .clone()
            .unwrap_or_else(|| PathBuf::from("steward.toml"));
        let invalid = |problem| ConfigError::Invalid {
            path: file.clone(),
            problem,
        };
        if !self.bot_root_named {
            return Err(invalid(ConfigProblem::BotRootUnset));
        }
        let root = &self.bot.root;
        let meta = std::fs::metadata(root).map_err(|cause| {
            invalid(ConfigProblem::BotRootUnusable {
                root: root.clone(),
                cause,
            })
        })?;
        if !meta.is_dir() {
            return Err(invalid(ConfigProblem::BotRootNotDirectory {
                root: root.clone(),
            }));
        }
        let real = std::fs::canonicalize(root).unwrap_or_else(|_| root.clone());
        if SYSTEM_DIRS.iter().any(|d| real == Path::new(d))
            || ["/proc", "/sys", "/dev"]
                .iter()
                .any(|d| real.starts_with(d))
        {
            return Err(invalid(ConfigProblem::BotRootSystem { root: real }));
        }
        let data = crate::grant::resolve_target(&self.paths.data)
            .unwrap_or_else(|| self.paths.data.clone());
        if ["/proc", "/sys", "/dev"]
            .iter()
            .any(|d| data.starts_with(d))
        {
            return Err(invalid(ConfigProblem::DataUnderSystem { data }));
        }
        if !self.paths.allow_inside_bot && (data.starts_with(&real) || real.starts_with(&data)) {
            return Err(invalid(ConfigProblem::DataOverlapsBot { data, root: real }));
        }
        self.validate_grants()
            .map_err(|problem| invalid(ConfigProblem::Grant(problem)))
    }
}

/// Directories that are never a bot's root.
const SYSTEM_DIRS: &[&str] = &[
    "/", "/bin", "/boot", "/etc", "/home", "/lib", "/lib32", "/lib64", "/opt", "/root", "/run",
    "/sbin", "/srv", "/tmp", "/usr", "/var",
];

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Removes `.` and `..` components without touching the filesystem.
pub fn normalize(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_against_the_config_file_directory() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("steward.toml");
        std::fs::write(&file, "[bot]\nroot = \"bots/../mybot\"\n").unwrap();
        let config = Config::load(&file, false).unwrap();
        assert_eq!(config.bot.root, dir.path().join("mybot"));
        assert_eq!(config.paths.providers, dir.path().join("data/providers"));
    }

    #[test]
    fn a_bot_started_by_steward_and_by_a_restart_command_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("steward.toml");
        std::fs::write(
            &file,
            "[bot]\nstart = [\"python3\", \"bot.py\"]\nrestart_command = [\"systemctl\", \"restart\", \"bot\"]\n",
        )
        .unwrap();
        let err = Config::load(&file, false).unwrap_err().to_string();
        assert!(err.contains("exclude each other"), "{err}");
    }

    #[test]
    fn bot_env_is_read_as_written_and_a_bad_name_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("steward.toml");
        std::fs::write(&file, "[bot]\nenv = { GREETING = \"hi\", EMPTY = \"\" }\n").unwrap();
        let config = Config::load(&file, false).unwrap();
        let env: Vec<(&str, &str)> = config
            .bot
            .env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(env, [("EMPTY", ""), ("GREETING", "hi")]);

        std::fs::write(&file, "[bot]\nenv = { \"A=B\" = \"x\" }\n").unwrap();
        let err = Config::load(&file, false).unwrap_err().to_string();
        assert!(err.contains("bot.env: \"A=B\""), "{err}");
    }

    #[test]
    fn unknown_keys_are_refused_with_the_file_name() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("steward.toml");
        std::fs::write(&file, "[runtime]\ncall_timeout = 5\n").unwrap();
        let err = Config::load(&file, false).unwrap_err().to_string();
        assert!(err.contains("steward.toml"), "{err}");
        assert!(err.contains("call_timeout"), "{err}");
    }

    #[test]
    fn auto_updates_says_what_runs_unattended_and_the_old_switch_still_means_all() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("steward.toml");
        let mode = |text: &str| {
            std::fs::write(&file, text).unwrap();
            Config::load(&file, false).map(|c| c.general.auto_mode())
        };
        assert_eq!(mode("").unwrap(), AutoUpdates::Off);
        assert_eq!(
            mode("[general]\nauto_updates_enabled = true\n").unwrap(),
            AutoUpdates::All
        );
        assert_eq!(
            mode("[general]\nauto_updates = \"security\"\n").unwrap(),
            AutoUpdates::Security
        );
        let err = mode("[general]\nauto_updates_enabled = true\nauto_updates = \"security\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("contradicts"), "{err}");
    }

    #[test]
    fn backup_defaults_follow_the_original_settings() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("steward.toml");
        std::fs::write(&file, "[backup]\nmax_backups = 3\n").unwrap();
        let config = Config::load(&file, false).unwrap();
        assert_eq!(config.backup.path, dir.path().join("data/backups"));
        assert_eq!(config.backup.compression_level, 6);
        assert_eq!(config.backup.max_backups, 3);
        assert_eq!(config.backup.backup_retention_days, 90);
        assert!(config.backup.auto_cleanup && config.backup.verify_backups);
        assert_eq!(config.safety.min_disk_space_mb, 1024);
    }

    #[test]
    fn backup_patterns_outside_the_bot_root_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("steward.toml");
        std::fs::write(
            &file,
            "[backup.types.config]\ninclude = [\"../secrets/*\"]\n",
        )
        .unwrap();
        let err = Config::load(&file, false).unwrap_err().to_string();
        assert!(err.contains("must stay under the bot's root"), "{err}");
    }

    #[test]
    fn discord_ids_are_read_as_integers_or_strings() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("steward.toml");
        std::fs::write(
            &file,
            "[discord]\nowners = [123, \"456\"]\nadmin_roles = [\"789\"]\n",
        )
        .unwrap();
        let config = Config::load(&file, false).unwrap();
        assert_eq!(config.discord.owners, vec![123, 456]);
        assert_eq!(config.discord.admin_roles, vec![789]);
        assert_eq!(config.discord.token_env, "DISCORD_TOKEN");
    }

    #[test]
    fn a_discord_id_with_letters_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("steward.toml");
        std::fs::write(&file, "[discord]\nguilds = [\"my-server\"]\n").unwrap();
        let err = Config::load(&file, false).unwrap_err().to_string();
        assert!(err.contains("\"my-server\" is not a Discord id"), "{err}");
    }

    #[test]
    fn a_verify_key_that_is_not_a_minisign_key_is_refused_naming_the_provider() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("steward.toml");
        std::fs::write(&file, "[providers.release]\nverify_key = \"not a key\"\n").unwrap();
        let err = Config::load(&file, false).unwrap_err().to_string();
        assert!(err.contains("providers.release.verify_key"), "{err}");
    }

    #[test]
    fn the_http_cache_is_on_by_default_and_can_be_turned_off() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("steward.toml");
        std::fs::write(&file, "").unwrap();
        let config = Config::load(&file, false).unwrap();
        assert!(config.runtime.http_cache);
        assert_eq!(config.runtime.http_cache_limit_mb, 256);
        std::fs::write(&file, "[runtime]\nhttp_cache = false\n").unwrap();
        assert!(!Config::load(&file, false).unwrap().runtime.http_cache);
        std::fs::write(&file, "[runtime]\nhttp_cache_limit_mb = 0\n").unwrap();
        let err = Config::load(&file, false).unwrap_err().to_string();
        assert!(err.contains("http_cache_limit_mb"), "{err}");
    }

    #[test]
    fn registry_answers_are_reused_for_five_minutes_by_default_and_at_most_a_day() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("steward.toml");
        std::fs::write(&file, "").unwrap();
        let config = Config::load(&file, false).unwrap();
        assert_eq!(config.runtime.registry_max_age_secs, 300);
        std::fs::write(&file, "[runtime]\nregistry_max_age_secs = 0\n").unwrap();
        let config = Config::load(&file, false).unwrap();
        assert_eq!(config.runtime.registry_max_age_secs, 0);
        std::fs::write(&file, "[runtime]\nregistry_max_age_secs = 86401\n").unwrap();
        let err = Config::load(&file, false).unwrap_err().to_string();
        assert!(err.contains("registry_max_age_secs"), "{err}");
    }

    #[test]
    fn non_string_settings_reach_providers_as_json() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("steward.toml");
        std::fs::write(
            &file,
            "[providers.pip.settings]\nrequirements = [\"a.txt\", \"b.txt\"]\nindex_url = \"http://x\"\n",
        )
        .unwrap();
        let config = Config::load(&file, false).unwrap();
        let settings = config.providers["pip"].settings_list();
        assert!(settings.contains(&(
            "requirements".to_string(),
            "[\"a.txt\",\"b.txt\"]".to_string()
        )));
        assert!(settings.contains(&("index_url".to_string(), "http://x".to_string())));
    }

    fn load_checked(text: &str) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("bot")).unwrap();
        let file = dir.path().join("steward.toml");
        std::fs::write(&file, text).unwrap();
        let config = Config::load(&file, false)?;
        config.check_bot_root()?;
        Ok(config)
    }

    #[test]
    fn a_config_without_a_bot_root_is_refused() {
        let err = load_checked("").unwrap_err().to_string();
        assert!(err.contains("[bot] root is not set"), "{err}");
    }

    #[test]
    fn a_bot_root_that_is_missing_a_file_or_a_system_directory_is_refused() {
        let err = load_checked("[bot]\nroot = \"nowhere\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("nowhere cannot be used") && err.contains("No such file"),
            "{err}"
        );
        let err = load_checked("[bot]\nroot = \"steward.toml\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("is not a directory"), "{err}");
        for system in ["/", "/etc", "/usr"] {
            let err = load_checked(&format!("[bot]\nroot = \"{system}\"\n"))
                .unwrap_err()
                .to_string();
            assert!(err.contains("is a system directory"), "{system}: {err}");
        }
    }

    #[test]
    fn data_inside_the_bot_root_needs_saying_so() {
        let err = load_checked("[bot]\nroot = \"bot\"\n[paths]\ndata = \"bot/.steward\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("overlap") && err.contains("allow_inside_bot"),
            "{err}"
        );
        assert!(
            load_checked(
                "[bot]\nroot = \"bot\"\n[paths]\ndata = \"bot/.steward\"\nallow_inside_bot = true\n"
            )
            .is_ok()
        );
        assert!(load_checked("[bot]\nroot = \"bot\"\n").is_ok());
    }

    #[test]
    fn logging_defaults_and_sizes_are_read_and_bad_values_name_their_key() {
        let config = load_checked("[bot]\nroot = \"bot\"\n").unwrap();
        assert_eq!(config.logging.level, "info");
        assert!(config.logging.update_logs_path.ends_with("data/logs"));
        assert_eq!(config.logging.max_log_files, 10);
        assert_eq!(config.logging.log_rotation_size, 10 << 20);
        let config =
            load_checked("[bot]\nroot = \"bot\"\n[logging]\nlog_rotation_size = \"512 KiB\"\n")
                .unwrap();
        assert_eq!(config.logging.log_rotation_size, 512 << 10);
        for (line, key) in [
            ("level = \"loud\"", "logging.level"),
            ("log_rotation_size = \"ten\"", "logging.log_rotation_size"),
            ("log_rotation_size = 0", "logging.log_rotation_size"),
            ("max_log_files = 0", "logging.max_log_files"),
        ] {
            let err = load_checked(&format!("[bot]\nroot = \"bot\"\n[logging]\n{line}\n"))
                .unwrap_err()
                .to_string();
            assert!(err.contains(key), "{line}: {err}");
        }
    }

    #[test]
    fn a_data_directory_under_dev_is_refused() {
        let err = load_checked("[bot]\nroot = \"bot\"\n[paths]\ndata = \"/dev/steward\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("under a system directory"), "{err}");
    }

    #[test]
    fn a_write_grant_over_stewards_files_or_an_unknown_argument_type_is_refused() {
        let err =
            load_checked("[bot]\nroot = \"bot\"\n[providers.x.grant]\nwrite = [\"{bot}/..\"]\n")
                .unwrap_err()
                .to_string();
        assert!(err.contains("without `..`"), "{err}");
        let err = load_checked("[bot]\nroot = \"bot\"\n[paths]\ndata = \"bot/data\"\nallow_inside_bot = true\n[providers.x.grant]\nwrite = [\"{bot}/data\"]\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("Steward's own data directory"), "{err}");
        let err = load_checked("[bot]\nroot = \"bot\"\n[providers.x.grant]\nplan_programs = [{ path = \"/bin/x\", args = [[\"{pip-pinn}\"]] }]\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("{pip-pinn} is not an argument type") && err.contains("{pip-pin}"),
            "{err}"
        );
    }
}
