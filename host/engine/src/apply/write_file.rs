//! The `write-file` step: replace a file inside the provider's write grant
//! atomically — a temporary file beside it, fsync, rename over, fsync the
//! directory — so the bot reads either the old contents or the new, never
//! half. Everything happens through a handle on the file's directory, and
//! what is at the name is looked at again right before the rename: a link
//! there is refused, never followed. The old file's permissions and owner
//! carry over to the new one.

use std::io::Write;

use super::boundary::{self, Placed};
use super::{ApplyContext, ApplyError, StepOutcome, handle_error, name_of, temp_name};
use crate::provider::WriteFile;
use steward_core::dir_handle::{DirHandle, Entry};

/// What is there now: the mode and owner of the file being replaced.
pub struct Checked {
    pub existing: Option<Existing>,
}

#[derive(Debug, Clone, Copy)]
pub struct Existing {
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
}

pub fn check(ctx: &ApplyContext, write: &WriteFile) -> Result<Checked, ApplyError> {
    use std::os::unix::fs::MetadataExt;
    let target = boundary::writable(ctx, &write.path)?;
    let path = target.path();
    // A look without creating anything (the dry run calls this too); `run`
    // looks again through the directory's handle.
    let existing = match path.symlink_metadata() {
        Ok(meta) if meta.file_type().is_symlink() => {
            return Err(ApplyError::NotReplaceable {
                path,
                what: "a symbolic link",
            });
        }
        Ok(meta) if !meta.is_file() => {
            return Err(ApplyError::NotReplaceable {
                path,
                what: "not a regular file",
            });
        }
        Ok(meta) => Some(Existing {
            mode: meta.mode() & 0o7777,
            uid: meta.uid(),
            gid: meta.gid(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(ApplyError::io(path)(e)),
    };
    Ok(Checked { existing })
}

/// What is at the target's name, seen through the directory's handle.
fn existing(target: &Placed, dir: &DirHandle) -> Result<Option<Existing>, ApplyError> {
    let path = target.path();
    match dir.entry(name_of(target)?).map_err(handle_error(&path))? {
        Entry::Missing => Ok(None),
        Entry::File { mode, uid, gid, .. } => Ok(Some(Existing { mode, uid, gid })),
        Entry::Symlink => Err(ApplyError::NotReplaceable {
            path,
            what: "a symbolic link",
        }),
        Entry::Dir | Entry::Other => Err(ApplyError::NotReplaceable {
            path,
            what: "not a regular file",
        }),
    }
}

pub fn run(ctx: &ApplyContext, write: &WriteFile) -> Result<StepOutcome, ApplyError> {
    let target = boundary::writable(ctx, &write.path)?;
    let path = target.path();
    let name = name_of(&target)?;
    let dir = DirHandle::open_creating(&target.dir).map_err(handle_error(&target.dir))?;
    let temp = temp_name(&target.name, "write");
    let written = (|| -> Result<bool, ApplyError> {
        let mut file = dir.create_new(&temp, 0o600).map_err(handle_error(&path))?;
        file.write_all(&write.contents)
            .map_err(ApplyError::io(&path))?;
        // Looked at again right before the rename: what is there now decides.
        let existing = existing(&target, &dir)?;
        let mode = existing.map_or(0o644, |m| m.mode);
        if let Some(meta) = existing {
            // Steward may run as root for a bot that runs as its own user:
            // the file must stay the bot's. Without the right, keep ours.
            let _ = std::os::unix::fs::fchown(&file, Some(meta.uid), Some(meta.gid));
        }
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(mode))
            .and_then(|()| file.sync_all())
            .map_err(ApplyError::io(&path))?;
        dir.rename_over(&temp, name).map_err(handle_error(&path))?;
        Ok(existing.is_some())
    })();
    let replaced = match written {
        Ok(replaced) => replaced,
        Err(e) => {
            let _ = dir.remove_file(&temp);
            return Err(e);
        }
    };
    dir.sync().map_err(handle_error(dir.path()))?;
    tracing::info!(provider = ctx.provider, "wrote {}", path.display());
    Ok(StepOutcome::Wrote {
        path,
        bytes: write.contents.len() as u64,
        replaced,
    })
}
