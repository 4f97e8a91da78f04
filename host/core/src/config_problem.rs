//! What can be wrong in a steward.toml (or in a grant an owner gives
//! later), typed where the configuration is checked: the key and the
//! offending value are fields, so each front words the problem itself.
//! `Display` is the CLI's English; the parser's, the OS's and other
//! libraries' own words stay quoted as data.

use std::fmt;
use std::path::PathBuf;

use crate::settings::SettingsError;
use crate::verify_key::KeyError;

/// One thing wrong in a steward.toml.
#[derive(Debug)]
pub enum ConfigProblem {
    /// The file is not TOML, or its values do not fit their keys: `text`
    /// is the parser's whole report, `message` its own words, and where.
    Parse {
        text: String,
        message: String,
        line: Option<usize>,
        column: Option<usize>,
    },
    /// `[control.http] listen` is no address and port (`cause`: the
    /// parser's words).
    HttpListen {
        listen: String,
        cause: String,
    },
    HttpRateLimitZero,
    /// A `[control.http]` token without a name, or with another's.
    HttpTokenName {
        name: String,
    },
    /// A token with both or neither of `token_env` and `token_file`.
    HttpTokenSecret {
        name: String,
    },
    /// A token scope that is not one of `crate::config::HTTP_SCOPES`.
    HttpTokenScope {
        name: String,
        scope: String,
    },
    /// `logging.log_rotation_size` is no size; `value` as written.
    LogRotationSize {
        value: String,
    },
    PidFileNeedsRestartCommand,
    HandoffNeedsStart,
    StartAndRestartCommand,
    /// A `[backup.offsite.NAME]` table.
    Offsite(OffsiteProblem),
    /// The `[fleet]` section.
    Fleet(FleetProblem),
    RuntimeLimitZero,
    StackLimitTooLarge,
    ConfirmTimeout {
        value: u64,
    },
    DiscordLocale {
        value: String,
    },
    DiscordApiBase {
        value: String,
    },
    HttpConcurrencyZero,
    HttpBatchLimitZero,
    HttpCacheLimitZero,
    RegistryMaxAge {
        value: u64,
    },
    /// `auto_updates_enabled = true` beside another `auto_updates` mode.
    AutoUpdatesContradiction {
        mode: &'static str,
    },
    TestCommandEmpty,
    TestTimeoutZero,
    SignatureKeysMissing,
    SignatureKey(KeyError),
    ProviderVerifyKey {
        provider: String,
        error: KeyError,
    },
    BotCommandEmpty,
    HealthUrl {
        value: String,
    },
    ReadyTimeoutZero,
    BotEnv {
        name: String,
        value: String,
    },
    CompressionLevel {
        value: u32,
    },
    MaxBackupsZero,
    LogLevel {
        value: String,
    },
    LogCountsZero,
    Grant(GrantProblem),
    /// A setting's value that `settings set` would refuse too.
    Setting(SettingsError),
    /// `backup.types.SCOPE`: a pattern the glob parser refuses (`cause`:
    /// its words).
    BackupGlob {
        scope: &'static str,
        pattern: String,
        cause: String,
    },
    /// `backup.types.SCOPE`: a pattern that leaves the bot's root.
    BackupGlobOutside {
        scope: &'static str,
        pattern: String,
    },
    BotRootUnset,
    /// The bot's root cannot be read (`cause`: the OS's words).
    BotRootUnusable {
        root: PathBuf,
        cause: std::io::Error,
    },
    BotRootNotDirectory {
        root: PathBuf,
    },
    BotRootSystem {
        root: PathBuf,
    },
    DataUnderSystem {
        data: PathBuf,
    },
    DataOverlapsBot {
        data: PathBuf,
        root: PathBuf,
    },
}

/// What is wrong in the `[backup.offsite.TARGET]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffsiteProblem {
    pub target: String,
    pub fault: OffsiteFault,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OffsiteFault {
    /// Not letters, digits, `-` and `_`, or `local`.
    BadName,
    BothSecrets,
    PathNeedsPath,
    PathTakesOnlyPath,
    RestNeedsUrl,
    UrlScheme,
    UrlCredentials,
    RestTakesUrl,
    PasswordNeedsUser,
    SftpNeeds,
    SftpTakes,
    S3Needs,
    EndpointCredentials,
    UnknownKind {
        kind: String,
    },
}

