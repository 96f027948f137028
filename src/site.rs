//! The build's pipeline: a site loaded and checked ([`Site::load`]), then
//! every file it makes, in the order [`Site::each_page`] reads: the plan
//! of every path, static files that clash with it, what each page is made
//! of, the pages, static files and open data in parallel, the link
//! report, and last the search index. `dafu build` and `dafu check` run it
//! alike; a [`Run`] says which, and so whether there is a folder to compare
//! with.

use std::path::Path;

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
use crate::search;
use crate::stages::data::{self, DataFile};
use crate::stages::links::{LinkChecker, PageFindings};
use crate::stages::render::{PageSpec, Renderer};
use crate::stages::theme::Theme;
use crate::store::cache::Cache;
use crate::store::digest::{self, Digests, Made, Previous};
use crate::store::output;
use crate::{BuildError, BuildOptions};

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
pub(crate) struct Built {
    pub paths: Vec<String>,
    pub changed: usize,
    pub made: Vec<Made>,
}

/// Every file the site makes before the search index: the templated pages
/// (`specs`, whose paths come first in `paths`), then the open data files,
/// then the theme's static files.
struct Plan {
    specs: Vec<PageSpec>,
    paths: Vec<String>,
}

impl Plan {
    /// The paths of the files the site generates, without the static ones.
    fn generated(&self) -> &[String] {
        &self.paths[..self.specs.len() + DataFile::ALL.len()]
    }
}

/// What pages and data files are made of, in a build: each reply's
/// template data (`Renderer::reply_digests`), and what every file shares.
struct Inputs {
    replies: Vec<u64>,
    shared: u64,
}

