//! What is wrong in a steward.toml, or in a grant an owner gives, in the
//! caller's language: the sentence is the catalogue's, the key names and
//! the values as written (and the parser's or the OS's own words) stay as
//! given. It words; it never checks a configuration.

use crate::config::{
    ConfigError, ConfigProblem, FleetProblem, GrantProblem, OffsiteFault, OwnFile,
};
use crate::discord::locale::{Lang, t};

/// A configuration that could not be read or is not valid.
pub(super) fn config_error(lang: Lang, e: &ConfigError) -> String {
    match e {
        ConfigError::Read { path, source } => t!(
            lang,
            "config-read",
            path = path.display().to_string(),
            error = source.to_string()
        ),
        ConfigError::Invalid { path, problem } => t!(
            lang,
            "config-invalid",
            path = path.display().to_string(),
            problem = config_problem(lang, problem)
        ),
    }
}

/// A value as the CLI quotes it (`"text"`, escapes included).
fn quoted(value: &str) -> String {
    format!("{value:?}")
}

fn config_problem(lang: Lang, problem: &ConfigProblem) -> String {
    use ConfigProblem as P;
    match problem {
        P::Parse {
            message,
            line: Some(line),
            column: Some(column),
            ..
        } => t!(
            lang,
            "config-parse-at",
            line = line.to_string(),
            column = column.to_string(),
            error = message.clone()
        ),
        P::Parse { message, .. } => t!(lang, "config-parse", error = message.clone()),
        P::HttpListen { listen, cause } => t!(
            lang,
            "config-http-listen",
            value = quoted(listen),
            error = cause.clone()
        ),
        P::HttpRateLimitZero => t!(lang, "config-http-rate-limit-zero"),
        P::HttpTokenName { name } => t!(lang, "config-http-token-name", name = quoted(name)),
        P::HttpTokenSecret { name } => {
            t!(lang, "config-http-token-secret", name = quoted(name))
        }
        P::HttpTokenScope { name, scope } => t!(
            lang,
            "config-http-token-scope",
            name = quoted(name),
            scope = quoted(scope),
            known = lang.names(crate::config::HTTP_SCOPES)
        ),
        P::LogRotationSize { value } => {
            t!(lang, "config-log-rotation-size", value = value.clone())
        }
        P::PidFileNeedsRestartCommand => t!(lang, "config-pid-file-needs-restart-command"),
        P::HandoffNeedsStart => t!(lang, "config-handoff-needs-start"),
        P::StartAndRestartCommand => t!(lang, "config-start-and-restart-command"),
        P::Offsite(problem) => t!(
            lang,
            "config-offsite",
            target = problem.target.clone(),
            problem = offsite_fault(lang, &problem.fault)
        ),
        P::Fleet(problem) => fleet_problem(lang, problem),
        P::RuntimeLimitZero => t!(lang, "config-runtime-limit-zero"),
        P::StackLimitTooLarge => t!(lang, "config-stack-limit-too-large"),
        P::ConfirmTimeout { value } => {
            t!(lang, "config-confirm-timeout", value = value.to_string())
        }
        P::DiscordLocale { value } => t!(lang, "config-discord-locale", value = quoted(value)),
        P::DiscordApiBase { value } => {
            t!(lang, "config-discord-api-base", value = value.clone())
        }
        P::HttpConcurrencyZero => t!(lang, "config-http-concurrency-zero"),
        P::HttpBatchLimitZero => t!(lang, "config-http-batch-limit-zero"),
        P::HttpCacheLimitZero => t!(lang, "config-http-cache-limit-zero"),
        P::RegistryMaxAge { value } => {
            t!(lang, "config-registry-max-age", value = value.to_string())
        }
        P::AutoUpdatesContradiction { mode } => {
            t!(lang, "config-auto-updates-contradiction", mode = *mode)
        }
        P::TestCommandEmpty => t!(lang, "config-test-command-empty"),
        P::TestTimeoutZero => t!(lang, "config-test-timeout-zero"),
        P::SignatureKeysMissing => t!(lang, "config-signature-keys-missing"),
        P::SignatureKey(e) => t!(lang, "config-signature-key", error = e.cause().to_string()),
        P::ProviderVerifyKey { provider, error } => t!(
            lang,
            "config-provider-verify-key",
            provider = provider.clone(),
            error = error.cause().to_string()
        ),
        P::BotCommandEmpty => t!(lang, "config-bot-command-empty"),
        P::HealthUrl { value } => t!(lang, "config-health-url", value = value.clone()),
        P::ReadyTimeoutZero => t!(lang, "config-ready-timeout-zero"),
        P::BotEnv { name, value } => t!(
            lang,
            "config-bot-env",
            name = quoted(name),
            value = quoted(value)
        ),
        P::CompressionLevel { value } => {
            t!(lang, "config-compression-level", value = value.to_string())
        }
        P::MaxBackupsZero => t!(lang, "config-max-backups-zero"),
        P::LogLevel { value } => t!(
            lang,
            "config-log-level",
            value = value.clone(),
            known = lang.names(&crate::config::LOG_LEVELS)
        ),
        P::LogCountsZero => t!(lang, "config-log-counts-zero"),
        P::Grant(problem) => grant_problem(lang, problem),
        P::Setting(crate::settings::SettingsError::Invalid { key, value, kind }) => t!(
            lang,
            "config-setting",
            key = key.clone(),
            value = quoted(value),
            expected = super::setting_expected(lang, kind)
        ),
        // `validate_config` refuses values only; the other settings
        // errors are worded where settings are changed.
        P::Setting(other) => other.to_string(),
        P::BackupGlob {
            scope,
            pattern,
            cause,
        } => t!(
            lang,
            "config-backup-glob",
            scope = *scope,
            pattern = quoted(pattern),
            error = cause.clone()
        ),
        P::BackupGlobOutside { scope, pattern } => t!(
            lang,
            "config-backup-glob-outside",
            scope = *scope,
            pattern = quoted(pattern)
        ),
        P::BotRootUnset => t!(lang, "config-bot-root-unset"),
        P::BotRootUnusable { root, cause } => t!(
            lang,
            "config-bot-root-unusable",
            root = root.display().to_string(),
            error = cause.to_string()
        ),
        P::BotRootNotDirectory { root } => t!(
            lang,
            "config-bot-root-not-directory",
            root = root.display().to_string()
        ),
        P::BotRootSystem { root } => t!(
            lang,
            "config-bot-root-system",
            root = root.display().to_string()
        ),
        P::DataUnderSystem { data } => t!(
            lang,
            "config-data-under-system",
            data = data.display().to_string()
        ),
        P::DataOverlapsBot { data, root } => t!(
            lang,
            "config-data-overlaps-bot",
            data = data.display().to_string(),
            root = root.display().to_string()
        ),
    }
}

