//! The build's pipeline: a site loaded and checked ([`Site::load`]), then
//! every file it makes, in the order [`Site::each_page`] reads: the plan
//! of every path, static files that clash with it, what each file is made
//! of, the pages, static files and open data in parallel, the link
//! report, and last the search index. Every file is an `Output` (see
//! `outputs`), made or kept in one place (`Looked`). `dafu build` and
//! `dafu check` run it alike; a [`Run`] says which, and so whether there
//! is a folder to compare with.

mod outputs;

use std::path::Path;
use std::sync::Mutex;

use rayon::prelude::*;
use rust_i18n::t;

use crate::ground::lang;
use crate::ground::page::{Page, Sink};
use crate::ground::problem::{Problem, sorted};
use crate::ground::shelf::Shelf;
use crate::ground::timings::Stages;
use crate::model::archive::{self, Archive};
use crate::model::body::Bodies;
use crate::model::config::{BaseUrl, CONFIG_FILE, Config};
use crate::model::{content, reply, workdays};
use crate::stages::data::DataFile;
use crate::stages::links::{LinkChecker, PageFindings, Seen};
use crate::stages::render::{PageSpec, Renderer};
use crate::stages::theme::Theme;
use crate::store::cache::Cache;
use crate::store::digest::{self, Digests, Made, Previous};
use crate::store::output;
use crate::{BuildError, BuildOptions};
pub(crate) use outputs::{Data, Index, Inputs, Output, Static, Templated, Wrote, in_memory};

/// What a run of the pipeline is for. `dafu check` makes every file and
/// keeps none: it has no folder to compare with, so makes no digest, and
/// no shelf. `dafu build` has both: the folder it overwrites, whose files
/// made of the same are left alone, and the shelf of the open data's lines.
pub(crate) enum Run<'r> {
    Check,
    Build {
        previous: &'r Previous<'r>,
        lines: &'r Shelf,
    },
}

impl<'r> Run<'r> {
    fn previous(&self) -> Option<&'r Previous<'r>> {
        match self {
            Run::Check => None,
            Run::Build { previous, .. } => Some(previous),
        }
    }

    fn lines(&self) -> Option<&'r Shelf> {
        match self {
            Run::Check => None,
            Run::Build { lines, .. } => Some(lines),
        }
    }
}

/// What `each_page` made: the path of every file, how many `sink` said
/// changed, and the digest of every file made or kept, for the next build.
#[derive(Default)]
pub(crate) struct Built {
    pub paths: Vec<String>,
    pub changed: usize,
    pub made: Vec<Made>,
}

/// Every file the site makes before the search index: the templated pages
/// (`specs`, whose paths come first in `paths`), then the open data files,
/// then the theme's static files.
pub(crate) struct Plan {
    pub specs: Vec<PageSpec>,
    pub paths: Vec<String>,
}

impl Built {
    /// This, then `more`.
    fn and(mut self, more: Built) -> Built {
        self.paths.extend(more.paths);
        self.changed += more.changed;
        self.made.extend(more.made);
        self
    }
}

impl Plan {
    pub(crate) fn of(renderer: &Renderer, theme: &Theme) -> Plan {
        let specs = renderer.plan();
        let paths = specs
            .iter()
            .map(|&spec| renderer.path(spec))
            .chain(DataFile::ALL.map(|file| file.path().to_string()))
            .chain(theme.statics.keys().cloned())
            .collect();
        Plan { specs, paths }
    }

    /// A problem for each static file of `theme` where the site makes a
    /// file (see `Theme::static_clashes`).
    pub(crate) fn clashes(&self, theme: &Theme) -> Vec<Problem> {
        let generated = &self.paths[..self.specs.len() + DataFile::ALL.len()];
        theme.static_clashes(generated)
    }
}

/// What became of one output.
struct Outcome {
    wrote: Wrote,
    /// The links its pages break, if it was made through `Checked`.
    findings: Vec<PageFindings>,
    /// Its file and digest, if it has one (see `Output::digest`).
    made: Option<Made>,
}

impl Outcome {
    /// The file at `path` left as `previous` holds it, if it was made of
    /// what `digest` says: unchanged, its links as good as when made.
    fn kept(previous: Option<&Previous>, path: &str, digest: Option<u64>) -> Option<Outcome> {
        let (previous, digest) = previous.zip(digest)?;
        if !previous.kept(path, digest) {
            return None;
        }
        Some(Outcome {
            wrote: Wrote::default(),
            findings: Vec::new(),
            made: Some(Made::kept(path.to_string(), digest)),
        })
    }
}

