//! How far a running operation is, for whoever watches: a percentage and one
//! line saying what is happening. The engine sends; fronts render (a
//! Discord message edit, a terminal bar). Sending never blocks or fails the
//! operation, even when nobody listens any more.

use tokio::sync::mpsc;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Progress {
    /// 0 to 100.
    pub percent: u8,
    pub message: String,
}

/// The sending half; cheap to clone into tasks.
#[derive(Debug, Clone)]
pub struct ProgressSender(mpsc::UnboundedSender<Progress>);

pub type ProgressReceiver = mpsc::UnboundedReceiver<Progress>;

pub fn channel() -> (ProgressSender, ProgressReceiver) {
    let (tx, rx) = mpsc::unbounded_channel();
    (ProgressSender(tx), rx)
}

impl ProgressSender {
    pub fn report(&self, percent: u8, message: impl Into<String>) {
        // A closed receiver means the watcher went away; the work goes on.
        let _ = self.0.send(Progress {
            percent: percent.min(100),
            message: message.into(),
        });
    }

    /// Reports step `done` of `total` (`done` already finished).
    pub fn step(&self, done: usize, total: usize, message: impl Into<String>) {
        let percent = (done * 100).checked_div(total).unwrap_or(100).min(100) as u8;
        self.report(percent, message);
    }
}
