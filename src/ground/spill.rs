//! A file on the output's disk for what a build makes early and needs
//! late, written on at its end and read back anywhere: the search index's
//! intermediate streams (about six bytes a character of text) in a
//! temporary file that has no name and goes when the build ends, however
//! it ends, and the shelves' entries (see `shelf`) in files kept in the
//! output's cache. Holding them in memory would only raise the build's peak;
//! the kernel keeps what fits in its page cache, and gives it back when
//! asked.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context as _, Result};
use rust_i18n::t;

pub(crate) struct Spill {
    file: File,
    /// Where the next `put` starts; held while one writes.
    end: Mutex<u64>,
    /// Where the file is, for messages: a full disk names the folder.
    dir: PathBuf,
    /// The file, for messages: "the search index's temporary file".
    what: String,
}

/// Where the parts of one `put` are in the file.
pub(crate) struct Spilled {
    ranges: Vec<(u64, usize)>,
}

impl Spilled {
    /// Parts of `lens` bytes, one after another from `start`.
    pub(crate) fn at(start: u64, lens: &[u64]) -> Spilled {
        let mut at = start;
        let ranges = lens
            .iter()
            .map(|&len| {
                let range = (at, len as usize);
                at += len;
                range
            })
            .collect();
        Spilled { ranges }
    }

    /// Where the first part starts.
    pub(crate) fn start(&self) -> u64 {
        self.ranges.first().map_or(0, |&(at, _)| at)
    }
}

impl Spill {
    /// A nameless file in `dir`, gone when dropped; `what` says what it
    /// holds in the messages' language ("the search index's temporary
    /// file").
    pub(crate) fn new(dir: &Path, what: String) -> Result<Spill> {
        let file = tempfile::tempfile_in(dir).with_context(|| {
            t!("spill.cannot_make", what = what, dir = dir.display()).into_owned()
        })?;
        Ok(Spill {
            file,
            end: Mutex::new(0),
            dir: dir.to_path_buf(),
            what,
        })
    }

    /// A file someone else named (`what`), written on from `end`.
    pub(crate) fn over(file: File, end: u64, dir: &Path, what: String) -> Spill {
        Spill {
            file,
            end: Mutex::new(end),
            dir: dir.to_path_buf(),
            what,
        }
    }

    /// Where the next `put` starts: the bytes put so far.
    pub(crate) fn end(&self) -> u64 {
        *self.lock()
    }

    /// Cuts the file to its first `len` bytes.
    pub(crate) fn truncate(&self, len: u64) -> Result<()> {
        let mut end = self.lock();
        self.file
            .set_len(len)
            .with_context(|| self.trouble("spill.cannot_cut"))?;
        *end = (*end).min(len);
        Ok(())
    }

    /// Overwrites `len` bytes from `at` with zeros.
    pub(crate) fn erase(&self, at: u64, len: u64) -> Result<()> {
        let _writes = self.lock();
        let mut file = &self.file;
        file.seek(SeekFrom::Start(at))
            .and_then(|_| std::io::copy(&mut std::io::repeat(0).take(len), &mut file))
            .with_context(|| self.trouble("spill.cannot_write"))?;
        Ok(())
    }

    /// Appends some parts, to be read back one at a time.
    pub(crate) fn put(&self, parts: &[impl AsRef<[u8]>]) -> Result<Spilled> {
        let mut end = self.lock();
        let mut ranges = Vec::with_capacity(parts.len());
        let mut file = &self.file;
        // Where reads move it (not on unix), the cursor may be anywhere.
        file.seek(SeekFrom::Start(*end))
            .and_then(|_| {
                for part in parts {
                    let part = part.as_ref();
                    file.write_all(part)?;
                    ranges.push((*end, part.len()));
                    *end += part.len() as u64;
                }
                Ok(())
            })
            .with_context(|| self.trouble("spill.cannot_write"))?;
        Ok(Spilled { ranges })
    }

    /// Part number `part` of one `put`.
    pub(crate) fn get(&self, spilled: &Spilled, part: usize) -> Result<Vec<u8>> {
        let (at, len) = spilled.ranges[part];
        let mut bytes = vec![0; len];
        self.read_at(&mut bytes, at)
            .with_context(|| self.trouble("spill.cannot_read"))?;
        Ok(bytes)
    }

    /// Reads at `at` without moving the cursor, so that reads need no lock.
    #[cfg(unix)]
    fn read_at(&self, bytes: &mut [u8], at: u64) -> std::io::Result<()> {
        std::os::unix::fs::FileExt::read_exact_at(&self.file, bytes, at)
    }

    /// Elsewhere a read moves the cursor, so it waits for writes.
    #[cfg(not(unix))]
    fn read_at(&self, bytes: &mut [u8], at: u64) -> std::io::Result<()> {
        let _writes = self.lock();
        let mut file = &self.file;
        file.seek(SeekFrom::Start(at))?;
        file.read_exact(bytes)
    }

    /// The file, for messages: "bodies in /srv/site/.dafu/public".
    pub(crate) fn name(&self) -> String {
        t!("spill.name", what = self.what, dir = self.dir.display()).into_owned()
    }

    /// What could not be done (`key`, a message of the catalogue) to it.
    fn trouble(&self, key: &str) -> String {
        t!(key, file = self.name()).into_owned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, u64> {
        // A poisoned lock means a thread panicked, and the build with it.
        self.end
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_come_back_as_they_went_whatever_the_order() {
        let dir = tempfile::tempdir().unwrap();
        let spill = Spill::new(dir.path(), "a test's".into()).unwrap();
        let a = spill
            .put(&[b"abc".to_vec(), Vec::new(), b"de".to_vec()])
            .unwrap();
        let b = spill
            .put(&[b"x".to_vec(), b"yz".to_vec(), b"w".to_vec()])
            .unwrap();
        assert_eq!(spill.get(&b, 1).unwrap(), b"yz");
        assert_eq!(spill.get(&a, 2).unwrap(), b"de");
        assert_eq!(spill.get(&a, 1).unwrap(), b"");
        let c = spill.put(&[b"late".to_vec()]).unwrap();
        assert_eq!(spill.get(&a, 0).unwrap(), b"abc");
        assert_eq!(spill.get(&c, 0).unwrap(), b"late");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "no name");
    }

    #[test]
    fn a_folder_it_cannot_use_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("gone");
        let message = format!(
            "{:#}",
            Spill::new(&missing, "a test's".into()).err().unwrap()
        );
        assert!(
            message.contains(&missing.display().to_string()),
            "{message}"
        );
    }
}