/// An output, what it is made of, and whether the previous folder holds
/// it as it would come out: the one place where a build decides to make a
/// file or leave it.
struct Looked<O> {
    output: O,
    path: String,
    digest: Option<u64>,
    kept: Option<Outcome>,
}

impl<O: Output> Looked<O> {
    fn at(output: O, run: &Run, inputs: Option<&Inputs>) -> Looked<O> {
        let path = output.path().into_owned();
        let digest = inputs.and_then(|inputs| output.digest(inputs));
        let kept = Outcome::kept(run.previous(), &path, digest);
        Looked {
            output,
            path,
            digest,
            kept,
        }
    }

    /// Makes the output into `sink`, unless it was kept.
    fn made(self, sink: &dyn Sink) -> Result<Outcome, BuildError> {
        if let Some(outcome) = self.kept {
            return Ok(outcome);
        }
        let wrote = self.output.make(sink)?;
        Ok(Outcome {
            wrote,
            findings: Vec::new(),
            made: self.digest.map(|digest| Made::new(self.path, digest)),
        })
    }

    /// As `made`, checking the links of its pages on their way (`Checked`).
    fn made_checked<S: Sink + ?Sized>(self, checked: &Checked<S>) -> Result<Outcome, BuildError> {
        let mut outcome = self.made(checked)?;
        outcome.findings = checked.take();
        Ok(outcome)
    }
}

/// A sink that checks the links of each page on its way to `sink` (see
/// `LinkChecker::page`) and holds what it finds until taken. One a task:
/// `seen` spares judging a link twice.
struct Checked<'c, S: ?Sized> {
    sink: &'c S,
    checker: &'c LinkChecker<'c>,
    seen: Mutex<Seen>,
    found: Mutex<Vec<PageFindings>>,
}

impl<'c, S: Sink + ?Sized> Checked<'c, S> {
    fn new(sink: &'c S, checker: &'c LinkChecker<'c>) -> Self {
        Checked {
            sink,
            checker,
            seen: Mutex::new(LinkChecker::seen()),
            found: Mutex::new(Vec::new()),
        }
    }

    /// What the pages put since the last time found.
    fn take(&self) -> Vec<PageFindings> {
        std::mem::take(&mut *locked(&self.found))
    }
}

impl<S: Sink + ?Sized> Sink for Checked<'_, S> {
    fn put(&self, page: Page) -> anyhow::Result<bool> {
        let findings = self.checker.page(&mut locked(&self.seen), &page);
        locked(&self.found).extend(findings);
        self.sink.put(page)
    }

    /// A file made in parts is data, too big to hold: no page to check.
    fn put_parts(
        &self,
        path: &str,
        parts: &mut dyn Iterator<Item = anyhow::Result<Vec<u8>>>,
    ) -> anyhow::Result<bool> {
        self.sink.put_parts(path, parts)
    }
}

/// A lock's contents; a poisoned lock means a thread panicked, and the
/// build with it.
fn locked<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Everything loaded and checked, ready to render.
pub(crate) struct Site {
    pub config: Config,
    pub base: BaseUrl,
    pub archive: Archive,
    pub theme: Theme,
}

impl Site {
    /// Reads config, replies and theme; every problem of every file at once.
    pub(crate) fn load(options: &BuildOptions) -> Result<Site, Vec<Problem>> {
        Site::load_timed(options, None, &mut Stages::off())
    }

    /// With a `shelf`, the replies' bodies wait there, not in memory.
    pub(crate) fn load_timed(
        options: &BuildOptions,
        shelf: Option<&Shelf>,
        stages: &mut Stages,
    ) -> Result<Site, Vec<Problem>> {
        let root = &options.root;
        let mut config = Config::load(root).map_err(|p| vec![p])?;
        lang::adopt(config.message_lang());
        if let Some(base_url) = &options.base_url {
            BaseUrl::parse(base_url).map_err(|m| vec![Problem::new("--base-url", m)])?;
            config.base_url = base_url.clone();
        }
        let base = config.base();
        let mut problems = Vec::new();
        // Problems finding replies too: the theme's are reported with them.
        let files = content::find(root).unwrap_or_else(|found| {
            problems.extend(found);
            Vec::new()
        });
        let mut replies = Vec::with_capacity(files.len());
        let body_options = config.body_options();
        let bodies = match shelf {
            Some(shelf) => Bodies::Shelved(&body_options, shelf),
            None => Bodies::Held(&body_options),
        };
        for result in content::load(root, &files, bodies) {
            match result {
                Ok(reply) => replies.push(reply),
                Err(found) => problems.extend(found),
            }
        }
        problems.extend(archive::doc_number_clashes(replies.iter().map(|r| &**r)));
        replies.retain(|reply| reply.is_published(options.drafts));
        stages.done("load+parse");
        let theme = Theme::load(root, &config, &base);
        stages.done("theme");
        let archive = Archive::from_shared(replies, &config);
        stages.done("archive");
        match (theme, archive) {
            (Ok(theme), Ok(archive)) if problems.is_empty() => Ok(Site {
                config,
                base,
                archive,
                theme,
            }),
            (theme, archive) => {
                problems.extend(theme.err().unwrap_or_default());
                problems.extend(archive.err().unwrap_or_default());
                Err(sorted(problems))
            }
        }
    }

