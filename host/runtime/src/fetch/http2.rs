//! The https origins that answered over HTTP/2, remembered between runs in
//! `<cache>/http2-origins`, one `host:port` a line. A batch to an origin
//! not known yet sends one request alone until its answer is in, so the
//! connection it opens is the one the others share once ALPN has said
//! HTTP/2. To an origin known here the batch goes at once: its client speaks
//! HTTP/2 from the first byte, and every request waits for the one
//! connection being opened instead of each opening its own. An origin that
//! fails that way is forgotten and asked again the usual way.
//!
//! The file holds no secret and grants nothing: what a request may reach is
//! still its grant's, and the server's certificate is checked as ever.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// Origins kept at most: a file grown past it by hand is read this far.
const MOST: usize = 256;

#[derive(Debug, Default)]
pub struct Http2Origins {
    /// Where they are kept; `None` keeps them for this process only.
    file: Option<PathBuf>,
    known: Mutex<BTreeSet<String>>,
    changed: AtomicBool,
}

impl Http2Origins {
    /// The origins `file` holds (none when it is missing or unreadable);
    /// lines that are not a `host:port` are skipped.
    pub fn load(file: Option<PathBuf>) -> Http2Origins {
        let known = file
            .as_ref()
            .and_then(|f| std::fs::read_to_string(f).ok())
            .map(|text| {
                text.lines()
                    .map(str::trim)
                    .filter(|line| is_origin(line))
                    .take(MOST)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        Http2Origins {
            file,
            known: Mutex::new(known),
            changed: AtomicBool::new(false),
        }
    }

    pub fn knows(&self, origin: &str) -> bool {
        self.lock().contains(origin)
    }

    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// `origin` answered over HTTP/2.
    pub fn learned(&self, origin: &str) {
        let mut known = self.lock();
        if known.len() < MOST && is_origin(origin) && known.insert(origin.to_string()) {
            self.changed.store(true, Ordering::Relaxed);
        }
    }

    /// `origin` failed when spoken to in HTTP/2 from the first byte.
    pub fn forget(&self, origin: &str) {
        if self.lock().remove(origin) {
            self.changed.store(true, Ordering::Relaxed);
        }
    }

    /// Writes the origins to the file if they changed since it was read,
    /// with [`steward_core::durable::write_atomically`]: a reader sees the
    /// old list or the new, and a link planted at the temporary name is
    /// not written through. A failure only costs the next run its head
    /// start.
    pub fn save(&self) {
        let Some(file) = &self.file else { return };
        if !self.changed.swap(false, Ordering::Relaxed) {
            return;
        }
        let text: String = self.lock().iter().map(|o| format!("{o}\n")).collect();
        let written = file
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| steward_core::durable::write_atomically(file, text.as_bytes()));
        if let Err(e) = written {
            tracing::debug!("cannot keep {}: {e}", file.display());
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeSet<String>> {
        self.known.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// `host:port`, as `tls_origin` writes it: no spaces, no path, a port.
fn is_origin(line: &str) -> bool {
    let Some((host, port)) = line.rsplit_once(':') else {
        return false;
    };
    !host.is_empty()
        && host.len() <= 253
        && !host.contains(['/', ' ', '\t', '@'])
        && port.parse::<u16>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_kept_between_runs_and_forgotten_when_they_fail() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("cache").join("http2-origins");
        let first = Http2Origins::load(Some(file.clone()));
        assert!(first.is_empty());
        first.learned("registry.npmjs.org:443");
        first.learned("not an origin");
        first.save();
        let second = Http2Origins::load(Some(file.clone()));
        assert!(second.knows("registry.npmjs.org:443"));
        assert!(!second.knows("not an origin"));
        second.forget("registry.npmjs.org:443");
        second.save();
        assert!(Http2Origins::load(Some(file.clone())).is_empty());
        // A line that is not an origin is skipped, the rest are read.
        std::fs::write(&file, "pypi.org:443\n/etc/passwd\nhost:port\n").unwrap();
        let third = Http2Origins::load(Some(file));
        assert!(third.knows("pypi.org:443"));
        assert_eq!(third.lock().len(), 1);
    }

    #[test]
    fn a_link_planted_at_the_files_name_is_replaced_not_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("http2-origins");
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "untouched").unwrap();
        std::os::unix::fs::symlink(&victim, &file).unwrap();
        let origins = Http2Origins::load(Some(file.clone()));
        origins.learned("pypi.org:443");
        origins.save();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "pypi.org:443\n");
    }
}
