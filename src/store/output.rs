//! Writing the site atomically: the public folder is replaced whole, by a
//! rename, only once every page of the new build is on disk.
//!
//! Two folders take turns: `public/` and `previous/` in its cache (see
//! `cache`), holding the build before last. A build overwrites the previous
//! folder in place (unchanged files are not rewritten, files that are gone
//! are deleted), then swaps the two. Overwriting in place is many times
//! faster than creating every file fresh on these disks (BENCHMARKS.md),
//! and a failure at any point leaves `public/` as it was.

use std::borrow::Cow;
use std::fs;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{self, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::time::UNIX_EPOCH;

use anyhow::{Context as _, Result};
use rayon::prelude::*;
use rust_i18n::t;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::ground::page::{Page, Sink};
use crate::ground::problem::Problem;
use crate::store::cache::{self, CACHE_DIR, Cache};
use crate::store::digest::{Listing, Listings};

/// What a write did, for the summary line.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub changed: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// The folders of a site that a build reads: a build may not write into them.
const SOURCES: [&str; 4] = ["content", "static", "templates", "themes"];

/// The folder the site at `root` is built into for `output`: `output` with
/// its links resolved, so that a build replaces the folder a link leads to
/// and the link stays a link. A problem if it may not be: a build replaces
/// its output folder whole and deletes, on the next build, whatever that
/// folder held that the build did not make, so the folder must be new,
/// empty, or one a build of dafu made there; never the site's own folders,
/// a file, or dafu's cache.
pub(crate) fn checked(root: &Path, output: &Path) -> Result<PathBuf, Problem> {
    let refused =
        |path: &Path, why: Cow<str>| Problem::new(path, why).hint(t!("build.output_hint"));
    let root = root
        .canonicalize()
        .map_err(|e| Problem::new(root, t!("site.cannot_open", error = e)))?;
    let Some(out) = resolved(output) else {
        return Err(refused(output, t!("output.cannot_find")));
    };
    if fs::symlink_metadata(&out).is_ok_and(|meta| meta.file_type().is_symlink()) {
        return Err(refused(&out, t!("output.dangling_link")));
    }
    if root.starts_with(&out) {
        return Err(refused(&out, t!("output.holds_site")));
    }
    // Resolved too: a content/ that is a link to elsewhere is still read.
    let mut sources = SOURCES
        .iter()
        .filter_map(|name| root.join(name).canonicalize().ok());
    if let Some(source) = sources.find(|s| s.is_dir() && out.starts_with(s)) {
        let name = source.file_name().unwrap_or_default().to_string_lossy();
        return Err(refused(&out, t!("output.in_source", name = name)));
    }
    if out
        .components()
        .any(|part| part == Component::Normal(CACHE_DIR.as_ref()))
    {
        return Err(refused(&out, t!("output.in_cache", cache = CACHE_DIR)));
    }
    let Ok(meta) = fs::metadata(&out) else {
        return Ok(out);
    };
    if !meta.is_dir() {
        return Err(refused(&out, t!("output.is_file")));
    }
    let empty = fs::read_dir(&out).is_ok_and(|mut entries| entries.next().is_none());
    if empty || cache::marked(&out) {
        return Ok(out);
    }
    let old_build = out.join("index.html").is_file();
    Err(if old_build {
        // An older dafu kept the build before last beside its output, with
        // more files named after it: they are no use to this one.
        let name = out.file_name().unwrap_or_default().to_string_lossy();
        let beside = out.with_file_name(format!(".{name}.previous"));
        let leftovers = if beside.is_dir() {
            t!("output.leftovers", name = name)
        } else {
            Cow::Borrowed("")
        };
        Problem::new(&out, t!("output.unknown_site"))
            .hint(t!("output.unknown_site_hint", leftovers = leftovers))
    } else {
        refused(&out, t!("output.unknown_files"))
    })
}

/// Whether `path`, which need not exist yet, lies inside the folder `dir`.
pub fn lies_in(path: &Path, dir: &Path) -> bool {
    match (resolved(path), dir.canonicalize()) {
        (Some(path), Ok(dir)) => path.starts_with(&dir) && path != dir,
        _ => false,
    }
}

/// `path` with its nearest existing ancestor resolved (links, `..`), so that
/// a folder yet to be made compares with those that exist.
fn resolved(path: &Path) -> Option<PathBuf> {
    let mut rest = Vec::new();
    let mut at = path;
    loop {
        if let Ok(real) = at.canonicalize() {
            return Some(
                rest.into_iter()
                    .rev()
                    .fold(real, |path, name| path.join(name)),
            );
        }
        // A `..` in the part yet to be made: nothing to compare it with.
        rest.push(at.file_name()?);
        at = at.parent()?;
    }
}

/// Takes every file and keeps none, for `dafu check`.
pub(crate) struct Discard;

impl Sink for Discard {
    fn put(&self, _: Page) -> Result<bool> {
        Ok(false)
    }

    fn put_parts(&self, _: &str, _: &mut dyn Iterator<Item = Result<Vec<u8>>>) -> Result<bool> {
        Ok(false)
    }
}

/// A build being written: pages go into the folder of the build before
/// last as they are rendered, from any thread; `swap` puts it in place.
pub(crate) struct Staging {
    output: PathBuf,
    dir: PathBuf,
    /// Made by this build: if the build fails, it goes (see `Drop`).
    made: bool,
    swapped: bool,
}

impl Staging {
    /// The folder to write the build of `output` into, in its `cache`:
    /// made if need be, and marked, with the output, as dafu's own.
    pub(crate) fn open(output: &Path, cache: &Cache) -> Result<Staging> {
        let dir = cache.previous();
        let cannot = || t!("file.cannot_create", path = dir.display());
        // A link there would lead the writes out of the cache: it goes,
        // and what it leads to stays.
        if fs::symlink_metadata(&dir).is_ok_and(|meta| !meta.is_dir()) {
            fs::remove_file(&dir).with_context(cannot)?;
        }
        let made = !dir.is_dir();
        fs::create_dir_all(&dir).with_context(cannot)?;
        let staging = Staging {
            output: output.to_path_buf(),
            dir,
            made,
            swapped: false,
        };
        cache.mark(&[output, &staging.dir])?;
        Ok(staging)
    }

    /// Gives up the build: the folder goes whether this build made it or
    /// not, as what went wrong may be a full disk.
    pub(crate) fn discard(mut self) {
        self.made = true;
    }

    /// The folder being written: the build before last, until `swap`.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes one page unless the file already holds its bytes; true if written.
    pub(crate) fn put(&self, page: &Page) -> Result<bool> {
        write_page(&self.dir, page)
    }

    /// Writes a file made in parts: into a new file beside it, compared with
    /// the old one as it goes, which takes the new file's place only if they
    /// differ. Neither is ever held whole.
    pub(crate) fn put_parts(
        &self,
        path: &str,
        parts: &mut dyn Iterator<Item = Result<Vec<u8>>>,
    ) -> Result<bool> {
        let target = self.dir.join(path);
        if target.is_dir() {
            fs::remove_dir_all(&target)
                .with_context(|| t!("file.cannot_replace", path = target.display()))?;
        }
        if let Some(parent) = target.parent() {
            make_folder(&self.dir, parent)?;
        }
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned());
        let fresh = target.with_file_name(format!(".{}.new", name.unwrap_or_default()));
        let cannot = |e: io::Error| {
            anyhow::Error::new(e).context(t!("file.cannot_write", path = fresh.display()))
        };
        let mut old = fs::File::open(&target).ok();
        let mut out = io::BufWriter::new(fs::File::create(&fresh).map_err(cannot)?);
        let mut written = Ok(());
        for part in parts {
            written = part.and_then(|part| {
                if let Some(file) = &mut old
                    && !starts_with(file, &part)
                {
                    old = None;
                }
                out.write_all(&part).map_err(cannot)
            });
            if written.is_err() {
                break;
            }
        }
        if let Err(e) = written.and_then(|()| out.flush().map_err(cannot)) {
            drop(out);
            // Best effort: the next build removes it anyway, being no page.
            let _ = fs::remove_file(&fresh);
            return Err(e);
        }
        drop(out);
        let same = old.is_some_and(|file| reads_as(file, b""));
        if same {
            fs::remove_file(&fresh).map_err(cannot)?;
        } else {
            fs::rename(&fresh, &target)
                .with_context(|| t!("file.cannot_write", path = target.display()))?;
        }
        Ok(!same)
    }

    /// Deletes what the new build does not have (`paths`: every file it
    /// made), and the folders that leaves empty; how many files went, and
    /// what each folder holds now. A folder whose listing is as `known` (as
    /// the build before last left it) holds what it held then; if that is
    /// what the new build made there, it is not read. At 10,000 replies
    /// there are some 24,000 folders, and reading each was a fifth of a
    /// rebuild.
    pub(crate) fn prune(&self, paths: &[String], known: &Listings) -> Result<(usize, Listings)> {
        let tree = Tree::of(paths);
        let folders: Vec<(&str, &Folder)> = tree.0.iter().map(|(rel, f)| (*rel, f)).collect();
        let pruned = folders
            .par_iter()
            .map(|&(rel, folder)| {
                // No trailing `/`: through a link, that names where it leads.
                let path = self.dir.join(rel.trim_end_matches('/'));
                let listing = Listing {
                    modified: folder_time(&path)?,
                    names: folder.names,
                };
                if known.get(rel) == Some(&listing) {
                    return Ok((0, (rel.to_string(), listing)));
                }
                let removed = clear(&path, &folder.children)?;
                let modified = if removed > 0 {
                    folder_time(&path)?
                } else {
                    listing.modified
                };
                let listing = Listing {
                    modified,
                    ..listing
                };
                Ok((removed, (rel.to_string(), listing)))
            })
            .collect::<Result<Vec<_>>>()?;
        let removed = pruned.iter().map(|(removed, _)| removed).sum();
        Ok((removed, pruned.into_iter().map(|(_, l)| l).collect()))
    }

    /// Puts the folder written in place of the output folder.
    pub(crate) fn swap(mut self) -> Result<()> {
        swap(&self.dir, &self.output)?;
        self.swapped = true;
        Ok(())
    }
}

