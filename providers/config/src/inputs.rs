//! Reads the three files a merge needs (new template, operator config, base
//! template) and parses them. Read-only: it never writes, and a missing or
//! unreadable base is reported as a warning rather than guessed at.

use crate::error::ConfigError;
use crate::formats::{Flat, Format};
use crate::settings::{FileRef, Settings};

/// A parsed config file and its exact text.
#[derive(Clone, Debug)]
pub struct Doc {
    pub text: String,
    pub flat: Flat,
}

#[derive(Clone, Debug)]
pub struct Loaded {
    pub template: Doc,
    pub template_version: String,
    pub config: Doc,
    /// `None` when there is no usable base; `warnings` says why.
    pub base: Option<Doc>,
    pub warnings: Vec<String>,
}

impl Loaded {
    /// The version the operator's config was made from: the base's, else
    /// the one recorded in their file.
    pub fn current_version(&self, settings: &Settings) -> Option<String> {
        self.base
            .as_ref()
            .and_then(|b| b.flat.get(&settings.version_key))
            .or_else(|| self.config.flat.get(&settings.version_key))
            .map(|v| v.text())
    }
}

/// The file's bytes, or `None` when it does not exist.
pub fn read_optional(file: &FileRef) -> Result<Option<Vec<u8>>, ConfigError> {
    match std::fs::read(&file.path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(ConfigError::Read {
            path: file.shown.clone(),
            source,
        }),
    }
}

/// Reads and parses a file that must exist.
pub fn read_doc(settings: &Settings, file: &FileRef) -> Result<Doc, ConfigError> {
    let Some(bytes) = read_optional(file)? else {
        // In the sandbox an ungranted directory looks empty; say which it is.
        if !std::path::Path::new(&settings.bot_root).is_dir() {
            return Err(ConfigError::RootHidden {
                root: settings.bot_root.clone(),
            });
        }
        return Err(ConfigError::Missing {
            path: file.shown.clone(),
        });
    };
    parse_doc(file, settings.format, bytes)
}

fn parse_doc(file: &FileRef, format: Format, bytes: Vec<u8>) -> Result<Doc, ConfigError> {
    let parse_error = |message: String| ConfigError::Parse {
        path: file.shown.clone(),
        format: format.name(),
        message,
    };
    let text = String::from_utf8(bytes).map_err(|e| parse_error(format!("not UTF-8 ({e})")))?;
    let flat = format.parse(&text).map_err(|e| parse_error(e.0))?;
    Ok(Doc { text, flat })
}

/// The template's version, which it must carry.
pub fn template_version(settings: &Settings, template: &Doc) -> Result<String, ConfigError> {
    template
        .flat
        .get(&settings.version_key)
        .map(|v| v.text())
        .ok_or_else(|| ConfigError::NoVersion {
            path: settings.template.shown.clone(),
            key: settings.version_key.to_string(),
        })
}

pub fn load(settings: &Settings) -> Result<Loaded, ConfigError> {
    let template = read_doc(settings, &settings.template)?;
    let template_version = template_version(settings, &template)?;
    let config = read_doc(settings, &settings.config)?;
    let mut warnings = Vec::new();
    let keys_only = format!(
        "comparing keys only, with {} standing in for the base: all your values are kept and no changed default is taken",
        settings.config.shown
    );
    let base = match read_optional(&settings.base)? {
        None => {
            warnings.push(format!(
                "no base template at {}: {keys_only}",
                settings.base.shown
            ));
            None
        }
        // A rollback cannot delete the base it wrote, so it leaves it empty.
        Some(bytes) if bytes.iter().all(u8::is_ascii_whitespace) => {
            warnings.push(format!(
                "the base template {} is empty: {keys_only}",
                settings.base.shown
            ));
            None
        }
        Some(bytes) => match parse_doc(&settings.base, settings.format, bytes) {
            Ok(doc) => Some(doc),
            Err(e) => {
                warnings.push(format!("{e}: {keys_only}"));
                None
            }
        },
    };
    Ok(Loaded {
        template,
        template_version,
        config,
        base,
        warnings,
    })
}
