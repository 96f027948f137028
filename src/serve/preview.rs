//! The preview's model of the site: every input as last read, the archive
//! of the last good build, and what has changed since.
//!
//! [`Preview::apply`] takes the files that changed, re-reads only those, and
//! answers with the pages to put in and take out. Which pages is decided by
//! [`Renderer::plan`] and [`Renderer::inputs`] alone: a page is rendered again
//! when one of its inputs was touched, so a page kind added to the renderer
//! needs nothing here. The renderer is `build`'s, so a previewed page is the
//! page `build` writes, byte for byte.
//!
//! While any input has a problem nothing is rendered: the last good site
//! stays, and the changes wait in `pending` until every problem is mended.
//! Knows nothing of HTTP or of watching.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use tera::Value;

use crate::ground::lang;
use crate::ground::page::{Kept, Page};
use crate::ground::problem::Problem;
use crate::model::archive::{self, Archive, Facet, Term};
use crate::model::body::Bodies;
use crate::model::config::{BaseUrl, BodyOptions, Config};
use crate::model::content::{self, CONTENT_DIR};
use crate::model::proposal::ProposalKey;
use crate::model::reply::Reply;
use crate::site::{Data, Index, Output, Plan, Static, Templated, in_memory};
use crate::stages::render::{Input, PageSpec, Renderer, reply_value};
use crate::stages::theme::Theme;
use rust_i18n::t;

/// What changed on disk since the last call, as the watcher saw it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Changes {
    /// Reply files (`content/**.md`) written, created or removed.
    pub replies: BTreeSet<PathBuf>,
    /// Something else under `content/` (a folder moved or removed): every
    /// file is found again, and the new ones read.
    pub rescan: bool,
    pub config: bool,
    pub templates: bool,
    pub statics: bool,
    /// A static file other than a stylesheet (a script, an image): the page
    /// must load again to use it, where a stylesheet is swapped in place.
    pub other_statics: bool,
}

impl Changes {
    /// Everything, as for the first build.
    pub(super) fn everything() -> Changes {
        Changes {
            replies: BTreeSet::new(),
            rescan: true,
            config: true,
            templates: true,
            statics: true,
            other_statics: true,
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        *self == Changes::default()
    }

    /// Only static files: no page, and not the search index, changes.
    pub(super) fn only_statics(&self) -> bool {
        self.statics && !self.templates && !self.config && !self.rescan && self.replies.is_empty()
    }

    /// Only stylesheets: an open page swaps them and need not reload.
    pub(super) fn only_stylesheets(&self) -> bool {
        self.only_statics() && !self.other_statics
    }
}

/// What a change did to the site.
#[derive(Debug)]
pub(super) enum Outcome {
    /// The site changed: put `pages` in (replacing the whole site when
    /// `whole`), take the paths in `removed` out.
    Rebuilt {
        pages: Vec<Page>,
        removed: Vec<String>,
        whole: bool,
        replies: usize,
    },
    /// The input has problems; the last good site stays as it is.
    Problems(Vec<Problem>),
}

pub(super) struct Preview {
    /// Absolute, so that paths from the watcher and from `content::find` match.
    root: PathBuf,
    drafts: bool,
    /// The last config.yaml that was read without a problem.
    config: Config,
    base: BaseUrl,
    /// The body options (allow_html, base path) the replies in `files`
    /// were parsed with.
    parsed_with: BodyOptions,
    /// The last theme that loaded without a problem.
    theme: Option<Arc<Theme>>,
    /// Every reply file under content/, as last read.
    files: BTreeMap<PathBuf, Loaded>,
    config_problem: Option<Problem>,
    theme_problems: Vec<Problem>,
    content_problems: Vec<Problem>,
    /// Each published reply's template data by its site path, kept between
    /// rebuilds; serialising 10,000 replies again would take longer than the
    /// whole of an incremental rebuild.
    values: HashMap<String, Value>,
    built: Option<Built>,
    /// Reply files changed since the last good build, each with its reply in
    /// that build (`None` when it had none).
    pending: BTreeMap<PathBuf, Option<Arc<Reply>>>,
    /// Since the last good build, templates or config changed: every page.
    pending_all: bool,
    pending_statics: bool,
}

/// A reply file as last read: its reply, or what is wrong with it.
type Loaded = Result<Arc<Reply>, Vec<Problem>>;

/// The last good build.
struct Built {
    archive: Archive,
    /// Template data of `archive`'s replies, in its order.
    values: Vec<Value>,
    site: Value,
    statics: Vec<String>,
}

impl Preview {
    /// A preview of the site in `root`, nothing read yet: the first
    /// [`apply`](Preview::apply) of [`Changes::everything`] reads it all.
    pub(super) fn new(root: &Path, drafts: bool) -> Preview {
        let config = Config::default();
        Preview {
            root: root.to_path_buf(),
            drafts,
            base: config.base(),
            parsed_with: config.body_options(),
            config,
            theme: None,
            files: BTreeMap::new(),
            config_problem: None,
            theme_problems: Vec::new(),
            content_problems: Vec::new(),
            values: HashMap::new(),
            built: None,
            pending: BTreeMap::new(),
            pending_all: true,
            pending_statics: true,
        }
    }