impl fmt::Display for OffsiteProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use OffsiteFault as F;
        write!(f, "[backup.offsite.{}]: ", self.target)?;
        match &self.fault {
            F::BadName => f.write_str(
                "a target's name is letters, digits, '-' and '_', and not \"local\"",
            ),
            F::BothSecrets => f.write_str("set password_env or password_file, not both"),
            F::PathNeedsPath => f.write_str("kind = \"path\" needs path = \"DIR\""),
            F::PathTakesOnlyPath => f.write_str("kind = \"path\" takes only path and when"),
            F::RestNeedsUrl => {
                f.write_str("kind = \"rest\" needs url = \"http(s)://HOST:PORT/PATH\"")
            }
            F::UrlScheme => f.write_str("url must start with http:// or https://"),
            F::UrlCredentials => f.write_str(
                "url must not hold credentials: set user and password_env or password_file",
            ),
            F::RestTakesUrl => f.write_str("kind = \"rest\" takes url, not path"),
            F::PasswordNeedsUser => f.write_str("a password needs user = \"NAME\""),
            F::SftpNeeds => f.write_str(
                "kind = \"sftp\" needs host, user and path (the directory on the server)",
            ),
            F::SftpTakes => f.write_str(
                "kind = \"sftp\" takes host, port, user, path, key_file and when (key auth only)",
            ),
            F::S3Needs => f.write_str(
                "kind = \"s3\" needs bucket, user (the access key id) and password_env or password_file (the secret key)",
            ),
            F::EndpointCredentials => f.write_str("endpoint must not hold credentials"),
            F::UnknownKind { kind } => write!(
                f,
                "kind {kind:?} is not one of \"path\", \"rest\", \"sftp\", \"s3\""
            ),
        }
    }
}

/// What is wrong in the `[fleet]` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FleetProblem {
    NoEndpoints,
    EndpointScheme {
        endpoint: String,
    },
    EndpointNeedsTls {
        endpoint: String,
    },
    /// `key` is `fleet.name`, `fleet.instance` or `fleet.group`.
    BadName {
        key: &'static str,
        value: String,
    },
    MaxUnavailableZero,
    LeaseSeconds {
        value: u64,
    },
    TimeoutZero,
    PromotionName {
        group: String,
        after: String,
    },
    PromotionSelf {
        group: String,
    },
    TlsPair,
    AuthIncomplete,
}

impl fmt::Display for FleetProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use FleetProblem as F;
        match self {
            F::NoEndpoints => f.write_str("fleet.endpoints is empty: name etcd's client URLs"),
            F::EndpointScheme { endpoint } => write!(
                f,
                "fleet.endpoints: {endpoint:?} must start with http:// or https://"
            ),
            F::EndpointNeedsTls { endpoint } => write!(
                f,
                "fleet.endpoints: {endpoint:?} is https:// but [fleet.tls] names no ca_file"
            ),
            F::BadName { key, value } => write!(
                f,
                "{key} {value:?} must be 1-64 letters, digits, '-', '_' or '.'"
            ),
            F::MaxUnavailableZero => f.write_str("fleet.max_unavailable must be at least 1"),
            F::LeaseSeconds { value } => {
                write!(f, "fleet.lease_seconds must be from 2 to 300, not {value}")
            }
            F::TimeoutZero => f.write_str(
                "fleet.request_timeout_seconds, fleet.instance_timeout_seconds and \
                 fleet.wave_timeout_seconds must be at least 1",
            ),
            F::PromotionName { group, after } => write!(
                f,
                "fleet.promotion: {group:?} after {after:?}: group names are 1-64 letters, digits, '-', '_' or '.'"
            ),
            F::PromotionSelf { group } => {
                write!(f, "fleet.promotion: {group:?} cannot wait for itself")
            }
            F::TlsPair => f.write_str("[fleet.tls] needs both cert_file and key_file, or neither"),
            F::AuthIncomplete => f.write_str("[fleet.auth] needs a user and password_env"),
        }
    }
}