fn offsite_fault(lang: Lang, fault: &OffsiteFault) -> String {
    use OffsiteFault as F;
    match fault {
        F::BadName => t!(lang, "config-offsite-bad-name"),
        F::BothSecrets => t!(lang, "config-offsite-both-secrets"),
        F::PathNeedsPath => t!(lang, "config-offsite-path-needs-path"),
        F::PathTakesOnlyPath => t!(lang, "config-offsite-path-takes-only-path"),
        F::RestNeedsUrl => t!(lang, "config-offsite-rest-needs-url"),
        F::UrlScheme => t!(lang, "config-offsite-url-scheme"),
        F::UrlCredentials => t!(lang, "config-offsite-url-credentials"),
        F::RestTakesUrl => t!(lang, "config-offsite-rest-takes-url"),
        F::PasswordNeedsUser => t!(lang, "config-offsite-password-needs-user"),
        F::SftpNeeds => t!(lang, "config-offsite-sftp-needs"),
        F::SftpTakes => t!(lang, "config-offsite-sftp-takes"),
        F::S3Needs => t!(lang, "config-offsite-s3-needs"),
        F::EndpointCredentials => t!(lang, "config-offsite-endpoint-credentials"),
        F::UnknownKind { kind } => {
            t!(lang, "config-offsite-unknown-kind", kind = quoted(kind))
        }
    }
}

