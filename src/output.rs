//! Writing the site atomically: the public folder is replaced whole, by a
//! rename, only once every page of the new build is on disk.
//!
//! Two folders take turns: `public/` and, beside it, `.public.previous/`
//! holding the build before last. A build overwrites the previous folder in
//! place (unchanged files are not rewritten, files that are gone are
//! deleted), then swaps the two. Overwriting in place is many times faster
//! than creating every file fresh on these disks (see DESIGN.md), and a
//! failure at any point leaves `public/` as it was.

use std::collections::HashSet;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use rayon::prelude::*;

use crate::render::Page;

/// What a write did, for the summary line.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub changed: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// The folder that holds the build before last, beside `output`.
pub fn previous_folder(output: &Path) -> PathBuf {
    let name = output
        .file_name()
        .map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
    output.with_file_name(format!(".{name}.previous"))
}

/// Writes `pages` as the new content of `output`, atomically.
pub fn write(output: &Path, pages: &[Page]) -> Result<Written> {
    let staging = previous_folder(output);
    fs::create_dir_all(&staging).with_context(|| format!("cannot create {}", staging.display()))?;
    let changed = pages
        .par_iter()
        .map(|page| write_page(&staging, page))
        .collect::<Result<Vec<bool>>>()?;
    let keep: HashSet<PathBuf> = pages.iter().map(|p| staging.join(&p.path)).collect();
    let removed = remove_others(&staging, &keep)?;
    swap(&staging, output)?;
    let changed_count = changed.iter().filter(|&&c| c).count();
    Ok(Written {
        changed: changed_count,
        unchanged: changed.len() - changed_count,
        removed,
    })
}

/// Writes one page unless the file already holds its bytes; true if written.
fn write_page(dir: &Path, page: &Page) -> Result<bool> {
    let path = dir.join(&page.path);
    if same_bytes(&path, &page.bytes) {
        return Ok(false);
    }
    if path.is_dir() {
        fs::remove_dir_all(&path).with_context(|| format!("cannot replace {}", path.display()))?;
    }
    if let Some(parent) = path.parent() {
        make_folder(dir, parent)?;
    }
    let mut file = io::BufWriter::new(
        fs::File::create(&path).with_context(|| format!("cannot write {}", path.display()))?,
    );
    file.write_all(&page.bytes)
        .and_then(|()| file.flush())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(true)
}

fn same_bytes(path: &Path, bytes: &[u8]) -> bool {
    match fs::metadata(path) {
        Ok(meta) if meta.is_file() && meta.len() == bytes.len() as u64 => {
            fs::read(path).is_ok_and(|old| old == bytes)
        }
        _ => false,
    }
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
            fs::remove_file(&at).with_context(|| format!("cannot replace {}", at.display()))?;
        }
    }
    fs::create_dir_all(folder).with_context(|| format!("cannot create {}", folder.display()))
}

/// Deletes every file under `dir` that is not to be kept, and the folders
/// left empty; returns how many files went.
fn remove_others(dir: &Path, keep: &HashSet<PathBuf>) -> Result<usize> {
    let mut removed = 0;
    let mut folders = Vec::new();
    for entry in walkdir::WalkDir::new(dir).min_depth(1) {
        let entry = entry.with_context(|| format!("cannot read {}", dir.display()))?;
        if entry.file_type().is_dir() {
            folders.push(entry.into_path());
        } else if !keep.contains(entry.path()) {
            fs::remove_file(entry.path())
                .with_context(|| format!("cannot remove {}", entry.path().display()))?;
            removed += 1;
        }
    }
    // Deepest first, so a folder is emptied before its parent is tried.
    for folder in folders.iter().rev() {
        let _ = fs::remove_dir(folder);
    }
    Ok(removed)
}

/// Puts `staging` in place of `output`, and the old output in place of staging.
fn swap(staging: &Path, output: &Path) -> Result<()> {
    if !output.exists() {
        return fs::rename(staging, output)
            .with_context(|| format!("cannot move the new build to {}", output.display()));
    }
    if exchange(staging, output).is_ok() {
        return Ok(());
    }
    // Without an atomic exchange, three renames: `output` is missing only for
    // the instant between the first two, and never holds a partial build.
    let aside = output.with_file_name(format!(
        ".{}.swap",
        output
            .file_name()
            .map_or_else(|| "public".into(), |n| n.to_string_lossy())
    ));
    let _ = fs::remove_dir_all(&aside);
    fs::rename(output, &aside).with_context(|| format!("cannot move {}", output.display()))?;
    if let Err(e) = fs::rename(staging, output) {
        let _ = fs::rename(&aside, output);
        return Err(e)
            .with_context(|| format!("cannot move the new build to {}", output.display()));
    }
    fs::rename(&aside, staging).with_context(|| format!("cannot move {}", aside.display()))
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

    fn page(path: &str, text: &str) -> Page {
        Page {
            path: path.into(),
            bytes: text.as_bytes().to_vec(),
        }
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
