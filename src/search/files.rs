//! Where the index's files go: each is handed on as soon as it is made, so
//! the whole index is never held in memory, and the paths are kept for the
//! build's list of what it wrote.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Takes a file (path relative to the site root, bytes) and says whether it
/// changed what was there.
pub type Sink<'s> = &'s (dyn Fn(String, Vec<u8>) -> anyhow::Result<bool> + Sync);

pub struct Files<'s> {
    sink: Sink<'s>,
    paths: Mutex<Vec<String>>,
    changed: AtomicUsize,
}

/// What the index wrote.
pub struct Written {
    /// Every file's path, sorted.
    pub paths: Vec<String>,
    /// How many of them the sink said changed.
    pub changed: usize,
}

impl<'s> Files<'s> {
    pub fn new(sink: Sink<'s>) -> Files<'s> {
        Files {
            sink,
            paths: Mutex::new(Vec::new()),
            changed: AtomicUsize::new(0),
        }
    }

    pub fn put(&self, path: String, bytes: Vec<u8>) -> anyhow::Result<()> {
        let changed = (self.sink)(path.clone(), bytes)?;
        self.changed
            .fetch_add(usize::from(changed), Ordering::Relaxed);
        // A poisoned lock means a thread panicked, and the build with it.
        self.paths
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(path);
        Ok(())
    }

    pub fn finish(self) -> Written {
        let mut paths = self
            .paths
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        paths.sort_unstable();
        Written {
            paths,
            changed: self.changed.into_inner(),
        }
    }
}
