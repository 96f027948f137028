//! The shelf: the replies' rendered bodies, kept beside the output from one
//! build to the next. Rendering every body's Markdown and writing the HTML
//! and text somewhere out of memory was a third of a build that changed
//! nothing; a body whose Markdown and settings are those of a body the last
//! build rendered (its `digest`) is now found here instead, and only a new
//! or edited one is rendered.
//!
//! Two files beside the output: `.public.bodies`, the HTML and text of each
//! body one after another, and `.public.bodies.index`, where each body is
//! in it, with its summary and links, and which dafu made them. The index
//! always describes a prefix of the data file that nothing changes: a build
//! only appends past it, or cuts the file back to it, and removes the index
//! before it starts the file over. So a build that fails or is killed
//! leaves at worst bytes past the prefix, cut off by the next build. A
//! build holds a lock on the data file; a second build at the same time
//! uses a shelf of its own that goes when it ends, as every build did
//! before.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context as _, Result};
use serde::{Deserialize, Serialize};

use crate::markdown::BodyLink;
use crate::spill::{Spill, Spilled};

const WHOSE: &str = "the replies' bodies'";

/// A shelf holds at most this many bytes it no longer needs, besides twice
/// what it needs, before the next build starts it over.
const SLACK: u64 = 16 << 20;

pub struct Shelf {
    spill: Arc<Spill>,
    /// What the last build left here, by body digest.
    kept: HashMap<u64, Record>,
    /// What this build found here, by digest, and what it put here: the
    /// next build's index.
    found: Mutex<Vec<u64>>,
    put: Mutex<Vec<Record>>,
    /// The index's path; none for a shelf that goes with the build.
    index: Option<PathBuf>,
}

/// What a body shows besides its HTML and text, kept with them.
#[derive(Debug, Serialize, Deserialize)]
pub struct Outline {
    pub summary: String,
    pub links: Vec<BodyLink>,
}

/// Where one body is: its HTML, text and outline (JSON), one after another.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct Record {
    digest: u64,
    at: u64,
    lens: [u64; 3],
}

impl Record {
    fn end(&self) -> Option<u64> {
        (self.lens.iter()).try_fold(self.at, |end, &len| end.checked_add(len))
    }

    fn spot(&self) -> Spilled {
        Spilled::at(self.at, &self.lens)
    }
}

#[derive(Serialize, Deserialize)]
struct Index {
    /// The dafu that rendered the bodies: another may render them otherwise.
    made_by: u64,
    /// The length of the data file the index describes.
    len: u64,
    bodies: Vec<Record>,
}

impl Shelf {
    /// The shelf kept beside `output`; one of the build's own, in the same
    /// folder, if another build holds that one or the folder is not there.
    pub fn beside(output: &Path) -> Result<Shelf> {
        let dir = output.parent().filter(|dir| dir.is_dir());
        let (Some(dir), Some(name)) = (dir, output.file_name()) else {
            // Beside the output, on its disk: a temporary folder may be memory.
            return Shelf::temporary(&std::env::temp_dir());
        };
        let name = name.to_string_lossy();
        let data = dir.join(format!(".{name}.bodies"));
        let index = dir.join(format!(".{name}.bodies.index"));
        match Shelf::open(&data, index)? {
            Some(shelf) => Ok(shelf),
            None => Shelf::temporary(dir),
        }
    }

    /// A shelf no other build sees, gone when the build ends.
    fn temporary(dir: &Path) -> Result<Shelf> {
        Ok(Shelf {
            spill: Arc::new(Spill::new(dir, WHOSE)?),
            kept: HashMap::new(),
            found: Mutex::default(),
            put: Mutex::default(),
            index: None,
        })
    }