    /// The path every page is served under: `/`, or `base_url`'s sub-path.
    pub(super) fn base_path(&self) -> &str {
        &self.base.path
    }

    /// What the background thread renders from: the last good site,
    /// shared, not copied (the replies and their template data are
    /// reference-counted).
    pub(super) fn snapshot(&self) -> Option<Snapshot> {
        let built = self.built.as_ref()?;
        Some(Snapshot {
            archive: built.archive.clone(),
            theme: self.theme.clone()?,
            config: self.config.clone(),
            base: self.base.clone(),
            values: built.values.clone(),
        })
    }

    /// The link to the site's home, percent-encoded: `/zxta/`.
    pub(super) fn home_link(&self) -> String {
        self.base.link("")
    }

    /// Reads what changed and renders the pages it touches.
    pub(super) fn apply(&mut self, changes: &Changes) -> Outcome {
        let config_changed = changes.config && self.reload_config();
        if config_changed || changes.templates || changes.statics {
            self.reload_theme();
            self.pending_all |= config_changed || changes.templates;
            self.pending_statics = true;
        }
        self.reload_content(changes);
        let problems = self.problems();
        if !problems.is_empty() {
            return Outcome::Problems(problems);
        }
        match self.rebuild() {
            Ok(outcome) => outcome,
            Err(problems) => Outcome::Problems(self.shown(problems)),
        }
    }

    /// Reads config.yaml; true when the settings in force changed.
    fn reload_config(&mut self) -> bool {
        match Config::load(&self.root) {
            Ok(config) => {
                lang::adopt(config.message_lang());
                self.config_problem = None;
                // Config has no PartialEq; its serialised form says the same.
                let same =
                    serde_json::to_value(&config).ok() == serde_json::to_value(&self.config).ok();
                if !same {
                    self.base = config.base();
                    self.config = config;
                    // Reply data holds links (slugs, base path) and the legend.
                    self.values.clear();
                }
                !same
            }
            Err(problem) => {
                self.config_problem = Some(problem);
                false
            }
        }
    }

    fn reload_theme(&mut self) {
        match Theme::load(&self.root, &self.config, &self.base) {
            Ok(theme) => {
                self.theme = Some(Arc::new(theme));
                self.theme_problems.clear();
            }
            Err(problems) => self.theme_problems = problems,
        }
    }

    fn reload_content(&mut self, changes: &Changes) {
        let mut dirty = changes.replies.clone();
        // What a walk of content/ found just now: no link among them leads
        // outside the site. Any other file is checked as the walk would.
        let mut admitted = BTreeSet::new();
        // allow_html and the base path change how every body is rendered:
        // the one case where a reply is parsed again without being edited.
        let reparse = self.config.body_options() != self.parsed_with;
        if changes.rescan || reparse {
            match content::find(&self.root) {
                Ok(found) => {
                    self.content_problems.clear();
                    let found: BTreeSet<PathBuf> =
                        found.into_iter().map(|(path, _)| path).collect();
                    dirty.extend(self.files.keys().filter(|f| !found.contains(*f)).cloned());
                    dirty.extend(
                        found
                            .iter()
                            .filter(|f| reparse || !self.files.contains_key(*f))
                            .cloned(),
                    );
                    admitted = found;
                    self.parsed_with = self.config.body_options();
                }
                Err(problems) => self.content_problems = problems,
            }
        }
        let content_dir = self.root.join(CONTENT_DIR);
        let options = self.config.body_options();
        let site = crate::ground::site_folder::Inside::new(&self.root);
        // `None`: the file is gone.
        let loaded: Vec<(PathBuf, Option<Loaded>)> = dirty
            .into_par_iter()
            .map(|file| {
                let reply = file.is_file().then(|| {
                    // A file saved since the folder was last read may be a
                    // link: read as `content::find` would.
                    let outside = || site.as_ref().ok().and_then(|site| site.outside(&file));
                    if !admitted.contains(&file)
                        && let Some(problem) = outside()
                    {
                        return Err(vec![problem]);
                    }
                    let site_path = content::site_path(&content_dir, &file);
                    content::load_one(&self.root, &file, site_path, Bodies::Held(&options))
                        .map(Arc::new)
                });
                (file, reply)
            })
            .collect();
        for (file, reply) in loaded {
            if !self.pending.contains_key(&file) {
                let before = self.files.get(&file).and_then(|r| r.as_ref().ok()).cloned();
                self.pending.insert(file.clone(), before);
            }
            match reply {
                Some(reply) => {
                    self.files.insert(file, reply);
                }
                None => {
                    self.files.remove(&file);
                }
            }
        }
    }

