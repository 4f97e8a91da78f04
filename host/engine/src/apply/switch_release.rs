//! The `switch-release` step: repoint the link the bot runs from (for
//! example `releases/current`) in one atomic rename, so the bot sees the old
//! release or the new one, never no release. The link must be inside the
//! provider's write grant, and the target an existing directory inside the
//! bot root; the new link is made and renamed through a handle on the
//! link's directory. An absolute target inside the link's own
//! directory is written relative (`1.5.0`, not `/srv/bot/releases/1.5.0`):
//! the sandbox refuses to read absolute links, and a relative one survives
//! moving the bot's directory.

use std::path::{Path, PathBuf};

use super::boundary::{self, Placed};
use super::{ApplyContext, ApplyError, StepOutcome, handle_error, name_of, temp_name};
use crate::provider::SwitchRelease;
use steward_core::dir_handle::{DirHandle, Entry};

pub struct Checked {
    pub link: Placed,
    /// What the link says now; `None` when there is no link yet.
    pub previous: Option<String>,
}

/// The directory `switch` would point its link to, resolved inside the
/// bot root: where a staged release is, before the switch.
pub fn target_dir(ctx: &ApplyContext, switch: &SwitchRelease) -> Result<PathBuf, ApplyError> {
    let link = boundary::writable(ctx, &switch.link)?;
    let target = link.dir.join(&switch.target);
    if !target.is_dir() {
        return Err(ApplyError::TargetMissing {
            link: switch.link.clone(),
            target: switch.target.clone(),
        });
    }
    boundary::existing_inside(&ctx.bot_root, &target)
}

pub fn check(ctx: &ApplyContext, switch: &SwitchRelease) -> Result<Checked, ApplyError> {
    let link = boundary::writable(ctx, &switch.link)?;
    // A relative target is relative to the link's directory, as the kernel reads it.
    let target: PathBuf = if Path::new(&switch.target).is_absolute() {
        PathBuf::from(&switch.target)
    } else {
        link.dir.join(&switch.target)
    };
    let missing = || ApplyError::TargetMissing {
        link: switch.link.clone(),
        target: switch.target.clone(),
    };
    if !target.exists() {
        return Err(missing());
    }
    let real = boundary::existing_inside(&ctx.bot_root, &target)?;
    if !real.is_dir() {
        return Err(missing());
    }
    let path = link.path();
    let previous = match path.symlink_metadata() {
        Ok(meta) if meta.file_type().is_symlink() => Some(
            std::fs::read_link(&path)
                .map_err(ApplyError::io(&path))?
                .display()
                .to_string(),
        ),
        Ok(_) => {
            return Err(ApplyError::NotReplaceable {
                path,
                what: "not a symbolic link",
            });
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(ApplyError::io(path)(e)),
    };
    Ok(Checked { link, previous })
}

pub fn run(ctx: &ApplyContext, switch: &SwitchRelease) -> Result<StepOutcome, ApplyError> {
    let Checked { link, previous } = check(ctx, switch)?;
    let path = link.path();
    let name = name_of(&link)?;
    let dir = DirHandle::open_creating(&link.dir).map_err(handle_error(&link.dir))?;
    // Looked at again through the handle: only a link is ever replaced.
    match dir.entry(name).map_err(handle_error(&path))? {
        Entry::Symlink | Entry::Missing => {}
        _ => {
            return Err(ApplyError::NotReplaceable {
                path,
                what: "not a symbolic link",
            });
        }
    }
    let temp = temp_name(&link.name, "link");
    let text = link_text(&link.dir, &switch.target);
    dir.symlink(&text, &temp).map_err(handle_error(&path))?;
    if let Err(e) = dir.rename_over(&temp, name) {
        let _ = dir.remove_file(&temp);
        return Err(handle_error(&path)(e));
    }
    dir.sync().map_err(handle_error(&link.dir))?;
    tracing::info!(
        provider = ctx.provider,
        "{} now points at {}",
        path.display(),
        text
    );
    Ok(StepOutcome::Switched {
        link: path,
        previous,
        target: text,
    })
}

/// What the link should say: `target` relative to the link's directory when
/// it lies inside it, else as given.
fn link_text(link_dir: &Path, target: &str) -> String {
    let target_path = Path::new(target);
    if target_path.is_absolute()
        && let Ok(rest) = crate::config::normalize(target_path).strip_prefix(link_dir)
        && !rest.as_os_str().is_empty()
    {
        return rest.display().to_string();
    }
    target.to_string()
}