impl Drop for Staging {
    /// A build that failed leaves no folder it made: a first build that
    /// stopped half-way may have written much.
    fn drop(&mut self) {
        if self.made && !self.swapped && self.dir.is_dir() {
            // Best effort: a folder left over is only written over next time.
            let _ = remove_tree(&self.dir);
        }
    }
}

/// The folders a build's files make, each with its entries' names.
struct Tree<'a>(FxHashMap<&'a str, Folder<'a>>);

#[derive(Default)]
struct Folder<'a> {
    children: FxHashSet<&'a str>,
    /// The children's names, in 64 bits, whatever their order.
    names: u64,
}

impl<'a> Tree<'a> {
    fn of(paths: &'a [String]) -> Tree<'a> {
        let mut folders: FxHashMap<&str, Folder> = FxHashMap::default();
        folders.insert("", Folder::default());
        for path in paths {
            // Up from the file, until a folder already known.
            let mut child = path.as_str();
            loop {
                let (folder, name) = match child.rfind('/') {
                    Some(at) => (&path[..=at], &child[at + 1..]),
                    None => ("", child),
                };
                let entry = folders.entry(folder).or_default();
                if !entry.children.insert(name) {
                    break;
                }
                entry.names = entry.names.wrapping_add(name_of(name));
                match folder.strip_suffix('/') {
                    Some(parent) => child = parent,
                    None => break,
                }
            }
        }
        Tree(folders)
    }
}

/// A name as the listings hash it: not with Fx, which need not give the
/// same from one version to the next.
fn name_of(name: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    name.hash(&mut hasher);
    hasher.finish()
}

/// The modification time of the folder at `path`, which must be one: a
/// link there would lead pruning out of the output, deleting what it finds.
fn folder_time(path: &Path) -> Result<u128> {
    let meta = fs::symlink_metadata(path)
        .with_context(|| t!("file.cannot_read_path", path = path.display()))?;
    if !meta.is_dir() {
        anyhow::bail!(
            "{} is a link or a file where dafu makes a folder; remove it and build again",
            path.display()
        );
    }
    let time = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok());
    Ok(time.map_or(0, |t| t.as_nanos()))
}

