//! The `remove` step: take away a file, a symbolic link (never what it points
//! at) or a directory with everything in it, inside the provider's write
//! grant only — judged exactly as a write is (`boundary::writable`). Nothing
//! there is not an error: removing is idempotent, so a rollback can repeat it.

use super::boundary;
use super::{ApplyContext, ApplyError, StepOutcome, handle_error, name_of};
use crate::provider::Remove;
use steward_core::dir_handle::{DirHandle, Entry};

/// Refuses a path outside the bot root, the write grant, or into Steward's
/// own files; changes nothing.
pub fn check(ctx: &ApplyContext, remove: &Remove) -> Result<(), ApplyError> {
    boundary::writable(ctx, &remove.path).map(|_| ())
}

pub fn run(ctx: &ApplyContext, remove: &Remove) -> Result<StepOutcome, ApplyError> {
    let target = boundary::writable(ctx, &remove.path)?;
    let path = target.path();
    let name = name_of(&target)?;
    // Through a handle on the directory: a link swapped in above the entry
    // after the check cannot lead the removal elsewhere.
    if let Err(e) = target.dir.symlink_metadata() {
        if e.kind() == std::io::ErrorKind::NotFound {
            return Ok(StepOutcome::Removed {
                path,
                existed: false,
            });
        }
        return Err(ApplyError::io(&target.dir)(e));
    }
    let dir = DirHandle::open(&target.dir).map_err(handle_error(&target.dir))?;
    let existed = !matches!(
        dir.entry(name).map_err(handle_error(&path))?,
        Entry::Missing
    );
    dir.remove_tree(name).map_err(handle_error(&path))?;
    dir.sync().map_err(handle_error(dir.path()))?;
    if existed {
        tracing::info!(provider = ctx.provider, "removed {}", path.display());
    }
    Ok(StepOutcome::Removed { path, existed })
}
