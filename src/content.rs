//! Finding and loading every reply under `content/`, in parallel.
//!
//! A file that cannot be read, decoded or parsed becomes problems; the rest
//! load regardless, so that one run reports every bad file.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::body::Bodies;
use crate::problem::Problem;
use crate::reply::{self, Reply};
use crate::text;
use rust_i18n::t;

pub const CONTENT_DIR: &str = "content";

/// Every `.md` file under `content/`, in a stable order, as (absolute path, site path).
pub fn find(root: &Path) -> Result<Vec<(PathBuf, String)>, Vec<Problem>> {
    let dir = root.join(CONTENT_DIR);
    if !dir.is_dir() {
        return Err(vec![Problem::new(&dir, t!("content.missing"))]);
    }
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let mut outside = Vec::new();
    let site = Inside::new(root)?;
    let walk = walkdir::WalkDir::new(&dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !is_skipped(e.file_name()) && site.admits(e, &mut outside));
    for entry in walk {
        match entry {
            Ok(entry) if entry.file_type().is_file() && is_markdown(entry.path()) => {
                let site_path = site_path(&dir, entry.path());
                files.push((entry.into_path(), site_path));
            }
            Ok(_) => {}
            Err(e) => {
                let path = e.path().unwrap_or(&dir).to_path_buf();
                let message = if e.loop_ancestor().is_some() {
                    t!("content.link_loop").into_owned()
                } else {
                    t!(
                        "file.cannot_read",
                        error = e.io_error().map_or(e.to_string(), ToString::to_string)
                    )
                    .into_owned()
                };
                problems.push(Problem::new(path, message));
            }
        }
    }
    problems.append(&mut outside);
    if problems.is_empty() {
        Ok(files)
    } else {
        Err(problems)
    }
}

/// The site's folder, to tell what is in it from what a link leads to.
/// dafu publishes nothing from outside the site's folder: a link in it is
/// followed only where it leads to a file or folder of the site, and not
/// to a hidden one (`.git/`, `.dafu/`), which no build reads.
pub struct Inside {
    /// As given, to show paths from it.
    root: PathBuf,
    /// Resolved, to compare with where links lead.
    real: PathBuf,
}

impl Inside {
    pub fn new(root: &Path) -> Result<Inside, Vec<Problem>> {
        let real = root
            .canonicalize()
            .map_err(|e| vec![Problem::new(root, t!("site.cannot_open", error = e))])?;
        Ok(Inside {
            root: root.to_path_buf(),
            real,
        })
    }

    /// Whether a walk of the site goes into `entry`; if not, why, in
    /// `problems`. Only links and the folder the walk starts from (whose
    /// own folders may be links) are resolved: the walk knows the rest are
    /// neither, so an ordinary file costs nothing more.
    pub fn admits(&self, entry: &walkdir::DirEntry, problems: &mut Vec<Problem>) -> bool {
        if entry.depth() > 0 && !entry.path_is_symlink() {
            return true;
        }
        match self.outside(entry.path()) {
            Some(problem) => {
                problems.push(problem);
                false
            }
            None => true,
        }
    }

    /// Why the file or folder at `path` is not the site's to read, if it
    /// is not: it is, or is in, a link that leads outside the site.
    pub fn outside(&self, path: &Path) -> Option<Problem> {
        let shown = path.strip_prefix(&self.root).unwrap_or(path);
        let target = match path.canonicalize() {
            Ok(target) => target,
            Err(e) => return Some(Problem::new(shown, t!("file.cannot_read", error = e))),
        };
        let inside = target
            .strip_prefix(&self.real)
            .is_ok_and(|rest| !rest.components().any(|part| is_skipped(part.as_os_str())));
        (!inside).then(|| {
            Problem::new(shown, t!("content.link_outside", target = target.display()))
                .hint(t!("content.link_outside_hint"))
        })
    }
}

/// Loads the given files in parallel; problems of all files together.
pub fn load(
    root: &Path,
    files: &[(PathBuf, String)],
    bodies: Bodies,
) -> Vec<Result<Reply, Vec<Problem>>> {
    files
        .par_iter()
        .map(|(path, site_path)| load_one(root, path, site_path.clone(), bodies))
        .collect()
}

pub fn load_one(
    root: &Path,
    path: &Path,
    site_path: String,
    bodies: Bodies,
) -> Result<Reply, Vec<Problem>> {
    let shown = path.strip_prefix(root).unwrap_or(path);
    let bytes = std::fs::read(path)
        .map_err(|e| vec![Problem::new(shown, t!("file.cannot_read", error = e))])?;
    let (text, _) = text::decode(&bytes)
        .map_err(|e| vec![Problem::new(shown, e.to_string()).at_line(Some(e.line()))])?;
    reply::parse(shown, site_path, &text, bodies)
}

/// `content/2021/ta-0152.md` → `2021/ta-0152/`.
pub fn site_path(content_dir: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(content_dir).unwrap_or(file);
    let mut path: String = relative
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    path.push('/');
    path
}

pub fn is_markdown(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("md"))
}

/// Whether a file or folder of the site is none of its content, templates
/// or static files: hidden ones (`.git`, an editor's `.x.swp`) and an
/// editor's backups (`style.css~`, Emacs' `#reply.md#`), which would
/// otherwise be published or reload the preview.
pub fn is_skipped(name: &std::ffi::OsStr) -> bool {
    name.to_str().is_some_and(|n| {
        (n.starts_with('.') && n.len() > 1)
            || n.ends_with('~')
            || (n.len() > 1 && n.starts_with('#') && n.ends_with('#'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_site_path_is_the_path_without_md() {
        let dir = Path::new("/s/content");
        assert_eq!(
            site_path(dir, Path::new("/s/content/2021/ta-0152.md")),
            "2021/ta-0152/"
        );
    }

    #[test]
    fn hidden_files_and_editors_backups_are_no_part_of_the_site() {
        use std::ffi::OsStr;
        for skipped in [".git", ".ta-0152.md.swp", "style.css~", "#reply.html#"] {
            assert!(is_skipped(OsStr::new(skipped)), "{skipped}");
        }
        for kept in ["ta-0152.md", "style.css", "#", "c#.md", "."] {
            assert!(!is_skipped(OsStr::new(kept)), "{kept}");
        }
    }
}