    /// The shelf in `data`, described by `index`; none if another build
    /// holds it or it cannot be locked.
    fn open(data: &Path, index: PathBuf) -> Result<Option<Shelf>> {
        let trouble = || format!("cannot open {}", data.display());
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(data)
            .with_context(trouble)?;
        if file.try_lock().is_err() {
            return Ok(None);
        }
        let len = file.metadata().with_context(trouble)?.len();
        let (end, kept) = match read_index(&index, len) {
            Some(described) => {
                // Past the prefix: what a build that did not finish appended.
                file.set_len(described.len).with_context(trouble)?;
                let kept = described.bodies.into_iter().map(|r| (r.digest, r));
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
        Ok(Some(Shelf {
            spill: Arc::new(Spill::over(file, end, dir, format!("{WHOSE} file"))),
            kept,
            found: Mutex::default(),
            put: Mutex::default(),
            index: Some(index),
        }))
    }

    /// The body with `digest`, if the last build left it here: where its
    /// HTML (part 0) and text (part 1) are, and its outline.
    pub fn find(&self, digest: u64) -> Result<Option<(Spilled, Outline)>> {
        let Some(record) = self.kept.get(&digest) else {
            return Ok(None);
        };
        let spot = record.spot();
        let outline = serde_json::from_slice(&self.spill.get(&spot, 2)?)
            .context("a body's outline came back damaged from its file beside the output")?;
        lock(&self.found).push(digest);
        Ok(Some((spot, outline)))
    }

    /// Puts a body's HTML and text here, and its outline.
    pub fn put(&self, digest: u64, html: &str, text: &str, outline: &Outline) -> Result<Spilled> {
        let outline = serde_json::to_vec(outline)?;
        let spot = (self.spill).put(&[html.as_bytes(), text.as_bytes(), &outline])?;
        lock(&self.put).push(Record {
            digest,
            at: spot.start(),
            lens: [html.len(), text.len(), outline.len()].map(|len| len as u64),
        });
        Ok(spot)
    }

    /// The file the bodies are in, to read them back.
    pub fn spill(&self) -> &Arc<Spill> {
        &self.spill
    }

    /// After a build that succeeded: records what it used for the next
    /// one, or starts the shelf over if most of it is no longer used.
    pub fn keep(self) -> Result<()> {
        let Some(index) = self.index else {
            return Ok(());
        };
        let mut bodies: Vec<Record> = lock(&self.found)
            .iter()
            .filter_map(|digest| self.kept.get(digest).copied())
            .collect();
        bodies.append(&mut lock(&self.put));
        // Two replies may have the same body.
        bodies.sort_unstable_by_key(|r| (r.digest, r.at));
        bodies.dedup_by_key(|r| r.digest);
        let len = self.spill.end();
        let used: u64 = bodies.iter().flat_map(|r| r.lens).sum();
        if len > used.saturating_mul(2).saturating_add(SLACK) {
            remove(&index)?;
            return self.spill.truncate(0);
        }
        let described = Index {
            made_by: made_by(),
            len,
            bodies,
        };
        let fresh = index.with_extension("index.new");
        let written = File::create(&fresh).and_then(|file| {
            let mut out = BufWriter::new(file);
            serde_json::to_writer(&mut out, &described)?;
            out.into_inner().map_err(io::IntoInnerError::into_error)?;
            fs::rename(&fresh, &index)
        });
        written.with_context(|| format!("cannot write {}", index.display()))
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
        && (index.bodies.iter()).all(|r| r.end().is_some_and(|end| end <= index.len));
    (index.made_by == made_by() && whole).then_some(index)
}

/// This dafu executable in 64 bits (see `digest::executable`).
fn made_by() -> u64 {
    let mut hasher = DefaultHasher::new();
    crate::digest::executable().hash(&mut hasher);
    hasher.finish()
}

fn remove(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("cannot remove {}", path.display()))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outline(summary: &str) -> Outline {
        Outline {
            summary: summary.into(),
            links: vec![BodyLink {
                href: "/2021/ta-0152/".into(),
                line: 3,
            }],
        }
    }

    fn html(shelf: &Shelf, spot: &Spilled) -> String {
        String::from_utf8(shelf.spill().get(spot, 0).unwrap()).unwrap()
    }

    #[test]
    fn the_next_build_finds_what_the_last_one_used_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path().join("public");
        let first = Shelf::beside(&output).unwrap();
        first.put(1, "<p>一</p>", "一", &outline("一")).unwrap();
        first.put(2, "<p>二</p>", "二", &outline("二")).unwrap();
        first.keep().unwrap();

        let second = Shelf::beside(&output).unwrap();
        let (spot, found) = second.find(1).unwrap().expect("kept");
        assert_eq!(html(&second, &spot), "<p>一</p>");
        assert_eq!(second.spill().get(&spot, 1).unwrap(), "一".as_bytes());
        assert_eq!(found.summary, "一");
        assert_eq!(found.links, outline("").links);
        second.put(3, "<p>三</p>", "三", &outline("三")).unwrap();
        second.keep().unwrap();

        // Body 2 went unused by the second build: the third has no record of it.
        let third = Shelf::beside(&output).unwrap();
        assert!(third.find(2).unwrap().is_none());
        let (spot, _) = third.find(3).unwrap().expect("kept");
        assert_eq!(html(&third, &spot), "<p>三</p>");
        assert!(third.find(1).unwrap().is_some());
    }

    #[test]
    fn a_build_that_did_not_finish_leaves_the_last_kept_shelf_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path().join("public");
        let first = Shelf::beside(&output).unwrap();
        first.put(1, "<p>一</p>", "一", &outline("一")).unwrap();
        first.keep().unwrap();
        let data = dir.path().join(".public.bodies");
        let kept_len = fs::metadata(&data).unwrap().len();

        let failed = Shelf::beside(&output).unwrap();
        failed.put(2, "<p>二</p>", "二", &outline("二")).unwrap();
        drop(failed);
        assert!(fs::metadata(&data).unwrap().len() > kept_len);

        let next = Shelf::beside(&output).unwrap();
        assert_eq!(fs::metadata(&data).unwrap().len(), kept_len, "cut back");
        assert!(next.find(2).unwrap().is_none());
        let (spot, _) = next.find(1).unwrap().expect("kept");
        assert_eq!(html(&next, &spot), "<p>一</p>");
    }