    /// Every problem of every input, paths shown from the site's root.
    fn problems(&self) -> Vec<Problem> {
        let mut problems: Vec<Problem> = self.config_problem.iter().cloned().collect();
        problems.extend(self.theme_problems.iter().cloned());
        problems.extend(self.content_problems.iter().cloned());
        for reply in self.files.values() {
            if let Err(found) = reply {
                problems.extend(found.iter().cloned());
            }
        }
        self.shown(problems)
    }

    fn shown(&self, problems: Vec<Problem>) -> Vec<Problem> {
        let problems = problems
            .into_iter()
            .map(|p| p.relative_to(&self.root))
            .collect();
        crate::ground::problem::sorted(problems)
    }

    /// Renders what changed since the last good build.
    fn rebuild(&mut self) -> Result<Outcome, Vec<Problem>> {
        if self.theme.is_none() {
            return Err(vec![Problem::new("templates", t!("serve.no_theme"))]);
        }
        if !self.doc_numbers_kept() {
            let clashes = archive::doc_number_clashes(self.replies().map(|r| &**r));
            if !clashes.is_empty() {
                return Err(clashes);
            }
        }
        let outcome = match self.edited_in_place() {
            Some(edited) => self.render_in_place(edited)?,
            None => self.render_new_archive()?,
        };
        self.pending.clear();
        self.pending_all = false;
        self.pending_statics = false;
        Ok(outcome)
    }

    /// Whether every 文号 is where it was in the last good build, which had
    /// no two alike: no file came or went, none changed its department or
    /// 文号. Then checking 10,000 of them again can be skipped.
    fn doc_numbers_kept(&self) -> bool {
        self.built.is_some()
            && self.pending.iter().all(|(file, before)| {
                let after = self.files.get(file).and_then(|r| r.as_ref().ok());
                match (before, after) {
                    (Some(before), Some(after)) => {
                        before.department == after.department
                            && before.stated.doc_number == after.stated.doc_number
                    }
                    _ => false,
                }
            })
    }

    /// Every reply that was read without a problem, published or not.
    fn replies(&self) -> impl Iterator<Item = &Arc<Reply>> {
        self.files.values().filter_map(|r| r.as_ref().ok())
    }

    /// The edited replies and their ids, when every pending change leaves a
    /// published reply in its place: the same URL, date and terms. Editing a
    /// reply's text is by far the commonest change, and then neither the
    /// archive's order nor its facets need building again.
    fn edited_in_place(&self) -> Option<Vec<(usize, Arc<Reply>)>> {
        let built = self.built.as_ref()?;
        if self.pending_all {
            return None;
        }
        let mut edited = Vec::with_capacity(self.pending.len());
        for (file, before) in &self.pending {
            let before = before.as_ref()?;
            let after = self.files.get(file)?.as_ref().ok()?;
            let in_place = before.is_published(self.drafts)
                && after.is_published(self.drafts)
                && before.path == after.path
                && before.date.sort_key() == after.date.sort_key()
                && ProposalKey::of(before) == ProposalKey::of(after)
                && Facet::ALL
                    .iter()
                    .all(|facet| facet.terms_of(before) == facet.terms_of(after));
            if !in_place {
                return None;
            }
            let id = built
                .archive
                .replies()
                .iter()
                .position(|reply| reply.path == after.path)?;
            edited.push((id, after.clone()));
        }
        Some(edited)
    }

