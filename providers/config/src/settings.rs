//! The provider's settings (`[providers.config.settings]`), resolved against
//! the bot root with their documented defaults. Reads no files.

use crate::error::ConfigError;
use crate::formats::{Format, KeyPath};

pub const DEFAULT_TEMPLATE: &str = "config.template.toml";
pub const DEFAULT_CONFIG: &str = "config/config.toml";
pub const DEFAULT_BASE: &str = "config/.steward-base.toml";

/// A file as the operator named it (for messages) and where it is (for I/O).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRef {
    pub path: String,
    pub shown: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// The managed bot's root (absolute).
    pub bot_root: String,
    /// The template shipped with the bot (the new one).
    pub template: FileRef,
    /// The operator's config.
    pub config: FileRef,
    /// The template the operator's config was last merged from.
    pub base: FileRef,
    pub format: Format,
    pub version_key: KeyPath,
    /// Key prefixes whose changes the bot picks up without a restart.
    pub hot_reload: Vec<KeyPath>,
}

impl Settings {
    pub fn resolve(bot_root: &str, settings: &[(String, String)]) -> Result<Settings, ConfigError> {
        let get = |name: &str| {
            steward_sdk::setting(settings, name)
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let file = |name: &str, default: &str| {
            let shown = get(name).unwrap_or(default).to_string();
            FileRef {
                path: under_root(bot_root, &shown),
                shown,
            }
        };
        let template = file("template", DEFAULT_TEMPLATE);
        let config = file("config", DEFAULT_CONFIG);
        let base = file("base", DEFAULT_BASE);

        let format = match get("format") {
            Some(name) => Format::from_name(name).ok_or_else(|| ConfigError::Setting {
                name: "format",
                message: format!("`{name}` is not one of toml, json, env"),
            })?,
            None => Format::from_path(&template.shown).ok_or_else(|| ConfigError::Setting {
                name: "format",
                message: format!(
                    "cannot tell the format of {} from its name; set it to toml, json or env",
                    template.shown
                ),
            })?,
        };
        let key_path = |key: &str| match format {
            Format::Env => KeyPath::single(key),
            Format::Toml | Format::Json => KeyPath::from_dotted(key),
        };
        let version_key = key_path(get("version_key").unwrap_or(format.default_version_key()));
        let hot_reload = match get("hot_reload_keys") {
            None => Vec::new(),
            Some(json) => serde_json::from_str::<Vec<String>>(json)
                .map_err(|e| ConfigError::Setting {
                    name: "hot_reload_keys",
                    message: format!("expected a JSON array of key prefixes: {e}"),
                })?
                .iter()
                .map(|k| key_path(k))
                .collect(),
        };
        Ok(Settings {
            bot_root: bot_root.to_string(),
            template,
            config,
            base,
            format,
            version_key,
            hot_reload,
        })
    }

    /// Whether a change to `key` takes effect without restarting the bot.
    pub fn is_hot_reloadable(&self, key: &KeyPath) -> bool {
        self.hot_reload.iter().any(|prefix| key.is_under(prefix))
    }
}

/// Directories outside the bot root that the file settings point into
/// (absolute paths), which the provider must also be granted to read.
pub fn outside_dirs(settings: &[(String, String)]) -> Vec<String> {
    let mut dirs: Vec<String> = Vec::new();
    for name in ["template", "config", "base"] {
        let Some(path) = steward_sdk::setting(settings, name).map(str::trim) else {
            continue;
        };
        if let Some((dir, _)) = path.rsplit_once('/').filter(|_| path.starts_with('/')) {
            let dir = if dir.is_empty() { "/" } else { dir };
            if !dirs.iter().any(|d| d == dir) {
                dirs.push(dir.to_string());
            }
        }
    }
    dirs
}

fn under_root(bot_root: &str, path: &str) -> String {
    if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{}/{}", bot_root.trim_end_matches('/'), path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_point_at_the_documented_files() {
        let s = Settings::resolve("/srv/bot/", &[]).unwrap();
        assert_eq!(s.template.path, "/srv/bot/config.template.toml");
        assert_eq!(s.config.shown, "config/config.toml");
        assert_eq!(s.base.path, "/srv/bot/config/.steward-base.toml");
        assert_eq!(s.format, Format::Toml);
        assert_eq!(s.version_key, KeyPath::single("template_version"));
        assert!(s.hot_reload.is_empty());
    }

    #[test]
    fn absolute_file_settings_ask_for_their_directories() {
        let dirs = outside_dirs(&settings(&[
            ("template", "/opt/bot-templates/config.toml"),
            ("config", "config/config.toml"),
            ("base", "/opt/bot-templates/.base.toml"),
        ]));
        assert_eq!(dirs, ["/opt/bot-templates"]);
    }

    #[test]
    fn env_template_defaults_to_upper_case_version_key() {
        let s = Settings::resolve("/b", &settings(&[("template", ".env.example.env")])).unwrap();
        assert_eq!(s.format, Format::Env);
        assert_eq!(s.version_key, KeyPath::single("TEMPLATE_VERSION"));
    }

    #[test]
    fn hot_reload_prefixes_cover_keys_beneath_them_only() {
        let s = Settings::resolve(
            "/b",
            &settings(&[("hot_reload_keys", r#"["logging", "bot.status"]"#)]),
        )
        .unwrap();
        assert!(s.is_hot_reloadable(&KeyPath::from_dotted("logging.level")));
        assert!(s.is_hot_reloadable(&KeyPath::from_dotted("bot.status")));
        assert!(!s.is_hot_reloadable(&KeyPath::from_dotted("logging_extra")));
        assert!(!s.is_hot_reloadable(&KeyPath::from_dotted("bot.prefix")));
    }

    #[test]
    fn bad_format_and_hot_reload_settings_are_named_in_the_error() {
        let err = Settings::resolve("/b", &settings(&[("format", "yaml")])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "setting `format`: `yaml` is not one of toml, json, env"
        );
        let err =
            Settings::resolve("/b", &settings(&[("hot_reload_keys", "logging")])).unwrap_err();
        assert!(
            err.to_string().starts_with("setting `hot_reload_keys`"),
            "{err}"
        );
        let err = Settings::resolve("/b", &settings(&[("template", "conf.yaml")])).unwrap_err();
        assert!(err.to_string().contains("conf.yaml"), "{err}");
    }
}
