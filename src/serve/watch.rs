//! Watching the site's folders, and sorting the paths an editor touched into
//! the [`Changes`] the preview understands.
//!
//! Watched: `content/`, `templates/`, `static/` and `themes/`, each whole,
//! and the root alone, for `config.yaml` and for those folders coming and
//! going. Events pass through notify-debouncer-full, so that an editor that
//! saves by writing a temporary file and renaming it, or writes twice, makes
//! one batch. Knows nothing of what a reply or a page is.

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use notify_debouncer_full::notify::{self, EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{
    DebounceEventResult, DebouncedEvent, Debouncer, RecommendedCache, new_debouncer,
};

use super::preview::Changes;
use crate::model::config::CONFIG_FILE;
use crate::model::content::CONTENT_DIR;
use rust_i18n::t;

/// How long a file must be quiet before its change is taken. It is part of
/// the time from saving to seeing the page, so it is short; an editor's
/// write-then-rename or double write takes well under it.
pub(super) const DEBOUNCE: Duration = Duration::from_millis(20);

/// How often the debouncer looks for quiet files: a change is taken between
/// DEBOUNCE and DEBOUNCE + TICK after its last event.
const TICK: Duration = Duration::from_millis(4);

/// The folders under the root whose whole tree is watched.
const FOLDERS: [&str; 4] = [CONTENT_DIR, "templates", "static", "themes"];

pub(super) struct Watcher {
    root: PathBuf,
    debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    watching: BTreeSet<PathBuf>,
}

impl Watcher {
    /// Starts watching `root` (an absolute path); batches of events arrive on `events`.
    pub(super) fn start(
        root: &Path,
        events: mpsc::Sender<DebounceEventResult>,
    ) -> notify::Result<Watcher> {
        let mut debouncer = new_debouncer(DEBOUNCE, Some(TICK), events)?;
        debouncer.watch(root, RecursiveMode::NonRecursive)?;
        let mut watcher = Watcher {
            root: root.to_path_buf(),
            debouncer,
            watching: BTreeSet::new(),
        };
        for error in watcher.follow_folders() {
            eprintln!("{}", t!("serve.warning", message = error));
        }
        Ok(watcher)
    }

    /// Watches the folders that appeared since the last call and forgets
    /// those that went (a folder removed and made again needs a new watch).
    /// What they hold is read again because the root's own watch reports
    /// the folder itself as changed.
    pub(super) fn follow_folders(&mut self) -> Vec<String> {
        let mut errors = Vec::new();
        for name in FOLDERS {
            let folder = self.root.join(name);
            let exists = folder.is_dir();
            let watched = self.watching.contains(&folder);
            if exists && !watched {
                match self.debouncer.watch(&folder, RecursiveMode::Recursive) {
                    Ok(()) => {
                        self.watching.insert(folder);
                    }
                    Err(e) => errors.push(format!(
                        "cannot watch {name}/: {e}; its changes will not show until restart"
                    )),
                }
            } else if !exists && watched {
                // The watch went with the folder; the error says as much.
                let _ = self.debouncer.unwatch(&folder);
                self.watching.remove(&folder);
            }
        }
        errors
    }
}

/// Sorts one batch of debounced events into `changes`; returns the paths
/// that mattered, relative to the root, to say what changed.
pub(super) fn sort_events(
    root: &Path,
    events: &[DebouncedEvent],
    changes: &mut Changes,
) -> Vec<PathBuf> {
    let mut seen = Vec::new();
    for event in events {
        // Reading a file (as the preview itself does) is an event too.
        if matches!(event.kind, EventKind::Access(_)) {
            continue;
        }
        if event.need_rescan() {
            *changes = Changes::everything();
            seen.push(PathBuf::from("(every file: the watcher missed events)"));
            continue;
        }
        for path in &event.paths {
            if sort_path(root, path, changes) {
                let shown = path.strip_prefix(root).unwrap_or(path).to_path_buf();
                if !seen.contains(&shown) {
                    seen.push(shown);
                }
            }
        }
    }
    seen
}

/// Notes what one changed path means; false when it means nothing.
pub(super) fn sort_path(root: &Path, path: &Path, changes: &mut Changes) -> bool {
    let Ok(relative) = path.strip_prefix(root) else {
        return false;
    };
    let parts: Vec<&OsStr> = relative
        .components()
        .filter_map(|c| match c {
            Component::Normal(part) => Some(part),
            _ => None,
        })
        .collect();
    // Hidden files and folders and editors' backups are skipped when the
    // site is read (see `site_folder::is_skipped`): their changes change nothing.
    if parts
        .iter()
        .skip(1)
        .any(|part| crate::ground::site_folder::is_skipped(part))
    {
        return false;
    }
    match parts.as_slice() {
        [file] if *file == OsStr::new(CONFIG_FILE) => changes.config = true,
        [folder, ..] if *folder == OsStr::new(CONTENT_DIR) => {
            if parts.len() > 1 && crate::model::content::is_markdown(path) {
                changes.replies.insert(path.to_path_buf());
            } else if parts.len() == 1 || path.is_dir() || !path.exists() {
                // The folder itself, a sub-folder, or something gone that may
                // have been one: the files under it are found again.
                changes.rescan = true;
            } else {
                return false;
            }
        }
        [folder, ..] if *folder == OsStr::new("templates") => changes.templates = true,
        [folder, ..] if *folder == OsStr::new("static") => static_changed(changes, path),
        [folder, _theme, kind, ..] if *folder == OsStr::new("themes") => {
            if *kind == OsStr::new("templates") {
                changes.templates = true;
            } else if *kind == OsStr::new("static") {
                static_changed(changes, path);
            } else {
                return false;
            }
        }
        // `themes/` or a theme's own folder, appearing or going.
        [folder, ..] if *folder == OsStr::new("themes") => {
            changes.templates = true;
            changes.statics = true;
            changes.other_statics = true;
        }
        _ => return false,
    }
    true
}

fn static_changed(changes: &mut Changes, path: &Path) {
    changes.statics = true;
    if !path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("css"))
    {
        changes.other_statics = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(path: &str) -> (bool, Changes) {
        let mut changes = Changes::default();
        let root = Path::new("/site");
        let mattered = sort_path(root, &root.join(path), &mut changes);
        (mattered, changes)
    }

    #[test]
    fn a_reply_file_is_a_reply_change_and_a_swap_file_is_nothing() {
        let (mattered, changes) = sorted("content/2021/ta-0152.md");
        assert!(mattered);
        assert_eq!(
            changes.replies.into_iter().collect::<Vec<_>>(),
            [PathBuf::from("/site/content/2021/ta-0152.md")]
        );
        assert!(!sorted("content/2021/.ta-0152.md.swp").0);
        assert!(!sorted("content/.git/HEAD.md").0);
    }

    #[test]
    fn a_content_folder_that_went_is_found_again() {
        let (mattered, changes) = sorted("content/2021");
        assert!(mattered && changes.rescan);
    }

    #[test]
    fn config_templates_and_statics_are_told_apart() {
        assert!(sorted("config.yaml").1.config);
        assert!(sorted("templates/base.html").1.templates);
        assert!(sorted("themes/default/templates/base.html").1.templates);
        let statics = sorted("themes/default/static/style.css").1;
        assert!(statics.only_statics() && statics.only_stylesheets());
        for other in [
            "static/textsize.js",
            "static/logo.PNG",
            "themes/default/static/search.js",
        ] {
            let changes = sorted(other).1;
            assert!(changes.only_statics(), "{other}");
            assert!(!changes.only_stylesheets(), "{other} reloads the page");
        }
        assert!(sorted("static/print.CSS").1.only_stylesheets());
        assert!(!sorted("static/style.css~").0, "an editor's backup");
        assert!(!sorted("templates/#reply.html#").0, "an editor's autosave");
        assert!(!sorted("themes/default/README.md").0);
        assert!(!sorted("public/index.html").0);
        assert!(!sorted("config.yaml.bak").0);
    }
}