    /// Makes every file of the site and hands each to `sink` as soon as it
    /// is made and its links are checked, so that a build never holds the
    /// whole site in memory; a broken internal link is a problem. In a
    /// build, a file that the previous folder holds as this build would
    /// make it (see `digest`) is neither made nor written.
    pub(crate) fn each_page(
        &self,
        run: &Run,
        sink: &impl Sink,
        stages: &mut Stages,
    ) -> Result<Built, BuildError> {
        let renderer = Renderer::new(&self.archive, &self.theme, &self.config, &self.base);
        let plan = Plan::of(&renderer, &self.theme);
        let clashes = plan.clashes(&self.theme);
        if !clashes.is_empty() {
            return Err(BuildError::Content(clashes));
        }
        // Every path is known before anything renders, so links can be
        // checked page by page.
        let checker = LinkChecker::new(&plan.paths, &self.archive, &self.base);
        let inputs = self.inputs(run, &renderer, &plan);
        let inputs = inputs.as_ref();
        // The open data JSON is as big as every text together: the data
        // files are written in parts as they are made, alongside the pages
        // and one another, never held whole.
        let (pages, data) = rayon::join(
            || self.pages(run, &renderer, &plan, inputs, &checker, sink),
            || self.data_files(run, inputs, sink),
        );
        let made = gathered(pages.into_iter().chain(data), Some(&checker))?;
        stages.done("pages");
        drop(checker);
        drop(renderer);
        give_back_freed_memory();
        let planned = Built {
            paths: plan.paths,
            ..Built::default()
        };
        let index = self.search(run, inputs, sink)?;
        // What the index's threads freed goes back before the commit's
        // lists of every file are made: 31 MiB at 100,000 replies.
        give_back_freed_memory();
        stages.done("search");
        Ok(planned.and(made).and(index))
    }

    /// What every page and data file is made of, where there is a folder
    /// to compare with and record it for: `check` has none.
    fn inputs(&self, run: &Run, renderer: &Renderer, plan: &Plan) -> Option<Inputs> {
        run.previous()?;
        let replies = renderer.reply_digests();
        let (config, theme) = (&self.config, self.theme.digest);
        let shared = digest::shared(config, theme, renderer.site(), &plan.paths);
        Some(Inputs { replies, shared })
    }

    /// Renders the templated pages and copies the static files, in
    /// parallel, each checked for links as it is handed to `sink`.
    fn pages(
        &self,
        run: &Run,
        renderer: &Renderer,
        plan: &Plan,
        inputs: Option<&Inputs>,
        checker: &LinkChecker,
        sink: &impl Sink,
    ) -> Vec<Result<Outcome, BuildError>> {
        let checked = || Checked::new(sink, checker);
        let statics = (self.theme.statics.par_iter())
            .map(|(path, bytes)| Static { path, bytes })
            .map_init(checked, |checked, file| {
                Looked::at(file, run, inputs).made_checked(checked)
            });
        let templated = (plan.specs.par_iter()).map_init(checked, |checked, &spec| {
            Looked::at(Templated { renderer, spec }, run, inputs).made_checked(checked)
        });
        templated.chain(statics).collect()
    }

    /// Streams the open data files, in parallel.
    fn data_files(
        &self,
        run: &Run,
        inputs: Option<&Inputs>,
        sink: &impl Sink,
    ) -> Vec<Result<Outcome, BuildError>> {
        (Data::all(&self.archive, &self.base, run.lines()).into_par_iter())
            .map(|file| Looked::at(file, run, inputs).made(sink))
            .collect()
    }

    /// The search index, made after the pages, whose memory it takes.
    fn search(
        &self,
        run: &Run,
        inputs: Option<&Inputs>,
        sink: &impl Sink,
    ) -> Result<Built, BuildError> {
        let index = Index {
            archive: &self.archive,
            base: &self.base,
            legend: &self.config.result_legend,
            previous: run.previous(),
        };
        let outcome = Looked::at(index, run, inputs).made(sink);
        gathered(std::iter::once(outcome), None)
    }

