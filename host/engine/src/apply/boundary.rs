//! Where a plan step may write: inside the managed bot's root and inside
//! the provider's write grant, never into Steward's own files — not through
//! `..`, not through a symbolic link that leads out. A provider's read grant
//! never widens this.

use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

use super::{ApplyContext, ApplyError};

/// A path a step will create or replace: its directory (the part that exists
/// resolved through any links, the rest as written) and its last name.
#[derive(Debug)]
pub struct Placed {
    pub dir: PathBuf,
    pub name: OsString,
}

impl Placed {
    pub fn path(&self) -> PathBuf {
        self.dir.join(&self.name)
    }
}

/// Checks that `path` names an entry strictly inside `bot_root`. The entry
/// itself is not followed (it may be the link a switch replaces); every
/// directory above it is.
pub fn place(bot_root: &Path, path: &str) -> Result<Placed, ApplyError> {
    let bad = |why| ApplyError::BadPath {
        path: path.to_string(),
        why,
    };
    let p = Path::new(path);
    if !p.is_absolute() {
        return Err(bad("it is not absolute"));
    }
    if p.components().any(|c| matches!(c, Component::ParentDir)) {
        return Err(bad("it contains `..`"));
    }
    let name = p
        .file_name()
        .ok_or_else(|| bad("it names no file"))?
        .to_os_string();
    let parent = p.parent().ok_or_else(|| bad("it names no file"))?;
    let root = std::fs::canonicalize(bot_root).map_err(ApplyError::io(bot_root))?;
    let dir = resolve_existing(parent)?;
    if !dir.starts_with(&root) {
        return Err(ApplyError::OutsideBotRoot {
            path: path.to_string(),
            bot_root: root,
        });
    }
    Ok(Placed { dir, name })
}

/// Where a step of `ctx`'s provider may create or replace `path`: inside
/// the bot root, inside the provider's write grant, and outside Steward's
/// own files, all judged where the path really leads.
pub fn writable(ctx: &ApplyContext, path: &str) -> Result<Placed, ApplyError> {
    let placed = place(&ctx.bot_root, path)?;
    let target = placed.path();
    if let Some((what, _)) = ctx
        .own
        .iter()
        .find(|(_, own)| target.starts_with(own) || own.starts_with(&target))
    {
        return Err(ApplyError::StewardOwn {
            provider: ctx.provider.clone(),
            path: target,
            what,
        });
    }
    ctx.grant.check_write(&target).map_err(|d| ctx.denied(d))?;
    Ok(placed)
}

/// Checks that an existing `path` (followed through links) is strictly
/// inside `bot_root`, and returns where it really is.
pub fn existing_inside(bot_root: &Path, path: &Path) -> Result<PathBuf, ApplyError> {
    let root = std::fs::canonicalize(bot_root).map_err(ApplyError::io(bot_root))?;
    let real = std::fs::canonicalize(path).map_err(ApplyError::io(path))?;
    if real.starts_with(&root) && real != root {
        Ok(real)
    } else {
        Err(ApplyError::OutsideBotRoot {
            path: path.display().to_string(),
            bot_root: root,
        })
    }
}

/// The deepest existing ancestor resolved through links, with the missing
/// rest appended as written (it will be created as plain directories).
fn resolve_existing(dir: &Path) -> Result<PathBuf, ApplyError> {
    let mut missing = Vec::new();
    let mut probe = dir;
    loop {
        match std::fs::canonicalize(probe) {
            Ok(real) => {
                let mut out = real;
                for part in missing.iter().rev() {
                    out.push(part);
                }
                return Ok(out);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let (Some(name), Some(up)) = (probe.file_name(), probe.parent()) else {
                    return Err(ApplyError::io(probe)(e));
                };
                missing.push(name.to_os_string());
                probe = up;
            }
            Err(e) => return Err(ApplyError::io(probe)(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_inside_the_root_is_placed_even_when_its_directory_is_missing() {
        let root = tempfile::tempdir().unwrap();
        let real = std::fs::canonicalize(root.path()).unwrap();
        let placed = place(root.path(), &format!("{}/releases/1.0.0", real.display())).unwrap();
        assert_eq!(placed.path(), real.join("releases/1.0.0"));
    }

    #[test]
    fn parent_dirs_relative_paths_and_the_outside_are_refused() {
        let root = tempfile::tempdir().unwrap();
        let r = root.path().display();
        for path in [
            format!("{r}/../evil"),
            "relative/file".to_string(),
            "/etc/passwd".to_string(),
        ] {
            assert!(place(root.path(), &path).is_err(), "{path}");
        }
    }

    #[test]
    fn a_symlinked_directory_leading_out_of_the_root_is_refused() {
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), root.path().join("escape")).unwrap();
        let err = place(
            root.path(),
            &format!("{}/escape/file", root.path().display()),
        )
        .unwrap_err();
        assert!(matches!(err, ApplyError::OutsideBotRoot { .. }), "{err}");
    }
}
