//! Where the index's files go: each is handed on as soon as it is made, so
//! the whole index is never held in memory, and the paths are kept for the
//! build's list of what it wrote.

use std::sync::Mutex;

use crate::ground::page::{Page, Sink};
use crate::store::digest::Made;
use std::sync::atomic::{AtomicUsize, Ordering};

pub(super) struct Files<'s> {
    sink: &'s dyn Sink,
    made: Mutex<Vec<Made>>,
    changed: AtomicUsize,
}

/// What the index wrote.
pub(crate) struct Indexed {
    /// Every file's path, sorted, with the digest it was made with: a
    /// reply's data files that of the reply (`reuse::identities`), the
    /// others `SHARED`. The next build finds them by it (see `digest`).
    pub made: Vec<Made>,
    /// How many of them the sink said changed.
    pub changed: usize,
}

/// The digest of the index's files that are made of all replies.
pub(super) const SHARED: u64 = 0;

impl<'s> Files<'s> {
    pub(super) fn new(sink: &'s dyn Sink) -> Files<'s> {
        Files {
            sink,
            made: Mutex::new(Vec::new()),
            changed: AtomicUsize::new(0),
        }
    }

    /// Hands on a file made with `digest`.
    pub(super) fn put(&self, path: String, bytes: Vec<u8>, digest: u64) -> anyhow::Result<()> {
        let changed = self.sink.put(Page {
            path: path.clone(),
            bytes,
        })?;
        self.changed
            .fetch_add(usize::from(changed), Ordering::Relaxed);
        self.record(Made::new(path, digest));
        Ok(())
    }

    /// Counts a file left as it was, as the folder's digests say.
    pub(super) fn keep(&self, path: String, digest: u64) {
        self.record(Made::kept(path, digest));
    }

    fn record(&self, made: Made) {
        // A poisoned lock means a thread panicked, and the build with it.
        self.made
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(made);
    }

    pub(super) fn finish(self) -> Indexed {
        let mut made = self
            .made
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // Stable, which takes a long sorted run as it is: a patched index
        // keeps 38,000 files in order and writes a few.
        made.sort();
        Indexed {
            made,
            changed: self.changed.into_inner(),
        }
    }
}
