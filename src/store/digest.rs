//! What a page is made of, in 64 bits, so that a build can leave alone the
//! pages whose every input is as it was when the folder it overwrites was
//! built: after an edit to one reply, a few dozen of 37,000 pages at 10,000
//! replies. Rendering them again would give the same bytes; the digest
//! says so for a fraction of the cost.
//!
//! A page's digest covers what all pages share (the site's settings, the
//! theme's templates, the `site` data every template gets, the path of
//! every page, and this dafu executable) and its own context, as
//! `Renderer::digest` makes it. A folder's digests are kept in the output's
//! cache, not in the folder (the folder is what gets published), in a file
//! named after the folder's inode, which stays with the folder when a build
//! swaps it with the output. The file is removed before any page is written into the
//! folder and written after all of them, so a build that fails half-way
//! leaves none, and the next one renders every page. Where there are no
//! inodes (Windows), every build renders every page.
//!
//! 64 bits: a changed page keeps its old digest by chance once in 2^64
//! builds of it, and nobody gains from forcing it.

use std::collections::HashMap;
use std::fs;
use std::hash::{BuildHasher as _, Hash, Hasher as _};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use anyhow::Context as _;

use crate::ground::hashing::{Hasher, executable};
use rayon::prelude::*;
use rust_i18n::t;
use rustc_hash::FxBuildHasher;
use serde::Serialize;

/// What every page shares, in 64 bits: see the module's comment.
pub(crate) fn shared(
    settings: &impl Serialize,
    theme: u64,
    site: &impl Serialize,
    paths: &[String],
) -> u64 {
    let mut hasher = Hasher::default();
    executable().hash(&mut hasher);
    hasher.serialized(settings);
    theme.hash(&mut hasher);
    hasher.serialized(site);
    paths.hash(&mut hasher);
    hasher.finish()
}

/// A file a build made or kept, and the digest of what it is made of.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Made {
    pub path: String,
    pub digest: u64,
    /// Left as the folder held it, its digest and stamp as recorded: the
    /// build checked it, and need not look at it again.
    pub kept: bool,
}

impl Made {
    pub(crate) fn new(path: String, digest: u64) -> Made {
        Made {
            path,
            digest,
            kept: false,
        }
    }

    pub(crate) fn kept(path: String, digest: u64) -> Made {
        Made {
            path,
            digest,
            kept: true,
        }
    }
}

/// What a folder of the output held when a build left it: its modification
/// time and its entries' names, in 64 bits. Adding or removing an entry
/// changes the time, so a folder with the same time holds the same entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Listing {
    pub modified: u128,
    pub names: u64,
}

/// Listings by folder, relative to the output: `""` for the output itself,
/// else ending in `/`.
pub(crate) type Listings = HashMap<String, Listing>;

/// A file's digest, and the file as it was left: a file changed since (by
/// hand, say) is made again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Record {
    digest: u64,
    file: Stamp,
}

/// A file's length and modification time, in nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: u128,
}

impl Stamp {
    fn of(path: &Path) -> Option<Stamp> {
        let meta = fs::metadata(path).ok().filter(fs::Metadata::is_file)?;
        let modified = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
        Some(Stamp {
            len: meta.len(),
            modified: modified.as_nanos(),
        })
    }
}

/// The folder a build writes over, and what it knows of the files there.
pub(crate) struct Previous<'a> {
    pub folder: &'a Path,
    pub digests: Digests,
}

impl Previous<'_> {
    /// Whether the file at `path` was made of what `digest` says and is
    /// still there as it was left.
    pub(crate) fn kept(&self, path: &str, digest: u64) -> bool {
        self.intact(path) == Some(digest)
    }

    /// The digest the file at `path` was made with, if it is as left.
    pub(crate) fn intact(&self, path: &str) -> Option<u64> {
        self.digests.intact(self.folder, path)
    }

    /// Whether each of `files` was made with its digest and is as left:
    /// `intact` for each, but with each folder opened once for all its
    /// files, which spares the system walking its path again for every
    /// file (a third of the cost of each look, and the search index has
    /// 38,000 files in 44 folders). `files` are sorted by path, so that a
    /// folder's files are together.
    pub(crate) fn all_intact(&self, files: &[(String, u64)]) -> bool {
        files
            .par_chunk_by(|a, b| folder_and_name(&a.0).0 == folder_and_name(&b.0).0)
            .all(|together| {
                let (folder, _) = folder_and_name(&together[0].0);
                let Some(opened) = Opened::open(&self.folder.join(folder)) else {
                    return false;
                };
                together.iter().all(|(path, digest)| {
                    let Some(made) = self.digests.get(path) else {
                        return false;
                    };
                    let (_, name) = folder_and_name(path);
                    made.digest == *digest && opened.stamp(name) == Some(made.file)
                })
            })
    }
}

