//! A shelf: what a build made once and the next build may need again,
//! kept in the output's cache (see `cache`), by the 64-bit digest of what
//! it is made of. Two shelves: the replies' rendered bodies (`bodies`), and
//! the lines of the open data JSON (`lines`). Rendering every body's Markdown
//! was a third of a build that changed nothing, and escaping every text
//! into the JSON most of what an edit to one reply added to a build; a
//! build now finds those it made before here, and makes only the new or
//! edited ones.
//!
//! Two files a shelf: the data, one part after another, and an index (same
//! name, `.index`) of where each entry's parts are, and which dafu made
//! them. The index always describes a prefix of the data file as it is: a
//! build appends past it or cuts the file back to it, and removes the index
//! before it changes a byte inside (starting the file over, or wiping what
//! no build uses any more). So a build that fails or is killed leaves at
//! worst bytes past the prefix, cut off by the next build, or no index,
//! and the next build starts the shelf over. A build holds a lock on the data file; a second build
//! at the same time uses a shelf of its own that goes when it ends.

use std::collections::{HashMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context as _, Result};
use serde::{Deserialize, Serialize};

use crate::ground::spill::{Spill, Spilled};
use rust_i18n::t;

/// A shelf holds at most this many bytes it no longer needs, besides twice
/// what it needs, before the next build starts it over.
const SLACK: u64 = 16 << 20;

pub(crate) struct Shelf {
    spill: Arc<Spill>,
    /// What the last build left here, by digest.
    kept: HashMap<u64, Record>,
    /// What this build found here, by digest, and what it put here: the
    /// next build's index.
    found: Mutex<Vec<u64>>,
    put: Mutex<Vec<Record>>,
    /// The index's path; none for a shelf that goes with the build.
    index: Option<PathBuf>,
}

/// Where one entry's parts are: one after another from `at`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Record {
    digest: u64,
    at: u64,
    lens: Vec<u64>,
}

impl Record {
    fn end(&self) -> Option<u64> {
        (self.lens.iter()).try_fold(self.at, |end, &len| end.checked_add(len))
    }
}

#[derive(Serialize, Deserialize)]
struct Index {
    /// The dafu that made the entries: another may make them otherwise.
    made_by: u64,
    /// The length of the data file the index describes.
    len: u64,
    entries: Vec<Record>,
}

impl Shelf {
    /// The shelf `name` kept in the folder `cache`; one of the build's own
    /// (`whose`: what it holds, in the messages' language), in the same
    /// folder, if another build holds that one.
    pub(crate) fn in_cache(cache: &Path, name: &str, whose: String) -> Result<Shelf> {
        let data = cache.join(name);
        let index = cache.join(format!("{name}.index"));
        match Shelf::open(&data, index)? {
            Some(shelf) => Ok(shelf),
            None => Shelf::temporary(cache, whose),
        }
    }

    /// A shelf no other build sees, gone when the build ends.
    fn temporary(dir: &Path, whose: String) -> Result<Shelf> {
        Ok(Shelf {
            spill: Arc::new(Spill::new(dir, whose)?),
            kept: HashMap::new(),
            found: Mutex::default(),
            put: Mutex::default(),
            index: None,
        })
    }

    /// The shelf in `data`, described by `index`; none if another build
    /// holds it or it cannot be locked.
    fn open(data: &Path, index: PathBuf) -> Result<Option<Shelf>> {
        let trouble = || t!("file.cannot_open", path = data.display());
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        // The replies' texts are public, but this file is dafu's alone.
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(data).with_context(trouble)?;
        if file.try_lock().is_err() {
            return Ok(None);
        }
        let len = file.metadata().with_context(trouble)?.len();
        let (end, kept) = match read_index(&index, len) {
            Some(described) => {
                // Past the prefix: what a build that did not finish appended.
                file.set_len(described.len).with_context(trouble)?;
                let kept = described.entries.into_iter().map(|r| (r.digest, r));
                (described.len, kept.collect())
            }
            None => {
                // The index goes first: it must never describe other bytes.
                remove(&index)?;
                file.set_len(0).with_context(trouble)?;
                (0, HashMap::new())
            }
        };
        let dir = data.parent().unwrap_or(Path::new("."));
        let what = data.file_name().map(|n| n.to_string_lossy().into_owned());
        Ok(Some(Shelf {
            spill: Arc::new(Spill::over(file, end, dir, what.unwrap_or_default())),
            kept,
            found: Mutex::default(),
            put: Mutex::default(),
            index: Some(index),
        }))
    }