    #[test]
    fn a_damaged_or_foreign_index_starts_the_shelf_over() {
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path().join("public");
        let index = dir.path().join(".public.bodies.index");
        let first = Shelf::beside(&output).unwrap();
        first.put(1, "<p>一</p>", "一", &outline("一")).unwrap();
        first.keep().unwrap();
        let described: serde_json::Value =
            serde_json::from_slice(&fs::read(&index).unwrap()).unwrap();

        let mut foreign = described.clone();
        foreign["made_by"] = serde_json::json!(made_by().wrapping_add(1));
        for written in [b"{not json".to_vec(), serde_json::to_vec(&foreign).unwrap()] {
            fs::write(&index, written).unwrap();
            let shelf = Shelf::beside(&output).unwrap();
            assert!(shelf.find(1).unwrap().is_none());
            assert!(!index.exists(), "removed before anything is written");
            assert_eq!(shelf.spill().end(), 0);
            shelf.put(1, "<p>一</p>", "一", &outline("一")).unwrap();
            shelf.keep().unwrap();
        }

        // An index longer than its file: the file was cut by someone else.
        let mut long = described;
        long["len"] = serde_json::json!(1u64 << 40);
        fs::write(&index, serde_json::to_vec(&long).unwrap()).unwrap();
        assert!(Shelf::beside(&output).unwrap().find(1).unwrap().is_none());
    }

    #[test]
    fn a_second_build_at_once_gets_a_shelf_of_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path().join("public");
        let first = Shelf::beside(&output).unwrap();
        first.put(1, "<p>一</p>", "一", &outline("一")).unwrap();
        let second = Shelf::beside(&output).unwrap();
        assert!(second.index.is_none(), "the first holds the kept shelf");
        let spot = second.put(2, "<p>二</p>", "二", &outline("二")).unwrap();
        assert_eq!(html(&second, &spot), "<p>二</p>");
        second.keep().unwrap();
        first.keep().unwrap();
        let third = Shelf::beside(&output).unwrap();
        assert!(third.find(1).unwrap().is_some());
        assert!(third.find(2).unwrap().is_none());
    }
}