/// Deletes what `folder` holds but `children`; how many files went.
fn clear(folder: &Path, children: &FxHashSet<&str>) -> Result<usize> {
    let mut removed = 0;
    let entries = fs::read_dir(folder)
        .with_context(|| t!("file.cannot_read_path", path = folder.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| t!("file.cannot_read_path", path = folder.display()))?;
        let name = entry.file_name();
        // A name that is not UTF-8 is no page's: it goes.
        if name.to_str().is_some_and(|name| children.contains(name)) {
            continue;
        }
        let path = entry.path();
        if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
            removed += remove_tree(&path)?;
        } else {
            fs::remove_file(&path)
                .with_context(|| t!("file.cannot_remove", path = path.display()))?;
            removed += 1;
        }
    }
    Ok(removed)
}

impl Sink for Staging {
    fn put(&self, page: Page) -> Result<bool> {
        Staging::put(self, &page)
    }

    fn put_parts(
        &self,
        path: &str,
        parts: &mut dyn Iterator<Item = Result<Vec<u8>>>,
    ) -> Result<bool> {
        Staging::put_parts(self, path, parts)
    }
}

/// Writes one page unless the file already holds its bytes; true if written.
fn write_page(dir: &Path, page: &Page) -> Result<bool> {
    let path = dir.join(&page.path);
    if let Some(file) = new_file(dir, &path)? {
        write_to(file, &path, &page.bytes)?;
        return Ok(true);
    }
    if same_bytes(&path, &page.bytes) {
        return Ok(false);
    }
    let cannot_replace = || t!("file.cannot_replace", path = path.display());
    // A link left where a page goes is replaced, never written through:
    // what it leads to is not the build's.
    if fs::symlink_metadata(&path).is_ok_and(|meta| meta.file_type().is_symlink()) {
        fs::remove_file(&path).with_context(cannot_replace)?;
    } else if path.is_dir() {
        fs::remove_dir_all(&path).with_context(cannot_replace)?;
    }
    if let Some(parent) = path.parent() {
        make_folder(dir, parent)?;
    }
    let file =
        fs::File::create(&path).with_context(|| t!("file.cannot_write", path = path.display()))?;
    write_to(file, &path, &page.bytes)?;
    Ok(true)
}

