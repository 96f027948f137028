//! One file a build makes, and where it goes. A page, a feed, a data file
//! and a file of the search index are all a path and its bytes; the output
//! folder, and `dafu check`'s discard, are sinks that take them.

/// One output file: its path under the output folder and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// Where a build's files go as they are made, from any thread.
pub trait Sink: Sync {
    /// Writes one page; true if that changed what was there.
    fn put(&self, page: Page) -> anyhow::Result<bool>;

    /// Writes one file made in parts, too big to hold whole; true if that
    /// changed what was there. A part that fails leaves what was there.
    fn put_parts(
        &self,
        path: &str,
        parts: &mut dyn Iterator<Item = anyhow::Result<Vec<u8>>>,
    ) -> anyhow::Result<bool>;
}