fn fleet_problem(lang: Lang, problem: &FleetProblem) -> String {
    use FleetProblem as F;
    match problem {
        F::NoEndpoints => t!(lang, "config-fleet-no-endpoints"),
        F::EndpointScheme { endpoint } => t!(
            lang,
            "config-fleet-endpoint-scheme",
            endpoint = quoted(endpoint)
        ),
        F::EndpointNeedsTls { endpoint } => t!(
            lang,
            "config-fleet-endpoint-needs-tls",
            endpoint = quoted(endpoint)
        ),
        F::BadName { key, value } => t!(
            lang,
            "config-fleet-bad-name",
            key = *key,
            value = quoted(value)
        ),
        F::MaxUnavailableZero => t!(lang, "config-fleet-max-unavailable-zero"),
        F::LeaseSeconds { value } => {
            t!(
                lang,
                "config-fleet-lease-seconds",
                value = value.to_string()
            )
        }
        F::TimeoutZero => t!(lang, "config-fleet-timeout-zero"),
        F::PromotionName { group, after } => t!(
            lang,
            "config-fleet-promotion-name",
            group = quoted(group),
            after = quoted(after)
        ),
        F::PromotionSelf { group } => {
            t!(lang, "config-fleet-promotion-self", group = quoted(group))
        }
        F::TlsPair => t!(lang, "config-fleet-tls-pair"),
        F::AuthIncomplete => t!(lang, "config-fleet-auth-incomplete"),
    }
}

/// A grant that names what cannot work.
pub(super) fn grant_problem(lang: Lang, problem: &GrantProblem) -> String {
    match problem {
        GrantProblem::WriteNotAbsolute { provider, entry } => t!(
            lang,
            "config-grant-write-not-absolute",
            provider = provider.clone(),
            entry = entry.clone()
        ),
        GrantProblem::WriteOverOwn {
            provider,
            entry,
            what,
            path,
        } => t!(
            lang,
            "config-grant-write-over-own",
            provider = provider.clone(),
            entry = entry.clone(),
            what = own_file(lang, *what),
            path = path.display().to_string()
        ),
        GrantProblem::UnknownArgumentType {
            provider,
            key,
            pattern,
        } => {
            let known: Vec<String> = steward_core::grant::TYPED_PATTERNS
                .iter()
                .map(|(name, english)| {
                    t!(
                        lang,
                        "config-typed-pattern",
                        name = *name,
                        what = typed_pattern(lang, name).unwrap_or_else(|| english.to_string())
                    )
                })
                .collect();
            t!(
                lang,
                "config-grant-unknown-argument-type",
                provider = provider.clone(),
                key = *key,
                pattern = pattern.clone(),
                known = lang.names(&known)
            )
        }
    }
}

fn own_file(lang: Lang, what: OwnFile) -> String {
    match what {
        OwnFile::DataDirectory => t!(lang, "config-own-data-directory"),
        OwnFile::ProvidersDirectory => t!(lang, "config-own-providers-directory"),
        OwnFile::CompileCache => t!(lang, "config-own-compile-cache"),
        OwnFile::BackupDirectory => t!(lang, "config-own-backup-directory"),
        OwnFile::UpdateLogs => t!(lang, "config-own-update-logs"),
        OwnFile::ConfigurationFile => t!(lang, "config-own-configuration-file"),
    }
}