/// A file made at `path` where nothing was, its folder with it if need be;
/// `None` if something is there (a file, a folder, a link: `write_page`
/// looks at it) or it cannot be made so. Most files of a fresh build are
/// new: this costs them one call where the checks cost four or five (a fresh
/// build of 10,000 replies asked 300,000 times for a file's metadata,
/// 174,000 times of a file not there; copying its output, 200,000).
fn new_file(dir: &Path, path: &Path) -> Result<Option<fs::File>> {
    match fs::File::create_new(path) {
        Ok(file) => Ok(Some(file)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if let Some(parent) = path.parent() {
                make_folder(dir, parent)?;
            }
            Ok(fs::File::create_new(path).ok())
        }
        Err(_) => Ok(None),
    }
}

fn write_to(mut file: fs::File, path: &Path, bytes: &[u8]) -> Result<()> {
    file.write_all(bytes)
        .with_context(|| t!("file.cannot_write", path = path.display()))
}

/// Whether `path` is a file (not a link to one) holding exactly `bytes`.
fn same_bytes(path: &Path, bytes: &[u8]) -> bool {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_file() && meta.len() == bytes.len() as u64 => {
            fs::File::open(path).is_ok_and(|file| reads_as(file, bytes))
        }
        _ => false,
    }
}

/// Whether the rest of `file` starts with `bytes`; reads just that many.
fn starts_with(file: &mut fs::File, mut bytes: &[u8]) -> bool {
    let mut block = [0u8; 64 * 1024];
    while !bytes.is_empty() {
        let want = bytes.len().min(block.len());
        if file.read_exact(&mut block[..want]).is_err() || block[..want] != bytes[..want] {
            return false;
        }
        bytes = &bytes[want..];
    }
    true
}

