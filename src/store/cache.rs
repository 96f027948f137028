//! What the builds of one output folder keep between runs, in one folder
//! beside it: `.dafu/public/` for `public/`.
//!
//! | entry | what |
//! | --- | --- |
//! | `lock` | held by the build running; one build at a time per output |
//! | `folders` | which folders dafu's builds of this output made: the mark that lets a build replace the output |
//! | `previous/` | the build before last, which the next build writes over (see `output`) |
//! | `*.digests` | what each of the two folders' pages were made of (see `digest`) |
//! | `bodies`, `lines` | the shelves (see `shelf`) |
//!
//! Beside the output, not in the site's folder: the build before last must
//! be on the output's disk, to take its place by a rename. The cache goes
//! where the output goes, so `.dafu/` is readable by its owner only: a web
//! server that serves the folder the output is in (as `root /srv/www` for
//! `--output /srv/www/zxta`) must not serve the build before last, which
//! may still hold a reply since withdrawn.
//!
//! dafu marks a folder as its own in the cache, not in the folder: a file
//! in the output would be published with it. The mark is the folders'
//! identity (device and inode), which a rename keeps, so it holds for both
//! folders whichever of them the last build left as the output.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use rust_i18n::t;

/// The folder, beside an output, that holds what its builds keep.
pub(crate) const CACHE_DIR: &str = ".dafu";

/// The cache of one output, locked: dropping it lets the next build in.
/// The lock is the system's (flock), so it goes with the process however
/// it ends, `kill -9` too, and never outlives it.
pub(crate) struct Cache {
    dir: PathBuf,
    _lock: File,
}

/// The folder where the builds of `output` keep what they need.
fn folder_for(output: &Path) -> PathBuf {
    let name = output
        .file_name()
        .map_or_else(|| "public".into(), |n| n.to_os_string());
    output.with_file_name(CACHE_DIR).join(name)
}

impl Cache {
    /// Opens the cache of `output`, making it if need be, and locks it;
    /// while another build of the same output holds it, says so and waits.
    pub(crate) fn open(output: &Path) -> Result<Cache> {
        let dir = folder_for(output);
        make_private(&dir)?;
        let path = dir.join("lock");
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        let cannot = || t!("file.cannot_lock", path = path.display()).into_owned();
        let file = options.open(&path).with_context(cannot)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                eprintln!("{}", t!("cache.waiting", output = output.display()));
                file.lock().with_context(cannot)?;
            }
            Err(fs::TryLockError::Error(e)) => return Err(e).with_context(cannot),
        }
        Ok(Cache { dir, _lock: file })
    }

    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// The build before last, which the next build writes over.
    pub(crate) fn previous(&self) -> PathBuf {
        self.dir.join("previous")
    }

    /// Marks `folders` as this output's builds' own, before a build swaps
    /// them: whichever of them is the output next time, it is known.
    pub(crate) fn mark(&self, folders: &[&Path]) -> Result<()> {
        let path = self.dir.join(MARKS);
        let lines: String = folders
            .iter()
            .filter_map(|folder| identity(folder))
            .map(|id| id + "\n")
            .collect();
        // Whole or not at all: a torn file would disown the output.
        let fresh = self.dir.join(format!("{MARKS}.new"));
        fs::write(&fresh, lines)
            .and_then(|()| fs::rename(&fresh, &path))
            .with_context(|| t!("file.cannot_write", path = path.display()).into_owned())
    }
}

/// The file in a cache that names the folders its builds made.
const MARKS: &str = "folders";

/// Whether a build of `output` made the folder there (or was given it
/// empty), as its cache records.
pub(crate) fn marked(output: &Path) -> bool {
    let Some(id) = identity(output) else {
        return false;
    };
    fs::read_to_string(folder_for(output).join(MARKS))
        .is_ok_and(|marks| marks.lines().any(|line| line == id))
}

/// A folder's identity, which a rename keeps and no other folder shares:
/// its device and inode, and its birth time where the system keeps one,
/// since a folder made after one deleted may get the same inode.
#[cfg(unix)]
fn identity(folder: &Path) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let meta = fs::symlink_metadata(folder).ok()?;
    let born = born(&meta).unwrap_or(0);
    meta.is_dir()
        .then(|| format!("{:x}:{:x}:{born:x}", meta.dev(), meta.ino()))
}

/// Without inodes, the folder's birth time alone.
#[cfg(not(unix))]
fn identity(folder: &Path) -> Option<String> {
    let meta = fs::symlink_metadata(folder).ok()?;
    meta.is_dir()
        .then(|| born(&meta))
        .flatten()
        .map(|t| format!("{t:x}"))
}

/// When a file was made, in nanoseconds, if the system says.
fn born(meta: &fs::Metadata) -> Option<u128> {
    let made = meta.created().ok()?.duration_since(std::time::UNIX_EPOCH);
    made.ok().map(|t| t.as_nanos())
}

/// Makes `dir` and the `.dafu/` it is in, `.dafu/` readable by its owner
/// only (see the module's comment).
fn make_private(dir: &Path) -> Result<()> {
    let cannot = || t!("file.cannot_create", path = dir.display()).into_owned();
    if let Some(cache) = dir.parent() {
        // The folder the output goes in, as any build would make it.
        if let Some(above) = cache.parent() {
            fs::create_dir_all(above).with_context(cannot)?;
        }
        let mut builder = fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        match builder.create(cache) {
            Err(e) if e.kind() != io::ErrorKind::AlreadyExists => {
                return Err(e).with_context(cannot);
            }
            _ => {}
        }
    }
    fs::create_dir_all(dir).with_context(cannot)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_marked_stays_marked_when_renamed_and_others_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path().join("public");
        let cache = Cache::open(&output).unwrap();
        fs::create_dir(&output).unwrap();
        fs::create_dir(cache.previous()).unwrap();
        assert!(!marked(&output));
        cache.mark(&[&output, &cache.previous()]).unwrap();
        assert!(marked(&output));
        fs::rename(&output, dir.path().join("aside")).unwrap();
        fs::rename(cache.previous(), &output).unwrap();
        assert!(marked(&output), "the other folder, swapped in");
        // Where the system keeps birth times, a folder made since is not the
        // one marked, though it may get its inode.
        fs::remove_dir(&output).unwrap();
        fs::create_dir(&output).unwrap();
        let born = fs::metadata(&output).unwrap().created().is_ok();
        assert!(!born || !marked(&output), "a folder made since");
    }

    #[test]
    #[cfg(unix)]
    fn the_cache_is_its_owners_alone() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(&dir.path().join("public")).unwrap();
        assert_eq!(cache.dir(), dir.path().join(".dafu/public"));
        let mode = fs::metadata(dir.path().join(CACHE_DIR))
            .unwrap()
            .permissions();
        assert_eq!(mode.mode() & 0o777, 0o700);
    }
}