    /// Puts edited replies into the last good archive and renders the pages
    /// that show them, and those drawn from everything.
    fn render_in_place(
        &mut self,
        edited: Vec<(usize, Arc<Reply>)>,
    ) -> Result<Outcome, Vec<Problem>> {
        let (Some(built), Some(theme)) = (self.built.as_mut(), self.theme.as_ref()) else {
            return Err(vec![Problem::new("templates", t!("serve.no_theme"))]);
        };
        if self.pending_statics {
            // An edit in place moves no page: the last good archive's do.
            let values = built.values.clone();
            let renderer =
                Renderer::from_values(&built.archive, theme, &self.config, &self.base, values);
            no_static_clashes(&renderer, theme)?;
        }
        let mut touched = Touched {
            everything: true,
            ..Touched::default()
        };
        for (id, reply) in edited {
            let value = reply_value(&reply, &self.config, &self.base, &built.archive);
            self.values.insert(reply.path.clone(), value.clone());
            built.values[id] = value;
            touched.replies.push(reply.path.clone());
            touched.proposals.extend(ProposalKey::of(&reply));
            built.archive.replace(id, reply);
        }
        let renderer = Renderer::from_values(
            &built.archive,
            theme,
            &self.config,
            &self.base,
            built.values.clone(),
        );
        let specs: Vec<PageSpec> = renderer
            .pages()
            .into_par_iter()
            .filter(|&spec| touched.any(&renderer.inputs(spec)))
            .collect();
        let mut pages = rendered(&renderer, specs)?;
        let mut removed = Vec::new();
        if self.pending_statics {
            removed = add_statics(theme, Some(&built.statics), &mut pages)?;
            built.statics = theme.statics.keys().cloned().collect();
        }
        Ok(Outcome::Rebuilt {
            pages,
            removed,
            whole: false,
            replies: built.archive.replies().len(),
        })
    }

    /// Builds a new archive from the replies as read, and renders the pages
    /// whose inputs differ between the last good archive and the new one.
    fn render_new_archive(&mut self) -> Result<Outcome, Vec<Problem>> {
        let published = self
            .replies()
            .filter(|r| r.is_published(self.drafts))
            .cloned()
            .collect();
        let archive = Archive::from_shared(published, &self.config)?;

        for (file, before) in &self.pending {
            let after = self.files.get(file).and_then(|r| r.as_ref().ok());
            for reply in before.iter().chain(after) {
                self.values.remove(&reply.path);
            }
        }
        let missing: Vec<(String, Value)> = archive
            .replies()
            .par_iter()
            .filter(|reply| !self.values.contains_key(&reply.path))
            .map(|reply| {
                let value = reply_value(reply, &self.config, &self.base, &archive);
                (reply.path.clone(), value)
            })
            .collect();
        self.values.extend(missing);
        let values: Vec<Value> = archive
            .replies()
            .iter()
            .map(|reply| self.values[&reply.path].clone())
            .collect();

        let Some(theme) = self.theme.as_ref() else {
            return Err(vec![Problem::new("templates", t!("serve.no_theme"))]);
        };
        let renderer =
            Renderer::from_values(&archive, theme, &self.config, &self.base, values.clone());
        // Every page shows `site` (the footer counts the replies).
        let whole = match &self.built {
            None => true,
            Some(built) => self.pending_all || built.site != *renderer.site(),
        };
        let (specs, mut removed) = match &self.built {
            Some(built) if !whole => {
                let old = Renderer::from_values(
                    &built.archive,
                    theme,
                    &self.config,
                    &self.base,
                    built.values.clone(),
                );
                let touched = self.touched(&built.archive, &archive);
                touched_pages(&old, &renderer, &touched)
            }
            _ => (renderer.plan(), Vec::new()),
        };
        if whole || self.pending_statics {
            no_static_clashes(&renderer, theme)?;
        }
        let mut pages = rendered(&renderer, specs)?;
        if whole {
            pages.extend(in_memory(Data::all(&archive, &self.base, None).into())?);
        }
        if whole || self.pending_statics {
            let before = self.built.as_ref().map(|b| b.statics.as_slice());
            removed.extend(add_statics(theme, before, &mut pages)?);
        }
        let site = renderer.site().clone();
        drop(renderer);
        let replies = archive.replies().len();
        self.built = Some(Built {
            archive,
            values,
            site,
            statics: theme.statics.keys().cloned().collect(),
        });
        Ok(Outcome::Rebuilt {
            pages,
            removed,
            whole,
            replies,
        })
    }