    /// Where the parts of the entry with `digest` are, if the last build
    /// left it here.
    pub(crate) fn find(&self, digest: u64) -> Option<Spilled> {
        let record = self.kept.get(&digest)?;
        lock(&self.found).push(digest);
        Some(Spilled::at(record.at, &record.lens))
    }

    /// Puts an entry's parts here.
    pub(crate) fn put(&self, digest: u64, parts: &[&[u8]]) -> Result<Spilled> {
        let spot = self.spill.put(parts)?;
        lock(&self.put).push(Record {
            digest,
            at: spot.start(),
            lens: parts.iter().map(|part| part.len() as u64).collect(),
        });
        Ok(spot)
    }

    /// The file the entries are in, to read them back.
    pub(crate) fn spill(&self) -> &Arc<Spill> {
        &self.spill
    }

    /// After a build that succeeded: records what it used for the next
    /// one, or starts the shelf over if most of it is no longer used. A
    /// shelf the build did not use (the open data was kept) stays as it was.
    pub(crate) fn keep(self) -> Result<()> {
        let Some(index) = self.index else {
            return Ok(());
        };
        if lock(&self.found).is_empty() && lock(&self.put).is_empty() {
            return Ok(());
        }
        let found: HashSet<u64> = lock(&self.found).iter().copied().collect();
        // What the build did not use goes for good: a reply withdrawn from
        // disclosure leaves no text behind.
        let unused: Vec<&Record> = (self.kept.values())
            .filter(|r| !found.contains(&r.digest))
            .collect();
        if !unused.is_empty() {
            remove(&index)?;
        }
        for record in unused {
            self.spill.erase(record.at, record.lens.iter().sum())?;
        }
        let mut entries: Vec<Record> = (found.iter())
            .filter_map(|digest| self.kept.get(digest).cloned())
            .collect();
        entries.append(&mut lock(&self.put));
        // Two replies may have the same body, and one found damaged is put
        // again: the last put of a digest is the one kept.
        entries.sort_unstable_by_key(|r| (r.digest, std::cmp::Reverse(r.at)));
        entries.dedup_by_key(|r| r.digest);
        let len = self.spill.end();
        let used: u64 = entries.iter().flat_map(|r| &r.lens).sum();
        if len > used.saturating_mul(2).saturating_add(SLACK) {
            remove(&index)?;
            return self.spill.truncate(0);
        }
        let described = Index {
            made_by: made_by(),
            len,
            entries,
        };
        let fresh = index.with_extension("index.new");
        let written = File::create(&fresh).and_then(|file| {
            let mut out = BufWriter::new(file);
            serde_json::to_writer(&mut out, &described)?;
            out.into_inner().map_err(io::IntoInnerError::into_error)?;
            fs::rename(&fresh, &index)
        });
        written.with_context(|| t!("file.cannot_write", path = index.display()))
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A poisoned lock means a thread panicked, and the build with it.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The index at `path`, if this dafu wrote it and the data file, `len`
/// bytes long, holds all it describes.
fn read_index(path: &Path, len: u64) -> Option<Index> {
    let index: Index = serde_json::from_slice(&fs::read(path).ok()?).ok()?;
    let whole = index.len <= len
        && (index.entries.iter()).all(|r| r.end().is_some_and(|end| end <= index.len));
    (index.made_by == made_by() && whole).then_some(index)
}

/// This dafu executable in 64 bits (see `digest::executable`).
fn made_by() -> u64 {
    let mut hasher = DefaultHasher::new();
    crate::ground::hashing::executable().hash(&mut hasher);
    hasher.finish()
}

fn remove(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => {
            Err(e).with_context(|| t!("file.cannot_remove", path = path.display()))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shelf(cache: &Path) -> Shelf {
        Shelf::in_cache(cache, "bodies", "a test's".into()).unwrap()
    }

    fn put(shelf: &Shelf, digest: u64, html: &str) -> Spilled {
        shelf.put(digest, &[html.as_bytes(), b"text"]).unwrap()
    }

    fn html(shelf: &Shelf, digest: u64) -> Option<String> {
        let spot = shelf.find(digest)?;
        assert_eq!(shelf.spill().get(&spot, 1).unwrap(), b"text");
        Some(String::from_utf8(shelf.spill().get(&spot, 0).unwrap()).unwrap())
    }

    #[test]
    fn the_next_build_finds_what_the_last_one_used_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path();
        let first = shelf(output);
        put(&first, 1, "<p>一</p>");
        put(&first, 2, "<p>二</p>");
        first.keep().unwrap();

        let second = shelf(output);
        assert_eq!(html(&second, 1).as_deref(), Some("<p>一</p>"));
        put(&second, 3, "<p>三</p>");
        second.keep().unwrap();

        // Entry 2 went unused by the second build: the third has no record of it.
        let third = shelf(output);
        assert_eq!(html(&third, 2), None);
        assert_eq!(html(&third, 3).as_deref(), Some("<p>三</p>"));
        assert_eq!(html(&third, 1).as_deref(), Some("<p>一</p>"));
    }

    #[test]
    fn a_build_that_did_not_finish_leaves_the_last_kept_shelf_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path();
        let first = shelf(output);
        put(&first, 1, "<p>一</p>");
        first.keep().unwrap();
        let data = dir.path().join("bodies");
        let kept_len = fs::metadata(&data).unwrap().len();

        let failed = shelf(output);
        put(&failed, 2, "<p>二</p>");
        drop(failed);
        assert!(fs::metadata(&data).unwrap().len() > kept_len);

        let next = shelf(output);
        assert_eq!(fs::metadata(&data).unwrap().len(), kept_len, "cut back");
        assert_eq!(html(&next, 2), None);
        assert_eq!(html(&next, 1).as_deref(), Some("<p>一</p>"));
    }

    #[test]
    fn a_damaged_or_foreign_index_starts_the_shelf_over() {
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path();
        let index = dir.path().join("bodies.index");
        let first = shelf(output);
        put(&first, 1, "<p>一</p>");
        first.keep().unwrap();
        let described: serde_json::Value =
            serde_json::from_slice(&fs::read(&index).unwrap()).unwrap();

        let mut foreign = described.clone();
        foreign["made_by"] = serde_json::json!(made_by().wrapping_add(1));
        for written in [b"{not json".to_vec(), serde_json::to_vec(&foreign).unwrap()] {
            fs::write(&index, written).unwrap();
            let again = shelf(output);
            assert_eq!(html(&again, 1), None);
            assert!(!index.exists(), "removed before anything is written");
            assert_eq!(again.spill().end(), 0);
            put(&again, 1, "<p>一</p>");
            again.keep().unwrap();
        }

        // An index longer than its file: the file was cut by someone else.
        let mut long = described;
        long["len"] = serde_json::json!(1u64 << 40);
        fs::write(&index, serde_json::to_vec(&long).unwrap()).unwrap();
        assert_eq!(html(&shelf(output), 1), None);
    }

    #[test]
    fn a_second_build_at_once_gets_a_shelf_of_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path();
        let first = shelf(output);
        put(&first, 1, "<p>一</p>");
        let second = shelf(output);
        assert!(second.index.is_none(), "the first holds the kept shelf");
        let spot = put(&second, 2, "<p>二</p>");
        assert_eq!(
            second.spill().get(&spot, 0).unwrap(),
            "<p>二</p>".as_bytes()
        );
        second.keep().unwrap();
        first.keep().unwrap();
        let third = shelf(output);
        assert!(html(&third, 1).is_some());
        assert_eq!(html(&third, 2), None);
    }