/// A path relative to the output as its folder ("" at the root) and name.
fn folder_and_name(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
}

/// A folder held open to look at its files by name.
struct Opened {
    #[cfg(unix)]
    folder: fs::File,
    #[cfg(not(unix))]
    folder: PathBuf,
}

impl Opened {
    #[cfg(unix)]
    fn open(folder: &Path) -> Option<Opened> {
        let folder = fs::File::open(folder).ok()?;
        Some(Opened { folder })
    }

    /// As `Stamp::of` the file `name` in the folder, but a link is no file.
    #[cfg(unix)]
    fn stamp(&self, name: &str) -> Option<Stamp> {
        use std::os::fd::AsRawFd;
        let name = std::ffi::CString::new(name).ok()?;
        let mut stat = std::mem::MaybeUninit::<libc::stat>::uninit();
        // SAFETY: the folder is open for the call, `name` is NUL-terminated
        // and outlives it, and `stat` has room for what fstatat writes.
        let rc = unsafe {
            libc::fstatat(
                self.folder.as_raw_fd(),
                name.as_ptr(),
                stat.as_mut_ptr(),
                libc::AT_SYMLINK_NOFOLLOW,
            )
        };
        if rc != 0 {
            return None;
        }
        // SAFETY: fstatat filled it in, as it returned 0.
        let stat = unsafe { stat.assume_init() };
        if stat.st_mode & libc::S_IFMT != libc::S_IFREG {
            return None;
        }
        let seconds = u128::try_from(stat.st_mtime).ok()?;
        let nanos = u128::try_from(stat.st_mtime_nsec).ok()?;
        Some(Stamp {
            len: u64::try_from(stat.st_size).ok()?,
            modified: seconds * 1_000_000_000 + nanos,
        })
    }

    #[cfg(not(unix))]
    fn open(folder: &Path) -> Option<Opened> {
        Some(Opened {
            folder: folder.to_path_buf(),
        })
    }

    #[cfg(not(unix))]
    fn stamp(&self, name: &str) -> Option<Stamp> {
        Stamp::of(&self.folder.join(name))
    }
}

/// The pages of one output folder, by path, as its build made them, and
/// what each of its folders held when the build left it.
#[derive(Debug, Default)]
pub(crate) struct Digests {
    /// Sorted by path, so that the files under a folder are one run of it,
    /// in order (the search index asks for its 38,000 at every build).
    pages: Vec<(String, Record)>,
    /// Where in `pages` each path is, by a hash of the path: a lookup per
    /// page, and a path whose hash another's took is only made again.
    at: HashMap<u64, usize, FxBuildHasher>,
    pub folders: Listings,
}

impl Digests {
    /// Reads the digests of `folder`, kept in `cache`, and removes their
    /// file, before the folder is written into; none if it has none or
    /// they cannot be read.
    pub(crate) fn take(folder: &Path, cache: &Path) -> anyhow::Result<Digests> {
        let Some(path) = file_for(folder, cache) else {
            return Ok(Digests::default());
        };
        let text = fs::read_to_string(&path).unwrap_or_default();
        let (folders, pages): (Vec<&str>, Vec<&str>) =
            text.lines().partition(|line| line.starts_with(FOLDER));
        let mut pages: Vec<(String, Record)> = pages.into_iter().filter_map(parse_line).collect();
        // Written in path order: this only checks it.
        pages.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        pages.dedup_by(|a, b| a.0 == b.0);
        let at = pages
            .iter()
            .enumerate()
            .map(|(i, (page, _))| (path_hash(page), i))
            .collect();
        let digests = Digests {
            pages,
            at,
            folders: folders.into_iter().filter_map(parse_folder).collect(),
        };
        match fs::remove_file(&path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => {
                Err(e).with_context(|| t!("file.cannot_remove", path = path.display()))
            }
            _ => Ok(digests),
        }
    }

    fn get(&self, path: &str) -> Option<&Record> {
        let (page, record) = self.pages.get(*self.at.get(&path_hash(path))?)?;
        (page == path).then_some(record)
    }

