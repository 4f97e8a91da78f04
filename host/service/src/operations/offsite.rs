//! The offsite copies that follow a backup (issue 17): started the moment a
//! backup is safe locally, so its answer (and the install a pre-update
//! backup belongs to) never waits for a slow or hanging target. In `serve`
//! they run in the background and announce their failures; a front that
//! wants the results (Discord's `/backup_create`, a one-shot CLI run) waits
//! for them after it has shown the backup. Never decides what is copied:
//! that is `backup::offsite`.

use std::sync::Mutex;

use tokio::task::JoinHandle;

use crate::Service;
use crate::announce::Announcer;
use crate::backup::offsite::{self, Copied};

/// The copies started and not yet collected, by backup id.
#[derive(Default)]
pub struct FollowUps {
    running: Mutex<Vec<(String, JoinHandle<Vec<Copied>>)>>,
}

impl Service {
    /// Starts the offsite copy that follows backup `id` (`scheduled`: a
    /// schedule took it), unless no target is due. Failures are logged,
    /// kept on the records (`backup list` shows them) and announced.
    pub(crate) fn follow_up_offsite(&self, id: &str, scheduled: bool) {
        let Ok(backups) = self.backups() else {
            // The backup was just made through the same directory; a
            // failure to open it now is caught up by the next copy.
            return;
        };
        if offsite::due(&backups, scheduled).is_empty() {
            return;
        }
        let announcer = Announcer::new(&self.config());
        let backup = id.to_string();
        let handle = tokio::spawn(async move {
            let copies =
                tokio::task::spawn_blocking(move || offsite::after_backup(&backups, scheduled))
                    .await
                    .unwrap_or_default();
            if let Some(a) = announcer {
                a.offsite(&backup, &copies).await;
            }
            copies
        });
        let mut running = self.offsite.running.lock().expect("offsite follow-ups");
        // Copies nobody waited for (a schedule's, or in the background of
        // `serve`) are forgotten once done: their results are on record.
        running.retain(|(_, h)| !h.is_finished());
        running.push((id.to_string(), handle));
    }

    /// Whether a follow-up of backup `id` was started here and is not yet
    /// collected.
    pub fn offsite_pending(&self, id: &str) -> bool {
        self.offsite
            .running
            .lock()
            .expect("offsite follow-ups")
            .iter()
            .any(|(b, _)| b == id)
    }

    /// The follow-up of backup `id`, waited for: each due target's copy.
    /// `None` when none was started here (no target is due, or it was
    /// already collected).
    pub async fn offsite_copies(&self, id: &str) -> Option<Vec<Copied>> {
        let handle = {
            let mut running = self.offsite.running.lock().expect("offsite follow-ups");
            let at = running.iter().position(|(b, _)| b == id)?;
            running.remove(at).1
        };
        Some(handle.await.unwrap_or_default())
    }

    /// Every follow-up still running, waited for (a one-shot run ends only
    /// after its copies): by backup id.
    pub async fn offsite_settle(&self) -> Vec<(String, Vec<Copied>)> {
        let running =
            std::mem::take(&mut *self.offsite.running.lock().expect("offsite follow-ups"));
        let mut out = Vec::new();
        for (id, handle) in running {
            out.push((id, handle.await.unwrap_or_default()));
        }
        out
    }
}