    /// The inputs the pending changes touched, comparing the last good
    /// archive with the new one.
    fn touched(&self, old: &Archive, new: &Archive) -> Touched {
        let mut touched = Touched {
            everything: !self.pending.is_empty(),
            ..Touched::default()
        };
        for (file, before) in &self.pending {
            let after = self.files.get(file).and_then(|r| r.as_ref().ok());
            // A reply that moves to another proposal leaves the old one's
            // session with a proposal fewer, though its lists are as they
            // were; one that changes its class changes the counts on its
            // department's and session's pages.
            let versions = [before.as_deref(), after.map(|r| &**r)];
            let keys = versions.map(|r| r.and_then(ProposalKey::of));
            if keys[0] != keys[1] {
                for key in keys.iter().flatten() {
                    touched.terms.push((Facet::Session, key.session.clone()));
                }
            }
            let results = versions.map(|r| r.map(|r| &r.stated.result));
            if results[0] != results[1] {
                for reply in versions.iter().flatten() {
                    for facet in [Facet::Department, Facet::Session] {
                        touched
                            .terms
                            .extend(facet.terms_of(reply).into_iter().map(|t| (facet, t)));
                    }
                }
            }
            let versions = before.iter().chain(after);
            for reply in versions.filter(|r| r.is_published(self.drafts)) {
                touched.proposals.extend(ProposalKey::of(reply));
                if !touched.replies.contains(&reply.path) {
                    touched.replies.push(reply.path.clone());
                }
                for facet in Facet::ALL {
                    for name in facet.terms_of(reply) {
                        let known = touched.terms.iter().any(|(f, n)| *f == facet && *n == name);
                        if !known && term_list(old, facet, &name) != term_list(new, facet, &name) {
                            touched.terms.push((facet, name));
                        }
                    }
                }
            }
        }
        touched.facets = Facet::ALL
            .into_iter()
            .filter(|&facet| !same_terms(old.terms(facet), new.terms(facet)))
            .collect();
        touched
    }
}

/// Inputs a change touched: the replies edited, the terms whose list of
/// replies changed (members or order), the facets whose terms or counts
/// changed, and everything drawn from all replies. A change touches one or
/// a few of each, so lists searched in order beat hashing every input.
#[derive(Debug, Default)]
struct Touched {
    everything: bool,
    replies: Vec<String>,
    terms: Vec<(Facet, String)>,
    facets: Vec<Facet>,
    proposals: Vec<ProposalKey>,
}

impl Touched {
    fn any(&self, inputs: &[Input]) -> bool {
        inputs.iter().any(|input| match input {
            Input::Everything => self.everything,
            Input::Reply(path) => self.replies.iter().any(|r| r == path),
            Input::Term(facet, name) => self.terms.iter().any(|(f, n)| f == facet && n == name),
            Input::Facet(facet) => self.facets.contains(facet),
            Input::Proposal(key) => self.proposals.contains(key),
        })
    }
}

/// A problem for each static file where `renderer` makes a page (see
/// `Plan::clashes`).
fn no_static_clashes(renderer: &Renderer, theme: &Theme) -> Result<(), Vec<Problem>> {
    let clashes = Plan::of(renderer, theme).clashes(theme);
    if clashes.is_empty() {
        Ok(())
    } else {
        Err(clashes)
    }
}

/// The pages `specs` of `renderer`, made in memory, in parallel.
fn rendered(renderer: &Renderer, specs: Vec<PageSpec>) -> Result<Vec<Page>, Vec<Problem>> {
    in_memory(
        (specs.into_iter())
            .map(|spec| Templated { renderer, spec })
            .collect(),
    )
}

/// The last good site, for the pages made in the background.
pub(super) struct Snapshot {
    archive: Archive,
    theme: Arc<Theme>,
    config: Config,
    base: BaseUrl,
    values: Vec<Value>,
}

impl Snapshot {
    /// The search index, the open data files and the sitemap.
    pub(super) fn render_background(&self) -> Vec<Page> {
        let renderer = Renderer::from_values(
            &self.archive,
            &self.theme,
            &self.config,
            &self.base,
            self.values.clone(),
        );
        // The sitemap, like the open data files, is drawn from every reply
        // and takes tens of milliseconds at 10,000 replies: after an edit it
        // is made again here, off the path from a save to the page (see
        // `Renderer::sitemap`). A template problem shows with the next
        // rebuild's overlay: the same templates render the sitemap there.
        let mut pages = rendered(&renderer, renderer.sitemap()).unwrap_or_default();
        let data = Data::all(&self.archive, &self.base, None);
        pages.extend(in_memory(data.into()).unwrap_or_default());
        // Into memory; only the temporary file can fail (a full disk), and
        // then the preview goes on without search and says why.
        let kept = Kept::default();
        let index = Index {
            archive: &self.archive,
            base: &self.base,
            legend: &self.config.result_legend,
            previous: None,
        };
        if let Err(error) = index.make(&kept) {
            let error = match error {
                crate::BuildError::Io(error) => format!("{error:#}"),
                crate::BuildError::Usage(problem) => problem.to_string(),
                crate::BuildError::Content(problems) => {
                    let problems: Vec<String> = problems.iter().map(Problem::to_string).collect();
                    problems.join("; ")
                }
            };
            eprintln!("{}", t!("serve.index_not_remade", error = error));
        }
        pages.extend(kept.into_pages());
        pages
    }
}

/// The pages of the new plan to render, and the paths of pages that the old
/// plan had and the new one no longer has. A page that goes away had a
/// touched input (a reply removed, a term that lost its last page), so only
/// the old plan's touched pages need looking at. The sitemap is the
/// background's (`Snapshot::render_background`): it stays served until the
/// background has its successor, and removes what it no longer makes
/// (`index_in_background`).
fn touched_pages(
    old: &Renderer,
    new: &Renderer,
    touched: &Touched,
) -> (Vec<PageSpec>, Vec<String>) {
    let specs: Vec<PageSpec> = new
        .pages()
        .into_par_iter()
        .filter(|&spec| touched.any(&new.inputs(spec)))
        .collect();
    let kept: HashSet<String> = specs.iter().map(|&spec| new.path(spec)).collect();
    let removed = old
        .pages()
        .into_par_iter()
        .filter(|&spec| touched.any(&old.inputs(spec)))
        .map(|spec| old.path(spec))
        .filter(|path| !kept.contains(path))
        .collect();
    (specs, removed)
}

/// Adds the theme's static files to `pages`; returns the paths of those
/// that were in the last build (`before`) and are gone.
fn add_statics(
    theme: &Theme,
    before: Option<&[String]>,
    pages: &mut Vec<Page>,
) -> Result<Vec<String>, Vec<Problem>> {
    let statics = (theme.statics.iter())
        .map(|(path, bytes)| Static { path, bytes })
        .collect();
    pages.extend(in_memory(statics)?);
    Ok(before
        .unwrap_or_default()
        .iter()
        .filter(|path| !theme.statics.contains_key(*path))
        .cloned()
        .collect())
}

/// The site paths of a term's replies, in order; `None` without the term.
fn term_list<'a>(archive: &'a Archive, facet: Facet, name: &str) -> Option<Vec<&'a str>> {
    let term = archive.term(facet, name)?;
    Some(
        term.replies
            .iter()
            .map(|&id| archive.replies()[id].path.as_str())
            .collect(),
    )
}