/// Whether `file` holds exactly `bytes`, read a block at a time: a page can
/// be large, and reading it whole would hold it twice.
fn reads_as(mut file: fs::File, bytes: &[u8]) -> bool {
    starts_with(&mut file, bytes) && file.read(&mut [0u8; 1]).is_ok_and(|n| n == 0)
}

/// Creates `folder` inside `root`, removing a file left where a folder must go
/// by an older build.
fn make_folder(root: &Path, folder: &Path) -> Result<()> {
    if folder.is_dir() {
        return Ok(());
    }
    let mut at = root.to_path_buf();
    for part in folder.strip_prefix(root).unwrap_or(folder).components() {
        at.push(part);
        if at.is_file() {
            fs::remove_file(&at).with_context(|| t!("file.cannot_replace", path = at.display()))?;
        }
    }
    fs::create_dir_all(folder).with_context(|| t!("file.cannot_create", path = folder.display()))
}

/// Deletes `folder` and everything in it; how many files went.
fn remove_tree(folder: &Path) -> Result<usize> {
    let entries = fs::read_dir(folder)
        .and_then(|entries| entries.collect::<io::Result<Vec<fs::DirEntry>>>())
        .with_context(|| t!("file.cannot_read_path", path = folder.display()))?;
    let removed = entries
        .par_iter()
        .map(|entry| {
            let path = entry.path();
            if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
                remove_tree(&path)
            } else {
                fs::remove_file(&path)
                    .map(|()| 1)
                    .with_context(|| t!("file.cannot_remove", path = path.display()))
            }
        })
        .sum::<Result<usize>>()?;
    fs::remove_dir(folder).with_context(|| t!("file.cannot_remove", path = folder.display()))?;
    Ok(removed)
}

