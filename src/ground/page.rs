//! One file a build makes, and where it goes. A page, a feed, a data file
//! and a file of the search index are all a path and its bytes; the output
//! folder, `dafu check`'s discard, the preview's memory (`Kept`) and any
//! function of a path and bytes are sinks that take them.

use std::sync::Mutex;

/// One output file: its path under the output folder and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Page {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// Where a build's files go as they are made, from any thread.
pub(crate) trait Sink: Sync {
    /// Writes one page; true if that changed what was there.
    fn put(&self, page: Page) -> anyhow::Result<bool>;

    /// Writes one file made in parts, too big to hold whole; true if that
    /// changed what was there. A part that fails leaves what was there. A
    /// sink that holds files in memory anyway gathers the parts first.
    fn put_parts(
        &self,
        path: &str,
        parts: &mut dyn Iterator<Item = anyhow::Result<Vec<u8>>>,
    ) -> anyhow::Result<bool> {
        let mut bytes = Vec::new();
        for part in parts {
            bytes.extend(part?);
        }
        let path = path.to_string();
        self.put(Page { path, bytes })
    }
}

/// A function of a file's path and bytes, saying whether that changed what
/// was there, is a sink: the whole file is made before it is called.
impl<F> Sink for F
where
    F: Fn(String, Vec<u8>) -> anyhow::Result<bool> + Sync,
{
    fn put(&self, page: Page) -> anyhow::Result<bool> {
        self(page.path, page.bytes)
    }
}

/// Keeps every file in memory, in the order they come: the preview's
/// pages made in the background. Every file counts as changed.
#[derive(Default)]
pub(crate) struct Kept(Mutex<Vec<Page>>);

impl Kept {
    pub(crate) fn into_pages(self) -> Vec<Page> {
        // A poisoned lock means a thread panicked, and the build with it.
        self.0
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Sink for Kept {
    fn put(&self, page: Page) -> anyhow::Result<bool> {
        (self.0.lock())
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(page);
        Ok(true)
    }
}