/// Whether a facet's index would list the same terms with the same counts.
fn same_terms(old: &[Term], new: &[Term]) -> bool {
    old.len() == new.len()
        && old.iter().zip(new).all(|(a, b)| {
            a.name == b.name && a.slug == b.slug && a.replies.len() == b.replies.len()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A site folder and the pages a preview of it serves, kept up to date
    /// the way the server keeps them.
    struct Fixture {
        dir: tempfile::TempDir,
        preview: Preview,
        pages: BTreeMap<String, Vec<u8>>,
    }

    fn reply(department: &str, date: &str, proposers: &str, body: &str) -> String {
        format!(
            "---\ntitle: 关于{body}的答复\ndepartment: {department}\ndate: {date}\n\
             proposers: [{proposers}]\n---\n\n{body}\n"
        )
    }

    impl Fixture {
        fn new(files: &[(&str, String)]) -> Fixture {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path().canonicalize().unwrap();
            std::fs::write(root.join("config.yaml"), "per_page: 2\n").unwrap();
            for (path, text) in files {
                write(&root, path, text);
            }
            let mut fixture = Fixture {
                preview: Preview::new(&root, false),
                dir,
                pages: BTreeMap::new(),
            };
            fixture.apply(Changes::everything());
            fixture
        }

        fn root(&self) -> PathBuf {
            self.dir.path().canonicalize().unwrap()
        }

        fn apply(&mut self, changes: Changes) -> (usize, bool) {
            match self.preview.apply(&changes) {
                Outcome::Rebuilt {
                    pages,
                    removed,
                    whole,
                    ..
                } => {
                    if whole {
                        self.pages.clear();
                    }
                    for path in removed {
                        self.pages.remove(&path);
                    }
                    let count = pages.len();
                    self.pages
                        .extend(pages.into_iter().map(|p| (p.path, p.bytes)));
                    // What serve's background thread adds a moment later.
                    let snapshot = self.preview.snapshot().expect("a good build");
                    self.pages.extend(
                        snapshot
                            .render_background()
                            .into_iter()
                            .map(|p| (p.path, p.bytes)),
                    );
                    (count, whole)
                }
                Outcome::Problems(problems) => panic!("{problems:?}"),
            }
        }

        /// Writes (or with `None` removes) reply files and applies the change.
        fn edit(&mut self, edits: &[(&str, Option<String>)]) -> (usize, bool) {
            let root = self.root();
            let mut changes = Changes::default();
            for (path, text) in edits {
                match text {
                    Some(text) => write(&root, path, text),
                    None => std::fs::remove_file(root.join(path)).unwrap(),
                }
                changes.replies.insert(root.join(path));
            }
            self.apply(changes)
        }

        /// The pages a fresh preview of the same folder renders.
        fn built_afresh(&self) -> BTreeMap<String, Vec<u8>> {
            let mut preview = Preview::new(&self.root(), false);
            match preview.apply(&Changes::everything()) {
                Outcome::Rebuilt { pages, .. } => {
                    let background = preview.snapshot().expect("a good build");
                    pages
                        .into_iter()
                        .chain(background.render_background())
                        .map(|p| (p.path, p.bytes))
                        .collect()
                }
                Outcome::Problems(problems) => panic!("{problems:?}"),
            }
        }

        fn assert_as_from_scratch(&self, step: &str) {
            let fresh = self.built_afresh();
            let kept: Vec<&String> = self.pages.keys().collect();
            let expected: Vec<&String> = fresh.keys().collect();
            assert_eq!(kept, expected, "{step}: the set of pages");
            for (path, bytes) in &fresh {
                assert!(self.pages[path] == *bytes, "{step}: {path} differs");
            }
        }
    }

    fn write(root: &Path, path: &str, text: &str) {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn every_kind_of_edit_leaves_the_pages_a_full_build_would_make() {
        // per_page is 2: 甲局 (r2, r4, r6) has two pages, 乙局 (r1, r3, r5, r7) two.
        let mut files = Vec::new();
        for i in 1..=7 {
            let department = if i % 2 == 0 { "甲局" } else { "乙局" };
            let text = reply(
                department,
                &format!("2021-03-0{i}"),
                "王一",
                &format!("第{i}件"),
            );
            files.push((format!("content/r{i}.md"), text));
        }
        files.push((
            "content/r8.md".into(),
            reply("丙局", "2020-05-01", "李二", "第8件"),
        ));
        let files: Vec<(&str, String)> =
            files.iter().map(|(p, t)| (p.as_str(), t.clone())).collect();
        let mut site = Fixture::new(&files);
        site.assert_as_from_scratch("first build");

        // The body alone: the reply, the list pages showing it, and the
        // pages drawn from everything; not every page of its terms.
        let (count, whole) = site.edit(&[(
            "content/r4.md",
            Some(reply("甲局", "2021-03-04", "王一", "修订")),
        )]);
        assert!(!whole);
        assert!(
            count < site.pages.len() / 2,
            "{count} of {}",
            site.pages.len()
        );
        site.assert_as_from_scratch("a body edit");

        // A new date moves it across the pages of every list it is in.
        let (_, whole) = site.edit(&[(
            "content/r4.md",
            Some(reply("甲局", "2020-12-31", "王一", "修订")),
        )]);
        assert!(!whole);
        site.assert_as_from_scratch("a date edit");

        // Another department and proposer: 甲局 shrinks to one page (its
        // page 2 goes), 丙局 and 李二 grow.
        assert!(
            site.pages
                .contains_key("departments/甲局/page/2/index.html")
        );
        let (_, whole) = site.edit(&[(
            "content/r4.md",
            Some(reply("丙局", "2020-12-31", "李二", "修订")),
        )]);
        assert!(!whole);
        site.assert_as_from_scratch("a department edit");
        assert!(
            !site
                .pages
                .contains_key("departments/甲局/page/2/index.html")
        );

        // Two files at once, one moving into the other's place in the order.
        let (_, whole) = site.edit(&[
            (
                "content/r2.md",
                Some(reply("甲局", "2021-03-06", "王一", "第2件")),
            ),
            (
                "content/r6.md",
                Some(reply("甲局", "2021-03-02", "王一", "第6件")),
            ),
        ]);
        assert!(!whole);
        site.assert_as_from_scratch("two edits");

        // A term's last reply leaves: the term and its pages go, and the
        // counts every page shows change with it.
        let (_, whole) = site.edit(&[
            (
                "content/r4.md",
                Some(reply("丙局", "2020-12-31", "王一", "修订")),
            ),
            (
                "content/r8.md",
                Some(reply("丙局", "2020-05-01", "王一", "第8件")),
            ),
        ]);
        assert!(whole);
        assert!(!site.pages.keys().any(|p| p.starts_with("proposers/李二/")));
        site.assert_as_from_scratch("a term emptied");

        // Added, removed, withheld: the reply count in every footer changes.
        let (_, whole) = site.edit(&[(
            "content/new.md",
            Some(reply("乙局", "2022-01-01", "赵三", "新")),
        )]);
        assert!(whole);
        site.assert_as_from_scratch("a reply added");
        site.edit(&[("content/r1.md", None)]);
        site.assert_as_from_scratch("a reply removed");
        let withheld = reply("乙局", "2021-03-03", "王一", "不公开").replacen(
            "---\n\n",
            "disclosure: 不予公开\n---\n\n",
            1,
        );
        site.edit(&[("content/r3.md", Some(withheld))]);
        site.assert_as_from_scratch("a reply withheld");
        assert!(!site.pages.keys().any(|p| p.starts_with("r3/")));
    }

    #[test]
    fn a_text_edit_renders_its_page_its_lists_and_the_home_page_only() {
        let mut site = Fixture::new(&[
            ("content/a.md", reply("甲局", "2021-03-01", "王一", "原文")),
            (
                "content/b.md",
                reply("乙局", "2021-03-02", "李二", "另一件"),
            ),
        ]);
        let changes = Changes {
            replies: [site.root().join("content/a.md")].into(),
            ..Changes::default()
        };
        write(
            &site.root(),
            "content/a.md",
            &reply("甲局", "2021-03-01", "王一", "新文"),
        );
        let Outcome::Rebuilt {
            pages,
            removed,
            whole,
            ..
        } = site.preview.apply(&changes)
        else {
            panic!("a text edit failed");
        };
        let mut paths: Vec<&str> = pages.iter().map(|p| p.path.as_str()).collect();
        paths.sort_unstable();
        assert!(!whole && removed.is_empty());
        assert_eq!(
            paths,
            [
                "404.html",
                "a/index.html",
                "atom.xml",
                "departments/甲局/atom.xml",
                "departments/甲局/index.html",
                "index.html",
                // A member with one reply has no feed (MEMBER_FEED_REPLIES).
                "proposers/王一/index.html",
                "search/index.html",
                "sessions/未注明/atom.xml",
                "sessions/未注明/index.html",
                "stats/index.html",
                "years/2021/index.html",
            ]
        );
    }

    #[test]
    fn a_doc_number_made_equal_to_anothers_is_a_problem() {
        let numbered = |number: &str| {
            reply("甲局", "2021-03-01", "王一", "正文").replacen(
                "---\n\n",
                &format!("doc_number: {number}\n---\n\n"),
                1,
            )
        };
        let mut site = Fixture::new(&[
            ("content/a.md", numbered("甲〔2021〕1号")),
            ("content/b.md", numbered("甲〔2021〕2号")),
        ]);
        write(&site.root(), "content/b.md", &numbered("甲〔2021〕1号"));
        let changes = Changes {
            replies: [site.root().join("content/b.md")].into(),
            ..Changes::default()
        };
        match site.preview.apply(&changes) {
            Outcome::Problems(problems) => assert!(problems[0].message.contains("文号")),
            Outcome::Rebuilt { .. } => panic!("two replies with one 文号 built"),
        }
    }

    #[test]
    fn a_broken_reply_keeps_the_last_good_pages_until_mended() {
        let good = reply("甲局", "2021-03-01", "王一", "原文");
        let mut site = Fixture::new(&[("content/a.md", good.clone())]);
        let root = site.root();
        write(&root, "content/a.md", "---\ntitle: 无单位\n---\n");
        let changes = Changes {
            replies: [root.join("content/a.md")].into(),
            ..Changes::default()
        };
        match site.preview.apply(&changes) {
            Outcome::Problems(problems) => {
                assert_eq!(problems[0].path, Path::new("content/a.md"));
            }
            Outcome::Rebuilt { .. } => panic!("a reply without department built"),
        }
        // Mended with new text: the edit made while broken is not lost.
        site.edit(&[(
            "content/a.md",
            Some(reply("甲局", "2021-03-01", "王一", "新文")),
        )]);
        let page = String::from_utf8(site.pages["a/index.html"].clone()).unwrap();
        assert!(page.contains("新文"));
        site.assert_as_from_scratch("mended");
    }
}