/// What became of one file.
struct Outcome {
    changed: bool,
    findings: Option<PageFindings>,
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
            changed: false,
            findings: None,
            made: Some(Made::kept(path.to_string(), digest)),
        })
    }
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
        let plan = self.plan(&renderer);
        self.no_clashes(&plan)?;
        // Every path is known before anything renders, so links can be
        // checked page by page.
        let checker = LinkChecker::new(&plan.paths, &self.archive, &self.base);
        let inputs = self.inputs(run, &renderer, &plan);
        // The open data JSON is as big as every text together: the data
        // files are written in parts as they are made, alongside the pages
        // and one another, never held whole.
        let (pages, data) = rayon::join(
            || self.pages(run, &renderer, &plan, inputs.as_ref(), &checker, sink),
            || self.data_files(run, inputs.as_ref(), sink),
        );
        let (changed, made) = gathered(pages.into_iter().chain(data), &checker)?;
        stages.done("pages");
        drop(checker);
        drop(renderer);
        give_back_freed_memory();
        let built = Built {
            paths: plan.paths,
            changed,
            made,
        };
        let built = self.search(run, sink, built)?;
        stages.done("search");
        Ok(built)
    }

    /// Every templated page, in the renderer's order, and the path of every
    /// file made before the search index.
    fn plan(&self, renderer: &Renderer) -> Plan {
        let specs = renderer.plan();
        let paths = specs
            .iter()
            .map(|&spec| renderer.path(spec))
            .chain(DataFile::ALL.map(|file| file.path().to_string()))
            .chain(self.theme.statics.keys().cloned())
            .collect();
        Plan { specs, paths }
    }

    /// A problem for each static file where the site makes a file.
    fn no_clashes(&self, plan: &Plan) -> Result<(), BuildError> {
        let clashes = self.theme.static_clashes(plan.generated());
        if clashes.is_empty() {
            Ok(())
        } else {
            Err(BuildError::Content(clashes))
        }
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
        let put = |seen: &mut _, page: Page| -> Result<(bool, Option<PageFindings>), BuildError> {
            let findings = checker.page(seen, &page);
            let changed = sink.put(page).map_err(BuildError::Io)?;
            Ok((changed, findings))
        };
        let statics =
            self.theme
                .statics
                .par_iter()
                .map_init(LinkChecker::seen, |seen, (path, bytes)| {
                    let page = Page {
                        path: path.clone(),
                        bytes: bytes.clone(),
                    };
                    let (changed, findings) = put(seen, page)?;
                    Ok(Outcome {
                        changed,
                        findings,
                        made: None,
                    })
                });
        let previous = run.previous();
        let templated = plan
            .specs
            .par_iter()
            .map_init(LinkChecker::seen, |seen, &spec| {
                let path = renderer.path(spec);
                let digest =
                    inputs.map(|inputs| renderer.digest(spec, &inputs.replies, inputs.shared));
                if let Some(outcome) = Outcome::kept(previous, &path, digest) {
                    return Ok(outcome);
                }
                let page = renderer
                    .render(spec)
                    .map_err(|problem| BuildError::Content(vec![problem]))?;
                let (changed, findings) = put(seen, page)?;
                Ok(Outcome {
                    changed,
                    findings,
                    made: digest.map(|digest| Made::new(path, digest)),
                })
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
        DataFile::ALL
            .into_par_iter()
            .map(|file| {
                let digest = inputs
                    .map(|inputs| data::digest(file, &self.archive, &self.base, inputs.shared));
                self.stream(file, run, sink, digest)
            })
            .collect()
    }

    /// Writes a data file in parts as they are made (see `data::parts`),
    /// unless the previous folder holds it as it would come out.
    fn stream(
        &self,
        file: DataFile,
        run: &Run,
        sink: &impl Sink,
        digest: Option<u64>,
    ) -> Result<Outcome, BuildError> {
        let path = file.path().to_string();
        if let Some(outcome) = Outcome::kept(run.previous(), &path, digest) {
            return Ok(outcome);
        }
        let mut parts = data::parts(file, &self.archive, &self.base, run.lines());
        let changed = sink.put_parts(&path, &mut parts).map_err(BuildError::Io)?;
        Ok(Outcome {
            changed,
            findings: None,
            made: digest.map(|digest| Made::new(path, digest)),
        })
    }

    /// The search index, made after the pages (whose memory it takes),
    /// added to what they `built`.
    fn search(&self, run: &Run, sink: &impl Sink, built: Built) -> Result<Built, BuildError> {
        let legend = &self.config.result_legend;
        let indexed = search::index(&self.archive, &self.base, legend, run.previous(), sink)
            .map_err(BuildError::Io)?;
        let Built {
            mut paths,
            changed,
            mut made,
        } = built;
        paths.extend(indexed.made.iter().map(|made| made.path.clone()));
        made.extend(indexed.made);
        Ok(Built {
            paths,
            changed: changed + indexed.changed,
            made,
        })
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
            let (reply::ReplyDate::Day(day), Some(published)) = (reply.date, reply.published)
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
            problems.push(Problem::new(&reply.source, message).at_line(reply.published_line));
        }
        problems
    }
}

/// What the files came to: how many changed and what each was made of,
/// unless one failed or had a broken link (`LinkChecker::report`): then
/// every problem, in order.
fn gathered(
    outcomes: impl Iterator<Item = Result<Outcome, BuildError>>,
    checker: &LinkChecker,
) -> Result<(usize, Vec<Made>), BuildError> {
    let mut changed = 0;
    let mut problems = Vec::new();
    let mut broken = Vec::new();
    let mut made = Vec::new();
    for outcome in outcomes {
        match outcome {
            Ok(outcome) => {
                changed += usize::from(outcome.changed);
                broken.extend(outcome.findings);
                made.extend(outcome.made);
            }
            Err(BuildError::Content(found)) => problems.extend(found),
            Err(io) => return Err(io),
        }
    }
    problems.extend(checker.report(broken));
    if problems.is_empty() {
        Ok((changed, made))
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
    // Last, so that a build that fails before leaves no digests.
    (previous.digests)
        .write(staging.dir(), output, cache.dir(), &made, &folders)
        .map_err(BuildError::Io)?;
    Ok(output::Written {
        changed,
        unchanged: paths.len() - changed,
        removed,
    })
}