    #[test]
    fn what_a_build_did_not_use_leaves_no_bytes_behind() {
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path();
        let first = shelf(output);
        put(&first, 1, "<p>一</p>");
        put(&first, 2, "<p>机密</p>");
        first.keep().unwrap();
        let second = shelf(output);
        assert!(html(&second, 1).is_some());
        second.keep().unwrap();
        let data = fs::read(dir.path().join("bodies")).unwrap();
        let secret = "<p>机密</p>".as_bytes();
        assert!(!data.windows(secret.len()).any(|w| w == secret));
        assert_eq!(html(&shelf(output), 1).as_deref(), Some("<p>一</p>"));
    }

    #[test]
    fn a_build_that_used_nothing_leaves_the_shelf_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path();
        let first = shelf(output);
        put(&first, 1, "<p>一</p>");
        first.keep().unwrap();
        shelf(output).keep().unwrap();
        assert_eq!(html(&shelf(output), 1).as_deref(), Some("<p>一</p>"));
    }

    #[test]
    fn shelves_of_two_names_or_two_caches_are_apart() {
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path();
        let bodies = shelf(output);
        put(&bodies, 1, "<p>一</p>");
        bodies.keep().unwrap();
        let lines = Shelf::in_cache(output, "lines", "a test's".into()).unwrap();
        assert!(lines.index.is_some());
        assert_eq!(html(&lines, 1), None);
        let other = dir.path().join("other");
        fs::create_dir(&other).unwrap();
        assert_eq!(html(&shelf(&other), 1), None);
    }
}
