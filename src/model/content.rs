//! Finding and loading every reply under `content/`, in parallel.
//!
//! A file that cannot be read, decoded or parsed becomes problems; the rest
//! load regardless, so that one run reports every bad file.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::ground::problem::Problem;
use crate::ground::site_folder::{Inside, is_skipped};
use crate::ground::text;
use crate::model::body::Bodies;
use crate::model::reply::{self, Reply};
use rust_i18n::t;

pub(crate) const CONTENT_DIR: &str = "content";

/// Every `.md` file under `content/`, in a stable order, as (absolute path, site path).
pub(crate) fn find(root: &Path) -> Result<Vec<(PathBuf, String)>, Vec<Problem>> {
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

/// Loads the given files in parallel; problems of all files together.
/// Each reply is shared as soon as it is made, so that the list holds
/// pointers: a list of the replies themselves, at some 700 bytes each, was
/// 70 MB at 100,000 replies, and was copied whole into the archive's.
pub(crate) fn load(
    root: &Path,
    files: &[(PathBuf, String)],
    bodies: Bodies,
) -> Vec<Result<Arc<Reply>, Vec<Problem>>> {
    files
        .par_iter()
        .map(|(path, site_path)| load_one(root, path, site_path.clone(), bodies).map(Arc::new))
        .collect()
}

pub(crate) fn load_one(
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
pub(crate) fn site_path(content_dir: &Path, file: &Path) -> String {
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

pub(crate) fn is_markdown(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("md"))
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
}