/// Puts `staging` in place of `output`, and the old output in place of staging.
fn swap(staging: &Path, output: &Path) -> Result<()> {
    if !output.exists() {
        return fs::rename(staging, output)
            .with_context(|| t!("file.cannot_move_build", path = output.display()));
    }
    if exchange(staging, output).is_ok() {
        return Ok(());
    }
    // Without an atomic exchange, three renames: `output` is missing only for
    // the instant between the first two, and never holds a partial build.
    // The old output waits in the cache, on the same disk as both.
    let aside = staging.with_file_name("swap");
    let _ = fs::remove_dir_all(&aside);
    fs::rename(output, &aside).with_context(|| t!("file.cannot_move", path = output.display()))?;
    if let Err(e) = fs::rename(staging, output) {
        let _ = fs::rename(&aside, output);
        return Err(e).with_context(|| t!("file.cannot_move_build", path = output.display()));
    }
    fs::rename(&aside, staging).with_context(|| t!("file.cannot_move", path = aside.display()))
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both paths are valid NUL-terminated strings that outlive the call.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `pages` as the new content of `output`, atomically, as a
    /// build does: each page, then what is gone, then the swap.
    fn write(output: &Path, pages: &[Page]) -> Result<Written> {
        let cache = Cache::open(output)?;
        let staging = Staging::open(output, &cache)?;
        let mut changed = 0;
        for page in pages {
            changed += usize::from(staging.put(page)?);
        }
        let paths: Vec<String> = pages.iter().map(|p| p.path.clone()).collect();
        let (removed, _) = staging.prune(&paths, &Listings::default())?;
        staging.swap()?;
        Ok(Written {
            changed,
            unchanged: paths.len() - changed,
            removed,
        })
    }

    /// A folder to write the build of `dir/public` into, and its cache.
    fn staging(dir: &Path) -> (Cache, Staging) {
        let output = dir.join("public");
        let cache = Cache::open(&output).unwrap();
        let staging = Staging::open(&output, &cache).unwrap();
        (cache, staging)
    }

    fn page(path: &str, text: &str) -> Page {
        Page {
            path: path.into(),
            bytes: text.as_bytes().to_vec(),
        }
    }

    #[test]
    fn a_file_reads_as_bytes_only_when_every_block_matches() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big");
        // Longer than a block, so the comparison crosses blocks.
        let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        fs::write(&path, &bytes).unwrap();
        assert!(same_bytes(&path, &bytes));
        let mut changed = bytes.clone();
        changed[150_000] ^= 1;
        assert!(!same_bytes(&path, &changed));
        assert!(!same_bytes(&path, &bytes[..bytes.len() - 1]));
        let open = || fs::File::open(&path).unwrap();
        assert!(!reads_as(open(), &bytes[..100_000]));
        assert!(!reads_as(open(), &[bytes.as_slice(), b"x"].concat()));
        assert!(!same_bytes(&dir.path().join("missing"), b""));
    }

    #[test]
    fn a_second_build_rewrites_only_what_changed_and_removes_what_is_gone() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let first = write(&out, &[page("index.html", "a"), page("x/index.html", "x")]).unwrap();
        assert_eq!(first.changed, 2);
        // Each build writes over the build before last: the third over the
        // first, the fourth over the second.
        write(&out, &[page("index.html", "b")]).unwrap();
        let third = write(&out, &[page("index.html", "b")]).unwrap();
        assert_eq!((third.changed, third.removed), (1, 1));
        let fourth = write(&out, &[page("index.html", "b")]).unwrap();
        assert_eq!((fourth.changed, fourth.unchanged), (0, 1));
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "b");
        assert!(!out.join("x").exists());
    }

    #[test]
    fn a_tree_knows_each_folder_and_what_it_holds() {
        let paths =
            ["index.html", "a/index.html", "a/atom.xml", "a/b/index.html"].map(String::from);
        let tree = Tree::of(&paths);
        let children = |rel: &str| {
            let mut names: Vec<&str> = tree.0[rel].children.iter().copied().collect();
            names.sort_unstable();
            names
        };
        assert_eq!(tree.0.len(), 3);
        assert_eq!(children(""), ["a", "index.html"]);
        assert_eq!(children("a/"), ["atom.xml", "b", "index.html"]);
        assert_eq!(children("a/b/"), ["index.html"]);
        let reordered =
            ["a/b/index.html", "a/atom.xml", "index.html", "a/index.html"].map(String::from);
        assert_eq!(Tree::of(&reordered).0["a/"].names, tree.0["a/"].names);
        assert_ne!(tree.0["a/"].names, tree.0["a/b/"].names);
    }

    #[test]
    fn pruning_reads_only_folders_changed_since_they_were_listed() {
        let dir = tempfile::tempdir().unwrap();
        let (_cache, staging) = staging(dir.path());
        let paths = ["index.html", "a/index.html", "b/index.html"].map(String::from);
        for path in &paths {
            staging.put(&page(path, "页")).unwrap();
        }
        fs::write(staging.dir().join("a/stray.txt"), "x").unwrap();
        let (removed, listed) = staging.prune(&paths, &Listings::default()).unwrap();
        assert_eq!((removed, listed.len()), (1, 3));
        assert!(!staging.dir().join("a/stray.txt").exists());

        // A file added since changes its folder's time: the folder is read.
        fs::write(staging.dir().join("b/stray.txt"), "x").unwrap();
        let (removed, _) = staging.prune(&paths, &listed).unwrap();
        assert_eq!(removed, 1);
        assert!(!staging.dir().join("b/stray.txt").exists());

        // A page the new build lacks goes, though its folder is as listed.
        let (_, listed) = staging.prune(&paths, &Listings::default()).unwrap();
        let fewer = &paths[..2];
        let (removed, now) = staging.prune(fewer, &listed).unwrap();
        assert_eq!(removed, 1);
        assert!(!staging.dir().join("b").exists());
        assert_eq!(now.len(), 2);

        // A folder as listed, holding what the build made, is not read: a
        // file slipped in with its time put back stays.
        let a = staging.dir().join("a");
        let time = fs::metadata(&a).unwrap().modified().unwrap();
        fs::write(a.join("slipped.txt"), "x").unwrap();
        fs::File::open(&a).unwrap().set_modified(time).unwrap();
        let (removed, _) = staging.prune(fewer, &now).unwrap();
        assert_eq!(removed, 0);
        assert!(a.join("slipped.txt").exists());
    }

    #[test]
    #[cfg(unix)]
    fn a_link_where_a_folder_goes_is_an_error_and_what_it_leads_to_stays() {
        let dir = tempfile::tempdir().unwrap();
        let (_cache, staging) = staging(dir.path());
        let elsewhere = dir.path().join("elsewhere");
        fs::create_dir_all(&elsewhere).unwrap();
        fs::write(elsewhere.join("notes.txt"), "mine").unwrap();
        std::os::unix::fs::symlink(&elsewhere, staging.dir().join("a")).unwrap();
        staging.put(&page("a/index.html", "页")).unwrap();
        let paths = ["a/index.html".to_string()];
        let error = format!(
            "{:#}",
            staging.prune(&paths, &Listings::default()).unwrap_err()
        );
        assert!(error.contains("a link or a file"), "{error}");
        assert!(elsewhere.join("notes.txt").exists());
    }

    #[test]
    #[cfg(unix)]
    fn a_link_where_a_page_goes_is_replaced_and_what_it_leads_to_stays() {
        let dir = tempfile::tempdir().unwrap();
        let (_cache, staging) = staging(dir.path());
        for (name, there) in [("same.html", "页"), ("other.html", "我的")] {
            let target = dir.path().join(name);
            fs::write(&target, there).unwrap();
            std::os::unix::fs::symlink(&target, staging.dir().join(name)).unwrap();
            assert!(staging.put(&page(name, "页")).unwrap(), "{name}");
            let put = staging.dir().join(name);
            assert!(fs::symlink_metadata(&put).unwrap().is_file(), "{name}");
            assert_eq!(fs::read_to_string(&put).unwrap(), "页");
            assert_eq!(fs::read_to_string(&target).unwrap(), there, "{name}");
        }
    }

    #[test]
    fn a_file_in_parts_replaces_the_old_one_only_when_it_differs() {
        let dir = tempfile::tempdir().unwrap();
        let (_cache, staging) = staging(dir.path());
        let put = |parts: &[&str]| {
            let mut parts = parts.iter().map(|p| Ok(p.as_bytes().to_vec()));
            staging.put_parts("data/replies.json", &mut parts).unwrap()
        };
        let file = staging.dir().join("data/replies.json");
        assert!(put(&["[", "1,2", "]"]));
        assert!(!put(&["[1", ",2]"]), "the same bytes in other parts");
        assert_eq!(fs::read_to_string(&file).unwrap(), "[1,2]");
        for changed in [&["[1,2]", "\n"][..], &["[1,2"], &["[1,3]"], &[]] {
            assert!(put(changed), "{changed:?}");
            assert_eq!(fs::read_to_string(&file).unwrap(), changed.concat());
        }
        let names: Vec<_> = fs::read_dir(file.parent().unwrap()).unwrap().collect();
        assert_eq!(names.len(), 1, "nothing left beside it");
    }

    #[test]
    fn folders_left_empty_go_at_any_depth_and_others_stay() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let all = [
            page("a/b/c/index.html", "c"),
            page("a/b/c/atom.xml", "feed"),
            page("a/d/index.html", "d"),
            page("e/index.html", "e"),
        ];
        write(&out, &all).unwrap();
        write(&out, &all).unwrap();
        let kept = [page("a/d/index.html", "d"), page("e/index.html", "e")];
        write(&out, &kept).unwrap();
        let third = write(&out, &kept).unwrap();
        assert_eq!(third.removed, 2);
        assert!(!out.join("a/b").exists());
        assert!(out.join("a/d/index.html").is_file());
        assert!(out.join("e/index.html").is_file());
    }

    #[test]
    fn a_file_where_a_folder_must_go_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write(&out, &[page("a", "file")]).unwrap();
        write(&out, &[page("b", "x")]).unwrap();
        write(&out, &[page("a/index.html", "page")]).unwrap();
        assert_eq!(
            fs::read_to_string(out.join("a/index.html")).unwrap(),
            "page"
        );
    }
}
