//! `steward providers new NAME`: a provider crate to start from, written
//! from the files in `template/`: the manifest (the SDK as a dependency,
//! its own workspace), a working provider with a test, a README, and the
//! toolchain file that brings the `wasm32-wasip2` target.

use std::path::{Path, PathBuf};

use thiserror::Error;

/// Where the SDK comes from when no checkout is named.
pub const SDK_GIT: &str = "https://github.com/steward-bot/steward";

const FILES: &[(&str, &str)] = &[
    ("Cargo.toml", include_str!("template/Cargo.toml.in")),
    (
        "rust-toolchain.toml",
        include_str!("template/rust-toolchain.toml.in"),
    ),
    ("src/lib.rs", include_str!("template/lib.rs.in")),
    ("README.md", include_str!("template/README.md.in")),
];

#[derive(Debug, Error)]
pub enum TemplateError {
    #[error(
        "{0:?} cannot name a provider: use lowercase letters, digits and `-`, starting with a letter (it becomes the file name grants are keyed by)"
    )]
    BadName(String),
    #[error("{} already exists; choose another name or directory", .0.display())]
    Exists(PathBuf),
    #[error("the SDK {} has no Cargo.toml of steward-sdk", .0.display())]
    NotAnSdk(PathBuf),
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// A new provider crate.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Created {
    pub name: String,
    pub dir: PathBuf,
    pub files: Vec<String>,
    /// The `.wasm` a release build makes.
    pub wasm: PathBuf,
}

/// Writes the crate `name` into `parent/name`, depending on the SDK at
/// `sdk` (a checkout's `sdk/` directory) or, without one, on Steward's git
/// repository. Refuses to write over anything.
pub fn create(parent: &Path, name: &str, sdk: Option<&Path>) -> Result<Created, TemplateError> {
    let valid = name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && name.len() <= 64;
    if !valid {
        return Err(TemplateError::BadName(name.to_string()));
    }
    let dependency = match sdk {
        Some(sdk) => {
            let sdk = std::path::absolute(sdk).unwrap_or_else(|_| sdk.to_path_buf());
            let manifest = std::fs::read_to_string(sdk.join("Cargo.toml")).unwrap_or_default();
            if !manifest.contains("name = \"steward-sdk\"") {
                return Err(TemplateError::NotAnSdk(sdk));
            }
            format!("{{ path = {:?} }}", sdk.display().to_string())
        }
        None => format!("{{ git = \"{SDK_GIT}\" }}"),
    };
    let dir = parent.join(name);
    if dir.exists() {
        return Err(TemplateError::Exists(dir));
    }
    let crate_name = name.replace('-', "_");
    let write = |path: &Path, text: &str| -> Result<(), TemplateError> {
        let failed = |source| TemplateError::Write {
            path: path.to_path_buf(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(failed)?;
        }
        std::fs::write(path, text).map_err(failed)
    };
    let mut files = Vec::new();
    for (file, text) in FILES {
        let text = text
            .replace("{{name}}", name)
            .replace("{{crate}}", &crate_name)
            .replace("{{sdk}}", &dependency);
        write(&dir.join(file), &text)?;
        files.push(file.to_string());
    }
    Ok(Created {
        name: name.to_string(),
        wasm: dir
            .join("target/wasm32-wasip2/release")
            .join(format!("{crate_name}.wasm")),
        dir,
        files,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_that_cannot_be_a_file_name_is_refused_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        for bad in ["", "Mine", "../up", "a b", "9lives"] {
            let e = create(dir.path(), bad, None).unwrap_err();
            assert!(matches!(e, TemplateError::BadName(_)), "{bad}: {e}");
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn the_crate_names_itself_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let created = create(dir.path(), "my-source", None).unwrap();
        let manifest = std::fs::read_to_string(created.dir.join("Cargo.toml")).unwrap();
        assert!(manifest.contains("name = \"my-source\""), "{manifest}");
        assert!(manifest.contains(&format!("steward-sdk = {{ git = \"{SDK_GIT}\" }}")));
        let lib = std::fs::read_to_string(created.dir.join("src/lib.rs")).unwrap();
        assert!(lib.contains("\"my-source\","), "{lib}");
        assert!(!lib.contains("{{"), "{lib}");
        assert!(created.wasm.ends_with("release/my_source.wasm"));
        let e = create(dir.path(), "my-source", None).unwrap_err();
        assert!(matches!(e, TemplateError::Exists(_)), "{e}");
    }
}