/// A grant that names what cannot work, in steward.toml or given from the
/// CLI or Discord.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantProblem {
    /// A `write` entry that is relative or climbs with `..`.
    WriteNotAbsolute { provider: String, entry: String },
    /// A `write` entry over one of Steward's own files.
    WriteOverOwn {
        provider: String,
        entry: String,
        what: OwnFile,
        path: PathBuf,
    },
    /// A `{...}` argument pattern this Steward does not know; `key` is
    /// `programs` or `plan_programs`.
    UnknownArgumentType {
        provider: String,
        key: &'static str,
        pattern: String,
    },
}

/// Steward's own files, which no plan may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnFile {
    DataDirectory,
    ProvidersDirectory,
    CompileCache,
    BackupDirectory,
    UpdateLogs,
    ConfigurationFile,
}

impl OwnFile {
    /// The CLI's words.
    pub fn as_str(self) -> &'static str {
        match self {
            OwnFile::DataDirectory => "data directory",
            OwnFile::ProvidersDirectory => "providers directory",
            OwnFile::CompileCache => "compile cache",
            OwnFile::BackupDirectory => "backup directory",
            OwnFile::UpdateLogs => "update logs",
            OwnFile::ConfigurationFile => "configuration file",
        }
    }
}

impl fmt::Display for GrantProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GrantProblem::WriteNotAbsolute { provider, entry } => write!(
                f,
                "providers.{provider}.grant.write: \"{entry}\" must be an absolute path (or start with {{bot}}) without `..`"
            ),
            GrantProblem::WriteOverOwn {
                provider,
                entry,
                what,
                path,
            } => write!(
                f,
                "providers.{provider}.grant.write: \"{entry}\" would let the provider change Steward's own {} ({}); grant only the bot's files it updates",
                what.as_str(),
                path.display()
            ),
            GrantProblem::UnknownArgumentType {
                provider,
                key,
                pattern,
            } => {
                let known: Vec<String> = crate::grant::TYPED_PATTERNS
                    .iter()
                    .map(|(n, what)| format!("{n} ({what})"))
                    .collect();
                write!(
                    f,
                    "providers.{provider}.grant.{key}: {pattern} is not an argument type Steward knows; it knows {}",
                    known.join(", ")
                )
            }
        }
    }
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ConfigProblem as P;
        match self {
            P::Parse { text, .. } => f.write_str(text),
            P::HttpListen { listen, cause } => write!(
                f,
                "control.http.listen: {listen:?} is not an address and port ({cause})"
            ),
            P::HttpRateLimitZero => {
                f.write_str("control.http.rate_limit_per_minute must be at least 1")
            }
            P::HttpTokenName { name } => write!(
                f,
                "control.http.tokens: every token needs its own name ({name:?})"
            ),
            P::HttpTokenSecret { name } => write!(
                f,
                "control.http.tokens {name:?}: give exactly one of token_env and token_file"
            ),
            P::HttpTokenScope { name, scope } => write!(
                f,
                "control.http.tokens {name:?}: unknown scope {scope:?} (expected one of {}, or install:TYPE)",
                crate::config::HTTP_SCOPES.join(", ")
            ),
            P::LogRotationSize { value } => write!(
                f,
                "logging.log_rotation_size: {value} is not a size; write bytes or a size such as \"10MB\""
            ),
            P::PidFileNeedsRestartCommand => f.write_str(
                "bot.pid_file is for a bot run by bot.restart_command: with bot.start Steward knows the pid itself",
            ),
            P::HandoffNeedsStart => f.write_str(
                "bot.handoff needs bot.start: Steward can only start a new version beside the old one when it runs the bot itself",
            ),
            P::StartAndRestartCommand => f.write_str(
                "bot.start and bot.restart_command exclude each other: Steward either runs the bot or asks another manager to restart it",
            ),
            P::Offsite(problem) => problem.fmt(f),
            P::Fleet(problem) => problem.fmt(f),
            P::RuntimeLimitZero => f.write_str("runtime limits must be greater than zero"),
            P::StackLimitTooLarge => f.write_str("runtime.stack_limit_kb must be at most 65536"),
            P::ConfirmTimeout { value } => write!(
                f,
                "discord.confirm_timeout_seconds must be from 1 to 600, not {value}"
            ),
            P::DiscordLocale { value } => write!(
                f,
                "discord.locale must be a locale as Discord names them (en-US, zh-CN, de), not {value:?}"
            ),
            P::DiscordApiBase { value } => write!(
                f,
                "discord.api_base must start with http:// or https://, not \"{value}\""
            ),
            P::HttpConcurrencyZero => f.write_str("runtime.http_concurrency must be at least 1"),
            P::HttpBatchLimitZero => f.write_str("runtime.http_batch_limit must be at least 1"),
            P::HttpCacheLimitZero => f.write_str(
                "runtime.http_cache_limit_mb must be at least 1 (or set http_cache = false)",
            ),
            P::RegistryMaxAge { value } => write!(
                f,
                "runtime.registry_max_age_secs must be at most 86400 (a day), not {value}"
            ),
            P::AutoUpdatesContradiction { mode } => write!(
                f,
                "general.auto_updates_enabled = true contradicts general.auto_updates = \"{mode}\": keep one"
            ),
            P::TestCommandEmpty => {
                f.write_str("safety.test_command must start with the program to run")
            }
            P::TestTimeoutZero => f.write_str("safety.test_timeout_secs must be at least 1"),
            P::SignatureKeysMissing => f.write_str(
                "providers.require_signature needs at least one minisign public key in providers.signature_keys",
            ),
            P::SignatureKey(e) => write!(f, "providers.signature_keys: {e}"),
            P::ProviderVerifyKey { provider, error } => {
                write!(f, "providers.{provider}.verify_key: {error}")
            }
            P::BotCommandEmpty => {
                f.write_str("bot.start / bot.restart_command needs at least the program")
            }
            P::HealthUrl { value } => write!(
                f,
                "bot.health.health_url must start with http:// or https://, not \"{value}\""
            ),
            P::ReadyTimeoutZero => f.write_str("bot.health.ready_timeout_secs must be at least 1"),
            P::BotEnv { name, value } => write!(
                f,
                "bot.env: {name:?} = {value:?} cannot be an environment variable (a name is not empty and holds no \"=\"; neither holds a NUL)"
            ),
            P::CompressionLevel { value } => {
                write!(f, "backup.compression_level must be 0-9, found {value}")
            }
            P::MaxBackupsZero => f.write_str("backup.max_backups must be at least 1"),
            P::LogLevel { value } => write!(
                f,
                "logging.level must be one of {}, not \"{value}\"",
                crate::config::LOG_LEVELS.join(", ")
            ),
            P::LogCountsZero => f.write_str(
                "logging.max_log_files and logging.max_session_logs must be at least 1",
            ),
            P::Grant(problem) => problem.fmt(f),
            P::Setting(e) => e.fmt(f),
            P::BackupGlob {
                scope,
                pattern,
                cause,
            } => write!(
                f,
                "backup.types.{scope}: {pattern:?} is not a valid glob: {cause}"
            ),
            P::BackupGlobOutside { scope, pattern } => write!(
                f,
                "backup.types.{scope}: {pattern:?} must stay under the bot's root"
            ),
            P::BotRootUnset => f.write_str(
                "[bot] root is not set: name the directory of the bot Steward manages (root = \"/srv/mybot\"), or pass --bot-root",
            ),
            P::BotRootUnusable { root, cause } => write!(
                f,
                "the bot's root {} cannot be used: {cause}",
                root.display()
            ),
            P::BotRootNotDirectory { root } => {
                write!(f, "the bot's root {} is not a directory", root.display())
            }
            P::BotRootSystem { root } => write!(
                f,
                "the bot's root {} is a system directory; point [bot] root at the bot's own directory",
                root.display()
            ),
            P::DataUnderSystem { data } => write!(
                f,
                "Steward's data directory {} is under a system directory; set [paths] data",
                data.display()
            ),
            P::DataOverlapsBot { data, root } => write!(
                f,
                "Steward's data directory {} and the bot's root {} overlap; keep them apart, or set [paths] allow_inside_bot = true",
                data.display(),
                root.display()
            ),
        }
    }
}

