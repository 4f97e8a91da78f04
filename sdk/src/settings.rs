//! Typed readers for provider settings (`[providers.NAME.settings]`, values
//! as strings): flags, URLs, durations, paths. They name the setting in every
//! error; they never read files or the network.

use crate::{Error, http, setting};

/// `true`/`false`; unset is `false`.
pub fn flag(settings: &[(String, String)], name: &str) -> Result<bool, Error> {
    match setting(settings, name) {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(Error::invalid_data(format!(
            "setting {name} must be true or false, not {other:?}"
        ))),
    }
}

/// An `http(s)` URL without its trailing `/`; `default` when unset.
pub fn url(settings: &[(String, String)], name: &str, default: &str) -> Result<String, Error> {
    let value = setting(settings, name).unwrap_or(default);
    if http::authority(value).is_none() {
        return Err(Error::invalid_data(format!(
            "setting {name} must be an http(s) URL, not {value:?}"
        )));
    }
    Ok(value.trim_end_matches('/').to_string())
}

/// A whole number of milliseconds, if set.
pub fn millis(settings: &[(String, String)], name: &str) -> Result<Option<u32>, Error> {
    setting(settings, name)
        .map(|raw| {
            raw.parse::<u32>().map_err(|_| {
                Error::invalid_data(format!(
                    "setting {name} must be a number of milliseconds, not {raw:?}"
                ))
            })
        })
        .transpose()
}

/// `path` resolved against `root` (the bot root, or `{bot}` in `describe`);
/// absolute paths stay as they are.
pub fn path(root: &str, path: &str) -> String {
    if path.starts_with('/') {
        return path.to_string();
    }
    let rel = path.trim_start_matches("./");
    if rel.is_empty() || rel == "." {
        root.trim_end_matches('/').to_string()
    } else {
        format!("{}/{}", root.trim_end_matches('/'), rel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(name: &str, value: &str) -> Vec<(String, String)> {
        vec![(name.to_string(), value.to_string())]
    }

    #[test]
    fn flag_accepts_only_true_or_false() {
        assert!(!flag(&[], "x").unwrap());
        assert!(flag(&one("x", "true"), "x").unwrap());
        assert!(
            flag(&one("x", "yes"), "x")
                .unwrap_err()
                .message
                .contains("x")
        );
    }

    #[test]
    fn url_requires_http_and_drops_the_trailing_slash() {
        assert_eq!(url(&[], "u", "https://a.b/").unwrap(), "https://a.b");
        assert_eq!(
            url(&one("u", "http://127.0.0.1:9/pypi/"), "u", "https://a").unwrap(),
            "http://127.0.0.1:9/pypi"
        );
        assert!(url(&one("u", "pypi.org"), "u", "https://a").is_err());
    }

    #[test]
    fn millis_parses_numbers_only() {
        assert_eq!(millis(&[], "t").unwrap(), None);
        assert_eq!(millis(&one("t", "1500"), "t").unwrap(), Some(1500));
        assert!(millis(&one("t", "1.5s"), "t").is_err());
    }

    #[test]
    fn path_resolves_relative_to_the_root() {
        assert_eq!(path("/srv/bot", "."), "/srv/bot");
        assert_eq!(path("/srv/bot/", "./web"), "/srv/bot/web");
        assert_eq!(path("{bot}", ".venv"), "{bot}/.venv");
        assert_eq!(path("{bot}", "/opt/venv"), "/opt/venv");
    }
}
