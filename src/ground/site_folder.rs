//! The site's own folder: which of its files are the site's at all
//! (`is_skipped`), and whether a link in it leads outside (`Inside`). Both
//! the content and the theme's folders are walked by these rules.

use std::path::{Path, PathBuf};

use crate::ground::problem::Problem;
use rust_i18n::t;

/// The site's folder, to tell what is in it from what a link leads to.
/// dafu publishes nothing from outside the site's folder: a link in it is
/// followed only where it leads to a file or folder of the site, and not
/// to a hidden one (`.git/`, `.dafu/`), which no build reads.
pub(crate) struct Inside {
    /// As given, to show paths from it.
    root: PathBuf,
    /// Resolved, to compare with where links lead.
    real: PathBuf,
}

impl Inside {
    pub(crate) fn new(root: &Path) -> Result<Inside, Vec<Problem>> {
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
    pub(crate) fn admits(&self, entry: &walkdir::DirEntry, problems: &mut Vec<Problem>) -> bool {
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
    pub(crate) fn outside(&self, path: &Path) -> Option<Problem> {
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

/// Whether a file or folder of the site is none of its content, templates
/// or static files: hidden ones (`.git`, an editor's `.x.swp`) and an
/// editor's backups (`style.css~`, Emacs' `#reply.md#`), which would
/// otherwise be published or reload the preview.
pub(crate) fn is_skipped(name: &std::ffi::OsStr) -> bool {
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
