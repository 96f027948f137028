//! The theme: Tera templates and static files, from the theme folder on disk
//! or, for the default theme, compiled into the binary, with the site's own
//! `templates/` and `static/` laid over them file by file.
//!
//! Knows nothing of replies: it hands out a ready `Tera` and the static files.

use std::collections::{BTreeMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};
use tera::{ErrorKind, Kwargs, State, Tera};

use crate::ground::html;
use crate::ground::problem::Problem;
use crate::ground::site_folder::{Inside, is_skipped};
use crate::model::config::{BaseUrl, Config};
use rust_i18n::t;

static DEFAULT_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// Templates of machine-readable files. A theme is about how pages look, so
/// one that leaves these out gets the default theme's.
pub(crate) const FORMAT_TEMPLATES: [&str; 4] =
    ["atom.xml", "sitemap.xml", "sitemap_index.xml", "robots.txt"];

pub(crate) struct Theme {
    pub tera: Tera,
    /// Every template's name and text in 64 bits, for pages' digests.
    pub digest: u64,
    /// Static files by their site path, theme first, the site's over them.
    pub statics: BTreeMap<String, Vec<u8>>,
    /// Where each template came from, to name it in a rendering error.
    template_files: BTreeMap<String, PathBuf>,
}

/// A file and where it came from, so an error can name it.
struct Source {
    shown: PathBuf,
    bytes: Vec<u8>,
}