    /// What `build` and `check` both warn of: a `base_url` without a host,
    /// then the privacy lint's findings in the published replies and
    /// proposals with two lead replies.
    ///
    /// Without a host, sitemap.xml is written all the same, so that a site
    /// tried out before it has an address builds the same set of files;
    /// but a sitemap's `<loc>` must be a full URL, so it is said here, at
    /// every build, until `base_url` names the address.
    pub(crate) fn warnings(&self) -> Vec<Problem> {
        let base_url = self.base.origin.is_empty().then(|| {
            Problem::new(
                CONFIG_FILE,
                t!("build.relative_base_url", url = self.config.base_url),
            )
            .hint(t!("build.relative_base_url_hint"))
        });
        let mut replies: Vec<Problem> = self
            .archive
            .replies()
            .iter()
            .flat_map(|reply| reply.warnings.iter().cloned())
            .collect();
        replies.extend(self.archive.lead_clashes());
        replies.extend(self.late_publications());
        base_url.into_iter().chain(sorted(replies)).collect()
    }

    /// Replies published later than `publish_within_working_days` after
    /// their date, and replies whose `published` is before their date.
    fn late_publications(&self) -> Vec<Problem> {
        let calendar = workdays::Calendar::new(&self.config.holidays);
        let limit = self.config.publish_within_working_days;
        let mut problems = Vec::new();
        for reply in self.archive.replies() {
            let (reply::ReplyDate::Day(day), Some(published)) =
                (reply.date, reply.stated.published)
            else {
                continue;
            };
            let message = match calendar.working_days(day, published) {
                None => t!(
                    "timing.published_before_date",
                    published = published,
                    date = day
                ),
                Some(days) if days > limit => t!(
                    "timing.published_late",
                    days = days,
                    limit = limit,
                    published = published,
                    date = day
                ),
                Some(_) => continue,
            };
            problems
                .push(Problem::new(&reply.source, message).at_line(reply.stated.published_line));
        }
        problems
    }
}

/// What `outcomes` came to: how many files changed, what each was made
/// of, and the paths of those that an output of many made (the plan knew
/// the rest); unless one failed or, as `checker` reports, had a broken
/// link: then every problem, in order.
fn gathered(
    outcomes: impl Iterator<Item = Result<Outcome, BuildError>>,
    checker: Option<&LinkChecker>,
) -> Result<Built, BuildError> {
    let mut built = Built::default();
    let mut problems = Vec::new();
    let mut broken = Vec::new();
    for outcome in outcomes {
        match outcome {
            Ok(outcome) => {
                built.changed += outcome.wrote.changed;
                broken.extend(outcome.findings);
                built.made.extend(outcome.made);
                let files = outcome.wrote.files;
                built
                    .paths
                    .extend(files.iter().map(|made| made.path.clone()));
                built.made.extend(files);
            }
            Err(BuildError::Content(found)) => problems.extend(found),
            Err(io) => return Err(io),
        }
    }
    problems.extend(
        checker
            .map(|checker| checker.report(broken))
            .unwrap_or_default(),
    );
    if problems.is_empty() {
        Ok(built)
    } else {
        Err(BuildError::Content(sorted(problems)))
    }
}

/// Returns the heap's free pages to the system. What the pages made and
/// dropped (template data, bytes) lies scattered among what stays; freed,
/// it is holes the search index's larger buffers do not fit, and the
/// build's peak memory grew by a third without this.
fn give_back_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases memory malloc holds free.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Writes every page of `site` into `staging` and deletes what it does not
/// make, ready to swap in.
pub(crate) fn write_site(
    site: &Site,
    staging: &output::Staging,
    output: &Path,
    cache: &Cache,
    lines: &Shelf,
    stages: &mut Stages,
) -> Result<output::Written, BuildError> {
    let previous = Previous {
        folder: staging.dir(),
        digests: Digests::take(staging.dir(), cache.dir()).map_err(BuildError::Io)?,
    };
    let run = Run::Build {
        previous: &previous,
        lines,
    };
    let Built {
        paths,
        changed,
        made,
    } = site.each_page(&run, staging, stages)?;
    let (removed, folders) =
        (staging.prune(&paths, &previous.digests.folders)).map_err(BuildError::Io)?;
    // Every path again is in `made`: the digests need only that.
    let files = paths.len();
    drop(paths);
    // Last, so that a build that fails before leaves no digests.
    (previous.digests)
        .write(staging.dir(), output, cache.dir(), &made, &folders)
        .map_err(BuildError::Io)?;
    Ok(output::Written {
        changed,
        unchanged: files - changed,
        removed,
    })
}
