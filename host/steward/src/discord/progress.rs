//! Progress of a long command, shown by editing its deferred reply:
//! "Progress: 30% – Checked pip". Fed by the engine's progress channel;
//! when updates arrive faster than Discord takes edits, only the newest is
//! shown, and edits always land in the order they were reported.

use std::future::Future;

use tokio::task::JoinHandle;

use super::locale::{Lang, t};
use super::message::Reply;
use crate::engine::progress::{self, Progress, ProgressReceiver, ProgressSender};

/// Runs `work` with a progress sender whose reports edit `reply`, and
/// returns once every report is shown, so the caller's result edit comes
/// last. `work` owns the sender: it is dropped when the work ends.
pub async fn tracked<T, F>(reply: &Reply, work: impl FnOnce(ProgressSender) -> F) -> T
where
    F: Future<Output = T>,
{
    let (sender, receiver) = progress::channel();
    let reporter = Reporter::start(reply.clone(), receiver);
    let out = work(sender).await;
    reporter.finish().await;
    out
}

pub struct Reporter {
    task: JoinHandle<()>,
}

impl Reporter {
    /// Starts editing `reply` as `progress` reports.
    pub fn start(reply: Reply, mut progress: ProgressReceiver) -> Reporter {
        let task = tokio::spawn(async move {
            while let Some(mut latest) = progress.recv().await {
                while let Ok(newer) = progress.try_recv() {
                    latest = newer;
                }
                if let Err(e) = reply.text(line(reply.lang, &latest)).await {
                    tracing::warn!("cannot show progress: {e}");
                }
            }
        });
        Reporter { task }
    }

    /// Waits until every reported step is shown. Call after the sender is
    /// dropped, before showing the result (so no late progress edit can
    /// replace it).
    pub async fn finish(self) {
        if let Err(e) = self.task.await {
            tracing::warn!("the progress task failed: {e}");
        }
    }
}

/// The progress line; its step quotes providers, so it is plain text.
pub fn line(lang: Lang, p: &Progress) -> String {
    t!(
        lang,
        "progress",
        percent = p.percent,
        step = super::render::plain(&p.message)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_reads_as_percent_and_step() {
        let p = Progress {
            percent: 30,
            message: "Updating discord.py 2.3.0 → 2.3.1".into(),
        };
        assert_eq!(
            line(Lang::english(), &p),
            "Progress: 30% – Updating discord.py 2.3.0 → 2.3.1"
        );
    }
}
