//! What an offsite backend made of its own failure, carried through rustic
//! beside the backend's English: attached as the error's source when the
//! backend classifies a failure, found again by downcast when the copy
//! reports it. It never words anything itself.

use rustic_core::RusticError;
use steward_core::failure::BackendCause;

/// The classification, as an error source. Its `Display` is empty on
/// purpose: the backend's message already says it in English (what the CLI
/// prints, byte for byte), and `repository::describe` skips an empty cause.
#[derive(Debug)]
pub(crate) struct Classified(pub(crate) BackendCause);

impl std::fmt::Display for Classified {
    fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        Ok(())
    }
}

impl std::error::Error for Classified {}

/// `e` with `cause` attached, for the copy to find.
pub(crate) fn classified(e: RusticError, cause: BackendCause) -> Box<RusticError> {
    e.attach_source(Classified(cause))
}

/// The classification a backend attached to `e` or to an error it caused.
pub(crate) fn found(e: &RusticError) -> Option<BackendCause> {
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        if let Some(Classified(c)) = cause.downcast_ref::<Classified>() {
            return Some(c.clone());
        }
        source = cause.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustic_core::ErrorKind;

    /// A classified error reads in English exactly as without its
    /// classification, and the classification is found again, also under
    /// an error rustic wraps around it.
    #[test]
    fn a_classification_is_found_again_and_leaves_the_english_alone() {
        let bare = || {
            RusticError::new(ErrorKind::Backend, "{what} {url} failed: {reason}")
                .attach_context("what", "reading")
                .attach_context("url", "http://127.0.0.1:9/config")
                .attach_context("reason", "timed out")
        };
        let english = crate::repository::describe(&bare());
        let e = classified(*bare(), BackendCause::TimedOut);
        assert_eq!(crate::repository::describe(&e), english);
        assert_eq!(found(&e), Some(BackendCause::TimedOut));
        let wrapped = RusticError::with_source(ErrorKind::Backend, "copying failed", e);
        assert_eq!(found(&wrapped), Some(BackendCause::TimedOut));
        assert_eq!(found(&bare()), None);
    }
}
