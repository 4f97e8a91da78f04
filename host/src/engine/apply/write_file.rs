//! The `write-file` step: replace a file inside the bot root atomically —
//! a temporary file beside it, fsync, rename over, fsync the directory — so
//! the bot reads either the old contents or the new, never half. The old
//! file's permissions and owner carry over to the new one.

use std::io::Write;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};

use super::boundary::{self, Placed};
use super::{ApplyContext, ApplyError, StepOutcome, sync_dir, temp_name};
use crate::provider::WriteFile;

/// What is there now.
pub struct Checked {
    pub target: Placed,
    /// Mode and owner of the file being replaced.
    pub existing: Option<std::fs::Metadata>,
}

pub fn check(ctx: &ApplyContext, write: &WriteFile) -> Result<Checked, ApplyError> {
    let target = boundary::place(&ctx.bot_root, &write.path)?;
    let path = target.path();
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
        Ok(meta) => Some(meta),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(ApplyError::io(path)(e)),
    };
    Ok(Checked { target, existing })
}

pub fn run(ctx: &ApplyContext, write: &WriteFile) -> Result<StepOutcome, ApplyError> {
    let Checked { target, existing } = check(ctx, write)?;
    let path = target.path();
    std::fs::create_dir_all(&target.dir).map_err(ApplyError::io(&target.dir))?;
    let temp = target.dir.join(temp_name(&target.name, "write"));
    let written = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temp)?;
        file.write_all(&write.contents)?;
        let mode = existing.as_ref().map_or(0o644, |m| m.mode() & 0o7777);
        if let Some(meta) = &existing {
            // Steward may run as root for a bot that runs as its own user:
            // the file must stay the bot's. Without the right, keep ours.
            let _ = std::os::unix::fs::fchown(&file, Some(meta.uid()), Some(meta.gid()));
        }
        file.set_permissions(std::fs::Permissions::from_mode(mode))?;
        file.sync_all()?;
        std::fs::rename(&temp, &path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(ApplyError::io(&path)(e));
    }
    sync_dir(&target.dir)?;
    tracing::info!(provider = ctx.provider, "wrote {}", path.display());
    Ok(StepOutcome::Wrote {
        path,
        bytes: write.contents.len() as u64,
        replaced: existing.is_some(),
    })
}