/// What an argument type of `steward_core::grant::TYPED_PATTERNS`
/// accepts; `None` for one added there but not yet worded here.
fn typed_pattern(lang: Lang, name: &str) -> Option<String> {
    Some(match name {
        "{pip-pin}" => t!(lang, "config-typed-pip-pin"),
        "{pip-name}" => t!(lang, "config-typed-pip-name"),
        "{npm-pin}" => t!(lang, "config-typed-npm-pin"),
        "{npm-range}" => t!(lang, "config-typed-npm-range"),
        "{apt-pin}" => t!(lang, "config-typed-apt-pin"),
        "{apt-name}" => t!(lang, "config-typed-apt-name"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discord::errors::service_message;
    use crate::service::{GrantRefusal, ServiceError};
    use crate::settings::SettingsError;

    /// The variant's place in the list below: a variant added without a
    /// sample does not compile, one left out of `samples` fails.
    fn variant(problem: &ConfigProblem) -> usize {
        use ConfigProblem as P;
        match problem {
            P::Parse { .. } => 0,
            P::HttpListen { .. } => 1,
            P::HttpRateLimitZero => 2,
            P::HttpTokenName { .. } => 3,
            P::HttpTokenSecret { .. } => 4,
            P::HttpTokenScope { .. } => 5,
            P::LogRotationSize { .. } => 6,
            P::PidFileNeedsRestartCommand => 7,
            P::HandoffNeedsStart => 8,
            P::StartAndRestartCommand => 9,
            P::Offsite(_) => 10,
            P::Fleet(_) => 11,
            P::RuntimeLimitZero => 12,
            P::StackLimitTooLarge => 13,
            P::ConfirmTimeout { .. } => 14,
            P::DiscordLocale { .. } => 15,
            P::DiscordApiBase { .. } => 16,
            P::HttpConcurrencyZero => 17,
            P::HttpBatchLimitZero => 18,
            P::HttpCacheLimitZero => 19,
            P::RegistryMaxAge { .. } => 20,
            P::AutoUpdatesContradiction { .. } => 21,
            P::TestCommandEmpty => 22,
            P::TestTimeoutZero => 23,
            P::SignatureKeysMissing => 24,
            P::SignatureKey(_) => 25,
            P::ProviderVerifyKey { .. } => 26,
            P::BotCommandEmpty => 27,
            P::HealthUrl { .. } => 28,
            P::ReadyTimeoutZero => 29,
            P::BotEnv { .. } => 30,
            P::CompressionLevel { .. } => 31,
            P::MaxBackupsZero => 32,
            P::LogLevel { .. } => 33,
            P::LogCountsZero => 34,
            P::Grant(GrantProblem::WriteNotAbsolute { .. }) => 35,
            P::Grant(GrantProblem::WriteOverOwn { .. }) => 36,
            P::Grant(GrantProblem::UnknownArgumentType { .. }) => 37,
            P::Setting(_) => 38,
            P::BackupGlob { .. } => 39,
            P::BackupGlobOutside { .. } => 40,
            P::BotRootUnset => 41,
            P::BotRootUnusable { .. } => 42,
            P::BotRootNotDirectory { .. } => 43,
            P::BotRootSystem { .. } => 44,
            P::DataUnderSystem { .. } => 45,
            P::DataOverlapsBot { .. } => 46,
        }
    }
    const VARIANTS: usize = 47;

    fn key_error() -> steward_core::verify_key::KeyError {
        steward_core::verify_key::VerifyKey::parse("RWnope").unwrap_err()
    }

    /// As `ConfigProblem::parse` makes it; the parser's words are ERR-0.
    fn parse_problem() -> ConfigProblem {
        ConfigProblem::Parse {
            text: "TOML parse error at line 2, column 8\n  |\n2 | root = \n  |        ^\nERR-0\n"
                .into(),
            message: "ERR-0".into(),
            line: Some(2),
            column: Some(8),
        }
    }

    /// One of each, with values that hold no English of their own.
    fn samples() -> Vec<ConfigProblem> {
        use ConfigProblem as P;
        let mut all = vec![
            parse_problem(),
            P::HttpListen {
                listen: "0.0.0.0".into(),
                cause: "ERR-1".into(),
            },
            P::HttpRateLimitZero,
            P::HttpTokenName { name: "ci".into() },
            P::HttpTokenSecret { name: "ci".into() },
            P::HttpTokenScope {
                name: "ci".into(),
                scope: "install:os".into(),
            },
            P::LogRotationSize {
                value: "\"10XB\"".into(),
            },
            P::PidFileNeedsRestartCommand,
            P::HandoffNeedsStart,
            P::StartAndRestartCommand,
            P::Fleet(FleetProblem::NoEndpoints),
            P::RuntimeLimitZero,
            P::StackLimitTooLarge,
            P::ConfirmTimeout { value: 900 },
            P::DiscordLocale {
                value: "zh_XX".into(),
            },
            P::DiscordApiBase {
                value: "ftp://x".into(),
            },
            P::HttpConcurrencyZero,
            P::HttpBatchLimitZero,
            P::HttpCacheLimitZero,
            P::RegistryMaxAge { value: 90000 },
            P::AutoUpdatesContradiction { mode: "security" },
            P::TestCommandEmpty,
            P::TestTimeoutZero,
            P::SignatureKeysMissing,
            P::SignatureKey(key_error()),
            P::ProviderVerifyKey {
                provider: "release".into(),
                error: key_error(),
            },
            P::BotCommandEmpty,
            P::HealthUrl {
                value: "localhost:8080".into(),
            },
            P::ReadyTimeoutZero,
            P::BotEnv {
                name: "A=B".into(),
                value: "1".into(),
            },
            P::CompressionLevel { value: 12 },
            P::MaxBackupsZero,
            P::LogLevel {
                value: "laut".into(),
            },
            P::LogCountsZero,
            P::Grant(GrantProblem::WriteNotAbsolute {
                provider: "x".into(),
                entry: "{bot}/..".into(),
            }),
            P::Setting(SettingsError::Invalid {
                key: "backup.max_backups".into(),
                value: "0".into(),
                kind: crate::settings::Kind::Int { min: 1, max: 1000 },
            }),
            P::BackupGlob {
                scope: "full",
                pattern: "a[".into(),
                cause: "ERR-4".into(),
            },
            P::BackupGlobOutside {
                scope: "logs",
                pattern: "../x".into(),
            },
            P::BotRootUnset,
            P::BotRootUnusable {
                root: "/srv/gone".into(),
                cause: std::io::Error::other("ERR-5"),
            },
            P::BotRootNotDirectory {
                root: "/srv/x.toml".into(),
            },
            P::BotRootSystem {
                root: "/etc".into(),
            },
            P::DataUnderSystem {
                data: "/dev/steward".into(),
            },
            P::DataOverlapsBot {
                data: "/srv/bot/data".into(),
                root: "/srv/bot".into(),
            },
        ];
        for what in [
            OwnFile::DataDirectory,
            OwnFile::ProvidersDirectory,
            OwnFile::CompileCache,
            OwnFile::BackupDirectory,
            OwnFile::UpdateLogs,
            OwnFile::ConfigurationFile,
        ] {
            all.push(P::Grant(GrantProblem::WriteOverOwn {
                provider: "x".into(),
                entry: "{bot}/data".into(),
                what,
                path: "/srv/bot/data".into(),
            }));
        }
        use OffsiteFault as O;
        for fault in [
            O::BadName,
            O::BothSecrets,
            O::PathNeedsPath,
            O::PathTakesOnlyPath,
            O::RestNeedsUrl,
            O::UrlScheme,
            O::UrlCredentials,
            O::RestTakesUrl,
            O::PasswordNeedsUser,
            O::SftpNeeds,
            O::SftpTakes,
            O::S3Needs,
            O::EndpointCredentials,
            O::UnknownKind { kind: "ftp".into() },
        ] {
            all.push(P::Offsite(crate::config::OffsiteProblem {
                target: "s3".into(),
                fault,
            }));
        }
        for problem in [
            FleetProblem::EndpointScheme {
                endpoint: "etcd:2379".into(),
            },
            FleetProblem::EndpointNeedsTls {
                endpoint: "https://etcd:2379".into(),
            },
            FleetProblem::BadName {
                key: "fleet.group",
                value: "a b".into(),
            },
            FleetProblem::MaxUnavailableZero,
            FleetProblem::LeaseSeconds { value: 1 },
            FleetProblem::TimeoutZero,
            FleetProblem::PromotionName {
                group: "prod".into(),
                after: "".into(),
            },
            FleetProblem::PromotionSelf {
                group: "prod".into(),
            },
            FleetProblem::TlsPair,
            FleetProblem::AuthIncomplete,
        ] {
            all.push(P::Fleet(problem));
        }
        all.push(P::Grant(GrantProblem::UnknownArgumentType {
            provider: "x".into(),
            key: "plan_programs",
            pattern: "{pip-pinn}".into(),
        }));
        all
    }

    /// Words of the English frames: none may reach a Chinese or German
    /// reader (the key names and the values are data, and hold none).
    const ENGLISH: &[&str] = &[
        "must ",
        "is not",
        "at least",
        "not valid",
        "cannot",
        "needs",
        "exclude",
        "would let",
        "argument type",
        "overlap",
        "directory",
        "keep one",
        "give exactly",
        "unknown scope",
        "write bytes",
        "a day",
        "found",
        "the bot",
        "knows",
        "grant only",
        "parse error",
        "distribution",
        "package name",
        "compile cache",
        "update logs",
        "configuration file",
        "public key",
        "expected",
        " or ",
        " the ",
        "takes",
        "hold",
        "letters",
        "itself",
        "is empty",
    ];

    fn invalid(problem: ConfigProblem) -> ServiceError {
        ServiceError::Config(ConfigError::Invalid {
            path: "/srv/steward/steward.toml".into(),
            problem,
        })
    }

    #[test]
    fn every_configuration_problem_is_worded_by_the_locale() {
        let all = samples();
        let seen: std::collections::BTreeSet<usize> = all.iter().map(variant).collect();
        assert_eq!(seen.len(), VARIANTS, "a variant has no sample: {seen:?}");
        for problem in all {
            let is_parse = matches!(problem, ConfigProblem::Parse { .. });
            let cli = problem.to_string();
            let e = invalid(problem);
            if !is_parse {
                assert_eq!(
                    service_message(Lang::english(), &e),
                    e.user_message(),
                    "English reads as the CLI prints it"
                );
            }
            for tag in ["zh-CN", "de"] {
                let words = service_message(Lang::for_tag(tag), &e);
                assert!(!words.contains(&cli), "{tag}: {words}");
                for english in ENGLISH {
                    assert!(!words.contains(english), "{tag} ({english:?}): {words}");
                }
            }
        }
    }

    #[test]
    fn a_toml_mistake_says_where_in_each_language() {
        let e = invalid(parse_problem());
        assert_eq!(
            service_message(Lang::for_tag("zh-CN"), &e),
            "配置有问题：/srv/steward/steward.toml 无效：TOML 解析失败（第 2 行第 8 列）：ERR-0"
        );
        assert_eq!(
            service_message(Lang::for_tag("de"), &e),
            "Problem in der Konfiguration: /srv/steward/steward.toml ist ungültig: TOML-Fehler in Zeile 2, Spalte 8: ERR-0"
        );
    }

    #[test]
    fn an_unknown_argument_type_lists_the_known_ones_in_the_callers_language() {
        assert_eq!(
            steward_core::grant::TYPED_PATTERNS
                .iter()
                .filter(|(name, _)| typed_pattern(Lang::for_tag("zh-CN"), name).is_none())
                .count(),
            0,
            "every argument type Steward knows is worded"
        );
        let e = ServiceError::Grant {
            provider: "extra".into(),
            refusal: GrantRefusal::Invalid {
                problem: GrantProblem::UnknownArgumentType {
                    provider: "extra".into(),
                    key: "programs",
                    pattern: "{version}".into(),
                },
            },
        };
        assert_eq!(
            service_message(Lang::for_tag("zh-CN"), &e),
            "未授予提供者 extra 任何权限：授权检查未通过：providers.extra.grant.programs：Steward 不认识参数类型 {version}；\
             它认识的有：{pip-pin}（Python 分发包名、`==` 和版本号）、{pip-name}（Python 分发包名）、\
             {npm-pin}（npm 包名、`@` 和版本号）、{npm-range}（npm 包名、`@` 和版本号，版本号前可带 `^` 或 `~`）、\
             {apt-pin}（Debian 软件包名、`=` 和版本号）、{apt-name}（Debian 软件包名）。"
        );
        assert_eq!(service_message(Lang::english(), &e), e.user_message());
    }
}