    /// The digest the file at `path` of `folder` was made with, if it is
    /// still there as it was left.
    pub(crate) fn intact(&self, folder: &Path, path: &str) -> Option<u64> {
        let made = self.get(path)?;
        (Stamp::of(&folder.join(path)) == Some(made.file)).then_some(made.digest)
    }

    /// Every file recorded whose path starts with `prefix`, with its
    /// digest, in path order.
    pub(crate) fn under<'d>(
        &'d self,
        prefix: &'d str,
    ) -> impl Iterator<Item = (&'d str, u64)> + 'd {
        let start = self
            .pages
            .partition_point(|(page, _)| page.as_str() < prefix);
        self.pages[start..]
            .iter()
            .take_while(move |(page, _)| page.starts_with(prefix))
            .map(|(page, made)| (page.as_str(), made.digest))
    }

    /// Writes the digests of the files just made in `folder` into `cache`,
    /// and what its folders hold, last, and removes those of folders gone
    /// (all but `folder`'s and `output`'s). `self` is what the folder held
    /// before: a file kept is as it says.
    pub(crate) fn write(
        &self,
        folder: &Path,
        output: &Path,
        cache: &Path,
        made: &[Made],
        folders: &Listings,
    ) -> anyhow::Result<()> {
        let Some(path) = file_for(folder, cache) else {
            return Ok(());
        };
        // In order of path, each file's stamp beside it, and each line made
        // only as it is written: a large site's lines all at once would be
        // the most memory its build ever holds.
        let mut files: Vec<&Made> = made.iter().collect();
        files.par_sort_unstable_by(|a, b| a.path.cmp(&b.path));
        let stamps: Vec<Option<Stamp>> = files
            .par_iter()
            .map(|made| match self.get(&made.path).filter(|_| made.kept) {
                Some(record) => Some(record.file),
                None => Stamp::of(&folder.join(&made.path)),
            })
            .collect();
        let mut file = io::BufWriter::new(
            fs::File::create(&path)
                .with_context(|| t!("file.cannot_write", path = path.display()))?,
        );
        let mut write_all = || -> io::Result<()> {
            for (made, stamp) in files.iter().zip(&stamps) {
                if let Some(stamp) = stamp {
                    let (digest, path) = (made.digest, &made.path);
                    writeln!(
                        file,
                        "{digest:016x} {} {} {path}",
                        stamp.len, stamp.modified
                    )?;
                }
            }
            for (rel, listing) in folders {
                let (modified, names) = (listing.modified, listing.names);
                writeln!(file, "{FOLDER}{modified} {names:016x} {rel}")?;
            }
            file.flush()
        };
        write_all().with_context(|| t!("file.cannot_write", path = path.display()))?;
        tidy(&path, file_for(output, cache).as_deref());
        Ok(())
    }
}

/// The digests file of `folder`, one of the two folders a build swaps, in
/// their `cache`: `3a2f1.digests` for the folder of inode 0x3a2f1.
#[cfg(unix)]
fn file_for(folder: &Path, cache: &Path) -> Option<PathBuf> {
    use std::os::unix::fs::MetadataExt;
    let inode = fs::metadata(folder).ok()?.ino();
    Some(cache.join(format!("{inode:x}.digests")))
}

#[cfg(not(unix))]
fn file_for(_: &Path, _: &Path) -> Option<PathBuf> {
    None
}

/// Removes the digests files beside `kept`, but `also`: those of folders
/// since deleted.
fn tidy(kept: &Path, also: Option<&Path>) {
    let Some(dir) = kept.parent() else {
        return;
    };
    let digests = |name: &str| {
        name.strip_suffix(".digests")
            .is_some_and(|inode| !inode.is_empty() && inode.bytes().all(|b| b.is_ascii_hexdigit()))
    };
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        let stale = entry.file_name().to_str().is_some_and(digests)
            && path != kept
            && Some(path.as_path()) != also;
        if stale {
            // Best effort: a stale file costs only disk space.
            let _ = fs::remove_file(&path);
        }
    }
}

/// `0123456789abcdef 2048 1764230400123456789 2021/ta-0152/index.html`.
/// How a folder's line starts: no page's digest does.
const FOLDER: &str = "/ ";

fn parse_folder(line: &str) -> Option<(String, Listing)> {
    let mut parts = line.strip_prefix(FOLDER)?.splitn(3, ' ');
    let modified = parts.next()?.parse().ok()?;
    let names = u64::from_str_radix(parts.next()?, 16).ok()?;
    Some((parts.next()?.to_string(), Listing { modified, names }))
}

fn path_hash(path: &str) -> u64 {
    FxBuildHasher.hash_one(path)
}