impl Theme {
    pub(crate) fn load(
        root: &Path,
        config: &Config,
        base: &BaseUrl,
    ) -> Result<Theme, Vec<Problem>> {
        let theme_dir = root.join("themes").join(&config.theme);
        let mut templates = BTreeMap::new();
        let mut statics = BTreeMap::new();
        if theme_dir.is_dir() {
            read_folder(&theme_dir.join("templates"), root, &mut templates)?;
            read_folder(&theme_dir.join("static"), root, &mut statics)?;
            let mut defaults = BTreeMap::new();
            read_embedded(&DEFAULT_THEME, "templates", &mut defaults);
            for name in FORMAT_TEMPLATES {
                if let (false, Some(source)) = (templates.contains_key(name), defaults.remove(name))
                {
                    templates.insert(name.to_string(), source);
                }
            }
        } else if config.theme == "default" {
            read_embedded(&DEFAULT_THEME, "templates", &mut templates);
            read_embedded(&DEFAULT_THEME, "static", &mut statics);
        } else {
            return Err(vec![Problem::new(
                crate::model::config::CONFIG_FILE,
                t!(
                    "theme.not_found",
                    theme = config.theme,
                    folder = theme_dir.display()
                ),
            )]);
        }
        // Both folders' problems at once.
        let mut problems = Vec::new();
        for (folder, into) in [("templates", &mut templates), ("static", &mut statics)] {
            let dir = root.join(folder);
            if dir.is_dir()
                && let Err(found) = read_folder(&dir, root, into)
            {
                problems.extend(found);
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let template_files = templates
            .iter()
            .map(|(name, source)| (name.clone(), source.shown.clone()))
            .collect();
        let mut hasher = DefaultHasher::new();
        for (name, source) in &templates {
            (name, &source.bytes).hash(&mut hasher);
        }
        let digest = hasher.finish();
        let tera = compile(templates, base)?;
        let statics = statics.into_iter().map(|(k, s)| (k, s.bytes)).collect();
        Ok(Theme {
            tera,
            digest,
            statics,
            template_files,
        })
    }

    /// Renders a template to bytes; an error names the template's file and
    /// line. An HTML page comes without its template's indentation
    /// (`html::compact`).
    pub(crate) fn render(
        &self,
        template: &str,
        context: &tera::Context,
    ) -> Result<Vec<u8>, Problem> {
        // Straight into bytes: a String would be checked for UTF-8 again.
        let mut bytes = Vec::with_capacity(16 * 1024);
        self.tera
            .render_to(template, context, &mut bytes)
            .map_err(|e| template_problem(&e, |name| self.template_files.get(name).cloned()))?;
        Ok(if template.ends_with(".html") {
            html::compact(&bytes)
        } else {
            bytes
        })
    }

    /// A problem for each static file where dafu makes one of `pages`:
    /// which of the two a folder holds would depend on the order they were
    /// written in.
    pub(crate) fn static_clashes(&self, pages: &[String]) -> Vec<Problem> {
        let pages: HashSet<&str> = pages.iter().map(String::as_str).collect();
        self.statics
            .keys()
            .filter(|path| pages.contains(path.as_str()))
            .map(|path| {
                Problem::new(
                    format!("static/{path}"),
                    t!("build.static_clash", path = path),
                )
                .hint(t!("build.static_clash_hint"))
            })
            .collect()
    }
}

fn compile(templates: BTreeMap<String, Source>, base: &BaseUrl) -> Result<Tera, Vec<Problem>> {
    let mut tera = Tera::new();
    tera.autoescape_on([".html", ".xml"]);
    register_functions(&mut tera, base);
    let mut problems = Vec::new();
    let mut texts = Vec::new();
    for (name, source) in &templates {
        match std::str::from_utf8(&source.bytes) {
            Ok(text) => texts.push((name.as_str(), text)),
            Err(_) => problems.push(Problem::new(&source.shown, t!("theme.not_utf8"))),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    tera.add_raw_templates(texts).map_err(|e| {
        let file_of = |name: &str| templates.get(name).map(|s| s.shown.clone());
        match e.kind() {
            ErrorKind::Msg(message) => {
                reports(message, &file_of).unwrap_or_else(|| vec![template_problem(&e, file_of)])
            }
            _ => vec![template_problem(&e, file_of)],
        }
    })?;
    Ok(tera)
}

/// Tera checks the filters, tests and functions templates use only once
/// they are all added, and gives what it found as one message of reports,
/// each `error: Unknown filter `x`` then ` --> term.html:5:21`: a problem
/// each, at its file, line and column. None if the message is not that.
fn reports(message: &str, file_of: &impl Fn(&str) -> Option<PathBuf>) -> Option<Vec<Problem>> {
    let mut problems = Vec::new();
    let mut lines = message.lines();
    while let Some(line) = lines.next() {
        let Some(what) = line.strip_prefix("error: ") else {
            continue;
        };
        let place = lines.next()?.trim_start().strip_prefix("--> ")?;
        let mut parts = place.rsplitn(3, ':');
        let (col, line, name) = (parts.next()?, parts.next()?, parts.next()?);
        let shown = file_of(name).unwrap_or_else(|| name.into());
        problems.push(Problem::new(shown, what).at(line.parse().ok()?, col.parse().ok()?));
    }
    (!problems.is_empty()).then_some(problems)
}

/// `url(path="years/")` gives the link to a site path under the base path;
/// every link a theme makes goes through it, so a sub-path works everywhere.
fn register_functions(tera: &mut Tera, base: &BaseUrl) {
    let link_base = base.clone();
    tera.register_function("url", move |kwargs: Kwargs, _: &State| {
        let path: &str = kwargs.must_get("path")?;
        Ok::<_, tera::Error>(link_base.link(path))
    });
    let absolute_base = base.clone();
    tera.register_function("absolute_url", move |kwargs: Kwargs, _: &State| {
        let path: &str = kwargs.must_get("path")?;
        Ok::<_, tera::Error>(absolute_base.absolute(path))
    });
}

/// A Tera error as a problem naming the template file and line.
pub(crate) fn template_problem(
    error: &tera::Error,
    file_of: impl Fn(&str) -> Option<PathBuf>,
) -> Problem {
    match error.kind() {
        ErrorKind::SyntaxError(report) | ErrorKind::RenderingError(report) => {
            let shown = file_of(report.filename()).unwrap_or_else(|| report.filename().into());
            let span = report.span();
            Problem::new(shown, report.message().to_string())
                .at(span.start_line, span.start_col + 1)
        }
        ErrorKind::MissingParent { current, parent } => Problem::new(
            file_of(current).unwrap_or_else(|| current.into()),
            t!("theme.no_parent", parent = parent),
        ),
        _ => Problem::new("templates", error.to_string()),
    }
}

fn read_folder(
    dir: &Path,
    root: &Path,
    into: &mut BTreeMap<String, Source>,
) -> Result<(), Vec<Problem>> {
    if !dir.is_dir() {
        return Ok(());
    }
    let mut problems = Vec::new();
    let mut outside = Vec::new();
    let site = Inside::new(root)?;
    // Hidden files are skipped as in content/: an editor's swap file beside
    // an open template (`.base.html.swp`) is no template. A link is
    // followed only inside the site: a template or static file is published.
    let walk = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            (e.depth() == 0 || !is_skipped(e.file_name())) && site.admits(e, &mut outside)
        });
    for entry in walk {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                problems.push(Problem::new(
                    e.path().unwrap_or(dir),
                    t!("file.cannot_read", error = e),
                ));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let shown = entry
            .path()
            .strip_prefix(root)
            .unwrap_or(entry.path())
            .to_path_buf();
        let name = relative_name(dir, entry.path());
        match std::fs::read(entry.path()) {
            Ok(bytes) => {
                into.insert(name, Source { shown, bytes });
            }
            Err(e) => problems.push(Problem::new(shown, t!("file.cannot_read", error = e))),
        }
    }
    problems.append(&mut outside);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

fn read_embedded(theme: &Dir<'static>, folder: &str, into: &mut BTreeMap<String, Source>) {
    let Some(dir) = theme.get_dir(folder) else {
        return;
    };
    let mut stack = vec![dir];
    while let Some(dir) = stack.pop() {
        stack.extend(dir.dirs());
        for file in dir.files() {
            let name = relative_name(Path::new(folder), file.path());
            let shown = Path::new("(built-in theme)").join(file.path());
            into.insert(
                name,
                Source {
                    shown,
                    bytes: file.contents().to_vec(),
                },
            );
        }
    }
}

/// A file's name inside its folder, with `/` separators on every system.
fn relative_name(dir: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(dir).unwrap_or(file);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_editors_swap_file_beside_a_template_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let templates = dir.path().join("templates");
        std::fs::create_dir(&templates).unwrap();
        std::fs::write(templates.join(".index.html.swp"), [0xff, 0xfe, 0]).unwrap();
        let config = Config::default();
        let theme = Theme::load(dir.path(), &config, &config.base());
        assert!(theme.is_ok(), "{:?}", theme.err());
    }
}