impl ConfigProblem {
    /// A TOML parser's failure on `source`, with where it is.
    pub fn parse(error: &toml::de::Error, source: &str) -> ConfigProblem {
        let (line, column) = match error.span() {
            Some(span) => {
                let before = source.get(..span.start).unwrap_or(source);
                let line = before.matches('\n').count() + 1;
                let column = before
                    .rsplit('\n')
                    .next()
                    .unwrap_or_default()
                    .chars()
                    .count()
                    + 1;
                (Some(line), Some(column))
            }
            None => (None, None),
        };
        ConfigProblem::Parse {
            text: error.to_string(),
            message: error.message().trim_end().to_string(),
            line,
            column,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_error() -> KeyError {
        crate::verify_key::VerifyKey::parse("RWnope").unwrap_err()
    }

    /// Every variant beside the English steward.toml's checks wrote before
    /// they were typed (the `format!` of each, with these values), so the
    /// CLI reads exactly what it read.
    #[test]
    fn every_problem_reads_as_the_cli_printed_it_before_it_was_typed() {
        let key = key_error().to_string();
        let known_patterns: Vec<String> = crate::grant::TYPED_PATTERNS
            .iter()
            .map(|(n, what)| format!("{n} ({what})"))
            .collect();
        let known_patterns = known_patterns.join(", ");
        let cases: Vec<(ConfigProblem, String)> = vec![
            (
                ConfigProblem::HttpListen {
                    listen: "nowhere".into(),
                    cause: "invalid socket address syntax".into(),
                },
                "control.http.listen: \"nowhere\" is not an address and port (invalid socket address syntax)".into(),
            ),
            (
                ConfigProblem::HttpRateLimitZero,
                "control.http.rate_limit_per_minute must be at least 1".into(),
            ),
            (
                ConfigProblem::HttpTokenName { name: "".into() },
                "control.http.tokens: every token needs its own name (\"\")".into(),
            ),
            (
                ConfigProblem::HttpTokenSecret { name: "ci".into() },
                "control.http.tokens \"ci\": give exactly one of token_env and token_file".into(),
            ),
            (
                ConfigProblem::HttpTokenScope {
                    name: "ci".into(),
                    scope: "install:os".into(),
                },
                "control.http.tokens \"ci\": unknown scope \"install:os\" (expected one of check, install, status, rollback, schedule, backup_create, backup_list, backup_restore, backup_prune, settings, bot_control, or install:TYPE)".into(),
            ),
            (
                ConfigProblem::LogRotationSize {
                    value: "\"ten\"".into(),
                },
                "logging.log_rotation_size: \"ten\" is not a size; write bytes or a size such as \"10MB\"".into(),
            ),
            (
                ConfigProblem::LogRotationSize { value: "0".into() },
                "logging.log_rotation_size: 0 is not a size; write bytes or a size such as \"10MB\"".into(),
            ),
            (
                ConfigProblem::PidFileNeedsRestartCommand,
                "bot.pid_file is for a bot run by bot.restart_command: with bot.start Steward knows the pid itself".into(),
            ),
            (
                ConfigProblem::HandoffNeedsStart,
                "bot.handoff needs bot.start: Steward can only start a new version beside the old one when it runs the bot itself".into(),
            ),
            (
                ConfigProblem::StartAndRestartCommand,
                "bot.start and bot.restart_command exclude each other: Steward either runs the bot or asks another manager to restart it".into(),
            ),
            (
                ConfigProblem::RuntimeLimitZero,
                "runtime limits must be greater than zero".into(),
            ),
            (
                ConfigProblem::StackLimitTooLarge,
                "runtime.stack_limit_kb must be at most 65536".into(),
            ),
            (
                ConfigProblem::ConfirmTimeout { value: 900 },
                "discord.confirm_timeout_seconds must be from 1 to 600, not 900".into(),
            ),
            (
                ConfigProblem::DiscordLocale {
                    value: "chinese".into(),
                },
                "discord.locale must be a locale as Discord names them (en-US, zh-CN, de), not \"chinese\"".into(),
            ),
            (
                ConfigProblem::DiscordApiBase {
                    value: "ftp://x".into(),
                },
                "discord.api_base must start with http:// or https://, not \"ftp://x\"".into(),
            ),
            (
                ConfigProblem::HttpConcurrencyZero,
                "runtime.http_concurrency must be at least 1".into(),
            ),
            (
                ConfigProblem::HttpBatchLimitZero,
                "runtime.http_batch_limit must be at least 1".into(),
            ),
            (
                ConfigProblem::HttpCacheLimitZero,
                "runtime.http_cache_limit_mb must be at least 1 (or set http_cache = false)".into(),
            ),
            (
                ConfigProblem::RegistryMaxAge { value: 90000 },
                "runtime.registry_max_age_secs must be at most 86400 (a day), not 90000".into(),
            ),
            (
                ConfigProblem::AutoUpdatesContradiction { mode: "security" },
                "general.auto_updates_enabled = true contradicts general.auto_updates = \"security\": keep one".into(),
            ),
            (
                ConfigProblem::TestCommandEmpty,
                "safety.test_command must start with the program to run".into(),
            ),
            (
                ConfigProblem::TestTimeoutZero,
                "safety.test_timeout_secs must be at least 1".into(),
            ),
            (
                ConfigProblem::SignatureKeysMissing,
                "providers.require_signature needs at least one minisign public key in providers.signature_keys".into(),
            ),
            (
                ConfigProblem::SignatureKey(key_error()),
                format!("providers.signature_keys: {key}"),
            ),
            (
                ConfigProblem::ProviderVerifyKey {
                    provider: "release".into(),
                    error: key_error(),
                },
                format!("providers.release.verify_key: {key}"),
            ),
            (
                ConfigProblem::BotCommandEmpty,
                "bot.start / bot.restart_command needs at least the program".into(),
            ),
            (
                ConfigProblem::HealthUrl {
                    value: "localhost:8080".into(),
                },
                "bot.health.health_url must start with http:// or https://, not \"localhost:8080\"".into(),
            ),
            (
                ConfigProblem::ReadyTimeoutZero,
                "bot.health.ready_timeout_secs must be at least 1".into(),
            ),
            (
                ConfigProblem::BotEnv {
                    name: "A=B".into(),
                    value: "1".into(),
                },
                "bot.env: \"A=B\" = \"1\" cannot be an environment variable (a name is not empty and holds no \"=\"; neither holds a NUL)".into(),
            ),
            (
                ConfigProblem::CompressionLevel { value: 12 },
                "backup.compression_level must be 0-9, found 12".into(),
            ),
            (
                ConfigProblem::MaxBackupsZero,
                "backup.max_backups must be at least 1".into(),
            ),
            (
                ConfigProblem::LogLevel {
                    value: "loud".into(),
                },
                "logging.level must be one of error, warn, info, debug, trace, not \"loud\"".into(),
            ),
            (
                ConfigProblem::LogCountsZero,
                "logging.max_log_files and logging.max_session_logs must be at least 1".into(),
            ),
            (
                ConfigProblem::Setting(SettingsError::Invalid {
                    key: "backup.max_backups".into(),
                    value: "0".into(),
                    kind: crate::settings::Kind::Int { min: 1, max: 1000 },
                }),
                "backup.max_backups: \"0\" is not valid (expected a whole number from 1 to 1000)".into(),
            ),
            (
                ConfigProblem::BackupGlob {
                    scope: "full",
                    pattern: "a[".into(),
                    cause: "Pattern syntax error near position 1: invalid range pattern".into(),
                },
                "backup.types.full: \"a[\" is not a valid glob: Pattern syntax error near position 1: invalid range pattern".into(),
            ),
            (
                ConfigProblem::BackupGlobOutside {
                    scope: "logs",
                    pattern: "../x".into(),
                },
                "backup.types.logs: \"../x\" must stay under the bot's root".into(),
            ),
            (
                ConfigProblem::BotRootUnset,
                "[bot] root is not set: name the directory of the bot Steward manages (root = \"/srv/mybot\"), or pass --bot-root".into(),
            ),
            (
                ConfigProblem::BotRootUnusable {
                    root: "/srv/gone".into(),
                    cause: std::io::Error::from(std::io::ErrorKind::NotFound),
                },
                "the bot's root /srv/gone cannot be used: entity not found".into(),
            ),
            (
                ConfigProblem::BotRootNotDirectory {
                    root: "/srv/bot.toml".into(),
                },
                "the bot's root /srv/bot.toml is not a directory".into(),
            ),
            (
                ConfigProblem::BotRootSystem { root: "/etc".into() },
                "the bot's root /etc is a system directory; point [bot] root at the bot's own directory".into(),
            ),
            (
                ConfigProblem::DataUnderSystem {
                    data: "/dev/steward".into(),
                },
                "Steward's data directory /dev/steward is under a system directory; set [paths] data".into(),
            ),
            (
                ConfigProblem::DataOverlapsBot {
                    data: "/srv/bot/data".into(),
                    root: "/srv/bot".into(),
                },
                "Steward's data directory /srv/bot/data and the bot's root /srv/bot overlap; keep them apart, or set [paths] allow_inside_bot = true".into(),
            ),
            (
                ConfigProblem::Grant(GrantProblem::WriteNotAbsolute {
                    provider: "x".into(),
                    entry: "{bot}/..".into(),
                }),
                "providers.x.grant.write: \"{bot}/..\" must be an absolute path (or start with {bot}) without `..`".into(),
            ),
            (
                ConfigProblem::Grant(GrantProblem::WriteOverOwn {
                    provider: "x".into(),
                    entry: "{bot}/data".into(),
                    what: OwnFile::DataDirectory,
                    path: "/srv/bot/data".into(),
                }),
                "providers.x.grant.write: \"{bot}/data\" would let the provider change Steward's own data directory (/srv/bot/data); grant only the bot's files it updates".into(),
            ),
            (
                ConfigProblem::Grant(GrantProblem::UnknownArgumentType {
                    provider: "x".into(),
                    key: "plan_programs",
                    pattern: "{pip-pinn}".into(),
                }),
                format!("providers.x.grant.plan_programs: {{pip-pinn}} is not an argument type Steward knows; it knows {known_patterns}"),
            ),
        ];
        for (problem, old) in cases {
            assert_eq!(problem.to_string(), old, "{problem:?}");
        }
        let at = "[backup.offsite.s3]";
        for (fault, old) in [
            (
                OffsiteFault::BadName,
                format!("{at}: a target's name is letters, digits, '-' and '_', and not \"local\""),
            ),
            (
                OffsiteFault::BothSecrets,
                format!("{at}: set password_env or password_file, not both"),
            ),
            (
                OffsiteFault::PathNeedsPath,
                format!("{at}: kind = \"path\" needs path = \"DIR\""),
            ),
            (
                OffsiteFault::PathTakesOnlyPath,
                format!("{at}: kind = \"path\" takes only path and when"),
            ),
            (
                OffsiteFault::RestNeedsUrl,
                format!("{at}: kind = \"rest\" needs url = \"http(s)://HOST:PORT/PATH\""),
            ),
            (
                OffsiteFault::UrlScheme,
                format!("{at}: url must start with http:// or https://"),
            ),
            (
                OffsiteFault::UrlCredentials,
                format!(
                    "{at}: url must not hold credentials: set user and password_env or password_file"
                ),
            ),
            (
                OffsiteFault::RestTakesUrl,
                format!("{at}: kind = \"rest\" takes url, not path"),
            ),
            (
                OffsiteFault::PasswordNeedsUser,
                format!("{at}: a password needs user = \"NAME\""),
            ),
            (
                OffsiteFault::SftpNeeds,
                format!(
                    "{at}: kind = \"sftp\" needs host, user and path (the directory on the server)"
                ),
            ),
            (
                OffsiteFault::SftpTakes,
                format!(
                    "{at}: kind = \"sftp\" takes host, port, user, path, key_file and when (key auth only)"
                ),
            ),
            (
                OffsiteFault::S3Needs,
                format!(
                    "{at}: kind = \"s3\" needs bucket, user (the access key id) and password_env or password_file (the secret key)"
                ),
            ),
            (
                OffsiteFault::EndpointCredentials,
                format!("{at}: endpoint must not hold credentials"),
            ),
            (
                OffsiteFault::UnknownKind { kind: "ftp".into() },
                format!("{at}: kind \"ftp\" is not one of \"path\", \"rest\", \"sftp\", \"s3\""),
            ),
        ] {
            let problem = ConfigProblem::Offsite(OffsiteProblem {
                target: "s3".into(),
                fault,
            });
            assert_eq!(problem.to_string(), old, "{problem:?}");
        }
        for (problem, old) in [
            (
                FleetProblem::NoEndpoints,
                "fleet.endpoints is empty: name etcd's client URLs",
            ),
            (
                FleetProblem::EndpointScheme {
                    endpoint: "etcd:2379".into(),
                },
                "fleet.endpoints: \"etcd:2379\" must start with http:// or https://",
            ),
            (
                FleetProblem::EndpointNeedsTls {
                    endpoint: "https://etcd:2379".into(),
                },
                "fleet.endpoints: \"https://etcd:2379\" is https:// but [fleet.tls] names no ca_file",
            ),
            (
                FleetProblem::BadName {
                    key: "fleet.group",
                    value: "a b".into(),
                },
                "fleet.group \"a b\" must be 1-64 letters, digits, '-', '_' or '.'",
            ),
            (
                FleetProblem::MaxUnavailableZero,
                "fleet.max_unavailable must be at least 1",
            ),
            (
                FleetProblem::LeaseSeconds { value: 1 },
                "fleet.lease_seconds must be from 2 to 300, not 1",
            ),
            (
                FleetProblem::TimeoutZero,
                "fleet.request_timeout_seconds, fleet.instance_timeout_seconds and fleet.wave_timeout_seconds must be at least 1",
            ),
            (
                FleetProblem::PromotionName {
                    group: "prod".into(),
                    after: "".into(),
                },
                "fleet.promotion: \"prod\" after \"\": group names are 1-64 letters, digits, '-', '_' or '.'",
            ),
            (
                FleetProblem::PromotionSelf {
                    group: "prod".into(),
                },
                "fleet.promotion: \"prod\" cannot wait for itself",
            ),
            (
                FleetProblem::TlsPair,
                "[fleet.tls] needs both cert_file and key_file, or neither",
            ),
            (
                FleetProblem::AuthIncomplete,
                "[fleet.auth] needs a user and password_env",
            ),
        ] {
            assert_eq!(
                ConfigProblem::Fleet(problem.clone()).to_string(),
                old,
                "{problem:?}"
            );
        }
        assert_eq!(
            known_patterns,
            "{pip-pin} (a Python distribution name, `==` and a version), {pip-name} (a Python distribution name), {npm-pin} (an npm package name, `@` and a version), {npm-range} (an npm package name, `@` and a version, optionally after `^` or `~`), {apt-pin} (a Debian package name, `=` and a version), {apt-name} (a Debian package name)"
        );
        let own: Vec<&str> = [
            OwnFile::DataDirectory,
            OwnFile::ProvidersDirectory,
            OwnFile::CompileCache,
            OwnFile::BackupDirectory,
            OwnFile::UpdateLogs,
            OwnFile::ConfigurationFile,
        ]
        .iter()
        .map(|f| f.as_str())
        .collect();
        assert_eq!(
            own,
            [
                "data directory",
                "providers directory",
                "compile cache",
                "backup directory",
                "update logs",
                "configuration file"
            ]
        );
    }

    /// A TOML mistake keeps the parser's whole report for the CLI, and
    /// where it is for the fronts that word it themselves.
    #[test]
    fn a_toml_mistake_keeps_the_parsers_report_and_says_where() {
        let source = "[bot]\nroot = \"bot\"\nname = \n";
        let error = toml::from_str::<toml::Table>(source).unwrap_err();
        let problem = ConfigProblem::parse(&error, source);
        assert_eq!(problem.to_string(), error.to_string());
        let ConfigProblem::Parse {
            message,
            line,
            column,
            ..
        } = &problem
        else {
            panic!("{problem:?}")
        };
        assert_eq!((*line, *column), (Some(3), Some(8)), "{error}");
        assert!(
            error.to_string().contains("line 3, column 8"),
            "the parser counts as we do: {error}"
        );
        assert_eq!(message, error.message().trim_end());
    }
}
