//! Where the first pass's gram streams wait for the second: a temporary
//! file on the output's disk, not memory. They are the largest thing the
//! index build makes (about six bytes a character of text: 180 MB at
//! 10,000 replies, 1.8 GB at 100,000), and each is read back once, one
//! partition at a time, so holding them all in memory only raised the
//! build's peak. The file has no name and goes when the build ends.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context as _, Result};

pub struct Spill {
    /// The file, and where the next chunk's streams start.
    file: Mutex<(File, u64)>,
    /// Where the file is, for messages: a full disk names the folder.
    dir: PathBuf,
}

/// Where one chunk's stream of each partition is in the file.
pub struct Spilled {
    ranges: Vec<(u64, usize)>,
}

impl Spill {
    pub fn new(dir: &Path) -> Result<Spill> {
        let file = tempfile::tempfile_in(dir).with_context(|| {
            format!(
                "cannot make the search index's temporary file in {}",
                dir.display()
            )
        })?;
        Ok(Spill {
            file: Mutex::new((file, 0)),
            dir: dir.to_path_buf(),
        })
    }

    /// Appends one chunk's streams, one per partition.
    pub fn put(&self, parts: &[Vec<u8>]) -> Result<Spilled> {
        let mut guard = self.lock();
        let (file, end) = &mut *guard;
        let mut ranges = Vec::with_capacity(parts.len());
        // Reads may have moved the cursor.
        file.seek(SeekFrom::Start(*end))
            .and_then(|_| {
                for part in parts {
                    file.write_all(part)?;
                    ranges.push((*end, part.len()));
                    *end += part.len() as u64;
                }
                Ok(())
            })
            .with_context(|| self.trouble("write to"))?;
        Ok(Spilled { ranges })
    }

    /// One chunk's stream of partition `part`.
    pub fn get(&self, spilled: &Spilled, part: usize) -> Result<Vec<u8>> {
        let (at, len) = spilled.ranges[part];
        let mut bytes = vec![0; len];
        let mut guard = self.lock();
        guard
            .0
            .seek(SeekFrom::Start(at))
            .and_then(|_| guard.0.read_exact(&mut bytes))
            .with_context(|| self.trouble("read"))?;
        Ok(bytes)
    }

    fn trouble(&self, verb: &str) -> String {
        format!(
            "cannot {verb} the search index's temporary file in {}",
            self.dir.display()
        )
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (File, u64)> {
        // A poisoned lock means a thread panicked, and the build with it.
        self.file
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
        let spill = Spill::new(dir.path()).unwrap();
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
        let message = format!("{:#}", Spill::new(&missing).err().unwrap());
        assert!(
            message.contains(&missing.display().to_string()),
            "{message}"
        );
    }
}