fn parse_line(line: &str) -> Option<(String, Record)> {
    let mut parts = line.splitn(4, ' ');
    let digest = u64::from_str_radix(parts.next()?, 16).ok()?;
    let len = parts.next()?.parse().ok()?;
    let modified = parts.next()?.parse().ok()?;
    let file = Stamp { len, modified };
    Some((parts.next()?.to_string(), Record { digest, file }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(unix)]
    fn digests_go_in_the_cache_and_hold_while_the_page_is_as_left() {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join(".dafu/public");
        let folder = cache.join("previous");
        let output = dir.path().join("public");
        let page = folder.join("2021/a/index.html");
        fs::create_dir_all(page.parent().unwrap()).unwrap();
        fs::create_dir_all(&output).unwrap();
        fs::write(&page, "<p>页</p>").unwrap();
        // Left by a folder deleted since, and a file not dafu's.
        fs::write(cache.join("1.digests"), "").unwrap();
        fs::write(cache.join("notes.digests"), "").unwrap();
        let made = [Made::new("2021/a/index.html".to_string(), 0xfeed)];
        Digests::default()
            .write(&folder, &output, &cache, &made, &Default::default())
            .unwrap();
        let kept: Vec<String> = fs::read_dir(&cache)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".digests"))
            .collect();
        assert_eq!(kept.len(), 2, "{kept:?}");
        assert!(kept.contains(&"notes.digests".to_string()));
        assert!(
            fs::read_dir(&folder).unwrap().all(|e| !e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains("digests"))
        );

        let digests = Digests::take(&folder, &cache).unwrap();
        assert!(
            file_for(&folder, &cache).is_some_and(|f| !f.exists()),
            "taken before pages are written"
        );
        let previous = Previous {
            folder: &folder,
            digests,
        };
        assert!(previous.kept("2021/a/index.html", 0xfeed));
        assert!(!previous.kept("2021/a/index.html", 0xbeef));
        assert!(!previous.kept("2021/b/index.html", 0xfeed));
        assert_eq!(previous.digests.under("2021/").count(), 1);
        assert_eq!(previous.digests.under("2022/").count(), 0);
        // The same length, a moment later: edited by hand.
        std::thread::sleep(std::time::Duration::from_millis(10));
        fs::write(&page, "<p>頁</p>").unwrap();
        assert!(!previous.kept("2021/a/index.html", 0xfeed));
        assert!(Digests::take(&folder, &cache).unwrap().pages.is_empty());
    }

    #[test]
    #[cfg(unix)]
    fn files_are_intact_folder_by_folder_until_one_is_changed_or_gone() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("public");
        let names = [
            "search/g/0.bin",
            "search/g/1.bin",
            "search/p/0.bin",
            "top.json",
        ];
        for name in names {
            let path = folder.join(name);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, name).unwrap();
        }
        let made: Vec<Made> = names.iter().map(|n| Made::new(n.to_string(), 7)).collect();
        Digests::default()
            .write(&folder, &folder, dir.path(), &made, &Default::default())
            .unwrap();
        let previous = Previous {
            folder: &folder,
            digests: Digests::take(&folder, dir.path()).unwrap(),
        };
        let files: Vec<(String, u64)> = names.iter().map(|n| (n.to_string(), 7)).collect();
        assert!(previous.all_intact(&files));
        assert!(
            !previous.all_intact(&[("search/g/0.bin".to_string(), 8)]),
            "another digest"
        );
        assert!(
            !previous.all_intact(&[("search/g/2.bin".to_string(), 7)]),
            "not recorded"
        );

        // The same length, a moment later: edited by hand.
        std::thread::sleep(std::time::Duration::from_millis(10));
        fs::write(folder.join("search/p/0.bin"), "search/p/0.bix").unwrap();
        assert!(!previous.all_intact(&files));
        assert!(previous.all_intact(&files[..2]));

        fs::remove_file(folder.join("search/g/1.bin")).unwrap();
        assert!(!previous.all_intact(&files[..2]), "gone");
    }

    #[test]
    fn a_value_and_its_serialised_twin_hash_alike_and_others_do_not() {
        let hash = |value: &serde_json::Value| {
            let mut h = Hasher::default();
            h.serialized(value);
            h.finish()
        };
        let a = serde_json::json!({"title": "答复", "n": 1});
        assert_eq!(hash(&a), hash(&a.clone()));
        assert_ne!(
            hash(&a),
            hash(&serde_json::json!({"title": "答复", "n": 2}))
        );
    }
}
